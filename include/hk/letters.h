/*
 * letters.h - letters and messages from templates (src/batch/letters.c,
 * src/batch/outbox.c, docs/letters.md): the rules a template must meet,
 * the data a case gives it, a letter written and recorded, batches of
 * letters, and messages queued and sent through the outbox.
 */
#ifndef HK_LETTERS_H
#define HK_LETTERS_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "hk/io.h"
#include "hk/rc.h"
#include "hk/store.h"

/* ---- templates -------------------------------------------------------- */

/*
 * Check a template against the rules of its channel, audience and kind:
 * it parses; every name it uses is one the data has (in {{#each
 * accounts}}, an account's); a demand (letter or email of kind notice,
 * final, lawyer or invoice, to the debtor) names the debtor, the total
 * owed and the creditor with its phone, and has the sections basis,
 * rights, check and dispute with text; a third-party template names no
 * debt detail; an SMS has no sections' demands but stays under 500
 * characters; the text passes the lexicon.  HK_EINVAL with every problem
 * found, one a line, in err->msg.
 */
enum hk_rc hk_template_check(const struct hk_template_rec *t,
			     enum hk_lang lang, struct hk_err *err);

/* Whether a template is a collection demand (the rules of
 * hk_template_check and demand_ready apply). */
bool hk_template_is_demand(const struct hk_template_rec *t);

/* Seed the shipped templates (data/templates) as published version 1 of
 * each (code, channel) that has none yet; *added gets how many. */
enum hk_rc hk_templates_seed(struct hk_store *s, int64_t at, int *added,
			     struct hk_err *err);

/* ---- a letter --------------------------------------------------------- */

/* Where a letter's case and template come from. */
struct hk_letter_job {
	int64_t case_ref;
	const char *contact_id;    /* NULL: the debtor (third-party templates
				    * need a contact) */
	const struct hk_template_rec *tmpl;
	int32_t as_of;             /* the amounts' date: the last day-end */
	int32_t today;             /* the date written on it */
	const char *serial;        /* 函号; "样张" for a preview */
};

/*
 * The data `job` gives its template (docs/letters.md's catalogue), a JSON
 * object the caller decrefs.  HK_ENOTFOUND when the case does not exist.
 * *total_owed gets the case's total overdue as of job->as_of (may be NULL).
 */
enum hk_rc hk_letter_data(struct hk_store *s, const struct hk_config *cfg,
			  const struct hk_letter_job *job, json_t **out,
			  int64_t *total_owed, struct hk_err *err);

/*
 * Render job's template for its case: *text (malloc'ed, the caller frees)
 * is the letter's markup with values escaped (pdf.h) for letters, the plain
 * text for SMS and email; *subject (email; may be NULL) likewise.  A demand
 * is refused for a case owing nothing overdue (HK_EREFUSED) and without a
 * creditor's phone, or for a lawyer's letter without its firm, in the
 * configuration (HK_ECONFIG).
 */
enum hk_rc hk_letter_render(struct hk_store *s, const struct hk_config *cfg,
			    const struct hk_letter_job *job, char **text,
			    char **subject, int64_t *total_owed,
			    enum hk_lang lang, struct hk_err *err);

/*
 * Write one letter for a case and record it, inside the caller's write
 * transaction (the caller audits and commits, or rolls back: a file may
 * then stay under files_dir, referenced by nothing): a serial of the
 * year, the PDF under `files_dir` (named by its SHA-256), the letter row
 * with the case's treatment (if any).
 * `code` is the template's (the newest published letter version).
 * out gets the record.  HK_ENOTFOUND: no such published template; HK_EINVAL:
 * a third-party template for the debtor.
 */
enum hk_rc hk_letter_write(struct hk_store *s, const struct hk_config *cfg,
			   const char *files_dir, int64_t case_ref,
			   const char *code, int64_t user_ref,
			   struct hk_letter_rec *out, enum hk_lang lang,
			   struct hk_err *err);

/* The path of a stored file: files_dir/<sha256>. */
void hk_stored_path(const char *files_dir, const char *sha256, char *out,
		    size_t cap);

/* ---- batches ---------------------------------------------------------- */

/*
 * A new batch of letters for the cases in `scope` whose treatment (as of
 * the last day-end) sends a letter (channel letter or lawyer_letter, with
 * its template), or for `cases` (n of them) with template `code`.
 * Recorded, not written: hk_batch_run writes it.  HK_EINVAL when nothing
 * qualifies, or when one of `cases` is outside a scope that is not all.
 */
enum hk_rc hk_batch_create(struct hk_store *s, const struct hk_config *cfg,
			   const struct hk_scope *scope, const int64_t *cases,
			   size_t n, const char *code, int64_t user_ref,
			   struct hk_batch_rec *out, enum hk_lang lang,
			   struct hk_err *err);

/*
 * Write a batch's letters not written yet, `threads` at a time (0: one
 * per processor): one PDF each under files_dir, a print file of the run's
 * letters in order and the batch's manifest (CSV) under
 * files_dir/batches/<ref>/, every letter recorded as it goes so a rerun
 * after a crash writes only the rest.  progress(ctx, done, total) now
 * and then (may be NULL).
 */
enum hk_rc hk_batch_run(struct hk_store *s, const struct hk_config *cfg,
			const char *files_dir, int64_t batch_ref, int threads,
			void (*progress)(void *ctx, int64_t done, int64_t total),
			void *ctx, enum hk_lang lang, struct hk_err *err);

/* ---- messages --------------------------------------------------------- */

/*
 * Queue a message (SMS or email, the channel of template `code`) for a
 * case, to the debtor or to a contact (contact_id NULL: the debtor), after
 * the guardrails: a refused message is recorded refused with its rule and
 * *refused set (the caller answers 403).  out gets the record.
 */
enum hk_rc hk_message_queue(struct hk_store *s, const struct hk_config *cfg,
			    int64_t case_ref, const char *code,
			    const char *channel, const char *contact_id,
			    int64_t user_ref, int64_t now,
			    struct hk_outbox_rec *out, bool *refused,
			    enum hk_lang lang, struct hk_err *err);

/* Queue the messages the day's treatments ask for (channel sms or email),
 * one a case, unless one of that template went to the case on `today`
 * already; *queued and *refused get the counts. */
enum hk_rc hk_messages_from_treatments(struct hk_store *s,
				       const struct hk_config *cfg,
				       int64_t now, int *queued, int *refused,
				       enum hk_lang lang, struct hk_err *err);

/*
 * Send what is due: take up to `max` messages (a lease), check the
 * guardrails again at the moment of sending (hours may have come, a stop
 * may have been made since), send each through its channel, and record
 * the outcome: sent; later (next_at by backoff, failed after max_attempts);
 * rejected (failed); refused (the rule).  *sent gets how many left.
 */
enum hk_rc hk_outbox_send(struct hk_store *s, const struct hk_config *cfg,
			  int64_t now, int max, int *sent, enum hk_lang lang,
			  struct hk_err *err);

#endif
