#!/bin/bash
# tests/t/0416-watch.sh: deliver.c, wake.c, deliver_main.c (SPEC 10,
# `mailhop flush --watch`).  It delivers what is queued while it runs, logs
# on stderr as well as to the configured file, makes a -odb helper exit at
# once (it holds the flush lock), re-reads its configuration on SIGHUP (a
# changed upstream is used), and on SIGTERM during DATA finishes that
# transaction, records it and exits 0: the message is sent once, never
# lost, and the next one is not started.
. "$TESTLIB/tap.sh"
plan 19

LOG=$TESTDIR/mail.log
conf() {    # conf PORT
    MH_CONF_BASE=no mh_conf "[upstream]
host = 127.0.0.1
port = $1
tls = none
[queue]
deliver = queue
[log]
syslog = no
file = $LOG"
}
send() { printf 'Subject: %s\n\nx\n' "$1" | mh sendmail "${@:2}" -f alice@example.org "$1@example.com"; }
errlog() { cat "$TESTDIR/watch.err"; }

start_smtpd --tls none --no-auth || bail "no smtpd"
A_LOG=$SMTPD_LOG
conf "$SMTPD_PORT"
# Started directly (mh's subshell would stand between): $! is the helper.
"$MAILHOP_BIN" flush --watch 2> "$TESTDIR/watch.err" &
watch=$!
_started() { [ "$(mh_helpers)" = "$watch" ]; }
wait_for _started
ok $? "flush --watch runs (the helper, pid $watch)"

send one
wait_transactions 1
ok $? "a message queued while it watches is delivered, no flush run"
like "$(errlog)" "mailhop\\[$watch\\]: [0-9A-Z]+: from=<alice@example.org>, to=<one@example.com>, .*status=sent" \
    "the log line is on its stderr"
like "$(cat "$LOG")" "to=<one@example.com>, .*status=sent" "and in the [log] file"

send two -odb
wait_transactions 2
ok $? "a -odb message is delivered too"
is "$(transcript delivered)" "one@example.com two@example.com" "each once"
is "$(mh_helpers)" "$watch" "the -odb helper exited at once: the watcher does the work"
is "$(grep -c 'status=' "$LOG")" 2 "two attempts logged, both by the watcher"

# SIGHUP: a new upstream.
start_smtpd --tls none --no-auth || bail "no second smtpd"
B_LOG=$SMTPD_LOG
conf "$SMTPD_PORT"
kill -HUP "$watch"
_reread() { grep -q 'configuration re-read' "$TESTDIR/watch.err"; }
wait_for _reread
ok $? "SIGHUP: it says it re-read the configuration"
send three
wait_transactions 1
ok $? "the next message goes to the new upstream"
is "$(SMTPD_LOG=$A_LOG transcript count)" 2 "and not to the old one"

# SIGTERM in the middle of DATA: the transaction ends, then the watcher.
start_smtpd --tls none --no-auth --delay dot 3 || bail "no slow smtpd"
conf "$SMTPD_PORT"
kill -HUP "$watch"
_reread2() { [ "$(grep -c 'configuration re-read' "$TESTDIR/watch.err")" = 2 ]; }
wait_for _reread2
send four
_in_dot() { grep -q '"type": "delay"' "$SMTPD_LOG"; }
wait_for _in_dot
ok $? "a transaction is waiting for the reply to its final dot"
send five
kill -TERM "$watch"
wait "$watch"
is "$?" 0 "SIGTERM: the watcher exits 0"
is "$(transcript delivered)" "four@example.com" "the transaction in progress was finished"
is "$(transcript rcpt)" "four@example.com" "and no new one was started"
like "$(mh mailq)" "five@example.com" "the message queued meanwhile waits in the queue"
unlike "$(mh mailq)" "four@example.com" "the delivered one was recorded: it left the queue"
mh mailhop flush >/dev/null 2>&1
is "$(transcript delivered)" "four@example.com five@example.com" \
    "the next flush sends the waiting one, and the finished one not again"
like "$(tail -n 1 "$TESTDIR/watch.err")" "stopped by a signal" "its last words on stderr"
