/* SPDX-License-Identifier: MIT */
/*
 * fuzz_conf.c - mailhop.conf text through the same reader and inih
 * handler that files go through (conf_load_buffer), then conf_print.
 * Invariants: no crash, no leak; an error is one FILE:LINE line with
 * EX_CONFIG; a secret set by the input never appears in what is printed.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "conf.h"
#include "err.h"
#include "xmem.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_check_print(struct config *c)
{
	struct buf	 b;
	char		*needle, *sect, *end;
	size_t		 i;

	/* Keep the host-name lookup out of the loop: it is not under test. */
	for (i = 0; i < c->nupstreams; i++)
		if (c->upstreams[i]->helo == NULL)
			c->upstreams[i]->helo = xstrdup("fuzz.example");
	if (c->domain == NULL)
		c->domain = xstrdup("example");
	buf_init(&b, 0);
	if (conf_print(c, &b) != 0)
		abort();
	/*
	 * Looked for in [upstream] only: an alias may be called "password"
	 * and have the same text as its value (a false alarm the fuzzer
	 * found, corpus/conf/alias-named-password).
	 */
	if (c->upstreams[0]->password != NULL &&
	    strcmp(c->upstreams[0]->password, "********") != 0) {
		needle = xasprintf("\npassword = %s  ;",
		    c->upstreams[0]->password);
		sect = strstr(b.data, "[upstream]\n");
		end = sect != NULL ? strstr(sect + 1, "\n[") : NULL;
		if (sect != NULL && end != NULL)
			*end = '\0';
		if (sect != NULL && strstr(sect, needle) != NULL)
			abort();
		free(needle);
	}
	buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct config	 c;
	struct mh_err	 e;

	if (len > CONF_FILE_MAX)
		return 0;
	conf_init(&c);
	mh_err_clear(&e);
	if (conf_load_buffer(&c, "fuzz.conf", (const char *)data, len,
	    &e) == 0 && conf_finish(&c, &e) == 0) {
		/* A delivery-only mistake is one line naming the file too. */
		if (conf_delivery_error(&c) != NULL &&
		    (strncmp(conf_delivery_error(&c)->msg, "fuzz.conf:", 10) !=
		    0 || strchr(conf_delivery_error(&c)->msg, '\n') != NULL))
			abort();
		fuzz_check_print(&c);
	}
	else if (e.exit != EX_CONFIG || strncmp(e.msg, "fuzz.conf:", 10) != 0 ||
	    strchr(e.msg, '\n') != NULL)
		abort();
	conf_free(&c);
	return 0;
}
