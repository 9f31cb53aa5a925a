#!/bin/bash
# tests/t/0312-flush-all.sh: deliver_main.c (flush --all), spools.c,
# setid.c, spool.c.  SPEC 8: root's `mailhop flush --all` delivers every
# user's spool, each in a child that has become the spool's owner (uid,
# gid, groups) before it opens anything there.  A user's spool holding
# symbolic links, hard links to root's files, FIFOs and leftovers that
# point at root's files, and a spool directory swapped for a symbolic link
# during the flush: root opens, follows, truncates or chowns nothing of
# theirs, nothing of root's is sent, and the flush does not hang.
. "$TESTLIB/tap.sh"
. "$TESTLIB/setid.sh"
setid_or_skip 21

start_smtpd --delay mail 3 --once || bail "no smtpd"
setid_setup
setid_user ann
setid_user bob
# A supplementary group of ann's, which her flush child must have too.
usermod -aG users "$ann" || bail "usermod"
users_gid=$(getent group users | cut -d: -f3)
sys_conf
sys_secret
R=$SYS/var/spool/mailhop

printf 'Subject: ann\n\nhi\n' | as_user "$ann" "$SBIN/mailhop" send -f "$ann@example.org" carol@example.net
printf 'Subject: bob\n\nhi\n' | as_user "$bob" "$SBIN/mailhop" send -f "$bob@example.org" dave@example.net

# Root's files, as a hostile user (or an old kernel without
# protected_hardlinks) could point at them from a spool.
RF=$TESTDIR/rootfiles
mkdir -m 700 "$RF"
printf 'ROOTSECRET-%s\n' 1 2 3 > "$RF/plain"
cat > "$RF/env" <<EOF
mailhop-envelope 1
id 0AAAAAAAAAAAAAAAAAA2
arrival 1764026390
size 40
sender <root@example.org>
state queued
failed-at 0
bounce 0
rcpt pending 0 0 eve@example.net	
end
EOF
printf 'Subject: ROOTSECRET-m\r\n\r\nROOTSECRET-body\r\n' > "$RF/msg"
chmod 600 "$RF/plain" "$RF/env" "$RF/msg"
snap() { stat -c '%n %U:%G %a %h %s %Y' "$RF"/* "$RF"; sha256sum "$RF"/*; }

S=$R/$ann
ln -s "$RF/plain" "$S/0AAAAAAAAAAAAAAAAAA1.e"
ln -s "$RF/msg" "$S/0AAAAAAAAAAAAAAAAAA1.m"
ln "$RF/env" "$S/0AAAAAAAAAAAAAAAAAA2.e"
ln "$RF/msg" "$S/0AAAAAAAAAAAAAAAAAA2.m"
mkfifo "$S/0AAAAAAAAAAAAAAAAAA3.e" "$S/0AAAAAAAAAAAAAAAAAA3.m"
chown -h "$ann:" "$S"/0AAAAAAAAAAAAAAAAAA3.* "$S"/0AAAAAAAAAAAAAAAAAA1.*
ln -s "$RF/plain" "$S/.tmp.0AAAAAAAAAAAAAAAAAA4.e"
ln -s "$RF/msg" "$S/0AAAAAAAAAAAAAAAAAA4.m"
ln -s "$RF/plain" "$S/flush.lock"
before=$(snap)
rootowned() { find "$S" -user root | sort; }
planted=$(rootowned)

# bob's spool is swapped for a link to a directory of root's while
# ann's delivery waits on the server (3 s at MAIL).
mkdir -m 700 "$TESTDIR/rootspool"
cp "$RF/env" "$TESTDIR/rootspool/0AAAAAAAAAAAAAAAAAA2.e"
cp "$RF/msg" "$TESTDIR/rootspool/0AAAAAAAAAAAAAAAAAA2.m"
rootspool_before=$(ls -l --time-style=+%s "$TESTDIR/rootspool"; sha256sum "$TESTDIR/rootspool"/*)

timeout 60 "$SBIN/mailhop" flush --all >"$TESTDIR/out" 2>&1 &
pid=$!
wait_for grep -q '"type": *"delay"' "$SMTPD_LOG"
ok $? "ann's delivery is under way (the server delays MAIL)"
st=$(cat "/proc/$(proc_of "$ann" /mailhop-deliver)/status" 2>/dev/null)
is "$(awk '/^Uid:/ {print $2, $3, $4, $5}' <<<"$st")" "$(id -u "$ann") $(id -u "$ann") $(id -u "$ann") $(id -u "$ann")" \
    "the process delivering ann's spool has ann's uid (real, effective, saved, fs)"
is "$(awk '/^Gid:/ {print $2, $3, $4, $5}' <<<"$st")" "$(id -g "$ann") $(id -g "$ann") $(id -g "$ann") $(id -g "$ann")" \
    "and her gid"
is "$(awk '/^Groups:/ {$1 = ""; print}' <<<"$st" | tr ' ' '\n' | grep . | sort -n | tr '\n' ' ')" \
    "$(id -G "$ann" | tr ' ' '\n' | sort -n | tr '\n' ' ')" "and exactly her groups ($users_gid among them; none of root's)"
mv "$R/$bob" "$R/$bob.moved"
ln -s "$TESTDIR/rootspool" "$R/$bob"
wait "$pid"
st=$?
isnt "$st" 124 "flush --all did not hang on the FIFOs (exit $st)"
is "$st" 75 "exit 75: one spool (bob's, now a link) could not be flushed"
like "$(cat "$TESTDIR/out")" "spool directory $R/$bob is a symbolic link" "its child refused the link"
like "$(cat "$TESTDIR/out")" "^mailhop: flush --all: $R/$bob \($bob\): not flushed" "and the parent names the spool"

is "$(snap)" "$before" "root's files: same owner, mode, links, size, time and content"
is "$(ls -l --time-style=+%s "$TESTDIR/rootspool"; sha256sum "$TESTDIR/rootspool"/*)" "$rootspool_before" \
    "root's directory behind the link: untouched"
is "$(transcript delivered)" "carol@example.net" "ann's real message was delivered"
is "$(transcript mail)" "$ann@example.org" "as ann's"
unlike "$(transcript json)" "ROOTSECRET|eve@example.net" "nothing of root's reached the server"
ok "$([ ! -e "$S/0AAAAAAAAAAAAAAAAAA1.e" ] || [ -L "$S/0AAAAAAAAAAAAAAAAAA1.e" ]; echo $?)" \
    "a link in the spool is at most removed, never followed"
is "$(comm -13 <(echo "$planted") <(rootowned))" "" "root made no file in ann's spool"
is "$(stat -c %U "$S")" "$ann" "ann's spool is still ann's"
ok "$([ -p "$S/0AAAAAAAAAAAAAAAAAA3.e" ] || [ ! -e "$S/0AAAAAAAAAAAAAAAAAA3.e" ]; echo $?)" \
    "a FIFO stays a FIFO (or is gone)"

# bob's spool, back in place, is flushed by the next run.
rm "$R/$bob"
mv "$R/$bob.moved" "$R/$bob"
"$SBIN/mailhop" flush --all >"$TESTDIR/out2" 2>&1
is "$?" 0 "the next flush --all: every spool processed, exit 0"
is "$(transcript delivered)" "carol@example.net dave@example.net" "bob's message went out too"
is "$(transcript mail 2)" "$bob@example.org" "as bob's"
o=$(as_user "$ann" "$SBIN/mailhop" flush --all 2>&1)
is "$?|$o" "77|mailhop: flush --all: only root flushes every user's spool (mailhop flush does yours)" \
    "a user's flush --all: 77"
