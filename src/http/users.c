/*
 * users.c - people and the audit trail: GET/POST /api/users (an admin
 * creates a user, who gets a one-time password to change at the first
 * log-in) and GET /api/audit (auditors and admins read the trail).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http_int.h"

static int add_user(void *ctx, const struct hk_user *u)
{
	json_array_append_new(ctx, hk_user_json(u));
	return 0;
}

void hk_h_users_list(struct hk_req *req)
{
	struct hk_err err = {0};
	json_t *list = json_array();

	if (req->store->ops->users_scan(req->store, add_user, list, &err) !=
	    HK_OK) {
		json_decref(list);
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	hk_reply(req, 200, json_pack("{s:o}", "users", list));
}

/* ---- named lists: teams and agencies, (id, name) from a scan ---- */

static int add_named(void *ctx, int64_t ref, const char *name)
{
	json_array_append_new(ctx, json_pack("{s:I, s:s}", "id", (json_int_t)ref,
					     "name", name));
	return 0;
}

void hk_reply_named(struct hk_req *req, hk_named_scan_fn scan, const char *key)
{
	struct hk_err err = {0};
	json_t *list = json_array();

	if (scan(req->store, add_named, list, &err) != HK_OK) {
		json_decref(list);
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	hk_reply(req, 200, json_pack("{s:o}", key, list));
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

bool hk_named_exists(struct hk_req *req, hk_named_scan_fn scan, int64_t ref,
		     bool *exists)
{
	struct find_ref f = {.ref = ref};
	struct hk_err err = {0};

	if (scan(req->store, match_ref, &f, &err) != HK_OK) {
		hk_reply_error(req, HK_EDB, 503, NULL);
		return false;
	}
	*exists = f.found;
	return true;
}

/* Check the team and agency a user is given (0: none): they exist, and an
 * agency collector has an agency while nobody else does.  false once it
 * has answered. */
static bool placement_ok(struct hk_req *req, const struct hk_user *u)
{
	bool team_ok = true, agency_ok = true;

	if ((u->team_ref && !hk_named_exists(req, req->store->ops->teams_scan,
					     u->team_ref, &team_ok)) ||
	    (u->agency_ref && !hk_named_exists(req, req->store->ops->agencies_scan,
					       u->agency_ref, &agency_ok)))
		return false;
	if (!team_ok || !agency_ok ||
	    !(u->role & HK_ROLE_AGENCY_COLLECTOR) != !u->agency_ref) {
		hk_reply_error(req, HK_EINVAL, 400,
			       HK_TR(req->lang,
				     "团队或机构不存在；委外催收员须指定机构 agency，其他角色不可",
				     "no such team or agency; an agency collector needs an agency, and only they have one"));
		return false;
	}
	return true;
}

void hk_h_users_create(struct hk_req *req)
{
	static const char *const fields[] = {"username", "display_name", "role",
					     "team", "agency", NULL};
	struct hk_store *s = req->store;
	struct hk_err err = {0};
	struct hk_user u = {.must_change = true, .active = true,
			      .absent_from = HK_DATE_NONE,
			      .absent_until = HK_DATE_NONE};
	json_t *body = hk_req_json_object(req, fields);
	const char *username, *display, *role;
	char password[17], target[32];
	enum hk_rc rc;

	if (!body)
		return;
	username = json_string_value(json_object_get(body, "username"));
	display = json_string_value(json_object_get(body, "display_name"));
	role = json_string_value(json_object_get(body, "role"));
	u.role = hk_role_parse(role);
	if (!username || !hk_ident_valid(username, strlen(username)) ||
	    !display || !*display || strlen(display) >= sizeof(u.display_name) ||
	    !u.role) {
		json_decref(body);
		hk_reply_error(req, HK_EINVAL, 400,
			       HK_TR(req->lang,
				     "需要 username（1–64 个字母、数字、_ - .）、display_name 和 role（admin、manager、team_leader、collector、agency_collector、auditor）",
				     "username (1-64 of letters, digits, _ - .), display_name and role (admin, manager, team_leader, collector, agency_collector, auditor) are needed"));
		return;
	}
	snprintf(u.username, sizeof(u.username), "%s", username);
	snprintf(u.display_name, sizeof(u.display_name), "%s", display);
	u.team_ref = json_integer_value(json_object_get(body, "team"));
	u.agency_ref = json_integer_value(json_object_get(body, "agency"));
	json_decref(body);
	if (!placement_ok(req, &u))
		return;
	hk_password_generate(password, 16);
	if (hk_password_hash(password, u.password_hash) != HK_OK) {
		hk_reply_error(req, HK_EINTERNAL, 500, NULL);
		return;
	}
	if ((rc = s->ops->begin(s, &err)) == HK_OK &&
	    (rc = s->ops->user_create(s, &u, (int64_t)time(NULL), &err)) ==
		    HK_OK) {
		snprintf(target, sizeof(target), "user:%lld", (long long)u.ref);
		rc = hk_audit_commit(req, "user.create", target,
			 json_pack("{s:s, s:s}", "username", u.username, "role",
				   hk_role_name(u.role)), &err);
	}
	if (rc != HK_OK) {
		s->ops->rollback(s);
		hk_reply_error(req, rc, 0, err.msg[0] ? err.msg : NULL);
		return;
	}
	/* The one-time password is shown this once, to the admin. */
	hk_reply(req, 201,
		 json_pack("{s:o, s:s}", "user", hk_user_json(&u),
			   "one_time_password", password));
}

/* POST /api/users/{id} {display_name?, team?, agency?, active?}: an admin
 * moves a user between teams, or deactivates a leaver (every session of
 * theirs ends at once).  null clears a team or agency. */
void hk_h_user_update(struct hk_req *req)
{
	static const char *const fields[] = {"display_name", "team", "agency",
					     "active", "capacity", NULL};
	struct hk_store *s = req->store;
	struct hk_err err = {0};
	struct hk_user u;
	json_t *body, *v;
	char target[32];
	bool found = false, ok = true;
	long long id = strtoll(req->params[0], NULL, 10);
	enum hk_rc rc;

	if (id <= 0 || s->ops->user_get(s, NULL, id, &u, &found, &err) != HK_OK ||
	    !found) {
		hk_reply_error(req, HK_ENOTFOUND, 404,
			       HK_TR(req->lang, "没有这个用户", "no such user"));
		return;
	}
	if (!(body = hk_req_json_object(req, fields)))
		return;
	if ((v = json_object_get(body, "display_name"))) {
		const char *d = json_string_value(v);

		ok = d && *d && strlen(d) < sizeof(u.display_name);
		if (ok)
			snprintf(u.display_name, sizeof(u.display_name), "%s", d);
	}
	if ((v = json_object_get(body, "team"))) {
		ok = ok && (json_is_null(v) || json_integer_value(v) > 0);
		u.team_ref = json_integer_value(v);
	}
	if ((v = json_object_get(body, "agency"))) {
		ok = ok && (json_is_null(v) || json_integer_value(v) > 0);
		u.agency_ref = json_integer_value(v);
	}
	if ((v = json_object_get(body, "active"))) {
		ok = ok && json_is_boolean(v);
		u.active = json_is_true(v);
	}
	if ((v = json_object_get(body, "capacity"))) {
		ok = ok && json_is_integer(v) && json_integer_value(v) >= 0 &&
		     json_integer_value(v) <= 1000000;
		u.capacity = (int)json_integer_value(v);
	}
	json_decref(body);
	if (!ok) {
		hk_reply_error(req, HK_EINVAL, 400,
			       HK_TR(req->lang,
				     "display_name 须为非空文字，team / agency 为编号或 null，active 为 true 或 false，capacity 为 0–1000000",
				     "display_name must be non-empty text, team / agency an id or null, active true or false, capacity 0-1000000"));
		return;
	}
	if (!placement_ok(req, &u))
		return;
	if ((rc = s->ops->begin(s, &err)) == HK_OK &&
	    (rc = s->ops->user_update(s, &u, &err)) == HK_OK &&
	    (u.active || (rc = s->ops->sessions_delete_user(s, u.ref, &err)) ==
				 HK_OK)) {
		snprintf(target, sizeof(target), "user:%lld", (long long)u.ref);
		rc = hk_audit_commit(req, "user.update", target,
				     json_pack("{s:I, s:I, s:b}", "team",
					       (json_int_t)u.team_ref, "agency",
					       (json_int_t)u.agency_ref, "active",
					       u.active), &err);
	}
	if (rc != HK_OK) {
		s->ops->rollback(s);
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	hk_reply(req, 200, hk_user_json(&u));
}

/* POST /api/users/{id}/absence {from, until?}: a collector's leave; from
 * null ends it.  Day-end hands their cases to their team's present
 * collectors for the days of it and gives them back after
 * (docs/strategy.md).  A team leader for the team only. */
void hk_h_user_absence(struct hk_req *req)
{
	static const char *const fields[] = {"from", "until", NULL};
	struct hk_store *s = req->store;
	struct hk_err err = {0};
	struct hk_user u;
	json_t *body, *from, *until;
	char target[32], f[HK_DATE_BUFSZ], t[HK_DATE_BUFSZ];
	bool found = false, ok;
	long long id = strtoll(req->params[0], NULL, 10);
	enum hk_rc rc;

	if (id <= 0 || s->ops->user_get(s, NULL, id, &u, &found, &err) != HK_OK ||
	    !found || !(u.role & HK_ROLE_COLLECTOR) ||
	    ((req->user.role & HK_ROLE_TEAM_LEADER) &&
	     u.team_ref != req->user.team_ref)) {
		hk_reply_error(req, HK_ENOTFOUND, 404,
			       HK_TR(req->lang, "没有这个催收员", "no such collector"));
		return;
	}
	if (!(body = hk_req_json_object(req, fields)))
		return;
	from = json_object_get(body, "from");
	until = json_object_get(body, "until");
	u.absent_from = u.absent_until = HK_DATE_NONE;
	ok = from && (json_is_null(from) ||
		      (json_is_string(from) &&
		       hk_date_parse(json_string_value(from),
				     strlen(json_string_value(from)),
				     &u.absent_from) == HK_OK));
	if (ok && until && !json_is_null(until))
		ok = json_is_string(until) && !json_is_null(from) &&
		     hk_date_parse(json_string_value(until),
				   strlen(json_string_value(until)),
				   &u.absent_until) == HK_OK &&
		     u.absent_until >= u.absent_from;
	json_decref(body);
	if (!ok) {
		hk_reply_error(req, HK_EINVAL, 400,
			       HK_TR(req->lang,
				     "from 须为日期 YYYY-MM-DD（null 结束缺勤），until 可选，不早于 from",
				     "from must be a date YYYY-MM-DD (null ends the absence); until is optional, not before from"));
		return;
	}
	hk_date_format(u.absent_from, f);
	hk_date_format(u.absent_until, t);
	if ((rc = s->ops->begin(s, &err)) == HK_OK &&
	    (rc = s->ops->user_update(s, &u, &err)) == HK_OK) {
		snprintf(target, sizeof(target), "user:%lld", (long long)u.ref);
		rc = hk_audit_commit(req, "user.absence", target,
				     json_pack("{s:s?, s:s?}", "from",
					       f[0] ? f : NULL, "until",
					       t[0] ? t : NULL),
				     &err);
	}
	if (rc != HK_OK) {
		s->ops->rollback(s);
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	hk_reply(req, 200, hk_user_json(&u));
}

static int add_audit(void *ctx, const struct hk_audit_rec *r)
{
	json_array_append_new(
		ctx, json_pack("{s:I, s:I, s:I, s:s, s:s, s:s, s:s, s:s}", "id",
			       (json_int_t)r->ref, "at", (json_int_t)r->at,
			       "user_id", (json_int_t)r->user_ref, "client",
			       r->client, "action", r->action, "target",
			       r->target, "detail", r->detail, "hash", r->hash));
	return 0;
}

void hk_h_audit_list(struct hk_req *req)
{
	struct hk_err err = {0};
	json_t *list = json_array();

	if (req->store->ops->audit_scan(req->store, add_audit, list, &err) !=
	    HK_OK) {
		json_decref(list);
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	hk_reply(req, 200, json_pack("{s:o}", "records", list));
}

/* ====================================================================
 * Teams and reassignment
 * ==================================================================== */

void hk_h_teams_list(struct hk_req *req)
{
	hk_reply_named(req, req->store->ops->teams_scan, "teams");
}

void hk_h_teams_create(struct hk_req *req)
{
	struct hk_store *s = req->store;
	struct hk_err err = {0};
	char name_copy[129], target[32];
	int64_t ref = 0;
	enum hk_rc rc;

	if (!hk_req_one_text(req, "name", name_copy, sizeof(name_copy),
			     "需要 name", "name is needed"))
		return;
	if ((rc = s->ops->begin(s, &err)) == HK_OK &&
	    (rc = s->ops->team_create(s, name_copy, &ref, &err)) == HK_OK) {
		snprintf(target, sizeof(target), "team:%lld", (long long)ref);
		rc = hk_audit_commit(req, "team.create", target, NULL, &err);
	}
	if (rc != HK_OK) {
		s->ops->rollback(s);
		hk_reply_error(req, rc == HK_EREFUSED ? HK_EREFUSED : HK_EDB, 0,
			       rc == HK_EREFUSED
				       ? HK_TR(req->lang, "团队名称已存在",
					       "a team with that name exists")
				       : NULL);
		return;
	}
	hk_reply(req, 201, json_pack("{s:I, s:s}", "id", (json_int_t)ref,
				     "name", name_copy));
}

/* ---- reassignment: one case or many, under the same rules ---- */

/* The collector and reason a reassignment names (body's "collector",
 * "reason"), checked as every reassignment is: an active collector or
 * agency collector, a reason of at most 500 bytes, and a team leader moves
 * cases within the team only.  *reason points into body.  false once it
 * has answered (400, 403, 503). */
static bool assign_target(struct hk_req *req, json_t *body, struct hk_user *to,
			  const char **reason)
{
	struct hk_store *s = req->store;
	struct hk_err err = {0};
	const char *collector = json_string_value(json_object_get(body, "collector"));
	bool found = false;

	*reason = json_string_value(json_object_get(body, "reason"));
	if (collector && s->ops->user_get(s, collector, 0, to, &found, &err) != HK_OK) {
		hk_reply_error(req, HK_EDB, 503, NULL);
		return false;
	}
	if (!collector || !*reason || !**reason || strlen(*reason) > 500 ||
	    !found || !to->active ||
	    !(to->role & (HK_ROLE_COLLECTOR | HK_ROLE_AGENCY_COLLECTOR))) {
		hk_reply_error(req, HK_EINVAL, 400,
			       HK_TR(req->lang, "需要在职催收员的用户名 collector 和原因 reason",
				     "collector (an active collector's username) and reason are needed"));
		return false;
	}
	if ((req->user.role & HK_ROLE_TEAM_LEADER) &&
	    to->team_ref != req->user.team_ref) {
		hk_reply_error(req, HK_EREFUSED, 403,
			       HK_TR(req->lang, "组长只能在本组内分案",
				     "a team leader assigns within the team only"));
		return false;
	}
	return true;
}

/* Move case c to collector `to` as a manual allocation with the reason,
 * and audit it (case.assign), inside the caller's open transaction; the
 * caller commits or rolls back. */
static enum hk_rc assign_case(struct hk_req *req, const struct hk_case_rec *c,
			      const struct hk_user *to, const char *reason,
			      struct hk_err *err)
{
	struct hk_store *s = req->store;
	char target[32];
	enum hk_rc rc;

	rc = s->ops->case_allocate(
		s,
		&(struct hk_allocation_rec){
			.case_ref = c->ref, .from_collector = c->collector_ref,
			.collector_ref = to->ref, .team_ref = to->team_ref,
			.on_date = hk_today(), .at = (int64_t)time(NULL),
			.by_user = req->user.ref, .kind = "manual",
			.reason = reason},
		err);
	if (rc != HK_OK)
		return rc;
	snprintf(target, sizeof(target), "case:%lld", (long long)c->ref);
	hk_audit(req, "case.assign", target,
		 json_pack("{s:I, s:I, s:s}", "from", (json_int_t)c->collector_ref,
			   "to", (json_int_t)to->ref, "reason", reason));
	return req->audit_failed ? HK_EDB : HK_OK;
}

void hk_h_case_assign(struct hk_req *req)
{
	static const char *const fields[] = {"collector", "reason", NULL};
	struct hk_store *s = req->store;
	struct hk_case_rec c;
	struct hk_user to;
	struct hk_err err = {0};
	json_t *body;
	const char *reason;
	enum hk_rc rc;

	if (!hk_case_in_scope(req, &c) || !(body = hk_req_json_object(req, fields)))
		return;
	if (!assign_target(req, body, &to, &reason)) {
		json_decref(body);
		return;
	}
	if ((rc = s->ops->begin(s, &err)) == HK_OK &&
	    (rc = assign_case(req, &c, &to, reason, &err)) == HK_OK)
		rc = s->ops->commit(s, &err);
	json_decref(body);
	if (rc != HK_OK) {
		s->ops->rollback(s);
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	hk_reply(req, 200, json_pack("{s:I, s:s}", "id", (json_int_t)c.ref,
				     "collector", to.username));
}

/* The most cases one bulk reassignment moves: a page of the case list. */
#define MAX_BULK_ASSIGN 500

void hk_h_cases_assign(struct hk_req *req)
{
	static const char *const fields[] = {"cases", "collector", "reason", NULL};
	struct hk_store *s = req->store;
	struct hk_scope scope;
	struct hk_user to;
	struct hk_err err = {0};
	json_t *body, *cases, *id;
	const char *reason;
	int64_t refs[MAX_BULK_ASSIGN];
	size_t n, i, k;
	enum hk_rc rc;

	if (!(body = hk_req_json_object(req, fields)))
		return;
	cases = json_object_get(body, "cases");
	n = json_array_size(cases);
	if (!json_is_array(cases) || n == 0 || n > MAX_BULK_ASSIGN) {
		json_decref(body);
		hk_reply_error(req, HK_EINVAL, 400,
			       HK_TR(req->lang, "cases 须为 1–500 个案件号的数组",
				     "cases must be an array of 1-500 case ids"));
		return;
	}
	json_array_foreach(cases, i, id) {
		refs[i] = json_is_integer(id) ? (int64_t)json_integer_value(id) : 0;
		for (k = 0; k < i && refs[k] != refs[i]; k++)
			;
		if (refs[i] <= 0 || k < i) {
			json_decref(body);
			hk_reply_error(req, HK_EINVAL, 400,
				       HK_TR(req->lang, "cases 中的案件号须为正整数且不重复",
					     "the case ids in cases must be positive integers, each once"));
			return;
		}
	}
	if (!assign_target(req, body, &to, &reason)) {
		json_decref(body);
		return;
	}
	/* All or nothing: every case is looked up in the caller's scope inside
	 * the transaction, and one that is not there undoes the others. */
	hk_scope_of(&req->user, &scope);
	rc = s->ops->begin(s, &err);
	for (i = 0; rc == HK_OK && i < n; i++) {
		struct hk_case_rec c;
		bool found = false;
		char msg[96];

		if ((rc = s->ops->case_get(s, refs[i], &scope, &c, &found, &err)) != HK_OK)
			break;
		if (!found) {
			s->ops->rollback(s);
			json_decref(body);
			snprintf(msg, sizeof(msg), "%s%lld%s",
				 HK_TR(req->lang, "没有这个案件：", "no such case: "),
				 (long long)refs[i],
				 HK_TR(req->lang, "；未改派任何案件", "; no case was reassigned"));
			hk_reply_error(req, HK_ENOTFOUND, 404, msg);
			return;
		}
		rc = assign_case(req, &c, &to, reason, &err);
	}
	if (rc == HK_OK)
		rc = s->ops->commit(s, &err);
	json_decref(body);
	if (rc != HK_OK) {
		s->ops->rollback(s);
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	{
		json_t *moved = json_array();

		for (i = 0; i < n; i++)
			json_array_append_new(moved, json_integer((json_int_t)refs[i]));
		hk_reply(req, 200, json_pack("{s:o, s:s}", "cases", moved,
					     "collector", to.username));
	}
}
