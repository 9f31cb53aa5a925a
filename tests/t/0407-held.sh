#!/bin/bash
# deliver.c: a held entry is never flushed, not even with -qI.
. "$TESTLIB/tap.sh"
plan 6

start_smtpd
mh_conf
printf 'Subject: held\n\nx\n' | mh sendmail -f alice@example.org held@example.com
id=$(cd "$XDG_STATE_HOME/mailhop" && ls *.e); id=${id%.e}
mh mailhop hold "$id"
mh mailhop flush
is "$?" 0 "flush with only a held entry"
is "$(transcript connections)" 0 "sent nothing (not even a connection)"
err=$(mh sendmail -qI "$id" 2>&1)
is "$?" 75 "-qI of a held entry: not delivered"
is "$err" "mailhop: $id: on hold, not delivered (mailhop release $id)" "and says why"
mh mailhop release "$id"
mh mailhop flush
is "$?" 0 "released and flushed"
is "$(transcript delivered):$(spool_count)" "held@example.com:0" "delivered"
