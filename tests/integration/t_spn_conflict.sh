#!/usr/bin/env bash
# adspn -S refuses duplicates held elsewhere (forest, or -T domain),
# including host aliases from sPNMappings (KB5008382), and never writes.
. "$(dirname "$0")/lib.sh"

mk_user iosmdm
mk_user other
mk_computer tmg
SPN=http/iosmdm.mydom.local

run "$ADSPN" -A "$SPN" other
expect_rc 0

t_begin "-S refuses an SPN held by another account: names holder and value"
dc_snapshot "$ADKCD_TMP/s0"
bad_input spn-conflict 5 -- "$ADSPN" -S "$SPN" iosmdm
expect_err_contains "duplicate SPN: CN=other,CN=Users,$ADKCD_BASEDN already holds $SPN"
expect_dc_unchanged "$ADKCD_TMP/s0"
t_end

t_begin "-S compares without regard to case"
bad_input spn-conflict 5 -- "$ADSPN" -S HTTP/IOSMDM.mydom.local iosmdm
expect_err_contains "already holds $SPN"
expect_dc_unchanged "$ADKCD_TMP/s0"
t_end

t_begin "-S -T DOMAIN checks the domain (NetBIOS or DNS name)"
bad_input spn-conflict 5 -- "$ADSPN" -S -T MYDOM "$SPN" iosmdm
bad_input spn-conflict 5 -- "$ADSPN" -T mydom.local -S "$SPN" iosmdm
expect_dc_unchanged "$ADKCD_TMP/s0"
t_end

t_begin "-T with a domain that is not in the forest"
bad_input command-line 4 -- "$ADSPN" -S -T NOSUCH "$SPN" iosmdm
expect_err_contains "no domain 'NOSUCH' in this forest"
expect_dc_unchanged "$ADKCD_TMP/s0"
t_end

t_begin "-S --json on a conflict: error document with the holders"
run "$ADSPN" --json -S "$SPN" iosmdm
expect_rc 5
expect_json '.error.status == "conflict" and .exit_code == 5'
expect_json ".conflicts[0].dn == \"CN=other,CN=Users,$ADKCD_BASEDN\""
expect_json ".conflicts[0].value == \"$SPN\" and .conflicts[0].via_alias == false"
expect_dc_unchanged "$ADKCD_TMP/s0"
t_end

t_begin "-S --dry-run on a conflict is refused too"
bad_input spn-conflict 5 -- "$ADSPN" -n -S "$SPN" iosmdm
expect_dc_unchanged "$ADKCD_TMP/s0"
t_end

t_begin "-A leaves the check to the DC, which refuses (constraint violation)"
run "$ADSPN" -A "$SPN" iosmdm
expect_rc 5
expect_err_contains "would cause a conflict"
expect_err_contains "LDAP 19"
expect_dc_unchanged "$ADKCD_TMP/s0"
t_end

t_begin "host alias: host/x held elsewhere blocks http/x"
run "$ADSPN" -A host/alias.mydom.local tmg
expect_rc 0
dc_snapshot "$ADKCD_TMP/s1"
bad_input spn-conflict 5 -- "$ADSPN" -S http/alias.mydom.local iosmdm
expect_err_contains "already holds host/alias.mydom.local, which the KDC takes for the same service as http/alias.mydom.local"
expect_err_contains "KB5008382"
bad_input spn-conflict 5 -- "$ADSPN" -S CIFS/Alias.mydom.local iosmdm
expect_dc_unchanged "$ADKCD_TMP/s1"
t_end

t_begin "host alias: http/x held elsewhere blocks host/x"
bad_input spn-conflict 5 -- "$ADSPN" -S host/iosmdm.mydom.local tmg
expect_err_contains "CN=other,CN=Users,$ADKCD_BASEDN already holds $SPN"
run "$ADSPN" --json -S host/iosmdm.mydom.local tmg
expect_json '.conflicts[0].via_alias == true'
expect_dc_unchanged "$ADKCD_TMP/s1"
t_end

t_begin "an alias held by the same account is no conflict"
run "$ADSPN" -S http/alias.mydom.local tmg
expect_rc 0
expect_eq "$(dc_spns 'tmg$' | sort)" "$(printf '%s\n' host/alias.mydom.local http/alias.mydom.local | sort)" "SPNs of tmg\$"
t_end

t_begin "a class that is not a host alias does not clash with host/"
run "$ADSPN" -S MSSQLSvc/alias.mydom.local:1433 iosmdm
expect_rc 0
t_end

t_begin "forest-wide check goes through the Global Catalog (-v says so)"
run "$ADSPN" -v -S http/gc.mydom.local iosmdm
expect_rc 0
expect_err_contains "Global Catalog ldap://dc1.mydom.local:3268"
t_end

t_summary
