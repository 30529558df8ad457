/*
 * records.c - the collector's writes on a case: contact records (催记) and
 * promises to pay (承诺还款).  Each is checked, written with its audit
 * record in one transaction, and only within the caller's scope.
 *
 * A field visit is never made alone: it names a second staff member.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "hk/strategy.h"
#include "http_int.h"

static const char *const channels[] = {"call", "sms", "email", "letter",
				       "visit", "lawyer_letter", "court", NULL};
static const char *const outcomes[] = {
	"reached_debtor", "third_party", "no_answer", "wrong_number",
	"refused",        "promised",    "disputes",  "claims_paid",
	"hardship",       "deceased",    "busy",      "switched_off",
	"left_message",   "delivered",   "returned",  NULL};

int32_t hk_today(void)
{
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	return hk_date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

static json_t *record_json(const struct hk_record *r)
{
	char date[HK_DATE_BUFSZ];
	json_t *o;

	hk_date_format(r->next_follow_up, date);
	o = json_pack("{s:I, s:I, s:I, s:s, s:s?, s:s, s:s, s:s?, s:s?}", "id",
		      (json_int_t)r->ref, "user_id", (json_int_t)r->user_ref,
		      "at", (json_int_t)r->at, "channel", r->channel,
		      "contact_id", r->contact_id[0] ? r->contact_id : NULL,
		      "outcome", r->outcome, "note", r->note, "recording_ref",
		      r->recording_ref[0] ? r->recording_ref : NULL,
		      "next_follow_up", date[0] ? date : NULL);
	if (r->second_staff_ref)
		json_object_set_new(o, "second_staff_id",
				    json_integer(r->second_staff_ref));
	return o;
}

void hk_h_records_add(struct hk_req *req)
{
	static const char *const fields[] = {
		"channel", "outcome", "contact_id", "note", "recording_ref",
		"next_follow_up", "second_staff", "third_party_reason", NULL};
	struct hk_store *s = req->store;
	struct hk_record r = {.next_follow_up = HK_DATE_NONE};
	struct hk_case_rec c;
	struct hk_err err = {0};
	json_t *body;
	const char *channel, *outcome, *contact, *note, *rec_ref, *follow,
		*second, *third;
	struct hk_guard_result guard;
	char target[32], msg[256];
	enum hk_rc rc;

	if (!hk_case_in_scope(req, &c) || !(body = hk_req_json_object(req, fields)))
		return;
	channel = json_string_value(json_object_get(body, "channel"));
	outcome = json_string_value(json_object_get(body, "outcome"));
	contact = json_string_value(json_object_get(body, "contact_id"));
	note = json_string_value(json_object_get(body, "note"));
	rec_ref = json_string_value(json_object_get(body, "recording_ref"));
	follow = json_string_value(json_object_get(body, "next_follow_up"));
	second = json_string_value(json_object_get(body, "second_staff"));
	third = json_string_value(json_object_get(body, "third_party_reason"));
	msg[0] = '\0';
	if (!hk_one_of(channel, channels))
		snprintf(msg, sizeof(msg), "%s",
			 HK_TR(req->lang,
			       "channel 须为 call、sms、email、letter、visit、lawyer_letter、court 之一",
			       "channel must be one of call, sms, email, letter, visit, lawyer_letter, court"));
	else if (!hk_one_of(outcome, outcomes))
		snprintf(msg, sizeof(msg), "%s",
			 HK_TR(req->lang, "未知的 outcome（见 /api/openapi.json）",
			       "unknown outcome (see /api/openapi.json)"));
	else if (note && strlen(note) >= sizeof(r.note))
		snprintf(msg, sizeof(msg), "%s",
			 HK_TR(req->lang, "note 最多 2000 字节", "note is at most 2000 bytes"));
	else if (rec_ref && strlen(rec_ref) >= sizeof(r.recording_ref))
		snprintf(msg, sizeof(msg), "%s",
			 HK_TR(req->lang, "recording_ref 过长", "recording_ref is too long"));
	else if (follow && (hk_date_parse(follow, strlen(follow), &r.next_follow_up) != HK_OK ||
			    r.next_follow_up < hk_today()))
		snprintf(msg, sizeof(msg), "%s",
			 HK_TR(req->lang, "next_follow_up 须为今天或以后的日期 YYYY-MM-DD",
			       "next_follow_up must be a date YYYY-MM-DD, today or later"));
	else if (!strcmp(channel, "visit") && !second)
		snprintf(msg, sizeof(msg), "%s",
			 HK_TR(req->lang, "外访必须两人同行：请填写 second_staff",
			       "a field visit is never made alone: give second_staff"));
	if (msg[0]) {
		json_decref(body);
		hk_reply_error(req, HK_EINVAL, 400, msg);
		return;
	}
	if (second) {
		struct hk_user u2;
		bool found = false;

		if (s->ops->user_get(s, second, 0, &u2, &found, &err) != HK_OK ||
		    !found || !u2.active || u2.ref == req->user.ref) {
			json_decref(body);
			hk_reply_error(req, HK_EINVAL, 400,
				       HK_TR(req->lang, "second_staff 须为另一位在职员工的用户名",
					     "second_staff must be the username of another active staff member"));
			return;
		}
		r.second_staff_ref = u2.ref;
	}
	if (contact) {
		bool yes = false;

		if (s->ops->contact_of_debtor(s, c.debtor_ref, contact, &yes,
					      &err) != HK_OK ||
		    !yes || strlen(contact) >= sizeof(r.contact_id)) {
			json_decref(body);
			hk_reply_error(req, HK_EINVAL, 400,
				       HK_TR(req->lang, "contact_id 不是该债务人的联系人",
					     "contact_id is not one of the debtor's contacts"));
			return;
		}
		snprintf(r.contact_id, sizeof(r.contact_id), "%s", contact);
	}
	r.case_ref = c.ref;
	r.user_ref = req->user.ref;
	r.at = (int64_t)time(NULL);
	/* No follow-up date given: the treatment's interval, if it has one
	 * (docs/strategy.md). */
	if (!follow) {
		struct hk_treatment_rec t;
		const struct hk_rule *rule;
		const struct hk_treatment *tr =
			hk_case_treatment(req, c.ref, &t, &rule);

		if (tr && tr->follow_up_days > 0)
			r.next_follow_up = hk_today() + tr->follow_up_days;
	}
	/* The guardrails (docs/compliance.md): the contact must have been
	 * allowed when it was made. */
	if (!hk_guard_contact(req, &c,
			      &(struct hk_contact_plan){.channel = channel,
							.contact_id = contact,
							.third_party_reason = third,
							.note = note,
							.at = r.at},
			      &guard)) {
		json_decref(body);
		return;
	}
	if (guard.rule) {
		json_decref(body);
		hk_guard_refuse(req, &c, &guard);
		return;
	}
	if (third)
		snprintf(r.third_party_reason, sizeof(r.third_party_reason),
			 "%.31s", third);
	snprintf(r.channel, sizeof(r.channel), "%s", channel);
	snprintf(r.outcome, sizeof(r.outcome), "%s", outcome);
	snprintf(r.note, sizeof(r.note), "%s", note ? note : "");
	snprintf(r.recording_ref, sizeof(r.recording_ref), "%s",
		 rec_ref ? rec_ref : "");
	json_decref(body);
	if ((rc = s->ops->begin(s, &err)) == HK_OK &&
	    (rc = s->ops->record_insert(s, &r, &err)) == HK_OK) {
		snprintf(target, sizeof(target), "case:%lld", (long long)c.ref);
		rc = hk_audit_commit(req, "record.create", target,
			 json_pack("{s:I, s:s, s:s}", "record", (json_int_t)r.ref,
				   "channel", r.channel, "outcome", r.outcome), &err);
	}
	if (rc != HK_OK) {
		s->ops->rollback(s);
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	hk_reply(req, 201, record_json(&r));
}

static int add_record(void *ctx, const struct hk_record *r)
{
	json_array_append_new(ctx, record_json(r));
	return 0;
}

void hk_h_records_list(struct hk_req *req)
{
	struct hk_case_rec c;
	struct hk_err err = {0};
	json_t *list;

	if (!hk_case_in_scope(req, &c))
		return;
	list = json_array();
	if (req->store->ops->records_list(req->store, c.ref, add_record, list,
					  &err) != HK_OK) {
		json_decref(list);
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	hk_reply(req, 200, json_pack("{s:o}", "records", list));
}

void hk_h_promise_add(struct hk_req *req)
{
	static const char *const fields[] = {"amount", "due_on", NULL};
	struct hk_store *s = req->store;
	struct hk_promise_rec p = {0};
	struct hk_case_rec c;
	struct hk_err err = {0};
	json_t *body;
	const char *due;
	int64_t ref = 0;
	char target[32], msg[200], date[HK_DATE_BUFSZ], amount[HK_MONEY_BUFSZ];
	enum hk_rc rc;

	if (!hk_case_in_scope(req, &c) || !(body = hk_req_json_object(req, fields)))
		return;
	{
		const char *a = json_string_value(json_object_get(body, "amount"));

		if (!a || hk_money_parse(a, strlen(a), &p.amount) != HK_OK)
			p.amount = 0;
	}
	due = json_string_value(json_object_get(body, "due_on"));
	p.case_ref = c.ref;
	p.made_on = hk_today();
	if (p.amount <= 0 || !due ||
	    hk_date_parse(due, strlen(due), &p.due_on) != HK_OK ||
	    p.due_on < p.made_on || p.due_on > p.made_on + req->cfg->workflow.promise_horizon_days) {
		json_decref(body);
		snprintf(msg, sizeof(msg),
			 HK_TR(req->lang,
			       "需要 amount（元，大于 0，如 \"500.00\"）和 due_on（今天起 %d 天内的日期）",
			       "amount (yuan above 0, such as \"500.00\") and due_on (a date within %d days from today) are needed"),
			 req->cfg->workflow.promise_horizon_days);
		hk_reply_error(req, HK_EINVAL, 400, msg);
		return;
	}
	json_decref(body); /* due is not used past here */
	hk_money_format(p.amount, amount);
	if ((rc = s->ops->begin(s, &err)) == HK_OK &&
	    (rc = s->ops->promise_take(s, &p, req->user.ref, &ref, &err)) ==
		    HK_OK) {
		snprintf(target, sizeof(target), "case:%lld", (long long)c.ref);
		rc = hk_audit_commit(req, "promise.create", target,
			 json_pack("{s:I, s:s, s:I}", "promise", (json_int_t)ref,
				   "amount", amount, "due_on", (json_int_t)p.due_on), &err);
	}
	if (rc != HK_OK) {
		s->ops->rollback(s);
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	hk_date_format(p.due_on, date);
	hk_reply(req, 201,
		 json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)ref,
			   "amount", amount, "due_on", date, "status",
			   "pending"));
}
