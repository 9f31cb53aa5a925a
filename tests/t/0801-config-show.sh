#!/bin/bash
# tests/t/0801-config-show.sh: conf.c.  `mailhop config` prints the
# effective configuration, every key, secrets masked, from -C FILE,
# MAILHOP_CONFIG or the XDG user file, and names the files it read; each
# value is followed by where it was set ("; FILE:LINE" or "; default").
. "$TESTLIB/tap.sh"
plan 31

conf="$TESTDIR/a.conf"
cat > "$conf" <<'INI'
; a comment line
[upstream]
host = smtp.example.com  ; inline comment
user = alice
password = pw-Do-Not-Show-1
password_command =
[sender]
from = alice@example.com
bounce_sender = <>
[aliases]
Root = admin@example.com,
    ops@example.com
[queue]
retry = 30s..2h
max_size = 10M
INI
chmod 600 "$conf"

out=$(mh mailhop -C "$conf" config 2>&1)
is "$?" 0 "config exits 0"
unlike "$out" "pw-Do-Not-Show-1" "the password never appears"
like "$out" "^password = \\*{8}  ; $conf:5\$" "the password is shown as ********"
like "$out" "^# files read: $conf\$" "the file read is named"
like "$out" "^host = smtp\\.example\\.com  ; $conf:3\$" "inline comment stripped"
like "$out" '^port = 587  ; default$' "port defaults from tls = starttls"
like "$out" "^retry = 30s\\.\\.2h  ; $conf:14\$" "retry as written"
like "$out" '^max_size = 10M  ; ' "size as written"
like "$out" "^bounce_sender = <>  ; $conf:9\$" "null bounce sender"
like "$out" "^root = admin@example\\.com, ops@example\\.com  ; $conf:11\$" \
    "alias name lower-cased, continuation line joined"
like "$out" '^max_header_size = 1M  ; default$' "unset keys show their default"
is "$(printf '%s\n' "$out" | grep -Ec '^[a-z_]+ =')" 48 \
    "every key is printed (30 upstream keys + 17 others + 1 alias)"
like "$(printf '%s\n' "$out" | grep -B1 '^password_command =')" \
    "^; set empty by $conf:6\$" "a key emptied by a file says so"

out2=$(MAILHOP_CONFIG="$conf" mh mailhop config 2>&1)
is "$out2" "$out" "MAILHOP_CONFIG=FILE is the same as -C FILE"

# A config that can run commands: printing it runs none of them.
printf '[upstream]\npassword_command = touch %s/ran; echo x\n' "$TESTDIR" \
    > "$TESTDIR/cmd.conf"
out=$(mh mailhop -C "$TESTDIR/cmd.conf" config)
like "$out" "^password_command = touch $TESTDIR/ran; echo x  ; " \
    "commands are shown (they are not secrets)"
[ ! -e "$TESTDIR/ran" ]
ok $? "and not run"

# The user file: $XDG_CONFIG_HOME/mailhop/mailhop.conf
mkdir -p "$XDG_CONFIG_HOME/mailhop"
printf '[upstream]\nhost = user.example\n[queue]\ndir = ~/spool\n' \
    > "$XDG_CONFIG_HOME/mailhop/mailhop.conf"
out=$(mh mailhop config 2>&1)
is "$?" 0 "the user file is read without -C"
like "$out" "^host = user\\.example  ; $XDG_CONFIG_HOME/mailhop/mailhop.conf:2\$" \
    "its values are used, with their origin"
like "$out" "^dir = $HOME/spool  ; " "~/ is expanded from HOME"
like "$out" "^# files read:.* $XDG_CONFIG_HOME/mailhop/mailhop.conf\$" \
    "and it is named"
out=$(mh mailhop -C "$conf" config 2>&1)
unlike "$out" 'user\.example' "-C replaces the user file"

# Without XDG_CONFIG_HOME: ~/.config/mailhop/mailhop.conf
mkdir -p "$HOME/.config/mailhop"
printf '[upstream]\nhost = home.example\n' > "$HOME/.config/mailhop/mailhop.conf"
out=$(unset XDG_CONFIG_HOME; mh mailhop config 2>&1)
like "$out" '^host = home\.example  ; ' "~/.config/mailhop/mailhop.conf"

# A symlinked -C file is fine: its target is what is checked.
ln -s "$conf" "$TESTDIR/link.conf"
out=$(mh mailhop -C "$TESTDIR/link.conf" config 2>&1)
like "$out" '^host = smtp\.example\.com  ; ' "a -C symlink to a good file works"

# The man page documents every key that `mailhop config` prints, and the
# shipped example is a valid configuration.
keys=$(mh mailhop -C "$conf" config | sed -n 's/^\([a-z_]*\) =.*/\1/p' | grep -vx root)
missing=
for k in $keys; do
    grep -Eq "^\.It Ic $k( |\$)|, Ic $k " "$TESTSRC/../doc/mailhop.conf.5" || missing="$missing $k"
done
is "$missing" "" "mailhop.conf(5) documents every key"
cp "$TESTSRC/../contrib/mailhop.conf.example" "$TESTDIR/example.conf"
out=$(mh mailhop -C "$TESTDIR/example.conf" config 2>&1)
is "$?" 0 "contrib/mailhop.conf.example loads"
like "$out" '^password_command = pass show mail/example\.com  ; ' "and says what it seems to"

# issue 12: the spool directory as it is found, not "dir =", and where
# delivery lines go ([log] file adds to syslog, as mailhop.conf(5) says).
out=$(mh mailhop -C "$conf" config 2>&1)
like "$out" "^dir = $XDG_STATE_HOME/mailhop  ; default: \\\$XDG_STATE_HOME/mailhop\$" \
    "unset dir: the resolved spool directory, and how it was found"
like "$out" '^; delivery lines go to (syslog \(facility mail, ident mailhop\)|nowhere: syslog is on, but nothing listens on /dev/log here)' \
    "syslog by default (or why not, when nothing listens on /dev/log)"
printf '[queue]\ndir = %s/sp/%%u\n[log]\nfile = %s/mail.log\n' "$TESTDIR" "$TESTDIR" >"$TESTDIR/d.conf"
chmod 600 "$TESTDIR/d.conf"
out=$(mh mailhop -C "$TESTDIR/d.conf" config 2>&1)
is "$(printf '%s\n' "$out" | grep -A1 '^dir = ')" "dir = $TESTDIR/sp/%u  ; $TESTDIR/d.conf:2
; that is $TESTDIR/sp/$(id -un)" "dir with %u: as written, then the directory it names"
like "$out" "^; delivery lines go to (syslog \\(facility mail, ident mailhop\\) and $TESTDIR/mail\\.log|$TESTDIR/mail\\.log \\(syslog is on, but nothing listens on /dev/log here\\))\$" \
    "[log] file adds to syslog"
printf '[log]\nsyslog = no\nfile = -\n' >"$TESTDIR/l.conf"
chmod 600 "$TESTDIR/l.conf"
out=$(mh mailhop -C "$TESTDIR/l.conf" config 2>&1)
like "$out" '^; delivery lines go to the standard error of the process that delivers$' \
    "syslog = no and file = -: stderr only"
