/* SPDX-License-Identifier: MIT */
/*
 * unit.h - shared by the Check suites: each t_*.c defines suite() and
 * includes this for a main() that runs it with TAP output, so automake's
 * tap-driver counts every test case.
 */
#ifndef MH_UNIT_H
#define MH_UNIT_H

#include <check.h>
#include <stdlib.h>

Suite	*suite(void);

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
