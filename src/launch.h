/* SPDX-License-Identifier: MIT */
/*
 * launch.h - starting the delivery helper (mailhop-deliver) from the front
 * end: in the background, detached, for -odb; in place of this process for
 * -odi, -q and `mailhop flush|test`.
 */
#ifndef MH_LAUNCH_H
#define MH_LAUNCH_H

#include <sys/types.h>

#include "conf.h"
#include "err.h"
#include "request.h"
#include "spool.h"

/*
 * Set in the helper's environment so that GnuTLS, which Debian's libcurl
 * pulls in through librtmp, skips its start-up work (0.7 MB); the marker
 * tells mailhop-deliver to remove both before running anything else.
 */
#define LAUNCH_GNUTLS_VAR	"GNUTLS_NO_IMPLICIT_INIT"
#define LAUNCH_GNUTLS_MARK	"MAILHOP_GNUTLS_SET"

/* The helper beside this binary (a build tree), else paths_helper_dir. */
int	launch_helper_path(char *, size_t, struct mh_err *);
/*
 * Run the helper on req fully detached: double fork, setsid, stdio on
 * /dev/null, no other descriptor inherited.  Returns once the grandchild
 * exists; never waits on it.
 */
int	launch_background(const struct request *, struct mh_err *);
/* Replace this process with the helper on req; returns only on failure. */
int	launch_exec(const struct request *, struct mh_err *);
/*
 * fork() with a pipe from the child to the parent (both O_CLOEXEC):
 * the child keeps p[1], the parent p[0]; stdout and stderr are flushed
 * first.  Returns what fork() does; -1 with err.
 */
pid_t	launch_fork(int p[2], struct mh_err *);
/*
 * Run the helper on req and wait for it (stdin /dev/null, our stdout).
 * 0 when it exited 0; else -1, EX_CANTCREAT with the last line the helper
 * printed on stderr (or its exit status).
 */
int	launch_wait(const struct request *, struct mh_err *);
/*
 * The front end's way to open its spool: spool_open(), and when that is
 * a directory of the system spool root that only the set-id helper may
 * make (MH_REASON_SPOOL_ROOT), ask the helper (REQ_MKSPOOL, the caller's
 * own name only) and open it again.
 */
int	launch_spool_open(struct spool *, const struct config *,
	    struct mh_err *);

#endif
