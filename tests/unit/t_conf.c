/* SPDX-License-Identifier: MIT */
/*
 * t_conf.c - conf.c and secret.c: value parsers, every key and its
 * default, each error with its exact FILE:LINE message, inih's quirks
 * (continuation lines, " ;" comments, the line limit), layering of two
 * files key by key, the file checks (owner, secret mode, -C rules), the
 * bad files of tests/data/conf, and where secrets come from.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "err.h"
#include "paths.h"
#include "route.h"
#include "secret.h"
#include "xmem.h"
#include "unit.h"

static char	 tdir[64];

static void
tmp_setup(void)
{
	unit_tmpdir(tdir, sizeof(tdir), "t_conf");
}

static void
tmp_teardown(void)
{
	unit_rmtree(tdir);
}

/* Write text to tdir/name with mode; returns the path (static storage). */
static const char *
put(const char *name, const char *text, mode_t mode)
{
	static char	 paths[8][256];
	static int	 next;
	char		*path = paths[next++ % 8];
	char		 dir[256], *slash;
	FILE		*f;

	snprintf(path, 256, "%s/%s", tdir, name);
	snprintf(dir, sizeof(dir), "%s", path);
	for (slash = dir + strlen(tdir) + 1; (slash = strchr(slash, '/')) !=
	    NULL; slash++) {
		*slash = '\0';
		mkdir(dir, 0700);
		*slash = '/';
	}
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	ck_assert_int_eq(chmod(path, mode), 0);
	return path;
}

/* The upstream of [upstream]. */
#define DEF(c)	((c).upstreams[0])

static int
load(struct config *c, const char *text, struct mh_err *e)
{
	return conf_load_buffer(c, "t.conf", text, strlen(text), e);
}

#define expect_err(text, message) do {					\
	struct config	 c_;						\
	struct mh_err	 e_;						\
	conf_init(&c_);							\
	mh_err_clear(&e_);						\
	ck_assert_int_eq(load(&c_, (text), &e_), -1);			\
	ck_assert_int_eq(e_.exit, EX_CONFIG);				\
	ck_assert_str_eq(e_.msg, (message));				\
	conf_free(&c_);							\
} while (0)

/*
 * A mistake in a delivery-only section (SPEC 7 rev. 2): the load goes on,
 * the first one is kept with exit 78.
 */
#define expect_derr(text, message) do {					\
	struct config	 c_;						\
	struct mh_err	 e_;						\
	conf_init(&c_);							\
	mh_err_clear(&e_);						\
	ck_assert_int_eq(load(&c_, (text), &e_), 0);			\
	ck_assert_int_eq(conf_finish(&c_, &e_), 0);			\
	ck_assert_ptr_nonnull(conf_delivery_error(&c_));		\
	ck_assert_int_eq(conf_delivery_error(&c_)->exit, EX_CONFIG);	\
	ck_assert_str_eq(conf_delivery_error(&c_)->msg, (message));	\
	conf_free(&c_);							\
} while (0)

#define expect_ok(c, text) do {						\
	struct mh_err	 e_;						\
	mh_err_clear(&e_);						\
	if (load((c), (text), &e_) != 0)				\
		ck_abort_msg("unexpected error: %s", e_.msg);		\
} while (0)

/* ---- value parsers ------------------------------------------------ */

START_TEST(durations)
{
	long	 v;

	ck_assert_int_eq(conf_parse_duration("30", &v), 0);
	ck_assert_int_eq(v, 30);
	ck_assert_int_eq(conf_parse_duration("30s", &v), 0);
	ck_assert_int_eq(v, 30);
	ck_assert_int_eq(conf_parse_duration("15m", &v), 0);
	ck_assert_int_eq(v, 900);
	ck_assert_int_eq(conf_parse_duration("2h", &v), 0);
	ck_assert_int_eq(v, 7200);
	ck_assert_int_eq(conf_parse_duration("5d", &v), 0);
	ck_assert_int_eq(v, 432000);
	ck_assert_int_eq(conf_parse_duration("1h30m", &v), 0);
	ck_assert_int_eq(v, 5400);
	ck_assert_int_eq(conf_parse_duration("0", &v), 0);
	ck_assert_int_eq(v, 0);
	ck_assert_int_eq(conf_parse_duration("", &v), -1);
	ck_assert_int_eq(conf_parse_duration("m", &v), -1);
	ck_assert_int_eq(conf_parse_duration("5w", &v), -1);
	ck_assert_int_eq(conf_parse_duration("-1", &v), -1);
	ck_assert_int_eq(conf_parse_duration("1.5h", &v), -1);
	ck_assert_int_eq(conf_parse_duration("5 m", &v), -1);
	ck_assert_int_eq(conf_parse_duration("99999999999999999999d", &v), -1);
	ck_assert_int_eq(conf_parse_duration("3000d", &v), 0);
	ck_assert_int_eq(conf_parse_duration("9999d", &v), -1);
}
END_TEST

START_TEST(sizes)
{
	unsigned long long	 v;

	ck_assert_int_eq(conf_parse_size("512", &v), 0);
	ck_assert_uint_eq(v, 512);
	ck_assert_int_eq(conf_parse_size("64K", &v), 0);
	ck_assert_uint_eq(v, 65536);
	ck_assert_int_eq(conf_parse_size("64M", &v), 0);
	ck_assert_uint_eq(v, 64ULL << 20);
	ck_assert_int_eq(conf_parse_size("1G", &v), 0);
	ck_assert_uint_eq(v, 1ULL << 30);
	ck_assert_int_eq(conf_parse_size("2g", &v), 0);
	ck_assert_uint_eq(v, 2ULL << 30);
	ck_assert_int_eq(conf_parse_size("", &v), -1);
	ck_assert_int_eq(conf_parse_size("M", &v), -1);
	ck_assert_int_eq(conf_parse_size("1T", &v), -1);
	ck_assert_int_eq(conf_parse_size("64MB", &v), -1);
	ck_assert_int_eq(conf_parse_size("-1", &v), -1);
	ck_assert_int_eq(conf_parse_size("99999999999G", &v), -1);
}
END_TEST

START_TEST(booleans)
{
	static const char *const yes[] = { "yes", "true", "1", "on", "YES",
	    "True", NULL };
	static const char *const no[] = { "no", "false", "0", "off", "No",
	    "OFF", NULL };
	int	 i, v;

	for (i = 0; yes[i] != NULL; i++) {
		v = 0;
		ck_assert_int_eq(conf_parse_bool(yes[i], &v), 0);
		ck_assert_int_eq(v, 1);
	}
	for (i = 0; no[i] != NULL; i++) {
		v = 1;
		ck_assert_int_eq(conf_parse_bool(no[i], &v), 0);
		ck_assert_int_eq(v, 0);
	}
	ck_assert_int_eq(conf_parse_bool("maybe", &v), -1);
	ck_assert_int_eq(conf_parse_bool("", &v), -1);
	ck_assert_int_eq(conf_parse_bool("yes!", &v), -1);
}
END_TEST

START_TEST(retries)
{
	long	 a, b;

	ck_assert_int_eq(conf_parse_retry("1m..1h", &a, &b), 0);
	ck_assert_int_eq(a, 60);
	ck_assert_int_eq(b, 3600);
	ck_assert_int_eq(conf_parse_retry("5m", &a, &b), 0);
	ck_assert_int_eq(a, 300);
	ck_assert_int_eq(b, 300);
	ck_assert_int_eq(conf_parse_retry("30..30", &a, &b), 0);
	ck_assert_int_eq(conf_parse_retry("1h..1m", &a, &b), -1);
	ck_assert_int_eq(conf_parse_retry("..1h", &a, &b), -1);
	ck_assert_int_eq(conf_parse_retry("1m..", &a, &b), -1);
	ck_assert_int_eq(conf_parse_retry("0..1h", &a, &b), -1);
	ck_assert_int_eq(conf_parse_retry("0", &a, &b), -1);
	ck_assert_int_eq(conf_parse_retry("1m...1h", &a, &b), -1);
}
END_TEST


START_TEST(rates)
{
	struct conf_rate	 r;

	ck_assert_int_eq(conf_parse_rate("14/s", &r), 0);
	ck_assert_int_eq(r.count, 14);
	ck_assert_int_eq(r.window, 1);
	ck_assert_int_eq(conf_parse_rate("100/m", &r), 0);
	ck_assert_int_eq(r.window, 60);
	ck_assert_int_eq(conf_parse_rate("5/H", &r), 0);
	ck_assert_int_eq(r.window, 3600);
	ck_assert_int_eq(conf_parse_rate("2000/d", &r), 0);
	ck_assert_int_eq(r.count, 2000);
	ck_assert_int_eq(r.window, 86400);
	ck_assert_int_eq(conf_parse_rate("0/s", &r), -1);
	ck_assert_int_eq(conf_parse_rate("14", &r), -1);
	ck_assert_int_eq(conf_parse_rate("14/", &r), -1);
	ck_assert_int_eq(conf_parse_rate("14/w", &r), -1);
	ck_assert_int_eq(conf_parse_rate("14/ss", &r), -1);
	ck_assert_int_eq(conf_parse_rate("/s", &r), -1);
	ck_assert_int_eq(conf_parse_rate("1000001/d", &r), -1);
	ck_assert_int_eq(conf_parse_rate("-1/s", &r), -1);
}
END_TEST

/* ---- keys and defaults -------------------------------------------- */

START_TEST(defaults)
{
	struct config	 c;

	conf_init(&c);
	ck_assert_ptr_null(DEF(c)->host);
	ck_assert_int_eq(DEF(c)->port, 0);
	ck_assert_int_eq(upstream_port(DEF(c)), 587);
	ck_assert_int_eq(DEF(c)->tls, CONF_TLS_STARTTLS);
	ck_assert_int_eq(DEF(c)->tls_verify, 1);
	ck_assert_int_eq(DEF(c)->auth, CONF_AUTH_AUTO);
	ck_assert_int_eq(DEF(c)->timeout, 60);
	ck_assert_int_eq(DEF(c)->allow_plaintext_auth, 0);
	ck_assert_ptr_null(c.from);
	ck_assert_ptr_null(c.domain);
	ck_assert_int_eq(c.force_from, 0);
	ck_assert_str_eq(c.bounce_sender, "");
	ck_assert_uint_eq(c.naliases, 0);
	ck_assert_ptr_null(c.dir);
	ck_assert_int_eq(c.deliver, CONF_DELIVER_BACKGROUND);
	ck_assert_int_eq(c.retry_min, 60);
	ck_assert_int_eq(c.retry_max, 3600);
	ck_assert_int_eq(c.max_age, 5 * 86400);
	ck_assert_int_eq(c.failed_keep, 7 * 86400);
	ck_assert_int_eq(c.parallel, 1);
	ck_assert_uint_eq(c.max_size, 64ULL << 20);
	ck_assert_int_eq(c.max_recipients, 10000);
	ck_assert_uint_eq(c.max_header_size, 1ULL << 20);
	ck_assert_int_eq(c.log_syslog, 1);
	ck_assert_ptr_null(c.log_file);
	ck_assert_uint_eq(c.nfiles, 0);
	conf_free(&c);
}
END_TEST

static const char every_key[] =
	"[upstream]\n"
	"host = smtp.example.com\n"
	"port = 2525\n"
	"tls = tls\n"
	"tls_verify = no\n"
	"ca_file = /etc/ssl/ca.pem\n"
	"client_cert = ~/cert.pem\n"
	"client_key = ~/key.pem\n"
	"user = alice@example.com\n"
	"password = pw;with;semicolons\n"
	"auth = cram-md5\n"
	"helo = me.example.com\n"
	"timeout = 2m\n"
	"allow_plaintext_auth = yes\n"
	"oauth_token = tok\n"
	"[sender]\n"
	"from = alice@example.com\n"
	"domain = example.org\n"
	"force_from = on\n"
	"bounce_sender = <bounces@example.com>\n"
	"[aliases]\n"
	"Root = admin@example.com\n"
	"default = catch@example.com\n"
	"[queue]\n"
	"dir = ~/spool\n"
	"deliver = queue\n"
	"retry = 30s..2h\n"
	"max_age = 3d\n"
	"failed_keep = 12h\n"
	"parallel = 4\n"
	"max_size = 10M\n"
	"max_recipients = 50\n"
	"max_header_size = 64K\n"
	"[log]\n"
	"syslog = false\n"
	"file = /var/log/mailhop.log\n"
	"[upstream]\n"
	"rate = 100/h\n"
	"down_time = 2m\n"
	"max_per_connection = 10\n"
	"[upstream.backup]\n"
	"host = backup.example.net\n"
	"[route]\n"
	"*@example.org = backup, default\n";

START_TEST(every_key_set)
{
	struct config	 c;

	setenv("HOME", "/home/ann", 1);
	conf_init(&c);
	expect_ok(&c, every_key);
	ck_assert_str_eq(DEF(c)->host, "smtp.example.com");
	ck_assert_int_eq(DEF(c)->port, 2525);
	ck_assert_int_eq(upstream_port(DEF(c)), 2525);
	ck_assert_int_eq(DEF(c)->tls, CONF_TLS_IMPLICIT);
	ck_assert_int_eq(DEF(c)->tls_verify, 0);
	ck_assert_str_eq(DEF(c)->ca_file, "/etc/ssl/ca.pem");
	ck_assert_str_eq(DEF(c)->client_cert, "/home/ann/cert.pem");
	ck_assert_str_eq(DEF(c)->client_key, "/home/ann/key.pem");
	ck_assert_str_eq(DEF(c)->user, "alice@example.com");
	ck_assert_str_eq(DEF(c)->password, "pw;with;semicolons");
	ck_assert_str_eq(DEF(c)->oauth_token, "tok");
	ck_assert_int_eq(DEF(c)->auth, CONF_AUTH_CRAM_MD5);
	ck_assert_str_eq(DEF(c)->helo, "me.example.com");
	ck_assert_str_eq(upstream_helo(DEF(c)), "me.example.com");
	ck_assert_int_eq(DEF(c)->timeout, 120);
	ck_assert_int_eq(DEF(c)->allow_plaintext_auth, 1);
	ck_assert_str_eq(c.from, "alice@example.com");
	ck_assert_str_eq(c.domain, "example.org");
	ck_assert_str_eq(conf_domain(&c), "example.org");
	ck_assert_int_eq(c.force_from, 1);
	ck_assert_str_eq(c.bounce_sender, "bounces@example.com");
	ck_assert_uint_eq(c.naliases, 2);
	ck_assert_str_eq(c.aliases[0].name, "root");
	ck_assert_str_eq(c.aliases[0].value, "admin@example.com");
	ck_assert_str_eq(c.aliases[0].file, "t.conf");
	ck_assert_int_eq(c.aliases[0].line, 22);
	ck_assert_str_eq(conf_alias_find(&c, "ROOT")->value,
	    "admin@example.com");
	ck_assert_str_eq(conf_alias_find(&c, "default")->value,
	    "catch@example.com");
	ck_assert_ptr_null(conf_alias_find(&c, "bob"));
	ck_assert_str_eq(c.dir, "/home/ann/spool");
	ck_assert_int_eq(c.deliver, CONF_DELIVER_QUEUE);
	ck_assert_int_eq(c.retry_min, 30);
	ck_assert_int_eq(c.retry_max, 7200);
	ck_assert_int_eq(c.max_age, 3 * 86400);
	ck_assert_int_eq(c.failed_keep, 12 * 3600);
	ck_assert_int_eq(c.parallel, 4);
	ck_assert_uint_eq(c.max_size, 10ULL << 20);
	ck_assert_int_eq(c.max_recipients, 50);
	ck_assert_uint_eq(c.max_header_size, 65536);
	ck_assert_int_eq(c.log_syslog, 0);
	ck_assert_str_eq(c.log_file, "/var/log/mailhop.log");
	ck_assert_int_eq(DEF(c)->rate.count, 100);
	ck_assert_int_eq(DEF(c)->rate.window, 3600);
	ck_assert_int_eq(DEF(c)->down_time, 120);
	ck_assert_int_eq(DEF(c)->max_per_connection, 10);
	ck_assert_uint_eq(c.nupstreams, 2);
	ck_assert_str_eq(DEF(c)->name, "default");
	ck_assert_str_eq(c.upstreams[1]->name, "backup");
	ck_assert_str_eq(c.upstreams[1]->host, "backup.example.net");
	ck_assert_ptr_eq(conf_upstream(&c, "backup"), c.upstreams[1]);
	ck_assert_ptr_null(conf_upstream(&c, "ses"));
	ck_assert_uint_eq(c.nroutes, 1);
	ck_assert_str_eq(c.routes[0].pattern, "*@example.org");
	ck_assert_uint_eq(c.routes[0].nnames, 2);
	ck_assert_str_eq(c.routes[0].names[0], "backup");
	ck_assert_str_eq(c.routes[0].names[1], "default");
	ck_assert_int_eq(conf_finish(&c, NULL), 0);
	ck_assert_ptr_null(conf_delivery_error(&c));
	conf_free(&c);
}
END_TEST

START_TEST(enums_and_ports)
{
	struct config	 c;

	conf_init(&c);
	expect_ok(&c, "[upstream]\ntls = none\nauth = PLAIN\n"
	    "[queue]\ndeliver = foreground\n");
	ck_assert_int_eq(DEF(c)->tls, CONF_TLS_NONE);
	ck_assert_int_eq(upstream_port(DEF(c)), 25);
	ck_assert_int_eq(DEF(c)->auth, CONF_AUTH_PLAIN);
	ck_assert_int_eq(c.deliver, CONF_DELIVER_FOREGROUND);
	expect_ok(&c, "[upstream]\ntls = tls\nauth = login\n");
	ck_assert_int_eq(upstream_port(DEF(c)), 465);
	ck_assert_int_eq(DEF(c)->auth, CONF_AUTH_LOGIN);
	expect_ok(&c, "[upstream]\ntls = starttls\nauth = xoauth2\n"
	    "[queue]\ndeliver = background\n");
	ck_assert_int_eq(upstream_port(DEF(c)), 587);
	ck_assert_int_eq(DEF(c)->auth, CONF_AUTH_XOAUTH2);
	ck_assert_int_eq(c.deliver, CONF_DELIVER_BACKGROUND);
	conf_free(&c);
}
END_TEST

START_TEST(bounce_sender_null)
{
	struct config	 c;

	conf_init(&c);
	expect_ok(&c, "[sender]\nbounce_sender = me@example.com\n");
	ck_assert_str_eq(c.bounce_sender, "me@example.com");
	expect_ok(&c, "[sender]\nbounce_sender = <>\n");
	ck_assert_str_eq(c.bounce_sender, "");
	expect_ok(&c, "[sender]\nbounce_sender = x@y\n");
	expect_ok(&c, "[sender]\nbounce_sender =\n");
	ck_assert_str_eq(c.bounce_sender, "");
	conf_free(&c);
}
END_TEST

START_TEST(empty_value_restores_default)
{
	struct config	 c;

	conf_init(&c);
	expect_ok(&c, "[upstream]\nport = 2525\nhost = a.example\n"
	    "tls_verify = no\n[queue]\nretry = 5m..10m\nmax_size = 1K\n");
	expect_ok(&c, "[upstream]\nport =\nhost =\ntls_verify =\n"
	    "[queue]\nretry =\nmax_size =\n");
	ck_assert_int_eq(DEF(c)->port, 0);
	ck_assert_ptr_null(DEF(c)->host);
	ck_assert_int_eq(DEF(c)->tls_verify, 1);
	ck_assert_int_eq(c.retry_min, 60);
	ck_assert_int_eq(c.retry_max, 3600);
	ck_assert_uint_eq(c.max_size, 64ULL << 20);
	conf_free(&c);
}
END_TEST

START_TEST(paths_expand_home)
{
	struct config	 c;

	setenv("HOME", "/home/bob", 1);
	conf_init(&c);
	expect_ok(&c, "[upstream]\npassword_file = ~/.pw\n[queue]\ndir = ~\n"
	    "[log]\nfile = ~/log/mh.log\n");
	ck_assert_str_eq(DEF(c)->password_file, "/home/bob/.pw");
	ck_assert_str_eq(c.dir, "/home/bob");
	ck_assert_str_eq(c.log_file, "/home/bob/log/mh.log");
	conf_free(&c);
	expect_err("[queue]\ndir = spool\n", "t.conf:2: bad value \"spool\" "
	    "for \"dir\" in [queue]: expected an absolute path or one that "
	    "starts with ~/");
	expect_derr("[upstream]\nca_file = ~alice/ca.pem\n", "t.conf:2: bad "
	    "value \"~alice/ca.pem\" for \"ca_file\" in [upstream]: expected "
	    "an absolute path or one that starts with ~/");
}
END_TEST

/* ---- errors: exact messages, right line --------------------------- */

START_TEST(error_unknown_key)
{
	expect_derr("; comment\n[upstream]\nhots = smtp.example.com\n",
	    "t.conf:3: unknown key \"hots\" in [upstream]");
	expect_err("[sender]\nhost = x\n",
	    "t.conf:2: unknown key \"host\" in [sender]");
	expect_derr("[upstream]\nHost = x\n",
	    "t.conf:2: unknown key \"Host\" in [upstream]");
}
END_TEST

START_TEST(error_unknown_section)
{
	expect_err("[upstream]\nhost = x\n\n[uptream]\nport = 25\n",
	    "t.conf:4: unknown section [uptream]");
	/* inih calls no handler for an empty section: caught anyway. */
	expect_err("[upstream]\nhost = x\n[extra]\n",
	    "t.conf:3: unknown section [extra]");
	expect_err("[ upstream ]\n", "t.conf:1: unknown section [ upstream ]");
	expect_err("host = x\n",
	    "t.conf:1: key \"host\" is outside any [section]");
	expect_derr("[upstream] host = x\n", "t.conf:1: text after [upstream]");
}
END_TEST

START_TEST(error_syntax)
{
	expect_derr("[upstream]\nhost = x\nport 25\n", "t.conf:3: syntax error: "
	    "expected [section], key = value or a comment");
	expect_err("[upstream\n", "t.conf:1: syntax error: "
	    "expected [section], key = value or a comment");
	/* The earlier of a syntax error and a bad value is reported. */
	expect_derr("[upstream]\nbogus\nport = x\n", "t.conf:2: syntax error: "
	    "expected [section], key = value or a comment");
	expect_derr("[upstream]\nport = x\nbogus\n", "t.conf:2: bad value \"x\" "
	    "for \"port\" in [upstream]: expected a number from 1 to 65535");
}
END_TEST

/* issue 12: "host = name:port" is refused pointing at the port key. */
START_TEST(error_host_port)
{
	struct config	 c;

	expect_derr("[upstream]\nhost = smtp.example.com:5587\n", "t.conf:2: "
	    "bad value \"smtp.example.com:5587\" for \"host\" in [upstream]: "
	    "expected a host name without a port (the port is a key of its "
	    "own: port = 5587)");
	expect_derr("[upstream.b]\nhost = [2001:db8::1]:465\n", "t.conf:2: "
	    "bad value \"[2001:db8::1]:465\" for \"host\" in [upstream.b]: "
	    "expected a host name without a port (the port is a key of its "
	    "own: port = 465)");
	/* IPv6 addresses are hosts; ':' elsewhere is a plain bad value */
	conf_init(&c);
	expect_ok(&c, "[upstream]\nhost = 2001:db8::1\n");
	ck_assert_str_eq(DEF(c)->host, "2001:db8::1");
	ck_assert_ptr_null(conf_delivery_error(&c));
	conf_free(&c);
	conf_init(&c);
	expect_ok(&c, "[upstream]\nhost = [2001:db8::1]\n");
	ck_assert_ptr_null(conf_delivery_error(&c));
	conf_free(&c);
	expect_derr("[upstream]\nhost = smtp.example.com:smtp\n", "t.conf:2: "
	    "bad value \"smtp.example.com:smtp\" for \"host\" in [upstream]: "
	    "expected a host name");
}
END_TEST

START_TEST(error_bad_values)
{
	expect_derr("[upstream]\nport = 70000\n", "t.conf:2: bad value \"70000\" "
	    "for \"port\" in [upstream]: expected a number from 1 to 65535");
	expect_derr("[upstream]\nport = 0\n", "t.conf:2: bad value \"0\" "
	    "for \"port\" in [upstream]: expected a number from 1 to 65535");
	expect_derr("[upstream]\ntls = ssl\n", "t.conf:2: bad value \"ssl\" for "
	    "\"tls\" in [upstream]: expected starttls | tls | none");
	expect_derr("[upstream]\nauth = md5\n", "t.conf:2: bad value \"md5\" for "
	    "\"auth\" in [upstream]: expected auto | plain | login | cram-md5 "
	    "| xoauth2 | oauthbearer");
	expect_err("[queue]\ndeliver = now\n", "t.conf:2: bad value \"now\" for "
	    "\"deliver\" in [queue]: expected background | foreground | queue");
	expect_derr("[upstream]\ntls_verify = maybe\n", "t.conf:2: bad value "
	    "\"maybe\" for \"tls_verify\" in [upstream]: expected yes or no");
	expect_derr("[upstream]\ntimeout = 1w\n", "t.conf:2: bad value \"1w\" "
	    "for \"timeout\" in [upstream]: expected a duration (s, m, h, d) "
	    "from 1s to 3600s");
	expect_derr("[upstream]\ntimeout = 0\n", "t.conf:2: bad value \"0\" "
	    "for \"timeout\" in [upstream]: expected a duration (s, m, h, d) "
	    "from 1s to 3600s");
	expect_err("[queue]\nmax_size = 10T\n", "t.conf:2: bad value \"10T\" "
	    "for \"max_size\" in [queue]: expected a size (a number with K, "
	    "M or G)");
	expect_err("[queue]\nmax_header_size = 100\n", "t.conf:2: bad value "
	    "\"100\" for \"max_header_size\" in [queue]: expected a size of "
	    "at least 1K (K, M or G)");
	expect_err("[queue]\nretry = 1h..1m\n", "t.conf:2: bad value \"1h..1m\" "
	    "for \"retry\" in [queue]: expected FIRST..CAP, two durations "
	    "with FIRST <= CAP <= 30d (e.g. 1m..1h)");
	expect_err("[queue]\nparallel = 0\n", "t.conf:2: bad value \"0\" for "
	    "\"parallel\" in [queue]: expected a number from 1 to 64");
	expect_err("[queue]\nmax_recipients = many\n", "t.conf:2: bad value "
	    "\"many\" for \"max_recipients\" in [queue]: expected a number "
	    "from 1 to 1000000");
	expect_err("[sender]\nfrom = Alice <a@b>\n", "t.conf:2: bad value "
	    "\"Alice <a@b>\" for \"from\" in [sender]: expected an address "
	    "(user@domain or a bare name)");
	expect_err("[sender]\nbounce_sender = a b\n", "t.conf:2: bad value "
	    "\"a b\" for \"bounce_sender\" in [sender]: expected an address "
	    "(user@domain or a bare name) or <>");
	expect_derr("[upstream]\nhost = smtp.example.com/x\n", "t.conf:2: bad "
	    "value \"smtp.example.com/x\" for \"host\" in [upstream]: expected "
	    "a host name");
	expect_err("[aliases]\nroot@x = a@b\n", "t.conf:2: bad alias name "
	    "\"root@x\" in [aliases]: expected a bare local name");
}
END_TEST

START_TEST(error_long_value_is_cut_in_message)
{
	char	 text[300], want[400], v[151];

	memset(v, 'x', 150);
	v[150] = '\0';
	snprintf(text, sizeof(text), "[upstream]\nport = %s\n", v);
	v[60] = '\0';
	snprintf(want, sizeof(want), "t.conf:2: bad value \"%s...\" for "
	    "\"port\" in [upstream]: expected a number from 1 to 65535", v);
	expect_derr(text, want);
}
END_TEST

START_TEST(error_duplicates)
{
	expect_derr("[upstream]\nhost = a\nport = 25\nhost = b\n",
	    "t.conf:4: duplicate key \"host\" in [upstream] (first set on "
	    "line 2)");
	/* A section may be opened twice; its keys still appear once. */
	expect_derr("[upstream]\nhost = a\n[queue]\n[upstream]\nhost = b\n",
	    "t.conf:5: duplicate key \"host\" in [upstream] (first set on "
	    "line 2)");
	expect_err("[aliases]\nroot = a@b\nROOT = c@d\n", "t.conf:3: duplicate "
	    "alias \"ROOT\" in [aliases] (first set on line 2)");
	expect_derr("[upstream]\npassword = x\npassword_command = echo x\n",
	    "t.conf:3: \"password_command\" and \"password\" (line 2) are "
	    "both set in [upstream]: keep one");
	expect_derr("[upstream]\noauth_token_command = x\noauth_token = y\n",
	    "t.conf:3: \"oauth_token\" and \"oauth_token_command\" (line 2) "
	    "are both set in [upstream]: keep one");
}
END_TEST

START_TEST(error_control_characters)
{
	static const char nul[] = "[upstream]\nhost = a\0b\n";
	struct config	 c;
	struct mh_err	 e;

	expect_err("[upstream]\nhost = a\rb\n",
	    "t.conf:2: control character (byte 0x0d) in line");
	expect_err("[upstream]\nuser = a\x1b[0m\n",
	    "t.conf:2: control character (byte 0x1b) in line");
	conf_init(&c);
	ck_assert_int_eq(conf_load_buffer(&c, "t.conf", nul, sizeof(nul) - 1,
	    &e), -1);
	ck_assert_str_eq(e.msg, "t.conf:2: control character (byte 0x00) in "
	    "line");
	conf_free(&c);
}
END_TEST

/* ---- delivery-only mistakes (SPEC 7, revision 2) ------------------ */

START_TEST(delivery_errors_are_kept)
{
	struct config	 c;
	struct mh_err	 e;

	/* The first is kept with its key; the rest of the file applies. */
	conf_init(&c);
	expect_ok(&c, "[upstream]\nhots = x\nport = 99999\n[queue]\n"
	    "max_size = 2M\n[log]\nsyslog = maybe\n[sender]\nfrom = a@b\n");
	ck_assert_ptr_nonnull(conf_delivery_error(&c));
	ck_assert_str_eq(conf_delivery_error(&c)->msg, "t.conf:2: unknown key "
	    "\"hots\" in [upstream]");
	ck_assert_str_eq(c.problem.where, "t.conf");
	ck_assert_int_eq(c.problem.line, 2);
	ck_assert_str_eq(c.problem.key, "hots");
	ck_assert_uint_eq(c.max_size, 2ULL << 20);
	ck_assert_str_eq(c.from, "a@b");
	conf_free(&c);
	/* [log], [route], [upstream.NAME]: the key is named. */
	expect_derr("[log]\nfile = log.txt\n", "t.conf:2: bad value \"log.txt\" "
	    "for \"file\" in [log]: expected an absolute path or one that "
	    "starts with ~/");
	expect_derr("[upstream.b]\ntimeout = 0\n", "t.conf:2: bad value \"0\" "
	    "for \"timeout\" in [upstream.b]: expected a duration (s, m, h, d) "
	    "from 1s to 3600s");
	expect_derr("[upstream.b]\nhost = a\nhost = b\n", "t.conf:3: duplicate "
	    "key \"host\" in [upstream.b] (first set on line 2)");
	expect_derr("[upstream.b]\n[upstream.c]\n[route]\n* = b, , c\n",
	    "t.conf:4: bad value for \"*\" in [route]: an empty upstream name");
	expect_derr("[route]\n*@x.example = default\n*@X.example = default\n",
	    "t.conf:3: duplicate pattern \"*@X.example\" in [route] (first set "
	    "on line 2)");
	expect_derr("[upstream.UPPER]\nhost = x\n[upstream.ok]\nhots = y\n",
	    "t.conf:1: bad upstream name \"UPPER\" in [upstream.UPPER]: "
	    "expected 1 to 32 of a-z 0-9 _ -");
	expect_derr("[upstream.abcdefghijabcdefghijabcdefghijabc]\n",
	    "t.conf:1: bad upstream name \"abcdefghijabcdefghijabcdefghijabc\" "
	    "in [upstream.abcdefghijabcdefghijabcdefghijabc]: expected 1 to 32 "
	    "of a-z 0-9 _ -");
	expect_derr("[route]\n* = ses\n", "t.conf:2: unknown upstream \"ses\" "
	    "in the route for \"*\" in [route] (no [upstream.ses] section)");
	expect_derr("[upstream]\nrate = 10\n", "t.conf:2: bad value \"10\" for "
	    "\"rate\" in [upstream]: expected N/s, N/m, N/h or N/d with N from "
	    "1 to 1000000 (e.g. 14/s)");
	expect_derr("[upstream]\nmax_per_connection = -1\n", "t.conf:2: bad "
	    "value \"-1\" for \"max_per_connection\" in [upstream]: expected a "
	    "number from 0 to 1000000");
	expect_derr("[upstream]\ndown_time = 2d\n", "t.conf:2: bad value \"2d\" "
	    "for \"down_time\" in [upstream]: expected a duration (s, m, h, d) "
	    "from 0s to 86400s");
	/* [sender], [aliases], [queue] still stop the load, even after one. */
	expect_err("[upstream]\nhots = x\n[sender]\nfrom = a b\n", "t.conf:4: "
	    "bad value \"a b\" for \"from\" in [sender]: expected an address "
	    "(user@domain or a bare name)");
	expect_err("[log]\nsyslog = x\n[queue]\nbogus\n", "t.conf:4: syntax "
	    "error: expected [section], key = value or a comment");
	/* An upstream defined in a later layer satisfies a route. */
	conf_init(&c);
	expect_ok(&c, "[route]\n* = late\n");
	ck_assert_int_eq(conf_load_buffer(&c, "u.conf", "[upstream.late]\n", 16,
	    &e), 0);
	ck_assert_int_eq(conf_finish(&c, &e), 0);
	ck_assert_ptr_null(conf_delivery_error(&c));
	conf_free(&c);
}
END_TEST

START_TEST(upstream_sections)
{
	struct config	 c;

	conf_init(&c);
	/* [upstream.default] is [upstream]; an empty section names one. */
	expect_ok(&c, "[upstream]\nhost = a.example\n[upstream.default]\n"
	    "port = 26\n[upstream.empty]\n[upstream.b-2_x]\ntls = none\n");
	ck_assert_uint_eq(c.nupstreams, 3);
	ck_assert_int_eq(DEF(c)->port, 26);
	ck_assert_ptr_nonnull(conf_upstream(&c, "empty"));
	ck_assert_ptr_null(conf_upstream(&c, "empty")->host);
	ck_assert_int_eq(conf_upstream(&c, "empty")->timeout, 60);
	ck_assert_int_eq(conf_upstream(&c, "empty")->down_time, 300);
	ck_assert_int_eq(conf_upstream(&c, "empty")->section.line, 5);
	ck_assert_int_eq(upstream_port(conf_upstream(&c, "b-2_x")), 25);
	/* Each upstream keeps its own credentials. */
	expect_ok(&c, "[upstream.empty]\npassword = p1\n[upstream.b-2_x]\n"
	    "password_file = /etc/x\n");
	ck_assert_str_eq(conf_upstream(&c, "empty")->password, "p1");
	ck_assert_ptr_null(DEF(c)->password);
	ck_assert_str_eq(conf_upstream(&c, "b-2_x")->password_file, "/etc/x");
	conf_free(&c);
}
END_TEST

START_TEST(set_one_key)
{
	struct config		 c;
	struct mh_err		 e;
	struct conf_origin	 o = { CONF_LAYER_ENV, "MAILHOP_UPSTREAM_PORT", 0 };
	char			 where[128];

	conf_init(&c);
	ck_assert_int_eq(conf_set(&c, "upstream", "port", "2526", &o, &e), 0);
	ck_assert_int_eq(DEF(c)->port, 2526);
	ck_assert_int_eq(DEF(c)->origin[1].layer, CONF_LAYER_ENV);
	conf_origin_format(&DEF(c)->origin[1], where, sizeof(where));
	ck_assert_str_eq(where, "MAILHOP_UPSTREAM_PORT");
	o.where = "MAILHOP_UPSTREAM_X_TLS";
	ck_assert_int_eq(conf_set(&c, "upstream.x", "tls", "tls", &o, &e), 0);
	ck_assert_int_eq(conf_upstream(&c, "x")->tls, CONF_TLS_IMPLICIT);
	/* A bad value: recorded (delivery-only), named after the variable. */
	o.where = "MAILHOP_UPSTREAM_TLS";
	ck_assert_int_eq(conf_set(&c, "upstream", "tls", "ssl", &o, &e), 0);
	ck_assert_str_eq(conf_delivery_error(&c)->msg, "MAILHOP_UPSTREAM_TLS: "
	    "bad value \"ssl\" for \"tls\" in [upstream]: expected starttls | "
	    "tls | none");
	/* In [queue]: the load fails. */
	o.where = "MAILHOP_QUEUE_PARALLEL";
	ck_assert_int_eq(conf_set(&c, "queue", "parallel", "0", &o, &e), -1);
	ck_assert_str_eq(e.msg, "MAILHOP_QUEUE_PARALLEL: bad value \"0\" for "
	    "\"parallel\" in [queue]: expected a number from 1 to 64");
	o.where = "MAILHOP_SMTP_HOST";
	ck_assert_int_eq(conf_set(&c, "smtp", "host", "x", &o, &e), -1);
	ck_assert_str_eq(e.msg, "MAILHOP_SMTP_HOST: unknown section [smtp]");
	conf_free(&c);
}
END_TEST

/* ---- inih's quirks ------------------------------------------------ */

START_TEST(line_limit)
{
	struct config	 c;
	char		 text[512];
	char		 host[300];

	/* 197 bytes are allowed, 198 are refused instead of being cut. */
	memset(host, 'a', sizeof(host));
	host[197 - 7] = '\0';
	snprintf(text, sizeof(text), "[upstream]\nhost = %s\n", host);
	conf_init(&c);
	expect_ok(&c, text);
	ck_assert_uint_eq(strlen(DEF(c)->host), 190);
	conf_free(&c);
	host[197 - 7] = 'a';
	host[198 - 7] = '\0';
	snprintf(text, sizeof(text), "[upstream]\nhost = %s\nport = 1\n",
	    host);
	expect_err(text, "t.conf:2: line longer than 197 bytes (for a longer "
	    "value see mailhop.conf(5))");
	/* A long comment line is refused too: inih would cut it in two. */
	memset(host, ';', 300 - 1);
	host[250] = '\0';
	snprintf(text, sizeof(text), "[upstream]\n\n%s\n", host);
	expect_err(text, "t.conf:3: line longer than 197 bytes (for a longer "
	    "value see mailhop.conf(5))");
}
END_TEST

START_TEST(crlf_and_bom)
{
	struct config	 c;

	conf_init(&c);
	expect_ok(&c, "\xef\xbb\xbf[upstream]\r\nhost = a.example\r\n"
	    "port = 26\r\n");
	ck_assert_str_eq(DEF(c)->host, "a.example");
	ck_assert_int_eq(DEF(c)->port, 26);
	conf_free(&c);
}
END_TEST

START_TEST(inline_comments)
{
	struct config	 c;

	conf_init(&c);
	expect_ok(&c, "[upstream]\nhost = a.example ; the relay\n"
	    "password = ab;cd\n# hash comment\n  ; indented comment\n"
	    "user = u\t; tab comment\n");
	ck_assert_str_eq(DEF(c)->host, "a.example");
	ck_assert_str_eq(DEF(c)->password, "ab;cd");
	ck_assert_str_eq(DEF(c)->user, "u");
	conf_free(&c);
	/* " ;" ends a value: a password holding it is silently cut. */
	conf_init(&c);
	expect_ok(&c, "[upstream]\npassword = ab ;cd\n");
	ck_assert_str_eq(DEF(c)->password, "ab");
	conf_free(&c);
	/* '#' is a comment only at the start of a line. */
	conf_init(&c);
	expect_ok(&c, "[upstream]\nuser = a#b # c\n");
	ck_assert_str_eq(DEF(c)->user, "a#b # c");
	conf_free(&c);
}
END_TEST

START_TEST(continuation_lines)
{
	struct config	 c;

	conf_init(&c);
	expect_ok(&c, "[aliases]\nstaff = a@example.com,\n"
	    "    b@example.com,\n\tc@example.com ; comment\n"
	    "root = r@example.com\n[upstream]\n"
	    "password_command = gpg --quiet --decrypt\n  ~/.pw.gpg\n");
	ck_assert_str_eq(conf_alias_find(&c, "staff")->value,
	    "a@example.com, b@example.com, c@example.com");
	ck_assert_int_eq(conf_alias_find(&c, "staff")->line, 2);
	ck_assert_str_eq(conf_alias_find(&c, "root")->value, "r@example.com");
	ck_assert_str_eq(DEF(c)->password_command,
	    "gpg --quiet --decrypt ~/.pw.gpg");
	conf_free(&c);
	/* Indented keys right after a section header are plain keys. */
	conf_init(&c);
	expect_ok(&c, "[upstream]\n  host = a.example\n");
	ck_assert_str_eq(DEF(c)->host, "a.example");
	conf_free(&c);
	/* Elsewhere a stray indent is an error, not a silent join. */
	expect_derr("[upstream]\nhost = a.example\n  port = 25\n",
	    "t.conf:3: indented line continues \"host\" in [upstream]; only "
	    "alias lists and commands may continue on an indented line");
	/* inih: a blank line does not end the value; an indented [x] is
	 * part of it. */
	expect_derr("[upstream]\nhost = a\n\n  port = 25\n",
	    "t.conf:4: indented line continues \"host\" in [upstream]; only "
	    "alias lists and commands may continue on an indented line");
	expect_derr("[upstream]\nuser = a\n  [queue]\n",
	    "t.conf:3: indented line continues \"user\" in [upstream]; only "
	    "alias lists and commands may continue on an indented line");
}
END_TEST

/* ---- layering and files ------------------------------------------- */

START_TEST(layering_key_by_key)
{
	struct config	 c;
	struct mh_err	 e;
	const char	*a, *b;

	a = put("sys.conf", "[upstream]\nhost = sys.example\nport = 2525\n"
	    "user = sysuser\npassword_command = echo x\n[aliases]\n"
	    "root = admin@example.com\npostmaster = pm@example.com\n"
	    "[queue]\nmax_size = 1M\n", 0644);
	b = put("user.conf", "[upstream]\nport = 587\npassword = pw\n"
	    "[aliases]\nROOT = me@example.com\npostmaster =\n", 0600);
	conf_init(&c);
	ck_assert_int_eq(conf_load_file(&c, a, CONF_LAYER_USER, &e), 0);
	ck_assert_int_eq(conf_load_file(&c, b, CONF_LAYER_USER, &e), 0);
	ck_assert_str_eq(DEF(c)->host, "sys.example");
	ck_assert_int_eq(DEF(c)->port, 587);
	ck_assert_str_eq(DEF(c)->user, "sysuser");
	ck_assert_str_eq(DEF(c)->password, "pw");
	/* One choice of password source: the later file's wins. */
	ck_assert_ptr_null(DEF(c)->password_command);
	ck_assert_uint_eq(c.max_size, 1ULL << 20);
	ck_assert_str_eq(conf_alias_find(&c, "root")->value, "me@example.com");
	ck_assert_str_eq(conf_alias_find(&c, "root")->file, b);
	ck_assert_ptr_null(conf_alias_find(&c, "postmaster"));
	ck_assert_uint_eq(c.nfiles, 2);
	ck_assert_str_eq(c.files[0], a);
	ck_assert_str_eq(c.files[1], b);
	conf_free(&c);
}
END_TEST

START_TEST(secret_needs_private_file)
{
	struct config	 c;
	struct mh_err	 e;
	const char	*f;
	char		 want[512];

	f = put("open.conf", "[upstream]\nhost = x\npassword = pw\n", 0644);
	conf_init(&c);
	ck_assert_int_eq(conf_load_file(&c, f, CONF_LAYER_USER, &e), -1);
	ck_assert_int_eq(e.exit, EX_CONFIG);
	snprintf(want, sizeof(want), "%s:3: a secret is set in a file that "
	    "group or others can read (chmod 600 %s)", f, f);
	ck_assert_str_eq(e.msg, want);
	conf_free(&c);
	ck_assert_int_eq(chmod(f, 0640), 0);
	conf_init(&c);
	ck_assert_int_eq(conf_load_file(&c, f, CONF_LAYER_USER, &e), -1);
	conf_free(&c);
	f = put("tok.conf", "[upstream]\noauth_token = t\n", 0604);
	conf_init(&c);
	ck_assert_int_eq(conf_load_file(&c, f, CONF_LAYER_USER, &e), -1);
	ck_assert_int_eq(e.exit, EX_CONFIG);
	conf_free(&c);
	/* Private: fine.  No secret: readable is fine. */
	f = put("private.conf", "[upstream]\npassword = pw\n", 0600);
	conf_init(&c);
	ck_assert_int_eq(conf_load_file(&c, f, CONF_LAYER_USER, &e), 0);
	conf_free(&c);
	f = put("public.conf", "[upstream]\npassword_command = echo x\n",
	    0644);
	conf_init(&c);
	ck_assert_int_eq(conf_load_file(&c, f, CONF_LAYER_USER, &e), 0);
	conf_free(&c);
}
END_TEST

START_TEST(file_checks)
{
	struct config	 c;
	struct mh_err	 e;
	const char	*f;
	char		 want[512];

	conf_init(&c);
	snprintf(want, sizeof(want), "%s/missing.conf", tdir);
	ck_assert_int_eq(conf_load_file(&c, want, CONF_LAYER_USER, &e), -1);
	ck_assert_int_eq(e.exit, EX_NOINPUT);
	ck_assert_ptr_nonnull(strstr(e.msg, "No such file"));
	ck_assert_int_eq(conf_load_file(&c, tdir, CONF_LAYER_USER, &e), -1);
	ck_assert_int_eq(e.exit, EX_NOINPUT);
	snprintf(want, sizeof(want), "%s: not a regular file", tdir);
	ck_assert_str_eq(e.msg, want);
	f = put("ww.conf", "[upstream]\nhost = x\n", 0666);
	ck_assert_int_eq(chmod(f, 0666), 0);
	ck_assert_int_eq(conf_load_file(&c, f, CONF_LAYER_USER, &e), -1);
	ck_assert_int_eq(e.exit, EX_CONFIG);
	snprintf(want, sizeof(want), "%s: refused: writable by group or "
	    "others (chmod go-w %s)", f, f);
	ck_assert_str_eq(e.msg, want);
	conf_free(&c);
}
END_TEST

START_TEST(load_explicit_and_env)
{
	struct config	 c;
	struct mh_err	 e;
	const char	*f;
	char		 want[512];

	f = put("x.conf", "[upstream]\nhost = cli.example\n", 0644);
	conf_init(&c);
	ck_assert_int_eq(conf_load(&c, f, 1, &e), 0);
	ck_assert_str_eq(DEF(c)->host, "cli.example");
	ck_assert_str_eq(c.explicit_path, f);
	ck_assert_uint_eq(c.nfiles, 1);
	conf_free(&c);
	setenv("MAILHOP_CONFIG", f, 1);
	conf_init(&c);
	ck_assert_int_eq(conf_load(&c, NULL, 0, &e), 0);
	ck_assert_str_eq(DEF(c)->host, "cli.example");
	ck_assert_str_eq(c.explicit_path, f);
	conf_free(&c);
	snprintf(want, sizeof(want), "%s/none.conf", tdir);
	setenv("MAILHOP_CONFIG", want, 1);
	conf_init(&c);
	ck_assert_int_eq(conf_load(&c, NULL, 0, &e), -1);
	ck_assert_int_eq(e.exit, EX_NOINPUT);
	conf_free(&c);
	/* -C wins over MAILHOP_CONFIG. */
	conf_init(&c);
	ck_assert_int_eq(conf_load(&c, f, 1, &e), 0);
	conf_free(&c);
}
END_TEST

START_TEST(load_explicit_owned_by_other)
{
	struct config	 c;
	struct mh_err	 e;
	const char	*f;
	char		 want[512];

	if (geteuid() != 0)
		return;		/* cannot give a file away: 0801 covers it */
	f = put("nobody.conf", "[upstream]\nhost = x\n", 0644);
	ck_assert_int_eq(chown(f, 65534, 65534), 0);
	conf_init(&c);
	ck_assert_int_eq(conf_load(&c, f, 1, &e), -1);
	ck_assert_int_eq(e.exit, EX_USAGE);
	snprintf(want, sizeof(want), "-C %s: refused: owned by uid 65534, "
	    "not by you or root", f);
	ck_assert_str_eq(e.msg, want);
	conf_free(&c);
	setenv("MAILHOP_CONFIG", f, 1);
	conf_init(&c);
	ck_assert_int_eq(conf_load(&c, NULL, 0, &e), -1);
	ck_assert_int_eq(e.exit, EX_USAGE);
	snprintf(want, sizeof(want), "MAILHOP_CONFIG=%s: refused: owned by "
	    "uid 65534, not by you or root", f);
	ck_assert_str_eq(e.msg, want);
	conf_free(&c);
	/* A default file owned by someone else is a config error (78). */
	ck_assert_int_eq(conf_load_file(&c, f, CONF_LAYER_USER, &e), -1);
	ck_assert_int_eq(e.exit, EX_CONFIG);
}
END_TEST

START_TEST(load_user_file)
{
	struct config	 c;
	struct mh_err	 e;
	const char	*f;
	char		 xdg[256];

	unsetenv("MAILHOP_CONFIG");
	f = put("xdg/mailhop/mailhop.conf", "[upstream]\nhost = user.example\n",
	    0600);
	snprintf(xdg, sizeof(xdg), "%s/xdg", tdir);
	setenv("XDG_CONFIG_HOME", xdg, 1);
	conf_init(&c);
	ck_assert_int_eq(conf_load(&c, NULL, 0, &e), 0);
	ck_assert_str_eq(DEF(c)->host, "user.example");
	ck_assert_uint_ge(c.nfiles, 1);
	ck_assert_str_eq(c.files[c.nfiles - 1], f);
	ck_assert_ptr_null(c.explicit_path);
	conf_free(&c);
	/* Without XDG_CONFIG_HOME: ~/.config/mailhop/mailhop.conf */
	unsetenv("XDG_CONFIG_HOME");
	setenv("HOME", tdir, 1);
	f = put(".config/mailhop/mailhop.conf", "[upstream]\nhost = h.example\n",
	    0600);
	conf_init(&c);
	ck_assert_int_eq(conf_load(&c, NULL, 0, &e), 0);
	ck_assert_str_eq(DEF(c)->host, "h.example");
	conf_free(&c);
}
END_TEST

/* The set-id helper's question: who set a key of the system's upstream? */
START_TEST(origins_and_layers)
{
	struct config			 c;
	struct mh_err			 e;
	const struct conf_origin	*o;
	const char			*sys, *usr, *key;
	char				 where[512], want[512];

	sys = put("sys.conf", "[upstream]\nhost = sys.example\n"
	    "password_file = /etc/mailhop/secret\n[upstream.mine]\n"
	    "host = mine.example\n[queue]\nmax_size = 1M\n", 0644);
	usr = put("usr.conf", "[upstream.mine]\nport = 2525\n[route]\n"
	    "*@me.example = mine\n[sender]\nfrom = me@me.example\n", 0600);
	conf_init(&c);
	ck_assert_int_eq(conf_load_file(&c, sys, CONF_LAYER_SYSTEM, &e), 0);
	ck_assert_ptr_null(conf_upstream_overridden(&c, DEF(c), &key));
	ck_assert_int_eq(conf_load_file(&c, usr, CONF_LAYER_USER, &e), 0);
	ck_assert_int_eq(conf_finish(&c, &e), 0);
	/* The user's own upstream and routes leave the system's alone. */
	ck_assert_ptr_null(conf_upstream_overridden(&c, DEF(c), &key));
	o = conf_upstream_overridden(&c, conf_upstream(&c, "mine"), &key);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(key, "port");
	ck_assert_int_eq(o->layer, CONF_LAYER_USER);
	conf_origin_format(o, where, sizeof(where));
	snprintf(want, sizeof(want), "%s:2", usr);
	ck_assert_str_eq(where, want);
	/* Every key knows its origin. */
	ck_assert_int_eq(DEF(c)->origin[0].layer, CONF_LAYER_SYSTEM);
	ck_assert_int_eq(DEF(c)->origin[0].line, 2);
	ck_assert_int_eq(DEF(c)->origin[1].layer, CONF_LAYER_DEFAULT);
	conf_origin_format(&DEF(c)->origin[1], where, sizeof(where));
	ck_assert_str_eq(where, "default");
	ck_assert_int_eq(c.routes[0].origin.layer, CONF_LAYER_USER);
	conf_free(&c);
	/* Any key of the system's upstream set elsewhere is reported. */
	usr = put("usr2.conf", "[upstream]\nhost = evil.example\n", 0600);
	conf_init(&c);
	ck_assert_int_eq(conf_load_file(&c, sys, CONF_LAYER_SYSTEM, &e), 0);
	ck_assert_int_eq(conf_load_file(&c, usr, CONF_LAYER_USER, &e), 0);
	o = conf_upstream_overridden(&c, DEF(c), &key);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(key, "host");
	ck_assert_int_eq(o->line, 2);
	conf_free(&c);
	/* So is a key emptied, or a password source replaced, elsewhere. */
	usr = put("usr3.conf", "[upstream]\npassword_command = echo x\n",
	    0600);
	conf_init(&c);
	ck_assert_int_eq(conf_load_file(&c, sys, CONF_LAYER_SYSTEM, &e), 0);
	ck_assert_int_eq(conf_load_file(&c, usr, CONF_LAYER_EXPLICIT, &e), 0);
	ck_assert_ptr_null(DEF(c)->password_file);
	o = conf_upstream_overridden(&c, DEF(c), &key);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(key, "password_file");
	ck_assert_int_eq(o->layer, CONF_LAYER_EXPLICIT);
	conf_free(&c);
	usr = put("usr4.conf", "[upstream]\nca_file =\n", 0600);
	conf_init(&c);
	ck_assert_int_eq(conf_load_file(&c, sys, CONF_LAYER_SYSTEM, &e), 0);
	ck_assert_int_eq(conf_load_file(&c, usr, CONF_LAYER_USER, &e), 0);
	ck_assert_ptr_nonnull(conf_upstream_overridden(&c, DEF(c), &key));
	ck_assert_str_eq(key, "ca_file");
	conf_free(&c);
}
END_TEST

/* Step by step, as the set-id helper runs it. */
START_TEST(load_step_by_step)
{
	struct config	 c;
	struct mh_err	 e;
	char		 xdg[256];

	unsetenv("MAILHOP_CONFIG");
	put("xdg/mailhop/mailhop.conf", "[upstream.u]\nhost = u.example\n",
	    0600);
	snprintf(xdg, sizeof(xdg), "%s/xdg", tdir);
	setenv("XDG_CONFIG_HOME", xdg, 1);
	conf_init(&c);
	ck_assert_int_eq(conf_load_system(&c, &e), 0);
	ck_assert_ptr_null(conf_upstream(&c, "u"));
	ck_assert_int_eq(conf_load_user(&c, &e), 0);
	ck_assert_int_eq(conf_load_env(&c, &e), 0);
	ck_assert_int_eq(conf_finish(&c, &e), 0);
	ck_assert_ptr_nonnull(conf_upstream(&c, "u"));
	ck_assert_int_eq(conf_upstream(&c, "u")->origin[0].layer,
	    CONF_LAYER_USER);
	ck_assert_ptr_null(conf_env_path());
	setenv("MAILHOP_CONFIG", "/x", 1);
	ck_assert_str_eq(conf_env_path(), "/x");
	setenv("MAILHOP_CONFIG", "", 1);
	ck_assert_ptr_null(conf_env_path());
	unsetenv("MAILHOP_CONFIG");
	unsetenv("XDG_CONFIG_HOME");
	conf_free(&c);
}
END_TEST

/* ---- print, domain ------------------------------------------------ */

START_TEST(print_masks_secrets)
{
	struct config	 c, back;
	struct buf	 b;
	struct mh_err	 e;
	const char	*f;
	char		 want[512];
	size_t		 n = 0;
	const char	*s;

	setenv("HOME", "/home/ann", 1);
	f = put("p.conf", every_key, 0600);
	conf_init(&c);
	ck_assert_int_eq(conf_load_file(&c, f, CONF_LAYER_USER, &e), 0);
	buf_init(&b, 0);
	ck_assert_int_eq(conf_print(&c, &b), 0);
	ck_assert_ptr_null(strstr(b.data, "semicolons"));
	ck_assert_ptr_null(strstr(b.data, "= tok"));
	snprintf(want, sizeof(want), "\npassword = ********  ; %s:10\n", f);
	ck_assert_ptr_nonnull(strstr(b.data, want));
	snprintf(want, sizeof(want), "\noauth_token = ********  ; %s:15\n",
	    f);
	ck_assert_ptr_nonnull(strstr(b.data, want));
	ck_assert_ptr_nonnull(strstr(b.data, f));
	snprintf(want, sizeof(want), "\nretry = 30s..2h  ; %s:27\n", f);
	ck_assert_ptr_nonnull(strstr(b.data, want));
	ck_assert_ptr_nonnull(strstr(b.data, "\nmax_size = 10M  ; "));
	ck_assert_ptr_nonnull(strstr(b.data, "\nbounce_sender = "
	    "bounces@example.com  ; "));
	snprintf(want, sizeof(want), "[aliases]\nroot = admin@example.com  ; "
	    "%s:22\ndefault = catch@example.com  ; %s:23\n", f, f);
	ck_assert_ptr_nonnull(strstr(b.data, want));
	ck_assert_ptr_nonnull(strstr(b.data, "\nclient_key = "
	    "/home/ann/key.pem  ; "));
	/* Every upstream, its defaults as such; the routes. */
	ck_assert_ptr_nonnull(strstr(b.data, "\n[upstream.backup]\nhost = "
	    "backup.example.net  ; "));
	ck_assert_ptr_nonnull(strstr(b.data, "\nrate = 100/h  ; "));
	ck_assert_ptr_nonnull(strstr(b.data, "\ndown_time = 5m  ; default\n"));
	snprintf(want, sizeof(want), "\n[route]\n*@example.org = backup, "
	    "default  ; %s:44\n", f);
	ck_assert_ptr_nonnull(strstr(b.data, want));
	for (s = b.data; (s = strstr(s, " =")) != NULL; s++)
		n++;
	/* 2 x 30 upstream keys + 17 others + 2 aliases + 1 route */
	ck_assert_uint_eq(n, 80);
	/* What it prints reads back (secrets aside). */
	conf_init(&back);
	ck_assert_int_eq(conf_load_buffer(&back, "printed", b.data, b.len, &e),
	    0);
	ck_assert_int_eq(conf_finish(&back, &e), 0);
	ck_assert_ptr_null(conf_delivery_error(&back));
	ck_assert_int_eq(back.retry_min, 30);
	ck_assert_uint_eq(back.max_header_size, 65536);
	ck_assert_str_eq(back.bounce_sender, "bounces@example.com");
	ck_assert_int_eq(DEF(back)->rate.count, 100);
	ck_assert_uint_eq(back.nroutes, 1);
	conf_free(&back);
	buf_free(&b);
	conf_free(&c);
}
END_TEST

START_TEST(print_defaults)
{
	struct config	 c;
	struct buf	 b;

	conf_init(&c);
	buf_init(&b, 0);
	ck_assert_int_eq(conf_print(&c, &b), 0);
	ck_assert_ptr_nonnull(strstr(b.data, "no configuration file"));
	ck_assert_ptr_nonnull(strstr(b.data, "\npassword =\n"));
	ck_assert_ptr_nonnull(strstr(b.data, "\nport = 587  ; default\n"));
	ck_assert_ptr_nonnull(strstr(b.data, "\nbounce_sender = <>  ; "
	    "default\n"));
	ck_assert_ptr_nonnull(strstr(b.data, "\nretry = 1m..1h  ; default\n"));
	ck_assert_ptr_nonnull(strstr(b.data, "\nmax_age = 5d  ; default\n"));
	ck_assert_ptr_nonnull(strstr(b.data, "\nmax_header_size = 1M  ; "
	    "default\n"));
	ck_assert_ptr_nonnull(strstr(b.data, "\ntimeout = 1m  ; default\n"));
	ck_assert_ptr_nonnull(strstr(b.data, "\n[route]\n; none: every sender "
	    "goes through [upstream]\n"));
	buf_free(&b);
	conf_free(&c);
}
END_TEST

START_TEST(domain_from_host)
{
	struct config	 c;
	const char	*d, *h;

	conf_init(&c);
	d = conf_domain(&c);
	h = upstream_helo(DEF(c));
	ck_assert_ptr_nonnull(d);
	ck_assert_uint_gt(strlen(d), 0);
	ck_assert_ptr_null(strpbrk(d, " \t\r\n@"));
	ck_assert_ptr_null(strpbrk(h, " \t\r\n@"));
	/* The domain is the FQDN less its first label, when it has one. */
	if (strchr(h, '.') != NULL)
		ck_assert_str_eq(d, strchr(h, '.') + 1);
	else
		ck_assert_str_eq(d, h);
	ck_assert_ptr_eq(conf_domain(&c), d);	/* cached */
	conf_free(&c);
}
END_TEST

/* ---- tests/data/conf: each bad file names its error --------------- */

/*
 * "; expect: ok", "; expect: LINE: message" (the load fails) or
 * "; expect delivery: LINE: message" (a delivery-only mistake: the load
 * succeeds and keeps it).
 */
static void
data_check_one(const char *dir, const char *name)
{
	char		 path[1400], line[512], want[2048];
	const char	*got, *expect;
	struct config	 c;
	struct mh_err	 e;
	FILE		*f;
	char		*nl;
	int		 rc, delivery;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	fclose(f);
	delivery = strncmp(line, "; expect delivery: ", 19) == 0;
	ck_assert_msg(delivery || strncmp(line, "; expect: ", 10) == 0,
	    "%s: no \"; expect:\" first line", name);
	expect = line + (delivery ? 19 : 10);
	nl = strchr(line, '\n');
	if (nl != NULL)
		*nl = '\0';
	conf_init(&c);
	mh_err_clear(&e);
	rc = conf_load_file(&c, path, CONF_LAYER_USER, &e);
	if (rc == 0)
		rc = conf_finish(&c, &e);
	got = rc == -1 ? e.msg : conf_delivery_error(&c) != NULL ?
	    conf_delivery_error(&c)->msg : "ok";
	if (strcmp(expect, "ok") == 0)
		snprintf(want, sizeof(want), "ok");
	else
		snprintf(want, sizeof(want), "%s:%s", path, expect);
	ck_assert_msg(strcmp(got, want) == 0 && (rc == -1) == (!delivery &&
	    strcmp(expect, "ok") != 0), "%s:\n got: %s (%s)\nwant: %s", name,
	    got, rc == -1 ? "load failed" : "loaded", want);
	if (rc == -1)
		ck_assert_int_eq(e.exit, EX_CONFIG);
	conf_free(&c);
}

START_TEST(data_files)
{
	const char	*base;
	char		 dir[1024];
	DIR		*d;
	struct dirent	*de;
	int		 n = 0;

	base = getenv("TESTDATA");
	snprintf(dir, sizeof(dir), "%s/conf", base != NULL ? base :
	    "tests/data");
	d = opendir(dir);
	ck_assert_msg(d != NULL, "%s: %s", dir, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if (strlen(de->d_name) < 6 || strcmp(de->d_name +
		    strlen(de->d_name) - 5, ".conf") != 0)
			continue;
		data_check_one(dir, de->d_name);
		n++;
	}
	closedir(d);
	ck_assert_int_ge(n, 20);
}
END_TEST

/* ---- secret.c ----------------------------------------------------- */

static int
secret_of(const char *conftext, char **out, struct mh_err *e)
{
	struct config	 c;
	int		 rc;

	conf_init(&c);
	expect_ok(&c, conftext);
	mh_err_clear(e);
	rc = secret_password(DEF(c), out, e);
	conf_free(&c);
	return rc;
}

START_TEST(secret_sources)
{
	struct mh_err	 e;
	char		*pw;
	char		 text[512];
	const char	*f;

	ck_assert_int_eq(secret_of("[upstream]\nhost = x\n", &pw, &e), 0);
	ck_assert_ptr_null(pw);
	ck_assert_int_eq(secret_of("[upstream]\npassword = direct\n", &pw, &e),
	    0);
	ck_assert_str_eq(pw, "direct");
	xfree_secret(pw);
	f = put("pw", "from-file\r\nsecond line\n", 0600);
	snprintf(text, sizeof(text), "[upstream]\npassword_file = %s\n", f);
	ck_assert_int_eq(secret_of(text, &pw, &e), 0);
	ck_assert_str_eq(pw, "from-file");
	xfree_secret(pw);
	ck_assert_int_eq(chmod(f, 0604), 0);
	ck_assert_int_eq(secret_of(text, &pw, &e), -1);
	ck_assert_int_eq(e.exit, EX_CONFIG);
	snprintf(text, sizeof(text), "password_file %s: readable by others "
	    "(chmod o-r %s)", f, f);
	ck_assert_str_eq(e.msg, text);
	f = put("empty", "\nx\n", 0600);
	snprintf(text, sizeof(text), "[upstream]\npassword_file = %s\n", f);
	ck_assert_int_eq(secret_of(text, &pw, &e), -1);
	ck_assert_int_eq(e.exit, EX_CONFIG);
	ck_assert_ptr_nonnull(strstr(e.msg, "the first line is empty"));
	snprintf(text, sizeof(text), "[upstream]\npassword_file = %s/nope\n",
	    tdir);
	ck_assert_int_eq(secret_of(text, &pw, &e), -1);
	ck_assert_int_eq(e.exit, EX_CONFIG);
	ck_assert_ptr_nonnull(strstr(e.msg, "No such file"));
}
END_TEST

/*
 * SPEC 8: owner root or the caller; writable by the owner only; readable
 * by the owner and the mailhop group only.  One message per way, naming
 * the file and the fix.
 */
START_TEST(secret_file_rules)
{
	struct mh_err	 e;
	char		*pw;
	char		 text[512], want[512];
	const char	*f;

	f = put("rules", "pw\n", 0600);
	snprintf(text, sizeof(text), "[upstream]\npassword_file = %s\n", f);
	ck_assert_int_eq(chmod(f, 0620), 0);
	ck_assert_int_eq(secret_of(text, &pw, &e), -1);
	snprintf(want, sizeof(want), "password_file %s: writable by group or "
	    "others (chmod go-w %s)", f, f);
	ck_assert_str_eq(e.msg, want);
	ck_assert_int_eq(chmod(f, 0602), 0);
	ck_assert_int_eq(secret_of(text, &pw, &e), -1);
	ck_assert_str_eq(e.msg, want);
	ck_assert_int_eq(chmod(f, 0640), 0);
	ck_assert_int_eq(secret_of(text, &pw, &e), -1);
	ck_assert_int_eq(e.exit, EX_CONFIG);
	/* The file's group is ours, not the mailhop group of paths.c. */
	ck_assert_ptr_nonnull(strstr(e.msg, ": readable by the group "));
	snprintf(want, sizeof(want), ", and only the group %s may read a "
	    "secret (chgrp %s %s, or chmod g-r %s)", paths_group, paths_group,
	    f, f);
	ck_assert_ptr_nonnull(strstr(e.msg, want));
	if (getuid() == 0) {
		ck_assert_int_eq(chmod(f, 0600), 0);
		ck_assert_int_eq(chown(f, 1, (gid_t)-1), 0);
		ck_assert_int_eq(secret_of(text, &pw, &e), -1);
		snprintf(want, sizeof(want), "password_file %s: owned by uid 1, "
		    "not root (chown root %s)", f, f);
		ck_assert_str_eq(e.msg, want);
	}
}
END_TEST

START_TEST(secret_command)
{
	struct mh_err	 e;
	char		*pw;

	ck_assert_int_eq(secret_of("[upstream]\npassword_command = printf "
	    "'pw\\nmore\\n'\n", &pw, &e), 0);
	ck_assert_str_eq(pw, "pw");
	xfree_secret(pw);
	ck_assert_int_eq(secret_of("[upstream]\npassword_command = printf "
	    "'crlf\\r\\n'\n", &pw, &e), 0);
	ck_assert_str_eq(pw, "crlf");
	xfree_secret(pw);
	ck_assert_int_eq(secret_of("[upstream]\npassword_command = printf "
	    "no-newline\n", &pw, &e), 0);
	ck_assert_str_eq(pw, "no-newline");
	xfree_secret(pw);
	ck_assert_int_eq(secret_of("[upstream]\npassword_command = echo pw; "
	    "exit 3\n", &pw, &e), -1);
	ck_assert_ptr_null(pw);
	ck_assert_int_eq(e.exit, EX_TEMPFAIL);
	ck_assert_str_eq(e.msg, "password_command failed (exit 3)");
	ck_assert_int_eq(secret_of("[upstream]\npassword_command = true\n",
	    &pw, &e), -1);
	ck_assert_int_eq(e.exit, EX_TEMPFAIL);
	ck_assert_str_eq(e.msg, "password_command printed nothing");
	ck_assert_int_eq(secret_of("[upstream]\npassword_command = kill -TERM "
	    "$$\n", &pw, &e), -1);
	ck_assert_str_eq(e.msg, "password_command killed by signal 15");
	/* stdin is /dev/null, not the message being sent. */
	ck_assert_int_eq(secret_of("[upstream]\npassword_command = cat; "
	    "echo after-eof\n", &pw, &e), 0);
	ck_assert_str_eq(pw, "after-eof");
	xfree_secret(pw);
}
END_TEST

START_TEST(secret_command_timeout)
{
	struct mh_err	 e;
	char		*pw;
	time_t		 t0;

	t0 = time(NULL);
	ck_assert_int_eq(secret_of("[upstream]\ntimeout = 1\n"
	    "password_command = sleep 30; echo late\n", &pw, &e), -1);
	ck_assert_int_le(time(NULL) - t0, 5);
	ck_assert_int_eq(e.exit, EX_TEMPFAIL);
	ck_assert_str_eq(e.msg, "password_command timed out after 1s "
	    "(killed)");
}
END_TEST

START_TEST(secret_command_environment)
{
	struct config	 c;
	struct mh_err	 e;
	char		*pw, *tok, text[512], buf[8192];
	const char	*envf;
	FILE		*f;
	size_t		 n;
	int		 fd;

	envf = put("env.out", "", 0600);
	fd = dup(0);
	ck_assert_int_ge(fd, 3);
	snprintf(text, sizeof(text), "[upstream]\noauth_token = tok-SECRET-1\n"
	    "password_command = env > %s; test -e /proc/$$/fd/%d && "
	    "echo leaked || echo clean\n", envf, fd);
	conf_init(&c);
	expect_ok(&c, text);
	ck_assert_int_eq(secret_password(DEF(c), &pw, &e), 0);
	/* No descriptor of ours reaches the command. */
	ck_assert_str_eq(pw, "clean");
	xfree_secret(pw);
	close(fd);
	f = fopen(envf, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	ck_assert_uint_gt(n, 0);
	ck_assert_ptr_null(strstr(buf, "tok-SECRET-1"));
	ck_assert_int_eq(secret_oauth_token(DEF(c), &tok, &e), 0);
	ck_assert_str_eq(tok, "tok-SECRET-1");
	xfree_secret(tok);
	conf_free(&c);
	conf_init(&c);
	expect_ok(&c, "[upstream]\noauth_token_command = echo tok2\n");
	ck_assert_int_eq(secret_oauth_token(DEF(c), &tok, &e), 0);
	ck_assert_str_eq(tok, "tok2");
	xfree_secret(tok);
	ck_assert_int_eq(secret_password(DEF(c), &pw, &e), 0);
	ck_assert_ptr_null(pw);
	conf_free(&c);
}
END_TEST

Suite *
suite(void)
{
	Suite	*s = suite_create("conf");
	TCase	*tc;

	tc = tcase_create("values");
	tcase_add_test(tc, durations);
	tcase_add_test(tc, sizes);
	tcase_add_test(tc, booleans);
	tcase_add_test(tc, retries);
	tcase_add_test(tc, rates);
	suite_add_tcase(s, tc);

	tc = tcase_create("keys");
	tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_add_test(tc, defaults);
	tcase_add_test(tc, every_key_set);
	tcase_add_test(tc, enums_and_ports);
	tcase_add_test(tc, bounce_sender_null);
	tcase_add_test(tc, empty_value_restores_default);
	tcase_add_test(tc, paths_expand_home);
	tcase_add_test(tc, error_unknown_key);
	tcase_add_test(tc, error_unknown_section);
	tcase_add_test(tc, error_syntax);
	tcase_add_test(tc, error_bad_values);
	tcase_add_test(tc, error_host_port);
	tcase_add_test(tc, error_long_value_is_cut_in_message);
	tcase_add_test(tc, error_duplicates);
	tcase_add_test(tc, error_control_characters);
	tcase_add_test(tc, line_limit);
	tcase_add_test(tc, crlf_and_bom);
	tcase_add_test(tc, inline_comments);
	tcase_add_test(tc, continuation_lines);
	tcase_add_test(tc, delivery_errors_are_kept);
	tcase_add_test(tc, upstream_sections);
	tcase_add_test(tc, set_one_key);
	suite_add_tcase(s, tc);

	tc = tcase_create("files");
	tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_add_test(tc, layering_key_by_key);
	tcase_add_test(tc, secret_needs_private_file);
	tcase_add_test(tc, file_checks);
	tcase_add_test(tc, load_explicit_and_env);
	tcase_add_test(tc, load_explicit_owned_by_other);
	tcase_add_test(tc, load_user_file);
	tcase_add_test(tc, origins_and_layers);
	tcase_add_test(tc, load_step_by_step);
	tcase_add_test(tc, print_masks_secrets);
	tcase_add_test(tc, print_defaults);
	tcase_add_test(tc, domain_from_host);
	tcase_add_test(tc, data_files);
	suite_add_tcase(s, tc);

	tc = tcase_create("secrets");
	tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, secret_sources);
	tcase_add_test(tc, secret_file_rules);
	tcase_add_test(tc, secret_command);
	tcase_add_test(tc, secret_command_timeout);
	tcase_add_test(tc, secret_command_environment);
	suite_add_tcase(s, tc);
	return s;
}
