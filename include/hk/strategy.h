/*
 * strategy.h - the collection strategy as a decision table (issue 4):
 * an ordered list of rules, each with conditions on a case's facts and a
 * treatment; the first rule whose conditions all hold gives the case its
 * treatment.  A rule may split its cases between arms (champion /
 * challenger) by a hash of the case id, so a case stays in its arm.
 *
 * Pure: hk_strategy_match and hk_strategy_check read only their arguments.
 * The JSON form (docs/strategy.md) is read and written by src/io.
 */
#ifndef HK_STRATEGY_H
#define HK_STRATEGY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hk/rc.h"

#define HK_STRATEGY_MAX_RULES 200
#define HK_STRATEGY_MAX_ARMS 4
#define HK_STRATEGY_MAX_VALUES 16 /* creditors, segments, provinces */
#define HK_STRATEGY_TEXT 48

/* The facts of one case as of a day-end that rules test. */
struct hk_case_facts {
	int64_t case_ref;
	int32_t dpd;
	int bucket;                /* index into the bucket table */
	int64_t total_overdue;     /* fen */
	unsigned products;         /* bit 1 << enum hk_product */
	const char *creditor, *segment, *province; /* "" when unknown */
	int promise;               /* -1 none, else enum hk_promise_status */
	int plan;                  /* -1 none, 0 on track, 1 broken */
	bool dispute_open, lost_contact;
	int32_t days_since_contact; /* -1: never contacted */
	int32_t days_since_payment; /* -1: never paid */
	int32_t days_to_due;        /* to the next due date; -1: none */
	unsigned outcomes;          /* bit per outcome code seen (strategy.c) */
	int age;                    /* of a person, from the ID number; -1 */
	/* How the time-based facts move (hk_strategy_steady_days): DPD and
	 * the days since contact or payment grow by one a day while set, the
	 * days to due shrink by one; these say the rest. */
	int64_t overdue_daily;      /* fen added to total_overdue a day */
	int32_t birthday_in;        /* days to the next birthday; -1 */
	int32_t plan_change_in;     /* days until an on-track plan's next
				     * installment can be missed; -1 */
};

/* An inclusive range; `set` false: no condition. */
struct hk_range {
	bool set;
	int64_t lo, hi;
};

/* A set of alternatives; n == 0: no condition. */
struct hk_values {
	size_t n;
	char v[HK_STRATEGY_MAX_VALUES][HK_STRATEGY_TEXT];
};

/* A rule's conditions: all must hold. */
struct hk_conditions {
	unsigned buckets;          /* bit per bucket index; 0: any */
	struct hk_range dpd, total_overdue, days_since_contact,
		days_since_payment, days_to_due, age;
	unsigned products;         /* any of; 0: any */
	struct hk_values creditors, segments, provinces;
	unsigned promises;         /* bit (status + 1), bit 0: none; 0: any */
	unsigned plans;            /* bit (state + 1), bit 0: none; 0: any */
	int dispute_open, lost_contact; /* -1 any, 0 no, 1 yes */
	unsigned outcomes_any;     /* some outcome of these seen; 0: any */
	unsigned outcomes_none;    /* none of these seen */
};

enum hk_channel {
	HK_CH_NONE, HK_CH_SMS, HK_CH_CALL, HK_CH_EMAIL, HK_CH_LETTER,
	HK_CH_VISIT, HK_CH_LAWYER_LETTER, HK_CH_AGENCY, HK_CH_LITIGATION,
	HK_CH_COUNT
};

/* "sms", "call", ... (strategy_json.c). */
const char *hk_channel_name(enum hk_channel ch);

/* What a case gets. */
struct hk_treatment {
	char queue[HK_STRATEGY_TEXT];
	enum hk_channel channel;
	char template_id[HK_STRATEGY_TEXT]; /* "" when none */
	int priority;              /* 0..100, higher first */
	int follow_up_days;        /* 0: none */
	int hour_from, hour_to;    /* preferred hours [from, to); -1: any */
	uint32_t paydays;          /* bit d for day of month d; 0: any */
};

struct hk_arm {
	char name[HK_STRATEGY_TEXT];
	int share;                 /* percent; the arms of a rule add to 100 */
	struct hk_treatment then;
};

struct hk_rule {
	char id[HK_STRATEGY_TEXT];
	char name[128];
	struct hk_conditions when;
	size_t n_arms;             /* 0: `then` for every case */
	struct hk_treatment then;
	struct hk_arm arms[HK_STRATEGY_MAX_ARMS];
};

#define HK_ALLOC_MAX_ROUTES 32
#define HK_ALLOC_MAX_TEAMS 8

/* Allocation (docs/strategy.md): the teams that work each queue. */
struct hk_alloc_route {
	char queue[HK_STRATEGY_TEXT];
	size_t n_teams;
	char teams[HK_ALLOC_MAX_TEAMS][HK_STRATEGY_TEXT];
};

struct hk_allocation {
	size_t n_routes;           /* 0: day-end moves no case by rule */
	struct hk_alloc_route routes[HK_ALLOC_MAX_ROUTES];
	int rotate_after_days;     /* 0: never rotate */
};

struct hk_strategy {
	char name[128];
	size_t n_rules;
	struct hk_rule rules[HK_STRATEGY_MAX_RULES];
	struct hk_allocation allocation;
};

/* The treatment a case gets: the first matching rule's index and arm
 * (-1: no arms).  -1 when no rule matches (a valid strategy ends with a
 * rule that matches everything). */
int hk_strategy_match(const struct hk_strategy *st,
		      const struct hk_case_facts *f, int *arm);

/* The days from the facts' date during which the match of rule `rule`
 * surely stays as it is when nothing but time moves the facts: the least k
 * >= 1 such that on the date + k an earlier rule could hold or `rule`
 * could stop holding.  INT32_MAX: never by time alone.  Day-end looks at a
 * case again on that date, or sooner if an event changes its facts.
 * `max_dpd`: the bucket table, as for hk_strategy_check. */
int32_t hk_strategy_steady_days(const struct hk_strategy *st,
				const struct hk_case_facts *f, int rule,
				const int32_t *max_dpd, size_t n_buckets);

/* The route of a queue in the allocation; NULL when none. */
const struct hk_alloc_route *hk_alloc_route_of(const struct hk_allocation *a,
					       const char *queue);

/* The treatment of rule r (and arm) for a case. */
const struct hk_treatment *hk_strategy_treatment(const struct hk_strategy *st,
						 int rule, int arm);

/* The arm of a rule for a case: deterministic by a hash of the case id and
 * the rule id, so a case stays in its arm however the table around it
 * changes. */
int hk_strategy_arm(const struct hk_rule *r, int64_t case_ref);

/*
 * Check what JSON cannot: each rule's conditions can hold (no empty
 * range, no DPD range outside its buckets), each rule can be reached (no
 * earlier rule takes every case it would), arms add up to 100, ids are
 * unique, and the last rule takes every case.  The first problem goes to
 * err as "rules[i] (id): ..." in the given language.  `buckets` gives each
 * bucket's DPD range: max_dpd[i], the previous bound + 1 its start.
 */
enum hk_rc hk_strategy_check(const struct hk_strategy *st,
			     const int32_t *max_dpd, size_t n_buckets,
			     enum hk_lang lang, struct hk_err *err);

/* Outcome codes a rule can name, in their bit order ("reached_debtor" is
 * bit 0); -1 when unknown. */
int hk_outcome_bit(const char *code);
extern const char *const hk_outcome_codes[];

#endif
