-- +goose Up
-- Accounts, sessions, device trust and the audit log (issue 5). Times are
-- unix milliseconds, UTC; 0 means "not set".
CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	name          TEXT NOT NULL UNIQUE,
	role          TEXT NOT NULL,
	teams         TEXT NOT NULL DEFAULT '[]', -- JSON array of team names
	collector_id  INTEGER NOT NULL DEFAULT 0, -- collectors.id for role collector
	password_hash TEXT NOT NULL DEFAULT '',
	oidc_subject  TEXT UNIQUE,                -- NULL when not linked
	disabled      INTEGER NOT NULL DEFAULT 0,
	failed_logins INTEGER NOT NULL DEFAULT 0,
	locked_until  INTEGER NOT NULL DEFAULT 0,
	created_at    INTEGER NOT NULL
);

CREATE TABLE sessions (
	id         INTEGER PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users (id),
	kind       TEXT NOT NULL,
	token_hash TEXT NOT NULL UNIQUE,
	remote     TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	revoked_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE enrolments (
	id         INTEGER PRIMARY KEY,
	code_hash  TEXT NOT NULL UNIQUE,
	user_id    INTEGER NOT NULL REFERENCES users (id),
	created_by INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	used_at    INTEGER NOT NULL DEFAULT 0,
	device_id  INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE device_credentials (
	device_id  INTEGER PRIMARY KEY REFERENCES devices (id),
	user_id    INTEGER NOT NULL REFERENCES users (id),
	token_hash TEXT NOT NULL UNIQUE,
	created_at INTEGER NOT NULL,
	revoked_at INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE device_commands (
	id           INTEGER PRIMARY KEY,
	device_id    INTEGER NOT NULL REFERENCES devices (id),
	kind         TEXT NOT NULL,
	created_by   INTEGER NOT NULL,
	created_at   INTEGER NOT NULL,
	delivered_at INTEGER NOT NULL DEFAULT 0,
	acked_at     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX device_commands_device ON device_commands (device_id, id);

-- The audit log is append-only: the triggers refuse any change or removal,
-- whoever holds a connection.
CREATE TABLE audit_log (
	id       INTEGER PRIMARY KEY,
	at       INTEGER NOT NULL,
	actor    TEXT NOT NULL,
	actor_id INTEGER NOT NULL,
	role     TEXT NOT NULL,
	remote   TEXT NOT NULL,
	action   TEXT NOT NULL,
	object   TEXT NOT NULL,
	detail   TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);

-- +goose StatementBegin
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'audit log is append-only');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'audit log is append-only');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE audit_log;
DROP TABLE device_commands;
DROP TABLE device_credentials;
DROP TABLE enrolments;
DROP TABLE sessions;
DROP TABLE users;
