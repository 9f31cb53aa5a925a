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
#   mh_conf_oauth [EXTRA]    mh_conf with an [upstream] that refreshes its
#                            tokens at this endpoint (see README.md)

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
    local pid=$!
    _mh_wait_port start_oauthd "$base" "$pid" || return 1
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

# mh_conf_oauth [EXTRA]: the configuration (MH_CONF_BASE=no mh_conf) of an
# [upstream] at the running smtpd (port 9 without one) with
# oauth_provider = custom at the running oauthd, user alice; EXTRA comes
# right after its keys (more keys, then sections), then [queue] deliver =
# queue and [log] to $LOG.  OAUTH_AUTH (xoauth2), OAUTH_URL ($OAUTHD_URL),
# OAUTH_CLIENT (cid-1), OAUTH_RT ($TESTDIR/rt) change the usual values.
mh_conf_oauth() {
    MH_CONF_BASE=no mh_conf "[upstream]
host = 127.0.0.1
port = ${SMTPD_PORT:-9}
ca_file = $TESTDIR/ca/ca.pem
user = alice
auth = ${OAUTH_AUTH:-xoauth2}
oauth_provider = custom
oauth_token_url = ${OAUTH_URL:-$OAUTHD_URL}/token
oauth_client_id = ${OAUTH_CLIENT:-cid-1}
oauth_refresh_token_file = ${OAUTH_RT:-$TESTDIR/rt}
${1:-}
[queue]
deliver = queue
[log]
syslog = no
file = $LOG"
}
