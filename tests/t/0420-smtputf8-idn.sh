#!/bin/bash
# 0420-smtputf8-idn.sh: relay.c, idn.c (SPEC 11).  libcurl 7.88 sends a
# UTF-8 local part to a server that does not offer SMTPUTF8, and a UTF-8
# domain as it is.  mailhop: an international domain goes out as A-labels;
# a non-ASCII local part goes with SMTPUTF8 when the upstream offers it,
# else that recipient bounces (553 5.6.7) and the others are sent; a
# non-ASCII sender then bounces every recipient.  The front end takes
# valid UTF-8 (sendmail and -bs, which offers SMTPUTF8) and refuses
# controls.
. "$TESTLIB/tap.sh"
plan 26

# ascii: 0 if every command line the server got is ASCII
ascii() { transcript commands | LC_ALL=C grep -q '[^ -~]' && return 1; return 0; }
mail_options() {
	transcript json | "$PYTHON" -c 'import sys, json
t = [json.loads(l) for l in sys.stdin if "\"transaction\"" in l]
print(" ".join(t[int(sys.argv[1])]["mail_options"]) or "-")' "$1"
}

# 1. The upstream offers SMTPUTF8.
start_smtpd || bail "no smtpd"
mh_conf_log "[sender]
domain = example.com"
printf 'Subject: u1\n\nx\n' | mh sendmail -odq 'jörg@example.net' 'bob@bücher.example' plain@example.net 2>err1
is "$? $(cat err1)" "0 " "sendmail takes a UTF-8 local part and an international domain"
mh mailhop flush
wait_transactions 1
is "$(transcript delivered)" "jörg@example.net bob@xn--bcher-kva.example plain@example.net" \
    "all three delivered; the domain as A-labels"
is "$(mail_options 0)" "SMTPUTF8" "MAIL FROM carries SMTPUTF8"
printf 'Subject: u2\n\nx\n' | mh sendmail -odq 'ann@bücher.example'
mh mailhop flush
wait_transactions 2
is "$(transcript rcpt | tr ' ' '\n' | tail -n 1)" "ann@xn--bcher-kva.example" "an ASCII local part at an IDN domain..."
is "$(mail_options 1)" "-" "...needs no SMTPUTF8"
{
	printf 'EHLO u.example\r\nMAIL FROM:<a@example.org> SMTPUTF8\r\n'
	printf 'RCPT TO:<jörg@example.net>\r\nDATA\r\nSubject: bs\r\n\r\nx\r\n.\r\nQUIT\r\n'
} | mh sendmail -bs >bs.out 2>&1
like "$(tr -d '\r' <bs.out)" '^250-SMTPUTF8$' "-bs offers SMTPUTF8"
like "$(tr -d '\r' <bs.out | tr '\n' ' ')" '250 2.1.0 Ok 250 2.1.5 Ok 354 .* 250 2.0.0 Ok: queued' \
    "-bs takes MAIL ... SMTPUTF8 and a UTF-8 recipient"
mh mailhop flush
wait_transactions 3
is "$(transcript delivered | tr ' ' '\n' | tail -n 1) $(mail_options 2)" "jörg@example.net SMTPUTF8" \
    "and it goes out with SMTPUTF8"
like "$(transcript commands)" '^RCPT TO:<jörg@example\.net>$' "the UTF-8 local part is sent as it is"

# 2. The upstream does not offer SMTPUTF8 (and takes only ASCII).
stop_smtpd
start_smtpd --no-smtputf8 || bail "no smtpd"
mh_conf_log "[sender]
domain = example.com"
: >"$LOG"
printf 'Subject: u3\n\nx\n' | mh sendmail -odq -f s@example.org 'jörg@example.net' 'bob@bücher.example' plain@example.net
mh mailhop flush
wait_transactions 2
is "$(transcript delivered)" "bob@xn--bcher-kva.example plain@example.net s@example.org" \
    "the ASCII recipients delivered, and a bounce to the sender"
ascii
ok $? "no command line with a non-ASCII byte reached the server"
is "$(mail_options 0)" "-" "no SMTPUTF8 asked for"
like "$(cat "$LOG")" 'to=<jörg@example.net>.*status=bounced \(553 5\.6\.7 the upstream does not offer SMTPUTF8' \
    "the log: jörg bounced, saying why"
transcript data 2 >dsn
like "$(tr -d '\r' <dsn)" '^Status: 5\.6\.7$' "the bounce says 5.6.7"
like "$(tr -d '\r' <dsn)" '^Final-Recipient: rfc822; ?j\\x\{F6\}rg@example\.net$' \
    "for jörg (RFC 6533 escaped in the ASCII report)"
is "$(spool_count)" 0 "nothing left queued"

# 3. A non-ASCII sender: no transaction can carry it; every recipient
# bounces, and the bounce to that sender cannot go either (kept, failed).
printf 'Subject: u4\n\nx\n' | mh sendmail -odq -f 'sénder@example.org' plain@example.net
mh mailhop flush
sleep 0.5
is "$(transcript count)" 2 "nothing sent"
ascii
ok $? "still no non-ASCII command"
q=$(mh mailq)
like "$q" '553 5\.6\.7 the upstream does not offer SMTPUTF8, which the address sénder@example.org needs' \
    "mailq: the bounce to the sender failed, saying why"
like "$(cat "$LOG")" 'to=<plain@example.net>.*status=bounced \(553 5\.6\.7 .*sénder@example.org' \
    "the log: plain@ bounced because of the sender"

# 4. A domain that is no valid IDN: that recipient bounces, 5.1.3.
: >"$LOG"
printf 'Subject: u5\n\nx\n' | mh sendmail -odq -f s@example.org "$(printf 'bob@\xcc\x81x.example')" plain@example.net
mh mailhop flush
wait_transactions 4
like "$(cat "$LOG")" 'status=bounced \(553 5\.1\.3 the domain of bob@.*x\.example is not a valid international domain name' \
    "an invalid IDN bounces with 5.1.3"
is "$(transcript delivered | tr ' ' '\n' | grep -c plain@example.net)" 2 "the other recipient is sent"

# 5. The front end: valid UTF-8 passes, controls do not (also C1 in UTF-8).
mh sendmail -bv 'jörg@bücher.example' >bv.out 2>&1
is "$? $(cat bv.out)" "0 jörg@bücher.example" "-bv: a valid UTF-8 address passes the check"
printf 'x\n' | mh sendmail -odq "$(printf 'j\xc2\x85rg@example.net')" 2>c1.err
is "$?" 65 "a C1 control (U+0085 in UTF-8) in the address: exit 65"
printf 'x\n' | mh sendmail -odq "$(printf 'j\xf6rg@example.net')" 2>l1.err
is "$?" 65 "Latin-1 bytes that are not UTF-8: exit 65"
printf 'x\n' | mh sendmail -odq "$(printf 'j\x01rg@example.net')" 2>c0.err
is "$?" 65 "a C0 control: exit 65"
