#!/usr/bin/env bash
# Batched lookups give, name by name and SPN by SPN, exactly what the single
# lookups give: adkcd_account_resolve_many() against adkcd_account_resolve()
# and adkcd_spn_find_holders_many() against adkcd_spn_find_holders(), run
# by the test driver tests/tools/t_resolve_many over the same lists.
. "$(dirname "$0")/lib.sh"

DRIVER=${T_RESOLVE_MANY:-$ADKCD_BUILD_DIR/tests/t_resolve_many}
# Optional: T_RESOLVE_OLD=path of the driver built on an earlier library.
B=$ADKCD_BASEDN

# compare KIND LISTFILE [ARGS]: run one-by-one and batched; $ONE and $MANY
# hold the outputs, and they must be the same.
compare() {
    local kind=$1 list=$2
    shift 2
    RUN_STDIN=$list run "$DRIVER" -H "$ADKCD_DC_URI" "$kind" one "$@"
    expect_rc 0
    ONE=$OUT
    RUN_STDIN=$list run "$DRIVER" -H "$ADKCD_DC_URI" "$kind" many "$@"
    expect_rc 0
    MANY=$OUT
    expect_eq "$MANY" "$ONE" "batched ($kind) against one by one"
    # T_RESOLVE_OLD: the same driver built against an earlier library, whose
    # single lookups must answer the same (the behaviour did not change).
    if [ -n "${T_RESOLVE_OLD:-}" ]; then
        RUN_STDIN=$list run "$T_RESOLVE_OLD" -H "$ADKCD_DC_URI" "$kind" one "$@"
        expect_rc 0
        expect_eq "$ONE" "$OUT" "one by one, against $T_RESOLVE_OLD"
    fi
    expect_eq "$(printf '%s\n' "$MANY" | wc -l)" "$(wc -l <"$list")" "lines of output"
}

# line_of NAME-LINE: the output line of that input line.
line_of() { printf '%s\n' "$MANY" | grep -F -- "$1 |" | head -n 1; }

expect_line() {
    local l
    l=$(line_of "$1")
    case $l in "$1 | $2"*) ;; *) t_fail "for [$1] expected [$1 | $2...], got [$l]" ;; esac
}

guid_of() {
    dc_search -b "$1" -s base '(objectClass=*)' objectGUID | sed -n 's/^objectGUID:: //p' |
        /usr/bin/python3 -c 'import base64,sys,uuid; print(uuid.UUID(bytes_le=base64.b64decode(sys.stdin.read().strip())))'
}

sid_of() {
    dc_search -b "$1" -s base '(objectClass=*)' objectSid | sed -n 's/^objectSid:: //p' |
        /usr/bin/python3 -c '
import base64, struct, sys
b = base64.b64decode(sys.stdin.read().strip())
subs = struct.unpack("<%dI" % b[1], b[8:8 + 4 * b[1]])
print("S-%d-%d-%s" % (b[0], int.from_bytes(b[2:8], "big"), "-".join(map(str, subs))))'
}

# --- Fixture --------------------------------------------------------------
mk_user alice
mk_user bob
mk_user web                   # a user and a computer sharing a name
mk_computer web
mk_computer srv1
mk_user amb1
mk_user amb2
mk_user gu
# Two users named "amb" (the DC refuses that over LDAP: raw write).
printf 'dn: CN=amb1,CN=Users,%s\nchangetype: modify\nreplace: sAMAccountName\nsAMAccountName: amb\n' "$B" | dc_raw_modify -
printf 'dn: CN=amb2,CN=Users,%s\nchangetype: modify\nreplace: sAMAccountName\nsAMAccountName: amb\n' "$B" | dc_raw_modify -
# Two users with one UPN.
printf 'dn: CN=amb2,CN=Users,%s\nchangetype: modify\nreplace: userPrincipalName\nuserPrincipalName: amb1@%s\n' "$B" "$ADKCD_DOMAIN" | dc_raw_modify -
# A group named like no account, and one sharing user gu's name: a group
# is never an account.
ldapadd -Y GSSAPI -Q -H "$ADKCD_DC_URI" >/dev/null <<EOF2
dn: CN=grp1,CN=Users,$B
objectClass: group
sAMAccountName: grp1

dn: CN=grpgu,CN=Users,$B
objectClass: group
sAMAccountName: grpgu
EOF2
printf 'dn: CN=grpgu,CN=Users,%s\nchangetype: modify\nreplace: sAMAccountName\nsAMAccountName: gu\n' "$B" | dc_raw_modify -

# 300 users and 150 computers (each with host/ SPNs) in one ldapadd.
{
    for i in $(seq -w 1 300); do
        printf 'dn: CN=bulku%s,CN=Users,%s\nobjectClass: user\nsAMAccountName: bulku%s\nuserPrincipalName: bulku%s@%s\n\n' \
            "$i" "$B" "$i" "$i" "$ADKCD_DOMAIN"
    done
    for i in $(seq -w 1 150); do
        printf 'dn: CN=bulkc%s,CN=Computers,%s\nobjectClass: computer\nsAMAccountName: bulkc%s$\nuserAccountControl: 4098\nservicePrincipalName: host/bulkc%s\nservicePrincipalName: host/bulkc%s.%s\n\n' \
            "$i" "$B" "$i" "$i" "$i" "$ADKCD_DOMAIN"
    done
} >"$T_TMP/bulk.ldif"
ldapadd -Y GSSAPI -Q -H "$ADKCD_DC_URI" -f "$T_TMP/bulk.ldif" >/dev/null

ALICE_DN="CN=alice,CN=Users,$B"
WEB_DN="CN=web,CN=Computers,$B"
ALICE_GUID=$(guid_of "$ALICE_DN")
WEB_SID=$(sid_of "$WEB_DN")

# --- Accounts ---------------------------------------------------------------
NAMES=$T_TMP/names
cat >"$NAMES" <<EOF2
any alice
any ALICE
any alice\$
any web
any web\$
user web
computer web
computer alice
user web\$
any srv1
any srv1\$
user srv1
any MYDOM\\alice
any mydom.local\\web
any MyDom\\srv1\$
any OTHER\\alice
any \\alice
any MYDOM\\
any bob@$ADKCD_DOMAIN
any BOB@MYDOM.LOCAL
computer bob@$ADKCD_DOMAIN
any nobody@$ADKCD_DOMAIN
any amb1@$ADKCD_DOMAIN
any $ALICE_DN
any cn=ALICE,cn=users,$B
any $WEB_DN
user $WEB_DN
any CN=nobody,CN=Users,$B
any CN=grp1,CN=Users,$B
any <GUID=$ALICE_GUID>
any <GUID=00000000-1111-2222-3333-444444444444>
any <GUID=zz>
any <SID=$WEB_SID>
any <SID=S-1-5-21-1-2-3-99999>
any <SID=S-1-x>
any nobody
any nobody\$
user nobody
any amb
any grp1
any gu
any x)(objectClass=*
any *
any a\\b\\c
any alice
EOF2
{
    for i in $(seq -w 1 300); do echo "any bulku$i"; done
    for i in $(seq -w 1 150); do echo "any bulkc$i"; done
    for i in $(seq -f %03g 1 20); do echo "any bulkc$i\$"; echo "any bulku$i@$ADKCD_DOMAIN"; done
} >>"$NAMES"

t_begin "resolve_many = resolve for every form of name ($(wc -l <"$NAMES") names)"
compare accounts "$NAMES"
t_end

t_begin "the answers themselves"
expect_line "any alice" "ok | $ALICE_DN | user alice, as no computer alice\$ exists"
expect_line "any ALICE" "ok | $ALICE_DN | user ALICE, as no computer ALICE\$ exists"
expect_line "any alice\$" "not-found | no computer account 'alice\$' in $B"
expect_line "any web" "ok | $WEB_DN | computer web\$"
expect_line "user web" "ok | CN=web,CN=Users,$B | user web"
expect_line "computer alice" "not-found | no computer account 'alice\$' in $B"
expect_line "user web\$" "not-found | $WEB_DN is a computer account, not a user account"
expect_line "any MYDOM\\alice" "ok | $ALICE_DN | user alice"
expect_line "any OTHER\\alice" "not-found | domain 'OTHER' is not the domain of"
expect_line "any \\alice" "usage | malformed '\\alice': expected DOMAIN\\NAME"
expect_line "any bob@$ADKCD_DOMAIN" "ok | CN=bob,CN=Users,$B | user bob"
expect_line "computer bob@$ADKCD_DOMAIN" "not-found | CN=bob,CN=Users,$B is a user account, not a computer account"
expect_line "any amb1@$ADKCD_DOMAIN" "not-found | with UPN 'amb1@$ADKCD_DOMAIN' in $B is ambiguous: it matches 2 accounts"
expect_line "any $WEB_DN" "ok | $WEB_DN | computer web\$"
expect_line "any CN=grp1,CN=Users,$B" "not-found | no account at DN 'CN=grp1,CN=Users,$B'"
expect_line "any <GUID=$ALICE_GUID>" "ok | $ALICE_DN | user alice"
expect_line "any <GUID=zz>" "usage | malformed GUID 'zz'"
expect_line "any <SID=$WEB_SID>" "ok | $WEB_DN | computer web\$"
expect_line "any <SID=S-1-5-21-1-2-3-99999>" "not-found | no account with <SID=S-1-5-21-1-2-3-99999>"
expect_line "any nobody" "not-found | no computer 'nobody\$' or user 'nobody' in $B"
expect_line "any amb" "not-found | amb is ambiguous: it matches 2 accounts (CN=amb"
expect_line "any grp1" "not-found | no computer 'grp1\$' or user 'grp1'"
expect_line "any gu" "ok | CN=gu,CN=Users,$B | user gu, as no computer gu\$ exists"
expect_line "any x)(objectClass=*" "not-found | no computer 'x)(objectClass=*\$' or user 'x)(objectClass=*'"
expect_line "any *" "not-found | no computer '*\$' or user '*'"
expect_line "any bulku150" "ok | CN=bulku150,CN=Users,$B | user bulku150, as no computer bulku150\$ exists"
expect_line "any bulkc150" "ok | CN=bulkc150,CN=Computers,$B | computer bulkc150\$"
n=$(printf '%s\n' "$MANY" | grep -c '^any bulk.* | ok | ')
expect_eq "$n" 490 "bulk names resolved"
t_end

# --- SPN holders --------------------------------------------------------------
"$ADSPN" -A http/web.mydom.local 'web$' >/dev/null
"$ADSPN" -A host/alias1.mydom.local 'web$' >/dev/null
"$ADSPN" -A http/svc.mydom.local alice >/dev/null
"$ADSPN" -A http/host2.mydom.local srv1 >/dev/null
force_dup_spn "CN=bob,CN=Users,$B" http/svc.mydom.local
force_dup_spn "CN=srv1,CN=Computers,$B" HTTP/WEB.mydom.local

SPNS=$T_TMP/spns
{
    printf 'http/svc.mydom.local\t\n'
    printf 'HTTP/SVC.MYDOM.LOCAL\t%s\n' "$ALICE_DN"
    printf 'http/alias1.mydom.local\t\n'
    printf 'http/alias1.mydom.local\t%s\n' "$WEB_DN"
    printf 'cifs/alias1.mydom.local\t\n'
    printf 'host/web.mydom.local\t\n'
    printf 'host/web.mydom.local\t%s\n' "$WEB_DN"
    printf 'http/web.mydom.local\t\n'
    printf 'host/host2.mydom.local\t\n'
    printf 'cifs/nothing.mydom.local\t\n'
    for i in $(seq -w 1 150); do
        printf 'http/bulkc%s.%s\t\n' "$i" "$ADKCD_DOMAIN"
        printf 'host/bulkc%s\t\n' "$i"
    done
    for i in $(seq -f %03g 1 10); do
        printf 'host/bulkc%s.%s\tCN=bulkc%s,CN=Computers,%s\n' "$i" "$ADKCD_DOMAIN" "$i" "$B"
    done
} >"$SPNS"

t_begin "holders_many = find_holders, domain ($(wc -l <"$SPNS") SPNs)"
compare holders "$SPNS"
l=$(line_of "http/svc.mydom.local")
case $l in *"CN=alice,CN=Users,$B=http/svc.mydom.local"*"CN=bob,CN=Users,$B=http/svc.mydom.local"* | \
           *"CN=bob,CN=Users,$B=http/svc.mydom.local"*"CN=alice,CN=Users,$B=http/svc.mydom.local"*) ;;
    *) t_fail "two holders of http/svc expected: [$l]" ;; esac
expect_eq "$(line_of "HTTP/SVC.MYDOM.LOCAL")" "HTTP/SVC.MYDOM.LOCAL | CN=bob,CN=Users,$B=http/svc.mydom.local" "excluded holder"
expect_eq "$(line_of "cifs/alias1.mydom.local")" "cifs/alias1.mydom.local | $WEB_DN=host/alias1.mydom.local alias" "alias holder"
expect_eq "$(line_of "cifs/nothing.mydom.local")" "cifs/nothing.mydom.local |" "no holder"
expect_eq "$(line_of "http/bulkc150.$ADKCD_DOMAIN")" "http/bulkc150.$ADKCD_DOMAIN | CN=bulkc150,CN=Computers,$B=host/bulkc150.$ADKCD_DOMAIN alias" "bulk alias"
expect_eq "$(line_of "host/bulkc010.$ADKCD_DOMAIN")" "host/bulkc010.$ADKCD_DOMAIN |" "bulk, excluded"
t_end

t_begin "holders_many = find_holders, forest (Global Catalog)"
compare holders "$SPNS" --forest
t_end

t_summary
