#!/bin/bash
# cmd_queue.c: delete and hold take the entry's lock and wait for a
# flusher that holds it, instead of failing or racing it: while a slow
# delivery attempt runs, `delete` blocks, then removes the entry the
# flusher has just updated (deferred).
. "$TESTLIB/tap.sh"
plan 7

start_smtpd --reply 'RCPT slow@* 451 4.3.0 later' --delay rcpt 2 ||
    bail "no smtpd"
mh_conf "[log]
syslog = no"
sp=$XDG_STATE_HOME/mailhop

printf 'Subject: wait\n\nbody\n' | mh sendmail -odq slow@example.com
id=$(cd "$sp" && ls *.e); id=${id%.e}

mh sendmail -q 2>/dev/null &
flusher=$!
# wait until the flusher is in the SMTP dialogue (it holds the entry)
wait_for sh -c "grep -q '\"RCPT TO:' '$SMTPD_LOG'"
ok $? "the flusher is talking to the server"
start=$(date +%s%N)
err=$(mh mailhop delete "$id" 2>&1)
st=$?
end=$(date +%s%N)
wait $flusher
is "$st" 0 "delete succeeds once the flusher lets go"
is "$err" "" "and says nothing"
ok $([ $(( (end - start) / 1000000 )) -ge 500 ]; echo $?) \
    "delete waited for the flusher ($(( (end - start) / 1000000 )) ms)"
is "$(transcript rcpt)" "slow@example.com" "the recipient was tried once"
is "$(spool_count)" 0 "the entry is gone"
is "$(spool_litter "$sp")" "" "both files removed"
