#!/bin/bash
# tests/t/0206-sender.sh: cmd_send.c, message.c.  The envelope sender is
# -f/-r, else [sender] from, else login@domain; force_from = yes always
# uses `from` and rewrites From:.  The added From: carries the sender.
. "$TESTLIB/tap.sh"
plan 10

start_smtpd
me=$(id -un)
hdr() { transcript data "$1" | sed '/^\r$/q' | grep "^$2:" | tr -d '\r'; }

mh_conf '[sender]
domain = example.com'
printf 'Subject: 1\n\nx\n' | mh sendmail -F 'Me Myself' bob@example.com
mh sendmail -q
is "$(transcript mail 1)" "$me@example.com" "no -f, no from: login@domain"
is "$(hdr 1 From)" "From: Me Myself <$me@example.com>" "added From: with -F and that address"

mh_conf '[sender]
domain = example.com
from = app@example.org'
printf 'Subject: 2\n\nx\n' | mh sendmail bob@example.com
printf 'Subject: 3\n\nx\n' | mh sendmail -f cli@example.org bob@example.com
printf 'Subject: 4\n\nx\n' | mh sendmail -r rcli@example.org bob@example.com
printf 'Subject: 5\n\nx\n' | mh sendmail -f '<>' bob@example.com
mh sendmail -q
is "$(transcript mail 2)" "app@example.org" "[sender] from when -f is absent"
is "$(transcript mail 3)" "cli@example.org" "-f beats [sender] from"
is "$(transcript mail 4)" "rcli@example.org" "-r as -f"
is "$(transcript mail 5)" "<>" "-f <>: null sender (MAIL FROM:<>)"
is "$(hdr 5 From)" "From: MAILER-DAEMON@example.com" "null sender: From: MAILER-DAEMON (as Postfix)"

mh_conf '[sender]
domain = example.com
from = fixed@example.org
force_from = yes'
printf 'From: Someone Else <else@example.net>\nSubject: 6\n\nx\n' | mh sendmail -F Fixed -f other@example.org bob@example.com
mh sendmail -q
is "$(transcript mail 6)" "fixed@example.org" "force_from: the envelope is always from"
is "$(hdr 6 From)" "From: Someone Else <fixed@example.org>" \
    "force_from: From: rewritten, the caller's display name kept (SPEC 11)"
is "$(transcript data 6 | grep -c 'else@example.net')" 0 "force_from: the old From: is gone"
