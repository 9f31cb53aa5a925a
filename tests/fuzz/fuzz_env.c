/* SPDX-License-Identifier: MIT */
/*
 * fuzz_env.c - the environment layer of the configuration (conf_env.c,
 * SPEC 10) under libFuzzer, replayed by `make check`.  The input is a
 * list of variables separated by NUL bytes, each "NAME=VALUE" given
 * MAILHOP_ in front; byte 0 says whether a configuration file was read
 * first (bit 0).  A _FILE variable's absolute path is taken inside a
 * directory the harness fills once (secret 0600, open 0644, lines 0600,
 * empty, a directory and a FIFO), so no run reads the machine's files.
 * Invariants, each an abort():
 * - conf_load_env_vars() and conf_finish() either fail with EX_CONFIG and
 *   one printable line that names a MAILHOP_ variable, or give a
 *   configuration that `mailhop config` (conf_print) can show;
 * - the result does not depend on the order of the environment;
 * - a password set by a variable appears neither in the error nor in
 *   what is printed.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "err.h"
#include "fuzz.h"
#include "xmem.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_VARS	32

static const char fuzz_base[] = "[upstream]\nhost = a.example\n"
    "password = base-password\n[upstream.ses]\nhost = b.example\n"
    "[route]\n*@example.org = ses\n";

static void
fuzz_put(const char *dir, const char *name, const char *text, mode_t mode)
{
	char	 path[512];
	int	 fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd == -1 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		abort();
	fchmod(fd, mode);
	close(fd);
}

static char	 fuzz_dirname[64];

/* At exit: the directory goes (make check runs this on every build). */
static void
fuzz_dir_remove(void)
{
	static const char *const names[] = { "secret", "open", "lines",
	    "empty", "fifo", "dir" };
	char	 path[128];
	size_t	 i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", fuzz_dirname, names[i]);
		if (unlink(path) == -1)
			rmdir(path);
	}
	rmdir(fuzz_dirname);
}

/* The directory of the _FILE variables' files, made once. */
static const char *
fuzz_dir(void)
{
	char	*dir = fuzz_dirname;
	char	 path[128];

	if (dir[0] != '\0')
		return dir;
	snprintf(dir, sizeof(fuzz_dirname), "/tmp/fuzz_env.XXXXXX");
	if (mkdtemp(dir) == NULL)
		abort();
	atexit(fuzz_dir_remove);
	fuzz_put(dir, "secret", "file-password-1\n", 0600);
	fuzz_put(dir, "open", "b.example\n", 0644);
	fuzz_put(dir, "lines", "*@example.net = ses\r\nbob = bob@example.net\n",
	    0600);
	fuzz_put(dir, "empty", "", 0600);
	snprintf(path, sizeof(path), "%s/dir", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/fifo", dir);
	mkfifo(path, 0600);
	return dir;
}

static int
fuzz_is_file_var(const char *var)
{
	const char	*eq = strchr(var, '=');
	size_t		 n = eq != NULL ? (size_t)(eq - var) : 0;

	return n > 5 && strncasecmp(var + n - 5, "_FILE", 5) == 0;
}

/* "MAILHOP_" + piece, a _FILE path moved into the harness's directory. */
static char *
fuzz_var(const char *piece)
{
	const char	*eq = strchr(piece, '=');

	if (eq != NULL && fuzz_is_file_var(piece) && eq[1] == '/')
		return xasprintf("MAILHOP_%.*s=%s%s", (int)(eq + 1 - piece),
		    piece, fuzz_dir(), strstr(eq, "..") != NULL ? "/none" :
		    eq + 1);
	return xasprintf("MAILHOP_%s", piece);
}

static int
fuzz_same_name(const char *a, const char *b)
{
	size_t	 na = strcspn(a, "="), nb = strcspn(b, "=");

	return na == nb && memcmp(a, b, na) == 0;
}

/* Load (base file?) + env, print; NULL with e set on an error. */
static char *
fuzz_load(int base, char *const *envp, struct mh_err *e)
{
	struct config	 c;
	struct buf	 b;
	char		*out = NULL;
	size_t		 i;

	conf_init(&c);
	mh_err_clear(e);
	if ((base && conf_load_buffer(&c, "fuzz.conf", fuzz_base,
	    strlen(fuzz_base), e) == -1) || conf_load_env_vars(&c, envp,
	    e) == -1 || conf_finish(&c, e) == -1)
		goto done;
	/* Keep the host-name lookup out of the loop: it is not under test. */
	for (i = 0; i < c.nupstreams; i++)
		if (c.upstreams[i]->helo == NULL)
			c.upstreams[i]->helo = xstrdup("fuzz.example");
	if (c.domain == NULL)
		c.domain = xstrdup("example");
	buf_init(&b, 0);
	if (conf_print(&c, &b) != 0)
		abort();
	out = xstrdup(b.data != NULL ? b.data : "");
	buf_free(&b);
done:
	conf_free(&c);
	return out;
}

/*
 * The value of a password variable ([upstream] or [upstream.NAME], not an
 * alias called password), when it is long enough to look for and neither
 * another variable nor the base file carries the same text.
 */
static const char *
fuzz_secret(char *const *v, size_t n, size_t i)
{
	const char	*eq = strchr(v[i], '='), *s;
	size_t		 len, j;

	if (eq == NULL || (size_t)(eq - v[i]) < 8 ||
	    strncasecmp(eq - 8, "PASSWORD", 8) != 0 ||
	    strncasecmp(v[i], "MAILHOP_UPSTREAM_", 17) != 0)
		return NULL;
	s = eq + 1;
	len = strlen(s);
	if (len < 12 || strcspn(s, " \t") != len ||
	    strstr(fuzz_base, s) != NULL)
		return NULL;
	for (j = 0; j < n; j++)
		if (j != i && strstr(v[j], s) != NULL)
			return NULL;
	return s;
}

/* Neither shown as a value by conf_print nor quoted in the error. */
static void
fuzz_assert_hidden(const char *s, const char *out, const char *msg)
{
	char	*needle;

	if (out == NULL) {
		if (strstr(msg, s) != NULL)
			abort();
		return;
	}
	needle = xasprintf("= %s  ;", s);
	if (strstr(out, needle) != NULL)
		abort();
	free(needle);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char		*text, *p, *end, *v[FUZZ_VARS + 1], *r[FUZZ_VARS + 1];
	char		*out, *out2;
	struct mh_err	 e, e2;
	const char	*s;
	size_t		 n = 0, i, j;
	int		 base;

	if (len < 1 || len > 16384)
		return 0;
	base = data[0] & 1;
	text = xmalloc(len);
	memcpy(text, data + 1, len - 1);
	text[len - 1] = '\0';
	for (p = text, end = text + len - 1; p <= end && n < FUZZ_VARS;
	    p += strlen(p) + 1) {
		if (strchr(p, '=') == NULL)
			continue;
		for (j = 0; j < n; j++)
			if (fuzz_same_name(v[j] + 8, p))
				break;
		if (j == n)
			v[n++] = fuzz_var(p);
	}
	v[n] = NULL;
	for (i = 0; i < n; i++)
		r[i] = v[n - 1 - i];
	r[n] = NULL;

	out = fuzz_load(base, v, &e);
	out2 = fuzz_load(base, r, &e2);
	if ((out == NULL) != (out2 == NULL))
		abort();
	if (out == NULL) {
		if (e.exit != EX_CONFIG || e2.exit != EX_CONFIG ||
		    strcmp(e.msg, e2.msg) != 0)
			abort();
		fuzz_assert_message(e.msg);
		/* The variable or the file of the mistake is named. */
		if (strstr(e.msg, "MAILHOP_") == NULL &&
		    strncmp(e.msg, "fuzz.conf:", 10) != 0)
			abort();
	} else if (strcmp(out, out2) != 0)
		abort();
	for (i = 0; i < n; i++)
		if ((s = fuzz_secret(v, n, i)) != NULL)
			fuzz_assert_hidden(s, out, e.msg);
	free(out);
	free(out2);
	for (i = 0; i < n; i++)
		free(v[i]);
	free(text);
	return 0;
}
