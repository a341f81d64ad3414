package sqlite

import (
	"context"
	"encoding/json"
	"fmt"

	"dozor/store"
)

// selectArea joins the query's terms, passed as one JSON array, to fixes
// through the area index. CROSS JOIN keeps the terms as the outer loop, so
// each term is one range of the index.
const selectArea = `WITH q (lo, hi, shift, mask, val) AS (
		SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4
		FROM json_each(?))
	SELECT id, device_id, fix_time, recv_time, lat, lon, altitude, speed,
		course, satellites, hdop, accuracy, valid, protocol, cell, attrs
	FROM q CROSS JOIN fixes
	WHERE ` + store.AreaKeySQL + ` BETWEEN q.lo AND q.hi AND (cell >> q.shift) & q.mask = q.val
	AND fix_time >= ? AND fix_time < ? AND cell <> 0
	AND (? IS NULL OR device_id IN (SELECT value FROM json_each(?)))
	ORDER BY fix_time, id LIMIT ?`

// InArea implements store.Fixes.
func (f *fixes) InArea(ctx context.Context, q store.AreaQuery) ([]store.FixRecord, error) {
	terms, err := store.AreaTerms(q.Cells)
	if err != nil {
		return nil, fmt.Errorf("sqlite: fixes in area: %w", err)
	}
	if len(terms) == 0 || (q.Devices != nil && len(q.Devices) == 0) {
		return nil, nil
	}
	limit := q.Limit
	if limit <= 0 || limit > store.MaxTrackLimit {
		limit = store.MaxTrackLimit
	}
	from, to := int64(-1<<62), int64(1<<62)
	if !q.From.IsZero() {
		from = q.From.UnixMilli()
	}
	if !q.To.IsZero() {
		to = q.To.UnixMilli()
	}

	rows, err := f.s.r.QueryContext(ctx, selectArea, termsJSON(terms), from, to,
		devicesJSON(q.Devices), devicesJSON(q.Devices), limit)
	if err != nil {
		return nil, wrap("fixes in area", err)
	}
	defer rows.Close()

	var out []store.FixRecord
	for rows.Next() {
		r, err := scanFix(rows.Scan)
		if err != nil {
			return nil, wrap("fixes in area", err)
		}
		out = append(out, r)
	}
	return out, wrap("fixes in area", rows.Err())
}

func termsJSON(terms []store.AreaTerm) string {
	rows := make([][5]int64, len(terms))
	for i, t := range terms {
		rows[i] = [5]int64{t.Lo, t.Hi, t.Shift, t.Mask, t.Value}
	}
	b, _ := json.Marshal(rows) // integers only: cannot fail
	return string(b)
}

// devicesJSON is the device filter as a JSON array, or nil for none.
func devicesJSON(ids []int64) any {
	if ids == nil {
		return nil
	}
	b, _ := json.Marshal(ids) // integers only: cannot fail
	return string(b)
}
