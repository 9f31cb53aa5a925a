/* SPDX-License-Identifier: MIT */
/*
 * upstream.c - the keys of an [upstream] or [upstream.NAME] section, one
 * table row each, and what an upstream's values mean (port from tls, helo
 * from the host name).  conf.c applies the table to every upstream
 * section; a new upstream key is a field in conf.h and a row here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "conf_key.h"
#include "xmem.h"

const char *const conf_tls_names[] = { "starttls", "tls", "none", NULL };
const char *const conf_auth_names[] = {
	"auto", "plain", "login", "cram-md5", "xoauth2", "oauthbearer", NULL
};
const char *const conf_oauth_names[] = {
	"none", "microsoft", "google", "custom", NULL
};

#define U(f)	offsetof(struct upstream, f), \
		sizeof(((struct upstream *)0)->f)

/* Every key of an upstream, in the order `mailhop config` prints them. */
static const struct conf_key upstream_keys[] = {
	{ "upstream", "host", CK_HOST, U(host), 0, 0, NULL, CKG_NONE },
	{ "upstream", "port", CK_PORT, U(port), 1, 65535, NULL, CKG_NONE },
	{ "upstream", "tls", CK_ENUM, U(tls), 0, 0, conf_tls_names, CKG_NONE },
	{ "upstream", "tls_verify", CK_BOOL, U(tls_verify), 0, 0, NULL,
	    CKG_NONE },
	{ "upstream", "ca_file", CK_PATH, U(ca_file), 0, 0, NULL, CKG_NONE },
	{ "upstream", "client_cert", CK_PATH, U(client_cert), 0, 0, NULL,
	    CKG_NONE },
	{ "upstream", "client_key", CK_PATH, U(client_key), 0, 0, NULL,
	    CKG_NONE },
	{ "upstream", "user", CK_STR, U(user), 0, 0, NULL, CKG_NONE },
	{ "upstream", "password", CK_SECRET, U(password), 0, 0, NULL,
	    CKG_PASSWORD },
	{ "upstream", "password_file", CK_PATH, U(password_file), 0, 0, NULL,
	    CKG_PASSWORD },
	{ "upstream", "password_command", CK_CMD, U(password_command), 0, 0,
	    NULL, CKG_PASSWORD },
	{ "upstream", "oauth_token", CK_SECRET, U(oauth_token), 0, 0, NULL,
	    CKG_OAUTH },
	{ "upstream", "oauth_token_command", CK_CMD, U(oauth_token_command),
	    0, 0, NULL, CKG_OAUTH },
	{ "upstream", "oauth_provider", CK_ENUM, U(oauth_provider), 0, 0,
	    conf_oauth_names, CKG_NONE },
	{ "upstream", "oauth_tenant", CK_STR, U(oauth_tenant), 0, 0, NULL,
	    CKG_NONE },
	{ "upstream", "oauth_token_url", CK_URL, U(oauth_token_url), 0, 0,
	    NULL, CKG_NONE },
	{ "upstream", "oauth_device_url", CK_URL, U(oauth_device_url), 0, 0,
	    NULL, CKG_NONE },
	{ "upstream", "oauth_authorize_url", CK_URL, U(oauth_authorize_url),
	    0, 0, NULL, CKG_NONE },
	{ "upstream", "oauth_ca_file", CK_PATH, U(oauth_ca_file), 0, 0, NULL,
	    CKG_NONE },
	{ "upstream", "oauth_scope", CK_STR, U(oauth_scope), 0, 0, NULL,
	    CKG_NONE },
	{ "upstream", "oauth_client_id", CK_STR, U(oauth_client_id), 0, 0,
	    NULL, CKG_NONE },
	{ "upstream", "oauth_client_secret_file", CK_PATH,
	    U(oauth_client_secret_file), 0, 0, NULL, CKG_NONE },
	{ "upstream", "oauth_refresh_token_file", CK_PATH,
	    U(oauth_refresh_token_file), 0, 0, NULL, CKG_OAUTH },
	{ "upstream", "auth", CK_ENUM, U(auth), 0, 0, conf_auth_names,
	    CKG_NONE },
	{ "upstream", "helo", CK_HOST, U(helo), 0, 0, NULL, CKG_NONE },
	{ "upstream", "timeout", CK_DURATION, U(timeout), 1, 3600, NULL,
	    CKG_NONE },
	{ "upstream", "allow_plaintext_auth", CK_BOOL, U(allow_plaintext_auth),
	    0, 0, NULL, CKG_NONE },
	{ "upstream", "rate", CK_RATE, U(rate), 1, 1000000, NULL, CKG_NONE },
	{ "upstream", "down_time", CK_DURATION, U(down_time), 0, CONF_DAYS,
	    NULL, CKG_NONE },
	{ "upstream", "max_per_connection", CK_LONG, U(max_per_connection), 0,
	    1000000, NULL, CKG_NONE },
};

/* Defaults of SPEC 7 and 9; the timeout default lives here only. */
static void
upstream_defaults(void *base)
{
	struct upstream	*up = base;

	up->tls = CONF_TLS_STARTTLS;
	up->tls_verify = 1;
	up->auth = CONF_AUTH_AUTO;
	up->timeout = 60;
	up->down_time = 300;
}

const struct conf_table conf_upstream_table = {
	upstream_keys, sizeof(upstream_keys) / sizeof(upstream_keys[0]),
	upstream_defaults
};

struct upstream *
upstream_new(const char *name, struct conf_cache *cache)
{
	struct upstream	*up;

	up = xcalloc(1, sizeof(*up));
	upstream_defaults(up);
	up->name = xstrdup(name);
	up->origin = xcalloc(conf_upstream_table.nkeys, sizeof(*up->origin));
	up->cache = cache;
	return up;
}

void
upstream_free(struct upstream *up)
{
	const struct conf_key	*k;
	char			**p;
	size_t			 i;

	if (up == NULL)
		return;
	for (i = 0; i < conf_upstream_table.nkeys; i++) {
		k = &upstream_keys[i];
		if (k->type != CK_STR && k->type != CK_HOST &&
		    k->type != CK_PATH && k->type != CK_URL &&
		    k->type != CK_SECRET &&
		    k->type != CK_CMD)
			continue;
		p = (char **)(void *)((char *)up + k->off);
		if (k->type == CK_SECRET)
			xfree_secret(*p);
		else
			free(*p);
	}
	free(up->name);
	free(up->origin);
	free(up);
}

int
upstream_name_ok(const char *s, size_t n)
{
	size_t	 i;

	if (n == 0 || n > CONF_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

int
upstream_port(const struct upstream *up)
{
	if (up->port != 0)
		return up->port;
	switch (up->tls) {
	case CONF_TLS_IMPLICIT:
		return 465;
	case CONF_TLS_NONE:
		return 25;
	default:
		return 587;
	}
}

const char *
upstream_helo(const struct upstream *up)
{
	if (up->helo != NULL && *up->helo != '\0')
		return up->helo;
	return conf_cache_fqdn(up->cache);
}

const struct conf_origin *
upstream_origin(const struct upstream *up, const char *key)
{
	size_t	 i;

	for (i = 0; i < conf_upstream_table.nkeys; i++)
		if (strcmp(upstream_keys[i].name, key) == 0)
			return &up->origin[i];
	return NULL;
}

const char *
upstream_section(const struct upstream *up, char *buf, size_t len)
{
	if (strcmp(up->name, "default") == 0)
		snprintf(buf, len, "[upstream]");
	else
		snprintf(buf, len, "[upstream.%s]", up->name);
	return buf;
}
