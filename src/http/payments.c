/*
 * payments.c - POST /api/payments: a payment posted by a bank feed or a
 * payment gateway, under the same rules as an imported one (ledger.md §2)
 * and booked by the next day-end.  Idempotent by payment_id: the same
 * payment posted again answers 200 with duplicate=true and changes
 * nothing; a different payment under a used payment_id is refused (409),
 * so a retried request never pays twice.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "http_int.h"

static const char *const channels[] = {"bank_transfer", "online", "offset",
				       "other", NULL};

void hk_h_payment_post(struct hk_req *req)
{
	static const char *const fields[] = {"payment_id", "account_id",
					     "paid_on",    "amount",
					     "channel",    "reference", NULL};
	struct hk_store *s = req->store;
	struct hk_payment_rec p = {0};
	struct hk_found acct;
	struct hk_err err = {0};
	json_t *body = hk_req_json_object(req, fields);
	const char *pid, *aid, *paid, *amount, *channel, *reference;
	char msg[256] = "", target[96];
	bool known = false;
	enum hk_rc rc;

	if (!body)
		return;
	pid = json_string_value(json_object_get(body, "payment_id"));
	aid = json_string_value(json_object_get(body, "account_id"));
	paid = json_string_value(json_object_get(body, "paid_on"));
	amount = json_string_value(json_object_get(body, "amount"));
	channel = json_string_value(json_object_get(body, "channel"));
	reference = json_string_value(json_object_get(body, "reference"));
	if (!pid || !hk_ident_valid(pid, strlen(pid)) || !aid ||
	    !hk_ident_valid(aid, strlen(aid)))
		snprintf(msg, sizeof(msg), "%s",
			 HK_TR(req->lang, "payment_id 和 account_id 须为 1–64 个字母、数字、_ - .",
			       "payment_id and account_id must be 1-64 of letters, digits, _ - ."));
	else if (!paid || hk_date_parse(paid, strlen(paid), &p.paid_on) != HK_OK)
		snprintf(msg, sizeof(msg), "%s",
			 HK_TR(req->lang, "paid_on 须为日期 YYYY-MM-DD", "paid_on must be a date YYYY-MM-DD"));
	else if (!amount || hk_money_parse(amount, strlen(amount), &p.amount) != HK_OK ||
		 p.amount <= 0)
		snprintf(msg, sizeof(msg), "%s",
			 HK_TR(req->lang, "amount 须为大于 0 的金额（元），如 \"1234.50\"",
			       "amount must be yuan above 0, such as \"1234.50\""));
	else if (channel && !strcmp(channel, "cash"))
		snprintf(msg, sizeof(msg), "%s",
			 HK_TR(req->lang, "拒绝现金：催收人员从不收取现金，请债务人通过银行转账或线上渠道还款",
			       "cash is refused: collection staff never take cash; the debtor pays by bank transfer or online"));
	else if (!hk_one_of(channel, channels))
		snprintf(msg, sizeof(msg), "%s",
			 HK_TR(req->lang, "channel 须为 bank_transfer、online、offset、other 之一",
			       "channel must be one of bank_transfer, online, offset, other"));
	else if (!strcmp(channel, "bank_transfer") && (!reference || !*reference))
		snprintf(msg, sizeof(msg), "%s",
			 HK_TR(req->lang, "银行转账须有 reference（银行流水号）",
			       "a bank transfer needs its reference"));
	else if (reference && strlen(reference) > 128)
		snprintf(msg, sizeof(msg), "%s",
			 HK_TR(req->lang, "reference 过长", "reference is too long"));
	if (msg[0]) {
		json_decref(body);
		hk_reply_error(req, HK_EINVAL, 400, msg);
		return;
	}
	if ((rc = s->ops->begin(s, &err)) != HK_OK ||
	    (rc = s->ops->lookup(s, HK_ID_ACCOUNT, aid, &acct, &err)) != HK_OK) {
		s->ops->rollback(s);
		json_decref(body);
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	if (!acct.ref || p.paid_on < acct.open_date) {
		s->ops->rollback(s);
		json_decref(body);
		hk_reply_error(req, HK_EINVAL, 400,
			       !acct.ref ? HK_TR(req->lang, "没有这个账户", "no such account")
					 : HK_TR(req->lang, "paid_on 早于账户开立日",
						 "paid_on is before the account opened"));
		return;
	}
	{
		int64_t old_acct = 0, old_amount = 0;
		int32_t old_paid = 0;
		char old_channel[32], old_ref[129];

		if (s->ops->payment_get(s, pid, &old_acct, &old_paid, &old_amount,
					old_channel, old_ref, &known, &err) !=
		    HK_OK) {
			s->ops->rollback(s);
			json_decref(body);
			hk_reply_error(req, HK_EDB, 503, NULL);
			return;
		}
		if (known) {
			bool same = old_acct == acct.ref && old_paid == p.paid_on &&
				    old_amount == p.amount &&
				    !strcmp(old_channel, channel) &&
				    !strcmp(old_ref, reference ? reference : "");

			s->ops->rollback(s);
			if (same)
				hk_reply(req, 200,
					 json_pack("{s:s, s:b}", "payment_id", pid,
						   "duplicate", 1));
			else
				hk_reply_error(req, HK_EREFUSED, 409,
					       HK_TR(req->lang,
						     "payment_id 已用于另一笔不同的还款",
						     "the payment_id is already used by a different payment"));
			json_decref(body); /* pid points into it */
			return;
		}
	}
	p.payment_id = pid;
	p.account_ref = acct.ref;
	p.channel = channel;
	p.reference = reference;
	rc = s->ops->insert_payment(s, &p, &err);
	if (rc == HK_OK) {
		snprintf(target, sizeof(target), "account:%lld",
			 (long long)acct.ref);
		rc = hk_audit_commit(req, "payment.create", target,
			 json_pack("{s:s, s:s, s:s}", "payment_id", pid, "amount",
				   amount, "paid_on", paid), &err);
	}
	if (rc != HK_OK) {
		s->ops->rollback(s);
		json_decref(body);
		hk_reply_error(req, HK_EDB, 503, NULL);
		return;
	}
	hk_reply(req, 201,
		 json_pack("{s:s, s:b, s:s}", "payment_id", pid, "duplicate", 0,
			   "booked_by", "next day-end"));
	json_decref(body);
}
