#!/bin/bash
# tests/t/0101-cli-accepted.sh: cli.c, cmd_send.c.  Every option of SPEC §2
# that is accepted does not break queueing, and the ones that mean
# something show in what is queued (mailhop queue --json, mailhop show).
. "$TESTLIB/tap.sh"
plan 30

mh_conf '[sender]
domain = example.com'
last_id() { mh mailhop queue --json | tail -n 1 | sed 's/^{"id":"\([^"]*\)".*/\1/'; }
last_json() { mh mailhop queue --json | tail -n 1; }
last_msg() { mh mailhop show "$(last_id)" | sed '1,/^$/d'; }

# Accepted and ignored, each on its own and all together: queued, silent.
n=0
for opts in "-B 8BITMIME" "-B7BIT" "-N never" "-Nsuccess,failure" "-R hdrs" "-V envid1" \
    "-L tag" "-X /tmp/x.log" "-h 17" "-n" "-U" "-G" "-Ac" "-Am" "-O DeliveryMode=b" \
    "-oem -oep -oeq -oew -oee" "-om" "-m" "-oQ/tmp -o7 -oL9" "-v" "-bm" "-odd"; do
	printf 'Subject: %s\n\nx\n' "$opts" | mh sendmail -odq $opts bob@example.com >out 2>err
	st=$?
	if [ "$st" != 0 ] || [ -s err ] || [ -s out ]; then
		diag "$opts: exit $st: $(cat err out)"
		break
	fi
	n=$((n + 1))
done
is "$n" 22 "22 accepted-and-ignored option sets: exit 0, nothing printed"
is "$(spool_count)" 22 "each one queued a message"
printf 'Subject: all\n\nx\n' | mh sendmail -odq -B 8BITMIME -N never -R hdrs -V e -L t \
    -X /dev/null -h 3 -n -U -G -Ac -O A=b -oem -om -m -- bob@example.com
is "$?:$(spool_count)" "0:23" "all of them at once"

# -f / -r / -f<> / -faddr: the envelope sender.
printf 'Subject: f\n\nx\n' | mh sendmail -odq -f ann@example.org bob@example.com
like "$(last_json)" '"sender":"ann@example.org"' "-f ADDR sets the sender"
printf 'Subject: f\n\nx\n' | mh sendmail -odq -fann2@example.org bob@example.com
like "$(last_json)" '"sender":"ann2@example.org"' "-fADDR (attached)"
printf 'Subject: r\n\nx\n' | mh sendmail -odq -r rob@example.org bob@example.com
like "$(last_json)" '"sender":"rob@example.org"' "-r ADDR sets the sender"
printf 'Subject: n\n\nx\n' | mh sendmail -odq -f '<>' bob@example.com
like "$(last_json)" '"sender":""' "-f <> is the null sender"
like "$(last_msg)" $'^From: MAILER-DAEMON@example.com\r?$' "null sender: From: MAILER-DAEMON"
printf 'Subject: n\n\nx\n' | mh sendmail -odq -f '' bob@example.com
like "$(last_json)" '"sender":""' "-f '' is the null sender too"
printf 'Subject: f\n\nx\n' | mh sendmail -odq -f 'Ann <ann@example.org>' bob@example.com
like "$(last_json)" '"sender":"ann@example.org"' "-f 'Name <addr>' takes the address"
printf 'Subject: f\n\nx\n' | mh sendmail -odq -f ann bob@example.com
like "$(last_json)" '"sender":"ann@example.com"' "-f with a bare name is qualified"

# -F: the full name of an added From:.
printf 'Subject: F\n\nx\n' | mh sendmail -odq -F 'Cron Daemon' -f cron@example.org bob@example.com
like "$(last_msg)" $'^From: Cron Daemon <cron@example.org>\r?$' "-F NAME"
printf 'Subject: F\n\nx\n' | mh sendmail -odq -FCronDaemon -f cron@example.org bob@example.com
like "$(last_msg)" $'^From: CronDaemon <cron@example.org>\r?$' "-FNAME (attached)"
printf 'Subject: F\n\nx\n' | mh sendmail -odq -F 'Jürgen' -f j@example.org bob@example.com
like "$(last_msg)" $'^From: =\\?UTF-8\\?B\\?SsO8cmdlbg==\\?= <j@example.org>\r?$' "-F non-ASCII: RFC 2047"
printf 'From: Real <real@example.org>\nSubject: F\n\nx\n' | mh sendmail -odq -F 'Cron' bob@example.com
is "$(last_msg | grep -c '^From:')" 1 "-F does not add a second From:"

# -i / -oi and the lone dot.
printf 'Subject: i\n\na\n.\nb\n' | mh sendmail -odq -i bob@example.com
like "$(last_msg | tr -d '\r' | tr '\n' '|')" '\|a\|\.\|b\|$' "-i: a lone dot is data"
printf 'Subject: i\n\na\n.\nb\n' | mh sendmail -odq -oi bob@example.com
like "$(last_msg | tr -d '\r' | tr '\n' '|')" '\|a\|\.\|b\|$' "-oi: the same"
printf 'Subject: i\n\na\n.\nb\n' | mh sendmail -odq bob@example.com
like "$(last_msg | tr -d '\r' | tr '\n' '|')" '\|a\|$' "without -i the lone dot ends the message"

# -t, bundled options, "--".
printf 'To: t1@example.com\nCc: t2@example.com\n\nx\n' | mh sendmail -odq -ti
like "$(last_json)" '"address":"t1@example.com".*"address":"t2@example.com"' "-ti: -t and -i bundled"
printf 'To: t1@example.com\n\nx\n' | mh sendmail -odq -tf t@example.org extra@example.com
j=$(last_json)
like "$j" '"sender":"t@example.org".*"address":"extra@example.com".*"address":"t1@example.com"' \
    "-tf ADDR: bundle ending in a value; argument recipients added to -t ones"
printf 'Subject: dd\n\nx\n' | mh sendmail -odq -- -oi@example.com
like "$(last_json)" '"address":"-oi@example.com"' "after -- a word starting with - is a recipient"
printf 'Subject: np\n\nx\n' | mh sendmail -odq bob@example.com -f evil@example.org
j=$(last_json)
like "$j" '"address":"-f@example.com"' "no permutation: the first recipient ends the options (as Postfix on Linux)"
unlike "$j" '"sender":"evil@example.org"' "a later -f is not an option"

# -C FILE is the only configuration file.
cat >"$TESTDIR/other.conf" <<EOC
[sender]
domain = other.example
[queue]
deliver = queue
EOC
chmod 600 "$TESTDIR/other.conf"
printf 'Subject: C\n\nx\n' | mh sendmail -C "$TESTDIR/other.conf" carol
like "$(last_json)" '"address":"carol@other.example"' "-C FILE: its domain qualifies"
printf 'Subject: C\n\nx\n' | mh sendmail -C"$TESTDIR/other.conf" dave
like "$(last_json)" '"address":"dave@other.example"' "-CFILE (attached)"

# -odq / -odb / -odi choose what happens after queueing (the server is
# down here: -odi exits 0 = queued and says on stderr that it is not yet
# delivered; -odb says nothing).
MH_CONF_BASE=no mh_conf '[upstream]
host = 127.0.0.1
port = 9
tls = none
timeout = 5s
[sender]
domain = example.com
[queue]
deliver = foreground'
export XDG_STATE_HOME=$TESTDIR/state2	# a fresh spool for these
before=$(spool_count)
printf 'Subject: q\n\nx\n' | mh sendmail -odq bob@example.com 2>err
is "$?:$(wc -c <err):$(spool_count)" "0:0:$((before + 1))" "-odq overrides deliver = foreground: queued, silent"
printf 'Subject: b\n\nx\n' | mh sendmail -odb bob@example.com 2>err
is "$?:$(wc -c <err):$(spool_count)" "0:0:$((before + 2))" "-odb: exit 0 at once, nothing on stderr"
printf 'Subject: i\n\nx\n' | mh sendmail -odi bob@example.com 2>err
is "$?" 0 "-odi with the upstream unreachable: 0 (queued; SPEC 3)"
like "$(cat err)" "^mailhop: [0-9A-Z]{20}: queued, not yet delivered" "-odi: stderr says it is not yet delivered"
is "$(spool_count)" "$((before + 3))" "-odi: the message is still queued"
