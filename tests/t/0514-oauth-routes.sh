#!/bin/bash
# OAuth2 on a named upstream reached through [route] (SPEC 9, 12): its
# token is cached under its own name (state/oauth-NAME.token), its
# messages name it, `mailhop oauth login NAME` logs in for it, and the
# default upstream keeps its password.
. "$TESTLIB/tap.sh"
. "$TESTLIB/oauthd.sh"
plan 9

ISSUED=$TESTDIR/issued
start_oauthd --client cid-1 --device-interval 1 --issued "$ISSUED" || bail "no oauthd"
start_smtpd --auth plain || bail "no smtpd"
PW_PORT=$SMTPD_PORT
PW_LOG=$SMTPD_LOG
start_smtpd --auth xoauth2 --token-file "$ISSUED" || bail "no smtpd"
MH_CONF_BASE=no mh_conf "[upstream]
host = 127.0.0.1
port = $PW_PORT
ca_file = $TESTDIR/ca/ca.pem
user = alice
password = secret-pw-1
[upstream.work]
host = 127.0.0.1
port = $SMTPD_PORT
ca_file = $TESTDIR/ca/ca.pem
user = alice
auth = xoauth2
oauth_provider = custom
oauth_token_url = $OAUTHD_URL/token
oauth_device_url = $OAUTHD_URL/device
oauth_client_id = cid-1
oauth_refresh_token_file = $TESTDIR/work.rt
[route]
*@work.example = work
[queue]
deliver = queue
[log]
syslog = no
file = $LOG"
send() { printf 'Subject: x\n\nx\n' | mh sendmail -f "$1" bob@example.net; }

send alice@work.example
mh sendmail -q 2>/dev/null
like "$(mh mailq)" 'run `mailhop oauth login work`' "before the login: deferred, naming the upstream to log in to"
out=$(mh mailhop oauth login work 2>&1)
is "$?" 0 "mailhop oauth login work"
is "$(cat "$TESTDIR/work.rt")" "$(oauthd_last last_refresh)" "its refresh token saved"
mh sendmail -q 2>/dev/null
is "$? $(transcript count) $(transcript auth_mechanism)" "0 1 XOAUTH2" "then delivered through work with XOAUTH2"
like "$(cat "$XDG_STATE_HOME/mailhop/state/oauth-work.token")" "^token $(oauthd_last last_access)\$" \
    "its token cached as oauth-work.token"
send carol@other.example
mh sendmail -q 2>/dev/null
is "$(SMTPD_LOG=$PW_LOG transcript count) $(SMTPD_LOG=$PW_LOG transcript auth_mechanism)" "1 PLAIN" \
    "the default upstream keeps its password"
is "$(oauthd_count refresh_token)" 1 "one token request in all"
oauthd_admin revoke >/dev/null
sed -i "s/^expires .*/expires 0/" "$XDG_STATE_HOME/mailhop/state/oauth-work.token"
send alice@work.example
mh sendmail -q 2>/dev/null
like "$(mh mailq)" '\[upstream work\]: the refresh token was refused \(invalid_grant' "revoked: deferred, naming work"
like "$(tail -n 1 "$LOG")" 'relay=work.*status=deferred|status=deferred.*upstream work' "the log says so"
