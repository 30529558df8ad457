/*
 * report_snap.c - what day-end records for the reports (issue 8,
 * docs/reports.md "What day-end records"), inside its own transaction,
 * before placements expire and the strategy moves cases, so that every
 * figure of day D belongs to whoever held the case during D:
 *
 *  1. each account's combination of the reports' dimensions (report_dims:
 *     creditor, product, team, collector, agency, strategy rule and arm,
 *     province, segment), refreshed for the cases that changed hands;
 *  2. the day's aging: accounts and amounts per combination and bucket;
 *  3. at a month-end (or the first processed date after a skipped one)
 *     every account's bucket and balances, and the roll from the previous
 *     month-end's;
 *  4. the payments not yet counted, by the bucket their account stood in
 *     before the payment's day, and added to the case's stay in its arm;
 *  5. the contact records and guardrail refusals not yet counted, per
 *     person and local calendar day.
 * Reports then read these small tables, never the 1M-row ones.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "hk/batch.h"
#include "hk/ledger.h"
#include "hk/rc.h"

#define CHUNK 65536

/* ---- the aging: totals per combination and bucket ------------------- */

struct month_rows {
	struct hk_rmonth_row *row;
	size_t n, cap;
};

struct cube {
	const struct hk_bucket_table *b;
	int32_t as_of;
	/* slot[dims]: the first of the combination's b->n cells, or -1 */
	int32_t *slot;
	size_t n_slot;
	struct hk_bucket_totals *cell;
	size_t n_cell, cap_cell;
	int64_t *cell_dims;
	struct month_rows *month; /* NULL: not a month-end */
};

static struct hk_bucket_totals *cube_cell(struct cube *c, int64_t dims,
					  int bucket)
{
	if (dims < 0)
		dims = 0;
	if ((size_t)dims >= c->n_slot) {
		size_t n = c->n_slot ? c->n_slot : 1024;

		while (n <= (size_t)dims)
			n *= 2;
		c->slot = hk_realloc(c->slot, n * sizeof(*c->slot));
		for (size_t i = c->n_slot; i < n; i++)
			c->slot[i] = -1;
		c->n_slot = n;
	}
	if (c->slot[dims] < 0) {
		if (c->n_cell + (size_t)c->b->n > c->cap_cell) {
			c->cap_cell = c->cap_cell ? 2 * c->cap_cell : 64 * HK_BUCKETS_MAX;
			c->cell = hk_realloc(c->cell, c->cap_cell * sizeof(*c->cell));
			c->cell_dims = hk_realloc(c->cell_dims,
						  c->cap_cell * sizeof(*c->cell_dims));
		}
		c->slot[dims] = (int32_t)c->n_cell;
		memset(c->cell + c->n_cell, 0, (size_t)c->b->n * sizeof(*c->cell));
		for (int i = 0; i < c->b->n; i++)
			c->cell_dims[c->n_cell + (size_t)i] = dims;
		c->n_cell += (size_t)c->b->n;
	}
	return &c->cell[c->slot[dims] + bucket];
}

static int add_account(void *ctx, const struct hk_acct_row *row)
{
	struct cube *c = ctx;
	struct hk_bucket_totals *t;
	struct hk_view v;

	if (!row->has_state)
		return 0;
	hk_summary_view(&row->summary, c->b, c->as_of, &v);
	t = cube_cell(c, row->dims, v.bucket);
	t->accounts++;
	t->overdue_principal += v.overdue_principal;
	t->overdue_interest += v.overdue_interest;
	t->overdue_fee += v.overdue_fee;
	t->penalty_due += v.penalty_due;
	t->total_overdue += v.total_overdue;
	t->principal_outstanding += v.principal_outstanding;
	if (c->month) {
		struct month_rows *m = c->month;

		if (m->n == m->cap) {
			m->cap = m->cap ? 2 * m->cap : 65536;
			m->row = hk_realloc(m->row, m->cap * sizeof(*m->row));
		}
		m->row[m->n++] = (struct hk_rmonth_row){
			.account_ref = row->ref,
			.bucket = v.bucket,
			.principal_outstanding = v.principal_outstanding,
			.total_overdue = v.total_overdue,
		};
		m->row[m->n - 1].dims = row->dims;
	}
	return 0;
}

static void cube_free(struct cube *c)
{
	free(c->slot);
	free(c->cell);
	free(c->cell_dims);
}

/* ---- the month-end roll ---------------------------------------------- */

static int month_add(void *ctx, const struct hk_rmonth_row *r)
{
	struct month_rows *m = ctx;

	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 65536;
		m->row = hk_realloc(m->row, m->cap * sizeof(*m->row));
	}
	m->row[m->n++] = *r;
	return 0;
}

static int roll_cmp(const void *pa, const void *pb)
{
	const struct hk_rroll_row *a = pa, *b = pb;

	if (a->dims != b->dims)
		return a->dims < b->dims ? -1 : 1;
	if (a->from_bucket != b->from_bucket)
		return a->from_bucket - b->from_bucket;
	return a->to_bucket - b->to_bucket;
}

/* Accounts in both snapshots (both in account order), summed per
 * combination now, bucket then and bucket now, with the balances then. */
static struct hk_rroll_row *roll_of(const struct month_rows *prev,
				    const struct month_rows *now, size_t *n_out)
{
	struct hk_rroll_row *r = NULL;
	size_t n = 0, cap = 0, i = 0, j = 0;

	while (i < prev->n && j < now->n) {
		const struct hk_rmonth_row *p = &prev->row[i], *q = &now->row[j];

		if (p->account_ref < q->account_ref) {
			i++;
			continue;
		}
		if (q->account_ref < p->account_ref) {
			j++;
			continue;
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 65536;
			r = hk_realloc(r, cap * sizeof(*r));
		}
		r[n++] = (struct hk_rroll_row){
			.dims = q->dims,
			.from_bucket = p->bucket,
			.to_bucket = q->bucket,
			.accounts = 1,
			.principal_outstanding = p->principal_outstanding,
			.total_overdue = p->total_overdue,
		};
		i++;
		j++;
	}
	if (n)
		qsort(r, n, sizeof(*r), roll_cmp);
	/* fold equal keys */
	size_t k = 0;

	for (size_t x = 0; x < n; x++) {
		if (k && roll_cmp(&r[k - 1], &r[x]) == 0) {
			r[k - 1].accounts += r[x].accounts;
			r[k - 1].principal_outstanding += r[x].principal_outstanding;
			r[k - 1].total_overdue += r[x].total_overdue;
		} else {
			r[k++] = r[x];
		}
	}
	*n_out = k;
	return r;
}

/* ---- payments -------------------------------------------------------- */

struct pay {
	int32_t paid_on;
	int bucket;
	int64_t dims, case_ref, amount;
};

struct pays {
	const struct hk_bucket_table *b;
	struct pay *p;
	size_t n, cap;
};

static int take_payment(void *ctx, const struct hk_rpayment *p)
{
	struct pays *ps = ctx;
	int b = p->bucket_before ? hk_bucket_find(ps->b, p->bucket_before) : 0;

	if (ps->n == ps->cap) {
		ps->cap = ps->cap ? 2 * ps->cap : 4096;
		ps->p = hk_realloc(ps->p, ps->cap * sizeof(*ps->p));
	}
	ps->p[ps->n++] = (struct pay){.paid_on = p->paid_on,
				      .bucket = b < 0 ? 0 : b,
				      .dims = p->dims,
				      .case_ref = p->case_ref,
				      .amount = p->amount};
	return 0;
}

static int pay_cell_cmp(const void *pa, const void *pb)
{
	const struct pay *a = pa, *b = pb;

	if (a->paid_on != b->paid_on)
		return a->paid_on < b->paid_on ? -1 : 1;
	if (a->dims != b->dims)
		return a->dims < b->dims ? -1 : 1;
	return a->bucket - b->bucket;
}

static int pay_case_cmp(const void *pa, const void *pb)
{
	const struct pay *a = pa, *b = pb;

	if (a->case_ref != b->case_ref)
		return a->case_ref < b->case_ref ? -1 : 1;
	return 0;
}

static enum hk_rc save_payments(struct hk_store *s, struct pays *ps,
				struct hk_err *err)
{
	struct hk_rrecovery_row *rows;
	int64_t *cases, *counts, *amounts;
	size_t n = 0;
	enum hk_rc rc;

	if (!ps->n)
		return HK_OK;
	qsort(ps->p, ps->n, sizeof(*ps->p), pay_cell_cmp);
	rows = hk_malloc(ps->n * sizeof(*rows));
	for (size_t i = 0; i < ps->n; i++) {
		const struct pay *p = &ps->p[i];

		if (n && rows[n - 1].paid_on == p->paid_on &&
		    rows[n - 1].dims == p->dims && rows[n - 1].bucket == p->bucket) {
			rows[n - 1].payments++;
			rows[n - 1].amount += p->amount;
			continue;
		}
		rows[n++] = (struct hk_rrecovery_row){.paid_on = p->paid_on,
						      .dims = p->dims,
						      .bucket = p->bucket,
						      .payments = 1,
						      .amount = p->amount};
	}
	rc = s->ops->report_recovery_add(s, rows, n, err);
	free(rows);
	if (rc != HK_OK)
		return rc;
	/* each case's payments to its stay in its rule's arm */
	qsort(ps->p, ps->n, sizeof(*ps->p), pay_case_cmp);
	cases = hk_malloc(ps->n * sizeof(*cases));
	counts = hk_malloc(ps->n * sizeof(*counts));
	amounts = hk_malloc(ps->n * sizeof(*amounts));
	n = 0;
	for (size_t i = 0; i < ps->n; i++) {
		if (n && cases[n - 1] == ps->p[i].case_ref) {
			counts[n - 1]++;
			amounts[n - 1] += ps->p[i].amount;
			continue;
		}
		cases[n] = ps->p[i].case_ref;
		counts[n] = 1;
		amounts[n++] = ps->p[i].amount;
	}
	rc = s->ops->report_stints_add(s, cases, counts, amounts, n, err);
	free(cases);
	free(counts);
	free(amounts);
	return rc;
}

/* ---- the desk's work ------------------------------------------------- */

/* Texts are interned per run: few channels, outcomes and rules. */
struct names {
	char **name;
	size_t n, cap;
};

static const char *intern(struct names *nm, const char *s)
{
	if (!s)
		s = "";
	for (size_t i = 0; i < nm->n; i++)
		if (strcmp(nm->name[i], s) == 0)
			return nm->name[i];
	if (nm->n == nm->cap) {
		nm->cap = nm->cap ? 2 * nm->cap : 32;
		nm->name = hk_realloc(nm->name, nm->cap * sizeof(*nm->name));
	}
	nm->name[nm->n] = hk_strndup(s, strlen(s));
	return nm->name[nm->n++];
}

struct desk {
	struct names names;
	struct hk_ractivity_row *act;
	size_t n_act, cap_act;
	struct hk_rrefusal_row *ref;
	size_t n_ref, cap_ref;
};


static int take_record(void *ctx, int64_t at, int64_t user_ref,
		       const char *channel, const char *outcome)
{
	struct desk *d = ctx;

	if (d->n_act == d->cap_act) {
		d->cap_act = d->cap_act ? 2 * d->cap_act : 4096;
		d->act = hk_realloc(d->act, d->cap_act * sizeof(*d->act));
	}
	d->act[d->n_act++] = (struct hk_ractivity_row){
		.day = hk_date_of_time(at),
		.user_ref = user_ref,
		.channel = intern(&d->names, channel),
		.outcome = intern(&d->names, outcome),
		.records = 1,
	};
	return 0;
}

static int take_refusal(void *ctx, int64_t at, int64_t user_ref,
			const char *detail)
{
	struct desk *d = ctx;
	json_t *j = detail ? json_loads(detail, 0, NULL) : NULL;
	const char *rule = j ? json_string_value(json_object_get(j, "rule")) : NULL;

	if (d->n_ref == d->cap_ref) {
		d->cap_ref = d->cap_ref ? 2 * d->cap_ref : 256;
		d->ref = hk_realloc(d->ref, d->cap_ref * sizeof(*d->ref));
	}
	d->ref[d->n_ref++] = (struct hk_rrefusal_row){
		.day = hk_date_of_time(at),
		.user_ref = user_ref,
		.rule = intern(&d->names, rule ? rule : "?"),
		.refusals = 1,
	};
	json_decref(j);
	return 0;
}

/* Interned texts compare by address: equal text, equal pointer. */
static int act_cmp(const void *pa, const void *pb)
{
	const struct hk_ractivity_row *a = pa, *b = pb;

	if (a->day != b->day)
		return a->day < b->day ? -1 : 1;
	if (a->user_ref != b->user_ref)
		return a->user_ref < b->user_ref ? -1 : 1;
	if (a->channel != b->channel)
		return strcmp(a->channel, b->channel);
	return strcmp(a->outcome, b->outcome);
}

static int refusal_cmp(const void *pa, const void *pb)
{
	const struct hk_rrefusal_row *a = pa, *b = pb;

	if (a->day != b->day)
		return a->day < b->day ? -1 : 1;
	if (a->user_ref != b->user_ref)
		return a->user_ref < b->user_ref ? -1 : 1;
	return strcmp(a->rule, b->rule);
}

static enum hk_rc save_desk(struct hk_store *s, struct desk *d,
			    struct hk_err *err)
{
	size_t n = 0;
	enum hk_rc rc;

	if (d->n_act)
		qsort(d->act, d->n_act, sizeof(*d->act), act_cmp);
	for (size_t i = 0; i < d->n_act; i++) {
		if (n && act_cmp(&d->act[n - 1], &d->act[i]) == 0)
			d->act[n - 1].records++;
		else
			d->act[n++] = d->act[i];
	}
	if (n && (rc = s->ops->report_activity_add(s, d->act, n, err)) != HK_OK)
		return rc;
	n = 0;
	if (d->n_ref)
		qsort(d->ref, d->n_ref, sizeof(*d->ref), refusal_cmp);
	for (size_t i = 0; i < d->n_ref; i++) {
		if (n && refusal_cmp(&d->ref[n - 1], &d->ref[i]) == 0)
			d->ref[n - 1].refusals++;
		else
			d->ref[n++] = d->ref[i];
	}
	if (n && (rc = s->ops->report_refusals_add(s, d->ref, n, err)) != HK_OK)
		return rc;
	return HK_OK;
}

static void desk_free(struct desk *d)
{
	for (size_t i = 0; i < d->names.n; i++)
		free(d->names.name[i]);
	free(d->names.name);
	free(d->act);
	free(d->ref);
}

/* ---- the whole step -------------------------------------------------- */

static bool last_of_month(int32_t date)
{
	int y, m, d, y2, m2, d2;

	hk_date_to_ymd(date, &y, &m, &d);
	hk_date_to_ymd(date + 1, &y2, &m2, &d2);
	return m2 != m;
}

static int month_key(int32_t date)
{
	int y, m, d;

	hk_date_to_ymd(date, &y, &m, &d);
	return y * 12 + m;
}

static int note_month_end(void *ctx, int32_t day, bool month_end)
{
	(void)day;
	if (month_end)
		*(bool *)ctx = true;
	return 0;
}

/* Whether as_of stands for a month's end: its last day, or the first
 * processed date after a month whose last day was not processed. */
static enum hk_rc is_month_end(struct hk_store *s, int32_t as_of, int32_t last,
			       bool *out, struct hk_err *err)
{
	*out = last_of_month(as_of);
	if (*out)
		return HK_OK;
	if (last == as_of) /* a rerun: what the first run decided */
		return s->ops->report_days(s, as_of, as_of, note_month_end, out,
					   err);
	*out = last != HK_DATE_NONE && month_key(last) < month_key(as_of) &&
	       !last_of_month(last);
	return HK_OK;
}

static enum hk_rc month_step(struct hk_store *s, int32_t as_of,
			     struct month_rows *now, struct hk_err *err)
{
	struct month_rows prev = {0};
	struct hk_rroll_row *roll = NULL;
	size_t n_roll = 0;
	int32_t prev_end;
	enum hk_rc rc;

	rc = s->ops->report_month_scan(s, &prev_end, month_add, &prev, err);
	if (rc == HK_OK && prev_end == as_of) {
		/* A rerun of this month-end: its roll was taken from the
		 * previous month-end's state, which is gone; keep it. */
		free(prev.row);
		return HK_OK;
	}
	if (rc == HK_OK && prev_end != HK_DATE_NONE)
		roll = roll_of(&prev, now, &n_roll);
	free(prev.row);
	if (rc == HK_OK)
		rc = s->ops->report_month_save(s, as_of, now->row, now->n, roll,
					       n_roll, err);
	free(roll);
	return rc;
}

enum hk_rc hk_report_snapshot(struct hk_store *s, const struct hk_config *cfg,
			      int32_t as_of, int32_t last,
			      struct hk_report_snap_stats *st,
			      struct hk_err *err)
{
	struct cube c = {.b = &cfg->buckets, .as_of = as_of};
	struct month_rows month = {0};
	struct hk_raging_row *rows = NULL;
	struct pays pays = {.b = &cfg->buckets};
	struct desk desk = {0};
	char *saved_tz;
	bool month_end = false;
	int64_t max_ref = 0, set = 0;
	size_t n = 0;
	enum hk_rc rc;

	memset(st, 0, sizeof(*st));
	if ((rc = s->ops->report_dims_refresh(s, &set, err)) != HK_OK ||
	    (rc = is_month_end(s, as_of, last, &month_end, err)) != HK_OK ||
	    (rc = s->ops->account_max_ref(s, &max_ref, err)) != HK_OK)
		goto out;
	st->dims_set = set;
	c.month = month_end ? &month : NULL;
	for (int64_t lo = 1; lo <= max_ref; lo += CHUNK) {
		rc = s->ops->accounts_scan(s, lo, lo + CHUNK - 1, add_account,
					   &c, err);
		if (rc != HK_OK)
			goto out;
	}
	rows = hk_malloc((c.n_cell ? c.n_cell : 1) * sizeof(*rows));
	for (size_t i = 0; i < c.n_cell; i++) {
		if (!c.cell[i].accounts)
			continue;
		rows[n++] = (struct hk_raging_row){
			.dims = c.cell_dims[i],
			.bucket = (int)(i % (size_t)cfg->buckets.n),
			.t = c.cell[i],
		};
	}
	st->aging_rows = (int64_t)n;
	if ((rc = s->ops->report_aging_save(s, as_of, month_end, rows, n, err)) !=
	    HK_OK)
		goto out;
	if (month_end) {
		st->month_end = true;
		if ((rc = month_step(s, as_of, &month, err)) != HK_OK)
			goto out;
	}
	if ((rc = s->ops->report_payments_take(s, as_of, take_payment, &pays,
					       err)) != HK_OK ||
	    (rc = save_payments(s, &pays, err)) != HK_OK)
		goto out;
	st->payments = (int64_t)pays.n;
	/* the desk's days are the debtors' calendar days */
	saved_tz = hk_tz_set(cfg->time_zone);
	rc = s->ops->report_records_take(s, take_record, &desk, err);
	if (rc == HK_OK)
		rc = s->ops->report_refusals_take(s, take_refusal, &desk, err);
	hk_tz_restore(saved_tz);
	if (rc != HK_OK)
		goto out;
	st->records = (int64_t)desk.n_act;
	st->refusals = (int64_t)desk.n_ref;
	rc = save_desk(s, &desk, err);
out:
	free(rows);
	free(month.row);
	free(pays.p);
	desk_free(&desk);
	cube_free(&c);
	return rc;
}
