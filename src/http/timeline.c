/*
 * timeline.c - GET /api/cases/{id}/timeline: everything that happened on a
 * case in one list, newest first, so a collector picking the case up reads
 * its story at a glance: contact records, status changes, promises,
 * payments, waiver requests and decisions, disputes, plans, and (for the
 * firm's users, not an agency's) placements and moves between collectors
 * ("assigned": how is manual, rule, rotation, absence or return).  Each line has kind, at (Unix
 * seconds, or null when only the date is known), date, user_id, id, and
 * the fields of its kind below.
 */
#include <string.h>

#include "http_int.h"

/* What t1, t2, t3, amount and date2 mean for each kind (NULL: unused). */
static const struct {
	const char *kind;
	const char *t1, *t2, *t3, *amount, *date2;
} kinds[] = {
	{"record", "channel", "outcome", "note", NULL, "next_follow_up"},
	{"status", "from", "to", "reason", NULL, NULL},
	{"promise", "status", NULL, NULL, "amount", "due_on"},
	{"payment", "account_id", "channel", "payment_id", "amount", NULL},
	{"waiver_request", "account_id", "component", "reason", "amount", NULL},
	{"waiver_decision", "status", NULL, "note", "amount", NULL},
	{"dispute_opened", NULL, NULL, "reason", NULL, NULL},
	{"dispute_resolved", "status", NULL, "resolution", NULL, NULL},
	{"plan_proposed", NULL, NULL, "note", NULL, "starts_on"},
	{"plan_decided", "status", NULL, NULL, NULL, NULL},
	{"placed", "agency", NULL, "reason", NULL, "until"},
	{"recalled", "agency", NULL, "reason", NULL, NULL},
	{"assigned", "how", "collector", "reason", NULL, NULL},
};

static json_t *date_json(int32_t d)
{
	char buf[HK_DATE_BUFSZ];

	if (d == HK_DATE_NONE)
		return json_null();
	hk_date_format(d, buf);
	return json_string(buf);
}

static int add_event(void *ctx, const struct hk_timeline_row *r)
{
	json_t *o;
	char money[HK_MONEY_BUFSZ];
	size_t k = 0;

	while (k < sizeof(kinds) / sizeof(kinds[0]) && strcmp(kinds[k].kind, r->kind))
		k++;
	if (k == sizeof(kinds) / sizeof(kinds[0]))
		return 0;
	o = json_pack("{s:s, s:o, s:o, s:o, s:I}", "kind", r->kind, "at",
		      r->at ? json_integer(r->at) : json_null(), "date",
		      date_json(r->date), "user_id",
		      r->user_ref ? json_integer(r->user_ref) : json_null(), "id",
		      (json_int_t)r->ref);
	if (kinds[k].t1)
		json_object_set_new(o, kinds[k].t1, r->t1 ? json_string(r->t1) : json_null());
	if (kinds[k].t2)
		json_object_set_new(o, kinds[k].t2, r->t2 ? json_string(r->t2) : json_null());
	if (kinds[k].t3)
		json_object_set_new(o, kinds[k].t3, r->t3 ? json_string(r->t3) : json_null());
	if (kinds[k].amount && r->amount >= 0) {
		hk_money_format(r->amount, money);
		json_object_set_new(o, kinds[k].amount, json_string(money));
	}
	if (kinds[k].date2)
		json_object_set_new(o, kinds[k].date2, date_json(r->date2));
	json_array_append_new(ctx, o);
	return 0;
}

void hk_h_case_timeline(struct hk_req *req)
{
	struct hk_case_rec c;
	struct hk_err err = {0};
	json_t *list;

	if (!hk_case_in_scope(req, &c))
		return;
	list = json_array();
	if (req->store->ops->case_timeline(
		    req->store, c.ref,
		    !(req->user.role & HK_ROLE_AGENCY_COLLECTOR), add_event,
		    list, &err) != HK_OK) {
		json_decref(list);
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	hk_reply(req, 200, json_pack("{s:I, s:o}", "id", (json_int_t)c.ref,
				     "events", list));
}
