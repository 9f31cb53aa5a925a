#!/bin/bash
# tests/t/0310-system-spool.sh: spool.c, launch.c, deliver_main.c (mkspool),
# paths.c.  SPEC 8, issue 8: the system spool root is 1731 root:mailhop, so
# no user can create, link or replace another user's directory there; the
# set-id helper makes a user's directory on first use (owned by the user,
# 0700), only under the caller's own name or uid; [queue] dir takes %u and
# %U.  The front end, which has no set-id bit, gets its directory made by
# the helper and still exits 0 only with the mail on disk.
. "$TESTLIB/tap.sh"
. "$TESTLIB/setid.sh"
setid_or_skip 34

start_smtpd || bail "no smtpd"
setid_setup
setid_user victim
setid_user mallory
setid_user numeric
sys_conf
sys_secret
R=$SYS/var/spool/mailhop

send_as() {	# send_as USER [sendmail args]: status|stderr
	local u=$1 o
	shift
	o=$(printf 'Subject: s\n\nhi\n' | as_user "$u" "$SBIN/mailhop" send "$@" bob@example.net 2>&1)
	echo "$?|$o"
}

# The attacker moves first: nothing of theirs can take the victim's name.
as_user "$mallory" mkdir "$R/$victim" 2>/dev/null
is "$?:$(ls "$R")" "1:" "another user cannot create a directory in the root"
as_user "$mallory" mkdir -p "$SYS/home/$mallory/trap"
as_user "$mallory" ln -s "$SYS/home/$mallory/trap" "$R/$victim" 2>/dev/null
is "$?:$(ls "$R")" "1:" "nor put a symbolic link there"
o=$(as_user "$mallory" "$SBIN/mailhop-deliver" mkspool --name "$victim" 2>&1)
is "$?|$o" "77|mailhop: mkspool: \"$victim\" is not your user name or uid" \
    "nor make the set-id helper create the victim's directory"
vuid=$(id -u "$victim")
o=$(as_user "$mallory" "$SBIN/mailhop-deliver" mkspool --name "$vuid" 2>&1)
is "$?" 77 "nor the victim's uid"
o=$(as_user "$mallory" "$SBIN/mailhop-deliver" mkspool --name ../x 2>&1)
is "$?" 77 "nor a path"
mkdir -p "$SYS/home/$mallory/.config/mailhop"
printf '[queue]\ndir = %s/%s\n' "$R" "$victim" > "$SYS/home/$mallory/.config/mailhop/mailhop.conf"
chown -R "$mallory:" "$SYS/home/$mallory/.config"
o=$(send_as "$mallory")
is "$o" "73|mailhop: cannot create spool directory $R/$victim: the set-id helper could not: mkspool: \"$victim\" is not your user name or uid" \
    "a config that points at the victim's name gets nothing made (73)"
is "$(ls "$R")" "" "the root is still empty"
rm -rf "$SYS/home/$mallory/.config"

# The victim's first message: the helper makes the directory, exit 0.
o=$(send_as "$victim")
is "$o" "0|" "the victim's first message queues, exit 0, nothing on stderr"
is "$(stat -c '%U %a' "$R/$victim")" "$victim 700" "its directory: the victim's, 0700"
is "$(stat -c '%G' "$R/$victim")" "$(id -gn "$victim")" "with the victim's own group, not $MH_GROUP"
is "$(spool_count "$R/$victim")" 1 "the message is in it"

# Once it exists, the attacker can neither replace nor reach it.
as_user "$mallory" mv "$R/$victim" "$R/x" 2>/dev/null
is "$?" 1 "another user cannot rename it (no write access to the root)"
as_user "$mallory" rm -rf "$R/$victim" 2>/dev/null
ok "$([ -d "$R/$victim" ]; echo $?)" "nor remove it"
as_user "$mallory" ls "$R/$victim" >/dev/null 2>&1
is "$?" 2 "nor list it"
as_user "$mallory" ls "$R" >/dev/null 2>&1
is "$?" 2 "nor list the root"
o=$(send_as "$victim")
is "$o" "0|" "the victim's second message queues"
is "$(spool_count "$R/$victim")" 2 "two entries"

# The attacker's own mail goes to their own directory.
o=$(send_as "$mallory")
is "$o" "0|" "the other user queues in their own directory"
is "$(stat -c '%U' "$R/$mallory")" "$mallory" "owned by them"
is "$(as_user "$victim" "$SBIN/mailhop" queue | grep -c '^[0-9A-Z]\{20\} ')" 2 \
    "each user's mailq shows only their own entries"
# A config of mallory's that names the victim's existing directory, or the
# root's .state (as root's flush --all makes it): refused (73), and never
# with advice to remove it.
mkdir -m 770 "$R/.state" && chgrp "$MH_GROUP" "$R/.state"
for d in "$victim" .state; do
	mkdir -p "$SYS/home/$mallory/.config/mailhop"
	printf '[queue]\ndir = %s/%s\n' "$R" "$d" > "$SYS/home/$mallory/.config/mailhop/mailhop.conf"
	chown -R "$mallory:" "$SYS/home/$mallory/.config"
	o=$(send_as "$mallory")
	is "$o" "73|mailhop: spool directory $R/$d: Permission denied" \
	    "mallory's [queue] dir = ROOT/$d: 73, and no advice to remove what is not hers"
done
rm -rf "$SYS/home/$mallory/.config"

# %U: the uid, for accounts whose name cannot be a directory name.
sys_conf "dir = $R/%U"
sed -i "/^dir = .*%u$/d" "$SYS/etc/mailhop.conf"
o=$(send_as "$numeric")
nuid=$(id -u "$numeric")
is "$o" "0|" "[queue] dir = ROOT/%U: queued"
is "$(stat -c '%U %a' "$R/$nuid")" "$numeric 700" "in ROOT/UID, the user's, 0700"

# A %-escape that is not %u, %U or %%: a configuration error.
sys_conf "dir = $R/%x"
sed -i "/^dir = .*%u$/d" "$SYS/etc/mailhop.conf"
o=$(send_as "$numeric")
like "$o" '^78\|mailhop: \[queue\] dir ".*/%x": unknown %x \(use %u for the user name, %U for the uid, %% for a %\)$' \
    "[queue] dir with %x: 78 naming it"

# Without the helper's bit nothing can be made: a clear error, not a hang.
sys_conf
chmod 0755 "$SBIN/mailhop-deliver"
setid_user late
o=$(send_as "$late")
is "$o" "73|mailhop: cannot create spool directory $R/$late: the set-id helper could not: $R/$late: permission denied: mailhop-deliver is not set-id to the group $MH_GROUP (make install sets it up)" \
    "helper not set-id: 73 in one line, saying what is missing"

# A root upgraded from 1733, where another user made a directory first: the
# owner is told that root must remove it, root's flush --all (the timer)
# names it, and once root has removed it the owner's mail queues again.
chmod 2755 "$SBIN/mailhop-deliver"
setid_user old
chmod 1733 "$R"
as_user "$mallory" mkdir -m 700 "$R/$old"
# (a link whose name is no account's is nobody's spool: not reported)
as_user "$mallory" ln -s "$SYS/home/$mallory" "$R/$nuid-link"
chmod 1731 "$R"
o=$(send_as "$old")
is "$o" "73|mailhop: spool directory $R/$old: Permission denied; another user made it there first (before the spool root was 1731): root must remove it (rm -r $R/$old), then mailhop makes yours" \
    "a directory another user made under 1733: 73, saying what root must do"
o=$("$SBIN/mailhop" flush --all 2>&1)
is "$?" 75 "root's flush --all: 75 while a user's directory is blocked"
like "$o" "^mailhop: $R/$old is owned by $mallory, not $old: $old's mail cannot be queued until root removes it \(rm -r $R/$old\)$" \
    "and it names the directory, its owner and the fix"
"$SBIN/mailhop" queue >/dev/null 2>"$TESTDIR/mailq.err"
is "$?|$(cat "$TESTDIR/mailq.err")" "0|mailhop: $R/$old is owned by $mallory, not $old: $old's mail cannot be queued until root removes it (rm -r $R/$old)" \
    "root's mailq says the same on stderr (exit 0)"
rm -rf "$R/$old"
# (mallory cannot make it under 1731; as under 1733:)
ln -s "$SYS/home/$mallory" "$R/$old"
o=$(send_as "$old")
like "$o" "^73\|mailhop: spool directory $R/$old is a symbolic link; another user made it there first .*\(rm -r $R/$old\)" \
    "a link in its place: the same advice"
like "$("$SBIN/mailhop" flush --all 2>&1)" "^mailhop: $R/$old is a symbolic link: $old's mail cannot be queued until root removes it \(rm -r $R/$old\)$" "root's flush --all names the link"
rm -f "$R/$old"
o=$(send_as "$old")
is "$o|$(stat -c '%U %a' "$R/$old")" "0||$old 700" "removed by root: the user's mail queues, in a directory of their own"
"$SBIN/mailhop" flush --all >/dev/null 2>&1
is "$?" 0 "and root's flush --all is clean again"
