-- huikuan schema version 2: people and access.  Times are Unix seconds.
CREATE TABLE teams (
	ref INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE
);
-- role: admin, manager, team_leader, collector, agency_collector, auditor.
CREATE TABLE users (
	ref INTEGER PRIMARY KEY,
	username TEXT NOT NULL UNIQUE,
	display_name TEXT NOT NULL,
	role TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'team_leader',
		'collector', 'agency_collector', 'auditor')),
	team_ref INTEGER REFERENCES teams (ref),
	password_hash TEXT NOT NULL,
	must_change INTEGER NOT NULL DEFAULT 0,
	failed_logins INTEGER NOT NULL DEFAULT 0,
	locked_until INTEGER NOT NULL DEFAULT 0,
	active INTEGER NOT NULL DEFAULT 1,
	created_at INTEGER NOT NULL
);
-- Only a hash of each session token is kept: a stolen database holds no
-- usable session.  kind: cookie (with a CSRF token) or bearer.
CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	user_ref INTEGER NOT NULL REFERENCES users (ref),
	kind TEXT NOT NULL CHECK (kind IN ('cookie', 'bearer')),
	csrf TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_ref);
