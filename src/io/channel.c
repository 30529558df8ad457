/*
 * channel.c - email over SMTP and SMS through an HTTP gateway, both by
 * libcurl (channel.h).  Each call is one attempt with its own handle: the
 * outbox's sender calls it from one thread at a time per message.  Never
 * logs a message's text; errors name the server's answer.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>

#include "hk/channel.h"
#include "hk/tmpl.h"
#include "hk/types.h"

/* curl_global_init is not thread-safe: once, before the first handle. */
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_setup(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* ---- email ----------------------------------------------------------- */

/* RFC 2047: non-ASCII header text as =?UTF-8?B?…?= words. */
static void header_text(struct hk_text *out, const char *s)
{
	bool ascii = true;

	for (const char *p = s; *p; p++)
		if ((unsigned char)*p >= 0x80)
			ascii = false;
	if (ascii) {
		hk_text_add(out, s, strlen(s));
		return;
	}
	/* words of at most 45 bytes of UTF-8 (60 of base64), cut between
	 * characters */
	for (size_t i = 0, n = strlen(s); i < n;) {
		size_t len = n - i > 45 ? 45 : n - i;
		char b64[80];

		while (len > 0 && i + len < n &&
		       ((unsigned char)s[i + len] & 0xC0) == 0x80)
			len--;
		sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)s + i,
				  len, sodium_base64_VARIANT_ORIGINAL);
		if (i)
			hk_text_add(out, "\r\n ", 3);
		hk_text_add(out, "=?UTF-8?B?", 10);
		hk_text_add(out, b64, strlen(b64));
		hk_text_add(out, "?=", 2);
		i += len;
	}
}

static bool has_line_end(const char *s)
{
	return s && strpbrk(s, "\r\n");
}

/* The whole message: headers, then the body in base64 lines of 76. */
static void compose(struct hk_text *msg, const struct hk_smtp_config *c,
		    const struct hk_message *m, const char *message_id)
{
	char date[64];
	time_t now = time(NULL);
	struct tm tm;
	size_t blen = strlen(m->body);
	char *b64 = hk_malloc(sodium_base64_ENCODED_LEN(
		blen, sodium_base64_VARIANT_ORIGINAL));

	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "Date: %a, %d %b %Y %H:%M:%S +0000\r\n", &tm);
	hk_text_add(msg, date, strlen(date));
	hk_text_add(msg, "From: ", 6);
	if (c->from_name[0]) {
		header_text(msg, c->from_name);
		hk_text_add(msg, " ", 1);
	}
	hk_text_add(msg, "<", 1);
	hk_text_add(msg, c->from, strlen(c->from));
	hk_text_add(msg, ">\r\nTo: ", 7);
	if (m->to_name && *m->to_name) {
		header_text(msg, m->to_name);
		hk_text_add(msg, " ", 1);
	}
	hk_text_add(msg, "<", 1);
	hk_text_add(msg, m->to, strlen(m->to));
	hk_text_add(msg, ">\r\nSubject: ", 12);
	header_text(msg, m->subject ? m->subject : "");
	hk_text_add(msg, "\r\nMessage-ID: <", 15);
	hk_text_add(msg, message_id, strlen(message_id));
	hk_text_add(msg, ">\r\nMIME-Version: 1.0\r\n"
			 "Content-Type: text/plain; charset=UTF-8\r\n"
			 "Content-Transfer-Encoding: base64\r\n\r\n",
		    strlen(">\r\nMIME-Version: 1.0\r\n"
			   "Content-Type: text/plain; charset=UTF-8\r\n"
			   "Content-Transfer-Encoding: base64\r\n\r\n"));
	sodium_bin2base64(b64, sodium_base64_ENCODED_LEN(
				       blen, sodium_base64_VARIANT_ORIGINAL),
			  (const unsigned char *)m->body, blen,
			  sodium_base64_VARIANT_ORIGINAL);
	for (size_t i = 0, n = strlen(b64); i < n; i += 76) {
		hk_text_add(msg, b64 + i, n - i < 76 ? n - i : 76);
		hk_text_add(msg, "\r\n", 2);
	}
	free(b64);
}

struct upload {
	const char *p;
	size_t left;
};

static size_t read_upload(char *buf, size_t size, size_t n, void *ctx)
{
	struct upload *u = ctx;
	size_t k = size * n < u->left ? size * n : u->left;

	memcpy(buf, u->p, k);
	u->p += k;
	u->left -= k;
	return k;
}

/* SMTP's own answers: 4xx later, 5xx never; curl's failures by kind. */
static enum hk_send_outcome smtp_outcome(CURLcode rc, long code)
{
	if (rc == CURLE_OK)
		return HK_SEND_OK;
	if (rc == CURLE_LOGIN_DENIED || rc == CURLE_USE_SSL_FAILED ||
	    rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_URL_MALFORMAT ||
	    rc == CURLE_UNSUPPORTED_PROTOCOL)
		return HK_SEND_REJECTED;
	if (code >= 500 && code < 600)
		return HK_SEND_REJECTED;
	return HK_SEND_RETRY;
}

enum hk_rc hk_smtp_send(const struct hk_smtp_config *c,
			const struct hk_message *m,
			enum hk_send_outcome *outcome, char *provider_id,
			size_t cap, struct hk_err *err)
{
	struct hk_text msg = {0};
	char message_id[160], from[300], to[300], errbuf[CURL_ERROR_SIZE] = "";
	const char *domain = strchr(c->from, '@');
	struct curl_slist *rcpt = NULL;
	struct upload up;
	CURL *h;
	CURLcode rc;
	long code = 0;

	*outcome = HK_SEND_REJECTED;
	if (!m->to || !*m->to || !strchr(m->to, '@') || has_line_end(m->to) ||
	    has_line_end(m->subject) || has_line_end(m->to_name) || !m->body)
		return hk_err_set(err, HK_EINVAL, "%s",
				  "an email needs one address and a subject on one line");
	snprintf(message_id, sizeof(message_id), "%s@%s", m->id,
		 domain ? domain + 1 : "huikuan");
	snprintf(provider_id, cap, "%s", message_id);
	compose(&msg, c, m, message_id);
	snprintf(from, sizeof(from), "<%s>", c->from);
	snprintf(to, sizeof(to), "<%s>", m->to);
	pthread_once(&curl_once, curl_setup);
	rcpt = curl_slist_append(NULL, to);
	up = (struct upload){.p = msg.p, .left = msg.len};
	h = curl_easy_init();
	curl_easy_setopt(h, CURLOPT_URL, c->url);
	if (c->starttls && !strncmp(c->url, "smtp://", 7))
		curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (c->ca_file[0])
		curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
	if (c->user[0]) {
		curl_easy_setopt(h, CURLOPT_USERNAME, c->user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, c->password);
		if (c->auth[0]) {
			char opt[32];

			snprintf(opt, sizeof(opt), "AUTH=%s", c->auth);
			curl_easy_setopt(h, CURLOPT_LOGIN_OPTIONS, opt);
		}
	}
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, read_upload);
	curl_easy_setopt(h, CURLOPT_READDATA, &up);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)(c->timeout_s > 0 ? c->timeout_s : 30));
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	*outcome = smtp_outcome(rc, code);
	if (rc != CURLE_OK)
		hk_err_set(err, HK_EIO, "SMTP %s: %s (%ld)", c->url,
			   errbuf[0] ? errbuf : curl_easy_strerror(rc), code);
	curl_easy_cleanup(h);
	curl_slist_free_all(rcpt);
	hk_text_clear(&msg);
	return HK_OK;
}

/* ---- SMS through the gateway ----------------------------------------- */

void hk_sms_signature(const char *secret, long long ts, const char *body,
		      size_t len, char out[65])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	char prefix[32];

	snprintf(prefix, sizeof(prefix), "%lld.", ts);
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret,
				    strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)prefix,
				      strlen(prefix));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(out, 65, mac, sizeof(mac));
}

static size_t keep_answer(char *p, size_t size, size_t n, void *ctx)
{
	struct hk_text *t = ctx;

	if (t->len < 16384) /* a gateway's answer is short */
		hk_text_add(t, p, size * n);
	return size * n;
}

enum hk_rc hk_sms_send(const struct hk_sms_config *c,
		       const struct hk_message *m,
		       enum hk_send_outcome *outcome, char *provider_id,
		       size_t cap, struct hk_err *err)
{
	json_t *req;
	char *body, sig[65], h_sig[100], h_ts[64], errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *hdr = NULL;
	struct hk_text answer = {0};
	long long ts = (long long)time(NULL);
	CURL *h;
	CURLcode rc;
	long code = 0;

	*outcome = HK_SEND_REJECTED;
	if (!m->to || !*m->to || !m->body || !*m->body)
		return hk_err_set(err, HK_EINVAL, "%s",
				  "an SMS needs a number and a text");
	pthread_once(&curl_once, curl_setup);
	req = json_pack("{s:s, s:s, s:s, s:s}", "id", m->id, "to", m->to,
			"sign", c->sign_name, "text", m->body);
	body = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	hk_sms_signature(c->secret, ts, body, strlen(body), sig);
	snprintf(h_ts, sizeof(h_ts), "X-Huikuan-Timestamp: %lld", ts);
	snprintf(h_sig, sizeof(h_sig), "X-Huikuan-Signature: %s", sig);
	hdr = curl_slist_append(hdr, "Content-Type: application/json; charset=utf-8");
	hdr = curl_slist_append(hdr, h_ts);
	hdr = curl_slist_append(hdr, h_sig);
	h = curl_easy_init();
	curl_easy_setopt(h, CURLOPT_URL, c->url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, keep_answer);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &answer);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)(c->timeout_s > 0 ? c->timeout_s : 15));
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	snprintf(provider_id, cap, "%s", m->id);
	if (rc != CURLE_OK) {
		*outcome = HK_SEND_RETRY;
		hk_err_set(err, HK_EIO, "SMS %s: %s", c->url,
			   errbuf[0] ? errbuf : curl_easy_strerror(rc));
	} else if (code >= 200 && code < 300) {
		json_error_t jerr;
		json_t *a = answer.p ? json_loads(answer.p, 0, &jerr) : NULL;
		const char *field = c->id_field[0] ? c->id_field : "id";
		json_t *pid = a ? json_object_get(a, field) : NULL;

		*outcome = HK_SEND_OK;
		if (json_is_string(pid))
			snprintf(provider_id, cap, "%s", json_string_value(pid));
		json_decref(a);
	} else {
		/* 429 and 5xx: later; other answers: the gateway refuses it */
		*outcome = code == 429 || code >= 500 ? HK_SEND_RETRY
						      : HK_SEND_REJECTED;
		hk_err_set(err, HK_EIO, "SMS %s: HTTP %ld %.200s", c->url, code,
			   answer.p ? answer.p : "");
	}
	curl_easy_cleanup(h);
	curl_slist_free_all(hdr);
	hk_text_clear(&answer);
	free(body);
	return HK_OK;
}
