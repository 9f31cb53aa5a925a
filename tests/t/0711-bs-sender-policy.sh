#!/bin/bash
# sender.c, cmd_smtp.c (issue 9, #1): -bs applies the sender policy of
# sendmail mode, the same function: with [sender] force_from = yes the
# envelope sender is `from` whatever MAIL FROM says (Symfony and Laravel
# speak -bs, so a visitor-chosen MAIL FROM got through), and From: is
# rewritten; without it, MAIL FROM is the sender as -f is.
. "$TESTLIB/tap.sh"
plan 12

start_smtpd
mh_conf '[sender]
from = noreply@example.com
force_from = yes'
bs() {	# MAIL-FROM-PATH FROM-HEADER: one message through -bs
    printf 'EHLO x\r\nMAIL FROM:%s\r\nRCPT TO:<bob@example.net>\r\nDATA\r\nFrom: %s\r\nSubject: s\r\n\r\nx\r\n.\r\nQUIT\r\n' \
        "$1" "$2" | mh sendmail -bs > bs.out
    grep -c 'queued as' bs.out
}
from_hdr() { transcript data "$1" | tr -d '\r' | grep -i '^From:'; }

is "$(bs '<ceo@bank.example>' 'ceo@bank.example')" 1 "-bs, force_from: queued"
is "$(bs '<>' 'ceo@bank.example')" 1 "-bs, force_from, MAIL FROM:<>: queued"
printf 'From: ceo@bank.example\nSubject: s\n\nx\n' |
    mh sendmail -f ceo@bank.example bob@example.net
is "$?" 0 "sendmail mode, force_from, -f: queued (control)"
mh mailhop flush
is "$(transcript mail 1)" "noreply@example.com" "-bs: the envelope sender is from, not MAIL FROM"
like "$(from_hdr 1)" '^From: (.*<)?noreply@example\.com>?$' "-bs: From: rewritten to from"
unlike "$(transcript data 1)" 'ceo@bank\.example' "-bs: the forged address is gone"
is "$(transcript mail 2)" "noreply@example.com" "-bs: MAIL FROM:<> is replaced too, as -f <> is"
is "$(transcript mail 3)" "noreply@example.com" "sendmail mode: the same sender"
is "$(from_hdr 1)" "$(from_hdr 3)" "and the same From: as sendmail mode"

# A MAIL FROM that is no address is refused even when it would be replaced.
printf 'EHLO x\r\nMAIL FROM:<a b@example.org>\r\nQUIT\r\n' | mh sendmail -bs > bad.out
like "$(cat bad.out)" '^553 5\.1\.7 ' "a bad MAIL FROM: 553"

# Without force_from, MAIL FROM is the sender, as -f is.
mh_conf '[sender]
from = noreply@example.com'
is "$(bs '<app@example.org>' 'app@example.org')" 1 "no force_from: queued"
mh mailhop flush
is "$(transcript mail)" "app@example.org" "no force_from: MAIL FROM is the envelope sender"
