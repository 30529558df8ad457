-- huikuan schema version 20: agency contracts (委外合同) and review dates.
--   agency_contracts   the period, the commission as a share (ppm) of what
--      is recovered on placed cases, an upfront fee per case placed (fen),
--      and whether the agency may propose settlements (waivers)
--   agencies.next_review   the date the agency is due for review;
--      placements are refused while it is past
--   placements.contract_ref   the contract a placement was made under; a
--      placement runs at most to the contract's end, and day-end recalls
--      it the day after its `until` (recalled_by NULL: day-end)
CREATE TABLE agency_contracts (
	ref INTEGER PRIMARY KEY,
	agency_ref INTEGER NOT NULL REFERENCES agencies (ref),
	starts_on INTEGER NOT NULL,
	ends_on INTEGER NOT NULL,
	commission_ppm INTEGER NOT NULL CHECK (commission_ppm BETWEEN 0 AND 1000000),
	upfront_fee INTEGER NOT NULL DEFAULT 0 CHECK (upfront_fee >= 0),
	may_settle INTEGER NOT NULL DEFAULT 0,
	created_by INTEGER NOT NULL REFERENCES users (ref),
	created_at INTEGER NOT NULL,
	CHECK (ends_on >= starts_on)
);
CREATE INDEX agency_contracts_agency ON agency_contracts (agency_ref, starts_on);
ALTER TABLE agencies ADD COLUMN next_review INTEGER;
ALTER TABLE placements ADD COLUMN contract_ref INTEGER REFERENCES agency_contracts (ref);
CREATE INDEX placements_open_until ON placements (until) WHERE recalled_at IS NULL;
