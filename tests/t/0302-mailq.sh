#!/bin/bash
# cmd_queue.c: mailq / -bp / mailhop queue list what is queued (id, size,
# arrival, sender, pending and failed recipients under their last reply,
# a total line); --json gives one object per line in the documented
# shape; show prints the envelope and the message; a damaged envelope is
# shown as a line of its own, not hidden and not fatal.
. "$TESTLIB/tap.sh"
plan 40

start_smtpd --reply $'RCPT slow@* 451 4.3.0 try later <\x1b[31m>' \
    --reply 'RCPT gone@* 550 5.1.1 no such user' || bail "no smtpd"
mh_conf "[log]
syslog = no"
sp=$XDG_STATE_HOME/mailhop

out=$(mh mailq)
is "$?" 0 "mailq on an empty (new) spool"
is "$out" "Mail queue is empty" "says the queue is empty"

printf 'Subject: one\n\nbody one\n' |
    mh sendmail -odq -f alice@example.org bob@example.com carol@example.com
printf 'Subject: two\n\nbody two\n' | mh sendmail -odq -f '<>' dan@example.com
ids=($(cd "$sp" && ls *.e | sed 's/\.e$//'))
is "${#ids[@]}" 2 "two entries queued"
a=${ids[0]}; b=${ids[1]}
size_a=$(stat -c %s "$sp/$a.m"); size_b=$(stat -c %s "$sp/$b.m")

out=$(mh mailq)
is "$?" 0 "mailq exits 0"
like "$out" "^-Queue ID-" "a header line"
like "$out" "^$a +$size_a [A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2}  alice@example.org$" \
    "first entry: id, size, arrival, sender"
like "$out" "^$b +$size_b .*  <>$" "null sender shown as <>"
like "$out" "^ {52}bob@example.com$" "recipient bob listed"
like "$out" "^ {52}carol@example.com$" "recipient carol listed"
kb=$(( (size_a + size_b + 1023) / 1024 ))
is "$(printf '%s\n' "$out" | tail -n 1)" "-- $kb Kbytes in 2 Requests." "total line"
first=$(printf '%s\n' "$out" | grep -n "^$a" | cut -d: -f1)
second=$(printf '%s\n' "$out" | grep -n "^$b" | cut -d: -f1)
ok $([ "$first" -lt "$second" ]; echo $?) "oldest entry first"
is "$(mh sendmail -bp)" "$out" "sendmail -bp prints the same"
is "$(mh mailhop queue)" "$out" "mailhop queue prints the same"
is "$(mh mailhop list)" "$out" "mailhop list prints the same"

# A delivery attempt: one deferred (with a hostile reply), one failed, one sent.
mh mailhop delete "$b"
printf 'Subject: three\n\nbody three\n' |
    mh sendmail -odq -f '<>' ok@example.com slow@example.com gone@example.com
c=$(cd "$sp" && ls *.e | sed 's/\.e$//' | grep -v "$a")
mh sendmail -qI "$c" 2>/dev/null
is "$(transcript accepted)" "ok@example.com" "ok@ delivered, the others not"
out=$(mh mailq)
like "$out" "^ {52}\(451 4.3.0 try later < ?\[31m>\)$" \
    "pending recipient under its last reply, control bytes stripped"
like "$out" "^ {52}slow@example.com$" "pending recipient listed"
like "$out" "^ {52}\(failed: 550 5.1.1 no such user\)$" "failed recipient's reply"
unlike "$out" "ok@example.com" "a delivered recipient is not listed"
unlike "$out" $'\x1b' "no escape byte reaches the terminal"

json=$(mh mailhop queue --json)
is "$?" 0 "queue --json exits 0"
check=$(printf '%s\n' "$json" | "$PYTHON" -c '
import json, sys, re, datetime
lines = sys.stdin.read().splitlines()
print(len(lines))
for l in lines:
    o = json.loads(l)
    print(o["id"], o["size"], o["sender"] or "<>", o["state"],
          datetime.datetime.fromisoformat(o["arrival"]).tzinfo is not None)
    for r in o["recipients"]:
        na = r["next_attempt"]
        if na is not None:
            datetime.datetime.fromisoformat(na)
        print(" ", r["address"], r["state"], r["attempts"],
              "null" if na is None else "time", r["last_reply"])
')
is "$(printf '%s\n' "$check" | head -n 1)" 2 "one JSON object per line"
like "$check" "^$a $size_a alice@example.org queued True$" \
    "entry a: id, size, sender, state, RFC 3339 arrival with zone"
like "$check" "^  bob@example.com pending 0 time None$" \
    "a pending recipient: attempts 0, a next_attempt, last_reply null"
like "$check" "^$c [0-9]+ <> queued True$" "entry c: null sender is \"\""
like "$check" "^  ok@example.com sent 1 null 250 " "sent: next_attempt null, its reply"
like "$check" "^  slow@example.com pending 1 time 451 4.3.0 try later" \
    "deferred: attempts 1, next_attempt, last reply"
like "$check" "^  gone@example.com failed 1 null 550 5.1.1 no such user$" "failed"

# show
out=$(mh mailhop show "$a")
is "$?" 0 "show exits 0"
like "$out" "^sender: <alice@example.org>$" "show: the sender"
like "$out" "^recipient: carol@example.com pending attempts=0$" "show: a recipient"
mh mailhop show "$a" | tail -c "$size_a" | cmp -s - "$sp/$a.m"
ok $? "show ends with the message bytes as queued"

# A damaged envelope: shown by id, the rest still listed.
printf 'mailhop-envelope 1\nid %s\narrival 12' "$a" >"$sp/$a.e"
out=$(mh mailq 2>&1)
like "$out" "^$a\? queue entry $a: damaged envelope: .*truncated" \
    "mailq names the damaged entry"
like "$out" "^ {52}slow@example.com$" "and still lists the good one"
json=$(mh mailhop queue --json 2>"$TESTDIR/json.err")
is "$?" 0 "queue --json still exits 0"
is "$(cat "$TESTDIR/json.err")" "mailhop: queue entry $a: damaged envelope: line 3: truncated line \"arrival 12\"" \
    "--json names the damaged entry on stderr"
is "$(printf '%s\n' "$json" | "$PYTHON" -c '
import json, sys
print(" ".join(json.loads(l)["id"] for l in sys.stdin))')" "$c" \
    "and stdout holds the good entries, valid JSON"

# mailq takes sendmail's options: -C names another configuration (here one
# whose spool holds a single entry of its own); a bad option is refused.
other=$TESTDIR/other.conf
printf '[queue]\ndir = %s/other-spool\ndeliver = queue\n' "$TESTDIR" > "$other"
printf 'Subject: other\n\nx\n' | mh sendmail -C "$other" -f zed@example.org other@example.net
out=$(mh mailq -C "$other")
like "$out" "other@example.net" "mailq -C FILE lists that configuration's spool"
unlike "$out" "$c" "and not the default one"
err=$(mh mailq -y 2>&1)
is "$?:$err" "64:mailhop: unknown option \"-y\" (usage: sendmail [-t] [-i] [-f sender] [-F name] [-C file] [-bm|-bp|-bs|-bv|-bi] [-odb|-odi|-odq] [-q[time]] [-v] [--] recipient...)" \
    "mailq -y: exit 64 naming the option"
