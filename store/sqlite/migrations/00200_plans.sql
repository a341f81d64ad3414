-- +goose Up
-- Planning data (issue 8). Times are unix milliseconds; lists are JSON.
CREATE TABLE collector_profiles (
	collector_id INTEGER PRIMARY KEY REFERENCES collectors (id) ON DELETE CASCADE,
	home_lat     REAL NOT NULL,
	home_lon     REAL NOT NULL,
	shift_start  INTEGER NOT NULL,
	shift_end    INTEGER NOT NULL,
	breaks       TEXT NOT NULL DEFAULT '[]',
	time_zone    TEXT NOT NULL DEFAULT '',
	max_visits   INTEGER NOT NULL DEFAULT 0,
	updated_at   INTEGER NOT NULL
);

CREATE TABLE debtor_profiles (
	debtor_id      INTEGER PRIMARY KEY REFERENCES debtors (id) ON DELETE CASCADE,
	priority       REAL NOT NULL DEFAULT 0,
	amount_overdue REAL NOT NULL DEFAULT 0,
	service_min    INTEGER NOT NULL DEFAULT 0,
	time_zone      TEXT NOT NULL DEFAULT '',
	region         TEXT NOT NULL DEFAULT '',
	updated_at     INTEGER NOT NULL
);

CREATE TABLE visit_outcomes (
	visit_id     INTEGER PRIMARY KEY,
	result       TEXT NOT NULL,
	note         TEXT NOT NULL DEFAULT '',
	recorded_by  TEXT NOT NULL,
	recorded_at  INTEGER NOT NULL,
	collector_id INTEGER NOT NULL,
	debtor_id    INTEGER NOT NULL,
	zone_id      INTEGER NOT NULL,
	arrived_at   INTEGER NOT NULL
);
CREATE INDEX visit_outcomes_arrived ON visit_outcomes (arrived_at);
CREATE INDEX visit_outcomes_debtor ON visit_outcomes (debtor_id, arrived_at);

CREATE TABLE holidays (
	date   TEXT NOT NULL,
	region TEXT NOT NULL DEFAULT '',
	name   TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (date, region)
);

CREATE TABLE plans (
	id         INTEGER PRIMARY KEY,
	date       TEXT NOT NULL,
	team       TEXT NOT NULL,
	version    INTEGER NOT NULL,
	status     TEXT NOT NULL,
	created_by TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	updated_by TEXT NOT NULL,
	updated_at INTEGER NOT NULL,
	collectors TEXT NOT NULL DEFAULT '[]',
	problem    TEXT NOT NULL,
	body       TEXT NOT NULL
);
CREATE INDEX plans_date_team ON plans (date, team);

-- The collectors with a route in each plan's current version.
CREATE TABLE plan_collectors (
	plan_id      INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
	collector_id INTEGER NOT NULL,
	PRIMARY KEY (plan_id, collector_id)
);
CREATE INDEX plan_collectors_collector ON plan_collectors (collector_id);

CREATE TABLE plan_versions (
	plan_id INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
	version INTEGER NOT NULL,
	author  TEXT NOT NULL,
	at      INTEGER NOT NULL,
	change  TEXT NOT NULL,
	body    TEXT NOT NULL,
	PRIMARY KEY (plan_id, version)
);

-- +goose Down
DROP TABLE plan_versions;
DROP TABLE plan_collectors;
DROP TABLE plans;
DROP TABLE holidays;
DROP TABLE visit_outcomes;
DROP TABLE debtor_profiles;
DROP TABLE collector_profiles;
