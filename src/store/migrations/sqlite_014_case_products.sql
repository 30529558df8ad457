-- huikuan schema version 14: the products of a case's accounts as a bit
-- set on the case (bit 1 << enum hk_product: credit_card 1, consumer_loan
-- 2, business_loan 4, invoice 8, other 16), so the case list's product
-- filter reads no account.  The importer sets the bit as it creates or
-- finds the case for each account.
ALTER TABLE cases ADD COLUMN products INTEGER NOT NULL DEFAULT 0;
UPDATE cases SET products = COALESCE((
	SELECT sum(DISTINCT CASE a.product WHEN 'credit_card' THEN 1
		   WHEN 'consumer_loan' THEN 2 WHEN 'business_loan' THEN 4
		   WHEN 'invoice' THEN 8 ELSE 16 END)
	FROM accounts a WHERE a.case_ref = cases.ref), 0);
