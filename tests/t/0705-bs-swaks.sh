#!/bin/bash
# tests/t/0705-bs-swaks.sh: cmd_smtp.c end to end.  swaks, a real SMTP
# client, talks to "sendmail -bs" over a pipe; after a flush the message
# reaches the upstream with the right envelope and body.
. "$TESTLIB/tap.sh"
plan 12

start_smtpd
mh_conf '[upstream]
helo = mx.test.example
[sender]
domain = example.com
[aliases]
root = admin@example.com'
# swaks runs argv[0] of the pipe command: name the binary sendmail, as
# `make install` does.
mkdir -p bin && ln -s "$MAILHOP_BIN" bin/sendmail

# swaks adds the final CRLF itself
printf 'Subject: via swaks\r\nX-Test: 0705\r\n\r\nfirst line\r\n.leading dot\r\n.\r\nlast line' >msg.eml
out=$(swaks --pipe "$PWD/bin/sendmail -bs" --ehlo swaks.example \
	--from sender@example.org --to rcpt@example.net,root \
	--data @msg.eml 2>swaks.err)
is "$?" 0 "swaks: exit 0"
like "$out" '<-+ *250 2\.0\.0 Ok: queued as ' "swaks saw the 250 with the queue id"
like "$out" '<-+ *221 ' "swaks saw the 221"
is "$(spool_count)" 1 "queued"
is "$(transcript count)" 0 "nothing delivered yet (deliver = queue)"

out=$(mh sendmail -q 2>&1)
is "$?" 0 "sendmail -q: exit 0"
is "$(transcript count)" 1 "one transaction upstream"
is "$(transcript mail)" sender@example.org "envelope sender"
is "$(transcript rcpt)" "rcpt@example.net admin@example.com" "envelope recipients, alias expanded"
transcript data >got.eml
like "$(cat got.eml)" $'^X-Test: 0705\r$' "header arrived"
is "$(sed '1,/^\r$/d' got.eml)" $'first line\r\n.leading dot\r\n.\r\nlast line\r' \
    "body arrived byte for byte (dots intact)"
is "$(spool_count)" 0 "the spool is empty after delivery"
