/* SPDX-License-Identifier: MIT */
/*
 * http.h - the HTTPS requests of OAuth2 (token and device authorization
 * endpoints): one form-encoded POST, its status, content type and body.
 * Over libcurl; with relay.c, the only files that include <curl/curl.h>.
 * Only https:// URLs, the certificate chain and host name always verified
 * (oauth_ca_file or the upstream's ca_file, else the system's CAs), no
 * redirects followed, the whole exchange bounded by `timeout`, the answer
 * capped at HTTP_BODY_MAX.  Nothing is printed: the form carries secrets.
 * Owner: http.c.  Callers: oauth.c, oauth_login.c (mailhop-deliver only).
 */
#ifndef MH_HTTP_H
#define MH_HTTP_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

#define HTTP_BODY_MAX	(256 * 1024)

struct http_resp {
	long		 status;	/* HTTP status code */
	char		 ctype[128];	/* Content-Type, "" when absent */
	struct buf	 body;		/* the answer, capped */
};

/*
 * Append key=value to an application/x-www-form-urlencoded body (with the
 * "&" when it is not the first).  The body may hold secrets: the caller
 * wipes it (http_form_wipe).
 */
void	http_form_add(struct buf *, const char *key, const char *value);
void	http_form_wipe(struct buf *);
/* Percent-encode value (RFC 3986 unreserved kept) onto b: for URL queries. */
void	http_url_escape(struct buf *, const char *value);
/*
 * POST form to url, bounded by timeout seconds: the upstream's [upstream]
 * timeout (1 - 3600, its default set in upstream.c only, not here).  0
 * when an HTTP answer (any status) arrived; -1 when none did: EX_CONFIG for a URL that is not https://, EX_TEMPFAIL for
 * connection, TLS (certificate), timeout ("timed out after Ns") and an
 * answer over the cap, each message starting with what (the caller names
 * the endpoint and its URL); reason MH_REASON_UNREACHABLE when no answer
 * came (connect, timeout, reset).
 */
int	http_post_form(const char *what, const char *url, const char *ca_file,
	    long timeout, const struct buf *form, struct http_resp *,
	    struct mh_err *);
void	http_resp_free(struct http_resp *);

#endif
