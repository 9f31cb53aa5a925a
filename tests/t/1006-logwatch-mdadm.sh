#!/bin/bash
# tests/t/1006-logwatch-mdadm.sh: real callers.  logwatch and mdadm run
# "sendmail -t" without -i: a lone "." line ends the message and what
# follows it is not sent.
. "$TESTLIB/tap.sh"
plan 9

start_smtpd
mh_conf '[sender]
domain = example.com
[aliases]
root = admin@example.com'
. "$TESTLIB/snap.sh"

printf 'To: root\nFrom: logwatch@host.example.com\nSubject: Logwatch for host (Linux)\nContent-Type: text/plain; charset="UTF-8"\n\n ################### Logwatch 7.8 ####################\n Processing Initiated: Tue Nov 25 00:19:50 2026\n.\nthis line comes after the dot\n' |
    mh sendmail -t 2>lw.err
is "$? $(wc -c <lw.err)" "0 0" "logwatch: exit 0, nothing on stderr"
mh sendmail -q
snap
is "$(rcpts 1)" admin@example.com "logwatch: To: root through [aliases]"
is "$(tmail 1)" "$(id -un)@example.com" "logwatch: default envelope sender"
is "$(body 1)" $' ################### Logwatch 7.8 ####################\r\n Processing Initiated: Tue Nov 25 00:19:50 2026\r' \
    "logwatch: the message ends at the lone dot"
unlike "$(tdata 1)" 'after the dot' "logwatch: nothing after the dot is sent"

printf 'From: mdadm monitoring <root>\nTo: root\nSubject: Fail event on /dev/md0:host\n\nThis is an automatically generated mail message from mdadm\nrunning on host\n\nA Fail event had been detected on md device /dev/md0.\n' |
    mh sendmail -t 2>md.err
is "$? $(wc -c <md.err)" "0 0" "mdadm: exit 0, nothing on stderr"
mh sendmail -q
snap
is "$(tcount)" 2 "mdadm: delivered"
like "$(tdata 2)" $'^From: mdadm monitoring <root@example.com>\r$' \
    "mdadm: From header kept, the bare name qualified (SPEC 11)"
is "$(body 2 | tail -n 1)" $'A Fail event had been detected on md device /dev/md0.\r' "mdadm: whole body"
