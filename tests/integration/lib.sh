# shellcheck shell=bash
# Helpers for integration tests that run inside scripts/with-dc.sh:
#
#   scripts/with-dc.sh -- bash tests/integration/foo.sh
#
# A test script sources this file, then:
#
#   t_begin "adspn adds an SPN"
#   mk_computer web01
#   run "$ADSPN" -a http/web01.mydom.local 'web01$'
#   expect_rc 0
#   expect_eq "$(dc_spns 'web01$')" "http/web01.mydom.local" "SPNs of web01\$"
#   t_end                      # optional: the next t_begin / t_summary ends it
#   ...
#   t_summary                  # last line; prints "N passed, N failed"
#
# Assertions never abort the script (they record a failure and return 0), so
# `set -e` in a test is fine; setup helpers (mk_user, force_dup_spn...) do
# return non-zero on error, which aborts a `set -e` script: the EXIT trap
# below then reports the run as failed.
#
# Facts cited as "sandbox-dc.md" are in ../shared/sandbox-dc.md.

if [ -z "${ADKCD_DC_URI:-}" ] || [ -z "${KRB5CCNAME:-}" ]; then
    echo "lib.sh: not inside scripts/with-dc.sh (ADKCD_DC_URI/KRB5CCNAME unset)" >&2
    echo "lib.sh: run as: scripts/with-dc.sh -- bash $0" >&2
    exit 1
fi

# --- Binaries under test ----------------------------------------------------
ADKCD_SRC_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ADKCD_BUILD_DIR=${ADKCD_BUILD_DIR:-$ADKCD_SRC_DIR/build}
ADKCD_DATA_DIR=$ADKCD_SRC_DIR/tests/data
# The test script itself (for scripts/bad-inputs --count).
T_SCRIPT=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
ADSPN=${ADSPN:-$ADKCD_BUILD_DIR/adspn}
ADKCD=${ADKCD:-$ADKCD_BUILD_DIR/adkcd}
# Default password for mk_user / kinit_as (meets AD complexity rules).
ADKCD_USER_PASS=${ADKCD_USER_PASS:-'Passw0rd!Us3r'}

# Scratch space of this test script (inside the run's $ADKCD_TMP).
T_TMP=$(mktemp -d "${ADKCD_TMP:-/tmp}/t.XXXXXX")
# The tools' journal goes to this run's scratch space, never to ~/.local.
export XDG_STATE_HOME=$T_TMP/state
ADKCD_JOURNAL=$XDG_STATE_HOME/adkcd/journal.ldif

# --- Test bookkeeping -------------------------------------------------------
T_PASSED=0
T_FAILED=0
T_NAME=""          # current test ("" = none open)
T_CUR_FAILS=0      # failures recorded in the current test
T_FAILED_NAMES=()
T_DONE=0           # t_summary was called

_t_say() { printf '%s\n' "$*"; }

# Open a test. Ends the previous one if it is still open.
t_begin() {
    [ -z "$T_NAME" ] || t_end
    T_NAME=$1
    T_CUR_FAILS=0
    _t_say "--- $T_NAME"
}

# Close the current test: it passed unless something called t_fail.
t_end() {
    [ -n "$T_NAME" ] || return 0
    _bad_input_check_covered
    if [ "$T_CUR_FAILS" -eq 0 ]; then
        T_PASSED=$((T_PASSED + 1))
        _t_say "ok - $T_NAME"
    else
        T_FAILED=$((T_FAILED + 1))
        T_FAILED_NAMES+=("$T_NAME")
        _t_say "FAIL - $T_NAME"
    fi
    T_NAME=""
}

# Explicit pass: ends the current test (passes only if nothing failed in it).
t_pass() { t_end; }

# Record a failure in the current test (opens an anonymous one if needed).
t_fail() {
    [ -n "$T_NAME" ] || t_begin "(outside any test)"
    T_CUR_FAILS=$((T_CUR_FAILS + 1))
    printf '  FAILED: %s\n' "$1"
    shift
    [ $# -eq 0 ] || printf '%s\n' "$@" | sed 's/^/    /'
    return 0
}

# Print the totals alone on a line; non-zero if anything failed (or no test
# ran at all, which would hide a broken script).
t_summary() {
    t_end
    _bad_input_summary
    T_DONE=1
    local total=$((T_PASSED + T_FAILED))
    if [ "$T_FAILED" -gt 0 ]; then
        printf 'failed tests:\n'
        printf '  %s\n' "${T_FAILED_NAMES[@]}"
    fi
    printf '%d passed, %d failed\n' "$T_PASSED" "$T_FAILED"
    [ "$T_FAILED" -eq 0 ] && [ "$total" -gt 0 ]
}

# If the script ends without t_summary (set -e abort, exit in a helper),
# make the failure visible and the exit status non-zero.
_t_on_exit() {
    local rc=$?
    rm -rf "$T_TMP"
    [ "$T_DONE" -eq 0 ] || return 0
    [ -n "$T_NAME" ] || t_begin "(after the last test)"
    t_fail "script ended here without t_summary (exit status $rc)"
    t_end
    printf '%d passed, %d failed\n' "$T_PASSED" "$T_FAILED"
    [ "$rc" -ne 0 ] || exit 1
}
trap _t_on_exit EXIT

# --- Running commands -------------------------------------------------------
# run CMD [ARGS...]: stdout -> $OUT, stderr -> $ERR, exit status -> $RC.
# Never aborts. stdin is /dev/null unless RUN_STDIN names a file. Trailing
# newlines are stripped from OUT/ERR (as with $(...)); the raw files stay in
# $OUT_FILE / $ERR_FILE until the next run.
OUT="" ERR="" RC=0 RUN_CMD=""
OUT_FILE=$T_TMP/run.out
ERR_FILE=$T_TMP/run.err
run() {
    RUN_CMD=$(printf '%q ' "$@")
    RUN_CMD=${RUN_CMD% }
    RC=0
    "$@" <"${RUN_STDIN:-/dev/null}" >"$OUT_FILE" 2>"$ERR_FILE" || RC=$?
    OUT=$(cat "$OUT_FILE")
    ERR=$(cat "$ERR_FILE")
    return 0
}

# What the last run produced, for failure messages.
_t_last_run() {
    printf 'command: %s\n' "$RUN_CMD"
    printf 'exit code: %s\n' "$RC"
    printf 'stdout:\n%s\n' "$(sed 's/^/| /' "$OUT_FILE" 2>/dev/null)"
    printf 'stderr:\n%s\n' "$(sed 's/^/| /' "$ERR_FILE" 2>/dev/null)"
}

# --- Assertions (on the last run) -------------------------------------------
expect_rc() {
    [ "$RC" = "$1" ] ||
        t_fail "expected exit code $1, got $RC" "$(_t_last_run)"
}

expect_out_contains() {
    case $OUT in *"$1"*) ;; *)
        t_fail "expected stdout to contain: $1" "$(_t_last_run)" ;;
    esac
}

expect_out_not_contains() {
    case $OUT in *"$1"*)
        t_fail "expected stdout NOT to contain: $1" "$(_t_last_run)" ;;
    esac
}

expect_err_contains() {
    case $ERR in *"$1"*) ;; *)
        t_fail "expected stderr to contain: $1" "$(_t_last_run)" ;;
    esac
}

expect_err_not_contains() {
    case $ERR in *"$1"*)
        t_fail "expected stderr NOT to contain: $1" "$(_t_last_run)" ;;
    esac
}

expect_out_eq() {
    [ "$OUT" = "$1" ] ||
        t_fail "stdout differs from the expected text" \
            "expected:" "$(printf '%s\n' "$1" | sed 's/^/| /')" "$(_t_last_run)"
}

expect_out_empty() { expect_out_eq ""; }
expect_err_empty() {
    [ -z "$ERR" ] || t_fail "expected empty stderr" "$(_t_last_run)"
}

# expect_eq ACTUAL EXPECTED WHAT
expect_eq() {
    [ "$1" = "$2" ] ||
        t_fail "${3:-value}: expected [$2], got [$1]" \
            "$(diff -u <(printf '%s\n' "$2") <(printf '%s\n' "$1") | sed -n '3,$p')"
}

# expect_json JQEXPR: $OUT is JSON and JQEXPR evaluates to true on it, e.g.
#   expect_json '.schema == 1 and (.spns | length) == 2'
expect_json() {
    local res
    if ! res=$(jq -e "$1" <"$OUT_FILE" 2>&1); then
        t_fail "expected JSON where [$1] is true, got: ${res:-nothing}" "$(_t_last_run)"
    fi
}

# json_get JQEXPR: print jq -r JQEXPR of $OUT (empty on error).
json_get() { jq -r "$1" <"$OUT_FILE" 2>/dev/null || true; }

# expect_out_json_file FILE [JQFILTER]: $OUT and FILE (relative paths are
# taken from tests/data) are the same JSON after JQFILTER (default ".") and
# key sorting. Use the filter to drop volatile fields, e.g. 'del(.time)'.
expect_out_json_file() {
    local f=$1 filter=${2:-.} want got
    case $f in /*) ;; *) f=$ADKCD_DATA_DIR/$f ;; esac
    if ! want=$(jq -S "$filter" "$f" 2>&1); then
        t_fail "cannot read expected JSON $f: $want"
        return 0
    fi
    if ! got=$(jq -S "$filter" <"$OUT_FILE" 2>&1); then
        t_fail "stdout is not JSON: $got" "$(_t_last_run)"
        return 0
    fi
    [ "$got" = "$want" ] ||
        t_fail "JSON differs from $f (after $filter)" \
            "$(diff -u <(printf '%s\n' "$want") <(printf '%s\n' "$got") | sed -n '3,$p')" \
            "$(_t_last_run)"
}

# expect_no_control_bytes: neither stdout nor stderr of the last run holds
# a control byte a terminal acts on (C0 but tab and newline, DEL, C1 as
# UTF-8): a value from the directory or a file is shown escaped (\xNN).
expect_no_control_bytes() {
    local f
    for f in "$OUT_FILE" "$ERR_FILE"; do
        if LC_ALL=C grep -aqP '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' "$f"; then
            t_fail "control bytes in ${f##*/}: $(LC_ALL=C grep -aP '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' "$f" | head -3 | cat -v)" \
                "$(_t_last_run)"
        fi
        # A byte that is not UTF-8 (a lone 0x9b is CSI to a terminal that
        # is not in UTF-8) is escaped too.
        if ! iconv -f UTF-8 -t UTF-8 "$f" >/dev/null 2>&1; then
            t_fail "bytes that are not UTF-8 in ${f##*/}: $(head -c 300 "$f" | cat -v)" \
                "$(_t_last_run)"
        fi
    done
}

# --- Bad inputs -------------------------------------------------------------
# bad_input CLASS RC [NAME=VALUE...] -- CMD [ARGS...]
#
# One bad input, tried end to end: CMD runs through `run` (assert its
# message after it, as after any run: expect_err_contains, expect_json...),
# with each NAME=VALUE set for it alone: RUN_STDIN=FILE is its standard
# input, any other NAME is exported to CMD (an empty VALUE too, e.g.
# HOME=). bad_input checks that
#   - CMD exited RC;
#   - no journal CMD could have written changed (content, mode, owner, or
#     coming into existence): $ADKCD_JOURNAL, the default journal of CMD's
#     XDG_STATE_HOME/HOME, and FILE of a --journal FILE argument;
# and counts the case under CLASS, one of BAD_INPUT_CLASSES below.
#
# The directory is compared once for the cases of a test, not after each
# case: take `dc_snapshot SNAP` before the first case and call
# `expect_dc_unchanged SNAP` after the last. t_end fails a test in which a
# case ran without such a comparison after it.
#
# scripts/bad-inputs counts the cases for the table of docs/robustness.md
# by reading the test scripts: one call, one case. So CLASS and RC are
# written out, each call has a line of its own, and each call runs once (no
# loop and no helper function around it): a call that runs twice fails,
# and t_summary fails a script in which a call did not run. To try one
# input through several commands, give CMD as a function of the test that
# runs them all.
#
# The classes, in the order of the table (the comment is its description).
BAD_INPUT_CLASSES=(
    command-line   # options, verbs and arguments: unknown, missing, extra, misplaced, conflicting
    account        # account names in every form (`NAME`, `NAME$`, `DOMAIN\NAME`, UPN, DN, `<SID=...>`, `<GUID=...>`): syntax, bytes, length, filter injection, nothing found
    spn            # SPNs given to `adspn -S/-A/-D`, and `-Q` patterns: syntax, bytes, ports, lengths, filter injection
    spn-conflict   # SPNs another account holds, directly or through a host alias (sPNMappings)
    service        # delegation services of `adkcd add/set`: syntax, bytes, lengths, long lists
    principal      # principals of resource-based delegation: names, SIDs, DNs, nothing found, a deny ACE
    protected      # delegation that the safety rules refuse without `--force`: domain controllers, krbtgt, a KDC's account
    state-file     # state files for `adkcd apply`: bytes (NUL, invalid UTF-8, UTF-16), YAML (syntax, aliases, tags, documents), limits, schema
    state-plan     # state files refused when planned against the directory: duplicates, host aliases, moves in a cycle, unknown accounts, values that cannot be written
    journal        # journals: rollback of unknown, tampered, lying or untrusted journals; journals that cannot be written
    credentials    # passwords on stdin, keytabs, principals, ccaches
    directory      # hostile values read from the directory: control bytes and newlines in SPNs, services and DNs, a descriptor that is not one
)

declare -A _T_BAD_COUNT=()   # CLASS -> cases run
declare -A _T_BAD_SITES=()   # FILE:LINE of every call that ran
declare -A _T_SNAP_SEQ=()    # snapshot FILE -> cases run before dc_snapshot wrote it
_T_BAD_SEQ=0                 # cases run so far
_T_BAD_UNCOVERED=0           # first case not compared with the DC yet (0: none)

# The state of a file, to tell whether a command touched it.
_t_file_state() {
    if [ -L "$1" ]; then
        printf 'symlink to %s\n' "$(readlink "$1")"
    elif [ -f "$1" ]; then
        printf '%s %s\n' "$(stat -c '%a %u %s' "$1")" "$(sha256sum <"$1" | cut -d' ' -f1)"
    elif [ -e "$1" ]; then
        stat -c '%F %a %u' "$1"
    else
        echo absent
    fi
}

bad_input() {
    local class=${1:-} rc=${2:-} site="${BASH_SOURCE[1]##*/}:${BASH_LINENO[0]}"
    local a b c prev="" i
    local -a sets=() cand=() jpaths=() jbefore=()
    if [ -z "$T_NAME" ]; then
        t_fail "$site: bad_input outside a test (t_begin first)"
        return 0
    fi
    for c in "${BAD_INPUT_CLASSES[@]}"; do [ "$c" = "$class" ] && break; done
    if [ "$c" != "$class" ] || ! [[ $rc =~ ^[0-9]+$ ]]; then
        t_fail "$site: usage: bad_input CLASS RC [NAME=VALUE...] -- CMD [ARGS...] (CLASS one of: ${BAD_INPUT_CLASSES[*]})"
        return 0
    fi
    shift 2
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        if ! [[ $1 =~ ^[A-Za-z_][A-Za-z0-9_]*= ]]; then
            t_fail "$site: bad_input: '$1' is not NAME=VALUE (missing -- before the command?)"
            return 0
        fi
        sets+=("$1")
        shift
    done
    if [ $# -lt 2 ]; then
        t_fail "$site: bad_input: no command after --"
        return 0
    fi
    shift
    if [ -n "${_T_BAD_SITES[$site]+set}" ]; then
        t_fail "$site: this bad_input ran twice: scripts/bad-inputs counts one case per call (no loops or helpers around it)"
    fi
    _T_BAD_SITES[$site]=$class
    _T_BAD_SEQ=$((_T_BAD_SEQ + 1))
    _T_BAD_COUNT[$class]=$((${_T_BAD_COUNT[$class]:-0} + 1))
    [ "$_T_BAD_UNCOVERED" -gt 0 ] || _T_BAD_UNCOVERED=$_T_BAD_SEQ

    for a in ${sets[@]+"${sets[@]}"}; do
        if [ "${a%%=*}" = RUN_STDIN ]; then
            local RUN_STDIN=${a#*=}
        else
            local -x "$a"
        fi
    done
    # The journals CMD could write (the XDG rules of docs/journal.md).
    cand=("$ADKCD_JOURNAL")
    if [[ ${XDG_STATE_HOME:-} == /* ]]; then
        cand+=("$XDG_STATE_HOME/adkcd/journal.ldif")
    elif [ -n "${HOME:-}" ]; then
        cand+=("$HOME/.local/state/adkcd/journal.ldif")
    fi
    for a in "$@"; do
        [ "$prev" != --journal ] || cand+=("$a")
        [[ $a != --journal=* ]] || cand+=("${a#--journal=}")
        prev=$a
    done
    for a in "${cand[@]}"; do
        for b in ${jpaths[@]+"${jpaths[@]}"}; do [ "$a" != "$b" ] || continue 2; done
        jpaths+=("$a")
    done
    for i in "${!jpaths[@]}"; do jbefore[i]=$(_t_file_state "${jpaths[i]}"); done
    run "$@"
    for i in "${!jpaths[@]}"; do
        [ "$(_t_file_state "${jpaths[i]}")" = "${jbefore[i]}" ] ||
            t_fail "$site: the journal ${jpaths[i]} changed (was: ${jbefore[i]})" "$(_t_last_run)"
    done
    expect_rc "$rc"
}

# Called by t_end: the bad inputs of the test must have been compared with
# the DC (expect_dc_unchanged on a snapshot taken before them).
_bad_input_check_covered() {
    [ "$_T_BAD_UNCOVERED" -gt 0 ] || return 0
    _T_BAD_UNCOVERED=0
    t_fail "bad inputs ran in this test without expect_dc_unchanged after them (on a snapshot taken before them)"
}

# Called by t_summary: what ran, per class, and every call of the script ran
# (so that the static count of scripts/bad-inputs is what the tests do).
_bad_input_summary() {
    local c line="" want
    for c in "${BAD_INPUT_CLASSES[@]}"; do
        [ -z "${_T_BAD_COUNT[$c]:-}" ] || line+=" $c ${_T_BAD_COUNT[$c]},"
    done
    line=${line%,}
    [ "$_T_BAD_SEQ" -eq 0 ] || _t_say "bad inputs: $_T_BAD_SEQ cases (${line# })"
    if ! want=$("$ADKCD_SRC_DIR/scripts/bad-inputs" --count "$T_SCRIPT" 2>&1); then
        t_begin "bad_input calls of ${T_SCRIPT##*/}"
        t_fail "scripts/bad-inputs cannot read $T_SCRIPT" "$want"
    elif [ "$want" != "$_T_BAD_SEQ" ]; then
        t_begin "bad_input calls of ${T_SCRIPT##*/}"
        t_fail "${T_SCRIPT##*/} has $want bad_input calls, $_T_BAD_SEQ ran: a call that does not run is counted in docs/robustness.md all the same"
    fi
    t_end
}

# --- Directory access (GSSAPI as administrator, via the run's ccache) -------
# ldapsearch with the usual options; continuation references ("# refldap://")
# that Samba returns for the other naming contexts are dropped.
# Returns ldapsearch's status (e.g. 32 for a missing base DN), never grep's.
dc_search() {
    local out rc=0
    out=$(ldapsearch -Y GSSAPI -Q -LLL -o ldif-wrap=no -H "$ADKCD_DC_URI" "$@") || rc=$?
    [ -z "$out" ] || printf '%s\n' "$out" | grep -v '^# refldap://' || true
    return "$rc"
}

# dc_dn NAME: DN of the account with sAMAccountName NAME (or NAME$).
dc_dn() {
    local n=$1 dn
    dn=$(dc_search -b "$ADKCD_BASEDN" "(sAMAccountName=$(_ldap_esc "$n"))" 1.1 |
         sed -n 's/^dn: //p')
    if [ -z "$dn" ] && [ "${n%\$}" = "$n" ]; then
        dn=$(dc_search -b "$ADKCD_BASEDN" "(sAMAccountName=$(_ldap_esc "$n\$"))" 1.1 |
             sed -n 's/^dn: //p')
    fi
    [ -n "$dn" ] || { echo "dc_dn: no account named $n" >&2; return 1; }
    printf '%s\n' "$dn"
}

# RFC 4515 escaping of a filter value.
_ldap_esc() {
    local s=$1
    s=${s//\\/\\5c}; s=${s//\*/\\2a}; s=${s//(/\\28}; s=${s//)/\\29}
    printf '%s' "$s"
}

# Values of ATTR from LDIF on stdin, one per line, base64 ones decoded.
_ldif_values() {
    local attr=$1 line
    while IFS= read -r line; do
        case ${line,,} in
            "${attr,,}:: "*) printf '%s' "${line#*:: }" | base64 -d; echo ;;
            "${attr,,}: "*) printf '%s\n' "${line#*: }" ;;
        esac
    done
}

# dc_attr NAME ATTR: the values of ATTR on account NAME, one per line, sorted.
dc_attr() {
    local dn
    dn=$(dc_dn "$1") || return 1
    dc_search -b "$dn" -s base '(objectClass=*)' "$2" | _ldif_values "$2" | LC_ALL=C sort
}

# dc_spns NAME: servicePrincipalName values of account NAME, sorted.
dc_spns() { dc_attr "$1" servicePrincipalName; }

# dc_holders SPN: DNs of every account holding SPN, sorted (domain partition).
dc_holders() {
    dc_search -b "$ADKCD_BASEDN" "(servicePrincipalName=$(_ldap_esc "$1"))" 1.1 |
        sed -n 's/^dn: //p' | LC_ALL=C sort
}

# dc_snapshot FILE: every object of the domain partition with its DN and its
# servicePrincipalName, userAccountControl, msDS-AllowedToDelegateTo and
# msDS-AllowedToActOnBehalfOfOtherIdentity values, one "DN" or "DN | attr:
# value" line each, sorted, so that two
# snapshots can be diffed. Paged (Samba's MaxPageSize is 1000).
DC_SNAPSHOT_ATTRS=(servicePrincipalName userAccountControl msDS-AllowedToDelegateTo
    msDS-AllowedToActOnBehalfOfOtherIdentity)
dc_snapshot() {
    local out=$1
    dc_search -E pr=1000/noprompt -b "${DC_SNAPSHOT_BASE:-$ADKCD_BASEDN}" \
        '(objectClass=*)' "${DC_SNAPSHOT_ATTRS[@]}" >"$out.ldif" || {
        echo "dc_snapshot: ldapsearch failed" >&2; rm -f "$out.ldif"; return 1; }
    awk '
        /^dn: / { dn = substr($0, 5); print dn; next }
        /^dn:: / { dn = "b64:" substr($0, 6); print dn; next }
        /^#/ || /^$/ { next }
        {
            i = index($0, ":")
            print dn " | " tolower(substr($0, 1, i - 1)) substr($0, i)
        }
    ' "$out.ldif" | LC_ALL=C sort >"$out"
    rm -f "$out.ldif"
    _T_SNAP_SEQ[$out]=$_T_BAD_SEQ   # how many bad inputs ran before it
}

# dc_snapshot_diff FILE: diff of FILE against a fresh snapshot (empty when
# nothing changed); status 1 when something changed.
dc_snapshot_diff() {
    local now=$T_TMP/snapshot.now
    dc_snapshot "$now" || return 2
    diff -u "$1" "$now" | sed -n '3,$p' || true
    cmp -s "$1" "$now"
}

# expect_dc_unchanged FILE: the directory still matches snapshot FILE.
expect_dc_unchanged() {
    local d rc=0
    d=$(dc_snapshot_diff "$1") || rc=$?
    [ "$rc" -eq 0 ] ||
        t_fail "the directory changed (snapshot $1, - before, + now)" "$d"
    # The bad inputs run since that snapshot have been compared now.
    if [ "$_T_BAD_UNCOVERED" -gt 0 ] && [ -n "${_T_SNAP_SEQ[$1]+set}" ] &&
        [ "${_T_SNAP_SEQ[$1]}" -lt "$_T_BAD_UNCOVERED" ]; then
        _T_BAD_UNCOVERED=0
    fi
}

# ldif_modify FILE|-: ldapmodify -f FILE as administrator (GSSAPI).
ldif_modify() {
    local f=${1:--}
    [ "$f" != - ] || f=/dev/stdin
    ldapmodify -Y GSSAPI -Q -H "$ADKCD_DC_URI" -f "$f"
}

# unicodePwd value: the password in double quotes, UTF-16LE, base64.
_unicode_pwd() { printf '"%s"' "$1" | iconv -f UTF-8 -t UTF-16LE | base64 -w0; }

# mk_user NAME [PASSWORD]: enabled user CN=NAME,CN=Users with a password
# (default $ADKCD_USER_PASS) and UPN NAME@domain. The same object as
# `samba-tool user create NAME PASSWORD`, but one LDAP add (~40 ms instead of
# ~300 ms); ADKCD_MK_VIA=samba-tool uses samba-tool instead. Samba accepts
# unicodePwd here because the GSSAPI bind is sealed (SSF 256).
mk_user() {
    local n=$1 pw=${2:-$ADKCD_USER_PASS}
    if [ "${ADKCD_MK_VIA:-ldap}" = samba-tool ]; then
        samba-tool user create "$n" "$pw" -H "$ADKCD_DC_URI" --use-kerberos=required >/dev/null
        return
    fi
    ldapadd -Y GSSAPI -Q -H "$ADKCD_DC_URI" >/dev/null <<EOF
dn: CN=$n,CN=Users,$ADKCD_BASEDN
objectClass: user
sAMAccountName: $n
userPrincipalName: $n@$ADKCD_DOMAIN
unicodePwd:: $(_unicode_pwd "$pw")
userAccountControl: 512
EOF
}

# mk_computer NAME [PASSWORD]: computer CN=NAME,CN=Computers, sAMAccountName
# NAME$ (a trailing $ in NAME is accepted), no servicePrincipalName.
# Without PASSWORD it is what `samba-tool computer create NAME` makes
# (userAccountControl 4098: workstation trust, disabled). With PASSWORD it is
# enabled (4096) and can kinit as NAME$ (e.g. for S4U tests, sandbox-dc.md).
mk_computer() {
    local n=${1%\$} pw=${2:-}
    if [ "${ADKCD_MK_VIA:-ldap}" = samba-tool ] && [ -z "$pw" ]; then
        samba-tool computer create "$n" -H "$ADKCD_DC_URI" --use-kerberos=required >/dev/null
        return
    fi
    {
        printf 'dn: CN=%s,CN=Computers,%s\nobjectClass: computer\nsAMAccountName: %s$\n' \
            "$n" "$ADKCD_BASEDN" "$n"
        if [ -n "$pw" ]; then
            printf 'unicodePwd:: %s\nuserAccountControl: 4096\n' "$(_unicode_pwd "$pw")"
        else
            printf 'userAccountControl: 4098\n'
        fi
    } | ldapadd -Y GSSAPI -Q -H "$ADKCD_DC_URI" >/dev/null
}

# set_password NAME PASSWORD: (re)set an account's password.
# mk_computers PREFIX N: computers PREFIX1..PREFIXN (disabled: 4098) in one
# ldapadd, for tests of many accounts.
mk_computers() {
    local i
    for i in $(seq 1 "$2"); do
        printf 'dn: CN=%s%d,CN=Computers,%s\nobjectClass: computer\nsAMAccountName: %s%d$\nuserAccountControl: 4098\n\n' \
            "$1" "$i" "$ADKCD_BASEDN" "$1" "$i"
    done | ldapadd -Y GSSAPI -Q -H "$ADKCD_DC_URI" >/dev/null
}

# uac_of_all PREFIX: "NAME UAC" per computer whose name starts with PREFIX,
# from one search.
uac_of_all() {
    dc_search -b "CN=Computers,$ADKCD_BASEDN" "(sAMAccountName=$1*)" \
        sAMAccountName userAccountControl |
        awk '/^sAMAccountName:/{n=$2} /^userAccountControl:/{print n, $2}' |
        sed 's/\$ / /' | sort
}

set_password() {
    local dn
    dn=$(dc_dn "$1") || return 1
    ldif_modify - >/dev/null <<EOF
dn: $dn
changetype: modify
replace: unicodePwd
unicodePwd:: $(_unicode_pwd "$2")
EOF
}

# kinit_as PRINCIPAL [PASSWORD]: get a forwardable TGT for PRINCIPAL into a
# FILE ccache of its own and print the ccache name (does not touch
# KRB5CCNAME). Example: KRB5CCNAME=$(kinit_as 'tmg$' "$pw") kvno ...
kinit_as() {
    local p=$1 pw=${2:-$ADKCD_USER_PASS} cc
    cc=FILE:$T_TMP/krb5cc_$(printf '%s' "$p" | tr -c 'A-Za-z0-9_.-' _)
    printf '%s\n' "$pw" | KRB5CCNAME=$cc kinit -f "$p" >/dev/null || return 1
    printf '%s\n' "$cc"
}

# --- Raw writes that the DC's own checks would refuse -----------------------
# The domain partition's own tdb file. Writing it with ldbmodify bypasses the
# whole dsdb module stack (samldb's SPN uniqueness check included), which
# LDAP and `ldbmodify -H sam.ldb` (even with relax) do not (sandbox-dc.md).
# The running DC needs no restart: ldb_tdb re-reads on every operation, so
# the change is visible over LDAP and GC at once (checked by smoke.sh).
# shellcheck disable=SC2153  # ADKCD_DC_DIR comes from with-dc.sh
dc_domain_db() {
    printf 'tdb://%s/private/sam.ldb.d/%s.ldb\n' "$ADKCD_DC_DIR" "${ADKCD_BASEDN^^}"
}

# dc_raw_modify FILE|-: apply an LDIF change record to the domain partition's
# raw database. No schema checks, no replication metadata, no USN change.
dc_raw_modify() {
    local f=${1:--}
    [ "$f" != - ] || f=/dev/stdin
    ldbmodify -H "$(dc_domain_db)" "$f" >/dev/null
}

# force_dup_spn ACCOUNT_DN SPN: add SPN to ACCOUNT_DN even though another
# account holds it (for duplicate-scan tests), then check that an LDAP
# search for SPN returns ACCOUNT_DN too. The raw write skips replication
# metadata; to keep `samba-tool dbcheck` clean, an account without any SPN
# first gets a placeholder SPN over LDAP (which creates the metadata entry)
# and the raw write swaps it for SPN.
force_dup_spn() {
    local dn=$1 spn=$2 have placeholder=""
    # Use the DN exactly as the server spells it (raw ldb DN matching).
    dn=$(dc_search -b "$dn" -s base '(objectClass=*)' 1.1 2>/dev/null | sed -n 's/^dn: //p') || true
    [ -n "$dn" ] || { echo "force_dup_spn: no object $1" >&2; return 1; }
    have=$(dc_search -b "$dn" -s base '(objectClass=*)' servicePrincipalName |
           _ldif_values servicePrincipalName)
    if [ -z "$have" ]; then
        placeholder="adkcd-placeholder/$RANDOM$RANDOM"
        printf 'dn: %s\nchangetype: modify\nadd: servicePrincipalName\nservicePrincipalName: %s\n' \
            "$dn" "$placeholder" | ldif_modify - >/dev/null || {
            echo "force_dup_spn: cannot add placeholder SPN to $dn" >&2; return 1; }
    fi
    {
        printf 'dn: %s\nchangetype: modify\n' "$dn"
        [ -z "$placeholder" ] ||
            printf 'delete: servicePrincipalName\nservicePrincipalName: %s\n-\n' "$placeholder"
        printf 'add: servicePrincipalName\nservicePrincipalName: %s\n' "$spn"
    } | dc_raw_modify - || { echo "force_dup_spn: raw ldbmodify failed for $dn" >&2; return 1; }
    if ! dc_holders "$spn" | grep -qixF "$dn"; then
        echo "force_dup_spn: $spn written to $dn but LDAP does not see it" >&2
        return 1
    fi
}

# --- The DC itself ----------------------------------------------------------
# dc_ctl stop|start|restart|status (stop waits until samba has exited, start
# until it answers LDAP, GC, KDC and DNS again).
dc_ctl() { "$ADKCD_DC_CTL" "$@"; }
