-- +goose Up
-- An enrolment code may be scoped to one device identity (issue 5).
ALTER TABLE enrolments ADD COLUMN device_uid TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE enrolments DROP COLUMN device_uid;
