#!/bin/bash
# message.c, fsio.c: a large message is written back to the disk as it
# is queued (sync_file_range every 4 MiB, then the commit's fsync), and
# arrives in the queue intact with CRLF line ends.
. "$TESTLIB/tap.sh"
plan 4

mh_conf
{ printf 'From: a@example.org\nSubject: big\n\n'; head -c 7000000 /dev/zero | base64 -w 76; } >big.txt
ln -s "$MAILHOP_BIN" sendmail
strace -o trace.txt -e trace=sync_file_range,fsync ./sendmail -odq b@example.com <big.txt
is "$?" 0 "a 9 MB message is queued"
sp=$XDG_STATE_HOME/mailhop
id=$(cd "$sp" && ls -- *.m | sed 's/\.m$//')
body=$(sed '1,/^$/d' big.txt | sed 's/$/\r/' | md5sum)
is "$(sed '1,/^\r$/d' "$sp/$id.m" | md5sum)" "$body" "its body is queued intact, with CRLF"
is "$(grep -c '^sync_file_range(.*SYNC_FILE_RANGE_WRITE) = 0' trace.txt)" 2 \
    "write-back started every 4 MiB as it is written"
last=$(grep -n 'sync_file_range' trace.txt | tail -n 1 | cut -d: -f1)
ok $(awk -v l="$last" 'NR > l && /^fsync\(/ { n++ } END { exit n < 1 }' trace.txt; echo $?) \
    "and the message is fsynced after that, before the commit"
