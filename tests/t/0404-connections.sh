#!/bin/bash
# deliver.c + relay.c: one flush delivers every due entry over one
# connection; [queue] parallel = 3 spreads them over at most three; left
# at its default, a batch of 32 or more takes a second connection (relay.c
# RELAY_GROW_AT), and parallel = 1 set in the file keeps one.
. "$TESTLIB/tap.sh"
plan 10

start_smtpd
mh_conf
for i in 1 2 3 4 5; do
    printf 'Subject: m%s\n\nx\n' "$i" | mh sendmail -f alice@example.org "r$i@example.com"
done
is "$(spool_count)" 5 "five messages queued"
mh mailhop flush
is "$?" 0 "flushed"
is "$(transcript count):$(transcript connections)" "5:1" \
    "five transactions over one connection"
is "$(spool_count)" 0 "queue empty"

stop_smtpd
start_smtpd --delay DOT 0.3
mh_conf "parallel = 3"
for i in 1 2 3 4 5 6; do
    printf 'Subject: p%s\n\nx\n' "$i" | mh sendmail -f alice@example.org "p$i@example.com"
done
mh mailhop flush
is "$(transcript count):$(spool_count)" "6:0" "parallel: all six delivered"
c=$(transcript connections)
ok $(( c >= 2 && c <= 3 ? 0 : 1 )) "over 2 to 3 connections (got $c)"

queue_40() {
    for i in $(seq 1 40); do
        printf 'Subject: g%s\n\nx\n' "$i" | mh sendmail -f alice@example.org "g$i@example.com"
    done
}
stop_smtpd
start_smtpd
mh_conf
queue_40
mh mailhop flush
is "$(transcript count):$(spool_count)" "40:0" "default parallel: all forty delivered"
is "$(transcript connections)" 2 "a batch of forty takes a second connection"

stop_smtpd
start_smtpd
mh_conf "parallel = 1"
queue_40
mh mailhop flush
is "$(transcript count):$(spool_count)" "40:0" "parallel = 1: all forty delivered"
is "$(transcript connections)" 1 "parallel = 1 set: one connection"
