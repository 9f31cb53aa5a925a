#!/bin/bash
# tests/t/0208-no-passwd.sh: cmd_send.c, spool.c (SPEC 10).  A uid with no
# passwd entry (containers run as arbitrary uids) sends as UID@domain
# unless [sender] from is set: USER and LOGNAME are not its identity.
# Root only (it switches to such a uid).
. "$TESTLIB/tap.sh"
plan 6

if [ "$(id -u)" != 0 ]; then
    for i in 1 2 3 4 5 6; do skip "not root: cannot run as a uid without a passwd entry"; done
    exit 0
fi
U=4242
while getent passwd "$U" >/dev/null; do U=$((U + 1)); done

start_smtpd --tls none --no-auth || bail "no smtpd"
# Its own home, spool and a sendmail name; configured from the environment.
chmod 711 "$TESTDIR"
u=$TESTDIR/u
mkdir -p "$u/bin"
ln -s "$MAILHOP_BIN" "$u/bin/sendmail"
chown -R "$U:$U" "$u"
as_uid() {
    setpriv --reuid="$U" --regid="$U" --clear-groups \
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
