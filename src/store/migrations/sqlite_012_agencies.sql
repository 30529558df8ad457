-- huikuan schema version 12: collection agencies (委外) and the placement
-- of cases with them.  A placed case carries cases.agency_ref (migration
-- 4), which is what an agency user's scope matches; the placements table
-- keeps every placement and recall with who, when, until when and why.
-- Contracts, commission and automatic recall come with the strategy and
-- agencies work (issue 4).
CREATE TABLE agencies (
	ref INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	created_at INTEGER NOT NULL
);
CREATE TABLE placements (
	ref INTEGER PRIMARY KEY,
	case_ref INTEGER NOT NULL REFERENCES cases (ref),
	agency_ref INTEGER NOT NULL REFERENCES agencies (ref),
	placed_by INTEGER NOT NULL REFERENCES users (ref),
	placed_at INTEGER NOT NULL,
	until INTEGER NOT NULL,
	reason TEXT NOT NULL,
	recalled_by INTEGER REFERENCES users (ref),
	recalled_at INTEGER,
	recall_reason TEXT
);
CREATE INDEX placements_case ON placements (case_ref);
-- At most one open placement per case.
CREATE UNIQUE INDEX placements_open ON placements (case_ref)
	WHERE recalled_at IS NULL;
