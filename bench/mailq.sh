#!/bin/bash
# bench/mailq.sh - how long does mailq take with 10, 1,000 and 10,000
# entries?  Target (SPEC 13): at most 50 ms at 10,000.
#
#   bench/mailq.sh [SIZES...]        (from the build directory, or with
#                                     MAILHOP_BIN=/path/to/src/mailhop)
#
# The entries are written directly in the spool format of doc/SPOOL.md by
# tests/lib/fill_spool.py (2 KB message, deferred with a reply), since queueing
# 10,000 messages one fsync at a time would take minutes.  Both the plain
# listing and --json are timed.  Run as root, mailq is also timed under
# `chrt -f 50` (real-time priority): on a machine shared with other work
# that is the closest to an idle machine's wall time (mailq reads every
# envelope in two threads; a loaded machine's wall time says more about
# the load than about mailq).  As root, mailq shows root's view (every
# spool; each listed by a child process).
set -u
mh=${MAILHOP_BIN:-$PWD/src/mailhop}
[ -x "$mh" ] || { echo "no mailhop at $mh (set MAILHOP_BIN)" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "hyperfine is not installed" >&2; exit 1; }
mh=$(readlink -f "$mh")
[ $# -gt 0 ] || set -- 10 1000 10000
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mailhop-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/home"
ln -s "$mh" "$tmp/bin/mailq"
ln -s "$mh" "$tmp/bin/mailhop"
export HOME=$tmp/home
unset MAILHOP_CONFIG XDG_CONFIG_HOME

# fill DIR N: N deferred entries in the spool DIR (tests/lib/fill_spool.py)
fill() {
    /usr/bin/python3 "$(dirname "$0")/../tests/lib/fill_spool.py" "$1" "$2"
}

json=$tmp/result.json
results=()
for n in "$@"; do
    export XDG_STATE_HOME=$tmp/state-$n
    fill "$XDG_STATE_HOME/mailhop" "$n"
    got=$("$tmp/bin/mailq" | tail -n 1)
    case $got in
    *"in $n Request"*) ;;
    *) echo "mailq with $n entries printed: $got" >&2; exit 1 ;;
    esac
    rt=()
    if [ "$(id -u)" = 0 ] && command -v chrt >/dev/null; then
        rt=(-n "mailq, $n entries, chrt -f 50" "chrt -f 50 $tmp/bin/mailq")
    fi
    hyperfine -N --warmup 3 --min-runs 20 --export-json "$json.$n" \
        -n "mailq, $n entries" "$tmp/bin/mailq" \
        -n "queue --json, $n entries" "$tmp/bin/mailhop queue --json" \
        "${rt[@]}" >/dev/null
    results+=("$json.$n")
done
/usr/bin/python3 - "${results[@]}" <<'PY'
import json, sys
for p in sys.argv[1:]:
    for r in json.load(open(p))["results"]:
        print("%-40s median %7.2f ms  mean %7.2f ms  min %7.2f ms  "
              "CPU %7.2f ms" % (r["command"], r["median"] * 1e3,
              r["mean"] * 1e3, r["min"] * 1e3, (r["user"] + r["system"]) * 1e3))
PY
