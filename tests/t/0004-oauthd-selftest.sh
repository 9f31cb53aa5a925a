#!/bin/bash
# Self-test of the OAuth2 test infrastructure: tests/oauthd/oauthd.py (the
# HTTPS token, device and authorize endpoints, driven with the curl
# command) and smtpd.py's OAUTHBEARER (RFC 7628), driven by a raw client.
. "$TESTLIB/tap.sh"
. "$TESTLIB/oauthd.sh"
plan 45

CA=$TESTDIR/ca/ca.pem
# post PATH FORM...: POST to the test endpoint, print "STATUS BODY"
post() {
    local path=$1; shift
    local args=() f
    for f; do args+=(--data-urlencode "$f"); done
    curl -sS --max-time "${POST_MAX:-10}" --cacert "$CA" -w ' %{http_code}' \
        "${args[@]}" "$OAUTHD_URL$path" 2>&1
}
# jget KEY: a key of the JSON object on stdin (the part before " STATUS")
jget() {
    sed 's/ [0-9]*$//' | "$PYTHON" -c \
        'import json, sys; print(json.load(sys.stdin).get(sys.argv[1], ""))' "$1"
}

# --- refresh_token grant: expiry, rotation, revocation -------------------------
start_oauthd --client cid-1 --refresh rt-0 --rotate --expires 120 || bail "no oauthd"
like "$OAUTHD_URL" '^https://127\.0\.0\.1:[0-9]+$' "OAUTHD_URL is the HTTPS endpoint"
out=$(post /token grant_type=refresh_token refresh_token=rt-0 client_id=cid-1 scope=s1)
like "$out" ' 200$' "refresh_token grant: 200"
at=$(printf '%s' "$out" | jget access_token)
rt=$(printf '%s' "$out" | jget refresh_token)
like "$at" '^at-1-[0-9a-f]{16}$' "an access token"
like "$rt" '^rt-1-' "a new refresh token (--rotate)"
is "$(printf '%s' "$out" | jget expires_in) $(printf '%s' "$out" | jget token_type)" \
    "120 Bearer" "expires_in from --expires, token_type Bearer"
is "$(oauthd_last last_access) $(oauthd_last last_refresh)" "$at $rt" "admin/state has the last tokens"
out=$(post /token grant_type=refresh_token refresh_token=rt-0 client_id=cid-1)
like "$out" '"error": "invalid_grant".* 400$' "the rotated-away refresh token: invalid_grant"
out=$(post /token grant_type=refresh_token refresh_token="$rt" client_id=nobody)
like "$out" '"error": "invalid_client".* 401$' "an unknown client: invalid_client"
out=$(curl -sS --cacert "$CA" -w ' %{http_code}' -H 'Content-Type: application/json' \
    --data '{"grant_type":"refresh_token"}' "$OAUTHD_URL/token")
like "$out" '"error": "invalid_request".* 400$' "a body that is not a form: invalid_request"
oauthd_admin rotate set=no >/dev/null
out=$(post /token grant_type=refresh_token refresh_token="$rt" client_id=cid-1)
like "$out" ' 200$' "rotation off: the refresh token works..."
unlike "$out" 'refresh_token' "...and no new one comes back"
oauthd_admin revoke >/dev/null
out=$(post /token grant_type=refresh_token refresh_token="$rt" client_id=cid-1)
like "$out" '"error": "invalid_grant", "error_description": "AADSTS70000.* 400$' \
    "revoked: invalid_grant with a description"
oauthd_admin grant token=rt-back >/dev/null
is "$(post /token grant_type=refresh_token refresh_token=rt-back client_id=cid-1 | sed 's/.* //')" \
    200 "admin/grant adds a refresh token"

# --- failure modes --------------------------------------------------------------
oauthd_admin mode set=malformed >/dev/null
out=$(post /token grant_type=refresh_token refresh_token=rt-back client_id=cid-1)
is "$out" '{"access_token": "at-x",  200' "mode malformed: 200 with cut JSON"
oauthd_admin mode set=500 >/dev/null
like "$(post /token grant_type=refresh_token refresh_token=rt-back client_id=cid-1)" ' 500$' \
    "mode 500: HTTP 500"
oauthd_admin mode set=html >/dev/null
like "$(post /token grant_type=refresh_token refresh_token=rt-back client_id=cid-1)" '^<html>.* 200$' \
    "mode html: a login page instead of JSON"
oauthd_admin mode 'set=slow&slow=3' >/dev/null
POST_MAX=1 out=$(POST_MAX=1 post /token grant_type=refresh_token refresh_token=rt-back client_id=cid-1)
like "$out" 'timed out|Timeout' "mode slow: the answer comes after the client's timeout"
oauthd_admin mode set=no_token >/dev/null
out=$(post /token grant_type=refresh_token refresh_token=rt-back client_id=cid-1)
like "$out" '^\{"token_type": "Bearer".* 200$' "mode no_token: 200 without access_token"
unlike "$out" 'access_token' "(really without it)"
oauthd_admin mode set=ok >/dev/null
wait_for grep -q '"status": "client gone' "$OAUTHD_LOG"
ok $? "the slow answer is logged once done, as the client gone"
is "$(oauthd_count refresh_token)" 11 "oauthd_count counts the refresh_token requests"
stop_oauthd

# --- device authorization (RFC 8628): pending, slow_down, interval ---------------
start_oauthd --client dev-1 --device-pending 1 --device-interval 1 || bail "no oauthd"
out=$(post /device client_id=dev-1 scope='s1 offline_access')
like "$out" '"verification_uri": "https://127\.0\.0\.1:[0-9]+/devicelogin".*"interval": 1.* 200$' \
    "device authorization: code, URI and interval"
dc=$(printf '%s' "$out" | jget device_code)
like "$(printf '%s' "$out" | jget user_code)" '^[0-9A-F]{4}-[0-9A-F]{4}$' "a user code"
G=urn:ietf:params:oauth:grant-type:device_code
like "$(post /token grant_type=$G device_code="$dc" client_id=dev-1)" \
    '"error": "authorization_pending".* 400$' "first poll: authorization_pending"
like "$(post /token grant_type=$G device_code="$dc" client_id=dev-1)" \
    '"error": "slow_down".* 400$' "a poll sooner than the interval: slow_down"
like "$(tail -n 1 "$OAUTHD_LOG")" '"too_fast": true' "...logged as too fast"
sleep 6.1
out=$(post /token grant_type=$G device_code="$dc" client_id=dev-1)
like "$out" '"refresh_token": "rt-.* 200$' "after interval + 5 s: the tokens"
like "$(tail -n 1 "$OAUTHD_LOG")" '"interval": 6, "too_fast": false' "the interval had grown by 5 s"
like "$(post /token grant_type=$G device_code="$dc" client_id=dev-1)" '"invalid_grant".* 400$' \
    "a device code is good for one login"
is "$(oauthd_count device_code)" 4 "oauthd_count device_code"
stop_oauthd

# --- authorize + authorization_code with PKCE ---------------------------------------
start_oauthd --client web-1:s3cret || bail "no oauthd"
verifier=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ
challenge=$(printf '%s' "$verifier" | openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | tr -d '=')
auth="$OAUTHD_URL/authorize?response_type=code&client_id=web-1&scope=m&state=st-42"
auth+="&redirect_uri=http%3A%2F%2F127.0.0.1%3A5%2Fcb&code_challenge=$challenge&code_challenge_method=S256"
loc=$(curl -sS --cacert "$CA" -o /dev/null -w '%{redirect_url}' "$auth")
like "$loc" '^http://127\.0\.0\.1:5/cb\?code=[A-Za-z0-9_-]+&state=st-42$' "authorize: 302 to the loopback redirect, state kept"
code=${loc#*code=}; code=${code%%&*}
out=$(post /token grant_type=authorization_code code="$code" client_id=web-1 \
    redirect_uri=http://127.0.0.1:5/cb code_verifier=wrong-verifier client_secret=s3cret)
like "$out" 'PKCE verifier wrong.* 400$' "a wrong code_verifier is refused"
loc=$(curl -sS --cacert "$CA" -o /dev/null -w '%{redirect_url}' "$auth")
code=${loc#*code=}; code=${code%%&*}
out=$(post /token grant_type=authorization_code code="$code" client_id=web-1 \
    redirect_uri=http://127.0.0.1:5/cb code_verifier="$verifier")
like "$out" 'invalid_client.* 401$' "a client with a secret must send it"
loc=$(curl -sS --cacert "$CA" -o /dev/null -w '%{redirect_url}' "$auth")
code=${loc#*code=}; code=${code%%&*}
out=$(post /token grant_type=authorization_code code="$code" client_id=web-1 \
    redirect_uri=http://127.0.0.1:5/cb code_verifier="$verifier" client_secret=s3cret)
like "$out" '"refresh_token": "rt-.* 200$' "the right verifier and secret: tokens"
out=$(curl -sS --cacert "$CA" -w ' %{http_code}' "${auth/S256/plain}")
like "$out" 'bad request: pkce 400$' "code_challenge_method plain is refused"
stop_oauthd

# --- a certificate the client does not trust ------------------------------------------
make_other_ca
start_oauthd --cert "$TESTDIR/otherca/server.pem" --key "$TESTDIR/otherca/server.key" \
    --client cid-1 || bail "no oauthd"
out=$(post /token grant_type=refresh_token refresh_token=x client_id=cid-1)
like "$out" 'certificate' "an untrusted certificate: the client refuses it"
wait_for grep -q tls_error "$OAUTHD_LOG"
ok $? "the server logs the failed handshake"
stop_oauthd

# --- smtpd.py: OAUTHBEARER ------------------------------------------------------------
start_smtpd --auth xoauth2,oauthbearer --token alice:tok-ob-1 || bail "no smtpd"
cat > ob.py <<'EOF'
import base64, os, socket, ssl, sys
sock = socket.create_connection(("127.0.0.1", int(os.environ["SMTPD_PORT"])))
f = sock.makefile("rb")
def cmd(line):
    if line is not None:
        sock.sendall(line)
    out = []
    while True:
        r = f.readline().decode().rstrip("\r\n")
        out.append(r)
        if r[3:4] != "-":
            return " ".join(out)
cmd(None); cmd(b"EHLO raw.example\r\n"); cmd(b"STARTTLS\r\n")
sock = ssl.create_default_context(cafile=sys.argv[1]).wrap_socket(sock, server_hostname="127.0.0.1")
f = sock.makefile("rb")
ehlo = cmd(b"EHLO raw.example\r\n")
print("auth:", [w for w in ehlo.split(" 250") if "AUTH" in w][0].strip("-"))
msg = "n,a=alice,\x01host=127.0.0.1\x01port=%s\x01auth=Bearer %s\x01\x01" % (
    os.environ["SMTPD_PORT"], sys.argv[2])
print(cmd(b"AUTH OAUTHBEARER " + base64.b64encode(msg.encode()) + b"\r\n"))
if sys.argv[2] != "tok-ob-1":
    print(cmd(b"AQ==\r\n"))
cmd(b"QUIT\r\n")
EOF
out=$("$PYTHON" -S ob.py "$CA" tok-ob-1 2>&1)
like "$out" '^auth: AUTH (XOAUTH2 OAUTHBEARER|OAUTHBEARER XOAUTH2)$' "OAUTHBEARER offered with --auth xoauth2,oauthbearer"
like "$out" '^235 ' "OAUTHBEARER with the right token: 235"
is "$(grep '"type": "auth"' "$SMTPD_LOG" | tail -n 1 | grep -o '"mechanism": "[A-Z]*", "user": "[a-z]*", "ok": [a-z]*')" \
    '"mechanism": "OAUTHBEARER", "user": "alice", "ok": true' "the auth event: OAUTHBEARER, alice, ok"
out=$("$PYTHON" -S ob.py "$CA" tok-wrong 2>&1)
like "$out" '^334 eyJzdGF0dXMiOiAiaW52YWxpZF90b2tlbi' "a wrong token: 334 with the RFC 7628 JSON error"
like "$out" '^535 5\.7\.8 ' "then, after AQ==, 535"
like "$(grep oauthbearer_ack "$SMTPD_LOG")" '"ack": true' "the AQ== answer is recognised"
like "$(transcript commands)" '^AUTH OAUTHBEARER \*\*\*$' "the initial response is masked"
unlike "$(cat "$SMTPD_LOG")" 'tok-ob-1|tok-wrong|Bearer' "no token in the log"
