-- huikuan schema version 24: the talk-script library (话术, issue 5):
-- answers to the common objections, beside the case, suggested by the
-- case's last contact outcome.  outcomes: the outcome codes a script suits,
-- comma-separated.  Admins edit them through the API (screened by the
-- lexicon); these are the shipped ones, written to keep within
-- docs/compliance.md: no threat, no exaggerated consequence, no debt
-- details to a third party.
CREATE TABLE scripts (
	ref INTEGER PRIMARY KEY,
	title TEXT NOT NULL,
	objection TEXT NOT NULL,
	body TEXT NOT NULL,
	outcomes TEXT NOT NULL DEFAULT '',
	updated_by INTEGER REFERENCES users (ref),
	updated_at INTEGER NOT NULL
);
INSERT INTO scripts (title, objection, body, outcomes, updated_at) VALUES
('客户称已经还款', '“我已经还了。”',
 '感谢您告知。为了尽快核实，请您提供还款的日期、金额、渠道和交易流水号（或回单截图），我们马上与入账记录核对。核对期间我们不再就这笔款项催收；如确认是入账延迟，我们会更正记录并把结果告诉您。如您对欠款金额有疑问，也可以登记异议，我们会书面答复并提供明细。',
 'claims_paid', CAST(strftime('%s') AS INTEGER)),
('企业称自己的客户未付款', '“我的客户还没付给我，我也没钱付你。”',
 '理解上游回款给您带来的压力。不过根据合同，贵公司对我方的付款义务不因第三方是否付款而改变。我们可以一起想办法：先支付一部分，剩余部分约定明确的付款日期；或者提供应收账款的证明，我们据此商量分期安排。您看本周内能先安排多少？',
 'refused,hardship', CAST(strftime('%s') AS INTEGER)),
('称未收到发票或账单', '“我从来没收到发票（账单）。”',
 '抱歉给您带来不便。我先核对一下开票和寄送信息：收件人、地址和邮箱是否正确？我现在就把电子发票和对账单重新发到您确认的邮箱。收到后请在三个工作日内核对，如无异议请按约定付款；如对金额有异议，可以登记异议，我们会提供依据并书面答复。',
 'disputes,refused,returned', CAST(strftime('%s') AS INTEGER)),
('企业称正在重组或整顿', '“公司正在重组，现在付不了。”',
 '了解。请问重组由哪位负责、目前进展到哪一步、预计什么时候有结果？请提供书面说明，我们会据此评估。在公平对待其他债权人的前提下，我们可以商量分期或提供担保的方案。如果公司进入破产程序，我方将依照《企业破产法》申报债权。',
 'refused,hardship', CAST(strftime('%s') AS INTEGER)),
('客户称经济困难', '“我现在真的没钱。”',
 '非常理解您的难处。方便说说您目前的收入、必要支出和其他负债情况吗？我们有分期和延期的方案，可以根据您的实际能力来定，需要的材料我会发给您。我们先约定一个您能负担的首期金额和日期，好吗？请不要为了还这笔款再去借新的贷款。',
 'hardship', CAST(strftime('%s') AS INTEGER)),
('共同借款人或担保人互相推诿', '“这钱是他借的，你找他去。”',
 '理解您的想法。根据合同和《民法典》，共同借款人对全部债务承担连带责任，保证人按保证合同承担保证责任，所以每一位都负有还款义务。你们之间如何分担可以协商，我们也可以分别与各位约定还款安排。您这边能先承担多少？',
 'third_party,refused', CAST(strftime('%s') AS INTEGER)),
('客户要求“你去起诉我”', '“有本事你去告我。”',
 '我们始终希望通过协商解决。如果协商不成，债权人可以依法向人民法院提起民事诉讼，由法院依法判决，相关的诉讼费用可能依判决由败诉方承担。在此之前，我们仍然愿意为您提供分期方案。您对欠款有什么意见，我都会如实记录。',
 'refused', CAST(strftime('%s') AS INTEGER)),
('承诺未兑现后的跟进', '承诺的还款日已过，款项未到。',
 '您好，您之前约定在某日还款，我们还没有收到。是遇到什么情况了吗？如果金额有困难，我们可以重新商量一个您确实能做到的金额和日期。今天能先安排一部分吗？',
 'promised', CAST(strftime('%s') AS INTEGER)),
('第三人接听（不得透露欠款）', '接电话的不是债务人本人。',
 '您好，请问某某先生（女士）在吗？我们是某某公司的客服，有事需要与他本人联系，麻烦您转告他回电，号码是……。谢谢！（不向第三人透露任何欠款信息。）',
 'third_party', CAST(strftime('%s') AS INTEGER)),
('无人接听时的留言', '电话无人接听，转入语音信箱。',
 '您好，这里是某某公司客户服务中心，有重要事宜需要与您本人联系，请您方便时回电……。谢谢。（留言不提及欠款。）',
 'no_answer,left_message,busy,switched_off', CAST(strftime('%s') AS INTEGER));

-- The dashboard's figures per collector (GET /api/dashboard): contact
-- records by who made them and when.
CREATE INDEX contact_records_user ON contact_records (user_ref, at);
