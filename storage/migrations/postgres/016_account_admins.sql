-- The first account of a fresh install is its admin when ADMIN_EMAILS is not set (issue 16).
ALTER TABLE users ADD COLUMN is_admin INTEGER NOT NULL DEFAULT 0;
