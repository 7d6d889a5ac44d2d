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
expect_json '.schema == 1 and .operation == "audit" and .scope.forest == false and .scope.gc_only_domains == []'
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
expect_json '.scope.forest == true and .warnings == [] and .scope.gc_only_domains == []'
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

# ---- resource-based: the DACL as the KDC reads it ----------------------------

# raw_rbcd DN B64: write a descriptor (base64) into the raw database, and
# check that LDAP sees it (or the test proves nothing).
raw_rbcd() {
    printf 'dn: %s\nchangetype: modify\nreplace: msDS-AllowedToActOnBehalfOfOtherIdentity\nmsDS-AllowedToActOnBehalfOfOtherIdentity:: %s\n' \
        "$1" "$2" | dc_raw_modify -
    dc_search -b "$1" -s base '(objectClass=*)' msDS-AllowedToActOnBehalfOfOtherIdentity |
        grep -q '^msDS-AllowedToActOnBehalfOfOtherIdentity:: ' || {
        echo "raw_rbcd: $1 has no RBCD value after the raw write" >&2; return 1; }
}

# sddl_b64 SDDL: a descriptor packed by Samba's own NDR code, base64.
sddl_b64() {
    "$PY" -c 'import sys, base64
from samba.dcerpc import security
from samba.ndr import ndr_pack
sd = security.descriptor.from_sddl(sys.argv[1], security.dom_sid("S-1-5-32"))
print(base64.b64encode(ndr_pack(sd)).decode())' "$1"
}

# aces_b64 TYPE:MASK:SID...: a descriptor (owner BA) whose DACL holds these
# ACEs in order, built byte by byte (MS-DTYP 2.4.4), for ACE types Samba
# 4.17's SDDL parser cannot write: a callback (conditional) ACE gets a
# condition "artx" + padding after its SID.
aces_b64() {
    "$PY" - "$@" <<'PYEOF'
import sys, struct, base64
def sid(s):
    p = s.split('-'); subs = [int(x) for x in p[3:]]
    return bytes([1, len(subs)]) + int(p[2]).to_bytes(6, 'big') + \
        b''.join(struct.pack('<I', x) for x in subs)
aces = b''
for spec in sys.argv[1:]:
    t, mask, who = spec.split(':', 2)
    t = int(t, 0)
    body = struct.pack('<I', int(mask, 0)) + sid(who)
    if t in (9, 10):
        body += b'artx' + b'\0' * 4
    aces += bytes([t, 0]) + struct.pack('<H', 4 + len(body)) + body
acl = bytes([2, 0]) + struct.pack('<HHH', 8 + len(aces), len(sys.argv) - 1, 0) + aces
o = sid('S-1-5-32-544')
sd = bytes([1, 0]) + struct.pack('<H', 0x8004) + struct.pack('<IIII', 20, 0, 0, 20 + len(o)) + o + acl
print(base64.b64encode(sd).decode())
PYEOF
}

t_begin "resource-based: ACEs in order, as the KDC's access check reads them"
mk_computer att 'Att-Passw0rd!'
ATT_SID=$(sid_of 'att$')
# (These accounts are disabled, as mk_computer makes them without a
# password; the audit lists them all the same.)
# Allow, then deny (not canonical): the allow decides, att$ may delegate.
mk_computer ord1
raw_rbcd "$(exact_dn 'ord1$')" "$(sddl_b64 "O:BAD:(A;;0xf01ff;;;$ATT_SID)(D;;0xf01ff;;;$ATT_SID)")"
# A deny of WRITE_DAC only leaves the control access right to the allow.
mk_computer ord2
raw_rbcd "$(exact_dn 'ord2$')" "$(sddl_b64 "O:BAD:(D;;WD;;;$ATT_SID)(A;;0xf01ff;;;$ATT_SID)")"
# Deny first (canonical): nobody.
mk_computer ord3
raw_rbcd "$(exact_dn 'ord3$')" "$(sddl_b64 "O:BAD:(D;;0xf01ff;;;$ATT_SID)(A;;0xf01ff;;;$ATT_SID)")"
# An allow without the control access right (0x100) allows nothing.
mk_computer ord4
raw_rbcd "$(exact_dn 'ord4$')" "$(sddl_b64 "O:BAD:(A;;0xf00ff;;;$ATT_SID)")"
run "$ADKCD" audit
expect_rc 0
case $(table_rows) in
    *"resource-based|ord1\$|disabled|from att\$|-
resource-based|ord2\$|disabled|from att\$|-
resource-based|ord3\$|disabled|(nobody)|-
resource-based|ord4\$|disabled|(nobody)|-"*) ;;
    *) t_fail "ord1..ord4 rows" "$(_t_last_run)" ;;
esac
run "$ADKCD" audit --json
expect_json "[$(jentry resource-based 'ord1$') | .principals[] | [.sid, .name, .conditional, (.risks | length)]] == [[\"$ATT_SID\", \"att\$\", false, 0]]"
expect_json "[$(jentry resource-based 'ord2$') | .principals[].sid] == [\"$ATT_SID\"]"
expect_json "[$(jentry resource-based 'ord3$') | .principals] == [[]]"
expect_json "[$(jentry resource-based 'ord4$') | .principals] == [[]]"
t_end

t_begin "resource-based: a conditional ACE is rbcd-conditional, an unknown ACE type rbcd-unknown-ace"
mk_computer cond
# ACCESS_ALLOWED_CALLBACK (0x09) for att$, with a condition adkcd cannot evaluate.
raw_rbcd "$(exact_dn 'cond$')" "$(aces_b64 "9:0xf01ff:$ATT_SID")"
mk_computer odd
# SYSTEM_MANDATORY_LABEL (0x11) has no place in a DACL; then a plain allow.
raw_rbcd "$(exact_dn 'odd$')" "$(aces_b64 "0x11:0x1:S-1-16-12288" "0:0xf01ff:$ATT_SID")"
run "$ADKCD" audit
expect_rc 0
case $(table_rows) in
    *"resource-based|cond\$|disabled|from att\$|rbcd-conditional"*) ;;
    *) t_fail "no rbcd-conditional row for cond\$" "$(_t_last_run)" ;;
esac
case $(table_rows) in
    *"resource-based|odd\$|disabled|from att\$|rbcd-unknown-ace"*) ;;
    *) t_fail "no rbcd-unknown-ace row for odd\$" "$(_t_last_run)" ;;
esac
expect_out_contains "  medium   rbcd-conditional: att\$ may delegate to cond\$ when the condition of a conditional ACE holds"
expect_out_contains "  low      rbcd-unknown-ace: the msDS-AllowedToActOnBehalfOfOtherIdentity of odd\$ holds an ACE of a type adkcd does not interpret (ACE 0 of type 0x11)"
run "$ADKCD" audit --json
expect_json "[$(jentry resource-based 'cond$') | .principals[] | [.sid, .conditional, [.risks[] | .id + \":\" + .severity]]] == [[\"$ATT_SID\", true, [\"rbcd-conditional:medium\"]]]"
expect_json "[$(jentry resource-based 'odd$') | [.risks[] | .id + \":\" + .severity], [.principals[] | .sid, .conditional]] == [[\"rbcd-unknown-ace:low\"], [\"$ATT_SID\", false]]"
t_end

t_begin "resource-based: an unparsable descriptor is rbcd-unreadable, not 'nobody'"
mk_computer junk
raw_rbcd "$(exact_dn 'junk$')" "$(printf '\001\000\004\200\377\377\377\377' | base64 -w0)"
run "$ADKCD" audit
expect_rc 0
case $(table_rows) in
    *"resource-based|junk\$|disabled|(unreadable)|rbcd-unreadable"*) ;;
    *) t_fail "no rbcd-unreadable row" "$(_t_last_run)" ;;
esac
expect_out_contains "  high     rbcd-unreadable: msDS-AllowedToActOnBehalfOfOtherIdentity of junk\$ could not be parsed (security descriptor truncated: 8 bytes, the header alone is 20): who may delegate to it is unknown"
expect_err_contains "warning: CN=junk,CN=Computers,$ADKCD_BASEDN: msDS-AllowedToActOnBehalfOfOtherIdentity could not be read: security descriptor truncated"
run "$ADKCD" audit --json
expect_rc 0
expect_json "[$(jentry resource-based 'junk$') | .partial, .principals, [.risks[] | .id + \":\" + .severity]] == [true, [], [\"rbcd-unreadable:high\"]]"
expect_json '[.warnings[] | select(contains("CN=junk,"))] | length == 1'
t_end

# ---- read-only domain controllers --------------------------------------------
t_begin "read-only DC: protocol transition without services is expected, unconstrained is not"
# What an RODC's account has: PARTIAL_SECRETS_ACCOUNT | TRUSTED_TO_AUTH_FOR_
# DELEGATION | WORKSTATION_TRUST_ACCOUNT (0x5001000); Samba takes it over LDAP.
mk_computer rodc 'Rodc-Passw0rd!'
ldif_modify - >/dev/null <<EOF
dn: $(dc_dn 'rodc$')
changetype: modify
replace: userAccountControl
userAccountControl: $((0x5001000))
EOF
# The same with TRUSTED_FOR_DELEGATION (0x5081000): Samba refuses it over LDAP
# ("Setting UF_TRUSTED_FOR_DELEGATION not allowed with
# UF_PARTIAL_SECRETS_ACCOUNT"), so it is written to the raw database.
mk_computer rodcu 'Rodcu-Passw0rd!'
printf 'dn: %s\nchangetype: modify\nreplace: userAccountControl\nuserAccountControl: %d\n' \
    "$(exact_dn 'rodcu$')" $((0x5081000)) | dc_raw_modify -
expect_eq "$(dc_attr 'rodcu$' userAccountControl)" "$((0x5081000))" "rodcu\$ userAccountControl"
run "$ADKCD" audit
expect_rc 0
case $(table_rows) in
    *"unconstrained|rodcu\$|enabled, RODC|(any service)|unconstrained"*) ;;
    *) t_fail "no unconstrained row for rodcu\$" "$(_t_last_run)" ;;
esac
case $(table_rows) in
    *"constrained-any-protocol|rodc\$|enabled, RODC|(no service)|dc-expected"*) ;;
    *) t_fail "no dc-expected row for rodc\$" "$(_t_last_run)" ;;
esac
expect_out_contains "  high     unconstrained: rodcu\$ is a read-only domain controller trusted for unconstrained delegation"
expect_out_not_contains "protocol-transition: TRUSTED_TO_AUTH_FOR_DELEGATION is set on rodc\$"
run "$ADKCD" audit --json
expect_json "[$(jentry constrained-any-protocol 'rodc$') | .domain_controller, .read_only_domain_controller, [.risks[] | .id + \":\" + .severity]] == [true, true, [\"dc-expected:info\"]]"
expect_json "[$(jentry unconstrained 'rodcu$') | [.risks[] | .id + \":\" + .severity]] == [[\"unconstrained:high\"]]"
expect_json "[$(jentry unconstrained 'DC1$') | .read_only_domain_controller, [.risks[].id]] == [false, [\"dc-expected\"]]"
t_end

# ---- krbtgt accounts are known by their link, not by their name --------------
t_begin "a user named krbtgt_*: not a KDC account; an RODC's linked krbtgt is"
mk_user krbtgt_fake
"$ADSPN" -S http/fake.mydom.local krbtgt_fake >/dev/null
# The RODC's own krbtgt account: msDS-KrbTgtLink on the RODC names it and
# the DC keeps the back link msDS-KrbTgtLinkBl on it.
mk_user krbtgt_4242
"$ADSPN" -S http/rodckdc.mydom.local krbtgt_4242 >/dev/null
ldif_modify - >/dev/null <<EOF
dn: $(dc_dn 'rodc$')
changetype: modify
replace: msDS-KrbTgtLink
msDS-KrbTgtLink: $(dc_dn krbtgt_4242)
EOF
expect_eq "$(dc_attr krbtgt_4242 msDS-KrbTgtLinkBl)" "CN=rodc,CN=Computers,$ADKCD_BASEDN" "back link"
mk_computer kt 'Kt-Passw0rd!'
"$ADKCD" add kt http/fake.mydom.local http/rodckdc.mydom.local >/dev/null 2>&1
for scope in "" -F; do
    # shellcheck disable=SC2086  # empty or -F
    run "$ADKCD" audit $scope --json
    expect_rc 0
    expect_json "[$(jentry constrained 'kt$') | .services[] | [.service, .holders, [.risks[].id]]] == [[\"http/fake.mydom.local\", [\"CN=krbtgt_fake,CN=Users,$ADKCD_BASEDN\"], []], [\"http/rodckdc.mydom.local\", [\"CN=krbtgt_4242,CN=Users,$ADKCD_BASEDN\"], [\"delegation-to-krbtgt\"]]]"
done
run "$ADKCD" audit
case $(table_rows) in
    *"constrained|kt\$|enabled|http/fake.mydom.local|-
constrained|kt\$|enabled|http/rodckdc.mydom.local|delegation-to-krbtgt"*) ;;
    *) t_fail "kt\$ rows" "$(_t_last_run)" ;;
esac
t_end

# ---- text and JSON of values that are not ASCII ------------------------------
t_begin "text: columns line up with UTF-8 values; JSON keeps a value that is not UTF-8"
mk_computer uni 'Uni-Passw0rd!'
# The DC stores any string here; a UTF-8 one (2-byte é, 3-byte €) over LDAP,
# and one with a byte that is not UTF-8 (0xff) through the raw database,
# as the DC's LDAP server refuses it (invalid syntax).
ldif_modify - >/dev/null <<EOF
dn: $(dc_dn 'uni$')
changetype: modify
add: msDS-AllowedToDelegateTo
msDS-AllowedToDelegateTo:: $(printf 'http/caf\303\251\342\202\254.mydom.local' | base64 -w0)
EOF
printf 'dn: %s\nchangetype: modify\nadd: msDS-AllowedToDelegateTo\nmsDS-AllowedToDelegateTo:: %s\n' \
    "$(exact_dn 'uni$')" "$(printf 'http/r\377w.mydom.local' | base64 -w0)" | dc_raw_modify -
run "$ADKCD" audit
expect_rc 0
# Every row's RISK column starts where the header's does, counted in
# characters: a width counted in bytes would shift the UTF-8 row by 3.
cols=$(printf '%s\n' "$OUT" | "$PY" -c '
import sys
lines = sys.stdin.buffer.read().split(b"\n")
head = next(i for i, l in enumerate(lines) if l.startswith(b"KIND  "))
want = lines[head].decode().index("RISK")
for l in lines[head + 1:]:
    if not l:
        break
    t = l.decode("utf-8", "replace")
    if "uni$" in t:
        print(len(t.rstrip()) - len(t.rstrip().split()[-1]) == want)')
expect_eq "$cols" "True
True" "RISK column of uni\$'s rows"
run "$ADKCD" audit --json
expect_rc 0
# The byte that is not UTF-8 is shown as the four characters \xff.
expect_json "[$(jentry constrained 'uni$') | .services[] | .service] == [\"http/caf\u00e9\u20ac.mydom.local\", \"http/r\\\\xffw.mydom.local\"]"
expect_json "[$(jentry constrained 'uni$') | .services[1] | .risks[] | [.id, .text]] == [[\"service-invalid\", \"http/r\\\\xffw.mydom.local is not a valid SPN: delegation to it cannot work\"]]"
t_end

# ---- -F when the Global Catalog cannot be reached ----------------------------
t_begin "-F without a Global Catalog: the message says what to do, once"
# A shim that refuses every connection to port 3268 (the DC's own Global
# Catalog stays up for the rest of this run).
cat >"$T_TMP/nogc.c" <<'EOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <sys/socket.h>
int
connect(int fd, const struct sockaddr *sa, socklen_t len)
{
    static int (*real)(int, const struct sockaddr *, socklen_t);
    if (real == NULL)
        real = (int (*)(int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "connect");
    if (sa != NULL &&
        ((sa->sa_family == AF_INET &&
          ntohs(((const struct sockaddr_in *)sa)->sin_port) == 3268) ||
         (sa->sa_family == AF_INET6 &&
          ntohs(((const struct sockaddr_in6 *)sa)->sin6_port) == 3268))) {
        errno = ECONNREFUSED;
        return -1;
    }
    return real(fd, sa, len);
}
EOF
cc -shared -fPIC -o "$T_TMP/nogc.so" "$T_TMP/nogc.c" -ldl ||
    t_fail "cannot build the LD_PRELOAD shim (cc)"
# An ASan build wants its runtime first in the library list.
nogc() { LD_PRELOAD=$T_TMP/nogc.so ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 "$@"; }
run nogc "$ADKCD" audit -F
expect_rc 7
expect_err_contains "adkcd: audit of the forest: Global Catalog (forest-wide search): "
expect_err_contains "adkcd: hint: run without -F, or give -H a DC that is a Global Catalog"
expect_err_contains "Can't contact LDAP server"
expect_err_not_contains ": : "
expect_err_not_contains "-T DOMAIN"
expect_out_empty
run nogc "$ADKCD" audit -F --json
expect_rc 7
expect_json '.error.status == "unreachable" and .exit_code == 7'
expect_json '.error.message | startswith("audit of the forest: Global Catalog (forest-wide search): ")'
expect_json '.error.hints == ["global-catalog"]'
expect_json '.error.message | contains(": : ") | not'
# Without -F the Global Catalog is not needed.
run nogc "$ADKCD" audit
expect_rc 0
t_end

t_begin "refused: positional arguments and options audit does not take"
dc_snapshot "$ADKCD_TMP/s0"
bad_input command-line 3 -- "$ADKCD" audit tmg; expect_out_empty; expect_err_contains "audit takes no arguments"
bad_input command-line 3 -- "$ADKCD" audit --impersonate alice; expect_out_empty
expect_err_contains "--impersonate goes with check and verify, not audit"
bad_input command-line 3 -- "$ADKCD" audit --dry-run; expect_out_empty
bad_input command-line 3 -- "$ADKCD" audit --ldif; expect_out_empty
bad_input command-line 3 -- "$ADKCD" audit -C; expect_out_empty
bad_input command-line 3 -- "$ADKCD" audit --force; expect_out_empty
bad_input command-line 3 -- "$ADKCD" audit --any-protocol; expect_out_empty
bad_input command-line 3 -- "$ADKCD" audit --mode none; expect_out_empty
bad_input command-line 3 -- "$ADKCD" audit -F=yes; expect_out_empty
bad_input command-line 3 -- "$ADKCD" audit --json extra; expect_json '.error.status == "usage" and .exit_code == 3'
bad_input command-line 3 -- "$ADKCD" show tmg -F
expect_err_contains "-F/--forest goes with audit, not show"
expect_dc_unchanged "$ADKCD_TMP/s0"
[ ! -e "$ADKCD_JOURNAL" ] || [ "$(grep -c 'audit' "$ADKCD_JOURNAL")" = 0 ] ||
    t_fail "audit wrote to the journal"
t_end

t_summary
