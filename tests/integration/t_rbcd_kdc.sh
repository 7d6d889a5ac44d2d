#!/usr/bin/env bash
# Resource-based constrained delegation (RBCD) with the sandbox DC's KDC
# (Samba 4.22): adkcd verify (the real S4U2Self + S4U2Proxy as tmg$) and
# adkcd check, with iosmdm's msDS-AllowedToActOnBehalfOfOtherIdentity
# written here with ldapmodify (a descriptor packed by Samba's own Python
# bindings) and tmg$ without msDS-AllowedToDelegateTo unless said:
#   (a) RBCD with protocol transition on tmg$: works; verify says it went
#       through resource-based delegation
#   (b) RBCD without protocol transition: Samba's KDC refuses the
#       non-forwardable S4U2Self ticket (Windows' would take it); check
#       warns (never passes) and verify gives that warning as the cause
#   (c) a descriptor naming another SID: refused; both say neither allows
#   (d) constrained and RBCD: works, by either (the KDC does not say;
#       Samba's log shows it checks RBCD first); Kerberos only: refused
#       as in (b); constrained alone: by constrained delegation
#   (e) a sensitive user (NOT_DELEGATED): refused; check fails
#   (f) tmg$ itself sensitive: refused; check warns
# check and verify never change the directory, the descriptor included.
. "$(dirname "$0")/lib.sh"

SPN=http/iosmdm.mydom.local
TMG_PW='Tmg-Passw0rd!'
WS=$((0x1000)) T2A=$((0x1000000)) NOTDEL=$((0x100000))
RBCD=msDS-AllowedToActOnBehalfOfOtherIdentity
# The snapshots of expect_dc_unchanged cover the descriptor too.
DC_SNAPSHOT_ATTRS+=("$RBCD")

mk_user iosmdm
mk_user alice
mk_user other
mk_computer tmg "$TMG_PW"
"$ADSPN" -S "$SPN" iosmdm >/dev/null
printf '%s\n' "$TMG_PW" >"$T_TMP/tmg.pw"

# The pyenv python3 on PATH has no Samba bindings.
PY=/usr/bin/python3
# sid_of NAME: the objectSid of account NAME as S-1-5-...
sid_of() {
    dc_search -b "$(dc_dn "$1")" -s base '(objectClass=*)' objectSid |
        sed -n 's/^objectSid:: //p' |
        "$PY" -c 'import sys, base64
from samba.dcerpc import security
from samba.ndr import ndr_unpack
print(ndr_unpack(security.dom_sid, base64.b64decode(sys.stdin.read())))'
}
# set_rbcd NAME SID: NAME's descriptor allows SID alone (owner BA, one
# ACCESS_ALLOWED ACE with 0xF01FF, as Windows writes it).
set_rbcd() {
    local sd
    sd=$("$PY" -c 'import sys, base64
from samba.dcerpc import security
from samba.ndr import ndr_pack
sd = security.descriptor.from_sddl("O:BAD:(A;;0xf01ff;;;%s)" % sys.argv[1],
                                   security.dom_sid("S-1-5-32"))
print(base64.b64encode(ndr_pack(sd)).decode())' "$2")
    printf 'dn: %s\nchangetype: modify\nreplace: %s\n%s:: %s\n' \
        "$(dc_dn "$1")" "$RBCD" "$RBCD" "$sd" | ldif_modify - >/dev/null
}
clear_rbcd() {
    printf 'dn: %s\nchangetype: modify\ndelete: %s\n' "$(dc_dn "$1")" "$RBCD" |
        ldif_modify - >/dev/null
}
# rbcd_sids NAME: the SIDs NAME's descriptor allows, as the DC holds it.
rbcd_sids() {
    dc_search -b "$(dc_dn "$1")" -s base '(objectClass=*)' "$RBCD" |
        sed -n "s/^$RBCD:: //p" |
        "$PY" -c 'import sys, base64
from samba.dcerpc import security
from samba.ndr import ndr_unpack
data = sys.stdin.read().strip()
if data:
    sd = ndr_unpack(security.descriptor, base64.b64decode(data))
    print(" ".join("%s:%#x" % (a.trustee, a.access_mask) for a in sd.dacl.aces))'
}
set_uac() {
    printf 'dn: %s\nchangetype: modify\nreplace: userAccountControl\nuserAccountControl: %d\n' \
        "$(dc_dn "$1")" "$2" | ldif_modify - >/dev/null
}

# verify as tmg$ with its password on stdin.
verify() { RUN_STDIN=$T_TMP/tmg.pw run "$ADKCD" verify tmg "$SPN" --password-stdin "$@"; }
check() { run "$ADKCD" check tmg "$SPN" "$@"; }
# The verdict of one finding in the last run's JSON (check or verify).
verdict() { jq -r --arg id "$1" '(.findings // .causes)[] | select(.id == $id) | .verdict' <"$OUT_FILE"; }
expect_verdict() { expect_eq "$(verdict "$1")" "$2" "verdict of $1"; }
journal_size() { stat -c %s "$ADKCD_JOURNAL" 2>/dev/null || echo 0; }
# The KDC's own answer, without adkcd: kvno -U alice -P as tmg$.
kdc_says() {
    local cc
    cc=$(kinit_as 'tmg$' "$TMG_PW")
    run env KRB5CCNAME="$cc" kvno -U "$1" -P "$SPN"
}

TMG_SID=$(sid_of 'tmg$')
OTHER_SID=$(sid_of other)

t_begin "(b) resource-based delegation without protocol transition: Samba's KDC refuses; check warns"
set_rbcd iosmdm "$TMG_SID"
set_uac 'tmg$' "$WS"
expect_eq "$(rbcd_sids iosmdm)" "$TMG_SID:0xf01ff" "iosmdm's descriptor"
expect_eq "$(dc_attr 'tmg$' msDS-AllowedToDelegateTo)" "" "tmg\$'s msDS-AllowedToDelegateTo"
expect_eq "$(dc_attr 'tmg$' userAccountControl)" "$WS" "tmg\$'s userAccountControl"
dc_snapshot "$T_TMP/sb"
J0=$(journal_size)
kdc_says alice
expect_rc 1
expect_err_contains "KDC can't fulfill requested option"
verify --impersonate alice --json
expect_rc 8
expect_json '.ok == false and .via == null'
expect_json '[.steps[].result] == ["ok", "not-forwardable", "failed"]'
expect_json '.steps[2].error_name == "KDC_ERR_BADOPTION"'
expect_json '.why | startswith("the S4U2Self ticket is not forwardable")'
expect_json '.why | test("so does resource-based delegation on Samba.s KDC")'
# The one cause: the warning check gives, not "no cause".
expect_json '[.causes[] | [.id, .verdict, .fix_id]] == [["protocol-transition", "warn", "protocol-transition-only"]]'
verify --impersonate alice
expect_rc 8
expect_out_contains 'FAIL  S4U2Self   alice@MYDOM.LOCAL -> tmg$@MYDOM.LOCAL: NOT forwardable'
expect_out_contains 'WARN  protocol-transition  tmg$ is Kerberos only (no TRUSTED_TO_AUTH_FOR_DELEGATION 0x1000000), so its S4U2Self tickets are not forwardable: Windows KDCs (2012 and later) accept such a ticket for the resource-based delegation that iosmdm allows, but Samba'"'"'s KDC (4.22, as tested) refuses S4U2Proxy with it (KDC_ERR_BADOPTION)'
expect_out_contains "fix: for Samba's KDC, allow protocol transition on tmg\$ without adding services (TRUSTED_TO_AUTH_FOR_DELEGATION 0x1000000): samba-tool delegation for-any-protocol 'tmg\$' on"
expect_out_not_contains 'the directory shows no cause'
expect_out_not_contains 'via:'
check --impersonate alice --json
expect_rc 0
expect_json '.ok == true and .counts.warn == 1 and .counts.fail == 0'
expect_verdict protocol-transition warn
expect_verdict resource-based pass
expect_verdict mode pass
expect_verdict service-listed pass
check --impersonate alice
expect_rc 0
expect_out_contains 'result: 0 failed, 1 warning, 12 passed: nothing stops the delegation; see the warnings'
# Without a user (no S4U2Self), Kerberos-only RBCD passes, saying why.
check --json
expect_rc 0
expect_verdict protocol-transition pass
expect_json '.findings[] | select(.id == "protocol-transition") | .message | test("needs that flag as well, Windows KDCs do not")'
expect_dc_unchanged "$T_TMP/sb"
expect_eq "$(journal_size)" "$J0" "journal size after check and verify"
t_end

t_begin "(a) the fix of (b): protocol transition alone on tmg\$; verify works through resource-based delegation"
samba-tool delegation for-any-protocol 'tmg$' on -H "$ADKCD_DC_URI" --use-kerberos=required >/dev/null
expect_eq "$(dc_attr 'tmg$' userAccountControl)" "$((WS | T2A))" "tmg\$'s userAccountControl after the fix"
expect_eq "$(dc_attr 'tmg$' msDS-AllowedToDelegateTo)" "" "tmg\$'s msDS-AllowedToDelegateTo after the fix"
dc_snapshot "$T_TMP/sa"
kdc_says alice
expect_rc 0
verify --impersonate alice --json
expect_rc 0
expect_json '.ok == true and .via == "resource-based" and .why == null and .causes == []'
expect_json '[.steps[].result] == ["ok", "ok", "ok"]'
expect_json '.steps[2].ticket.server == "http/iosmdm.mydom.local@MYDOM.LOCAL" and .steps[2].ticket.client == "alice@MYDOM.LOCAL"'
verify --impersonate alice
expect_rc 0
expect_out_contains 'result: the delegation works: tmg$ obtained a service ticket for http/iosmdm.mydom.local in the name of alice@MYDOM.LOCAL'
expect_out_contains 'via: resource-based delegation (inferred from the directory: the KDC does not say): the msDS-AllowedToActOnBehalfOfOtherIdentity of the service'"'"'s account allows tmg$, and http/iosmdm.mydom.local is not in its msDS-AllowedToDelegateTo'
expect_out_not_contains 'WARN'
check --impersonate alice --json
expect_rc 0
expect_json '.ok == true and .counts.warn == 0 and .counts.fail == 0 and .counts.skip == 0'
expect_verdict protocol-transition pass
expect_verdict resource-based pass
expect_json '.findings[] | select(.id == "mode") | .message | test("needs neither: resource-based delegation on iosmdm allows it")'
expect_dc_unchanged "$T_TMP/sa"
t_end

t_begin "(c) a descriptor naming another account: refused; check and verify say neither allows tmg\$"
set_rbcd iosmdm "$OTHER_SID"
expect_eq "$(rbcd_sids iosmdm)" "$OTHER_SID:0xf01ff" "iosmdm's descriptor"
dc_snapshot "$T_TMP/sc"
verify --impersonate alice --json
expect_rc 8
expect_json '.ok == false and .via == null'
expect_json '[.steps[].result] == ["ok", "ok", "failed"] and .steps[2].error_name == "KDC_ERR_BADOPTION"'
expect_json '.why | test("not in the msDS-AllowedToDelegateTo of tmg\\$ \\(nor does the service.s account allow tmg\\$ by resource-based delegation\\)")'
expect_json '[.causes[] | [.id, .verdict]] == [["mode", "fail"], ["service-listed", "fail"]]'
expect_json '.causes[] | select(.id == "service-listed") | .message | test("nor does resource-based delegation on iosmdm allow it \\(it allows other accounts only\\)")'
check --impersonate alice --json
expect_rc 8
expect_json '.ok == false and .counts.fail == 2'
expect_verdict mode fail
expect_verdict service-listed fail
expect_verdict resource-based skip
expect_verdict protocol-transition pass
expect_json ".findings[] | select(.id == \"resource-based\") | .message | contains(\"other accounts only, not from tmg\$ ($OTHER_SID)\")"
expect_dc_unchanged "$T_TMP/sc"
t_end

t_begin "(d) constrained and resource-based both allow it: works, by either (the KDC does not say)"
set_rbcd iosmdm "$TMG_SID"
"$ADKCD" add tmg "$SPN" --any-protocol >/dev/null
expect_eq "$(dc_attr 'tmg$' msDS-AllowedToDelegateTo)" "$SPN" "tmg\$'s msDS-AllowedToDelegateTo"
expect_eq "$(rbcd_sids iosmdm)" "$TMG_SID:0xf01ff" "iosmdm's descriptor"
dc_snapshot "$T_TMP/sd"
verify --impersonate alice --json
expect_rc 0
expect_json '.ok == true and .via == "either" and .causes == []'
verify --impersonate alice
expect_rc 0
expect_out_contains 'via: constrained or resource-based delegation: both allow tmg$'
expect_out_contains "Windows KDCs try msDS-AllowedToDelegateTo first, Samba's (4.22, as tested) resource-based delegation"
check --impersonate alice --json
expect_rc 0
expect_json '.counts.warn == 0 and .counts.fail == 0 and .counts.skip == 0'
expect_dc_unchanged "$T_TMP/sd"
t_end

t_begin "(d) both, Kerberos only: Samba's KDC refuses as in (b); check warns, with the fix that only sets the flag"
"$ADKCD" add tmg "$SPN" --kerberos-only >/dev/null
expect_eq "$(dc_attr 'tmg$' userAccountControl)" "$WS" "tmg\$'s userAccountControl"
dc_snapshot "$T_TMP/sd2"
verify --impersonate alice --json
expect_rc 8
expect_json '.steps[1].result == "not-forwardable" and .steps[2].error_name == "KDC_ERR_BADOPTION"'
expect_json '[.causes[] | [.id, .verdict, .fix_id]] == [["protocol-transition", "warn", "any-protocol"]]'
expect_json '.causes[0].fix == "adkcd add tmg http/iosmdm.mydom.local --any-protocol"'
check --impersonate alice --json
expect_rc 0
expect_json '.counts.warn == 1 and .counts.fail == 0'
expect_verdict protocol-transition warn
expect_verdict service-listed pass
expect_dc_unchanged "$T_TMP/sd2"
t_end

t_begin "(d) constrained alone: works, by constrained delegation"
"$ADKCD" add tmg "$SPN" --any-protocol >/dev/null
clear_rbcd iosmdm
expect_eq "$(rbcd_sids iosmdm)" "" "iosmdm's descriptor"
dc_snapshot "$T_TMP/sd3"
verify --impersonate alice --json
expect_rc 0
expect_json '.ok == true and .via == "constrained"'
verify --impersonate alice
expect_out_contains 'via: constrained delegation (inferred from the directory: the KDC does not say): http/iosmdm.mydom.local is in the msDS-AllowedToDelegateTo of tmg$'
check --impersonate alice --json
expect_rc 0
expect_verdict resource-based skip
expect_dc_unchanged "$T_TMP/sd3"
t_end

t_begin "(e) a sensitive user, resource-based delegation: refused; check fails user-sensitive"
"$ADKCD" set tmg --mode none >/dev/null
set_uac 'tmg$' $((WS | T2A))
set_rbcd iosmdm "$TMG_SID"
mk_user bob
set_uac bob $((0x200 | NOTDEL))
expect_eq "$(dc_attr bob userAccountControl)" "$((0x200 | NOTDEL))" "bob's userAccountControl"
dc_snapshot "$T_TMP/se"
kdc_says bob
expect_rc 1
verify --impersonate bob --json
expect_rc 8
expect_json '.steps[1].result == "not-forwardable" and .steps[2].error_name == "KDC_ERR_BADOPTION"'
expect_json '[.causes[] | [.id, .verdict, .fix_id]] == [["user-sensitive", "fail", "clear-user-sensitive"]]'
expect_json '.causes[0].message | test("resource-based delegation included")'
check --impersonate bob --json
expect_rc 8
expect_verdict user-sensitive fail
expect_verdict protocol-transition pass
expect_verdict resource-based pass
# Another user goes through.
verify --impersonate alice --json
expect_rc 0
expect_json '.via == "resource-based"'
expect_dc_unchanged "$T_TMP/se"
t_end

t_begin "(f) tmg\$ itself sensitive: its TGT is not forwardable and Samba's KDC refuses; check warns"
set_uac 'tmg$' $((WS | T2A | NOTDEL))
dc_snapshot "$T_TMP/sf"
verify --impersonate alice --json
expect_rc 8
expect_json '.steps[0].result == "not-forwardable" and .steps[2].error_name == "KDC_ERR_BADOPTION"'
expect_json '[.causes[] | [.id, .verdict]] == [["account-sensitive", "warn"]]'
expect_json '.causes[0].message | test("Windows KDCs \\(2012 and later\\) accept a non-forwardable S4U2Self ticket for it, but Samba.s KDC \\(4.22, as tested\\) does not")'
check --impersonate alice --json
expect_rc 0
expect_verdict account-sensitive warn
expect_dc_unchanged "$T_TMP/sf"
t_end

t_summary
