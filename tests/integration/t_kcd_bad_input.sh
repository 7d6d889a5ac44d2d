#!/usr/bin/env bash
# adkcd bad input: clear error, exit code, nothing written, nothing journaled.
. "$(dirname "$0")/lib.sh"

mk_computer tmg 'Tmg-Passw0rd!'
dc_snapshot "$ADKCD_TMP/s0"

t_begin "malformed services are refused before anything is sent"
for svc in "" "http" "http/" "http/a b" "http/x:0" "http/x@REALM" "garbage value" "http/a/b/c"; do
    run "$ADKCD" add tmg "$svc"
    expect_rc 3
    expect_err_contains "service 1: invalid SPN"
    run "$ADKCD" set tmg --mode constrained --services "http/ok.mydom.local,$svc"
    expect_rc 3
    expect_err_contains "service 2: invalid SPN"
done
run "$ADKCD" set tmg --mode constrained --services "http/a.mydom.local,,http/b.mydom.local"
expect_rc 3; expect_err_contains "service 2: invalid SPN: it is empty"
KRB5CCNAME="FILE:$ADKCD_TMP/none" run "$ADKCD" add tmg "http/x y"
expect_rc 3
expect_dc_unchanged "$ADKCD_TMP/s0"
t_end

t_begin "unknown accounts"
run "$ADKCD" add nosuch http/x.mydom.local
expect_rc 4; expect_err_contains "no computer 'nosuch\$' or user 'nosuch'"
run "$ADKCD" show 'x)(objectClass=*'
expect_rc 4
run "$ADKCD" add $'tm\x01g' http/x.mydom.local
expect_rc 3; expect_err_contains "control character"
run "$ADKCD" --user show tmg
expect_rc 4
expect_dc_unchanged "$ADKCD_TMP/s0"
t_end

t_begin "conflicting and misplaced options, missing arguments"
run "$ADKCD" add tmg http/x.mydom.local --any-protocol --kerberos-only
expect_rc 3; expect_err_contains "--any-protocol and --kerberos-only exclude each other"
# The library's rules (problem ids), worded by adkcd in its options.
run "$ADKCD" remove tmg http/x.mydom.local --any-protocol
expect_rc 3; expect_err_contains "adkcd: remove takes neither --any-protocol nor --kerberos-only"
run "$ADKCD" remove tmg http/x.mydom.local --kerberos-only --json
expect_rc 3; expect_json '.error.status == "usage" and (.error.message | startswith("remove takes neither --any-protocol nor --kerberos-only"))'
run "$ADKCD" set tmg
expect_rc 3; expect_err_contains "set needs --mode"
run "$ADKCD" set tmg --mode sideways
expect_rc 3; expect_err_contains "--mode takes none, unconstrained or constrained, not 'sideways'"
run "$ADKCD" set tmg --mode constrained
expect_rc 3; expect_err_contains "adkcd: --mode constrained needs --services S1,S2,..."
run "$ADKCD" set tmg --mode none --services http/x.mydom.local
expect_rc 3; expect_err_contains "adkcd: --services goes with --mode constrained only"
run "$ADKCD" set tmg --mode unconstrained --any-protocol
expect_rc 3; expect_err_contains "adkcd: --any-protocol and --kerberos-only go with --mode constrained only"
run "$ADKCD" add tmg
expect_rc 3; expect_err_contains "add needs ACCOUNT and at least one SERVICE"
run "$ADKCD" add tmg http/x.mydom.local --mode none
expect_rc 3; expect_err_contains "--mode and --services go with set only"
run "$ADKCD" show
expect_rc 3
run "$ADKCD" show tmg --dry-run
expect_rc 3
run "$ADKCD" history extra
expect_rc 3
run "$ADKCD" rollback
expect_rc 3; expect_err_contains "rollback needs RUN-ID... or last"
run "$ADKCD"
expect_rc 3; expect_err_contains "say what to do"
run "$ADKCD" frobnicate
expect_rc 3; expect_err_contains "unknown verb 'frobnicate'"
run "$ADKCD" set tmg --mode none --force=no
expect_rc 3; expect_err_contains "--force takes no value"
run "$ADKCD" add tmg http/x.mydom.local --any-protocol=yes
expect_rc 3; expect_err_contains "--any-protocol takes no value"
run "$ADKCD" add tmg http/x.mydom.local --bogus
expect_rc 3; expect_err_contains "unknown option '--bogus'"
run "$ADKCD" --json add tmg
expect_rc 3; expect_json '.error.status == "usage"'
expect_dc_unchanged "$ADKCD_TMP/s0"
[ ! -e "$ADKCD_JOURNAL" ] || t_fail "refused commands wrote the journal"
t_end

t_begin "no place for the journal: refused before connecting, nothing written"
( unset XDG_STATE_HOME; HOME="" KRB5CCNAME="FILE:$ADKCD_TMP/none" \
    "$ADKCD" add tmg http/x.mydom.local ) >"$ADKCD_TMP/o" 2>"$ADKCD_TMP/e"
expect_eq "$?" "1" "exit status"
grep -q "no place for the journal" "$ADKCD_TMP/e" || t_fail "no journal message: $(cat "$ADKCD_TMP/e")"
( unset XDG_STATE_HOME; HOME="" "$ADSPN" -S http/x.mydom.local tmg ) >/dev/null 2>&1 &&
    t_fail "adspn wrote without a journal"
expect_dc_unchanged "$ADKCD_TMP/s0"
t_end

t_begin "each verb takes the options the verb table gives it, and no other"
dc_snapshot "$ADKCD_TMP/s9"
run "$ADKCD" history --force
expect_rc 3; expect_err_contains "history takes no --force"
run "$ADKCD" export --dry-run
expect_rc 3; expect_err_contains "--dry-run and --ldif apply to changes (add, remove, set, rollback, apply, rbcd)"
run "$ADKCD" show tmg --mode none
expect_rc 3; expect_err_contains "--mode and --services go with set only"
run "$ADKCD" rollback last -C
expect_rc 3; expect_err_contains "rollback takes no --computer/--user"
run "$ADKCD" apply x.yaml --any-protocol
expect_rc 3; expect_err_contains "apply takes neither --any-protocol nor --kerberos-only"
run "$ADKCD" add tmg http/x.mydom.local --stop-on-error
expect_rc 3; expect_err_contains "--stop-on-error goes with apply, not add"
run "$ADKCD" audit --impersonate alice
expect_rc 3; expect_err_contains "--impersonate goes with check and verify, not audit"
expect_dc_unchanged "$ADKCD_TMP/s9"
t_end

t_begin "--help and --version"
run "$ADKCD" --help
expect_rc 0; expect_out_contains "Usage: adkcd"; expect_out_contains "rollback RUN-ID...|last"
run "$ADKCD" --version
expect_rc 0
t_end

t_summary
