#!/bin/bash
# fsio.c, spool.c under tests/faultfs: the real sendmail with write,
# fsync, rename or file creation failing (ENOSPC, EIO) at each point where
# it touches the spool.  Every such run exits 75 with one "mailhop: ..."
# line and leaves no visible entry; the entry queued before is untouched
# and still delivered by a later flush, which also clears what is left.
. "$TESTLIB/tap.sh"

[ -f "$FAULTFS" ] || { plan 1; skip "faultfs.so not built"; exit 0; }
start_smtpd || bail "no smtpd"
mh_conf "[log]
syslog = no"
sp=$XDG_STATE_HOME/mailhop

printf 'Subject: old\nMessage-ID: <old@test>\n\nolder entry\n' |
    mh sendmail -odq bob@example.com
ok $? "an entry queued before the faults"
old=$(cd "$sp" && ls *.e)

small() { printf 'Subject: small\n\nbody\n'; }
# 300 KB: several writes of the message file
large() {
    printf 'Subject: large\n\n'
    "$PYTHON" -c 'import sys; sys.stdout.write(("x" * 76 + "\n") * 4000)'
}
large >"$TESTDIR/large.txt"

# faulty SIZE OP N ERRNO: run sendmail with the Nth OP failing
faulty() {
    local input=$TESTDIR/small.txt
    [ "$1" = large ] && input=$TESTDIR/large.txt
    FAULTFS_DIR=$sp FAULTFS_OP=$2 FAULTFS_NTH=$3 FAULTFS_ERRNO=$4 \
        FAULTFS_LOG=${FAULTFS_LOG:-} LD_PRELOAD=$FAULTFS \
        mh sendmail -odq bob@example.com <"$input"
}
small >"$TESTDIR/small.txt"

# points SIZE OP: how many OP calls a clean run makes in the spool
points() {
    rm -f "$TESTDIR/ff.log"
    FAULTFS_LOG=$TESTDIR/ff.log faulty "$1" "$2" 0 EIO
    local n; n=$(wc -l <"$TESTDIR/ff.log" 2>/dev/null || echo 0)
    # remove what the clean run queued
    for e in $(cd "$sp" && ls *.e); do
        [ "$e" = "$old" ] || mh mailhop delete "${e%.e}"
    done
    echo "$n"
}

runs=0
for size in small large; do
    for op in write fsync rename create; do
        n=$(points $size $op)
        [ "$op" = write ] && [ $size = large ] && [ "$n" -lt 4 ] &&
            diag "only $n writes for the large message"
        ok $([ "$n" -ge 1 ]; echo $?) "$size message: $n $op point(s) found"
        for ((i = 1; i <= n; i++)); do
            for errno in ENOSPC EIO; do
                err=$(faulty $size $op $i $errno 2>&1)
                st=$?
                runs=$((runs + 1))
                is "$st" 75 "$size, $op #$i fails with $errno: exit 75"
                like "$err" "^mailhop: [^ ].*$" "... with a mailhop: line" ||
                    diag "$err"
                is "$(printf '%s\n' "$err" | wc -l)" 1 "... and only one line"
                is "$(cd "$sp" && ls *.e)" "$old" "... and no new entry visible"
            done
        done
    done
done
diag "$runs faulty runs"

out=$(mh mailq)
like "$out" "-- [0-9]+ Kbytes in 1 Request\.$" "mailq lists only the old entry"
mh sendmail -q
is "$?" 0 "a later flush succeeds"
is "$(transcript count)" 1 "one message delivered"
like "$(transcript data 1)" "^Message-ID: <old@test>" "and it is the old one"
is "$(spool_litter "$sp")" "" \
    "nothing left in the spool after the flush"
