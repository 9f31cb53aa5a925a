#!/bin/bash
# OAuth2 failures (SPEC §12, §8): a refresh that cannot be done defers the
# mail with the reason as its last reply (the attempt counts), never
# bounces it and never connects to the SMTP server.  invalid_grant (a
# revoked refresh token) says to run `mailhop oauth login NAME`; so does a
# missing refresh-token file.  Malformed JSON, HTTP 500, an answer without
# access_token, an endpoint slower than `timeout` and a certificate that
# does not verify each defer with their reason; oauth_ca_file is the CA
# for the token endpoint, separate from ca_file.
. "$TESTLIB/tap.sh"
. "$TESTLIB/oauthd.sh"
plan 32

ISSUED=$TESTDIR/issued
RT=$TESTDIR/refresh-token
OAUTH_RT=$RT
conf() { mh_conf_oauth "timeout = 2s
$*"; }
# fresh: a spool with one message and no cached token; fetch: flush it
fresh() { queue_fresh "$1" >/dev/null; }
# (not sendmail -q: as root that is flush --all, which exits 0 with deferrals)
fetch() { mh mailhop flush 2>&1; }
reply() { mh mailhop queue --json | sed -n 's/.*"last_reply":"\([^"]*\)".*/\1/p' | head -n 1; }

start_oauthd --client cid-1 --refresh rt-0 --issued "$ISSUED" || bail "no oauthd"
start_smtpd --auth xoauth2 --token-file "$ISSUED" || bail "no smtpd"
conf

# --- no refresh token yet ---------------------------------------------------------
fresh none
out=$(fetch)
is "$?" 75 "no refresh-token file: deferred"
like "$(reply)" "^\\[upstream default\\]: no refresh token yet \\($RT does not exist\\): run \`mailhop oauth login default\`\$" \
    "the last reply says which upstream and to run mailhop oauth login"
is "$(oauthd_count) $(transcript connections)" "0 0" "neither the endpoint nor the SMTP server was contacted"

# --- a good one, then revoked -------------------------------------------------------
printf 'rt-0\n' > "$RT"
chmod 600 "$RT"
fresh good
fetch >/dev/null
is "$? $(oauthd_count) $(transcript count)" "0 1 1" "with the refresh token: delivered"
oauthd_admin revoke >/dev/null
fresh revoked
out=$(fetch)
is "$?" 75 "a revoked refresh token (invalid_grant): deferred"
like "$(reply)" '^\[upstream default\]: the refresh token was refused \(invalid_grant: AADSTS70000: the refresh token was revoked or has expired\): run `mailhop oauth login default`$' \
    "mailq: invalid_grant, the provider's words, and what to do"
like "$(mh mailq)" 'run `mailhop oauth login default`' "mailq says it too"
like "$(tail -n 1 "$LOG")" 'status=deferred \(\[upstream default\]: the refresh token was refused' \
    "the log: deferred with the reason"
is "$(grep -c 'status=bounced' "$LOG") $(transcript connections)" "0 1" \
    "no bounce, no new SMTP connection"
like "$(mh mailhop queue --json)" '"attempts":1' "the attempt is counted (backoff applies)"
is "$(stat -c %a "$RT") $(cat "$RT")" "600 rt-0" "the refresh-token file is left as it was"

# --- what the endpoint sends back --------------------------------------------------
oauthd_admin grant token=rt-0 >/dev/null
for m in malformed:'the answer is not a JSON object \(HTTP 200, application/json\)' \
         html:'the answer is not a JSON object \(HTTP 200, text/html\)' \
         500:'HTTP 500' \
         no_token:'no access_token in the answer' \
         empty_error:'HTTP 400'; do
    oauthd_admin mode "set=${m%%:*}" >/dev/null
    fresh "${m%%:*}"
    out=$(fetch)
    is "$?" 75 "mode ${m%%:*}: deferred"
    like "$(reply)" "^\\[upstream default\\] token endpoint $OAUTHD_URL/token: ${m#*:}\$" \
        "mode ${m%%:*}: the last reply names the endpoint and what was wrong"
done
oauthd_admin mode 'set=slow&slow=6' >/dev/null
fresh slow
out=$(fetch)
is "$?" 75 "an endpoint slower than timeout (2s): deferred"
like "$(reply)" "token endpoint $OAUTHD_URL/token: timed out after 2s\$" \
    "the last reply says it timed out"
wait_for grep -q '"status": "client gone' "$OAUTHD_LOG"
ok $? "the endpoint saw mailhop hang up before its answer"
oauthd_admin mode set=ok >/dev/null
is "$(transcript connections)" 1 "none of these reached the SMTP server"

# --- certificates ---------------------------------------------------------------------
make_other_ca
start_oauthd --cert "$TESTDIR/otherca/server.pem" --key "$TESTDIR/otherca/server.key" \
    --client cid-1 --refresh rt-0 --issued "$ISSUED" || bail "no oauthd"
OAUTH_URL=$OAUTHD_URL conf
fresh wrongcert
out=$(fetch)
is "$?" 75 "a token endpoint whose certificate does not verify: deferred"
like "$(reply)" "token endpoint $OAUTHD_URL/token: TLS: .*certificate" \
    "the last reply says TLS and certificate"
is "$(oauthd_count)" 0 "no request was made over it"
OAUTH_URL=$OAUTHD_URL conf "oauth_ca_file = $TESTDIR/otherca/ca.pem"
fresh othercert
out=$(fetch)
is "$? $(oauthd_count)" "0 1" "oauth_ca_file trusts it (while ca_file stays the SMTP server's): delivered"

# --- configuration ------------------------------------------------------------------
MH_CONF_BASE=no mh_conf "[upstream]
host = 127.0.0.1
user = alice
auth = xoauth2
oauth_provider = custom
oauth_token_url = http://idp.example/token
oauth_client_id = cid-1
oauth_refresh_token_file = $RT"
out=$(mh mailhop config 2>&1)
is "$?" 78 "an http:// token URL: mailhop config exits 78"
like "$out" 'oauth_token_url.*expected an https:// URL' "naming the key and what it wants"
MH_CONF_BASE=no mh_conf "[upstream]
host = 127.0.0.1
user = alice
auth = xoauth2
oauth_provider = custom
oauth_token_url = $OAUTHD_URL/token
oauth_refresh_token_file = $RT
[queue]
deliver = queue"
fresh noclient
out=$(fetch)
like "$(reply)" 'oauth_provider = custom needs oauth_client_id' "no client id: deferred, saying what is missing"
