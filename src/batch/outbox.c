/*
 * outbox.c - messages (SMS, email) queued and sent (letters.h,
 * docs/letters.md "Messages"): a message is rendered from its template and
 * checked by the guardrails when it is queued, checked again at the
 * moment it leaves (a stop or a dispute may have come since; quiet hours
 * may have begun), then sent through its channel by whichever sender
 * leases it.  Every outcome is written back: sent, a retry at a later time
 * (doubling), failed, refused with the rule.  A message is never sent
 * twice by us: one lease at a time, and the channel keeps our id once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "hk/batch.h"
#include "hk/channel.h"
#include "hk/guard.h"
#include "hk/letters.h"
#include "hk/strategy.h"
#include "hk/types.h"

/* Relations on the debtor's side of the debt (guard.c's payers). */
static bool debtor_side(const struct hk_contact_row *c)
{
	return !strcmp(c->relation, "self") || !strcmp(c->relation, "guarantor") ||
	       !strcmp(c->relation, "co_borrower") || c->authorized;
}

struct find_contact {
	const char *id;
	bool want_email;
	struct hk_contact_row row;
	bool found;
};

static int find_contact(void *ctx, const struct hk_contact_row *c)
{
	struct find_contact *f = ctx;

	if (f->found)
		return 0;
	if (f->id ? !strcmp(c->contact_id, f->id)
		  : f->want_email && !strcmp(c->relation, "self") && c->email[0] &&
			    !c->stopped) {
		f->row = *c;
		f->found = true;
	}
	return 0;
}

/* The start of the debtors' calendar day containing `at` (the process
 * runs in their zone). */
static int64_t day_start(int64_t at)
{
	time_t t = (time_t)at;
	struct tm tm;

	localtime_r(&t, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

static int32_t date_of(int64_t at)
{
	time_t t = (time_t)at;
	struct tm tm;

	localtime_r(&t, &tm);
	return hk_date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* The guardrails for a message to case c at `at`, the frequency cap
 * included (`own` messages of this one already counted). */
static enum hk_rc check(struct hk_store *s, const struct hk_config *cfg,
			enum hk_lang lang, const struct hk_case_rec *c,
			const char *channel, const char *contact_id,
			const char *text, int64_t at, int own,
			struct hk_guard_result *g, struct hk_err *err)
{
	int64_t n = 0;
	int cap = cfg->compliance.max_messages_per_day;
	enum hk_rc rc = hk_guard_check(s, cfg, lang, c,
				       &(struct hk_contact_plan){
					       .channel = channel,
					       .contact_id = contact_id,
					       /* a message's text names no debt to a
						* third party (its template) */
					       .third_party_reason = "debtor_unreachable",
					       .note = text,
					       .at = at},
				       g, err);

	if (rc != HK_OK || g->rule || !cap)
		return rc;
	if ((rc = s->ops->outbox_count(s, c->debtor_ref, channel, day_start(at),
				       &n, err)) != HK_OK)
		return rc;
	if (n - own >= cap) {
		g->rule = "GR-MESSAGES";
		snprintf(g->message, sizeof(g->message),
			 HK_TR(lang, "今天已向债务人发送 %lld 条%s，已达上限",
			       "already %lld %s messages to the debtor today: the limit"),
			 (long long)(n - own),
			 !strcmp(channel, "sms") ? HK_TR(lang, "短信", "SMS")
						 : HK_TR(lang, "邮件", "email"));
	}
	return HK_OK;
}

/* The first minute quiet hours no longer cover, after `at`. */
static int64_t after_quiet(const struct hk_compliance_config *cc, int64_t at)
{
	time_t t = (time_t)at;
	struct tm tm;

	localtime_r(&t, &tm);
	if (tm.tm_hour * 60 + tm.tm_min >= cc->quiet_end)
		tm.tm_mday++; /* ends tomorrow */
	tm.tm_hour = cc->quiet_end / 60;
	tm.tm_min = cc->quiet_end % 60;
	tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

static void new_msg_id(char out[48])
{
	unsigned char raw[12];

	randombytes_buf(raw, sizeof(raw));
	memcpy(out, "hk-", 3);
	sodium_bin2hex(out + 3, 48 - 3, raw, sizeof(raw));
}

enum hk_rc hk_message_queue(struct hk_store *s, const struct hk_config *cfg,
			    int64_t case_ref, const char *code,
			    const char *channel, const char *contact_id,
			    int64_t user_ref, int64_t now,
			    struct hk_outbox_rec *out, bool *refused,
			    enum hk_lang lang, struct hk_err *err)
{
	struct hk_template_rec t = {0};
	struct hk_scope all = {.all = true};
	struct hk_case_rec c;
	struct find_contact fc = {.id = contact_id,
				  .want_email = !strcmp(channel, "email")};
	struct hk_letter_job job = {.case_ref = case_ref, .contact_id = contact_id,
				    .tmpl = &t, .today = date_of(now),
				    .serial = ""};
	struct hk_guard_result g = {0};
	struct hk_found found_contact = {0};
	char *text = NULL, *subject = NULL;
	bool found = false;
	enum hk_rc rc;

	memset(out, 0, sizeof(*out));
	*refused = false;
	if (strcmp(channel, "sms") && strcmp(channel, "email"))
		return hk_err_set(err, HK_EINVAL, "%s",
				  HK_TR(lang, "消息渠道须为 sms 或 email",
					"a message goes by sms or email"));
	if ((rc = s->ops->case_get(s, case_ref, &all, &c, &found, err)) != HK_OK)
		return rc;
	if (!found)
		return hk_err_set(err, HK_ENOTFOUND, "%s",
				  HK_TR(lang, "没有这个案件", "no such case"));
	if ((rc = s->ops->template_get(s, 0, code, channel, &t, &found, err)) !=
	    HK_OK)
		return rc;
	if (!found)
		return hk_err_set(err, HK_ENOTFOUND,
				  HK_TR(lang, "没有已发布的%s模板“%s”",
					"no published %s template \"%s\""),
				  channel, code);
	if ((rc = s->ops->debtor_contacts(s, c.debtor_ref, find_contact, &fc,
					  err)) != HK_OK)
		goto done;
	if (contact_id && !fc.found) {
		rc = hk_err_set(err, HK_ENOTFOUND, "%s",
				HK_TR(lang, "债务人没有这个联系人",
				      "the debtor has no such contact"));
		goto done;
	}
	/* who it goes to: the debtor's own number (their self contact's
	 * email), or the contact named */
	if (!strcmp(channel, "sms"))
		snprintf(out->to_addr, sizeof(out->to_addr), "%s",
			 fc.found && contact_id ? fc.row.phone : c.phone);
	else if (fc.found)
		snprintf(out->to_addr, sizeof(out->to_addr), "%s", fc.row.email);
	snprintf(out->to_name, sizeof(out->to_name), "%s",
		 contact_id && fc.found ? fc.row.name : c.name);
	if (!out->to_addr[0]) {
		rc = hk_err_set(err, HK_EINVAL, "%s",
				!strcmp(channel, "sms")
					? HK_TR(lang, "没有可发送短信的号码", "no number to send an SMS to")
					: HK_TR(lang, "没有电子邮件地址（联系人的 email）",
						"no email address (a contact's email)"));
		goto done;
	}
	/* third parties get only third-party templates, and only they do */
	if (contact_id && !debtor_side(&fc.row) &&
	    strcmp(t.audience, "third_party")) {
		g.rule = "GR-THIRD-PARTY";
		snprintf(g.message, sizeof(g.message), "%s",
			 HK_TR(lang, "发给第三方的消息只能使用不含债务信息的第三方模板",
			       "a message to a third party uses only a third-party template, with no debt details"));
	} else if ((!contact_id || debtor_side(&fc.row)) &&
		   !strcmp(t.audience, "third_party")) {
		rc = hk_err_set(err, HK_EINVAL, "%s",
				HK_TR(lang, "第三方模板只发给第三方联系人",
				      "a third-party template goes to third-party contacts only"));
		goto done;
	}
	job.as_of = HK_DATE_NONE;
	if ((rc = hk_store_meta_date(s, HK_META_LAST_EOD, &job.as_of, err)) !=
	    HK_OK)
		goto done;
	if (job.as_of == HK_DATE_NONE)
		job.as_of = job.today;
	if (!g.rule &&
	    (rc = hk_letter_render(s, cfg, &job, &text, &subject, NULL, lang,
				   err)) != HK_OK)
		goto done;
	if (!g.rule &&
	    (rc = check(s, cfg, lang, &c, channel, contact_id, text, now, 0, &g,
			err)) != HK_OK)
		goto done;
	if (contact_id &&
	    (rc = s->ops->lookup(s, HK_ID_CONTACT, contact_id, &found_contact,
				 err)) != HK_OK)
		goto done;
	new_msg_id(out->msg_id);
	out->case_ref = case_ref;
	out->contact_ref = found_contact.ref;
	out->template_ref = t.ref;
	snprintf(out->channel, sizeof(out->channel), "%s", channel);
	out->subject = subject;
	out->body = text;
	out->next_at = now;
	out->created_by = user_ref;
	out->created_at = now;
	if (g.rule && !strcmp(g.rule, "GR-HOURS")) {
		/* quiet hours hold a message until morning, they do not
		 * refuse it (the sender checks every rule again then) */
		out->next_at = after_quiet(&cfg->compliance, now);
		snprintf(out->last_error, sizeof(out->last_error), "%s", g.message);
		g.rule = NULL;
	}
	if (g.rule) {
		*refused = true;
		snprintf(out->status, sizeof(out->status), "refused");
		snprintf(out->rule, sizeof(out->rule), "%s", g.rule);
		snprintf(out->last_error, sizeof(out->last_error), "%s", g.message);
	} else {
		struct hk_treatment_rec tr;
		bool has = false;

		snprintf(out->status, sizeof(out->status), "queued");
		if ((rc = s->ops->treatment_get(s, case_ref, &tr, &has, err)) !=
		    HK_OK)
			goto done;
		if (has) {
			out->strategy_ref = tr.strategy_ref;
			out->rule_no = tr.rule_no;
			out->arm_no = tr.arm_no;
		}
	}
	rc = s->ops->outbox_insert(s, out, err);
done:
	if (rc != HK_OK) {
		free(text);
		free(subject);
		out->subject = out->body = NULL;
	}
	hk_template_rec_clear(&t);
	return rc;
}

/* ---- from the day's treatments ------------------------------------- */

struct wanted {
	int64_t case_ref;
	char code[HK_STRATEGY_TEXT];
	char channel[8];
};

struct pick {
	const struct hk_strategy *st;
	int64_t strategy_ref;
	struct wanted *w;
	size_t n, cap;
};

static int treated(void *ctx, const struct hk_case_fact_row *r)
{
	struct pick *p = ctx;
	const struct hk_treatment *t;

	if (r->strategy_ref != p->strategy_ref || r->rule_no < 0)
		return 0;
	t = hk_strategy_treatment(p->st, r->rule_no, r->arm_no);
	if (!t || !t->template_id[0] ||
	    (t->channel != HK_CH_SMS && t->channel != HK_CH_EMAIL))
		return 0;
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 256;
		p->w = hk_realloc(p->w, p->cap * sizeof(*p->w));
	}
	p->w[p->n].case_ref = r->case_ref;
	snprintf(p->w[p->n].code, sizeof(p->w[p->n].code), "%s", t->template_id);
	snprintf(p->w[p->n].channel, sizeof(p->w[p->n].channel), "%s",
		 t->channel == HK_CH_SMS ? "sms" : "email");
	p->n++;
	return 0;
}

struct sent_today {
	int64_t since, template_ref;
	bool seen;
};

static int sent_today(void *ctx, const struct hk_outbox_rec *m)
{
	struct sent_today *st = ctx;

	if (m->created_at < st->since)
		return 1; /* newest first: nothing older matters */
	if (m->template_ref == st->template_ref)
		st->seen = true;
	return st->seen;
}

enum hk_rc hk_messages_from_treatments(struct hk_store *s,
				       const struct hk_config *cfg,
				       int64_t now, int *queued, int *refused,
				       enum hk_lang lang, struct hk_err *err)
{
	static struct hk_strategy st; /* large */
	struct pick p = {.st = &st};
	struct hk_fact_need need = {.debtor_lo = 1, .debtor_hi = 0,
				    .due_lo = 1, .due_hi = 0};
	int32_t as_of;
	enum hk_rc rc;

	*queued = *refused = 0;
	if ((rc = hk_store_meta_date(s, HK_META_LAST_EOD, &as_of, err)) != HK_OK)
		return rc;
	if (as_of == HK_DATE_NONE)
		return hk_err_set(err, HK_EREFUSED, "%s",
				  HK_TR(lang, "尚未运行日终", "no day-end yet"));
	if ((rc = hk_strategy_in_force(s, &cfg->buckets, &p.strategy_ref, &st,
				       err)) != HK_OK ||
	    !p.strategy_ref ||
	    (rc = s->ops->case_facts_scan(s, as_of, false, &need, treated, &p,
					  err)) != HK_OK) {
		free(p.w);
		return rc;
	}
	for (size_t i = 0; i < p.n && rc == HK_OK; i++) {
		struct hk_template_rec t;
		struct sent_today sd = {.since = day_start(now)};
		struct hk_outbox_rec m;
		bool found = false, was_refused = false;

		/* once a day a template: a rerun queues nothing twice */
		if ((rc = s->ops->template_get(s, 0, p.w[i].code, p.w[i].channel,
					       &t, &found, err)) != HK_OK)
			break;
		if (!found)
			continue; /* no such template: nothing to send */
		sd.template_ref = t.ref;
		hk_template_rec_clear(&t);
		if ((rc = s->ops->outbox_scan(s, p.w[i].case_ref, 0, NULL, 0, 50,
					      sent_today, &sd, err)) != HK_OK)
			break;
		if (sd.seen)
			continue;
		if ((rc = s->ops->begin(s, err)) != HK_OK)
			break;
		rc = hk_message_queue(s, cfg, p.w[i].case_ref, p.w[i].code,
				      p.w[i].channel, NULL, 0, now, &m,
				      &was_refused, lang, err);
		if (rc == HK_OK) {
			rc = s->ops->commit(s, err);
			*queued += !was_refused;
			*refused += was_refused;
		} else {
			s->ops->rollback(s);
			/* a case that cannot take it (no number, nothing owed)
			 * is not the run's failure */
			if (rc == HK_EINVAL || rc == HK_EREFUSED ||
			    rc == HK_ENOTFOUND) {
				rc = HK_OK;
				(*refused)++;
			}
		}
		hk_outbox_rec_clear(&m);
	}
	free(p.w);
	return rc;
}

/* ---- sending -------------------------------------------------------- */

struct claimed {
	struct hk_outbox_rec *m;
	size_t n, cap;
};

static int take(void *ctx, const struct hk_outbox_rec *m)
{
	struct claimed *c = ctx;

	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 16;
		c->m = hk_realloc(c->m, c->cap * sizeof(*c->m));
	}
	c->m[c->n] = *m;
	c->m[c->n].subject = hk_strndup(m->subject ? m->subject : "", m->subject ? strlen(m->subject) : 0);
	c->m[c->n].body = hk_strndup(m->body ? m->body : "", m->body ? strlen(m->body) : 0);
	c->n++;
	return 0;
}

/* Send one leased message and decide what became of it. */
static enum hk_rc send_one(struct hk_store *s, const struct hk_config *cfg,
			   struct hk_outbox_rec *m, int64_t now,
			   enum hk_lang lang, struct hk_err *err)
{
	struct hk_scope all = {.all = true};
	struct hk_case_rec c;
	struct hk_guard_result g = {0};
	struct hk_message msg = {.id = m->msg_id, .to = m->to_addr,
				 .to_name = m->to_name, .subject = m->subject,
				 .body = m->body};
	enum hk_send_outcome outcome = HK_SEND_REJECTED;
	struct hk_err serr = {0};
	const char *contact_id = m->contact_id[0] ? m->contact_id : NULL;
	bool found = false;
	enum hk_rc rc;

	if ((rc = s->ops->case_get(s, m->case_ref, &all, &c, &found, err)) != HK_OK)
		return rc;
	/* the rules again, now: a stop or a dispute since it was queued
	 * cancels it; quiet hours hold it until morning */
	/* it counts itself among today's only if it was queued today: one
	 * held overnight (quiet hours, retries) is not in today's count, and
	 * discounting it let the day's cap be passed by one */
	if (found &&
	    (rc = check(s, cfg, lang, &c, m->channel, contact_id, m->body,
			now, m->created_at >= day_start(now), &g, err)) != HK_OK)
		return rc;
	m->sent_at = 0;
	if (!found) {
		snprintf(m->status, sizeof(m->status), "cancelled");
		snprintf(m->last_error, sizeof(m->last_error), "no such case");
	} else if (g.rule && !strcmp(g.rule, "GR-HOURS")) {
		snprintf(m->status, sizeof(m->status), "queued");
		m->next_at = after_quiet(&cfg->compliance, now);
		snprintf(m->last_error, sizeof(m->last_error), "%s", g.message);
		m->attempts--; /* not an attempt */
	} else if (g.rule) {
		snprintf(m->status, sizeof(m->status), "refused");
		snprintf(m->rule, sizeof(m->rule), "%s", g.rule);
		snprintf(m->last_error, sizeof(m->last_error), "%s", g.message);
		m->next_at = now; /* when it was refused (the case's timeline) */
	} else if (!strcmp(m->channel, "sms") ? !cfg->sms.url[0]
					      : !cfg->email.url[0]) {
		/* no channel configured: it waits, visibly */
		snprintf(m->status, sizeof(m->status), "queued");
		m->next_at = now + 3600;
		snprintf(m->last_error, sizeof(m->last_error), "%s",
			 !strcmp(m->channel, "sms")
				 ? HK_TR(lang, "未配置短信网关 [sms] url", "no SMS gateway: [sms] url")
				 : HK_TR(lang, "未配置邮件服务器 [email] url", "no mail server: [email] url"));
	} else {
		char pid[200] = "";

		if (!strcmp(m->channel, "sms"))
			rc = hk_sms_send(&cfg->sms, &msg, &outcome, pid, sizeof(pid),
					 &serr);
		else
			rc = hk_smtp_send(&cfg->email, &msg, &outcome, pid,
					  sizeof(pid), &serr);
		if (rc != HK_OK)
			outcome = HK_SEND_REJECTED; /* it cannot be written */
		snprintf(m->provider_id, sizeof(m->provider_id), "%s", pid);
		snprintf(m->last_error, sizeof(m->last_error), "%.250s", serr.msg);
		rc = HK_OK;
		if (outcome == HK_SEND_OK) {
			snprintf(m->status, sizeof(m->status), "sent");
			m->sent_at = now;
			m->last_error[0] = '\0';
		} else if (outcome == HK_SEND_RETRY &&
			   m->attempts < cfg->outbox.max_attempts) {
			int shift = m->attempts > 20 ? 20 : m->attempts - 1;

			snprintf(m->status, sizeof(m->status), "queued");
			m->next_at = now + ((int64_t)cfg->outbox.backoff_s << shift);
		} else {
			snprintf(m->status, sizeof(m->status), "failed");
			m->next_at = now; /* when it failed (the case's timeline) */
		}
	}
	return HK_OK;
}

enum hk_rc hk_outbox_send(struct hk_store *s, const struct hk_config *cfg,
			  int64_t now, int max, int *sent, enum hk_lang lang,
			  struct hk_err *err)
{
	struct claimed c = {0};
	enum hk_rc rc;

	*sent = 0;
	/* the lease is taken and committed first: the sending itself holds
	 * no transaction, so collectors' writes never wait for a gateway */
	if ((rc = s->ops->begin(s, err)) == HK_OK &&
	    (rc = s->ops->outbox_claim(s, now, cfg->outbox.lease_s, max, take,
				       &c, err)) == HK_OK)
		rc = s->ops->commit(s, err);
	if (rc != HK_OK)
		s->ops->rollback(s);
	for (size_t i = 0; rc == HK_OK && i < c.n; i++) {
		struct hk_outbox_rec *m = &c.m[i];

		if ((rc = send_one(s, cfg, m, now, lang, err)) != HK_OK)
			break;
		if ((rc = s->ops->begin(s, err)) == HK_OK &&
		    (rc = s->ops->outbox_update(s, m, err)) == HK_OK)
			rc = s->ops->commit(s, err);
		if (rc != HK_OK)
			s->ops->rollback(s);
		*sent += !strcmp(m->status, "sent");
	}
	for (size_t i = 0; i < c.n; i++)
		hk_outbox_rec_clear(&c.m[i]);
	free(c.m);
	return rc;
}
