/* SPDX-License-Identifier: MIT */
/*
 * envelope.c - the envelope and its text form.  The format is line based
 * so that it can be read with less(1) and repaired with an editor:
 *
 *	mailhop-envelope 1
 *	id 0S3Q9J20F3K0004XW1AB
 *	arrival 1764026390
 *	size 2048
 *	sender <alice@example.com>
 *	state queued
 *	failed-at 0
 *	bounce 0
 *	relay backup
 *	rcpt pending 1 1764026450 bob@example.com<TAB>451 4.3.0 try later
 *	end
 *
 * The loader is strict: a line it does not understand, a key given twice,
 * a number out of range or a missing "end" (a truncated file) is an error
 * naming the line.  A damaged envelope is reported, never half-loaded,
 * because a half-loaded one would be written back with recipients missing.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "buf.h"
#include "envelope.h"
#include "err.h"
#include "text.h"
#include "xmem.h"

#define ENVELOPE_MAGIC	"mailhop-envelope "
#define ENVELOPE_VERSION 1

/* Keys that appear once; a bit each, to catch duplicates and absences. */
enum {
	K_ID = 1 << 0, K_ARRIVAL = 1 << 1, K_SIZE = 1 << 2, K_SENDER = 1 << 3,
	K_STATE = 1 << 4, K_FAILED_AT = 1 << 5, K_BOUNCE = 1 << 6,
	K_RELAY = 1 << 7,
};
#define K_REQUIRED	(K_ID | K_ARRIVAL | K_SIZE | K_SENDER | K_STATE)

static const char *const env_state_names[] = { "queued", "held", "failed" };
static const char *const rcpt_state_names[] = { "pending", "sent", "failed" };

void
envelope_init(struct envelope *env)
{
	memset(env, 0, sizeof(*env));
}

void
envelope_free(struct envelope *env)
{
	size_t	 i;

	for (i = 0; i < env->nrcpts; i++) {
		free(env->rcpts[i].addr);
		free(env->rcpts[i].reply);
	}
	free(env->rcpts);
	free(env->sender);
	free(env->relay);
	envelope_init(env);
}

void
envelope_fill(struct envelope *env, const char *sender, char *const *rcpts,
    size_t n)
{
	size_t	 i;

	free(env->sender);
	env->sender = xstrdup(sender != NULL ? sender : "");
	for (i = 0; i < n; i++)
		envelope_add_rcpt(env, rcpts[i]);
}

void
envelope_add_rcpt(struct envelope *env, const char *addr)
{
	struct rcpt	*r;

	env->rcpts = xreallocarray(env->rcpts, env->nrcpts + 1,
	    sizeof(*env->rcpts));
	r = &env->rcpts[env->nrcpts++];
	memset(r, 0, sizeof(*r));
	r->addr = xstrdup(addr);
	r->state = RCPT_PENDING;
}

void
envelope_set_reply(struct rcpt *r, const char *reply)
{
	char	 tmp[ENVELOPE_REPLY_MAX + 1];

	free(r->reply);
	r->reply = NULL;
	if (reply == NULL)
		return;
	/* A multi-line reply becomes one line; a terminal trick, '?'. */
	text_show(tmp, sizeof(tmp), reply, strlen(reply), TEXT_SPACE);
	if (tmp[0] != '\0')
		r->reply = xstrdup(tmp);
}

size_t
envelope_count(const struct envelope *env, enum rcpt_state st)
{
	size_t	 i, n = 0;

	for (i = 0; i < env->nrcpts; i++)
		if (env->rcpts[i].state == st)
			n++;
	return n;
}

time_t
envelope_next(const struct envelope *env)
{
	time_t	 t = 0;
	size_t	 i;
	int	 any = 0;

	for (i = 0; i < env->nrcpts; i++) {
		if (env->rcpts[i].state != RCPT_PENDING)
			continue;
		if (!any || env->rcpts[i].next < t)
			t = env->rcpts[i].next;
		any = 1;
	}
	return t;
}

const char *
envelope_state_name(enum env_state st)
{
	return (unsigned)st < 3 ? env_state_names[st] : "?";
}

const char *
rcpt_state_name(enum rcpt_state st)
{
	return (unsigned)st < 3 ? rcpt_state_names[st] : "?";
}

/* Nothing we write may contain a byte that would end or split a line. */
static int
env_clean(const char *s, int tab_ok)
{
	for (; *s != '\0'; s++)
		if (((unsigned char)*s < 0x20 && !(tab_ok && *s == '\t')) ||
		    *s == 0x7f)
			return 0;
	return 1;
}

/* An upstream name: [a-z0-9_-]{1,32} (conf.h). */
static int
env_relay_ok(const char *v, size_t n)
{
	size_t	 i;

	if (n == 0 || n > 32)
		return 0;
	for (i = 0; i < n; i++)
		if (!((v[i] >= 'a' && v[i] <= 'z') ||
		    (v[i] >= '0' && v[i] <= '9') || v[i] == '_' || v[i] == '-'))
			return 0;
	return 1;
}

int
envelope_format(const struct envelope *env, struct buf *b)
{
	const struct rcpt *r;
	size_t	 i;
	int	 rc = 0;

	if (env->sender == NULL || !env_clean(env->sender, 0) ||
	    !env_clean(env->id, 0) || (unsigned)env->state > ENV_FAILED ||
	    (env->relay != NULL && !env_relay_ok(env->relay,
	    strlen(env->relay)))) {
		errno = EINVAL;
		return -1;
	}
	rc |= buf_addf(b, "%s%d\nid %s\narrival %lld\nsize %" PRIu64 "\n",
	    ENVELOPE_MAGIC, ENVELOPE_VERSION, env->id,
	    (long long)env->arrival, env->size);
	rc |= buf_addf(b, "sender <%s>\nstate %s\nfailed-at %lld\nbounce %d\n",
	    env->sender, env_state_names[env->state],
	    (long long)env->failed_at, env->is_bounce ? 1 : 0);
	if (env->relay != NULL)
		rc |= buf_addf(b, "relay %s\n", env->relay);
	for (i = 0; i < env->nrcpts && rc == 0; i++) {
		r = &env->rcpts[i];
		if (r->addr == NULL || r->addr[0] == '\0' ||
		    !env_clean(r->addr, 0) || (unsigned)r->state > RCPT_FAILED ||
		    r->attempts < 0 || r->next < 0 ||
		    (r->reply != NULL && (!env_clean(r->reply, 0) ||
		    strlen(r->reply) > ENVELOPE_REPLY_MAX))) {
			errno = EINVAL;
			return -1;
		}
		rc |= buf_addf(b, "rcpt %s %d %lld %s\t%s\n",
		    rcpt_state_names[r->state], r->attempts,
		    (long long)r->next, r->addr,
		    r->reply != NULL ? r->reply : "");
	}
	rc |= buf_adds(b, "end\n");
	return rc == 0 ? 0 : -1;
}

/* ---- parser ---- */

struct env_parser {
	struct envelope	*env;
	struct mh_err	*err;
	unsigned	 seen;		/* K_* bits */
	size_t		 line;
};

/* Strict unsigned decimal: digits only, no sign, no space, <= max. */
static int
env_number(const char *s, size_t len, unsigned long long max,
    unsigned long long *out)
{
	unsigned long long v = 0;
	size_t	 i;

	if (len == 0 || len > 20)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v > max / 10 || (v == max / 10 &&
		    (unsigned)(s[i] - '0') > max % 10))
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return 0;
}

static int
env_perr(struct env_parser *ep, const char *what, const char *s, size_t len)
{
	if (len > 40)
		len = 40;
	return mh_err_set(ep->err, EX_DATAERR, "line %zu: %s \"%.*s\"",
	    ep->line, what, (int)len, s);
}

static int
env_state_parse(const char *s, size_t len, const char *const names[])
{
	int	 i;

	for (i = 0; i < 3; i++)
		if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0)
			return i;
	return -1;
}

/* Split off the next space-separated word of [*s, end). */
static int
env_word(const char **s, const char *end, const char **w, size_t *wlen)
{
	const char	*p;

	p = memchr(*s, ' ', (size_t)(end - *s));
	if (p == NULL || p == *s)
		return -1;
	*w = *s;
	*wlen = (size_t)(p - *s);
	*s = p + 1;
	return 0;
}

/*
 * An address read back goes to the wire as it is (RCPT TO:<addr>), so it
 * passes the front end's check again (addr_check): an edited or damaged
 * envelope cannot add ESMTP parameters or commands ("a b> NOTIFY=NEVER
 * <c@d").
 */
static int
env_check_addr(struct env_parser *ep, const char *a, const char *line,
    size_t len)
{
	struct mh_err	 e;

	if (addr_check(a, &e) == 0)
		return 0;
	return env_perr(ep, "bad address in", line, len);
}

/* "rcpt STATE ATTEMPTS NEXT ADDRESS<TAB>REPLY" */
static int
env_parse_rcpt(struct env_parser *ep, const char *s, size_t len)
{
	const char		*line = s, *end = s + len, *w, *tab;
	size_t			 wlen;
	unsigned long long	 att, next;
	int			 st;
	struct rcpt		*r;

	if (env_word(&s, end, &w, &wlen) == -1 ||
	    (st = env_state_parse(w, wlen, rcpt_state_names)) == -1)
		return env_perr(ep, "bad recipient state in", line, len);
	if (env_word(&s, end, &w, &wlen) == -1 ||
	    env_number(w, wlen, INT_MAX, &att) == -1)
		return env_perr(ep, "bad attempt count in", line, len);
	if (env_word(&s, end, &w, &wlen) == -1 ||
	    env_number(w, wlen, INT64_MAX, &next) == -1)
		return env_perr(ep, "bad next-attempt time in", line, len);
	tab = memchr(s, '\t', (size_t)(end - s));
	if (tab == NULL || tab == s)
		return env_perr(ep, "bad recipient in", line, len);
	if ((size_t)(end - tab - 1) > ENVELOPE_REPLY_MAX)
		return env_perr(ep, "reply too long in", line, len);
	if (memchr(tab + 1, '\t', (size_t)(end - tab - 1)) != NULL)
		return env_perr(ep, "stray tab in", line, len);
	envelope_add_rcpt(ep->env, "");
	r = &ep->env->rcpts[ep->env->nrcpts - 1];
	free(r->addr);
	r->addr = xstrndup(s, (size_t)(tab - s));
	if (env_check_addr(ep, r->addr, line, len) == -1)
		return -1;
	r->state = (enum rcpt_state)st;
	r->attempts = (int)att;
	r->next = (time_t)next;
	if (end > tab + 1)
		r->reply = xstrndup(tab + 1, (size_t)(end - tab - 1));
	return 0;
}

static int
env_parse_num_key(struct env_parser *ep, unsigned key, const char *v,
    size_t vlen)
{
	struct envelope		*env = ep->env;
	unsigned long long	 n;
	unsigned long long	 max = key == K_SIZE ? UINT64_MAX :
				    key == K_BOUNCE ? 1 : INT64_MAX;

	if (env_number(v, vlen, max, &n) == -1)
		return env_perr(ep, "bad number", v, vlen);
	if (key == K_ARRIVAL)
		env->arrival = (time_t)n;
	else if (key == K_SIZE)
		env->size = n;
	else if (key == K_FAILED_AT)
		env->failed_at = (time_t)n;
	else
		env->is_bounce = (int)n;
	return 0;
}

static int
env_parse_kv(struct env_parser *ep, unsigned key, const char *v, size_t vlen)
{
	struct envelope	*env = ep->env;
	int		 st;

	switch (key) {
	case K_ID:
		if (vlen == 0 || vlen >= sizeof(env->id))
			return env_perr(ep, "bad id", v, vlen);
		memcpy(env->id, v, vlen);
		env->id[vlen] = '\0';
		return 0;
	case K_SENDER:
		if (vlen < 2 || v[0] != '<' || v[vlen - 1] != '>')
			return env_perr(ep, "bad sender", v, vlen);
		env->sender = xstrndup(v + 1, vlen - 2);
		if (env->sender[0] != '\0')
			return env_check_addr(ep, env->sender, v, vlen);
		return 0;
	case K_RELAY:
		if (!env_relay_ok(v, vlen))
			return env_perr(ep, "bad relay", v, vlen);
		env->relay = xstrndup(v, vlen);
		return 0;
	case K_STATE:
		st = env_state_parse(v, vlen, env_state_names);
		if (st == -1)
			return env_perr(ep, "bad state", v, vlen);
		env->state = (enum env_state)st;
		return 0;
	default:
		return env_parse_num_key(ep, key, v, vlen);
	}
}

static const struct {
	const char	*name;
	unsigned	 key;
} env_keys[] = {
	{ "id", K_ID }, { "arrival", K_ARRIVAL }, { "size", K_SIZE },
	{ "sender", K_SENDER }, { "state", K_STATE },
	{ "failed-at", K_FAILED_AT }, { "bounce", K_BOUNCE },
	{ "relay", K_RELAY },
};

/* A C0 control other than TAB, or DEL. */
static int
env_ctl(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

/*
 * Whether a line holds env_ctl() bytes: eight bytes at a time (SPEC 13:
 * mailq parses every envelope), a word that has a byte below 0x20 or a
 * DEL (hasless/haszero of "Bit Twiddling Hacks", exact as a test) looked
 * at byte by byte.
 */
static int
env_line_ctl(const char *s, size_t len)
{
	const uint64_t	 ones = 0x0101010101010101ULL;
	const uint64_t	 high = 0x8080808080808080ULL;
	uint64_t	 x, d;
	size_t		 i = 0, j;

	for (; i + 8 <= len; i += 8) {
		memcpy(&x, s + i, 8);
		d = x ^ (ones * 0x7f);
		if ((((x - ones * 0x20) & ~x) | ((d - ones) & ~d)) & high)
			for (j = i; j < i + 8; j++)
				if (env_ctl((unsigned char)s[j]))
					return 1;
	}
	for (; i < len; i++)
		if (env_ctl((unsigned char)s[i]))
			return 1;
	return 0;
}

/* One line after the first, without its LF.  1: it was "end". */
static int
env_parse_line(struct env_parser *ep, const char *s, size_t len)
{
	const char	*sp;
	size_t		 klen, i;

	if (len == 3 && memcmp(s, "end", 3) == 0)
		return 1;
	if (env_line_ctl(s, len))
		return env_perr(ep, "control character in", s, len);
	sp = memchr(s, ' ', len);
	if (sp == NULL)
		return env_perr(ep, "malformed line", s, len);
	klen = (size_t)(sp - s);
	if (klen == 4 && memcmp(s, "rcpt", 4) == 0)
		return env_parse_rcpt(ep, sp + 1, len - 5);
	if (memchr(s, '\t', len) != NULL)
		return env_perr(ep, "stray tab in", s, len);
	for (i = 0; i < sizeof(env_keys) / sizeof(env_keys[0]); i++) {
		if (strlen(env_keys[i].name) != klen ||
		    memcmp(env_keys[i].name, s, klen) != 0)
			continue;
		if (ep->seen & env_keys[i].key)
			return env_perr(ep, "duplicate key", s, klen);
		ep->seen |= env_keys[i].key;
		return env_parse_kv(ep, env_keys[i].key, sp + 1,
		    len - klen - 1);
	}
	return env_perr(ep, "unknown key", s, klen);
}

static int
env_parse_magic(struct env_parser *ep, const char *s, size_t len)
{
	size_t			 ml = strlen(ENVELOPE_MAGIC);
	unsigned long long	 v;

	if (len < ml || memcmp(s, ENVELOPE_MAGIC, ml) != 0)
		return mh_err_set(ep->err, EX_DATAERR,
		    "line 1: not a mailhop envelope");
	if (env_number(s + ml, len - ml, INT_MAX, &v) == -1 ||
	    v != ENVELOPE_VERSION)
		return env_perr(ep, "unsupported envelope version", s + ml,
		    len - ml);
	return 0;
}

int
envelope_parse(const char *data, size_t len, struct envelope *env,
    struct mh_err *err)
{
	struct env_parser	 ep = { env, err, 0, 0 };
	const char		*p = data, *end = data + len, *nl;
	int			 r = 0;

	envelope_init(env);
	if (memchr(data, '\0', len) != NULL) {
		mh_err_set(err, EX_DATAERR, "NUL byte in envelope");
		goto fail;
	}
	while (p < end && r == 0) {
		ep.line++;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL) {
			env_perr(&ep, "truncated line", p, (size_t)(end - p));
			goto fail;
		}
		if (ep.line == 1)
			r = env_parse_magic(&ep, p, (size_t)(nl - p));
		else
			r = env_parse_line(&ep, p, (size_t)(nl - p));
		if (r == -1)
			goto fail;
		p = nl + 1;
	}
	if (r != 1) {
		mh_err_set(err, EX_DATAERR, ep.line == 0 ? "empty envelope" :
		    "truncated: no \"end\" line after line %zu", ep.line);
		goto fail;
	}
	if (p != end) {
		mh_err_set(err, EX_DATAERR, "data after \"end\" (line %zu)",
		    ep.line + 1);
		goto fail;
	}
	if ((ep.seen & K_REQUIRED) != K_REQUIRED) {
		mh_err_set(err, EX_DATAERR, "missing key \"%s\"",
		    !(ep.seen & K_ID) ? "id" : !(ep.seen & K_ARRIVAL) ?
		    "arrival" : !(ep.seen & K_SIZE) ? "size" :
		    !(ep.seen & K_SENDER) ? "sender" : "state");
		goto fail;
	}
	return 0;
fail:
	envelope_free(env);
	return -1;
}
