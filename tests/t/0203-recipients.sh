#!/bin/bash
# tests/t/0203-recipients.sh: cmd_send.c, message.c, addr.c, alias.c.  Who
# the message goes to: argument lists, -t headers (and Resent-* instead),
# both together, aliases and qualification, each address once.
. "$TESTLIB/tap.sh"
plan 11

start_smtpd
mh_conf '[sender]
domain = example.com
[aliases]
root = admin@example.com
ops = root, Ops Two <ops2@example.org>'
sorted() { transcript rcpt | tr ' ' '\n' | sed -n "$1" | sort | tr '\n' ' '; }
rc() { "$PYTHON" -c 'import json, sys
t = [o for o in map(json.loads, open(sys.argv[1])) if o.get("type") == "transaction"]
print(" ".join(sorted(r["address"] for r in t[int(sys.argv[2]) - 1]["rcpts"])))' "$SMTPD_LOG" "$1"; }

printf 'Subject: 1\n\nx\n' | mh sendmail 'Ann <ann@example.org>, bob@example.org' carol
mh sendmail -q
is "$(rc 1)" "ann@example.org bob@example.org carol@example.com" "argument address lists; bare name qualified"

printf 'To: Dan <dan@example.org>, "Eve, E." <eve@example.org>\nCc: team: fay@example.org, gus@example.org;, undisclosed-recipients:;\nTo: (comment) hal@example.org\n\nx\n' |
    mh sendmail -t
mh sendmail -q
is "$(rc 2)" "dan@example.org eve@example.org fay@example.org gus@example.org hal@example.org" \
    "-t: display names, quoted commas, groups, comments, repeated To"

printf 'To: ivy@example.org\n\nx\n' | mh sendmail -t jack@example.org
mh sendmail -q
is "$(rc 3)" "ivy@example.org jack@example.org" "-t with argument recipients: both (Postfix)"

printf 'To: kim@example.org\nCc: lee@example.org\nResent-From: me@example.org\nResent-To: max@example.org\nResent-Cc: ned@example.org\n\nx\n' |
    mh sendmail -t
mh sendmail -q
is "$(rc 4)" "max@example.org ned@example.org" "-t with Resent-*: only Resent-To/Cc/Bcc"

printf 'To: root, ops\nCc: ROOT\n\nx\n' | mh sendmail -t admin@EXAMPLE.com
mh sendmail -q
is "$(rc 5)" "admin@EXAMPLE.com ops2@example.org" \
    "aliases, recursion, duplicates once (domain case-insensitive; first spelling kept)"
is "$(transcript commands | grep -ci '^RCPT TO:<admin@example.com>')" 1 "the duplicate got one RCPT"

printf 'To: Same <same@example.org>\nCc: same@example.org\nBcc: same@example.org\n\nx\n' | mh sendmail -t same@example.org
mh sendmail -q
is "$(rc 6)" "same@example.org" "one address in To, Cc, Bcc and argv: sent once"

# No recipients anywhere: 65, nothing queued.
out=$(printf 'Subject: none\n\nx\n' | mh sendmail 2>&1)
is "$?:$out" "65:mailhop: no recipients" "no recipients: 65"
out=$(printf 'Subject: none\nTo: undisclosed-recipients:;\n\nx\n' | mh sendmail -t 2>&1)
is "$?:$out" "65:mailhop: no recipients (none given and none in To, Cc or Bcc)" "-t and none found: 65"
out=$(printf 'To: a@example.org\n\nx\n' | mh sendmail '' 2>&1)
is "$?" 65 "an empty argument is no recipient"
is "$(spool_count)" 0 "nothing left queued"
