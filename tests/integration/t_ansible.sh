#!/usr/bin/env bash
# The adkcd.ad Ansible collection (src/ansible) run by the real
# ansible-playbook (Debian's ansible-core, localhost, connection local)
# against the sandbox DC: ansible-doc of every module; the seed's scenario in
# check mode (changed, nothing written), for real, and again (unchanged);
# --diff in admin form; set/remove; the state module with a multi-account
# document and the rollback of its run; resource-based delegation (the rbcd
# module: check mode, applied, unchanged, --diff, absent, exact [] removing
# the attribute, the descriptor read back with Samba's own decoder; the state
# module's rbcd key); delegation_info check failing before
# and passing after; failures with their messages and categories (conflict,
# unknown account, malformed SPN, a safety refusal, a `$` kept literal, a
# missing, old or broken binary, an unknown rbcd principal); a password never
# in ps, in the tool's environment or in -vvv output; a keytab.
. "$(dirname "$0")/lib.sh"

SPN=http/iosmdm.mydom.local
COLL_SRC=$ADKCD_SRC_DIR/src/ansible
PB=$T_TMP/playbooks
mkdir -p "$PB" "$T_TMP/ansible-home" "$T_TMP/ansible-tmp" "$T_TMP/ansible-remote"

# The collection as Ansible finds an installed one, from the source tree.
mkdir -p "$T_TMP/collections/ansible_collections/adkcd"
ln -s "$COLL_SRC" "$T_TMP/collections/ansible_collections/adkcd/ad"
: >"$T_TMP/ansible.cfg"
export ANSIBLE_CONFIG=$T_TMP/ansible.cfg
export ANSIBLE_COLLECTIONS_PATH=$T_TMP/collections
export ANSIBLE_HOME=$T_TMP/ansible-home
export ANSIBLE_LOCAL_TEMP=$T_TMP/ansible-tmp
export ANSIBLE_REMOTE_TEMP=$T_TMP/ansible-remote ANSIBLE_REMOTE_TMP=$T_TMP/ansible-remote
export ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_LOCALHOST_WARNING=0
export ANSIBLE_INVENTORY_UNPARSED_WARNING=0 ANSIBLE_DEPRECATION_WARNINGS=0
unset ADKCD_BIN_DIR

# Connection variables of every play (a file, so that nothing secret is on
# ansible-playbook's command line).
jq -n --arg bin "$ADKCD_BUILD_DIR" --arg uri "$ADKCD_DC_URI" --arg j "$ADKCD_JOURNAL" \
    '{adkcd_bin_dir: $bin, adkcd_uri: $uri, adkcd_journal: $j,
      ansible_python_interpreter: "/usr/bin/python3"}' >"$PB/vars.json"

# play NAME [ARGS...]: ansible-playbook on $PB/NAME.yml (the default stdout
# callback; ansible-core has no json one). The play's last task (play_tail)
# writes the registered result of every task to $RESULTS, which tres and
# expect_task read.
RESULTS=$T_TMP/results.json
play() {
    local pb=$1
    shift
    rm -f "$RESULTS"
    run ansible-playbook -i localhost, -c local -e "@$PB/vars.json" \
        -e "adkcd_results=$RESULTS" "$@" "$PB/$pb.yml"
}
# The result of task NAME in the last run.
_task() { printf '.["%s"]' "$1"; }
tres() { jq -r "$(_task "$1") | $2" "$RESULTS" 2>/dev/null || true; }
# expect_task NAME JQBOOL: JQBOOL is true of task NAME's result.
expect_task() {
    local r
    if ! r=$(jq -e "$(_task "$1") | $2" "$RESULTS" 2>&1); then
        t_fail "task [$1]: expected [$2], got: ${r:-nothing}" \
            "$(jq "$(_task "$1")" "$RESULTS" 2>&1 | head -80)" "$(_t_last_run | tail -60)"
    fi
}
# expect_recap WHAT: the PLAY RECAP line has WHAT (such as changed=2).
expect_recap() {
    printf '%s\n' "$OUT" | grep -q "^localhost *:.* $1 " ||
        t_fail "expected $1 in the play recap" "$(printf '%s\n' "$OUT" | grep -A1 'PLAY RECAP')"
}
expect_no_traceback() {
    case $OUT$ERR in *Traceback*|*"MODULE FAILURE"*)
        t_fail "a Python traceback or MODULE FAILURE in the output" "$(_t_last_run)" ;;
    esac
}
runs() { "$ADKCD" history --json | jq '.runs | length'; }
# sid_of NAME: the account's objectSid as S-1-...; sddl_of NAME: its
# msDS-AllowedToActOnBehalfOfOtherIdentity as Samba's SDDL ("" when absent).
# Both decoded by Samba's own bindings, independently of adkcd.
sid_of() {
    dc_search -b "$(dc_dn "$1")" -s base '(objectClass=*)' objectSid |
        sed -n 's/^objectSid:: //p' | /usr/bin/python3 -c 'import sys, base64
from samba.dcerpc import security
from samba.ndr import ndr_unpack
print(ndr_unpack(security.dom_sid, base64.b64decode(sys.stdin.read())))'
}
sddl_of() {
    dc_search -b "$(dc_dn "$1")" -s base '(objectClass=*)' msDS-AllowedToActOnBehalfOfOtherIdentity |
        sed -n 's/^msDS-AllowedToActOnBehalfOfOtherIdentity:: //p' | /usr/bin/python3 -c 'import sys, base64
from samba.dcerpc import security
from samba.ndr import ndr_unpack
d = sys.stdin.read().strip()
print(ndr_unpack(security.descriptor, base64.b64decode(d)).as_sddl() if d else "")'
}

# Module defaults of every play: the connection, through the action group.
play_head() {
    cat <<'EOF'
- hosts: localhost
  gather_facts: false
  module_defaults:
    group/adkcd.ad.adkcd:
      uri: "{{ adkcd_uri }}"
      bin_dir: "{{ adkcd_bin_dir }}"
      journal: "{{ adkcd_journal }}"
  tasks:
EOF
}
# play_tail NAME...: the last task, writing the results of tasks NAME... (each
# registered as r_NAME with spaces made underscores) to $RESULTS, also in
# check mode; it changes nothing and shows no diff.
play_tail() {
    local n
    printf '    - name: results\n      check_mode: false\n      diff: false\n      changed_when: false\n'
    printf '      ansible.builtin.copy:\n        dest: "{{ adkcd_results }}"\n        mode: "0600"\n'
    printf '        content: "{{ {'
    for n in "$@"; do printf "'%s': r_%s, " "$n" "${n// /_}"; done
    printf '} | to_json }}"\n'
}

mk_user iosmdm
mk_user alice
mk_user svc
mk_computer tmg 'Tmg-Passw0rd!'
mk_computer web

t_begin "ansible-doc renders every module; the versions agree"
for m in spn delegation rbcd state delegation_info; do
    run ansible-doc adkcd.ad.$m
    expect_rc 0
    expect_out_contains "ADKCD.AD.${m^^}"
    expect_out_contains "EXAMPLES:"
    expect_out_contains "RETURN VALUES:"
    expect_out_contains "password"          # the doc fragment
    expect_err_not_contains "WARNING"
done
run ansible-doc -l adkcd.ad
expect_rc 0
expect_eq "$(printf '%s\n' "$OUT" | awk '{print $1}' | sort | tr '\n' ' ')" \
    "adkcd.ad.delegation adkcd.ad.delegation_info adkcd.ad.rbcd adkcd.ad.spn adkcd.ad.state " "modules listed"
run ansible-doc --json adkcd.ad.delegation
expect_json '."adkcd.ad.delegation".doc.options.mode.choices == ["none", "unconstrained", "constrained"]'
expect_json '."adkcd.ad.delegation".doc.options.password.type == "str"'
run ansible-doc --json adkcd.ad.rbcd
expect_json '."adkcd.ad.rbcd".doc.options.state.choices == ["present", "absent", "exact"] and ."adkcd.ad.rbcd".doc.options.state.default == "present"'
expect_json '."adkcd.ad.rbcd".doc.options.principals.elements == "str" and ."adkcd.ad.rbcd".return.rbcd.contains.removed.type == "list"'
# What validate-modules checks first (it needs the network here): the
# argument specs agree with the documented options.
PYTHONPATH=$T_TMP/collections run /usr/bin/python3 -B "$ADKCD_SRC_DIR/tests/integration/ansible_argspec.py" \
    spn delegation rbcd state delegation_info
expect_rc 0
expect_out_contains " 0 mismatches"
cmake_v=$(sed -n 's/^project(adkcd VERSION \([0-9.]*\).*/\1/p' "$ADKCD_SRC_DIR/CMakeLists.txt")
galaxy_v=$(sed -n 's/^version: *//p' "$COLL_SRC/galaxy.yml")
utils_v=$(sed -n "s/^MIN_VERSION = '\(.*\)'/\1/p" "$COLL_SRC/plugins/module_utils/adkcd.py")
expect_eq "$galaxy_v" "$cmake_v" "galaxy.yml version vs CMake project VERSION"
expect_eq "$utils_v" "$cmake_v" "module_utils MIN_VERSION vs CMake project VERSION"
expect_eq "$("$ADKCD" --version)" "adkcd $cmake_v" "adkcd --version"
t_end

# The seed's scenario, with delegation_info check around it.
{
    play_head
    cat <<EOF
    - name: check before
      register: r_check_before
      adkcd.ad.delegation_info:
        query: check
        account: tmg
        service: $SPN
        impersonate: alice
    - name: spn
      register: r_spn
      adkcd.ad.spn:
        account: iosmdm
        type: user
        spns:
          add: [$SPN]
    - name: delegation
      register: r_delegation
      adkcd.ad.delegation:
        account: tmg
        type: computer
        mode: constrained
        protocol_transition: true
        services:
          add: [$SPN]
    - name: check after
      register: r_check_after
      adkcd.ad.delegation_info:
        query: check
        account: tmg
        type: computer
        service: $SPN
        impersonate: alice
    - name: show after
      register: r_show_after
      adkcd.ad.delegation_info:
        account: tmg
EOF
    play_tail "check before" spn delegation "check after" "show after"
} >"$PB/seed.yml"

t_begin "check mode: the seed's scenario is changed, nothing written or journaled"
dc_snapshot "$T_TMP/s0"
R0=$(runs)
play seed --check --diff
expect_rc 0
expect_no_traceback
expect_task "check before" '.changed == false and .ok == false and .dn == "CN=tmg,CN=Computers,'"$ADKCD_BASEDN"'"'
expect_task "check before" '[.findings[] | select(.verdict == "fail") | .id] | index("service-listed") != null'
expect_task "spn" '.changed == true and .outcome == "planned" and .run_id == null and .journal == null'
expect_task "spn" '.dn == "CN=iosmdm,CN=Users,'"$ADKCD_BASEDN"'" and .spns.before == [] and .spns.after == ["'$SPN'"]'
expect_task "spn" '.diff.before == {"spns": []} and .diff.after == {"spns": ["'$SPN'"]}'
expect_task "delegation" '.changed == true and .outcome == "planned" and .run_id == null'
expect_task "delegation" '.diff.before == {"mode": "none", "protocol_transition": false, "services": []}'
expect_task "delegation" '.diff.after == {"mode": "constrained", "protocol_transition": true, "services": ["'$SPN'"]}'
expect_task "check after" '.changed == false and .ok == false'
expect_task "show after" '.changed == false and .delegation.mode == "none"'
expect_recap changed=2
expect_recap failed=0
expect_dc_unchanged "$T_TMP/s0"
expect_eq "$(runs)" "$R0" "journal runs after check mode"
t_end

t_begin "for real: written, journaled, run ids to roll back; check passes after"
play seed --diff
expect_rc 0
expect_task "check before" '.ok == false'
expect_task "spn" '.changed == true and .outcome == "applied" and (.run_id | test("^[0-9a-f-]{36}$")) and .journal == "'"$ADKCD_JOURNAL"'"'
expect_task "delegation" '.changed == true and .outcome == "applied" and (.run_id | test("^[0-9a-f-]{36}$"))'
expect_task "delegation" '.delegation.after == {"mode": "constrained", "protocol_transition": true, "services": ["'$SPN'"]}'
expect_task "delegation" '.dn == "CN=tmg,CN=Computers,'"$ADKCD_BASEDN"'" and .label == "computer tmg$"'
expect_task "check after" '.ok == true and .counts.fail == 0'
expect_task "show after" '.delegation.mode == "constrained" and .delegation.protocol_transition == true and .delegation.services == ["'$SPN'"]'
expect_eq "$(dc_spns iosmdm)" "$SPN" "SPNs of iosmdm"
expect_eq "$(dc_attr tmg userAccountControl)" "16781312" "userAccountControl of tmg"
expect_eq "$(dc_attr tmg msDS-AllowedToDelegateTo)" "$SPN" "services of tmg"
expect_eq "$(runs)" "$((R0 + 2))" "journal runs"
RID=$(tres delegation .run_id)
expect_eq "$("$ADKCD" history --json | jq -r '.runs[-1].id')" "$RID" "the last run is the delegation task's"
# The registered run id is what adkcd rollback takes.
run "$ADKCD" --json --dry-run rollback "$RID"
expect_rc 0
expect_json '.runs == ["'"$RID"'"] and .changed == true and .objects[0].dn == "CN=tmg,CN=Computers,'"$ADKCD_BASEDN"'"'
dc_snapshot "$T_TMP/s1"
t_end

t_begin "again: unchanged, nothing written or journaled"
play seed --diff
expect_rc 0
expect_task "check before" '.ok == true'
expect_task "spn" '.changed == false and .outcome == "unchanged" and .run_id == null'
expect_task "delegation" '.changed == false and .outcome == "unchanged" and .run_id == null'
expect_recap changed=0
expect_recap failed=0
expect_dc_unchanged "$T_TMP/s1"
expect_eq "$(runs)" "$((R0 + 2))" "journal runs"
t_end

{
    play_head
    cat <<EOF
    - name: spn set
      register: r_spn_set
      adkcd.ad.spn:
        account: iosmdm
        spns:
          set: [$SPN, http/mdm2.mydom.local, HTTP/mdm3.mydom.local]
        check: domain
    - name: spn remove
      register: r_spn_remove
      adkcd.ad.spn:
        account: iosmdm
        spns:
          remove: [http/MDM3.mydom.local]
    - name: delegation set
      register: r_delegation_set
      adkcd.ad.delegation:
        account: web\$
        services:
          set: [http/mdm2.mydom.local, $SPN]
    - name: delegation remove
      register: r_delegation_remove
      adkcd.ad.delegation:
        account: web\$
        protocol_transition: false
        services:
          remove: [http/mdm2.mydom.local]
EOF
    play_tail "spn set" "spn remove" "delegation set" "delegation remove"
} >"$PB/setremove.yml"

t_begin "set and remove, with the human --diff output in admin form"
play setremove --diff
expect_rc 0
expect_no_traceback
expect_out_contains "+++ after: user iosmdm (CN=iosmdm,CN=Users,$ADKCD_BASEDN)"
expect_out_contains '+        "http/mdm2.mydom.local"'
expect_out_contains '-        "HTTP/mdm3.mydom.local"'
expect_out_contains "+++ after: computer web\$ (CN=web,CN=Computers,$ADKCD_BASEDN)"
expect_out_contains '-    "mode": "none",'
expect_out_contains '+    "mode": "constrained",'
expect_out_not_contains "user_account_control"
expect_out_not_contains "4098"
expect_recap changed=4
expect_recap failed=0
expect_eq "$(dc_spns iosmdm | tr '\n' ' ')" "http/iosmdm.mydom.local http/mdm2.mydom.local " "SPNs of iosmdm"
expect_eq "$(dc_attr web msDS-AllowedToDelegateTo)" "$SPN" "services of web"
t_end

STATE_DOC=$(cat <<EOF
version: 1
accounts:
  - account: iosmdm
    type: user
    spns:
      absent: [http/mdm2.mydom.local]
  - account: svc
    type: user
    spns:
      exact: [http/svc.mydom.local]
  - account: web
    type: computer
    delegation:
      mode: constrained
      protocol_transition: true
      services:
        exact: [http/svc.mydom.local]
EOF
)
printf '%s\n' "$STATE_DOC" >"$T_TMP/state.yaml"
{
    play_head
    echo "    - name: state in check mode"; echo "      register: r_state_in_check_mode"
    echo "      check_mode: true"
    echo "      adkcd.ad.state:"
    echo "        data:"
    printf '%s\n' "$STATE_DOC" | sed 's/^/          /'
    echo "    - name: state"; echo "      register: r_state"
    echo "      adkcd.ad.state:"
    echo "        data:"
    printf '%s\n' "$STATE_DOC" | sed 's/^/          /'
    echo "    - name: state again in check mode"; echo "      register: r_state_again_in_check_mode"
    echo "      check_mode: true"
    echo "      adkcd.ad.state:"
    echo "        data:"
    printf '%s\n' "$STATE_DOC" | sed 's/^/          /'
    echo "    - name: state from a file"; echo "      register: r_state_from_a_file"
    echo "      adkcd.ad.state:"
    echo "        path: $T_TMP/state.yaml"
    play_tail "state in check mode" state "state again in check mode" "state from a file"
} >"$PB/state.yml"

t_begin "state: a multi-account document as one journaled run, then unchanged; rollback of its run"
dc_snapshot "$T_TMP/s2"
R2=$(runs)
play state --diff
expect_rc 0
expect_no_traceback
# Check mode first: changed, nothing written (the real run after it still
# applies all three).
expect_task "state in check mode" '.changed == true and .run_id == null and [.accounts[].outcome] == ["planned", "planned", "planned"]'
expect_task "state" '.changed == true and (.run_id | test("^[0-9a-f-]{36}$")) and .counts.applied == 3'
expect_task "state" '[.accounts[].outcome] == ["applied", "applied", "applied"]'
expect_task "state" '[.accounts[].label] == ["user iosmdm", "user svc", "computer web$"]'
expect_task "state" '.accounts[2].delegation.after == {"mode": "constrained", "protocol_transition": true, "services": ["http/svc.mydom.local"]}'
expect_task "state" '.diff.before["user svc"] == {"spns": []} and .diff.after["user svc"] == {"spns": ["http/svc.mydom.local"]}'
expect_task "state" '.diff.after["computer web$"].delegation.mode == "constrained" and (.diff.after["computer web$"].delegation | has("user_account_control") | not)'
expect_task "state again in check mode" '.changed == false and .run_id == null'
expect_task "state from a file" '.changed == false and .run_id == null and (.accounts | length) == 3'
expect_eq "$(runs)" "$((R2 + 1))" "journal runs: one for the document"
SRID=$(tres state .run_id)
expect_eq "$("$ADKCD" history --json | jq -r '.runs[-1] | "\(.id) \(.accounts | join(","))"')" \
    "$SRID user iosmdm,user svc,computer web\$" "the run and its accounts"
expect_eq "$(dc_spns svc)" "http/svc.mydom.local" "SPNs of svc"
expect_eq "$(dc_attr web userAccountControl)" "16781314" "userAccountControl of web (disabled, protocol transition)"
run "$ADKCD" rollback "$SRID"
expect_rc 0
expect_dc_unchanged "$T_TMP/s2"
t_end

# Resource-based delegation: tmg and web$ (disabled) allowed to delegate to
# iosmdm's services, then web$ removed, then nobody.
TMG=$(sid_of tmg)
WEB=$(sid_of web)
RBCD_ALL=CCDCLCSWRPWPDTLOCRSDRCWDWO # 0xF01FF, as Samba's SDDL spells it
{
    play_head
    cat <<EOF
    - name: rbcd
      register: r_rbcd
      adkcd.ad.rbcd:
        account: iosmdm
        type: user
        principals: [tmg, web\$]
EOF
    play_tail rbcd
} >"$PB/rbcd.yml"
{
    play_head
    cat <<EOF
    - name: rbcd absent
      register: r_rbcd_absent
      adkcd.ad.rbcd:
        account: iosmdm
        principals: [web]
        state: absent
    - name: state rbcd
      register: r_state_rbcd
      adkcd.ad.state:
        data:
          version: 1
          accounts:
            - {account: web, type: computer, rbcd: {exact: [tmg]}}
            - {account: iosmdm, type: user, rbcd: {present: [tmg\$]}}
    - name: rbcd exact none in check mode
      register: r_rbcd_exact_none_in_check_mode
      check_mode: true
      adkcd.ad.rbcd:
        account: iosmdm
        principals: []
        state: exact
    - name: rbcd exact none
      register: r_rbcd_exact_none
      adkcd.ad.rbcd:
        account: iosmdm
        principals: []
        state: exact
    - name: rbcd exact none again
      register: r_rbcd_exact_none_again
      adkcd.ad.rbcd:
        account: iosmdm
        principals: []
        state: exact
EOF
    play_tail "rbcd absent" "state rbcd" "rbcd exact none in check mode" "rbcd exact none" "rbcd exact none again"
} >"$PB/rbcd-edit.yml"

t_begin "rbcd in check mode: changed, the descriptor planned, nothing written or journaled"
dc_snapshot "$T_TMP/s6"
R6=$(runs)
play rbcd --check --diff
expect_rc 0
expect_no_traceback
expect_task rbcd '.changed == true and .outcome == "planned" and .run_id == null and .journal == null'
expect_task rbcd '.dn == "CN=iosmdm,CN=Users,'"$ADKCD_BASEDN"'" and .label == "user iosmdm"'
expect_task rbcd '.rbcd.before == {"present": false, "sddl": null, "principals": []}'
expect_task rbcd '.rbcd.after.present == true and .rbcd.after.sddl == "O:BAD:(A;;0xf01ff;;;'"$TMG"')(A;;0xf01ff;;;'"$WEB"')"'
expect_task rbcd '[.rbcd.after.principals[] | "\(.kind) \(.name) \(.sid)"] == ["computer tmg$ '"$TMG"'", "computer web$ '"$WEB"'"]'
expect_task rbcd '[.rbcd.added[].name] == ["tmg$", "web$"] and .rbcd.added[1].notes == ["disabled"] and .rbcd.removed == []'
expect_task rbcd '.diff.before == {"principals": [], "sddl": null}'
expect_task rbcd '.diff.after.principals == ["tmg$ ('"$TMG"')", "web$ ('"$WEB"')"]'
# Ansible wraps the warning's lines (also at a SID's hyphens): compared without blanks.
case $(printf '%s\n' "$OUT$ERR" | tr -d ' \n') in
    *"[WARNING]:web\$($WEB)isdisabled:itcannotgettickets,soitcannotdelegatetoiosmdmwhile"*) ;;
    *) t_fail "no warning that web\$ is disabled" "$(_t_last_run)" ;;
esac
expect_recap changed=1
expect_dc_unchanged "$T_TMP/s6"
expect_eq "$(runs)" "$R6" "journal runs after check mode"
t_end

t_begin "rbcd for real: the descriptor Windows would write, journaled; --diff in admin form; again unchanged"
play rbcd --diff
expect_rc 0
expect_no_traceback
expect_task rbcd '.changed == true and .outcome == "applied" and (.run_id | test("^[0-9a-f-]{36}$"))'
expect_eq "$(sddl_of iosmdm)" "O:BAD:(A;;$RBCD_ALL;;;$TMG)(A;;$RBCD_ALL;;;$WEB)" "descriptor of iosmdm (Samba's decoder)"
expect_eq "$(runs)" "$((R6 + 1))" "journal runs"
expect_eq "$("$ADKCD" history --json | jq -r '.runs[-1] | "\(.id) \(.attributes | join(","))"')" \
    "$(tres rbcd .run_id) msDS-AllowedToActOnBehalfOfOtherIdentity" "the last run is the rbcd task's"
expect_out_contains "+++ after: user iosmdm (CN=iosmdm,CN=Users,$ADKCD_BASEDN)"
expect_out_contains "+        \"tmg\$ ($TMG)\","
expect_out_contains "+        \"web\$ ($WEB)\""
expect_out_contains '-    "sddl": null'
expect_out_contains "+    \"sddl\": \"O:BAD:(A;;0xf01ff;;;$TMG)(A;;0xf01ff;;;$WEB)\""
expect_recap changed=1
dc_snapshot "$T_TMP/s7"
play rbcd --diff
expect_rc 0
expect_task rbcd '.changed == false and .outcome == "unchanged" and .run_id == null and .rbcd.added == [] and .rbcd.removed == []'
expect_task rbcd '.diff.before == .diff.after and (.diff.after.principals | length) == 2'
expect_recap changed=0
expect_dc_unchanged "$T_TMP/s7"
expect_eq "$(runs)" "$((R6 + 1))" "journal runs after the unchanged run"
t_end

t_begin "rbcd absent, the state module's rbcd key, exact [] removing the attribute"
play rbcd-edit --diff
expect_rc 0
expect_no_traceback
expect_task "rbcd absent" '.changed == true and [.rbcd.removed[].name] == ["web$"] and [.rbcd.after.principals[].name] == ["tmg$"]'
expect_task "rbcd absent" '.diff.after == {"principals": ["tmg$ ('"$TMG"')"], "sddl": "O:BAD:(A;;0xf01ff;;;'"$TMG"')"}'
expect_task "state rbcd" '.changed == true and [.accounts[].outcome] == ["applied", "unchanged"]'
expect_task "state rbcd" '.accounts[0].rbcd.before.present == false and .accounts[0].rbcd.after.principals[0].sid == "'"$TMG"'"'
expect_task "state rbcd" '[.accounts[0].rbcd.added[].name] == ["tmg$"] and .accounts[1].rbcd.added == []'
expect_task "state rbcd" '.diff.before["computer web$"] == {"rbcd": {"principals": [], "sddl": null}}'
expect_task "state rbcd" '.diff.after["computer web$"].rbcd.principals == ["tmg$ ('"$TMG"')"] and .diff.after["user iosmdm"] == .diff.before["user iosmdm"]'
expect_task "rbcd exact none in check mode" '.changed == true and .outcome == "planned" and .run_id == null and [.rbcd.removed[].name] == ["tmg$"]'
expect_task "rbcd exact none in check mode" '.rbcd.after == {"present": false, "sddl": null, "principals": []}'
expect_task "rbcd exact none" '.changed == true and .outcome == "applied" and .rbcd.after.present == false and .diff.after == {"principals": [], "sddl": null}'
expect_task "rbcd exact none again" '.changed == false and .outcome == "unchanged" and .run_id == null'
expect_recap changed=4
expect_eq "$(dc_attr iosmdm msDS-AllowedToActOnBehalfOfOtherIdentity | wc -c)" "0" "iosmdm's descriptor (removed)"
expect_eq "$(sddl_of web)" "O:BAD:(A;;$RBCD_ALL;;;$TMG)" "descriptor of web (Samba's decoder)"
expect_eq "$(runs)" "$((R6 + 4))" "journal runs"
t_end

# Fake binaries: an old one, one that prints no JSON.
mkdir -p "$T_TMP/oldbin" "$T_TMP/junkbin" "$T_TMP/emptybin"
printf '#!/bin/sh\necho "adkcd 0.0.9"\n' >"$T_TMP/oldbin/adkcd"
# shellcheck disable=SC2016  # $1 is the fake binary's, at its run
printf '#!/bin/sh\nif [ "$1" = --version ]; then echo "%s"; exit 0; fi\necho "not JSON at all"; echo "boom" >&2; exit 1\n' \
    "$("$ADKCD" --version)" >"$T_TMP/junkbin/adkcd"
chmod +x "$T_TMP/oldbin/adkcd" "$T_TMP/junkbin/adkcd"
{
    play_head
    cat <<EOF
    - name: conflict
      register: r_conflict
      ignore_errors: true
      adkcd.ad.spn:
        account: svc
        spns: {add: [$SPN]}
    - name: unknown account
      register: r_unknown_account
      ignore_errors: true
      adkcd.ad.delegation:
        account: nosuch
        mode: none
    - name: malformed spn
      register: r_malformed_spn
      ignore_errors: true
      adkcd.ad.spn:
        account: svc
        spns: {add: [nonsense]}
    - name: add and remove
      register: r_add_and_remove
      ignore_errors: true
      adkcd.ad.spn:
        account: svc
        spns: {add: [http/x.mydom.local], remove: [HTTP/x.mydom.local]}
    - name: dollar stays literal
      register: r_dollar_stays_literal
      ignore_errors: true
      adkcd.ad.delegation_info:
        account: \$HOME
    - name: refused
      register: r_refused
      ignore_errors: true
      adkcd.ad.delegation:
        account: dc1
        mode: constrained
        services: {set: [cifs/files.mydom.local]}
    - name: contradiction
      register: r_contradiction
      ignore_errors: true
      adkcd.ad.delegation:
        account: tmg
        mode: none
        protocol_transition: true
    - name: principal alone
      register: r_principal_alone
      ignore_errors: true
      adkcd.ad.delegation_info:
        account: tmg
        principal: alice
    - name: missing binary
      register: r_missing_binary
      ignore_errors: true
      adkcd.ad.delegation_info:
        account: tmg
        bin_dir: $T_TMP/emptybin
    - name: old binary
      register: r_old_binary
      ignore_errors: true
      adkcd.ad.delegation_info:
        account: tmg
        bin_dir: $T_TMP/oldbin
    - name: no json
      register: r_no_json
      ignore_errors: true
      adkcd.ad.delegation_info:
        account: tmg
        bin_dir: $T_TMP/junkbin
    - name: unreachable
      register: r_unreachable
      ignore_errors: true
      adkcd.ad.delegation_info:
        account: tmg
        uri: ldap://127.0.0.99
        timeout: 2
    - name: unknown principal
      register: r_unknown_principal
      ignore_errors: true
      adkcd.ad.rbcd:
        account: iosmdm
        principals: [tmg, nosuch]
    - name: rbcd refused
      register: r_rbcd_refused
      ignore_errors: true
      adkcd.ad.rbcd:
        account: dc1
        principals: [tmg]
EOF
    play_tail conflict "unknown account" "malformed spn" "add and remove" "dollar stays literal" refused \
        contradiction "principal alone" "missing binary" "old binary" "no json" unreachable \
        "unknown principal" "rbcd refused"
} >"$PB/fail.yml"

t_begin "failures: the tool's message, rc and category; nothing written; no traceback"
dc_snapshot "$T_TMP/s3"
R3=$(runs)
play fail
expect_rc 0
expect_no_traceback
expect_task "conflict" '.failed == true and .rc == 5 and .category == "conflict" and (.msg | test("^nothing written: duplicate SPN: CN=iosmdm,CN=Users,.* already holds http/iosmdm.mydom.local"))'
expect_task "conflict" '.problems[0].kind == "spn-held" and .problems[0].spn == "'$SPN'"'
expect_task "unknown account" '.failed == true and .rc == 4 and .category == "not-found" and (.msg | contains("no computer '"'nosuch\$'"' or user '"'nosuch'"'"))'
expect_task "malformed spn" '.failed == true and .rc == 3 and .category == "usage" and (.msg | contains("invalid SPN '"'nonsense'"'"))'
# Positions in the private temporary file mean nothing to the play: dropped.
# and the module's option names replace the state file's.
expect_task "malformed spn" '(.msg | startswith("spns.add[1]: invalid SPN")) and (.msg | test("line|accounts|present") | not) and (.problems[0] | has("position") | not)'
expect_task "malformed spn" '.problems[0].message | startswith("spns.add[1]: ")'
expect_task "add and remove" '.failed == true and .rc == 3 and (.msg | startswith("spns.remove[1]: '"'HTTP/x.mydom.local'"' is also in add: keep it in one list")) and (.msg | test("line|column|absent") | not)'
expect_task "add and remove" '(.stderr | test("line|column|adkcd-state") | not) and (.stderr | contains("spns.remove[1]"))'
expect_task "dollar stays literal" '.failed == true and .category == "not-found" and (.msg | contains("user '"'\$HOME'"'"))'
expect_task "refused" '.failed == true and .rc == 8 and .category == "refused" and (.hints | index("force")) != null and (.msg | contains("force: true"))'
expect_task "contradiction" '.failed == true and .category == "usage" and (.problems | length) >= 1'
expect_task "principal alone" '.failed == true and .category == "usage" and (.msg | contains("principal needs keytab or password"))'
expect_task "missing binary" '.failed == true and (.msg | contains("no executable adkcd in bin_dir"))'
expect_task "old binary" '.failed == true and (.msg | test("is adkcd 0.0.9, older than [0-9.]+"))'
expect_task "no json" '.failed == true and .rc == 1 and .category == "error" and (.msg | contains("without a JSON document")) and (.msg | contains("boom"))'
expect_task "unreachable" '.failed == true and .rc == 7 and .category == "unreachable"'
expect_task "unknown principal" '.failed == true and .rc == 4 and .category == "not-found" and .status == "not-found"'
expect_task "unknown principal" '.problems[0].kind == "principal" and .problems[0].value == "nosuch" and (.problems[0] | has("position") | not)'
expect_task "unknown principal" '.msg | startswith("nothing written: principal '"'nosuch'"' (principals[2]): no computer '"'nosuch\$'"' or user '"'nosuch'"'")'
expect_task "unknown principal" '(.msg | test("rbcd|present|line") | not) and (.stderr | contains("principals[2]"))'
expect_task "rbcd refused" '.failed == true and .rc == 8 and .category == "refused" and (.hints | index("force")) != null and (.msg | contains("force: true"))'
expect_recap changed=0
expect_recap ignored=14
expect_dc_unchanged "$T_TMP/s3"
expect_eq "$(runs)" "$R3" "journal runs"
t_end

# Credentials: a computer with a known password, a user with a keytab. A
# wrapper adkcd records ps and its own environment, and the apply's state
# file mode, then execs the real one; a loop samples ps during the play.
PW='Pwb0x-S3cret!xyzzy'
mk_computer pwbox "$PW"
printf 'addent -password -p alice@%s -k 1 -e aes256-cts-hmac-sha1-96\n%s\nwkt %s\nquit\n' \
    "$ADKCD_REALM" "$ADKCD_USER_PASS" "$T_TMP/alice.keytab" | ktutil >/dev/null 2>&1 ||
    t_fail "ktutil failed"
SPY=$T_TMP/spy
mkdir -p "$SPY/bin" "$SPY/log"
cat >"$SPY/bin/adkcd" <<EOF
#!/bin/sh
ps -eo args >"$SPY/log/ps.\$\$"
env >"$SPY/log/env.\$\$"
for a in "\$@"; do last=\$a; done
case "\$last" in *.json) stat -c '%a %U' "\$last" >"$SPY/log/mode.\$\$" ;; esac
exec "$ADKCD" "\$@"
EOF
chmod +x "$SPY/bin/adkcd"
jq -n --arg pw "$PW" --arg kt "$T_TMP/alice.keytab" '{pwbox_password: $pw, alice_keytab: $kt}' >"$PB/secret.json"
{
    play_head
    cat <<EOF
    - name: show with a password
      register: r_show_with_a_password
      adkcd.ad.delegation_info:
        account: tmg
        principal: pwbox\$
        password: "{{ pwbox_password }}"
        bin_dir: $SPY/bin
    - name: spn check mode with a password
      register: r_spn_check_mode_with_a_password
      check_mode: true
      adkcd.ad.spn:
        account: svc
        spns: {add: [http/pw.mydom.local]}
        principal: pwbox\$
        password: "{{ pwbox_password }}"
        bin_dir: $SPY/bin
    - name: wrong password
      register: r_wrong_password
      ignore_errors: true
      adkcd.ad.delegation_info:
        account: tmg
        principal: pwbox\$
        password: "{{ pwbox_password }}-not"
    - name: show with a keytab
      register: r_show_with_a_keytab
      adkcd.ad.delegation_info:
        account: tmg
        principal: alice
        keytab: "{{ alice_keytab }}"
    - name: results
      ansible.builtin.assert:
        that:
          - r_show_with_a_password.dn == "CN=tmg,CN=Computers,$ADKCD_BASEDN"
          - r_show_with_a_password.delegation.mode == "constrained"
          - r_spn_check_mode_with_a_password.changed and r_spn_check_mode_with_a_password.run_id is none
          - r_wrong_password.failed and r_wrong_password.rc == 6 and r_wrong_password.category == "credentials"
          - "'is wrong' in r_wrong_password.msg"
          - r_show_with_a_keytab.dn == "CN=tmg,CN=Computers,$ADKCD_BASEDN"
EOF
} >"$PB/secret.yml"

t_begin "a password reaches adkcd on stdin only: never in ps, its environment or -vvv output; a keytab works"
dc_snapshot "$T_TMP/s4"
R4=$(runs)
( while :; do ps -eo args >>"$SPY/log/sampled"; sleep 0.05; done ) &
SAMPLER=$!
# The modules' private directories are kept, so that the state file's
# removal by the module itself is what the end of this test checks.
ANSIBLE_KEEP_REMOTE_FILES=1 play secret -vvv -e "@$PB/secret.json"
kill "$SAMPLER" 2>/dev/null || true
wait "$SAMPLER" 2>/dev/null || true
expect_rc 0
expect_no_traceback
expect_recap ok=5
expect_recap failed=0
expect_out_contains "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"   # -vvv shows the arguments, masked
case $OUT$ERR in *"$PW"*) t_fail "the password is in the -vvv output" ;; esac
n_ps=$(find "$SPY/log" -name 'ps.*' | wc -l)
[ "$n_ps" -ge 4 ] || t_fail "the wrapper ran $n_ps times (want >= 4: two --version, two runs)"
grep -q -- '--password-stdin' "$SPY"/log/ps.* || t_fail "ps never showed adkcd --password-stdin: the wrapper did not record the run"
grep -q -- "--principal=pwbox\\$" "$SPY"/log/ps.* || t_fail "ps never showed --principal=pwbox\$"
if grep -qF -- "$PW" "$SPY"/log/ps.* "$SPY"/log/env.* "$SPY/log/sampled"; then
    t_fail "the password is in ps output or in adkcd's environment" \
        "$(grep -lF -- "$PW" "$SPY"/log/* )"
fi
expect_eq "$(cat "$SPY"/log/mode.* 2>/dev/null)" "600 $(id -un)" "mode and owner of the state file given to apply"
kept=$(find "$T_TMP/ansible-remote" -name 'AnsiballZ_spn.py' 2>/dev/null | head -1)
[ -n "$kept" ] || t_fail "ANSIBLE_KEEP_REMOTE_FILES kept no module directory: the check below would prove nothing"
leftover=$(find "$T_TMP" -name 'adkcd-state-*' 2>/dev/null | head -3)
expect_eq "$leftover" "" "state files left behind"
expect_dc_unchanged "$T_TMP/s4"
expect_eq "$(runs)" "$R4" "journal runs after reads and a check-mode write"
t_end

# A partial run: alice may write svc (an ACE of her own) but not web.
ALICE_SID=$(dc_search -b "$(dc_dn alice)" -s base '(objectClass=*)' objectSid |
    sed -n 's/^objectSid:: //p' | /usr/bin/python3 -c 'import sys, base64
from samba.dcerpc import security
from samba.ndr import ndr_unpack
print(ndr_unpack(security.dom_sid, base64.b64decode(sys.stdin.read())))')
samba-tool dsacl set -H "$ADKCD_DC_URI" --use-kerberos=required \
    --objectdn="$(dc_dn svc)" --sddl="(A;;GA;;;$ALICE_SID)" >/dev/null 2>&1 ||
    t_fail "samba-tool dsacl set failed"
jq -n --arg pw "$ADKCD_USER_PASS" '{alice_password: $pw}' >"$PB/alice.json"
{
    play_head
    cat <<EOF
    - name: partial
      register: r_partial
      ignore_errors: true
      adkcd.ad.state:
        principal: alice
        password: "{{ alice_password }}"
        data:
          version: 1
          accounts:
            - {account: svc, type: user, spns: {present: [http/part-svc.mydom.local]}}
            - {account: web, type: computer, spns: {present: [http/part-web.mydom.local]}}
EOF
    play_tail partial
} >"$PB/partial.yml"

t_begin "a partly applied state: failed, changed, with the run to roll back and each account's outcome"
dc_snapshot "$T_TMP/s5"
play partial -e "@$PB/alice.json"
expect_rc 0
expect_no_traceback
expect_task partial '.failed == true and .rc == 9 and .category == "partial" and .changed == true and .applied == true'
expect_task partial '(.run_id | test("^[0-9a-f-]{36}$")) and .counts.applied == 1 and .counts.failed == 1'
expect_task partial '[.accounts[].outcome] == ["applied", "failed"] and .accounts[0].error == null and (.accounts[1].error | length) > 0'
expect_recap changed=1
expect_eq "$(dc_spns svc | grep -c part-svc)" 1 "the SPN added to svc"
expect_eq "$(dc_spns web)" "" "SPNs of web"
run "$ADKCD" rollback "$(tres partial .run_id)"
expect_rc 0
expect_dc_unchanged "$T_TMP/s5"
t_end

t_summary
