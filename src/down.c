/* SPDX-License-Identifier: MIT */
/*
 * down.c - down-marks (down.h): "until EPOCH", "server HOST:PORT" and
 * "reason TEXT" lines in the state file down.NAME, written atomically.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "down.h"
#include "text.h"
#include "xmem.h"

#define DOWN_FILE_MAX	2048

static void
down_name(const struct upstream *up, char *out, size_t len)
{
	snprintf(out, len, "down.%s", up->name);
}

static void
down_server(const struct upstream *up, char *out, size_t len)
{
	snprintf(out, len, "%s:%d", up->host != NULL ? up->host : "",
	    upstream_port(up));
}

/* The value of "key VALUE" in text, copied to out; -1 if absent. */
static int
down_field(const char *text, const char *key, char *out, size_t len)
{
	const char	*p = text, *nl;
	size_t		 k = strlen(key), n;

	for (; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			return -1;
		if (strncmp(p, key, k) != 0 || p[k] != ' ')
			continue;
		n = (size_t)(nl - p) - k - 1;
		snprintf(out, len, "%.*s", (int)n, p + k + 1);
		return 0;
	}
	return -1;
}

/* Parse a mark's text: 1 when it is in force at now. */
static int
down_parse(const char *text, time_t now, char *server, size_t slen,
    struct down_mark *m)
{
	char		 until[32], *end;
	long long	 t;

	if (down_field(text, "until", until, sizeof(until)) == -1 ||
	    down_field(text, "server", server, slen) == -1)
		return 0;
	t = strtoll(until, &end, 10);
	if (*end != '\0' || t <= (long long)now)
		return 0;
	m->until = (time_t)t;
	if (down_field(text, "reason", m->reason, sizeof(m->reason)) == -1)
		m->reason[0] = '\0';
	return 1;
}

int
down_list(const struct state *st, time_t now, struct down_entry **v,
    size_t *n, struct mh_err *err)
{
	struct down_entry	 d;
	char			**names, *text;
	size_t			 nn, i, len;

	*v = NULL;
	*n = 0;
	if (state_list(st, "down.", &names, &nn, err) == -1)
		return -1;
	for (i = 0; i < nn; i++) {
		if (state_read(st, names[i], DOWN_FILE_MAX, &text, &len,
		    err) != 0)
			continue;
		memset(&d, 0, sizeof(d));
		snprintf(d.name, sizeof(d.name), "%s", names[i] + 5);
		if (down_parse(text, now, d.server, sizeof(d.server), &d.mark)) {
			*v = xreallocarray(*v, *n + 1, sizeof(**v));
			(*v)[(*n)++] = d;
		}
		free(text);
	}
	state_names_free(names, nn);
	return 0;
}

int
down_check(const struct state *st, const struct upstream *up, time_t now,
    struct down_mark *m)
{
	struct mh_err	 err;
	char		 name[STATE_NAME_MAX + 8], want[512], got[512], *text;
	size_t		 len;
	int		 rc;

	down_name(up, name, sizeof(name));
	if (state_read(st, name, DOWN_FILE_MAX, &text, &len, &err) != 0)
		return 0;	/* none, or unreadable: not down */
	down_server(up, want, sizeof(want));
	rc = down_parse(text, now, got, sizeof(got), m) &&
	    strcmp(got, want) == 0;
	free(text);
	return rc;
}

int
down_mark(const struct state *st, const struct upstream *up, time_t now,
    const char *reason, struct mh_err *err)
{
	char	 name[STATE_NAME_MAX + 8], server[512], why[DOWN_REASON_MAX];
	char	*text;
	int	 rc;

	if (up->down_time <= 0)
		return 0;
	down_name(up, name, sizeof(name));
	down_server(up, server, sizeof(server));
	text_show(why, sizeof(why), reason, strlen(reason), TEXT_SPACE);
	text = xasprintf("until %lld\nserver %s\nreason %s\n",
	    (long long)(now + up->down_time), server, why);
	rc = state_write(st, name, text, strlen(text), err);
	free(text);
	return rc;
}

int
down_clear(const struct state *st, const struct upstream *up,
    struct mh_err *err)
{
	char	 name[STATE_NAME_MAX + 8];

	down_name(up, name, sizeof(name));
	return state_remove(st, name, err);
}
