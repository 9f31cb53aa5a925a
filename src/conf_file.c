/* SPDX-License-Identifier: MIT */
/*
 * conf_file.c - which configuration files are read, in which order
 * (SPEC 7, 10: system, user, or the -C / MAILHOP_CONFIG file alone, then
 * the environment, conf_env.c), and the checks on each file before its
 * text goes to conf.c's parser: owner, mode, size, secrets only in
 * private files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "conf_key.h"
#include "err.h"
#include "harden.h"
#include "paths.h"
#include "xmem.h"


enum conf_src { CONF_SRC_DEFAULT, CONF_SRC_FILE, CONF_SRC_CLI, CONF_SRC_ENV };

static const char *
conf_src_label(enum conf_src src)
{
	return src == CONF_SRC_CLI ? "-C " : src == CONF_SRC_ENV ?
	    "MAILHOP_CONFIG=" : "";
}

int
conf_check_stat(const struct stat *st, const char *label, const char *path,
    int owner_code, struct mh_err *err)
{
	if (!S_ISREG(st->st_mode))
		return mh_err_set(err, EX_CONFIG, "%s: not a regular file", path);
	if (st->st_uid != getuid() && st->st_uid != 0)
		return mh_err_set(err, owner_code, "%s%s: refused: owned by uid "
		    "%lu, not by you or root", label, path,
		    (unsigned long)st->st_uid);
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return mh_err_set(err, EX_CONFIG, "%s%s: refused: writable by "
		    "group or others (chmod go-w %s)", label, path, path);
	return 0;
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
	return conf_check_stat(st, conf_src_label(src), path, code, err);
}

/*
 * SPEC 2 (revision 2): a file named by -C or MAILHOP_CONFIG may set a key
 * that runs a command (password_command, oauth_token_command, any CK_CMD
 * key) only when root owns it.  Such a name can come from an argument
 * smuggled in by a web application (the CVE-2016-10033 pattern), and a
 * file the caller owns can be an upload: running its command would be
 * code execution as the caller.
 */
static int
conf_check_commands(const struct conf_found *f, const struct stat *st,
    const char *path, enum conf_src src, struct mh_err *err)
{
	if (f->cmd_line == 0 || st->st_uid == 0 ||
	    (src != CONF_SRC_CLI && src != CONF_SRC_ENV))
		return 0;
	return mh_err_set(err, EX_CONFIG, "%s:%d: %s refused: a file named by "
	    "%s may set a command only when root owns it (this one is owned "
	    "by uid %lu); set it in your own mailhop.conf instead", path,
	    f->cmd_line, f->cmd_key, src == CONF_SRC_CLI ? "-C" :
	    "MAILHOP_CONFIG", (unsigned long)st->st_uid);
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

/*
 * A secret set in a file that group or others can read.  The system file
 * must stay readable by every user (SPEC 8): chmod 600 there would stop
 * everyone's mail but root's, so the fix is a password_file beside it
 * that only root and the set-id helper's group read.
 */
static void
conf_secret_exposed(const char *path, enum conf_layer layer, int line,
    struct mh_err *err)
{
	const char	*slash = strrchr(path, '/');
	int		 dirlen = slash != NULL ? (int)(slash - path) : 0;

	if (layer != CONF_LAYER_SYSTEM) {
		mh_err_set(err, EX_CONFIG, "%s:%d: a secret is set in a file "
		    "that group or others can read (chmod 600 %s)", path, line,
		    path);
		return;
	}
	mh_err_set(err, EX_CONFIG, "%s:%d: a secret is set in the system "
	    "configuration, which every user must read: move it to a "
	    "password_file such as %.*s/mailhop/secret (chown root:%s, chmod "
	    "640) and keep %s readable by all (see mailhop.conf(5))", path,
	    line, dirlen, path, paths_group, path);
}

/* 1: missing default file, skipped; 0: applied; -1: error. */
static int
conf_load_one(struct config *cfg, const char *path, enum conf_layer layer,
    enum conf_src src, struct mh_err *err)
{
	struct stat	 st;
	struct conf_found found;
	char		*data = NULL;
	size_t		 len = 0;
	int		 fd, rc = -1;

	/*
	 * SPEC 8: every user reads the system file, so it must stay
	 * readable; the secret belongs in a password_file.  access() asks
	 * with the real ids: the set-id helper's group does not count.
	 */
	if (layer == CONF_LAYER_SYSTEM && access(path, R_OK) == -1 &&
	    errno == EACCES)
		return mh_err_set(err, EX_CONFIG, "%s: you cannot read it: keep "
		    "the system configuration readable by all (chmod 644 %s) "
		    "and put the secret in a password_file that only root and "
		    "the group %s can read (see mailhop.conf(5))", path, path,
		    paths_group);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1 && errno == ENOENT && src == CONF_SRC_DEFAULT)
		return 1;
	if (fd == -1)
		return mh_err_errno(err, src == CONF_SRC_DEFAULT ? EX_CONFIG :
		    EX_NOINPUT, "%s", path);
	if (conf_check_file(fd, path, src, &st, err) == -1 ||
	    conf_read_fd(fd, path, &data, &len, err) == -1 ||
	    conf_parse_text(cfg, path, layer, data, len, &found, err) == -1 ||
	    conf_check_commands(&found, &st, path, src, err) == -1)
		goto done;
	if (found.secret_line != 0 && (st.st_mode & (S_IRGRP | S_IROTH))) {
		conf_secret_exposed(path, layer, found.secret_line, err);
		goto done;
	}
	/* A process that holds a password keeps it out of core dumps. */
	if (found.secret_line != 0 && harden_nodump(err) == -1)
		goto done;
	cfg->files = xreallocarray(cfg->files, cfg->nfiles + 1,
	    sizeof(*cfg->files));
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
conf_load_file(struct config *cfg, const char *path, enum conf_layer layer,
    struct mh_err *err)
{
	return conf_load_one(cfg, path, layer, CONF_SRC_FILE, err);
}

int
conf_load_system(struct config *cfg, struct mh_err *err)
{
	return conf_load_one(cfg, paths_sysconf_file, CONF_LAYER_SYSTEM,
	    CONF_SRC_DEFAULT, err) == -1 ? -1 : 0;
}

/*
 * $XDG_CONFIG_HOME/mailhop/mailhop.conf, else ~/.config/mailhop/...: the
 * caller's own (conf_own_dir()), so that a HOME or XDG_CONFIG_HOME left
 * over from another account never stops the caller's mail.
 */
static char *
conf_user_path(void)
{
	const char	*xdg, *home;

	xdg = getenv("XDG_CONFIG_HOME");
	if (conf_own_dir(xdg))
		return xasprintf("%s/mailhop/mailhop.conf", xdg);
	home = conf_home();
	if (home == NULL)
		return NULL;
	return xasprintf("%s/.config/mailhop/mailhop.conf", home);
}

int
conf_load_user(struct config *cfg, struct mh_err *err)
{
	char	*user;
	int	 rc;

	if ((user = conf_user_path()) == NULL)
		return 0;
	rc = conf_load_one(cfg, user, CONF_LAYER_USER, CONF_SRC_DEFAULT, err);
	free(user);
	return rc == -1 ? -1 : 0;
}

int
conf_load_explicit(struct config *cfg, const char *path, int from_cli,
    struct mh_err *err)
{
	enum conf_src	 src = from_cli ? CONF_SRC_CLI : CONF_SRC_ENV;

	/*
	 * A set-id caller (a web server's helper, say) must not let its
	 * user pick a file that can run password_command.
	 */
	if (getuid() != geteuid() || getgid() != getegid())
		return mh_err_set(err, EX_USAGE, "%s%s: refused: real and "
		    "effective user or group differ", conf_src_label(src),
		    path);
	if (conf_load_one(cfg, path, CONF_LAYER_EXPLICIT, src, err) == -1)
		return -1;
	free(cfg->explicit_path);
	cfg->explicit_path = xstrdup(path);
	return 0;
}

const char *
conf_env_path(void)
{
	const char	*env = getenv("MAILHOP_CONFIG");

	return env != NULL && *env != '\0' ? env : NULL;
}

int
conf_load(struct config *cfg, const char *path, int from_cli,
    struct mh_err *err)
{
	const char	*env;

	if (path == NULL && (env = conf_env_path()) != NULL) {
		path = env;
		from_cli = 0;
	}
	if (path != NULL) {
		if (conf_load_explicit(cfg, path, from_cli, err) == -1)
			return -1;
	} else if (conf_load_system(cfg, err) == -1 ||
	    conf_load_user(cfg, err) == -1)
		return -1;
	if (conf_load_env(cfg, err) == -1)
		return -1;
	return conf_finish(cfg, err);
}

