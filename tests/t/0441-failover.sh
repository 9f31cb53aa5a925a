#!/bin/bash
# tests/t/0441-failover.sh: relayset.c, relay.c, deliver.c, down.c.
# SPEC 9, failover: with `* = default, backup`, an entry moves to backup in
# the same flush when default fails before it accepts MAIL FROM (refused
# connection, a 4xx or 5xx greeting or EHLO, STARTTLS missing, TLS
# failure, AUTH failure, a 4xx to MAIL FROM, a timeout); default is then
# marked down, and mailq says so.  An answer to MAIL (5xx), RCPT or the
# final dot stands: the recipient is never offered to backup, so no
# recipient is ever accepted by two upstreams.
. "$TESTLIB/tap.sh"
plan 51

start_smtpd --tls none --no-auth || bail "no backup smtpd"
B_PORT=$SMTPD_PORT B_LOG=$SMTPD_LOG
make_ca
make_other_ca

conf() { # A_PORT [EXTRA]: default on A_PORT (STARTTLS, AUTH), backup on B
    MH_CONF_BASE=no mh_conf "$(mh_upstream default "$1" starttls alice pw-a)
timeout = 2s
$(mh_upstream backup "$B_PORT" none)
[queue]
deliver = queue
retry = 1m
[route]
* = default, backup
$2"
}
bcount() { SMTPD_LOG=$B_LOG transcript count; }

# failover DESC SMTPD-ARGS...: default (a new server) misbehaves so; the
# entry must reach backup in the same flush, default be marked down.
failover() {
    local desc=$1 nb
    shift
    start_smtpd --tls starttls --user alice:pw-a "$@" || bail "no smtpd"
    conf "$SMTPD_PORT"
    queue_fresh "$desc"
    nb=$(bcount)
    mh mailhop flush >/dev/null 2>&1
    is "$(bcount):$(spool_count)" "$((nb + 1)):0" "$desc: backup delivered it in the same flush"
    like "$(mh mailq)" "^-- upstream default \\(127\\.0\\.0\\.1:$SMTPD_PORT\\) is down until " \
        "$desc: default is marked down, and mailq says so"
    stop_smtpd
}

# A port where nothing listens.
start_smtpd --tls none --no-auth; dead=$SMTPD_PORT; stop_smtpd
conf "$dead"
queue_fresh "refused"
nb=$(bcount)
mh mailhop flush >/dev/null 2>&1
is "$(bcount):$(spool_count)" "$((nb + 1)):0" "connection refused: backup delivered it in the same flush"
out=$(mh mailq)
like "$out" "^-- upstream default \\(127\\.0\\.0\\.1:$dead\\) is down until .*: .*" \
    "connection refused: default is down, with the reason"
like "$(cat "$TESTDIR"/state1/mailhop/state/down.default)" "^server 127\\.0\\.0\\.1:$dead\$" \
    "the mark is in the spool's state directory"

failover "greeting 554" --reply 'GREET * 554 5.3.2 not now'
failover "greeting 421" --reply 'GREET * 421 4.3.2 try again later'
failover "greeting dropped" --drop connect
failover "EHLO 421" --reply 'EHLO * 421 4.3.2 busy'
failover "EHLO 550" --reply 'EHLO * 550 5.7.1 go away'
failover "STARTTLS missing" --no-starttls
failover "untrusted certificate" --cert "$TESTDIR/otherca/server.pem" --key "$TESTDIR/otherca/server.key"
failover "AUTH refused" --user alice:another-password
failover "AUTH 454" --reply 'AUTH * 454 4.7.0 temporary authentication failure'
failover "MAIL 451" --reply 'MAIL * 451 4.3.0 try later'
failover "timeout before MAIL" --delay ehlo 5

# stands DESC EXPECT SMTPD-ARGS...: an answer from default that stands.
stands() {
    local desc=$1 expect=$2 nb
    shift 2
    start_smtpd --tls starttls --user alice:pw-a "$@" || bail "no smtpd"
    conf "$SMTPD_PORT"
    queue_fresh "$desc"
    nb=$(bcount)
    mh mailhop flush >/dev/null 2>&1
    is "$(bcount)" "$nb" "$desc: backup is not offered the recipient"
    like "$(mh mailhop queue --json)$(cat "$SMTPD_LOG")" "$expect" "$desc: default's answer stands"
    unlike "$(mh mailq)" "is down until" "$desc: default is not marked down"
    stop_smtpd
}
stands "RCPT 550" '"type": "transaction".*"code": 550' \
    --reply 'RCPT bob@* 550 5.1.1 no such user'
stands "RCPT 451" '"last_reply": *"451 4\.7\.1 greylisted"' \
    --reply 'RCPT bob@* 451 4.7.1 greylisted'
stands "MAIL 550" '"mail_from": "<>".*"state": "accepted"' \
    --reply 'MAIL alice@* 550 5.7.1 sender refused'

# 451 at the final dot: deferred; the same recipients are not sent to
# backup in this flush; the next attempt starts again at default.
start_smtpd --tls starttls --user alice:pw-a --reply 'DOT:1 * 451 4.3.0 later' || bail "no smtpd"
conf "$SMTPD_PORT"
queue_fresh "dot 451"
nb=$(bcount)
mh mailhop flush >/dev/null 2>&1
is "$(bcount)" "$nb" "451 at the final dot: backup gets nothing in the same flush"
is "$(transcript count):$(transcript code)" "1:451" "default got the data once and said 451"
like "$(mh mailhop queue --json)" '"relay": *"default".*"attempts": *1' "deferred, via default"
mh sendmail -q >/dev/null 2>&1
is "$(transcript delivered)" "bob@example.net" "the next attempt starts again at default"
is "$(bcount):$(spool_count)" "$nb:0" "and backup never saw it"
stop_smtpd

# Down across runs: later flushes go straight to backup for down_time,
# then default is probed again.
start_smtpd --tls starttls --user alice:pw-a; port=$SMTPD_PORT; stop_smtpd
conf "$port" ""
sed -i 's/^timeout = 2s$/timeout = 2s\ndown_time = 3s/' "$MAILHOP_CONFIG"
queue_fresh "down 1"
mh mailhop flush >/dev/null 2>&1
like "$(mh mailq)" "upstream default .* is down until" "default refused: marked down"
start_smtpd --tls starttls --user alice:pw-a --port "$port" || bail "no smtpd again"
nb=$(bcount)
printf 'Subject: down 2\n\nx\n' | mh sendmail -f alice@example.org carol@example.net
mh mailhop flush >/dev/null 2>&1
is "$(transcript connections):$(bcount)" "0:$((nb + 1))" \
    "while down, the next flush goes straight to backup: default is not even connected to"
sleep 3.2
printf 'Subject: down 3\n\nx\n' | mh sendmail -f alice@example.org dave@example.net
mh mailhop flush >/dev/null 2>&1
is "$(transcript delivered)" "dave@example.net" "after down_time default is tried again"
unlike "$(mh mailq)" "is down" "and it is no longer shown as down"

# Every upstream of the route down: the first is tried anyway.
stop_smtpd
conf "$port" ""
queue_fresh "all down"
stop_smtpd --all
mh mailhop flush >/dev/null 2>&1
out=$(mh mailq)
like "$out" "upstream default .* is down until" "both refused: default is down"
like "$out" "upstream backup .* is down until" "and backup too"
start_smtpd --tls starttls --user alice:pw-a --port "$port" || bail "no smtpd again"
mh sendmail -q >/dev/null 2>&1
is "$(transcript delivered):$(spool_count)" "bob@example.net:0" "all down: the first was tried anyway, and delivered"
unlike "$(mh mailq)" "upstream default .* is down" "its mark is gone once it answered"

# A mark is cleared only by an answer from the upstream, not by a run
# that chose it and could not even start a session with it (here its
# password_command fails): `* = default` alone tries it whatever the mark.
stop_smtpd --all
start_smtpd --tls none --no-auth; dead=$SMTPD_PORT; stop_smtpd
only() { # [EXTRA upstream keys]
    MH_CONF_BASE=no mh_conf "$(mh_upstream default "$dead" none)
timeout = 2s
$1
[queue]
deliver = queue
[route]
* = default"
}
only
queue_fresh "no answer"
mh mailhop flush >/dev/null 2>&1
like "$(mh mailq)" "^-- upstream default .* is down until .*: .*" "refused: default is down"
mark=$(cat "$XDG_STATE_HOME/mailhop/state/down.default")
only "user = alice
password_command = exit 3"
mh sendmail -q >/dev/null 2>&1
like "$(mh mailq)" "\\(.*password_command.*\\)" "a run that cannot start a session records why"
like "$(mh mailq)" "^-- upstream default .* is down until " \
    "default is still down: it never answered"
is "$(cat "$XDG_STATE_HOME/mailhop/state/down.default")" "$mark" "its mark is unchanged"
