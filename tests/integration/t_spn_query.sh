#!/usr/bin/env bash
# adspn -Q and -X: who holds matching SPNs, and duplicate scans (domain and
# forest), streamed from paged searches.
. "$(dirname "$0")/lib.sh"

mk_user iosmdm
mk_user other
mk_computer tmg
"$ADSPN" -A http/iosmdm.mydom.local iosmdm >/dev/null
"$ADSPN" -A HTTP/iosmdm:8080 iosmdm >/dev/null
"$ADSPN" -A http/other.mydom.local other >/dev/null

t_begin "-Q with a wildcard lists each holder and its SPNs"
run "$ADSPN" -Q 'http/iosmdm*'
expect_rc 0
expect_out_contains "Checking domain $ADKCD_BASEDN"
expect_out_contains "CN=iosmdm,CN=Users,$ADKCD_BASEDN"
expect_out_contains "	HTTP/iosmdm:8080"
expect_out_not_contains "CN=other"
# as setspn ends it: a blank line, then the verdict, on lines of their own
expect_eq "$(tail -n 2 "$OUT_FILE" | cat -A)" "\$
Existing SPN found!\$" "the last two lines"
expect_no_control_bytes
t_end

t_begin "-F -Q searches the forest; matching ignores case"
run "$ADSPN" -F -Q '*/IOSMDM.mydom.local'
expect_rc 0
expect_out_contains "Checking forest (Global Catalog)"
expect_out_contains "CN=iosmdm,CN=Users,$ADKCD_BASEDN"
t_end

t_begin "-Q with no match exits 4"
run "$ADSPN" -Q 'nosuch/*'
expect_rc 4
expect_eq "$(tail -n 2 "$OUT_FILE" | cat -A)" "\$
No such SPN found.\$" "the last two lines"
t_end

t_begin "-Q escapes everything but '*' (no filter injection)"
dc_snapshot "$ADKCD_TMP/q0"
bad_input spn 4 -- "$ADSPN" -Q 'x)(servicePrincipalName=*'
expect_out_not_contains "CN="
bad_input spn 4 -- "$ADSPN" -Q 'http/\2a'
expect_dc_unchanged "$ADKCD_TMP/q0"
t_end

t_begin "-Q --json"
run "$ADSPN" --json -Q 'http/*'
expect_rc 0
expect_json '.operation == "query" and .found == true'
expect_json '[.accounts[].dn] | sort == ["CN=iosmdm,CN=Users,'"$ADKCD_BASEDN"'", "CN=other,CN=Users,'"$ADKCD_BASEDN"'"]'
expect_json '(.accounts[] | select(.dn | startswith("CN=iosmdm")) | .matched | sort) == ["HTTP/iosmdm:8080", "http/iosmdm.mydom.local"]'
t_end

t_begin "-X on a clean domain finds nothing and exits 0"
run "$ADSPN" -X
expect_rc 0
expect_out_contains "Found 0 groups of duplicate SPNs"
t_end

t_begin "-X finds a duplicate forced past the DC's check (domain and forest)"
force_dup_spn "CN=other,CN=Users,$ADKCD_BASEDN" http/iosmdm.mydom.local
force_dup_spn "CN=tmg,CN=Computers,$ADKCD_BASEDN" HTTP/IOSMDM.MYDOM.LOCAL
run "$ADSPN" -X
expect_rc 5
expect_out_contains "http/iosmdm.mydom.local is registered on these accounts:"
expect_out_contains "CN=iosmdm,CN=Users,$ADKCD_BASEDN"
expect_out_contains "CN=other,CN=Users,$ADKCD_BASEDN"
expect_out_contains "CN=tmg,CN=Computers,$ADKCD_BASEDN (as HTTP/IOSMDM.MYDOM.LOCAL)"
expect_out_contains "Found 1 group of duplicate SPNs"
run "$ADSPN" -F -X -P
expect_rc 5
expect_out_contains "Checking forest (Global Catalog)"
expect_out_contains "Found 1 group of duplicate SPNs"
t_end

t_begin "-X --json lists the holders"
run "$ADSPN" --json -X
expect_rc 5
expect_json '.operation == "duplicates" and (.duplicates | length) == 1'
expect_json '(.duplicates[0].holders | length) == 3'
expect_json '.spns_read > 10'
t_end

t_begin "-Q shows every holder of a duplicate"
run "$ADSPN" -Q http/iosmdm.mydom.local
expect_rc 0
expect_out_contains "CN=other,CN=Users,$ADKCD_BASEDN"
expect_out_contains "CN=tmg,CN=Computers,$ADKCD_BASEDN"
t_end

t_begin "-D of a duplicated value: Samba refuses, adspn explains, nothing changes"
dc_snapshot "$ADKCD_TMP/dup"
run "$ADSPN" -D http/iosmdm.mydom.local other
expect_rc 5
expect_err_contains "the DC refused to delete the value"
expect_err_contains "LDAP 19"
expect_dc_unchanged "$ADKCD_TMP/dup"
t_end

t_begin "no progress output when stderr is not a terminal"
run "$ADSPN" -X
expect_err_not_contains "SPNs read"
t_end

t_begin "-X and -Q page through more accounts than one page (600 > 500)"
for i in $(seq 1 600); do
    printf 'dn: CN=bulk%d,CN=Users,%s\nobjectClass: user\nsAMAccountName: bulk%d\nservicePrincipalName: bulk/h%d.mydom.local\n\n' "$i" "$ADKCD_BASEDN" "$i" "$i"
done > "$ADKCD_TMP/bulk.ldif"
ldapadd -Q -Y GSSAPI -H "$ADKCD_DC_URI" -f "$ADKCD_TMP/bulk.ldif" >/dev/null ||
    t_fail "could not create the bulk accounts"
run "$ADSPN" --json -X
expect_json '.spns_read > 600 and (.duplicates | length) == 1'
run "$ADSPN" --json -Q 'bulk/*'
expect_json '(.accounts | length) == 600'
run "$ADSPN" -F -Q 'bulk/h59*'
expect_rc 0
expect_eq "$(printf '%s\n' "$OUT" | grep -c '^CN=bulk')" "11" "accounts matching bulk/h59*"
t_end

t_summary
