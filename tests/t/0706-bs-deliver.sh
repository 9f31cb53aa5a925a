#!/bin/bash
# tests/t/0706-bs-deliver.sh: cmd_smtp.c.  After QUIT (or EOF) a session
# that queued something starts a background flush, as -odb does; -odq
# only queues; -odi in -bs also delivers in the background (the client
# has gone when delivery could report).
. "$TESTLIB/tap.sh"
plan 10

start_smtpd
mh_conf
# the base file says deliver = queue; take it out for this test
sed -i 's/^deliver = queue$/deliver = background/' "$MAILHOP_CONFIG"

# predicates for wait_for, evaluated at every poll
delivered() { [ "$(transcript count 2>/dev/null)" = "$1" ]; }
spool_is() { [ "$(spool_count)" = "$1" ]; }

session() {
	printf 'EHLO c\r\nMAIL FROM:<bg@example.org>\r\nRCPT TO:<%s>\r\nDATA\r\nSubject: %s\r\n\r\nbody\r\n.\r\n%b' \
	    "$1" "$1" "$2" | mh sendmail -bs "${@:3}" >s.out 2>s.err
}

session q@example.net 'QUIT\r\n' -odq
is "$? $(wc -c <s.err)" "0 0" "-odq: exit 0, nothing on stderr"
is "$(spool_count)" 1 "-odq: queued"

session bg@example.net 'QUIT\r\n'
is "$? $(wc -c <s.err)" "0 0" "background: exit 0, nothing on stderr"
wait_for delivered 2
ok $? "background: the flush started after QUIT delivered both queued messages"
is "$(transcript rcpt)" "q@example.net bg@example.net" "both recipients, in queue order"
is "$(transcript connections)" 1 "one connection: the -odq session started no flush of its own"
wait_for spool_is 0
ok $? "spool empty after the background flush"

session eof@example.net ''
is "$?" 0 "EOF without QUIT after a queued message: exit 0"
wait_for delivered 3
ok $? "EOF without QUIT also starts the background flush"

session odi@example.net 'QUIT\r\n' -odi
wait_for delivered 4
ok $? "-odi in -bs: delivered in the background"
