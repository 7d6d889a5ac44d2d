#!/usr/bin/env bash
# Install the Debian/Ubuntu packages needed to build adkcd and to run its
# integration tests against a throwaway Samba AD DC (scripts/with-dc.sh).
#
#   sudo scripts/install-deps.sh
#
# Idempotent and fast on a second run: dpkg-query decides what is missing, and
# apt-get (update + install) runs only when something is. A fully provisioned
# machine therefore needs no network at all.
#
# Installing samba/winbind makes their maintainer scripts try to start the
# system smbd/nmbd/winbind/samba-ad-dc services. The harness never uses them
# (its DC runs in a private network namespace), and nothing of ours may listen
# on the host, so starts are vetoed during the install with policy-rc.d, and
# the units are stopped and disabled afterwards.
set -euo pipefail

PACKAGES=(
    # build
    build-essential cmake pkg-config clang-format
    libldap2-dev libsasl2-dev libkrb5-dev uuid-dev libjansson-dev libcmocka-dev
    libyaml-dev
    # client side of the tests: SASL/GSSAPI plugin, kinit/kvno, ldapsearch
    libsasl2-modules-gssapi-mit krb5-user ldap-utils
    # the DC and its tooling (samba-tool, ldbmodify for raw fixture writes)
    # samba-ad-provision (only Recommended by samba-ad-dc) holds the AD schema
    # files "samba-tool domain provision" needs.
    samba samba-ad-dc samba-ad-provision samba-dsdb-modules winbind python3-samba ldb-tools
    # namespace plumbing and test helpers
    util-linux iproute2 dnsutils jq hyperfine faketime procps
    # the Ansible collection's tests run the real ansible-playbook and ansible-doc;
    # scripts/check-ansible runs the pep8 and yamllint checks of ansible-test
    ansible-core pycodestyle yamllint
    # the package test (scripts/package, t_package.sh): lintian, man, the
    # bash-completion loader
    lintian man-db bash-completion
)

# System services that the samba packages ship and that must not run.
SERVICES=(samba-ad-dc smbd nmbd winbind)

die() { printf 'install-deps: %s\n' "$*" >&2; exit 1; }
log() { printf 'install-deps: %s\n' "$*" >&2; }

[ "$(id -u)" -eq 0 ] || die "must run as root (try: sudo $0)"
if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
    die "needs a Debian-based system with apt-get and dpkg-query"
fi

# A package counts as present only when dpkg says "install ok installed".
missing=()
for p in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [ "$status" = "install ok installed" ] || missing+=("$p")
done

if [ "${#missing[@]}" -eq 0 ]; then
    log "all ${#PACKAGES[@]} packages already installed"
else
    log "installing: ${missing[*]}"

    # Veto service starts from maintainer scripts (invoke-rc.d and
    # deb-systemd-invoke both honour policy-rc.d; exit 101 = "action
    # forbidden"). Keep an existing policy (e.g. Docker's) untouched.
    policy=/usr/sbin/policy-rc.d
    own_policy=0
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\n# temporary, from adkcd scripts/install-deps.sh\nexit 101\n' >"$policy"
        chmod 755 "$policy"
        own_policy=1
        trap 'rm -f "$policy"' EXIT
    fi

    export DEBIAN_FRONTEND=noninteractive
    # krb5-config asks for a default realm; the harness writes its own
    # krb5.conf, so the debconf defaults are fine.
    apt-get update
    apt-get install -y --no-install-recommends "${missing[@]}"

    if [ "$own_policy" -eq 1 ]; then
        rm -f "$policy"
        trap - EXIT
    fi
fi

# Make sure none of the system samba services run or come back at boot.
# Only touch systemd when it is actually the init system (not in containers).
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
    for s in "${SERVICES[@]}"; do
        systemctl cat "$s.service" >/dev/null 2>&1 || continue
        if systemctl is-active --quiet "$s.service" ||
           systemctl is-enabled --quiet "$s.service" 2>/dev/null; then
            log "stopping and disabling system service $s"
            systemctl disable --now "$s.service" >/dev/null 2>&1 || true
        fi
    done
elif command -v service >/dev/null; then
    # Without systemd, the init scripts' "status" is unreliable (samba-ad-dc
    # exits 0 early when smb.conf is not a DC config), so look at the system
    # pid files instead. The harness's own DCs use a private pid directory.
    for s in "${SERVICES[@]}"; do
        [ -x "/etc/init.d/$s" ] || continue
        case $s in
            samba-ad-dc) pidf=/run/samba/samba.pid ;;
            winbind) pidf=/run/samba/winbindd.pid ;;
            *) pidf=/run/samba/$s.pid ;;
        esac
        pid=$(cat "$pidf" 2>/dev/null || true)
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
            log "stopping system service $s (pid $pid)"
            service "$s" stop >/dev/null 2>&1 || true
        fi
    done
fi

log "ok"
