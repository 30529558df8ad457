/*
 * timeline.c - GET /api/cases/{id}/timeline: everything that happened on a
 * case in one list, newest first, so a collector picking the case up reads
 * its story at a glance: contact records, status changes, promises,
 * payments, waiver requests and decisions, disputes, plans, letters
 * written and messages (queued, sent, delivered or not, failed, refused),
 * and (for the firm's users, not an agency's) placements and moves between
 * collectors ("assigned": how is manual, rule, rotation, absence or
 * return).  Each line has kind, at (Unix seconds, or null when only the
 * date is known), date, user_id, id, and the fields of its kind below.
 *
 * The store gives the first kinds in order (case_timeline); the letters
 * and the outbox are read here and merged in by time, so a message's
 * recipient leaves masked as it does from the outbox (letters.c).
 */
#include <stdlib.h>
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
	{"letter", "serial", "template", NULL, "total_owed", "as_of"},
	{"message_queued", "channel", "template", "to", NULL, NULL},
	{"message_sent", "channel", "template", "to", NULL, NULL},
	{"message_delivered", "channel", "template", "to", NULL, NULL},
	{"message_undelivered", "channel", "template", "to", NULL, NULL},
	{"message_failed", "channel", "template", "error", NULL, NULL},
	{"message_refused", "channel", "template", "rule", NULL, NULL},
};

static json_t *date_json(int32_t d)
{
	char buf[HK_DATE_BUFSZ];

	if (d == HK_DATE_NONE)
		return json_null();
	hk_date_format(d, buf);
	return json_string(buf);
}

/* The events gathered: the store's in its order, then the letters' and
 * messages', sorted and merged in. */
struct event {
	int64_t key;  /* at, or the end of its day when only the date is known */
	int64_t ref;
	int stage;    /* a message's events at one second: the later first */
	json_t *o;
};

struct events {
	struct event *v;
	size_t n, cap;
	int stage;    /* of the next event added */
};

static json_t *event_json(const struct hk_timeline_row *r, size_t k)
{
	json_t *o;
	char money[HK_MONEY_BUFSZ];

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
	return o;
}

static int add_event(void *ctx, const struct hk_timeline_row *r)
{
	struct events *ev = ctx;
	size_t k = 0;

	while (k < sizeof(kinds) / sizeof(kinds[0]) && strcmp(kinds[k].kind, r->kind))
		k++;
	if (k == sizeof(kinds) / sizeof(kinds[0]))
		return 0;
	if (ev->n == ev->cap) {
		ev->cap = ev->cap ? ev->cap * 2 : 64;
		ev->v = hk_realloc(ev->v, ev->cap * sizeof(*ev->v));
	}
	ev->v[ev->n++] = (struct event){
		.key = r->at ? r->at : (int64_t)r->date * 86400 + 86399,
		.ref = r->ref,
		.stage = ev->stage,
		.o = event_json(r, k)};
	return 0;
}

static void events_release(struct events *ev)
{
	for (size_t i = 0; i < ev->n; i++)
		json_decref(ev->v[i].o);
	free(ev->v);
	memset(ev, 0, sizeof(*ev));
}

/* Newest first; at one time, the higher id, then the later stage. */
static int newest_first(const void *a, const void *b)
{
	const struct event *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? 1 : -1;
	if (x->ref != y->ref)
		return x->ref < y->ref ? 1 : -1;
	return y->stage - x->stage;
}

/* ---- letters and messages ------------------------------------------- */

static int add_letter(void *ctx, const struct hk_letter_rec *l)
{
	struct events *ev = ctx;

	ev->stage = 0;
	return add_event(ctx, &(struct hk_timeline_row){
				      .kind = "letter", .at = l->created_at,
				      .date = HK_DATE_NONE,
				      .user_ref = l->created_by, .ref = l->ref,
				      .amount = l->total_owed, .date2 = l->as_of,
				      .t1 = l->serial, .t2 = l->template_code});
}

/* Template codes by ref, for the messages (which record the ref). */
struct codes {
	int64_t *ref;
	char (*code)[65];
	size_t n, cap;
};

static int add_code(void *ctx, const struct hk_template_rec *t)
{
	struct codes *c = ctx;

	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 32;
		c->ref = hk_realloc(c->ref, c->cap * sizeof(*c->ref));
		c->code = hk_realloc(c->code, c->cap * sizeof(*c->code));
	}
	c->ref[c->n] = t->ref;
	memcpy(c->code[c->n++], t->code, sizeof(t->code));
	return 0;
}

struct message_events {
	struct events *ev;
	const struct codes *codes;
};

/* A message's story from its record: queued (unless refused then), sent,
 * delivered or not (the gateway's receipt), failed or refused (at the
 * time the sender gave up: next_at, outbox.c). */
static int add_message(void *ctx, const struct hk_outbox_rec *m)
{
	struct message_events *me = ctx;
	char to[HK_RECIPIENT_BUFSZ], error[sizeof(m->last_error) + HK_RECIPIENT_BUFSZ];
	struct hk_timeline_row r = {.date = HK_DATE_NONE, .ref = m->ref,
				    .amount = -1, .date2 = HK_DATE_NONE,
				    .t1 = m->channel, .t2 = NULL};
	bool refused = !strcmp(m->status, "refused");

	for (size_t i = 0; i < me->codes->n; i++)
		if (me->codes->ref[i] == m->template_ref)
			r.t2 = me->codes->code[i];
	hk_mask_recipient(m->channel, m->to_addr, to);
	if (!refused || m->attempts > 0) {
		r.kind = "message_queued";
		r.at = m->created_at;
		r.user_ref = m->created_by;
		r.t3 = to;
		me->ev->stage = 0;
		add_event(me->ev, &r);
	}
	r.user_ref = 0;
	if (m->sent_at) {
		r.kind = "message_sent";
		r.at = m->sent_at;
		r.t3 = to;
		me->ev->stage = 1;
		add_event(me->ev, &r);
	}
	if (m->delivered_at && (!strcmp(m->status, "delivered") ||
				!strcmp(m->status, "undelivered"))) {
		r.kind = !strcmp(m->status, "delivered") ? "message_delivered"
							 : "message_undelivered";
		r.at = m->delivered_at;
		r.t3 = to;
		me->ev->stage = 2;
		add_event(me->ev, &r);
	}
	if (!strcmp(m->status, "failed") || refused) {
		hk_mask_within(m->last_error, m->to_addr, to, error, sizeof(error));
		r.kind = refused ? "message_refused" : "message_failed";
		/* refused as it was queued: when and by whom it was asked */
		r.at = refused && !m->attempts ? m->created_at : m->next_at;
		r.user_ref = refused && !m->attempts ? m->created_by : 0;
		r.t3 = refused ? m->rule : error;
		me->ev->stage = 3;
		add_event(me->ev, &r);
	}
	return 0;
}

/* The case's letters and messages into `ev`, sorted newest first. */
static enum hk_rc letters_and_messages(struct hk_store *s, int64_t case_ref,
				       struct events *ev, struct hk_err *err)
{
	struct codes codes = {0};
	struct message_events me = {.ev = ev, .codes = &codes};
	enum hk_rc rc;

	/* (a case's messages are a few a day at most, under the daily cap) */
	if ((rc = s->ops->letters_scan(s, case_ref, 0, add_letter, ev, err)) ==
		    HK_OK &&
	    (rc = s->ops->templates_scan(s, add_code, &codes, err)) == HK_OK)
		rc = s->ops->outbox_scan(s, case_ref, 0, NULL, 0, 1000000,
					 add_message, &me, err);
	free(codes.ref);
	free(codes.code);
	if (ev->n)
		qsort(ev->v, ev->n, sizeof(*ev->v), newest_first);
	return rc;
}

void hk_h_case_timeline(struct hk_req *req)
{
	struct hk_case_rec c;
	struct hk_err err = {0};
	struct events stored = {0}, more = {0};
	json_t *list;
	size_t i = 0, j = 0;

	if (!hk_case_in_scope(req, &c))
		return;
	if (req->store->ops->case_timeline(
		    req->store, c.ref,
		    !(req->user.role & HK_ROLE_AGENCY_COLLECTOR), add_event,
		    &stored, &err) != HK_OK ||
	    letters_and_messages(req->store, c.ref, &more, &err) != HK_OK) {
		events_release(&stored);
		events_release(&more);
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	/* both newest first: merged, the store's first at the same time */
	list = json_array();
	while (i < stored.n || j < more.n) {
		struct event *e = j == more.n || (i < stored.n &&
						  stored.v[i].key >= more.v[j].key)
					  ? &stored.v[i++]
					  : &more.v[j++];

		json_array_append_new(list, e->o);
		e->o = NULL;
	}
	events_release(&stored);
	events_release(&more);
	hk_reply(req, 200, json_pack("{s:I, s:o}", "id", (json_int_t)c.ref,
				     "events", list));
}
