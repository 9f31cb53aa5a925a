/* SPDX-License-Identifier: MIT */
/*
 * conf_print.c - `mailhop config`: the effective configuration as INI,
 * every upstream, the route table and every other key, each value with
 * the place it came from as a trailing comment, secrets masked.  What it
 * prints reads back as a configuration (secrets aside).
 */
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "buf.h"
#include "conf.h"
#include "conf_key.h"
#include "route.h"

#define CONF_PRINT_MAX	(4096 + 64)

/* What a printed key belongs to. */
struct conf_print_obj {
	const struct config	*cfg;
	const void		*base;		/* cfg or an upstream */
	const struct upstream	*up;		/* NULL for cfg */
	const struct conf_resolved *res;	/* NULL: print the keys only */
};

static void
conf_fmt_string(const struct conf_print_obj *o, const struct conf_key *k,
    char *out, size_t len)
{
	const char	*s = *(char *const *)(const void *)
			    ((const char *)o->base + k->off);

	if (k->type == CK_SECRET)
		snprintf(out, len, "%s", s != NULL ? "********" : "");
	else if (k->type == CK_BOUNCE)
		snprintf(out, len, "%s", addr_show(s));
	else if (o->up != NULL && strcmp(k->name, "helo") == 0)
		snprintf(out, len, "%s", upstream_helo(o->up));
	else if (o->up == NULL && strcmp(k->name, "domain") == 0)
		snprintf(out, len, "%s", conf_domain(o->cfg));
	else
		snprintf(out, len, "%s", s != NULL ? s : "");
}

static void
conf_fmt_value(const struct conf_print_obj *o, const struct conf_key *k,
    char *out, size_t len)
{
	const char	*f = (const char *)o->base + k->off;
	char		 a[32], b[32];

	switch (k->type) {
	case CK_BOOL:
		snprintf(out, len, "%s", *(const int *)f ? "yes" : "no");
		break;
	case CK_PORT:
		snprintf(out, len, "%d", upstream_port(o->up));
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
	case CK_RATE:
		conf_fmt_rate(out, len, (const struct conf_rate *)f);
		break;
	case CK_RETRY:
		conf_fmt_duration(a, sizeof(a), o->cfg->retry_min);
		conf_fmt_duration(b, sizeof(b), o->cfg->retry_max);
		snprintf(out, len, "%s..%s", a, b);
		break;
	default:
		conf_fmt_string(o, k, out, len);
		break;
	}
}

/*
 * "key = value  ; origin".  An empty value cannot carry a comment (inih
 * would take "; origin" for the value): a comment line above says who
 * emptied it.
 */
static int
conf_print_line(struct buf *b, const char *key, const char *v,
    const struct conf_origin *o)
{
	char	 where[512];

	conf_origin_format(o, where, sizeof(where));
	if (v[0] != '\0')
		return buf_addf(b, "%s = %s  ; %s\n", key, v, where);
	if (o->where == NULL)
		return buf_addf(b, "%s =\n", key);
	return buf_addf(b, "; set empty by %s\n%s =\n", where, key);
}

/*
 * [queue] dir: the spool as it is found.  Unset, the resolved directory
 * is the value (the origin says how it was found); set (with %u, %U), the
 * directory it names follows on a comment line.
 */
static int
conf_print_dir(const struct conf_resolved *res, const char *v,
    const struct conf_origin *o, struct buf *b)
{
	if (v[0] == '\0' && o->where == NULL)
		return buf_addf(b, "dir = %s  ; default: %s\n", res->spool,
		    res->spool_why);
	if (conf_print_line(b, "dir", v, o) == -1)
		return -1;
	if (strcmp(v, res->spool) == 0)
		return 0;
	return buf_addf(b, "; that is %s\n", res->spool);
}

static int
conf_print_keys(const struct conf_print_obj *o, const struct conf_table *t,
    const struct conf_origin *origin, const char *section, struct buf *b)
{
	char	 v[CONF_PRINT_MAX];
	size_t	 i;
	int	 rc = 0;

	for (i = 0; i < t->nkeys; i++) {
		if (section != NULL && strcmp(t->keys[i].section, section) != 0)
			continue;
		conf_fmt_value(o, &t->keys[i], v, sizeof(v));
		if (o->res != NULL && o->up == NULL &&
		    strcmp(t->keys[i].name, "dir") == 0) {
			rc |= conf_print_dir(o->res, v, &origin[i], b);
			continue;
		}
		rc |= conf_print_line(b, t->keys[i].name, v, &origin[i]);
	}
	if (o->res != NULL && section != NULL && strcmp(section, "log") == 0)
		rc |= buf_addf(b, "; delivery lines go to %s\n", o->res->log);
	return rc;
}

static int
conf_print_upstreams(const struct config *cfg, struct buf *b)
{
	struct conf_print_obj	 o;
	const struct upstream	*up;
	char			 sect[64];
	size_t			 i;
	int			 rc = 0;

	for (i = 0; i < cfg->nupstreams; i++) {
		up = cfg->upstreams[i];
		o.cfg = cfg;
		o.base = up;
		o.up = up;
		o.res = NULL;
		rc |= buf_addf(b, "\n%s\n", upstream_section(up, sect,
		    sizeof(sect)));
		rc |= conf_print_keys(&o, &conf_upstream_table, up->origin,
		    NULL, b);
	}
	return rc;
}

static int
conf_print_routes(const struct config *cfg, struct buf *b)
{
	const struct route	*r;
	char			 where[512];
	size_t			 i, j;
	int			 rc;

	rc = buf_adds(b, "\n[route]\n");
	if (cfg->nroutes == 0)
		rc |= buf_adds(b, "; none: every sender goes through "
		    "[upstream]\n");
	for (i = 0; i < cfg->nroutes; i++) {
		r = &cfg->routes[i];
		rc |= buf_addf(b, "%s =", r->pattern);
		for (j = 0; j < r->nnames; j++)
			rc |= buf_addf(b, "%s %s", j == 0 ? "" : ",",
			    r->names[j]);
		conf_origin_format(&r->origin, where, sizeof(where));
		rc |= buf_addf(b, "  ; %s\n", where);
	}
	return rc;
}

static int
conf_print_aliases(const struct config *cfg, struct buf *b)
{
	size_t	 i;
	int	 rc;

	rc = buf_adds(b, "\n[aliases]\n");
	for (i = 0; i < cfg->naliases; i++)
		rc |= buf_addf(b, cfg->aliases[i].line > 0 ?
		    "%s = %s  ; %s:%d\n" : "%s = %s  ; %s\n",
		    cfg->aliases[i].name, cfg->aliases[i].value,
		    cfg->aliases[i].file, cfg->aliases[i].line);
	return rc;
}

static int
conf_print_files(const struct config *cfg, struct buf *b)
{
	size_t	 i;
	int	 rc = 0;

	if (cfg->nfiles == 0)
		rc |= buf_adds(b, "# no configuration file was read\n");
	else {
		rc |= buf_adds(b, "# files read:");
		for (i = 0; i < cfg->nfiles; i++)
			rc |= buf_addf(b, " %s", cfg->files[i]);
		rc |= buf_adds(b, "\n");
	}
	rc |= buf_adds(b, "# secrets are shown as ********; after each value, "
	    "where it was set\n");
	return rc;
}

int
conf_print(const struct config *cfg, struct buf *b)
{
	return conf_print_resolved(cfg, NULL, b);
}

int
conf_print_resolved(const struct config *cfg, const struct conf_resolved *res,
    struct buf *b)
{
	static const char *const sections[] = { "sender", "queue", "log" };
	struct conf_print_obj	 o;
	size_t			 i;
	int			 rc;

	o.cfg = cfg;
	o.base = cfg;
	o.up = NULL;
	o.res = res;
	rc = conf_print_files(cfg, b);
	rc |= conf_print_upstreams(cfg, b);
	rc |= conf_print_routes(cfg, b);
	for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		rc |= buf_addf(b, "\n[%s]\n", sections[i]);
		rc |= conf_print_keys(&o, &conf_global_table, cfg->origin,
		    sections[i], b);
		/* [aliases] sits between [sender] and [queue]. */
		if (i == 0)
			rc |= conf_print_aliases(cfg, b);
	}
	return rc == 0 ? 0 : -1;
}
