#!/bin/bash
# relay.c: a server that stops answering is given up on after `timeout`,
# whatever the phase (EHLO, MAIL, the final dot), and the message is
# deferred with the phase named.  A timeout ends the run: the other queued
# messages are deferred at once instead of waiting again.
. "$TESTLIB/tap.sh"
plan 11

now() { date +%s.%N; }
n=0
queue_one() {
    n=$((n + 1))
    export XDG_STATE_HOME=$TESTDIR/state$n
    printf 'Subject: %s\n\nx\n' "$1" | mh sendmail -f alice@example.org bob@example.net
}

# One server; each phase stalls once (--once), so three flushes meet
# three different stalls.
start_smtpd --delay ehlo 4 --delay mail 4 --delay dot 4 --once
mh_conf "[upstream]
timeout = 2s"
for phase in ehlo mail dot; do
    c0=$(transcript commands | grep -c '^MAIL')
    queue_one "$phase"
    [ "$phase" = mail ] && printf 'Subject: 2nd\n\nx\n' | mh sendmail -f alice@example.org carol@example.net
    t0=$(now)
    mh mailhop flush 2>/dev/null
    st=$?
    t1=$(now)
    awk -v s="$t0" -v e="$t1" 'BEGIN { d = e - s; exit !(d >= 1.8 && d <= 5.5) }'
    ok $? "delay at $phase: given up after about 2 s" ||
        diag "took $(awk -v s="$t0" -v e="$t1" 'BEGIN { print e - s }') s"
    is "$st" 75 "delay at $phase: deferred"
    case $phase in
    ehlo) want='reply to EHLO' ;;
    mail) want='reply to MAIL FROM' ;;
    dot) want='reply to the end of DATA' ;;
    esac
    like "$(mh mailq)" "timed out after 2s waiting for the $want" "delay at $phase: mailq names the phase"
    if [ "$phase" = mail ]; then
        is "$(spool_count)" 2 "delay at mail: both messages still queued"
        is "$(( $(transcript commands | grep -c '^MAIL') - c0 ))" 1 \
            "and the second was not tried on a server that stopped answering"
    fi
done
