/*
 * strategies.c - strategy versions (docs/strategy.md):
 *   GET  /api/strategies             the versions, newest first; which is in force
 *   POST /api/strategies             a new draft: the body is the strategy's
 *                                    JSON form (import); checked, refused with
 *                                    the first problem named by its path
 *   GET  /api/strategies/{id}        one version's JSON form (export)
 *   POST /api/strategies/{id}        replace a draft (409 once published)
 *   POST /api/strategies/{id}/publish   the draft comes into force
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hk/strategy.h"
#include "http_int.h"

struct versions {
	json_t *list;
	int64_t in_force; /* the newest published */
	json_t *body;     /* one version's, when asked */
};

static int add_version(void *ctx, const struct hk_strategy_version *v)
{
	struct versions *vs = ctx;
	bool published = !strcmp(v->status, "published");

	if (published && !vs->in_force)
		vs->in_force = v->ref;
	json_array_append_new(
		vs->list,
		json_pack("{s:I, s:s, s:s, s:o, s:I, s:o, s:o}", "id",
			  (json_int_t)v->ref, "name", v->name, "status",
			  v->status, "created_by",
			  v->created_by ? json_integer(v->created_by) : json_null(),
			  "created_at", (json_int_t)v->created_at, "published_at",
			  v->published_at ? json_integer(v->published_at)
					  : json_null(),
			  "in_force", json_false()));
	if (v->body && !vs->body)
		vs->body = json_loads(v->body, 0, NULL);
	return 0;
}

void hk_h_strategies_list(struct hk_req *req)
{
	struct versions vs = {.list = json_array()};
	struct hk_err err = {0};
	size_t i;
	json_t *v;

	if (req->store->ops->strategies_scan(req->store, 0, false, add_version,
					     &vs, &err) != HK_OK) {
		json_decref(vs.list);
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	json_array_foreach(vs.list, i, v)
		if (json_integer_value(json_object_get(v, "id")) == vs.in_force)
			json_object_set_new(v, "in_force", json_true());
	hk_reply(req, 200, json_pack("{s:o}", "versions", vs.list));
}

struct team_check {
	const struct hk_allocation *al;
	bool found[HK_ALLOC_MAX_ROUTES][HK_ALLOC_MAX_TEAMS];
};

static int mark_team(void *ctx, int64_t ref, const char *name)
{
	struct team_check *tc = ctx;

	(void)ref;
	for (size_t q = 0; q < tc->al->n_routes; q++)
		for (size_t t = 0; t < tc->al->routes[q].n_teams; t++)
			if (!strcmp(tc->al->routes[q].teams[t], name))
				tc->found[q][t] = true;
	return 0;
}

/* Every team the allocation names exists; else err says which. */
static bool teams_exist(struct hk_req *req, const struct hk_allocation *al,
			struct hk_err *err)
{
	struct team_check tc = {.al = al};

	if (req->store->ops->teams_scan(req->store, mark_team, &tc, err) !=
	    HK_OK)
		return false;
	for (size_t q = 0; q < al->n_routes; q++)
		for (size_t t = 0; t < al->routes[q].n_teams; t++)
			if (!tc.found[q][t]) {
				hk_err_set(err, HK_EINVAL, "allocation.queues.%s: %s %s",
					   al->routes[q].queue,
					   HK_TR(req->lang, "没有这个小组",
						 "no such team"),
					   al->routes[q].teams[t]);
				return false;
			}
	return true;
}

/* The body checked as a strategy; its name into name.  false once it has
 * answered 400. */
static bool checked(struct hk_req *req, char name[128])
{
	/* a strategy is large (up to 200 rules): on the heap, briefly */
	struct hk_strategy *st = hk_malloc(sizeof(*st));
	struct hk_err err = {0};
	bool ok = req->body &&
		  hk_strategy_from_json(req->body, req->body_len,
					&req->cfg->buckets, st, req->lang,
					&err) == HK_OK &&
		  teams_exist(req, &st->allocation, &err);

	if (ok)
		snprintf(name, 128, "%s", st->name);
	else
		hk_reply_error(req, HK_EINVAL, 400,
			       req->body ? err.msg
					 : HK_TR(req->lang, "请求体须为策略 JSON",
						 "the body must be a strategy's JSON"));
	free(st);
	return ok;
}

void hk_h_strategy_create(struct hk_req *req)
{
	struct hk_store *s = req->store;
	struct hk_err err = {0};
	char name[128], target[32];
	int64_t ref = 0;
	enum hk_rc rc;

	if (!checked(req, name))
		return;
	if ((rc = s->ops->begin(s, &err)) == HK_OK &&
	    (rc = s->ops->strategy_insert(s, name, req->body, req->user.ref,
					  (int64_t)time(NULL), false, &ref,
					  &err)) == HK_OK) {
		snprintf(target, sizeof(target), "strategy:%lld", (long long)ref);
		rc = hk_audit_commit(req, "strategy.create", target, NULL, &err);
	}
	if (rc != HK_OK) {
		s->ops->rollback(s);
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	hk_reply(req, 201, json_pack("{s:I, s:s, s:s}", "id", (json_int_t)ref,
				     "name", name, "status", "draft"));
}

void hk_h_strategy_get(struct hk_req *req)
{
	struct versions vs = {.list = json_array()};
	struct hk_err err = {0};
	int64_t id = strtoll(req->params[0], NULL, 10);
	json_t *meta;

	if (id <= 0 || req->store->ops->strategies_scan(req->store, id, true,
						      add_version, &vs,
						      &err) != HK_OK ||
	    !json_array_size(vs.list) || !vs.body) {
		json_decref(vs.list);
		json_decref(vs.body);
		hk_reply_error(req, HK_ENOTFOUND, 404,
			       HK_TR(req->lang, "没有这个策略版本",
				     "no such strategy version"));
		return;
	}
	meta = json_incref(json_array_get(vs.list, 0));
	json_decref(vs.list);
	json_object_del(meta, "in_force");
	hk_reply(req, 200, json_pack("{s:o, s:o}", "version", meta, "strategy",
				     vs.body));
}

static void change(struct hk_req *req, bool publish)
{
	struct hk_store *s = req->store;
	struct hk_err err = {0};
	int64_t id = strtoll(req->params[0], NULL, 10);
	char name[128], target[32];
	enum hk_rc rc;

	if (!publish && !checked(req, name))
		return;
	if ((rc = s->ops->begin(s, &err)) == HK_OK) {
		rc = publish ? s->ops->strategy_publish(s, id, req->user.ref,
							(int64_t)time(NULL), &err)
			     : s->ops->strategy_update(s, id, name, req->body,
						       &err);
	}
	if (rc == HK_OK) {
		snprintf(target, sizeof(target), "strategy:%lld", (long long)id);
		rc = hk_audit_commit(req, publish ? "strategy.publish"
						  : "strategy.update",
				     target, NULL, &err);
	}
	if (rc != HK_OK) {
		s->ops->rollback(s);
		hk_reply_error(req, rc, 0, err.msg[0] ? err.msg : NULL);
		return;
	}
	hk_reply(req, 200, json_pack("{s:I, s:s}", "id", (json_int_t)id, "status",
				     publish ? "published" : "draft"));
}

void hk_h_strategy_update(struct hk_req *req)
{
	change(req, false);
}

void hk_h_strategy_publish(struct hk_req *req)
{
	change(req, true);
}

/* ---- a case's treatment, read from its version ---- */

/* Published versions never change, so each is parsed once per process
 * (a handful are in use at a time: the one in force and those cases
 * still carry until their next look). */
#define CACHED_VERSIONS 8

static struct {
	pthread_mutex_t lock;
	int64_t ref[CACHED_VERSIONS];
	struct hk_strategy *st[CACHED_VERSIONS];
	unsigned next;
} cache = {.lock = PTHREAD_MUTEX_INITIALIZER};

static int keep_body(void *ctx, const struct hk_strategy_version *v)
{
	char **body = ctx;

	if (v->body && !*body) {
		*body = hk_malloc(strlen(v->body) + 1);
		memcpy(*body, v->body, strlen(v->body) + 1);
	}
	return 0;
}

/* The version, parsed; NULL when it cannot be read with today's buckets. */
static const struct hk_strategy *cached_version(struct hk_req *req,
						int64_t ref)
{
	const struct hk_strategy *found = NULL;
	struct hk_strategy *st;
	struct hk_err err = {0};
	char *body = NULL;
	unsigned slot;

	pthread_mutex_lock(&cache.lock);
	for (int i = 0; i < CACHED_VERSIONS && !found; i++)
		if (cache.ref[i] == ref)
			found = cache.st[i];
	pthread_mutex_unlock(&cache.lock);
	if (found)
		return found;
	if (req->store->ops->strategies_scan(req->store, ref, true, keep_body,
					     &body, &err) != HK_OK ||
	    !body)
		return NULL;
	st = hk_malloc(sizeof(*st));
	if (hk_strategy_from_json(body, strlen(body), &req->cfg->buckets, st,
				  req->lang, &err) != HK_OK) {
		free(st);
		free(body);
		return NULL;
	}
	free(body);
	pthread_mutex_lock(&cache.lock);
	slot = cache.next++ % CACHED_VERSIONS;
	/* an entry pushed out may be in use by another request: kept */
	cache.ref[slot] = ref;
	cache.st[slot] = st;
	pthread_mutex_unlock(&cache.lock);
	return st;
}

const struct hk_treatment *hk_case_treatment(struct hk_req *req,
					     int64_t case_ref,
					     struct hk_treatment_rec *t,
					     const struct hk_rule **rule)
{
	struct hk_err err = {0};
	const struct hk_strategy *st;
	bool found = false;

	if (req->store->ops->treatment_get(req->store, case_ref, t, &found,
					   &err) != HK_OK ||
	    !found || !(st = cached_version(req, t->strategy_ref)) ||
	    t->rule_no < 0 || (size_t)t->rule_no >= st->n_rules ||
	    t->arm_no >= (int)st->rules[t->rule_no].n_arms)
		return NULL;
	*rule = &st->rules[t->rule_no];
	return hk_strategy_treatment(st, t->rule_no, t->arm_no);
}

json_t *hk_treatment_json(struct hk_req *req, int64_t case_ref)
{
	struct hk_treatment_rec t;
	const struct hk_rule *r;
	const struct hk_treatment *tr = hk_case_treatment(req, case_ref, &t, &r);
	char since[HK_DATE_BUFSZ];
	json_t *paydays;

	if (!tr)
		return json_null();
	paydays = json_array();
	for (int d = 1; d <= 31; d++)
		if (tr->paydays >> d & 1u)
			json_array_append_new(paydays, json_integer(d));
	hk_date_format(t.since, since);
	return json_pack(
		"{s:I, s:s, s:s, s:s?, s:s, s:s, s:s?, s:i, s:i, s:o, s:o, s:s}",
		"strategy", (json_int_t)t.strategy_ref, "rule", r->id,
		"rule_name", r->name[0] ? r->name : r->id, "arm",
		t.arm_no >= 0 ? r->arms[t.arm_no].name : NULL, "queue", tr->queue,
		"channel", hk_channel_name(tr->channel), "template",
		tr->template_id[0] ? tr->template_id : NULL, "priority",
		tr->priority, "follow_up_days", tr->follow_up_days, "hours",
		tr->hour_from >= 0 ? json_pack("[i, i]", tr->hour_from, tr->hour_to)
				   : json_null(),
		"paydays", paydays, "since", since);
}

/* ---- dry run: how many cases each rule would take today ---- */

struct dry_run {
	struct hk_store *store;
	enum hk_rc rc;
	const struct hk_strategy *st;
	const struct hk_bucket_table *buckets;
	int32_t as_of;
	int64_t cases;
	int64_t per_rule[HK_STRATEGY_MAX_RULES];
	int64_t per_arm[HK_STRATEGY_MAX_RULES][HK_STRATEGY_MAX_ARMS];
};

static int dry_run_case(void *ctx, const struct hk_case_fact_row *r)
{
	struct dry_run *d = ctx;
	struct hk_case_facts f;
	int arm, rule;

	hk_case_facts_of(r, d->as_of, d->buckets, &f);
	if (r->has_plan) {
		struct hk_err err = {0};

		if (hk_plan_state(d->store, r->case_ref, d->as_of, &f.plan, NULL,
				  &err) != HK_OK)
			d->rc = HK_EDB;
	}
	rule = hk_strategy_match(d->st, &f, &arm);
	d->cases++;
	if (rule >= 0) {
		d->per_rule[rule]++;
		if (arm >= 0)
			d->per_arm[rule][arm]++;
	}
	return 0;
}

/* GET /api/strategies/{id}/dry-run: the cases each rule (and arm) of a
 * version would take as of the last day-end, for the editor. */
void hk_h_strategy_dry_run(struct hk_req *req)
{
	struct versions vs = {.list = json_array()};
	struct hk_strategy *st = NULL;
	struct dry_run *d = NULL;
	struct hk_err err = {0};
	int64_t id = strtoll(req->params[0], NULL, 10);
	char *text = NULL;
	json_t *rules;

	if (id <= 0 || req->store->ops->strategies_scan(req->store, id, true,
						      add_version, &vs,
						      &err) != HK_OK ||
	    !vs.body) {
		json_decref(vs.list);
		hk_reply_error(req, HK_ENOTFOUND, 404,
			       HK_TR(req->lang, "没有这个策略版本",
				     "no such strategy version"));
		return;
	}
	json_decref(vs.list);
	text = json_dumps(vs.body, JSON_COMPACT);
	json_decref(vs.body);
	st = hk_malloc(sizeof(*st));
	d = hk_calloc(1, sizeof(*d));
	d->st = st;
	d->store = req->store;
	d->buckets = &req->cfg->buckets;
	/* a version stored under another bucket table may no longer fit */
	if (hk_strategy_from_json(text, strlen(text), &req->cfg->buckets, st,
				  req->lang, &err) != HK_OK) {
		hk_reply_error(req, HK_EINVAL, 400, err.msg);
		goto out;
	}
	if (hk_store_meta_date(req->store, HK_META_LAST_EOD, &d->as_of, &err) !=
		    HK_OK ||
	    (d->as_of != HK_DATE_NONE &&
	     (req->store->ops->case_facts_scan(req->store, d->as_of, false,
					       &HK_FACT_NEED_ALL, dry_run_case,
					       d, &err) != HK_OK ||
	      d->rc != HK_OK))) {
		hk_reply_error(req, HK_EDB, 503, NULL);
		goto out;
	}
	rules = json_array();
	for (size_t i = 0; i < st->n_rules; i++) {
		json_t *o = json_pack("{s:s, s:I}", "id", st->rules[i].id, "cases",
				      (json_int_t)d->per_rule[i]);

		if (st->rules[i].n_arms) {
			json_t *arms = json_array();

			for (size_t a = 0; a < st->rules[i].n_arms; a++)
				json_array_append_new(
					arms, json_pack("{s:s, s:I}", "name",
							st->rules[i].arms[a].name,
							"cases",
							(json_int_t)d->per_arm[i][a]));
			json_object_set_new(o, "arms", arms);
		}
		json_array_append_new(rules, o);
	}
	{
		char date[HK_DATE_BUFSZ];

		hk_date_format(d->as_of, date);
		hk_reply(req, 200,
			 json_pack("{s:I, s:s?, s:I, s:o}", "id", (json_int_t)id,
				   "as_of", date[0] ? date : NULL, "cases",
				   (json_int_t)d->cases, "rules", rules));
	}
out:
	hk_json_text_free(text);
	free(st);
	free(d);
}
