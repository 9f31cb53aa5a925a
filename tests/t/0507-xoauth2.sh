#!/bin/bash
# XOAUTH2 (SPEC §6, §7): the bearer token from oauth_token or the first line
# of oauth_token_command's output goes to libcurl as CURLOPT_XOAUTH2_BEARER
# with user as the account name.  auth = xoauth2 names it; auth = auto takes
# it when a token is configured.  A refused token (Gmail answers with a 334
# carrying a JSON error) defers, never bounces, and sends nothing.  The token
# shows neither in -v output nor in the log.
. "$TESTLIB/tap.sh"
plan 25

LOG=$TESTDIR/mail.log
# tok-123 in clear, and the base64 of the XOAUTH2 response that carries it
TOKEN='tok-123|dXNlcj1hbGljZQFhdXRoPUJlYXJlciB0b2st|dG9rLTEyMw|Bearer'
conf() {
    MH_CONF_BASE=no mh_conf "[upstream]
host = 127.0.0.1
port = $SMTPD_PORT
ca_file = $TESTDIR/ca/ca.pem
user = alice
$*
[queue]
deliver = queue
[log]
syslog = no
file = $LOG"
}
n=0
queue() {
    n=$((n + 1))
    export XDG_STATE_HOME=$TESTDIR/state$n
    printf 'Subject: %s\n\nx\n' "$1" | mh sendmail -f alice@example.org bob@example.net
}
# oauth_token in the (0600) config file, auth = xoauth2.
start_smtpd --auth xoauth2 --token alice:tok-123 || bail "no smtpd"
conf "oauth_token = tok-123
auth = xoauth2"
is "$(stat -c %a "$MAILHOP_CONFIG")" 600 "the config holding the token is mode 0600"
queue token
out=$(mh sendmail -q -v 2>&1)
is "$?" 0 "oauth_token, auth = xoauth2: delivered"
like "$out" '^--> AUTH XOAUTH2( \*\*\*)?$' "-v: AUTH XOAUTH2, argument masked"
like "$(printf '%s\n' "$out" | grep -A2 '^--> AUTH XOAUTH2' | grep -- '^-->' | sed -n 2p)" \
    '^--> \*\*\*$' "-v: the response line is ***"
like "$out" '^<-- 235 ' "-v: the 235 is shown"
unlike "$out" "$TOKEN" "-v: the token appears nowhere"
is "$(transcript auth_mechanism) $(transcript auth)" "XOAUTH2 alice" "the server saw XOAUTH2 as alice"
is "$(transcript count) $(spool_count)" "1 0" "one message sent, the queue is empty"
stop_smtpd

# oauth_token_command, auth = auto, a server that offers only XOAUTH2.
start_smtpd --auth xoauth2 --token alice:tok-123 || bail "no smtpd"
conf "oauth_token_command = printf 'tok-123\\n'
auth = auto"
like "$(cat "$MAILHOP_CONFIG")" "^oauth_token_command = printf 'tok-123\\\\n'\$" \
    "oauth_token_command written as meant"
queue command
out=$(mh mailhop -v flush 2>&1)
is "$?" 0 "oauth_token_command, auth = auto: delivered"
like "$out" '^--> AUTH XOAUTH2' "auth = auto chose XOAUTH2"
unlike "$out" "$TOKEN" "-v: the token from the command appears nowhere"
is "$(transcript auth_mechanism) $(transcript auth) $(transcript count)" "XOAUTH2 alice 1" \
    "the server saw XOAUTH2 as alice, one message"
stop_smtpd

# auto with a token, the server offering PLAIN too: still XOAUTH2 (the
# token is the only secret there is; PLAIN would send it as a password).
start_smtpd --auth plain,login,xoauth2 --token alice:tok-123 || bail "no smtpd"
conf "oauth_token_command = printf 'tok-123\\n'"
queue both
mh mailhop flush 2>/dev/null
is "$?" 0 "PLAIN and XOAUTH2 offered, a token configured: delivered"
is "$(transcript auth_mechanism) $(transcript auth)" "XOAUTH2 alice" "with XOAUTH2, not PLAIN"
stop_smtpd

# A wrong token: the server's 334 JSON error; deferred, nothing sent.
start_smtpd --auth xoauth2 --token alice:tok-123 || bail "no smtpd"
conf "oauth_token = tok-999
auth = xoauth2"
queue wrong
# (mailhop flush: root's sendmail -q is flush --all, 0 with deferrals)
out=$(mh mailhop flush -v 2>&1)
is "$?" 75 "wrong token: deferred (exit 75)"
like "$out" '^mailhop: 1 recipient deferred' "wrong token: the one-line message"
like "$(mh mailq)" 'AUTH XOAUTH2 refused: 334 eyJ' "mailq shows the server's refusal"
like "$(tail -n 1 "$LOG")" 'to=<bob@example\.net>.*status=deferred \(AUTH XOAUTH2 refused' \
    "the log: deferred, with the reason"
is "$(grep -c 'status=bounced' "$LOG")" 0 "nothing bounced"
like "$(smtp_cmds)" '^EHLO [^|]*\|STARTTLS\|EHLO [^|]*\|AUTH XOAUTH2[^|]*\|(\*\*\*\|)?(QUIT\|)?$' \
    "nothing after AUTH: no MAIL"
is "$(transcript transactions) $(spool_count)" "0 1" "nothing sent, still queued"
unlike "$out" 'tok-999|dG9rLTk5OQ|Bearer' "-v: the wrong token appears nowhere either"

like "$(cat "$LOG")" 'status=sent' "the log has the deliveries"
unlike "$(cat "$LOG")" "$TOKEN|tok-999" "the log has no token"
