#!/bin/bash
# tests/t/0703-bs-errors.sh: cmd_smtp.c.  Refusals in -bs: a bad address
# gets a 5xx and the session goes on; commands out of sequence get 503;
# limits (SIZE, max_size, max_recipients) are enforced with nothing
# queued; a line too long is 500; stderr stays empty throughout.
. "$TESTLIB/tap.sh"
plan 34

SPOOL=$XDG_STATE_HOME/mailhop
mh_conf '[upstream]
helo = mx.test.example
[sender]
domain = example.com
[aliases]
team = t1@example.net, t2@example.net, t3@example.net
loop1 = loop2
loop2 = loop1
[queue]
max_recipients = 3
max_size = 2000'
env_rcpts() { awk '$1 == "rcpt" { printf "%s%s", sep, $5; sep = " " }' "$SPOOL/$1.e"; }

# run one session; R[n] is the n-th reply line (continuation lines dropped)
bs() {
	mh sendmail -bs >bs.raw 2>bs.err
	RC=$?
	mapfile -t R < <(tr -d '\r' <bs.raw | grep -v '^[0-9][0-9][0-9]-')
}

{
	printf 'MAIL FROM:<early@example.org>\r\n'			# 1
	printf 'RCPT TO:<early@example.net>\r\n'			# 2
	printf 'EHLO err.example\r\n'					# 3
	printf 'RCPT TO:<nomail@example.net>\r\n'			# 4
	printf 'DATA\r\n'						# 5
	printf 'MAIL FROM:<bad address@example.org>\r\n'		# 6
	printf 'MAIL FROM:alice@example.org\r\n'			# 7 lenient: no <>
	printf 'MAIL FROM:<again@example.org>\r\n'			# 8
	printf 'DATA\r\n'						# 9
	printf 'RCPT TO:<>\r\n'						# 10
	printf 'RCPT TO:<a b@example.net>\r\n'				# 11
	printf 'RCPT TO:<x@example.net> NOTIFY=NEVER\r\n'		# 12
	printf 'RCPT bob@example.net\r\n'				# 13
	printf 'RCPT TO:<loop1>\r\n'					# 14
	printf 'RCPT TO:<good@example.net>\r\n'				# 15
	printf 'RCPT TO:<team>\r\n'					# 16 would make 4
	printf 'RCPT TO:<good2@example.net>\r\n'			# 17
	printf 'RCPT TO:<good2@example.net>\r\n'			# 18 duplicate
	printf 'RCPT TO:<good3@example.net>\r\n'			# 19
	printf 'RCPT TO:<good4@example.net>\r\n'			# 20 4th: 452
	printf 'NOOP %04000d\r\n' 0					# 21 too long
	printf 'DATA\r\n'						# 22
	printf 'Subject: survived\r\n\r\nok\r\n.\r\n'			# 23
	printf 'QUIT\r\n'						# 24
} >bs.in
bs <bs.in
is "$RC $(wc -c <bs.err)" "0 0" "exit 0, nothing on stderr"
like "${R[1]}" '^503 5\.5\.1 .*HELO' "MAIL before EHLO: 503"
like "${R[2]}" '^503 5\.5\.1 ' "RCPT before EHLO: 503"
like "${R[4]}" '^503 5\.5\.1 .*MAIL' "RCPT before MAIL: 503"
like "${R[5]}" '^503 5\.5\.1 .*MAIL' "DATA before MAIL: 503"
like "${R[6]}" '^55[0-9] 5\.1\.7 ' "MAIL with a space in the address: 5xx, 5.1.7"
is "${R[7]}" "250 2.1.0 Ok" "MAIL FROM without angle brackets accepted"
like "${R[8]}" '^503 5\.5\.1 .*nested' "second MAIL in a transaction: 503"
like "${R[9]}" '^554 5\.5\.1 .*recipients' "DATA without recipients: 554"
like "${R[10]}" '^553 5\.1\.3 ' "RCPT TO:<>: 553"
like "${R[11]}" '^55[0-9] 5\.1\.3 ' "RCPT with a space in the address: 5xx"
like "${R[12]}" '^555 5\.5\.4 ' "RCPT parameter: 555"
like "${R[13]}" '^501 5\.5\.4 ' "RCPT without TO: 501"
like "${R[14]}" '^5[0-9][0-9] .*loop' "alias loop: 5xx naming the loop"
is "${R[15]}" "250 2.1.5 Ok" "good recipient after the errors"
like "${R[16]}" '^452 4\.5\.3 .*max_recipients' "alias growing past max_recipients: 452"
is "${R[17]} ${R[18]} ${R[19]}" "250 2.1.5 Ok 250 2.1.5 Ok 250 2.1.5 Ok" \
    "more recipients up to the limit, a duplicate accepted"
like "${R[20]}" '^452 4\.5\.3 ' "recipient past max_recipients: 452"
is "${R[21]}" "500 5.5.2 Error: line too long" "command line too long: 500"
like "${R[22]} / ${R[23]}" '^354 .* / 250 2\.0\.0 Ok: queued as ' "the session survived: message queued"
id=${R[23]##* }
is "$(env_rcpts "$id")" "good@example.net good2@example.net good3@example.net" \
    "only the accepted recipients are in the envelope"
is "${R[24]}" "221 2.0.0 mx.test.example closing connection" "QUIT"

# Size limits and bad content: refused, nothing queued, session goes on.
{
	printf 'EHLO size.example\r\n'
	printf 'MAIL FROM:<s@example.org> SIZE=5000\r\n'			# 2
	printf 'MAIL FROM:<s@example.org> BODY=BINARYMIME\r\n'		# 3
	printf 'MAIL FROM:<s@example.org> SIZE=1x\r\n'			# 4
	printf 'MAIL FROM:<s@example.org> SIZE=1500 BODY=8BITMIME\r\n'	# 5
	printf 'RCPT TO:<big@example.net>\r\nDATA\r\n'			# 6 7
	printf 'Subject: big\r\n\r\n'
	for i in $(seq 40); do printf '%070d\r\n' "$i"; done
	printf '.\r\n'							# 8
	printf 'MAIL FROM:<n@example.org>\r\nRCPT TO:<nul@example.net>\r\nDATA\r\n'	# 9 10 11
	printf 'Subject: nul\r\n\r\na\0b\r\n.\r\n'			# 12
	printf 'MAIL FROM:<after@example.org>\r\nRCPT TO:<after@example.net>\r\nDATA\r\n'	# 13 14 15
	printf 'Subject: after\r\n\r\nfine\r\n.\r\nQUIT\r\n'		# 16 17
} >bs.in
bs <bs.in
is "$RC $(wc -c <bs.err)" "0 0" "limits session: exit 0, nothing on stderr"
like "${R[2]}" '^552 5\.3\.4 .*max_size' "MAIL SIZE= over max_size: 552"
like "${R[3]}" '^555 5\.5\.4 ' "unsupported MAIL parameter: 555"
like "${R[4]}" '^501 5\.5\.4 ' "bad SIZE value: 501"
is "${R[5]} ${R[6]} ${R[7]%% *}" "250 2.1.0 Ok 250 2.1.5 Ok 354" "SIZE under the limit and BODY=8BITMIME accepted"
like "${R[8]}" '^552 5\.3\.4 .*max_size' "DATA over max_size: 552 at the final dot"
like "${R[12]}" '^554 5\.6\.0 .*NUL' "NUL byte in DATA: 554"
like "${R[16]}" '^250 2\.0\.0 Ok: queued as ' "the next message after the refusals is queued"
is "$(spool_count)" 2 "refused messages left nothing in the spool"
is "$(ls "$XDG_STATE_HOME/mailhop" | grep -c '\.m$')" 2 "no stray message files either"

# Under max_size as sent, over it once From, Date and Message-ID are added:
# message.c refuses it, and -bs still answers 552 (err.reason, not the text).
{
	printf 'EHLO size2.example\r\nMAIL FROM:<s@example.org>\r\n'	# 1 2
	printf 'RCPT TO:<edge@example.net>\r\nDATA\r\n'			# 3 4
	printf 'Subject: m\r\n\r\n'
	for i in $(seq 26); do printf '%070d\r\n' "$i"; done
	printf '.\r\nQUIT\r\n'						# 5 6
} >bs.in
bs <bs.in
like "${R[5]}" '^552 5\.3\.4 .*max_size' "over max_size only with the added headers: 552"
is "$(spool_count)" 2 "and nothing queued"
