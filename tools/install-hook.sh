#!/bin/sh
# SPDX-License-Identifier: MIT
#
# tools/install-hook.sh - what `make install` does beyond copying files:
# the sendmail/mailq/newaliases links, the group, the set-id helper and
# the system spool root.  Makefile.am's install hooks call it; DESTDIR
# comes from make.
#
#   link PATH TARGET [MANPAGE]  make PATH a symlink to TARGET unless PATH is
#                               someone else's; then MANPAGE a .so link
#   unlink PATH [MANPAGE]       remove PATH (and MANPAGE) only if mailhop's
#   group GROUP                 create GROUP (system group) if missing
#   helper FILE GROUP           FILE root:GROUP, mode 2755
#   spool DIR GROUP             DIR root:GROUP, mode 1731
#
# Set-id bits, owners and the group need the real root: they are set only
# when installing as root without DESTDIR.  A staged install (DESTDIR) is
# turned into a package by tools that set modes and create groups their own
# way (Debian: postinst and dpkg-statoverride), so it only says what to do.
#
# A file at PATH that is not a symlink to mailhop belongs to another MTA
# (Postfix's /usr/sbin/sendmail, owned by dpkg): it is never removed or
# replaced, under DESTDIR too.  One line names it and how to switch.

set -eu

prog=mailhop
manso=".so man8/mailhop.8"

# PATH is mailhop's when it is a symlink whose target is named mailhop
# (bin/mailhop, ../bin/mailhop, or an older prefix's /usr/local/bin/mailhop).
is_ours() {
	[ -L "$1" ] || return 1
	t=$(readlink "$1") || return 1
	[ "${t##*/}" = "$prog" ]
}

# A man page is ours when it is exactly our .so line.
is_ours_man() {
	[ -f "$1" ] && [ ! -L "$1" ] && [ "$(cat "$1")" = "$manso" ]
}

real_root() {
	[ -z "${DESTDIR:-}" ] && [ "$(id -u)" = 0 ]
}

do_link() {
	path=$1 target=$2 man=${3:-}
	f=${DESTDIR:-}$path
	if [ -e "$f" ] || [ -L "$f" ]; then
		if ! is_ours "$f"; then
			echo "$prog: $f is not mailhop's: left as it is, nothing" \
			    "installed there; to switch, move it aside with" \
			    "dpkg-divert --local --rename --add $path (or use" \
			    "update-alternatives, or remove its package), then" \
			    "run make install again" >&2
			return 0
		fi
		rm -f "$f"
	fi
	mkdir -p "${f%/*}"
	ln -s "$target" "$f"
	[ -n "$man" ] || return 0
	m=${DESTDIR:-}$man
	if [ -e "$m" ] || [ -L "$m" ]; then
		is_ours_man "$m" || return 0
	fi
	mkdir -p "${m%/*}"
	echo "$manso" > "$m"
}

do_unlink() {
	path=$1 man=${2:-}
	f=${DESTDIR:-}$path
	if is_ours "$f"; then
		rm -f "$f"
	fi
	[ -n "$man" ] || return 0
	m=${DESTDIR:-}$man
	if is_ours_man "$m"; then
		rm -f "$m"
	fi
}

do_group() {
	group=$1
	if ! real_root; then
		if [ -n "${DESTDIR:-}" ]; then
			echo "$prog: staged install (DESTDIR): on the target," \
			    "create the system group $group, make" \
			    "mailhop-deliver root:$group mode 2755 and the" \
			    "spool root root:$group mode 1731"
		else
			echo "$prog: not installing as root: no group $group," \
			    "mailhop-deliver is not set-id (a single-user" \
			    "install)"
		fi
		return 0
	fi
	getent group "$group" >/dev/null && return 0
	if command -v groupadd >/dev/null 2>&1; then
		groupadd --system "$group"
	elif command -v addgroup >/dev/null 2>&1; then
		addgroup --system "$group"
	else
		echo "$prog: cannot create the group $group: no groupadd or" \
		    "addgroup; create it and run make install again" >&2
		exit 1
	fi
}

do_helper() {
	file=${DESTDIR:-}$1 group=$2
	real_root || return 0
	# chgrp clears the set-id bit: the mode comes last.
	chown "root:$group" "$file"
	chmod 2755 "$file"
}

do_spool() {
	dir=${DESTDIR:-}$1 group=$2
	mkdir -p "$dir"
	if real_root; then
		chown "root:$group" "$dir"
	fi
	chmod 1731 "$dir"
}

usage() {
	echo "usage: install-hook.sh link|unlink|group|helper|spool ARGS" >&2
	exit 2
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd:$# in
link:[23])	do_link "$@" ;;
unlink:[12])	do_unlink "$@" ;;
group:1)	do_group "$@" ;;
helper:2)	do_helper "$@" ;;
spool:2)	do_spool "$@" ;;
*)		usage ;;
esac
