#!/bin/bash
# tests/t/0415-linger.sh: deliver.c, wake.c (SPEC 10, lingering delivery).
# The -odb delivery does not exit while recipients are deferred: it keeps
# the flush lock, sleeps until the soonest retry and tries again, for at
# most [queue] linger.  With the upstream down, three messages queued in a
# row all arrive once it is back, without any flush run by the test and
# with one helper doing all the work; an entry queued while it sleeps goes
# out within a second (inotify) and the helper that message starts exits at
# once; the sleeping helper uses no CPU; linger = 0 is the old behaviour;
# a failed entry (kept for failed_keep) is nothing to retry: it does not
# keep a helper lingering.
. "$TESTLIB/tap.sh"
plan 23

LOG=$TESTDIR/mail.log
conf() {    # conf PORT RETRY LINGER
    MH_CONF_BASE=no mh_conf "[upstream]
host = 127.0.0.1
port = $1
tls = none
[queue]
deliver = background
retry = $2
linger = $3
[log]
syslog = no
file = $LOG"
}
send() { printf 'Subject: %s\n\nx\n' "$1" | mh sendmail -f alice@example.org "$1@example.com"; }
nhelpers() { mh_helpers | wc -l; }
# "PID" of every log line about an attempt, one per line, sorted, unique.
logpids() { sed -n 's/.* mailhop\[\([0-9]*\)\]: .*status=.*/\1/p' "$LOG" | sort -u; }
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# ---- the upstream down, three messages in a row, the upstream back ----
start_smtpd --tls none --no-auth || bail "no smtpd"
port=$SMTPD_PORT
stop_smtpd
conf "$port" 1s..2s 1m

send one
is "$?" 0 "queued with the upstream down"
_deferred() { [ "$(cat "$LOG" 2>/dev/null | grep -c 'status=deferred')" -ge "$1" ]; }
wait_for _deferred 1
ok $? "the -odb delivery tried and deferred it"
is "$(nhelpers)" 1 "and stays: one helper lingers"
first=$(mh_helpers)
send two
sleep 1
send three
_one_helper() { [ "$(nhelpers)" = 1 ]; }
wait_for _one_helper
is "$(mh_helpers)" "$first" "the helpers of the next two messages exited at once; the first lingers"
is "$(spool_count)" 3 "three entries queued"

start_smtpd --tls none --no-auth --port "$port" || bail "no smtpd on $port"
wait_transactions 3
is "$(transcript delivered | tr ' ' '\n' | sort | tr '\n' ' ')" \
    "one@example.com three@example.com two@example.com " \
    "all three arrive once the upstream is back, with no flush run"
is "$(spool_count)" 0 "the spool is empty"
is "$(logpids)" "$first" "every attempt was made by the one lingering helper"
is "$(grep -c 'status=sent' "$LOG")" 3 "each sent once"
_no_helper() { [ "$(nhelpers)" = 0 ]; }
wait_for _no_helper
ok $? "with nothing deferred, it exits"

# ---- while it sleeps: no CPU, and a new entry goes out at once ----
export XDG_STATE_HOME=$TESTDIR/state2
: > "$LOG"
stop_smtpd
start_smtpd --tls none --no-auth --reply 'RCPT later@* 451 4.3.0 try later' ||
    bail "no smtpd"
conf "$SMTPD_PORT" 1h 1m
send later
wait_for _deferred 1
lingering=$(mh_helpers)
is "$(printf '%s\n' "$lingering" | grep -c .)" 1 "a deferral an hour away: the helper lingers"
t0=$(ticks "$lingering")
sleep 2
t1=$(ticks "$lingering")
ok $(( t1 - t0 <= 3 ? 0 : 1 )) "it sleeps without using the CPU ($((t1 - t0)) ticks in 2 s)"
n0=$(transcript count)
send soon
ms0=$(date +%s%3N)
_soon() { [ "$(transcript count)" -gt "$n0" ]; }
wait_for _soon
ok $? "a message queued meanwhile is delivered without a flush"
ms1=$(date +%s%3N)
ok $(( ms1 - ms0 < 5000 ? 0 : 1 )) "at once, not at its retry time an hour away ($((ms1 - ms0)) ms; a second is the aim)"
is "$(logpids)" "$lingering" "by the lingering helper"
is "$(transcript rcpt | tr ' ' '\n' | grep -c later@)" 1 \
    "the deferred one is not tried again before its retry time"
kill -TERM "$lingering"
wait_for _no_helper
ok $? "SIGTERM ends it"
like "$(tail -n 1 "$LOG")" "mailhop\\[$lingering\\]: stopped by a signal" "and it says so in the log"

# ---- linger = 0: the old behaviour ----
export XDG_STATE_HOME=$TESTDIR/state3
: > "$LOG"
conf "$SMTPD_PORT" 1s..2s 0
send later
wait_for _deferred 1 && wait_for _no_helper
ok $? "linger = 0: the helper exits after its one attempt"
sleep 3
is "$(spool_count)" 1 "and the deferred entry waits for the next flush"

# ---- only a failed entry left: nothing is deferred, it exits ----
export XDG_STATE_HOME=$TESTDIR/state4
: > "$LOG"
stop_smtpd
start_smtpd --tls none --no-auth --reply 'RCPT bad@* 550 5.1.1 no such user' \
    --reply 'RCPT later@* 451 4.3.0 try later' || bail "no smtpd"
conf "$SMTPD_PORT" 1h 1m
printf 'Subject: a\n\nx\n' | mh sendmail -f '<>' bad@example.com
_bounced() { grep -q 'status=bounced' "$LOG" 2>/dev/null; }
wait_for _bounced
# Within 15 s of wall time (wait_for's bound is in rounds, and a round of
# mh_helpers is slow on a busy machine); before, it stayed for all of
# linger (a minute).
end=$((SECONDS + 15))
while [ "$(nhelpers)" != 0 ] && [ "$SECONDS" -lt "$end" ]; do sleep 0.2; done
is "$(nhelpers):$(mh mailq | grep -c '^[0-9A-Z]\{20\}#')" "0:1" \
    "a failed entry kept (from <>, refused): the helper exits, nothing is deferred"
send later
wait_for _deferred 1
lingering=$(mh_helpers)
is "$(printf '%s\n' "$lingering" | grep -c .)" 1 "a deferred one beside it: the helper lingers"
t0=$(ticks "$lingering")
sleep 2
t1=$(ticks "$lingering")
ok $(( t1 - t0 <= 3 ? 0 : 1 )) "and sleeps ($((t1 - t0)) ticks in 2 s)"
kill -TERM "$lingering"
wait_for _no_helper
