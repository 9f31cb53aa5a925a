#!/bin/bash
# relay.c (issue 9, hardening): TLS 1.2 is mailhop's own floor
# (CURLOPT_SSLVERSION), not only the system OpenSSL policy.  The client
# runs with an OPENSSL_CONF that lowers that policy to TLS 1.0 and
# SECLEVEL 0, so that only mailhop's floor can refuse a server that offers
# TLS 1.0 or 1.1 alone; a TLS 1.2 server under the same OPENSSL_CONF is
# the control.
. "$TESTLIB/tap.sh"
plan 10

cat > weak.cnf <<'EOF'
openssl_conf = openssl_init
[openssl_init]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
MinProtocol = TLSv1
CipherString = DEFAULT:@SECLEVEL=0
EOF
export OPENSSL_CONF=$TESTDIR/weak.cnf

for max in 1.0 1.1; do
    start_smtpd --tls-max "$max" || bail "no smtpd"
    mh_conf
    printf 'Subject: old\n\nx\n' | mh sendmail -f alice@example.org bob@example.net
    mh mailhop flush 2>/dev/null
    is "$(transcript transactions 2>/dev/null || echo 0)" 0 "TLS $max only: no transaction"
    is "$(spool_count)" 1 "TLS $max only: the message stays queued"
    like "$(mh mailq)" "\(.*(TLS|SSL|protocol|version).*\)" "TLS $max only: mailq says why"
    unlike "$(transcript commands)" '^(MAIL|AUTH)' "TLS $max only: neither AUTH nor MAIL was sent"
    mh mailhop delete "$(cd "$XDG_STATE_HOME/mailhop" && ls *.e | sed 's/\.e$//')"
    stop_smtpd
done

start_smtpd --tls-max 1.2 || bail "no smtpd"
mh_conf
printf 'Subject: new\n\nx\n' | mh sendmail -f alice@example.org bob@example.net
mh mailhop flush
is "$(transcript count)" 1 "TLS 1.2 under the same OPENSSL_CONF: delivered (control)"
is "$(transcript tls_version)" "TLSv1.2" "over TLS 1.2"
