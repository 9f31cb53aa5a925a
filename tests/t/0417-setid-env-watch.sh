#!/bin/bash
# tests/t/0417-setid-env-watch.sh: conf_env.c, deliver_main.c (SPEC 8 and
# 10).  The set-id helper treats an environment override of the system's
# upstream as it treats a user file's: it reads no secret, connects
# nowhere, and the entry's last reply names the variable.  A set-id
# `flush --watch` does not re-read the configuration on SIGHUP (the
# system's secret was read for the checked configuration only): a user
# file changed meanwhile never receives the secret.
. "$TESTLIB/tap.sh"
. "$TESTLIB/setid.sh"
setid_or_skip 16

start_smtpd --tls none --no-auth || bail "no smtpd"
evil_log=$SMTPD_LOG
evil_port=$SMTPD_PORT
start_smtpd --tls none --auth plain --user alice:secret-pw-1 || bail "no smtpd"
sys_log=$SMTPD_LOG
setid_setup
setid_user ann
sys_conf "[log]
syslog = no"
sys_secret
R=$SYS/var/spool/mailhop
queue_as() {	# queue_as RCPT [VAR=VALUE...]: one message, -odq
    local r=$1
    shift
    printf 'Subject: s\n\nhi\n' | as_user "$ann" "$@" "$SBIN/mailhop" send -odq "$r"
}

# The environment changes a key of the system's upstream.
queue_as env@example.net
is "$?" 0 "queued"
out=$(as_user "$ann" MAILHOP_UPSTREAM_PORT="$evil_port" "$SBIN/mailhop" flush 2>&1)
is "$(SMTPD_LOG=$evil_log transcript connections)" 0 \
    "MAILHOP_UPSTREAM_PORT for the system's upstream: nothing connects there"
is "$(transcript connections)" 0 "nor to the system's own server"
like "$(as_user "$ann" "$SBIN/mailhop" queue)" "MAILHOP_UPSTREAM_PORT sets its key \"port\"" \
    "the entry's last reply names the variable and the key"
as_user "$ann" "$SBIN/mailhop" flush >/dev/null 2>&1
out=$(as_user "$ann" "$SBIN/mailhop" send -qI "$(ls "$R/$ann" | sed -n 's/\.e$//p')" 2>&1)
is "$(transcript delivered)" "env@example.net" "without the variable it goes through the system's upstream"
is "$(transcript auth 1)" "alice" "with the system's secret"

# A set-id flush --watch and SIGHUP.
as_user "$ann" "$SBIN/mailhop" flush --watch 2> "$TESTDIR/watch.err" &
_up() { proc_of "$ann" mailhop-deliver >/dev/null; }
wait_for _up
watch=$(proc_of "$ann" mailhop-deliver)
ok $? "a user's flush --watch runs set-id (pid $watch)"
queue_as one@example.net
wait_transactions 2
is "$(transcript delivered)" "env@example.net one@example.net" "it delivers through the system's upstream"
mkdir -p "$SYS/home/$ann/.config/mailhop"
printf '[upstream]\nport = %s\n' "$evil_port" > "$SYS/home/$ann/.config/mailhop/mailhop.conf"
chown -R "$ann:" "$SYS/home/$ann/.config"
kill -HUP "$watch"
_said() { grep -q 'SIGHUP' "$TESTDIR/watch.err"; }
wait_for _said
like "$(cat "$TESTDIR/watch.err")" "SIGHUP: configuration not re-read, the old one stays: the helper runs set-id: restart flush --watch" \
    "SIGHUP: not re-read, and it says why"
queue_as two@example.net
wait_transactions 3
is "$(transcript delivered)" "env@example.net one@example.net two@example.net" \
    "the next message still goes through the checked upstream"
is "$(SMTPD_LOG=$evil_log transcript connections)" 0 \
    "the server the user's file names after the start never gets the secret"
kill -TERM "$watch"
_gone() { ! kill -0 "$watch" 2>/dev/null; }
wait_for _gone
ok $? "SIGTERM ends it"
# Restarted, it reads the user's file: the system's upstream is refused.
queue_as three@example.net
as_user "$ann" "$SBIN/mailhop" flush >/dev/null 2>&1
like "$(as_user "$ann" "$SBIN/mailhop" queue)" "mailhop.conf:2 sets its key \"port\"" \
    "a new flush reads it and refuses the system's upstream"

# A uid with no passwd entry (a container's): %u is its uid.
U=4242
while getent passwd "$U" >/dev/null; do U=$((U + 1)); done
out=$(printf 'Subject: n\n\nhi\n' | setpriv --reuid="$U" --regid="$U" --clear-groups \
    env -i PATH=/usr/bin:/bin "$SBIN/mailhop" send -odq nouser@example.net 2>&1)
is "$?:$out" "0:" "uid $U without a passwd entry and without HOME: queued"
is "$(stat -c '%u %a' "$R/$U")" "$U 700" "in $R/$U, made by the set-id helper, 0700, its own"
setpriv --reuid="$U" --regid="$U" --clear-groups env -i PATH=/usr/bin:/bin \
    "$SBIN/mailhop" flush >/dev/null 2>&1
like "$(transcript mail -1)" "^$U@" "delivered, from UID@domain"
