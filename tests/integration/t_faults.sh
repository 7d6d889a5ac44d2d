#!/usr/bin/env bash
# Faults on the real DC (issue 12): a DC that stops answering (samba
# SIGSTOPped) during the bind, during a search, while a modify is in flight
# and between the modify and its read-back; the KDC unreachable or hung
# while LDAP answers, and LDAP dead while the KDC answers; DNS SRV naming a
# hung DC first; LDAP referrals; the journal on a full filesystem.  Every
# command must end within --timeout plus a margin, with the exit code and a
# message that says what it was doing and whether anything was written, and
# the DC and the journal must say the same.
#
# Not here, because they are tested already: a DC killed and restarted in
# the middle of a 500-account apply (t_apply.sh, "a DC killed in the middle
# of a large apply") and of a 300-account rollback (t_kcd_rollback.sh, "a
# rollback cut off half-way by the DC dying"): journal exact, re-run
# completes, final state as asked; a DC that is down, a KDC on a dead port
# while getting a TGT, and SRV fallover from a refused DC (t_conn.sh).
#
# Where a fault must hit one exact step of a command (a search, a modify's
# answer), the command runs with a preload library built here (fault.c
# below, never shipped) that runs FAULT_CMD once, just before the Nth
# search or modify is sent, or just after a modify's answer is taken.
# Watching the DC from outside cannot hit the few microseconds between a
# modify's answer and the read-back sent right after it.
. "$(dirname "$0")/lib.sh"

TIMEOUT=3
# Wall-clock bound of a command that waits for one timeout: the timeout,
# plus process start, the bind, the journal and a loaded CI machine.
BOUND=$((TIMEOUT + 5))

# --- Helpers ----------------------------------------------------------------
FROZEN=0
dc_pid() { cat "$ADKCD_DC_PIDFILE"; }
# SIGSTOP samba and all its helpers (its process group): the sockets stay
# open and the kernel still completes TCP handshakes, but nothing answers.
dc_freeze() { kill -STOP -- "-$(dc_pid)"; FROZEN=1; }
dc_thaw() {
    [ "$FROZEN" -eq 1 ] || return 0
    kill -CONT -- "-$(dc_pid)"
    FROZEN=0
}

# timed CMD...: run, and ELAPSED = its wall-clock seconds.
ELAPSED=0
timed() {
    local t0 t1
    t0=$(date +%s.%N)
    run "$@"
    t1=$(date +%s.%N)
    ELAPSED=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
}
# The last timed command ended within / not before SECONDS.
expect_within() {
    awk -v e="$ELAPSED" -v m="$1" 'BEGIN { exit !(e <= m) }' ||
        t_fail "took $ELAPSED s, more than $1 s" "$(_t_last_run)"
}
expect_at_least() {
    awk -v e="$ELAPSED" -v m="$1" 'BEGIN { exit !(e >= m) }' ||
        t_fail "took $ELAPSED s, less than $1 s: the fault was not hit" "$(_t_last_run)"
}
# A hang waited for exactly one timeout.
expect_one_timeout() {
    expect_at_least "$((TIMEOUT - 1))"
    expect_within "$BOUND"
}

journal_runs() { [ -s "$ADKCD_JOURNAL" ] && grep -c '^# run: ' "$ADKCD_JOURNAL" || echo 0; }

# The fault library: FAULT_AT is search:N (before the Nth search is sent),
# modify:N (before the Nth modify is sent) or modify-answered (after the
# first modify's answer is taken); FAULT_CMD runs then, once, and the call
# goes on.  The tools call libldap's entry points, so preloading catches
# them; nothing of this is in the tools.
FAULT_SO=$T_TMP/fault.so
cat >"$T_TMP/fault.c" <<'EOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <ldap.h>
#include <stdlib.h>
#include <string.h>

static int n_search, n_modify, fired;

static void
fire(void)
{
    const char *cmd = getenv("FAULT_CMD");

    if (fired || cmd == NULL)
        return;
    fired = 1;
    unsetenv("LD_PRELOAD");
    if (system(cmd) != 0)
        abort();
}

static int
at(const char *what, int n)
{
    const char *a = getenv("FAULT_AT");
    size_t l = strlen(what);

    if (a == NULL || strncmp(a, what, l) != 0)
        return 0;
    return a[l] == '\0' || (a[l] == ':' && atoi(a + l + 1) == n);
}

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

int
ldap_search_ext_s(LDAP *ld, const char *base, int scope, const char *filter,
                  char **attrs, int attrsonly, LDAPControl **sc,
                  LDAPControl **cc, struct timeval *tv, int size,
                  LDAPMessage **res)
{
    if (at("search", ++n_search))
        fire();
    return REAL(ldap_search_ext_s)(ld, base, scope, filter, attrs, attrsonly,
                                   sc, cc, tv, size, res);
}

int
ldap_search_ext(LDAP *ld, const char *base, int scope, const char *filter,
                char **attrs, int attrsonly, LDAPControl **sc,
                LDAPControl **cc, struct timeval *tv, int size, int *id)
{
    if (at("search", ++n_search))
        fire();
    return REAL(ldap_search_ext)(ld, base, scope, filter, attrs, attrsonly,
                                 sc, cc, tv, size, id);
}

int
ldap_modify_ext(LDAP *ld, const char *dn, LDAPMod **mods, LDAPControl **sc,
                LDAPControl **cc, int *id)
{
    if (at("modify", ++n_modify))
        fire();
    return REAL(ldap_modify_ext)(ld, dn, mods, sc, cc, id);
}

int
ldap_result(LDAP *ld, int msgid, int all, struct timeval *tv,
            LDAPMessage **res)
{
    int rc = REAL(ldap_result)(ld, msgid, all, tv, res);

    if (rc == LDAP_RES_MODIFY && at("modify-answered", 1))
        fire();
    return rc;
}
EOF
"${CC:-cc}" -shared -fPIC -o "$FAULT_SO" "$T_TMP/fault.c" -ldl ||
    t_fail "cannot build the fault library (needs a C compiler and libldap's headers)"
# Scripts the library runs (by /bin/sh, so as files of their own).
# shellcheck disable=SC2016  # $(cat ...) is for the script, at its run
printf '#!/bin/bash\nkill -STOP -- "-$(cat %q)"\n' "$ADKCD_DC_PIDFILE" >"$T_TMP/freeze"
chmod +x "$T_TMP/freeze"
# with_fault AT CMD...: run CMD (timed) with the fault library at AT; the
# DC is frozen there (FROZEN is set, so dc_thaw thaws it).
with_fault() {
    local where=$1
    shift
    FROZEN=1
    LD_PRELOAD=$FAULT_SO FAULT_AT=$where FAULT_CMD=${FAULT_CMD:-$T_TMP/freeze} \
        timed "$@"
}

# A listener that never answers (a hung DC or KDC that still takes TCP
# connections and UDP datagrams), logging every connection it accepts.
HUNG_LOG=$T_TMP/hung.log
: >"$HUNG_LOG"
/usr/bin/python3 - "$HUNG_LOG" <<'EOF' &
import socket, sys, threading, time
log = sys.argv[1]
def tcp(addr, port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(64)
    held = []
    while True:
        c, _ = s.accept()
        held.append(c)  # keep it open, never answer
        with open(log, "a") as f:
            f.write("%s:%d\n" % (addr, port))
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.12", 88))  # a KDC that takes requests and never answers
for a, p in (("127.0.0.11", 389), ("127.0.0.12", 88)):
    threading.Thread(target=tcp, args=(a, p), daemon=True).start()
time.sleep(3600)
EOF
HUNG_PID=$!

FULL=$T_TMP/full
faults_cleanup() {
    dc_thaw
    kill "$HUNG_PID" 2>/dev/null || true
    mountpoint -q "$FULL" && umount "$FULL"
    mountpoint -q /etc/hosts && [ -n "${HOSTS_MOUNTED:-}" ] && umount /etc/hosts
    return 0
}
# Before lib.sh's own exit handler, with the script's status kept for it.
faults_on_exit() {
    local rc=$?
    faults_cleanup
    (exit "$rc")
    _t_on_exit
}
trap faults_on_exit EXIT

mk_user iosmdm
mk_computer hungdc
# The hung DC of the discovery test: a real DC has its ldap/ SPN (and keys),
# so the KDC gives a ticket and the bind waits for an answer that never
# comes.
mk_computer hung 'Hung-Passw0rd!1'
printf 'dn: %s\nchangetype: modify\nadd: servicePrincipalName\nservicePrincipalName: ldap/hung.mydom.local\n' \
    "$(dc_dn 'hung$')" | ldif_modify >/dev/null
# A ticket-granting ticket alone (no service ticket cached): the bind must
# ask the KDC for ldap/dc1.mydom.local.
TGT_ONLY=$T_TMP/krb5cc_tgt
new_tgt() {
    rm -f "$TGT_ONLY"
    printf '%s\n' "$ADKCD_ADMIN_PASS" | KRB5CCNAME=FILE:$TGT_ONLY kinit administrator >/dev/null
}
dc_snapshot "$T_TMP/s0"

# --- The DC stops answering -------------------------------------------------
t_begin "DC hung before the bind (ticket cached): exit 7 within --timeout, nothing written"
dc_freeze
timed "$ADSPN" --timeout "$TIMEOUT" -H "$ADKCD_DC_URI" -S http/f1.mydom.local iosmdm
dc_thaw
expect_rc 7
expect_one_timeout
expect_err_contains "no answer from dc1.mydom.local within $TIMEOUT s during the Kerberos (SASL GSSAPI) bind"
expect_err_contains "nothing was written"
expect_dc_unchanged "$T_TMP/s0"
expect_eq "$(journal_runs)" 0 "runs in the journal"
t_end

t_begin "DC hung before the bind (no service ticket): the KDC's silence is bounded too"
# The KDC is the same hung process: MIT krb5 alone would retry for 30 s+.
new_tgt
dc_freeze
KRB5CCNAME=FILE:$TGT_ONLY timed "$ADSPN" --timeout "$TIMEOUT" -H "$ADKCD_DC_URI" \
    -S http/f1.mydom.local iosmdm
dc_thaw
expect_rc 7
expect_one_timeout
expect_err_contains "binding to $ADKCD_DC_URI: no answer from the KDC within $TIMEOUT s while getting a ticket for ldap/dc1.mydom.local"
expect_err_contains "nothing was written"
expect_dc_unchanged "$T_TMP/s0"
t_end

t_begin "DC hung before discovery: its DNS does not answer the SRV query, bounded by --timeout"
dc_freeze
timed "$ADSPN" --timeout "$TIMEOUT" -S http/f1.mydom.local iosmdm
dc_thaw
expect_rc 7
expect_one_timeout
expect_err_contains "no DC found: DNS did not answer for _ldap._tcp.dc._msdcs.mydom.local within $TIMEOUT s"
expect_dc_unchanged "$T_TMP/s0"
t_end

t_begin "DC hung during a search: exit 7 within --timeout, says which search, nothing written"
# Search 1 reads the rootDSE (part of connecting), search 2 looks up the
# account.
with_fault search:2 "$ADSPN" --timeout "$TIMEOUT" -H "$ADKCD_DC_URI" -S http/f1.mydom.local iosmdm
dc_thaw
expect_rc 7
expect_one_timeout
expect_err_contains "searching $ADKCD_BASEDN for (|(sAMAccountName=iosmdm\$)(sAMAccountName=iosmdm)): no answer from the server within $TIMEOUT s"
expect_err_contains "nothing was written"
expect_dc_unchanged "$T_TMP/s0"
expect_eq "$(journal_runs)" 0 "runs in the journal"
# The same in adkcd, whose account lookup is its second search too.
with_fault search:2 "$ADKCD" --timeout "$TIMEOUT" -H "$ADKCD_DC_URI" add hungdc http/f1.mydom.local
dc_thaw
expect_rc 7
expect_one_timeout
expect_err_contains "no answer from the server within $TIMEOUT s"
expect_dc_unchanged "$T_TMP/s0"
t_end

t_begin "DC hung between the modify and its read-back: exit 7 within --timeout, the change WAS applied and journaled"
with_fault modify-answered "$ADSPN" --timeout "$TIMEOUT" -H "$ADKCD_DC_URI" --json \
    -S http/f2.mydom.local iosmdm
dc_thaw
expect_rc 7
expect_one_timeout
expect_json '.exit_code == 7 and .error.status == "unreachable" and .applied == true'
expect_json '.error.message | test("^1 change WAS applied and the journal records it, then the DC stopped answering while it was read back: no answer from the server within 3 s")'
expect_eq "$(dc_spns iosmdm)" "http/f2.mydom.local" "SPNs of iosmdm"
"$ADKCD" history --json | jq '.runs[-1]' >"$T_TMP/rb.json"
expect_eq "$(jq -r '.changes' "$T_TMP/rb.json")" 1 "changes journaled as applied"
expect_eq "$(jq -r '.in_doubt_accounts | length' "$T_TMP/rb.json")" 0 "changes journaled in doubt"
# The same in text, for adkcd (a delegation change).
with_fault modify-answered "$ADKCD" --timeout "$TIMEOUT" -H "$ADKCD_DC_URI" \
    add hungdc http/iosmdm.mydom.local
dc_thaw
expect_rc 7
expect_one_timeout
expect_err_contains "1 change WAS applied and the journal records it, then the DC stopped answering while it was read back"
expect_eq "$(dc_attr hungdc msDS-AllowedToDelegateTo)" "http/iosmdm.mydom.local" "delegation of hungdc"
run "$ADKCD" rollback last
expect_rc 0
t_end

t_begin "DC hung while a modify is in flight: exit 9 within --timeout, the journal says in doubt, rollback judges by the DC"
with_fault modify:1 "$ADSPN" --timeout "$TIMEOUT" -H "$ADKCD_DC_URI" -S http/f3.mydom.local iosmdm
dc_thaw
expect_rc 9
expect_one_timeout
expect_err_contains "1 of 1 changes is in doubt (sent, no answer), none confirmed"
expect_err_contains "it may or may not have been applied; the journal lists it as in doubt"
"$ADKCD" history --json | jq '.runs[-1]' >"$T_TMP/id.json"
expect_eq "$(jq -r '.in_doubt_accounts | join(",")' "$T_TMP/id.json")" "user iosmdm" "changes in doubt"
# Whatever the DC did with it once thawed, undoing this run and the
# read-back test's leaves the directory as it was.
run "$ADKCD" rollback "$(jq -r .id "$T_TMP/id.json")" "$(jq -r .id "$T_TMP/rb.json")"
expect_rc 0
expect_dc_unchanged "$T_TMP/s0"
t_end

# --- KDC and LDAP, one without the other -------------------------------------
sed 's/^\(\s*kdc\s*=\).*/\1 127.0.0.10:8888/' "$KRB5_CONFIG" >"$T_TMP/krb5-deadkdc.conf"
sed 's/^\(\s*kdc\s*=\).*/\1 127.0.0.12/' "$KRB5_CONFIG" >"$T_TMP/krb5-hungkdc.conf"

t_begin "KDC refusing (dead port) while LDAP answers: exit 7 at once without a cached ticket; works with one"
new_tgt
KRB5_CONFIG=$T_TMP/krb5-deadkdc.conf KRB5CCNAME=FILE:$TGT_ONLY \
    timed "$ADSPN" --timeout "$TIMEOUT" -H "$ADKCD_DC_URI" -S http/f4.mydom.local iosmdm
expect_rc 7
expect_within 2
expect_err_contains "the KDC is unreachable"
expect_err_contains "Cannot contact any KDC for realm 'MYDOM.LOCAL'"
expect_dc_unchanged "$T_TMP/s0"
# With the service ticket in the ccache (the default one holds
# ldap/dc1.mydom.local) no KDC is needed at all.
KRB5_CONFIG=$T_TMP/krb5-deadkdc.conf timed "$ADSPN" --timeout "$TIMEOUT" -H "$ADKCD_DC_URI" -L iosmdm
expect_rc 0
expect_out_contains "CN=iosmdm,CN=Users"
t_end

t_begin "KDC hung (takes requests, never answers) while LDAP answers: exit 7 within --timeout, for a service ticket and for a TGT"
new_tgt
KRB5_CONFIG=$T_TMP/krb5-hungkdc.conf KRB5CCNAME=FILE:$TGT_ONLY \
    timed "$ADSPN" --timeout "$TIMEOUT" -H "$ADKCD_DC_URI" -S http/f4.mydom.local iosmdm
expect_rc 7
expect_one_timeout
expect_err_contains "no answer from the KDC within $TIMEOUT s while getting a ticket for ldap/dc1.mydom.local"
expect_dc_unchanged "$T_TMP/s0"
# Getting the TGT itself (a password on stdin: the AS exchange) is bounded
# the same way.
printf '%s\n' "$ADKCD_ADMIN_PASS" >"$T_TMP/admin.pw"
RUN_STDIN=$T_TMP/admin.pw KRB5_CONFIG=$T_TMP/krb5-hungkdc.conf \
    timed "$ADSPN" --timeout "$TIMEOUT" -H "$ADKCD_DC_URI" --principal administrator \
    --password-stdin -S http/f4.mydom.local iosmdm
expect_rc 7
expect_one_timeout
expect_err_contains "no answer from the KDC within $TIMEOUT s while getting a ticket for administrator@MYDOM.LOCAL"
# adkcd verify's own TGT (step 1) is bounded by --timeout as well.
RUN_STDIN=$T_TMP/admin.pw KRB5_CONFIG=$T_TMP/krb5-hungkdc.conf \
    timed "$ADKCD" --timeout "$TIMEOUT" -H "$ADKCD_DC_URI" verify administrator \
    http/iosmdm.mydom.local --impersonate administrator --password-stdin
expect_rc 7
expect_one_timeout
expect_out_contains "FAIL  TGT"
expect_dc_unchanged "$T_TMP/s0"
t_end

t_begin "LDAP port dead while the KDC answers: exit 7 at once, nothing written"
timed "$ADSPN" --timeout "$TIMEOUT" -H ldap://dc1.mydom.local:3899 -S http/f4.mydom.local iosmdm
expect_rc 7
expect_within 2
expect_err_contains "cannot reach dc1.mydom.local: Can't contact LDAP server"
expect_dc_unchanged "$T_TMP/s0"
t_end

# --- Discovery: a hung DC first --------------------------------------------
t_begin "DNS SRV names a hung DC first: it gets one --timeout, then the next DC does the work"
samba-tool dns add 127.0.0.10 mydom.local hung A 127.0.0.11 \
    -U administrator --password="$ADKCD_ADMIN_PASS" >/dev/null 2>&1 ||
    t_fail "could not add the A record"
samba-tool dns add 127.0.0.10 _msdcs.mydom.local _ldap._tcp.dc SRV \
    'hung.mydom.local 389 0 65535' \
    -U administrator --password="$ADKCD_ADMIN_PASS" >/dev/null 2>&1 ||
    t_fail "could not add the SRV record"
hung_before=$(wc -l <"$HUNG_LOG")
timed "$ADSPN" -v --timeout "$TIMEOUT" -S http/f5.mydom.local iosmdm
expect_rc 0
expect_one_timeout
expect_err_contains "connecting to ldap://hung.mydom.local:389"
expect_err_contains "no answer from hung.mydom.local within $TIMEOUT s during the Kerberos (SASL GSSAPI) bind"
expect_err_contains "trying the next DC"
expect_err_contains "bound to ldap://dc1.mydom.local:389"
expect_eq "$(dc_spns iosmdm)" "http/f5.mydom.local" "SPNs of iosmdm"
[ "$(wc -l <"$HUNG_LOG")" -gt "$hung_before" ] || t_fail "the hung DC was never connected to"
run "$ADSPN" -H "$ADKCD_DC_URI" -D http/f5.mydom.local iosmdm
expect_rc 0
samba-tool dns delete 127.0.0.10 _msdcs.mydom.local _ldap._tcp.dc SRV \
    'hung.mydom.local 389 0 65535' \
    -U administrator --password="$ADKCD_ADMIN_PASS" >/dev/null 2>&1 ||
    t_fail "could not delete the SRV record"
expect_dc_unchanged "$T_TMP/s0"
t_end

# --- Referrals ---------------------------------------------------------------
t_begin "LDAP referrals are not chased (Samba refers subtree searches to mydom.local)"
# Every subtree search of the domain gets continuation references to
# ldap://mydom.local/... (Configuration, DomainDnsZones, ForestDnsZones).
# Point that name at the listener that never answers: a tool that chased a
# reference would connect to it, and hang there.
dc_search -b "$ADKCD_BASEDN" '(sAMAccountName=iosmdm)' 1.1 >/dev/null
ldapsearch -Y GSSAPI -Q -LLL -H "$ADKCD_DC_URI" -b "$ADKCD_BASEDN" '(sAMAccountName=iosmdm)' 1.1 |
    grep -q '^# refldap://mydom.local/' || t_fail "Samba sent no continuation reference to mydom.local"
{ cat /etc/hosts; echo "127.0.0.11 mydom.local"; } >"$T_TMP/hosts"
mount --bind "$T_TMP/hosts" /etc/hosts && HOSTS_MOUNTED=1
# The control: ldapsearch -C chases, and so reaches the listener.
hung_before=$(wc -l <"$HUNG_LOG")
timeout 5 ldapsearch -C -Y GSSAPI -Q -LLL -H "$ADKCD_DC_URI" -b "$ADKCD_BASEDN" \
    '(sAMAccountName=iosmdm)' 1.1 >/dev/null 2>&1 || true
[ "$(wc -l <"$HUNG_LOG")" -gt "$hung_before" ] ||
    t_fail "control: ldapsearch -C did not reach the referral target (the test proves nothing)"
hung_before=$(wc -l <"$HUNG_LOG")
timed "$ADSPN" --timeout "$TIMEOUT" -H "$ADKCD_DC_URI" -L iosmdm
expect_rc 0
expect_within 2
timed "$ADKCD" --timeout "$TIMEOUT" -H "$ADKCD_DC_URI" audit
expect_within 2
expect_eq "$(wc -l <"$HUNG_LOG")" "$hung_before" "connections to the referral target"
umount /etc/hosts && HOSTS_MOUNTED=
t_end

# --- The journal on a full filesystem ----------------------------------------
mkdir -p "$FULL"
mount -t tmpfs -o size=64k,mode=0700 tmpfs "$FULL" || t_fail "cannot mount a tmpfs on $FULL"
fill_up() { dd if=/dev/zero of="$FULL/filler" bs=4096 >/dev/null 2>&1 || true; }

t_begin "journal on a full filesystem: found before anything is sent, exit 1, nothing written"
mkdir -p "$FULL/state/adkcd"
fill_up
XDG_STATE_HOME=$FULL/state run "$ADSPN" -H "$ADKCD_DC_URI" -S http/f6.mydom.local iosmdm
expect_rc 1
expect_err_contains "cannot write to the journal $FULL/state/adkcd/journal.ldif: No space left on device"
expect_dc_unchanged "$T_TMP/s0"
expect_eq "$(stat -c %s "$FULL/state/adkcd/journal.ldif" 2>/dev/null || echo none)" 0 \
    "size of the journal"
XDG_STATE_HOME=$FULL/state run "$ADKCD" -H "$ADKCD_DC_URI" set hungdc --mode constrained --services http/iosmdm.mydom.local
expect_rc 1
expect_err_contains "No space left on device"
expect_dc_unchanged "$T_TMP/s0"
rm -f "$FULL/filler" "$FULL/state/adkcd/journal.ldif"
t_end

t_begin "the disk fills after the directory changed: exit 9, the unjournaled change printed as LDIF, rollback exact"
# tmpfs gives whole pages: the short outcome line would still fit in the
# journal's last page.  So, as the DC answers the modify, the fault first
# fills that page with a comment line (what another run's block would do
# in a shared journal), then the whole filesystem.
JFULL=$FULL/state/adkcd/journal.ldif
cat >"$T_TMP/fill" <<EOF
#!/bin/bash
size=\$(stat -c %s "$JFULL")
slack=\$(( (\$(getconf PAGESIZE) - size % \$(getconf PAGESIZE)) % \$(getconf PAGESIZE) ))
if [ "\$slack" -ge 2 ]; then
    printf '#%*s\\n' "\$((slack - 2))" '' >>"$JFULL"
elif [ "\$slack" -eq 1 ]; then
    printf '\\n' >>"$JFULL"
fi
dd if=/dev/zero of="$FULL/filler" bs=4096 >/dev/null 2>&1 || true
EOF
chmod +x "$T_TMP/fill"
FAULT_CMD=$T_TMP/fill XDG_STATE_HOME=$FULL/state \
    with_fault modify-answered "$ADSPN" -H "$ADKCD_DC_URI" -S http/f7.mydom.local iosmdm
FROZEN=0
expect_rc 9
expect_err_contains "every change WAS applied, but the journal could not record it"
expect_err_contains "cannot write to the journal $JFULL: No space left on device"
expect_err_contains "adspn: the journal could not record that the directory applied the changes below; what it lacks, as LDIF:"
# The printed lines are the journal's own: the change as it was sent, and
# the outcome line the journal lacks.
sed -n 's/^adspn: //p' "$ERR_FILE" |
    sed -n '/^# change: /,/^# applied: /p' >"$T_TMP/lost.ldif"
run_id=$(sed -n 's/^# change: \([0-9a-f-]*\) 1$/\1/p' "$T_TMP/lost.ldif")
expect_eq "$(sed '/^#/d' "$T_TMP/lost.ldif")" "$(printf 'dn: %s\nchangetype: modify\nadd: servicePrincipalName\nservicePrincipalName: http/f7.mydom.local\n-\n' "$(dc_dn iosmdm)")" \
    "the unjournaled change"
expect_eq "$(tail -n 1 "$T_TMP/lost.ldif")" "# applied: $run_id 1" "the unjournaled outcome"
grep -q "^# change: $run_id 1\$" "$JFULL" || t_fail "the journal does not hold the change's intent"
expect_eq "$(dc_spns iosmdm)" "http/f7.mydom.local" "SPNs of iosmdm"
rm -f "$FULL/filler"
XDG_STATE_HOME=$FULL/state "$ADKCD" history --json | jq '.runs[-1]' >"$T_TMP/full.json"
expect_eq "$(jq -r .id "$T_TMP/full.json")" "$run_id" "the run in the journal"
expect_eq "$(jq -r '.in_doubt_accounts | join(",")' "$T_TMP/full.json")" "user iosmdm" \
    "changes in doubt in the journal"
# Rollback judges a change in doubt by the directory: it undoes it.
XDG_STATE_HOME=$FULL/state run "$ADKCD" rollback last
expect_rc 0
expect_dc_unchanged "$T_TMP/s0"
t_end

t_summary
