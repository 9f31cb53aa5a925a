#!/bin/bash
# tests/t/0523-setid-shared-rate.sh: deliver_main.c (dm_shared_*), state.c
# (state_pin), rate.c.  SPEC 9: for an upstream of the system
# configuration on a multi-user system the rate is counted once for all
# users: the window lives under the system spool root (.state, root:mailhop
# 0770, made by root's flush --all), opened by the set-id helper with its
# group before it drops it.  A user can neither open nor replace it.
. "$TESTLIB/tap.sh"
. "$TESTLIB/setid.sh"
setid_or_skip 15

start_smtpd || bail "no smtpd"
setid_setup
setid_user ann
setid_user bob
sys_conf "[upstream]
rate = 2/h"
sys_secret
S=$SYS/var/spool/mailhop/.state

send_as() {
	printf 'Subject: r\n\nx\n' | as_user "$1" "$SBIN/mailhop" send -f "$1@example.org" carol@example.net
}
last_reply() {
	as_user "$1" "$SBIN/mailhop" queue --json | "$PYTHON" -c '
import json, sys
for l in sys.stdin:
    print(json.loads(l)["recipients"][0]["last_reply"], json.loads(l)["recipients"][0]["attempts"])'
}

"$SBIN/mailhop" flush --all
is "$?" 0 "root's flush --all (nothing queued yet)"
is "$(stat -c '%U:%G %a' "$S")" "root:$MH_GROUP 770" "it made the shared state directory, root:$MH_GROUP 0770"
is "$(stat -c '%U:%G %a' "$S/rate.default" "$S/rate.default.lock" | sort -u)" "root:$MH_GROUP 660" \
    "and the files of the system upstream's window, root's"

send_as "$ann"; send_as "$ann"
as_user "$ann" "$SBIN/mailhop" flush >/dev/null 2>&1
is "$(transcript count)" 2 "ann's two messages use the two slots of the hour"
send_as "$bob"
as_user "$bob" "$SBIN/mailhop" flush >/dev/null 2>&1
is "$(transcript count)" 2 "bob's message waits: the window is shared"
like "$(last_reply "$bob")" "^held back by the rate limit 2/h .* 0$" \
    "its last reply names the limit, no attempt counted"
is "$(wc -l < "$S/rate.default")" 2 "two records in the shared window"
is "$(stat -c '%U:%G %a' "$S/rate.default")" "root:$MH_GROUP 660" "still root's"
as_user "$bob" sh -c ": > '$S/rate.default'" 2>/dev/null
isnt "$?" 0 "bob cannot truncate it"
as_user "$bob" ls "$S" >/dev/null 2>&1
isnt "$?" 0 "nor look into the directory"
ok "$([ ! -e "$SYS/home/$bob/.local" ] && [ ! -e "$SYS/var/spool/mailhop/$bob/state/rate.default" ]; echo $?)" \
    "no window of bob's own was used"

# Root's own mail and root's sendmail -q (every spool, each by a helper
# run as its owner, forced) count in the same window.
ln -s mailhop "$SBIN/sendmail"
printf 'Subject: r\n\nx\n' | "$SBIN/mailhop" send -f root@example.org carol@example.net
"$SBIN/mailhop" flush >/dev/null 2>&1
is "$(transcript count)" 2 "root's message waits as well"
"$SBIN/sendmail" -q >/dev/null 2>&1
is "$(transcript count)" 2 "root's sendmail -q: bob's message is tried and held back again"
like "$(last_reply "$bob")" "^held back by the rate limit 2/h .* 0$" "still no attempt counted"

# The control: without the shared window each user would count alone.
rm -rf "$S"
"$SBIN/sendmail" -q >/dev/null 2>&1
is "$(transcript count)" 4 "control: without it, root's sendmail -q sends bob's and root's, each in its own window"
