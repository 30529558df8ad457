/*
 * test_pdf.c - unit tests of src/io/pdf.c: a letter in the markup drawn
 * into two files at once, read back with poppler's pdftotext and pdffonts
 * (Debian's poppler-utils): the Chinese text, the table's cells, the page
 * numbers over several pages, the letterhead, values escaped so they
 * cannot turn into markup, and every font embedded; and cairo's streams
 * compressed at zlib's level 1 (pdf.c), other levels as asked.
 */
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include "hk/pdf.h"

static char dir[] = "/tmp/hk-test-pdf.XXXXXX";

/* The output of a shell command, whole (NUL-terminated; the caller frees). */
static char *run(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	size_t n;

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

/* pdftotext's text with every blank removed: line breaks and justification
 * spaces are the layout's business, the words are ours. */
static char *text_of(const char *path, int first, int last)
{
	char cmd[512];
	char *t, *w;

	snprintf(cmd, sizeof(cmd), "pdftotext -f %d -l %d -enc UTF-8 '%s' -",
		 first, last, path);
	t = run(cmd);
	w = t;
	for (char *r = t; *r; r++)
		if (*r != ' ' && *r != '\n' && *r != '\f')
			*w++ = *r;
	*w = '\0';
	return t;
}

static const char letter[] =
	"# 催收通知函\n"
	"## 编号：HK-2026-000042\n"
	"\n"
	"张三先生/女士：\n"
	"　　截至2026年12月7日，您在本行的信用卡账户已逾期**45天**，逾期金额合计人民币12,345.67元（大写：壹万贰仟叁佰肆拾伍元陆角柒分）。\n"
	"| 账号 | 产品 | 逾期金额 |\n"
	"|---|---|---:|\n"
	"| 6222\\*\\*\\*\\*1234 | 信用卡 | 10,000.00 |\n"
	"| 6222\\*\\*\\*\\*5678 | 消费贷 | 2,345.67 |\n"
	"---\n"
	"> 某某银行信用卡中心\n"
	"> 2026年12月7日\n";

static void renders_text_table_and_fonts(void **state)
{
	struct hk_letter_style st;
	struct hk_pdf *a = NULL, *b = NULL;
	struct hk_err err = {0};
	char pa[256], pb[256], cmd[512];
	int pages = 0;
	char *t, *fonts;

	(void)state;
	hk_letter_style_default(&st);
	snprintf(st.org, sizeof(st.org), "某某银行信用卡中心");
	snprintf(st.org_line, sizeof(st.org_line), "上海市浦东新区 · 客服 95588");
	snprintf(pa, sizeof(pa), "%s/a.pdf", dir);
	snprintf(pb, sizeof(pb), "%s/b.pdf", dir);
	assert_int_equal(hk_pdf_open(pa, &a, HK_LANG_ZH, &err), HK_OK);
	assert_int_equal(hk_pdf_open(pb, &b, HK_LANG_ZH, &err), HK_OK);
	struct hk_pdf *both[] = {a, b};
	assert_int_equal(hk_pdf_letter(NULL, both, 2, &st, letter, strlen(letter),
				       &pages, HK_LANG_ZH, &err), HK_OK);
	assert_int_equal(pages, 1);
	assert_int_equal(hk_pdf_close(a, &err), HK_OK);
	assert_int_equal(hk_pdf_close(b, &err), HK_OK);

	t = text_of(pa, 1, 1);
	/* in reading order: letterhead, title, number, body, table, signature */
	const char *want[] = {"某某银行信用卡中心", "客服95588", "催收通知函",
			      "编号：HK-2026-000042", "张三先生/女士：",
			      "逾期45天", "人民币12,345.67元",
			      "壹万贰仟叁佰肆拾伍元陆角柒分", "账号", "逾期金额",
			      "6222****1234", "10,000.00", "消费贷", "2,345.67",
			      "2026年12月7日", "第1页，共1页"};
	const char *at = t;
	for (size_t i = 0; i < sizeof(want) / sizeof(*want); i++) {
		const char *found = strstr(at, want[i]);

		if (!found)
			fail_msg("\"%s\" is not in the text (after %zu): %s", want[i], i, t);
		at = found + strlen(want[i]);
	}
	free(t);
	/* the second file is the same letter */
	t = text_of(pb, 1, 1);
	assert_non_null(strstr(t, "壹万贰仟叁佰肆拾伍元陆角柒分"));
	free(t);

	snprintf(cmd, sizeof(cmd), "pdffonts '%s'", pa);
	fonts = run(cmd);
	/* titles in the body's face, bold: one family, two faces a file */
	assert_non_null(strstr(fonts, "NotoSerifCJKsc-Regular"));
	assert_non_null(strstr(fonts, "NotoSerifCJKsc-Bold"));
	/* every font line (after the two header lines) says emb yes */
	int lines = 0;
	for (char *l = strchr(strchr(fonts, '\n') + 1, '\n') + 1; *l;) {
		char *eol = strchr(l, '\n');

		if (eol)
			*eol = '\0';
		if (*l) {
			lines++;
			if (!strstr(l, " yes "))
				fail_msg("a font not embedded: %s", l);
		}
		if (!eol)
			break;
		l = eol + 1;
	}
	assert_true(lines == 2); /* regular and bold */
	free(fonts);
}

static void several_pages_numbered(void **state)
{
	struct hk_letter_style st;
	struct hk_pdf *a = NULL;
	struct hk_err err = {0};
	struct hk_text body = {0};
	char path[256];
	int pages = 0;
	char *t;

	(void)state;
	hk_letter_style_default(&st);
	for (int i = 1; i <= 120; i++) {
		char line[128];

		snprintf(line, sizeof(line), "第%d段：这是一段足够长的中文文字，用来把信函排到好几页上。\n", i);
		hk_text_add(&body, line, strlen(line));
	}
	snprintf(path, sizeof(path), "%s/long.pdf", dir);
	assert_int_equal(hk_pdf_open(path, &a, HK_LANG_ZH, &err), HK_OK);
	assert_int_equal(hk_pdf_letter(NULL, &a, 1, &st, body.p, body.len, &pages,
				       HK_LANG_ZH, &err), HK_OK);
	assert_int_equal(hk_pdf_close(a, &err), HK_OK);
	assert_true(pages >= 3);
	/* the last paragraph on the last page, numbered N of N */
	t = text_of(path, pages, pages);
	assert_non_null(strstr(t, "第120段"));
	char want[64];
	snprintf(want, sizeof(want), "第%d页，共%d页", pages, pages);
	assert_non_null(strstr(t, want));
	free(t);
	/* every paragraph once, none lost at a page break */
	t = text_of(path, 1, pages);
	for (int i = 1; i <= 120; i++) {
		char p[32];

		snprintf(p, sizeof(p), "第%d段：", i);
		const char *f = strstr(t, p);
		assert_non_null(f);
		assert_null(strstr(f + 1, p));
	}
	free(t);
	hk_text_clear(&body);
}

static void values_cannot_become_markup(void **state)
{
	struct hk_text out = {0};
	struct hk_letter_style st;
	struct hk_pdf *a = NULL;
	struct hk_err err = {0};
	char path[256];
	char *t;

	(void)state;
	hk_pdf_escape(&out, "# **x** | > -\nnext", 18);
	assert_string_equal(out.p, "\\# \\*\\*x\\*\\* \\| \\> \\- next");
	/* drawn: the characters as written, no title, no bold marks lost */
	hk_letter_style_default(&st);
	snprintf(path, sizeof(path), "%s/esc.pdf", dir);
	assert_int_equal(hk_pdf_open(path, &a, HK_LANG_ZH, &err), HK_OK);
	assert_int_equal(hk_pdf_letter(NULL, &a, 1, &st, out.p, out.len, NULL,
				       HK_LANG_ZH, &err), HK_OK);
	assert_int_equal(hk_pdf_close(a, &err), HK_OK);
	t = text_of(path, 1, 1);
	assert_non_null(strstr(t, "#**x**|>-next"));
	free(t);
	hk_text_clear(&out);
	/* not UTF-8: refused */
	assert_int_equal(hk_pdf_open(path, &a, HK_LANG_EN, &err), HK_OK);
	assert_int_equal(hk_pdf_letter(NULL, &a, 1, &st, "\xff\xfe", 2, NULL,
				       HK_LANG_EN, &err), HK_EINVAL);
	assert_string_equal(err.msg, "the letter's text is not valid UTF-8");
	assert_int_equal(hk_pdf_close(a, &err), HK_OK);
}

static void unwritable_path(void **state)
{
	struct hk_pdf *a = NULL;
	struct hk_err err = {0};

	(void)state;
	assert_int_equal(hk_pdf_open("/nonexistent-dir/x.pdf", &a, HK_LANG_EN, &err),
			 HK_EIO);
	assert_null(a);
	assert_non_null(strstr(err.msg, "could not write the PDF file /nonexistent-dir/x.pdf"));
}

/* deflate `in` through deflateInit (the macro cairo's stream uses) */
static uLong deflated(const Bytef *in, uLong n, int level, Bytef *out,
		      uLong cap)
{
	z_stream z = {0};
	uLong len;

	assert_int_equal(deflateInit(&z, level), Z_OK);
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	len = z.total_out;
	deflateEnd(&z);
	return len;
}

static void streams_at_level_one(void **state)
{
	enum { N = 1 << 16 };
	static const char *words[] = {"催收", "通知函", "逾期", "本金", "利息",
				      "罚息", "还款", "账户", "2026年", "12,345.67"};
	static Bytef in[N + 16], a[2 * N], b[2 * N], c[2 * N];
	uLongf la = sizeof(a), lb = sizeof(b), lc = sizeof(c);
	uint32_t x = 12345;
	size_t n = 0;

	(void)state;
	while (n < N) { /* text that levels 1 and 6 compress differently */
		const char *w = words[(x = x * 1103515245u + 12345u) >> 16 & 7];

		memcpy(in + n, w, strlen(w));
		n += strlen(w);
	}
	/* cairo's calls find the program's definitions first: the symbol
	 * lookup every library's call makes */
	assert_ptr_equal(dlsym(RTLD_DEFAULT, "compress"), (void *)compress);
	assert_ptr_equal(dlsym(RTLD_DEFAULT, "deflateInit_"), (void *)deflateInit_);
	assert_int_equal(compress(a, &la, in, n), Z_OK);
	assert_int_equal(compress2(b, &lb, in, n, 1), Z_OK);
	assert_int_equal(compress2(c, &lc, in, n, 6), Z_OK);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);
	assert_int_not_equal(la, lc); /* level 1 is not zlib's default here */
	/* the default level through deflateInit is 1; a level asked is kept */
	la = deflated(in, n, Z_DEFAULT_COMPRESSION, a, sizeof(a));
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);
	la = deflated(in, n, 6, a, sizeof(a));
	assert_int_equal(la, lc);
	assert_memory_equal(a, c, la);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
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
		cmocka_unit_test(renders_text_table_and_fonts),
		cmocka_unit_test(several_pages_numbered),
		cmocka_unit_test(values_cannot_become_markup),
		cmocka_unit_test(unwritable_path),
		cmocka_unit_test(streams_at_level_one),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
