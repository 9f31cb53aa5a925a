#!/bin/bash
# 0005-man-pages.sh: doc/*.[158].  Every man page lints clean with both
# formatters users have: mandoc -T lint (any WARNING or worse) and groff
# -ww (every troff warning, as man(1) runs it), so that `man 8 mailhop`
# prints no troff errors and loses no text; the sections that once lost
# text render it (STANDARDS kept RFC 3464 and 6409 only with mandoc; a
# title word that is an mdoc macro, "An", broke groff's reference list),
# and EXIT STATUS lists every code mailhop exits with.
. "$TESTLIB/tap.sh"

pages=$(ls "$TESTSRC"/../doc/*.[158] 2>/dev/null)
[ -n "$pages" ] || bail "no man pages under $TESTSRC/../doc"
command -v groff >/dev/null || bail "groff is not installed (apt-get install groff-base)"
# render FILE: the page as man(1) shows it, with groff
render() { groff -Tutf8 -mdoc -P-cbou "$1" 2>/dev/null; }
section() { awk -v s="$2" '$0 == s { p = 1; next } /^[A-Z][A-Z ]+$/ { p = 0 } p' <<<"$1"; }

for f in $pages; do
	n=$(basename "$f")
	if command -v mandoc >/dev/null; then
		out=$(mandoc -T lint -W warning "$f" 2>&1)
		is "$out" "" "$n: mandoc -T lint reports no warning"
	else
		skip "$n: mandoc is not installed (apt-get install mandoc)"
	fi
	out=$(groff -Tutf8 -mdoc -ww -z "$f" 2>&1)
	is "$out" "" "$n: groff -ww reports no warning"
done

page=$(render "$TESTSRC/../doc/mailhop.8")
std=$(section "$page" STANDARDS)
for rfc in 5321 5322 3464 6409; do
	like "$std" "RFC $rfc" "mailhop(8) STANDARDS, as groff renders it, lists RFC $rfc"
done
codes=$(section "$page" "EXIT STATUS" | sed -n 's/^ *\([0-9][0-9]*\)\( (EX_[A-Z]*)\)\{0,1\} *.*/\1/p' | tr '\n' ' ')
for c in 0 64 65 66 67 69 73 74 75 78; do
	like " $codes" " $c " "mailhop(8) EXIT STATUS lists $c"
done
