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
 *
 * Keys are table-driven (conf_key.h): conf_keys[] below for [sender],
 * [queue] and [log], upstream.c's table for every upstream section.  Each
 * key's origin (layer, file, line) is kept beside its value; "set in this
 * file" (for duplicates) is an origin that points at this load's name.
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
#include "conf_key.h"
#include "err.h"
#include "route.h"
#include "xmem.h"

#define CONF_VALUE_MAX	4096		/* a value joined from continuations */
#define CONF_SHOW_MAX	60		/* bytes of a bad value quoted back */

static const char *const conf_deliver_names[] = {
	"background", "foreground", "queue", NULL
};
static const char *const conf_log_format_names[] = { "text", "json", NULL };

#define F(f)	offsetof(struct config, f), sizeof(((struct config *)0)->f)

/* The keys of [sender], [queue] and [log], in the order they print. */
static const struct conf_key conf_keys[] = {
	{ "sender", "from", CK_ADDR, F(from), 0, 0, NULL, CKG_NONE },
	{ "sender", "domain", CK_HOST, F(domain), 0, 0, NULL, CKG_NONE },
	{ "sender", "force_from", CK_BOOL, F(force_from), 0, 0, NULL, CKG_NONE },
	{ "sender", "bounce_sender", CK_BOUNCE, F(bounce_sender), 0, 0, NULL,
	    CKG_NONE },
	{ "queue", "dir", CK_PATH, F(dir), 0, 0, NULL, CKG_NONE },
	{ "queue", "deliver", CK_ENUM, F(deliver), 0, 0, conf_deliver_names,
	    CKG_NONE },
	{ "queue", "retry", CK_RETRY, F(retry_min), 1, 30 * CONF_DAYS, NULL,
	    CKG_NONE },
	{ "queue", "max_age", CK_DURATION, F(max_age), 1, CONF_DURATION_MAX,
	    NULL, CKG_NONE },
	{ "queue", "failed_keep", CK_DURATION, F(failed_keep), 0,
	    CONF_DURATION_MAX, NULL, CKG_NONE },
	{ "queue", "linger", CK_DURATION, F(linger), 0, 30 * CONF_DAYS, NULL,
	    CKG_NONE },
	{ "queue", "parallel", CK_INT, F(parallel), 1, 64, NULL, CKG_NONE },
	{ "queue", "max_size", CK_SIZE, F(max_size), 1, 0, NULL, CKG_NONE },
	{ "queue", "max_recipients", CK_LONG, F(max_recipients), 1, 1000000,
	    NULL, CKG_NONE },
	{ "queue", "max_header_size", CK_SIZE, F(max_header_size), 1024, 0,
	    NULL, CKG_NONE },
	{ "log", "syslog", CK_BOOL, F(log_syslog), 0, 0, NULL, CKG_NONE },
	{ "log", "file", CK_LOGFILE, F(log_file), 0, 0, NULL, CKG_NONE },
	{ "log", "format", CK_ENUM, F(log_format), 0, 0, conf_log_format_names,
	    CKG_NONE },
};

static void
conf_defaults(void *base)
{
	struct config	*cfg = base;

	cfg->retry_min = 60;
	cfg->retry_max = 3600;
	cfg->max_age = 5 * CONF_DAYS;
	cfg->failed_keep = 7 * CONF_DAYS;
	cfg->linger = 3600;
	cfg->deliver = CONF_DELIVER_BACKGROUND;
	cfg->parallel = 1;
	cfg->max_size = 64ULL << 20;
	cfg->max_recipients = 10000;
	cfg->max_header_size = 1ULL << 20;
	cfg->log_syslog = 1;
}

const struct conf_table conf_global_table = {
	conf_keys, sizeof(conf_keys) / sizeof(conf_keys[0]), conf_defaults
};

/* Sections that only delivery reads: a mistake there does not stop queueing. */
enum conf_sect {
	SECT_NONE, SECT_SENDER, SECT_ALIASES, SECT_QUEUE,	/* fatal */
	SECT_UPSTREAM, SECT_ROUTE, SECT_LOG			/* delivery */
};

/* Where a key is stored: struct config or one struct upstream. */
struct conf_target {
	void			*base;
	const struct conf_table	*table;
	struct conf_origin	*origin;	/* per key of table */
};

/* What one parse (one file, or one conf_set()) carries between calls. */
struct conf_parse {
	struct config		*cfg;
	const char		*name;		/* interned: file or variable */
	enum conf_layer		 layer;
	const char		*data;
	size_t			 len;
	size_t			 off;		/* next unread byte */
	int			 lineno;	/* of the line inih holds */
	int			 indented;	/* it starts with blank space */
	int			 have_prev;	/* inih would continue a value */
	int			 delivery;	/* this line's section is delivery-only */
	int			 section_delivery; /* the reader's last [section] is */
	int			 direct;	/* conf_set(): no [section] line */
	const char		*section;	/* as written, for messages */
	const struct conf_key	*last_key;	/* what a continuation extends */
	struct conf_target	 last;		/* and where it lives */
	char			*last_alias;
	char			**anames;	/* aliases set in this file */
	int			*alines;
	size_t			 naliases;
	struct conf_found	 found;		/* secrets and commands set */
	int			 err_line;	/* first fatal error, 0 if none */
	struct mh_err		 err;
};

/* ---- the config, its upstreams and names ------------------------- */

/* A copy of s that lives as long as the config (origins point at it). */
static const char *
conf_intern(struct config *cfg, const char *s)
{
	cfg->names = xreallocarray(cfg->names, cfg->nnames + 1,
	    sizeof(*cfg->names));
	cfg->names[cfg->nnames] = xstrdup(s);
	return cfg->names[cfg->nnames++];
}

static struct upstream *
conf_upstream_find(const struct config *cfg, const char *name, size_t n)
{
	size_t	 i;

	for (i = 0; i < cfg->nupstreams; i++)
		if (strlen(cfg->upstreams[i]->name) == n &&
		    memcmp(cfg->upstreams[i]->name, name, n) == 0)
			return cfg->upstreams[i];
	return NULL;
}

static struct upstream *
conf_upstream_add(struct config *cfg, const char *name)
{
	cfg->upstreams = xreallocarray(cfg->upstreams, cfg->nupstreams + 1,
	    sizeof(*cfg->upstreams));
	cfg->upstreams[cfg->nupstreams] = upstream_new(name, cfg->cache);
	return cfg->upstreams[cfg->nupstreams++];
}

void
conf_init(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	conf_defaults(cfg);
	cfg->bounce_sender = xstrdup("");
	cfg->cache = xcalloc(1, sizeof(*cfg->cache));
	cfg->origin = xcalloc(conf_global_table.nkeys, sizeof(*cfg->origin));
	conf_upstream_add(cfg, "default");
}

static char **
conf_strp(void *base, const struct conf_key *k)
{
	return (char **)(void *)((char *)base + k->off);
}

static int
conf_key_is_string(const struct conf_key *k)
{
	switch (k->type) {
	case CK_STR: case CK_HOST: case CK_PATH: case CK_LOGFILE: case CK_URL:
	case CK_SECRET: case CK_CMD: case CK_ADDR: case CK_BOUNCE:
		return 1;
	default:
		return 0;
	}
}

static void
conf_str_replace(void *base, const struct conf_key *k, char *v)
{
	char	**p = conf_strp(base, k);

	if (k->type == CK_SECRET)
		xfree_secret(*p);
	else
		free(*p);
	*p = v;
}

static void
conf_free_names(char **v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
conf_free(struct config *cfg)
{
	size_t	 i;

	for (i = 0; i < conf_global_table.nkeys; i++)
		if (conf_key_is_string(&conf_keys[i]))
			conf_str_replace(cfg, &conf_keys[i], NULL);
	for (i = 0; i < cfg->nupstreams; i++)
		upstream_free(cfg->upstreams[i]);
	free(cfg->upstreams);
	for (i = 0; i < cfg->nroutes; i++)
		route_free(&cfg->routes[i]);
	free(cfg->routes);
	for (i = 0; i < cfg->naliases; i++) {
		free(cfg->aliases[i].name);
		free(cfg->aliases[i].value);
		free(cfg->aliases[i].file);
	}
	free(cfg->aliases);
	conf_free_names(cfg->files, cfg->nfiles);
	conf_free_names(cfg->names, cfg->nnames);
	free(cfg->origin);
	free(cfg->explicit_path);
	if (cfg->cache != NULL) {
		free(cfg->cache->fqdn);
		free(cfg->cache->domain);
		free(cfg->cache);
	}
	memset(cfg, 0, sizeof(*cfg));
}

/* ---- errors ------------------------------------------------------- */

static void
conf_problem_vset(struct config *cfg, const char *where, int line,
    const char *key, const char *fmt, va_list ap)
{
	struct conf_problem	*pr = &cfg->problem;
	char			 msg[MH_ERR_MSG];

	if (pr->err.exit != 0)
		return;		/* the first one is what the user fixes first */
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (line > 0)
		mh_err_set(&pr->err, EX_CONFIG, "%s:%d: %s", where, line, msg);
	else
		mh_err_set(&pr->err, EX_CONFIG, "%s: %s", where, msg);
	pr->where = where;
	pr->line = line;
	snprintf(pr->key, sizeof(pr->key), "%s", key);
}

static void
conf_problem_set(struct config *cfg, const struct conf_origin *o,
    const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
conf_problem_set(struct config *cfg, const struct conf_origin *o,
    const char *key, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	conf_problem_vset(cfg, o->where, o->line, key, fmt, ap);
	va_end(ap);
}

/*
 * A mistake at the current line, about key.  In a delivery-only section
 * it is recorded and reading goes on (1, as inih wants for "fine"); else
 * the parse's first error is kept and inih is told (0).
 */
static int
conf_fail(struct conf_parse *p, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
conf_fail(struct conf_parse *p, const char *key, const char *fmt, ...)
{
	char	 msg[MH_ERR_MSG];
	va_list	 ap;

	va_start(ap, fmt);
	if (p->delivery) {
		conf_problem_vset(p->cfg, p->name, p->lineno, key, fmt, ap);
		va_end(ap);
		return 1;
	}
	if (p->err_line != 0) {
		va_end(ap);
		return 0;
	}
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->lineno > 0)
		mh_err_set(&p->err, EX_CONFIG, "%s:%d: %s", p->name, p->lineno,
		    msg);
	else
		mh_err_set(&p->err, EX_CONFIG, "%s: %s", p->name, msg);
	p->err_line = p->lineno > 0 ? p->lineno : -1;
	return 0;
}

/* A bad value is quoted back, unless it is a secret. */
static int
conf_bad(struct conf_parse *p, const struct conf_key *k, const char *value,
    const char *expect)
{
	if (k->type == CK_SECRET)
		return conf_fail(p, k->name, "bad value for \"%s\" in [%s]: %s",
		    k->name, p->section, expect);
	return conf_fail(p, k->name, "bad value \"%.*s%s\" for \"%s\" in "
	    "[%s]: expected %s", CONF_SHOW_MAX, value,
	    strlen(value) > CONF_SHOW_MAX ? "..." : "", k->name, p->section,
	    expect);
}

const struct mh_err *
conf_delivery_error(const struct config *cfg)
{
	return cfg->problem.err.exit != 0 ? &cfg->problem.err : NULL;
}

/* ---- setters ------------------------------------------------------ */

int
conf_own_dir(const char *path)
{
	struct stat	 st;

	if (path == NULL || path[0] != '/')
		return 0;
	if (stat(path, &st) == -1)
		return errno == ENOENT;
	return st.st_uid == getuid();
}

const char *
conf_home(void)
{
	const char	*home;
	struct passwd	*pw;

	home = getenv("HOME");
	if (conf_own_dir(home))
		return home;
	pw = getpwuid(getuid());
	if (pw != NULL && pw->pw_dir != NULL && pw->pw_dir[0] == '/')
		return pw->pw_dir;
	return NULL;
}

/* "~" and "~/..." from $HOME; anything else must be absolute. */
static int
conf_set_path(struct conf_parse *p, const struct conf_target *t,
    const struct conf_key *k, const char *v)
{
	const char	*home;

	if (v[0] == '~' && (v[1] == '/' || v[1] == '\0')) {
		home = conf_home();
		if (home == NULL)
			return conf_fail(p, k->name, "cannot expand \"~\" in "
			    "\"%s\": HOME is not set", k->name);
		conf_str_replace(t->base, k, xasprintf("%s%s", home, v + 1));
		return 1;
	}
	if (v[0] != '/')
		return conf_bad(p, k, v, "an absolute path or one that "
		    "starts with ~/");
	conf_str_replace(t->base, k, xstrdup(v));
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

/* An OAuth2 endpoint: HTTPS only (the token travels there), one word. */
static int
conf_set_url(struct conf_parse *p, const struct conf_target *t,
    const struct conf_key *k, const char *v)
{
	if (strncasecmp(v, "https://", 8) != 0 || v[8] == '\0' ||
	    v[8] == '/' || conf_has_space(v))
		return conf_bad(p, k, v, "an https:// URL");
	conf_str_replace(t->base, k, xstrdup(v));
	return 1;
}

/*
 * "name:587" or "[v6]:587": a port written into the host (a bare IPv6
 * address has more than one ':' before the last and no brackets).
 */
static const char *
conf_host_port(const char *v)
{
	const char	*c = strrchr(v, ':');

	if (c == NULL || c[1] == '\0' || strspn(c + 1, "0123456789") !=
	    strlen(c + 1))
		return NULL;
	if (v[0] == '[')
		return c > v && c[-1] == ']' ? c + 1 : NULL;
	return memchr(v, ':', (size_t)(c - v)) == NULL ? c + 1 : NULL;
}

/* An IPv6 address, bracketed or not: the only host with a ':'. */
static int
conf_is_ipv6(const char *v)
{
	size_t	 n = strlen(v);

	if (v[0] == '[') {
		if (n < 3 || v[n - 1] != ']')
			return 0;
		v++;
		n -= 2;
	}
	return strspn(v, "0123456789abcdefABCDEF:.") == n &&
	    memchr(v, ':', n) != NULL;
}

/* A host or domain name goes into a URL and into EHLO: no URL syntax. */
static int
conf_set_host(struct conf_parse *p, const struct conf_target *t,
    const struct conf_key *k, const char *v)
{
	char		 why[96];
	const char	*port;

	if (strcmp(k->name, "host") == 0 && (port = conf_host_port(v)) != NULL) {
		snprintf(why, sizeof(why), "a host name without a port (the "
		    "port is a key of its own: port = %.8s)", port);
		return conf_bad(p, k, v, why);
	}
	if (conf_has_space(v) || strpbrk(v, "/?#@\\\"'<>,;") != NULL ||
	    (strchr(v, ':') != NULL && !conf_is_ipv6(v)))
		return conf_bad(p, k, v, "a host name");
	conf_str_replace(t->base, k, xstrdup(v));
	return 1;
}

/* An envelope address; addr.c checks it fully where it is used. */
static int
conf_check_addr(const char *v)
{
	return conf_has_space(v) || strpbrk(v, "<>\"(),;") != NULL ? -1 : 0;
}

static int
conf_set_addr(struct conf_parse *p, const struct conf_target *t,
    const struct conf_key *k, const char *v)
{
	char	*s;
	size_t	 n = strlen(v);

	if (k->type == CK_BOUNCE && addr_null_spelled(v)) {
		conf_str_replace(t->base, k, xstrdup(""));
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
	conf_str_replace(t->base, k, s);
	return 1;
}

static int
conf_set_enum(struct conf_parse *p, const struct conf_target *t,
    const struct conf_key *k, const char *v)
{
	char	 expect[128];
	int	 i;

	for (i = 0; k->names[i] != NULL; i++)
		if (strcasecmp(v, k->names[i]) == 0) {
			*(int *)(void *)((char *)t->base + k->off) = i;
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

/* Keys whose value is two fields or more. */
static int
conf_set_compound(struct conf_parse *p, const struct conf_target *t,
    const struct conf_key *k, const char *v)
{
	struct config	*cfg = t->base;
	long		 min, max;

	if (k->type == CK_RATE) {
		if (conf_parse_rate(v, (struct conf_rate *)(void *)
		    ((char *)t->base + k->off)) == -1)
			return conf_bad(p, k, v, "N/s, N/m, N/h or N/d with N "
			    "from 1 to 1000000 (e.g. 14/s)");
		return 1;
	}
	if (conf_parse_retry(v, &min, &max) == -1 || max > k->max)
		return conf_bad(p, k, v, "FIRST..CAP, two durations with "
		    "FIRST <= CAP <= 30d (e.g. 1m..1h)");
	cfg->retry_min = min;
	cfg->retry_max = max;
	return 1;
}

static int
conf_set_number(struct conf_parse *p, const struct conf_target *t,
    const struct conf_key *k, const char *v)
{
	char		 expect[96];
	void		*f = (char *)t->base + k->off;
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
	case CK_RATE:
		return conf_set_compound(p, t, k, v);
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
conf_set_default(const struct conf_target *t, const struct conf_key *k)
{
	union { struct config c; struct upstream u; } def;

	if (k->type == CK_BOUNCE) {
		conf_str_replace(t->base, k, xstrdup(""));
		return;
	}
	if (conf_key_is_string(k)) {
		conf_str_replace(t->base, k, NULL);
		return;
	}
	memset(&def, 0, sizeof(def));
	t->table->defaults(&def);
	memcpy((char *)t->base + k->off, (char *)&def + k->off, k->size);
	if (k->type == CK_RETRY)
		((struct config *)t->base)->retry_max = def.c.retry_max;
}

/* Set by this parse (not by an earlier file, not cleared by a choice). */
static int
conf_set_here(const struct conf_parse *p, const struct conf_origin *o)
{
	return o->where == p->name && o->line > 0;
}

/*
 * password, password_file and password_command are one choice (so are
 * oauth_token and its command): two in one file is an error; a later file
 * that makes the choice replaces an earlier file's.
 */
static int
conf_set_group(struct conf_parse *p, const struct conf_target *t,
    const struct conf_key *k)
{
	const struct conf_key	*o;
	size_t			 i;

	for (i = 0; i < t->table->nkeys; i++) {
		o = &t->table->keys[i];
		if (o->group != k->group || o == k)
			continue;
		if (conf_set_here(p, &t->origin[i]) && *conf_strp(t->base, o))
			return conf_fail(p, k->name, "\"%s\" and \"%s\" (line "
			    "%d) are both set in [%s]: keep one", k->name,
			    o->name, t->origin[i].line, p->section);
		if (*conf_strp(t->base, o) == NULL)
			continue;
		conf_str_replace(t->base, o, NULL);
		/* Cleared by this file's choice: line 0, not a duplicate. */
		t->origin[i].layer = p->layer;
		t->origin[i].where = p->name;
		t->origin[i].line = 0;
	}
	return 1;
}

static int
conf_apply(struct conf_parse *p, const struct conf_target *t,
    const struct conf_key *k, const char *v)
{
	if (k->group != CKG_NONE && *v != '\0' &&
	    conf_set_group(p, t, k) == 0)
		return 0;
	if (*v == '\0') {
		conf_set_default(t, k);
		return 1;
	}
	switch (k->type) {
	case CK_CMD:
		if (p->found.cmd_line == 0) {
			p->found.cmd_line = p->lineno;
			p->found.cmd_key = k->name;
		}
		conf_str_replace(t->base, k, xstrdup(v));
		return 1;
	case CK_SECRET:
		p->found.secret_line = p->lineno;
		/* FALLTHROUGH */
	case CK_STR:
		conf_str_replace(t->base, k, xstrdup(v));
		return 1;
	case CK_HOST:
		return conf_set_host(p, t, k, v);
	case CK_LOGFILE:
		/* "-": the delivering process's stderr (SPEC 10). */
		if (strcmp(v, "-") == 0) {
			conf_str_replace(t->base, k, xstrdup(v));
			return 1;
		}
		return conf_set_path(p, t, k, v);
	case CK_PATH:
		return conf_set_path(p, t, k, v);
	case CK_URL:
		return conf_set_url(p, t, k, v);
	case CK_ADDR:
	case CK_BOUNCE:
		return conf_set_addr(p, t, k, v);
	case CK_ENUM:
		return conf_set_enum(p, t, k, v);
	default:
		return conf_set_number(p, t, k, v);
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
		return conf_fail(p, name, "bad alias name \"%.*s\" in [aliases]: "
		    "expected a bare local name", CONF_SHOW_MAX, name);
	for (i = 0; i < p->naliases; i++)
		if (strcasecmp(p->anames[i], name) == 0)
			return conf_fail(p, name, "duplicate alias \"%s\" in "
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

/* ---- [route] ------------------------------------------------------ */

static struct route *
conf_route_lookup(struct config *cfg, const char *pattern)
{
	size_t	 i;

	for (i = 0; i < cfg->nroutes; i++)
		if (strcasecmp(cfg->routes[i].pattern, pattern) == 0)
			return &cfg->routes[i];
	return NULL;
}

static void
conf_route_remove(struct config *cfg, struct route *r)
{
	size_t	 i = (size_t)(r - cfg->routes);

	route_free(r);
	memmove(r, r + 1, (cfg->nroutes - i - 1) * sizeof(*r));
	cfg->nroutes--;
}

/* "pattern = up1, up2": names are checked against upstreams at the end. */
static int
conf_set_route(struct conf_parse *p, const char *pattern, const char *value)
{
	struct config	*cfg = p->cfg;
	struct route	 r, *old;
	char		 why[128];

	if (route_init(&r, pattern) == -1)
		return conf_fail(p, pattern, "bad route pattern \"%.*s\" in "
		    "[route]: expected user@domain, *@domain, *@*.domain or *",
		    CONF_SHOW_MAX, pattern);
	old = conf_route_lookup(cfg, r.pattern);
	if (old != NULL && conf_set_here(p, &old->origin)) {
		route_free(&r);
		return conf_fail(p, pattern, "duplicate pattern \"%s\" in "
		    "[route] (first set on line %d)", pattern, old->origin.line);
	}
	if (*value != '\0' && route_parse_names(value, &r.names, &r.nnames,
	    why, sizeof(why)) == -1) {
		route_free(&r);
		return conf_fail(p, pattern, "bad value for \"%s\" in [route]: "
		    "%s", pattern, why);
	}
	if (old != NULL)
		conf_route_remove(cfg, old);
	if (*value == '\0') {
		/* Empty: drop what an earlier file said. */
		route_free(&r);
		return 1;
	}
	r.origin.layer = p->layer;
	r.origin.where = p->name;
	r.origin.line = p->lineno;
	cfg->routes = xreallocarray(cfg->routes, cfg->nroutes + 1,
	    sizeof(*cfg->routes));
	cfg->routes[cfg->nroutes++] = r;
	route_sort(cfg->routes, cfg->nroutes);
	return 1;
}

/* ---- sections ----------------------------------------------------- */

static enum conf_sect
conf_sect_of(const char *s, size_t n)
{
	static const struct {
		const char	*name;
		enum conf_sect	 sect;
	} v[] = {
		{ "sender", SECT_SENDER }, { "aliases", SECT_ALIASES },
		{ "queue", SECT_QUEUE }, { "upstream", SECT_UPSTREAM },
		{ "route", SECT_ROUTE }, { "log", SECT_LOG },
	};
	size_t	 i;

	if (n > 9 && memcmp(s, "upstream.", 9) == 0)
		return SECT_UPSTREAM;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (strlen(v[i].name) == n && memcmp(v[i].name, s, n) == 0)
			return v[i].sect;
	return SECT_NONE;
}

static int
conf_sect_delivery(enum conf_sect s)
{
	return s == SECT_UPSTREAM || s == SECT_ROUTE || s == SECT_LOG;
}

int
conf_fail_at(struct config *cfg, const char *section,
    const struct conf_origin *o, const char *key, struct mh_err *err,
    const char *fmt, ...)
{
	char	 msg[MH_ERR_MSG];
	va_list	 ap;

	va_start(ap, fmt);
	if (conf_sect_delivery(conf_sect_of(section, strlen(section)))) {
		conf_problem_vset(cfg, o->where, o->line, key, fmt, ap);
		va_end(ap);
		return 0;
	}
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (o->line > 0)
		return mh_err_set(err, EX_CONFIG, "%s:%d: %s", o->where,
		    o->line, msg);
	return mh_err_set(err, EX_CONFIG, "%s: %s", o->where, msg);
}

/*
 * The upstream of section s ("upstream" or "upstream.NAME", n bytes),
 * made on first sight; NULL for a bad name (reported when report is set).
 */
static struct upstream *
conf_section_upstream(struct conf_parse *p, const char *s, size_t n,
    int report)
{
	struct upstream	*up;
	char		 name[CONF_NAME_MAX + 1];

	if (n == 8) {
		s = "default";
		n = 7;
	} else {
		s += 9;
		n -= 9;
	}
	if (!upstream_name_ok(s, n)) {
		if (report)
			conf_fail(p, "upstream", "bad upstream name \"%.*s\" "
			    "in [upstream.%.*s]: expected 1 to 32 of a-z 0-9 "
			    "_ -", (int)(n > CONF_SHOW_MAX ? CONF_SHOW_MAX : n),
			    s, (int)(n > CONF_SHOW_MAX ? CONF_SHOW_MAX : n), s);
		return NULL;
	}
	if ((up = conf_upstream_find(p->cfg, s, n)) != NULL)
		return up;
	memcpy(name, s, n);
	name[n] = '\0';
	up = conf_upstream_add(p->cfg, name);
	up->section.layer = p->layer;
	up->section.where = p->name;
	up->section.line = p->lineno;
	return up;
}

/* Where the keys of section live, or 0 (an error was reported). */
static int
conf_target_of(struct conf_parse *p, const char *section,
    struct conf_target *t)
{
	struct upstream	*up;
	size_t		 n = strlen(section);

	if (conf_sect_of(section, n) != SECT_UPSTREAM) {
		t->base = p->cfg;
		t->table = &conf_global_table;
		t->origin = p->cfg->origin;
		return 1;
	}
	/* A bad name was reported with its [section] line (or is now). */
	if ((up = conf_section_upstream(p, section, n, p->direct)) ==
	    NULL)
		return 0;
	t->base = up;
	t->table = &conf_upstream_table;
	t->origin = up->origin;
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
			return conf_fail(p, p->last_alias, "alias \"%s\" is "
			    "longer than %d bytes", p->last_alias,
			    CONF_VALUE_MAX);
		}
		conf_alias_put(p, p->last_alias, s, a != NULL ? a->line :
		    p->lineno);
		return 1;
	}
	if (p->last_key == NULL || p->last_key->type != CK_CMD)
		return conf_fail(p, name, "indented line continues \"%s\" in "
		    "[%s]; only alias lists and commands may continue on an "
		    "indented line", name, section);
	sp = conf_strp(p->last.base, p->last_key);
	s = conf_join(*sp, value);
	if (strlen(s) > CONF_VALUE_MAX) {
		free(s);
		return conf_fail(p, name, "\"%s\" is longer than %d bytes",
		    name, CONF_VALUE_MAX);
	}
	conf_str_replace(p->last.base, p->last_key, s);
	return 1;
}

static const struct conf_key *
conf_key_find(const struct conf_table *t, const char *section,
    const char *name)
{
	size_t	 i;

	for (i = 0; i < t->nkeys; i++)
		if ((t == &conf_upstream_table ||
		    strcmp(t->keys[i].section, section) == 0) &&
		    strcmp(t->keys[i].name, name) == 0)
			return &t->keys[i];
	return NULL;
}

int
conf_parallel(const struct config *cfg)
{
	const struct conf_key *k;

	k = conf_key_find(&conf_global_table, "queue", "parallel");
	if (cfg->origin != NULL &&
	    cfg->origin[k - conf_global_table.keys].layer == CONF_LAYER_DEFAULT)
		return CONF_PARALLEL_AUTO;
	return cfg->parallel;
}

/* One "name = value" of a table-driven section. */
static int
conf_set_key(struct conf_parse *p, const char *section, const char *name,
    const char *value)
{
	struct conf_target	 t;
	const struct conf_key	*k;
	struct conf_origin	*o;

	if (!conf_target_of(p, section, &t))
		return 1;	/* a bad [upstream.NAME]: reported once */
	k = conf_key_find(t.table, section, name);
	if (k == NULL)
		return conf_fail(p, name, "unknown key \"%s\" in [%s]", name,
		    section);
	o = &t.origin[k - t.table->keys];
	if (conf_set_here(p, o))
		return conf_fail(p, name, "duplicate key \"%s\" in [%s] (first "
		    "set on line %d)", name, section, o->line);
	o->layer = p->layer;
	o->where = p->name;
	o->line = p->lineno > 0 ? p->lineno : 0;
	p->last_key = k;
	p->last = t;
	return conf_apply(p, &t, k, value);
}

static int
conf_handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct conf_parse	*p = user;
	enum conf_sect		 sect;

	if (p->err_line != 0)
		return 0;
	sect = conf_sect_of(section, strlen(section));
	p->delivery = conf_sect_delivery(sect);
	p->section = section;
	if (p->indented && p->have_prev)
		return conf_continue(p, section, name, value);
	p->have_prev = 1;
	p->last_key = NULL;
	free(p->last_alias);
	p->last_alias = NULL;
	if (*section == '\0')
		return conf_fail(p, name, "key \"%s\" is outside any "
		    "[section]", name);
	if (sect == SECT_ALIASES)
		return conf_set_alias(p, name, value);
	if (sect == SECT_ROUTE)
		return conf_set_route(p, name, value);
	if (sect == SECT_NONE)
		return conf_fail(p, name, "unknown section [%s]", section);
	return conf_set_key(p, section, name, value);
}

/*
 * A "[section]" line as inih reads it: up to "]", where " ;" would start
 * a comment first.  Unknown sections are refused here, because inih calls
 * no handler for a section without keys; an upstream is made here too, so
 * that an empty [upstream.NAME] still names one.
 */
static void
conf_reader_section(struct conf_parse *p, const char *s, size_t n)
{
	enum conf_sect	 sect;
	size_t		 i, len;
	int		 was_space = 0;

	for (i = 1; i < n && s[i] != ']'; i++) {
		if (was_space && s[i] == ';')
			return;			/* inih: syntax error */
		was_space = isspace((unsigned char)s[i]);
	}
	if (i >= n)
		return;
	len = i - 1;
	sect = conf_sect_of(s + 1, len);
	p->delivery = conf_sect_delivery(sect);
	p->have_prev = 0;
	if (sect == SECT_NONE) {
		conf_fail(p, "", "unknown section [%.*s]", (int)(len >
		    CONF_SHOW_MAX ? CONF_SHOW_MAX : len), s + 1);
		return;
	}
	if (sect == SECT_UPSTREAM)
		(void)conf_section_upstream(p, s + 1, len, 1);
	for (i++; i < n && isspace((unsigned char)s[i]); i++)
		;
	if (i < n && s[i] != ';' && s[i] != '#')
		conf_fail(p, "", "text after [%.*s]", (int)len, s + 1);
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

/* inih's "name = value" test: '=' or ':' before any " ;" comment. */
static int
conf_reader_has_value(const char *s)
{
	int	 was_space = 0;

	for (; *s != '\0'; s++) {
		if (*s == '=' || *s == ':')
			return 1;
		if (was_space && *s == ';')
			return 0;
		was_space = isspace((unsigned char)*s);
	}
	return 0;
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
	if (s[i] == '[') {
		conf_reader_section(p, s + i, n - i);
		return;
	}
	if (conf_reader_has_value(s + i))
		return;
	/* Not for inih: in a delivery-only section it is only recorded. */
	conf_fail(p, "", "syntax error: expected [section], key = value or "
	    "a comment");
	s[0] = '\0';
	p->have_prev = 0;
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
	/* A broken line may hide a [section]: never only recorded. */
	p->delivery = 0;
	for (i = 0; i < n; i++)
		if (((unsigned char)line[i] < 0x20 && line[i] != '\t') ||
		    line[i] == 0x7f) {
			conf_fail(p, "", "control character (byte 0x%02x) in "
			    "line", (unsigned char)line[i]);
			return NULL;
		}
	max = (size_t)num - 3 < CONF_LINE_MAX ? (size_t)num - 3 :
	    CONF_LINE_MAX;
	if (num < 4 || n > max) {
		conf_fail(p, "", "line longer than %zu bytes (for a longer "
		    "value see mailhop.conf(5))", max);
		return NULL;
	}
	p->delivery = p->section_delivery;
	memcpy(str, line, n);
	str[n] = '\0';
	conf_reader_classify(p, str, n);
	p->section_delivery = p->delivery;
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

/* Parse text into cfg as layer; *found: what needs a check of the file. */
int
conf_parse_text(struct config *cfg, const char *name, enum conf_layer layer,
    const char *data, size_t len, struct conf_found *found,
    struct mh_err *err)
{
	struct conf_parse	 p;
	int			 rc;

	memset(&p, 0, sizeof(p));
	p.cfg = cfg;
	p.name = conf_intern(cfg, name);
	p.layer = layer;
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
	if (found != NULL)
		*found = p.found;
	return 0;
}

int
conf_load_buffer(struct config *cfg, const char *name, const char *data,
    size_t len, struct mh_err *err)
{
	return conf_parse_text(cfg, name, CONF_LAYER_EXPLICIT, data, len, NULL,
	    err);
}

int
conf_set(struct config *cfg, const char *section, const char *key,
    const char *value, const struct conf_origin *o, struct mh_err *err)
{
	struct conf_parse	 p;
	int			 rc;

	memset(&p, 0, sizeof(p));
	p.cfg = cfg;
	p.name = conf_intern(cfg, o->where != NULL ? o->where : "(unset)");
	p.layer = o->layer;
	p.lineno = o->line;
	p.direct = 1;
	rc = conf_handler(&p, section, key, value);
	conf_parse_free(&p);
	if (rc == 0 && p.err_line != 0) {
		if (err != NULL)
			*err = p.err;
		return -1;
	}
	return 0;
}

int
conf_finish(struct config *cfg, struct mh_err *err)
{
	const struct route	*r;
	size_t			 i, j;

	(void)err;
	for (i = 0; i < cfg->nroutes; i++) {
		r = &cfg->routes[i];
		for (j = 0; j < r->nnames; j++)
			if (conf_upstream(cfg, r->names[j]) == NULL)
				conf_problem_set(cfg, &r->origin, r->pattern,
				    "unknown upstream \"%s\" in the route for "
				    "\"%s\" in [route] (no [upstream.%s] "
				    "section)", r->names[j], r->pattern,
				    r->names[j]);
	}
	return 0;
}

/* ---- effective values and origins --------------------------------- */

const struct upstream *
conf_upstream(const struct config *cfg, const char *name)
{
	return conf_upstream_find(cfg, name, strlen(name));
}

const struct upstream *
conf_upstream_default(const struct config *cfg)
{
	return cfg->upstreams[0];
}

const struct conf_origin *
conf_upstream_overridden(const struct config *cfg,
    const struct upstream *up, const char **key)
{
	size_t	 i;

	(void)cfg;
	for (i = 0; i < conf_upstream_table.nkeys; i++) {
		if (up->origin[i].layer == CONF_LAYER_DEFAULT ||
		    up->origin[i].layer == CONF_LAYER_SYSTEM)
			continue;
		if (key != NULL)
			*key = conf_upstream_table.keys[i].name;
		return &up->origin[i];
	}
	return NULL;
}

void
conf_origin_format(const struct conf_origin *o, char *out, size_t len)
{
	if (o->where == NULL)
		snprintf(out, len, "default");
	else if (o->line > 0)
		snprintf(out, len, "%s:%d", o->where, o->line);
	else
		snprintf(out, len, "%s", o->where);
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

const char *
conf_cache_fqdn(struct conf_cache *cache)
{
	if (cache == NULL)
		return "localhost";
	if (cache->fqdn == NULL)
		cache->fqdn = conf_lookup_fqdn();
	return cache->fqdn;
}

const char *
conf_domain(const struct config *cfg)
{
	const char	*fqdn, *dot;

	if (cfg->domain != NULL && *cfg->domain != '\0')
		return cfg->domain;
	fqdn = conf_cache_fqdn(cfg->cache);
	if (cfg->cache == NULL)
		return fqdn;
	if (cfg->cache->domain == NULL) {
		dot = strchr(fqdn, '.');
		cfg->cache->domain = xstrdup(dot != NULL && dot[1] != '\0' ?
		    dot + 1 : fqdn);
	}
	return cfg->cache->domain;
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
