#!/bin/bash
# tests/t/1001-php.sh: real callers.  PHP mail() and PHPMailer run
# "sendmail -t -i" (sendmail_path); what reaches the upstream after a flush
# is checked: envelope, each recipient, headers, body bytes.
. "$TESTLIB/tap.sh"
plan 17

start_smtpd
mh_conf '[sender]
from = www-data@example.com
domain = example.com'
. "$TESTLIB/snap.sh"

# PHP 8 mail('bob@example.net', 'Invoice 42', $body, ['From' => ..., ...]):
# To and Subject end in LF (PHP_EOL), the additional headers are joined
# with CRLF, then LF, LF and the body as the script wrote it (LF).
{
	printf 'To: bob@example.net\n'
	printf 'Subject: Invoice 42\n'
	printf 'From: Shop <shop@example.org>\r\nX-Mailer: PHP/8.2.7\r\nX-PHP-Originating-Script: 33:invoice.php\n'
	printf '\n'
	printf 'Dear Bob,\n.\n..two dots\nTotal: 42 EUR\n'
} | mh sendmail -t -i 2>php.err
is "$? $(wc -c <php.err)" "0 0" "PHP mail(): exit 0, nothing on stderr"
mh sendmail -q
snap
is "$(tcount)" 1 "PHP mail(): delivered"
is "$(tmail 1)" www-data@example.com "PHP mail(): envelope sender from [sender] from"
is "$(rcpts 1)" bob@example.net "PHP mail(): recipient from To:"
h=$(hdrs 1)
like "$h" $'^From: Shop <shop@example.org>\r$' "PHP mail(): From kept as written"
like "$h" $'^X-PHP-Originating-Script: 33:invoice.php\r$' "PHP mail(): mixed LF/CRLF headers all kept"
is "$(printf '%s\n' "$h" | grep -c $'[^\r]$')" 0 "PHP mail(): every header line ends in CRLF"
is "$(body 1)" $'Dear Bob,\r\n.\r\n..two dots\r\nTotal: 42 EUR\r' \
    "PHP mail(): body with CRLF; -i keeps the lone dot; no unstuffing"

# PHPMailer 6 (Mailer = sendmail): CRLF, its own Date and Message-ID, Bcc
# in the header section so that -t finds it, a folded Content-Type.
{
	printf 'Date: Tue, 25 Nov 2026 00:19:50 +0000\r\n'
	printf 'To: Bob <bob@example.net>\r\n'
	printf 'From: Shop <shop@example.org>\r\n'
	printf 'Cc: carol@example.net\r\n'
	printf 'Bcc: audit@example.org\r\n'
	printf 'Reply-To: Support <support@example.org>\r\n'
	printf 'Subject: Your order\r\n'
	printf 'Message-ID: <aBcD1234@shop.example.org>\r\n'
	printf 'X-Mailer: PHPMailer 6.9.1 (https://github.com/PHPMailer/PHPMailer)\r\n'
	printf 'MIME-Version: 1.0\r\n'
	printf 'Content-Type: multipart/alternative;\r\n boundary="b1=_aBcD1234"\r\n'
	printf '\r\n'
	printf 'This is a multi-part message in MIME format.\r\n\r\n'
	printf -- '--b1=_aBcD1234\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nHello Bob\r\n\r\n'
	printf -- '--b1=_aBcD1234\r\nContent-Type: text/html; charset=us-ascii\r\n\r\n<p>Hello Bob</p>\r\n\r\n'
	printf -- '--b1=_aBcD1234--\r\n'
} >phpmailer.eml
mh sendmail -t -i <phpmailer.eml 2>pm.err
is "$? $(wc -c <pm.err)" "0 0" "PHPMailer: exit 0, nothing on stderr"
mh sendmail -q
snap
is "$(rcpts 2)" "audit@example.org bob@example.net carol@example.net" \
    "PHPMailer: To, Cc and Bcc recipients"
h=$(hdrs 2)
unlike "$h" '^Bcc:' "PHPMailer: the Bcc header is gone"
is "$(printf '%s\n' "$h" | grep -c '^Message-ID:') $(printf '%s\n' "$h" | grep -c '^Date:')" "1 1" \
    "PHPMailer: its Message-ID and Date kept, not added twice"
like "$h" $'^Date: Tue, 25 Nov 2026 00:19:50 \\+0000\r$' "PHPMailer: Date unchanged"
like "$h" $'^ boundary="b1=_aBcD1234"\r$' "PHPMailer: folded header kept"
grep -v '^Bcc:' phpmailer.eml >want.eml
is "$(tdata 2 | sed '/^Message-ID/,$!d' | md5sum)" "$(sed '/^Message-ID/,$!d' want.eml | md5sum)" \
    "PHPMailer: everything from Message-ID on arrives byte for byte"
is "$(tmail 2)" www-data@example.com "PHPMailer: envelope sender"
is "$(spool_count)" 0 "spool empty"
