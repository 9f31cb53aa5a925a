#!/bin/bash
# spool.c with deliver.c: 8 concurrent enqueuers and 4 concurrent
# flushers on one spool.  Every message is delivered exactly once (by
# Message-ID at the server) and the spool ends empty.  2,000 messages
# (about 25 s on 2 cores); CONC_MESSAGES=N changes the count.
. "$TESTLIB/tap.sh"
plan 6

start_smtpd || bail "no smtpd"
mh_conf "[log]
syslog = no"
sp=$XDG_STATE_HOME/mailhop
total=${CONC_MESSAGES:-2000}

"$PYTHON" - "$total" >"$TESTDIR/conc.out" 2>"$TESTDIR/conc.err" <<'PY'
import os, subprocess, sys, threading, time

total = int(sys.argv[1])
mailhop = os.environ["MH_BIN"]
enq_fail, flush_runs, flush_fail = [], [0], []
lock = threading.Lock()
done = threading.Event()

def enqueuer(k):
    for i in range(k, total, 8):
        msg = ("Subject: conc %d\nMessage-ID: <conc-%d@test>\n\nbody %d\n"
               % (i, i, i)).encode()
        r = subprocess.run(["sendmail", "-odq", "-f", "alice@example.org",
                            "bob@example.com"], executable=mailhop,
                           input=msg, capture_output=True)
        if r.returncode != 0:
            with lock:
                enq_fail.append((i, r.returncode, r.stderr[:200]))

def flusher():
    last = False
    while True:
        last = done.is_set()
        r = subprocess.run(["mailhop", "flush"], executable=mailhop,
                           capture_output=True)
        with lock:
            flush_runs[0] += 1
            if r.returncode != 0:
                flush_fail.append((r.returncode, r.stderr[:200]))
        if last:
            return

t0 = time.monotonic()
fl = [threading.Thread(target=flusher) for _ in range(4)]
en = [threading.Thread(target=enqueuer, args=(k,)) for k in range(8)]
for t in fl + en: t.start()
for t in en: t.join()
t_enq = time.monotonic() - t0
done.set()
for t in fl: t.join()
print("enqueue_failures", len(enq_fail), repr(enq_fail[:3]))
print("flush_runs", flush_runs[0])
print("flush_failures", len(flush_fail), repr(flush_fail[:3]))
print("elapsed %.1f enqueue %.1f" % (time.monotonic() - t0, t_enq))
PY
is "$?" 0 "the driver ran" || diag "$(cat "$TESTDIR/conc.err")"
get() { sed -n "s/^$1 //p" "$TESTDIR/conc.out"; }
is "$(get enqueue_failures)" "0 []" "every enqueue succeeded"
is "$(get flush_failures)" "0 []" "every flush succeeded"

# A final flush for anything queued after the flushers' last pass.
mh sendmail -q
check=$(transcript json | "$PYTHON" -c '
import base64, json, re, sys
total = int(sys.argv[1])
seen = {}
for o in map(json.loads, sys.stdin):
    if o.get("type") != "transaction" or o.get("state") != "accepted":
        continue
    m = re.search(rb"^Message-ID: <conc-(\d+)@test>", base64.b64decode(o["data_b64"]), re.M)
    n = int(m.group(1))
    seen[n] = seen.get(n, 0) + 1
twice = sorted(n for n, c in seen.items() if c > 1)
missing = sorted(set(range(total)) - set(seen))
print(len(seen), len(twice), len(missing), twice[:5], missing[:5])
' "$total")
is "$check" "$total 0 0 [] []" "each of $total messages delivered exactly once"
is "$(spool_count)" 0 "the spool is empty"
is "$(spool_litter "$sp")" "" "no file left behind"
diag "$total messages, 8 enqueuers, 4 flushers: $(get elapsed) s; $(get flush_runs) flush runs; $(transcript connections) connections"
