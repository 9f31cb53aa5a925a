#!/bin/bash
# OAuth2 that refreshes itself (SPEC §12): relay.c, oauth.c, http.c against
# the HTTPS token endpoint of tests/oauthd and smtpd.py, which accepts
# exactly the access tokens that endpoint issued (--token-file).  The
# refresh_token grant, the access-token cache in the spool until a minute
# before it expires, rotation of the refresh token (rewritten atomically,
# 0600), a refused cached token dropped and refreshed once, XOAUTH2 and
# OAUTHBEARER (RFC 7628).  No token shows in -v output, mailq or the log.
. "$TESTLIB/tap.sh"
. "$TESTLIB/oauthd.sh"
plan 53

ISSUED=$TESTDIR/issued
mkdir -m 700 "$TESTDIR/cfg"
RT=$TESTDIR/cfg/refresh-token
printf 'rt-0\n' > "$RT"
chmod 600 "$RT"
export XDG_STATE_HOME=$TESTDIR/st
CACHE=$XDG_STATE_HOME/mailhop/state/oauth-default.token
OAUTH_RT=$RT
conf() { mh_conf_oauth "oauth_scope = smtp offline_access
timeout = 5s"; }
n=0
queue() {
    n=$((n + 1))
    printf 'Subject: m%s\n\nx\n' "$n" | mh sendmail -f alice@example.org bob@example.net
}
# expire_in SECONDS: make the cached token expire then (a clock of our own)
expire_in() { sed -i "s/^expires .*/expires $(($(date +%s) + $1))/" "$CACHE"; }
auth_events() { grep -c '"type": "auth"' "$SMTPD_LOG"; }
VOUT=

start_oauthd --client cid-1 --refresh rt-0 --issued "$ISSUED" || bail "no oauthd"
start_smtpd --auth xoauth2,oauthbearer --token-file "$ISSUED" || bail "no smtpd"
conf

# --- the first flush fetches a token; later ones take it from the cache -----------
queue
out=$(mh mailhop -v flush 2>&1)
is "$?" 0 "XOAUTH2 with a refreshed token: delivered"
VOUT+=$out
is "$(oauthd_count refresh_token)" 1 "one request to the token endpoint"
req=$(grep '"path": "/token"' "$OAUTHD_LOG" | tail -n 1)
like "$req" '"content_type": "application/x-www-form-urlencoded", "grant_type": "refresh_token", "client_id": "cid-1", "scope": "smtp offline_access"' \
    "a form-encoded refresh_token grant with client_id and scope"
like "$req" '"refresh_known": true' "with the refresh token from oauth_refresh_token_file"
is "$(transcript auth_mechanism) $(transcript auth) $(transcript count)" "XOAUTH2 alice 1" \
    "the server took the issued token as alice's, over XOAUTH2"
like "$out" '^--> AUTH XOAUTH2( \*\*\*)?$' "-v: AUTH XOAUTH2, masked"
is "$(stat -c %a "$CACHE") $(stat -c %a "${CACHE%/*}")" "600 700" \
    "the cache is 0600 in a 0700 state directory of the spool"
like "$(cat "$CACHE")" "^token $(oauthd_last last_access)\$" "the cache holds the issued token"
left=$(($(sed -n 's/^expires //p' "$CACHE") - $(date +%s)))
[ "$left" -le 3600 ] && [ "$left" -ge 3570 ]
ok $? "until expires_in (3600 s) from when it came ($left s left)"
queue; queue
mh mailhop flush 2>/dev/null
queue
mh mailhop flush 2>/dev/null
is "$(oauthd_count) $(transcript count) $(spool_count)" "1 4 0" \
    "three more messages over two flushes: no new token request"

# --- a minute before it expires, the cached token is not used --------------------
# (5 s either side of the minute: the clock may tick during a flush)
expire_in 65
queue
mh mailhop flush 2>/dev/null
is "$(oauthd_count)" 1 "65 s left: still from the cache"
old=$(oauthd_last last_access)
expire_in 55
queue
mh mailhop flush 2>/dev/null
is "$(oauthd_count) $(transcript count)" "2 6" "55 s left: a new token, delivered"
isnt "$(oauthd_last last_access)" "$old" "(a different token)"
like "$(cat "$CACHE")" "^token $(oauthd_last last_access)\$" "the cache has the new token"

# --- rotation: the provider sends a new refresh token each time --------------------
oauthd_admin rotate set=yes >/dev/null
ino=$(stat -c %i "${CACHE%.token}.lock")
expire_in 0
queue
mh mailhop flush 2>/dev/null
is "$?" 0 "a refresh that rotates the refresh token: delivered"
new=$(oauthd_last last_refresh)
like "$new" '^rt-' "the endpoint issued a new refresh token"
is "$(cat "$RT")" "$new" "oauth_refresh_token_file holds it now"
is "$(stat -c %a "$RT")" 600 "still mode 0600"
is "$(ls -A "$TESTDIR/cfg")" "refresh-token" "no temporary file left beside it"
is "$(grep -c '"rotated": true' "$OAUTHD_LOG")" 1 "(one rotation so far)"
expire_in 0
queue
mh mailhop flush 2>/dev/null
is "$? $(oauthd_count) $(transcript count)" "0 4 8" "the saved refresh token works for the next refresh"
like "$(grep '"path": "/token"' "$OAUTHD_LOG" | tail -n 1)" '"refresh_known": true, "issued": ' \
    "(the endpoint knew it: rt-0 is revoked by the rotation)"
is "$(stat -c %i "${CACHE%.token}.lock")" "$ino" "the lock file is never replaced"
oauthd_admin rotate set=no >/dev/null

# --- the server refuses the cached token: drop it, refresh once, try again --------
sed -i 's/^token .*/token at-revoked-early/' "$CACHE"
a=$(auth_events)
queue
out=$(mh mailhop -v flush 2>&1)
is "$?" 0 "a cached token the server refuses: delivered after one refresh"
VOUT+=$out
is "$(oauthd_count)" 5 "exactly one more token request"
is "$(($(auth_events) - a)) $(grep '"type": "auth"' "$SMTPD_LOG" | tail -n 2 | grep -o '"ok": [a-z]*' | tr '\n' ' ')" \
    '2 "ok": false "ok": true ' "two AUTH: the refused token, then the new one"
is "$(printf '%s\n' "$out" | grep -c '^--> AUTH XOAUTH2')" 2 "-v shows both"
unlike "$(cat "$CACHE")" 'at-revoked-early' "the refused token is gone from the cache"
is "$(transcript count) $(spool_count)" "9 0" "sent once"

# --- the new token is refused too: deferred, not bounced ------------------------------
old_port=$SMTPD_PORT
stop_smtpd
start_smtpd --port "$old_port" --auth xoauth2,oauthbearer --token alice:none-of-them || bail "no smtpd"
queue
out=$(mh mailhop -v flush 2>&1)
is "$?" 75 "refused again after the refresh: deferred (exit 75)"
VOUT+=$out
is "$(oauthd_count) $(auth_events)" "6 2" "one refresh, two AUTH, no third try"
like "$(mh mailq)" 'AUTH XOAUTH2 refused: 334 ' "mailq shows the server's refusal"
unlike "$(smtp_cmds)" 'MAIL FROM' "nothing sent"
unlike "$(cat "$LOG")" 'status=bounced' "nothing bounced"
stop_smtpd
start_smtpd --port "$old_port" --auth xoauth2,oauthbearer --token-file "$ISSUED" || bail "no smtpd"
mh sendmail -q 2>/dev/null
is "$? $(spool_count)" "0 0" "delivered once the server takes the token again (sendmail -q)"

# --- OAUTHBEARER (RFC 7628) ------------------------------------------------------
OAUTH_AUTH=oauthbearer
conf
queue
out=$(mh mailhop -v flush 2>&1)
is "$?" 0 "auth = oauthbearer: delivered"
VOUT+=$out
is "$(transcript auth_mechanism) $(transcript auth)" "OAUTHBEARER alice" "over OAUTHBEARER as alice"
like "$(grep '"type": "oauthbearer"' "$SMTPD_LOG" | tail -n 1)" \
    "\"user\": \"alice\", \"problem\": null, \"host\": \"127.0.0.1\", \"port\": \"$SMTPD_PORT\"" \
    "a well-formed GS2 header, host and port, auth=Bearer"
like "$out" '^--> AUTH OAUTHBEARER( \*\*\*)?$' "-v: AUTH OAUTHBEARER, masked"
like "$(printf '%s\n' "$out" | grep -A3 '^--> AUTH OAUTHBEARER' | grep -- '^-->' | sed -n 2p)" \
    '^--> \*\*\*$' "-v: the response line is ***"
sed -i 's/^token .*/token at-revoked-early/' "$CACHE"
queue
out=$(mh mailhop -v flush 2>&1)
is "$?" 0 "OAUTHBEARER with a refused cached token: delivered after a refresh"
VOUT+=$out
like "$(grep oauthbearer_ack "$SMTPD_LOG" | tail -n 1)" '"ack": true' \
    "the refusal dance: the 334 error answered with %x01 (AQ==)"
like "$(printf '%s\n' "$out" | grep -A4 '^--> AUTH OAUTHBEARER' | grep -- '^-->' | sed -n 3p)" \
    '^--> \*\*\*$' "-v: the %x01 answer is *** as well"

# --- a delivery that lives long (flush --watch) refreshes before the token expires -----
"$MAILHOP_BIN" flush --watch 2> "$TESTDIR/watch.err" &
watch=$!
t0=$(oauthd_count)
a=$(auth_events)
c=$(transcript count)
queue
wait_transactions $((c + 1))
ok $? "flush --watch delivers with the cached token"
expire_in 30
queue
wait_transactions $((c + 2))
ok $? "then, the cached token 30 s from expiring, the next message goes too"
is "$(oauthd_count) $(grep '"type": "auth"' "$SMTPD_LOG" | tail -n +$((a + 1)) | grep -c '"ok": false')" \
    "$((t0 + 1)) 0" "with one new token, fetched before it was needed: no AUTH refused"
kill -TERM "$watch"
wait "$watch"

# --- mailhop test fetches a token of its own (no cache) and says so ------------------
t0=$(oauthd_count)
out=$(mh mailhop test 2>&1)
is "$?" 0 "mailhop test with oauth_provider: exit 0"
like "$out" '^oauth: access token fetched with the refresh token \(oauth_provider = custom\)$' \
    "it reports where the token came from"
like "$out" '^auth: OAUTHBEARER as alice: ok' "and the AUTH"
is "$(oauthd_count)" "$((t0 + 1))" "one token request for it"
VOUT+=$out

# --- no secret anywhere -------------------------------------------------------------
SECRETS="rt-[0-9]|at-[0-9]|at-revoked"
unlike "$VOUT" "$SECRETS|Bearer|^--> [A-Za-z0-9+/=]{16,}\$" "-v output: no refresh or access token, in clear or base64"
unlike "$(cat "$LOG")" "$SECRETS" "the log: no token"
unlike "$(mh mailq; mh mailhop queue --json)" "$SECRETS" "mailq, queue --json: no token"
