-- +goose Up
CREATE TABLE collectors (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	team       TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL
);

ALTER TABLE devices ADD COLUMN collector_id INTEGER;
CREATE INDEX devices_collector ON devices (collector_id);

CREATE TABLE debtors (
	id          INTEGER PRIMARY KEY,
	external_id TEXT,
	name        TEXT NOT NULL,
	phones      TEXT NOT NULL DEFAULT '[]',
	team        TEXT NOT NULL DEFAULT '',
	created_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX debtors_external ON debtors (external_id) WHERE external_id <> '';

CREATE TABLE zones (
	id          INTEGER PRIMARY KEY,
	debtor_id   INTEGER NOT NULL REFERENCES debtors (id) ON DELETE CASCADE,
	address     TEXT NOT NULL DEFAULT '',
	shape       TEXT NOT NULL,
	lat         REAL NOT NULL DEFAULT 0,
	lon         REAL NOT NULL DEFAULT 0,
	radius      REAL NOT NULL DEFAULT 0,
	exit_radius REAL NOT NULL DEFAULT 0,
	polygon     TEXT,
	exit_margin REAL NOT NULL DEFAULT 0,
	min_dwell   INTEGER NOT NULL DEFAULT 0,
	created_at  INTEGER NOT NULL
);
CREATE INDEX zones_debtor ON zones (debtor_id);

-- Arrays (devices, fix ids, spoofing reasons) are kept as JSON in body.
CREATE TABLE visits (
	id              INTEGER PRIMARY KEY,
	collector_id    INTEGER NOT NULL,
	zone_id         INTEGER NOT NULL,
	debtor_id       INTEGER NOT NULL,
	arrived_at      INTEGER NOT NULL,
	departed_at     INTEGER,
	dwell           REAL NOT NULL,
	fix_count       INTEGER NOT NULL,
	median_accuracy REAL NOT NULL,
	spoof_score     REAL NOT NULL,
	status          TEXT NOT NULL,
	updated_at      INTEGER NOT NULL,
	body            TEXT NOT NULL
);
CREATE INDEX visits_arrived ON visits (arrived_at);
CREATE INDEX visits_collector ON visits (collector_id, arrived_at);

CREATE TABLE visit_events (
	id       INTEGER PRIMARY KEY,
	visit_id INTEGER NOT NULL,
	type     TEXT NOT NULL,
	at       INTEGER NOT NULL,
	payload  TEXT NOT NULL
);
CREATE INDEX visit_events_visit ON visit_events (visit_id, id);

-- +goose Down
DROP TABLE visit_events;
DROP TABLE visits;
DROP TABLE zones;
DROP TABLE debtors;
DROP INDEX devices_collector;
ALTER TABLE devices DROP COLUMN collector_id;
DROP TABLE collectors;
