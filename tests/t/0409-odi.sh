#!/bin/bash
# deliver_main.c: -odi delivers in the foreground and reports each
# recipient on stderr; exit 0 once queued, even when a recipient is
# deferred (SPEC 3: PHP and PHPMailer retry on non-zero).  -qI with an
# unknown id is 67.
. "$TESTLIB/tap.sh"
plan 10

start_smtpd --reply 'RCPT slow@* 451 4.3.0 try later'
mh_conf
err=$(printf 'Subject: odi\n\nx\n' | mh sendmail -odi -f alice@example.org bob@example.com 2>&1)
is "$?" 0 "-odi: delivered, exit 0"
like "$err" "^mailhop: [0-9A-Z]{20}: bob@example.com: sent \(250 .*\)$" "reported on stderr"
is "$(transcript delivered):$(spool_count)" "bob@example.com:0" "delivered and gone"

err=$(printf 'Subject: odi2\n\nx\n' | mh sendmail -odi -f alice@example.org ann@example.com slow@example.com 2>&1)
is "$?" 0 "-odi with a deferred recipient: 0, the message is queued"
like "$err" "^mailhop: [0-9A-Z]{20}: ann@example.com: sent \(250 " "the sent one reported"
like "$err" "^mailhop: [0-9A-Z]{20}: slow@example.com: deferred \(451 4\.3\.0 try later\)$" \
    "the deferred one reported"
like "$err" "^mailhop: [0-9A-Z]{20}: queued, not yet delivered \(1 recipient deferred; mailhop will retry\)$" \
    "and the exit status explained"
is "$(spool_count)" 1 "still queued"

err=$(mh sendmail -qI 0AAAAAAAAAAAAAAAAAAA 2>&1)
is "$?:$err" '67:mailhop: queue id "0AAAAAAAAAAAAAAAAAAA" not found' "-qI unknown id: 67"
err=$(mh sendmail -qI ../etc 2>&1)
is "$?:$err" '67:mailhop: queue id "../etc" not found' "-qI malformed id: 67"
