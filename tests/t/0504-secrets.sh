#!/bin/bash
# relay.c: the password never shows.  -v prints the dialogue with AUTH
# arguments and the exchange lines after AUTH as "***" (PLAIN, LOGIN,
# CRAM-MD5); the password, in clear or base64, is in neither -v output,
# the log, nor /proc/PID/cmdline or environ of mailhop-deliver while it
# is talking to the server.
. "$TESTLIB/tap.sh"
plan 27

SECRET='secret-pw-1|c2VjcmV0LXB3LTE|AGFsaWNlAHNlY3JldC1wdy0x|c2VjcmV0LXB3LT'
queue() { printf 'Subject: %s\n\nx\n' "$1" | mh sendmail -f alice@example.org bob@example.net; }

start_smtpd
mh_conf_log
queue plain
out=$(mh mailhop -v flush 2>&1)
is "$?" 0 "-v flush: delivered"
like "$out" '^--> AUTH PLAIN( \*\*\*)?$' "-v: AUTH PLAIN, argument masked"
like "$out" '^--> \*\*\*$' "-v: the credential line is ***"
like "$out" '^<-- 235 ' "-v: the 235 is shown"
like "$out" '^--> MAIL FROM:<alice@example.org>' "-v: the rest of the dialogue is there"
like "$out" '^<-- 250 2\.0\.0 ' "-v: including the reply to the final dot"
unlike "$out" "$SECRET" "-v: the password appears nowhere"
unlike "$out" 'YWxpY2' "-v: nor the base64 user name of the AUTH exchange"
stop_smtpd

start_smtpd --auth login
mh_conf_log "[upstream]
auth = login"
queue login
out=$(mh mailhop -v flush 2>&1)
is "$(printf '%s\n' "$out" | grep -A4 '^--> AUTH LOGIN$' | grep -c '^--> \*\*\*$')" 2 \
    "-v: AUTH LOGIN user and password lines are ***"
unlike "$out" "$SECRET|YWxpY2U" "-v: no credential in the LOGIN exchange"
stop_smtpd

start_smtpd --auth cram-md5
mh_conf_log
queue cram
out=$(mh mailhop -v flush 2>&1)
like "$out" '^--> AUTH CRAM-MD5$' "-v: AUTH CRAM-MD5"
like "$(printf '%s\n' "$out" | grep -A2 '^--> AUTH CRAM-MD5$' | tail -n 1)" '^--> \*\*\*$' \
    "-v: the CRAM-MD5 response is ***"
is "$(transcript count)" 1 "and it was delivered"
stop_smtpd

like "$(cat "$LOG")" 'status=sent' "the log has the deliveries"
unlike "$(cat "$LOG")" "$SECRET" "the log has no password"

# A flush that waits on the server: look at the helper meanwhile.
start_smtpd --delay mail 3 --once
mh_conf_log
queue proc
mh mailhop flush 2>/dev/null &
front=$!
wait_for grep -q '"MAIL FROM' "$SMTPD_LOG"
ok $? "the flush is waiting for the reply to MAIL"
pids=$(ps -o pid= --ppid "$front" 2>/dev/null; echo "$front")
seen=
for p in $pids; do
    [ -r "/proc/$p/cmdline" ] || continue
    exe=$(readlink "/proc/$p/exe" 2>/dev/null)
    case $exe in *mailhop-deliver) seen=$p ;; esac
    tr '\0' '\n' < "/proc/$p/cmdline" >> cmdlines
    tr '\0' '\n' < "/proc/$p/environ" >> environs
done
isnt "$seen" "" "mailhop-deliver found among the flush's processes"
unlike "$(cat cmdlines)" "$SECRET" "its command line has no password"
unlike "$(cat environs)" "$SECRET" "its environment has no password"
wait "$front"
is "$?" 0 "and the flush then delivered"

# OAuth2 (SPEC §12): the refresh token, the client secret and the access
# token fetched with them are in no argv, environment, -v output or log,
# and their files are 0600.
. "$TESTLIB/oauthd.sh"
printf 'rt-secret-0\n' > "$TESTDIR/rt"
printf 'client-secret-0\n' > "$TESTDIR/cs"
chmod 600 "$TESTDIR/rt" "$TESTDIR/cs"
start_oauthd --client cid-1:client-secret-0 --refresh rt-secret-0 --rotate \
    --issued "$TESTDIR/issued" || bail "no oauthd"
start_smtpd --auth xoauth2,oauthbearer --token-file "$TESTDIR/issued" --delay mail 3 --once
OAUTH_AUTH=oauthbearer mh_conf_oauth "oauth_client_secret_file = $TESTDIR/cs"
queue oauth
mh mailhop -v flush >oauth.out 2>&1 &
front=$!
wait_for grep -q '"MAIL FROM' "$SMTPD_LOG"
ok $? "an OAuth flush is waiting for the reply to MAIL"
: > cmdlines; : > environs
for p in $(ps -o pid= --ppid "$front" 2>/dev/null; echo "$front"); do
    [ -r "/proc/$p/cmdline" ] || continue
    tr '\0' '\n' < "/proc/$p/cmdline" >> cmdlines
    tr '\0' '\n' < "/proc/$p/environ" >> environs
done
wait "$front"
is "$?" 0 "and then delivered"
# Anchored on the exact shapes oauthd issues: a loose "rt-" matched the
# names of other tests in make's environment (TEST_LOGS), and an empty
# last_access would have made an empty alternative that matches anything.
OSECRET='rt-secret-0|rt-[0-9]+-[0-9a-f]{24}|client-secret-0|at-[0-9]+-[0-9a-f]{16}|Bearer'
last=$(oauthd_last last_access)
[ -n "$last" ] && OSECRET="$OSECRET|$last"
like "$(cat cmdlines)" 'mailhop' "(the command lines were read)"
unlike "$(cat cmdlines; cat environs)" "$OSECRET" "no token or client secret in argv or the environment"
unlike "$(cat oauth.out)" "$OSECRET|^--> [A-Za-z0-9+/=]{16,}\$" "nor in -v output"
unlike "$(cat "$LOG"; mh mailq)" "$OSECRET" "nor in the log or mailq"
is "$(stat -c %a "$TESTDIR/rt") $(stat -c %a "$XDG_STATE_HOME/mailhop/state/oauth-default.token")" \
    "600 600" "the rotated refresh-token file and the token cache are 0600"
