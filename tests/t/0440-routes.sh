#!/bin/bash
# tests/t/0440-routes.sh: route.c, relayset.c, deliver.c, relay.c.
# SPEC 9: [route] picks the upstreams by envelope sender when an entry is
# delivered (exact, *@domain, longest *@*.domain, *; the null sender takes
# *); three upstreams on three servers, each with its own credentials and
# TLS mode (password, password_file, password_command), see only their
# own senders and credentials, and a fourth its own client certificate; mailq and JSON
# name the upstream last tried; log lines carry relay=NAME[host]:port; a
# bounce names the upstream that refused (Remote-MTA); a route changed
# after queueing applies to mail already queued.
. "$TESTLIB/tap.sh"
plan 33

start_smtpd --tls starttls --user alice:pw-a || bail "no smtpd a"
A_PORT=$SMTPD_PORT A_LOG=$SMTPD_LOG
start_smtpd --tls implicit --user bob:pw-b \
    --reply 'RCPT slow@* 451 4.7.1 greylisted' \
    --reply 'RCPT nobody@* 550 5.1.1 no such user' || bail "no smtpd b"
B_PORT=$SMTPD_PORT B_LOG=$SMTPD_LOG
start_smtpd --tls none --auth plain --user carol:pw-c || bail "no smtpd c"
C_PORT=$SMTPD_PORT C_LOG=$SMTPD_LOG
# d wants a client certificate (and no AUTH): only [upstream.d] has one.
make_cert client
chmod 600 "$TESTDIR/ca/client.key"
start_smtpd --tls starttls --no-auth --client-ca "$TESTDIR/ca/ca.pem" || bail "no smtpd d"
D_PORT=$SMTPD_PORT D_LOG=$SMTPD_LOG
LOG=$TESTDIR/mail.log

# Each upstream its own credentials, from a different source.
printf 'pw-b\n' > "$TESTDIR/b.secret"
chmod 600 "$TESTDIR/b.secret"
routes() { # the [route] section's body
    MH_CONF_BASE=no mh_conf "$(mh_upstream default "$A_PORT" starttls alice pw-a)
$(mh_upstream b "$B_PORT" tls)
user = bob
password_file = $TESTDIR/b.secret
$(mh_upstream c "$C_PORT" none)
user = carol
password_command = echo pw-c
$(mh_upstream d "$D_PORT" starttls)
client_cert = $TESTDIR/ca/client.pem
client_key = $TESTDIR/ca/client.key
[queue]
deliver = queue
[log]
syslog = no
file = $LOG
[route]
$1"
}
send() { # FROM TO...
    local from=$1; shift
    printf 'Subject: from %s\n\nhi\n' "$from" | mh sendmail -f "$from" "$@"
}
mails() { # LOG: the MAIL FROM of every transaction, in order
    SMTPD_LOG=$1 transcript json | "$PYTHON" -c '
import json, sys
print(" ".join(o["mail_from"] or "<>" for o in map(json.loads, sys.stdin)
               if o.get("type") == "transaction"))'
}
auths() { # LOG: the AUTH users of every transaction, sorted, unique
    SMTPD_LOG=$1 transcript json | "$PYTHON" -c '
import json, sys
print(" ".join(sorted({o.get("auth_user") or "-" for o in map(json.loads, sys.stdin)
                       if o.get("type") == "transaction"})))'
}

routes '*@shop.example = b
*@certs.example = d
carol@example.org = c
*@*.example.net = c
*@*.eu.example.net = b
* = default'
# mailhop config prints the route table, most specific first, each line
# with where it was set.
CONF=$MAILHOP_CONFIG
at() { grep -n -F -- "$1" "$CONF" | head -1 | cut -d: -f1; }
is "$(mh mailhop config | sed -n '/^\[route\]$/,/^$/p')" "[route]
carol@example.org = c  ; $CONF:$(at 'carol@example.org =')
*@certs.example = d  ; $CONF:$(at '*@certs.example =')
*@shop.example = b  ; $CONF:$(at '*@shop.example =')
*@*.eu.example.net = b  ; $CONF:$(at '*@*.eu.example.net =')
*@*.example.net = c  ; $CONF:$(at '*@*.example.net =')
* = default  ; $CONF:$(at '* = default')" \
    "mailhop config: the route table, most specific first"
send alice@example.org r1@example.com
send sales@shop.example r2@example.com
send Carol@Example.org r3@example.com
send x@www.example.net r4@example.com
send y@a.eu.example.net r5@example.com
send z@example.net r6@example.com
send '<>' r7@example.com
send ann@certs.example r9@example.com
is "$(spool_count)" 8 "eight messages queued"
out=$(mh mailhop flush 2>&1)
is "$?" 0 "flush: everything delivered ($out)"
is "$(spool_count)" 0 "the queue is empty"

is "$(mails "$A_LOG")" "alice@example.org z@example.net <>" \
    "default got its own senders, *@*.domain is not the domain itself, <> takes *"
is "$(mails "$B_LOG")" "sales@shop.example y@a.eu.example.net" \
    "b: *@domain and the longest *@*.domain"
is "$(mails "$C_LOG")" "Carol@Example.org x@www.example.net" \
    "c: the exact address (any case) and a subdomain"
is "$(mails "$D_LOG")" "ann@certs.example" "d: its own sender"
is "$(SMTPD_LOG=$D_LOG transcript client_cert 1)" client "d: with d's client certificate"
is "$(auths "$A_LOG")" "alice" "default saw only alice's credentials"
is "$(auths "$B_LOG")" "bob" "b saw only bob's"
is "$(auths "$C_LOG")" "carol" "c saw only carol's"
is "$(SMTPD_LOG=$B_LOG transcript tls 1)" yes "b: implicit TLS"
is "$(SMTPD_LOG=$A_LOG transcript tls 1)" yes "default: STARTTLS"
is "$(SMTPD_LOG=$C_LOG transcript tls 1)" no "c: no TLS (loopback)"
for w in a b c; do
    eval "l=\$${w^}_LOG"
    SMTPD_LOG=$l transcript commands | grep -Eq 'pw-[abc]'
    isnt "$?" 0 "server $w never saw a password in clear in its commands"
done
like "$(cat "$LOG")" "to=<r2@example.com>, relay=b\\[127\\.0\\.0\\.1\\]:$B_PORT, .*status=sent" \
    "the log names the upstream: relay=NAME[host]:port"
like "$(cat "$LOG")" "to=<r1@example.com>, relay=default\\[127\\.0\\.0\\.1\\]:$A_PORT, " \
    "and the default one as default"

# What mailq and JSON show while an entry waits: the upstream last tried.
send sales@shop.example slow@example.com
mh mailhop flush >/dev/null 2>&1
json=$(mh mailhop queue --json)
like "$json" '"relay": *"b"' "JSON: relay is the upstream last tried"
like "$(mh mailq)" '\(via b: 451 4\.7\.1 greylisted\)' "mailq: (via b: reply)"
like "$(mh mailhop show "$(printf '%s\n' "$json" | sed -n 's/.*"id": *"\([^"]*\)".*/\1/p')")" \
    '^relay: b$' "show: relay: b"

# The route is chosen at delivery: change it, and the waiting entry goes
# through the new upstream.
routes '*@shop.example = c
* = default'
n=$(SMTPD_LOG=$C_LOG transcript count)
mh sendmail -q >/dev/null 2>&1
is "$(SMTPD_LOG=$C_LOG transcript count)" $((n + 1)) "a changed route applies to queued mail"
is "$(SMTPD_LOG=$C_LOG transcript mail)" "sales@shop.example" "the waiting entry went through c"
is "$(spool_count)" 0 "and it is delivered"

# A refusal by b bounces; the bounce names b (Remote-MTA) and goes out by
# the * route (the null sender).
routes '*@shop.example = b
* = default'
nA=$(SMTPD_LOG=$A_LOG transcript count)
send sales@shop.example nobody@example.com
mh mailhop flush >/dev/null 2>&1
is "$(SMTPD_LOG=$A_LOG transcript count)" $((nA + 1)) "the bounce went through default (the * route)"
SMTPD_LOG=$A_LOG transcript data > "$TESTDIR/dsn"
is "$(SMTPD_LOG=$A_LOG transcript mail)" "<>" "from the null sender"
like "$(cat "$TESTDIR/dsn")" '^Remote-MTA: dns; 127\.0\.0\.1' "Remote-MTA: b's host"
like "$(cat "$TESTDIR/dsn")" '^X-Mailhop-Upstream: b' "and the upstream's name"
like "$(cat "$TESTDIR/dsn")" '^Diagnostic-Code: smtp; 550 5\.1\.1 no such user' "with b's reply"

# Without [route]: default alone, whatever the sender.
MH_CONF_BASE=no mh_conf "$(mh_upstream default "$A_PORT" starttls alice pw-a)
$(mh_upstream b "$B_PORT" tls bob pw-b)
[queue]
deliver = queue"
nA=$(SMTPD_LOG=$A_LOG transcript count)
nB=$(SMTPD_LOG=$B_LOG transcript count)
send sales@shop.example r8@example.com
mh mailhop flush >/dev/null 2>&1
is "$(SMTPD_LOG=$A_LOG transcript count)" $((nA + 1)) "no [route]: default carries it"
is "$(SMTPD_LOG=$B_LOG transcript count)" "$nB" "and b nothing"
