#!/bin/bash
# tests/t/0707-bs-idle.sh: cmd_smtp.c.  A -bs client that goes silent is
# given up on after 5 x `timeout` (RFC 5321 4.5.3.2's 5 minutes with the
# default 60s) with a 421: between commands the session ends as at EOF;
# during DATA the unfinished message is dropped, nothing of it left in the
# spool, and the exit status says so.
. "$TESTLIB/tap.sh"
plan 9

SPOOL=$XDG_STATE_HOME/mailhop
mh_conf '[upstream]
helo = mx.test.example
timeout = 1s'

# session TEXT: write TEXT to sendmail -bs, then keep stdin open and silent
# (for at most 20 s); prints the replies, the exit status and the seconds
# taken.
session() {
	"$PYTHON" - "$1" <<'PY'
import os, subprocess, sys, time
t0 = time.monotonic()
p = subprocess.Popen(["sendmail", "-bs"], executable=os.environ["MH_BIN"],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE)
p.stdin.write(sys.argv[1].encode().decode("unicode_escape").encode())
p.stdin.flush()
try:
    p.wait(timeout=20)      # stdin stays open and silent meanwhile
except subprocess.TimeoutExpired:
    p.kill()
    p.wait()
out, err = p.stdout.read(), p.stderr.read()
p.stdin.close()
print(out.decode().replace("\r", ""), end="")
print("exit=%d" % p.returncode)
print("stderr=%s" % err.decode().strip())
print("secs=%d" % round(time.monotonic() - t0))
PY
}

out=$(session 'EHLO client.example\r\n')
like "$out" $'^421 4\\.4\\.2 mx\\.test\\.example idle for 5s, closing$' "a silent client gets 421 after 5 x timeout"
like "$out" '^exit=0$' "between commands: the session ends as at EOF (exit 0)"
like "$out" '^secs=(5|6|7)$' "after about 5 s, not at once and not never"
is "$(spool_count)" 0 "nothing queued"

out=$(session 'EHLO client.example\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nDATA\r\nSubject: half\r\n\r\nfirst line\r\n')
like "$out" '^354 ' "DATA was started"
like "$out" $'^421 4\\.4\\.2 ' "then 421 when the client goes silent"
like "$out" '^exit=74$' "exit 74: the message was not queued"
like "$out" '^stderr=mailhop: -bs: the client went silent during DATA; that message was not queued$' \
    "and one line says so"
is "$(spool_litter "$SPOOL" | wc -l)" 0 \
    "no message file, envelope or temporary file is left in the spool"
