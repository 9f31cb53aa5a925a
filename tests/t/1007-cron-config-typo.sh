#!/bin/bash
# tests/t/1007-cron-config-typo.sh: real callers (issue 12; SPEC 7 rev. 2),
# from the user's side: a typo in a section only delivery reads ([upstream]
# or [log]) must not lose cron's output.  Debian cron's and cronie's
# command lines as they run them: sendmail exits 0 and the mail is queued,
# mailq works, the delivery names the mistake as the entry's last reply,
# and once the file is fixed the mail goes out.  A mistake in [sender],
# [aliases] or [queue] still stops queueing, with one line naming it.
. "$TESTLIB/tap.sh"
plan 23

start_smtpd || bail "no smtpd"
f="$TESTDIR/cron.conf"
# conf TEXT: a working [upstream] at the test server plus TEXT, in $f (the
# file the user edits); deliver stays the default, background (-odb).
conf() {
	MH_CONF_BASE=no mh_conf "[upstream]
host = 127.0.0.1
port = $SMTPD_PORT
tls = starttls
ca_file = $TESTDIR/ca/ca.pem
user = alice
password = secret-pw-1
[sender]
domain = example.com
$1"
	cp "$MAILHOP_CONFIG" "$f"
	export MAILHOP_CONFIG="$f"
}
job() { printf 'Subject: Cron <root@host> %s\n\n%s output\n' "$1" "$1"; }
# last_reply ID: the entry's last reply, as mailq shows it
last_reply() {
	mh mailq | awk -v id="$1" '$1 == id { p = 1; next } /^[^ ]/ { p = 0 }
	    p && /^ +\(/ { sub(/^ +\(/, ""); sub(/\)$/, ""); print }'
}
newest() { mh mailhop queue --json | sed -n 's/^{"id": *"\([^"]*\)".*/\1/p' | tail -n 1; }

# 1. [upstream]: "hots" for "host".  Debian cron; the background delivery
# that sendmail starts records the mistake.
conf $'[upstream]\nhots = smtp.example.com'
line=$(grep -n '^hots' "$f" | cut -d: -f1)
job backup | mh sendmail -FCronDaemon -i -B8BITMIME -oem root 2>cron.err
is "$? $(cat cron.err)" "0 " "Debian cron, a typo in [upstream]: exit 0, nothing on stderr"
is "$(spool_count)" 1 "cron's output is queued, not lost"
id1=$(newest)
out=$(mh mailq 2>&1)
is "$?" 0 "mailq works"
like "$out" "^$id1 " "and lists it"
named() { last_reply "$id1" | grep -q 'unknown key'; }
wait_for named
is "$(last_reply "$id1")" "$f:$line: unknown key \"hots\" in [upstream]" \
    "the background delivery left the mistake as its last reply (file, line, key)"
is "$(transcript connections)" 0 "nothing was sent"

# 2. [log]: "fiel" for "file".  cronie: -odi -t.
conf $'[log]\nfiel = /tmp/x.log'
line=$(grep -n '^fiel' "$f" | cut -d: -f1)
{ printf 'To: root\n'; job report; } | mh sendmail -FCronDaemon -i -odi -oem -oi -t 2>cronie.err
is "$?" 0 "cronie (-odi), a typo in [log]: exit 0"
like "$(cat cronie.err)" "$f:$line: unknown key \"fiel\" in \\[log\\]" \
    "stderr says why it is not delivered yet"
is "$(spool_count)" 2 "queued"
is "$(last_reply "$(newest)")" "$f:$line: unknown key \"fiel\" in [log]" "mailq names the [log] mistake"
out=$(mh mailhop config 2>&1)
is "$?" 78 "mailhop config exits 78"
is "$out" "mailhop: $f:$line: unknown key \"fiel\" in [log]" "naming it"

# 3. Fixed: both go out at the next sendmail -q.
conf ""
mh sendmail -q
wait_transactions 2
is "$(transcript delivered)" "root@example.com root@example.com" "after the fix both are delivered"
is "$(spool_count)" 0 "and the queue is empty"

# 4. [sender], [aliases], [queue]: the message cannot be queued right.
for t in $'[sender]\nfrom = not an address' \
    $'[aliases]\nroot = admin@example.com\nroot = other@example.com' \
    $'[queue]\nmax_sise = 10M'; do
	conf "$t"
	sect=$(printf '%s\n' "$t" | head -n 1)
	job x | mh sendmail -FCronDaemon -i -B8BITMIME -oem root 2>q.err
	is "$?" 78 "a mistake in $sect stops queueing: exit 78"
	like "$(cat q.err)" "^mailhop: $f:[0-9]+: .*\\$sect" "one line naming file, line and $sect"
	is "$(spool_count)" 0 "nothing queued"
done
