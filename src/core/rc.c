/*
 * rc.c - names, messages and statuses of the result codes, and the error
 * record helpers.  Must stay free of I/O except the abort on out-of-memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hk/rc.h"

const char *hk_rc_name(enum hk_rc rc)
{
	switch (rc) {
#define HK_RC_NAME(name, num, zh, en, http, ex)                                \
	case name:                                                             \
		return #name;
		HK_RC_TABLE(HK_RC_NAME)
#undef HK_RC_NAME
	}
	return "HK_E?";
}

const char *hk_rc_message(enum hk_rc rc, enum hk_lang lang)
{
	switch (rc) {
#define HK_RC_MSG(name, num, zh, en, http, ex)                                 \
	case name:                                                             \
		return HK_TR(lang, zh, en);
		HK_RC_TABLE(HK_RC_MSG)
#undef HK_RC_MSG
	}
	return HK_TR(lang, "未知错误", "unknown error");
}

int hk_rc_http_status(enum hk_rc rc)
{
	switch (rc) {
#define HK_RC_HTTP(name, num, zh, en, http, ex)                                \
	case name:                                                             \
		return http;
		HK_RC_TABLE(HK_RC_HTTP)
#undef HK_RC_HTTP
	}
	return 500;
}

int hk_rc_exit_status(enum hk_rc rc)
{
	switch (rc) {
#define HK_RC_EXIT(name, num, zh, en, http, ex)                                \
	case name:                                                             \
		return ex;
		HK_RC_TABLE(HK_RC_EXIT)
#undef HK_RC_EXIT
	}
	return 1;
}

enum hk_rc hk_err_vset(struct hk_err *err, enum hk_rc rc, const char *fmt,
		       va_list ap)
{
	if (err) {
		err->code = rc;
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	}
	return rc;
}

enum hk_rc hk_err_set(struct hk_err *err, enum hk_rc rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	hk_err_vset(err, rc, fmt, ap);
	va_end(ap);
	return rc;
}

void hk_err_clear(struct hk_err *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
}

static void oom(size_t n)
{
	fprintf(stderr, "huikuan: out of memory allocating %zu bytes\n", n);
	abort();
}

void *hk_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *hk_calloc(size_t count, size_t n)
{
	void *p = calloc(count ? count : 1, n ? n : 1);
	if (!p)
		oom(count * n);
	return p;
}

void *hk_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

char *hk_strndup(const char *s, size_t n)
{
	char *p = hk_malloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}
