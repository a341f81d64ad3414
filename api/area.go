package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"dozor/geofence/cell"
	"dozor/store"
)

// maxAreaSpan bounds the time range of one area query: a month of a
// city's fixes is already more than anyone reads through an API.
const maxAreaSpan = 31 * 24 * time.Hour

// areaTimeout bounds the work of one area query; the embedded store reads
// every fix of the range, so a month there can take minutes.
const areaTimeout = 30 * time.Second

func (s *Server) areaRoutes() []route {
	staff := []Role{RoleAdmin, RoleSupervisor, RoleAuditor}
	return []route{{"GET /api/v1/fixes", staff, s.areaFixes}}
}

// areaFixes answers who was in a place over a time range: the fixes in
// cells= (H3 cells of any resolution, hexadecimal, comma-separated) between
// from= and to=, in fix-time order, at most limit=. A supervisor sees only
// the devices of their teams.
func (s *Server) areaFixes(w http.ResponseWriter, r *http.Request) {
	q, err := parseAreaQuery(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if q.Devices, err = s.areaDevices(r); err != nil {
		s.storeError(w, "devices", err)
		return
	}

	ctx, cancel := context.WithTimeout(r.Context(), areaTimeout)
	defer cancel()
	recs, err := s.cfg.Store.Fixes().InArea(ctx, q)
	switch {
	case errors.Is(err, store.ErrBadCell):
		writeError(w, http.StatusBadRequest, err.Error())
		return
	case err != nil && ctx.Err() != nil && r.Context().Err() == nil:
		writeError(w, http.StatusServiceUnavailable, fmt.Sprintf(
			"the query ran over %v; ask for a shorter time range", areaTimeout))
		return
	}
	if err != nil {
		s.storeError(w, "fixes", err)
		return
	}
	writeFixes(w, recs)
}

func parseAreaQuery(r *http.Request) (store.AreaQuery, error) {
	var (
		q   store.AreaQuery
		err error
	)
	if q.Cells, err = parseAreaCells(r.URL.Query().Get("cells")); err != nil {
		return q, err
	}
	if q.From, err = queryTime(r, "from"); err != nil {
		return q, err
	}
	if q.To, err = queryTime(r, "to"); err != nil {
		return q, err
	}
	switch {
	case q.From.IsZero() || q.To.IsZero():
		return q, errors.New("from and to are required")
	case !q.From.Before(q.To):
		return q, errors.New("from must be before to")
	case q.To.Sub(q.From) > maxAreaSpan:
		return q, fmt.Errorf("from-to spans more than %v", maxAreaSpan)
	}
	q.Limit, err = queryInt(r, "limit", store.MaxTrackLimit, store.MaxTrackLimit)
	return q, err
}

func parseAreaCells(s string) ([]uint64, error) {
	if s == "" {
		return nil, errors.New("cells: want H3 cells in hexadecimal, comma-separated")
	}
	if n := strings.Count(s, ",") + 1; n > store.MaxAreaCells {
		return nil, fmt.Errorf("cells: %d, at most %d", n, store.MaxAreaCells)
	}
	var out []uint64
	for p := range strings.SplitSeq(s, ",") {
		c, err := cell.Parse(strings.TrimSpace(p))
		if err != nil {
			return nil, fmt.Errorf("cells: %q is not an H3 cell", clip(p))
		}
		out = append(out, c)
	}
	return out, nil
}

// areaDevices is the device filter of the caller: nil for roles that see
// every team, else the ids of the devices they may see.
func (s *Server) areaDevices(r *http.Request) ([]int64, error) {
	p, ok := PrincipalFrom(r.Context())
	if !ok || p.SeesAllTeams() {
		return nil, nil
	}
	ids := []int64{}
	for after := ""; ; {
		page, err := s.cfg.Store.Devices().List(r.Context(), after, maxDevicePage)
		if err != nil || len(page) == 0 {
			return ids, err
		}
		after = page[len(page)-1].UID
		vis, err := s.visibleDevices(r, page)
		if err != nil {
			return nil, err
		}
		for _, d := range vis {
			ids = append(ids, d.ID)
		}
	}
}
