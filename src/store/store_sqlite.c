/*
 * store_sqlite.c - the SQLite backend of store.h, the embedded default.
 *
 * Every statement is prepared once per connection and reset after use.
 * WAL journal: a kill -9 at any moment leaves the last committed
 * transaction intact.  This file must never decide ledger questions; it
 * only moves rows in and out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "hk/store.h"
#include "store_sqlite.h"

extern const char *const hk_sqlite_migrations[];

/* ====================================================================
 * Statements
 * ==================================================================== */

enum stmt_id {
	ST_META_GET,
	ST_META_SET,
	ST_LOOKUP_DEBTOR,
	ST_LOOKUP_CONTACT,
	ST_LOOKUP_ACCOUNT,
	ST_LOOKUP_PAYMENT,
	ST_INS_DEBTOR,
	ST_INS_CONTACT,
	ST_INS_CASE,
	ST_FIND_CASE,
	ST_INS_ACCOUNT,
	ST_INS_INSTALLMENT,
	ST_INS_PAYMENT,
	ST_INS_WAIVER,
	ST_INS_PROMISE,
	ST_MAX_REF,
	ST_ACCOUNTS_SCAN,
	ST_ACCOUNTS_SCAN_NEW,
	ST_ACCOUNTS_SCAN_NEW_ANY,
	ST_ACCOUNT_GET,
	ST_FACTS_SCAN,
	ST_INST_LOAD,
	ST_EVENTS_LOAD,
	ST_INST_SAVE,
	ST_STATE_SAVE,
	ST_BOOK_DEFER,
	ST_BOOK_UNDEFER,
	ST_BOOK_MARKS,
	ST_BOOK_INSTALLMENTS,
	ST_TRANS_GET,
	ST_TRANS_INS,
	ST_TRANS_UPD,
	ST_TRANS_DEL,
	ST_TOTALS_DEL,
	ST_TOTALS_INS,
	ST_PROMISES_SCAN,
	ST_PROMISE_SET,
	ST_ACCOUNTS_BY_ID,
	ST_EOD_RUN,
	ST_EOD_PART_INS,
	ST_EOD_PARTS_SCAN,
	ST_EOD_PARTS_DEL,
	ST_USER_COUNT,
	ST_USER_INS,
	ST_USER_UPDATE,
	ST_AGENCY_INS,
	ST_AGENCIES_SCAN,
	ST_CASE_FACTS,
	ST_CASE_FACTS_CHANGED,
	ST_TREAT_SAVE,
	ST_TREAT_HIST,
	ST_TREAT_RECHECK,
	ST_TREAT_DEL,
	ST_TREAT_HIST_DEL,
	ST_TREAT_GET,
	ST_DIRTY_CLEAR,
	ST_DIRTY_MARK,
	ST_COLLECTORS,
	ST_ALLOCATE,
	ST_ALLOCATION_INS,
	ST_STRAT_INS,
	ST_STRAT_UPD,
	ST_STRAT_PUB,
	ST_STRAT_SCAN,
	ST_PLACE_INS,
	ST_CONTRACT_INS,
	ST_CONTRACTS,
	ST_REVIEW_GET,
	ST_REVIEW_SET,
	ST_EXPIRE_CASES,
	ST_EXPIRE,
	ST_STATEMENT,
	ST_PLACE_CASE,
	ST_RECALL,
	ST_PLACEMENTS,
	ST_TIMELINE,
	ST_CONTACT_COUNTS,
	ST_LAST_CONVERSATION,
	ST_CONTACT_STOP,
	ST_STOP_INS,
	ST_STOP_DEBTOR,
	ST_STOP_LIFT,
	ST_STOPS,
	ST_LIMITATION,
	ST_USER_BY_NAME,
	ST_USER_BY_REF,
	ST_USER_LOGIN,
	ST_USER_PASSWORD,
	ST_SESSION_INS,
	ST_SESSION_GET,
	ST_SESSION_DEL,
	ST_SESSION_DEL_USER,
	ST_AUDIT_LAST,
	ST_AUDIT_INS,
	ST_AUDIT_SCAN,
	ST_USERS_SCAN,
	ST_CASE_GET,
	ST_OVERDUE_GET,
	ST_OVERDUE_MIN,
	ST_OVERDUE_INS,
	ST_OVERDUE_SET,
	ST_OVERDUE_DEL,
	ST_TEAMS_SCAN,
	ST_PLAN_INS,
	ST_PLAN_INST_INS,
	ST_PLAN_DECIDE,
	ST_PLAN_CASE,
	ST_PLANS_OF_CASE,
	ST_CASE_PAID,
	ST_DISPUTE_OPEN,
	ST_DISPUTE_FILE_ADD,
	ST_DISPUTE_OPEN_OF,
	ST_DISPUTE_GET,
	ST_DISPUTE_RESOLVE,
	ST_DISPUTE_FILE_GET,
	ST_WR_PENDING,
	ST_PLANS_PENDING,
	ST_QUEUE_COUNTS,
	ST_DASH_OVERDUE,
	ST_DASH_TREND,
	ST_DASH_PROMISES,
	ST_DASH_COLLECTORS,
	ST_DASH_RECOVERY,
	ST_DASH_TAKERS,
	ST_DASH_CENSUS_ALL,
	ST_DASH_CENSUS,
	ST_DASH_MOVES,
	ST_DASH_PROCESSED,
	ST_SCRIPTS,
	ST_SCRIPT_INS,
	ST_SCRIPT_UPD,
	ST_CONTACT_ADD,
	ST_CONTACT_VALIDITY,
	ST_LOST_REFRESH,
	ST_WR_INS,
	ST_WR_GET,
	ST_WR_DECIDE,
	ST_WR_LIST,
	ST_STATUS_SET,
	ST_STATUS_HIST_INS,
	ST_STATUS_HIST,
	ST_PAYMENT_GET,
	ST_TEAM_INS,
	ST_CASES_SPREAD,
	ST_RECORD_INS,
	ST_RECORDS_LIST,
	ST_PROMISE_TAKE,
	ST_CONTACT_OF_DEBTOR,
	ST_CASE_ACCOUNTS,
	ST_ACCOUNT_PAYMENTS,
	ST_DEBTOR_CONTACTS,
	ST_CASE_PROMISES,
	ST_COUNT
};

#define SEEN_PAYMENTS                                                          \
	"(SELECT COALESCE(MAX(CAST(value AS INTEGER)), 0) FROM meta "         \
	"WHERE key = 'booked_payment_ref')"
#define SEEN_WAIVERS                                                           \
	"(SELECT COALESCE(MAX(CAST(value AS INTEGER)), 0) FROM meta "         \
	"WHERE key = 'booked_waiver_ref')"

#define STATE_NULLS                                                            \
	"NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "  \
	"NULL, NULL, NULL, a.case_ref"

#define STATE_COLS                                                             \
	"s.anchor, s.win_start, s.win_end, s.first_unpaid_due, "              \
	"s.overdue_principal, s.overdue_interest, s.overdue_fee, "            \
	"s.penalty_due, s.penalty_accrued, s.daily_penalty, "                 \
	"s.principal_outstanding, s.credit_balance, s.paid_total, "           \
	"s.waived_total, a.case_ref"

static const char *const stmt_sql[ST_COUNT] = {
	[ST_META_GET] = "SELECT value FROM meta WHERE key = ?1",
	[ST_META_SET] = "INSERT INTO meta (key, value) VALUES (?1, ?2) "
			"ON CONFLICT (key) DO UPDATE SET value = excluded.value",
	[ST_LOOKUP_DEBTOR] = "SELECT ref, kind FROM debtors WHERE debtor_id = ?1",
	[ST_LOOKUP_CONTACT] = "SELECT ref FROM contacts WHERE contact_id = ?1",
	[ST_LOOKUP_ACCOUNT] =
		"SELECT a.ref, a.case_ref, a.open_date, a.principal, "
		"EXISTS (SELECT 1 FROM installments i WHERE i.account_ref = a.ref) "
		"FROM accounts a WHERE a.account_id = ?1",
	[ST_LOOKUP_PAYMENT] = "SELECT ref FROM payments WHERE payment_id = ?1",
	[ST_INS_DEBTOR] =
		"INSERT INTO debtors (debtor_id, name, kind, id_number, phone, "
		"segment, province, city, address, employer) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[ST_INS_CONTACT] =
		"INSERT INTO contacts (contact_id, debtor_ref, relation, name, "
		"phone, authorized) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	/* The case of an account: created with its first account, and
	 * marked with every product among its accounts (migration 14). */
	[ST_INS_CASE] = "INSERT INTO cases (debtor_ref, creditor, products) "
			"VALUES (?1, ?2, ?3) ON CONFLICT (debtor_ref, creditor) "
			"DO UPDATE SET products = products | excluded.products "
			"RETURNING ref",
	[ST_FIND_CASE] =
		"SELECT ref FROM cases WHERE debtor_ref = ?1 AND creditor = ?2",
	[ST_INS_ACCOUNT] =
		"INSERT INTO accounts (account_id, debtor_ref, case_ref, creditor, "
		"product, principal, annual_ppm, penalty_ppm, open_date) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[ST_INS_INSTALLMENT] =
		"INSERT INTO installments (account_ref, seq, due_date, "
		"sched_principal, sched_interest, sched_fee, principal, interest, "
		"fee, booked) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?4, ?5, ?6, "
		/* An account day-end has never seen is replayed whole anyway:
		 * only a schedule added to a processed account is news. */
		"NOT EXISTS (SELECT 1 FROM account_state WHERE account_ref = ?1))",
	[ST_INS_PAYMENT] =
		"INSERT INTO payments (payment_id, account_ref, paid_on, amount, "
		"channel, reference) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_INS_WAIVER] =
		"INSERT INTO waivers (account_ref, approved_on, component, amount, "
		"approved_by, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_INS_PROMISE] =
		"INSERT INTO promises (case_ref, made_on, due_on, amount) "
		"VALUES (?1, ?2, ?3, ?4)",
	[ST_MAX_REF] = "SELECT COALESCE(MAX(ref), 0) FROM accounts",
	/* Accounts day-end has seen, from their state rows alone and only
	 * the columns a quiet day needs (read_lean_row)... */
	[ST_ACCOUNTS_SCAN] =
		"SELECT account_ref, win_start, win_end, first_unpaid_due, "
		"overdue_principal, overdue_interest, overdue_fee, penalty_due, "
		"daily_penalty, principal_outstanding, case_ref, dims "
		"FROM account_state "
		"WHERE account_ref BETWEEN ?1 AND ?2 ORDER BY account_ref",
	[ST_ACCOUNT_GET] =
		"SELECT a.ref, NULL, a.product, a.open_date, a.annual_ppm, "
		"a.penalty_ppm, " STATE_COLS " FROM accounts a "
		"LEFT JOIN account_state s ON s.account_ref = a.ref "
		"WHERE a.ref = ?1",
	/* ...then those it has not: all above the largest state row. */
	[ST_ACCOUNTS_SCAN_NEW] =
		"SELECT a.ref, NULL, a.product, a.open_date, a.annual_ppm, "
		"a.penalty_ppm, " STATE_NULLS " FROM accounts a "
		"WHERE a.ref BETWEEN ?1 AND ?2 AND a.ref > "
		"(SELECT COALESCE(MAX(account_ref), 0) FROM account_state) "
		"ORDER BY a.ref",
	/* A day-end worker cannot use that bound: other workers commit
	 * higher chunks meanwhile.  Its chunk is still untouched, so its
	 * accounts without state still follow those with one. */
	[ST_ACCOUNTS_SCAN_NEW_ANY] =
		"SELECT a.ref, NULL, a.product, a.open_date, a.annual_ppm, "
		"a.penalty_ppm, " STATE_NULLS " FROM accounts a "
		"WHERE a.ref BETWEEN ?1 AND ?2 AND NOT EXISTS "
		"(SELECT 1 FROM account_state s WHERE s.account_ref = a.ref) "
		"ORDER BY a.ref",
	/* New facts: past the watermarks, or deferred and now due. */
	[ST_FACTS_SCAN] =
		"SELECT account_ref, 0, paid_on, 0, amount FROM payments "
		"WHERE ref > " SEEN_PAYMENTS " AND paid_on <= ?1 "
		"UNION ALL "
		"SELECT p.account_ref, 0, p.paid_on, 0, p.amount "
		"FROM deferred_facts d JOIN payments p ON p.ref = d.fact_ref "
		"WHERE d.kind = 0 AND d.date <= ?1 "
		"UNION ALL "
		"SELECT account_ref, 1, approved_on, component, amount FROM waivers "
		"WHERE ref > " SEEN_WAIVERS " AND approved_on <= ?1 "
		"UNION ALL "
		"SELECT w.account_ref, 1, w.approved_on, w.component, w.amount "
		"FROM deferred_facts d JOIN waivers w ON w.ref = d.fact_ref "
		"WHERE d.kind = 1 AND d.date <= ?1 "
		"UNION ALL "
		"SELECT DISTINCT account_ref, 2, NULL, 0, 0 FROM installments "
		"WHERE booked = 0",
	[ST_INST_LOAD] =
		"SELECT seq, due_date, sched_principal, sched_interest, sched_fee, "
		"principal, interest, fee, penalty, penalty_accrued "
		"FROM installments WHERE account_ref = ?1 ORDER BY seq",
	[ST_EVENTS_LOAD] =
		"SELECT paid_on, 1, 0, amount FROM payments "
		"WHERE account_ref = ?1 AND paid_on > ?2 AND paid_on <= ?3 "
		"UNION ALL "
		"SELECT approved_on, 0, component, amount FROM waivers "
		"WHERE account_ref = ?1 AND approved_on > ?2 AND approved_on <= ?3 "
		"ORDER BY 1, 2",
	[ST_INST_SAVE] =
		"UPDATE installments SET principal = ?3, interest = ?4, fee = ?5, "
		"penalty = ?6, penalty_accrued = ?7 "
		"WHERE account_ref = ?1 AND seq = ?2",
	[ST_STATE_SAVE] =
		"INSERT INTO account_state (account_ref, product, open_date, "
		"annual_ppm, penalty_ppm, anchor, win_start, "
		"win_end, first_unpaid_due, overdue_principal, overdue_interest, "
		"overdue_fee, penalty_due, penalty_accrued, daily_penalty, "
		"principal_outstanding, credit_balance, paid_total, waived_total, "
		"case_ref) "
		"VALUES (?1, ?17, ?18, ?19, ?20, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
		"?14, ?15, ?16, ?21) ON CONFLICT (account_ref) DO UPDATE SET "
		"anchor = excluded.anchor, "
		"win_start = excluded.win_start, win_end = excluded.win_end, "
		"first_unpaid_due = excluded.first_unpaid_due, "
		"overdue_principal = excluded.overdue_principal, "
		"overdue_interest = excluded.overdue_interest, "
		"overdue_fee = excluded.overdue_fee, "
		"penalty_due = excluded.penalty_due, "
		"penalty_accrued = excluded.penalty_accrued, "
		"daily_penalty = excluded.daily_penalty, "
		"principal_outstanding = excluded.principal_outstanding, "
		"credit_balance = excluded.credit_balance, "
		"paid_total = excluded.paid_total, "
		"waived_total = excluded.waived_total",
	[ST_BOOK_DEFER] =
		"INSERT INTO deferred_facts (kind, fact_ref, account_ref, date) "
		"SELECT 0, ref, account_ref, paid_on FROM payments "
		"WHERE ref > " SEEN_PAYMENTS " AND paid_on > ?1 "
		"UNION ALL "
		"SELECT 1, ref, account_ref, approved_on FROM waivers "
		"WHERE ref > " SEEN_WAIVERS " AND approved_on > ?1",
	[ST_BOOK_UNDEFER] = "DELETE FROM deferred_facts WHERE date <= ?1",
	[ST_BOOK_MARKS] =
		"INSERT INTO meta (key, value) "
		"SELECT 'booked_payment_ref', COALESCE(MAX(ref), 0) FROM payments "
		"UNION ALL "
		"SELECT 'booked_waiver_ref', COALESCE(MAX(ref), 0) FROM waivers "
		"WHERE true ON CONFLICT (key) DO UPDATE SET value = excluded.value",
	[ST_BOOK_INSTALLMENTS] =
		"UPDATE installments SET booked = 1 WHERE booked = 0",
	[ST_TRANS_GET] = "SELECT from_bucket FROM bucket_transitions "
			 "WHERE account_ref = ?1 AND as_of = ?2",
	[ST_TRANS_INS] = "INSERT INTO bucket_transitions (account_ref, as_of, "
			 "from_bucket, to_bucket) VALUES (?1, ?2, ?3, ?4)",
	[ST_TRANS_UPD] = "UPDATE bucket_transitions SET to_bucket = ?3 "
			 "WHERE account_ref = ?1 AND as_of = ?2",
	[ST_TRANS_DEL] = "DELETE FROM bucket_transitions "
			 "WHERE account_ref = ?1 AND as_of = ?2",
	[ST_TOTALS_DEL] = "DELETE FROM day_totals WHERE as_of = ?1",
	[ST_TOTALS_INS] =
		"INSERT INTO day_totals (as_of, bucket, position, accounts, "
		"overdue_principal, overdue_interest, overdue_fee, penalty_due, "
		"total_overdue, principal_outstanding) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	/* The promises whose status can change today: pending ones never
	 * evaluated or past their date, and those not kept whose case has a
	 * payment day-end has not booked yet.  A pending promise with no new
	 * payment stays pending until its date; kept is final, payments are
	 * never taken back. */
	[ST_PROMISES_SCAN] =
		"WITH fresh (account_ref, paid_on) AS ("
		" SELECT account_ref, paid_on FROM payments "
		" WHERE ref > " SEEN_PAYMENTS " AND paid_on <= ?1 "
		" UNION ALL "
		" SELECT account_ref, date FROM deferred_facts "
		" WHERE kind = 0 AND date <= ?1), "
		"todo (ref) AS ("
		" SELECT ref FROM promises WHERE status = 0 AND made_on <= ?1 "
		" AND (evaluated_on IS NULL OR due_on < ?1) "
		" UNION "
		" SELECT p.ref FROM fresh f "
		" JOIN accounts a ON a.ref = f.account_ref "
		" JOIN promises p ON p.case_ref = a.case_ref "
		" WHERE p.status <> 1 AND f.paid_on BETWEEN p.made_on AND p.due_on) "
		"SELECT p.ref, p.made_on, p.due_on, p.amount, p.status, "
		"p.evaluated_on IS NOT NULL, "
		/* CROSS JOIN fixes the order: the case's few accounts first,
		 * then each one's payments by index. */
		"(SELECT COALESCE(SUM(pay.amount), 0) FROM accounts a "
		" CROSS JOIN payments pay ON pay.account_ref = a.ref "
		" WHERE a.case_ref = p.case_ref AND pay.paid_on >= p.made_on "
		" AND pay.paid_on <= MIN(?1, p.due_on)) "
		"FROM todo JOIN promises p ON p.ref = todo.ref ORDER BY p.ref",
	[ST_PROMISE_SET] = "UPDATE promises SET status = ?2, evaluated_on = ?3 "
			   "WHERE ref = ?1",
	[ST_ACCOUNTS_BY_ID] =
		"SELECT a.ref, a.account_id, a.product, a.open_date, a.annual_ppm, "
		"a.penalty_ppm, " STATE_COLS " FROM accounts a "
		"LEFT JOIN account_state s ON s.account_ref = a.ref "
		"ORDER BY a.account_id",
#define USER_COLS                                                              \
	"ref, username, display_name, role, COALESCE(team_ref, 0), "          \
	"password_hash, must_change, active, failed_logins, locked_until, "   \
	"COALESCE(agency_ref, 0), capacity, absent_from, absent_until "
	[ST_USER_COUNT] = "SELECT count(*) FROM users",
	[ST_USER_INS] =
		"INSERT INTO users (username, display_name, role, team_ref, "
		"password_hash, must_change, created_at, agency_ref) "
		"VALUES (?1, ?2, ?3, NULLIF(?4, 0), ?5, ?6, ?7, NULLIF(?8, 0))",
	[ST_USER_UPDATE] =
		"UPDATE users SET display_name = ?2, team_ref = NULLIF(?3, 0), "
		"agency_ref = NULLIF(?4, 0), active = ?5, capacity = ?6, "
		"absent_from = NULLIF(?7, -2147483648), "
		"absent_until = NULLIF(?8, -2147483648) WHERE ref = ?1",
	[ST_AGENCY_INS] =
		"INSERT INTO agencies (name, created_at) VALUES (?1, ?2)",
	[ST_AGENCIES_SCAN] = "SELECT ref, name FROM agencies ORDER BY name",
	/* ?1 as_of, ?2 the facts to read, ?3-?6 the DPD ranges of the
	 * debtor's and the next due date (struct hk_fact_need).  The two
	 * differ only in which cases they read. */
	/* A case's DPD is in [lo, hi] or, overdue, can grow into it. */
#define NEEDED(lo, hi) \
		"(CASE WHEN o.case_ref IS NULL THEN " lo " <= 0 " \
		"ELSE " hi " >= ?1 - o.overdue_since END)"
#define CASE_FACTS_COLUMNS \
		"SELECT c.ref, COALESCE(o.overdue_since, 2147483647), " \
		"COALESCE(o.due_base + o.due_daily * ?1, 0), c.products, " \
		"c.creditor, CASE WHEN " NEEDED("?3", "?4") " THEN (SELECT " \
		"d.kind || char(9) || COALESCE(d.id_number, '') || char(9) || " \
		"COALESCE(d.segment, '') || char(9) || COALESCE(d.province, '') " \
		"FROM debtors d WHERE d.ref = c.debtor_ref) END, NULL, NULL, " \
		"NULL, COALESCE(c.promise_status, -1), " \
		"CASE WHEN ?2 & 1 THEN EXISTS (SELECT 1 FROM disputes x " \
		"WHERE x.case_ref = c.ref AND x.status = 'open') END, " \
		"c.lost_contact, " \
		"CASE WHEN ?2 & 2 THEN (SELECT COALESCE(max(r.at), 0) " \
		"FROM contact_records r WHERE r.case_ref = c.ref) END, " \
		"CASE WHEN ?2 & 4 OR (?2 & 128 AND o.case_ref IS NOT NULL AND " \
		"c.collector_ref IS NOT NULL) THEN (SELECT max(p.paid_on) FROM accounts a " \
		"JOIN payments p ON p.account_ref = a.ref " \
		"WHERE a.case_ref = c.ref AND p.paid_on <= ?1) END, " \
		"CASE WHEN ?2 & 8 AND " NEEDED("?5", "?6") " THEN " \
		"(SELECT min(s.first_unpaid_due) " \
		"FROM account_state s WHERE s.case_ref = c.ref " \
		"AND s.first_unpaid_due >= ?1) END, " \
		"CASE WHEN ?2 & 16 THEN (SELECT group_concat(DISTINCT r.outcome) " \
		"FROM contact_records r WHERE r.case_ref = c.ref) END, " \
		"CASE WHEN ?2 & 32 THEN EXISTS (SELECT 1 FROM plans pl " \
		"WHERE pl.case_ref = c.ref AND pl.status = 'approved') END, " \
		"COALESCE(o.due_daily, 0), c.status, COALESCE(c.collector_ref, 0), " \
		"COALESCE(c.team_ref, 0), COALESCE(c.agency_ref, 0), " \
		"COALESCE(c.held_for, 0), c.assigned_on, " \
		"CASE WHEN ?2 & 64 OR (?2 & 128 AND o.case_ref IS NOT NULL AND " \
		"c.collector_ref IS NOT NULL) THEN (SELECT max(m.made_on) FROM promises m " \
		"WHERE m.case_ref = c.ref) END, " \
		"COALESCE(t.strategy_ref, 0), COALESCE(t.rule_no, -1), " \
		"COALESCE(t.arm_no, -1), COALESCE(t.recheck_on, 2147483647) "
#define CASE_FACTS_JOINS \
		"LEFT JOIN case_overdue o ON o.case_ref = c.ref " \
		"LEFT JOIN case_treatment t ON t.case_ref = c.ref "
	[ST_CASE_FACTS] = CASE_FACTS_COLUMNS "FROM cases c " CASE_FACTS_JOINS
			  "ORDER BY c.ref",
	[ST_CASE_FACTS_CHANGED] =
		"WITH k (ref) AS (SELECT case_ref FROM case_dirty UNION "
		"SELECT case_ref FROM temp.day_changed UNION "
		"SELECT case_ref FROM case_treatment WHERE recheck_on <= ?1) "
		CASE_FACTS_COLUMNS "FROM k JOIN cases c ON c.ref = k.ref "
		CASE_FACTS_JOINS,
	[ST_TREAT_SAVE] =
		"INSERT INTO case_treatment (case_ref, strategy_ref, "
		"rule_no, arm_no, priority, since, recheck_on) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (case_ref) DO "
		"UPDATE SET strategy_ref = ?2, rule_no = ?3, arm_no = ?4, "
		"priority = ?5, since = ?6, recheck_on = ?7",
	/* ?1 case, ?2 since, ?3 strategy (0: none: ended) */
	[ST_TREAT_HIST] =
		"INSERT INTO treatment_history (since, case_ref, strategy_ref, "
		"rule_no, arm_no, base_overdue) VALUES (?2, ?1, NULLIF(?3, 0), "
		"CASE WHEN ?3 THEN ?4 END, CASE WHEN ?3 THEN ?5 END, ?6)",
	[ST_TREAT_HIST_DEL] =
		"DELETE FROM treatment_history WHERE since = ?2 AND case_ref = ?1",
	[ST_TREAT_RECHECK] =
		"UPDATE case_treatment SET recheck_on = ?2 WHERE case_ref = ?1",
	[ST_TREAT_DEL] = "DELETE FROM case_treatment WHERE case_ref = ?1",
	[ST_TREAT_GET] =
		"SELECT strategy_ref, rule_no, arm_no, priority, since, recheck_on "
		"FROM case_treatment WHERE case_ref = ?1",
	[ST_DIRTY_CLEAR] = "DELETE FROM case_dirty",
	/* day-end's own marks: in memory, never written to the file */
	[ST_DIRTY_MARK] = "INSERT OR IGNORE INTO temp.day_changed VALUES (?1)",
	/* ?1 as_of, ?2 with loads: each collector's overdue cases and their
	 * total, from one pass over the index by collector, which carries
	 * the amounts (migration 23). */
	[ST_COLLECTORS] =
		"WITH a (ref, cases, due) AS (SELECT collector_ref, count(*), "
		"sum(due_base + due_daily * ?1) FROM case_overdue "
		"INDEXED BY case_overdue_collector "
		"WHERE ?2 AND collector_ref IS NOT NULL GROUP BY collector_ref) "
		"SELECT u.ref, COALESCE(u.team_ref, 0), u.active, u.capacity, "
		"u.absent_from, u.absent_until, COALESCE(a.cases, 0), "
		"COALESCE(a.due, 0) FROM users u LEFT JOIN a ON a.ref = u.ref "
		"WHERE u.role = 'collector' ORDER BY u.ref",
	[ST_ALLOCATE] =
		"UPDATE cases SET collector_ref = NULLIF(?2, 0), "
		"team_ref = NULLIF(?3, 0), held_for = NULLIF(?4, 0), "
		"assigned_on = ?5 WHERE ref = ?1",
	[ST_ALLOCATION_INS] =
		"INSERT INTO case_assignments (case_ref, on_date, at, "
		"from_collector, collector_ref, team_ref, kind, by_user, reason) "
		"VALUES (?1, ?2, ?3, NULLIF(?4, 0), NULLIF(?5, 0), NULLIF(?6, 0), "
		"?7, NULLIF(?8, 0), ?9)",
	[ST_STRAT_INS] =
		"INSERT INTO strategies (name, status, body, created_by, "
		"created_at, published_by, published_at) VALUES (?1, ?2, ?3, "
		"NULLIF(?4, 0), ?5, CASE WHEN ?2 = 'published' THEN NULLIF(?4, 0) "
		"END, CASE WHEN ?2 = 'published' THEN ?5 END)",
	[ST_STRAT_UPD] = "UPDATE strategies SET name = ?2, body = ?3 "
			 "WHERE ref = ?1 AND status = 'draft'",
	[ST_STRAT_PUB] =
		"UPDATE strategies SET status = 'published', published_by = ?2, "
		"published_at = ?3 WHERE ref = ?1 AND status = 'draft'",
	[ST_STRAT_SCAN] =
		"SELECT ref, name, status, COALESCE(created_by, 0), created_at, "
		"COALESCE(published_by, 0), COALESCE(published_at, 0), "
		"CASE WHEN ?2 THEN body END FROM strategies "
		"WHERE ?1 = 0 OR ref = ?1 ORDER BY ref DESC",
	[ST_PLACE_INS] =
		"INSERT INTO placements (case_ref, agency_ref, placed_by, "
		"placed_at, until, reason, contract_ref) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULLIF(?7, 0))",
	[ST_CONTRACT_INS] =
		"INSERT INTO agency_contracts (agency_ref, starts_on, ends_on, "
		"commission_ppm, upfront_fee, may_settle, created_by, created_at) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[ST_CONTRACTS] =
		"SELECT ref, agency_ref, starts_on, ends_on, commission_ppm, "
		"upfront_fee, may_settle FROM agency_contracts "
		"WHERE agency_ref = ?1 ORDER BY starts_on DESC, ref DESC",
	[ST_REVIEW_GET] = "SELECT next_review FROM agencies WHERE ref = ?1",
	[ST_REVIEW_SET] = "UPDATE agencies SET next_review = ?2 WHERE ref = ?1",
	/* ?1 as_of, ?2 now */
	[ST_EXPIRE_CASES] =
		"UPDATE cases SET agency_ref = NULL WHERE ref IN (SELECT case_ref "
		"FROM placements WHERE recalled_at IS NULL AND until < ?1)",
	[ST_EXPIRE] =
		"UPDATE placements SET recalled_at = ?2, recall_reason = "
		"'placement period ended' WHERE recalled_at IS NULL AND until < ?1",
#define LOCAL_DATE(col) \
	"CAST(julianday(" col ", 'unixepoch', 'localtime') - 2440587.5 AS INTEGER)"
	/* A placement's window runs from the day it was placed to its until,
	 * or to the day before its recall. */
	[ST_STATEMENT] =
		"SELECT ref, case_ref, placed_on, ends_on, ppm, fee, "
		"(SELECT COALESCE(sum(pay.amount), 0) FROM accounts a "
		"JOIN payments pay ON pay.account_ref = a.ref "
		"WHERE a.case_ref = w.case_ref AND pay.paid_on >= max(w.placed_on, ?2) "
		"AND pay.paid_on <= min(w.ends_on, ?3)) FROM ("
		"SELECT p.ref, p.case_ref, " LOCAL_DATE("p.placed_at") " AS placed_on, "
		"CASE WHEN p.recalled_at IS NULL THEN p.until ELSE "
		"min(p.until, " LOCAL_DATE("p.recalled_at") " - 1) END AS ends_on, "
		"COALESCE(k.commission_ppm, 0) AS ppm, COALESCE(k.upfront_fee, 0) AS fee "
		"FROM placements p LEFT JOIN agency_contracts k ON k.ref = p.contract_ref "
		"WHERE p.agency_ref = ?1) w "
		"WHERE w.placed_on <= ?3 AND w.ends_on >= ?2 ORDER BY w.ref",
	[ST_PLACE_CASE] = "UPDATE cases SET agency_ref = NULLIF(?2, 0) "
			  "WHERE ref = ?1",
	[ST_RECALL] =
		"UPDATE placements SET recalled_by = ?2, recalled_at = ?3, "
		"recall_reason = ?4 WHERE case_ref = ?1 AND recalled_at IS NULL",
	/* kind, at, date, user, ref, amount, date2, t1, t2, t3; events known
	 * only by their date sort at the end of that day.  ?2: with
	 * placements. */
	[ST_TIMELINE] =
		"SELECT * FROM ("
		"SELECT 'record' AS kind, at, NULL AS day, user_ref, ref, NULL, "
		"next_follow_up, channel, outcome, note FROM contact_records "
		"WHERE case_ref = ?1 "
		"UNION ALL SELECT 'status', at, NULL, user_ref, ref, NULL, NULL, "
		"from_status, to_status, reason FROM case_status_history "
		"WHERE case_ref = ?1 "
		"UNION ALL SELECT 'promise', NULL, made_on, user_ref, ref, amount, "
		"due_on, CASE status WHEN 0 THEN 'pending' WHEN 1 THEN 'kept' "
		"ELSE 'broken' END, NULL, NULL FROM promises WHERE case_ref = ?1 "
		"UNION ALL SELECT 'payment', NULL, p.paid_on, NULL, p.ref, p.amount, "
		"NULL, a.account_id, p.channel, p.payment_id FROM payments p "
		"JOIN accounts a ON a.ref = p.account_ref WHERE a.case_ref = ?1 "
		"UNION ALL SELECT 'waiver_request', w.requested_at, NULL, "
		"w.requested_by, w.ref, w.amount, NULL, a.account_id, "
		"CASE w.component WHEN 0 THEN 'penalty' WHEN 1 THEN 'fee' "
		"WHEN 2 THEN 'interest' ELSE 'principal' END, w.reason "
		"FROM waiver_requests w JOIN accounts a ON a.ref = w.account_ref "
		"WHERE w.case_ref = ?1 "
		"UNION ALL SELECT 'waiver_decision', decided_at, NULL, decided_by, "
		"ref, amount, NULL, status, NULL, note FROM waiver_requests "
		"WHERE case_ref = ?1 AND decided_at IS NOT NULL "
		"UNION ALL SELECT 'dispute_opened', opened_at, NULL, opened_by, ref, "
		"NULL, NULL, NULL, NULL, reason FROM disputes WHERE case_ref = ?1 "
		"UNION ALL SELECT 'dispute_resolved', resolved_at, NULL, "
		"resolved_by, ref, NULL, NULL, status, NULL, resolution "
		"FROM disputes WHERE case_ref = ?1 AND resolved_at IS NOT NULL "
		"UNION ALL SELECT 'plan_proposed', proposed_at, NULL, proposed_by, "
		"ref, NULL, starts_on, NULL, NULL, note FROM plans "
		"WHERE case_ref = ?1 "
		"UNION ALL SELECT 'plan_decided', decided_at, NULL, decided_by, ref, "
		"NULL, NULL, status, NULL, NULL FROM plans "
		"WHERE case_ref = ?1 AND decided_at IS NOT NULL "
		"UNION ALL SELECT 'placed', p.placed_at, NULL, p.placed_by, p.ref, "
		"NULL, p.until, g.name, NULL, p.reason FROM placements p "
		"JOIN agencies g ON g.ref = p.agency_ref "
		"WHERE p.case_ref = ?1 AND ?2 "
		"UNION ALL SELECT 'recalled', p.recalled_at, NULL, p.recalled_by, "
		"p.ref, NULL, NULL, g.name, NULL, p.recall_reason FROM placements p "
		"JOIN agencies g ON g.ref = p.agency_ref "
		"WHERE p.case_ref = ?1 AND ?2 AND p.recalled_at IS NOT NULL "
		"UNION ALL SELECT 'assigned', a.at, NULL, a.by_user, a.ref, NULL, "
		"NULL, a.kind, u.username, a.reason FROM case_assignments a "
		"LEFT JOIN users u ON u.ref = a.collector_ref "
		"WHERE a.case_ref = ?1 AND ?2) "
		"ORDER BY COALESCE(at, day * 86400 + 86399) DESC, ref DESC",
	[ST_PLACEMENTS] =
		"SELECT p.ref, p.case_ref, p.agency_ref, g.name, p.placed_by, "
		"p.placed_at, p.until, p.reason, COALESCE(p.recalled_by, 0), "
		"COALESCE(p.recalled_at, 0), COALESCE(p.recall_reason, ''), "
		"COALESCE(p.contract_ref, 0) "
		"FROM placements p JOIN agencies g ON g.ref = p.agency_ref "
		"WHERE p.case_ref = ?1 ORDER BY p.ref",
	[ST_USER_BY_NAME] = "SELECT " USER_COLS "FROM users WHERE username = ?1",
	[ST_USER_BY_REF] = "SELECT " USER_COLS "FROM users WHERE ref = ?1",
	[ST_USER_LOGIN] = "UPDATE users SET failed_logins = ?2, "
			  "locked_until = ?3 WHERE ref = ?1",
	[ST_USER_PASSWORD] = "UPDATE users SET password_hash = ?2, "
			     "must_change = ?3 WHERE ref = ?1",
	[ST_SESSION_INS] =
		"INSERT INTO sessions (token_hash, user_ref, kind, csrf, "
		"created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_SESSION_GET] =
		"SELECT user_ref, kind, csrf, expires_at FROM sessions "
		"WHERE token_hash = ?1 AND expires_at > ?2",
	[ST_SESSION_DEL] = "DELETE FROM sessions WHERE token_hash = ?1",
	[ST_SESSION_DEL_USER] = "DELETE FROM sessions WHERE user_ref = ?1",
	[ST_AUDIT_LAST] = "SELECT hash FROM audit_log ORDER BY ref DESC LIMIT 1",
	[ST_AUDIT_INS] =
		"INSERT INTO audit_log (at, user_ref, client, action, target, "
		"detail, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[ST_AUDIT_SCAN] =
		"SELECT ref, at, user_ref, client, action, target, detail, "
		"prev_hash, hash FROM audit_log ORDER BY ref",
	[ST_USERS_SCAN] = "SELECT " USER_COLS "FROM users ORDER BY username",
	/* ?2 all, ?3 collector, ?4 team, ?5 agency: the scope in the query
	 * itself, so no handler can forget it. */
	[ST_CASE_GET] =
		"SELECT c.ref, c.creditor, c.status, COALESCE(c.collector_ref, 0), "
		"COALESCE(c.team_ref, 0), COALESCE(c.agency_ref, 0), d.ref, "
		"d.debtor_id, d.name, d.kind, d.id_number, d.phone, d.segment, "
		"d.province, d.city, c.lost_contact, COALESCE(d.address, '') "
		"FROM cases c "
		"JOIN debtors d ON d.ref = c.debtor_ref "
		"WHERE c.ref = ?1 AND (?2 OR (?3 <> 0 AND c.collector_ref = ?3) "
		"OR (?4 <> 0 AND c.team_ref = ?4) OR (?5 <> 0 AND c.agency_ref = ?5))",
	/* The figures kept on the case (migration 11) move with each saved
	 * account state: sums by the change, the oldest unpaid due date by
	 * the new one when earlier, recomputed only when this account held
	 * the case's oldest and no longer does (2147483647: not overdue). */
	/* The overdue cases (migrations 16, 18).  ?1 case. */
	[ST_OVERDUE_GET] =
		"SELECT overdue_since, due_base, due_daily FROM case_overdue "
		"WHERE case_ref = ?1",
	[ST_OVERDUE_MIN] =
		"SELECT COALESCE(min(first_unpaid_due), 2147483647) "
		"FROM account_state WHERE case_ref = ?1 "
		"AND first_unpaid_due > -2147483648 AND first_unpaid_due < win_start",
	[ST_OVERDUE_INS] =
		"INSERT INTO case_overdue (case_ref, overdue_since, due_base, "
		"due_daily, collector_ref, team_ref, agency_ref, promise_status) "
		"SELECT ref, ?2, ?3, ?4, collector_ref, team_ref, agency_ref, "
		"promise_status FROM cases WHERE ref = ?1",
	[ST_OVERDUE_SET] =
		"UPDATE case_overdue SET overdue_since = ?2, due_base = ?3, "
		"due_daily = ?4 WHERE case_ref = ?1",
	[ST_OVERDUE_DEL] = "DELETE FROM case_overdue WHERE case_ref = ?1",
	[ST_PAYMENT_GET] =
		"SELECT account_ref, paid_on, amount, channel, "
		"COALESCE(reference, '') FROM payments WHERE payment_id = ?1",
	[ST_STATUS_SET] = "UPDATE cases SET status = ?3 WHERE ref = ?1 AND status = ?2",
	[ST_STATUS_HIST_INS] =
		"INSERT INTO case_status_history (case_ref, at, user_ref, "
		"from_status, to_status, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_STATUS_HIST] =
		"SELECT at, user_ref, from_status, to_status, reason FROM "
		"case_status_history WHERE case_ref = ?1 ORDER BY at, ref",
#define WR_COLS                                                                \
	"w.ref, w.case_ref, w.account_ref, a.account_id, w.component, "       \
	"w.amount, w.reason, w.requested_by, w.requested_at, w.status, "      \
	"COALESCE(w.decided_by, 0), COALESCE(w.decided_at, 0), "              \
	"COALESCE(w.note, '') "
	[ST_WR_INS] =
		"INSERT INTO waiver_requests (case_ref, account_ref, component, "
		"amount, reason, requested_by, requested_at) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[ST_WR_GET] = "SELECT " WR_COLS "FROM waiver_requests w "
		      "JOIN accounts a ON a.ref = w.account_ref WHERE w.ref = ?1",
	[ST_WR_DECIDE] =
		"UPDATE waiver_requests SET status = ?2, decided_by = ?3, "
		"note = ?4, decided_at = ?5 WHERE ref = ?1 AND status = 'pending'",
	[ST_WR_LIST] = "SELECT " WR_COLS "FROM waiver_requests w "
		       "JOIN accounts a ON a.ref = w.account_ref "
		       "WHERE w.case_ref = ?1 ORDER BY w.ref",
	/* ?1 all, ?2 collector, ?3 team, ?4 agency (struct hk_scope) */
#define SCOPE_ON_C \
		"(?1 OR (?2 <> 0 AND c.collector_ref = ?2) OR " \
		"(?3 <> 0 AND c.team_ref = ?3) OR (?4 <> 0 AND c.agency_ref = ?4))"
	[ST_WR_PENDING] = "SELECT " WR_COLS "FROM waiver_requests w "
			  "JOIN accounts a ON a.ref = w.account_ref "
			  "JOIN cases c ON c.ref = w.case_ref "
			  "WHERE w.status = 'pending' AND " SCOPE_ON_C
			  " ORDER BY w.ref LIMIT 500",
	[ST_PLANS_PENDING] =
		"SELECT p.ref, p.case_ref, p.proposed_by, p.proposed_at, "
		"p.starts_on, count(i.seq), COALESCE(sum(i.amount), 0) "
		"FROM plans p JOIN cases c ON c.ref = p.case_ref "
		"LEFT JOIN plan_installments i ON i.plan_ref = p.ref "
		"WHERE p.status = 'proposed' AND " SCOPE_ON_C
		" GROUP BY p.ref ORDER BY p.ref LIMIT 500",
	/* the queue's counts: scope ?1-?4, ?5 today */
	/* The day's few promises due and follow-ups due, looked up by
	 * their date first (the CROSS JOIN keeps the planner from walking a
	 * collector's 100,000 cases instead; the second bound lets the
	 * partial follow-up index be used): 0.7 s -> 0.2 s for a collector
	 * of the 1,000,000-account demo. */
	[ST_QUEUE_COUNTS] =
		"SELECT (SELECT count(*) FROM cases c WHERE c.promise_status = 2 "
		"AND " SCOPE_ON_C "), "
		"(SELECT count(DISTINCT p.case_ref) FROM promises p "
		"CROSS JOIN cases c ON c.ref = p.case_ref WHERE p.status = 0 "
		"AND p.due_on <= ?5 AND " SCOPE_ON_C "), "
		"(SELECT count(*) FROM cases c WHERE c.next_follow_up <= ?5 "
		"AND c.next_follow_up < 2147483647 AND " SCOPE_ON_C "), "
		"(SELECT count(*) FROM case_overdue o WHERE ?1 "
		"OR (?2 <> 0 AND o.collector_ref = ?2) OR (?3 <> 0 AND "
		"o.team_ref = ?3) OR (?4 <> 0 AND o.agency_ref = ?4))",
	/* the dashboard: scope ?1-?4 on case_overdue's copies, ?5 as_of */
	/* ?6 creditor (NULL: any), ?7 product bits (0: any) */
	[ST_DASH_OVERDUE] =
		"SELECT o.overdue_since, o.due_base + o.due_daily * ?5 "
		"FROM case_overdue o JOIN cases c ON c.ref = o.case_ref "
		"WHERE (?1 OR (?2 <> 0 AND o.collector_ref = ?2) "
		"OR (?3 <> 0 AND o.team_ref = ?3) OR (?4 <> 0 AND o.agency_ref = ?4)) "
		"AND (?6 IS NULL OR c.creditor = ?6) AND (?7 = 0 OR c.products & ?7)",
	[ST_DASH_TREND] =
		"SELECT as_of, sum(accounts), sum(total_overdue) FROM day_totals "
		"WHERE as_of >= ?1 AND as_of <= ?2 AND position > 0 "
		"GROUP BY as_of ORDER BY as_of",
	/* ?5 from, ?8 to */
	[ST_DASH_PROMISES] =
		"SELECT p.status, count(*) FROM promises p "
		"JOIN cases c ON c.ref = p.case_ref WHERE p.made_on >= ?5 "
		"AND p.made_on <= ?8 AND (?6 IS NULL OR c.creditor = ?6) "
		"AND (?7 = 0 OR c.products & ?7) AND " SCOPE_ON_C
		" GROUP BY p.status",
	/* ?5 as_of, ?6 the day's start (Unix), ?7 today */
	[ST_DASH_COLLECTORS] =
		"SELECT u.ref, COALESCE(u.team_ref, 0), u.username, u.display_name, "
		"(SELECT count(*) FROM cases c WHERE c.collector_ref = u.ref), "
		"(SELECT count(*) FROM case_overdue o WHERE o.collector_ref = u.ref), "
		"(SELECT COALESCE(sum(o.due_base + o.due_daily * ?5), 0) "
		"FROM case_overdue o WHERE o.collector_ref = u.ref), "
		"(SELECT count(*) FROM contact_records r WHERE r.user_ref = u.ref "
		"AND r.at >= ?6), "
		"(SELECT count(*) FROM promises p WHERE p.user_ref = u.ref "
		"AND p.made_on = ?7) "
		"FROM users u WHERE u.role IN ('collector', 'agency_collector') "
		"AND u.active AND (?1 OR u.ref = ?2 OR (?3 <> 0 AND u.team_ref = ?3) "
		"OR (?4 <> 0 AND u.agency_ref = ?4)) ORDER BY u.team_ref, u.ref",
	/* ?5 from, ?8 to (paid_on), ?9 the first bucket; the case's
	 * collector today; a payment recovers when its account stood
	 * overdue before that day (bucket_transitions_account) */
	[ST_DASH_RECOVERY] =
		"SELECT p.paid_on, COALESCE(c.collector_ref, 0), count(*), "
		"sum(p.amount) FROM payments p "
		"JOIN accounts a ON a.ref = p.account_ref "
		"JOIN cases c ON c.ref = a.case_ref WHERE p.paid_on >= ?5 "
		"AND p.paid_on <= ?8 AND (?6 IS NULL OR c.creditor = ?6) "
		"AND (?7 = 0 OR c.products & ?7) AND " SCOPE_ON_C
		" AND COALESCE((SELECT b.to_bucket FROM bucket_transitions b "
		"WHERE b.account_ref = p.account_ref AND b.as_of < p.paid_on "
		"ORDER BY b.as_of DESC LIMIT 1), ?9) <> ?9"
		" GROUP BY p.paid_on, c.collector_ref",
	/* ?5 from, ?8 to (made_on); a promise without its taker (imported
	 * history) is the case's collector's */
	[ST_DASH_TAKERS] =
		"SELECT COALESCE(p.user_ref, c.collector_ref, 0), p.status, "
		"count(*), "
		"sum(p.amount) FROM promises p JOIN cases c ON c.ref = p.case_ref "
		"WHERE p.made_on >= ?5 AND p.made_on <= ?8 "
		"AND (?6 IS NULL OR c.creditor = ?6) "
		"AND (?7 = 0 OR c.products & ?7) AND " SCOPE_ON_C
		" GROUP BY 1, 2",
	[ST_DASH_CENSUS_ALL] =
		"SELECT bucket, accounts FROM day_totals WHERE as_of = ?1",
	/* ?5 the date, ?8 the first bucket's name: one seek per account in
	 * bucket_transitions_account (migration 25) */
	[ST_DASH_CENSUS] =
		"SELECT COALESCE((SELECT b.to_bucket FROM bucket_transitions b "
		"WHERE b.account_ref = a.ref AND b.as_of <= ?5 "
		"ORDER BY b.as_of DESC LIMIT 1), ?8), count(*) FROM accounts a "
		"JOIN cases c ON c.ref = a.case_ref "
		"WHERE (?6 IS NULL OR c.creditor = ?6) "
		"AND (?7 = 0 OR c.products & ?7) AND " SCOPE_ON_C " GROUP BY 1",
	/* ?5 from (excluded), ?8 to */
	[ST_DASH_MOVES] =
		"SELECT b.account_ref, b.from_bucket, b.to_bucket "
		"FROM bucket_transitions b JOIN accounts a ON a.ref = b.account_ref "
		"JOIN cases c ON c.ref = a.case_ref WHERE b.as_of > ?5 "
		"AND b.as_of <= ?8 AND (?6 IS NULL OR c.creditor = ?6) "
		"AND (?7 = 0 OR c.products & ?7) AND " SCOPE_ON_C
		" ORDER BY b.account_ref, b.as_of",
	[ST_DASH_PROCESSED] =
		"SELECT DISTINCT as_of FROM day_totals WHERE as_of <= ?1 "
		"ORDER BY as_of DESC",
	/* ?1 text to find (instr: no LIKE wildcards to escape), ?2 ref */
	[ST_SCRIPTS] =
		"SELECT ref, title, objection, body, outcomes, "
		"COALESCE(updated_by, 0), updated_at FROM scripts "
		"WHERE (?2 = 0 OR ref = ?2) AND (?1 = '' OR instr(title, ?1) "
		"OR instr(objection, ?1) OR instr(body, ?1)) ORDER BY title, ref",
	[ST_SCRIPT_INS] =
		"INSERT INTO scripts (title, objection, body, outcomes, "
		"updated_by, updated_at) VALUES (?2, ?3, ?4, ?5, NULLIF(?6, 0), ?7)",
	[ST_SCRIPT_UPD] =
		"UPDATE scripts SET title = ?2, objection = ?3, body = ?4, "
		"outcomes = ?5, updated_by = NULLIF(?6, 0), updated_at = ?7 "
		"WHERE ref = ?1",
	[ST_CONTACT_ADD] =
		"INSERT INTO contacts (contact_id, debtor_ref, relation, name, "
		"phone, authorized, source, email) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[ST_CONTACT_VALIDITY] = "UPDATE contacts SET validity = ?3 "
				"WHERE debtor_ref = ?1 AND contact_id = ?2",
	[ST_LOST_REFRESH] =
		"UPDATE cases SET lost_contact = ("
		" EXISTS (SELECT 1 FROM contacts WHERE debtor_ref = ?1) AND "
		" NOT EXISTS (SELECT 1 FROM contacts WHERE debtor_ref = ?1 "
		" AND validity <> 'invalid')) WHERE debtor_ref = ?1 "
		"RETURNING lost_contact",
	[ST_DISPUTE_OPEN] =
		"INSERT INTO disputes (case_ref, opened_by, opened_at, reason) "
		"VALUES (?1, ?2, ?3, ?4)",
	[ST_DISPUTE_FILE_ADD] =
		"INSERT INTO dispute_files (dispute_ref, name, sha256, size) "
		"VALUES (?1, ?2, ?3, ?4)",
	[ST_DISPUTE_OPEN_OF] = "SELECT ref FROM disputes WHERE case_ref = ?1 "
			       "AND status = 'open' ORDER BY ref LIMIT 1",
	[ST_DISPUTE_GET] = "SELECT case_ref, status FROM disputes WHERE ref = ?1",
	[ST_DISPUTE_RESOLVE] =
		"UPDATE disputes SET status = 'resolved', resolved_by = ?2, "
		"resolution = ?3, resolved_at = ?4 WHERE ref = ?1 AND status = 'open'",
	[ST_DISPUTE_FILE_GET] =
		"SELECT name, sha256, size FROM dispute_files WHERE dispute_ref = ?1 "
		"ORDER BY ref LIMIT 1 OFFSET ?2",
	[ST_PLAN_INS] =
		"INSERT INTO plans (case_ref, proposed_by, proposed_at, starts_on, "
		"note) VALUES (?1, ?2, ?3, ?4, ?5)",
	[ST_PLAN_INST_INS] = "INSERT INTO plan_installments (plan_ref, seq, "
			     "due_on, amount) VALUES (?1, ?2, ?3, ?4)",
	[ST_PLAN_DECIDE] =
		"UPDATE plans SET status = ?2, decided_by = ?3, decided_at = ?4 "
		"WHERE ref = ?1 AND status = 'proposed'",
	[ST_PLAN_CASE] = "SELECT case_ref FROM plans WHERE ref = ?1",
	[ST_PLANS_OF_CASE] =
		"SELECT p.ref, p.status, p.starts_on, i.seq, i.due_on, i.amount "
		"FROM plans p JOIN plan_installments i ON i.plan_ref = p.ref "
		"WHERE p.case_ref = ?1 ORDER BY p.ref, i.seq",
	[ST_CASE_PAID] =
		"SELECT COALESCE(SUM(pay.amount), 0) FROM accounts a "
		"CROSS JOIN payments pay ON pay.account_ref = a.ref "
		"WHERE a.case_ref = ?1 AND pay.paid_on >= ?2 AND pay.paid_on <= ?3",
	[ST_TEAMS_SCAN] = "SELECT ref, name FROM teams ORDER BY name",
	[ST_TEAM_INS] = "INSERT INTO teams (name) VALUES (?1)",
	[ST_CASES_SPREAD] =
		"UPDATE cases SET collector_ref = ?1, team_ref = NULLIF(?2, 0), "
		"assigned_on = CAST(julianday('now') - 2440587.5 AS INTEGER) "
		"WHERE ref % ?3 = ?4",
	[ST_RECORD_INS] =
		"INSERT INTO contact_records (case_ref, user_ref, at, channel, "
		"contact_id, outcome, note, recording_ref, next_follow_up, "
		"second_staff_ref, third_party_reason) VALUES (?1, ?2, ?3, ?4, "
		"?5, ?6, ?7, ?8, ?9, NULLIF(?10, 0), ?11)",
	[ST_RECORDS_LIST] =
		"SELECT ref, case_ref, user_ref, COALESCE(second_staff_ref, 0), at, "
		"channel, contact_id, outcome, note, recording_ref, next_follow_up "
		"FROM contact_records WHERE case_ref = ?1 ORDER BY at DESC, ref DESC",
	[ST_PROMISE_TAKE] =
		"INSERT INTO promises (case_ref, made_on, due_on, amount, user_ref) "
		"VALUES (?1, ?2, ?3, ?4, ?5)",
	[ST_CONTACT_OF_DEBTOR] =
		"SELECT 1 FROM contacts WHERE debtor_ref = ?1 AND contact_id = ?2",
	[ST_CASE_ACCOUNTS] =
		"SELECT a.ref, a.account_id, a.product, a.open_date, a.annual_ppm, "
		"a.penalty_ppm, " STATE_COLS " FROM accounts a "
		"LEFT JOIN account_state s ON s.account_ref = a.ref "
		"WHERE a.case_ref = ?1 ORDER BY a.account_id",
	[ST_ACCOUNT_PAYMENTS] =
		"SELECT payment_id, paid_on, amount, channel FROM payments "
		"WHERE account_ref = ?1 ORDER BY paid_on, ref",
	[ST_DEBTOR_CONTACTS] =
		"SELECT contact_id, relation, name, phone, authorized, validity, "
		"COALESCE(source, ''), stopped_at IS NOT NULL, "
		"COALESCE(email, '') FROM contacts "
		"WHERE debtor_ref = ?1 ORDER BY contact_id",
#define CONVERSATION "('reached_debtor', 'promised', 'refused', 'disputes', " \
		     "'claims_paid', 'hardship')"
	/* ?1 debtor, ?2 contact (NULL: none), ?3 day start, ?4 week start */
	[ST_CONTACT_COUNTS] =
		"SELECT COALESCE(sum(r.at >= ?3 AND r.outcome IN " CONVERSATION
		"), 0), COALESCE(sum(r.at >= ?3 AND r.contact_id = ?2 AND "
		"r.outcome IN ('no_answer', 'busy', 'switched_off', "
		"'left_message')), 0), COALESCE(sum(r.channel = 'call'), 0), "
		"COALESCE(max(CASE WHEN r.outcome IN " CONVERSATION
		" THEN r.at END), 0) FROM cases c JOIN contact_records r "
		"ON r.case_ref = c.ref WHERE c.debtor_ref = ?1 AND r.at >= ?4",
	[ST_LAST_CONVERSATION] =
		"SELECT COALESCE(max(r.at), 0) FROM cases c JOIN contact_records r "
		"ON r.case_ref = c.ref WHERE c.debtor_ref = ?1 AND r.outcome IN "
		CONVERSATION,
	[ST_CONTACT_STOP] =
		"UPDATE contacts SET stopped_at = COALESCE(stopped_at, ?3), "
		"stop_reason = COALESCE(stop_reason, ?4) "
		"WHERE debtor_ref = ?1 AND contact_id = ?2",
	[ST_STOP_INS] =
		"INSERT INTO contact_stops (debtor_ref, channel, reason, note, "
		"created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_STOP_DEBTOR] = "SELECT debtor_ref, lifted_at IS NULL "
			   "FROM contact_stops WHERE ref = ?1",
	[ST_STOP_LIFT] =
		"UPDATE contact_stops SET lifted_by = ?2, lifted_at = ?3, "
		"lift_reason = ?4 WHERE ref = ?1 AND lifted_at IS NULL",
	[ST_STOPS] =
		"SELECT ref, debtor_ref, channel, reason, note, created_by, "
		"created_at, COALESCE(lifted_by, 0), COALESCE(lifted_at, 0), "
		"COALESCE(lift_reason, '') FROM contact_stops "
		"WHERE debtor_ref = ?1 AND (NOT ?2 OR lifted_at IS NULL) ORDER BY ref",
	/* A demand restarts the limitation period when it reached the
	 * debtor: a conversation, or a letter or message delivered. */
	[ST_LIMITATION] =
		"SELECT a.ref, a.account_id, CASE WHEN s.first_unpaid_due > "
		"-2147483648 AND s.first_unpaid_due < s.win_start THEN "
		"s.first_unpaid_due END, (SELECT max(paid_on) FROM payments p "
		"WHERE p.account_ref = a.ref), (SELECT max(r.at) FROM "
		"contact_records r WHERE r.case_ref = a.case_ref AND (r.outcome "
		"IN " CONVERSATION " OR r.outcome = 'delivered')) "
		"FROM accounts a LEFT JOIN account_state s ON s.account_ref = a.ref "
		"WHERE a.case_ref = ?1 ORDER BY a.account_id",
	[ST_CASE_PROMISES] =
		"SELECT ref, made_on, due_on, amount, status FROM promises "
		"WHERE case_ref = ?1 ORDER BY made_on, ref",
	[ST_EOD_RUN] =
		"INSERT INTO eod_runs (as_of, finished_at, accounts, replayed, "
		"advanced, crossed, transitions) VALUES (?1, "
		"strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?2, ?3, ?4, ?5, ?6)",
	[ST_EOD_PART_INS] =
		"INSERT INTO eod_parts (as_of, lo, hi, accounts, replayed, "
		"advanced, crossed, transitions, totals) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[ST_EOD_PARTS_SCAN] =
		"SELECT lo, hi, accounts, replayed, advanced, crossed, "
		"transitions, totals FROM eod_parts WHERE as_of = ?1 ORDER BY lo",
	[ST_EOD_PARTS_DEL] = "DELETE FROM eod_parts WHERE as_of = ?1",
};

#define DYN_STMTS 16

struct dyn_stmt {
	char *sql;
	sqlite3_stmt *st;
};

struct sqlite_store {
	struct hk_store base;
	sqlite3 *db;
	sqlite3_stmt *stmt[ST_COUNT];
	struct dyn_stmt dyn[DYN_STMTS]; /* built queries, by text */
	unsigned dyn_next;
	/* the area files' statements (store_sqlite.h: sq_stmt), by the
	 * address of their static text */
	const char **area_sql;
	sqlite3_stmt **area_st;
	int n_area, cap_area;
};

static struct sqlite_store *S(struct hk_store *s)
{
	return (struct sqlite_store *)s;
}

static enum hk_rc db_error(struct sqlite_store *ss, struct hk_err *err,
			   const char *what)
{
	const char *detail = sqlite3_errmsg(ss->db);
	int code = sqlite3_extended_errcode(ss->db);

	if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
		return hk_err_set(err, HK_EDB, "%s: %s (%s)", what, detail,
				  HK_TR(ss->base.lang,
					"数据库正被另一进程使用，请稍后重试",
					"the database is in use by another process; try again shortly"));
	return hk_err_set(err, HK_EDB, "%s: %s", what, detail);
}

/* The prepared statement for `id`, reset and unbound. */
static sqlite3_stmt *stmt_get(struct sqlite_store *ss, enum stmt_id id,
			      struct hk_err *err)
{
	if (!ss->stmt[id]) {
		if (sqlite3_prepare_v3(ss->db, stmt_sql[id], -1,
				       SQLITE_PREPARE_PERSISTENT, &ss->stmt[id],
				       NULL) != SQLITE_OK) {
			db_error(ss, err, "could not prepare statement");
			return NULL;
		}
	}
	return ss->stmt[id];
}

static void stmt_done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* Bind a possibly empty text: NULL and "" both become SQL NULL. */
static void bind_text(sqlite3_stmt *st, int i, const char *text)
{
	if (text && *text)
		sqlite3_bind_text(st, i, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/* Step a statement that returns no rows. */
static enum hk_rc exec_stmt(struct sqlite_store *ss, sqlite3_stmt *st,
			    struct hk_err *err, const char *what)
{
	int rc = sqlite3_step(st);
	enum hk_rc out = HK_OK;

	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		out = db_error(ss, err, what);
	stmt_done(st);
	return out;
}

static enum hk_rc exec_sql(struct sqlite_store *ss, const char *sql,
			   struct hk_err *err)
{
	char *msg = NULL;

	if (sqlite3_exec(ss->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		enum hk_rc rc = hk_err_set(err, HK_EDB, "%s", msg ? msg : "?");
		sqlite3_free(msg);
		return rc;
	}
	return HK_OK;
}

/* ---- what the area files share (store_sqlite.h) ---------------------- */

sqlite3 *sq_db(struct hk_store *s)
{
	return S(s)->db;
}

sqlite3_stmt *sq_stmt(struct hk_store *s, const char *sql, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st;

	for (int i = 0; i < ss->n_area; i++)
		if (ss->area_sql[i] == sql)
			return ss->area_st[i];
	if (sqlite3_prepare_v3(ss->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
			       NULL) != SQLITE_OK) {
		db_error(ss, err, "could not prepare statement");
		return NULL;
	}
	if (ss->n_area == ss->cap_area) {
		ss->cap_area = ss->cap_area ? 2 * ss->cap_area : 32;
		ss->area_sql = hk_realloc(ss->area_sql,
					  (size_t)ss->cap_area * sizeof(*ss->area_sql));
		ss->area_st = hk_realloc(ss->area_st,
					 (size_t)ss->cap_area * sizeof(*ss->area_st));
	}
	ss->area_sql[ss->n_area] = sql;
	ss->area_st[ss->n_area++] = st;
	return st;
}

void sq_stmt_done(sqlite3_stmt *st)
{
	stmt_done(st);
}

enum hk_rc sq_fail(struct hk_store *s, struct hk_err *err, const char *what)
{
	return db_error(S(s), err, what);
}

enum hk_rc sq_exec(struct hk_store *s, sqlite3_stmt *st, struct hk_err *err,
		   const char *what)
{
	return exec_stmt(S(s), st, err, what);
}

void sq_bind_text(sqlite3_stmt *st, int i, const char *text)
{
	bind_text(st, i, text);
}

void sq_bind_str(sqlite3_stmt *st, int i, const char *text)
{
	if (text)
		sqlite3_bind_text(st, i, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

void sq_col_copy(sqlite3_stmt *st, int col, char *dst, size_t cap)
{
	const unsigned char *v = sqlite3_column_text(st, col);

	snprintf(dst, cap, "%s", v ? (const char *)v : "");
}

char *sq_col_dup(sqlite3_stmt *st, int col)
{
	const unsigned char *v = sqlite3_column_text(st, col);
	size_t n = v ? (size_t)sqlite3_column_bytes(st, col) : 0;
	char *out = hk_malloc(n + 1);

	if (n)
		memcpy(out, v, n);
	out[n] = '\0';
	return out;
}

/* ====================================================================
 * Connection, schema, transactions, meta
 * ==================================================================== */

static void sq_close(struct hk_store *s)
{
	struct sqlite_store *ss = S(s);

	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(ss->stmt[i]);
	for (int i = 0; i < DYN_STMTS; i++) {
		sqlite3_finalize(ss->dyn[i].st);
		free(ss->dyn[i].sql);
	}
	for (int i = 0; i < ss->n_area; i++)
		sqlite3_finalize(ss->area_st[i]);
	free(ss->area_st);
	free(ss->area_sql);
	sqlite3_close(ss->db);
	free(ss);
}

static enum hk_rc sq_serve_reads(struct hk_store *s, struct hk_err *err)
{
	/* 4 GiB of address space, shared with the OS page cache: reads of a
	 * hot page cost no system call and no copy. */
	return exec_sql(S(s), "PRAGMA mmap_size = 4294967296;", err);
}

static enum hk_rc sq_schema_version(struct hk_store *s, int *version,
				    struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st;

	*version = 0;
	if (sqlite3_prepare_v2(ss->db, "PRAGMA user_version", -1, &st, NULL) !=
	    SQLITE_OK)
		return db_error(ss, err, "could not read the schema version");
	if (sqlite3_step(st) == SQLITE_ROW)
		*version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return HK_OK;
}

static enum hk_rc sq_migrate(struct hk_store *s, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	int version, latest = 0;
	enum hk_rc rc;

	while (hk_sqlite_migrations[latest])
		latest++;
	if ((rc = exec_sql(ss, "BEGIN IMMEDIATE", err)) != HK_OK)
		return rc;
	if ((rc = sq_schema_version(s, &version, err)) != HK_OK)
		goto fail;
	if (version > latest) {
		rc = hk_err_set(err, HK_EREFUSED,
				HK_TR(s->lang,
				      "数据库结构版本 %d 比本程序支持的 %d 更新；请升级 huikuan",
				      "the database schema version %d is newer than this program's %d; upgrade huikuan"),
				version, latest);
		goto fail;
	}
	for (; version < latest; version++) {
		char pragma[48];

		if ((rc = exec_sql(ss, hk_sqlite_migrations[version], err)) != HK_OK)
			goto fail;
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d",
			 version + 1);
		if ((rc = exec_sql(ss, pragma, err)) != HK_OK)
			goto fail;
	}
	return exec_sql(ss, "COMMIT", err);
fail:
	exec_sql(ss, "ROLLBACK", NULL);
	return rc;
}

static enum hk_rc sq_begin(struct hk_store *s, struct hk_err *err)
{
	return exec_sql(S(s), "BEGIN IMMEDIATE", err);
}

static enum hk_rc sq_commit(struct hk_store *s, struct hk_err *err)
{
	return exec_sql(S(s), "COMMIT", err);
}

static enum hk_rc sq_rollback(struct hk_store *s)
{
	struct sqlite_store *ss = S(s);

	if (sqlite3_get_autocommit(ss->db))
		return HK_OK;
	return exec_sql(ss, "ROLLBACK", NULL);
}

static enum hk_rc sq_meta_get(struct hk_store *s, const char *key, char *buf,
			      size_t cap, bool *found, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_META_GET, err);
	int rc;

	*found = false;
	if (!st)
		return HK_EDB;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*found = true;
		snprintf(buf, cap, "%s", (const char *)sqlite3_column_text(st, 0));
	} else if (rc != SQLITE_DONE) {
		stmt_done(st);
		return db_error(ss, err, "could not read a setting");
	}
	stmt_done(st);
	return HK_OK;
}

static enum hk_rc sq_meta_set(struct hk_store *s, const char *key,
			      const char *value, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_META_SET, err);

	if (!st)
		return HK_EDB;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	return exec_stmt(ss, st, err, "could not save a setting");
}

/* ====================================================================
 * Import
 * ==================================================================== */

static enum hk_rc sq_lookup(struct hk_store *s, int kind, const char *id,
			    struct hk_found *out, struct hk_err *err)
{
	static const enum stmt_id by_kind[] = {
		[HK_ID_DEBTOR] = ST_LOOKUP_DEBTOR,
		[HK_ID_CONTACT] = ST_LOOKUP_CONTACT,
		[HK_ID_ACCOUNT] = ST_LOOKUP_ACCOUNT,
		[HK_ID_PAYMENT] = ST_LOOKUP_PAYMENT,
	};
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	if (kind < HK_ID_DEBTOR || kind > HK_ID_PAYMENT)
		return hk_err_set(err, HK_EINTERNAL, "bad lookup kind %d", kind);
	if (!(st = stmt_get(ss, by_kind[kind], err)))
		return HK_EDB;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->ref = sqlite3_column_int64(st, 0);
		if (kind == HK_ID_DEBTOR) {
			const char *k = (const char *)sqlite3_column_text(st, 1);
			out->kind = (k && !strcmp(k, "company")) ? HK_DEBTOR_COMPANY
								 : HK_DEBTOR_PERSON;
		} else if (kind == HK_ID_ACCOUNT) {
			out->case_ref = sqlite3_column_int64(st, 1);
			out->open_date = sqlite3_column_int(st, 2);
			out->principal = sqlite3_column_int64(st, 3);
			out->has_schedule = sqlite3_column_int(st, 4) != 0;
		}
	} else if (rc != SQLITE_DONE) {
		stmt_done(st);
		return db_error(ss, err, "could not look up an id");
	}
	stmt_done(st);
	return HK_OK;
}

static enum hk_rc sq_insert_debtor(struct hk_store *s,
				   const struct hk_debtor_rec *r,
				   struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_INS_DEBTOR, err);

	if (!st)
		return HK_EDB;
	bind_text(st, 1, r->debtor_id);
	bind_text(st, 2, r->name);
	bind_text(st, 3, r->kind == HK_DEBTOR_COMPANY ? "company" : "person");
	bind_text(st, 4, r->id_number);
	bind_text(st, 5, r->phone);
	bind_text(st, 6, r->segment);
	bind_text(st, 7, r->province);
	bind_text(st, 8, r->city);
	bind_text(st, 9, r->address);
	bind_text(st, 10, r->employer);
	return exec_stmt(ss, st, err, "could not insert a debtor");
}

static enum hk_rc sq_insert_contact(struct hk_store *s,
				    const struct hk_contact_rec *r,
				    struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_INS_CONTACT, err);

	if (!st)
		return HK_EDB;
	bind_text(st, 1, r->contact_id);
	sqlite3_bind_int64(st, 2, r->debtor_ref);
	bind_text(st, 3, r->relation);
	bind_text(st, 4, r->name);
	bind_text(st, 5, r->phone);
	sqlite3_bind_int(st, 6, r->authorized);
	return exec_stmt(ss, st, err, "could not insert a contact");
}

static enum hk_rc sq_case_find(struct hk_store *s, int64_t debtor_ref,
			       const char *creditor, int64_t *case_ref,
			       struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_FIND_CASE, err);
	int rc;

	*case_ref = 0;
	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, debtor_ref);
	sqlite3_bind_text(st, 2, creditor, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*case_ref = sqlite3_column_int64(st, 0);
	stmt_done(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(ss, err, "could not look up a case");
	return HK_OK;
}

static enum hk_rc sq_insert_account(struct hk_store *s,
				    const struct hk_account_rec *r,
				    struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_INS_CASE, err);
	int64_t case_ref;
	int step;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, r->debtor_ref);
	bind_text(st, 2, r->creditor);
	sqlite3_bind_int(st, 3, 1 << r->product);
	step = sqlite3_step(st);
	case_ref = step == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	if (step == SQLITE_ROW)
		step = sqlite3_step(st);
	stmt_done(st);
	if (step != SQLITE_DONE || !case_ref)
		return db_error(ss, err, "could not insert a case");
	if (!(st = stmt_get(ss, ST_INS_ACCOUNT, err)))
		return HK_EDB;
	bind_text(st, 1, r->account_id);
	sqlite3_bind_int64(st, 2, r->debtor_ref);
	sqlite3_bind_int64(st, 3, case_ref);
	bind_text(st, 4, r->creditor);
	bind_text(st, 5, hk_product_name(r->product));
	sqlite3_bind_int64(st, 6, r->principal);
	sqlite3_bind_int(st, 7, r->annual_ppm);
	sqlite3_bind_int(st, 8, r->penalty_ppm);
	sqlite3_bind_int(st, 9, r->open_date);
	return exec_stmt(ss, st, err, "could not insert an account");
}

static enum hk_rc sq_insert_installment(struct hk_store *s,
					const struct hk_installment_rec *r,
					struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_INS_INSTALLMENT, err);

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, r->account_ref);
	sqlite3_bind_int(st, 2, r->seq);
	sqlite3_bind_int(st, 3, r->due);
	sqlite3_bind_int64(st, 4, r->principal);
	sqlite3_bind_int64(st, 5, r->interest);
	sqlite3_bind_int64(st, 6, r->fee);
	return exec_stmt(ss, st, err, "could not insert an installment");
}

static enum hk_rc sq_insert_payment(struct hk_store *s,
				    const struct hk_payment_rec *r,
				    struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_INS_PAYMENT, err);

	if (!st)
		return HK_EDB;
	bind_text(st, 1, r->payment_id);
	sqlite3_bind_int64(st, 2, r->account_ref);
	sqlite3_bind_int(st, 3, r->paid_on);
	sqlite3_bind_int64(st, 4, r->amount);
	bind_text(st, 5, r->channel);
	bind_text(st, 6, r->reference);
	return exec_stmt(ss, st, err, "could not insert a payment");
}

static enum hk_rc sq_insert_waiver(struct hk_store *s,
				   const struct hk_waiver_rec *r,
				   struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_INS_WAIVER, err);

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, r->account_ref);
	sqlite3_bind_int(st, 2, r->approved_on);
	sqlite3_bind_int(st, 3, r->component);
	sqlite3_bind_int64(st, 4, r->amount);
	bind_text(st, 5, r->approved_by);
	bind_text(st, 6, r->reason);
	return exec_stmt(ss, st, err, "could not insert a waiver");
}

static enum hk_rc sq_insert_promise(struct hk_store *s,
				    const struct hk_promise_rec *r,
				    struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_INS_PROMISE, err);

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, r->case_ref);
	sqlite3_bind_int(st, 2, r->made_on);
	sqlite3_bind_int(st, 3, r->due_on);
	sqlite3_bind_int64(st, 4, r->amount);
	return exec_stmt(ss, st, err, "could not insert a promise");
}

/* ====================================================================
 * Day-end
 * ==================================================================== */

static enum hk_rc sq_account_max_ref(struct hk_store *s, int64_t *max_ref,
				     struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_MAX_REF, err);

	*max_ref = 0;
	if (!st)
		return HK_EDB;
	if (sqlite3_step(st) == SQLITE_ROW)
		*max_ref = sqlite3_column_int64(st, 0);
	stmt_done(st);
	return HK_OK;
}

/* Fill an account row from ST_ACCOUNTS_SCAN / ST_ACCOUNTS_BY_ID columns. */
static void read_acct_row(sqlite3_stmt *st, struct hk_acct_row *row)
{
	struct hk_summary *sm = &row->summary;

	row->ref = sqlite3_column_int64(st, 0);
	row->account_id = (const char *)sqlite3_column_text(st, 1);
	row->lean = false;
	if (sqlite3_column_type(st, 2) == SQLITE_INTEGER) {
		row->product = sqlite3_column_int(st, 2); /* state row: code */
	} else {
		const char *product = (const char *)sqlite3_column_text(st, 2);
		row->product = hk_product_parse(product, strlen(product));
	}
	row->open_date = sqlite3_column_int(st, 3);
	row->annual_ppm = sqlite3_column_int(st, 4);
	row->penalty_ppm = sqlite3_column_int(st, 5);
	row->case_ref = sqlite3_column_int64(st, 20);
	row->has_state = sqlite3_column_type(st, 6) != SQLITE_NULL;
	if (!row->has_state) {
		memset(sm, 0, sizeof(*sm));
		return;
	}
	sm->anchor = sqlite3_column_int(st, 6);
	sm->win_start = sqlite3_column_int(st, 7);
	sm->win_end = sqlite3_column_int(st, 8);
	sm->first_unpaid_due = sqlite3_column_int(st, 9);
	sm->overdue_principal = sqlite3_column_int64(st, 10);
	sm->overdue_interest = sqlite3_column_int64(st, 11);
	sm->overdue_fee = sqlite3_column_int64(st, 12);
	sm->penalty_due = sqlite3_column_int64(st, 13);
	sm->penalty_accrued = sqlite3_column_int64(st, 14);
	sm->daily_penalty = sqlite3_column_int64(st, 15);
	sm->principal_outstanding = sqlite3_column_int64(st, 16);
	sm->credit_balance = sqlite3_column_int64(st, 17);
	sm->paid_total = sqlite3_column_int64(st, 18);
	sm->waived_total = sqlite3_column_int64(st, 19);
}

/* Fill a lean row from ST_ACCOUNTS_SCAN's columns. */
static void read_lean_row(sqlite3_stmt *st, struct hk_acct_row *row)
{
	struct hk_summary *sm = &row->summary;

	memset(row, 0, sizeof(*row));
	row->ref = sqlite3_column_int64(st, 0);
	row->has_state = true;
	row->lean = true;
	sm->win_start = sqlite3_column_int(st, 1);
	sm->win_end = sqlite3_column_int(st, 2);
	sm->first_unpaid_due = sqlite3_column_int(st, 3);
	sm->overdue_principal = sqlite3_column_int64(st, 4);
	sm->overdue_interest = sqlite3_column_int64(st, 5);
	sm->overdue_fee = sqlite3_column_int64(st, 6);
	sm->penalty_due = sqlite3_column_int64(st, 7);
	sm->daily_penalty = sqlite3_column_int64(st, 8);
	sm->principal_outstanding = sqlite3_column_int64(st, 9);
	row->case_ref = sqlite3_column_int64(st, 10);
	row->dims = sqlite3_column_int64(st, 11);
}

static enum hk_rc scan_accounts(struct sqlite_store *ss, sqlite3_stmt *st,
				bool lean, hk_acct_fn fn, void *ctx,
				struct hk_err *err)
{
	struct hk_acct_row row;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (lean)
			read_lean_row(st, &row);
		else
			read_acct_row(st, &row);
		if (fn(ctx, &row)) {
			stmt_done(st);
			return err && err->code ? err->code : HK_EINTERNAL;
		}
	}
	stmt_done(st);
	if (rc != SQLITE_DONE)
		return db_error(ss, err, "could not read accounts");
	return HK_OK;
}

static enum hk_rc sq_accounts_scan(struct hk_store *s, int64_t lo, int64_t hi,
				   hk_acct_fn fn, void *ctx, struct hk_err *err)
{
	const enum stmt_id ids[] = {ST_ACCOUNTS_SCAN,
				    s->batch_writer ? ST_ACCOUNTS_SCAN_NEW_ANY
						    : ST_ACCOUNTS_SCAN_NEW};
	struct sqlite_store *ss = S(s);
	enum hk_rc rc = HK_OK;

	/* Every ref of the first query is below every ref of the second, so
	 * the rows come in ref order. */
	for (size_t i = 0; i < 2 && rc == HK_OK; i++) {
		sqlite3_stmt *st = stmt_get(ss, ids[i], err);

		if (!st)
			return HK_EDB;
		sqlite3_bind_int64(st, 1, lo);
		sqlite3_bind_int64(st, 2, hi);
		rc = scan_accounts(ss, st, ids[i] == ST_ACCOUNTS_SCAN, fn, ctx,
				   err);
	}
	return rc;
}

static enum hk_rc sq_account_get(struct hk_store *s, int64_t ref,
				 struct hk_acct_row *row, bool *found,
				 struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_ACCOUNT_GET, err);
	int rc;

	*found = false;
	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, ref);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		read_acct_row(st, row);
		row->account_id = NULL;
		row->lean = false;
		*found = true;
	}
	stmt_done(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(ss, err, "could not read an account");
	return HK_OK;
}

static enum hk_rc sq_accounts_scan_by_id(struct hk_store *s, hk_acct_fn fn,
					 void *ctx, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_ACCOUNTS_BY_ID, err);

	if (!st)
		return HK_EDB;
	return scan_accounts(ss, st, false, fn, ctx, err);
}

static enum hk_rc sq_facts_scan(struct hk_store *s, int32_t as_of,
				hk_fact_fn fn, void *ctx, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_FACTS_SCAN, err);
	struct hk_fact_row row;
	int rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int(st, 1, as_of);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int kind = sqlite3_column_int(st, 1);

		row.account_ref = sqlite3_column_int64(st, 0);
		row.kind = kind == 0   ? HK_FACT_PAYMENT
			   : kind == 1 ? HK_FACT_WAIVER
				       : HK_FACT_SCHEDULE;
		row.date = row.kind == HK_FACT_SCHEDULE
				   ? HK_DATE_NONE
				   : sqlite3_column_int(st, 2);
		row.component = (uint8_t)sqlite3_column_int(st, 3);
		row.amount = sqlite3_column_int64(st, 4);
		if (fn(ctx, &row)) {
			stmt_done(st);
			return err && err->code ? err->code : HK_EINTERNAL;
		}
	}
	stmt_done(st);
	if (rc != SQLITE_DONE)
		return db_error(ss, err, "could not read new facts");
	return HK_OK;
}

static enum hk_rc sq_installments_load(struct hk_store *s, int64_t account_ref,
				       hk_inst_fn fn, void *ctx,
				       struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_INST_LOAD, err);
	struct hk_inst in;
	int rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, account_ref);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		in.seq = sqlite3_column_int(st, 0);
		in.due = sqlite3_column_int(st, 1);
		in.sched_principal = sqlite3_column_int64(st, 2);
		in.sched_interest = sqlite3_column_int64(st, 3);
		in.sched_fee = sqlite3_column_int64(st, 4);
		in.principal = sqlite3_column_int64(st, 5);
		in.interest = sqlite3_column_int64(st, 6);
		in.fee = sqlite3_column_int64(st, 7);
		in.penalty = sqlite3_column_int64(st, 8);
		in.penalty_accrued = sqlite3_column_int64(st, 9);
		if (fn(ctx, &in)) {
			stmt_done(st);
			return err && err->code ? err->code : HK_EINTERNAL;
		}
	}
	stmt_done(st);
	if (rc != SQLITE_DONE)
		return db_error(ss, err, "could not read installments");
	return HK_OK;
}

static enum hk_rc sq_events_load(struct hk_store *s, int64_t account_ref,
				 int32_t after, int32_t to, hk_event_fn fn,
				 void *ctx, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_EVENTS_LOAD, err);
	struct hk_event ev;
	int rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, account_ref);
	sqlite3_bind_int(st, 2, after);
	sqlite3_bind_int(st, 3, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ev.date = sqlite3_column_int(st, 0);
		ev.kind = (uint8_t)sqlite3_column_int(st, 1);
		ev.component = (uint8_t)sqlite3_column_int(st, 2);
		ev.amount = sqlite3_column_int64(st, 3);
		if (fn(ctx, &ev)) {
			stmt_done(st);
			return err && err->code ? err->code : HK_EINTERNAL;
		}
	}
	stmt_done(st);
	if (rc != SQLITE_DONE)
		return db_error(ss, err, "could not read payments and waivers");
	return HK_OK;
}

static enum hk_rc sq_installments_save(struct hk_store *s, int64_t account_ref,
				       const struct hk_inst *inst, size_t n,
				       struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_INST_SAVE, err);
	enum hk_rc rc;

	if (!st)
		return HK_EDB;
	for (size_t i = 0; i < n; i++) {
		sqlite3_bind_int64(st, 1, account_ref);
		sqlite3_bind_int(st, 2, inst[i].seq);
		sqlite3_bind_int64(st, 3, inst[i].principal);
		sqlite3_bind_int64(st, 4, inst[i].interest);
		sqlite3_bind_int64(st, 5, inst[i].fee);
		sqlite3_bind_int64(st, 6, inst[i].penalty);
		sqlite3_bind_int64(st, 7, inst[i].penalty_accrued);
		rc = exec_stmt(ss, st, err, "could not save an installment");
		if (rc != HK_OK)
			return rc;
	}
	return HK_OK;
}

/* What an account's state gives its case in case_overdue (migrations 11,
 * 16, 18): its first unpaid due date when overdue all through the state's
 * window (a due date passing unpaid ends the window, hk_ledger_summarize),
 * else INT32_MAX; and its total overdue as a base and a daily slope (zero
 * for an account with nothing overdue). */
struct overdue_share {
	int32_t since;
	int64_t base, daily;
};

static struct overdue_share overdue_share(const struct hk_summary *sm)
{
	struct overdue_share o = {
		.since = sm->first_unpaid_due != HK_DATE_NONE &&
					 sm->first_unpaid_due < sm->win_start
				 ? sm->first_unpaid_due
				 : INT32_MAX,
		.base = sm->overdue_principal + sm->overdue_interest +
			sm->overdue_fee + sm->penalty_due -
			sm->daily_penalty * sm->win_start,
		.daily = sm->daily_penalty};

	return o;
}

/* Move a case's row in case_overdue for one account going from `was` to
 * `now`: the sums by the difference; the date to the new one when
 * earlier, and when the account that held the oldest date catches up, to
 * what the case's accounts say is left.  No date left: no row. */
static enum hk_rc case_overdue_move(struct sqlite_store *ss, int64_t case_ref,
				    struct overdue_share was,
				    struct overdue_share now, struct hk_err *err)
{
	struct overdue_share cur = {.since = INT32_MAX}, next;
	sqlite3_stmt *st = stmt_get(ss, ST_OVERDUE_GET, err);
	enum stmt_id id;
	int rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, case_ref);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		cur.since = sqlite3_column_int(st, 0);
		cur.base = sqlite3_column_int64(st, 1);
		cur.daily = sqlite3_column_int64(st, 2);
	}
	stmt_done(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(ss, err, "could not read a case's overdue row");
	next.since = cur.since;
	next.base = cur.base + now.base - was.base;
	next.daily = cur.daily + now.daily - was.daily;
	if (now.since < cur.since) {
		next.since = now.since;
	} else if (was.since == cur.since && now.since > was.since) {
		if (!(st = stmt_get(ss, ST_OVERDUE_MIN, err)))
			return HK_EDB;
		sqlite3_bind_int64(st, 1, case_ref);
		rc = sqlite3_step(st);
		next.since = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : INT32_MAX;
		stmt_done(st);
		if (rc != SQLITE_ROW)
			return db_error(ss, err, "could not read a case's overdue date");
	}
	if (next.since == cur.since && next.base == cur.base &&
	    next.daily == cur.daily)
		return HK_OK;
	id = next.since == INT32_MAX ? ST_OVERDUE_DEL
	     : cur.since == INT32_MAX ? ST_OVERDUE_INS
				      : ST_OVERDUE_SET;
	if (!(st = stmt_get(ss, id, err)))
		return HK_EDB;
	sqlite3_bind_int64(st, 1, case_ref);
	if (id != ST_OVERDUE_DEL) {
		sqlite3_bind_int(st, 2, next.since);
		sqlite3_bind_int64(st, 3, next.base);
		sqlite3_bind_int64(st, 4, next.daily);
	}
	return exec_stmt(ss, st, err, "could not update a case's overdue row");
}

static enum hk_rc sq_state_save(struct hk_store *s,
				const struct hk_acct_row *row,
				const struct hk_summary *sm, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st;
	/* What the stored state gave the case: day-end saves an account
	 * once a run, from the row it read (lean rows carry what is needed). */
	struct overdue_share was = {.since = INT32_MAX}, now = overdue_share(sm);
	int64_t case_ref = row->case_ref;
	enum hk_rc rc;

	if (row->has_state)
		was = overdue_share(&row->summary);
	if (!(st = stmt_get(ss, ST_STATE_SAVE, err)))
		return HK_EDB;
	sqlite3_bind_int64(st, 1, row->ref);
	sqlite3_bind_int(st, 17, row->product);
	sqlite3_bind_int(st, 18, row->open_date);
	sqlite3_bind_int(st, 19, row->annual_ppm);
	sqlite3_bind_int(st, 20, row->penalty_ppm);
	sqlite3_bind_int64(st, 21, case_ref);
	sqlite3_bind_int(st, 3, sm->anchor);
	sqlite3_bind_int(st, 4, sm->win_start);
	sqlite3_bind_int(st, 5, sm->win_end);
	sqlite3_bind_int(st, 6, sm->first_unpaid_due);
	sqlite3_bind_int64(st, 7, sm->overdue_principal);
	sqlite3_bind_int64(st, 8, sm->overdue_interest);
	sqlite3_bind_int64(st, 9, sm->overdue_fee);
	sqlite3_bind_int64(st, 10, sm->penalty_due);
	sqlite3_bind_int64(st, 11, sm->penalty_accrued);
	sqlite3_bind_int64(st, 12, sm->daily_penalty);
	sqlite3_bind_int64(st, 13, sm->principal_outstanding);
	sqlite3_bind_int64(st, 14, sm->credit_balance);
	sqlite3_bind_int64(st, 15, sm->paid_total);
	sqlite3_bind_int64(st, 16, sm->waived_total);
	if ((rc = exec_stmt(ss, st, err, "could not save an account's state")) !=
	    HK_OK)
		return rc;

	/* Only overdue accounts owe the case anything here. */
	if (was.since == INT32_MAX && now.since == INT32_MAX)
		return HK_OK;
	return case_overdue_move(ss, case_ref, was, now, err);
}

static enum hk_rc sq_facts_mark_booked(struct hk_store *s, int32_t as_of,
				       struct hk_err *err)
{
	/* Order matters: defer the new facts dated later while the old
	 * watermarks still tell which are new, then move the watermarks. */
	static const enum stmt_id ids[] = {ST_BOOK_DEFER, ST_BOOK_UNDEFER,
					   ST_BOOK_MARKS, ST_BOOK_INSTALLMENTS};
	struct sqlite_store *ss = S(s);

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		sqlite3_stmt *st = stmt_get(ss, ids[i], err);
		enum hk_rc rc;

		if (!st)
			return HK_EDB;
		if (ids[i] == ST_BOOK_DEFER || ids[i] == ST_BOOK_UNDEFER)
			sqlite3_bind_int(st, 1, as_of);
		if ((rc = exec_stmt(ss, st, err, "could not mark facts booked")) !=
		    HK_OK)
			return rc;
	}
	return HK_OK;
}

static const char *bucket_name_or(const char *name)
{
	return name && *name ? name : "?";
}

static enum hk_rc sq_transition_record(struct hk_store *s, int64_t account_ref,
				       int32_t as_of, const char *from,
				       const char *to, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_TRANS_GET, err);
	char first_from[HK_BUCKET_NAME_MAX] = "";
	bool exists = false;
	int rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, account_ref);
	sqlite3_bind_int(st, 2, as_of);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		exists = true;
		snprintf(first_from, sizeof(first_from), "%s",
			 (const char *)sqlite3_column_text(st, 0));
	}
	stmt_done(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(ss, err, "could not read a bucket transition");

	if (!exists)
		st = stmt_get(ss, ST_TRANS_INS, err);
	else if (!strcmp(first_from, to))
		st = stmt_get(ss, ST_TRANS_DEL, err); /* moved back: no change that day */
	else
		st = stmt_get(ss, ST_TRANS_UPD, err);
	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, account_ref);
	sqlite3_bind_int(st, 2, as_of);
	if (!exists) {
		sqlite3_bind_text(st, 3, bucket_name_or(from), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, bucket_name_or(to), -1, SQLITE_STATIC);
	} else if (strcmp(first_from, to)) {
		sqlite3_bind_text(st, 3, bucket_name_or(to), -1, SQLITE_STATIC);
	}
	return exec_stmt(ss, st, err, "could not record a bucket transition");
}

static enum hk_rc sq_day_totals_save(struct hk_store *s, int32_t as_of,
				     const struct hk_bucket_table *buckets,
				     const struct hk_bucket_totals *totals,
				     struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_TOTALS_DEL, err);
	enum hk_rc rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int(st, 1, as_of);
	if ((rc = exec_stmt(ss, st, err, "could not replace day totals")) != HK_OK)
		return rc;
	if (!(st = stmt_get(ss, ST_TOTALS_INS, err)))
		return HK_EDB;
	for (int b = 0; b < buckets->n; b++) {
		const struct hk_bucket_totals *t = &totals[b];

		sqlite3_bind_int(st, 1, as_of);
		sqlite3_bind_text(st, 2, buckets->name[b], -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, b);
		sqlite3_bind_int64(st, 4, t->accounts);
		sqlite3_bind_int64(st, 5, t->overdue_principal);
		sqlite3_bind_int64(st, 6, t->overdue_interest);
		sqlite3_bind_int64(st, 7, t->overdue_fee);
		sqlite3_bind_int64(st, 8, t->penalty_due);
		sqlite3_bind_int64(st, 9, t->total_overdue);
		sqlite3_bind_int64(st, 10, t->principal_outstanding);
		if ((rc = exec_stmt(ss, st, err, "could not save day totals")) !=
		    HK_OK)
			return rc;
	}
	return HK_OK;
}

static enum hk_rc sq_promises_scan(struct hk_store *s, int32_t as_of,
				   hk_promise_fn fn, void *ctx,
				   struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_PROMISES_SCAN, err);
	struct hk_promise_row row;
	int rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int(st, 1, as_of);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row.ref = sqlite3_column_int64(st, 0);
		row.made_on = sqlite3_column_int(st, 1);
		row.due_on = sqlite3_column_int(st, 2);
		row.amount = sqlite3_column_int64(st, 3);
		row.status = sqlite3_column_int(st, 4);
		row.evaluated = sqlite3_column_int(st, 5) != 0;
		row.paid = sqlite3_column_int64(st, 6);
		if (fn(ctx, &row)) {
			stmt_done(st);
			return err && err->code ? err->code : HK_EINTERNAL;
		}
	}
	stmt_done(st);
	if (rc != SQLITE_DONE)
		return db_error(ss, err, "could not read promises");
	return HK_OK;
}

static enum hk_rc sq_promise_set_status(struct hk_store *s, int64_t ref,
					int status, int32_t as_of,
					struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_PROMISE_SET, err);

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, ref);
	sqlite3_bind_int(st, 2, status);
	sqlite3_bind_int(st, 3, as_of);
	return exec_stmt(ss, st, err, "could not save a promise's status");
}

static enum hk_rc sq_eod_run_record(struct hk_store *s,
				    const struct hk_eod_run_rec *rec,
				    struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_EOD_RUN, err);

	if (!st)
		return HK_EDB;
	sqlite3_bind_int(st, 1, rec->as_of);
	sqlite3_bind_int64(st, 2, rec->accounts);
	sqlite3_bind_int64(st, 3, rec->replayed);
	sqlite3_bind_int64(st, 4, rec->advanced);
	sqlite3_bind_int64(st, 5, rec->crossed);
	sqlite3_bind_int64(st, 6, rec->transitions);
	return exec_stmt(ss, st, err, "could not record the day-end run");
}

static enum hk_rc sq_eod_part_save(struct hk_store *s, int32_t as_of,
				   const struct hk_eod_part *part,
				   struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_EOD_PART_INS, err);
	char totals[HK_EOD_TOTALS_TEXT];

	if (!st)
		return HK_EDB;
	hk_eod_totals_text(part->totals, totals, sizeof(totals));
	sqlite3_bind_int(st, 1, as_of);
	sqlite3_bind_int64(st, 2, part->lo);
	sqlite3_bind_int64(st, 3, part->hi);
	sqlite3_bind_int64(st, 4, part->accounts);
	sqlite3_bind_int64(st, 5, part->replayed);
	sqlite3_bind_int64(st, 6, part->advanced);
	sqlite3_bind_int64(st, 7, part->crossed);
	sqlite3_bind_int64(st, 8, part->transitions);
	sqlite3_bind_text(st, 9, totals, -1, SQLITE_STATIC);
	return exec_stmt(ss, st, err, "could not record a day-end chunk");
}

static enum hk_rc sq_eod_parts_scan(struct hk_store *s, int32_t as_of,
				    hk_eod_part_fn fn, void *ctx,
				    struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_EOD_PARTS_SCAN, err);
	struct hk_eod_part part;
	int rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int(st, 1, as_of);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&part, 0, sizeof(part));
		part.lo = sqlite3_column_int64(st, 0);
		part.hi = sqlite3_column_int64(st, 1);
		part.accounts = sqlite3_column_int64(st, 2);
		part.replayed = sqlite3_column_int64(st, 3);
		part.advanced = sqlite3_column_int64(st, 4);
		part.crossed = sqlite3_column_int64(st, 5);
		part.transitions = sqlite3_column_int64(st, 6);
		if (hk_eod_totals_parse((const char *)sqlite3_column_text(st, 7),
					part.totals) != HK_OK) {
			stmt_done(st);
			return hk_err_set(err, HK_EDB,
					  "day-end chunk %lld: unreadable totals",
					  (long long)part.lo);
		}
		if (fn(ctx, &part)) {
			stmt_done(st);
			return err && err->code ? err->code : HK_EINTERNAL;
		}
	}
	stmt_done(st);
	if (rc != SQLITE_DONE)
		return db_error(ss, err, "could not read the day-end chunks");
	return HK_OK;
}

static enum hk_rc sq_eod_parts_clear(struct hk_store *s, int32_t as_of,
				     struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_EOD_PARTS_DEL, err);

	if (!st)
		return HK_EDB;
	sqlite3_bind_int(st, 1, as_of);
	return exec_stmt(ss, st, err, "could not clear the day-end chunks");
}

/* ====================================================================
 * People and access
 * ==================================================================== */

static void copy_text(char *dst, size_t cap, const unsigned char *src)
{
	snprintf(dst, cap, "%s", src ? (const char *)src : "");
}

static enum hk_rc sq_user_count(struct hk_store *s, int64_t *count,
				struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_USER_COUNT, err);

	*count = 0;
	if (!st)
		return HK_EDB;
	if (sqlite3_step(st) == SQLITE_ROW)
		*count = sqlite3_column_int64(st, 0);
	stmt_done(st);
	return HK_OK;
}

static enum hk_rc sq_user_create(struct hk_store *s, struct hk_user *u,
				 int64_t now, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_USER_INS, err);
	int rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_text(st, 1, u->username, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, u->display_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, hk_role_name(u->role), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, u->team_ref);
	sqlite3_bind_text(st, 5, u->password_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, u->must_change);
	sqlite3_bind_int64(st, 7, now);
	sqlite3_bind_int64(st, 8, u->agency_ref);
	rc = sqlite3_step(st);
	stmt_done(st);
	if (rc == SQLITE_CONSTRAINT)
		return hk_err_set(err, HK_EREFUSED,
				  HK_TR(s->lang, "用户名 %s 已被使用",
					"the username %s is taken"),
				  u->username);
	if (rc != SQLITE_DONE)
		return db_error(ss, err, "could not create a user");
	u->ref = sqlite3_last_insert_rowid(ss->db);
	return HK_OK;
}

static void read_user(sqlite3_stmt *st, struct hk_user *u);

static enum hk_rc sq_user_get(struct hk_store *s, const char *username,
			      int64_t ref, struct hk_user *u, bool *found,
			      struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, username ? ST_USER_BY_NAME
						 : ST_USER_BY_REF, err);
	int rc;

	*found = false;
	if (!st)
		return HK_EDB;
	if (username)
		sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 1, ref);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		read_user(st, u);
		*found = true;
	}
	stmt_done(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(ss, err, "could not read a user");
	return HK_OK;
}

/* A date column; NULL is HK_DATE_NONE. */
static int32_t column_date(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL
		       ? HK_DATE_NONE
		       : sqlite3_column_int(st, i);
}

static void read_user(sqlite3_stmt *st, struct hk_user *u)
{
	{
		memset(u, 0, sizeof(*u));
		u->ref = sqlite3_column_int64(st, 0);
		copy_text(u->username, sizeof(u->username),
			  sqlite3_column_text(st, 1));
		copy_text(u->display_name, sizeof(u->display_name),
			  sqlite3_column_text(st, 2));
		u->role = hk_role_parse((const char *)sqlite3_column_text(st, 3));
		u->team_ref = sqlite3_column_int64(st, 4);
		copy_text(u->password_hash, sizeof(u->password_hash),
			  sqlite3_column_text(st, 5));
		u->must_change = sqlite3_column_int(st, 6) != 0;
		u->active = sqlite3_column_int(st, 7) != 0;
		u->failed_logins = sqlite3_column_int(st, 8);
		u->locked_until = sqlite3_column_int64(st, 9);
		u->agency_ref = sqlite3_column_int64(st, 10);
		u->capacity = sqlite3_column_int(st, 11);
		u->absent_from = column_date(st, 12);
		u->absent_until = column_date(st, 13);
	}
}

static enum hk_rc sq_user_update(struct hk_store *s, const struct hk_user *u,
				 struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_USER_UPDATE, err);

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, u->ref);
	sqlite3_bind_text(st, 2, u->display_name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, u->team_ref);
	sqlite3_bind_int64(st, 4, u->agency_ref);
	sqlite3_bind_int(st, 5, u->active);
	sqlite3_bind_int(st, 6, u->capacity);
	sqlite3_bind_int(st, 7, u->absent_from);
	sqlite3_bind_int(st, 8, u->absent_until);
	return exec_stmt(ss, st, err, "could not update a user");
}

/* ---- agencies and placements (委外) ---- */

static enum hk_rc sq_agency_create(struct hk_store *s, const char *name,
				   int64_t at, int64_t *ref, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_AGENCY_INS, err);
	int rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, at);
	rc = sqlite3_step(st);
	stmt_done(st);
	if (rc == SQLITE_CONSTRAINT)
		return hk_err_set(err, HK_EREFUSED,
				  HK_TR(s->lang, "已有名为 %s 的机构",
					"there is already an agency named %s"),
				  name);
	if (rc != SQLITE_DONE)
		return db_error(ss, err, "could not create an agency");
	*ref = sqlite3_last_insert_rowid(ss->db);
	return HK_OK;
}

static enum hk_rc sq_agencies_scan(struct hk_store *s,
				   int (*fn)(void *, int64_t, const char *),
				   void *ctx, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_AGENCIES_SCAN, err);
	int rc;

	if (!st)
		return HK_EDB;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(ctx, sqlite3_column_int64(st, 0),
		   (const char *)sqlite3_column_text(st, 1));
	stmt_done(st);
	return rc == SQLITE_DONE ? HK_OK
				 : db_error(ss, err, "could not read agencies");
}

static enum hk_rc set_case_agency(struct sqlite_store *ss, int64_t case_ref,
				  int64_t agency_ref, struct hk_err *err)
{
	sqlite3_stmt *st = stmt_get(ss, ST_PLACE_CASE, err);

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, case_ref);
	sqlite3_bind_int64(st, 2, agency_ref);
	return exec_stmt(ss, st, err, "could not place a case");
}

static enum hk_rc sq_case_place(struct hk_store *s, int64_t case_ref,
				int64_t agency_ref, int64_t contract_ref,
				int64_t user_ref, int64_t at, int32_t until,
				const char *reason, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_PLACE_INS, err);
	int rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, case_ref);
	sqlite3_bind_int64(st, 2, agency_ref);
	sqlite3_bind_int64(st, 3, user_ref);
	sqlite3_bind_int64(st, 4, at);
	sqlite3_bind_int(st, 5, until);
	sqlite3_bind_text(st, 6, reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, contract_ref);
	rc = sqlite3_step(st);
	stmt_done(st);
	if (rc == SQLITE_CONSTRAINT)
		return hk_err_set(err, HK_EREFUSED,
				  HK_TR(s->lang, "案件已委外，请先收回",
					"the case is placed already; recall it first"));
	if (rc != SQLITE_DONE)
		return db_error(ss, err, "could not place a case");
	return set_case_agency(ss, case_ref, agency_ref, err);
}

static enum hk_rc sq_case_facts_scan(
	struct hk_store *s, int32_t as_of, bool changed,
	const struct hk_fact_need *need,
	int (*fn)(void *, const struct hk_case_fact_row *), void *ctx,
	struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(
		ss, changed ? ST_CASE_FACTS_CHANGED : ST_CASE_FACTS, err);
	struct hk_case_fact_row r;
	char debtor[512];
	int rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int(st, 1, as_of);
	sqlite3_bind_int(st, 2, (int)need->bits);
	sqlite3_bind_int(st, 3, need->debtor_lo);
	sqlite3_bind_int(st, 4, need->debtor_hi);
	sqlite3_bind_int(st, 5, need->due_lo);
	sqlite3_bind_int(st, 6, need->due_hi);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		/* the debtor's kind, ID number, segment and province, one
		 * lookup: "kind TAB id TAB segment TAB province" */
		const char *dt = (const char *)sqlite3_column_text(st, 5);
		const char *f[4] = {"", "", "", ""};

		if (dt && strlen(dt) < sizeof(debtor)) {
			char *p = memcpy(debtor, dt, strlen(dt) + 1);

			for (int i = 0; i < 4 && p; i++) {
				char *tab = strchr(p, '\t');

				f[i] = p;
				if (tab)
					*tab++ = '\0';
				p = tab;
			}
		}
		r.case_ref = sqlite3_column_int64(st, 0);
		r.overdue_since = sqlite3_column_int(st, 1);
		r.total_overdue = sqlite3_column_int64(st, 2);
		r.products = (unsigned)sqlite3_column_int(st, 3);
		r.creditor = (const char *)sqlite3_column_text(st, 4);
		r.kind = f[0];
		r.id_number = f[1];
		r.segment = f[2];
		r.province = f[3];
		r.promise_status = sqlite3_column_int(st, 9);
		r.dispute_open = sqlite3_column_int(st, 10) != 0;
		r.lost_contact = sqlite3_column_int(st, 11) != 0;
		r.last_contact_at = sqlite3_column_int64(st, 12);
		r.last_paid_on = column_date(st, 13);
		r.next_due = column_date(st, 14);
		r.outcomes = (const char *)sqlite3_column_text(st, 15);
		r.has_plan = sqlite3_column_int(st, 16) != 0;
		r.due_daily = sqlite3_column_int64(st, 17);
		r.status = (const char *)sqlite3_column_text(st, 18);
		r.collector_ref = sqlite3_column_int64(st, 19);
		r.team_ref = sqlite3_column_int64(st, 20);
		r.agency_ref = sqlite3_column_int64(st, 21);
		r.held_for = sqlite3_column_int64(st, 22);
		r.assigned_on = column_date(st, 23);
		r.last_promise_on = column_date(st, 24);
		r.strategy_ref = sqlite3_column_int64(st, 25);
		r.rule_no = sqlite3_column_int(st, 26);
		r.arm_no = sqlite3_column_int(st, 27);
		r.recheck_on = sqlite3_column_int(st, 28);
		if (fn(ctx, &r))
			break;
	}
	stmt_done(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW
		       ? HK_OK
		       : db_error(ss, err, "could not read case facts");
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/* A case's history row as of `since`; ref 0: ended. */
static enum hk_rc treatment_history_add(struct sqlite_store *ss,
					int64_t case_ref, int32_t since,
					int64_t strategy_ref, int rule_no,
					int arm_no, int64_t base_overdue,
					bool rerun, struct hk_err *err)
{
	sqlite3_stmt *st;
	enum hk_rc rc;

	if (rerun) {
		if (!(st = stmt_get(ss, ST_TREAT_HIST_DEL, err)))
			return HK_EDB;
		sqlite3_bind_int64(st, 1, case_ref);
		sqlite3_bind_int(st, 2, since);
		if ((rc = exec_stmt(ss, st, err, "could not record a treatment")) !=
		    HK_OK)
			return rc;
	}
	if (!(st = stmt_get(ss, ST_TREAT_HIST, err)))
		return HK_EDB;
	sqlite3_bind_int64(st, 1, case_ref);
	sqlite3_bind_int(st, 2, since);
	sqlite3_bind_int64(st, 3, strategy_ref);
	sqlite3_bind_int(st, 4, rule_no);
	sqlite3_bind_int(st, 5, arm_no);
	sqlite3_bind_int64(st, 6, base_overdue);
	return exec_stmt(ss, st, err, "could not record a treatment");
}

static enum hk_rc sq_treatment_save(struct hk_store *s,
				    const struct hk_treatment_rec *t,
				    bool rerun, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_TREAT_SAVE, err);
	enum hk_rc rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, t->case_ref);
	sqlite3_bind_int64(st, 2, t->strategy_ref);
	sqlite3_bind_int(st, 3, t->rule_no);
	sqlite3_bind_int(st, 4, t->arm_no);
	sqlite3_bind_int(st, 5, t->priority);
	sqlite3_bind_int(st, 6, t->since);
	sqlite3_bind_int(st, 7, t->recheck_on);
	if ((rc = exec_stmt(ss, st, err, "could not save a treatment")) != HK_OK)
		return rc;
	return treatment_history_add(ss, t->case_ref, t->since, t->strategy_ref,
				     t->rule_no, t->arm_no, t->base_overdue,
				     rerun, err);
}

static enum hk_rc sq_treatment_get(struct hk_store *s, int64_t case_ref,
				   struct hk_treatment_rec *t, bool *found,
				   struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_TREAT_GET, err);
	int rc;

	*found = false;
	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, case_ref);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		t->case_ref = case_ref;
		t->strategy_ref = sqlite3_column_int64(st, 0);
		t->rule_no = sqlite3_column_int(st, 1);
		t->arm_no = sqlite3_column_int(st, 2);
		t->priority = sqlite3_column_int(st, 3);
		t->since = sqlite3_column_int(st, 4);
		t->recheck_on = sqlite3_column_int(st, 5);
		*found = true;
	}
	stmt_done(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE
		       ? HK_OK
		       : db_error(ss, err, "could not read a treatment");
}

static enum hk_rc sq_treatment_recheck(struct hk_store *s, int64_t case_ref,
				       int32_t recheck_on, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_TREAT_RECHECK, err);

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, case_ref);
	sqlite3_bind_int(st, 2, recheck_on);
	return exec_stmt(ss, st, err, "could not save a treatment");
}

static enum hk_rc sq_treatment_clear(struct hk_store *s, int64_t case_ref,
				     int32_t on, bool rerun, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_TREAT_DEL, err);
	enum hk_rc rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, case_ref);
	if ((rc = exec_stmt(ss, st, err, "could not end a treatment")) != HK_OK)
		return rc;
	return treatment_history_add(ss, case_ref, on, 0, -1, -1, 0, rerun,
				     err);
}

static enum hk_rc sq_cases_mark_changed(struct hk_store *s,
					const int64_t *refs, size_t n,
					struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	enum hk_rc rc = exec_sql(ss,
				 "CREATE TEMP TABLE IF NOT EXISTS day_changed "
				 "(case_ref INTEGER PRIMARY KEY);"
				 "DELETE FROM temp.day_changed;",
				 err);

	for (size_t i = 0; i < n && rc == HK_OK; i++) {
		sqlite3_stmt *st;

		if (i && refs[i] == refs[i - 1])
			continue;
		if (!(st = stmt_get(ss, ST_DIRTY_MARK, err)))
			return HK_EDB;
		sqlite3_bind_int64(st, 1, refs[i]);
		rc = exec_stmt(ss, st, err, "could not mark a case changed");
	}
	return rc;
}

static enum hk_rc sq_case_changes_clear(struct hk_store *s, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_DIRTY_CLEAR, err);

	return st ? exec_stmt(ss, st, err, "could not clear the changed cases")
		  : HK_EDB;
}

static enum hk_rc sq_collectors_scan(
	struct hk_store *s, int32_t as_of, bool with_loads,
	int (*fn)(void *, const struct hk_collector_row *), void *ctx,
	struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_COLLECTORS, err);
	struct hk_collector_row r;
	int rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int(st, 1, as_of);
	sqlite3_bind_int(st, 2, with_loads);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		r.ref = sqlite3_column_int64(st, 0);
		r.team_ref = sqlite3_column_int64(st, 1);
		r.active = sqlite3_column_int(st, 2) != 0;
		r.capacity = sqlite3_column_int(st, 3);
		r.absent_from = column_date(st, 4);
		r.absent_until = column_date(st, 5);
		r.cases = sqlite3_column_int64(st, 6);
		r.overdue = sqlite3_column_int64(st, 7);
		fn(ctx, &r);
	}
	stmt_done(st);
	return rc == SQLITE_DONE ? HK_OK
				 : db_error(ss, err, "could not read collectors");
}

static enum hk_rc sq_case_allocate(struct hk_store *s,
				   const struct hk_allocation_rec *a,
				   struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_ALLOCATE, err);
	enum hk_rc rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, a->case_ref);
	sqlite3_bind_int64(st, 2, a->collector_ref);
	sqlite3_bind_int64(st, 3, a->team_ref);
	sqlite3_bind_int64(st, 4, a->held_for);
	sqlite3_bind_int(st, 5, a->on_date);
	if ((rc = exec_stmt(ss, st, err, "could not assign a case")) != HK_OK)
		return rc;
	if (!(st = stmt_get(ss, ST_ALLOCATION_INS, err)))
		return HK_EDB;
	sqlite3_bind_int64(st, 1, a->case_ref);
	sqlite3_bind_int(st, 2, a->on_date);
	sqlite3_bind_int64(st, 3, a->at);
	sqlite3_bind_int64(st, 4, a->from_collector);
	sqlite3_bind_int64(st, 5, a->collector_ref);
	sqlite3_bind_int64(st, 6, a->team_ref);
	sqlite3_bind_text(st, 7, a->kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, a->by_user);
	bind_text_or_null(st, 9, a->reason);
	return exec_stmt(ss, st, err, "could not record an assignment");
}

static enum hk_rc sq_strategy_insert(struct hk_store *s, const char *name,
				     const char *body, int64_t user_ref,
				     int64_t at, bool published, int64_t *ref,
				     struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_STRAT_INS, err);
	enum hk_rc rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, published ? "published" : "draft", -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(st, 3, body, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, user_ref);
	sqlite3_bind_int64(st, 5, at);
	if ((rc = exec_stmt(ss, st, err, "could not save a strategy")) == HK_OK)
		*ref = sqlite3_last_insert_rowid(ss->db);
	return rc;
}

/* Run a one-row change that only a draft allows. */
static enum hk_rc draft_change(struct sqlite_store *ss, sqlite3_stmt *st,
			       struct hk_err *err)
{
	enum hk_rc rc = exec_stmt(ss, st, err, "could not change a strategy");

	if (rc == HK_OK && sqlite3_changes(ss->db) != 1)
		return hk_err_set(err, HK_EREFUSED, "%s",
				  HK_TR(ss->base.lang,
					"没有这个草稿：已发布的版本不可更改",
					"no such draft: a published version never changes"));
	return rc;
}

static enum hk_rc sq_strategy_update(struct hk_store *s, int64_t ref,
				     const char *name, const char *body,
				     struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_STRAT_UPD, err);

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, ref);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, body, -1, SQLITE_STATIC);
	return draft_change(ss, st, err);
}

static enum hk_rc sq_strategy_publish(struct hk_store *s, int64_t ref,
				      int64_t user_ref, int64_t at,
				      struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_STRAT_PUB, err);

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, ref);
	sqlite3_bind_int64(st, 2, user_ref);
	sqlite3_bind_int64(st, 3, at);
	return draft_change(ss, st, err);
}

static enum hk_rc sq_strategies_scan(
	struct hk_store *s, int64_t ref, bool with_body,
	int (*fn)(void *, const struct hk_strategy_version *), void *ctx,
	struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_STRAT_SCAN, err);
	struct hk_strategy_version v;
	int rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, ref);
	sqlite3_bind_int(st, 2, with_body);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v.ref = sqlite3_column_int64(st, 0);
		copy_text(v.name, sizeof(v.name), sqlite3_column_text(st, 1));
		copy_text(v.status, sizeof(v.status), sqlite3_column_text(st, 2));
		v.created_by = sqlite3_column_int64(st, 3);
		v.created_at = sqlite3_column_int64(st, 4);
		v.published_by = sqlite3_column_int64(st, 5);
		v.published_at = sqlite3_column_int64(st, 6);
		v.body = (const char *)sqlite3_column_text(st, 7);
		fn(ctx, &v);
	}
	stmt_done(st);
	return rc == SQLITE_DONE ? HK_OK
				 : db_error(ss, err, "could not read strategies");
}

static enum hk_rc sq_contract_create(struct hk_store *s,
				     const struct hk_contract *c,
				     int64_t user_ref, int64_t at, int64_t *ref,
				     struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_CONTRACT_INS, err);
	enum hk_rc rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, c->agency_ref);
	sqlite3_bind_int(st, 2, c->starts_on);
	sqlite3_bind_int(st, 3, c->ends_on);
	sqlite3_bind_int(st, 4, c->commission_ppm);
	sqlite3_bind_int64(st, 5, c->upfront_fee);
	sqlite3_bind_int(st, 6, c->may_settle);
	sqlite3_bind_int64(st, 7, user_ref);
	sqlite3_bind_int64(st, 8, at);
	if ((rc = exec_stmt(ss, st, err, "could not create a contract")) == HK_OK)
		*ref = sqlite3_last_insert_rowid(ss->db);
	return rc;
}

static enum hk_rc sq_contracts_of_agency(
	struct hk_store *s, int64_t agency_ref,
	int (*fn)(void *, const struct hk_contract *), void *ctx,
	struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_CONTRACTS, err);
	struct hk_contract c;
	int rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, agency_ref);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		c.ref = sqlite3_column_int64(st, 0);
		c.agency_ref = sqlite3_column_int64(st, 1);
		c.starts_on = sqlite3_column_int(st, 2);
		c.ends_on = sqlite3_column_int(st, 3);
		c.commission_ppm = sqlite3_column_int(st, 4);
		c.upfront_fee = sqlite3_column_int64(st, 5);
		c.may_settle = sqlite3_column_int(st, 6) != 0;
		fn(ctx, &c);
	}
	stmt_done(st);
	return rc == SQLITE_DONE ? HK_OK
				 : db_error(ss, err, "could not read contracts");
}

static enum hk_rc sq_agency_review_get(struct hk_store *s, int64_t agency_ref,
				       int32_t *next_review, bool *found,
				       struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_REVIEW_GET, err);
	int rc;

	*found = false;
	*next_review = HK_DATE_NONE;
	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, agency_ref);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*found = true;
		if (sqlite3_column_type(st, 0) != SQLITE_NULL)
			*next_review = sqlite3_column_int(st, 0);
	}
	stmt_done(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE
		       ? HK_OK
		       : db_error(ss, err, "could not read an agency");
}

static enum hk_rc sq_agency_review_set(struct hk_store *s, int64_t agency_ref,
				       int32_t next_review, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_REVIEW_SET, err);

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, agency_ref);
	sqlite3_bind_int(st, 2, next_review);
	return exec_stmt(ss, st, err, "could not set a review date");
}

static enum hk_rc sq_placements_expire(struct hk_store *s, int32_t as_of,
				       int64_t at, int *recalled,
				       struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_EXPIRE_CASES, err);
	enum hk_rc rc;

	*recalled = 0;
	if (!st)
		return HK_EDB;
	sqlite3_bind_int(st, 1, as_of);
	if ((rc = exec_stmt(ss, st, err, "could not recall placements")) != HK_OK ||
	    !(st = stmt_get(ss, ST_EXPIRE, err)))
		return rc != HK_OK ? rc : HK_EDB;
	sqlite3_bind_int(st, 1, as_of);
	sqlite3_bind_int64(st, 2, at);
	if ((rc = exec_stmt(ss, st, err, "could not recall placements")) == HK_OK)
		*recalled = sqlite3_changes(ss->db);
	return rc;
}

static enum hk_rc sq_agency_statement(
	struct hk_store *s, int64_t agency_ref, int32_t from, int32_t to,
	int (*fn)(void *, const struct hk_statement_row *), void *ctx,
	struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_STATEMENT, err);
	struct hk_statement_row r;
	int rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, agency_ref);
	sqlite3_bind_int(st, 2, from);
	sqlite3_bind_int(st, 3, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		r.placement_ref = sqlite3_column_int64(st, 0);
		r.case_ref = sqlite3_column_int64(st, 1);
		r.placed_on = sqlite3_column_int(st, 2);
		r.ends_on = sqlite3_column_int(st, 3);
		r.commission_ppm = sqlite3_column_int(st, 4);
		r.upfront_fee = sqlite3_column_int64(st, 5);
		r.recovered = sqlite3_column_int64(st, 6);
		fn(ctx, &r);
	}
	stmt_done(st);
	return rc == SQLITE_DONE ? HK_OK
				 : db_error(ss, err, "could not read a statement");
}

static enum hk_rc sq_case_recall(struct hk_store *s, int64_t case_ref,
				 int64_t user_ref, int64_t at,
				 const char *reason, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_RECALL, err);
	enum hk_rc rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, case_ref);
	sqlite3_bind_int64(st, 2, user_ref);
	sqlite3_bind_int64(st, 3, at);
	sqlite3_bind_text(st, 4, reason, -1, SQLITE_STATIC);
	if ((rc = exec_stmt(ss, st, err, "could not recall a case")) != HK_OK)
		return rc;
	if (sqlite3_changes(ss->db) != 1)
		return hk_err_set(err, HK_EREFUSED,
				  HK_TR(s->lang, "案件没有委外",
					"the case is not placed with an agency"));
	return set_case_agency(ss, case_ref, 0, err);
}

static const char *opt_text(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL
		       ? NULL
		       : (const char *)sqlite3_column_text(st, i);
}

static enum hk_rc sq_case_timeline(
	struct hk_store *s, int64_t case_ref, bool with_placements,
	int (*fn)(void *, const struct hk_timeline_row *), void *ctx,
	struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_TIMELINE, err);
	struct hk_timeline_row r;
	int rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, case_ref);
	sqlite3_bind_int(st, 2, with_placements);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		r.kind = (const char *)sqlite3_column_text(st, 0);
		r.at = sqlite3_column_int64(st, 1);
		r.date = sqlite3_column_type(st, 2) == SQLITE_NULL
				 ? HK_DATE_NONE
				 : sqlite3_column_int(st, 2);
		r.user_ref = sqlite3_column_int64(st, 3);
		r.ref = sqlite3_column_int64(st, 4);
		r.amount = sqlite3_column_type(st, 5) == SQLITE_NULL
				   ? -1
				   : sqlite3_column_int64(st, 5);
		r.date2 = sqlite3_column_type(st, 6) == SQLITE_NULL
				  ? HK_DATE_NONE
				  : sqlite3_column_int(st, 6);
		r.t1 = opt_text(st, 7);
		r.t2 = opt_text(st, 8);
		r.t3 = opt_text(st, 9);
		fn(ctx, &r);
	}
	stmt_done(st);
	return rc == SQLITE_DONE ? HK_OK
				 : db_error(ss, err, "could not read a case's timeline");
}

static enum hk_rc sq_placements_of_case(
	struct hk_store *s, int64_t case_ref,
	int (*fn)(void *, const struct hk_placement *), void *ctx,
	struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_PLACEMENTS, err);
	struct hk_placement p;
	int rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, case_ref);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&p, 0, sizeof(p));
		p.ref = sqlite3_column_int64(st, 0);
		p.case_ref = sqlite3_column_int64(st, 1);
		p.agency_ref = sqlite3_column_int64(st, 2);
		copy_text(p.agency, sizeof(p.agency), sqlite3_column_text(st, 3));
		p.placed_by = sqlite3_column_int64(st, 4);
		p.placed_at = sqlite3_column_int64(st, 5);
		p.until = sqlite3_column_int(st, 6);
		copy_text(p.reason, sizeof(p.reason), sqlite3_column_text(st, 7));
		p.recalled_by = sqlite3_column_int64(st, 8);
		p.recalled_at = sqlite3_column_int64(st, 9);
		copy_text(p.recall_reason, sizeof(p.recall_reason),
			  sqlite3_column_text(st, 10));
		p.contract_ref = sqlite3_column_int64(st, 11);
		fn(ctx, &p);
	}
	stmt_done(st);
	return rc == SQLITE_DONE ? HK_OK
				 : db_error(ss, err, "could not read placements");
}

static enum hk_rc sq_users_scan(struct hk_store *s,
				int (*fn)(void *ctx, const struct hk_user *u),
				void *ctx, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_USERS_SCAN, err);
	struct hk_user u;
	int rc;

	if (!st)
		return HK_EDB;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_user(st, &u);
		if (fn(ctx, &u)) {
			stmt_done(st);
			return HK_EINTERNAL;
		}
	}
	stmt_done(st);
	if (rc != SQLITE_DONE)
		return db_error(ss, err, "could not read users");
	return HK_OK;
}

static enum hk_rc sq_audit_last_hash(struct hk_store *s, char out[65],
				     struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_AUDIT_LAST, err);
	int rc;

	out[0] = '\0';
	if (!st)
		return HK_EDB;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		copy_text(out, 65, sqlite3_column_text(st, 0));
	stmt_done(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(ss, err, "could not read the audit trail");
	return HK_OK;
}

static enum hk_rc sq_audit_append(struct hk_store *s,
				  const struct hk_audit_rec *r,
				  struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_AUDIT_INS, err);

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, r->at);
	sqlite3_bind_int64(st, 2, r->user_ref);
	sqlite3_bind_text(st, 3, r->client, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, r->action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, r->target, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, r->detail, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, r->prev_hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, r->hash, -1, SQLITE_STATIC);
	return exec_stmt(ss, st, err, "could not append to the audit trail");
}

static enum hk_rc sq_audit_scan(struct hk_store *s, hk_audit_fn fn, void *ctx,
				struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_AUDIT_SCAN, err);
	struct hk_audit_rec r;
	int rc;

	if (!st)
		return HK_EDB;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&r, 0, sizeof(r));
		r.ref = sqlite3_column_int64(st, 0);
		r.at = sqlite3_column_int64(st, 1);
		r.user_ref = sqlite3_column_int64(st, 2);
		copy_text(r.client, sizeof(r.client), sqlite3_column_text(st, 3));
		copy_text(r.action, sizeof(r.action), sqlite3_column_text(st, 4));
		copy_text(r.target, sizeof(r.target), sqlite3_column_text(st, 5));
		copy_text(r.detail, sizeof(r.detail), sqlite3_column_text(st, 6));
		copy_text(r.prev_hash, sizeof(r.prev_hash),
			  sqlite3_column_text(st, 7));
		copy_text(r.hash, sizeof(r.hash), sqlite3_column_text(st, 8));
		if (fn(ctx, &r)) {
			stmt_done(st);
			return HK_EINTERNAL;
		}
	}
	stmt_done(st);
	if (rc != SQLITE_DONE)
		return db_error(ss, err, "could not read the audit trail");
	return HK_OK;
}

static enum hk_rc sq_user_set_login_state(struct hk_store *s, int64_t ref,
					  int failed_logins,
					  int64_t locked_until,
					  struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_USER_LOGIN, err);

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, ref);
	sqlite3_bind_int(st, 2, failed_logins);
	sqlite3_bind_int64(st, 3, locked_until);
	return exec_stmt(ss, st, err, "could not record a log-in attempt");
}

static enum hk_rc sq_user_set_password(struct hk_store *s, int64_t ref,
				       const char *hash, bool must_change,
				       struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_USER_PASSWORD, err);

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, ref);
	sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, must_change);
	return exec_stmt(ss, st, err, "could not change a password");
}

static enum hk_rc sq_session_create(struct hk_store *s, const char *token_hash,
				    const struct hk_session *se, int64_t now,
				    struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_SESSION_INS, err);

	if (!st)
		return HK_EDB;
	sqlite3_bind_text(st, 1, token_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, se->user_ref);
	sqlite3_bind_text(st, 3, se->bearer ? "bearer" : "cookie", -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(st, 4, se->csrf, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, now);
	sqlite3_bind_int64(st, 6, se->expires_at);
	return exec_stmt(ss, st, err, "could not create a session");
}

static enum hk_rc sq_session_get(struct hk_store *s, const char *token_hash,
				 int64_t now, struct hk_session *se,
				 bool *found, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_SESSION_GET, err);
	int rc;

	*found = false;
	if (!st)
		return HK_EDB;
	sqlite3_bind_text(st, 1, token_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		memset(se, 0, sizeof(*se));
		se->user_ref = sqlite3_column_int64(st, 0);
		se->bearer = !strcmp((const char *)sqlite3_column_text(st, 1),
				     "bearer");
		copy_text(se->csrf, sizeof(se->csrf), sqlite3_column_text(st, 2));
		se->expires_at = sqlite3_column_int64(st, 3);
		*found = true;
	}
	stmt_done(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(ss, err, "could not read a session");
	return HK_OK;
}

static enum hk_rc delete_by(struct sqlite_store *ss, enum stmt_id id,
			    const char *text, int64_t ref, struct hk_err *err)
{
	sqlite3_stmt *st = stmt_get(ss, id, err);

	if (!st)
		return HK_EDB;
	if (text)
		sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 1, ref);
	return exec_stmt(ss, st, err, "could not end a session");
}

static enum hk_rc sq_session_delete(struct hk_store *s, const char *token_hash,
				    struct hk_err *err)
{
	return delete_by(S(s), ST_SESSION_DEL, token_hash, 0, err);
}

static enum hk_rc sq_sessions_delete_user(struct hk_store *s, int64_t user_ref,
					  struct hk_err *err)
{
	return delete_by(S(s), ST_SESSION_DEL_USER, NULL, user_ref, err);
}

/* ====================================================================
 * Cases
 * ==================================================================== */

static enum hk_rc sq_case_get(struct hk_store *s, int64_t case_ref,
			      const struct hk_scope *sc, struct hk_case_rec *c,
			      bool *found, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_CASE_GET, err);
	int rc;

	*found = false;
	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, case_ref);
	sqlite3_bind_int(st, 2, sc->all);
	sqlite3_bind_int64(st, 3, sc->collector_ref);
	sqlite3_bind_int64(st, 4, sc->team_ref);
	sqlite3_bind_int64(st, 5, sc->agency_ref);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		memset(c, 0, sizeof(*c));
		c->ref = sqlite3_column_int64(st, 0);
		copy_text(c->creditor, sizeof(c->creditor), sqlite3_column_text(st, 1));
		copy_text(c->status, sizeof(c->status), sqlite3_column_text(st, 2));
		c->collector_ref = sqlite3_column_int64(st, 3);
		c->team_ref = sqlite3_column_int64(st, 4);
		c->agency_ref = sqlite3_column_int64(st, 5);
		c->debtor_ref = sqlite3_column_int64(st, 6);
		copy_text(c->debtor_id, sizeof(c->debtor_id), sqlite3_column_text(st, 7));
		copy_text(c->name, sizeof(c->name), sqlite3_column_text(st, 8));
		copy_text(c->kind, sizeof(c->kind), sqlite3_column_text(st, 9));
		copy_text(c->id_number, sizeof(c->id_number), sqlite3_column_text(st, 10));
		copy_text(c->phone, sizeof(c->phone), sqlite3_column_text(st, 11));
		copy_text(c->segment, sizeof(c->segment), sqlite3_column_text(st, 12));
		copy_text(c->province, sizeof(c->province), sqlite3_column_text(st, 13));
		copy_text(c->city, sizeof(c->city), sqlite3_column_text(st, 14));
		c->lost_contact = sqlite3_column_int(st, 15) != 0;
		copy_text(c->address, sizeof(c->address), sqlite3_column_text(st, 16));
		*found = true;
	}
	stmt_done(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(ss, err, "could not read a case");
	return HK_OK;
}

/* The case list's query is put together from the filters given, so that
 * each scope and sort reaches its index (one prepared statement with
 * "?x IS NULL OR ..." for every filter would scan).  The texts are few
 * (scope kind × filters × sort), so each connection keeps the statements it
 * has prepared, by text. */
static sqlite3_stmt *dyn_stmt(struct sqlite_store *ss, const char *sql,
			      struct hk_err *err)
{
	struct dyn_stmt *d;

	for (int i = 0; i < DYN_STMTS; i++)
		if (ss->dyn[i].sql && !strcmp(ss->dyn[i].sql, sql))
			return ss->dyn[i].st;
	d = &ss->dyn[ss->dyn_next++ % DYN_STMTS];
	sqlite3_finalize(d->st);
	free(d->sql);
	d->sql = NULL;
	if (sqlite3_prepare_v3(ss->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
			       &d->st, NULL) != SQLITE_OK) {
		d->st = NULL;
		db_error(ss, err, "could not prepare statement");
		return NULL;
	}
	d->sql = hk_strndup(sql, strlen(sql));
	return d->st;
}

static void bind_named_int(sqlite3_stmt *st, const char *name, int64_t v)
{
	sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, name), v);
}

static void bind_named_text(sqlite3_stmt *st, const char *name, const char *v)
{
	sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, name), v, -1,
			  SQLITE_STATIC);
}

/* A case's total overdue at :asof (migration 18): a current case owes
 * nothing overdue and has no case_overdue row. */
#define CASE_DUE "COALESCE(o.due_base + o.due_daily * :asof, 0)"

/* Which cases a query arm reads (sq_cases_list). */
enum list_arm {
	ARM_ALL,     /* every case, its overdue date joined in */
	ARM_OVERDUE, /* overdue cases only, from case_overdue's indexes */
	ARM_CURRENT, /* cases with nothing overdue */
};

/* Build, run and report one arm of the case list; *rows counts the lines
 * given to fn. */
static enum hk_rc list_arm(struct sqlite_store *ss, enum list_arm arm,
			   const struct hk_scope *sc,
			   const struct hk_case_filter *f, int32_t as_of,
			   int limit, int (*fn)(void *, const struct hk_case_line *),
			   void *ctx, int *rows, struct hk_err *err)
{
	static const char *const key[] = {
		[HK_SORT_DPD] = "0" /* the date column is the key */,
		[HK_SORT_ID] = "c.ref", [HK_SORT_OVERDUE] = CASE_DUE,
		[HK_SORT_FOLLOW_UP] = "c.next_follow_up",
		[HK_SORT_PRIORITY] = "COALESCE(t.priority, 0)"};
	/* the scope's columns: the overdue arm filters on case_overdue's
	 * copies, so the scope and the date are one index range */
	const char *t = arm == ARM_OVERDUE ? "o" : "c";
	const char *due = arm == ARM_CURRENT ? "0" : CASE_DUE;
	const char *os = arm == ARM_OVERDUE   ? "o.overdue_since"
			 : arm == ARM_CURRENT ? "2147483647"
					      : "COALESCE(o.overdue_since, 2147483647)";
	char sql[2048];
	size_t n = 0;
	sqlite3_stmt *st;
	struct hk_case_line l;
	int32_t fud_lo = INT32_MIN, fud_hi = INT32_MAX;
	int rc;

#define ADD(...) (n += (size_t)snprintf(sql + n, sizeof(sql) - n, __VA_ARGS__))
	ADD("SELECT c.ref, c.creditor, c.status, d.debtor_id, d.name, "
	    "COALESCE(c.collector_ref, 0), COALESCE(c.team_ref, 0), "
	    "(SELECT count(*) FROM accounts a WHERE a.case_ref = c.ref), "
	    "%s, %s, 0, "
	    "c.next_follow_up, COALESCE(c.promise_status, -1), c.lost_contact, "
	    "%s FROM ",
	    os, due, key[f->sort]);
	/* The overdue arm reads its scope's date index in order, whatever
	 * else filters: the planner, blind to LIMIT, would otherwise sort
	 * every match of a selective filter (48,000 broken promises). */
	if (f->sort == HK_SORT_PRIORITY)
		/* the queue: the scope's first cases by priority are picked
		 * from the narrow rows, and only they are joined (a filter
		 * other than the scope's is not applied before the limit) */
		ADD("(SELECT o2.* FROM case_overdue o2 INDEXED BY %s "
		    "LEFT JOIN case_treatment t2 ON t2.case_ref = o2.case_ref "
		    "WHERE %s ORDER BY COALESCE(t2.priority, 0) DESC, "
		    "o2.overdue_since, o2.case_ref LIMIT :limit) o "
		    "JOIN cases c ON c.ref = o.case_ref "
		    "LEFT JOIN case_treatment t ON t.case_ref = o.case_ref ",
		    sc->collector_ref ? "case_overdue_collector"
		    : sc->team_ref    ? "case_overdue_team"
		    : sc->agency_ref  ? "case_overdue_agency"
				      : "case_overdue_all",
		    sc->all             ? "1"
		    : sc->collector_ref ? "o2.collector_ref = :scope"
		    : sc->team_ref      ? "o2.team_ref = :scope"
		    : sc->agency_ref    ? "o2.agency_ref = :scope"
					: "0");
	else if (arm == ARM_OVERDUE)
		ADD("case_overdue o INDEXED BY %s JOIN cases c ON c.ref = o.case_ref ",
		    f->promise_status >= 0 ? "case_overdue_promise"
		    : sc->collector_ref || (sc->all && f->collector_ref)
			    ? "case_overdue_collector"
		    : sc->team_ref || (sc->all && f->team_ref)
			    ? "case_overdue_team"
		    : sc->agency_ref ? "case_overdue_agency"
				     : "case_overdue_all");
	else if (arm == ARM_CURRENT)
		ADD("cases c ");
	else
		ADD("cases c LEFT JOIN case_overdue o ON o.case_ref = c.ref ");
	ADD("JOIN debtors d ON d.ref = c.debtor_ref WHERE 1");
	if (arm == ARM_CURRENT)
		ADD(" AND NOT EXISTS (SELECT 1 FROM case_overdue o "
		    "WHERE o.case_ref = c.ref)");
	if (sc->all)
		;
	else if (sc->collector_ref)
		ADD(" AND %s.collector_ref = :scope", t);
	else if (sc->team_ref)
		ADD(" AND %s.team_ref = :scope", t);
	else if (sc->agency_ref)
		ADD(" AND %s.agency_ref = :scope", t);
	else
		ADD(" AND 0");
	/* DPD at D is D - overdue_since: a DPD range is a range of
	 * overdue_since, which the overdue arm's indexes carry. */
	if (f->dpd_max >= 0)
		fud_lo = as_of - f->dpd_max;
	if (f->dpd_min > 0)
		fud_hi = as_of - f->dpd_min;
	if (fud_lo != INT32_MIN)
		ADD(" AND %s >= :fud_lo", os);
	if (fud_hi != INT32_MAX)
		ADD(" AND %s <= :fud_hi", os);
	if (f->status)
		ADD(" AND c.status = :status");
	if (f->creditor)
		ADD(" AND c.creditor = :creditor");
	if (f->collector_ref)
		ADD(" AND %s.collector_ref = :collector", t);
	if (f->team_ref)
		ADD(" AND %s.team_ref = :team", t);
	if (f->province)
		ADD(" AND d.province = :province");
	if (f->segment)
		ADD(" AND d.segment = :segment");
	if (f->product >= 0)
		ADD(" AND c.products & :product");
	if (f->min_overdue >= 0)
		ADD(" AND %s >= :min_due", due);
	if (f->max_overdue >= 0)
		ADD(" AND %s <= :max_due", due);
	if (f->promise_status >= 0)
		ADD(" AND %s.promise_status = :promise", t);
	if (f->promise_due_by != HK_DATE_NONE) /* from promises_due */
		ADD(" AND c.ref IN (SELECT p.case_ref FROM promises p WHERE "
		    "p.status = 0 AND p.due_on <= :promise_due)");
	if (f->follow_up_by != HK_DATE_NONE) /* the partial indexes' term */
		ADD(" AND c.next_follow_up <= :follow_up "
		    "AND c.next_follow_up < 2147483647");
	if (f->lost_contact)
		ADD(" AND c.lost_contact");
	if (f->has_after && f->sort == HK_SORT_ID)
		ADD(" AND c.ref > :after_ref");
	else if (f->has_after && f->sort == HK_SORT_OVERDUE)
		ADD(" AND (" CASE_DUE " < :after_key OR (" CASE_DUE
		    " = :after_key AND c.ref > :after_ref))");
	else if (f->has_after && arm == ARM_CURRENT)
		ADD(" AND c.ref > (CASE WHEN :after_key < 2147483647 THEN 0 "
		    "ELSE :after_ref END)");
	else if (f->has_after && f->sort == HK_SORT_DPD)
		ADD(" AND (o.overdue_since, o.case_ref) > (:after_key, :after_ref)");
	else if (f->has_after)
		ADD(" AND (%s, c.ref) > (:after_key, :after_ref)", key[f->sort]);
	if (f->sort == HK_SORT_ID || arm == ARM_CURRENT)
		ADD(" ORDER BY c.ref");
	else if (f->sort == HK_SORT_DPD)
		ADD(" ORDER BY o.overdue_since, o.case_ref");
	else if (f->sort == HK_SORT_PRIORITY)
		ADD(" ORDER BY %s DESC, o.overdue_since, o.case_ref",
		    key[f->sort]);
	else
		ADD(" ORDER BY %s%s, c.ref", key[f->sort],
		    f->sort == HK_SORT_OVERDUE ? " DESC" : "");
	ADD(" LIMIT :limit");
#undef ADD
	if (n >= sizeof(sql))
		return hk_err_set(err, HK_EINTERNAL, "case list query too long");
	if (!(st = dyn_stmt(ss, sql, err)))
		return HK_EDB;
	bind_named_int(st, ":asof", as_of);
	bind_named_int(st, ":scope", sc->collector_ref ? sc->collector_ref
				     : sc->team_ref    ? sc->team_ref
							: sc->agency_ref);
	bind_named_int(st, ":fud_lo", fud_lo);
	bind_named_int(st, ":fud_hi", fud_hi);
	bind_named_text(st, ":status", f->status);
	bind_named_text(st, ":creditor", f->creditor);
	bind_named_int(st, ":collector", f->collector_ref);
	bind_named_int(st, ":team", f->team_ref);
	bind_named_text(st, ":province", f->province);
	bind_named_text(st, ":segment", f->segment);
	bind_named_int(st, ":product", f->product >= 0 ? 1 << f->product : 0);
	bind_named_int(st, ":min_due", f->min_overdue);
	bind_named_int(st, ":max_due", f->max_overdue);
	bind_named_int(st, ":promise", f->promise_status);
	bind_named_int(st, ":follow_up", f->follow_up_by);
	bind_named_int(st, ":promise_due", f->promise_due_by);
	bind_named_int(st, ":after_key", f->after_key);
	bind_named_int(st, ":after_ref", f->after_ref);
	bind_named_int(st, ":limit", limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int32_t since = sqlite3_column_int(st, 8);
		int32_t fu = sqlite3_column_int(st, 11);

		l.ref = sqlite3_column_int64(st, 0);
		l.creditor = (const char *)sqlite3_column_text(st, 1);
		l.status = (const char *)sqlite3_column_text(st, 2);
		l.debtor_id = (const char *)sqlite3_column_text(st, 3);
		l.name = (const char *)sqlite3_column_text(st, 4);
		l.collector_ref = sqlite3_column_int64(st, 5);
		l.team_ref = sqlite3_column_int64(st, 6);
		l.accounts = sqlite3_column_int(st, 7);
		l.dpd = since < as_of ? as_of - since : 0;
		l.total_overdue = sqlite3_column_int64(st, 9);
		l.next_follow_up = fu == INT32_MAX ? HK_DATE_NONE : fu;
		l.promise_status = sqlite3_column_int(st, 12);
		l.lost_contact = sqlite3_column_int(st, 13) != 0;
		l.sort_key = f->sort == HK_SORT_DPD ? since
						    : sqlite3_column_int64(st, 14);
		fn(ctx, &l);
		(*rows)++;
	}
	stmt_done(st);
	return rc == SQLITE_DONE ? HK_OK
				 : db_error(ss, err, "could not list cases");
}

static enum hk_rc sq_cases_list(struct hk_store *s, const struct hk_scope *sc,
				const struct hk_case_filter *f, int32_t as_of,
				int (*fn)(void *, const struct hk_case_line *),
				void *ctx, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	int rows = 0;
	enum hk_rc rc = HK_OK;

	if (f->sort == HK_SORT_PRIORITY)
		return list_arm(ss, ARM_OVERDUE, sc, f, as_of, f->limit, fn, ctx,
				&rows, err);
	if (f->sort != HK_SORT_DPD)
		return list_arm(ss, ARM_ALL, sc, f, as_of, f->limit, fn, ctx,
				&rows, err);
	/* Most days past due first: the overdue cases in date order, then
	 * the current ones by id (their key 2147483647 in the cursor). */
	if (!f->has_after || f->after_key < INT32_MAX)
		rc = list_arm(ss, ARM_OVERDUE, sc, f, as_of, f->limit, fn, ctx,
			      &rows, err);
	if (rc == HK_OK && rows < f->limit && f->dpd_min <= 0)
		rc = list_arm(ss, ARM_CURRENT, sc, f, as_of, f->limit - rows, fn,
			      ctx, &rows, err);
	return rc;
}

static enum hk_rc sq_payment_get(struct hk_store *s, const char *payment_id,
				 int64_t *account_ref, int32_t *paid_on,
				 int64_t *amount, char channel[32],
				 char reference[129], bool *found,
				 struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_PAYMENT_GET, err);
	int rc;

	*found = false;
	if (!st)
		return HK_EDB;
	sqlite3_bind_text(st, 1, payment_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*account_ref = sqlite3_column_int64(st, 0);
		*paid_on = sqlite3_column_int(st, 1);
		*amount = sqlite3_column_int64(st, 2);
		copy_text(channel, 32, sqlite3_column_text(st, 3));
		copy_text(reference, 129, sqlite3_column_text(st, 4));
		*found = true;
	}
	stmt_done(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE
		       ? HK_OK
		       : db_error(ss, err, "could not read a payment");
}

static enum hk_rc sq_case_set_status(struct hk_store *s, int64_t case_ref,
				     const char *from, const char *to,
				     int64_t user_ref, const char *reason,
				     int64_t at, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_STATUS_SET, err);
	enum hk_rc rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, case_ref);
	sqlite3_bind_text(st, 2, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, to, -1, SQLITE_STATIC);
	if ((rc = exec_stmt(ss, st, err, "could not change a status")) != HK_OK)
		return rc;
	if (sqlite3_changes(ss->db) != 1)
		return hk_err_set(err, HK_EREFUSED,
				  HK_TR(s->lang, "案件状态已被他人修改，请刷新后重试",
					"someone else changed the case's status; reload and try again"));
	if (!(st = stmt_get(ss, ST_STATUS_HIST_INS, err)))
		return HK_EDB;
	sqlite3_bind_int64(st, 1, case_ref);
	sqlite3_bind_int64(st, 2, at);
	sqlite3_bind_int64(st, 3, user_ref);
	sqlite3_bind_text(st, 4, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, to, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, reason, -1, SQLITE_STATIC);
	return exec_stmt(ss, st, err, "could not record a status change");
}

static enum hk_rc sq_case_status_history(
	struct hk_store *s, int64_t case_ref,
	int (*fn)(void *, int64_t, int64_t, const char *, const char *,
		  const char *),
	void *ctx, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_STATUS_HIST, err);
	int rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, case_ref);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(ctx, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
		   (const char *)sqlite3_column_text(st, 2),
		   (const char *)sqlite3_column_text(st, 3),
		   (const char *)sqlite3_column_text(st, 4));
	stmt_done(st);
	return rc == SQLITE_DONE ? HK_OK
				 : db_error(ss, err, "could not read status history");
}

static void read_wr(sqlite3_stmt *st, struct hk_waiver_request *w)
{
	memset(w, 0, sizeof(*w));
	w->ref = sqlite3_column_int64(st, 0);
	w->case_ref = sqlite3_column_int64(st, 1);
	w->account_ref = sqlite3_column_int64(st, 2);
	copy_text(w->account_id, sizeof(w->account_id), sqlite3_column_text(st, 3));
	w->component = sqlite3_column_int(st, 4);
	w->amount = sqlite3_column_int64(st, 5);
	copy_text(w->reason, sizeof(w->reason), sqlite3_column_text(st, 6));
	w->requested_by = sqlite3_column_int64(st, 7);
	w->requested_at = sqlite3_column_int64(st, 8);
	copy_text(w->status, sizeof(w->status), sqlite3_column_text(st, 9));
	w->decided_by = sqlite3_column_int64(st, 10);
	w->decided_at = sqlite3_column_int64(st, 11);
	copy_text(w->note, sizeof(w->note), sqlite3_column_text(st, 12));
}

static enum hk_rc sq_wr_insert(struct hk_store *s, struct hk_waiver_request *w,
			       struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_WR_INS, err);
	enum hk_rc rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, w->case_ref);
	sqlite3_bind_int64(st, 2, w->account_ref);
	sqlite3_bind_int(st, 3, w->component);
	sqlite3_bind_int64(st, 4, w->amount);
	sqlite3_bind_text(st, 5, w->reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, w->requested_by);
	sqlite3_bind_int64(st, 7, w->requested_at);
	rc = exec_stmt(ss, st, err, "could not save a waiver request");
	if (rc == HK_OK)
		w->ref = sqlite3_last_insert_rowid(ss->db);
	return rc;
}

static enum hk_rc sq_wr_get(struct hk_store *s, int64_t ref,
			    struct hk_waiver_request *w, bool *found,
			    struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_WR_GET, err);
	int rc;

	*found = false;
	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, ref);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		read_wr(st, w);
		*found = true;
	}
	stmt_done(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE
		       ? HK_OK
		       : db_error(ss, err, "could not read a waiver request");
}

static enum hk_rc sq_wr_decide(struct hk_store *s, int64_t ref,
			       const char *status, int64_t user_ref,
			       const char *note, int64_t at, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_WR_DECIDE, err);
	enum hk_rc rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, ref);
	sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, user_ref);
	sqlite3_bind_text(st, 4, note, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, at);
	if ((rc = exec_stmt(ss, st, err, "could not decide a waiver request")) !=
	    HK_OK)
		return rc;
	if (sqlite3_changes(ss->db) != 1)
		return hk_err_set(err, HK_EREFUSED,
				  HK_TR(s->lang, "该减免申请已被处理",
					"the waiver request was already decided"));
	return HK_OK;
}

static enum hk_rc sq_wr_list(struct hk_store *s, int64_t case_ref,
			     int (*fn)(void *, const struct hk_waiver_request *),
			     void *ctx, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_WR_LIST, err);
	struct hk_waiver_request w;
	int rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, case_ref);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_wr(st, &w);
		fn(ctx, &w);
	}
	stmt_done(st);
	return rc == SQLITE_DONE ? HK_OK
				 : db_error(ss, err, "could not read waiver requests");
}

static void bind_scope(sqlite3_stmt *st, const struct hk_scope *sc);

static enum hk_rc sq_queue_counts(struct hk_store *s, const struct hk_scope *sc,
				  int32_t today, int64_t counts[4],
				  struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_QUEUE_COUNTS, err);
	int rc;

	if (!st)
		return HK_EDB;
	bind_scope(st, sc);
	sqlite3_bind_int(st, 5, today);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		for (int i = 0; i < 4; i++)
			counts[i] = sqlite3_column_int64(st, i);
	stmt_done(st);
	return rc == SQLITE_ROW ? HK_OK
				: db_error(ss, err, "could not count the queue");
}

static void bind_dash_filter(sqlite3_stmt *st, const struct hk_dash_filter *df)
{
	bind_text_or_null(st, 6, df->creditor);
	sqlite3_bind_int(st, 7, (int)df->products);
}

static enum hk_rc sq_overdue_scan(struct hk_store *s, const struct hk_scope *sc,
				  int32_t as_of, const struct hk_dash_filter *df,
				  int (*fn)(void *, int32_t, int64_t), void *ctx,
				  struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_DASH_OVERDUE, err);
	int rc;

	if (!st)
		return HK_EDB;
	bind_scope(st, sc);
	sqlite3_bind_int(st, 5, as_of);
	bind_dash_filter(st, df);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(ctx, sqlite3_column_int(st, 0), sqlite3_column_int64(st, 1));
	stmt_done(st);
	return rc == SQLITE_DONE ? HK_OK
				 : db_error(ss, err, "could not read overdue cases");
}

static enum hk_rc sq_overdue_trend(struct hk_store *s, int32_t from, int32_t to,
				   int (*fn)(void *, int32_t, int64_t, int64_t),
				   void *ctx, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_DASH_TREND, err);
	int rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int(st, 1, from);
	sqlite3_bind_int(st, 2, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(ctx, sqlite3_column_int(st, 0), sqlite3_column_int64(st, 1),
		   sqlite3_column_int64(st, 2));
	stmt_done(st);
	return rc == SQLITE_DONE ? HK_OK
				 : db_error(ss, err, "could not read the day totals");
}

static enum hk_rc sq_promise_counts(struct hk_store *s,
				    const struct hk_scope *sc, int32_t from,
				    int32_t to, const struct hk_dash_filter *df,
				    int64_t counts[3], struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_DASH_PROMISES, err);
	int rc;

	counts[0] = counts[1] = counts[2] = 0;
	if (!st)
		return HK_EDB;
	bind_scope(st, sc);
	sqlite3_bind_int(st, 5, from);
	sqlite3_bind_int(st, 8, to);
	bind_dash_filter(st, df);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int status = sqlite3_column_int(st, 0);

		if (status >= 0 && status < 3)
			counts[status] = sqlite3_column_int64(st, 1);
	}
	stmt_done(st);
	return rc == SQLITE_DONE ? HK_OK
				 : db_error(ss, err, "could not count promises");
}

static enum hk_rc sq_collector_figures(
	struct hk_store *s, const struct hk_scope *sc, int32_t as_of,
	int64_t day_start, int32_t today,
	int (*fn)(void *, const struct hk_collector_figures *), void *ctx,
	struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_DASH_COLLECTORS, err);
	struct hk_collector_figures f;
	int rc;

	if (!st)
		return HK_EDB;
	bind_scope(st, sc);
	sqlite3_bind_int(st, 5, as_of);
	sqlite3_bind_int64(st, 6, day_start);
	sqlite3_bind_int(st, 7, today);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		f.ref = sqlite3_column_int64(st, 0);
		f.team_ref = sqlite3_column_int64(st, 1);
		f.username = (const char *)sqlite3_column_text(st, 2);
		f.display_name = (const char *)sqlite3_column_text(st, 3);
		f.cases = sqlite3_column_int64(st, 4);
		f.overdue_cases = sqlite3_column_int64(st, 5);
		f.total_overdue = sqlite3_column_int64(st, 6);
		f.contacts_today = sqlite3_column_int64(st, 7);
		f.promises_today = sqlite3_column_int64(st, 8);
		fn(ctx, &f);
	}
	stmt_done(st);
	return rc == SQLITE_DONE ? HK_OK
				 : db_error(ss, err, "could not read collectors' figures");
}

/* Bind a scope, the dashboard's filter and a period [from, to] as ?1-?8
 * (the dashboard statements' common shape). */
static void bind_dash_period(sqlite3_stmt *st, const struct hk_scope *sc,
			     const struct hk_dash_filter *df, int32_t from,
			     int32_t to)
{
	bind_scope(st, sc);
	sqlite3_bind_int(st, 5, from);
	bind_dash_filter(st, df);
	sqlite3_bind_int(st, 8, to);
}

static enum hk_rc sq_recovery_scan(
	struct hk_store *s, const struct hk_scope *sc, int32_t from, int32_t to,
	const struct hk_dash_filter *df, const char *first,
	int (*fn)(void *, int32_t, int64_t, int64_t, int64_t), void *ctx,
	struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_DASH_RECOVERY, err);
	int rc;

	if (!st)
		return HK_EDB;
	bind_dash_period(st, sc, df, from, to);
	sqlite3_bind_text(st, 9, first, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(ctx, sqlite3_column_int(st, 0), sqlite3_column_int64(st, 1),
		   sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3));
	stmt_done(st);
	return rc == SQLITE_DONE ? HK_OK
				 : db_error(ss, err, "could not read payments");
}

static enum hk_rc sq_promise_takers(
	struct hk_store *s, const struct hk_scope *sc, int32_t from, int32_t to,
	const struct hk_dash_filter *df,
	int (*fn)(void *, int64_t, int, int64_t, int64_t), void *ctx,
	struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_DASH_TAKERS, err);
	int rc;

	if (!st)
		return HK_EDB;
	bind_dash_period(st, sc, df, from, to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(ctx, sqlite3_column_int64(st, 0), sqlite3_column_int(st, 1),
		   sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3));
	stmt_done(st);
	return rc == SQLITE_DONE ? HK_OK
				 : db_error(ss, err, "could not count promises");
}

static enum hk_rc sq_bucket_census(struct hk_store *s, const struct hk_scope *sc,
				   const struct hk_dash_filter *df, int32_t date,
				   const char *first,
				   int (*fn)(void *, const char *, int64_t),
				   void *ctx, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	/* the whole portfolio's census is that day's totals: no walk */
	bool whole = sc->all && !df->creditor && !df->products;
	sqlite3_stmt *st = stmt_get(ss, whole ? ST_DASH_CENSUS_ALL : ST_DASH_CENSUS,
				    err);
	int rc;

	if (!st)
		return HK_EDB;
	if (whole) {
		sqlite3_bind_int(st, 1, date);
	} else {
		bind_dash_period(st, sc, df, date, 0);
		sqlite3_bind_text(st, 8, first, -1, SQLITE_STATIC);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(ctx, (const char *)sqlite3_column_text(st, 0),
		   sqlite3_column_int64(st, 1));
	stmt_done(st);
	return rc == SQLITE_DONE ? HK_OK
				 : db_error(ss, err, "could not count accounts by bucket");
}

static enum hk_rc sq_bucket_moves(struct hk_store *s, const struct hk_scope *sc,
				  const struct hk_dash_filter *df, int32_t from,
				  int32_t to,
				  int (*fn)(void *, const char *, const char *,
					    int64_t),
				  void *ctx, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_DASH_MOVES, err);
	char origin[HK_BUCKET_NAME_MAX + 1] = "", last[HK_BUCKET_NAME_MAX + 1] = "";
	int64_t account = 0;
	int rc;

	if (!st)
		return HK_EDB;
	bind_dash_period(st, sc, df, from, to);
	/* rows come by account then date: an account's first row says
	 * where it stood at `from`, its last where it stands at `to` */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t ref = sqlite3_column_int64(st, 0);

		if (ref != account) {
			if (account)
				fn(ctx, origin, last, 1);
			account = ref;
			snprintf(origin, sizeof(origin), "%s",
				 (const char *)sqlite3_column_text(st, 1));
		}
		snprintf(last, sizeof(last), "%s",
			 (const char *)sqlite3_column_text(st, 2));
	}
	stmt_done(st);
	if (rc != SQLITE_DONE)
		return db_error(ss, err, "could not read bucket transitions");
	if (account)
		fn(ctx, origin, last, 1);
	return HK_OK;
}

static enum hk_rc sq_month_ends(struct hk_store *s, int32_t to, int n,
				int32_t *dates, int *count, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_DASH_PROCESSED, err);
	int rc = SQLITE_DONE, y, m, d, last_y = 0, last_m = 0;

	*count = 0;
	if (!st)
		return HK_EDB;
	sqlite3_bind_int(st, 1, to);
	/* newest first: the first date seen of each month is its last */
	while (*count < n && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		int32_t date = sqlite3_column_int(st, 0);

		hk_date_to_ymd(date, &y, &m, &d);
		if (y != last_y || m != last_m) {
			dates[(*count)++] = date;
			last_y = y;
			last_m = m;
		}
	}
	if (*count == n)
		rc = SQLITE_DONE;
	stmt_done(st);
	return rc == SQLITE_DONE ? HK_OK
				 : db_error(ss, err, "could not read processed dates");
}

static enum hk_rc sq_scripts_scan(struct hk_store *s, const char *q,
				  int64_t ref,
				  int (*fn)(void *, const struct hk_script *),
				  void *ctx, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_SCRIPTS, err);
	struct hk_script sc;
	int rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_text(st, 1, q ? q : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, ref);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		sc.ref = sqlite3_column_int64(st, 0);
		sc.title = (const char *)sqlite3_column_text(st, 1);
		sc.objection = (const char *)sqlite3_column_text(st, 2);
		sc.body = (const char *)sqlite3_column_text(st, 3);
		sc.outcomes = (const char *)sqlite3_column_text(st, 4);
		sc.updated_by = sqlite3_column_int64(st, 5);
		sc.updated_at = sqlite3_column_int64(st, 6);
		fn(ctx, &sc);
	}
	stmt_done(st);
	return rc == SQLITE_DONE ? HK_OK
				 : db_error(ss, err, "could not read scripts");
}

static enum hk_rc sq_script_save(struct hk_store *s, const struct hk_script *sc,
				 int64_t *ref, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, sc->ref ? ST_SCRIPT_UPD : ST_SCRIPT_INS,
				    err);
	enum hk_rc rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, sc->ref);
	sqlite3_bind_text(st, 2, sc->title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, sc->objection, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, sc->body, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, sc->outcomes ? sc->outcomes : "", -1,
			  SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, sc->updated_by);
	sqlite3_bind_int64(st, 7, sc->updated_at);
	if ((rc = exec_stmt(ss, st, err, "could not save a script")) != HK_OK)
		return rc;
	if (sc->ref && sqlite3_changes(ss->db) == 0)
		return hk_err_set(err, HK_ENOTFOUND, "no such script");
	if (ref)
		*ref = sc->ref ? sc->ref : sqlite3_last_insert_rowid(ss->db);
	return HK_OK;
}

static void bind_scope(sqlite3_stmt *st, const struct hk_scope *sc)
{
	sqlite3_bind_int(st, 1, sc->all);
	sqlite3_bind_int64(st, 2, sc->collector_ref);
	sqlite3_bind_int64(st, 3, sc->team_ref);
	sqlite3_bind_int64(st, 4, sc->agency_ref);
}

static enum hk_rc sq_wr_pending(struct hk_store *s, const struct hk_scope *sc,
				int (*fn)(void *, const struct hk_waiver_request *),
				void *ctx, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_WR_PENDING, err);
	struct hk_waiver_request w;
	int rc;

	if (!st)
		return HK_EDB;
	bind_scope(st, sc);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_wr(st, &w);
		fn(ctx, &w);
	}
	stmt_done(st);
	return rc == SQLITE_DONE ? HK_OK
				 : db_error(ss, err, "could not read waiver requests");
}

static enum hk_rc sq_plans_pending(struct hk_store *s,
				   const struct hk_scope *sc,
				   int (*fn)(void *, const struct hk_plan_pending *),
				   void *ctx, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_PLANS_PENDING, err);
	struct hk_plan_pending p;
	int rc;

	if (!st)
		return HK_EDB;
	bind_scope(st, sc);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		p.ref = sqlite3_column_int64(st, 0);
		p.case_ref = sqlite3_column_int64(st, 1);
		p.proposed_by = sqlite3_column_int64(st, 2);
		p.proposed_at = sqlite3_column_int64(st, 3);
		p.starts_on = sqlite3_column_int(st, 4);
		p.installments = sqlite3_column_int(st, 5);
		p.total = sqlite3_column_int64(st, 6);
		fn(ctx, &p);
	}
	stmt_done(st);
	return rc == SQLITE_DONE ? HK_OK
				 : db_error(ss, err, "could not read plans");
}

static enum hk_rc sq_contact_add(struct hk_store *s,
				 const struct hk_contact_rec *r,
				 const char *source, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_CONTACT_ADD, err);
	int rc;

	if (!st)
		return HK_EDB;
	bind_text(st, 1, r->contact_id);
	sqlite3_bind_int64(st, 2, r->debtor_ref);
	bind_text(st, 3, r->relation);
	bind_text(st, 4, r->name);
	bind_text(st, 5, r->phone);
	sqlite3_bind_int(st, 6, r->authorized);
	bind_text(st, 7, source);
	bind_text(st, 8, r->email);
	rc = sqlite3_step(st);
	stmt_done(st);
	if (rc == SQLITE_CONSTRAINT)
		return hk_err_set(err, HK_EREFUSED, "contact %s exists",
				  r->contact_id);
	return rc == SQLITE_DONE ? HK_OK
				 : db_error(ss, err, "could not add a contact");
}

static enum hk_rc sq_contact_set_validity(struct hk_store *s,
					  int64_t debtor_ref,
					  const char *contact_id,
					  const char *validity, bool *found,
					  bool *lost, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_CONTACT_VALIDITY, err);
	enum hk_rc rc;
	int step;

	*found = *lost = false;
	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, debtor_ref);
	sqlite3_bind_text(st, 2, contact_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, validity, -1, SQLITE_STATIC);
	if ((rc = exec_stmt(ss, st, err, "could not set a contact's validity")) !=
	    HK_OK)
		return rc;
	if (sqlite3_changes(ss->db) != 1)
		return HK_OK;
	*found = true;
	if (!(st = stmt_get(ss, ST_LOST_REFRESH, err)))
		return HK_EDB;
	sqlite3_bind_int64(st, 1, debtor_ref);
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		*lost = sqlite3_column_int(st, 0) != 0;
	stmt_done(st);
	return step == SQLITE_DONE ? HK_OK
				   : db_error(ss, err, "could not flag lost contact");
}

static enum hk_rc sq_dispute_open(struct hk_store *s, int64_t case_ref,
				  int64_t user_ref, const char *reason,
				  int64_t at, int64_t *ref, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_DISPUTE_OPEN, err);
	enum hk_rc rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, case_ref);
	sqlite3_bind_int64(st, 2, user_ref);
	sqlite3_bind_int64(st, 3, at);
	sqlite3_bind_text(st, 4, reason, -1, SQLITE_STATIC);
	rc = exec_stmt(ss, st, err, "could not open a dispute");
	if (rc == HK_OK)
		*ref = sqlite3_last_insert_rowid(ss->db);
	return rc;
}

static enum hk_rc sq_dispute_file_add(struct hk_store *s, int64_t dispute_ref,
				      const char *name, const char *sha256,
				      int64_t size, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_DISPUTE_FILE_ADD, err);

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, dispute_ref);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, sha256, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, size);
	return exec_stmt(ss, st, err, "could not record an evidence file");
}

static enum hk_rc sq_dispute_open_of(struct hk_store *s, int64_t case_ref,
				     int64_t *ref, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_DISPUTE_OPEN_OF, err);
	int rc;

	*ref = 0;
	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, case_ref);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*ref = sqlite3_column_int64(st, 0);
	stmt_done(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE
		       ? HK_OK
		       : db_error(ss, err, "could not read disputes");
}

static enum hk_rc sq_dispute_get(struct hk_store *s, int64_t ref,
				 int64_t *case_ref, char status[16],
				 struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_DISPUTE_GET, err);
	int rc;

	*case_ref = 0;
	status[0] = '\0';
	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, ref);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*case_ref = sqlite3_column_int64(st, 0);
		copy_text(status, 16, sqlite3_column_text(st, 1));
	}
	stmt_done(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE
		       ? HK_OK
		       : db_error(ss, err, "could not read a dispute");
}

static enum hk_rc sq_dispute_resolve(struct hk_store *s, int64_t ref,
				     int64_t user_ref, const char *resolution,
				     int64_t at, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_DISPUTE_RESOLVE, err);
	enum hk_rc rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, ref);
	sqlite3_bind_int64(st, 2, user_ref);
	sqlite3_bind_text(st, 3, resolution, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, at);
	if ((rc = exec_stmt(ss, st, err, "could not resolve a dispute")) != HK_OK)
		return rc;
	if (sqlite3_changes(ss->db) != 1)
		return hk_err_set(err, HK_EREFUSED,
				  HK_TR(s->lang, "该异议已处理", "the dispute is not open"));
	return HK_OK;
}

static enum hk_rc sq_dispute_file_get(struct hk_store *s, int64_t dispute_ref,
				      int n, char name[129], char sha256[65],
				      int64_t *size, bool *found,
				      struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_DISPUTE_FILE_GET, err);
	int rc;

	*found = false;
	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, dispute_ref);
	sqlite3_bind_int(st, 2, n - 1);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		copy_text(name, 129, sqlite3_column_text(st, 0));
		copy_text(sha256, 65, sqlite3_column_text(st, 1));
		*size = sqlite3_column_int64(st, 2);
		*found = true;
	}
	stmt_done(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE
		       ? HK_OK
		       : db_error(ss, err, "could not read an evidence file");
}

static enum hk_rc sq_plan_insert(struct hk_store *s, int64_t case_ref,
				 int64_t user_ref, int32_t starts_on,
				 const char *note, const int32_t *due,
				 const int64_t *amount, size_t n, int64_t at,
				 int64_t *ref, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_PLAN_INS, err);
	enum hk_rc rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, case_ref);
	sqlite3_bind_int64(st, 2, user_ref);
	sqlite3_bind_int64(st, 3, at);
	sqlite3_bind_int(st, 4, starts_on);
	sqlite3_bind_text(st, 5, note, -1, SQLITE_STATIC);
	if ((rc = exec_stmt(ss, st, err, "could not save a plan")) != HK_OK)
		return rc;
	*ref = sqlite3_last_insert_rowid(ss->db);
	if (!(st = stmt_get(ss, ST_PLAN_INST_INS, err)))
		return HK_EDB;
	for (size_t i = 0; i < n && rc == HK_OK; i++) {
		sqlite3_bind_int64(st, 1, *ref);
		sqlite3_bind_int(st, 2, (int)i + 1);
		sqlite3_bind_int(st, 3, due[i]);
		sqlite3_bind_int64(st, 4, amount[i]);
		rc = exec_stmt(ss, st, err, "could not save a plan installment");
	}
	return rc;
}

static enum hk_rc sq_plan_decide(struct hk_store *s, int64_t ref,
				 const char *status, int64_t user_ref,
				 int64_t at, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_PLAN_DECIDE, err);
	enum hk_rc rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, ref);
	sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, user_ref);
	sqlite3_bind_int64(st, 4, at);
	if ((rc = exec_stmt(ss, st, err, "could not decide a plan")) != HK_OK)
		return rc;
	if (sqlite3_changes(ss->db) != 1)
		return hk_err_set(err, HK_EREFUSED,
				  HK_TR(s->lang, "该还款计划已被处理",
					"the plan was already decided"));
	return HK_OK;
}

static enum hk_rc sq_plan_case(struct hk_store *s, int64_t ref,
			       int64_t *case_ref, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_PLAN_CASE, err);
	int rc;

	*case_ref = 0;
	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, ref);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*case_ref = sqlite3_column_int64(st, 0);
	stmt_done(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE
		       ? HK_OK
		       : db_error(ss, err, "could not read a plan");
}

static enum hk_rc sq_plans_of_case(
	struct hk_store *s, int64_t case_ref,
	int (*fn)(void *, int64_t, const char *, int32_t, int, int32_t, int64_t),
	void *ctx, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_PLANS_OF_CASE, err);
	int rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, case_ref);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(ctx, sqlite3_column_int64(st, 0),
		   (const char *)sqlite3_column_text(st, 1),
		   sqlite3_column_int(st, 2), sqlite3_column_int(st, 3),
		   sqlite3_column_int(st, 4), sqlite3_column_int64(st, 5));
	stmt_done(st);
	return rc == SQLITE_DONE ? HK_OK : db_error(ss, err, "could not read plans");
}

static enum hk_rc sq_case_paid_between(struct hk_store *s, int64_t case_ref,
				       int32_t from, int32_t to, int64_t *sum,
				       struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_CASE_PAID, err);
	int rc;

	*sum = 0;
	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, case_ref);
	sqlite3_bind_int(st, 2, from);
	sqlite3_bind_int(st, 3, to);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*sum = sqlite3_column_int64(st, 0);
	stmt_done(st);
	return rc == SQLITE_ROW ? HK_OK : db_error(ss, err, "could not sum payments");
}

static enum hk_rc sq_teams_scan(struct hk_store *s,
				int (*fn)(void *, int64_t, const char *),
				void *ctx, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_TEAMS_SCAN, err);
	int rc;

	if (!st)
		return HK_EDB;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(ctx, sqlite3_column_int64(st, 0),
		   (const char *)sqlite3_column_text(st, 1));
	stmt_done(st);
	return rc == SQLITE_DONE ? HK_OK : db_error(ss, err, "could not read teams");
}

static enum hk_rc sq_team_create(struct hk_store *s, const char *name,
				 int64_t *ref, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_TEAM_INS, err);
	int rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	stmt_done(st);
	if (rc == SQLITE_CONSTRAINT)
		return hk_err_set(err, HK_EREFUSED, "team %s exists", name);
	if (rc != SQLITE_DONE)
		return db_error(ss, err, "could not create a team");
	*ref = sqlite3_last_insert_rowid(ss->db);
	return HK_OK;
}

static enum hk_rc sq_cases_spread(struct hk_store *s, const int64_t *collectors,
				  const int64_t *teams, size_t n,
				  struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_CASES_SPREAD, err);
	enum hk_rc rc = HK_OK;

	if (!st)
		return HK_EDB;
	for (size_t i = 0; i < n && rc == HK_OK; i++) {
		sqlite3_bind_int64(st, 1, collectors[i]);
		sqlite3_bind_int64(st, 2, teams[i]);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)n);
		sqlite3_bind_int64(st, 4, (sqlite3_int64)i);
		rc = exec_stmt(ss, st, err, "could not assign cases");
	}
	return rc;
}

static enum hk_rc sq_record_insert(struct hk_store *s, struct hk_record *r,
				   struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_RECORD_INS, err);
	enum hk_rc rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, r->case_ref);
	sqlite3_bind_int64(st, 2, r->user_ref);
	sqlite3_bind_int64(st, 3, r->at);
	bind_text(st, 4, r->channel);
	bind_text(st, 5, r->contact_id);
	bind_text(st, 6, r->outcome);
	sqlite3_bind_text(st, 7, r->note, -1, SQLITE_STATIC);
	bind_text(st, 8, r->recording_ref);
	if (r->next_follow_up == HK_DATE_NONE)
		sqlite3_bind_null(st, 9);
	else
		sqlite3_bind_int(st, 9, r->next_follow_up);
	sqlite3_bind_int64(st, 10, r->second_staff_ref);
	bind_text(st, 11, r->third_party_reason);
	rc = exec_stmt(ss, st, err, "could not save a contact record");
	if (rc == HK_OK)
		r->ref = sqlite3_last_insert_rowid(ss->db);
	return rc;
}

static enum hk_rc sq_records_list(struct hk_store *s, int64_t case_ref,
				  int (*fn)(void *, const struct hk_record *),
				  void *ctx, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_RECORDS_LIST, err);
	struct hk_record r;
	int rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, case_ref);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&r, 0, sizeof(r));
		r.ref = sqlite3_column_int64(st, 0);
		r.case_ref = sqlite3_column_int64(st, 1);
		r.user_ref = sqlite3_column_int64(st, 2);
		r.second_staff_ref = sqlite3_column_int64(st, 3);
		r.at = sqlite3_column_int64(st, 4);
		copy_text(r.channel, sizeof(r.channel), sqlite3_column_text(st, 5));
		copy_text(r.contact_id, sizeof(r.contact_id), sqlite3_column_text(st, 6));
		copy_text(r.outcome, sizeof(r.outcome), sqlite3_column_text(st, 7));
		copy_text(r.note, sizeof(r.note), sqlite3_column_text(st, 8));
		copy_text(r.recording_ref, sizeof(r.recording_ref),
			  sqlite3_column_text(st, 9));
		r.next_follow_up = sqlite3_column_type(st, 10) == SQLITE_NULL
					   ? HK_DATE_NONE
					   : sqlite3_column_int(st, 10);
		fn(ctx, &r);
	}
	stmt_done(st);
	return rc == SQLITE_DONE ? HK_OK
				 : db_error(ss, err, "could not read contact records");
}

static enum hk_rc sq_promise_take(struct hk_store *s,
				  const struct hk_promise_rec *p,
				  int64_t user_ref, int64_t *ref,
				  struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_PROMISE_TAKE, err);
	enum hk_rc rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, p->case_ref);
	sqlite3_bind_int(st, 2, p->made_on);
	sqlite3_bind_int(st, 3, p->due_on);
	sqlite3_bind_int64(st, 4, p->amount);
	sqlite3_bind_int64(st, 5, user_ref);
	rc = exec_stmt(ss, st, err, "could not save a promise");
	if (rc == HK_OK)
		*ref = sqlite3_last_insert_rowid(ss->db);
	return rc;
}

static enum hk_rc sq_contact_of_debtor(struct hk_store *s, int64_t debtor_ref,
				       const char *contact_id, bool *yes,
				       struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_CONTACT_OF_DEBTOR, err);
	int rc;

	*yes = false;
	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, debtor_ref);
	sqlite3_bind_text(st, 2, contact_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*yes = rc == SQLITE_ROW;
	stmt_done(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE
		       ? HK_OK
		       : db_error(ss, err, "could not read a contact");
}

static enum hk_rc sq_case_accounts(struct hk_store *s, int64_t case_ref,
				   hk_acct_fn fn, void *ctx, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_CASE_ACCOUNTS, err);

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, case_ref);
	return scan_accounts(ss, st, false, fn, ctx, err);
}

static enum hk_rc sq_account_payments(struct hk_store *s, int64_t account_ref,
				      int (*fn)(void *, const struct hk_payment_row *),
				      void *ctx, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_ACCOUNT_PAYMENTS, err);
	struct hk_payment_row p;
	int rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, account_ref);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		copy_text(p.payment_id, sizeof(p.payment_id), sqlite3_column_text(st, 0));
		p.paid_on = sqlite3_column_int(st, 1);
		p.amount = sqlite3_column_int64(st, 2);
		copy_text(p.channel, sizeof(p.channel), sqlite3_column_text(st, 3));
		fn(ctx, &p);
	}
	stmt_done(st);
	return rc == SQLITE_DONE ? HK_OK : db_error(ss, err, "could not read payments");
}

static enum hk_rc sq_debtor_contacts(struct hk_store *s, int64_t debtor_ref,
				     int (*fn)(void *, const struct hk_contact_row *),
				     void *ctx, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_DEBTOR_CONTACTS, err);
	struct hk_contact_row c;
	int rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, debtor_ref);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		copy_text(c.contact_id, sizeof(c.contact_id), sqlite3_column_text(st, 0));
		copy_text(c.relation, sizeof(c.relation), sqlite3_column_text(st, 1));
		copy_text(c.name, sizeof(c.name), sqlite3_column_text(st, 2));
		copy_text(c.phone, sizeof(c.phone), sqlite3_column_text(st, 3));
		c.authorized = sqlite3_column_int(st, 4) != 0;
		copy_text(c.validity, sizeof(c.validity), sqlite3_column_text(st, 5));
		copy_text(c.source, sizeof(c.source), sqlite3_column_text(st, 6));
		c.stopped = sqlite3_column_int(st, 7) != 0;
		copy_text(c.email, sizeof(c.email), sqlite3_column_text(st, 8));
		fn(ctx, &c);
	}
	stmt_done(st);
	return rc == SQLITE_DONE ? HK_OK : db_error(ss, err, "could not read contacts");
}

/* ---- compliance guardrails ---- */

static enum hk_rc sq_contact_counts(struct hk_store *s, int64_t debtor_ref,
				    const char *contact_id, int64_t day_start,
				    int64_t week_start,
				    struct hk_contact_counts *out,
				    struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_CONTACT_COUNTS, err);
	int rc;

	memset(out, 0, sizeof(*out));
	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, debtor_ref);
	bind_text(st, 2, contact_id);
	sqlite3_bind_int64(st, 3, day_start);
	sqlite3_bind_int64(st, 4, week_start < day_start ? week_start : day_start);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		out->conversations_today = sqlite3_column_int(st, 0);
		out->attempts_today = sqlite3_column_int(st, 1);
		out->calls_7_days = sqlite3_column_int(st, 2);
	}
	stmt_done(st);
	if (rc != SQLITE_ROW || !(st = stmt_get(ss, ST_LAST_CONVERSATION, err)))
		return db_error(ss, err, "could not count contacts");
	sqlite3_bind_int64(st, 1, debtor_ref);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		out->last_conversation = sqlite3_column_int64(st, 0);
	stmt_done(st);
	return rc == SQLITE_ROW ? HK_OK
				: db_error(ss, err, "could not count contacts");
}

static enum hk_rc sq_contact_stop(struct hk_store *s, int64_t debtor_ref,
				  const char *contact_id, int64_t at,
				  const char *reason, bool *found,
				  struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_CONTACT_STOP, err);
	enum hk_rc rc;

	*found = false;
	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, debtor_ref);
	sqlite3_bind_text(st, 2, contact_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, at);
	sqlite3_bind_text(st, 4, reason, -1, SQLITE_STATIC);
	if ((rc = exec_stmt(ss, st, err, "could not stop a contact")) == HK_OK)
		*found = sqlite3_changes(ss->db) == 1;
	return rc;
}

static enum hk_rc sq_stop_add(struct hk_store *s, const struct hk_stop *stop,
			      int64_t *ref, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_STOP_INS, err);
	enum hk_rc rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, stop->debtor_ref);
	sqlite3_bind_text(st, 2, stop->channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, stop->reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, stop->note, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, stop->created_by);
	sqlite3_bind_int64(st, 6, stop->created_at);
	if ((rc = exec_stmt(ss, st, err, "could not record a stop")) == HK_OK)
		*ref = sqlite3_last_insert_rowid(ss->db);
	return rc;
}

static enum hk_rc sq_stop_lift(struct hk_store *s, int64_t ref,
			       int64_t user_ref, int64_t at, const char *reason,
			       int64_t *debtor_ref, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_STOP_DEBTOR, err);
	bool open = false;
	int rc;

	*debtor_ref = 0;
	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, ref);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*debtor_ref = sqlite3_column_int64(st, 0);
		open = sqlite3_column_int(st, 1) != 0;
	}
	stmt_done(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(ss, err, "could not read a stop");
	if (!*debtor_ref)
		return HK_OK;
	if (!open)
		return hk_err_set(err, HK_EREFUSED,
				  HK_TR(s->lang, "该暂停已解除", "that stop is lifted already"));
	if (!(st = stmt_get(ss, ST_STOP_LIFT, err)))
		return HK_EDB;
	sqlite3_bind_int64(st, 1, ref);
	sqlite3_bind_int64(st, 2, user_ref);
	sqlite3_bind_int64(st, 3, at);
	sqlite3_bind_text(st, 4, reason, -1, SQLITE_STATIC);
	return exec_stmt(ss, st, err, "could not lift a stop");
}

static enum hk_rc sq_stops_of_debtor(struct hk_store *s, int64_t debtor_ref,
				     bool open_only,
				     int (*fn)(void *, const struct hk_stop *),
				     void *ctx, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_STOPS, err);
	struct hk_stop x;
	int rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, debtor_ref);
	sqlite3_bind_int(st, 2, open_only);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&x, 0, sizeof(x));
		x.ref = sqlite3_column_int64(st, 0);
		x.debtor_ref = sqlite3_column_int64(st, 1);
		copy_text(x.channel, sizeof(x.channel), sqlite3_column_text(st, 2));
		copy_text(x.reason, sizeof(x.reason), sqlite3_column_text(st, 3));
		copy_text(x.note, sizeof(x.note), sqlite3_column_text(st, 4));
		x.created_by = sqlite3_column_int64(st, 5);
		x.created_at = sqlite3_column_int64(st, 6);
		x.lifted_by = sqlite3_column_int64(st, 7);
		x.lifted_at = sqlite3_column_int64(st, 8);
		copy_text(x.lift_reason, sizeof(x.lift_reason),
			  sqlite3_column_text(st, 9));
		fn(ctx, &x);
	}
	stmt_done(st);
	return rc == SQLITE_DONE ? HK_OK : db_error(ss, err, "could not read stops");
}

static enum hk_rc sq_case_limitation(
	struct hk_store *s, int64_t case_ref,
	int (*fn)(void *, const struct hk_limitation_row *), void *ctx,
	struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_LIMITATION, err);
	struct hk_limitation_row r;
	int rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, case_ref);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		r.account_ref = sqlite3_column_int64(st, 0);
		r.account_id = (const char *)sqlite3_column_text(st, 1);
		r.overdue_since = sqlite3_column_type(st, 2) == SQLITE_NULL
					  ? HK_DATE_NONE
					  : sqlite3_column_int(st, 2);
		r.last_paid = sqlite3_column_type(st, 3) == SQLITE_NULL
				      ? HK_DATE_NONE
				      : sqlite3_column_int(st, 3);
		r.last_demand = sqlite3_column_int64(st, 4);
		fn(ctx, &r);
	}
	stmt_done(st);
	return rc == SQLITE_DONE ? HK_OK
				 : db_error(ss, err, "could not read limitation facts");
}

static enum hk_rc sq_case_promises(struct hk_store *s, int64_t case_ref,
				   int (*fn)(void *, const struct hk_promise_detail *),
				   void *ctx, struct hk_err *err)
{
	struct sqlite_store *ss = S(s);
	sqlite3_stmt *st = stmt_get(ss, ST_CASE_PROMISES, err);
	struct hk_promise_detail p;
	int rc;

	if (!st)
		return HK_EDB;
	sqlite3_bind_int64(st, 1, case_ref);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		p.ref = sqlite3_column_int64(st, 0);
		p.made_on = sqlite3_column_int(st, 1);
		p.due_on = sqlite3_column_int(st, 2);
		p.amount = sqlite3_column_int64(st, 3);
		p.status = sqlite3_column_int(st, 4);
		fn(ctx, &p);
	}
	stmt_done(st);
	return rc == SQLITE_DONE ? HK_OK : db_error(ss, err, "could not read promises");
}

static const struct hk_store_ops sqlite_ops = {
	.backend = "sqlite",
	.close = sq_close,
	.serve_reads = sq_serve_reads,
	.migrate = sq_migrate,
	.schema_version = sq_schema_version,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.meta_get = sq_meta_get,
	.meta_set = sq_meta_set,
	.lookup = sq_lookup,
	.report_dims_refresh = sq_report_dims_refresh,
	.report_dims_scan = sq_report_dims_scan,
	.report_aging_save = sq_report_aging_save,
	.report_aging_scan = sq_report_aging_scan,
	.report_days = sq_report_days,
	.report_payments_take = sq_report_payments_take,
	.report_recovery_add = sq_report_recovery_add,
	.report_stints_add = sq_report_stints_add,
	.report_recovery_scan = sq_report_recovery_scan,
	.report_month_scan = sq_report_month_scan,
	.report_month_save = sq_report_month_save,
	.report_roll_scan = sq_report_roll_scan,
	.report_records_take = sq_report_records_take,
	.report_refusals_take = sq_report_refusals_take,
	.report_activity_add = sq_report_activity_add,
	.report_refusals_add = sq_report_refusals_add,
	.report_activity_sum = sq_report_activity_sum,
	.report_refusals_sum = sq_report_refusals_sum,
	.report_stints_scan = sq_report_stints_scan,
	.template_insert = sq_template_insert,
	.template_update = sq_template_update,
	.template_publish = sq_template_publish,
	.template_get = sq_template_get,
	.templates_scan = sq_templates_scan,
	.letter_serial_next = sq_letter_serial_next,
	.letter_insert = sq_letter_insert,
	.letters_scan = sq_letters_scan,
	.batch_insert = sq_batch_insert,
	.batch_update = sq_batch_update,
	.batches_scan = sq_batches_scan,
	.batch_cases_scan = sq_batch_cases_scan,
	.batch_case_done = sq_batch_case_done,
	.outbox_insert = sq_outbox_insert,
	.outbox_claim = sq_outbox_claim,
	.outbox_update = sq_outbox_update,
	.outbox_receipt = sq_outbox_receipt,
	.outbox_scan = sq_outbox_scan,
	.outbox_count = sq_outbox_count,
	.insert_debtor = sq_insert_debtor,
	.insert_contact = sq_insert_contact,
	.insert_account = sq_insert_account,
	.insert_installment = sq_insert_installment,
	.insert_payment = sq_insert_payment,
	.insert_waiver = sq_insert_waiver,
	.insert_promise = sq_insert_promise,
	.case_find = sq_case_find,
	.account_max_ref = sq_account_max_ref,
	.accounts_scan = sq_accounts_scan,
	.account_get = sq_account_get,
	.facts_scan = sq_facts_scan,
	.installments_load = sq_installments_load,
	.events_load = sq_events_load,
	.installments_save = sq_installments_save,
	.state_save = sq_state_save,
	.facts_mark_booked = sq_facts_mark_booked,
	.transition_record = sq_transition_record,
	.day_totals_save = sq_day_totals_save,
	.promises_scan = sq_promises_scan,
	.promise_set_status = sq_promise_set_status,
	.accounts_scan_by_id = sq_accounts_scan_by_id,
	.eod_run_record = sq_eod_run_record,
	.eod_part_save = sq_eod_part_save,
	.eod_parts_scan = sq_eod_parts_scan,
	.eod_parts_clear = sq_eod_parts_clear,
	.user_count = sq_user_count,
	.user_create = sq_user_create,
	.user_get = sq_user_get,
	.user_set_login_state = sq_user_set_login_state,
	.user_set_password = sq_user_set_password,
	.session_create = sq_session_create,
	.session_get = sq_session_get,
	.session_delete = sq_session_delete,
	.sessions_delete_user = sq_sessions_delete_user,
	.audit_last_hash = sq_audit_last_hash,
	.audit_append = sq_audit_append,
	.audit_scan = sq_audit_scan,
	.users_scan = sq_users_scan,
	.case_get = sq_case_get,
	.cases_list = sq_cases_list,
	.user_update = sq_user_update,
	.agency_create = sq_agency_create,
	.agencies_scan = sq_agencies_scan,
	.case_place = sq_case_place,
	.contract_create = sq_contract_create,
	.strategy_insert = sq_strategy_insert,
	.case_facts_scan = sq_case_facts_scan,
	.treatment_save = sq_treatment_save,
	.treatment_get = sq_treatment_get,
	.treatment_recheck = sq_treatment_recheck,
	.treatment_clear = sq_treatment_clear,
	.cases_mark_changed = sq_cases_mark_changed,
	.case_changes_clear = sq_case_changes_clear,
	.collectors_scan = sq_collectors_scan,
	.case_allocate = sq_case_allocate,
	.strategy_update = sq_strategy_update,
	.strategy_publish = sq_strategy_publish,
	.strategies_scan = sq_strategies_scan,
	.contracts_of_agency = sq_contracts_of_agency,
	.agency_review_get = sq_agency_review_get,
	.agency_review_set = sq_agency_review_set,
	.placements_expire = sq_placements_expire,
	.agency_statement = sq_agency_statement,
	.case_recall = sq_case_recall,
	.placements_of_case = sq_placements_of_case,
	.case_timeline = sq_case_timeline,
	.contact_counts = sq_contact_counts,
	.contact_stop = sq_contact_stop,
	.stop_add = sq_stop_add,
	.stop_lift = sq_stop_lift,
	.stops_of_debtor = sq_stops_of_debtor,
	.case_limitation = sq_case_limitation,
	.team_create = sq_team_create,
	.teams_scan = sq_teams_scan,
	.plan_insert = sq_plan_insert,
	.plan_decide = sq_plan_decide,
	.plan_case = sq_plan_case,
	.plans_of_case = sq_plans_of_case,
	.case_paid_between = sq_case_paid_between,
	.dispute_open = sq_dispute_open,
	.dispute_file_add = sq_dispute_file_add,
	.dispute_open_of = sq_dispute_open_of,
	.dispute_get = sq_dispute_get,
	.dispute_resolve = sq_dispute_resolve,
	.dispute_file_get = sq_dispute_file_get,
	.contact_add = sq_contact_add,
	.contact_set_validity = sq_contact_set_validity,
	.waiver_request_insert = sq_wr_insert,
	.waiver_request_get = sq_wr_get,
	.waiver_request_decide = sq_wr_decide,
	.waiver_requests_list = sq_wr_list,
	.waiver_requests_pending = sq_wr_pending,
	.scripts_scan = sq_scripts_scan,
	.queue_counts = sq_queue_counts,
	.overdue_scan = sq_overdue_scan,
	.overdue_trend = sq_overdue_trend,
	.promise_counts = sq_promise_counts,
	.collector_figures = sq_collector_figures,
	.recovery_scan = sq_recovery_scan,
	.promise_takers = sq_promise_takers,
	.bucket_census = sq_bucket_census,
	.bucket_moves = sq_bucket_moves,
	.month_ends = sq_month_ends,
	.script_save = sq_script_save,
	.plans_pending = sq_plans_pending,
	.case_set_status = sq_case_set_status,
	.case_status_history = sq_case_status_history,
	.payment_get = sq_payment_get,
	.cases_spread = sq_cases_spread,
	.record_insert = sq_record_insert,
	.records_list = sq_records_list,
	.promise_take = sq_promise_take,
	.contact_of_debtor = sq_contact_of_debtor,
	.case_accounts = sq_case_accounts,
	.account_payments = sq_account_payments,
	.debtor_contacts = sq_debtor_contacts,
	.case_promises = sq_case_promises,
};

enum hk_rc hk_store_sqlite_open(const char *path, enum hk_lang lang,
				struct hk_store **out, struct hk_err *err)
{
	struct sqlite_store *ss = hk_calloc(1, sizeof(*ss));
	enum hk_rc rc;

	*out = NULL;
	ss->base.ops = &sqlite_ops;
	ss->base.lang = lang;
	if (sqlite3_open_v2(path, &ss->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				    /* one connection per thread: no mutex
				     * around every column read */
				    SQLITE_OPEN_NOMUTEX,
			    NULL) !=
	    SQLITE_OK) {
		rc = hk_err_set(err, HK_EIO,
				HK_TR(lang, "无法打开数据库 %s：%s",
				      "could not open database %s: %s"),
				path, ss->db ? sqlite3_errmsg(ss->db) : "?");
		sqlite3_close(ss->db);
		free(ss);
		return rc;
	}
	sqlite3_busy_timeout(ss->db, 5000);
	/* WAL keeps readers (the server) going during day-end and survives a
	 * kill -9 with the last commit intact; NORMAL sync is safe with WAL. */
	rc = exec_sql(ss,
		      "PRAGMA journal_mode = WAL;"
		      "PRAGMA synchronous = NORMAL;"
		      "PRAGMA foreign_keys = OFF;"
		      "PRAGMA temp_store = MEMORY;"
		      "PRAGMA cache_size = -8192;",
		      err);
	if (rc != HK_OK) {
		sqlite3_close(ss->db);
		free(ss);
		return hk_err_set(err, HK_EIO,
				  HK_TR(lang, "无法使用数据库 %s：%s",
					"could not use database %s: %s"),
				  path, err ? err->msg : "?");
	}
	*out = &ss->base;
	return HK_OK;
}
