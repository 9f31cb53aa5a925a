#!/bin/bash
# tests/t/1002-symfony.sh: real callers.  Symfony Mailer and Laravel:
# "sendmail -bs" with a lock-step SMTP client that greets with HELO, sends
# several messages on one process and treats anything on stderr at
# start-up as a failure; and "sendmail -t" with LF line endings.
. "$TESTLIB/tap.sh"
plan 15

start_smtpd
mh_conf '[sender]
domain = example.com'
mkdir -p bin && ln -s "$MAILHOP_BIN" bin/sendmail
. "$TESTLIB/snap.sh"

# The shape of Symfony's SmtpTransport over a ProcessStream: read the 220,
# fail if stderr has anything, HELO, then per message MAIL/RCPT.../DATA
# with the message dot-stuffed and CRLF, each reply awaited; QUIT at the end.
cat >symfony.py <<'EOF'
import os, select, subprocess, sys
p = subprocess.Popen([os.environ["SENDMAIL"], "-bs"], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
buf = b""
def reply(expect):
    global buf
    while True:
        while b"\r\n" not in buf:
            r, _, _ = select.select([p.stdout], [], [], 10)
            if not r:
                sys.exit("timeout waiting for %s" % expect)
            d = os.read(p.stdout.fileno(), 4096)
            if not d:
                sys.exit("EOF waiting for %s" % expect)
            buf += d
        line, buf = buf.split(b"\r\n", 1)
        if line[3:4] != b"-":
            break
    if int(line[:3]) != expect:
        sys.exit("expected %d, got %r" % (expect, line))
    return line.decode()
def cmd(s, expect):
    p.stdin.write(s.encode() + b"\r\n"); p.stdin.flush()
    return reply(expect)
reply(220)
# ProcessStream: any stderr output right after start is an error
r, _, _ = select.select([p.stderr], [], [], 0.2)
if r and os.read(p.stderr.fileno(), 4096):
    sys.exit("stderr output at start-up")
cmd("HELO [127.0.0.1]", 250)
def send(sender, rcpts, msg):
    cmd("MAIL FROM:<%s>" % sender, 250)
    for r in rcpts:
        cmd("RCPT TO:<%s>" % r, 250)
    cmd("DATA", 354)
    lines = msg.split("\n")
    data = "\r\n".join(("." + l) if l.startswith(".") else l for l in lines)
    p.stdin.write(data.encode() + b"\r\n.\r\n"); p.stdin.flush()
    print(reply(250))
send("app@example.org", ["anna@example.net", "hidden@example.net"],
     "From: App <app@example.org>\nTo: anna@example.net\nSubject: Welcome\n"
     "Message-ID: <0a1b2c@example.org>\nMIME-Version: 1.0\nDate: Tue, 25 Nov 2026 00:19:50 +0000\n"
     "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
     "Hello Anna,\n.leading dot\n.\nBye")
send("app@example.org", ["ben@example.net"],
     "From: App <app@example.org>\nTo: ben@example.net\nSubject: Reset\n\nYour code is 1234")
cmd("QUIT", 221)
p.stdin.close()
err = p.stderr.read()
print("exit", p.wait(), "stderr", len(err))
EOF
out=$(SENDMAIL=$PWD/bin/sendmail timeout 30 "$PYTHON" symfony.py 2>&1)
like "$out" '^exit 0 stderr 0$' "Symfony -bs session: every reply as expected, exit 0, stderr empty"
is "$(printf '%s\n' "$out" | grep -c '^250 2.0.0 Ok: queued as ')" 2 "two messages queued in one session"
is "$(spool_count)" 2 "both in the spool"
mh sendmail -q
snap
is "$(tcount)" 2 "both delivered"
is "$(tmail 1) $(tmail 2)" "app@example.org app@example.org" "envelope sender from MAIL FROM"
is "$(rcpts 1)" "anna@example.net hidden@example.net" "first: RCPT recipients, Bcc only in the envelope"
is "$(rcpts 2)" "ben@example.net" "second: its own recipient"
is "$(body 1)" $'Hello Anna,\r\n.leading dot\r\n.\r\nBye\r' "first body: unstuffed once, lone dot kept as content"
is "$(body 2)" $'Your code is 1234\r' "second body"
like "$(hdrs 1)" $'^Message-ID: <0a1b2c@example.org>\r$' "Symfony's Message-ID kept"

# "sendmail -t": Symfony replaces CRLF with LF before writing to the pipe.
printf 'From: App <app@example.org>\nTo: Carl <carl@example.net>\nCc: dora@example.net\nSubject: Digest\nDate: Tue, 25 Nov 2026 00:19:50 +0000\nMessage-ID: <dd@example.org>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nDigest line 1\nDigest line 2\n' |
    mh sendmail -t 2>t.err
is "$? $(wc -c <t.err)" "0 0" "sendmail -t: exit 0, nothing on stderr"
mh sendmail -q
snap
is "$(rcpts 3)" "carl@example.net dora@example.net" "sendmail -t: To and Cc"
is "$(tmail 3)" "$(id -un)@example.com" "sendmail -t: default envelope sender user@domain"
is "$(body 3)" $'Digest line 1\r\nDigest line 2\r' "sendmail -t: body as CRLF"
is "$(hdrs 3 | grep -c '^Message-ID:')" 1 "sendmail -t: no second Message-ID"
