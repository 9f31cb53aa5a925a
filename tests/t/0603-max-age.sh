#!/bin/bash
# deliver.c: an entry is bounced for age only after an attempt that failed
# while it was older than max_age; time passing alone bounces nothing.
. "$TESTLIB/tap.sh"
plan 9

start_smtpd --reply 'RCPT late@* 451 4.4.1 no answer from host'
mh_conf "max_age = 1s"
printf 'Subject: aging\n\nx\n' | mh sendmail -f alice@example.org late@example.com
id=$(cd "$XDG_STATE_HOME/mailhop" && ls *.e); id=${id%.e}
mh mailhop flush 2>/dev/null
is "$?" 75 "first attempt, young entry: deferred"
# Ages are whole seconds and the rule is "older than", so 1.1 s could
# still read as an age of 1: wait until it is surely 2.
sleep 2.1
mh mailhop flush 2>/dev/null
is "$?" 0 "older than max_age but not due: nothing tried"
is "$(transcript transactions):$(spool_count)" "1:1" "so nothing bounced: still queued"
mh sendmail -qI "$id"
is "$?" 0 "a failed attempt on the old entry: final"
is "$(transcript transactions):$(transcript count)" "3:1" "the attempt and a bounce"
is "$(transcript mail):$(transcript rcpt | awk '{print $NF}')" "<>:alice@example.org" \
    "the bounce goes to the sender"
dsn=$(transcript data | tr -d '\r')
like "$dsn" "^Status: 5\.4\.7$" "Status 5.4.7"
like "$dsn" "message too old in queue, last error: 451 4\.4\.1 no answer from host" \
    "with the last error"
is "$(spool_count)" 0 "the entry is gone"
