#!/bin/bash
# deliver.c: 250, 550 and 451 in one transaction.  The 250 recipient is
# never sent again, the 550 one is bounced at once (a DSN to the sender),
# the 451 one is retried only when due (or forced with -qI) and the entry
# goes away once it is delivered.
. "$TESTLIB/tap.sh"
plan 23

start_smtpd --reply 'RCPT b@* 550 5.1.1 no such user' \
    --reply 'RCPT c@* 451 4.3.0 try later'
mh_conf "[log]
syslog = no
file = $TESTDIR/mail.log"

printf 'From: Alice <alice@example.org>\nSubject: mixed outcomes\n\nhello\n' |
    mh sendmail -f alice@example.org a@example.com b@example.com c@example.com
ok $? "queued"
id=$(cd "$XDG_STATE_HOME/mailhop" && ls *.e); id=${id%.e}

# txn_rcpts N: the RCPT addresses of the Nth transaction (1-based)
txn_rcpts() {
    transcript json | "$PYTHON" -c '
import json, sys
t = [o for o in map(json.loads, sys.stdin) if o.get("type") == "transaction"]
print(" ".join(r["address"] for r in t[int(sys.argv[1]) - 1]["rcpts"]))' "$1"
}

err=$(mh mailhop flush 2>&1)
is "$?" 75 "flush exits 75: one recipient deferred"
like "$err" "^mailhop: 1 recipient deferred" "and says so on one line"
is "$(txn_rcpts 1)" "a@example.com b@example.com c@example.com" \
    "all three recipients in one transaction"
is "$(transcript accepted)" "a@example.com alice@example.org" \
    "a accepted; the bounce went to the sender"
is "$(transcript count)" 2 "the message and its bounce"
is "$(transcript mail 2)" "<>" "the bounce comes from the null sender"
dsn=$(transcript data 2)
like "$dsn" "^Content-Type: multipart/report; report-type=delivery-status;" \
    "the bounce is a multipart/report"
like "$dsn" "^Final-Recipient: rfc822; b@example.com" "it names b"
unlike "$dsn" "Final-Recipient: rfc822; (a|c)@example.com" \
    "and neither a (delivered) nor c (deferred)"
like "$dsn" "^Subject: mixed outcomes" "it carries the original headers"

json=$(mh mailhop queue --json)
rstate() {
    printf '%s\n' "$json" | "$PYTHON" -c '
import json, sys
e = json.loads(sys.stdin.readline())
for r in e["recipients"]:
    if r["address"] == sys.argv[1]:
        print(r["state"], r["attempts"], r["last_reply"])' "$1"
}
is "$(rstate c@example.com)" "pending 1 451 4.3.0 try later" \
    "c pending with its reply"
is "$(rstate b@example.com)" "failed 1 550 5.1.1 no such user" "b failed"
like "$(rstate a@example.com)" "^sent 1 250 " "a sent"

mh mailhop flush
is "$?" 0 "an immediate second flush: nothing due"
is "$(transcript count)" 2 "so nothing was sent"

err=$(mh sendmail -qI "$id" 2>&1)
is "$?" 75 "-qI forces the retry"
is "$(txn_rcpts 3)" "c@example.com" "only the deferred recipient is retried"

log=$(cat "$TESTDIR/mail.log")
like "$log" "$id: from=<alice@example.org>, to=<a@example.com>, relay=default\[127\.0\.0\.1\]:$SMTPD_PORT, delay=[0-9.]+, attempts=1, status=sent \(250" \
    "log: a sent"
like "$log" "to=<b@example.com>,.* status=bounced \(550 5\.1\.1 no such user\)" "log: b bounced"
like "$log" "to=<c@example.com>,.* attempts=2, status=deferred \(451 4\.3\.0 try later\)" \
    "log: c deferred twice"

# The upstream has changed its mind about c.
stop_smtpd
start_smtpd
mh_conf
mh sendmail -qI "$id"
is "$?" 0 "c delivered at last"
is "$(transcript rcpt):$(spool_count)" "c@example.com:0" \
    "only c was sent, and the entry is gone"
