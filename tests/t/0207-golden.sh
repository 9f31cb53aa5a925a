#!/bin/bash
# tests/t/0207-golden.sh: message.c, rfc5322.c.  Each tests/data/msg/NAME.eml
# queued with "sendmail -i" must give exactly NAME.want as the spool's
# message file (ID.m, spool.h): line endings, folding, Bcc, dots, groups.
. "$TESTLIB/tap.sh"
files=("$TESTDATA"/msg/*.eml)
plan ${#files[@]}

mh_conf '[sender]
domain = example.com'
for f in "${files[@]}"; do
	name=$(basename "$f" .eml)
	mh sendmail -i -odq rcpt@example.com <"$f"
	id=$(mh mailhop queue --json | tail -n 1 | sed 's/^{"id":"\([^"]*\)".*/\1/')
	if cmp -s "$XDG_STATE_HOME/mailhop/$id.m" "${f%.eml}.want"; then
		ok 0 "$name"
	else
		ok 1 "$name"
		diag "got:  $(od -c "$XDG_STATE_HOME/mailhop/$id.m" | head -n 20)"
		diag "want: $(od -c "${f%.eml}.want" | head -n 20)"
	fi
done
