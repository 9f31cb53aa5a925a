/* SPDX-License-Identifier: MIT */
/*
 * relayset.c - the upstreams of a flush run (relayset.h).  What a run
 * learns about an upstream (its session, whether it is down) is kept per
 * upstream for the run; the spool's state directory is opened only when
 * a route has a choice to make or an upstream has a rate.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "down.h"
#include "oauth.h"
#include "rate.h"
#include "relayset.h"
#include "route.h"
#include "text.h"
#include "xmem.h"

struct rs_up {
	struct relay		*relay;		/* NULL until first use */
	struct mh_err		 fail;		/* relay_new()'s, once */
	int			 known;		/* down-mark read this run */
	int			 down;		/* marked down until `until` */
	int			 marked;	/* by this run */
	time_t			 until;
	struct down_mark	 mark;
	int			 failed;	/* before MAIL, in this run */
	char			 why[RELAY_REPLY_MAX];	/* how */
	struct state		*home;		/* rate state elsewhere, or NULL */
};

struct relayset {
	const struct config	*cfg;
	struct spool		*sp;
	int			 verbose;
	struct rs_up		*ups;		/* per cfg->upstreams[i] */
	struct state		 state;		/* the spool's, once opened */
	int			 state_tried;
	struct mh_err		 state_err;
	struct mh_err		 err;		/* a state write that failed */
	int			 errored;
	struct mh_err		 setup;		/* a session that could not start */
	int			 setup_new;
	char			 notice[RELAY_REPLY_MAX];	/* relay_notice() */
	int			 notice_new;
	const volatile sig_atomic_t *stop;	/* set: start nothing more */
};

struct relayset *
relayset_new(const struct config *cfg, struct spool *sp, int verbose,
    const struct relayset_home *homes, size_t nhomes)
{
	struct relayset	*rs;
	size_t		 i, j;

	rs = xcalloc(1, sizeof(*rs));
	rs->cfg = cfg;
	rs->sp = sp;
	rs->verbose = verbose;
	rs->state.dirfd = -1;
	rs->ups = xcalloc(cfg->nupstreams, sizeof(*rs->ups));
	for (i = 0; i < nhomes; i++)
		for (j = 0; j < cfg->nupstreams; j++)
			if (strcmp(cfg->upstreams[j]->name,
			    homes[i].upstream) == 0)
				rs->ups[j].home = homes[i].state;
	return rs;
}

void
relayset_free(struct relayset *rs)
{
	size_t	 i;

	if (rs == NULL)
		return;
	for (i = 0; i < rs->cfg->nupstreams; i++)
		relay_free(rs->ups[i].relay);
	free(rs->ups);
	state_close(&rs->state);
	free(rs);
}

static struct rs_up *
rs_up_of(struct relayset *rs, const struct upstream *up)
{
	size_t	 i;

	for (i = 0; i < rs->cfg->nupstreams; i++)
		if (rs->cfg->upstreams[i] == up)
			return &rs->ups[i];
	return NULL;	/* not of this config: a caller's bug */
}

/* Keep the first error for relayset_error(). */
static void
rs_error(struct relayset *rs, const struct mh_err *err)
{
	if (!rs->errored)
		rs->err = *err;
	rs->errored = 1;
}

/*
 * The spool's state directory, or NULL.  To write (create), it is made
 * when missing; a reader that finds none has nothing to read, and leaves
 * the spool as it was.
 */
static const struct state *
rs_state(struct relayset *rs, int create, struct mh_err *err)
{
	if (rs->state.dirfd == -1 && (!rs->state_tried || create)) {
		rs->state_tried = 1;
		mh_err_clear(&rs->state_err);
		(void)state_open(&rs->state, rs->sp, create, &rs->state_err);
	}
	if (rs->state.dirfd == -1) {
		if (err != NULL)
			*err = rs->state_err;
		return NULL;
	}
	return &rs->state;
}

int
relayset_is_down(struct relayset *rs, const struct upstream *up, time_t now,
    struct down_mark *m)
{
	struct rs_up		*u = rs_up_of(rs, up);
	const struct state	*st;

	if (u == NULL)
		return 0;
	if (!u->known) {
		u->known = 1;
		st = rs_state(rs, 0, NULL);
		u->down = st != NULL && down_check(st, up, now, &u->mark);
		u->until = u->mark.until;
	}
	if (u->down && now >= u->until)
		u->down = 0;	/* its time is over: probe it again */
	if (u->down && m != NULL)
		*m = u->mark;
	return u->down;
}

size_t
relayset_route(struct relayset *rs, const char *sender, time_t now,
    const struct upstream **out, size_t max)
{
	const struct upstream	*all[RELAYSET_ROUTE_MAX];
	size_t			 n, i, k = 0;

	n = route_upstreams(rs->cfg, sender, all, RELAYSET_ROUTE_MAX);
	if (n == 1 || max == 1) {
		out[0] = all[0];	/* no choice to make: no state read */
		return 1;
	}
	for (i = 0; i < n && k < max; i++)
		if (!relayset_is_down(rs, all[i], now, NULL))
			out[k++] = all[i];
	/* All down: the first is tried anyway (SPEC 9). */
	if (k == 0)
		out[k++] = all[0];
	return k;
}

/*
 * An upstream that refreshes its own OAuth2 tokens keeps them in the
 * spool's state directory (one fetch for every flusher); without it, each
 * run fetches its own.
 */
static void
rs_relay_state(struct relayset *rs, const struct upstream *up,
    struct relay *r)
{
	struct mh_err	 err;
	int		 fd;

	if (r == NULL || !oauth_enabled(up))
		return;
	/* Without it each run fetches its own token: a warning, no more. */
	if ((fd = spool_state_open(rs->sp, &err)) == -1 && !rs->setup_new) {
		rs->setup = err;
		rs->setup_new = 1;
	}
	relay_use_state(r, fd);
}

void
relayset_stop_on(struct relayset *rs, const volatile sig_atomic_t *flag)
{
	size_t	 i;

	rs->stop = flag;
	for (i = 0; i < rs->cfg->nupstreams; i++)
		if (rs->ups[i].relay != NULL)
			relay_stop_on(rs->ups[i].relay, flag);
}

static int
rs_stopping(const struct relayset *rs)
{
	return rs->stop != NULL && *rs->stop;
}

void
relayset_reset(struct relayset *rs)
{
	size_t	 i;

	for (i = 0; i < rs->cfg->nupstreams; i++) {
		rs->ups[i].failed = 0;
		if (!rs->ups[i].marked)
			rs->ups[i].known = 0;
	}
}

struct relay *
relayset_relay(struct relayset *rs, const struct upstream *up,
    struct mh_err *err)
{
	struct rs_up	*u = rs_up_of(rs, up);

	if (u == NULL)
		return NULL;
	if (u->relay == NULL && u->fail.exit == 0) {
		u->relay = relay_new(up, conf_parallel(rs->cfg), rs->verbose,
		    &u->fail);
		rs_relay_state(rs, up, u->relay);
		if (u->relay != NULL && rs->stop != NULL)
			relay_stop_on(u->relay, rs->stop);
	}
	if (u->relay == NULL)
		*err = u->fail;
	return u->relay;
}

int
relayset_down(struct relayset *rs, const struct upstream *up,
    const char *reason, time_t now, struct mh_err *err)
{
	struct rs_up		*u = rs_up_of(rs, up);
	const struct state	*st;

	if (u == NULL || u->marked || up->down_time <= 0)
		return 0;
	u->known = u->marked = u->down = 1;
	u->until = now + up->down_time;
	u->mark.until = u->until;
	text_show(u->mark.reason, sizeof(u->mark.reason), reason,
	    strlen(reason), TEXT_SPACE);
	if ((st = rs_state(rs, 1, err)) == NULL)
		return -1;
	return down_mark(st, up, now, reason, err);
}

void
relayset_up(struct relayset *rs, const struct upstream *up)
{
	struct rs_up		*u = rs_up_of(rs, up);
	const struct state	*st;
	struct mh_err		 err;

	if (u == NULL || u->marked)
		return;
	/* A mark in the state that sent it to us anyway (or expired). */
	if (!relayset_is_down(rs, up, time(NULL), NULL))
		return;
	u->down = 0;
	if ((st = rs_state(rs, 0, NULL)) != NULL)
		(void)down_clear(st, up, &err);
}

/* Where up's rate window lives; NULL with err. */
static const struct state *
rs_rate_state(struct relayset *rs, const struct upstream *up,
    struct mh_err *err)
{
	struct rs_up	*u = rs_up_of(rs, up);

	return u != NULL && u->home != NULL ? u->home : rs_state(rs, 1, err);
}

int
relayset_take_slot(struct relayset *rs, const struct upstream *up,
    long long now_ms, long long *wait_ms, long long *taken,
    struct mh_err *err)
{
	const struct state	*st;

	*wait_ms = 0;
	*taken = 0;
	if (up->rate.count <= 0)
		return 0;
	if ((st = rs_rate_state(rs, up, err)) == NULL)
		return -1;
	return rate_take(st, up, now_ms, wait_ms, taken, err);
}

int
relayset_give_slots(struct relayset *rs, const struct upstream *up,
    const long long *stamps, size_t n, struct mh_err *err)
{
	const struct state	*st;

	if (up->rate.count <= 0 || n == 0)
		return 0;
	if ((st = rs_rate_state(rs, up, err)) == NULL)
		return -1;
	return rate_give(st, up, stamps, n, err);
}

/* ---- running jobs through their routes ---------------------------- */


const char *
relayset_notice(struct relayset *rs)
{
	if (!rs->notice_new)
		return NULL;
	rs->notice_new = 0;
	return rs->notice;
}

int
relayset_setup_error(struct relayset *rs, struct mh_err *err)
{
	if (!rs->setup_new)
		return 0;
	*err = rs->setup;
	rs->setup_new = 0;
	return 1;
}

int
relayset_error(struct relayset *rs, struct mh_err *err)
{
	if (!rs->errored)
		return 0;
	*err = rs->err;
	rs->errored = 0;
	return 1;
}

/* Wait at most this long for a rate slot within a run; else hold back. */
#define RS_WAIT_MAX_MS	60000LL

struct rs_task {
	struct relay_job	*job;
	const struct upstream	*route[RELAYSET_ROUTE_MAX];
	size_t			 nroute;
	size_t			 at;		/* route[at] is tried next */
	int			 done;
	int			 missed;	/* route[at - 1] never got MAIL */
};

struct rs_run {
	struct relayset		*rs;
	struct rs_task		*tasks;
	size_t			 ntasks;
	relayset_done_fn	*done;
	relayset_hold_fn	*hold;
	void			*arg;
};

static long long
rs_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleep, unless a stop request comes first. */
static void
rs_sleep_ms(const struct relayset *rs, long long ms)
{
	struct timespec	 ts;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR &&
	    !rs_stopping(rs))
		;
}

static struct rs_task *
rs_task_of(struct rs_run *x, const struct relay_job *job)
{
	size_t	 i;

	for (i = 0; i < x->ntasks; i++)
		if (x->tasks[i].job == job)
			return &x->tasks[i];
	return NULL;
}

/* The job's outcome is the caller's now. */
static void
rs_finish(struct rs_run *x, struct rs_task *t)
{
	t->done = 1;
	x->done(t->job, t->route[t->at], x->arg);
}

/*
 * relay.c's callback.  A failure before MAIL marks the upstream down and
 * moves the job to the next upstream of its route, in this run; any
 * answer to RCPT or to the data stands (SPEC 9).  Only an answer clears
 * a down-mark: a session that could not start (a secret, a token) or
 * ended with no outcome for any recipient leaves it as it was.
 */
static void
rs_on_done(struct relay_job *job, void *arg)
{
	struct rs_run		*x = arg;
	struct rs_task		*t = rs_task_of(x, job);
	const struct upstream	*up;
	struct rs_up		*u;
	struct mh_err		 err;

	if (t == NULL || t->done)
		return;
	up = t->route[t->at];
	if (!job->before_mail) {
		if (!job->session_failed)
			relayset_up(x->rs, up);
		rs_finish(x, t);
		return;
	}
	t->missed = 1;
	if (relayset_down(x->rs, up, job->error, time(NULL), &err) == -1)
		rs_error(x->rs, &err);
	u = rs_up_of(x->rs, up);
	u->failed = 1;
	snprintf(u->why, sizeof(u->why), "%s", job->error);
	if (t->at + 1 < t->nroute)
		t->at++;	/* not done: the next round takes it */
	else
		rs_finish(x, t);
}

/* Jobs that do not reach up at all: as if relay.c had failed them. */
static void
rs_fail(struct rs_run *x, const struct upstream *up, struct relay_job **v,
    size_t n, const char *why, int before_mail)
{
	struct relay_job	*job;
	size_t			 i, k;

	for (i = 0; i < n; i++) {
		job = v[i];
		job->session_failed = 1;
		job->before_mail = before_mail;
		snprintf(job->error, sizeof(job->error), "%s", why);
		snprintf(job->relay_name, sizeof(job->relay_name), "%s[%s]:%d",
		    up->name, up->host != NULL ? up->host : "",
		    upstream_port(up));
		for (k = 0; k < job->nrcpts; k++) {
			job->rcpts[k].code = 0;
			snprintf(job->rcpts[k].reply,
			    sizeof(job->rcpts[k].reply), "%s", why);
		}
		rs_on_done(job, x);
	}
}

/* Held back by up's rate: no attempt, back when a slot is free. */
static void
rs_hold(struct rs_run *x, const struct upstream *up, struct relay_job **v,
    size_t n, long long wait_ms, const char *why)
{
	struct rs_task	*t;
	size_t		 i;

	for (i = 0; i < n; i++)
		if ((t = rs_task_of(x, v[i])) != NULL && !t->done) {
			t->done = 1;
			x->hold(v[i], up, wait_ms, why, x->arg);
		}
}

/*
 * The slots (stamps, one per job of v) of the jobs that never reached up
 * go back to its window: a job not begun (a stop request: untouched,
 * still at up) or one that failed before MAIL FROM was accepted.  With
 * stamps NULL, only forget what an earlier upstream missed.
 */
static void
rs_give_back(struct rs_run *x, const struct upstream *up,
    struct relay_job **v, long long *stamps, size_t m)
{
	struct rs_task	*t;
	struct mh_err	 serr;
	size_t		 i, k = 0;

	for (i = 0; i < m; i++) {
		if ((t = rs_task_of(x, v[i])) == NULL)
			continue;
		if (stamps != NULL &&
		    (t->missed || (!t->done && t->route[t->at] == up)))
			stamps[k++] = stamps[i];
		t->missed = 0;
	}
	if (relayset_give_slots(x->rs, up, stamps, k, &serr) == -1)
		rs_error(x->rs, &serr);
}

/*
 * Run n jobs through up within its rate: as many as have a slot at once,
 * then wait for the next slot when it is near; hold the rest back when
 * it is not.  A stop request ends it: what was not begun stays the
 * caller's, and its slots are given back.
 */
static int
rs_run_rated(struct rs_run *x, const struct upstream *up, struct relay *r,
    struct relay_job **v, size_t n, struct mh_err *err)
{
	struct mh_err	 serr;
	long long	 wait = 0, *stamps;
	char		 why[RELAY_REPLY_MAX + 128], limit[96];
	size_t		 m;
	int		 got = 0, rc = 0;

	stamps = xcalloc(n == 0 ? 1 : n, sizeof(*stamps));
	while (n > 0 && !rs_stopping(x->rs)) {
		if (rs_up_of(x->rs, up)->failed) {
			/* It failed before MAIL meanwhile: not again. */
			rs_fail(x, up, v, n, rs_up_of(x->rs, up)->why, 1);
			break;
		}
		for (m = 0; m < n && !rs_stopping(x->rs); m++)
			if ((got = relayset_take_slot(x->rs, up, rs_now_ms(),
			    &wait, &stamps[m], &serr)) != 0)
				break;
		if (m > 0) {
			rs_give_back(x, up, v, NULL, m);	/* a fresh start */
			rc = relay_run(r, v, m, rs_on_done, x, err);
			rs_give_back(x, up, v, stamps, m);
			if (rc == -1)
				break;
			v += m;
			n -= m;
			continue;
		}
		if (rs_stopping(x->rs))
			break;		/* the rest stay the caller's */
		rate_describe(up, limit, sizeof(limit));
		if (got == 1 && wait <= RS_WAIT_MAX_MS) {
			rs_sleep_ms(x->rs, wait);
			continue;
		}
		if (got == -1) {
			rs_error(x->rs, &serr);
			snprintf(why, sizeof(why), "rate %s: %s", limit,
			    serr.msg);
			wait = RS_WAIT_MAX_MS;
		} else
			snprintf(why, sizeof(why), "held back by the rate "
			    "limit %s (a slot frees in %llds)", limit,
			    (wait + 999) / 1000);
		rs_hold(x, up, v, n, wait, why);
		break;
	}
	free(stamps);
	return rc;
}

/* One round: every job whose next upstream is up. */
static int
rs_round(struct rs_run *x, const struct upstream *up, struct mh_err *err)
{
	struct rs_up	*u = rs_up_of(x->rs, up);
	struct relay_job **v;
	struct relay	*r = NULL;
	struct mh_err	 rerr;
	size_t		 i, n = 0;
	int		 rc = 0;

	v = xcalloc(x->ntasks, sizeof(*v));
	for (i = 0; i < x->ntasks; i++)
		if (!x->tasks[i].done && x->tasks[i].route[x->tasks[i].at] ==
		    up)
			v[n++] = x->tasks[i].job;
	if (u->failed)	/* failed before MAIL in this run: not again */
		rs_fail(x, up, v, n, u->why, 1);
	else if ((r = relayset_relay(x->rs, up, &rerr)) == NULL) {
		if (!x->rs->setup_new && x->rs->setup.exit == 0) {
			x->rs->setup = rerr;
			x->rs->setup_new = 1;
		}
		rs_fail(x, up, v, n, rerr.msg, 0);
	}
	else if (up->rate.count > 0)
		rc = rs_run_rated(x, up, r, v, n, err);
	else
		rc = relay_run(r, v, n, rs_on_done, x, err);
	if (r != NULL && *relay_notice(r) != '\0' &&
	    strcmp(relay_notice(r), x->rs->notice) != 0) {
		snprintf(x->rs->notice, sizeof(x->rs->notice), "%s",
		    relay_notice(r));
		x->rs->notice_new = 1;
	}
	free(v);
	return rc;
}

int
relayset_run(struct relayset *rs, struct relay_job **jobs, size_t n,
    relayset_done_fn *done, relayset_hold_fn *hold, void *arg,
    struct mh_err *err)
{
	struct rs_run	 x;
	time_t		 now = time(NULL);
	size_t		 i;
	int		 rc = 0;

	memset(&x, 0, sizeof(x));
	x.rs = rs;
	x.tasks = xcalloc(n == 0 ? 1 : n, sizeof(*x.tasks));
	x.ntasks = n;
	x.done = done;
	x.hold = hold;
	x.arg = arg;
	for (i = 0; i < n; i++) {
		x.tasks[i].job = jobs[i];
		x.tasks[i].nroute = relayset_route(rs, jobs[i]->sender, now,
		    x.tasks[i].route, RELAYSET_ROUTE_MAX);
	}
	for (i = 0; i < n && rc == 0 && !rs_stopping(rs); ) {
		if (x.tasks[i].done) {
			i++;
			continue;
		}
		/* Rounds until every job is done: i moves on when it is. */
		rc = rs_round(&x, x.tasks[i].route[x.tasks[i].at], err);
	}
	free(x.tasks);
	return rc;
}
