#!/bin/bash
# message.c (issue 9, #4; SPEC 4): in the header section a bare CR is not a
# line ending but a space, so "Subject: x<CR>Bcc: victim" adds no header
# and, under -t, no recipient; under -bs it adds no header either.  In the
# body a bare CR is still a line break, and CRLF is CRLF everywhere.
. "$TESTLIB/tap.sh"
plan 14

SPOOL=$XDG_STATE_HOME/mailhop
mh_conf
newest() { ls -t "$SPOOL"/*.e | head -n 1 | sed 's/\.e$//'; }
rcpts() { sed -n 's/^rcpt [a-z]* [0-9]* [0-9]* \([^	]*\)	.*/\1/p' "$1.e" | tr '\n' ' '; }

printf 'To: bob@example.net\nSubject: x\rBcc: victim@spam.example\rX-Injected: 1\n\nbody\n' |
    mh sendmail -t -odq
is "$?" 0 "-t: queued"
e=$(newest)
is "$(rcpts "$e")" "bob@example.net " "-t: the Bcc after a bare CR adds no recipient"
like "$(cat "$e.m")" $'^Subject: x Bcc: victim@spam\\.example X-Injected: 1\r$' \
    "it stays in the Subject, the CRs made spaces"
LC_ALL=C grep -q '^X-Injected:\|^Bcc:' "$e.m"
ok $((! $?)) "no header was added"

# The CR at the end of one read and the rest in the next: same result.
{ printf 'To: bob@example.net\nSubject: y\r'; sleep 0.3; printf 'Bcc: victim2@spam.example\n\nbody\n'; } |
    mh sendmail -t -odq
e=$(newest)
is "$(rcpts "$e")" "bob@example.net " "-t, CR at a read boundary: no recipient added"
like "$(cat "$e.m")" $'^Subject: y Bcc: victim2@spam\\.example\r$' "one Subject line"

# Controls: CRLF and LF end header lines; a bare CR in the body breaks it.
printf 'To: bob@example.net\r\nBcc: carol@example.net\r\nSubject: z\r\n\r\nb1\rb2\r\n' |
    mh sendmail -t -odq
e=$(newest)
is "$(rcpts "$e")" "bob@example.net carol@example.net " "-t: a CRLF Bcc line is a recipient (control)"
LC_ALL=C grep -q '^Bcc:' "$e.m"
ok $((! $?)) "and is removed from the message"
is "$(sed '1,/^\r$/d' "$e.m")" $'b1\r\nb2\r' "in the body a bare CR is a line break"

# Folding after a bare CR is still the same field.
printf 'Subject: f\r\tcont\nTo: bob@example.net\n\nx\n' | mh sendmail -t -odq
e=$(newest)
like "$(cat "$e.m")" $'^Subject: f \tcont\r$' "a bare CR before a TAB is a space too"

# -bs: the same bytes inside DATA.
printf 'EHLO x\r\nMAIL FROM:<app@example.org>\r\nRCPT TO:<bob@example.net>\r\nDATA\r\nSubject: x\rBcc: victim@spam.example\rX-Injected: 1\r\n\r\nb1\rb2\r\n.\r\nQUIT\r\n' |
    mh sendmail -bs > bs.out
like "$(cat bs.out)" "queued as" "-bs: queued"
e=$(newest)
like "$(cat "$e.m")" $'^Subject: x Bcc: victim@spam\\.example X-Injected: 1\r$' \
    "-bs: one Subject line, CRs made spaces"
LC_ALL=C grep -q '^X-Injected:' "$e.m"
ok $((! $?)) "-bs: no header was added"
is "$(sed '1,/^\r$/d' "$e.m")" $'b1\r\nb2\r' "-bs: in the body a bare CR is a line break"
