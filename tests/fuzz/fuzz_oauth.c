/* SPDX-License-Identifier: MIT */
/*
 * fuzz_oauth.c - what oauth.c reads from outside (SPEC 12) under
 * libFuzzer, replayed by `make check`: a token endpoint's answer, a device
 * authorization answer (both JSON through json-c), and the access-token
 * cache file in the spool.  Byte 0 of the input picks the reader (bits
 * 0-1), the HTTP status (bits 2-3: 200, 400, 401, 503) and whether the
 * answer says application/json (bit 4); the rest is the body or the file.
 * Invariants, each an abort():
 * - a token answer is taken (0) only as an RFC 6749 error object, whose
 *   error and description are text a person may see (text.h), or as a
 *   2xx success with an access_token (and any refresh_token) of printable
 *   ASCII without spaces; anything else is -1 with EX_TEMPFAIL and one
 *   line starting with what was asked, which never holds a token of the
 *   answer (secrets never in messages);
 * - a device answer is taken only with device_code, user_code and
 *   verification_uri as printable ASCII, the provider's message made
 *   safe, positive expires_in and interval; else -1, everything freed;
 * - the cache gives a token only from a file in its exact format, for
 *   the key asked, that expires more than OAUTH_CACHE_MARGIN seconds
 *   from now, and the token is one of that file's bytes; what
 *   oauth_cache_write() writes, oauth_cache_read() reads back.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "buf.h"
#include "err.h"
#include "fuzz.h"
#include "http.h"
#include "oauth.h"
#include "xmem.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_WHAT	"token endpoint https://login.example/token"
#define FUZZ_KEY	"0123456789abcdef0123456789abcdef" \
			"0123456789abcdef0123456789abcdef"
#define FUZZ_NOW	((time_t)1700000000)

/* Printable ASCII, no space, not empty: what may go into SASL. */
static void
fuzz_assert_token(const char *t)
{
	if (t == NULL || *t == '\0')
		abort();
	for (; *t != '\0'; t++)
		if ((unsigned char)*t < 0x21 || (unsigned char)*t > 0x7e)
			abort();
}

/* A string member of the body, when it parses (strictly or not). */
static const char *
fuzz_member(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o == NULL || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* A secret of the answer (long enough to mean something) is not in msg. */
static void
fuzz_assert_unleaked(const char *msg, struct json_object *o)
{
	static const char *const keys[] = { "access_token", "refresh_token",
	    "device_code" };
	const char	*s;
	size_t		 i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		s = fuzz_member(o, keys[i]);
		if (s != NULL && strlen(s) >= 12 && strstr(msg, s) != NULL)
			abort();
	}
}

static void
fuzz_token(const struct http_resp *r, struct json_object *o)
{
	struct oauth_answer	 a;
	struct mh_err		 e;

	mh_err_clear(&e);
	if (oauth_parse_token(FUZZ_WHAT, r, &a, &e) == 0) {
		if (a.error[0] != '\0') {
			if (a.access_token != NULL || a.refresh_token != NULL)
				abort();
			fuzz_assert_printable(a.error);
			fuzz_assert_printable(a.description);
			if (strchr(a.error, '\n') != NULL ||
			    strchr(a.description, '\n') != NULL)
				abort();
		} else {
			if (r->status / 100 != 2 || a.expires_in < -1)
				abort();
			fuzz_assert_token(a.access_token);
			if (a.refresh_token != NULL)
				fuzz_assert_token(a.refresh_token);
		}
		oauth_answer_free(&a);
		return;
	}
	if (e.exit != EX_TEMPFAIL || strncmp(e.msg, FUZZ_WHAT ": ",
	    strlen(FUZZ_WHAT) + 2) != 0 || a.access_token != NULL ||
	    a.refresh_token != NULL)
		abort();
	fuzz_assert_message(e.msg);
	fuzz_assert_unleaked(e.msg, o);
}

static void
fuzz_device(const struct http_resp *r, struct json_object *o)
{
	struct oauth_device	 d;
	struct mh_err		 e;

	mh_err_clear(&e);
	if (oauth_parse_device(FUZZ_WHAT, r, &d, &e) == 0) {
		fuzz_assert_token(d.device_code);
		fuzz_assert_token(d.user_code);
		fuzz_assert_token(d.verification_uri);
		if (d.verification_uri_complete != NULL)
			fuzz_assert_token(d.verification_uri_complete);
		if (d.message != NULL)
			fuzz_assert_printable(d.message);
		if (d.expires_in <= 0 || d.interval <= 0)
			abort();
		oauth_device_free(&d);
		return;
	}
	if ((e.exit != EX_TEMPFAIL && e.exit != EX_UNAVAILABLE) ||
	    strncmp(e.msg, FUZZ_WHAT ": ", strlen(FUZZ_WHAT) + 2) != 0 ||
	    d.device_code != NULL || d.user_code != NULL ||
	    d.verification_uri != NULL || d.message != NULL)
		abort();
	fuzz_assert_message(e.msg);
	fuzz_assert_unleaked(e.msg, o);
}

static char	 fuzz_dirname[] = "/tmp/fuzz_oauth.XXXXXX";
static int	 fuzz_dirfd = -1;

/* At exit: the directory goes (make check runs this on every build). */
static void
fuzz_dir_remove(void)
{
	unlinkat(fuzz_dirfd, "c.token", 0);
	unlinkat(fuzz_dirfd, "w.token", 0);
	rmdir(fuzz_dirname);
}

/* The directory the cache file is written in, made once. */
static int
fuzz_dir(void)
{
	if (fuzz_dirfd == -1) {
		if (mkdtemp(fuzz_dirname) == NULL || (fuzz_dirfd =
		    open(fuzz_dirname, O_RDONLY | O_DIRECTORY)) == -1)
			abort();
		atexit(fuzz_dir_remove);
	}
	return fuzz_dirfd;
}

static void
fuzz_cache(const uint8_t *data, size_t len)
{
	struct mh_err	 e;
	char		*tok = NULL, *again = NULL;
	int		 dfd = fuzz_dir(), fd;

	unlinkat(dfd, "c.token", 0);
	fd = openat(dfd, "c.token", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd == -1 || write(fd, data, len) != (ssize_t)len)
		abort();
	close(fd);
	if (oauth_cache_read(dfd, "c.token", FUZZ_KEY, FUZZ_NOW, &tok) == 0) {
		fuzz_assert_token(tok);
		if (memmem(data, len, tok, strlen(tok)) == NULL)
			abort();
		/* Another key: not taken. */
		if (oauth_cache_read(dfd, "c.token", FUZZ_KEY "0", FUZZ_NOW,
		    &again) != 1 || again != NULL)
			abort();
		/* Written and read back: the same token. */
		mh_err_clear(&e);
		if (oauth_cache_write(dfd, "w.token", FUZZ_KEY, tok,
		    FUZZ_NOW + 3600, &e) == -1 ||
		    oauth_cache_read(dfd, "w.token", FUZZ_KEY, FUZZ_NOW,
		    &again) != 0 || strcmp(again, tok) != 0)
			abort();
		free(again);
		free(tok);
	} else if (tok != NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const long status[] = { 200, 400, 401, 503 };
	struct http_resp	 r;
	struct json_object	*o;

	if (len < 1 || len > 65536)
		return 0;
	if ((data[0] & 3) == 2) {
		fuzz_cache(data + 1, len - 1);
		return 0;
	}
	memset(&r, 0, sizeof(r));
	r.status = status[(data[0] >> 2) & 3];
	snprintf(r.ctype, sizeof(r.ctype), "%s", data[0] & 16 ?
	    "application/json; charset=utf-8" : "");
	buf_init(&r.body, 0);
	buf_add(&r.body, data + 1, len - 1);
	/* A lax parse, to know the answer's secrets. */
	o = json_tokener_parse(r.body.data != NULL ? r.body.data : "");
	if ((data[0] & 3) == 1)
		fuzz_device(&r, o);
	else
		fuzz_token(&r, o);
	json_object_put(o);
	http_resp_free(&r);
	return 0;
}
