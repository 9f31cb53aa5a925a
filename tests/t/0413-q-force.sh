#!/bin/bash
# tests/t/0413-q-force.sh: main.c, deliver.c, deliver_main.c.  sendmail -q
# is Postfix's postqueue -f: every entry now, whatever its retry time;
# `mailhop flush` (timers, -odb) takes only what is due.  -odi exits 0
# once the message is queued and tells a bounce or deferral on stderr.
. "$TESTLIB/tap.sh"
plan 12

start_smtpd --reply 'RCPT:1 *@slow.example 451 4.7.1 greylisted' \
    --reply 'RCPT bad@* 550 5.1.1 no such user'
mh_conf "retry = 1h"

printf 'Subject: f\n\nx\n' | mh sendmail -f alice@example.org bob@slow.example
mh mailhop flush 2>/dev/null
is "$?:$(transcript transactions)" "75:1" "first attempt deferred (the server greylists once)"

mh mailhop flush 2>/dev/null
is "$?:$(transcript transactions)" "0:1" "mailhop flush: not due for an hour, nothing sent"
mh sendmail -q15m 2>/dev/null
is "$(transcript delivered)" "bob@slow.example" "-q15m flushes once, whatever the retry time"
is "$(spool_count)" 0 "and the entry is gone"

printf 'Subject: g\n\nx\n' | mh sendmail -f alice@example.org carol@slow.example
mh mailhop flush 2>/dev/null
is "$(transcript delivered)" "bob@slow.example carol@slow.example" "a new entry is due at once"
printf 'Subject: h\n\nx\n' | mh sendmail -f alice@example.org dave@example.org
# Make it not due by hand (doc/SPOOL.md: rcpt STATE ATTEMPTS NEXT ADDR).
f=$(ls "$XDG_STATE_HOME"/mailhop/*.e)
sed -i 's/^rcpt pending 0 0 /rcpt pending 0 4102444800 /' "$f"
mh mailhop flush 2>/dev/null
is "$(transcript transactions)" 3 "an entry due in 2100 is left by mailhop flush"
mh sendmail -q 2>/dev/null
is "$?:$(spool_count):$(transcript accepted | wc -w)" "0:0:3" "sendmail -q sends it now"

# -odi: exit 0 once queued; a bounce and a deferral are told on stderr.
err=$(printf 'Subject: b\n\nx\n' | mh sendmail -odi -f alice@example.org bad@example.net 2>&1)
is "$?" 0 "-odi with a refused recipient: exit 0 (the message was queued)"
like "$err" "^mailhop: [0-9A-Z]{20}: bad@example.net: bounced \(550 5\.1\.1 no such user\)$" \
    "the refusal is on stderr"
stop_smtpd
err=$(printf 'Subject: d\n\nx\n' | mh sendmail -odi -f alice@example.org eve@example.net 2>&1)
is "$?" 0 "-odi with the server gone: exit 0"
like "$err" "^mailhop: [0-9A-Z]{20}: eve@example.net: deferred \(" "the deferral is on stderr"
like "$err" "queued, not yet delivered \(1 recipient deferred; mailhop will retry\)$" \
    "with what happens next"
