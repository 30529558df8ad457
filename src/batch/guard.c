/*
 * guard.c - the compliance guardrails' rules (hk/guard.h,
 * docs/compliance.md): before an outbound contact is made or recorded -
 * by a person through the server, or by the outbox before a message
 * leaves - every rule is checked in a fixed order and the first that
 * forbids it refuses, with its code and a plain reason.  Only reads: the
 * callers record and audit the refusal.
 *
 * The values come from [compliance] (profile cn or us); the lexicon from
 * data/lexicon.txt (built in) or the file the configuration names.
 */
#define _GNU_SOURCE /* strcasestr */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "hk/guard.h"
#include "hk/types.h"

#define TR(zh, en) HK_TR(lang, zh, en)

extern const char *const hk_default_lexicon[];

/* ---- the lexicon ---- */

struct phrase {
	char category[24];
	char text[64];
};

static struct phrase *lexicon;
static size_t n_lexicon;

static void lexicon_parse(const char *text)
{
	const char *p = text;

	while (*p) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *tab = memchr(p, '\t', len);

		if (*p != '#' && tab && tab > p && (size_t)(tab - p) < 24 &&
		    len - (size_t)(tab - p) - 1 > 0 &&
		    len - (size_t)(tab - p) - 1 < 64) {
			struct phrase *ph;

			lexicon = hk_realloc(lexicon, (n_lexicon + 1) * sizeof(*lexicon));
			ph = &lexicon[n_lexicon++];
			snprintf(ph->category, sizeof(ph->category), "%.*s",
				 (int)(tab - p), p);
			snprintf(ph->text, sizeof(ph->text), "%.*s",
				 (int)(len - (size_t)(tab - p) - 1), tab + 1);
			/* a CRLF file leaves a \r */
			ph->text[strcspn(ph->text, "\r")] = '\0';
		}
		p = end ? end + 1 : p + len;
	}
}

enum hk_rc hk_guard_init(const struct hk_config *cfg, struct hk_err *err)
{
	const char *path = cfg->compliance.lexicon;
	FILE *f;
	char *text;
	long size;

	free(lexicon);
	lexicon = NULL;
	n_lexicon = 0;
	if (!path[0]) {
		lexicon_parse(hk_default_lexicon[0]);
		return HK_OK;
	}
	if (!(f = fopen(path, "rb")) || fseek(f, 0, SEEK_END) ||
	    (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		if (f)
			fclose(f);
		return hk_err_set(err, HK_ECONFIG, "could not read the lexicon %s",
				  path);
	}
	text = hk_malloc((size_t)size + 1);
	text[fread(text, 1, (size_t)size, f)] = '\0';
	fclose(f);
	lexicon_parse(text);
	free(text);
	return HK_OK;
}

bool hk_guard_lexicon(const char *text, char *words, size_t cap,
		      const char **category)
{
	size_t n = 0;

	*category = NULL;
	if (cap)
		words[0] = '\0';
	for (size_t i = 0; text && i < n_lexicon; i++) {
		if (!strcasestr(text, lexicon[i].text))
			continue;
		if (!*category)
			*category = lexicon[i].category;
		if (n < cap)
			n += (size_t)snprintf(words + n, cap - n, "%s「%s」",
					      n ? "、" : "", lexicon[i].text);
	}
	return *category != NULL;
}

/* ---- time ---- */

/* The Unix second the debtors' calendar day containing `at` began (the
 * server runs in the debtors' zone, set at start). */
static int64_t day_start(int64_t at)
{
	time_t t = (time_t)at;
	struct tm tm;

	localtime_r(&t, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

static int minute_of_day(int64_t at)
{
	time_t t = (time_t)at;
	struct tm tm;

	localtime_r(&t, &tm);
	return tm.tm_hour * 60 + tm.tm_min;
}

static int32_t date_of(int64_t at)
{
	time_t t = (time_t)at;
	struct tm tm;

	localtime_r(&t, &tm);
	return hk_date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

int32_t hk_guard_limitation_end(const struct hk_compliance_config *c,
				const struct hk_limitation_row *r)
{
	int32_t from = r->overdue_since;
	int y, m, d;

	if (from == HK_DATE_NONE)
		return HK_DATE_NONE;
	if (r->last_paid != HK_DATE_NONE && r->last_paid > from)
		from = r->last_paid;
	if (r->last_demand && date_of(r->last_demand) > from)
		from = date_of(r->last_demand);
	hk_date_to_ymd(from, &y, &m, &d);
	y += c->limitation_years;
	if (m == 2 && d == 29)
		d = 28; /* 29 February into a common year */
	return hk_date_from_ymd(y, m, d);
}

struct barred {
	const struct hk_compliance_config *c;
	int32_t today;
	int overdue, barred;
};

static int count_barred(void *ctx, const struct hk_limitation_row *r)
{
	struct barred *b = ctx;
	int32_t end = hk_guard_limitation_end(b->c, r);

	if (end != HK_DATE_NONE) {
		b->overdue++;
		b->barred += b->today > end;
	}
	return 0;
}

/* ---- the rules ---- */

static bool one_of(const char *value, const char *const *list)
{
	for (int i = 0; value && list[i]; i++)
		if (!strcmp(value, list[i]))
			return true;
	return false;
}

static const char *const payers[] = {"self", "guarantor", "co_borrower", NULL};
static const char *const third_party_reasons[] = {
	"debtor_unreachable", "deceased", "incapacitated", NULL};
static const char *const timed_channels[] = {"call", "sms", "email", "visit",
					     NULL};
static const char *const legal_channels[] = {"lawyer_letter", "court", NULL};
/* Words that name litigation: refused on a time-barred case. */
static const char *const litigation_words[] = {"起诉", "诉讼", "法院", "仲裁",
					       "律师函", NULL};

static bool names_litigation(const char *text)
{
	for (int i = 0; text && litigation_words[i]; i++)
		if (strstr(text, litigation_words[i]))
			return true;
	return false;
}

struct find_stop {
	const char *channel;
	const struct hk_stop *hit;
	struct hk_stop copy;
};

static int match_stop(void *ctx, const struct hk_stop *st)
{
	struct find_stop *f = ctx;

	if (!f->hit && (!strcmp(st->channel, "all") ||
			!strcmp(st->channel, f->channel))) {
		f->copy = *st;
		f->hit = &f->copy;
	}
	return 0;
}

struct find_contact {
	const char *id;
	struct hk_contact_row row;
	bool found;
};

static int match_contact(void *ctx, const struct hk_contact_row *c)
{
	struct find_contact *f = ctx;

	if (!strcmp(c->contact_id, f->id)) {
		f->row = *c;
		f->found = true;
	}
	return 0;
}

/* A refusal is a verdict, not a failure: HK_OK with out->rule set. */
static enum hk_rc refuse(struct hk_guard_result *out, const char *rule,
			 const char *message)
{
	out->rule = rule;
	snprintf(out->message, sizeof(out->message), "%s", message);
	return HK_OK;
}


enum hk_rc hk_guard_barred(struct hk_store *s, const struct hk_config *cfg,
			   int32_t today, int64_t case_ref, bool *barred,
			   struct hk_err *err)
{
	struct barred b = {.c = &cfg->compliance, .today = today};
	enum hk_rc rc = s->ops->case_limitation(s, case_ref, count_barred, &b,
						err);

	*barred = rc == HK_OK && b.overdue > 0 && b.barred == b.overdue;
	return rc;
}

enum hk_rc hk_guard_check(struct hk_store *s, const struct hk_config *cfg,
			  enum hk_lang lang, const struct hk_case_rec *c,
			  const struct hk_contact_plan *p,
			  struct hk_guard_result *out, struct hk_err *err)
{
	const struct hk_compliance_config *cc = &cfg->compliance;
	struct hk_contact_counts n;
	struct find_stop fs = {.channel = p->channel};
	struct find_contact fc = {.id = p->contact_id};
	int64_t open_dispute = 0;
	int minute = minute_of_day(p->at);
	bool quiet, calling = !strcmp(p->channel, "call"),
		    talking = calling || !strcmp(p->channel, "visit");
	const char *category;
	char words[200], msg[320];

	memset(out, 0, sizeof(*out));
	out->conversations_left = out->attempts_left = -1;
	enum hk_rc rc;

	if ((rc = s->ops->dispute_open_of(s, c->ref, &open_dispute, err)) !=
		    HK_OK ||
	    (rc = s->ops->stops_of_debtor(s, c->debtor_ref, true, match_stop,
					  &fs, err)) != HK_OK ||
	    (p->contact_id &&
	     (rc = s->ops->debtor_contacts(s, c->debtor_ref, match_contact, &fc,
					   err)) != HK_OK) ||
	    (rc = s->ops->contact_counts(s, c->debtor_ref, p->contact_id,
					 day_start(p->at), p->at - 7 * 86400,
					 &n, err)) != HK_OK)
		return rc;
	if (cc->max_conversations_per_day)
		out->conversations_left =
			n.conversations_today >= cc->max_conversations_per_day
				? 0
				: cc->max_conversations_per_day - n.conversations_today;
	if (cc->max_attempts_per_number_per_day && p->contact_id)
		out->attempts_left =
			n.attempts_today >= cc->max_attempts_per_number_per_day
				? 0
				: cc->max_attempts_per_number_per_day - n.attempts_today;

	if (open_dispute)
		return refuse(out, "GR-DISPUTE",
			      TR("案件有未解决的异议，暂停催收，须先处理异议",
				 "the case has an open dispute: collection is paused until it is resolved"));
	if (fs.hit) {
		snprintf(msg, sizeof(msg),
			 !strcmp(fs.hit->reason, "complaint")
				 ? TR("债务人投诉处理中，暂停联系（暂停 #%lld）",
				      "a complaint by the debtor pauses contact (stop #%lld)")
				 : TR("债务人要求停止此方式的联系（暂停 #%lld）",
				      "the debtor asked not to be contacted this way (stop #%lld)"),
			 (long long)fs.hit->ref);
		return refuse(out, "GR-STOP", msg);
	}
	if (p->contact_id && fc.found && fc.row.stopped)
		return refuse(out, "GR-CONTACT-STOPPED",
			      TR("该联系人已要求不再被联系，永久停止",
				 "this contact asked not to be contacted again: a permanent stop"));
	if (p->contact_id && fc.found && !one_of(fc.row.relation, payers) &&
	    !fc.row.authorized &&
	    !one_of(p->third_party_reason, third_party_reasons))
		return refuse(out, "GR-THIRD-PARTY",
			      TR("联系第三方须记录原因 third_party_reason（debtor_unreachable、deceased、incapacitated），且不得透露债务",
				 "contacting a third party needs third_party_reason (debtor_unreachable, deceased, incapacitated), and no debt details"));
	quiet = cc->quiet_start > cc->quiet_end
			? minute >= cc->quiet_start || minute < cc->quiet_end
			: minute >= cc->quiet_start && minute < cc->quiet_end;
	if (quiet && one_of(p->channel, timed_channels)) {
		snprintf(msg, sizeof(msg),
			 TR("%02d:%02d 至 %02d:%02d（债务人当地时间）不得联系",
			    "no contact from %02d:%02d to %02d:%02d in the debtor's local time"),
			 cc->quiet_start / 60, cc->quiet_start % 60,
			 cc->quiet_end / 60, cc->quiet_end % 60);
		return refuse(out, "GR-HOURS", msg);
	}
	/* The cap counts conversations with the debtor: a call to someone
	 * else is not one (their number's attempts are capped below). */
	if (talking && out->conversations_left == 0 &&
	    (!p->contact_id || !fc.found || !strcmp(fc.row.relation, "self"))) {
		snprintf(msg, sizeof(msg),
			 TR("今天已与债务人通话 %d 次（所有催收员与委外机构合计），已达上限",
			    "already %d conversations with the debtor today (every collector and agency together): the limit"),
			 n.conversations_today);
		return refuse(out, "GR-CONVERSATIONS", msg);
	}
	if (calling && out->attempts_left == 0) {
		snprintf(msg, sizeof(msg),
			 TR("该号码今天已有 %d 次未接通，已达上限",
			    "already %d unanswered attempts on this number today: the limit"),
			 n.attempts_today);
		return refuse(out, "GR-ATTEMPTS", msg);
	}
	if (calling && cc->max_calls_per_7_days &&
	    n.calls_7_days >= cc->max_calls_per_7_days) {
		snprintf(msg, sizeof(msg),
			 TR("7 天内已致电 %d 次，已达上限", "already %d calls in 7 days: the limit"),
			 n.calls_7_days);
		return refuse(out, "GR-7IN7", msg);
	}
	if (calling && cc->quiet_days_after_conversation && n.last_conversation &&
	    p->at - n.last_conversation < cc->quiet_days_after_conversation * 86400) {
		snprintf(msg, sizeof(msg),
			 TR("上次通话后 %d 天内不得再致电", "no call within %d days after a conversation"),
			 cc->quiet_days_after_conversation);
		return refuse(out, "GR-AFTER-CONVERSATION", msg);
	}
	if (hk_guard_lexicon(p->note, words, sizeof(words), &category)) {
		snprintf(msg, sizeof(msg),
			 TR("文字含有禁用词（%s）：%s", "the text has forbidden wording (%s): %s"),
			 category, words);
		return refuse(out, "GR-LEXICON", msg);
	}
	if (one_of(p->channel, legal_channels) || names_litigation(p->note)) {
		bool barred;

		if ((rc = hk_guard_barred(s, cfg, date_of(p->at), c->ref,
					  &barred, err)) != HK_OK)
			return rc;
		if (barred)
			return refuse(out, "GR-LIMITATION",
				      TR("案件的逾期账户均已超过诉讼时效，不得以诉讼相威胁",
					 "every overdue account of the case is past the limitation period: no threat of litigation"));
	}
	return HK_OK;
}

