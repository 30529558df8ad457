/*
 * test_tmpl.c - unit tests of src/io/tmpl.c, the template language of
 * letters and messages (docs/letters.md): values and dotted paths, lists
 * with their numbers, conditions, sections, comments, escaping, the
 * references walk, every syntax error with its line, and a robustness
 * run over 200,000 mangled templates (under ASan in make test).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hk/tmpl.h"
#include "rng.h"

static const char data_json[] =
	"{\"debtor\": {\"name\": \"张三\", \"kind\": \"person\"},"
	" \"owed\": {\"total\": \"12,345.67\", \"zero\": \"\"},"
	" \"count\": 3, \"yes\": true, \"no\": false, \"none\": null,"
	" \"empty\": [],"
	" \"accounts\": ["
	"  {\"id\": \"A-1\", \"amount\": \"100.00\", \"late\": true},"
	"  {\"id\": \"A-2\", \"amount\": \"200.50\", \"late\": false}]}";

/* Render src against data_json; the result (or NULL with *rc). */
static char *render(const char *src, enum hk_rc *rc_out, struct hk_err *err)
{
	json_error_t jerr;
	json_t *data = json_loads(data_json, 0, &jerr);
	struct hk_tmpl *t = NULL;
	struct hk_text out = {0};
	enum hk_rc rc;

	assert_non_null(data);
	rc = hk_tmpl_parse(src, strlen(src), HK_LANG_EN, &t, err);
	if (rc == HK_OK)
		rc = hk_tmpl_render(t, data, NULL, &out, HK_LANG_EN, err);
	hk_tmpl_free(t);
	json_decref(data);
	if (rc_out)
		*rc_out = rc;
	if (rc != HK_OK) {
		hk_text_clear(&out);
		return NULL;
	}
	return out.p;
}

static void expect(const char *src, const char *want)
{
	struct hk_err err = {0};
	enum hk_rc rc;
	char *got = render(src, &rc, &err);

	if (rc != HK_OK)
		fail_msg("%s: %s", src, err.msg);
	assert_string_equal(got, want);
	free(got);
}

static void expect_error(const char *src, const char *msg)
{
	struct hk_err err = {0};
	enum hk_rc rc;
	char *got = render(src, &rc, &err);

	assert_null(got);
	assert_int_equal(rc, HK_EINVAL);
	assert_string_equal(err.msg, msg);
}

static void values(void **state)
{
	(void)state;
	expect("", "");
	expect("plain text, { single braces }", "plain text, { single braces }");
	expect("尊敬的{{debtor.name}}：", "尊敬的张三：");
	expect("{{ owed.total }}元", "12,345.67元");
	expect("{{count}} {{yes}} {{no}} [{{none}}]", "3 yes no []");
	expect("{{!a comment}}a{{! another }}b", "ab");
}

static void lists(void **state)
{
	(void)state;
	expect("{{#each accounts}}{{@n}}. {{id}} {{amount}} ({{debtor.name}})\n{{/each}}",
	       "1. A-1 100.00 (张三)\n2. A-2 200.50 (张三)\n");
	/* an empty list, a missing one, null: nothing, no error */
	expect("[{{#each empty}}x{{/each}}]", "[]");
	expect("[{{#each none}}x{{/each}}]", "[]");
	/* nested: the inner {{@n}} is the inner list's */
	expect("{{#each accounts}}{{#each accounts}}{{@n}}{{/each}};{{/each}}",
	       "12;12;");
}

static void conditions(void **state)
{
	(void)state;
	expect("{{#if yes}}Y{{else}}N{{/if}}", "Y");
	expect("{{#if no}}Y{{else}}N{{/if}}", "N");
	expect("{{#if missing}}Y{{else}}N{{/if}}", "N");
	expect("{{#if owed.zero}}Y{{else}}N{{/if}}", "N");
	expect("{{#if owed.total}}Y{{/if}}", "Y");
	expect("{{#if empty}}Y{{else}}N{{/if}}", "N");
	expect("{{#if count}}Y{{/if}}", "Y");
	expect("{{#if !no}}Y{{/if}}{{#if ! yes}}N{{/if}}", "Y");
	expect("{{#each accounts}}{{id}}{{#if late}}*{{/if}} {{/each}}",
	       "A-1* A-2 ");
	expect("{{#section rights}}你有权{{/section}}", "你有权");
}

static void render_errors(void **state)
{
	(void)state;
	expect_error("a\n{{debtor.age}}",
		     "template line 2: no value \"debtor.age\"");
	expect_error("{{accounts}}",
		     "template line 1: \"accounts\" is not text and cannot be written (a list takes {{#each}})");
	expect_error("{{#each debtor}}x{{/each}}",
		     "template line 1: \"debtor\" is not a list");
}

static void syntax_errors(void **state)
{
	(void)state;
	expect_error("a\nb {{#each accounts}}\nc",
		     "template line 2: {{#each}} is never closed by {{/each}}");
	expect_error("{{#if yes}}\n\n{{/each}}",
		     "template line 3: the end tag does not match: {{#if}} → {{/if}}");
	expect_error("x\n{{/if}}",
		     "template line 2: an end tag with nothing open: {{/if}}");
	expect_error("{{#if yes}}a{{else}}b{{else}}c{{/if}}",
		     "template line 1: {{else}} belongs once inside an {{#if}}");
	expect_error("{{else}}",
		     "template line 1: {{else}} belongs once inside an {{#if}}");
	expect_error("{{@n}}", "template line 1: {{@n}} belongs inside an {{#each}}");
	expect_error("one\ntwo {{debtor.name", "template line 2: \"{{\" is never closed by \"}}\"");
	expect_error("{{debtor..name}}", "template line 1: an unknown tag {{…}}");
	expect_error("{{#loop x}}", "template line 1: an unknown tag {{#each|#if|#section …}}");
	expect_error("{{#each}}", "template line 1: an unknown tag {{#each|#if|#section …}}");
	expect_error("{{#each 1x}}", "template line 1: a missing or bad name: {{#each …}}");
	expect_error("{{#section a.b}}{{/section}}",
		     "template line 1: a missing or bad name: {{#section …}}");
}

static void depth_limit(void **state)
{
	char src[1024] = "";
	struct hk_err err = {0};
	struct hk_tmpl *t = NULL;

	(void)state;
	/* 16 nested blocks are fine, 17 are not */
	for (int i = 0; i < 16; i++)
		strcat(src, "{{#if yes}}");
	for (int i = 0; i < 16; i++)
		strcat(src, "{{/if}}");
	assert_int_equal(hk_tmpl_parse(src, strlen(src), HK_LANG_EN, &t, &err), HK_OK);
	hk_tmpl_free(t);
	strcpy(src, "{{#if yes}}");
	for (int i = 0; i < 16; i++)
		strcat(src, "{{#if yes}}");
	assert_int_equal(hk_tmpl_parse(src, strlen(src), HK_LANG_EN, &t, &err), HK_EINVAL);
	assert_string_equal(err.msg, "template line 1: blocks nest too deep (16 at most)");
	assert_null(t);
}

static void limits_and_chinese(void **state)
{
	struct hk_err err = {0};
	struct hk_tmpl *t = NULL;
	size_t big = HK_TMPL_MAX_BYTES + 1;
	char *src = malloc(big);

	(void)state;
	memset(src, 'a', big);
	assert_int_equal(hk_tmpl_parse(src, big, HK_LANG_ZH, &t, &err), HK_EINVAL);
	assert_string_equal(err.msg, "模板太长（最多 262144 字节）");
	assert_int_equal(hk_tmpl_parse("a\0b", 3, HK_LANG_EN, &t, &err), HK_EINVAL);
	assert_int_equal(hk_tmpl_parse("\n{{#if x}}", 10, HK_LANG_ZH, &t, &err), HK_EINVAL);
	assert_string_equal(err.msg, "模板第 2 行：{{#if}} 没有对应的 {{/if}}");
	free(src);
}

/* A letter's markup escapes values: the callback sees each value whole. */
static void bracket(struct hk_text *out, const char *v, size_t n)
{
	hk_text_add(out, "<", 1);
	hk_text_add(out, v, n);
	hk_text_add(out, ">", 1);
}

static void escaping(void **state)
{
	json_t *data = json_pack("{s:s, s:i}", "a", "**x**", "n", 7);
	struct hk_tmpl *t = NULL;
	struct hk_text out = {0};
	struct hk_err err = {0};
	const char *src = "**{{a}}** {{n}}";

	(void)state;
	assert_int_equal(hk_tmpl_parse(src, strlen(src), HK_LANG_EN, &t, &err), HK_OK);
	assert_int_equal(hk_tmpl_render(t, data, bracket, &out, HK_LANG_EN, &err), HK_OK);
	assert_string_equal(out.p, "**<**x**>** <7>");
	hk_text_clear(&out);
	hk_tmpl_free(t);
	json_decref(data);
}

struct seen {
	char log[1024];
};

static int note(void *ctx, enum hk_tmpl_ref_kind kind, const char *path,
		const char *in_each, size_t text_len, int line)
{
	struct seen *s = ctx;
	size_t n = strlen(s->log);
	static const char *const names[] = {"value", "each", "if", "section"};

	snprintf(s->log + n, sizeof(s->log) - n, "%s:%s:%s:%zu:%d;", names[kind],
		 path, in_each ? in_each : "-", text_len, line);
	return 0;
}

static void references(void **state)
{
	const char *src = "{{debtor.name}}\n"
			  "{{#each accounts}}{{id}}{{#if late}}{{amount}}{{/if}}{{/each}}\n"
			  "{{#section dispute}} 如有异议  \n 请致电 {{creditor.phone}}{{/section}}\n"
			  "{{#section empty}} \n {{/section}}";
	struct hk_tmpl *t = NULL;
	struct hk_err err = {0};
	struct seen s = {""};

	(void)state;
	assert_int_equal(hk_tmpl_parse(src, strlen(src), HK_LANG_EN, &t, &err), HK_OK);
	hk_tmpl_refs(t, note, &s);
	/* "如有异议" and "请致电" are 4 + 3 characters of 3 bytes: 21 */
	assert_string_equal(s.log,
			    "value:debtor.name:-:0:1;"
			    "each:accounts:-:0:2;value:id:accounts:0:2;if:late:accounts:0:2;"
			    "value:amount:accounts:0:2;"
			    "section:dispute:-:21:3;value:creditor.phone:-:0:4;"
			    "section:empty:-:0:5;");
	hk_tmpl_free(t);
}

/* Mangled templates: cut, spliced and sprinkled with braces; each must
 * parse or fail cleanly, and whatever parses must render or fail cleanly
 * (ASan and UBSan watch). */
static void robustness(void **state)
{
	static const char *const pieces[] = {
		"{{", "}}", "{{#each accounts}}", "{{/each}}", "{{#if yes}}",
		"{{else}}", "{{/if}}", "{{#section s}}", "{{/section}}", "{{@n}}",
		"{{debtor.name}}", "{{id}}", "{{!", "文字", "\n", "{", "}", "a",
		"{{#if !late}}", "{{accounts}}", "{{ owed.total }}", "{{#each empty}}"};
	json_error_t jerr;
	json_t *data = json_loads(data_json, 0, &jerr);
	uint64_t seed = 20261207;
	int parsed = 0, rendered = 0;

	(void)state;
	for (int round = 0; round < 200000; round++) {
		char src[512];
		size_t len = 0;
		int n = (int)rng_range(&seed, 0, 12);
		struct hk_tmpl *t = NULL;
		struct hk_err err = {0};

		for (int k = 0; k < n; k++) {
			const char *p = pieces[rng_range(&seed, 0, sizeof(pieces) / sizeof(*pieces) - 1)];
			size_t pl = strlen(p);

			/* sometimes only a part of the piece */
			if (rng_range(&seed, 0, 5) == 0)
				pl = (size_t)rng_range(&seed, 0, (int64_t)pl);
			if (len + pl >= sizeof(src))
				break;
			memcpy(src + len, p, pl);
			len += pl;
		}
		if (hk_tmpl_parse(src, len, HK_LANG_EN, &t, &err) == HK_OK) {
			struct hk_text out = {0};

			parsed++;
			if (hk_tmpl_render(t, data, NULL, &out, HK_LANG_EN, &err) == HK_OK)
				rendered++;
			else
				assert_true(strlen(err.msg) > 0);
			hk_text_clear(&out);
			hk_tmpl_free(t);
		} else {
			assert_null(t);
			assert_true(strncmp(err.msg, "template line ", 14) == 0 ||
				    strncmp(err.msg, "the template", 12) == 0);
		}
	}
	/* the run exercised both sides of both steps */
	assert_true(parsed > 10000 && parsed < 190000);
	assert_true(rendered > 1000 && rendered < parsed);
	json_decref(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(values),
		cmocka_unit_test(lists),
		cmocka_unit_test(conditions),
		cmocka_unit_test(render_errors),
		cmocka_unit_test(syntax_errors),
		cmocka_unit_test(depth_limit),
		cmocka_unit_test(limits_and_chinese),
		cmocka_unit_test(escaping),
		cmocka_unit_test(references),
		cmocka_unit_test(robustness),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
