#!/bin/bash
# conf_file.c (issue 9, #5 and #6; SPEC 2 revision 2).
# #5: no configuration file that group or others can write is used,
#     whoever owns it (exit 78): a group-writable file would let the group
#     set password_command for everyone who reads it.
# #6: a file named by -C or MAILHOP_CONFIG may set a command key
#     (password_command, oauth_token_command) only when root owns it, else
#     exit 78 naming the key and the file: an argument smuggled into a web
#     application's sendmail call plus an upload must not run code.
# In every refused case the command never runs.  As root, the callers
# that must be refused run as an unprivileged user (65534).
. "$TESTLIB/tap.sh"
plan 18

marker=$TESTDIR/ran
cmd_line="password_command = touch $marker; echo pw"
ran() { [ -e "$marker" ] && echo ran || echo "did not run"; }

# --- #5: group- or world-writable files --------------------------------
mkdir -p "$XDG_CONFIG_HOME/mailhop"
user=$XDG_CONFIG_HOME/mailhop/mailhop.conf
printf '[upstream]\nhost = 127.0.0.1\nport = 9\nuser = u\n%s\n' "$cmd_line" > "$user"
chmod 664 "$user"
out=$(mh mailhop config 2>&1); st=$?
is "$st" 78 "a group-writable user file: exit 78"
is "$out" "mailhop: $user: refused: writable by group or others (chmod go-w $user)" \
    "one line naming the file and the fix"
out=$(printf 'Subject: x\n\nx\n' | mh sendmail -odq bob@example.net 2>&1); st=$?
is "$st:$(spool_count)" "78:0" "sendmail with it: 78, nothing queued"
mh mailhop flush >/dev/null 2>&1
is "$(ran)" "did not run" "its password_command never ran"
chmod 646 "$user"
mh mailhop config >/dev/null 2>&1
is "$?" 78 "world-writable: exit 78"
chmod 644 "$user"
rm -f "$user"

f=$TESTDIR/gw.conf
printf '[upstream]\nhost = 127.0.0.1\n' > "$f"
chmod 620 "$f"
out=$(mh mailhop -C "$f" config 2>&1); st=$?
is "$st" 78 "a group-writable -C file ($(stat -c %U "$f")'s): exit 78"
like "$out" "^mailhop: -C $f: refused: writable by group or others" "named"

# --- #6: command keys in a -C / MAILHOP_CONFIG file --------------------
u=$TESTDIR/u
unpriv_user "$u"
uid=$UNPRIV_UID
as_user=("${AS_UNPRIV[@]}" "$MAILHOP_BIN")
printf '[upstream]\nhost = 127.0.0.1\nport = 9\nuser = u\n%s\n' "$cmd_line" > "$u/upload.conf"
printf '[upstream]\nhost = 127.0.0.1\nport = 9\nuser = u\noauth_token_command = touch %s\n' \
    "$marker" > "$u/tok.conf"
printf '[upstream]\nhost = 127.0.0.1\nport = 9\nuser = u\npassword = pw\n' > "$u/pw.conf"
chmod 600 "$u"/*.conf
chown -R "$uid" "$u"

out=$("${as_user[@]}" -C "$u/upload.conf" config 2>&1); st=$?
is "$st" 78 "-C file owned by the caller with password_command: exit 78"
is "$out" "mailhop: $u/upload.conf:5: password_command refused: a file named by -C may set a command only when root owns it (this one is owned by uid $uid); set it in your own mailhop.conf instead" \
    "names the file, line and key"
out=$(printf 'Subject: x\n\nx\n' | "${as_user[@]}" send -C "$u/upload.conf" -odi bob@example.net 2>&1); st=$?
is "$st" 78 "sendmail -C with it: exit 78"
"${as_user[@]}" -C "$u/upload.conf" flush >/dev/null 2>&1
is "$?" 78 "flush -C with it: exit 78"
out=$(MAILHOP_CONFIG="$u/upload.conf" "${as_user[@]}" config 2>&1); st=$?
is "$st" 78 "MAILHOP_CONFIG: exit 78 too"
like "$out" "password_command refused: a file named by MAILHOP_CONFIG" "naming MAILHOP_CONFIG"
out=$("${as_user[@]}" -C "$u/tok.conf" config 2>&1); st=$?
like "$st:$out" "^78:mailhop: $u/tok\\.conf:5: oauth_token_command refused" \
    "oauth_token_command: the same"
is "$(ran)" "did not run" "no command ran"

# Controls: a -C file without a command is fine, and the same key in the
# caller's own configuration file is theirs to set.
"${as_user[@]}" -C "$u/pw.conf" config >/dev/null 2>&1
is "$?" 0 "-C file owned by the caller with a password but no command: accepted"
mkdir -p "$u/config/mailhop"
cp "$u/upload.conf" "$u/config/mailhop/mailhop.conf"
chown -R "$uid" "$u/config"
"${as_user[@]}" config >/dev/null 2>&1
is "$?" 0 "password_command in the caller's own mailhop.conf: accepted"
if [ "$(id -u)" = 0 ]; then
    cp "$u/upload.conf" "$TESTDIR/root.conf"
    chmod 644 "$TESTDIR/root.conf"
    "$MAILHOP_BIN" -C "$TESTDIR/root.conf" config >/dev/null 2>&1
    is "$?" 0 "-C file owned by root with password_command: accepted"
else
    skip "not root: cannot make a root-owned file"
fi
