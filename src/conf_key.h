/* SPDX-License-Identifier: MIT */
/*
 * conf_key.h - inside the configuration module only (conf.c, upstream.c,
 * route.c, conf_print.c): the key tables that drive parsing, defaults,
 * origins and printing.  One row per key; a row names the field by its
 * offset in struct config (conf_global_table) or struct upstream
 * (conf_upstream_table).
 */
#ifndef MH_CONF_KEY_H
#define MH_CONF_KEY_H

#include <stddef.h>
#include <sys/stat.h>

#include "conf.h"

enum ck_type {
	CK_STR, CK_HOST, CK_PATH, CK_LOGFILE, CK_SECRET, CK_CMD, CK_BOOL,
	CK_DURATION, CK_SIZE, CK_INT, CK_LONG, CK_ENUM, CK_RETRY, CK_ADDR,
	CK_BOUNCE, CK_PORT, CK_RATE, CK_URL
};

/* Keys that name the same credential: a file sets at most one of them. */
enum ck_group { CKG_NONE, CKG_PASSWORD, CKG_OAUTH };

struct conf_key {
	const char		*section;	/* "upstream" for every upstream */
	const char		*name;
	enum ck_type		 type;
	size_t			 off;	/* offset in the table's struct */
	size_t			 size;	/* of the field, to restore a default */
	long			 min;	/* for numbers and durations */
	long			 max;
	const char *const	*names;	/* CK_ENUM: value -> name, NULL-ended */
	enum ck_group		 group;
};

struct conf_table {
	const struct conf_key	*keys;
	size_t			 nkeys;
	void			(*defaults)(void *);	/* on a zeroed struct */
};

extern const struct conf_table conf_global_table;	/* conf.c */
extern const struct conf_table conf_upstream_table;	/* conf.c */

/* conf_value.c */
int	conf_parse_long(const char *, long min, long max, long *);
void	conf_fmt_duration(char *, size_t, long);
void	conf_fmt_size(char *, size_t, unsigned long long);
void	conf_fmt_rate(char *, size_t, const struct conf_rate *);

/* upstream.c */

extern const char *const conf_tls_names[];
extern const char *const conf_auth_names[];
extern const char *const conf_oauth_names[];

#define CONF_DAYS	86400L
#define CONF_DURATION_MAX (10L * 366 * CONF_DAYS)
#define CONF_SIZE_MAX	(1ULL << 40)

/* The host's name, looked up on first use (conf.c). */
struct conf_cache {
	char	*fqdn;
	char	*domain;	/* its domain part */
};
const char *conf_cache_fqdn(struct conf_cache *);

/*
 * conf_file.c: the checks on a file of configuration, whatever names it
 * (system, user, -C / MAILHOP_CONFIG, a _FILE variable): a regular file
 * owned by the caller or root (else owner_code, naming it after label),
 * writable by no one else (SPEC 2: a group-writable /etc/mailhop.conf
 * lets the group set password_command for every user).  EX_CONFIG.
 */
int	conf_check_stat(const struct stat *, const char *label,
	    const char *path, int owner_code, struct mh_err *);

/* What a file set that the checks on the file depend on (conf_file.c). */
struct conf_found {
	int		 secret_line;	/* a password or token: its line; 0: none */
	int		 cmd_line;	/* the first command key (CK_CMD) set */
	const char	*cmd_key;	/* and its name */
};
/* conf.c, for conf_file.c: parse text as layer; found may be NULL. */
int	conf_parse_text(struct config *, const char *name, enum conf_layer,
	    const char *, size_t, struct conf_found *, struct mh_err *);
/*
 * A mistake found outside the parser (conf_env.c: a _FILE that cannot be
 * read) about key of section, named after o: recorded like the parser's
 * in a delivery-only section (0), else in err (EX_CONFIG, -1).
 */
int	conf_fail_at(struct config *, const char *section,
	    const struct conf_origin *, const char *key, struct mh_err *,
	    const char *, ...) __attribute__((format(printf, 6, 7)));

/* conf_value.c */
int	conf_parse_long(const char *, long min, long max, long *);
void	conf_fmt_duration(char *, size_t, long);
void	conf_fmt_size(char *, size_t, unsigned long long);
void	conf_fmt_rate(char *, size_t, const struct conf_rate *);

/* upstream.c */
struct upstream *upstream_new(const char *name, struct conf_cache *);
void	upstream_free(struct upstream *);
/* [a-z0-9_-]{1,CONF_NAME_MAX}, n bytes of s. */
int	upstream_name_ok(const char *s, size_t n);

#endif
