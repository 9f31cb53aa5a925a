/* SPDX-License-Identifier: MIT */
/*
 * deliver_main.c - mailhop-deliver, the delivery helper the front end
 * runs for -q, -odi, -odb, `mailhop flush` and `mailhop test`.  It alone
 * links libcurl and OpenSSL.  Like main.c, it is the only place here that
 * prints an error and picks the exit status.
 *
 *	mailhop-deliver OPERATION [OPTION...]
 *
 * The command line is a struct request (request.h) and nothing else.
 * Installed setgid to the mailhop group, it follows SPEC 8 step by step
 * (setid.h): clean start, the system configuration and its secrets read
 * with the group, the group dropped for good, then the caller's files.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "deliver.h"
#include "err.h"
#include "fsio.h"
#include "harden.h"
#include "launch.h"
#include "oauth.h"
#include "oauth_login.h"
#include "paths.h"
#include "relay.h"
#include "relayset.h"
#include "request.h"
#include "secret.h"
#include "setid.h"
#include "spool.h"
#include "spools.h"
#include "state.h"
#include "uptest.h"
#include "xmem.h"

/* Names of upstreams of the system configuration that hold a secret. */
struct dm_priv {
	char	**names;
	size_t	 n;
};

/* ---- the system upstreams' shared rate windows (SPEC 8, 9) ---- */

/*
 * SPOOLROOT/.state holds rate.NAME (+ .lock) for each upstream of the
 * system file with a rate, one window for every user: root:mailhop 0770,
 * made by root (flush --all), files made by root only (state_pin()).
 * The set-id helper opens them with its group, before the drop, and keeps
 * the descriptors; a user can neither open, create nor replace them.
 */
#define DM_SHARED_DIR	".state"

struct dm_shared {
	struct state		 st;
	struct relayset_home	*homes;		/* for deliver_run() */
	size_t			 n;
};

/* An upstream with a rate whose section is the system file's ([upstream]: built in). */
static int
dm_shared_wanted(const struct upstream *up)
{
	return up->rate.count > 0 && (up->section.layer == CONF_LAYER_SYSTEM ||
	    up->section.layer == CONF_LAYER_DEFAULT);
}

/* Pin rate.NAME of each such upstream of cfg; create: root makes them. */
static void
dm_shared_pin(struct dm_shared *sh, const struct config *cfg, int create,
    gid_t gid)
{
	struct mh_err	 err;
	char		 name[STATE_NAME_MAX + 1];
	size_t		 i;

	for (i = 0; i < cfg->nupstreams; i++) {
		if (!dm_shared_wanted(cfg->upstreams[i]))
			continue;
		snprintf(name, sizeof(name), "rate.%s",
		    cfg->upstreams[i]->name);
		if (state_pin(&sh->st, name, create, gid, &err) != 0)
			continue;	/* the user's own window, then */
		sh->homes = xreallocarray(sh->homes, sh->n + 1,
		    sizeof(*sh->homes));
		sh->homes[sh->n].upstream = xstrdup(cfg->upstreams[i]->name);
		sh->homes[sh->n++].state = &sh->st;
	}
}

/* The set-id helper, with its group: open what root made. */
static void
dm_shared_open(struct dm_shared *sh, const struct setid *id,
    const struct config *cfg)
{
	struct stat	 sb;
	char		*path;
	int		 fd;

	path = xasprintf("%s/%s", paths_spool_root, DM_SHARED_DIR);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	free(path);
	if (fd == -1)
		return;
	if (fstat(fd, &sb) == -1 || sb.st_uid != 0 || sb.st_gid != id->group ||
	    (sb.st_mode & 07777) != 0770) {
		close(fd);
		return;
	}
	state_adopt(&sh->st, fd);
	dm_shared_pin(sh, cfg, 0, 0);
}

static void
dm_shared_free(struct dm_shared *sh)
{
	size_t	 i;

	for (i = 0; i < sh->n; i++)
		free((char *)sh->homes[i].upstream);
	free(sh->homes);
	sh->homes = NULL;
	sh->n = 0;
	state_close(&sh->st);
}

/* Root (flush --all): make the directory and the files the helpers pin. */
static void
dm_shared_make(const struct config *cfg)
{
	struct dm_shared sh = { { -1, NULL, 0 }, NULL, 0 };
	struct group	*gr;
	struct stat	 sb;
	char		*path;
	int		 fd;

	if ((gr = getgrnam(paths_group)) == NULL ||
	    lstat(paths_spool_root, &sb) == -1 || !S_ISDIR(sb.st_mode))
		return;
	path = xasprintf("%s/%s", paths_spool_root, DM_SHARED_DIR);
	(void)mkdir(path, 0770);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	free(path);
	if (fd == -1 || fchown(fd, 0, gr->gr_gid) == -1 ||
	    fchmod(fd, 0770) == -1) {
		if (fd != -1)
			close(fd);
		return;
	}
	state_adopt(&sh.st, fd);
	dm_shared_pin(&sh, cfg, 1, gr->gr_gid);
	dm_shared_free(&sh);
}

/*
 * Peak memory (doc/PERFORMANCE.md).  Debian's libcurl links librtmp,
 * which links GnuTLS, and GnuTLS initialises itself in a library
 * constructor, before main(): about 0.7 MB of resident memory for a
 * library mailhop never calls.  GnuTLS skips that when
 * GNUTLS_NO_IMPLICIT_INIT=1 is in the environment at start-up, so the
 * front end (launch.c) starts us with it set and a marker saying it did;
 * we take both out again at once: password_command's children may use
 * GnuTLS and get the environment the user gave, nothing more.
 */
static void
dm_env_restore(void)
{
	if (getenv(LAUNCH_GNUTLS_MARK) == NULL)
		return;		/* not set by us: the user's own setting */
	unsetenv(LAUNCH_GNUTLS_MARK);
	unsetenv(LAUNCH_GNUTLS_VAR);
}

/* flush --watch on SIGHUP: the same load as at start-up. */
static int
dm_reload(struct config *cfg, const struct request *req, struct mh_err *err)
{
	return conf_load(cfg, req->config, req->config != NULL, err);
}

/*
 * Set-id, the system's secrets were read with the group, and the caller's
 * layers checked against them, before the drop (dm_config): a reload
 * now could point a held secret at an upstream the caller changed.
 */
static int
dm_reload_setid(struct config *cfg, const struct request *req,
    struct mh_err *err)
{
	(void)cfg;
	(void)req;
	return mh_err_set(err, EX_CONFIG, "the helper runs set-id: restart "
	    "flush --watch to read the configuration again");
}

static int
dm_flush(const struct request *req, const struct config *cfg,
    deliver_reload_fn *reload, const struct dm_shared *shared,
    struct mh_err *err)
{
	struct spool		 sp;
	struct deliver_stats	 st;
	int			 rc;

	if (req->only_id != NULL && !spool_id_valid(req->only_id))
		return mh_err_set(err, EX_NOUSER, "queue id \"%.40s\" not found",
		    req->only_id);
	if (req->spool != NULL)
		rc = spool_open_dir(&sp, req->spool, err);
	else
		rc = spool_open(&sp, cfg, err);
	if (rc == -1 && err->reason == MH_REASON_SPOOL_ROOT) {
		/* Never made, so nothing is queued in it. */
		spool_close(&sp);
		return 0;
	}
	if (rc == -1)
		return -1;
	rc = deliver_run(&sp, cfg, req, req->watch ? reload : NULL,
	    shared->homes, shared->n, &st, err);
	spool_close(&sp);
	if (rc == -1)
		return -1;
	/* --watch ends on SIGTERM or SIGINT, after its last transaction. */
	if (req->watch)
		return 0;
	/*
	 * A mistake in a delivery-only section: recorded on every due entry
	 * as its last reply; `mailhop flush` says it (78).  -odi and -qI
	 * stay with the deferral path: their entry is queued.
	 */
	if (conf_delivery_error(cfg) != NULL && req->only_id == NULL) {
		*err = *conf_delivery_error(cfg);
		return -1;
	}
	if (st.deferred == 0)
		return 0;
	if (req->report) {
		/*
		 * -odi: the message is queued, so the exit is 0 (SPEC §3: a
		 * caller that retries on non-zero must never send it twice);
		 * what happened is on stderr, each recipient above.
		 */
		fprintf(stderr, "mailhop: %s: queued, not yet delivered (%lu "
		    "recipient%s deferred; mailhop will retry)\n", req->only_id,
		    st.deferred, st.deferred == 1 ? "" : "s");
		return 0;
	}
	return mh_err_set(err, EX_TEMPFAIL, "%lu recipient%s deferred, "
	    "still queued", st.deferred, st.deferred == 1 ? "" : "s");
}

static int
dm_test(const struct request *req, const struct config *cfg,
    struct mh_err *err)
{
	return uptest_run(cfg, req, err);
}

/* `mailhop oauth login [NAME]`: on the terminal the front end had. */
static int
dm_oauth_login(const struct request *req, const struct config *cfg,
    struct mh_err *err)
{
	const char		*name = req->upstream != NULL ? req->upstream :
				    "default";
	const struct upstream	*up;
	char			 sect[64];

	if (conf_delivery_error(cfg) != NULL) {
		*err = *conf_delivery_error(cfg);
		return -1;
	}
	if ((up = conf_upstream(cfg, name)) == NULL)
		return mh_err_set(err, EX_USAGE, "oauth login: no upstream "
		    "\"%.40s\" ([upstream.%.40s] is not in the configuration)",
		    name, name);
	if (!oauth_enabled(up))
		return mh_err_set(err, EX_CONFIG, "oauth login: %s has no "
		    "oauth_provider (see mailhop.conf(5), OAuth2)",
		    upstream_section(up, sect, sizeof(sect)));
	return oauth_login(up, stdout, err);
}

/* ---- the configuration, with the set-id steps of SPEC 8 ---- */

/* An upstream whose secret the group may be needed for. */
static int
dm_has_secret(const struct upstream *up)
{
	return (up->user != NULL && up->user[0] != '\0') ||
	    (up->client_key != NULL && up->client_key[0] != '\0');
}

/*
 * Which upstreams of the system layer does the caller's configuration
 * change?  A child that has dropped the group reads the caller's files
 * and answers one byte per upstream.  The answer can only make us read
 * less (we check again ourselves after our own drop), so a child that
 * fails means "all of them": nothing is read with the group.
 */
static void
dm_precheck(struct setid *id, struct config *cfg, unsigned char *changed)
{
	struct mh_err	 err;
	size_t		 i, n = cfg->nupstreams;
	pid_t		 pid;
	int		 p[2], status;

	memset(changed, 1, n);
	if ((pid = launch_fork(p, &err)) == -1)
		return;
	if (pid == 0) {
		if (setid_drop(id, &err) == 0) {
			setid_env_restore(id);
			if (conf_load_user(cfg, &err) == 0 &&
			    conf_load_env(cfg, &err) == 0)
				for (i = 0; i < n; i++)
					changed[i] = conf_upstream_overridden(
					    cfg, cfg->upstreams[i], NULL) !=
					    NULL;
			fsio_write_all(p[1], changed, n);
		}
		_exit(0);
	}
	if (fsio_read_full(p[0], changed, n) != (ssize_t)n)
		memset(changed, 1, n);
	close(p[0]);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
}

/* With the group: the secrets of the system's upstreams nobody changed. */
static void
dm_hold(struct setid *id, struct config *cfg, struct dm_priv *priv)
{
	unsigned char	*changed;
	size_t		 i;

	changed = xcalloc(cfg->nupstreams + 1, 1);
	dm_precheck(id, cfg, changed);
	for (i = 0; i < cfg->nupstreams; i++) {
		if (!dm_has_secret(cfg->upstreams[i]))
			continue;
		priv->names = xreallocarray(priv->names, priv->n + 1,
		    sizeof(*priv->names));
		priv->names[priv->n++] = xstrdup(cfg->upstreams[i]->name);
		if (!changed[i])
			secret_hold(cfg->upstreams[i]);
	}
	free(changed);
}

/*
 * After the drop and the caller's layers: a system upstream with a secret
 * that another layer changed is refused, whatever was read for it.
 */
static void
dm_refuse(const struct config *cfg, const struct dm_priv *priv)
{
	const struct conf_origin	*o;
	const struct upstream		*up;
	const char			*key;
	char				 where[300], sect[64], why[MH_ERR_MSG];
	size_t				 i;

	for (i = 0; i < priv->n; i++) {
		up = conf_upstream(cfg, priv->names[i]);
		if (up == NULL || (o = conf_upstream_overridden(cfg, up,
		    &key)) == NULL)
			continue;
		conf_origin_format(o, where, sizeof(where));
		snprintf(why, sizeof(why), "%s is the system's and holds its "
		    "secret, but %s sets its key \"%s\": nothing is sent "
		    "through it (remove that; for a server of your own, use "
		    "[upstream.NAME] and [route])",
		    upstream_section(up, sect, sizeof(sect)), where, key);
		secret_refuse(up->name, why);
	}
}

static void
dm_priv_free(struct dm_priv *priv)
{
	size_t	 i;

	for (i = 0; i < priv->n; i++)
		free(priv->names[i]);
	free(priv->names);
	priv->names = NULL;
	priv->n = 0;
}

/*
 * Load the configuration for req.  Set-id: the system layer and its
 * secrets with the group, then the drop, then the caller's layers; with
 * -C or MAILHOP_CONFIG the system file is not read at all, so nothing is
 * read with the group.
 */
static int
dm_config(struct setid *id, const struct request *req, struct config *cfg,
    struct dm_shared *shared, struct mh_err *err)
{
	struct dm_priv	 priv = { NULL, 0 };
	const char	*explicit = req->config;
	int		 rc;

	if (!id->active)
		return conf_load(cfg, req->config, req->config != NULL, err);
	if (explicit == NULL && (explicit = setid_saved(id,
	    "MAILHOP_CONFIG")) != NULL && explicit[0] == '\0')
		explicit = NULL;
	if (explicit != NULL) {
		if (setid_drop(id, err) == -1)
			return -1;
		setid_env_restore(id);
		return conf_load(cfg, explicit, req->config != NULL, err);
	}
	rc = conf_load_system(cfg, err);
	if (rc == 0) {
		dm_hold(id, cfg, &priv);
		dm_shared_open(shared, id, cfg);
	}
	if (setid_drop(id, err) == -1) {
		dm_priv_free(&priv);
		return -1;
	}
	setid_env_restore(id);
	if (rc == 0 && (conf_load_user(cfg, err) == -1 ||
	    conf_load_env(cfg, err) == -1 || conf_finish(cfg, err) == -1))
		rc = -1;
	if (rc == 0)
		dm_refuse(cfg, &priv);
	dm_priv_free(&priv);
	return rc;
}

/* ---- mkspool: the caller's directory in the system spool root ---- */

/*
 * The name must be the caller's: their account name, or their uid in
 * decimal when that is no other account's name (so that uid 1001 cannot
 * take the directory of a user called "1001").
 */
static int
dm_own_name(uid_t uid, const char *name)
{
	struct passwd	*pw;
	char		*mine;
	int		 ok;

	mine = spool_user_leaf(uid, 0);
	ok = mine != NULL && strcmp(mine, name) == 0;
	free(mine);
	if (ok)
		return 1;
	mine = spool_user_leaf(uid, 1);
	ok = strcmp(mine, name) == 0 && ((pw = getpwnam(name)) == NULL ||
	    pw->pw_uid == uid);
	free(mine);
	return ok;
}

/* The system spool root as make install leaves it: 1731 root:GROUP. */
static int
dm_root_check(int rootfd, const struct setid *id, struct mh_err *err)
{
	struct stat	 st;

	if (fstat(rootfd, &st) == -1)
		return mh_err_errno(err, EX_CANTCREAT, "%s", paths_spool_root);
	if (!S_ISDIR(st.st_mode) || st.st_uid != 0 ||
	    !(st.st_mode & S_ISVTX) || (st.st_mode & (S_IROTH | S_IWOTH)) ||
	    (id->active && st.st_gid != id->group))
		return mh_err_set(err, EX_CANTCREAT, "%s must be a directory "
		    "of mode 1731, owner root, group %s (make install sets "
		    "it up)", paths_spool_root, paths_group);
	return 0;
}

/* With the group: ROOT/NAME made when missing, and opened; -1 with err. */
static int
dm_mkspool_make(const struct setid *id, const char *name, struct mh_err *err)
{
	int	 rootfd, fd = -1;

	/* Only the 1731 root's w+x bits are used: O_PATH, no read. */
	rootfd = open(paths_spool_root, O_PATH | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (rootfd == -1)
		return mh_err_errno(err, EX_CANTCREAT, "%s", paths_spool_root);
	if (dm_root_check(rootfd, id, err) == -1)
		goto done;
	if (mkdirat(rootfd, name, 0700) == -1 && errno != EEXIST) {
		if (errno == EACCES && !id->active)
			mh_err_set(err, EX_CANTCREAT, "%s/%s: permission "
			    "denied: mailhop-deliver is not set-id to the group "
			    "%s (make install sets it up)", paths_spool_root,
			    name, paths_group);
		else
			mh_err_errno(err, EX_CANTCREAT, "%s/%s",
			    paths_spool_root, name);
		goto done;
	}
	fd = openat(rootfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd == -1)
		mh_err_errno(err, EX_CANTCREAT, "%s/%s", paths_spool_root,
		    name);
done:
	close(rootfd);
	return fd;
}

static int
dm_mkspool(struct setid *id, const struct request *req, struct mh_err *err)
{
	struct stat	 st;
	int		 fd, rc = -1;

	if (req->name == NULL || !dm_own_name(id->uid, req->name)) {
		setid_drop(id, err);
		return mh_err_set(err, EX_NOPERM, "mkspool: \"%.64s\" is not "
		    "your user name or uid", req->name != NULL ? req->name :
		    "");
	}
	fd = dm_mkspool_make(id, req->name, err);
	if (setid_drop(id, err) == -1 || fd == -1)
		goto done;
	if (fstat(fd, &st) == -1 || st.st_uid != id->uid) {
		mh_err_set(err, EX_CANTCREAT, "%s/%s is not yours",
		    paths_spool_root, req->name);
		goto done;
	}
	/*
	 * The caller's own group (the directory got the mailhop group from
	 * our effective gid; 0700 gives it nothing, but it is not its).
	 * The new name in the root must be durable before the front end
	 * queues into it and exits 0: the root is not ours to open for an
	 * fsync, so the whole file system is synced (once per user, ever).
	 */
	if (st.st_gid != id->gid)
		(void)fchown(fd, (uid_t)-1, id->gid);
	if (fsync(fd) == -1 || syncfs(fd) == -1) {
		mh_err_errno(err, EX_TEMPFAIL, "%s/%s", paths_spool_root,
		    req->name);
		goto done;
	}
	rc = 0;
done:
	if (fd != -1)
		close(fd);
	return rc;
}

/* ---- flush --all: root flushes every spool as its owner ---- */

struct dm_all {
	const struct request	*req;
};

/* In the child, as the spool's owner: run a flush of that spool alone. */
static int
dm_all_one(const struct spools_dir *d, void *arg, struct mh_err *err)
{
	const struct dm_all	*all = arg;
	struct request		 req;
	struct spool		 sp;
	struct envelope		 env;
	int			 rc;

	/* -qI: only the spool that has the entry gets a flush. */
	if (all->req->only_id != NULL) {
		if (spool_open_dir(&sp, d->path, err) == -1)
			return -1;
		rc = spool_peek(&sp, all->req->only_id, &env, err);
		spool_close(&sp);
		if (rc != 0)
			return rc == 1 || err->exit == EX_NOUSER ? 1 : -1;
		envelope_free(&env);
	}
	request_init(&req, REQ_FLUSH);
	req.force = all->req->force;
	req.verbose = all->req->verbose;
	req.only_id = all->req->only_id;
	req.rcpt_domain = all->req->rcpt_domain;
	req.sender_substr = all->req->sender_substr;
	req.spool = d->path;
	launch_exec(&req, err);
	return -1;
}

/*
 * Exit 0 when every spool was processed (deferrals included), 75 when
 * one could not be (SPEC 8).  -qI is about one entry: its own flush's
 * status (75 while deferred), 67 when no spool has it.
 */
static int
dm_flush_all(struct setid *id, const struct request *req,
    struct mh_err *err)
{
	struct spools_dir	*v;
	struct dm_all		 all = { req };
	struct config		 cfg;
	char			*own;
	size_t			 n, i, failed = 0, found = 0;
	int			 rc, status, code = 0;

	if (id->uid != 0) {
		setid_drop(id, err);
		return mh_err_set(err, EX_NOPERM, "flush --all: only root "
		    "flushes every user's spool (mailhop flush does yours)");
	}
	if (setid_drop(id, err) == -1)
		return -1;
	setid_env_restore(id);
	if (req->config != NULL)
		return mh_err_set(err, EX_USAGE, "flush --all takes no -C: "
		    "each spool is flushed with its owner's configuration");
	if (req->watch)
		return mh_err_set(err, EX_USAGE, "flush --all runs once; the "
		    "system timer repeats it (--watch is for one spool)");
	conf_init(&cfg);
	own = NULL;
	if (conf_load(&cfg, NULL, 0, err) == 0) {
		own = spool_path(&cfg, err);
		dm_shared_make(&cfg);
	}
	conf_free(&cfg);
	mh_err_clear(err);
	rc = spools_list(own, &v, &n, err);
	free(own);
	if (rc == -1)
		return -1;
	for (i = 0; i < n; i++) {
		rc = spools_run(&v[i], dm_all_one, &all, 0, &status, err);
		if (rc == 1)
			continue;	/* -qI: not in this spool */
		code = rc == 2 && WIFEXITED(status) ? WEXITSTATUS(status) :
		    EX_SOFTWARE;
		if (code == 0 || code == EX_TEMPFAIL)
			found++;
		else {
			/* The child said why on stderr; this names the spool. */
			fprintf(stderr, "mailhop: flush --all: %s (%s): %s\n",
			    v[i].path, v[i].user, rc == -1 ? err->msg :
			    "not flushed");
			failed++;
		}
	}
	spools_free(v, n);
	if (req->only_id == NULL)
		failed += (size_t)spools_blocked();
	if (req->only_id != NULL && found + failed == 0)
		return mh_err_set(err, EX_NOUSER, "queue id \"%.40s\" not "
		    "found", req->only_id);
	if (req->only_id != NULL && code != 0) {
		mh_err_clear(err);	/* its flush has said it */
		err->exit = code;
		return -1;
	}
	if (failed > 0)
		return mh_err_set(err, EX_TEMPFAIL, "flush --all: %zu spool%s "
		    "could not be flushed", failed, failed == 1 ? "" : "s");
	return 0;
}

/* What the request asks, once the configuration is loaded. */
static int
dm_run(struct setid *id, const struct request *req, struct mh_err *err)
{
	struct dm_shared shared = { { -1, NULL, 0 }, NULL, 0 };
	struct config	 cfg;
	int		 rc = -1;

	if (req->op == REQ_MKSPOOL)
		return dm_mkspool(id, req, err);
	if (req->op == REQ_FLUSH && req->all)
		return dm_flush_all(id, req, err);
	conf_init(&cfg);
	if (dm_config(id, req, &cfg, &shared, err) == 0) {
		if (req->op == REQ_TEST)
			rc = dm_test(req, &cfg, err);
		else if (req->op == REQ_OAUTH_LOGIN)
			rc = dm_oauth_login(req, &cfg, err);
		else
			rc = dm_flush(req, &cfg, id->active ? dm_reload_setid :
			    dm_reload, &shared, err);
	}
	dm_shared_free(&shared);
	conf_free(&cfg);
	secret_held_clear();
	return rc;
}

int
main(int argc, char *argv[])
{
	struct mh_err	 err;
	struct setid	 id;
	struct request	 req;
	int		 rc = -1, decoded = 0;

	mh_err_clear(&err);
	dm_env_restore();
	/* Then nothing of the caller's environment survives this. */
	setid_start(&id);
	umask(077);
	/* Secrets are read below: no core dump, no ptrace by our peers. */
	if (harden_nodump(&err) == -1) {
		fprintf(stderr, "mailhop: %s\n", err.msg);
		return err.exit;
	}
	/* A server that hangs up must not kill us halfway through an update. */
	signal(SIGPIPE, SIG_IGN);
	decoded = request_decode(&req, argc, argv, &err) == 0;
	if (decoded)
		rc = dm_run(&id, &req, &err);
	/* Whatever happened, the group is not kept past this point. */
	if (setid_drop(&id, rc == -1 ? NULL : &err) == -1 && rc == 0)
		rc = -1;
	setid_free(&id);
	if (rc == -1 && err.exit == 0)
		err.exit = EX_SOFTWARE;
	if (rc == -1 && decoded && req.report && req.only_id != NULL) {
		/* -odi after the commit: queued is exit 0, whatever follows. */
		fprintf(stderr, "mailhop: %s: queued, not yet delivered: %s\n",
		    req.only_id, err.msg);
		rc = 0;
	} else if (rc == -1 && err.msg[0] != '\0')
		fprintf(stderr, "mailhop: %s\n", err.msg);
	if (fflush(stdout) == EOF && rc == 0)
		return EX_IOERR;
	return rc == -1 ? err.exit : 0;
}
