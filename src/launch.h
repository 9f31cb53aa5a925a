/* SPDX-License-Identifier: MIT */
/*
 * launch.h - starting the delivery helper (mailhop-deliver) from the front
 * end: in the background, detached, for -odb; in place of this process for
 * -odi, -q and `mailhop flush|test`.
 */
#ifndef MH_LAUNCH_H
#define MH_LAUNCH_H

#include "err.h"
#include "request.h"

/*
 * Set in the helper's environment so that GnuTLS, which Debian's libcurl
 * pulls in through librtmp, skips its start-up work (0.7 MB); the marker
 * tells mailhop-deliver to remove both before running anything else.
 */
#define LAUNCH_GNUTLS_VAR	"GNUTLS_NO_IMPLICIT_INIT"
#define LAUNCH_GNUTLS_MARK	"MAILHOP_GNUTLS_SET"

/* The helper beside this binary (a build tree), else PKGLIBEXECDIR. */
int	launch_helper_path(char *, size_t, struct mh_err *);
/*
 * Run the helper on req fully detached: double fork, setsid, stdio on
 * /dev/null, no other descriptor inherited.  Returns once the grandchild
 * exists; never waits on it.
 */
int	launch_background(const struct request *, struct mh_err *);
/* Replace this process with the helper on req; returns only on failure. */
int	launch_exec(const struct request *, struct mh_err *);

#endif
