#!/bin/bash
# The test OAuth2 endpoints (tests/oauthd/oauthd.py) from a test script.
# Source it after tap.sh:  . "$TESTLIB/oauthd.sh"  (README.md: "oauthd.sh")
#
#   start_oauthd [ARGS...]   HTTPS on a free loopback port with the test
#                            CA's server certificate (make_ca); exports
#                            OAUTHD_PORT, OAUTHD_URL, OAUTHD_LOG, OAUTHD_PID
#   stop_oauthd              stop it (also done at exit)
#   oauthd_admin OP [QUERY]  GET /admin/OP?QUERY; prints the JSON state
#   oauthd_count [GRANT]     requests to /token (of that grant_type:
#                            refresh_token, authorization_code, device_code)
#   oauthd_last KEY          the state's KEY (last_access, last_refresh, mode)

[ -n "${_MH_OAUTHD_SH:-}" ] && return 0
_MH_OAUTHD_SH=1

_oauthd_seq=0
_oauthd_pids=()

start_oauthd() {
    local cert=$TESTDIR/ca/server.pem key=$TESTDIR/ca/server.key a prev=
    make_ca || { diag "start_oauthd: make_ca failed"; return 1; }
    for a in "$@"; do
        [ "$prev" = --cert ] && cert=$a
        [ "$prev" = --key ] && key=$a
        prev=$a
    done
    _oauthd_seq=$((_oauthd_seq + 1))
    local base="$TESTDIR/oauthd.$_oauthd_seq"
    rm -f "$base.port"
    "$PYTHON" "$TESTSRC/oauthd/oauthd.py" --port-file "$base.port" \
        --log "$base.jsonl" --cert "$cert" --key "$key" "$@" \
        </dev/null >"$base.err" 2>&1 &
    local pid=$! i
    for ((i = 0; i < 500; i++)); do
        [ -s "$base.port" ] && break
        if ! kill -0 "$pid" 2>/dev/null; then
            wait "$pid" 2>/dev/null
            diag "start_oauthd: the server exited: $(cat "$base.err")"
            return 1
        fi
        sleep 0.02
    done
    if ! [ -s "$base.port" ]; then
        kill -KILL "$pid" 2>/dev/null
        diag "start_oauthd: no port file after 10 s: $(cat "$base.err")"
        return 1
    fi
    _oauthd_pids+=("$pid")
    OAUTHD_PID=$pid
    OAUTHD_PORT=$(cat "$base.port")
    OAUTHD_URL=https://127.0.0.1:$OAUTHD_PORT
    OAUTHD_LOG=$base.jsonl
    export OAUTHD_PID OAUTHD_PORT OAUTHD_URL OAUTHD_LOG
}

stop_oauthd() {
    local keep=() pid
    for pid in "${_oauthd_pids[@]}"; do
        if [ "${1:-}" = --all ] || [ "$pid" = "${OAUTHD_PID:-}" ]; then
            _smtpd_kill "$pid"
        else
            keep+=("$pid")
        fi
    done
    _oauthd_pids=("${keep[@]}")
    return 0
}
_tap_atexit+=("stop_oauthd --all")

oauthd_admin() {
    curl -sS --max-time 10 --cacert "$TESTDIR/ca/ca.pem" \
        "$OAUTHD_URL/admin/$1${2:+?$2}"
}

oauthd_count() {
    local g=${1:-}
    [ "$g" = device_code ] && g=urn:ietf:params:oauth:grant-type:device_code
    if [ -z "$g" ]; then
        grep -c '"path": "/token"' "$OAUTHD_LOG"
    else
        grep '"path": "/token"' "$OAUTHD_LOG" | grep -c "\"grant_type\": \"$g\""
    fi
}

oauthd_last() {
    oauthd_admin state | "$PYTHON" -c \
        'import json, sys; v = json.load(sys.stdin)[sys.argv[1]]; print("" if v is None else v)' "$1"
}
