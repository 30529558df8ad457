/*
 * guard.h - the compliance guardrails (src/batch/guard.c,
 * docs/compliance.md): the rules an outbound contact must pass - a call
 * or visit a person records, a message the outbox is about to send - in a
 * fixed order, the first that forbids it named with its code and a plain
 * reason.  Reads the store; never writes.
 */
#ifndef HK_GUARD_H
#define HK_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hk/io.h"
#include "hk/rc.h"
#include "hk/store.h"

/* One outbound contact to check. */
struct hk_contact_plan {
	const char *channel;            /* call, sms, email, letter, visit, ... */
	const char *contact_id;         /* NULL: none named */
	const char *third_party_reason; /* NULL: none */
	const char *note;               /* screened by the lexicon; NULL ok */
	int64_t at;                     /* when: Unix seconds */
};

struct hk_guard_result {
	const char *rule;   /* "GR-HOURS", ...; NULL: allowed */
	char message[320];  /* the plain reason, in the caller's language */
	int conversations_left, attempts_left; /* today; -1: no limit */
};

/* Load the lexicon of the configuration (once, before the first check). */
enum hk_rc hk_guard_init(const struct hk_config *cfg, struct hk_err *err);
/* Check every rule for contact p on case c: out->rule is the first that
 * forbids it (NULL: allowed).  A database failure is its hk_rc. */
enum hk_rc hk_guard_check(struct hk_store *s, const struct hk_config *cfg,
			  enum hk_lang lang, const struct hk_case_rec *c,
			  const struct hk_contact_plan *p,
			  struct hk_guard_result *out /* OUT */,
			  struct hk_err *err);
/* Whether text carries lexicon words: the first category and the words. */
bool hk_guard_lexicon(const char *text, char *words, size_t cap,
		      const char **category);
/* Whether every overdue account of the case is past its limitation
 * period on `today`. */
enum hk_rc hk_guard_barred(struct hk_store *s, const struct hk_config *cfg,
			   int32_t today, int64_t case_ref, bool *barred,
			   struct hk_err *err);
/* The last day of an account's limitation period; HK_DATE_NONE when
 * nothing is overdue. */
int32_t hk_guard_limitation_end(const struct hk_compliance_config *c,
				const struct hk_limitation_row *r);

#endif
