#!/usr/bin/env bash
# Bad input: a clear error, a distinct exit code, and nothing written.
. "$(dirname "$0")/lib.sh"

mk_user iosmdm
mk_user other
"$ADSPN" -A http/held.mydom.local other >/dev/null
dc_snapshot "$ADKCD_TMP/s0"

# Malformed SPNs: refused before anything is sent (exit 3).
bad_spn() {  # SPN EXPECTED-MESSAGE-PART
    t_begin "malformed SPN '$1'"
    for mode in -S -A -D; do
        run "$ADSPN" "$mode" "$1" iosmdm
        expect_rc 3
        expect_err_contains "$2"
    done
    expect_dc_unchanged "$ADKCD_TMP/s0"
    t_end
}
bad_spn ""                         "invalid SPN: it is empty"
bad_spn "http"                     "expected class/host[:port][/name]"
bad_spn "http/"                    "the host part is empty"
bad_spn "/iosmdm.mydom.local"      "the service class before '/' is empty"
bad_spn "http//x"                  "the host part is empty"
bad_spn "http/iosmdm:"             "empty port"
bad_spn "http/iosmdm:0"            "port must be a number from 1 to 65535"
bad_spn "http/iosmdm:65536"        "port must be a number from 1 to 65535"
bad_spn "http/iosmdm:80x"          "port must be a number"
bad_spn "http/iosmdm:-1"           "port must be a number"
bad_spn "http/ios mdm"             "whitespace, control or non-ASCII character at position 9"
bad_spn $'http/iosmdm\t'           "whitespace, control or non-ASCII character"
bad_spn $'http/ios\x01mdm'         "whitespace, control or non-ASCII character"
bad_spn "http/iosmdm/"             "the service name after the second '/' is empty"
bad_spn "http/a/b/c"               "too many '/'"
bad_spn "http/iosmdm@MYDOM.LOCAL"  "an SPN has no realm"
bad_spn "http/.iosmdm"             "must not start or end with '.'"
bad_spn "http/ios..mdm"            "empty label"
bad_spn "ht*p/iosmdm"              "not allowed in a service class"
bad_spn "http/ios(mdm)"            "not allowed in a host name"
bad_spn "http/$(printf 'a%.0s' $(seq 1 70))" "longer than 63 characters"
bad_spn "http/x:0080"              "port must not have leading zeros"
bad_spn "http/-iosmdm"             "must not start or end with '-'"
bad_spn $'http/x/caf\xc3\xa9'       "non-ASCII character at position 11"
bad_spn "http/$(printf 'abcdefghi.%.0s' $(seq 1 110))x" "longer than 1024 characters"

# Account names: escaped, so nothing matches (exit 4), never "everything".
bad_account() {  # NAME EXPECTED-MESSAGE-PART
    t_begin "account name '$1'"
    run "$ADSPN" -S http/new.mydom.local "$1"
    expect_rc 4
    expect_err_contains "$2"
    run "$ADSPN" -L "$1"
    expect_rc 4
    expect_dc_unchanged "$ADKCD_TMP/s0"
    t_end
}
bad_account '*'                     "no computer '*\$' or user '*'"
bad_account 'x)(objectClass=*'      "no computer 'x)(objectClass=*\$' or user 'x)(objectClass=*'"
bad_account '*)(|(sAMAccountName=*' "no computer"
bad_account 'iosmdm)'               "no computer 'iosmdm)\$'"
bad_account 'a\b\c'                 "domain 'a' is not the domain of"
bad_account 'nosuch'                "no computer 'nosuch\$' or user 'nosuch' in $ADKCD_BASEDN"
bad_account "CN=nosuch,CN=Users,$ADKCD_BASEDN" "no account at DN"
bad_account 'nosuch@mydom.local'    "no account with UPN 'nosuch@mydom.local'"
bad_account '<SID=S-1-5-21-1-2-3-99999>' "no account with <SID=S-1-5-21-1-2-3-99999>"

t_begin "account names with a control character or a malformed GUID/SID"
run "$ADSPN" -L $'ios\x01mdm'
expect_rc 3; expect_err_contains "control character (0x01) at position 4"
run "$ADSPN" -S http/new.mydom.local $'ios\nmdm'
expect_rc 3; expect_err_contains "control character (0x0a)"
run "$ADSPN" -L '<GUID=not-a-guid>'
expect_rc 3; expect_err_contains "malformed GUID 'not-a-guid'"
run "$ADSPN" -L '<SID=S-1-x>'
expect_rc 3; expect_err_contains "malformed SID"
expect_dc_unchanged "$ADKCD_TMP/s0"
t_end

t_begin "a backslash makes DOMAIN\\NAME: an empty domain is malformed"
run "$ADSPN" -L '\2a'
expect_rc 3; expect_err_contains "malformed '\2a': expected DOMAIN\NAME"
expect_dc_unchanged "$ADKCD_TMP/s0"
t_end

# A NUL cannot travel in argv (the kernel ends each argument at the first
# NUL); the library's length-aware name check that refuses one is covered by
# tests/unit/test_account.c.

t_begin "unknown and conflicting flags, missing and extra arguments"
run "$ADSPN" -K iosmdm;                          expect_rc 3; expect_err_contains "unknown option '-K'"
run "$ADSPN" --frobnicate -L iosmdm;             expect_rc 3; expect_err_contains "unknown option '--frobnicate'"
run "$ADSPN" -S -D http/x.mydom.local iosmdm;    expect_rc 3; expect_err_contains "-S and -D exclude each other"
run "$ADSPN" -C -U -L iosmdm;                    expect_rc 3; expect_err_contains "-C and -U exclude each other"
run "$ADSPN" -S http/x.mydom.local;              expect_rc 3; expect_err_contains "-S needs SPN and ACCOUNT"
run "$ADSPN" -L;                                 expect_rc 3; expect_err_contains "-L needs an ACCOUNT"
run "$ADSPN" -Q;                                 expect_rc 3; expect_err_contains "-Q needs a PATTERN"
run "$ADSPN" -L iosmdm extra;                    expect_rc 3; expect_err_contains "unexpected argument 'extra'"
run "$ADSPN";                                    expect_rc 3; expect_err_contains "say what to do"
run "$ADSPN" -T;                                 expect_rc 3; expect_err_contains "-T needs a DOMAIN"
run "$ADSPN" -F -L iosmdm;                       expect_rc 3; expect_err_contains "-F and -T apply to -S, -Q and -X only"
run "$ADSPN" -n -L iosmdm;                       expect_rc 3; expect_err_contains "--dry-run and --ldif apply to changes"
run "$ADSPN" --detailed-exitcode -S http/x.mydom.local iosmdm; expect_rc 3; expect_err_contains "--detailed-exitcode goes with --dry-run"
run "$ADSPN" --json --ldif -n -S http/x.mydom.local iosmdm;    expect_rc 3; expect_err_contains "exclude each other"
run "$ADSPN" --timeout 0 -L iosmdm;              expect_rc 3; expect_err_contains "--timeout takes seconds"
run "$ADSPN" --keytab /nonexistent -L iosmdm;    expect_rc 3; expect_err_contains "need --principal"
run "$ADSPN" --principal x -L iosmdm;            expect_rc 3; expect_err_contains "--principal needs --keytab or --password-stdin"
run "$ADSPN" -U -R tmg;                          expect_rc 3; expect_err_contains "-U does not apply"
run "$ADSPN" -H 'http://dc1.mydom.local' -L iosmdm; expect_rc 3; expect_err_contains "invalid LDAP URI"
run "$ADSPN" --json -K;                          expect_rc 3; expect_json '.error.status == "usage" and .exit_code == 3'
run "$ADSPN" -K --json;                          expect_rc 3; expect_json '.error.status == "usage"'
run "$ADSPN" -F -T MYDOM -Q 'http/*';            expect_rc 3; expect_err_contains "-F and -T exclude each other"
run "$ADSPN" -L '<FOO=S-1-5-21-1>';              expect_rc 3; expect_err_contains "expected <GUID=...> or <SID=S-1-...>"
expect_dc_unchanged "$ADKCD_TMP/s0"
t_end

t_begin "input is checked before anything is sent (no ticket needed to refuse it)"
for args in "-S http/ bad" "-Q http/a\ b" "-L <GUID=x>"; do
    # shellcheck disable=SC2086
    KRB5CCNAME="FILE:$ADKCD_TMP/none" run "$ADSPN" $args
    expect_rc 3
done
KRB5CCNAME="FILE:$ADKCD_TMP/none" run "$ADSPN" -Q ''
expect_rc 3; expect_err_contains "empty SPN pattern"
KRB5CCNAME="FILE:$ADKCD_TMP/none" run "$ADSPN" -Q $'http/\e[2J'
expect_rc 3; expect_err_contains 'http/\x1b[2J'
t_end

t_begin "--help and --version"
run "$ADSPN" --help
expect_rc 0; expect_out_contains "Usage: adspn"; expect_out_contains "--password-stdin"
run "$ADSPN" /?
expect_rc 0; expect_out_contains "Usage: adspn"
run "$ADSPN" --version
expect_rc 0; expect_out_contains "adspn "
t_end

t_summary
