-- huikuan schema version 21: strategy versions (docs/strategy.md).  Each
-- version is the strategy's whole JSON form; a draft may be replaced, a
-- published version never changes; the latest published one is in force.
-- created_by NULL: the strategy shipped with huikuan, seeded by init.
CREATE TABLE strategies (
	ref INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	status TEXT NOT NULL DEFAULT 'draft',
	body TEXT NOT NULL,
	created_by INTEGER REFERENCES users (ref),
	created_at INTEGER NOT NULL,
	published_by INTEGER REFERENCES users (ref),
	published_at INTEGER
);
