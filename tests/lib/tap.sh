#!/bin/bash
# TAP helpers for mailhop's integration tests (see README.md).
# Source it first thing:  . "$TESTLIB/tap.sh"
# No `set -e` here: tests look at exit statuses themselves.

[ -n "${_MH_TAP_SH:-}" ] && return 0
_MH_TAP_SH=1

: "${TESTLIB:=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}"
: "${TESTSRC:=$(cd "$TESTLIB/.." && pwd)}"
: "${PYTHON:=/usr/bin/python3}"
export TESTLIB TESTSRC PYTHON

_tap_n=0          # results printed so far
_tap_failed=0     # of which failed
_tap_plan=        # the number given to plan, if any
_tap_name=$(basename "${0%.sh}")

TESTDIR=$(mktemp -d "${TMPDIR:-/tmp}/mailhop-${_tap_name}.XXXXXX") || {
    echo "Bail out! cannot create a test directory"; exit 1; }
export TESTDIR
mkdir -p "$TESTDIR/home" "$TESTDIR/config" "$TESTDIR/state"
export HOME="$TESTDIR/home"
export XDG_CONFIG_HOME="$TESTDIR/config"
export XDG_STATE_HOME="$TESTDIR/state"
unset MAILHOP_CONFIG
# mailhop refuses a MAILHOP_ variable that names no key (SPEC 10): make
# exports the built programs as MH_BIN and MH_DELIVER (python helpers use
# those), and the scripts' MAILHOP_BIN and MAILHOP_DELIVER are shell
# variables only.
: "${MAILHOP_BIN:=${MH_BIN:-}}" "${MAILHOP_DELIVER:=${MH_DELIVER:-}}"
[ -n "$MAILHOP_BIN" ] && export MH_BIN="$MAILHOP_BIN"
[ -n "$MAILHOP_DELIVER" ] && export MH_DELIVER="$MAILHOP_DELIVER"
export -n MAILHOP_BIN MAILHOP_DELIVER
cd "$TESTDIR" || exit 1

diag() {
    local line
    while IFS= read -r line; do
        printf '# %s\n' "$line" >&2
    done <<<"$*"
}

plan() {
    _tap_plan=$1
    echo "1..$1"
}

# _tap_result OK(0/1) DESC [DIRECTIVE]
_tap_result() {
    local desc=${2//$'\n'/ }
    _tap_n=$((_tap_n + 1))
    desc=${desc//#/\\#}
    if [ "$1" = 0 ]; then
        echo "ok $_tap_n - $desc${3:+ # $3}"
    else
        _tap_failed=$((_tap_failed + 1))
        echo "not ok $_tap_n - $desc${3:+ # $3}"
        # the test script's line that called the assertion
        local i=1
        while [ "${FUNCNAME[$i]:-}" != "" ] && [ "${BASH_SOURCE[$i]}" = "${BASH_SOURCE[0]}" ]; do
            i=$((i + 1))
        done
        diag "  Failed test '$2'"
        diag "  at ${BASH_SOURCE[$i]:-?} line ${BASH_LINENO[$((i - 1))]:-?}."
    fi
    return "$1"
}

ok() {
    local st=$1; shift
    [ "$st" = 0 ] && st=0 || st=1
    _tap_result "$st" "$*"
}

ok_cmd() {
    local desc=$1; shift
    local out="$TESTDIR/.ok_cmd.out" st
    "$@" >"$out" 2>&1
    st=$?
    if [ "$st" = 0 ]; then
        _tap_result 0 "$desc"
    else
        _tap_result 1 "$desc"
        diag "  command: $*"
        diag "  exit status: $st"
        [ -s "$out" ] && diag "$(head -c 4000 "$out")"
        return 1
    fi
}

is() {
    if [ "$1" == "$2" ]; then
        _tap_result 0 "$3"
    else
        _tap_result 1 "$3"
        diag "         got: '$1'"
        diag "    expected: '$2'"
        return 1
    fi
}

isnt() {
    if [ "$1" != "$2" ]; then
        _tap_result 0 "$3"
    else
        _tap_result 1 "$3"
        diag "         got: '$1'"
        diag "    expected: anything else"
        return 1
    fi
}

like() {
    if printf '%s\n' "$1" | grep -Eq -- "$2"; then
        _tap_result 0 "$3"
    else
        _tap_result 1 "$3"
        diag "    '$1'"
        diag "      doesn't match '$2'"
        return 1
    fi
}

unlike() {
    if ! printf '%s\n' "$1" | grep -Eq -- "$2"; then
        _tap_result 0 "$3"
    else
        _tap_result 1 "$3"
        diag "    '$1'"
        diag "      matches '$2'"
        return 1
    fi
}

skip() {
    _tap_n=$((_tap_n + 1))
    echo "ok $_tap_n # SKIP $*"
}

bail() {
    echo "Bail out! $*"
    _tap_bailed=1
    exit 255
}

# mh NAME ARGS...: the built mailhop under argv[0]=NAME
mh() {
    local name=$1; shift
    (exec -a "$name" "${MAILHOP_BIN:?MAILHOP_BIN is not set}" "$@")
}

# spool_count [DIR]: committed entries (ID.e) in the spool; an envelope
# being rewritten (.tmp.ID.e, by a background helper) is not one
spool_count() {
    local dir=${1:-$XDG_STATE_HOME/mailhop}
    if [ -d "$dir" ]; then
        find "$dir" -name '*.e' ! -name '.*' -type f | wc -l
    else
        echo 0
    fi
}

# spool_litter [DIR]: what a spool holds besides its bookkeeping: every
# name at its top but flush.lock and state/, then every schedule marker
# (state/due/BUCKET/TIME.ID).  Empty when the queue is empty and clean.
spool_litter() {
    local dir=${1:-$XDG_STATE_HOME/mailhop}
    [ -d "$dir" ] || return 0
    (cd "$dir" && ls -A | grep -vx -e flush.lock -e state
     [ -d state/due ] && find state/due -mindepth 2 -type f)
    return 0
}

# wait_for CMD...: poll CMD every 0.05 s for up to 10 s
wait_for() {
    local i st=1
    for ((i = 0; i < 200; i++)); do
        "$@" && return 0
        st=$?
        sleep 0.05
    done
    return "$st"
}

# unpriv_user DIR: an unprivileged caller living in DIR (DIR/state,
# DIR/config made): uid 65534 through setpriv when the test runs as root
# ($TESTDIR made 0711 so that it can reach DIR), else the test's own uid.
# Sets UNPRIV_UID and the array AS_UNPRIV to put before a command; it
# execs, so $! of "${AS_UNPRIV[@]}" cmd & is cmd's pid.  chown -R
# "$UNPRIV_UID" DIR once the files in it are written.
unpriv_user() {
    mkdir -p "$1/state" "$1/config"
    AS_UNPRIV=(env HOME="$1" XDG_STATE_HOME="$1/state" XDG_CONFIG_HOME="$1/config")
    UNPRIV_UID=$(id -u)
    if [ "$UNPRIV_UID" = 0 ]; then
        UNPRIV_UID=65534
        chmod 711 "$TESTDIR"
        AS_UNPRIV+=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
    fi
}

# mh_conf [EXTRA INI TEXT]: $TESTDIR/mailhop.conf for the running test server
# (MH_CONF_BASE=no: write only the extra text).
mh_conf() {
    local f="$TESTDIR/mailhop.conf" tls
    case ${SMTPD_TLS:-starttls} in
        implicit) tls=tls ;;
        none) tls=none ;;
        *) tls=starttls ;;
    esac
    (
        umask 077
        {
            if [ "${MH_CONF_BASE:-yes}" != no ]; then
                echo "[upstream]"
                echo "host = 127.0.0.1"
                echo "port = ${SMTPD_PORT:-9}"
                echo "tls = $tls"
                [ -f "$TESTDIR/ca/ca.pem" ] && echo "ca_file = $TESTDIR/ca/ca.pem"
                if [ "${SMTPD_AUTH:-yes}" = yes ]; then
                    echo "user = alice"
                    echo "password = secret-pw-1"
                fi
                echo "[queue]"
                echo "deliver = queue"
            fi
            [ $# -gt 0 ] && printf '%s\n' "$*"
        } > "$f"
    )
    chmod 600 "$f"
    export MAILHOP_CONFIG="$f"
}

# mh_upstream NAME PORT TLS [USER PASSWORD]: on stdout, the section of an
# upstream on a test server at 127.0.0.1:PORT -- [upstream] for NAME
# default, else [upstream.NAME] -- with tls = TLS (starttls, tls, none),
# ca_file when TLS is not none and the test CA exists, and AUTH
# credentials when given.  For MH_CONF_BASE=no mh_conf "$(mh_upstream ...)".
mh_upstream() {
    local name=$1 port=$2 tls=$3
    if [ "$name" = default ]; then echo "[upstream]"; else echo "[upstream.$name]"; fi
    printf 'host = 127.0.0.1\nport = %s\ntls = %s\n' "$port" "$tls"
    [ "$tls" != none ] && [ -f "$TESTDIR/ca/ca.pem" ] && echo "ca_file = $TESTDIR/ca/ca.pem"
    [ $# -ge 5 ] && printf 'user = %s\npassword = %s\n' "$4" "$5"
    return 0
}

# mh_conf_log [EXTRA INI TEXT]: mh_conf, plus a [log] file $TESTDIR/mail.log
# (no syslog); LOG names the file
LOG=$TESTDIR/mail.log
mh_conf_log() {
    mh_conf "$*
[log]
syslog = no
file = $LOG"
}

# queue_fresh SUBJECT: a fresh spool ($TESTDIR/stateN, exported as
# XDG_STATE_HOME) holding one message from alice@example.org to
# bob@example.net; ID is its queue id
_fresh=0
queue_fresh() {
    _fresh=$((_fresh + 1))
    export XDG_STATE_HOME=$TESTDIR/state$_fresh
    printf 'Subject: %s\n\nx\n' "$1" | mh sendmail -f alice@example.org bob@example.net
    ID=$(cd "$XDG_STATE_HOME/mailhop" && ls *.e); ID=${ID%.e}
}

# _tap_atexit: commands run at exit before the servers stop (helpers such
# as oauthd.sh append to it)
# plan_root N WHY: a root-only test: not root, `plan 1` and one skip saying
# WHY, then exit 0; else `plan N`.
plan_root() {
    if [ "$(id -u)" != 0 ]; then
        plan 1
        skip "needs root (CI runs as root): $2"
        exit 0
    fi
    plan "$1"
}
# The pids of this test's mailhop-deliver processes (background, lingering
# or watching helpers): the built helper, running in $TESTDIR or below.
mh_helpers() {
    local p exe want
    want=$(readlink -f "$MAILHOP_DELIVER")
    for p in /proc/[0-9]*; do
        exe=$(readlink "$p/exe" 2>/dev/null) || continue
        [ "$exe" = "$want" ] || continue
        case $(readlink "$p/cwd" 2>/dev/null) in
            "$TESTDIR"|"$TESTDIR"/*) echo "${p#/proc/}" ;;
        esac
    done
}
_tap_atexit=()
_tap_exit() {
    local st=$? f
    for f in "${_tap_atexit[@]}"; do
        $f 2>/dev/null
    done
    # A lingering -odb helper outlives its sendmail: not its test.
    for f in $(mh_helpers); do kill "$f" 2>/dev/null; done
    stop_smtpd --all 2>/dev/null
    if [ -n "${_tap_bailed:-}" ]; then
        :
    elif [ -z "$_tap_plan" ]; then
        echo "1..$_tap_n"
    elif [ "$_tap_plan" != "$_tap_n" ]; then
        diag "Looks like you planned $_tap_plan tests but ran $_tap_n."
        [ "$st" = 0 ] && st=1
    fi
    [ "$_tap_failed" -gt 0 ] && diag "Looks like you failed $_tap_failed test(s) of $_tap_n."
    if [ "$_tap_failed" -gt 0 ] || [ "$st" != 0 ]; then
        [ "$st" = 0 ] && st=1
        if [ "${KEEP:-}" = 1 ]; then
            diag "KEEP=1: test directory kept: $TESTDIR"
        else
            rm -rf "$TESTDIR"
        fi
    else
        rm -rf "$TESTDIR"
    fi
    exit "$st"
}
trap _tap_exit EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

. "$TESTLIB/smtpd.sh"
