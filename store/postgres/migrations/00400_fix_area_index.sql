-- +goose Up
-- Fixes by place and time through their res-9 area key (store.AreaKeySQL)
-- instead of their own cell: inserts append to each area's entries rather
-- than landing on random pages of a large index (see store/area.go).
DROP INDEX IF EXISTS fixes_cell_time;
CREATE INDEX fixes_area_time ON fixes (((cell >> 18) & 17179869183), fix_time);

-- +goose Down
DROP INDEX fixes_area_time;
CREATE INDEX fixes_cell_time ON fixes (cell, fix_time);
