#!/usr/bin/env bash
# Run a command next to a throwaway Samba AD DC, in a private namespace.
#
#   scripts/with-dc.sh [--template DIR] [--keep] [-v] -- CMD [ARGS...]
#   "$ADKCD_DC_CTL" start|stop|restart|status      (only inside CMD)
#
# A template DC (realm MYDOM.LOCAL, NetBIOS MYDOM, host dc1, 127.0.0.10) is
# provisioned once into DIR (default ${ADKCD_DC_TEMPLATE:-/var/tmp/adkcd-dc-template}),
# guarded by flock on DIR.lock so parallel runs (ctest -j) are safe. Each run
# then copies the template, and in new network, mount and pid namespaces
# brings up 127.0.0.10 on lo, puts private hosts/resolv.conf/krb5.conf/
# ldap.conf/smb.conf over /etc, bind-mounts the copy at DIR (paths inside
# smb.conf stay valid), starts samba, waits until LDAP/GC/KDC/DNS answer,
# gets an administrator ticket and runs CMD with:
#
#   KRB5_CONFIG        private krb5.conf (also visible as /etc/krb5.conf)
#   KRB5CCNAME         FILE: ccache holding administrator@MYDOM.LOCAL's TGT
#   ADKCD_DC_URI       ldap://dc1.mydom.local
#   ADKCD_REALM        MYDOM.LOCAL
#   ADKCD_DOMAIN       mydom.local
#   ADKCD_NETBIOS      MYDOM
#   ADKCD_BASEDN       DC=mydom,DC=local
#   ADKCD_ADMIN_PASS   the administrator password
#   ADKCD_DC_DIR       the live DC directory (same path as the template)
#   ADKCD_DC_LOG       samba's log (stdout+stderr, appended across restarts)
#   ADKCD_DC_PIDFILE   file holding samba's pid (empty while stopped)
#   ADKCD_DC_CTL       this script: "$ADKCD_DC_CTL" stop / start / restart / status
#   ADKCD_TMP          per-run scratch directory (removed afterwards)
#
# When CMD ends (or on SIGINT/SIGTERM/SIGHUP) samba is stopped, the copy is
# removed (unless --keep) and the exit status is CMD's. Samba only ever runs
# inside the namespace; everything dies with the namespace's pid 1.
#
# Environment: ADKCD_DC_TEMPLATE (template dir), ADKCD_DC_TIMEOUT (readiness
# timeout, default 60 s), ADKCD_DC_VERBOSE=1 (timings on stderr; 2 also
# shows every failed readiness probe), TMPDIR (where run copies go).
set -euo pipefail

SELF=$(readlink -f "${BASH_SOURCE[0]}")
SCRIPTS_DIR=$(dirname "$SELF")
# shellcheck source-path=SCRIPTDIR
. "$SCRIPTS_DIR/lib/dc.sh"

usage() {
    cat >&2 <<'EOF'
usage: with-dc.sh [--template DIR] [--keep] [-v] -- CMD [ARGS...]
       with-dc.sh start|stop|restart|status     (inside a with-dc.sh run only)
EOF
    exit 2
}

# ---------------------------------------------------------------------------
# Template provisioning (once, under an exclusive flock).
# ---------------------------------------------------------------------------

# Runs inside "unshare --net --mount --pid --fork": provision TEMPLATE, start
# the DC once so that first-start work (TLS key generation, ~2 s) is done in
# the template rather than in every run, stop it, clean up, write the marker.
inner_provision() {
    local tmpl=$1 files=$2
    dc_write_client_files "$files"
    # Provision against an empty smb.conf: otherwise samba-tool copies the
    # host's [global] settings (log file = /var/log/samba/..., logging = file,
    # passwd program...) into the new DC's smb.conf.
    dc_ns_setup "$files" "$files/empty"

    local t0
    t0=$(dc_now)
    # Options (sandbox-dc.md): "-s3fs" or the file server child dies and takes
    # the DC down; a private pid directory or a second DC refuses to start;
    # private ncalrpc and winbindd socket dirs for the same reason.
    # Ours on top: --host-ip so DNS A records point at 127.0.0.10; the
    # ntp_signd socket in the DC dir (default: /var/lib/samba/ntp_signd, on
    # the host and shared by parallel DCs); a DNS forwarder where nothing
    # listens (provision would otherwise copy resolv.conf's nameserver, i.e.
    # the DC itself: a forwarding loop); log files inside the DC dir.
    if ! samba-tool domain provision --targetdir="$tmpl" \
            --realm="$DC_REALM" --domain="$DC_NETBIOS" --server-role=dc \
            --dns-backend=SAMBA_INTERNAL --adminpass="$DC_ADMIN_PASS" \
            --host-name="$DC_HOST" --host-ip="$DC_ADDR" \
            --option="interfaces=$DC_ADDR" --option="bind interfaces only=yes" \
            --option="server services=-s3fs" \
            --option="pid directory=$tmpl/run" \
            --option="ncalrpc dir=$tmpl/ncalrpc" \
            --option="winbindd socket directory=$tmpl/wb" \
            --option="ntp signd socket directory=$tmpl/ntp_signd" \
            --option="dns forwarder=127.0.0.1" \
            --option="log file=$tmpl/log/%m.log" \
            >"$files/provision.log" 2>&1; then
        tail -n 30 "$files/provision.log" >&2
        dc_die "samba-tool domain provision failed (full log above, last 30 lines)"
    fi
    dc_verbose "provisioned in $(dc_elapsed "$t0") s"

    # As on Windows, an admin may write the resource-based delegation
    # attribute over LDAP: Samba's schema marks it systemOnly (Windows' does
    # not), so every LDAP modify of it is refused "as system only".  Edited
    # in the raw schema partition before the first start; dbcheck stays
    # clean (sandbox-dc.md).
    local schema_db="$tmpl/private/sam.ldb.d/CN=SCHEMA,CN=CONFIGURATION,${DC_BASEDN^^}.ldb"
    [ -f "$schema_db" ] || dc_die "no schema partition database at $schema_db"
    printf 'dn: CN=ms-DS-Allowed-To-Act-On-Behalf-Of-Other-Identity,CN=Schema,CN=Configuration,%s\nchangetype: modify\nreplace: systemOnly\nsystemOnly: FALSE\n-\n' \
        "$DC_BASEDN" | ldbmodify -H "tdb://$schema_db" >/dev/null ||
        dc_die "the schema edit of msDS-AllowedToActOnBehalfOfOtherIdentity failed"

    # Warm-up start, exactly as a run does it.
    mount --bind "$tmpl/etc/smb.conf" /etc/samba/smb.conf
    export ADKCD_DC_DIR=$tmpl ADKCD_TMP=$files
    export ADKCD_DC_LOG=$files/samba.log ADKCD_DC_PIDFILE=$files/samba.pid
    t0=$(dc_now)
    dc_start || dc_die "the freshly provisioned DC does not start"
    dc_stop
    dc_verbose "warm-up start/stop in $(dc_elapsed "$t0") s"

    # Runtime leftovers that must not be copied into every run.
    rm -rf "$tmpl"/run/* "$tmpl"/msg.sock "$tmpl"/msg.lock "$tmpl"/log/*
    dc_marker_content >"$tmpl/$DC_MARKER_NAME"
}

ensure_template() {
    local tmpl=$1 lock="$1.lock" fd
    mkdir -p "$(dirname "$tmpl")"
    exec {fd}>"$lock"
    flock -x "$fd"
    if ! dc_template_ok "$tmpl"; then
        dc_log "provisioning template DC in $tmpl (once)"
        local t0 files rc=0
        t0=$(dc_now)
        mkdir -p "$tmpl"
        # Empty the directory but keep it: a running DC in another namespace
        # may have its copy bind-mounted on it, and removing a mount point
        # would detach that mount everywhere.
        find "$tmpl" -mindepth 1 -delete
        files=$(mktemp -d "${TMPDIR:-/tmp}/adkcd-prov.XXXXXX")
        unshare --net --mount --pid --fork --mount-proc --kill-child \
            -- bash "$SELF" __provision "$tmpl" "$files" </dev/null || rc=$?
        rm -rf "$files"
        [ "$rc" -eq 0 ] || dc_die "provisioning the template DC in $tmpl failed"
        dc_log "template ready in $(dc_elapsed "$t0") s"
    fi
    # Keep the lock while copying: nobody may re-provision under our feet.
    # The caller closes it.
    TEMPLATE_LOCK_FD=$fd
}

# ---------------------------------------------------------------------------
# One run: inside "unshare --net --mount --pid --fork" (we are pid 1 there).
# ---------------------------------------------------------------------------
inner_run() {
    local run=$1 tmpl=$2; shift 2
    dc_ns_setup "$run" "$run/dc/etc/smb.conf"
    # The copy appears at the template's path, where smb.conf expects it.
    mount --bind "$run/dc" "$tmpl"

    export ADKCD_DC_DIR=$tmpl
    export ADKCD_TMP=$run/tmp
    export ADKCD_DC_LOG=$run/samba.log
    export ADKCD_DC_PIDFILE=$run/samba.pid
    export ADKCD_DC_CTL=$SELF
    export ADKCD_DC_URI=$DC_URI ADKCD_REALM=$DC_REALM ADKCD_DOMAIN=$DC_DOMAIN
    export ADKCD_NETBIOS=$DC_NETBIOS ADKCD_BASEDN=$DC_BASEDN
    export ADKCD_ADMIN_PASS=$DC_ADMIN_PASS
    # Lets "with-dc.sh start|stop" check that it runs inside this namespace.
    ADKCD_DC_NETNS=$(readlink /proc/self/ns/net)
    export ADKCD_DC_NETNS
    mkdir -p "$ADKCD_TMP"
    : >"$ADKCD_DC_PIDFILE"

    local cmd_pid=""
    # On a signal: end CMD, then the EXIT trap stops samba. (When pid 1 of
    # the namespace exits, the kernel kills whatever is left anyway.)
    # shellcheck disable=SC2317  # invoked by the traps below
    on_signal() {
        trap - TERM INT HUP
        [ -n "$cmd_pid" ] && kill -TERM "$cmd_pid" 2>/dev/null
        exit "$1"
    }
    trap 'dc_stop >/dev/null 2>&1 || true' EXIT
    trap 'on_signal 143' TERM
    trap 'on_signal 130' INT
    trap 'on_signal 129' HUP

    local t0
    t0=$(dc_now)
    dc_start || dc_die "the DC did not start (log: $ADKCD_DC_LOG)"
    # The readiness probe's TGT becomes the administrator ccache of the run.
    cp "$ADKCD_TMP/krb5cc_probe" "$run/krb5cc_admin"
    export KRB5CCNAME=FILE:$run/krb5cc_admin
    dc_verbose "DC up in $(dc_elapsed "$t0") s; running: $*"

    # In the background, so signal traps run at once; <&0 keeps stdin (a
    # non-interactive shell gives background jobs /dev/null otherwise).
    local rc=0
    "$@" <&0 &
    cmd_pid=$!
    wait "$cmd_pid" || rc=$?
    cmd_pid=""
    exit "$rc"
}

# ---------------------------------------------------------------------------
# start/stop/restart/status, called by a test through $ADKCD_DC_CTL.
# ---------------------------------------------------------------------------
ctl() {
    local verb=$1
    if [ -z "${ADKCD_DC_NETNS:-}" ] || [ -z "${ADKCD_DC_PIDFILE:-}" ] ||
       [ "$(readlink /proc/self/ns/net)" != "$ADKCD_DC_NETNS" ]; then
        dc_die "'$verb' only works inside a with-dc.sh run (samba must never run outside its namespace)"
    fi
    case $verb in
        stop) dc_stop ;;
        start) dc_start ;;
        restart) dc_stop && dc_start ;;
        status)
            local pid
            pid=$(dc_read_pid)
            if dc_pid_alive "$pid"; then echo "running (pid $pid)"; else echo "stopped"; return 3; fi
            ;;
    esac
}

# ---------------------------------------------------------------------------
# Outer: argument parsing, template, copy, namespace, cleanup.
# ---------------------------------------------------------------------------
main() {
    local tmpl=${ADKCD_DC_TEMPLATE:-/var/tmp/adkcd-dc-template} keep=0
    while [ $# -gt 0 ]; do
        case $1 in
            --template) [ $# -ge 2 ] || usage; tmpl=$2; shift 2 ;;
            --template=*) tmpl=${1#*=}; shift ;;
            --keep) keep=1; shift ;;
            -v|--verbose) export ADKCD_DC_VERBOSE=1; shift ;;
            --) shift; break ;;
            -h|--help) usage ;;
            *) break ;;
        esac
    done
    [ $# -gt 0 ] || usage
    [ -z "${ADKCD_DC_NETNS:-}" ] || dc_die "already inside a with-dc.sh run"
    dc_check_prereqs
    case $tmpl in /*) ;; *) tmpl=$(pwd)/$tmpl ;; esac
    tmpl=${tmpl%/}

    local t0 run
    t0=$(dc_now)
    ensure_template "$tmpl"
    run=$(mktemp -d "${TMPDIR:-/tmp}/adkcd-dc.XXXXXX")
    # cp -a keeps the tdb files sparse and the ownership/modes Samba checks.
    cp -a --reflink=auto "$tmpl" "$run/dc"
    exec {TEMPLATE_LOCK_FD}>&-
    dc_write_client_files "$run"
    dc_verbose "copied template in $(dc_elapsed "$t0") s to $run"

    # --pid (+ --mount-proc): samba and its helpers die with the namespace's
    # pid 1 whatever happens; --kill-child: pid 1 is SIGKILLed (taking the
    # whole namespace with it) if unshare itself dies.
    local upid rc=0 inner="" sig_rc=""
    unshare --net --mount --pid --fork --mount-proc --kill-child \
        -- bash "$SELF" __inner "$run" "$tmpl" "$@" <&0 &
    upid=$!
    # unshare blocks SIGINT/SIGTERM while waiting for its child, so forward
    # them to the namespace's pid 1 ourselves (the only child of unshare).
    # (pid 1 cannot get SIGINT itself: it ignores it, being started in the
    # background.) Exit with 128+N of the signal we got, as a shell would.
    forward() {
        sig_rc=$1
        inner=$(cat "/proc/$upid/task/$upid/children" 2>/dev/null || true)
        if [ -n "$inner" ]; then
            # shellcheck disable=SC2086  # "123 " as read from /proc
            kill -TERM $inner 2>/dev/null || true
        else
            kill -KILL "$upid" 2>/dev/null || true
        fi
    }
    trap 'forward 130' INT
    trap 'forward 143' TERM
    trap 'forward 129' HUP
    while :; do
        rc=0
        wait "$upid" || rc=$?
        # wait returns >128 when interrupted by a trapped signal; go on
        # waiting until unshare itself has gone.
        kill -0 "$upid" 2>/dev/null || break
    done
    trap - INT TERM HUP
    [ -z "$sig_rc" ] || rc=$sig_rc

    if [ "$keep" -eq 1 ]; then
        dc_log "kept $run (DC copy in $run/dc, log $run/samba.log)"
    else
        rm -rf "$run"
    fi
    return "$rc"
}

case ${1:-} in
    __provision) shift; inner_provision "$@" ;;
    __inner) shift; inner_run "$@" ;;
    start|stop|restart|status) ctl "$1" ;;
    *) main "$@" ;;
esac
