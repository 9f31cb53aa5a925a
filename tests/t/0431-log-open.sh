#!/bin/bash
# log.c (issue 9, #7; SPEC 6): the [log] file is opened without following a
# link and without blocking, and used only when it is a regular file, FIFO
# or character device owned by the caller or root.  A FIFO nobody reads, a
# link, a directory or a file planted by another user is refused with a
# warning on stderr, and delivery goes on.
. "$TESTLIB/tap.sh"
plan 16

start_smtpd
logged_flush() {	# LOGFILE: queue one message, flush with that log
    mh_conf "[log]
syslog = no
file = $1"
    printf 'Subject: log\n\nx\n' | mh sendmail -f alice@example.org bob@example.net
    timeout 20 "$MAILHOP_BIN" flush 2>flush.err
}

# A FIFO that no one reads: before, every flusher hung in open(2).
mkfifo "$TESTDIR/fifo.log"
logged_flush "$TESTDIR/fifo.log"
is "$?" 0 "a FIFO with no reader: the flush does not hang, and delivers"
like "$(cat flush.err)" "^mailhop: log file $TESTDIR/fifo\.log: a FIFO that no one reads; not used$" \
    "it warns on stderr, naming the file"
is "$(spool_count)" 0 "the message went out"

# A FIFO with a reader gets the lines (containers log this way).
# (Opened read-write, so that the reader is there before the flush starts.)
exec 3<> "$TESTDIR/fifo.log"
logged_flush "$TESTDIR/fifo.log"
is "$?" 0 "a FIFO with a reader: delivered"
read -r -t 10 -u 3 line
like "$line" "to=<bob@example\.net>.*status=sent" "the reader got the log line"
exec 3>&-
is "$(cat flush.err)" "" "no warning"

# A symbolic link is not followed, even to our own file.
: > "$TESTDIR/real.log"
ln -s "$TESTDIR/real.log" "$TESTDIR/link.log"
logged_flush "$TESTDIR/link.log"
is "$?" 0 "a symbolic link: delivered anyway"
like "$(cat flush.err)" "log file $TESTDIR/link\.log: is a symbolic link; not used" "warned"
is "$(stat -c %s "$TESTDIR/real.log")" 0 "the link's target was not written"

# A directory.
mkdir "$TESTDIR/dir.log"
logged_flush "$TESTDIR/dir.log"
like "$(cat flush.err)" "log file $TESTDIR/dir\.log: " "a directory: warned"

# A character device owned by root is fine.
logged_flush /dev/null
is "$(cat flush.err)" "" "/dev/null (root's character device): no warning"

# A file owned by someone else: lines from another user's flush must not
# land in it.  Only root can make one here.
if [ "$(id -u)" = 0 ]; then
    other=65534
    : > "$TESTDIR/planted.log"
    chown "$other" "$TESTDIR/planted.log"
    chmod 666 "$TESTDIR/planted.log"
    logged_flush "$TESTDIR/planted.log"
    is "$?" 0 "a file owned by another user: delivered anyway"
    like "$(cat flush.err)" "log file $TESTDIR/planted\.log: owned by uid $other, not by you or root; not used" \
        "warned, naming the owner"
    is "$(stat -c %s "$TESTDIR/planted.log")" 0 "nothing was written to it"
else
    skip "not root: cannot make a file owned by another user"
    skip "not root"
    skip "not root"
fi

# -odi too: the warning reaches the caller, the FIFO does not stop it.
mh_conf "[log]
syslog = no
file = $TESTDIR/fifo.log"
printf 'Subject: odi\n\nx\n' | timeout 20 "$MAILHOP_BIN" send -odi -f alice@example.org bob@example.net 2>odi.err
is "$?" 0 "-odi with a FIFO nobody reads: delivered, no hang"
like "$(cat odi.err)" "log file .*fifo\.log: a FIFO that no one reads" "and warned"
