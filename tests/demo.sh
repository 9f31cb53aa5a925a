#!/bin/bash
# tests/demo.sh - watch one cron-style message go all the way: the test SMTP
# server starts on 127.0.0.1 (throwaway CA, STARTTLS, AUTH), the built
# sendmail queues a message the way Debian's cron sends it, mailq shows it,
# sendmail -q delivers it, and we print what the server received.
# Run it from the source tree after ./configure && make.
here=$(cd "$(dirname "$0")" && pwd)
export TESTLIB="$here/lib" TESTSRC="$here" PYTHON=/usr/bin/python3
export MAILHOP_BIN="${MAILHOP_BIN:-$here/../src/mailhop}"
[ -x "$MAILHOP_BIN" ] || { echo "demo: build first (make)" >&2; exit 1; }
. "$TESTLIB/tap.sh"
trap 'stop_smtpd --all; rm -rf "$TESTDIR"' EXIT

start_smtpd --tls starttls --auth plain,login --user alice:secret-pw-1 ||
    { echo "demo: the test SMTP server did not start" >&2; exit 1; }
mh_conf "[aliases]
root = admin@example.com"
echo "== test server on 127.0.0.1:$SMTPD_PORT (STARTTLS, AUTH); config:"
sed 's/^password = .*/password = ********/' "$MAILHOP_CONFIG"
echo
echo "== cron runs: sendmail -FCronDaemon -i -B8BITMIME -oem root"
printf 'Content-Type: text/plain; charset=UTF-8\nSubject: Cron <root@host> run-parts --report /etc/cron.daily\n\n/etc/cron.daily/logrotate:\nerror: stat of /var/log/app.log failed\n' |
    mh sendmail -FCronDaemon -i -B8BITMIME -oem root
echo "exit status $? (0: the message is on disk in the spool)"
echo
echo "== mailq"
mh mailq
echo
echo "== sendmail -q"
mh sendmail -q
echo "exit status $?"
echo
echo "== the server received (TLS: $(transcript tls), AUTH: $(transcript auth)):"
echo "MAIL FROM:<$(transcript mail)>"
echo "RCPT TO:<$(transcript rcpt)>"
echo "DATA"
transcript data 1 | tr -d '\r'
echo "."
