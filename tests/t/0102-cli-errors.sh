#!/bin/bash
# tests/t/0102-cli-errors.sh: cli.c, cmd_send.c, main.c.  Bad command lines:
# exit 64 and one "mailhop: ..." line naming the option; -bd/-bD refused;
# -C with a missing file is 66.  Nothing is read or queued in any case.
. "$TESTLIB/tap.sh"
plan 15

mh_conf '[sender]
domain = example.com'
U='(usage: sendmail [-t] [-i] [-f sender] [-F name] [-C file] [-bm|-bp|-bs|-bv|-bi] [-odb|-odi|-odq] [-q[time]] [-v] [--] recipient...)'

# try ARGS...: "status|stderr" of sendmail ARGS with a message on stdin
try() {
	local o
	o=$(printf 'Subject: x\n\nx\n' | mh sendmail "$@" 2>&1 >/dev/null)
	echo "$o|$?"
}

is "$(try -y bob@example.com)" "mailhop: unknown option \"-y\" $U|64" "unknown option: 64, named, usage on the same line"
is "$(try -ti -Z bob@example.com)" "mailhop: unknown option \"-Z\" $U|64" "unknown letter after good ones"
is "$(try -tiy bob@example.com)" "mailhop: unknown option \"-y\" $U|64" "unknown letter inside a bundle"
is "$(try --verbose bob@example.com)" "mailhop: unknown option \"--verbose\" $U|64" "long options are unknown"
is "$(try -bd)" "mailhop: mailhop does not run as a daemon (-bd)|64" "-bd refused"
is "$(try -bD)" "mailhop: mailhop does not run as a daemon (-bD)|64" "-bD refused"
is "$(try -bz)" "mailhop: unknown option \"-bz\" $U|64" "unknown -b mode"
is "$(try -i -f)" "mailhop: option \"-f\" requires an argument $U|64" "-f without its value"
is "$(try -qZ)" "mailhop: unknown option \"-qZ\" $U|64" "unknown -q form"
is "$(try -bp bob@example.com)" 'mailhop: -bp takes no recipients (first one: "bob@example.com")|64' \
    "-bp with recipients (as Postfix)"
is "$(try -q bob@example.com)" 'mailhop: -q takes no recipients (first one: "bob@example.com")|64' \
    "-q with recipients"
out=$(try -C "$TESTDIR/nope.conf" bob@example.com)
like "$out" "^mailhop: .*nope\.conf.*\|66$" "-C with a missing file: 66, naming it"
is "$(printf '%s' "$out" | wc -l)" 0 "one line"
is "$(spool_count)" 0 "nothing queued by any of them"

# stdin is not read when the command line is bad: a writer into a pipe
# whose reader exits at once gets EPIPE rather than being drained.
st=$( (yes 'x' | head -c 2000000; echo "w=$?" >&2) 2>&1 >/dev/null | mh sendmail -y bob@example.com 2>/dev/null; echo "s=$?")
like "$st" 's=64' "the message is not read before the options are checked"
