#!/bin/bash
# 1110-deb-package.sh: debian/.  The package builds with dpkg-buildpackage
# -b -us -uc from a copy of the tree; its control fields make it the MTA
# (Provides/Conflicts/Replaces mail-transport-agent); it ships the links at
# Debian's paths, the system timer and cron.d file with /usr paths,
# /etc/mailhop.conf as a conffile pointing at the secret file; postinst
# creates the group, the setgid bit (dpkg-statoverride), the 1731 spool root
# and the 0640 secret, and enables the timer; postrm's purge keeps queued
# mail; lintian reports no error.  Runs only where the build dependencies
# are installed (CI installs them); tests/debroot installs the package.
. "$TESTLIB/tap.sh"
. "$TESTLIB/deb.sh"

if ! why=$(deb_why_not); then
    plan 1
    skip "cannot build the Debian package: $why"
    exit 0
fi
plan 48

out=$TESTDIR/pkg
deb_build "$out"
ok "$?" "dpkg-buildpackage -b -us -uc builds the package" || {
    diag "$(tail -n 20 "$out/build.log")"; bail "no package"; }
ok "$([ ! -e "$TESTSRC/../debian/files" ] && [ ! -e "$TESTSRC/../debian/mailhop" ] &&
    [ ! -e "$TESTSRC/../debian/.debhelper" ]; echo $?)" "the source tree's debian/ gets no build products"

# Each library configure asks for ("install libX-dev") is a build dependency.
bd=$(sed -n '/^Build-Depends:/,/^[A-Z]/p' "$TESTSRC/../debian/control")
missing=
for p in $(grep -o 'install lib[a-z0-9.+-]*-dev' "$TESTSRC/../configure.ac" | sed 's/^install //' | sort -u); do
    grep -qE "(^|[ ,])$p([ ,(]|$)" <<<"$bd" || missing="$missing $p"
done
is "$missing" "" "debian/control Build-Depends names every -dev package configure.ac asks for"

field() { dpkg-deb -f "$DEB" "$1"; }
is "$(field Package)" mailhop "Package: mailhop"
is "$(field Version)" "$(mkvar PACKAGE_VERSION)" "Version is configure's version"
is "$(field Architecture)" "$(dpkg --print-architecture)" "Architecture: this machine's"
is "$(field Provides)" mail-transport-agent "Provides: mail-transport-agent"
is "$(field Conflicts)" mail-transport-agent "Conflicts: mail-transport-agent"
is "$(field Replaces)" mail-transport-agent "Replaces: mail-transport-agent"
like "$(field Depends)" "(^|, )adduser(,|$)" "Depends on adduser (postinst's addgroup)"
like "$(field Depends)" "libcurl4" "Depends on libcurl4 (shlibs)"
is "$(field Section)" mail "Section: mail"

# File list: "MODE OWNER PATH[ -> TARGET]".
dpkg-deb -c "$DEB" | awk '{ p = $6; sub(/^\./, "", p); l = $1 " " $2 " " p
    if ($7 == "->") l = l " -> " $8; print l }' > files
has() { grep -qxF -- "$1" files; }
ok "$(has "-rwxr-xr-x root/root /usr/bin/mailhop"; echo $?)" "/usr/bin/mailhop 0755, no set-id bit"
ok "$(has "-rwxr-xr-x root/root /usr/libexec/mailhop/mailhop-deliver"; echo $?)" \
    "/usr/libexec/mailhop/mailhop-deliver shipped 0755 (postinst sets 2755)"
is "$(grep -c '^-[^ ]*[sS]' files)" 0 "no file is shipped set-id (the group does not exist at unpack)"
ok "$(has "lrwxrwxrwx root/root /usr/sbin/sendmail -> ../bin/mailhop"; echo $?)" "/usr/sbin/sendmail -> ../bin/mailhop"
ok "$(has "lrwxrwxrwx root/root /usr/lib/sendmail -> ../sbin/sendmail"; echo $?)" "/usr/lib/sendmail -> ../sbin/sendmail"
ok "$(has "lrwxrwxrwx root/root /usr/bin/mailq -> mailhop"; echo $?)" "/usr/bin/mailq -> mailhop"
ok "$(has "lrwxrwxrwx root/root /usr/bin/newaliases -> mailhop"; echo $?)" "/usr/bin/newaliases -> mailhop"
for m in man8/mailhop.8.gz man5/mailhop.conf.5.gz man8/sendmail.8.gz man1/mailq.1.gz man8/newaliases.8.gz; do
    like "$(cat files)" " /usr/share/man/$m( |$)" "man page $m"
done
ok "$(has "-rw-r--r-- root/root /etc/mailhop.conf"; echo $?)" "/etc/mailhop.conf 0644"
ok "$(has "-rw-r--r-- root/root /etc/cron.d/mailhop"; echo $?)" "/etc/cron.d/mailhop"
ok "$(has "-rw-r--r-- root/root /lib/systemd/system/mailhop-flush.timer"; echo $?)" "the system timer"
unlike "$(cat files)" " /(var|etc/mailhop)(/|$)" \
    "no /var/spool/mailhop, no /etc/mailhop/ shipped (postinst makes them)"
unlike "$(cat files)" "/usr/local" "nothing under /usr/local"

# Contents.
mkdir x
dpkg-deb -x "$DEB" x
like "$(cat x/lib/systemd/system/mailhop-flush.service)" "^ExecStart=/usr/bin/mailhop flush --all$" \
    "the service runs /usr/bin/mailhop flush --all"
like "$(cat x/etc/cron.d/mailhop)" "^\*/5 \* \* \* \* root .*/usr/bin/mailhop flush --all" \
    "the cron.d line runs /usr/bin/mailhop flush --all as root"
conf=$(cat x/etc/mailhop.conf)
like "$conf" "^dir = /var/spool/mailhop/%u$" "mailhop.conf: dir = /var/spool/mailhop/%u"
like "$conf" "^password_file = /etc/mailhop/secret$" "mailhop.conf: password_file = /etc/mailhop/secret"
unlike "$conf" "^(password|password_command|oauth_token) *=" "mailhop.conf holds no secret"

# Control area.
mkdir ctl
dpkg-deb -e "$DEB" ctl
is "$(sort ctl/conffiles | tr '\n' ' ')" "/etc/cron.d/mailhop /etc/mailhop.conf " \
    "conffiles: /etc/mailhop.conf and /etc/cron.d/mailhop"
for s in postinst postrm prerm; do
    ok_cmd "$s is valid sh" sh -n "ctl/$s"
done
post=$(cat ctl/postinst)
like "$post" 'addgroup --system .*"\$group"' "postinst creates the system group"
like "$post" '^group=mailhop$' "named mailhop"
like "$post" 'dpkg-statoverride --update --add root "\$group" 2755 "\$helper"' \
    "postinst makes the helper root:mailhop 2755 through dpkg-statoverride"
like "$post" '^helper=/usr/libexec/mailhop/mailhop-deliver$' "the helper's path is the shipped one"
like "$post" 'chmod 1731 "\$spool"' "postinst makes the spool root 1731"
like "$post" 'install -m 0640 -o root -g "\$group" /dev/null "\$secret"' \
    "postinst creates the secret empty, 0640 root:mailhop"
like "$post" "deb-systemd-helper enable 'mailhop-flush.timer'" "postinst enables the timer"
postrm=$(cat ctl/postrm)
like "$postrm" 'dpkg-statoverride --remove' "postrm purge drops the statoverride"
unlike "$postrm" 'rm -r|rm -fr|rm -rf' "postrm removes no tree (queued mail stays)"

# lintian: no error; warnings shown.
if command -v lintian >/dev/null; then
    lintian --pedantic "$out"/mailhop_*.changes >lintian.out 2>&1
    is "$(grep -c '^E:' lintian.out)" 0 "lintian reports no error" || diag "$(grep '^E:' lintian.out)"
    [ -s lintian.out ] && diag "lintian: $(grep -E '^[WIP]:' lintian.out | sort -u)"
else
    skip "lintian is not installed"
fi
