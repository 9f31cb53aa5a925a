#!/bin/bash
# cmd_smtp.c (issue 9, #2): SMTP smuggling into -bs.  Only
# <CR><LF>.<CR><LF> ends DATA; a bare LF is a line ending inside DATA
# (normalised to CRLF, as Postfix 3.9's smtpd_forbid_bare_newline =
# normalize), so "\n.\r\n", "\r\n.\n", "\n.\n" and every other mix of CR,
# LF and dot are message text.  What a client appends after such a dot
# stays in the one message: no second transaction, no extra recipient,
# neither in the queue nor on the wire.
. "$TESTLIB/tap.sh"
plan 22

SPOOL=$XDG_STATE_HOME/mailhop
start_smtpd
mh_conf

tail_cmds='MAIL FROM:<ceo@example.org>\r\nRCPT TO:<victim@evil.example>\r\nDATA\r\nSubject: smuggled\r\n\r\npay\r\n.\r\nQUIT\r\n'
# bs BEFORE-DOT AFTER-DOT: "hello" BEFORE "." AFTER, then the smuggled
# transaction and QUIT; prints how many messages were queued.
bs() {
    printf 'EHLO x\r\nMAIL FROM:<app@example.org>\r\nRCPT TO:<u@example.net>\r\nDATA\r\nSubject: s\r\n\r\nhello%b.%b%b' \
        "$1" "$2" "$tail_cmds" | mh sendmail -bs | grep -c 'queued as'
}
names=('CRLF' 'LF' 'CR' 'CR CRLF')
ends=('\r\n' '\n' '\r' '\r\r\n')
# Only where the bytes hold CRLF "." CRLF (before = CRLF or CR CRLF, after
# = CRLF) does DATA end; then the smuggled transaction is a real one.
for b in 0 1 2 3; do
    for a in 0 1 2 3; do
        if [ "$a" = 0 ] && { [ "$b" = 0 ] || [ "$b" = 3 ]; }; then
            is "$(bs "${ends[$b]}" "${ends[$a]}")" 2 \
                "${names[$b]} . ${names[$a]} is CRLF.CRLF: two messages (control)"
        else
            is "$(bs "${ends[$b]}" "${ends[$a]}")" 1 \
                "${names[$b]} . ${names[$a]} does not end DATA: one message"
        fi
    done
done
is "$(spool_count)" 18 "18 messages queued: one per session, two for the controls"
is "$(grep -l 'victim@evil.example' "$SPOOL"/*.e | wc -l)" 2 \
    "only the controls' second messages have the smuggled recipient"

# crlf_only FILE...: every CR and LF in the files is part of a CRLF.
crlf_only() {
    "$PYTHON" -c '
import sys
for f in sys.argv[1:]:
    d = open(f, "rb").read().replace(b"\r\n", b"")
    if b"\r" in d or b"\n" in d:
        sys.exit(1)' "$@"
}
crlf_only "$SPOOL"/*.m
ok $? "no bare CR or LF in any queued message"

# On the wire: 18 transactions, the smuggled recipient only in the
# controls' second ones, no bare CR or LF in any DATA.
mh mailhop flush
is "$(transcript count)" 18 "18 transactions reached the server"
is "$(transcript rcpt | tr ' ' '\n' | grep -c victim@evil.example)" 2 \
    "the smuggled recipient only where CRLF.CRLF really ended the first message"
for n in $(seq 1 18); do transcript data "$n" > "d$n.bin"; done
crlf_only d*.bin
ok $? "no bare CR or LF in any DATA on the wire"
