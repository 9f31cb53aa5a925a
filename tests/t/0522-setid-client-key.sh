#!/bin/bash
# tests/t/0522-setid-client-key.sh: secret.c (secret_hold, secret_client_key),
# relay.c.  A client_key of the system's upstream is a secret like its
# password (SPEC 8): 0640 root:mailhop, read by the set-id helper before it
# drops the group, so every user's mail goes out with the client
# certificate while no user can read the key.
. "$TESTLIB/tap.sh"
. "$TESTLIB/setid.sh"
setid_or_skip 5

make_ca
make_cert client
start_smtpd --client-ca "$TESTDIR/ca/ca.pem" || bail "no smtpd"
setid_setup
setid_user u
sys_secret
install -m 0644 "$TESTDIR/ca/client.pem" "$SYS/etc/mailhop/client.pem"
install -m 0640 -g "$MH_GROUP" "$TESTDIR/ca/client.key" "$SYS/etc/mailhop/client.key"
sys_conf "[upstream]
client_cert = $SYS/etc/mailhop/client.pem
client_key = $SYS/etc/mailhop/client.key"

as_user "$u" cat "$SYS/etc/mailhop/client.key" >/dev/null 2>&1
isnt "$?" 0 "the user cannot read the key"
printf 'Subject: k\n\nx\n' | as_user "$u" "$SBIN/mailhop" send -f "$u@example.org" bob@example.net
out=$(as_user "$u" "$SBIN/mailhop" flush 2>&1)
is "$?" 0 "the user's flush exits 0" || diag "$out"
is "$(transcript delivered)" bob@example.net "delivered"
is "$(transcript client_cert)" client "with the system's client certificate"
like "$(as_user "$u" "$SBIN/mailhop" test 2>&1)" "auth: PLAIN as alice: ok" "mailhop test as the user works too"
