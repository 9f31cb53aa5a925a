#!/bin/bash
# bench/queue-cost.sh [BUILD_DIR]: what queueing costs as the queue grows
# (SPEC 13), with the upstream down (a loopback port nobody listens on).
#
#   1. sendmail (-odb, the default) of one 2 KB message into a spool that
#      already holds 0, 10,000 and 100,000 deferred entries: the wall time
#      until sendmail exits, and the CPU of the background delivery it
#      starts (user + system, the helper reaped by this script), with
#      [queue] linger = 0 so that each message's delivery ends by itself;
#   2. 10,000 messages queued in a row into an empty spool: the total CPU
#      of every process involved (sendmail and all background deliveries),
#      with lingering as configured by default (the lingering delivery is
#      stopped with SIGTERM 5 s after the last message; its CPU counts),
#      and with linger = 0;
#   3. mailq with 10,000 entries.
#
# The deferred entries are written by tests/lib/fill_spool.py; a first
# message is queued and its delivery waited for before anything is timed,
# so the figures are those of a spool in use (the cost of that first run,
# which builds the schedule index after an upgrade, is printed too).
#
# As root the spools live on a fresh ext4 file system in a loop device
# (SPOOL_FS=loop, the default): 200,000 files are then removed by one
# umount instead of hours of block discards on a disk mounted with
# `discard`.  SPOOL_FS=tmpdir puts them under $TMPDIR instead.
#
# Environment: COUNTS (spool sizes, default "0 10000 100000"), RUNS (timed
# messages per size, default 15), ROW (messages in a row, default 10000),
# MAILQ_AT (default 10000), CONF (extra lines for [queue]).
set -u
BUILD=$(cd "${1:-.}" && pwd)
MAILHOP=$BUILD/src/mailhop
[ -x "$MAILHOP" ] && [ -x "$BUILD/src/mailhop-deliver" ] || {
	echo "bench/queue-cost.sh: build mailhop first; usage: bench/queue-cost.sh BUILD_DIR" >&2
	exit 64
}
HERE=$(cd "$(dirname "$0")" && pwd)
COUNTS=${COUNTS:-0 10000 100000}
RUNS=${RUNS:-15}
ROW=${ROW:-10000}
MAILQ_AT=${MAILQ_AT:-10000}
SPOOL_FS=${SPOOL_FS:-loop}
[ "$(id -u)" = 0 ] || SPOOL_FS=tmpdir

W=$(mktemp -d "${TMPDIR:-/tmp}/mailhop-bench.XXXXXX") || exit 1
cleanup() {
	mountpoint -q "$W/fs" 2>/dev/null && umount "$W/fs"
	rm -rf "$W"
}
trap cleanup EXIT
mkdir -p "$W/fs"
if [ "$SPOOL_FS" = loop ]; then
	truncate -s 4G "$W/fs.img" && mkfs.ext4 -q -F -N 1000000 "$W/fs.img" &&
	    mount -o loop "$W/fs.img" "$W/fs" || exit 1
	echo "spools on: ext4 in a loop device (backed by $(stat -f -c %T "$W") at $W)"
else
	echo "spools on: $(stat -f -c %T "$W/fs") at $W/fs"
fi
PORT=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

export PORT CONF=${CONF:-}
/usr/bin/python3 - "$MAILHOP" "$HERE/../tests/lib/fill_spool.py" "$W" "$RUNS" "$ROW" "$MAILQ_AT" $COUNTS <<'PY' || exit 1
import ctypes, os, resource, signal, statistics, subprocess, sys, time

mailhop, fill, w, runs, row, mailq_at = sys.argv[1:7]
runs, row, mailq_at = int(runs), int(row), int(mailq_at)
counts = [int(x) for x in sys.argv[7:]]
# Orphans (the detached background deliveries) are re-parented to us, so
# that we can reap them and read their CPU time.
ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
msg = (b"From: bench@example.org\nTo: sink@example.net\nSubject: bench\n\n" +
       (b"y" * 75 + b"\n") * 26)

def conf(name, extra=""):
    """A config whose spool is W/fs/NAME; the upstream is down."""
    path = os.path.join(w, name + ".conf")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.write(fd, ("[upstream]\nhost = 127.0.0.1\nport = %s\ntls = none\n"
        "[queue]\ndir = %s\ndeliver = background\n%s\n[log]\nsyslog = no\n"
        "file = %s\n" % (os.environ["PORT"], os.path.join(w, "fs", name),
        os.environ["CONF"].replace("\\n", "\n") + "\n" + extra,
        os.path.join(w, name + ".log"))).encode())
    os.close(fd)
    return path

def cpu(ru):
    return ru.ru_utime + ru.ru_stime

def send(cfg):
    """Queue one message; returns (wall s, sendmail's CPU s)."""
    r, wfd = os.pipe()
    env = dict(os.environ, MAILHOP_CONFIG=cfg)
    t0 = time.perf_counter()
    pid = os.posix_spawn(mailhop, ["sendmail", "-f", "bench@example.org",
        "sink@example.net"], env, file_actions=[(os.POSIX_SPAWN_DUP2, r, 0),
        (os.POSIX_SPAWN_CLOSE, r), (os.POSIX_SPAWN_CLOSE, wfd)])
    os.close(r)
    os.write(wfd, msg)
    os.close(wfd)
    _, status, ru = os.wait4(pid, 0)
    t1 = time.perf_counter()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("sendmail failed: status %d" % os.waitstatus_to_exitcode(status))
    return t1 - t0, cpu(ru)

def knows_linger():
    """Whether this mailhop has [queue] linger (an older one: exit 78)."""
    path = conf("probe")
    with open(path, "a") as f:
        f.write("[queue]\nlinger = 0\n")
    env = dict(os.environ, MAILHOP_CONFIG=path)
    return subprocess.run(["mailhop", "config"], executable=mailhop, env=env,
        capture_output=True).returncode == 0

def children():
    pids = []
    for t in os.listdir("/proc/self/task"):
        try:
            pids += [int(x) for x in open("/proc/self/task/%s/children" % t).read().split()]
        except OSError:
            pass
    return pids

def reap(timeout):
    """Wait for the background deliveries; TERM those still running after
    timeout seconds (a lingering one).  Returns their total CPU."""
    total, end = 0.0, time.time() + timeout
    while True:
        try:
            pid, status, ru = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            return total
        if pid != 0:
            total += cpu(ru)
            continue
        if time.time() > end:
            for p in children():
                os.kill(p, signal.SIGTERM)
            end = time.time() + 30
        time.sleep(0.002)

def entries(spool):
    return sum(1 for x in os.listdir(spool) if x.endswith(".e"))

def med(v):
    return statistics.median(v) * 1000

linger = knows_linger()
print("upstream down; %d timed messages per spool size (medians; min-max)%s"
      % (runs, "; linger = 0" if linger else ""))
for n in counts:
    name = "spool-%d" % n
    cfg = conf(name, "linger = 0" if linger else "")
    subprocess.run([fill, os.path.join(w, "fs", name), str(n)], check=True)
    os.sync()
    t0 = time.perf_counter()
    send(cfg)
    first = reap(600)
    print("  %6d deferred: first message after the fill: %.1f ms CPU in its "
          "background delivery (%.2f s)" % (n, first * 1000, time.perf_counter() - t0))
    walls, fcpus, bcpus = [], [], []
    for _ in range(runs):
        wall, fcpu = send(cfg)
        bcpu = reap(60)
        walls.append(wall); fcpus.append(fcpu); bcpus.append(bcpu)
    print("  %6d deferred: sendmail %.2f ms (%.2f-%.2f), its CPU %.2f ms; "
          "background delivery CPU %.2f ms (%.2f-%.2f)" % (n, med(walls),
          min(walls) * 1000, max(walls) * 1000, med(fcpus), med(bcpus),
          min(bcpus) * 1000, max(bcpus) * 1000))
    left = entries(os.path.join(w, "fs", name))
    if left != n + runs + 1:
        sys.exit("spool-%d holds %d entries, expected %d" % (n, left, n + runs + 1))
    if n == mailq_at:
        env = dict(os.environ, MAILHOP_CONFIG=cfg)
        times = []
        for _ in range(10):
            t0 = time.perf_counter()
            out = subprocess.run(["mailq"], executable=mailhop, env=env,
                capture_output=True).stdout
            times.append(time.perf_counter() - t0)
        print("  mailq with %d entries: %.1f ms (%.1f-%.1f), %d bytes" % (
            left, med(times), min(times) * 1000, max(times) * 1000, len(out)))
    subprocess.run(["rm", "-rf", os.path.join(w, "fs", name)])

def in_a_row(name, extra, how):
    cfg = conf(name, extra)
    before = cpu(resource.getrusage(resource.RUSAGE_CHILDREN))
    t0 = time.perf_counter()
    for i in range(row):
        send(cfg)
        while True:  # reap what has finished, without waiting
            try:
                if os.wait4(-1, os.WNOHANG)[0] == 0:
                    break
            except ChildProcessError:
                break
    t1 = time.perf_counter()
    reap(5)
    total = cpu(resource.getrusage(resource.RUSAGE_CHILDREN)) - before
    left = entries(os.path.join(w, "fs", name))
    print("  %d messages in a row (%s): %.1f s, total CPU %.1f s (%.2f ms a "
          "message), %d queued" % (row, how, t1 - t0, total, total * 1000 / row, left))
    subprocess.run(["rm", "-rf", os.path.join(w, "fs", name)])

if row > 0:
    in_a_row("row", "", "lingering as by default" if linger else "")
    if linger:
        in_a_row("row0", "linger = 0", "linger = 0")
PY
