#!/bin/bash
# tests/t/0701-bs-dialogue.sh: cmd_smtp.c.  A scripted sendmail -bs session,
# every reply checked line by line; the message is in the spool (durable)
# before the 250, and nothing is ever written on stderr.
. "$TESTLIB/tap.sh"
plan 20

SPOOL=$XDG_STATE_HOME/mailhop
mh_conf '[upstream]
helo = mx.test.example
[sender]
domain = example.com'

# bs NAME: run "sendmail -bs" with stdin, keep NAME.raw (as sent),
# NAME.out (CR removed, queue ids masked), NAME.err and the exit status.
bs() {
	mh sendmail -bs "${@:2}" >"$1.raw" 2>"$1.err"
	echo $? >"$1.rc"
	tr -d '\r' <"$1.raw" | sed 's/queued as [0-9A-Za-z._-]*/queued as ID/' >"$1.out"
}
env_sender() { sed -n 's/^sender <\(.*\)>$/\1/p' "$SPOOL/$1.e"; }
env_rcpts() { awk '$1 == "rcpt" { printf "%s%s", sep, $5; sep = " " }' "$SPOOL/$1.e"; }

printf 'EHLO client.example\r\nMAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.net>\r\nDATA\r\n' >s1.in
printf 'Subject: hello\r\n\r\nbody line\r\n.\r\nQUIT\r\n' >>s1.in
bs s1 <s1.in
is "$(cat s1.rc)" 0 "exit 0 after QUIT"
is "$(wc -c <s1.err)" 0 "nothing on stderr"
is "$(cat s1.out)" "220 mx.test.example mailhop ESMTP
250-mx.test.example
250-PIPELINING
250-SIZE 67108864
250-8BITMIME
250-ENHANCEDSTATUSCODES
250-SMTPUTF8
250 HELP
250 2.1.0 Ok
250 2.1.5 Ok
354 End data with <CR><LF>.<CR><LF>
250 2.0.0 Ok: queued as ID
221 2.0.0 mx.test.example closing connection" "every reply, in order"
is "$(grep -c $'\r$' s1.raw)" "$(wc -l <s1.raw)" "every reply line ends in CRLF"
id=$(tr -d '\r' <s1.raw | sed -n 's/^250 2.0.0 Ok: queued as //p')
is "$(spool_count)" 1 "one entry in the spool"
ok_cmd "the queue id of the 250 names the entry" test -f "$SPOOL/$id.e"
is "$(env_sender "$id")" alice@example.org "envelope sender from MAIL FROM"
is "$(env_rcpts "$id")" bob@example.net "envelope recipient from RCPT TO"
msg=$(cat "$SPOOL/$id.m")
like "$msg" $'^Subject: hello\r$' "Subject kept"
like "$msg" $'^body line\r$' "body kept, CRLF"
like "$msg" '^Message-ID: <.+@.+>' "Message-ID added"
like "$msg" '^Date: ' "Date added"

# HELO (Symfony's SmtpTransport), VRFY, HELP, NOOP, unknown and
# not-implemented commands, lower case verbs.
printf 'HELO [127.0.0.1]\r\nvrfy root\r\nNOOP\r\nHELP\r\nEXPN staff\r\nXYZZY\r\nrset\r\nquit\r\n' | bs s2
is "$(cat s2.out)" "220 mx.test.example mailhop ESMTP
250 mx.test.example
252 2.5.2 Cannot VRFY user, but will accept message and attempt delivery
250 2.0.0 Ok
214-2.0.0 mailhop sendmail -bs: commands
214-2.0.0   HELO EHLO MAIL RCPT DATA RSET NOOP VRFY HELP QUIT
214 2.0.0 See mailhop(8)
502 5.5.1 Error: command not implemented
500 5.5.2 Error: command not recognized
250 2.0.0 Ok
221 2.0.0 mx.test.example closing connection" "HELO, VRFY 252, NOOP, HELP, EXPN 502, unknown 500, RSET, QUIT"
is "$(cat s2.rc) $(wc -c <s2.err)" "0 0" "exit 0, stderr empty"

# EOF without QUIT: the open transaction is dropped, exit 0.
printf 'EHLO c\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\n' | bs s3
is "$(tr '\n' ' ' <s3.out)" "220 mx.test.example mailhop ESMTP 250-mx.test.example 250-PIPELINING 250-SIZE 67108864 250-8BITMIME 250-ENHANCEDSTATUSCODES 250-SMTPUTF8 250 HELP 250 2.1.0 Ok 250 2.1.5 Ok " \
    "EOF after RCPT: replies up to RCPT"
is "$(cat s3.rc) $(wc -c <s3.err) $(spool_count)" "0 0 1" "EOF without QUIT: exit 0, silent, nothing new queued"

# EOF in the middle of DATA: not queued, and the exit status says so.
printf 'EHLO c\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nDATA\r\nSubject: cut\r\n\r\nhalf a mess' | bs s4
is "$(tail -n 1 s4.out)" "354 End data with <CR><LF>.<CR><LF>" "EOF in DATA: no reply after 354"
is "$(cat s4.rc)" 74 "EOF in DATA: exit 74"
is "$(cat s4.err)" "mailhop: -bs: input ended during DATA; that message was not queued" \
    "EOF in DATA: one line on stderr"
is "$(spool_count) $(ls "$SPOOL" | grep -c "\.m$")" "1 1" "EOF in DATA: nothing of it left in the spool"
