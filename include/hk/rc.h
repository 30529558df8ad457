/*
 * rc.h - the one table of huikuan's result codes and the error record.
 *
 * Every fallible function returns an enum hk_rc and, when it fails, fills a
 * caller-supplied struct hk_err.  Codes come from one X-macro so a code's
 * number, messages, HTTP status and exit status can never drift apart.
 * Numbers are never reused or renumbered.
 */
#ifndef HK_RC_H
#define HK_RC_H

#include <stdarg.h>
#include <stddef.h>

/* X(name, number, zh message, en message, http status, exit status) */
#define HK_RC_TABLE(X)                                                         \
	X(HK_OK, 0, "成功", "ok", 200, 0)                                      \
	X(HK_EUSAGE, 1, "用法错误", "usage error", 400, 2)                     \
	X(HK_EINVAL, 2, "输入无效", "invalid input", 400, 3)                   \
	X(HK_ENOTFOUND, 3, "未找到", "not found", 404, 3)                      \
	X(HK_EREFUSED, 4, "当前状态不允许此操作",                              \
	  "refused in the current state", 409, 4)                              \
	X(HK_EIO, 5, "读写失败", "input/output failure", 500, 1)               \
	X(HK_EDB, 6, "数据库错误", "database error", 500, 1)                   \
	X(HK_EENCODING, 7, "文本编码无效", "invalid text encoding", 400, 3)    \
	X(HK_EINTERNAL, 8, "内部错误", "internal error", 500, 1)               \
	X(HK_ECONFIG, 9, "配置无效", "invalid configuration", 400, 3)

enum hk_rc {
#define HK_RC_ENUM(name, num, zh, en, http, ex) name = num,
	HK_RC_TABLE(HK_RC_ENUM)
#undef HK_RC_ENUM
};

/* The language of user-facing text. Chinese is the default everywhere. */
enum hk_lang { HK_LANG_ZH = 0, HK_LANG_EN = 1 };

/* Pick the text of a message pair in the given language. */
#define HK_TR(lang, zh, en) ((lang) == HK_LANG_EN ? (en) : (zh))

/*
 * The details of one failure.  `msg` is complete and already in the user's
 * language; `field` names the column or parameter at fault (may be empty),
 * `line` the input line (0 when not about a line).  Never holds a debtor's
 * personal data when it can leave the server.
 */
struct hk_err {
	enum hk_rc code;
	long line;
	char field[64];
	char msg[768];
};

/* The symbolic name ("HK_EINVAL") of a code; "HK_E?" for unknown numbers. */
const char *hk_rc_name(enum hk_rc rc);
/* The generic message of a code in `lang`. */
const char *hk_rc_message(enum hk_rc rc, enum hk_lang lang);
/* HTTP status for a code (500 for unknown). */
int hk_rc_http_status(enum hk_rc rc);
/* Process exit status for a code, as fixed by cli.md (1 for unknown). */
int hk_rc_exit_status(enum hk_rc rc);

/*
 * Record a failure in `err` (which may be NULL) and return `rc`, so callers
 * can write `return hk_err_set(err, HK_EINVAL, "...", ...)`.  The message is
 * printf-formatted and truncated to fit.
 */
enum hk_rc hk_err_set(struct hk_err *err, enum hk_rc rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
enum hk_rc hk_err_vset(struct hk_err *err, enum hk_rc rc, const char *fmt,
		       va_list ap);
/* Reset `err` to the no-error state. */
void hk_err_clear(struct hk_err *err);

/* Allocation helpers that abort with a log line on failure (see style.md). */
void *hk_malloc(size_t n);
void *hk_calloc(size_t count, size_t n);
void *hk_realloc(void *p, size_t n);
char *hk_strndup(const char *s, size_t n);

#endif
