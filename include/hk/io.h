/*
 * io.h - files in and out: CSV import (ledger.md §2), the account export
 * (ledger.md §4), the demo portfolio generator, and configuration loading.
 */
#ifndef HK_IO_H
#define HK_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hk/channel.h"
#include "hk/ledger.h"
#include "hk/rc.h"
#include "hk/store.h"

/* ---- configuration (config.c) --------------------------------------- */

/* The collection workflow's limits ([workflow] in the configuration). */
struct hk_workflow_config {
	int promise_horizon_days; /* a promise falls due within this (30) */
	/* Waiver approval limits, as a share of the account's total overdue
	 * and an amount; the lower binds.  max -1: no amount limit. */
	int32_t leader_share_ppm;  /* 10% */
	int64_t leader_max_fen;    /* 2,000.00 yuan */
	int32_t manager_share_ppm; /* 30% */
	int64_t manager_max_fen;   /* none */
};

/* The compliance guardrails' values ([compliance], docs/compliance.md).
 * `profile` sets them all at once: "cn" (the default: GB/T 45251-2025 and
 * the CBA 2026 guideline) or "us" (Regulation F); keys after it override
 * single values.  0 means "no limit" for the counts. */
struct hk_compliance_config {
	char profile[8];
	int quiet_start, quiet_end;     /* minutes after midnight: no contact
					 * from start to end (22:00-08:00) */
	int max_conversations_per_day;  /* with the debtor, every user and
					 * agency together (3) */
	int max_attempts_per_number_per_day; /* unanswered (6) */
	int max_calls_per_7_days;       /* US: 7 */
	int quiet_days_after_conversation; /* US: 7 */
	int limitation_years;           /* 3 (Civil Code art. 188) */
	int max_messages_per_day;       /* SMS and emails to a debtor (3) */
	char lexicon[512];              /* a lexicon file; "": the built-in */
};

/* A creditor as letters name it ([creditor.<id>]). */
struct hk_creditor_config {
	char id[65];        /* as in the accounts file */
	char name[129], phone[32], address[257], website[129];
	char contract[129]; /* what the debt rests on: 《信用卡领用合约》 */
};

#define HK_MAX_CREDITORS 32

/* [letters]: the letterhead, defaults for creditors, the law firm. */
struct hk_letters_config {
	char org[128], org_line[256];
	char phone[32];          /* a creditor's phone when it has none */
	char callback_phone[32]; /* third parties are asked to pass it on */
	char lawyer_firm[129], lawyer_name[65], lawyer_license[65];
	char lawyer_address[257], lawyer_phone[32];
	struct hk_creditor_config creditors[HK_MAX_CREDITORS];
	int n_creditors;
};

/* [outbox]: how messages are retried. */
struct hk_outbox_config {
	int max_attempts; /* then failed (8) */
	int backoff_s;    /* first retry after this, doubling (60) */
	int lease_s;      /* a sender's hold on a message (120) */
};

/* Everything configurable about the ledger, day-end and the workflow. */
struct hk_config {
	struct hk_policy policy[HK_PRODUCT_COUNT]; /* per product */
	struct hk_bucket_table buckets;
	char time_zone[64]; /* IANA name, default Asia/Shanghai */
	struct hk_workflow_config workflow;
	struct hk_compliance_config compliance;
	struct hk_letters_config letters;
	struct hk_smtp_config email;  /* [email]; url "": no email */
	struct hk_sms_config sms;     /* [sms]; url "": no SMS */
	struct hk_outbox_config outbox;
	/* [files] dir: evidence, letters and batches, by SHA-256 ("": beside
	 * the SQLite file, DB.files; ./huikuan-files for PostgreSQL) */
	char files_dir[512];
};

/* The folder of stored files for `db_uri` under `cfg` (see files_dir). */
void hk_files_dir(const struct hk_config *cfg, const char *db_uri, char *out,
		  size_t cap);
/* The creditor `id` as letters name it: its [creditor.<id>] section, or
 * its id with the [letters] phone. */
void hk_creditor_of(const struct hk_config *cfg, const char *id,
		    struct hk_creditor_config *out /* OUT */);

/* Set `c` to a named profile's values ("cn" or "us"); false if unknown. */
bool hk_compliance_profile(struct hk_compliance_config *c, const char *name);

/* The documented defaults (docs/configuration.md). */
void hk_config_default(struct hk_config *cfg /* OUT */);
/*
 * Load `path` (INI; NULL: $HUIKUAN_CONFIG, or none) over the defaults, then
 * apply environment overrides (HUIKUAN_PENALTY_CAP, HUIKUAN_DAY_BASIS,
 * HUIKUAN_COMPOUND_PENALTY, HUIKUAN_BUCKETS, HUIKUAN_TZ).  A missing
 * explicit file or a bad value is HK_ECONFIG naming the key.
 */
enum hk_rc hk_config_load(struct hk_config *cfg /* OUT */, const char *path,
			  enum hk_lang lang, struct hk_err *err);

/* ---- strategies (strategy_json.c, docs/strategy.md) ------------------ */

struct hk_strategy;

/* Read a strategy's JSON form, every problem named by its path, then
 * check it (hk_strategy_check).  HK_EINVAL with the first problem. */
enum hk_rc hk_strategy_from_json(const char *json, size_t len,
				 const struct hk_bucket_table *buckets,
				 struct hk_strategy *out, enum hk_lang lang,
				 struct hk_err *err);
/* The strategy shipped with huikuan (data/strategy_default.json). */
extern const char *const hk_default_strategy[];

/* ---- import (import.c) ----------------------------------------------- */

enum hk_import_kind {
	HK_IMPORT_DEBTORS,
	HK_IMPORT_CONTACTS,
	HK_IMPORT_ACCOUNTS,
	HK_IMPORT_INSTALLMENTS,
	HK_IMPORT_PAYMENTS,
	HK_IMPORT_WAIVERS,  /* extension: account_id, approved_on, component, amount, approved_by, reason */
	HK_IMPORT_PROMISES, /* extension: debtor_id, creditor, made_on, due_on, amount */
	HK_IMPORT_KIND_COUNT
};

enum hk_encoding { HK_ENC_UTF8, HK_ENC_GB18030 };

/*
 * Asked for each waiver row: the most that can be waived of `component` of
 * the account on `approved_on` (what is unpaid across its installments
 * before that day's payments).  Provided by day-end (hk_eod_waivable).
 */
typedef enum hk_rc (*hk_waivable_fn)(void *ctx, int64_t account_ref,
				     int32_t approved_on, int component,
				     int64_t *max_fen, struct hk_err *err);

struct hk_import_opts {
	int kind;          /* enum hk_import_kind */
	int encoding;      /* enum hk_encoding */
	enum hk_lang lang; /* language of the row errors */
	const char *display_name; /* FILE as given on the command line */
	FILE *errors;      /* where row errors go (stderr) */
	size_t max_errors; /* rows reported at most (100) */
	bool progress;     /* show progress on errors' terminal */
	hk_waivable_fn waivable;
	void *waivable_ctx;
};

struct hk_import_result {
	size_t rows;       /* data rows read */
	size_t bad_rows;   /* rows with at least one error */
	size_t errors;     /* errors found (reported or not) */
};

/* Parse a KIND word ("debtors", ...); -1 when unknown. */
int hk_import_kind_parse(const char *word);
const char *hk_import_kind_name(int kind);

/*
 * Import one CSV file, whole or not at all: every row is checked first and
 * each bad row is reported to opts->errors as "FILE:LINE: column: message";
 * then, only if all are good, they are written in one transaction.
 * Returns HK_EINVAL (nothing written) when any row is bad, HK_EENCODING for
 * undecodable text, HK_EIO when the file cannot be read.
 */
enum hk_rc hk_import_file(struct hk_store *s, const char *path,
			  const struct hk_import_opts *opts,
			  struct hk_import_result *result /* OUT */,
			  struct hk_err *err);

/* ---- demo portfolio (demo_gen.c) ------------------------------------- */

struct hk_demo_opts {
	size_t accounts;  /* how many accounts (default 2000) */
	uint64_t seed;    /* same seed, same files */
	int32_t today;    /* last date of history */
	int history_days; /* accounts open within this many days (365) */
};

struct hk_demo_counts {
	size_t debtors, contacts, accounts, installments, payments, promises;
};

/*
 * Write a realistic portfolio as CSV files into directory `dir` (created if
 * missing): debtors.csv, contacts.csv, accounts.csv, installments.csv,
 * payments.csv (only payments dated <= today) and promises.csv, all in the
 * formats hk_import_file() reads.  Zero accounts or history_days mean the
 * defaults.  Existing files are replaced only once all six are written.
 * Fails with HK_EINVAL for bad options, HK_EIO naming the path, or
 * HK_EINTERNAL if the self-check of generated ID numbers fails.
 */
enum hk_rc hk_demo_write(const struct hk_demo_opts *opts, const char *dir,
			 struct hk_demo_counts *counts /* OUT */,
			 struct hk_err *err);

#endif
