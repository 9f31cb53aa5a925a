#!/bin/bash
# cmd_queue.c with deliver.c: hold keeps an entry from every flush until
# release; delete removes it; unknown or malformed ids are 67 with one
# line; -qI, -qR and -qS flush only what they select.
. "$TESTLIB/tap.sh"
plan 30

start_smtpd || bail "no smtpd"
mh_conf "[log]
syslog = no"
sp=$XDG_STATE_HOME/mailhop

# queue FROM RCPT SUBJECT: prints the new entry's id
queue() {
    local before after
    before=$(cd "$sp" 2>/dev/null && ls *.e 2>/dev/null)
    printf 'Subject: %s\n\nbody\n' "$3" | mh sendmail -odq -f "$1" "$2" || return 1
    after=$(cd "$sp" && ls *.e)
    comm -13 <(printf '%s\n' "$before") <(printf '%s\n' "$after") | sed 's/\.e$//'
}
subjects() {
    local n i out=
    n=$(transcript count 2>/dev/null || echo 0)
    for ((i = 1; i <= n; i++)); do
        out="$out $(transcript data "$i" | sed -n 's/^Subject: \(.*\)\r$/\1/p')"
    done
    echo $out
}

# hold / release
h=$(queue alice@example.org bob@example.com held1)
o=$(queue alice@example.org bob@example.com other1)
mh mailhop hold "$h"
is "$?" 0 "hold exits 0"
like "$(mh mailq)" "^$h! " "mailq marks the held entry with !"
is "$(mh mailhop queue --json | "$PYTHON" -c '
import json, sys
for l in sys.stdin:
    o = json.loads(l); print(o["id"], o["state"])' | grep "^$h")" "$h held" \
    "queue --json says held"
mh sendmail -q
is "$?" 0 "flush exits 0"
is "$(subjects)" "other1" "the flush sent the other entry, not the held one"
is "$(spool_count)" 1 "the held entry stays queued"
err=$(mh sendmail -qI "$h" 2>&1)
isnt "$?" 0 "-qI of a held entry does not deliver it"
is "$(subjects)" "other1" "still not sent"
mh mailhop hold "$h"
is "$?" 0 "holding twice is harmless"
mh mailhop release "$h"
is "$?" 0 "release exits 0"
unlike "$(mh mailq)" "^$h!" "no longer marked"
mh sendmail -q
is "$(subjects)" "other1 held1" "delivered after release"
is "$(spool_count)" 0 "the queue is empty"

# delete
d=$(queue alice@example.org bob@example.com deleted1)
k=$(queue alice@example.org bob@example.com kept1)
mh mailhop delete "$d"
is "$?" 0 "delete exits 0"
ok $([ ! -e "$sp/$d.e" ] && [ ! -e "$sp/$d.m" ]; echo $?) \
    "both files of the entry are gone"
unlike "$(mh mailq)" "$d" "mailq no longer lists it"
err=$(mh mailhop show "$d" 2>&1)
is "$?" 67 "show of a deleted id: 67"
is "$err" "mailhop: queue id \"$d\" not found" "one line naming the id"

# unknown and malformed ids, for each command
for cmd in show delete hold release; do
    err=$(mh mailhop $cmd 0TP00000000000000000 2>&1)
    is "$?:$err" "67:mailhop: queue id \"0TP00000000000000000\" not found" \
        "$cmd of an unknown id: 67 and the message"
done
touch "$TESTDIR/victim.e"
err=$(mh mailhop delete "../../victim" 2>&1)
is "$?:$err" '67:mailhop: queue id "../../victim" not found' \
    "a malformed id is refused as not found"
ok $([ -e "$TESTDIR/victim.e" ]; echo $?) "and nothing outside the spool is touched"
err=$(mh mailhop delete 0TP00000000000000000 "$k" 2>&1)
is "$?" 67 "delete with one bad id of two: 67"
ok $([ ! -e "$sp/$k.e" ]; echo $?) "the good id is still deleted"

# -qI / -qR / -qS select
mh sendmail -q    # nothing queued; settles the count
n0=$(transcript count)
i1=$(queue alice@example.org x@one.example sel-id)
i2=$(queue carol@example.net y@two.example sel-rcpt)
i3=$(queue dave@third.example z@three.example sel-sender)
mh sendmail -qI "$i1"
is "$(subjects | cut -d' ' -f$((n0 + 1))-)" "sel-id" "-qI ID sends that entry only"
mh sendmail -qRtwo.example
is "$(subjects | cut -d' ' -f$((n0 + 1))-)" "sel-id sel-rcpt" \
    "-qR SUBSTR sends entries with a matching recipient domain only"
mh sendmail -qS third
is "$(subjects | cut -d' ' -f$((n0 + 1))-)" "sel-id sel-rcpt sel-sender" \
    "-qS SUBSTR sends entries with a matching sender only"
is "$(spool_count)" 0 "all delivered, once each"
