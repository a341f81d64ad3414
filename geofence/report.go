package geofence

import "slices"

// report compares the visits the fixes prove now with those reported
// before and emits what changed. Visits closed while stepping fixes come
// first, then open ones; a visit matches a reported one of the same zone
// with the same arrival, or failing that one whose time span overlaps.
func (t *tracker) report() {
	cur := slices.Clone(t.closed)
	for _, st := range t.cur.stays {
		if st.present {
			cur = append(cur, st.visit(t, false))
		}
	}
	match, used := t.match(cur)
	next := make([]Visit, 0, len(cur))
	for i := range cur {
		v := cur[i]
		if match[i] < 0 {
			t.emitNew(&v)
		} else {
			t.emitChange(&v, &t.reported[match[i]])
		}
		if i < len(t.closed) {
			t.closed[i].ID, t.closed[i].Status = v.ID, v.Status
		}
		next = append(next, v)
	}
	for j := range t.reported {
		if !used[j] {
			prev := t.reported[j]
			v := prev
			v.Status = StatusCancelled
			t.e.em.Emit(Event{Type: EventCorrected, Visit: v, Previous: &prev,
				Changes: []string{"cancelled"}})
		}
	}
	t.reported = next
}

func (t *tracker) match(cur []Visit) ([]int, []bool) {
	match := make([]int, len(cur))
	used := make([]bool, len(t.reported))
	for i := range match {
		match[i] = -1
	}
	pass := func(ok func(v, r *Visit) bool) {
		for i := range cur {
			if match[i] >= 0 {
				continue
			}
			for j := range t.reported {
				if !used[j] && cur[i].Zone == t.reported[j].Zone && ok(&cur[i], &t.reported[j]) {
					match[i], used[j] = j, true
					break
				}
			}
		}
	}
	pass(func(v, r *Visit) bool { return v.ArrivedAt.Equal(r.ArrivedAt) })
	pass(overlaps)
	return match, used
}

func overlaps(v, r *Visit) bool {
	endsAfter := func(a, b *Visit) bool { // a ends at or after b starts
		return a.DepartedAt == nil || !a.DepartedAt.Before(b.ArrivedAt)
	}
	return endsAfter(v, r) && endsAfter(r, v)
}

func (t *tracker) emitNew(v *Visit) {
	v.ID = t.e.nextID.Add(1)
	arrived := *v
	arrived.DepartedAt, arrived.Status = nil, StatusOpen
	arrived.Dwell = 0
	t.e.em.Emit(Event{Type: EventArrived, Visit: arrived})
	if !v.Open() {
		t.e.em.Emit(Event{Type: EventDeparted, Visit: *v})
	}
}

func (t *tracker) emitChange(v, r *Visit) {
	v.ID = r.ID
	ch := diffVisits(*r, *v)
	corrected := r.Status == StatusCorrected
	switch {
	case len(ch) == 0 || (r.Open() && v.Open() && !slices.Contains(ch, "arrived_at")):
		// Unchanged, or an open visit gathering evidence: nothing to say.
		v.Status = r.Status
	case r.Open() && !v.Open() && !slices.Contains(ch, "arrived_at"):
		v.Status = StatusConfirmed
		if corrected {
			v.Status = StatusCorrected
		}
		t.e.em.Emit(Event{Type: EventDeparted, Visit: *v})
	default:
		v.Status = StatusCorrected
		prev := *r
		t.e.em.Emit(Event{Type: EventCorrected, Visit: *v, Previous: &prev, Changes: ch})
	}
}
