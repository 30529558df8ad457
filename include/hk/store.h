/*
 * store.h - the one storage interface.  Everything above it (import,
 * day-end, export, the server to come) talks to the database only through
 * these operations; SQL lives only in src/store/.  A backend is a table of
 * function pointers, so SQLite (now) and PostgreSQL (issue 6) are
 * interchangeable and every caller behaves the same on both.
 *
 * Identifiers: every imported record has its text id (debtor_id, ...) and
 * an integer `ref` the store assigns; refs of accounts grow in import order
 * and day-end walks accounts in ref ranges.  Dates are day numbers
 * (types.h), money is fen.
 *
 * Failure: every operation returns an hk_rc and fills `err`; on failure
 * inside a transaction the caller rolls back.  The store never exits.
 */
#ifndef HK_STORE_H
#define HK_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hk/ledger.h"
#include "hk/rc.h"

struct hk_store;

/* ---- records as imported ------------------------------------------- */

enum hk_debtor_kind { HK_DEBTOR_PERSON = 0, HK_DEBTOR_COMPANY = 1 };

/* Text fields are NUL-terminated; NULL or "" means "not given". */
struct hk_debtor_rec {
	const char *debtor_id;
	const char *name;
	int kind; /* enum hk_debtor_kind */
	const char *id_number, *phone, *segment, *province, *city, *address,
		*employer;
};

struct hk_contact_rec {
	const char *contact_id;
	int64_t debtor_ref;
	const char *relation; /* one of ledger.md §2's codes */
	const char *name;
	const char *phone;
	bool authorized;
	const char *email; /* through the API only (NULL: none) */
};

struct hk_account_rec {
	const char *account_id;
	int64_t debtor_ref;
	const char *creditor;
	int product; /* enum hk_product */
	int64_t principal;
	int32_t annual_ppm, penalty_ppm;
	int32_t open_date;
};

struct hk_installment_rec {
	int64_t account_ref;
	int32_t seq, due;
	int64_t principal, interest, fee;
};

struct hk_payment_rec {
	const char *payment_id;
	int64_t account_ref;
	int32_t paid_on;
	int64_t amount;
	const char *channel; /* bank_transfer, online, offset, other */
	const char *reference;
};

struct hk_waiver_rec {
	int64_t account_ref;
	int32_t approved_on;
	int component; /* enum hk_component */
	int64_t amount;
	const char *approved_by, *reason;
};

struct hk_promise_rec {
	int64_t case_ref;
	int32_t made_on, due_on;
	int64_t amount;
};

/* What a lookup by text id found.  Zero `ref` means not found. */
struct hk_found {
	int64_t ref;
	int64_t case_ref;   /* accounts */
	int32_t open_date;  /* accounts */
	int64_t principal;  /* accounts */
	bool has_schedule;  /* accounts: installments already imported */
	int kind;           /* debtors: enum hk_debtor_kind */
};

enum hk_id_kind {
	HK_ID_DEBTOR,
	HK_ID_CONTACT,
	HK_ID_ACCOUNT,
	HK_ID_PAYMENT
};

/* ---- rows day-end and export read ----------------------------------- */

/* One account with its terms and, when has_state, its stored summary. */
struct hk_acct_row {
	int64_t ref;
	const char *account_id; /* valid during the callback only */
	int product;
	int32_t open_date, annual_ppm, penalty_ppm;
	int64_t case_ref;
	bool has_state;
	/* Only what a quiet day needs (see accounts_scan): the terms and the
	 * summary's anchor, penalty_accrued and balances are missing (zero);
	 * account_get gives the whole row. */
	bool lean;
	struct hk_summary summary;
	int64_t dims; /* the reports' combination (report_dims); 0: not set */
};

/* A fact day-end has not yet booked into an account's stored state. */
enum hk_fact_kind { HK_FACT_PAYMENT, HK_FACT_WAIVER, HK_FACT_SCHEDULE };
struct hk_fact_row { /* 24 bytes: the first day-end holds millions */
	int64_t account_ref;
	int64_t amount;
	int32_t date;      /* HK_DATE_NONE for a schedule */
	uint8_t kind;      /* enum hk_fact_kind */
	uint8_t component; /* waivers: enum hk_component */
};

/* A promise not yet kept, with the case's payments in its window. */
struct hk_promise_row {
	int64_t ref;
	int32_t made_on, due_on;
	int64_t amount;
	int64_t paid; /* payments dated in [made_on, min(as_of, due_on)] */
	int status;   /* as stored: enum hk_promise_status */
	bool evaluated; /* a day-end has looked at it before */
};

/* Per-day totals of one bucket (the aging of that day). */
struct hk_bucket_totals {
	int64_t accounts;
	int64_t overdue_principal, overdue_interest, overdue_fee;
	int64_t penalty_due, total_overdue, principal_outstanding;
};

/* ---- people and access --------------------------------------------- */

enum hk_role {
	HK_ROLE_ADMIN = 1 << 0,
	HK_ROLE_MANAGER = 1 << 1,
	HK_ROLE_TEAM_LEADER = 1 << 2,
	HK_ROLE_COLLECTOR = 1 << 3,
	HK_ROLE_AGENCY_COLLECTOR = 1 << 4,
	HK_ROLE_AUDITOR = 1 << 5,
};
#define HK_ROLE_ANY 0x3f

/* The role's code ("admin", ...) and back (0 for unknown text). */
const char *hk_role_name(int role);
int hk_role_parse(const char *text);

struct hk_user {
	int64_t ref;
	char username[65];
	char display_name[129];
	int role;          /* one enum hk_role bit */
	int64_t team_ref;  /* 0: none */
	int64_t agency_ref; /* an agency collector's agency; 0: none */
	char password_hash[160];
	bool must_change;
	bool active;
	int failed_logins;
	int64_t locked_until; /* Unix seconds */
	/* allocation (docs/strategy.md): the cases a collector can carry
	 * (0: unstated) and an absence, inclusive dates (HK_DATE_NONE:
	 * none; until NONE: open-ended) */
	int capacity;
	int32_t absent_from, absent_until;
};

struct hk_session {
	int64_t user_ref;
	bool bearer;
	char csrf[65];
	int64_t expires_at;
};

/* One record of the audit trail.  Text fields hold no personal data
 * beyond what the action itself reveals (ids, not names or numbers). */
struct hk_audit_rec {
	int64_t ref;
	int64_t at;       /* Unix seconds */
	int64_t user_ref; /* 0: the system or an anonymous caller */
	char client[64];  /* the caller's address */
	char action[64];  /* "session.create", "user.create", ... */
	char target[128]; /* "user:12", "case:7", ... */
	char detail[512]; /* JSON, small */
	char prev_hash[65];
	char hash[65];
};
typedef int (*hk_audit_fn)(void *ctx, const struct hk_audit_rec *rec);

/* Which cases a user may see, applied inside every case query. */
struct hk_scope {
	bool all;              /* admin, manager, auditor */
	int64_t collector_ref; /* a collector: cases assigned to them */
	int64_t team_ref;      /* a team leader: the team's cases */
	int64_t agency_ref;    /* an agency user: cases placed with it */
};

/* A case with its debtor, as stored (personal data unmasked: the caller
 * masks before anything leaves the server). */
struct hk_case_rec {
	int64_t ref;
	char creditor[65];
	char status[32];
	int64_t collector_ref, team_ref, agency_ref;
	bool lost_contact;
	int64_t debtor_ref;
	char debtor_id[65];
	char name[129];
	char kind[16];
	char id_number[32];
	char phone[24];
	char segment[32];
	char province[64];
	char city[64];
	char address[257];
};

/* Orders of the case list.  DPD (most days past due first) is the default
 * and indexed for every scope; overdue is computed, then sorted. */
enum hk_case_sort {
	HK_SORT_DPD,       /* first unpaid due date, oldest first */
	HK_SORT_ID,        /* case ref */
	HK_SORT_OVERDUE,   /* total overdue, largest first */
	HK_SORT_FOLLOW_UP, /* next follow-up date, earliest first */
	HK_SORT_PRIORITY,  /* overdue cases only: the treatment's priority,
			    * highest first, then DPD (the queue; no cursor) */
};

/* Filters of the case list; unset ones are NULL / -1 / 0 as noted. */
struct hk_case_filter {
	const char *status, *creditor, *province, *segment; /* NULL: any */
	int64_t collector_ref, team_ref; /* 0: any */
	int product;                     /* enum hk_product; -1: any */
	int32_t dpd_min, dpd_max;        /* -1: none */
	int64_t min_overdue, max_overdue; /* fen; -1: none */
	int promise_status;       /* the latest promise's; -1: any */
	int32_t follow_up_by;     /* next follow-up on or before; HK_DATE_NONE: any */
	int32_t promise_due_by;   /* a pending promise due on or before;
				   * HK_DATE_NONE: any */
	bool lost_contact;        /* only cases flagged lost contact */
	enum hk_case_sort sort;
	/* Keyset: the page starts after (after_key, after_ref) in the sort
	 * order; after_key is unused when sorting by id. */
	bool has_after;
	int64_t after_key, after_ref;
	int limit;
};

/* One line of the case list, figures as of the last day-end. */
struct hk_case_line {
	int64_t ref;
	const char *creditor, *status, *debtor_id, *name; /* callback only */
	int64_t collector_ref, team_ref;
	int accounts;
	int32_t dpd;
	int64_t total_overdue;   /* the balance is in the case detail */
	int32_t next_follow_up;  /* HK_DATE_NONE when none */
	int promise_status;      /* -1 when no promise */
	bool lost_contact;
	int64_t sort_key;        /* the keyset key of this line's sort */
};

/* A placement of a case with an agency (委外); recalled_at 0: open. */
struct hk_placement {
	int64_t ref, case_ref, agency_ref, contract_ref;
	char agency[129];
	int64_t placed_by, placed_at;
	int32_t until;
	char reason[501];
	int64_t recalled_by, recalled_at;
	char recall_reason[501];
};

/* An agency contract (委外合同). */
struct hk_contract {
	int64_t ref, agency_ref;
	int32_t starts_on, ends_on;  /* inclusive */
	int32_t commission_ppm;      /* share of what is recovered */
	int64_t upfront_fee;         /* fen per case placed */
	bool may_settle;             /* may propose waivers */
};

/* One placement's line in an agency's statement for a period. */
struct hk_statement_row {
	int64_t placement_ref, case_ref;
	int32_t placed_on, ends_on;  /* the placement's window, inclusive */
	int32_t commission_ppm;
	int64_t upfront_fee;         /* charged when placed_on is in the period */
	int64_t recovered;           /* payments in the window and the period */
};

/* What a strategy tests of one case, as stored (case_facts_scan); texts
 * are valid during the callback only. */
struct hk_case_fact_row {
	int64_t case_ref;
	int32_t overdue_since;      /* INT32_MAX: nothing overdue */
	int64_t total_overdue;      /* as of the date asked */
	unsigned products;
	const char *creditor, *segment, *province, *id_number, *kind;
	int promise_status;         /* -1: none */
	bool dispute_open, lost_contact;
	int64_t last_contact_at;    /* Unix seconds; 0: never */
	int32_t last_paid_on;       /* HK_DATE_NONE: never */
	int32_t next_due;           /* earliest unpaid due on or after the
				     * date; HK_DATE_NONE: none */
	const char *outcomes;       /* "a,b,c": the outcomes seen; NULL */
	bool has_plan;              /* an approved repayment plan */
	/* for day-end (hk_treat_run) */
	int64_t due_daily;          /* what total_overdue grows by a day */
	const char *status;
	int64_t collector_ref, team_ref, agency_ref, held_for; /* 0: none */
	int32_t assigned_on;        /* HK_DATE_NONE: unknown */
	int32_t last_promise_on;    /* HK_DATE_NONE: no promise */
	/* the treatment as of the last day-end; strategy_ref 0: none */
	int64_t strategy_ref;
	int rule_no, arm_no;        /* arm -1: none */
	int32_t recheck_on;
};

enum {
	HK_FACT_DISPUTE = 1, HK_FACT_CONTACT = 2, HK_FACT_PAID = 4,
	HK_FACT_NEXT_DUE = 8, HK_FACT_OUTCOMES = 16, HK_FACT_PLAN = 32,
	HK_FACT_PROMISE_MADE = 64,
	/* the last payment and promise of overdue cases with a collector
	 * only: rotation's clock */
	HK_FACT_PROGRESS = 128, HK_FACT_ALL = 127
};

/* Which of a case's facts to read (case_facts_scan).  A case's debtor
 * (age, segment, province) and its next due date are read only when its
 * DPD lies in [lo, hi] or, overdue, can still grow into it (lo > hi:
 * never); the rest by the bits. */
struct hk_fact_need {
	unsigned bits;              /* HK_FACT_* */
	int32_t debtor_lo, debtor_hi;
	int32_t due_lo, due_hi;
};

/* Every fact of every case (the dry run). */
#define HK_FACT_NEED_ALL                                                       \
	((struct hk_fact_need){HK_FACT_ALL, 0, INT32_MAX, 0, INT32_MAX})

/* A case's treatment as day-end keeps it: which rule (index in the
 * version's rules) and arm (-1: none) of which version; the treatment
 * itself is the version's (published versions never change). */
struct hk_treatment_rec {
	int64_t case_ref, strategy_ref;
	int rule_no, arm_no;
	int priority;               /* copied: it orders the queues */
	int32_t since, recheck_on;
	int64_t base_overdue;       /* the case's total overdue on entering
				     * (the reports' stays; history only) */
};

/* A collector as allocation sees them (collectors_scan). */
struct hk_collector_row {
	int64_t ref, team_ref;      /* team 0: none */
	bool active;
	int capacity;               /* overdue cases they can carry; 0: unstated */
	int32_t absent_from, absent_until; /* HK_DATE_NONE: not set */
	int64_t cases, overdue;     /* their overdue cases and total overdue */
};

/* One move of a case between collectors (case_allocate). */
struct hk_allocation_rec {
	int64_t case_ref, from_collector, collector_ref, team_ref;
	int64_t held_for;           /* 0: none */
	int32_t on_date;
	int64_t at, by_user;        /* by 0: day-end */
	const char *kind;           /* manual, rule, rotation, absence, return */
	const char *reason;         /* may be NULL */
};

/* A strategy version (docs/strategy.md); body is its JSON form. */
struct hk_strategy_version {
	int64_t ref;
	char name[128];
	char status[16];          /* draft, published */
	int64_t created_by, created_at, published_by, published_at;
	const char *body;         /* callback only */
};

/* One line of a case's timeline (case_timeline); texts and meaning of the
 * fields depend on the kind (src/http/timeline.c). */
struct hk_timeline_row {
	const char *kind;       /* "record", "status", "payment", ... */
	int64_t at;             /* Unix seconds; 0 when only `date` is known */
	int32_t date;           /* HK_DATE_NONE when `at` is known */
	int64_t user_ref;       /* 0: none (a bank file, day-end) */
	int64_t ref;            /* the row in its own table */
	int64_t amount;         /* fen; -1: none */
	int32_t date2;          /* a second date; HK_DATE_NONE: none */
	const char *t1, *t2, *t3; /* NULL: none */
};

/* One contact record (催记). */
struct hk_record {
	int64_t ref;
	int64_t case_ref, user_ref, second_staff_ref;
	int64_t at;               /* Unix seconds */
	char channel[24];
	char contact_id[65];      /* "" when none */
	char outcome[32];
	char note[2001];
	char recording_ref[129];
	int32_t next_follow_up;   /* HK_DATE_NONE when none */
	char third_party_reason[32]; /* "" when none */
};

struct hk_waiver_request {
	int64_t ref, case_ref, account_ref;
	char account_id[65];
	int component; /* enum hk_component */
	int64_t amount;
	char reason[501];
	int64_t requested_by, requested_at;
	char status[16];
	int64_t decided_by, decided_at;
	char note[501];
};

/* A talk script (话术, scripts_scan / script_save); texts valid during the
 * callback only when read. */
struct hk_script {
	int64_t ref;
	const char *title, *objection, *body;
	const char *outcomes;       /* outcome codes, comma-separated */
	int64_t updated_by, updated_at;
};

/* The dashboard's filters on cases: a creditor (NULL: any) and a product
 * (bit 1 << product; 0: any). */
struct hk_dash_filter {
	const char *creditor;
	unsigned products;
};

/* A collector's figures for the dashboard (collector_figures). */
struct hk_collector_figures {
	int64_t ref, team_ref;
	const char *username, *display_name;
	int64_t cases, overdue_cases, total_overdue;
	int64_t contacts_today, promises_today;
};

/* A proposed repayment plan waiting for a decision (plans_pending). */
struct hk_plan_pending {
	int64_t ref, case_ref, proposed_by, proposed_at;
	int32_t starts_on;
	int installments;
	int64_t total;
};

struct hk_payment_row {
	char payment_id[65];
	int32_t paid_on;
	int64_t amount;
	char channel[32];
};

struct hk_contact_row {
	char contact_id[65];
	char relation[32];
	char name[129];
	char phone[24];
	bool authorized;
	char validity[16];
	char source[65];
	bool stopped; /* asked not to be called again: a permanent stop */
	char email[129]; /* "": none */
};

/* What the compliance guardrails count around one outbound contact
 * (src/http/guard.c).  A conversation is a record whose outcome reached
 * the debtor (reached_debtor, promised, refused, disputes, claims_paid,
 * hardship); an unanswered attempt one with no_answer, busy, switched_off
 * or left_message. */
struct hk_contact_counts {
	int conversations_today;   /* with the debtor, by anyone */
	int attempts_today;        /* unanswered, on the contact asked about */
	int calls_7_days;          /* calls about the debtor, last 7 days */
	int64_t last_conversation; /* Unix seconds; 0: none */
};

/* A stop on contacting a debtor: their request to stop a channel ("all":
 * every one) or a complaint pausing contact, until lifted. */
struct hk_stop {
	int64_t ref, debtor_ref;
	char channel[24];
	char reason[32];       /* debtor_request, complaint */
	char note[501];
	int64_t created_by, created_at;
	int64_t lifted_by, lifted_at; /* 0: open */
	char lift_reason[501];
};

/* What the limitation period of one account runs from (guard.c). */
struct hk_limitation_row {
	int64_t account_ref;
	const char *account_id;   /* callback only */
	int32_t overdue_since;    /* HK_DATE_NONE: nothing overdue */
	int32_t last_paid;        /* HK_DATE_NONE: never paid */
	int64_t last_demand;      /* Unix seconds of the latest contact that
				   * reached the debtor on the case; 0: none */
};

struct hk_promise_detail {
	int64_t ref;
	int32_t made_on, due_on;
	int64_t amount;
	int status;
};

/* What one day-end did, for the audit trail of runs. */
struct hk_eod_run_rec {
	int32_t as_of;
	int64_t accounts, replayed, advanced, crossed, transitions;
};

/* What one chunk of a day-end worker counted (huikuan eod --workers):
 * committed with the chunk's accounts, so a rerun skips the chunk and the
 * closing step adds the chunks up. */
struct hk_eod_part {
	int64_t lo, hi; /* the account refs of the chunk, inclusive */
	int64_t accounts, replayed, advanced, crossed, transitions;
	struct hk_bucket_totals totals[HK_BUCKETS_MAX];
};
typedef int (*hk_eod_part_fn)(void *ctx, const struct hk_eod_part *part);
/* The text a backend stores a chunk's totals as (both backends alike):
 * per bucket seven integers separated by spaces, buckets by ";". */
#define HK_EOD_TOTALS_TEXT (HK_BUCKETS_MAX * 7 * 21)
void hk_eod_totals_text(const struct hk_bucket_totals *totals, char *buf,
			size_t cap);
enum hk_rc hk_eod_totals_parse(const char *text,
			       struct hk_bucket_totals *totals /* OUT */);

/* Row callbacks return 0 to go on, non-zero to stop (the op then returns
 * HK_EINTERNAL unless the callback filled err itself). */
typedef int (*hk_acct_fn)(void *ctx, const struct hk_acct_row *row);
typedef int (*hk_fact_fn)(void *ctx, const struct hk_fact_row *row);
typedef int (*hk_inst_fn)(void *ctx, const struct hk_inst *inst);
typedef int (*hk_event_fn)(void *ctx, const struct hk_event *event);
typedef int (*hk_promise_fn)(void *ctx, const struct hk_promise_row *row);

/* ---- letters and messages (issue 7, docs/letters.md) ------------------ */

/* A template version.  subject and body: owned by whoever filled the
 * record (template_get: the caller, hk_template_rec_clear; scans: the
 * store, for the callback's duration). */
struct hk_template_rec {
	int64_t ref;
	char code[65];
	char channel[8];   /* letter, sms, email */
	int version;
	char name[129];
	char audience[16]; /* debtor, third_party */
	char kind[16];     /* reminder, notice, final, lawyer, invoice, message */
	int days_to_pay;
	char status[16];   /* draft, published */
	char *subject, *body;
	int64_t created_by, created_at, published_by, published_at;
};

void hk_template_rec_clear(struct hk_template_rec *t);

/* A letter written. */
struct hk_letter_rec {
	int64_t ref;
	char serial[32];
	int64_t case_ref, template_ref, batch_ref; /* batch 0: none */
	int32_t as_of;
	int64_t strategy_ref; /* 0: not from a treatment */
	int rule_no, arm_no;
	int64_t total_owed;
	int pages;
	char sha256[65];
	int64_t size;
	int64_t created_by, created_at;
	/* read back only: the template's code, channel and version */
	char template_code[65];
	int template_version;
};

/* A batch of letters. */
struct hk_batch_rec {
	int64_t ref;
	char status[16];   /* queued, running, done, failed */
	char source[16];   /* treatments, cases */
	char template_code[65]; /* "": each case's treatment's */
	int32_t as_of;
	int64_t total, done, skipped;
	char merged_sha256[65], manifest_sha256[65];
	char error[256];
	int64_t created_by, created_at, finished_at;
};

/* One case of a batch. */
struct hk_batch_case {
	int64_t batch_ref;
	int64_t seq, case_ref;
	char template_code[65];
	int64_t letter_ref; /* 0: not written yet */
	char skipped[128];  /* why not written ("": not skipped) */
};

/* A message in the outbox.  subject, body: as template records. */
struct hk_outbox_rec {
	int64_t ref;
	char msg_id[48];
	int64_t case_ref, contact_ref, template_ref; /* contact 0: the debtor */
	char contact_id[65]; /* read back: the contact's id ("": the debtor) */
	char channel[8];   /* sms, email */
	char to_addr[256], to_name[129];
	char *subject, *body;
	char status[16];   /* queued, sending, sent, delivered, undelivered,
			    * failed, refused, cancelled */
	int attempts;
	int64_t next_at, lease_until;
	char provider_id[200];
	char last_error[400];
	char rule[32];     /* the guardrail that refused it */
	int64_t strategy_ref;
	int rule_no, arm_no;
	int64_t created_by, created_at, sent_at, delivered_at;
};

void hk_outbox_rec_clear(struct hk_outbox_rec *m);

/* ---- the reports' history (issue 8, docs/reports.md) ------------------- */

/* A combination of the reports' dimensions (report_dims).  Texts valid
 * during the callback; absent: "" (texts), 0 (refs), -1 (rule, arm). */
struct hk_rdims {
	int64_t ref;
	const char *creditor, *product, *province, *segment;
	int64_t team_ref, collector_ref, agency_ref, strategy_ref;
	int rule_no, arm_no;
};

/* A date's accounts of one combination in one bucket (position). */
struct hk_raging_row {
	int64_t dims;
	int bucket;
	struct hk_bucket_totals t;
};

/* A payment not yet in the reports (report_payments_take). */
struct hk_rpayment {
	int64_t ref, account_ref, case_ref, dims, amount;
	int32_t paid_on;
	/* The account's bucket before the payment's day: the destination of
	 * its last bucket transition dated before paid_on; NULL: none (the
	 * first bucket).  Valid during the callback. */
	const char *bucket_before;
};

/* Payments of one day, combination and bucket before them. */
struct hk_rrecovery_row {
	int32_t paid_on;
	int64_t dims;
	int bucket;
	int64_t payments, amount;
};

/* Accounts of one combination that were in from_bucket at the previous
 * month-end and are in to_bucket at this one, with their balances then
 * (at the previous month-end). */
struct hk_rroll_row {
	int64_t dims;
	int from_bucket, to_bucket;
	int64_t accounts, principal_outstanding, total_overdue;
};

/* An account at the last month-end snapshot (report_month_state). */
struct hk_rmonth_row {
	int64_t account_ref;
	int bucket;
	int64_t principal_outstanding, total_overdue;
	int64_t dims; /* day-end's memory only (not stored): its combination */
};

/* Contact records of one day, person, channel and outcome. */
struct hk_ractivity_row {
	int32_t day;
	int64_t user_ref;
	const char *channel, *outcome;
	int64_t records;
};

/* Guardrail refusals of one day, person and rule. */
struct hk_rrefusal_row {
	int32_t day;
	int64_t user_ref;
	const char *rule;
	int64_t refusals;
};

/* One case's stay in a rule's arm (treatment_history): its overdue when
 * it entered and what it paid while there. */
struct hk_rstint_row {
	int64_t case_ref;
	int arm_no;
	int32_t since;
	int64_t base_overdue, recovered, payments;
};

struct hk_store_ops {
	const char *backend; /* "sqlite" */

	void (*close)(struct hk_store *s);
	/* Create or migrate the schema; harmless when current. */
	enum hk_rc (*migrate)(struct hk_store *s, struct hk_err *err);
	/* Schema version in the database (0: none yet). */
	enum hk_rc (*schema_version)(struct hk_store *s, int *version,
				     struct hk_err *err);

	/* Transactions: begin takes the write lock at once. */
	/* A connection that serves many small random reads (the HTTP
	 * server's): map the file instead of reading pages through system
	 * calls.  Not for day-end, whose peak memory is measured. */
	enum hk_rc (*serve_reads)(struct hk_store *s, struct hk_err *err);
	/* Whether the connection may still be used: false once it is known
	 * broken (PostgreSQL: the server restarted or ended the session),
	 * when the caller closes it and opens another.  Never blocks; call
	 * it between units of work, not inside one.  NULL: always usable
	 * (SQLite: a file has no connection to lose). */
	bool (*alive)(struct hk_store *s);
	enum hk_rc (*begin)(struct hk_store *s, struct hk_err *err);
	enum hk_rc (*commit)(struct hk_store *s, struct hk_err *err);
	enum hk_rc (*rollback)(struct hk_store *s);

	/* Small settings: key → text.  *found=false when absent. */
	enum hk_rc (*meta_get)(struct hk_store *s, const char *key, char *buf,
			       size_t cap, bool *found, struct hk_err *err);
	enum hk_rc (*meta_set)(struct hk_store *s, const char *key,
			       const char *value, struct hk_err *err);

	/* ---- import ---- */
	enum hk_rc (*lookup)(struct hk_store *s, int kind /* hk_id_kind */,
			     const char *id, struct hk_found *out,
			     struct hk_err *err);
	enum hk_rc (*insert_debtor)(struct hk_store *s,
				    const struct hk_debtor_rec *rec,
				    struct hk_err *err);
	enum hk_rc (*insert_contact)(struct hk_store *s,
				     const struct hk_contact_rec *rec,
				     struct hk_err *err);
	/* Creates the case (debtor, creditor) when it is new. */
	enum hk_rc (*insert_account)(struct hk_store *s,
				     const struct hk_account_rec *rec,
				     struct hk_err *err);
	enum hk_rc (*insert_installment)(struct hk_store *s,
					 const struct hk_installment_rec *rec,
					 struct hk_err *err);
	enum hk_rc (*insert_payment)(struct hk_store *s,
				     const struct hk_payment_rec *rec,
				     struct hk_err *err);
	enum hk_rc (*insert_waiver)(struct hk_store *s,
				    const struct hk_waiver_rec *rec,
				    struct hk_err *err);
	enum hk_rc (*insert_promise)(struct hk_store *s,
				     const struct hk_promise_rec *rec,
				     struct hk_err *err);
	/* The ref of case (debtor, creditor); 0 when none. */
	enum hk_rc (*case_find)(struct hk_store *s, int64_t debtor_ref,
				const char *creditor, int64_t *case_ref,
				struct hk_err *err);
	/* lookup for n ids at once: out[i] for ids[i] (zeroed when absent).
	 * NULL: the caller looks them up one by one (hk_store_lookup_many). */
	enum hk_rc (*lookup_many)(struct hk_store *s, int kind,
				  const char *const *ids, size_t n,
				  struct hk_found *out, struct hk_err *err);

	/* ---- bulk writing ---- */
	/* Inside a transaction, between bulk_begin and bulk_end, the
	 * backend may hold back the import's insert_* (but insert_waiver)
	 * and day-end's installments_save, state_save and transition_record
	 * and write them together at bulk_end (PostgreSQL: COPY, a round
	 * trip per table instead of one or more per row).  Until bulk_end
	 * the caller must not read what it wrote, and it gives an account at
	 * most one state_save and one transition_record, an installment one
	 * installments_save.  Refs are assigned in the order of the calls,
	 * as without.  A rollback drops what is held.  NULL (SQLite, whose
	 * writes are in-process): every write goes through at once; callers
	 * use hk_store_bulk_begin/end. */
	enum hk_rc (*bulk_begin)(struct hk_store *s, struct hk_err *err);
	enum hk_rc (*bulk_end)(struct hk_store *s, struct hk_err *err);

	/* ---- day-end ---- */
	/* Largest account ref (0 when there are no accounts). */
	enum hk_rc (*account_max_ref)(struct hk_store *s, int64_t *max_ref,
				      struct hk_err *err);
	/* Accounts with lo <= ref <= hi, in ref order.  Accounts day-end has
	 * seen come lean (hk_acct_row.lean): the 1M-row daily read fetches
	 * only the window, the first unpaid due date and the amounts the day's
	 * totals need. */
	enum hk_rc (*accounts_scan)(struct hk_store *s, int64_t lo, int64_t hi,
				    hk_acct_fn fn, void *ctx,
				    struct hk_err *err);
	/* One whole account row (*found=false when there is none). */
	enum hk_rc (*account_get)(struct hk_store *s, int64_t ref,
				  struct hk_acct_row *row, bool *found,
				  struct hk_err *err);
	/* Facts day-end has not booked yet, of every account: payments and
	 * waivers dated <= as_of, and one SCHEDULE row per account with new
	 * installments.  In no particular order. */
	enum hk_rc (*facts_scan)(struct hk_store *s, int32_t as_of,
				 hk_fact_fn fn, void *ctx, struct hk_err *err);
	/* One account's installments in seq order, schedule and stored state. */
	enum hk_rc (*installments_load)(struct hk_store *s, int64_t account_ref,
					hk_inst_fn fn, void *ctx,
					struct hk_err *err);
	/* One account's payments and waivers dated after `after` and <= to,
	 * booked or not, in hk_event_cmp order. */
	enum hk_rc (*events_load)(struct hk_store *s, int64_t account_ref,
				  int32_t after, int32_t to, hk_event_fn fn,
				  void *ctx, struct hk_err *err);
	/* Store an account's installments' state (schedule unchanged). */
	enum hk_rc (*installments_save)(struct hk_store *s, int64_t account_ref,
					const struct hk_inst *inst, size_t n,
					struct hk_err *err);
	/* Store an account's summary (with its terms, from `row`), and
	 * move the figures kept on its case (store README) by the change. */
	enum hk_rc (*state_save)(struct hk_store *s,
				 const struct hk_acct_row *row,
				 const struct hk_summary *summary,
				 struct hk_err *err);
	/* Mark every fact facts_scan(as_of) returned as booked; later-dated
	 * ones stay pending for the day-end of their date. */
	enum hk_rc (*facts_mark_booked)(struct hk_store *s, int32_t as_of,
					struct hk_err *err);
	/* Record that an account moved between buckets on `as_of`.  A second
	 * record for the same day keeps the first `from`; one that ends where
	 * it started is removed. */
	enum hk_rc (*transition_record)(struct hk_store *s, int64_t account_ref,
					int32_t as_of, const char *from,
					const char *to, struct hk_err *err);
	/* Replace the day's per-bucket totals. */
	enum hk_rc (*day_totals_save)(struct hk_store *s, int32_t as_of,
				      const struct hk_bucket_table *buckets,
				      const struct hk_bucket_totals *totals,
				      struct hk_err *err);
	/* With what was paid in their windows, the promises made on or
	 * before as_of whose status can change: pending ones never looked at
	 * or past their date, and any not kept whose case has a payment not
	 * yet booked (call before facts_mark_booked). */
	enum hk_rc (*promises_scan)(struct hk_store *s, int32_t as_of,
				    hk_promise_fn fn, void *ctx,
				    struct hk_err *err);
	enum hk_rc (*promise_set_status)(struct hk_store *s, int64_t ref,
					 int status, int32_t as_of,
					 struct hk_err *err);
	/* ---- people and access ---- */
	enum hk_rc (*user_count)(struct hk_store *s, int64_t *count,
				 struct hk_err *err);
	/* Insert a user (ref is assigned into u->ref); HK_EREFUSED when the
	 * username is taken. */
	enum hk_rc (*user_create)(struct hk_store *s, struct hk_user *u,
				  int64_t now, struct hk_err *err);
	/* By username (ref 0) or by ref; *found=false when there is none. */
	enum hk_rc (*user_get)(struct hk_store *s, const char *username,
			       int64_t ref, struct hk_user *out, bool *found,
			       struct hk_err *err);
	/* Record a log-in attempt's outcome: failed count and lock. */
	enum hk_rc (*user_set_login_state)(struct hk_store *s, int64_t ref,
					   int failed_logins,
					   int64_t locked_until,
					   struct hk_err *err);
	enum hk_rc (*user_set_password)(struct hk_store *s, int64_t ref,
					const char *password_hash,
					bool must_change, struct hk_err *err);
	enum hk_rc (*session_create)(struct hk_store *s, const char *token_hash,
				     const struct hk_session *session,
				     int64_t now, struct hk_err *err);
	/* A session that has not expired by `now`; *found=false otherwise. */
	enum hk_rc (*session_get)(struct hk_store *s, const char *token_hash,
				  int64_t now, struct hk_session *out,
				  bool *found, struct hk_err *err);
	enum hk_rc (*session_delete)(struct hk_store *s, const char *token_hash,
				     struct hk_err *err);
	/* Log every session of a user out (after a password change). */
	enum hk_rc (*sessions_delete_user)(struct hk_store *s, int64_t user_ref,
					   struct hk_err *err);

	/* The hash of the last audit record ("" when none), to chain the
	 * next one.  Call inside the write transaction that appends. */
	enum hk_rc (*audit_last_hash)(struct hk_store *s, char out[65],
				      struct hk_err *err);
	enum hk_rc (*audit_append)(struct hk_store *s,
				   const struct hk_audit_rec *rec,
				   struct hk_err *err);
	/* Every audit record in order. */
	enum hk_rc (*audit_scan)(struct hk_store *s, hk_audit_fn fn, void *ctx,
				 struct hk_err *err);
	/* Users, by username. */
	enum hk_rc (*users_scan)(struct hk_store *s,
				 int (*fn)(void *ctx, const struct hk_user *u),
				 void *ctx, struct hk_err *err);

	/* A team; its ref into *ref.  HK_EREFUSED when the name is taken. */
	enum hk_rc (*team_create)(struct hk_store *s, const char *name,
				  int64_t *ref, struct hk_err *err);
	/* Teams, by name. */
	enum hk_rc (*teams_scan)(struct hk_store *s,
				 int (*fn)(void *ctx, int64_t ref,
					   const char *name),
				 void *ctx, struct hk_err *err);
	/* Change a user's display name, team, agency and whether active. */
	enum hk_rc (*user_update)(struct hk_store *s, const struct hk_user *u,
				  struct hk_err *err);
	/* An agency; its ref into *ref.  HK_EREFUSED when the name is taken. */
	enum hk_rc (*agency_create)(struct hk_store *s, const char *name,
				    int64_t at, int64_t *ref,
				    struct hk_err *err);
	enum hk_rc (*agencies_scan)(struct hk_store *s,
				    int (*fn)(void *ctx, int64_t ref,
					      const char *name),
				    void *ctx, struct hk_err *err);
	/* Place a case with an agency until a date.  HK_EREFUSED when it is
	 * placed already. */
	enum hk_rc (*case_place)(struct hk_store *s, int64_t case_ref,
				 int64_t agency_ref, int64_t contract_ref,
				 int64_t user_ref, int64_t at, int32_t until,
				 const char *reason, struct hk_err *err);
	enum hk_rc (*contract_create)(struct hk_store *s,
				      const struct hk_contract *c,
				      int64_t user_ref, int64_t at, int64_t *ref,
				      struct hk_err *err);
	/* An agency's contracts, newest start first. */
	enum hk_rc (*contracts_of_agency)(
		struct hk_store *s, int64_t agency_ref,
		int (*fn)(void *ctx, const struct hk_contract *c), void *ctx,
		struct hk_err *err);
	/* An agency's review date (HK_DATE_NONE: none); set it. */
	enum hk_rc (*agency_review_get)(struct hk_store *s, int64_t agency_ref,
					int32_t *next_review, bool *found,
					struct hk_err *err);
	enum hk_rc (*agency_review_set)(struct hk_store *s, int64_t agency_ref,
					int32_t next_review, struct hk_err *err);
	/* Day-end: recall every placement whose until is before as_of;
	 * *recalled counts them. */
	enum hk_rc (*placements_expire)(struct hk_store *s, int32_t as_of,
					int64_t at, int *recalled,
					struct hk_err *err);
	/* The placements of an agency overlapping [from, to], with what was
	 * paid on each case within its window and the period. */
	enum hk_rc (*agency_statement)(
		struct hk_store *s, int64_t agency_ref, int32_t from, int32_t to,
		int (*fn)(void *ctx, const struct hk_statement_row *r),
		void *ctx, struct hk_err *err);
	/* End a case's open placement.  HK_EREFUSED when it has none. */
	enum hk_rc (*case_recall)(struct hk_store *s, int64_t case_ref,
				  int64_t user_ref, int64_t at,
				  const char *reason, struct hk_err *err);
	/* ---- strategies ---- */
	enum hk_rc (*strategy_insert)(struct hk_store *s, const char *name,
				      const char *body, int64_t user_ref,
				      int64_t at, bool published, int64_t *ref,
				      struct hk_err *err);
	/* Replace a draft's body; HK_EREFUSED when it is published. */
	enum hk_rc (*strategy_update)(struct hk_store *s, int64_t ref,
				      const char *name, const char *body,
				      struct hk_err *err);
	/* Publish a draft; HK_EREFUSED when it is published already. */
	enum hk_rc (*strategy_publish)(struct hk_store *s, int64_t ref,
				       int64_t user_ref, int64_t at,
				       struct hk_err *err);
	/* Versions, newest first (with bodies when with_body); ref > 0: that
	 * one only. */
	enum hk_rc (*strategies_scan)(
		struct hk_store *s, int64_t ref, bool with_body,
		int (*fn)(void *ctx, const struct hk_strategy_version *v),
		void *ctx, struct hk_err *err);

	/* Cases' facts as of `as_of`: every case (by case ref), or (changed)
	 * those marked changed since the last day-end and those whose
	 * treatment's recheck date is on or before as_of.  The facts that
	 * cost a look elsewhere are read only as `need` says; the others are
	 * as if none (the debtor's: "", no ID number). */
	enum hk_rc (*case_facts_scan)(
		struct hk_store *s, int32_t as_of, bool changed,
		const struct hk_fact_need *need,
		int (*fn)(void *ctx, const struct hk_case_fact_row *r),
		void *ctx, struct hk_err *err);
	/* ---- day-end's strategy and allocation (src/batch/treat.c) ---- */
	/* Write a case's new treatment and its history row as of t->since;
	 * rerun: the date was processed before, replace its row. */
	enum hk_rc (*treatment_save)(struct hk_store *s,
				     const struct hk_treatment_rec *t,
				     bool rerun, struct hk_err *err);
	/* A case's treatment; *found false when it has none. */
	enum hk_rc (*treatment_get)(struct hk_store *s, int64_t case_ref,
				    struct hk_treatment_rec *t, bool *found,
				    struct hk_err *err);
	/* Only a treatment's recheck date. */
	enum hk_rc (*treatment_recheck)(struct hk_store *s, int64_t case_ref,
					int32_t recheck_on, struct hk_err *err);
	/* A case that ended has no treatment from `on`. */
	enum hk_rc (*treatment_clear)(struct hk_store *s, int64_t case_ref,
				      int32_t on, bool rerun, struct hk_err *err);
	/* Mark cases changed for this transaction's case_facts_scan (refs
	 * sorted, may repeat): day-end, for the cases whose accounts' states
	 * it wrote; kept in memory, not in case_dirty.  Call it (with n 0 if
	 * need be) before a scan of the changed cases. */
	enum hk_rc (*cases_mark_changed)(struct hk_store *s,
					 const int64_t *refs, size_t n,
					 struct hk_err *err);
	/* Forget the changed marks: day-end has looked at every case. */
	enum hk_rc (*case_changes_clear)(struct hk_store *s, struct hk_err *err);
	/* Collectors by ref; with_loads: with their overdue cases and total
	 * overdue as of as_of (else zero). */
	enum hk_rc (*collectors_scan)(
		struct hk_store *s, int32_t as_of, bool with_loads,
		int (*fn)(void *ctx, const struct hk_collector_row *r),
		void *ctx, struct hk_err *err);
	/* Move a case to a collector and team, with its history row. */
	enum hk_rc (*case_allocate)(struct hk_store *s,
				    const struct hk_allocation_rec *a,
				    struct hk_err *err);

	/* ---- compliance guardrails ---- */
	/* Counts around a contact to the debtor now (contact_id may be
	 * NULL): records since day_start, calls since week_start. */
	enum hk_rc (*contact_counts)(struct hk_store *s, int64_t debtor_ref,
				     const char *contact_id, int64_t day_start,
				     int64_t week_start,
				     struct hk_contact_counts *out,
				     struct hk_err *err);
	/* A contact's request not to be called again; *found=false when the
	 * debtor has no such contact. */
	enum hk_rc (*contact_stop)(struct hk_store *s, int64_t debtor_ref,
				   const char *contact_id, int64_t at,
				   const char *reason, bool *found,
				   struct hk_err *err);
	enum hk_rc (*stop_add)(struct hk_store *s, const struct hk_stop *stop,
			       int64_t *ref, struct hk_err *err);
	/* Lift an open stop; HK_EREFUSED when it is not open, *debtor_ref 0
	 * when there is no such stop. */
	enum hk_rc (*stop_lift)(struct hk_store *s, int64_t ref, int64_t user_ref,
				int64_t at, const char *reason,
				int64_t *debtor_ref, struct hk_err *err);
	/* A debtor's stops, oldest first; open ones only if open_only. */
	enum hk_rc (*stops_of_debtor)(
		struct hk_store *s, int64_t debtor_ref, bool open_only,
		int (*fn)(void *ctx, const struct hk_stop *stop), void *ctx,
		struct hk_err *err);
	/* Per account of the case, what its limitation period runs from. */
	enum hk_rc (*case_limitation)(
		struct hk_store *s, int64_t case_ref,
		int (*fn)(void *ctx, const struct hk_limitation_row *r),
		void *ctx, struct hk_err *err);
	/* Everything that happened on a case, newest first: contact
	 * records, status changes, promises, payments, waiver requests and
	 * decisions, disputes, plans, placements (when with_placements). */
	enum hk_rc (*case_timeline)(
		struct hk_store *s, int64_t case_ref, bool with_placements,
		int (*fn)(void *ctx, const struct hk_timeline_row *r), void *ctx,
		struct hk_err *err);
	/* A case's placements, oldest first. */
	enum hk_rc (*placements_of_case)(
		struct hk_store *s, int64_t case_ref,
		int (*fn)(void *ctx, const struct hk_placement *p), void *ctx,
		struct hk_err *err);
	/* Hand every case to collectors[i] of team teams[i], i = case ref
	 * mod n (a first allocation; the strategy issue does it properly). */
	enum hk_rc (*cases_spread)(struct hk_store *s, const int64_t *collectors,
				   const int64_t *teams, size_t n,
				   struct hk_err *err);

	/* A payment by payment_id, as imported or posted. */
	enum hk_rc (*payment_get)(struct hk_store *s, const char *payment_id,
				  int64_t *account_ref, int32_t *paid_on,
				  int64_t *amount, char channel[32],
				  char reference[129], bool *found,
				  struct hk_err *err);

	/* Move a case from status `from` to `to` and record why.  HK_EREFUSED
	 * when its status is no longer `from` (someone else moved it first:
	 * no lost update). */
	enum hk_rc (*case_set_status)(struct hk_store *s, int64_t case_ref,
				      const char *from, const char *to,
				      int64_t user_ref, const char *reason,
				      int64_t at, struct hk_err *err);
	/* A case's status changes, oldest first. */
	enum hk_rc (*case_status_history)(
		struct hk_store *s, int64_t case_ref,
		int (*fn)(void *ctx, int64_t at, int64_t user_ref,
			  const char *from, const char *to, const char *reason),
		void *ctx, struct hk_err *err);

	/* Skip tracing: a new contact detail for a debtor, with its source. */
	enum hk_rc (*contact_add)(struct hk_store *s,
				  const struct hk_contact_rec *rec,
				  const char *source, struct hk_err *err);
	/* Set a contact's validity and refresh the lost-contact flag of the
	 * debtor's cases; *found=false when the debtor has no such contact. */
	enum hk_rc (*contact_set_validity)(struct hk_store *s,
					   int64_t debtor_ref,
					   const char *contact_id,
					   const char *validity, bool *found,
					   bool *lost, struct hk_err *err);

	/* Disputes (异议). */
	enum hk_rc (*dispute_open)(struct hk_store *s, int64_t case_ref,
				   int64_t user_ref, const char *reason,
				   int64_t at, int64_t *ref, struct hk_err *err);
	enum hk_rc (*dispute_file_add)(struct hk_store *s, int64_t dispute_ref,
				       const char *name, const char *sha256,
				       int64_t size, struct hk_err *err);
	/* The open dispute of a case (*ref = 0 when none). */
	enum hk_rc (*dispute_open_of)(struct hk_store *s, int64_t case_ref,
				      int64_t *ref, struct hk_err *err);
	/* A dispute's case and status; *case_ref = 0 when there is none. */
	enum hk_rc (*dispute_get)(struct hk_store *s, int64_t ref,
				  int64_t *case_ref, char status[16],
				  struct hk_err *err);
	/* Resolve an open dispute; HK_EREFUSED when it is not open. */
	enum hk_rc (*dispute_resolve)(struct hk_store *s, int64_t ref,
				      int64_t user_ref, const char *resolution,
				      int64_t at, struct hk_err *err);
	/* File n (1-based) of a dispute; *found=false when none. */
	enum hk_rc (*dispute_file_get)(struct hk_store *s, int64_t dispute_ref,
				       int n, char name[129], char sha256[65],
				       int64_t *size, bool *found,
				       struct hk_err *err);

	/* Repayment plans (分期协商). */
	enum hk_rc (*plan_insert)(struct hk_store *s, int64_t case_ref,
				  int64_t user_ref, int32_t starts_on,
				  const char *note, const int32_t *due,
				  const int64_t *amount, size_t n, int64_t at,
				  int64_t *ref, struct hk_err *err);
	/* Decide a proposed plan; HK_EREFUSED when it is not proposed. */
	enum hk_rc (*plan_decide)(struct hk_store *s, int64_t ref,
				  const char *status, int64_t user_ref,
				  int64_t at, struct hk_err *err);
	/* A plan's case (0 when none). */
	enum hk_rc (*plan_case)(struct hk_store *s, int64_t ref,
				int64_t *case_ref, struct hk_err *err);
	/* Every plan of a case with its installments: fn is called once per
	 * installment, in plan then seq order. */
	enum hk_rc (*plans_of_case)(
		struct hk_store *s, int64_t case_ref,
		int (*fn)(void *ctx, int64_t plan_ref, const char *status,
			  int32_t starts_on, int seq, int32_t due,
			  int64_t amount),
		void *ctx, struct hk_err *err);
	/* Payments to a case's accounts dated in [from, to]. */
	enum hk_rc (*case_paid_between)(struct hk_store *s, int64_t case_ref,
					int32_t from, int32_t to, int64_t *sum,
					struct hk_err *err);

	/* Waiver requests (减免申请). */
	enum hk_rc (*waiver_request_insert)(struct hk_store *s,
					    struct hk_waiver_request *w,
					    struct hk_err *err);
	enum hk_rc (*waiver_request_get)(struct hk_store *s, int64_t ref,
					 struct hk_waiver_request *w,
					 bool *found, struct hk_err *err);
	/* Decide a pending request; HK_EREFUSED when it is no longer
	 * pending (decided by someone else first). */
	enum hk_rc (*waiver_request_decide)(struct hk_store *s, int64_t ref,
					    const char *status,
					    int64_t user_ref, const char *note,
					    int64_t at, struct hk_err *err);
	enum hk_rc (*waiver_requests_list)(
		struct hk_store *s, int64_t case_ref,
		int (*fn)(void *ctx, const struct hk_waiver_request *w),
		void *ctx, struct hk_err *err);
	/* Talk scripts whose title, objection or body holds `q` (NULL or
	 * "": all), by title; ref > 0: that one only. */
	enum hk_rc (*scripts_scan)(struct hk_store *s, const char *q,
				   int64_t ref,
				   int (*fn)(void *ctx, const struct hk_script *sc),
				   void *ctx, struct hk_err *err);
	/* Insert (sc->ref 0: *ref gets the new one) or replace a script;
	 * HK_ENOTFOUND when replacing one that is not there. */
	enum hk_rc (*script_save)(struct hk_store *s, const struct hk_script *sc,
				  int64_t *ref, struct hk_err *err);
	/* The queue's counts in a scope (GET /api/queue/counts): cases with
	 * a broken promise, with a pending promise due by `today`, with a
	 * follow-up due by `today`, and overdue (a case may be in several). */
	enum hk_rc (*queue_counts)(struct hk_store *s, const struct hk_scope *sc,
				   int32_t today, int64_t counts[4],
				   struct hk_err *err);
	/* ---- the dashboard (GET /api/dashboard) ---- */
	/* The overdue cases of a scope: each one's oldest unpaid due date
	 * and its total overdue as of as_of. */
	enum hk_rc (*overdue_scan)(struct hk_store *s, const struct hk_scope *sc,
				   int32_t as_of, const struct hk_dash_filter *df,
				   int (*fn)(void *ctx, int32_t overdue_since,
					     int64_t due),
				   void *ctx, struct hk_err *err);
	/* Per processed date in [from, to]: accounts overdue (bucket beyond
	 * the first) and their total overdue, from day_totals. */
	enum hk_rc (*overdue_trend)(struct hk_store *s, int32_t from, int32_t to,
				    int (*fn)(void *ctx, int32_t date,
					      int64_t accounts, int64_t due),
				    void *ctx, struct hk_err *err);
	/* Promises made in [from, to] in a scope, by status
	 * (enum hk_promise_status). */
	enum hk_rc (*promise_counts)(struct hk_store *s,
				     const struct hk_scope *sc, int32_t from,
				     int32_t to, const struct hk_dash_filter *df,
				     int64_t counts[3], struct hk_err *err);
	/* The active collectors of a scope (all; a team's; the collector
	 * alone; an agency's) with their figures as of as_of and today. */
	enum hk_rc (*collector_figures)(
		struct hk_store *s, const struct hk_scope *sc, int32_t as_of,
		int64_t day_start, int32_t today,
		int (*fn)(void *ctx, const struct hk_collector_figures *f),
		void *ctx, struct hk_err *err);
	/* The recoveries: payments dated in [from, to] on the cases of a
	 * scope (df narrows by creditor and product) whose account stood in
	 * a bucket other than `first` before the payment's day (its last
	 * bucket transition before it; none: `first`), summed per day and
	 * per the case's collector (0: none) today: fn once per (date,
	 * collector) with the count and the amount. */
	enum hk_rc (*recovery_scan)(
		struct hk_store *s, const struct hk_scope *sc, int32_t from,
		int32_t to, const struct hk_dash_filter *df, const char *first,
		int (*fn)(void *ctx, int32_t date, int64_t collector_ref,
			  int64_t payments, int64_t amount),
		void *ctx, struct hk_err *err);
	/* The promises made in [from, to] in a scope, per user who took
	 * them (none recorded: the case's collector) and status (enum
	 * hk_promise_status), with the amounts. */
	enum hk_rc (*promise_takers)(
		struct hk_store *s, const struct hk_scope *sc, int32_t from,
		int32_t to, const struct hk_dash_filter *df,
		int (*fn)(void *ctx, int64_t user_ref, int status,
			  int64_t promises, int64_t amount),
		void *ctx, struct hk_err *err);
	/* The accounts of a scope by their bucket as of `date`, a processed
	 * date: the whole portfolio (sc->all, df empty) from that day's
	 * totals; narrowed, each account of the scope today by its last
	 * bucket transition on or before the date (none: the first bucket,
	 * given as `first`).  fn once per bucket name. */
	enum hk_rc (*bucket_census)(
		struct hk_store *s, const struct hk_scope *sc,
		const struct hk_dash_filter *df, int32_t date,
		const char *first,
		int (*fn)(void *ctx, const char *bucket, int64_t accounts),
		void *ctx, struct hk_err *err);
	/* The accounts of a scope that changed bucket in (from, to]: fn
	 * once per account (accounts = 1) with its bucket at `from` (its
	 * first transition's origin) and at `to` (its last transition's
	 * destination); the two are equal for one that went and came back. */
	enum hk_rc (*bucket_moves)(
		struct hk_store *s, const struct hk_scope *sc,
		const struct hk_dash_filter *df, int32_t from, int32_t to,
		int (*fn)(void *ctx, const char *from_bucket,
			  const char *to_bucket, int64_t accounts),
		void *ctx, struct hk_err *err);
	/* The processed dates (day_totals) that end a month: for each
	 * calendar month up to `to`, its last processed date, newest first,
	 * at most n of them.  Written to dates; *count says how many. */
	enum hk_rc (*month_ends)(struct hk_store *s, int32_t to, int n,
				 int32_t *dates, int *count,
				 struct hk_err *err);
	/* The approvals waiting in a scope, oldest first (at most 500 of
	 * each): pending waiver requests, and proposed plans with their
	 * installments' count and total. */
	enum hk_rc (*waiver_requests_pending)(
		struct hk_store *s, const struct hk_scope *sc,
		int (*fn)(void *ctx, const struct hk_waiver_request *w),
		void *ctx, struct hk_err *err);
	enum hk_rc (*plans_pending)(
		struct hk_store *s, const struct hk_scope *sc,
		int (*fn)(void *ctx, const struct hk_plan_pending *p),
		void *ctx, struct hk_err *err);

	/* ---- cases ---- */
	/* A case the scope allows; *found=false when there is none or the
	 * scope hides it (the two are never told apart). */
	enum hk_rc (*case_get)(struct hk_store *s, int64_t case_ref,
			       const struct hk_scope *scope,
			       struct hk_case_rec *out, bool *found,
			       struct hk_err *err);
	/* Cases in scope matching the filter, in the filter's order, at most
	 * filter->limit, with the figures day-end keeps on the case projected
	 * to as_of (the last day-end). */
	enum hk_rc (*cases_list)(struct hk_store *s, const struct hk_scope *scope,
				 const struct hk_case_filter *filter,
				 int32_t as_of,
				 int (*fn)(void *ctx, const struct hk_case_line *l),
				 void *ctx, struct hk_err *err);
	/* Insert a contact record (ref assigned into rec->ref). */
	enum hk_rc (*record_insert)(struct hk_store *s, struct hk_record *rec,
				    struct hk_err *err);
	/* A case's contact records, newest first. */
	enum hk_rc (*records_list)(struct hk_store *s, int64_t case_ref,
				   int (*fn)(void *ctx, const struct hk_record *r),
				   void *ctx, struct hk_err *err);
	/* Insert a promise taken by user_ref; its ref into *ref. */
	enum hk_rc (*promise_take)(struct hk_store *s,
				   const struct hk_promise_rec *rec,
				   int64_t user_ref, int64_t *ref,
				   struct hk_err *err);
	/* Is this contact one of the debtor's? */
	enum hk_rc (*contact_of_debtor)(struct hk_store *s, int64_t debtor_ref,
					const char *contact_id, bool *yes,
					struct hk_err *err);
	/* The case's accounts (whole rows, with account_id), by account_id. */
	enum hk_rc (*case_accounts)(struct hk_store *s, int64_t case_ref,
				    hk_acct_fn fn, void *ctx,
				    struct hk_err *err);
	enum hk_rc (*account_payments)(struct hk_store *s, int64_t account_ref,
				       int (*fn)(void *ctx,
						 const struct hk_payment_row *p),
				       void *ctx, struct hk_err *err);
	enum hk_rc (*debtor_contacts)(struct hk_store *s, int64_t debtor_ref,
				      int (*fn)(void *ctx,
						const struct hk_contact_row *c),
				      void *ctx, struct hk_err *err);
	enum hk_rc (*case_promises)(struct hk_store *s, int64_t case_ref,
				    int (*fn)(void *ctx,
					      const struct hk_promise_detail *p),
				    void *ctx, struct hk_err *err);

	/* Append a row to the log of day-end runs (with the time it ran). */
	enum hk_rc (*eod_run_record)(struct hk_store *s,
				     const struct hk_eod_run_rec *rec,
				     struct hk_err *err);
	/* Day-end workers' chunks: record one (inside the chunk's
	 * transaction), list a date's in order of lo, forget a date's. */
	enum hk_rc (*eod_part_save)(struct hk_store *s, int32_t as_of,
				    const struct hk_eod_part *part,
				    struct hk_err *err);
	enum hk_rc (*eod_parts_scan)(struct hk_store *s, int32_t as_of,
				     hk_eod_part_fn fn, void *ctx,
				     struct hk_err *err);
	enum hk_rc (*eod_parts_clear)(struct hk_store *s, int32_t as_of,
				      struct hk_err *err);

	/* ---- letters and messages (issue 7, docs/letters.md) ---- */
	/* A new draft: version = one more than the (code, channel)'s
	 * newest; t->ref and t->version are set. */
	enum hk_rc (*template_insert)(struct hk_store *s,
				      struct hk_template_rec *t,
				      struct hk_err *err);
	/* Replace a draft's name, audience, kind, days, subject and body;
	 * HK_EREFUSED if it is published, HK_ENOTFOUND if there is none. */
	enum hk_rc (*template_update)(struct hk_store *s,
				      const struct hk_template_rec *t,
				      struct hk_err *err);
	/* Publish a draft (HK_EREFUSED: not a draft; HK_ENOTFOUND). */
	enum hk_rc (*template_publish)(struct hk_store *s, int64_t ref,
				       int64_t by, int64_t at,
				       struct hk_err *err);
	/* By ref; or, ref 0, the newest published of (code, channel).
	 * Fills *t (subject, body: the caller's, hk_template_rec_clear). */
	enum hk_rc (*template_get)(struct hk_store *s, int64_t ref,
				   const char *code, const char *channel,
				   struct hk_template_rec *t, bool *found,
				   struct hk_err *err);
	/* Every version, by code, channel, newest version first. */
	enum hk_rc (*templates_scan)(struct hk_store *s,
				     int (*fn)(void *ctx,
					       const struct hk_template_rec *t),
				     void *ctx, struct hk_err *err);
	/* The next letter number of `year` ("HK-2026-000042"), taken for
	 * good (inside the write transaction that records the letter). */
	enum hk_rc (*letter_serial_next)(struct hk_store *s, int year,
					 char serial[32], struct hk_err *err);
	/* Record a letter (l->ref is set). */
	enum hk_rc (*letter_insert)(struct hk_store *s, struct hk_letter_rec *l,
				    struct hk_err *err);
	/* A case's letters, newest first; or ref != 0: that one letter. */
	enum hk_rc (*letters_scan)(struct hk_store *s, int64_t case_ref,
				   int64_t ref,
				   int (*fn)(void *ctx,
					     const struct hk_letter_rec *l),
				   void *ctx, struct hk_err *err);
	/* A new batch (b->ref set) with its cases in order. */
	enum hk_rc (*batch_insert)(struct hk_store *s, struct hk_batch_rec *b,
				   const struct hk_batch_case *cases, size_t n,
				   struct hk_err *err);
	/* Status, counts, files' SHA-256, error, finished_at of b->ref. */
	enum hk_rc (*batch_update)(struct hk_store *s,
				   const struct hk_batch_rec *b,
				   struct hk_err *err);
	/* One batch (ref) or every batch, newest first (ref 0). */
	enum hk_rc (*batches_scan)(struct hk_store *s, int64_t ref,
				   int (*fn)(void *ctx,
					     const struct hk_batch_rec *b),
				   void *ctx, struct hk_err *err);
	/* A batch's cases in order (all, written or not). */
	enum hk_rc (*batch_cases_scan)(struct hk_store *s, int64_t batch_ref,
				       int (*fn)(void *ctx,
						 const struct hk_batch_case *c),
				       void *ctx, struct hk_err *err);
	/* Mark a batch's case written (letter_ref) or skipped (why). */
	enum hk_rc (*batch_case_done)(struct hk_store *s, int64_t batch_ref,
				      int64_t seq, int64_t letter_ref,
				      const char *skipped, struct hk_err *err);
	/* Queue a message (m->ref set; m->msg_id is the caller's). */
	enum hk_rc (*outbox_insert)(struct hk_store *s,
				    struct hk_outbox_rec *m,
				    struct hk_err *err);
	/* Inside a write transaction: take up to max messages due at `now`
	 * (queued with next_at <= now, or sending with a lease run out),
	 * oldest first, and lease them to the caller until now + lease_s
	 * (status sending, attempts + 1); fn once per message taken. */
	enum hk_rc (*outbox_claim)(struct hk_store *s, int64_t now,
				   int lease_s, int max,
				   int (*fn)(void *ctx,
					     const struct hk_outbox_rec *m),
				   void *ctx, struct hk_err *err);
	/* What became of a message: status, provider_id, last_error, rule,
	 * next_at (a retry), sent_at; the lease ends. */
	enum hk_rc (*outbox_update)(struct hk_store *s,
				    const struct hk_outbox_rec *m,
				    struct hk_err *err);
	/* A delivery receipt for the message whose provider id (or msg_id)
	 * is `id`: recorded once per (message, status); a message not
	 * delivered yet becomes delivered / undelivered.  *found false: no
	 * such message; *dup true: that receipt was there already. */
	enum hk_rc (*outbox_receipt)(struct hk_store *s, const char *id,
				     const char *status, int64_t at,
				     bool *found, bool *dup,
				     struct hk_err *err);
	/* Messages newest first: of a case (case_ref != 0) or all, of a
	 * team's cases (team_ref != 0: a team leader's outbox) or any, with a
	 * status ("" any); keyset below `before` (0: from the newest). */
	enum hk_rc (*outbox_scan)(struct hk_store *s, int64_t case_ref,
				  int64_t team_ref, const char *status,
				  int64_t before, int limit,
				  int (*fn)(void *ctx,
					    const struct hk_outbox_rec *m),
				  void *ctx, struct hk_err *err);
	/* Messages to a debtor (any of the debtor's cases) on `channel`
	 * created at or after `since` and not refused or cancelled: the
	 * guardrails' daily count. */
	enum hk_rc (*outbox_count)(struct hk_store *s, int64_t debtor_ref,
				   const char *channel, int64_t since,
				   int64_t *n, struct hk_err *err);

	/* ---- the reports' history (issue 8; src/batch/report_snap.c) ---- */
	/* Set account_state.dims of the accounts of the cases marked in
	 * report_dirty and of every account still at 0, adding new
	 * combinations to report_dims; empties report_dirty.  *n: accounts
	 * set. */
	enum hk_rc (*report_dims_refresh)(struct hk_store *s, int64_t *n,
					  struct hk_err *err);
	enum hk_rc (*report_dims_scan)(struct hk_store *s,
				       int (*fn)(void *ctx,
						 const struct hk_rdims *d),
				       void *ctx, struct hk_err *err);
	/* Replace a date's aging (report_aging) and note the date in
	 * report_days (month_end: it stands for its month's end). */
	enum hk_rc (*report_aging_save)(struct hk_store *s, int32_t as_of,
					bool month_end,
					const struct hk_raging_row *rows,
					size_t n, struct hk_err *err);
	enum hk_rc (*report_aging_scan)(struct hk_store *s, int32_t as_of,
					int (*fn)(void *ctx,
						  const struct hk_raging_row *r),
					void *ctx, struct hk_err *err);
	/* The dates with a snapshot in [from, to], oldest first. */
	enum hk_rc (*report_days)(struct hk_store *s, int32_t from, int32_t to,
				  int (*fn)(void *ctx, int32_t day,
					    bool month_end),
				  void *ctx, struct hk_err *err);
	/* The payments the reports have not counted and dated up to as_of,
	 * with their accounts' combination: those after meta
	 * report_payment_ref and those deferred before; the ones dated after
	 * as_of are deferred (report_deferred).  Marks them counted: call in
	 * the transaction that adds them. */
	enum hk_rc (*report_payments_take)(struct hk_store *s, int32_t as_of,
					   int (*fn)(void *ctx,
						     const struct hk_rpayment *p),
					   void *ctx, struct hk_err *err);
	/* Add to report_recovery (cells summed). */
	enum hk_rc (*report_recovery_add)(struct hk_store *s,
					  const struct hk_rrecovery_row *rows,
					  size_t n, struct hk_err *err);
	/* Add each case's payments (count, amount) to its current stay in
	 * its treatment (the treatment_history row of case_treatment's
	 * since); cases without a treatment are left out. */
	enum hk_rc (*report_stints_add)(struct hk_store *s,
					const int64_t *case_refs,
					const int64_t *payments,
					const int64_t *amounts, size_t n,
					struct hk_err *err);
	/* The rows of report_recovery with paid_on in [from, to], in
	 * (paid_on, dims, bucket) order, as stored: the caller adds them
	 * up (one pass, no grouping in the database: a year is 2M rows). */
	enum hk_rc (*report_recovery_scan)(
		struct hk_store *s, int32_t from, int32_t to,
		int (*fn)(void *ctx, const struct hk_rrecovery_row *r),
		void *ctx, struct hk_err *err);
	/* The last month-end snapshot of every account (report_month_state)
	 * and its date (*month_end HK_DATE_NONE: none yet). */
	enum hk_rc (*report_month_scan)(struct hk_store *s, int32_t *month_end,
					int (*fn)(void *ctx,
						  const struct hk_rmonth_row *r),
					void *ctx, struct hk_err *err);
	/* Replace the month-end snapshot by these rows as of month_end, and
	 * that month-end's roll (report_roll); the rolls of earlier
	 * month-ends stay. */
	enum hk_rc (*report_month_save)(struct hk_store *s, int32_t month_end,
					const struct hk_rmonth_row *rows,
					size_t n,
					const struct hk_rroll_row *roll,
					size_t n_roll, struct hk_err *err);
	enum hk_rc (*report_roll_scan)(struct hk_store *s, int32_t month_end,
				       int (*fn)(void *ctx,
						 const struct hk_rroll_row *r),
				       void *ctx, struct hk_err *err);
	/* The contact records (and guardrail refusals in the audit log)
	 * the reports have not counted, oldest first; marks them counted
	 * (meta report_record_ref, report_audit_ref).  detail: the audit
	 * row's JSON. */
	enum hk_rc (*report_records_take)(
		struct hk_store *s,
		int (*fn)(void *ctx, int64_t at, int64_t user_ref,
			  const char *channel, const char *outcome),
		void *ctx, struct hk_err *err);
	enum hk_rc (*report_refusals_take)(
		struct hk_store *s,
		int (*fn)(void *ctx, int64_t at, int64_t user_ref,
			  const char *detail),
		void *ctx, struct hk_err *err);
	/* Add to report_activity / report_refusals (cells summed). */
	enum hk_rc (*report_activity_add)(struct hk_store *s,
					  const struct hk_ractivity_row *rows,
					  size_t n, struct hk_err *err);
	enum hk_rc (*report_refusals_add)(struct hk_store *s,
					  const struct hk_rrefusal_row *rows,
					  size_t n, struct hk_err *err);
	/* Sums over days in [from, to] per person, channel and outcome /
	 * per person and rule (day HK_DATE_NONE in the rows). */
	enum hk_rc (*report_activity_sum)(
		struct hk_store *s, int32_t from, int32_t to,
		int (*fn)(void *ctx, const struct hk_ractivity_row *r),
		void *ctx, struct hk_err *err);
	enum hk_rc (*report_refusals_sum)(
		struct hk_store *s, int32_t from, int32_t to,
		int (*fn)(void *ctx, const struct hk_rrefusal_row *r),
		void *ctx, struct hk_err *err);
	/* The stays that began in [from, to] in a strategy version's rule. */
	enum hk_rc (*report_stints_scan)(
		struct hk_store *s, int64_t strategy_ref, int rule_no,
		int32_t from, int32_t to,
		int (*fn)(void *ctx, const struct hk_rstint_row *r),
		void *ctx, struct hk_err *err);

	/* ---- export ---- */
	/* Every account in account_id byte order (refs in the row). */
	enum hk_rc (*accounts_scan_by_id)(struct hk_store *s, hk_acct_fn fn,
					  void *ctx, struct hk_err *err);
};

struct hk_store {
	const struct hk_store_ops *ops;
	enum hk_lang lang; /* language of error messages */
	/* A day-end worker's connection: its writes touch only its own
	 * accounts, so on PostgreSQL such writers share the writers' lock
	 * among themselves (all other writers still take it alone). */
	bool batch_writer;
};

/*
 * Open the store named by `uri`: a file path (SQLite) or postgresql://…
 * (PostgreSQL; HK_EUSAGE while that backend is incomplete, unless
 * $HUIKUAN_PG_PARTIAL is set).  The caller frees
 * it with hk_store_close().  Does not create the schema: see migrate.
 */
enum hk_rc hk_store_open(const char *uri, enum hk_lang lang,
			 struct hk_store **out /* OUT */, struct hk_err *err);
void hk_store_close(struct hk_store *s);

/* The SQLite backend (store_sqlite.c).  `path` is created if missing. */
enum hk_rc hk_store_sqlite_open(const char *path, enum hk_lang lang,
				struct hk_store **out /* OUT */,
				struct hk_err *err);
/* The PostgreSQL backend (a libpq connection string or postgresql:// URI). */
enum hk_rc hk_store_pg_open(const char *uri, enum hk_lang lang,
			    struct hk_store **out, struct hk_err *err);

/* Meta keys. */
#define HK_META_LAST_EOD "last_eod"
/* the date of a day-end across workers begun and not yet closed */
#define HK_META_EOD_PENDING "eod_pending"

/* ops->lookup_many, or lookup once per id where a backend has none. */
enum hk_rc hk_store_lookup_many(struct hk_store *s, int kind,
				const char *const *ids, size_t n,
				struct hk_found *out, struct hk_err *err);
/* ops->bulk_begin/bulk_end where the backend has them; else nothing. */
enum hk_rc hk_store_bulk_begin(struct hk_store *s, struct hk_err *err);
enum hk_rc hk_store_bulk_end(struct hk_store *s, struct hk_err *err);

/* Read a date from meta; *date = HK_DATE_NONE when absent. */
enum hk_rc hk_store_meta_date(struct hk_store *s, const char *key,
			      int32_t *date /* OUT */, struct hk_err *err);

#endif
