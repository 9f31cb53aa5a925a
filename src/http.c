/* SPDX-License-Identifier: MIT */
/*
 * http.c - one HTTPS POST over libcurl for the OAuth2 endpoints.  The
 * request body holds refresh tokens and client secrets, so nothing here
 * prints or logs it; errors name the endpoint's host and what failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "buf.h"
#include "err.h"
#include "http.h"

static int
http_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

void
http_url_escape(struct buf *b, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;

	for (p = (const unsigned char *)value; *p != '\0'; p++) {
		if (http_unreserved(*p)) {
			buf_addc(b, *p);
			continue;
		}
		buf_addc(b, '%');
		buf_addc(b, hex[*p >> 4]);
		buf_addc(b, hex[*p & 15]);
	}
}

void
http_form_add(struct buf *b, const char *key, const char *value)
{
	if (b->len > 0)
		buf_addc(b, '&');
	http_url_escape(b, key);
	buf_addc(b, '=');
	http_url_escape(b, value);
}

void
http_form_wipe(struct buf *b)
{
	if (b->data != NULL)
		explicit_bzero(b->data, b->cap);
	buf_free(b);
}

static size_t
http_cb_write(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct http_resp *resp = arg;

	if (buf_add(&resp->body, ptr, size * nmemb) == -1)
		return 0;	/* over the cap: libcurl aborts the transfer */
	return size * nmemb;
}

static int
http_setopts(CURL *e, const char *url, const char *ca_file, long timeout,
    const struct buf *form, struct http_resp *resp, char *errbuf,
    struct curl_slist *hdrs)
{
	int	 bad = 0;

	bad |= curl_easy_setopt(e, CURLOPT_URL, url);
	bad |= curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https");
	bad |= curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	bad |= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	/* TLS 1.2 at least, whatever the system's OpenSSL policy (relay.c). */
	bad |= curl_easy_setopt(e, CURLOPT_SSLVERSION,
	    (long)CURL_SSLVERSION_TLSv1_2);
	bad |= curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	bad |= curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	if (ca_file != NULL && *ca_file != '\0')
		bad |= curl_easy_setopt(e, CURLOPT_CAINFO, ca_file);
	bad |= curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, timeout);
	bad |= curl_easy_setopt(e, CURLOPT_TIMEOUT, timeout);
	bad |= curl_easy_setopt(e, CURLOPT_POST, 1L);
	bad |= curl_easy_setopt(e, CURLOPT_POSTFIELDS, form->data != NULL ?
	    form->data : "");
	bad |= curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)form->len);
	bad |= curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
	bad |= curl_easy_setopt(e, CURLOPT_USERAGENT, PACKAGE_NAME "/"
	    PACKAGE_VERSION);
	bad |= curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, http_cb_write);
	bad |= curl_easy_setopt(e, CURLOPT_WRITEDATA, resp);
	bad |= curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
	return bad ? -1 : 0;
}

static int
http_failed(const char *what, CURLcode rc, const char *errbuf, long timeout,
    const struct http_resp *resp, struct mh_err *err)
{
	const char	*detail = errbuf[0] ? errbuf : curl_easy_strerror(rc);

	if (rc == CURLE_OPERATION_TIMEDOUT) {
		mh_err_set(err, EX_TEMPFAIL, "%s: timed out after %lds", what,
		    timeout);
		return mh_err_because(err, MH_REASON_UNREACHABLE);
	}
	if (rc == CURLE_WRITE_ERROR && resp->body.len >= HTTP_BODY_MAX)
		return mh_err_set(err, EX_TEMPFAIL, "%s: the answer is over "
		    "%d KB", what, HTTP_BODY_MAX / 1024);
	if (rc == CURLE_PEER_FAILED_VERIFICATION ||
	    rc == CURLE_SSL_CONNECT_ERROR || rc == CURLE_SSL_CACERT_BADFILE ||
	    rc == CURLE_SSL_CERTPROBLEM)
		return mh_err_set(err, EX_TEMPFAIL, "%s: TLS: %s", what,
		    detail);
	mh_err_set(err, EX_TEMPFAIL, "%s: %s", what, detail);
	if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
	    rc == CURLE_GOT_NOTHING || rc == CURLE_RECV_ERROR ||
	    rc == CURLE_SEND_ERROR)
		return mh_err_because(err, MH_REASON_UNREACHABLE);
	return -1;
}

int
http_post_form(const char *what, const char *url, const char *ca_file,
    long timeout, const struct buf *form, struct http_resp *resp,
    struct mh_err *err)
{
	static int	 curl_ready;
	struct curl_slist *hdrs = NULL, *h;
	char		 errbuf[CURL_ERROR_SIZE];
	const char	*ctype = NULL;
	CURLcode	 rc;
	CURL		*e;
	int		 ret = -1;

	memset(resp, 0, sizeof(*resp));
	buf_init(&resp->body, HTTP_BODY_MAX);
	if (url == NULL || strncasecmp(url, "https://", 8) != 0)
		return mh_err_set(err, EX_CONFIG, "%s \"%s\": only https:// "
		    "URLs are used", what, url != NULL ? url : "");
	if (!curl_ready && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return mh_err_set(err, EX_SOFTWARE, "libcurl: cannot start");
	curl_ready = 1;
	if ((e = curl_easy_init()) == NULL)
		return mh_err_set(err, EX_SOFTWARE, "libcurl: cannot start");
	errbuf[0] = '\0';
	h = curl_slist_append(NULL, "Accept: application/json");
	if (h != NULL)
		hdrs = curl_slist_append(h, "Content-Type: "
		    "application/x-www-form-urlencoded");
	if (hdrs == NULL) {
		curl_slist_free_all(h);
		mh_err_set(err, EX_SOFTWARE, "libcurl: out of memory");
		goto done;
	}
	if (http_setopts(e, url, ca_file, timeout, form, resp, errbuf,
	    hdrs) == -1) {
		mh_err_set(err, EX_SOFTWARE, "libcurl: an option was refused "
		    "(built without HTTPS?)");
		goto done;
	}
	rc = curl_easy_perform(e);
	if (rc != CURLE_OK) {
		http_failed(what, rc, errbuf, timeout, resp, err);
		goto done;
	}
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &resp->status);
	curl_easy_getinfo(e, CURLINFO_CONTENT_TYPE, &ctype);
	snprintf(resp->ctype, sizeof(resp->ctype), "%s", ctype != NULL ?
	    ctype : "");
	ret = 0;
done:
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(e);
	return ret;
}

void
http_resp_free(struct http_resp *resp)
{
	if (resp->body.data != NULL)
		explicit_bzero(resp->body.data, resp->body.cap);
	buf_free(&resp->body);
}
