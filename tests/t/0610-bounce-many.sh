#!/bin/bash
# dsn.c, deliver.c (issue 9, #3): a bounce for very many refused recipients
# is cut ("... and N more") instead of failing as "too large", so the
# message is bounced once and removed.  Before, 1,000 recipients refused
# with 480-byte replies made the bounce fail, every recipient went back to
# pending, and each retry sent every RCPT again, for ever.
. "$TESTLIB/tap.sh"
plan 9

text=$(head -c 470 /dev/zero | tr '\0' 'x')
start_smtpd --no-auth --tls none --reply "RCPT r* 550 5.1.1 $text"
MH_CONF_BASE=no mh_conf "[upstream]
host = 127.0.0.1
port = $SMTPD_PORT
tls = none
[queue]
deliver = queue"
rcpts=$(for i in $(seq 1 1000); do printf 'r%04d@example.net ' "$i"; done)
# shellcheck disable=SC2086
printf 'Subject: many\n\nx\n' | mh sendmail -f alice@example.org $rcpts
is "$?" 0 "1,000 recipients queued"
mh mailhop flush
is "$(transcript rejected | tr ' ' '\n' | grep -c ':550$')" 1000 "each RCPT refused once"
is "$(spool_count)" 0 "the entry is gone (and its bounce delivered)"
is "$(transcript count)" 1 "one message reached the server: the bounce"
is "$(transcript mail)" "<>" "from the null sender"
is "$(transcript rcpt | tr ' ' '\n' | grep -vc '^r')" 1 "to alice only"
transcript data > dsn.eml
size=$(wc -c < dsn.eml)
ok $((size >= 300000)) "the bounce is bounded ($size bytes for 1,000 failures)"
like "$(cat dsn.eml)" '^\.\.\. and [0-9]+ more recipients, not listed here' \
    "it says how many more failed than it lists"
listed=$(grep -c '^Final-Recipient: rfc822; r[0-9]*@example\.net' dsn.eml)
more=$(sed -n 's/^X-Mailhop-Recipients-Not-Listed: \([0-9]*\).*/\1/p' dsn.eml)
is "$((listed + more))" 1000 "listed ($listed) and not listed ($more) make 1,000"
