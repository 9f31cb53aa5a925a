#!/bin/bash
# conf_file.c (issue 9, #5; SPEC 2 revision 2), the issue's own case: the
# system file, 0664 root:GROUP, so that a member of GROUP can write it.
# Nothing of it is used: every user's mailhop and root's (cron mail, the
# timer's flush --all) refuse it naming the file, and a password_command
# a group member put there never runs, neither as another user nor as
# root.  0810 has the same rule for the user's file and -C.
. "$TESTLIB/tap.sh"
. "$TESTLIB/setid.sh"
setid_or_skip 10

start_smtpd --no-auth --tls none
setid_setup
setid_user member
setid_user other
usermod -a -G "$MH_GROUP" "$member" || bail "usermod"
: > "$TESTDIR/ran-by"
chmod 666 "$TESTDIR/ran-by"
sys_conf
conf=$SYS/etc/mailhop.conf
sed -i '/^password_file/d' "$conf"
printf 'Subject: x\n\nx\n' | as_user "$other" "$SBIN/mailhop" send -odq bob@example.net
is "$?" 0 "with the file 0644: another user's message is queued"

# The file becomes 0664 root:GROUP, and a member of GROUP rewrites it.
chown root:"$MH_GROUP" "$conf"
chmod 664 "$conf"
evil=$(sed "s|^user = alice|&\npassword_command = id -un >> $TESTDIR/ran-by; echo pw|" "$conf")
as_user "$member" sh -c 'printf "%s\n" "$1" > "$2"' sh "$evil" "$conf"
like "$(cat "$conf")" "password_command = id -un" \
    "a member of the file's group can write it (the attack)"

out=$(as_user "$other" "$SBIN/mailhop" config 2>&1); st=$?
is "$st" 78 "another user's mailhop config: exit 78"
is "$out" "mailhop: $conf: refused: writable by group or others (chmod go-w $conf)" \
    "one line naming the file and the fix"
printf 'Subject: x\n\nx\n' | as_user "$other" "$SBIN/mailhop" send -odi \
    bob@example.net >/dev/null 2>&1
is "$?" 78 "another user's sendmail -odi: exit 78"
printf 'Subject: cron\n\nx\n' | env -i PATH=/usr/bin:/bin HOME=/root \
    LOGNAME=root "$SBIN/mailhop" send -odi root >/dev/null 2>&1
is "$?" 78 "root's cron mail: exit 78"
out=$("$SBIN/mailhop" flush --all 2>&1)
like "$out" "mailhop: flush --all: .*: not flushed" \
    "root's flush --all: the user's spool is not flushed with it"
is "$(cat "$TESTDIR/ran-by")" "" "the planted password_command never ran"
is "$(transcript count):$(find "$SYS/var/spool/mailhop" -name '*.e' | wc -l)" \
    "0:1" "nothing was sent; the queued message waits"

# Control: the same file, 0644 and root's, is used.
chmod 644 "$conf"
as_user "$other" "$SBIN/mailhop" config >/dev/null 2>&1
is "$?" 0 "0644 root's: accepted"
