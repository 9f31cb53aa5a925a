/* SPDX-License-Identifier: MIT */
/*
 * conf_env.c - the environment layer of the configuration (SPEC 10):
 * every key as MAILHOP_<SECTION>_<KEY>, applied over the files through
 * conf_set() with the variable as the key's origin.  What a variable
 * name means, and reading a value from the file a _FILE variable names,
 * live here; what a value means stays in conf.c.
 *
 * Names (case does not matter after the prefix; upstream names are kept
 * lower case):
 *	MAILHOP_SENDER_KEY, MAILHOP_QUEUE_KEY, MAILHOP_LOG_KEY
 *	MAILHOP_UPSTREAM_KEY		[upstream]
 *	MAILHOP_UPSTREAM_NAME_KEY	[upstream.NAME]
 *	MAILHOP_ALIASES_NAME		[aliases] NAME (a name that fits)
 *	MAILHOP_ALIASES, MAILHOP_ROUTE	the section's lines, "name = value"
 *					one per line (any name or pattern)
 *	any of them + _FILE		the value is the content of that file
 * A name that could be read two ways is read as a key first: _FILE is a
 * suffix only when the name without it is a key (MAILHOP_UPSTREAM_
 * PASSWORD_FILE is the key password_file), and [upstream]'s own key wins
 * over an upstream's name (ALLOW_PLAINTEXT_AUTH is [upstream]'s key).
 *
 * A MAILHOP_ variable that names no key is an error that names it, so a
 * typo is never ignored.  Variables are applied in name order, so the
 * result never depends on the order of the environment.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "conf_key.h"
#include "err.h"
#include "launch.h"
#include "secret.h"
#include "xmem.h"

#define ENV_PREFIX	"MAILHOP_"
#define ENV_NAME_MAX	128
#define ENV_FILE_MAX	(64 * 1024)	/* a _FILE value: a key or a section */

extern char **environ;

/* What one variable sets. */
struct env_ref {
	const char		*var;		/* "NAME=VALUE" from the environment */
	char			 name[ENV_NAME_MAX];	/* NAME */
	char			 section[ENV_NAME_MAX]; /* "upstream.backup", ... */
	char			 key[ENV_NAME_MAX];	/* key or alias; "": lines */
	const struct conf_key	*k;		/* NULL for aliases and routes */
	int			 from_file;	/* NAME ends in _FILE */
};

/* Set by mailhop itself, or not configuration. */
static const char *const env_known[] = {
	"MAILHOP_CONFIG",
	LAUNCH_GNUTLS_MARK,
};

static void
env_lower(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* The key called name in table (in section for the global table). */
static const struct conf_key *
env_key(const struct conf_table *t, const char *section, const char *name)
{
	size_t	 i;

	for (i = 0; i < t->nkeys; i++)
		if ((section == NULL || strcmp(t->keys[i].section, section) ==
		    0) && strcmp(t->keys[i].name, name) == 0)
			return &t->keys[i];
	return NULL;
}

/* "name" or "name_file" is a key of section: fill r.  0 if neither. */
static int
env_key_or_file(struct env_ref *r, const struct conf_table *t,
    const char *section, const char *rest)
{
	char	 base[ENV_NAME_MAX];
	size_t	 n = strlen(rest);

	if ((r->k = env_key(t, section, rest)) != NULL) {
		snprintf(r->key, sizeof(r->key), "%s", rest);
		return 1;
	}
	if (n <= 5 || strcmp(rest + n - 5, "_file") != 0)
		return 0;
	snprintf(base, sizeof(base), "%.*s", (int)(n - 5), rest);
	if ((r->k = env_key(t, section, base)) == NULL)
		return 0;
	snprintf(r->key, sizeof(r->key), "%s", base);
	r->from_file = 1;
	return 1;
}

/* rest is NAME_KEY (or NAME_KEY_FILE) of an [upstream.NAME]. */
static int
env_named_upstream(struct env_ref *r, const char *rest, int file)
{
	const struct conf_table	*t = &conf_upstream_table;
	const struct conf_key	*k, *best = NULL;
	char			 body[ENV_NAME_MAX];
	size_t			 i, n, kn, bn = 0;

	snprintf(body, sizeof(body), "%s", rest);
	n = strlen(body);
	if (file) {
		if (n <= 5 || strcmp(body + n - 5, "_file") != 0)
			return 0;
		body[n -= 5] = '\0';
	}
	/* The longest key that ends the name, after a '_' and a name. */
	for (i = 0; i < t->nkeys; i++) {
		k = &t->keys[i];
		kn = strlen(k->name);
		if (kn + 2 > n || body[n - kn - 1] != '_' ||
		    strcmp(body + n - kn, k->name) != 0 || kn <= bn ||
		    !upstream_name_ok(body, n - kn - 1))
			continue;
		best = k;
		bn = kn;
	}
	if (best == NULL)
		return 0;
	snprintf(r->section, sizeof(r->section), "upstream.%.*s",
	    (int)(n - bn - 1), body);
	snprintf(r->key, sizeof(r->key), "%s", best->name);
	r->k = best;
	r->from_file = file;
	return 1;
}

/* [aliases] and [route]: NAME alone is the section's lines. */
static int
env_lines(struct env_ref *r, const char *sect, const char *rest)
{
	size_t	 n = strlen(rest);

	snprintf(r->section, sizeof(r->section), "%s", sect);
	if (n >= 5 && strcmp(rest + n - 5, "_file") == 0) {
		r->from_file = 1;
		n -= 5;
	}
	if (n == 0) {
		r->key[0] = '\0';
		return 1;
	}
	if (strcmp(sect, "route") == 0 || rest[0] != '_' || n == 1)
		return 0;
	snprintf(r->key, sizeof(r->key), "%.*s", (int)(n - 1), rest + 1);
	return 1;
}

/*
 * What the variable called name (without the value) sets: 1 resolved, 0
 * not configuration (known), -1 unknown.
 */
static int
env_resolve(const char *name, struct env_ref *r)
{
	static const char *const plain[] = { "sender", "queue", "log" };
	char	 low[ENV_NAME_MAX], *rest;
	size_t	 i, n;

	for (i = 0; i < sizeof(env_known) / sizeof(env_known[0]); i++)
		if (strcmp(name, env_known[i]) == 0)
			return 0;
	snprintf(low, sizeof(low), "%.*s", ENV_NAME_MAX - 1,
	    name + strlen(ENV_PREFIX));
	env_lower(low);
	if (strncmp(low, "aliases", 7) == 0)
		return env_lines(r, "aliases", low + 7) ? 1 : -1;
	if (strncmp(low, "route", 5) == 0)
		return env_lines(r, "route", low + 5) ? 1 : -1;
	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		n = strlen(plain[i]);
		if (strncmp(low, plain[i], n) != 0 || low[n] != '_')
			continue;
		snprintf(r->section, sizeof(r->section), "%s", plain[i]);
		return env_key_or_file(r, &conf_global_table, plain[i],
		    low + n + 1) ? 1 : -1;
	}
	if (strncmp(low, "upstream_", 9) != 0)
		return -1;
	rest = low + 9;
	snprintf(r->section, sizeof(r->section), "upstream");
	if (env_key_or_file(r, &conf_upstream_table, NULL, rest) ||
	    env_named_upstream(r, rest, 0) || env_named_upstream(r, rest, 1))
		return 1;
	return -1;
}

/* ---- values ------------------------------------------------------- */

/* Control bytes are refused; lines: LF (and CR LF) separate lines. */
static int
env_check_text(const char *v, int lines, struct mh_err *err)
{
	const unsigned char	*s;

	for (s = (const unsigned char *)v; *s != '\0'; s++) {
		if (lines && (*s == '\n' || (*s == '\r' && s[1] == '\n')))
			continue;
		if ((*s < 0x20 && *s != '\t') || *s == 0x7f)
			return mh_err_set(err, EX_CONFIG, "control character "
			    "(byte 0x%02x) in the value%s", *s, *s == '\n' ?
			    " (one line only)" : "");
	}
	return 0;
}

/*
 * The file of a _FILE variable, with the checks of a configuration file:
 * a regular file (links followed: Kubernetes mounts secrets through
 * them) owned by the caller or root and writable by no one else; for a
 * secret, those of every secret file instead.
 */
static int
env_check_file(const struct env_ref *r, int fd, const char *path,
    struct mh_err *err)
{
	struct stat	 st;

	/* A secret: the one check of every secret file (secret.h). */
	if (r->k != NULL && r->k->type == CK_SECRET) {
		if (secret_check_fd(r->key, path, fd, err) == -1) {
			secret_mode_hint(err);
			return -1;
		}
		return 0;
	}
	if (fstat(fd, &st) == -1)
		return mh_err_errno(err, EX_CONFIG, "%s", path);
	return conf_check_stat(&st, "", path, EX_CONFIG, err);
}

/* The content of the file, without one final line end. */
static int
env_read_file(const struct env_ref *r, const char *path, char **out,
    struct mh_err *err)
{
	char	*data;
	size_t	 len = 0;
	ssize_t	 n;
	int	 fd, rc = -1;

	*out = NULL;
	if (path[0] != '/')
		return mh_err_set(err, EX_CONFIG, "\"%.100s\": expected the "
		    "absolute path of a file", path);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1)
		return mh_err_errno(err, EX_CONFIG, "%s", path);
	data = xmalloc(ENV_FILE_MAX + 1);
	if (env_check_file(r, fd, path, err) == -1)
		goto done;
	while (len <= ENV_FILE_MAX) {
		n = read(fd, data + len, ENV_FILE_MAX + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			mh_err_errno(err, EX_CONFIG, "%s", path);
			goto done;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > ENV_FILE_MAX) {
		mh_err_set(err, EX_CONFIG, "%s: larger than %d bytes", path,
		    ENV_FILE_MAX);
		goto done;
	}
	if (len > 0 && data[len - 1] == '\n')
		len--;
	if (len > 0 && data[len - 1] == '\r')
		len--;
	data[len] = '\0';
	if (memchr(data, '\0', len) != NULL) {
		mh_err_set(err, EX_CONFIG, "%s: a NUL byte in the file", path);
		goto done;
	}
	*out = data;
	data = NULL;
	rc = 0;
done:
	if (data != NULL) {
		explicit_bzero(data, ENV_FILE_MAX + 1);
		free(data);
	}
	close(fd);
	return rc;
}

/* Spaces and tabs at both ends go, as inih does for a file's value. */
static char *
env_trim(char *s)
{
	size_t	 n;

	s += strspn(s, " \t");
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

static int
env_apply_one(struct config *cfg, const struct env_ref *r, int line,
    const char *key, char *value, struct mh_err *err)
{
	struct conf_origin	 o;

	o.layer = CONF_LAYER_ENV;
	o.where = r->name;
	o.line = line;
	return conf_set(cfg, r->section, key, env_trim(value), &o, err);
}

/* MAILHOP_ALIASES, MAILHOP_ROUTE: "name = value" lines; # ; comments. */
static int
env_apply_lines(struct config *cfg, const struct env_ref *r, char *text,
    struct mh_err *err)
{
	char	*line, *next, *eq, *name;
	int	 lineno = 0;

	for (line = text; line != NULL; line = next) {
		lineno++;
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		line[strcspn(line, "\r")] = '\0';
		name = env_trim(line);
		if (*name == '\0' || *name == '#' || *name == ';')
			continue;
		if ((eq = strchr(name, '=')) == NULL)
			return mh_err_set(err, EX_CONFIG, "%s:%d: expected "
			    "\"%s = %s\"", r->name, lineno,
			    strcmp(r->section, "route") == 0 ? "pattern" :
			    "name", strcmp(r->section, "route") == 0 ?
			    "upstream, ..." : "address, ...");
		*eq = '\0';
		if (env_apply_one(cfg, r, lineno, env_trim(name), eq + 1,
		    err) == -1)
			return -1;
	}
	return 0;
}

static int
env_apply(struct config *cfg, const struct env_ref *r, struct mh_err *err)
{
	const char		*raw = strchr(r->var, '=') + 1;
	char			*value = NULL;
	int			 lines = r->key[0] == '\0', rc;
	struct conf_origin	 o = { CONF_LAYER_ENV, r->name, 0 };
	struct mh_err		 why;

	/* A set-id caller's environment must not pick a command to run. */
	if (r->k != NULL && r->k->type == CK_CMD &&
	    (getuid() != geteuid() || getgid() != getegid()))
		return mh_err_set(err, EX_USAGE, "%s: refused: real and "
		    "effective user or group differ", r->name);
	mh_err_clear(&why);
	if (r->from_file && env_read_file(r, raw, &value, &why) == 0)
		rc = env_check_text(value, lines, &why);
	else if (!r->from_file)
		rc = env_check_text(value = xstrdup(raw), lines, &why);
	else
		rc = -1;
	/* Unusable, in [upstream], [route] or [log]: recorded, not fatal. */
	if (rc == -1)
		rc = conf_fail_at(cfg, r->section, &o, r->key, err, "%s",
		    why.msg);
	else if (lines)
		rc = env_apply_lines(cfg, r, value, err);
	else
		rc = env_apply_one(cfg, r, 0, r->key, value, err);
	if (value != NULL) {
		explicit_bzero(value, strlen(value));
		free(value);
	}
	return rc;
}

/* ---- the layer ---------------------------------------------------- */

static int
env_cmp(const void *a, const void *b)
{
	return strcmp(((const struct env_ref *)a)->name,
	    ((const struct env_ref *)b)->name);
}

/* Two variables for one key (X and X_FILE, password and its _command). */
static int
env_conflict(const struct env_ref *a, const struct env_ref *b)
{
	if (a->k == NULL || b->k == NULL || strcmp(a->section, b->section) != 0)
		return 0;
	return a->k == b->k || (a->k->group != CKG_NONE &&
	    a->k->group == b->k->group);
}

static int
env_check_conflicts(struct config *cfg, const struct env_ref *v, size_t n,
    struct mh_err *err)
{
	struct conf_origin	 o = { CONF_LAYER_ENV, NULL, 0 };
	const char		*what;
	size_t			 i, j;

	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++) {
			if (!env_conflict(&v[i], &v[j]))
				continue;
			what = v[i].k->group == CKG_PASSWORD ? "password" :
			    v[i].k->group == CKG_OAUTH ? "oauth_token" :
			    v[i].key;
			o.where = v[j].name;
			if (conf_fail_at(cfg, v[i].section, &o, v[j].key, err,
			    "%s is set too: keep one way to set %s in [%s]",
			    v[i].name, what, v[i].section) == -1)
				return -1;
		}
	return 0;
}

/* Collect and resolve the MAILHOP_ variables of envp. */
static int
env_collect(char *const *envp, struct env_ref **out, size_t *nout,
    struct mh_err *err)
{
	struct env_ref	*v = NULL, r;
	char		 unknown[ENV_NAME_MAX] = "";
	size_t		 n = 0, len;
	int		 rc;

	for (; envp != NULL && *envp != NULL; envp++) {
		if (strncmp(*envp, ENV_PREFIX, strlen(ENV_PREFIX)) != 0 ||
		    strchr(*envp, '=') == NULL)
			continue;
		memset(&r, 0, sizeof(r));
		r.var = *envp;
		len = (size_t)(strchr(*envp, '=') - *envp);
		/* Too long for any key: unknown (never cut to one that is). */
		if (len >= sizeof(r.name))
			len = sizeof(r.name) - 1;
		memcpy(r.name, *envp, len);
		r.name[len] = '\0';
		rc = *(*envp + len) == '=' ? env_resolve(r.name, &r) : -1;
		if (rc == 0)
			continue;
		/* The first unknown in name order, as the rest is applied. */
		if (rc == -1 && (unknown[0] == '\0' ||
		    strcmp(r.name, unknown) < 0))
			memcpy(unknown, r.name, sizeof(unknown));
		if (rc == -1)
			continue;
		v = xreallocarray(v, n + 1, sizeof(*v));
		v[n++] = r;
	}
	if (unknown[0] != '\0') {
		free(v);
		return mh_err_set(err, EX_CONFIG, "%.100s: unknown variable "
		    "(MAILHOP_<SECTION>_<KEY> must name a key of "
		    "mailhop.conf(5); see ENVIRONMENT in mailhop(8))", unknown);
	}
	/* No MAILHOP_ variable: v is NULL, which qsort() may not be given. */
	if (n > 1)
		qsort(v, n, sizeof(*v), env_cmp);
	*out = v;
	*nout = n;
	return 0;
}

int
conf_load_env_vars(struct config *cfg, char *const *envp, struct mh_err *err)
{
	struct env_ref	*v;
	size_t		 n, i;
	int		 rc = 0;

	if (env_collect(envp, &v, &n, err) == -1)
		return -1;
	if (env_check_conflicts(cfg, v, n, err) == -1)
		rc = -1;
	for (i = 0; i < n && rc == 0; i++)
		rc = env_apply(cfg, &v[i], err);
	free(v);
	return rc;
}

int
conf_load_env(struct config *cfg, struct mh_err *err)
{
	return conf_load_env_vars(cfg, environ, err);
}
