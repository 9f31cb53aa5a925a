#!/bin/bash
# bench/enqueue-big.sh [BUILD_DIR]: how long queueing one big message takes
# (default 50 MiB: a header section and base64 lines of 76 columns, LF line
# ends), from start to exit, next to dma -bq and nullmailer-queue, in
# interleaved rounds on the same file system.  OLD=/path/to/src/mailhop
# adds an older mailhop to the same rounds (before/after figures).
#
# dma and nullmailer are fetched with `apt-get download` and unpacked with
# dpkg -x, never installed; their spools (/var/spool/dma,
# /var/spool/nullmailer) are compiled in, so everything runs in a private
# mount namespace (unshare -m, root only) with a temporary directory bound
# over /var/spool.  Each timed run starts after the previous spool files
# are removed and `sync`.  All three fsync the message before they exit.
#
# Environment: MB (message size, default 50), RUNS (rounds, default 7), OLD.
set -u
BUILD=$(cd "${1:-.}" && pwd)
MAILHOP=$BUILD/src/mailhop
MB=${MB:-50}
RUNS=${RUNS:-7}
OLD=${OLD:-}
[ -x "$MAILHOP" ] || { echo "bench/enqueue-big.sh: build mailhop first" >&2; exit 64; }
[ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null ||
    { echo "bench/enqueue-big.sh: needs root (a private mount namespace for dma and nullmailer)" >&2; exit 77; }

W=$(mktemp -d "${TMPDIR:-/tmp}/mailhop-bench.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT
(cd "$W" && apt-get download dma nullmailer >/dev/null 2>&1) ||
    { echo "apt-get download dma nullmailer failed (run apt-get update?)" >&2; exit 1; }
for d in "$W"/*.deb; do dpkg -x "$d" "$W/root" || exit 1; done
{
	printf 'From: bench@example.org\nTo: sink@example.net\nSubject: big\n\n'
	head -c "$((MB * 1024 * 1024 * 3 / 4))" /dev/zero | base64 -w 76
} > "$W/big.txt"
mkdir -p "$W/vs/dma" "$W/vs/nullmailer/queue" "$W/vs/nullmailer/tmp" "$W/home"
chmod 1777 "$W/vs/dma" "$W/vs/nullmailer/queue" "$W/vs/nullmailer/tmp"
mkfifo "$W/vs/nullmailer/trigger"
(umask 077; printf '[upstream]\nhost = 127.0.0.1\nport = 9\n[queue]\ndeliver = queue\ndir = %s/mh\nmax_size = 2G\n' "$W" > "$W/mailhop.conf")
echo "message: $(stat -c %s "$W/big.txt") bytes; spools on $(stat -f -c %T "$W") ($(df --output=source "$W" | tail -n 1)); $RUNS interleaved rounds"

export W MAILHOP OLD RUNS
unshare -m bash -s <<'EOS'
set -u
mount --bind "$W/vs" /var/spool || exit 1
export HOME=$W/home MAILHOP_CONFIG=$W/mailhop.conf
clean() { rm -rf "$W/mh" /var/spool/dma/* /var/spool/nullmailer/queue/* /var/spool/nullmailer/tmp/*; sync; }
# t NAME CMD...: one timed run, appended to $W/NAME.t
t() {
	local name=$1 s e
	shift
	clean
	s=$(date +%s%N)
	"$@" < "$W/big.txt" || { echo "$name failed" >&2; return 1; }
	e=$(date +%s%N)
	echo $(( (e - s) / 1000 )) >> "$W/$name.t"
}
nq() { { printf 'bench@example.org\nsink@example.net\n\n'; cat; } | "$W/root/usr/sbin/nullmailer-queue"; }
for ((r = 0; r < RUNS; r++)); do
	t mailhop bash -c 'exec -a sendmail "$MAILHOP" -odq sink@example.net'
	[ -n "$OLD" ] && t old bash -c 'exec -a sendmail "$OLD" -odq sink@example.net'
	t dma "$W/root/usr/sbin/dma" -bq sink@example.net
	t nullmailer nq
done
clean
EOS
/usr/bin/python3 - "$W" <<'PY'
import os, statistics, sys
w = sys.argv[1]
med = {}
for name in ("mailhop", "old", "dma", "nullmailer"):
    p = os.path.join(w, name + ".t")
    if not os.path.exists(p):
        continue
    v = sorted(int(x) / 1e6 for x in open(p))
    med[name] = statistics.median(v)
    print("%-12s median %.3f s  min %.3f  max %.3f  (%d runs)" % (
        name if name != "old" else "mailhop(old)", med[name], v[0], v[-1], len(v)))
for peer in ("nullmailer", "dma", "old"):
    if peer in med and "mailhop" in med:
        print("mailhop / %s = %.2f (time; below 1 is faster)" % (
            peer if peer != "old" else "mailhop(old)", med["mailhop"] / med[peer]))
PY
