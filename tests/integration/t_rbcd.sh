#!/usr/bin/env bash
# adkcd rbcd show/add/remove/set and the state file's rbcd key against the
# sandbox DC (Samba 4.22 with the attribute writable, as on Windows):
# value-level edits checked byte for byte against Samba's own encoder,
# other ACEs kept, idempotence, dry run and LDIF through ldapmodify,
# rollback to "absent", refusals with the DC unchanged, two writers racing
# on one descriptor, and the KDC honouring what adkcd wrote (S4U2Proxy
# through resource-based delegation alone, proved by adkcd verify).
. "$(dirname "$0")/lib.sh"

ATTR=msDS-AllowedToActOnBehalfOfOtherIdentity
SPN=http/iosmdm.mydom.local
TMG_PW='Tmg-Passw0rd!'
PY=/usr/bin/python3 # Samba's bindings (an encoder independent of adkcd)

mk_user iosmdm
mk_user alice
mk_computer tmg "$TMG_PW"
mk_computer web1
mk_computer web2 'Web2-Passw0rd!'
"$ADSPN" -S "$SPN" iosmdm >/dev/null
printf '%s\n' "$TMG_PW" >"$T_TMP/tmg.pw"

sid_of() { # NAME: objectSid as S-1-...
    dc_search -b "$(dc_dn "$1")" -s base '(objectClass=*)' objectSid |
        sed -n 's/^objectSid:: //p' |
        $PY -c 'import sys,base64
from samba.dcerpc import security
from samba.ndr import ndr_unpack
print(str(ndr_unpack(security.dom_sid, base64.b64decode(sys.stdin.read()))))'
}
# The descriptor of NAME as Samba's SDDL ("" when absent).
sddl_of() {
    dc_search -b "$(dc_dn "$1")" -s base '(objectClass=*)' "$ATTR" |
        sed -n "s/^$ATTR:: //p" |
        $PY -c 'import sys,base64
from samba.dcerpc import security
from samba.ndr import ndr_unpack
d=sys.stdin.read().strip()
print(ndr_unpack(security.descriptor, base64.b64decode(d)).as_sddl() if d else "")'
}
# The raw value of NAME's descriptor, base64 ("" when absent).
b64_of() {
    dc_search -b "$(dc_dn "$1")" -s base '(objectClass=*)' "$ATTR" |
        sed -n "s/^$ATTR:: //p"
}
# Samba's encoding of SDDL, base64.
b64_sddl() {
    $PY -c 'import sys,base64
from samba.dcerpc import security
from samba.ndr import ndr_pack
sd=security.descriptor.from_sddl(sys.argv[1], security.dom_sid("S-1-5-32"))
print(base64.b64encode(ndr_pack(sd)).decode())' "$1"
}
# Write SDDL as NAME's descriptor with ldapmodify (another tool's write).
put_sddl() {
    printf 'dn: %s\nchangetype: modify\nreplace: %s\n%s:: %s\n-\n' \
        "$(dc_dn "$1")" "$ATTR" "$ATTR" "$(b64_sddl "$2")" | ldif_modify - >/dev/null
}
clear_rbcd() {
    printf 'dn: %s\nchangetype: modify\nreplace: %s\n-\n' "$(dc_dn "$1")" "$ATTR" |
        ldif_modify - >/dev/null
}
journal_size() { stat -c %s "$ADKCD_JOURNAL" 2>/dev/null || echo 0; }

TMG=$(sid_of tmg)
WEB1=$(sid_of web1)
WEB2=$(sid_of web2)

t_begin "show with nothing set; add --dry-run writes nothing"
run "$ADKCD" rbcd show iosmdm
expect_rc 0
expect_out_contains "resource-based delegation: none ($ATTR is not set)"
dc_snapshot "$T_TMP/s0"
J0=$(journal_size)
run "$ADKCD" rbcd add iosmdm tmg --dry-run
expect_rc 0
expect_out_contains 'resource-based delegation: none -> tmg$'
expect_out_contains "  + computer tmg\$  $TMG"
expect_out_contains "+ $ATTR: O:BAD:(A;;0xf01ff;;;$TMG)"
expect_out_contains 'dry run: nothing written'
run "$ADKCD" rbcd add iosmdm tmg --dry-run --detailed-exitcode
expect_rc 2
expect_dc_unchanged "$T_TMP/s0"
expect_eq "$(journal_size)" "$J0" "journal size after a dry run"
t_end

t_begin "add: the descriptor Windows' tools write, byte for byte (Samba's encoder agrees)"
run "$ADKCD" rbcd add iosmdm tmg
expect_rc 0
expect_out_contains 'Updated object (run '
expect_eq "$(b64_of iosmdm)" "$(b64_sddl "O:BAD:(A;;0xf01ff;;;$TMG)")" "descriptor bytes"
run "$ADKCD" rbcd show iosmdm --json
expect_rc 0
expect_json ".present == true and .sddl == \"O:BAD:(A;;0xf01ff;;;$TMG)\""
expect_json ".principals | length == 1 and .[0].name == \"tmg\$\" and .[0].kind == \"computer\" and .[0].sid == \"$TMG\""
expect_json '.owner == "S-1-5-32-544"'
t_end

t_begin "idempotent: adding a present principal or removing an absent one writes nothing"
dc_snapshot "$T_TMP/s1"
J1=$(journal_size)
run "$ADKCD" rbcd add iosmdm 'tmg$'
expect_rc 0
expect_out_contains 'unchanged: user iosmdm already allows (resource-based delegation): tmg$'
run "$ADKCD" rbcd remove iosmdm web1 --json
expect_rc 0
expect_json '.changed == false and (.removed | length == 0)'
run "$ADKCD" rbcd set iosmdm tmg
expect_rc 0
expect_out_contains 'unchanged'
expect_dc_unchanged "$T_TMP/s1"
expect_eq "$(journal_size)" "$J1" "journal size after no-op commands"
t_end

t_begin "add a second principal (a disabled one: warned), any ACCOUNT form; remove; set"
run "$ADKCD" rbcd add iosmdm "CN=web1,CN=Computers,$ADKCD_BASEDN"
expect_rc 0
expect_err_contains "web1\$ ($WEB1) is disabled"
expect_eq "$(b64_of iosmdm)" "$(b64_sddl "O:BAD:(A;;0xf01ff;;;$TMG)(A;;0xf01ff;;;$WEB1)")" "after add web1"
run "$ADKCD" rbcd remove iosmdm "$TMG" --json
expect_rc 0
expect_json ".changed == true and .removed[0].sid == \"$TMG\" and .after.sddl == \"O:BAD:(A;;0xf01ff;;;$WEB1)\""
expect_eq "$(b64_of iosmdm)" "$(b64_sddl "O:BAD:(A;;0xf01ff;;;$WEB1)")" "after remove tmg"
run "$ADKCD" rbcd set iosmdm tmg web2
expect_rc 0
expect_out_contains "  - computer web1\$  $WEB1"
expect_eq "$(b64_of iosmdm)" "$(b64_sddl "O:BAD:(A;;0xf01ff;;;$TMG)(A;;0xf01ff;;;$WEB2)")" "after set"
t_end

t_begin "set with no principal removes the attribute; rollback of every run restores absent exactly"
run "$ADKCD" rbcd set iosmdm
expect_rc 0
expect_eq "$(b64_of iosmdm)" "" "attribute after set to none"
run "$ADKCD" rbcd show iosmdm
expect_out_contains 'resource-based delegation: none'
# Undo the five runs of this script, newest first, as one run.
ids=$("$ADKCD" history --json | jq -r --arg a "$ATTR" '.runs[] | select(.attributes | index($a)) | .id' | tail -5 | tr '\n' ' ')
# shellcheck disable=SC2086
run "$ADKCD" rollback $ids
expect_rc 0
expect_dc_unchanged "$T_TMP/s0"
expect_eq "$(b64_of iosmdm)" "" "attribute after rollback (absent, as before the first add)"
t_end

t_begin "rollback after another writer changed the descriptor: drift refused, --force restores"
run "$ADKCD" rbcd add iosmdm tmg --json
expect_rc 0
R1=$(json_get .run_id)
put_sddl iosmdm "O:BAD:(A;;0xf01ff;;;$TMG)(A;;0xf01ff;;;$WEB2)" # another writer
dc_snapshot "$T_TMP/s4"
run "$ADKCD" rollback "$R1"
expect_rc 5
expect_err_contains "$ATTR"
expect_err_contains "now [O:BAD:(A;;0xf01ff;;;$TMG)(A;;0xf01ff;;;$WEB2)]; nothing written"
expect_dc_unchanged "$T_TMP/s4"
run "$ADKCD" rollback "$R1" --force
expect_rc 0
expect_eq "$(b64_of iosmdm)" "" "after a forced rollback of the first add (absent)"
t_end

t_begin "other ACEs, owner, group, SACL and flags are kept byte for byte"
ORIG="O:BAG:DUD:PAI(D;;CR;;;$WEB1)(A;;CR;;;$WEB2)(OA;;CR;00299570-246d-11d0-a768-00aa006e0529;;S-1-5-11)S:(AU;SA;WP;;;WD)"
put_sddl iosmdm "$ORIG"
B0=$(b64_of iosmdm)
run "$ADKCD" rbcd show iosmdm
expect_rc 0
expect_err_contains 'has 1 deny ACE, kept as they are'
expect_out_contains "computer web2\$  $WEB2"
expect_out_contains "Authenticated Users  S-1-5-11"
expect_err_contains "Authenticated Users (S-1-5-11) stands for every account of its kind"
run "$ADKCD" rbcd add iosmdm tmg
expect_rc 0
expect_eq "$(b64_of iosmdm)" "$(b64_sddl "${ORIG%%S:*}(A;;0xf01ff;;;$TMG)S:(AU;SA;WP;;;WD)")" "tmg appended, the rest as it was"
run "$ADKCD" rbcd remove iosmdm tmg
expect_rc 0
expect_eq "$(b64_of iosmdm)" "$B0" "remove gives back the exact bytes"
t_end

t_begin "refused: a principal denied first, an unknown principal, a SID no object has; the DC unchanged"
dc_snapshot "$T_TMP/s2"
J2=$(journal_size)
bad_input principal 3 -- "$ADKCD" rbcd add iosmdm web1
expect_err_contains "$WEB1 cannot be allowed: ACE 1 of the descriptor"
bad_input principal 4 -- "$ADKCD" rbcd add iosmdm nosuch --json
expect_json '.error.status == "not-found" and .problems[0].kind == "principal"'
bad_input principal 4 -- "$ADKCD" rbcd add iosmdm S-1-5-21-1-2-3-4 --json
expect_json '.problems[0].kind == "principal" and (.problems[0].message | contains("principal '"'"'S-1-5-21-1-2-3-4'"'"' (rbcd.present[1]): no object has the SID S-1-5-21-1-2-3-4"))'
bad_input principal 3 -- "$ADKCD" rbcd add iosmdm S-1-5-21-x
bad_input account 4 -- "$ADKCD" rbcd add nosuchaccount tmg
bad_input command-line 3 -- "$ADKCD" rbcd add iosmdm
bad_input command-line 3 -- "$ADKCD" rbcd frob iosmdm
bad_input command-line 3 -- "$ADKCD" rbcd show iosmdm --dry-run
bad_input principal 3 -- "$ADKCD" rbcd add iosmdm $'tm\x1bg'
expect_err_contains "account name contains a control character (0x1b) at position 3"; expect_no_control_bytes
bad_input principal 3 -- "$ADKCD" rbcd add iosmdm ''; expect_err_contains "empty account name"
bad_input principal 3 -- "$ADKCD" rbcd add iosmdm S-1-5-21-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16
expect_err_contains "is not a SID (S-1-AUTHORITY-SUB-..., at most 15 sub-authorities)"
bad_input principal 3 -- "$ADKCD" rbcd add iosmdm S-1-5-21-1-2-3-4294967296
expect_err_contains "\"S-1-5-21-1-2-3-4294967296\" is not a SID"
bad_input principal 4 -- "$ADKCD" rbcd add iosmdm S-1-1-0
expect_err_contains "no object has the SID S-1-1-0: it cannot be allowed to delegate"
bad_input principal 4 -- "$ADKCD" rbcd add iosmdm "CN=nosuch,CN=Computers,$ADKCD_BASEDN"
expect_err_contains "no account at DN 'CN=nosuch,CN=Computers,$ADKCD_BASEDN'; no group has that name either"
# Taken for a DN (it holds '='): the DC refuses it as a base (LDAP 34), a
# usage error; never a filter that matches everything.
bad_input principal 3 -- "$ADKCD" rbcd add iosmdm 'x)(objectClass=*'; expect_err_contains "Invalid DN syntax"
# Delegation to a domain controller: refused without --force.
bad_input protected 8 -- "$ADKCD" rbcd add 'DC1$' tmg
expect_err_contains 'refusing to allow resource-based delegation to a domain controller'
expect_dc_unchanged "$T_TMP/s2"
expect_eq "$(journal_size)" "$J2" "journal size after refusals"
t_end

t_begin "a SID no object has can be removed (a deleted account's)"
put_sddl iosmdm "O:BAD:(A;;0xf01ff;;;S-1-5-21-1-2-3-99999)(A;;0xf01ff;;;$TMG)"
run "$ADKCD" rbcd show iosmdm
expect_out_contains 'unknown SID (no object of the domain has it)  S-1-5-21-1-2-3-99999'
run "$ADKCD" rbcd remove iosmdm S-1-5-21-1-2-3-99999
expect_rc 0
expect_eq "$(sddl_of iosmdm)" "O:BAD:(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;$TMG)" "after removing the orphan SID"
clear_rbcd iosmdm
t_end

t_begin "--ldif: ldapmodify applies it, to the same result; its compare-and-swap refuses a stale LDIF"
run "$ADKCD" rbcd add iosmdm tmg --ldif --dry-run
expect_rc 0
cp "$OUT_FILE" "$T_TMP/first.ldif"
ldif_modify "$T_TMP/first.ldif" >/dev/null
expect_eq "$(b64_of iosmdm)" "$(b64_sddl "O:BAD:(A;;0xf01ff;;;$TMG)")" "after ldapmodify of the LDIF"
run "$ADKCD" rbcd add iosmdm web2 --ldif --dry-run
cp "$OUT_FILE" "$T_TMP/second.ldif"
put_sddl iosmdm "O:BAD:(A;;0xf01ff;;;$WEB1)" # another writer first
if ldif_modify "$T_TMP/second.ldif" >/dev/null 2>&1; then
    t_fail "a stale LDIF was applied over another writer's change"
fi
expect_eq "$(sddl_of iosmdm)" "O:BAD:(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;$WEB1)" "the other writer's value stands"
clear_rbcd iosmdm
t_end

t_begin "state file: rbcd present/exact, unchanged re-run, a bad principal placed at its line"
cat >"$T_TMP/state.yaml" <<EOF
version: 1
accounts:
  - account: iosmdm
    rbcd: {present: [tmg, web2]}
EOF
run "$ADKCD" apply "$T_TMP/state.yaml" --json
expect_rc 0
expect_json '.changed == true and .accounts[0].rbcd.after.present == true and (.accounts[0].rbcd.added | length == 2)'
expect_eq "$(sddl_of iosmdm)" "O:BAD:(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;$TMG)(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;$WEB2)" "after apply"
J3=$(journal_size)
run "$ADKCD" apply "$T_TMP/state.yaml"
expect_rc 0
expect_out_contains 'unchanged'
expect_eq "$(journal_size)" "$J3" "journal size after an unchanged apply"
cat >"$T_TMP/exact.yaml" <<EOF
version: 1
accounts:
  - account: iosmdm
    rbcd:
      exact: [web2]
EOF
run "$ADKCD" apply "$T_TMP/exact.yaml" --dry-run
expect_rc 0
expect_out_contains "resource-based delegation of iosmdm:"
expect_out_contains "  - computer tmg\$  $TMG"
run "$ADKCD" apply "$T_TMP/exact.yaml"
expect_rc 0
# apply warns as rbcd add does (a disabled principal), in text and JSON
printf 'version: 1\naccounts:\n  - account: iosmdm\n    rbcd: {present: [web1]}\n' >"$T_TMP/warn.yaml"
run "$ADKCD" apply "$T_TMP/warn.yaml" --dry-run --json
expect_rc 0
expect_json '[.warnings[] | select(contains("is disabled"))] | length == 1'
expect_eq "$(sddl_of iosmdm)" "O:BAD:(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;$WEB2)" "after exact"
dc_snapshot "$T_TMP/s3"
cat >"$T_TMP/bad.yaml" <<EOF
version: 1
accounts:
  - account: iosmdm
    rbcd: {present: [tmg, TMG]}
  - account: tmg
    rbcd: {present: [nosuch]}
EOF
bad_input state-file 3 -- "$ADKCD" apply "$T_TMP/bad.yaml"
expect_err_contains "bad.yaml:4:"
expect_err_contains "is listed twice"
sed -i 's/\[tmg, TMG\]/[tmg]/' "$T_TMP/bad.yaml"
bad_input state-plan 4 -- "$ADKCD" apply "$T_TMP/bad.yaml"
expect_err_contains "bad.yaml:5:14: accounts[2] (tmg): principal 'nosuch'"
expect_err_contains "principal 'nosuch'"
expect_dc_unchanged "$T_TMP/s3"
clear_rbcd iosmdm
t_end

t_begin "export writes rbcd exact (names that find the same object again, else SIDs); export | apply is a no-op"
mk_user webgrp_user
printf 'dn: CN=webgrp,CN=Users,%s\nobjectClass: group\nsAMAccountName: webgrp\n' "$ADKCD_BASEDN" |
    ldapadd -Y GSSAPI -Q -H "$ADKCD_DC_URI" >/dev/null
GRP=$(sid_of webgrp)
put_sddl iosmdm "O:BAD:(A;;0xf01ff;;;$TMG)(A;;0xf01ff;;;$GRP)(A;;0xf01ff;;;S-1-5-21-1-2-3-99999)"
run "$ADKCD" export iosmdm
expect_rc 0
cp "$OUT_FILE" "$T_TMP/export.yaml"
expect_out_contains 'rbcd:'
expect_out_contains '- tmg$'
expect_out_contains '- webgrp'
expect_out_contains '- S-1-5-21-1-2-3-99999'
J4=$(journal_size)
dc_snapshot "$T_TMP/s5"
run "$ADKCD" apply "$T_TMP/export.yaml"
expect_rc 0
expect_out_contains 'unchanged'
expect_dc_unchanged "$T_TMP/s5"
expect_eq "$(journal_size)" "$J4" "journal after export | apply"
# The whole domain's export includes an account with resource-based
# delegation alone.
run "$ADKCD" export
expect_out_contains '- account: iosmdm'
# A descriptor a list cannot say is left out, with a warning.
put_sddl iosmdm "O:BAD:(D;;CR;;;$WEB1)(A;;0xf01ff;;;$TMG)"
run "$ADKCD" export iosmdm
expect_rc 0
expect_err_contains 'its rbcd is left out'
expect_out_not_contains 'rbcd:'
# An old export cannot bring back a SID no object has: refused whole.
clear_rbcd iosmdm
dc_snapshot "$T_TMP/s6"
bad_input state-plan 4 -- "$ADKCD" apply "$T_TMP/export.yaml"
expect_err_contains 'no object has the SID S-1-5-21-1-2-3-99999'
expect_dc_unchanged "$T_TMP/s6"
clear_rbcd iosmdm
t_end

t_begin "two writers race on one descriptor: no principal is lost (compare-and-swap, re-planned)"
N=12
mk_computers ra "$N"
mk_computers rb "$N"
worker() { # PREFIX
    local i fail=0
    for i in $(seq 1 "$N"); do
        "$ADKCD" --json rbcd add iosmdm "$1$i" >>"$T_TMP/$1.json" 2>>"$T_TMP/$1.err" || fail=1
    done
    return $fail
}
worker ra & pa=$!
worker rb & pb=$!
wa=0; wb=0
wait "$pa" || wa=$?
wait "$pb" || wb=$?
expect_eq "$wa/$wb" "0/0" "both writers' exit statuses"
got=$("$ADKCD" rbcd show iosmdm --json | jq '.principals | length')
expect_eq "$got" "$((2 * N))" "principals allowed after the race"
retried=$(jq -s '[.[] | select(.attempts > 1)] | length' "$T_TMP/ra.json" "$T_TMP/rb.json")
_t_say "  writes that lost a race and were re-planned: $retried"
clear_rbcd iosmdm
t_end

t_begin "the KDC honours what adkcd wrote: S4U2Proxy through resource-based delegation alone"
# tmg$ has no msDS-AllowedToDelegateTo; with protocol transition allowed
# (Samba's KDC needs it for resource-based delegation, Windows' does not).
"$ADKCD" set tmg --mode none >/dev/null
uac=$(dc_attr tmg userAccountControl)
printf 'dn: %s\nchangetype: modify\ndelete: userAccountControl\nuserAccountControl: %s\n-\nadd: userAccountControl\nuserAccountControl: %s\n-\n' \
    "$(dc_dn tmg)" "$uac" "$((uac | 0x1000000))" | ldif_modify - >/dev/null
RUN_STDIN=$T_TMP/tmg.pw run "$ADKCD" verify tmg "$SPN" --impersonate alice --password-stdin
expect_rc 8
run "$ADKCD" rbcd add iosmdm tmg
expect_rc 0
RUN_STDIN=$T_TMP/tmg.pw run "$ADKCD" verify tmg "$SPN" --impersonate alice --password-stdin
expect_rc 0
expect_out_contains 'ok    S4U2Proxy'
run "$ADKCD" rbcd remove iosmdm tmg
expect_rc 0
RUN_STDIN=$T_TMP/tmg.pw run "$ADKCD" verify tmg "$SPN" --impersonate alice --password-stdin
expect_rc 8
t_end

t_begin "a stock Samba DC (the attribute system-only) refuses the write: the DC's refusal, a hint, nothing written"
# Undo the template's schema edit on this run's copy: as every Samba
# release ships it.
"$ADKCD_DC_CTL" stop
printf 'dn: CN=ms-DS-Allowed-To-Act-On-Behalf-Of-Other-Identity,CN=Schema,CN=Configuration,%s\nchangetype: modify\nreplace: systemOnly\nsystemOnly: TRUE\n-\n' \
    "$ADKCD_BASEDN" |
    ldbmodify -H "tdb://$ADKCD_DC_DIR/private/sam.ldb.d/CN=SCHEMA,CN=CONFIGURATION,${ADKCD_BASEDN^^}.ldb" >/dev/null
"$ADKCD_DC_CTL" start
dc_snapshot "$T_TMP/s6"
J6=$(journal_size)
run "$ADKCD" rbcd add iosmdm tmg
[ "$RC" -ne 0 ] || t_fail "a stock Samba DC accepted the write" "$(_t_last_run)"
expect_rc 5
expect_err_contains "Constraint violation (LDAP 19): 0000202F: objectclass_attrs: attribute '$ATTR'"
expect_err_contains "hint: Samba DCs refuse LDAP writes of $ATTR: their schema marks the attribute system-only"
printf 'version: 1\naccounts:\n  - account: iosmdm\n    rbcd: {present: [tmg]}\n' >"$T_TMP/stock.yaml"
run "$ADKCD" apply "$T_TMP/stock.yaml"
expect_rc 5
expect_err_contains "hint: Samba DCs refuse LDAP writes of $ATTR"
expect_dc_unchanged "$T_TMP/s6"
_t_say "  exit $RC; journal grew by $(( $(journal_size) - J6 )) bytes (the refused change is journaled as failed)"
t_end

t_summary
