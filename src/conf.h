/* SPDX-License-Identifier: MIT */
/*
 * conf.h - the configuration: INI files read with inih into one struct
 * config, which is read-only once loaded (the only global-ish state that
 * mailhop has, and it is passed around as const struct config *).
 * Owner: conf.c (loader), upstream.c (the upstream key table), route.c
 * ([route] patterns), conf_print.c (`mailhop config`).  Errors name file,
 * line and key; exit code EX_CONFIG.
 *
 * Layers (SPEC 7, 10), each applied key by key over the ones before:
 * built-in defaults, the system file, the user file (or, replacing both,
 * the -C / MAILHOP_CONFIG file), then the environment.  Every key of
 * every section remembers which layer set it (struct conf_origin).
 *
 * Two kinds of mistakes (SPEC 7, revision 2): one in [sender], [aliases],
 * [queue], outside any section, or in the file itself (syntax, control
 * bytes, a long line, an unknown section, the file checks) fails the load.
 * One in a section that only delivery uses ([upstream], [upstream.NAME],
 * [route], [log]) does not: the first such error is kept in the config
 * (conf_delivery_error()), the rest of the file is still read, and the
 * front end queues as usual; delivery, `mailhop config` and `mailhop test`
 * report it.
 */
#ifndef MH_CONF_H
#define MH_CONF_H

#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "err.h"

enum conf_tls { CONF_TLS_STARTTLS, CONF_TLS_IMPLICIT, CONF_TLS_NONE };
enum conf_auth {
	CONF_AUTH_AUTO, CONF_AUTH_PLAIN, CONF_AUTH_LOGIN,
	CONF_AUTH_CRAM_MD5, CONF_AUTH_XOAUTH2, CONF_AUTH_OAUTHBEARER
};
/* oauth_provider: who issues the refresh token (SPEC 12; oauth.c). */
enum conf_oauth {
	CONF_OAUTH_NONE, CONF_OAUTH_MICROSOFT, CONF_OAUTH_GOOGLE,
	CONF_OAUTH_CUSTOM
};
enum conf_deliver {
	CONF_DELIVER_BACKGROUND, CONF_DELIVER_FOREGROUND, CONF_DELIVER_QUEUE
};
enum conf_log_format { CONF_LOG_TEXT, CONF_LOG_JSON };

/* Where a value came from, weakest first. */
enum conf_layer {
	CONF_LAYER_DEFAULT,	/* built in */
	CONF_LAYER_SYSTEM,	/* SYSCONFDIR/mailhop.conf */
	CONF_LAYER_USER,	/* $XDG_CONFIG_HOME/mailhop/mailhop.conf */
	CONF_LAYER_EXPLICIT,	/* -C FILE or MAILHOP_CONFIG=FILE */
	CONF_LAYER_ENV		/* MAILHOP_<SECTION>_<KEY> (SPEC 10) */
};

struct conf_origin {
	enum conf_layer	 layer;
	const char	*where;	/* file or variable (owned by the config); NULL: default */
	int		 line;	/* 0 for defaults and variables */
};

/* Longest upstream name ([upstream.NAME]: [a-z0-9_-]{1,32}). */
#define CONF_NAME_MAX	32

/* rate = N/s|m|h|d: at most count messages in any window seconds. */
struct conf_rate {
	long	 count;		/* 0: no limit */
	long	 window;	/* seconds: 1, 60, 3600 or 86400 */
};

/*
 * One upstream: [upstream] (named "default") or [upstream.NAME].  To add
 * a key: a field here, one row in upstream.c's table (and its default).
 */
struct upstream {
	char		*name;		/* "default" or NAME */
	char		*host;
	int		 port;		/* 0: from tls (587 / 465 / 25) */
	enum conf_tls	 tls;
	int		 tls_verify;
	char		*ca_file;
	char		*client_cert;
	char		*client_key;
	char		*user;
	char		*password;	/* secret: never printed or logged */
	char		*password_file;
	char		*password_command;
	char		*oauth_token;	/* secret */
	char		*oauth_token_command;
	/* OAuth2 that refreshes itself (SPEC 12; oauth.c, oauth_login.c) */
	enum conf_oauth	 oauth_provider;	/* NONE: no refresh */
	char		*oauth_tenant;	/* microsoft: NULL means "common" */
	char		*oauth_token_url;	/* https://; NULL: the preset's */
	char		*oauth_device_url;
	char		*oauth_authorize_url;
	char		*oauth_ca_file;	/* NULL: ca_file */
	char		*oauth_scope;	/* NULL: the preset's */
	char		*oauth_client_id;
	char		*oauth_client_secret_file;	/* NULL: a public client */
	char		*oauth_refresh_token_file;	/* written by oauth login */
	enum conf_auth	 auth;
	char		*helo;		/* NULL: the host's FQDN */
	long		 timeout;	/* seconds; default 60 (here only) */
	int		 allow_plaintext_auth;
	struct conf_rate rate;
	long		 down_time;	/* seconds marked down after a failure */
	long		 max_per_connection;	/* 0: no limit */
	/* bookkeeping */
	struct conf_origin *origin;	/* per key of the upstream table */
	struct conf_origin section;	/* where its [section] first appeared */
	struct conf_cache *cache;	/* the config's host-name cache */
};

struct conf_alias {
	char	*name;		/* the local name, lower case */
	char	*value;		/* an RFC 5322 address list, as written */
	char	*file;		/* where it was set, for error messages */
	int	 line;
};

/* The first delivery-only mistake (see above). */
struct conf_problem {
	struct mh_err	 err;	/* EX_CONFIG, "FILE:LINE: what (key, section)" */
	const char	*where;	/* file or variable */
	int		 line;
	char		 key[64];	/* the key, pattern or section at fault */
};

struct route;

struct config {
	/* [upstream], [upstream.NAME]: upstreams[0] is "default", always there */
	struct upstream	**upstreams;
	size_t		 nupstreams;
	/* [route] (route.h), most specific first; none: default alone */
	struct route	*routes;
	size_t		 nroutes;
	/* [sender] */
	char		*from;
	char		*domain;	/* NULL: the host's domain (conf_domain) */
	int		 force_from;
	char		*bounce_sender;	/* "" is the null sender <> */
	/* [aliases] */
	struct conf_alias *aliases;
	size_t		 naliases;
	/* [queue] */
	char		*dir;		/* NULL: SPEC §5 default locations */
	enum conf_deliver deliver;
	long		 retry_min;	/* seconds */
	long		 retry_max;	/* seconds */
	long		 max_age;	/* seconds */
	long		 failed_keep;	/* seconds */
	long		 linger;	/* seconds a -odb delivery stays; 0: off */
	int		 parallel;
	unsigned long long max_size;
	unsigned long long max_header_size;
	long		 max_recipients;
	/* [log] */
	int		 log_syslog;
	char		*log_file;	/* a path, or "-" for stderr */
	enum conf_log_format log_format;
	/* bookkeeping */
	struct conf_origin *origin;	/* per key of conf.c's table */
	struct conf_problem problem;	/* err.exit == 0: none */
	char		**files;	/* files read, in order, for `mailhop config` */
	size_t		 nfiles;
	char		**names;	/* what origins point at (owned) */
	size_t		 nnames;
	char		*explicit_path;	/* -C / MAILHOP_CONFIG, passed on to the helper */
	struct conf_cache *cache;	/* host name, looked up on first use */
};

/* Lines longer than this are refused (inih's INI_MAX_LINE 200 less CR LF NUL). */
#define CONF_LINE_MAX	197
/* A configuration file larger than this is refused. */
#define CONF_FILE_MAX	(1024 * 1024)

/* Defaults of SPEC §7, and the upstream "default" with no host. */
void	conf_init(struct config *);
void	conf_free(struct config *);

/*
 * The whole load: the explicit file (path from -C when from_cli, else
 * path or MAILHOP_CONFIG), else the system file and then the user file;
 * then the environment; then conf_finish().  -1 only for a mistake that
 * stops queueing (see above); a delivery-only one is recorded.
 */
int	conf_load(struct config *, const char *path, int from_cli, struct mh_err *);
/*
 * The same, step by step (the set-id helper reads the system layer, then
 * drops privileges, then the rest).  A missing system or user file is
 * skipped.  conf_load_explicit() replaces the system and user files: call
 * it instead of them, never after.  An explicit file is refused (EX_USAGE)
 * when real and effective ids differ or it is owned by neither the caller
 * nor root; missing, it is EX_NOINPUT.  Call conf_finish() after the last.
 */
int	conf_load_system(struct config *, struct mh_err *);
int	conf_load_user(struct config *, struct mh_err *);
int	conf_load_explicit(struct config *, const char *path, int from_cli,
	    struct mh_err *);
/* MAILHOP_CONFIG when set and not empty, else NULL. */
const char *conf_env_path(void);
/*
 * The environment layer (SPEC 10, conf_env.c): every MAILHOP_<SECTION>_<KEY>
 * (and _FILE) variable of environ, or of envp (a NULL-ended "NAME=VALUE"
 * array: the set-id helper's copy, taken before it clears its
 * environment), applied over the files with the variable as the origin.
 * An unknown MAILHOP_ variable, two variables for one key, or a _FILE
 * that cannot be read: EX_CONFIG naming the variable.  A bad value fails
 * or is recorded as a file's would be (see above).
 */
int	conf_load_env(struct config *, struct mh_err *);
int	conf_load_env_vars(struct config *, char *const *envp, struct mh_err *);
/* Checks across layers (a route naming an upstream no layer defines). */
int	conf_finish(struct config *, struct mh_err *);

/*
 * Apply one file as the given layer, key by key over what is loaded.  The
 * file must be a regular file owned by the caller or root and writable by
 * no one else; if it sets password or oauth_token it must not be readable
 * by group or others.  Missing: EX_NOINPUT; else EX_CONFIG.  (A -C or
 * MAILHOP_CONFIG file may set a command key only when root owns it.)
 */
int	conf_load_file(struct config *, const char *path, enum conf_layer,
	    struct mh_err *);
/*
 * Apply INI text held in memory as if it were the file called name (layer
 * CONF_LAYER_EXPLICIT), without the checks on the file itself (fuzzing,
 * tests).  Errors as conf_load_file.
 */
int	conf_load_buffer(struct config *, const char *name, const char *,
	    size_t, struct mh_err *);
/*
 * Set one key as if a file had said `key = value` in [section] ("upstream",
 * "upstream.NAME", "sender", "aliases", "route", ...), with the origin
 * (layer, where, line) given: the environment layer's way in.  Errors as
 * for a file, named after where (and line when not 0).
 */
int	conf_set(struct config *, const char *section, const char *key,
	    const char *value, const struct conf_origin *, struct mh_err *);

/* The first delivery-only mistake, or NULL (see above). */
const struct mh_err *conf_delivery_error(const struct config *);

/* The upstream called name ("default" for [upstream]), or NULL. */
const struct upstream *conf_upstream(const struct config *, const char *name);
/* [upstream], always there (its host may be unset). */
const struct upstream *conf_upstream_default(const struct config *);
/*
 * The set-id helper's question (SPEC 8): did a layer other than the
 * system file set a key of up?  Returns the origin of the first such key
 * (in table order) and its name in *key, or NULL when none did.
 */
const struct conf_origin *conf_upstream_overridden(const struct config *,
	    const struct upstream *, const char **key);
/* "FILE:LINE", "VARIABLE" or "default", for messages. */
void	conf_origin_format(const struct conf_origin *, char *, size_t);

/* Effective values of an upstream. */
int	upstream_port(const struct upstream *);
/* helo, else the host's FQDN. */
const char *upstream_helo(const struct upstream *);
/* "[upstream]" or "[upstream.NAME]", for messages. */
const char *upstream_section(const struct upstream *, char *, size_t);
/* Where up's key (a name of the upstream table) was set; NULL: no such key. */
const struct conf_origin *upstream_origin(const struct upstream *,
	    const char *key);

/* domain, else the domain part of the host's FQDN, else the host name. */
const char *conf_domain(const struct config *);
/*
 * The caller's home: $HOME when it names a directory of the caller's, else
 * the password database's (a HOME inherited from another account -- sudo
 * -u www-data, a daemon started from root's shell, cron's bare
 * environment -- is not the caller's).  NULL if neither is absolute.
 */
const char *conf_home(void);
/*
 * Whether path may locate the caller's files: absolute, and a directory of
 * the caller's or not there yet (it will be made as the caller).  An
 * XDG_* or HOME variable that fails this is someone else's and is passed
 * over.
 */
int	conf_own_dir(const char *path);
/* Look up a bare local name in [aliases] (case-insensitive); NULL if none. */
const struct conf_alias *conf_alias_find(const struct config *, const char *);

/*
 * Print the effective configuration as INI with secrets masked, each
 * value followed by its origin ("; FILE:LINE", "; default"): every
 * upstream, the routes, then the other sections.  (conf_print.c)
 */
int	conf_print(const struct config *, struct buf *);
/*
 * What `mailhop config` adds from outside conf.c (issue 12): the spool
 * directory as spool.c resolves it and why (spool_describe()), and where
 * delivery lines go (log_describe()).  conf_print_resolved() prints them
 * as the value of an unset [queue] dir (else on a comment line after it)
 * and on a comment line closing [log].
 */
struct conf_resolved {
	const char	*spool;		/* the directory, or why there is none */
	const char	*spool_why;	/* "$XDG_STATE_HOME/mailhop", ... */
	const char	*log;		/* "syslog (facility mail) and FILE", ... */
};
int	conf_print_resolved(const struct config *,
	    const struct conf_resolved *, struct buf *);

/*
 * How many connections a flush may use: [queue] parallel where a file or
 * the environment set it, else CONF_PARALLEL_AUTO (relay.c opens a second
 * connection only while many messages wait).
 */
#define CONF_PARALLEL_AUTO	0
int	conf_parallel(const struct config *);

/* Value parsers (also used by tests): 0 on success, -1 on a bad value. */
int	conf_parse_duration(const char *, long *);		/* 30s 15m 2h 5d */
int	conf_parse_size(const char *, unsigned long long *);	/* 512 64K 64M 1G */
int	conf_parse_bool(const char *, int *);		/* yes no true false 1 0 on off */
/* "1m..1h" (first delay .. cap) or one duration for a fixed interval. */
int	conf_parse_retry(const char *, long *min, long *max);
/* "14/s", "100/m", "500/h", "2000/d". */
int	conf_parse_rate(const char *, struct conf_rate *);

#endif
