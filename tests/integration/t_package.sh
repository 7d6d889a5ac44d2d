#!/usr/bin/env bash
# The Debian package (scripts/package, docs/packaging.md) as an admin gets
# it: built by CPack, reproducibly, and clean under lintian, its control fields
# and contents, installed with dpkg -i on this machine (an earlier copy
# removed first), the installed tools, man pages, completion and Ansible
# collection found where Debian looks, the seed's scenario (scripts/demo)
# run with the installed binaries against the sandbox DC, then removed with
# nothing left behind.
. "$(dirname "$0")/lib.sh"

VERSION=$(sed -n 's/^project(adkcd VERSION \([0-9.]*\).*/\1/p' "$ADKCD_SRC_DIR/CMakeLists.txt")
PKG_BUILD=$T_TMP/build-pkg

# Never leave the package installed, whatever happens.
remove_pkg() { dpkg --purge adkcd >/dev/null 2>&1 || true; }
trap 'rc=$?; remove_pkg; (exit "$rc"); _t_on_exit' EXIT

t_begin "scripts/package builds one .deb, reproducibly, and lintian finds no error or warning"
run "$ADKCD_SRC_DIR/scripts/package" "$PKG_BUILD"
expect_rc 0
DEB=$(printf '%s\n' "$OUT" | tail -n 1)
expect_eq "$(basename "$DEB")" "adkcd_${VERSION}_$(dpkg --print-architecture).deb" "the package's file name"
expect_err_not_contains "E: adkcd"
# Reproducible: the same commit built in another directory, the same bytes.
run "$ADKCD_SRC_DIR/scripts/package" "$T_TMP/build-pkg2"
expect_rc 0
cmp -s "$DEB" "$(printf '%s\n' "$OUT" | tail -n 1)" ||
    t_fail "two builds of the same tree differ: the package is not reproducible"
t_end

t_begin "control fields: version, section, dependencies from the libraries and the SASL plugin"
field() { dpkg-deb -f "$DEB" "$1"; }
expect_eq "$(field Package)" "adkcd" "Package"
expect_eq "$(field Version)" "$VERSION" "Version"
expect_eq "$(field Section)" "admin" "Section"
deps=$(field Depends)
for lib in libldap-2.5-0 libkrb5-3 libgssapi-krb5-2 libsasl2-2 libjansson4 libyaml-0-2 libuuid1 libc6 \
    libsasl2-modules-gssapi-mit; do
    case ", $deps," in *", $lib "*|*", $lib,"*) ;; *) t_fail "Depends lacks $lib: $deps" ;; esac
done
expect_eq "$(field Recommends)" "krb5-user, ldap-utils" "Recommends"
expect_eq "$(head -n 1 "$ADKCD_SRC_DIR/packaging/deb/changelog")" \
    "adkcd ($VERSION) unstable; urgency=medium" "the changelog's first entry is this version"
t_end

t_begin "contents: binaries, compressed man pages, docs, completion, the Ansible collection"
contents=$(dpkg-deb -c "$DEB" | awk '{print $NF}' | sed 's|^\./|/|')
for f in /usr/bin/adspn /usr/bin/adkcd \
    /usr/share/man/man1/adspn.1.gz /usr/share/man/man1/adkcd.1.gz \
    /usr/share/doc/adkcd/copyright /usr/share/doc/adkcd/changelog.gz /usr/share/doc/adkcd/README.md \
    /usr/share/doc/adkcd/docs/ansible.md \
    /usr/share/bash-completion/completions/adspn /usr/share/bash-completion/completions/adkcd \
    /usr/share/ansible/collections/ansible_collections/adkcd/ad/galaxy.yml \
    /usr/share/ansible/collections/ansible_collections/adkcd/ad/plugins/modules/spn.py; do
    printf '%s\n' "$contents" | grep -qxF "$f" || t_fail "the package lacks $f"
done
if printf '%s\n' "$contents" | grep -E '\.pyc$|__pycache__|/man1/[^/]*\.1$'; then
    t_fail "the package holds byte-code or uncompressed man pages"
fi
# Modes: directories 755, binaries 755, everything else 644, owned by root.
bad=$(dpkg-deb -c "$DEB" | awk '$2 != "root/root" ||
    ($1 ~ /^d/ && $1 != "drwxr-xr-x") ||
    ($1 ~ /^-/ && $1 != "-rw-r--r--" && $NF !~ /^\.\/usr\/bin\//) ||
    ($1 ~ /^-/ && $NF ~ /^\.\/usr\/bin\// && $1 != "-rwxr-xr-x")')
expect_eq "$bad" "" "entries with unexpected modes or owners"
t_end

t_begin "dpkg -i installs it (after removing an earlier copy); the tools, man and completion work"
remove_pkg
run dpkg -i "$DEB"
expect_rc 0
expect_eq "$(dpkg-query -W -f='${Status} ${Version}' adkcd)" "install ok installed $VERSION" "dpkg status"
run /usr/bin/adspn --version
expect_rc 0
expect_out_contains "$VERSION"
run /usr/bin/adkcd --version
expect_rc 0
expect_out_contains "$VERSION"
run man -w adspn
expect_rc 0
expect_out_eq "/usr/share/man/man1/adspn.1.gz"
run man -w adkcd
expect_out_eq "/usr/share/man/man1/adkcd.1.gz"
# The man pages render without a warning (man --warnings exits 0 even
# when troff warns: its standard error says).
for page in adspn adkcd; do
    LC_ALL=C.UTF-8 MANWIDTH=80 run man --warnings -l /usr/share/man/man1/$page.1.gz
    expect_rc 0
    expect_out_contains "$page"
    expect_err_empty
done
# bash-completion's loader finds the completion by the command's name.
run bash -c 'source /usr/share/bash-completion/bash_completion;
    __load_completion adkcd && complete -p adkcd && complete -p adspn 2>/dev/null ||
    { __load_completion adspn && complete -p adspn; }'
expect_rc 0
expect_out_contains "adkcd"
# Ansible finds the collection in its default path (no ANSIBLE_COLLECTIONS_PATH).
ANSIBLE_HOME=$T_TMP/ansible-home run env -u ANSIBLE_COLLECTIONS_PATH ansible-doc -l adkcd.ad
expect_rc 0
expect_out_contains "adkcd.ad.delegation"
t_end

t_begin "the seed's scenario (scripts/demo) with the installed binaries against the sandbox DC"
ADKCD_DEMO_BIN_DIR=/usr/bin run bash "$ADKCD_SRC_DIR/scripts/demo" --inside
expect_rc 0
expect_out_contains "$ adkcd apply kcd.yaml"
expect_out_contains "S4U2Proxy"
expect_eq "$(dc_spns iosmdm)" "http/iosmdm.mydom.local" "SPNs of iosmdm after the demo"
t_end

t_begin "dpkg --purge removes it and leaves nothing behind"
files=$(dpkg -L adkcd | sort)
run dpkg --purge adkcd
expect_rc 0
expect_eq "$(dpkg-query -W -f='${Status}' adkcd 2>/dev/null || true)" "" "dpkg status after purge"
left=$(printf '%s\n' "$files" | while read -r f; do
    [ "$f" = /. ] && continue
    # Shared directories (/usr, /usr/share/man/man1...) stay: only the
    # package's own files and directories must be gone.
    if [ -f "$f" ] || [ -L "$f" ]; then echo "$f"; fi
done)
expect_eq "$left" "" "files left behind"
for d in /usr/share/doc/adkcd /usr/share/ansible/collections/ansible_collections/adkcd; do
    [ ! -e "$d" ] || t_fail "$d is left behind"
done
t_end

t_summary
