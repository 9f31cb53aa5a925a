#!/bin/bash
# tests/t/0805-config-env.sh: conf_env.c (SPEC 10).  Every key can be set as
# MAILHOP_<SECTION>_<KEY>, [upstream.NAME] as MAILHOP_UPSTREAM_NAME_KEY,
# [aliases] and [route] in their documented forms; _FILE reads a value from
# a file; the environment overrides the files (user, -C, MAILHOP_CONFIG);
# `mailhop config` names the variable as the origin; an unknown MAILHOP_
# variable is exit 78 naming it and queues nothing.
. "$TESTLIB/tap.sh"
plan 44

cfg() { mh mailhop config 2>&1; }

out=$(MAILHOP_UPSTREAM_HOST=smtp.example.com MAILHOP_UPSTREAM_PORT=2525 \
    MAILHOP_UPSTREAM_BACKUP_TLS=tls MAILHOP_UPSTREAM_BACKUP_HOST=b.example.net \
    MAILHOP_SENDER_FROM=app@example.com MAILHOP_QUEUE_MAX_SIZE=10M \
    MAILHOP_UPSTREAM_ALLOW_PLAINTEXT_AUTH=yes MAILHOP_UPSTREAM_TLS_VERIFY=no \
    MAILHOP_UPSTREAM_SES_RATE=14/s MAILHOP_LOG_SYSLOG=no cfg)
is "$?" 0 "config from the environment alone exits 0"
like "$out" '^host = smtp\.example\.com  ; MAILHOP_UPSTREAM_HOST$' \
    "[upstream] host, origin the variable"
like "$out" '^port = 2525  ; MAILHOP_UPSTREAM_PORT$' "[upstream] port"
like "$out" '^tls_verify = no  ; MAILHOP_UPSTREAM_TLS_VERIFY$' \
    "a key with _ in its name (tls_verify)"
like "$out" '^allow_plaintext_auth = yes  ; MAILHOP_UPSTREAM_ALLOW_PLAINTEXT_AUTH$' \
    "[upstream]'s own key wins over an upstream called allow_plaintext"
like "$(printf '%s\n' "$out" | sed -n '/^\[upstream.backup\]/,/^\[/p')" \
    '^tls = tls  ; MAILHOP_UPSTREAM_BACKUP_TLS$' "[upstream.backup] tls"
like "$(printf '%s\n' "$out" | sed -n '/^\[upstream.ses\]/,/^\[/p')" \
    '^rate = 14/s  ; MAILHOP_UPSTREAM_SES_RATE$' "[upstream.ses] rate"
like "$out" '^from = app@example\.com  ; MAILHOP_SENDER_FROM$' "[sender] from"
like "$out" '^max_size = 10M  ; MAILHOP_QUEUE_MAX_SIZE$' "[queue] max_size"
like "$out" '^syslog = no  ; MAILHOP_LOG_SYSLOG$' "[log] syslog"

# [aliases] and [route]
out=$(MAILHOP_ALIASES_ROOT='admin@example.com' \
    MAILHOP_ALIASES=$'# the section\nwww-data = web@example.com, ops@example.com\n\npostmaster = pm@example.com' \
    MAILHOP_UPSTREAM_BACKUP_HOST=b.example.net \
    MAILHOP_ROUTE=$'*@shop.example = backup, default\n* = default' cfg)
is "$?" 0 "aliases and routes from the environment"
like "$out" '^root = admin@example\.com  ; MAILHOP_ALIASES_ROOT$' \
    "MAILHOP_ALIASES_NAME sets one alias"
like "$out" '^www-data = web@example\.com, ops@example\.com  ; MAILHOP_ALIASES:2$' \
    "MAILHOP_ALIASES: a name no variable can spell, origin with its line"
like "$out" '^postmaster = pm@example\.com  ; MAILHOP_ALIASES:4$' \
    "blank and comment lines skipped"
like "$out" '^\*@shop\.example = backup, default  ; MAILHOP_ROUTE:1$' \
    "MAILHOP_ROUTE: one route per line"
out=$(MAILHOP_ALIASES_ROOT='admin@example.com' MAILHOP_SENDER_DOMAIN=example.org \
    mh sendmail -bv root bob 2>&1)
like "$out" 'admin@example\.com' "an alias from the environment is used (-bv)"
like "$out" 'bob@example\.org' "and the domain"

# Precedence: the environment over the user file and over -C/MAILHOP_CONFIG.
mkdir -p "$XDG_CONFIG_HOME/mailhop"
printf '[upstream]\nhost = user.example\nport = 2600\n' \
    > "$XDG_CONFIG_HOME/mailhop/mailhop.conf"
chmod 600 "$XDG_CONFIG_HOME/mailhop/mailhop.conf"
out=$(MAILHOP_UPSTREAM_HOST=env.example cfg)
like "$out" '^host = env\.example  ; MAILHOP_UPSTREAM_HOST$' \
    "the environment overrides the user file"
like "$out" "^port = 2600  ; $XDG_CONFIG_HOME/mailhop/mailhop.conf:3\$" \
    "keys it does not set keep the file's value"
printf '[upstream]\nhost = explicit.example\n' > "$TESTDIR/c.conf"
chmod 600 "$TESTDIR/c.conf"
out=$(MAILHOP_UPSTREAM_HOST=env.example mh mailhop -C "$TESTDIR/c.conf" config 2>&1)
like "$out" '^host = env\.example  ; MAILHOP_UPSTREAM_HOST$' \
    "the environment overrides -C FILE"
out=$(MAILHOP_CONFIG="$TESTDIR/c.conf" MAILHOP_SENDER_FROM=x@example.com cfg)
like "$out" '^host = explicit\.example  ; ' "MAILHOP_CONFIG is known, not a key"
like "$out" '^from = x@example\.com  ; MAILHOP_SENDER_FROM$' \
    "and the environment applies over it"
rm "$XDG_CONFIG_HOME/mailhop/mailhop.conf"

# _FILE: the value from a file (Docker and Kubernetes secrets).
printf 'file.example.com\n' > "$TESTDIR/host"
printf 'tok-Do-Not-Show-7\n' > "$TESTDIR/token"
chmod 600 "$TESTDIR/host" "$TESTDIR/token"
out=$(MAILHOP_UPSTREAM_HOST_FILE="$TESTDIR/host" \
    MAILHOP_UPSTREAM_OAUTH_TOKEN_FILE="$TESTDIR/token" \
    MAILHOP_UPSTREAM_PASSWORD_FILE=/run/secrets/smtp cfg)
like "$out" '^host = file\.example\.com  ; MAILHOP_UPSTREAM_HOST_FILE$' \
    "_FILE: the file's line, its end stripped"
like "$out" '^oauth_token = \*{8}  ; MAILHOP_UPSTREAM_OAUTH_TOKEN_FILE$' \
    "a secret read from a file is masked"
unlike "$out" 'tok-Do-Not-Show-7' "and never shown"
like "$out" '^password_file = /run/secrets/smtp  ; MAILHOP_UPSTREAM_PASSWORD_FILE$' \
    "PASSWORD_FILE is the key password_file (read at delivery, secret rules)"

chmod 644 "$TESTDIR/token"
out=$(MAILHOP_UPSTREAM_OAUTH_TOKEN_FILE="$TESTDIR/token" cfg); st=$?
is "$st" 78 "a secret file others can read: config exits 78"
like "$out" "^mailhop: MAILHOP_UPSTREAM_OAUTH_TOKEN_FILE: oauth_token $TESTDIR/token: readable by others \\(chmod o-r $TESTDIR/token\\); for a Kubernetes secret volume, set defaultMode: 0400\$" \
    "the error (the secret-file check's) names the variable, the file and Kubernetes' defaultMode"
# PASSWORD_FILE is password_file: checked when delivery reads it.
export XDG_STATE_HOME=$TESTDIR/state-pw
printf 'pw\n' > "$TESTDIR/pw"
chmod 644 "$TESTDIR/pw"
pwenv=(MAILHOP_UPSTREAM_HOST=127.0.0.1 MAILHOP_UPSTREAM_PORT=9 MAILHOP_UPSTREAM_TLS=none
    MAILHOP_UPSTREAM_USER=u MAILHOP_UPSTREAM_PASSWORD_FILE="$TESTDIR/pw")
printf 'Subject: t\n\nx\n' | env "${pwenv[@]}" "$MAILHOP_BIN" send -odq bob@example.com
env "${pwenv[@]}" "$MAILHOP_BIN" flush >/dev/null 2>&1
like "$(mh mailq)" "password_file $TESTDIR/pw: readable by others \\(chmod o-r $TESTDIR/pw\\); for a Kubernetes secret volume, set defaultMode: 0400" \
    "a 0644 MAILHOP_UPSTREAM_PASSWORD_FILE: the entry's last reply says how to set defaultMode"
export XDG_STATE_HOME=$TESTDIR/state-pw2
MH_CONF_BASE=no mh_conf "[upstream]
host = 127.0.0.1
port = 9
tls = none
user = u
password_file = $TESTDIR/pw"
printf 'Subject: t\n\nx\n' | mh sendmail -odq bob@example.com
mh mailhop flush >/dev/null 2>&1
unlike "$(mh mailq)" "password_file.*Kubernetes" "set in a file, the same file gets no Kubernetes advice"
like "$(mh mailq)" "password_file $TESTDIR/pw: readable by others \\(chmod o-r $TESTDIR/pw\\)" "only the chmod"
unset MAILHOP_CONFIG
export XDG_STATE_HOME=$TESTDIR/state
printf 'x\n' > "$TESTDIR/q"; chmod 666 "$TESTDIR/q"
out=$(printf 'Subject: t\n\nx\n' | MAILHOP_SENDER_FROM_FILE="$TESTDIR/q" \
    mh sendmail -odq bob@example.com 2>&1); st=$?
is "$st:$(spool_count)" "78:0" "a group/world-writable _FILE in [sender]: 78, nothing queued"
like "$out" "^mailhop: MAILHOP_SENDER_FROM_FILE: $TESTDIR/q: refused: writable by group or others \\(chmod go-w $TESTDIR/q\\)\$" \
    "one line naming the variable and the file"
out=$(printf 'Subject: t\n\nx\n' | MAILHOP_UPSTREAM_HOST_FILE="$TESTDIR/nonexistent" \
    mh sendmail -odq bob@example.com 2>&1); st=$?
is "$st:$(spool_count)" "0:1" "an unreadable _FILE in [upstream] is a delivery-only mistake: queued"

# Unknown variables and conflicts.
out=$(printf 'Subject: t\n\nx\n' | MAILHOP_UPSTREAM_HOTS=x \
    mh sendmail -odq bob@example.com 2>&1); st=$?
is "$st:$(spool_count)" "78:1" "an unknown MAILHOP_ variable: exit 78, nothing queued"
like "$out" '^mailhop: MAILHOP_UPSTREAM_HOTS: unknown variable' \
    "the error names the variable"
out=$(MAILHOP_QEUE_DIR=/tmp cfg); st=$?
like "$st $out" '^78 mailhop: MAILHOP_QEUE_DIR: unknown variable' "a typo in the section"
long=$(printf 'A%.0s' $(seq 120))
out=$(env "MAILHOP_UPSTREAM_${long}_HOST=x" "$MAILHOP_BIN" config 2>&1); st=$?
like "$st $out" "^78 mailhop: MAILHOP_UPSTREAM_A+: unknown variable" \
    "a name too long for any key is unknown, never cut down to one"
# Two unknown variables: the first by name is named, whatever the order
# of the environment (the rest of the layer is applied in name order too).
out=$(env MAILHOP_ZZZ_HOST=x MAILHOP_UPSTREAM_HOTS=x "$MAILHOP_BIN" config 2>&1)
out2=$(env MAILHOP_UPSTREAM_HOTS=x MAILHOP_ZZZ_HOST=x "$MAILHOP_BIN" config 2>&1)
like "$out" '^mailhop: MAILHOP_UPSTREAM_HOTS: unknown variable' \
    "two unknown variables: the first in name order is named"
is "$out2" "$out" "the same whatever the order of the environment"
out=$(MAILHOP_QUEUE_PARALLEL=0 cfg); st=$?
is "$st:$out" '78:mailhop: MAILHOP_QUEUE_PARALLEL: bad value "0" for "parallel" in [queue]: expected a number from 1 to 64' \
    "a bad value names the variable"
out=$(MAILHOP_SENDER_FROM=$'a@example.com\nRCPT TO:<x@y>' cfg); st=$?
like "$st $out" '^78 mailhop: MAILHOP_SENDER_FROM: control character \(byte 0x0a\)' \
    "a line break in a value is refused"
out=$(MAILHOP_UPSTREAM_PASSWORD=a MAILHOP_UPSTREAM_PASSWORD_COMMAND='echo b' cfg); st=$?
is "$st" 78 "two variables for one credential: config exits 78"
like "$out" '^mailhop: MAILHOP_UPSTREAM_PASSWORD_COMMAND: MAILHOP_UPSTREAM_PASSWORD is set too: keep one way to set password in \[upstream\]$' \
    "naming both variables"
