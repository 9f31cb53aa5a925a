#!/bin/bash
# 1102-install-root.sh: Makefile.am's install hooks, tools/install-hook.sh,
# as root without DESTDIR (what `sudo make install` does).  Every directory
# is moved under $TESTDIR and the group is named per run.  The group is
# created as a system group, mailhop-deliver is root:GROUP 2755, mailhop has
# no set-id bit, the spool root is root:GROUP 1731 (SPEC 8), a second
# install changes nothing, and another MTA's sendmail stays.
. "$TESTLIB/tap.sh"
. "$TESTLIB/install.sh"

if [ "$(id -u)" != 0 ]; then
    plan 1
    skip "make install as root: not root"
    exit 0
fi
plan 15

group=mht$$
R=$TESTDIR/root
drop_group() { getent group "$group" >/dev/null && groupdel "$group"; }
_tap_atexit+=(drop_group)
dirs=(prefix="$R" exec_prefix="$R" bindir="$R/bin" sbindir="$R/sbin"
    libexecdir="$R/libexec" datarootdir="$R/share" mandir="$R/share/man"
    sysconfdir="$R/etc" localstatedir="$R/var"
    systemdsystemunitdir="$R/lib/systemd/system" crondir="$R/etc/cron.d"
    MAILHOP_GROUP="$group")
helper=$R/libexec/mailhop/mailhop-deliver
mkdir -p "$R/sbin"
printf 'exim\n' > "$R/sbin/sendmail"

mk install "${dirs[@]}"
is "$?" 0 "make install as root exits 0" || diag "$(tail -5 "$TESTDIR/mk.err")"
gid=$(getent group "$group" | cut -d: -f3)
ok "$([ -n "$gid" ]; echo $?)" "the group $group is created"
sys_max=$(awk '$1 == "SYS_GID_MAX" { print $2 }' /etc/login.defs 2>/dev/null)
ok "$([ -n "$gid" ] && [ "$gid" -le "${sys_max:-999}" ]; echo $?)" \
    "as a system group (gid $gid <= ${sys_max:-999})"
is "$(stat -c '%a %U:%G' "$helper")" "2755 root:$group" "mailhop-deliver is root:$group 2755"
is "$(stat -c '%a' "$R/bin/mailhop")" 755 "mailhop has no set-id bit"
is "$(stat -c '%a %U:%G' "$R/var/spool/mailhop")" "1731 root:$group" "the spool root is root:$group 1731"
is "$(cat "$R/sbin/sendmail")" exim "another MTA's sendmail is left as it was"
like "$(cat "$TESTDIR/mk.err")" "^mailhop: $R/sbin/sendmail is not mailhop's.*dpkg-divert" \
    "and named, with how to switch"
unlike "$(cat "$TESTDIR/mk.out")" "staged install|not installing as root" \
    "no staged-install or non-root note"
is "$(readlink "$R/bin/mailq")" mailhop "mailq is mailhop's link"
if [ -n "$(mkvar systemdsystemunit_DATA)" ]; then
    ok "$([ -f "$R/lib/systemd/system/mailhop-flush.timer" ]; echo $?)" \
        "the timer is installed in systemdsystemunitdir"
else
    skip "configured without systemd units"
fi

# An existing spool root of an older install (1733 root:root) is tightened.
chmod 1733 "$R/var/spool/mailhop"
chown root:root "$R/var/spool/mailhop"
mk install "${dirs[@]}"
is "$?" 0 "a second make install exits 0 (the group exists)"
is "$(stat -c '%a %U:%G' "$R/var/spool/mailhop")" "1731 root:$group" "an old 1733 spool root becomes 1731 root:$group"
is "$(stat -c '%a %U:%G' "$helper")" "2755 root:$group" "the helper is still 2755"
is "$(getent group "$group" | cut -d: -f3)" "$gid" "the group is not created twice"
