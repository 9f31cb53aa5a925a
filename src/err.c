/* SPDX-License-Identifier: MIT */
/*
 * err.c - filling in struct mh_err.  Messages go through text_show(), so
 * that a hostile value quoted in an error can neither forge a second line
 * nor send a terminal control sequence.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "text.h"

static void
err_oneline(char *s)
{
	char	 raw[MH_ERR_MSG];

	memcpy(raw, s, MH_ERR_MSG);
	text_show(s, MH_ERR_MSG, raw, strnlen(raw, MH_ERR_MSG), 0);
}

int
mh_err_set(struct mh_err *err, int code, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	err_oneline(err->msg);
	err->exit = code;
	err->reason = MH_REASON_NONE;
	return -1;
}

int
mh_err_errno(struct mh_err *err, int code, const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;
	size_t	 len;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	len = strlen(err->msg);
	snprintf(err->msg + len, sizeof(err->msg) - len, ": %s",
	    strerror(saved));
	err_oneline(err->msg);
	err->exit = code;
	err->reason = MH_REASON_NONE;
	errno = saved;
	return -1;
}

int
mh_err_because(struct mh_err *err, enum mh_reason reason)
{
	if (err != NULL)
		err->reason = reason;
	return -1;
}

void
mh_err_clear(struct mh_err *err)
{
	err->exit = 0;
	err->reason = MH_REASON_NONE;
	err->msg[0] = '\0';
}
