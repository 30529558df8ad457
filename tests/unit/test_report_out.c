/*
 * test_report_out.c - unit tests of src/io/report_out.c (include/hk/report.h):
 * rates as text (rounding, signs, the whole int64 range), one sheet as CSV
 * byte for byte, the report as JSON, and the XLSX workbook read back two
 * ways: its parts with `unzip -p` (sheet names, the frozen pane, each
 * cell's number format and the total row's bold, a column's width) and its
 * values with LibreOffice, which converts every sheet to CSV; those are
 * compared with the CSV export, so the workbook shows what the CSV says.
 * The LibreOffice part is skipped where soffice is absent (install-deps.sh
 * test brings libreoffice-calc-nogui), the unzip part where unzip is.
 * Misuse (a cell of the wrong type...) aborts by design: not tested here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "hk/report.h"
#include "hk/types.h"

static char dir[] = "/tmp/hk-test-report.XXXXXX";
static char xlsx[sizeof(dir) + 16];

/* ---- helpers ------------------------------------------------------------ */

static bool have(const char *tool)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	return system(cmd) == 0;
}

/* The output of a shell command, whole (the caller frees). */
static char *run(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	size_t len = 0, cap = 4096, n;
	char *buf = malloc(cap);

	assert_non_null(p);
	while ((n = fread(buf + len, 1, cap - len - 1, p)) > 0) {
		len += n;
		if (len + 1 == cap)
			buf = realloc(buf, cap *= 2);
	}
	buf[len] = '\0';
	assert_int_equal(pclose(p), 0);
	return buf;
}

/* A file's bytes, NUL-terminated (the caller frees); NULL if absent. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

/* hk_report_csv's bytes for one sheet (the caller frees). */
static char *csv_of(const struct hk_report *r, const struct hk_rsheet *sh,
		    size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	struct hk_err err = {0};

	assert_non_null(f);
	assert_int_equal(hk_report_csv(r, sh, f, &err), HK_OK);
	fclose(f);
	*len = n;
	return buf;
}

static void assert_bytes(const char *got, size_t len, const char *want)
{
	if (len != strlen(want) || memcmp(got, want, len)) {
		fprintf(stderr, "got  %zu bytes: [%.*s]\nwant %zu bytes: [%s]\n", len,
			(int)len, got, strlen(want), want);
		fail();
	}
}

/* A CSV file as rows of fields: RFC 4180 quoting, CRLF or LF line ends,
 * a byte-order mark skipped. */
struct row {
	size_t n;
	char **f;
};
struct table {
	size_t n;
	struct row *rows;
};

static void table_parse(const char *s, struct table *t)
{
	struct row *row = NULL;

	t->n = 0;
	t->rows = NULL;
	if (!strncmp(s, "\xEF\xBB\xBF", 3))
		s += 3;
	while (*s) {
		char *field = malloc(strlen(s) + 1);
		size_t k = 0;

		if (!row) {
			t->rows = realloc(t->rows, (t->n + 1) * sizeof(*t->rows));
			row = &t->rows[t->n++];
			row->n = 0;
			row->f = NULL;
		}
		if (*s == '"') {
			for (s++; *s && !(s[0] == '"' && s[1] != '"'); s++) {
				if (*s == '"')
					s++; /* a doubled quote */
				field[k++] = *s;
			}
			assert_int_equal(*s, '"');
			s++;
		} else {
			while (*s && !strchr(",\r\n", *s))
				field[k++] = *s++;
		}
		field[k] = '\0';
		row->f = realloc(row->f, (row->n + 1) * sizeof(*row->f));
		row->f[row->n++] = field;
		if (*s == ',') {
			s++;
			continue;
		}
		if (*s == '\r')
			s++;
		assert_true(*s == '\n' || !*s);
		if (*s)
			s++;
		row = NULL;
	}
}

static void table_free(struct table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		for (size_t j = 0; j < t->rows[i].n; j++)
			free(t->rows[i].f[j]);
		free(t->rows[i].f);
	}
	free(t->rows);
}

/* ---- the report every XLSX test writes ---------------------------------- */

#define T33 "2026年11月各催收团队回款率与账龄分布明细（含外包机构及个人）"

/* The sheet titles and the worksheet names Excel allows for them:
 * illegal characters as '_' (机 U+673A and 个 U+4E2A kept: only their
 * low bytes look like ':' and '*'), 31 UTF-16 units at most, apostrophes
 * neither first nor last, unique whatever the case, "History" taken. */
static const struct {
	const char *key, *title, *name;
} sheets[] = {
	{"whole", "全部", "全部"},
	{"by_team", "按团队/产品", "按团队_产品"},
	{"by_agency", "个人/机构: [外包]*?", "个人_机构_ _外包___"},
	{"long", T33, "2026年11月各催收团队回款率与账龄分布明细（含外包机构及个"},
	{"long2", T33, "2026年11月各催收团队回款率与账龄分布明细（含外包 (2)"},
	{"quoted", "'张三's 组'", "_张三's 组_"},
	{"team_a", "Team", "Team"},
	{"team_b", "TEAM", "TEAM (2)"},
	{"history", "History", "History (2)"},
	{"untitled", "", "表10"},
	/* U+20000, two UTF-16 units each: 16 are 32 units, 15 are kept */
	{"astral", "𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀",
	 "𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀"},
	/* cut after 31 characters, an apostrophe would be last */
	{"cut_quote", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'B", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA_"},
};
#define NSHEETS (sizeof(sheets) / sizeof(sheets[0]))

static struct hk_report *build_report(void)
{
	struct hk_report *r = hk_report_new("aging", "账龄分析", HK_LANG_ZH);
	struct hk_rsheet *a, *b;

	hk_report_subtitle(r, "截至 %s, %s", "2026-11-23", "全部机构");
	a = hk_report_sheet(r, sheets[0].key, sheets[0].title);
	hk_rsheet_col(a, "bucket", "账龄", HK_R_TEXT);
	hk_rsheet_col(a, "cases", "案件数", HK_R_INT);
	hk_rsheet_col(a, "overdue", "逾期金额", HK_R_MONEY);
	hk_rsheet_col(a, "share", "占比", HK_R_RATE);
	hk_rsheet_col(a, "since", "最早逾期日", HK_R_DATE);

	hk_rsheet_text(a, "M1 逾期 1-30 天，含\"承诺\"");
	hk_rsheet_int(a, 1234567);
	hk_rsheet_money(a, 123456789);
	hk_rsheet_rate(a, 1, 3);
	hk_rsheet_date(a, hk_date_from_ymd(2026, 11, 23));

	hk_rsheet_text(a, "逗号,与\n换行");
	hk_rsheet_int(a, 0);
	hk_rsheet_money(a, -5);
	hk_rsheet_rate(a, -1, 8);
	hk_rsheet_date(a, HK_DATE_NONE);

	hk_rsheet_text(a, NULL);
	hk_rsheet_int(a, -42);
	hk_rsheet_money(a, 100);
	hk_rsheet_rate(a, 2, 3);
	/* before 1900-03-01: text in the workbook (Excel and LibreOffice
	 * would show the number a day apart) */
	hk_rsheet_date(a, hk_date_from_ymd(1900, 1, 1));

	hk_rsheet_text(a, "零");
	hk_rsheet_int(a, 7);
	hk_rsheet_money(a, 0);
	hk_rsheet_rate(a, 1, 0);
	hk_rsheet_date(a, hk_date_from_ymd(2024, 2, 29));

	hk_rsheet_text(a, "合计");
	hk_rsheet_int(a, 1234532);
	hk_rsheet_money(a, 123456884);
	hk_rsheet_rate(a, 5, 5);
	hk_rsheet_null(a);
	hk_rsheet_mark_total(a);

	b = hk_report_sheet(r, sheets[1].key, sheets[1].title);
	hk_rsheet_col(b, "team", "团队", HK_R_TEXT);
	hk_rsheet_col(b, "rate", "回款率", HK_R_RATE);
	hk_rsheet_col(b, "paid", "回款金额", HK_R_MONEY);
	hk_rsheet_text(b, "一组");
	hk_rsheet_rate(b, 1, 20000);
	hk_rsheet_money(b, 100000000000);
	hk_rsheet_text(b, "二组");
	hk_rsheet_rate(b, -1, 20000);
	hk_rsheet_money(b, -1);
	hk_rsheet_text(b, "三组");
	hk_rsheet_rate(b, 0, 5);
	hk_rsheet_money(b, 50);
	hk_rsheet_text(b, "四组");
	/* exactly 0.12345, and a hair below: double arithmetic would
	 * round both up */
	hk_rsheet_rate(b, 246900000000000000, 2000000000000000000);
	hk_rsheet_money(b, 1);
	hk_rsheet_text(b, "五组");
	hk_rsheet_rate(b, 246899999999999999, 2000000000000000000);
	hk_rsheet_money(b, 10);

	for (size_t i = 2; i < NSHEETS; i++) {
		struct hk_rsheet *sh = hk_report_sheet(r, sheets[i].key, sheets[i].title);

		hk_rsheet_col(sh, "name", "名称", HK_R_TEXT);
		hk_rsheet_text(sh, sheets[i].key);
	}
	return r;
}

/* ---- rates -------------------------------------------------------------- */

static void ratio_format(void **state)
{
	static const struct {
		int64_t num, den;
		const char *want;
	} cases[] = {
		{1, 3, "0.3333"},
		{2, 3, "0.6667"},
		{1, 8, "0.1250"},
		{-1, 8, "-0.1250"},
		{1, -8, "-0.1250"},
		{-1, -8, "0.1250"},
		/* halves go away from zero */
		{1, 20000, "0.0001"},
		{-1, 20000, "-0.0001"},
		{3, 20000, "0.0002"},
		{-3, 20000, "-0.0002"},
		/* below half a ten-thousandth: zero, without a sign */
		{1, 30000, "0.0000"},
		{-1, 30000, "0.0000"},
		{0, 7, "0.0000"},
		{7, 7, "1.0000"},
		{5, 2, "2.5000"},
		{-123456, 100, "-1234.5600"},
		{1, 0, ""},
		{0, 0, ""},
		{INT64_MAX, INT64_MAX, "1.0000"},
		{INT64_MIN, INT64_MIN, "1.0000"},
		{INT64_MIN, INT64_MAX, "-1.0000"},
		{1, INT64_MAX, "0.0000"},
		{INT64_MAX, 1, "9223372036854775807.0000"},
		{INT64_MIN, 1, "-9223372036854775808.0000"},
		{INT64_MIN, -1, "9223372036854775808.0000"},
		/* 9223372036854775807 = 3 * 3074457345618258602 + 1 */
		{INT64_MAX, 3, "3074457345618258602.3333"},
		{INT64_MAX, 2, "4611686018427387903.5000"},
		/* 0.12345 exactly rounds up; 1/(2 * 10^18) less does not */
		{246900000000000000, 2000000000000000000, "0.1235"},
		{246899999999999999, 2000000000000000000, "0.1234"},
		{-246900000000000000, 2000000000000000000, "-0.1235"},
		{-246899999999999999, 2000000000000000000, "-0.1234"},
	};
	char buf[HK_RATIO_BUFSZ];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(buf, 'x', sizeof(buf));
		hk_ratio_format(cases[i].num, cases[i].den, buf);
		if (strcmp(buf, cases[i].want))
			fprintf(stderr, "%lld/%lld\n", (long long)cases[i].num,
				(long long)cases[i].den);
		assert_string_equal(buf, cases[i].want);
	}
}

/* ---- CSV ---------------------------------------------------------------- */

static void csv_bytes(void **state)
{
	struct hk_report *r = build_report();
	char *got;
	size_t len;

	(void)state;
	got = csv_of(r, hk_report_find(r, "whole"), &len);
	assert_bytes(got, len,
		     "\xEF\xBB\xBF"
		     "账龄,案件数,逾期金额,占比,最早逾期日\r\n"
		     "\"M1 逾期 1-30 天，含\"\"承诺\"\"\",1234567,1234567.89,0.3333,2026-11-23\r\n"
		     "\"逗号,与\n换行\",0,-0.05,-0.1250,\r\n"
		     ",-42,1.00,0.6667,1900-01-01\r\n"
		     "零,7,0.00,,2024-02-29\r\n"
		     "合计,1234532,1234568.84,1.0000,\r\n");
	free(got);
	got = csv_of(r, hk_report_find(r, "by_team"), &len);
	assert_bytes(got, len,
		     "\xEF\xBB\xBF"
		     "团队,回款率,回款金额\r\n"
		     "一组,0.0001,1000000000.00\r\n"
		     "二组,-0.0001,-0.01\r\n"
		     "三组,0.0000,0.50\r\n"
		     "四组,0.1235,0.01\r\n"
		     "五组,0.1234,0.10\r\n");
	free(got);
	hk_report_free(r);
}

/* Quotes only where RFC 4180 needs them: a comma, a quote, CR or LF;
 * an empty string and a null are both an empty field; a sheet without
 * rows is its heads alone. */
static void csv_quoting(void **state)
{
	struct hk_report *r = hk_report_new("q", "Q", HK_LANG_EN);
	struct hk_rsheet *sh = hk_report_sheet(r, "s", "S");
	struct hk_rsheet *empty = hk_report_sheet(r, "e", "E");
	char *got;
	size_t len;

	(void)state;
	hk_rsheet_col(sh, "a", "name, full", HK_R_TEXT);
	hk_rsheet_col(sh, "b", "say \"hi\"", HK_R_TEXT);
	hk_rsheet_col(sh, "c", "n", HK_R_INT);
	hk_rsheet_text(sh, "plain text");
	hk_rsheet_text(sh, "cr\rhere");
	hk_rsheet_int(sh, INT64_MIN);
	hk_rsheet_text(sh, "");
	hk_rsheet_text(sh, NULL);
	hk_rsheet_null(sh);
	hk_rsheet_text(sh, "\"");
	hk_rsheet_text(sh, "lf\n");
	hk_rsheet_int(sh, INT64_MAX);
	hk_rsheet_col(empty, "a", "only", HK_R_MONEY);
	got = csv_of(r, sh, &len);
	assert_bytes(got, len,
		     "\xEF\xBB\xBF"
		     "\"name, full\",\"say \"\"hi\"\"\",n\r\n"
		     "plain text,\"cr\rhere\",-9223372036854775808\r\n"
		     ",,\r\n"
		     "\"\"\"\",\"lf\n\",9223372036854775807\r\n");
	free(got);
	got = csv_of(r, empty, &len);
	assert_bytes(got, len, "\xEF\xBB\xBFonly\r\n");
	free(got);
	hk_report_free(r);
}

static void csv_write_fails(void **state)
{
	struct hk_report *r = build_report();
	struct hk_err err = {0};
	FILE *f = fopen("/dev/full", "w");

	(void)state;
	if (!f) {
		hk_report_free(r);
		skip();
	}
	assert_int_equal(hk_report_csv(r, r->sheets[1], f, &err), HK_EIO);
	assert_int_equal(err.code, HK_EIO);
	assert_non_null(strstr(err.msg, "aging"));
	assert_non_null(strstr(err.msg, "by_team"));
	fclose(f);
	hk_report_free(r);
}

/* ---- JSON --------------------------------------------------------------- */

static void json_exact(void **state)
{
	struct hk_report *r = hk_report_new("aging", "账龄分析", HK_LANG_ZH);
	struct hk_rsheet *a = hk_report_sheet(r, "whole", "全部");
	struct hk_rsheet *e = hk_report_sheet(r, "empty", "空表");
	json_t *j;
	char *s;

	(void)state;
	hk_report_subtitle(r, "截至 %d-%02d-%02d", 2026, 11, 23);
	json_object_set_new(r->meta, "as_of", json_string("2026-11-23"));
	json_object_set_new(r->meta, "team", json_null());
	hk_rsheet_col(a, "bucket", "账龄", HK_R_TEXT);
	hk_rsheet_col(a, "cases", "案件数", HK_R_INT);
	hk_rsheet_col(a, "overdue", "逾期金额", HK_R_MONEY);
	hk_rsheet_col(a, "share", "占比", HK_R_RATE);
	hk_rsheet_col(a, "since", "最早逾期日", HK_R_DATE);
	hk_rsheet_text(a, "M1 \"承诺\"/\n");
	hk_rsheet_int(a, 3);
	hk_rsheet_money(a, 123456789);
	hk_rsheet_rate(a, 1, 3);
	hk_rsheet_date(a, hk_date_from_ymd(2026, 11, 23));
	hk_rsheet_text(a, NULL);
	hk_rsheet_int(a, -1);
	hk_rsheet_money(a, -5);
	hk_rsheet_rate(a, 1, 0);
	hk_rsheet_date(a, HK_DATE_NONE);
	hk_rsheet_text(a, "合计");
	hk_rsheet_int(a, 2);
	hk_rsheet_money(a, 123456784);
	hk_rsheet_rate(a, -1, 20000);
	hk_rsheet_null(a);
	hk_rsheet_mark_total(a);
	hk_rsheet_col(e, "name", "名称", HK_R_TEXT);

	j = hk_report_json(r);
	s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
	assert_string_equal(
		s,
		"{\"meta\":{\"as_of\":\"2026-11-23\",\"team\":null},"
		"\"report\":\"aging\","
		"\"sheets\":["
		"{\"columns\":["
		"{\"key\":\"bucket\",\"title\":\"账龄\",\"type\":\"text\"},"
		"{\"key\":\"cases\",\"title\":\"案件数\",\"type\":\"int\"},"
		"{\"key\":\"overdue\",\"title\":\"逾期金额\",\"type\":\"money\"},"
		"{\"key\":\"share\",\"title\":\"占比\",\"type\":\"rate\"},"
		"{\"key\":\"since\",\"title\":\"最早逾期日\",\"type\":\"date\"}],"
		"\"key\":\"whole\","
		"\"rows\":["
		"[\"M1 \\\"承诺\\\"/\\n\",3,\"1234567.89\",\"0.3333\",\"2026-11-23\"],"
		"[null,-1,\"-0.05\",null,null],"
		"[\"合计\",2,\"1234567.84\",\"-0.0001\",null]],"
		"\"title\":\"全部\",\"total\":true},"
		"{\"columns\":[{\"key\":\"name\",\"title\":\"名称\",\"type\":\"text\"}],"
		"\"key\":\"empty\",\"rows\":[],\"title\":\"空表\",\"total\":false}],"
		"\"subtitle\":\"截至 2026-11-23\","
		"\"title\":\"账龄分析\"}");
	free(s);
	json_decref(j);

	/* the meta is copied: the report's own stays as it was */
	assert_int_equal(json_object_size(r->meta), 2);
	assert_ptr_equal(hk_report_find(r, "empty"), e);
	assert_null(hk_report_find(r, "nope"));
	hk_report_free(r);
}

/* ---- XLSX: the parts ---------------------------------------------------- */

static char *part(const char *name)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "unzip -p '%s' '%s'", xlsx, name);
	return run(cmd);
}

/* The value of attribute `name` in the element starting at `el` (the
 * caller frees); NULL when the element has none. */
static char *attr(const char *el, const char *name)
{
	const char *end = strchr(el, '>');
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), " %s=\"", name);
	p = strstr(el, pat);
	if (!p || p > end)
		return NULL;
	p += strlen(pat);
	return strndup(p, strcspn(p, "\""));
}

/* The `n`th (0-based) element `<tag` after `from`. */
static const char *nth(const char *from, const char *tag, long n)
{
	size_t len = strlen(tag);
	long seen = -1;

	assert_non_null(from);
	for (const char *p = from;; p += len) {
		p = strstr(p, tag);
		assert_non_null(p);
		if ((p[len] == ' ' || p[len] == '>' || p[len] == '/') && ++seen == n)
			return p;
	}
}

struct style {
	char numfmt[32]; /* the format code: "General" when none */
	bool bold;
};

/* The style of cell `ref` ("C5") of a worksheet part. */
static struct style cell_style(const char *sheet, const char *styles,
			       const char *ref)
{
	/* the built-in formats a writer may use instead of its own */
	static const char *const builtin[] = {
		[0] = "General", [3] = "#,##0", [4] = "#,##0.00", [10] = "0.00%",
	};
	struct style st = {{0}, false};
	char pat[64], *s, *id, *font;
	const char *cell, *xf, *f;
	long numfmt;

	snprintf(pat, sizeof(pat), "<c r=\"%s\"", ref);
	cell = strstr(sheet, pat);
	assert_non_null(cell);
	s = attr(cell, "s");
	xf = nth(strstr(styles, "<cellXfs"), "<xf", s ? atol(s) : 0);
	free(s);
	id = attr(xf, "numFmtId");
	font = attr(xf, "fontId");
	assert_non_null(id);
	assert_non_null(font);
	numfmt = atol(id);
	if (numfmt < 164) {
		assert_true(numfmt < (long)(sizeof(builtin) / sizeof(builtin[0])));
		assert_non_null(builtin[numfmt]);
		snprintf(st.numfmt, sizeof(st.numfmt), "%s", builtin[numfmt]);
	} else {
		char *code;

		snprintf(pat, sizeof(pat), "<numFmt numFmtId=\"%ld\"", numfmt);
		assert_non_null(strstr(styles, pat));
		code = attr(strstr(styles, pat), "formatCode");
		snprintf(st.numfmt, sizeof(st.numfmt), "%s", code);
		free(code);
	}
	f = nth(strstr(styles, "<fonts"), "<font", atol(font));
	st.bold = strstr(f, "<b/>") && strstr(f, "<b/>") < strstr(f, "</font>");
	free(id);
	free(font);
	return st;
}

static void xlsx_parts(void **state)
{
	static const struct {
		const char *ref, *numfmt;
		bool bold;
	} cells[] = {
		{"A1", "General", true},  /* the title */
		{"A4", "General", true},  /* the heads */
		{"C4", "General", true},
		{"A5", "General", false}, /* the first row */
		{"B5", "#,##0", false},
		{"C5", "#,##0.00", false},
		{"D5", "0.00%", false},
		{"E5", "yyyy-mm-dd", false},
		{"A9", "General", true},  /* the total */
		{"B9", "#,##0", true},
		{"C9", "#,##0.00", true},
		{"D9", "0.00%", true},
		{"E9", "yyyy-mm-dd", true}, /* null, blank with the total's style */
	};
	char *book, *sheet, *styles, *col;
	const char *p;
	double width;

	(void)state;
	if (!have("unzip"))
		skip();
	/* the worksheets' names, in order */
	book = part("xl/workbook.xml");
	p = book;
	for (size_t i = 0; i < NSHEETS; i++) {
		char *name;

		p = strstr(p, "<sheet ");
		assert_non_null(p);
		name = attr(p, "name");
		assert_string_equal(name, sheets[i].name);
		free(name);
		p++;
	}
	assert_null(strstr(p, "<sheet "));
	free(book);

	/* every sheet frozen below its heads, in row 4 */
	for (size_t i = 1; i <= NSHEETS; i++) {
		char name[64];

		snprintf(name, sizeof(name), "xl/worksheets/sheet%zu.xml", i);
		sheet = part(name);
		p = strstr(sheet, "<pane ");
		assert_non_null(p);
		assert_non_null(strstr(p, "ySplit=\"4\""));
		assert_non_null(strstr(p, "topLeftCell=\"A5\""));
		assert_non_null(strstr(p, "state=\"frozen\""));
		assert_true(strstr(p, "/>") > strstr(p, "state=\"frozen\""));
		free(sheet);
	}

	/* the number formats, and the total row in bold */
	sheet = part("xl/worksheets/sheet1.xml");
	styles = part("xl/styles.xml");
	for (size_t i = 0; i < sizeof(cells) / sizeof(cells[0]); i++) {
		struct style st = cell_style(sheet, styles, cells[i].ref);

		if (strcmp(st.numfmt, cells[i].numfmt) || st.bold != cells[i].bold)
			fprintf(stderr, "%s: %s%s\n", cells[i].ref, st.numfmt,
				st.bold ? " bold" : "");
		assert_string_equal(st.numfmt, cells[i].numfmt);
		assert_int_equal(st.bold, cells[i].bold);
	}
	/* 1900-01-01 (E7) is text; 2024-02-29 (E8) Excel's day number */
	p = strstr(sheet, "<c r=\"E7\"");
	assert_non_null(p);
	assert_true(strstr(p, "t=\"s\"") && strstr(p, "t=\"s\"") < strchr(p, '>'));
	p = strstr(sheet, "<c r=\"E8\"");
	assert_non_null(p);
	assert_non_null(strstr(p, "<v>45351</v>"));
	assert_true(strstr(p, "<v>45351</v>") < strstr(p, "</c>"));

	/* column A fits its longest cell, a CJK character counted twice:
	 * "M1 逾期 1-30 天，含"承诺"" is 25 digits wide, with 2 of margin */
	p = strstr(sheet, "<col min=\"1\" max=\"1\"");
	assert_non_null(p);
	col = attr(p, "width");
	assert_non_null(col);
	width = atof(col);
	free(col);
	assert_true(width >= 27.0 && width < 28.0);
	free(sheet);
	free(styles);
}

/* ---- XLSX: the values, through LibreOffice ------------------------------ */

/*
 * LibreOffice's CSV filter options, by position: 44 (comma), 34 (quote),
 * 76 (UTF-8), 1 (from the first line), no column formats, the language
 * (0: the system's; soffice runs under LC_ALL=C.UTF-8), not all text
 * quoted, detect special numbers, *not* "as shown", no formulas, spaces
 * kept, -1: every sheet, each into "<book>-<sheet name>.csv" (7.4+).
 *
 * Not "as shown", LibreOffice 7.4 prints a cell's stored value, not its
 * number format's rendering: money as the plain number, shortest
 * ("1234567.89", "1" for 1.00, "0.5", no thousands separators), a count
 * as digits, a date as yyyy-mm-dd, and a percent-formatted number as its
 * value times 100 with a '%' and as many places as the number holds
 * ("33.33%" for 0.3333, "12.5%", "100%", "-0.01%"; an unrounded 1/3 would
 * be "33.3333333333333%").  So these CSVs check the values themselves:
 * that rates were rounded to the CSV's four places before they were
 * written, and that money is fen / 100.  Text is as is, quoted only when
 * needed; an empty cell is an empty field; lines end in LF, with no
 * byte-order mark; each line has as many fields as the sheet's used
 * range, so the title rows end in commas.
 */
#define LO_FILTER \
	"csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"

/* What LibreOffice prints for a cell that hk_report_csv wrote as `csv`
 * (the caller frees). */
static char *lo_text(enum hk_rtype type, const char *csv)
{
	char *out = malloc(strlen(csv) + 8);

	strcpy(out, csv);
	if (!csv[0])
		return out;
	if (type == HK_R_MONEY) {
		/* trailing zeros and a bare point dropped */
		char *end = out + strlen(out);

		while (end[-1] == '0')
			*--end = '\0';
		if (end[-1] == '.')
			*--end = '\0';
	} else if (type == HK_R_RATE) {
		/* ten-thousandths as hundredths of a percent */
		bool neg = csv[0] == '-';
		const char *dot = strchr(csv, '.');
		long long q = atoll(csv + neg) * 10000 + atoll(dot + 1);
		char frac[4];
		char *end;

		snprintf(frac, sizeof(frac), "%02lld", q % 100);
		end = frac + 2;
		while (end > frac && end[-1] == '0')
			*--end = '\0';
		sprintf(out, "%s%lld%s%s%%", neg ? "-" : "", q / 100, frac[0] ? "." : "",
			frac);
	}
	return out;
}

static void assert_row_empty(const struct row *row, size_t from)
{
	for (size_t i = from; i < row->n; i++)
		assert_string_equal(row->f[i], "");
}

static void xlsx_libreoffice(void **state)
{
	struct hk_report *r = build_report();
	char cmd[1024], path[256], *text;
	struct table lo;

	(void)state;
	if (!have("soffice")) {
		hk_report_free(r);
		skip();
	}
	/* a private profile: parallel runs must not share one */
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && LC_ALL=C.UTF-8 timeout 120 soffice"
		 " -env:UserInstallation=file://%s/lo-profile --headless"
		 " --convert-to '" LO_FILTER "' --outdir '%s/lo' '%s'"
		 " >'%s/lo.log' 2>&1",
		 dir, dir, dir, xlsx, dir);
	if (system(cmd) != 0) {
		snprintf(path, sizeof(path), "%s/lo.log", dir);
		text = slurp(path, NULL);
		fprintf(stderr, "soffice failed:\n%s\n", text ? text : "(no log)");
		free(text);
		fail();
	}

	/* the first sheet exactly */
	snprintf(path, sizeof(path), "%s/lo/report-%s.csv", dir, sheets[0].name);
	text = slurp(path, NULL);
	assert_non_null(text);
	assert_string_equal(text,
			    "账龄分析,,,,\n"
			    "\"截至 2026-11-23, 全部机构\",,,,\n"
			    ",,,,\n"
			    "账龄,案件数,逾期金额,占比,最早逾期日\n"
			    "\"M1 逾期 1-30 天，含\"\"承诺\"\"\",1234567,1234567.89,33.33%,2026-11-23\n"
			    "\"逗号,与\n换行\",0,-0.05,-12.5%,\n"
			    ",-42,1,66.67%,1900-01-01\n"
			    "零,7,0,,2024-02-29\n"
			    "合计,1234532,1234568.84,100%,\n");
	free(text);

	/* every sheet, a file by its worksheet name, against the CSV export */
	for (size_t i = 0; i < NSHEETS; i++) {
		const struct hk_rsheet *sh = r->sheets[i];
		struct table ours;
		size_t len;
		char *csv = csv_of(r, sh, &len);

		table_parse(csv, &ours);
		free(csv);
		snprintf(path, sizeof(path), "%s/lo/report-%s.csv", dir, sheets[i].name);
		text = slurp(path, NULL);
		if (!text)
			fprintf(stderr, "no %s\n", path);
		assert_non_null(text);
		table_parse(text, &lo);
		free(text);

		/* the title, the subtitle, a blank row, then the CSV's lines */
		assert_int_equal(lo.n, ours.n + 3);
		assert_string_equal(lo.rows[0].f[0], "账龄分析");
		assert_row_empty(&lo.rows[0], 1);
		assert_string_equal(lo.rows[1].f[0], "截至 2026-11-23, 全部机构");
		assert_row_empty(&lo.rows[1], 1);
		assert_row_empty(&lo.rows[2], 0);
		for (size_t row = 0; row < ours.n; row++) {
			const struct row *o = &ours.rows[row], *l = &lo.rows[row + 3];

			assert_int_equal(o->n, sh->ncols);
			assert_int_equal(l->n, sh->ncols);
			for (size_t c = 0; c < sh->ncols; c++) {
				char *want = lo_text(row ? sh->cols[c].type : HK_R_TEXT,
						     o->f[c]);

				if (strcmp(l->f[c], want))
					fprintf(stderr, "sheet %s line %zu column %zu\n",
						sh->key, row + 1, c + 1);
				assert_string_equal(l->f[c], want);
				free(want);
			}
		}
		table_free(&ours);
		table_free(&lo);
	}
	hk_report_free(r);
}

/* Unwritable: HK_EIO naming the path, no file left. */
static void xlsx_unwritable(void **state)
{
	struct hk_report *r = build_report();
	struct hk_err err = {0};

	(void)state;
	assert_int_equal(hk_report_xlsx(r, "/nonexistent-dir/r.xlsx", &err), HK_EIO);
	assert_int_equal(err.code, HK_EIO);
	assert_non_null(strstr(err.msg, "/nonexistent-dir/r.xlsx"));
	assert_int_equal(access("/nonexistent-dir/r.xlsx", F_OK), -1);
	hk_report_free(r);
}

/* ---- the workbook every XLSX test reads --------------------------------- */

static int setup(void **state)
{
	struct hk_report *r;
	struct hk_err err = {0};
	enum hk_rc rc;

	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(xlsx, sizeof(xlsx), "%s/report.xlsx", dir);
	r = build_report();
	rc = hk_report_xlsx(r, xlsx, &err);
	hk_report_free(r);
	if (rc != HK_OK) {
		fprintf(stderr, "hk_report_xlsx: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ratio_format),
		cmocka_unit_test(csv_bytes),
		cmocka_unit_test(csv_quoting),
		cmocka_unit_test(csv_write_fails),
		cmocka_unit_test(json_exact),
		cmocka_unit_test(xlsx_parts),
		cmocka_unit_test(xlsx_libreoffice),
		cmocka_unit_test(xlsx_unwritable),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
