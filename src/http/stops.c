/*
 * stops.c - what pauses or stops contact (docs/compliance.md), and the
 * check before a contact:
 *   GET  /api/cases/{id}/contact-check?channel=&contact_id=&third_party_reason=
 *        whether a contact is allowed now, the rule that forbids it, and
 *        what remains today
 *   GET  /api/cases/{id}/stops                 the debtor's stops
 *   POST /api/cases/{id}/stops                 {channel, reason, note?}: the
 *        debtor asks to stop a channel ("all": every one), or a complaint
 *        pauses contact
 *   POST /api/cases/{id}/stops/{stop}/lift     {reason}: team leaders and up
 *   POST /api/cases/{id}/contacts/{contact_id}/stop  {reason}: a contact
 *        person asks not to be called again; permanent
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http_int.h"

static const char *const stop_channels[] = {"all",   "call",  "sms",
					    "email", "letter", "visit", NULL};
static const char *const stop_reasons[] = {"debtor_request", "complaint",
					   NULL};

void hk_h_contact_check(struct hk_req *req)
{
	static const char *const channels[] = {"call",  "sms",
					       "email", "letter",
					       "visit", "lawyer_letter",
					       "court", NULL};
	const char *channel = hk_req_query(req, "channel");
	struct hk_case_rec c;
	struct hk_guard_result g;
	json_t *out;

	if (!hk_case_in_scope(req, &c))
		return;
	if (!hk_one_of(channel, channels)) {
		hk_reply_error(req, HK_EINVAL, 400,
			       HK_TR(req->lang,
				     "channel 须为 call、sms、email、letter、visit、lawyer_letter、court 之一",
				     "channel must be one of call, sms, email, letter, visit, lawyer_letter, court"));
		return;
	}
	if (!hk_guard_contact(req, &c,
			      &(struct hk_contact_plan){
				      .channel = channel,
				      .contact_id = hk_req_query(req, "contact_id"),
				      .third_party_reason =
					      hk_req_query(req, "third_party_reason"),
				      .at = (int64_t)time(NULL)},
			      &g))
		return;
	out = json_pack("{s:b, s:s?, s:s?}", "allowed", g.rule == NULL, "rule",
			g.rule, "message", g.rule ? g.message : NULL);
	json_object_set_new(out, "conversations_left_today",
			    g.conversations_left < 0 ? json_null()
						     : json_integer(g.conversations_left));
	json_object_set_new(out, "attempts_left_today",
			    g.attempts_left < 0 ? json_null()
						: json_integer(g.attempts_left));
	hk_reply(req, 200, out);
}

static int add_stop(void *ctx, const struct hk_stop *st)
{
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:I, s:I}", "id",
			      (json_int_t)st->ref, "channel", st->channel,
			      "reason", st->reason, "note", st->note,
			      "created_by", (json_int_t)st->created_by,
			      "created_at", (json_int_t)st->created_at);

	if (st->lifted_at)
		json_object_update_new(
			o, json_pack("{s:I, s:I, s:s}", "lifted_by",
				     (json_int_t)st->lifted_by, "lifted_at",
				     (json_int_t)st->lifted_at, "lift_reason",
				     st->lift_reason));
	json_array_append_new(ctx, o);
	return 0;
}

void hk_h_stops_list(struct hk_req *req)
{
	struct hk_case_rec c;
	struct hk_err err = {0};
	json_t *list;

	if (!hk_case_in_scope(req, &c))
		return;
	list = json_array();
	if (req->store->ops->stops_of_debtor(req->store, c.debtor_ref, false,
					     add_stop, list, &err) != HK_OK) {
		json_decref(list);
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	hk_reply(req, 200, json_pack("{s:o}", "stops", list));
}

void hk_h_stop_add(struct hk_req *req)
{
	static const char *const fields[] = {"channel", "reason", "note", NULL};
	struct hk_store *s = req->store;
	struct hk_stop st = {0};
	struct hk_case_rec c;
	struct hk_err err = {0};
	json_t *body;
	const char *channel, *reason, *note;
	char target[32];
	int64_t ref = 0;
	enum hk_rc rc;

	if (!hk_case_in_scope(req, &c) || !(body = hk_req_json_object(req, fields)))
		return;
	channel = json_string_value(json_object_get(body, "channel"));
	reason = json_string_value(json_object_get(body, "reason"));
	note = json_string_value(json_object_get(body, "note"));
	if (!hk_one_of(channel, stop_channels) || !hk_one_of(reason, stop_reasons) ||
	    (note && strlen(note) >= sizeof(st.note))) {
		json_decref(body);
		hk_reply_error(req, HK_EINVAL, 400,
			       HK_TR(req->lang,
				     "需要 channel（all、call、sms、email、letter、visit）和 reason（debtor_request 或 complaint）",
				     "channel (all, call, sms, email, letter, visit) and reason (debtor_request or complaint) are needed"));
		return;
	}
	st.debtor_ref = c.debtor_ref;
	/* A complaint pauses every channel. */
	snprintf(st.channel, sizeof(st.channel), "%s",
		 !strcmp(reason, "complaint") ? "all" : channel);
	snprintf(st.reason, sizeof(st.reason), "%s", reason);
	snprintf(st.note, sizeof(st.note), "%s", note ? note : "");
	st.created_by = req->user.ref;
	st.created_at = (int64_t)time(NULL);
	json_decref(body);
	if ((rc = s->ops->begin(s, &err)) == HK_OK &&
	    (rc = s->ops->stop_add(s, &st, &ref, &err)) == HK_OK) {
		snprintf(target, sizeof(target), "case:%lld", (long long)c.ref);
		rc = hk_audit_commit(req, "stop.create", target,
				     json_pack("{s:I, s:s, s:s}", "stop",
					       (json_int_t)ref, "channel",
					       st.channel, "reason", st.reason),
				     &err);
	}
	if (rc != HK_OK) {
		s->ops->rollback(s);
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	hk_reply(req, 201, json_pack("{s:I, s:s, s:s}", "id", (json_int_t)ref,
				     "channel", st.channel, "reason", st.reason));
}

void hk_h_stop_lift(struct hk_req *req)
{
	struct hk_store *s = req->store;
	struct hk_case_rec c;
	struct hk_err err = {0};
	char target[32], reason_copy[501];
	int64_t id = strtoll(req->params[1], NULL, 10), debtor = 0;
	enum hk_rc rc;

	if (!hk_case_in_scope(req, &c) ||
	    !hk_req_one_text(req, "reason", reason_copy, sizeof(reason_copy),
			     "需要原因 reason", "reason is needed"))
		return;
	if ((rc = s->ops->begin(s, &err)) == HK_OK &&
	    (rc = s->ops->stop_lift(s, id, req->user.ref, (int64_t)time(NULL),
				    reason_copy, &debtor, &err)) == HK_OK &&
	    debtor == c.debtor_ref) {
		snprintf(target, sizeof(target), "case:%lld", (long long)c.ref);
		rc = hk_audit_commit(req, "stop.lift", target,
				     json_pack("{s:I}", "stop", (json_int_t)id),
				     &err);
	}
	if (rc != HK_OK || debtor != c.debtor_ref) {
		s->ops->rollback(s);
		if (rc == HK_OK)
			hk_reply_error(req, HK_ENOTFOUND, 404,
				       HK_TR(req->lang, "该案件没有这个暂停",
					     "the case has no such stop"));
		else
			hk_reply_error(req, rc, 0, err.msg[0] ? err.msg : NULL);
		return;
	}
	hk_reply(req, 200, json_pack("{s:I, s:b}", "id", (json_int_t)id,
				     "lifted", 1));
}

void hk_h_contact_stop(struct hk_req *req)
{
	struct hk_store *s = req->store;
	struct hk_case_rec c;
	struct hk_err err = {0};
	char target[160], reason_copy[501];
	bool found = false;
	enum hk_rc rc;

	if (!hk_case_in_scope(req, &c) ||
	    !hk_req_one_text(req, "reason", reason_copy, sizeof(reason_copy),
			     "需要原因 reason", "reason is needed"))
		return;
	if ((rc = s->ops->begin(s, &err)) == HK_OK &&
	    (rc = s->ops->contact_stop(s, c.debtor_ref, req->params[1],
				       (int64_t)time(NULL), reason_copy, &found,
				       &err)) == HK_OK &&
	    found) {
		snprintf(target, sizeof(target), "case:%lld/contact:%.64s",
			 (long long)c.ref, req->params[1]);
		rc = hk_audit_commit(req, "contact.stop", target, NULL, &err);
	}
	if (rc != HK_OK || !found) {
		s->ops->rollback(s);
		if (rc == HK_OK)
			hk_reply_error(req, HK_ENOTFOUND, 404,
				       HK_TR(req->lang, "债务人没有这个联系人",
					     "the debtor has no such contact"));
		else
			hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	hk_reply(req, 200, json_pack("{s:s, s:b}", "contact_id", req->params[1],
				     "stopped", 1));
}
