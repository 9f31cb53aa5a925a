#!/bin/bash
# dsn.c, deliver.c: a permanent failure is bounced to the envelope sender
# as an RFC 3464 report from bounce_sender; a bounce that fails itself is
# never bounced: it is kept as failed.
. "$TESTLIB/tap.sh"
plan 14

start_smtpd --reply 'RCPT nobody@* 550 5.1.1 <nobody@example.com>: no such user' \
    --reply 'RCPT gone@* 550 5.1.1 mailbox gone'
mh_conf "[sender]
bounce_sender = postmaster@example.org
domain = example.org"

printf 'From: Alice <alice@example.org>\nSubject: will bounce\nX-Trace: abc123\n\nsecret body text\n' |
    mh sendmail -f alice@example.org nobody@example.com
mh mailhop flush
is "$?" 0 "flush: the failure is final, nothing deferred"
is "$(transcript transactions):$(transcript count)" "2:1" "the refused message and its bounce"
is "$(transcript mail)" "postmaster@example.org" "MAIL FROM is bounce_sender"
is "$(transcript rcpt | cut -d' ' -f2)" "alice@example.org" "RCPT TO is the original sender"
dsn=$(transcript data | tr -d '\r')
like "$dsn" "^From: <postmaster@example.org>$" "From: bounce_sender"
like "$dsn" "^To: <alice@example.org>$" "To: the sender"
like "$dsn" "^Subject: Undelivered Mail Returned to Sender$" "Subject"
like "$dsn" "^Auto-Submitted: auto-replied$" "Auto-Submitted"
like "$dsn" "^Content-Type: message/delivery-status$" "a delivery-status part"
like "$dsn" "^Diagnostic-Code: smtp; 550 5\.1\.1 <nobody@example.com>: no such user$" \
    "with the server's reply"
like "$dsn" "^X-Trace: abc123$" "the original header section"
unlike "$dsn" "secret body text" "but not the body"

# The sender's own mailbox is gone: the bounce bounces.  No bounce of it.
printf 'Subject: double\n\nx\n' | mh sendmail -f gone@example.com nobody@example.com
mh mailhop flush
is "$(transcript transactions)" 4 "the message and one bounce attempt, nothing more"
is "$(mh mailhop queue --json | grep -c '"state": *"failed"')" 1 \
    "the failed bounce is kept in the failed state"
