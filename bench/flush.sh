#!/bin/bash
# bench/flush.sh [BUILD_DIR]: how fast `mailhop flush` empties a queue, next
# to other one-connection clients, against Postfix's smtp-sink on loopback.
#
#   mailhop flush   N queued 2 KB messages (default N = 1000), tls = none, no AUTH
#   smtp-source -d  the same number and size over one connection: the ceiling
#   dma -q          the same queue in dma (Debian's dma 0.13), DEFER'ed first
#   nullmailer-send the same queue in nullmailer 2.2
# and the peak RSS (/usr/bin/time -v) of `mailhop flush` on one 100 MB message.
#
# Postfix, dma and nullmailer are fetched with `apt-get download` and unpacked
# with dpkg -x under a temporary directory: never installed.  dma and
# nullmailer read compiled-in paths (/etc/dma, /etc/nullmailer, /var/spool,
# /usr/lib/nullmailer), so they run inside a private mount namespace
# (unshare -m, root only) whose overlays hide the files they need from the
# host.  Without root they are skipped, and the script says so.
#
# Each timed delivery phase starts after `sync`, so that it does not pay
# for the write-back of the queueing that came just before it (the same
# for mailhop, dma and nullmailer; doc/PERFORMANCE.md).
#
# As root it also times the flush with the spool on a tmpfs (TMPFS=no to
# skip): the same code without the disk, next to smtp-source, which has none.
#
# RT=yes (root): every timed phase and smtp-sink run under `chrt -f 50`,
# real-time priority, for mailhop, dma, nullmailer and smtp-source alike.
# On a machine shared with other work that is the nearest to an idle one
# (the disk is still shared); the phases are short, but dma -q's hundreds
# of processes hold both cores for a second.
#
# Environment: N (messages), SIZE (payload bytes), BIG_MB (the big message),
# TMPFS, RT.
set -u
BUILD=$(cd "${1:-.}" && pwd)
MAILHOP=$BUILD/src/mailhop
N=${N:-1000}
SIZE=${SIZE:-2048}
BIG_MB=${BIG_MB:-100}
RT_CMD=
if [ "${RT:-no}" = yes ]; then
	[ "$(id -u)" = 0 ] && command -v chrt >/dev/null || {
		echo "bench/flush.sh: RT=yes needs root and chrt" >&2
		exit 64
	}
	RT_CMD="chrt -f 50"
fi
[ -x "$MAILHOP" ] && [ -x "$BUILD/src/mailhop-deliver" ] || {
	echo "bench/flush.sh: build mailhop first; usage: bench/flush.sh BUILD_DIR" >&2
	exit 64
}

W=$(mktemp -d "${TMPDIR:-/tmp}/mailhop-bench.XXXXXX") || exit 1
SINK_PID=
cleanup() {
	[ -n "$SINK_PID" ] && kill "$SINK_PID" 2>/dev/null
	mountpoint -q "$W/mht/state" 2>/dev/null && umount "$W/mht/state"
	rm -rf "$W"
}
trap cleanup EXIT
now() { date +%s.%N; }
rate() { awk -v n="$1" -v s="$2" -v e="$3" 'BEGIN { printf "%.0f", n / (e - s) }'; }
say() { printf '%s\n' "$*"; }

fetch() {
	mkdir -p "$W/pkgs" "$W/root"
	(cd "$W/pkgs" && apt-get download postfix dma nullmailer >/dev/null 2>&1) || {
		say "apt-get download postfix dma nullmailer failed (run apt-get update?)"
		return 1
	}
	for d in "$W"/pkgs/*.deb; do dpkg -x "$d" "$W/root" || return 1; done
}

free_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# smtp-sink: accepts everything, stores nothing.  As root it needs -u.
start_sink() {
	local u=()
	[ "$(id -u)" = 0 ] && u=(-u nobody)
	PORT=$(free_port)
	LD_LIBRARY_PATH=$W/root/usr/lib/postfix $RT_CMD "$W/root/usr/sbin/smtp-sink" \
	    "${u[@]}" "127.0.0.1:$PORT" 1000 >/dev/null 2>"$W/sink.err" &
	SINK_PID=$!
	for _ in $(seq 100); do
		/usr/bin/python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT)).close()" \
		    2>/dev/null && return 0
		sleep 0.05
	done
	say "smtp-sink did not start: $(cat "$W/sink.err")"
	return 1
}

make_message() {
	{
		printf 'From: bench@example.org\r\nTo: sink@example.net\r\n'
		printf 'Subject: bench\r\n\r\n'
		head -c "$((SIZE * 3 / 4))" /dev/urandom | base64 -w 76 | sed 's/$/\r/'
	} | head -c "$SIZE" > "$W/msg.eml"
	printf '\r\n' >> "$W/msg.eml"
}

bench_source() {
	local s e
	s=$(now)
	LD_LIBRARY_PATH=$W/root/usr/lib/postfix $RT_CMD "$W/root/usr/sbin/smtp-source" -d \
	    -m "$N" -l "$SIZE" -f bench@example.org -t sink@example.net \
	    "127.0.0.1:$PORT" || return 1
	e=$(now)
	R_SOURCE=$(rate "$N" "$s" "$e")
	say "smtp-source -d:   $N messages in $(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.2f", e - s }') s = $R_SOURCE msg/s"
}

# mailhop_env DIR: a private HOME, spool and config for mailhop
mailhop_env() {
	local d=$1
	mkdir -p "$d/home" "$d/config" "$d/state"
	export HOME=$d/home XDG_CONFIG_HOME=$d/config XDG_STATE_HOME=$d/state
	export MAILHOP_CONFIG=$d/mailhop.conf
	(umask 077; printf '[upstream]\nhost = 127.0.0.1\nport = %s\ntls = none\n[queue]\ndeliver = queue\nmax_size = 1G\n[log]\nsyslog = no\nfile = %s/mail.log\n' \
	    "$PORT" "$d" > "$MAILHOP_CONFIG")
}

bench_mailhop() {
	local s e left i
	(
		mailhop_env "$W/mh"
		s=$(now)
		for ((i = 0; i < N; i++)); do
			(exec -a sendmail "$MAILHOP" -f bench@example.org sink@example.net) \
			    < "$W/msg.eml" || exit 1
		done
		e=$(now)
		say "mailhop queueing: $N messages in $(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.2f", e - s }') s = $(rate "$N" "$s" "$e") msg/s (one process each)"
		sync
		s=$(now)
		if [ -n "$RT_CMD" ]; then $RT_CMD "$MAILHOP" flush; else (exec -a mailhop "$MAILHOP" flush); fi || exit 1
		e=$(now)
		left=$(find "$XDG_STATE_HOME/mailhop" -name '*.e' | wc -l)
		[ "$left" = 0 ] || { say "mailhop flush left $left entries"; exit 1; }
		echo "$(rate "$N" "$s" "$e")" > "$W/mh.rate"
		say "mailhop flush:    $N messages in $(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.2f", e - s }') s = $(rate "$N" "$s" "$e") msg/s"
	) || return 1
	R_MAILHOP=$(cat "$W/mh.rate")
}

# in_namespace NAME SCRIPT: run SCRIPT (bash) in a private mount namespace
# with copy-on-write overlays on /etc, /usr/lib and /var/spool.
in_namespace() {
	local name=$1 script=$2 d
	for d in etc usrlib spool; do mkdir -p "$W/ov/$name/$d-u" "$W/ov/$name/$d-w"; done
	unshare -m bash -s <<EOS
set -e
mount -t overlay overlay -o lowerdir=/etc,upperdir=$W/ov/$name/etc-u,workdir=$W/ov/$name/etc-w /etc
mount -t overlay overlay -o lowerdir=/usr/lib,upperdir=$W/ov/$name/usrlib-u,workdir=$W/ov/$name/usrlib-w /usr/lib
mount -t overlay overlay -o lowerdir=/var/spool,upperdir=$W/ov/$name/spool-u,workdir=$W/ov/$name/spool-w /var/spool
$script
EOS
}

# wait_empty DIR PATTERN: until no file matches (60 s at most)
wait_empty_fn='wait_empty() { for _ in $(seq 1200); do [ -z "$(find "$1" -type f -name "$2" 2>/dev/null | head -n 1)" ] && return 0; sleep 0.05; done; return 1; }'

bench_dma() {
	local dma=$W/root/usr/sbin/dma
	in_namespace dma "
$wait_empty_fn
mkdir -p /etc/dma /var/spool/dma
# the overlay does not let root past permission bits
chmod 1777 /var/spool/dma
printf 'SMARTHOST 127.0.0.1\nPORT $PORT\nMAILNAME bench.example.org\nDEFER\n' > /etc/dma/dma.conf
for ((i = 0; i < $N; i++)); do $dma -f bench@example.org sink@example.net < $W/msg.eml; done
n=\$(find /var/spool/dma -type f -name 'Q*' | wc -l)
[ \"\$n\" = $N ] || { echo \"dma queued \$n of $N messages\"; exit 1; }
sync
s=\$(date +%s.%N)
$RT_CMD $dma -q
wait_empty /var/spool/dma 'Q*' || { echo 'dma -q did not empty its queue in 60 s'; exit 1; }
e=\$(date +%s.%N)
echo \"\$s \$e\" > $W/dma.time
" || return 1
	read -r s e < "$W/dma.time"
	R_DMA=$(rate "$N" "$s" "$e")
	say "dma -q:           $N messages in $(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.2f", e - s }') s = $R_DMA msg/s"
}

bench_nullmailer() {
	local r=$W/root
	in_namespace nullmailer "
$wait_empty_fn
mkdir -p /etc/nullmailer /usr/lib/nullmailer /var/spool/nullmailer/queue /var/spool/nullmailer/tmp /var/spool/nullmailer/failed
cp -a $r/usr/lib/nullmailer/. /usr/lib/nullmailer/
echo 'bench.example.org' > /etc/nullmailer/me
echo '127.0.0.1 smtp --port=$PORT' > /etc/nullmailer/remotes
echo 1 > /etc/nullmailer/pausetime
[ -p /var/spool/nullmailer/trigger ] || mkfifo /var/spool/nullmailer/trigger
chmod 1777 /var/spool/nullmailer/queue /var/spool/nullmailer/tmp /var/spool/nullmailer/failed
chmod 666 /var/spool/nullmailer/trigger
for ((i = 0; i < $N; i++)); do
	{ printf 'bench@example.org\nsink@example.net\n\n'; cat $W/msg.eml; } | $r/usr/sbin/nullmailer-queue
done
n=\$(find /var/spool/nullmailer/queue -type f | wc -l)
[ \"\$n\" = $N ] || { echo \"nullmailer queued \$n of $N messages\"; exit 1; }
sync
s=\$(date +%s.%N)
$RT_CMD $r/usr/sbin/nullmailer-send >/dev/null 2>$W/nullmailer.err &
pid=\$!
wait_empty /var/spool/nullmailer/queue '*' || { kill \$pid; echo 'nullmailer-send did not empty its queue in 60 s'; tail -n 3 $W/nullmailer.err; exit 1; }
e=\$(date +%s.%N)
kill \$pid
echo \"\$s \$e\" > $W/nullmailer.time
" || return 1
	read -r s e < "$W/nullmailer.time"
	R_NULLMAILER=$(rate "$N" "$s" "$e")
	say "nullmailer-send:  $N messages in $(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.2f", e - s }') s = $R_NULLMAILER msg/s"
}

bench_big() {
	(
		mailhop_env "$W/big"
		{
			printf 'Subject: big\n\n'
			head -c "$((BIG_MB * 1024 * 1024 * 3 / 4))" /dev/zero | base64 -w 76
		} > "$W/big.txt"
		(exec -a sendmail "$MAILHOP" -f bench@example.org sink@example.net) < "$W/big.txt" || exit 1
		rm -f "$W/big.txt"
		# As users run it: the front end starts the helper (launch.c),
		# which is what keeps GnuTLS's constructor from running.
		/usr/bin/time -v -o "$W/big.time" "$MAILHOP" flush || exit 1
		kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$W/big.time")
		say "mailhop flush of one ${BIG_MB} MB message: peak RSS $kb KiB ($(awk -v k="$kb" 'BEGIN { printf "%.1f", k / 1024 }') MiB; target < 10 MiB)"
	)
}

# The same flush with the spool on a tmpfs: no disk at all, like
# smtp-source.  Not a setup anyone should run (a tmpfs spool loses mail at
# reboot); it separates what the disk costs from what the code costs.
bench_mailhop_tmpfs() {
	local s e
	(
		mailhop_env "$W/mht"
		mount -t tmpfs -o size=256m,mode=0700 mailhop-bench "$XDG_STATE_HOME" || exit 1
		for ((i = 0; i < N; i++)); do
			(exec -a sendmail "$MAILHOP" -f bench@example.org sink@example.net) \
			    < "$W/msg.eml" || { umount "$XDG_STATE_HOME"; exit 1; }
		done
		s=$(now)
		if [ -n "$RT_CMD" ]; then $RT_CMD "$MAILHOP" flush; else (exec -a mailhop "$MAILHOP" flush); fi
		e=$(now)
		umount "$XDG_STATE_HOME"
		echo "$(rate "$N" "$s" "$e")" > "$W/mht.rate"
		say "mailhop flush, spool on tmpfs (no disk; measurement only): $(rate "$N" "$s" "$e") msg/s"
	) || return 1
	R_TMPFS=$(cat "$W/mht.rate")
}

R_SOURCE= R_MAILHOP= R_DMA= R_NULLMAILER= R_TMPFS=
fetch || exit 1
make_message
start_sink || exit 1
say "smtp-sink on 127.0.0.1:$PORT; $N messages of $SIZE bytes each"
bench_source || say "smtp-source failed"
bench_mailhop || say "mailhop failed"
if [ "$(id -u)" = 0 ] && [ "${TMPFS:-yes}" != no ]; then
	bench_mailhop_tmpfs || say "mailhop on tmpfs: could not be run"
fi
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
	bench_dma || say "dma: could not be run"
	bench_nullmailer || say "nullmailer: could not be run"
else
	say "dma, nullmailer: skipped (they read /etc and /var/spool paths compiled in; running them unconfigured needs root for a private mount namespace)"
fi
ratio() { [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
[ -n "$R_MAILHOP" ] && {
	[ -n "$R_SOURCE" ] && say "mailhop / smtp-source = $(ratio "$R_MAILHOP" "$R_SOURCE") (target >= 0.70)"
	[ -n "$R_SOURCE" ] && [ -n "$R_TMPFS" ] && say "mailhop on tmpfs / smtp-source = $(ratio "$R_TMPFS" "$R_SOURCE") (the code without the disk)"
	[ -n "$R_DMA" ] && say "mailhop / dma = $(ratio "$R_MAILHOP" "$R_DMA") (target >= 2.5)"
	[ -n "$R_NULLMAILER" ] && say "mailhop / nullmailer = $(ratio "$R_MAILHOP" "$R_NULLMAILER")"
}
bench_big || say "big message: failed"
