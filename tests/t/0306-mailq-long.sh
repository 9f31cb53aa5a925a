#!/bin/bash
# cmd_queue.c: a long queue is listed in chunks read by two threads
# (SPEC 13); the output is still one header, every entry once in id
# order, the right total, and --json the same entries in the same order.
. "$TESTLIB/tap.sh"
plan 5

sp=$XDG_STATE_HOME/mailhop
N=2500
"$PYTHON" "$TESTLIB/fill_spool.py" "$sp" "$N" || bail "fill_spool.py failed"
mh mailq >mailq.txt
is "$(grep -c '^-Queue ID-' mailq.txt):$(head -n 1 mailq.txt | cut -c1-9)" "1:-Queue ID" "one header, first"
got=$(grep -oE '^[0-9A-Z]{20}' mailq.txt)
is "$(printf '%s\n' "$got" | wc -l)" "$N" "every entry listed"
is "$got" "$(ls "$sp" | sed -n 's/\.e$//p' | sort)" "once each, in id order"
bytes=$(cat "$sp"/*.e | awk '$1 == "size" { n += $2 } END { print n }')
is "$(tail -n 1 mailq.txt)" "-- $(((bytes + 1023) / 1024)) Kbytes in $N Requests." "the total"
is "$(mh mailhop queue --json | sed 's/^{"id":"\([0-9A-Z]*\)".*/\1/')" "$got" \
    "queue --json: the same entries in the same order"
