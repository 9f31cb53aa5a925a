/* SPDX-License-Identifier: MIT */
/*
 * unit.h - shared by the Check suites: each t_*.c defines suite() and
 * includes this for a main() that runs it with TAP output, so automake's
 * tap-driver counts every test case; and a temporary directory for those
 * that need one.
 */
#ifndef MH_UNIT_H
#define MH_UNIT_H

#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

Suite	*suite(void);

static inline int
unit_rm_one(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* A fresh directory /tmp/NAME.XXXXXX in dir (len bytes). */
static inline void
unit_tmpdir(char *dir, size_t len, const char *name)
{
	snprintf(dir, len, "/tmp/%s.XXXXXX", name);
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* rm -rf dir (no link is followed). */
static inline void
unit_rmtree(const char *dir)
{
	nftw(dir, unit_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(suite());
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
