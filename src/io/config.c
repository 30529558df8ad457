/*
 * config.c - the configuration: documented defaults, an INI file (libinih)
 * over them, then environment variables over both.  See
 * docs/configuration.md for every key.  Bad values are refused with the key
 * named; nothing is silently clamped.
 */
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "hk/io.h"

void hk_config_default(struct hk_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	for (int p = 0; p < HK_PRODUCT_COUNT; p++)
		hk_policy_default(&cfg->policy[p]);
	hk_bucket_table_default(&cfg->buckets);
	snprintf(cfg->time_zone, sizeof(cfg->time_zone), "Asia/Shanghai");
	cfg->workflow = (struct hk_workflow_config){
		.promise_horizon_days = 30,
		.leader_share_ppm = 100000,
		.leader_max_fen = 200000,
		.manager_share_ppm = 300000,
		.manager_max_fen = -1,
	};
	hk_compliance_profile(&cfg->compliance, "cn");
	cfg->email.starttls = true;
	cfg->email.timeout_s = 30;
	cfg->sms.timeout_s = 15;
	snprintf(cfg->sms.id_field, sizeof(cfg->sms.id_field), "id");
	cfg->outbox = (struct hk_outbox_config){
		.max_attempts = 8, .backoff_s = 60, .lease_s = 120};
}

bool hk_compliance_profile(struct hk_compliance_config *c, const char *name)
{
	char lexicon[sizeof(c->lexicon)];

	memcpy(lexicon, c->lexicon, sizeof(lexicon));
	if (!strcmp(name, "cn")) {
		/* GB/T 45251-2025 and the CBA guideline (docs/compliance.md) */
		*c = (struct hk_compliance_config){
			.quiet_start = 22 * 60, .quiet_end = 8 * 60,
			.max_conversations_per_day = 3,
			.max_attempts_per_number_per_day = 6,
			.limitation_years = 3,
			.max_messages_per_day = 3};
	} else if (!strcmp(name, "us")) {
		/* Regulation F, 12 CFR 1006.6(b)(1)(i) and 1006.14(b)(2) */
		*c = (struct hk_compliance_config){
			.quiet_start = 21 * 60, .quiet_end = 8 * 60,
			.max_calls_per_7_days = 7,
			.quiet_days_after_conversation = 7,
			.limitation_years = 3,
			.max_messages_per_day = 3};
	} else {
		return false;
	}
	snprintf(c->profile, sizeof(c->profile), "%s", name);
	memcpy(c->lexicon, lexicon, sizeof(lexicon));
	return true;
}

/* "HH:MM-HH:MM" into minutes after midnight. */
static bool parse_hours(const char *v, int *start, int *end)
{
	int h1, m1, h2, m2, n = 0;

	if (sscanf(v, "%2d:%2d-%2d:%2d%n", &h1, &m1, &h2, &m2, &n) != 4 ||
	    v[n] || h1 > 23 || h2 > 23 || m1 > 59 || m2 > 59 || h1 < 0 ||
	    h2 < 0 || m1 < 0 || m2 < 0)
		return false;
	*start = h1 * 60 + m1;
	*end = h2 * 60 + m2;
	return *start != *end;
}

static bool apply_compliance(struct hk_compliance_config *c, const char *key,
			     const char *value)
{
	struct {
		const char *key;
		int *v;
		int max;
	} counts[] = {
		{"max_conversations_per_day", &c->max_conversations_per_day, 100},
		{"max_attempts_per_number_per_day",
		 &c->max_attempts_per_number_per_day, 100},
		{"max_calls_per_7_days", &c->max_calls_per_7_days, 100},
		{"quiet_days_after_conversation",
		 &c->quiet_days_after_conversation, 30},
		{"limitation_years", &c->limitation_years, 30},
		{"max_messages_per_day", &c->max_messages_per_day, 100},
	};

	if (!strcmp(key, "profile"))
		return hk_compliance_profile(c, value);
	if (!strcmp(key, "quiet_hours"))
		return parse_hours(value, &c->quiet_start, &c->quiet_end);
	if (!strcmp(key, "lexicon")) {
		if (!*value || strlen(value) >= sizeof(c->lexicon))
			return false;
		snprintf(c->lexicon, sizeof(c->lexicon), "%s", value);
		return true;
	}
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		char *end;
		long n;

		if (strcmp(key, counts[i].key))
			continue;
		n = strtol(value, &end, 10);
		if (!*value || *end || n < 0 || n > counts[i].max)
			return false;
		*counts[i].v = (int)n;
		return true;
	}
	return false;
}

/* [workflow] keys.  A share is a percent (0-100), an amount is yuan or
 * "none" for no amount limit. */
static bool apply_workflow(struct hk_workflow_config *w, const char *key,
			   const char *value)
{
	struct {
		const char *key;
		int32_t *share;
		int64_t *max;
	} limits[] = {
		{"team_leader_waiver_share", &w->leader_share_ppm, NULL},
		{"team_leader_waiver_max", NULL, &w->leader_max_fen},
		{"manager_waiver_share", &w->manager_share_ppm, NULL},
		{"manager_waiver_max", NULL, &w->manager_max_fen},
	};
	size_t len = strlen(value);

	if (!strcmp(key, "promise_horizon_days")) {
		char *end;
		long days = strtol(value, &end, 10);

		if (!*value || *end || days < 1 || days > 366)
			return false;
		w->promise_horizon_days = (int)days;
		return true;
	}
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		int32_t ppm;
		int64_t fen;

		if (strcmp(key, limits[i].key))
			continue;
		if (limits[i].share) {
			if (hk_rate_parse(value, len, &ppm) != HK_OK ||
			    ppm > 1000000)
				return false;
			*limits[i].share = ppm;
		} else if (!strcmp(value, "none")) {
			*limits[i].max = -1;
		} else {
			if (hk_money_parse(value, len, &fen) != HK_OK || fen < 0)
				return false;
			*limits[i].max = fen;
		}
		return true;
	}
	return false;
}

static bool parse_bool(const char *v, bool *out)
{
	if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1") ||
	    !strcasecmp(v, "on"))
		*out = true;
	else if (!strcasecmp(v, "no") || !strcasecmp(v, "false") ||
		 !strcmp(v, "0") || !strcasecmp(v, "off"))
		*out = false;
	else
		return false;
	return true;
}

/*
 * Bucket table text: "M0:0,M1:30,M2:60,...,M7+" — each name with the
 * largest DPD it holds, the last without a bound.
 */
static bool parse_buckets(const char *v, struct hk_bucket_table *t)
{
	struct hk_bucket_table nt;
	const char *p = v;

	memset(&nt, 0, sizeof(nt));
	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *colon = memchr(p, ':', len);
		size_t name_len = colon ? (size_t)(colon - p) : len;
		int32_t max = INT32_MAX;

		if (nt.n == HK_BUCKETS_MAX || name_len == 0 ||
		    name_len >= HK_BUCKET_NAME_MAX)
			return false;
		if (colon) {
			char num[16];
			size_t nl = len - name_len - 1;
			char *stop;
			long val;

			if (nl == 0 || nl >= sizeof(num))
				return false;
			memcpy(num, colon + 1, nl);
			num[nl] = '\0';
			val = strtol(num, &stop, 10);
			if (*stop || val < 0 || val >= INT32_MAX)
				return false;
			max = (int32_t)val;
		}
		if (nt.n && max <= nt.max_dpd[nt.n - 1])
			return false;
		if (nt.n == 0 && max != 0)
			return false; /* the first bucket holds the current accounts */
		memcpy(nt.name[nt.n], p, name_len);
		nt.max_dpd[nt.n++] = max;
		if (!end)
			break;
		p = end + 1;
	}
	if (nt.n < 2 || nt.max_dpd[nt.n - 1] != INT32_MAX)
		return false;
	*t = nt;
	return true;
}

/* A text setting into buf; false if empty or too long. */
static bool set_text(char *buf, size_t cap, const char *value)
{
	if (!*value || strlen(value) >= cap)
		return false;
	snprintf(buf, cap, "%s", value);
	return true;
}

#define TEXT_KEY(k, field)                                                     \
	if (!strcmp(key, k))                                                   \
		return set_text(field, sizeof(field), value)

static bool apply_letters(struct hk_letters_config *l, const char *key,
			  const char *value)
{
	TEXT_KEY("org", l->org);
	TEXT_KEY("org_line", l->org_line);
	TEXT_KEY("phone", l->phone);
	TEXT_KEY("callback_phone", l->callback_phone);
	TEXT_KEY("lawyer_firm", l->lawyer_firm);
	TEXT_KEY("lawyer_name", l->lawyer_name);
	TEXT_KEY("lawyer_license", l->lawyer_license);
	TEXT_KEY("lawyer_address", l->lawyer_address);
	TEXT_KEY("lawyer_phone", l->lawyer_phone);
	return false;
}

static bool apply_creditor(struct hk_letters_config *l, const char *id,
			   const char *key, const char *value)
{
	struct hk_creditor_config *c = NULL;

	if (!*id || strlen(id) >= sizeof(l->creditors[0].id))
		return false;
	for (int i = 0; i < l->n_creditors && !c; i++)
		if (!strcmp(l->creditors[i].id, id))
			c = &l->creditors[i];
	if (!c) {
		if (l->n_creditors == HK_MAX_CREDITORS)
			return false;
		c = &l->creditors[l->n_creditors++];
		snprintf(c->id, sizeof(c->id), "%s", id);
	}
	TEXT_KEY("name", c->name);
	TEXT_KEY("phone", c->phone);
	TEXT_KEY("address", c->address);
	TEXT_KEY("website", c->website);
	TEXT_KEY("contract", c->contract);
	return false;
}

static bool set_int(int *v, const char *value, int lo, int hi)
{
	char *end;
	long n = strtol(value, &end, 10);

	if (!*value || *end || n < lo || n > hi)
		return false;
	*v = (int)n;
	return true;
}

static bool apply_email(struct hk_smtp_config *e, const char *key,
			const char *value)
{
	TEXT_KEY("url", e->url);
	TEXT_KEY("ca_file", e->ca_file);
	TEXT_KEY("user", e->user);
	TEXT_KEY("password", e->password);
	TEXT_KEY("auth", e->auth);
	TEXT_KEY("from", e->from);
	TEXT_KEY("from_name", e->from_name);
	if (!strcmp(key, "starttls"))
		return parse_bool(value, &e->starttls);
	if (!strcmp(key, "timeout"))
		return set_int(&e->timeout_s, value, 1, 600);
	return false;
}

static bool apply_sms(struct hk_sms_config *m, const char *key,
		      const char *value)
{
	TEXT_KEY("url", m->url);
	TEXT_KEY("secret", m->secret);
	TEXT_KEY("sign_name", m->sign_name);
	TEXT_KEY("id_field", m->id_field);
	if (!strcmp(key, "timeout"))
		return set_int(&m->timeout_s, value, 1, 600);
	return false;
}

static bool apply_outbox(struct hk_outbox_config *o, const char *key,
			 const char *value)
{
	if (!strcmp(key, "max_attempts"))
		return set_int(&o->max_attempts, value, 1, 100);
	if (!strcmp(key, "backoff"))
		return set_int(&o->backoff_s, value, 1, 86400);
	if (!strcmp(key, "lease"))
		return set_int(&o->lease_s, value, 5, 3600);
	return false;
}

/* Apply one setting; false when the value is bad or the key unknown. */
static bool apply(struct hk_config *cfg, const char *section, const char *key,
		  const char *value)
{
	int product = -1;
	const char *dot;

	if (!strcmp(section, "ledger") || !strncmp(section, "ledger.", 7)) {
		if ((dot = strchr(section, '.'))) {
			product = hk_product_parse(dot + 1, strlen(dot + 1));
			if (product < 0)
				return false;
		}
		for (int p = 0; p < HK_PRODUCT_COUNT; p++) {
			struct hk_policy *pol = &cfg->policy[p];

			if (product >= 0 && p != product)
				continue;
			if (!strcmp(key, "penalty_cap")) {
				int32_t ppm;
				if (hk_rate_parse(value, strlen(value), &ppm) != HK_OK)
					return false;
				pol->cap_ppm = ppm;
			} else if (!strcmp(key, "day_basis")) {
				if (!strcmp(value, "360"))
					pol->day_basis = 360;
				else if (!strcmp(value, "365"))
					pol->day_basis = 365;
				else
					return false;
			} else if (!strcmp(key, "compound_penalty")) {
				if (!parse_bool(value, &pol->compound))
					return false;
			} else if (!strcmp(key, "buckets") && product < 0) {
				return parse_buckets(value, &cfg->buckets);
			} else {
				return false;
			}
		}
		return true;
	}
	if (!strcmp(section, "workflow"))
		return apply_workflow(&cfg->workflow, key, value);
	if (!strcmp(section, "compliance"))
		return apply_compliance(&cfg->compliance, key, value);
	if (!strcmp(section, "letters"))
		return apply_letters(&cfg->letters, key, value);
	if (!strncmp(section, "creditor.", 9))
		return apply_creditor(&cfg->letters, section + 9, key, value);
	if (!strcmp(section, "email"))
		return apply_email(&cfg->email, key, value);
	if (!strcmp(section, "sms"))
		return apply_sms(&cfg->sms, key, value);
	if (!strcmp(section, "outbox"))
		return apply_outbox(&cfg->outbox, key, value);
	if (!strcmp(section, "files") && !strcmp(key, "dir")) {
		if (!*value || strlen(value) >= sizeof(cfg->files_dir))
			return false;
		snprintf(cfg->files_dir, sizeof(cfg->files_dir), "%s", value);
		return true;
	}
	if (!strcmp(section, "general") && !strcmp(key, "time_zone")) {
		if (!*value || strlen(value) >= sizeof(cfg->time_zone) ||
		    strstr(value, ".."))
			return false;
		snprintf(cfg->time_zone, sizeof(cfg->time_zone), "%s", value);
		return true;
	}
	return false;
}

struct load_ctx {
	struct hk_config *cfg;
	char bad[128];
};

static int on_ini(void *user, const char *section, const char *name,
		  const char *value)
{
	struct load_ctx *lc = user;

	if (!apply(lc->cfg, section, name, value)) {
		snprintf(lc->bad, sizeof(lc->bad), "[%s] %s", section, name);
		return 0;
	}
	return 1;
}

enum hk_rc hk_config_load(struct hk_config *cfg, const char *path,
			  enum hk_lang lang, struct hk_err *err)
{
	static const struct {
		const char *env, *section, *key;
	} env_keys[] = {
		{"HUIKUAN_PENALTY_CAP", "ledger", "penalty_cap"},
		{"HUIKUAN_DAY_BASIS", "ledger", "day_basis"},
		{"HUIKUAN_COMPOUND_PENALTY", "ledger", "compound_penalty"},
		{"HUIKUAN_BUCKETS", "ledger", "buckets"},
		{"HUIKUAN_TZ", "general", "time_zone"},
		{"HUIKUAN_COMPLIANCE_PROFILE", "compliance", "profile"},
	};
	struct load_ctx lc = {.cfg = cfg};

	hk_config_default(cfg);
	if (!path)
		path = getenv("HUIKUAN_CONFIG");
	if (path && *path) {
		int line;

		if (access(path, R_OK) != 0)
			return hk_err_set(err, HK_ECONFIG,
					  HK_TR(lang, "无法读取配置文件 %s",
						"could not read configuration file %s"),
					  path);
		line = ini_parse(path, on_ini, &lc);
		if (line != 0)
			return hk_err_set(err, HK_ECONFIG,
					  HK_TR(lang,
						"配置文件 %s 第 %d 行无效：%s（见 docs/configuration.md）",
						"configuration file %s line %d is invalid: %s (see docs/configuration.md)"),
					  path, line, lc.bad[0] ? lc.bad : "syntax");
	}
	for (size_t i = 0; i < sizeof(env_keys) / sizeof(env_keys[0]); i++) {
		const char *v = getenv(env_keys[i].env);

		if (v && *v && !apply(cfg, env_keys[i].section, env_keys[i].key, v))
			return hk_err_set(err, HK_ECONFIG,
					  HK_TR(lang, "环境变量 %s 的值无效：%s",
						"environment variable %s has an invalid value: %s"),
					  env_keys[i].env, v);
	}
	return HK_OK;
}

void hk_files_dir(const struct hk_config *cfg, const char *db_uri, char *out,
		  size_t cap)
{
	if (cfg && cfg->files_dir[0])
		snprintf(out, cap, "%s", cfg->files_dir);
	else if (!strncmp(db_uri, "postgresql:", 11) ||
		 !strncmp(db_uri, "postgres:", 9))
		/* a URI names no folder: the server's working folder; several
		 * servers share one through [files] dir (docs/scaling.md) */
		snprintf(out, cap, "huikuan-files");
	else
		snprintf(out, cap, "%s.files", db_uri);
}

void hk_creditor_of(const struct hk_config *cfg, const char *id,
		    struct hk_creditor_config *out)
{
	const struct hk_letters_config *l = &cfg->letters;

	memset(out, 0, sizeof(*out));
	snprintf(out->id, sizeof(out->id), "%s", id);
	for (int i = 0; i < l->n_creditors; i++)
		if (!strcmp(l->creditors[i].id, id)) {
			*out = l->creditors[i];
			break;
		}
	if (!out->name[0])
		snprintf(out->name, sizeof(out->name), "%s", id);
	if (!out->phone[0])
		snprintf(out->phone, sizeof(out->phone), "%s", l->phone);
}
