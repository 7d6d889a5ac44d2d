# shellcheck shell=bash
# Helpers for scripts/with-dc.sh: provisioning a template Samba AD DC, the
# private namespace, and starting/stopping/probing the DC inside it.
#
# Sourced, not executed. Facts cited as "sandbox-dc.md" come from
# ../shared/sandbox-dc.md (Debian 12, Samba 4.22 from bookworm-backports,
# as real root).

# --- The test domain --------------------------------------------------------
# shellcheck disable=SC2034  # used by with-dc.sh, which sources this file
DC_REALM=MYDOM.LOCAL
DC_DOMAIN=mydom.local
DC_NETBIOS=MYDOM
DC_HOST=dc1
DC_FQDN=dc1.mydom.local
DC_ADDR=127.0.0.10
DC_BASEDN=DC=mydom,DC=local
DC_ADMIN_PASS='Passw0rd!Adm1n'
DC_URI=ldap://dc1.mydom.local

# Bump when the provisioning recipe below changes: old templates are then
# re-provisioned automatically (the marker holds this and the Samba version).
DC_RECIPE=adkcd-dc-template-v3
DC_MARKER_NAME=.adkcd-template-ok

# Seconds to wait for a starting DC to answer LDAP, GC, KDC and DNS.
DC_READY_TIMEOUT=${ADKCD_DC_TIMEOUT:-60}

dc_log() { printf 'with-dc: %s\n' "$*" >&2; }
dc_die() { printf 'with-dc: error: %s\n' "$*" >&2; exit 1; }
dc_verbose() { [ "${ADKCD_DC_VERBOSE:-0}" = 0 ] || dc_log "$@"; return 0; }

# Monotonic-enough wall clock in seconds with milliseconds, for timings.
dc_now() { date +%s.%N | cut -c1-14; }
dc_elapsed() { awk -v a="$1" -v b="$(dc_now)" 'BEGIN { printf "%.2f", b - a }'; }

# Everything with-dc.sh needs; fail loudly rather than skip (a silently
# skipped integration suite must count as a failure in CI).
dc_check_prereqs() {
    [ "$(id -u)" -eq 0 ] ||
        dc_die "must run as real root (network/mount namespaces; Samba 4.17 provisioning panics in a user namespace, see sandbox-dc.md)"
    local missing=() c
    for c in unshare nsenter mount flock ip samba samba-tool kinit ldapsearch \
             ldapmodify ldbmodify host setsid awk; do
        command -v "$c" >/dev/null 2>&1 || missing+=("$c")
    done
    [ "${#missing[@]}" -eq 0 ] ||
        dc_die "missing commands: ${missing[*]} (run scripts/install-deps.sh)"
    [ -d /usr/share/samba/setup/ad-schema ] ||
        dc_die "Samba's AD schema files are missing: install samba-ad-provision (scripts/install-deps.sh)"
}

# The marker content identifies recipe and Samba version.
dc_marker_content() { printf '%s samba=%s\n' "$DC_RECIPE" "$(samba --version 2>/dev/null)"; }

dc_template_ok() {
    local t=$1
    [ -f "$t/$DC_MARKER_NAME" ] && [ "$(cat "$t/$DC_MARKER_NAME")" = "$(dc_marker_content)" ]
}

# --- Client-side files ------------------------------------------------------
# Write hosts, resolv.conf, krb5.conf and an empty ldap.conf into DIR.
dc_write_client_files() {
    local d=$1
    # The machine's own name too, as Debian's /etc/hosts has it
    # (127.0.1.1): libldap and Cyrus SASL resolve the local host name for
    # every connection, and without it each lookup goes to the DC's DNS.
    printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n%s\t%s %s\n' \
        "$(hostname)" "$DC_ADDR" "$DC_FQDN" "$DC_HOST" >"$d/hosts"
    # Samba's own DNS server answers for the domain (SRV records included).
    printf 'nameserver %s\nsearch %s\n' "$DC_ADDR" "$DC_DOMAIN" >"$d/resolv.conf"
    # forwardable = true is required for S4U2Proxy (sandbox-dc.md); no DNS
    # games: the KDC is given by address, names are never canonicalised.
    cat >"$d/krb5.conf" <<EOF
# written by adkcd scripts/with-dc.sh (private to one test namespace)
[libdefaults]
    default_realm = $DC_REALM
    dns_lookup_kdc = false
    dns_lookup_realm = false
    rdns = false
    dns_canonicalize_hostname = false
    forwardable = true

[realms]
    $DC_REALM = {
        kdc = $DC_ADDR
        kdc = $DC_FQDN
        admin_server = $DC_FQDN
        default_domain = $DC_DOMAIN
    }

[domain_realm]
    .$DC_DOMAIN = $DC_REALM
    $DC_DOMAIN = $DC_REALM
EOF
    # Bind-mounted over /etc/ldap/ldap.conf so a host URI/BASE/TLS setting
    # cannot leak into the tests.
    printf '# empty on purpose: adkcd scripts/with-dc.sh\n' >"$d/ldap.conf"
    : >"$d/empty"
}

# --- Namespace setup (runs inside unshare --net --mount) -------------------
# Place file SRC at DST for this mount namespace only. A bind mount needs an
# existing target, so a missing target (e.g. no /etc/krb5.conf, which Debian
# only creates with krb5-config) is handled by a private overlay over /etc
# (see dc_ns_etc_overlay) done before any bind mount.
dc_ns_bind() {
    local src=$1 dst=$2
    mount --bind "$src" "$dst" || dc_die "cannot bind-mount $src over $dst"
}

# Overlay /etc with a tmpfs upper layer when some file we need to replace is
# missing or a dangling symlink (e.g. resolv.conf -> systemd-resolved). The
# overlay lives only in this mount namespace; the host's /etc is untouched.
dc_ns_etc_overlay() {
    local scratch=$1; shift
    local f need=0
    for f in "$@"; do [ -f "$f" ] || need=1; done
    [ "$need" -eq 1 ] || return 0
    mkdir -p "$scratch"
    mount -t tmpfs -o mode=0755 adkcd-etc "$scratch" || dc_die "cannot mount tmpfs on $scratch"
    mkdir -p "$scratch/up" "$scratch/work"
    mount -t overlay adkcd-etc -o "lowerdir=/etc,upperdir=$scratch/up,workdir=$scratch/work" /etc ||
        dc_die "some of $* do not exist and /etc cannot be overlaid here; create them on the host"
    for f in "$@"; do
        if [ ! -f "$f" ]; then
            rm -f "$f"
            mkdir -p "$(dirname "$f")"
            : >"$f"
        fi
    done
}

# Network, name resolution and config files of the namespace.
#   $1 client-files dir (from dc_write_client_files)
#   $2 file to show as /etc/samba/smb.conf (the DC's own, or an empty one)
dc_ns_setup() {
    local files=$1 smbconf=$2
    # unshare(1) already makes mounts private; be explicit anyway so nothing
    # can propagate back to the host.
    mount --make-rprivate /
    ip link set lo up
    # The DC binds only this address ("interfaces"); it must exist on an
    # interface or Samba says "no network interfaces found" (sandbox-dc.md).
    ip addr add "$DC_ADDR/32" dev lo

    dc_ns_etc_overlay "$files/etc-overlay" \
        /etc/hosts /etc/resolv.conf /etc/krb5.conf /etc/ldap/ldap.conf /etc/samba/smb.conf
    dc_ns_bind "$files/hosts" /etc/hosts
    dc_ns_bind "$files/resolv.conf" /etc/resolv.conf
    dc_ns_bind "$files/krb5.conf" /etc/krb5.conf
    dc_ns_bind "$files/ldap.conf" /etc/ldap/ldap.conf
    # samba, samba-tool, ldbsearch etc. read /etc/samba/smb.conf by default:
    # inside the namespace that is the DC's own configuration.
    dc_ns_bind "$smbconf" /etc/samba/smb.conf
    # Samba's compiled-in state directories: even with every path set in
    # smb.conf, winbindd opens /var/log/samba/log.winbindd and the DC binds
    # /var/lib/samba/ntp_signd/socket. Give the namespace private, empty
    # ones so nothing is written to (or shared through) the host's.
    local d
    for d in /var/log/samba /var/lib/samba /var/cache/samba /run/samba; do
        [ -d "$d" ] || continue
        mkdir -p "$files/host-samba$d"
        dc_ns_bind "$files/host-samba$d" "$d"
    done
    # Per-user OpenLDAP rc files would leak host settings as well.
    local rc
    for rc in "${HOME:-/root}/.ldaprc" "${HOME:-/root}/ldaprc"; do
        [ -f "$rc" ] && dc_ns_bind "$files/empty" "$rc"
    done

    # Host LDAP*/KRB5* settings must not reach the tests either.
    local v
    for v in $(compgen -e); do
        case $v in
            LDAP*|KRB5_KTNAME|KRB5_CLIENT_KTNAME|KRB5RCACHE*) unset "$v" ;;
        esac
    done
    export KRB5_CONFIG="$files/krb5.conf"
}

# --- Processes --------------------------------------------------------------
# True when PID exists and is not a zombie. A DC started by the namespace's
# pid-1 shell can linger as a zombie until reaped, and kill -0 succeeds on
# zombies, so look at the state in /proc.
dc_pid_alive() {
    local pid=$1 stat
    [ -n "$pid" ] || return 1
    read -r stat 2>/dev/null <"/proc/$pid/stat" || return 1
    stat=${stat##*) }
    [ "${stat%% *}" != Z ]
}

# True when any non-zombie process of process group PGID remains (samba
# forks winbindd and helpers; they must all be gone before a restart). We
# are in a private pid namespace, so /proc holds only a handful of pids.
dc_group_alive() {
    local pgid=$1 f stat state pgrp
    for f in /proc/[0-9]*/stat; do
        read -r stat 2>/dev/null <"$f" || continue
        stat=${stat##*) }                   # "S ppid pgrp ..."
        read -r state _ pgrp _ <<<"$stat"
        [ "$pgrp" = "$pgid" ] && [ "$state" != Z ] && return 0
    done
    return 1
}

dc_read_pid() { cat "$ADKCD_DC_PIDFILE" 2>/dev/null || true; }

dc_log_tail() {
    local n=${1:-40}
    printf -- '---- last %s lines of %s ----\n' "$n" "$ADKCD_DC_LOG" >&2
    tail -n "$n" "$ADKCD_DC_LOG" >&2 2>/dev/null || true
    printf -- '---- end of samba log ----\n' >&2
}

# Start samba in the background, in its own session/process group so that
# dc_stop can take down samba and all of its helpers (winbindd, python
# scripts) at once. Its pid (= pgid) goes to $ADKCD_DC_PIDFILE.
dc_spawn() {
    local pid
    pid=$(dc_read_pid)
    if dc_pid_alive "$pid"; then
        dc_die "DC already running (pid $pid)"
    fi
    # Stale pid files from a copied template would not stop samba (it checks
    # a lock), but keep the run directory clean anyway.
    rm -f "$ADKCD_DC_DIR"/run/*.pid
    printf '==== %s: starting samba ====\n' "$(date '+%F %T')" >>"$ADKCD_DC_LOG"
    # -i: stay in the foreground, log to stdout; -M single: one process,
    # easy to kill (sandbox-dc.md).
    setsid samba -s "$ADKCD_DC_DIR/etc/smb.conf" -i -M single \
        </dev/null >>"$ADKCD_DC_LOG" 2>&1 &
    pid=$!
    echo "$pid" >"$ADKCD_DC_PIDFILE"
}

# Wait until the DC really answers: KDC (kinit), LDAP 389 and GC 3268 (both
# with a GSSAPI bind) and its DNS (SRV record of the DC). Uses a private
# probe ccache so a test's own ccache is never touched.
dc_wait_ready() {
    local t0 deadline pid step out probe="FILE:$ADKCD_TMP/krb5cc_probe"
    t0=$(dc_now)
    deadline=$(( $(date +%s) + DC_READY_TIMEOUT ))
    pid=$(dc_read_pid)
    while :; do
        if ! dc_pid_alive "$pid"; then
            dc_log "samba (pid $pid) exited during startup"
            dc_log_tail 60
            return 1
        fi
        step=ok
        if ! out=$(printf '%s\n' "$DC_ADMIN_PASS" |
                   KRB5CCNAME=$probe kinit "administrator@$DC_REALM" 2>&1); then
            step="KDC: kinit administrator: $out"
        elif ! out=$(KRB5CCNAME=$probe ldapsearch -Y GSSAPI -Q -LLL -o nettimeout=2 \
                     -H "$DC_URI" -b '' -s base dnsHostName 2>&1); then
            step="LDAP 389: $out"
        elif ! out=$(KRB5CCNAME=$probe ldapsearch -Y GSSAPI -Q -LLL -o nettimeout=2 \
                     -H "$DC_URI:3268" -b '' -s base dnsHostName 2>&1); then
            step="GC 3268: $out"
        elif ! out=$(host -W 1 -t SRV "_ldap._tcp.dc._msdcs.$DC_DOMAIN" "$DC_ADDR" 2>&1); then
            step="DNS: $out"
        fi
        if [ "$step" = ok ]; then
            dc_verbose "DC ready in $(dc_elapsed "$t0") s"
            return 0
        fi
        if [ "$(date +%s)" -ge "$deadline" ]; then
            dc_log "DC did not become ready within ${DC_READY_TIMEOUT} s; last failure:"
            printf '%s\n' "$step" >&2
            dc_log_tail 60
            return 1
        fi
        [ "${ADKCD_DC_VERBOSE:-0}" != 2 ] || dc_log "$(dc_elapsed "$t0") s: ${step%%$'\n'*}"
        sleep 0.05
    done
}

dc_start() {
    dc_spawn
    if ! dc_wait_ready; then
        dc_stop || true
        return 1
    fi
}

# Stop the DC and wait until samba and every helper it forked have exited.
dc_stop() {
    local pid
    pid=$(dc_read_pid)
    [ -n "$pid" ] || return 0
    if dc_group_alive "$pid"; then
        kill -TERM -- "-$pid" 2>/dev/null || true
        for _ in $(seq 1 200); do            # up to 10 s for a clean exit
            dc_group_alive "$pid" || break
            sleep 0.05
        done
        if dc_group_alive "$pid"; then
            dc_log "samba (pgid $pid) ignored SIGTERM for 10 s; killing it"
            kill -KILL -- "-$pid" 2>/dev/null || true
            for _ in $(seq 1 100); do
                dc_group_alive "$pid" || break
                sleep 0.05
            done
            ! dc_group_alive "$pid" || { dc_log "samba (pgid $pid) survives SIGKILL"; return 1; }
        fi
    fi
    printf '==== %s: samba stopped ====\n' "$(date '+%F %T')" >>"$ADKCD_DC_LOG"
    : >"$ADKCD_DC_PIDFILE"
}
