#!/bin/bash
# tests/t/1004-mua.sh: real callers.  bsd-mailx ("sendmail -i -t [-f addr]",
# Bcc: left in the message), s-nail ("sendmail -i -f addr -- rcpt..."),
# mutt ("sendmail -oem -oi -- rcpt...").
. "$TESTLIB/tap.sh"
plan 17

start_smtpd
mh_conf '[sender]
domain = example.com'
. "$TESTLIB/snap.sh"
me=$(id -un)

# bsd-mailx: no From/Date/Message-ID of its own, Bcc: in the headers.
printf 'To: bob@example.net\nCc: carol@example.net\nBcc: dave@example.net\nSubject: weekly report\n\nall good\n' |
    mh sendmail -i -t -f alice@example.org 2>mailx.err
is "$? $(wc -c <mailx.err)" "0 0" "bsd-mailx: exit 0, nothing on stderr"
mh sendmail -q
snap
is "$(tmail 1)" alice@example.org "bsd-mailx: envelope sender from -f"
is "$(rcpts 1)" "bob@example.net carol@example.net dave@example.net" "bsd-mailx: To, Cc and Bcc recipients"
h=$(hdrs 1)
unlike "$h" '^Bcc:' "bsd-mailx: Bcc header removed"
like "$h" '^From: .*alice@example\.org' "bsd-mailx: From added from the envelope sender"
is "$(printf '%s\n' "$h" | grep -c -E '^(Date|Message-ID):')" 2 "bsd-mailx: Date and Message-ID added"
is "$(body 1)" $'all good\r' "bsd-mailx: body"

# s-nail: recipients as arguments (Bcc already stripped by s-nail), its
# own Date and Message-ID.
printf 'Date: Tue, 25 Nov 2026 00:19:50 +0100\nFrom: alice@example.org\nTo: bob@example.net\nSubject: hi\nMessage-ID: <20261124231950.AbCdEf@host>\nUser-Agent: s-nail v14.9.24\nMIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: 7bit\n\nhello from s-nail\n' |
    mh sendmail -i -f alice@example.org -- bob@example.net hidden@example.net 2>snail.err
is "$? $(wc -c <snail.err)" "0 0" "s-nail: exit 0, nothing on stderr"
mh sendmail -q
snap
is "$(rcpts 2)" "bob@example.net hidden@example.net" "s-nail: exactly the argument recipients"
is "$(hdrs 2 | grep -c -E '^(Date|Message-ID):')" 2 "s-nail: its Date and Message-ID, none added"
is "$(body 2)" $'hello from s-nail\r' "s-nail: body"

# mutt: MIME with a base64 attachment, recipients after --, no -f.
b=BoUnDaRy42
{
	printf 'Date: Tue, 25 Nov 2026 00:19:50 +0100\nFrom: Alice <alice@example.org>\nTo: Bob <bob@example.net>\n'
	printf 'Cc: carol@example.net\nSubject: the file\nMessage-ID: <20261124231950.GA1234@host>\n'
	printf 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="%s"\nContent-Disposition: inline\n\n' "$b"
	printf -- '--%s\nContent-Type: text/plain; charset=us-ascii\nContent-Disposition: inline\n\nsee attached\n\n' "$b"
	printf -- '--%s\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename="x.bin"\nContent-Transfer-Encoding: base64\n\n' "$b"
	head -c 3000 /dev/urandom | base64
	printf -- '\n--%s--\n' "$b"
} >mutt.eml
mh sendmail -oem -oi -- bob@example.net carol@example.net <mutt.eml 2>mutt.err
is "$? $(wc -c <mutt.err)" "0 0" "mutt: exit 0, nothing on stderr"
mh sendmail -q
snap
is "$(rcpts 3)" "bob@example.net carol@example.net" "mutt: argument recipients"
is "$(tmail 3)" "$me@example.com" "mutt: default envelope sender"
is "$(tdata 3 | tr -d '\r' | md5sum)" "$(md5sum <mutt.eml)" "mutt: message byte for byte (CRLF aside)"
is "$(tdata 3 | grep -c $'[^\r]$')" 0 "mutt: every line CRLF on the wire"
is "$(spool_count)" 0 "spool empty"
