#!/usr/bin/env bash
# adkcd history and rollback: exact restores (absent stays absent), several
# runs and accounts as one run, adspn runs too, drift refusal, LDIF, and a
# rollback cut off half-way by the DC dying, then finished.
. "$(dirname "$0")/lib.sh"

mk_user iosmdm
mk_computer tmg 'Tmg-Passw0rd!'
mk_computer web 'Web-Passw0rd!'
SPN=http/iosmdm.mydom.local
uac() { dc_attr "$1" userAccountControl; }
svcs() { dc_attr "$1" msDS-AllowedToDelegateTo; }
last_id() { "$ADKCD" history --json | jq -r '.runs[-1].id'; }

t_begin "rollback last restores exactly, attribute absent again"
dc_snapshot "$ADKCD_TMP/s0"
"$ADKCD" add tmg "$SPN" --any-protocol >/dev/null
id1=$(last_id)
run "$ADKCD" rollback last
expect_rc 0
expect_out_contains "Rolling back $id1"
expect_out_contains "- msDS-AllowedToDelegateTo: $SPN"
expect_out_contains "Rolled back (run "
expect_dc_unchanged "$ADKCD_TMP/s0"
expect_eq "$(dc_search -b "CN=tmg,CN=Computers,$ADKCD_BASEDN" -s base '(msDS-AllowedToDelegateTo=*)' 1.1 | grep -c '^dn:')" "0" "attribute absent"
t_end

t_begin "history lists runs, the rollback with what it undid"
run "$ADKCD" history
expect_rc 0
expect_out_contains "$id1"
expect_out_contains "computer tmg\$: userAccountControl msDS-AllowedToDelegateTo"
expect_out_contains "(rollback of $id1)"
run "$ADKCD" history --json
expect_json '(.runs | length) == 2 and .runs[0].tool == "adkcd" and .runs[0].status == "ok"'
expect_json ".runs[1].rollback_of == \"$id1\" and .runs[0].identity != \"\""
expect_json '.runs[0].command | startswith("adkcd add tmg http/iosmdm.mydom.local --any-protocol")'
t_end

t_begin "rolling back a run already undone: unchanged"
dc_snapshot "$ADKCD_TMP/s1"
run "$ADKCD" rollback "$id1"
expect_rc 0
expect_out_contains "unchanged"
expect_dc_unchanged "$ADKCD_TMP/s1"
t_end

t_begin "several runs and accounts, adspn's too, undone newest first as one run"
dc_snapshot "$ADKCD_TMP/s2"
"$ADKCD" add tmg "$SPN" >/dev/null; a=$(last_id)
"$ADKCD" add tmg http/web.mydom.local --any-protocol >/dev/null; b=$(last_id)
"$ADSPN" -S http/svc.mydom.local web >/dev/null; c=$(last_id)
"$ADKCD" set web --mode unconstrained >/dev/null 2>&1; d=$(last_id)
run "$ADKCD" rollback "$a" "$b" "$c" "$d" --dry-run
expect_rc 0
expect_out_contains "dry run: nothing written"
run "$ADKCD" rollback "${a:0:8}" "$b" "$c" "$d"
expect_rc 0
expect_dc_unchanged "$ADKCD_TMP/s2"
expect_eq "$("$ADKCD" history --json | jq -r '.runs[-1].rollback_of | split(" ") | length')" "4" "runs undone by one rollback"
t_end

t_begin "a run that changed only services: a later flag change by someone else is no drift and stays"
"$ADKCD" add web http/one.mydom.local >/dev/null; r1=$(last_id)
"$ADKCD" add web http/one.mydom.local --any-protocol --journal "$ADKCD_TMP/other.ldif" >/dev/null
run "$ADKCD" rollback "$r1"
expect_rc 0
expect_eq "$(svcs web)" "" "services of web after the rollback"
expect_eq "$(uac web)" "16781312" "the other admin's protocol transition is kept"
"$ADKCD" set web --mode none --journal "$ADKCD_TMP/other.ldif" >/dev/null
t_end

t_begin "rolling back the same runs twice, and chains of changes to one attribute"
dc_snapshot "$ADKCD_TMP/c0"
"$ADKCD" add web http/a.mydom.local >/dev/null; ra=$(last_id)
"$ADKCD" add web http/b.mydom.local >/dev/null; rb=$(last_id)
run "$ADKCD" rollback "$ra" "$rb"
expect_rc 0
expect_dc_unchanged "$ADKCD_TMP/c0"
run "$ADKCD" rollback "$ra" "$rb"
expect_rc 0
expect_out_contains "unchanged"
expect_dc_unchanged "$ADKCD_TMP/c0"
t_end

t_begin "rollback --dry-run --ldif: the inverse as LDIF that ldapmodify applies"
dc_snapshot "$ADKCD_TMP/s3"
"$ADKCD" add tmg "$SPN" --any-protocol >/dev/null
run "$ADKCD" rollback last --dry-run --ldif
expect_rc 0
expect_out_contains "delete: msDS-AllowedToDelegateTo"
expect_out_contains "delete: userAccountControl"
printf '%s\n' "$OUT" > "$ADKCD_TMP/undo.ldif"
ldif_modify "$ADKCD_TMP/undo.ldif" >/dev/null 2>&1 || t_fail "ldapmodify refused the rollback LDIF"
expect_dc_unchanged "$ADKCD_TMP/s3"
t_end

t_begin "a value another writer added since the run is no drift: it stays, the run's value goes"
"$ADKCD" add tmg "$SPN" >/dev/null
ldif_modify >/dev/null <<LDIF
dn: CN=tmg,CN=Computers,$ADKCD_BASEDN
changetype: modify
add: msDS-AllowedToDelegateTo
msDS-AllowedToDelegateTo: cifs/someone.else
-
LDIF
run "$ADKCD" rollback last
expect_rc 0
expect_out_contains "- msDS-AllowedToDelegateTo: $SPN"
expect_eq "$(dc_attr tmg msDS-AllowedToDelegateTo)" "cifs/someone.else" "services after the rollback"
ldif_modify >/dev/null <<LDIF
dn: CN=tmg,CN=Computers,$ADKCD_BASEDN
changetype: modify
delete: msDS-AllowedToDelegateTo
msDS-AllowedToDelegateTo: cifs/someone.else
-
LDIF
expect_dc_unchanged "$ADKCD_TMP/s3"
t_end

t_begin "drift: refused with the drift listed, nothing written; --force restores"
"$ADKCD" add tmg "$SPN" --any-protocol >/dev/null
# Someone else makes tmg unconstrained as well: the delegation bits the
# run left (16781312) are no longer there.
ldif_modify >/dev/null <<LDIF
dn: CN=tmg,CN=Computers,$ADKCD_BASEDN
changetype: modify
replace: userAccountControl
userAccountControl: 17305600
-
LDIF
dc_snapshot "$ADKCD_TMP/s4"
run "$ADKCD" rollback last
expect_rc 5
expect_err_contains "drifted since the run"
expect_err_contains "CN=tmg,CN=Computers,$ADKCD_BASEDN userAccountControl: the run left"
expect_err_contains "17305600"
expect_err_contains "; nothing written
adkcd: hint: --force restores the earlier values anyway"
expect_dc_unchanged "$ADKCD_TMP/s4"
run "$ADKCD" --json rollback last
expect_rc 5
expect_json '.error.status == "conflict" and .applied == false and (.drifts | length) == 1'
expect_json '.error.hints == ["force-drift"]'
expect_json '.drifts[0].attribute == "userAccountControl"'
expect_dc_unchanged "$ADKCD_TMP/s4"
run "$ADKCD" rollback last --force
expect_rc 0
expect_err_contains "--force restores it anyway"
expect_dc_unchanged "$ADKCD_TMP/s3"
t_end

t_begin "unknown run, empty journal, journal that cannot be read or written"
dc_snapshot "$ADKCD_TMP/s5"
bad_input journal 4 -- "$ADKCD" rollback 00000000-0000-0000-0000-000000000000
expect_err_contains "no run '00000000-0000-0000-0000-000000000000'"
bad_input journal 4 -- "$ADKCD" --journal "$ADKCD_TMP/none.ldif" rollback last
run "$ADKCD" --journal "$ADKCD_TMP/none.ldif" history
expect_rc 0
expect_out_contains "no runs in $ADKCD_TMP/none.ldif"
printf 'dn: garbage\nchangetype: modify\nreplace: x\nx: y\n-\n' > "$ADKCD_TMP/bad.ldif"
bad_input journal 1 -- "$ADKCD" --journal "$ADKCD_TMP/bad.ldif" history
expect_err_contains "$ADKCD_TMP/bad.ldif"
mkdir -p "$ADKCD_TMP/dir.ldif"
bad_input journal 1 -- "$ADKCD" --journal "$ADKCD_TMP/dir.ldif" add tmg http/web.mydom.local
expect_err_contains "$ADKCD_TMP/dir.ldif"
bad_input journal 1 -- "$ADSPN" --journal "$ADKCD_TMP/dir.ldif" -S http/x.mydom.local iosmdm
expect_dc_unchanged "$ADKCD_TMP/s5"
t_end

t_begin "runs that interleave on one object are undone in the journal's order of changes"
mk_computer i1 'I-Passw0rd!x'; mk_computer i2 'I-Passw0rd!x'
dc_snapshot "$ADKCD_TMP/i0"
A=11111111-1111-4111-8111-111111111111 B=22222222-2222-4222-8222-222222222222
I1="CN=i1,CN=Computers,$ADKCD_BASEDN" I2="CN=i2,CN=Computers,$ADKCD_BASEDN"
A2D=msDS-AllowedToDelegateTo
hdr() { printf '# run: %s\n# time: 2026-11-24T15:00:00Z\n# tool: adkcd\n# server: %s\n# identity: krb5:administrator@%s\n# command: %s\n\n' "$1" "$ADKCD_DC_URI" "$ADKCD_REALM" "$2"; }
chg() {  # RUN SEQ LABEL DN VALUE [BEFORE-VALUE]
    printf '# change: %s %s\n# label: %s\n# attrs: %s\n' "$1" "$2" "$3" "$A2D"
    [ -z "${6:-}" ] || printf '# before: %s: %s\n# after: %s: %s\n' "$A2D" "$6" "$A2D" "$6"
    printf '# after: %s: %s\ndn: %s\nchangetype: modify\nadd: %s\n%s: %s\n-\n\n' "$A2D" "$5" "$4" "$A2D" "$A2D" "$5"
}
# Run A starts first (its header comes first), run B's change to i1 is
# applied between two of A's changes.
{
    hdr "$A" "adkcd add (run A)"
    chg "$A" 1 'computer i2$' "$I2" http/a2.mydom.local
    hdr "$B" "adkcd add (run B)"
    chg "$B" 1 'computer i1$' "$I1" http/b.mydom.local
    chg "$A" 2 'computer i1$' "$I1" http/a1.mydom.local http/b.mydom.local
    printf '# end: %s ok\n\n# end: %s ok\n\n' "$B" "$A"
} > "$ADKCD_TMP/interleaved.ldif"
# The directory as those runs left it.
grep -v '^#' "$ADKCD_TMP/interleaved.ldif" | ldif_modify >/dev/null ||
    t_fail "could not apply the interleaved runs"
run "$ADKCD" --journal "$ADKCD_TMP/interleaved.ldif" rollback "$A" "$B" --dry-run
expect_rc 0
run "$ADKCD" --journal "$ADKCD_TMP/interleaved.ldif" rollback "$B" "$A"
expect_rc 0
expect_dc_unchanged "$ADKCD_TMP/i0"
t_end

t_begin "a rollback cut off half-way by the DC dying: the journal says what was applied; then finished"
N=300
mk_computers h "$N"
dc_snapshot "$ADKCD_TMP/before"
{
    echo "version: 1"
    echo "accounts:"
    for i in $(seq 1 "$N"); do
        printf -- '- account: h%d$\n  delegation: {mode: constrained, protocol_transition: true, services: {present: [%s]}}\n' "$i" "$SPN"
    done
} > "$ADKCD_TMP/many.yaml"
run "$ADKCD" apply "$ADKCD_TMP/many.yaml"
expect_rc 0
applyid=$(last_id)
napplied=$(grep -c '^# applied: ' "$ADKCD_JOURNAL")
"$ADKCD" rollback "$applyid" >"$ADKCD_TMP/rb.out" 2>&1 &
rb=$!
# Kill the DC once this rollback has recorded its first applied change.
for _ in $(seq 1 2000); do
    [ "$(grep -c '^# applied: ' "$ADKCD_JOURNAL")" -gt "$napplied" ] && break
    sleep 0.002
done
"$ADKCD_DC_CTL" stop
wait "$rb"; rbrc=$?
[ "$rbrc" -ne 0 ] || t_fail "the rollback did not notice the DC going away"
"$ADKCD" history --json | jq '.runs[-1]' > "$ADKCD_TMP/rbrun.json"
expect_eq "$(jq -r .status "$ADKCD_TMP/rbrun.json")" "failed" "status of the cut-off rollback"
done_n=$(jq .changes "$ADKCD_TMP/rbrun.json")
[[ $done_n -ge 1 && $done_n -lt $N ]] || t_fail "expected a partial rollback, journal has $done_n of $N applied"
"$ADKCD_DC_CTL" start
# The journal is exact: what it says was applied was, what it says was
# refused or never sent was not; only changes in doubt may be either.
jq -r '.accounts[]' "$ADKCD_TMP/rbrun.json" | sed 's/^computer //; s/\$$//' | sort > "$ADKCD_TMP/rolled"
jq -r '.in_doubt_accounts[]' "$ADKCD_TMP/rbrun.json" | sed 's/^computer //; s/\$$//' | sort > "$ADKCD_TMP/doubt"
bad=0
while read -r name value; do
    if grep -qx "$name" "$ADKCD_TMP/rolled"; then
        [ "$value" = 4098 ] || bad=$((bad + 1))
    elif ! grep -qx "$name" "$ADKCD_TMP/doubt"; then
        [ "$value" = 16781314 ] || bad=$((bad + 1))
    fi
done < <(uac_of_all h)
expect_eq "$bad" 0 "accounts whose state the journal of the cut-off rollback does not explain"
run "$ADKCD" rollback "$applyid"
expect_rc 0
expect_dc_unchanged "$ADKCD_TMP/before"
t_end

t_summary
