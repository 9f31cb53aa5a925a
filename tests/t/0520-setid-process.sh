#!/bin/bash
# tests/t/0520-setid-process.sh: setid.c, deliver_main.c, harden.c.  The
# set-id helper (SPEC 8), caught while a slow server keeps it waiting with
# the system's secret in memory: its group is gone for good (real,
# effective, saved and filesystem ids in /proc/PID/status, no supplementary
# mailhop group); the caller can read neither /proc/PID/environ nor
# /proc/PID/mem nor attach with ptrace; SIGSEGV and SIGABRT leave no core
# file even under `ulimit -c unlimited`; a password_command of the system
# file runs with the group and a clean environment (an allow-list and a
# fixed PATH), one of the user's without the group.
. "$TESTLIB/tap.sh"
. "$TESTLIB/setid.sh"
setid_or_skip 18

start_smtpd --delay mail 30 || bail "no smtpd"
setid_setup
setid_user u
H=$SYS/home/$u
uid=$(id -u "$u"); gid=$(id -g "$u")
sys_secret
sys_conf

queue() {
	printf 'Subject: p\n\nx\n' | as_user "$u" "$SBIN/mailhop" send -f "$u@example.org" bob@example.net
}
# flush_bg [VAR=VALUE...]: the user's flush in the background, from $H,
# with a core limit the user raised; once the server holds it at MAIL,
# pid is the helper's.
delays() { grep -c '"type": *"delay"' "$SMTPD_LOG"; }
more_delays() { [ "$(delays)" -gt "$1" ]; }
flush_bg() {
	local n
	n=$(delays)
	(as_user "$u" "$@" sh -c 'cd "$HOME" && ulimit -c unlimited && exec "$0" flush' \
	    "$SBIN/mailhop" >"$TESTDIR/flush.out" 2>&1) 2>/dev/null &
	fpid=$!
	wait_for more_delays "$n"
	st=$?
	pid=$(proc_of "$u" /mailhop-deliver)
	return $st
}

queue
flush_bg LD_PRELOAD=/nonexistent.so http_proxy=http://127.0.0.1:9 SSLKEYLOGFILE="$H/keys" FOO=bar
ok $? "the helper is connected and waits at MAIL (authenticated with the secret)"
is "$(readlink "/proc/$pid/exe")" "$SBIN/mailhop-deliver" "it is the set-id helper (exec'd in place)"
st=$(cat "/proc/$pid/status")
is "$(awk '/^Gid:/ {print $2, $3, $4, $5}' <<<"$st")" "$gid $gid $gid $gid" \
    "group ids: real, effective, saved and fs are the user's ($gid), not $MH_GROUP ($MH_GID)"
is "$(awk '/^Uid:/ {print $2, $3, $4, $5}' <<<"$st")" "$uid $uid $uid $uid" "user ids: the user's"
unlike "$(awk '/^Groups:/' <<<"$st")" "(^|[ \t])$MH_GID([ \t]|$)" "no supplementary $MH_GROUP"
is "$(stat -c %u "/proc/$pid/status")" 0 "not dumpable: its /proc files are root's"
as_user "$u" cat "/proc/$pid/environ" >/dev/null 2>&1
isnt "$?" 0 "the user cannot read /proc/PID/environ"
as_user "$u" dd if="/proc/$pid/mem" bs=1 count=1 skip=4096 >/dev/null 2>&1
isnt "$?" 0 "nor /proc/PID/mem"
out=$(as_user "$u" "$PYTHON" -c '
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
r = libc.ptrace(16, int(sys.argv[1]), None, None)   # PTRACE_ATTACH
print(r, os.strerror(ctypes.get_errno()))' "$pid" 2>&1)
like "$out" "^-1 Operation not permitted" "nor attach with ptrace"
is "$(awk '/^Max core file size/ {print $5, $6}' "/proc/$pid/limits")" "0 0" \
    "core limit 0 although the user set unlimited"

# A control: a plain program of the user's dumps core here, so the two
# checks below could see one.
(as_user "$u" sh -c 'cd "$HOME" && ulimit -c unlimited && exec sleep 30') 2>/dev/null &
spid=$!
wait_for test -n "$(proc_of "$u" /sleep)"
kill -SEGV "$(proc_of "$u" /sleep)"; wait "$spid" 2>/dev/null
if ls "$H"/core* >/dev/null 2>&1; then
	rm -f "$H"/core*
	as_user "$u" kill -SEGV "$pid"
	wait "$fpid"
	ls "$H"/core* >/dev/null 2>&1
	isnt "$?" 0 "SIGSEGV from the user: no core file"
	flush_bg
	as_user "$u" kill -ABRT "$pid"
	wait "$fpid"
	ls "$H"/core* >/dev/null 2>&1
	isnt "$?" 0 "SIGABRT from the user: no core file"
else
	skip "no core file from the control (core_pattern $(cat /proc/sys/kernel/core_pattern))"
	skip "no core file from the control"
	kill "$pid"; wait "$fpid"
fi
ok "$([ ! -e "$H/keys" ]; echo $?)" "SSLKEYLOGFILE was not honoured (no key log)"

# password_command of the system file: the group, a clean environment.
stop_smtpd
start_smtpd || bail "no smtpd"
cat > "$SYS/etc/pwcmd" <<EOF
#!/bin/sh
id -G > $TESTDIR/sys.id
env | sort > $TESTDIR/sys.env
cat $SYS/etc/mailhop/secret
EOF
chmod 755 "$SYS/etc/pwcmd"
: > "$TESTDIR/sys.id"; : > "$TESTDIR/sys.env"
chmod 666 "$TESTDIR/sys.id" "$TESTDIR/sys.env"
sys_conf
sed -i "s|^password_file = .*|password_command = $SYS/etc/pwcmd|" "$SYS/etc/mailhop.conf"
queue
as_user "$u" LD_PRELOAD=/nonexistent.so http_proxy=http://127.0.0.1:9 \
    OPENSSL_CONF=/nonexistent CURL_CA_BUNDLE=/x LANG=C.UTF-8 TZ=UTC FOO=bar \
    "$SBIN/mailhop" flush >/dev/null 2>&1
is "$(transcript auth)" alice "system password_command: its output authenticated"
like " $(cat "$TESTDIR/sys.id") " " $MH_GID " "it ran with the group $MH_GROUP"
is "$(cut -d= -f1 "$TESTDIR/sys.env" | grep -Ev '^(_|PWD|SHLVL|OLDPWD)$' | sort | tr '\n' ' ')" \
    "HOME LANG LOGNAME PATH TZ USER " \
    "in the allow-listed environment only (and what sh itself sets)"
like "$(cat "$TESTDIR/sys.env")" "^PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin$" \
    "with the fixed PATH"

# A password_command of the user's own upstream: after the drop.
mkdir -p "$H/.config/mailhop"
cat > "$H/.config/mailhop/mailhop.conf" <<EOF
[upstream.mine]
host = 127.0.0.1
port = $SMTPD_PORT
tls = starttls
ca_file = $TESTDIR/ca/ca.pem
user = alice
password_command = id -G > $H/user.id; echo secret-pw-1
[route]
* = mine
EOF
chown -R "$u:" "$H/.config"
chmod 600 "$H/.config/mailhop/mailhop.conf"
queue
as_user "$u" "$SBIN/mailhop" flush >/dev/null 2>&1
unlike " $(cat "$H/user.id" 2>/dev/null) " " $MH_GID " "the user's password_command ran without the group"
