/* SPDX-License-Identifier: MIT */
/*
 * oauth.c - OAuth2 access tokens for AUTH XOAUTH2 / OAUTHBEARER: presets,
 * the token endpoint's JSON (json-c), the access-token cache in the spool,
 * one refresh at a time per upstream, and the refresh-token file rewritten
 * atomically when the provider rotates it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "buf.h"
#include "err.h"
#include "fsio.h"
#include "http.h"
#include "oauth.h"
#include "secret.h"
#include "text.h"
#include "xmem.h"

#define OAUTH_TOKEN_MAX		16384	/* a Microsoft JWT is 1.5-3 KB */
#define OAUTH_CACHE_MAGIC	"mailhop-oauth-cache 1"
#define OAUTH_DEFAULT_EXPIRES	3600	/* when expires_in is not given */

/* ---- presets ---- */

struct oauth_preset {
	const char	*name;
	enum conf_oauth	 provider;
	const char	*token_url;	/* "%s": the tenant (microsoft) */
	const char	*device_url;
	const char	*authorize_url;
	const char	*scope;
};

/*
 * Microsoft: the v2.0 endpoints of the identity platform and the scope
 * Exchange Online documents for SMTP AUTH (offline_access for a refresh
 * token).  Google: Gmail's scope for IMAP/POP/SMTP; Google's device grant
 * does not allow that scope, so a Gmail login is the loopback one.
 */
static const struct oauth_preset oauth_presets[] = {
	{ "microsoft", CONF_OAUTH_MICROSOFT,
	  "https://login.microsoftonline.com/%s/oauth2/v2.0/token",
	  "https://login.microsoftonline.com/%s/oauth2/v2.0/devicecode",
	  "https://login.microsoftonline.com/%s/oauth2/v2.0/authorize",
	  "https://outlook.office.com/SMTP.Send offline_access" },
	{ "google", CONF_OAUTH_GOOGLE,
	  "https://oauth2.googleapis.com/token",
	  NULL,
	  "https://accounts.google.com/o/oauth2/v2/auth",
	  "https://mail.google.com/" },
	{ "custom", CONF_OAUTH_CUSTOM, NULL, NULL, NULL, NULL },
};

static const struct oauth_preset *
oauth_preset_of(enum conf_oauth p)
{
	size_t	 i;

	for (i = 0; i < sizeof(oauth_presets) / sizeof(oauth_presets[0]); i++)
		if (oauth_presets[i].provider == p)
			return &oauth_presets[i];
	return NULL;
}

int
oauth_enabled(const struct upstream *up)
{
	return up->oauth_provider != CONF_OAUTH_NONE;
}

const char *
oauth_provider_name(const struct upstream *up)
{
	const struct oauth_preset *pr = oauth_preset_of(up->oauth_provider);

	return pr != NULL ? pr->name : "none";
}

const char *
oauth_ca_file(const struct upstream *up)
{
	return up->oauth_ca_file != NULL ? up->oauth_ca_file : up->ca_file;
}

/* A configured value, else the preset's (with the tenant put in). */
static char *
oauth_pick(const char *configured, const char *preset, const char *tenant)
{
	if (configured != NULL && *configured != '\0')
		return xstrdup(configured);
	if (preset == NULL)
		return NULL;
	if (strstr(preset, "%s") != NULL)
		return xasprintf(preset, tenant);
	return xstrdup(preset);
}

static int
oauth_tenant_ok(const char *t)
{
	size_t	 n = strspn(t, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_");

	return n > 0 && t[n] == '\0';
}

int
oauth_endpoints_get(const struct upstream *c, struct oauth_endpoints *ep,
    struct mh_err *err)
{
	const struct oauth_preset *pr = oauth_preset_of(c->oauth_provider);
	const char	*tenant = c->oauth_tenant != NULL ? c->oauth_tenant : "common";

	memset(ep, 0, sizeof(*ep));
	if (pr == NULL)
		return mh_err_set(err, EX_CONFIG, "[upstream %s]: no "
		    "oauth_provider", c->name);
	if (!oauth_tenant_ok(tenant))
		return mh_err_set(err, EX_CONFIG, "[upstream %s]: oauth_tenant "
		    "\"%.64s\" is not a tenant name or id", c->name, tenant);
	ep->token_url = oauth_pick(c->oauth_token_url, pr->token_url, tenant);
	ep->device_url = oauth_pick(c->oauth_device_url, pr->device_url, tenant);
	ep->authorize_url = oauth_pick(c->oauth_authorize_url, pr->authorize_url,
	    tenant);
	ep->scope = oauth_pick(c->oauth_scope, pr->scope, tenant);
	if (ep->token_url == NULL)
		mh_err_set(err, EX_CONFIG, "[upstream %s]: oauth_provider = %s "
		    "needs oauth_token_url", c->name, pr->name);
	else if (c->oauth_client_id == NULL || *c->oauth_client_id == '\0')
		mh_err_set(err, EX_CONFIG, "[upstream %s]: oauth_provider = %s "
		    "needs oauth_client_id (the application's id from its "
		    "registration)", c->name, pr->name);
	else if (c->oauth_refresh_token_file == NULL ||
	    *c->oauth_refresh_token_file == '\0')
		mh_err_set(err, EX_CONFIG, "[upstream %s]: oauth_provider = %s "
		    "needs oauth_refresh_token_file", c->name, pr->name);
	else
		return 0;
	oauth_endpoints_free(ep);
	return -1;
}

void
oauth_endpoints_free(struct oauth_endpoints *ep)
{
	free(ep->token_url);
	free(ep->device_url);
	free(ep->authorize_url);
	free(ep->scope);
	memset(ep, 0, sizeof(*ep));
}

/* ---- JSON ---- */

/*
 * A token goes into a SASL message (XOAUTH2 and OAUTHBEARER separate
 * fields with ^A) and into a file line: printable ASCII, no space, which
 * every RFC 6750 b64token and every real provider's token is.
 */
static int
oauth_token_ok(const char *t)
{
	const char	*p;

	if (*t == '\0' || strlen(t) > OAUTH_TOKEN_MAX)
		return 0;
	for (p = t; *p != '\0'; p++)
		if (*p < 0x21 || *p > 0x7e)
			return 0;
	return 1;
}

/* Text from the provider, for mailq and the terminal (text.h). */
static void
oauth_clean(char *dst, size_t dstsz, const char *src)
{
	text_show(dst, dstsz, src, strlen(src), 0);
}

static const char *
oauth_json_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* A number, or a string of digits (old Azure AD endpoints); -1: absent. */
static long
oauth_json_long(struct json_object *o, const char *key)
{
	struct json_object *v;
	const char	*s;
	char		*end;
	long		 n;

	if (!json_object_object_get_ex(o, key, &v))
		return -1;
	if (json_object_is_type(v, json_type_int)) {
		n = (long)json_object_get_int64(v);
		return n < 0 ? -1 : n;
	}
	if (!json_object_is_type(v, json_type_string))
		return -1;
	s = json_object_get_string(v);
	errno = 0;
	n = strtol(s, &end, 10);
	if (end == s || *end != '\0' || errno != 0 || n < 0)
		return -1;
	return n;
}

/* The answer as a JSON object, or NULL with err set. */
static struct json_object *
oauth_json_object(const char *what, const struct http_resp *resp,
    struct mh_err *err)
{
	struct json_tokener *tok;
	struct json_object *o = NULL;

	tok = json_tokener_new();
	if (tok == NULL) {
		mh_err_set(err, EX_SOFTWARE, "json-c: out of memory");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	if (resp->body.len > 0)
		o = json_tokener_parse_ex(tok, resp->body.data,
		    (int)resp->body.len);
	if (o != NULL && (json_tokener_get_parse_end(tok) != resp->body.len ||
	    !json_object_is_type(o, json_type_object))) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	if (o == NULL && resp->status >= 300)
		mh_err_set(err, EX_TEMPFAIL, "%s: HTTP %ld", what,
		    resp->status);
	else if (o == NULL)
		mh_err_set(err, EX_TEMPFAIL, "%s: the answer is not a JSON "
		    "object (HTTP %ld, %.60s)", what, resp->status,
		    resp->ctype[0] ? resp->ctype : "no content type");
	return o;
}

/*
 * RFC 6749 §5.2: {"error": "...", "error_description": "..."}.  An empty
 * error is no error code: callers tell an error answer from a token by
 * error[0], and took {"error": ""} for a success without a token (found
 * by fuzz_oauth: a flush then went on to the SMTP server with no token).
 */
static int
oauth_json_error(struct json_object *o, char *error, size_t errorsz,
    char *desc, size_t descsz)
{
	const char	*e = oauth_json_str(o, "error");
	const char	*d = oauth_json_str(o, "error_description");

	if (e == NULL || *e == '\0')
		return 0;
	oauth_clean(error, errorsz, e);
	oauth_clean(desc, descsz, d != NULL ? d : "");
	return 1;
}

int
oauth_parse_token(const char *what, const struct http_resp *resp,
    struct oauth_answer *a, struct mh_err *err)
{
	struct json_object *o;
	const char	*at, *rt;
	int		 rc = -1;

	memset(a, 0, sizeof(*a));
	a->expires_in = -1;
	if ((o = oauth_json_object(what, resp, err)) == NULL)
		return -1;
	if (oauth_json_error(o, a->error, sizeof(a->error), a->description,
	    sizeof(a->description))) {
		rc = 0;
		goto done;
	}
	at = oauth_json_str(o, "access_token");
	rt = oauth_json_str(o, "refresh_token");
	if (resp->status / 100 != 2)
		mh_err_set(err, EX_TEMPFAIL, "%s: HTTP %ld", what,
		    resp->status);
	else if (at == NULL)
		mh_err_set(err, EX_TEMPFAIL, "%s: no access_token in the "
		    "answer", what);
	else if (!oauth_token_ok(at) || (rt != NULL && !oauth_token_ok(rt)))
		mh_err_set(err, EX_TEMPFAIL, "%s: a token in the answer has "
		    "characters no token has (refused)", what);
	else {
		a->access_token = xstrdup(at);
		a->refresh_token = rt != NULL ? xstrdup(rt) : NULL;
		a->expires_in = oauth_json_long(o, "expires_in");
		rc = 0;
	}
done:
	json_object_put(o);
	return rc;
}

void
oauth_answer_free(struct oauth_answer *a)
{
	xfree_secret(a->access_token);
	xfree_secret(a->refresh_token);
	memset(a, 0, sizeof(*a));
}

/* A provider's URL or code shown to the user: printable, no space. */
static char *
oauth_json_shown(struct json_object *o, const char *key)
{
	const char	*s = oauth_json_str(o, key);

	if (s == NULL || !oauth_token_ok(s) || strlen(s) > 1024)
		return NULL;
	return xstrdup(s);
}

int
oauth_parse_device(const char *what, const struct http_resp *resp,
    struct oauth_device *d, struct mh_err *err)
{
	struct json_object *o;
	char		 error[64], desc[256];
	const char	*msg;

	memset(d, 0, sizeof(*d));
	if ((o = oauth_json_object(what, resp, err)) == NULL)
		return -1;
	if (oauth_json_error(o, error, sizeof(error), desc, sizeof(desc)))
		mh_err_set(err, EX_UNAVAILABLE, "%s: %s%s%s", what, error,
		    desc[0] ? ": " : "", desc);
	else {
		d->device_code = oauth_json_shown(o, "device_code");
		d->user_code = oauth_json_shown(o, "user_code");
		/* Google's endpoint said verification_url for a while. */
		d->verification_uri = oauth_json_shown(o, "verification_uri");
		if (d->verification_uri == NULL)
			d->verification_uri = oauth_json_shown(o,
			    "verification_url");
		d->verification_uri_complete = oauth_json_shown(o,
		    "verification_uri_complete");
		if ((msg = oauth_json_str(o, "message")) != NULL) {
			d->message = xmalloc(strlen(msg) + 1);
			oauth_clean(d->message, strlen(msg) + 1, msg);
		}
		d->expires_in = oauth_json_long(o, "expires_in");
		d->interval = oauth_json_long(o, "interval");
		if (d->interval <= 0)
			d->interval = 5;
		if (d->expires_in <= 0)
			d->expires_in = 900;
		if (d->device_code != NULL && d->user_code != NULL &&
		    d->verification_uri != NULL) {
			json_object_put(o);
			return 0;
		}
		mh_err_set(err, EX_UNAVAILABLE, "%s: the answer lacks "
		    "device_code, user_code or verification_uri", what);
	}
	json_object_put(o);
	oauth_device_free(d);
	return -1;
}

void
oauth_device_free(struct oauth_device *d)
{
	free(d->device_code);
	free(d->user_code);
	free(d->verification_uri);
	free(d->verification_uri_complete);
	free(d->message);
	memset(d, 0, sizeof(*d));
}

/* ---- the cache ---- */

void
oauth_cache_key(const struct oauth_endpoints *ep, const char *client_id,
    const char *refresh_token, char key[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 n = 0, i;
	EVP_MD_CTX	*ctx;
	const char	*parts[4];

	parts[0] = ep->token_url;
	parts[1] = client_id;
	parts[2] = ep->scope != NULL ? ep->scope : "";
	parts[3] = refresh_token;
	memset(md, 0, sizeof(md));
	if ((ctx = EVP_MD_CTX_new()) != NULL &&
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1) {
		for (i = 0; i < 4; i++)
			EVP_DigestUpdate(ctx, parts[i], strlen(parts[i]) + 1);
		EVP_DigestFinal_ex(ctx, md, &n);
	}
	EVP_MD_CTX_free(ctx);
	for (i = 0; i < 32; i++) {
		key[2 * i] = hex[md[i] >> 4];
		key[2 * i + 1] = hex[md[i] & 15];
	}
	key[64] = '\0';
}

/* "NAME VALUE\n" at *p; the value, NUL-terminated in place, or NULL. */
static char *
oauth_cache_field(char **p, const char *name)
{
	size_t	 n = strlen(name);
	char	*v, *nl;

	if (strncmp(*p, name, n) != 0 || (*p)[n] != ' ')
		return NULL;
	v = *p + n + 1;
	if ((nl = strchr(v, '\n')) == NULL)
		return NULL;
	*nl = '\0';
	*p = nl + 1;
	return v;
}

int
oauth_cache_read(int dirfd, const char *name, const char *key, time_t now,
    char **token)
{
	struct mh_err	 err;
	char		*data, *p, *k, *e, *t, *end;
	size_t		 len;
	long long	 expires;
	int		 rc = 1;

	*token = NULL;
	if (fsio_read_file(dirfd, name, OAUTH_TOKEN_MAX + 256, &data, &len,
	    &err) == -1)
		return 1;
	p = data;
	if (strlen(data) != len || strncmp(p, OAUTH_CACHE_MAGIC "\n",
	    strlen(OAUTH_CACHE_MAGIC) + 1) != 0)
		goto done;
	p += strlen(OAUTH_CACHE_MAGIC) + 1;
	if ((k = oauth_cache_field(&p, "key")) == NULL ||
	    (e = oauth_cache_field(&p, "expires")) == NULL ||
	    (t = oauth_cache_field(&p, "token")) == NULL || *p != '\0')
		goto done;
	errno = 0;
	expires = strtoll(e, &end, 10);
	if (*end != '\0' || errno != 0 || strcmp(k, key) != 0 ||
	    !oauth_token_ok(t) || expires - OAUTH_CACHE_MARGIN <= (long long)now)
		goto done;
	*token = xstrdup(t);
	rc = 0;
done:
	explicit_bzero(data, len);
	free(data);
	return rc;
}

int
oauth_cache_write(int dirfd, const char *name, const char *key,
    const char *token, time_t expires, struct mh_err *err)
{
	struct buf	 b;
	char		 tmp[PATH_MAX];
	int		 rc;

	buf_init(&b, 0);
	buf_addf(&b, "%s\nkey %s\nexpires %lld\ntoken %s\n",
	    OAUTH_CACHE_MAGIC, key, (long long)expires, token);
	snprintf(tmp, sizeof(tmp), ".tmp.%s.%ld", name, (long)getpid());
	rc = fsio_replace_atomic(dirfd, tmp, name, b.data, b.len, err);
	http_form_wipe(&b);
	return rc;
}

static void
oauth_cache_drop(int dirfd, const char *name)
{
	unlinkat(dirfd, name, 0);
}

/* ---- the refresh-token file ---- */

/* "dir/base" -> dir, base (a bare name lives in "."). */
static void
oauth_split_path(const char *path, char **dir, char **base)
{
	const char	*slash = strrchr(path, '/');

	if (slash == NULL) {
		*dir = xstrdup(".");
		*base = xstrdup(path);
	} else {
		*dir = slash == path ? xstrdup("/") :
		    xstrndup(path, (size_t)(slash - path));
		*base = xstrdup(slash + 1);
	}
}

int
oauth_refresh_save(const char *path, const char *token, struct mh_err *err)
{
	struct mh_err	 e;
	struct stat	 old;
	char		*dir, *base, *line, tmp[PATH_MAX];
	int		 dirfd, had, rc = -1;

	oauth_split_path(path, &dir, &base);
	if (*base == '\0' || strcmp(base, ".") == 0 ||
	    strcmp(base, "..") == 0) {
		mh_err_set(err, EX_CONFIG, "oauth_refresh_token_file %s: not "
		    "a file name", path);
		goto done;
	}
	/* A first login may come before anything made the directory. */
	if (fsio_mkdirs(dir, 0700) == -1 ||
	    (dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		mh_err_errno(err, EX_CANTCREAT, "oauth_refresh_token_file %s: "
		    "directory %s", path, dir);
		goto done;
	}
	/*
	 * The new file keeps the old one's owner, group and mode: root's
	 * own mail rewrites the system's file (root:mailhop 0640) when the
	 * provider rotates, and a 0600 root:root one would lock the set-id
	 * helper, so every user's mail, out of it.
	 */
	had = fstatat(dirfd, base, &old, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(old.st_mode);
	line = xasprintf("%s\n", token);
	snprintf(tmp, sizeof(tmp), ".%s.tmp.%ld", base, (long)getpid());
	rc = fsio_replace_keep(dirfd, tmp, base, line, strlen(line),
	    had ? &old : NULL, &e);
	xfree_secret(line);
	close(dirfd);
	if (rc == -1)
		mh_err_set(err, e.exit, "oauth_refresh_token_file %s: %s",
		    path, e.msg);
done:
	free(dir);
	free(base);
	return rc;
}

/* ---- requests ---- */

int
oauth_form_client(const struct upstream *c, struct buf *form,
    struct mh_err *err)
{
	char	*secret = NULL;

	http_form_add(form, "client_id", c->oauth_client_id);
	if (secret_oauth_file(c, "oauth_client_secret_file", &secret,
	    err) == -1)
		return -1;
	if (secret != NULL)
		http_form_add(form, "client_secret", secret);
	xfree_secret(secret);
	return 0;
}

int
oauth_token_request(const struct upstream *c,
    const struct oauth_endpoints *ep, const struct buf *form,
    struct oauth_answer *a, struct mh_err *err)
{
	struct http_resp resp;
	char		 what[300];
	int		 rc;

	memset(a, 0, sizeof(*a));
	snprintf(what, sizeof(what), "[upstream %s] token endpoint %s",
	    c->name, ep->token_url);
	rc = http_post_form(what, ep->token_url, oauth_ca_file(c), c->timeout, form,
	    &resp, err);
	if (rc == 0)
		rc = oauth_parse_token(what, &resp, a, err);
	http_resp_free(&resp);
	return rc;
}

int
oauth_answer_error(const struct upstream *c, const struct oauth_endpoints *ep,
    const struct oauth_answer *a, int exit, struct mh_err *err)
{
	return mh_err_set(err, exit, "[upstream %s] token endpoint %s: %s%s"
	    "%.160s", c->name, ep->token_url, a->error,
	    a->description[0] ? ": " : "", a->description);
}

/* ---- the token for AUTH ---- */

struct oauth {
	const struct upstream *conf;
	struct oauth_endpoints ep;
	int		 statefd;
	char		*cache_name;	/* oauth-NAME.token */
	char		*lock_name;	/* oauth-NAME.lock */
	char		 warning[MH_ERR_MSG];
	/* statefd -1: the last token, kept in memory for this process only */
	char		*mem_token;
	time_t		 mem_expires;
};

struct oauth *
oauth_new(const struct upstream *c, int statefd, struct mh_err *err)
{
	struct oauth	*oa;

	oa = xcalloc(1, sizeof(*oa));
	oa->conf = c;
	/*
	 * The set-id helper's system upstream: a token made from secrets the
	 * caller may not read does not go into the caller's spool.
	 */
	oa->statefd = secret_is_held(c) ? -1 : statefd;
	if (oauth_endpoints_get(c, &oa->ep, err) == -1) {
		free(oa);
		return NULL;
	}
	oa->cache_name = xasprintf("oauth-%s.token", c->name);
	oa->lock_name = xasprintf("oauth-%s.lock", c->name);
	return oa;
}

void
oauth_free(struct oauth *oa)
{
	if (oa == NULL)
		return;
	oauth_endpoints_free(&oa->ep);
	xfree_secret(oa->mem_token);
	free(oa->cache_name);
	free(oa->lock_name);
	free(oa);
}

const char *
oauth_warning(const struct oauth *oa)
{
	return oa->warning;
}

static int
oauth_lock(struct oauth *oa, struct mh_err *err)
{
	int	 fd;

	fd = openat(oa->statefd, oa->lock_name, O_RDWR | O_CREAT | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd == -1)
		return mh_err_errno(err, EX_TEMPFAIL, "%s", oa->lock_name);
	while (flock(fd, LOCK_EX) == -1) {
		if (errno != EINTR) {
			mh_err_errno(err, EX_TEMPFAIL, "lock %s", oa->lock_name);
			close(fd);
			return -1;
		}
	}
	return fd;
}

/*
 * Who can log in again: the user, or for the system's upstream under the
 * set-id helper (its refresh-token file root's) only root.
 */
static const char *
oauth_who_logs_in(const struct upstream *c)
{
	return secret_is_held(c) ? "root must run" : "run";
}

/* The refresh_token grant; the answer's tokens into a. */
static int
oauth_refresh(struct oauth *oa, const char *refresh_token,
    struct oauth_answer *a, struct mh_err *err)
{
	const struct upstream *c = oa->conf;
	struct buf	 form;
	int		 rc = -1;

	buf_init(&form, 0);
	http_form_add(&form, "grant_type", "refresh_token");
	http_form_add(&form, "refresh_token", refresh_token);
	if (oa->ep.scope != NULL)
		http_form_add(&form, "scope", oa->ep.scope);
	if (oauth_form_client(c, &form, err) == 0 &&
	    oauth_token_request(c, &oa->ep, &form, a, err) == 0)
		rc = 0;
	http_form_wipe(&form);
	if (rc == -1 || a->error[0] == '\0')
		return rc;
	if (strcmp(a->error, "invalid_grant") == 0)
		mh_err_set(err, EX_TEMPFAIL, "[upstream %s]: the refresh token "
		    "was refused (invalid_grant%s%.160s): %s `mailhop oauth "
		    "login %s`", c->name, a->description[0] ? ": " : "",
		    a->description, oauth_who_logs_in(c), c->name);
	else
		oauth_answer_error(c, &oa->ep, a, EX_TEMPFAIL, err);
	oauth_answer_free(a);
	return -1;
}

/* Keep a rotated refresh token; a failure is only a warning (see .h). */
static void
oauth_keep_rotated(struct oauth *oa, const char *old, const char *new)
{
	struct mh_err	 err;

	if (new == NULL || strcmp(old, new) == 0)
		return;
	if (oauth_refresh_save(oa->conf->oauth_refresh_token_file, new, &err) == -1)
		snprintf(oa->warning, sizeof(oa->warning), "[upstream %.32s]: "
		    "the provider sent a new refresh token that could not be "
		    "saved: %.380s", oa->conf->name, err.msg);
}

/* The refresh token, or a message that says how to get one. */
static int
oauth_refresh_token(const struct upstream *c, char **rt, struct mh_err *err)
{
	if (secret_oauth_file(c, "oauth_refresh_token_file", rt, err) == -1)
		return -1;
	if (*rt == NULL)
		return mh_err_set(err, EX_TEMPFAIL, "[upstream %s]: no refresh "
		    "token yet (%s does not exist): %s `mailhop oauth login "
		    "%s`", c->name, c->oauth_refresh_token_file,
		    oauth_who_logs_in(c), c->name);
	return 0;
}

/* Under the lock: the cache again, else the refresh. */
static int
oauth_fetch(struct oauth *oa, const char *refused, char **token,
    int *cached, struct mh_err *err)
{
	struct oauth_answer a;
	char		*rt = NULL, key[65];
	time_t		 now = time(NULL);
	long		 life;
	int		 rc = -1;

	if (oauth_refresh_token(oa->conf, &rt, err) == -1)
		return -1;
	oauth_cache_key(&oa->ep, oa->conf->oauth_client_id, rt, key);
	if (oa->statefd != -1 && oauth_cache_read(oa->statefd, oa->cache_name,
	    key, now, token) == 0) {
		if (refused == NULL || strcmp(*token, refused) != 0) {
			*cached = 1;
			rc = 0;
			goto done;
		}
		xfree_secret(*token);
		*token = NULL;
		oauth_cache_drop(oa->statefd, oa->cache_name);
	}
	if (oauth_refresh(oa, rt, &a, err) == -1)
		goto done;
	oauth_keep_rotated(oa, rt, a.refresh_token);
	life = a.expires_in >= 0 ? a.expires_in : OAUTH_DEFAULT_EXPIRES;
	if (a.refresh_token != NULL)
		oauth_cache_key(&oa->ep, oa->conf->oauth_client_id, a.refresh_token,
		    key);
	/* A cache we cannot write costs a refresh per flush, nothing more. */
	if (oa->statefd != -1 && oauth_cache_write(oa->statefd, oa->cache_name,
	    key, a.access_token, now + life, err) == -1 &&
	    oa->warning[0] == '\0')
		snprintf(oa->warning, sizeof(oa->warning), "[upstream %.32s]: "
		    "the access token could not be cached: %.400s",
		    oa->conf->name, err->msg);
	if (oa->statefd == -1) {
		xfree_secret(oa->mem_token);
		oa->mem_token = xstrdup(a.access_token);
		oa->mem_expires = now + life;
	}
	*token = a.access_token;
	a.access_token = NULL;
	*cached = 0;
	oauth_answer_free(&a);
	rc = 0;
done:
	xfree_secret(rt);
	return rc;
}

/* No cache file: the token of this process while it is good, else a new one. */
static int
oauth_fetch_nocache(struct oauth *oa, const char *refused, char **token,
    int *cached, struct mh_err *err)
{
	if (oa->mem_token != NULL && (refused != NULL &&
	    strcmp(oa->mem_token, refused) == 0)) {
		xfree_secret(oa->mem_token);
		oa->mem_token = NULL;
	}
	if (oa->mem_token != NULL &&
	    oa->mem_expires - OAUTH_CACHE_MARGIN > time(NULL)) {
		*token = xstrdup(oa->mem_token);
		*cached = 1;
		return 0;
	}
	return oauth_fetch(oa, refused, token, cached, err);
}

int
oauth_access_token(struct oauth *oa, const char *refused, char **token,
    int *cached, struct mh_err *err)
{
	char	*rt = NULL, key[65];
	int	 fd, rc;

	*token = NULL;
	*cached = 0;
	oa->warning[0] = '\0';
	if (oa->statefd == -1)
		return oauth_fetch_nocache(oa, refused, token, cached, err);
	/* The common case, without the lock: a cached token still good. */
	if (refused == NULL) {
		if (oauth_refresh_token(oa->conf, &rt, err) == -1)
			return -1;
		oauth_cache_key(&oa->ep, oa->conf->oauth_client_id, rt, key);
		xfree_secret(rt);
		if (oauth_cache_read(oa->statefd, oa->cache_name, key,
		    time(NULL), token) == 0) {
			*cached = 1;
			return 0;
		}
	}
	if ((fd = oauth_lock(oa, err)) == -1)
		return -1;
	rc = oauth_fetch(oa, refused, token, cached, err);
	close(fd);
	return rc;
}
