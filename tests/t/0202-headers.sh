#!/bin/bash
# tests/t/0202-headers.sh: message.c, rfc5322.c.  From/Date/Message-ID are
# added once when missing and never twice; nothing is reordered; Bcc and
# Resent-Bcc (with their folded lines) never reach the server; a message
# without a header section, and an empty one, get the headers too.
. "$TESTLIB/tap.sh"
plan 20

start_smtpd
mh_conf '[sender]
domain = example.com'
hdrs() { transcript data "$1" | sed '/^\r$/q'; }
body() { transcript data "$1" | sed '1,/^\r$/d'; }
cnt() { hdrs "$1" | grep -ci "^$2:"; }
rc() { "$PYTHON" -c 'import json, sys
t = [o for o in map(json.loads, open(sys.argv[1])) if o.get("type") == "transaction"]
print(" ".join(sorted(r["address"] for r in t[int(sys.argv[2]) - 1]["rcpts"])))' "$SMTPD_LOG" "$1"; }

# Queue them all, then one flush: transaction N is the Nth message.
printf 'Subject: plain\nX-Custom: 1\n\nhello\n' | mh sendmail -F 'Ann Example' -f ann@example.org bob@example.com
printf 'FROM: x@example.org\ndate: Thu, 1 Jan 2026 00:00:00 +0000\nmessage-id: <given@x>\nSubject: s\n\nb\n' |
    mh sendmail -F Nobody bob@example.com
printf 'Subject: a\n\nb\n' | mh sendmail bob@example.com
printf 'Subject: b\n\nb\n' | mh sendmail bob@example.com
printf 'To: to@example.com\nBcc: hidden1@example.com,\n hidden2@example.com\nSubject: bcc\nbcc: hidden3@example.com\nX-After: kept\n\nBcc: in the body stays\n' |
    mh sendmail -t -i
printf 'Resent-To: r@example.com\nResent-Bcc: rb@example.com,\n\trb2@example.com\nSubject: resent\n\nx\n' | mh sendmail -t
printf 'To: a@example.com\nBcc: b@example.com\nSubject: m\n\nx\n' | mh sendmail -i a@example.com b@example.com
printf 'This is not a header\nSubject: body\n' | mh sendmail bob@example.com
printf 'Subject: s\nnot a header\n' | mh sendmail bob@example.com
mh sendmail bob@example.com </dev/null
mh sendmail -q

# 1. Nothing given: all three added, once, after the given headers.
is "$(cnt 1 From) $(cnt 1 Date) $(cnt 1 Message-ID)" "1 1 1" "added: From, Date, Message-ID once each"
like "$(hdrs 1 | head -n 2 | tr -d '\r' | tr '\n' '|')" '^Subject: plain\|X-Custom: 1\|$' "given headers first, in order"
like "$(hdrs 1)" $'^From: Ann Example <ann@example.org>\r$' "From: -F name and the envelope sender"
like "$(hdrs 1)" $'^Date: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{1,2} [A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} [-+][0-9]{4}\r$' \
    "Date: RFC 5322 form"
like "$(hdrs 1)" $'^Message-ID: <[^@<> ]+@example\\.com>\r$' "Message-ID: <unique@domain>"
is "$(body 1)" $'hello\r' "body unchanged"

# 2. All given (any case): none added.
is "$(hdrs 2 | tr -d '\r' | tr '\n' '|')" 'FROM: x@example.org|date: Thu, 1 Jan 2026 00:00:00 +0000|message-id: <given@x>|Subject: s||' \
    "all present: the header section is untouched"

# 3. Message-IDs differ between messages.
isnt "$(hdrs 3 | grep '^Message-ID')" "$(hdrs 4 | grep '^Message-ID')" "each message gets its own Message-ID"

# 4. Bcc and Resent-Bcc removed with their continuation lines; -t read them.
h=$(hdrs 5)
unlike "$h" '(hidden|^[Bb]cc)' "Bcc headers and their folded lines removed"
like "$(printf '%s' "$h" | tr -d '\r' | tr '\n' '|')" '^To: to@example.com\|Subject: bcc\|X-After: kept\|' "the others kept, in order"
is "$(body 5)" $'Bcc: in the body stays\r' "a Bcc: line in the body is body"
is "$(rc 5)" "hidden1@example.com hidden2@example.com hidden3@example.com to@example.com" \
    "-t sent to the Bcc recipients"
unlike "$(hdrs 6)" '(Resent-Bcc|rb2?@)' "Resent-Bcc removed with its folded line"
# bsd-mailx leaves Bcc in the message and passes recipients as arguments
unlike "$(hdrs 7)" '^Bcc' "Bcc removed without -t too"

# 5. No header section: the first line is no header.
like "$(transcript data 8 | head -n 1)" '^From: ' "no header section: headers added at the top"
is "$(body 8)" $'This is not a header\r\nSubject: body\r' "no header section: everything is body, after a blank line"

# 6. Headers end at a line that is no header: a blank line separates.
is "$(body 9)" $'not a header\r' "header section ended by a non-header line: it becomes body"

# 7. Empty stdin: an empty body, headers added.
is "$(cnt 10 From) $(cnt 10 Date) $(cnt 10 Message-ID)" "1 1 1" "empty stdin: headers added"
is "$(body 10 | wc -c)" 0 "empty stdin: empty body"
is "$(transcript data 10 | tail -c 5 | od -An -c | tr -d ' ')" '>\r\n\r\n' "empty stdin: header section ends with the blank line"
