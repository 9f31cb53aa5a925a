#!/bin/bash
# The test SMTP server (tests/smtpd/smtpd.py) from bash; see README.md.
# Sourced by tap.sh.

[ -n "${_MH_SMTPD_SH:-}" ] && return 0
_MH_SMTPD_SH=1

: "${TESTLIB:=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}"
: "${TESTSRC:=$(cd "$TESTLIB/.." && pwd)}"
: "${PYTHON:=/usr/bin/python3}"

. "$TESTLIB/ca.sh"

_smtpd_seq=0
_smtpd_pids=()

# start_smtpd [ARGS...]: start a server, export SMTPD_PORT, SMTPD_LOG,
# SMTPD_PID, SMTPD_TLS (none|starttls|implicit) and SMTPD_AUTH (yes|no).
start_smtpd() {
    local tls=starttls auth=yes prev= a
    for a in "$@"; do
        [ "$prev" = --tls ] && tls=$a
        case $a in
            --tls=*) tls=${a#--tls=} ;;
            --no-auth) auth=no ;;
        esac
        prev=$a
    done
    _smtpd_seq=$((_smtpd_seq + 1))
    local base="$TESTDIR/smtpd.$_smtpd_seq"
    local certs=()
    if [ "$tls" != none ]; then
        make_ca || { diag "start_smtpd: make_ca failed"; return 1; }
        certs=(--cert "$TESTDIR/ca/server.pem" --key "$TESTDIR/ca/server.key")
    fi
    rm -f "$base.port"
    "$PYTHON" "$TESTSRC/smtpd/smtpd.py" \
        --port-file "$base.port" --log "$base.jsonl" \
        --tls starttls --auth plain,login --user alice:secret-pw-1 \
        "${certs[@]}" "$@" </dev/null >"$base.err" 2>&1 &
    local pid=$!
    _mh_wait_port start_smtpd "$base" "$pid" || return 1
    _smtpd_pids+=("$pid")
    SMTPD_PORT=$(cat "$base.port")
    SMTPD_LOG="$base.jsonl"
    SMTPD_PID=$pid
    SMTPD_TLS=$tls
    SMTPD_AUTH=$auth
    export SMTPD_PORT SMTPD_LOG SMTPD_PID SMTPD_TLS SMTPD_AUTH
}

# _mh_wait_port WHO BASE PID: wait (10 s at most) for the server PID to
# write BASE.port; on failure kill it and diag BASE.err (also oauthd.sh)
_mh_wait_port() {
    local who=$1 base=$2 pid=$3 i
    for ((i = 0; i < 500; i++)); do
        [ -s "$base.port" ] && return 0
        if ! kill -0 "$pid" 2>/dev/null; then
            wait "$pid" 2>/dev/null
            diag "$who: the server exited: $(cat "$base.err")"
            return 1
        fi
        sleep 0.02
    done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    diag "$who: no port file after 10 s: $(cat "$base.err")"
    return 1
}

# _smtpd_kill PID...: SIGTERM, then SIGKILL to those still there after 5 s
_smtpd_kill() {
    local pid i alive
    kill -TERM "$@" 2>/dev/null
    for ((i = 0; i < 500; i++)); do
        alive=
        for pid; do
            kill -0 "$pid" 2>/dev/null && alive=1
        done
        [ -z "$alive" ] && break
        sleep 0.01
    done
    kill -KILL "$@" 2>/dev/null
    for pid; do
        wait "$pid" 2>/dev/null
    done
    return 0
}

# stop_smtpd [--all]: stop the last server started (or every one).
# SMTPD_LOG stays set, so transcript still reads its log.
stop_smtpd() {
    local keep=() stop=() pid
    for pid in "${_smtpd_pids[@]}"; do
        if [ "${1:-}" = --all ] || [ "$pid" = "${SMTPD_PID:-}" ]; then
            stop+=("$pid")
        else
            keep+=("$pid")
        fi
    done
    [ "${#stop[@]}" -gt 0 ] && _smtpd_kill "${stop[@]}"
    _smtpd_pids=("${keep[@]}")
    return 0
}

# smtp_cmds: every command the server received, joined by "|"
smtp_cmds() { transcript commands | tr '\n' '|'; }

# transcript WHAT [N]: query the server's JSON-lines log ($SMTPD_LOG)
transcript() {
    local log=${SMTPD_LOG:?transcript: no SMTPD_LOG}
    # the plain counts without starting python (smtpd.py writes "type" first;
    # a transaction ends with "state": ..., "conn": ..., "time": ...)
    if [ $# = 1 ] && [ -f "$log" ]; then
        case $1 in
            count) grep -cE '^\{"type": "transaction".*"state": "(accepted|refused)", "conn": ' "$log"; return 0 ;;
            transactions) grep -c '^{"type": "transaction"' "$log"; return 0 ;;
            connections) grep -c '^{"type": "connect"' "$log"; return 0 ;;
        esac
    fi
    "$PYTHON" -S "$TESTSRC/smtpd/query.py" "$log" "$@"
}

# wait_transactions N: wait (10 s at most) until `transcript count` >= N
wait_transactions() {
    local n=$1
    _smtpd_count_ge() { [ "$(transcript count)" -ge "$n" ]; }
    wait_for _smtpd_count_ge
}
