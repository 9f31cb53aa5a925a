/* SPDX-License-Identifier: MIT */
/*
 * xmem.c - the one place below main.c that may exit: out of memory.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "xmem.h"

static void
xmem_die(void)
{
	static const char msg[] = "mailhop: out of memory\n";

	/* write(2): stdio may itself need memory. */
	(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
	_exit(EX_TEMPFAIL);
}

void *
xmalloc(size_t n)
{
	void	*p;

	p = malloc(n == 0 ? 1 : n);
	if (p == NULL)
		xmem_die();
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void	*p;

	p = calloc(n == 0 ? 1 : n, size == 0 ? 1 : size);
	if (p == NULL)
		xmem_die();
	return p;
}

void *
xreallocarray(void *old, size_t n, size_t size)
{
	void	*p;

	if (size != 0 && n > SIZE_MAX / size)
		xmem_die();
	p = realloc(old, n * size == 0 ? 1 : n * size);
	if (p == NULL)
		xmem_die();
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char	*p;
	size_t	 len;

	len = strnlen(s, n);
	p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list	 ap;
	char	*p;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		xmem_die();
	p = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void
xfree_secret(char *s)
{
	volatile char	*v = s;

	if (s == NULL)
		return;
	while (*v != '\0')
		*v++ = '\0';
	free(s);
}
