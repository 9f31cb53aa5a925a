#!/bin/bash
# tests/t/0104-cli-modes.sh: cli.c, main.c.  The -b modes and the -q forms
# reach the right command: -bp lists, -bi answers like newaliases, -bs
# speaks SMTP, -q / -q15m / -qR / -qS / -qI flush what they select.
. "$TESTLIB/tap.sh"
plan 12

start_smtpd
mh_conf '[sender]
domain = example.com'
printf 'Subject: 1\n\nx\n' | mh sendmail -f ann@example.org bob@one.example
printf 'Subject: 2\n\nx\n' | mh sendmail -f carl@example.org dora@two.example
printf 'Subject: 3\n\nx\n' | mh sendmail -f eve@example.org fay@three.example
is "$(spool_count)" 3 "three queued (deliver = queue)"

out=$(mh sendmail -bp)
like "$out" 'bob@one\.example' "-bp lists the queue"
is "$out" "$(mh mailq)" "-bp prints what mailq prints"
out=$(mh sendmail -bi 2>&1)
is "$?" 0 "-bi: exit 0"
is "$out" "$(mh newaliases 2>&1)" "-bi answers as newaliases does"

out=$(printf 'QUIT\r\n' | mh sendmail -bs 2>&1)
like "$out" '^220 ' "-bs greets"
like "$out" '^221 ' "-bs answers QUIT"

mh sendmail -qRtwo.example
is "$(transcript rcpt)" "dora@two.example" "-qRSUBSTR: only that domain"
mh sendmail -qS eve
is "$(transcript rcpt)" "dora@two.example fay@three.example" "-qS SUBSTR: only that sender"
id=$(mh mailhop queue --json | sed 's/^{"id":"\([^"]*\)".*/\1/')
mh sendmail -qI "$id"
is "$(transcript rcpt)" "dora@two.example fay@three.example bob@one.example" "-qI ID: that entry"
printf 'Subject: 4\n\nx\n' | mh sendmail gil@four.example
mh sendmail -q15m
is "$(transcript rcpt | wc -w)" 4 "-q15m flushes once"
printf 'Subject: 5\n\nx\n' | mh sendmail hal@five.example
mh sendmail -q
is "$(transcript rcpt | wc -w):$(spool_count)" "5:0" "-q flushes everything due"
