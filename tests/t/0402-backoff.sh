#!/bin/bash
# deliver.c: a deferred recipient waits `retry` first, doubling per attempt
# up to the cap, as `mailhop queue --json` shows in next_attempt; an entry
# that is not due is left alone by a plain flush.
. "$TESTLIB/tap.sh"
plan 11

start_smtpd --reply 'RCPT *@slow.example 451 4.7.1 greylisted'
mh_conf "retry = 1m..3m"

printf 'Subject: backoff\n\nx\n' | mh sendmail -f alice@example.org bob@slow.example
ok $? "queued"
id=$(cd "$XDG_STATE_HOME/mailhop" && ls *.e); id=${id%.e}

# wait_after: seconds from now to the recipient's next_attempt, and attempts
wait_after() {
    mh mailhop queue --json | "$PYTHON" -c '
import datetime, json, sys, time
r = json.loads(sys.stdin.readline())["recipients"][0]
t = datetime.datetime.fromisoformat(r["next_attempt"]).timestamp()
print(round((t - time.time()) / 10) * 10, r["attempts"])'
}

mh mailhop flush 2>/dev/null
is "$?" 75 "first attempt deferred"
is "$(wait_after)" "60 1" "first retry after 1m"

mh mailhop flush 2>/dev/null
is "$?" 0 "not due: a plain flush does nothing"
is "$(transcript transactions)" 1 "and sends nothing"

mh sendmail -qI "$id" 2>/dev/null
is "$?" 75 "forced second attempt deferred"
is "$(wait_after)" "120 2" "then 2m"

mh sendmail -qI "$id" 2>/dev/null
is "$(wait_after)" "180 3" "then 3m, the cap"
mh sendmail -qI "$id" 2>/dev/null
is "$(wait_after)" "180 4" "and the cap holds"
is "$(transcript transactions)" 4 "four attempts in all"
like "$(mh mailq)" "greylisted" "mailq shows the last reply"
