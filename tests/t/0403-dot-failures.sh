#!/bin/bash
# deliver.c: the reply to the final dot decides for every recipient that
# was accepted: 5xx fails them all (one bounce naming both); a connection
# dropped after the dot is no outcome, so they are deferred and the
# message is sent again (the documented duplicate window).
. "$TESTLIB/tap.sh"
plan 11

start_smtpd --reply 'DOT *@example.com 554 5.6.0 content rejected'
mh_conf
printf 'Subject: rejected at the dot\n\nx\n' |
    mh sendmail -f alice@example.org a@example.com b@example.com
mh mailhop flush
is "$?" 0 "nothing deferred: both failed"
is "$(transcript count)" 2 "the message, then one bounce"
is "$(transcript rcpt)" "a@example.com b@example.com alice@example.org" \
    "a single bounce, to the sender"
dsn=$(transcript data 2)
like "$dsn" "^Final-Recipient: rfc822; a@example.com" "the bounce names a"
like "$dsn" "^Final-Recipient: rfc822; b@example.com" "and b"
like "$dsn" "^Status: 5\.6\.0" "with the enhanced status of the dot reply"
is "$(spool_count)" 0 "nothing left in the queue"

stop_smtpd
start_smtpd --drop dot --once
mh_conf
printf 'Subject: dropped after the dot\n\nx\n' |
    mh sendmail -f alice@example.org a@example.com
mh mailhop flush 2>/dev/null
is "$?" 75 "a dropped connection after the dot is a deferral"
is "$(spool_count)" 1 "the message stays queued"
id=$(cd "$XDG_STATE_HOME/mailhop" && ls *.e); id=${id%.e}
mh sendmail -qI "$id"
is "$?" 0 "the retry is accepted"
is "$(transcript transactions):$(transcript count):$(spool_count)" "2:1:0" \
    "two transactions, one accepted; the entry is gone"
