#!/bin/bash
# deliver.c, launch.c: -odb (deliver = background) returns at once with
# the caller's pipes closed, and the message arrives with no further
# command.  A second -odb while the first flusher holds the flush lock
# exits at once; the running flusher picks its message up (rescan).
. "$TESTLIB/tap.sh"
plan 7

start_smtpd --delay DOT 2
mh_conf
sed -i 's/^deliver = queue$/deliver = background/' "$MAILHOP_CONFIG"

t0=$(date +%s%N)
out=$(printf 'Subject: bg\n\nx\n' | mh sendmail -f alice@example.org bg1@example.com 2>&1)
st=$?
t1=$(date +%s%N)
is "$st:$out" "0:" "sendmail returns 0, silently"
ok $(( (t1 - t0) / 1000000 < 1500 ? 0 : 1 )) \
    "and the caller's pipe is closed at once ($(( (t1 - t0) / 1000000 )) ms; delivery takes 2 s)"
_in_dot() { grep -q '"type": "delay"' "$SMTPD_LOG"; }
wait_for _in_dot
ok $? "the background flusher is delivering"

printf 'Subject: bg2\n\nx\n' | mh sendmail -odb -f alice@example.org bg2@example.com
is "$?" 0 "a second -odb while the first runs"
_two() { [ "$(transcript count)" = 2 ] && [ "$(spool_count)" = 0 ]; }
wait_for _two
ok $? "both arrive without any further command"
is "$(transcript delivered)" "bg1@example.com bg2@example.com" "each once"
is "$(transcript connections)" 1 "the first flusher delivered both over its connection"
