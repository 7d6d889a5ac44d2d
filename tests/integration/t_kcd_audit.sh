#!/usr/bin/env bash
# adkcd audit against the sandbox DC: a fresh domain shows only the DC's
# own delegation; then every kind of delegation, each risk label, disabled
# accounts, resource-based delegation (written raw, as Samba 4.17 refuses it
# over LDAP: sandbox-dc.md), text and JSON, and -F agreeing with the domain.
. "$(dirname "$0")/lib.sh"

# Samba's python bindings live in the system python (not a pyenv one).
PY=/usr/bin/python3
DC_DN="CN=DC1,OU=Domain Controllers,$ADKCD_BASEDN"

# table_rows: the rows of the text table in $OUT as KIND|ACCOUNT|STATE|TO|RISK
# (columns are separated by two spaces or more), in the order printed.
table_rows() {
    printf '%s\n' "$OUT" | awk '
        /^KIND  / { t = 1; next }
        t && /^$/ { exit }
        t { n = split($0, f, /  +/); s = f[1]
            for (i = 2; i <= n; i++) s = s "|" f[i]
            print s }'
}

# jentry KIND SAM: a jq filter for that entry of the JSON document.
jentry() { printf '.entries[] | select(.kind == "%s" and .sam_account_name == "%s")' "$1" "$2"; }

# sid_of NAME: the objectSid of account NAME as S-1-...
sid_of() {
    dc_search -b "$(dc_dn "$1")" -s base '(objectClass=*)' objectSid |
        sed -n 's/^objectSid:: //p' |
        "$PY" -c 'import sys, base64
from samba.dcerpc import security
from samba.ndr import ndr_unpack
print(ndr_unpack(security.dom_sid, base64.b64decode(sys.stdin.read())))'
}

# set_rbcd DN SID...: msDS-AllowedToActOnBehalfOfOtherIdentity of DN as a
# security descriptor owned by BA with one ACCESS_ALLOWED ACE (0xF01FF) per
# SID, built by Samba's own NDR code and written to the raw database.
set_rbcd() {
    local dn=$1 sddl="O:BAD:" b64 sid
    shift
    for sid in "$@"; do sddl="$sddl(A;;0xf01ff;;;$sid)"; done
    b64=$("$PY" -c 'import sys, base64
from samba.dcerpc import security
from samba.ndr import ndr_pack
sd = security.descriptor.from_sddl(sys.argv[1], security.dom_sid("S-1-5-32"))
print(base64.b64encode(ndr_pack(sd)).decode())' "$sddl")
    printf 'dn: %s\nchangetype: modify\nreplace: msDS-AllowedToActOnBehalfOfOtherIdentity\nmsDS-AllowedToActOnBehalfOfOtherIdentity:: %s\n' \
        "$dn" "$b64" | dc_raw_modify -
    # The write must be visible over LDAP, or the test proves nothing.
    dc_search -b "$dn" -s base '(objectClass=*)' msDS-AllowedToActOnBehalfOfOtherIdentity |
        grep -q '^msDS-AllowedToActOnBehalfOfOtherIdentity:: ' || {
        echo "set_rbcd: $dn has no RBCD value after the raw write" >&2; return 1; }
}

# The exact DN as the server spells it (raw ldb writes match it exactly).
exact_dn() { dc_search -b "$(dc_dn "$1")" -s base '(objectClass=*)' 1.1 | sed -n 's/^dn: //p'; }

t_begin "fresh domain: only the DC's own unconstrained delegation, expected"
run "$ADKCD" audit
expect_rc 0
expect_eq "$(table_rows)" "unconstrained|DC1\$|enabled, DC|(any service)|dc-expected" "table"
expect_out_contains "Delegation in domain $ADKCD_BASEDN"
expect_out_contains "1 entry, 1 account: 1 unconstrained, 0 constrained, 0 constrained-any-protocol, 0 resource-based; risks: 0 critical, 0 high, 0 medium, 0 low"
expect_out_not_contains "Risks:"
expect_err_empty
run "$ADKCD" audit --json
expect_rc 0
expect_json '.schema == 1 and .operation == "audit" and .scope.forest == false'
expect_json "(.entries | length) == 1 and .warnings == []"
expect_json ".entries[0] | .kind == \"unconstrained\" and .sam_account_name == \"DC1\$\" and .dn == \"$DC_DN\""
expect_json '.entries[0] | .domain_controller and (.disabled | not) and (.partial | not) and .services == [] and .principals == []'
expect_json '.entries[0].risks == [{"id": "dc-expected", "severity": "info", "text": "expected: domain controller"}]'
expect_json '.counts == {"entries": 1, "accounts": 1, "kinds": {"unconstrained": 1, "constrained": 0, "constrained-any-protocol": 0, "resource-based": 0}, "risks": {"critical": 0, "high": 0, "medium": 0, "low": 0, "info": 1}}'
t_end

t_begin "fresh domain, -F: the same through the Global Catalog"
run "$ADKCD" audit -F
expect_rc 0
expect_eq "$(table_rows)" "unconstrained|DC1\$|enabled, DC|(any service)|dc-expected" "table"
expect_out_contains "Delegation in forest $ADKCD_BASEDN (Global Catalog)"
expect_err_empty
run "$ADKCD" audit --forest --json
expect_json '.scope.forest == true and (.entries | length) == 1 and .entries[0].sam_account_name == "DC1$" and .warnings == []'
t_end

# ---- every kind, every label ------------------------------------------------
mk_user iosmdm
"$ADSPN" -S http/iosmdm.mydom.local iosmdm >/dev/null
SPN=http/iosmdm.mydom.local
mk_computer unc 'Unc-Passw0rd!'
"$ADKCD" set unc --mode unconstrained >/dev/null 2>&1
mk_computer tmg 'Tmg-Passw0rd!'
"$ADKCD" add tmg "$SPN" --any-protocol >/dev/null 2>&1
mk_computer kcd 'Kcd-Passw0rd!'
# A real service, a misspelled one, and a value that is no SPN at all (the
# DC stores anything; adkcd itself would refuse it).
"$ADKCD" add kcd "$SPN" http/iosmdn.mydom.local >/dev/null 2>&1
ldif_modify - >/dev/null <<EOF
dn: $(dc_dn 'kcd$')
changetype: modify
add: msDS-AllowedToDelegateTo
msDS-AllowedToDelegateTo: nonsense
EOF
mk_computer todc 'Todc-Passw0rd!'
"$ADKCD" add todc ldap/dc1.mydom.local cifs/dc1.mydom.local krbtgt/MYDOM.LOCAL >/dev/null 2>&1
mk_computer off                      # disabled (4098)
"$ADKCD" add off "$SPN" >/dev/null 2>&1
mk_computer both 'Both-Passw0rd!'
"$ADKCD" add both "$SPN" >/dev/null 2>&1
mk_computer web 'Web-Passw0rd!'
TMG_SID=$(sid_of 'tmg$')
DOM_SID=${TMG_SID%-*}
GONE_SID=$DOM_SID-99999               # a RID no object has
set_rbcd "$(exact_dn 'both$')" "$TMG_SID"
set_rbcd "$(exact_dn 'web$')" S-1-5-11 "$GONE_SID"

ALL_ROWS="unconstrained|DC1\$|enabled, DC|(any service)|dc-expected
unconstrained|unc\$|enabled|(any service)|unconstrained
constrained|both\$|enabled|http/iosmdm.mydom.local|-
constrained|kcd\$|enabled|http/iosmdm.mydom.local|-
constrained|kcd\$|enabled|http/iosmdn.mydom.local|service-unheld
constrained|kcd\$|enabled|nonsense|service-invalid
constrained|off\$|disabled|http/iosmdm.mydom.local|-
constrained|todc\$|enabled|cifs/dc1.mydom.local|delegation-to-dc
constrained|todc\$|enabled|krbtgt/MYDOM.LOCAL|delegation-to-krbtgt
constrained|todc\$|enabled|ldap/dc1.mydom.local|delegation-to-dc
constrained-any-protocol|tmg\$|enabled|http/iosmdm.mydom.local|protocol-transition
resource-based|both\$|enabled|from tmg\$|-
resource-based|web\$|enabled|from Authenticated Users|rbcd-broad-principal
resource-based|web\$|enabled|from $GONE_SID (unresolved)|rbcd-unresolved"

t_begin "text: one row per account, kind and service or principal, sorted"
run "$ADKCD" audit
expect_rc 0
expect_eq "$(table_rows)" "$ALL_ROWS" "table"
expect_out_contains "9 entries, 8 accounts: 2 unconstrained, 4 constrained, 1 constrained-any-protocol, 2 resource-based; risks: 3 critical, 2 high, 2 medium, 2 low"
expect_out_contains "  critical delegation-to-dc: ldap/dc1.mydom.local is a service of domain controller $DC_DN"
expect_out_contains "  critical delegation-to-krbtgt: krbtgt/MYDOM.LOCAL is the KDC's own service"
expect_out_contains "  high     unconstrained: unc\$ receives the forwardable TGT of every user"
expect_out_contains "  high     rbcd-broad-principal: S-1-5-11 (Authenticated Users) may delegate to web\$"
expect_out_contains "  medium   protocol-transition: tmg\$ can impersonate any user to its services"
expect_out_contains "  medium   service-unheld: no account in the domain holds http/iosmdn.mydom.local"
expect_out_contains "  low      service-invalid: nonsense is not a valid SPN"
expect_out_contains "  low      rbcd-unresolved: $GONE_SID names no object in the domain"
expect_err_empty
t_end

t_begin "JSON: kinds, services with holders, principals resolved, risks"
run "$ADKCD" audit --json
expect_rc 0
expect_json '.counts.entries == 9 and .counts.accounts == 8 and .warnings == []'
expect_json '.counts.kinds == {"unconstrained": 2, "constrained": 4, "constrained-any-protocol": 1, "resource-based": 2}'
expect_json '.counts.risks == {"critical": 3, "high": 2, "medium": 2, "low": 2, "info": 1}'
expect_json "[$(jentry unconstrained 'unc$') | .risks[] | [.id, .severity]] == [[\"unconstrained\", \"high\"]]"
expect_json "[$(jentry unconstrained 'unc$') | .domain_controller, .disabled, .object_class] == [false, false, \"computer\"]"
expect_json "[$(jentry constrained-any-protocol 'tmg$') | .risks[].id] == [\"protocol-transition\"]"
expect_json "[$(jentry constrained-any-protocol 'tmg$') | .services[] | [.service, .holders, (.risks | length)]] == [[\"$SPN\", [\"CN=iosmdm,CN=Users,$ADKCD_BASEDN\"], 0]]"
expect_json "[$(jentry constrained-any-protocol 'tmg$') | .flags | index(\"TRUSTED_TO_AUTH_FOR_DELEGATION\")] != [null]"
expect_json "[$(jentry constrained 'kcd$') | .services[] | [.service, .valid_spn, [.risks[].id]]] == [[\"$SPN\", true, []], [\"http/iosmdn.mydom.local\", true, [\"service-unheld\"]], [\"nonsense\", false, [\"service-invalid\"]]]"
expect_json "[$(jentry constrained 'todc$') | .services[] | [.service, .domain_controller_holder, [.risks[] | .id + \":\" + .severity]]] == [[\"cifs/dc1.mydom.local\", \"$DC_DN\", [\"delegation-to-dc:critical\"]], [\"krbtgt/MYDOM.LOCAL\", null, [\"delegation-to-krbtgt:critical\"]], [\"ldap/dc1.mydom.local\", \"$DC_DN\", [\"delegation-to-dc:critical\"]]]"
# cifs/dc1 is found through its host/ alias (sPNMappings): held by the DC.
expect_json "[$(jentry constrained 'todc$') | .services[0].holders] == [[\"$DC_DN\"]]"
expect_json "[$(jentry constrained 'off$') | .disabled, .user_account_control, (.risks | length)] == [true, 4098, 0]"
t_end

t_begin "JSON: an account with two kinds is listed under each"
run "$ADKCD" audit --json
expect_json "[.entries[] | select(.sam_account_name == \"both\$\") | .kind] == [\"constrained\", \"resource-based\"]"
expect_json "[$(jentry resource-based 'both$') | .principals[] | [.sid, .name, .dn, (.risks | length)]] == [[\"$TMG_SID\", \"tmg\$\", \"CN=tmg,CN=Computers,$ADKCD_BASEDN\", 0]]"
expect_json "[$(jentry resource-based 'both$') | .services] == [[]]"
expect_json "[$(jentry resource-based 'web$') | .principals[] | [.sid, .name, [.risks[] | .id + \":\" + .severity]]] == [[\"S-1-5-11\", \"Authenticated Users\", [\"rbcd-broad-principal:high\"]], [\"$GONE_SID\", null, [\"rbcd-unresolved:low\"]]]"
expect_json "[$(jentry resource-based 'web$') | .principals[1].dn] == [null]"
t_end

t_begin "-F agrees with the domain (one domain in this forest)"
run "$ADKCD" audit
DOMAIN_ROWS=$(table_rows)
run "$ADKCD" audit -F
expect_rc 0
expect_eq "$(table_rows)" "$DOMAIN_ROWS" "table with -F"
expect_eq "$(table_rows)" "$ALL_ROWS" "table with -F"
expect_err_empty
run "$ADKCD" audit --json
jq -S 'del(.scope)' "$OUT_FILE" >"$T_TMP/domain.json"
run "$ADKCD" audit -F --json
expect_rc 0
expect_json '.scope.forest == true and .warnings == []'
jq -S 'del(.scope)' "$OUT_FILE" >"$T_TMP/forest.json"
# The texts that name the scope differ ("in the forest"); the rest agrees.
d=$(diff <(sed 's/in the domain/in the SCOPE/' "$T_TMP/domain.json") \
         <(sed 's/in the forest/in the SCOPE/' "$T_TMP/forest.json")) ||
    t_fail "audit -F --json differs from audit --json" "$d"
t_end

t_begin "a service held by two accounts: service-duplicate"
mk_user dup1
mk_user dup2
"$ADSPN" -S http/dup.mydom.local dup1 >/dev/null
force_dup_spn "$(dc_dn dup2)" http/dup.mydom.local
"$ADKCD" add kcd http/dup.mydom.local >/dev/null 2>&1
run "$ADKCD" audit --json
expect_rc 0
expect_json "[$(jentry constrained 'kcd$') | .services[] | select(.service == \"http/dup.mydom.local\") | [(.holders | length), [.risks[].id]]] == [[2, [\"service-duplicate\"]]]"
run "$ADKCD" audit
expect_out_contains "constrained               kcd\$"
case $(table_rows) in
    *"constrained|kcd\$|enabled|http/dup.mydom.local|service-duplicate"*) ;;
    *) t_fail "no service-duplicate row" "$(_t_last_run)" ;;
esac
t_end

t_begin "resource-based delegation on the DC: rbcd-on-dc"
set_rbcd "$DC_DN" "$TMG_SID"
run "$ADKCD" audit --json
expect_rc 0
expect_json "[$(jentry resource-based 'DC1$') | [.risks[] | .id + \":\" + .severity], .domain_controller] == [[\"rbcd-on-dc:critical\"], true]"
run "$ADKCD" audit
case $(table_rows) in
    *"resource-based|DC1\$|enabled, DC|from tmg\$|rbcd-on-dc"*) ;;
    *) t_fail "no rbcd-on-dc row" "$(_t_last_run)" ;;
esac
t_end

t_begin "refused: positional arguments and options audit does not take"
dc_snapshot "$ADKCD_TMP/s0"
for args in "audit tmg" "audit --impersonate alice" "audit --dry-run" \
            "audit --ldif" "audit -C" "audit --force" "audit --any-protocol" \
            "audit --mode none" "audit -F=yes" "audit --json extra"; do
    # shellcheck disable=SC2086  # word splitting is the point
    run "$ADKCD" $args
    expect_rc 3
    case $args in
        *--json*) expect_json '.error.status == "usage" and .exit_code == 3' ;;
        *) expect_out_empty ;;
    esac
done
run "$ADKCD" audit --impersonate alice
expect_err_contains "--impersonate goes with check and verify, not audit"
run "$ADKCD" audit tmg
expect_err_contains "audit takes no arguments"
run "$ADKCD" show tmg -F
expect_rc 3
expect_err_contains "-F/--forest goes with audit, not show"
expect_dc_unchanged "$ADKCD_TMP/s0"
[ ! -e "$ADKCD_JOURNAL" ] || [ "$(grep -c 'audit' "$ADKCD_JOURNAL")" = 0 ] ||
    t_fail "audit wrote to the journal"
t_end

t_summary
