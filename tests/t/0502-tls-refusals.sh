#!/bin/bash
# relay.c: TLS is never "tried".  No STARTTLS offered, an untrusted CA, a
# certificate for another host name, an expired certificate: each defers
# the message with a reason in mailq and the log, and nothing is sent (the
# server sees no AUTH and no MAIL).  tls_verify = no accepts the untrusted
# server; a server that requires a client certificate gets one from
# client_cert/client_key.
. "$TESTLIB/tap.sh"
plan 28

# refused WHAT REASON-ERE: flush, expect a deferral and nothing sent
refused() {
    local what=$1 why=$2 err
    err=$(mh mailhop flush 2>&1)
    is "$?" 75 "$what: flush exits 75 (deferred)"
    like "$(mh mailq)" "$why" "$what: mailq gives the reason"
    like "$(grep 'status=deferred' "$LOG" | tail -n 1)" "$why" "$what: so does the log"
    unlike "$(smtp_cmds)" 'AUTH|MAIL' "$what: no AUTH, no MAIL"
    is "$(spool_count)" 1 "$what: still queued"
}


start_smtpd --no-starttls
mh_conf_log
queue_fresh starttls
refused "no STARTTLS" 'does not offer STARTTLS'
like "$(smtp_cmds)" '^EHLO [^|]*\|(QUIT\|)?$' "only EHLO (and QUIT) were sent"
stop_smtpd

make_other_ca
start_smtpd --cert "$TESTDIR/otherca/server.pem" --key "$TESTDIR/otherca/server.key"
mh_conf_log
queue_fresh untrusted
refused "untrusted CA" 'TLS: SSL certificate problem: unable to get local issuer certificate'
mh_conf_log "[upstream]
tls_verify = no"
mh sendmail -qI "$ID"
is "$?" 0 "tls_verify = no: delivered to the untrusted server"
is "$(transcript count) $(transcript tls) $(transcript auth)" "1 yes alice" \
    "over TLS, authenticated"
stop_smtpd

make_cert wronghost 30 DNS:wrong.example
start_smtpd --cert "$TESTDIR/ca/wronghost.pem" --key "$TESTDIR/ca/wronghost.key"
mh_conf_log
queue_fresh names
refused "wrong host name" "TLS: .*certificate subject name.*'127\.0\.0\.1'"
stop_smtpd

make_cert expired expired IP:127.0.0.1 DNS:localhost
start_smtpd --cert "$TESTDIR/ca/expired.pem" --key "$TESTDIR/ca/expired.key"
mh_conf_log
queue_fresh expired
refused "expired certificate" 'TLS: SSL certificate problem: certificate has expired'
stop_smtpd

make_cert client
start_smtpd --client-ca "$TESTDIR/ca/ca.pem"
mh_conf_log
queue_fresh client
mh mailhop flush 2>/dev/null
is "$?" 75 "client certificate required, none configured: deferred"
is "$(transcript count)" 0 "nothing delivered without one"
mh_conf_log "[upstream]
client_cert = $TESTDIR/ca/client.pem
client_key = $TESTDIR/ca/client.key"
mh sendmail -qI "$ID"
is "$?" 0 "with client_cert/client_key: delivered"
is "$(transcript count) $(transcript client_cert) $(transcript auth)" "1 client alice" \
    "the server saw our certificate (CN=client) and AUTH"
is "$(spool_count)" 0 "the queue is empty"
