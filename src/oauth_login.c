/* SPDX-License-Identifier: MIT */
/*
 * oauth_login.c - the interactive OAuth2 logins: RFC 8628 device grant,
 * else RFC 8252 loopback redirect with RFC 7636 PKCE.  The only place in
 * mailhop that listens on a socket, on 127.0.0.1, for one login.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "buf.h"
#include "err.h"
#include "http.h"
#include "oauth.h"
#include "oauth_login.h"
#include "text.h"
#include "xmem.h"

#define LOGIN_REQUEST_MAX	8192	/* the browser's request line and headers */
#define LOGIN_CONN_WAIT		10	/* seconds for one browser request */
#define DEVICE_GRANT	"urn:ietf:params:oauth:grant-type:device_code"

/* ---- small pieces ---- */

void
oauth_base64url(const unsigned char *p, size_t n, char *out)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned long	 v;
	size_t		 i, o = 0;

	for (i = 0; i + 2 < n; i += 3) {
		v = (unsigned long)p[i] << 16 | (unsigned long)p[i + 1] << 8 |
		    p[i + 2];
		out[o++] = tab[v >> 18 & 63];
		out[o++] = tab[v >> 12 & 63];
		out[o++] = tab[v >> 6 & 63];
		out[o++] = tab[v & 63];
	}
	if (n - i == 1) {
		v = (unsigned long)p[i] << 16;
		out[o++] = tab[v >> 18 & 63];
		out[o++] = tab[v >> 12 & 63];
	} else if (n - i == 2) {
		v = (unsigned long)p[i] << 16 | (unsigned long)p[i + 1] << 8;
		out[o++] = tab[v >> 18 & 63];
		out[o++] = tab[v >> 12 & 63];
		out[o++] = tab[v >> 6 & 63];
	}
	out[o] = '\0';
}

void
oauth_pkce_challenge(const char *verifier, char challenge[44])
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 n = 0;

	memset(md, 0, sizeof(md));
	EVP_Digest(verifier, strlen(verifier), md, &n, EVP_sha256(), NULL);
	oauth_base64url(md, 32, challenge);
}

/* n random bytes as base64url: a PKCE verifier (32) or a state (16). */
static int
login_random(char *out, size_t n, struct mh_err *err)
{
	unsigned char	 r[32];

	if (n > sizeof(r) || getrandom(r, n, 0) != (ssize_t)n)
		return mh_err_errno(err, EX_OSERR, "getrandom");
	oauth_base64url(r, n, out);
	explicit_bzero(r, sizeof(r));
	return 0;
}

static void
login_sleep(long seconds)
{
	struct timespec	 ts = { seconds, 0 };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static long
login_left(time_t deadline)
{
	return (long)(deadline - time(NULL));
}

/* ---- the device authorization grant (RFC 8628) ---- */

static int
device_start(const struct upstream *c, const struct oauth_endpoints *ep,
    struct oauth_device *d, struct mh_err *err)
{
	struct http_resp resp;
	struct buf	 form;
	char		 what[300];
	int		 rc = -1;

	snprintf(what, sizeof(what), "[upstream %.32s] device authorization "
	    "endpoint %s", c->name, ep->device_url);
	buf_init(&form, 0);
	if (ep->scope != NULL)
		http_form_add(&form, "scope", ep->scope);
	if (oauth_form_client(c, &form, err) == 0 &&
	    http_post_form(what, ep->device_url, oauth_ca_file(c), c->timeout, &form,
	    &resp, err) == 0) {
		rc = oauth_parse_device(what, &resp, d, err);
		http_resp_free(&resp);
	}
	http_form_wipe(&form);
	return rc;
}

static void
device_tell(const struct upstream *c, const struct oauth_device *d,
    FILE *out)
{
	fprintf(out, "To sign in to upstream %s, open\n\n    %s\n\n"
	    "in a browser (on any device) and enter the code\n\n    %s\n\n",
	    c->name, d->verification_uri, d->user_code);
	if (d->verification_uri_complete != NULL)
		fprintf(out, "(or open %s, which has the code in it)\n\n",
		    d->verification_uri_complete);
	fprintf(out, "The code expires in %ld minutes. Waiting for the "
	    "sign-in...\n", (d->expires_in + 59) / 60);
	fflush(out);
}

/*
 * One poll.  1: keep polling (interval maybe changed), 0: *a holds the
 * tokens, -1: failed for good.
 */
static int
device_poll(const struct upstream *c, const struct oauth_endpoints *ep,
    const struct oauth_device *d, long *interval, struct oauth_answer *a,
    struct mh_err *err)
{
	struct buf	 form;
	int		 rc;

	buf_init(&form, 0);
	http_form_add(&form, "grant_type", DEVICE_GRANT);
	http_form_add(&form, "device_code", d->device_code);
	rc = oauth_form_client(c, &form, err);
	if (rc == 0)
		rc = oauth_token_request(c, ep, &form, a, err);
	http_form_wipe(&form);
	if (rc == -1 && err->reason == MH_REASON_UNREACHABLE) {
		/* §3.5: a connection timeout slows the polling down. */
		*interval *= 2;
		return 1;
	}
	if (rc == -1 || a->error[0] == '\0')
		return rc;
	rc = 1;
	if (strcmp(a->error, "slow_down") == 0)
		*interval += 5;
	else if (strcmp(a->error, "access_denied") == 0)
		rc = mh_err_set(err, EX_NOPERM, "[upstream %s]: the sign-in was "
		    "declined (access_denied): nothing saved", c->name);
	else if (strcmp(a->error, "expired_token") == 0)
		rc = mh_err_set(err, EX_TEMPFAIL, "[upstream %s]: the code "
		    "expired before the sign-in: run the login again",
		    c->name);
	else if (strcmp(a->error, "authorization_pending") != 0)
		rc = oauth_answer_error(c, ep, a, EX_TEMPFAIL, err);
	oauth_answer_free(a);
	return rc;
}

static int
login_device(const struct upstream *c, const struct oauth_endpoints *ep,
    FILE *out, struct oauth_answer *a, struct mh_err *err)
{
	struct oauth_device d;
	time_t		 deadline;
	long		 interval;
	int		 rc;

	if (device_start(c, ep, &d, err) == -1)
		return -1;
	device_tell(c, &d, out);
	deadline = time(NULL) + d.expires_in;
	interval = d.interval;
	for (;;) {
		if (login_left(deadline) <= 0) {
			rc = mh_err_set(err, EX_TEMPFAIL, "[upstream %s]: no "
			    "sign-in within %ld minutes: run the login again",
			    c->name, (d.expires_in + 59) / 60);
			break;
		}
		login_sleep(interval < login_left(deadline) ? interval :
		    login_left(deadline));
		rc = device_poll(c, ep, &d, &interval, a, err);
		if (rc != 1)
			break;
	}
	oauth_device_free(&d);
	return rc;
}

/* ---- the loopback redirect (RFC 8252 §7.3) with PKCE ---- */

struct loopback {
	int		 fd;		/* listening on 127.0.0.1 */
	int		 port;
	char		 redirect_uri[64];
	char		 state[32];
	char		 verifier[64];
	char		*code;		/* from the redirect */
};

static int
loopback_listen(struct loopback *lb, struct mh_err *err)
{
	struct sockaddr_in sin;
	socklen_t	 len = sizeof(sin);

	lb->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lb->fd == -1)
		return mh_err_errno(err, EX_OSERR, "socket");
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = 0;
	if (bind(lb->fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(lb->fd, 4) == -1 ||
	    getsockname(lb->fd, (struct sockaddr *)&sin, &len) == -1)
		return mh_err_errno(err, EX_OSERR, "listening on 127.0.0.1");
	lb->port = ntohs(sin.sin_port);
	snprintf(lb->redirect_uri, sizeof(lb->redirect_uri),
	    "http://127.0.0.1:%d/", lb->port);
	return 0;
}

static char *
loopback_url(const struct upstream *c, const struct oauth_endpoints *ep,
    const struct loopback *lb)
{
	struct buf	 u;
	char		 challenge[44];

	oauth_pkce_challenge(lb->verifier, challenge);
	buf_init(&u, 0);
	buf_adds(&u, ep->authorize_url);
	buf_addc(&u, strchr(ep->authorize_url, '?') != NULL ? '&' : '?');
	buf_adds(&u, "response_type=code");
	http_form_add(&u, "client_id", c->oauth_client_id);
	http_form_add(&u, "redirect_uri", lb->redirect_uri);
	if (ep->scope != NULL)
		http_form_add(&u, "scope", ep->scope);
	http_form_add(&u, "state", lb->state);
	http_form_add(&u, "code_challenge", challenge);
	http_form_add(&u, "code_challenge_method", "S256");
	if (c->user != NULL && *c->user != '\0')
		http_form_add(&u, "login_hint", c->user);
	/* Google gives a refresh token only with these (a new one each time). */
	if (c->oauth_provider == CONF_OAUTH_GOOGLE) {
		http_form_add(&u, "access_type", "offline");
		http_form_add(&u, "prompt", "consent");
	}
	return u.data;
}

static int
login_hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* The value of key in a query string, percent-decoded; NULL if absent. */
static char *
login_query_get(const char *q, const char *key)
{
	size_t	 klen = strlen(key), n;
	char	*v, *o;
	int	 h, l;

	while (*q != '\0') {
		n = strcspn(q, "&");
		if (n > klen && strncmp(q, key, klen) == 0 && q[klen] == '=') {
			v = o = xstrndup(q + klen + 1, n - klen - 1);
			for (q = v; *q != '\0'; q++) {
				if (*q == '%' && (h = login_hexval(q[1])) != -1 &&
				    (l = login_hexval(q[2])) != -1) {
					*o++ = (char)(h << 4 | l);
					q += 2;
				} else
					*o++ = *q == '+' ? ' ' : *q;
			}
			*o = '\0';
			return v;
		}
		q += n + (q[n] == '&');
	}
	return NULL;
}

static void
loopback_reply(int fd, int status, const char *text)
{
	char	 page[512];
	int	 n;

	n = snprintf(page, sizeof(page), "HTTP/1.1 %d %s\r\nContent-Type: "
	    "text/plain; charset=utf-8\r\nConnection: close\r\n"
	    "Cache-Control: no-store\r\nContent-Length: %zu\r\n\r\n%s\n",
	    status, status == 200 ? "OK" : status == 404 ? "Not Found" :
	    "Bad Request", strlen(text) + 1, text);
	if (n > 0 && (size_t)n < sizeof(page))
		(void)write(fd, page, (size_t)n);
}

/* The browser's request line and headers, up to the blank line. */
static int
loopback_read(int fd, char *req, size_t reqsz)
{
	struct pollfd	 p = { fd, POLLIN, 0 };
	size_t		 got = 0;
	ssize_t		 r;
	time_t		 deadline = time(NULL) + LOGIN_CONN_WAIT;

	while (got + 1 < reqsz) {
		if (login_left(deadline) <= 0 ||
		    poll(&p, 1, (int)login_left(deadline) * 1000) <= 0)
			return -1;
		r = read(fd, req + got, reqsz - got - 1);
		if (r <= 0)
			return -1;
		got += (size_t)r;
		req[got] = '\0';
		if (strstr(req, "\r\n\r\n") != NULL ||
		    strstr(req, "\n\n") != NULL)
			return 0;
	}
	return -1;
}

/*
 * One connection from the browser: 0 when it brought the code (kept in
 * lb->code), 1 when it was something else (a favicon, a stray request:
 * keep listening), -1 when the login must stop (the provider's error, a
 * state that is not ours).
 */
static int
loopback_serve(const struct upstream *c, struct loopback *lb, int fd,
    struct mh_err *err)
{
	char	 req[LOGIN_REQUEST_MAX], *q, *sp, *state = NULL, *e = NULL;
	char	 shown[80];
	int	 rc = 1;

	if (loopback_read(fd, req, sizeof(req)) == -1)
		return 1;
	if (strncmp(req, "GET /", 5) != 0 || (sp = strchr(req + 4, ' ')) ==
	    NULL) {
		loopback_reply(fd, 400, "mailhop: not a sign-in redirect");
		return 1;
	}
	*sp = '\0';
	q = strchr(req + 4, '?');
	if (q == NULL || strncmp(req + 4, "/?", 2) != 0) {
		loopback_reply(fd, 404, "mailhop: nothing here");
		return 1;
	}
	state = login_query_get(q + 1, "state");
	e = login_query_get(q + 1, "error");
	lb->code = login_query_get(q + 1, "code");
	if (state == NULL || strcmp(state, lb->state) != 0) {
		loopback_reply(fd, 400, "mailhop: this answer is not for this "
		    "login (state does not match); nothing was saved.");
		rc = mh_err_set(err, EX_NOPERM, "[upstream %s]: the redirect "
		    "to 127.0.0.1 carried a state that is not this login's "
		    "(a forged or stale answer): nothing saved", c->name);
	} else if (e != NULL || lb->code == NULL) {
		loopback_reply(fd, 400, "mailhop: the sign-in was refused.");
		text_show(shown, sizeof(shown), e != NULL ? e : "no code",
		    strlen(e != NULL ? e : "no code"), 0);
		rc = mh_err_set(err, EX_NOPERM, "[upstream %s]: the sign-in was "
		    "refused (%s): nothing saved", c->name, shown);
	} else {
		loopback_reply(fd, 200, "mailhop: signed in. You can close "
		    "this window.");
		rc = 0;
	}
	if (rc != 0) {
		xfree_secret(lb->code);
		lb->code = NULL;
	}
	free(state);
	free(e);
	return rc;
}

/* Wait for the redirect; the listener is closed on every way out. */
static int
loopback_wait(const struct upstream *c, struct loopback *lb,
    struct mh_err *err)
{
	struct pollfd	 p = { lb->fd, POLLIN, 0 };
	time_t		 deadline = time(NULL) + OAUTH_LOGIN_WAIT;
	int		 fd, rc = 1;

	while (rc == 1) {
		if (login_left(deadline) <= 0) {
			rc = mh_err_set(err, EX_TEMPFAIL, "[upstream %s]: no "
			    "answer from the browser within %d minutes: run "
			    "the login again", c->name,
			    OAUTH_LOGIN_WAIT / 60);
			break;
		}
		if (poll(&p, 1, (int)login_left(deadline) * 1000) <= 0)
			continue;
		fd = accept4(lb->fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd == -1)
			continue;
		rc = loopback_serve(c, lb, fd, err);
		close(fd);
	}
	close(lb->fd);
	lb->fd = -1;
	return rc;
}

static int
loopback_exchange(const struct upstream *c,
    const struct oauth_endpoints *ep, const struct loopback *lb,
    struct oauth_answer *a, struct mh_err *err)
{
	struct buf	 form;
	int		 rc;

	buf_init(&form, 0);
	http_form_add(&form, "grant_type", "authorization_code");
	http_form_add(&form, "code", lb->code);
	http_form_add(&form, "redirect_uri", lb->redirect_uri);
	http_form_add(&form, "code_verifier", lb->verifier);
	rc = oauth_form_client(c, &form, err);
	if (rc == 0)
		rc = oauth_token_request(c, ep, &form, a, err);
	http_form_wipe(&form);
	if (rc == 0 && a->error[0] != '\0') {
		rc = oauth_answer_error(c, ep, a, EX_NOPERM, err);
		oauth_answer_free(a);
	}
	return rc;
}

static int
login_loopback(const struct upstream *c, const struct oauth_endpoints *ep,
    FILE *out, struct oauth_answer *a, struct mh_err *err)
{
	struct loopback	 lb;
	char		*url;
	int		 rc = -1;

	memset(&lb, 0, sizeof(lb));
	lb.fd = -1;
	if (login_random(lb.verifier, 32, err) == -1 ||
	    login_random(lb.state, 16, err) == -1 ||
	    loopback_listen(&lb, err) == -1)
		goto done;
	url = loopback_url(c, ep, &lb);
	fprintf(out, "To sign in to upstream %s, open this URL in a browser "
	    "on this machine:\n\n    %s\n\nWaiting for the browser on %s "
	    "(for %d minutes)...\n", c->name, url, lb.redirect_uri,
	    OAUTH_LOGIN_WAIT / 60);
	fflush(out);
	free(url);
	if (loopback_wait(c, &lb, err) == 0)
		rc = loopback_exchange(c, ep, &lb, a, err);
done:
	if (lb.fd != -1)
		close(lb.fd);
	xfree_secret(lb.code);
	explicit_bzero(lb.verifier, sizeof(lb.verifier));
	return rc;
}

/* ---- the login ---- */

/* The device grant if there is a device endpoint, else the loopback one. */
static int
login_run(const struct upstream *c, const struct oauth_endpoints *ep,
    FILE *out, struct oauth_answer *a, struct mh_err *err)
{
	struct buf	 check;
	int		 rc;

	/* A client secret file that will not do fails before anyone signs in. */
	buf_init(&check, 0);
	rc = oauth_form_client(c, &check, err);
	http_form_wipe(&check);
	if (rc == -1)
		return -1;
	if (ep->device_url != NULL)
		return login_device(c, ep, out, a, err);
	if (ep->authorize_url != NULL)
		return login_loopback(c, ep, out, a, err);
	return mh_err_set(err, EX_CONFIG, "[upstream %s]: nothing to log in "
	    "with: set oauth_device_url (device grant) or oauth_authorize_url "
	    "(browser on this machine)", c->name);
}

int
oauth_login(const struct upstream *c, FILE *out, struct mh_err *err)
{
	struct oauth_endpoints ep;
	struct oauth_answer a;
	int		 rc;

	if (oauth_endpoints_get(c, &ep, err) == -1)
		return -1;
	memset(&a, 0, sizeof(a));
	rc = login_run(c, &ep, out, &a, err);
	if (rc == 0 && a.refresh_token == NULL)
		rc = mh_err_set(err, EX_UNAVAILABLE, "[upstream %s]: signed in, "
		    "but the provider sent no refresh token (does oauth_scope "
		    "ask for offline access?): nothing saved", c->name);
	if (rc == 0)
		rc = oauth_refresh_save(c->oauth_refresh_token_file,
		    a.refresh_token, err);
	if (rc == 0) {
		fprintf(out, "Signed in: the refresh token for upstream %s is "
		    "in %s.\n", c->name, c->oauth_refresh_token_file);
		fflush(out);
	}
	oauth_answer_free(&a);
	oauth_endpoints_free(&ep);
	return rc;
}
