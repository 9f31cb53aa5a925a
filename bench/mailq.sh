#!/bin/bash
# bench/mailq.sh - how long does mailq take with 10, 1,000 and 10,000
# entries?  Target: under 100 ms at 10,000.
#
#   bench/mailq.sh [SIZES...]        (from the build directory, or with
#                                     MAILHOP_BIN=/path/to/src/mailhop)
#
# The entries are written directly in the spool format of doc/SPOOL.md by
# bench/fill-spool.py (2 KB message, deferred with a reply), since queueing
# 10,000 messages one fsync at a time would take minutes.  Both the plain
# listing and --json are timed.
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

# fill DIR N: N deferred entries in the spool DIR (bench/fill-spool.py)
fill() {
    /usr/bin/python3 "$(dirname "$0")/fill-spool.py" "$1" "$2"
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
    hyperfine -N --warmup 3 --min-runs 20 --export-json "$json.$n" \
        -n "mailq, $n entries" "$tmp/bin/mailq" \
        -n "queue --json, $n entries" "$tmp/bin/mailhop queue --json" \
        >/dev/null
    results+=("$json.$n")
done
/usr/bin/python3 - "${results[@]}" <<'PY'
import json, sys
for p in sys.argv[1:]:
    for r in json.load(open(p))["results"]:
        print("%-28s median %7.2f ms  mean %7.2f ms  min %7.2f ms" % (
            r["command"], r["median"] * 1e3, r["mean"] * 1e3, r["min"] * 1e3))
PY
