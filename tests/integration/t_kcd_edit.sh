#!/usr/bin/env bash
# adkcd show/add/remove/set against the sandbox DC: every verb, every mode
# transition, idempotence, dry-run diffs, LDIF, JSON and the safety checks.
. "$(dirname "$0")/lib.sh"

mk_user iosmdm
mk_computer tmg 'Tmg-Passw0rd!'       # enabled: userAccountControl 4096
mk_computer off                        # disabled: 4098
"$ADSPN" -S http/iosmdm.mydom.local iosmdm >/dev/null
"$ADSPN" -S http/web.mydom.local iosmdm >/dev/null
SPN=http/iosmdm.mydom.local
uac() { dc_attr "$1" userAccountControl; }
svcs() { dc_attr "$1" msDS-AllowedToDelegateTo; }
runs() { "$ADKCD" history --json | jq '.runs | length'; }
R0=$(runs)   # adspn's runs above are journaled too

t_begin "show: no delegation"
run "$ADKCD" show tmg
expect_rc 0
expect_out_contains "computer tmg\$ (CN=tmg,CN=Computers,$ADKCD_BASEDN)"
expect_out_contains "delegation: none"
expect_out_contains "userAccountControl: 4096: WORKSTATION_TRUST_ACCOUNT (0x1000)"
t_end

t_begin "add --dry-run: the diff, nothing written, nothing journaled"
dc_snapshot "$ADKCD_TMP/s0"
run "$ADKCD" add tmg "$SPN" --any-protocol --dry-run
expect_rc 0
expect_out_contains "delegation: none -> constrained (use any authentication protocol)"
expect_out_contains "- userAccountControl: 4096"
expect_out_contains "+ userAccountControl: 16781312"
expect_out_contains "+ msDS-AllowedToDelegateTo: $SPN"
expect_out_contains "flags: +TRUSTED_TO_AUTH_FOR_DELEGATION (0x1000000)"
expect_out_contains "dry run: nothing written"
expect_dc_unchanged "$ADKCD_TMP/s0"
expect_eq "$(runs)" "$R0" "runs in the journal after a dry run"
run "$ADKCD" --dry-run --detailed-exitcode add tmg "$SPN" --any-protocol
expect_rc 2
t_end

t_begin "add --any-protocol: constrained with protocol transition, journaled"
run "$ADKCD" add tmg "$SPN" --any-protocol
expect_rc 0
expect_out_contains "Updated object (run "
expect_eq "$(uac tmg)" "16781312" "userAccountControl"
expect_eq "$(svcs tmg)" "$SPN" "msDS-AllowedToDelegateTo"
expect_eq "$(runs)" "$((R0 + 1))" "runs in the journal"
[ "$(stat -c %a "$ADKCD_JOURNAL")" = 600 ] || t_fail "journal mode is not 0600"
t_end

t_begin "add again: unchanged, exit 0, nothing written or journaled"
dc_snapshot "$ADKCD_TMP/s1"
run "$ADKCD" -v add tmg HTTP/IOSMDM.mydom.local --any-protocol
expect_rc 0
expect_out_contains "unchanged: computer tmg\$ already has that delegation"
# Nothing to do: no Global Catalog bound for the services' check.
expect_err_not_contains "Global Catalog"
expect_dc_unchanged "$ADKCD_TMP/s1"
expect_eq "$(runs)" "$((R0 + 1))" "runs in the journal"
run "$ADKCD" add tmg "$SPN" --dry-run --detailed-exitcode
expect_rc 0
t_end

t_begin "show: constrained, any protocol, services, flags by name"
run "$ADKCD" show tmg
expect_rc 0
expect_out_contains "delegation: constrained (use any authentication protocol)"
expect_out_contains "	$SPN"
expect_out_contains "TRUSTED_TO_AUTH_FOR_DELEGATION (0x1000000)"
run "$ADKCD" --json show tmg
expect_json '.delegation.mode == "constrained" and .delegation.protocol_transition == true'
expect_json '.delegation.services == ["http/iosmdm.mydom.local"] and .delegation.user_account_control == 16781312'
expect_json '(.delegation.flags | index("TRUSTED_TO_AUTH_FOR_DELEGATION")) != null and .warnings == []'
t_end

t_begin "add --kerberos-only clears protocol transition, keeps the services"
run "$ADKCD" add tmg "$SPN" --kerberos-only
expect_rc 0
expect_out_contains "flags: -TRUSTED_TO_AUTH_FOR_DELEGATION (0x1000000)"
expect_eq "$(uac tmg)" "4096" "userAccountControl"
expect_eq "$(svcs tmg)" "$SPN" "msDS-AllowedToDelegateTo"
t_end

t_begin "add without a protocol option leaves the flag alone"
run "$ADKCD" add tmg http/web.mydom.local
expect_rc 0
expect_eq "$(uac tmg)" "4096" "userAccountControl"
expect_eq "$(svcs tmg)" "$(printf '%s\n' http/iosmdm.mydom.local http/web.mydom.local)" "services"
t_end

t_begin "remove one service; removing an absent one is unchanged"
run "$ADKCD" remove tmg http/WEB.mydom.local
expect_rc 0
expect_out_contains "- msDS-AllowedToDelegateTo: http/web.mydom.local"
expect_eq "$(svcs tmg)" "$SPN" "services"
dc_snapshot "$ADKCD_TMP/s2"
run "$ADKCD" remove tmg http/web.mydom.local
expect_rc 0
expect_out_contains "unchanged"
expect_dc_unchanged "$ADKCD_TMP/s2"
t_end

t_begin "remove the last service: mode none, protocol transition cleared"
"$ADKCD" add tmg "$SPN" --any-protocol >/dev/null
run "$ADKCD" remove tmg "$SPN"
expect_rc 0
expect_out_contains "delegation: constrained (use any authentication protocol) -> none"
expect_eq "$(uac tmg)" "4096" "userAccountControl"
expect_eq "$(svcs tmg)" "" "services"
t_end

t_begin "set --mode unconstrained: flag on, services and protocol transition off, a warning"
"$ADKCD" add tmg "$SPN" --any-protocol >/dev/null
run "$ADKCD" set tmg --mode unconstrained
expect_rc 0
expect_err_contains "warning: gave unconstrained delegation (TRUSTED_FOR_DELEGATION 0x80000)"
expect_eq "$(uac tmg)" "528384" "userAccountControl"
expect_eq "$(svcs tmg)" "" "services"
run "$ADKCD" show tmg
expect_out_contains "delegation: unconstrained (any service)"
expect_err_contains "warning: unconstrained delegation"
t_end

t_begin "add to an unconstrained account switches unconstrained off (radio buttons)"
run "$ADKCD" add tmg "$SPN"
expect_rc 0
expect_out_contains "flags: -TRUSTED_FOR_DELEGATION (0x80000)"
expect_eq "$(uac tmg)" "4096" "userAccountControl"
t_end

t_begin "set --mode constrained: exactly the services given, only the difference written"
run "$ADKCD" set tmg --mode constrained --services "$SPN,http/web.mydom.local" --any-protocol
expect_rc 0
expect_eq "$(uac tmg)" "16781312" "userAccountControl"
run "$ADKCD" set tmg --mode=constrained --services="http/web.mydom.local,cifs/iosmdm.mydom.local"
expect_rc 0
expect_out_contains "- msDS-AllowedToDelegateTo: $SPN"
expect_out_contains "  msDS-AllowedToDelegateTo: http/web.mydom.local"
expect_out_contains "+ msDS-AllowedToDelegateTo: cifs/iosmdm.mydom.local"
expect_eq "$(svcs tmg)" "$(printf '%s\n' cifs/iosmdm.mydom.local http/web.mydom.local)" "services"
expect_eq "$(uac tmg)" "16781312" "userAccountControl kept"
dc_snapshot "$ADKCD_TMP/s3"
run "$ADKCD" set tmg --mode constrained --services "HTTP/web.mydom.local,cifs/iosmdm.mydom.local"
expect_rc 0
expect_out_contains "unchanged"
expect_dc_unchanged "$ADKCD_TMP/s3"
t_end

t_begin "set --mode none clears everything (from unconstrained too)"
run "$ADKCD" set tmg --mode unconstrained
expect_rc 0
expect_eq "$(uac tmg)" "528384" "userAccountControl"
run "$ADKCD" set tmg --mode none
expect_rc 0
expect_out_contains "delegation: unconstrained (any service) -> none"
expect_eq "$(uac tmg)" "4096" "userAccountControl"
"$ADKCD" set tmg --mode constrained --services "$SPN" --any-protocol >/dev/null
run "$ADKCD" set tmg --mode none
expect_rc 0
expect_eq "$(uac tmg)" "4096" "userAccountControl"
expect_eq "$(svcs tmg)" "" "services"
run "$ADKCD" set tmg --mode none --detailed-exitcode --dry-run
expect_rc 0
t_end

t_begin "common options before or after the verb"
run "$ADKCD" --json --dry-run add tmg "$SPN"
expect_rc 0; expect_json '.dry_run == true and .changed == true'
run "$ADKCD" add tmg "$SPN" --dry-run --json
expect_rc 0; expect_json '.dry_run == true and .changed == true'
t_end

t_begin "--json for a change"
run "$ADKCD" add tmg "$SPN" --any-protocol --json
expect_rc 0
expect_json '.schema == 1 and .tool == "adkcd" and .operation == "add" and .changed == true and .applied == true'
expect_json '.account.chosen == "computer tmg$" and .object_class == "computer"'
expect_json '.before.mode == "none" and .after.mode == "constrained" and .after.protocol_transition == true'
expect_json '.after.services == ["http/iosmdm.mydom.local"] and (.run_id | length) == 36 and .attempts == 1'
t_end

t_begin "--dry-run --ldif is LDIF that ldapmodify applies, with the compare-and-swap"
run "$ADKCD" remove tmg "$SPN" --dry-run --ldif
expect_rc 0
expect_out_contains "delete: userAccountControl"
expect_out_contains "userAccountControl: 16781312"
expect_out_contains "add: userAccountControl"
printf '%s\n' "$OUT" > "$ADKCD_TMP/rm.ldif"
ldif_modify "$ADKCD_TMP/rm.ldif" >/dev/null 2>&1 || t_fail "ldapmodify refused the LDIF"
expect_eq "$(uac tmg)" "4096" "userAccountControl"
expect_eq "$(svcs tmg)" "" "services"
# Applied a second time it is refused: the old value is gone (the CAS).
ldif_modify "$ADKCD_TMP/rm.ldif" >/dev/null 2>&1 && t_fail "stale LDIF applied twice"
t_end

t_begin "show warns: a service nobody holds, a disabled account"
run "$ADKCD" add off http/typo.mydom.local
expect_rc 0
expect_err_contains "warning: service http/typo.mydom.local is held by no account in the forest (a typo?)"
run "$ADKCD" show off
expect_rc 0
expect_err_contains "warning: service http/typo.mydom.local is held by no account in the forest (a typo?)"
expect_err_contains "warning: the account is disabled (ACCOUNTDISABLE 0x2)"
run "$ADKCD" --json show off
expect_json '.disabled == true and (.warnings | length) == 2'
t_end

t_begin "safety: no unconstrained delegation or protocol transition for a DC or krbtgt without --force"
dc_snapshot "$ADKCD_TMP/s4"
run "$ADKCD" set dc1 --mode unconstrained
expect_rc 0   # a DC already has TRUSTED_FOR_DELEGATION: nothing gained
expect_out_contains "unchanged"
bad_input protected 8 -- "$ADKCD" add dc1 "$SPN"
expect_err_contains "refusing to switch off unconstrained delegation of a domain controller (CN=DC1,OU=Domain Controllers,$ADKCD_BASEDN): domain controllers need it
adkcd: hint: use --force if you really mean it"
run "$ADKCD" add dc1 "$SPN" --json
expect_rc 8
expect_json '.error.status == "refused" and .error.hints == ["force"]'
bad_input protected 8 -- "$ADKCD" add dc1 "$SPN" --any-protocol --dry-run
run "$ADKCD" set dc1 --mode unconstrained --force --dry-run
expect_rc 0
bad_input protected 8 -- "$ADKCD" set krbtgt --mode unconstrained
expect_err_contains "refusing to give unconstrained delegation (TRUSTED_FOR_DELEGATION 0x80000) to a KDC's own account (krbtgt)"
expect_err_contains "it could then impersonate any user to the services it may reach
adkcd: hint: use --force if you really mean it"
bad_input protected 8 -- "$ADKCD" add krbtgt "$SPN" --any-protocol
expect_err_contains "refusing to give protocol transition (TRUSTED_TO_AUTH_FOR_DELEGATION 0x1000000) to a KDC's own account (krbtgt)"
expect_dc_unchanged "$ADKCD_TMP/s4"
run "$ADKCD" add krbtgt "$SPN" --any-protocol --force
expect_rc 0
run "$ADKCD" set krbtgt --mode none
expect_rc 0
t_end

t_summary
