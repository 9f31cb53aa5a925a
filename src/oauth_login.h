/* SPDX-License-Identifier: MIT */
/*
 * oauth_login.h - `mailhop oauth login [NAME]` (SPEC §12): the one
 * interactive step, which gets the refresh token that oauth.c then uses
 * by itself.  Runs in mailhop-deliver.
 *
 * Where the provider has a device authorization endpoint (Microsoft),
 * the RFC 8628 device grant: print the URL and the code, poll the token
 * endpoint at the interval the provider asks for (+5 s on slow_down,
 * doubled after a connection failure) until the sign-in is done, refused
 * or expired.  Else (Google) the RFC 8252 loopback redirect with PKCE
 * (RFC 7636, S256): listen on 127.0.0.1 on a port the kernel picks, for
 * the length of the login only; print the authorization URL; take the one
 * redirect that carries this login's `state`; exchange its code with the
 * verifier.  Either way the refresh token is written to
 * oauth_refresh_token_file (0600, atomically).  Nothing printed holds a
 * secret.  Owner: oauth_login.c.
 */
#ifndef MH_OAUTH_LOGIN_H
#define MH_OAUTH_LOGIN_H

#include <stdio.h>

#include "err.h"
#include "oauth.h"

/* How long the loopback listener waits for the browser, in seconds. */
#define OAUTH_LOGIN_WAIT	300

/*
 * Log in and save the refresh token; progress and instructions on out.
 * EX_CONFIG (nothing to log in with: no device nor authorize URL, no
 * client id), EX_NOPERM (the user or provider refused; a redirect with the
 * wrong state), EX_TEMPFAIL (the endpoint failed, the code expired, the
 * browser never came).
 */
int	oauth_login(const struct upstream *, FILE *out, struct mh_err *);

/* RFC 7636 §4.2: challenge = BASE64URL(SHA256(verifier)), 43 characters. */
void	oauth_pkce_challenge(const char *verifier, char challenge[44]);
/* RFC 4648 §5 without padding; out has room for 4 * ((n + 2) / 3) + 1. */
void	oauth_base64url(const unsigned char *, size_t n, char *out);

#endif
