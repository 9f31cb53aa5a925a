#!/bin/bash
# relay.c: what a good session looks like on the wire.  STARTTLS + AUTH
# PLAIN, AUTH LOGIN and CRAM-MD5 chosen by `auth`, implicit TLS; the DATA
# bytes arrive exactly (libcurl dot-stuffs: lone dots, leading dots, a
# body that starts with a dot), the null sender is MAIL FROM:<>, and
# several messages share one connection.
. "$TESTLIB/tap.sh"
plan 22

# cmds: the commands the server received, on one line
cmds() { transcript commands | tr '\n' '|'; }

start_smtpd
mh_conf
printf 'Subject: one\n\nhello\n' | mh sendmail -f alice@example.org bob@example.net
mh mailhop flush
is "$?" 0 "STARTTLS + AUTH PLAIN: flushed"
is "$(transcript tls) $(transcript tls_version) $(transcript auth)" \
    "yes TLSv1.3 alice" "the server saw TLS 1.3 and user alice"
is "$(transcript auth_mechanism)" PLAIN "auth = auto took PLAIN"
like "$(cmds)" '^EHLO [^|]*\|STARTTLS\|EHLO [^|]*\|AUTH PLAIN\|\*\*\*\|MAIL FROM:<alice@example.org>' \
    "EHLO, STARTTLS, EHLO, AUTH, then MAIL"
is "$(spool_count)" 0 "the queue is empty"

# -i keeps lone dots in; the spool has CRLF; libcurl must stuff them.
printf '.starts with a dot\n.\n..two\nmiddle\n.\n' > dots.txt
mh sendmail -i -f alice@example.org carol@example.net < dots.txt
printf '' | mh sendmail -f '<>' dave@example.net
mh mailhop flush
is "$?" 0 "two more flushed"
transcript data 2 > got.eml
body=$(sed -n '/^\r$/,$p' got.eml | tail -n +2)
is "$body" "$(printf '.starts with a dot\r\n.\r\n..two\r\nmiddle\r\n.\r')" \
    "dots arrive intact (unstuffed by the server)"
isnt "$(head -c 18 got.eml)" ".starts with a dot" "headers were added in front"
is "$(transcript mail 3)" "<>" "the null sender reached the server"
like "$(transcript commands)" '^MAIL FROM:<>( |$)' "sent as MAIL FROM:<>"
is "$(transcript connections)" 2 "two flushes, two connections (one each)"
stop_smtpd

# auth = login
start_smtpd --auth plain,login
mh_conf "[upstream]
auth = login"
printf 'Subject: login\n\nx\n' | mh sendmail -f alice@example.org bob@example.net
mh mailhop flush
is "$(transcript auth_mechanism) $(transcript auth)" "LOGIN alice" "auth = login: AUTH LOGIN"
like "$(cmds)" 'AUTH LOGIN\|\*\*\*\|\*\*\*\|MAIL' "user and password lines (masked by the server log)"
stop_smtpd

# CRAM-MD5: the only mechanism offered; auto finds it
start_smtpd --auth cram-md5
mh_conf
printf 'Subject: cram\n\nx\n' | mh sendmail -f alice@example.org bob@example.net
mh mailhop flush
is "$?" 0 "CRAM-MD5: flushed"
is "$(transcript auth_mechanism) $(transcript auth) $(transcript count)" \
    "CRAM-MD5 alice 1" "auth = auto took CRAM-MD5"
stop_smtpd

# implicit TLS (tls = tls): no STARTTLS, TLS from the first byte
start_smtpd --tls implicit
mh_conf
like "$(cat "$MAILHOP_CONFIG")" '^tls = tls$' "config says tls = tls"
for i in 1 2 3; do
    printf 'Subject: implicit %s\n\nx\n' "$i" | mh sendmail -f alice@example.org "r$i@example.net"
done
mh mailhop flush
is "$?" 0 "implicit TLS: flushed"
is "$(transcript count) $(transcript tls) $(transcript auth)" "3 yes alice" \
    "three messages over TLS, authenticated"
is "$(transcript connections)" 1 "over one connection"
unlike "$(cmds)" 'STARTTLS' "no STARTTLS on an implicit TLS port"
is "$(transcript commands | grep -c '^AUTH')" 1 "one AUTH for three messages"
is "$(transcript rcpt)" "r1@example.net r2@example.net r3@example.net" "in queue order"
