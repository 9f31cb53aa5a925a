#!/bin/bash
# envelope.c (issue 9, hardening): the envelope loader checks every
# address as the front end does, so an edited (or damaged) envelope cannot
# put ESMTP parameters or commands on the wire: "a b> NOTIFY=NEVER <c@d"
# is a damaged envelope, shown by mailq, never sent.
. "$TESTLIB/tap.sh"
plan 6

start_smtpd
mh_conf
SPOOL=$XDG_STATE_HOME/mailhop
printf 'Subject: x\n\nx\n' | mh sendmail -f alice@example.org bob@example.net
id=$(cd "$SPOOL" && ls *.e); id=${id%.e}
sed -i 's/ bob@example\.net\t/ a b> NOTIFY=NEVER <c@d\t/' "$SPOOL/$id.e"
grep -q 'NOTIFY=NEVER' "$SPOOL/$id.e"
ok $? "the envelope was edited"
mh mailhop flush 2>flush.err
unlike "$(transcript commands)" 'NOTIFY' "no NOTIFY parameter reached the server"
is "$(transcript rcpt)" "" "no RCPT at all"
like "$(cat flush.err)" "$id.*bad address in" "flush names the damaged envelope"
like "$(mh mailq)" "^$id *\? .*bad address in" "mailq shows it as damaged"
is "$(spool_count)" 1 "the entry is kept for a person to repair"
