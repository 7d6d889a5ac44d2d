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
    # scripts/fuzz: clang, and libFuzzer with the sanitizer runtimes (only
    # Recommended by clang, and recommends are not installed)
    clang libclang-rt-14-dev
    # scripts/check-analysis: clang's scan-build, and ShellCheck
    clang-tools shellcheck
    # client side of the tests: SASL/GSSAPI plugin, kinit/kvno, ldapsearch
    libsasl2-modules-gssapi-mit krb5-user ldap-utils
    # namespace plumbing and test helpers
    util-linux iproute2 dnsutils jq hyperfine faketime procps
    # the Ansible collection's tests run the real ansible-playbook and ansible-doc;
    # scripts/check-ansible runs the pep8 and yamllint checks of ansible-test
    ansible-core pycodestyle yamllint
    # the package test (scripts/package, t_package.sh): lintian, man, the
    # bash-completion loader
    lintian man-db bash-completion
)

# The DC and its tooling (samba-tool, ldbmodify for raw fixture writes), from
# bookworm-backports: Samba 4.22, whose KDC honours resource-based
# constrained delegation (from 4.19) and which accepts GSSAPI inside TLS
# with channel bindings (4.21); Debian 12's own 4.17 does neither
# (sandbox-dc.md).  samba-ad-provision (only Recommended by samba-ad-dc)
# holds the AD schema files "samba-tool domain provision" needs.
SAMBA_PACKAGES=(samba samba-ad-dc samba-ad-provision samba-dsdb-modules winbind python3-samba ldb-tools)
SAMBA_MIN_VERSION=2:4.22
SAMBA_SUITE=bookworm-backports

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

# Samba counts as present only when every package is installed and samba
# itself is SAMBA_MIN_VERSION or later (the others have versions of their
# own: ldb-tools is 2:2.11 in the same release); all of them come from
# one suite, together.
samba_missing=()
for p in "${SAMBA_PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [ "$status" = "install ok installed" ] || samba_missing+=("$p")
done
samba_version=$(dpkg-query -W -f='${Version}' samba 2>/dev/null || true)
if [ "${#samba_missing[@]}" -eq 0 ] && ! dpkg --compare-versions "$samba_version" ge "$SAMBA_MIN_VERSION"; then
    samba_missing=(samba)
fi

# A sources entry for SAMBA_SUITE with the URI of the machine's own bookworm
# entry (deb822 or one-line format), unless apt already knows the suite.
add_backports_source() {
    local f=/etc/apt/sources.list.d/adkcd-$SAMBA_SUITE.sources uri
    if apt-cache policy 2>/dev/null | grep -q " $SAMBA_SUITE/main "; then
        return 0
    fi
    uri=$(sed -n '/^URIs:/{s/^URIs:[[:space:]]*//p;q}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    if [ -z "$uri" ]; then
        uri=$(awk '$1 == "deb" && $3 == "bookworm" {print $2; exit}' \
            /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)
    fi
    [ -n "$uri" ] || die "no bookworm entry in apt's sources to take the URI of $SAMBA_SUITE from"
    log "adding $f ($uri $SAMBA_SUITE main)"
    printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
        "$uri" "$SAMBA_SUITE" >"$f"
}

if [ "${#missing[@]}" -eq 0 ] && [ "${#samba_missing[@]}" -eq 0 ]; then
    log "all ${#PACKAGES[@]} packages and Samba $SAMBA_MIN_VERSION or later already installed"
else
    [ "${#missing[@]}" -eq 0 ] || log "installing: ${missing[*]}"
    [ "${#samba_missing[@]}" -eq 0 ] || log "installing from $SAMBA_SUITE: ${SAMBA_PACKAGES[*]}"

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
    [ "${#samba_missing[@]}" -eq 0 ] || add_backports_source
    apt-get update
    [ "${#missing[@]}" -eq 0 ] || apt-get install -y --no-install-recommends "${missing[@]}"
    # All of Samba from the one suite (its libraries must match), nothing
    # else: -t prefers that suite for these packages and what they need.
    if [ "${#samba_missing[@]}" -gt 0 ]; then
        apt-get install -y --no-install-recommends -t "$SAMBA_SUITE" "${SAMBA_PACKAGES[@]}"
    fi

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
