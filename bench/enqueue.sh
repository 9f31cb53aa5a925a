#!/bin/bash
# bench/enqueue.sh - how long does `sendmail -odq` take to make a 2 KB
# message durable?  Median over many runs with hyperfine, next to dma's
# queue-only mode (dma -bq) in the same hyperfine run.
#
#   bench/enqueue.sh [RUNS]          (from the build directory, or with
#                                     MAILHOP_BIN=/path/to/src/mailhop)
#
# dma is not installed: `apt-get download dma` and `dpkg -x` unpack it in
# a temporary directory.  Its spool (/var/spool/dma) is compiled in, so it
# runs in a private mount namespace (unshare -m, needs root) with a
# temporary directory bound over /var/spool; the host is not changed.
# Without that, only mailhop is measured, and the script says so.
# Both spools are on the same file system ($TMPDIR), both fsync.
set -u
runs=${1:-300}
mh=${MAILHOP_BIN:-$PWD/src/mailhop}
[ -x "$mh" ] || { echo "no mailhop at $mh (set MAILHOP_BIN)" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "hyperfine is not installed" >&2; exit 1; }
mh=$(readlink -f "$mh")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mailhop-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# A 2 KB message: a few headers and 2 KB of text.
{
    printf 'From: Alice <alice@example.org>\nTo: bob@example.com\n'
    printf 'Subject: benchmark\nMessage-ID: <bench@example.org>\n\n'
    for i in $(seq 1 27); do
        printf 'line %02d of the body of a two kilobyte benchmark message...\n' "$i"
    done
} | head -c 2048 >"$tmp/msg"

# mailhop: its own HOME, spool and config (queue only, nothing delivered)
mkdir -p "$tmp/home" "$tmp/bin"
ln -s "$mh" "$tmp/bin/sendmail"
printf '[upstream]\nhost = 127.0.0.1\nport = 9\n[queue]\ndeliver = queue\ndir = %s/spool\n' \
    "$tmp" >"$tmp/mailhop.conf"
chmod 600 "$tmp/mailhop.conf"
export HOME=$tmp/home MAILHOP_CONFIG=$tmp/mailhop.conf
unset XDG_STATE_HOME XDG_CONFIG_HOME
mh_cmd="$tmp/bin/sendmail -odq bob@example.com <$tmp/msg"
$tmp/bin/sendmail -odq bob@example.com <"$tmp/msg" ||
    { echo "mailhop cannot queue" >&2; exit 1; }

# dma, unpacked
dma_cmd=
dma_note=
if (cd "$tmp" && apt-get download dma >/dev/null 2>&1) &&
    dpkg -x "$tmp"/dma_*.deb "$tmp/dma" 2>/dev/null; then
    mkdir -p "$tmp/varspool/dma"
    chmod 1777 "$tmp/varspool/dma"     # dma drops to the mail user
    if unshare -m sh -c "mount --bind '$tmp/varspool' /var/spool &&
        '$tmp/dma/usr/sbin/dma' -bq bob@example.com <'$tmp/msg'" 2>/dev/null; then
        dma_cmd="$tmp/dma/usr/sbin/dma -bq bob@example.com <$tmp/msg"
    else
        dma_note="dma: cannot run here (its spool /var/spool/dma is compiled in and unshare -m is not allowed); not measured"
    fi
else
    dma_note="dma: apt-get download failed; not measured"
fi

json=$tmp/result.json
if [ -n "$dma_cmd" ]; then
    unshare -m sh -c "mount --bind '$tmp/varspool' /var/spool &&
        hyperfine --warmup 10 --runs $runs --export-json '$json' \
        -n 'mailhop sendmail -odq' '$mh_cmd' -n 'dma -bq' '$dma_cmd'"
else
    hyperfine --warmup 10 --runs "$runs" --export-json "$json" \
        -n 'mailhop sendmail -odq' "$mh_cmd"
fi
[ -n "$dma_note" ] && echo "$dma_note"
echo "file system of the spools: $(stat -f -c %T "$tmp")"
/usr/bin/python3 - "$json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print("%-24s median %6.2f ms  mean %6.2f ms  min %6.2f ms  (%d runs)" % (
        r["command"], r["median"] * 1e3, r["mean"] * 1e3, r["min"] * 1e3,
        len(r["times"])))
PY
