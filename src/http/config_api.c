/*
 * config_api.c - GET /api/config: the configuration in force, read-only,
 * for the administration page (docs/configuration.md says what each value
 * means and how to change it: the INI file and the environment, then a
 * restart).  No secret is in it.
 */
#include <stdio.h>

#include "http_int.h"

/* "22:00" from minutes after midnight */
static json_t *clock_json(int minutes)
{
	char text[8];

	snprintf(text, sizeof(text), "%02d:%02d", minutes / 60 % 24, minutes % 60);
	return json_string(text);
}

static json_t *money_or_null(int64_t fen)
{
	char text[HK_MONEY_BUFSZ];

	if (fen < 0)
		return json_null();
	hk_money_format(fen, text);
	return json_string(text);
}

void hk_h_config(struct hk_req *req)
{
	const struct hk_config *cfg = req->cfg;
	const struct hk_compliance_config *cc = &cfg->compliance;
	const struct hk_workflow_config *w = &cfg->workflow;
	json_t *buckets = json_array(), *products = json_object();

	for (int b = 0; b < cfg->buckets.n; b++)
		json_array_append_new(
			buckets,
			json_pack("{s:s, s:o}", "name", cfg->buckets.name[b],
				  "max_dpd",
				  b + 1 < cfg->buckets.n
					  ? json_integer(cfg->buckets.max_dpd[b])
					  : json_null()));
	for (int p = 0; p < HK_PRODUCT_COUNT; p++)
		json_object_set_new(
			products, hk_product_name(p),
			json_pack("{s:i, s:i, s:b}", "cap_ppm",
				  (int)cfg->policy[p].cap_ppm, "day_basis",
				  (int)cfg->policy[p].day_basis, "compound",
				  cfg->policy[p].compound));
	hk_reply(req, 200,
		 json_pack("{s:s, s:o, s:o, s:{s:i, s:i, s:o, s:i, s:o}, "
			   "s:{s:s, s:o, s:o, s:i, s:i, s:i, s:i, s:i, s:s}}",
			   "time_zone", cfg->time_zone, "buckets", buckets,
			   "products", products, "workflow",
			   "promise_horizon_days", w->promise_horizon_days,
			   "team_leader_waiver_share_ppm", (int)w->leader_share_ppm,
			   "team_leader_waiver_max", money_or_null(w->leader_max_fen),
			   "manager_waiver_share_ppm", (int)w->manager_share_ppm,
			   "manager_waiver_max", money_or_null(w->manager_max_fen),
			   "compliance", "profile", cc->profile, "quiet_from",
			   clock_json(cc->quiet_start), "quiet_until",
			   clock_json(cc->quiet_end), "max_conversations_per_day",
			   cc->max_conversations_per_day,
			   "max_attempts_per_number_per_day",
			   cc->max_attempts_per_number_per_day,
			   "max_calls_per_7_days", cc->max_calls_per_7_days,
			   "quiet_days_after_conversation",
			   cc->quiet_days_after_conversation, "limitation_years",
			   cc->limitation_years, "lexicon",
			   cc->lexicon[0] ? cc->lexicon : "built-in"));
}
