#!/bin/bash
# tests/t/1003-cron.sh: real callers.  Debian cron runs
# "sendmail -FCronDaemon -i -B8BITMIME -oem MAILTO" with a message that has
# no To: (and here no From:, so -F names the added one); cronie runs
# "sendmail -FCronDaemon -i -odi -oem -oi -t", delivering in the foreground.
. "$TESTLIB/tap.sh"
plan 15

start_smtpd
mh_conf '[sender]
domain = example.com
[aliases]
root = admin@example.com'
. "$TESTLIB/snap.sh"
me=$(id -un)

# Debian cron (MAILTO=root): 8-bit output, a lone "." in the job's output.
{
	printf 'Subject: Cron <%s@host> /usr/local/bin/backup\n' "$me"
	printf 'MIME-Version: 1.0\n'
	printf 'Content-Type: text/plain; charset=UTF-8\n'
	printf 'Content-Transfer-Encoding: 8bit\n'
	printf 'X-Cron-Env: <SHELL=/bin/sh>\n'
	printf 'X-Cron-Env: <HOME=/root>\n'
	printf 'X-Cron-Env: <LOGNAME=%s>\n' "$me"
	printf '\n'
	printf 'Sauvegarde termin\303\251e : 3 fichiers\n.\nfin\n'
} | mh sendmail -FCronDaemon -i -B8BITMIME -oem root 2>cron.err
is "$? $(wc -c <cron.err)" "0 0" "Debian cron: exit 0, nothing on stderr"
is "$(spool_count)" 1 "Debian cron: queued"
mh sendmail -q
snap
is "$(tcount)" 1 "Debian cron: delivered after a flush"
is "$(rcpts 1)" admin@example.com "Debian cron: MAILTO=root through [aliases]"
is "$(tmail 1)" "$me@example.com" "Debian cron: envelope sender user@domain"
h=$(hdrs 1)
like "$h" '^From: .*CronDaemon.*<'"$me"'@example\.com>' "Debian cron: From added with -F's full name"
unlike "$h" '^To:' "Debian cron: no To: invented"
is "$(printf '%s\n' "$h" | grep -c '^X-Cron-Env:')" 3 "Debian cron: repeated headers all kept"
is "$(body 1)" $'Sauvegarde termin\303\251e : 3 fichiers\r\n.\r\nfin\r' \
    "Debian cron: 8-bit body intact, lone dot kept (-i)"

# cronie, for the crontab of user "backup": -t with To: a bare user name,
# -odi: delivered before exit.
{
	printf 'From: "(Cron Daemon)" <backup>\n'
	printf 'To: backup\n'
	printf 'Subject: Cron <backup@host> date\n'
	printf 'Content-Type: text/plain; charset=UTF-8\n'
	printf 'Auto-Submitted: auto-generated\n'
	printf 'Precedence: bulk\n'
	printf 'X-Cron-Env: <LANG=C.UTF-8>\n'
	printf '\n'
	printf 'Tue Nov 25 00:19:50 UTC 2026\n'
} | mh sendmail -FCronDaemon -i -odi -oem -oi -t 2>cronie.err
st=$?
snap
is "$st" 0 "cronie: exit 0 (-odi: delivered in the foreground)"
is "$(tcount)" 2 "cronie: delivered before sendmail returned, no flush needed"
is "$(rcpts 2)" "backup@example.com" "cronie: bare To: name qualified with the domain"
h=$(hdrs 2)
like "$h" $'^From: "\\(Cron Daemon\\)" <backup@example.com>\r$' \
    "cronie: its From header kept, the bare name qualified (SPEC 11)"
like "$h" $'^Auto-Submitted: auto-generated\r$' "cronie: Auto-Submitted kept"
is "$(spool_count)" 0 "spool empty"
