#!/bin/bash
# spool.c, due.c, deliver.c: the schedule index (SPEC 13, doc/SPOOL.md).
# Each entry has one marker state/due/HOUR/BUCKET/TIME.ID, TIME no later than
# its next attempt; a flush opens only the envelopes whose marker is due;
# a marker that is stale, early, junk, of another boot or that could not
# be written is repaired, never trusted; -odb starts no helper while a
# background flusher holds the flush lock.
. "$TESTLIB/tap.sh"
plan 29

start_smtpd --tls none --no-auth
mh_conf "retry = 1s..1s
[log]
syslog = no
file = $TESTDIR/mail.log"
sp=$XDG_STATE_HOME/mailhop
due=$sp/state/due

# markers: every marker as "TIME.ID", sorted
markers() { (cd "$due" && find . -mindepth 3 -type f | sed 's|^\./[0-9]*/[0-9]*/||' | sort); }
# want ID...: the marker each entry should have, from its envelope
want() {
    local id
    for id in "$@"; do
        awk -v id="$id" '$1 == "state" { st = $2 }
            $1 == "rcpt" && $2 == "pending" && (min == "" || $4 < min) { min = $4 }
            END { if (st == "queued") print (min == "" ? 0 : min) "." id }' "$sp/$id.e"
    done | sort
}
# bucket_ok: every marker sits in the hour and the 16 s bucket of its time
bucket_ok() {
    (cd "$due" && find . -mindepth 2 -type f -printf '%h %f\n') | awk \
        '{ split($2, m, "."); split(substr($1, 3), d, "/")
           if (m[1] - m[1] % 3600 != d[1] || m[1] - m[1] % 16 != d[2] || 3 in d) bad++ }
         END { exit !(NR > 0 && bad == 0) }'
}
queue() { printf 'Subject: %s\n\nx\n' "$1" | mh sendmail -f alice@example.org "$1@example.com"; }
ids() { (cd "$sp" && ls -- *.e 2>/dev/null | sed 's/\.e$//'); }

for i in 1 2 3; do queue "m$i"; done
read -r -a all <<<"$(ids | tr '\n' ' ')"
is "$(markers)" "$(printf '0.%s\n' "${all[@]}" | sort)" \
    "a new entry's marker is due at once (0.ID), one per entry"

stop_smtpd
mh mailhop flush 2>/dev/null
is "$?" 75 "upstream down: deferred"
is "$(markers)" "$(want "${all[@]}")" "each marker moved to its entry's next attempt"
ok_cmd "in the bucket of its time" bucket_ok
ok_cmd "a stamp names this boot" grep -qx "boot id $(cat /proc/sys/kernel/random/boot_id)" "$due/stamp"

# A flush opens only the envelopes that are due.
sed -i 's/^retry = .*/retry = 1h..1h/' "$MAILHOP_CONFIG"
for i in $(seq 4 23); do queue "m$i"; done
sleep 1.1
mh mailhop flush 2>/dev/null
read -r -a all <<<"$(ids | tr '\n' ' ')"
is "${#all[@]}" 23 "23 entries, all deferred for an hour"
queue new
new=$(ids | grep -vxF -f <(printf '%s\n' "${all[@]}"))
strace -f -e trace=openat -o trace.txt "$MAILHOP_BIN" flush 2>/dev/null
opened=$(grep -oE '"[0-9A-Z]{20}\.e"' trace.txt | tr -d '"' | sort -u | tr '\n' ' ')
is "$opened" "$new.e " "the flush opened the due envelope and no other of 24"
is "$(markers)" "$(want "${all[@]}" "$new")" "and moved its marker"

# hold drops the marker, release brings it back (due at once).
mh mailhop hold "$new"
is "$(markers | grep -c "$new")" 0 "a held entry has no marker"
mh mailhop release "$new"
is "$(markers | grep "$new")" "0.$new" "a released one is due at once"

# delete takes the marker with the entry.
mh mailhop delete "$new"
is "$(markers | grep -c "$new")" 0 "a deleted entry leaves no marker"

# Stale, early and junk markers are repaired, not trusted.
ghost=0TPG000000000000ZZZZ
b=$(( $(date +%s) - 600 ))
b=$(( b - b % 3600 ))/$(( b - b % 16 ))
mkdir -p "$due/$b" "$due/0/0"
touch "$due/0/0/0.$ghost" "$due/$b/junk" "$due/0/0/0.${all[0]}"
strace -f -e trace=openat -o trace.txt "$MAILHOP_BIN" flush 2>/dev/null
is "$?" 0 "a flush with a stale, a junk and an early marker"
is "$(markers)" "$(want "${all[@]}")" "the stale one is gone, the early one moved"
ok $([ ! -e "$due/$b/junk" ] && [ ! -e "$due/$b" ]; echo $?) "junk removed, the empty bucket too"
is "$(grep -oE '"[0-9A-Z]{20}\.e"' trace.txt | tr -d '"' | sort -u | tr '\n' ' ')" "${all[0]}.e " \
    "only the early marker's envelope was read"

# An index from another boot is rebuilt before it is trusted: with every
# marker gone and a foreign stamp, a due entry is still found.
sed -i 's/^retry = .*/retry = 1s..1s/' "$MAILHOP_CONFIG"
find "$due" -mindepth 3 -type f -delete
printf 'mailhop-due 1\nboot id 00000000-0000-0000-0000-000000000000\n' >"$due/stamp"
attempts() { awk '$1 == "rcpt" { print $3 }' "$sp/$1.e"; }
n=$(attempts "${all[1]}")
sed -i 's/^\(rcpt pending [0-9]*\) [0-9]* /\1 0 /' "$sp/${all[1]}.e"
mh mailhop flush 2>/dev/null
is "$(attempts "${all[1]}")" "$((n + 1))" \
    "a foreign stamp: rebuilt from the envelopes, the due entry was tried"
is "$(markers)" "$(want "${all[@]}")" "every entry has its marker again"
ok_cmd "and the stamp names this boot" grep -qx "boot id $(cat /proc/sys/kernel/random/boot_id)" "$due/stamp"

# The whole index removed by hand (mailhop(8), FILES): the next flush
# rebuilds it from the envelopes and finds what is due.
rm -rf "$due"
n=$(attempts "${all[2]}")
sed -i 's/^\(rcpt pending [0-9]*\) [0-9]* /\1 0 /' "$sp/${all[2]}.e"
mh mailhop flush 2>/dev/null
is "$(attempts "${all[2]}")" "$((n + 1))" \
    "state/due removed: the next flush rebuilt it and tried the due entry"
is "$(markers)" "$(want "${all[@]}")" "every entry has its marker again"

# A marker that cannot be written keeps the old one and drops the stamp:
# the next pass rebuilds the index rather than skip the entry.
rm -rf "$sp"/*.e "$sp"/*.m "$due"
queue late
id=$(ids)
mh mailhop flush 2>/dev/null
sleep 1.1
LD_PRELOAD=$FAULTFS FAULTFS_OP=create FAULTFS_NTH=1 FAULTFS_DIR=$due FAULTFS_LOG=$TESTDIR/ff.log \
    "$MAILHOP_BIN" flush 2>/dev/null
is "$(grep -c ' FAIL$' ff.log):$(attempts "$id")" "1:2" \
    "deferred again, and the new marker could not be made"
is "$(markers | grep -cx "$(want "$id")"):$(grep -c '\.tmp\.stamp' ff.log)" "1:1" \
    "the index was rebuilt and stamped, with the marker the entry needs"
sleep 1.1
mh mailhop flush 2>/dev/null
is "$(attempts "$id"):$(markers)" "3:$(want "$id")" \
    "the entry is tried again when due; the early marker is gone"

# -odb: while a background flusher holds the lock, sendmail starts no
# helper (the holder takes the entry); with the lock free it does.
start_smtpd --tls none --no-auth
MH_CONF_BASE=no mh_conf "[upstream]
host = 127.0.0.1
port = $SMTPD_PORT
tls = none
[queue]
deliver = background
[log]
syslog = no
file = $TESTDIR/mail.log"
rm -f "$sp"/*.e "$sp"/*.m
flock -o "$sp/flush.lock" sleep 30 &
holder=$!
_held() { ! flock -n "$sp/flush.lock" true; }
wait_for _held
ln -s "$MAILHOP_BIN" sendmail
printf 'Subject: held\n\nx\n' |
    strace -f -e trace=execve -o exec.txt ./sendmail -f alice@example.org held@example.com
is "$(grep -c 'mailhop-deliver' exec.txt):$(spool_count)" "0:1" \
    "lock held: sendmail started no helper, the entry waits for the holder"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
queue free
_both() { [ "$(transcript count)" = 2 ] && [ "$(spool_count)" = 0 ]; }
wait_for _both
ok $? "lock free: the helper it starts delivers both"

# Upgrade: an index of the old layout (version 1: state/due/B/T.ID, one
# level of 256 s buckets), stamped in this very boot, is rebuilt, not
# read: every due entry is delivered, and nothing of the old layout stays.
rm -f "$sp"/*.e "$sp"/*.m
rm -rf "$due"
umask 077
"$PYTHON" "$TESTLIB/fill_spool.py" "$sp" 3 due || bail "fill_spool.py failed"
read -r -a dues <<<"$(ids | tr '\n' ' ')"
"$PYTHON" "$TESTLIB/fill_spool.py" "$sp" 2 deferred || bail "fill_spool.py failed"
defs=$(ids | grep -vxF -f <(printf '%s\n' "${dues[@]}"))
mkdir -p "$due/0"
touch "$due/0/0.${dues[0]}" "$due/0/0.${dues[1]}"
t=$(( $(date +%s) - 300 ))
old=$(( t - t % 256 ))
mkdir -p "$due/$old"
touch "$due/$old/$t.${dues[2]}"
for id in $defs; do
    t=$(want "$id"); t=${t%%.*}
    mkdir -p "$due/$(( t - t % 256 ))"
    touch "$due/$(( t - t % 256 ))/$t.$id"
done
printf 'mailhop-due 1\nboot id %s\n' "$(cat /proc/sys/kernel/random/boot_id)" >"$due/stamp"
mh mailhop flush 2>err.txt
rc=$?; cat err.txt >&2
is "$rc:$(transcript count):$(ids | tr '\n' ' ')" "0:5:$(echo $defs) " \
    "an old-layout index of this boot: rebuilt, the 3 due entries delivered"
is "$(markers)" "$(want $defs)" "the deferred ones have their markers in the new layout"
ok_cmd "every marker in its hour and 16 s bucket" bucket_ok
ok $([ ! -e "$due/$old" ] && grep -qx 'mailhop-due 2' "$due/stamp"; echo $?) \
    "the old buckets are gone, the stamp names layout 2"
