/* SPDX-License-Identifier: MIT */
/*
 * conf.c - mailhop.conf: INI text read with inih into one struct config.
 *
 * inih 55 as Debian builds it gives the handler no line number, cuts lines
 * at 200 bytes without saying so, ends a value at " ;" and lets an
 * indented line continue the previous value.  So the text goes to inih
 * through our own reader: it counts lines (every error names file:line),
 * refuses a long line instead of letting it be cut, refuses control bytes,
 * and notes whether a line is indented, so that the handler can tell a
 * continuation from a duplicate key.  Nothing here exits or prints.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <limits.h>
#include <netdb.h>
#include <pwd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "addr.h"
#include "buf.h"
#include "conf.h"
#include "err.h"
#include "xmem.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

#define CONF_VALUE_MAX	4096		/* a value joined from continuations */
#define CONF_DURATION_MAX (10L * 366 * 86400)
#define CONF_SIZE_MAX	(1ULL << 40)
#define CONF_SHOW_MAX	60		/* bytes of a bad value quoted back */

struct conf_cache {
	char	*fqdn;		/* the host's name, looked up on first use */
	char	*domain;	/* its domain part */
};

enum ck_type {
	CK_STR, CK_HOST, CK_PATH, CK_SECRET, CK_CMD, CK_BOOL,
	CK_DURATION, CK_SIZE, CK_INT, CK_LONG, CK_ENUM, CK_RETRY, CK_ADDR,
	CK_BOUNCE, CK_PORT
};

/* Keys that name the same credential: a file sets at most one of them. */
enum ck_group { CKG_NONE, CKG_PASSWORD, CKG_OAUTH };

struct conf_key {
	const char		*section;
	const char		*name;
	enum ck_type		 type;
	size_t			 off;	/* offset in struct config */
	size_t			 size;	/* of the field, to restore a default */
	long			 min;	/* for numbers and durations */
	long			 max;
	const char *const	*names;	/* CK_ENUM: value -> name, NULL-ended */
	enum ck_group		 group;
};

static const char *const conf_tls_names[] = { "starttls", "tls", "none", NULL };
static const char *const conf_auth_names[] = {
	"auto", "plain", "login", "cram-md5", "xoauth2", NULL
};
static const char *const conf_deliver_names[] = {
	"background", "foreground", "queue", NULL
};

#define F(f)	offsetof(struct config, f), sizeof(((struct config *)0)->f)
#define DAYS	86400L

/* Every key of mailhop.conf(5), in the order `mailhop config` prints them. */
static const struct conf_key conf_keys[] = {
	{ "upstream", "host", CK_HOST, F(host), 0, 0, NULL, CKG_NONE },
	{ "upstream", "port", CK_PORT, F(port), 1, 65535, NULL, CKG_NONE },
	{ "upstream", "tls", CK_ENUM, F(tls), 0, 0, conf_tls_names, CKG_NONE },
	{ "upstream", "tls_verify", CK_BOOL, F(tls_verify), 0, 0, NULL, CKG_NONE },
	{ "upstream", "ca_file", CK_PATH, F(ca_file), 0, 0, NULL, CKG_NONE },
	{ "upstream", "client_cert", CK_PATH, F(client_cert), 0, 0, NULL, CKG_NONE },
	{ "upstream", "client_key", CK_PATH, F(client_key), 0, 0, NULL, CKG_NONE },
	{ "upstream", "user", CK_STR, F(user), 0, 0, NULL, CKG_NONE },
	{ "upstream", "password", CK_SECRET, F(password), 0, 0, NULL,
	    CKG_PASSWORD },
	{ "upstream", "password_file", CK_PATH, F(password_file), 0, 0, NULL,
	    CKG_PASSWORD },
	{ "upstream", "password_command", CK_CMD, F(password_command), 0, 0,
	    NULL, CKG_PASSWORD },
	{ "upstream", "oauth_token", CK_SECRET, F(oauth_token), 0, 0, NULL,
	    CKG_OAUTH },
	{ "upstream", "oauth_token_command", CK_CMD, F(oauth_token_command),
	    0, 0, NULL, CKG_OAUTH },
	{ "upstream", "auth", CK_ENUM, F(auth), 0, 0, conf_auth_names, CKG_NONE },
	{ "upstream", "helo", CK_HOST, F(helo), 0, 0, NULL, CKG_NONE },
	{ "upstream", "timeout", CK_DURATION, F(timeout), 1, 3600, NULL,
	    CKG_NONE },
	{ "upstream", "allow_plaintext_auth", CK_BOOL, F(allow_plaintext_auth),
	    0, 0, NULL, CKG_NONE },
	{ "sender", "from", CK_ADDR, F(from), 0, 0, NULL, CKG_NONE },
	{ "sender", "domain", CK_HOST, F(domain), 0, 0, NULL, CKG_NONE },
	{ "sender", "force_from", CK_BOOL, F(force_from), 0, 0, NULL, CKG_NONE },
	{ "sender", "bounce_sender", CK_BOUNCE, F(bounce_sender), 0, 0, NULL,
	    CKG_NONE },
	{ "queue", "dir", CK_PATH, F(dir), 0, 0, NULL, CKG_NONE },
	{ "queue", "deliver", CK_ENUM, F(deliver), 0, 0, conf_deliver_names,
	    CKG_NONE },
	{ "queue", "retry", CK_RETRY, F(retry_min), 1, 30 * DAYS, NULL,
	    CKG_NONE },
	{ "queue", "max_age", CK_DURATION, F(max_age), 1, CONF_DURATION_MAX,
	    NULL, CKG_NONE },
	{ "queue", "failed_keep", CK_DURATION, F(failed_keep), 0,
	    CONF_DURATION_MAX, NULL, CKG_NONE },
	{ "queue", "parallel", CK_INT, F(parallel), 1, 64, NULL, CKG_NONE },
	{ "queue", "max_size", CK_SIZE, F(max_size), 1, 0, NULL, CKG_NONE },
	{ "queue", "max_recipients", CK_LONG, F(max_recipients), 1, 1000000,
	    NULL, CKG_NONE },
	{ "queue", "max_header_size", CK_SIZE, F(max_header_size), 1024, 0,
	    NULL, CKG_NONE },
	{ "log", "syslog", CK_BOOL, F(log_syslog), 0, 0, NULL, CKG_NONE },
	{ "log", "file", CK_PATH, F(log_file), 0, 0, NULL, CKG_NONE },
};
#define CONF_NKEYS	(sizeof(conf_keys) / sizeof(conf_keys[0]))

static const char *const conf_sections[] = {
	"upstream", "sender", "aliases", "queue", "log", NULL
};

/* What one parse (one file) carries between inih's calls. */
struct conf_parse {
	struct config		*cfg;
	const char		*name;		/* the file, for messages */
	const char		*data;
	size_t			 len;
	size_t			 off;		/* next unread byte */
	int			 lineno;	/* of the line inih holds */
	int			 indented;	/* it starts with blank space */
	int			 have_prev;	/* inih would continue a value */
	const struct conf_key	*last_key;	/* what a continuation extends */
	char			*last_alias;
	int			 seen[CONF_NKEYS]; /* line a key was set on */
	char			**anames;	/* aliases set in this file */
	int			*alines;
	size_t			 naliases;
	int			 secret_line;	/* password/oauth_token set */
	int			 err_line;	/* first error, 0 if none */
	struct mh_err		 err;
};

static void
conf_defaults(struct config *cfg)
{
	cfg->tls = CONF_TLS_STARTTLS;
	cfg->tls_verify = 1;
	cfg->auth = CONF_AUTH_AUTO;
	cfg->timeout = 60;
	cfg->retry_min = 60;
	cfg->retry_max = 3600;
	cfg->max_age = 5 * DAYS;
	cfg->failed_keep = 7 * DAYS;
	cfg->deliver = CONF_DELIVER_BACKGROUND;
	cfg->parallel = 1;
	cfg->max_size = 64ULL << 20;
	cfg->max_recipients = 10000;
	cfg->max_header_size = 1ULL << 20;
	cfg->log_syslog = 1;
}

void
conf_init(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	conf_defaults(cfg);
	cfg->bounce_sender = xstrdup("");
	cfg->cache = xcalloc(1, sizeof(*cfg->cache));
}

static char **
conf_strp(struct config *cfg, const struct conf_key *k)
{
	return (char **)(void *)((char *)cfg + k->off);
}

static int
conf_key_is_string(const struct conf_key *k)
{
	switch (k->type) {
	case CK_STR: case CK_HOST: case CK_PATH:
	case CK_SECRET: case CK_CMD: case CK_ADDR: case CK_BOUNCE:
		return 1;
	default:
		return 0;
	}
}

static void
conf_str_replace(struct config *cfg, const struct conf_key *k, char *v)
{
	char	**p = conf_strp(cfg, k);

	if (k->type == CK_SECRET)
		xfree_secret(*p);
	else
		free(*p);
	*p = v;
}

void
conf_free(struct config *cfg)
{
	size_t	 i;

	for (i = 0; i < CONF_NKEYS; i++)
		if (conf_key_is_string(&conf_keys[i]))
			conf_str_replace(cfg, &conf_keys[i], NULL);
	for (i = 0; i < cfg->naliases; i++) {
		free(cfg->aliases[i].name);
		free(cfg->aliases[i].value);
		free(cfg->aliases[i].file);
	}
	free(cfg->aliases);
	for (i = 0; i < cfg->nfiles; i++)
		free(cfg->files[i]);
	free(cfg->explicit_path);
	if (cfg->cache != NULL) {
		free(cfg->cache->fqdn);
		free(cfg->cache->domain);
		free(cfg->cache);
	}
	memset(cfg, 0, sizeof(*cfg));
}

/* ---- value parsers ------------------------------------------------ */

static int
conf_parse_ulong(const char **sp, unsigned long long *out)
{
	const char		*s = *sp;
	unsigned long long	 v = 0;

	if (!isdigit((unsigned char)*s))
		return -1;
	for (; isdigit((unsigned char)*s); s++) {
		if (v > (ULLONG_MAX - 9) / 10)
			return -1;
		v = v * 10 + (unsigned long long)(*s - '0');
	}
	*sp = s;
	*out = v;
	return 0;
}

int
conf_parse_duration(const char *s, long *out)
{
	unsigned long long	 n, total = 0, unit;

	if (*s == '\0')
		return -1;
	do {
		if (conf_parse_ulong(&s, &n) == -1)
			return -1;
		switch (*s) {
		case 's': case 'S': unit = 1; s++; break;
		case 'm': case 'M': unit = 60; s++; break;
		case 'h': case 'H': unit = 3600; s++; break;
		case 'd': case 'D': unit = 86400; s++; break;
		case '\0': unit = 1; break;
		default: return -1;
		}
		if (n > (unsigned long long)CONF_DURATION_MAX / unit)
			return -1;
		total += n * unit;
		if (total > (unsigned long long)CONF_DURATION_MAX)
			return -1;
	} while (*s != '\0');
	*out = (long)total;
	return 0;
}

int
conf_parse_size(const char *s, unsigned long long *out)
{
	unsigned long long	 n, unit = 1;

	if (conf_parse_ulong(&s, &n) == -1)
		return -1;
	switch (*s) {
	case 'k': case 'K': unit = 1ULL << 10; s++; break;
	case 'm': case 'M': unit = 1ULL << 20; s++; break;
	case 'g': case 'G': unit = 1ULL << 30; s++; break;
	default: break;
	}
	if (*s != '\0' || n > CONF_SIZE_MAX / unit)
		return -1;
	*out = n * unit;
	return 0;
}

int
conf_parse_bool(const char *s, int *out)
{
	static const char *const yes[] = { "yes", "true", "1", "on", NULL };
	static const char *const no[] = { "no", "false", "0", "off", NULL };
	int	 i;

	for (i = 0; yes[i] != NULL; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

int
conf_parse_retry(const char *s, long *min, long *max)
{
	const char	*dots;
	char		*first;
	long		 a, b;
	int		 rc;

	dots = strstr(s, "..");
	if (dots == NULL) {
		if (conf_parse_duration(s, &a) == -1 || a < 1)
			return -1;
		*min = *max = a;
		return 0;
	}
	first = xstrndup(s, (size_t)(dots - s));
	rc = conf_parse_duration(first, &a);
	free(first);
	if (rc == -1 || conf_parse_duration(dots + 2, &b) == -1 || a < 1 ||
	    b < a)
		return -1;
	*min = a;
	*max = b;
	return 0;
}

static int
conf_parse_long(const char *s, long min, long max, long *out)
{
	unsigned long long	 v;

	if (conf_parse_ulong(&s, &v) == -1 || *s != '\0' ||
	    v < (unsigned long long)min || v > (unsigned long long)max)
		return -1;
	*out = (long)v;
	return 0;
}

/* ---- errors ------------------------------------------------------- */

/* Record the parse's first error, prefixed FILE:LINE; inih wants 0 back. */
static int
conf_fail(struct conf_parse *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
conf_fail(struct conf_parse *p, const char *fmt, ...)
{
	char	 msg[MH_ERR_MSG];
	va_list	 ap;

	if (p->err_line != 0)
		return 0;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mh_err_set(&p->err, EX_CONFIG, "%s:%d: %s", p->name, p->lineno, msg);
	p->err_line = p->lineno;
	return 0;
}

/* A bad value is quoted back, unless it is a secret. */
static int
conf_bad(struct conf_parse *p, const struct conf_key *k, const char *value,
    const char *expect)
{
	if (k->type == CK_SECRET)
		return conf_fail(p, "bad value for \"%s\" in [%s]: %s",
		    k->name, k->section, expect);
	return conf_fail(p, "bad value \"%.*s%s\" for \"%s\" in [%s]: "
	    "expected %s", CONF_SHOW_MAX, value,
	    strlen(value) > CONF_SHOW_MAX ? "..." : "", k->name, k->section,
	    expect);
}

/* ---- setters ------------------------------------------------------ */

static const char *
conf_home(void)
{
	const char	*home;
	struct passwd	*pw;

	home = getenv("HOME");
	if (home != NULL && home[0] == '/')
		return home;
	pw = getpwuid(getuid());
	if (pw != NULL && pw->pw_dir != NULL && pw->pw_dir[0] == '/')
		return pw->pw_dir;
	return NULL;
}

/* "~" and "~/..." from $HOME; anything else must be absolute. */
static int
conf_set_path(struct conf_parse *p, const struct conf_key *k, const char *v)
{
	const char	*home;

	if (v[0] == '~' && (v[1] == '/' || v[1] == '\0')) {
		home = conf_home();
		if (home == NULL)
			return conf_fail(p, "cannot expand \"~\" in \"%s\": "
			    "HOME is not set", k->name);
		conf_str_replace(p->cfg, k, xasprintf("%s%s", home, v + 1));
		return 1;
	}
	if (v[0] != '/')
		return conf_bad(p, k, v, "an absolute path or one that "
		    "starts with ~/");
	conf_str_replace(p->cfg, k, xstrdup(v));
	return 1;
}

static int
conf_has_space(const char *s)
{
	for (; *s != '\0'; s++)
		if (isspace((unsigned char)*s))
			return 1;
	return 0;
}

/* A host or domain name goes into a URL and into EHLO: no URL syntax. */
static int
conf_set_host(struct conf_parse *p, const struct conf_key *k, const char *v)
{
	if (conf_has_space(v) || strpbrk(v, "/?#@\\\"'<>,;") != NULL)
		return conf_bad(p, k, v, "a host name");
	conf_str_replace(p->cfg, k, xstrdup(v));
	return 1;
}

/* An envelope address; addr.c checks it fully where it is used. */
static int
conf_check_addr(const char *v)
{
	return conf_has_space(v) || strpbrk(v, "<>\"(),;") != NULL ? -1 : 0;
}

static int
conf_set_addr(struct conf_parse *p, const struct conf_key *k, const char *v)
{
	char	*s;
	size_t	 n = strlen(v);

	if (k->type == CK_BOUNCE && addr_null_spelled(v)) {
		conf_str_replace(p->cfg, k, xstrdup(""));
		return 1;
	}
	/* <addr> is accepted for addr: the brackets are not kept. */
	if (n >= 2 && v[0] == '<' && v[n - 1] == '>')
		s = xstrndup(v + 1, n - 2);
	else
		s = xstrdup(v);
	if (conf_check_addr(s) == -1) {
		free(s);
		return conf_bad(p, k, v, k->type == CK_BOUNCE ?
		    "an address (user@domain or a bare name) or <>" :
		    "an address (user@domain or a bare name)");
	}
	conf_str_replace(p->cfg, k, s);
	return 1;
}

static int
conf_set_enum(struct conf_parse *p, const struct conf_key *k, const char *v)
{
	char	 expect[128];
	int	 i;

	for (i = 0; k->names[i] != NULL; i++)
		if (strcasecmp(v, k->names[i]) == 0) {
			*(int *)(void *)((char *)p->cfg + k->off) = i;
			return 1;
		}
	expect[0] = '\0';
	for (i = 0; k->names[i] != NULL; i++) {
		strncat(expect, i == 0 ? "" : " | ",
		    sizeof(expect) - strlen(expect) - 1);
		strncat(expect, k->names[i], sizeof(expect) - strlen(expect) - 1);
	}
	return conf_bad(p, k, v, expect);
}

static int
conf_set_number(struct conf_parse *p, const struct conf_key *k,
    const char *v)
{
	char		 expect[96];
	void		*f = (char *)p->cfg + k->off;
	long		 n;
	unsigned long long sz;

	switch (k->type) {
	case CK_BOOL:
		if (conf_parse_bool(v, f) == -1)
			return conf_bad(p, k, v, "yes or no");
		return 1;
	case CK_SIZE:
		if (conf_parse_size(v, &sz) == -1 ||
		    sz < (unsigned long long)k->min)
			return conf_bad(p, k, v, k->min > 1 ?
			    "a size of at least 1K (K, M or G)" :
			    "a size (a number with K, M or G)");
		*(unsigned long long *)f = sz;
		return 1;
	case CK_DURATION:
		if (conf_parse_duration(v, &n) == -1 || n < k->min ||
		    n > k->max) {
			snprintf(expect, sizeof(expect), "a duration (s, m, h, "
			    "d) from %lds to %lds", k->min, k->max);
			return conf_bad(p, k, v, expect);
		}
		*(long *)f = n;
		return 1;
	case CK_RETRY:
		if (conf_parse_retry(v, &p->cfg->retry_min,
		    &p->cfg->retry_max) == -1 || p->cfg->retry_max > k->max)
			return conf_bad(p, k, v, "FIRST..CAP, two durations "
			    "with FIRST <= CAP <= 30d (e.g. 1m..1h)");
		return 1;
	default:
		break;
	}
	if (conf_parse_long(v, k->min, k->max, &n) == -1) {
		snprintf(expect, sizeof(expect), "a number from %ld to %ld",
		    k->min, k->max);
		return conf_bad(p, k, v, expect);
	}
	if (k->type == CK_LONG)
		*(long *)f = n;
	else
		*(int *)f = (int)n;
	return 1;
}

/* An empty value restores the key's default. */
static void
conf_set_default(struct config *cfg, const struct conf_key *k)
{
	struct config	 def;

	if (k->type == CK_BOUNCE) {
		conf_str_replace(cfg, k, xstrdup(""));
		return;
	}
	if (conf_key_is_string(k)) {
		conf_str_replace(cfg, k, NULL);
		return;
	}
	memset(&def, 0, sizeof(def));
	conf_defaults(&def);
	memcpy((char *)cfg + k->off, (char *)&def + k->off, k->size);
	if (k->type == CK_RETRY)
		cfg->retry_max = def.retry_max;
}

/*
 * password, password_file and password_command are one choice (so are
 * oauth_token and its command): two in one file is an error; a later file
 * that makes the choice replaces an earlier file's.
 */
static int
conf_set_group(struct conf_parse *p, const struct conf_key *k)
{
	size_t	 i;

	for (i = 0; i < CONF_NKEYS; i++) {
		if (conf_keys[i].group != k->group || &conf_keys[i] == k)
			continue;
		if (p->seen[i] != 0 && *conf_strp(p->cfg, &conf_keys[i]))
			return conf_fail(p, "\"%s\" and \"%s\" (line %d) are "
			    "both set in [%s]: keep one", k->name,
			    conf_keys[i].name, p->seen[i], k->section);
		conf_str_replace(p->cfg, &conf_keys[i], NULL);
	}
	return 1;
}

static int
conf_apply(struct conf_parse *p, const struct conf_key *k, const char *v)
{
	if (k->group != CKG_NONE && *v != '\0' && conf_set_group(p, k) == 0)
		return 0;
	if (*v == '\0') {
		conf_set_default(p->cfg, k);
		return 1;
	}
	switch (k->type) {
	case CK_SECRET:
		p->secret_line = p->lineno;
		/* FALLTHROUGH */
	case CK_STR:
	case CK_CMD:
		conf_str_replace(p->cfg, k, xstrdup(v));
		return 1;
	case CK_HOST:
		return conf_set_host(p, k, v);
	case CK_PATH:
		return conf_set_path(p, k, v);
	case CK_ADDR:
	case CK_BOUNCE:
		return conf_set_addr(p, k, v);
	case CK_ENUM:
		return conf_set_enum(p, k, v);
	default:
		return conf_set_number(p, k, v);
	}
}

/* ---- [aliases] ---------------------------------------------------- */

/* conf_alias_find() for the loader, which may still change the entry. */
static struct conf_alias *
conf_alias_lookup(struct config *cfg, const char *name)
{
	return (struct conf_alias *)conf_alias_find(cfg, name);
}

static void
conf_alias_remove(struct config *cfg, struct conf_alias *a)
{
	size_t	 i = (size_t)(a - cfg->aliases);

	free(a->name);
	free(a->value);
	free(a->file);
	memmove(a, a + 1, (cfg->naliases - i - 1) * sizeof(*a));
	cfg->naliases--;
}

static void
conf_alias_put(struct conf_parse *p, const char *name, char *value, int line)
{
	struct config		*cfg = p->cfg;
	struct conf_alias	*a;
	char			*s;

	a = conf_alias_lookup(cfg, name);
	if (a == NULL) {
		cfg->aliases = xreallocarray(cfg->aliases, cfg->naliases + 1,
		    sizeof(*cfg->aliases));
		a = &cfg->aliases[cfg->naliases++];
		a->name = xstrdup(name);
		for (s = a->name; *s != '\0'; s++)
			*s = (char)tolower((unsigned char)*s);
	} else {
		free(a->value);
		free(a->file);
	}
	a->value = value;
	a->file = xstrdup(p->name);
	a->line = line;
}

/* A bare local name: RFC 5322 atext and dots. */
static int
conf_alias_name_ok(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) &&
		    strchr("!#$%&'*+-/=?^_`{|}~.", *s) == NULL)
			return 0;
	return 1;
}

static int
conf_set_alias(struct conf_parse *p, const char *name, const char *value)
{
	struct conf_alias	*a;
	size_t			 i;

	if (!conf_alias_name_ok(name))
		return conf_fail(p, "bad alias name \"%.*s\" in [aliases]: "
		    "expected a bare local name", CONF_SHOW_MAX, name);
	for (i = 0; i < p->naliases; i++)
		if (strcasecmp(p->anames[i], name) == 0)
			return conf_fail(p, "duplicate alias \"%s\" in "
			    "[aliases] (first set on line %d)", name,
			    p->alines[i]);
	p->anames = xreallocarray(p->anames, p->naliases + 1, sizeof(char *));
	p->alines = xreallocarray(p->alines, p->naliases + 1, sizeof(int));
	p->anames[p->naliases] = xstrdup(name);
	p->alines[p->naliases++] = p->lineno;
	free(p->last_alias);
	p->last_alias = xstrdup(name);
	if (*value == '\0') {
		/* Empty: drop what an earlier file said. */
		a = conf_alias_lookup(p->cfg, name);
		if (a != NULL)
			conf_alias_remove(p->cfg, a);
		return 1;
	}
	conf_alias_put(p, name, xstrdup(value), p->lineno);
	return 1;
}

/* ---- the inih handler and reader ---------------------------------- */

static char *
conf_join(const char *old, const char *more)
{
	if (old == NULL || *old == '\0')
		return xstrdup(more);
	return xasprintf("%s %s", old, more);
}

/*
 * An indented line after a key continues its value (inih's multi-line
 * mode).  That is welcome in an alias list or a long command, and joined
 * with one space; anywhere else it is almost surely a stray indent.
 */
static int
conf_continue(struct conf_parse *p, const char *section, const char *name,
    const char *value)
{
	struct conf_alias	*a;
	char			**sp;
	char			*s;

	if (p->last_alias != NULL) {
		a = conf_alias_lookup(p->cfg, p->last_alias);
		s = conf_join(a != NULL ? a->value : NULL, value);
		if (strlen(s) > CONF_VALUE_MAX) {
			free(s);
			return conf_fail(p, "alias \"%s\" is longer than %d "
			    "bytes", p->last_alias, CONF_VALUE_MAX);
		}
		conf_alias_put(p, p->last_alias, s, a != NULL ? a->line :
		    p->lineno);
		return 1;
	}
	if (p->last_key == NULL || p->last_key->type != CK_CMD)
		return conf_fail(p, "indented line continues \"%s\" in [%s]; "
		    "only alias lists and commands may continue on an "
		    "indented line", name, section);
	sp = conf_strp(p->cfg, p->last_key);
	s = conf_join(*sp, value);
	if (strlen(s) > CONF_VALUE_MAX) {
		free(s);
		return conf_fail(p, "\"%s\" is longer than %d bytes", name,
		    CONF_VALUE_MAX);
	}
	conf_str_replace(p->cfg, p->last_key, s);
	return 1;
}

static const struct conf_key *
conf_key_find(const char *section, const char *name)
{
	size_t	 i;

	for (i = 0; i < CONF_NKEYS; i++)
		if (strcmp(conf_keys[i].section, section) == 0 &&
		    strcmp(conf_keys[i].name, name) == 0)
			return &conf_keys[i];
	return NULL;
}

static int
conf_handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct conf_parse	*p = user;
	const struct conf_key	*k;
	size_t			 i;

	if (p->err_line != 0)
		return 0;
	if (p->indented && p->have_prev)
		return conf_continue(p, section, name, value);
	p->have_prev = 1;
	p->last_key = NULL;
	free(p->last_alias);
	p->last_alias = NULL;
	if (*section == '\0')
		return conf_fail(p, "key \"%s\" is outside any [section]",
		    name);
	if (strcmp(section, "aliases") == 0)
		return conf_set_alias(p, name, value);
	k = conf_key_find(section, name);
	if (k == NULL)
		return conf_fail(p, "unknown key \"%s\" in [%s]", name,
		    section);
	i = (size_t)(k - conf_keys);
	if (p->seen[i] != 0)
		return conf_fail(p, "duplicate key \"%s\" in [%s] (first set "
		    "on line %d)", name, section, p->seen[i]);
	p->seen[i] = p->lineno;
	p->last_key = k;
	return conf_apply(p, k, value);
}

/*
 * A "[section]" line as inih reads it: up to "]", where " ;" would start
 * a comment first.  Unknown sections are refused here, because inih calls
 * no handler for a section without keys.
 */
static void
conf_reader_section(struct conf_parse *p, const char *s, size_t n)
{
	size_t	 i;
	int	 was_space = 0, k;

	for (i = 1; i < n && s[i] != ']'; i++) {
		if (was_space && s[i] == ';')
			return;			/* inih: syntax error */
		was_space = isspace((unsigned char)s[i]);
	}
	if (i >= n)
		return;
	for (k = 0; conf_sections[k] != NULL; k++)
		if (strlen(conf_sections[k]) == i - 1 &&
		    memcmp(conf_sections[k], s + 1, i - 1) == 0)
			break;
	if (conf_sections[k] == NULL) {
		conf_fail(p, "unknown section [%.*s]", (int)(i - 1 >
		    CONF_SHOW_MAX ? CONF_SHOW_MAX : i - 1), s + 1);
		return;
	}
	for (i++; i < n && isspace((unsigned char)s[i]); i++)
		;
	if (i < n && s[i] != ';' && s[i] != '#')
		conf_fail(p, "text after [%s]", conf_sections[k]);
	p->have_prev = 0;
}

/*
 * inih 55 ends a value at " ;" but not a continued one (later releases
 * do): cut the comment here so that both read the same.
 */
static void
conf_reader_strip_comment(char *s)
{
	int	 was_space = 0;

	for (; *s != '\0'; s++) {
		if (was_space && *s == ';') {
			*s = '\0';
			return;
		}
		was_space = isspace((unsigned char)*s);
	}
}

/* Note what inih will make of the line in str (ours to change). */
static void
conf_reader_classify(struct conf_parse *p, char *s, size_t n)
{
	size_t	 i = 0;

	if (p->lineno == 1 && n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		i = 3;				/* inih skips a BOM */
	p->indented = i < n && (s[i] == ' ' || s[i] == '\t');
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i == n || s[i] == ';' || s[i] == '#')
		return;				/* blank or comment */
	if (p->indented && p->have_prev) {
		conf_reader_strip_comment(s + i);
		return;				/* a continuation */
	}
	if (s[i] == '[')
		conf_reader_section(p, s + i, n - i);
}

/* fgets(3) for inih, over memory: one whole line or an error. */
static char *
conf_reader(char *str, int num, void *stream)
{
	struct conf_parse	*p = stream;
	const char		*line, *nl;
	size_t			 n, i, max;

	if (p->err_line != 0 || p->off >= p->len)
		return NULL;
	line = p->data + p->off;
	nl = memchr(line, '\n', p->len - p->off);
	n = nl != NULL ? (size_t)(nl - line) : p->len - p->off;
	p->off += n + (nl != NULL);
	p->lineno++;
	if (n > 0 && line[n - 1] == '\r')
		n--;
	for (i = 0; i < n; i++)
		if (((unsigned char)line[i] < 0x20 && line[i] != '\t') ||
		    line[i] == 0x7f) {
			conf_fail(p, "control character (byte 0x%02x) in line",
			    (unsigned char)line[i]);
			return NULL;
		}
	max = (size_t)num - 3 < CONF_LINE_MAX ? (size_t)num - 3 :
	    CONF_LINE_MAX;
	if (num < 4 || n > max) {
		conf_fail(p, "line longer than %zu bytes (for a longer "
		    "value see mailhop.conf(5))", max);
		return NULL;
	}
	memcpy(str, line, n);
	str[n] = '\0';
	conf_reader_classify(p, str, n);
	return p->err_line != 0 ? NULL : str;
}

static void
conf_parse_free(struct conf_parse *p)
{
	size_t	 i;

	for (i = 0; i < p->naliases; i++)
		free(p->anames[i]);
	free(p->anames);
	free(p->alines);
	free(p->last_alias);
}

/* Parse text into cfg; *secret_line is where a secret was set (or 0). */
static int
conf_parse_text(struct config *cfg, const char *name, const char *data,
    size_t len, int *secret_line, struct mh_err *err)
{
	struct conf_parse	 p;
	int			 rc;

	memset(&p, 0, sizeof(p));
	p.cfg = cfg;
	p.name = name;
	p.data = data;
	p.len = len;
	rc = ini_parse_stream(conf_reader, &p, conf_handler, &p);
	conf_parse_free(&p);
	if (rc > 0 && (p.err_line == 0 || rc < p.err_line))
		return mh_err_set(err, EX_CONFIG, "%s:%d: syntax error: "
		    "expected [section], key = value or a comment", name, rc);
	if (p.err_line != 0) {
		if (err != NULL)
			*err = p.err;
		return -1;
	}
	if (rc != 0)
		return mh_err_set(err, EX_SOFTWARE, "%s: inih failed (%d)",
		    name, rc);
	if (secret_line != NULL)
		*secret_line = p.secret_line;
	return 0;
}

int
conf_load_buffer(struct config *cfg, const char *name, const char *data,
    size_t len, struct mh_err *err)
{
	return conf_parse_text(cfg, name, data, len, NULL, err);
}

/* ---- files -------------------------------------------------------- */

enum conf_src { CONF_SRC_DEFAULT, CONF_SRC_FILE, CONF_SRC_CLI, CONF_SRC_ENV };

static const char *
conf_src_label(enum conf_src src)
{
	return src == CONF_SRC_CLI ? "-C " : src == CONF_SRC_ENV ?
	    "MAILHOP_CONFIG=" : "";
}

/* The checks on an opened file.  -C and MAILHOP_CONFIG refuse with 64. */
static int
conf_check_file(int fd, const char *path, enum conf_src src,
    struct stat *st, struct mh_err *err)
{
	int	 code;

	code = src == CONF_SRC_CLI || src == CONF_SRC_ENV ? EX_USAGE :
	    EX_CONFIG;
	if (fstat(fd, st) == -1)
		return mh_err_errno(err, EX_CONFIG, "%s", path);
	if (!S_ISREG(st->st_mode))
		return mh_err_set(err, src == CONF_SRC_DEFAULT ? EX_CONFIG :
		    EX_NOINPUT, "%s: not a regular file", path);
	if (st->st_uid != getuid() && st->st_uid != 0)
		return mh_err_set(err, code, "%s%s: refused: owned by uid %lu, "
		    "not by you or root", conf_src_label(src), path,
		    (unsigned long)st->st_uid);
	if (st->st_mode & S_IWOTH)
		return mh_err_set(err, EX_CONFIG, "%s: refused: writable by "
		    "others", path);
	return 0;
}

static int
conf_read_fd(int fd, const char *path, char **data, size_t *len,
    struct mh_err *err)
{
	struct buf	 b;
	char		 chunk[8192];
	ssize_t		 n;

	buf_init(&b, CONF_FILE_MAX);
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			buf_free(&b);
			return mh_err_errno(err, EX_CONFIG, "%s", path);
		}
		if (n == 0)
			break;
		if (buf_add(&b, chunk, (size_t)n) == -1) {
			buf_free(&b);
			return mh_err_set(err, EX_CONFIG, "%s: larger than "
			    "%d bytes", path, CONF_FILE_MAX);
		}
	}
	*len = b.len;
	*data = b.data != NULL ? b.data : xstrdup("");
	return 0;
}

/* 1: missing default file, skipped; 0: applied; -1: error. */
static int
conf_load_one(struct config *cfg, const char *path, enum conf_src src,
    struct mh_err *err)
{
	struct stat	 st;
	char		*data = NULL;
	size_t		 len = 0;
	int		 fd, secret = 0, rc = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1 && errno == ENOENT && src == CONF_SRC_DEFAULT)
		return 1;
	if (fd == -1)
		return mh_err_errno(err, src == CONF_SRC_DEFAULT ? EX_CONFIG :
		    EX_NOINPUT, "%s", path);
	if (conf_check_file(fd, path, src, &st, err) == -1 ||
	    conf_read_fd(fd, path, &data, &len, err) == -1 ||
	    conf_parse_text(cfg, path, data, len, &secret, err) == -1)
		goto done;
	if (secret != 0 && (st.st_mode & (S_IRGRP | S_IROTH))) {
		mh_err_set(err, EX_CONFIG, "%s:%d: a secret is set in a file "
		    "that group or others can read (chmod 600 %s)", path,
		    secret, path);
		goto done;
	}
	if (cfg->nfiles < sizeof(cfg->files) / sizeof(cfg->files[0]))
		cfg->files[cfg->nfiles++] = xstrdup(path);
	rc = 0;
done:
	if (data != NULL) {
		explicit_bzero(data, len);
		free(data);
	}
	close(fd);
	return rc;
}

int
conf_load_file(struct config *cfg, const char *path, struct mh_err *err)
{
	return conf_load_one(cfg, path, CONF_SRC_FILE, err);
}

/* $XDG_CONFIG_HOME/mailhop/mailhop.conf, else ~/.config/mailhop/... */
static char *
conf_user_path(void)
{
	const char	*xdg, *home;

	xdg = getenv("XDG_CONFIG_HOME");
	if (xdg != NULL && xdg[0] == '/')
		return xasprintf("%s/mailhop/mailhop.conf", xdg);
	home = conf_home();
	if (home == NULL)
		return NULL;
	return xasprintf("%s/.config/mailhop/mailhop.conf", home);
}

static int
conf_load_explicit(struct config *cfg, const char *path, enum conf_src src,
    struct mh_err *err)
{
	/*
	 * A set-id caller (a web server's helper, say) must not let its
	 * user pick a file that can run password_command.
	 */
	if (getuid() != geteuid() || getgid() != getegid())
		return mh_err_set(err, EX_USAGE, "%s%s: refused: real and "
		    "effective user or group differ", conf_src_label(src),
		    path);
	if (conf_load_one(cfg, path, src, err) == -1)
		return -1;
	cfg->explicit_path = xstrdup(path);
	return 0;
}

int
conf_load(struct config *cfg, const char *path, int from_cli,
    struct mh_err *err)
{
	const char	*env;
	char		*user;
	int		 rc;

	if (path != NULL)
		return conf_load_explicit(cfg, path, from_cli ? CONF_SRC_CLI :
		    CONF_SRC_ENV, err);
	env = getenv("MAILHOP_CONFIG");
	if (env != NULL && *env != '\0')
		return conf_load_explicit(cfg, env, CONF_SRC_ENV, err);
	if (conf_load_one(cfg, SYSCONFDIR "/mailhop.conf", CONF_SRC_DEFAULT,
	    err) == -1)
		return -1;
	user = conf_user_path();
	if (user == NULL)
		return 0;
	rc = conf_load_one(cfg, user, CONF_SRC_DEFAULT, err);
	free(user);
	return rc == -1 ? -1 : 0;
}

/* ---- effective values --------------------------------------------- */

int
conf_port(const struct config *cfg)
{
	if (cfg->port != 0)
		return cfg->port;
	switch (cfg->tls) {
	case CONF_TLS_IMPLICIT:
		return 465;
	case CONF_TLS_NONE:
		return 25;
	default:
		return 587;
	}
}

static int
conf_hostname_ok(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '.' && *s != '-')
			return 0;
	return 1;
}

/* The host's FQDN: a dotted host name as is, else its canonical name. */
static char *
conf_lookup_fqdn(void)
{
	char		 host[256];
	struct addrinfo	 hints, *res = NULL;
	char		*fqdn = NULL;

	if (gethostname(host, sizeof(host)) == -1)
		return xstrdup("localhost");
	host[sizeof(host) - 1] = '\0';
	if (!conf_hostname_ok(host))
		return xstrdup("localhost");
	if (strchr(host, '.') != NULL)
		return xstrdup(host);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_CANONNAME;
	if (getaddrinfo(host, NULL, &hints, &res) == 0 && res != NULL &&
	    res->ai_canonname != NULL && strchr(res->ai_canonname, '.') &&
	    conf_hostname_ok(res->ai_canonname))
		fqdn = xstrdup(res->ai_canonname);
	if (res != NULL)
		freeaddrinfo(res);
	return fqdn != NULL ? fqdn : xstrdup(host);
}

static const char *
conf_fqdn(const struct config *cfg)
{
	if (cfg->cache == NULL)
		return "localhost";
	if (cfg->cache->fqdn == NULL)
		cfg->cache->fqdn = conf_lookup_fqdn();
	return cfg->cache->fqdn;
}

const char *
conf_domain(const struct config *cfg)
{
	const char	*fqdn, *dot;

	if (cfg->domain != NULL && *cfg->domain != '\0')
		return cfg->domain;
	fqdn = conf_fqdn(cfg);
	if (cfg->cache == NULL)
		return fqdn;
	if (cfg->cache->domain == NULL) {
		dot = strchr(fqdn, '.');
		cfg->cache->domain = xstrdup(dot != NULL && dot[1] != '\0' ?
		    dot + 1 : fqdn);
	}
	return cfg->cache->domain;
}

const char *
conf_helo(const struct config *cfg)
{
	if (cfg->helo != NULL && *cfg->helo != '\0')
		return cfg->helo;
	return conf_fqdn(cfg);
}

const struct conf_alias *
conf_alias_find(const struct config *cfg, const char *name)
{
	size_t	 i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < cfg->naliases; i++)
		if (strcasecmp(cfg->aliases[i].name, name) == 0)
			return &cfg->aliases[i];
	return NULL;
}

/* ---- conf_print --------------------------------------------------- */

/* 90 -> "90s", 3600 -> "1h": the largest unit that divides evenly. */
static void
conf_fmt_duration(char *out, size_t len, long v)
{
	if (v != 0 && v % 86400 == 0)
		snprintf(out, len, "%ldd", v / 86400);
	else if (v != 0 && v % 3600 == 0)
		snprintf(out, len, "%ldh", v / 3600);
	else if (v != 0 && v % 60 == 0)
		snprintf(out, len, "%ldm", v / 60);
	else
		snprintf(out, len, "%lds", v);
}

static void
conf_fmt_size(char *out, size_t len, unsigned long long v)
{
	if (v != 0 && v % (1ULL << 30) == 0)
		snprintf(out, len, "%lluG", v >> 30);
	else if (v != 0 && v % (1ULL << 20) == 0)
		snprintf(out, len, "%lluM", v >> 20);
	else if (v != 0 && v % (1ULL << 10) == 0)
		snprintf(out, len, "%lluK", v >> 10);
	else
		snprintf(out, len, "%llu", v);
}

static void
conf_fmt_string(const struct config *cfg, const struct conf_key *k,
    char *out, size_t len)
{
	const char	*s = *conf_strp((struct config *)cfg, k);

	if (k->type == CK_SECRET)
		snprintf(out, len, "%s", s != NULL ? "********" : "");
	else if (k->type == CK_BOUNCE)
		snprintf(out, len, "%s", addr_show(s));
	else if (strcmp(k->name, "helo") == 0)
		snprintf(out, len, "%s", conf_helo(cfg));
	else if (strcmp(k->name, "domain") == 0)
		snprintf(out, len, "%s", conf_domain(cfg));
	else
		snprintf(out, len, "%s", s != NULL ? s : "");
}

static void
conf_fmt_value(const struct config *cfg, const struct conf_key *k,
    char *out, size_t len)
{
	const char	*f = (const char *)cfg + k->off;
	char		 a[32], b[32];

	switch (k->type) {
	case CK_BOOL:
		snprintf(out, len, "%s", *(const int *)f ? "yes" : "no");
		break;
	case CK_PORT:
		snprintf(out, len, "%d", conf_port(cfg));
		break;
	case CK_INT:
		snprintf(out, len, "%d", *(const int *)f);
		break;
	case CK_LONG:
		snprintf(out, len, "%ld", *(const long *)f);
		break;
	case CK_ENUM:
		snprintf(out, len, "%s", k->names[*(const int *)f]);
		break;
	case CK_DURATION:
		conf_fmt_duration(out, len, *(const long *)f);
		break;
	case CK_SIZE:
		conf_fmt_size(out, len, *(const unsigned long long *)f);
		break;
	case CK_RETRY:
		conf_fmt_duration(a, sizeof(a), cfg->retry_min);
		conf_fmt_duration(b, sizeof(b), cfg->retry_max);
		snprintf(out, len, "%s..%s", a, b);
		break;
	default:
		conf_fmt_string(cfg, k, out, len);
		break;
	}
}

static int
conf_print_files(const struct config *cfg, struct buf *b)
{
	size_t	 i;
	int	 rc = 0;

	if (cfg->nfiles == 0)
		return buf_adds(b, "# no configuration file was read: "
		    "built-in defaults\n");
	rc |= buf_adds(b, "# files read:");
	for (i = 0; i < cfg->nfiles; i++)
		rc |= buf_addf(b, " %s", cfg->files[i]);
	rc |= buf_adds(b, "\n# secrets are shown as ********\n");
	return rc;
}

static int
conf_print_aliases(const struct config *cfg, struct buf *b)
{
	size_t	 i;
	int	 rc;

	rc = buf_adds(b, "\n[aliases]\n");
	for (i = 0; i < cfg->naliases; i++)
		rc |= buf_addf(b, "%s = %s\n", cfg->aliases[i].name,
		    cfg->aliases[i].value);
	return rc;
}

int
conf_print(const struct config *cfg, struct buf *b)
{
	const char	*section = "";
	char		 v[CONF_VALUE_MAX + 64];
	size_t		 i;
	int		 rc;

	rc = conf_print_files(cfg, b);
	for (i = 0; i < CONF_NKEYS; i++) {
		if (strcmp(section, conf_keys[i].section) != 0) {
			/* [aliases] sits between [sender] and [queue]. */
			if (strcmp(section, "sender") == 0)
				rc |= conf_print_aliases(cfg, b);
			section = conf_keys[i].section;
			rc |= buf_addf(b, "\n[%s]\n", section);
		}
		conf_fmt_value(cfg, &conf_keys[i], v, sizeof(v));
		rc |= buf_addf(b, "%s =%s%s\n", conf_keys[i].name,
		    v[0] != '\0' ? " " : "", v);
	}
	return rc == 0 ? 0 : -1;
}
