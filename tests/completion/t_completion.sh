#!/usr/bin/env bash
# The bash completion of adspn and adkcd (src/completion/): the candidates
# it offers for concrete command lines, and that its verbs and options are
# those of the built binaries (their --help, and which options each adkcd
# verb accepts, found by running it).  A unit test: no DC, no network.
#
# ADKCD_BUILD_DIR: the build directory that holds adspn and adkcd.
#
# The suite runs twice when bash-completion is installed: in a plain bash
# with the files sourced (the fallback without _init_completion), and with
# bash-completion loaded and the files loaded by its on-demand loader.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${ADKCD_BUILD_DIR:-$src/build}
ADKCD_BIN=$build/adkcd
ADSPN_BIN=$build/adspn
BASH_COMPLETION_SCRIPT=${BASH_COMPLETION_SCRIPT:-/usr/share/bash-completion/bash_completion}

if [[ ${1-} != --mode ]]; then
    for b in "$ADKCD_BIN" "$ADSPN_BIN"; do
        [[ -x $b ]] || {
            echo "t_completion: $b is not built (ADKCD_BUILD_DIR?)" >&2
            exit 1
        }
    done
    rc=0
    bash "${BASH_SOURCE[0]}" --mode plain || rc=1
    if [[ -r $BASH_COMPLETION_SCRIPT ]]; then
        bash "${BASH_SOURCE[0]}" --mode bash-completion || rc=1
    else
        echo "note: $BASH_COMPLETION_SCRIPT not found: the suite ran without" \
            "bash-completion only"
    fi
    exit $rc
fi
mode=$2

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
checks=0

fail() {
    echo "FAIL [$mode]: $*" >&2
    failures=$((failures + 1))
}

# ---- loading ------------------------------------------------------------

if [[ $mode == plain ]]; then
    # shellcheck source=/dev/null
    source "$src/src/completion/adkcd"
    # shellcheck source=/dev/null
    source "$src/src/completion/adspn"
    if declare -F _init_completion >/dev/null; then
        fail "bash-completion is loaded in the plain run"
    fi
else
    # As installed: bash-completion finds the files by the command's name.
    mkdir -p "$tmp/bc/completions"
    ln -s "$src/src/completion/adkcd" "$src/src/completion/adspn" \
        "$tmp/bc/completions/"
    export BASH_COMPLETION_USER_DIR=$tmp/bc
    # shellcheck source=/dev/null
    source "$BASH_COMPLETION_SCRIPT"
    declare -F _init_completion >/dev/null ||
        fail "bash-completion did not define _init_completion"
    for cmd in adkcd adspn; do
        if declare -F _comp_load >/dev/null; then
            _comp_load "$cmd"
        else
            __load_completion "$cmd"
        fi
    done
fi

for cmd in adkcd adspn; do
    spec=$(complete -p "$cmd" 2>/dev/null)
    [[ $spec == "complete -F _$cmd $cmd" ]] ||
        fail "complete -p $cmd: '$spec', wanted 'complete -F _$cmd $cmd'"
done

# ---- driving the completion ---------------------------------------------

# Complete the end of LINE as bash would: words split at blanks, '=' and ':'
# (COMP_WORDBREAKS), the cursor at the end.  The candidates land in got.
# Anything the completion prints on stderr lands in $tmp/stderr.
complete_line() {
    local line=$1 w part fn spec
    local -a blank
    COMP_LINE=$line
    COMP_POINT=${#line}
    COMP_WORDS=()
    read -ra blank <<<"$line"
    for w in "${blank[@]}"; do
        while [[ $w == *[=:]* ]]; do
            part=${w%%[=:]*}
            [[ -n $part ]] && COMP_WORDS+=("$part")
            w=${w#"$part"}
            COMP_WORDS+=("${w:0:1}")
            w=${w:1}
        done
        [[ -n $w ]] && COMP_WORDS+=("$w")
    done
    [[ $line == *[[:blank:]] ]] && COMP_WORDS+=('')
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    spec=$(complete -p "${COMP_WORDS[0]##*/}" 2>/dev/null)
    fn=${spec#*-F }
    fn=${fn%% *}
    COMPREPLY=()
    "$fn" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" \
        "${COMP_WORDS[COMP_CWORD - 1]}" 2>"$tmp/stderr"
    got=("${COMPREPLY[@]}")
    if [[ -s $tmp/stderr ]]; then
        fail "'$line': the completion printed on stderr: $(<"$tmp/stderr")"
    fi
}

# offers LINE WORD...: each WORD is a candidate.
offers() {
    local line=$1 w g
    shift
    complete_line "$line"
    for w in "$@"; do
        checks=$((checks + 1))
        for g in "${got[@]}"; do
            [[ $g == "$w" ]] && continue 2
        done
        fail "'$line' does not offer '$w' (offers: ${got[*]})"
    done
}

# lacks LINE WORD...: no WORD is a candidate.
lacks() {
    local line=$1 w g
    shift
    complete_line "$line"
    for w in "$@"; do
        checks=$((checks + 1))
        for g in "${got[@]}"; do
            [[ $g == "$w" ]] && fail "'$line' offers '$w', which it must not"
        done
    done
}

sort_bin=$(type -P sort)
sorted() {
    printf '%s\n' "$@" | LC_ALL=C "$sort_bin" -u
}

# exactly LINE WORD...: the candidates are the WORDs (as a set).
exactly() {
    local line=$1
    shift
    complete_line "$line"
    checks=$((checks + 1))
    if [[ $(sorted "${got[@]}") != "$(sorted "$@")" ]]; then
        fail "'$line' offers: ${got[*]}; wanted: $*"
    fi
}

# ---- adkcd: concrete candidates -----------------------------------------

exactly 'adkcd ' show add remove set history rollback apply export rbcd \
    check verify audit
exactly 'adkcd ro' rollback
exactly 'adkcd --json h' history
# The value of an option is not the verb.
exactly 'adkcd --journal j.ldif ' show add remove set history rollback \
    apply export rbcd check verify audit

offers 'adkcd add --' --any-protocol --kerberos-only --force --computer \
    --user --dry-run --ldif --detailed-exitcode --json --journal --keytab \
    --uri --principal --password-stdin --timeout --help
offers 'adkcd add -' -C -U -n -H -Z -v -h
lacks 'adkcd add --' --mode --services --impersonate --forest \
    --stop-on-error
lacks 'adkcd add -' -F
# Options may come before the verb.
offers 'adkcd --dry-run add tmg http/x --' --any-protocol --force
offers 'adkcd set tmg --' --mode --services --any-protocol
exactly 'adkcd set tmg --mode ' none unconstrained constrained
exactly 'adkcd set tmg --mode=c' constrained
# history takes no option of the verbs, and writes nothing.
offers 'adkcd history --' --journal --json --verbose
lacks 'adkcd history --' --force --dry-run --ldif --detailed-exitcode \
    --any-protocol --computer --impersonate --stop-on-error --forest
offers 'adkcd history ' --journal
offers 'adkcd audit -' -F --forest
lacks 'adkcd show -' -F --forest --dry-run --force
offers 'adkcd verify tmg http/x --' --impersonate
offers 'adkcd apply --' --stop-on-error --force --dry-run
# export prints YAML: no --json.
lacks 'adkcd export --' --json --dry-run
# After "--", no options.
exactly 'adkcd show -- -'
# rbcd: its sub-commands, then accounts and principals (nothing offered);
# show only reads, the others write.
exactly 'adkcd rbcd ' show add remove set
exactly 'adkcd rbcd s' show set
exactly 'adkcd --json rbcd r' remove
exactly 'adkcd rbcd --dry-run ' show add remove set
exactly 'adkcd rbcd show '
exactly 'adkcd rbcd add iosmdm '
exactly 'adkcd rbcd set iosmdm tmg '
offers 'adkcd rbcd add iosmdm tmg --' --dry-run --ldif --detailed-exitcode \
    --force --computer --user --json
offers 'adkcd rbcd remove iosmdm -' -n -C -U
offers 'adkcd rbcd set iosmdm --' --dry-run --force
offers 'adkcd rbcd show -' -C -U --json --computer --user
lacks 'adkcd rbcd show iosmdm --' --dry-run --ldif --detailed-exitcode --force
lacks 'adkcd rbcd -' --any-protocol --kerberos-only --mode --services \
    --impersonate --stop-on-error -F --forest
# A URI's ':' (a word break of bash) does not end the option's value.
exactly 'adkcd -H ldap://dc1.mydom.local ' show add remove set history \
    rollback apply export rbcd check verify audit
exactly 'adkcd --uri=ldaps://dc1:636 set tmg --mo' --mode
exactly 'adkcd -H ldap://dc1 set tmg --mode ' none unconstrained constrained

# File names after --keytab and --journal (both spellings), and for apply.
mkdir -p "$tmp/files/sub"
: >"$tmp/files/journal.ldif"
: >"$tmp/files/kcd.yaml"
: >"$tmp/files/svc.keytab"
offers "adkcd --journal $tmp/files/j" "$tmp/files/journal.ldif"
offers "adkcd history --journal=$tmp/files/j" "$tmp/files/journal.ldif"
offers "adkcd show tmg --keytab $tmp/files/s" "$tmp/files/svc.keytab"
offers "adkcd verify --keytab=$tmp/files/" "$tmp/files/svc.keytab" \
    "$tmp/files/sub"
offers "adkcd apply $tmp/files/k" "$tmp/files/kcd.yaml"
offers "adkcd --dry-run apply $tmp/files/" "$tmp/files/kcd.yaml"
offers 'adkcd apply ' -
offers 'adkcd apply -' - --dry-run
exactly "adkcd apply $tmp/files/kcd.yaml $tmp/files/k"
exactly "adkcd show $tmp/files/k"
lacks "adkcd --principal $tmp/files/" "$tmp/files/svc.keytab"
lacks "adkcd set tmg --services $tmp/files/" "$tmp/files/svc.keytab"

# ---- adkcd rollback: run ids from `adkcd history` ------------------------

id1=d0c0e31d-c77a-446e-a1ee-a57b8885e5e8
id2=5f1e0a9b-2c3d-4e5f-8a9b-0c1d2e3f4a5b
# A journal of two runs (docs/journal.md), read by the real adkcd.
journal_run() { # ID TOOL ACCOUNT ATTRIBUTE VALUE
    cat <<EOF
# run: $1
# time: 2026-11-24T14:00:00Z
# tool: $2
# server: ldap://dc1.mydom.local
# identity: u:MYDOM\\Administrator
# command: $2 ...
# format: 2

# change: $1 1
# label: computer $3\$
dn: CN=$3,CN=Computers,DC=mydom,DC=local
changetype: modify
add: $4
$4: $5
-

# applied: $1 1

# end: $1 ok

EOF
}
{
    journal_run "$id1" adkcd tmg msDS-AllowedToDelegateTo http/iosmdm.mydom.local
    journal_run "$id2" adspn web servicePrincipalName http/web.mydom.local
} >"$tmp/journal.ldif"
real_history=$("$ADKCD_BIN" history --journal "$tmp/journal.ldif" 2>&1)
[[ $real_history == *"$id1"*"$id2"* ]] ||
    fail "adkcd history does not list the test journal's runs: $real_history"

mkdir -p "$tmp/real" "$tmp/state" "$tmp/home"
ln -s "$ADKCD_BIN" "$tmp/real/adkcd"
saved_path=$PATH saved_home=$HOME saved_state=${XDG_STATE_HOME-}
export HOME=$tmp/home XDG_STATE_HOME=$tmp/state
PATH=$tmp/real:$saved_path
exactly "adkcd rollback --journal $tmp/journal.ldif " "$id1" "$id2" last
exactly "adkcd --journal=$tmp/journal.ldif rollback " "$id1" "$id2" last
exactly "adkcd --journal $tmp/journal.ldif rollback d0" "$id1"
exactly "adkcd rollback --dry-run $id2 --journal $tmp/journal.ldif " \
    "$id1" last
exactly "adkcd rollback l" last
# The default journal (none here), and one that does not exist.
exactly 'adkcd rollback ' last
exactly "adkcd --journal $tmp/missing.ldif rollback " last
# The binary named on the command line is the one asked.
PATH=$saved_path
exactly "$tmp/real/adkcd rollback --journal $tmp/journal.ldif " \
    "$id1" "$id2" last

# A fake adkcd: prints what `adkcd history` prints, noise on stderr, and
# records how it was called.
mkdir -p "$tmp/fake"
cat >"$tmp/fake/adkcd" <<EOF
#!/usr/bin/env bash
printf '%s\n' "\$*" >>"$tmp/fake/calls"
echo "adkcd: warning: something on stderr" >&2
printf '%-36s  %-20s  %-5s  %-10s  %s\n' RUN TIME TOOL STATUS \\
    'ACCOUNTS: ATTRIBUTES'
printf '%-36s  %-20s  %-5s  %-10s  %s\n' $id1 2026-11-24T14:00:00Z adkcd ok \\
    'computer tmg\$: msDS-AllowedToDelegateTo'
printf '%-36s  %-20s  %-5s  %-10s  %s\n' $id2 2026-11-24T15:00:00Z adspn ok \\
    'computer web\$: servicePrincipalName (rollback of $id1)'
EOF
chmod +x "$tmp/fake/adkcd"
PATH=$tmp/fake:$saved_path
exactly 'adkcd rollback ' "$id1" "$id2" last
checks=$((checks + 1))
[[ $(<"$tmp/fake/calls") == history ]] ||
    fail "the fake adkcd was called as: $(<"$tmp/fake/calls")"
: >"$tmp/fake/calls"
exactly 'adkcd --journal ~/j.ldif rollback 5' "$id2"
checks=$((checks + 1))
[[ $(<"$tmp/fake/calls") == "history --journal $HOME/j.ldif" ]] ||
    fail "the fake adkcd was called as: $(<"$tmp/fake/calls")"
# One that fails: its error is not shown (complete_line checks stderr).
cat >"$tmp/fake/adkcd" <<'EOF'
#!/usr/bin/env bash
echo "adkcd: cannot read the journal" >&2
exit 1
EOF
exactly 'adkcd rollback ' last
# No adkcd at all.
# shellcheck disable=SC2123  # on purpose: a PATH without adkcd
PATH=$tmp/none
exactly 'adkcd rollback ' last
PATH=$saved_path HOME=$saved_home
if [[ -n $saved_state ]]; then
    XDG_STATE_HOME=$saved_state
else
    unset XDG_STATE_HOME
fi

# ---- adspn: concrete candidates -----------------------------------------

offers 'adspn /' /S /s /A /a /D /d /L /l /Q /q /X /x /R /r /F /f /T /t \
    /C /c /U /u /P /p '/?'
offers 'adspn -' -S -s -A -a -D -d -L -l -Q -q -X -x -R -r -F -f -T -t \
    -C -c -U -u -P -p '-?' --uri -H --keytab --journal --dry-run -n --json
exactly 'adspn /S' /S
exactly 'adspn -s' -s
exactly 'adspn /s' /s
exactly 'adspn -C /' /R /r /A /a /S /s /D /d /L /l /Q /q /X /x /F /f /T /t \
    /C /c /U /u /P /p '/?'
lacks 'adspn -' /S /s
lacks 'adspn /' -S -s --uri
exactly 'adspn --' --uri --domain --keytab --principal --password-stdin \
    --starttls --timeout --dry-run --ldif --json --detailed-exitcode \
    --journal --verbose --no-progress --help --version
# Nothing chosen: what to do; then the arguments (SPNs, accounts): none.
exactly 'adspn ' -R -A -S -D -L -Q -X
exactly 'adspn -H ldap://dc1.mydom.local:389 ' -R -A -S -D -L -Q -X
exactly 'adspn -s '
exactly 'adspn /L '
# -T DOMAIN: the value is not a flag.
exactly 'adspn -T -S ' -R -A -S -D -L -Q -X
exactly 'adspn -T '
# A path is not a flag.
exactly "adspn -L $tmp/"
offers "adspn --journal $tmp/files/j" "$tmp/files/journal.ldif"
offers "adspn -S http/x web --keytab=$tmp/files/s" "$tmp/files/svc.keytab"
exactly 'adspn -- -'

# ---- consistency with the binaries --------------------------------------

# Options of a --help: "  -C, --computer", "      --mode MODE" in the
# sections named, as "SHORT LONG PLACEHOLDER" lines ('-' for none); an
# option line it cannot read comes out as "? LINE".
help_options() { # HELP-TEXT SECTION...
    local text=$1 line in=0 s
    shift
    while IFS= read -r line; do
        if [[ $line != ' '* ]]; then
            in=0
            for s in "$@"; do
                [[ $line == "$s" ]] && in=1
            done
            continue
        fi
        ((in)) || continue
        if [[ $line =~ ^\ \ (-(.),\ )?\ *--([a-z][a-z-]*)(\ ([^ ]+))?\ \  ]]; then
            printf '%s %s %s\n' "${BASH_REMATCH[2]:--}" \
                "--${BASH_REMATCH[3]}" "${BASH_REMATCH[5]:--}"
        elif [[ $line =~ ^\ +- ]]; then
            printf '? %s\n' "$line"
        fi
    done <<<"$text"
}

adkcd_help=$("$ADKCD_BIN" --help)
adspn_help=$("$ADSPN_BIN" --help)

# The verbs: the lines "  VERB ..." of the Verbs section.
help_verbs=()
in=0
while IFS= read -r line; do
    if [[ $line != ' '* ]]; then
        [[ $line == Verbs: ]] && in=1 || in=0
        continue
    fi
    ((in)) && [[ $line =~ ^\ \ ([a-z]+)(\ |$) ]] &&
        help_verbs+=("${BASH_REMATCH[1]}")
done <<<"$adkcd_help"

mapfile -t verb_options < <(help_options "$adkcd_help" \
    'Options of the verbs:')
mapfile -t common_options < <(help_options "$adkcd_help" 'Common options:')
mapfile -t adspn_common < <(help_options "$adspn_help" 'Common options:')
adspn_letters=()
in=0
while IFS= read -r line; do
    if [[ $line != ' '* ]]; then
        [[ $line == 'setspn flags'* ]] && in=1 || in=0
        continue
    fi
    ((in)) || continue
    if [[ $line =~ ^\ \ -([A-Za-z?])(\ |$) ]]; then
        adspn_letters+=("${BASH_REMATCH[1]}")
    elif [[ $line =~ ^\ +- ]]; then
        fail "adspn --help: cannot read the flag line '$line'"
    fi
done <<<"$adspn_help"

# The parsing itself must not rot into checking nothing.
checks=$((checks + 1))
for o in "${verb_options[@]}" "${common_options[@]}" "${adspn_common[@]}"; do
    [[ $o == '? '* ]] && fail "--help: cannot read the option line '${o#? }'"
done
[[ " ${help_verbs[*]} " == *' rollback '* && ${#help_verbs[@]} -ge 10 ]] ||
    fail "adkcd --help: verbs not found (got: ${help_verbs[*]})"
[[ "${verb_options[*]}" == *'- --impersonate USER'* &&
    "${verb_options[*]}" == *'C --computer -'* ]] ||
    fail "adkcd --help: options of the verbs not found (${verb_options[*]})"
[[ "${common_options[*]}" == *'- --journal FILE'* &&
    "${common_options[*]}" == *'H --uri URI'* && ${#common_options[@]} -ge 15 ]] ||
    fail "adkcd --help: common options not found (${common_options[*]})"
[[ "${adspn_common[*]}" == "${common_options[*]}" ]] ||
    fail "adspn --help: common options differ from adkcd's"
[[ " ${adspn_letters[*]} " == *' S '* && ${#adspn_letters[@]} -ge 12 ]] ||
    fail "adspn --help: setspn flags not found (${adspn_letters[*]})"

# Every verb adkcd has, and no other.
exactly 'adkcd ' "${help_verbs[@]}"

# With no verb yet: every common option.
want=()
for o in "${common_options[@]}"; do
    read -r s l p <<<"$o"
    [[ $s != - ]] && want+=("-$s")
    want+=("$l")
done
offers 'adkcd -' "${want[@]}"
offers 'adspn -' "${want[@]}"

# Every setspn flag, both cases, '-' and '/'.
dash=() slash=()
for l in "${adspn_letters[@]}"; do
    dash+=("-$l" "-${l,}")
    slash+=("/$l" "/${l,}")
done
offers 'adspn -' "${dash[@]}"
offers 'adspn /' "${slash[@]}"

# An option with a FILE completes file names; any option with a value
# takes the next word (so it is not read as the verb or a flag).
for o in "${common_options[@]}" "${verb_options[@]}"; do
    read -r s l p <<<"$o"
    [[ $p == - ]] && continue
    if [[ $p == FILE ]]; then
        offers "adkcd $l $tmp/files/j" "$tmp/files/journal.ldif"
        offers "adkcd $l=$tmp/files/s" "$tmp/files/svc.keytab"
    fi
    exactly "adkcd $l show " "${help_verbs[@]}"
    if [[ $s != - ]]; then
        exactly "adkcd -$s show " "${help_verbs[@]}"
    fi
done
for o in "${adspn_common[@]}"; do
    read -r s l p <<<"$o"
    [[ $p == - ]] && continue
    [[ $p == FILE ]] && offers "adspn $l $tmp/files/j" "$tmp/files/journal.ldif"
    exactly "adspn $l -S " -R -A -S -D -L -Q -X
done

# Which options each verb accepts, asked of adkcd itself: the verb is run
# with arguments it refuses before it connects (a usage error, exit 3);
# an option it takes leaves that error as it is, one it does not take
# turns it into another usage error (check_takes()).
probe_dir=$tmp/probe
mkdir -p "$probe_dir/home" "$probe_dir/state"
printf 'password\n' >"$probe_dir/stdin"
: >"$probe_dir/krb5.conf"
run_adkcd() {
    HOME=$probe_dir/home XDG_STATE_HOME=$probe_dir/state \
        KRB5CCNAME=FILE:$probe_dir/no-ccache KRB5_CONFIG=$probe_dir/krb5.conf \
        LDAPNOINIT=1 "$ADKCD_BIN" "$@" <"$probe_dir/stdin" >/dev/null \
        2>"$probe_dir/err"
    run_rc=$?
    run_err=''
    IFS= read -r run_err <"$probe_dir/err"
}
value_for() {
    case $1 in
    SECONDS) echo 5 ;;
    MODE) echo none ;;
    USER) echo alice ;;
    FILE) echo "$probe_dir/none" ;;
    *) echo x ;;
    esac
}
# Options that need another to be checked at all (cli_common_finish()).
companions_of() {
    case $1 in
    --keytab | --password-stdin) echo --principal p ;;
    --principal) echo --keytab "$probe_dir/none" ;;
    --detailed-exitcode) echo --dry-run ;;
    esac
}

# check_options VERB...: the options "adkcd VERB... -" completes are those
# "adkcd VERB..." accepts (VERB... is a verb, or rbcd and a sub-command).
check_options() {
    local -a cmd=("$@") base=() args extra accepted=() offered=()
    local cand found=0 base_err o s l p g
    # Arguments the verb refuses before connecting.
    for cand in none empty; do
        base=()
        [[ $cand == empty ]] && base=('')
        run_adkcd "${cmd[@]}" "${base[@]}" --uri ldap://127.0.0.1:9 --timeout 1
        if ((run_rc == 3)) && [[ -n $run_err ]]; then
            found=1
            break
        fi
    done
    if ((!found)); then
        fail "adkcd ${cmd[*]}: no usage error to probe its options with"
        return
    fi
    base_err=$run_err
    for o in "${common_options[@]}" "${verb_options[@]}"; do
        read -r s l p <<<"$o"
        args=("$l")
        [[ $p != - ]] && args+=("$(value_for "$p")")
        read -ra extra <<<"$(companions_of "$l")"
        run_adkcd "${cmd[@]}" "${base[@]}" "${args[@]}" "${extra[@]}"
        if ((run_rc == 0)) || [[ $run_rc == 3 && $run_err == "$base_err" ]]; then
            accepted+=("$l")
            [[ $s != - ]] && accepted+=("-$s")
        fi
    done
    complete_line "adkcd ${cmd[*]} -"
    for g in "${got[@]}"; do
        [[ $g != - ]] && offered+=("$g")
    done
    checks=$((checks + 1))
    if [[ $(sorted "${offered[@]}") != "$(sorted "${accepted[@]}")" ]]; then
        fail "adkcd ${cmd[*]}: the completion offers options that" \
            "adkcd ${cmd[*]} does not take, or misses some:" \
            "$(diff <(sorted "${accepted[@]}") <(sorted "${offered[@]}") |
                sed -n 's/^</ missing/p; s/^>/ extra/p' | tr '\n' ' ')"
    fi
}

for verb in "${help_verbs[@]}"; do
    check_options "$verb"
done
# rbcd's sub-commands: show only reads.
for sub in show add remove set; do
    check_options rbcd "$sub"
done

echo "t_completion [$mode]: $checks checks, $failures failures"
((failures == 0))
