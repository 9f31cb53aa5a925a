#!/bin/bash
# `mailhop oauth login [NAME]` (SPEC §12): oauth_login.c in mailhop-deliver.
# The RFC 8628 device grant where there is a device endpoint (interval,
# slow_down, authorization_pending, access_denied), else the RFC 8252
# loopback redirect with PKCE S256 on 127.0.0.1, listening only during the
# login, the state checked; the test plays the browser with curl.  The
# refresh token goes to oauth_refresh_token_file (0600), and the mail then
# goes out with it.
. "$TESTLIB/tap.sh"
. "$TESTLIB/oauthd.sh"
plan 48

ISSUED=$TESTDIR/issued
RT=$TESTDIR/cfg/mailhop/m365.refresh-token
CA=$TESTDIR/ca/ca.pem
OAUTH_RT=$RT
OAUTH_CLIENT=dev-1
conf() {
    mh_conf_oauth "$1
[upstream.plain]
host = 127.0.0.1
user = bob
password = x"
}
# listening PORT: is something listening on 127.0.0.1:PORT (/proc/net/tcp)?
listening() {
    awk -v p="$(printf '0100007F:%04X' "$1")" '$2 == p && $4 == "0A" { f = 1 } END { exit !f }' /proc/net/tcp
}
polls() { grep 'device_code' "$OAUTHD_LOG" | grep -o '"poll": [0-9]*, "gap": [0-9.a-z]*, "interval": [0-9]*, "too_fast": [a-z]*'; }

# --- device grant: slow_down, then the tokens -------------------------------------------
start_oauthd --client dev-1 --device-slow-down 1 --device-interval 1 --issued "$ISSUED" || bail "no oauthd"
conf "oauth_device_url = $OAUTHD_URL/device
oauth_scope = smtp offline_access"
out=$(mh mailhop oauth login 2>&1)
is "$?" 0 "device login: exit 0"
code=$(grep -o '"user_code": "[^"]*"' "$OAUTHD_LOG" | cut -d'"' -f4)
like "$out" "^    $OAUTHD_URL/devicelogin\$" "it prints the verification URI"
like "$out" "^    $code\$" "and the user code"
like "$out" "^Signed in: the refresh token for upstream default is in $RT\\.\$" "and where the token went"
is "$(cat "$RT")" "$(oauthd_last last_refresh)" "the refresh token is saved"
is "$(stat -c %a "$RT") $(stat -c %a "${RT%/*}")" "600 700" "0600, in a directory made 0700"
like "$(grep '"path": "/device"' "$OAUTHD_LOG")" '"client_id": "dev-1", "scope": "smtp offline_access"' \
    "the device request has the client and the scope"
p2=$(polls | sed -n 2p)
is "$(polls | wc -l) $(polls | sed -n 1p)" '2 "poll": 1, "gap": null, "interval": 1, "too_fast": false' \
    "two polls; the first one, after the interval of 1 s, gets slow_down"
like "$p2" '"interval": 6, "too_fast": false' "the second waited the interval + 5 s (not too fast)"
awk -v g="$(sed 's/.*"gap": \([0-9.]*\).*/\1/' <<<"$p2")" 'BEGIN { exit !(g >= 5.9) }'
ok $? "(its gap: ${p2#*gap\": })"
unlike "$out" "rt-|at-" "no token printed"

# --- authorization_pending, then access_denied ----------------------------------------
stop_oauthd
start_oauthd --client dev-1 --device-pending 2 --device-interval 1 --issued "$ISSUED" || bail "no oauthd"
conf "oauth_device_url = $OAUTHD_URL/device"
mh mailhop oauth login >/dev/null 2>&1
is "$?" 0 "pending twice, then signed in"
is "$(polls | grep -c 'too_fast": false') $(polls | grep -c 'too_fast": true')" "3 0" \
    "three polls, one interval apart"
saved=$(cat "$RT")
stop_oauthd
start_oauthd --client dev-1 --device-deny --device-interval 1 || bail "no oauthd"
conf "oauth_device_url = $OAUTHD_URL/device"
out=$(mh mailhop oauth login 2>&1)
is "$?" 77 "the user declines: exit 77"
like "$out" '^mailhop: \[upstream default\]: the sign-in was declined \(access_denied\): nothing saved$' \
    "one line saying so"
is "$(cat "$RT")" "$saved" "the saved refresh token is untouched"

# --- a poll that gets no answer in time: the next one waits twice as long (§3.5) ----------
stop_oauthd
start_oauthd --client dev-1 --device-interval 1 --mode slow --slow 4 || bail "no oauthd"
conf "oauth_device_url = $OAUTHD_URL/device
timeout = 1s"
mh mailhop oauth login >dev.out 2>&1 &
dpid=$!
wait_for grep -q '"status": "client gone' "$OAUTHD_LOG"
oauthd_admin mode set=ok >/dev/null
wait "$dpid"
is "$?" 0 "a poll timed out, the next one signed in" || diag "$(cat dev.out)"
gap=$(grep 'device_code' "$OAUTHD_LOG" | sed -n 's/.*"arrived": \([0-9.]*\).*/\1/p' |
    awk 'NR == 1 { a = $1 } NR == 2 { printf "%.3f", $1 - a }')
awk -v g="$gap" 'BEGIN { exit !(g >= 2.9) }'
ok $? "after the timeout (1 s) it waited 2 s, the interval doubled, not 1 s (gap $gap s)"

# --- then the mail goes out with what the login saved -------------------------------------
stop_oauthd
start_oauthd --client dev-1 --device-interval 1 --issued "$ISSUED" || bail "no oauthd"
start_smtpd --auth xoauth2 --token-file "$ISSUED" || bail "no smtpd"
conf "oauth_device_url = $OAUTHD_URL/device"
mh mailhop oauth login >/dev/null 2>&1
is "$?" 0 "a new login"
printf 'Subject: after login\n\nx\n' | mh sendmail -f alice@example.org bob@example.net
mh mailhop flush
is "$? $(transcript count) $(transcript auth)" "0 1 alice" "the mail goes out with the refreshed token"
like "$(grep '"grant_type": "refresh_token"' "$OAUTHD_LOG")" "\"refresh_known\": true" \
    "refreshed with the refresh token the login saved"

# --- loopback redirect with PKCE ------------------------------------------------------------
stop_oauthd
start_oauthd --client web-1:s3cret --issued "$ISSUED" || bail "no oauthd"
printf 's3cret\n' > "$TESTDIR/client-secret"
chmod 600 "$TESTDIR/client-secret"
OAUTH_CLIENT=web-1 conf "oauth_authorize_url = $OAUTHD_URL/authorize
oauth_client_secret_file = $TESTDIR/client-secret"
# login_bg: start the login, wait for its URL; sets LPID, URL, LPORT
login_bg() {
    # removed here, not by the redirect below: that one runs in the
    # background job, maybe after wait_for has read the last login's lines
    rm -f login.out
    mh mailhop oauth login >login.out 2>&1 &
    LPID=$!
    wait_for grep -q '^Waiting for the browser' login.out
    URL=$(sed -n 's/^    \(https:.*\)/\1/p' login.out)
    LPORT=$(sed -n 's|^Waiting for the browser on http://127\.0\.0\.1:\([0-9]*\)/ .*|\1|p' login.out)
}
login_bg
like "$URL" "^$OAUTHD_URL/authorize\\?response_type=code&client_id=web-1&redirect_uri=http%3A%2F%2F127\\.0\\.0\\.1%3A$LPORT%2F&state=[A-Za-z0-9_-]{22}&code_challenge=[A-Za-z0-9_-]{43}&code_challenge_method=S256&login_hint=alice\$" \
    "the authorization URL: code flow, loopback redirect, state, S256 challenge"
listening "$LPORT"
ok $? "mailhop listens on 127.0.0.1:$LPORT while it waits"
loc=$(curl -sS --cacert "$CA" -o /dev/null -w '%{redirect_url}' "$URL")
like "$loc" "^http://127\\.0\\.0\\.1:$LPORT/\\?code=[A-Za-z0-9_-]+&state=" "the provider redirects the browser there"
page=$(curl -sS --max-time 10 "$loc")
like "$page" 'signed in' "the browser is told it is done"
wait "$LPID"
is "$?" 0 "loopback login: exit 0"
tok=$(grep '"grant_type": "authorization_code"' "$OAUTHD_LOG")
like "$tok" "\"has_secret\": true.*\"redirect_uri\": \"http://127.0.0.1:$LPORT/\", \"verifier_ok\": true, \"status\": 200" \
    "the code exchanged with the client secret, the same redirect_uri and the PKCE verifier"
is "$(cat "$RT")" "$(oauthd_last last_refresh)" "the refresh token is saved"
listening "$LPORT"
isnt "$?" 0 "nothing listens any more once the login is over"
unlike "$(cat login.out)" 's3cret|rt-|at-|code=' "nothing secret printed (not even the code)"

# --- a redirect that carries another state is refused -------------------------------------------
saved=$(cat "$RT")
n=$(oauthd_count authorization_code)
login_bg
loc=$(curl -sS --cacert "$CA" -o /dev/null -w '%{redirect_url}' "$URL")
page=$(curl -sS --max-time 10 "${loc%%&state=*}&state=forged")
like "$page" 'state does not match' "a forged state: the browser is told so"
wait "$LPID"
is "$?" 77 "the login fails: exit 77"
like "$(cat login.out)" 'mailhop: \[upstream default\]: the redirect to 127\.0\.0\.1 carried a state that is not this login.s' \
    "saying why"
is "$(oauthd_count authorization_code) $(cat "$RT")" "$n $saved" "the code is not exchanged; nothing saved"
listening "$LPORT"
isnt "$?" 0 "and the port is closed"

# --- stray requests, the provider's error ---------------------------------------------------
login_bg
is "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$LPORT/favicon.ico")" 404 \
    "a stray request gets 404 and the login keeps waiting"
kill -0 "$LPID"
ok $? "(still waiting)"
st=$(sed -n 's/.*state=\([A-Za-z0-9_-]*\).*/\1/p' <<<"$URL")
page=$(curl -sS --max-time 10 "http://127.0.0.1:$LPORT/?error=access_denied&state=$st")
wait "$LPID"
is "$?" 77 "the provider's error=access_denied: exit 77"
like "$(cat login.out)" 'the sign-in was refused \(access_denied\): nothing saved' "saying why"

chmod 644 "$TESTDIR/client-secret"
out=$(mh mailhop oauth login 2>&1)
is "$?" 78 "a client secret file others can read: exit 78, before asking anyone to sign in"
like "$out" "oauth_client_secret_file $TESTDIR/client-secret: readable by others \\(chmod o-r $TESTDIR/client-secret\\)" "naming the file and the fix"
unlike "$out" 'open this URL' "(no URL printed)"
chmod 600 "$TESTDIR/client-secret"

# --- the command itself ---------------------------------------------------------------------
out=$(mh mailhop oauth login nosuch 2>&1)
is "$?" 64 "an unknown upstream: exit 64"
like "$out" '^mailhop: oauth login: no upstream "nosuch"' "naming it"
out=$(mh mailhop oauth login plain 2>&1)
is "$?" 78 "an upstream without oauth_provider: exit 78"
like "$out" '^mailhop: oauth login: \[upstream\.plain\] has no oauth_provider' "saying so"
out=$(mh mailhop oauth logout 2>&1)
is "$?" 64 "oauth logout: usage error"
like "$(mh mailhop --help)" 'oauth login \[NAME\]' "mailhop --help lists oauth login"
