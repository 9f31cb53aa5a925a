#!/bin/bash
# tests/t/0443-test-upstreams.sh: uptest.c, main.c, request.c.
# SPEC 1, 9: `mailhop test` checks the default upstream, `mailhop test
# NAME` one, `mailhop test --all` each, one line per upstream, exit 0
# only if all pass; nothing is sent; an upstream marked down says so.
. "$TESTLIB/tap.sh"
plan 20

start_smtpd --tls starttls --user alice:pw-a || bail "no smtpd a"
A_PORT=$SMTPD_PORT A_LOG=$SMTPD_LOG
start_smtpd --tls implicit --user bob:pw-b || bail "no smtpd b"
B_PORT=$SMTPD_PORT B_LOG=$SMTPD_LOG
start_smtpd --tls none --no-auth; DEAD=$SMTPD_PORT; stop_smtpd
conf() {
    MH_CONF_BASE=no mh_conf "$(mh_upstream default "$A_PORT" starttls alice pw-a)
$(mh_upstream backup "$B_PORT" tls bob pw-b)
$(mh_upstream bad "$DEAD" none)
[queue]
deliver = queue
$1"
}
conf

out=$(mh mailhop test 2>&1)
is "$?" 0 "test: the default upstream passes"
like "$out" "^relay: 127\\.0\\.0\\.1\\[127\\.0\\.0\\.1\\]:$A_PORT \\(STARTTLS\\)\$" "with the full report of default"
like "$out" "^auth: PLAIN as alice: ok" "its AUTH"
out=$(mh mailhop test backup 2>&1)
is "$?" 0 "test backup: passes"
like "$out" "^relay: 127\\.0\\.0\\.1\\[127\\.0\\.0\\.1\\]:$B_PORT \\(implicit TLS\\)\$" "the report is backup's"
like "$out" "^auth: [A-Z]+ as bob: ok" "with backup's own credentials"

out=$(mh mailhop test --all 2>"$TESTDIR/err")
is "$?" 69 "test --all: one fails, so exit 69"
is "$(printf '%s\n' "$out" | wc -l)" 3 "one line per upstream"
like "$out" "^default: ok, 127\\.0\\.0\\.1\\[127\\.0\\.0\\.1\\]:$A_PORT, STARTTLS TLSv1\\.[23], AUTH PLAIN as alice\$" \
    "default: ok, with TLS and AUTH"
like "$out" "^backup: ok, 127\\.0\\.0\\.1\\[127\\.0\\.0\\.1\\]:$B_PORT, TLS TLSv1\\.[23], AUTH [A-Z]+ as bob\$" \
    "backup: ok"
like "$out" "^bad: FAILED: 127\\.0\\.0\\.1:$DEAD: .*" "bad: FAILED, naming host and port"
is "$(cat "$TESTDIR/err")" "mailhop: 1 of 3 upstreams failed the test" "stderr counts the failures"
is "$(SMTPD_LOG=$A_LOG transcript transactions):$(SMTPD_LOG=$B_LOG transcript transactions)" "0:0" \
    "nothing was sent"

err=$(mh mailhop test nope 2>&1)
is "$?" 64 "an unknown name: exit 64"
is "$err" "mailhop: test: no upstream \"nope\" (configured: default, backup, bad)" "naming the ones there are"
mh mailhop test backup --all >/dev/null 2>&1
is "$?" 64 "a NAME and --all: exit 64"

# Marked down: test --all says so (and until when).
conf "[route]
* = bad, backup"
printf 'Subject: x\n\nhi\n' | mh sendmail -f alice@example.org carol@example.net
mh mailhop flush >/dev/null 2>&1
out=$(mh mailhop test --all 2>&1)
like "$out" "^bad: FAILED: .* \\(marked down until [0-9T:+-]+: .*\\)\$" "a down upstream is shown as such"
unlike "$(printf '%s\n' "$out" | grep '^backup')" "marked down" "the others are not"
out=$(mh mailhop test bad 2>&1)
like "$out" "down: \\(marked down until " "and in the full report of that one"

# A delivery-only mistake: nothing is tested, exit 78.
conf "[upstream.backup]
hots = x"
mh mailhop test --all >/dev/null 2>&1
is "$?" 78 "a mistake in the configuration: exit 78"
