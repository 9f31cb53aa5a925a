/* SPDX-License-Identifier: MIT */
/*
 * fuzz_cli.c - cli_parse() on arbitrary argv: the input is split on NUL
 * bytes into words (argv[0] is "sendmail").  The parser must neither
 * crash nor read past argv, and any error must be one EX_USAGE line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_ARGS	64

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char			*copy, *argv[FUZZ_ARGS + 2];
	struct invocation	 inv;
	struct mh_err		 err;
	size_t			 i, start = 0;
	int			 argc = 1, rc;

	copy = malloc(len + 1);
	if (copy == NULL)
		return 0;
	memcpy(copy, data, len);
	copy[len] = '\0';
	argv[0] = "sendmail";
	for (i = 0; i <= len && argc < FUZZ_ARGS; i++) {
		if (i == len || copy[i] == '\0') {
			argv[argc++] = copy + start;
			start = i + 1;
		}
	}
	argv[argc] = NULL;
	mh_err_clear(&err);
	rc = cli_parse(argc, argv, &inv, &err);
	if (rc == -1) {
		if (err.exit != EX_USAGE || strchr(err.msg, '\n') != NULL)
			abort();
	} else {
		if (inv.nrcpts < 0 || inv.nrcpts > argc)
			abort();
		for (i = 0; i < (size_t)inv.nrcpts; i++)
			if (inv.rcpts[i] == NULL)
				abort();
	}
	free(copy);
	return 0;
}
