#!/bin/bash
# harden.c (issue 9, hardening): a process that holds a secret is not
# dumpable and has no core size: the front end once it has read a
# configuration with a password, and mailhop-deliver always.  Seen from
# outside: a non-dumpable process's /proc/PID files belong to root, and
# /proc/PID/limits shows the core limit.  As root, the processes under test
# run as an unprivileged user (65534), or root would own them anyway.
. "$TESTLIB/tap.sh"
plan 8

u=$TESTDIR/u
unpriv_user "$u"
uid=$UNPRIV_UID
start_smtpd --no-auth --tls none --delay ehlo 5
conf() {	# NAME [EXTRA]: a config of the user's own, mode 0600
    printf '[upstream]\nhost = 127.0.0.1\nport = %s\ntls = none\n%s\n[queue]\ndeliver = queue\n' \
        "$SMTPD_PORT" "$2" > "$u/$1.conf"
    chmod 600 "$u/$1.conf"
}
conf plain
conf pw 'user = alice
password = secret-pw-1'
chown -R "$uid" "$u"
as_user=("${AS_UNPRIV[@]}")
core_limit() { awk '/^Max core file size/ {print $5, $6}' "/proc/$1/limits"; }

# The front end in -bs mode waits for its client: look at it then.
bs_owner() {	# CONF -> "OWNER-OF-/proc/PID CORE-SOFT CORE-HARD"
    rm -f in out; mkfifo in
    exec 3<> in
    MAILHOP_CONFIG="$u/$1.conf" "${as_user[@]}" "$MAILHOP_BIN" send -bs \
        < in > out 3>&- &
    pid=$!
    wait_for grep -q '^220' out || diag "no greeting: $(cat out)"
    [ "$(readlink "/proc/$pid/exe")" = "$MAILHOP_BIN" ] || diag "not mailhop"
    echo "$(stat -c %u "/proc/$pid/status") $(core_limit "$pid")"
    exec 3>&-
    wait "$pid"
}
got=$(bs_owner plain)
is "${got%% *}" "$uid" "front end, no password in its config: dumpable (control)"
got=$(bs_owner pw)
is "${got%% *}" 0 "front end that read a password: not dumpable"
is "${got#* }" "0 0" "and its core limit is 0"

# The helper, caught while the server keeps it waiting at EHLO.
printf 'Subject: x\n\nx\n' | MAILHOP_CONFIG="$u/plain.conf" "${as_user[@]}" \
    "$MAILHOP_BIN" send -odq bob@example.net
is "$?" 0 "queued as the user"
MAILHOP_CONFIG="$u/plain.conf" "${as_user[@]}" "$MAILHOP_BIN" flush &
pid=$!
wait_for grep -q '"type": *"connect"' "$SMTPD_LOG"
ok $? "the helper connected"
like "$(readlink "/proc/$pid/exe")" "mailhop-deliver" "it is mailhop-deliver (the front end exec'd it)"
is "$(stat -c %u "/proc/$pid/status")" 0 "mailhop-deliver: not dumpable"
is "$(core_limit "$pid")" "0 0" "and its core limit is 0"
wait "$pid"
