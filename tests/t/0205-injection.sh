#!/bin/bash
# tests/t/0205-injection.sh: cmd_send.c, addr.c, message.c.  An address
# carrying CR/LF (or another control byte, or an unquoted space or <>) is
# refused with 65 and a line that shows it escaped, before anything is
# queued: in an argument, in a -t header, as -f.  -F with CR/LF too.
. "$TESTLIB/tap.sh"
plan 17

start_smtpd
mh_conf '[sender]
domain = example.com'
evil=$'a@x\r\nRCPT TO:<evil@y>'
msg() { printf 'Subject: x\n\nbody\n'; }

out=$(msg | mh sendmail "$evil" 2>&1)
is "$?:$out" '65:mailhop: recipient "a@x\r\nRCPT TO:<evil@y>": control character in address' \
    "CRLF in an argument: 65, escaped in the message"
out=$(msg | mh sendmail ok@example.com "$evil" 2>&1)
is "$?" 65 "a good and a bad argument: 65 all the same"
out=$(msg | mh sendmail $'a@x\nb@y' 2>&1)
is "$?" 65 "a lone LF in an argument: 65"
out=$(msg | mh sendmail $'a@x\tb' 2>&1)
is "$?" 65 "a TAB in an argument: 65"
out=$(printf 'To: a@x\r\n\tRCPT TO:<evil@y>\nSubject: x\n\nbody\n' | mh sendmail -t 2>&1)
is "$?" 65 "a folded To: whose continuation is not an address: 65"
# In the header section a bare CR is a space (SPEC 4, revision 2):
# "a@x RCPT TO:<evil@y>" is no address list, so -t refuses it; in a
# Subject the text stays in the Subject and travels as data.
out=$(printf 'To: a@x\rRCPT TO:<evil@y>\nSubject: x\n\nbody\n' | mh sendmail -t 2>&1)
is "$?:$(spool_count)" "65:0" "a bare CR in To: is a space: no address list, 65"
printf 'To: a@x\nSubject: x\rRCPT TO:<evil@y>\n\nbody\n' | mh sendmail -t
is "$?:$(spool_count)" "0:1" "a bare CR in Subject: is a space; queued"
out=$(printf 'To: <a@x>RCPT TO:<evil@y>\nSubject: x\n\nbody\n' | mh sendmail -t 2>&1)
like "$?:$out" '^65:mailhop: To header: ' "-t: a To: that is no address list: 65, naming the header"
out=$(msg | mh sendmail -f "$evil" ok@example.com 2>&1)
is "$?:$out" '65:mailhop: sender "a@x\r\nRCPT TO:<evil@y>": control character in address' \
    "CRLF in -f: 65, escaped"
out=$(msg | mh sendmail -f 'a b@x' ok@example.com 2>&1)
like "$?:$out" '^65:mailhop: sender ' "-f with an unquoted space: 65"
out=$(msg | mh sendmail 'a b@example.com' 2>&1)
like "$?:$out" '^65:mailhop: recipient ' "an argument with an unquoted space: 65"
out=$(msg | mh sendmail -F $'Ann\r\nBcc: evil@y' ok@example.com 2>&1)
is "$?:$out" '65:mailhop: -F "Ann\r\nBcc: evil@y": line break in full name' "-F with CR/LF: 65"
out=$(msg | mh sendmail -F $'Ann\nX' ok@example.com 2>&1)
is "$?" 65 "-F with LF: 65"

is "$(spool_count)" 1 "nothing else queued by any of them"
mh sendmail -q
is "$(transcript count):$(transcript rcpt)" "1:a@x" "one message sent, to a@x only"
unlike "$(transcript commands)" 'evil' "the server saw no injected command"
like "$(transcript data 1 | tr -d '\r')" $'^Subject: x RCPT TO:<evil@y>$' \
    "the text after the bare CR arrived in the Subject"
