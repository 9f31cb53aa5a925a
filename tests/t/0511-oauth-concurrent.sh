#!/bin/bash
# One refresh for many flushers (SPEC §12): oauth.c takes a flock on
# state/oauth-NAME.lock (a file never replaced) before it asks the token
# endpoint, and reads the cache again once it holds it, so the flushers
# that waited take the token the first one fetched.  Eight flushers
# (sendmail -qI, one entry each) start at once against a token endpoint
# that takes a second to answer: exactly one request reaches it.
. "$TESTLIB/tap.sh"
. "$TESTLIB/oauthd.sh"
plan 8

ISSUED=$TESTDIR/issued
printf 'rt-0\n' > "$TESTDIR/rt"
chmod 600 "$TESTDIR/rt"
start_oauthd --client cid-1 --refresh rt-0 --issued "$ISSUED" --mode slow --slow 1 || bail "no oauthd"
start_smtpd --auth xoauth2 --token-file "$ISSUED" || bail "no smtpd"
mh_conf_oauth "timeout = 20s"
CACHE=$XDG_STATE_HOME/mailhop/state/oauth-default.token

# eight_at_once: queue 8 messages, then flush each in its own process, all
# released at the same instant; prints the exit codes
eight_at_once() {
    local ids=() id pids=() p i
    for i in 1 2 3 4 5 6 7 8; do
        printf 'Subject: %s\n\nx\n' "$i" | mh sendmail -f alice@example.org "bob$i@example.net"
    done
    ids=$(cd "$XDG_STATE_HOME/mailhop" && ls *.e | sed 's/\.e$//')
    rm -f go
    for id in $ids; do
        ( while [ ! -e go ]; do sleep 0.005; done; exec -a sendmail "$MAILHOP_BIN" "-qI$id" ) &
        pids+=($!)
    done
    touch go
    for p in "${pids[@]}"; do
        wait "$p"
        printf '%s ' "$?"
    done
}

is "$(eight_at_once)" "0 0 0 0 0 0 0 0 " "eight flushers at once: each exits 0"
is "$(oauthd_count)" 1 "exactly one token request reached the endpoint"
is "$(transcript count) $(spool_count)" "8 0" "all eight delivered"
is "$(sort -u <<<"$(transcript auth)")" "alice" "each authenticated"
like "$(cat "$CACHE")" "^token $(oauthd_last last_access)\$" "with the one token, now in the cache"

# Once it is about to expire: again one request for the eight.
sed -i "s/^expires .*/expires $(($(date +%s) + 30))/" "$CACHE"
is "$(eight_at_once)" "0 0 0 0 0 0 0 0 " "eight more at once, the cached token past its use"
is "$(oauthd_count)" 2 "one more token request, not eight"
is "$(transcript count) $(spool_count)" "16 0" "all delivered"
