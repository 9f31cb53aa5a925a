/* SPDX-License-Identifier: MIT */
/*
 * harden.h - what a process that holds a secret does to itself.  The one
 * home of the process-level protections (issue 9); the set-id helper's
 * rules build on it.
 */
#ifndef MH_HARDEN_H
#define MH_HARDEN_H

#include "err.h"

/*
 * Make this process not dumpable and give it no core file: PR_SET_DUMPABLE
 * 0 (no core dump; /proc/PID/mem, environ and ptrace closed to other
 * processes of the same user) and RLIMIT_CORE 0.  Idempotent.  Called by
 * the front end once it has read a configuration that holds a password or
 * token, and by mailhop-deliver at start-up.  Inherited by fork();
 * execve() of an ordinary program (password_command) resets the dumpable
 * flag but keeps the core limit.  -1 with err (EX_OSERR) if the kernel
 * refuses: the caller must not go on to read the secret.
 */
int	harden_nodump(struct mh_err *);

#endif
