#!/usr/bin/env bash
# adkcd bad input: clear error, exit code, nothing written, nothing journaled.
# Services, accounts and options; state files with hostile bytes and YAML;
# tampered, lying and untrusted journals; hostile values read from the
# directory. Each bad_input is one case of the table in docs/robustness.md
# (scripts/bad-inputs); lib.sh checks the journal after each and the
# directory after each test.
. "$(dirname "$0")/lib.sh"

mk_computer tmg 'Tmg-Passw0rd!'
dc_snapshot "$ADKCD_TMP/s0"

# add_set SVC: adkcd add tmg SVC, then adkcd set tmg --mode constrained
# --services http/ok.mydom.local,SVC. The messages of both, the exit
# status of add, or 99 when set ends with another status.
add_set() {
    local rc=0 rc2=0
    "$ADKCD" add tmg "$1" || rc=$?
    "$ADKCD" set tmg --mode constrained --services "http/ok.mydom.local,$1" || rc2=$?
    [ "$rc" = "$rc2" ] || { echo "set ended with $rc2, add with $rc" >&2; return 99; }
    return "$rc"
}
SVC_ERR1="service 1: invalid SPN"
SVC_ERR2="service 2: invalid SPN"

t_begin "malformed services are refused before anything is sent"
bad_input service 3 -- add_set "";              expect_err_contains "$SVC_ERR1"; expect_err_contains "$SVC_ERR2"
bad_input service 3 -- add_set "http";          expect_err_contains "$SVC_ERR1"; expect_err_contains "$SVC_ERR2"
bad_input service 3 -- add_set "http/";         expect_err_contains "$SVC_ERR1"; expect_err_contains "$SVC_ERR2"
bad_input service 3 -- add_set "http/a b";      expect_err_contains "$SVC_ERR1"; expect_err_contains "$SVC_ERR2"
bad_input service 3 -- add_set "http/x:0";      expect_err_contains "$SVC_ERR1"; expect_err_contains "$SVC_ERR2"
bad_input service 3 -- add_set "http/x@REALM";  expect_err_contains "$SVC_ERR1"; expect_err_contains "$SVC_ERR2"
bad_input service 3 -- add_set "garbage value"; expect_err_contains "$SVC_ERR1"; expect_err_contains "$SVC_ERR2"
bad_input service 3 -- add_set "http/a/b/c";    expect_err_contains "$SVC_ERR1"; expect_err_contains "$SVC_ERR2"
bad_input service 3 -- add_set "http/$(head -c 2000 /dev/zero | tr '\0' a)"; expect_err_contains "longer than 1024 characters"
bad_input service 3 -- add_set $'http/x\xff.mydom.local'; expect_err_contains "$SVC_ERR1 'http/x\xff.mydom.local': whitespace, control or non-ASCII character at position 7"
bad_input service 3 -- add_set $'http/x\e[31m.mydom.local'; expect_err_contains "'http/x\x1b[31m.mydom.local'"; expect_no_control_bytes
bad_input service 3 -- add_set "http/x:99999999999999999999"; expect_err_contains "port must be a number from 1 to 65535"
bad_input service 3 -- "$ADKCD" set tmg --mode constrained --services "http/a.mydom.local,,http/b.mydom.local"
expect_err_contains "service 2: invalid SPN: it is empty"
# A long list is checked whole: the last of 3001 services is the bad one.
bad_input service 3 -- "$ADKCD" set tmg --mode constrained --services "$(printf 'http/a%d.mydom.local,' $(seq 1 3000))bad value"
expect_err_contains "service 3001: invalid SPN 'bad value'"
bad_input service 3 KRB5CCNAME="FILE:$ADKCD_TMP/none" -- "$ADKCD" add tmg "http/x y"
expect_dc_unchanged "$ADKCD_TMP/s0"
t_end

t_begin "unknown accounts"
bad_input account 4 -- "$ADKCD" add nosuch http/x.mydom.local; expect_err_contains "no computer 'nosuch\$' or user 'nosuch'"
bad_input account 4 -- "$ADKCD" show 'x)(objectClass=*'
bad_input account 3 -- "$ADKCD" add $'tm\x01g' http/x.mydom.local; expect_err_contains "control character"
bad_input account 4 -- "$ADKCD" --user show tmg
bad_input account 3 -- "$ADKCD" show $'tmg\xc2\x9b2J'; expect_err_contains "control character (U+009B) at position 4"; expect_no_control_bytes
expect_dc_unchanged "$ADKCD_TMP/s0"
t_end

t_begin "conflicting and misplaced options, missing arguments"
bad_input command-line 3 -- "$ADKCD" add tmg http/x.mydom.local --any-protocol --kerberos-only
expect_err_contains "--any-protocol and --kerberos-only exclude each other"
# The library's rules (problem ids), worded by adkcd in its options.
bad_input command-line 3 -- "$ADKCD" remove tmg http/x.mydom.local --any-protocol
expect_err_contains "adkcd: remove takes neither --any-protocol nor --kerberos-only"
bad_input command-line 3 -- "$ADKCD" remove tmg http/x.mydom.local --kerberos-only --json
expect_json '.error.status == "usage" and (.error.message | startswith("remove takes neither --any-protocol nor --kerberos-only"))'
bad_input command-line 3 -- "$ADKCD" set tmg; expect_err_contains "set needs --mode"
bad_input command-line 3 -- "$ADKCD" set tmg --mode sideways
expect_err_contains "--mode takes none, unconstrained or constrained, not 'sideways'"
bad_input command-line 3 -- "$ADKCD" set tmg --mode constrained
expect_err_contains "adkcd: --mode constrained needs --services S1,S2,..."
bad_input command-line 3 -- "$ADKCD" set tmg --mode none --services http/x.mydom.local
expect_err_contains "adkcd: --services goes with --mode constrained only"
bad_input command-line 3 -- "$ADKCD" set tmg --mode unconstrained --any-protocol
expect_err_contains "adkcd: --any-protocol and --kerberos-only go with --mode constrained only"
bad_input command-line 3 -- "$ADKCD" add tmg; expect_err_contains "add needs ACCOUNT and at least one SERVICE"
bad_input command-line 3 -- "$ADKCD" add tmg http/x.mydom.local --mode none
expect_err_contains "--mode and --services go with set only"
bad_input command-line 3 -- "$ADKCD" show
bad_input command-line 3 -- "$ADKCD" show tmg --dry-run
bad_input command-line 3 -- "$ADKCD" history extra
bad_input command-line 3 -- "$ADKCD" rollback; expect_err_contains "rollback needs RUN-ID... or last"
bad_input command-line 3 -- "$ADKCD"; expect_err_contains "say what to do"
bad_input command-line 3 -- "$ADKCD" frobnicate; expect_err_contains "unknown verb 'frobnicate'"
bad_input command-line 3 -- "$ADKCD" set tmg --mode none --force=no; expect_err_contains "--force takes no value"
bad_input command-line 3 -- "$ADKCD" add tmg http/x.mydom.local --any-protocol=yes
expect_err_contains "--any-protocol takes no value"
bad_input command-line 3 -- "$ADKCD" add tmg http/x.mydom.local --bogus; expect_err_contains "unknown option '--bogus'"
bad_input command-line 3 -- "$ADKCD" --json add tmg; expect_json '.error.status == "usage"'
expect_dc_unchanged "$ADKCD_TMP/s0"
[ ! -e "$ADKCD_JOURNAL" ] || t_fail "refused commands wrote the journal"
t_end

t_begin "no place for the journal: refused before connecting, nothing written"
bad_input journal 1 XDG_STATE_HOME= HOME= KRB5CCNAME="FILE:$ADKCD_TMP/none" -- "$ADKCD" add tmg http/x.mydom.local
expect_err_contains "no place for the journal"
bad_input journal 1 XDG_STATE_HOME= HOME= -- "$ADSPN" -S http/x.mydom.local tmg
expect_err_contains "no place for the journal"
expect_dc_unchanged "$ADKCD_TMP/s0"
t_end

t_begin "each verb takes the options the verb table gives it, and no other"
dc_snapshot "$ADKCD_TMP/s9"
bad_input command-line 3 -- "$ADKCD" history --force; expect_err_contains "history takes no --force"
bad_input command-line 3 -- "$ADKCD" export --dry-run
expect_err_contains "--dry-run and --ldif apply to changes (add, remove, set, rollback, apply, rbcd)"
bad_input command-line 3 -- "$ADKCD" show tmg --mode none; expect_err_contains "--mode and --services go with set only"
bad_input command-line 3 -- "$ADKCD" rollback last -C; expect_err_contains "rollback takes no --computer/--user"
bad_input command-line 3 -- "$ADKCD" apply x.yaml --any-protocol
expect_err_contains "apply takes neither --any-protocol nor --kerberos-only"
bad_input command-line 3 -- "$ADKCD" add tmg http/x.mydom.local --stop-on-error
expect_err_contains "--stop-on-error goes with apply, not add"
bad_input command-line 3 -- "$ADKCD" audit --impersonate alice
expect_err_contains "--impersonate goes with check and verify, not audit"
expect_dc_unchanged "$ADKCD_TMP/s9"
t_end

# apply_bytes TEXT: TEXT (printf %b: \0, \xff, \n...) as the state file
# $Y, then adkcd apply $Y.
Y=$T_TMP/hostile.yaml
apply_bytes() { printf '%b' "$1" >"$Y"; "$ADKCD" apply "$Y"; }

t_begin "state files: hostile bytes, YAML features and limits are refused whole, exit 3"
printf 'version: 1\naccounts: []\n\0' >"$T_TMP/nul.yaml"
bad_input state-file 3 -- apply_bytes 'version: 1\0\naccounts: []\n'; expect_err_contains "$Y:1:11: a NUL byte: a state file is text"
bad_input state-file 3 RUN_STDIN="$T_TMP/nul.yaml" -- "$ADKCD" apply -; expect_err_contains "<stdin>:3:1: a NUL byte"
bad_input state-file 3 -- apply_bytes 'version: 1\naccounts:\n  - account: tm\xffg\n'
expect_err_contains "$Y:3:16: invalid UTF-8 (byte 0xff): a state file is UTF-8 text"
bad_input state-file 3 -- apply_bytes '\xff\xfev\0e\0r\0'; expect_err_contains "$Y:1:1: invalid UTF-8 (byte 0xff)"
bad_input state-file 3 -- apply_bytes "version: 1\naccounts: $(head -c 100000 /dev/zero | tr '\0' '[')"
expect_err_contains "lists and mappings nested deeper than 16 levels"
bad_input state-file 3 -- apply_bytes 'version: 1\nx: &a [1, 2]\ny: *a\naccounts: []\n'
expect_err_contains "anchors and aliases are not supported (&a)"
bad_input state-file 3 -- apply_bytes "version: 1\naccounts:\n  - account: $(head -c 5000 /dev/zero | tr '\0' a)\n"
expect_err_contains "$Y:3:14: value longer than 4096 bytes"
bad_input state-file 3 -- apply_bytes 'version: 1\naccounts: []\n---\nversion: 1\n'
expect_err_contains "$Y:3:1: a second YAML document"
bad_input state-file 3 -- apply_bytes 'version: 1\naccounts: !!python/object:os.system []\n'
expect_err_contains "tag 'tag:yaml.org,2002:python/object:os.system' is not supported"
bad_input state-file 3 -- apply_bytes ''; expect_err_contains "$Y:1:1: the file is empty"
bad_input state-file 3 -- apply_bytes 'version: 1\nversion: 1\naccounts: []\n'
expect_err_contains "$Y:2:1: the file: duplicate key 'version' (first at line 1, column 1)"
bad_input state-file 3 -- apply_bytes 'version: 99999999999999999999999\naccounts: []\n'
expect_err_contains "unsupported version 99999999999999999999999"
bad_input state-file 3 -- apply_bytes 'version: 1\naccounts:\n  - account: "tm\\0g"\n'
expect_err_contains "$Y:3:14: a NUL character (\0) is not allowed in a value"
bad_input state-file 3 -- apply_bytes 'version: 1\naccounts:\n  - account: "tm\\x1bg"\n'
expect_err_contains "account name contains a control character (0x1b) at position 3"; expect_no_control_bytes
bad_input state-file 3 -- apply_bytes 'version: 1\naccounts: tmg\n'
expect_err_contains "accounts: expected a list of accounts"
bad_input state-file 3 -- apply_bytes 'version: 1\naccounts:\n  - account: tmg\n    spns: {present: ["http/x\\e[2J"]}\n'
expect_err_contains "invalid SPN 'http/x\x1b[2J'"; expect_no_control_bytes
bad_input state-file 3 -- apply_bytes '\tversion: 1\n'; expect_err_contains "$Y:1:1: YAML syntax error"
bad_input state-file 3 -- apply_bytes 'version: 1\naccounts:\n  - account: tmg\n    spns: {present: [http/a.b]}\n    spns: {present: [http/c.d]}\n'
expect_err_contains "$Y:5:5: accounts[1]: duplicate key 'spns'"
bad_input state-file 3 -- apply_bytes 'version: 1\naccounts:\n  - account: tmg\n    delegation: {mode: constrained, services: {exact: [http/x.y]}, protocol_transition: maybe}\n'
expect_err_contains "expected true or false, not 'maybe'"
head -c 17000000 /dev/zero | tr '\0' '#' >"$T_TMP/huge.yaml"
bad_input state-file 3 -- "$ADKCD" apply "$T_TMP/huge.yaml"; expect_err_contains "the file is larger than 16777216 bytes"
bad_input state-file 1 -- "$ADKCD" apply /; expect_err_contains "adkcd: /: Is a directory"
expect_dc_unchanged "$ADKCD_TMP/s0"
t_end

# jr BODY: the journal $J as one run $ID (header, then BODY, printf %b), mode 0600.
J=$T_TMP/hostile.ldif
ID=33333333-3333-4333-8333-333333333333
TMG="CN=tmg,CN=Computers,$ADKCD_BASEDN"
jr() {
    printf '# run: %s\n# time: 2026-11-24T15:00:00Z\n# tool: adkcd\n# server: %s\n# identity: krb5:administrator@%s\n# command: adkcd add tmg\n# format: 2\n\n%b' \
        "$ID" "$ADKCD_DC_URI" "$ADKCD_REALM" "$1" >"$J"
    chmod 600 "$J"
}
# chg DN OPS: the change block of a change applied (OPS: LDIF lines, \n-separated).
chg() { printf '# change: %s 1\\n# label: x\\ndn: %s\\nchangetype: modify\\n%s\\n-\\n\\n# applied: %s 1\\n\\n# end: %s ok\\n' "$ID" "$1" "$2" "$ID" "$ID"; }
SPN_ADD='add: servicePrincipalName\nservicePrincipalName: http/z.mydom.local'
RB=("$ADKCD" --journal "$J" rollback last)

t_begin "journals: tampered, lying and untrusted ones are refused; nothing written"
dc_snapshot "$ADKCD_TMP/s1"
jr "$(chg "$TMG" 'replace: servicePrincipalName\nservicePrincipalName: a/b')"
bad_input journal 1 -- "${RB[@]}"; expect_err_contains '"replace: servicePrincipalName": the journal holds only value-level add and delete'
jr "$(chg "$TMG" 'add: servicePrincipalName\nservicePrincipalName:< file:///etc/shadow')"
bad_input journal 1 -- "${RB[@]}"; expect_err_contains 'URL values (":<") are not used in the journal'
jr "$(chg "$TMG" 'add: servicePrincipalName\nservicePrincipalName:: !!!notbase64')"
bad_input journal 1 -- "${RB[@]}"; expect_err_contains 'bad base64 value after "::"'
jr "$(chg "$TMG" 'add: description\ndescription: owned')"
bad_input journal 1 -- "${RB[@]}"; expect_err_contains "changes description of $TMG (line 9), an attribute the tools never write"
jr "# change: $ID 1\n# label: x\ndn: $TMG\nchangetype: delete\n\n# applied: $ID 1\n\n# end: $ID ok\n"
bad_input journal 1 -- "${RB[@]}"; expect_err_contains 'a "changetype: delete" record: the journal holds only "changetype: modify"'
jr "# change: $ID 1\n# label: x\ndn: $TMG\nchangetype: modify\n$SPN_ADD\n-\n# applied: $ID 1\n\n# end: $ID ok\n"
bad_input journal 1 -- "${RB[@]}"; expect_err_contains "a blank line must end each record"
jr "# change: $ID 1\n# label: x\ndn: $TMG\nchangetype: modify\n$SPN_ADD\n-\n\n# applied: $ID 1\n\n# failed: $ID 1\n\n# end: $ID ok\n"
bad_input journal 1 -- "${RB[@]}"; expect_err_contains "is failed a second time, differently"
printf '# change: %s 1\n# label: x\ndn: %s\nchangetype: modify\nadd: servicePrincipalName\nservicePrincipalName: a/b\n-\n\n' "$ID" "$TMG" >"$J"
bad_input journal 1 -- "${RB[@]}"; expect_err_contains "whose \"# run:\" header does not come before it"
jr '' && sed -i 's/^# format: 2$/# format: 3/' "$J"
bad_input journal 1 -- "$ADKCD" --journal "$J" history; expect_err_contains 'is written in journal format "3", which this version does not know'
# Well formed, but what it says is not so: the directory decides.
jr "$(chg "$TMG" "$SPN_ADD")"
bad_input journal 0 -- "${RB[@]}"; expect_out_contains "unchanged: the directory already holds what was there before $ID"
jr "$(chg "$TMG" 'delete: userAccountControl\nuserAccountControl: 528384\n-\nadd: userAccountControl\nuserAccountControl: 16781312')"
bad_input journal 5 -- "${RB[@]}"; expect_err_contains "userAccountControl: the run left [16781312], now [4096]; nothing written"
jr "$(chg "CN=ghost,CN=Computers,$ADKCD_BASEDN" "$SPN_ADD")"
bad_input journal 4 -- "${RB[@]}"; expect_err_contains "CN=ghost,CN=Computers,$ADKCD_BASEDN no longer exists"
jr "$(chg 'x)(objectClass=*' "$SPN_ADD")"
bad_input journal 3 -- "${RB[@]}"; expect_err_contains "Invalid DN syntax"
jr "$(chg "CN=krbtgt,CN=Users,$ADKCD_BASEDN" 'delete: userAccountControl\nuserAccountControl: 524802\n-\nadd: userAccountControl\nuserAccountControl: 514')"
bad_input journal 8 -- "${RB[@]}"; expect_err_contains "refusing to give unconstrained delegation (TRUSTED_FOR_DELEGATION 0x80000) to a KDC's own account (krbtgt)"
jr "$(chg "$TMG" "$SPN_ADD")"
bad_input journal 4 -- "$ADKCD" --journal "$J" rollback 3333; expect_err_contains "a prefix must be at least 8 characters and unique"
bad_input journal 4 -- "$ADKCD" --journal "$J" rollback $'33333333\e[2J'; expect_err_contains "no run '33333333\x1b[2J'"; expect_no_control_bytes
# Untrusted: another user could have written it (docs/journal.md).
chmod 664 "$J"
bad_input journal 8 -- "${RB[@]}"; expect_err_contains "is writable by its group (mode 0664)"
chmod 600 "$J" && chown nobody "$J"
bad_input journal 8 -- "${RB[@]}"; expect_err_contains "belongs to user $(id -u nobody), not to you"
chown "$(id -u)" "$J" && ln -s "$J" "$T_TMP/link.ldif"
bad_input journal 8 -- "$ADKCD" --journal "$T_TMP/link.ldif" rollback last; expect_err_contains "is a symbolic link, which is not followed"
bad_input journal 8 -- "$ADKCD" --journal /dev/null history; expect_err_contains "the journal /dev/null is not a regular file"
mkfifo "$T_TMP/fifo.ldif"
bad_input journal 8 -- timeout 20 "$ADKCD" --journal "$T_TMP/fifo.ldif" history; expect_err_contains "is not a regular file"
bad_input journal 8 -- timeout 20 "$ADKCD" --journal "$T_TMP/fifo.ldif" add tmg http/x.mydom.local; expect_err_contains "is not a regular file"
bad_input journal 1 -- "$ADKCD" --journal "$T_TMP/nodir/j.ldif" add tmg http/x.mydom.local
expect_err_contains "its directory does not exist"
expect_dc_unchanged "$ADKCD_TMP/s1"
t_end

t_begin "hostile values read from the directory: shown escaped, a bad descriptor refused, nothing written"
mk_computer evil
# The DC takes any bytes as a service and any octets as a descriptor.
ldif_modify - >/dev/null <<EOF
dn: CN=evil,CN=Computers,$ADKCD_BASEDN
changetype: modify
add: msDS-AllowedToDelegateTo
msDS-AllowedToDelegateTo:: $(printf 'http/x\e]0;owned\a\e[2J' | base64 -w0)
msDS-AllowedToDelegateTo:: $(printf 'cifs/a\nforged: line' | base64 -w0)
-
add: msDS-AllowedToActOnBehalfOfOtherIdentity
msDS-AllowedToActOnBehalfOfOtherIdentity: garbage descriptor
-
EOF
dc_snapshot "$ADKCD_TMP/s2"
SD_ERR="msDS-AllowedToActOnBehalfOfOtherIdentity: security descriptor truncated: 18 bytes, the header alone is 20"
bad_input directory 0 -- "$ADKCD" show evil
expect_out_contains 'http/x\x1b]0;owned\x07\x1b[2J'; expect_out_contains 'cifs/a\x0aforged: line'
expect_err_contains "is not a valid SPN"; expect_no_control_bytes
bad_input directory 0 -- "$ADKCD" show evil --json
expect_json '(.delegation.services | sort) == (["http/x\u001b]0;owned\u0007\u001b[2J", "cifs/a\nforged: line"] | sort)'
bad_input directory 0 -- "$ADKCD" set evil --mode none --dry-run
expect_out_contains "dry run: nothing written"; expect_no_control_bytes
bad_input directory 0 -- "$ADKCD" audit; expect_out_contains "rbcd-unreadable"; expect_no_control_bytes
bad_input directory 1 -- "$ADKCD" rbcd show evil; expect_err_contains "$SD_ERR"
bad_input directory 1 -- "$ADKCD" rbcd add evil tmg; expect_err_contains "$SD_ERR"
bad_input directory 0 -- "$ADKCD" export evil
expect_out_contains '- "http/x\e]0;owned\a\e[2J"'; expect_no_control_bytes
cp "$OUT_FILE" "$T_TMP/evil.yaml"
# What export wrote is refused by apply as a whole (a state file holds no
# control characters): the values stay as the directory holds them.
bad_input directory 3 -- "$ADKCD" apply "$T_TMP/evil.yaml"; expect_err_contains "holds a control character"
expect_dc_unchanged "$ADKCD_TMP/s2"
t_end

t_begin "--help and --version"
run "$ADKCD" --help
expect_rc 0; expect_out_contains "Usage: adkcd"; expect_out_contains "rollback RUN-ID...|last"
run "$ADKCD" --version
expect_rc 0
t_end

t_summary
