/* SPDX-License-Identifier: MIT */
/*
 * setid.c - the set-id helper's identity: the clean start, the drop of
 * the group, and root's children taking a spool owner's identity.  Every
 * change of id is checked afterwards with getres[ug]id(): a call that
 * "succeeded" but left a saved id behind would let the group come back.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "harden.h"
#include "setid.h"
#include "xmem.h"

extern char	**environ;

/* SPEC 8's allow-list: what locates the caller's files, TZ, the locale. */
static int
setid_env_kept(const char *kv)
{
	static const char *const keep[] = {
		"HOME=", "XDG_STATE_HOME=", "XDG_CONFIG_HOME=", "LOGNAME=",
		"USER=", "TZ=", "LANG=", "LC_", NULL
	};
	size_t	 i;

	for (i = 0; keep[i] != NULL; i++)
		if (strncmp(kv, keep[i], strlen(keep[i])) == 0)
			return 1;
	return 0;
}

/* Rebuild the environment from the allow-list; set MAILHOP_* aside. */
static void
setid_env_clean(struct setid *id)
{
	char	**keep = NULL, **e;
	size_t	 nkeep = 0, i;

	for (e = environ; e != NULL && *e != NULL; e++) {
		if (strncmp(*e, "MAILHOP_", 8) == 0) {
			id->saved = xreallocarray(id->saved, id->nsaved + 1,
			    sizeof(*id->saved));
			id->saved[id->nsaved++] = xstrdup(*e);
		} else if (setid_env_kept(*e)) {
			keep = xreallocarray(keep, nkeep + 1, sizeof(*keep));
			keep[nkeep++] = xstrdup(*e);
		}
	}
	clearenv();
	for (i = 0; i < nkeep; i++) {
		/* putenv() keeps the string: it is ours from now on. */
		if (putenv(keep[i]) != 0)
			free(keep[i]);
	}
	free(keep);
	setenv("PATH", SETID_PATH, 1);
}

void
setid_start(struct setid *id)
{
	memset(id, 0, sizeof(*id));
	id->uid = getuid();
	id->gid = getgid();
	id->group = getegid();
	id->active = id->gid != id->group || id->uid != geteuid();
	if (id->active)
		setid_env_clean(id);
}

static int
setid_check_gid(gid_t want, struct mh_err *err)
{
	gid_t	 r, e, s;

	if (getresgid(&r, &e, &s) == -1)
		return mh_err_errno(err, EX_OSERR, "getresgid");
	if (r != want || e != want || s != want)
		return mh_err_set(err, EX_OSERR, "group ids are %lu/%lu/%lu "
		    "after the drop, not %lu", (unsigned long)r,
		    (unsigned long)e, (unsigned long)s, (unsigned long)want);
	return 0;
}

static int
setid_check_uid(uid_t want, struct mh_err *err)
{
	uid_t	 r, e, s;

	if (getresuid(&r, &e, &s) == -1)
		return mh_err_errno(err, EX_OSERR, "getresuid");
	if (r != want || e != want || s != want)
		return mh_err_set(err, EX_OSERR, "user ids are %lu/%lu/%lu, "
		    "not %lu", (unsigned long)r, (unsigned long)e,
		    (unsigned long)s, (unsigned long)want);
	return 0;
}

int
setid_drop(struct setid *id, struct mh_err *err)
{
	if (!id->active || id->dropped)
		return 0;
	/*
	 * The supplementary groups are the caller's own (a setgid program
	 * only adds the effective gid), so they stay; only root could
	 * change them, and root needs no group.
	 */
	if (setresgid(id->gid, id->gid, id->gid) == -1)
		return mh_err_errno(err, EX_OSERR, "setresgid");
	if (setresuid(id->uid, id->uid, id->uid) == -1)
		return mh_err_errno(err, EX_OSERR, "setresuid");
	if (setid_check_gid(id->gid, err) == -1 ||
	    setid_check_uid(id->uid, err) == -1)
		return -1;
	/* The kernel resets the dumpable flag when credentials change. */
	if (harden_nodump(err) == -1)
		return -1;
	id->dropped = 1;
	return 0;
}

void
setid_env_restore(struct setid *id)
{
	size_t	 i;

	for (i = 0; i < id->nsaved; i++) {
		if (putenv(id->saved[i]) != 0)
			continue;
		id->saved[i] = NULL;	/* the environment owns it now */
	}
	free(id->saved);
	id->saved = NULL;
	id->nsaved = 0;
}

const char *
setid_saved(const struct setid *id, const char *name)
{
	size_t	 i, n = strlen(name);

	for (i = 0; i < id->nsaved; i++)
		if (id->saved[i] != NULL &&
		    strncmp(id->saved[i], name, n) == 0 &&
		    id->saved[i][n] == '=')
			return id->saved[i] + n + 1;
	return NULL;
}

void
setid_free(struct setid *id)
{
	size_t	 i;

	for (i = 0; i < id->nsaved; i++)
		free(id->saved[i]);
	free(id->saved);
	id->saved = NULL;
	id->nsaved = 0;
}

/* Remove every MAILHOP_* variable: root's, not the account's. */
static void
setid_env_unset_mailhop(void)
{
	char	 name[128], *eq;
	size_t	 i;

	for (i = 0; environ != NULL && environ[i] != NULL; ) {
		if (strncmp(environ[i], "MAILHOP_", 8) != 0 ||
		    (eq = strchr(environ[i], '=')) == NULL ||
		    (size_t)(eq - environ[i]) >= sizeof(name)) {
			i++;
			continue;
		}
		memcpy(name, environ[i], (size_t)(eq - environ[i]));
		name[eq - environ[i]] = '\0';
		unsetenv(name);		/* environ shifts: same i again */
	}
}

/* The account's variables for a child of root (see setid.h). */
static void
setid_env_account(const struct passwd *pw)
{
	setid_env_unset_mailhop();
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("XDG_STATE_HOME");
	setenv("PATH", SETID_PATH, 1);
	if (pw == NULL) {
		unsetenv("HOME");
		unsetenv("USER");
		unsetenv("LOGNAME");
		return;
	}
	setenv("HOME", pw->pw_dir, 1);
	setenv("USER", pw->pw_name, 1);
	setenv("LOGNAME", pw->pw_name, 1);
}

int
setid_become(uid_t uid, gid_t gid, struct mh_err *err)
{
	struct passwd	*pw;

	pw = getpwuid(uid);
	if (pw != NULL && pw->pw_gid == gid) {
		if (initgroups(pw->pw_name, gid) == -1)
			return mh_err_errno(err, EX_OSERR, "initgroups %s",
			    pw->pw_name);
	} else if (setgroups(1, &gid) == -1)
		return mh_err_errno(err, EX_OSERR, "setgroups");
	if (setresgid(gid, gid, gid) == -1)
		return mh_err_errno(err, EX_OSERR, "setresgid %lu",
		    (unsigned long)gid);
	if (setresuid(uid, uid, uid) == -1)
		return mh_err_errno(err, EX_OSERR, "setresuid %lu",
		    (unsigned long)uid);
	if (setid_check_gid(gid, err) == -1 || setid_check_uid(uid, err) == -1)
		return -1;
	setid_env_account(pw);
	return 0;
}
