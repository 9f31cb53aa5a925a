/* SPDX-License-Identifier: MIT */
/*
 * idn.h - an envelope address as the upstream gets it (SPEC 11): the
 * domain as A-labels (RFC 5890; libidn2, in mailhop-deliver only), and
 * whether the local part needs SMTPUTF8 (RFC 6531).  libcurl 7.88 does
 * neither reliably: it sends a UTF-8 domain as it is, and a UTF-8 local
 * part to a server that does not offer SMTPUTF8.  Pure: no I/O.
 */
#ifndef MH_IDN_H
#define MH_IDN_H

#include <stddef.h>

/* The 553 5.6.7 reply (RFC 6531 3.7.4.1) for an address that needs it. */
#define IDN_NO_SMTPUTF8	"553 5.6.7 the upstream does not offer SMTPUTF8, " \
			"which the address %s needs (its local part is " \
			"not ASCII)"

/* 1 if the local part of addr (before its domain) has a non-ASCII byte. */
int	idn_needs_smtputf8(const char *addr);
/*
 * addr with its domain converted to A-labels ("bob@xn--bcher-kva.example"
 * for "bob@bücher.example"); an ASCII domain, a domain literal or a bare
 * name is copied as it is.  Allocated.  NULL when the domain is no valid
 * IDNA2008 name: why (whysz bytes) then holds a reply "553 5.1.3 ...".
 */
char	*idn_to_ascii(const char *addr, char *why, size_t whysz);

#endif
