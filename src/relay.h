/* SPDX-License-Identifier: MIT */
/*
 * relay.h - SMTP to the upstream over libcurl: TLS and AUTH options, easy
 * handles reused across messages (one connection each), up to `parallel`
 * of them driven by the multi interface, and every RCPT's reply and the
 * final reply captured.  With http.c (the OAuth2 endpoints), the only file
 * that includes <curl/curl.h>.
 * Owner: relay.c (may refine; deliver.c is the only caller).
 */
#ifndef MH_RELAY_H
#define MH_RELAY_H

#include <signal.h>
#include <stddef.h>

#include "buf.h"
#include "conf.h"
#include "err.h"

#define RELAY_REPLY_MAX	512

struct relay;

struct relay_rcpt {
	const char	*addr;
	/*
	 * Outcome for this recipient: the RCPT reply if it was not 2xx, else
	 * the reply to the final dot (or to DATA, if that was refused); a
	 * refused MAIL FROM gives every recipient its reply.  0 when the
	 * session failed before an outcome was known (connection, TLS, AUTH,
	 * timeout, no reply to the final dot): deferred.
	 */
	int		 code;
	/* The server's reply, sanitized (SPEC §4); with code 0, job->error. */
	char		 reply[RELAY_REPLY_MAX];
};

struct relay_job {
	const char	*sender;	/* "" is the null sender */
	struct relay_rcpt *rcpts;
	size_t		 nrcpts;
	int		 msgfd;		/* CRLF message, read from offset 0 */
	void		*arg;		/* the caller's */
	/* Filled in by relay: */
	int		 session_failed;	/* no outcome for any rcpt */
	/*
	 * The upstream failed before it accepted MAIL FROM (connection,
	 * TLS, STARTTLS, greeting, EHLO, AUTH, a 4xx to MAIL): no recipient
	 * was offered, so another upstream may take the job (SPEC 9).
	 */
	int		 before_mail;
	char		 error[RELAY_REPLY_MAX];	/* why, for logs and mailq */
	char		 relay_name[256];	/* NAME[host]:port for logs */
};

/*
 * Called once per job when it is finished (in job order not guaranteed).
 * A failure before MAIL (connect, TLS, AUTH, "server offers no AUTH") or
 * a timeout ends the run for that connection; when no connection is left,
 * the remaining jobs are called back at once with session_failed and the
 * same error, without contacting the server again.  With tls = none and
 * credentials, AUTH is refused unless allow_plaintext_auth = yes or the
 * host is written as loopback (127.0.0.0/8, ::1, localhost; names are not
 * resolved for this): every job fails that way and nothing is sent.
 */
typedef void	relay_done_fn(struct relay_job *, void *);

/*
 * A session with one upstream, over up to parallel connections
 * (CONF_PARALLEL_AUTO: one, and a second while a long batch waits).
 * verbose: the SMTP dialogue on stderr ("--> " sent, "<-- " received,
 * "[N] " before each line when more than one connection is in use), AUTH arguments and the
 * exchange lines after AUTH shown as "***".  Fetches the password or token
 * (secret.h) once; EX_CONFIG when host is not set, or user is set and
 * neither is configured.  up must outlive the relay.
 */
struct relay *relay_new(const struct upstream *, int parallel, int verbose,
	    struct mh_err *);
/*
 * Run the jobs over up to `parallel` connections, each reused for
 * successive jobs (a connection ends with QUIT after the upstream's
 * max_per_connection messages, when that is set).  Returns 0 when every
 * job has had its done callback, or the stop flag (relay_stop_on) was
 * raised and every job started has (the others get none and are the
 * caller's as they were); -1 only for a local failure (libcurl cannot
 * start).
 */
int	relay_run(struct relay *, struct relay_job **, size_t,
	    relay_done_fn *, void *, struct mh_err *);
/*
 * `mailhop test`: connect, TLS, AUTH, NOOP, QUIT; append a human report,
 * one "key: value" line each: relay, tls (version, cipher), certificate
 * (subject, issuer, expires, verified), auth, noop; and put the gist in
 * line ("host[addr]:port, STARTTLS TLSv1.3, AUTH PLAIN as alice").  On
 * failure -1 with a one-line err naming host:port and why: EX_UNAVAILABLE
 * (connection, TLS, AUTH, no AUTH offered, timeout) or EX_CONFIG
 * (plain-text AUTH refused).
 */
int	relay_test(struct relay *, struct buf *report, char *line,
	    size_t linelen, struct mh_err *);
/*
 * Watch flag (a signal handler's): once it is set, relay_run() starts no
 * further job, so that the transaction in progress ends and nothing new
 * begins.
 */
void	relay_stop_on(struct relay *, const volatile sig_atomic_t *flag);
void	relay_free(struct relay *);
/*
 * A port and tls pair that is almost always a mistake (RFC 8314: 465 is
 * implicit TLS; 587 and 25 start in plain text), in words for `mailhop
 * test` to print before it connects (into buf); NULL when fine.  With
 * tls = starttls or none on port 465, relay_run() and relay_test() first
 * look for a greeting for at most 10 seconds (not `timeout`) and fail
 * saying so when none comes.
 */
const char *relay_port_warning(const struct upstream *, char *buf,
	    size_t len);
/*
 * oauth_provider set (oauth.h): the spool's state directory, where the
 * access token is cached and one process at a time refreshes it.  Call
 * before relay_run(); without it every run fetches a token.  The token is
 * taken at each relay_run() (from the cache while it is good, so a relay
 * that lives long follows it) and by relay_test(); when that fails every
 * job fails with the reason (an invalid_grant says to run `mailhop oauth
 * login NAME`), for a minute without asking again.  A refused token is
 * dropped and a new one fetched, and the job tried again, once per run.
 */
void	relay_use_state(struct relay *, int statefd);
/* Something the log should say that did not stop delivery; "" if none. */
const char *relay_notice(const struct relay *);

#endif
