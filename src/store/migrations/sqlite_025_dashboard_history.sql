-- huikuan schema version 25: the dashboard's recovery and roll rates
-- (issue 5) read history by date and by account:
-- * payments by the day they were made, covering the amount, so the
--   recovery of a period is one index range, not a walk of every payment;
-- * each account's bucket transitions in date order, so its bucket at a
--   past month-end is one seek (the roll rates of a team or creditor).
CREATE INDEX payments_paid_on ON payments (paid_on, account_ref, amount);
CREATE INDEX bucket_transitions_account
	ON bucket_transitions (account_ref, as_of, to_bucket);
