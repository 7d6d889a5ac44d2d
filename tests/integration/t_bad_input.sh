#!/usr/bin/env bash
# adspn bad input: a clear error, a distinct exit code, nothing written and
# nothing journaled. Each bad_input is one case of the table in
# docs/robustness.md (scripts/bad-inputs); lib.sh checks the journal after
# each and the directory after each test.
. "$(dirname "$0")/lib.sh"

mk_user iosmdm
mk_user other
mk_user alice 'Al1ce-Passw0rd!'
"$ADSPN" -A http/held.mydom.local other >/dev/null
dc_snapshot "$ADKCD_TMP/s0"

# sad SPN: adspn -S, -A and -D with SPN on iosmdm, in turn. The message and
# exit status of -S, or 99 when -A or -D ends otherwise (status or message).
sad() {
    local m rc0=0 rc e0 e
    e0=$("$ADSPN" -S "$1" iosmdm 2>&1 >/dev/null) || rc0=$?
    for m in -A -D; do
        rc=0
        e=$("$ADSPN" "$m" "$1" iosmdm 2>&1 >/dev/null) || rc=$?
        if [ "$rc" != "$rc0" ] || [ "$e" != "$e0" ]; then
            printf 'adspn -S: %s (exit %s)\nadspn %s: %s (exit %s)\n' "$e0" "$rc0" "$m" "$e" "$rc" >&2
            return 99
        fi
    done
    printf '%s\n' "$e0" >&2
    return "$rc0"
}

# Malformed SPNs: refused before anything is sent (exit 3).
t_begin "malformed SPNs: refused alike by -S, -A and -D before anything is sent"
bad_input spn 3 -- sad "";                        expect_err_contains "invalid SPN: it is empty"
bad_input spn 3 -- sad "http";                    expect_err_contains "expected class/host[:port][/name]"
bad_input spn 3 -- sad "http/";                   expect_err_contains "the host part is empty"
bad_input spn 3 -- sad "/iosmdm.mydom.local";     expect_err_contains "the service class before '/' is empty"
bad_input spn 3 -- sad "http//x";                 expect_err_contains "the host part is empty"
bad_input spn 3 -- sad "http/iosmdm:";            expect_err_contains "empty port"
bad_input spn 3 -- sad "http/iosmdm:0";           expect_err_contains "port must be a number from 1 to 65535"
bad_input spn 3 -- sad "http/iosmdm:65536";       expect_err_contains "port must be a number from 1 to 65535"
bad_input spn 3 -- sad "http/iosmdm:80x";         expect_err_contains "port must be a number"
bad_input spn 3 -- sad "http/iosmdm:-1";          expect_err_contains "port must be a number"
bad_input spn 3 -- sad "http/ios mdm";            expect_err_contains "whitespace, control or non-ASCII character at position 9"
bad_input spn 3 -- sad $'http/iosmdm\t';          expect_err_contains "whitespace, control or non-ASCII character"
bad_input spn 3 -- sad $'http/ios\x01mdm';        expect_err_contains "whitespace, control or non-ASCII character"
bad_input spn 3 -- sad "http/iosmdm/";            expect_err_contains "the service name after the second '/' is empty"
bad_input spn 3 -- sad "http/a/b/c";              expect_err_contains "too many '/'"
bad_input spn 3 -- sad "http/iosmdm@MYDOM.LOCAL"; expect_err_contains "an SPN has no realm"
bad_input spn 3 -- sad "http/.iosmdm";            expect_err_contains "must not start or end with '.'"
bad_input spn 3 -- sad "http/ios..mdm";           expect_err_contains "empty label"
bad_input spn 3 -- sad "ht*p/iosmdm";             expect_err_contains "not allowed in a service class"
bad_input spn 3 -- sad "http/ios(mdm)";           expect_err_contains "not allowed in a host name"
bad_input spn 3 -- sad "http/$(printf 'a%.0s' $(seq 1 70))"; expect_err_contains "longer than 63 characters"
bad_input spn 3 -- sad "http/x:0080";             expect_err_contains "port must not have leading zeros"
bad_input spn 3 -- sad "http/-iosmdm";            expect_err_contains "must not start or end with '-'"
bad_input spn 3 -- sad $'http/x/caf\xc3\xa9';     expect_err_contains "non-ASCII character at position 11"
bad_input spn 3 -- sad "http/$(printf 'abcdefghi.%.0s' $(seq 1 110))x"; expect_err_contains "longer than 1024 characters"
bad_input spn 3 -- sad "http/$(head -c 100000 /dev/zero | tr '\0' a)"; expect_err_contains "longer than 1024 characters"
bad_input spn 3 -- sad "http/x:99999999999999999999"; expect_err_contains "port must be a number from 1 to 65535"
bad_input spn 3 -- sad "http/x:80:81";            expect_err_contains "port must be a number from 1 to 65535 (or an instance name starting with a letter)"
bad_input spn 3 -- sad $'http/x\xff';             expect_err_contains "invalid SPN 'http/x\xff': whitespace, control or non-ASCII character at position 7"
bad_input spn 3 -- sad $'http/x\e]0;owned\a';     expect_err_contains "'http/x\x1b]0;owned\x07'"; expect_no_control_bytes
bad_input spn 3 -- sad $'http/x\xc2\x9b2J';       expect_err_contains "non-ASCII character at position 7"; expect_no_control_bytes
expect_dc_unchanged "$ADKCD_TMP/s0"
t_end

# sl NAME: adspn -S http/new.mydom.local NAME, then adspn -L NAME. The
# output and exit status of -S, or 99 when -L ends with another status.
sl() {
    local rc=0 rc2=0
    "$ADSPN" -S http/new.mydom.local "$1" || rc=$?
    "$ADSPN" -L "$1" >/dev/null 2>&1 || rc2=$?
    [ "$rc" = "$rc2" ] || { echo "adspn -L ended with $rc2, -S with $rc" >&2; return 99; }
    return "$rc"
}

# Account names: escaped, so nothing matches (exit 4), never "everything".
t_begin "account names that match nothing: -S and -L exit 4, never match everything"
bad_input account 4 -- sl '*';                     expect_err_contains "no computer '*\$' or user '*'"
bad_input account 4 -- sl 'x)(objectClass=*';      expect_err_contains "no computer 'x)(objectClass=*\$' or user 'x)(objectClass=*'"
bad_input account 4 -- sl '*)(|(sAMAccountName=*'; expect_err_contains "no computer"
bad_input account 4 -- sl 'iosmdm)';               expect_err_contains "no computer 'iosmdm)\$'"
bad_input account 4 -- sl 'a\b\c';                 expect_err_contains "domain 'a' is not the domain of"
bad_input account 4 -- sl 'nosuch';                expect_err_contains "no computer 'nosuch\$' or user 'nosuch' in $ADKCD_BASEDN"
bad_input account 4 -- sl "CN=nosuch,CN=Users,$ADKCD_BASEDN"; expect_err_contains "no account at DN"
bad_input account 4 -- sl 'nosuch@mydom.local';    expect_err_contains "no account with UPN 'nosuch@mydom.local'"
bad_input account 4 -- sl '<SID=S-1-5-21-1-2-3-99999>'; expect_err_contains "no account with <SID=S-1-5-21-1-2-3-99999>"
bad_input account 4 -- "$ADSPN" -L '<GUID=01234567-89ab-cdef-0123-456789abcdef>'; expect_err_contains "no account with <GUID=01234567-89ab-cdef-0123-456789abcdef>"
bad_input account 4 -- "$ADSPN" -L 'CN=x,DC=evil,DC=com'; expect_err_contains "no account at DN 'CN=x,DC=evil,DC=com'"
bad_input account 4 -- "$ADSPN" -L "$ADKCD_BASEDN"; expect_err_contains "no account at DN '$ADKCD_BASEDN'"
bad_input account 4 -- "$ADSPN" -L 'a@b@c';        expect_err_contains "no account with UPN 'a@b@c'"
bad_input account 3 -- "$ADSPN" -S http/new.mydom.local $'tm\xffg'; expect_err_contains "account name is not UTF-8 (byte 0xff at position 3)"; expect_no_control_bytes
bad_input account 3 -- "$ADSPN" -L $'tmg\x9b2J'; expect_err_contains "account name is not UTF-8 (byte 0x9b at position 4)"; expect_no_control_bytes
expect_dc_unchanged "$ADKCD_TMP/s0"
t_end

t_begin "account names with a control character, malformed GUID/SID, too long"
bad_input account 3 -- "$ADSPN" -L $'ios\x01mdm'; expect_err_contains "control character (0x01) at position 4"
bad_input account 3 -- "$ADSPN" -S http/new.mydom.local $'ios\nmdm'; expect_err_contains "control character (0x0a)"
bad_input account 3 -- "$ADSPN" -L $'tmg\x7f';    expect_err_contains "control character (0x7f) at position 4"
bad_input account 3 -- "$ADSPN" -L '<GUID=not-a-guid>'; expect_err_contains "malformed GUID 'not-a-guid'"
bad_input account 3 -- "$ADSPN" -L '<GUID=0123456789abcdef0123456789abcdef>'; expect_err_contains "malformed GUID '0123456789abcdef0123456789abcdef' (expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)"
bad_input account 3 -- "$ADSPN" -L '<SID=S-1-x>'; expect_err_contains "malformed SID"
bad_input account 3 -- "$ADSPN" -L '<SID=>';      expect_err_contains "malformed '<SID=>': expected <GUID=...> or <SID=S-1-...>"
bad_input account 3 -- "$ADSPN" -L '<SID=S-1-5-21-1-2-3-4>;<GUID=x>'; expect_err_contains "malformed SID 'S-1-5-21-1-2-3-4>;<GUID=x'"
bad_input account 3 -- "$ADSPN" -S http/new.mydom.local "$(head -c 100000 /dev/zero | tr '\0' a)"; expect_err_contains "account name too long"
bad_input account 3 -- "$ADSPN" -L "MYDOM\\";      expect_err_contains "malformed 'MYDOM\': expected DOMAIN\NAME"
# A sub-authority beyond 32 bits, or more than 15: refused before the DC
# is asked.
bad_input account 3 -- "$ADSPN" -L '<SID=S-1-5-21-1-2-3-4294967296>'; expect_err_contains "malformed SID 'S-1-5-21-1-2-3-4294967296'"
bad_input account 3 -- "$ADSPN" -L '<SID=S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16>'; expect_err_contains "at most 15 sub-authorities"
expect_dc_unchanged "$ADKCD_TMP/s0"
t_end

t_begin "a backslash makes DOMAIN\\NAME: an empty domain is malformed"
bad_input account 3 -- "$ADSPN" -L '\2a'; expect_err_contains "malformed '\2a': expected DOMAIN\NAME"
expect_dc_unchanged "$ADKCD_TMP/s0"
t_end

# A NUL cannot travel in argv (the kernel ends each argument at the first
# NUL); the library's length-aware name check that refuses one is covered by
# tests/unit/test_account.c.

t_begin "unknown and conflicting flags, missing and extra arguments"
bad_input command-line 3 -- "$ADSPN" -K iosmdm;                          expect_err_contains "unknown option '-K'"
bad_input command-line 3 -- "$ADSPN" --frobnicate -L iosmdm;             expect_err_contains "unknown option '--frobnicate'"
bad_input command-line 3 -- "$ADSPN" -S -D http/x.mydom.local iosmdm;    expect_err_contains "-S and -D exclude each other"
bad_input command-line 3 -- "$ADSPN" -C -U -L iosmdm;                    expect_err_contains "-C and -U exclude each other"
bad_input command-line 3 -- "$ADSPN" -S http/x.mydom.local;              expect_err_contains "-S needs SPN and ACCOUNT"
bad_input command-line 3 -- "$ADSPN" -L;                                 expect_err_contains "-L needs an ACCOUNT"
bad_input command-line 3 -- "$ADSPN" -Q;                                 expect_err_contains "-Q needs a PATTERN"
bad_input command-line 3 -- "$ADSPN" -L iosmdm extra;                    expect_err_contains "unexpected argument 'extra'"
bad_input command-line 3 -- "$ADSPN";                                    expect_err_contains "say what to do"
bad_input command-line 3 -- "$ADSPN" -T;                                 expect_err_contains "-T needs a DOMAIN"
bad_input command-line 3 -- "$ADSPN" -F -L iosmdm;                       expect_err_contains "-F and -T apply to -S, -Q and -X only"
bad_input command-line 3 -- "$ADSPN" -n -L iosmdm;                       expect_err_contains "--dry-run and --ldif apply to changes"
bad_input command-line 3 -- "$ADSPN" --detailed-exitcode -S http/x.mydom.local iosmdm; expect_err_contains "--detailed-exitcode goes with --dry-run"
bad_input command-line 3 -- "$ADSPN" --json --ldif -n -S http/x.mydom.local iosmdm;    expect_err_contains "exclude each other"
bad_input command-line 3 -- "$ADSPN" --timeout 0 -L iosmdm;              expect_err_contains "--timeout takes seconds"
bad_input credentials 3 -- "$ADSPN" --keytab /nonexistent -L iosmdm;     expect_err_contains "need --principal"
bad_input credentials 3 -- "$ADSPN" --principal x -L iosmdm;             expect_err_contains "--principal needs --keytab or --password-stdin"
bad_input command-line 3 -- "$ADSPN" -U -R tmg;                          expect_err_contains "-U does not apply"
bad_input command-line 3 -- "$ADSPN" -H 'http://dc1.mydom.local' -L iosmdm; expect_err_contains "invalid LDAP URI"
bad_input command-line 3 -- "$ADSPN" --json -K;                          expect_json '.error.status == "usage" and .exit_code == 3'
bad_input command-line 3 -- "$ADSPN" -K --json;                          expect_json '.error.status == "usage"'
bad_input command-line 3 -- "$ADSPN" -F -T MYDOM -Q 'http/*';            expect_err_contains "-F and -T exclude each other"
bad_input account 3 -- "$ADSPN" -L '<FOO=S-1-5-21-1>';                   expect_err_contains "expected <GUID=...> or <SID=S-1-...>"
expect_dc_unchanged "$ADKCD_TMP/s0"
t_end

t_begin "input is checked before anything is sent (no ticket needed to refuse it)"
NOCC="FILE:$ADKCD_TMP/none"
bad_input spn 3 KRB5CCNAME="$NOCC" -- "$ADSPN" -S http/ bad;          expect_err_contains "the host part is empty"
bad_input spn 3 KRB5CCNAME="$NOCC" -- "$ADSPN" -Q 'http/a b';         expect_err_contains "whitespace, control or non-ASCII character"
bad_input account 3 KRB5CCNAME="$NOCC" -- "$ADSPN" -L '<GUID=x>';     expect_err_contains "malformed GUID"
bad_input spn 3 KRB5CCNAME="$NOCC" -- "$ADSPN" -Q '';                 expect_err_contains "empty SPN pattern"
bad_input spn 3 KRB5CCNAME="$NOCC" -- "$ADSPN" -Q $'http/\e[2J';      expect_err_contains 'http/\x1b[2J'; expect_no_control_bytes
bad_input spn 3 KRB5CCNAME="$NOCC" -- "$ADSPN" -Q $'http/\xff*';      expect_err_contains "SPN pattern 'http/\xff*' has a whitespace, control or non-ASCII character at position 6"
bad_input spn 3 KRB5CCNAME="$NOCC" -- "$ADSPN" -Q "$(head -c 5000 /dev/zero | tr '\0' '*')"; expect_err_contains "is longer than 1024 characters"
expect_dc_unchanged "$ADKCD_TMP/s0"
t_end

t_begin "credentials: bad keytabs, principals and ccaches end before anything is sent"
head -c 1000000 /dev/zero | tr '\0' x >"$T_TMP/long.pw"
printf 'not a keytab' >"$T_TMP/garbage.keytab"
printf 'not a ccache' >"$T_TMP/garbage.ccache"
printf 'Wr0ng-S3cret!\n' >"$T_TMP/wrong.pw"
W=(-S http/x.mydom.local iosmdm)
bad_input credentials 6 RUN_STDIN="$T_TMP/long.pw" -- "$ADSPN" --principal alice --password-stdin "${W[@]}"
expect_err_contains "the password for alice@MYDOM.LOCAL is wrong"; expect_err_not_contains "xxxxxxxx"
bad_input credentials 6 -- "$ADSPN" --keytab "$T_TMP/garbage.keytab" --principal alice "${W[@]}"
expect_err_contains "Unsupported key table format version number"
# A NUL byte would cut the password short and silently use the rest.
printf '%s\0tail\n' "$ADKCD_USER_PASS" >"$T_TMP/nul.pw"
bad_input credentials 3 RUN_STDIN="$T_TMP/nul.pw" -- "$ADSPN" --principal alice --password-stdin "${W[@]}"; expect_err_contains "the password holds a NUL byte"
bad_input credentials 6 -- "$ADSPN" --keytab /etc --principal alice "${W[@]}"; expect_err_contains "Is a directory"
bad_input credentials 3 RUN_STDIN="$T_TMP/wrong.pw" -- "$ADSPN" --principal 'a@@b' --password-stdin "${W[@]}"
expect_err_contains "invalid principal 'a@@b'"
bad_input credentials 6 RUN_STDIN="$T_TMP/wrong.pw" -- "$ADSPN" --principal $'al\eice' --password-stdin "${W[@]}"
expect_err_contains "the KDC knows no principal al\x1bice@MYDOM.LOCAL"; expect_no_control_bytes
bad_input credentials 6 RUN_STDIN="$T_TMP/wrong.pw" -- "$ADSPN" --principal nosuchuser --password-stdin "${W[@]}"
expect_err_contains "the KDC knows no principal nosuchuser@MYDOM.LOCAL"; expect_err_not_contains "S3cret"
bad_input credentials 7 RUN_STDIN="$T_TMP/wrong.pw" -- "$ADSPN" --principal alice@OTHER.REALM --password-stdin "${W[@]}"
expect_err_contains "no KDC answered for alice@OTHER.REALM"
bad_input credentials 6 KRB5CCNAME=BOGUS:xyz -- "$ADSPN" "${W[@]}"; expect_err_contains "Unknown credential cache type"
bad_input credentials 6 KRB5CCNAME="FILE:$T_TMP/garbage.ccache" -- "$ADSPN" "${W[@]}"
expect_err_contains "no Kerberos ticket in FILE:$T_TMP/garbage.ccache"
expect_dc_unchanged "$ADKCD_TMP/s0"
t_end

t_begin "hostile values read from the directory are shown escaped; nothing is written"
mk_computer evil
# Samba takes control bytes in an SPN and in a DN over LDAP.
ldif_modify - >/dev/null <<EOF
dn: CN=evil,CN=Computers,$ADKCD_BASEDN
changetype: modify
add: servicePrincipalName
servicePrincipalName:: $(printf 'http/evil\e[2J.mydom.local' | base64 -w0)
EOF
printf 'dn: CN=new\\0Aline\\1B[31m,CN=Computers,%s\nobjectClass: computer\nsAMAccountName: nl$\nuserAccountControl: 4098\n' \
    "$ADKCD_BASEDN" | ldapadd -Y GSSAPI -Q -H "$ADKCD_DC_URI" >/dev/null
dc_snapshot "$ADKCD_TMP/s1"
bad_input directory 0 -- "$ADSPN" -L evil; expect_out_contains $'\thttp/evil\\x1b[2J.mydom.local'; expect_no_control_bytes
bad_input directory 0 -- "$ADSPN" --json -L evil; expect_json '.spns == ["http/evil\u001b[2J.mydom.local"]'
bad_input directory 0 -- "$ADSPN" -L 'nl$'; expect_out_contains 'for CN=new\0Aline\x1b[31m,CN=Computers'; expect_no_control_bytes
bad_input directory 0 -- "$ADSPN" -Q 'http/evil*'; expect_out_contains "CN=evil,CN=Computers"; expect_no_control_bytes
expect_dc_unchanged "$ADKCD_TMP/s1"
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
