#!/bin/bash
# cmd_queue.c: a long queue is listed in chunks read by two threads
# (SPEC 13); the output is still one header, every entry once in id
# order, the right total, and --json the same entries in the same order.
. "$TESTLIB/tap.sh"
plan 5

sp=$XDG_STATE_HOME/mailhop
N=2500
"$PYTHON" - "$sp" "$N" <<'PY'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
os.makedirs(d, mode=0o700)
b36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
def enc(v, w):
    s = ""
    for _ in range(w):
        s = b36[v % 36] + s
        v //= 36
    return s
for i in range(n):
    eid = enc(1764000000 + i, 7) + enc(i, 4) + enc(4242, 5) + enc(i, 4)
    open(os.path.join(d, eid + ".m"), "wb").write(b"Subject: x\r\n\r\nx\r\n")
    open(os.path.join(d, eid + ".e"), "w").write(
        "mailhop-envelope 1\nid %s\narrival %d\nsize 1000\n"
        "sender <alice@example.org>\nstate queued\nfailed-at 0\nbounce 0\n"
        "rcpt pending 1 %d r%d@example.com\t451 try later\nend\n"
        % (eid, 1764000000 + i, 1764000600 + i, i))
PY
mh mailq >mailq.txt
is "$(grep -c '^-Queue ID-' mailq.txt):$(head -n 1 mailq.txt | cut -c1-9)" "1:-Queue ID" "one header, first"
got=$(grep -oE '^[0-9A-Z]{20}' mailq.txt)
is "$(printf '%s\n' "$got" | wc -l)" "$N" "every entry listed"
is "$got" "$(ls "$sp" | sed -n 's/\.e$//p' | sort)" "once each, in id order"
is "$(tail -n 1 mailq.txt)" "-- $((N * 1000 / 1024 + 1)) Kbytes in $N Requests." "the total"
is "$(mh mailhop queue --json | sed 's/^{"id":"\([0-9A-Z]*\)".*/\1/')" "$got" \
    "queue --json: the same entries in the same order"
