#!/bin/bash
# tests/t/0105-help.sh: main.c's command table, cli.c's help, request.c.
# `mailhop --help` lists every sub-command (printed from the table);
# `sendmail --help` prints the usage and exits 0 (it used to be "unknown
# option"); a sub-command given the wrong words names the word and its own
# usage; mailhop-deliver refuses a request it cannot decode.
. "$TESTLIB/tap.sh"
plan 16

mh_conf

out=$(mh mailhop --help 2>&1); st=$?
is "$st" 0 "mailhop --help: exit 0"
for c in send flush queue list show delete hold release test config; do
	printf '%s\n' "$out" | grep -Eq "^  $c( |\$)" || missing="$missing $c"
done
is "${missing:-none}" none "every sub-command has its line"

out=$(mh sendmail --help 2>"$TESTDIR/err"); st=$?
is "$st:$(wc -c < "$TESTDIR/err")" "0:0" "sendmail --help: exit 0, nothing on stderr"
like "$out" '^usage: sendmail ' "the usage line first"
like "$out" '^  -odi ' "then the options, -odi among them"
out=$(mh mailq --help 2>&1); st=$?
like "$st:$out" '^0:usage: sendmail ' "mailq --help too"
is "$(spool_count)" 0 "--help queued nothing (and read no stdin)"

try() {
	local o
	o=$(mh mailhop "$@" 2>&1 </dev/null)
	echo "$?|$o"
}
is "$(try show)" '64|mailhop: show: missing argument (usage: mailhop show ID)' \
    "show without its ID"
is "$(try config extra)" '64|mailhop: config: unexpected argument "extra" (usage: mailhop config)' \
    "config with an extra word"
is "$(try queue --jsn)" '64|mailhop: queue: unknown option "--jsn" (usage: mailhop queue [--json] [--all])' \
    "an option the command does not take"
is "$(try flush --json)" '64|mailhop: flush: unknown option "--json" (usage: mailhop flush [-v] [--watch] [--all])' \
    "another command's option"
is "$(try frob)" '64|mailhop: unknown command "frob" (see mailhop --help)' \
    "an unknown command"
is "$(try queue --json -- )" '0|' "-- ends the options (empty queue, no output)"

# The helper's argv is a struct request and nothing else.
o=$("$MAILHOP_DELIVER" 2>&1); st=$?
like "$st|$o" '^64\|mailhop: mailhop-deliver: no operation' "helper: no operation"
o=$("$MAILHOP_DELIVER" flush -C /etc/passwd 2>&1); st=$?
is "$st|$o" '64|mailhop: mailhop-deliver flush: unknown option "-C"' "helper: an unknown option"
o=$("$MAILHOP_DELIVER" test --id X 2>&1); st=$?
is "$st|$o" '64|mailhop: mailhop-deliver test: unknown option "--id"' \
    "helper: an option of another operation"
