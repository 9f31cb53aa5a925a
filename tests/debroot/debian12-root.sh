#!/bin/bash
# debian12-root.sh (make check-debroot): debian/, the package as a user
# meets it.  The package built from this tree is installed into a
# throwaway Debian 12 root made with mmdebstrap from Debian's archive;
# installing cron and bsd-mailx then pulls in no other MTA; the admin
# fills /etc/mailhop/secret and sets host and user; `echo x | mail -s t
# root` (user ann) and a cron job's mail (user bob) reach tests/smtpd on the
# host's 127.0.0.1 (a chroot shares the network) through the installed
# /usr/sbin/sendmail and the setgid helper; the timer's command (`mailhop
# flush --all` as root) delivers queued mail; purge leaves only the spool.
# The root is removed at exit, its processes killed and /proc unmounted.
. "$TESTLIB/tap.sh"
. "$TESTLIB/deb.sh"

if [ "$(id -u)" != 0 ]; then
    plan 1; skip "a Debian root needs root"; exit 0
fi
if ! command -v mmdebstrap >/dev/null; then
    plan 1; skip "no mmdebstrap (apt-get install mmdebstrap)"; exit 0
fi
if ! why=$(deb_why_not); then
    plan 1; skip "cannot build the Debian package: $why"; exit 0
fi
plan 54
t0=$SECONDS

MIRROR=${MH_DEBIAN_MIRROR:-http://deb.debian.org/debian}
R=$TESTDIR/root

# Every process whose root is $R, then /proc, then the tree: rm never runs
# while something is still mounted below $R.
root_procs() {
    local p
    for p in /proc/[0-9]*; do
        [ "$(readlink "$p/root" 2>/dev/null)" = "$R" ] && echo "${p#/proc/}"
    done
}
drop_root() {
    local pids
    pids=$(root_procs)
    [ -n "$pids" ] && kill $pids 2>/dev/null && sleep 1
    pids=$(root_procs)
    [ -n "$pids" ] && kill -9 $pids 2>/dev/null
    if mountpoint -q "$R/proc"; then
        umount "$R/proc" || umount -l "$R/proc"
    fi
    if grep -qF " $R/" /proc/mounts; then
        diag "still mounted under $R: not removing it"
        TESTDIR=/nonexistent-keep  # keep tap.sh's rm -rf away from the mounts
        return 1
    fi
    rm -rf --one-file-system "$R"
}
_tap_atexit+=(drop_root)

# in_root USER CMD: CMD by sh in the root as USER, with the environment a
# login would give (cron and systemd give less: see below).
in_root() {
    local u=$1 h
    shift
    if [ "$u" = root ]; then
        h=/root
        chroot "$R" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=$h \
            USER=root LOGNAME=root sh -c "$*"
    else
        h=/home/$u
        chroot "$R" setpriv --reuid="$u" --regid="$u" --init-groups \
            env -i PATH=/usr/bin:/bin HOME=$h USER=$u LOGNAME=$u sh -c "$*"
    fi
}
apt_root() {
    chroot "$R" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
        apt-get -q -y -o Acquire::Check-Valid-Until=false -o APT::Keep-Downloaded-Packages=false "$@"
}
# The root's file list, without what apt, dpkg, logs, users and the
# kernel file systems change anyway.
snapshot() {
    (cd "$R" && find . -xdev \( -path ./proc -o -path ./dev -o -path ./tmp -o -path ./run \
        -o -path ./home -o -path ./var/lib/apt -o -path ./var/cache -o -path ./var/log \
        -o -path ./var/lib/dpkg \) -prune -o -print | LC_ALL=C sort)
}

# 1. The package, and a root with nothing but apt.
deb_build "$TESTDIR/pkg" || { diag "$(tail -n 20 "$TESTDIR/pkg/build.log")"; bail "no package"; }
nice -n 19 mmdebstrap --mode=root --variant=apt \
    --aptopt='Acquire::Check-Valid-Until "false"' \
    bookworm "$R" "deb $MIRROR bookworm main" >mmdebstrap.log 2>&1
ok "$?" "mmdebstrap made a Debian 12 root" || { diag "$(tail -n 20 mmdebstrap.log)"; bail "no root"; }
diag "mmdebstrap: $((SECONDS - t0)) s since the start"
# Services are not started in the root (its cron is started by hand).
printf '#!/bin/sh\nexit 101\n' > "$R/usr/sbin/policy-rc.d"
chmod 755 "$R/usr/sbin/policy-rc.d"
mount -t proc proc "$R/proc" || bail "cannot mount /proc in the root"
apt_root update >apt.log 2>&1 || { diag "$(tail -n 5 apt.log)"; bail "apt-get update failed in the root"; }
# The package's dependencies first, so that the list taken now differs
# from the one after purge by what mailhop (and cron and bsd-mailx, purged
# with their own dependencies) left behind, and nothing else.
deps=$(dpkg-deb -f "$DEB" Depends Recommends | sed 's/^[A-Za-z]*: //' | tr ',' '\n' |
    sed 's/|.*//; s/(.*)//; s/[[:space:]]//g' | grep .)
apt_root install $deps >apt.log 2>&1 || { diag "$(tail -n 5 apt.log)"; bail "cannot install $deps"; }
snapshot > before.list

# 2. The package.
cp "$DEB" "$R/tmp/"
apt_root install "/tmp/${DEB##*/}" >apt.log 2>&1
ok "$?" "apt-get install ./mailhop_*.deb" || diag "$(tail -n 15 apt.log)"
st() { chroot "$R" stat -c "$1" "$2" 2>&1; }
is "$(st '%a %U:%G' /usr/libexec/mailhop/mailhop-deliver)" "2755 root:mailhop" \
    "mailhop-deliver is root:mailhop 2755"
is "$(chroot "$R" dpkg-statoverride --list /usr/libexec/mailhop/mailhop-deliver)" \
    "root mailhop 2755 /usr/libexec/mailhop/mailhop-deliver" "through dpkg-statoverride"
is "$(st '%a %U:%G' /usr/bin/mailhop)" "755 root:root" "mailhop has no set-id bit"
is "$(st '%a %U:%G' /var/spool/mailhop)" "1731 root:mailhop" "/var/spool/mailhop is 1731 root:mailhop"
is "$(st '%a %U:%G %s' /etc/mailhop/secret)" "640 root:mailhop 0" "/etc/mailhop/secret: empty, 0640 root:mailhop"
gid=$(chroot "$R" getent group mailhop | cut -d: -f3)
ok "$([ -n "$gid" ] && [ "$gid" -lt 1000 ]; echo $?)" "the group mailhop is a system group (gid $gid)"
is "$(readlink "$R/etc/systemd/system/timers.target.wants/mailhop-flush.timer")" \
    /lib/systemd/system/mailhop-flush.timer "mailhop-flush.timer is enabled"
is "$(readlink -f "$R/usr/sbin/sendmail")" "$R/usr/bin/mailhop" "/usr/sbin/sendmail is mailhop"
is "$(readlink -f "$R/usr/lib/sendmail")" "$R/usr/bin/mailhop" "/usr/lib/sendmail is mailhop"

# 3. cron and bsd-mailx want an MTA: mailhop is one, so apt adds no other.
apt_root install cron bsd-mailx >apt.log 2>&1
ok "$?" "apt-get install cron bsd-mailx" || diag "$(tail -n 15 apt.log)"
mtas=$(chroot "$R" dpkg-query -W -f '${db:Status-Abbrev} ${Package} ${Provides}\n' |
    awk '$1 == "ii" && /mail-transport-agent/ { print $2 }')
is "$mtas" mailhop "the only installed mail-transport-agent is mailhop"
unlike "$(chroot "$R" dpkg-query -W -f '${Package}\n')" '^(exim4.*|postfix|sendmail-bin|nullmailer|msmtp-mta|dma|opensmtpd|ssmtp)$' \
    "no exim4, postfix, sendmail, nullmailer, msmtp-mta, dma, opensmtpd or ssmtp"
is "$(readlink -f "$R/usr/sbin/sendmail")" "$R/usr/bin/mailhop" "/usr/sbin/sendmail is still mailhop"

# 4. The admin's part: the secret and the upstream (the CA is the test's).
start_smtpd --tls starttls --auth plain,login --user alice:secret-pw-1 || bail "no smtpd"
cp "$TESTDIR/ca/ca.pem" "$R/etc/ssl/mailhop-test-ca.pem"
printf 'secret-pw-1\n' > "$R/etc/mailhop/secret"
sed -i -e "s|^; host = .*|host = 127.0.0.1\nport = $SMTPD_PORT\nca_file = /etc/ssl/mailhop-test-ca.pem|" \
    -e 's|^; user = .*|user = alice|' -e 's|^; domain = .*|domain = example.test|' \
    "$R/etc/mailhop.conf"
is "$(st '%a %U:%G' /etc/mailhop/secret)" "640 root:mailhop" "filling the secret keeps its mode"
# An upgrade (the same version again) keeps the secret, the admin's
# configuration and the set-id bit.
chroot "$R" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
    dpkg -i "/tmp/${DEB##*/}" >dpkg.log 2>&1
ok "$?" "dpkg -i the package again (an upgrade)" || diag "$(tail -n 10 dpkg.log)"
is "$(cat "$R/etc/mailhop/secret")" secret-pw-1 "the secret is kept"
like "$(cat "$R/etc/mailhop.conf")" "^host = 127.0.0.1$" "the admin's mailhop.conf is kept"
is "$(st '%a %U:%G' /usr/libexec/mailhop/mailhop-deliver)" "2755 root:mailhop" "the helper is still 2755"
chroot "$R" useradd -m -s /bin/sh ann && chroot "$R" useradd -m -s /bin/sh bob
ok "$?" "users ann and bob"

# 5. ann: bsd-mailx, the way a user mails root.
in_root ann 'echo x | mail -s t root' 2>mail.err
is "$?" 0 "ann: echo x | mail -s t root exits 0" || diag "$(cat mail.err)"
is "$(cat mail.err)" "" "nothing on stderr"
wait_transactions 1
is "$(transcript count)" 1 "ann's mail reached the server"
is "$(transcript mail 1)" "ann@example.test" "from ann@example.test"
is "$(transcript rcpt)" "root@example.test" "to root@example.test"
is "$(transcript auth 1)" alice "authenticated with the secret of /etc/mailhop/secret"
is "$(transcript tls 1)" yes "over TLS"
like "$(transcript data 1)" $'^Subject: t\r$' "the Subject is t"
is "$(st '%a %U:%G' /var/spool/mailhop/ann)" "700 ann:ann" "ann's spool: /var/spool/mailhop/ann, 0700 ann"
in_root ann 'cat /etc/mailhop/secret' >steal.out 2>&1
isnt "$?" 0 "ann cannot read /etc/mailhop/secret"
unlike "$(cat steal.out)" secret-pw-1 "and does not see it"

# 6. bob: a cron job's output, mailed by the cron daemon.  cron runs as
# systemd starts it, with an empty environment: its sendmail gets PATH
# alone (no HOME, USER or LOGNAME).
echo '* * * * * echo hello-from-cron' | chroot "$R" crontab -u bob - || bail "crontab"
(cd / && exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin chroot "$R" /usr/sbin/cron -f >"$TESTDIR/cron.out" 2>&1) &
cron_pid=$!
two() { [ "$(transcript count)" -ge 2 ]; }
n=0
while ! two && [ $n -lt 150 ]; do sleep 1; n=$((n + 1)); done
kill "$cron_pid" 2>/dev/null; wait "$cron_pid" 2>/dev/null
is "$(transcript count)" 2 "bob's cron job mail reached the server (after ${n} s)" || diag "cron: $(cat "$TESTDIR/cron.out")"
is "$(transcript mail 2)" "bob@example.test" "from bob@example.test"
like "$(transcript data 2)" "hello-from-cron" "with the job's output"
like "$(transcript data 2)" $'^From: .*\r$' "and a From header"
is "$(transcript auth 2)" alice "through the same upstream and secret"
is "$(st '%U' /var/spool/mailhop/bob)" bob "bob's spool is bob's"

# 7. The timer's command delivers what was only queued.
in_root ann 'printf "Subject: queued\n\nq\n" | /usr/sbin/sendmail -odq root' 2>mail.err
is "$?" 0 "ann: sendmail -odq queues" || diag "$(cat mail.err)"
flushcmd=$(sed -n 's/^ExecStart=//p' "$R/lib/systemd/system/mailhop-flush.service")
is "$flushcmd" "/usr/bin/mailhop flush --all" "the service runs /usr/bin/mailhop flush --all"
in_root root "$flushcmd" 2>flush.err
is "$?" 0 "root: $flushcmd exits 0" || diag "$(cat flush.err)"
is "$(transcript count)" 3 "the queued mail went out"
is "$(transcript mail 3)" "ann@example.test" "as ann's"
is "$(find "$R/var/spool/mailhop" -name '*.e' | wc -l)" 0 "no entry left in any spool"

# 8. Mail that stays queued, then purge: only the spool remains.
stop_smtpd
in_root ann 'printf "Subject: kept\n\nk\n" | /usr/sbin/sendmail -odq someone@example.org' 2>mail.err
is "$?" 0 "ann queues one more (the server is down)"
rm -f "$R/etc/ssl/mailhop-test-ca.pem"
apt_root purge mailhop cron bsd-mailx >apt.log 2>&1
ok "$?" "apt-get purge mailhop cron bsd-mailx" || diag "$(tail -n 15 apt.log)"
apt_root autoremove --purge >>apt.log 2>&1
is "$(chroot "$R" dpkg-query -W -f '${db:Status-Abbrev}' mailhop 2>/dev/null)" "" "mailhop is purged"
snapshot > after.list
# New since before the install: the spool, files of packages still there
# (cron's dependencies), cron's /var/spool/cron and useradd's backups of
# passwd, group, shadow...; anything else is a leftover.
added=$(comm -13 before.list after.list | sed 's|^\.||' |
    grep -v -e '^/var/spool/mailhop\(/\|$\)' -e '^/var/spool/cron\(/\|$\)' -e '^/etc/[a-z]*-$')
owned=$([ -n "$added" ] && chroot "$R" dpkg-query -S $added 2>/dev/null | sed -n 's/^[^/]*: \(\/.*\)$/\1/p' | sort -u)
left=$(comm -23 <(LC_ALL=C sort <<<"$added") <(LC_ALL=C sort <<<"$owned") | grep .)
is "$left" "" "after purge the root holds nothing new but /var/spool/mailhop"
is "$(find "$R/var/spool/mailhop/ann" -name '*.e' | wc -l)" 1 "ann's queued mail is still there"
is "$(st '%U' /var/spool/mailhop/ann)" ann "in ann's directory"
is "$(chroot "$R" getent group mailhop | cut -d: -f1)" mailhop "the group stays with the spool"
is "$(chroot "$R" dpkg-statoverride --list /usr/libexec/mailhop/mailhop-deliver)" "" "the statoverride is gone"
ok "$([ ! -e "$R/etc/mailhop" ] && [ ! -e "$R/etc/mailhop.conf" ] && [ ! -e "$R/etc/cron.d/mailhop" ]; echo $?)" \
    "/etc/mailhop, /etc/mailhop.conf and /etc/cron.d/mailhop are gone"
ok "$([ ! -e "$R/usr/sbin/sendmail" ] && [ ! -e "$R/lib/systemd/system/mailhop-flush.timer" ] &&
    [ ! -L "$R/etc/systemd/system/timers.target.wants/mailhop-flush.timer" ]; echo $?)" \
    "sendmail, the timer and its enable link are gone"
diag "the whole test took $((SECONDS - t0)) s"
