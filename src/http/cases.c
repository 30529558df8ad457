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
#include <stdlib.h>
#include <string.h>

#include "hk/batch.h"
#include "http_int.h"

static void scope_of(const struct hk_user *u, struct hk_scope *sc)
{
	memset(sc, 0, sizeof(*sc));
	if (u->role & (HK_ROLE_ADMIN | HK_ROLE_MANAGER | HK_ROLE_AUDITOR))
		sc->all = true;
	else if (u->role & HK_ROLE_TEAM_LEADER)
		sc->team_ref = u->team_ref ? u->team_ref : -1;
	else if (u->role & HK_ROLE_COLLECTOR)
		sc->collector_ref = u->ref;
	/* agency users: placements come with the agency issue; until then
	 * their scope is empty. */
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

struct detail {
	struct hk_req *req;
	int32_t as_of;
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
		ctx, json_pack("{s:s, s:s, s:s?, s:o, s:b}", "contact_id",
			       c->contact_id, "relation", c->relation, "name",
			       c->name[0] ? c->name : NULL, "phone",
			       masked(c->phone, true), "authorized",
			       c->authorized));
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

void hk_h_case_get(struct hk_req *req)
{
	struct hk_store *s = req->store;
	struct hk_scope scope;
	struct hk_case_rec c;
	struct detail d = {.req = req};
	json_t *contacts, *promises, *out;
	char *end;
	long long id;
	bool found = false;

	errno = 0;
	id = strtoll(req->params[0], &end, 10);
	scope_of(&req->user, &scope);
	if (!errno && !*end && id > 0 &&
	    s->ops->case_get(s, id, &scope, &c, &found, &d.err) != HK_OK) {
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	if (!found) {
		hk_reply_error(req, HK_ENOTFOUND, 404,
			       HK_TR(req->lang, "没有这个案件", "no such case"));
		return;
	}
	if (hk_store_meta_date(s, HK_META_LAST_EOD, &d.as_of, &d.err) != HK_OK) {
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	d.accounts = json_array();
	contacts = json_array();
	promises = json_array();
	if (s->ops->case_accounts(s, c.ref, add_account, &d, &d.err) != HK_OK ||
	    s->ops->debtor_contacts(s, c.debtor_ref, add_contact, contacts,
				    &d.err) != HK_OK ||
	    s->ops->case_promises(s, c.ref, add_promise, promises, &d.err) !=
		    HK_OK) {
		json_decref(d.accounts);
		json_decref(contacts);
		json_decref(promises);
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
	hk_reply(req, 200, out);
}
