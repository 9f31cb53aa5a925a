/* SPDX-License-Identifier: MIT */
/*
 * request.c - struct request to and from the helper's argv.  Two tables:
 * the operations, and the fields with the option that carries each and
 * the operations that take it.  Both directions read the same rows, so
 * an encoded request always decodes to itself.
 */
#include <stddef.h>
#include <string.h>
#include <sysexits.h>

#include "err.h"
#include "request.h"

#define REQ_BIT(op)	(1u << (op))
#define REQ_ANY		((1u << REQ_NOPS) - 1)

static const char *const request_ops[REQ_NOPS] = {
	[REQ_FLUSH] = "flush",
	[REQ_TEST] = "test",
	[REQ_OAUTH_LOGIN] = "oauth-login",
	[REQ_MKSPOOL] = "mkspool",
};

enum rf_type { RF_FLAG, RF_STRING };

static const struct request_field {
	const char	*opt;		/* on the helper's command line */
	enum rf_type	 type;		/* RF_FLAG: int; RF_STRING: const char * */
	size_t		 off;		/* offsetof(struct request, member) */
	unsigned	 ops;		/* REQ_BIT()s of the operations taking it */
} request_fields[] = {
	{ "--config",	RF_STRING, offsetof(struct request, config),
	    REQ_ANY & ~REQ_BIT(REQ_MKSPOOL) },
	{ "--verbose",	RF_FLAG, offsetof(struct request, verbose),
	    REQ_ANY & ~REQ_BIT(REQ_MKSPOOL) },
	{ "--id",	RF_STRING, offsetof(struct request, only_id),
	    REQ_BIT(REQ_FLUSH) },
	{ "--rcpt",	RF_STRING, offsetof(struct request, rcpt_domain),
	    REQ_BIT(REQ_FLUSH) },
	{ "--sender",	RF_STRING, offsetof(struct request, sender_substr),
	    REQ_BIT(REQ_FLUSH) },
	{ "--force",	RF_FLAG, offsetof(struct request, force),
	    REQ_BIT(REQ_FLUSH) },
	{ "--background", RF_FLAG, offsetof(struct request, background),
	    REQ_BIT(REQ_FLUSH) },
	{ "--report",	RF_FLAG, offsetof(struct request, report),
	    REQ_BIT(REQ_FLUSH) },
	{ "--upstream",	RF_STRING, offsetof(struct request, upstream),
	    REQ_BIT(REQ_OAUTH_LOGIN) | REQ_BIT(REQ_TEST) },
	{ "--watch",	RF_FLAG, offsetof(struct request, watch),
	    REQ_BIT(REQ_FLUSH) },
	{ "--all",	RF_FLAG, offsetof(struct request, all),
	    REQ_BIT(REQ_FLUSH) | REQ_BIT(REQ_TEST) },
	{ "--spool",	RF_STRING, offsetof(struct request, spool),
	    REQ_BIT(REQ_FLUSH) },
	{ "--name",	RF_STRING, offsetof(struct request, name),
	    REQ_BIT(REQ_MKSPOOL) },
};
#define REQUEST_NFIELDS	(sizeof(request_fields) / sizeof(request_fields[0]))
/* argv0, the operation, every field with a value, the NULL. */
_Static_assert(2 + 2 * REQUEST_NFIELDS + 1 <= REQUEST_ARGV_MAX,
    "REQUEST_ARGV_MAX is too small for the field table");

static const char **
rf_string(struct request *req, const struct request_field *f)
{
	return (const char **)(void *)((char *)req + f->off);
}

static int *
rf_flag(struct request *req, const struct request_field *f)
{
	return (int *)(void *)((char *)req + f->off);
}

/* Whether the field is set in req: a string given, a flag on. */
static int
rf_isset(const struct request *req, const struct request_field *f)
{
	struct request	*r = (struct request *)req;

	if (f->type == RF_STRING)
		return *rf_string(r, f) != NULL;
	return *rf_flag(r, f) != 0;
}

void
request_init(struct request *req, enum request_op op)
{
	memset(req, 0, sizeof(*req));
	req->op = op;
}

const char *
request_op_name(enum request_op op)
{
	return op < REQ_NOPS ? request_ops[op] : "?";
}

int
request_encode(const struct request *req, const char *argv0, char *av[],
    struct mh_err *err)
{
	const struct request_field	*f;
	size_t				 i, n = 0;

	if (req->op >= REQ_NOPS)
		return mh_err_set(err, EX_SOFTWARE, "request: bad operation");
	av[n++] = (char *)argv0;
	av[n++] = (char *)request_ops[req->op];
	for (i = 0; i < REQUEST_NFIELDS; i++) {
		f = &request_fields[i];
		if (!rf_isset(req, f))
			continue;
		if (!(f->ops & REQ_BIT(req->op)))
			return mh_err_set(err, EX_SOFTWARE, "request: %s does "
			    "not take %s", request_ops[req->op], f->opt);
		av[n++] = (char *)f->opt;
		if (f->type == RF_STRING)
			av[n++] = (char *)*rf_string((struct request *)req, f);
	}
	av[n] = NULL;
	return 0;
}

static const struct request_field *
request_field_find(const char *opt)
{
	size_t	 i;

	for (i = 0; i < REQUEST_NFIELDS; i++)
		if (strcmp(request_fields[i].opt, opt) == 0)
			return &request_fields[i];
	return NULL;
}

static int
request_decode_op(struct request *req, const char *name, struct mh_err *err)
{
	int	 op;

	for (op = 0; op < REQ_NOPS; op++)
		if (strcmp(request_ops[op], name) == 0) {
			request_init(req, (enum request_op)op);
			return 0;
		}
	return mh_err_set(err, EX_USAGE, "mailhop-deliver: unknown "
	    "operation \"%.32s\"", name);
}

int
request_decode(struct request *req, int argc, char *const argv[],
    struct mh_err *err)
{
	const struct request_field	*f;
	int				 i;

	request_init(req, REQ_FLUSH);
	if (argc < 2 || argv[1] == NULL)
		return mh_err_set(err, EX_USAGE, "mailhop-deliver: no "
		    "operation (it is run by mailhop; see mailhop(8))");
	if (request_decode_op(req, argv[1], err) == -1)
		return -1;
	for (i = 2; i < argc && argv[i] != NULL; i++) {
		f = request_field_find(argv[i]);
		if (f == NULL || !(f->ops & REQ_BIT(req->op)))
			return mh_err_set(err, EX_USAGE, "mailhop-deliver %s: "
			    "unknown option \"%.32s\"", request_ops[req->op],
			    argv[i]);
		if (f->type == RF_FLAG) {
			*rf_flag(req, f) = 1;
			continue;
		}
		if (i + 1 >= argc || argv[i + 1] == NULL ||
		    argv[i + 1][0] == '\0')
			return mh_err_set(err, EX_USAGE, "mailhop-deliver %s: "
			    "%s needs a value", request_ops[req->op], f->opt);
		*rf_string(req, f) = argv[++i];
	}
	return 0;
}
