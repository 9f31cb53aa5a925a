#!/bin/bash
# 0512-tls-ports.sh: relay.c, deliver_main.c (issue 12: errors that
# say what to do).  tls = tls against a STARTTLS port fails with OpenSSL's
# "wrong version number": the error says to use tls = starttls.  tls =
# starttls against an implicit-TLS port waits for a greeting that never
# comes: the error says to use tls = tls.  On the standard ports (465,
# 587) `mailhop test` warns about such a pair before it connects, and on
# 465 the greeting is waited for 10 s at most, not `timeout`.  The
# standard ports are used inside a private network namespace (root only:
# unshare -n, so that two suites never share a port); elsewhere skipped.
if [ "$(id -u)" = 0 ] && [ -z "${MH_IN_NETNS:-}" ] &&
    unshare -n true 2>/dev/null && command -v ip >/dev/null; then
	export MH_IN_NETNS=1
	exec unshare -n /bin/bash -c 'ip link set lo up && exec /bin/bash "$0"' \
	    "$(readlink -f "$0")"
fi
. "$TESTLIB/tap.sh"
plan 16

conf() {	# conf TLS [EXTRA]: the server's port, this tls
	MH_CONF_BASE=no mh_conf "[upstream]
host = 127.0.0.1
port = $SMTPD_PORT
tls = $1
ca_file = $TESTDIR/ca/ca.pem
user = alice
password = secret-pw-1
$2
[queue]
deliver = queue"
}
last_reply() { mh mailq | sed -n 's/^ *(\(.*\))$/\1/p' | tail -n 1; }

# 1. tls = tls against a server that starts in plain text.
start_smtpd --tls starttls || bail "no smtpd"
conf tls
out=$(mh mailhop test 2>&1)
is "$?" 69 "mailhop test: exit 69 (EX_UNAVAILABLE)"
like "$out" 'wrong version number \(the server did not start TLS at once: for port 587 use tls = starttls\)$' \
    "the error says to use tls = starttls"
printf 'Subject: a\n\nx\n' | mh sendmail bob@example.net
mh mailhop flush 2>/dev/null
like "$(last_reply)" 'for port 587 use tls = starttls\)$' "the queued entry's last reply says it too"
stop_smtpd
rm -rf "$XDG_STATE_HOME/mailhop"

# 2. tls = starttls against a server that waits for a TLS handshake.
start_smtpd --tls implicit || bail "no smtpd"
conf starttls "timeout = 2s"
out=$(mh mailhop test 2>&1)
is "$?" 69 "mailhop test: exit 69"
is "$out" "mailhop: 127.0.0.1:$SMTPD_PORT: timed out after 2s waiting for the greeting (a server that expects TLS at once, as on port 465, never sends one: then use tls = tls)" \
    "the timeout says a server expecting TLS at once never greets: use tls = tls"
printf 'Subject: a2\n\nx\n' | mh sendmail bob@example.net
mh mailhop flush 2>/dev/null
like "$(last_reply)" 'waiting for the greeting \(a server that expects TLS at once.*then use tls = tls\)$' \
    "the last reply says it too"
stop_smtpd
rm -rf "$XDG_STATE_HOME/mailhop"

if [ -z "${MH_IN_NETNS:-}" ]; then
	for i in $(seq 10); do skip "ports 465 and 587 need root (a private network namespace)"; done
	exit 0
fi

# 3. Port 465 with tls = starttls: warned before connecting, and no
# timeout-long wait (default 60 s): 10 s for the greeting at most.
start_smtpd --port 465 --tls implicit || bail "no smtpd on 465"
conf starttls
mh mailhop test >t465.out 2>t465.err
is "$?" 69 "465 + starttls: mailhop test exits 69"
is "$(head -n 1 t465.err)" "mailhop: warning: port 465 expects TLS at once (RFC 8314) and a server there sends no greeting before it: use tls = tls" \
    "465 + starttls: the warning comes first"
is "$(sed -n 2p t465.err)" "mailhop: 127.0.0.1:465: no greeting within 10s on port 465, which expects TLS at once (RFC 8314): use tls = tls" \
    "the greeting is waited for 10 s, not timeout (60 s)"
printf 'Subject: b\n\nx\n' | mh sendmail bob@example.net
mh mailhop flush 2>/dev/null
is "$(last_reply)" "no greeting within 10s on port 465, which expects TLS at once (RFC 8314): use tls = tls" \
    "a flush records the same"
conf tls
out=$(mh mailhop test 2>&1)
is "$?" 0 "465 + tls = tls: passes"
unlike "$out" 'warning' "and no warning"
stop_smtpd
rm -rf "$XDG_STATE_HOME/mailhop"

# 4. Port 587 with tls = tls: warned before connecting, and the hint.
start_smtpd --port 587 --tls starttls || bail "no smtpd on 587"
conf tls
mh mailhop test >t587.out 2>t587.err
is "$?" 69 "587 + tls: mailhop test exits 69"
is "$(head -n 1 t587.err)" 'mailhop: warning: port 587 starts in plain text and offers STARTTLS: tls = tls fails there with "wrong version number"; use tls = starttls' \
    "587 + tls: the warning comes first"
conf starttls
out=$(mh mailhop test 2>&1)
is "$?" 0 "587 + starttls: passes"
unlike "$out" 'warning' "and no warning"
