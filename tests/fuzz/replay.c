/* SPDX-License-Identifier: MIT */
/*
 * replay.c - runs a fuzzer's entry point over every file of its corpus
 * (tests/fuzz/corpus/NAME/, NAME taken from this program's name
 * replay_NAME) without libFuzzer, printing TAP: each crash the fuzzer ever
 * found stays a regression test in `make check`.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
replay_file(const char *path)
{
	FILE	*f;
	uint8_t	*data;
	long	 len;

	f = fopen(path, "rb");
	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0) {
		if (f != NULL)
			fclose(f);
		return -1;
	}
	rewind(f);
	data = malloc((size_t)len + 1);
	if (data == NULL || fread(data, 1, (size_t)len, f) != (size_t)len) {
		free(data);
		fclose(f);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(data, (size_t)len);
	free(data);
	return 0;
}

static int
replay_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(int argc, char *argv[])
{
	const char	*base, *fuzzdir;
	char		 dir[4096], path[8192];
	char		**names = NULL;
	size_t		 n = 0, i;
	DIR		*d;
	struct dirent	*de;
	int		 bad = 0;

	(void)argc;
	base = strrchr(argv[0], '/');
	base = base == NULL ? argv[0] : base + 1;
	if (strncmp(base, "replay_", 7) == 0)
		base += 7;
	fuzzdir = getenv("FUZZ_DIR");
	snprintf(dir, sizeof(dir), "%s/corpus/%s",
	    fuzzdir != NULL ? fuzzdir : "tests/fuzz", base);
	d = opendir(dir);
	if (d != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			names = realloc(names, (n + 1) * sizeof(*names));
			names[n++] = strdup(de->d_name);
		}
		closedir(d);
	}
	if (n == 0) {
		printf("1..0 # SKIP no corpus in %s\n", dir);
		return 0;
	}
	qsort(names, n, sizeof(*names), replay_cmp);
	printf("1..%zu\n", n);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		/* A crash kills the run: the driver reports it as an error. */
		if (replay_file(path) == -1) {
			printf("not ok %zu - %s: unreadable\n", i + 1, names[i]);
			bad = 1;
		} else
			printf("ok %zu - %s\n", i + 1, names[i]);
		fflush(stdout);
		free(names[i]);
	}
	free(names);
	return bad;
}
