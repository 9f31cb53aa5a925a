#!/bin/bash
# tests/t/0802-config-errors.sh: conf.c.  Configuration errors: exit 78 and
# one line naming file, line and key (`mailhop config` reports a mistake in
# a delivery-only section too); 66 for a missing -C file; 64 for a
# -C or MAILHOP_CONFIG file owned by someone else; a secret in a file that
# others can read is refused; nothing is queued on any of these.
. "$TESTLIB/tap.sh"
plan 29

# run ARGS...: $out (stdout), $err (stderr), $st
run() {
    out=$(mh "$@" 2>"$TESTDIR/stderr" </dev/null)
    st=$?
    err=$(cat "$TESTDIR/stderr")
}

f="$TESTDIR/typo.conf"
printf '[upstream]\nhost = smtp.example.com\nhots = smtp.example.com\n' > "$f"
run mailhop -C "$f" config
is "$st" 78 "unknown key: exit 78"
is "$err" "mailhop: $f:3: unknown key \"hots\" in [upstream]" \
    "one line naming file, line and key"
is "$out" "" "nothing on stdout"

printf '[upstream]\nport = 587\n\n[queue]\nmax_size = 12X\n' > "$f"
run mailhop -C "$f" config
is "$st" 78 "bad value: exit 78"
is "$err" "mailhop: $f:5: bad value \"12X\" for \"max_size\" in [queue]: expected a size (a number with K, M or G)" \
    "names the value, the key and what was expected"

# issue 12: a port written into host is refused when the file is read
# (it used to pass, then fail at delivery as "URL using bad/illegal
# format"), naming the port key; sendmail still queues (delivery-only).
printf '[upstream]\nhost = smtp.example.com:5587\n' > "$f"
run mailhop -C "$f" config
is "$st $err" "78 mailhop: $f:2: bad value \"smtp.example.com:5587\" for \"host\" in [upstream]: expected a host name without a port (the port is a key of its own: port = 5587)" \
    "host = name:port: exit 78, pointing at the port key"
run mailhop -C "$f" test
is "$st" 78 "mailhop test: exit 78 too, before connecting"
printf 'Subject: hp\n\nx\n' | XDG_STATE_HOME=$TESTDIR/hp mh sendmail -C "$f" -odq bob@example.net
is "$?" 0 "sendmail still queues"

printf '[upstream]\nhost = a\n[upstream]\nhost = b\n' > "$f"
run mailhop -C "$f" config
is "$err" "mailhop: $f:4: duplicate key \"host\" in [upstream] (first set on line 2)" \
    "duplicate key: exit $st"

printf '[upstream]\nhost = x\n[smtp]\n' > "$f"
run mailhop -C "$f" config
is "$err" "mailhop: $f:3: unknown section [smtp]" "unknown section: exit $st"

{ printf '[upstream]\npassword_command = echo '; head -c 300 /dev/zero | tr '\0' x; echo; } > "$f"
run mailhop -C "$f" config
is "$st" 78 "a line over inih's limit: exit 78"
is "$err" "mailhop: $f:2: line longer than 197 bytes (for a longer value see mailhop.conf(5))" \
    "refused, not silently cut"

run mailhop -C "$TESTDIR/none.conf" config
is "$st" 66 "missing -C file: exit 66"
is "$err" "mailhop: $TESTDIR/none.conf: No such file or directory" "named"
MAILHOP_CONFIG="$TESTDIR/none.conf" run mailhop config
is "$st" 66 "missing MAILHOP_CONFIG file: exit 66"

# Secrets: the file holding them must be private.
printf '[upstream]\nhost = x\npassword = pw-Do-Not-Show-2\n' > "$f"
chmod 644 "$f"
run mailhop -C "$f" config
is "$st" 78 "password in a world-readable file: exit 78"
is "$err" "mailhop: $f:3: a secret is set in a file that group or others can read (chmod 600 $f)" \
    "names the file, line and the fix"
unlike "$out$err" "pw-Do-Not-Show-2" "without showing the password"
chmod 600 "$f"
run mailhop -C "$f" config
is "$st" 0 "chmod 600: accepted"

printf '[upstream]\nhost = x\n' > "$f"
chmod 666 "$f"
run mailhop -C "$f" config
is "$err" "mailhop: -C $f: refused: writable by group or others (chmod go-w $f)" "world-writable: exit $st"
chmod 644 "$f"

# -C / MAILHOP_CONFIG owned by another user: 64 (it could run commands).
if [ "$(id -u)" = 0 ]; then
    cp "$f" "$TESTDIR/other.conf"
    chown 65534:65534 "$TESTDIR/other.conf"
    run mailhop -C "$TESTDIR/other.conf" config
    is "$st" 64 "-C file owned by nobody: exit 64"
    is "$err" "mailhop: -C $TESTDIR/other.conf: refused: owned by uid 65534, not by you or root" "named"
    MAILHOP_CONFIG="$TESTDIR/other.conf" run mailhop config
    is "$st" 64 "MAILHOP_CONFIG file owned by nobody: exit 64"
    is "$err" "mailhop: MAILHOP_CONFIG=$TESTDIR/other.conf: refused: owned by uid 65534, not by you or root" "named"
else
    for i in 1 2 3 4; do skip "not root: cannot give a file to another user"; done
fi

# A set-user-id caller may not pick the file at all.
if [ "$(id -u)" = 0 ] && ! findmnt -no OPTIONS -T "$TESTDIR" | grep -qw nosuid; then
    cp "$MAILHOP_BIN" "$TESTDIR/suid-mailhop"
    chown 65534 "$TESTDIR/suid-mailhop"
    chmod 4755 "$TESTDIR/suid-mailhop"
    chmod 755 "$TESTDIR"
    out=$("$TESTDIR/suid-mailhop" -C "$f" config 2>&1)
    is "$?" 64 "real and effective uid differ: exit 64"
    is "$out" "mailhop: -C $f: refused: real and effective user or group differ" "named"
    chmod 700 "$TESTDIR"
else
    for i in 1 2; do skip "needs root and a suid-capable file system"; done
fi

# The sendmail front end: a bad configuration queues nothing (a mistake
# in a delivery-only section does not stop queueing: 0804).
printf '[queue]\nhots = x\n' > "$f"
printf 'Subject: x\n\nhello\n' | mh sendmail -C "$f" -i bob@example.com 2>"$TESTDIR/stderr"
is "$?" 78 "sendmail -C with a bad file: exit 78"
is "$(spool_count)" 0 "nothing queued"
# The user file is checked the same way.
mkdir -p "$XDG_CONFIG_HOME/mailhop"
printf '[queue]\nretry = 1h..1m\n' > "$XDG_CONFIG_HOME/mailhop/mailhop.conf"
run mailq
is "$err" "mailhop: $XDG_CONFIG_HOME/mailhop/mailhop.conf:2: bad value \"1h..1m\" for \"retry\" in [queue]: expected FIRST..CAP, two durations with FIRST <= CAP <= 30d (e.g. 1m..1h)" \
    "mailq with a bad user file: exit $st, names it"
