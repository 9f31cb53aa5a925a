#!/bin/bash
# tests/t/0103-cli-verify.sh: cmd_send.c (cmd_verify), alias.c.  sendmail -bv
# prints each final address (aliases expanded, bare names qualified,
# duplicates once), one per line, reads no message and queues nothing.
. "$TESTLIB/tap.sh"
plan 10

mh_conf '[sender]
domain = example.com
[aliases]
root = admin@example.com
postmaster = root
team = ann, Bob Example <bob@other.org>
loop1 = loop2
loop2 = loop1'

out=$(mh sendmail -bv root </dev/null 2>&1)
is "$?:$out" "0:admin@example.com" "an alias: its target"
out=$(mh sendmail -bv postmaster carol 'Dan <dan@x.org>' </dev/null 2>&1)
is "$out" $'admin@example.com\ncarol@example.com\ndan@x.org' \
    "recursive alias, qualified bare name, display name dropped; in order"
out=$(mh sendmail -bv team root postmaster 'ann, ann@example.com' </dev/null 2>&1)
is "$out" $'ann@example.com\nbob@other.org\nadmin@example.com' "duplicates once"
out=$(mh sendmail -bv 'a@x.org, b@y.org' </dev/null 2>&1)
is "$out" $'a@x.org\nb@y.org' "an argument is an address list"
out=$(mh sendmail -bv loop1 </dev/null 2>&1)
is "$?" 65 "alias loop: 65"
like "$out" '^mailhop: alias loop: .*"loop1"' "alias loop: the alias is named"
out=$(mh sendmail -bv 'a@x.org>' </dev/null 2>&1)
like "$?:$out" '^65:mailhop: recipient "a@x\.org>": ' "malformed address: 65, quoted"
out=$(mh sendmail -bv </dev/null 2>&1)
is "$?:$out" "65:mailhop: no recipients" "no recipient: 65"
# -bv reads no message: on a stdin that never ends (a FIFO we hold open
# for writing ourselves) it must still return.
mkfifo fifo
exec 3<>fifo
out=$(timeout 5 "$MAILHOP_BIN" send -bv root <&3 2>&1; echo "st=$?")
exec 3>&-
like "$out" 'st=0' "stdin is not read"
is "$(spool_count)" 0 "nothing queued"
