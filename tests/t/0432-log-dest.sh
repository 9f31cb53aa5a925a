#!/bin/bash
# tests/t/0432-log-dest.sh: log.c (SPEC 10, logs that always land).
# [log] file = - is the delivering process's stderr; /dev/stderr and
# /dev/stdout work (they used to fail with "Too many levels of symbolic
# links"); another process's /proc/PID/fd/1 (a container's PID 1) is
# followed and appended to, never created; any other link is still
# refused.  format = json gives one object per recipient attempt with the
# text line's fields (read back with python3's json module).  syslog asked
# for with nothing on /dev/log: the line goes to the file if one is set,
# else to stderr when it is a terminal; the entry's last reply holds the
# reason in every case.
. "$TESTLIB/tap.sh"
plan 25

start_smtpd --reply 'RCPT later@* 451 4.3.0 try later' || bail "no smtpd"
logconf() {	# logconf FILE [MORE INI]
    mh_conf "[log]
syslog = no
file = $1
$2"
}
queue() { printf 'Subject: log\n\nx\n' | mh sendmail -odq -f alice@example.org "${@:-bob@example.net}"; }

# file = -: stderr of the delivering process.
logconf -
queue
out=$("$MAILHOP_BIN" flush 2>&1 >/dev/null); st=$?
is "$st" 0 "file = -: the flush delivers"
like "$out" "^[0-9T:+-]+ mailhop\\[[0-9]+\\]: [0-9A-Z]+: from=<alice@example\\.org>, to=<bob@example\\.net>, .*status=sent" \
    "the log line is on the flush's stderr"
out=$(printf 'Subject: odi\n\nx\n' | mh sendmail -odi -f alice@example.org odi@example.net 2>&1)
like "$out" "mailhop\\[[0-9]+\\]: .*to=<odi@example\\.net>, .*status=sent" \
    "-odi: on the caller's stderr"

# /dev/stderr and /dev/stdout: the links are followed.
logconf /dev/stderr
queue
out=$("$MAILHOP_BIN" flush 2>&1 >/dev/null); st=$?
is "$st" 0 "file = /dev/stderr: delivered"
like "$out" "to=<bob@example\\.net>, .*status=sent" "the line is on stderr"
unlike "$out" "symbolic link|not used" "and no warning"
logconf /dev/stdout
queue
out=$("$MAILHOP_BIN" flush 2>/dev/null)
like "$out" "to=<bob@example\\.net>, .*status=sent" "file = /dev/stdout: the line is on stdout"

# /proc/PID/fd/1 of another process: its pipe, as a container's PID 1 has.
exec 7> >(cat > "$TESTDIR/pid1.out")
sleep 60 >&7 &
pid1=$!
exec 7>&-
_tap_atexit+=("kill $pid1")
logconf "/proc/$pid1/fd/1"
queue
out=$("$MAILHOP_BIN" flush 2>&1); st=$?
is "$st:$out" "0:" "file = /proc/PID/fd/1: delivered, no warning"
kill "$pid1"; wait "$pid1" 2>/dev/null
_pid1_out() { grep -q 'status=sent' "$TESTDIR/pid1.out"; }
wait_for _pid1_out
ok $? "the line went down that process's stdout pipe"
logconf "/proc/$pid1/fd/1"
queue
out=$("$MAILHOP_BIN" flush 2>&1)
like "$out" "^mailhop: log file /proc/$pid1/fd/1: No such file or directory\$" \
    "a /proc/PID/fd path that does not exist: a warning, not a file made"
[ ! -e "/proc/$pid1/fd/1" ]
ok $? "(nothing was created)"

# Only those links: any other is refused, as before.
ln -s /dev/stderr "$TESTDIR/stderr.link"
logconf "$TESTDIR/stderr.link"
queue
out=$("$MAILHOP_BIN" flush 2>&1)
like "$out" "^mailhop: log file $TESTDIR/stderr\\.link: is a symbolic link; not used\$" \
    "a link of our own to /dev/stderr is not followed"
is "$(spool_count)" 0 "delivery goes on"

# A FIFO is appended to and never replaced.
mkfifo "$TESTDIR/fifo"
exec 3<> "$TESTDIR/fifo"
logconf "$TESTDIR/fifo"
queue
"$MAILHOP_BIN" flush 2>/dev/null
read -r -t 10 -u 3 line
like "$line" "to=<bob@example\\.net>.*status=sent" "a FIFO gets the line"
exec 3>&-
[ -p "$TESTDIR/fifo" ]
ok $? "and stays a FIFO"

# format = json, one object per recipient attempt.
LOG=$TESTDIR/json.log
logconf "$LOG" "format = json"
queue bob@example.net later@example.net
"$MAILHOP_BIN" flush 2>/dev/null
cat > check.py <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
att = [r for r in recs if "status" in r]
for r in att:
    assert set(r) >= {"time", "pid", "id", "from", "to", "relay", "delay",
                      "attempts", "status", "reply"}, sorted(r)
    assert isinstance(r["pid"], int) and isinstance(r["attempts"], int)
    assert isinstance(r["delay"], (int, float))
print(len(recs), len(att), " ".join(sorted(r["to"] + "=" + r["status"] for r in att)))
print([r["reply"] for r in att if r["status"] == "deferred"][0])
print(att[0]["from"], att[0]["relay"].startswith("default[127.0.0.1]:"))
PY
out=$("$PYTHON" check.py "$LOG" 2>&1)
is "$(sed -n 1p <<<"$out")" "2 2 bob@example.net=sent later@example.net=deferred" \
    "format = json: every line is a JSON object, one per recipient attempt, with the text line's fields"
is "$(sed -n 2p <<<"$out")" "451 4.3.0 try later" "the reply, as received"
is "$(sed -n 3p <<<"$out")" "alice@example.org True" "from and relay"
is "$(grep -c . "$LOG")" 2 "two lines"
logconf "$LOG" "format = xml"
out=$(mh mailhop config 2>&1); st=$?
is "$st" 78 "a bad format: mailhop config exits 78"
like "$out" "format.*expected text \\| json" "naming the values"

# syslog asked for, nothing on /dev/log (hidden in a mount namespace when
# this machine has one).
nolog() {
    if [ -e /dev/log ]; then
        unshare -m sh -c 'mount --bind /dev/null /dev/log && exec "$@"' sh "$@"
    else
        "$@"
    fi
}
if [ -e /dev/log ] && [ "$(id -u)" != 0 ]; then
    skip "this machine has /dev/log and we are not root"
    skip "this machine has /dev/log and we are not root"
    skip "this machine has /dev/log and we are not root"
else
    mh_conf "[log]
syslog = yes"
    queue bob@example.net later@example.net
    out=$(nolog script -qec "$MAILHOP_BIN flush" /dev/null 2>&1)
    like "$out" "to=<bob@example\\.net>, .*status=sent" \
        "no /dev/log, no file: the lines go to stderr, a terminal"
    queue
    out=$(nolog "$MAILHOP_BIN" flush 2>&1)
    is "$out" "" "stderr not a terminal: nothing on it"
    mh_conf "[log]
syslog = yes
file = $LOG"
    : > "$LOG"
    queue
    nolog "$MAILHOP_BIN" flush 2>/dev/null
    like "$(cat "$LOG")" "to=<bob@example\\.net>, .*status=sent" \
        "no /dev/log, a file: the line is in the file"
fi
like "$(mh mailq)" "^ +\\(451 4\\.3\\.0 try later\\)\$" \
    "and the entry's last reply holds the reason in every case"
