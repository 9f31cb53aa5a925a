#!/bin/bash
# deliver.c: a message from <> that fails is never bounced: it moves to
# the failed state, is shown by mailq, and is removed after failed_keep.
. "$TESTLIB/tap.sh"
plan 7

start_smtpd --reply 'RCPT *@dead.example 550 5.1.2 no such domain'
mh_conf "failed_keep = 1s"
printf 'Subject: from nobody\n\nx\n' | mh sendmail -f '<>' someone@dead.example
mh mailhop flush
is "$?" 0 "flush: the failure is final"
is "$(transcript transactions)" 1 "no bounce was sent"
like "$(transcript json)" '"mail_from": "<>"' "the message came from <>"
json=$(mh mailhop queue --json)
like "$json" '"state": *"failed"' "the entry is in the failed state"
like "$(mh mailq)" "someone@dead.example" "mailq shows it"
sleep 1.1
mh mailhop flush
is "$(spool_count)" 0 "removed after failed_keep"
is "$(transcript connections)" 1 "without any new delivery"
