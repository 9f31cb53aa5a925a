#!/bin/bash
# setid.sh: multi-user tests (SPEC 8).  Source it after tap.sh.  Root only:
# it makes a group and users with per-run names, and set-id copies of both
# programs whose compiled-in paths (paths.c: system configuration, system
# spool root, group) point into $SYS, all removed at exit, also when the
# test fails.  Two copies of the suite can run at once.
#
#   setid_or_skip N          not root: plan 1, one skip, exit 0; else plan N
#   setid_setup              the group ($MH_GROUP, gid $MH_GID), $SYS with
#                            etc/mailhop.conf (0644, empty), etc/mailhop/
#                            (0755 root:group), var/spool/mailhop (1731
#                            root:group); $SBIN/mailhop (0755) and
#                            $SBIN/mailhop-deliver (root:group 2755)
#                            relinked from this build (tests/relink.env)
#   setid_user VAR           a new user; its name in $VAR, home $SYS/home/NAME
#                            (0700, its own), XDG dirs left to the defaults
#   as_user NAME CMD...      CMD as NAME (uid, gid, supplementary groups) with
#                            only HOME, USER, LOGNAME, PATH in the environment
#                            plus any VAR=VALUE words given before CMD
#   sys_conf [TEXT]          write $SYS/etc/mailhop.conf (0644): [upstream]
#                            for the running smtpd with user alice and
#                            password_file = $SYS/etc/mailhop/secret, [queue]
#                            dir = $SYS/var/spool/mailhop/%u, deliver = queue,
#                            then TEXT
#   sys_secret [VALUE]       $SYS/etc/mailhop/secret = VALUE (secret-pw-1),
#                            0640 root:$MH_GROUP
#   proc_of NAME PATTERN     pid of NAME's process whose exe ends in PATTERN

setid_or_skip() {
    if [ "$(id -u)" != 0 ]; then
        plan 1
        skip "multi-user test: needs root (CI runs as root)"
        exit 0
    fi
    plan "$1"
}

_setid_run=$(printf '%x%04x' "$$" "$RANDOM")
MH_GROUP=mhg$_setid_run
_setid_users=()

_setid_cleanup() {
    local u
    for u in "${_setid_users[@]}"; do
        # Background helpers of the test's own users, by uid; then the user.
        pkill -KILL -U "$u" 2>/dev/null
        userdel -f "$u" 2>/dev/null
    done
    getent group "$MH_GROUP" >/dev/null && groupdel "$MH_GROUP" 2>/dev/null
    return 0
}
_tap_atexit+=(_setid_cleanup)

setid_setup() {
    local env="${MAILHOP_BIN%/src/mailhop}/tests/relink.env"
    groupadd "$MH_GROUP" || bail "groupadd $MH_GROUP"
    MH_GID=$(getent group "$MH_GROUP" | cut -d: -f3)
    SYS=$TESTDIR/sys
    SBIN=$SYS/bin
    chmod 711 "$TESTDIR"
    mkdir -p "$SYS/etc/mailhop" "$SYS/var/spool/mailhop" "$SBIN" "$SYS/home"
    chmod 755 "$SYS" "$SYS/etc" "$SYS/var" "$SYS/var/spool" "$SBIN" "$SYS/home"
    chown root:"$MH_GROUP" "$SYS/etc/mailhop" "$SYS/var/spool/mailhop"
    chmod 755 "$SYS/etc/mailhop"
    chmod 1731 "$SYS/var/spool/mailhop"
    : > "$SYS/etc/mailhop.conf"
    chmod 644 "$SYS/etc/mailhop.conf"
    [ -r "$env" ] || bail "no $env: run make check (it makes tests/relink.env)"
    # shellcheck disable=SC1090
    . "$env"
    (
        cd "$RELINK_BUILDDIR" &&
        $RELINK_CC $RELINK_CFLAGS $RELINK_INCLUDE -c -o "$SBIN/paths.o" \
            -DSYSCONFDIR="\"$SYS/etc\"" -DLOCALSTATEDIR="\"$SYS/var\"" \
            -DPKGLIBEXECDIR="\"$SBIN\"" -DMAILHOP_GROUP="\"$MH_GROUP\"" \
            "$RELINK_PATHS_C" &&
        $RELINK_CC $RELINK_CFLAGS $RELINK_LDFLAGS -o "$SBIN/mailhop" \
            "$SBIN/paths.o" $RELINK_FRONT &&
        $RELINK_CC $RELINK_CFLAGS $RELINK_LDFLAGS -o "$SBIN/mailhop-deliver" \
            "$SBIN/paths.o" $RELINK_DELIVER
    ) >"$TESTDIR/relink.log" 2>&1 || bail "relink failed: $(tail -3 "$TESTDIR/relink.log")"
    rm -f "$SBIN/paths.o"
    chown root:"$MH_GROUP" "$SBIN/mailhop-deliver"
    chmod 2755 "$SBIN/mailhop-deliver"
    chmod 755 "$SBIN/mailhop"
    # The certificates the system configuration names must be readable.
    [ -d "$TESTDIR/ca" ] && chmod 755 "$TESTDIR/ca" && chmod 644 "$TESTDIR/ca"/*.pem
    return 0
}

setid_user() {
    local var=$1 name
    name=mh${_setid_run}${#_setid_users[@]}
    useradd -M -d "$SYS/home/$name" -s /bin/sh "$name" || bail "useradd $name"
    _setid_users+=("$name")
    mkdir -m 700 "$SYS/home/$name"
    chown "$name:" "$SYS/home/$name"
    printf -v "$var" '%s' "$name"
}

as_user() {
    local u=$1 home
    shift
    home=$(getent passwd "$u" | cut -d: -f6)
    setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups \
        env -i HOME="$home" USER="$u" LOGNAME="$u" PATH=/usr/bin:/bin "$@"
}

sys_conf() {
    local ca=
    [ -f "$TESTDIR/ca/ca.pem" ] && ca="ca_file = $TESTDIR/ca/ca.pem"
    {
        printf '[upstream]\nhost = 127.0.0.1\nport = %s\n' "${SMTPD_PORT:-9}"
        case ${SMTPD_TLS:-none} in
        implicit) echo "tls = tls" ;;
        starttls) echo "tls = starttls" ;;
        *) echo "tls = none" ;;
        esac
        [ -n "$ca" ] && echo "$ca"
        printf 'user = alice\npassword_file = %s\n' "$SYS/etc/mailhop/secret"
        printf '[queue]\ndir = %s/%%u\ndeliver = queue\n' "$SYS/var/spool/mailhop"
        [ -n "${1:-}" ] && printf '%s\n' "$1"
    } > "$SYS/etc/mailhop.conf"
    chmod 644 "$SYS/etc/mailhop.conf"
}

sys_secret() {
    printf '%s\n' "${1:-secret-pw-1}" > "$SYS/etc/mailhop/secret"
    chown root:"$MH_GROUP" "$SYS/etc/mailhop/secret"
    chmod 640 "$SYS/etc/mailhop/secret"
}

proc_of() {
    local u=$1 pat=$2 p exe
    for p in $(pgrep -U "$u"); do
        exe=$(readlink "/proc/$p/exe" 2>/dev/null) || continue
        case $exe in *"$pat") echo "$p"; return 0 ;; esac
    done
    return 1
}
