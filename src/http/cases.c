/*
 * cases.c - GET /api/cases/{id}: one case (案件) with its debtor, every
 * account's ledger state as of the last day-end (the figures of ledger.md
 * §4), its installments and payments, the debtor's contacts and the case's
 * promises.
 *
 * The user's scope is part of the store query: a case outside it answers
 * 404, exactly like a case that does not exist.  Phone and ID numbers leave
 * masked; revealing them is a separate, audited request (to come).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hk/batch.h"
#include "http_int.h"

void hk_scope_of(const struct hk_user *u, struct hk_scope *sc)
{
	memset(sc, 0, sizeof(*sc));
	if (u->role & (HK_ROLE_ADMIN | HK_ROLE_MANAGER | HK_ROLE_AUDITOR))
		sc->all = true;
	else if (u->role & HK_ROLE_TEAM_LEADER)
		sc->team_ref = u->team_ref ? u->team_ref : -1;
	else if (u->role & HK_ROLE_COLLECTOR)
		sc->collector_ref = u->ref;
	else if (u->role & HK_ROLE_AGENCY_COLLECTOR)
		/* the cases placed with their agency, none without one */
		sc->agency_ref = u->agency_ref ? u->agency_ref : -1;
}

static json_t *money(int64_t fen)
{
	char buf[HK_MONEY_BUFSZ];

	hk_money_format(fen, buf);
	return json_string(buf);
}

static json_t *date_or_null(int32_t d)
{
	char buf[HK_DATE_BUFSZ];

	if (d == HK_DATE_NONE)
		return json_null();
	hk_date_format(d, buf);
	return json_string(buf);
}

static json_t *masked(const char *text, bool phone)
{
	char out[64];

	if (!text[0] || strlen(text) >= sizeof(out))
		return json_null();
	if (phone)
		hk_mask_phone(text, out);
	else
		hk_mask_id(text, out);
	return json_string(out);
}

/* The accounts' limitation ends (guard.c), looked up by account. */
#define MAX_LIMITATION 64
struct detail {
	struct hk_req *req;
	int32_t as_of;
	size_t n_lim;
	int64_t lim_ref[MAX_LIMITATION];
	int32_t lim_end[MAX_LIMITATION];
	json_t *accounts;
	json_t *list; /* the current installments / payments list */
	enum hk_rc rc;
	struct hk_err err;
};

static int add_inst(void *ctx, const struct hk_inst *in)
{
	struct detail *d = ctx;

	json_array_append_new(
		d->list, json_pack("{s:i, s:o, s:o, s:o, s:o}", "seq", in->seq,
				   "due_date", date_or_null(in->due),
				   "principal", money(in->sched_principal),
				   "interest", money(in->sched_interest), "fee",
				   money(in->sched_fee)));
	return 0;
}

static int add_payment(void *ctx, const struct hk_payment_row *p)
{
	struct detail *d = ctx;

	json_array_append_new(d->list,
			      json_pack("{s:s, s:o, s:o, s:s}", "payment_id",
					p->payment_id, "paid_on",
					date_or_null(p->paid_on), "amount",
					money(p->amount), "channel", p->channel));
	return 0;
}

static int add_account(void *ctx, const struct hk_acct_row *row)
{
	struct detail *d = ctx;
	struct hk_store *s = d->req->store;
	const struct hk_config *cfg = d->req->cfg;
	struct hk_view v;
	json_t *acct, *state = json_null();

	if (d->as_of != HK_DATE_NONE) {
		if (row->has_state && d->as_of >= row->summary.win_start &&
		    d->as_of <= row->summary.win_end)
			hk_summary_view(&row->summary, &cfg->buckets, d->as_of, &v);
		else if ((d->rc = hk_eod_account_view(s, cfg, row, d->as_of, &v,
						      &d->err)) != HK_OK)
			return 1;
		state = json_pack(
			"{s:o, s:i, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
			"as_of", date_or_null(d->as_of), "dpd", v.dpd, "bucket",
			cfg->buckets.name[v.bucket], "overdue_principal",
			money(v.overdue_principal), "overdue_interest",
			money(v.overdue_interest), "overdue_fee",
			money(v.overdue_fee), "penalty_due", money(v.penalty_due),
			"total_overdue", money(v.total_overdue),
			"principal_outstanding", money(v.principal_outstanding),
			"credit_balance", money(v.credit_balance),
			"penalty_accrued_total", money(v.penalty_accrued_total),
			"paid_total", money(v.paid_total), "first_overdue_date",
			date_or_null(v.first_overdue_date), "waived_total",
			money(v.waived_total));
	}
	acct = json_pack("{s:s, s:s, s:o, s:o, s:o}", "account_id",
			 row->account_id, "product", hk_product_name(row->product),
			 "open_date", date_or_null(row->open_date), "state", state,
			 "installments", json_array());
	/* The last day of the limitation period (诉讼时效), while overdue. */
	for (size_t i = 0; i < d->n_lim; i++)
		if (d->lim_ref[i] == row->ref)
			json_object_set_new(acct, "limitation_ends",
					    date_or_null(d->lim_end[i]));
	d->list = json_object_get(acct, "installments");
	if ((d->rc = s->ops->installments_load(s, row->ref, add_inst, d,
					       &d->err)) != HK_OK) {
		json_decref(acct);
		return 1;
	}
	json_object_set_new(acct, "payments", json_array());
	d->list = json_object_get(acct, "payments");
	if ((d->rc = s->ops->account_payments(s, row->ref, add_payment, d,
					      &d->err)) != HK_OK) {
		json_decref(acct);
		return 1;
	}
	json_array_append_new(d->accounts, acct);
	return 0;
}

static int add_contact(void *ctx, const struct hk_contact_row *c)
{
	json_array_append_new(
		ctx, json_pack("{s:s, s:s, s:s?, s:o, s:b, s:s, s:s?}",
			       "contact_id", c->contact_id, "relation",
			       c->relation, "name", c->name[0] ? c->name : NULL,
			       "phone", masked(c->phone, true), "authorized",
			       c->authorized, "validity", c->validity, "source",
			       c->source[0] ? c->source : NULL));
	return 0;
}

static int add_promise(void *ctx, const struct hk_promise_detail *p)
{
	json_array_append_new(
		ctx, json_pack("{s:I, s:o, s:o, s:o, s:s}", "id",
			       (json_int_t)p->ref, "made_on",
			       date_or_null(p->made_on), "due_on",
			       date_or_null(p->due_on), "amount",
			       money(p->amount), "status",
			       hk_promise_status_name(p->status)));
	return 0;
}

static int add_limitation(void *ctx, const struct hk_limitation_row *r)
{
	struct detail *d = ctx;

	if (d->n_lim < MAX_LIMITATION) {
		d->lim_ref[d->n_lim] = r->account_ref;
		d->lim_end[d->n_lim++] =
			hk_guard_limitation_end(&d->req->cfg->compliance, r);
	}
	return 0;
}

bool hk_case_in_scope(struct hk_req *req, struct hk_case_rec *c)
{
	struct hk_scope scope;
	struct hk_err err = {0};
	char *end;
	long long id;
	bool found = false;

	errno = 0;
	id = strtoll(req->params[0], &end, 10);
	hk_scope_of(&req->user, &scope);
	if (!errno && !*end && id > 0 &&
	    req->store->ops->case_get(req->store, id, &scope, c, &found, &err) !=
		    HK_OK) {
		hk_reply_error(req, HK_EDB, 503, NULL);
		return false;
	}
	if (!found)
		hk_reply_error(req, HK_ENOTFOUND, 404,
			       HK_TR(req->lang, "没有这个案件", "no such case"));
	return found;
}

void hk_h_case_get(struct hk_req *req)
{
	struct hk_store *s = req->store;
	struct hk_case_rec c;
	struct detail d = {.req = req};
	json_t *contacts, *promises, *history, *out;

	if (!hk_case_in_scope(req, &c))
		return;
	if (hk_store_meta_date(s, HK_META_LAST_EOD, &d.as_of, &d.err) != HK_OK) {
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	d.accounts = json_array();
	contacts = json_array();
	promises = json_array();
	history = json_array();
	if (s->ops->case_limitation(s, c.ref, add_limitation, &d, &d.err) !=
		    HK_OK ||
	    s->ops->case_accounts(s, c.ref, add_account, &d, &d.err) != HK_OK ||
	    s->ops->debtor_contacts(s, c.debtor_ref, add_contact, contacts,
				    &d.err) != HK_OK ||
	    s->ops->case_promises(s, c.ref, add_promise, promises, &d.err) !=
		    HK_OK ||
	    s->ops->case_status_history(s, c.ref, hk_status_history_add,
					history, &d.err) != HK_OK) {
		json_decref(d.accounts);
		json_decref(contacts);
		json_decref(promises);
		json_decref(history);
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	out = json_pack("{s:I, s:s, s:s, s:{s:s, s:s, s:s, s:o, s:o, s:s?, s:s?, s:s?}, s:o, s:o, s:o}",
			"id", (json_int_t)c.ref, "creditor", c.creditor,
			"status", c.status, "debtor", "debtor_id", c.debtor_id,
			"name", c.name, "kind", c.kind, "id_number",
			masked(c.id_number, false), "phone",
			masked(c.phone, true), "segment",
			c.segment[0] ? c.segment : NULL, "province",
			c.province[0] ? c.province : NULL, "city",
			c.city[0] ? c.city : NULL, "accounts", d.accounts,
			"contacts", contacts, "promises", promises);
	json_object_set_new(out, "status_history", history);
	json_object_set_new(out, "agency_id", c.agency_ref
						      ? json_integer(c.agency_ref)
						      : json_null());
	/* Where the case has been placed is the firm's business, not the
	 * agency's. */
	if (!(req->user.role & HK_ROLE_AGENCY_COLLECTOR)) {
		json_t *placements = hk_placements_json(req, c.ref);

		if (!placements) {
			json_decref(out);
			hk_reply_error(req, HK_EDB, 503, NULL);
			return;
		}
		json_object_set_new(out, "placements", placements);
	}
	json_object_set_new(out, "lost_contact", json_boolean(c.lost_contact));
	json_object_set_new(out, "treatment", hk_treatment_json(req, c.ref));
	if (c.address[0]) {
		char addr[HK_MASKED_ADDRESS_BUFSZ];

		hk_mask_address(c.address, addr);
		json_object_set_new(json_object_get(out, "debtor"), "address",
				    json_string(addr));
	}
	hk_reply(req, 200, out);
}

/* ====================================================================
 * GET /api/cases: the list, filtered, by id, a page at a time
 * ==================================================================== */

/* A filter's value by name: from the JSON object `obj` when there is one
 * (a letter batch's filter), else from the query string; a JSON number is
 * written out in `num`, true as "true". */
static const char *param(struct hk_req *req, json_t *obj, const char *name,
			 char num[32])
{
	json_t *v;

	if (!obj)
		return hk_req_query(req, name);
	v = json_object_get(obj, name);
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(num, 32, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return num;
	}
	return json_is_true(v) ? "true" : NULL;
}

static const char *text_param(struct hk_req *req, json_t *obj,
			      const char *name)
{
	return obj ? json_string_value(json_object_get(obj, name))
		   : hk_req_query(req, name);
}

static bool param_int(struct hk_req *req, json_t *obj, const char *name,
		      long long lo, long long hi, long long *out)
{
	char num[32];
	const char *v = param(req, obj, name, num);
	char *end;
	char msg[160];

	if (!v)
		return true;
	errno = 0;
	*out = strtoll(v, &end, 10);
	if (errno || !*v || *end || *out < lo || *out > hi) {
		snprintf(msg, sizeof(msg),
			 HK_TR(req->lang, "参数 %s 需要 %lld 到 %lld 之间的整数",
			       "%s takes a whole number from %lld to %lld"),
			 name, lo, hi);
		hk_reply_error(req, HK_EINVAL, 400, msg);
		return false;
	}
	return true;
}

static bool query_int(struct hk_req *req, const char *name, long long lo,
		      long long hi, long long *out)
{
	return param_int(req, NULL, name, lo, hi, out);
}

static const char *const sort_names[] = {
	[HK_SORT_DPD] = "dpd", [HK_SORT_ID] = "id",
	[HK_SORT_OVERDUE] = "overdue", [HK_SORT_FOLLOW_UP] = "follow_up", NULL};

struct list_ctx {
	struct hk_req *req;
	const struct hk_case_filter *f;
	json_t *list;
	char next[48]; /* the last line's keyset cursor */
};

/* The list is the busiest answer: its lines are built key by key without
 * jansson's UTF-8 re-checks (the store's text was checked on the way in,
 * the rest is ours) or json_pack's format parsing. */
static void put(json_t *o, const char *key, json_t *v)
{
	json_object_set_new_nocheck(o, key, v);
}

static json_t *text(const char *v)
{
	return v ? json_string_nocheck(v) : json_null();
}

static json_t *money_fast(int64_t fen)
{
	char buf[HK_MONEY_BUFSZ];

	hk_money_format(fen, buf);
	return json_string_nocheck(buf);
}

static json_t *id_or_null(int64_t ref)
{
	return ref ? json_integer(ref) : json_null();
}

static int add_line(void *ctx, const struct hk_case_line *l)
{
	struct list_ctx *lc = ctx;
	const struct hk_bucket_table *b = &lc->req->cfg->buckets;
	json_t *line = json_object(), *debtor = json_object();

	put(line, "id", json_integer(l->ref));
	put(line, "creditor", text(l->creditor));
	put(line, "status", text(l->status));
	put(debtor, "debtor_id", text(l->debtor_id));
	put(debtor, "name", text(l->name));
	put(line, "debtor", debtor);
	put(line, "accounts", json_integer(l->accounts));
	put(line, "dpd", json_integer(l->dpd));
	put(line, "bucket", text(b->name[hk_bucket_of(b, l->dpd)]));
	put(line, "total_overdue", money_fast(l->total_overdue));
	put(line, "next_follow_up", date_or_null(l->next_follow_up));
	put(line, "promise", l->promise_status < 0
				     ? json_null()
				     : text(hk_promise_status_name(l->promise_status)));
	put(line, "lost_contact", json_boolean(l->lost_contact));
	put(line, "collector_id", id_or_null(l->collector_ref));
	put(line, "team_id", id_or_null(l->team_ref));
	json_array_append_new(lc->list, line);
	if (lc->f->sort == HK_SORT_ID)
		snprintf(lc->next, sizeof(lc->next), "%lld", (long long)l->ref);
	else
		snprintf(lc->next, sizeof(lc->next), "%lld:%lld",
			 (long long)l->sort_key, (long long)l->ref);
	return 0;
}

/* The keyset cursor of a page: "REF" when sorting by id, else
 * "KEY:REF" (the sort key and ref of the previous page's last line). */
static bool parse_after(const char *v, struct hk_case_filter *f)
{
	char *end;
	long long key = 0, ref;

	errno = 0;
	if (f->sort != HK_SORT_ID) {
		key = strtoll(v, &end, 10);
		if (end == v || *end != ':')
			return false;
		v = end + 1;
	}
	ref = strtoll(v, &end, 10);
	if (errno || end == v || *end || ref < 0)
		return false;
	f->has_after = true;
	f->after_key = key;
	f->after_ref = ref;
	return true;
}

static bool bad_param(struct hk_req *req, const char *zh, const char *en)
{
	hk_reply_error(req, HK_EINVAL, 400, HK_TR(req->lang, zh, en));
	return false;
}

static bool money_param(struct hk_req *req, json_t *obj, const char *name,
			int64_t *out)
{
	char num[32];
	const char *v = param(req, obj, name, num);
	char msg[160];

	if (!v || hk_money_parse(v, strlen(v), out) == HK_OK)
		return true;
	snprintf(msg, sizeof(msg),
		 HK_TR(req->lang, "%s 需要金额（元），例如 1000.00",
		       "%s takes an amount in yuan, such as 1000.00"),
		 name);
	hk_reply_error(req, HK_EINVAL, 400, msg);
	return false;
}

/* Every filter of GET /api/cases into f, from the query string, or from
 * `obj` (a letter batch's filter: the same names, not the page's limit,
 * sort and after); false once it has answered 400. */
static bool parse_filter(struct hk_req *req, json_t *obj,
			 struct hk_case_filter *f)
{
	static const char *const promise_states[] = {"pending", "kept",
						     "broken", NULL};
	const struct hk_bucket_table *b = &req->cfg->buckets;
	char n[5][32];
	const char *bucket = param(req, obj, "bucket", n[0]);
	const char *promise = param(req, obj, "promise", n[1]);
	const char *product = param(req, obj, "product", n[2]);
	const char *sort = obj ? NULL : hk_req_query(req, "sort");
	const char *follow_up = param(req, obj, "follow_up", n[3]);
	const char *lost = param(req, obj, "lost_contact", n[4]);
	const char *after = obj ? NULL : hk_req_query(req, "after");
	long long v;

	/* texts only: they outlive this call (the object's or the query's) */
	f->status = text_param(req, obj, "status");
	f->creditor = text_param(req, obj, "creditor");
	f->province = text_param(req, obj, "province");
	f->segment = text_param(req, obj, "segment");
	v = -1;
	if (!param_int(req, obj, "dpd_min", 0, 100000, &v))
		return false;
	f->dpd_min = (int32_t)v;
	v = -1;
	if (!param_int(req, obj, "dpd_max", 0, 100000, &v))
		return false;
	f->dpd_max = (int32_t)v;
	v = 0;
	if (!param_int(req, obj, "collector", 1, INT64_MAX, &v))
		return false;
	f->collector_ref = v;
	v = 0;
	if (!param_int(req, obj, "team", 1, INT64_MAX, &v))
		return false;
	f->team_ref = v;
	v = 50;
	if (!obj && !query_int(req, "limit", 1, 500, &v))
		return false;
	f->limit = (int)v;
	if (!money_param(req, obj, "min_overdue", &f->min_overdue) ||
	    !money_param(req, obj, "max_overdue", &f->max_overdue))
		return false;
	if (bucket) {
		int i = hk_bucket_find(b, bucket);

		if (i < 0)
			return bad_param(req, "未知的账龄", "unknown bucket");
		/* A bucket is a DPD range; it narrows any range given. */
		if (f->dpd_min < (i ? b->max_dpd[i - 1] + 1 : 0))
			f->dpd_min = i ? b->max_dpd[i - 1] + 1 : 0;
		if (b->max_dpd[i] != INT32_MAX &&
		    (f->dpd_max < 0 || f->dpd_max > b->max_dpd[i]))
			f->dpd_max = b->max_dpd[i];
	}
	if (product && (f->product = hk_product_parse(product, strlen(product))) < 0)
		return bad_param(req, "未知的产品", "unknown product");
	if (promise) {
		if (!hk_one_of(promise, promise_states))
			return bad_param(req, "promise 须为 pending、kept 或 broken",
					 "promise must be pending, kept or broken");
		/* Broken promises surface for follow-up: ?promise=broken. */
		f->promise_status = !strcmp(promise, "pending") ? HK_PROMISE_PENDING
				    : !strcmp(promise, "kept")  ? HK_PROMISE_KEPT
								: HK_PROMISE_BROKEN;
	}
	/* follow_up=due: the follow-ups due today or overdue; or a date. */
	if (follow_up && !strcmp(follow_up, "due"))
		f->follow_up_by = hk_today();
	else if (follow_up && hk_date_parse(follow_up, strlen(follow_up),
					    &f->follow_up_by) != HK_OK)
		return bad_param(req, "follow_up 须为 due 或日期 YYYY-MM-DD",
				 "follow_up must be due or a date YYYY-MM-DD");
	if (lost && strcmp(lost, "true"))
		return bad_param(req, "lost_contact 只接受 true",
				 "lost_contact takes only true");
	f->lost_contact = lost != NULL;
	if (sort) {
		int i = 0;

		while (sort_names[i] && strcmp(sort_names[i], sort))
			i++;
		if (!sort_names[i])
			return bad_param(req, "sort 须为 dpd、id、overdue 或 follow_up",
					 "sort must be dpd, id, overdue or follow_up");
		f->sort = (enum hk_case_sort)i;
	}
	if (after && !parse_after(after, f))
		return bad_param(req, "after 须为上一页返回的 next_after",
				 "after must be the next_after of the page before");
	return true;
}

void hk_h_cases_list(struct hk_req *req)
{
	struct hk_case_filter f = {.dpd_min = -1, .dpd_max = -1,
				   .min_overdue = -1, .max_overdue = -1,
				   .product = -1, .promise_status = -1,
				   .follow_up_by = HK_DATE_NONE,
				   .promise_due_by = HK_DATE_NONE,
				   .sort = HK_SORT_DPD, .limit = 50};
	struct list_ctx lc = {.req = req, .f = &f};
	struct hk_scope scope;
	struct hk_err err = {0};
	int32_t as_of;

	if (!parse_filter(req, NULL, &f))
		return;
	if (hk_store_meta_date(req->store, HK_META_LAST_EOD, &as_of, &err) !=
	    HK_OK) {
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	hk_scope_of(&req->user, &scope);
	lc.list = json_array();
	if (req->store->ops->cases_list(req->store, &scope, &f,
					as_of == HK_DATE_NONE ? 0 : as_of,
					add_line, &lc, &err) != HK_OK) {
		json_decref(lc.list);
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	/* Keyset pagination: a full page tells where the next one starts. */
	hk_reply(req, 200,
		 json_pack("{s:o, s:s, s:o, s:o}", "as_of", date_or_null(as_of),
			   "sort", sort_names[f.sort], "cases", lc.list,
			   "next_after",
			   json_array_size(lc.list) == (size_t)f.limit
				   ? json_string(lc.next)
				   : json_null()));
}

struct refs_ctx {
	int64_t *refs;
	size_t n, cap;
};

static int add_ref(void *ctx, const struct hk_case_line *l)
{
	struct refs_ctx *rc = ctx;

	if (rc->n == rc->cap) {
		rc->cap = rc->cap ? 2 * rc->cap : 1024;
		rc->refs = hk_realloc(rc->refs, rc->cap * sizeof(*rc->refs));
	}
	rc->refs[rc->n++] = l->ref;
	return 0;
}

bool hk_cases_matching(struct hk_req *req, json_t *filter, size_t max,
		       int64_t **refs, size_t *n)
{
	static const char *const names[] = {
		"status", "creditor", "province", "segment", "bucket",
		"dpd_min", "dpd_max", "collector", "team", "product",
		"min_overdue", "max_overdue", "promise", "follow_up",
		"lost_contact", NULL};
	static const char *const texts[] = {"status", "creditor", "province",
					    "segment", "bucket", "product",
					    "promise", "follow_up", NULL};
	struct hk_case_filter f = {.dpd_min = -1, .dpd_max = -1,
				   .min_overdue = -1, .max_overdue = -1,
				   .product = -1, .promise_status = -1,
				   .follow_up_by = HK_DATE_NONE,
				   .promise_due_by = HK_DATE_NONE,
				   .sort = HK_SORT_ID};
	struct refs_ctx rc = {0};
	struct hk_scope scope;
	struct hk_err err = {0};
	const char *key;
	json_t *v;
	char msg[200];
	int32_t as_of;

	*refs = NULL;
	*n = 0;
	if (!json_is_object(filter))
		return bad_param(req, "filter 须为案件列表的筛选条件（对象）",
				 "filter is an object of the case list's filters");
	/* a misspelt name, or a value of the wrong kind (read as no filter),
	 * would widen the batch to cases nobody chose */
	json_object_foreach(filter, key, v) {
		bool text = hk_one_of(key, texts), flag = !strcmp(key, "lost_contact");

		if (!hk_one_of(key, names)) {
			snprintf(msg, sizeof(msg),
				 HK_TR(req->lang, "未知的筛选条件：%s",
				       "unknown filter: %s"), key);
			hk_reply_error(req, HK_EINVAL, 400, msg);
			return false;
		}
		if (flag ? !json_is_boolean(v)
			 : !json_is_string(v) && (text || !json_is_integer(v))) {
			snprintf(msg, sizeof(msg),
				 HK_TR(req->lang, "筛选条件 %s 的值须为%s",
				       "filter %s takes %s"),
				 key,
				 flag ? HK_TR(req->lang, " true 或 false", "true or false")
				 : text ? HK_TR(req->lang, "文字", "a text")
					: HK_TR(req->lang, "数字", "a number"));
			hk_reply_error(req, HK_EINVAL, 400, msg);
			return false;
		}
	}
	if (!parse_filter(req, filter, &f))
		return false;
	f.limit = (int)max + 1;
	if (hk_store_meta_date(req->store, HK_META_LAST_EOD, &as_of, &err) !=
	    HK_OK) {
		hk_reply_error(req, HK_EDB, 503, NULL);
		return false;
	}
	hk_scope_of(&req->user, &scope);
	if (req->store->ops->cases_list(req->store, &scope, &f,
					as_of == HK_DATE_NONE ? 0 : as_of,
					add_ref, &rc, &err) != HK_OK) {
		free(rc.refs);
		hk_reply_error(req, HK_EDB, 503, NULL);
		return false;
	}
	if (rc.n > max) {
		free(rc.refs);
		snprintf(msg, sizeof(msg),
			 HK_TR(req->lang, "筛选出的案件超过 %zu 个，请缩小条件",
			       "the filter selects more than %zu cases: narrow it"),
			 max);
		hk_reply_error(req, HK_EINVAL, 400, msg);
		return false;
	}
	*refs = rc.refs;
	*n = rc.n;
	return true;
}

/* ====================================================================
 * POST /api/cases/{id}/reveal: one unmasked number, audited
 * ==================================================================== */

struct find_contact {
	const char *contact_id;
	char phone[24];
	bool found;
};

static int match_contact(void *ctx, const struct hk_contact_row *c)
{
	struct find_contact *f = ctx;

	if (!strcmp(c->contact_id, f->contact_id)) {
		memcpy(f->phone, c->phone, sizeof(f->phone));
		f->found = true;
	}
	return 0;
}

void hk_h_case_reveal(struct hk_req *req)
{
	static const char *const fields[] = {"field", "contact_id", NULL};
	struct hk_store *s = req->store;
	struct hk_case_rec c;
	struct hk_err err = {0};
	struct find_contact fc = {0};
	json_t *body;
	const char *field, *contact;
	char value[257] = "", target[96], field_copy[16];
	enum hk_rc rc;

	if (!hk_case_in_scope(req, &c) || !(body = hk_req_json_object(req, fields)))
		return;
	field = json_string_value(json_object_get(body, "field"));
	contact = json_string_value(json_object_get(body, "contact_id"));
	if (field && !strcmp(field, "id_number") && !contact)
		snprintf(value, sizeof(value), "%s", c.id_number);
	else if (field && !strcmp(field, "address") && !contact)
		snprintf(value, sizeof(value), "%s", c.address);
	else if (field && !strcmp(field, "phone") && !contact)
		snprintf(value, sizeof(value), "%s", c.phone);
	else if (field && !strcmp(field, "phone") && contact) {
		fc.contact_id = contact;
		if (s->ops->debtor_contacts(s, c.debtor_ref, match_contact, &fc,
					    &err) != HK_OK) {
			json_decref(body);
			hk_reply_error(req, HK_EDB, 503, NULL);
			return;
		}
		if (fc.found)
			snprintf(value, sizeof(value), "%s", fc.phone);
	} else {
		json_decref(body);
		hk_reply_error(req, HK_EINVAL, 400,
			       HK_TR(req->lang,
				     "field 须为 phone、id_number 或 address（联系人电话另给 contact_id）",
				     "field must be phone, id_number or address (and contact_id for a contact's phone)"));
		return;
	}
	snprintf(field_copy, sizeof(field_copy), "%s", field);
	snprintf(target, sizeof(target), "case:%lld%s%.64s", (long long)c.ref,
		 contact ? "/contact:" : "", contact ? contact : "");
	json_decref(body);
	if (!value[0]) {
		hk_reply_error(req, HK_ENOTFOUND, 404,
			       HK_TR(req->lang, "没有这项信息", "there is no such detail"));
		return;
	}
	/* The reveal is recorded before the number leaves: no record, no
	 * number. */
	if ((rc = s->ops->begin(s, &err)) == HK_OK) {
		rc = hk_audit_commit(req, "pii.reveal", target,
			 json_pack("{s:s}", "field", field_copy), &err);
	}
	if (rc != HK_OK) {
		s->ops->rollback(s);
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	hk_reply(req, 200, json_pack("{s:s, s:s}", "field", field_copy, "value",
				     value));
}

/* ====================================================================
 * POST /api/cases/{id}/status: the status flow, with who, when and why
 * ==================================================================== */

/* Allowed moves: from → the statuses it may go to.  Ending a case
 * (settled, written off, closed) is a manager's call; going legal a team
 * leader's. */
static const struct {
	const char *from;
	const char *const to[9];
} moves[] = {
	{"new", {"in_collection", "disputed", "closed", NULL}},
	{"in_collection", {"promised", "on_plan", "disputed", "legal",
			   "paid_off", "settled", "written_off", "closed", NULL}},
	{"promised", {"in_collection", "on_plan", "disputed", "legal",
		      "paid_off", "settled", NULL}},
	{"on_plan", {"in_collection", "disputed", "legal", "paid_off",
		     "settled", NULL}},
	{"disputed", {"in_collection", "legal", "closed", NULL}},
	{"legal", {"in_collection", "paid_off", "settled", "written_off",
		   "closed", NULL}},
	{"paid_off", {"closed", NULL}},
	{"settled", {"closed", NULL}},
	{"written_off", {"closed", NULL}},
};

static bool move_allowed(const char *from, const char *to)
{
	for (size_t i = 0; i < sizeof(moves) / sizeof(moves[0]); i++)
		if (!strcmp(moves[i].from, from))
			return hk_one_of(to, moves[i].to);
	return false;
}

static int needed_roles(const char *to)
{
	static const char *const managers[] = {"settled", "written_off",
					       "closed", NULL};

	if (hk_one_of(to, managers))
		return HK_ROLE_ADMIN | HK_ROLE_MANAGER;
	if (!strcmp(to, "legal"))
		return HK_ROLE_ADMIN | HK_ROLE_MANAGER | HK_ROLE_TEAM_LEADER;
	return HK_ROLE_ANY;
}

void hk_h_case_status(struct hk_req *req)
{
	static const char *const fields[] = {"status", "reason", NULL};
	struct hk_store *s = req->store;
	struct hk_case_rec c;
	struct hk_err err = {0};
	json_t *body;
	const char *to, *reason;
	char target[32], to_copy[32], msg[200];
	enum hk_rc rc;

	if (!hk_case_in_scope(req, &c) || !(body = hk_req_json_object(req, fields)))
		return;
	to = json_string_value(json_object_get(body, "status"));
	reason = json_string_value(json_object_get(body, "reason"));
	if (!to || !reason || !*reason || strlen(reason) > 500 ||
	    !move_allowed(c.status, to)) {
		snprintf(msg, sizeof(msg),
			 HK_TR(req->lang, "不能从 %s 改为该状态，或缺少原因（reason）",
			       "a case in %s cannot move to that status, or the reason is missing"),
			 c.status);
		json_decref(body);
		hk_reply_error(req, HK_EINVAL, 400, msg);
		return;
	}
	/* Going legal on a case past its limitation period is a threat the
	 * law does not back (GR-LIMITATION); reasons are screened too. */
	if (!strcmp(to, "legal")) {
		bool barred = false;

		if (!hk_guard_time_barred(req, &c, &barred)) {
			json_decref(body);
			return;
		}
		if (barred) {
			struct hk_guard_result g = {.rule = "GR-LIMITATION"};

			snprintf(g.message, sizeof(g.message), "%s",
				 HK_TR(req->lang,
				       "案件的逾期账户均已超过诉讼时效，不得转入诉讼",
				       "every overdue account of the case is past the limitation period: it cannot go legal"));
			json_decref(body);
			hk_guard_refuse(req, &c, &g);
			return;
		}
	}
	if (!hk_guard_text(req, &c, reason)) {
		json_decref(body);
		return;
	}
	if (!(needed_roles(to) & req->user.role)) {
		json_decref(body);
		hk_reply_error(req, HK_EREFUSED, 403,
			       HK_TR(req->lang, "你的角色无权执行此操作",
				     "your role may not do this"));
		return;
	}
	snprintf(to_copy, sizeof(to_copy), "%s", to);
	if ((rc = s->ops->begin(s, &err)) == HK_OK &&
	    (rc = s->ops->case_set_status(s, c.ref, c.status, to,
					  req->user.ref, reason,
					  (int64_t)time(NULL), &err)) == HK_OK) {
		snprintf(target, sizeof(target), "case:%lld", (long long)c.ref);
		rc = hk_audit_commit(req, "case.status", target,
			 json_pack("{s:s, s:s}", "from", c.status, "to", to), &err);
	}
	json_decref(body);
	if (rc != HK_OK) {
		s->ops->rollback(s);
		hk_reply_error(req, rc, 0, err.msg[0] ? err.msg : NULL);
		return;
	}
	hk_reply(req, 200,
		 json_pack("{s:I, s:s}", "id", (json_int_t)c.ref, "status",
			   to_copy));
}

int hk_status_history_add(void *ctx, int64_t at, int64_t user_ref,
			  const char *from, const char *to, const char *reason)
{
	json_array_append_new(ctx, json_pack("{s:I, s:I, s:s, s:s, s:s}", "at",
					     (json_int_t)at, "user_id",
					     (json_int_t)user_ref, "from", from,
					     "to", to, "reason", reason));
	return 0;
}

/* ====================================================================
 * GET /api/queue: today's work in the caller's scope, in order
 * ==================================================================== */

#define QUEUE_MAX 200

struct queue_ctx {
	struct list_ctx lc;
	const char *reason;
	int64_t seen[QUEUE_MAX];
	size_t n_seen;
	size_t limit;
};

static int add_queue_line(void *ctx, const struct hk_case_line *l)
{
	struct queue_ctx *q = ctx;
	json_t *line;

	if (q->n_seen >= q->limit)
		return 0;
	for (size_t i = 0; i < q->n_seen; i++)
		if (q->seen[i] == l->ref)
			return 0;
	q->seen[q->n_seen++] = l->ref;
	add_line(&q->lc, l);
	line = json_array_get(q->lc.list, json_array_size(q->lc.list) - 1);
	json_object_set_new(line, "reason", json_string(q->reason));
	json_object_set_new(line, "treatment",
			    hk_treatment_json(q->lc.req, l->ref));
	return 0;
}

/* A queue line's place among its priority's: 2 when its treatment's
 * preferred hours hold now and today is one of its paydays, 1 when one
 * of them, 0 when neither. */
struct timed_line {
	json_t *line;
	int priority, timely;
	size_t pos;
};

static int timed_cmp(const void *pa, const void *pb)
{
	const struct timed_line *a = pa, *b = pb;

	if (a->priority != b->priority)
		return b->priority - a->priority;
	if (a->timely != b->timely)
		return b->timely - a->timely;
	return (a->pos > b->pos) - (a->pos < b->pos);
}

/* Order lines [from, end) of the list by priority, then by how well now
 * suits their treatment's timing (the strategy's hours and paydays), then
 * as they came (most overdue first). */
static void order_by_timing(json_t *list, size_t from)
{
	size_t n = json_array_size(list) - from;
	struct timed_line *t;
	time_t now = time(NULL);
	struct tm tm;

	if (n < 2)
		return;
	localtime_r(&now, &tm);
	t = hk_calloc(n, sizeof(*t));
	for (size_t i = 0; i < n; i++) {
		json_t *line = json_array_get(list, from + i);
		json_t *tr = json_object_get(line, "treatment");
		json_t *hours = json_object_get(tr, "hours"), *d;
		size_t k;

		t[i].line = json_incref(line);
		t[i].pos = i;
		t[i].priority = (int)json_integer_value(json_object_get(tr, "priority"));
		if (json_is_array(hours) &&
		    tm.tm_hour >= json_integer_value(json_array_get(hours, 0)) &&
		    tm.tm_hour < json_integer_value(json_array_get(hours, 1)))
			t[i].timely++;
		json_array_foreach(json_object_get(tr, "paydays"), k, d)
			if (json_integer_value(d) == tm.tm_mday)
				t[i].timely++;
	}
	qsort(t, n, sizeof(*t), timed_cmp);
	for (size_t i = 0; i < n; i++)
		json_array_set_new(list, from + i, t[i].line);
	free(t);
}

/* The queue (issue 4): broken promises first, then promises due today,
 * then follow-ups due, then the other overdue cases by the priority the
 * strategy gave them at day-end, most overdue first within a priority.
 * Each case once, with the reason it is where it is and its treatment. */
void hk_h_queue(struct hk_req *req)
{
	struct hk_case_filter base = {.dpd_min = -1, .dpd_max = -1,
				      .min_overdue = -1, .max_overdue = -1,
				      .product = -1, .promise_status = -1,
				      .follow_up_by = HK_DATE_NONE,
				      .promise_due_by = HK_DATE_NONE,
				      .sort = HK_SORT_DPD};
	struct queue_ctx q = {.lc = {.req = req}};
	struct hk_scope scope;
	struct hk_err err = {0};
	int32_t as_of, today = hk_today();
	long long limit = 50;
	struct {
		const char *reason;
		struct hk_case_filter f;
	} steps[4];

	if (!query_int(req, "limit", 1, QUEUE_MAX, &limit))
		return;
	if (hk_store_meta_date(req->store, HK_META_LAST_EOD, &as_of, &err) !=
	    HK_OK) {
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	q.limit = (size_t)limit;
	for (int i = 0; i < 4; i++)
		steps[i].f = base;
	steps[0].reason = "broken_promise";
	steps[0].f.promise_status = HK_PROMISE_BROKEN;
	steps[1].reason = "promise_due";
	steps[1].f.promise_due_by = today;
	steps[1].f.sort = HK_SORT_ID; /* driven by the promises' index */
	steps[2].reason = "follow_up_due";
	steps[2].f.follow_up_by = today;
	steps[2].f.sort = HK_SORT_FOLLOW_UP;
	steps[3].reason = "strategy";
	steps[3].f.sort = HK_SORT_PRIORITY;
	hk_scope_of(&req->user, &scope);
	q.lc.list = json_array();
	for (int i = 0; i < 4 && q.n_seen < q.limit; i++) {
		size_t from = json_array_size(q.lc.list);

		steps[i].f.limit = (int)(q.limit + q.n_seen);
		q.lc.f = &steps[i].f;
		q.reason = steps[i].reason;
		if (req->store->ops->cases_list(req->store, &scope, &steps[i].f,
						as_of == HK_DATE_NONE ? 0 : as_of,
						add_queue_line, &q, &err) !=
		    HK_OK) {
			json_decref(q.lc.list);
			hk_reply_error(req, HK_EDB, 503, NULL);
			return;
		}
		if (steps[i].f.sort == HK_SORT_PRIORITY)
			order_by_timing(q.lc.list, from);
	}
	hk_reply(req, 200, json_pack("{s:o, s:o, s:o}", "as_of",
				     date_or_null(as_of), "today",
				     date_or_null(today), "cases", q.lc.list));
}

/* GET /api/queue/counts: how many cases of the caller's scope are in each
 * of the queue's groups today (a case may count in several; the queue
 * itself lists each once). */
void hk_h_queue_counts(struct hk_req *req)
{
	struct hk_scope scope;
	struct hk_err err = {0};
	int64_t n[4];

	hk_scope_of(&req->user, &scope);
	if (req->store->ops->queue_counts(req->store, &scope, hk_today(), n,
					  &err) != HK_OK) {
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	hk_reply(req, 200,
		 json_pack("{s:I, s:I, s:I, s:I}", "broken_promise",
			   (json_int_t)n[0], "promise_due", (json_int_t)n[1],
			   "follow_up_due", (json_int_t)n[2], "strategy",
			   (json_int_t)n[3]));
}
