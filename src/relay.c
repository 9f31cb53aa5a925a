/* SPDX-License-Identifier: MIT */
/*
 * relay.c - the SMTP client, on libcurl's SMTP (written against 7.88.1).
 *
 * libcurl speaks the protocol; this file decides the policy it must follow
 * (TLS never "tried", no unauthenticated mail by surprise, no AUTH in
 * clear text to another machine) and watches the dialogue through the
 * debug callback, because libcurl reports one result per transfer while
 * mailhop needs one outcome per recipient.  One easy handle is one
 * connection, kept by the multi handle's connection cache and reused for
 * the next job; `parallel` easy handles run side by side.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "addr.h"
#include "idn.h"
#include "oauth.h"
#include "relay.h"
#include "secret.h"
#include "text.h"
#include "xmem.h"

#define RELAY_RCPT_MAX	100	/* RCPT commands per transaction */
/*
 * With [queue] parallel left at its default a second connection serves a
 * batch of at least this many messages (deliver.c hands 64 at a time): a
 * long queue drains about 20% faster (doc/PERFORMANCE.md), a few
 * messages keep one connection.
 */
#define RELAY_GROW_AT	32
/* How long a first look waits for a greeting on port 465 (see below). */
#define RELAY_GREETING_PROBE	10

/* What the next server reply answers. */
enum relay_cmd {
	CMD_GREETING, CMD_EHLO, CMD_STARTTLS, CMD_AUTH, CMD_MAIL, CMD_RCPT,
	CMD_DATA, CMD_DOT, CMD_QUIT, CMD_OTHER
};

struct relay_reply {
	int		 code;			/* 0: none seen */
	char		 text[RELAY_REPLY_MAX];	/* "250 2.0.0 ok", sanitized */
};

/* What relay_test() learns about the session. */
struct relay_tlsinfo {
	char		 version[32];
	char		 cipher[80];
	char		 subject[256];
	char		 issuer[256];
	char		 not_after[64];
};

/* One easy handle: one connection, one job at a time. */
struct relay_conn {
	struct relay	*r;
	CURL		*easy;
	int		 id;		/* 1..parallel, prefixes -v lines */
	int		 retired;	/* setup failed: takes no more jobs */
	struct relay_job *job;		/* in flight, or NULL when idle */
	struct curl_slist *rcpts;	/* the job's RCPT list, owned */
	off_t		 off;		/* next byte of job->msgfd to send */
	off_t		 size;		/* of the message file */
	int		 fd;		/* socket of this transfer, or -1 */
	int		 known_fd;	/* the socket found for known_port... */
	int		 known_port;	/* ...kept across transfers, or -1 */
	/* The dialogue of the current transfer, seen by the debug callback. */
	enum relay_cmd	 cmd;
	size_t		 first;		/* the job's recipients in this */
	size_t		 count;		/* transaction: [first, first + count) */
	size_t		 nrcpt;		/* RCPT commands sent */
	int		 in_auth;	/* inside an AUTH exchange: mask it */
	int		 ehlo_seen;	/* a new connection: EHLO was sent */
	int		 auth_offered;	/* the last EHLO reply had AUTH */
	int		 utf8_offered;	/* the last EHLO reply had SMTPUTF8 */
	int		 utf8_abort;	/* stopped before MAIL: SMTPUTF8 missing */
	char		*from;		/* the job's sender as sent (A-labels) */
	size_t		 map[RELAY_RCPT_MAX];	/* the nth RCPT is rcpts[map[n]] */
	size_t		 nmap;
	int		 mail_sent;	/* past the setup phase */
	int		 quit_sent;	/* replies from here on are not ours */
	char		 offered[128];	/* AUTH mechanisms of the last EHLO */
	char		 mech[32];	/* AUTH mechanism libcurl chose */
	char		 partial[RELAY_REPLY_MAX];	/* unfinished reply line */
	size_t		 npartial;
	struct relay_reply cur;		/* reply being assembled */
	struct relay_reply last;	/* the last complete reply */
	struct relay_reply auth, mail, data, dot;
	char		 why[RELAY_REPLY_MAX];	/* our reason for an abort */
	char		 peer[256];	/* host[addr]:port once connected */
	char		 errbuf[CURL_ERROR_SIZE];
	struct relay_tlsinfo *tls;	/* relay_test() only */
	unsigned	 token_gen;	/* r->token_gen when the job started */
	struct relay_job *retried;	/* the job restarted after an AUTH refusal */
};

struct relay {
	const struct upstream *up;
	int		 verbose;
	int		 need_auth;	/* credentials are configured */
	int		 utf8;		/* SMTPUTF8 offered: 1, not: 0, unknown: -1 */
	char		*url;
	char		*secret;	/* password or token; wiped on free */
	char		*client_key;	/* client_key's bytes; wiped on free */
	size_t		 client_key_len;
	int		 secret_is_token;
	/* oauth_provider set: the token comes from oauth.c, per run. */
	int		 refresh;	/* fetch the token with oauth.c */
	struct oauth	*oauth;		/* made at the first fetch */
	int		 statefd;	/* relay_use_state(); -1: no cache */
	unsigned	 token_gen;	/* bumped at each token fetched */
	int		 token_cached;	/* the last one came from the cache */
	int		 refreshed;	/* fetched again after a refusal, this run */
	char		 token_error[RELAY_REPLY_MAX];	/* the fetch failed... */
	time_t		 token_failed;	/* ...then */
	char		 notice[RELAY_REPLY_MAX];	/* oauth_warning() */
	CURLM		*multi;		/* NULL until the first relay_run() */
	struct relay_conn *conns;
	int		 nconns;
	int		 grow;		/* parallel left at its default */
	int		 grown;		/* ...and the second connection used */
	int		*socks;		/* every socket libcurl has open */
	long		*uses;		/* messages begun on each */
	size_t		 nsocks;
	/* The current relay_run(). */
	struct relay_job **jobs;
	size_t		 njobs, next;
	int		 active;
	relay_done_fn	*done;
	void		*done_arg;
	char		 setup_error[RELAY_REPLY_MAX];
	const volatile sig_atomic_t *stop;	/* set: start no more jobs */
	int		 probed;	/* relay_greeting_probe() has run */
	char		 probe_error[RELAY_REPLY_MAX];
};

/*
 * snprintf() for fixed fields that are meant to cut (server text, libcurl
 * errors): the same, minus the compiler's truncation warnings.
 */
static void relay_setf(char *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
relay_setf(char *dst, size_t dstsz, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(dst, dstsz, fmt, ap);
	va_end(ap);
}

static const char *const relay_cmd_names[] = {
	"the greeting", "EHLO", "STARTTLS", "AUTH", "MAIL FROM", "RCPT TO",
	"DATA", "the end of DATA", "QUIT", "a command"
};

/*
 * Server text goes to envelopes, logs and terminals: text_show() with a
 * run of controls (a CRLF, an ESC) as one space, cut at a character.
 */
static void
relay_sanitize(char *dst, size_t dstsz, const char *src, size_t len)
{
	text_show(dst, dstsz, src, len, TEXT_SPACE);
}

static void
relay_reply_copy(struct relay_rcpt *rp, const struct relay_reply *rr)
{
	rp->code = rr->code;
	relay_setf(rp->reply, sizeof(rp->reply), "%s", rr->text);
}

/* Loopback by how the host is written: names are not resolved for this. */
static int
relay_host_is_loopback(const char *host)
{
	struct in_addr	 a4;
	struct in6_addr	 a6;
	char		 buf[64];
	size_t		 len = strlen(host);

	if (strcasecmp(host, "localhost") == 0)
		return 1;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (len > 2 && len < sizeof(buf) && host[0] == '[' &&
	    host[len - 1] == ']') {
		memcpy(buf, host + 1, len - 2);
		buf[len - 2] = '\0';
		host = buf;
	}
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return 0;
}

/* The reason AUTH may not be sent in clear text, or NULL. */
static const char *
relay_plaintext_refusal(const struct relay *r)
{
	const struct upstream *up = r->up;

	if (!r->need_auth || up->tls != CONF_TLS_NONE ||
	    up->allow_plaintext_auth || relay_host_is_loopback(up->host))
		return NULL;
	return "refusing to send AUTH credentials unencrypted to a host that "
	    "is not loopback (tls = none; set allow_plaintext_auth = yes to "
	    "allow it)";
}

static void
relay_vlog(const struct relay_conn *c, const char *dir, const char *line,
    size_t len)
{
	char	 clean[RELAY_REPLY_MAX];

	relay_sanitize(clean, sizeof(clean), line, len);
	if (c->r->nconns > 1 && (!c->r->grow || c->r->grown))
		fprintf(stderr, "[%d] %s %s\n", c->id, dir, clean);
	else
		fprintf(stderr, "%s %s\n", dir, clean);
}

/* True if word (case-insensitive) starts line and ends at a space or NUL. */
static int
relay_word(const char *line, size_t len, const char *word)
{
	size_t	 n = strlen(word);

	return len >= n && strncasecmp(line, word, n) == 0 &&
	    (len == n || line[n] == ' ' || line[n] == '\r' || line[n] == '=');
}

/*
 * Close this transfer's connection at once, without waiting for the reply
 * to QUIT (a stalled server would make every failure cost two timeouts)
 * and so that a connection left out of step (libcurl 7.88 keeps it for
 * reuse after a timeout at the final dot) can never carry the next job:
 * libcurl finds it dead and drops it.  Queued bytes (QUIT) still go out.
 */
static void
relay_conn_kill(struct relay_conn *c)
{
	if (c->fd != -1)
		shutdown(c->fd, SHUT_RDWR);
}

/*
 * A command libcurl sent.  Inside an AUTH exchange every line is a
 * credential (base64 user, password, token or CRAM response): -v shows
 * "***" for it and for the arguments of AUTH itself.
 */
static void
relay_on_command(struct relay_conn *c, const char *line, size_t len)
{
	size_t	 i;

	if (c->in_auth) {
		if (c->r->verbose)
			relay_vlog(c, "-->", "***", 3);
		return;
	}
	if (relay_word(line, len, "AUTH")) {
		c->cmd = CMD_AUTH;
		c->in_auth = 1;
		for (i = 5; i < len && line[i] != ' ' && line[i] != '\r'; i++)
			;
		relay_sanitize(c->mech, sizeof(c->mech), line + 5,
		    i > 5 ? i - 5 : 0);
		if (c->r->verbose) {
			char	 masked[64];

			relay_setf(masked, sizeof(masked), "AUTH %s%s", c->mech,
			    i < len && line[i] == ' ' ? " ***" : "");
			relay_vlog(c, "-->", masked, strlen(masked));
		}
		return;
	}
	if (c->r->verbose)
		relay_vlog(c, "-->", line, len);
	if (relay_word(line, len, "EHLO") || relay_word(line, len, "HELO")) {
		c->cmd = CMD_EHLO;
		c->ehlo_seen = 1;
		c->auth_offered = 0;
		c->utf8_offered = 0;
		c->offered[0] = '\0';
	} else if (relay_word(line, len, "STARTTLS"))
		c->cmd = CMD_STARTTLS;
	else if (relay_word(line, len, "MAIL")) {
		c->cmd = CMD_MAIL;
		c->mail_sent = 1;
	} else if (relay_word(line, len, "RCPT")) {
		c->cmd = CMD_RCPT;
		c->nrcpt++;
	} else if (relay_word(line, len, "DATA"))
		c->cmd = CMD_DATA;
	else if (relay_word(line, len, "QUIT")) {
		/*
		 * c->cmd stays, so that an error still names the reply we
		 * waited for.  A 221 (or a server's early 421) read after this
		 * must not be taken for that reply: it once replaced a
		 * recipient's 451 when the 221 won the race with the shutdown.
		 */
		c->quit_sent = 1;
		relay_conn_kill(c);
	}
	else
		c->cmd = CMD_OTHER;
}

/* A complete (possibly multi-line) reply to c->cmd. */
static void
relay_on_reply(struct relay_conn *c)
{
	struct relay_job *job = c->job;
	size_t		 i;

	c->last = c->cur;
	switch (c->cmd) {
	case CMD_AUTH:
		/*
		 * A 334 is kept too: an XOAUTH2 refusal is a 334 carrying a
		 * JSON error, on which libcurl gives up (CURLE_LOGIN_DENIED).
		 */
		c->auth = c->cur;
		if (c->cur.code != 334)
			c->in_auth = 0;
		break;
	case CMD_MAIL:
		c->mail = c->cur;
		break;
	case CMD_RCPT:
		if (job == NULL || c->nrcpt == 0 || c->nrcpt > c->nmap)
			break;
		i = c->map[c->nrcpt - 1];
		relay_reply_copy(&job->rcpts[i], &c->cur);
		break;
	case CMD_DATA:
		if (c->cur.code == 354)
			c->cmd = CMD_DOT;
		else
			c->data = c->cur;
		break;
	case CMD_DOT:
		c->dot = c->cur;
		break;
	default:
		break;
	}
	memset(&c->cur, 0, sizeof(c->cur));
}

/* An EHLO reply line "250-AUTH PLAIN LOGIN" (or the old "AUTH="). */
static void
relay_on_ehlo_line(struct relay_conn *c, const char *text, size_t len)
{
	if (len >= 8 && strncasecmp(text, "SMTPUTF8", 8) == 0 &&
	    (len == 8 || text[8] == ' '))
		c->utf8_offered = 1;
	if (len < 5 || strncasecmp(text, "AUTH", 4) != 0 ||
	    (text[4] != ' ' && text[4] != '='))
		return;
	c->auth_offered = 1;
	relay_sanitize(c->offered, sizeof(c->offered), text + 5, len - 5);
}

/* One reply line without its CRLF. */
static void
relay_on_line(struct relay_conn *c, const char *line, size_t len)
{
	struct relay_reply *cur = &c->cur;
	size_t		 n;
	int		 code;

	if (c->r->verbose)
		relay_vlog(c, "<--", line, len);
	if (c->quit_sent || len < 3 || !isdigit((unsigned char)line[0]) ||
	    !isdigit((unsigned char)line[1]) ||
	    !isdigit((unsigned char)line[2]))
		return;
	code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	if (c->cmd == CMD_EHLO && len > 4)
		relay_on_ehlo_line(c, line + 4, len - 4);
	if (cur->code == 0) {
		cur->code = code;
		relay_sanitize(cur->text, sizeof(cur->text), line, len);
		if (len > 3 && line[3] == '-')
			cur->text[3] = ' ';
	} else if (len > 4) {
		n = strlen(cur->text);
		if (n + 2 < sizeof(cur->text)) {
			cur->text[n++] = ' ';
			relay_sanitize(cur->text + n, sizeof(cur->text) - n,
			    line + 4, len - 4);
		}
	}
	if (len == 3 || line[3] != '-')
		relay_on_reply(c);
}

/* Split what libcurl received into lines; a line may span two calls. */
static void
relay_on_input(struct relay_conn *c, const char *data, size_t size)
{
	const char	*nl;
	size_t		 n;

	while (size > 0) {
		nl = memchr(data, '\n', size);
		n = nl != NULL ? (size_t)(nl - data) : size;
		if (c->npartial + n > sizeof(c->partial))
			n = sizeof(c->partial) - c->npartial; /* overlong: cut */
		memcpy(c->partial + c->npartial, data, n);
		c->npartial += n;
		if (nl == NULL)
			return;
		n = c->npartial;
		if (n > 0 && c->partial[n - 1] == '\r')
			n--;
		relay_on_line(c, c->partial, n);
		c->npartial = 0;
		size -= (size_t)(nl - data) + 1;
		data = nl + 1;
	}
}

static int
relay_cb_debug(CURL *easy, curl_infotype type, char *data, size_t size,
    void *arg)
{
	struct relay_conn *c = arg;
	const char	*nl;
	size_t		 n;

	(void)easy;
	switch (type) {
	case CURLINFO_HEADER_IN:
		relay_on_input(c, data, size);
		break;
	case CURLINFO_HEADER_OUT:
		/* libcurl sends one command per call; split anyway. */
		while (size > 0) {
			nl = memchr(data, '\n', size);
			n = nl != NULL ? (size_t)(nl - data) + 1 : size;
			relay_on_command(c, data, n - (nl != NULL) -
			    (n >= 2 && nl != NULL && data[n - 2] == '\r'));
			data += n;
			size -= n;
		}
		break;
	default:
		break;
	}
	return 0;
}

/* The message, in chunks: memory does not grow with its size. */
static size_t
relay_cb_read(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct relay_conn *c = arg;
	ssize_t		 n;

	do
		n = pread(c->job->msgfd, ptr, size * nmemb, c->off);
	while (n == -1 && errno == EINTR);
	if (n == -1) {
		relay_setf(c->why, sizeof(c->why), "reading the queued message: "
		    "%s", strerror(errno));
		return CURL_READFUNC_ABORT;
	}
	c->off += n;
	return (size_t)n;
}

/* Replies to NOOP (relay_test) come as "body": not needed. */
/* The probe's NOOP answer is not wanted. */
static size_t
relay_cb_discard(char *ptr, size_t size, size_t nmemb, void *arg)
{
	(void)ptr;
	(void)arg;
	return size * nmemb;
}

static size_t
relay_cb_write(char *ptr, size_t size, size_t nmemb, void *arg)
{
	(void)ptr;
	(void)arg;
	return size * nmemb;
}

static void
relay_x509_name(char *dst, size_t dstsz, X509_NAME *name)
{
	BIO	*bio;
	char	*p;
	long	 len;

	dst[0] = '\0';
	if ((bio = BIO_new(BIO_s_mem())) == NULL)
		return;
	X509_NAME_print_ex(bio, name, 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB);
	len = BIO_get_mem_data(bio, &p);
	relay_sanitize(dst, dstsz, p, len > 0 ? (size_t)len : 0);
	BIO_free(bio);
}

/* relay_test(): what the TLS session is, read from libcurl's SSL *. */
static void
relay_tls_capture(struct relay_conn *c)
{
	struct curl_tlssessioninfo *tsi = NULL;
	struct relay_tlsinfo *t = c->tls;
	SSL		*ssl;
	X509		*x;
	BIO		*bio;
	char		*p;
	long		 len;

	if (curl_easy_getinfo(c->easy, CURLINFO_TLS_SSL_PTR, &tsi) != CURLE_OK
	    || tsi == NULL || tsi->backend != CURLSSLBACKEND_OPENSSL ||
	    tsi->internals == NULL)
		return;
	ssl = tsi->internals;
	relay_setf(t->version, sizeof(t->version), "%s", SSL_get_version(ssl));
	relay_setf(t->cipher, sizeof(t->cipher), "%s", SSL_get_cipher_name(ssl));
	if ((x = SSL_get1_peer_certificate(ssl)) == NULL)
		return;
	relay_x509_name(t->subject, sizeof(t->subject),
	    X509_get_subject_name(x));
	relay_x509_name(t->issuer, sizeof(t->issuer), X509_get_issuer_name(x));
	if ((bio = BIO_new(BIO_s_mem())) != NULL) {
		ASN1_TIME_print(bio, X509_get0_notAfter(x));
		len = BIO_get_mem_data(bio, &p);
		relay_sanitize(t->not_after, sizeof(t->not_after), p,
		    len > 0 ? (size_t)len : 0);
		BIO_free(bio);
	}
	X509_free(x);
}

/* A new socket: remember it, it is this transfer's until prereq says. */
static int
relay_cb_sockopt(void *arg, curl_socket_t fd, curlsocktype purpose)
{
	struct relay_conn *c = arg;
	struct relay	*r = c->r;

	(void)purpose;
	r->socks = xreallocarray(r->socks, r->nsocks + 1, sizeof(*r->socks));
	r->uses = xreallocarray(r->uses, r->nsocks + 1, sizeof(*r->uses));
	r->uses[r->nsocks] = 0;
	r->socks[r->nsocks++] = fd;
	c->fd = fd;
	c->quit_sent = 0;
	return CURL_SOCKOPT_OK;
}

static int
relay_cb_closesocket(void *arg, curl_socket_t fd)
{
	struct relay_conn *c = arg;
	struct relay	*r = c->r;
	size_t		 i;

	for (i = 0; i < r->nsocks; i++)
		if (r->socks[i] == fd) {
			r->socks[i] = r->socks[--r->nsocks];
			r->uses[i] = r->uses[r->nsocks];
			break;
		}
	if (c->known_fd == fd)
		c->known_fd = -1;
	return close(fd);
}

/* Which of the open sockets has this local port (a reused connection). */
static int
relay_sock_find(const struct relay *r, int local_port)
{
	struct sockaddr_storage ss;
	socklen_t	 len;
	size_t		 i;
	int		 port;

	for (i = 0; i < r->nsocks; i++) {
		len = sizeof(ss);
		if (getsockname(r->socks[i], (struct sockaddr *)&ss, &len) == -1)
			continue;
		if (ss.ss_family == AF_INET)
			port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		else if (ss.ss_family == AF_INET6)
			port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
		else
			continue;
		if (port == local_port)
			return r->socks[i];
	}
	return -1;
}

/* Does the transaction about to start need SMTPUTF8? */
static int
relay_xact_needs_utf8(const struct relay_conn *c)
{
	size_t	 k;

	if (c->job == NULL)
		return 0;
	if (idn_needs_smtputf8(c->job->sender))
		return 1;
	for (k = 0; k < c->nmap; k++)
		if (idn_needs_smtputf8(c->job->rcpts[c->map[k]].addr))
			return 1;
	return 0;
}

/*
 * max_per_connection (SPEC 9): count the messages begun on this socket;
 * the one that reaches the limit is its last.  libcurl reads FORBID_REUSE
 * when the transfer ends, and then closes the connection with QUIT.
 */
static void
relay_count_use(struct relay_conn *c)
{
	struct relay	*r = c->r;
	size_t		 i;

	if (r->up->max_per_connection <= 0)
		return;
	for (i = 0; i < r->nsocks; i++)
		if (r->socks[i] == c->fd &&
		    ++r->uses[i] >= r->up->max_per_connection)
			curl_easy_setopt(c->easy, CURLOPT_FORBID_REUSE, 1L);
}

/*
 * Called once the connection is ready (EHLO, STARTTLS, AUTH done) and
 * before MAIL.  libcurl 7.88 goes on without AUTH when the server offers
 * none; here that becomes an error, so nothing is sent unauthenticated.
 * A reused connection has no EHLO in this transfer: it passed this check
 * when it was set up.
 */
static int
relay_cb_prereq(void *arg, char *ip, char *local_ip, int port,
    int local_port)
{
	struct relay_conn *c = arg;

	(void)local_ip;
	/* A reused connection: no getsockname() round per message. */
	if (c->known_fd == -1 || c->known_port != local_port) {
		c->known_fd = relay_sock_find(c->r, local_port);
		c->known_port = local_port;
	}
	c->fd = c->known_fd;
	relay_count_use(c);
	relay_setf(c->peer, sizeof(c->peer), "%s[%s]:%d", c->r->up->host, ip,
	    port);
	if (c->tls != NULL)
		relay_tls_capture(c);
	if (c->r->need_auth && c->ehlo_seen && !c->auth_offered) {
		relay_setf(c->why, sizeof(c->why), "the server offers no AUTH "
		    "but credentials are configured: nothing sent");
		return CURL_PREREQFUNC_ABORT;
	}
	if (c->r->need_auth && c->ehlo_seen && c->auth.code != 235) {
		relay_setf(c->why, sizeof(c->why), "AUTH did not complete%s%s",
		    c->auth.code ? ": " : "", c->auth.text);
		return CURL_PREREQFUNC_ABORT;
	}
	/*
	 * libcurl 7.88 would send a UTF-8 local part to a server that does
	 * not offer SMTPUTF8.  The first transaction that needs it learns
	 * the answer here: stopped, it is started again without those
	 * recipients (relay_conn_finish).
	 */
	if (c->ehlo_seen)
		c->r->utf8 = c->utf8_offered;
	if (c->r->utf8 == 0 && relay_xact_needs_utf8(c)) {
		c->utf8_abort = 1;
		return CURL_PREREQFUNC_ABORT;
	}
	return CURL_PREREQFUNC_OK;
}

static char *
relay_url(const struct upstream *up)
{
	const char	*scheme, *helo;
	char		*esc, *url;
	int		 v6;

	scheme = up->tls == CONF_TLS_IMPLICIT ? "smtps" : "smtp";
	v6 = strchr(up->host, ':') != NULL && up->host[0] != '[';
	helo = upstream_helo(up);
	esc = curl_easy_escape(NULL, helo != NULL ? helo : "localhost", 0);
	if (esc == NULL)
		return NULL;
	url = xasprintf("%s://%s%s%s:%d/%s", scheme, v6 ? "[" : "", up->host,
	    v6 ? "]" : "", upstream_port(up), esc);
	curl_free(esc);
	return url;
}

static const char *
relay_login_options(const struct upstream *up)
{
	switch (up->auth) {
	case CONF_AUTH_PLAIN:
		return "AUTH=PLAIN";
	case CONF_AUTH_LOGIN:
		return "AUTH=LOGIN";
	case CONF_AUTH_CRAM_MD5:
		return "AUTH=CRAM-MD5";
	case CONF_AUTH_XOAUTH2:
		return "AUTH=XOAUTH2";
	case CONF_AUTH_OAUTHBEARER:
		return "AUTH=OAUTHBEARER";
	default:
		return "AUTH=*";
	}
}

/* The mechanism libcurl may use: a token goes as XOAUTH2 or OAUTHBEARER. */
static const char *
relay_mech_option(const struct relay *r)
{
	if (!r->secret_is_token)
		return relay_login_options(r->up);
	return r->up->auth == CONF_AUTH_OAUTHBEARER ? "AUTH=OAUTHBEARER" :
	    "AUTH=XOAUTH2";
}

/* TLS and AUTH: the same for every connection. */
static int
relay_setopt_session(struct relay_conn *c)
{
	const struct relay *r = c->r;
	const struct upstream *up = r->up;
	CURL		*e = c->easy;
	int		 bad = 0;

	bad |= curl_easy_setopt(e, CURLOPT_USE_SSL, up->tls ==
	    CONF_TLS_NONE ? (long)CURLUSESSL_NONE : (long)CURLUSESSL_ALL);
	/*
	 * TLS 1.2 at least, as mailhop's own rule: not left to the system's
	 * OpenSSL policy, which an OPENSSL_CONF or another distribution may
	 * lower to TLS 1.0.
	 */
	bad |= curl_easy_setopt(e, CURLOPT_SSLVERSION,
	    (long)CURL_SSLVERSION_TLSv1_2);
	bad |= curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, up->tls_verify ?
	    1L : 0L);
	bad |= curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, up->tls_verify ?
	    2L : 0L);
	if (up->ca_file != NULL)
		bad |= curl_easy_setopt(e, CURLOPT_CAINFO, up->ca_file);
	if (up->client_cert != NULL)
		bad |= curl_easy_setopt(e, CURLOPT_SSLCERT, up->client_cert);
	if (r->client_key != NULL) {
		/*
		 * The key read once, through the secret-file checks, and
		 * handed over as bytes: libcurl opening the path itself
		 * would skip those checks (and could open another file).
		 */
		struct curl_blob key = { r->client_key, r->client_key_len,
		    CURL_BLOB_COPY };

		bad |= curl_easy_setopt(e, CURLOPT_SSLKEY_BLOB, &key);
	}
	if (r->need_auth) {
		bad |= curl_easy_setopt(e, CURLOPT_USERNAME, up->user);
		bad |= curl_easy_setopt(e, CURLOPT_LOGIN_OPTIONS,
		    relay_mech_option(r));
		if (r->secret_is_token)
			bad |= curl_easy_setopt(e, CURLOPT_XOAUTH2_BEARER,
			    r->secret);
		else
			bad |= curl_easy_setopt(e, CURLOPT_PASSWORD,
			    r->secret);
	}
	return bad ? -1 : 0;
}

/*
 * Every wait is bounded by `timeout`: connecting and the whole setup
 * (greeting, EHLO, STARTTLS, AUTH), each reply (the pingpong response
 * timeout also covers the blocking wait after the final dot), and sending
 * the message (less than a byte a second for `timeout` seconds).
 */
static int
relay_setopt_timeouts(struct relay_conn *c)
{
	long	 t = c->r->up->timeout;
	CURL	*e = c->easy;
	int	 bad = 0;

	bad |= curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, t);
	bad |= curl_easy_setopt(e, CURLOPT_SERVER_RESPONSE_TIMEOUT, t);
	bad |= curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
	bad |= curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, t);
	return bad ? -1 : 0;
}

static int
relay_conn_init(struct relay *r, struct relay_conn *c, int id,
    struct mh_err *err)
{
	CURL	*e;
	int	 bad = 0;

	memset(c, 0, sizeof(*c));
	c->r = r;
	c->id = id;
	c->known_fd = c->known_port = -1;
	if ((e = c->easy = curl_easy_init()) == NULL)
		return mh_err_set(err, EX_SOFTWARE, "libcurl: cannot start");
	bad |= curl_easy_setopt(e, CURLOPT_URL, r->url);
	bad |= curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	bad |= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	/*
	 * libcurl's 64 KB default upload buffer is malloc'ed and freed for
	 * every message, which costs two brk(2) calls each (the heap grows
	 * and is trimmed); 16 KB, its minimum, is reused from the free list.
	 * A large message takes a few more read callbacks, no more time.
	 */
	bad |= curl_easy_setopt(e, CURLOPT_UPLOAD_BUFFERSIZE, 16384L);
	bad |= curl_easy_setopt(e, CURLOPT_ERRORBUFFER, c->errbuf);
	bad |= curl_easy_setopt(e, CURLOPT_PRIVATE, c);
	/* VERBOSE only turns the debug callback on: it prints nothing itself. */
	bad |= curl_easy_setopt(e, CURLOPT_VERBOSE, 1L);
	bad |= curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, relay_cb_debug);
	bad |= curl_easy_setopt(e, CURLOPT_DEBUGDATA, c);
	bad |= curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, relay_cb_prereq);
	bad |= curl_easy_setopt(e, CURLOPT_PREREQDATA, c);
	bad |= curl_easy_setopt(e, CURLOPT_READFUNCTION, relay_cb_read);
	bad |= curl_easy_setopt(e, CURLOPT_READDATA, c);
	bad |= curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, relay_cb_write);
	bad |= curl_easy_setopt(e, CURLOPT_WRITEDATA, c);
	bad |= curl_easy_setopt(e, CURLOPT_SOCKOPTFUNCTION, relay_cb_sockopt);
	bad |= curl_easy_setopt(e, CURLOPT_SOCKOPTDATA, c);
	bad |= curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION,
	    relay_cb_closesocket);
	bad |= curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, c);
	/* One refused RCPT must not end the transaction for the others. */
	bad |= curl_easy_setopt(e, MH_CURLOPT_ALLOWFAILS, 1L);
	if (bad || relay_setopt_session(c) == -1 ||
	    relay_setopt_timeouts(c) == -1)
		return mh_err_set(err, EX_SOFTWARE, "libcurl: an option was "
		    "refused (libcurl built without SMTP or TLS?)");
	return 0;
}

static void
relay_conn_reset(struct relay_conn *c)
{
	c->cmd = CMD_GREETING;
	c->fd = -1;
	c->nrcpt = 0;
	c->in_auth = c->ehlo_seen = c->auth_offered = c->mail_sent = 0;
	c->utf8_offered = c->utf8_abort = 0;
	c->nmap = 0;
	c->quit_sent = 0;
	c->offered[0] = c->mech[0] = c->why[0] = c->errbuf[0] = '\0';
	relay_setf(c->peer, sizeof(c->peer), "%s:%d", c->r->up->host,
	    upstream_port(c->r->up));
	c->npartial = 0;
	memset(&c->cur, 0, sizeof(c->cur));
	memset(&c->last, 0, sizeof(c->last));
	memset(&c->auth, 0, sizeof(c->auth));
	memset(&c->mail, 0, sizeof(c->mail));
	memset(&c->data, 0, sizeof(c->data));
	memset(&c->dot, 0, sizeof(c->dot));
}

/* Why a transfer failed, in words for mailq and the log. */
static void
relay_conn_error(const struct relay_conn *c, CURLcode rc, char *dst,
    size_t dstsz)
{
	const char	*detail = c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc);
	long		 t = c->r->up->timeout;

	if (c->why[0] != '\0')
		relay_setf(dst, dstsz, "%s", c->why);
	else if (rc == CURLE_OPERATION_TIMEDOUT && c->cmd == CMD_DOT &&
	    c->off < c->size)
		relay_setf(dst, dstsz, "timed out after %lds sending the message",
		    t);
	else if (rc == CURLE_OPERATION_TIMEDOUT && c->cmd == CMD_GREETING &&
	    c->r->up->tls != CONF_TLS_IMPLICIT)
		relay_setf(dst, dstsz, "timed out after %lds waiting for the "
		    "greeting (a server that expects TLS at once, as on port "
		    "465, never sends one: then use tls = tls)", t);
	else if (rc == CURLE_OPERATION_TIMEDOUT)
		relay_setf(dst, dstsz, "timed out after %lds waiting for the reply "
		    "to %s", t, relay_cmd_names[c->cmd]);
	else if (rc == CURLE_LOGIN_DENIED && c->auth.code != 0)
		relay_setf(dst, dstsz, "AUTH %s refused: %s", c->mech,
		    c->auth.text);
	else if (rc == CURLE_USE_SSL_FAILED && c->cmd == CMD_STARTTLS &&
	    c->last.code != 0)
		relay_setf(dst, dstsz, "STARTTLS refused: %s", c->last.text);
	else if (rc == CURLE_USE_SSL_FAILED)
		relay_setf(dst, dstsz, "the server does not offer STARTTLS "
		    "(tls = starttls): nothing sent");
	else if (rc == CURLE_SSL_CONNECT_ERROR &&
	    c->r->up->tls == CONF_TLS_IMPLICIT &&
	    strstr(detail, "wrong version number") != NULL)
		/* OpenSSL read a plain "220 ..." where a handshake should be. */
		relay_setf(dst, dstsz, "TLS: %s (the server did not start TLS "
		    "at once: for port 587 use tls = starttls)", detail);
	else if (rc == CURLE_PEER_FAILED_VERIFICATION ||
	    rc == CURLE_SSL_CONNECT_ERROR || rc == CURLE_SSL_CERTPROBLEM ||
	    rc == CURLE_SSL_CACERT_BADFILE || rc == CURLE_SSL_CIPHER)
		relay_setf(dst, dstsz, "TLS: %s", detail);
	else if (rc == CURLE_LOGIN_DENIED)
		relay_setf(dst, dstsz, "AUTH: no mechanism in common (server "
		    "offers: %s; %s)", c->offered[0] ? c->offered : "none",
		    relay_mech_option(c->r));
	else if (c->last.code >= 400 && c->cmd != CMD_OTHER)
		relay_setf(dst, dstsz, "%s: %s", relay_cmd_names[c->cmd],
		    c->last.text);
	else if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST)
		relay_setf(dst, dstsz, "%s", detail);
	else
		relay_setf(dst, dstsz, "%s (waiting for the reply to %s)",
		    detail, relay_cmd_names[c->cmd]);
}

/* NAME[host]:port, for logs (SPEC 9). */
static void
relay_name(const struct relay *r, struct relay_job *job)
{
	relay_setf(job->relay_name, sizeof(job->relay_name), "%s[%s]:%d",
	    r->up->name, r->up->host, upstream_port(r->up));
}

/*
 * Each recipient's outcome (relay.h): its RCPT reply if that was not 2xx,
 * else the reply that ended the transaction (final dot, DATA or MAIL).
 */
static void
relay_job_settle(struct relay_conn *c, CURLcode rc)
{
	struct relay_job *job = c->job;
	struct relay_rcpt *rp;
	size_t		 i, k;

	relay_name(c->r, job);
	if (rc != CURLE_OK || c->why[0] != '\0') {
		relay_conn_error(c, rc, job->error, sizeof(job->error));
		/*
		 * Nothing of the job was offered: another upstream may take
		 * it (SPEC 9).  Not after a transaction that had answers.
		 */
		job->before_mail = c->first == 0 && (c->mail.code == 0 ||
		    c->mail.code / 100 == 4);
	}
	for (k = 0; k < c->nmap; k++) {
		rp = &job->rcpts[c->map[k]];
		if (rp->code == 0 && c->mail.code >= 300)
			relay_reply_copy(rp, &c->mail);
		else if (rp->code / 100 == 2 && c->dot.code != 0)
			relay_reply_copy(rp, &c->dot);
		else if (rp->code / 100 == 2 && c->data.code != 0)
			relay_reply_copy(rp, &c->data);
		else if (rp->code / 100 == 2)
			rp->code = 0;
	}
	for (k = 0; k < c->nmap; k++) {
		i = c->map[k];
		if (job->rcpts[i].code != 0)
			continue;
		if (job->error[0] == '\0')
			relay_setf(job->error, sizeof(job->error), "no reply to "
			    "the end of DATA");
		relay_setf(job->rcpts[i].reply, sizeof(job->rcpts[i].reply),
		    "%s", job->error);
	}
}

/* The job is over: session_failed when no recipient got an outcome. */
static void
relay_job_done(struct relay *r, struct relay_job *job)
{
	size_t	 i;

	job->session_failed = 1;
	for (i = 0; i < job->nrcpts; i++)
		if (job->rcpts[i].code != 0)
			job->session_failed = 0;
	r->done(job, r->done_arg);
}

/*
 * The job's recipients from `from` on never reached the server (the job
 * never started, or the connection was given up before their turn).
 */
static void
relay_job_fail(struct relay *r, struct relay_job *job, size_t from,
    const char *why)
{
	size_t	 i;

	if (why != job->error)
		relay_setf(job->error, sizeof(job->error), "%s", why);
	if (from == 0)
		relay_name(r, job);
	for (i = from; i < job->nrcpts; i++) {
		job->rcpts[i].code = 0;
		relay_setf(job->rcpts[i].reply, sizeof(job->rcpts[i].reply),
		    "%s", why);
	}
	relay_job_done(r, job);
}

/* A recipient settled before the transaction: it is not sent. */
static void
relay_rcpt_refuse(struct relay_rcpt *rp, const char *reply)
{
	rp->code = atoi(reply);
	relay_setf(rp->reply, sizeof(rp->reply), "%s", reply);
}

/*
 * The RCPT list of one transaction, from the job's [first, first + count)
 * (c->map says which is which): domains as A-labels; a recipient whose
 * domain is no IDN, or who needs SMTPUTF8 that the upstream is known not
 * to offer, is refused here with a 553 and not sent (SPEC 11).  So is
 * every recipient when the sender is in that case.  NULL on no memory.
 */
static struct curl_slist *
relay_rcpt_list(struct relay_conn *c, const struct relay_job *job)
{
	struct curl_slist *l = NULL, *n;
	struct relay_rcpt *rp;
	char		 why[RELAY_REPLY_MAX], *a, *b;
	const char	*bad = NULL;
	size_t		 i;

	free(c->from);
	if ((c->from = idn_to_ascii(addr_show(job->sender), why,
	    sizeof(why))) == NULL)
		bad = why;
	else if (c->r->utf8 == 0 && idn_needs_smtputf8(job->sender)) {
		relay_setf(why, sizeof(why), IDN_NO_SMTPUTF8, job->sender);
		bad = why;
	}
	c->nmap = 0;
	for (i = c->first; i < c->first + c->count; i++) {
		rp = &job->rcpts[i];
		if (bad != NULL) {
			relay_rcpt_refuse(rp, bad);
			continue;
		}
		if (c->r->utf8 == 0 && idn_needs_smtputf8(rp->addr)) {
			relay_setf(why, sizeof(why), IDN_NO_SMTPUTF8, rp->addr);
			relay_rcpt_refuse(rp, why);
			continue;
		}
		if ((a = idn_to_ascii(rp->addr, why, sizeof(why))) == NULL) {
			relay_rcpt_refuse(rp, why);
			continue;
		}
		/* "<addr>" is sent as it is: libcurl does not re-parse it. */
		b = xasprintf("<%s>", a);
		free(a);
		n = curl_slist_append(l, b);
		free(b);
		if (n == NULL) {
			curl_slist_free_all(l);
			return NULL;
		}
		l = n;
		c->map[c->nmap++] = i;
	}
	return l;
}

/*
 * A new access token from oauth.c (refused: the one the server just
 * refused), handed to every connection's handle for its next AUTH.
 */
static int
relay_token_fetch(struct relay *r, const char *refused, struct mh_err *err)
{
	char	*tok;
	int	 cached, i, bad = 0;

	if (r->oauth == NULL &&
	    (r->oauth = oauth_new(r->up, r->statefd, err)) == NULL)
		return -1;
	if (oauth_access_token(r->oauth, refused, &tok, &cached, err) == -1)
		return -1;
	if (oauth_warning(r->oauth)[0] != '\0')
		relay_setf(r->notice, sizeof(r->notice), "%s",
		    oauth_warning(r->oauth));
	r->token_cached = cached;
	if (r->secret != NULL && strcmp(r->secret, tok) == 0) {
		xfree_secret(tok);
		return 0;
	}
	xfree_secret(r->secret);
	r->secret = tok;
	r->secret_is_token = 1;
	r->token_gen++;
	for (i = 0; r->conns != NULL && i < r->nconns; i++)
		if (r->conns[i].easy != NULL)
			bad |= curl_easy_setopt(r->conns[i].easy,
			    CURLOPT_XOAUTH2_BEARER, r->secret);
	if (bad)
		return mh_err_set(err, EX_SOFTWARE, "libcurl refused the "
		    "token");
	return 0;
}

/*
 * An AUTH refusal with a token from oauth.c: drop it and fetch a new one
 * (once per run: a cached token may have been revoked early), or take the
 * one another connection fetched meanwhile; then the job is tried once
 * more.  1: restart the job, 0: let it fail (why set when the fetch did).
 */
static int
relay_token_retry(struct relay_conn *c, CURLcode rc)
{
	struct relay	*r = c->r;
	struct mh_err	 err;

	if (!r->refresh || rc != CURLE_LOGIN_DENIED || c->auth.code == 0 ||
	    c->retried == c->job)
		return 0;
	if (c->token_gen == r->token_gen) {
		if (r->refreshed)
			return 0;
		r->refreshed = 1;
		if (relay_token_fetch(r, r->secret, &err) == -1) {
			relay_setf(c->why, sizeof(c->why), "%s", err.msg);
			return 0;
		}
	}
	c->retried = c->job;
	return 1;
}

/*
 * The token for this run: at every run, so that a relay that lives long
 * (a lingering delivery, flush --watch) follows the cache and refreshes
 * before its token expires; a cache hit costs one small read.  NULL when
 * there is one, else why not: the same reason for RELAY_TOKEN_RETRY
 * seconds, so that the batches of one flush do not ask again and again.
 */
#define RELAY_TOKEN_RETRY	60
static const char *
relay_token_first(struct relay *r)
{
	struct mh_err	 err;

	if (!r->refresh)
		return NULL;
	if (r->token_error[0] != '\0' &&
	    time(NULL) - r->token_failed < RELAY_TOKEN_RETRY)
		return r->token_error;
	r->token_error[0] = '\0';
	r->refreshed = 0;
	if (relay_token_fetch(r, NULL, &err) == 0)
		return NULL;
	relay_setf(r->token_error, sizeof(r->token_error), "%s", err.msg);
	r->token_failed = time(NULL);
	return r->token_error;
}

static void	relay_conn_next(struct relay_conn *, struct relay_job *);

/*
 * One transaction of the job on this connection: its recipients
 * [c->first, c->first + RELAY_RCPT_MAX).  A job with more recipients is
 * sent in several transactions, one after the other, as Postfix does with
 * smtp_destination_recipient_limit: RFC 5321 (4.5.3.1.8) promises no
 * server more than 100, and libcurl 7.88 gives up on a transfer whose
 * replies pass 300 KiB (about 600 long refusals), which used to defer the
 * rest of such a message for ever.
 */
static void
relay_conn_transfer(struct relay_conn *c, struct relay_job *job)
{
	struct relay	*r = c->r;
	struct stat	 st;
	int		 bad = 0;

	relay_conn_reset(c);
	c->count = job->nrcpts - c->first;
	if (c->count > RELAY_RCPT_MAX)
		c->count = RELAY_RCPT_MAX;
	if (fstat(job->msgfd, &st) == -1)
		return relay_job_fail(r, job, c->first,
		    "cannot read the queued message");
	c->rcpts = relay_rcpt_list(c, job);
	if (c->rcpts == NULL && c->nmap == 0) {
		/* Every one was refused here: nothing to send. */
		relay_setf(job->relay_name, sizeof(job->relay_name), "%s",
		    c->peer);
		return relay_conn_next(c, job);
	}
	if (c->rcpts == NULL)
		return relay_job_fail(r, job, c->first, "out of memory");
	c->job = job;
	c->token_gen = r->token_gen;
	c->off = 0;
	c->size = st.st_size;
	bad |= curl_easy_setopt(c->easy, CURLOPT_MAIL_FROM, c->from);
	bad |= curl_easy_setopt(c->easy, CURLOPT_MAIL_RCPT, c->rcpts);
	bad |= curl_easy_setopt(c->easy, CURLOPT_FORBID_REUSE, 0L);
	bad |= curl_easy_setopt(c->easy, CURLOPT_UPLOAD, 1L);
	bad |= curl_easy_setopt(c->easy, CURLOPT_INFILESIZE_LARGE,
	    (curl_off_t)st.st_size);
	if (bad || curl_multi_add_handle(r->multi, c->easy) != CURLM_OK) {
		curl_slist_free_all(c->rcpts);
		c->rcpts = NULL;
		c->job = NULL;
		return relay_job_fail(r, job, c->first,
		    "libcurl refused the transfer");
	}
	r->active++;
}

static void
relay_conn_start(struct relay_conn *c, struct relay_job *job)
{
	size_t	 i;

	job->before_mail = 0;
	for (i = 0; i < job->nrcpts; i++) {
		job->rcpts[i].code = 0;
		job->rcpts[i].reply[0] = '\0';
	}
	job->error[0] = '\0';
	if (job->nrcpts == 0)
		return relay_job_fail(c->r, job, 0, "no recipients");
	c->first = 0;
	relay_conn_transfer(c, job);
}

/* This transaction once more; the job's earlier ones' outcomes stand. */
static void
relay_conn_again(struct relay_conn *c, struct relay_job *job)
{
	curl_slist_free_all(c->rcpts);
	c->rcpts = NULL;
	c->job = NULL;
	c->r->active--;
	relay_conn_transfer(c, job);
}

static void
relay_conn_finish(struct relay_conn *c, CURLcode rc)
{
	struct relay	*r = c->r;
	struct relay_job *job = c->job;

	/* After a final reply the connection is in step; else never reuse it. */
	if (rc != CURLE_OK && c->dot.code == 0)
		relay_conn_kill(c);
	curl_multi_remove_handle(r->multi, c->easy);
	/* Now known: the same transaction, without SMTPUTF8's. */
	if (c->utf8_abort)
		return relay_conn_again(c, job);
	if (rc != CURLE_OK && relay_token_retry(c, rc))
		return relay_conn_again(c, job);
	relay_job_settle(c, rc);
	/*
	 * A failure before MAIL (connect, TLS, AUTH, no AUTH offered) would
	 * repeat on every job, and a server that stopped answering is given
	 * up on: this connection takes no more, and when none is left the
	 * remaining jobs are deferred with the same reason, not tried again
	 * (a server that counts failed logins is not hammered).
	 */
	if (rc != CURLE_OK && (!c->mail_sent ||
	    rc == CURLE_OPERATION_TIMEDOUT)) {
		c->retired = 1;
		relay_setf(r->setup_error, sizeof(r->setup_error), "%s",
		    job->error);
	}
	curl_slist_free_all(c->rcpts);
	c->rcpts = NULL;
	c->job = NULL;
	r->active--;
	relay_conn_next(c, job);
}

/* This transaction is settled: start the job's next one, or finish it. */
static void
relay_conn_next(struct relay_conn *c, struct relay_job *job)
{
	c->first += c->count;
	if (c->first < job->nrcpts && !c->retired) {
		/* The next transaction; this one's outcomes stand. */
		job->error[0] = '\0';
		return relay_conn_transfer(c, job);
	}
	if (c->first < job->nrcpts)
		return relay_job_fail(c->r, job, c->first, job->error);
	relay_job_done(c->r, job);
}

static void
relay_start_jobs(struct relay *r)
{
	struct relay_conn *c;
	int		 i;

	if (r->stop != NULL && *r->stop)
		return;
	for (i = 0; i < r->nconns && r->next < r->njobs; i++) {
		/* Left at its default: the second only for a long batch. */
		if (r->grow && i > 0 && r->njobs < RELAY_GROW_AT)
			break;
		c = &r->conns[i];
		r->grown |= i > 0;
		if (c->job == NULL && !c->retired)
			relay_conn_start(c, r->jobs[r->next++]);
	}
}

static void
relay_reap(struct relay *r)
{
	struct relay_conn *c;
	CURLMsg		*m;
	int		 left;

	while ((m = curl_multi_info_read(r->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		c = NULL;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&c);
		if (c != NULL && c->job != NULL)
			relay_conn_finish(c, m->data.result);
	}
}

static int
relay_multi_open(struct relay *r, struct mh_err *err)
{
	int	 i;

	if ((r->multi = curl_multi_init()) == NULL)
		return mh_err_set(err, EX_SOFTWARE, "libcurl: cannot start");
	curl_multi_setopt(r->multi, CURLMOPT_MAXCONNECTS, (long)r->nconns);
	curl_multi_setopt(r->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
	    (long)r->nconns);
	r->conns = xcalloc((size_t)r->nconns, sizeof(*r->conns));
	for (i = 0; i < r->nconns; i++)
		if (relay_conn_init(r, &r->conns[i], i + 1, err) == -1)
			return -1;
	return 0;
}

const char *
relay_port_warning(const struct upstream *up, char *buf, size_t len)
{
	int	 port = upstream_port(up);

	if (port == 465 && up->tls != CONF_TLS_IMPLICIT)
		relay_setf(buf, len, "port 465 expects TLS at once (RFC 8314) "
		    "and a server there sends no greeting before it: use "
		    "tls = tls");
	else if ((port == 587 || port == 25) && up->tls == CONF_TLS_IMPLICIT)
		relay_setf(buf, len, "port %d starts in plain text and offers "
		    "STARTTLS: tls = tls fails there with \"wrong version "
		    "number\"; use tls = starttls", port);
	else
		return NULL;
	return buf;
}

/*
 * tls = starttls (or none) on port 465: a server there waits for a TLS
 * handshake and never greets, and libcurl would wait `timeout` for the
 * greeting on every run.  So a first look, once per relay: a plain
 * connection that gives up on the greeting after RELAY_GREETING_PROBE
 * seconds.  Only that silence fails the run; anything else is left to the
 * real session to report.
 */
static const char *
relay_greeting_probe(struct relay *r)
{
	const struct upstream *up = r->up;
	long		 t = up->timeout;
	CURL		*e;
	int		 bad = 0;

	if (r->probed)
		return r->probe_error[0] != '\0' ? r->probe_error : NULL;
	r->probed = 1;
	if (upstream_port(up) != 465 || up->tls == CONF_TLS_IMPLICIT)
		return NULL;
	if (t > RELAY_GREETING_PROBE)
		t = RELAY_GREETING_PROBE;
	if ((e = curl_easy_init()) == NULL)
		return NULL;
	bad |= curl_easy_setopt(e, CURLOPT_URL, r->url);
	bad |= curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, "NOOP");
	bad |= curl_easy_setopt(e, CURLOPT_USE_SSL, (long)CURLUSESSL_NONE);
	bad |= curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, up->timeout);
	bad |= curl_easy_setopt(e, CURLOPT_SERVER_RESPONSE_TIMEOUT, t);
	bad |= curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, relay_cb_discard);
	if (!bad && curl_easy_perform(e) == CURLE_OPERATION_TIMEDOUT)
		relay_setf(r->probe_error, sizeof(r->probe_error), "no greeting "
		    "within %lds on port 465, which expects TLS at once "
		    "(RFC 8314): use tls = tls", t);
	curl_easy_cleanup(e);
	return r->probe_error[0] != '\0' ? r->probe_error : NULL;
}

int
relay_run(struct relay *r, struct relay_job **jobs, size_t njobs,
    relay_done_fn *done, void *arg, struct mh_err *err)
{
	const char	*refusal;
	size_t		 k;
	int		 i, running = 0;

	for (k = 0; k < njobs; k++)
		jobs[k]->before_mail = 0;
	r->jobs = jobs;
	r->njobs = njobs;
	r->next = 0;
	r->done = done;
	r->done_arg = arg;
	r->setup_error[0] = '\0';
	if ((refusal = relay_plaintext_refusal(r)) == NULL)
		refusal = relay_token_first(r);
	if (refusal == NULL)
		refusal = relay_greeting_probe(r);
	if (refusal != NULL) {
		while (r->next < njobs)
			relay_job_fail(r, jobs[r->next++], 0, refusal);
		return 0;
	}
	if (r->multi == NULL && relay_multi_open(r, err) == -1)
		return -1;
	for (i = 0; i < r->nconns; i++) {
		r->conns[i].retired = 0;
		r->conns[i].retried = NULL;
	}
	for (;;) {
		relay_start_jobs(r);
		if (r->active == 0)
			break;
		if (curl_multi_perform(r->multi, &running) != CURLM_OK)
			return mh_err_set(err, EX_SOFTWARE, "libcurl failed");
		relay_reap(r);
		if (running > 0 &&
		    curl_multi_poll(r->multi, NULL, 0, 1000, NULL) != CURLM_OK)
			return mh_err_set(err, EX_SOFTWARE, "libcurl failed");
	}
	/*
	 * The connections gave up before MAIL: the rest never went.
	 * Stopped: the jobs not started are the caller's, untouched.
	 */
	while (r->next < njobs && (r->stop == NULL || !*r->stop)) {
		jobs[r->next]->before_mail = 1;
		relay_job_fail(r, jobs[r->next++], 0, r->setup_error);
	}
	return 0;
}

void
relay_stop_on(struct relay *r, const volatile sig_atomic_t *flag)
{
	r->stop = flag;
}

static void
relay_test_report(const struct relay_conn *c, const struct relay_tlsinfo *t,
    struct buf *out, char *line, size_t linelen)
{
	const struct relay *r = c->r;
	const struct upstream *up = r->up;

	relay_setf(line, linelen, "%s, %s%s%s, %s%s%s%s", c->peer,
	    up->tls == CONF_TLS_NONE ? "no TLS" : up->tls == CONF_TLS_IMPLICIT ?
	    "TLS " : "STARTTLS ", up->tls == CONF_TLS_NONE ? "" : t->version,
	    up->tls != CONF_TLS_NONE && !up->tls_verify ? " (not verified)" : "",
	    r->need_auth ? "AUTH " : "no AUTH", r->need_auth ? c->mech : "",
	    r->need_auth ? " as " : "", r->need_auth ? up->user : "");

	buf_addf(out, "relay: %s (%s)\n", c->peer, up->tls == CONF_TLS_NONE ?
	    "no TLS" : up->tls == CONF_TLS_IMPLICIT ? "implicit TLS" :
	    "STARTTLS");
	if (up->tls != CONF_TLS_NONE) {
		buf_addf(out, "tls: %s, cipher %s\n", t->version, t->cipher);
		buf_addf(out, "certificate: subject %s\n", t->subject);
		buf_addf(out, "certificate: issuer %s\n", t->issuer);
		buf_addf(out, "certificate: expires %s\n", t->not_after);
		buf_addf(out, "certificate: %s\n", up->tls_verify ?
		    "verified (chain and host name)" :
		    "NOT verified (tls_verify = no)");
	}
	if (r->refresh)
		buf_addf(out, "oauth: access token %s (oauth_provider = %s)\n",
		    r->token_cached ? "from the cache" : "fetched with the "
		    "refresh token", oauth_provider_name(up));
	if (r->need_auth)
		buf_addf(out, "auth: %s as %s: ok (%s)\n", c->mech, up->user,
		    c->auth.text);
	else
		buf_addf(out, "auth: none configured (server offers: %s)\n",
		    c->auth_offered ? c->offered : "nothing");
	buf_addf(out, "noop: %s\n", c->last.text);
}

int
relay_test(struct relay *r, struct buf *report, char *line, size_t linelen,
    struct mh_err *err)
{
	struct relay_conn c;
	struct relay_tlsinfo tls;
	const char	*refusal;
	char		 why[RELAY_REPLY_MAX];
	CURLcode	 rc;

	if ((refusal = relay_plaintext_refusal(r)) != NULL)
		return mh_err_set(err, EX_CONFIG, "%s", refusal);
	if ((refusal = relay_token_first(r)) != NULL)
		return mh_err_set(err, EX_UNAVAILABLE, "%s", refusal);
	if ((refusal = relay_greeting_probe(r)) != NULL)
		return mh_err_set(err, EX_UNAVAILABLE, "%s:%d: %s", r->up->host,
		    upstream_port(r->up), refusal);
	if (relay_conn_init(r, &c, 1, err) == -1)
		goto fail;
	memset(&tls, 0, sizeof(tls));
	c.tls = &tls;
	relay_conn_reset(&c);
	/* A transfer needs a request: NOOP, with no MAIL and no RCPT. */
	if (curl_easy_setopt(c.easy, CURLOPT_CUSTOMREQUEST, "NOOP") !=
	    CURLE_OK) {
		mh_err_set(err, EX_SOFTWARE, "libcurl refused NOOP");
		goto fail;
	}
	rc = curl_easy_perform(c.easy);
	if (rc != CURLE_OK || c.why[0] != '\0') {
		relay_conn_error(&c, rc, why, sizeof(why));
		mh_err_set(err, EX_UNAVAILABLE, "%s: %s", c.peer, why);
		goto fail;
	}
	relay_test_report(&c, &tls, report, line, linelen);
	curl_easy_cleanup(c.easy);
	return 0;
fail:
	if (c.easy != NULL)
		curl_easy_cleanup(c.easy);
	return -1;
}

/* The secret libcurl will need, fetched once per run. */
static int
relay_secret_load(struct relay *r, struct mh_err *err)
{
	const struct upstream *up = r->up;
	char		 sect[64];

	if (up->auth != CONF_AUTH_XOAUTH2 && up->auth != CONF_AUTH_OAUTHBEARER &&
	    secret_password(up, &r->secret, err) == -1)
		return -1;
	if (r->secret == NULL) {
		if (secret_oauth_token(up, &r->secret, err) == -1)
			return -1;
		r->secret_is_token = r->secret != NULL;
	}
	if (r->secret == NULL)
		return mh_err_set(err, EX_CONFIG, "%s user is set but there is "
		    "no password, password_file, password_command%s",
		    upstream_section(up, sect, sizeof(sect)),
		    up->auth == CONF_AUTH_XOAUTH2 ||
		    up->auth == CONF_AUTH_OAUTHBEARER ? " (a token: oauth_token, "
		    "oauth_token_command or oauth_provider)" : " or oauth_token");
	return 0;
}

struct relay *
relay_new(const struct upstream *up, int parallel, int verbose,
    struct mh_err *err)
{
	static int	 curl_ready;
	struct relay	*r;
	char		 sect[64];

	/* The set-id helper refused it: nothing connects (SPEC 8). */
	if (secret_upstream_allowed(up, err) == -1)
		return NULL;
	if (up->host == NULL || up->host[0] == '\0') {
		mh_err_set(err, EX_CONFIG, "%s host is not set",
		    upstream_section(up, sect, sizeof(sect)));
		return NULL;
	}
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			mh_err_set(err, EX_SOFTWARE, "libcurl: cannot start");
			return NULL;
		}
		curl_ready = 1;
	}
	r = xcalloc(1, sizeof(*r));
	r->up = up;
	r->verbose = verbose;
	r->grow = parallel == CONF_PARALLEL_AUTO;
	r->nconns = r->grow ? 2 : parallel;
	r->need_auth = up->user != NULL && up->user[0] != '\0';
	r->refresh = oauth_enabled(up);
	r->statefd = -1;
	r->utf8 = -1;
	if ((r->url = relay_url(up)) == NULL) {
		mh_err_set(err, EX_SOFTWARE, "libcurl: cannot build the URL");
		goto fail;
	}
	if (r->refresh && !r->need_auth) {
		mh_err_set(err, EX_CONFIG, "%s oauth_provider is set but user "
		    "is not (the account the token is for)",
		    upstream_section(up, sect, sizeof(sect)));
		goto fail;
	}
	if (r->need_auth && !r->refresh && relay_secret_load(r, err) == -1)
		goto fail;
	if (secret_client_key(up, &r->client_key, &r->client_key_len,
	    err) == -1)
		goto fail;
	return r;
fail:
	relay_free(r);
	return NULL;
}

void
relay_free(struct relay *r)
{
	int	 i;

	if (r == NULL)
		return;
	/* Cleaning the easy handles first; the multi's cleanup sends QUIT. */
	for (i = 0; r->conns != NULL && i < r->nconns; i++) {
		if (r->conns[i].easy != NULL)
			curl_easy_cleanup(r->conns[i].easy);
		free(r->conns[i].from);
	}
	if (r->multi != NULL)
		curl_multi_cleanup(r->multi);
	free(r->conns);
	free(r->socks);
	free(r->uses);
	free(r->url);
	xfree_secret(r->secret);
	if (r->client_key != NULL) {
		explicit_bzero(r->client_key, r->client_key_len);
		free(r->client_key);
	}
	oauth_free(r->oauth);
	free(r);
}

void
relay_use_state(struct relay *r, int statefd)
{
	r->statefd = statefd;
}

const char *
relay_notice(const struct relay *r)
{
	return r->notice;
}
