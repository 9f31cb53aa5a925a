#!/bin/bash
# relay.c: a reply read after QUIT (the server's 221, or a 421 it sends
# unasked) is not the reply to the command before it.  The server here
# sends "221 Bye" right behind its RCPT reply, so libcurl reads it after
# its QUIT: each recipient must keep its own 451 or 550.  (Before the fix,
# a 221 that won the race with the shutdown replaced the recipient's 451:
# a flaky "mailq shows the last reply".)
. "$TESTLIB/tap.sh"
plan 10

start_smtpd --reply 'RCPT *@slow.example 451 4.7.1 greylisted\r\n221 2.0.0 Bye' \
    --reply 'RCPT *@gone.example 550 5.1.1 no such user\r\n221 2.0.0 Bye'
mh_conf_log

printf 'Subject: late 221\n\nx\n' |
    mh sendmail -odq -f alice@example.org bob@slow.example
ok $? "queued"
mh mailhop flush 2>/dev/null
is "$?" 75 "the 451 recipient is deferred"
q=$(mh mailq)
like "$q" "\(451 4\.7\.1 greylisted\)" "mailq shows the RCPT's own reply"
unlike "$q" "221|RCPT failed" "not the 221, not libcurl's summary"
like "$(cat "$LOG")" "to=<bob@slow\.example>, .*status=deferred \(451 4\.7\.1 greylisted\)" \
    "log: deferred with the server's text"

printf 'Subject: late 221\n\nx\n' |
    mh sendmail -odq -f alice@example.org carol@gone.example
mh mailhop flush 2>/dev/null
log=$(cat "$LOG")
like "$log" "to=<carol@gone\.example>, .*status=bounced \(550 5\.1\.1 no such user\)" \
    "the 550 recipient is bounced, not deferred"
like "$log" "sender non-delivery notification" "a DSN is made for it"
unlike "$(mh mailq)" "carol@gone" "and it is not in the queue"
is "$(transcript json | "$PYTHON" -c '
import json, sys
t = [o for o in map(json.loads, sys.stdin) if o.get("type") == "transaction"]
print(sum(1 for x in t for r in x["rcpts"] if r["address"] == "alice@example.org" and r["code"] == 250))')" 1 \
    "the DSN reached the sender"
like "$(mh mailq)" "bob@slow\.example" "the deferred one is still queued"
