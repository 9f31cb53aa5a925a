/* SPDX-License-Identifier: MIT */
/*
 * t_oauth.c - oauth.c and http.c without a network: presets, the token
 * endpoint's JSON, the access-token cache, the refresh-token file, form
 * encoding.  The HTTPS exchanges themselves are tested end to end against
 * tests/oauthd (tests/t/05xx).
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "http.h"
#include "oauth.h"
#include "oauth_login.h"
#include "unit.h"

static char	 tmpdir[] = "/tmp/t_oauth.XXXXXX";

static void
setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void
teardown(void)
{
	char	 cmd[64];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
	memcpy(tmpdir + strlen(tmpdir) - 6, "XXXXXX", 6);
}

static struct upstream
conf(enum conf_oauth p)
{
	struct upstream	 c;

	memset(&c, 0, sizeof(c));
	c.name = (char *)"work";
	c.oauth_provider = p;
	c.oauth_client_id = (char *)"cid-1";
	c.oauth_refresh_token_file = (char *)"/nonexistent/rt";
	c.timeout = 5;
	return c;
}

/* A fake HTTP answer. */
static struct http_resp
resp(long status, const char *ctype, const char *body)
{
	struct http_resp r;

	memset(&r, 0, sizeof(r));
	r.status = status;
	snprintf(r.ctype, sizeof(r.ctype), "%s", ctype);
	buf_init(&r.body, 0);
	buf_adds(&r.body, body);
	return r;
}

/* ---- presets ---- */

START_TEST(enabled_and_ca_file)
{
	struct upstream c = conf(CONF_OAUTH_NONE);

	ck_assert_int_eq(oauth_enabled(&c), 0);
	c.oauth_provider = CONF_OAUTH_GOOGLE;
	ck_assert_int_eq(oauth_enabled(&c), 1);
	ck_assert_ptr_null(oauth_ca_file(&c));
	c.ca_file = (char *)"/smtp-ca.pem";
	ck_assert_str_eq(oauth_ca_file(&c), "/smtp-ca.pem");
	c.oauth_ca_file = (char *)"/idp-ca.pem";
	ck_assert_str_eq(oauth_ca_file(&c), "/idp-ca.pem");
}
END_TEST

START_TEST(preset_microsoft)
{
	struct upstream c = conf(CONF_OAUTH_MICROSOFT);
	struct oauth_endpoints ep;
	struct mh_err	 err;

	ck_assert_int_eq(oauth_endpoints_get(&c, &ep, &err), 0);
	ck_assert_str_eq(ep.token_url,
	    "https://login.microsoftonline.com/common/oauth2/v2.0/token");
	ck_assert_str_eq(ep.device_url,
	    "https://login.microsoftonline.com/common/oauth2/v2.0/devicecode");
	ck_assert_str_eq(ep.authorize_url,
	    "https://login.microsoftonline.com/common/oauth2/v2.0/authorize");
	ck_assert_str_eq(ep.scope,
	    "https://outlook.office.com/SMTP.Send offline_access");
	oauth_endpoints_free(&ep);
	c.oauth_tenant = (char *)"contoso.onmicrosoft.com";
	c.oauth_scope = (char *)"https://outlook.office.com/SMTP.Send";
	ck_assert_int_eq(oauth_endpoints_get(&c, &ep, &err), 0);
	ck_assert_str_eq(ep.token_url, "https://login.microsoftonline.com/"
	    "contoso.onmicrosoft.com/oauth2/v2.0/token");
	ck_assert_str_eq(ep.scope, "https://outlook.office.com/SMTP.Send");
	oauth_endpoints_free(&ep);
	c.oauth_tenant = (char *)"../evil";
	ck_assert_int_eq(oauth_endpoints_get(&c, &ep, &err), -1);
	ck_assert_int_eq(err.exit, EX_CONFIG);
	ck_assert_ptr_nonnull(strstr(err.msg, "oauth_tenant"));
}
END_TEST

START_TEST(preset_google_has_no_device_grant)
{
	struct upstream c = conf(CONF_OAUTH_GOOGLE);
	struct oauth_endpoints ep;
	struct mh_err	 err;

	ck_assert_int_eq(oauth_endpoints_get(&c, &ep, &err), 0);
	ck_assert_str_eq(ep.token_url, "https://oauth2.googleapis.com/token");
	ck_assert_ptr_null(ep.device_url);
	ck_assert_str_eq(ep.authorize_url,
	    "https://accounts.google.com/o/oauth2/v2/auth");
	ck_assert_str_eq(ep.scope, "https://mail.google.com/");
	oauth_endpoints_free(&ep);
	c.oauth_token_url = (char *)"https://127.0.0.1:1/token";
	ck_assert_int_eq(oauth_endpoints_get(&c, &ep, &err), 0);
	ck_assert_str_eq(ep.token_url, "https://127.0.0.1:1/token");
	oauth_endpoints_free(&ep);
}
END_TEST

START_TEST(preset_custom_and_missing_keys)
{
	struct upstream c = conf(CONF_OAUTH_CUSTOM);
	struct oauth_endpoints ep;
	struct mh_err	 err;

	ck_assert_int_eq(oauth_endpoints_get(&c, &ep, &err), -1);
	ck_assert_str_eq(err.msg, "[upstream work]: oauth_provider = custom "
	    "needs oauth_token_url");
	c.oauth_token_url = (char *)"https://idp.example/token";
	ck_assert_int_eq(oauth_endpoints_get(&c, &ep, &err), 0);
	ck_assert_ptr_null(ep.device_url);
	ck_assert_ptr_null(ep.scope);
	oauth_endpoints_free(&ep);
	c.oauth_client_id = NULL;
	ck_assert_int_eq(oauth_endpoints_get(&c, &ep, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "needs oauth_client_id"));
	c.oauth_client_id = (char *)"x";
	c.oauth_refresh_token_file = (char *)"";
	ck_assert_int_eq(oauth_endpoints_get(&c, &ep, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "needs oauth_refresh_token_file"));
}
END_TEST

/* ---- the token endpoint's JSON ---- */

START_TEST(token_success)
{
	struct http_resp r = resp(200, "application/json",
	    "{\"token_type\":\"Bearer\",\"expires_in\":3599,"
	    "\"access_token\":\"eyJ0.eyJ1-_x.sig\",\"refresh_token\":\"M.R3_x\"}");
	struct oauth_answer a;
	struct mh_err	 err;

	ck_assert_int_eq(oauth_parse_token("t", &r, &a, &err), 0);
	ck_assert_str_eq(a.error, "");
	ck_assert_str_eq(a.access_token, "eyJ0.eyJ1-_x.sig");
	ck_assert_str_eq(a.refresh_token, "M.R3_x");
	ck_assert_int_eq(a.expires_in, 3599);
	oauth_answer_free(&a);
	http_resp_free(&r);
}
END_TEST

START_TEST(token_expires_forms)
{
	struct http_resp r = resp(200, "application/json",
	    "{\"access_token\":\"a\",\"expires_in\":\"3600\"}");
	struct http_resp r2 = resp(200, "application/json",
	    "{\"access_token\":\"a\"}");
	struct oauth_answer a;
	struct mh_err	 err;

	ck_assert_int_eq(oauth_parse_token("t", &r, &a, &err), 0);
	ck_assert_int_eq(a.expires_in, 3600);
	ck_assert_ptr_null(a.refresh_token);
	oauth_answer_free(&a);
	ck_assert_int_eq(oauth_parse_token("t", &r2, &a, &err), 0);
	ck_assert_int_eq(a.expires_in, -1);
	oauth_answer_free(&a);
	http_resp_free(&r);
	http_resp_free(&r2);
}
END_TEST

START_TEST(token_error_object)
{
	struct http_resp r = resp(400, "application/json",
	    "{\"error\":\"invalid_grant\",\"error_description\":"
	    "\"AADSTS70008: expired\\r\\nX-Injected: 1\"}");
	struct oauth_answer a;
	struct mh_err	 err;

	ck_assert_int_eq(oauth_parse_token("t", &r, &a, &err), 0);
	ck_assert_str_eq(a.error, "invalid_grant");
	ck_assert_str_eq(a.description, "AADSTS70008: expired??X-Injected: 1");
	ck_assert_ptr_null(a.access_token);
	oauth_answer_free(&a);
	http_resp_free(&r);
}
END_TEST

static void
check_bad(long status, const char *ctype, const char *body, const char *msg)
{
	struct http_resp r = resp(status, ctype, body);
	struct oauth_answer a;
	struct mh_err	 err;

	ck_assert_int_eq(oauth_parse_token("token endpoint x", &r, &a, &err),
	    -1);
	ck_assert_int_eq(err.exit, EX_TEMPFAIL);
	ck_assert_str_eq(err.msg, msg);
	ck_assert_ptr_null(a.access_token);
	http_resp_free(&r);
}

START_TEST(token_malformed)
{
	check_bad(200, "application/json", "{\"access_token\": \"at-x\", ",
	    "token endpoint x: the answer is not a JSON object (HTTP 200, "
	    "application/json)");
	check_bad(200, "text/html", "<html>login</html>",
	    "token endpoint x: the answer is not a JSON object (HTTP 200, "
	    "text/html)");
	check_bad(200, "application/json", "[\"access_token\"]",
	    "token endpoint x: the answer is not a JSON object (HTTP 200, "
	    "application/json)");
	check_bad(200, "application/json", "{\"access_token\":\"a\"} x",
	    "token endpoint x: the answer is not a JSON object (HTTP 200, "
	    "application/json)");
	check_bad(200, "", "", "token endpoint x: the answer is not a JSON "
	    "object (HTTP 200, no content type)");
	check_bad(500, "text/plain", "internal error\n",
	    "token endpoint x: HTTP 500");
	check_bad(503, "application/json", "{\"status\":\"down\"}",
	    "token endpoint x: HTTP 503");
	check_bad(200, "application/json", "{\"token_type\":\"Bearer\"}",
	    "token endpoint x: no access_token in the answer");
	check_bad(200, "application/json", "{\"access_token\":42}",
	    "token endpoint x: no access_token in the answer");
}
END_TEST

START_TEST(token_hostile_characters)
{
	const char *msg = "token endpoint x: a token in the answer has "
	    "characters no token has (refused)";

	check_bad(200, "application/json",
	    "{\"access_token\":\"a\\u0001auth=Bearer x\"}", msg);
	check_bad(200, "application/json", "{\"access_token\":\"a b\"}", msg);
	check_bad(200, "application/json", "{\"access_token\":\"\"}", msg);
	check_bad(200, "application/json",
	    "{\"access_token\":\"a\",\"refresh_token\":\"r\\nx\"}", msg);
}
END_TEST

START_TEST(device_answer)
{
	struct http_resp r = resp(200, "application/json",
	    "{\"device_code\":\"DC\",\"user_code\":\"ABCD-1234\","
	    "\"verification_url\":\"https://www.google.com/device\","
	    "\"expires_in\":1800,\"message\":\"Go\\u0007 there\"}");
	struct http_resp r2 = resp(400, "application/json",
	    "{\"error\":\"invalid_scope\"}");
	struct oauth_device d;
	struct mh_err	 err;

	ck_assert_int_eq(oauth_parse_device("d", &r, &d, &err), 0);
	ck_assert_str_eq(d.device_code, "DC");
	ck_assert_str_eq(d.user_code, "ABCD-1234");
	ck_assert_str_eq(d.verification_uri, "https://www.google.com/device");
	ck_assert_ptr_null(d.verification_uri_complete);
	ck_assert_str_eq(d.message, "Go? there");
	ck_assert_int_eq(d.interval, 5);
	ck_assert_int_eq(d.expires_in, 1800);
	oauth_device_free(&d);
	ck_assert_int_eq(oauth_parse_device("d", &r2, &d, &err), -1);
	ck_assert_str_eq(err.msg, "d: invalid_scope");
	http_resp_free(&r);
	http_resp_free(&r2);
}
END_TEST

/* ---- the cache ---- */

START_TEST(cache_roundtrip)
{
	struct oauth_endpoints ep = { "https://t/token", NULL, NULL, "s" };
	char		 key[65], key2[65], *tok;
	struct mh_err	 err;
	struct stat	 st;
	time_t		 now = 1000000;
	int		 fd;

	fd = open(tmpdir, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(fd, 0);
	oauth_cache_key(&ep, "cid", "rt-1", key);
	oauth_cache_key(&ep, "cid", "rt-2", key2);
	ck_assert_int_eq(strlen(key), 64);
	ck_assert_str_ne(key, key2);
	ck_assert_int_eq(oauth_cache_read(fd, "c", key, now, &tok), 1);
	ck_assert_int_eq(oauth_cache_write(fd, "c", key, "at-1", now + 3600,
	    &err), 0);
	ck_assert_int_eq(fstatat(fd, "c", &st, 0), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(oauth_cache_read(fd, "c", key, now, &tok), 0);
	ck_assert_str_eq(tok, "at-1");
	free(tok);
	/* A minute before it expires, it is not used any more. */
	ck_assert_int_eq(oauth_cache_read(fd, "c", key, now + 3539, &tok), 0);
	free(tok);
	ck_assert_int_eq(oauth_cache_read(fd, "c", key, now + 3540, &tok), 1);
	ck_assert_ptr_null(tok);
	/* Another refresh token (a new login), another key: a miss. */
	ck_assert_int_eq(oauth_cache_read(fd, "c", key2, now, &tok), 1);
	close(fd);
}
END_TEST

START_TEST(cache_damaged)
{
	char		 key[65], path[64], *tok;
	struct oauth_endpoints ep = { "https://t/token", NULL, NULL, NULL };
	FILE		*f;
	int		 fd;

	oauth_cache_key(&ep, "cid", "rt", key);
	fd = open(tmpdir, O_RDONLY | O_DIRECTORY);
	snprintf(path, sizeof(path), "%s/c", tmpdir);
	f = fopen(path, "w");
	fprintf(f, "mailhop-oauth-cache 1\nkey %s\nexpires 99999999999\n"
	    "token at\x01x\n", key);
	fclose(f);
	ck_assert_int_eq(oauth_cache_read(fd, "c", key, 0, &tok), 1);
	f = fopen(path, "w");
	fprintf(f, "mailhop-oauth-cache 1\nkey %s\nexpires 9x\ntoken at\n",
	    key);
	fclose(f);
	ck_assert_int_eq(oauth_cache_read(fd, "c", key, 0, &tok), 1);
	f = fopen(path, "w");
	fprintf(f, "mailhop-oauth-cache 1\nkey %s\nexpires 99999999999\n"
	    "token at\nextra 1\n", key);
	fclose(f);
	ck_assert_int_eq(oauth_cache_read(fd, "c", key, 0, &tok), 1);
	close(fd);
}
END_TEST

/* ---- the refresh-token file ---- */

static int
count_entries(const char *dir)
{
	struct dirent	*de;
	DIR		*d = opendir(dir);
	int		 n = 0;

	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.' || strncmp(de->d_name, ".rt", 3) == 0;
	closedir(d);
	return n;
}

START_TEST(refresh_save)
{
	char		 path[300], dir[200], line[64];
	struct mh_err	 err;
	struct stat	 st;
	FILE		*f;

	snprintf(dir, sizeof(dir), "%s/new/dir", tmpdir);
	snprintf(path, sizeof(path), "%s/rt", dir);
	ck_assert_int_eq(oauth_refresh_save(path, "rt-1", &err), 0);
	ck_assert_int_eq(stat(dir, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0700);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(oauth_refresh_save(path, "rt-2", &err), 0);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	ck_assert_str_eq(line, "rt-2\n");
	ck_assert_ptr_null(fgets(line, sizeof(line), f));
	fclose(f);
	ck_assert_int_eq(count_entries(dir), 1);
	snprintf(path, sizeof(path), "%s/", dir);
	ck_assert_int_eq(oauth_refresh_save(path, "x", &err), -1);
	ck_assert_int_eq(err.exit, EX_CONFIG);
}
END_TEST

START_TEST(missing_refresh_token_says_login)
{
	struct upstream c = conf(CONF_OAUTH_MICROSOFT);
	struct oauth	*oa;
	struct mh_err	 err;
	char		*tok;
	int		 fd, cached;

	fd = open(tmpdir, O_RDONLY | O_DIRECTORY);
	oa = oauth_new(&c, fd, &err);
	ck_assert_ptr_nonnull(oa);
	ck_assert_int_eq(oauth_access_token(oa, NULL, &tok, &cached, &err), -1);
	ck_assert_int_eq(err.exit, EX_TEMPFAIL);
	ck_assert_str_eq(err.msg, "[upstream work]: no refresh token yet "
	    "(/nonexistent/rt does not exist): run `mailhop oauth login work`");
	oauth_free(oa);
	close(fd);
}
END_TEST

/* ---- http.c ---- */

START_TEST(form_encoding)
{
	struct buf	 b;

	buf_init(&b, 0);
	http_form_add(&b, "grant_type", "refresh_token");
	http_form_add(&b, "scope", "https://outlook.office.com/SMTP.Send "
	    "offline_access");
	http_form_add(&b, "x", "a&b=c+d%~._-");
	ck_assert_str_eq(b.data, "grant_type=refresh_token&scope=https%3A%2F%2F"
	    "outlook.office.com%2FSMTP.Send%20offline_access&"
	    "x=a%26b%3Dc%2Bd%25~._-");
	http_form_wipe(&b);
	ck_assert_ptr_null(b.data);
}
END_TEST

START_TEST(http_only_https)
{
	struct http_resp r;
	struct buf	 form;
	struct mh_err	 err;

	buf_init(&form, 0);
	ck_assert_int_eq(http_post_form("token endpoint", "http://127.0.0.1:9/t",
	    NULL, 5, &form, &r, &err), -1);
	ck_assert_int_eq(err.exit, EX_CONFIG);
	ck_assert_str_eq(err.msg, "token endpoint \"http://127.0.0.1:9/t\": "
	    "only https:// URLs are used");
	http_resp_free(&r);
}
END_TEST

/* ---- oauth_login.c ---- */

START_TEST(pkce_rfc7636_vector)
{
	char	 ch[44];

	/* RFC 7636, Appendix B. */
	oauth_pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", ch);
	ck_assert_str_eq(ch, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}
END_TEST

START_TEST(base64url)
{
	static const unsigned char b[] = { 0xfb, 0xff, 0xbf, 0x00, 0x10 };
	char	 out[16];

	oauth_base64url(b, 3, out);
	ck_assert_str_eq(out, "-_-_");
	oauth_base64url(b, 4, out);
	ck_assert_str_eq(out, "-_-_AA");
	oauth_base64url(b, 5, out);
	ck_assert_str_eq(out, "-_-_ABA");
	oauth_base64url(b, 0, out);
	ck_assert_str_eq(out, "");
}
END_TEST

Suite *
suite(void)
{
	Suite	*s = suite_create("oauth");
	TCase	*tc = tcase_create("oauth");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, enabled_and_ca_file);
	tcase_add_test(tc, preset_microsoft);
	tcase_add_test(tc, preset_google_has_no_device_grant);
	tcase_add_test(tc, preset_custom_and_missing_keys);
	tcase_add_test(tc, token_success);
	tcase_add_test(tc, token_expires_forms);
	tcase_add_test(tc, token_error_object);
	tcase_add_test(tc, token_malformed);
	tcase_add_test(tc, token_hostile_characters);
	tcase_add_test(tc, device_answer);
	tcase_add_test(tc, cache_roundtrip);
	tcase_add_test(tc, cache_damaged);
	tcase_add_test(tc, refresh_save);
	tcase_add_test(tc, missing_refresh_token_says_login);
	tcase_add_test(tc, form_encoding);
	tcase_add_test(tc, http_only_https);
	tcase_add_test(tc, pkce_rfc7636_vector);
	tcase_add_test(tc, base64url);
	suite_add_tcase(s, tc);
	return s;
}
