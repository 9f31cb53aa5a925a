#!/bin/bash
# OAuth2 on the system's upstream under the set-id helper (SPEC 8, 12):
# the refresh token is a system secret (0640 root:mailhop) that users
# cannot read; the helper reads it before it drops its group, and the
# access token made from it never lands in the user's spool (no cache
# file there: it would hand the user the system account's token).  A
# user file that changes a key of that upstream gets it refused.  Root's
# own mail goes through that upstream as root: a rotated refresh token is
# written back with the file's owner, group and mode, or the helper could
# no longer read it for anyone.
. "$TESTLIB/tap.sh"
. "$TESTLIB/oauthd.sh"
. "$TESTLIB/setid.sh"
setid_or_skip 17

ISSUED=$TESTDIR/issued
start_oauthd --client cid-1 --refresh rt-sys --issued "$ISSUED" || bail "no oauthd"
start_smtpd --auth xoauth2 --token-file "$ISSUED" || bail "no smtpd"
setid_setup
setid_user ann
setid_user bob
RT=$SYS/etc/mailhop/refresh-token
printf 'rt-sys\n' > "$RT"
chown root:"$MH_GROUP" "$RT"
chmod 640 "$RT"
cat > "$SYS/etc/mailhop.conf" <<EOT
[upstream]
host = 127.0.0.1
port = $SMTPD_PORT
ca_file = $TESTDIR/ca/ca.pem
user = alice
auth = xoauth2
oauth_provider = custom
oauth_token_url = $OAUTHD_URL/token
oauth_client_id = cid-1
oauth_refresh_token_file = $RT
[queue]
dir = $SYS/var/spool/mailhop/%u
deliver = queue
EOT
chmod 644 "$SYS/etc/mailhop.conf"
R=$SYS/var/spool/mailhop
send_flush() {	# send_flush USER: queue one message as USER and flush; the flush's status
    printf 'Subject: s\n\nhi\n' | as_user "$1" "$SBIN/mailhop" send -f "$1@example.org" carol@example.net
    as_user "$1" "$SBIN/mailhop" flush >/dev/null 2>&1
}

as_user "$ann" cat "$RT" >/dev/null 2>&1
isnt "$?" 0 "a user cannot read the system's refresh token"
send_flush "$ann"
is "$? $(transcript count) $(transcript auth_mechanism)" "0 1 XOAUTH2" \
    "yet ann's mail goes out with a token made from it (the helper read it first)"
is "$(oauthd_count refresh_token)" 1 "one token request"
is "$(ls -A "$R/$ann/state" 2>/dev/null | grep -c oauth)" 0 \
    "no access token cached in ann's spool"
unlike "$(as_user "$ann" sh -c "cat $R/$ann/* $R/$ann/*/* 2>/dev/null")" "$(oauthd_last last_access)" \
    "nothing ann can read holds it"
send_flush "$bob"
is "$? $(transcript count)" "0 2" "bob's too"
is "$(oauthd_count refresh_token)" 2 "(a token of its own: nothing shared through a user's spool)"
is "$(stat -c '%U:%G %a' "$RT") $(cat "$RT")" "root:$MH_GROUP 640 rt-sys" "the system's refresh token is untouched"

# Root's own mail, the provider rotating the refresh token (and revoking
# the old one): root saves the new one, and the file stays root:GROUP 0640.
oauthd_admin rotate set=yes >/dev/null
printf 'Subject: r\n\nx\n' | "$SBIN/mailhop" send -f root@example.org carol@example.net
"$SBIN/mailhop" flush >/dev/null 2>&1
is "$? $(transcript count)" "0 3" "root's own mail through the system's upstream, the refresh token rotated"
new=$(oauthd_last last_refresh)
is "$(stat -c '%U:%G %a' "$RT") $(cat "$RT")" "root:$MH_GROUP 640 $new" \
    "the new refresh token saved, the file still root:$MH_GROUP 0640"
oauthd_admin rotate set=no >/dev/null
send_flush "$ann"
is "$? $(transcript count)" "0 4" "so the helper still reads it: ann's mail goes out"

# The system's refresh token revoked: the users' mail waits, and the
# reply says root must log in again (a user cannot write that file).
oauthd_admin revoke >/dev/null
send_flush "$ann"
is "$? $(transcript count)" "75 4" "the system's refresh token revoked: ann's mail deferred"
like "$(as_user "$ann" "$SBIN/mailhop" queue --json)" \
    '"last_reply":"\[upstream default\]: the refresh token was refused \(invalid_grant[^"]*\): root must run `mailhop oauth login default`"' \
    "the last reply says root must run mailhop oauth login default"
oauthd_admin grant token=rt-sys >/dev/null
printf 'rt-sys\n' > "$RT"
send_flush "$ann"
is "$? $(transcript count)" "0 5" "a new refresh token in the file (as root's login leaves it): ann's next mail goes out"

# A user file that points the system upstream's token URL elsewhere.
mkdir -p "$SYS/home/$ann/.config/mailhop"
printf '[upstream]\noauth_token_url = https://127.0.0.1:9/steal\n' > "$SYS/home/$ann/.config/mailhop/mailhop.conf"
chown -R "$ann:" "$SYS/home/$ann/.config"
n=$(oauthd_count)
send_flush "$ann"
is "$?" 75 "ann changes oauth_token_url of the system's upstream: deferred"
like "$(as_user "$ann" "$SBIN/mailhop" queue --json)" 'oauth_token_url' "the last reply names the key"
is "$(oauthd_count) $(transcript count)" "$n 5" "no token request, nothing sent"
