#!/bin/bash
# deliver_main.c: `mailhop test` connects, does TLS and AUTH and sends no
# mail; a failure is one line and a sysexits code.  -v shows the dialogue
# without the credentials.
. "$TESTLIB/tap.sh"
plan 8

start_smtpd
mh_conf
out=$(mh mailhop test 2>&1)
is "$?" 0 "test against a working upstream: 0"
like "$out" "^auth: PLAIN as alice: ok" "it reports the AUTH result"
is "$(transcript transactions)" 0 "and sends no mail"

out=$(mh mailhop -v test 2>&1)
like "$out" "EHLO" "-v shows the dialogue"
pw64=$(printf '\0alice\0secret-pw-1' | base64)
unlike "$out" "secret-pw-1|$pw64" "but never the password"

port=$SMTPD_PORT
stop_smtpd
err=$(mh mailhop test 2>&1)
is "$?" 69 "nobody listening: 69 (EX_UNAVAILABLE)"
like "$err" "^mailhop: 127\.0\.0\.1:$port: .*connect" "one line naming host and port"
is "$(printf '%s\n' "$err" | wc -l)" 1 "exactly one line"
