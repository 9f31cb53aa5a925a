#!/bin/bash
# tests/t/1201-minimal-root.sh: SPEC 10, the minimal root file system (what
# contrib/docker's runtime stage holds, and a distroless image).  A root
# with only mailhop, mailhop-deliver, their shared libraries (from ldd) and
# the CA file: no shell, no passwd, no /var/spool.  It is mounted read-only
# in a private mount namespace with one writable spool directory and the
# secret bind-mounted in, and mailhop runs there under chroot as uid 4242,
# which has no passwd entry, configured from the environment alone.  A
# message queued with -odb and one delivered by `flush --watch` reach the
# test server (STARTTLS verified with the root's CA file, AUTH), and the
# log lines reach the watch process's stderr.  Root only.
. "$TESTLIB/tap.sh"
. "$TESTLIB/install.sh"
plan_root 21 "chroot and mounts"
U=4242

start_smtpd --tls starttls --auth plain --user alice:secret-pw-1 || bail "no smtpd"

# ---- the root ----
R=$TESTDIR/root
# (The last line: a make that regenerates its Makefile first says so.)
bindir=$(mkvar bindir | tail -n 1)
helperdir=$(mkvar pkglibexecdir | tail -n 1)
[ -n "$bindir" ] && [ -n "$helperdir" ] || bail "cannot read the build's directories"
put() {	# put SRC DEST: a copy of SRC at DEST in the root (links resolved)
    mkdir -p "$R$(dirname "$2")" && cp -L "$1" "$R$2"
}
put "$MAILHOP_BIN" "$bindir/mailhop"
ln -s mailhop "$R$bindir/sendmail"
put "$MAILHOP_DELIVER" "$helperdir/mailhop-deliver"
for lib in $(ldd "$MAILHOP_BIN" "$MAILHOP_DELIVER" |
    awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\/.*[^:]$/ { print $1 }' |
    sort -u); do
    put "$lib" "$lib"
done
put "$TESTDIR/ca/ca.pem" /etc/ssl/certs/ca-certificates.crt
# Mount points: the spool, the secret, /proc (a container has one).
mkdir -p "$R/spool" "$R/proc" "$R/run/secrets"
: > "$R/run/secrets/smtp"
chmod -R go-w,a+rX "$R"

files=$(cd "$R" && find . -type f -o -type l | sort)
nlibs=$(printf '%s\n' "$files" | grep -c '\.so')
is "$(printf '%s\n' "$files" | grep -v '\.so' | tr '\n' ' ')" \
    "./etc/ssl/certs/ca-certificates.crt ./run/secrets/smtp .$bindir/mailhop .$bindir/sendmail .$helperdir/mailhop-deliver " \
    "the root holds the two programs, the sendmail link, the CA file, the secret's mount point and $nlibs libraries"
ok $([ -z "$(cd "$R" && find . -name sh -o -name bash -o -name passwd -o -name group)" ] &&
    [ ! -e "$R/var" ] && [ ! -e "$R/tmp" ]; echo $?) "no shell, no passwd, no /var/spool, no /tmp"

# The writable volume and the secret, the uid's own; mailhop makes its
# spool in the volume (as contrib/docker/Dockerfile has it).
mkdir -m 755 "$TESTDIR/spool"
printf 'secret-pw-1\n' > "$TESTDIR/secret"
chmod 400 "$TESTDIR/secret"
chown "$U:$U" "$TESTDIR/spool" "$TESTDIR/secret"

CHROOT=$(command -v chroot)
ENVV=(MAILHOP_UPSTREAM_HOST=127.0.0.1 MAILHOP_UPSTREAM_PORT="$SMTPD_PORT"
    MAILHOP_UPSTREAM_USER=alice MAILHOP_UPSTREAM_PASSWORD_FILE=/run/secrets/smtp
    MAILHOP_SENDER_DOMAIN=example.com MAILHOP_QUEUE_DIR=/spool/mailhop)
# inroot [VAR=VALUE...] -- CMD ARGS: CMD in the read-only root, as uid $U,
# with only the MAILHOP_ variables above (and the VARs) in its environment;
# /proc is mounted unless NOPROC is set.
export NOPROC=
inroot() {
    local extra=()
    while [ "$1" != -- ]; do extra+=("$1"); shift; done
    shift
    unshare -m sh -c 'R=$0 S=$1 K=$2; shift 2
        mount --bind "$R" "$R" && mount -o remount,bind,ro "$R" &&
        mount --bind "$S" "$R/spool" && mount --bind "$K" "$R/run/secrets/smtp" &&
        { [ -n "$NOPROC" ] || mount -t proc proc "$R/proc"; } && exec "$@"' \
        "$R" "$TESTDIR/spool" "$TESTDIR/secret" \
        env -i "${ENVV[@]}" "${extra[@]}" \
        "$CHROOT" --userspec="$U:$U" --groups="$U" "$R" "$@"
}
# This run's processes in the root: uid $U with this run's port.
root_pids() {
    local p
    for p in /proc/[0-9]*; do
        [ "$(stat -c %u "$p" 2>/dev/null)" = "$U" ] || continue
        { tr '\0' '\n' < "$p/environ"; } 2>/dev/null |
            grep -qx "MAILHOP_UPSTREAM_PORT=$SMTPD_PORT" && echo "${p#/proc/}"
    done
}
root_kill() { local p; for p in $(root_pids); do kill "$p"; done; }
_tap_atexit+=(root_kill)
msg() { printf 'Subject: %s\n\nfrom the minimal root\n' "$1"; }

# Read-only: a spool anywhere but the writable directory cannot be made.
out=$(msg ro | inroot MAILHOP_QUEUE_DIR=/queue -- "$bindir/sendmail" -odq bob@example.net 2>&1)
is "$?" 73 "the root is read-only: a spool elsewhere cannot be created (73)"
like "$out" "^mailhop: cannot create spool directory /queue: Read-only file system; set \\[queue\\] dir \\(or MAILHOP_QUEUE_DIR\\) or XDG_STATE_HOME to a writable directory\$" \
    "one line naming the directory and the settings that move it"

# -odb: queued, and delivered by the background delivery it starts.
out=$(msg odb | inroot -- "$bindir/sendmail" -f app@example.com bob@example.net 2>&1)
is "$?:$out" "0:" "sendmail (-odb) in the root: exit 0, silent"
wait_transactions 1
ok $? "the -odb message reaches the test server"
is "$(transcript mail 1) $(transcript tls 1) $(transcript auth 1)" "app@example.com yes alice" \
    "over STARTTLS verified with the root's CA file, AUTH with the secret from /run/secrets"
_no_root_pids() { [ -z "$(root_pids)" ]; }
wait_for _no_root_pids
ok $? "nothing deferred: the background delivery is gone"
is "$(stat -c %u:%a "$TESTDIR/spool/mailhop") $(stat -c %u "$TESTDIR/spool/mailhop/flush.lock")" "$U:700 $U" \
    "it ran as uid $U and made its spool, 0700, in the volume"

# flush --watch as the long-running process, its stderr ours.
# (The shell's job is the unshare; the watch is the process in the root.)
inroot -- "$bindir/mailhop" flush --watch 2> "$TESTDIR/watch.err" &
job=$!
_watching() { [ -n "$(root_pids)" ]; }
wait_for _watching
watch=$(root_pids)
ok $? "flush --watch runs in the root (pid $watch)"
is "$(stat -c %u "/proc/$watch")" "$U" "as uid $U"
out=$(msg watch | inroot -- "$bindir/sendmail" -odq carol@example.net 2>&1)
is "$?:$out" "0:" "a message queued with -odq"
wait_transactions 2
ok $? "is delivered by the watch"
is "$(transcript mail 2)" "$U@example.com" "from UID@domain: the uid has no passwd entry"
like "$(cat "$TESTDIR/watch.err")" "mailhop\\[[0-9]+\\]: [0-9A-Z]+: from=<$U@example\\.com>, to=<carol@example\\.net>, .*status=sent" \
    "the log line reaches the watch process's stderr"
kill -TERM "$watch"
wait "$job"
is "$?" 0 "SIGTERM: it exits 0"
is "$(spool_count "$TESTDIR/spool/mailhop")" 0 "the spool is empty"

# A root without /proc (a bare chroot): the helper is found where it was
# installed, and the watch sees the spool through its path.
NOPROC=1 inroot -- "$bindir/mailhop" flush --watch 2> "$TESTDIR/watch2.err" &
job=$!
wait_for _watching
watch=$(root_pids)
ls -l "/proc/$watch/fd" 2>/dev/null | grep -q 'anon_inode:inotify'
ok $? "it watches the spool with inotify (by its path)"
out=$(msg noproc | NOPROC=1 inroot -- "$bindir/sendmail" -odq dave@example.net 2>&1)
is "$?:$out" "0:" "without /proc: queued"
wait_transactions 3
ok $? "and delivered by the watch at once"
kill -TERM "$watch"
wait "$job"
is "$?" 0 "which exits 0 on SIGTERM"
