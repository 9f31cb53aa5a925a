#!/bin/bash
# spool.c, fsio.c: SIGKILL the real sendmail at random instants while it
# reads small and large messages from a slow pipe (CRASH_RUNS runs, 500 by
# default, several at a time).  Every run that exited 0 has a complete
# entry; mailq, polled all along, never shows a partial one; the
# leftovers of the killed runs are removed by a later flush, which then
# delivers each committed message exactly once and intact.
. "$TESTLIB/tap.sh"
plan 9

start_smtpd || bail "no smtpd"
mh_conf "[log]
syslog = no"
sp=$XDG_STATE_HOME/mailhop
mkdir -m 0700 -p "$sp"

# The driver: runs, kills, polls mailq, then checks what is in the spool.
# It prints "key value" lines for the assertions below.
"$PYTHON" - "$sp" >"$TESTDIR/crash.out" 2>"$TESTDIR/crash.err" <<'PY'
import json, os, random, signal, subprocess, sys, threading, time

sp = sys.argv[1]
mailhop = os.environ["MH_BIN"]
runs = int(os.environ.get("CRASH_RUNS", "500"))
workers = 6
seed = int(os.environ.get("CRASH_SEED", str(int(time.time()))))
print("seed", seed, file=sys.stderr)

def message(n, rnd):
    if rnd.random() < 0.15:
        body = "".join("line %d of a large message %d %s\n" % (i, n, "y" * 40)
                       for i in range(rnd.randint(1500, 6000)))
    else:
        body = "small message %d\nsecond line\n" % n
    body += "END %d\n" % n
    head = "Subject: crash %d\nMessage-ID: <crash-%d@test>\n\n" % (n, n)
    return head, body

def expected_body(n, rnd_state):
    rnd = random.Random(rnd_state)
    return message(n, rnd)[1].replace("\n", "\r\n").encode()

lock = threading.Lock()
exited_ok = set()      # runs that exited 0
kills = 0
other = []             # unexpected exit statuses
states = {}            # n -> seed for its message
typical = [0.15]       # moving average of a whole run's duration

def one(n):
    global kills
    rs = seed * 100000 + n
    rnd = random.Random(rs)
    head, body = message(n, rnd)
    data = (head + body).encode()
    step = 32768 if len(data) > 8192 else max(1, len(data) // 3)
    chunks = [data[i:i + step] for i in range(0, len(data), step)]
    delay = 0.002
    start = time.monotonic()
    # Kill anywhere from the start to a bit past a typical run's end, so
    # that some runs finish and the kills cover every step in between.
    kill_at = start + rnd.uniform(0, 1.6 * typical[0])
    p = subprocess.Popen(["sendmail", "-odq", "bob@example.com"],
                         executable=mailhop, stdin=subprocess.PIPE,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    killed = False
    try:
        for c in chunks:
            if time.monotonic() >= kill_at:
                break
            p.stdin.write(c)
            p.stdin.flush()
            time.sleep(delay)
        else:
            p.stdin.close()
    except BrokenPipeError:
        pass
    left = kill_at - time.monotonic()
    try:
        p.wait(timeout=max(left, 0))
    except subprocess.TimeoutExpired:
        p.send_signal(signal.SIGKILL)
        killed = True
    p.wait()
    err = p.stderr.read()
    p.stderr.close()
    try:
        p.stdin.close()
    except BrokenPipeError:
        pass
    with lock:
        states[n] = rs
        if killed:
            kills += 1
        elif p.returncode == 0:
            exited_ok.add(n)
            typical[0] = 0.9 * typical[0] + 0.1 * (time.monotonic() - start)
        else:
            # killed before the whole message was written: EOF early is
            # still a valid (shorter) message, so only crashes are odd
            other.append((n, p.returncode, err[:200]))

def read_entry(eid):
    """(message-id number, body bytes) of a committed entry, or None."""
    try:
        with open(os.path.join(sp, eid + ".m"), "rb") as f:
            m = f.read()
    except FileNotFoundError:
        return None
    head, _, body = m.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.startswith(b"Message-ID: <crash-"):
            return int(line[19:line.index(b"@")]), body, len(m)
    return -1, body, len(m)

polls = 0
partial = []
stop = False

def poll():
    """mailq, over and over: every entry it shows must be whole."""
    global polls
    while not stop:
        r = subprocess.run(["mailhop", "queue", "--json"], executable=mailhop,
                           capture_output=True)
        polls += 1
        if r.returncode != 0 or r.stderr:
            partial.append(("mailq", r.returncode, r.stderr[:200]))
        for line in r.stdout.splitlines():
            o = json.loads(line)
            e = read_entry(o["id"])
            if e is None or e[2] != o["size"] or \
               not e[1].endswith(b"END %d\r\n" % e[0]):
                partial.append((o["id"], e and e[2], o["size"]))

t0 = time.monotonic()
poller = threading.Thread(target=poll)
poller.start()
queue = list(range(1, runs + 1))
def worker():
    while True:
        with lock:
            if not queue:
                return
            n = queue.pop()
        one(n)
ths = [threading.Thread(target=worker) for _ in range(workers)]
for t in ths: t.start()
for t in ths: t.join()
stop = True
poller.join()
elapsed = time.monotonic() - t0

# What is in the spool now.
names = os.listdir(sp)
entries = {}
corrupt = []
for name in names:
    if len(name) == 22 and name.endswith(".e"):
        eid = name[:-2]
        e = read_entry(eid)
        if e is None or e[0] < 0 or e[1] != expected_body(e[0], states[e[0]]):
            corrupt.append(eid)
        else:
            entries[e[0]] = eid
committed = set(entries)
lost = sorted(exited_ok - committed)
leftovers = [x for x in names if x not in ("state", "flush.lock") and not (x.endswith(".e") or
             (x.endswith(".m") and x[:-2] + ".e" in names))]
print("runs", runs)
print("kills", kills)
print("exited_ok", len(exited_ok))
print("committed", len(committed))
print("lost", len(lost), " ".join(map(str, lost[:10])))
print("corrupt", len(corrupt), " ".join(corrupt[:5]))
print("other", len(other), repr(other[:3]))
print("polls", polls)
print("partial", len(partial), repr(partial[:3]))
print("leftovers", len(leftovers))
print("elapsed %.1f" % elapsed)
with open(os.path.join(os.environ["TESTDIR"], "committed.txt"), "w") as f:
    for n in sorted(committed):
        f.write("%d %d\n" % (n, states[n]))
PY
st=$?
get() { sed -n "s/^$1 //p" "$TESTDIR/crash.out"; }
is "$st" 0 "the crash driver ran" || diag "$(cat "$TESTDIR/crash.err")"
kills=$(get kills); lost=$(get lost); corrupt=$(get corrupt)
diag "$(get runs) runs in $(get elapsed) s: ${kills} kills, ${lost%% *} lost, ${corrupt%% *} corrupt; $(get exited_ok) exited 0, $(get committed) entries, $(get leftovers) leftovers, $(get polls) mailq polls"
tenth=$(( $(get runs) / 10 ))
ok $([ "${kills:-0}" -ge "$tenth" ] && [ "$(get exited_ok)" -ge "$tenth" ]; echo $?) \
    "both killed and completed runs (${kills} killed)"
is "${lost%% *}" 0 "every run that exited 0 has its entry"
is "${corrupt%% *}" 0 "every entry is complete and intact"
is "$(get partial)" "0 []" "mailq never showed a partial entry"
is "$(get other)" "0 []" "no run failed other than by the kill"

mh sendmail -q 2>"$TESTDIR/flush.err"
is "$?" 0 "a later flush succeeds"
is "$(spool_litter "$sp")" "" \
    "leftovers removed, everything delivered"
# Each committed message delivered once, body intact.
cat >"$TESTDIR/check.py" <<'PY'
import base64, json, random, sys
committed = {}
for line in open(sys.argv[1]):
    n, s = map(int, line.split())
    committed[n] = s
def message_body(n, s):
    rnd = random.Random(s)
    if rnd.random() < 0.15:
        body = "".join("line %d of a large message %d %s\n" % (i, n, "y" * 40)
                       for i in range(rnd.randint(1500, 6000)))
    else:
        body = "small message %d\nsecond line\n" % n
    return (body + "END %d\n" % n).replace("\n", "\r\n").encode()
seen = {}
for o in map(json.loads, sys.stdin):
    if o.get("type") != "transaction" or o.get("state") != "accepted":
        continue
    data = base64.b64decode(o["data_b64"])
    head, _, body = data.partition(b"\r\n\r\n")
    mid = [l for l in head.split(b"\r\n") if l.startswith(b"Message-ID: <crash-")]
    n = int(mid[0][19:mid[0].index(b"@")])
    seen[n] = seen.get(n, 0) + 1
    if n not in committed or body != message_body(n, committed[n]):
        print("bad body or unknown message", n); sys.exit(0)
twice = [n for n, c in seen.items() if c > 1]
missing = sorted(set(committed) - set(seen))
print("ok" if not twice and not missing else
      "twice %s missing %s" % (twice[:5], missing[:5]))
PY
check=$(transcript json | "$PYTHON" "$TESTDIR/check.py" "$TESTDIR/committed.txt")
is "$check" "ok" "each committed message delivered exactly once, intact"
