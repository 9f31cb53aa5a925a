/* SPDX-License-Identifier: MIT */
/*
 * harden.c - process-level protections for a process that holds a secret.
 */
#include <sys/prctl.h>
#include <sys/resource.h>

#include "harden.h"

int
harden_nodump(struct mh_err *err)
{
	struct rlimit	 rl = { 0, 0 };

	if (setrlimit(RLIMIT_CORE, &rl) == -1)
		return mh_err_errno(err, EX_OSERR, "setrlimit(RLIMIT_CORE)");
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		return mh_err_errno(err, EX_OSERR, "prctl(PR_SET_DUMPABLE)");
	return 0;
}
