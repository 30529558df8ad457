/*
 * import.c - the CSV importer of ledger.md §2: debtors, contacts, accounts,
 * installments and payments, plus the waivers and promises extensions.
 *
 * A file is imported whole or not at all.  It is read into memory, decoded
 * (UTF-8, or GB18030 converted to UTF-8 with iconv), parsed with libcsv and
 * checked row by row without touching the store; then, inside one write
 * transaction, references and existing ids are checked against the store and
 * only when every row is good are the rows inserted and committed.  Every bad
 * row is reported as "FILE:LINE: column: message", LINE being the physical
 * line on which the record starts.
 *
 * This file must never write a row of a file that has a bad row, never report
 * a line other than where the faulty record starts, and never echo a
 * debtor's personal data (names, ID numbers, phones, addresses) in a message.
 * It must stay fast on million-row bank files: one pass over the bytes, text
 * kept in an arena, duplicate and reference checks through hash maps, and one
 * store lookup per distinct referenced id.
 */
#define _GNU_SOURCE /* qsort_r */
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csv.h>

#include "hk/io.h"
#include "hk/ledger.h"
#include "hk/store.h"
#include "hk/types.h"

/* A field longer than this is refused: no column needs more, and it bounds
 * what a broken file (an unclosed quote) can make us echo or store. */
#define FIELD_MAX 1024
/* Columns of the widest kind (debtors). */
#define MAX_COLS 10
/* Header fields we remember; a header with more is refused anyway. */
#define MAX_HDR 64
#define PROGRESS_EVERY 100000
#define DEFAULT_MAX_ERRORS 100
#define MAX_ERRORS_KEPT 100000
#define SEQ_MAX 1000000
#define NO_REF UINT32_MAX
/* Room for "#" and any field number. */
#define LABEL_SZ 24
/* Bit of row.bad for errors about the row as a whole, not one column. */
#define BAD_ROW (1u << 15)

/* ======================================================================
 * The file kinds and their columns
 * ====================================================================== */

struct column {
	const char *name;
	bool required;
	/* The text is needed after the row check (stored, or an own id);
	 * numbers, dates, enums and references are kept parsed instead. */
	bool keep;
};

struct kind_def {
	const char *name;
	int ncols;
	struct column cols[MAX_COLS];
};

enum { DB_ID, DB_NAME, DB_KIND, DB_IDNO, DB_PHONE, DB_SEGMENT, DB_PROVINCE,
	DB_CITY, DB_ADDRESS, DB_EMPLOYER };
enum { CT_ID, CT_DEBTOR, CT_RELATION, CT_NAME, CT_PHONE, CT_AUTH };
enum { AC_ID, AC_DEBTOR, AC_CREDITOR, AC_PRODUCT, AC_PRINCIPAL, AC_ANNUAL,
	AC_PENALTY, AC_OPEN };
enum { IN_ACCOUNT, IN_SEQ, IN_DUE, IN_PRINCIPAL, IN_INTEREST, IN_FEE };
enum { PM_ID, PM_ACCOUNT, PM_PAID_ON, PM_AMOUNT, PM_CHANNEL, PM_REFERENCE };
enum { WV_ACCOUNT, WV_APPROVED_ON, WV_COMPONENT, WV_AMOUNT, WV_APPROVED_BY,
	WV_REASON };
enum { PR_DEBTOR, PR_CREDITOR, PR_MADE_ON, PR_DUE_ON, PR_AMOUNT };

static const struct kind_def kinds[HK_IMPORT_KIND_COUNT] = {
	[HK_IMPORT_DEBTORS] = { "debtors", 10, {
		{ "debtor_id", true, true }, { "name", true, true },
		{ "kind", false, false }, { "id_number", false, true },
		{ "phone", false, true }, { "segment", false, true },
		{ "province", false, true }, { "city", false, true },
		{ "address", false, true }, { "employer", false, true } } },
	[HK_IMPORT_CONTACTS] = { "contacts", 6, {
		{ "contact_id", true, true }, { "debtor_id", true, false },
		{ "relation", true, false }, { "name", false, true },
		{ "phone", true, true }, { "authorized", false, false } } },
	[HK_IMPORT_ACCOUNTS] = { "accounts", 8, {
		{ "account_id", true, true }, { "debtor_id", true, false },
		{ "creditor", true, true }, { "product", true, false },
		{ "principal", true, false }, { "annual_rate", true, false },
		{ "penalty_rate", true, false }, { "open_date", true, false } } },
	[HK_IMPORT_INSTALLMENTS] = { "installments", 6, {
		{ "account_id", true, false }, { "seq", true, false },
		{ "due_date", true, false }, { "principal", true, false },
		{ "interest", false, false }, { "fee", false, false } } },
	[HK_IMPORT_PAYMENTS] = { "payments", 6, {
		{ "payment_id", true, true }, { "account_id", true, false },
		{ "paid_on", true, false }, { "amount", true, false },
		{ "channel", true, false }, { "reference", false, true } } },
	[HK_IMPORT_WAIVERS] = { "waivers", 6, {
		{ "account_id", true, false }, { "approved_on", true, false },
		{ "component", true, false }, { "amount", true, false },
		{ "approved_by", false, true }, { "reason", false, true } } },
	[HK_IMPORT_PROMISES] = { "promises", 5, {
		{ "debtor_id", true, false }, { "creditor", true, true },
		{ "made_on", true, false }, { "due_on", true, false },
		{ "amount", true, false } } },
};

static const char *const relations[] = {
	"self", "spouse", "parent", "child", "sibling", "relative", "friend",
	"colleague", "employer", "guarantor", "co_borrower", "other", NULL
};
#define RELATION_SELF 0
static const char *const segments[] = {
	"白领", "退休", "小微企业主", "工人", "学生", "其他", NULL
};
static const char *const channels[] = {
	"bank_transfer", "online", "offset", "other", NULL
};
#define CHANNEL_BANK_TRANSFER 0
/* Indexed by enum hk_component. */
static const char *const components[] = {
	"penalty", "fee", "interest", "principal", NULL
};
static const char *const components_zh[] = { "罚息", "费用", "利息", "本金" };

/* ======================================================================
 * Memory: an arena for text, growable arrays, a hash map of ids
 * ====================================================================== */

/* Text of a whole file lives until the import ends, so it is carved from
 * big blocks that never move (the maps point into them) and are freed at
 * once: no malloc per field. */
struct arena_block {
	struct arena_block *next;
	size_t used, cap;
	char data[];
};

struct arena {
	struct arena_block *head;
};

static char *arena_copy(struct arena *a, const char *s, size_t len)
{
	struct arena_block *b = a->head;
	char *p;

	if (!b || b->cap - b->used < len + 1) {
		size_t cap = len + 1 > (1u << 20) ? len + 1 : (1u << 20);

		b = hk_malloc(sizeof(*b) + cap);
		b->next = a->head;
		b->used = 0;
		b->cap = cap;
		a->head = b;
	}
	p = b->data + b->used;
	memcpy(p, s, len);
	p[len] = '\0';
	b->used += len + 1;
	return p;
}

static void arena_release(struct arena *a)
{
	while (a->head) {
		struct arena_block *next = a->head->next;

		free(a->head);
		a->head = next;
	}
}

/* Grow `*arr` (of `*cap` elements of `size` bytes) to hold `need`. */
static void grow(void **arr, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 1024;

	if (need <= *cap)
		return;
	while (n < need)
		n *= 2;
	*arr = hk_realloc(*arr, n * size);
	*cap = n;
}

/* Open addressing, power-of-two size, at most half full.  Keys are
 * NUL-terminated strings owned by the arena. */
struct map_slot {
	uint64_t hash;
	const char *key;
	uint32_t val;
};

struct map {
	struct map_slot *slots;
	size_t mask, n;
};

static uint64_t hash_bytes(const char *s, size_t len)
{
	/* FNV-1a: ids are short, so a byte loop is as fast as anything. */
	uint64_t h = UINT64_C(14695981039346656037);
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= UINT64_C(1099511628211);
	}
	return h;
}

static void map_grow(struct map *m)
{
	size_t cap = m->slots ? (m->mask + 1) * 2 : 4096, i;
	struct map_slot *slots = hk_calloc(cap, sizeof(*slots));

	for (i = 0; m->slots && i <= m->mask; i++) {
		size_t j;

		if (!m->slots[i].key)
			continue;
		for (j = m->slots[i].hash & (cap - 1); slots[j].key;
		     j = (j + 1) & (cap - 1))
			;
		slots[j] = m->slots[i];
	}
	free(m->slots);
	m->slots = slots;
	m->mask = cap - 1;
}

/*
 * Find `key` (len bytes); when absent, insert it with value `val`, the key
 * text being copied into `arena` unless `stable` already points there.
 * Returns the slot; *found says whether it was there before.
 */
static struct map_slot *map_put(struct map *m, struct arena *arena,
				const char *key, size_t len, bool stable,
				uint32_t val, bool *found)
{
	uint64_t h;
	size_t j;

	if (!m->slots || (m->n + 1) * 2 > m->mask + 1)
		map_grow(m);
	h = hash_bytes(key, len);
	for (j = h & m->mask; m->slots[j].key; j = (j + 1) & m->mask) {
		struct map_slot *sl = &m->slots[j];

		if (sl->hash == h && !strncmp(sl->key, key, len) &&
		    sl->key[len] == '\0') {
			*found = true;
			return sl;
		}
	}
	m->slots[j].hash = h;
	m->slots[j].key = stable ? key : arena_copy(arena, key, len);
	m->slots[j].val = val;
	m->n++;
	*found = false;
	return &m->slots[j];
}

/* ======================================================================
 * The import's state
 * ====================================================================== */

/* One data row, parsed.  Which slots hold what depends on the kind (see the
 * row checks); `bad` has a bit per column with an error. */
struct row {
	long line;
	int64_t money[3];
	int64_t store_ref; /* resolved: the debtor, account or case */
	int32_t date[2];
	int32_t num[2];
	uint32_t ref;      /* slot of the referenced id, NO_REF if unusable */
	uint16_t bad;
	int8_t pick[2];    /* enum values: kind, product, relation ... */
	bool own_first;    /* own id valid and first in the file */
};

/* A distinct referenced id (a debtor or account), looked up once. */
struct ref_slot {
	const char *id;
	struct hk_found found;
	uint32_t first_row; /* installments: rows of the account, grouped */
	uint32_t nrows;
	bool rows_bad;
};

struct row_err {
	long line;
	uint32_t order;
	char col[48];
	char msg[512];
};

struct field {
	const char *s;
	size_t len;
};

struct imp {
	struct hk_store *store;
	const struct hk_import_opts *opts;
	const struct kind_def *def;
	int kind;
	enum hk_lang lang;
	const char *file;
	FILE *out;
	size_t max_errors;

	/* parsing */
	struct csv_parser csv;
	long line;      /* physical line being fed to the parser */
	long rec_line;  /* physical line where the current record starts */
	bool in_record; /* the parser is inside a record */
	bool have_header;
	bool stop;      /* a fault that makes the rest unreadable */
	long stop_line;
	bool bad_encoding;
	size_t nfield;
	char *scratch;  /* the current record's fields, NUL-separated */
	size_t scratch_len, scratch_cap;
	size_t fld_off[MAX_HDR], fld_len[MAX_HDR];

	/* header */
	int nhdr;
	int8_t col_pos[MAX_COLS];   /* kind column -> file field, -1 absent */
	int8_t field_col[MAX_HDR];  /* file field -> kind column, -1 unknown */
	int keep_slot[MAX_COLS];  /* kind column -> index in a row's cells */
	int nkeep;

	/* rows */
	struct row *rows;
	size_t nrows, cap_rows;
	const char **cells; /* nkeep per row */
	size_t cap_cells;
	struct arena arena;
	struct map own_ids; /* own id -> row */
	struct map ref_ids; /* referenced id -> ref slot */
	struct ref_slot *refs;
	size_t nrefs, cap_refs;

	/* errors: the first max_errors by line, and counts */
	struct row_err *errs;
	size_t nerrs, cap_errs;
	bool errs_cut;
	long errs_cutoff;
	uint32_t err_order;
	size_t nerrors;

	bool progress_shown;
};

/* ======================================================================
 * Errors
 * ====================================================================== */

static int err_cmp(const void *a, const void *b)
{
	const struct row_err *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/*
 * Record one error at `line` in column `col`.  Only the first max_errors
 * by line are kept: when the buffer fills it is sorted and cut, and from
 * then on errors at or after the cut-off line are counted, not formatted.
 */
static void add_error(struct imp *im, long line, const char *col,
		      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void add_error(struct imp *im, long line, const char *col,
		      const char *fmt, ...)
{
	struct row_err *e;
	va_list ap;

	im->nerrors++;
	if (im->errs_cut && line >= im->errs_cutoff)
		return;
	if (im->nerrs == im->cap_errs) {
		qsort(im->errs, im->nerrs, sizeof(*im->errs), err_cmp);
		im->nerrs = im->max_errors;
		im->errs_cut = true;
		im->errs_cutoff = im->errs[im->nerrs - 1].line;
		if (line >= im->errs_cutoff)
			return;
	}
	e = &im->errs[im->nerrs++];
	e->line = line;
	e->order = im->err_order++;
	snprintf(e->col, sizeof(e->col), "%s", col);
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

/* An error about column `kc` of row `r`. */
#define ROW_ERR(im, r, kc, zh, en, ...)                                        \
	do {                                                                   \
		(r)->bad |= (uint16_t)(1u << (kc));                            \
		add_error((im), (r)->line, (im)->def->cols[kc].name,           \
			  HK_TR((im)->lang, zh, en), ##__VA_ARGS__);           \
	} while (0)

/* The label of file field `i` (0-based) that has no name of its own. */
static const char *pos_label(char *buf, size_t cap, size_t i)
{
	snprintf(buf, cap, "#%zu", i + 1);
	return buf;
}

/* The column name of file field `i` once the header is known, else "#i". */
static const char *field_label(const struct imp *im, char *buf, size_t cap,
			       size_t i)
{
	if (im->have_header && i < MAX_HDR && im->field_col[i] >= 0)
		return im->def->cols[im->field_col[i]].name;
	return pos_label(buf, cap, i);
}

/*
 * A short, printable rendering of a bad value for a message: at most 32
 * bytes, cut on a UTF-8 boundary, control characters shown as '?'.  Only
 * used for ids, codes, amounts and dates, never for personal data.
 */
static const char *show(char buf[48], struct field f)
{
	size_t n = f.len > 32 ? 32 : f.len, i;

	while (n < f.len && n > 0 && ((unsigned char)f.s[n] & 0xC0) == 0x80)
		n--;
	for (i = 0; i < n; i++)
		buf[i] = (unsigned char)f.s[i] < 0x20 || f.s[i] == 0x7f
				 ? '?'
				 : f.s[i];
	if (n < f.len) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}

static void progress(struct imp *im, const char *zh, const char *en, size_t n,
		     size_t total)
{
	if (!im->opts->progress)
		return;
	/* Only ever shown on a terminal, so "erase to the end of the line"
	 * can clear what a longer earlier phase left. */
	if (total)
		fprintf(stderr, "\r%s %zu/%zu\033[K", HK_TR(im->lang, zh, en),
			n, total);
	else
		fprintf(stderr, "\r%s %zu\033[K", HK_TR(im->lang, zh, en), n);
	im->progress_shown = true;
}

/* ======================================================================
 * Text: reading, decoding, UTF-8
 * ====================================================================== */

static enum hk_rc read_whole(struct imp *im, const char *path, char **buf,
			     size_t *len, struct hk_err *err)
{
	struct stat st;
	size_t cap, n = 0;
	char *data;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		goto fail;
	/* The size is a hint: a pipe has none, a growing file may lie. */
	cap = (fstat(fd, &st) == 0 && st.st_size > 0) ? (size_t)st.st_size + 1
						      : 65536;
	data = hk_malloc(cap);
	for (;;) {
		ssize_t got;

		if (n == cap) {
			cap *= 2;
			data = hk_realloc(data, cap);
		}
		got = read(fd, data + n, cap - n);
		if (got == 0)
			break;
		if (got < 0) {
			if (errno == EINTR)
				continue;
			free(data);
			goto fail;
		}
		n += (size_t)got;
	}
	close(fd);
	*buf = data;
	*len = n;
	return HK_OK;
fail:
	{
		int saved = errno;

		if (fd >= 0)
			close(fd);
		return hk_err_set(err, HK_EIO,
				  HK_TR(im->lang,
					"无法读取文件 %s：%s；请检查路径和权限",
					"cannot read %s: %s; check the path and permissions"),
				  im->file, strerror(saved));
	}
}

/*
 * GB18030 to UTF-8, whole file.  A byte iconv cannot decode becomes 0xFF,
 * which is never valid UTF-8, so the field check later reports it with its
 * record's line and column, exactly like bad UTF-8.  '\n' is a single byte
 * in GB18030 and never part of a multi-byte character, so lines are kept.
 */
static enum hk_rc gb18030_to_utf8(struct imp *im, char **buf, size_t *len,
				  struct hk_err *err)
{
	iconv_t cd = iconv_open("UTF-8", "GB18030");
	size_t cap = *len * 2 + 16, out_left;
	char *in = *buf, *utf8, *out;
	size_t in_left = *len;

	if (cd == (iconv_t)-1)
		return hk_err_set(err, HK_EINTERNAL,
				  HK_TR(im->lang,
					"系统不支持 GB18030 转换（iconv）",
					"this system's iconv cannot convert GB18030"));
	utf8 = hk_malloc(cap);
	out = utf8;
	out_left = cap;
	while (in_left > 0) {
		if (iconv(cd, &in, &in_left, &out, &out_left) != (size_t)-1)
			break;
		if (errno == E2BIG) {
			/* Cannot happen with 2x room; grow rather than trust. */
			size_t used = (size_t)(out - utf8);

			cap *= 2;
			utf8 = hk_realloc(utf8, cap);
			out = utf8 + used;
			out_left = cap - used;
			continue;
		}
		/* EILSEQ or EINVAL (cut at the end): mark and skip a byte. */
		if (out_left == 0) {
			size_t used = (size_t)(out - utf8);

			cap *= 2;
			utf8 = hk_realloc(utf8, cap);
			out = utf8 + used;
			out_left = cap - used;
		}
		*out++ = (char)0xFF;
		out_left--;
		in++;
		in_left--;
		iconv(cd, NULL, NULL, NULL, NULL);
	}
	iconv_close(cd);
	free(*buf);
	*buf = utf8;
	*len = (size_t)(out - utf8);
	return HK_OK;
}

/* Strict UTF-8 (no overlongs, surrogates or code points above U+10FFFF);
 * NUL is refused too, since it would cut the text short. */
static bool utf8_valid(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t n, k;
		uint32_t cp;

		if (c >= 0x01 && c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			n = 1;
			cp = c & 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			n = 2;
			cp = c & 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (len - i <= n)
			return false;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if ((n == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
		    (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
			return false;
		i += n + 1;
	}
	return true;
}

/* ======================================================================
 * Field checks shared by the kinds
 * ====================================================================== */

static struct field get(const struct imp *im, int kc)
{
	struct field f = { "", 0 };
	int pos = im->col_pos[kc];

	if (pos >= 0) {
		f.s = im->scratch + im->fld_off[pos];
		f.len = im->fld_len[pos];
	}
	return f;
}

/* The kept copy of column `kc` of the row being checked (the last one). */
static char *cell_of(const struct imp *im, int kc)
{
	return (char *)im->cells[(im->nrows - 1) * (size_t)im->nkeep +
				 (size_t)im->keep_slot[kc]];
}

static bool eq(struct field f, const char *word)
{
	size_t n = strlen(word);

	return f.len == n && !memcmp(f.s, word, n);
}

static int pick(const char *const *list, struct field f)
{
	int i;

	for (i = 0; list[i]; i++)
		if (eq(f, list[i]))
			return i;
	return -1;
}

/* A required value is present; reports it when not. */
static bool need(struct imp *im, struct row *r, int kc, struct field f)
{
	if (f.len > 0)
		return true;
	ROW_ERR(im, r, kc, "不能为空；这一列必须填写",
		"is empty; this column is required");
	return false;
}

static bool check_ident(struct imp *im, struct row *r, int kc, struct field f)
{
	char b[48];

	if (!need(im, r, kc, f))
		return false;
	if (hk_ident_valid(f.s, f.len))
		return true;
	ROW_ERR(im, r, kc,
		"编号“%s”无效：只能用 1-64 个英文字母、数字或 _ - . 字符",
		"invalid id \"%s\": use 1-64 letters, digits, _ - or .",
		show(b, f));
	return false;
}

/* Money in yuan; `positive` refuses 0.  Empty is an error only when
 * `required`; otherwise it means 0. */
static bool check_money(struct imp *im, struct row *r, int kc, struct field f,
			bool required, bool positive, int64_t *fen)
{
	char b[48];

	*fen = 0;
	if (f.len == 0) {
		if (required)
			return need(im, r, kc, f);
		return true;
	}
	if (hk_money_parse(f.s, f.len, fen) != HK_OK) {
		ROW_ERR(im, r, kc,
			"金额“%s”无效：请以元为单位写成 1234 或 1234.50，不带符号、空格、货币符号或千分位",
			"invalid amount \"%s\": write yuan as 1234 or 1234.50, with no sign, spaces, currency sign or thousands separators",
			show(b, f));
		return false;
	}
	if (positive && *fen == 0) {
		ROW_ERR(im, r, kc, "金额必须大于 0；请填写实际金额",
			"the amount must be greater than 0; give the real amount");
		return false;
	}
	return true;
}

static bool check_date(struct imp *im, struct row *r, int kc, struct field f,
		       int32_t *date)
{
	char b[48];

	if (!need(im, r, kc, f))
		return false;
	if (hk_date_parse(f.s, f.len, date) == HK_OK)
		return true;
	ROW_ERR(im, r, kc,
		"日期“%s”无效：请写成 2026-03-05 或 2026/3/5，且必须是真实存在的日期",
		"invalid date \"%s\": write 2026-03-05 or 2026/3/5, and it must be a real date",
		show(b, f));
	return false;
}

static bool check_rate(struct imp *im, struct row *r, int kc, struct field f,
		       int32_t *ppm)
{
	char b[48];

	if (!need(im, r, kc, f))
		return false;
	if (hk_rate_parse(f.s, f.len, ppm) == HK_OK)
		return true;
	ROW_ERR(im, r, kc,
		"利率“%s”无效：请写年化百分数（0 到 1000，最多 4 位小数，如 18.25 表示 18.25%%），不带 %% 号",
		"invalid rate \"%s\": give the yearly percentage (0 to 1000, at most 4 decimals, 18.25 for 18.25%%) without a %% sign",
		show(b, f));
	return false;
}

/* Register the row's own id (debtor_id, contact_id ...); a repeat within
 * the file is reported here, one already in the store later. */
static void own_id(struct imp *im, struct row *r, int kc, struct field f)
{
	const char *text = cell_of(im, kc);
	struct map_slot *sl;
	bool found;

	if (!check_ident(im, r, kc, f))
		return;
	sl = map_put(&im->own_ids, &im->arena, text, f.len, true,
		     (uint32_t)(im->nrows - 1), &found);
	if (!found) {
		r->own_first = true;
		return;
	}
	ROW_ERR(im, r, kc,
		"编号“%s”与第 %ld 行重复；同一个编号在文件中只能出现一次",
		"id \"%s\" repeats the one on line %ld; each id may appear only once in a file",
		text, im->rows[sl->val].line);
}

/* Register a reference to a debtor or account; it is looked up in the
 * store once per distinct id, after the whole file is read. */
static void ref_id(struct imp *im, struct row *r, int kc, struct field f)
{
	struct map_slot *sl;
	bool found;

	r->ref = NO_REF;
	if (!check_ident(im, r, kc, f))
		return;
	sl = map_put(&im->ref_ids, &im->arena, f.s, f.len, false,
		     (uint32_t)im->nrefs, &found);
	if (!found) {
		struct ref_slot *ref;

		grow((void **)&im->refs, &im->cap_refs, im->nrefs + 1,
		     sizeof(*im->refs));
		ref = &im->refs[im->nrefs++];
		memset(ref, 0, sizeof(*ref));
		ref->id = sl->key;
		ref->first_row = NO_REF;
	}
	r->ref = sl->val;
}

/* ======================================================================
 * Row checks, one per kind: everything that needs no store
 * ====================================================================== */

static void check_debtor(struct imp *im, struct row *r)
{
	struct field kind = get(im, DB_KIND), idno = get(im, DB_IDNO);
	struct field phone = get(im, DB_PHONE), seg = get(im, DB_SEGMENT);
	char b[48];

	own_id(im, r, DB_ID, get(im, DB_ID));
	need(im, r, DB_NAME, get(im, DB_NAME));
	r->pick[0] = HK_DEBTOR_PERSON;
	if (eq(kind, "company")) {
		r->pick[0] = HK_DEBTOR_COMPANY;
	} else if (kind.len > 0 && !eq(kind, "person")) {
		ROW_ERR(im, r, DB_KIND,
			"类型“%s”无效：应为 person（个人）或 company（企业），留空表示 person",
			"invalid kind \"%s\": use person or company (empty means person)",
			show(b, kind));
	}
	if (idno.len > 0 && !(r->bad & (1u << DB_KIND))) {
		char norm[19];

		if (r->pick[0] == HK_DEBTOR_PERSON) {
			if (hk_id_number_valid(idno.s, idno.len, norm))
				/* Stored with the X upper-cased. */
				memcpy(cell_of(im, DB_IDNO), norm, 18);
			else
				ROW_ERR(im, r, DB_IDNO,
					"身份证号无效：应为 18 位，前 17 位是数字，末位校验码正确（可为 X），出生日期真实；请核对证件",
					"invalid ID number: 18 characters, 17 digits and a matching check character (may be X), with a real birth date; check it against the card");
		} else if (!hk_credit_code_valid(idno.s, idno.len)) {
			ROW_ERR(im, r, DB_IDNO,
				"统一社会信用代码无效：应为 18 位数字或大写字母，末位校验码正确；请核对营业执照",
				"invalid unified social credit code: 18 digits or capital letters with a matching check character; check it against the business licence");
		}
	}
	if (phone.len > 0 && !hk_phone_valid(phone.s, phone.len))
		ROW_ERR(im, r, DB_PHONE,
			"手机号无效：应为以 1 开头的 11 位数字，不带空格、横线或 +86",
			"invalid mobile number: 11 digits starting with 1, without spaces, dashes or +86");
	if (seg.len > 0 && pick(segments, seg) < 0)
		ROW_ERR(im, r, DB_SEGMENT,
			"客群“%s”无效：应为 白领、退休、小微企业主、工人、学生、其他 之一，或留空",
			"invalid segment \"%s\": use one of 白领, 退休, 小微企业主, 工人, 学生, 其他, or leave it empty",
			show(b, seg));
}

static void check_contact(struct imp *im, struct row *r)
{
	struct field rel = get(im, CT_RELATION), auth = get(im, CT_AUTH);
	struct field phone = get(im, CT_PHONE);
	char b[48];

	own_id(im, r, CT_ID, get(im, CT_ID));
	ref_id(im, r, CT_DEBTOR, get(im, CT_DEBTOR));
	r->pick[0] = -1;
	if (need(im, r, CT_RELATION, rel)) {
		r->pick[0] = (int8_t)pick(relations, rel);
		if (r->pick[0] < 0)
			ROW_ERR(im, r, CT_RELATION,
				"关系“%s”无效：应为 self、spouse、parent、child、sibling、relative、friend、colleague、employer、guarantor、co_borrower、other 之一",
				"invalid relation \"%s\": use one of self, spouse, parent, child, sibling, relative, friend, colleague, employer, guarantor, co_borrower, other",
				show(b, rel));
	}
	if (need(im, r, CT_PHONE, phone) && !hk_phone_valid(phone.s, phone.len))
		ROW_ERR(im, r, CT_PHONE,
			"手机号无效：应为以 1 开头的 11 位数字，不带空格、横线或 +86",
			"invalid mobile number: 11 digits starting with 1, without spaces, dashes or +86");
	/* Only the debtor has agreed to be contacted about the debt by
	 * default; anyone else must have said so (ledger.md §2). */
	r->pick[1] = r->pick[0] == RELATION_SELF;
	if (eq(auth, "yes"))
		r->pick[1] = 1;
	else if (eq(auth, "no"))
		r->pick[1] = 0;
	else if (auth.len > 0)
		ROW_ERR(im, r, CT_AUTH,
			"“%s”无效：应为 yes 或 no；留空时本人为 yes，其他人为 no",
			"invalid value \"%s\": use yes or no; empty means yes for self and no for anyone else",
			show(b, auth));
}

static void check_account(struct imp *im, struct row *r)
{
	struct field prod = get(im, AC_PRODUCT);
	char b[48];

	own_id(im, r, AC_ID, get(im, AC_ID));
	ref_id(im, r, AC_DEBTOR, get(im, AC_DEBTOR));
	check_ident(im, r, AC_CREDITOR, get(im, AC_CREDITOR));
	if (need(im, r, AC_PRODUCT, prod)) {
		r->pick[0] = (int8_t)hk_product_parse(prod.s, prod.len);
		if (r->pick[0] < 0)
			ROW_ERR(im, r, AC_PRODUCT,
				"产品“%s”无效：应为 credit_card、consumer_loan、business_loan、invoice、other 之一",
				"invalid product \"%s\": use one of credit_card, consumer_loan, business_loan, invoice, other",
				show(b, prod));
	}
	/* An account lends something: with no principal there is nothing to
	 * collect and no schedule could sum to it (ledger.md is silent). */
	check_money(im, r, AC_PRINCIPAL, get(im, AC_PRINCIPAL), true, true,
		    &r->money[0]);
	check_rate(im, r, AC_ANNUAL, get(im, AC_ANNUAL), &r->num[0]);
	check_rate(im, r, AC_PENALTY, get(im, AC_PENALTY), &r->num[1]);
	check_date(im, r, AC_OPEN, get(im, AC_OPEN), &r->date[0]);
}

static void check_installment(struct imp *im, struct row *r)
{
	struct field seq = get(im, IN_SEQ);
	bool amounts_ok;
	char b[48];

	ref_id(im, r, IN_ACCOUNT, get(im, IN_ACCOUNT));
	if (need(im, r, IN_SEQ, seq)) {
		size_t i;
		int32_t v = 0;

		for (i = 0; i < seq.len && seq.s[i] >= '0' && seq.s[i] <= '9' &&
			    v <= SEQ_MAX;
		     i++)
			v = v * 10 + (seq.s[i] - '0');
		if (i < seq.len || v < 1 || v > SEQ_MAX)
			ROW_ERR(im, r, IN_SEQ,
				"期次“%s”无效：应为从 1 开始的整数（1, 2, 3 ...）",
				"invalid seq \"%s\": use a whole number counting from 1 (1, 2, 3 ...)",
				show(b, seq));
		r->num[0] = v;
	}
	check_date(im, r, IN_DUE, get(im, IN_DUE), &r->date[0]);
	amounts_ok = check_money(im, r, IN_PRINCIPAL, get(im, IN_PRINCIPAL),
				 true, false, &r->money[0]);
	amounts_ok &= check_money(im, r, IN_INTEREST, get(im, IN_INTEREST),
				  false, false, &r->money[1]);
	amounts_ok &= check_money(im, r, IN_FEE, get(im, IN_FEE), false, false,
				  &r->money[2]);
	if (amounts_ok && !r->money[0] && !r->money[1] && !r->money[2])
		ROW_ERR(im, r, IN_PRINCIPAL,
			"本金、利息、费用不能同时为 0；请填写应还金额或删除这一行",
			"principal, interest and fee cannot all be 0; give the amount due or remove the row");
}

static void check_payment(struct imp *im, struct row *r)
{
	struct field ch = get(im, PM_CHANNEL);
	char b[48];

	own_id(im, r, PM_ID, get(im, PM_ID));
	ref_id(im, r, PM_ACCOUNT, get(im, PM_ACCOUNT));
	check_date(im, r, PM_PAID_ON, get(im, PM_PAID_ON), &r->date[0]);
	check_money(im, r, PM_AMOUNT, get(im, PM_AMOUNT), true, true,
		    &r->money[0]);
	r->pick[0] = -1;
	if (!need(im, r, PM_CHANNEL, ch))
		return;
	r->pick[0] = (int8_t)pick(channels, ch);
	if (eq(ch, "cash"))
		ROW_ERR(im, r, PM_CHANNEL,
			"不接受现金（cash）还款：催收人员从不收取现金；请核实这笔钱的实际入账方式（bank_transfer、online、offset 或 other）",
			"cash is refused: field staff never take cash; check how the money really arrived (bank_transfer, online, offset or other)");
	else if (r->pick[0] < 0)
		ROW_ERR(im, r, PM_CHANNEL,
			"渠道“%s”无效：应为 bank_transfer、online、offset、other 之一",
			"invalid channel \"%s\": use one of bank_transfer, online, offset, other",
			show(b, ch));
	else if (r->pick[0] == CHANNEL_BANK_TRANSFER &&
		 get(im, PM_REFERENCE).len == 0)
		ROW_ERR(im, r, PM_REFERENCE,
			"银行转账必须填写银行流水号以便对账；请从银行回单上抄写",
			"a bank transfer needs its bank reference for reconciliation; copy it from the bank statement");
}

static void check_waiver(struct imp *im, struct row *r)
{
	struct field comp = get(im, WV_COMPONENT);
	char b[48];

	ref_id(im, r, WV_ACCOUNT, get(im, WV_ACCOUNT));
	check_date(im, r, WV_APPROVED_ON, get(im, WV_APPROVED_ON), &r->date[0]);
	if (need(im, r, WV_COMPONENT, comp)) {
		r->pick[0] = (int8_t)pick(components, comp);
		if (r->pick[0] < 0)
			ROW_ERR(im, r, WV_COMPONENT,
				"减免项“%s”无效：应为 penalty（罚息）、fee（费用）、interest（利息）或 principal（本金）",
				"invalid component \"%s\": use penalty, fee, interest or principal",
				show(b, comp));
	}
	check_money(im, r, WV_AMOUNT, get(im, WV_AMOUNT), true, true,
		    &r->money[0]);
}

static void check_promise(struct imp *im, struct row *r)
{
	bool made_ok, due_ok;

	ref_id(im, r, PR_DEBTOR, get(im, PR_DEBTOR));
	check_ident(im, r, PR_CREDITOR, get(im, PR_CREDITOR));
	made_ok = check_date(im, r, PR_MADE_ON, get(im, PR_MADE_ON),
			     &r->date[0]);
	due_ok = check_date(im, r, PR_DUE_ON, get(im, PR_DUE_ON), &r->date[1]);
	if (made_ok && due_ok && r->date[1] < r->date[0]) {
		char made[HK_DATE_BUFSZ], due[HK_DATE_BUFSZ];

		hk_date_format(r->date[0], made);
		hk_date_format(r->date[1], due);
		ROW_ERR(im, r, PR_DUE_ON,
			"承诺还款日 %s 早于承诺日 %s；请核对日期",
			"the promised date %s is before the day the promise was made (%s); check the dates",
			due, made);
	}
	check_money(im, r, PR_AMOUNT, get(im, PR_AMOUNT), true, true,
		    &r->money[0]);
}

typedef void (*row_check_fn)(struct imp *im, struct row *r);

static const row_check_fn row_checks[HK_IMPORT_KIND_COUNT] = {
	[HK_IMPORT_DEBTORS] = check_debtor,
	[HK_IMPORT_CONTACTS] = check_contact,
	[HK_IMPORT_ACCOUNTS] = check_account,
	[HK_IMPORT_INSTALLMENTS] = check_installment,
	[HK_IMPORT_PAYMENTS] = check_payment,
	[HK_IMPORT_WAIVERS] = check_waiver,
	[HK_IMPORT_PROMISES] = check_promise,
};

/* ======================================================================
 * CSV: header, records, physical lines
 * ====================================================================== */

/* "debtor_id,name,kind,..." for messages about the header. */
static void column_list(const struct kind_def *def, char *buf, size_t cap)
{
	size_t n = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < def->ncols && n < cap; i++) {
		int w = snprintf(buf + n, cap - n, "%s%s", i ? "," : "",
				 def->cols[i].name);

		if (w < 0)
			break;
		n += (size_t)w;
	}
}

static void stop_at(struct imp *im, long line)
{
	im->stop = true;
	im->stop_line = line;
}

static void encoding_error(struct imp *im, long line, const char *col)
{
	im->bad_encoding = true;
	if (im->opts->encoding == HK_ENC_GB18030)
		add_error(im, line, col, "%s",
			  HK_TR(im->lang,
				"含有无法按 GB18030 解码的字节；请确认文件的编码（UTF-8 文件请去掉 --encoding gb18030）",
				"holds bytes that are not valid GB18030; check the file's encoding (for a UTF-8 file leave out --encoding gb18030)"));
	else
		add_error(im, line, col, "%s",
			  HK_TR(im->lang,
				"不是有效的 UTF-8 文本；如果文件是 Excel 保存的 GBK/GB18030 编码，请加上 --encoding gb18030 重新导入",
				"is not valid UTF-8 text; if Excel saved the file as GBK/GB18030, import it again with --encoding gb18030"));
	stop_at(im, line);
}

static void header_done(struct imp *im)
{
	const struct kind_def *def = im->def;
	char list[256], label[LABEL_SZ];
	bool bad = false;
	size_t i;
	int k;

	im->have_header = true;
	column_list(def, list, sizeof(list));
	for (k = 0; k < MAX_COLS; k++)
		im->col_pos[k] = -1;
	for (k = 0; k < MAX_HDR; k++)
		im->field_col[k] = -1;
	if (im->nfield > MAX_HDR) {
		add_error(im, im->rec_line,
			  pos_label(label, sizeof(label), MAX_HDR),
			  HK_TR(im->lang,
				"表头有 %zu 列，太多了；%s 文件的列为：%s",
				"the header has %zu columns, too many; a %s file has the columns: %s"),
			  im->nfield, def->name, list);
		stop_at(im, im->rec_line);
		return;
	}
	for (i = 0; i < im->nfield; i++) {
		struct field f = { im->scratch + im->fld_off[i], im->fld_len[i] };
		char b[48];

		if (!utf8_valid((const unsigned char *)f.s, f.len)) {
			encoding_error(im, im->rec_line,
				       pos_label(label, sizeof(label), i));
			return;
		}
		for (k = 0; k < def->ncols; k++)
			if (eq(f, def->cols[k].name))
				break;
		if (f.len == 0) {
			add_error(im, im->rec_line,
				  pos_label(label, sizeof(label), i),
				  HK_TR(im->lang,
					"表头第 %zu 列没有列名；请填写列名或删除这一列",
					"header field %zu has no name; name the column or remove it"),
				  i + 1);
			bad = true;
		} else if (k == def->ncols) {
			add_error(im, im->rec_line, show(b, f),
				  HK_TR(im->lang,
					"未知的列；%s 文件的列为：%s（区分大小写）",
					"unknown column; a %s file has the columns: %s (case matters)"),
				  def->name, list);
			bad = true;
		} else if (im->col_pos[k] >= 0) {
			add_error(im, im->rec_line, def->cols[k].name,
				  HK_TR(im->lang,
					"这一列在表头中出现了两次（第 %d 列和第 %zu 列）；请删除多余的一列",
					"the column appears twice in the header (fields %d and %zu); remove one"),
				  im->col_pos[k] + 1, i + 1);
			bad = true;
		} else {
			im->col_pos[k] = (int8_t)i;
			im->field_col[i] = (int8_t)k;
		}
	}
	for (k = 0; k < def->ncols; k++) {
		if (def->cols[k].required && im->col_pos[k] < 0) {
			add_error(im, im->rec_line, def->cols[k].name,
				  HK_TR(im->lang,
					"缺少必填列 %s；%s 文件的列为：%s（加粗的为必填）",
					"the required column %s is missing; a %s file has the columns: %s"),
				  def->cols[k].name, def->name, list);
			bad = true;
		}
	}
	im->nhdr = (int)im->nfield;
	/* Rows cannot be read against a broken header: stop here. */
	if (bad)
		stop_at(im, im->rec_line);
}

/* A new row for the record that starts at rec_line, its cells empty. */
static struct row *push_row(struct imp *im)
{
	struct row *r;
	size_t i;

	grow((void **)&im->rows, &im->cap_rows, im->nrows + 1,
	     sizeof(*im->rows));
	grow((void **)&im->cells, &im->cap_cells,
	     (im->nrows + 1) * (size_t)im->nkeep, sizeof(*im->cells));
	for (i = 0; i < (size_t)im->nkeep; i++)
		im->cells[im->nrows * (size_t)im->nkeep + i] = "";
	r = &im->rows[im->nrows++];
	memset(r, 0, sizeof(*r));
	r->line = im->rec_line;
	r->ref = NO_REF;
	return r;
}

static void data_row(struct imp *im)
{
	const struct kind_def *def = im->def;
	struct row *r;
	char label[LABEL_SZ];
	size_t i;
	int k;

	if (im->nrows >= NO_REF - 1) {
		add_error(im, im->rec_line, "header", "%s",
			  HK_TR(im->lang, "行数太多；请拆分文件",
				"too many rows; split the file"));
		stop_at(im, im->rec_line);
		return;
	}
	r = push_row(im);

	if (im->nfield != (size_t)im->nhdr) {
		r->bad |= BAD_ROW;
		if (im->nfield < (size_t)im->nhdr) {
			add_error(im, r->line,
				  def->cols[im->field_col[im->nfield]].name,
				  HK_TR(im->lang,
					"这一行只有 %zu 个字段，表头有 %d 列；请检查是否少了逗号",
					"the row has %zu fields but the header has %d columns; check for a missing comma"),
				  im->nfield, im->nhdr);
		} else {
			add_error(im, r->line,
				  pos_label(label, sizeof(label),
					    (size_t)im->nhdr),
				  HK_TR(im->lang,
					"这一行有 %zu 个字段，表头只有 %d 列；含逗号的内容请整体用双引号括起来",
					"the row has %zu fields but the header has only %d columns; put text containing commas in double quotes"),
				  im->nfield, im->nhdr);
		}
		return;
	}
	for (i = 0; i < im->nfield; i++) {
		const char *s = im->scratch + im->fld_off[i];
		const char *col = def->cols[im->field_col[i]].name;

		if (!utf8_valid((const unsigned char *)s, im->fld_len[i])) {
			r->bad |= BAD_ROW;
			encoding_error(im, r->line, col);
			return;
		}
		if (im->fld_len[i] > FIELD_MAX) {
			r->bad |= BAD_ROW;
			add_error(im, r->line, col,
				  HK_TR(im->lang,
					"内容太长（%zu 字节，最多 %d 字节）；请检查引号是否配对",
					"the value is too long (%zu bytes, at most %d); check that the quotes match"),
				  im->fld_len[i], FIELD_MAX);
		}
	}
	if (r->bad)
		return;
	/* Keep the text the store will need before the record buffer is
	 * reused; own ids are checked against these stable copies. */
	for (k = 0; k < def->ncols; k++) {
		struct field f = get(im, k);

		if (def->cols[k].keep && f.len)
			im->cells[(im->nrows - 1) * (size_t)im->nkeep +
				  (size_t)im->keep_slot[k]] =
				arena_copy(&im->arena, f.s, f.len);
	}
	row_checks[im->kind](im, r);
}

/* libcsv: one field of the current record. */
static void on_field(void *data, size_t len, void *ctx)
{
	struct imp *im = ctx;
	size_t i = im->nfield++;

	if (im->stop || i >= MAX_HDR)
		return;
	if (im->scratch_cap - im->scratch_len < len + 1)
		grow((void **)&im->scratch, &im->scratch_cap,
		     im->scratch_len + len + 1, 1);
	memcpy(im->scratch + im->scratch_len, data, len);
	im->scratch[im->scratch_len + len] = '\0';
	im->fld_off[i] = im->scratch_len;
	im->fld_len[i] = len;
	im->scratch_len += len + 1;
}

/* libcsv: the end of a record. */
static void on_record(int term, void *ctx)
{
	struct imp *im = ctx;

	(void)term;
	if (!im->stop) {
		if (!im->have_header)
			header_done(im);
		else
			data_row(im);
		if (im->nrows % PROGRESS_EVERY == 0 && im->nrows)
			progress(im, "导入：已检查", "import: checked", im->nrows,
				 0);
	}
	im->nfield = 0;
	im->scratch_len = 0;
	im->in_record = false;
}

/* libcsv classifies bytes through these.  Only LF ends a record, so every
 * record ends at the end of a physical line and the line count stays
 * exact; CR counts as "space", which libcsv drops after a closing quote and
 * at the end of an unquoted field: that is how CRLF is tolerated while a CR
 * inside quotes is kept.  Blanks and tabs are data, not padding: " 12.00"
 * is not an amount. */
static int csv_is_space(unsigned char c)
{
	return c == '\r';
}

static int csv_is_term(unsigned char c)
{
	return c == '\n';
}

/*
 * Feed the parser one physical line at a time, so the line on which each
 * record starts is known (a record starts on the first non-blank line
 * after the previous one ended; quoted fields may span lines).  Lines that
 * hold nothing but a line end are skipped, as libcsv does: Excel never
 * writes them inside a file, but editors leave them at its end, and
 * refusing a file for that would help no one.
 */
static void parse(struct imp *im, const char *p, const char *end)
{
	char label[LABEL_SZ];

	im->line = 1;
	while (p < end && !im->stop) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl ? nl + 1 : end;
		const char *q;
		size_t n;

		if (!im->in_record) {
			for (q = p; q < stop && (*q == '\r' || *q == '\n'); q++)
				;
			if (q < stop) {
				im->in_record = true;
				im->rec_line = im->line;
			}
		}
		n = csv_parse(&im->csv, p, (size_t)(stop - p), on_field,
			      on_record, im);
		if (n < (size_t)(stop - p) && !im->stop) {
			if (im->have_header)
				push_row(im)->bad = BAD_ROW;
			add_error(im, im->rec_line,
				  field_label(im, label, sizeof(label),
					      im->nfield),
				  "%s",
				  HK_TR(im->lang,
					"CSV 格式错误：双引号用法不对；字段中的双引号要写成两个（\"\"），含逗号或换行的内容要整体用双引号括起来",
					"CSV syntax error: misplaced double quote; write a quote inside a field as \"\" and put text with commas or line breaks in double quotes"));
			stop_at(im, im->rec_line);
		}
		p = stop;
		if (nl)
			im->line++;
	}
	if (!im->stop && csv_fini(&im->csv, on_field, on_record, im) != 0) {
		if (im->have_header)
			push_row(im)->bad = BAD_ROW;
		add_error(im, im->rec_line,
			  field_label(im, label, sizeof(label), im->nfield),
			  "%s",
			  HK_TR(im->lang,
				"双引号直到文件末尾都没有闭合；请检查这一行的引号",
				"a double quote is never closed before the end of the file; check the quotes on this line"));
		stop_at(im, im->rec_line);
	}
}

/* ======================================================================
 * Checks against the store (inside the write transaction)
 * ====================================================================== */

/* Every referenced id at once (one round trip on PostgreSQL, not one per
 * id). */
static enum hk_rc lookup_refs(struct imp *im, int id_kind, struct hk_err *err)
{
	const char **ids = hk_calloc(im->nrefs + 1, sizeof(*ids));
	struct hk_found *found = hk_calloc(im->nrefs + 1, sizeof(*found));
	enum hk_rc rc;
	size_t i;

	for (i = 0; i < im->nrefs; i++)
		ids[i] = im->refs[i].id;
	rc = hk_store_lookup_many(im->store, id_kind, ids, im->nrefs, found,
				  err);
	for (i = 0; rc == HK_OK && i < im->nrefs; i++)
		im->refs[i].found = found[i];
	free(ids);
	free(found);
	return rc;
}

/* Own ids already in the store: a second import of the same file, or of
 * the same bank statement, must not add anything twice. */
static enum hk_rc check_own_exist(struct imp *im, int id_kind, int kc,
				  struct hk_err *err)
{
	const char **ids = hk_calloc(im->nrows + 1, sizeof(*ids));
	struct hk_found *found = hk_calloc(im->nrows + 1, sizeof(*found));
	size_t i, n = 0, k = 0;
	enum hk_rc rc;

	/* the first row of each id, looked up all at once */
	for (i = 0; i < im->nrows; i++)
		if (im->rows[i].own_first)
			ids[n++] = im->cells[i * (size_t)im->nkeep +
					     (size_t)im->keep_slot[kc]];
	rc = hk_store_lookup_many(im->store, id_kind, ids, n, found, err);
	for (i = 0; rc == HK_OK && i < im->nrows; i++) {
		struct row *r = &im->rows[i];
		const char *id;

		if ((i + 1) % PROGRESS_EVERY == 0)
			progress(im, "导入：已核对", "import: verified", i + 1,
				 im->nrows);
		if (!r->own_first)
			continue;
		id = ids[k];
		if (!found[k++].ref)
			continue;
		if (im->kind == HK_IMPORT_PAYMENTS)
			ROW_ERR(im, r, kc,
				"还款“%s”已经导入过；同一笔还款不能入账两次，请从文件中删除这一行",
				"payment \"%s\" was already imported; a payment is never booked twice: remove this row",
				id);
		else
			ROW_ERR(im, r, kc,
				"编号“%s”已存在于数据库中；请勿重复导入，新记录请用新编号",
				"id \"%s\" already exists in the database; do not import it again, give new records new ids",
				id);
	}
	free(ids);
	free(found);
	return rc;
}

/* The referenced debtor or account must exist; returns it or NULL. */
static const struct hk_found *resolved(struct imp *im, struct row *r, int kc)
{
	const struct ref_slot *ref;

	if (r->ref == NO_REF)
		return NULL;
	ref = &im->refs[r->ref];
	if (ref->found.ref) {
		r->store_ref = ref->found.ref;
		return &ref->found;
	}
	if (im->kind == HK_IMPORT_CONTACTS || im->kind == HK_IMPORT_ACCOUNTS ||
	    im->kind == HK_IMPORT_PROMISES)
		ROW_ERR(im, r, kc,
			"债务人“%s”不存在；请先导入 debtors 文件，或核对编号",
			"debtor \"%s\" does not exist; import the debtors file first or check the id",
			ref->id);
	else
		ROW_ERR(im, r, kc,
			"账户“%s”不存在；请先导入 accounts 文件，或核对编号",
			"account \"%s\" does not exist; import the accounts file first or check the id",
			ref->id);
	return NULL;
}

/* A date of the row that must not precede the account's opening. */
static void not_before_open(struct imp *im, struct row *r, int kc,
			    int32_t date, const struct hk_found *acct)
{
	char d[HK_DATE_BUFSZ], open[HK_DATE_BUFSZ];

	if (r->bad & (1u << kc) || date >= acct->open_date)
		return;
	hk_date_format(date, d);
	hk_date_format(acct->open_date, open);
	ROW_ERR(im, r, kc, "日期 %s 早于账户开立日 %s；请核对日期",
		"the date %s is before the account's open date %s; check the date",
		d, open);
}

static int by_seq(const void *a, const void *b, void *ctx)
{
	const struct row *rows = ctx;
	const struct row *x = &rows[*(const uint32_t *)a];
	const struct row *y = &rows[*(const uint32_t *)b];

	if (x->num[0] != y->num[0])
		return x->num[0] < y->num[0] ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/*
 * Each account's schedule as a whole: seqs 1..n, due dates strictly
 * increasing with seq, principal adding up to the account's.  Rows of one
 * account may be anywhere in the file, so they are grouped by a counting
 * sort on the account's slot.  Defects are reported on the account's first
 * row in the file.  An account with a bad row is skipped: its schedule
 * cannot be judged until that row is fixed, and guessing would only add
 * noise.
 */
static void check_schedules(struct imp *im)
{
	uint32_t *order, *start;
	size_t i;

	start = hk_calloc(im->nrefs + 1, sizeof(*start));
	for (i = 0; i < im->nrows; i++) {
		struct row *r = &im->rows[i];

		if (r->ref == NO_REF)
			continue;
		start[r->ref + 1]++;
		if (im->refs[r->ref].first_row == NO_REF)
			im->refs[r->ref].first_row = (uint32_t)i;
		if (r->bad)
			im->refs[r->ref].rows_bad = true;
	}
	for (i = 0; i < im->nrefs; i++)
		start[i + 1] += start[i];
	order = hk_malloc((start[im->nrefs] + 1) * sizeof(*order));
	for (i = 0; i < im->nrows; i++)
		if (im->rows[i].ref != NO_REF)
			order[start[im->rows[i].ref] + im->refs[im->rows[i].ref].nrows++] =
				(uint32_t)i;

	for (i = 0; i < im->nrefs; i++) {
		struct ref_slot *ref = &im->refs[i];
		uint32_t *g = order + start[i];
		struct row *first;
		int64_t sum = 0;
		size_t j;

		if (!ref->nrows || !ref->found.ref)
			continue;
		first = &im->rows[ref->first_row];
		if (ref->found.has_schedule) {
			ROW_ERR(im, first, IN_ACCOUNT,
				"账户“%s”已有还款计划，不能再次导入；要改变计划请另行办理分期协商",
				"account \"%s\" already has a schedule, which is imported only once; a new schedule is a repayment plan",
				ref->id);
			continue;
		}
		if (ref->rows_bad)
			continue;
		qsort_r(g, ref->nrows, sizeof(*g), by_seq, im->rows);
		for (j = 0; j < ref->nrows; j++) {
			const struct row *r = &im->rows[g[j]];

			if (r->num[0] == (int32_t)(j + 1))
				continue;
			if (j > 0 && r->num[0] == im->rows[g[j - 1]].num[0])
				ROW_ERR(im, first, IN_SEQ,
					"账户“%s”的第 %d 期出现了两次（第 %ld 行和第 %ld 行）；每期只能有一行",
					"account \"%s\" has seq %d twice (lines %ld and %ld); each installment has one row",
					ref->id, (int)r->num[0],
					im->rows[g[j - 1]].line, r->line);
			else
				ROW_ERR(im, first, IN_SEQ,
					"账户“%s”的还款计划缺少第 %zu 期（期次应从 1 起连续编号）；请补上缺的一期或重新编号",
					"account \"%s\" has no seq %zu (seqs run 1, 2, 3 ... with no gaps); add the missing installment or renumber",
					ref->id, j + 1);
			break;
		}
		if (j == ref->nrows) {
			for (j = 1; j < ref->nrows; j++) {
				const struct row *prev = &im->rows[g[j - 1]];
				const struct row *r = &im->rows[g[j]];
				char d1[HK_DATE_BUFSZ], d2[HK_DATE_BUFSZ];

				if (r->date[0] > prev->date[0])
					continue;
				hk_date_format(prev->date[0], d1);
				hk_date_format(r->date[0], d2);
				ROW_ERR(im, first, IN_DUE,
					"账户“%s”第 %d 期的到期日 %s（第 %ld 行）不晚于第 %d 期的 %s；到期日必须随期次严格递增",
					"account \"%s\": seq %d is due %s (line %ld), not after seq %d due %s; due dates must increase with seq",
					ref->id, (int)r->num[0], d2, r->line,
					(int)prev->num[0], d1);
				break;
			}
		}
		for (j = 0; j < ref->nrows; j++)
			sum += im->rows[g[j]].money[0];
		if (sum != ref->found.principal) {
			char s1[HK_MONEY_BUFSZ], s2[HK_MONEY_BUFSZ];

			hk_money_format(sum, s1);
			hk_money_format(ref->found.principal, s2);
			ROW_ERR(im, first, IN_PRINCIPAL,
				"账户“%s”各期本金合计 %s，与账户本金 %s 不符；请核对还款计划",
				"account \"%s\": the installments' principal adds up to %s but the account's principal is %s; check the schedule",
				ref->id, s1, s2);
		}
	}
	free(order);
	free(start);
}

static int by_account_date(const void *a, const void *b, void *ctx)
{
	const struct row *rows = ctx;
	const struct row *x = &rows[*(const uint32_t *)a];
	const struct row *y = &rows[*(const uint32_t *)b];

	if (x->ref != y->ref)
		return x->ref < y->ref ? -1 : 1;
	if (x->date[0] != y->date[0])
		return x->date[0] < y->date[0] ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/*
 * Waivers are checked and written together, account by account in date
 * order, inside the transaction: what can be waived on a day depends on
 * the waivers before it, and the waivable function reads them from the
 * store (same-day waivers included, those written earlier in this file
 * too).  If any row is bad the transaction is rolled back, so nothing
 * stays.
 */
static enum hk_rc check_and_write_waivers(struct imp *im, struct hk_err *err)
{
	uint32_t *order = hk_malloc((im->nrows + 1) * sizeof(*order));
	size_t n = 0, i;
	enum hk_rc rc = HK_OK;

	for (i = 0; i < im->nrows; i++)
		if (!im->rows[i].bad)
			order[n++] = (uint32_t)i;
	qsort_r(order, n, sizeof(*order), by_account_date, im->rows);
	for (i = 0; i < n && rc == HK_OK; i++) {
		struct row *r = &im->rows[order[i]];
		const char *const *cell = im->cells + order[i] * (size_t)im->nkeep;
		struct hk_waiver_rec rec;

		if (im->opts->waivable) {
			int64_t max = 0;

			rc = im->opts->waivable(im->opts->waivable_ctx,
						r->store_ref, r->date[0],
						r->pick[0], &max, err);
			if (rc != HK_OK)
				break;
			if (r->money[0] > max) {
				char a[HK_MONEY_BUFSZ], m[HK_MONEY_BUFSZ];

				hk_money_format(r->money[0], a);
				hk_money_format(max, m);
				ROW_ERR(im, r, WV_AMOUNT,
					"减免金额 %s 超过该账户当日可减免的%s %s；请按不超过该金额重新审批",
					"the waiver of %s is more than the %s that can be waived on that day (%s); have at most that approved",
					a,
					im->lang == HK_LANG_EN
						? components[r->pick[0]]
						: components_zh[r->pick[0]],
					m);
				continue;
			}
		}
		memset(&rec, 0, sizeof(rec));
		rec.account_ref = r->store_ref;
		rec.approved_on = r->date[0];
		rec.component = r->pick[0];
		rec.amount = r->money[0];
		rec.approved_by = cell[im->keep_slot[WV_APPROVED_BY]];
		rec.reason = cell[im->keep_slot[WV_REASON]];
		rc = im->store->ops->insert_waiver(im->store, &rec, err);
	}
	free(order);
	return rc;
}

static enum hk_rc store_checks(struct imp *im, struct hk_err *err)
{
	struct hk_store *s = im->store;
	enum hk_rc rc;
	size_t i;

	switch (im->kind) {
	case HK_IMPORT_DEBTORS:
		return check_own_exist(im, HK_ID_DEBTOR, DB_ID, err);
	case HK_IMPORT_CONTACTS:
		if ((rc = lookup_refs(im, HK_ID_DEBTOR, err)) != HK_OK ||
		    (rc = check_own_exist(im, HK_ID_CONTACT, CT_ID, err)) != HK_OK)
			return rc;
		for (i = 0; i < im->nrows; i++)
			resolved(im, &im->rows[i], CT_DEBTOR);
		return HK_OK;
	case HK_IMPORT_ACCOUNTS:
		if ((rc = lookup_refs(im, HK_ID_DEBTOR, err)) != HK_OK ||
		    (rc = check_own_exist(im, HK_ID_ACCOUNT, AC_ID, err)) != HK_OK)
			return rc;
		for (i = 0; i < im->nrows; i++)
			resolved(im, &im->rows[i], AC_DEBTOR);
		return HK_OK;
	case HK_IMPORT_INSTALLMENTS:
		if ((rc = lookup_refs(im, HK_ID_ACCOUNT, err)) != HK_OK)
			return rc;
		for (i = 0; i < im->nrows; i++) {
			struct row *r = &im->rows[i];
			const struct hk_found *acct = resolved(im, r, IN_ACCOUNT);

			if (acct)
				not_before_open(im, r, IN_DUE, r->date[0], acct);
		}
		check_schedules(im);
		return HK_OK;
	case HK_IMPORT_PAYMENTS:
		if ((rc = lookup_refs(im, HK_ID_ACCOUNT, err)) != HK_OK ||
		    (rc = check_own_exist(im, HK_ID_PAYMENT, PM_ID, err)) != HK_OK)
			return rc;
		for (i = 0; i < im->nrows; i++) {
			struct row *r = &im->rows[i];
			const struct hk_found *acct = resolved(im, r, PM_ACCOUNT);

			if (acct)
				not_before_open(im, r, PM_PAID_ON, r->date[0],
						acct);
		}
		return HK_OK;
	case HK_IMPORT_WAIVERS:
		if ((rc = lookup_refs(im, HK_ID_ACCOUNT, err)) != HK_OK)
			return rc;
		for (i = 0; i < im->nrows; i++) {
			struct row *r = &im->rows[i];
			const struct hk_found *acct = resolved(im, r, WV_ACCOUNT);

			if (acct)
				not_before_open(im, r, WV_APPROVED_ON,
						r->date[0], acct);
		}
		return check_and_write_waivers(im, err);
	case HK_IMPORT_PROMISES:
		if ((rc = lookup_refs(im, HK_ID_DEBTOR, err)) != HK_OK)
			return rc;
		for (i = 0; i < im->nrows; i++) {
			struct row *r = &im->rows[i];
			const char *creditor;
			int64_t case_ref = 0;

			if (!resolved(im, r, PR_DEBTOR) ||
			    r->bad & (1u << PR_CREDITOR))
				continue;
			creditor = im->cells[i * (size_t)im->nkeep +
					     (size_t)im->keep_slot[PR_CREDITOR]];
			rc = s->ops->case_find(s, r->store_ref, creditor,
					       &case_ref, err);
			if (rc != HK_OK)
				return rc;
			if (!case_ref)
				ROW_ERR(im, r, PR_CREDITOR,
					"债务人“%s”与债权人“%s”之间没有案件；请先导入该债权人的账户，或核对编号",
					"debtor \"%s\" has no case with creditor \"%s\"; import that creditor's accounts first or check the ids",
					im->refs[r->ref].id, creditor);
			r->store_ref = case_ref;
		}
		return HK_OK;
	}
	return hk_err_set(err, HK_EINTERNAL, "bad import kind %d", im->kind);
}

/* ======================================================================
 * Writing (only when every row is good)
 * ====================================================================== */

static enum hk_rc write_row(struct imp *im, size_t i, struct hk_err *err)
{
	struct hk_store *s = im->store;
	const struct row *r = &im->rows[i];
	const char *const *cell = im->cells + i * (size_t)im->nkeep;
	const int *ks = im->keep_slot;

	switch (im->kind) {
	case HK_IMPORT_DEBTORS: {
		struct hk_debtor_rec rec = {
			.debtor_id = cell[ks[DB_ID]],
			.name = cell[ks[DB_NAME]],
			.kind = r->pick[0],
			.id_number = cell[ks[DB_IDNO]],
			.phone = cell[ks[DB_PHONE]],
			.segment = cell[ks[DB_SEGMENT]],
			.province = cell[ks[DB_PROVINCE]],
			.city = cell[ks[DB_CITY]],
			.address = cell[ks[DB_ADDRESS]],
			.employer = cell[ks[DB_EMPLOYER]],
		};
		return s->ops->insert_debtor(s, &rec, err);
	}
	case HK_IMPORT_CONTACTS: {
		struct hk_contact_rec rec = {
			.contact_id = cell[ks[CT_ID]],
			.debtor_ref = r->store_ref,
			.relation = relations[r->pick[0]],
			.name = cell[ks[CT_NAME]],
			.phone = cell[ks[CT_PHONE]],
			.authorized = r->pick[1] != 0,
		};
		return s->ops->insert_contact(s, &rec, err);
	}
	case HK_IMPORT_ACCOUNTS: {
		struct hk_account_rec rec = {
			.account_id = cell[ks[AC_ID]],
			.debtor_ref = r->store_ref,
			.creditor = cell[ks[AC_CREDITOR]],
			.product = r->pick[0],
			.principal = r->money[0],
			.annual_ppm = r->num[0],
			.penalty_ppm = r->num[1],
			.open_date = r->date[0],
		};
		return s->ops->insert_account(s, &rec, err);
	}
	case HK_IMPORT_INSTALLMENTS: {
		struct hk_installment_rec rec = {
			.account_ref = r->store_ref,
			.seq = r->num[0],
			.due = r->date[0],
			.principal = r->money[0],
			.interest = r->money[1],
			.fee = r->money[2],
		};
		return s->ops->insert_installment(s, &rec, err);
	}
	case HK_IMPORT_PAYMENTS: {
		struct hk_payment_rec rec = {
			.payment_id = cell[ks[PM_ID]],
			.account_ref = r->store_ref,
			.paid_on = r->date[0],
			.amount = r->money[0],
			.channel = channels[r->pick[0]],
			.reference = cell[ks[PM_REFERENCE]],
		};
		return s->ops->insert_payment(s, &rec, err);
	}
	case HK_IMPORT_WAIVERS:
		return HK_OK; /* written while checked */
	case HK_IMPORT_PROMISES: {
		struct hk_promise_rec rec = {
			.case_ref = r->store_ref,
			.made_on = r->date[0],
			.due_on = r->date[1],
			.amount = r->money[0],
		};
		return s->ops->insert_promise(s, &rec, err);
	}
	}
	return hk_err_set(err, HK_EINTERNAL, "bad import kind %d", im->kind);
}

/* ======================================================================
 * The entry points
 * ====================================================================== */

int hk_import_kind_parse(const char *word)
{
	int k;

	if (!word)
		return -1;
	for (k = 0; k < HK_IMPORT_KIND_COUNT; k++)
		if (!strcmp(word, kinds[k].name))
			return k;
	return -1;
}

const char *hk_import_kind_name(int kind)
{
	if (kind < 0 || kind >= HK_IMPORT_KIND_COUNT)
		return "?";
	return kinds[kind].name;
}

/* Print the kept errors and the count line. */
static void report(struct imp *im, struct hk_err *err, enum hk_rc rc)
{
	size_t shown, bad_rows = 0, i;
	char count[384];
	int n;

	qsort(im->errs, im->nerrs, sizeof(*im->errs), err_cmp);
	shown = im->nerrs < im->max_errors ? im->nerrs : im->max_errors;
	for (i = 0; i < shown; i++)
		fprintf(im->out, "%s:%ld: %s: %s\n", im->file, im->errs[i].line,
			im->errs[i].col, im->errs[i].msg);
	for (i = 0; i < im->nrows; i++)
		if (im->rows[i].bad)
			bad_rows++;
	if (im->lang == HK_LANG_EN)
		n = snprintf(count, sizeof(count),
			     "%zu error%s in %zu row%s%s; nothing was imported: fix %s and import the whole file again",
			     im->nerrors, im->nerrors == 1 ? "" : "s", bad_rows,
			     bad_rows == 1 ? "" : "s",
			     shown < im->nerrors ? " (the first ones shown)" : "",
			     im->nerrors == 1 ? "it" : "them");
	else
		n = snprintf(count, sizeof(count),
			     "共 %zu 处错误（涉及 %zu 行）%s，未导入任何数据；请改正后重新导入整个文件",
			     im->nerrors, bad_rows,
			     shown < im->nerrors ? "，以上只列出前面的部分" : "");
	if (im->stop && im->stop_line > 0 && n > 0 && (size_t)n < sizeof(count))
		snprintf(count + n, sizeof(count) - (size_t)n,
			 HK_TR(im->lang, "（第 %ld 行之后未检查）",
			       " (lines after %ld were not checked)"),
			 im->stop_line);
	fprintf(im->out, "%s\n", count);
	fflush(im->out);
	/* The message stays empty: it has been printed, and the CLI prints
	 * err->msg only when there is one (cmd_import.c). */
	if (err) {
		hk_err_clear(err);
		err->code = rc;
		if (im->nerrs) {
			err->line = im->errs[0].line;
			snprintf(err->field, sizeof(err->field), "%s",
				 im->errs[0].col);
		}
	}
}

static void imp_release(struct imp *im)
{
	csv_free(&im->csv);
	free(im->scratch);
	free(im->rows);
	free(im->cells);
	free(im->refs);
	free(im->own_ids.slots);
	free(im->ref_ids.slots);
	free(im->errs);
	arena_release(&im->arena);
}

enum hk_rc hk_import_file(struct hk_store *s, const char *path,
			  const struct hk_import_opts *opts,
			  struct hk_import_result *result,
			  struct hk_err *err)
{
	struct imp im;
	char *buf = NULL;
	const char *text;
	size_t len = 0, i;
	enum hk_rc rc;
	int k;

	if (result)
		memset(result, 0, sizeof(*result));
	if (!opts || opts->kind < 0 || opts->kind >= HK_IMPORT_KIND_COUNT)
		return hk_err_set(err, HK_EUSAGE, "unknown import kind %d",
				  opts ? opts->kind : -1);
	memset(&im, 0, sizeof(im));
	im.store = s;
	im.opts = opts;
	im.kind = opts->kind;
	im.def = &kinds[opts->kind];
	im.lang = opts->lang;
	im.file = opts->display_name ? opts->display_name : path;
	im.out = opts->errors ? opts->errors : stderr;
	/* Zero means "the default", so a zeroed opts still reports; the
	 * ceiling only keeps the buffer's size sane. */
	im.max_errors = opts->max_errors ? opts->max_errors : DEFAULT_MAX_ERRORS;
	if (im.max_errors > MAX_ERRORS_KEPT)
		im.max_errors = MAX_ERRORS_KEPT;
	im.cap_errs = 2 * im.max_errors;
	im.errs = hk_malloc(im.cap_errs * sizeof(*im.errs));
	for (k = 0; k < im.def->ncols; k++)
		im.keep_slot[k] = im.def->cols[k].keep ? im.nkeep++ : -1;
	if (csv_init(&im.csv, CSV_STRICT | CSV_STRICT_FINI) != 0) {
		imp_release(&im);
		return hk_err_set(err, HK_EINTERNAL, "csv_init failed");
	}
	csv_set_space_func(&im.csv, csv_is_space);
	csv_set_term_func(&im.csv, csv_is_term);
	csv_set_realloc_func(&im.csv, hk_realloc);
	csv_set_blk_size(&im.csv, 4096);

	if ((rc = read_whole(&im, path, &buf, &len, err)) != HK_OK) {
		imp_release(&im);
		return rc;
	}
	if (len >= 2 && (((unsigned char)buf[0] == 0xFF &&
			  (unsigned char)buf[1] == 0xFE) ||
			 ((unsigned char)buf[0] == 0xFE &&
			  (unsigned char)buf[1] == 0xFF))) {
		/* Excel's "Unicode text" is UTF-16: say so rather than
		 * complain about every other byte. */
		im.bad_encoding = true;
		add_error(&im, 1, "header", "%s",
			  HK_TR(im.lang,
				"文件是 UTF-16 编码；请在 Excel 中另存为“CSV UTF-8（逗号分隔）”后再导入",
				"the file is UTF-16; save it from Excel as \"CSV UTF-8 (comma delimited)\" and import it again"));
		goto done;
	}
	if (opts->encoding == HK_ENC_GB18030 &&
	    (rc = gb18030_to_utf8(&im, &buf, &len, err)) != HK_OK) {
		free(buf);
		imp_release(&im);
		return rc;
	}
	text = buf;
	if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) {
		text += 3;
		len -= 3;
	}
	parse(&im, text, text + len);
	if (!im.have_header && !im.stop) {
		char list[256];

		column_list(im.def, list, sizeof(list));
		add_error(&im, 1, "header",
			  HK_TR(im.lang,
				"文件是空的：第一行应为表头，例如 %s",
				"the file is empty: the first line must be the header, such as %s"),
			  list);
	}
	if (im.progress_shown)
		progress(&im, "导入：已检查", "import: checked", im.nrows, 0);

	/* Stopped (bad header, encoding, syntax) or nothing to write. */
	if (im.stop || im.nrows == 0)
		goto done;

	/* The checks against the store run inside the write transaction,
	 * so nothing can slip in between them and the inserts (two imports
	 * of one bank file at once), and SQLite reads them all in one
	 * transaction instead of one per lookup. */
	if ((rc = s->ops->begin(s, err)) != HK_OK)
		goto fail;
	if ((rc = store_checks(&im, err)) != HK_OK) {
		s->ops->rollback(s);
		goto fail;
	}
	if (im.nerrors > 0) {
		s->ops->rollback(s);
		goto done;
	}
	/* the rows go in bulk where the backend can (PostgreSQL: COPY) */
	if ((rc = hk_store_bulk_begin(s, err)) != HK_OK) {
		s->ops->rollback(s);
		goto fail;
	}
	for (i = 0; i < im.nrows; i++) {
		if ((rc = write_row(&im, i, err)) != HK_OK) {
			s->ops->rollback(s);
			goto fail;
		}
		if ((i + 1) % PROGRESS_EVERY == 0)
			progress(&im, "导入：已写入", "import: written", i + 1,
				 im.nrows);
	}
	if ((rc = hk_store_bulk_end(s, err)) != HK_OK ||
	    (rc = s->ops->commit(s, err)) != HK_OK) {
		s->ops->rollback(s);
		goto fail;
	}
	if (im.progress_shown)
		progress(&im, "导入：已写入", "import: written", im.nrows,
			 im.nrows);

done:
	if (im.progress_shown)
		fputc('\n', stderr);
	rc = HK_OK;
	if (im.nerrors > 0) {
		rc = im.bad_encoding ? HK_EENCODING : HK_EINVAL;
		report(&im, err, rc);
	}
	if (result) {
		result->rows = im.nrows;
		result->errors = im.nerrors;
		for (i = 0; i < im.nrows; i++)
			if (im.rows[i].bad)
				result->bad_rows++;
	}
	free(buf);
	imp_release(&im);
	return rc;

fail:
	if (im.progress_shown)
		fputc('\n', stderr);
	if (result)
		result->rows = im.nrows;
	free(buf);
	imp_release(&im);
	return rc;
}
