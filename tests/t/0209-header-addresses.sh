#!/bin/bash
# 0209-header-addresses.sh: message.c, addr.c (SPEC 11).  Bare local names
# in From, To, Cc, Reply-To, Sender and the Resent- forms get @domain, in
# sendmail mode and -bs; display names, comments, groups and everything
# else stay byte for byte (checked with Python's email package over the
# address table of tests/unit/t_addr.c, tests/lib/addr_table.py, in Cc
# and then in each of the other fields); aliases
# apply to the envelope only; force_from keeps the display name, and
# cron's "root (Cron Daemon)" becomes "Cron Daemon <from>"; the name
# is RFC 2047-encoded when it must be (non-ASCII, control bytes, a word
# too long for a line), quoted for specials, and every line of the From
# field that holds an encoded-word fits in 76 octets (Python decodes the
# name sent).
. "$TESTLIB/tap.sh"

start_smtpd || bail "no smtpd"
mh_conf "[sender]
domain = example.com
[aliases]
root = admin@example.org"
table() { "$PYTHON" "$TESTLIB/addr_table.py" "$@" "$TESTSRC/unit/t_addr.c"; }
# header NAME [N]: the unfolded field NAME of transaction N (default last)
header() {
	transcript data "${2:--1}" | tr -d '\r' | sed '/^$/q' |
		awk -v n="$1:" 'tolower(substr($0, 1, length(n))) == tolower(n) { v = substr($0, length(n) + 2); f = 1; next }
		    f && /^[ \t]/ { v = v $0; next } { f = 0 } END { print v }'
}

# 1. The address table, one Cc: per row, in sendmail mode and with -bs.
table msg >table.eml
mh sendmail -i -odq bob@example.net <table.eml
mh mailhop flush
wait_transactions 1
transcript data 1 >t1
"$PYTHON" "$TESTLIB/addr_table.py" check "$TESTSRC/unit/t_addr.c" t1 >check1
while read -r n res; do is "$res" ok "sendmail: address table row $n"; done <check1
{
	printf 'EHLO t.example\r\nMAIL FROM:<s@example.org>\r\nRCPT TO:<bob@example.net>\r\nDATA\r\n'
	sed 's/^\./../; s/$/\r/' table.eml
	printf '.\r\nQUIT\r\n'
} | mh sendmail -bs >bs.out 2>&1
mh mailhop flush
wait_transactions 2
transcript data 2 >t2
"$PYTHON" "$TESTLIB/addr_table.py" check "$TESTSRC/unit/t_addr.c" t2 >check2
while read -r n res; do is "$res" ok "-bs: address table row $n"; done <check2
[ "$(wc -l <check1)" -gt 80 ] && [ "$(wc -l <check2)" = "$(wc -l <check1)" ]
ok $? "every row was checked ($(wc -l <check1) rows)"

# 2. Which fields: the address fields and their Resent- forms, nothing else.
printf '%s\n' 'From: root' 'Sender: root' 'Reply-To: root' 'To: root' \
    'Cc: root' 'Resent-From: root' 'Resent-Sender: root' 'Resent-To: root' \
    'Resent-Cc: root' 'Resent-Reply-To: root' 'X-Other: root' 'Subject: root' \
    'Comments: root' '' 'root' | mh sendmail -i -odq bob@example.net
mh mailhop flush
wait_transactions 3
for f in From Sender Reply-To To Cc Resent-From Resent-Sender Resent-To Resent-Cc Resent-Reply-To; do
	is "$(header $f)" "root@example.com" "$f: root qualified"
done
for f in X-Other Subject Comments; do
	is "$(header $f)" "root" "$f: not an address field, unchanged"
done
is "$(transcript data | tr -d '\r' | sed '1,/^$/d')" "root" "the body is not touched"

# 3. Aliases are for the envelope: To: root goes to admin@example.org.
printf 'To: Admin <root>, root (the boss)\nSubject: alias\n\nx\n' | mh sendmail -t -odq
mh mailhop flush
wait_transactions 4
is "$(transcript rcpt | tr " " "\n" | tail -n 1)" "admin@example.org" "the envelope has the alias"
is "$(header To)" "Admin <root@example.com>, root@example.com (the boss)" \
    "the header keeps the name, qualified, alias not applied"

# 4. force_from keeps the display name; cron's comment becomes one.
mh_conf "[sender]
domain = example.com
from = alerts@example.com
force_from = yes"
ff() {
	printf 'From: %s\nSubject: ff\n\nx\n' "$1" | mh sendmail -FCronDaemon -i -odq bob@example.net
	mh mailhop flush
	wait_transactions "$2"
	header From
}
is "$(ff 'root (Cron Daemon)' 5)" "Cron Daemon <alerts@example.com>" \
    "force_from: root (Cron Daemon) becomes Cron Daemon <alerts@...>"
is "$(ff '"Doe, John" <john@example.org>' 6)" '"Doe, John" <alerts@example.com>' \
    "force_from: a display name is kept as written"
is "$(ff 'root (Démon de cron)' 7)" "=?UTF-8?B?RMOpbW9uIGRlIGNyb24=?= <alerts@example.com>" \
    "force_from: a non-ASCII comment is RFC 2047-encoded"
is "$(ff 'root' 8)" "CronDaemon <alerts@example.com>" \
    "force_from: no name in the header: -F's name"
is "$(transcript mail 8)" "alerts@example.com" "force_from: the envelope sender is from"
"$PYTHON" -c '
import email, email.policy, sys
m = email.message_from_bytes(sys.stdin.buffer.read(), policy=email.policy.default)
print(m["from"].addresses[0].display_name, m["from"].addresses[0].addr_spec)
' < <(transcript data 7) >py.out
is "$(cat py.out)" "Démon de cron alerts@example.com" "Python decodes the encoded name and the address"

# 5. The phrase encoder, checked with Python: each name comes back as
# sent (no UTF-8 character split across encoded-words), no encoded-word
# over 75 characters, no line holding one over 76, no line over 78.  The
# name is decoded by email.header.decode_header: Python 3.11's newer
# parser (policy.default) puts a space between adjacent encoded-words of
# a display name, against RFC 2047 6.2, and so misreads its own long names.
names=(
	"Démon de cron très très long nom avec beaucoup de caractères accentués éàüö et encore plus"
	"$(printf 'x%.0s' $(seq 1200))"
	"$(printf 'Service "Backup", nightly; run %.0s' $(seq 12))"
	'a (nested) "q" comment, with specials; ok'
	"$(printf '\xf0\x9f\x93\xa7 Postfächer %.0s' $(seq 9))x"
	"Ann \\\"the\\\" O'Neil, Jr."
	"$(printf 'a%.0s' $(seq 70)) $(printf 'b%.0s' $(seq 71))"
)
for i in "${!names[@]}"; do
	before=$(transcript count)
	printf 'From: root\nSubject: ff\n\nx\n' |
	    mh sendmail "-F${names[$i]}" -i -odq bob@example.net
	st=$?
	: >py.out
	[ "$st" = 0 ] || { is "$st" 0 "-F name $((i + 1)): queued"; continue; }
	mh mailhop flush
	wait_transactions $((before + 1))
	transcript data | "$PYTHON" -c '
import email, email.header, email.policy, email.utils, re, sys
raw = sys.stdin.buffer.read()
want = sys.argv[1]
head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii", "replace")
field = re.search(r"^From:[^\r\n]*(?:\r\n[ \t][^\r\n]*)*", head,
                  re.M).group(0)
why = []
for line in field.split("\r\n"):
    words = re.findall(r"=\?[^?]*\?[bBqQ]\?[^?]*\?=", line)
    if any(len(w) > 75 for w in words):
        why.append("an encoded-word over 75: %r" % line)
    if words and len(line) > 76:
        why.append("a line of %d with encoded-words" % len(line))
    if len(line) > 78:
        why.append("a line of %d" % len(line))
value = re.sub(r"\r\n(?=[ \t])", "", field[5:])
pairs = email.utils.getaddresses([value])
names = [str(email.header.make_header(email.header.decode_header(n)))
         for n, _ in pairs]
if names != [want] or [a for _, a in pairs] != ["alerts@example.com"]:
    why.append("Python reads %r" % list(zip(names, [a for _, a in pairs])))
m = email.message_from_bytes(raw, policy=email.policy.default)
if [a.addr_spec for a in m["from"].addresses] != ["alerts@example.com"]:
    why.append("policy.default reads %r" % m["from"].addresses)
print("; ".join(why) or "ok")
' "${names[$i]}" >py.out
	is "$st $(cat py.out)" "0 ok" "force_from, -F name $((i + 1)): $(cut -c1-40 <<<"${names[$i]}")"
done

# 6. The address table through each of the other address fields (section
# 1 used Cc): the same rows, one field per message, sendmail mode.
mh_conf "[sender]
domain = example.com
[aliases]
root = admin@example.org"
for f in From Sender Reply-To To Resent-From Resent-Sender Resent-Reply-To \
    Resent-To Resent-Cc; do
	"$PYTHON" "$TESTLIB/addr_table.py" msg "$TESTSRC/unit/t_addr.c" "$f" >f.eml
	before=$(transcript count)
	mh sendmail -i -odq bob@example.net <f.eml
	mh mailhop flush
	wait_transactions $((before + 1))
	transcript data >f.data
	"$PYTHON" "$TESTLIB/addr_table.py" check "$TESTSRC/unit/t_addr.c" f.data "$f" >f.check
	is "$(grep -v ' ok$' f.check)$(wc -l <f.check)" "$(wc -l <check1)" \
	    "$f: every row of the address table as in Cc ($(wc -l <f.check) rows)"
done

# 7. A name that is not UTF-8 (a Latin-1 GECOS or terminal) is labelled
# ISO-8859-1: Python decodes it to the characters meant.
before=$(transcript count)
printf 'Subject: l1\n\nx\n' | mh sendmail "-F$(printf 'J\xf6rg M\xfcller')" -i -odq bob@example.net
mh mailhop flush
wait_transactions $((before + 1))
transcript data | "$PYTHON" -c '
import email.header, email.utils, re, sys
head = sys.stdin.buffer.read().split(b"\r\n\r\n", 1)[0].decode("ascii")
v = re.sub(r"\r\n(?=[ \t])", "", re.search(r"^From:([^\r\n]*(?:\r\n[ \t][^\r\n]*)*)", head, re.M).group(1))
n, a = email.utils.parseaddr(v)
print(str(email.header.make_header(email.header.decode_header(n))), a)' >py.out
is "$(cat py.out)" "Jörg Müller $(id -un)@example.com" \
    "a Latin-1 -F name arrives as ISO-8859-1 encoded-words"
