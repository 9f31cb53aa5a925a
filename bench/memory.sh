#!/bin/sh
# bench/memory.sh - peak RSS of queueing 1 MB, 100 MB and 1 GiB messages.
# The message is generated on the fly into a pipe (never stored twice on
# disk); the private spool is removed afterwards.  SPEC 4: memory does not
# grow with the message size.  Fails (exit 1) if a peak passes LIMIT_KB.
#
# LINE=N makes the body N-octet lines of HTML-ish text without a
# Content-Transfer-Encoding: over 998 they are re-encoded quoted-printable
# (SPEC 11), which reads the queued message back once (mime.h).
#
#   bench/memory.sh [path/to/mailhop]     (default: ./src/mailhop)
#   SIZES="1M 100M 1G" LIMIT_KB=4096 bench/memory.sh
#   LINE=10240 SIZES="1G" bench/memory.sh
set -u
BIN=${1:-./src/mailhop}
SIZES=${SIZES:-1M 100M 1G}
LIMIT_KB=${LIMIT_KB:-4096}
LINE=${LINE:-}
TIME=/usr/bin/time
[ -x "$BIN" ] || { echo "memory.sh: $BIN: not executable" >&2; exit 2; }
[ -x "$TIME" ] || { echo "memory.sh: needs $TIME (GNU time)" >&2; exit 2; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/mailhop-bench.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT INT TERM
umask 077
cat >"$dir/mailhop.conf" <<EOC
[sender]
domain = example.com
[queue]
dir = $dir/spool
deliver = queue
max_size = 2G
EOC
export MAILHOP_CONFIG="$dir/mailhop.conf"

bytes() {
	case $1 in
	*G) echo $((${1%G} * 1024 * 1024 * 1024)) ;;
	*M) echo $((${1%M} * 1024 * 1024)) ;;
	*K) echo $((${1%K} * 1024)) ;;
	*) echo "$1" ;;
	esac
}

# A header section, then 76-column lines as in a base64 attachment, or
# LINE-octet lines of text.
message() {
	printf 'From: bench@example.com\nTo: sink@example.com\nSubject: %s\n' "$1"
	if [ -z "$LINE" ]; then
		printf '\n'
		yes 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0' |
		    head -c "$(bytes "$1")"
		return
	fi
	printf 'MIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n'
	yes "$(yes '<td class="x">caf\303\251 = 50%</td> ' | head -c "$((LINE - 1))" | tr -d '\n')" |
	    head -c "$(bytes "$1")"
}

# Baseline: the same binary doing no real work (-bv of one address).
base=$("$TIME" -f %M "$BIN" send -bv root 2>&1 >/dev/null | tail -n 1)
printf '%-8s %12s %10s %8s\n' size queued_bytes peak_kB seconds
printf '%-8s %12s %10s %8s\n' "(-bv)" - "$base" -
st=0
for s in $SIZES; do
	start=$(date +%s.%N)
	kb=$(message "$s" | "$TIME" -f %M "$BIN" send -odq sink@example.com 2>&1 |
	    tail -n 1)
	end=$(date +%s.%N)
	q=$(find "$dir/spool" -name '*.m' -newer "$dir/mailhop.conf" -exec stat -c %s {} + |
	    sort -n | tail -n 1)
	printf '%-8s %12s %10s %8.1f\n' "$s" "${q:-?}" "$kb" \
	    "$(echo "$end - $start" | bc)"
	case $kb in
	*[!0-9]*|'') echo "memory.sh: $s: mailhop failed: $kb" >&2; st=1 ;;
	*) [ "$kb" -le "$LIMIT_KB" ] || { echo "memory.sh: $s: $kb kB > $LIMIT_KB kB" >&2; st=1; } ;;
	esac
	rm -rf "$dir"/spool/*
done
exit $st
