/* SPDX-License-Identifier: MIT */
/*
 * t_spool.c - spool.c and fsio.c: entries are created, committed, listed
 * in arrival order, read, claimed (and refused while another process holds
 * them), updated and removed; crash leftovers go, a live writer's entry
 * stays; an unsafe spool is refused with EX_CANTCREAT naming the path;
 * the location follows SPEC §5.  Runs as root in CI (chown to nobody).
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf.h"
#include "envelope.h"
#include "err.h"
#include "spool.h"
#include "unit.h"

static char	 root[256];	/* per-test scratch directory */
static char	 dir[300];	/* root/spool */
static struct config cfg;

static void
setup(void)
{
	snprintf(root, sizeof(root), "/tmp/t_spool.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	snprintf(dir, sizeof(dir), "%s/spool", root);
	conf_init(&cfg);
	cfg.dir = strdup(dir);
}

static void
teardown(void)
{
	char	 cmd[400];

	conf_free(&cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	ck_assert_int_eq(system(cmd), 0);
}

static int
exists(const char *name)
{
	char		 p[400];
	struct stat	 st;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return lstat(p, &st) == 0;
}

static void
touch(const char *name)
{
	char	 p[400];
	int	 fd;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(write(fd, "x", 1), 1);
	close(fd);
}

/* Queue one message with the given sender and recipients; returns its id. */
static void
enqueue(struct spool *sp, const char *sender, const char *rcpt, char *id)
{
	struct spool_entry	 e;
	struct mh_err		 err;

	ck_assert_int_eq(spool_create(sp, &e, &err), 0);
	ck_assert_int_eq(write(e.msgfd, "Subject: t\r\n\r\nhi\r\n", 18), 18);
	e.env.sender = strdup(sender);
	envelope_add_rcpt(&e.env, rcpt);
	ck_assert_int_eq(spool_commit(sp, &e, &err), 0);
	strcpy(id, e.id);
	spool_release(&e);
}

static void
open_spool(struct spool *sp)
{
	struct mh_err	 err;

	ck_assert_msg(spool_open(sp, &cfg, &err) == 0, "%s", err.msg);
}

START_TEST(create_commit_peek)
{
	struct spool	 sp;
	struct envelope	 env;
	struct mh_err	 err;
	struct stat	 st;
	char		 id[ENVELOPE_ID_MAX], name[64];

	open_spool(&sp);
	ck_assert_int_eq(stat(dir, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0700);
	enqueue(&sp, "alice@example.com", "bob@example.com", id);
	ck_assert(spool_id_valid(id));
	snprintf(name, sizeof(name), "%s.e", id);
	ck_assert(exists(name));
	snprintf(name, sizeof(name), "%s.m", id);
	ck_assert(exists(name));
	ck_assert_int_eq(spool_peek(&sp, id, &env, &err), 0);
	ck_assert_str_eq(env.id, id);
	ck_assert_str_eq(env.sender, "alice@example.com");
	ck_assert_uint_eq(env.size, 18);
	ck_assert_uint_eq(env.nrcpts, 1);
	ck_assert_str_eq(env.rcpts[0].addr, "bob@example.com");
	ck_assert_int_eq(env.rcpts[0].state, RCPT_PENDING);
	ck_assert(env.arrival > time(NULL) - 60 && env.arrival <= time(NULL));
	envelope_free(&env);
	spool_close(&sp);
}
END_TEST

/* An uncommitted entry is invisible; abort leaves nothing. */
START_TEST(uncommitted_invisible)
{
	struct spool		 sp;
	struct spool_entry	 e;
	struct envelope		 env;
	struct mh_err		 err;
	char			 **ids, name[64];
	size_t			 n;

	open_spool(&sp);
	ck_assert_int_eq(spool_create(&sp, &e, &err), 0);
	ck_assert_int_eq(spool_list(&sp, &ids, &n, &err), 0);
	ck_assert_uint_eq(n, 0);
	spool_ids_free(ids, n);
	ck_assert_int_eq(spool_peek(&sp, e.id, &env, &err), 1);
	snprintf(name, sizeof(name), "%s.m", e.id);
	ck_assert(exists(name));
	spool_abort(&sp, &e);
	ck_assert(!exists(name));
	spool_close(&sp);
}
END_TEST

START_TEST(list_sorted)
{
	struct spool	 sp;
	struct mh_err	 err;
	char		 id[5][ENVELOPE_ID_MAX], **ids;
	size_t		 n, i;

	open_spool(&sp);
	for (i = 0; i < 5; i++)
		enqueue(&sp, "", "bob@example.com", id[i]);
	touch("README");
	touch("0TP18M498D1007QCKZS.e");		/* id one short */
	ck_assert_int_eq(spool_list(&sp, &ids, &n, &err), 0);
	ck_assert_uint_eq(n, 5);
	for (i = 0; i < 5; i++)
		ck_assert_str_eq(ids[i], id[i]);	/* arrival order */
	spool_ids_free(ids, n);
	spool_close(&sp);
}
END_TEST

/* A child takes the entry and signals through a pipe; we must get 1. */
START_TEST(claim_busy)
{
	struct spool		 sp;
	struct spool_entry	 e;
	struct mh_err		 err;
	char			 id[ENVELOPE_ID_MAX], c;
	int			 ready[2], go[2], st;
	pid_t			 pid;

	open_spool(&sp);
	enqueue(&sp, "", "bob@example.com", id);
	ck_assert_int_eq(pipe(ready), 0);
	ck_assert_int_eq(pipe(go), 0);
	pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		if (spool_claim(&sp, id, 0, &e, &err) != 0)
			_exit(1);
		(void)write(ready[1], "r", 1);
		(void)read(go[0], &c, 1);
		_exit(0);
	}
	ck_assert_int_eq(read(ready[0], &c, 1), 1);
	ck_assert_int_eq(spool_claim(&sp, id, 0, &e, &err), 1);
	ck_assert_int_eq(write(go[1], "g", 1), 1);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* Free again once the child is gone. */
	ck_assert_int_eq(spool_claim(&sp, id, 0, &e, &err), 0);
	ck_assert_str_eq(e.env.id, id);
	spool_release(&e);
	spool_close(&sp);
}
END_TEST

START_TEST(update_remove)
{
	struct spool		 sp;
	struct spool_entry	 e;
	struct envelope		 env;
	struct mh_err		 err;
	char			 id[ENVELOPE_ID_MAX], **ids, name[64];
	size_t			 n;

	open_spool(&sp);
	enqueue(&sp, "a@example.com", "bob@example.com", id);
	ck_assert_int_eq(spool_claim(&sp, id, 1, &e, &err), 0);
	e.env.rcpts[0].attempts = 3;
	e.env.rcpts[0].next = 1999999999;
	envelope_set_reply(&e.env.rcpts[0], "451 4.3.0 later\r\n");
	e.env.state = ENV_HELD;
	ck_assert_int_eq(spool_update(&sp, &e, &err), 0);
	spool_release(&e);
	ck_assert_int_eq(spool_peek(&sp, id, &env, &err), 0);
	ck_assert_int_eq(env.state, ENV_HELD);
	ck_assert_int_eq(env.rcpts[0].attempts, 3);
	ck_assert_int_eq(env.rcpts[0].next, 1999999999);
	ck_assert_str_eq(env.rcpts[0].reply, "451 4.3.0 later");
	envelope_free(&env);
	snprintf(name, sizeof(name), ".tmp.%s.e", id);
	ck_assert(!exists(name));

	ck_assert_int_eq(spool_claim(&sp, id, 1, &e, &err), 0);
	ck_assert_int_eq(spool_remove(&sp, &e, &err), 0);
	ck_assert_int_eq(spool_list(&sp, &ids, &n, &err), 0);
	ck_assert_uint_eq(n, 0);
	spool_ids_free(ids, n);
	snprintf(name, sizeof(name), "%s.m", id);
	ck_assert(!exists(name));
	/* Gone: claiming it again is "not found". */
	ck_assert_int_eq(spool_claim(&sp, id, 0, &e, &err), -1);
	ck_assert_int_eq(err.exit, EX_NOUSER);
	ck_assert_str_eq(err.msg + strlen(err.msg) - 9, "not found");
	spool_close(&sp);
}
END_TEST

START_TEST(update_needs_lock)
{
	struct spool		 sp;
	struct spool_entry	 e;
	struct mh_err		 err;

	open_spool(&sp);
	memset(&e, 0, sizeof(e));
	e.msgfd = -1;
	strcpy(e.id, "0TP18M498D1007QCKZSE");
	ck_assert_int_eq(spool_update(&sp, &e, &err), -1);
	ck_assert_int_eq(err.exit, EX_SOFTWARE);
	spool_close(&sp);
}
END_TEST

/*
 * Leftovers of a dead writer go; the entry a live child is writing (its
 * ID.m locked, no ID.e yet) stays, and so do committed entries.
 */
START_TEST(cleanup)
{
	struct spool		 sp;
	struct spool_entry	 e;
	struct mh_err		 err;
	char			 id[ENVELOPE_ID_MAX], live[ENVELOPE_ID_MAX];
	char			 name[64], c;
	int			 ready[2], go[2], st;
	pid_t			 pid;

	open_spool(&sp);
	enqueue(&sp, "", "bob@example.com", id);
	touch("0TP18M498D1007QCKZSE.m");		/* message, no envelope */
	touch(".tmp.0TP18M498D1007QCKZSF.e");		/* orphan temp file */
	touch(".tmp.0TP18M498D1007QCKZSE.e");
	snprintf(name, sizeof(name), ".tmp.%s.e", id);	/* dead updater's */
	touch(name);
	touch("notes.txt");				/* not ours: kept */
	ck_assert_int_eq(pipe(ready), 0);
	ck_assert_int_eq(pipe(go), 0);
	pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		if (spool_create(&sp, &e, &err) != 0)
			_exit(1);
		(void)write(ready[1], e.id, strlen(e.id) + 1);
		(void)read(go[0], &c, 1);
		_exit(0);
	}
	ck_assert_int_eq(read(ready[0], live, sizeof(live)), 21);
	spool_cleanup(&sp);
	ck_assert(!exists("0TP18M498D1007QCKZSE.m"));
	ck_assert(!exists(".tmp.0TP18M498D1007QCKZSF.e"));
	ck_assert(!exists(".tmp.0TP18M498D1007QCKZSE.e"));
	ck_assert(!exists(name));
	ck_assert(exists("notes.txt"));
	snprintf(name, sizeof(name), "%s.e", id);
	ck_assert(exists(name));
	snprintf(name, sizeof(name), "%s.m", id);
	ck_assert(exists(name));
	snprintf(name, sizeof(name), "%s.m", live);
	ck_assert_msg(exists(name), "a live writer's entry was removed");
	ck_assert_int_eq(write(go[1], "g", 1), 1);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	/* Its writer is dead now: the next cleanup takes it. */
	spool_cleanup(&sp);
	ck_assert(!exists(name));
	spool_close(&sp);
}
END_TEST

START_TEST(ids)
{
	struct spool	 sp;
	struct envelope	 env;
	struct mh_err	 err;
	static const char *const badids[] = {
		"", "0TP18M498D1007QCKZS", "0TP18M498D1007QCKZSEE",
		"0tp18m498d1007qckzse", "../../../../etc/passw",
		"0TP18M498D1007QCKZS/", "0TP18M498D1007QCKZS.",
		"0TP18M498D1007QCKZS ",
	};
	size_t		 i;

	ck_assert(spool_id_valid("0TP18M498D1007QCKZSE"));
	ck_assert(spool_id_valid("ZZZZZZZZZZZZZZZZZZZZ"));
	open_spool(&sp);
	for (i = 0; i < sizeof(badids) / sizeof(badids[0]); i++) {
		ck_assert_msg(!spool_id_valid(badids[i]), "%s", badids[i]);
		ck_assert_int_eq(spool_peek(&sp, badids[i], &env, &err), -1);
		ck_assert_int_eq(err.exit, EX_NOUSER);
		ck_assert(strstr(err.msg, "not found") != NULL);
	}
	/* Valid but absent: gone (1), not an error. */
	ck_assert_int_eq(spool_peek(&sp, "0TP18M498D1007QCKZSE", &env, &err),
	    1);
	spool_close(&sp);
}
END_TEST

/* A damaged envelope is an error naming the id and the line. */
START_TEST(damaged)
{
	struct spool	 sp;
	struct envelope	 env;
	struct mh_err	 err;
	char		 id[ENVELOPE_ID_MAX], p[400];
	FILE		*f;

	open_spool(&sp);
	enqueue(&sp, "", "bob@example.com", id);
	snprintf(p, sizeof(p), "%s/%s.e", dir, id);
	ck_assert_ptr_nonnull(f = fopen(p, "w"));
	fputs("mailhop-envelope 1\nid X\n", f);
	fclose(f);
	ck_assert_int_eq(spool_peek(&sp, id, &env, &err), -1);
	ck_assert_int_eq(err.exit, EX_DATAERR);
	ck_assert(strstr(err.msg, id) != NULL);
	ck_assert(strstr(err.msg, "damaged envelope") != NULL);
	spool_close(&sp);
}
END_TEST

/* An envelope larger than the first read buffer is read whole. */
START_TEST(large_envelope)
{
	struct spool		 sp;
	struct spool_entry	 e;
	struct envelope		 env;
	struct mh_err		 err;
	char			 addr[64];
	int			 i;

	open_spool(&sp);
	ck_assert_int_eq(spool_create(&sp, &e, &err), 0);
	e.env.sender = strdup("a@example.com");
	for (i = 0; i < 2000; i++) {
		snprintf(addr, sizeof(addr), "rcpt%04d@example.com", i);
		envelope_add_rcpt(&e.env, addr);
	}
	ck_assert_int_eq(spool_commit(&sp, &e, &err), 0);
	ck_assert_int_eq(spool_peek(&sp, e.id, &env, &err), 0);
	ck_assert_uint_eq(env.nrcpts, 2000);
	ck_assert_str_eq(env.rcpts[1999].addr, "rcpt1999@example.com");
	envelope_free(&env);
	spool_release(&e);
	spool_close(&sp);
}
END_TEST

/* A FIFO under an envelope's name is damage, not a hang. */
START_TEST(fifo_envelope)
{
	struct spool	 sp;
	struct envelope	 env;
	struct mh_err	 err;
	char		 p[400];

	open_spool(&sp);
	snprintf(p, sizeof(p), "%s/0TP18M498D1007QCKZSE.e", dir);
	ck_assert_int_eq(mkfifo(p, 0600), 0);
	ck_assert_int_eq(spool_peek(&sp, "0TP18M498D1007QCKZSE", &env, &err),
	    -1);
	ck_assert_int_eq(err.exit, EX_DATAERR);
	spool_close(&sp);
}
END_TEST

static void
expect_unsafe(const char *what)
{
	struct spool	 sp;
	struct mh_err	 err;

	ck_assert_int_eq(spool_open(&sp, &cfg, &err), -1);
	ck_assert_int_eq(err.exit, EX_CANTCREAT);
	ck_assert_msg(strstr(err.msg, dir) != NULL, "%s", err.msg);
	ck_assert_msg(strstr(err.msg, what) != NULL, "%s", err.msg);
}

START_TEST(unsafe_symlink)
{
	char	 target[300];

	snprintf(target, sizeof(target), "%s/real", root);
	ck_assert_int_eq(mkdir(target, 0700), 0);
	ck_assert_int_eq(symlink(target, dir), 0);
	expect_unsafe("symbolic link");
}
END_TEST

START_TEST(unsafe_mode)
{
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	ck_assert_int_eq(chmod(dir, 0755), 0);
	expect_unsafe("mode 0755");
	ck_assert_int_eq(chmod(dir, 0710), 0);
	expect_unsafe("mode 0710");
}
END_TEST

START_TEST(unsafe_owner)
{
	struct passwd	*pw;

	if (geteuid() != 0)
		return;		/* only root can give a directory away */
	pw = getpwnam("nobody");
	ck_assert_ptr_nonnull(pw);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	ck_assert_int_eq(chown(dir, pw->pw_uid, pw->pw_gid), 0);
	expect_unsafe("owned by uid");
}
END_TEST

START_TEST(unsafe_file)
{
	int	 fd;

	fd = open(dir, O_WRONLY | O_CREAT, 0600);
	ck_assert_int_ne(fd, -1);
	close(fd);
	expect_unsafe("not a directory");
}
END_TEST

/* SPEC §5: [queue] dir, then $XDG_STATE_HOME/mailhop, then ~/.local/state. */
START_TEST(location)
{
	struct spool	 sp;
	char		 want[400], home[300];

	setenv("XDG_STATE_HOME", root, 1);
	open_spool(&sp);
	ck_assert_str_eq(sp.path, dir);			/* dir wins */
	spool_close(&sp);

	free(cfg.dir);
	cfg.dir = NULL;
	open_spool(&sp);
	snprintf(want, sizeof(want), "%s/mailhop", root);
	ck_assert_str_eq(sp.path, want);
	spool_close(&sp);

	setenv("XDG_STATE_HOME", "relative/path", 1);	/* ignored */
	snprintf(home, sizeof(home), "%s/home", root);
	ck_assert_int_eq(mkdir(home, 0755), 0);
	setenv("HOME", home, 1);
	open_spool(&sp);
	snprintf(want, sizeof(want), "%s/.local/state/mailhop", home);
	ck_assert_str_eq(sp.path, want);
	spool_close(&sp);

	unsetenv("XDG_STATE_HOME");
	open_spool(&sp);
	ck_assert_str_eq(sp.path, want);
	spool_close(&sp);
}
END_TEST

Suite *
suite(void)
{
	Suite	*s = suite_create("spool");
	TCase	*tc = tcase_create("spool");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, create_commit_peek);
	tcase_add_test(tc, uncommitted_invisible);
	tcase_add_test(tc, list_sorted);
	tcase_add_test(tc, claim_busy);
	tcase_add_test(tc, update_remove);
	tcase_add_test(tc, update_needs_lock);
	tcase_add_test(tc, cleanup);
	tcase_add_test(tc, ids);
	tcase_add_test(tc, damaged);
	tcase_add_test(tc, large_envelope);
	tcase_add_test(tc, fifo_envelope);
	tcase_add_test(tc, unsafe_symlink);
	tcase_add_test(tc, unsafe_mode);
	tcase_add_test(tc, unsafe_owner);
	tcase_add_test(tc, unsafe_file);
	tcase_add_test(tc, location);
	suite_add_tcase(s, tc);
	return s;
}
