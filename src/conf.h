/* SPDX-License-Identifier: MIT */
/*
 * conf.h - the configuration: INI files read with inih into one struct
 * config, which is read-only once loaded (the only global-ish state that
 * mailhop has, and it is passed around as const struct config *).
 * Owner: conf.c.  Errors name file, line and key; exit code EX_CONFIG.
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
	CONF_AUTH_CRAM_MD5, CONF_AUTH_XOAUTH2
};
enum conf_deliver {
	CONF_DELIVER_BACKGROUND, CONF_DELIVER_FOREGROUND, CONF_DELIVER_QUEUE
};

struct conf_alias {
	char	*name;		/* the local name, lower case */
	char	*value;		/* an RFC 5322 address list, as written */
	char	*file;		/* where it was set, for error messages */
	int	 line;
};

struct config {
	/* [upstream] */
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
	enum conf_auth	 auth;
	char		*helo;		/* NULL: the host's FQDN */
	long		 timeout;	/* seconds */
	int		 allow_plaintext_auth;
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
	int		 parallel;
	unsigned long long max_size;
	unsigned long long max_header_size;
	long		 max_recipients;
	/* [log] */
	int		 log_syslog;
	char		*log_file;
	/* bookkeeping */
	char		*files[2];	/* files read, in order, for `mailhop config` */
	size_t		 nfiles;
	char		*explicit_path;	/* -C / MAILHOP_CONFIG, passed on to the helper */
	struct conf_cache *cache;	/* host name, looked up on first use */
};

/* Lines longer than this are refused (inih's INI_MAX_LINE 200 less CR LF NUL). */
#define CONF_LINE_MAX	197
/* A configuration file larger than this is refused. */
#define CONF_FILE_MAX	(1024 * 1024)

/* Defaults of SPEC §7. */
void	conf_init(struct config *);
/*
 * Load the configuration.  path is -C FILE (from_cli = 1) or NULL, in which
 * case MAILHOP_CONFIG, else the system file and then the user file, are read.
 * An explicit file is refused (EX_USAGE) when real and effective uid differ or
 * it is not owned by the caller or root; a missing explicit file is
 * EX_NOINPUT; a missing default file is simply skipped.
 */
int	conf_load(struct config *, const char *path, int from_cli, struct mh_err *);
/*
 * Apply one file over what is already in the struct (key by key).  The file
 * must be a regular file owned by the caller or root and not writable by
 * others; if it sets password or oauth_token it must not be readable by
 * group or others.  Missing: EX_NOINPUT; everything else: EX_CONFIG.
 */
int	conf_load_file(struct config *, const char *path, struct mh_err *);
/*
 * Apply INI text held in memory as if it were the file called name, without
 * the checks on the file itself (fuzzing, tests).  Errors as conf_load_file.
 */
int	conf_load_buffer(struct config *, const char *name, const char *,
	    size_t, struct mh_err *);
void	conf_free(struct config *);

/* Effective values. */
int	conf_port(const struct config *);
/* domain, else the domain part of the host's FQDN, else the host name. */
const char *conf_domain(const struct config *);
/* helo, else the host's FQDN. */
const char *conf_helo(const struct config *);
/* Look up a bare local name in [aliases] (case-insensitive); NULL if none. */
const struct conf_alias *conf_alias_find(const struct config *, const char *);

/* Print the effective configuration as INI with secrets masked. */
int	conf_print(const struct config *, struct buf *);

/* Value parsers (also used by tests): 0 on success, -1 on a bad value. */
int	conf_parse_duration(const char *, long *);		/* 30s 15m 2h 5d */
int	conf_parse_size(const char *, unsigned long long *);	/* 512 64K 64M 1G */
int	conf_parse_bool(const char *, int *);		/* yes no true false 1 0 on off */
/* "1m..1h" (first delay .. cap) or one duration for a fixed interval. */
int	conf_parse_retry(const char *, long *min, long *max);

#endif
