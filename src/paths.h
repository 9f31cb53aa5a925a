/* SPDX-License-Identifier: MIT */
/*
 * paths.h - what configure compiles in and nothing may move: the system
 * configuration file, the system spool root, the group of the set-id
 * helper and the helper's directory.  A set-id program must never take
 * these from the environment or the command line, so there is no override
 * of any kind here.  The test suite relinks copies of both programs
 * against a paths.o compiled with other values (doc/HACKING, "Set-id test
 * copies"); the installed binaries are the ones make built.
 */
#ifndef MH_PATHS_H
#define MH_PATHS_H

extern const char paths_sysconf_file[];	/* SYSCONFDIR/mailhop.conf */
extern const char paths_spool_root[];	/* LOCALSTATEDIR/spool/mailhop */
extern const char paths_group[];	/* configure --with-group (mailhop) */
extern const char paths_helper_dir[];	/* PKGLIBEXECDIR */

#endif
