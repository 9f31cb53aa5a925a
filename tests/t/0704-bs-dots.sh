#!/bin/bash
# tests/t/0704-bs-dots.sh: cmd_smtp.c.  What ends DATA and what the
# message becomes: dot-unstuffing ("..x" is ".x"), only CRLF "." CRLF ends
# DATA (bare LF lines are normalised to CRLF, but "." LF ends nothing: see
# 0710 for every CR/LF/dot mix), bare CRs in the body are line breaks, and
# an SMTP-smuggling attempt stays inside the one message.
. "$TESTLIB/tap.sh"
plan 15

SPOOL=$XDG_STATE_HOME/mailhop
mh_conf '[upstream]
helo = mx.test.example'

# data BODY-BYTES: one message via -bs; ID gets the queued id (or nothing),
# REPLIES the reply codes.
data() {
	{
		printf 'EHLO dots.example\r\nMAIL FROM:<d@example.org>\r\nRCPT TO:<d@example.net>\r\nDATA\r\n'
		printf '%b' "$1"
		printf 'QUIT\r\n'
	} | mh sendmail -bs >d.raw 2>d.err
	REPLIES=$(tr -d '\r' <d.raw | grep -v '^[0-9][0-9][0-9]-' | cut -c1-3 | tr '\n' ' ')
	ID=$(tr -d '\r' <d.raw | sed -n 's/^250 2.0.0 Ok: queued as //p')
}
# the body of the queued message (after the first empty line), as od -c
body() { sed '1,/^\r$/d' "$SPOOL/$1.m"; }

data 'Subject: dots\r\n\r\n..x\r\n..\r\n...\r\n. \r\nend\r\n.\r\n'
id=$ID
is "$REPLIES" "220 250 250 250 354 250 221 " "dotted message accepted"
is "$(body "$id")" $'.x\r\n.\r\n..\r\n \r\nend\r' "dot-unstuffing: one leading dot removed; \". \" does not end DATA"

data 'Subject: lf\n\nline1\nline2\r\n.\r\n'
id=$ID
is "$REPLIES" "220 250 250 250 354 250 221 " "LF lines, then CRLF \".\" CRLF: accepted"
is "$(body "$id")" $'line1\r\nline2\r' "LF-only lines queued as CRLF lines"

data 'Subject: mixed\r\n\r\na\r\n.\n'
id=$ID
is "$REPLIES" "220 250 250 250 354 " "\".\" LF does not end DATA (nor does what follows); EOF: not queued"

data 'Subject: cr\r\n\r\nbare\rcr\r\n.\r\n'
id=$ID
is "$(body "$id")" $'bare\r\ncr\r' "a bare CR is a line break, never a lone CR"
cr=$(tr -d '\r\n' <"$SPOOL/$id.m" | wc -c); all=$(tr -d '\n' <"$SPOOL/$id.m" | wc -c)
crs=$(grep -c $'\r$' "$SPOOL/$id.m")
is "$((all - cr)) $crs" "$(wc -l <"$SPOOL/$id.m") $(wc -l <"$SPOOL/$id.m")" \
    "every CR in the queued file is followed by LF and every LF preceded by CR"

# Smuggling: "\r\n.\r" followed by more text, and "\n.\r\n" variants that
# some servers take as the end.  Here only a whole "." line ends DATA; the
# rest is content of the same message.
data 'Subject: smuggle\r\n\r\nhello\r\n.\rMAIL FROM:<evil@example.org>\r\nRCPT TO:<victim@example.net>\r\nDATA\r\nSubject: smuggled\r\n\r\nx\r\n.\r\n'
id=$ID
is "$REPLIES" "220 250 250 250 354 250 221 " "one message, not two: one 250 for the data"
like "$(body "$id")" '^MAIL FROM:<evil@example.org>' "the would-be command is message content"
is "$(grep -c '^Subject:' "$SPOOL/$id.m")" 2 "both Subject lines are in the one message (the second as body text)"
is "$(spool_count)" 4 "four messages queued so far"

# A lone "." in the message content (from a bare CR split) is content, and
# the transaction is ended only by the real terminator.
data 'Subject: cr-dot\r\n\r\nx\r.\r\ny\r\n.\r\n'
id=$ID
is "$(body "$id")" $'x\r\n.\r\ny\r' "\".\" after a bare CR is content, not the end"

# A line longer than the input buffer arrives whole, re-encoded
# quoted-printable (SPEC 11) into lines of at most 76.
long=$(head -c 100000 /dev/zero | tr '\0' 'a')
data "Subject: long\r\n\r\n.$long\r\n.\r\n"
id=$ID
is "$(body "$id" | awk 'length($0) > 999' | wc -l)" 0 "no line over 998 bytes"
is "$(body "$id" | tr -d '\r' | sed 's/=$//' | tr -d '\n' | wc -c)" 100000 \
    "a 100000-byte line arrives whole, with soft line breaks"
is "$(body "$id" | head -c 3)" "aaa" "its leading dot removed even though it came in pieces"
