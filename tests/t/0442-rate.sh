#!/bin/bash
# tests/t/0442-rate.sh: rate.c, relayset.c, relay.c, deliver.c.
# SPEC 9: rate = N/window is a sliding window (up to N at once, the next
# when the oldest leaves it), shared by parallel connections and, for /h
# and /d, by flush runs; mail held back stays queued with no attempt
# counted and a last reply naming the limit.  max_per_connection = N
# reconnects after N messages.  The figures are lower bounds: a slow
# machine only makes them larger.
. "$TESTLIB/tap.sh"
plan 29

start_smtpd --tls none --no-auth || bail "no smtpd"
conf() { # EXTRA [upstream] KEYS
    MH_CONF_BASE=no mh_conf "[upstream]
host = 127.0.0.1
port = $SMTPD_PORT
tls = none
$1
[queue]
deliver = queue
parallel = 3"
}
queue_n() { # N SUBJECT
    local i
    for i in $(seq "$1"); do
        printf 'Subject: %s %s\n\nx\n' "$2" "$i" |
            mh sendmail -f alice@example.org "r$i@example.net" || return 1
    done
}
times() { # the server's time of each accepted transaction, one per line
    transcript json | "$PYTHON" -c '
import json, sys
for o in map(json.loads, sys.stdin):
    if o.get("type") == "transaction" and o.get("state") == "accepted":
        print(o["time"])'
}

# 60 messages through 20/s over 3 connections: at most 20 in any second,
# and paced a slot every 50 ms (rate.h), so the server's first and last
# acceptance are at least 59 x 50 ms apart (a lower bound only).
conf "rate = 20/s"
queue_n 60 burst || bail "queueing failed"
t0=$(date +%s.%N)
mh mailhop flush >/dev/null 2>&1
is "$(transcript count)" 60 "20/s: all 60 delivered in one flush (it waits for slots)"
is "$(spool_count)" 0 "none left"
first=$(times | sort -n | head -1)
last=$(times | sort -n | tail -1)
ok "$("$PYTHON" -c "print(0 if $last - $first >= 2.9 else 1)")" \
    "20/s: the 60 arrivals span at least 2.9 s ($first .. $last)"
n1=$(times | "$PYTHON" -c "
import sys
print(sum(1 for l in sys.stdin if float(l) < $t0 + 1.0))")
ok "$("$PYTHON" -c "print(0 if $n1 <= 20 else 1)")" \
    "20/s: at most 20 arrived in the first second ($n1)"

# 5/h: 8 queued, three flush runs, exactly 5 sent; the rest wait with the
# limit as their last reply and no attempt counted.
stop_smtpd
start_smtpd --tls none --no-auth || bail "no smtpd"
export XDG_STATE_HOME=$TESTDIR/hourly
conf "rate = 5/h"
queue_n 8 hourly || bail "queueing failed"
for run in 1 2 3; do
    mh sendmail -q >/dev/null 2>&1
done
is "$(transcript count)" 5 "5/h: exactly 5 of 8 sent across three runs"
is "$(spool_count)" 3 "the other 3 are still queued"
json=$(mh mailhop queue --json)
is "$(printf '%s\n' "$json" | grep -c '"attempts": *0')" 3 "with no attempt counted"
is "$(printf '%s\n' "$json" | grep -c 'held back by the rate limit 5/h of \[upstream\]')" 3 \
    "and a last reply that names the limit"
like "$(mh mailq)" '\(held back by the rate limit 5/h of \[upstream\] \(a slot frees in [0-9]+s\)\)' \
    "mailq shows it"
next=$(printf '%s\n' "$json" | head -1 | "$PYTHON" -c '
import json, sys, datetime
o = json.loads(sys.stdin.readline())
n = datetime.datetime.fromisoformat(o["recipients"][0]["next_attempt"])
d = (n - datetime.datetime.now(n.tzinfo)).total_seconds()
print("ok" if 3000 < d <= 3600 else d)')
is "$next" "ok" "their next attempt is when the oldest slot leaves the hour"
mh mailhop flush >/dev/null 2>&1
is "$(transcript count)" 5 "a plain flush leaves them alone (not due)"
like "$(cat "$XDG_STATE_HOME/mailhop/state/rate.default")" '^[0-9]{13}$' \
    "the window is kept in the spool (state/rate.default)"
# A second flusher on the same spool shares the window.
printf 'Subject: another\n\nx\n' | mh sendmail -f alice@example.org late@example.net
mh sendmail -q >/dev/null 2>&1 &
bg=$!
mh sendmail -q >/dev/null 2>&1
wait "$bg"
is "$(transcript count)" 5 "two concurrent flushers: still 5"

# max_per_connection = 2: 5 messages, one connection at a time, QUIT
# after every second message.
stop_smtpd
start_smtpd --tls none --no-auth || bail "no smtpd"
export XDG_STATE_HOME=$TESTDIR/perconn
MH_CONF_BASE=no mh_conf "[upstream]
host = 127.0.0.1
port = $SMTPD_PORT
tls = none
max_per_connection = 2
[queue]
deliver = queue"
queue_n 5 perconn || bail "queueing failed"
mh mailhop flush >/dev/null 2>&1
is "$(transcript count)" 5 "max_per_connection = 2: all 5 delivered"
is "$(transcript connections)" 3 "over 3 connections (2 + 2 + 1)"
is "$(transcript commands | grep -c '^QUIT')" 3 "each ended with QUIT"
per=$(transcript json | "$PYTHON" -c '
import json, sys, collections
c = collections.Counter(o["conn"] for o in map(json.loads, sys.stdin)
                        if o.get("type") == "transaction")
print(max(c.values()))')
is "$per" 2 "no connection carried more than 2"

# A slot is used up only by a message that reached the upstream: while
# default refuses connections, flushes take nothing from its 3/h (else a
# down upstream would use up a daily quota with mail it never got).
stop_smtpd
start_smtpd --tls none --no-auth; port=$SMTPD_PORT; stop_smtpd
export XDG_STATE_HOME=$TESTDIR/refused
MH_CONF_BASE=no mh_conf "$(mh_upstream default "$port" none)
rate = 3/h
[queue]
deliver = queue"
queue_n 2 refused || bail "queueing failed"
mh mailhop flush >/dev/null 2>&1
mh sendmail -q >/dev/null 2>&1
is "$(spool_count)" 2 "refused: both still queued"
is "$(wc -c < "$XDG_STATE_HOME/mailhop/state/rate.default")" 0 \
    "and no slot of 3/h is used by the two refused attempts"
start_smtpd --tls none --no-auth --port "$port" || bail "no smtpd again"
mh sendmail -q >/dev/null 2>&1
is "$(transcript count):$(spool_count)" "2:0" "once it answers, both go within the 3/h"

# A stop request (SIGTERM to flush --watch) in the middle of a rated
# batch: the transaction in progress ends, nothing more begins, and the
# slots taken for the messages that did not go are given back.
stop_smtpd
start_smtpd --tls none --no-auth --delay dot 4 || bail "no slow smtpd"
export XDG_STATE_HOME=$TESTDIR/stopped
MH_CONF_BASE=no mh_conf "$(mh_upstream default "$SMTPD_PORT" none)
rate = 3/s
[queue]
deliver = queue
parallel = 1"
queue_n 6 stopped || bail "queueing failed"
"$MAILHOP_BIN" flush --watch 2>/dev/null &
watch=$!
_in_dot() { grep -q '"type": "delay"' "$SMTPD_LOG"; }
wait_for _in_dot
ok $? "flush --watch: the first message waits for the reply to its dot"
kill -TERM "$watch"
wait "$watch"
is "$?:$(transcript count):$(spool_count)" "0:1:5" \
    "SIGTERM: it exits 0 after that one, the other 5 stay queued"
is "$(mh mailhop queue --json | grep -c '"attempts":0')" 5 "with no attempt counted"
is "$(wc -c < "$XDG_STATE_HOME/mailhop/state/rate.default")" 14 \
    "one slot used, for the one sent: none for the 5 that never began"

# Mail that failed over from a refusing default to backup counts in
# backup's window: 3 queued, backup's 2/h lets 2 go, the third waits.
stop_smtpd
start_smtpd --tls none --no-auth; dead=$SMTPD_PORT; stop_smtpd
start_smtpd --tls none --no-auth || bail "no backup smtpd"
export XDG_STATE_HOME=$TESTDIR/failover
MH_CONF_BASE=no mh_conf "$(mh_upstream default "$dead" none)
$(mh_upstream backup "$SMTPD_PORT" none)
rate = 2/h
[queue]
deliver = queue
[route]
* = default, backup"
queue_n 3 failover || bail "queueing failed"
mh mailhop flush >/dev/null 2>&1
is "$(transcript count):$(spool_count)" "2:1" "failed over to backup: 2 of 3 sent within its 2/h"
is "$(wc -c < "$XDG_STATE_HOME/mailhop/state/rate.backup")" 28 "both in backup's window"
like "$(mh mailq)" 'held back by the rate limit 2/h of \[upstream\.backup\]' "the third is held back by it"

# A fresh 5/h window and three flushers at once on one spool of 12: the
# window is shared under its lock, so exactly 5 go between them.
stop_smtpd
start_smtpd --tls none --no-auth || bail "no smtpd"
export XDG_STATE_HOME=$TESTDIR/racing
conf "rate = 5/h"
queue_n 12 racing || bail "queueing failed"
pids=
for f in 1 2 3; do
    mh sendmail -q >/dev/null 2>&1 &
    pids="$pids $!"
done
wait $pids
is "$(transcript count):$(spool_count)" "5:7" "three concurrent flushers: exactly 5 of 12 sent"
is "$(wc -c < "$XDG_STATE_HOME/mailhop/state/rate.default")" 70 "five slots in the window"
