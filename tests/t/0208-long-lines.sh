#!/bin/bash
# 0208-long-lines.sh: mime.c, message.c (SPEC 11).  Lines over 998
# octets: a corpus of 25 messages (tests/lib/mime_corpus.py: PHP mail()
# HTML with a 50 KB line, multipart/alternative, nested multipart/mixed
# with attachments, 8-bit UTF-8, parts already QP or base64, no MIME
# headers at all, message/rfc822, digest, ...) goes through sendmail and
# through -bs to the test server; Python's email package decodes what
# arrived: no line over 998, every leaf decodes to the bytes that were
# sent.  A header line over 998 with no white space is refused (65).
. "$TESTLIB/tap.sh"
plan 56

start_smtpd || bail "no smtpd"
mh_conf "[sender]
domain = example.com"
corpus=$TESTDIR/corpus
"$PYTHON" "$TESTLIB/mime_corpus.py" gen "$corpus" || bail "no corpus"
n=$(ls "$corpus"/*.eml | wc -l)

# check WHAT: one assertion per corpus message against the current server
check() {
	"$PYTHON" "$TESTLIB/mime_corpus.py" check "$corpus" "$SMTPD_LOG" >check.out 2>&1
	while read -r k res; do
		is "$res" ok "$1: message $k: $(sed -n "$((10#$k))p" names)"
	done <check.out
	[ "$(wc -l <check.out)" = "$n" ] || diag "$(cat check.out)"
}
"$PYTHON" - "$TESTLIB" >names <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import mime_corpus
for name, same, fn in mime_corpus.CORPUS:
    print(name)
PY

# 1. sendmail mode: queued one by one, delivered by one flush.
bad=0
for f in "$corpus"/*.eml; do
	mh sendmail -i -odq bob@example.net <"$f" 2>>err.txt || bad=$((bad + 1))
done
is "$bad $(cat err.txt)" "0 " "sendmail queued all $n messages, nothing on stderr"
mh mailhop flush
wait_transactions "$n"
check sendmail

# 2. -bs: the same messages in one SMTP session.
stop_smtpd
start_smtpd || bail "no smtpd"
mh_conf "[sender]
domain = example.com"
"$PYTHON" "$TESTLIB/mime_corpus.py" bs "$corpus" bob@example.net >bs.in
mh sendmail -bs <bs.in >bs.out 2>bs.err
is "$(tr -d '\r' <bs.out | grep -c '^250 2.0.0 Ok: queued')" "$n" "-bs queued all $n messages"
mh mailhop flush
wait_transactions "$n"
check -bs

# 3. A header line over 998 octets with no white space to fold at.
long=$(printf 'x%.0s' $(seq 1200))
printf 'Subject: %s\n\nbody\n' "$long" | mh sendmail -odq bob@example.net 2>err3.txt
is "$?" 65 "sendmail: header line over 998 without white space: exit 65"
like "$(cat err3.txt)" '^mailhop: Subject header: a line of 1209 octets has no white space to fold it at' "the error names the header"
{
	printf 'EHLO h.example\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nDATA\r\n'
	printf 'X-Long: %s\r\n\r\nbody\r\n.\r\nQUIT\r\n' "$long"
} | mh sendmail -bs >bs3.out 2>&1
like "$(tr -d '\r' <bs3.out)" '^554 5\.6\.0 X-Long header: a line of 1208 octets' "-bs: 554 naming the header"
is "$(spool_count)" 0 "nothing left in the queue"
