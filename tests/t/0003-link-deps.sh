#!/bin/bash
# 0003-link-deps.sh: Makefile.am.  What links libcurl, OpenSSL, json-c
# (SPEC §12, the OAuth2 token endpoint's JSON) and libidn2 (SPEC 11,
# A-labels): the delivery helper does; the front end (queueing never loads
# them) and the
# unit tests of the enqueue modules do not (issue 12: "unit tests link
# only what they use").  The linker may drop unused libraries by itself
# (--as-needed), so the link command lines are read as well.
. "$TESTLIB/tap.sh"
plan 10

needed() { readelf -d "$1" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' '; }
top=$(dirname "$(dirname "$MAILHOP_BIN")")
# The command make would run to link tests/unit/T (nothing is built).
link_line() {
	( unset MAKEFLAGS MFLAGS MAKELEVEL
	  make -s -C "$top" -n -W "tests/unit/$1-$1.o" "tests/unit/$1" 2>/dev/null ) |
		grep -- "-o tests/unit/$1 "
}

unlike "$(needed "$MAILHOP_BIN")" 'libcurl|libssl|libcrypto|libjson-c|libidn2' "the front end links neither libcurl, OpenSSL, json-c nor libidn2"
unlike "$(ldd "$MAILHOP_BIN" 2>&1)" 'libcurl|libssl|libcrypto|libjson-c|libidn2' "...nor loads them through another library (ldd)"
like "$(needed "$MAILHOP_DELIVER")" 'libcurl' "the delivery helper links libcurl"
like "$(needed "$MAILHOP_DELIVER")" 'libjson-c' "the delivery helper links json-c"
like "$(needed "$MAILHOP_DELIVER")" 'libidn2' "the delivery helper links libidn2"
if [ ! -f "$top/tests/unit/t_buf-t_buf.o" ]; then
	for i in 1 2 3 4 5; do skip "unit tests not built (no Check)"; done
	exit 0
fi
like "$(link_line t_dsn)" '-lcurl' "t_dsn (dsn.c) is linked with libcurl: the check below can see it"
like "$(link_line t_oauth)" '-ljson-c' "t_oauth (oauth.c) is linked with json-c: the check below can see it"
for t in t_buf t_addr t_message; do
	l=$(link_line $t)
	[ -n "$l" ] || l="(no link line from make -n)"
	unlike "$l" '-lcurl|-lssl|-lcrypto|-ljson-c|-lidn2|libmhdeliver|no link line' "$t links neither libcurl, OpenSSL, json-c, libidn2 nor the delivery library"
done
