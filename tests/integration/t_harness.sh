#!/usr/bin/env bash
# Checks the integration harness itself (scripts/with-dc.sh + lib.sh), not
# the tools:
#
#   scripts/with-dc.sh -- bash tests/integration/t_harness.sh
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

ms_now() { date +%s%N; }
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
timing() { printf '# timing: %s\n' "$*"; }

D=$ADKCD_DOMAIN

t_begin "namespace: private /etc files, names and DNS"
expect_eq "$(cat /etc/krb5.conf)" "$(cat "$KRB5_CONFIG")" "/etc/krb5.conf is the run's krb5.conf"
expect_eq "$(getent hosts "dc1.$D" | awk '{print $1}')" "127.0.0.10" "dc1.$D resolves"
run host -t SRV "_ldap._tcp.dc._msdcs.$D"
expect_rc 0
expect_out_contains "389 dc1.$D."
run klist
expect_rc 0
expect_out_contains "administrator@$ADKCD_REALM"
expect_eq "$(grep -c . /etc/ldap/ldap.conf || true)" "1" "ldap.conf is the private one"
expect_eq "$(env | grep -c '^LDAP' || true)" "0" "no LDAP* variables leak in"

t_begin "rootDSE over GSSAPI with sign+seal (SSF reported)"
run ldapsearch -Y GSSAPI -LLL -H "$ADKCD_DC_URI" -b '' -s base \
    dnsHostName supportedSASLMechanisms supportedControl
expect_rc 0
expect_out_contains "dnsHostName: dc1.$D"
expect_out_contains "supportedSASLMechanisms: GSSAPI"
expect_out_contains "supportedControl: 1.2.840.113556.1.4.319"   # paged results
expect_err_contains "SASL SSF: 256"

t_begin "Global Catalog (3268) answers"
run ldapsearch -Y GSSAPI -Q -LLL -H "$ADKCD_DC_URI:3268" -b '' -s base dnsHostName
expect_rc 0
expect_out_contains "dnsHostName: dc1.$D"

t_begin "run and assertions capture stdout, stderr and exit code"
run sh -c 'echo out; echo err >&2; printf "{\"schema\": 1, \"a\": [1, 2]}" >"$1"; exit 3' sh "$T_TMP/j"
expect_rc 3
expect_eq "$OUT" "out" "stdout"
expect_eq "$ERR" "err" "stderr"
run cat "$T_TMP/j"
expect_json '.schema == 1 and (.a | length) == 2'
expect_eq "$(json_get '.a[1]')" "2" "json_get"

t_begin "mk_user makes an enabled user who can kinit"
t0=$(ms_now)
mk_user smokeu1
timing "mk_user: $(ms_since "$t0") ms"
expect_eq "$(dc_dn smokeu1)" "CN=smokeu1,CN=Users,$ADKCD_BASEDN" "DN"
expect_eq "$(dc_attr smokeu1 userAccountControl)" "512" "userAccountControl"
expect_eq "$(dc_attr smokeu1 userPrincipalName)" "smokeu1@$D" "UPN"
expect_eq "$(dc_spns smokeu1)" "" "SPNs"
cc=$(kinit_as smokeu1) || t_fail "kinit as smokeu1 failed"
run klist -c "$cc"
expect_out_contains "Default principal: smokeu1@$ADKCD_REALM"

t_begin "mk_computer makes NAME\$ without SPNs, like samba-tool"
t0=$(ms_now)
mk_computer smokec1
timing "mk_computer: $(ms_since "$t0") ms"
expect_eq "$(dc_dn 'smokec1$')" "CN=smokec1,CN=Computers,$ADKCD_BASEDN" "DN"
expect_eq "$(dc_dn smokec1)" "CN=smokec1,CN=Computers,$ADKCD_BASEDN" "DN (name without \$)"
expect_eq "$(dc_attr 'smokec1$' userAccountControl)" "4098" "userAccountControl"
expect_eq "$(dc_spns 'smokec1$')" "" "SPNs"
mk_computer smokec2 'Passw0rd!C0mp'
expect_eq "$(dc_attr 'smokec2$' userAccountControl)" "4096" "userAccountControl with password"
cc=$(kinit_as 'smokec2$' 'Passw0rd!C0mp') || t_fail "kinit as smokec2\$ failed"
run klist -c "$cc"
expect_out_contains "Default principal: smokec2\$@$ADKCD_REALM"

t_begin "dc_snapshot is stable and sees changes"
dc_snapshot "$T_TMP/s1"
dc_snapshot "$T_TMP/s2"
run cmp "$T_TMP/s1" "$T_TMP/s2"
expect_rc 0
expect_dc_unchanged "$T_TMP/s1"
expect_eq "$(grep -c "^CN=smokec1,CN=Computers,$ADKCD_BASEDN | useraccountcontrol: 4098\$" "$T_TMP/s1")" "1" "snapshot line format"
printf 'dn: CN=smokec1,CN=Computers,%s\nchangetype: modify\nadd: servicePrincipalName\nservicePrincipalName: http/smoke.%s\n' \
    "$ADKCD_BASEDN" "$D" | ldif_modify - >/dev/null
run dc_snapshot_diff "$T_TMP/s1"
expect_rc 1
expect_out_contains "+CN=smokec1,CN=Computers,$ADKCD_BASEDN | serviceprincipalname: http/smoke.$D"
expect_eq "$(dc_spns 'smokec1$')" "http/smoke.$D" "SPNs of smokec1\$"

t_begin "the DC refuses a duplicate SPN over LDAP (19, 0000202F)"
dc_snapshot "$T_TMP/s3"
RUN_STDIN=$T_TMP/dup.ldif
printf 'dn: CN=smokec2,CN=Computers,%s\nchangetype: modify\nadd: servicePrincipalName\nservicePrincipalName: http/smoke.%s\n' \
    "$ADKCD_BASEDN" "$D" >"$RUN_STDIN"
run ldif_modify -
unset RUN_STDIN
expect_rc 19
expect_err_contains "0000202F"
expect_dc_unchanged "$T_TMP/s3"

t_begin "force_dup_spn makes a second (and third) holder"
t0=$(ms_now)
force_dup_spn "CN=smokec2,CN=Computers,$ADKCD_BASEDN" "http/smoke.$D"
timing "force_dup_spn (account without SPNs, placeholder path): $(ms_since "$t0") ms"
expect_eq "$(dc_holders "http/smoke.$D")" \
    "$(printf 'CN=smokec1,CN=Computers,%s\nCN=smokec2,CN=Computers,%s' "$ADKCD_BASEDN" "$ADKCD_BASEDN")" \
    "holders over LDAP"
expect_eq "$(dc_spns 'smokec2$')" "http/smoke.$D" "SPNs of smokec2\$ (placeholder gone)"
run ldapsearch -Y GSSAPI -Q -LLL -H "$ADKCD_DC_URI:3268" -b "$ADKCD_BASEDN" \
    "(servicePrincipalName=http/smoke.$D)" 1.1
expect_rc 0
expect_eq "$(grep -c '^dn: ' <<<"$OUT" || true)" "2" "holders in the GC"
printf 'dn: CN=smokeu1,CN=Users,%s\nchangetype: modify\nadd: servicePrincipalName\nservicePrincipalName: http/other.%s\n' \
    "$ADKCD_BASEDN" "$D" | ldif_modify - >/dev/null
t0=$(ms_now)
force_dup_spn "$(dc_dn smokeu1)" "http/smoke.$D"
timing "force_dup_spn (account with SPNs): $(ms_since "$t0") ms"
expect_eq "$(dc_holders "http/smoke.$D" | wc -l)" "3" "holders after a third force"
expect_eq "$(dc_spns smokeu1)" "$(printf 'http/other.%s\nhttp/smoke.%s' "$D" "$D")" "SPNs of smokeu1"

t_begin "Samba 4.22+, and an admin may write the resource-based delegation attribute over LDAP"
# The harness's DC (scripts/install-deps.sh, scripts/with-dc.sh): Samba from
# bookworm-backports, with the schema edit that lets an admin modify
# msDS-AllowedToActOnBehalfOfOtherIdentity as on Windows (sandbox-dc.md).
minor=$(samba --version | sed -n 's/^Version 4\.\([0-9]*\)\..*/\1/p')
[ "${minor:-0}" -ge 22 ] || t_fail "the DC is not Samba 4.22 or later: $(samba --version)"
mk_computer rbcdtgt
# An empty self-relative descriptor (revision 1, self-relative, no owner,
# group or DACL).
SD=AQAEgAAAAAAAAAAAAAAAAAAAAAA=
RUN_STDIN=$T_TMP/rbcd.ldif
printf 'dn: %s\nchangetype: modify\nadd: msDS-AllowedToActOnBehalfOfOtherIdentity\nmsDS-AllowedToActOnBehalfOfOtherIdentity:: %s\n-\n' \
    "$(dc_dn 'rbcdtgt$')" "$SD" >"$RUN_STDIN"
run ldif_modify -
unset RUN_STDIN
expect_rc 0
expect_eq "$(dc_search -b "$(dc_dn 'rbcdtgt$')" -s base '(objectClass=*)' msDS-AllowedToActOnBehalfOfOtherIdentity |
    sed -n 's/^msDS-AllowedToActOnBehalfOfOtherIdentity:: //p')" "$SD" "the descriptor read back"
run samba-tool dbcheck --cross-ncs -H "$ADKCD_DC_DIR/private/sam.ldb"
expect_rc 0
expect_out_contains "Checked"
t_end

t_begin "DC stop and start from inside the run"
dc_snapshot "$T_TMP/s4"
t0=$(ms_now)
dc_ctl stop
timing "dc stop: $(ms_since "$t0") ms"
run dc_ctl status
expect_rc 3
expect_out_contains "stopped"
run ldapsearch -Y GSSAPI -Q -LLL -o nettimeout=2 -H "$ADKCD_DC_URI" -b '' -s base dnsHostName
expect_eq "$([ "$RC" -ne 0 ] && echo down)" "down" "LDAP unreachable while stopped"
t0=$(ms_now)
dc_ctl start
timing "dc start (until ready): $(ms_since "$t0") ms"
run dc_ctl status
expect_rc 0
run ldapsearch -Y GSSAPI -Q -LLL -H "$ADKCD_DC_URI" -b '' -s base dnsHostName
expect_rc 0
expect_dc_unchanged "$T_TMP/s4"
expect_eq "$(dc_holders "http/smoke.$D" | wc -l)" "3" "duplicates survive a restart"

t_summary
