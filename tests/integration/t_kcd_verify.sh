#!/usr/bin/env bash
# adkcd verify (the real S4U2Self + S4U2Proxy exchange as tmg$) and adkcd
# check (the directory's diagnosis) against the sandbox DC: the delegation
# works after "add --any-protocol", fails with the right diagnosis before,
# after rollback, with --kerberos-only, for a sensitive user, a misspelled
# service, a wrong password; check agrees with verify on each.
. "$(dirname "$0")/lib.sh"

SPN=http/iosmdm.mydom.local
TMG_PW='Tmg-Passw0rd!'
mk_user iosmdm
mk_user alice
mk_computer tmg "$TMG_PW"
"$ADSPN" -S "$SPN" iosmdm >/dev/null
printf '%s\n' "$TMG_PW" >"$T_TMP/tmg.pw"
printf 'wrong-Passw0rd!\n' >"$T_TMP/wrong.pw"

# verify as tmg$ with its password on stdin.
verify() { RUN_STDIN=$T_TMP/tmg.pw run "$ADKCD" verify tmg "$@" --password-stdin; }
# The verdict of one finding in the last run's JSON (check or verify).
verdict() { jq -r --arg id "$1" '(.findings // .causes)[] | select(.id == $id) | .verdict' <"$OUT_FILE"; }
expect_verdict() { expect_eq "$(verdict "$1")" "$2" "verdict of $1"; }
journal_size() { stat -c %s "$ADKCD_JOURNAL" 2>/dev/null || echo 0; }

t_begin "before any delegation: verify fails, S4U2Self not forwardable, KDC refuses S4U2Proxy"
dc_snapshot "$T_TMP/s0"
J0=$(journal_size)
verify "$SPN" --impersonate alice
expect_rc 8
expect_out_contains 'verify: tmg$ -> http/iosmdm.mydom.local, impersonating alice@MYDOM.LOCAL'
expect_out_contains 'ok    TGT        tmg$@MYDOM.LOCAL -> krbtgt/MYDOM.LOCAL@MYDOM.LOCAL: forwardable'
expect_out_contains 'FAIL  S4U2Self   alice@MYDOM.LOCAL -> tmg$@MYDOM.LOCAL: NOT forwardable'
expect_out_contains 'FAIL  S4U2Proxy  the KDC said: '
expect_out_contains '(KDC_ERR_BADOPTION)'
expect_out_contains 'result: the delegation does not work'
expect_out_contains 'why: the S4U2Self ticket is not forwardable'
expect_out_contains 'FAIL  protocol-transition'
expect_out_contains 'FAIL  service-listed'
expect_out_contains 'fix: adkcd add tmg http/iosmdm.mydom.local --any-protocol'
# read-only: nothing written, nothing journaled
expect_dc_unchanged "$T_TMP/s0"
expect_eq "$(journal_size)" "$J0" "journal size after verify"
t_end

t_begin "before: check agrees (exit 8, the same causes)"
run "$ADKCD" check tmg "$SPN" --impersonate alice --json
expect_rc 8
expect_json '.operation == "check" and .ok == false and .counts.fail >= 2'
expect_verdict protocol-transition fail
expect_verdict service-listed fail
expect_verdict mode fail
expect_verdict service-holder pass
expect_verdict user-found pass
expect_verdict user-sensitive pass
run "$ADKCD" check tmg "$SPN" --impersonate alice
expect_rc 8
expect_out_contains 'check: tmg$ -> http/iosmdm.mydom.local, impersonating alice (from the directory)'
expect_out_contains 'result: '
expect_out_contains 'the delegation will not work'
expect_dc_unchanged "$T_TMP/s0"
t_end

t_begin "after add --any-protocol: verify obtains the service ticket"
"$ADKCD" add tmg "$SPN" --any-protocol >/dev/null
verify "$SPN" --impersonate alice
expect_rc 0
expect_out_contains 'ok    S4U2Self   alice@MYDOM.LOCAL -> tmg$@MYDOM.LOCAL: forwardable'
expect_out_contains 'ok    S4U2Proxy  alice@MYDOM.LOCAL -> http/iosmdm.mydom.local@MYDOM.LOCAL: forwardable'
expect_out_contains 'result: the delegation works: tmg$ obtained a service ticket for http/iosmdm.mydom.local in the name of alice@MYDOM.LOCAL'
expect_out_not_contains 'FAIL'
verify "$SPN" --impersonate alice --json
expect_rc 0
expect_json '.operation == "verify" and .ok == true and .why == null and .why_hints == []'
expect_json '[.steps[].step] == ["tgt","s4u2self","s4u2proxy"]'
expect_json '[.steps[].result] == ["ok","ok","ok"]'
expect_json '.steps[1].ticket.forwardable == true and .steps[2].ticket.server == "http/iosmdm.mydom.local@MYDOM.LOCAL"'
expect_json '.principal == "tmg$@MYDOM.LOCAL" and .user == "alice@MYDOM.LOCAL" and .account.sam_account_name == "tmg$"'
run "$ADKCD" check tmg "$SPN" --impersonate alice
expect_rc 0
expect_out_contains 'result: 0 failed'
t_end

t_begin "cross-check: kvno -U -P makes the same exchange and succeeds"
cc=$(kinit_as 'tmg$' "$TMG_PW")
run env KRB5CCNAME="$cc" kvno -U alice -P "$SPN"
expect_rc 0
t_end

t_begin "verify with a keytab, and with a ticket from kinit"
# A keytab with the salt the KDC uses for tmg$ (ktutil -f asks the KDC).
printf 'addent -password -p tmg$@MYDOM.LOCAL -k 1 -e aes256-cts-hmac-sha1-96 -f\n%s\nwkt %s\nquit\n' \
    "$TMG_PW" "$T_TMP/tmg.keytab" | ktutil >/dev/null 2>&1
run "$ADKCD" verify tmg "$SPN" --impersonate alice --keytab "$T_TMP/tmg.keytab"
expect_rc 0
expect_out_contains 'result: the delegation works'
run env KRB5CCNAME="$cc" "$ADKCD" verify tmg "$SPN" --impersonate alice
expect_rc 0
expect_out_contains 'result: the delegation works'
# A keytab without tmg's key says what it holds.
printf 'addent -password -p alice@MYDOM.LOCAL -k 1 -e aes256-cts-hmac-sha1-96 -f\n%s\nwkt %s\nquit\n' \
    "$ADKCD_USER_PASS" "$T_TMP/alice.keytab" | ktutil >/dev/null 2>&1
run "$ADKCD" verify tmg "$SPN" --impersonate alice --keytab "$T_TMP/alice.keytab"
expect_rc 6
expect_err_contains 'holds no key for tmg$ or tmg (it holds: alice@MYDOM.LOCAL): give the principal'
expect_err_contains 'adkcd: hint: give the principal with --principal'
t_end

t_begin "a TGT from kinit without -f: verify says to use kinit -f"
cc_nf=FILE:$T_TMP/krb5cc_tmg_nf
printf '%s\n' "$TMG_PW" | KRB5CCNAME=$cc_nf kinit -F 'tmg$' >/dev/null
run env KRB5CCNAME="$cc_nf" "$ADKCD" verify tmg "$SPN" --impersonate alice
expect_rc 8
expect_out_contains 'FAIL  TGT        tmg$@MYDOM.LOCAL -> krbtgt/MYDOM.LOCAL@MYDOM.LOCAL: NOT forwardable'
expect_out_contains "why: the TGT of tmg\$ in $cc_nf is not forwardable"
expect_out_contains "get it with 'kinit -f'"
expect_out_contains "or give its keys, with which adkcd asks for a forwardable one"
expect_out_contains "
hint: give the keys with --keytab FILE or --password-stdin"
t_end

t_begin "a ccache holding another principal: refused before anything is asked, even without the directory"
# $KRB5CCNAME holds administrator's TGT.
run "$ADKCD" verify tmg "$SPN" --impersonate alice
expect_rc 6
expect_err_contains 'holds a ticket for administrator@MYDOM.LOCAL, not for tmg$ or tmg: give the keys of tmg, or run '"'kinit -f'"' as it'
expect_err_contains 'adkcd: hint: give the keys with --keytab FILE or --password-stdin'
expect_out_not_contains 'S4U2Self'
run "$ADKCD" -H ldap://127.0.0.99 --timeout 2 verify tmg "$SPN" --impersonate alice
expect_rc 6
expect_err_contains 'holds a ticket for administrator@MYDOM.LOCAL, not for tmg$ or tmg'
# --principal is compared without regard to case, as AD names are.
run env KRB5CCNAME="$cc" "$ADKCD" verify tmg "$SPN" --impersonate alice --principal 'TMG$@MYDOM.LOCAL'
expect_rc 0
t_end

t_begin "a user service account needs an SPN of its own for S4U2Self"
mk_user svcweb
"$ADKCD" add svcweb "$SPN" --any-protocol >/dev/null
printf '%s\n' "$ADKCD_USER_PASS" >"$T_TMP/user.pw"
# No computer svcweb$: its password goes to the user svcweb.
RUN_STDIN=$T_TMP/user.pw run "$ADKCD" verify svcweb "$SPN" --impersonate alice --password-stdin --json
expect_rc 8
expect_json '.principal == "svcweb@MYDOM.LOCAL" and .steps[1].error_name == "KDC_ERR_S_PRINCIPAL_UNKNOWN"'
expect_json '.why | test("does not know svcweb as a service")'
expect_json '.why_hints == ["register-spn"]'
expect_verdict account-spn fail
run "$ADKCD" check svcweb "$SPN" --impersonate alice --json
expect_rc 8
expect_verdict account-spn fail
RUN_STDIN=$T_TMP/user.pw run "$ADKCD" verify svcweb "$SPN" --impersonate alice --password-stdin
expect_rc 8
expect_out_contains "a user account needs a servicePrincipalName of its own for S4U2Self
hint: register one with 'adspn -S CLASS/HOST ACCOUNT'"
"$ADSPN" -S http/svcweb.mydom.local svcweb >/dev/null
RUN_STDIN=$T_TMP/user.pw run "$ADKCD" verify svcweb "$SPN" --impersonate alice --password-stdin
expect_rc 0
run "$ADKCD" check svcweb "$SPN" --impersonate alice
expect_rc 0
t_end

t_begin "-U and -C choose the principal when a user and a computer share a name"
mk_user twin
mk_computer twin 'Twin-Passw0rd!'
# Without -U the computer twin$ comes first, as ACCOUNT resolves.
RUN_STDIN=$T_TMP/user.pw run "$ADKCD" verify twin "$SPN" --impersonate alice --password-stdin
expect_rc 6
expect_err_contains 'the password for twin$@MYDOM.LOCAL is wrong'
RUN_STDIN=$T_TMP/user.pw run "$ADKCD" verify -U twin "$SPN" --impersonate alice --password-stdin --json
expect_json '.principal == "twin@MYDOM.LOCAL" and .account.sam_account_name == "twin" and .steps[0].result == "ok"'
printf 'Twin-Passw0rd!\n' >"$T_TMP/twin.pw"
RUN_STDIN=$T_TMP/twin.pw run "$ADKCD" verify -C twin "$SPN" --impersonate alice --password-stdin --json
expect_json '.principal == "twin$@MYDOM.LOCAL" and .account.sam_account_name == "twin$"'
t_end

t_begin "wrong password: exit 6, the TGT step says why, nothing else tried"
RUN_STDIN=$T_TMP/wrong.pw run "$ADKCD" verify tmg "$SPN" --impersonate alice --password-stdin
expect_rc 6
expect_out_contains 'FAIL  TGT        the password for tmg$@MYDOM.LOCAL is wrong'
expect_err_contains 'the password for tmg$@MYDOM.LOCAL is wrong'
expect_out_not_contains 'S4U2Self'
RUN_STDIN=$T_TMP/wrong.pw run "$ADKCD" verify tmg "$SPN" --impersonate alice --password-stdin --json
expect_rc 6
expect_json '.ok == false and .steps[0].step == "tgt" and .steps[0].result == "failed" and .error.status != null'
t_end

t_begin "--kerberos-only: verify fails (protocol transition off); check agrees"
"$ADKCD" add tmg "$SPN" --kerberos-only >/dev/null
verify "$SPN" --impersonate alice --json
expect_rc 8
expect_json '.steps[1].result == "not-forwardable" and .steps[2].error_name == "KDC_ERR_BADOPTION"'
expect_json '.why | test("protocol transition")'
expect_verdict protocol-transition fail
expect_verdict service-listed ""     # causes list only warn and fail
run "$ADKCD" check tmg "$SPN" --impersonate alice --json
expect_rc 8
expect_verdict protocol-transition fail
expect_verdict service-listed pass
# Without a user, Kerberos-only is a valid setup: a warning, exit 0.
run "$ADKCD" check tmg "$SPN" --json
expect_rc 0
expect_verdict protocol-transition warn
expect_verdict user-found skip
"$ADKCD" add tmg "$SPN" --any-protocol >/dev/null
t_end

t_begin "a user marked sensitive: verify fails; check agrees; others still work"
mk_user bob
printf 'dn: CN=bob,CN=Users,%s\nchangetype: modify\nreplace: userAccountControl\nuserAccountControl: %d\n' \
    "$ADKCD_BASEDN" $((0x200 | 0x100000)) | ldif_modify - >/dev/null
verify "$SPN" --impersonate bob
expect_rc 8
expect_out_contains 'FAIL  S4U2Self   bob@MYDOM.LOCAL -> tmg$@MYDOM.LOCAL: NOT forwardable'
expect_out_contains 'FAIL  user-sensitive'
expect_out_not_contains 'FAIL  protocol-transition'
run "$ADKCD" check tmg "$SPN" --impersonate bob --json
expect_rc 8
expect_verdict user-sensitive fail
expect_verdict protocol-transition pass
verify "$SPN" --impersonate alice
expect_rc 0
t_end

t_begin "a misspelled service: verify fails (no such principal); check names it"
verify http/iosmdm.mydom.locl --impersonate alice --json
expect_rc 8
expect_json '.steps[2].error_name == "KDC_ERR_S_PRINCIPAL_UNKNOWN"'
expect_json '.why | test("no account holds")'
expect_verdict service-holder fail
expect_verdict service-listed fail
run "$ADKCD" check tmg http/iosmdm.mydom.locl --impersonate alice
expect_rc 8
expect_out_contains 'FAIL  service-holder'
expect_out_contains 'FAIL  service-listed'
expect_out_contains 'http/iosmdm.mydom.local'   # the near miss
t_end

t_begin "a misspelled value in the list: the right service fails, the near miss is named"
"$ADKCD" set tmg --mode constrained --services http/iosmdm.mydom.locl >/dev/null 2>&1
verify "$SPN" --impersonate alice --json
expect_rc 8
expect_json '.steps[2].error_name == "KDC_ERR_BADOPTION"'
expect_verdict service-listed fail
expect_eq "$(jq -r '.causes[] | select(.id=="service-listed") | .message' <"$OUT_FILE" | grep -c 'http/iosmdm.mydom.locl')" 1 \
    "the near miss in the service-listed message"
run "$ADKCD" check tmg "$SPN" --impersonate alice --json
expect_rc 8
expect_verdict service-listed fail
"$ADKCD" set tmg --mode constrained --services "$SPN" >/dev/null
verify "$SPN" --impersonate alice
expect_rc 0
t_end

t_begin "after rollback: verify fails again; check agrees"
"$ADKCD" set tmg --mode none >/dev/null
"$ADKCD" add tmg "$SPN" --any-protocol >/dev/null
verify "$SPN" --impersonate alice
expect_rc 0
"$ADKCD" rollback last >/dev/null
expect_eq "$(dc_attr 'tmg$' msDS-AllowedToDelegateTo)" "" "services after rollback"
verify "$SPN" --impersonate alice
expect_rc 8
expect_out_contains 'why: the S4U2Self ticket is not forwardable'
run "$ADKCD" check tmg "$SPN" --impersonate alice
expect_rc 8
# $cc still holds the tickets kvno -U -P got while it worked: verify asks
# the KDC afresh rather than trusting them, and adds nothing to $cc.
expect_eq "$(klist -c "$cc" | grep -c "http/iosmdm.mydom.local@")" 1 "cached service tickets in \$cc"
klist -c "$cc" | grep -c '@' >"$T_TMP/cc.before"
run env KRB5CCNAME="$cc" "$ADKCD" verify tmg "$SPN" --impersonate alice
expect_rc 8
klist -c "$cc" | grep -c '@' >"$T_TMP/cc.after"
expect_eq "$(cat "$T_TMP/cc.after")" "$(cat "$T_TMP/cc.before")" "lines of klist of the caller's ccache"
"$ADKCD" add tmg "$SPN" --any-protocol >/dev/null
t_end

t_begin "a disabled user: S4U2Self refused; check agrees"
mk_user dave
printf 'dn: CN=dave,CN=Users,%s\nchangetype: modify\nreplace: userAccountControl\nuserAccountControl: 514\n' \
    "$ADKCD_BASEDN" | ldif_modify - >/dev/null
verify "$SPN" --impersonate dave --json
expect_rc 8
expect_json '.steps[1].result == "failed" and .steps[2].result == "not-tried"'
expect_json '.why | test("disabled")'
expect_json '.why_hints == []'
expect_verdict user-enabled fail
run "$ADKCD" check tmg "$SPN" --impersonate dave --json
expect_rc 8
expect_verdict user-enabled fail
t_end

t_begin "an unknown user: S4U2Self refused; check says not found"
verify "$SPN" --impersonate nosuchuser --json
expect_rc 8
expect_json '.steps[1].error_name == "KDC_ERR_C_PRINCIPAL_UNKNOWN"'
expect_json '.why | test("the KDC knows no user nosuchuser.*: check the user.s name$")'
expect_json '.why_hints == ["impersonate"]'
expect_verdict user-found fail
run "$ADKCD" check tmg "$SPN" --impersonate nosuchuser --json
expect_rc 8
expect_verdict user-found fail
t_end

t_begin "Protected Users: check fails (Windows refuses); Samba's KDC (4.17 to 4.22) does not enforce it"
mk_user carol
printf 'dn: CN=Protected Users,CN=Users,%s\nchangetype: modify\nadd: member\nmember: CN=carol,CN=Users,%s\n' \
    "$ADKCD_BASEDN" "$ADKCD_BASEDN" | ldif_modify - >/dev/null
run "$ADKCD" check tmg "$SPN" --impersonate carol --json
expect_rc 8
expect_verdict user-protected fail
verify "$SPN" --impersonate carol
expect_rc 0
expect_out_contains 'notes from the directory (checks that warn or fail, though this KDC issued the ticket):'
expect_out_contains 'note  user-protected'
expect_out_not_contains 'FAIL'
t_end

t_begin "usage errors: exit 3, nothing sent"
dc_snapshot "$T_TMP/s1"
bad_input command-line 3 RUN_STDIN="$T_TMP/tmg.pw" -- "$ADKCD" verify tmg "$SPN" --password-stdin
expect_err_contains 'verify needs --impersonate USER'
bad_input command-line 3 -- "$ADKCD" verify tmg --impersonate alice
bad_input command-line 3 -- "$ADKCD" check tmg
expect_err_contains 'check takes ACCOUNT and SERVICE'
bad_input service 3 -- "$ADKCD" check tmg nonsense --impersonate alice
bad_input account 3 -- "$ADKCD" check tmg "$SPN" --impersonate ''
bad_input command-line 3 -- "$ADKCD" show tmg --impersonate alice
expect_err_contains '--impersonate goes with check and verify'
bad_input command-line 3 -- "$ADKCD" check tmg "$SPN" --any-protocol
bad_input command-line 3 -- "$ADKCD" verify tmg "$SPN" --impersonate alice --dry-run
bad_input command-line 3 -- "$ADKCD" check tmg "$SPN" --impersonate alice --json --ldif
# The keys of another account than ACCOUNT prove nothing about ACCOUNT.
bad_input credentials 3 RUN_STDIN="$T_TMP/tmg.pw" -- "$ADKCD" verify iosmdm "$SPN" --impersonate alice --password-stdin --principal 'tmg$'
expect_err_contains 'the ticket is for tmg$@MYDOM.LOCAL, but iosmdm is user iosmdm: give the keys of iosmdm, or its principal'
expect_err_contains 'adkcd: hint: give the keys with --keytab FILE or --password-stdin'
expect_err_contains "adkcd: hint: give the principal with --principal (e.g. --principal 'tmg\$@REALM')"
# A DN names no principal: --principal is needed.
bad_input credentials 3 RUN_STDIN="$T_TMP/tmg.pw" -- "$ADKCD" verify "CN=tmg,CN=Computers,$ADKCD_BASEDN" "$SPN" --impersonate alice --password-stdin
expect_err_contains "cannot tell the Kerberos principal of 'CN=tmg,CN=Computers,$ADKCD_BASEDN': give the principal"
expect_err_contains "adkcd: hint: give the principal with --principal (e.g. --principal 'tmg\$@REALM')"
RUN_STDIN=$T_TMP/tmg.pw run "$ADKCD" verify "CN=tmg,CN=Computers,$ADKCD_BASEDN" "$SPN" --impersonate alice --password-stdin --principal 'tmg$'
expect_rc 0
bad_input account 4 -- "$ADKCD" check nosuchaccount "$SPN"
expect_dc_unchanged "$T_TMP/s1"
t_end

t_begin "the delegating account marked sensitive: its TGT is not forwardable"
uac=$(dc_attr 'tmg$' userAccountControl)
printf 'dn: CN=tmg,CN=Computers,%s\nchangetype: modify\nreplace: userAccountControl\nuserAccountControl: %d\n' \
    "$ADKCD_BASEDN" $((uac | 0x100000)) | ldif_modify - >/dev/null
verify "$SPN" --impersonate alice
expect_rc 8
expect_out_contains 'FAIL  TGT        tmg$@MYDOM.LOCAL -> krbtgt/MYDOM.LOCAL@MYDOM.LOCAL: NOT forwardable'
expect_out_contains 'why: the TGT of tmg$ is not forwardable'
expect_out_contains 'FAIL  account-sensitive'
run "$ADKCD" check tmg "$SPN" --impersonate alice --json
expect_rc 8
expect_verdict account-sensitive fail
t_end

t_begin "the delegating account disabled: no TGT (exit 6); check says disabled"
printf 'dn: CN=tmg,CN=Computers,%s\nchangetype: modify\nreplace: userAccountControl\nuserAccountControl: %d\n' \
    "$ADKCD_BASEDN" $(((uac | 0x2) & ~0x100000)) | ldif_modify - >/dev/null
verify "$SPN" --impersonate alice
expect_rc 6
expect_out_contains 'the account is disabled'
run "$ADKCD" check tmg "$SPN" --impersonate alice --json
expect_rc 8
expect_verdict account-enabled fail
# A TGT got before the account was disabled: the KDC refuses to go on.
run env KRB5CCNAME="$cc" "$ADKCD" verify tmg "$SPN" --impersonate alice
expect_rc 8
expect_out_contains 'the account was disabled after kinit'
t_end

# tmg enabled again, not sensitive, for the last test.
printf 'dn: CN=tmg,CN=Computers,%s\nchangetype: modify\nreplace: userAccountControl\nuserAccountControl: %d\n' \
    "$ADKCD_BASEDN" $(((uac & ~0x2) & ~0x100000)) | ldif_modify - >/dev/null

t_begin "a duplicate holder of the service: the KDC cannot pick; check lists both"
mk_computer web2
force_dup_spn "CN=web2,CN=Computers,$ADKCD_BASEDN" "$SPN"
verify "$SPN" --impersonate alice --json
expect_rc 8
expect_json '.steps[2].result == "failed"'
expect_verdict service-holder fail
run "$ADKCD" check tmg "$SPN" --impersonate alice
expect_rc 8
expect_out_contains 'FAIL  service-holder'
expect_out_contains 'web2'
t_end

t_begin "while a password is held: no core dump, not dumpable (set before it is read)"
# As another user (nobody), so that "not dumpable" shows: the kernel then
# gives the process's /proc files to root, and its own user can no longer
# read them (a control process of the same user can).
fifo=$(mktemp -u /tmp/adkcd-pw.XXXXXX)
mkfifo -m 0666 "$fifo"
setpriv --reuid=65534 --regid=65534 --clear-groups \
    "$ADKCD" verify tmg "$SPN" --impersonate alice --password-stdin \
    <"$fifo" >"$T_TMP/fifo.out" 2>&1 &
vpid=$!
exec 7>"$fifo" # opens once adkcd opened its end: it now waits for a line
setpriv --reuid=65534 --regid=65534 --clear-groups sleep 5 &
cpid=$!
core=""; owner=""
for _ in $(seq 1 50); do
    core=$(awk '/^Max core file size/ {print $5, $6}' "/proc/$vpid/limits" 2>/dev/null)
    owner=$(stat -c %u "/proc/$vpid/status" 2>/dev/null)
    [ "$core" = "0 0" ] && [ "$owner" = 0 ] && break
    sleep 0.1
done
expect_eq "$core" "0 0" "core file size limit of adkcd waiting for its password"
expect_eq "$owner" 0 "owner of /proc/PID/status of adkcd run as nobody (0: not dumpable)"
expect_eq "$(stat -c %u "/proc/$cpid/status")" 65534 "owner for a control process of nobody"
if setpriv --reuid=65534 --regid=65534 --clear-groups cat "/proc/$vpid/environ" >/dev/null 2>&1; then
    t_fail "nobody could read the environment of its own adkcd waiting for a password"
fi
setpriv --reuid=65534 --regid=65534 --clear-groups cat "/proc/$cpid/environ" >/dev/null ||
    t_fail "the control process's environment was not readable by its user"
exec 7>&- # no password after all: refused
vrc=0
wait "$vpid" || vrc=$?
kill "$cpid" 2>/dev/null || true
wait "$cpid" 2>/dev/null || true
rm -f "$fifo"
expect_eq "$vrc" 3 "exit status of verify given an empty stdin"
t_end

t_summary
