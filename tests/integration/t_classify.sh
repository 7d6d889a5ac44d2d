#!/usr/bin/env bash
# What an account is, decided in one place (include/adkcd/uac.h) and so the
# same for every verb: a service held by a read-only DC is a DC's service
# for check as for audit; a KDC's own account (krbtgt) is known by the link
# of a read-only DC to it, not by a name that starts with krbtgt_, for add
# and set as for audit.
. "$(dirname "$0")/lib.sh"

SPN=http/iosmdm.mydom.local
RODC_SPN=http/rodcsvc.mydom.local
mk_user iosmdm
"$ADSPN" -S "$SPN" iosmdm >/dev/null
mk_computer tmg 'Tmg-Passw0rd!'

# A read-only DC's account: WORKSTATION_TRUST_ACCOUNT | PARTIAL_SECRETS_
# ACCOUNT (0x4001000), written raw if the DC refuses it over LDAP.
mk_computer rodc 'Rodc-Passw0rd!'
if ! ldif_modify - >/dev/null 2>&1 <<EOF; then
dn: $(dc_dn 'rodc$')
changetype: modify
replace: userAccountControl
userAccountControl: $((0x4001000))
EOF
    printf 'dn: %s\nchangetype: modify\nreplace: userAccountControl\nuserAccountControl: %d\n' \
        "$(dc_search -b "$(dc_dn 'rodc$')" -s base '(objectClass=*)' 1.1 | sed -n 's/^dn: //p')" \
        $((0x4001000)) | dc_raw_modify -
fi
expect_eq "$(dc_attr 'rodc$' userAccountControl)" "$((0x4001000))" "rodc\$ userAccountControl"
"$ADSPN" -S "$RODC_SPN" rodc >/dev/null

# The verdict of one finding in the last run's JSON.
verdict() { jq -r --arg id "$1" '.findings[] | select(.id == $id) | .verdict' <"$OUT_FILE"; }

t_begin "check: a service held by a read-only DC is a DC's service (as audit says)"
"$ADKCD" add tmg "$RODC_SPN" --any-protocol >/dev/null
run "$ADKCD" check tmg "$RODC_SPN"
expect_rc 0
expect_out_contains "WARN  service-dc"
expect_out_contains "$RODC_SPN belongs to read-only domain controller rodc\$: whoever controls tmg\$ can act as any user"
expect_out_contains "fix: delegate to a service on a member server"
run "$ADKCD" check tmg "$RODC_SPN" --json
expect_rc 0
expect_eq "$(verdict service-dc)" warn "verdict of service-dc"
expect_json '[.findings[] | select(.id == "service-dc") | .fix_id] == ["avoid-dc-service"]'
# audit labels the same service critical: delegation-to-dc.
run "$ADKCD" audit --json
expect_rc 0
expect_json "[.entries[] | select(.sam_account_name == \"tmg\$\") | .services[] | select(.service == \"$RODC_SPN\") | .risks[].id] | index(\"delegation-to-dc\") != null"
# A member's service is not a DC's.
"$ADKCD" add tmg "$SPN" >/dev/null
run "$ADKCD" check tmg "$SPN" --json
expect_eq "$(verdict service-dc)" pass "verdict of service-dc for a member's service"
t_end

t_begin "add/set: a user merely named krbtgt_12345 is an ordinary account"
mk_user krbtgt_12345
run "$ADKCD" add krbtgt_12345 "$SPN" --any-protocol
expect_rc 0
expect_eq "$(dc_attr krbtgt_12345 userAccountControl)" "$((0x200 | 0x1000000))" "krbtgt_12345 userAccountControl"
run "$ADKCD" set krbtgt_12345 --mode unconstrained
expect_rc 0
run "$ADKCD" set krbtgt_12345 --mode none
expect_rc 0
t_end

t_begin "add/set: an account a read-only DC links to is a KDC's account: refused without --force"
# Named so that only the link can tell: msDS-KrbTgtLink on the RODC names
# it, and the DC keeps the back link msDS-KrbTgtLinkBl on it.
mk_user rodckdc
ldif_modify - >/dev/null <<EOF
dn: $(dc_dn 'rodc$')
changetype: modify
replace: msDS-KrbTgtLink
msDS-KrbTgtLink: $(dc_dn rodckdc)
EOF
expect_eq "$(dc_attr rodckdc msDS-KrbTgtLinkBl)" "CN=rodc,CN=Computers,$ADKCD_BASEDN" "back link"
dc_snapshot "$T_TMP/s1"
bad_input protected 8 -- "$ADKCD" add rodckdc "$SPN" --any-protocol
expect_err_contains "refusing to give protocol transition (TRUSTED_TO_AUTH_FOR_DELEGATION 0x1000000) to a KDC's own account (krbtgt)"
bad_input protected 8 -- "$ADKCD" set rodckdc --mode unconstrained
expect_err_contains "refusing to give unconstrained delegation (TRUSTED_FOR_DELEGATION 0x80000) to a KDC's own account (krbtgt)"
# A state file plans through the same rule.
printf 'version: 1\naccounts:\n  - account: rodckdc\n    delegation: {mode: unconstrained}\n' >"$T_TMP/kdc.yaml"
bad_input state-plan 8 -- "$ADKCD" apply "$T_TMP/kdc.yaml"
expect_err_contains "a KDC's own account (krbtgt)"
expect_dc_unchanged "$T_TMP/s1"
run "$ADKCD" add rodckdc "$SPN" --any-protocol --force
expect_rc 0
run "$ADKCD" set rodckdc --mode none
expect_rc 0
t_end

t_begin "add: a read-only DC is a domain controller"
dc_snapshot "$T_TMP/s2"
bad_input protected 8 -- "$ADKCD" set rodc --mode unconstrained
expect_err_contains "refusing to give unconstrained delegation (TRUSTED_FOR_DELEGATION 0x80000) to a domain controller"
expect_dc_unchanged "$T_TMP/s2"
t_end

t_summary
