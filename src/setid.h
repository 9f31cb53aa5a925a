/* SPDX-License-Identifier: MIT */
/*
 * setid.h - mailhop-deliver running set-id (SPEC 8).  Installed setgid to
 * the mailhop group, the helper may read the system's secret for every
 * user of the machine; nothing the caller controls may reach that
 * privilege.  The order is fixed and deliver_main.c follows it:
 *
 *	setid_start()	first thing in main(): a clean environment (an
 *			allow-list and a fixed PATH); then harden_nodump()
 *	system layer	the system configuration and its secrets, read
 *			with the group (secret.h, secret_hold())
 *	setid_drop()	the group given up for good: real, effective and
 *			saved; verified; not dumpable again
 *	caller's layers	setid_env_restore(), the user's configuration or
 *			-C, the environment layer, the spool, password_command
 *
 * Root's `flush --all` gives each spool to a child that calls
 * setid_become() (the owner's uid, gid and groups) before it opens
 * anything in that spool.
 */
#ifndef MH_SETID_H
#define MH_SETID_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"

/* PATH of a set-id helper and of root's children (Debian's root PATH). */
#define SETID_PATH	"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct setid {
	int	 active;	/* real and effective ids differed at start */
	int	 dropped;	/* setid_drop() done */
	uid_t	 uid;		/* the caller: real uid */
	gid_t	 gid;		/* real gid */
	gid_t	 group;		/* the privilege: effective gid at start */
	char	**saved;	/* MAILHOP_* taken out of the environment */
	size_t	 nsaved;
};

/*
 * Note who we are.  When set-id, keep only the variables SPEC 8 allows (HOME, XDG_STATE_HOME, XDG_CONFIG_HOME,
 * LOGNAME, USER, TZ, LANG, LC_*) and set PATH to SETID_PATH; MAILHOP_*
 * are set aside for setid_env_restore().  Not set-id: nothing changes.
 */
void	setid_start(struct setid *);
/*
 * Give the group up for good (setresgid to the real gid; root also keeps
 * no saved ids), check it with getresgid(), and make the process not
 * dumpable again (a credential change resets the flag).  A no-op when
 * not set-id.  -1 (EX_OSERR): the caller must exit at once.
 */
int	setid_drop(struct setid *, struct mh_err *);
/* After setid_drop(): the MAILHOP_* variables back (the environment layer). */
void	setid_env_restore(struct setid *);
/* A MAILHOP_* variable as it was at start (e.g. MAILHOP_CONFIG), or NULL. */
const char *setid_saved(const struct setid *, const char *name);
void	setid_free(struct setid *);

/*
 * Root only, in a child: become uid for good, with gid and, when the uid
 * has a passwd entry, its supplementary groups (initgroups); checked with
 * getresuid()/getresgid().  HOME, USER and LOGNAME become the account's,
 * XDG_CONFIG_HOME, XDG_STATE_HOME and every MAILHOP_* variable (root's,
 * not the account's) are unset, PATH is SETID_PATH.
 */
int	setid_become(uid_t, gid_t, struct mh_err *);

#endif
