package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgtype"

	"dozor/store"
)

// selectArea joins the query's terms to fixes through the area index: one
// index range per term, the exact cell test on the candidates.
const selectArea = selectFix + `
	JOIN unnest($1::bigint[], $2::bigint[], $3::int[], $4::bigint[], $5::bigint[])
		AS q (lo, hi, shift, mask, val)
	ON ` + store.AreaKeySQL + ` BETWEEN q.lo AND q.hi AND (cell >> q.shift) & q.mask = q.val
	WHERE fix_time >= $6 AND fix_time < $7 AND cell <> 0
	AND (NOT $8::boolean OR device_id = ANY ($9::bigint[]))
	ORDER BY fix_time, id LIMIT $10`

// InArea implements store.Fixes.
func (f *fixes) InArea(ctx context.Context, q store.AreaQuery) ([]store.FixRecord, error) {
	terms, limit, err := q.Prepare()
	if err != nil {
		return nil, fmt.Errorf("postgres: fixes in area: %w", err)
	}
	if terms == nil {
		return nil, nil
	}

	cols := make([][]int64, 5)
	for _, t := range terms {
		for i, v := range [5]int64{t.Lo, t.Hi, t.Shift, t.Mask, t.Value} {
			cols[i] = append(cols[i], v)
		}
	}
	rows, err := f.s.pool.Query(ctx, selectArea, cols[0], cols[1], cols[2], cols[3], cols[4],
		bound(q.From, pgtype.NegativeInfinity), bound(q.To, pgtype.Infinity),
		q.Devices != nil, append([]int64{}, q.Devices...), limit)
	if err != nil {
		return nil, f.s.wrap("fixes in area", err)
	}
	defer rows.Close()

	var out []store.FixRecord
	for rows.Next() {
		r, err := scanFix(rows)
		if err != nil {
			return nil, f.s.wrap("fixes in area", err)
		}
		out = append(out, r)
	}
	return out, f.s.wrap("fixes in area", rows.Err())
}
