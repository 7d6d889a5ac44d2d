#!/usr/bin/env bash
# adkcd apply and export against the sandbox DC: the seed's scenario as one
# state file (dry run, apply, unchanged re-run, export round trip, rollback
# of the run), many accounts, an SPN moved between accounts, every kind of
# refusal writing nothing, and a DC killed in the middle of a large apply.
. "$(dirname "$0")/lib.sh"

mk_user iosmdm
mk_computer tmg 'Tmg-Passw0rd!'
mk_user olduser
"$ADSPN" -S http/old.mydom.local olduser >/dev/null
SPN=http/iosmdm.mydom.local
F=$ADKCD_TMP/seed.yaml
runs() { "$ADKCD" history --json | jq '.runs | length'; }
last_id() { "$ADKCD" history --json | jq -r '.runs[-1].id'; }

cat > "$F" <<YAML
version: 1
accounts:
  - account: iosmdm
    spns:
      present: [$SPN]
  - account: tmg
    type: computer
    delegation:
      mode: constrained
      protocol_transition: true
      services:
        present: [$SPN]
YAML

t_begin "dry run: one diff for the whole file, nothing written or journaled"
dc_snapshot "$ADKCD_TMP/s0"
R0=$(runs)
run "$ADKCD" apply --dry-run "$F"
expect_rc 0
expect_out_contains "dn: CN=iosmdm,CN=Users,$ADKCD_BASEDN (user iosmdm)"
expect_out_contains "+ servicePrincipalName: $SPN"
expect_out_contains "dn: CN=tmg,CN=Computers,$ADKCD_BASEDN (computer tmg\$)"
expect_out_contains "- userAccountControl: 4096"
expect_out_contains "+ userAccountControl: 16781312"
expect_out_contains "+ msDS-AllowedToDelegateTo: $SPN"
expect_out_contains "dry run: 2 of 2 accounts would change; nothing written"
expect_dc_unchanged "$ADKCD_TMP/s0"
expect_eq "$(runs)" "$R0" "runs after a dry run"
run "$ADKCD" apply --dry-run --detailed-exitcode "$F"
expect_rc 2
run "$ADKCD" apply --dry-run --json "$F"
expect_rc 0
expect_json '.schema == 1 and .operation == "apply" and .changed == true and .dry_run == true and .applied == false'
expect_json '.accounts[0].outcome == "planned" and .accounts[0].spns.after == ["http/iosmdm.mydom.local"] and .accounts[0].position.line == 3'
expect_json '.accounts[1].delegation.before.mode == "none" and .accounts[1].delegation.after.mode == "constrained" and .accounts[1].delegation.after.protocol_transition == true'
expect_json '.counts.to_change == 2 and .run_id == null'
t_end

t_begin "--ldif is what ldapmodify applies, with the compare-and-swap"
run "$ADKCD" apply --dry-run --ldif "$F"
expect_rc 0
cp "$OUT_FILE" "$ADKCD_TMP/plan.ldif"
expect_out_contains "delete: userAccountControl"
t_end

t_begin "apply: one journaled run; the directory as the file says"
run "$ADKCD" apply "$F"
expect_rc 0
expect_out_contains "Applied 2 of 2 changes (run "
expect_eq "$(dc_spns iosmdm)" "$SPN" "SPNs of iosmdm"
expect_eq "$(dc_attr tmg userAccountControl)" "16781312" "userAccountControl of tmg"
expect_eq "$(dc_attr tmg msDS-AllowedToDelegateTo)" "$SPN" "services of tmg"
expect_eq "$(runs)" "$((R0 + 1))" "runs"
RUN1=$(last_id)
expect_eq "$("$ADKCD" history --json | jq -r '.runs[-1].accounts | join(",")')" "user iosmdm,computer tmg\$" "accounts of the run"
t_end

t_begin "re-apply: unchanged, exit 0, nothing written or journaled, no Global Catalog"
dc_snapshot "$ADKCD_TMP/s1"
run "$ADKCD" -v apply "$F"
expect_rc 0
expect_out_contains "unchanged: the 2 accounts of $F already are as it says"
expect_err_not_contains "Global Catalog"
expect_dc_unchanged "$ADKCD_TMP/s1"
expect_eq "$(runs)" "$((R0 + 1))" "runs"
run "$ADKCD" apply --json "$F"
expect_json '.changed == false and .applied == false and ([.accounts[].outcome] | unique) == ["unchanged"]'
t_end

t_begin "the LDIF of the plan, applied by ldapmodify on the original state, gives the same result"
"$ADKCD" rollback "$RUN1" >/dev/null
expect_dc_unchanged "$ADKCD_TMP/s0"
ldif_modify "$ADKCD_TMP/plan.ldif" >/dev/null || t_fail "ldapmodify refused the plan's LDIF"
expect_dc_unchanged "$ADKCD_TMP/s1"
# A rollback judges by the directory's state: the same run undone again.
"$ADKCD" rollback "$RUN1" >/dev/null
expect_dc_unchanged "$ADKCD_TMP/s0"
"$ADKCD" apply "$F" >/dev/null
expect_dc_unchanged "$ADKCD_TMP/s1"
RUN1=$(last_id)
t_end

t_begin "export | apply - changes nothing; export of named accounts"
dc_snapshot "$ADKCD_TMP/x0"
run "$ADKCD" export
expect_rc 0
cp "$OUT_FILE" "$ADKCD_TMP/export.yaml"
expect_out_contains "account: tmg\$"
expect_out_contains "mode: unconstrained"   # the DC's own
RUN_STDIN="$ADKCD_TMP/export.yaml" run "$ADKCD" apply -
expect_rc 0
expect_out_contains "unchanged: the"
run "$ADKCD" export iosmdm tmg olduser
expect_rc 0
cp "$OUT_FILE" "$ADKCD_TMP/named.yaml"
expect_out_contains "account: iosmdm"
expect_out_contains "type: user"
RUN_STDIN="$ADKCD_TMP/named.yaml" run "$ADKCD" apply -
expect_out_contains "unchanged: the 3 accounts"
bad_input account 4 -- "$ADKCD" export nosuchaccount
bad_input command-line 3 -- "$ADKCD" --json export
expect_err_contains "export prints a state file (YAML), which apply reads as it is: --json does not apply"
expect_out_empty
expect_dc_unchanged "$ADKCD_TMP/x0"
t_end

t_begin "an old export applied restores the state it holds, without the journal"
"$ADKCD" add tmg http/other.mydom.local --kerberos-only >/dev/null
"$ADSPN" -S http/extra.mydom.local iosmdm >/dev/null
run "$ADKCD" apply "$ADKCD_TMP/named.yaml"
expect_rc 0
expect_dc_unchanged "$ADKCD_TMP/s1"
t_end

t_begin "rollback of the apply run restores the prior state exactly"
run "$ADKCD" rollback "$RUN1"
expect_rc 0
expect_dc_unchanged "$ADKCD_TMP/s0"
t_end

t_begin "an SPN moved between two accounts in one file is a move, not a conflict"
cat > "$ADKCD_TMP/move.yaml" <<YAML
version: 1
accounts:
  - account: iosmdm
    spns: {present: [http/old.mydom.local]}
  - account: olduser
    spns: {absent: [http/old.mydom.local]}
YAML
# The LDIF, in the order the changes are sent (the removal first), is what
# ldapmodify applies: the file names the taker first.
run "$ADKCD" apply --dry-run --ldif "$ADKCD_TMP/move.yaml"
expect_rc 0
cp "$OUT_FILE" "$ADKCD_TMP/move.ldif"
expect_eq "$(grep -m1 '^dn:' "$ADKCD_TMP/move.ldif")" "dn: CN=olduser,CN=Users,$ADKCD_BASEDN" "first record of the LDIF"
ldif_modify "$ADKCD_TMP/move.ldif" >/dev/null || t_fail "ldapmodify refused the move's LDIF"
expect_eq "$(dc_holders http/old.mydom.local)" "CN=iosmdm,CN=Users,$ADKCD_BASEDN" "holder after the LDIF"
printf 'version: 1\naccounts:\n  - {account: olduser, spns: {present: [http/old.mydom.local]}}\n  - {account: iosmdm, spns: {absent: [http/old.mydom.local]}}\n' > "$ADKCD_TMP/back.yaml"
run "$ADKCD" apply "$ADKCD_TMP/back.yaml"
expect_rc 0
expect_eq "$(dc_holders http/old.mydom.local)" "CN=olduser,CN=Users,$ADKCD_BASEDN" "holder moved back"
run "$ADKCD" apply "$ADKCD_TMP/move.yaml"
expect_rc 0
expect_eq "$(dc_holders http/old.mydom.local)" "CN=iosmdm,CN=Users,$ADKCD_BASEDN" "holder after the move"
# The rollback's LDIF too lets go before it takes back.
run "$ADKCD" rollback last --dry-run --ldif
expect_rc 0
cp "$OUT_FILE" "$ADKCD_TMP/unmove.ldif"
ldif_modify "$ADKCD_TMP/unmove.ldif" >/dev/null || t_fail "ldapmodify refused the rollback's LDIF"
expect_eq "$(dc_holders http/old.mydom.local)" "CN=olduser,CN=Users,$ADKCD_BASEDN" "holder after the rollback's LDIF"
t_end

t_begin "a chain of moves is applied link by link, and undone the same way"
mk_user ua; mk_user ub; mk_user uc
"$ADSPN" -S http/s1.mydom.local ua >/dev/null
"$ADSPN" -S http/s2.mydom.local uc >/dev/null
dc_snapshot "$ADKCD_TMP/c0"
# ua gives s1 to ub and takes s2 from uc: ub waits for ua, ua for uc.
cat > "$ADKCD_TMP/chain.yaml" <<YAML
version: 1
accounts:
  - {account: ua, spns: {exact: [http/s2.mydom.local]}}
  - {account: ub, spns: {present: [http/s1.mydom.local]}}
  - {account: uc, spns: {absent: [http/s2.mydom.local]}}
YAML
run "$ADKCD" apply "$ADKCD_TMP/chain.yaml"
expect_rc 0
expect_eq "$(dc_holders http/s1.mydom.local)" "CN=ub,CN=Users,$ADKCD_BASEDN" "holder of s1"
expect_eq "$(dc_holders http/s2.mydom.local)" "CN=ua,CN=Users,$ADKCD_BASEDN" "holder of s2"
run "$ADKCD" rollback last
expect_rc 0
expect_dc_unchanged "$ADKCD_TMP/c0"
t_end

t_begin "SPNs swapped between two accounts cannot be ordered: refused, nothing written"
cat > "$ADKCD_TMP/swap.yaml" <<YAML
version: 1
accounts:
  - {account: tmg, spns: {present: [http/unrelated.mydom.local]}}
  - {account: ua, spns: {exact: [http/s2.mydom.local]}}
  - {account: uc, spns: {exact: [http/s1.mydom.local]}}
YAML
bad_input state-plan 3 -- "$ADKCD" apply "$ADKCD_TMP/swap.yaml"
expect_err_contains "move in a cycle"
run "$ADKCD" --json apply "$ADKCD_TMP/swap.yaml"
expect_rc 3
# Placed at an entry of the cycle, not at the first of the file.
expect_json '.problems[0].kind == "spn-cycle" and (.problems[0].account == "ua" or .problems[0].account == "uc")' 
expect_dc_unchanged "$ADKCD_TMP/c0"
t_end

t_begin "a move through a host alias (HOST/x let go of, http/x taken) waits for the removal"
"$ADSPN" -S HOST/alias1.mydom.local ua >/dev/null
dc_snapshot "$ADKCD_TMP/c1"
cat > "$ADKCD_TMP/amove.yaml" <<YAML
version: 1
accounts:
  - {account: ub, spns: {present: [http/alias1.mydom.local]}}
  - {account: ua, spns: {absent: [HOST/alias1.mydom.local]}}
YAML
run "$ADKCD" --json apply "$ADKCD_TMP/amove.yaml"
expect_rc 0
expect_eq "$(dc_holders http/alias1.mydom.local)" "CN=ub,CN=Users,$ADKCD_BASEDN" "holder of the http form"
expect_eq "$(dc_holders HOST/alias1.mydom.local)" "" "holders of the HOST form"
run "$ADKCD" rollback last
expect_rc 0
expect_dc_unchanged "$ADKCD_TMP/c1"
"$ADSPN" -D HOST/alias1.mydom.local ua >/dev/null
t_end

t_begin "export | apply - is a no-op on what a directory really holds"
mk_computer odd 'Odd-Passw0rd!x'
mk_computer unc 'Unc-Passw0rd!x'
mk_computer pto 'Pto-Passw0rd!x'
# The DC takes any string as a service, and keeps SPN spellings that
# differ only in case; unconstrained with services and protocol transition
# without services cannot be written as a state file.
ldif_modify >/dev/null <<LDIF
dn: CN=odd,CN=Computers,$ADKCD_BASEDN
changetype: modify
add: msDS-AllowedToDelegateTo
msDS-AllowedToDelegateTo: garbage value
msDS-AllowedToDelegateTo: http/cs.mydom.local
msDS-AllowedToDelegateTo: HTTP/CS.mydom.local
-
add: servicePrincipalName
servicePrincipalName: http/case.mydom.local
-
add: servicePrincipalName
servicePrincipalName: HTTP/case.mydom.local
-

dn: CN=unc,CN=Computers,$ADKCD_BASEDN
changetype: modify
replace: userAccountControl
userAccountControl: 17305600
-
add: msDS-AllowedToDelegateTo
msDS-AllowedToDelegateTo: cifs/unc.mydom.local
-

dn: CN=pto,CN=Computers,$ADKCD_BASEDN
changetype: modify
replace: userAccountControl
userAccountControl: 16781312
-
LDIF
dc_snapshot "$ADKCD_TMP/e0"
run "$ADKCD" export odd unc pto
expect_rc 0
expect_err_contains "CN=unc,CN=Computers,$ADKCD_BASEDN: unconstrained delegation with services"
expect_err_contains "CN=pto,CN=Computers,$ADKCD_BASEDN: protocol transition without any service"
cp "$OUT_FILE" "$ADKCD_TMP/odd.yaml"
expect_out_contains "garbage value"
RUN_STDIN="$ADKCD_TMP/odd.yaml" run "$ADKCD" apply -
expect_rc 0
expect_out_contains "unchanged: the 3 accounts"
run "$ADKCD" export
cp "$OUT_FILE" "$ADKCD_TMP/all.yaml"
RUN_STDIN="$ADKCD_TMP/all.yaml" run "$ADKCD" apply -
expect_rc 0
expect_out_contains "unchanged: the"
expect_dc_unchanged "$ADKCD_TMP/e0"
# A malformed value is kept where it is held, never written anew.
printf 'version: 1\naccounts:\n  - account: tmg\n    delegation: {services: {exact: [garbage value]}}\n' > "$ADKCD_TMP/garbage.yaml"
bad_input state-plan 3 -- "$ADKCD" apply "$ADKCD_TMP/garbage.yaml"
expect_err_contains "garbage value cannot be added to msDS-AllowedToDelegateTo"
expect_dc_unchanged "$ADKCD_TMP/e0"
t_end

t_begin "plan-time refusals write nothing: a duplicate, a host alias, an account not found, a DC without --force"
dc_snapshot "$ADKCD_TMP/s2"
R2=$(runs)
cat > "$ADKCD_TMP/dup.yaml" <<YAML
version: 1
accounts:
  - account: tmg
    delegation: {services: {present: [$SPN]}}
  - account: iosmdm
    spns:
      present: [http/old.mydom.local]
YAML
bad_input state-plan 5 -- "$ADKCD" apply "$ADKCD_TMP/dup.yaml"
expect_err_contains "$ADKCD_TMP/dup.yaml:5:14: accounts[2] (iosmdm): duplicate SPN: CN=olduser,CN=Users,$ADKCD_BASEDN already holds http/old.mydom.local"
expect_dc_unchanged "$ADKCD_TMP/s2"
run "$ADKCD" apply --json "$ADKCD_TMP/dup.yaml"
expect_rc 5
expect_json '.error.status == "conflict" and .problems[0].kind == "spn-held" and .problems[0].holder == "CN=olduser,CN=Users,DC=mydom,DC=local" and .problems[0].position.line == 5'
printf 'version: 1\naccounts:\n  - account: tmg\n    spns: {present: [host/old.mydom.local]}\n' > "$ADKCD_TMP/alias.yaml"
bad_input state-plan 5 -- "$ADKCD" apply "$ADKCD_TMP/alias.yaml"
expect_err_contains "host alias in sPNMappings"
printf 'version: 1\naccounts:\n  - account: iosmdm\n    spns: {present: [http/a.mydom.local]}\n  - account: nosuch\n    spns: {present: [http/b.mydom.local]}\n' > "$ADKCD_TMP/nf.yaml"
bad_input state-plan 4 -- "$ADKCD" apply "$ADKCD_TMP/nf.yaml"
expect_err_contains "nf.yaml:5:14: accounts[2] (nosuch): "
printf 'version: 1\naccounts:\n  - account: DC1\n    delegation: {mode: constrained, services: {exact: [cifs/x.mydom.local]}}\n' > "$ADKCD_TMP/dc.yaml"
bad_input state-plan 8 -- "$ADKCD" apply "$ADKCD_TMP/dc.yaml"
expect_err_contains "refusing to switch off unconstrained delegation of a domain controller"
expect_err_contains "adkcd: hint: use --force if you really mean it"
run "$ADKCD" --json apply "$ADKCD_TMP/dc.yaml"
expect_rc 8
expect_json '.error.hints == ["force"] and .problems[0].kind == "refused"' 
printf 'version: 1\naccounts:\n  - account: tmg\n    spns: {present: [http/t1.mydom.local]}\n  - account: tmg$\n    spns: {present: [http/t2.mydom.local]}\n' > "$ADKCD_TMP/same.yaml"
bad_input state-plan 3 -- "$ADKCD" apply "$ADKCD_TMP/same.yaml"
expect_err_contains "is the same account as accounts[1] (tmg)"
printf 'version: 1\naccounts:\n  - account: tmg\n    spns: {present: [host/t3.mydom.local]}\n  - account: iosmdm\n    spns: {present: [http/t3.mydom.local]}\n' > "$ADKCD_TMP/inalias.yaml"
bad_input state-plan 5 -- "$ADKCD" apply "$ADKCD_TMP/inalias.yaml"
expect_err_contains "duplicate SPN in the file"
expect_dc_unchanged "$ADKCD_TMP/s2"
expect_eq "$(runs)" "$R2" "runs after refused files"
t_end

t_begin "validation errors: FILE:LINE:COLUMN, exit 3, nothing sent"
dc_snapshot "$ADKCD_TMP/v0"
# apply_bytes TEXT: TEXT (printf %b) as the state file $B, then adkcd apply
# $B against a port where no DC listens (nothing could be sent).
B=$ADKCD_TMP/bad.yaml
apply_bytes() { printf '%b' "$1" >"$B"; "$ADKCD" -H ldap://127.0.0.1:9 apply "$B"; }
bad_input state-file 3 -- apply_bytes 'version: 1\naccounts:\n  - account: tmg\n    spn: {present: [http/x.y]}\n'; expect_err_contains "$B:4:5: "
bad_input state-file 3 -- apply_bytes 'version: 1\naccounts:\n  - account: tmg\n    spns: {present: [http//x]}\n'; expect_err_contains "$B:4:22: "
bad_input state-file 3 -- apply_bytes 'version: 1\naccounts:\n  - account: tmg\n    spns: {present: [http/a.b], exact: [http/c.d]}\n'; expect_err_contains "$B:4:"
bad_input state-file 3 -- apply_bytes 'version: 1\naccounts:\n  - account: tmg\n  - account: TMG\n'; expect_err_contains "$B:4:"
bad_input state-file 3 -- apply_bytes 'version: 1\naccounts:\n  - account: tmg\n    spns: {present: [http/s.t]}\n  - account: iosmdm\n    spns: {present: [HTTP/S.T]}\n'; expect_err_contains "$B:6:"
bad_input state-file 3 -- apply_bytes 'version: 2\naccounts: []\n'; expect_err_contains "$B:1:10: "
bad_input state-file 3 -- apply_bytes 'version: 1\naccounts:\n  - account: tmg\n    delegation: {mode: none, protocol_transition: true}\n'; expect_err_contains "$B:4:"
bad_input state-file 3 -- apply_bytes 'version: 1\naccounts: [\n'; expect_err_contains "$B:3:"
bad_input state-file 3 -- apply_bytes 'version: 1\naccounts:\n  - account: tmg\n    delegation: {mode: sometimes}\n'; expect_err_contains "$B:4:"
# Every problem, not just the first.
printf 'version: 1\naccounts:\n  - account: a\n    spns: {present: [bad]}\n  - account: b\n    color: blue\n' > "$ADKCD_TMP/two.yaml"
bad_input state-file 3 -- "$ADKCD" apply "$ADKCD_TMP/two.yaml"
expect_err_contains "two.yaml:4:22: "
expect_err_contains "two.yaml:6:5: "
expect_err_contains "2 problems, nothing written"
run "$ADKCD" --json apply "$ADKCD_TMP/two.yaml"
expect_json '(.problems | length) == 2 and .problems[0].position.line == 4'
bad_input state-file 1 -- "$ADKCD" apply "$ADKCD_TMP/does-not-exist.yaml"
expect_err_contains "does-not-exist.yaml: No such file or directory"
bad_input command-line 3 -- "$ADKCD" apply
bad_input command-line 3 -- "$ADKCD" apply --stop-on-error
bad_input command-line 3 -- "$ADKCD" show tmg --stop-on-error
expect_eq "$(runs)" "$R2" "runs after invalid files"
expect_dc_unchanged "$ADKCD_TMP/v0"
t_end

t_begin "spn_check: none lets a duplicate reach the DC, which refuses it: the others are applied, exit 9"
printf 'version: 1\nspn_check: none\naccounts:\n  - account: iosmdm\n    spns: {present: [http/old.mydom.local]}\n  - account: tmg\n    spns: {present: [http/fine.mydom.local]}\n' > "$ADKCD_TMP/none.yaml"
run "$ADKCD" apply "$ADKCD_TMP/none.yaml"
expect_rc 9
expect_out_contains "failed: user iosmdm (CN=iosmdm,CN=Users,$ADKCD_BASEDN): modifying"
expect_out_contains "Applied 1 of 2 changes"
expect_err_contains "1 of 2 changes were applied, then"
expect_eq "$(dc_spns tmg)" "http/fine.mydom.local" "SPNs of tmg"
expect_eq "$("$ADKCD" history --json | jq '.runs[-1] | [.changes, .failed]')" "$(printf '[\n  1,\n  1\n]')" "journal: 1 applied, 1 refused"
run "$ADKCD" rollback last
expect_rc 0
expect_dc_unchanged "$ADKCD_TMP/s2"
t_end

t_begin "500 accounts: apply, unchanged re-run, rollback"
N=500
mk_computers m "$N"
dc_snapshot "$ADKCD_TMP/s3"
{
    echo "version: 1"
    echo "accounts:"
    for i in $(seq 1 "$N"); do
        printf -- '- account: m%d$\n  spns: {present: [http/m%d.mydom.local, cifs/m%d.mydom.local]}\n' "$i" "$i" "$i"
        [ $((i % 2)) -eq 0 ] && printf '  delegation: {mode: constrained, protocol_transition: true, services: {exact: [%s]}}\n' "$SPN"
    done
} > "$ADKCD_TMP/big.yaml"
run "$ADKCD" apply --no-progress "$ADKCD_TMP/big.yaml"
expect_rc 0
expect_out_contains "Applied $N of $N changes"
expect_eq "$(dc_spns m377 | sort | tr '\n' ' ')" "cifs/m377.mydom.local http/m377.mydom.local " "SPNs of m377"
expect_eq "$(uac_of_all m | awk '$2 == 16781314' | wc -l)" "$((N / 2))" "accounts with protocol transition"
run "$ADKCD" apply "$ADKCD_TMP/big.yaml"
expect_rc 0
expect_out_contains "unchanged: the $N accounts"
run "$ADKCD" rollback last
expect_rc 0
expect_dc_unchanged "$ADKCD_TMP/s3"
t_end

t_begin "a DC killed in the middle of a large apply: journal exact, the re-run completes, rollback exact"
sed 's/http\/m/http\/k/; s/cifs\/m/cifs\/k/' "$ADKCD_TMP/big.yaml" > "$ADKCD_TMP/big2.yaml"
napplied=$(grep -c '^# applied: ' "$ADKCD_JOURNAL")
"$ADKCD" apply --no-progress "$ADKCD_TMP/big2.yaml" >"$ADKCD_TMP/ap.out" 2>&1 &
ap=$!
for _ in $(seq 1 2000); do
    [ "$(grep -c '^# applied: ' "$ADKCD_JOURNAL")" -gt "$napplied" ] && break
    sleep 0.002
done
"$ADKCD_DC_CTL" stop
wait "$ap"; aprc=$?
[ "$aprc" -eq 9 ] || t_fail "the cut-off apply exited $aprc, not 9 (partly applied)" "$(cat "$ADKCD_TMP/ap.out")"
"$ADKCD" history --json | jq '.runs[-1]' > "$ADKCD_TMP/aprun.json"
CUT=$(jq -r .id "$ADKCD_TMP/aprun.json")
done_n=$(jq .changes "$ADKCD_TMP/aprun.json")
[[ "$done_n" -ge 1 && "$done_n" -lt "$N" ]] || t_fail "expected a partial apply, journal has $done_n of $N applied"
"$ADKCD_DC_CTL" start
jq -r '.accounts[]' "$ADKCD_TMP/aprun.json" | sed 's/^computer //; s/\$$//' | sort > "$ADKCD_TMP/applied"
jq -r '.in_doubt_accounts[]' "$ADKCD_TMP/aprun.json" | sed 's/^computer //; s/\$$//' | sort > "$ADKCD_TMP/doubt"
bad=0
for i in $(seq 1 "$N"); do
    has=$(dc_search -b "CN=m$i,CN=Computers,$ADKCD_BASEDN" -s base "(servicePrincipalName=http/k$i.mydom.local)" 1.1 | grep -c '^dn:')
    if grep -qx "m$i" "$ADKCD_TMP/applied"; then
        [ "$has" = 1 ] || bad=$((bad + 1))
    elif ! grep -qx "m$i" "$ADKCD_TMP/doubt"; then
        [ "$has" = 0 ] || bad=$((bad + 1))
    fi
done
expect_eq "$bad" 0 "accounts whose state the journal of the cut-off apply does not explain"
run "$ADKCD" apply --no-progress "$ADKCD_TMP/big2.yaml"
expect_rc 0
expect_out_not_contains "Applied $N of $N"
run "$ADKCD" apply "$ADKCD_TMP/big2.yaml"
expect_out_contains "unchanged: the $N accounts"
run "$ADKCD" rollback last "$CUT"
expect_rc 0
expect_dc_unchanged "$ADKCD_TMP/s3"
t_end

t_summary
