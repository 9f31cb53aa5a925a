#!/bin/bash
# text.c (issue 9, #8): terminal control sequences from a hostile server
# or sender reach no person and no DSN.  UTF-8 C1 controls (U+009B CSI,
# U+009D OSC), U+202E and ESC in a reply are kept out of -v output, the
# -odi report, mailq, queue --json, show, the log and the bounce; the
# bounce's text parts are the US-ASCII they claim; an address with a C1
# or bidi control is refused; `mailhop show` escapes the message for a
# terminal and copies it unchanged into a pipe.
. "$TESTLIB/tap.sh"
plan 19

# The bytes no person may receive raw: C2 9B, C2 9D, E2 80 AE, ESC.
unsafe=$'\xc2\x9b\|\xc2\x9d\|\xe2\x80\xae\|\x1b'
has_unsafe() { LC_ALL=C grep -q "$unsafe" "$@"; }

hostile='\xc2\x9b31mRED \xe2\x80\xaeevil \x1b]0;owned\x07 \xc2\x9d0;t'
start_smtpd --reply "RCPT later@* 451 4.3.0 $hostile" \
    --reply "RCPT gone@* 550 5.1.1 $hostile" --reply "RCPT j*@* 550 5.1.1 no"
mh_conf_log
printf 'Subject: x\n\nhi\n' | mh sendmail -v -odi -f alice@example.org \
    later@example.net gone@example.net $'j\xc3\xbcrgen@example.net' 2>err.txt
is "$(spool_count)" 1 "-odi: queued; one recipient deferred, two bounced"
like "$(LC_ALL=C cat err.txt)" "<-- 451 4.3.0 \?31mRED \?evil \]0;owned \?0;t" \
    "-v shows the reply with the controls replaced"
has_unsafe err.txt
ok $((! $?)) "no C1, bidi or ESC byte in -v output or the -odi report"

mh mailq > mailq.txt
like "$(LC_ALL=C cat mailq.txt)" "\(451 4\.3\.0 \?31mRED \?evil \]0;owned \?0;t\)" \
    "mailq shows the last reply, controls replaced"
has_unsafe mailq.txt
ok $((! $?)) "no C1, bidi or ESC byte in mailq"
mh mailhop queue --json > json.txt
like "$(cat json.txt)" '"last_reply":"451 4\.3\.0 \?31mRED \?evil \]0;owned \?0;t"' \
    "queue --json has the stored reply, controls replaced"
has_unsafe json.txt
ok $((! $?)) "no C1, bidi or ESC byte in queue --json"
has_unsafe "$LOG"
ok $((! $?)) "no C1, bidi or ESC byte in the log"
like "$(LC_ALL=C cat "$LOG")" "to=<later@example\.net>.*status=deferred \(451 4\.3\.0 \?31mRED" \
    "the log has the reply, controls replaced"

# The bounce for gone@ goes to alice@ with the next flush.
mh mailhop flush
wait_transactions 1
transcript data > dsn.eml
like "$(cat dsn.eml)" "Content-Type: text/plain; charset=us-ascii" \
    "the bounce's notice says US-ASCII"
LC_ALL=C grep -q $'[\x80-\xff]' dsn.eml
ok $((! $?)) "and the bounce has no byte above 0x7f"
LC_ALL=C tr -d '\r\n\t' < dsn.eml | LC_ALL=C grep -q $'[\x01-\x1f\x7f]'
ok $((! $?)) "nor a control byte other than CR, LF, TAB"
like "$(cat dsn.eml)" 'Final-Recipient: rfc822; j\\x\{FC\}rgen@example\.net' \
    "a UTF-8 address is written with RFC 6533 escapes"

# An address with a C1 or bidi control is refused, and not echoed raw.
printf 'x\n' | mh sendmail -odq $'bob\xe2\x80\xae@example.net' 2>err2.txt
is "$?" 65 "a recipient with U+202E is refused (65)"
has_unsafe err2.txt
ok $((! $?)) "the error names it with an escape, not the raw character"

# show: raw into a pipe, escaped on a terminal.
printf 'Subject: tty\n\nbody \033]0;pwned\007 \302\233 end\n' |
    mh sendmail -odq -f alice@example.org bob@example.net
id=$(cd "$XDG_STATE_HOME/mailhop" && ls -t *.e | head -n 1); id=${id%.e}
mh mailhop show "$id" > show.txt
LC_ALL=C grep -q $'\x1b]0;pwned\x07' show.txt
ok $? "show into a pipe copies the message unchanged"
"$PYTHON" - "$MAILHOP_BIN" show "$id" > tty.txt <<'EOF'
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], ["mailhop"] + sys.argv[2:])
out = b""
while True:
    try:
        d = os.read(fd, 65536)
    except OSError:
        break
    if not d:
        break
    out += d
os.waitpid(pid, 0)
sys.stdout.buffer.write(out)
EOF
has_unsafe tty.txt
ok $((! $?)) "show on a terminal writes no ESC, C1 or bidi byte"
like "$(LC_ALL=C tr -d '\r' < tty.txt)" '^body \\x1b\]0;pwned\\x07 \\x\{9B\} end$' \
    "it shows them as escapes"
like "$(LC_ALL=C tr -d '\r' < tty.txt)" '^Subject: tty$' "headers are shown as lines"
