/* SPDX-License-Identifier: MIT */
/*
 * cmd_queue.c - mailq / sendmail -bp / mailhop queue [--json], and the
 * commands that act on one entry: show, delete, hold, release.
 *
 * Listing is read-only and takes no locks: envelopes are replaced by
 * rename, so each unlocked read sees one whole version, and mailq stays
 * fast (one read per entry) and never waits for a flusher.  The commands
 * that change an entry take its lock with spool_claim() and wait for a
 * flusher that holds it, so they never race a delivery.
 *
 * Ids from the command line go through spool_id_valid() (inside
 * spool_peek and spool_claim) before anything is opened: no path is ever
 * built from an unchecked id.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "buf.h"
#include "cmd.h"
#include "down.h"
#include "envelope.h"
#include "err.h"
#include "fsio.h"
#include "json.h"
#include "spool.h"
#include "spools.h"
#include "state.h"
#include "text.h"
#include "timefmt.h"

#define Q_FIELD_MAX	1024	/* a field of an envelope, as shown */
#define Q_INDENT	52	/* the column of recipients and replies */

/* What a listing adds up. */
struct q_total {
	uint64_t	 bytes;
	size_t		 entries;
};

/* ---- mailq ---- */

/* v in decimal, written backwards from end (a buffer of 21 or more). */
static const char *
q_num(uint64_t v, char *end)
{
	*--end = '\0';
	do
		*--end = (char)('0' + v % 10);
	while ((v /= 10) > 0);
	return end;
}

/* Two digits of v (0-99; a leap second's 60 included). */
static void
q_two(char *out, int v)
{
	out[0] = (char)('0' + v / 10 % 10);
	out[1] = (char)('0' + v % 10);
}

/*
 * "Wed Nov 25 00:19:50", Postfix's arrival column, local time: strftime's
 * "%a %b %e %H:%M:%S" in the C locale (mailhop never sets another), put
 * together by hand since mailq does it for every entry.
 */
static void
q_arrival(time_t t, char *out, size_t len)
{
	static const char	 days[] = "SunMonTueWedThuFriSat";
	static const char	 months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	struct tm		 tm;

	if (localtime_r(&t, &tm) == NULL || tm.tm_wday < 0 ||
	    tm.tm_wday > 6 || tm.tm_mon < 0 || tm.tm_mon > 11 || len < 20) {
		snprintf(out, len, "%lld", (long long)t);
		return;
	}
	memcpy(out, days + 3 * tm.tm_wday, 3);
	out[3] = ' ';
	memcpy(out + 4, months + 3 * tm.tm_mon, 3);
	out[7] = ' ';
	out[8] = tm.tm_mday >= 10 ? (char)('0' + tm.tm_mday / 10) : ' ';
	out[9] = (char)('0' + tm.tm_mday % 10);
	out[10] = ' ';
	q_two(out + 11, tm.tm_hour);
	out[13] = ':';
	q_two(out + 14, tm.tm_min);
	out[16] = ':';
	q_two(out + 17, tm.tm_sec);
	out[19] = '\0';
}

/*
 * '!' held (Postfix's mark), '#' failed (kept for failed_keep, never
 * retried), ' ' queued.
 */
static char
q_mark(const struct envelope *env)
{
	if (env->state == ENV_HELD)
		return '!';
	if (env->state == ENV_FAILED)
		return '#';
	return ' ';
}

/*
 * An envelope field for a person: the spool is ours, but an envelope may
 * have been edited or written by another version, so nothing in it
 * reaches a terminal without text_show().
 */
static const char *
q_clean(const char *s, char *out, size_t len)
{
	text_show(out, len, s, strlen(s), 0);
	return out;
}

/*
 * An entry is put together in a buf (SPEC 13: mailq formats every entry;
 * stdio's padding and a memstream's byte-wise copies were a third of the
 * time): width spaces, or s padded to width on the right or the left.
 */
static void
q_spaces(struct buf *b, size_t width)
{
	static const char	 sp[] = "                                "
				    "                                ";

	size_t			 k;

	for (; width > 0; width -= k) {
		k = width < sizeof(sp) - 1 ? width : sizeof(sp) - 1;
		buf_add(b, sp, k);
	}
}

static void
q_pad(struct buf *b, const char *s, size_t width, int right)
{
	size_t	 n = strlen(s);

	if (right && n < width)
		q_spaces(b, width - n);
	buf_add(b, s, n);
	if (!right && n < width)
		q_spaces(b, width - n);
}

/* A field, cleaned (q_clean), then a string. */
static void
q_field(struct buf *b, const char *s, const char *then)
{
	char	 t[Q_FIELD_MAX];

	buf_adds(b, q_clean(s, t, sizeof(t)));
	buf_adds(b, then);
}

/*
 * "(reply)" or "(failed: reply)"; with several upstreams the one last
 * tried is named (SPEC 9): "(via backup: reply)", "(failed via ses: ...)".
 */
static void
q_print_reply(struct buf *b, const struct rcpt *r, const char *relay)
{
	int	 failed = r->state == RCPT_FAILED;

	q_spaces(b, Q_INDENT);
	buf_addc(b, '(');
	if (relay != NULL) {
		buf_adds(b, failed ? "failed via " : "via ");
		buf_adds(b, relay);
		buf_adds(b, ": ");
	} else if (failed)
		buf_adds(b, "failed: ");
	q_field(b, r->reply, ")\n");
}

/*
 * Pending and failed recipients, each under its last reply (Postfix).
 * user: root's view names the spool's owner after the sender; show_relay:
 * several upstreams, name the one last tried.
 */
static void
q_print_entry(struct buf *b, const struct envelope *env, const char *user,
    int show_relay)
{
	const struct rcpt	*r;
	char			 when[TIMEFMT_MAX], t[Q_FIELD_MAX], n[24];
	size_t			 i;

	q_pad(b, q_clean(env->id, t, sizeof(t)), 20, 0);
	buf_addc(b, q_mark(env));
	buf_addc(b, ' ');
	q_pad(b, q_num(env->size, n + sizeof(n)), 8, 1);
	buf_addc(b, ' ');
	q_arrival(env->arrival, when, sizeof(when));
	buf_adds(b, when);
	buf_adds(b, "  ");
	q_field(b, addr_show(env->sender), "");
	if (user != NULL) {
		buf_adds(b, "  (user ");
		buf_adds(b, user);
		buf_addc(b, ')');
	}
	buf_addc(b, '\n');
	for (i = 0; i < env->nrcpts; i++) {
		r = &env->rcpts[i];
		if (r->state == RCPT_SENT)
			continue;
		if (r->reply != NULL)
			q_print_reply(b, r, show_relay ? env->relay : NULL);
		q_spaces(b, Q_INDENT);
		q_field(b, r->addr, "\n");
	}
	buf_addc(b, '\n');
}

static void
q_print_header(FILE *out)
{
	fprintf(out, "%-20s  %8s %-19s  %s\n", "-Queue ID-----------",
	    "--Size--", "---Arrival Time----", "-Sender/Recipient-------");
}

static void
q_print_total(FILE *out, const struct q_total *t)
{
	if (t->entries == 0) {
		fputs("Mail queue is empty\n", out);
		return;
	}
	fprintf(out, "-- %llu Kbytes in %zu Request%s.\n",
	    (unsigned long long)((t->bytes + 1023) / 1024), t->entries,
	    t->entries == 1 ? "" : "s");
}

/*
 * Upstreams marked down (SPEC 9), one line each, before the total:
 * "-- upstream backup (smtp2.example.net:465) is down until Wed Dec  2
 * 19:40:00: connection refused".  With cfg, the marks that still apply
 * to it; without (root's view of another user's spool, whose
 * configuration is not read), every mark in force, naming the user.
 * Read-only: no state directory is made.
 */
static void
q_print_down(FILE *out, const struct config *cfg, struct spool *sp,
    const char *user)
{
	const struct upstream	*up;
	struct down_entry	*v;
	struct down_mark	 m;
	struct state		 st;
	struct mh_err		 err;
	char			 when[TIMEFMT_MAX], t[Q_FIELD_MAX];
	size_t			 i, n;
	time_t			 now = time(NULL);

	if (state_open(&st, sp, 0, &err) != 0)
		return;
	if (down_list(&st, now, &v, &n, &err) == 0)
		for (i = 0; i < n; i++) {
			up = cfg != NULL ? conf_upstream(cfg, v[i].name) : NULL;
			if (cfg != NULL && (up == NULL ||
			    !down_check(&st, up, now, &m)))
				continue;
			q_arrival(v[i].mark.until, when, sizeof(when));
			fprintf(out, "-- upstream %s (%s) is down until %s%s%s"
			    "%s%s%s\n", v[i].name, q_clean(v[i].server, t,
			    sizeof(t)), when, v[i].mark.reason[0] != '\0' ?
			    ": " : "", v[i].mark.reason, user != NULL ?
			    " (user " : "", user != NULL ? user : "",
			    user != NULL ? ")" : "");
		}
	free(v);
	state_close(&st);
}

/* ---- queue --json ---- */

static void
q_time_str(time_t t, char *out, size_t len)
{
	if (timefmt_rfc3339(t, out, len) == -1)
		snprintf(out, len, "%lld", (long long)t);
}

/* RFC 3339, or null. */
static void
q_json_time(struct buf *b, time_t t, int present)
{
	char	 s[TIMEFMT_MAX];

	if (present && timefmt_rfc3339(t, s, sizeof(s)) == 0)
		json_add_string(b, s);
	else
		buf_adds(b, "null");
}

/*
 * next_attempt: for a pending recipient the time it becomes due (its
 * arrival when it was never deferred); null for one that is settled.
 */
static void
q_json_rcpt(struct buf *b, const struct envelope *env, const struct rcpt *r)
{
	buf_adds(b, "{\"address\":");
	json_add_string(b, r->addr);
	buf_addf(b, ",\"state\":\"%s\",\"attempts\":%d,\"next_attempt\":",
	    rcpt_state_name(r->state), r->attempts);
	q_json_time(b, r->next != 0 ? r->next : env->arrival,
	    r->state == RCPT_PENDING);
	buf_adds(b, ",\"last_reply\":");
	if (r->reply != NULL)
		json_add_string(b, r->reply);
	else
		buf_adds(b, "null");
	buf_adds(b, "}");
}

/*
 * One line; the null sender is "" (as Postfix's postqueue -j has it);
 * user is the spool's owner.
 */
static void
q_json_entry(struct buf *b, const struct envelope *env, const char *user)
{
	size_t	 i;

	buf_adds(b, "{\"id\":");
	json_add_string(b, env->id);
	buf_adds(b, ",\"user\":");
	json_add_string(b, user);
	buf_addf(b, ",\"size\":%llu,\"arrival\":",
	    (unsigned long long)env->size);
	q_json_time(b, env->arrival, 1);
	buf_adds(b, ",\"sender\":");
	json_add_string(b, env->sender);
	buf_addf(b, ",\"state\":\"%s\",\"relay\":",
	    envelope_state_name(env->state));
	if (env->relay != NULL)
		json_add_string(b, env->relay);
	else
		buf_adds(b, "null");
	buf_adds(b, ",\"recipients\":[");
	for (i = 0; i < env->nrcpts; i++) {
		if (i > 0)
			buf_addc(b, ',');
		q_json_rcpt(b, env, &env->rcpts[i]);
	}
	buf_adds(b, "]}\n");
}

/* ---- the listing ---- */

/*
 * A damaged envelope is shown, never hidden and never fatal: in mailq as a
 * line of its own; with --json on stderr, so that stdout stays one valid
 * object per line in the documented shape.
 */
static void
q_list_damaged(struct buf *b, int json, const struct mh_err *err,
    const char *id)
{
	if (json)
		fprintf(stderr, "mailhop: %s\n", err->msg);
	else
		buf_addf(b, "%-20s? %s\n\n", id, err->msg);
}

/* What a listing carries from spool to spool (root's view: child to child). */
struct q_list {
	struct q_total	 t;
	int		 json;
	int		 all;		/* root's view: name the owner (of a
					 * spool that is not root's own) */
	int		 show_relay;	/* several upstreams: name the one tried */
	const struct config *cfg;	/* root's, for its own spool's marks */
};

/* One entry to b, counted in t (0 when it went away meanwhile). */
static void
q_list_one(struct spool *sp, const char *id, const struct q_list *l,
    const char *user, struct buf *b, struct q_total *t)
{
	struct envelope	 env;
	struct mh_err	 err;
	int		 rc;

	rc = spool_peek(sp, id, &env, &err);
	if (rc == 1)
		return;		/* delivered or deleted since the listing */
	t->entries++;
	if (rc == -1) {
		q_list_damaged(b, l->json, &err, id);
		return;
	}
	t->bytes += env.size;
	if (l->json)
		q_json_entry(b, &env, user);
	else
		q_print_entry(b, &env, l->all ? user : NULL, l->show_relay);
	envelope_free(&env);
}

/*
 * A long queue is read by two threads (SPEC 13: mailq with 10,000
 * entries in 50 ms; opening and reading each envelope is most of the
 * cost): each reads and formats half of a chunk of Q_CHUNK entries into
 * its buffer, and the halves are written in order, so the output is the
 * same as one thread's and memory stays bounded (the buffers are reused
 * from chunk to chunk).
 */
#define Q_CHUNK		1024

struct q_part {
	struct spool		*sp;
	char			**ids;
	size_t			 n;
	const struct q_list	*l;
	const char		*user;
	struct q_total		 t;
	struct buf		 out;
};

static void *
q_part_run(void *arg)
{
	struct q_part	*p = arg;
	size_t		 i;

	memset(&p->t, 0, sizeof(p->t));
	buf_reset(&p->out);
	for (i = 0; i < p->n; i++)
		q_list_one(p->sp, p->ids[i], p->l, p->user, &p->out, &p->t);
	return NULL;
}

/* Write a part (the header first, before the first entry). */
static void
q_part_put(struct q_part *p, struct q_list *l)
{
	if (p->t.entries > 0 && l->t.entries == 0 && !l->json)
		q_print_header(stdout);
	if (p->out.len > 0)
		fwrite(p->out.data, 1, p->out.len, stdout);
	l->t.entries += p->t.entries;
	l->t.bytes += p->t.bytes;
}

static void
q_list_chunk(struct q_part *a, struct q_part *b, char **ids, size_t n,
    struct q_list *l)
{
	pthread_t	 tid;
	int		 threaded;

	a->ids = ids;
	a->n = n < 64 ? n : n / 2;
	b->ids = ids + a->n;
	b->n = n - a->n;
	threaded = b->n > 0 && pthread_create(&tid, NULL, q_part_run, b) == 0;
	q_part_run(a);
	if (b->n > 0 && !threaded)
		q_part_run(b);
	if (threaded)
		pthread_join(tid, NULL);
	q_part_put(a, l);
	if (b->n > 0)
		q_part_put(b, l);
}

static int
q_list_spool(struct spool *sp, struct q_list *l, const char *user,
    struct mh_err *err)
{
	struct q_part	 p[2];
	char		**ids;
	size_t		 n, i;

	if (spool_list(sp, &ids, &n, err) == -1)
		return -1;
	memset(p, 0, sizeof(p));
	for (i = 0; i < 2; i++) {
		p[i].sp = sp;
		p[i].l = l;
		p[i].user = user;
		buf_init(&p[i].out, 0);
	}
	for (i = 0; i < n; i += Q_CHUNK)
		q_list_chunk(&p[0], &p[1], ids + i,
		    n - i < Q_CHUNK ? n - i : Q_CHUNK, l);
	buf_free(&p[0].out);
	buf_free(&p[1].out);
	spool_ids_free(ids, n);
	return 0;
}

/* The caller's name for "user" (the uid when it has no passwd entry). */
static char *
q_self(void)
{
	char	*name;

	name = spool_user_leaf(geteuid(), 0);
	return name != NULL ? name : spool_user_leaf(geteuid(), 1);
}

/* In root's child, as the owner of d. */
static int
q_list_child(const struct spools_dir *d, void *arg, struct mh_err *err)
{
	struct q_list	*l = arg;
	struct spool	 sp;
	int		 rc, all = l->all;

	if (spool_open_dir(&sp, d->path, err) == -1)
		return -1;
	/* Root's own entries look as they always did; others name their owner. */
	l->all = d->uid != 0;
	rc = q_list_spool(&sp, l, d->user, err);
	if (rc == 0 && !l->json)
		q_print_down(stdout, d->uid == 0 ? l->cfg : NULL, &sp,
		    d->uid == 0 ? NULL : d->user);
	l->all = all;
	spool_close(&sp);
	return rc;
}

/*
 * Some spool of root's view cannot be read: say which on stderr and go
 * on with the others; the exit status is the last such error's.
 */
static int
q_all_warn(const struct spools_dir *d, int rc, const struct mh_err *err,
    struct mh_err *last)
{
	if (rc != -1 && rc != 2)
		return 0;
	if (rc == 2)
		mh_err_set(last, EX_SOFTWARE, "%s (%s): no answer", d->path,
		    d->user);
	else
		mh_err_set(last, err->exit, "%s (%s): %s", d->path, d->user,
		    err->msg);
	fprintf(stderr, "mailhop: %s\n", last->msg);
	return -1;
}

/* Root's view: root's own spool and every one of the system spool root. */
static int
q_spools(const struct config *cfg, struct spools_dir **v, size_t *n,
    struct mh_err *err)
{
	struct mh_err	 ignored;
	char		*own = spool_path(cfg, &ignored);
	int		 rc;

	rc = spools_list(own, v, n, err);
	free(own);
	return rc;
}

static int
q_list_all(const struct config *cfg, struct q_list *l, struct mh_err *err)
{
	struct spools_dir	*v;
	struct mh_err		 one, last;
	size_t			 n, i;
	int			 rc, status, bad = 0;

	if (q_spools(cfg, &v, &n, err) == -1)
		return err->exit;
	mh_err_clear(&last);
	for (i = 0; i < n; i++) {
		rc = spools_run(&v[i], q_list_child, l, sizeof(*l), &status,
		    &one);
		if (q_all_warn(&v[i], rc, &one, &last) == -1)
			bad = 1;
	}
	spools_free(v, n);
	if (!l->json)
		q_print_total(stdout, &l->t);
	/* A user's directory another user holds: their mail cannot queue. */
	fflush(stdout);
	(void)spools_blocked();
	if (bad)
		*err = last;
	return bad ? err->exit : 0;
}

int
cmd_queue_list(const struct config *cfg, int json, struct mh_err *err)
{
	struct spool	 sp;
	struct q_list	 l;
	char		*self;
	int		 rc;

	memset(&l, 0, sizeof(l));
	l.json = json;
	l.show_relay = cfg->nupstreams > 1;
	l.cfg = cfg;
	if (spools_all_visible()) {
		l.all = 1;
		return q_list_all(cfg, &l, err);
	}
	if (spool_open(&sp, cfg, err) == -1) {
		/* Never made (the helper makes it on first use): empty. */
		if (err->reason != MH_REASON_SPOOL_ROOT) {
			spool_close(&sp);
			return err->exit;
		}
		spool_close(&sp);
		if (!json)
			q_print_total(stdout, &l.t);
		return 0;
	}
	self = q_self();
	rc = q_list_spool(&sp, &l, self, err);
	free(self);
	if (rc == 0 && !json) {
		q_print_down(stdout, cfg, &sp, NULL);
		q_print_total(stdout, &l.t);
	}
	spool_close(&sp);
	return rc == -1 ? err->exit : 0;
}

/* ---- show ---- */

static void
q_show_envelope(FILE *out, const struct envelope *env)
{
	const struct rcpt	*r;
	char			 when[TIMEFMT_MAX], t[Q_FIELD_MAX];
	size_t			 i;

	q_time_str(env->arrival, when, sizeof(when));
	fprintf(out, "id: %s\narrival: %s\nsize: %llu\n", q_clean(env->id, t,
	    sizeof(t)), when, (unsigned long long)env->size);
	fprintf(out, "sender: <%s>\nstate: %s\n", q_clean(env->sender, t,
	    sizeof(t)), envelope_state_name(env->state));
	if (env->relay != NULL)
		fprintf(out, "relay: %s\n", env->relay);
	for (i = 0; i < env->nrcpts; i++) {
		r = &env->rcpts[i];
		fprintf(out, "recipient: %s %s attempts=%d", q_clean(r->addr, t,
		    sizeof(t)), rcpt_state_name(r->state), r->attempts);
		if (r->state == RCPT_PENDING && r->next != 0) {
			q_time_str(r->next, when, sizeof(when));
			fprintf(out, " next=%s", when);
		}
		if (r->reply != NULL)
			fprintf(out, " reply=\"%s\"", q_clean(r->reply, t,
			    sizeof(t)));
		fputc('\n', out);
	}
	fputc('\n', out);
}

/*
 * The message for a terminal: LF line ends, and every byte or character
 * a terminal would act on (ESC, C1, bidi controls, invalid UTF-8) written
 * as an escape (text_show's TEXT_LINES).  A piece that may continue in
 * the next read (half a character, a CR) is carried over.
 */
static int
q_show_tty(int fd, char *buf, size_t size)
{
	struct buf	 out;
	size_t		 have = 0, took;
	ssize_t		 r;
	int		 rc = 0;

	buf_init(&out, 0);
	while ((r = fsio_read_full(fd, buf + have, size - have)) > 0) {
		have += (size_t)r;
		took = text_show_buf(&out, buf, have, TEXT_LINES | TEXT_MORE);
		memmove(buf, buf + took, have - took);
		have -= took;
		if (fsio_write_all(STDOUT_FILENO, out.data, out.len) == -1) {
			rc = -2;
			break;
		}
		buf_reset(&out);
	}
	if (r == -1)
		rc = -1;
	if (rc == 0 && have > 0) {
		text_show_buf(&out, buf, have, TEXT_LINES);
		if (fsio_write_all(STDOUT_FILENO, out.data, out.len) == -1)
			rc = -2;
	}
	buf_free(&out);
	return rc;
}

/*
 * Copy the message file to stdout: as it is queued (CRLF, every byte)
 * into a pipe or a file, escaped for a terminal.
 */
static int
q_show_message(struct spool *sp, const char *id, struct mh_err *err)
{
	char	 name[ENVELOPE_ID_MAX + 8], buf[65536];
	ssize_t	 r = 0;
	int	 fd, rc = 0;

	snprintf(name, sizeof(name), "%s.m", id);
	fd = openat(sp->dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1 && errno == ENOENT)
		return mh_err_set(err, EX_NOUSER, "queue id \"%s\" not found",
		    id);
	if (fd == -1)
		return mh_err_errno(err, EX_IOERR, "%s/%s", sp->path, name);
	fflush(stdout);
	if (isatty(STDOUT_FILENO))
		rc = q_show_tty(fd, buf, sizeof(buf));
	else {
		while ((r = fsio_read_full(fd, buf, sizeof(buf))) > 0)
			if (fsio_write_all(STDOUT_FILENO, buf,
			    (size_t)r) == -1) {
				rc = -2;
				break;
			}
		if (r == -1)
			rc = -1;
	}
	close(fd);
	if (rc == -2)
		return mh_err_errno(err, EX_IOERR, "standard output");
	if (rc == -1)
		return mh_err_errno(err, EX_IOERR, "%s/%s", sp->path, name);
	return 0;
}

/* ---- delete, hold, release ---- */

/*
 * Claim one entry, waiting for a flusher that holds it.  0: ours; -1 with
 * err (an entry that was finished while we waited is "not found": from
 * the user's point of view it is gone).
 */
static int
q_claim(struct spool *sp, const char *id, struct spool_entry *e,
    struct mh_err *err)
{
	int	 rc;

	rc = spool_claim(sp, id, 1, e, err);
	if (rc == 1)
		return mh_err_set(err, EX_NOUSER, "queue id \"%s\" not found",
		    id);
	return rc;
}

static int
q_delete_one(struct spool *sp, const char *id, struct mh_err *err)
{
	struct spool_entry	 e;

	if (q_claim(sp, id, &e, err) == -1)
		return -1;
	return spool_remove(sp, &e, err);
}

/*
 * hold: queued -> held.  release: held -> queued, and due at once (a
 * release means "send it now", not "after the backoff it had").  A
 * failed entry stays failed: it has nothing left to send.
 */
static int
q_hold_one(struct spool *sp, const char *id, int hold, struct mh_err *err)
{
	struct spool_entry	 e;
	size_t			 i;
	int			 rc = 0;

	if (q_claim(sp, id, &e, err) == -1)
		return -1;
	if (hold && e.env.state == ENV_QUEUED) {
		e.env.state = ENV_HELD;
		rc = spool_update(sp, &e, err);
	} else if (!hold && e.env.state == ENV_HELD) {
		e.env.state = ENV_QUEUED;
		for (i = 0; i < e.env.nrcpts; i++)
			if (e.env.rcpts[i].state == RCPT_PENDING)
				e.env.rcpts[i].next = 0;
		rc = spool_update(sp, &e, err);
	}
	spool_release(&e);
	return rc;
}

/* ---- one id: show, delete, hold, release ---- */

/*
 * op on id in sp: 's' show, 'd' delete, 'h' hold, 'r' release.  0 done,
 * 1 no such entry here, -1 with err.  user (root's view) is the owner.
 */
static int
q_op_run(struct spool *sp, const char *id, int op, const char *user,
    struct mh_err *err)
{
	struct envelope	 env;
	int		 rc;

	if (op == 's') {
		rc = spool_peek(sp, id, &env, err);
		if (rc != 0)
			return rc;
		if (user != NULL)
			printf("user: %s\n", user);
		q_show_envelope(stdout, &env);
		envelope_free(&env);
		return q_show_message(sp, id, err);
	}
	rc = op == 'd' ? q_delete_one(sp, id, err) :
	    q_hold_one(sp, id, op == 'h', err);
	return rc == -1 && err->exit == EX_NOUSER ? 1 : rc;
}

/* In root's child, as the owner of the spool. */
struct q_op {
	const char	*id;
	int		 op;
};

static int
q_op_child(const struct spools_dir *d, void *arg, struct mh_err *err)
{
	const struct q_op	*o = arg;
	struct spool		 sp;
	int			 rc;

	if (spool_open_dir(&sp, d->path, err) == -1)
		return -1;
	rc = q_op_run(&sp, o->id, o->op, d->user, err);
	spool_close(&sp);
	return rc;
}

/* Root's view: the spool that has the entry. */
static int
q_op_all(const struct config *cfg, const char *id, int op,
    struct mh_err *err)
{
	struct spools_dir	*v;
	struct q_op		 o = { id, op };
	struct mh_err		 one, last;
	size_t			 n, i;
	int			 rc, status, found = 0;

	if (q_spools(cfg, &v, &n, err) == -1)
		return -1;
	mh_err_clear(&last);
	for (i = 0; i < n && !found; i++) {
		rc = spools_run(&v[i], q_op_child, &o, 0, &status, &one);
		if (rc == 0)
			found = 1;
		else if (rc == -1 && one.exit != EX_NOUSER) {
			*err = one;
			found = -1;
		} else
			q_all_warn(&v[i], rc, &one, &last);
	}
	spools_free(v, n);
	if (found == 1)
		return 0;
	if (found == 0)
		mh_err_set(err, EX_NOUSER, "queue id \"%.40s\" not found", id);
	return -1;
}

static int
q_op(const struct config *cfg, const char *id, int op, struct mh_err *err)
{
	struct spool	 sp;
	int		 rc;

	if (!spool_id_valid(id))
		return mh_err_set(err, EX_NOUSER, "queue id \"%.40s\" not "
		    "found", id);
	if (spools_all_visible())
		return q_op_all(cfg, id, op, err);
	if (spool_open(&sp, cfg, err) == -1) {
		if (err->reason == MH_REASON_SPOOL_ROOT)
			mh_err_set(err, EX_NOUSER, "queue id \"%s\" not found",
			    id);
		spool_close(&sp);
		return -1;
	}
	rc = q_op_run(&sp, id, op, NULL, err);
	spool_close(&sp);
	if (rc == 1)
		return mh_err_set(err, EX_NOUSER, "queue id \"%s\" not found",
		    id);
	return rc;
}

int
cmd_queue_show(const struct config *cfg, const char *id, struct mh_err *err)
{
	return q_op(cfg, id, 's', err) == 0 ? 0 : err->exit;
}

/*
 * Apply op to every id; a bad id does not stop the others.  Every error
 * but the last is printed here, the last is left in err for main.c.
 */
static int
q_each(const struct config *cfg, char *const ids[], int n, int op,
    struct mh_err *err)
{
	struct mh_err	 one;
	int		 i, failed = 0;

	for (i = 0; i < n; i++) {
		if (q_op(cfg, ids[i], op, &one) == 0)
			continue;
		if (failed)
			fprintf(stderr, "mailhop: %s\n", err->msg);
		*err = one;
		failed = 1;
	}
	return failed ? err->exit : 0;
}

int
cmd_queue_delete(const struct config *cfg, char *const ids[], int n,
    struct mh_err *err)
{
	return q_each(cfg, ids, n, 'd', err);
}

int
cmd_queue_hold(const struct config *cfg, char *const ids[], int n, int hold,
    struct mh_err *err)
{
	return q_each(cfg, ids, n, hold ? 'h' : 'r', err);
}
