#!/bin/bash
# tests/t/0311-root-view.sh: cmd_queue.c, spools.c, main.c.  SPEC 8: as
# root, mailq, queue [--json] (with "user"), show, delete, hold, release
# and sendmail -qI cover every user's spool under the system spool root,
# root's own included; other users see and touch only their own.
. "$TESTLIB/tap.sh"
. "$TESTLIB/setid.sh"
setid_or_skip 30

start_smtpd || bail "no smtpd"
setid_setup
setid_user ann
setid_user bob
sys_conf
sys_secret
R=$SYS/var/spool/mailhop

for u in "$ann" "$bob" "$ann"; do
	printf 'Subject: from %s\n\nhi\n' "$u" |
	    as_user "$u" "$SBIN/mailhop" send -f "$u@example.org" carol@example.net
done
# Root's own mail ([queue] dir = ROOT/%u holds for root too).
printf 'Subject: root\n\nhi\n' | "$SBIN/mailhop" send -f root@example.org dave@example.net
ids() { (cd "$1" && ls ./*.e 2>/dev/null | sed 's|^\./||; s|\.e$||'); }
a1=$(ids "$R/$ann" | head -1); a2=$(ids "$R/$ann" | tail -1)
b1=$(ids "$R/$bob")
r1=$(ids "$R/root")

out=$("$SBIN/mailhop" queue)
is "$(printf '%s\n' "$out" | grep -c '^[0-9A-Z]\{20\} ')" 4 "root's mailq lists all four entries"
like "$out" "^$b1 .* $bob@example.org  \(user $bob\)$" "each with its owner"
like "$out" "^$r1 .* root@example.org$" "root's own spool too, without an owner column"
like "$out" "^-- 1 Kbytes in 4 Requests\.$" "one total for all"
is "$("$SBIN/mailhop" queue --all | grep -c '^[0-9A-Z]\{20\} ')" 4 "queue --all: the same"
json=$("$SBIN/mailhop" queue --json)
is "$(printf '%s\n' "$json" | "$PYTHON" -c '
import json, sys
print(" ".join(sorted(json.loads(l)["user"] for l in sys.stdin)))')" \
    "$(printf '%s\n' "$ann" "$ann" "$bob" root | sort | tr '\n' ' ' | sed 's/ $//')" \
    "queue --json: one object per entry, each with its user"

out=$(as_user "$bob" "$SBIN/mailhop" queue)
is "$(printf '%s\n' "$out" | grep -c '^[0-9A-Z]\{20\} ')" 1 "a user's mailq: only their own entry"
unlike "$out" "\(user " "and no owner column"
like "$(as_user "$bob" "$SBIN/mailhop" queue --json)" "\"user\":\"$bob\"" "their JSON names them"
o=$(as_user "$bob" "$SBIN/mailhop" queue --all 2>&1)
is "$?|$o" "77|mailhop: queue --all: only root sees every user's queue" "queue --all as a user: 77"

out=$("$SBIN/mailhop" show "$b1")
like "$out" "^user: $bob$" "root's show finds bob's entry and names him"
like "$out" "^Subject: from $bob" "with the message"
o=$(as_user "$ann" "$SBIN/mailhop" show "$b1" 2>&1)
is "$?|$o" "67|mailhop: queue id \"$b1\" not found" "ann cannot see bob's entry"
o=$(as_user "$ann" "$SBIN/mailhop" delete "$b1" 2>&1)
is "$?:$(ids "$R/$bob")" "67:$b1" "nor delete it"

"$SBIN/mailhop" hold "$a1"
is "$?" 0 "root holds ann's entry"
like "$(as_user "$ann" "$SBIN/mailhop" queue)" "^$a1!" "ann sees it held"
is "$(stat -c %U "$R/$ann/$a1.e")" "$ann" "the rewritten envelope is ann's, not root's"
"$SBIN/mailhop" release "$a1"
unlike "$(as_user "$ann" "$SBIN/mailhop" queue)" "^$a1!" "root releases it"

"$SBIN/mailhop" delete "$a2" "$r1"
is "$?:$(ids "$R/$ann"):$(ids "$R/root")" "0:$a1:" "root deletes from two spools in one call"
o=$("$SBIN/mailhop" delete 0AAAAAAAAAAAAAAAAAAA 2>&1)
is "$?|$o" '67|mailhop: queue id "0AAAAAAAAAAAAAAAAAAA" not found' "an id in no spool: 67"

ln -s mailhop "$SBIN/sendmail"
"$SBIN/sendmail" -qI "$b1"
is "$?:$(transcript delivered)" "0:carol@example.net" "root's sendmail -qI delivers bob's entry"
is "$(transcript mail)" "$bob@example.org" "as bob's mail"
is "$(ids "$R/$bob")" "" "and it is gone from bob's spool"
o=$("$SBIN/sendmail" -qI 0AAAAAAAAAAAAAAAAAAA 2>&1)
is "$?|$o" '67|mailhop: queue id "0AAAAAAAAAAAAAAAAAAA" not found' "root's -qI of an unknown id: 67"

# Root's view of a hostile spool: ann's message swapped for a link to a
# file of root's, then for a hard link to it (made by root here: with
# protected_hardlinks a user cannot), and a FIFO pair.  show, hold and
# delete work in a child that is ann: root's file is neither read nor
# changed, and nothing hangs.
printf 'Subject: ann\n\nhi\n' | as_user "$ann" "$SBIN/mailhop" send -f "$ann@example.org" carol@example.net
h=$(ids "$R/$ann" | grep -v "^$a1$")
RF=$TESTDIR/rootfiles
mkdir -m 700 "$RF"
printf 'Subject: ROOTSECRET\r\n\r\nROOTSECRET-body\r\n' > "$RF/msg"
chmod 600 "$RF/msg"
snap() { stat -c '%U:%G %a %h %s %Y' "$RF/msg"; sha256sum < "$RF/msg"; }
as_user "$ann" rm "$R/$ann/$h.m"
as_user "$ann" ln -s "$RF/msg" "$R/$ann/$h.m"
o=$("$SBIN/mailhop" show "$h" 2>&1)
is "$?" 74 "root's show of an entry whose message is a link: 74"
unlike "$o" ROOTSECRET "and root's file is not shown"
rm "$R/$ann/$h.m"
ln "$RF/msg" "$R/$ann/$h.m"
before=$(snap)
o=$("$SBIN/mailhop" show "$h" 2>&1; "$SBIN/mailhop" hold "$h" 2>&1; "$SBIN/mailhop" delete "$h" 2>&1)
unlike "$o" ROOTSECRET "a hard link to root's file: show, hold and delete do not read it"
is "$(snap)" "$before" "nor change it (owner, mode, links, size, time, content)"
mkfifo "$R/$ann/0AAAAAAAAAAAAAAAAAA3.e" "$R/$ann/0AAAAAAAAAAAAAAAAAA3.m"
chown "$ann:" "$R/$ann"/0AAAAAAAAAAAAAAAAAA3.*
o=$(timeout 30 "$SBIN/mailhop" queue 2>&1)
is "$?" 0 "a FIFO pair in a spool: root's mailq does not hang"
like "$o" "^0AAAAAAAAAAAAAAAAAA3\? .*damaged envelope" "and shows the entry as damaged"
