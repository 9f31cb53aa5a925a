#!/bin/bash
# log.c: [log] file gets one line per recipient and attempt (created 0600),
# with the relay, delay, attempts, status and reply; never the password.
. "$TESTLIB/tap.sh"
plan 7

start_smtpd --reply 'RCPT bad@* 550 5.1.1 unknown'
mh_conf "[log]
syslog = no
file = $TESTDIR/logs/mailhop.log"
mkdir "$TESTDIR/logs"
printf 'Subject: log\n\nx\n' | mh sendmail -f alice@example.org ok@example.com bad@example.com
mh mailhop flush
log=$(cat "$TESTDIR/logs/mailhop.log")
is "$(stat -c %a "$TESTDIR/logs/mailhop.log")" 600 "the log file is created 0600"
like "$log" "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}[-+][0-9:]{5} mailhop\[[0-9]+\]: [0-9A-Z]{20}: from=<alice@example.org>, to=<ok@example.com>, relay=default\[127\.0\.0\.1\]:$SMTPD_PORT, delay=[0-9]+\.[0-9], attempts=1, status=sent \(250 " \
    "a timestamped line for the delivered recipient"
like "$log" "to=<bad@example.com>, .*status=bounced \(550 5\.1\.1 unknown\)" \
    "and one for the bounced one"
like "$log" "from=<>, to=<alice@example.org>, .*status=sent" "and for the bounce"
unlike "$log" "secret-pw-1" "no password in the log"

# Nobody listening: the reason is logged as a deferral, relay=none or the host.
stop_smtpd
printf 'Subject: log2\n\nx\n' | mh sendmail -f alice@example.org later@example.com
mh mailhop flush 2>/dev/null
is "$?" 75 "no server: deferred"
like "$(tail -n 1 "$TESTDIR/logs/mailhop.log")" \
    "to=<later@example.com>, relay=[^,]+, delay=[0-9.]+, attempts=1, status=deferred \(.+\)$" \
    "the deferral is logged with its reason"
