/* SPDX-License-Identifier: MIT */
/*
 * deliver.c - the flush loop.  A pass takes the due entries from the
 * spool's schedule index (the whole spool only for sendmail -q), claims
 * each (a flock on ID.m: an entry another flusher holds is skipped, and
 * the envelope is read once ours, so nothing is sent twice because of
 * concurrency), hands the claimed entries to relay.c in batches and, as
 * each one finishes, writes every recipient's outcome with one atomic
 * envelope update before letting the entry go.  Bounces are new entries,
 * delivered by the next pass of the same run.  A run ends only after a
 * pass that found nothing to do, so mail queued meanwhile is not left
 * behind (SPEC §6).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "deliver.h"
#include "dsn.h"
#include "envelope.h"
#include "log.h"
#include "relay.h"
#include "relayset.h"
#include "text.h"
#include "wake.h"
#include "xmem.h"

/* Entries claimed (locks and descriptors held) at once. */
#define DELIVER_BATCH	64
/*
 * Group commit (doc/PERFORMANCE.md).  A delivered entry's envelope is
 * unlinked at once, on this thread, as soon as its transaction ends: from
 * then on no process sees the entry, and a flusher that is killed sends
 * nothing twice.  Making the removals durable (the directory fsync, then
 * each ID.m) is the syncer thread's job: it pays one fsync for every
 * removal started in the last DELIVER_SYNC_MS (or for DELIVER_SYNC_MAX of
 * them, whichever comes first).  Syncing each one as it comes would cost
 * a journal commit per message, which slows the unlinks of this thread
 * too.  A power cut can bring back only the removals of the group being
 * formed or synced: at most DELIVER_SYNC_MS plus one fsync (and one close,
 * below) after the server's 250.  When the disk falls behind, dl_remove()
 * waits.  The thread also closes the files: closing the last descriptor
 * of an unlinked file frees its blocks (up to a millisecond on some
 * disks), which has no part in durability.
 */
#define DELIVER_SYNC_MAX	64
#define DELIVER_SYNC_MS		10
/*
 * Threads that run the syncer's loop.  Any of them syncs a group that is
 * due; all of them close files otherwise: on a disk where freeing a file
 * takes a synchronous discard, one thread alone falls behind the SMTP
 * session, and the discards of several threads overlap.
 */
#define DELIVER_SYNC_THREADS	3
#define DELIVER_CLOSE_MAX	(4 * DELIVER_SYNC_MAX)
/* Files a thread takes at a time: the lock is not taken per close. */
#define DELIVER_CLOSE_BATCH	8
/*
 * A lingering or watching flusher reads the whole spool for retries at
 * most this often (SPEC 13: mail queued in a row must not cost a rescan
 * each; new entries are read one by one as inotify names them).
 */
#define DELIVER_FULL_GAP_MS	1000

struct dl_syncer {
	struct spool	*sp;
	pthread_t	 tid[DELIVER_SYNC_THREADS];
	int		 nthreads;	/* started */
	pthread_mutex_t	 mu;
	pthread_cond_t	 work;		/* removals or fds queued, or stop */
	pthread_cond_t	 room;		/* dl_remove() may queue one more */
	struct spool_gone q[DELIVER_SYNC_MAX];	/* started, not yet synced */
	size_t		 nq;
	size_t		 nbusy;		/* taken by the thread, being synced */
	struct timespec	 due;		/* when q[0]'s group must be synced */
	int		 fds[DELIVER_CLOSE_MAX];	/* synced, to be closed */
	size_t		 nfds;
	int		 stop;
	int		 running;	/* at least one thread was started */
	int		 failed;	/* none could be: work inline */
	struct mh_err	 err;		/* the threads' first failure */
	int		 errored;
};

/* A sorted set of queue ids. */
struct dl_ids {
	char	**v;
	size_t	 n;
	size_t	 cap;
};

/* One claimed entry on its way through relay_run(). */
struct dl_item {
	struct spool_entry	 e;
	struct relay_rcpt	*rr;
	size_t			*map;	/* rr[k] is e.env.rcpts[map[k]] */
	unsigned char		*fresh;	/* per env rcpt: failed in this attempt */
	enum log_status		 *status; /* per env rcpt; LOG_NOT_TRIED: none */
	struct relay_job	*job;
	const struct upstream	*via;	/* that gave the outcome, or NULL */
	int			 held;	/* held back by a rate: no attempt */
	int			 done;	/* the done callback has run */
};

struct dl_run {
	struct spool		*sp;
	const struct config	*cfg;
	struct config		*reloaded;	/* cfg after a SIGHUP: ours */
	deliver_reload_fn	*reload;
	const struct request	*opts;
	struct deliver_stats	*st;
	struct relayset		*rs;		/* the upstreams, for the run */
	const struct relayset_home *homes;	/* for relayset_new() */
	size_t			 nhomes;
	struct log		 log;
	struct dl_ids		 tried;		/* attempted in this run */
	struct dl_ids		 bounces;	/* made in this run: always due */
	int			 lockfd;	/* flush.lock while held, else -1 */
	int			 first;		/* first pass: filters and force */
	/* Lingering (-odb) and watching (flush --watch): */
	struct wake		 wake;
	int			 waking;	/* wake is open */
	time_t			 earliest;	/* soonest next attempt seen; 0: none */
	struct timespec		 linger_end;	/* CLOCK_MONOTONIC; watch: none */
	struct timespec		 last_full;	/* when the last full pass ended */
	struct dl_syncer	 syncer;
	struct mh_err		 lerr;		/* first local error, if any */
	int			 lfailed;
};

static relayset_done_fn	dl_on_done;
static relayset_hold_fn	dl_on_hold;
static void		dl_warn(struct dl_run *, const struct mh_err *);
static void		dl_log_open(struct dl_run *, const struct config *,
			    struct mh_err *);

/* ---- small helpers ---- */

static int
dl_ids_find(const struct dl_ids *s, const char *id, size_t *at)
{
	size_t	 lo = 0, hi = s->n, mid;
	int	 c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(s->v[mid], id);
		if (c == 0) {
			*at = mid;
			return 1;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*at = lo;
	return 0;
}

static void
dl_ids_add(struct dl_ids *s, const char *id)
{
	size_t	 at;

	if (dl_ids_find(s, id, &at))
		return;
	if (s->n == s->cap) {
		s->cap = s->cap == 0 ? 64 : s->cap * 2;
		s->v = xreallocarray(s->v, s->cap, sizeof(*s->v));
	}
	memmove(s->v + at + 1, s->v + at, (s->n - at) * sizeof(*s->v));
	s->v[at] = xstrdup(id);
	s->n++;
}

static int
dl_ids_has(const struct dl_ids *s, const char *id)
{
	size_t	 at;

	return dl_ids_find(s, id, &at);
}

static void
dl_ids_free(struct dl_ids *s)
{
	size_t	 i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static const char *
dl_sender(const struct envelope *env)
{
	return env->sender != NULL ? env->sender : "";
}

/* Keep the first local error for the exit status; log every one. */
static void
dl_local_error(struct dl_run *run, const struct mh_err *err)
{
	log_msg(&run->log, "%s", err->msg);
	if (!run->lfailed)
		run->lerr = *err;
	run->lfailed = 1;
}

/* `retry` doubling per attempt: attempt 1 waits retry_min. */
static long
dl_backoff(const struct config *cfg, int attempts)
{
	long	 d = cfg->retry_min > 0 ? cfg->retry_min : 0;
	long	 max = cfg->retry_max > d ? cfg->retry_max : d;
	int	 i;

	for (i = 1; i < attempts && d < max; i++)
		d = d > max / 2 ? max : d * 2;
	return d > max ? max : d;
}

static double
dl_delay(const struct envelope *env)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)(ts.tv_sec - env->arrival) + ts.tv_nsec / 1e9;
}

/* ---- which entries and recipients are due ---- */

/* -R: the recipient's domain contains the substring. */
static int
dl_rcpt_matches(const struct dl_run *run, const struct rcpt *rc)
{
	const char	*dom;

	if (run->opts->rcpt_domain == NULL ||
	    (!run->first && run->opts->background))
		return 1;
	dom = strrchr(rc->addr, '@');
	dom = dom != NULL ? dom + 1 : rc->addr;
	return strcasestr(dom, run->opts->rcpt_domain) != NULL;
}

static int
dl_forced(const struct dl_run *run)
{
	return run->first && (run->opts->force || run->opts->only_id != NULL);
}

static int
dl_rcpt_due(const struct dl_run *run, const struct rcpt *rc, time_t now,
    int bounce)
{
	if (rc->state != RCPT_PENDING)
		return 0;
	if (bounce)
		return 1;
	return (dl_forced(run) || rc->next <= now) && dl_rcpt_matches(run, rc);
}

/* Filters of the first pass; later passes of a -odb run take everything. */
static int
dl_entry_selected(const struct dl_run *run, const char *id,
    const struct envelope *env)
{
	const struct request *o = run->opts;

	if (dl_ids_has(&run->bounces, id))
		return 1;
	if (!run->first && o->background)
		return 1;
	if (o->only_id != NULL && strcmp(o->only_id, id) != 0)
		return 0;
	if (o->sender_substr != NULL &&
	    strcasestr(dl_sender(env), o->sender_substr) == NULL)
		return 0;
	return 1;
}

/* 1: the entry needs work (a due recipient, or it has none pending). */
static int
dl_entry_due(const struct dl_run *run, const char *id,
    const struct envelope *env, time_t now)
{
	size_t	 i;
	int	 bounce;

	if (env->state != ENV_QUEUED || dl_ids_has(&run->tried, id) ||
	    !dl_entry_selected(run, id, env))
		return 0;
	if (envelope_count(env, RCPT_PENDING) == 0)
		return 1;
	bounce = dl_ids_has(&run->bounces, id);
	for (i = 0; i < env->nrcpts; i++)
		if (dl_rcpt_due(run, &env->rcpts[i], now, bounce))
			return 1;
	return 0;
}

/*
 * A lingering flusher sleeps until the soonest retry of the mail it
 * leaves queued: noted from every envelope a pass reads and every outcome
 * it writes, the same times dl_rcpt_due() goes by.
 */
static void
dl_note_next(struct dl_run *run, const struct envelope *env)
{
	size_t	 i;
	time_t	 t;

	if (env->state != ENV_QUEUED)
		return;
	for (i = 0; i < env->nrcpts; i++) {
		if (env->rcpts[i].state != RCPT_PENDING)
			continue;
		t = env->rcpts[i].next > 0 ? env->rcpts[i].next : 1;
		if (run->earliest == 0 || t < run->earliest)
			run->earliest = t;
	}
}

/*
 * After a full drain, the soonest retry of all the spool is the earliest
 * marker of its index (an early marker costs a pass that moves it).  A
 * lingering flusher stays while recipients are deferred (SPEC 10): the
 * marker of a failed entry (its removal, failed_keep after it failed)
 * does not keep it, or it would hold the flush lock for all of linger
 * with nothing to retry; a watching one wakes for that removal too.
 */
static void
dl_note_index(struct dl_run *run)
{
	struct mh_err	 err;
	time_t		 t;
	int		 rc;

	if (!run->waking)
		return;
	rc = run->opts->watch ? spool_next_due(run->sp, &t, &err) :
	    spool_next_queued(run->sp, &t, &err);
	if (rc == 0) {
		t = t > 0 ? t : 1;
		if (run->earliest == 0 || t < run->earliest)
			run->earliest = t;
	}
}

/* SIGTERM or SIGINT to a lingering or watching flusher. */
static int
dl_stopping(const struct dl_run *run)
{
	return run->waking && wake_stopping();
}

/* ---- recording outcomes ---- */

/* The reply to record for rr: its own, else the session's error. */
static void
dl_reply(const struct relay_job *job, const struct relay_rcpt *rr, int code,
    char *out, size_t len)
{
	if (code != 0 && rr->reply[0] != '\0')
		snprintf(out, len, "%s", rr->reply);
	else if (code != 0)
		snprintf(out, len, "%d", code);
	else if (job->error[0] != '\0')
		snprintf(out, len, "%s", job->error);
	else
		snprintf(out, len, "delivery failed, no reason given");
}

/* SPEC §6: 2xx sent, 5xx failed, anything else (0: no outcome) deferred. */
static void
dl_outcome(struct dl_run *run, struct dl_item *it, size_t k, time_t now)
{
	const struct relay_rcpt	*rr = &it->job->rcpts[k];
	size_t			 i = it->map[k];
	struct rcpt		*rc = &it->e.env.rcpts[i];
	char			 reply[RELAY_REPLY_MAX + 16];
	int			 code;

	code = it->job->session_failed ? 0 : rr->code;
	dl_reply(it->job, rr, code, reply, sizeof(reply));
	rc->attempts++;
	envelope_set_reply(rc, reply);
	if (code >= 200 && code < 300) {
		rc->state = RCPT_SENT;
		it->status[i] = LOG_SENT;
	} else if (code >= 500 && code < 600) {
		rc->state = RCPT_FAILED;
		it->fresh[i] = 1;
		it->status[i] = LOG_BOUNCED;
	} else {
		rc->next = now + dl_backoff(run->cfg, rc->attempts);
		it->status[i] = LOG_DEFERRED;
	}
}

/*
 * SPEC §6: an entry is bounced for age only after an attempt that failed
 * while it was already older than max_age, so a clock jump alone (with
 * no attempt) bounces nothing.  Every recipient still pending goes.
 */
static void
dl_expire(struct dl_run *run, struct dl_item *it, time_t now)
{
	struct envelope	*env = &it->e.env;
	struct rcpt	*rc;
	char		*why;
	size_t		 i;
	int		 deferred = 0;

	for (i = 0; i < env->nrcpts; i++)
		if (it->status[i] == LOG_DEFERRED)
			deferred = 1;
	/* Held back by a rate is not an attempt. */
	if (!deferred || it->held || run->cfg->max_age <= 0 ||
	    now - env->arrival <= run->cfg->max_age)
		return;
	for (i = 0; i < env->nrcpts; i++) {
		rc = &env->rcpts[i];
		if (rc->state != RCPT_PENDING)
			continue;
		why = xasprintf("%s, last error: %s", DSN_EXPIRED,
		    rc->reply != NULL ? rc->reply : "none");
		envelope_set_reply(rc, why);
		free(why);
		rc->state = RCPT_FAILED;
		it->fresh[i] = 1;
		it->status[i] = LOG_BOUNCED;
	}
}

/* One log line (and with -odi one stderr line) per recipient tried. */
static void
dl_log_item(struct dl_run *run, struct dl_item *it)
{
	const struct envelope	*env = &it->e.env;
	struct log_attempt	 a;
	char			 reply[RELAY_REPLY_MAX + 64], to[600];
	size_t			 i;

	for (i = 0; i < env->nrcpts; i++) {
		if (it->status[i] == LOG_NOT_TRIED)
			continue;
		memset(&a, 0, sizeof(a));
		a.id = env->id;
		a.from = dl_sender(env);
		a.to = env->rcpts[i].addr;
		a.relay = it->job->relay_name;
		a.delay = dl_delay(env);
		a.attempts = env->rcpts[i].attempts;
		a.status = it->status[i];
		a.reply = env->rcpts[i].reply != NULL ? env->rcpts[i].reply : "";
		log_attempt(&run->log, &a);
		if (a.status == LOG_SENT)
			run->st->sent++;
		else if (a.status == LOG_DEFERRED)
			run->st->deferred++;
		else if (addr_is_null(env->sender) || env->is_bounce)
			run->st->failed++;
		else
			run->st->bounced++;
		if (!run->opts->report)
			continue;
		text_show(reply, sizeof(reply), a.reply, strlen(a.reply), 0);
		text_show(to, sizeof(to), a.to, strlen(a.to), 0);
		fprintf(stderr, "mailhop: %s: %s: %s%s%s%s\n", a.id, to,
		    log_status_name(a.status), reply[0] != '\0' ? " (" : "",
		    reply, reply[0] != '\0' ? ")" : "");
	}
}

/* ---- group commit of removals ---- */

/* One fsync for the group, each ID.m unlinked, every fd queued for close. */
static void
dl_syncer_commit(struct dl_syncer *sy, struct spool_gone *g, size_t n)
{
	struct mh_err	 err;
	size_t		 i;
	int		 rc;

	rc = spool_remove_finish(sy->sp, g, n, &err);
	pthread_mutex_lock(&sy->mu);
	if (rc == -1 && !sy->errored) {
		sy->err = err;
		sy->errored = 1;
	}
	for (i = 0; i < n; i++) {
		if (g[i].envfd != -1)
			sy->fds[sy->nfds++] = g[i].envfd;
		sy->fds[sy->nfds++] = g[i].msgfd;
	}
	sy->nbusy -= n;
	/* Idle threads: help closing. */
	pthread_cond_broadcast(&sy->work);
	pthread_mutex_unlock(&sy->mu);
}

/* Take the group and sync it; called and returning with mu held. */
static void
dl_syncer_group(struct dl_syncer *sy)
{
	struct spool_gone batch[DELIVER_SYNC_MAX];
	size_t		 n = sy->nq;

	memcpy(batch, sy->q, n * sizeof(*batch));
	sy->nq = 0;
	sy->nbusy += n;
	pthread_mutex_unlock(&sy->mu);
	dl_syncer_commit(sy, batch, n);
	pthread_mutex_lock(&sy->mu);
}

static int
dl_syncer_due(const struct dl_syncer *sy)
{
	struct timespec	 now;

	if (sy->stop || sy->nq == DELIVER_SYNC_MAX)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > sy->due.tv_sec || (now.tv_sec == sy->due.tv_sec &&
	    now.tv_nsec >= sy->due.tv_nsec);
}

/* Sync a group when it is due; close files meanwhile; else sleep. */
static void *
dl_syncer_main(void *arg)
{
	struct dl_syncer *sy = arg;
	int		 fds[DELIVER_CLOSE_BATCH];
	size_t		 i, n;

	pthread_mutex_lock(&sy->mu);
	for (;;) {
		if (sy->nq > 0 && dl_syncer_due(sy))
			dl_syncer_group(sy);
		else if (sy->nfds > 0) {
			n = sy->nfds < DELIVER_CLOSE_BATCH ? sy->nfds :
			    DELIVER_CLOSE_BATCH;
			sy->nfds -= n;
			memcpy(fds, sy->fds + sy->nfds, n * sizeof(*fds));
			pthread_mutex_unlock(&sy->mu);
			for (i = 0; i < n; i++)
				close(fds[i]);
			pthread_mutex_lock(&sy->mu);
		} else if (sy->nq > 0) {
			pthread_cond_timedwait(&sy->work, &sy->mu, &sy->due);
			continue;
		} else if (sy->stop)
			break;
		else {
			pthread_cond_wait(&sy->work, &sy->mu);
			continue;
		}
		pthread_cond_broadcast(&sy->room);
	}
	pthread_mutex_unlock(&sy->mu);
	return NULL;
}

/*
 * Started on first use, which is after relay_new() (password_command's
 * fork) unless crash leftovers are removed first.  A fork with these
 * threads running is safe too: they never malloc, and the child touches
 * none of their locks before it execs.
 */
static void
dl_syncer_start(struct dl_syncer *sy, struct spool *sp)
{
	pthread_condattr_t attr;

	if (sy->running || sy->failed)
		return;
	sy->sp = sp;
	pthread_mutex_init(&sy->mu, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&sy->work, &attr);
	pthread_condattr_destroy(&attr);
	pthread_cond_init(&sy->room, NULL);
	while (sy->nthreads < DELIVER_SYNC_THREADS &&
	    pthread_create(&sy->tid[sy->nthreads], NULL, dl_syncer_main,
	    sy) == 0)
		sy->nthreads++;
	sy->running = sy->nthreads > 0;
	sy->failed = !sy->running;
}

/* Wait until every removal is synced and every file closed. */
static void
dl_syncer_stop(struct dl_run *run)
{
	struct dl_syncer *sy = &run->syncer;
	int		 i;

	if (!sy->running)
		return;
	pthread_mutex_lock(&sy->mu);
	sy->stop = 1;
	pthread_cond_broadcast(&sy->work);
	pthread_mutex_unlock(&sy->mu);
	for (i = 0; i < sy->nthreads; i++)
		pthread_join(sy->tid[i], NULL);
	pthread_mutex_destroy(&sy->mu);
	pthread_cond_destroy(&sy->work);
	pthread_cond_destroy(&sy->room);
	sy->running = 0;
	if (sy->errored)
		dl_local_error(run, &sy->err);
}

/*
 * Remove a delivered entry: its envelope now, the rest by the syncer
 * (without a thread: all of it now, as spool_remove() would).
 */
static int
dl_remove(struct dl_run *run, struct spool_entry *e, struct mh_err *err)
{
	struct dl_syncer *sy = &run->syncer;
	struct spool_gone g;
	int		 rc;

	dl_syncer_start(sy, run->sp);
	if (spool_remove_start(run->sp, e, &g, err) == -1)
		return -1;
	if (!sy->running) {
		rc = spool_remove_finish(run->sp, &g, 1, err);
		if (g.envfd != -1)
			close(g.envfd);
		close(g.msgfd);
		return rc;
	}
	pthread_mutex_lock(&sy->mu);
	/* Room for its two fds too, once it and those before it are synced. */
	while (sy->nq == DELIVER_SYNC_MAX ||
	    sy->nfds + 2 * (sy->nbusy + sy->nq + 1) > DELIVER_CLOSE_MAX)
		pthread_cond_wait(&sy->room, &sy->mu);
	if (sy->nq == 0) {
		clock_gettime(CLOCK_MONOTONIC, &sy->due);
		sy->due.tv_nsec += DELIVER_SYNC_MS * 1000000L;
		if (sy->due.tv_nsec >= 1000000000L) {
			sy->due.tv_sec++;
			sy->due.tv_nsec -= 1000000000L;
		}
	}
	sy->q[sy->nq++] = g;
	/*
	 * A thread must start the group's timer, or sync a full group now.
	 * In between, the one waiting for `due` wakes by itself: a wake-up
	 * per message cost a context switch per message.
	 */
	if (sy->nq == 1 || sy->nq == DELIVER_SYNC_MAX)
		pthread_cond_signal(&sy->work);
	pthread_mutex_unlock(&sy->mu);
	return 0;
}

/* ---- finishing an entry ---- */

/* A copy of env that shows only the recipients that failed just now. */
static void
dl_bounce_view(const struct dl_item *it, struct envelope *view)
{
	const struct envelope	*env = &it->e.env;
	size_t			 i;

	*view = *env;
	view->rcpts = xcalloc(env->nrcpts == 0 ? 1 : env->nrcpts,
	    sizeof(*view->rcpts));
	view->nrcpts = 0;
	for (i = 0; i < env->nrcpts; i++)
		if (it->fresh[i])
			view->rcpts[view->nrcpts++] = env->rcpts[i];
}

/*
 * Queue the DSN for the recipients that failed in this attempt.  It is
 * committed before the original's envelope records the failure: a crash
 * in between costs a second bounce, never a lost one.
 */
static int
dl_bounce(struct dl_run *run, struct dl_item *it, char *bid,
    struct mh_err *err)
{
	struct spool_entry	 b;
	struct envelope		 view;
	int			 rc;

	memset(&b, 0, sizeof(b));
	if (spool_create(run->sp, &b, err) == -1)
		return -1;
	dl_bounce_view(it, &view);
	rc = dsn_write(run->cfg, it->via, &view, it->e.msgfd, b.msgfd, err);
	free(view.rcpts);
	if (rc == -1) {
		spool_abort(run->sp, &b);
		return -1;
	}
	/* conf.c keeps bounce_sender bare ("" for <>): it is the sender. */
	envelope_fill(&b.env, run->cfg->bounce_sender, &it->e.env.sender, 1);
	b.env.is_bounce = 1;
	if (spool_commit(run->sp, &b, err) == -1) {
		spool_abort(run->sp, &b);
		return -1;
	}
	memcpy(bid, b.id, sizeof(b.id));
	dl_ids_add(&run->bounces, b.id);
	spool_release(&b);
	return 0;
}

/*
 * The bounce could not be queued because the spool could not take it now
 * (disk full, I/O error): keep those recipients for a retry, which will
 * try the bounce again.  Only then: after a failure that would repeat,
 * this would retry the message for ever (and undo max_age).
 */
static void
dl_unfail(struct dl_run *run, struct dl_item *it, time_t now)
{
	struct rcpt	*rc;
	size_t		 i;

	for (i = 0; i < it->e.env.nrcpts; i++) {
		if (!it->fresh[i])
			continue;
		rc = &it->e.env.rcpts[i];
		rc->state = RCPT_PENDING;
		rc->next = now + dl_backoff(run->cfg, rc->attempts);
		it->fresh[i] = 0;
		it->status[i] = LOG_DEFERRED;
	}
}

static int
dl_any_fresh(const struct dl_item *it)
{
	size_t	 i;

	for (i = 0; i < it->e.env.nrcpts; i++)
		if (it->fresh[i])
			return 1;
	return 0;
}

/*
 * Write the outcome and let the entry go.  Nothing pending: a message
 * from <> or a bounce with failures stays as ENV_FAILED for failed_keep
 * (SPEC §6: never bounced, visible in mailq); anything else is removed.
 */
static void
dl_settle(struct dl_run *run, struct dl_item *it, time_t now)
{
	struct envelope	*env = &it->e.env;
	struct mh_err	 err;
	char		 bid[ENVELOPE_ID_MAX];
	int		 quiet, rc;

	mh_err_clear(&err);
	bid[0] = '\0';
	quiet = addr_is_null(env->sender) || env->is_bounce;
	if (!quiet && dl_any_fresh(it) &&
	    dl_bounce(run, it, bid, &err) == -1) {
		dl_local_error(run, &err);
		/*
		 * Any other failure would come back on every retry: the
		 * recipients stay failed, and the entry is kept as a failed
		 * one (mailq shows why) instead of being retried for ever.
		 */
		if (err.exit == EX_TEMPFAIL)
			dl_unfail(run, it, now);
		else
			quiet = 1;
	}
	dl_log_item(run, it);
	if (bid[0] != '\0')
		log_msg(&run->log, "%s: sender non-delivery notification: %s",
		    env->id, bid);
	dl_note_next(run, env);
	if (envelope_count(env, RCPT_PENDING) > 0)
		rc = spool_update(run->sp, &it->e, &err);
	else if (quiet && envelope_count(env, RCPT_FAILED) > 0) {
		env->state = ENV_FAILED;
		env->failed_at = now;
		rc = spool_update(run->sp, &it->e, &err);
	} else
		rc = dl_remove(run, &it->e, &err);
	if (rc == -1)
		dl_local_error(run, &err);
	spool_release(&it->e);
}

/* ---- claimed entries and relay batches ---- */

/* Pending, due recipients only: a delivered one is never sent again. */
static size_t
dl_item_prepare(struct dl_run *run, struct dl_item *it, struct relay_job *job,
    time_t now)
{
	struct envelope	*env = &it->e.env;
	size_t		 n = env->nrcpts == 0 ? 1 : env->nrcpts, i, k = 0;
	int		 bounce;

	it->rr = xcalloc(n, sizeof(*it->rr));
	it->map = xcalloc(n, sizeof(*it->map));
	it->fresh = xcalloc(n, 1);
	it->status = xcalloc(n, sizeof(*it->status));
	it->job = job;
	it->via = NULL;
	it->held = 0;
	it->done = 0;
	bounce = dl_ids_has(&run->bounces, it->e.id);
	for (i = 0; i < env->nrcpts; i++) {
		if (!dl_rcpt_due(run, &env->rcpts[i], now, bounce))
			continue;
		it->rr[k].addr = env->rcpts[i].addr;
		it->map[k++] = i;
	}
	memset(job, 0, sizeof(*job));
	job->sender = dl_sender(env);
	job->rcpts = it->rr;
	job->nrcpts = k;
	job->msgfd = it->e.msgfd;
	job->arg = it;
	return k;
}

static void
dl_item_free(struct dl_item *it)
{
	free(it->rr);
	free(it->map);
	free(it->fresh);
	free(it->status);
	it->rr = NULL;
	it->map = NULL;
	it->fresh = NULL;
	it->status = NULL;
}

/* The upstream last tried, in the envelope for mailq and JSON (SPEC 9). */
static void
dl_set_relay(struct dl_item *it, const struct upstream *via)
{
	free(it->e.env.relay);
	it->e.env.relay = via != NULL ? xstrdup(via->name) : NULL;
	it->via = via;
}

/* relayset.c calls this as each entry's transaction ends. */
static void
dl_on_done(struct relay_job *job, const struct upstream *via, void *arg)
{
	struct dl_run	*run = arg;
	struct dl_item	*it = job->arg;
	time_t		 now = time(NULL);
	size_t		 k;

	if (it->done)
		return;
	dl_set_relay(it, via);
	for (k = 0; k < job->nrcpts; k++)
		dl_outcome(run, it, k, now);
	dl_expire(run, it, now);
	dl_settle(run, it, now);
	dl_item_free(it);
	it->done = 1;
}

/*
 * Held back by via's rate (SPEC 9): the recipients stay pending with no
 * attempt counted, due again when a slot is free, the limit as their last
 * reply.
 */
static void
dl_on_hold(struct relay_job *job, const struct upstream *via,
    long long wait_ms, const char *why, void *arg)
{
	struct dl_run	*run = arg;
	struct dl_item	*it = job->arg;
	struct rcpt	*rc;
	time_t		 now = time(NULL);
	size_t		 k;

	if (it->done)
		return;
	dl_set_relay(it, via);
	it->held = 1;
	for (k = 0; k < job->nrcpts; k++) {
		rc = &it->e.env.rcpts[it->map[k]];
		envelope_set_reply(rc, why);
		rc->next = now + (time_t)((wait_ms + 999) / 1000);
		it->status[it->map[k]] = LOG_DEFERRED;
	}
	dl_settle(run, it, now);
	dl_item_free(it);
	it->done = 1;
}

/*
 * A delivery that cannot start (SPEC 8): every job of the batch is
 * recorded like a connection failure, with why as each recipient's last
 * reply: the attempt counts, backoff and max_age apply.
 */
static void
dl_fail_batch(struct dl_run *run, struct relay_job **jobs, size_t n,
    const char *why)
{
	struct relay_job *job;
	size_t		 i, k;

	for (i = 0; i < n; i++) {
		job = jobs[i];
		job->session_failed = 1;
		snprintf(job->error, sizeof(job->error), "%s", why);
		job->relay_name[0] = '\0';
		for (k = 0; k < job->nrcpts; k++) {
			job->rcpts[k].code = 0;
			snprintf(job->rcpts[k].reply,
			    sizeof(job->rcpts[k].reply), "%s", why);
		}
		dl_on_done(job, NULL, run);
	}
}


/* The upstreams of the run (again after a SIGHUP). */
static void
dl_relayset_open(struct dl_run *run)
{
	run->rs = relayset_new(run->cfg, run->sp, run->opts->verbose,
	    run->homes, run->nhomes);
	if (run->waking)
		relayset_stop_on(run->rs, wake_stop_flag());
}

/* Relay the batch; entries relay.c never finished are let go unchanged. */
static int
dl_batch(struct dl_run *run, struct dl_item *items, size_t n,
    struct mh_err *err)
{
	const struct mh_err *problem;
	const char	*notice;
	struct relay_job **jobs;
	struct mh_err	 serr;
	size_t		 i;
	int		 rc = 0;

	if (n == 0)
		return 0;
	jobs = xcalloc(n, sizeof(*jobs));
	for (i = 0; i < n; i++)
		jobs[i] = items[i].job;
	/* A mistake in [upstream], [route] or [log]: recorded, not sent. */
	if ((problem = conf_delivery_error(run->cfg)) != NULL)
		dl_fail_batch(run, jobs, n, problem->msg);
	else
		rc = relayset_run(run->rs, jobs, n, dl_on_done, dl_on_hold, run,
		    err);
	if (relayset_error(run->rs, &serr))
		dl_local_error(run, &serr);
	/* Recorded on each entry (SPEC 8); said once where it can be seen. */
	if (relayset_setup_error(run->rs, &serr))
		dl_warn(run, &serr);
	if ((notice = relayset_notice(run->rs)) != NULL)
		log_msg(&run->log, "%s", notice);
	free(jobs);
	for (i = 0; i < n; i++) {
		if (items[i].done)
			continue;
		spool_release(&items[i].e);
		dl_item_free(&items[i]);
	}
	return rc;
}

/* A failed entry past failed_keep is removed (SPEC §6); e is let go. */
static void
dl_expire_claimed(struct dl_run *run, struct spool_entry *e, time_t now)
{
	struct mh_err	 err;

	if (e->env.state != ENV_FAILED ||
	    now - e->env.failed_at < run->cfg->failed_keep) {
		spool_release(e);
		return;
	}
	log_msg(&run->log, "%s: removed: failed %lds ago", e->id,
	    (long)(now - e->env.failed_at));
	if (spool_remove(run->sp, e, &err) == -1)
		dl_local_error(run, &err);
}

static void
dl_expire_failed(struct dl_run *run, const char *id, time_t now)
{
	struct spool_entry	 e;
	struct mh_err		 err;

	if (spool_claim(run->sp, id, 0, &e, &err) == 0)
		dl_expire_claimed(run, &e, now);
}

static void
dl_warn(struct dl_run *run, const struct mh_err *err)
{
	log_msg(&run->log, "%s", err->msg);
	if (!run->opts->background)
		fprintf(stderr, "mailhop: %s\n", err->msg);
}

/* ---- passes over the spool ---- */

/*
 * A marker from the index: claim the entry, then decide on what the
 * claim read (the marker may be early).  As dl_consider().
 */
static int
dl_consider_due(struct dl_run *run, const struct due_item *d, int dry,
    struct dl_item *it, time_t now)
{
	struct mh_err	 err;
	int		 rc;

	rc = spool_claim_due(run->sp, d, &it->e, &err);
	if (rc == -1)
		dl_warn(run, &err);
	if (rc != 0)
		return 0;
	if (it->e.env.state == ENV_FAILED && !dry) {
		dl_expire_claimed(run, &it->e, now);
		return 0;
	}
	rc = dl_entry_due(run, d->id, &it->e.env, now);
	if (dry || !rc) {
		spool_release(&it->e);
		return dry && rc;
	}
	dl_ids_add(&run->tried, d->id);
	return 1;
}

/*
 * Look at one candidate.  Returns 1 when it is due and now claimed into
 * it (dry: due and not busy; nothing kept), else 0.  Only what the claim
 * re-read counts: the listing may be stale by then.
 */
static int
dl_consider(struct dl_run *run, const struct due_item *d, int dry,
    struct dl_item *it, time_t now)
{
	struct envelope	 env;
	struct mh_err	 err;
	const char	*id = d->id;
	int		 rc, wait;

	/* Tried in this run (its next attempt is noted): not read again. */
	if (dl_ids_has(&run->tried, id))
		return 0;
	if (d->t != SPOOL_DUE_NONE)
		return dl_consider_due(run, d, dry, it, now);
	rc = spool_peek(run->sp, id, &env, &err);
	if (rc == -1 && err.exit != EX_NOUSER)
		dl_warn(run, &err);
	if (rc != 0)
		return 0;
	dl_note_next(run, &env);
	if (env.state == ENV_FAILED && !dry)
		dl_expire_failed(run, id, now);
	rc = dl_entry_due(run, id, &env, now);
	envelope_free(&env);
	if (!rc)
		return 0;
	/* -qI / -odi wait for a flusher that holds their entry. */
	wait = !dry && run->first && run->opts->only_id != NULL;
	rc = spool_claim(run->sp, id, wait, &it->e, &err);
	if (rc == -1 && err.exit != EX_NOUSER)
		dl_warn(run, &err);
	if (rc != 0)
		return 0;
	if (dry || !dl_entry_due(run, id, &it->e.env, now)) {
		spool_release(&it->e);
		return dry;
	}
	dl_ids_add(&run->tried, id);
	return 1;
}

/* Claimed, with nothing to send: settle it now (crash leftover). */
static int
dl_take(struct dl_run *run, struct dl_item *it, struct relay_job *job,
    time_t now)
{
	if (dl_item_prepare(run, it, job, now) > 0)
		return 1;
	dl_settle(run, it, now);
	dl_item_free(it);
	return 0;
}

/* -qI and -odi: later passes take their bounces only. */
static int
dl_id_wanted(const struct dl_run *run, const char *id)
{
	return run->opts->only_id == NULL ||
	    strcmp(run->opts->only_id, id) == 0 ||
	    dl_ids_has(&run->bounces, id);
}

/*
 * One pass over the candidates cand (sorted by id): returns how many were
 * due (claimed and relayed, or for a dry pass merely found due), -1 on a
 * local error.  A stop request ends it between entries.
 */
static int
dl_pass_items(struct dl_run *run, const struct due_item *cand, size_t n,
    int dry, struct mh_err *err)
{
	struct dl_item	*items;
	struct relay_job *jobs;
	size_t		 i, nb = 0;
	int		 found = 0, rc = 0;

	items = xcalloc(DELIVER_BATCH, sizeof(*items));
	jobs = xcalloc(DELIVER_BATCH, sizeof(*jobs));
	/* What a pass learnt of the upstreams is not kept for the next. */
	if (!dry)
		relayset_reset(run->rs);
	for (i = 0; i < n && rc == 0 && !dl_stopping(run); i++) {
		if (!dl_id_wanted(run, cand[i].id) ||
		    !dl_consider(run, &cand[i], dry, &items[nb], time(NULL)))
			continue;
		found++;
		if (dry || !dl_take(run, &items[nb], &jobs[nb], time(NULL)))
			continue;
		if (++nb == DELIVER_BATCH) {
			rc = dl_batch(run, items, nb, err);
			nb = 0;
		}
	}
	if (rc == 0)
		rc = dl_batch(run, items, nb, err);
	free(items);
	free(jobs);
	return rc == -1 ? -1 : found;
}

/* A pass over the entries ids (sorted), read whatever their time. */
static int
dl_pass_ids(struct dl_run *run, char *const *ids, size_t n, int dry,
    struct mh_err *err)
{
	struct due_item	*cand;
	size_t		 i;
	int		 rc;

	cand = xcalloc(n == 0 ? 1 : n, sizeof(*cand));
	for (i = 0; i < n; i++) {
		cand[i].t = SPOOL_DUE_NONE;
		snprintf(cand[i].id, sizeof(cand[i].id), "%s", ids[i]);
	}
	rc = dl_pass_items(run, cand, n, dry, err);
	free(cand);
	return rc;
}

/*
 * A pass over what is due (SPEC 13: never every envelope for one
 * message): -qI and -odi first look at their one entry; sendmail -q
 * first lists the whole spool (every entry goes, whatever its time);
 * everything else takes the markers of the schedule index whose time
 * has come, and reads no other envelope.
 */
static int
dl_pass(struct dl_run *run, int dry, struct mh_err *err)
{
	const struct request *o = run->opts;
	struct due_item	*cand, one;
	char		**ids;
	size_t		 n;
	int		 rc;

	if (run->first && o->only_id != NULL) {
		one.t = SPOOL_DUE_NONE;
		snprintf(one.id, sizeof(one.id), "%s", o->only_id);
		return dl_pass_items(run, &one, 1, dry, err);
	}
	if (run->first && o->force) {
		if (spool_list(run->sp, &ids, &n, err) == -1)
			return -1;
		rc = dl_pass_ids(run, ids, n, dry, err);
		spool_ids_free(ids, n);
		return rc;
	}
	if (spool_due(run->sp, time(NULL), &cand, &n, err) == -1)
		return -1;
	rc = dl_pass_items(run, cand, n, dry, err);
	free(cand);
	return rc;
}

/* The -odb lock: 0 held, 1 another flusher has it, -1 error. */
static int
dl_lock(struct dl_run *run, struct mh_err *err)
{
	return spool_flush_lock(run->sp, &run->lockfd, err);
}

/* Passes until one finds nothing due (or a stop request). */
static int
dl_drain(struct dl_run *run, struct mh_err *err)
{
	int	 n;

	if (run->waking)
		wake_forget(&run->wake);
	do {
		n = dl_pass(run, 0, err);
		run->first = 0;
	} while (n > 0 && !dl_stopping(run));
	clock_gettime(CLOCK_MONOTONIC, &run->last_full);
	if (n != -1)
		dl_note_index(run);
	return n == -1 ? -1 : 0;
}

/*
 * -odb, nothing left to do: let the lock go, then look once more (a -odb
 * flusher that gave up because we held the lock queued its mail before
 * it tried, so we see it here).  1: it did, and the lock is ours again.
 */
static int
dl_release(struct dl_run *run, struct mh_err *err)
{
	int	 n, r;

	spool_flush_unlock(run->lockfd);
	n = dl_pass(run, 1, err);
	if (n <= 0)
		return n;
	r = dl_lock(run, err);
	return r == 0 ? 1 : r == 1 ? 0 : -1;
}

/* ---- lingering and watching (SPEC 10) ---- */

static long
dl_ms_between(const struct timespec *a, const struct timespec *b)
{
	return (long)(b->tv_sec - a->tv_sec) * 1000 +
	    (b->tv_nsec - a->tv_nsec) / 1000000;
}

/* Milliseconds left before the end of linger (0: over). */
static long
dl_linger_left(const struct dl_run *run)
{
	struct timespec	 now;
	long		 ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = dl_ms_between(&now, &run->linger_end);
	return ms > 0 ? ms : 0;
}

/*
 * How long to sleep: until the soonest retry, but never sooner than
 * DELIVER_FULL_GAP_MS after the last full pass (an entry that another
 * flusher holds looks due at once; and retries due within that time go
 * in one pass instead of one pass each), and not past the end of linger.
 * -1: no limit (watching, nothing queued).
 */
static long
dl_sleep_ms(const struct dl_run *run)
{
	struct timespec	 now, rt;
	long		 ms = -1, gap, left;

	if (run->earliest != 0) {
		clock_gettime(CLOCK_REALTIME, &rt);
		ms = run->earliest <= rt.tv_sec ? 0 :
		    (long)(run->earliest - rt.tv_sec) * 1000 -
		    rt.tv_nsec / 1000000;
		clock_gettime(CLOCK_MONOTONIC, &now);
		gap = DELIVER_FULL_GAP_MS - dl_ms_between(&run->last_full,
		    &now);
		if (ms < gap)
			ms = gap;
		if (ms < 0)
			ms = 0;
	}
	if (!run->opts->watch) {
		left = dl_linger_left(run);
		if (ms < 0 || ms > left)
			ms = left;
	}
	return ms;
}

/* The retries that are due: a full pass, every entry tried afresh. */
static int
dl_full(struct dl_run *run, struct mh_err *err)
{
	dl_ids_free(&run->tried);
	dl_ids_free(&run->bounces);
	run->earliest = 0;
	return dl_drain(run, err);
}

/*
 * Entries that appeared while we slept: only they are read (not the
 * whole spool, so mail queued in a row costs no rescan each), then the
 * bounces they made.  Events of our own envelope updates name entries
 * tried in this round, which dl_consider() skips.
 */
static int
dl_new(struct dl_run *run, struct mh_err *err)
{
	struct dl_ids	 b;
	char *const	*ids;
	size_t		 n, i;
	int		 found;

	ids = wake_ids(&run->wake, &n);
	found = dl_pass_ids(run, ids, n, 0, err);
	wake_forget(&run->wake);
	while (found > 0 && run->bounces.n > 0) {
		memset(&b, 0, sizeof(b));
		for (i = 0; i < run->bounces.n; i++)
			dl_ids_add(&b, run->bounces.v[i]);
		found = dl_pass_ids(run, b.v, b.n, 0, err);
		dl_ids_free(&b);
	}
	return found == -1 ? -1 : 0;
}

/* SIGHUP: a fresh configuration from the helper's own loader. */
static int
dl_reload(struct dl_run *run, struct mh_err *err)
{
	struct config	*cfg;
	struct mh_err	 why;

	if (run->reload == NULL)
		return 0;
	cfg = xmalloc(sizeof(*cfg));
	conf_init(cfg);
	if (run->reload(cfg, run->opts, &why) == -1) {
		conf_free(cfg);
		free(cfg);
		log_msg(&run->log, "SIGHUP: configuration not re-read, the "
		    "old one stays: %s", why.msg);
		return 0;
	}
	if ((cfg->dir == NULL) != (run->cfg->dir == NULL) ||
	    (cfg->dir != NULL && strcmp(cfg->dir, run->cfg->dir) != 0))
		log_msg(&run->log, "SIGHUP: [queue] dir changed: restart to "
		    "use it; still watching %s", run->sp->path);
	log_close(&run->log);
	dl_log_open(run, cfg, err);
	run->cfg = cfg;
	/* The upstreams and routes may have changed: new sessions. */
	relayset_free(run->rs);
	dl_relayset_open(run);
	if (run->reloaded != NULL) {
		conf_free(run->reloaded);
		free(run->reloaded);
	}
	run->reloaded = cfg;
	log_msg(&run->log, "SIGHUP: configuration re-read");
	return 0;
}

/*
 * Lingering (-odb, for [queue] linger) and watching (flush --watch):
 * sleep until the soonest retry or until an entry appears, then deliver.
 * Returns 0 when it is time to go: linger is over or nothing is deferred
 * any more (lingering), or SIGTERM/SIGINT came.
 */
static int
dl_linger(struct dl_run *run, struct mh_err *err)
{
	int	 rc = 0;

	while (rc == 0 && !dl_stopping(run)) {
		if (!run->opts->watch &&
		    (run->earliest == 0 || dl_linger_left(run) == 0))
			return 0;
		switch (wake_wait(&run->wake, dl_sleep_ms(run))) {
		case WAKE_STOP:
			return 0;
		case WAKE_RELOAD:
			rc = dl_reload(run, err);
			if (rc == 0)
				rc = dl_full(run, err);
			break;
		case WAKE_NEW:
			rc = dl_new(run, err);
			break;
		case WAKE_TIME:
			if (!run->opts->watch && dl_linger_left(run) == 0)
				return 0;
			/* FALLTHROUGH */
		case WAKE_RESCAN:
			rc = dl_full(run, err);
			break;
		}
	}
	return rc;
}

/*
 * The loop.  A pass that did something is followed by another (bounces,
 * mail queued meanwhile).  Then a lingering or watching flusher waits for
 * more (dl_linger); a -odb one lets its lock go last (dl_release).
 */
static int
dl_loop(struct dl_run *run, struct mh_err *err)
{
	int	 r;

	for (;;) {
		if (dl_drain(run, err) == -1)
			return -1;
		if (run->waking && dl_linger(run, err) == -1)
			return -1;
		if (!run->opts->background || dl_stopping(run))
			return 0;
		r = dl_release(run, err);
		if (r <= 0)
			return r;
	}
}

/*
 * flush --watch: the spool's lock, waiting for a lingering -odb flusher
 * that has it (it goes within [queue] linger).  1: stopped meanwhile.
 */
static int
dl_lock_wait(struct dl_run *run, struct mh_err *err)
{
	int	 r, said = 0;

	while ((r = dl_lock(run, err)) == 1) {
		if (!said++)
			log_msg(&run->log, "waiting for the flusher that holds "
			    "%s/%s", run->sp->path, SPOOL_FLUSH_LOCK);
		if (wake_wait(&run->wake, 1000) == WAKE_STOP)
			return 1;
	}
	return r;
}

/* -qI ID: it must exist; a held entry is not flushed. */
static int
dl_check_only(struct dl_run *run, struct mh_err *err)
{
	struct envelope	 env;
	int		 rc;

	rc = spool_peek(run->sp, run->opts->only_id, &env, err);
	if (rc == 1)
		return mh_err_set(err, EX_NOUSER, "queue id \"%s\" not found",
		    run->opts->only_id);
	if (rc == -1)
		return -1;
	rc = env.state == ENV_HELD ? mh_err_set(err, EX_TEMPFAIL,
	    "%s: on hold, not delivered (mailhop release %s)", env.id,
	    env.id) : 0;
	envelope_free(&env);
	return rc;
}

/* The log, and for --watch stderr as well (SPEC 10); a failure is a warning. */
static void
dl_log_open(struct dl_run *run, const struct config *cfg, struct mh_err *err)
{
	if (log_open(&run->log, cfg, err) == -1) {
		dl_warn(run, err);
		mh_err_clear(err);
	}
	if (run->opts->watch)
		log_also_stderr(&run->log);
}

/*
 * Lingering or watching: the signals and the spool's inotify watch are
 * taken before the first pass, so nothing queued during it is missed.
 */
static int
dl_wake_open(struct dl_run *run, struct mh_err *err)
{
	if (!run->opts->watch &&
	    !(run->opts->background && run->cfg->linger > 0))
		return 0;
	if (wake_open(&run->wake, run->sp->dirfd, run->sp->path, err) == -1)
		return -1;
	run->waking = 1;
	relayset_stop_on(run->rs, wake_stop_flag());
	clock_gettime(CLOCK_MONOTONIC, &run->linger_end);
	run->linger_end.tv_sec += run->cfg->linger;
	return 0;
}

/*
 * -odb and --watch take the spool's flush lock first: a -odb flusher
 * that finds it held exits at once (the holder sees its entry), before it
 * reads anything else of the spool.
 */
static int
dl_start(struct dl_run *run, struct mh_err *err)
{
	int	 rc = 0;

	if (run->opts->watch && dl_wake_open(run, err) == -1)
		return -1;
	if (run->opts->background || run->opts->watch)
		rc = dl_lock(run, err);
	if (rc == 1 && run->opts->watch)
		rc = dl_lock_wait(run, err);
	if (rc != 0)
		return rc;
	/* sendmail -q reads every envelope anyway: it also rebuilds the index. */
	if (run->opts->force && run->opts->only_id == NULL &&
	    spool_reindex(run->sp, err) == -1)
		return -1;
	if (run->opts->only_id != NULL && dl_check_only(run, err) == -1)
		return -1;
	if (run->opts->background && dl_wake_open(run, err) == -1)
		return -1;
	return 0;
}

int
deliver_run(struct spool *sp, const struct config *cfg,
    const struct request *opts, deliver_reload_fn *reload,
    const struct relayset_home *homes, size_t nhomes,
    struct deliver_stats *st, struct mh_err *err)
{
	struct dl_run	 run;
	int		 rc;

	memset(&run, 0, sizeof(run));
	memset(st, 0, sizeof(*st));
	run.sp = sp;
	run.cfg = cfg;
	if (cfg->failed_keep > 0)
		sp->failed_keep = (time_t)cfg->failed_keep;
	run.reload = reload;
	run.opts = opts;
	run.st = st;
	run.lockfd = -1;
	run.first = 1;
	run.homes = homes;
	run.nhomes = nhomes;
	dl_log_open(&run, cfg, err);
	dl_relayset_open(&run);
	rc = dl_start(&run, err);
	if (rc == 0)
		rc = dl_loop(&run, err);
	dl_syncer_stop(&run);
	if (rc == 1)
		rc = 0;		/* another -odb flusher runs: it does ours */
	if (rc == 0 && run.lfailed) {
		*err = run.lerr;
		rc = -1;
	}
	/* -odb has no stderr: the log is where its failure can be seen. */
	if (rc == -1 && opts->background)
		log_msg(&run.log, "flush failed: %s", err->msg);
	if (run.waking && wake_stopping())
		log_msg(&run.log, "stopped by a signal: whatever was in "
		    "progress is done");
	relayset_free(run.rs);
	if (run.lockfd != -1)
		close(run.lockfd);
	if (run.waking)
		wake_close(&run.wake);
	log_close(&run.log);
	dl_ids_free(&run.tried);
	dl_ids_free(&run.bounces);
	if (run.reloaded != NULL) {
		conf_free(run.reloaded);
		free(run.reloaded);
	}
	return rc;
}
