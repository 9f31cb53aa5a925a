#!/bin/bash
# tests/t/0314-system-secret.sh: conf_file.c, secret.c, secret_file.c.
# SPEC 8, issue 8: where the one smarthost secret of a multi-user machine
# goes, told by the messages a new user meets on the way.  A password in
# the world-readable system file is refused with advice that keeps the file
# readable (chmod 600 there stops everyone's mail but root's); a system
# file made unreadable anyway is exit 78 saying to keep it readable and use
# a password_file; a root-only password_file leaves each user's entry
# queued with the attempt counted and a last reply that says what the
# set-id helper needs (chgrp mailhop, chmod 640); a secret file owned by
# someone else names the chown.
. "$TESTLIB/tap.sh"
. "$TESTLIB/setid.sh"
setid_or_skip 19

start_smtpd || bail "no smtpd"
setid_setup
setid_user u
setid_user other
H=$SYS/home/$u
C=$SYS/etc/mailhop.conf
S=$SYS/etc/mailhop/secret
sys_secret
ln -s mailhop "$SBIN/sendmail"

send_as() {	# send_as USER: status|stderr
	local o
	o=$(printf 'Subject: s\n\nhi\n' | as_user "$1" "$SBIN/sendmail" -f "$1@example.org" bob@example.net 2>&1)
	echo "$?|$o"
}
rcpt() {	# rcpt FIELD: that field of the user's last entry's first recipient
	as_user "$u" "$SBIN/mailhop" queue --json | "$PYTHON" -c '
import json, sys
last = None
for l in sys.stdin:
    last = json.loads(l)
f = sys.argv[1]
print("" if last is None else last[f] if f == "id" else last["recipients"][0][f])' "$1"
}

# 1. The password written into /etc/mailhop.conf, which is 0644.
sys_conf
sed -i "s|^password_file = .*|password = pw-In-The-System-File|" "$C"
o=$(send_as "$u")
is "${o%%|*}" 78 "a password in the world-readable system file: 78"
line=$(grep -n '^password = ' "$C" | cut -d: -f1)
is "${o#*|}" "mailhop: $C:$line: a secret is set in the system configuration, which every user must read: move it to a password_file such as $SYS/etc/mailhop/secret (chown root:$MH_GROUP, chmod 640) and keep $C readable by all (see mailhop.conf(5))" \
    "the advice moves the secret out, it does not say chmod 600"
unlike "$o" "chmod 600|pw-In-The-System-File" "neither chmod 600 nor the password"
o=$("$SBIN/mailhop" config 2>&1)
like "$o" "a secret is set in the system configuration" "root is told the same"

# 2. chmod 600 anyway (what the old message said): root still reads it, a
# user gets 78 saying what to do instead.
chmod 600 "$C"
o=$(send_as "$u")
is "$o" "78|mailhop: $C: you cannot read it: keep the system configuration readable by all (chmod 644 $C) and put the secret in a password_file that only root and the group $MH_GROUP can read (see mailhop.conf(5))" \
    "a system file the user cannot read: 78, keep it readable, use a password_file"
o=$(send_as root)
is "${o%%|*}" 0 "root, who can read it, still queues"
"$SBIN/mailhop" delete $(ls "$SYS/var/spool/mailhop/root" | sed -n 's/\.e$//p') >/dev/null

# 3. The secret moved to a root-only password_file (0600 root:root).
sys_conf
chown root:root "$S"; chmod 600 "$S"
o=$(send_as "$u")
is "$o" "0|" "with a root-only password_file a user's mail queues (exit 0)"
as_user "$u" "$SBIN/mailhop" flush >/dev/null 2>"$TESTDIR/flush.err"
is "$?" 75 "the user's flush defers (75)"
want="password_file $S: Permission denied: the set-id helper reads it with the group $MH_GROUP only (chgrp $MH_GROUP $S, and chmod 640 $S)"
is "$(rcpt last_reply)" "$want" "the last reply says what the helper needs"
is "$(rcpt attempts)" 1 "the attempt is counted"
like "$(as_user "$u" "$SBIN/mailhop" queue)" "chgrp $MH_GROUP $S" "the user's mailq shows it"
like "$("$SBIN/mailhop" queue)" "chgrp $MH_GROUP $S" "so does root's"
is "$(transcript connections)" 0 "nothing connected"
chgrp "$MH_GROUP" "$S"; chmod 640 "$S"
# Owned by another user: for the system's secret only chown root is the
# fix (a chown to the caller would lock every other user out).
chown "$other" "$S"
as_user "$u" "$SBIN/sendmail" -q >/dev/null 2>&1
is "$(rcpt last_reply)" "password_file $S: owned by uid $(id -u "$other"), not root: the system's secret serves every user (chown root $S)" \
    "the system's secret owned by another user: only chown root is offered"
chown root "$S"
as_user "$u" "$SBIN/sendmail" -q >/dev/null 2>&1
is "$?:$(transcript auth)" "0:alice" "chgrp, chmod 640 and chown root as said: the entry goes out, authenticated"

# The secret as the Debian package ships it: empty.
: > "$S"
send_as "$u" >/dev/null
as_user "$u" "$SBIN/mailhop" flush >/dev/null 2>&1
is "$(rcpt last_reply)" "password_file $S: the file is empty: the password goes on its first line (see FILES in mailhop(8))" \
    "an empty secret file: the last reply says where the password goes"
sys_secret
as_user "$u" "$SBIN/sendmail" -q >/dev/null 2>&1

# 4. The group may read it but the caller is not let through the helper:
# a file of the user's own that names the system's secret.
mkdir -p "$H/.config/mailhop"
printf '[upstream.mine]\nhost = 127.0.0.1\nport = %s\ntls = starttls\nca_file = %s\nuser = alice\npassword_file = %s\n[route]\n* = mine\n' \
    "$SMTPD_PORT" "$TESTDIR/ca/ca.pem" "$S" > "$H/.config/mailhop/mailhop.conf"
chmod 600 "$H/.config/mailhop/mailhop.conf"
chown -R "$u:" "$H/.config"
send_as "$u" >/dev/null
as_user "$u" "$SBIN/mailhop" flush >/dev/null 2>&1
is "$(rcpt last_reply)" "password_file $S: Permission denied: only the set-id helper reads it (group $MH_GROUP), and only for the upstream that $C defines" \
    "the user's own upstream naming the system secret: refused, and why"
as_user "$u" "$SBIN/mailhop" delete "$(rcpt id)" >/dev/null

# 5. A secret file that belongs to another user.
printf 'secret-pw-1\n' > "$H/theirs"
chown "$other:" "$H/theirs"; chmod 644 "$H/theirs"
sed -i "s|^password_file = .*|password_file = $H/theirs|" "$H/.config/mailhop/mailhop.conf"
send_as "$u" >/dev/null
as_user "$u" "$SBIN/mailhop" flush >/dev/null 2>&1
is "$(rcpt last_reply)" "password_file $H/theirs: owned by uid $(id -u "$other"), neither root nor you (chown root $H/theirs, or chown $u $H/theirs)" \
    "a user's secret file owned by another user: named, with both chowns"
chown "$u:" "$H/theirs"; chmod 600 "$H/theirs"
as_user "$u" "$SBIN/sendmail" -q >/dev/null 2>&1
is "$?:$(rcpt last_reply)" "0:" "chown to the user (and chmod 600): delivered"
