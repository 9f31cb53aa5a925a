#!/bin/bash
# relay.c: never mail sent unauthenticated by surprise, never a password
# in clear text to another machine.  Credentials + a server that offers no
# AUTH: deferred, nothing sent.  535: deferred, not bounced.  auth = a
# mechanism the server lacks: deferred.  tls = none: AUTH allowed when
# host is written as loopback (127.0.0.1); a NAME is not resolved for the
# check, so even one that points at 127.0.0.1 is refused (what a name
# resolves to can change) unless allow_plaintext_auth = yes.
. "$TESTLIB/tap.sh"
plan 22


# A server without AUTH, while we have credentials.
start_smtpd --no-auth
SMTPD_AUTH=yes mh_conf_log
like "$(cat "$MAILHOP_CONFIG")" '^user = alice$' "credentials configured"
queue_fresh noauth
err=$(mh mailhop flush 2>&1)
is "$?" 75 "no AUTH offered: deferred"
like "$(mh mailq)" 'offers no AUTH' "mailq gives the reason"
like "$(tail -n 1 "$LOG")" 'status=deferred \(the server offers no AUTH' "so does the log"
like "$(smtp_cmds)" '^EHLO [^|]*\|STARTTLS\|EHLO [^|]*\|(QUIT\|)?$' "nothing after the EHLO: no MAIL"
stop_smtpd

# Wrong password: 535 is a session error, deferred, not bounced.
start_smtpd
mh_conf_log
sed -i 's/^password = .*/password = wrong-pw/' "$MAILHOP_CONFIG"
queue_fresh badpw
printf 'Subject: second\n\nx\n' | mh sendmail -f alice@example.org carol@example.net
mh mailhop flush 2>/dev/null
is "$?" 75 "535: deferred"
like "$(mh mailq)" 'AUTH PLAIN refused: 535 5\.7\.8' "mailq shows the 535"
is "$(grep -c 'status=deferred (AUTH PLAIN refused: 535' "$LOG")" 2 "both messages deferred in the log"
is "$(grep -c 'status=bounced' "$LOG")" 0 "nothing bounced"
is "$(transcript commands | grep -c '^AUTH')" 1 "one failed AUTH, not one per message"
is "$(transcript count) $(spool_count)" "0 2" "nothing sent, both still queued"
stop_smtpd

# auth = cram-md5 but the server offers PLAIN and LOGIN only.
start_smtpd --auth plain,login
mh_conf_log "[upstream]
auth = cram-md5"
queue_fresh nomech
mh mailhop flush 2>/dev/null
is "$?" 75 "no common mechanism: deferred"
like "$(mh mailq)" 'no mechanism in common \(server offers: (LOGIN PLAIN|PLAIN LOGIN)' \
    "mailq names what the server offers"
unlike "$(smtp_cmds)" 'AUTH|MAIL' "no AUTH tried, no MAIL"
stop_smtpd

# tls = none with AUTH on a loopback address: allowed.
start_smtpd --tls none
mh_conf_log
like "$(cat "$MAILHOP_CONFIG")" '^tls = none$' "tls = none"
queue_fresh plain
mh mailhop flush
is "$?" 0 "tls = none, host 127.0.0.1: delivered"
is "$(transcript tls) $(transcript auth)" "no alice" "in clear text, authenticated"

# The same server under a name that resolves to it.
name=
for cand in "$(hostname)" "$(hostname -f 2>/dev/null)"; do
    case $(getent ahostsv4 "$cand" 2>/dev/null | awk 'NR == 1 { print $1 }') in
    127.*) name=$cand; break ;;
    esac
done
if [ -n "$name" ] && [ "$name" != localhost ]; then
    mh_conf_log
    sed -i "s/^host = 127\.0\.0\.1\$/host = $name/" "$MAILHOP_CONFIG"
    queue_fresh byname
    c0=$(transcript connections)
    err=$(mh mailhop flush 2>&1)
    is "$?" 75 "tls = none, host $name (a name): deferred"
    like "$(mh mailq)" 'refusing to send AUTH credentials unencrypted' "mailq says why"
    is "$(transcript connections)" "$c0" "no connection was even made"
    mh_conf_log "[upstream]
allow_plaintext_auth = yes"
    sed -i "s/^host = 127\.0\.0\.1\$/host = $name/" "$MAILHOP_CONFIG"
    mh sendmail -qI "$ID"
    is "$?" 0 "allow_plaintext_auth = yes: delivered"
    is "$(transcript count) $(transcript auth)" "2 alice" "to the same server, authenticated"
else
    for i in 1 2 3 4 5; do skip "no host name resolves to 127.0.0.0/8 here"; done
fi
