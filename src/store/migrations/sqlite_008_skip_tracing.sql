-- huikuan schema version 8: skip tracing (失联修复).  validity: valid,
-- invalid, unverified; source says where a contact detail came from.  A
-- case whose debtor has contacts and all of them invalid is lost contact.
ALTER TABLE contacts ADD COLUMN validity TEXT NOT NULL DEFAULT 'unverified';
ALTER TABLE contacts ADD COLUMN source TEXT;
ALTER TABLE cases ADD COLUMN lost_contact INTEGER NOT NULL DEFAULT 0;
