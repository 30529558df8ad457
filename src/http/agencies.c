/*
 * agencies.c - collection agencies (委外) and the placement of cases with
 * them: GET/POST /api/agencies, POST /api/cases/{id}/placement and
 * POST /api/cases/{id}/recall (managers and admins).  A placed case is in
 * the scope of the agency's users, through the store's case queries; the
 * recall takes it out again.  Contracts, commission and the automatic
 * recall at a contract's end come with the strategy work (issue 4).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "http_int.h"

static int add_agency(void *ctx, int64_t ref, const char *name)
{
	json_array_append_new(ctx, json_pack("{s:I, s:s}", "id", (json_int_t)ref,
					     "name", name));
	return 0;
}

void hk_h_agencies_list(struct hk_req *req)
{
	struct hk_err err = {0};
	json_t *list = json_array();

	if (req->store->ops->agencies_scan(req->store, add_agency, list, &err) !=
	    HK_OK) {
		json_decref(list);
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	hk_reply(req, 200, json_pack("{s:o}", "agencies", list));
}

void hk_h_agencies_create(struct hk_req *req)
{
	static const char *const fields[] = {"name", NULL};
	struct hk_store *s = req->store;
	struct hk_err err = {0};
	json_t *body = hk_req_json_object(req, fields);
	const char *name;
	char name_copy[129], target[32];
	int64_t ref = 0;
	enum hk_rc rc;

	if (!body)
		return;
	name = json_string_value(json_object_get(body, "name"));
	if (!name || !*name || strlen(name) >= sizeof(name_copy)) {
		json_decref(body);
		hk_reply_error(req, HK_EINVAL, 400,
			       HK_TR(req->lang, "需要机构名称 name（最多 128 字节）",
				     "name is needed (at most 128 bytes)"));
		return;
	}
	snprintf(name_copy, sizeof(name_copy), "%s", name);
	json_decref(body);
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

struct find_ref {
	int64_t ref;
	bool found;
};

static int match_ref(void *ctx, int64_t ref, const char *name)
{
	struct find_ref *f = ctx;

	(void)name;
	if (ref == f->ref)
		f->found = true;
	return 0;
}

bool hk_agency_exists(struct hk_req *req, int64_t ref, bool *exists)
{
	struct find_ref f = {.ref = ref};
	struct hk_err err = {0};

	if (req->store->ops->agencies_scan(req->store, match_ref, &f, &err) !=
	    HK_OK) {
		hk_reply_error(req, HK_EDB, 503, NULL);
		return false;
	}
	*exists = f.found;
	return true;
}

/* POST /api/cases/{id}/placement {agency, until, reason} */
void hk_h_case_place(struct hk_req *req)
{
	static const char *const fields[] = {"agency", "until", "reason", NULL};
	struct hk_store *s = req->store;
	struct hk_case_rec c;
	struct hk_err err = {0};
	json_t *body;
	const char *until_text, *reason;
	int64_t agency;
	int32_t until = HK_DATE_NONE;
	char target[32], reason_copy[501];
	bool exists = false;
	enum hk_rc rc;

	if (!hk_case_in_scope(req, &c) || !(body = hk_req_json_object(req, fields)))
		return;
	agency = json_integer_value(json_object_get(body, "agency"));
	until_text = json_string_value(json_object_get(body, "until"));
	reason = json_string_value(json_object_get(body, "reason"));
	if (until_text && hk_date_parse(until_text, strlen(until_text), &until) !=
				  HK_OK)
		until = HK_DATE_NONE;
	if (agency <= 0 || until == HK_DATE_NONE || until < hk_today() ||
	    !reason || !*reason || strlen(reason) >= sizeof(reason_copy)) {
		json_decref(body);
		hk_reply_error(req, HK_EINVAL, 400,
			       HK_TR(req->lang,
				     "需要机构 agency（编号）、委外截止日 until（今天或之后，YYYY-MM-DD）和原因 reason",
				     "agency (an id), until (a date YYYY-MM-DD, today or later) and reason are needed"));
		return;
	}
	snprintf(reason_copy, sizeof(reason_copy), "%s", reason);
	json_decref(body);
	if (!hk_agency_exists(req, agency, &exists))
		return;
	if (!exists) {
		hk_reply_error(req, HK_EINVAL, 400,
			       HK_TR(req->lang, "没有这个机构", "no such agency"));
		return;
	}
	if ((rc = s->ops->begin(s, &err)) == HK_OK &&
	    (rc = s->ops->case_place(s, c.ref, agency, req->user.ref,
				     (int64_t)time(NULL), until, reason_copy,
				     &err)) == HK_OK) {
		snprintf(target, sizeof(target), "case:%lld", (long long)c.ref);
		rc = hk_audit_commit(req, "case.place", target,
				     json_pack("{s:I, s:s}", "agency",
					       (json_int_t)agency, "until",
					       until_text), &err);
	}
	if (rc != HK_OK) {
		s->ops->rollback(s);
		hk_reply_error(req, rc, 0, err.msg[0] ? err.msg : NULL);
		return;
	}
	hk_reply(req, 200, json_pack("{s:I, s:I}", "id", (json_int_t)c.ref,
				     "agency", (json_int_t)agency));
}

/* POST /api/cases/{id}/recall {reason} */
void hk_h_case_recall(struct hk_req *req)
{
	static const char *const fields[] = {"reason", NULL};
	struct hk_store *s = req->store;
	struct hk_case_rec c;
	struct hk_err err = {0};
	json_t *body;
	const char *reason;
	char target[32], reason_copy[501];
	enum hk_rc rc;

	if (!hk_case_in_scope(req, &c) || !(body = hk_req_json_object(req, fields)))
		return;
	reason = json_string_value(json_object_get(body, "reason"));
	if (!reason || !*reason || strlen(reason) >= sizeof(reason_copy)) {
		json_decref(body);
		hk_reply_error(req, HK_EINVAL, 400,
			       HK_TR(req->lang, "需要原因 reason", "reason is needed"));
		return;
	}
	snprintf(reason_copy, sizeof(reason_copy), "%s", reason);
	json_decref(body);
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
