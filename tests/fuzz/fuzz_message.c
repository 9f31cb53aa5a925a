/* SPDX-License-Identifier: MIT */
/*
 * fuzz_message.c - message_line() on arbitrary bytes, cut into reads
 * where the input says.  Byte 0 picks the options (bit 0: -t, bit 1: the
 * lone dot ends, bit 2: force_from, bit 3: run message_recode() even
 * when message_end() did not ask for it, bits 4-7: read size 1..16 x 16).
 * The output (after message_recode() when asked) must be CRLF-only and
 * never carry a bare CR or LF, a lone "." line must never be written when
 * the dot ends the input, and no line may pass 998 bytes.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "message.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_check(int fd, int dot_ends)
{
	static char	 b[1 << 20];
	ssize_t		 n;
	size_t		 i, col = 0;

	n = pread(fd, b, sizeof(b), 0);
	for (i = 0; n > 0 && i < (size_t)n; i++) {
		col = b[i] == '\n' ? 0 : col + 1;
		if (col > 999)		/* 998 and the CR */
			abort();
		if (b[i] == '\r' && (i + 1 >= (size_t)n || b[i + 1] != '\n'))
			abort();
		if (b[i] == '\n' && (i == 0 || b[i - 1] != '\r'))
			abort();
		if (dot_ends && b[i] == '.' && i >= 2 && b[i - 1] == '\n' &&
		    i + 2 < (size_t)n && b[i + 1] == '\r' && b[i + 2] == '\n')
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct config		 cfg;
	struct message_opts	 o;
	struct message		 m;
	struct mh_err		 err;
	size_t			 off, step, n;
	int			 fd, fd2, rc = 0;
	FILE			*f, *f2;

	if (len < 1)
		return 0;
	f = tmpfile();
	if (f == NULL)
		return 0;
	fd = fileno(f);
	conf_init(&cfg);
	cfg.max_header_size = 4096;
	cfg.max_size = 1 << 19;
	cfg.max_recipients = 50;
	cfg.force_from = (data[0] & 4) != 0;
	memset(&o, 0, sizeof(o));
	o.cfg = &cfg;
	o.extract = data[0] & 1;
	o.sender = "fuzz@example.com";
	o.fullname = "Fuzz";
	step = ((size_t)(data[0] >> 4) + 1) * 16;
	message_begin(&m, &o, fd, &err);
	m.dot_ends = (data[0] & 2) != 0;
	for (off = 1; off < len && rc == 0 && !m.done; off += n) {
		n = len - off < step ? len - off : step;
		rc = message_line(&m, (const char *)data + off, n, 0, &err);
	}
	if (rc == 0 && message_end(&m, &err) == 0) {
		if (m.recode || (data[0] & 8) != 0) {
			f2 = tmpfile();
			if (f2 == NULL)
				abort();
			fd2 = fileno(f2);
			if (message_recode(fd, fd2, &err) == -1)
				abort();
			fclose(f);
			f = f2;
			fd = fd2;
		}
		fuzz_check(fd, (data[0] & 2) != 0);
	}
	message_free(&m);
	conf_free(&cfg);
	fclose(f);
	return 0;
}
