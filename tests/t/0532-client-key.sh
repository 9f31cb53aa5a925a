#!/bin/bash
# relay.c, secret.c (issue 9, hardening): client_key is a secret file and
# gets the secret-file checks (the same function as password_file): a key
# that group or others can read, or that is no regular file, is refused
# before anything is sent, with the reason on stderr.  The key is read once
# through those checks and handed to libcurl as bytes.
. "$TESTLIB/tap.sh"
plan 8

make_cert client
start_smtpd --client-ca "$TESTDIR/ca/ca.pem"
key=$TESTDIR/ca/client.key
conf_key() {
    mh_conf "[upstream]
client_cert = $TESTDIR/ca/client.pem
client_key = $1"
}

chmod 644 "$key"
conf_key "$key"
queue_fresh readable
mh mailhop flush 2>flush.err
is "$(transcript connections)" 0 "a client_key readable by others: no connection"
is "$(spool_count)" 1 "the message stays queued"
like "$(cat flush.err)" "client_key $key: readable by others \(chmod o-r $key\)" \
    "flush says why and what to do"
like "$(mh mailhop test 2>&1)" "client_key $key: readable by others" \
    "mailhop test says it too"

chmod 600 "$key"
ln -s /dev/zero "$TESTDIR/zero.key"
conf_key "$TESTDIR/zero.key"
# (the failure above counted as an attempt: -qI sends the entry now)
mh sendmail -qI "$ID" 2>flush.err
is "$(transcript connections)" 0 "a client_key that is no regular file: no connection"
like "$(cat flush.err)" "client_key $TESTDIR/zero\.key: not a regular file" "flush says so"

conf_key "$key"
mh sendmail -q
is "$(transcript count) $(transcript client_cert)" "1 client" \
    "client_key 0600: delivered with the certificate (control)"
is "$(spool_count)" 0 "the queue is empty"
