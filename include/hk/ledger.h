/*
 * ledger.h - the rules of ../shared/spec/ledger.md §3 as pure functions:
 * booking waivers, allocating payments, accruing penalty, days past due,
 * buckets and promises.
 *
 * An account's state is always "the end of day `anchor`".  Between two
 * events (a payment, a waiver) an installment's penalty base is constant, so
 * hk_ledger_advance() jumps over quiet days in closed form, and
 * hk_ledger_summarize() condenses the state into a window of dates over which
 * every figure is a linear function of the date.  Day-end stores only that
 * summary and touches an account again when its window ends or a fact
 * arrives.  Nothing here allocates, does I/O, or reads globals.
 */
#ifndef HK_LEDGER_H
#define HK_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hk/types.h"

#define HK_DATE_FOREVER INT32_MAX

enum hk_component {
	HK_COMP_PENALTY = 0,
	HK_COMP_FEE = 1,
	HK_COMP_INTEREST = 2,
	HK_COMP_PRINCIPAL = 3,
	HK_COMP_COUNT
};

enum hk_product {
	HK_PRODUCT_CREDIT_CARD = 0,
	HK_PRODUCT_CONSUMER_LOAN,
	HK_PRODUCT_BUSINESS_LOAN,
	HK_PRODUCT_INVOICE,
	HK_PRODUCT_OTHER,
	HK_PRODUCT_COUNT
};

/* Penalty policy of one product (configuration). */
struct hk_policy {
	int32_t cap_ppm;   /* all-in yearly ceiling, default 240000 (24%) */
	int32_t day_basis; /* 360 (default) or 365 */
	bool compound;     /* penalty base includes unpaid interest (复利) */
};

#define HK_BUCKETS_MAX 16
#define HK_BUCKET_NAME_MAX 8

/* The DPD → bucket table: bucket i holds dpd in (max_dpd[i-1], max_dpd[i]];
 * bucket 0 starts at dpd 0 and the last one has max_dpd INT32_MAX. */
struct hk_bucket_table {
	int n;
	int32_t max_dpd[HK_BUCKETS_MAX];
	char name[HK_BUCKETS_MAX][HK_BUCKET_NAME_MAX];
};

/* One installment: its schedule and its unpaid amounts at the anchor. */
struct hk_inst {
	int32_t seq;
	int32_t due;
	int64_t sched_principal, sched_interest, sched_fee;
	int64_t principal, interest, fee; /* unpaid */
	int64_t penalty;                  /* unpaid penalty */
	int64_t penalty_accrued;          /* all penalty accrued, paid or not */
};

/* One account's terms and state.  `inst` is sorted by seq, and due dates
 * strictly increase with seq (the importer guarantees it). */
struct hk_acct {
	int32_t open_date;
	int32_t annual_ppm;
	int32_t penalty_ppm;
	int32_t anchor; /* the state is the end of this day */
	int64_t credit_balance;
	int64_t paid_total;
	int64_t waived_total;
	size_t n_inst;
	struct hk_inst *inst; /* owned by the caller */
};

enum hk_event_kind { HK_EV_WAIVER = 0, HK_EV_PAYMENT = 1 };

/* A dated fact.  Within a day waivers come before payments (ledger.md). */
struct hk_event {
	int32_t date;
	uint8_t kind;      /* enum hk_event_kind */
	uint8_t component; /* enum hk_component, waivers only */
	int64_t amount;
};

/* Where one payment went.  The five parts add up to the payment. */
struct hk_alloc {
	int64_t part[HK_COMP_COUNT]; /* indexed by enum hk_component */
	int64_t credit;              /* left over: credit balance (溢缴款) */
};

/*
 * The compact state day-end keeps for an account: every figure of the
 * export for any date D with win_start <= D <= win_end, as long as no new
 * fact for the account arrives.  Penalty grows by `daily_penalty` per day
 * from win_start; everything else is constant; DPD is D - first_unpaid_due.
 */
struct hk_summary {
	int32_t anchor;           /* date of the installments' stored state */
	int32_t win_start;        /* date these figures are as of */
	int32_t win_end;          /* last date they project to (FOREVER: none) */
	int32_t first_unpaid_due; /* oldest due date with anything unpaid */
	int64_t overdue_principal, overdue_interest, overdue_fee;
	int64_t penalty_due;     /* unpaid penalty at win_start */
	int64_t penalty_accrued; /* all penalty accrued through win_start */
	int64_t daily_penalty;   /* accrues each day after win_start */
	int64_t principal_outstanding;
	int64_t credit_balance, paid_total, waived_total;
};

/* Every figure of ledger.md §4 for one account as of one date. */
struct hk_view {
	int32_t as_of;
	int32_t dpd;
	int32_t first_overdue_date; /* HK_DATE_NONE when dpd is 0 */
	int bucket;                 /* index into the bucket table */
	int64_t overdue_principal, overdue_interest, overdue_fee;
	int64_t penalty_due, total_overdue, principal_outstanding;
	int64_t credit_balance, penalty_accrued_total, paid_total;
	int64_t waived_total;
};

enum hk_promise_status {
	HK_PROMISE_PENDING = 0,
	HK_PROMISE_KEPT = 1,
	HK_PROMISE_BROKEN = 2
};

/* The default policy (24% cap, 360-day basis, simple penalty) and bucket
 * table (M0, M1 1-30, ... M6 151-180, M7+). */
void hk_policy_default(struct hk_policy *policy /* OUT */);
void hk_bucket_table_default(struct hk_bucket_table *table /* OUT */);
/* The bucket index for a DPD (dpd >= 0). */
int hk_bucket_of(const struct hk_bucket_table *table, int32_t dpd);
/* Index of a bucket name, or -1. */
int hk_bucket_find(const struct hk_bucket_table *table, const char *name);

/* Parse/format the product codes of ledger.md §2 ("credit_card", ...).
 * Parse returns -1 for unknown text. */
int hk_product_parse(const char *s, size_t len);
const char *hk_product_name(int product);

/* The penalty rate in force after the cap: min(penalty, max(0, cap - annual)). */
int32_t hk_penalty_effective_ppm(const struct hk_policy *policy,
				 int32_t annual_ppm, int32_t penalty_ppm);
/* One day's penalty on `base` fen, rounded half up on the fen. */
int64_t hk_penalty_daily(int64_t base, int32_t eff_ppm, int32_t day_basis);

/*
 * Put `acct` in its opening state: nothing paid, anchor = open_date - 1.
 * The installments' schedule fields must be set.
 */
void hk_ledger_reset(struct hk_acct *acct);

/*
 * Move `acct` from its anchor to the end of day `to`, booking `events`
 * (by date, a day's waivers before its payments, every date in
 * (anchor, to]).  Waivers larger than what is unpaid of their component are
 * cut to it; refusing them is the job of whoever approves them (see
 * hk_ledger_waivable).  When `alloc` is not
 * NULL it receives, for each payment event, where the money went.
 * Returns HK_EINVAL (and changes nothing) if an event is out of order or
 * outside the range, or `to` is before the anchor.
 */
enum hk_rc hk_ledger_advance(const struct hk_policy *policy,
			     struct hk_acct *acct, const struct hk_event *events,
			     size_t n_events, int32_t to,
			     struct hk_alloc *alloc /* OUT: n_events, or NULL */);

/* Order of events within an account: by date, then waivers first. */
int hk_event_cmp(const void *a, const void *b);

/*
 * What a waiver of `component` approved on the day after the anchor could
 * forgive at most: what is unpaid of it across all installments, before that
 * day's payments.
 */
int64_t hk_ledger_waivable(const struct hk_acct *acct, int component);

/*
 * Condense the state into the window that starts at `as_of` (>= anchor).
 * An account opened after as_of gets an all-zero summary whose window ends
 * the day before it opens.
 */
void hk_ledger_summarize(const struct hk_policy *policy,
			 const struct hk_acct *acct, int32_t as_of,
			 struct hk_summary *out /* OUT */);

/* The figures as of `as_of`, which must lie in the summary's window. */
void hk_summary_view(const struct hk_summary *summary,
		     const struct hk_bucket_table *buckets, int32_t as_of,
		     struct hk_view *out /* OUT */);

/*
 * A promise made on `made_on` for `amount` due by `due_on`, given `paid` =
 * the case's payments dated in [made_on, min(as_of, due_on)].
 */
enum hk_promise_status hk_promise_eval(int32_t made_on, int32_t due_on,
				       int64_t amount, int64_t paid,
				       int32_t as_of);
const char *hk_promise_status_name(enum hk_promise_status status);

#endif
