#!/bin/bash
# relay.c: `mailhop test` connects, starts TLS, authenticates and sends
# nothing (NOOP, QUIT); it reports the TLS version, cipher, certificate
# subject, issuer, expiry and the AUTH result.  Each failure is exit
# non-zero and one "mailhop: ..." line naming the server and the reason.
. "$TESTLIB/tap.sh"
plan 18

start_smtpd
mh_conf
out=$(mh mailhop test 2>&1)
is "$?" 0 "test: exit 0"
like "$out" "^relay: 127\.0\.0\.1\[127\.0\.0\.1\]:$SMTPD_PORT \(STARTTLS\)$" "names the relay"
like "$out" '^tls: TLSv1\.3, cipher TLS_' "TLS version and cipher"
like "$out" '^certificate: subject CN ?= ?server$' "certificate subject"
like "$out" '^certificate: issuer CN ?= ?mailhop test CA$' "issuer"
exp=$(openssl x509 -noout -enddate -in "$TESTDIR/ca/server.pem" | sed 's/^notAfter=//')
is "$(printf '%s\n' "$out" | sed -n 's/^certificate: expires //p')" "$exp" "expiry, as openssl prints it"
like "$out" '^auth: PLAIN as alice: ok \(235 ' "AUTH result"
is "$(transcript commands | grep -Ev '^(EHLO|STARTTLS|AUTH|\*\*\*)' | tr '\n' ' ')" "NOOP QUIT " \
    "nothing sent but NOOP and QUIT"
is "$(transcript count)" 0 "no mail transaction"

# fail EXIT-ERE MSG-ERE DESC: one line, prefixed, exit status
fail() {
    local out st
    out=$(mh mailhop test 2>&1); st=$?
    like "$st" "$1" "$3: exit $st"
    like "$out" "^mailhop: $2" "$3: the reason"
    is "$(printf '%s\n' "$out" | wc -l)" 1 "$3: one line"
}
sed -i 's/^password = .*/password = nope/' "$MAILHOP_CONFIG"
fail '^[1-9]' "127\.0\.0\.1:$SMTPD_PORT: AUTH PLAIN refused: 535 " "wrong password"
stop_smtpd

make_other_ca
start_smtpd --cert "$TESTDIR/otherca/server.pem" --key "$TESTDIR/otherca/server.key"
mh_conf
fail '^[1-9]' "127\.0\.0\.1:$SMTPD_PORT: TLS: SSL certificate problem: unable to get local issuer" "untrusted CA"
port=$SMTPD_PORT
stop_smtpd
fail '^[1-9]' "127\.0\.0\.1:$port: Failed to connect" "nothing listening"
