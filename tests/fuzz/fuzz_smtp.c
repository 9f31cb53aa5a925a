/* SPDX-License-Identifier: MIT */
/*
 * fuzz_smtp.c - the -bs dialogue (smtp_session.c) under libFuzzer, and
 * replayed by `make check`.  The input is what a client sends; byte 0
 * picks the configuration (bit 0: force_from) and the size of the pieces
 * the rest is fed in (bits 1-7: 1..128 bytes), then the input ends.  The
 * store keeps messages in memory (memfd): no spool is touched.
 * Invariants, each an abort() when broken:
 * - every reply is a line "DDD text" or "DDD-text" + CRLF, printable
 *   ASCII, with a code from 200 to 599;
 * - a message is committed only with recipients, and its sender and
 *   recipients pass addr_check() (the null sender aside); with force_from
 *   the sender is `from`;
 * - a committed message has CRLF line endings only;
 * - there are as many "queued as" replies as commits;
 * - nothing leaks and no descriptor stays open (ASan; fds counted).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "addr.h"
#include "conf.h"
#include "envelope.h"
#include "message.h"
#include "smtp_session.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char fuzz_conf[] =
    "[sender]\n"
    "domain = example.org\n"
    "from = noreply@example.org\n"
    "[upstream]\n"
    "helo = fuzz.example.org\n"
    "[queue]\n"
    "max_size = 64K\n"
    "max_recipients = 5\n"
    "max_header_size = 4K\n"
    "[aliases]\n"
    "root = a@example.org, b@example.org\n"
    "loop = loop2\n"
    "loop2 = loop\n";

struct fuzz_store {
	int		 force;		/* force_from is on */
	unsigned long	 commits;
	int		 open;		/* descriptors we hold */
};

static int
fuzz_memfd(void)
{
	int	 fd;

	fd = memfd_create("fuzz-smtp", MFD_CLOEXEC);
	if (fd == -1)
		abort();
	return fd;
}

static int
fuzz_create(void *arg, struct spool_entry *e, struct mh_err *err)
{
	struct fuzz_store *st = arg;

	(void)err;
	envelope_init(&e->env);
	memcpy(e->id, "FUZZ", 5);
	e->msgfd = fuzz_memfd();
	st->open++;
	return 0;
}

static int
fuzz_rewrite(void *arg, struct spool_entry *e, struct mh_err *err)
{
	int	 fd;

	(void)arg;
	fd = fuzz_memfd();
	if (message_recode(e->msgfd, fd, err) == -1) {
		close(fd);
		return -1;
	}
	close(e->msgfd);
	e->msgfd = fd;
	return 0;
}

/* The message file holds CRLF lines only. */
static void
fuzz_check_crlf(int fd)
{
	static char	 b[1 << 17];
	ssize_t		 n;
	off_t		 off = 0;
	char		 prev = '\n';
	size_t		 i;

	while ((n = pread(fd, b, sizeof(b), off)) > 0) {
		for (i = 0; i < (size_t)n; i++) {
			if (b[i] == '\n' && prev != '\r')
				abort();
			if (prev == '\r' && b[i] != '\n')
				abort();
			prev = b[i];
		}
		off += n;
	}
	if (prev != '\n')
		abort();
}

static int
fuzz_commit(void *arg, struct spool_entry *e, struct mh_err *err)
{
	struct fuzz_store	*st = arg;
	struct mh_err		 e2;
	size_t			 i;

	(void)err;
	if (e->env.nrcpts == 0 || e->env.sender == NULL)
		abort();
	if (e->env.sender[0] != '\0' && addr_check(e->env.sender, &e2) == -1)
		abort();
	if (st->force && strcmp(e->env.sender, "noreply@example.org") != 0)
		abort();
	for (i = 0; i < e->env.nrcpts; i++)
		if (addr_check(e->env.rcpts[i].addr, &e2) == -1)
			abort();
	fuzz_check_crlf(e->msgfd);
	st->commits++;
	return 0;
}

static void
fuzz_drop(void *arg, struct spool_entry *e)
{
	struct fuzz_store *st = arg;

	envelope_free(&e->env);
	if (e->msgfd != -1) {
		close(e->msgfd);
		st->open--;
	}
	e->msgfd = -1;
}

/* Every reply line: "DDD " or "DDD-", printable ASCII, CRLF. */
static unsigned long
fuzz_check_replies(const struct buf *out)
{
	const char	*p = out->data, *end = out->data + out->len, *eol;
	unsigned long	 queued = 0;

	while (p < end) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL || eol - p < 5 || eol[-1] != '\r')
			abort();
		if (p[0] < '2' || p[0] > '5' || p[1] < '0' || p[1] > '9' ||
		    p[2] < '0' || p[2] > '9' || (p[3] != ' ' && p[3] != '-'))
			abort();
		for (const char *c = p; c < eol - 1; c++)
			if (*c < 0x20 || *c > 0x7e)
				abort();
		if (strncmp(p, "250 2.0.0 Ok: queued as ", 24) == 0)
			queued++;
		p = eol + 1;
	}
	return queued;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct config		 cfg;
	struct mh_err		 err;
	struct fuzz_store	 st = { 0, 0, 0 };
	struct smtp_store	 store = { fuzz_create, fuzz_rewrite, fuzz_commit,
				    fuzz_drop, fuzz_drop, &st };
	struct smtp_session	*s;
	unsigned long		 queued = 0;
	size_t			 off, step, n;

	if (len < 1)
		return 0;
	conf_init(&cfg);
	if (conf_load_buffer(&cfg, "fuzz.conf", fuzz_conf, sizeof(fuzz_conf) - 1,
	    &err) == -1)
		abort();
	cfg.force_from = st.force = data[0] & 1;
	step = (size_t)(data[0] >> 1) + 1;
	s = smtp_session_new(&cfg, "Fuzz", &store);
	for (off = 1; off < len; off += n) {
		n = len - off < step ? len - off : step;
		smtp_session_input(s, (const char *)data + off, n);
		queued += fuzz_check_replies(&s->out);
		buf_reset(&s->out);
	}
	smtp_session_eof(s);
	queued += fuzz_check_replies(&s->out);
	if (queued != st.commits || queued != s->nqueued)
		abort();
	smtp_session_free(s);
	if (st.open != 0)
		abort();
	conf_free(&cfg);
	return 0;
}
