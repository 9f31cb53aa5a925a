/* SPDX-License-Identifier: MIT */
/*
 * oauth.h - OAuth2 access tokens that refresh themselves (SPEC §12): the
 * provider presets, the token endpoint's JSON (read with json-c), the
 * access-token cache in the spool and the refresh-token file.  Lives in
 * mailhop-deliver only (libcurl, json-c).  oauth_login.h has the
 * interactive logins that write the refresh-token file in the first place.
 *
 * Secrets (refresh token, client secret, access token) live in heap memory
 * that is wiped when freed, in files that are 0600, and in the POST body;
 * never in a message, a log line or an argument.
 * Owner: oauth.c.  Callers: relay.c (the token for AUTH), oauth_login.c.
 */
#ifndef MH_OAUTH_H
#define MH_OAUTH_H

#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "conf.h"
#include "err.h"
#include "http.h"

/* Effective values: the configured ones, else the provider's preset. */
struct oauth_endpoints {
	char		*token_url;
	char		*device_url;	/* NULL: no device grant (loopback) */
	char		*authorize_url;	/* NULL: no loopback login */
	char		*scope;		/* NULL: none sent */
};

/* A token endpoint's answer (RFC 6749 §5.1, §5.2; RFC 8628 §3.5). */
struct oauth_answer {
	char		*access_token;	/* secret */
	char		*refresh_token;	/* secret; NULL when none came */
	long		 expires_in;	/* seconds; -1 when not given */
	char		 error[64];	/* "" on success, else "invalid_grant"... */
	char		 description[256];	/* error_description, sanitized */
};

/* A device authorization answer (RFC 8628 §3.2). */
struct oauth_device {
	char		*device_code;
	char		*user_code;
	char		*verification_uri;
	char		*verification_uri_complete;	/* NULL when none */
	char		*message;	/* the provider's text, sanitized; or NULL */
	long		 expires_in;
	long		 interval;	/* 5 when not given */
};

/* Whether the upstream refreshes its own tokens (oauth_provider set). */
int	oauth_enabled(const struct upstream *);
/* "microsoft", "google", "custom" or "none". */
const char *oauth_provider_name(const struct upstream *);
/* The CA file for the OAuth2 endpoints: oauth_ca_file, else ca_file. */
const char *oauth_ca_file(const struct upstream *);

/*
 * Fill in the presets.  EX_CONFIG naming the key when something needed is
 * missing: oauth_token_url with custom, oauth_client_id,
 * oauth_refresh_token_file.  Free with oauth_endpoints_free().
 */
int	oauth_endpoints_get(const struct upstream *, struct oauth_endpoints *,
	    struct mh_err *);
void	oauth_endpoints_free(struct oauth_endpoints *);

/*
 * Parse a token endpoint's answer.  0 for a success (access_token set) or
 * an RFC 6749 error object (error set); -1 for anything else -- not JSON,
 * not an object, an HTTP error without one, a success without an
 * access_token, a token with characters that cannot go into SASL -- with
 * EX_TEMPFAIL and a message starting with what.
 */
int	oauth_parse_token(const char *what, const struct http_resp *,
	    struct oauth_answer *, struct mh_err *);
void	oauth_answer_free(struct oauth_answer *);
/* The same for a device authorization answer; an error object is -1. */
int	oauth_parse_device(const char *what, const struct http_resp *,
	    struct oauth_device *, struct mh_err *);
void	oauth_device_free(struct oauth_device *);

/*
 * The cache key: SHA-256 (hex) of what makes a token valid for an
 * upstream (token URL, client, scope, refresh token).  A new login or a
 * changed configuration misses the cache instead of reusing a token.
 */
void	oauth_cache_key(const struct oauth_endpoints *, const char *client_id,
	    const char *refresh_token, char key[65]);
/*
 * The cache file NAME below dirfd: 0 and *token when it holds a token for
 * key with more than OAUTH_CACHE_MARGIN seconds left at now; 1 when not
 * (missing, expired, another key, damaged).
 */
#define OAUTH_CACHE_MARGIN	60
int	oauth_cache_read(int dirfd, const char *name, const char *key,
	    time_t now, char **token);
/* Write it atomically (0600, fsync, rename, fsync dir). */
int	oauth_cache_write(int dirfd, const char *name, const char *key,
	    const char *token, time_t expires, struct mh_err *);

/*
 * Rewrite the refresh-token file atomically: a temporary file in its
 * directory (0600, or the replaced file's owner, group and mode, at most
 * 0640), fsync, rename over it, fsync the directory.  The directory is
 * created 0700 when missing (a first login).
 */
int	oauth_refresh_save(const char *path, const char *token,
	    struct mh_err *);

/* ---- the token for AUTH ---- */
struct oauth;
/*
 * statefd: the spool's state directory, where the cache
 * (oauth-NAME.token) and its lock (oauth-NAME.lock, never replaced) live.
 * up is borrowed and must outlive the handle.  statefd -1 (`mailhop
 * test`), and always for an upstream whose secrets the set-id helper
 * holds (secret_is_held(): its tokens must not land in the caller's
 * spool): no cache file; the token is kept in this process's memory.
 */
struct oauth *oauth_new(const struct upstream *, int statefd,
	    struct mh_err *);
/*
 * The access token to send: the cached one while it has more than a
 * minute left, else a new one from the refresh token, fetched by one
 * process at a time (flock on the lock file; the cache is read again
 * once the lock is held, so the others take what the first fetched).
 * refused: a token the server just refused, dropped from the cache so a
 * new one is fetched (unless another process already replaced it).
 * *cached: 1 when the token came from the cache.
 * Errors (EX_TEMPFAIL, or EX_CONFIG for the configuration) name the
 * upstream; invalid_grant says to run `mailhop oauth login NAME`.
 */
int	oauth_access_token(struct oauth *, const char *refused, char **token,
	    int *cached, struct mh_err *);
/* A problem that did not stop the token (the new refresh token could not
 * be saved), for the log; "" when none. */
const char *oauth_warning(const struct oauth *);
void	oauth_free(struct oauth *);

/* ---- shared with oauth_login.c ---- */
/*
 * Build the form common to every token request: client_id, the client
 * secret from its file when one is configured.  EX_CONFIG if the secret
 * file is unsafe or empty.
 */
int	oauth_form_client(const struct upstream *, struct buf *,
	    struct mh_err *);
/* An RFC 6749 error answer as err: "[upstream N] token endpoint URL: error: description". */
int	oauth_answer_error(const struct upstream *,
	    const struct oauth_endpoints *, const struct oauth_answer *,
	    int exit, struct mh_err *);
/* POST form to the token endpoint and parse the answer (oauth_parse_token). */
int	oauth_token_request(const struct upstream *,
	    const struct oauth_endpoints *, const struct buf *form,
	    struct oauth_answer *, struct mh_err *);

#endif
