/* SPDX-License-Identifier: MIT */
/* fuzz_cli.c - placeholder fuzz target; the module's owner fills it in. */
#include <stddef.h>
#include <stdint.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	(void)data;
	(void)len;
	return 0;
}
