/*
 * routes.c - the one route table and the matcher.  The OpenAPI document is
 * generated from this table, so a route cannot exist without being
 * documented.
 */
#include <string.h>

#include "http_int.h"

const struct hk_route hk_routes[] = {
	{"GET", "/api/health", hk_h_health,
	 "Liveness, version and the last processed day-end date", "system", 0, NULL},
	{"GET", "/api/openapi.json", hk_h_openapi,
	 "This API described as OpenAPI 3.1", "system", 0, NULL},
	{"POST", "/api/session", hk_h_login,
	 "Log in: {username, password, bearer?}; a cookie session with a "
	 "CSRF token, or a bearer token for machine clients",
	 "access", 0, NULL},
	{"DELETE", "/api/session", hk_h_logout, "Log out", "access",
	 HK_ROLE_ANY, NULL},
	{"GET", "/api/me", hk_h_me, "The logged-in user", "access", HK_ROLE_ANY, NULL},
	{"POST", "/api/me/password", hk_h_password,
	 "Change one's password: {current_password, new_password}; ends every "
	 "session of the user",
	 "access", HK_ROLE_ANY, NULL},
	{"GET", "/api/users", hk_h_users_list, "Users", "access",
	 HK_ROLE_ADMIN | HK_ROLE_MANAGER | HK_ROLE_AUDITOR, NULL},
	{"POST", "/api/users", hk_h_users_create,
	 "Create a user: {username, display_name, role, team?, agency?} (an "
	 "agency collector needs an agency); answers a one-time password, "
	 "shown once",
	 "access", HK_ROLE_ADMIN, NULL},
	{"POST", "/api/users/{id}", hk_h_user_update,
	 "Change a user: {display_name?, team?, agency?, active?, capacity?}; "
	 "team and agency are ids or null; deactivating ends the user's "
	 "sessions; capacity: the cases a collector can carry (0: unstated)",
	 "access", HK_ROLE_ADMIN, NULL},
	{"POST", "/api/users/{id}/absence", hk_h_user_absence,
	 "A collector's absence: {from, until?} (from null ends it); day-end "
	 "hands their cases to the team's present collectors meanwhile; a "
	 "team leader for the team only",
	 "access", HK_ROLE_ADMIN | HK_ROLE_MANAGER | HK_ROLE_TEAM_LEADER, NULL},
	{"GET", "/api/strategies", hk_h_strategies_list,
	 "Strategy versions, newest first, and which is in force",
	 "strategy", HK_ROLE_ADMIN | HK_ROLE_MANAGER | HK_ROLE_TEAM_LEADER |
		 HK_ROLE_AUDITOR, NULL},
	{"POST", "/api/strategies", hk_h_strategy_create,
	 "A new draft (import): the body is the strategy's JSON form "
	 "(docs/strategy.md); refused with the first problem named by its path",
	 "strategy", HK_ROLE_ADMIN | HK_ROLE_MANAGER, NULL},
	{"GET", "/api/strategies/{id}", hk_h_strategy_get,
	 "One version with its JSON form (export)", "strategy",
	 HK_ROLE_ADMIN | HK_ROLE_MANAGER | HK_ROLE_TEAM_LEADER |
		 HK_ROLE_AUDITOR, NULL},
	{"POST", "/api/strategies/{id}", hk_h_strategy_update,
	 "Replace a draft with a new JSON form; 409 once published", "strategy",
	 HK_ROLE_ADMIN | HK_ROLE_MANAGER, NULL},
	{"GET", "/api/strategies/{id}/dry-run", hk_h_strategy_dry_run,
	 "How many cases each rule (and arm) of a version would take as of "
	 "the last day-end",
	 "strategy", HK_ROLE_ADMIN | HK_ROLE_MANAGER | HK_ROLE_TEAM_LEADER |
		 HK_ROLE_AUDITOR, NULL},
	{"POST", "/api/strategies/{id}/publish", hk_h_strategy_publish,
	 "Publish a draft: it comes into force and never changes again",
	 "strategy", HK_ROLE_ADMIN | HK_ROLE_MANAGER, NULL},
	{"GET", "/api/agencies", hk_h_agencies_list, "Collection agencies (委外)",
	 "agencies", HK_ROLE_ADMIN | HK_ROLE_MANAGER | HK_ROLE_TEAM_LEADER |
		 HK_ROLE_AUDITOR, NULL},
	{"POST", "/api/agencies", hk_h_agencies_create,
	 "Create an agency: {name}", "agencies",
	 HK_ROLE_ADMIN | HK_ROLE_MANAGER, NULL},
	{"GET", "/api/agencies/{id}/contracts", hk_h_contracts_list,
	 "An agency's contracts and next review date", "agencies",
	 HK_ROLE_ADMIN | HK_ROLE_MANAGER | HK_ROLE_AUDITOR, NULL},
	{"POST", "/api/agencies/{id}/contracts", hk_h_contract_create,
	 "A contract: {starts_on, ends_on, commission (percent), upfront_fee? "
	 "(yuan a case placed), may_settle? (may propose waivers)}",
	 "agencies", HK_ROLE_ADMIN | HK_ROLE_MANAGER, NULL},
	{"POST", "/api/agencies/{id}/review", hk_h_agency_review,
	 "Set the agency's next review date: {next_review}; placements are "
	 "refused while it is past (GR-AGENCY-REVIEW)",
	 "agencies", HK_ROLE_ADMIN | HK_ROLE_MANAGER, NULL},
	{"GET", "/api/agencies/{id}/statement", hk_h_agency_statement,
	 "Commission statement for a period: per placement, what was paid "
	 "within its window and the period, the commission, upfront fees",
	 "agencies", HK_ROLE_ADMIN | HK_ROLE_MANAGER | HK_ROLE_AUDITOR |
		 HK_ROLE_AGENCY_COLLECTOR, "from,to"},
	{"POST", "/api/cases/{id}/placement", hk_h_case_place,
	 "Place a case with an agency under its contract in force: {agency "
	 "(id), until? (default the contract's end), reason}; its users then "
	 "see it; 409 if placed already or no contract; refused while the "
	 "agency's review is overdue",
	 "agencies", HK_ROLE_ADMIN | HK_ROLE_MANAGER, NULL},
	{"POST", "/api/cases/{id}/recall", hk_h_case_recall,
	 "Recall a placed case from its agency: {reason}; 409 if not placed",
	 "agencies", HK_ROLE_ADMIN | HK_ROLE_MANAGER, NULL},
	{"GET", "/api/teams", hk_h_teams_list, "Teams", "access",
	 HK_ROLE_ADMIN | HK_ROLE_MANAGER | HK_ROLE_TEAM_LEADER |
		 HK_ROLE_AUDITOR, NULL},
	{"POST", "/api/teams", hk_h_teams_create, "Create a team: {name}",
	 "access", HK_ROLE_ADMIN, NULL},
	{"POST", "/api/cases/{id}/assign", hk_h_case_assign,
	 "Reassign a case: {collector (username), reason}; a team leader "
	 "within the team only",
	 "cases", HK_ROLE_ADMIN | HK_ROLE_MANAGER | HK_ROLE_TEAM_LEADER, NULL},
	{"POST", "/api/cases/assign", hk_h_cases_assign,
	 "Reassign many cases at once: {cases: [ids] (1-500), collector "
	 "(username), reason}; the rules of one case's reassignment, all or "
	 "nothing (a case outside the caller's scope: 404, none moved), an "
	 "audit record per case",
	 "cases", HK_ROLE_ADMIN | HK_ROLE_MANAGER | HK_ROLE_TEAM_LEADER, NULL},
	{"GET", "/api/audit", hk_h_audit_list,
	 "The audit trail, oldest first (auditors and admins)", "audit",
	 HK_ROLE_ADMIN | HK_ROLE_AUDITOR, NULL},
	{"GET", "/api/cases", hk_h_cases_list,
	 "Cases in the caller's scope with figures as of the last day-end, a "
	 "page at a time. Filters: status, creditor, bucket, dpd_min, dpd_max, "
	 "min_overdue, max_overdue (yuan), collector (user id), team (team "
	 "id), product, province, segment, promise (the latest promise: "
	 "pending, kept, broken), follow_up (due, or a date: next follow-up "
	 "on or before), lost_contact (true). sort: dpd (most days past due "
	 "first, the default), id, overdue (largest first), follow_up "
	 "(earliest first). Keyset pages: after (the next_after of the page "
	 "before), limit (1-500, 50)",
	 "cases", HK_ROLE_ANY,
	 "status,creditor,bucket,dpd_min,dpd_max,min_overdue,max_overdue,"
	 "collector,team,product,province,segment,promise,follow_up,"
	 "lost_contact,sort,after,limit"},
	{"GET", "/api/queue/counts", hk_h_queue_counts,
	 "How many cases of the caller's scope are in each group of the queue "
	 "today: broken promises, promises due, follow-ups due, overdue",
	 "cases", HK_ROLE_ANY, NULL},
	{"GET", "/api/queue", hk_h_queue,
	 "Today's work in the caller's scope, in order: broken promises, "
	 "promises due today, follow-ups due, then the rest most overdue "
	 "first; each case once, with its reason. limit (1-200, 50)",
	 "cases", HK_ROLE_ANY, "limit"},
	{"GET", "/api/cases/{id}", hk_h_case_get,
	 "One case: debtor (phone and ID masked), accounts with their ledger "
	 "state as of the last day-end, installments, payments, contacts, "
	 "promises; 404 outside the caller's scope",
	 "cases", HK_ROLE_ANY, NULL},
	{"GET", "/api/cases/{id}/timeline", hk_h_case_timeline,
	 "Everything that happened on the case, newest first: contact "
	 "records, status changes, promises, payments, waivers, disputes, "
	 "plans, letters written, messages (queued, sent, delivered, "
	 "undelivered, failed, refused; the recipient masked), placements",
	 "cases", HK_ROLE_ANY, NULL},
	{"POST", "/api/cases/{id}/status", hk_h_case_status,
	 "Move the case along its status flow: {status, reason}; settling, "
	 "writing off and closing are a manager's, going legal a team "
	 "leader's; 409 if someone moved it first",
	 "cases",
	 HK_ROLE_ADMIN | HK_ROLE_MANAGER | HK_ROLE_TEAM_LEADER |
		 HK_ROLE_COLLECTOR, NULL},
	{"POST", "/api/cases/{id}/reveal", hk_h_case_reveal,
	 "Reveal one unmasked number, audited: {field: phone|id_number, "
	 "contact_id? (a contact's phone)}",
	 "cases",
	 HK_ROLE_ADMIN | HK_ROLE_MANAGER | HK_ROLE_TEAM_LEADER |
		 HK_ROLE_COLLECTOR, NULL},
	{"GET", "/api/cases/{id}/records", hk_h_records_list,
	 "The case's contact records, newest first", "cases", HK_ROLE_ANY, NULL},
	{"POST", "/api/cases/{id}/records", hk_h_records_add,
	 "Record a contact attempt (催记): {channel, outcome, contact_id?, note?, "
	 "recording_ref?, next_follow_up?, second_staff? (required for a visit)}",
	 "cases",
	 HK_ROLE_ADMIN | HK_ROLE_MANAGER | HK_ROLE_TEAM_LEADER |
		 HK_ROLE_COLLECTOR | HK_ROLE_AGENCY_COLLECTOR, NULL},
	{"POST", "/api/cases/{id}/promises", hk_h_promise_add,
	 "Take a promise to pay: {amount (yuan), due_on (within 30 days)}; its "
	 "status comes from day-end",
	 "cases",
	 HK_ROLE_ADMIN | HK_ROLE_MANAGER | HK_ROLE_TEAM_LEADER |
		 HK_ROLE_COLLECTOR | HK_ROLE_AGENCY_COLLECTOR, NULL},
	{"POST", "/api/cases/{id}/contacts", hk_h_contact_add,
	 "Skip tracing: add a contact detail {relation, phone, source, name?, "
	 "authorized?}",
	 "contacts",
	 HK_ROLE_ADMIN | HK_ROLE_MANAGER | HK_ROLE_TEAM_LEADER |
		 HK_ROLE_COLLECTOR | HK_ROLE_AGENCY_COLLECTOR, NULL},
	{"POST", "/api/cases/{id}/contacts/{contact_id}/stop", hk_h_contact_stop,
	 "A contact person asks not to be called again: {reason}; a permanent "
	 "stop for that contact (GR-CONTACT-STOPPED)",
	 "compliance", HK_ROLE_ADMIN | HK_ROLE_MANAGER | HK_ROLE_TEAM_LEADER |
		 HK_ROLE_COLLECTOR | HK_ROLE_AGENCY_COLLECTOR, NULL},
	{"GET", "/api/cases/{id}/contact-check", hk_h_contact_check,
	 "Before a contact: whether it is allowed now, the rule that forbids "
	 "it and why, and the conversations and attempts left today",
	 "compliance", HK_ROLE_ANY, "channel,contact_id,third_party_reason"},
	{"GET", "/api/cases/{id}/stops", hk_h_stops_list,
	 "The debtor's contact stops (requests to stop a channel, complaints)",
	 "compliance", HK_ROLE_ANY, NULL},
	{"POST", "/api/cases/{id}/stops", hk_h_stop_add,
	 "Record a stop: {channel (all, call, sms, email, letter, visit), "
	 "reason (debtor_request, complaint: pauses every channel), note?}",
	 "compliance", HK_ROLE_ADMIN | HK_ROLE_MANAGER | HK_ROLE_TEAM_LEADER |
		 HK_ROLE_COLLECTOR | HK_ROLE_AGENCY_COLLECTOR, NULL},
	{"POST", "/api/cases/{id}/stops/{stop}/lift", hk_h_stop_lift,
	 "Lift a stop: {reason}", "compliance",
	 HK_ROLE_ADMIN | HK_ROLE_MANAGER | HK_ROLE_TEAM_LEADER, NULL},
	{"POST", "/api/cases/{id}/contacts/{contact_id}/validity",
	 hk_h_contact_validity,
	 "Mark a contact valid, invalid or unverified: {validity}; all invalid "
	 "flags the debtor's cases lost contact",
	 "contacts",
	 HK_ROLE_ADMIN | HK_ROLE_MANAGER | HK_ROLE_TEAM_LEADER |
		 HK_ROLE_COLLECTOR | HK_ROLE_AGENCY_COLLECTOR, NULL},
	{"POST", "/api/cases/{id}/disputes", hk_h_dispute_open,
	 "Open a dispute (异议): {reason, files?: [{name, content_base64}]}; "
	 "pauses outbound collection on the case until resolved",
	 "disputes", HK_ROLE_ANY & ~HK_ROLE_AUDITOR, NULL},
	{"POST", "/api/disputes/{id}/resolve", hk_h_dispute_resolve,
	 "Resolve an open dispute: {resolution}", "disputes",
	 HK_ROLE_ADMIN | HK_ROLE_MANAGER | HK_ROLE_TEAM_LEADER, NULL},
	{"GET", "/api/disputes/{id}/files", hk_h_dispute_files,
	 "A dispute's evidence files without their content: n (from 1), name, "
	 "size, sha256; and the dispute's status",
	 "disputes", HK_ROLE_ANY, NULL},
	{"GET", "/api/disputes/{id}/files/{n}", hk_h_dispute_file,
	 "Evidence file n (from 1), checked against its SHA-256", "disputes",
	 HK_ROLE_ANY, NULL},
	{"GET", "/api/cases/{id}/plans", hk_h_plans_list,
	 "The case's repayment plans; approved ones tracked against payments "
	 "(met / missed / pending; on_track, completed, broken)",
	 "plans", HK_ROLE_ANY, NULL},
	{"POST", "/api/cases/{id}/plans", hk_h_plan_propose,
	 "Propose a repayment plan (分期协商): {installments: [{due_on, "
	 "amount}], note?}",
	 "plans", HK_ROLE_ANY & ~HK_ROLE_AUDITOR, NULL},
	{"POST", "/api/plans/{id}/decision", hk_h_plan_decide,
	 "Approve or reject a proposed plan: {approve}", "plans",
	 HK_ROLE_ADMIN | HK_ROLE_MANAGER | HK_ROLE_TEAM_LEADER, NULL},
	{"GET", "/api/cases/{id}/waivers", hk_h_waiver_list,
	 "The case's waiver requests", "waivers", HK_ROLE_ANY, NULL},
	{"POST", "/api/cases/{id}/waivers", hk_h_waiver_request,
	 "Ask for a waiver (减免): {account_id, component, amount, reason}; "
	 "at most what can be waived today",
	 "waivers",
	 HK_ROLE_ADMIN | HK_ROLE_MANAGER | HK_ROLE_TEAM_LEADER |
		 HK_ROLE_COLLECTOR | HK_ROLE_AGENCY_COLLECTOR, NULL},
	{"GET", "/api/config", hk_h_config,
	 "The configuration in force, read-only: time zone, buckets, each "
	 "product's penalty policy, workflow limits, compliance values "
	 "(docs/configuration.md)",
	 "access", HK_ROLE_ADMIN | HK_ROLE_MANAGER | HK_ROLE_AUDITOR, NULL},
	{"GET", "/api/reports", hk_h_reports_list,
	 "The reports (docs/reports.md): key and title", "reports",
	 HK_ROLE_ANY, NULL},
	{"GET", "/api/reports/{key}", hk_h_report,
	 "One report in the caller's scope: date (aging, team; default the "
	 "last day-end), from/to (the period; default the month to the last "
	 "day-end, roll rates a year), period (team: day or week), filters "
	 "creditor, product, province, segment, team, collector, agency, "
	 "strategy, rule (1-based), arm (0: champion); format json (default), "
	 "csv (one sheet: sheet=KEY, default the first) or xlsx (every sheet)",
	 "reports", HK_ROLE_ANY,
	 "date,from,to,period,creditor,product,province,segment,team,"
	 "collector,agency,strategy,rule,arm,format,sheet"},
	{"GET", "/api/dashboard", hk_h_dashboard,
	 "The dashboard in the caller's scope as of the last day-end: overdue "
	 "cases and amounts by bucket, the overdue trend (day-ends from..to, "
	 "default 90 days), promises made from..to (default 30 days) and the "
	 "kept rate, each collector's load and day; with the recovery trend, "
	 "rankings and roll rates unless parts=base (those read the payment "
	 "and bucket history: seconds at a million accounts); filters team, "
	 "creditor, product (buckets and promises), from, to",
	 "reports", HK_ROLE_ADMIN | HK_ROLE_MANAGER | HK_ROLE_TEAM_LEADER,
	 "team,creditor,product,from,to,parts"},
	/* ---- letters and messages (docs/letters.md) ---- */
	{"GET", "/api/templates", hk_h_templates_list,
	 "Every template version (code, channel, version, name, audience, "
	 "kind, status, created_by with created_by_name, created_at, "
	 "published_by, published_at): letters, SMS, emails; an agency "
	 "collector the published versions only",
	 "letters", HK_ROLE_ADMIN | HK_ROLE_MANAGER | HK_ROLE_TEAM_LEADER |
			    HK_ROLE_COLLECTOR | HK_ROLE_AGENCY_COLLECTOR |
			    HK_ROLE_AUDITOR, NULL},
	{"GET", "/api/templates/{id}", hk_h_template_get,
	 "One template version with its subject and body (an agency "
	 "collector: a published one, a draft answers 404)",
	 "letters", HK_ROLE_ADMIN | HK_ROLE_MANAGER | HK_ROLE_TEAM_LEADER |
			    HK_ROLE_COLLECTOR | HK_ROLE_AGENCY_COLLECTOR |
			    HK_ROLE_AUDITOR, NULL},
	{"POST", "/api/templates", hk_h_template_create,
	 "A new draft: {code, channel, name, audience, kind, days_to_pay?, "
	 "subject?, body}, the next version of (code, channel); checked by "
	 "the rules of its kind (400 with `problems`)",
	 "letters", HK_ROLE_ADMIN, NULL},
	{"POST", "/api/templates/{id}", hk_h_template_update,
	 "Edit a draft: {name, audience, kind, days_to_pay?, subject?, body}; "
	 "a published version never changes (409)",
	 "letters", HK_ROLE_ADMIN, NULL},
	{"POST", "/api/templates/{id}/publish", hk_h_template_publish,
	 "Publish a draft: the newest published version of its code and "
	 "channel is the one in force",
	 "letters", HK_ROLE_ADMIN, NULL},
	{"POST", "/api/templates/{id}/preview", hk_h_template_preview,
	 "Render a template for a case {case_id, contact_id?}, nothing "
	 "recorded: a letter's PDF (base64, serial 样张) or a message's text",
	 "letters", HK_ROLE_ADMIN | HK_ROLE_MANAGER | HK_ROLE_TEAM_LEADER |
			    HK_ROLE_COLLECTOR, NULL},
	{"GET", "/api/cases/{id}/letters", hk_h_case_letters,
	 "A case's letters, newest first (serial, template, as_of, total "
	 "owed, pages, SHA-256)",
	 "letters", HK_ROLE_ANY, NULL},
	{"POST", "/api/cases/{id}/letters", hk_h_case_letter_write,
	 "Write a letter for the case {template}: numbered, its PDF kept by "
	 "SHA-256, recorded and audited",
	 "letters", HK_ROLE_ADMIN | HK_ROLE_MANAGER | HK_ROLE_TEAM_LEADER |
			    HK_ROLE_COLLECTOR | HK_ROLE_AGENCY_COLLECTOR, NULL},
	{"GET", "/api/letters/{id}/file", hk_h_letter_file,
	 "A letter's PDF (base64), checked against its SHA-256",
	 "letters", HK_ROLE_ANY, NULL},
	{"GET", "/api/letters/batches", hk_h_batches_list,
	 "Letter batches, newest first, with their progress",
	 "letters", HK_ROLE_ADMIN | HK_ROLE_MANAGER | HK_ROLE_TEAM_LEADER |
			    HK_ROLE_AUDITOR, NULL},
	{"POST", "/api/letters/batches", hk_h_batch_create,
	 "Start a batch: the letters the last day-end's treatments ask for "
	 "({} or {template} to narrow), or {template, case_ids}, or "
	 "{template, filter} (the case list's filters, as an object; at most "
	 "100,000 cases); a team leader's batch takes the team's cases only; "
	 "it runs in "
	 "a process of its own (202); when that process cannot be started, "
	 "500 with the batch, marked failed with the reason",
	 "letters", HK_ROLE_ADMIN | HK_ROLE_MANAGER | HK_ROLE_TEAM_LEADER, NULL},
	{"GET", "/api/letters/batches/{id}", hk_h_batch_get,
	 "One batch: status, total, done, skipped, the files' SHA-256",
	 "letters", HK_ROLE_ADMIN | HK_ROLE_MANAGER | HK_ROLE_TEAM_LEADER |
			    HK_ROLE_AUDITOR, NULL},
	{"GET", "/api/letters/batches/{id}/file", hk_h_batch_file,
	 "A done batch's print file (file=print, the default) or manifest "
	 "(file=manifest), base64",
	 "letters", HK_ROLE_ADMIN | HK_ROLE_MANAGER | HK_ROLE_TEAM_LEADER |
			    HK_ROLE_AUDITOR, "file"},
	{"GET", "/api/cases/{id}/messages", hk_h_case_messages,
	 "A case's SMS and emails, newest first, with their status, the "
	 "recipient masked. Keyset pages: before (the next_before of the "
	 "page before), limit (1-500, 200)",
	 "letters", HK_ROLE_ANY, "before,limit"},
	{"POST", "/api/cases/{id}/messages", hk_h_case_message_send,
	 "Send a message {template, channel: sms|email, contact_id?}: the "
	 "guardrails first (403 with the rule), then the outbox",
	 "letters", HK_ROLE_ADMIN | HK_ROLE_MANAGER | HK_ROLE_TEAM_LEADER |
			    HK_ROLE_COLLECTOR | HK_ROLE_AGENCY_COLLECTOR, NULL},
	{"GET", "/api/outbox", hk_h_outbox_list,
	 "The outbox, newest first, the recipients masked (a team leader's: "
	 "the team's cases' messages): status filter; keyset pages: before "
	 "(the next_before of the page before), limit (1-500, 100)",
	 "letters", HK_ROLE_ADMIN | HK_ROLE_MANAGER | HK_ROLE_TEAM_LEADER |
			    HK_ROLE_AUDITOR, "status,before,limit"},
	{"POST", "/api/outbox/receipts", hk_h_outbox_receipt,
	 "A delivery receipt from the SMS gateway {id, status: delivered|"
	 "undelivered}, signed as we sign what we send (X-Huikuan-Timestamp, "
	 "X-Huikuan-Signature); each (message, status) recorded once",
	 "letters", 0, NULL},
	{"POST", "/api/outbox/from-treatments", hk_h_messages_from_treatments,
	 "Queue the SMS and emails the last day-end's treatments ask for, "
	 "once a day per template",
	 "letters", HK_ROLE_ADMIN | HK_ROLE_MANAGER, NULL},
	{"GET", "/api/scripts", hk_h_scripts_list,
	 "The talk-script library (话术): the scripts holding q, and in "
	 "suggested those suited to a last contact outcome",
	 "workflow", HK_ROLE_ANY, "q,outcome"},
	{"POST", "/api/scripts", hk_h_script_create,
	 "Add a script: {title, objection, body, outcomes?}; screened by the "
	 "lexicon (GR-LEXICON)",
	 "workflow", HK_ROLE_ADMIN, NULL},
	{"POST", "/api/scripts/{id}", hk_h_script_update,
	 "Replace a script: {title, objection, body, outcomes?}",
	 "workflow", HK_ROLE_ADMIN, NULL},
	{"GET", "/api/approvals", hk_h_approvals,
	 "What waits for the caller's decision in their scope: pending waiver "
	 "requests (each within the caller's limit or not) and proposed "
	 "plans, with the caller's limits",
	 "workflow", HK_ROLE_ADMIN | HK_ROLE_MANAGER | HK_ROLE_TEAM_LEADER, NULL},
	{"POST", "/api/waivers/{id}/decision", hk_h_waiver_decide,
	 "Approve or reject a waiver request: {approve, note?}; within the "
	 "approver's limit (team leader 10% and at most 2,000.00 yuan, manager "
	 "30%, admin any); an approval books the waiver dated today",
	 "waivers", HK_ROLE_ADMIN | HK_ROLE_MANAGER | HK_ROLE_TEAM_LEADER, NULL},
	{"POST", "/api/payments", hk_h_payment_post,
	 "Post a payment (bank feed, gateway): {payment_id, account_id, "
	 "paid_on, amount, channel, reference?}; same rules as import, cash "
	 "refused, idempotent by payment_id; booked by the next day-end",
	 "payments", HK_ROLE_ADMIN | HK_ROLE_MANAGER, NULL},
	{NULL, NULL, NULL, NULL, NULL, 0, NULL},
};

/* Match `path` against `pattern`; "{name}" matches one non-empty segment,
 * which is stored (pointing into `buf`, a copy of the path). */
static bool match(const char *pattern, const char *path, struct hk_req *req,
		  char *buf, size_t cap)
{
	size_t n = 0;
	char *p;

	if (strlen(path) >= cap)
		return false;
	memcpy(buf, path, strlen(path) + 1);
	p = buf;
	while (*pattern && *p) {
		if (*pattern == '{') {
			const char *close = strchr(pattern, '}');
			char *end = strchr(p, '/');

			if (!close || n == HK_MAX_PATH_PARAMS)
				return false;
			if (end == p)
				return false;
			req->params[n++] = p;
			pattern = close + 1;
			if (!end)
				p += strlen(p);
			else {
				*end = '\0';
				p = end + 1;
				if (*pattern != '/')
					return false;
				pattern++;
			}
			continue;
		}
		if (*pattern != *p)
			return false;
		pattern++;
		p++;
	}
	if (*pattern || *p)
		return false;
	req->n_params = n;
	return true;
}

const struct hk_route *hk_route_find(struct hk_req *req, bool *path_known)
{
	/* Path parameters point into this per-thread copy of the path. */
	static __thread char buf[1024];

	*path_known = false;
	for (const struct hk_route *r = hk_routes; r->method; r++) {
		if (!match(r->pattern, req->path, req, buf, sizeof(buf)))
			continue;
		if (!strcmp(r->method, req->method))
			return r;
		*path_known = true;
	}
	return NULL;
}
