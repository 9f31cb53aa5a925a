#!/bin/bash
# spool.c, fsio.c: the spool is created 0700 where SPEC §5 says ([queue]
# dir, $XDG_STATE_HOME/mailhop, ~/.local/state/mailhop), and a spool that
# is group/world accessible, a symbolic link or someone else's is refused
# with 73 and a line naming it; nothing is queued there.
. "$TESTLIB/tap.sh"
plan 24

msg() { printf 'Subject: loc\n\nbody\n'; }
mode() { stat -c %a "$1"; }
count_e() { find "$1" -name '*.e' ! -name '.*' 2>/dev/null | wc -l; }

# 1. $XDG_STATE_HOME/mailhop
msg | mh sendmail -odq bob@example.com
is "$?" 0 "queued with XDG_STATE_HOME set"
is "$(mode "$XDG_STATE_HOME/mailhop")" 700 "spool created 0700 under XDG_STATE_HOME"
is "$(count_e "$XDG_STATE_HOME/mailhop")" 1 "the entry is there"

# 2. no XDG_STATE_HOME: ~/.local/state/mailhop (parents created too)
(unset XDG_STATE_HOME; msg | mh sendmail -odq bob@example.com)
is "$?" 0 "queued without XDG_STATE_HOME"
is "$(mode "$HOME/.local/state/mailhop")" 700 "spool created 0700 in ~/.local/state"
is "$(count_e "$HOME/.local/state/mailhop")" 1 "the entry is there"

# 3. [queue] dir wins over both
cat >"$TESTDIR/dir.conf" <<CONF
[upstream]
host = 127.0.0.1
port = 9
[queue]
dir = $TESTDIR/custom/q
CONF
chmod 600 "$TESTDIR/dir.conf"
msg | MAILHOP_CONFIG=$TESTDIR/dir.conf mh sendmail -odq bob@example.com
is "$?" 0 "queued with [queue] dir"
is "$(mode "$TESTDIR/custom/q")" 700 "[queue] dir created 0700"
is "$(count_e "$TESTDIR/custom/q")" 1 "the entry is in [queue] dir"
is "$(count_e "$XDG_STATE_HOME/mailhop")" 1 "and not in the XDG spool"

# unsafe spools, one kind each: 73, the path named, nothing queued
export XDG_STATE_HOME=$TESTDIR/unsafe
mkdir -p "$XDG_STATE_HOME"
sp=$XDG_STATE_HOME/mailhop

mkdir -m 0755 "$sp"
err=$(msg | mh sendmail -odq bob@example.com 2>&1)
is "$?" 73 "a 0755 spool: exit 73"
like "$err" "^mailhop: spool directory $sp is accessible by group or others \(mode 0755\)$" \
    "one line naming the spool and its mode"
is "$(count_e "$sp")" 0 "nothing queued in the 0755 spool"
out=$(mh mailq 2>&1)
is "$?" 73 "mailq refuses it too"
rmdir "$sp"

mkdir -m 0700 "$TESTDIR/elsewhere"
ln -s "$TESTDIR/elsewhere" "$sp"
err=$(msg | mh sendmail -odq bob@example.com 2>&1)
is "$?" 73 "a symlinked spool: exit 73"
like "$err" "^mailhop: spool directory $sp is a symbolic link$" "one line naming it"
is "$(count_e "$TESTDIR/elsewhere")" 0 "nothing queued through the link"
rm "$sp"

if [ "$(id -u)" = 0 ]; then
    mkdir -m 0700 "$sp"
    chown nobody "$sp"
    err=$(msg | mh sendmail -odq bob@example.com 2>&1)
    is "$?" 73 "a spool owned by nobody: exit 73"
    like "$err" "^mailhop: spool directory $sp is owned by uid [0-9]+, not 0$" \
        "one line naming it and the owner"
    is "$(count_e "$sp")" 0 "nothing queued in the foreign spool"
    rmdir "$sp"
else
    skip "foreign owner needs root"; skip "foreign owner needs root"
    skip "foreign owner needs root"
fi

printf 'not a directory\n' >"$sp"
err=$(msg | mh sendmail -odq bob@example.com 2>&1)
is "$?" 73 "a file where the spool should be: exit 73"
like "$err" "^mailhop: .*$sp" "the path is named"
rm "$sp"

# and once fixed, it works (and the directory made is 0700)
msg | mh sendmail -odq bob@example.com
is "$?" 0 "queued once the spool is sane"
is "$(mode "$sp")" 700 "created 0700"
