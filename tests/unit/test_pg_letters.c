/*
 * test_pg_letters.c - the letters-and-messages operations of the
 * PostgreSQL backend (src/store/store_pg_letters.c: template versions,
 * letter serials and letters, batches with their cases, the outbox with
 * its claims, outcomes, receipts and counts) against their SQLite twins
 * (store_sqlite_letters.c).  Every test runs the same calls on a fresh
 * SQLite store and, when $HUIKUAN_TEST_PG names a server
 * (scripts/pg-cluster.sh), on a fresh PostgreSQL database created for the
 * test; it asserts that both give the same results and that these are the
 * hand-computed ones.  Fixture rows (users, debtors, cases, contacts) are
 * written with the same plain SQL on a second connection of each backend,
 * and the tables the operations write are read back the same way.
 *
 * Only the letters operations and the core ones (migrate, transactions)
 * are called.  Without $HUIKUAN_TEST_PG only the SQLite side runs, and the
 * test "postgresql_side" is reported skipped.  $HK_TEST_PG_SCHEMA names a
 * schema file applied before migrating, for a server without the baseline.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pg_pair.h"

const char *const pg_pair_name = "letters";

#define PUBLISHED_MSG                                                          \
	"a published template version never changes: save a new version"

/* ---- the fixture ------------------------------------------------------ */

/*
 * Users 1 admin, 2 collector.  Debtors 1 D1, 2 D2.  Cases 1 (D1, bankA),
 * 2 (D2, bankB), 3 (D1, bankB).  Contacts 1 C1 (D1 self), 2 C2 (D1's
 * spouse), 3 C3 (D2 self).
 */
static void fixture(struct pair *p)
{
	memset(&out_buf, 0, sizeof(out_buf)); /* a failed test's leftovers */
	x(p, "INSERT INTO teams (name) VALUES ('一组')");
	x(p, "INSERT INTO users (username, display_name, role, team_ref, "
	     "password_hash, created_at, agency_ref) VALUES "
	     "('admin', '管理员', 'admin', NULL, 'x', 0, NULL), "
	     "('c1', '催收一', 'collector', 1, 'x', 0, NULL)");
	x(p, "INSERT INTO debtors (debtor_id, name, kind) VALUES "
	     "('D1', '张三', 'person'), ('D2', '李四', 'person')");
	x(p, "INSERT INTO cases (debtor_ref, creditor, collector_ref, team_ref, "
	     "agency_ref) VALUES (1, 'bankA', 2, 1, NULL), "
	     "(2, 'bankB', 2, 1, NULL), (1, 'bankB', 2, 1, NULL)");
	x(p, "INSERT INTO contacts (contact_id, debtor_ref, relation, name, "
	     "phone, authorized) VALUES ('C1', 1, 'self', '张三', "
	     "'13800000001', 1), ('C2', 1, 'spouse', '赵六', '13900000002', 0), "
	     "('C3', 2, 'self', '李四', '13600000003', 1)");
	x(p, "DELETE FROM case_dirty");
}

/* ====================================================================
 * Templates
 * ==================================================================== */

static void tmpl_line(int k, const struct hk_template_rec *t)
{
	outf(&out_buf, k,
	     "%lld %s/%s v%d [%s] %s %s %d %s [%s] [%s] by %lld@%lld "
	     "pub %lld@%lld\n",
	     (long long)t->ref, t->code, t->channel, t->version, t->name,
	     t->audience, t->kind, t->days_to_pay, t->status, t->subject,
	     t->body, (long long)t->created_by, (long long)t->created_at,
	     (long long)t->published_by, (long long)t->published_at);
}

static int tmpl_cb(void *ctx, const struct hk_template_rec *t)
{
	tmpl_line(*(int *)ctx, t);
	return 0;
}

/* A callback that stops after `left` rows. */
struct stop_after {
	int k, left;
};

static int tmpl_stop(void *ctx, const struct hk_template_rec *t)
{
	struct stop_after *c = ctx;

	tmpl_line(c->k, t);
	return --c->left <= 0;
}

/* A draft through template_insert: its ref (want_ref 0: not compared) and
 * version. */
static void add_template(struct pair *p, const char *code, const char *channel,
			 const char *name, const char *kind, const char *subject,
			 const char *body, int64_t by, int64_t at,
			 int64_t want_ref, int want_version)
{
	EACH(p) {
		struct hk_template_rec t = {.days_to_pay = 7, .created_by = by,
					    .created_at = at,
					    .ref = -1, .version = -1};
		struct hk_err err = {0};

		snprintf(t.code, sizeof(t.code), "%s", code);
		snprintf(t.channel, sizeof(t.channel), "%s", channel);
		snprintf(t.name, sizeof(t.name), "%s", name);
		snprintf(t.audience, sizeof(t.audience), "debtor");
		snprintf(t.kind, sizeof(t.kind), "%s", kind);
		t.subject = (char *)subject;
		t.body = (char *)body;
		ok(s->ops->template_insert(s, &t, &err), &err, k);
		if (want_ref)
			assert_int_equal(t.ref, want_ref);
		assert_int_equal(t.version, want_version);
	}
}

/* Templates 1..8 (refs, versions numbered per code and channel):
 *   1 notice/letter v1   2 notice/letter v2   3 notice/sms v1
 *   4 final/letter v1    5 final/email v1     6 notice/letter v3
 *   7 Notice/letter v1 (nobody's)             8 final/email v2 */
static void templates_fixture(struct pair *p)
{
	add_template(p, "notice", "letter", "催收函", "notice", NULL, "正文一", 1,
		     100, 1, 1);
	add_template(p, "notice", "letter", "催收函", "notice", "", "正文二", 1,
		     110, 2, 2);
	add_template(p, "notice", "sms", "短信", "message", "", "短信一", 2, 120,
		     3, 1);
	add_template(p, "final", "letter", "最后通知", "final", "", "终一", 1, 130,
		     4, 1);
	add_template(p, "final", "email", "邮件", "final", "最后通知", "邮一", 1,
		     140, 5, 1);
	add_template(p, "notice", "letter", "催收函", "notice", "", "正文三", 1,
		     150, 6, 3);
	add_template(p, "Notice", "letter", "大写", "reminder", "", "R", 0, 160, 7,
		     1);
	add_template(p, "final", "email", "邮件", "final", "最后通知 v2", "邮二",
		     2, 170, 8, 2);
}

static void get_template(struct pair *p, int64_t ref, const char *code,
			 const char *channel)
{
	EACH(p) {
		struct hk_template_rec t;
		struct hk_err err = {0};
		bool found = true;

		memset(&t, 0x55, sizeof(t));
		ok(s->ops->template_get(s, ref, code, channel, &t, &found, &err),
		   &err, k);
		if (found) {
			tmpl_line(k, &t);
			hk_template_rec_clear(&t);
			assert_null(t.subject);
			assert_null(t.body);
		} else {
			outf(&out_buf, k, "none\n");
			/* nothing to free: the record is zeroed */
			assert_null(t.subject);
			assert_null(t.body);
			assert_int_equal(t.ref, 0);
		}
	}
}

static void test_templates(void **state)
{
	struct pair *p = *state;

	fixture(p);
	/* the test cluster's databases sort in C.UTF-8, byte order already:
	 * give the PostgreSQL side's codes and channels a linguistic
	 * collation ("final" before "Notice"), so that the scan's byte
	 * order is the statement's own */
	if (p->n == 2 && strcmp(q_side(p, PG, "SELECT count(*) FROM pg_collation "
					     "WHERE collname = 'und-x-icu'"),
				"0\n"))
		pg_ok(p->pg, "ALTER TABLE templates ALTER COLUMN code TYPE text "
			     "COLLATE \"und-x-icu\", ALTER COLUMN channel TYPE "
			     "text COLLATE \"und-x-icu\"");
	templates_fixture(p);

	/* a draft replaced: everything but code, channel and version; a
	 * NULL subject is "" */
	EACH(p) {
		struct hk_template_rec t = {.ref = 2, .days_to_pay = 10,
					    .body = "正文二（改）"};
		struct hk_err err = {0};

		snprintf(t.code, sizeof(t.code), "ignored");
		snprintf(t.name, sizeof(t.name), "催收函（改）");
		snprintf(t.audience, sizeof(t.audience), "third_party");
		snprintf(t.kind, sizeof(t.kind), "reminder");
		ok(s->ops->template_update(s, &t, &err), &err, k);
		snprintf(t.audience, sizeof(t.audience), "debtor");
		snprintf(t.kind, sizeof(t.kind), "notice");
		t.subject = "主题";
		ok(s->ops->template_update(s, &t, &err), &err, k);
		t.subject = NULL;
		ok(s->ops->template_update(s, &t, &err), &err, k);
	}
	/* published: 1 and 2 of notice/letter (3 stays a draft), notice/sms,
	 * final/email v1 (v2 a draft); final/letter never */
	EACH(p) {
		struct hk_err err = {0};

		ok(s->ops->template_publish(s, 1, 2, 200, &err), &err, k);
		ok(s->ops->template_publish(s, 2, 1, 210, &err), &err, k);
		ok(s->ops->template_publish(s, 3, 1, 220, &err), &err, k);
		ok(s->ops->template_publish(s, 5, 2, 230, &err), &err, k);
	}
	/* a published version is refused, a missing one not found; neither
	 * changes anything */
	EACH(p) {
		struct hk_template_rec t = {.ref = 1, .days_to_pay = 1,
					    .subject = "x", .body = "y"};
		struct hk_err err = {0};
		enum hk_rc rc;

		snprintf(t.name, sizeof(t.name), "changed");
		snprintf(t.audience, sizeof(t.audience), "debtor");
		snprintf(t.kind, sizeof(t.kind), "notice");
		refused(s->ops->template_update(s, &t, &err), &err, k,
			PUBLISHED_MSG);
		memset(&err, 0, sizeof(err));
		refused(s->ops->template_publish(s, 2, 1, 999, &err), &err, k,
			PUBLISHED_MSG);
		s->lang = HK_LANG_ZH;
		memset(&err, 0, sizeof(err));
		refused(s->ops->template_publish(s, 5, 1, 999, &err), &err, k,
			"已发布的模板版本不可更改，请另存为新版本");
		s->lang = HK_LANG_EN;
		memset(&err, 0, sizeof(err));
		t.ref = 99;
		rc = s->ops->template_update(s, &t, &err);
		assert_int_equal(rc, HK_ENOTFOUND);
		assert_int_equal(err.code, HK_ENOTFOUND);
		assert_string_equal(err.msg, "no such template");
		memset(&err, 0, sizeof(err));
		rc = s->ops->template_publish(s, 99, 1, 999, &err);
		assert_int_equal(rc, HK_ENOTFOUND);
		assert_string_equal(err.msg, "no such template");
		memset(&err, 0, sizeof(err));
		rc = s->ops->template_publish(s, 0, 1, 999, &err);
		assert_int_equal(rc, HK_ENOTFOUND);
	}
	q_check(p,
		"SELECT ref, code, channel, version, name, audience, kind, "
		"days_to_pay, subject, body, status, created_by, created_at, "
		"published_by, published_at FROM templates ORDER BY ref",
		"1|notice|letter|1|催收函|debtor|notice|7||正文一|published|1|100|2|200\n"
		"2|notice|letter|2|催收函（改）|debtor|notice|10||正文二（改）|published|1|110|1|210\n"
		"3|notice|sms|1|短信|debtor|message|7||短信一|published|2|120|1|220\n"
		"4|final|letter|1|最后通知|debtor|final|7||终一|draft|1|130|NULL|NULL\n"
		"5|final|email|1|邮件|debtor|final|7|最后通知|邮一|published|1|140|2|230\n"
		"6|notice|letter|3|催收函|debtor|notice|7||正文三|draft|1|150|NULL|NULL\n"
		"7|Notice|letter|1|大写|debtor|reminder|7||R|draft|NULL|160|NULL|NULL\n"
		"8|final|email|2|邮件|debtor|final|7|最后通知 v2|邮二|draft|2|170|NULL|NULL\n");

	/* by ref, draft or not (code and channel then do not matter); in
	 * force: the newest published version, not a newer draft */
	get_template(p, 6, NULL, NULL);
	get_template(p, 1, "final", "email");
	get_template(p, 99, NULL, NULL);
	get_template(p, 0, "notice", "letter");
	get_template(p, 0, "final", "email");
	get_template(p, 0, "notice", "sms");
	get_template(p, 0, "final", "letter"); /* only a draft */
	get_template(p, 0, "notice", "email"); /* none at all */
	get_template(p, 0, "NOTICE", "letter"); /* codes are exact */
	get_template(p, 0, NULL, NULL);
	out_check(p, &out_buf,
		  "6 notice/letter v3 [催收函] debtor notice 7 draft [] [正文三] "
		  "by 1@150 pub 0@0\n"
		  "1 notice/letter v1 [催收函] debtor notice 7 published [] [正文一] "
		  "by 1@100 pub 2@200\n"
		  "none\n"
		  "2 notice/letter v2 [催收函（改）] debtor notice 10 published [] "
		  "[正文二（改）] by 1@110 pub 1@210\n"
		  "5 final/email v1 [邮件] debtor final 7 published [最后通知] [邮一] "
		  "by 1@140 pub 2@230\n"
		  "3 notice/sms v1 [短信] debtor message 7 published [] [短信一] "
		  "by 2@120 pub 1@220\n"
		  "none\nnone\nnone\nnone\n");

	/* publishing the newer draft puts it in force */
	EACH(p) {
		struct hk_err err = {0};

		ok(s->ops->template_publish(s, 6, 2, 300, &err), &err, k);
	}
	get_template(p, 0, "notice", "letter");
	out_check(p, &out_buf,
		  "6 notice/letter v3 [催收函] debtor notice 7 published [] [正文三] "
		  "by 1@150 pub 2@300\n");

	/* every version: code and channel in byte order ("Notice" before
	 * "final", "email" before "letter"), newest version first */
	EACH(p) {
		struct hk_err err = {0};

		ok(s->ops->templates_scan(s, tmpl_cb, &k, &err), &err, k);
	}
	out_check(p, &out_buf,
		  "7 Notice/letter v1 [大写] debtor reminder 7 draft [] [R] by 0@160 "
		  "pub 0@0\n"
		  "8 final/email v2 [邮件] debtor final 7 draft [最后通知 v2] [邮二] "
		  "by 2@170 pub 0@0\n"
		  "5 final/email v1 [邮件] debtor final 7 published [最后通知] [邮一] "
		  "by 1@140 pub 2@230\n"
		  "4 final/letter v1 [最后通知] debtor final 7 draft [] [终一] "
		  "by 1@130 pub 0@0\n"
		  "6 notice/letter v3 [催收函] debtor notice 7 published [] [正文三] "
		  "by 1@150 pub 2@300\n"
		  "2 notice/letter v2 [催收函（改）] debtor notice 10 published [] "
		  "[正文二（改）] by 1@110 pub 1@210\n"
		  "1 notice/letter v1 [催收函] debtor notice 7 published [] [正文一] "
		  "by 1@100 pub 2@200\n"
		  "3 notice/sms v1 [短信] debtor message 7 published [] [短信一] "
		  "by 2@120 pub 1@220\n");
	/* a callback that stops: no more rows */
	EACH(p) {
		struct hk_err err = {0};
		struct stop_after c = {.k = k, .left = 2};

		ok(s->ops->templates_scan(s, tmpl_stop, &c, &err), &err, k);
		assert_int_equal(c.left, 0);
	}
	out_check(p, &out_buf,
		  "7 Notice/letter v1 [大写] debtor reminder 7 draft [] [R] by 0@160 "
		  "pub 0@0\n"
		  "8 final/email v2 [邮件] debtor final 7 draft [最后通知 v2] [邮二] "
		  "by 2@170 pub 0@0\n");

	/* a version after publishing goes on counting; an invalid channel
	 * is the database's refusal, and takes no version number (the ref
	 * after it is not compared: PostgreSQL's identity spends one on
	 * the failed insert, SQLite's rowid does not) */
	add_template(p, "notice", "letter", "催收函", "notice", "", "正文四", 1,
		     400, 9, 4);
	EACH(p) {
		struct hk_template_rec t = {.days_to_pay = 7, .body = "b",
					    .ref = -1};
		struct hk_err err = {0};

		snprintf(t.code, sizeof(t.code), "notice");
		snprintf(t.channel, sizeof(t.channel), "fax");
		snprintf(t.name, sizeof(t.name), "n");
		snprintf(t.audience, sizeof(t.audience), "debtor");
		snprintf(t.kind, sizeof(t.kind), "notice");
		db_failed(s->ops->template_insert(s, &t, &err), &err, k,
			  "could not save a template");
		assert_int_equal(t.ref, -1);
	}
	add_template(p, "notice", "letter", "催收函", "notice", "", "正文五", 1,
		     410, 0, 5);
	q_check(p,
		"SELECT version, body FROM templates WHERE code = 'notice' AND "
		"channel = 'letter' ORDER BY ref",
		"1|正文一\n2|正文二（改）\n3|正文三\n4|正文四\n5|正文五\n");
	q_check(p, "SELECT count(*) FROM templates WHERE channel = 'fax'", "0\n");
}

/* ====================================================================
 * Letter serials
 * ==================================================================== */

static void serial(struct pair *p, int year, const char *want)
{
	EACH(p) {
		struct hk_err err = {0};
		char got[32];

		memset(got, 'x', sizeof(got));
		ok(s->ops->letter_serial_next(s, year, got, &err), &err, k);
		if (strcmp(got, want))
			fail_msg("%s: serial %s, want %s", side_name[k], got, want);
	}
}

static void begin(struct pair *p)
{
	EACH(p) {
		struct hk_err err = {0};

		ok(s->ops->begin(s, &err), &err, k);
	}
}

static void commit(struct pair *p)
{
	EACH(p) {
		struct hk_err err = {0};

		ok(s->ops->commit(s, &err), &err, k);
	}
}

static void rollback(struct pair *p)
{
	EACH(p) {
		struct hk_err err = {0};

		ok(s->ops->rollback(s), &err, k);
	}
}

static void test_serials(void **state)
{
	struct pair *p = *state;

	fixture(p);
	begin(p);
	serial(p, 2026, "HK-2026-000001");
	serial(p, 2026, "HK-2026-000002");
	serial(p, 2027, "HK-2027-000001"); /* each year its own numbers */
	serial(p, 2026, "HK-2026-000003");
	commit(p);
	q_check(p,
		"SELECT key, value FROM meta WHERE key LIKE 'letter_serial_%' "
		"ORDER BY key",
		"letter_serial_2026|3\nletter_serial_2027|1\n");
	/* a serial taken in a transaction rolled back was never taken
	 * (store.h: "taken for good inside the write transaction that
	 * records the letter"): the next one gives it again, on both
	 * backends (a counter in meta, not a sequence) */
	begin(p);
	serial(p, 2026, "HK-2026-000004");
	serial(p, 2028, "HK-2028-000001");
	rollback(p);
	begin(p);
	serial(p, 2026, "HK-2026-000004");
	commit(p);
	q_check(p,
		"SELECT key, value FROM meta WHERE key LIKE 'letter_serial_%' "
		"ORDER BY key",
		"letter_serial_2026|4\nletter_serial_2027|1\n");
	/* past six digits the number just grows */
	x(p, "UPDATE meta SET value = '999999' WHERE key = 'letter_serial_2027'");
	begin(p);
	serial(p, 2027, "HK-2027-1000000");
	commit(p);
}

/* ====================================================================
 * Letters
 * ==================================================================== */

static int letter_cb(void *ctx, const struct hk_letter_rec *l)
{
	struct stop_after *c = ctx;

	outf(&out_buf, c->k,
	     "%lld %s case %lld tmpl %lld (%s v%d) batch %lld as_of %d "
	     "strat %lld/%d/%d owed %lld pages %d sha %.6s size %lld "
	     "by %lld@%lld\n",
	     (long long)l->ref, l->serial, (long long)l->case_ref,
	     (long long)l->template_ref, l->template_code, l->template_version,
	     (long long)l->batch_ref, l->as_of, (long long)l->strategy_ref,
	     l->rule_no, l->arm_no, (long long)l->total_owed, l->pages, l->sha256,
	     (long long)l->size, (long long)l->created_by,
	     (long long)l->created_at);
	return c->left && --c->left <= 0;
}

static void add_letter(struct pair *p, const char *serial_no, int64_t case_ref,
		       int64_t template_ref, int64_t batch_ref,
		       int64_t strategy_ref, int rule_no, int arm_no,
		       int64_t owed, char sha_char, int64_t by, int64_t at,
		       int64_t want_ref)
{
	EACH(p) {
		struct hk_letter_rec l = {
			.case_ref = case_ref, .template_ref = template_ref,
			.batch_ref = batch_ref, .as_of = 20100,
			.strategy_ref = strategy_ref, .rule_no = rule_no,
			.arm_no = arm_no, .total_owed = owed, .pages = 2,
			.size = 30000 + want_ref, .created_by = by,
			.created_at = at, .ref = -1};
		struct hk_err err = {0};

		snprintf(l.serial, sizeof(l.serial), "%s", serial_no);
		memset(l.sha256, sha_char, 64);
		ok(s->ops->letter_insert(s, &l, &err), &err, k);
		assert_int_equal(l.ref, want_ref);
	}
}

static void scan_letters(struct pair *p, int64_t case_ref, int64_t ref,
			 int stop)
{
	EACH(p) {
		struct hk_err err = {0};
		struct stop_after c = {.k = k, .left = stop};

		ok(s->ops->letters_scan(s, case_ref, ref, letter_cb, &c, &err),
		   &err, k);
	}
}

static void test_letters(void **state)
{
	struct pair *p = *state;

	fixture(p);
	templates_fixture(p);
	/* a batch for letter 2 to belong to (PostgreSQL keeps the key) */
	EACH(p) {
		struct hk_batch_rec b = {.as_of = 20100, .created_at = 1};
		struct hk_err err = {0};

		snprintf(b.source, sizeof(b.source), "cases");
		ok(s->ops->batch_insert(s, &b, NULL, 0, &err), &err, k);
		assert_int_equal(b.ref, 1);
	}
	/* 1: no batch, no strategy (its rule and arm are not kept);
	 * 2: from batch 1 and a treatment, nobody's; 3: case 1 again */
	add_letter(p, "HK-2026-000001", 1, 1, 0, 0, 3, 1, 123456, 'a', 2, 1000,
		   1);
	add_letter(p, "HK-2026-000002", 2, 5, 1, 4, 3, 2, 5000, 'b', 0, 1010, 2);
	add_letter(p, "HK-2026-000003", 1, 6, 0, 7, 0, 0, 0, 'c', 1, 1020, 3);
	q_check(p,
		"SELECT ref, serial, case_ref, template_ref, batch_ref, as_of, "
		"strategy_ref, rule_no, arm_no, total_owed, pages, "
		"substr(sha256, 1, 3), length(sha256), size, created_by, "
		"created_at FROM letters ORDER BY ref",
		"1|HK-2026-000001|1|1|NULL|20100|NULL|NULL|NULL|123456|2|aaa|64|30001|2|1000\n"
		"2|HK-2026-000002|2|5|1|20100|4|3|2|5000|2|bbb|64|30002|NULL|1010\n"
		"3|HK-2026-000003|1|6|NULL|20100|7|0|0|0|2|ccc|64|30003|1|1020\n");
	/* a case's letters newest first, with the template's code and
	 * version; NULLs read as 0 */
	scan_letters(p, 1, 0, 0);
	scan_letters(p, 2, 0, 0);
	scan_letters(p, 3, 0, 0);
	out_check(p, &out_buf,
		  "3 HK-2026-000003 case 1 tmpl 6 (notice v3) batch 0 as_of 20100 "
		  "strat 7/0/0 owed 0 pages 2 sha cccccc size 30003 by 1@1020\n"
		  "1 HK-2026-000001 case 1 tmpl 1 (notice v1) batch 0 as_of 20100 "
		  "strat 0/0/0 owed 123456 pages 2 sha aaaaaa size 30001 by 2@1000\n"
		  "2 HK-2026-000002 case 2 tmpl 5 (final v1) batch 1 as_of 20100 "
		  "strat 4/3/2 owed 5000 pages 2 sha bbbbbb size 30002 by 0@1010\n");
	/* one letter by ref, whatever case is given; a missing one: none */
	scan_letters(p, 0, 2, 0);
	scan_letters(p, 1, 2, 0);
	scan_letters(p, 0, 99, 0);
	out_check(p, &out_buf,
		  "2 HK-2026-000002 case 2 tmpl 5 (final v1) batch 1 as_of 20100 "
		  "strat 4/3/2 owed 5000 pages 2 sha bbbbbb size 30002 by 0@1010\n"
		  "2 HK-2026-000002 case 2 tmpl 5 (final v1) batch 1 as_of 20100 "
		  "strat 4/3/2 owed 5000 pages 2 sha bbbbbb size 30002 by 0@1010\n");
	/* a callback that stops */
	scan_letters(p, 1, 0, 1);
	out_check(p, &out_buf,
		  "3 HK-2026-000003 case 1 tmpl 6 (notice v3) batch 0 as_of 20100 "
		  "strat 7/0/0 owed 0 pages 2 sha cccccc size 30003 by 1@1020\n");
	/* a serial is never given twice */
	EACH(p) {
		struct hk_letter_rec l = {.case_ref = 3, .template_ref = 1,
					  .as_of = 1, .pages = 1, .created_at = 1,
					  .ref = -1};
		struct hk_err err = {0};

		snprintf(l.serial, sizeof(l.serial), "HK-2026-000002");
		snprintf(l.sha256, sizeof(l.sha256), "00");
		db_failed(s->ops->letter_insert(s, &l, &err), &err, k,
			  "could not record a letter");
		assert_int_equal(l.ref, -1);
	}
	q_check(p, "SELECT count(*) FROM letters", "3\n");
}

/* ====================================================================
 * Batches
 * ==================================================================== */

static int batch_cb(void *ctx, const struct hk_batch_rec *b)
{
	struct stop_after *c = ctx;

	outf(&out_buf, c->k,
	     "%lld %s %s [%s] %d total %lld done %lld skipped %lld [%.4s] "
	     "[%.4s] [%s] by %lld@%lld fin %lld\n",
	     (long long)b->ref, b->status, b->source, b->template_code, b->as_of,
	     (long long)b->total, (long long)b->done, (long long)b->skipped,
	     b->merged_sha256, b->manifest_sha256, b->error,
	     (long long)b->created_by, (long long)b->created_at,
	     (long long)b->finished_at);
	return c->left && --c->left <= 0;
}

static int batch_case_cb(void *ctx, const struct hk_batch_case *bc)
{
	struct stop_after *c = ctx;

	outf(&out_buf, c->k, "%lld/%lld case %lld %s letter %lld [%s]\n",
	     (long long)bc->batch_ref, (long long)bc->seq,
	     (long long)bc->case_ref, bc->template_code,
	     (long long)bc->letter_ref, bc->skipped);
	return c->left && --c->left <= 0;
}

static void scan_batches(struct pair *p, int64_t ref, int stop)
{
	EACH(p) {
		struct hk_err err = {0};
		struct stop_after c = {.k = k, .left = stop};

		ok(s->ops->batches_scan(s, ref, batch_cb, &c, &err), &err, k);
	}
}

static void scan_batch_cases(struct pair *p, int64_t ref, int stop)
{
	EACH(p) {
		struct hk_err err = {0};
		struct stop_after c = {.k = k, .left = stop};

		ok(s->ops->batch_cases_scan(s, ref, batch_case_cb, &c, &err), &err,
		   k);
	}
}

static void test_batches(void **state)
{
	struct pair *p = *state;
	const struct hk_batch_case cases[3] = {
		{.seq = 1, .case_ref = 2, .template_code = "notice"},
		{.seq = 2, .case_ref = 1, .template_code = "notice"},
		{.seq = 3, .case_ref = 3, .template_code = "final"},
	};

	fixture(p);
	templates_fixture(p);
	EACH(p) {
		struct hk_batch_rec b = {.as_of = 20100, .created_by = 2,
					 .created_at = 2000, .ref = -1,
					 .total = 99};
		struct hk_err err = {0};

		snprintf(b.source, sizeof(b.source), "cases");
		snprintf(b.template_code, sizeof(b.template_code), "notice");
		ok(s->ops->batch_insert(s, &b, cases, 3, &err), &err, k);
		assert_int_equal(b.ref, 1);
		assert_int_equal(b.total, 3);
		assert_string_equal(b.status, "queued");
		/* from the treatments, each case's own template: no code;
		 * nobody's; no cases yet */
		memset(&b, 0, sizeof(b));
		b.as_of = 20101;
		b.created_at = 2100;
		snprintf(b.source, sizeof(b.source), "treatments");
		ok(s->ops->batch_insert(s, &b, NULL, 0, &err), &err, k);
		assert_int_equal(b.ref, 2);
		assert_int_equal(b.total, 0);
		assert_string_equal(b.status, "queued");
	}
	q_check(p,
		"SELECT ref, status, source, template_code, as_of, total, done, "
		"skipped, merged_sha256, manifest_sha256, error, created_by, "
		"created_at, finished_at FROM letter_batches ORDER BY ref",
		"1|queued|cases|notice|20100|3|0|0|NULL|NULL|NULL|2|2000|NULL\n"
		"2|queued|treatments|NULL|20101|0|0|0|NULL|NULL|NULL|NULL|2100|NULL\n");
	/* every batch newest first, or one */
	scan_batches(p, 0, 0);
	scan_batches(p, 1, 0);
	scan_batches(p, 99, 0);
	out_check(p, &out_buf,
		  "2 queued treatments [] 20101 total 0 done 0 skipped 0 [] [] [] "
		  "by 0@2100 fin 0\n"
		  "1 queued cases [notice] 20100 total 3 done 0 skipped 0 [] [] [] "
		  "by 2@2000 fin 0\n"
		  "1 queued cases [notice] 20100 total 3 done 0 skipped 0 [] [] [] "
		  "by 2@2000 fin 0\n");
	scan_batches(p, 0, 1);
	out_check(p, &out_buf,
		  "2 queued treatments [] 20101 total 0 done 0 skipped 0 [] [] [] "
		  "by 0@2100 fin 0\n");
	/* its cases in seq order, none written yet */
	scan_batch_cases(p, 1, 0);
	scan_batch_cases(p, 2, 0);
	out_check(p, &out_buf,
		  "1/1 case 2 notice letter 0 []\n"
		  "1/2 case 1 notice letter 0 []\n"
		  "1/3 case 3 final letter 0 []\n");

	/* one written, one skipped, one left */
	EACH(p) {
		struct hk_letter_rec l = {.case_ref = 2, .template_ref = 1,
					  .batch_ref = 1, .as_of = 20100,
					  .pages = 1, .created_at = 2200};
		struct hk_err err = {0};

		snprintf(l.serial, sizeof(l.serial), "HK-2026-000001");
		snprintf(l.sha256, sizeof(l.sha256), "00");
		ok(s->ops->letter_insert(s, &l, &err), &err, k);
		assert_int_equal(l.ref, 1);
		ok(s->ops->batch_case_done(s, 1, 1, l.ref, NULL, &err), &err, k);
		ok(s->ops->batch_case_done(s, 1, 3, 0, "没有地址", &err), &err, k);
	}
	scan_batch_cases(p, 1, 0);
	out_check(p, &out_buf,
		  "1/1 case 2 notice letter 1 []\n"
		  "1/2 case 1 notice letter 0 []\n"
		  "1/3 case 3 final letter 0 [没有地址]\n");
	/* a callback that stops */
	scan_batch_cases(p, 1, 2);
	out_check(p, &out_buf,
		  "1/1 case 2 notice letter 1 []\n"
		  "1/2 case 1 notice letter 0 []\n");
	/* a second outcome replaces the first: written after a skip, and
	 * an empty reason is none */
	EACH(p) {
		struct hk_err err = {0};

		ok(s->ops->batch_case_done(s, 1, 2, 0, "stopped", &err), &err, k);
		ok(s->ops->batch_case_done(s, 1, 2, 1, "", &err), &err, k);
	}
	q_check(p,
		"SELECT batch_ref, seq, case_ref, template_code, letter_ref, "
		"skipped FROM letter_batch_cases ORDER BY batch_ref, seq",
		"1|1|2|notice|1|NULL\n1|2|1|notice|1|NULL\n"
		"1|3|3|final|NULL|没有地址\n");

	/* status, counts, both files' SHA-256, finished; an empty error
	 * is none; then batch 2 failed with an error, unfinished */
	EACH(p) {
		struct hk_batch_rec b = {.ref = 1, .total = 3, .done = 2,
					 .skipped = 1, .finished_at = 2500,
					 /* not written by an update: */
					 .as_of = 1, .created_by = 1,
					 .created_at = 1};
		struct hk_err err = {0};

		snprintf(b.status, sizeof(b.status), "done");
		snprintf(b.source, sizeof(b.source), "treatments");
		memset(b.merged_sha256, 'd', 64);
		memset(b.manifest_sha256, 'e', 64);
		ok(s->ops->batch_update(s, &b, &err), &err, k);
		memset(&b, 0, sizeof(b));
		b.ref = 2;
		b.total = 5;
		snprintf(b.status, sizeof(b.status), "failed");
		snprintf(b.error, sizeof(b.error), "磁盘已满");
		ok(s->ops->batch_update(s, &b, &err), &err, k);
		/* a status the table does not know */
		memset(&err, 0, sizeof(err));
		snprintf(b.status, sizeof(b.status), "lost");
		db_failed(s->ops->batch_update(s, &b, &err), &err, k,
			  "could not update a batch");
	}
	scan_batches(p, 0, 0);
	out_check(p, &out_buf,
		  "2 failed treatments [] 20101 total 5 done 0 skipped 0 [] [] "
		  "[磁盘已满] by 0@2100 fin 0\n"
		  "1 done cases [notice] 20100 total 3 done 2 skipped 1 [dddd] "
		  "[eeee] [] by 2@2000 fin 2500\n");
	q_check(p,
		"SELECT ref, status, length(merged_sha256), "
		"length(manifest_sha256), error, finished_at FROM letter_batches "
		"ORDER BY ref",
		"1|done|64|64|NULL|2500\n2|failed|NULL|NULL|磁盘已满|NULL\n");
}

/* ====================================================================
 * The outbox
 * ==================================================================== */

static void msg_line(int k, const struct hk_outbox_rec *m)
{
	outf(&out_buf, k,
	     "%lld %s case %lld contact %lld tmpl %lld %s to %s [%s] [%s] [%s] "
	     "%s att %d next %lld lease %lld prov [%s] err [%s] rule [%s] "
	     "strat %lld/%d/%d by %lld@%lld sent %lld dlv %lld\n",
	     (long long)m->ref, m->msg_id, (long long)m->case_ref,
	     (long long)m->contact_ref, (long long)m->template_ref, m->channel,
	     m->to_addr, m->to_name, m->subject, m->body, m->status, m->attempts,
	     (long long)m->next_at, (long long)m->lease_until, m->provider_id,
	     m->last_error, m->rule, (long long)m->strategy_ref, m->rule_no,
	     m->arm_no, (long long)m->created_by, (long long)m->created_at,
	     (long long)m->sent_at, (long long)m->delivered_at);
}

/* A short line: ref, status, attempts, lease. */
static int claim_cb(void *ctx, const struct hk_outbox_rec *m)
{
	outf(&out_buf, *(int *)ctx, "%lld %s att %d lease %lld\n",
	     (long long)m->ref, m->status, m->attempts,
	     (long long)m->lease_until);
	return 1; /* asks to stop: the claim calls back every message taken */
}

static int msg_cb(void *ctx, const struct hk_outbox_rec *m)
{
	struct stop_after *c = ctx;

	msg_line(c->k, m);
	return c->left && --c->left <= 0;
}

static int msg_ref_cb(void *ctx, const struct hk_outbox_rec *m)
{
	outf(&out_buf, *(int *)ctx, "%lld ", (long long)m->ref);
	return 0;
}

struct msg_spec {
	const char *msg_id;
	int64_t case_ref, contact_ref, template_ref;
	const char *channel, *to_addr, *to_name, *subject, *body, *status;
	int64_t next_at;
	const char *last_error, *rule;
	int64_t strategy_ref;
	int rule_no, arm_no;
	int64_t created_by, created_at;
};

static void add_msg(struct pair *p, const struct msg_spec *ms, int64_t want_ref)
{
	EACH(p) {
		struct hk_outbox_rec m = {
			.case_ref = ms->case_ref, .contact_ref = ms->contact_ref,
			.template_ref = ms->template_ref,
			.subject = (char *)ms->subject, .body = (char *)ms->body,
			.next_at = ms->next_at, .strategy_ref = ms->strategy_ref,
			.rule_no = ms->rule_no, .arm_no = ms->arm_no,
			.created_by = ms->created_by,
			.created_at = ms->created_at, .ref = -1,
			/* not written by an insert */
			.attempts = 9, .lease_until = 9, .sent_at = 9,
			.delivered_at = 9};
		struct hk_err err = {0};

		snprintf(m.msg_id, sizeof(m.msg_id), "%s", ms->msg_id);
		snprintf(m.channel, sizeof(m.channel), "%s", ms->channel);
		snprintf(m.to_addr, sizeof(m.to_addr), "%s", ms->to_addr);
		snprintf(m.to_name, sizeof(m.to_name), "%s",
			 ms->to_name ? ms->to_name : "");
		snprintf(m.status, sizeof(m.status), "%s",
			 ms->status ? ms->status : "");
		snprintf(m.last_error, sizeof(m.last_error), "%s",
			 ms->last_error ? ms->last_error : "");
		snprintf(m.rule, sizeof(m.rule), "%s", ms->rule ? ms->rule : "");
		snprintf(m.provider_id, sizeof(m.provider_id), "ignored");
		ok(s->ops->outbox_insert(s, &m, &err), &err, k);
		assert_int_equal(m.ref, want_ref);
	}
}

/*
 * Templates 1 notice/sms, 2 notice/email (plain SQL).  Messages:
 *   1 m-1 case 1 (D1) sms   queued    next 1000  created 900
 *   2 m-2 case 3 (D1) sms   queued    next  950  created 910, to C2
 *   3 m-3 case 2 (D2) email queued    next 1100  created 920
 *   4 m-4 case 1      sms   refused   next  900  created 930 (rule hours)
 *   5 m-5 case 1      email queued    next 1000  created 940
 *   6 m-6 case 1      sms   cancelled next    0  created 950
 *   7 m-7 case 1      sms   queued    next 5000  created 960
 */
static void outbox_fixture(struct pair *p)
{
	const struct msg_spec msgs[] = {
		{"m-1", 1, 0, 1, "sms", "13800000001", "张三", NULL, "短信正文一",
		 NULL, 1000, NULL, NULL, 0, 5, 6, 2, 900},
		{"m-2", 3, 2, 1, "sms", "13900000002", "赵六", "", "短信正文二",
		 "queued", 950, NULL, NULL, 4, 2, 1, 0, 910},
		{"m-3", 2, 3, 2, "email", "li@example.com", NULL, "催告", "邮件正文",
		 NULL, 1100, NULL, NULL, 0, 0, 0, 2, 920},
		{"m-4", 1, 1, 1, "sms", "13800000001", "", "", "夜间", "refused",
		 900, "outside contact hours", "hours", 0, 0, 0, 2, 930},
		{"m-5", 1, 0, 2, "email", "zs@example.com", "张三", "通知", "e5",
		 NULL, 1000, NULL, NULL, 0, 0, 0, 2, 940},
		{"m-6", 1, 0, 1, "sms", "13800000001", "", "", "c6", "cancelled",
		 0, NULL, NULL, 0, 0, 0, 2, 950},
		{"m-7", 1, 0, 1, "sms", "13800000001", "", "", "later", NULL,
		 5000, NULL, NULL, 0, 0, 0, 2, 960},
	};

	x(p, "INSERT INTO templates (code, channel, version, name, audience, "
	     "kind, body, status, created_at) VALUES "
	     "('notice', 'sms', 1, 's', 'debtor', 'message', 'b', 'published', 0), "
	     "('notice', 'email', 1, 'e', 'debtor', 'message', 'b', 'published', 0)");
	for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++)
		add_msg(p, &msgs[i], (int64_t)i + 1);
}

#define OUTBOX_Q                                                               \
	"SELECT ref, status, attempts, next_at, lease_until, provider_id, "   \
	"last_error, sent_at, delivered_at FROM outbox ORDER BY ref"

static void claim(struct pair *p, int64_t now, int lease_s, int max)
{
	begin(p);
	EACH(p) {
		struct hk_err err = {0};

		ok(s->ops->outbox_claim(s, now, lease_s, max, claim_cb, &k, &err),
		   &err, k);
	}
	commit(p);
}

static void scan_outbox(struct pair *p, int64_t case_ref, const char *status,
			int64_t before, int limit)
{
	EACH(p) {
		struct hk_err err = {0};

		ok(s->ops->outbox_scan(s, case_ref, 0, status, before, limit,
				       msg_ref_cb, &k, &err),
		   &err, k);
		outf(&out_buf, k, "\n");
	}
}

static void test_outbox_insert_scan(void **state)
{
	struct pair *p = *state;

	fixture(p);
	outbox_fixture(p);
	/* what an insert writes: contact 0 and no strategy as NULL (the
	 * rule and arm with it), the status given or queued */
	q_check(p,
		"SELECT ref, msg_id, case_ref, contact_ref, template_ref, channel, "
		"to_addr, to_name, subject, body, status, attempts, next_at, "
		"lease_until, provider_id, last_error, rule, strategy_ref, "
		"rule_no, arm_no, created_by, created_at, sent_at, delivered_at "
		"FROM outbox ORDER BY ref",
		"1|m-1|1|NULL|1|sms|13800000001|张三||短信正文一|queued|0|1000|NULL|"
		"NULL|NULL|NULL|NULL|NULL|NULL|2|900|NULL|NULL\n"
		"2|m-2|3|2|1|sms|13900000002|赵六||短信正文二|queued|0|950|NULL|"
		"NULL|NULL|NULL|4|2|1|NULL|910|NULL|NULL\n"
		"3|m-3|2|3|2|email|li@example.com|NULL|催告|邮件正文|queued|0|1100|"
		"NULL|NULL|NULL|NULL|NULL|NULL|NULL|2|920|NULL|NULL\n"
		"4|m-4|1|1|1|sms|13800000001|NULL||夜间|refused|0|900|NULL|NULL|"
		"outside contact hours|hours|NULL|NULL|NULL|2|930|NULL|NULL\n"
		"5|m-5|1|NULL|2|email|zs@example.com|张三|通知|e5|queued|0|1000|"
		"NULL|NULL|NULL|NULL|NULL|NULL|NULL|2|940|NULL|NULL\n"
		"6|m-6|1|NULL|1|sms|13800000001|NULL||c6|cancelled|0|0|NULL|NULL|"
		"NULL|NULL|NULL|NULL|NULL|2|950|NULL|NULL\n"
		"7|m-7|1|NULL|1|sms|13800000001|NULL||later|queued|0|5000|NULL|"
		"NULL|NULL|NULL|NULL|NULL|NULL|2|960|NULL|NULL\n");
	/* a msg_id is the message's once */
	EACH(p) {
		struct hk_outbox_rec m = {.case_ref = 2, .template_ref = 1,
					  .body = "b", .next_at = 1,
					  .created_at = 1, .ref = -1};
		struct hk_err err = {0};

		snprintf(m.msg_id, sizeof(m.msg_id), "m-3");
		snprintf(m.channel, sizeof(m.channel), "sms");
		snprintf(m.to_addr, sizeof(m.to_addr), "1");
		db_failed(s->ops->outbox_insert(s, &m, &err), &err, k,
			  "could not queue a message");
		assert_int_equal(m.ref, -1);
	}

	/* whole records: a case's messages newest first */
	EACH(p) {
		struct hk_err err = {0};
		struct stop_after c = {.k = k};

		ok(s->ops->outbox_scan(s, 3, 0, "", 0, 10, msg_cb, &c, &err), &err, k);
		ok(s->ops->outbox_scan(s, 0, 0, "refused", 0, 10, msg_cb, &c, &err),
		   &err, k);
		ok(s->ops->outbox_scan(s, 2, 0, NULL, 0, 10, msg_cb, &c, &err), &err,
		   k);
	}
	out_check(p, &out_buf,
		  "2 m-2 case 3 contact 2 tmpl 1 sms to 13900000002 [赵六] [] "
		  "[短信正文二] queued att 0 next 950 lease 0 prov [] err [] rule [] "
		  "strat 4/2/1 by 0@910 sent 0 dlv 0\n"
		  "4 m-4 case 1 contact 1 tmpl 1 sms to 13800000001 [] [] [夜间] "
		  "refused att 0 next 900 lease 0 prov [] err [outside contact "
		  "hours] rule [hours] strat 0/0/0 by 2@930 sent 0 dlv 0\n"
		  "3 m-3 case 2 contact 3 tmpl 2 email to li@example.com [] [催告] "
		  "[邮件正文] queued att 0 next 1100 lease 0 prov [] err [] rule [] "
		  "strat 0/0/0 by 2@920 sent 0 dlv 0\n");
	/* refs only: all; of case 1; by status; below a ref; limits */
	scan_outbox(p, 0, "", 0, 100);
	scan_outbox(p, 1, "", 0, 100);
	scan_outbox(p, 1, "queued", 0, 100);
	scan_outbox(p, 0, "queued", 5, 100);
	scan_outbox(p, 0, "", 5, 2);
	scan_outbox(p, 0, "", 0, 3);
	scan_outbox(p, 1, "", 6, 2); /* the next page of case 1 */
	scan_outbox(p, 1, "", 4, 2); /* and the last */
	scan_outbox(p, 0, "", 1, 10); /* nothing below the first */
	scan_outbox(p, 99, "", 0, 10);
	scan_outbox(p, 0, "sent", 0, 10);
	scan_outbox(p, 0, "", 0, 0);
	out_check(p, &out_buf,
		  "7 6 5 4 3 2 1 \n"
		  "7 6 5 4 1 \n"
		  "7 5 1 \n"
		  "3 2 1 \n"
		  "4 3 \n"
		  "7 6 5 \n"
		  "5 4 \n"
		  "1 \n"
		  "\n\n\n\n");
	/* a callback that stops */
	EACH(p) {
		struct hk_err err = {0};
		struct stop_after c = {.k = k, .left = 1};

		ok(s->ops->outbox_scan(s, 0, 0, "", 0, 10, msg_cb, &c, &err), &err, k);
	}
	out_check(p, &out_buf,
		  "7 m-7 case 1 contact 0 tmpl 1 sms to 13800000001 [] [] [later] "
		  "queued att 0 next 5000 lease 0 prov [] err [] rule [] "
		  "strat 0/0/0 by 2@960 sent 0 dlv 0\n");
}

/* A claim's callback that reads the outbox meanwhile. */
struct claim_reader {
	int k;
	struct hk_store *s;
};

static int count_cb(void *ctx, const struct hk_outbox_rec *m)
{
	(void)m;
	++*(int *)ctx;
	return 0;
}

static int claim_reading_cb(void *ctx, const struct hk_outbox_rec *m)
{
	struct claim_reader *c = ctx;
	struct hk_err err = {0};
	int sending = 0;

	ok(c->s->ops->outbox_scan(c->s, 0, 0, "sending", 0, 100, count_cb, &sending,
				  &err),
	   &err, c->k);
	outf(&out_buf, c->k, "%lld att %d: %d sending\n", (long long)m->ref,
	     m->attempts, sending);
	return 0;
}

static void test_outbox_claim(void **state)
{
	struct pair *p = *state;

	fixture(p);
	outbox_fixture(p);
	/* due at 1000: 2 (950), 1 and 5 (1000, by ref); not 3 (1100) or 7
	 * (5000), nor refused 4 or cancelled 6 (next_at before now).  At
	 * most 2, oldest first: 2 then 1, leased until 1060 */
	claim(p, 1000, 60, 2);
	out_check(p, &out_buf,
		  "2 sending att 1 lease 1060\n"
		  "1 sending att 1 lease 1060\n");
	/* the same moment again: only 5 is left; then nothing */
	claim(p, 1000, 60, 10);
	claim(p, 1000, 60, 10);
	out_check(p, &out_buf, "5 sending att 1 lease 1060\n");
	/* before the leases run out: nothing (3 is not due) */
	claim(p, 1059, 60, 10);
	out_check(p, &out_buf, "");
	q_check(p, OUTBOX_Q,
		"1|sending|1|1000|1060|NULL|NULL|NULL|NULL\n"
		"2|sending|1|950|1060|NULL|NULL|NULL|NULL\n"
		"3|queued|0|1100|NULL|NULL|NULL|NULL|NULL\n"
		"4|refused|0|900|NULL|NULL|outside contact hours|NULL|NULL\n"
		"5|sending|1|1000|1060|NULL|NULL|NULL|NULL\n"
		"6|cancelled|0|0|NULL|NULL|NULL|NULL|NULL\n"
		"7|queued|0|5000|NULL|NULL|NULL|NULL|NULL\n");
	/* a claim rolled back took nothing */
	begin(p);
	EACH(p) {
		struct hk_err err = {0};

		ok(s->ops->outbox_claim(s, 1060, 30, 10, claim_cb, &k, &err), &err,
		   k);
	}
	rollback(p);
	out_check(p, &out_buf,
		  "2 sending att 2 lease 1090\n"
		  "1 sending att 2 lease 1090\n"
		  "5 sending att 2 lease 1090\n");
	q_check(p, "SELECT ref, attempts, lease_until FROM outbox WHERE "
		   "status = 'sending' ORDER BY ref",
		"1|1|1060\n2|1|1060\n5|1|1060\n");
	/* the lease ran out at 1060: taken again, attempts 2 */
	claim(p, 1060, 30, 10);
	out_check(p, &out_buf,
		  "2 sending att 2 lease 1090\n"
		  "1 sending att 2 lease 1090\n"
		  "5 sending att 2 lease 1090\n");

	/* outcomes: 2 sent (the provider's id), 1 failed, 5 to retry at
	 * 1300; each lease ends */
	EACH(p) {
		struct hk_outbox_rec m = {.ref = 2, .next_at = 950,
					  .sent_at = 1065,
					  /* not written by an update */
					  .attempts = 7, .lease_until = 7,
					  .delivered_at = 7};
		struct hk_err err = {0};

		snprintf(m.status, sizeof(m.status), "sent");
		snprintf(m.provider_id, sizeof(m.provider_id), "prov-2");
		ok(s->ops->outbox_update(s, &m, &err), &err, k);
		memset(&m, 0, sizeof(m));
		m.ref = 1;
		m.next_at = 1000;
		snprintf(m.status, sizeof(m.status), "failed");
		snprintf(m.last_error, sizeof(m.last_error), "invalid number");
		ok(s->ops->outbox_update(s, &m, &err), &err, k);
		memset(&m, 0, sizeof(m));
		m.ref = 5;
		m.next_at = 1300;
		snprintf(m.status, sizeof(m.status), "queued");
		snprintf(m.last_error, sizeof(m.last_error), "timeout");
		ok(s->ops->outbox_update(s, &m, &err), &err, k);
	}
	q_check(p, OUTBOX_Q,
		"1|failed|2|1000|NULL|NULL|invalid number|NULL|NULL\n"
		"2|sent|2|950|NULL|prov-2|NULL|1065|NULL\n"
		"3|queued|0|1100|NULL|NULL|NULL|NULL|NULL\n"
		"4|refused|0|900|NULL|NULL|outside contact hours|NULL|NULL\n"
		"5|queued|2|1300|NULL|NULL|timeout|NULL|NULL\n"
		"6|cancelled|0|0|NULL|NULL|NULL|NULL|NULL\n"
		"7|queued|0|5000|NULL|NULL|NULL|NULL|NULL\n");
	/* done ones are never taken again; at 1300: 3 (1100) then 5 (1300);
	 * max 0 takes nothing */
	claim(p, 1300, 60, 0);
	claim(p, 1300, 60, 10);
	out_check(p, &out_buf,
		  "3 sending att 1 lease 1360\n"
		  "5 sending att 3 lease 1360\n");
	/* the whole record, as the claim passes it: at 6000 the leases of
	 * 3 and 5 ran out and 7 is due; the oldest is 3 */
	begin(p);
	EACH(p) {
		struct hk_err err = {0};
		struct stop_after c = {.k = k};

		ok(s->ops->outbox_claim(s, 6000, 60, 1, msg_cb, &c, &err), &err,
		   k);
	}
	commit(p);
	out_check(p, &out_buf,
		  "3 m-3 case 2 contact 3 tmpl 2 email to li@example.com [] [催告] "
		  "[邮件正文] sending att 2 next 1100 lease 6060 prov [] err [] "
		  "rule [] strat 0/0/0 by 2@920 sent 0 dlv 0\n");
	/* a callback may read the store: every message taken is leased
	 * before the first callback (3, 5 and 7 at 7000, oldest first) */
	begin(p);
	EACH(p) {
		struct hk_err err = {0};
		struct claim_reader c = {.k = k, .s = s};

		ok(s->ops->outbox_claim(s, 7000, 60, 10, claim_reading_cb, &c,
					&err),
		   &err, k);
	}
	commit(p);
	out_check(p, &out_buf,
		  "3 att 3: 3 sending\n5 att 4: 3 sending\n7 att 1: 3 sending\n");
}

static void receipt(struct pair *p, const char *id, const char *status,
		    int64_t at)
{
	EACH(p) {
		struct hk_err err = {0};
		bool found = false, dup = true;

		ok(s->ops->outbox_receipt(s, id, status, at, &found, &dup, &err),
		   &err, k);
		outf(&out_buf, k, "%s %s: %s%s\n", id, status,
		     found ? "found" : "not found", dup ? " dup" : "");
	}
}

static void test_outbox_receipts(void **state)
{
	struct pair *p = *state;

	fixture(p);
	outbox_fixture(p);
	claim(p, 1100, 60, 10);
	out_check(p, &out_buf,
		  "2 sending att 1 lease 1160\n"
		  "1 sending att 1 lease 1160\n"
		  "5 sending att 1 lease 1160\n"
		  "3 sending att 1 lease 1160\n");
	EACH(p) {
		struct hk_outbox_rec m = {.ref = 2, .next_at = 950,
					  .sent_at = 1110};
		struct hk_err err = {0};

		snprintf(m.status, sizeof(m.status), "sent");
		snprintf(m.provider_id, sizeof(m.provider_id), "prov-2");
		ok(s->ops->outbox_update(s, &m, &err), &err, k);
		m.ref = 3;
		m.next_at = 1100;
		m.sent_at = 1120;
		snprintf(m.provider_id, sizeof(m.provider_id), "prov-3");
		ok(s->ops->outbox_update(s, &m, &err), &err, k);
		m.ref = 1;
		m.next_at = 1000;
		m.sent_at = 0;
		snprintf(m.status, sizeof(m.status), "failed");
		m.provider_id[0] = 0;
		snprintf(m.last_error, sizeof(m.last_error), "rejected");
		ok(s->ops->outbox_update(s, &m, &err), &err, k);
	}
	/* by provider id: delivered; told again: a dup, nothing changes; a
	 * later contrary receipt is kept but the first verdict stands */
	receipt(p, "prov-2", "delivered", 1400);
	receipt(p, "prov-2", "delivered", 1500);
	receipt(p, "prov-2", "undelivered", 1600);
	receipt(p, "prov-2", "undelivered", 1700);
	/* by our msg_id: undelivered */
	receipt(p, "m-3", "undelivered", 1450);
	/* one that outran our record of sending (5 is still sending) */
	receipt(p, "m-5", "delivered", 1460);
	/* a failed message keeps its status */
	receipt(p, "m-1", "delivered", 1470);
	/* unknown: not found, nothing recorded */
	receipt(p, "prov-9", "delivered", 1480);
	receipt(p, "", "delivered", 1490);
	out_check(p, &out_buf,
		  "prov-2 delivered: found\n"
		  "prov-2 delivered: found dup\n"
		  "prov-2 undelivered: found\n"
		  "prov-2 undelivered: found dup\n"
		  "m-3 undelivered: found\n"
		  "m-5 delivered: found\n"
		  "m-1 delivered: found\n"
		  "prov-9 delivered: not found\n"
		  " delivered: not found\n");
	q_check(p,
		"SELECT outbox_ref, status, at FROM outbox_receipts "
		"ORDER BY outbox_ref, status",
		"1|delivered|1470\n2|delivered|1400\n2|undelivered|1600\n"
		"3|undelivered|1450\n5|delivered|1460\n");
	q_check(p, OUTBOX_Q,
		"1|failed|1|1000|NULL|NULL|rejected|NULL|NULL\n"
		"2|delivered|1|950|NULL|prov-2|NULL|1110|1400\n"
		"3|undelivered|1|1100|NULL|prov-3|NULL|1120|1450\n"
		"4|refused|0|900|NULL|NULL|outside contact hours|NULL|NULL\n"
		"5|delivered|1|1000|1160|NULL|NULL|NULL|1460\n"
		"6|cancelled|0|0|NULL|NULL|NULL|NULL|NULL\n"
		"7|queued|0|5000|NULL|NULL|NULL|NULL|NULL\n");
	/* a delivered message is done: never claimed again */
	claim(p, 2000, 60, 10);
	out_check(p, &out_buf, "");
}

static void count(struct pair *p, int64_t debtor, const char *channel,
		  int64_t since)
{
	EACH(p) {
		struct hk_err err = {0};
		int64_t n = -1;

		ok(s->ops->outbox_count(s, debtor, channel, since, &n, &err), &err,
		   k);
		outf(&out_buf, k, "%lld ", (long long)n);
	}
}

static void test_outbox_count(void **state)
{
	struct pair *p = *state;

	fixture(p);
	outbox_fixture(p);
	/* D1's SMS over cases 1 and 3: 1 (900), 2 (910), 7 (960); refused 4
	 * and cancelled 6 not */
	count(p, 1, "sms", 0);
	count(p, 1, "sms", 900);
	count(p, 1, "sms", 901);
	count(p, 1, "sms", 961);
	count(p, 1, "email", 0);
	count(p, 2, "email", 920);
	count(p, 2, "email", 921);
	count(p, 2, "sms", 0);
	count(p, 9, "sms", 0);
	out_check(p, &out_buf, "3 3 2 0 1 1 0 0 0 ");
	/* whatever became of a message after, it counts (but cancelled) */
	claim(p, 1000, 60, 10);
	EACH(p) {
		struct hk_outbox_rec m = {.ref = 1, .next_at = 1000};
		struct hk_err err = {0};

		snprintf(m.status, sizeof(m.status), "failed");
		ok(s->ops->outbox_update(s, &m, &err), &err, k);
		m.ref = 2;
		snprintf(m.status, sizeof(m.status), "cancelled");
		ok(s->ops->outbox_update(s, &m, &err), &err, k);
	}
	memset(&out_buf, 0, sizeof(out_buf));
	count(p, 1, "sms", 0);
	out_check(p, &out_buf, "2 ");
}

/* The PostgreSQL side itself: there when asked for, skipped otherwise. */
static void test_postgresql_side(void **state)
{
	struct pair *p = *state;
	struct hk_err err = {0};
	int version = 0, sqlite_version = 0;

	if (p->n < 2) {
		print_message("HUIKUAN_TEST_PG is not set: the PostgreSQL side "
			      "did not run\n");
		skip();
	}
	ok(p->s[PG]->ops->schema_version(p->s[PG], &version, &err), &err, PG);
	ok(p->s[SQ]->ops->schema_version(p->s[SQ], &sqlite_version, &err), &err,
	   SQ);
	assert_int_equal(version, sqlite_version);
	assert_true(version >= 27);
	assert_int_equal(PQserverVersion(p->pg) / 10000, 15);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_templates, pair_setup,
						pair_teardown),
		cmocka_unit_test_setup_teardown(test_serials, pair_setup,
						pair_teardown),
		cmocka_unit_test_setup_teardown(test_letters, pair_setup,
						pair_teardown),
		cmocka_unit_test_setup_teardown(test_batches, pair_setup,
						pair_teardown),
		cmocka_unit_test_setup_teardown(test_outbox_insert_scan,
						pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(test_outbox_claim, pair_setup,
						pair_teardown),
		cmocka_unit_test_setup_teardown(test_outbox_receipts, pair_setup,
						pair_teardown),
		cmocka_unit_test_setup_teardown(test_outbox_count, pair_setup,
						pair_teardown),
		cmocka_unit_test_setup_teardown(test_postgresql_side, pair_setup,
						pair_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
