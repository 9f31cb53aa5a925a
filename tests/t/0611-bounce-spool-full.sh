#!/bin/bash
# deliver.c (issue 9, #3): recipients go back to pending only when their
# bounce could not be queued for a reason that passes (the spool full):
# then nothing is lost, and the next run refuses them again and bounces
# them once.  (A bounce that fails for a reason that would repeat keeps
# the recipients failed instead: 0610 shows the old such reason, a bounce
# "too large", is gone; dl_settle() has the rule.)
. "$TESTLIB/tap.sh"

[ -f "$FAULTFS" ] || { plan 1; skip "faultfs.so not built"; exit 0; }
plan 9
start_smtpd --no-auth --tls none --reply "RCPT r* 550 5.1.1 no such user"
MH_CONF_BASE=no mh_conf "[upstream]
host = 127.0.0.1
port = $SMTPD_PORT
tls = none
[queue]
deliver = queue
[log]
syslog = no"
sp=$XDG_STATE_HOME/mailhop
printf 'Subject: b\n\nx\n' | mh sendmail -f alice@example.org r1@example.net r2@example.net
is "$?" 0 "queued for two recipients the server refuses"

# The third file the flush creates in the spool is the bounce's message
# file (after the entry's due marker and the index stamp); it fails with
# ENOSPC.
FAULTFS_DIR=$sp FAULTFS_OP=create FAULTFS_NTH=3 FAULTFS_ERRNO=ENOSPC \
    FAULTFS_LOG=$TESTDIR/ff.log LD_PRELOAD=$FAULTFS mh mailhop flush 2>flush.err
like "$(grep FAIL "$TESTDIR/ff.log")" '^create 3 .*/[0-9A-Z]+\.m FAIL$' \
    "the fault hit the bounce's message file"
is "$(transcript rejected | tr ' ' '\n' | grep -c ':550$'):$(transcript count)" "2:0" \
    "both refused; no bounce was sent"
is "$(spool_count)" 1 "the entry is kept"
is "$(grep -c '^rcpt pending' "$sp"/*.e)" 2 "both recipients are pending again"

# The spool has room again: the next run refuses them again and bounces.
mh sendmail -q 2>/dev/null
is "$(transcript rejected | tr ' ' '\n' | grep -c ':550$')" 4 "both refused again"
is "$(transcript count):$(transcript mail)" "1:<>" "one bounce, from the null sender"
like "$(transcript data)" 'Final-Recipient: rfc822; r1@example\.net' "it lists r1 (and r2)"
is "$(spool_count)" 0 "the entry is gone"
