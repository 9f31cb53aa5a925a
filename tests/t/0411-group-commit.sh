#!/bin/bash
# deliver.c + spool.c (group commit, doc/PERFORMANCE.md): the removals of
# delivered entries share a directory fsync, yet each entry's envelope is
# unlinked as soon as its transaction ends (before the next MAIL FROM), and
# each ID.m goes only after an fsync that follows its ID.e's removal.
. "$TESTLIB/tap.sh"
plan 11

N=30
start_smtpd || bail "no smtpd"
mh_conf
for ((i = 1; i <= N; i++)); do
    printf 'Subject: g%s\n\nx\n' "$i" | mh sendmail -f alice@example.org "g$i@example.com"
done
is "$(spool_count)" "$N" "$N messages queued"
ids=$(cd "$XDG_STATE_HOME/mailhop" && ls *.e | sed 's/\.e$//' | tr '\n' ' ')

ln -s "$MAILHOP_BIN" mailhop
strace -f -o trace.txt -e trace=fsync,fdatasync,unlinkat,sendto ./mailhop flush 2>/dev/null
st=$?
if [ "$st" = 127 ] || ! [ -s trace.txt ]; then
    mh mailhop flush
    st=$?
    : >trace.txt
fi
is "$st" 0 "flushed"
is "$(transcript count):$(transcript connections):$(spool_count)" "$N:1:0" \
    "$N transactions over one connection; the spool is empty"

if ! [ -s trace.txt ]; then
    for ((i = 4; i <= 11; i++)); do skip "strace is not installed"; done
    exit 0
fi
# One line per event, in order: "E id" (ID.e unlinked), "M id" (ID.m
# unlinked), "S" (an fsync), "F" (a MAIL FROM sent).
"$PYTHON" - trace.txt >events.txt <<'EOF'
import re, sys
# strace -f splits a call that another thread interrupts into
# "PID call(args <unfinished ...>" and "PID <... call resumed>) = R".
pending = {}
for line in open(sys.argv[1]):
    pid, _, rest = line.strip().partition(' ')
    rest = rest.strip()
    if rest.endswith('<unfinished ...>'):
        pending[pid] = rest[:-len('<unfinished ...>')]
        continue
    m = re.match(r'<\.\.\. (\w+) resumed>(.*)', rest)
    if m:
        rest = pending.pop(pid, '') + m.group(2)
    ok = re.search(r'\) += 0$', rest) is not None
    m = re.search(r'unlinkat\(\d+, "([0-9A-Z]{20})\.([em])"', rest)
    if m and ok:
        print(m.group(2).upper(), m.group(1))
    elif re.match(r'f(data)?sync\(', rest) and ok:
        print('S')
    elif rest.startswith('sendto(') and '"MAIL FROM:' in rest:
        print('F')
EOF
is "$(grep -c '^E' events.txt):$(grep -c '^M' events.txt)" "$N:$N" \
    "every envelope and every message file was unlinked"
# Each ID.m only after an fsync that came after its ID.e went.
bad=$("$PYTHON" - events.txt <<'EOF'
import sys
gone, synced, bad = set(), set(), []
for ev in open(sys.argv[1]).read().split('\n'):
    if ev.startswith('E '):
        gone.add(ev[2:])
    elif ev == 'S':
        synced |= gone
    elif ev.startswith('M ') and ev[2:] not in synced:
        bad.append(ev[2:])
print(' '.join(bad))
EOF
)
is "$bad" "" "no ID.m removed before its envelope's removal was synced"
# The kill window is not widened: transaction k's envelope is gone before
# transaction k+1 starts.
late=$(awk '/^F/ { f++; if (f > 1 && e < f - 1) late++ } /^E/ { e++ }
    END { print late + 0 }' events.txt)
is "$late" 0 "each envelope is unlinked before the next MAIL FROM"
# Group commit: fewer directory fsyncs than entries.  How many share one
# depends on the speed of the server (DELIVER_SYNC_MS = 10 ms): only a
# machine where every transaction takes over 10 ms would see N.
s=$(grep -c '^S' events.txt)
ok $(( s >= 1 && s < N ? 0 : 1 )) "$N removals, $s directory fsyncs"

# Entries whose recipients are all sent already (a flusher died between
# the 250 and the removal) are removed by the next flush without a
# connection, one right after the other: a few groups (2 or 3 here; 9 of
# 30 under strace with two other suites and a busy loop on two cores,
# so the bound is half).
for ((i = 1; i <= N; i++)); do
    printf 'Subject: s%s\n\nx\n' "$i" | mh sendmail -f alice@example.org "s$i@example.com"
done
for f in "$XDG_STATE_HOME"/mailhop/*.e; do
    sed -i 's/^rcpt pending /rcpt sent /' "$f"
done
is "$(grep -l '^rcpt sent ' "$XDG_STATE_HOME"/mailhop/*.e | wc -l)" "$N" \
    "$N entries with nothing left to send"
before=$(transcript connections)
strace -f -o trace2.txt -e trace=fsync,fdatasync,unlinkat ./mailhop flush 2>/dev/null
is "$?:$(spool_count)" "0:0" "flushed: all removed"
is "$(transcript connections)" "$before" "without connecting"
s=$(grep -cE 'f(data)?sync\(' trace2.txt)
e=$(grep -c 'unlinkat(.*\.e"' trace2.txt)
ok $(( e == N && s >= 1 && s <= N / 2 ? 0 : 1 )) "$e envelopes removed, $s directory fsyncs"
