/* SPDX-License-Identifier: MIT */
/*
 * paths.c - the compiled-in paths (paths.h).  The one file that sees
 * SYSCONFDIR, LOCALSTATEDIR, PKGLIBEXECDIR and MAILHOP_GROUP, so that the
 * test suite can relink copies with other values by compiling this file
 * alone (tests/lib/setid.sh).
 */
#include "paths.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR	"/etc"
#endif
#ifndef LOCALSTATEDIR
#define LOCALSTATEDIR	"/var"
#endif
#ifndef PKGLIBEXECDIR
#define PKGLIBEXECDIR	"/usr/local/libexec/mailhop"
#endif
#ifndef MAILHOP_GROUP
#define MAILHOP_GROUP	"mailhop"
#endif

const char paths_sysconf_file[] = SYSCONFDIR "/mailhop.conf";
const char paths_spool_root[] = LOCALSTATEDIR "/spool/mailhop";
const char paths_group[] = MAILHOP_GROUP;
const char paths_helper_dir[] = PKGLIBEXECDIR;
