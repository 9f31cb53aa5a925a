#!/usr/bin/python3
# tests/lib/fill_spool.py DIR N [deferred|due]: write N entries straight
# into the spool DIR in the format of doc/SPOOL.md (a 2 KB message each),
# since queueing thousands of messages one fsync at a time would take
# minutes.  "deferred" (the default): one recipient, tried once, waiting
# for a retry some time in the next hour, as after an upstream outage;
# "due": two recipients, nothing tried yet.  No schedule index is written: the
# first flush builds it (doc/SPOOL.md), as after an upgrade.
#
# The one home of this (issue 11): tests/t/0306 lists such a spool, and
# bench/mailq.sh and bench/queue-cost.sh fill theirs with it.
import os, random, sys, time

d, n = sys.argv[1], int(sys.argv[2])
kind = sys.argv[3] if len(sys.argv) > 3 else "deferred"
os.makedirs(d, mode=0o700, exist_ok=True)
os.chmod(d, 0o700)
b36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

def enc(v, w):
    s = ""
    for _ in range(w):
        s = b36[v % 36] + s
        v //= 36
    return s

msg = (b"Subject: bench\r\n\r\n" + b"x" * 76 + b"\r\n") * 26
now = int(time.time())
start = now - n
rnd = random.Random(1)
for i in range(n):
    t = start + i
    eid = enc(t, 7) + enc(i % 1000000, 4) + enc(12345, 5) + enc(i % 1679616, 4)
    with open(os.path.join(d, eid + ".m"), "wb") as f:
        f.write(msg)
    if kind == "due":
        rcpts = ("rcpt pending 0 0 bob@example.com\t\n"
                 "rcpt pending 0 0 carol@example.net\t\n")
    else:
        rcpts = ("rcpt pending 1 %d bob@example.com\tconnection refused\n"
                 % (now + rnd.randint(60, 3600)))
    env = ("mailhop-envelope 1\nid %s\narrival %d\nsize %d\n"
           "sender <alice@example.org>\nstate queued\nfailed-at 0\n"
           "bounce 0\n%send\n" % (eid, t, len(msg), rcpts))
    with open(os.path.join(d, eid + ".e"), "w") as f:
        f.write(env)
