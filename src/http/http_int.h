/*
 * http_int.h - what the server's files share: the request as handlers see
 * it, the route table, and the helpers that answer.  Handlers never talk to
 * libmicrohttpd directly.
 */
#ifndef HK_HTTP_INT_H
#define HK_HTTP_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "hk/batch.h"
#include "hk/http.h"
#include "hk/guard.h"
#include "hk/store.h"

#define HK_MAX_PATH_PARAMS 4

struct hk_req {
	struct hk_user user;      /* who asked (ref 0: nobody logged in) */
	struct hk_session session;
	char token_hash[65];      /* of the session token presented */
	char client[64];          /* the caller's address */
	const char *files_dir;    /* where evidence files are kept */
	bool audit_failed;        /* an audit record could not be written */
	const char *method;
	const char *path;
	const char *body;         /* NUL-terminated, may be NULL */
	size_t body_len;
	enum hk_lang lang;        /* from Accept-Language: zh default */
	struct hk_store *store;   /* lent by the pool for this request */
	const struct hk_config *cfg;
	void *conn;               /* the MHD connection, for headers */
	const char *params[HK_MAX_PATH_PARAMS]; /* {name} parts of the path */
	size_t n_params;
	/* the answer */
	int status;
	json_t *json;             /* owned: the response body */
	char headers[4][2][192];  /* extra response headers: name, value */
	size_t n_headers;
	/* a body that is not JSON (hk_reply_raw): owned, malloc'd */
	char *raw;
	size_t raw_len;
	const char *raw_type;
};

typedef void (*hk_handler_fn)(struct hk_req *req);

/* Answer a request outside /api from the web interface's files (static.c)
 * on the MHD connection `conn`; *status gets the HTTP status sent.
 * Returns MHD's result (MHD_YES / MHD_NO). */
int hk_static_serve(void *conn, const char *web_dir, const char *method,
		    const char *url, int *status);

/* Free a string from json_dumps: during a request it lives in the request's
 * arena (server.c), so plain free() would be wrong. */
void hk_json_text_free(char *text);

struct hk_route {
	const char *method;       /* "GET", "POST", ... */
	const char *pattern;      /* "/api/cases/{id}" */
	hk_handler_fn handler;
	const char *summary;      /* for the OpenAPI document */
	const char *tag;
	int roles;                /* enum hk_role bits allowed; 0: public */
	const char *query;        /* "a,b,c": the query parameters it takes;
				   * any other answers 400 */
};

/* The route table (routes.c), ended by a NULL method. */
extern const struct hk_route hk_routes[];

/* Find the route for method and path; fills req->params.  Sets *path_known
 * when some route matches the path with another method (405, not 404). */
const struct hk_route *hk_route_find(struct hk_req *req, bool *path_known);

/* Answer with bytes of a media type (takes `bytes`, from malloc) as a
 * download named `filename` (NULL: shown inline). */
void hk_reply_raw(struct hk_req *req, int status, const char *type,
		  char *bytes, size_t len, const char *filename);
/* Answer with a JSON body (takes ownership of `body`). */
void hk_reply(struct hk_req *req, int status, json_t *body);
/* Answer with the error {code, message}: code is hk_rc_name(rc), status
 * hk_rc_http_status(rc) unless `status` is not 0. */
void hk_reply_error(struct hk_req *req, enum hk_rc rc, int status,
		    const char *message);
/* Parse the body as a JSON object whose keys are all in `allowed` (a
 * NULL-ended list); answers 400 and returns NULL otherwise. */
json_t *hk_req_json_object(struct hk_req *req, const char *const *allowed);
/* Is `value` (may be NULL) one of the NULL-ended `list`? */
bool hk_one_of(const char *value, const char *const *list);
/* A body of one text field {key}: its value into out (cap bytes); false
 * once it has answered (400, with the message given, when it is missing,
 * empty or too long; an unknown field or bad JSON as hk_req_json_object). */
bool hk_req_one_text(struct hk_req *req, const char *key, char *out,
		     size_t cap, const char *zh, const char *en);
/* A request header (NULL when absent). */
const char *hk_req_header(struct hk_req *req, const char *name);
/* A query-string argument (NULL when absent). */
const char *hk_req_query(struct hk_req *req, const char *name);

/* Who is asking (auth.c): from the session cookie or a bearer token.
 * Answers 401/403 (and returns false) when the route's roles exclude the
 * caller, or a cookie session writes without the CSRF header. */
bool hk_authenticate(struct hk_req *req, const struct hk_route *route);
/* Add a response header to the answer (at most a few per request). */
void hk_reply_header(struct hk_req *req, const char *name, const char *value);

/* Append an audit record for this request (takes `detail`, may be NULL).
 * Call inside the write transaction; on failure sets req->audit_failed and
 * the caller must roll back: no write without its record. */
void hk_audit(struct hk_req *req, const char *action, const char *target,
	      json_t *detail);

/* hk_audit, then commit the open write transaction: the common end of
 * every write handler.  Any failure is returned; the caller rolls back. */
enum hk_rc hk_audit_commit(struct hk_req *req, const char *action,
			   const char *target, json_t *detail,
			   struct hk_err *err);

/* A user as the API shows it (never the password hash). */
json_t *hk_user_json(const struct hk_user *u);

/* The scope of cases a user may see (cases.c). */
void hk_scope_of(const struct hk_user *u, struct hk_scope *scope);
/* Load the case named by path parameter {id} if the caller's scope holds
 * it; otherwise answer 404 (or 503) and return false. */
bool hk_case_in_scope(struct hk_req *req, struct hk_case_rec *c);
/* The ids of the cases in the caller's scope that `filter` (a JSON object
 * of GET /api/cases's filters, by the same names) selects, in id order,
 * at most `max` (the caller frees *refs); false once it has answered: 400
 * for an unknown or bad filter or more than max cases, 503. */
bool hk_cases_matching(struct hk_req *req, json_t *filter, size_t max,
		       int64_t **refs, size_t *n);
/* Today in the debtors' time zone (set for the process at start). */
int32_t hk_today(void);

/* The options the server runs with (server.c). */
const struct hk_server_opts *hk_server_options(void);
/* Answer a stored file inside JSON {name, sha256, size, content_base64},
 * refused (500) when its bytes no longer match `sha` and `size`. */
void hk_reply_stored_file(struct hk_req *req, const char *path,
			  const char *name, const char *sha, int64_t size);
/* A message's recipient as the API shows it (letters.c): a phone number
 * masked (138****5678), an email address as d***@example.cn; "" for none.
 * out holds HK_RECIPIENT_BUFSZ bytes. */
#define HK_RECIPIENT_BUFSZ 256
void hk_mask_recipient(const char *channel, const char *addr, char *out);
/* `text` with every occurrence of `addr` written `masked` (letters.c): a
 * gateway's answer may quote the number it refused. */
void hk_mask_within(const char *text, const char *addr, const char *masked,
		    char *out, size_t cap);

/* Handlers, one file per resource. */
void hk_h_health(struct hk_req *req);
void hk_h_openapi(struct hk_req *req);
void hk_h_login(struct hk_req *req);
void hk_h_logout(struct hk_req *req);
void hk_h_me(struct hk_req *req);
void hk_h_password(struct hk_req *req);
void hk_h_users_list(struct hk_req *req);
void hk_h_users_create(struct hk_req *req);
void hk_h_audit_list(struct hk_req *req);
void hk_h_case_get(struct hk_req *req);
void hk_h_cases_list(struct hk_req *req);
void hk_h_case_reveal(struct hk_req *req);
void hk_h_payment_post(struct hk_req *req);
void hk_h_case_status(struct hk_req *req);
void hk_h_waiver_request(struct hk_req *req);
void hk_h_waiver_list(struct hk_req *req);
void hk_h_waiver_decide(struct hk_req *req);
void hk_h_contact_add(struct hk_req *req);
void hk_h_contact_validity(struct hk_req *req);
void hk_h_dispute_open(struct hk_req *req);
void hk_h_dispute_resolve(struct hk_req *req);
void hk_h_dispute_files(struct hk_req *req);
void hk_h_dispute_file(struct hk_req *req);
void hk_h_plan_propose(struct hk_req *req);
void hk_h_plan_decide(struct hk_req *req);
void hk_h_plans_list(struct hk_req *req);
/* ---- the compliance guardrails (hk/guard.h; guard.c answers) ---- */

/* hk_guard_check for the request: false once it has answered (503). */
bool hk_guard_contact(struct hk_req *req, const struct hk_case_rec *c,
		      const struct hk_contact_plan *p,
		      struct hk_guard_result *out);
/* Answer 403 {code, rule, message} for a refused write, audited. */
void hk_guard_refuse(struct hk_req *req, const struct hk_case_rec *c,
		     const struct hk_guard_result *r);
/* Screen free text a user writes on case c; false once it has refused
 * (GR-LEXICON, audited). */
bool hk_guard_text(struct hk_req *req, const struct hk_case_rec *c,
		   const char *text);
/* hk_guard_barred today; false once it has answered (503). */
bool hk_guard_time_barred(struct hk_req *req, const struct hk_case_rec *c,
			  bool *barred);
void hk_h_contact_check(struct hk_req *req);
void hk_h_stops_list(struct hk_req *req);
void hk_h_stop_add(struct hk_req *req);
void hk_h_stop_lift(struct hk_req *req);
void hk_h_contact_stop(struct hk_req *req);

void hk_h_templates_list(struct hk_req *req);
void hk_h_template_get(struct hk_req *req);
void hk_h_template_create(struct hk_req *req);
void hk_h_template_update(struct hk_req *req);
void hk_h_template_publish(struct hk_req *req);
void hk_h_template_preview(struct hk_req *req);
void hk_h_case_letters(struct hk_req *req);
void hk_h_case_letter_write(struct hk_req *req);
void hk_h_letter_file(struct hk_req *req);
void hk_h_batches_list(struct hk_req *req);
void hk_h_batch_get(struct hk_req *req);
void hk_h_batch_create(struct hk_req *req);
void hk_h_batch_file(struct hk_req *req);
void hk_h_case_messages(struct hk_req *req);
void hk_h_case_message_send(struct hk_req *req);
void hk_h_outbox_list(struct hk_req *req);
void hk_h_outbox_receipt(struct hk_req *req);
void hk_h_messages_from_treatments(struct hk_req *req);

void hk_h_case_timeline(struct hk_req *req);
void hk_h_queue(struct hk_req *req);
void hk_h_strategies_list(struct hk_req *req);
void hk_h_strategy_create(struct hk_req *req);
void hk_h_strategy_get(struct hk_req *req);
void hk_h_strategy_update(struct hk_req *req);
void hk_h_strategy_publish(struct hk_req *req);
void hk_h_strategy_dry_run(struct hk_req *req);
/* A case's treatment as of the last day-end (strategies.c): version,
 * rule, arm, queue, channel, template, priority, timing, since; JSON null
 * when it has none. */
json_t *hk_treatment_json(struct hk_req *req, int64_t case_ref);
/* The same as the version's treatment (and its rule); NULL when none. */
struct hk_treatment;
struct hk_rule;
const struct hk_treatment *hk_case_treatment(struct hk_req *req,
					     int64_t case_ref,
					     struct hk_treatment_rec *t,
					     const struct hk_rule **rule);
void hk_h_agencies_list(struct hk_req *req);
void hk_h_contracts_list(struct hk_req *req);
void hk_h_contract_create(struct hk_req *req);
void hk_h_agency_review(struct hk_req *req);
void hk_h_agency_statement(struct hk_req *req);
/* The contract of `agency` in force on `day`; false once it answered 503. */
bool hk_agency_contract(struct hk_req *req, int64_t agency, int32_t day,
			struct hk_contract *out, bool *found);
void hk_h_agencies_create(struct hk_req *req);
void hk_h_case_place(struct hk_req *req);
void hk_h_case_recall(struct hk_req *req);
void hk_h_user_update(struct hk_req *req);
/* Teams and agencies: named lists read by a scan (users.c).  Answer the
 * list under `key`; or whether `ref` is in it (false once it answered 503). */
typedef enum hk_rc (*hk_named_scan_fn)(struct hk_store *s,
				       int (*fn)(void *ctx, int64_t ref,
						 const char *name),
				       void *ctx, struct hk_err *err);
void hk_reply_named(struct hk_req *req, hk_named_scan_fn scan, const char *key);
bool hk_named_exists(struct hk_req *req, hk_named_scan_fn scan, int64_t ref,
		     bool *exists);
/* A case's placements as a JSON array; NULL when they cannot be read. */
json_t *hk_placements_json(struct hk_req *req, int64_t case_ref);
void hk_h_teams_list(struct hk_req *req);
void hk_h_teams_create(struct hk_req *req);
void hk_h_case_assign(struct hk_req *req);
void hk_h_cases_assign(struct hk_req *req);
void hk_h_user_absence(struct hk_req *req);
void hk_h_approvals(struct hk_req *req);
void hk_h_dashboard(struct hk_req *req);
void hk_h_reports_list(struct hk_req *req);
void hk_h_report(struct hk_req *req);
void hk_h_config(struct hk_req *req);
void hk_h_queue_counts(struct hk_req *req);
void hk_h_scripts_list(struct hk_req *req);
void hk_h_script_create(struct hk_req *req);
void hk_h_script_update(struct hk_req *req);
int hk_status_history_add(void *ctx, int64_t at, int64_t user_ref,
			  const char *from, const char *to, const char *reason);
void hk_h_records_add(struct hk_req *req);
void hk_h_records_list(struct hk_req *req);
void hk_h_promise_add(struct hk_req *req);

#endif
