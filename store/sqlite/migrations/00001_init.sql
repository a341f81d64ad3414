-- +goose Up
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

CREATE TABLE devices (
	id         INTEGER PRIMARY KEY,
	uid        TEXT NOT NULL UNIQUE,
	protocol   TEXT NOT NULL,
	name       TEXT NOT NULL DEFAULT '',
	disabled   INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL -- unix ms
);

-- Times are unix milliseconds, UTC. The unique index is both the
-- de-duplication rule (same device, fix time and coordinates is one fix)
-- and the index for a device's track and its last fix.
CREATE TABLE fixes (
	id         INTEGER PRIMARY KEY,
	device_id  INTEGER NOT NULL,
	fix_time   INTEGER NOT NULL,
	recv_time  INTEGER NOT NULL,
	lat        REAL NOT NULL,
	lon        REAL NOT NULL,
	altitude   REAL NOT NULL,
	speed      REAL NOT NULL,
	course     REAL NOT NULL,
	satellites INTEGER NOT NULL,
	hdop       REAL NOT NULL,
	accuracy   REAL NOT NULL,
	valid      INTEGER NOT NULL,
	protocol   TEXT NOT NULL,
	cell       INTEGER NOT NULL,
	attrs      TEXT NOT NULL
);
CREATE UNIQUE INDEX fixes_device_time ON fixes (device_id, fix_time, lat, lon);

-- +goose Down
DROP TABLE fixes;
DROP TABLE devices;
DROP TABLE meta;
