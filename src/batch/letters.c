/*
 * letters.c - letters and messages from templates (letters.h,
 * docs/letters.md): the rules a template must meet before it is saved, the
 * shipped templates, the data a case gives a template, and one letter
 * written and recorded.  Batches are letter_batch.c's, the outbox
 * outbox.c's.
 *
 * A letter is evidence: its amounts are the ledger's as of the last
 * day-end, its number is taken once and never again, and its file is kept
 * by its SHA-256, recorded with the letter in the same transaction.
 */
#define _GNU_SOURCE /* strcasestr */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "hk/guard.h"
#include "hk/letters.h"
#include "hk/pdf.h"
#include "hk/tmpl.h"
#include "hk/types.h"

extern const char *const hk_shipped_templates[];

/* ====================================================================
 * The rules of a template
 * ==================================================================== */

/* What the data has (docs/letters.md): top-level names, and an account's
 * inside {{#each accounts}}. */
static const char *const top_names[] = {
	"serial", "today", "as_of", "deadline", "dpd", "bucket", "contract",
	"next_due", "callback_phone",
	"debtor.name", "debtor.salutation", "debtor.address", "debtor.kind",
	"debtor.person", "debtor.company", "debtor.id_masked",
	"debtor.phone_masked",
	"addressee.name", "addressee.relation",
	"creditor.name", "creditor.phone", "creditor.address",
	"creditor.website",
	"owed.principal", "owed.interest", "owed.fee", "owed.penalty",
	"owed.total", "owed.principal_cn", "owed.interest_cn", "owed.fee_cn",
	"owed.penalty_cn", "owed.total_cn",
	"outstanding.principal", "outstanding.principal_cn",
	"collector.name", "collector.phone",
	"promise.amount", "promise.due_on",
	"lawyer.firm", "lawyer.name", "lawyer.license", "lawyer.address",
	"lawyer.phone",
	"letterhead.org", "letterhead.org_line",
	"accounts", NULL};
static const char *const account_names[] = {
	"id", "id_masked", "product", "open_date", "dpd", "bucket",
	"owed_principal", "owed_interest", "owed_fee", "owed_penalty",
	"owed_interest_fee", "owed_total", "outstanding", NULL};
/* What a message to someone other than the debtor may never name. */
static const char *const debt_details[] = {
	"owed", "outstanding", "accounts", "dpd", "bucket", "creditor",
	"serial", "promise", "deadline", "contract", "next_due", NULL};
/* Words that tell a third party there is a debt, whatever the data: a
 * third-party template's own text must not carry them either (ASCII
 * letters compared without case). */
static const char *const debt_words[] = {
	"欠款", "欠费", "欠债", "拖欠", "逾期", "催收", "催款", "还款", "还钱",
	"债务", "借款", "贷款", "违约", "起诉", "诉讼", "律师函", "征信", "账单",
	"debt", "overdue", "arrears", "owing", "owed", "repay", "loan",
	"lawsuit", "collection agency", NULL};
static const char *const demand_kinds[] = {"notice", "final", "lawyer",
					   "invoice", NULL};
static const char *const sections_required[] = {"basis", "rights", "check",
						"dispute", NULL};

static bool in_list(const char *v, const char *const *list);

bool hk_template_is_demand(const struct hk_template_rec *t)
{
	return strcmp(t->audience, "third_party") && strcmp(t->channel, "sms") &&
	       in_list(t->kind, demand_kinds);
}

static bool in_list(const char *v, const char *const *list)
{
	for (int i = 0; list[i]; i++)
		if (!strcmp(v, list[i]))
			return true;
	return false;
}

/* Whether `path` is `name` or lies below it ("owed.total" under "owed"). */
static bool under(const char *path, const char *name)
{
	size_t n = strlen(name);

	return !strncmp(path, name, n) && (path[n] == '\0' || path[n] == '.');
}

struct check {
	const struct hk_template_rec *t;
	enum hk_lang lang;
	char msg[2048];
	size_t len;
	int problems;
	bool third_party;
	/* what a demand needs, as found */
	bool debtor_name, total, creditor_name, creditor_phone;
	bool section[4];
};

static void problem(struct check *c, const char *zh, const char *en, ...)
{
	va_list ap;

	if (c->len + 2 >= sizeof(c->msg))
		return;
	if (c->problems++)
		c->msg[c->len++] = '\n';
	va_start(ap, en);
	c->len += (size_t)vsnprintf(c->msg + c->len, sizeof(c->msg) - c->len,
				    HK_TR(c->lang, zh, en), ap);
	va_end(ap);
	if (c->len >= sizeof(c->msg))
		c->len = sizeof(c->msg) - 1;
}

static int check_ref(void *ctx, enum hk_tmpl_ref_kind kind, const char *path,
		     const char *in_each, size_t text_len, int line)
{
	struct check *c = ctx;

	if (kind == HK_TMPL_REF_SECTION) {
		for (int i = 0; sections_required[i]; i++)
			if (!strcmp(path, sections_required[i]) && text_len > 0)
				c->section[i] = true;
		return 0;
	}
	/* inside the accounts, an account's names come first */
	if (in_each && !strcmp(in_each, "accounts") &&
	    in_list(path, account_names))
		;
	else if (kind == HK_TMPL_REF_EACH ? strcmp(path, "accounts")
					  : !in_list(path, top_names))
		problem(c, "第 %d 行：没有“%s”这个数据（可用的数据见 docs/letters.md）",
			"line %d: there is no \"%s\" (docs/letters.md lists the data)",
			line, path);
	if (c->third_party)
		for (int i = 0; debt_details[i]; i++)
			if (under(path, debt_details[i]) ||
			    (in_each && under(in_each, debt_details[i])))
				problem(c, "第 %d 行：发给第三方的模板不得含有债务信息（%s）",
					"line %d: a template for a third party names no debt details (%s)",
					line, path);
	if (!in_each) {
		c->debtor_name |= !strcmp(path, "debtor.name") ||
				  !strcmp(path, "debtor.salutation") ||
				  !strcmp(path, "addressee.name");
		c->total |= !strcmp(path, "owed.total");
		c->creditor_name |= !strcmp(path, "creditor.name");
		c->creditor_phone |= !strcmp(path, "creditor.phone");
	}
	return 0;
}

/* A template's own words: its text without the {{ }} tags (whose names,
 * debtor.name among them, are checked above).  The caller frees it. */
static char *literal_text(const char *s)
{
	size_t n = s ? strlen(s) : 0, k = 0;
	char *out = hk_malloc(n + 1);

	for (size_t i = 0; i < n; i++) {
		const char *end;

		if (s[i] == '{' && s[i + 1] == '{' && (end = strstr(s + i + 2, "}}"))) {
			i = (size_t)(end - s) + 1;
			out[k++] = ' ';
			continue;
		}
		out[k++] = s[i];
	}
	out[k] = '\0';
	return out;
}

enum hk_rc hk_template_check(const struct hk_template_rec *t,
			     enum hk_lang lang, struct hk_err *err)
{
	struct check c = {.t = t, .lang = lang,
			  .third_party = !strcmp(t->audience, "third_party")};
	const char *body = t->body ? t->body : "", *category;
	char words[200];
	struct hk_tmpl *parsed = NULL;
	struct hk_err perr = {0};

	if (!t->code[0] || !hk_ident_valid(t->code, strlen(t->code)))
		problem(&c, "模板代码只能由字母、数字、下划线和连字符组成",
			"a template's code is letters, digits, _ and -");
	if (strcmp(t->channel, "letter") && strcmp(t->channel, "sms") &&
	    strcmp(t->channel, "email"))
		problem(&c, "渠道须为 letter、sms 或 email",
			"the channel is letter, sms or email");
	if (strcmp(t->audience, "debtor") && !c.third_party)
		problem(&c, "对象须为 debtor 或 third_party",
			"the audience is debtor or third_party");
	if (!in_list(t->kind, demand_kinds) && strcmp(t->kind, "reminder") &&
	    strcmp(t->kind, "message"))
		problem(&c, "类型须为 reminder、notice、final、lawyer、invoice 或 message",
			"the kind is reminder, notice, final, lawyer, invoice or message");
	if (!t->name[0])
		problem(&c, "模板须有名称", "a template needs a name");
	if (t->days_to_pay < 0 || t->days_to_pay > 90)
		problem(&c, "还款期限须为 0 至 90 天", "days to pay are 0 to 90");
	if (!strcmp(t->channel, "email") && !(t->subject && *t->subject))
		problem(&c, "邮件模板须有主题", "an email template needs a subject");
	if (hk_tmpl_parse(body, strlen(body), lang, &parsed, &perr) != HK_OK) {
		problem(&c, "%s", "%s", perr.msg);
	} else {
		hk_tmpl_refs(parsed, check_ref, &c);
		hk_tmpl_free(parsed);
	}
	if (t->subject && *t->subject) {
		if (hk_tmpl_parse(t->subject, strlen(t->subject), lang, &parsed,
				  &perr) != HK_OK) {
			problem(&c, "主题：%s", "subject: %s", perr.msg);
		} else {
			hk_tmpl_refs(parsed, check_ref, &c);
			hk_tmpl_free(parsed);
		}
	}
	if (!strcmp(t->channel, "sms") && strlen(body) > 1500)
		problem(&c, "短信模板过长（最多约 500 个汉字）",
			"an SMS template is too long (about 500 Chinese characters at most)");
	/* a demand: what the credit-card rules require of it */
	if (!c.third_party && strcmp(t->channel, "sms") &&
	    in_list(t->kind, demand_kinds)) {
		static const char *const sec_zh[] = {"债务的原因和法律依据", "债务人的权利和义务",
						     "查询账户及还款记录的方式", "提出异议的方式"};
		static const char *const sec_en[] = {"the reason and legal basis", "the debtor's rights and obligations",
						     "how to check the account and repayments", "how to dispute"};

		if (!c.debtor_name)
			problem(&c, "催收函须写明债务人姓名（{{debtor.name}}）",
				"a demand names the debtor ({{debtor.name}})");
		if (!c.total)
			problem(&c, "催收函须写明欠款金额（{{owed.total}}）",
				"a demand states the balance owed ({{owed.total}})");
		if (!c.creditor_name || !c.creditor_phone)
			problem(&c, "催收函须写明债权人及其联系方式（{{creditor.name}}、{{creditor.phone}}）",
				"a demand gives the creditor and its contact details ({{creditor.name}}, {{creditor.phone}})");
		for (int i = 0; sections_required[i]; i++)
			if (!c.section[i])
				problem(&c, "催收函须有写明%s的段落（{{#section %s}}…{{/section}}）",
					"a demand has a part on %s ({{#section %s}}…{{/section}})",
					HK_TR(lang, sec_zh[i], sec_en[i]),
					sections_required[i]);
	}
	if (c.third_party) {
		char *text = literal_text(body), *subj = literal_text(t->subject);

		for (int i = 0; debt_words[i]; i++)
			if (strcasestr(text, debt_words[i]) ||
			    strcasestr(subj, debt_words[i]))
				problem(&c, "发给第三方的模板不得提及债务（“%s”）",
					"a template for a third party does not speak of a debt (\"%s\")",
					debt_words[i]);
		free(text);
		free(subj);
	}
	if (hk_guard_lexicon(body, words, sizeof(words), &category) ||
	    (t->subject && hk_guard_lexicon(t->subject, words, sizeof(words),
					    &category)))
		problem(&c, "模板含有禁用词（%s）：%s",
			"the template has forbidden wording (%s): %s", category,
			words);
	if (!c.problems)
		return HK_OK;
	return hk_err_set(err, HK_EINVAL, "%s", c.msg);
}

/* ====================================================================
 * The shipped templates (data/templates)
 * ==================================================================== */

/* "key: value" lines, then a line "---", then the body. */
static bool header_field(const char *text, const char *key, char *out,
			 size_t cap)
{
	size_t kl = strlen(key);

	for (const char *p = text; *p && strncmp(p, "---\n", 4);) {
		const char *eol = strchr(p, '\n');

		if (!eol)
			break;
		if (!strncmp(p, key, kl) && p[kl] == ':') {
			const char *v = p + kl + 1;

			while (*v == ' ')
				v++;
			snprintf(out, cap, "%.*s", (int)(eol - v), v);
			return true;
		}
		p = eol + 1;
	}
	out[0] = '\0';
	return false;
}

struct have {
	char code[65], channel[8];
	bool found;
};

static int has_code(void *ctx, const struct hk_template_rec *t)
{
	struct have *h = ctx;

	if (!strcmp(t->code, h->code) && !strcmp(t->channel, h->channel))
		h->found = true;
	return h->found;
}

enum hk_rc hk_templates_seed(struct hk_store *s, int64_t at, int *added,
			     struct hk_err *err)
{
	enum hk_rc rc = HK_OK;

	*added = 0;
	for (int i = 0; hk_shipped_templates[i] && rc == HK_OK; i++) {
		const char *text = hk_shipped_templates[i];
		const char *body = strstr(text, "\n---\n");
		struct hk_template_rec t = {0};
		struct have h = {0};
		char days[16], subject[256];

		if (!body)
			return hk_err_set(err, HK_EINTERNAL,
					  "shipped template %d has no body", i);
		header_field(text, "code", t.code, sizeof(t.code));
		header_field(text, "channel", t.channel, sizeof(t.channel));
		header_field(text, "name", t.name, sizeof(t.name));
		header_field(text, "audience", t.audience, sizeof(t.audience));
		header_field(text, "kind", t.kind, sizeof(t.kind));
		header_field(text, "subject", subject, sizeof(subject));
		/* a shipped header, checked by the tests: the default when
		 * absent */
		t.days_to_pay = header_field(text, "days_to_pay", days, sizeof(days))
					? (int)strtol(days, NULL, 10)
					: 7;
		t.subject = subject;
		t.body = (char *)body + 5;
		t.created_at = at;
		snprintf(h.code, sizeof(h.code), "%s", t.code);
		snprintf(h.channel, sizeof(h.channel), "%s", t.channel);
		if ((rc = s->ops->templates_scan(s, has_code, &h, err)) != HK_OK ||
		    h.found)
			continue;
		if ((rc = hk_template_check(&t, HK_LANG_EN, err)) != HK_OK)
			return hk_err_set(err, HK_EINTERNAL,
					  "shipped template %s.%s: %s", t.code,
					  t.channel, err->msg);
		if ((rc = s->ops->template_insert(s, &t, err)) == HK_OK &&
		    (rc = s->ops->template_publish(s, t.ref, 0, at, err)) == HK_OK)
			(*added)++;
	}
	return rc;
}

/* ====================================================================
 * The data a case gives its template
 * ==================================================================== */

static void put_date(json_t *o, const char *key, int32_t date)
{
	char buf[32];
	int y, m, d;

	if (date == HK_DATE_NONE) {
		json_object_set_new(o, key, json_string(""));
		return;
	}
	hk_date_to_ymd(date, &y, &m, &d);
	snprintf(buf, sizeof(buf), "%d年%d月%d日", y, m, d);
	json_object_set_new(o, key, json_string(buf));
}

static void put_money(json_t *o, const char *key, int64_t fen, bool cn)
{
	char buf[HK_MONEY_CN_BUFSZ], cn_key[64];

	hk_money_format_grouped(fen, buf);
	json_object_set_new(o, key, json_string(buf));
	if (cn) {
		hk_money_cn_upper(fen, buf);
		snprintf(cn_key, sizeof(cn_key), "%s_cn", key);
		json_object_set_new(o, cn_key, json_string(buf));
	}
}

static const char *product_zh(int product)
{
	static const char *const zh[] = {"信用卡", "消费贷款", "经营贷款",
					 "应收账款", "其他"};

	return product >= 0 && product < (int)(sizeof(zh) / sizeof(*zh))
		       ? zh[product]
		       : "其他";
}

static const char *contract_of(int product)
{
	static const char *const names[] = {"《信用卡领用合约》", "《个人消费借款合同》",
					    "《借款合同》", "购销（服务）合同",
					    "相关合同"};

	return product >= 0 && product < (int)(sizeof(names) / sizeof(*names))
		       ? names[product]
		       : "相关合同";
}

struct gather {
	struct hk_store *s;
	const struct hk_config *cfg;
	int32_t as_of;
	json_t *accounts;
	int64_t principal, interest, fee, penalty, total, outstanding;
	int32_t dpd, next_due;
	int first_product;
	int64_t refs[64];
	int n_refs;
};

static int add_account(void *ctx, const struct hk_acct_row *row)
{
	struct gather *g = ctx;
	struct hk_view v = {0};
	char masked[80];
	json_t *a = json_object();

	if (row->has_state)
		hk_summary_view(&row->summary, &g->cfg->buckets, g->as_of, &v);
	if (!json_array_size(g->accounts))
		g->first_product = row->product;
	json_object_set_new(a, "id", json_string(row->account_id));
	/* an account number shows its first 4 and last 4 characters */
	if (strlen(row->account_id) > 8)
		snprintf(masked, sizeof(masked), "%.4s****%s", row->account_id,
			 row->account_id + strlen(row->account_id) - 4);
	else
		snprintf(masked, sizeof(masked), "%s", row->account_id);
	json_object_set_new(a, "id_masked", json_string(masked));
	json_object_set_new(a, "product", json_string(product_zh(row->product)));
	put_date(a, "open_date", row->open_date);
	json_object_set_new(a, "dpd", json_integer(v.dpd));
	json_object_set_new(a, "bucket",
			    json_string(g->cfg->buckets.name[v.bucket]));
	put_money(a, "owed_principal", v.overdue_principal, false);
	put_money(a, "owed_interest", v.overdue_interest, false);
	put_money(a, "owed_fee", v.overdue_fee, false);
	put_money(a, "owed_penalty", v.penalty_due, false);
	put_money(a, "owed_interest_fee", v.overdue_interest + v.overdue_fee,
		  false);
	put_money(a, "owed_total", v.total_overdue, false);
	put_money(a, "outstanding", v.principal_outstanding, false);
	json_array_append_new(g->accounts, a);
	g->principal += v.overdue_principal;
	g->interest += v.overdue_interest;
	g->fee += v.overdue_fee;
	g->penalty += v.penalty_due;
	g->total += v.total_overdue;
	g->outstanding += v.principal_outstanding;
	if (v.dpd > g->dpd)
		g->dpd = v.dpd;
	if (g->n_refs < (int)(sizeof(g->refs) / sizeof(*g->refs)))
		g->refs[g->n_refs++] = row->ref;
	return 0;
}

static int next_due_of(void *ctx, const struct hk_inst *inst)
{
	struct gather *g = ctx;

	if (inst->due >= g->as_of &&
	    (inst->principal || inst->interest || inst->fee) &&
	    (g->next_due == HK_DATE_NONE || inst->due < g->next_due))
		g->next_due = inst->due;
	return 0;
}

struct pick_promise {
	struct hk_promise_detail p;
	bool found;
};

static int latest_pending(void *ctx, const struct hk_promise_detail *p)
{
	struct pick_promise *pp = ctx;

	if (p->status == HK_PROMISE_PENDING &&
	    (!pp->found || p->made_on >= pp->p.made_on)) {
		pp->p = *p;
		pp->found = true;
	}
	return 0;
}

struct pick_contact {
	const char *id;
	struct hk_contact_row row;
	bool found;
};

static int match_contact(void *ctx, const struct hk_contact_row *c)
{
	struct pick_contact *pc = ctx;

	if (!pc->found && pc->id && !strcmp(c->contact_id, pc->id)) {
		pc->row = *c;
		pc->found = true;
	}
	return 0;
}

static const char *relation_zh(const char *r)
{
	static const char *const map[][2] = {
		{"self", "本人"}, {"spouse", "配偶"}, {"parent", "父母"},
		{"child", "子女"}, {"sibling", "兄弟姐妹"}, {"relative", "亲属"},
		{"friend", "朋友"}, {"colleague", "同事"}, {"employer", "单位"},
		{"guarantor", "担保人"}, {"co_borrower", "共同借款人"},
		{"other", "其他"}};

	for (size_t i = 0; i < sizeof(map) / sizeof(*map); i++)
		if (!strcmp(r, map[i][0]))
			return map[i][1];
	return r;
}

enum hk_rc hk_letter_data(struct hk_store *s, const struct hk_config *cfg,
			  const struct hk_letter_job *job, json_t **out,
			  int64_t *total_owed, struct hk_err *err)
{
	struct hk_scope all = {.all = true};
	struct hk_case_rec c;
	struct hk_creditor_config cr;
	struct gather g = {.s = s, .cfg = cfg, .as_of = job->as_of,
			   .next_due = HK_DATE_NONE};
	struct pick_promise pp = {0};
	struct pick_contact pc = {.id = job->contact_id};
	const struct hk_letters_config *lc = &cfg->letters;
	char masked[64], salutation[160];
	json_t *d, *o;
	bool found;
	enum hk_rc rc;

	*out = NULL;
	if ((rc = s->ops->case_get(s, job->case_ref, &all, &c, &found, err)) !=
	    HK_OK)
		return rc;
	if (!found)
		return hk_err_set(err, HK_ENOTFOUND, "no case %lld",
				  (long long)job->case_ref);
	g.accounts = json_array();
	if ((rc = s->ops->case_accounts(s, c.ref, add_account, &g, err)) !=
		    HK_OK ||
	    (rc = s->ops->case_promises(s, c.ref, latest_pending, &pp, err)) !=
		    HK_OK ||
	    (job->contact_id &&
	     (rc = s->ops->debtor_contacts(s, c.debtor_ref, match_contact, &pc,
					   err)) != HK_OK)) {
		json_decref(g.accounts);
		return rc;
	}
	for (int i = 0; i < g.n_refs && rc == HK_OK; i++)
		rc = s->ops->installments_load(s, g.refs[i], next_due_of, &g, err);
	if (rc != HK_OK) {
		json_decref(g.accounts);
		return rc;
	}
	if (job->contact_id && !pc.found) {
		json_decref(g.accounts);
		return hk_err_set(err, HK_ENOTFOUND, "%s",
				  "the debtor has no such contact");
	}
	hk_creditor_of(cfg, c.creditor, &cr);
	d = json_object();
	json_object_set_new(d, "serial", json_string(job->serial ? job->serial : ""));
	put_date(d, "today", job->today);
	put_date(d, "as_of", job->as_of);
	put_date(d, "deadline", job->today + (job->tmpl ? job->tmpl->days_to_pay : 7));
	put_date(d, "next_due", g.next_due);
	json_object_set_new(d, "dpd", json_integer(g.dpd));
	json_object_set_new(d, "bucket",
			    json_string(cfg->buckets.name[hk_bucket_of(&cfg->buckets, g.dpd)]));
	json_object_set_new(d, "contract",
			    json_string(cr.contract[0] ? cr.contract
						       : contract_of(g.first_product)));
	json_object_set_new(d, "callback_phone",
			    json_string(lc->callback_phone[0] ? lc->callback_phone
							      : cr.phone));

	o = json_object();
	json_object_set_new(o, "name", json_string(c.name));
	json_object_set_new(o, "kind", json_string(c.kind));
	json_object_set_new(o, "person", json_boolean(strcmp(c.kind, "company")));
	json_object_set_new(o, "company", json_boolean(!strcmp(c.kind, "company")));
	snprintf(salutation, sizeof(salutation), "%s%s", c.name,
		 strcmp(c.kind, "company") ? "先生/女士" : "");
	json_object_set_new(o, "salutation", json_string(salutation));
	json_object_set_new(o, "address", json_string(c.address));
	hk_mask_id(c.id_number, masked);
	json_object_set_new(o, "id_masked", json_string(masked));
	hk_mask_phone(c.phone, masked);
	json_object_set_new(o, "phone_masked", json_string(masked));
	json_object_set_new(d, "debtor", o);

	o = json_object();
	json_object_set_new(o, "name", json_string(pc.found ? pc.row.name : c.name));
	json_object_set_new(o, "relation",
			    json_string(pc.found ? relation_zh(pc.row.relation)
						 : "本人"));
	json_object_set_new(d, "addressee", o);

	o = json_object();
	json_object_set_new(o, "name", json_string(cr.name));
	json_object_set_new(o, "phone", json_string(cr.phone));
	json_object_set_new(o, "address", json_string(cr.address));
	json_object_set_new(o, "website", json_string(cr.website));
	json_object_set_new(d, "creditor", o);

	o = json_object();
	put_money(o, "principal", g.principal, true);
	put_money(o, "interest", g.interest, true);
	put_money(o, "fee", g.fee, true);
	put_money(o, "penalty", g.penalty, true);
	put_money(o, "total", g.total, true);
	json_object_set_new(d, "owed", o);
	o = json_object();
	put_money(o, "principal", g.outstanding, true);
	json_object_set_new(d, "outstanding", o);
	json_object_set_new(d, "accounts", g.accounts);

	o = json_object();
	{
		struct hk_user u = {0};
		bool have = false;

		if (c.collector_ref &&
		    (rc = s->ops->user_get(s, NULL, c.collector_ref, &u, &have,
					   err)) != HK_OK) {
			json_decref(o);
			json_decref(d);
			return rc;
		}
		json_object_set_new(o, "name", json_string(have ? u.display_name : ""));
	}
	json_object_set_new(o, "phone", json_string(cr.phone));
	json_object_set_new(d, "collector", o);

	o = json_object();
	if (pp.found) {
		put_money(o, "amount", pp.p.amount, false);
		put_date(o, "due_on", pp.p.due_on);
	} else {
		json_object_set_new(o, "amount", json_string(""));
		json_object_set_new(o, "due_on", json_string(""));
	}
	json_object_set_new(d, "promise", o);

	json_object_set_new(d, "lawyer",
			    json_pack("{s:s, s:s, s:s, s:s, s:s}", "firm",
				      lc->lawyer_firm, "name", lc->lawyer_name,
				      "license", lc->lawyer_license, "address",
				      lc->lawyer_address, "phone",
				      lc->lawyer_phone));
	json_object_set_new(d, "letterhead",
			    json_pack("{s:s, s:s}", "org", lc->org, "org_line",
				      lc->org_line));
	if (total_owed)
		*total_owed = g.total;
	*out = d;
	return HK_OK;
}

/* ====================================================================
 * Rendering and writing one letter
 * ==================================================================== */

static enum hk_rc render_one(const char *src, const json_t *data, bool letter,
			     char **text, enum hk_lang lang, struct hk_err *err)
{
	struct hk_tmpl *t = NULL;
	struct hk_text out = {0};
	enum hk_rc rc = hk_tmpl_parse(src, strlen(src), lang, &t, err);

	*text = NULL;
	if (rc == HK_OK)
		rc = hk_tmpl_render(t, data, letter ? hk_pdf_escape : NULL, &out,
				    lang, err);
	hk_tmpl_free(t);
	if (rc != HK_OK) {
		hk_text_clear(&out);
		return rc;
	}
	*text = out.p;
	return HK_OK;
}

/* What a demand cannot be sent without: a creditor to contact, for a
 * lawyer's letter the firm that signs it, and something overdue. */
static enum hk_rc demand_ready(const json_t *data, const struct hk_letter_job *job,
			       int64_t owed, enum hk_lang lang,
			       struct hk_err *err)
{
	const char *phone = json_string_value(
		json_object_get(json_object_get(data, "creditor"), "phone"));

	if (!hk_template_is_demand(job->tmpl))
		return HK_OK;
	if (owed <= 0)
		return hk_err_set(err, HK_EREFUSED, "%s",
				  HK_TR(lang, "案件没有逾期欠款，不发催收函",
					"the case owes nothing overdue: no demand"));
	if (!phone || !*phone)
		return hk_err_set(err, HK_ECONFIG, "%s",
				  HK_TR(lang, "催收函须写明债权人的联系电话：请在配置中设置 [creditor.<代码>] phone 或 [letters] phone",
					"a demand gives the creditor's phone: set [creditor.<id>] phone or [letters] phone in the configuration"));
	if (!strcmp(job->tmpl->kind, "lawyer") &&
	    !*json_string_value(json_object_get(json_object_get(data, "lawyer"), "firm")))
		return hk_err_set(err, HK_ECONFIG, "%s",
				  HK_TR(lang, "律师函须配置律师事务所：[letters] lawyer_firm、lawyer_name 等",
					"a lawyer's letter needs its firm: [letters] lawyer_firm, lawyer_name and the rest"));
	return HK_OK;
}

/* A value the template names and the case leaves empty is a gap in the
 * text - "您向…承诺于还款元" from the promise reminder for a case with no
 * pending promise, a false claim sent to a debtor - unless the template
 * tests it ({{#if}} on the same group) first.  docs/letters.md: never an
 * empty gap. */
struct gap_walk {
	const json_t *data;
	char tested[16][96];
	int n_tested;
	char empty[16][96];
	int n_empty;
};

static const json_t *data_at(const json_t *d, const char *path)
{
	char part[96];

	for (const char *p = path; d && *p;) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);

		snprintf(part, sizeof(part), "%.*s", (int)n, p);
		d = json_object_get(d, part);
		p = dot ? dot + 1 : p + n;
	}
	return d;
}

static int gap_ref(void *ctx, enum hk_tmpl_ref_kind kind, const char *path,
		   const char *in_each, size_t text_len, int line)
{
	struct gap_walk *g = ctx;
	const json_t *v;

	(void)text_len;
	(void)line;
	if (kind == HK_TMPL_REF_IF && g->n_tested < 16)
		snprintf(g->tested[g->n_tested++], sizeof(g->tested[0]), "%s",
			 path[0] == '!' ? path + 1 : path);
	if (kind != HK_TMPL_REF_VALUE || in_each || g->n_empty == 16)
		return 0;
	v = data_at(g->data, path);
	if (json_is_string(v) && !*json_string_value(v))
		snprintf(g->empty[g->n_empty++], sizeof(g->empty[0]), "%s", path);
	return 0;
}

/* The group of a path: "promise" of "promise.amount". */
static bool same_group(const char *a, const char *b)
{
	size_t na = strcspn(a, "."), nb = strcspn(b, ".");

	return na == nb && !strncmp(a, b, na);
}

static enum hk_rc no_gaps(const char *src, const json_t *data,
			  enum hk_lang lang, struct hk_err *err)
{
	struct gap_walk g = {.data = data};
	struct hk_tmpl *t = NULL;

	if (!src || hk_tmpl_parse(src, strlen(src), lang, &t, err) != HK_OK)
		return HK_OK; /* rendering answers a template that does not parse */
	hk_tmpl_refs(t, gap_ref, &g);
	hk_tmpl_free(t);
	for (int i = 0; i < g.n_empty; i++) {
		bool tested = false;

		for (int k = 0; k < g.n_tested && !tested; k++)
			tested = same_group(g.empty[i], g.tested[k]);
		if (!tested)
			return hk_err_set(err, HK_EREFUSED,
					  HK_TR(lang, "案件没有模板所需的数据 {{%s}}（不留空白）",
						"the case has nothing for {{%s}}, which the template names (no gaps)"),
					  g.empty[i]);
	}
	return HK_OK;
}

enum hk_rc hk_letter_render(struct hk_store *s, const struct hk_config *cfg,
			    const struct hk_letter_job *job, char **text,
			    char **subject, int64_t *total_owed,
			    enum hk_lang lang, struct hk_err *err)
{
	json_t *data = NULL;
	bool letter = !strcmp(job->tmpl->channel, "letter");
	int64_t owed = 0;
	enum hk_rc rc = hk_letter_data(s, cfg, job, &data, &owed, err);

	*text = NULL;
	if (subject)
		*subject = NULL;
	if (total_owed)
		*total_owed = owed;
	if (rc == HK_OK)
		rc = demand_ready(data, job, owed, lang, err);
	if (rc == HK_OK)
		rc = no_gaps(job->tmpl->body, data, lang, err);
	if (rc == HK_OK && job->tmpl->subject && *job->tmpl->subject)
		rc = no_gaps(job->tmpl->subject, data, lang, err);
	if (rc == HK_OK)
		rc = render_one(job->tmpl->body, data, letter, text, lang, err);
	if (rc == HK_OK && subject && job->tmpl->subject && *job->tmpl->subject)
		rc = render_one(job->tmpl->subject, data, false, subject, lang,
				err);
	/* a message ends where its words end (a template file's last line
	 * end is not part of an SMS) */
	if (rc == HK_OK && !letter) {
		size_t n = strlen(*text);

		while (n && strchr(" \t\r\n", (*text)[n - 1]))
			(*text)[--n] = '\0';
	}
	json_decref(data);
	if (rc != HK_OK) {
		free(*text);
		*text = NULL;
	}
	return rc;
}

void hk_stored_path(const char *files_dir, const char *sha256, char *out,
		    size_t cap)
{
	snprintf(out, cap, "%s/%s", files_dir, sha256);
}

/* The SHA-256 (hex) and size of a file. */
static bool file_sha256(const char *path, char hex[65], int64_t *size)
{
	crypto_hash_sha256_state st;
	unsigned char buf[65536], sum[crypto_hash_sha256_BYTES];
	FILE *f = fopen(path, "rb");
	size_t n;

	*size = 0;
	if (!f)
		return false;
	crypto_hash_sha256_init(&st);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		crypto_hash_sha256_update(&st, buf, n);
		*size += (int64_t)n;
	}
	fclose(f);
	crypto_hash_sha256_final(&st, sum);
	sodium_bin2hex(hex, 65, sum, sizeof(sum));
	return true;
}

/* Move a written file to files_dir under its SHA-256. */
static enum hk_rc keep_file(const char *tmp, const char *files_dir,
			    char sha[65], int64_t *size, enum hk_lang lang,
			    struct hk_err *err)
{
	char path[1200];

	if (!file_sha256(tmp, sha, size))
		return hk_err_set(err, HK_EIO, "could not read %s", tmp);
	if (mkdir(files_dir, 0700) != 0 && errno != EEXIST)
		return hk_err_set(err, HK_EIO,
				  HK_TR(lang, "无法创建文件夹 %s：%s",
					"could not create the folder %s: %s"),
				  files_dir, strerror(errno));
	hk_stored_path(files_dir, sha, path, sizeof(path));
	if (rename(tmp, path) != 0)
		return hk_err_set(err, HK_EIO,
				  HK_TR(lang, "无法保存信函文件 %s：%s",
					"could not keep the letter file %s: %s"),
				  path, strerror(errno));
	return HK_OK;
}

/* The treatment that asks for this letter, if the case has one whose
 * template is `code`: its version, rule and arm go on the record. */
static enum hk_rc treatment_of(struct hk_store *s, int64_t case_ref,
			       struct hk_letter_rec *l, struct hk_err *err)
{
	struct hk_treatment_rec t;
	bool found = false;
	enum hk_rc rc = s->ops->treatment_get(s, case_ref, &t, &found, err);

	if (rc == HK_OK && found) {
		l->strategy_ref = t.strategy_ref;
		l->rule_no = t.rule_no;
		l->arm_no = t.arm_no;
	}
	return rc;
}

/* A folder of cut fonts (face0..3.otf), gone. */
static void remove_fonts(const char *dir)
{
	char path[1300];

	for (int i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/face%d.otf", dir, i);
		unlink(path);
	}
	rmdir(dir);
}

static int32_t local_today(void)
{
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	return hk_date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

enum hk_rc hk_letter_write(struct hk_store *s, const struct hk_config *cfg,
			   const char *files_dir, int64_t case_ref,
			   const char *code, int64_t user_ref,
			   struct hk_letter_rec *out, enum hk_lang lang,
			   struct hk_err *err)
{
	struct hk_template_rec t = {0};
	struct hk_letter_job job = {.case_ref = case_ref, .tmpl = &t};
	struct hk_letter_style st;
	struct hk_pdf *pdf = NULL;
	char tmp[1200], *text = NULL;
	int y, m, d, pages = 0;
	bool found = false;
	enum hk_rc rc;

	memset(out, 0, sizeof(*out));
	if ((rc = hk_store_meta_date(s, HK_META_LAST_EOD, &job.as_of, err)) !=
	    HK_OK)
		return rc;
	job.today = local_today();
	if (job.as_of == HK_DATE_NONE)
		job.as_of = job.today;
	if ((rc = s->ops->template_get(s, 0, code, "letter", &t, &found, err)) !=
	    HK_OK)
		goto fail;
	if (!found) {
		rc = hk_err_set(err, HK_ENOTFOUND,
				HK_TR(lang, "没有已发布的信函模板“%s”",
				      "no published letter template \"%s\""),
				code);
		goto fail;
	}
	if (!strcmp(t.audience, "third_party")) {
		rc = hk_err_set(err, HK_EINVAL, "%s",
				HK_TR(lang, "第三方模板不能用于给债务人的信函",
				      "a third-party template does not make a letter to the debtor"));
		goto fail;
	}
	hk_date_to_ymd(job.today, &y, &m, &d);
	if ((rc = s->ops->letter_serial_next(s, y, out->serial, err)) != HK_OK)
		goto fail;
	job.serial = out->serial;
	if ((rc = hk_letter_render(s, cfg, &job, &text, NULL, &out->total_owed,
				   lang, err)) != HK_OK)
		goto fail;
	/* the guardrails, as a batch applies them (letter_batch.c): a single
	 * letter went out to a disputed or paused case, and a lawyer's letter
	 * to a time-barred one.  The rule goes back in err->field. */
	{
		struct hk_scope all = {.all = true};
		struct hk_case_rec c;
		struct hk_guard_result g = {0};
		bool have = false;

		if ((rc = s->ops->case_get(s, case_ref, &all, &c, &have, err)) !=
			    HK_OK ||
		    (have &&
		     (rc = hk_guard_check(s, cfg, lang, &c,
					  &(struct hk_contact_plan){
						  .channel = !strcmp(t.kind, "lawyer")
								     ? "lawyer_letter"
								     : "letter",
						  .note = text,
						  .at = (int64_t)time(NULL)},
					  &g, err)) != HK_OK))
			goto fail;
		if (g.rule) {
			rc = hk_err_set(err, HK_EREFUSED, "%s", g.message);
			snprintf(err->field, sizeof(err->field), "%s", g.rule);
			goto fail;
		}
	}
	hk_letter_style_default(&st);
	snprintf(st.org, sizeof(st.org), "%s", cfg->letters.org);
	snprintf(st.org_line, sizeof(st.org_line), "%s", cfg->letters.org_line);
	snprintf(tmp, sizeof(tmp), "%s.letter.XXXXXX", files_dir);
	{
		int fd = mkstemp(tmp);

		if (fd < 0) {
			rc = hk_err_set(err, HK_EIO, "could not write %s: %s", tmp,
					strerror(errno));
			goto fail;
		}
		close(fd);
	}
	/* the fonts cut to this letter's characters: a file of tens of
	 * kilobytes, not the half megabyte a whole CJK face's subset
	 * costs (pdf.h) */
	{
		char fdir[1200];
		struct hk_pdf_fonts *fonts = hk_pdf_fonts_new(&st);

		snprintf(fdir, sizeof(fdir), "%s.fonts.XXXXXX", files_dir);
		hk_pdf_fonts_add(fonts, text, strlen(text));
		if (!mkdtemp(fdir)) {
			rc = hk_err_set(err, HK_EIO, "could not create %s: %s",
					fdir, strerror(errno));
		} else {
			if ((rc = hk_pdf_fonts_build(fonts, fdir, lang, err)) == HK_OK &&
			    (rc = hk_pdf_open(tmp, &pdf, lang, err)) == HK_OK)
				rc = hk_pdf_letter(fonts, &pdf, 1, &st, text,
						   strlen(text), &pages, lang, err);
			if (pdf && hk_pdf_close(pdf, err) != HK_OK && rc == HK_OK)
				rc = HK_EIO;
			pdf = NULL;
			remove_fonts(fdir);
		}
		hk_pdf_fonts_free(fonts);
		if (rc != HK_OK) {
			unlink(tmp);
			goto fail;
		}
	}
	if ((rc = keep_file(tmp, files_dir, out->sha256, &out->size, lang,
			    err)) != HK_OK) {
		unlink(tmp);
		goto fail;
	}
	out->case_ref = case_ref;
	out->template_ref = t.ref;
	out->as_of = job.as_of;
	out->pages = pages;
	out->created_by = user_ref;
	out->created_at = (int64_t)time(NULL);
	snprintf(out->template_code, sizeof(out->template_code), "%s", t.code);
	out->template_version = t.version;
	if ((rc = treatment_of(s, case_ref, out, err)) != HK_OK ||
	    (rc = s->ops->letter_insert(s, out, err)) != HK_OK)
		goto fail;
	free(text);
	hk_template_rec_clear(&t);
	return HK_OK;
fail:
	free(text);
	hk_template_rec_clear(&t);
	return rc;
}
