/* SPDX-License-Identifier: MIT */
/*
 * secret_file.c - the one check every secret file gets (secret.h), in the
 * core library: secret.c reads password_file, client_key and oauth.c's
 * files through it, and conf_env.c a secret that a _FILE variable names.
 */
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "err.h"
#include "paths.h"
#include "secret.h"

/* A user name for messages (the uid without a passwd entry). */
static void
secret_user_name(uid_t uid, char *out, size_t len)
{
	struct passwd	*pw = getpwuid(uid);

	if (pw != NULL)
		snprintf(out, len, "%s", pw->pw_name);
	else
		snprintf(out, len, "%lu", (unsigned long)uid);
}

/*
 * The one check every secret file gets (password_file, client_key,
 * oauth.c's refresh token and client secret), on the open descriptor
 * (SPEC 8): a regular file, owned by root or the caller, writable by its
 * owner only, readable by no one but its owner and the mailhop group
 * (paths.h).  One message per way it is wrong, naming the file and the
 * chmod, chown or chgrp that fixes it.
 */
int
secret_check_fd(const char *key, const char *path, int fd,
    struct mh_err *err)
{
	struct stat	 st;
	struct group	*gr;
	char		 me[64], theirs[64];

	if (fstat(fd, &st) == -1)
		return mh_err_errno(err, EX_CONFIG, "%s %s", key, path);
	if (!S_ISREG(st.st_mode))
		return mh_err_set(err, EX_CONFIG, "%s %s: not a regular file",
		    key, path);
	secret_user_name(getuid(), me, sizeof(me));
	if (st.st_uid != 0 && st.st_uid != getuid() && getuid() == 0)
		return mh_err_set(err, EX_CONFIG, "%s %s: owned by uid %lu, "
		    "not root (chown root %s)", key, path,
		    (unsigned long)st.st_uid, path);
	if (st.st_uid != 0 && st.st_uid != getuid())
		return mh_err_set(err, EX_CONFIG, "%s %s: owned by uid %lu, "
		    "neither root nor you (chown root %s, or chown %s %s)",
		    key, path, (unsigned long)st.st_uid, path, me, path);
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		mh_err_set(err, EX_CONFIG, "%s %s: writable by group or others "
		    "(chmod go-w %s)", key, path, path);
		return mh_err_because(err, MH_REASON_SECRET_MODE);
	}
	if (st.st_mode & S_IROTH) {
		mh_err_set(err, EX_CONFIG, "%s %s: readable by others (chmod "
		    "o-r %s)", key, path, path);
		return mh_err_because(err, MH_REASON_SECRET_MODE);
	}
	if (!(st.st_mode & S_IRGRP) || ((gr = getgrnam(paths_group)) != NULL &&
	    gr->gr_gid == st.st_gid))
		return 0;
	if ((gr = getgrgid(st.st_gid)) != NULL)
		snprintf(theirs, sizeof(theirs), "%s", gr->gr_name);
	else
		snprintf(theirs, sizeof(theirs), "%lu",
		    (unsigned long)st.st_gid);
	mh_err_set(err, EX_CONFIG, "%s %s: readable by the group %s, and only "
	    "the group %s may read a secret (chgrp %s %s, or chmod g-r %s)",
	    key, path, theirs, paths_group, paths_group, path, path);
	return mh_err_because(err, MH_REASON_SECRET_MODE);
}

void
secret_mode_hint(struct mh_err *err)
{
	size_t	 n = strlen(err->msg);

	if (err->reason == MH_REASON_SECRET_MODE)
		snprintf(err->msg + n, sizeof(err->msg) - n, "; for a "
		    "Kubernetes secret volume, set defaultMode: 0400");
}
