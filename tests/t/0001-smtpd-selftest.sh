#!/bin/bash
# Self-test of the test infrastructure: smtpd.py, query.py, the bash helpers
# and summarize.sh.  Uses Python's smtplib and swaks as SMTP clients.
. "$TESTLIB/tap.sh"

# A small SMTP client: prints what it saw, one "key: value" line each.
cat > "$TESTDIR/client.py" <<'EOF'
import argparse, smtplib, ssl, sys
p = argparse.ArgumentParser()
p.add_argument("--mode", default="starttls")   # plain | starttls | implicit
p.add_argument("--ca")
p.add_argument("--cert"); p.add_argument("--key")
p.add_argument("--user"); p.add_argument("--password")
p.add_argument("--mech")
p.add_argument("--token")
p.add_argument("--sender", default="sender@example.org")
p.add_argument("--to", action="append", default=[])
p.add_argument("--msg")
a = p.parse_args()
port = int(__import__("os").environ["SMTPD_PORT"])
ctx = ssl.create_default_context(cafile=a.ca)
if a.cert:
    ctx.load_cert_chain(a.cert, a.key)
try:
    if a.mode == "implicit":
        s = smtplib.SMTP_SSL("127.0.0.1", port, context=ctx)
    else:
        s = smtplib.SMTP("127.0.0.1", port)
    s.ehlo("client.example")
    print("features-before:", " ".join(sorted(s.esmtp_features)))
    print("auth-before:", s.esmtp_features.get("auth", "").strip())
    if a.mode == "starttls":
        s.starttls(context=ctx)
        s.ehlo("client.example")
        print("features-after:", " ".join(sorted(s.esmtp_features)))
        print("auth-after:", s.esmtp_features.get("auth", "").strip())
    if a.user:
        s.user, s.password = a.user, a.password
        if a.mech == "XOAUTH2":
            blob = "user=%s\x01auth=Bearer %s\x01\x01" % (a.user, a.token)
            code, _ = s.auth("XOAUTH2", lambda challenge=None: blob if challenge is None else "")
        elif a.mech:
            code, _ = s.auth(a.mech, getattr(s, "auth_" + a.mech.lower().replace("-", "_")))
        else:
            code, _ = s.login(a.user, a.password)
        print("auth-code:", code)
    if a.to:
        msg = open(a.msg, "rb").read()
        try:
            refused = s.sendmail(a.sender, a.to, msg)
            print("refused:", " ".join("%s:%d" % (k, v[0]) for k, v in sorted(refused.items())))
        except smtplib.SMTPRecipientsRefused as e:
            print("all-refused:", " ".join("%s:%d" % (k, v[0]) for k, v in sorted(e.recipients.items())))
    s.quit()
    print("result: ok")
except Exception as e:
    print("result: error %s %s" % (type(e).__name__, e))
EOF
client() { "$PYTHON" -S "$TESTDIR/client.py" "$@" 2>&1; }
CA=$TESTDIR/ca/ca.pem

printf 'From: a@example.org\r\nSubject: test\r\n\r\n.leading dot\r\nbody\r\n' > msg.eml

# --- STARTTLS + AUTH PLAIN -------------------------------------------------
ok_cmd "start_smtpd (starttls; PLAIN, LOGIN, CRAM-MD5)" \
    start_smtpd --auth plain,login,cram-md5 --user bob:pw-of-bob
[ -n "$SMTPD_PORT" ] && [ "$SMTPD_PORT" -gt 0 ]; ok $? "SMTPD_PORT is set ($SMTPD_PORT)"
out=$(client --ca "$CA" --user alice --password secret-pw-1 --mech PLAIN \
        --to bob@example.net --msg msg.eml)
like "$out" '^result: ok' "smtplib: STARTTLS + AUTH PLAIN delivery"
like "$out" '^auth-before: $' "AUTH not offered before STARTTLS"
like "$out" '^auth-after: CRAM-MD5 LOGIN PLAIN$' "AUTH offered after STARTTLS"
is "$(transcript count)" 1 "one transaction recorded"
is "$(transcript tls)" yes "transaction has tls=yes"
is "$(transcript auth)" alice "transaction has auth=alice"
is "$(transcript mail)" sender@example.org "MAIL FROM recorded"
is "$(transcript rcpt)" bob@example.net "RCPT recorded"
is "$(transcript ehlo)" client.example "EHLO name recorded"
transcript data > got.eml
ok_cmd "DATA bytes recorded exactly (dot-unstuffed, CRLF kept)" cmp got.eml msg.eml
cmds=$(transcript commands)
like "$cmds" '^AUTH PLAIN \*\*\*$' "AUTH PLAIN argument masked in commands"
unlike "$(transcript json)" 'secret-pw-1|c2VjcmV0LXB3LTE|YWxpY2UAc2VjcmV0' "password appears nowhere in the log"
is "$(printf '%s\n' "$cmds" | head -n 2 | tr '\n' ' ')" "ehlo client.example STARTTLS " "EHLO then STARTTLS first"

# --- AUTH LOGIN with swaks -------------------------------------------------
out=$(swaks --server "127.0.0.1:$SMTPD_PORT" --tls --auth LOGIN \
        --auth-user alice --auth-password secret-pw-1 --ehlo swaks.example \
        --from s@example.org --to carol@example.net --body 'hello' 2>&1)
ok $? "swaks: STARTTLS + AUTH LOGIN delivery"
is "$(transcript count)" 2 "second transaction recorded"
is "$(transcript auth_mechanism) $(transcript auth)" "LOGIN alice" "auth mechanism LOGIN, user alice"
like "$(transcript commands | tail -n 12)" '^AUTH LOGIN$' "AUTH LOGIN in commands"
is "$(transcript commands | grep -A2 '^AUTH LOGIN$' | tail -n 2 | tr '\n' ' ')" "*** *** " \
    "AUTH LOGIN exchange lines masked"
out=$(swaks --server "127.0.0.1:$SMTPD_PORT" --tls --auth PLAIN \
        --auth-user alice --auth-password wrong --from s@example.org \
        --to carol@example.net --body x --timeout 5 2>&1)
isnt "$?" 0 "swaks: wrong password refused"
like "$out" '<~\* +535 ' "swaks: 535 to a wrong password"
is "$(transcript count)" 2 "nothing recorded after a failed AUTH"

# --- CRAM-MD5 -----------------------------------------------------------------
out=$(client --ca "$CA" --user bob --password pw-of-bob --mech CRAM-MD5 \
        --to x@example.net --msg msg.eml)
like "$out" '^auth-code: 235' "CRAM-MD5 accepted"
is "$(transcript auth_mechanism) $(transcript auth)" "CRAM-MD5 bob" "CRAM-MD5 user recorded"
out=$(client --ca "$CA" --user bob --password nope --mech CRAM-MD5)
like "$out" 'result: error SMTPAuthenticationError' "CRAM-MD5 with a wrong password refused"
is "$(transcript connections)" 5 "five connections seen"
stop_smtpd
is "$(transcript count)" 3 "transcript still readable after stop_smtpd"

# --- implicit TLS -------------------------------------------------------------
start_smtpd --tls implicit
out=$(client --mode implicit --ca "$CA" --user alice --password secret-pw-1 \
        --to y@example.net --msg msg.eml)
like "$out" '^result: ok' "implicit TLS delivery"
like "$out" '^auth-before: LOGIN PLAIN$' "AUTH offered at once over implicit TLS"
is "$(transcript tls) $(transcript tls_version)" "yes TLSv1.3" "implicit TLS recorded"
mh_conf
like "$(cat "$MAILHOP_CONFIG")" '^tls = tls$' "mh_conf: implicit TLS server gives tls = tls"
is "$(stat -c %a "$MAILHOP_CONFIG")" 600 "mh_conf: mode 0600"
"$PYTHON" -S -c 'import socket,os; s=socket.create_connection(("127.0.0.1",int(os.environ["SMTPD_PORT"]))); s.sendall(b"EHLO plain\r\n"); s.settimeout(5); s.recv(100)' 2>/dev/null
wait_for grep -q '"tls_error"' "$SMTPD_LOG"
ok $? "implicit TLS: a plain-text client is recorded as tls_error"

# --- --no-starttls / --no-auth ---------------------------------------------------
start_smtpd --no-starttls
out=$(client --ca "$CA")
like "$out" 'SMTPNotSupportedError' "--no-starttls: STARTTLS not advertised"
unlike "$out" '^features-before:.*starttls' "--no-starttls: no starttls in EHLO"
start_smtpd --no-auth
out=$(client --ca "$CA")
like "$out" '^features-after: 8bitmime help smtputf8$' "--no-auth: no AUTH after STARTTLS"
mh_conf '[sender]
from = me@example.org'
conf=$(cat "$MAILHOP_CONFIG")
unlike "$conf" '^(user|password) =' "mh_conf: no credentials for a --no-auth server"
like "$conf" "^port = $SMTPD_PORT\$" "mh_conf: port of the running server"
like "$conf" '^from = me@example.org$' "mh_conf: extra text appended"
start_smtpd --tls none
out=$(client --mode plain --user alice --password secret-pw-1 --to z@example.net --msg msg.eml)
like "$out" '^auth-before: LOGIN PLAIN$' "--tls none: AUTH offered in plain text"
is "$(transcript tls) $(transcript auth)" "no alice" "--tls none: tls=no, auth=alice"

# --- XOAUTH2 -------------------------------------------------------------------
start_smtpd --auth plain,xoauth2 --token alice:tok-xyz-123
out=$(client --ca "$CA" --user alice --token tok-xyz-123 --mech XOAUTH2 \
        --to g@example.net --msg msg.eml)
like "$out" '^auth-code: 235' "XOAUTH2 (initial response) accepted"
like "$out" '^auth-after: PLAIN XOAUTH2$' "XOAUTH2 offered with --auth plain,xoauth2"
is "$(transcript auth_mechanism) $(transcript auth)" "XOAUTH2 alice" "XOAUTH2 mechanism and user recorded"
like "$(transcript commands)" '^AUTH XOAUTH2 \*\*\*$' "XOAUTH2 initial response masked"
out=$(client --ca "$CA" --user alice --token wrong-tok --mech XOAUTH2)
like "$out" 'result: error SMTPAuthenticationError \(535' "XOAUTH2 with a wrong token: 535 after the error challenge"
like "$(transcript json)" '"line": "334 eyJzdGF0dXMiOiAiNDAxIi' "the refusal starts with a 334 JSON error (as Gmail does)"
"$PYTHON" -S - "$CA" > raw-xoauth2.out <<'EOF'
import base64, os, socket, ssl, sys
sock = socket.create_connection(("127.0.0.1", int(os.environ["SMTPD_PORT"])))
def cmd(line):
    if line is not None:
        sock.sendall(line)
    while True:
        r = f.readline()
        if r[3:4] != b"-":
            return r.decode().rstrip("\r\n")
f = sock.makefile("rb")
cmd(None); cmd(b"EHLO raw.example\r\n"); cmd(b"STARTTLS\r\n")
ctx = ssl.create_default_context(cafile=sys.argv[1])
sock = ctx.wrap_socket(sock, server_hostname="127.0.0.1")
f = sock.makefile("rb")
cmd(b"EHLO raw.example\r\n")
print(cmd(b"AUTH XOAUTH2\r\n"))
print(cmd(base64.b64encode(b"user=alice\x01auth=Bearer tok-xyz-123\x01\x01") + b"\r\n"))
cmd(b"QUIT\r\n")
EOF
is "$(tr '\n' '|' < raw-xoauth2.out)" "334 |235 2.7.0 Authentication successful|" \
    "XOAUTH2 after an empty 334 challenge accepted"
unlike "$(transcript json)" 'tok-xyz-123|wrong-tok|dG9rLXh5ei0xMjM|Bearer' "no token in the log"

# --- scripted replies: 250/550/451 per recipient ------------------------------
start_smtpd --reply 'RCPT bob@* 550 5.1.1 no such user' \
            --reply 'RCPT carol@* 451 4.2.0 try later' \
            --reply 'DOT *@bounce.example 554 5.6.0 content rejected'
out=$(client --ca "$CA" --user alice --password secret-pw-1 \
        --to bob@example.net --to carol@example.net --to dave@example.net --msg msg.eml)
like "$out" '^refused: bob@example.net:550 carol@example.net:451$' "client sees 550 and 451"
is "$(transcript rcpt)" "bob@example.net carol@example.net dave@example.net" "all three RCPTs recorded"
is "$(transcript accepted)" "dave@example.net" "only dave accepted"
is "$(transcript rejected)" "bob@example.net:550 carol@example.net:451" "rejected RCPTs with their codes"
is "$(transcript count) $(transcript code)" "1 250" "the transaction completed with 250"
out=$(client --ca "$CA" --user alice --password secret-pw-1 --to bob@example.net --msg msg.eml)
like "$out" '^all-refused: bob@example.net:550' "all recipients refused"
is "$(transcript count) $(transcript transactions)" "1 2" "refused-all transaction recorded (RSET) but not counted"
out=$(client --ca "$CA" --user alice --password secret-pw-1 --to x@bounce.example --msg msg.eml)
is "$(transcript count) $(transcript code) $(transcript state)" "2 554 refused" "scripted 554 at the final dot"
q() { "$PYTHON" -S "$TESTSRC/smtpd/query.py" "$SMTPD_LOG" "$1"; }
is "$(transcript count) $(transcript transactions) $(transcript connections)" \
    "$(q count) $(q transactions) $(q connections)" "transcript's grep counts agree with query.py"

# --- bare LF inside DATA is recorded verbatim --------------------------------
"$PYTHON" -S - <<'EOF'
import os, socket
s = socket.create_connection(("127.0.0.1", int(os.environ["SMTPD_PORT"])))
f = s.makefile("rb")
def cmd(line):
    if line is not None:
        s.sendall(line)
    while True:
        r = f.readline()
        if r[3:4] != b"-":
            return r
cmd(None)
cmd(b"EHLO raw.example\r\n")
cmd(b"MAIL FROM:<raw@example.org>\r\n")
cmd(b"RCPT TO:<dave@example.net>\r\n")
cmd(b"DATA\r\n")
cmd(b"Subject: lf\r\n\r\nline1\nline2\n.\nsmuggled\r\n..dot\r\n.\r\n")
cmd(b"QUIT\r\n")
EOF
transcript data > raw.got
printf 'Subject: lf\r\n\r\nline1\nline2\n.\nsmuggled\r\n.dot\r\n' > raw.want
ok_cmd "bare LF and \\n.\\n recorded verbatim" cmp raw.got raw.want
is "$(transcript mail)" raw@example.org "raw client transaction is the last one"

# --- --drop dot ---------------------------------------------------------------------
start_smtpd --drop dot --once
out=$(client --ca "$CA" --user alice --password secret-pw-1 --to e@example.net --msg msg.eml)
like "$out" '^result: error SMTPServerDisconnected' "--drop dot: client sees the connection close"
is "$(transcript count)" 0 "dropped transaction not counted"
like "$(transcript json)" '"state": "dropped"' "dropped transaction recorded with state dropped"
out=$(client --ca "$CA" --user alice --password secret-pw-1 --to e@example.net --msg msg.eml)
like "$out" '^result: ok' "--once: second attempt delivered"
is "$(transcript count)" 1 "one transaction after the retry"

# --- client certificates and bad server certificates ---------------------------
make_cert client
start_smtpd --client-ca "$CA"
out=$(client --ca "$CA" --cert "$TESTDIR/ca/client.pem" --key "$TESTDIR/ca/client.key" \
        --to f@example.net --msg msg.eml)
like "$out" '^result: ok' "--client-ca: client with a certificate delivers"
is "$(transcript client_cert)" client "client certificate CN recorded"
out=$(client --ca "$CA" --to f@example.net --msg msg.eml)
like "$out" '^result: error' "--client-ca: client without a certificate fails"
make_cert expired expired IP:127.0.0.1 DNS:localhost
like "$(openssl verify -CAfile "$CA" "$TESTDIR/ca/expired.pem" 2>&1)" 'certificate has expired' \
    "make_cert expired: verification fails"
make_cert wronghost 30 DNS:wrong.example
out=$(openssl verify -CAfile "$CA" -verify_ip 127.0.0.1 "$TESTDIR/ca/wronghost.pem" 2>&1)
like "$out" 'IP address mismatch' "make_cert wronghost: host check fails"
make_other_ca
like "$(openssl verify -CAfile "$CA" "$TESTDIR/otherca/server.pem" 2>&1)" 'unable to get local issuer' \
    "make_other_ca: untrusted"
start_smtpd --cert "$TESTDIR/otherca/server.pem" --key "$TESTDIR/otherca/server.key"
like "$(client --ca "$CA")" 'unable to get local issuer' "server with make_other_ca's cert: untrusted"
like "$(client --ca "$TESTDIR/otherca/ca.pem")" '^result: ok' "make_other_ca: its own CA verifies it"

# --- summarize.sh ---------------------------------------------------------------------
mkdir -p sum/tests/t sum/tests/unit empty
printf ':test-result: PASS\n:test-result: PASS\n:test-result: SKIP\n:global-test-result: PASS\n' > sum/tests/t/a.trs
printf ':test-result: FAIL\n:test-result: XFAIL\n' > sum/tests/t/b.trs
printf 'not ok 1 - thing\nFAIL: tests/t/b.sh 1 - thing\n' > sum/tests/t/b.log
printf ':test-result: ERROR\n' > sum/tests/unit/c.trs
out=$(bash "$TESTSRC/summarize.sh" sum); st=$?
is "$(printf '%s\n' "$out" | tail -n 1)" "3 passed, 2 failed, 1 skipped" "summarize.sh: counts"
like "$out" '^  FAIL: tests/t/b.sh 1 - thing$' "summarize.sh: names the failure from the log"
like "$out" '^  FAIL: tests/unit/c$' "summarize.sh: names a failure without a log line"
is "$st" 1 "summarize.sh: exit 1 on failures"
out=$(bash "$TESTSRC/summarize.sh" empty); st=$?
is "$out $st" "0 passed, 0 failed 1" "summarize.sh: nothing ran is a failure"
rm sum/tests/t/b.trs sum/tests/unit/c.trs
out=$(cd sum && bash "$TESTSRC/summarize.sh"); st=$?
is "$out $st" "2 passed, 0 failed, 1 skipped 0" "summarize.sh: success, default dir ."
