#!/bin/bash
# 0002-end-to-end.sh: the walking skeleton.  sendmail -t queues durably
# (fsync before exit 0), a detached background delivery sends it over
# STARTTLS + AUTH PLAIN, mailq shows a queued entry, sendmail -q delivers
# it, and the server sees exactly one transaction each time with CRLF-only
# DATA and Date/Message-ID added once.
. "$TESTLIB/tap.sh"
plan 25

start_smtpd --tls starttls --auth plain --user alice:secret-pw-1 || bail "no smtpd"
MH_CONF_BASE=no mh_conf "[upstream]
host = 127.0.0.1
port = $SMTPD_PORT
tls = starttls
ca_file = $TESTDIR/ca/ca.pem
user = alice
password = secret-pw-1
auth = plain"
spool=$XDG_STATE_HOME/mailhop

# 1. Background delivery (the default): nothing but sendmail -t.
printf 'To: a@example.com\nSubject: hi\n\nhello\n' | mh sendmail -t 2>err.txt
is "$?" 0 "sendmail -t exits 0"
is "$(cat err.txt)" "" "nothing on stderr"
is "$(stat -c %a "$spool")" 700 "spool created 0700 at \$XDG_STATE_HOME/mailhop"
wait_transactions 1
is "$(transcript count)" 1 "the background delivery sent exactly one transaction"
is "$(transcript rcpt)" "a@example.com" "to the -t recipient"
like "$(transcript mail)" '^[^@]+@.+$' "from user@domain by default"
is "$(transcript tls)" yes "over TLS"
is "$(transcript auth)" alice "authenticated as alice"
transcript data 1 >data1
is "$("$PYTHON" -c 'import re,sys; d=open(sys.argv[1],"rb").read(); print(len(re.findall(rb"\r(?!\n)|(?<!\r)\n", d)), d.count(b"\r\n") > 3)' data1)" "0 True" "DATA has CRLF line endings only"
is "$(grep -c '^Date: ' data1)" 1 "Date added once"
is "$(grep -c '^Message-ID: <.*@.*>' data1)" 1 "Message-ID added once"
like "$(cat data1)" $'^Subject: hi\r$' "the Subject header kept"
is "$(tail -c 7 data1 | od -An -c | tr -s ' ')" " h e l l o \r \n" "the body ends hello CRLF"
spool_empty() { [ "$(spool_count)" = 0 ]; }
wait_for spool_empty
is "$(spool_count)" 0 "the delivered entry left the spool"
# The -odb helper rescans before it exits (SPEC 6): the -odq message below
# must not be queued while it still runs, or it rightly delivers that too.
no_helper() { [ -z "$(mh_helpers)" ]; }
wait_for no_helper

# 2. Queue only, look at it, flush it.
printf 'To: b@example.com\nSubject: second\n\nqueued\n' >msg2
ln -s "$MAILHOP_BIN" sendmail
strace -f -o trace.txt -e trace=fsync,fdatasync,rename,renameat,renameat2,exit_group \
    ./sendmail -odq -t <msg2 2>/dev/null
st=$?
if [ "$st" = 127 ] || ! [ -s trace.txt ]; then
    printf 'To: b@example.com\nSubject: second\n\nqueued\n' | mh sendmail -odq -t
    st=$?
    echo "no strace" >trace.txt
fi
is "$st" 0 "sendmail -odq -t exits 0"
is "$(spool_count)" 1 "one committed entry"
# The last durable step before exit is the directory fsync after the rename.
last=$(grep -E 'fsync|rename' trace.txt | tail -2 | sed -E 's/^[0-9]+ +//; s/\(.*//; s/^renameat2?$/rename/' | tr '\n' ' ')
if grep -q 'no strace' trace.txt; then
    skip "strace is not installed"
else
    is "$last" "rename fsync " "the directory fsync follows the envelope's rename before exit"
fi
id=$(ls "$spool" | sed -n 's/\.e$//p')
isnt "$id" "" "the entry has an id"
q=$(mh mailq)
like "$q" "^$id" "mailq lists the entry by id"
like "$q" "b@example.com" "mailq lists the pending recipient"
is "$(transcript count)" 1 "nothing sent while queued"
mh sendmail -q
is "$?" 0 "sendmail -q exits 0"
is "$(transcript count)" 2 "sendmail -q sent exactly one more transaction"
is "$(transcript rcpt | awk '{print $2}')" "b@example.com" "to the queued recipient"
is "$(spool_count)" 0 "the spool is empty after the flush"
