#!/bin/bash
# tests/t/0803-config-password-sources.sh: secret.c, through a real
# delivery.  The password comes from password_command (first line of its
# output) or password_file (first line); a failing command defers the
# message with "password_command failed (exit N)"; a password file that
# others can read is refused; the secret is never in the command's
# environment nor in `mailhop config`.
. "$TESTLIB/tap.sh"
plan 16

start_smtpd
# conf LINE: the test server's configuration with LINE as the password source
conf() {
    MH_CONF_BASE=no mh_conf "[upstream]
host = 127.0.0.1
port = $SMTPD_PORT
tls = starttls
ca_file = $TESTDIR/ca/ca.pem
user = alice
$1
[queue]
deliver = queue"
}

send() {
    printf 'Subject: %s\n\nhello\n' "$1" |
        mh sendmail -odi -f alice@example.org bob@example.com 2>"$TESTDIR/stderr"
    st=$?
    err=$(cat "$TESTDIR/stderr")
}

# password_command: only the first line is the password.
conf "password_command = env > $TESTDIR/cmd.env; printf 'secret-pw-1\\nsecond line\\n'"
send one
is "$st" 0 "password_command: delivered"
is "$(transcript auth)" alice "authenticated as alice"
is "$(transcript count)" 1 "one message sent"
[ -s "$TESTDIR/cmd.env" ] && ! grep -q 'secret-pw-1' "$TESTDIR/cmd.env"
ok $? "the command's environment holds no secret"
! grep -Eq '^(GNUTLS_NO_IMPLICIT_INIT|MAILHOP_GNUTLS_SET)=' "$TESTDIR/cmd.env"
ok $? "nor the variables the front end set for the helper's own start-up"
out=$(mh mailhop config)
like "$out" "^password_command = env > " "config shows the command"

# A failing command: the message stays queued, the reason is named.
conf "password_command = echo nope; exit 3"
send two
is "$st" 0 "failing password_command: exit 0 (queued, deferred; SPEC 3)"
like "$err" "password_command failed \(exit 3\)" "names the command's exit status"
is "$(transcript count)" 1 "nothing more was sent"

# password_file: first line, must be private.
printf 'secret-pw-1\r\nignored\n' > "$TESTDIR/pw"
chmod 600 "$TESTDIR/pw"
conf "password_file = $TESTDIR/pw"
# The failure counted as an attempt (backoff): sendmail -q sends it now.
err=$(mh sendmail -q 2>&1)
is "$?" 0 "password_file: the deferred message goes out"
is "$(transcript count)" 2 "two messages sent in all"
is "$(transcript auth 2)" alice "authenticated with the file's first line"

chmod 644 "$TESTDIR/pw"
send three
# Queued, so exit 0 (SPEC 3); the reason is on stderr.
is "$st" 0 "password_file readable by others: queued, exit 0"
is "$(transcript count)" 2 "and not sent"
is "$(spool_count)" 1 "the message stays queued"
like "$err" "password_file $TESTDIR/pw: readable by others \(chmod o-r $TESTDIR/pw\)" \
    "the file and the fix are named"
