/*
 * export.c - the account CSV of ledger.md §4, byte for byte: header, one
 * row per account in account_id byte order, bare commas, LF, yuan with two
 * decimals.  Read-only: it never writes to the store.
 */
#include <stdlib.h>
#include <string.h>

#include "hk/batch.h"

struct refs {
	int64_t *ref;
	size_t n, cap;
};

static int note_fact(void *ctx, const struct hk_fact_row *fact)
{
	struct refs *r = ctx;

	if (r->n && r->ref[r->n - 1] == fact->account_ref)
		return 0; /* repeats are harmless for bsearch; skip the easy ones */
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 1024;
		r->ref = hk_realloc(r->ref, r->cap * sizeof(*r->ref));
	}
	r->ref[r->n++] = fact->account_ref;
	return 0;
}

static int cmp_ref(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

struct export_ctx {
	struct hk_store *s;
	const struct hk_config *cfg;
	int32_t as_of;
	char as_of_text[HK_DATE_BUFSZ];
	struct refs pending;
	FILE *out;
	struct hk_err *err;
	enum hk_rc rc;
};

static void put_money(FILE *out, int64_t fen)
{
	char buf[HK_MONEY_BUFSZ];

	fputc(',', out);
	fwrite(buf, 1, hk_money_format(fen, buf), out);
}

static int export_row(void *ctx, const struct hk_acct_row *row)
{
	struct export_ctx *x = ctx;
	const struct hk_summary *sm = &row->summary;
	bool pending = x->pending.n &&
		       bsearch(&row->ref, x->pending.ref, x->pending.n,
			       sizeof(int64_t), cmp_ref) != NULL;
	char date[HK_DATE_BUFSZ];
	struct hk_view v;

	if (!row->has_state || pending || x->as_of < sm->win_start ||
	    x->as_of > sm->win_end) {
		/* Facts day-end has not booked yet: compute from them. */
		x->rc = hk_eod_account_view(x->s, x->cfg, row, x->as_of, &v,
					    x->err);
		if (x->rc != HK_OK)
			return 1;
	} else {
		hk_summary_view(sm, &x->cfg->buckets, x->as_of, &v);
	}
	fprintf(x->out, "%s,%s,%d,%s", row->account_id, x->as_of_text, v.dpd,
		x->cfg->buckets.name[v.bucket]);
	put_money(x->out, v.overdue_principal);
	put_money(x->out, v.overdue_interest);
	put_money(x->out, v.overdue_fee);
	put_money(x->out, v.penalty_due);
	put_money(x->out, v.total_overdue);
	put_money(x->out, v.principal_outstanding);
	put_money(x->out, v.credit_balance);
	put_money(x->out, v.penalty_accrued_total);
	put_money(x->out, v.paid_total);
	hk_date_format(v.first_overdue_date, date);
	fprintf(x->out, ",%s", date);
	put_money(x->out, v.waived_total);
	fputc('\n', x->out);
	return 0;
}

enum hk_rc hk_export_accounts(struct hk_store *s, const struct hk_config *cfg,
			      FILE *out, struct hk_err *err)
{
	struct export_ctx x = {.s = s, .cfg = cfg, .out = out, .err = err};
	enum hk_rc rc;

	rc = hk_store_meta_date(s, HK_META_LAST_EOD, &x.as_of, err);
	if (rc != HK_OK)
		return rc;
	if (x.as_of == HK_DATE_NONE)
		return hk_err_set(err, HK_EREFUSED, "%s",
				  HK_TR(s->lang,
					"尚未运行日终；请先运行 huikuan eod --date YYYY-MM-DD",
					"no day-end has run yet; run huikuan eod --date YYYY-MM-DD first"));
	hk_date_format(x.as_of, x.as_of_text);
	rc = s->ops->facts_scan(s, x.as_of, note_fact, &x.pending, err);
	if (rc != HK_OK)
		goto out;
	if (x.pending.n)
		qsort(x.pending.ref, x.pending.n, sizeof(int64_t), cmp_ref);
	fputs("account_id,as_of,dpd,bucket,overdue_principal,overdue_interest,"
	      "overdue_fee,penalty_due,total_overdue,principal_outstanding,"
	      "credit_balance,penalty_accrued_total,paid_total,"
	      "first_overdue_date,waived_total\n",
	      out);
	rc = s->ops->accounts_scan_by_id(s, export_row, &x, err);
	if (rc != HK_OK && x.rc != HK_OK)
		rc = x.rc;
	if (rc == HK_OK && (fflush(out) != 0 || ferror(out)))
		rc = hk_err_set(err, HK_EIO, "%s",
				HK_TR(s->lang, "写出导出文件失败",
				      "could not write the export"));
out:
	free(x.pending.ref);
	return rc;
}
