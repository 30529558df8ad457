/*
 * plans.c - repayment plans (分期协商): a collector proposes a schedule of
 * dated amounts, a team leader or above approves or rejects it, and each
 * approved plan is tracked against the case's payments: installment k is
 * met when the payments from the plan's start up to its due date cover
 * installments 1..k; one not met after its due date (as of the last
 * day-end) breaks the plan.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http_int.h"

#define PLAN_MAX_INSTALLMENTS 60

void hk_h_plan_propose(struct hk_req *req)
{
	static const char *const fields[] = {"installments", "note", NULL};
	struct hk_store *s = req->store;
	struct hk_case_rec c;
	struct hk_err err = {0};
	json_t *body, *list, *item;
	const char *note;
	int32_t due[PLAN_MAX_INSTALLMENTS], today = hk_today();
	int64_t amount[PLAN_MAX_INSTALLMENTS], ref = 0;
	char target[32], note_copy[501];
	size_t n = 0, i;
	bool ok = true;
	enum hk_rc rc;

	if (!hk_case_in_scope(req, &c) || !(body = hk_req_json_object(req, fields)))
		return;
	list = json_object_get(body, "installments");
	note = json_string_value(json_object_get(body, "note"));
	if (!json_is_array(list) || json_array_size(list) == 0 ||
	    json_array_size(list) > PLAN_MAX_INSTALLMENTS ||
	    (note && strlen(note) >= sizeof(note_copy)))
		ok = false;
	json_array_foreach(list, i, item) {
		const char *d = json_string_value(json_object_get(item, "due_on"));
		const char *a = json_string_value(json_object_get(item, "amount"));

		if (!ok || !d || !a || hk_date_parse(d, strlen(d), &due[n]) != HK_OK ||
		    hk_money_parse(a, strlen(a), &amount[n]) != HK_OK ||
		    amount[n] <= 0 || due[n] < today ||
		    (n && due[n] <= due[n - 1])) {
			ok = false;
			break;
		}
		n++;
	}
	snprintf(note_copy, sizeof(note_copy), "%s", note ? note : "");
	json_decref(body);
	if (!ok) {
		hk_reply_error(req, HK_EINVAL, 400,
			       HK_TR(req->lang,
				     "installments 需要 1–60 期 {due_on, amount}：日期从今天起严格递增，金额大于 0",
				     "installments takes 1-60 of {due_on, amount}: dates from today, strictly increasing, amounts above 0"));
		return;
	}
	if (!hk_guard_text(req, &c, note_copy))
		return;
	if ((rc = s->ops->begin(s, &err)) == HK_OK &&
	    (rc = s->ops->plan_insert(s, c.ref, req->user.ref, today, note_copy,
				      due, amount, n, (int64_t)time(NULL), &ref,
				      &err)) == HK_OK) {
		snprintf(target, sizeof(target), "case:%lld", (long long)c.ref);
		rc = hk_audit_commit(req, "plan.propose", target,
			 json_pack("{s:I, s:I}", "plan", (json_int_t)ref,
				   "installments", (json_int_t)n), &err);
	}
	if (rc != HK_OK) {
		s->ops->rollback(s);
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	hk_reply(req, 201, json_pack("{s:I, s:s}", "id", (json_int_t)ref,
				     "status", "proposed"));
}

void hk_h_plan_decide(struct hk_req *req)
{
	static const char *const fields[] = {"approve", NULL};
	struct hk_store *s = req->store;
	struct hk_scope scope;
	struct hk_case_rec c;
	struct hk_err err = {0};
	json_t *body;
	int64_t id = strtoll(req->params[0], NULL, 10), case_ref = 0;
	bool approve, found = false;
	char target[32];
	enum hk_rc rc;

	if (!(body = hk_req_json_object(req, fields)))
		return;
	approve = json_is_true(json_object_get(body, "approve"));
	rc = json_is_boolean(json_object_get(body, "approve")) ? HK_OK : HK_EINVAL;
	json_decref(body);
	if (rc != HK_OK) {
		hk_reply_error(req, HK_EINVAL, 400,
			       HK_TR(req->lang, "需要 approve（true 或 false）",
				     "approve (true or false) is needed"));
		return;
	}
	hk_scope_of(&req->user, &scope);
	if (id <= 0 || s->ops->plan_case(s, id, &case_ref, &err) != HK_OK ||
	    !case_ref ||
	    s->ops->case_get(s, case_ref, &scope, &c, &found, &err) != HK_OK ||
	    !found) {
		hk_reply_error(req, HK_ENOTFOUND, 404,
			       HK_TR(req->lang, "没有这个还款计划", "no such plan"));
		return;
	}
	if ((rc = s->ops->begin(s, &err)) == HK_OK &&
	    (rc = s->ops->plan_decide(s, id, approve ? "approved" : "rejected",
				      req->user.ref, (int64_t)time(NULL),
				      &err)) == HK_OK) {
		snprintf(target, sizeof(target), "case:%lld", (long long)c.ref);
		rc = hk_audit_commit(req, approve ? "plan.approve" : "plan.reject", target,
			 json_pack("{s:I}", "plan", (json_int_t)id), &err);
	}
	if (rc != HK_OK) {
		s->ops->rollback(s);
		hk_reply_error(req, rc, 0, err.msg[0] ? err.msg : NULL);
		return;
	}
	hk_reply(req, 200, json_pack("{s:I, s:s}", "id", (json_int_t)id, "status",
				     approve ? "approved" : "rejected"));
}

/* Tracking a case's plans against its payments; with plans NULL only the
 * state of the latest approved plan is kept (hk_plan_state). */
struct tracking {
	struct hk_store *store;
	int64_t case_ref;
	int32_t as_of;
	json_t *plans;
	json_t *current;     /* the plan being filled */
	int64_t plan_ref;
	bool approved;       /* the current plan is approved */
	int64_t cum_due;     /* installments 1..k of the current plan */
	bool broken, all_met;
	int state;           /* latest approved: -1 none, 0 on track, 1 broken */
	int32_t pending_next; /* the current plan's next due date not yet
			       * passed and not met */
	int32_t next_change;  /* the latest approved plan's; HK_DATE_NONE */
	enum hk_rc rc;
};

static void close_plan(struct tracking *t)
{
	if (t->plan_ref && t->approved) {
		t->state = t->broken ? 1 : 0;
		t->next_change = t->pending_next;
	}
	if (!t->current)
		return;
	if (t->approved)
		json_object_set_new(t->current, "tracking",
				    json_string(t->broken    ? "broken"
						: t->all_met ? "completed"
							     : "on_track"));
	json_array_append_new(t->plans, t->current);
	t->current = NULL;
}

static int add_plan_installment(void *ctx, int64_t plan_ref,
				const char *status, int32_t starts_on, int seq,
				int32_t due, int64_t amount)
{
	struct tracking *t = ctx;
	struct hk_err err = {0};
	char date[HK_DATE_BUFSZ], money[HK_MONEY_BUFSZ];
	const char *state = "pending";
	int64_t paid = 0;

	if (plan_ref != t->plan_ref) {
		close_plan(t);
		t->plan_ref = plan_ref;
		t->approved = !strcmp(status, "approved");
		t->cum_due = 0;
		t->broken = false;
		t->all_met = true;
		t->pending_next = HK_DATE_NONE;
		if (t->plans)
			t->current = json_pack("{s:I, s:s, s:[]}", "id",
					       (json_int_t)plan_ref, "status",
					       status, "installments");
	}
	t->cum_due += amount;
	if (t->approved) {
		int32_t upto = due < t->as_of ? due : t->as_of;

		if (t->store->ops->case_paid_between(t->store, t->case_ref,
						     starts_on, upto, &paid,
						     &err) != HK_OK)
			t->rc = HK_EDB;
		if (paid >= t->cum_due)
			state = "met";
		else if (due < t->as_of)
			state = "missed";
		else if (t->pending_next == HK_DATE_NONE)
			t->pending_next = due; /* installments come in order */
	}
	if (strcmp(state, "met"))
		t->all_met = false;
	if (!strcmp(state, "missed"))
		t->broken = true;
	if (!t->current)
		return 0;
	hk_date_format(due, date);
	hk_money_format(amount, money);
	json_array_append_new(json_object_get(t->current, "installments"),
			      json_pack("{s:i, s:s, s:s, s:s}", "seq", seq,
					"due_on", date, "amount", money, "state",
					state));
	return 0;
}

void hk_h_plans_list(struct hk_req *req)
{
	struct hk_case_rec c;
	struct hk_err err = {0};
	struct tracking t = {.store = req->store, .state = -1};

	if (!hk_case_in_scope(req, &c))
		return;
	if (hk_store_meta_date(req->store, HK_META_LAST_EOD, &t.as_of, &err) !=
	    HK_OK) {
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	if (t.as_of == HK_DATE_NONE)
		t.as_of = hk_today();
	t.case_ref = c.ref;
	t.plans = json_array();
	if (req->store->ops->plans_of_case(req->store, c.ref,
					   add_plan_installment, &t, &err) !=
		    HK_OK ||
	    t.rc != HK_OK) {
		json_decref(t.current);
		json_decref(t.plans);
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	close_plan(&t);
	hk_reply(req, 200, json_pack("{s:o}", "plans", t.plans));
}

enum hk_rc hk_plan_state(struct hk_store *s, int64_t case_ref, int32_t as_of,
			 int *state, int32_t *next_due, struct hk_err *err)
{
	struct tracking t = {.store = s, .case_ref = case_ref, .as_of = as_of,
			     .state = -1, .next_change = HK_DATE_NONE};
	enum hk_rc rc = s->ops->plans_of_case(s, case_ref, add_plan_installment,
					      &t, err);

	close_plan(&t);
	*state = t.state;
	if (next_due)
		*next_due = t.state == 0 ? t.next_change : HK_DATE_NONE;
	return rc != HK_OK ? rc : t.rc;
}
