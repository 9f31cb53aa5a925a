#!/bin/bash
# tests/t/0208-no-passwd.sh: sender.c, spool.c (SPEC 10).  A uid with no
# passwd entry (containers run as arbitrary uids) sends as UID@domain
# unless [sender] from is set: USER and LOGNAME are not its identity.  A
# spool that cannot be created (a read-only root file system, no home) is
# exit 73 with one line naming the directory and the settings that move
# it.  Root only (it switches to such a uid and mounts read-only).
. "$TESTLIB/tap.sh"
plan_root 12 "it runs as a uid without a passwd entry"
U=4242
while getent passwd "$U" >/dev/null; do U=$((U + 1)); done

start_smtpd --tls none --no-auth || bail "no smtpd"
# Its own home, spool and a sendmail name; configured from the environment.
chmod 711 "$TESTDIR"
u=$TESTDIR/u
mkdir -p "$u/bin"
ln -s "$MAILHOP_BIN" "$u/bin/sendmail"
chown -R "$U:$U" "$u"
as_uid() {	# RO=1 as_uid ...: with $u/ro read-only (a private mount namespace)
    local pre=()
    [ -n "${RO:-}" ] && pre=(unshare -m sh -c 'mount --bind "$0" "$0" &&
        mount -o remount,bind,ro "$0" && exec "$@"' "$u/ro")
    "${pre[@]}" setpriv --reuid="$U" --regid="$U" --clear-groups \
        env -i PATH=/usr/bin:/bin HOME="$u" XDG_STATE_HOME="$u/state" \
        XDG_CONFIG_HOME="$u/config" USER=root LOGNAME=root \
        MAILHOP_UPSTREAM_HOST=127.0.0.1 MAILHOP_UPSTREAM_PORT="$SMTPD_PORT" \
        MAILHOP_UPSTREAM_TLS=none MAILHOP_SENDER_DOMAIN=example.com \
        MAILHOP_LOG_SYSLOG=no "$@"
}
hdr() { transcript data "$1" | sed '/^\r$/q' | grep "^$2:" | tr -d '\r'; }

out=$(printf 'Subject: a\n\nx\n' | as_uid "$u/bin/sendmail" -odi bob@example.com 2>&1)
is "$?" 0 "uid $U without a passwd entry: queued and delivered ($out)"
is "$(transcript mail 1)" "$U@example.com" "the envelope sender is UID@domain, not \$LOGNAME"
like "$(hdr 1 From)" "^From: <?$U@example\\.com>?\$" "and so is the added From:"
is "$(stat -c %u "$u/state/mailhop")" "$U" "its spool, from XDG_STATE_HOME, is its own"

out=$(printf 'Subject: b\n\nx\n' | as_uid env MAILHOP_SENDER_FROM=app@example.org \
    "$u/bin/sendmail" -odi bob@example.com 2>&1)
is "$?" 0 "with [sender] from: delivered ($out)"
is "$(transcript mail 2)" "app@example.org" "from is the sender"

# A read-only file system (a bind mount made read-only, in a private mount
# namespace): the spool cannot be created there.
mkdir -p "$u/ro/spool"
chown -R "$U:$U" "$u/ro"
chmod 700 "$u/ro/spool"
hint='set \[queue\] dir \(or MAILHOP_QUEUE_DIR\) or XDG_STATE_HOME to a writable directory'
out=$(printf 'Subject: c\n\nx\n' | RO=1 as_uid env XDG_STATE_HOME="$u/ro/state" \
    "$u/bin/sendmail" -odq bob@example.com 2>&1); st=$?
is "$st" 73 "a read-only root: exit 73"
like "$out" "^mailhop: cannot create spool directory $u/ro/state/mailhop: Read-only file system; $hint\$" \
    "naming the directory and the settings that move it"
out=$(printf 'Subject: d\n\nx\n' | RO=1 as_uid env XDG_STATE_HOME="$u/ro/state" \
    MAILHOP_QUEUE_DIR="$u/spool" "$u/bin/sendmail" -odq bob@example.com 2>&1)
is "$?:$out:$(spool_count "$u/spool")" "0::1" "MAILHOP_QUEUE_DIR moves it to a writable directory"
out=$(printf 'Subject: e\n\nx\n' | RO=1 as_uid env MAILHOP_QUEUE_DIR="$u/ro/spool" \
    "$u/bin/sendmail" -odq bob@example.com 2>&1); st=$?
like "$st $out" "^73 mailhop: cannot create $u/ro/spool/[^ ]+: Read-only file system; $hint\$" \
    "an existing spool on a read-only file system: 73, the same advice"
out=$(printf 'Subject: f\n\nx\n' | as_uid env -u HOME -u XDG_STATE_HOME \
    "$u/bin/sendmail" -odq bob@example.com 2>&1); st=$?
is "$st" 73 "no home, no XDG_STATE_HOME, no [queue] dir, no system spool root: 73"
like "$out" "^mailhop: no spool directory: no home directory and no /.*; $hint\$" \
    "with the same advice"
