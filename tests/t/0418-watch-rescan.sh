#!/bin/bash
# tests/t/0418-watch-rescan.sh: wake.c (SPEC 10).  Where inotify is not
# available (inotify_init1 fails: faultfs, as when a container's limit of
# inotify instances is used up), a watching flusher looks at the spool
# directory once a second instead: a message queued meanwhile is still
# delivered without a flush, and the flusher sleeps between the looks.
. "$TESTLIB/tap.sh"
plan 6

LOG=$TESTDIR/mail.log
MH_CONF_BASE=no mh_conf "[upstream]
host = 127.0.0.1
port = PORT
tls = none
[queue]
deliver = queue
[log]
syslog = no
file = $LOG"
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

start_smtpd --tls none --no-auth || bail "no smtpd"
sed -i "s/^port = PORT\$/port = $SMTPD_PORT/" "$MAILHOP_CONFIG"
# Started directly (mh's subshell would stand between): $! is the helper.
LD_PRELOAD=$FAULTFS FAULTFS_OP=inotify FAULTFS_NTH=1 FAULTFS_LOG=$TESTDIR/ff.log \
    "$MAILHOP_BIN" flush --watch 2> "$TESTDIR/watch.err" &
watch=$!
_started() { [ "$(mh_helpers)" = "$watch" ]; }
wait_for _started
ok $? "flush --watch runs (pid $watch)"
is "$(grep -c '^inotify 1 - FAIL$' ff.log)" 1 "its inotify_init1 failed"
ls -l "/proc/$watch/fd" 2>/dev/null | grep -q 'anon_inode:inotify'
isnt "$?" 0 "it holds no inotify descriptor"

t0=$(ticks "$watch")
sleep 2
t1=$(ticks "$watch")
ok $(( t1 - t0 <= 3 ? 0 : 1 )) "it sleeps between its looks at the spool ($((t1 - t0)) ticks in 2 s)"

printf 'Subject: one\n\nx\n' | mh sendmail -f alice@example.org one@example.com
wait_transactions 1
is "$(transcript delivered)" "one@example.com" \
    "a message queued meanwhile is delivered, no flush run: the spool is looked at again"
kill -TERM "$watch"
wait "$watch"
is "$?" 0 "SIGTERM: it exits 0"
