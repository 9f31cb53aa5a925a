#!/bin/bash
# deliver.c: two flushers at once never send an entry twice (each entry is
# claimed), and a message queued while a flush runs is delivered before
# that flusher exits (the rescan).
. "$TESTLIB/tap.sh"
plan 5

start_smtpd --delay DOT 0.3
mh_conf
for i in 1 2 3 4; do
    printf 'Subject: c%s\n\nx\n' "$i" | mh sendmail -f alice@example.org "c$i@example.com"
done
mh mailhop flush & p1=$!
mh mailhop flush & p2=$!
wait $p1; wait $p2
is "$(transcript count):$(spool_count)" "4:0" "four transactions for four messages"
is "$(transcript rcpt | tr ' ' '\n' | sort | uniq -d)" "" "no recipient got a message twice"

stop_smtpd
start_smtpd --delay DOT 2
mh_conf
printf 'Subject: first\n\nx\n' | mh sendmail -f alice@example.org first@example.com
mh mailhop flush & pf=$!
_in_dot() { grep -q '"type": "delay"' "$SMTPD_LOG"; }
wait_for _in_dot
ok $? "the flusher is in the middle of a transaction"
printf 'Subject: second\n\nx\n' | mh sendmail -odq -f alice@example.org second@example.com
wait $pf
is "$?" 0 "the flusher finished"
is "$(transcript delivered):$(spool_count)" "first@example.com second@example.com:0" \
    "it delivered the message queued while it ran before exiting"
