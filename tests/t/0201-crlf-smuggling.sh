#!/bin/bash
# tests/t/0201-crlf-smuggling.sh: message.c, then the delivery path.  What
# reaches the server is CRLF only, whatever the input's line endings; a
# "." hidden behind a bare CR or LF neither ends DATA at the server nor
# lets the text after it become SMTP commands (SMTP smuggling).
. "$TESTLIB/tap.sh"
plan 16

start_smtpd
mh_conf '[sender]
domain = example.com'
# bare FILE: offsets of CR not before LF and LF not after CR ("" if none)
bare() {
	"$PYTHON" -c 'import sys
d = open(sys.argv[1], "rb").read()
print(" ".join(str(i) for i in range(len(d))
      if (d[i] == 13 and d[i+1:i+2] != b"\n") or (d[i] == 10 and (i == 0 or d[i-1] != 13))))' "$1"
}
H='From: a@example.com\nDate: Thu, 1 Jan 2026 00:00:00 +0000\nMessage-ID: <m1@example.com>\n'
HC=$'From: a@example.com\r\nDate: Thu, 1 Jan 2026 00:00:00 +0000\r\nMessage-ID: <m1@example.com>\r\n'

# 1. LF, CRLF, bare CR, a final line without any.
printf "${H}Subject: endings\r\n\r\nlf\ncrlf\r\ncr\rcrcrlf\r\r\nlast" | mh sendmail -i bob@example.com
mh sendmail -q
transcript data 1 >d1
is "$(bare d1)" "" "mixed endings: no bare CR or LF reaches the server"
is "$(cat d1)" "${HC}Subject: endings"$'\r\n\r\nlf\r\ncrlf\r\ncr\r\ncrcrlf\r\n\r\nlast\r' \
    "mixed endings: exactly the lines given, each with CRLF"

# 2. Smuggling attempts with -i: each would end DATA at a server that
# accepts a bare LF or CR around the dot.  All of it must arrive as data.
printf "${H}Subject: smuggle\n\nA\n.\nMAIL FROM:<evil1@x>\nB\r.\rMAIL FROM:<evil2@x>\rC\r\n.\nMAIL FROM:<evil3@x>\r\nD\n.\r\nMAIL FROM:<evil4@x>\r\nE\r\n.\rMAIL FROM:<evil5@x>\nend\n" |
    mh sendmail -i bob@example.com
mh sendmail -q
is "$(transcript count)" 2 "smuggling: one more transaction, not several"
transcript data 2 >d2
is "$(bare d2)" "" "smuggling: no bare CR or LF in DATA"
for n in 1 2 3 4 5; do
	grep -q "^MAIL FROM:<evil$n@x>"$'\r$' d2 || break
done
is "$n" 5 "smuggling: all five MAIL FROM lines arrived as message text"
like "$(tail -c 6 d2 | od -An -c | tr -d ' ')" 'end\\r\\n' "smuggling: the text after them arrived too"
is "$(grep -c $'^\\.\r$' d2)" 5 "smuggling: each hidden dot is a plain data line"
unlike "$(transcript commands)" 'evil' "smuggling: the server saw no injected command"
is "$(transcript mail 2)" "$(id -un)@example.com" "smuggling: envelope sender untouched"

# 3. Without -i the lone dot (behind any line ending) ends the input.
for e in '\n.\nafter\n' '\r.\rafter\n' '\r\n.\nafter\n' '\n.\r\nafter\n' '\n.'; do
	printf "${H}Subject: dot\n\nbefore${e}" | mh sendmail bob@example.com
done
mh sendmail -q
n=0
for i in 3 4 5 6 7; do
	transcript data $i >d
	[ -z "$(bare d)" ] && ! grep -q after d && grep -q $'^before\r$' d && n=$((n + 1))
done
is "$n" 5 "without -i: LF, CR, CRLF around the dot (or EOF after it) end the message there"
is "$(transcript count)" 7 "without -i: one transaction each"

# 4. Dots that are not alone stay as they are (the transport stuffs them).
printf "${H}Subject: dots\n\n..\n. \n.x\n...\n" | mh sendmail bob@example.com
mh sendmail -q
transcript data 8 >d8
is "$(sed '1,/^\r$/d' d8)" $'..\r\n. \r\n.x\r\n...\r' "leading dots kept, nothing unstuffed"

# 5. One long line without any line ending: re-encoded quoted-printable
# (SPEC 11), so servers accept it and the recipient decodes every byte.
head -c 300000 /dev/zero | tr '\0' 'x' | mh sendmail -i bob@example.com
mh sendmail -q
transcript data 9 >d9
is "$(bare d9)" "" "one 300 KB line: still CRLF only"
is "$(sed '1,/^\r$/d' d9 | tr -d '\r' | sed 's/=$//' | tr -d '\n' | wc -c)" 300000 \
    "one 300 KB line: every byte arrives (soft line breaks removed)"
is "$(awk 'length($0) > 999' d9 | wc -l)" 0 \
    "one 300 KB line: no line over 998 bytes plus CR"
is "$(spool_count)" 0 "everything delivered"
