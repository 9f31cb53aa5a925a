/* SPDX-License-Identifier: MIT */
/*
 * idn.c - envelope addresses for the wire: A-label domains, SMTPUTF8.
 * Conversion as libcurl does it when it does: IDNA2008 non-transitional
 * with NFC, then transitional processing for names only UTS #46 allows.
 */
#include <idn2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "idn.h"
#include "xmem.h"

static int
idn_ascii(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

int
idn_needs_smtputf8(const char *addr)
{
	const char	*d = addr_domain(addr);
	size_t		 n = d != NULL ? (size_t)(d - addr - 1) : strlen(addr);

	return !idn_ascii(addr, n);
}

char *
idn_to_ascii(const char *addr, char *why, size_t whysz)
{
	const char	*d = addr_domain(addr);
	char		*ace = NULL, *out;
	int		 rc;

	if (d == NULL || *d == '[' || idn_ascii(d, strlen(d)))
		return xstrdup(addr);
	rc = idn2_to_ascii_8z(d, &ace, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
	if (rc != IDN2_OK)
		rc = idn2_to_ascii_8z(d, &ace, IDN2_NFC_INPUT |
		    IDN2_TRANSITIONAL);
	if (rc != IDN2_OK) {
		snprintf(why, whysz, "553 5.1.3 the domain of %s is not a "
		    "valid international domain name: %s", addr,
		    idn2_strerror(rc));
		return NULL;
	}
	out = xasprintf("%.*s%s", (int)(d - addr), addr, ace);
	idn2_free(ace);
	return out;
}
