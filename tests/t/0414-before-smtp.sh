#!/bin/bash
# tests/t/0414-before-smtp.sh: deliver.c (dl_batch, dl_fail_batch),
# cmd_send.c.  SPEC 8: a delivery that cannot start because of the
# configuration -- no host, a secret that cannot be read, a failing
# password_command, a bad key -- is recorded on every due entry like a
# connection failure: the attempt counts, backoff and max_age apply, the
# reason is the last reply that mailq and queue --json show.  Queueing
# with no upstream says so on a terminal only.
. "$TESTLIB/tap.sh"
plan 21

# json_rcpt FIELD: that field of the first recipient of the first entry
json_rcpt() {
	mh mailhop queue --json | "$PYTHON" -c '
import json, sys, time, datetime
r = json.loads(sys.stdin.readline())["recipients"][0]
f = sys.argv[1]
if f == "due_in":
    t = datetime.datetime.fromisoformat(r["next_attempt"]).timestamp()
    print(round((t - time.time()) / 10) * 10)
else:
    print(r[f])' "$1"
}

start_smtpd || bail "no smtpd"
n=0
try() {	# NAME CONFIG-EXTRA: one fresh entry, one flush
	n=$((n + 1))
	export XDG_STATE_HOME=$TESTDIR/state$n
	MH_CONF_BASE=no mh_conf "$2
[queue]
deliver = queue
retry = 1m..1h
$3"
	printf 'Subject: %s\n\nx\n' "$1" | mh sendmail -f alice@example.org bob@example.net
	mh mailhop flush >/dev/null 2>"$TESTDIR/err"
	st=$?
}
base="[upstream]
port = $SMTPD_PORT
ca_file = $TESTDIR/ca/ca.pem
user = alice"

try nohost "$base
password = secret-pw-1"
is "$st" 75 "no host: the flush defers (75)"
is "$(json_rcpt attempts) $(json_rcpt due_in)" "1 60" "the attempt counts; next in 1m (backoff)"
is "$(json_rcpt last_reply)" "[upstream] host is not set" "the reason is the last reply"
like "$(mh mailq)" "\(\[upstream\] host is not set\)" "mailq shows it"
like "$(cat "$TESTDIR/err")" "^mailhop: \[upstream\] host is not set$" "the flush says it once on stderr"
mh sendmail -q 2>/dev/null
is "$(json_rcpt attempts)" 2 "a second attempt counts again"

try unreadable "$base
host = 127.0.0.1
password_file = $TESTDIR/nope"
is "$(json_rcpt attempts)" 1 "a secret that cannot be read: attempt counted"
like "$(json_rcpt last_reply)" "^password_file $TESTDIR/nope: No such file" "and named"
is "$(transcript connections)" 0 "nothing connected"

try failing "$base
host = 127.0.0.1
password_command = echo no; exit 4"
is "$(json_rcpt attempts)" 1 "a failing password_command: attempt counted"
like "$(json_rcpt last_reply)" "password_command failed \(exit 4\)" "and named"

try badkey "$base
host = 127.0.0.1
password = secret-pw-1
hots = typo"
is "$(json_rcpt attempts)" 1 "a bad key in [upstream]: queued anyway, attempt counted"
like "$(json_rcpt last_reply)" "unknown key \"hots\"" "the last reply names the key"

# max_age applies: an old entry whose attempt fails before SMTP bounces.
try aging "$base
password = secret-pw-1" "max_age = 1s"
sleep 2.1
mh sendmail -q 2>/dev/null
is "$(mh mailhop queue --json | grep -c '"sender":""')" 1 \
    "past max_age, a failure before SMTP is final: a bounce is queued"
like "$(mh mailhop queue --json | grep '"sender":""')" '"address":"alice@example.org"' \
    "to the sender"
is "$(mh mailhop queue --json | grep -c '"sender":"alice@example.org"')" 0 "the old entry is gone"

# Queueing with no upstream: one line on a terminal, nothing otherwise.
export XDG_STATE_HOME=$TESTDIR/state-tty
MH_CONF_BASE=no mh_conf "[sender]
domain = example.org"
printf 'Subject: t\n\nx\n' | mh sendmail bob@example.net 2>"$TESTDIR/err"
is "$?:$(wc -c < "$TESTDIR/err")" "0:0" "stderr not a terminal: exit 0, nothing said"
printf '#!/bin/bash\nprintf "Subject: t\\n\\nx\\n" | exec -a sendmail "%s" bob@example.net\n' \
    "$MAILHOP_BIN" > "$TESTDIR/send.sh"
chmod 755 "$TESTDIR/send.sh"
out=$(script -qec "$TESTDIR/send.sh" /dev/null </dev/null | tr -d '\r')
like "$out" "^mailhop: queued, but no upstream is configured: set host in \[upstream\] \(see mailhop\.conf\(5\)\)" \
    "on a terminal: one line naming mailhop.conf(5)"
is "$(printf '%s\n' "$out" | grep -c .)" 1 "only that line"
is "$(spool_count)" 2 "both messages are queued"
printf 'EHLO x\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nDATA\r\nSubject: s\r\n\r\nx\r\n.\r\nQUIT\r\n' |
    mh sendmail -bs >/dev/null 2>"$TESTDIR/err"
is "$(wc -c < "$TESTDIR/err")" 0 "-bs (Symfony) without a terminal: nothing on stderr"
