-- +goose Up
-- Fixes by place and time through their res-9 area key (store.AreaKeySQL);
-- see store/area.go.
CREATE INDEX fixes_area_time ON fixes (((cell >> 18) & 17179869183), fix_time);

-- +goose Down
DROP INDEX fixes_area_time;
