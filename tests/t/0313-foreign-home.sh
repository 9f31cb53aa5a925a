#!/bin/bash
# tests/t/0313-foreign-home.sh: conf.c (conf_home, conf_own_dir),
# conf_file.c, spool.c.  Real callers run with another account's HOME
# (`sudo -u www-data` keeps HOME=/root; a daemon started from root's shell)
# or with no HOME at all (cron: PATH only).  A HOME, XDG_CONFIG_HOME or
# XDG_STATE_HOME that is not the caller's is passed over: its
# configuration file never stops the caller's mail (it used to be exit 78,
# "/root/.config/mailhop/mailhop.conf: Permission denied"), and the
# caller's own home (passwd) or the system spool is used instead.
. "$TESTLIB/tap.sh"
. "$TESTLIB/setid.sh"
setid_or_skip 12

start_smtpd || bail "no smtpd"
setid_setup
setid_user ann
setid_user bob
sys_conf
sys_secret
R=$SYS/var/spool/mailhop

# root's home: 0700, with a configuration of root's.
RH=$TESTDIR/roothome
mkdir -p -m 700 "$RH/.config/mailhop"
printf '[sender]\ndomain = root.example\n' > "$RH/.config/mailhop/mailhop.conf"
chmod 600 "$RH/.config/mailhop/mailhop.conf"
# bob's home, readable, with a configuration that is bob's (and broken).
chmod 755 "$SYS/home/$bob"
mkdir -p "$SYS/home/$bob/.config/mailhop"
printf '[sender]\nnot a line\n' > "$SYS/home/$bob/.config/mailhop/mailhop.conf"
chmod 644 "$SYS/home/$bob/.config/mailhop/mailhop.conf"
chown -R "$bob:" "$SYS/home/$bob/.config"

send_as() {	# send_as USER [VAR=VALUE...]: status|stderr
	local u=$1 o
	shift
	o=$(printf 'Subject: h\n\nx\n' | as_user "$u" "$@" "$SBIN/mailhop" send -f "$u@example.org" carol@example.net 2>&1)
	echo "$?|$o"
}

is "$(send_as "$ann" HOME="$RH")" "0|" "HOME of root (0700): queued, exit 0"
is "$(send_as "$ann" HOME="$SYS/home/$bob")" "0|" "HOME of another user with a broken file of theirs: queued"
is "$(send_as "$ann" XDG_CONFIG_HOME="$SYS/home/$bob/.config")" "0|" \
    "XDG_CONFIG_HOME of another user: passed over too"
is "$(send_as "$ann" env -u HOME -u USER -u LOGNAME)" "0|" "no HOME, USER or LOGNAME (cron): queued"
is "$(spool_count "$R/$ann")" 4 "all four in ann's spool"
o=$(as_user "$ann" HOME="$RH" "$SBIN/mailhop" flush 2>&1)
is "$?|$(transcript count)" "0|4" "the helper with root's HOME delivers them" || diag "$o"

# Without [queue] dir the spool follows the home: the caller's, not root's.
sys_conf
sed -i '/^dir = /d' "$SYS/etc/mailhop.conf"
is "$(send_as "$ann" HOME="$RH")" "0|" "no [queue] dir, HOME of root: queued"
ok "$([ ! -e "$RH/.local" ]; echo $?)" "nothing was made in root's home"
is "$(spool_count "$SYS/home/$ann/.local/state/mailhop")" 1 "the message is in ann's own home's spool"
is "$(send_as "$ann" XDG_STATE_HOME="$SYS/home/$bob/state")" "0|" "XDG_STATE_HOME in another user's home: passed over"
ok "$([ ! -e "$SYS/home/$bob/state" ]; echo $?)" "nothing was made in bob's home"

# ann's own file in her own home still counts (the control).
mkdir -p "$SYS/home/$ann/.config/mailhop"
printf '[sender]\nnot a line\n' > "$SYS/home/$ann/.config/mailhop/mailhop.conf"
chmod 600 "$SYS/home/$ann/.config/mailhop/mailhop.conf"
chown -R "$ann:" "$SYS/home/$ann/.config"
like "$(send_as "$ann")" "^78\|mailhop: $SYS/home/$ann/.config/mailhop/mailhop.conf:2: " \
    "ann's own broken file is still an error (78)"
