/* SPDX-License-Identifier: MIT */
/*
 * sender.c - the envelope sender policy (sender.h).
 */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "sender.h"
#include "xmem.h"

/*
 * The account's own address: login@domain, or UID@domain for a uid with
 * no passwd entry (a container's arbitrary uid, SPEC 10).  USER and
 * LOGNAME are anyone's to set: never the identity.
 */
static char *
sender_user_address(const struct config *cfg)
{
	struct passwd	*pw;

	pw = getpwuid(getuid());
	if (pw == NULL || pw->pw_name == NULL || *pw->pw_name == '\0')
		return xasprintf("%lu@%s", (unsigned long)getuid(),
		    conf_domain(cfg));
	return xasprintf("%s@%s", pw->pw_name, conf_domain(cfg));
}

/* One address as a caller or the configuration spells it; "" is <>. */
static int
sender_parse(const struct config *cfg, const char *s, char **out,
    struct mh_err *err)
{
	char	*a;

	*out = NULL;
	s += strspn(s, " \t");
	if (*s == '\0' || addr_null_spelled(s)) {
		*out = xstrdup("");
		return 0;
	}
	if (addr_parse_one(s, &a, err) == -1)
		return -1;
	if (*a == '\0') {
		*out = a;
		return 0;
	}
	*out = addr_qualify(a, conf_domain(cfg));
	free(a);
	return 0;
}

int
sender_envelope(const struct config *cfg, const char *given, char **out,
    struct mh_err *err)
{
	char	*a = NULL;

	*out = NULL;
	if (given != NULL && sender_parse(cfg, given, &a, err) == -1)
		return -1;
	if (cfg->from != NULL && (cfg->force_from || a == NULL)) {
		free(a);
		return sender_parse(cfg, cfg->from, out, err);
	}
	if (a != NULL) {
		*out = a;
		return 0;
	}
	a = sender_user_address(cfg);
	if (addr_check(a, err) == -1) {
		free(a);
		return -1;
	}
	*out = a;
	return 0;
}
