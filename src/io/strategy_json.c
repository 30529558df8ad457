/*
 * strategy_json.c - a strategy's JSON form (docs/strategy.md), read with
 * every problem named by its path ("rules[3].when.bukcet: unknown field"),
 * then checked by hk_strategy_check.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hk/io.h"
#include "hk/strategy.h"

static const char *const channel_names[HK_CH_COUNT] = {
	[HK_CH_NONE] = "none",        [HK_CH_SMS] = "sms",
	[HK_CH_CALL] = "call",        [HK_CH_EMAIL] = "email",
	[HK_CH_LETTER] = "letter",    [HK_CH_VISIT] = "visit",
	[HK_CH_LAWYER_LETTER] = "lawyer_letter", [HK_CH_AGENCY] = "agency",
	[HK_CH_LITIGATION] = "litigation"};

const char *hk_channel_name(enum hk_channel ch)
{
	return ch < HK_CH_COUNT ? channel_names[ch] : "?";
}

struct reader {
	const struct hk_bucket_table *buckets;
	enum hk_lang lang;
	struct hk_err *err;
	char path[96];
};

static bool fail(struct reader *r, const char *key, const char *zh,
		 const char *en)
{
	hk_err_set(r->err, HK_EINVAL, "%s%s%s: %s", r->path, key ? "." : "",
		   key ? key : "", HK_TR(r->lang, zh, en));
	return false;
}

/* Every key of obj must be in allowed. */
static bool known_keys(struct reader *r, json_t *obj,
		       const char *const *allowed)
{
	const char *key;
	json_t *v;

	if (!json_is_object(obj))
		return fail(r, NULL, "须为 JSON 对象", "must be a JSON object");
	json_object_foreach(obj, key, v) {
		size_t i = 0;

		while (allowed[i] && strcmp(allowed[i], key))
			i++;
		if (!allowed[i])
			return fail(r, key, "未知字段", "unknown field");
	}
	return true;
}

static bool text(struct reader *r, json_t *obj, const char *key, char *out,
		 size_t cap, bool required)
{
	json_t *v = json_object_get(obj, key);
	const char *s = json_string_value(v);

	if (!v && !required)
		return true;
	if (!s || !*s || strlen(s) >= cap)
		return fail(r, key, "须为非空文字", "must be non-empty text");
	snprintf(out, cap, "%s", s);
	return true;
}

/* {"min": n, "max": n}; money ranges take yuan strings. */
static bool range(struct reader *r, json_t *obj, const char *key,
		  struct hk_range *out, bool money)
{
	static const char *const keys[] = {"min", "max", NULL};
	json_t *v = json_object_get(obj, key), *lo, *hi;
	char saved[sizeof(r->path)];
	bool ok = true;

	if (!v)
		return true;
	memcpy(saved, r->path, sizeof(saved));
	snprintf(r->path + strlen(r->path), sizeof(r->path) - strlen(r->path),
		 ".%s", key);
	if (!known_keys(r, v, keys))
		return false;
	memcpy(r->path, saved, sizeof(saved));
	lo = json_object_get(v, "min");
	hi = json_object_get(v, "max");
	out->set = true;
	out->lo = money ? INT64_MIN : 0;
	out->hi = INT64_MAX;
	for (int i = 0; i < 2 && ok; i++) {
		json_t *x = i ? hi : lo;
		int64_t *dst = i ? &out->hi : &out->lo;
		const char *s = json_string_value(x);

		if (!x)
			continue;
		if (money)
			ok = s && hk_money_parse(s, strlen(s), dst) == HK_OK;
		else if ((ok = json_is_integer(x)))
			*dst = json_integer_value(x);
	}
	if (!ok || (!lo && !hi))
		return fail(r, key,
			    money ? "须为 {min, max}，金额为元的文字，如 \"1000.00\""
				  : "须为 {min, max}，整数",
			    money ? "must be {min, max} with amounts in yuan as text, such as \"1000.00\""
				  : "must be {min, max} with whole numbers");
	return true;
}

/* A list of names, each turned into a bit by `bit` (-1: unknown). */
static bool bits(struct reader *r, json_t *obj, const char *key,
		 unsigned *out, int (*bit)(void *, const char *), void *ctx)
{
	json_t *v = json_object_get(obj, key), *x;
	size_t i;

	if (!v)
		return true;
	if (!json_is_array(v) || !json_array_size(v))
		return fail(r, key, "须为非空列表", "must be a non-empty list");
	json_array_foreach(v, i, x) {
		int b = bit(ctx, json_string_value(x));

		if (b < 0 || b >= 32)
			return fail(r, key, "含未知的值", "holds an unknown value");
		*out |= 1u << b;
	}
	return true;
}

static bool values(struct reader *r, json_t *obj, const char *key,
		   struct hk_values *out)
{
	json_t *v = json_object_get(obj, key), *x;
	size_t i;

	if (!v)
		return true;
	if (!json_is_array(v) || !json_array_size(v) ||
	    json_array_size(v) > HK_STRATEGY_MAX_VALUES)
		return fail(r, key, "须为 1–16 个值的列表",
			    "must be a list of 1-16 values");
	json_array_foreach(v, i, x) {
		const char *s = json_string_value(x);

		if (!s || !*s || strlen(s) >= HK_STRATEGY_TEXT)
			return fail(r, key, "含无效的值", "holds an invalid value");
		snprintf(out->v[out->n++], HK_STRATEGY_TEXT, "%s", s);
	}
	return true;
}

static bool flag(struct reader *r, json_t *obj, const char *key, int *out)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		return true;
	if (!json_is_boolean(v))
		return fail(r, key, "须为 true 或 false", "must be true or false");
	*out = json_is_true(v);
	return true;
}

static int bucket_bit(void *ctx, const char *s)
{
	return s ? hk_bucket_find(ctx, s) : -1;
}

static int product_bit(void *ctx, const char *s)
{
	(void)ctx;
	return s ? hk_product_parse(s, strlen(s)) : -1;
}

static int promise_bit(void *ctx, const char *s)
{
	static const char *const names[] = {"none", "pending", "kept", "broken",
					    NULL};

	(void)ctx;
	for (int i = 0; s && names[i]; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

static int plan_bit(void *ctx, const char *s)
{
	static const char *const names[] = {"none", "on_track", "broken", NULL};

	(void)ctx;
	for (int i = 0; s && names[i]; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

static int outcome_bit(void *ctx, const char *s)
{
	(void)ctx;
	return hk_outcome_bit(s);
}

static bool conditions(struct reader *r, json_t *when, struct hk_conditions *c)
{
	static const char *const keys[] = {
		"bucket", "dpd", "total_overdue", "product", "creditor",
		"segment", "province", "promise", "plan", "dispute_open",
		"lost_contact", "days_since_contact", "days_since_payment",
		"days_to_due", "outcomes_any", "outcomes_none", "age", NULL};

	c->dispute_open = c->lost_contact = -1;
	if (!when)
		return true;
	return known_keys(r, when, keys) &&
	       bits(r, when, "bucket", &c->buckets, bucket_bit,
		    (void *)r->buckets) &&
	       range(r, when, "dpd", &c->dpd, false) &&
	       range(r, when, "total_overdue", &c->total_overdue, true) &&
	       bits(r, when, "product", &c->products, product_bit, NULL) &&
	       values(r, when, "creditor", &c->creditors) &&
	       values(r, when, "segment", &c->segments) &&
	       values(r, when, "province", &c->provinces) &&
	       bits(r, when, "promise", &c->promises, promise_bit, NULL) &&
	       bits(r, when, "plan", &c->plans, plan_bit, NULL) &&
	       flag(r, when, "dispute_open", &c->dispute_open) &&
	       flag(r, when, "lost_contact", &c->lost_contact) &&
	       range(r, when, "days_since_contact", &c->days_since_contact, false) &&
	       range(r, when, "days_since_payment", &c->days_since_payment, false) &&
	       range(r, when, "days_to_due", &c->days_to_due, false) &&
	       bits(r, when, "outcomes_any", &c->outcomes_any, outcome_bit, NULL) &&
	       bits(r, when, "outcomes_none", &c->outcomes_none, outcome_bit, NULL) &&
	       range(r, when, "age", &c->age, false);
}

static bool treatment(struct reader *r, json_t *then, struct hk_treatment *t)
{
	static const char *const keys[] = {"queue", "channel", "template",
					   "priority", "follow_up_days",
					   "hours", "paydays", NULL};
	const char *ch;
	json_t *v, *x;
	size_t i;

	t->hour_from = t->hour_to = -1;
	if (!known_keys(r, then, keys) ||
	    !text(r, then, "queue", t->queue, sizeof(t->queue), true) ||
	    !text(r, then, "template", t->template_id, sizeof(t->template_id),
		  false))
		return false;
	ch = json_string_value(json_object_get(then, "channel"));
	t->channel = HK_CH_COUNT;
	for (int c = 0; ch && c < HK_CH_COUNT; c++)
		if (!strcmp(ch, channel_names[c]))
			t->channel = (enum hk_channel)c;
	if (t->channel == HK_CH_COUNT)
		return fail(r, "channel",
			    "须为 none、sms、call、email、letter、visit、lawyer_letter、agency、litigation 之一",
			    "must be one of none, sms, call, email, letter, visit, lawyer_letter, agency, litigation");
	v = json_object_get(then, "priority");
	if (v && (!json_is_integer(v) || json_integer_value(v) < 0 ||
		  json_integer_value(v) > 100))
		return fail(r, "priority", "须为 0–100 的整数",
			    "must be a whole number from 0 to 100");
	t->priority = v ? (int)json_integer_value(v) : 50;
	v = json_object_get(then, "follow_up_days");
	if (v && (!json_is_integer(v) || json_integer_value(v) < 0 ||
		  json_integer_value(v) > 365))
		return fail(r, "follow_up_days", "须为 0–365 的整数",
			    "must be a whole number from 0 to 365");
	t->follow_up_days = v ? (int)json_integer_value(v) : 0;
	if ((v = json_object_get(then, "hours"))) {
		if (!json_is_array(v) || json_array_size(v) != 2 ||
		    !json_is_integer(json_array_get(v, 0)) ||
		    !json_is_integer(json_array_get(v, 1)) ||
		    json_integer_value(json_array_get(v, 0)) < 0 ||
		    json_integer_value(json_array_get(v, 1)) > 24 ||
		    json_integer_value(json_array_get(v, 0)) >=
			    json_integer_value(json_array_get(v, 1)))
			return fail(r, "hours", "须为 [起, 止)，0–24 点，起早于止",
				    "must be [from, to) hours, 0-24, from before to");
		t->hour_from = (int)json_integer_value(json_array_get(v, 0));
		t->hour_to = (int)json_integer_value(json_array_get(v, 1));
	}
	if ((v = json_object_get(then, "paydays"))) {
		if (!json_is_array(v) || !json_array_size(v))
			return fail(r, "paydays", "须为 1–31 的日期列表",
				    "must be a list of days of the month, 1-31");
		json_array_foreach(v, i, x) {
			if (!json_is_integer(x) || json_integer_value(x) < 1 ||
			    json_integer_value(x) > 31)
				return fail(r, "paydays", "须为 1–31 的日期列表",
					    "must be a list of days of the month, 1-31");
			t->paydays |= 1u << json_integer_value(x);
		}
	}
	return true;
}

static bool rule(struct reader *r, json_t *obj, struct hk_rule *out)
{
	static const char *const keys[] = {"id", "name", "when", "then", "arms",
					   NULL};
	static const char *const arm_keys[] = {"name", "share", "then", NULL};
	size_t base = strlen(r->path), i;
	json_t *arms, *a;

	if (!known_keys(r, obj, keys) ||
	    !text(r, obj, "id", out->id, sizeof(out->id), true) ||
	    !text(r, obj, "name", out->name, sizeof(out->name), false))
		return false;
	snprintf(r->path + base, sizeof(r->path) - base, ".when");
	if (!conditions(r, json_object_get(obj, "when"), &out->when))
		return false;
	r->path[base] = '\0';
	arms = json_object_get(obj, "arms");
	if (!arms == !json_object_get(obj, "then"))
		return fail(r, NULL, "须有 then 或 arms 之一（不可兼有）",
			    "needs either then or arms (not both)");
	if (!arms) {
		snprintf(r->path + base, sizeof(r->path) - base, ".then");
		if (!treatment(r, json_object_get(obj, "then"), &out->then))
			return false;
		r->path[base] = '\0';
		return true;
	}
	if (!json_is_array(arms) || json_array_size(arms) < 2 ||
	    json_array_size(arms) > HK_STRATEGY_MAX_ARMS)
		return fail(r, "arms", "须为 2–4 个分组", "must be 2-4 arms");
	json_array_foreach(arms, i, a) {
		struct hk_arm *arm = &out->arms[out->n_arms++];
		json_t *share = json_object_get(a, "share");

		snprintf(r->path + base, sizeof(r->path) - base, ".arms[%zu]", i);
		if (!known_keys(r, a, arm_keys) ||
		    !text(r, a, "name", arm->name, sizeof(arm->name), true))
			return false;
		if (!json_is_integer(share) || json_integer_value(share) < 1 ||
		    json_integer_value(share) > 99)
			return fail(r, "share", "须为 1–99 的整数（百分比）",
				    "must be a whole percent from 1 to 99");
		arm->share = (int)json_integer_value(share);
		snprintf(r->path + base, sizeof(r->path) - base,
			 ".arms[%zu].then", i);
		if (!treatment(r, json_object_get(a, "then"), &arm->then))
			return false;
	}
	r->path[base] = '\0';
	return true;
}

/* "allocation": {"queues": {"early": ["一组"], ...}, "rotate_after_days": n} */
static bool allocation(struct reader *r, json_t *obj, struct hk_allocation *out)
{
	static const char *const keys[] = {"queues", "rotate_after_days", NULL};
	json_t *queues, *teams, *rot, *t;
	const char *queue;
	size_t i;

	snprintf(r->path, sizeof(r->path), "allocation");
	if (!known_keys(r, obj, keys))
		return false;
	rot = json_object_get(obj, "rotate_after_days");
	if (rot && (!json_is_integer(rot) || json_integer_value(rot) < 0 ||
		    json_integer_value(rot) > 3650))
		return fail(r, "rotate_after_days", "须为 0–3650 的整数（0：不轮换）",
			    "must be a whole number of days, 0-3650 (0: never)");
	out->rotate_after_days = rot ? (int)json_integer_value(rot) : 0;
	queues = json_object_get(obj, "queues");
	if (!queues)
		return true;
	if (!json_is_object(queues) ||
	    json_object_size(queues) > HK_ALLOC_MAX_ROUTES)
		return fail(r, "queues", "须为对象：队列 → 小组名称列表（至多 32 个队列）",
			    "must be an object: queue -> list of team names (at most 32 queues)");
	json_object_foreach(queues, queue, teams) {
		struct hk_alloc_route *route = &out->routes[out->n_routes++];

		snprintf(r->path, sizeof(r->path), "allocation.queues");
		if (strlen(queue) >= sizeof(route->queue))
			return fail(r, queue, "队列名称太长", "queue name too long");
		snprintf(route->queue, sizeof(route->queue), "%s", queue);
		if (!json_is_array(teams) || !json_array_size(teams) ||
		    json_array_size(teams) > HK_ALLOC_MAX_TEAMS)
			return fail(r, queue, "须为 1–8 个小组名称的列表",
				    "must be a list of 1-8 team names");
		json_array_foreach(teams, i, t) {
			const char *name = json_string_value(t);

			if (!name || !*name || strlen(name) >= HK_STRATEGY_TEXT)
				return fail(r, queue, "小组名称须为非空文字",
					    "team names must be non-empty text");
			snprintf(route->teams[route->n_teams++], HK_STRATEGY_TEXT,
				 "%s", name);
		}
	}
	return true;
}

/* A queue routed by the allocation that no rule gives is a typing slip. */
static bool routes_used(struct reader *r, const struct hk_strategy *st)
{
	for (size_t q = 0; q < st->allocation.n_routes; q++) {
		const char *queue = st->allocation.routes[q].queue;
		bool used = false;

		for (size_t i = 0; i < st->n_rules && !used; i++) {
			const struct hk_rule *ru = &st->rules[i];

			used = !ru->n_arms && !strcmp(ru->then.queue, queue);
			for (size_t a = 0; a < ru->n_arms && !used; a++)
				used = !strcmp(ru->arms[a].then.queue, queue);
		}
		if (!used) {
			snprintf(r->path, sizeof(r->path), "allocation.queues");
			return fail(r, queue, "没有规则把案件放入这个队列",
				    "no rule puts cases in this queue");
		}
	}
	return true;
}

enum hk_rc hk_strategy_from_json(const char *json, size_t len,
				 const struct hk_bucket_table *buckets,
				 struct hk_strategy *out, enum hk_lang lang,
				 struct hk_err *err)
{
	static const char *const keys[] = {"name", "rules", "allocation", NULL};
	struct reader r = {.buckets = buckets, .lang = lang, .err = err};
	json_error_t jerr;
	json_t *doc = json_loadb(json, len, 0, &jerr), *rules, *x;
	size_t i;
	bool ok;

	memset(out, 0, sizeof(*out));
	if (!doc)
		return hk_err_set(err, HK_EINVAL, "%s %d: %s",
				  HK_TR(lang, "JSON 格式错误，行", "malformed JSON, line"),
				  jerr.line, jerr.text);
	ok = known_keys(&r, doc, keys) &&
	     text(&r, doc, "name", out->name, sizeof(out->name), true);
	rules = json_object_get(doc, "rules");
	if (ok && (!json_is_array(rules) || !json_array_size(rules) ||
		   json_array_size(rules) > HK_STRATEGY_MAX_RULES))
		ok = fail(&r, "rules", "须为 1–200 条规则的列表",
			  "must be a list of 1-200 rules");
	json_array_foreach(ok ? rules : NULL, i, x) {
		snprintf(r.path, sizeof(r.path), "rules[%zu]", i);
		if (!(ok = rule(&r, x, &out->rules[out->n_rules++])))
			break;
	}
	if (ok && json_object_get(doc, "allocation"))
		ok = allocation(&r, json_object_get(doc, "allocation"),
				&out->allocation) &&
		     routes_used(&r, out);
	json_decref(doc);
	if (!ok)
		return HK_EINVAL;
	return hk_strategy_check(out, buckets->max_dpd, (size_t)buckets->n, lang,
				 err);
}
