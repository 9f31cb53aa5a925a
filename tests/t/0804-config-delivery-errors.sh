#!/bin/bash
# tests/t/0804-config-delivery-errors.sh: conf.c, deliver.c,
# deliver_main.c, cmd_admin.c.  SPEC 7 (revision 2): a mistake in a
# section only delivery uses ([upstream], [upstream.NAME], [route], [log])
# does not stop queueing or the queue tools; `mailhop config`, `mailhop
# test` and `mailhop flush` report it with exit 78; the delivery records
# it as every due entry's last reply, like a connection failure (the
# attempt counts, backoff applies) and sends nothing.  A mistake in
# [sender], [aliases] or [queue] still queues nothing.
. "$TESTLIB/tap.sh"
plan 49

start_smtpd || bail "no smtpd"
f="$TESTDIR/typo.conf"
# conf TEXT: the working base (mh_conf's) plus TEXT, in $f
conf() {
    mh_conf "$1"
    cp "$MAILHOP_CONFIG" "$f"
    export MAILHOP_CONFIG="$f"
}

conf $'[upstream]\nhots = smtp.example.com'
line=$(grep -n '^hots' "$f" | cut -d: -f1)
want="$f:$line: unknown key \"hots\" in [upstream]"
printf 'Subject: typo\n\nhello\n' | mh sendmail -odq bob@example.net
is "$?" 0 "a typo in [upstream]: sendmail still queues (exit 0)"
is "$(spool_count)" 1 "the message is in the queue"
ID=$(mh mailhop queue --json | sed -n 's/.*"id": *"\([^"]*\)".*/\1/p')
out=$(mh mailq 2>&1)
is "$?" 0 "mailq works"
like "$out" "^$ID " "and lists it"
mh mailhop show "$ID" >/dev/null 2>&1
is "$?" 0 "show works"
mh mailhop hold "$ID" >/dev/null 2>&1 && mh mailhop release "$ID" >/dev/null 2>&1
is "$?" 0 "hold and release work"

out=$(mh mailhop config 2>"$TESTDIR/err")
is "$?" 78 "mailhop config: exit 78"
is "$(cat "$TESTDIR/err")" "mailhop: $want" "one line naming file, line and key"
is "$out" "" "nothing on stdout"
err=$(mh mailhop test 2>&1)
is "$?" 78 "mailhop test: exit 78"
is "$err" "mailhop: $want" "the same line"

err=$(mh mailhop flush 2>&1)
is "$?" 78 "mailhop flush: exit 78"
is "$err" "mailhop: $want" "naming the mistake"
is "$(transcript connections)" 0 "nothing was sent: not even a connection"
is "$(spool_count)" 1 "the entry is still queued"
like "$(mh mailq)" "\\($f:$line: unknown key \"hots\" in \\[upstream\\]\\)" \
    "its last reply in mailq names file, line and key"
json=$(mh mailhop queue --json)
like "$json" '"attempts": *1' "the attempt is counted"
next=$(printf '%s\n' "$json" | "$PYTHON" -c '
import json, sys, datetime
o = json.loads(sys.stdin.readline())
n = datetime.datetime.fromisoformat(o["recipients"][0]["next_attempt"])
print("later" if n > datetime.datetime.now(n.tzinfo) else "now")')
is "$next" "later" "and the next one is backed off"

# Fixed: the same entry goes out at the next flush.
conf ""
mh sendmail -qI "$ID" >/dev/null 2>&1
is "$(transcript delivered)" "bob@example.net" "after the fix it is delivered"
is "$(spool_count)" 0 "and the queue is empty"

# [log], [route], [upstream.NAME]: each queues, and flush names it.
check_queues() { # CONF_TEXT GREP_PATTERN DESC
    conf "$1"
    printf 'Subject: x\n\nhi\n' | mh sendmail -odq carol@example.net
    ok $? "$3: queued"
    err=$(mh mailhop flush 2>&1)
    like "$err" "^mailhop: $f:[0-9]+: $2" "$3: flush exits $? naming it"
}
check_queues $'[log]\nsyslog = maybe' 'bad value "maybe" for "syslog" in \[log\]' "[log]"
check_queues $'[route]\n* = nowhere' 'unknown upstream "nowhere" in the route for "\*" in \[route\]' \
    "[route] naming no upstream"
check_queues $'[route]\nshop.example = default' 'bad route pattern "shop.example"' \
    "[route] with a bad pattern"
check_queues $'[upstream.Backup]\nhost = x' 'bad upstream name "Backup"' \
    "a bad [upstream.NAME]"
is "$(transcript connections)" 1 "none of them connected (only the fixed flush did)"

# The mistakes of [route] and [upstream.NAME] in full (SPEC 7 rev. 2, 9):
# mailhop config and mailhop test exit 78 with the one line naming file,
# line and key; the front end queues; the delivery records the same line
# as the entry's last reply, and sends nothing.
lineof() { grep -n -- "$1" "$f" | tail -1 | cut -d: -f1; }
reply_of() { # ADDRESS: last_reply and attempts of its entry in queue --json
    mh mailhop queue --json | "$PYTHON" -c '
import json, sys
for o in map(json.loads, sys.stdin):
    for r in o["recipients"]:
        if r["address"] == sys.argv[1]:
            print(r["attempts"], r["last_reply"])' "$1"
}
check_full() { # MESSAGE DESC RCPT: the configuration is in $f already
    local want="$f:$1" n
    out=$(mh mailhop config 2>"$TESTDIR/err")
    is "$?:$out" "78:" "$2: mailhop config exits 78, nothing on stdout"
    is "$(cat "$TESTDIR/err")" "mailhop: $want" "$2: one line naming file, line and key"
    err=$(mh mailhop test 2>&1)
    is "$?:$err" "78:mailhop: $want" "$2: mailhop test exits 78 with the same line"
    n=$(spool_count)
    printf 'Subject: %s\n\nhi\n' "$2" | mh sendmail -odq "$3"
    is "$?:$(spool_count)" "0:$((n + 1))" "$2: the front end queues"
    mh mailhop flush >/dev/null 2>&1
    is "$(reply_of "$3")" "1 $want" \
        "$2: the delivery records it as the entry's last reply (attempt counted)"
}
conf $'[route]\n*@shop.example = default\n* = default, ses'
check_full "$(lineof '^\* = default, ses'): unknown upstream \"ses\" in the route for \"*\" in [route] (no [upstream.ses] section)" \
    "route: unknown upstream" r1@example.net
conf $'[route]\n*@shop.example = default\n*@Shop.example = default'
check_full "$(lineof '^\*@Shop'): duplicate pattern \"*@Shop.example\" in [route] (first set on line $(lineof '^\*@shop'))" \
    "route: duplicate pattern" r2@example.net
conf $'[upstream.ses_EU]\nhost = x'
check_full "$(lineof '^\[upstream.ses_EU\]'): bad upstream name \"ses_EU\" in [upstream.ses_EU]: expected 1 to 32 of a-z 0-9 _ -" \
    "a bad upstream name" r3@example.net
is "$(transcript connections)" 1 "none of them connected"

# -odi: queued; the reason is on stderr.
conf $'[upstream]\ntls_verify = perhaps'
n=$(spool_count)
err=$(printf 'Subject: y\n\nhi\n' | mh sendmail -odi dave@example.net 2>&1)
like "$err" 'deferred \(.*bad value "perhaps" for "tls_verify" in \[upstream\]' \
    "-odi: the deferral names the mistake"
is "$(spool_count)" $((n + 1)) "and the message is queued"

# [sender], [aliases], [queue]: nothing is queued.
conf $'[sender]\nfrom = not an address'
printf 'Subject: z\n\nhi\n' | mh sendmail -odq erin@example.net 2>/dev/null
is "$?" 78 "a mistake in [sender] still stops queueing (78)"
is "$(spool_count)" $((n + 1)) "nothing queued"
