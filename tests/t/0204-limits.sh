#!/bin/bash
# tests/t/0204-limits.sh: message.c, cmd_send.c.  max_size, max_header_size,
# max_recipients and NUL bytes: exit 65, a message naming the limit, and
# nothing queued or sent.  At the limit is still fine.
. "$TESTLIB/tap.sh"
plan 16

start_smtpd
mh_conf '[sender]
domain = example.com
[queue]
max_size = 2K
max_header_size = 1K
max_recipients = 3'
H='From: a@example.com\nDate: Thu, 1 Jan 2026 00:00:00 +0000\nMessage-ID: <m@example.com>\n\n'
# body N: N bytes of "x" as lines of 99 + LF (CRLF queued: 100 per line)
body() { head -c "$1" /dev/zero | tr '\0' 'x' | fold -w 99; }

out=$( { printf "$H"; body 3000; } | mh sendmail bob@example.com 2>&1)
is "$?:$out" "65:mailhop: message exceeds max_size (2K)" "max_size: 65, the limit named"
is "$(spool_count)" 0 "max_size: nothing queued"
# exactly 2048 bytes as stored (CRLF): the headers, then lines of 98 + CRLF
printf "$H" >at.eml
n=$((2048 - $(printf "$H" | sed 's/$/\r/' | wc -c)))
head -c $(((n / 100) * 98)) /dev/zero | tr '\0' 'y' | fold -w 98 >>at.eml
printf '\n' >>at.eml
head -c $((n % 100 - 2)) /dev/zero | tr '\0' 'z' >>at.eml
printf '\n' >>at.eml
mh sendmail bob@example.com <at.eml
is "$?:$(spool_count)" "0:1" "a message of exactly max_size is queued"
mh sendmail -q
is "$(transcript data 1 | wc -c)" 2048 "and it arrives with exactly max_size bytes"

big=$(head -c 1200 /dev/zero | tr '\0' 'h')
out=$(printf "Subject: $big\n\nx\n" | mh sendmail bob@example.com 2>&1)
is "$?:$out" "65:mailhop: header section exceeds max_header_size (1K)" "max_header_size: 65, named"
out=$(printf "X-A: 1\nX-B: 2\n$(for i in $(seq 1 60); do printf 'X-Long-Header-%02d: 0123456789\\n' $i; done)\n\nx\n" | mh sendmail bob@example.com 2>&1)
is "$?:$out" "65:mailhop: header section exceeds max_header_size (1K)" "many small headers add up"
printf "${big}hhh\n" | mh sendmail bob@example.com
is "$?" 0 "a long first line that is no header is body: not a header limit"

out=$(printf "$H" | mh sendmail a@example.org b@example.org c@example.org d@example.org 2>&1)
is "$?" 65 "max_recipients in arguments: 65"
like "$out" '^mailhop: too many recipients \(max_recipients = 3\)$' "max_recipients named"
out=$(printf 'To: a@example.org, b@example.org\nCc: c@example.org, d@example.org\n\nx\n' | mh sendmail -t 2>&1)
like "$?:$out" '^65:mailhop: .*max_recipients' "max_recipients with -t: 65"
printf 'To: a@example.org, b@example.org\nCc: c@example.org, a@example.org\n\nx\n' | mh sendmail -t
is "$?" 0 "three distinct recipients (one duplicate) are within max_recipients = 3"

out=$(printf "${H}bo\0dy\n" | mh sendmail bob@example.com 2>&1)
is "$?:$out" "65:mailhop: message contains a NUL byte" "NUL in the body: 65"
out=$(printf 'Subj\0ect: x\n\nbody\n' | mh sendmail bob@example.com 2>&1)
is "$?:$out" "65:mailhop: message contains a NUL byte" "NUL in a header: 65"
{ printf "$H"; body 100000; printf '\0'; } | mh sendmail bob@example.com 2>/dev/null
is "$?" 65 "NUL after 100 KB: 65"

mh sendmail -q
is "$(transcript count)" 3 "only the good ones were sent"
is "$(spool_count)" 0 "and nothing else is queued"
