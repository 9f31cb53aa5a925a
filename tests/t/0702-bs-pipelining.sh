#!/bin/bash
# tests/t/0702-bs-pipelining.sh: cmd_smtp.c.  PIPELINING: a whole session
# in one write gets every reply in order; a client that waits for each
# reply (no pipelining) is never left hanging; several messages per
# session; RSET drops a transaction.
. "$TESTLIB/tap.sh"
plan 17

SPOOL=$XDG_STATE_HOME/mailhop
mh_conf '[upstream]
helo = mx.test.example
[sender]
domain = example.com'
env_sender() { sed -n 's/^sender <\(.*\)>$/\1/p' "$SPOOL/$1.e"; }
env_rcpts() { awk '$1 == "rcpt" { printf "%s%s", sep, $5; sep = " " }' "$SPOOL/$1.e"; }
codes() { tr -d '\r' <"$1" | grep -v '^[0-9][0-9][0-9]-' | cut -c1-3 | tr '\n' ' '; }

# Two messages and a reset transaction, all in one write (RFC 2920).
{
	printf 'EHLO pipe.example\r\n'
	printf 'MAIL FROM:<one@example.org>\r\nRCPT TO:<a@example.net>\r\nRCPT TO:<b@example.net>\r\nDATA\r\n'
	printf 'Subject: first\r\n\r\nfirst body\r\n.\r\n'
	printf 'MAIL FROM:<dropped@example.org>\r\nRCPT TO:<x@example.net>\r\nRSET\r\n'
	printf 'MAIL FROM:<>\r\nRCPT TO:<c@example.net>\r\nDATA\r\n'
	printf 'Subject: second\r\n\r\nsecond body\r\n.\r\nQUIT\r\n'
} >p.in
mh sendmail -bs <p.in >p.out 2>p.err
is "$?" 0 "pipelined session: exit 0"
is "$(wc -c <p.err)" 0 "pipelined session: nothing on stderr"
is "$(codes p.out)" "220 250 250 250 250 354 250 250 250 250 250 250 354 250 221 " \
    "pipelined session: every reply, in order"
ids=$(tr -d '\r' <p.out | sed -n 's/^250 2.0.0 Ok: queued as //p' | tr '\n' ' ')
set -- $ids
is "$#" 2 "two messages queued in one session"
is "$(spool_count)" 2 "two entries in the spool"
is "$(env_sender "$1") / $(env_rcpts "$1")" "one@example.org / a@example.net b@example.net" \
    "first message: its own envelope"
is "<$(env_sender "$2")> / $(env_rcpts "$2")" "<> / c@example.net" \
    "second message: null sender, recipient of the RSET transaction not kept"
like "$(cat "$SPOOL/$1.m")" $'^first body\r$' "first message body"
like "$(cat "$SPOOL/$2.m")" $'^second body\r$' "second message body"
unlike "$(cat "$SPOOL/$2.m")" 'first body' "second message does not carry the first"

# A client that waits for every reply before sending the next command,
# as Symfony Mailer does: each reply must be flushed before we read.
cat >step.py <<'EOF'
import os, subprocess, sys, select
p = subprocess.Popen([os.environ["MH_BIN"], "-bs"], executable=os.environ["MH_BIN"],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
buf = b""
def reply():
    # os.read, not readline: select() cannot see data already buffered
    global buf
    lines = []
    while True:
        while b"\r\n" not in buf:
            r, _, _ = select.select([p.stdout], [], [], 10)
            if not r:
                print("TIMEOUT after", lines); sys.exit(1)
            d = os.read(p.stdout.fileno(), 4096)
            if not d:
                print("EOF"); sys.exit(1)
            buf += d
        l, buf = buf.split(b"\r\n", 1)
        lines.append(l.decode())
        if l[3:4] != b"-":
            return lines[-1][:3]
def cmd(s):
    p.stdin.write(s.encode()); p.stdin.flush()
    return reply()
out = [reply()]
for c in ["EHLO step.example\r\n", "MAIL FROM:<step@example.org>\r\n",
          "RCPT TO:<s@example.net>\r\n", "DATA\r\n",
          "Subject: step\r\n\r\nstep body\r\n.\r\n", "NOOP\r\n", "QUIT\r\n"]:
    out.append(cmd(c))
p.stdin.close()
err = p.stderr.read()
print(" ".join(out), p.wait(), len(err))
EOF
# argv[0] must be "sendmail": run it through a link of that name.
mkdir -p bin && ln -s "$MAILHOP_BIN" bin/sendmail
out=$(MH_BIN=$PWD/bin/sendmail timeout 20 "$PYTHON" step.py)
is "$out" "220 250 250 250 354 250 250 221 0 0" \
    "lock-step client: every reply arrives without further input; exit 0; stderr empty"
is "$(spool_count)" 3 "lock-step message queued"

# Replies are flushed before blocking, also in the middle of a pipelined
# group: the client sends the group, then waits for all replies.
cat >group.py <<'EOF'
import os, subprocess, select, sys
p = subprocess.Popen([os.environ["MH_BIN"], "-bs"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
buf = b""
def need(n):
    global buf
    while buf.count(b"\r\n") < n:
        r, _, _ = select.select([p.stdout], [], [], 10)
        if not r:
            print("TIMEOUT", buf); sys.exit(1)
        d = os.read(p.stdout.fileno(), 4096)
        if not d:
            print("EOF", buf); sys.exit(1)
        buf += d
need(1)
p.stdin.write(b"EHLO g\r\nMAIL FROM:<g@example.org>\r\nRCPT TO:<g1@example.net>\r\nRCPT TO:<g2@example.net>\r\nDATA\r\n"); p.stdin.flush()
need(1 + 7 + 4)
p.stdin.write(b"Subject: group\r\n\r\ng\r\n.\r\nQUIT\r\n"); p.stdin.close()
print(p.wait(), p.stdout.read().count(b"\r\n") + buf.count(b"\r\n"))
EOF
out=$(MH_BIN=$PWD/bin/sendmail timeout 20 "$PYTHON" group.py)
is "$out" "0 14" "pipelined group up to DATA: the 354 comes without more input"
is "$(spool_count)" 4 "grouped message queued"

# Commands and DATA lines with LF-only line endings are taken, as Postfix
# 3.9's smtpd_forbid_bare_newline = normalize does; but only CRLF "." CRLF
# ends DATA (issue 9, #2: SMTP smuggling), so an LF-only "." ends nothing.
printf 'HELO lf\nMAIL FROM:<lf@example.org>\nRCPT TO:<lf@example.net>\nDATA\nSubject: lf\n\nlf body\n.\nQUIT\n' |
    mh sendmail -bs >lf.out 2>lf.err
is "$?:$(codes lf.out)" "74:220 250 250 250 354 " "LF-only \".\": DATA never ended, nothing queued (74)"
printf 'HELO lf\nMAIL FROM:<lf@example.org>\nRCPT TO:<lf@example.net>\nDATA\nSubject: lf\n\nlf body\r\n.\r\nQUIT\n' |
    mh sendmail -bs >lf.out 2>lf.err
is "$(codes lf.out)" "220 250 250 250 354 250 221 " "LF-only lines ended by CRLF . CRLF: accepted"
id=$(tr -d '\r' <lf.out | sed -n 's/^250 2.0.0 Ok: queued as //p')
like "$(od -c "$SPOOL/$id.m" | tr -s ' ')" 'l f b o d y \\r \\n' "LF-only DATA queued with CRLF"
