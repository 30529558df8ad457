/*
 * agencies.c - collection agencies (委外) and the placement of cases with
 * them: GET/POST /api/agencies, POST /api/cases/{id}/placement and
 * POST /api/cases/{id}/recall (managers and admins).  A placed case is in
 * the scope of the agency's users, through the store's case queries; the
 * recall takes it out again.  Contracts, commission and the automatic
 * recall at a contract's end come with the strategy work (issue 4).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http_int.h"

void hk_h_agencies_list(struct hk_req *req)
{
	hk_reply_named(req, req->store->ops->agencies_scan, "agencies");
}

void hk_h_agencies_create(struct hk_req *req)
{
	struct hk_store *s = req->store;
	struct hk_err err = {0};
	char name_copy[129], target[32];
	int64_t ref = 0;
	enum hk_rc rc;

	if (!hk_req_one_text(req, "name", name_copy, sizeof(name_copy),
			     "需要机构名称 name（最多 128 字节）",
			     "name is needed (at most 128 bytes)"))
		return;
	if ((rc = s->ops->begin(s, &err)) == HK_OK &&
	    (rc = s->ops->agency_create(s, name_copy, (int64_t)time(NULL), &ref,
					&err)) == HK_OK) {
		snprintf(target, sizeof(target), "agency:%lld", (long long)ref);
		rc = hk_audit_commit(req, "agency.create", target,
				     json_pack("{s:s}", "name", name_copy), &err);
	}
	if (rc != HK_OK) {
		s->ops->rollback(s);
		hk_reply_error(req, rc, 0, err.msg[0] ? err.msg : NULL);
		return;
	}
	hk_reply(req, 201, json_pack("{s:I, s:s}", "id", (json_int_t)ref,
				     "name", name_copy));
}

/* The contract of `agency` in force on `day`; *found=false when none. */
struct find_contract {
	int32_t day;
	struct hk_contract c;
	bool found;
};

static int match_contract(void *ctx, const struct hk_contract *k)
{
	struct find_contract *f = ctx;

	if (!f->found && k->starts_on <= f->day && f->day <= k->ends_on) {
		f->c = *k;
		f->found = true;
	}
	return 0;
}

bool hk_agency_contract(struct hk_req *req, int64_t agency, int32_t day,
			struct hk_contract *out, bool *found)
{
	struct find_contract f = {.day = day};
	struct hk_err err = {0};

	if (req->store->ops->contracts_of_agency(req->store, agency,
						 match_contract, &f, &err) !=
	    HK_OK) {
		hk_reply_error(req, HK_EDB, 503, NULL);
		return false;
	}
	*found = f.found;
	if (f.found)
		*out = f.c;
	return true;
}

/* POST /api/cases/{id}/placement {agency, until?, reason}: under the
 * agency's contract in force today, at most to its end (the default). */
void hk_h_case_place(struct hk_req *req)
{
	static const char *const fields[] = {"agency", "until", "reason", NULL};
	struct hk_store *s = req->store;
	struct hk_case_rec c;
	struct hk_contract k;
	struct hk_err err = {0};
	json_t *body;
	const char *until_text, *reason;
	int64_t agency;
	int32_t until = HK_DATE_NONE, today = hk_today(), review;
	char target[32], reason_copy[501], until_copy[HK_DATE_BUFSZ];
	bool exists = false, bad_until;
	enum hk_rc rc;

	if (!hk_case_in_scope(req, &c) || !(body = hk_req_json_object(req, fields)))
		return;
	agency = json_integer_value(json_object_get(body, "agency"));
	until_text = json_string_value(json_object_get(body, "until"));
	reason = json_string_value(json_object_get(body, "reason"));
	bad_until = until_text &&
		    (hk_date_parse(until_text, strlen(until_text), &until) !=
			     HK_OK ||
		     until < today);
	if (agency <= 0 || bad_until || !reason || !*reason ||
	    strlen(reason) >= sizeof(reason_copy)) {
		json_decref(body);
		hk_reply_error(req, HK_EINVAL, 400,
			       HK_TR(req->lang,
				     "需要机构 agency（编号）和原因 reason；until 可选（今天或之后，YYYY-MM-DD，默认合同到期日）",
				     "agency (an id) and reason are needed; until is optional (a date YYYY-MM-DD, today or later; default the contract's end)"));
		return;
	}
	snprintf(reason_copy, sizeof(reason_copy), "%s", reason);
	json_decref(body);
	if (s->ops->agency_review_get(s, agency, &review, &exists, &err) != HK_OK) {
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	if (!exists) {
		hk_reply_error(req, HK_EINVAL, 400,
			       HK_TR(req->lang, "没有这个机构", "no such agency"));
		return;
	}
	/* An agency past its review takes no new cases (docs/compliance.md). */
	if (review != HK_DATE_NONE && review < today) {
		struct hk_guard_result g = {.rule = "GR-AGENCY-REVIEW"};

		snprintf(g.message, sizeof(g.message), "%s",
			 HK_TR(req->lang, "该机构的复核已逾期，复核完成前不得委外新案件",
			       "the agency's review is overdue: no new placements until it is reviewed"));
		hk_guard_refuse(req, &c, &g);
		return;
	}
	if (!hk_agency_contract(req, agency, today, &k, &exists))
		return;
	if (!exists || (until != HK_DATE_NONE && until > k.ends_on)) {
		hk_reply_error(req, HK_EREFUSED, 409,
			       !exists ? HK_TR(req->lang, "该机构今天没有生效的合同",
					       "the agency has no contract in force today")
				       : HK_TR(req->lang, "委外期限不得超过合同到期日",
					       "a placement cannot run past the contract's end"));
		return;
	}
	if (until == HK_DATE_NONE)
		until = k.ends_on;
	hk_date_format(until, until_copy);
	if ((rc = s->ops->begin(s, &err)) == HK_OK &&
	    (rc = s->ops->case_place(s, c.ref, agency, k.ref, req->user.ref,
				     (int64_t)time(NULL), until, reason_copy,
				     &err)) == HK_OK) {
		snprintf(target, sizeof(target), "case:%lld", (long long)c.ref);
		rc = hk_audit_commit(req, "case.place", target,
				     json_pack("{s:I, s:I, s:s}", "agency",
					       (json_int_t)agency, "contract",
					       (json_int_t)k.ref, "until",
					       until_copy), &err);
	}
	if (rc != HK_OK) {
		s->ops->rollback(s);
		hk_reply_error(req, rc, 0, err.msg[0] ? err.msg : NULL);
		return;
	}
	hk_reply(req, 200, json_pack("{s:I, s:I, s:I, s:s}", "id",
				     (json_int_t)c.ref, "agency",
				     (json_int_t)agency, "contract",
				     (json_int_t)k.ref, "until", until_copy));
}

/* POST /api/cases/{id}/recall {reason} */
void hk_h_case_recall(struct hk_req *req)
{
	struct hk_store *s = req->store;
	struct hk_case_rec c;
	struct hk_err err = {0};
	char target[32], reason_copy[501];
	enum hk_rc rc;

	if (!hk_case_in_scope(req, &c) ||
	    !hk_req_one_text(req, "reason", reason_copy, sizeof(reason_copy),
			     "需要原因 reason", "reason is needed"))
		return;
	if ((rc = s->ops->begin(s, &err)) == HK_OK &&
	    (rc = s->ops->case_recall(s, c.ref, req->user.ref,
				      (int64_t)time(NULL), reason_copy, &err)) ==
		    HK_OK) {
		snprintf(target, sizeof(target), "case:%lld", (long long)c.ref);
		rc = hk_audit_commit(req, "case.recall", target,
				     json_pack("{s:I}", "agency",
					       (json_int_t)c.agency_ref), &err);
	}
	if (rc != HK_OK) {
		s->ops->rollback(s);
		hk_reply_error(req, rc, 0, err.msg[0] ? err.msg : NULL);
		return;
	}
	hk_reply(req, 200, json_pack("{s:I, s:n}", "id", (json_int_t)c.ref,
				     "agency"));
}

static int add_placement(void *ctx, const struct hk_placement *p)
{
	char until[HK_DATE_BUFSZ];
	json_t *o;

	hk_date_format(p->until, until);
	o = json_pack("{s:I, s:I, s:s, s:I, s:I, s:s, s:s}", "id",
		      (json_int_t)p->ref, "agency_id", (json_int_t)p->agency_ref,
		      "agency", p->agency, "placed_by", (json_int_t)p->placed_by,
		      "placed_at", (json_int_t)p->placed_at, "until", until,
		      "reason", p->reason);
	if (p->recalled_at)
		json_object_update_new(
			o, json_pack("{s:I, s:I, s:s}", "recalled_by",
				     (json_int_t)p->recalled_by, "recalled_at",
				     (json_int_t)p->recalled_at, "recall_reason",
				     p->recall_reason));
	json_array_append_new(ctx, o);
	return 0;
}

json_t *hk_placements_json(struct hk_req *req, int64_t case_ref)
{
	struct hk_err err = {0};
	json_t *list = json_array();

	if (req->store->ops->placements_of_case(req->store, case_ref,
						add_placement, list, &err) !=
	    HK_OK) {
		json_decref(list);
		return NULL;
	}
	return list;
}

/* ---- contracts, reviews, statements ---- */

static bool agency_param(struct hk_req *req, int64_t *agency)
{
	int32_t review;
	bool found = false;
	struct hk_err err = {0};

	*agency = strtoll(req->params[0], NULL, 10);
	if (*agency <= 0 ||
	    req->store->ops->agency_review_get(req->store, *agency, &review,
					       &found, &err) != HK_OK ||
	    !found) {
		hk_reply_error(req, HK_ENOTFOUND, 404,
			       HK_TR(req->lang, "没有这个机构", "no such agency"));
		return false;
	}
	/* An agency's users see their own agency only. */
	if ((req->user.role & HK_ROLE_AGENCY_COLLECTOR) &&
	    req->user.agency_ref != *agency) {
		hk_reply_error(req, HK_ENOTFOUND, 404,
			       HK_TR(req->lang, "没有这个机构", "no such agency"));
		return false;
	}
	return true;
}

static json_t *date_json(int32_t d)
{
	char buf[HK_DATE_BUFSZ];

	if (d == HK_DATE_NONE)
		return json_null();
	hk_date_format(d, buf);
	return json_string(buf);
}

static json_t *money_json(int64_t fen)
{
	char buf[HK_MONEY_BUFSZ];

	hk_money_format(fen, buf);
	return json_string(buf);
}

static json_t *contract_json(const struct hk_contract *k)
{
	char rate[32];

	hk_rate_format(k->commission_ppm, rate);
	return json_pack("{s:I, s:o, s:o, s:s, s:o, s:b}", "id", (json_int_t)k->ref,
			 "starts_on", date_json(k->starts_on), "ends_on",
			 date_json(k->ends_on), "commission", rate,
			 "upfront_fee", money_json(k->upfront_fee),
			 "may_settle", k->may_settle);
}

static int add_contract(void *ctx, const struct hk_contract *k)
{
	json_array_append_new(ctx, contract_json(k));
	return 0;
}

void hk_h_contracts_list(struct hk_req *req)
{
	struct hk_err err = {0};
	int64_t agency;
	int32_t review;
	bool found;
	json_t *list;

	if (!agency_param(req, &agency))
		return;
	list = json_array();
	if (req->store->ops->contracts_of_agency(req->store, agency, add_contract,
						 list, &err) != HK_OK ||
	    req->store->ops->agency_review_get(req->store, agency, &review,
					       &found, &err) != HK_OK) {
		json_decref(list);
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	hk_reply(req, 200, json_pack("{s:I, s:o, s:o}", "agency",
				     (json_int_t)agency, "next_review",
				     date_json(review), "contracts", list));
}

/* POST /api/agencies/{id}/contracts {starts_on, ends_on, commission (a
 * percent), upfront_fee? (yuan per case), may_settle?} */
void hk_h_contract_create(struct hk_req *req)
{
	static const char *const fields[] = {"starts_on", "ends_on", "commission",
					     "upfront_fee", "may_settle", NULL};
	struct hk_store *s = req->store;
	struct hk_contract k = {0};
	struct hk_err err = {0};
	json_t *body, *settle;
	const char *from, *to, *rate, *fee;
	char target[32];
	int64_t ref = 0;
	bool ok;
	enum hk_rc rc;

	if (!agency_param(req, &k.agency_ref) ||
	    !(body = hk_req_json_object(req, fields)))
		return;
	from = json_string_value(json_object_get(body, "starts_on"));
	to = json_string_value(json_object_get(body, "ends_on"));
	rate = json_string_value(json_object_get(body, "commission"));
	fee = json_string_value(json_object_get(body, "upfront_fee"));
	settle = json_object_get(body, "may_settle");
	ok = from && to && rate &&
	     hk_date_parse(from, strlen(from), &k.starts_on) == HK_OK &&
	     hk_date_parse(to, strlen(to), &k.ends_on) == HK_OK &&
	     k.ends_on >= k.starts_on &&
	     hk_rate_parse(rate, strlen(rate), &k.commission_ppm) == HK_OK &&
	     k.commission_ppm <= 1000000 &&
	     (!fee || hk_money_parse(fee, strlen(fee), &k.upfront_fee) == HK_OK) &&
	     k.upfront_fee >= 0 && (!settle || json_is_boolean(settle));
	k.may_settle = json_is_true(settle);
	json_decref(body);
	if (!ok) {
		hk_reply_error(req, HK_EINVAL, 400,
			       HK_TR(req->lang,
				     "需要 starts_on、ends_on（日期，结束不早于开始）和 commission（佣金比例，百分数，如 \"15\"）；upfront_fee（元/案）与 may_settle（布尔）可选",
				     "starts_on, ends_on (dates, the end not before the start) and commission (a percent, such as \"15\") are needed; upfront_fee (yuan a case) and may_settle (boolean) are optional"));
		return;
	}
	if ((rc = s->ops->begin(s, &err)) == HK_OK &&
	    (rc = s->ops->contract_create(s, &k, req->user.ref,
					  (int64_t)time(NULL), &ref, &err)) ==
		    HK_OK) {
		snprintf(target, sizeof(target), "agency:%lld",
			 (long long)k.agency_ref);
		rc = hk_audit_commit(req, "contract.create", target,
				     json_pack("{s:I}", "contract", (json_int_t)ref),
				     &err);
	}
	if (rc != HK_OK) {
		s->ops->rollback(s);
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	k.ref = ref;
	hk_reply(req, 201, contract_json(&k));
}

/* POST /api/agencies/{id}/review {next_review}: the date the agency is due
 * for its next review (after one is done, or to schedule one). */
void hk_h_agency_review(struct hk_req *req)
{
	static const char *const fields[] = {"next_review", NULL};
	struct hk_store *s = req->store;
	struct hk_err err = {0};
	json_t *body;
	const char *d;
	int64_t agency;
	int32_t next = HK_DATE_NONE;
	char target[32];
	enum hk_rc rc;

	if (!agency_param(req, &agency) || !(body = hk_req_json_object(req, fields)))
		return;
	d = json_string_value(json_object_get(body, "next_review"));
	if (!d || hk_date_parse(d, strlen(d), &next) != HK_OK) {
		json_decref(body);
		hk_reply_error(req, HK_EINVAL, 400,
			       HK_TR(req->lang, "需要复核日期 next_review（YYYY-MM-DD）",
				     "next_review (a date YYYY-MM-DD) is needed"));
		return;
	}
	json_decref(body);
	if ((rc = s->ops->begin(s, &err)) == HK_OK &&
	    (rc = s->ops->agency_review_set(s, agency, next, &err)) == HK_OK) {
		snprintf(target, sizeof(target), "agency:%lld", (long long)agency);
		rc = hk_audit_commit(req, "agency.review", target, NULL, &err);
	}
	if (rc != HK_OK) {
		s->ops->rollback(s);
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	hk_reply(req, 200, json_pack("{s:I, s:o}", "agency", (json_int_t)agency,
				     "next_review", date_json(next)));
}

struct statement {
	int32_t from, to;
	json_t *lines;
	int64_t recovered, commission, fees;
};

static int add_statement_line(void *ctx, const struct hk_statement_row *r)
{
	struct statement *st = ctx;
	/* half up, per placement */
	int64_t commission = (int64_t)(((__int128)r->recovered *
					r->commission_ppm + 500000) / 1000000);
	int64_t fee = r->placed_on >= st->from && r->placed_on <= st->to
			      ? r->upfront_fee
			      : 0;

	st->recovered += r->recovered;
	st->commission += commission;
	st->fees += fee;
	json_array_append_new(
		st->lines,
		json_pack("{s:I, s:I, s:o, s:o, s:o, s:o, s:o}", "placement",
			  (json_int_t)r->placement_ref, "case",
			  (json_int_t)r->case_ref, "placed_on",
			  date_json(r->placed_on), "ends_on",
			  date_json(r->ends_on), "recovered",
			  money_json(r->recovered), "commission",
			  money_json(commission), "upfront_fee", money_json(fee)));
	return 0;
}

/* GET /api/agencies/{id}/statement?from=&to= : per placement overlapping
 * the period, what was paid on the case within the placement's window and
 * the period, the commission on it, and the upfront fee of cases placed
 * in the period. */
void hk_h_agency_statement(struct hk_req *req)
{
	const char *from = hk_req_query(req, "from"), *to = hk_req_query(req, "to");
	struct statement st = {0};
	struct hk_err err = {0};
	int64_t agency;

	if (!agency_param(req, &agency))
		return;
	if (!from || !to || hk_date_parse(from, strlen(from), &st.from) != HK_OK ||
	    hk_date_parse(to, strlen(to), &st.to) != HK_OK || st.to < st.from) {
		hk_reply_error(req, HK_EINVAL, 400,
			       HK_TR(req->lang, "需要期间 from 与 to（YYYY-MM-DD）",
				     "from and to (dates YYYY-MM-DD) are needed"));
		return;
	}
	st.lines = json_array();
	if (req->store->ops->agency_statement(req->store, agency, st.from, st.to,
					      add_statement_line, &st, &err) !=
	    HK_OK) {
		json_decref(st.lines);
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	hk_reply(req, 200,
		 json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "agency",
			   (json_int_t)agency, "from", date_json(st.from), "to",
			   date_json(st.to), "placements", st.lines, "recovered",
			   money_json(st.recovered), "commission",
			   money_json(st.commission), "upfront_fees",
			   money_json(st.fees), "total_due",
			   money_json(st.commission + st.fees)));
}
