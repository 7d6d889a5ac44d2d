#!/usr/bin/env bash
# adspn -S/-A/-D/-L/-R against the sandbox DC: adds, deletes, idempotence,
# case-insensitivity, dry-run diffs, LDIF, JSON and account resolution.
# Runs inside scripts/with-dc.sh.
. "$(dirname "$0")/lib.sh"

mk_user iosmdm
mk_computer tmg
mk_user web
mk_computer web          # computer web$ and user web: -S must pick web$
SPN=http/iosmdm.mydom.local

t_begin "dry run shows the diff and writes nothing"
dc_snapshot "$ADKCD_TMP/s0"
run "$ADSPN" -n -S "$SPN" iosmdm
expect_rc 0
expect_out_contains "+ servicePrincipalName: $SPN"
expect_out_contains "dry run: nothing written"
expect_out_contains "user iosmdm, as no computer iosmdm\$ exists"
expect_dc_unchanged "$ADKCD_TMP/s0"
t_end

t_begin "--detailed-exitcode: 2 when changes are pending"
run "$ADSPN" --dry-run --detailed-exitcode -S "$SPN" iosmdm
expect_rc 2
expect_dc_unchanged "$ADKCD_TMP/s0"
t_end

t_begin "-S adds the SPN, read back"
run "$ADSPN" -S "$SPN" iosmdm
expect_rc 0
expect_out_contains "Registering ServicePrincipalNames for CN=iosmdm,CN=Users,$ADKCD_BASEDN"
expect_out_contains "Updated object"
expect_eq "$(dc_spns iosmdm)" "$SPN" "SPNs of iosmdm"
t_end

t_begin "adding it again writes nothing and says unchanged"
dc_snapshot "$ADKCD_TMP/s1"
run "$ADSPN" -v -S "$SPN" iosmdm
expect_rc 0
expect_out_contains "unchanged"
expect_dc_unchanged "$ADKCD_TMP/s1"
# An SPN the account holds needs no forest-wide check: no Global Catalog.
expect_err_not_contains "Global Catalog"
t_end

t_begin "adding it in another case is the same SPN (no second value)"
run "$ADSPN" -A HTTP/IOSMDM.MYDOM.LOCAL iosmdm
expect_rc 0
expect_out_contains "unchanged"
expect_dc_unchanged "$ADKCD_TMP/s1"
t_end

t_begin "--detailed-exitcode: 0 when there is nothing to do"
run "$ADSPN" -n --detailed-exitcode -S "$SPN" iosmdm
expect_rc 0
expect_out_contains "unchanged"
t_end

t_begin "-L lists the SPNs"
run "$ADSPN" -L iosmdm
expect_rc 0
expect_out_contains "Registered ServicePrincipalNames for CN=iosmdm,CN=Users,$ADKCD_BASEDN"
expect_out_contains "	$SPN"
t_end

t_begin "-A with setspn's /a and lower case flags"
run "$ADSPN" /a http/iosmdm:8443 iosmdm
expect_rc 0
expect_eq "$(dc_spns iosmdm | sort)" "$(printf '%s\n' http/iosmdm:8443 "$SPN" | sort)" "SPNs of iosmdm"
t_end

t_begin "-D deletes the value as stored, whatever case was typed"
run "$ADSPN" -d HTTP/IOSMDM:8443 iosmdm
expect_rc 0
expect_out_contains "- servicePrincipalName: http/iosmdm:8443"
expect_eq "$(dc_spns iosmdm)" "$SPN" "SPNs of iosmdm"
t_end

t_begin "-D of an absent SPN writes nothing"
dc_snapshot "$ADKCD_TMP/s2"
run "$ADSPN" -D http/absent.mydom.local iosmdm
expect_rc 0
expect_out_contains "unchanged"
expect_out_contains "does not hold http/absent.mydom.local"
expect_dc_unchanged "$ADKCD_TMP/s2"
t_end

t_begin "-D removes both spellings when the DC holds two"
# Samba stores HTTP/x and http/x as two values when a client adds them one
# after the other; adspn never does, but must clean such a pair up.
ldif_modify <<LDIF
dn: CN=iosmdm,CN=Users,$ADKCD_BASEDN
changetype: modify
add: servicePrincipalName
servicePrincipalName: HTTP/twice.mydom.local
-
add: servicePrincipalName
servicePrincipalName: http/twice.mydom.local
-
LDIF
run "$ADSPN" -D http/TWICE.mydom.local iosmdm
expect_rc 0
expect_out_contains "- servicePrincipalName: HTTP/twice.mydom.local"
expect_out_contains "- servicePrincipalName: http/twice.mydom.local"
expect_eq "$(dc_spns iosmdm)" "$SPN" "SPNs of iosmdm"
t_end

t_begin "computer first: NAME is NAME\$ when a computer exists"
run "$ADSPN" -S http/web.mydom.local web
expect_rc 0
expect_out_contains "(computer web\$)"
expect_eq "$(dc_spns 'web$')" "http/web.mydom.local" "SPNs of web\$"
expect_eq "$(dc_spns web)" "" "SPNs of user web"
t_end

t_begin "-U forces the user account"
run "$ADSPN" -U -S http/webuser.mydom.local web
expect_rc 0
expect_out_contains "(user web)"
expect_eq "$(dc_spns web)" "http/webuser.mydom.local" "SPNs of user web"
t_end

t_begin "-C forces the computer account"
run "$ADSPN" -C -L web
expect_rc 0
expect_out_contains "CN=web,CN=Computers"
run "$ADSPN" -C -L iosmdm
expect_rc 4
expect_err_contains "no computer account 'iosmdm\$'"
t_end

t_begin "account forms: NAME\$, DOMAIN\\NAME, UPN, DN, <SID=...>, <GUID=...>"
run "$ADSPN" -L 'tmg$'
expect_rc 0; expect_out_contains "CN=tmg,CN=Computers,$ADKCD_BASEDN"
run "$ADSPN" -L 'MYDOM\iosmdm'
expect_rc 0; expect_out_contains "CN=iosmdm,CN=Users,$ADKCD_BASEDN"
run "$ADSPN" -L 'mydom.local\tmg'
expect_rc 0; expect_out_contains "CN=tmg,CN=Computers,$ADKCD_BASEDN"
run "$ADSPN" -L "iosmdm@$ADKCD_REALM"
expect_rc 0; expect_out_contains "CN=iosmdm,CN=Users,$ADKCD_BASEDN"
run "$ADSPN" -L "CN=iosmdm,CN=Users,$ADKCD_BASEDN"
expect_rc 0; expect_out_contains "$SPN"
# objectSid and objectGUID are binary: decode them to their string forms.
read -r sid guid < <(dc_search -b "CN=iosmdm,CN=Users,$ADKCD_BASEDN" -s base \
    '(objectClass=*)' objectSid objectGUID | python3 -c '
import base64, struct, sys, uuid
v = {}
for line in sys.stdin:
    if ":: " in line:
        k, b = line.split(":: ", 1)
        v[k] = base64.b64decode(b)
s = v["objectSid"]
subs = struct.unpack("<%dI" % s[1], s[8:])
print("S-%d-%d-%s" % (s[0], int.from_bytes(s[2:8], "big"), "-".join(map(str, subs))),
      uuid.UUID(bytes_le=v["objectGUID"]))')
run "$ADSPN" -L "<SID=$sid>"
expect_rc 0; expect_out_contains "CN=iosmdm,CN=Users,$ADKCD_BASEDN"
run "$ADSPN" -L "<GUID=$guid>"
expect_rc 0; expect_out_contains "CN=iosmdm,CN=Users,$ADKCD_BASEDN"
t_end

t_begin "--ldif prints LDIF that ldapmodify applies"
run "$ADSPN" -n --ldif -S http/ldif.mydom.local iosmdm
expect_rc 0
expect_out_contains "changetype: modify"
expect_out_contains "add: servicePrincipalName"
printf '%s\n' "$OUT" > "$ADKCD_TMP/add.ldif"
expect_eq "$(dc_spns iosmdm | grep -c ldif)" "0" "nothing written by --ldif -n"
ldapmodify -Q -Y GSSAPI -H "$ADKCD_DC_URI" -f "$ADKCD_TMP/add.ldif" >/dev/null 2>&1 ||
    t_fail "ldapmodify refused adspn's LDIF: $(cat "$ADKCD_TMP/add.ldif")"
expect_eq "$(dc_spns iosmdm | grep -c ldif.mydom.local)" "1" "SPN added by ldapmodify"
t_end

t_begin "--json for a change: changed, account, dn, object class, before, after"
run "$ADSPN" --json -S http/json.mydom.local iosmdm
expect_rc 0
expect_json '.schema == 1 and .tool == "adspn" and .operation == "add"'
expect_json '.changed == true and .applied == true and .dry_run == false'
expect_json ".dn == \"CN=iosmdm,CN=Users,$ADKCD_BASEDN\" and .object_class == \"user\""
expect_json '.account.chosen == "user iosmdm, as no computer iosmdm$ exists"'
expect_json '(.before | index("http/json.mydom.local")) == null'
expect_json '(.after | index("http/json.mydom.local")) != null'
expect_json '.added == ["http/json.mydom.local"] and .removed == []'
run "$ADSPN" --json -S http/json.mydom.local iosmdm
expect_rc 0
expect_json '.changed == false and .applied == false and .added == []'
run "$ADSPN" --json -L iosmdm
expect_rc 0
expect_json '.operation == "list" and (.spns | index("http/json.mydom.local")) != null'
t_end

t_begin "SQL Server named-instance SPNs (host:INSTANCE)"
run "$ADSPN" -S MSSQLSvc/sql1.mydom.local:SQLEXPRESS iosmdm
expect_rc 0
expect_out_contains "+ servicePrincipalName: MSSQLSvc/sql1.mydom.local:SQLEXPRESS"
run "$ADSPN" -D mssqlsvc/SQL1.mydom.local:sqlexpress iosmdm
expect_rc 0
expect_out_contains "- servicePrincipalName: MSSQLSvc/sql1.mydom.local:SQLEXPRESS"
t_end

t_begin "-R adds the HOST/ SPNs a computer is missing"
run "$ADSPN" -R tmg
expect_rc 0
expect_out_contains "+ servicePrincipalName: HOST/tmg"
expect_out_contains "+ servicePrincipalName: HOST/tmg.mydom.local"
run "$ADSPN" -R tmg
expect_rc 0
expect_out_contains "unchanged"
run "$ADSPN" -R iosmdm
expect_rc 4
t_end

t_summary
