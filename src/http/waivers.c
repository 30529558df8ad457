/*
 * waivers.c - waiver (减免) requests and approvals.  Anyone working a case
 * may ask; team leaders, managers and admins decide within their limits,
 * measured against the account's total overdue as of the last day-end
 * ([workflow] in docs/configuration.md; by default a team leader up to 10%
 * and at most 2,000.00 yuan, a manager up to 30%, an admin without limit).  Agency collectors may ask but never approve.
 * An approval books the waiver into the ledger dated today, after checking
 * again that it does not exceed what is unpaid of that component
 * (ledger.md §3); day-end applies it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hk/batch.h"
#include "http_int.h"


static const char *const components[] = {"penalty", "fee", "interest",
					 "principal", NULL};

static int component_parse(const char *text)
{
	for (int i = 0; text && components[i]; i++)
		if (!strcmp(text, components[i]))
			return i;
	return -1;
}

static json_t *request_json(const struct hk_waiver_request *w)
{
	char amount[HK_MONEY_BUFSZ];

	hk_money_format(w->amount, amount);
	return json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:I, s:s, s:s}", "id",
			 (json_int_t)w->ref, "case_id", (json_int_t)w->case_ref,
			 "account_id", w->account_id, "component",
			 components[w->component], "amount", amount, "reason",
			 w->reason, "requested_by", (json_int_t)w->requested_by,
			 "status", w->status, "note", w->note);
}

/* What can still be waived of `component` today (ledger.md §3). */
static enum hk_rc waivable_today(struct hk_req *req, int64_t account_ref,
				 int component, int64_t *max,
				 struct hk_err *err)
{
	struct hk_waivable_ctx wc = {.store = req->store, .cfg = req->cfg};

	return hk_eod_waivable(&wc, account_ref, hk_today(), component, max,
			       err);
}

struct open_placement {
	int64_t contract_ref;
};

static int find_open(void *ctx, const struct hk_placement *p)
{
	if (!p->recalled_at)
		((struct open_placement *)ctx)->contract_ref = p->contract_ref;
	return 0;
}

struct contract_ref {
	int64_t ref;
	bool may_settle;
};

static int match_contract_ref(void *ctx, const struct hk_contract *k)
{
	struct contract_ref *c = ctx;

	if (k->ref == c->ref)
		c->may_settle = k->may_settle;
	return 0;
}

/* An agency proposes settlements only if its contract says it may; false
 * once it has answered. */
static bool agency_may_settle(struct hk_req *req, const struct hk_case_rec *c)
{
	struct open_placement op = {0};
	struct contract_ref k = {0};
	struct hk_err err = {0};

	if (!(req->user.role & HK_ROLE_AGENCY_COLLECTOR))
		return true;
	if (req->store->ops->placements_of_case(req->store, c->ref, find_open,
						&op, &err) != HK_OK) {
		hk_reply_error(req, HK_EDB, 503, NULL);
		return false;
	}
	k.ref = op.contract_ref;
	if (k.ref &&
	    req->store->ops->contracts_of_agency(req->store, c->agency_ref,
						 match_contract_ref, &k,
						 &err) != HK_OK) {
		hk_reply_error(req, HK_EDB, 503, NULL);
		return false;
	}
	if (!k.may_settle) {
		hk_reply_error(req, HK_EREFUSED, 403,
			       HK_TR(req->lang, "委外合同不允许该机构提出减免或和解",
				     "the agency's contract does not let it propose settlements"));
		return false;
	}
	return true;
}

void hk_h_waiver_request(struct hk_req *req)
{
	static const char *const fields[] = {"account_id", "component", "amount",
					     "reason", NULL};
	struct hk_store *s = req->store;
	struct hk_waiver_request w = {0};
	struct hk_case_rec c;
	struct hk_found acct;
	struct hk_err err = {0};
	json_t *body;
	const char *aid, *comp, *amount, *reason;
	int64_t max = 0;
	char target[32], msg[200], maxtext[HK_MONEY_BUFSZ];
	enum hk_rc rc;

	if (!hk_case_in_scope(req, &c) || !agency_may_settle(req, &c) ||
	    !(body = hk_req_json_object(req, fields)))
		return;
	aid = json_string_value(json_object_get(body, "account_id"));
	comp = json_string_value(json_object_get(body, "component"));
	amount = json_string_value(json_object_get(body, "amount"));
	reason = json_string_value(json_object_get(body, "reason"));
	w.component = component_parse(comp);
	if (!aid || w.component < 0 || !amount ||
	    hk_money_parse(amount, strlen(amount), &w.amount) != HK_OK ||
	    w.amount <= 0 || !reason || !*reason ||
	    strlen(reason) >= sizeof(w.reason) ||
	    s->ops->lookup(s, HK_ID_ACCOUNT, aid, &acct, &err) != HK_OK ||
	    acct.case_ref != c.ref) {
		json_decref(body);
		hk_reply_error(req, HK_EINVAL, 400,
			       HK_TR(req->lang,
				     "需要本案件的 account_id、component（penalty/fee/interest/principal）、amount（元，大于 0）和 reason",
				     "account_id of this case, component (penalty/fee/interest/principal), amount (yuan above 0) and reason are needed"));
		return;
	}
	snprintf(w.reason, sizeof(w.reason), "%s", reason);
	snprintf(w.account_id, sizeof(w.account_id), "%s", aid);
	json_decref(body); /* aid, reason point into it */
	if (waivable_today(req, acct.ref, w.component, &max, &err) != HK_OK) {
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	if (w.amount > max) {
		hk_money_format(max, maxtext);
		snprintf(msg, sizeof(msg),
			 HK_TR(req->lang, "超过今天可减免的金额 %s",
			       "more than can be waived today (%s)"),
			 maxtext);
		hk_reply_error(req, HK_EINVAL, 400, msg);
		return;
	}
	w.case_ref = c.ref;
	w.account_ref = acct.ref;
	w.requested_by = req->user.ref;
	w.requested_at = (int64_t)time(NULL);
	snprintf(w.status, sizeof(w.status), "pending");
	if ((rc = s->ops->begin(s, &err)) == HK_OK &&
	    (rc = s->ops->waiver_request_insert(s, &w, &err)) == HK_OK) {
		snprintf(target, sizeof(target), "case:%lld", (long long)c.ref);
		rc = hk_audit_commit(req, "waiver.request", target,
			 json_pack("{s:I, s:I}", "request", (json_int_t)w.ref,
				   "amount_fen", (json_int_t)w.amount), &err);
	}
	if (rc != HK_OK) {
		s->ops->rollback(s);
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	hk_reply(req, 201, request_json(&w));
}

static int add_request(void *ctx, const struct hk_waiver_request *w)
{
	json_array_append_new(ctx, request_json(w));
	return 0;
}

void hk_h_waiver_list(struct hk_req *req)
{
	struct hk_case_rec c;
	struct hk_err err = {0};
	json_t *list;

	if (!hk_case_in_scope(req, &c))
		return;
	list = json_array();
	if (req->store->ops->waiver_requests_list(req->store, c.ref, add_request,
						  list, &err) != HK_OK) {
		json_decref(list);
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	hk_reply(req, 200, json_pack("{s:o}", "waivers", list));
}

/* A share (ppm) of `overdue`, rounded down, or `max` if lower. */
static int64_t limit_of(int64_t overdue, int32_t share_ppm, int64_t max)
{
	int64_t share = (int64_t)((__int128)overdue * share_ppm / 1000000);

	return max >= 0 && max < share ? max : share;
}

/* The most this user may approve on an account owing `overdue`. */
static int64_t approval_limit(const struct hk_workflow_config *w,
			      const struct hk_user *u, int64_t overdue)
{
	if (u->role & HK_ROLE_ADMIN)
		return INT64_MAX;
	if (u->role & HK_ROLE_MANAGER)
		return limit_of(overdue, w->manager_share_ppm, w->manager_max_fen);
	if (u->role & HK_ROLE_TEAM_LEADER)
		return limit_of(overdue, w->leader_share_ppm, w->leader_max_fen);
	return 0;
}

void hk_h_waiver_decide(struct hk_req *req)
{
	static const char *const fields[] = {"approve", "note", NULL};
	struct hk_store *s = req->store;
	struct hk_waiver_request w;
	struct hk_scope scope;
	struct hk_case_rec c;
	struct hk_acct_row row;
	struct hk_view v;
	struct hk_err err = {0};
	json_t *body;
	const char *note;
	bool approve, found = false;
	int64_t max = 0, id, limit;
	int32_t as_of;
	char target[32], msg[200], limit_text[HK_MONEY_BUFSZ], note_copy[501];
	enum hk_rc rc;

	if (!(body = hk_req_json_object(req, fields)))
		return;
	approve = json_is_true(json_object_get(body, "approve"));
	note = json_string_value(json_object_get(body, "note"));
	snprintf(note_copy, sizeof(note_copy), "%s", note ? note : "");
	if (!json_is_boolean(json_object_get(body, "approve"))) {
		json_decref(body);
		hk_reply_error(req, HK_EINVAL, 400,
			       HK_TR(req->lang, "需要 approve（true 或 false）",
				     "approve (true or false) is needed"));
		return;
	}
	json_decref(body);
	id = strtoll(req->params[0], NULL, 10);
	hk_scope_of(&req->user, &scope);
	if (id <= 0 ||
	    s->ops->waiver_request_get(s, id, &w, &found, &err) != HK_OK ||
	    !found ||
	    s->ops->case_get(s, w.case_ref, &scope, &c, &found, &err) != HK_OK ||
	    !found) {
		hk_reply_error(req, HK_ENOTFOUND, 404,
			       HK_TR(req->lang, "没有这个减免申请", "no such waiver request"));
		return;
	}
	if (approve) {
		/* The limit is measured on the account's total overdue as of
		 * the last day-end. */
		if (s->ops->account_get(s, w.account_ref, &row, &found, &err) !=
			    HK_OK ||
		    hk_store_meta_date(s, HK_META_LAST_EOD, &as_of, &err) !=
			    HK_OK ||
		    hk_eod_account_view(s, req->cfg, &row,
					as_of == HK_DATE_NONE ? hk_today() : as_of,
					&v, &err) != HK_OK) {
			hk_reply_error(req, HK_EDB, 503, NULL);
			return;
		}
		limit = approval_limit(&req->cfg->workflow, &req->user,
				       v.total_overdue);
		if (w.amount > limit) {
			hk_money_format(limit, limit_text);
			snprintf(msg, sizeof(msg),
				 HK_TR(req->lang, "超出你的审批权限（最多 %s）；请提交上级审批",
				       "beyond your approval limit (at most %s); ask a higher role"),
				 limit_text);
			hk_reply_error(req, HK_EREFUSED, 403, msg);
			return;
		}
		if (waivable_today(req, w.account_ref, w.component, &max, &err) !=
		    HK_OK) {
			hk_reply_error(req, HK_EDB, 503, NULL);
			return;
		}
		if (w.amount > max) {
			hk_reply_error(req, HK_EREFUSED, 409,
				       HK_TR(req->lang, "该项今天已不足以减免这个金额（可能已还款或已减免）",
					     "there is no longer that much of the component to waive today (paid or waived since)"));
			return;
		}
	}
	if ((rc = s->ops->begin(s, &err)) == HK_OK)
		rc = s->ops->waiver_request_decide(s, w.ref,
						   approve ? "approved" : "rejected",
						   req->user.ref, note_copy,
						   (int64_t)time(NULL), &err);
	if (rc == HK_OK && approve) {
		struct hk_waiver_rec rec = {.account_ref = w.account_ref,
					    .approved_on = hk_today(),
					    .component = w.component,
					    .amount = w.amount,
					    .approved_by = req->user.username,
					    .reason = w.reason};

		rc = s->ops->insert_waiver(s, &rec, &err);
	}
	if (rc == HK_OK) {
		snprintf(target, sizeof(target), "case:%lld", (long long)c.ref);
		rc = hk_audit_commit(req, approve ? "waiver.approve" : "waiver.reject", target,
			 json_pack("{s:I, s:I}", "request", (json_int_t)w.ref,
				   "amount_fen", (json_int_t)w.amount), &err);
	}
	if (rc != HK_OK) {
		s->ops->rollback(s);
		hk_reply_error(req, rc, 0, err.msg[0] ? err.msg : NULL);
		return;
	}
	snprintf(w.status, sizeof(w.status), approve ? "approved" : "rejected");
	snprintf(w.note, sizeof(w.note), "%s", note_copy);
	hk_reply(req, 200, request_json(&w));
}

/* ====================================================================
 * GET /api/approvals: what waits for the caller's decision
 * ==================================================================== */

struct approvals {
	struct hk_req *req;
	int32_t as_of;
	json_t *waivers, *plans;
	enum hk_rc rc;
};

static int add_pending_waiver(void *ctx, const struct hk_waiver_request *w)
{
	struct approvals *a = ctx;
	struct hk_store *s = a->req->store;
	struct hk_acct_row row;
	struct hk_view v;
	struct hk_err err = {0};
	bool found = false;
	char at_limit[HK_MONEY_BUFSZ];
	json_t *o = request_json(w);
	int64_t limit;

	/* the limit as the decision measures it: on the account's total
	 * overdue as of the last day-end */
	if (s->ops->account_get(s, w->account_ref, &row, &found, &err) != HK_OK ||
	    !found ||
	    hk_eod_account_view(s, a->req->cfg, &row, a->as_of, &v, &err) !=
		    HK_OK) {
		a->rc = HK_EDB;
		json_decref(o);
		return 1;
	}
	limit = approval_limit(&a->req->cfg->workflow, &a->req->user,
			       v.total_overdue);
	json_object_set_new(o, "requested_at", json_integer(w->requested_at));
	if (limit == INT64_MAX) {
		json_object_set_new(o, "your_limit", json_null());
	} else {
		hk_money_format(limit, at_limit);
		json_object_set_new(o, "your_limit", json_string(at_limit));
	}
	json_object_set_new(o, "within_limit", json_boolean(w->amount <= limit));
	json_array_append_new(a->waivers, o);
	return 0;
}

static int add_pending_plan(void *ctx, const struct hk_plan_pending *p)
{
	struct approvals *a = ctx;
	char starts[HK_DATE_BUFSZ], total[HK_MONEY_BUFSZ];

	hk_date_format(p->starts_on, starts);
	hk_money_format(p->total, total);
	json_array_append_new(
		a->plans,
		json_pack("{s:I, s:I, s:I, s:I, s:s, s:i, s:s}", "id",
			  (json_int_t)p->ref, "case_id", (json_int_t)p->case_ref,
			  "proposed_by", (json_int_t)p->proposed_by,
			  "proposed_at", (json_int_t)p->proposed_at, "starts_on",
			  starts, "installments", p->installments, "total",
			  total));
	return 0;
}

/* The pending waiver requests (each with whether it is within the
 * caller's limit, measured as the decision measures it) and proposed
 * plans of the caller's scope, with the caller's limits. */
void hk_h_approvals(struct hk_req *req)
{
	const struct hk_workflow_config *w = &req->cfg->workflow;
	struct approvals a = {.req = req, .waivers = json_array(),
			      .plans = json_array()};
	struct hk_scope scope;
	struct hk_err err = {0};
	char max[HK_MONEY_BUFSZ];
	int32_t share = 0;
	int64_t cap = -1;
	json_t *limits;

	hk_scope_of(&req->user, &scope);
	if (hk_store_meta_date(req->store, HK_META_LAST_EOD, &a.as_of, &err) !=
		    HK_OK)
		a.rc = HK_EDB;
	if (a.as_of == HK_DATE_NONE)
		a.as_of = hk_today();
	if (a.rc != HK_OK ||
	    req->store->ops->waiver_requests_pending(req->store, &scope,
						     add_pending_waiver, &a,
						     &err) != HK_OK ||
	    a.rc != HK_OK ||
	    req->store->ops->plans_pending(req->store, &scope, add_pending_plan,
					   &a, &err) != HK_OK) {
		json_decref(a.waivers);
		json_decref(a.plans);
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	if (req->user.role & HK_ROLE_MANAGER) {
		share = w->manager_share_ppm;
		cap = w->manager_max_fen;
	} else if (req->user.role & HK_ROLE_TEAM_LEADER) {
		share = w->leader_share_ppm;
		cap = w->leader_max_fen;
	}
	hk_money_format(cap, max);
	/* share in parts per million of the account's total overdue; max
	 * null: no amount limit; admins: no limit at all */
	limits = req->user.role & HK_ROLE_ADMIN
			 ? json_pack("{s:s, s:n, s:n}", "role", "admin",
				     "share_ppm", "max")
			 : json_pack("{s:s, s:i, s:o}", "role",
				     hk_role_name(req->user.role), "share_ppm",
				     (int)share,
				     "max", cap >= 0 ? json_string(max) : json_null());
	hk_reply(req, 200, json_pack("{s:o, s:o, s:o}", "limits", limits,
				     "waivers", a.waivers, "plans", a.plans));
}
