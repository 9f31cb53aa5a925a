#!/bin/bash
# 1101-install-staged.sh: Makefile.am's install hooks, tools/install-hook.sh.
# A staged `make install DESTDIR=...` (what packagers run): with nothing at
# sbin/sendmail, bin/mailq, bin/newaliases it makes the links to mailhop and
# their man pages; over mailhop's own links it replaces them; another MTA's
# file or link is never removed or replaced (one line names it and says how
# to switch); uninstall removes only mailhop's links.  Under DESTDIR nothing
# is set-id and no group is created; the spool root is 1731; the system
# timer runs `flush --all` from the configured bindir.
. "$TESTLIB/tap.sh"
. "$TESTLIB/install.sh"
plan 39

bindir=$(mkvar bindir)
sbindir=$(mkvar sbindir)
man1dir=$(mkvar man1dir)
man8dir=$(mkvar man8dir)
helper=$(mkvar pkglibexecdir)/mailhop-deliver
spoolroot=$(mkvar localstatedir)/spool/mailhop
unitdir=$(mkvar systemdsystemunitdir)
[ -n "$bindir" ] && [ -n "$sbindir" ] || bail "cannot read the build's directories"
foreign_re="is not mailhop's: left as it is"

# 1. Nothing there: every link made, pointing at mailhop.
A=$TESTDIR/a
mk install DESTDIR="$A"
is "$?" 0 "make install DESTDIR=... exits 0" || diag "$(tail -5 "$TESTDIR/mk.err")"
is "$(readlink "$A$sbindir/sendmail")" "$bindir/mailhop" "sbin/sendmail -> bindir/mailhop"
is "$(readlink "$A$bindir/mailq")" mailhop "bin/mailq -> mailhop"
is "$(readlink "$A$bindir/newaliases")" mailhop "bin/newaliases -> mailhop"
is "$(cat "$A$man8dir/sendmail.8")" ".so man8/mailhop.8" "sendmail.8 is a .so link"
is "$(cat "$A$man1dir/mailq.1")" ".so man8/mailhop.8" "mailq.1 is a .so link"
is "$(cat "$A$man8dir/newaliases.8")" ".so man8/mailhop.8" "newaliases.8 is a .so link"
unlike "$(cat "$TESTDIR/mk.out" "$TESTDIR/mk.err")" "$foreign_re" "no file is reported as another MTA's"
is "$(stat -c %a "$A$bindir/mailhop")" 755 "the front end has no set-id bit"
is "$(stat -c %a "$A$helper")" 755 "the helper is not set-id in a staged install"
is "$(stat -c %a "$A$spoolroot")" 1731 "the spool root is 1731"
like "$(cat "$TESTDIR/mk.out")" "staged install \(DESTDIR\).*group mailhop.*2755.*1731" \
    "one line says what the target needs: the group, 2755, 1731"
if [ -f "$A$unitdir/mailhop-flush.service" ]; then
    like "$(cat "$A$unitdir/mailhop-flush.service")" "^ExecStart=$bindir/mailhop flush --all$" \
        "the system service runs bindir/mailhop flush --all"
    is "$(grep -E '^On(Boot|UnitActive)Sec=' "$A$unitdir/mailhop-flush.timer" | tr '\n' ' ')" \
        "OnBootSec=1min OnUnitActiveSec=5min " "the timer: one minute after boot, then every 5 minutes"
else
    skip "no systemd unit directory configured"
    skip "no systemd unit directory configured"
fi
unlike "$(cat "$BUILDDIR/contrib/cron.d/mailhop" "$BUILDDIR/contrib/systemd/mailhop-flush.service" \
    "$BUILDDIR/contrib/systemd/user/mailhop-flush.service")" '@[a-z]+@' \
    "the built cron.d file and units have every path filled in"
like "$(cat "$BUILDDIR/contrib/cron.d/mailhop")" \
    "^\*/5 \* \* \* \* root .*$bindir/mailhop flush --all" "cron.d: flush --all as root every 5 minutes"

# 2. Over mailhop's own links (a second install): replaced, nothing reported.
mk install DESTDIR="$A"
is "$?" 0 "a second make install exits 0"
is "$(readlink "$A$sbindir/sendmail")" "$bindir/mailhop" "sendmail is still mailhop's"
unlike "$(cat "$TESTDIR/mk.out" "$TESTDIR/mk.err")" "$foreign_re" "mailhop's own links are not reported"

# 3. Another MTA's files: a regular sendmail (Postfix), a mailq link into
# update-alternatives; newaliases is mailhop's link from an older prefix.
B=$TESTDIR/b
mkdir -p "$B$sbindir" "$B$bindir" "$B$man8dir"
printf 'postfix sendmail\n' > "$B$sbindir/sendmail"
ln -s /etc/alternatives/mailq "$B$bindir/mailq"
ln -s /opt/old/bin/mailhop "$B$bindir/newaliases"
printf 'postfix man page\n' > "$B$man8dir/sendmail.8"
mk install DESTDIR="$B"
is "$?" 0 "make install over another MTA's files exits 0"
is "$(cat "$B$sbindir/sendmail")" "postfix sendmail" "another MTA's sendmail is left as it was"
ok "$([ -f "$B$sbindir/sendmail" ] && [ ! -L "$B$sbindir/sendmail" ]; echo $?)" "and is still a regular file"
is "$(readlink "$B$bindir/mailq")" /etc/alternatives/mailq "another MTA's mailq link is left as it was"
is "$(readlink "$B$bindir/newaliases")" mailhop "mailhop's link from an older prefix is replaced"
is "$(cat "$B$man8dir/sendmail.8")" "postfix man page" "the other MTA's sendmail.8 is left as it was"
ok "$([ ! -e "$B$man1dir/mailq.1" ]; echo $?)" "no mailq.1 where mailq is not mailhop's"
out=$(cat "$TESTDIR/mk.out" "$TESTDIR/mk.err")
is "$(grep -c "$foreign_re" <<<"$out")" 2 "two files reported: sendmail and mailq"
line=$(grep "$foreign_re" <<<"$out" | grep -F "$B$sbindir/sendmail ")
like "$line" "^mailhop: $B$sbindir/sendmail is not mailhop's" "the line names the file"
like "$line" "dpkg-divert --local --rename --add $sbindir/sendmail .*update-alternatives" \
    "and says how to switch (dpkg-divert, update-alternatives)"
is "$(grep -c . <<<"$line")" 1 "one line for sendmail"
like "$(grep "$foreign_re" "$TESTDIR/mk.err")" "sendmail" "the line goes to stderr"

# 4. uninstall removes mailhop's links only.
mk uninstall DESTDIR="$B"
is "$?" 0 "make uninstall exits 0"
is "$(cat "$B$sbindir/sendmail")" "postfix sendmail" "uninstall leaves another MTA's sendmail"
is "$(readlink "$B$bindir/mailq")" /etc/alternatives/mailq "and its mailq link"
is "$(cat "$B$man8dir/sendmail.8")" "postfix man page" "and its man page"
ok "$([ ! -e "$B$bindir/newaliases" ] && [ ! -L "$B$bindir/newaliases" ]; echo $?)" \
    "uninstall removes mailhop's newaliases link"
mk uninstall DESTDIR="$A"
ok "$([ ! -L "$A$sbindir/sendmail" ] && [ ! -L "$A$bindir/mailq" ] && [ ! -e "$A$man8dir/sendmail.8" ]; echo $?)" \
    "uninstall removes mailhop's sendmail and mailq links and their man pages"
ok "$([ ! -e "$A$bindir/mailhop" ] && [ ! -e "$A$helper" ]; echo $?)" "and the programs"
ok "$([ ! -e "$A$spoolroot" ]; echo $?)" "and the empty spool root"
