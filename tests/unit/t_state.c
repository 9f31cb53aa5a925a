/* SPDX-License-Identifier: MIT */
/*
 * t_state.c - state.c, down.c and rate.c: the spool's state directory
 * (made private, never by a reader, names checked, atomic files, locks,
 * dead temporary files removed), down-marks (expiry, a changed server
 * forgets them) and the sliding window (N at once, the next when the
 * oldest leaves, torn records, a clock that steps back, the rewrite).
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "conf.h"
#include "down.h"
#include "err.h"
#include "rate.h"
#include "spool.h"
#include "state.h"
#include "unit.h"

static char		 tdir[64];
static struct spool	 sp;

static void
setup(void)
{
	unit_tmpdir(tdir, sizeof(tdir), "t_state");
	sp.dirfd = open(tdir, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(sp.dirfd, 0);
	sp.path = tdir;
	sp.statefd = -1;
}

/* Forget the state directory the spool opened (spool.c keeps it). */
static void
respool(void)
{
	if (sp.statefd != -1)
		close(sp.statefd);
	sp.statefd = -1;
}

static void
teardown(void)
{
	respool();
	close(sp.dirfd);
	unit_rmtree(tdir);
}

START_TEST(directory)
{
	struct state	 st;
	struct mh_err	 e;
	struct stat	 sb;
	char		 path[128];

	/* A reader makes nothing. */
	ck_assert_int_eq(state_open(&st, &sp, 0, &e), 1);
	ck_assert_int_eq(st.dirfd, -1);
	snprintf(path, sizeof(path), "%s/state", tdir);
	ck_assert_int_eq(stat(path, &sb), -1);
	ck_assert_int_eq(state_open(&st, &sp, 1, &e), 0);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 07777, 0700);
	state_close(&st);
	ck_assert_int_eq(state_open(&st, &sp, 0, &e), 0);
	state_close(&st);
	/* Group-accessible or a link: refused, to readers and writers. */
	respool();
	ck_assert_int_eq(chmod(path, 0750), 0);
	ck_assert_int_eq(state_open(&st, &sp, 1, &e), -1);
	ck_assert_int_eq(e.exit, EX_CANTCREAT);
	ck_assert_int_eq(state_open(&st, &sp, 0, &e), -1);
	ck_assert_int_eq(rmdir(path), 0);
	ck_assert_int_eq(symlink("/tmp", path), 0);
	ck_assert_int_eq(state_open(&st, &sp, 0, &e), -1);
	ck_assert_int_eq(e.exit, EX_CANTCREAT);
	respool();
	ck_assert_int_eq(state_open(&st, &sp, 1, &e), -1);
	ck_assert_int_eq(e.exit, EX_CANTCREAT);
}
END_TEST

START_TEST(files)
{
	struct state	 st;
	struct mh_err	 e;
	char		*data, **names, path[160];
	size_t		 len, n;
	int		 lock, fd;

	ck_assert_int_eq(state_open(&st, &sp, 1, &e), 0);
	ck_assert_int_eq(state_read(&st, "down.a", 100, &data, &len, &e), 1);
	ck_assert_ptr_null(data);
	ck_assert_int_eq(state_write(&st, "down.a", "one\n", 4, &e), 0);
	ck_assert_int_eq(state_write(&st, "down.a", "two\n", 4, &e), 0);
	ck_assert_int_eq(state_read(&st, "down.a", 100, &data, &len, &e), 0);
	ck_assert_str_eq(data, "two\n");
	ck_assert_uint_eq(len, 4);
	free(data);
	ck_assert_int_eq(state_read(&st, "down.a", 2, &data, &len, &e), -1);
	ck_assert_int_eq(state_write(&st, "down.b", "x", 1, &e), 0);
	ck_assert_int_eq(state_lock(&st, "down.b", &lock, &e), 0);
	state_unlock(lock);
	ck_assert_int_eq(state_list(&st, "down.", &names, &n, &e), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(names[0], "down.a");
	ck_assert_str_eq(names[1], "down.b");	/* not down.b.lock */
	state_names_free(names, n);
	ck_assert_int_eq(state_remove(&st, "down.a", &e), 0);
	ck_assert_int_eq(state_remove(&st, "down.a", &e), 0);
	/* Names cannot leave the directory or hide. */
	ck_assert_int_eq(state_write(&st, "../x", "x", 1, &e), -1);
	ck_assert_int_eq(state_write(&st, ".x", "x", 1, &e), -1);
	ck_assert_int_eq(state_write(&st, "A", "x", 1, &e), -1);
	ck_assert_int_eq(state_name_ok("rate.ses-1_x"), 1);
	ck_assert_int_eq(state_name_ok(""), 0);
	/* A writer's temporary file older than a minute is removed. */
	snprintf(path, sizeof(path), "%s/state/.tmp.down.c.99999", tdir);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(utimes(path, (struct timeval[]){ { 1000, 0 },
	    { 1000, 0 } }), 0);
	state_close(&st);
	respool();
	ck_assert_int_eq(state_open(&st, &sp, 1, &e), 0);
	ck_assert_int_eq(access(path, F_OK), -1);
	state_close(&st);
}
END_TEST

static struct upstream *
up_make(const char *name, const char *host, int port)
{
	struct upstream	*up = calloc(1, sizeof(*up));

	up->name = strdup(name);
	up->host = strdup(host);
	up->port = port;
	up->down_time = 300;
	return up;
}

static void
up_free(struct upstream *up)
{
	free(up->name);
	free(up->host);
	free(up);
}

START_TEST(down_marks)
{
	struct state		 st;
	struct mh_err		 e;
	struct down_mark	 m;
	struct upstream		*up = up_make("backup", "smtp2.example", 465);

	ck_assert_int_eq(state_open(&st, &sp, 1, &e), 0);
	ck_assert_int_eq(down_check(&st, up, 1000, &m), 0);
	ck_assert_int_eq(down_mark(&st, up, 1000, "connect\r\nrefused", &e), 0);
	ck_assert_int_eq(down_check(&st, up, 1000, &m), 1);
	ck_assert_int_eq(m.until, 1300);
	ck_assert_str_eq(m.reason, "connect refused");
	ck_assert_int_eq(down_check(&st, up, 1299, &m), 1);
	ck_assert_int_eq(down_check(&st, up, 1300, &m), 0);
	/* Another server under the same name: not down. */
	up->port = 587;
	ck_assert_int_eq(down_check(&st, up, 1000, &m), 0);
	up->port = 465;
	ck_assert_int_eq(down_clear(&st, up, &e), 0);
	ck_assert_int_eq(down_check(&st, up, 1000, &m), 0);
	/* down_time 0: never marked. */
	up->down_time = 0;
	ck_assert_int_eq(down_mark(&st, up, 1000, "x", &e), 0);
	ck_assert_int_eq(down_check(&st, up, 1000, &m), 0);
	state_close(&st);
	up_free(up);
}
END_TEST

START_TEST(rate_window)
{
	struct state	 st;
	struct mh_err	 e;
	struct upstream	*up = up_make("ses", "h", 25);
	long long	 wait, t = 1700000000000LL;
	int		 i;

	ck_assert_int_eq(state_open(&st, &sp, 1, &e), 0);
	/* No rate: always a slot, nothing written. */
	ck_assert_int_eq(rate_take(&st, up, t, &wait, NULL, &e), 0);
	up->rate.count = 3;
	up->rate.window = 1;
	/* N within one window, paced a slot every 1/N s (333 ms)... */
	ck_assert_int_eq(rate_take(&st, up, t, &wait, NULL, &e), 0);
	ck_assert_int_eq(rate_take(&st, up, t + 1, &wait, NULL, &e), 1);
	ck_assert_int_eq(wait, 332);
	ck_assert_int_eq(rate_take(&st, up, t + 333, &wait, NULL, &e), 0);
	ck_assert_int_eq(rate_take(&st, up, t + 666, &wait, NULL, &e), 0);
	/* ...the next when the oldest leaves the window. */
	ck_assert_int_eq(rate_take(&st, up, t + 999, &wait, NULL, &e), 1);
	ck_assert_int_eq(wait, 1);
	ck_assert_int_eq(rate_take(&st, up, t + 1000, &wait, NULL, &e), 0);
	ck_assert_int_eq(rate_take(&st, up, t + 1200, &wait, NULL, &e), 1);
	ck_assert_int_eq(wait, 133);
	ck_assert_int_eq(rate_take(&st, up, t + 1333, &wait, NULL, &e), 0);
	/* A clock that steps back: the log stays in order, no extra slot. */
	ck_assert_int_eq(rate_take(&st, up, t - 5000, &wait, NULL, &e), 1);
	state_close(&st);
	up_free(up);
}
END_TEST

/*
 * Slots whose messages never reached the upstream go back: each stamp
 * takes away the newest record that holds it, another flusher's stay.
 */
START_TEST(rate_give_back)
{
	struct state	 st;
	struct mh_err	 e;
	struct upstream	*up = up_make("quota", "h", 25);
	struct stat	 sb;
	char		 path[160];
	long long	 wait, t = 1700000000000LL, mine[3], other;
	int		 i;

	ck_assert_int_eq(state_open(&st, &sp, 1, &e), 0);
	up->rate.count = 4;
	up->rate.window = 86400;
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(rate_take(&st, up, t + i, &wait, &mine[i],
		    &e), 0);
		ck_assert_int_eq(mine[i], t + i);
	}
	/* Another flusher's, at the same millisecond as one of ours. */
	ck_assert_int_eq(rate_take(&st, up, t + 1, &wait, &other, &e), 0);
	ck_assert_int_eq(other, t + 2);	/* kept in time order */
	ck_assert_int_eq(rate_take(&st, up, t + 9, &wait, NULL, &e), 1);
	/* Two of ours never went: two slots free again, not three. */
	ck_assert_int_eq(rate_give(&st, up, (long long[]){ mine[1], mine[2] },
	    2, &e), 0);
	snprintf(path, sizeof(path), "%s/state/rate.quota", tdir);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_size, 2 * 14);
	ck_assert_int_eq(rate_take(&st, up, t + 10, &wait, NULL, &e), 0);
	ck_assert_int_eq(rate_take(&st, up, t + 11, &wait, NULL, &e), 0);
	ck_assert_int_eq(rate_take(&st, up, t + 12, &wait, NULL, &e), 1);
	ck_assert_int_eq(wait, 86400000LL - 12);
	/* A stamp that is not there (0, or long gone): nothing changes. */
	ck_assert_int_eq(rate_give(&st, up, (long long[]){ 0, t - 5 }, 2, &e),
	    0);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_size, 4 * 14);
	state_close(&st);
	up_free(up);
}
END_TEST

START_TEST(rate_log)
{
	struct state	 st;
	struct mh_err	 e;
	struct upstream	*up = up_make("gmail", "h", 25);
	struct stat	 sb;
	char		 path[160];
	long long	 wait, t = 1700000000000LL;
	int		 i, fd;

	ck_assert_int_eq(state_open(&st, &sp, 1, &e), 0);
	up->rate.count = 5;
	up->rate.window = 3600;
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(rate_take(&st, up, t + i * 1000, &wait, NULL, &e), 0);
	ck_assert_int_eq(rate_take(&st, up, t + 10000, &wait, NULL, &e), 1);
	ck_assert_int_eq(wait, 3600000 - 10000);
	/* A torn last record (a crash in the append) is cut off. */
	snprintf(path, sizeof(path), "%s/state/rate.gmail", tdir);
	fd = open(path, O_WRONLY | O_APPEND);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "17000", 5), 5);
	close(fd);
	ck_assert_int_eq(rate_take(&st, up, t + 10000, &wait, NULL, &e), 1);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_eq(sb.st_size, 5 * 14);
	/* The log is rewritten with the newest N once it holds 2N + 64. */
	up->rate.count = 2;
	up->rate.window = 1;
	for (i = 0; i < 200; i++)
		ck_assert_int_eq(rate_take(&st, up, t + 3600000 + i * 1000,
		    &wait, NULL, &e), 0);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_int_le(sb.st_size, (2 * 2 + 64 + 1) * 14);
	/* And it still knows the newest: X - 1000 has left, X has not. */
	t += 3600000 + 199 * 1000;
	ck_assert_int_eq(rate_take(&st, up, t + 500, &wait, NULL, &e), 0);
	ck_assert_int_eq(rate_take(&st, up, t + 600, &wait, NULL, &e), 1);
	ck_assert_int_eq(wait, 400);
	state_close(&st);
	up_free(up);
}
END_TEST

/*
 * A pinned window (the set-id helper's shared one, SPEC 8, 9): root makes
 * the files; afterwards the names in the directory are never opened
 * again (the helper may not, once it dropped its group), and the rewrite
 * of the log happens in the same inode.
 */
START_TEST(rate_pinned)
{
	struct state	 st;
	struct mh_err	 e;
	struct upstream	*up = up_make("default", "h", 25);
	struct stat	 a, b;
	char		 path[160], lock[170];
	long long	 wait, t = 1700000000000LL;
	int		 i, dirfd;

	if (geteuid() != 0)
		return;		/* the files must be root's */
	snprintf(path, sizeof(path), "%s/rate.default", tdir);
	snprintf(lock, sizeof(lock), "%s.lock", path);
	dirfd = open(tdir, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(dirfd, 0);
	state_adopt(&st, dirfd);
	/* Nothing to pin yet without create: 1, nothing made. */
	ck_assert_int_eq(state_pin(&st, "rate.default", 0, 0, &e), 1);
	ck_assert_int_eq(access(path, F_OK), -1);
	ck_assert_int_eq(state_pin(&st, "rate.default", 1, getgid(), &e), 0);
	ck_assert_int_eq(stat(path, &a), 0);
	ck_assert_int_eq(a.st_mode & 07777, 0660);
	/* A file another user could write is refused. */
	ck_assert_int_eq(chmod(lock, 0666), 0);
	ck_assert_int_eq(state_pin(&st, "rate.other", 0, 0, &e), 1);
	state_close(&st);
	dirfd = open(tdir, O_RDONLY | O_DIRECTORY);
	state_adopt(&st, dirfd);
	ck_assert_int_eq(state_pin(&st, "rate.default", 0, 0, &e), -1);
	ck_assert_int_eq(chmod(lock, 0660), 0);
	ck_assert_int_eq(state_pin(&st, "rate.default", 0, 0, &e), 0);
	/* The names go: only the pinned descriptors are used from now on. */
	ck_assert_int_eq(unlink(lock), 0);
	ck_assert_int_eq(rename(path, lock), 0);
	up->rate.count = 2;
	up->rate.window = 1;
	for (i = 0; i < 200; i++)
		ck_assert_int_eq(rate_take(&st, up, t + i * 1000, &wait,
		    NULL, &e), 0);
	ck_assert_int_eq(access(path, F_OK), -1);
	ck_assert_int_eq(stat(lock, &b), 0);
	ck_assert_int_eq(b.st_ino, a.st_ino);
	ck_assert_int_le(b.st_size, (2 * 2 + 64 + 1) * 14);
	/* The rewrite kept the newest: X - 1000 has left, X has not. */
	t += 199 * 1000;
	ck_assert_int_eq(rate_take(&st, up, t + 500, &wait, NULL, &e), 0);
	ck_assert_int_eq(rate_take(&st, up, t + 600, &wait, NULL, &e), 1);
	ck_assert_int_eq(wait, 400);
	state_close(&st);
	up_free(up);
}
END_TEST

Suite *
suite(void)
{
	Suite	*s = suite_create("state");
	TCase	*tc;

	tc = tcase_create("state");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, directory);
	tcase_add_test(tc, files);
	tcase_add_test(tc, down_marks);
	tcase_add_test(tc, rate_window);
	tcase_add_test(tc, rate_log);
	tcase_add_test(tc, rate_give_back);
	tcase_add_test(tc, rate_pinned);
	suite_add_tcase(s, tc);
	return s;
}
