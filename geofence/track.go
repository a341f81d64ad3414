package geofence

import (
	"slices"
	"sort"
	"time"
)

// obs flags.
const (
	flagMock    = 1 << iota // the phone said the location was mocked
	flagClock               // fix time ahead of the receive time
	flagVague               // accuracy worse than the limit: counts neither way
	flagCarried             // from a device the collector carries (Point.Carried)
)

// obs is what the engine keeps of one fix.
type obs struct {
	t         int64 // fix time, Unix ns
	id        int64
	dev       int64
	collector int64
	lat, lon  float64
	acc       float32
	flags     uint8
	cell      uint64 // Fix.Cell, for looking the zones up again
	hits      []Hit
}

// before orders fixes by time, then device, then id: a total order that
// does not depend on arrival.
func (o *obs) before(p *obs) bool {
	if o.t != p.t {
		return o.t < p.t
	}
	if o.dev != p.dev {
		return o.dev < p.dev
	}
	return o.id < p.id
}

// tracker holds one collector's recent fixes in fix-time order and the
// visit state derived from them.
//
// base is a snapshot of the state machines after every fix older than
// fixes[0]; cur is the state after the first stepped fixes. Every
// checkpointEvery fixes a copy of cur is kept, so a late fix replays only
// from the checkpoint before it, not from base.
type tracker struct {
	e         *Engine
	collector int64
	fixes     []obs
	floor     int64 // fixes before this time were folded into base
	newest    int64 // newest fix time not ahead of its receive time
	base      state
	cur       state
	stepped   int          // fixes stepped into cur
	cps       []checkpoint // by n, ascending
	closed    []Visit      // visits closed while stepping fixes, oldest first
	reported  []Visit      // visits as last emitted, not yet final
}

// checkpointEvery is how many fixes apart replay checkpoints are.
const checkpointEvery = 128

// checkpoint is cur after its first n fixes, when closed had closedN visits.
type checkpoint struct {
	n, closedN int
	st         state
}

func newTracker(e *Engine, c int64) *tracker {
	return &tracker{e: e, collector: c, floor: -1 << 63, newest: -1 << 63}
}

// state is the set of zone state machines plus what spoofing checks need
// from the previous fix of each device, and the latest usable fix of a
// carried device.
type state struct {
	stays []*stay // non-idle zones, sorted by zone id
	last  []devFix
	phone carriedFix
}

// carriedFix is where a carried device last put the collector: its time
// and its zone hits (shared with the fix kept in tracker.fixes).
type carriedFix struct {
	t    int64
	hits []Hit
	set  bool
}

type devFix struct {
	dev      int64
	t        int64
	lat, lon float64
	acc      float32
}

func (s *state) clone() state {
	c := state{stays: make([]*stay, len(s.stays)), last: slices.Clone(s.last)}
	for i, st := range s.stays {
		c.stays[i] = st.clone()
	}
	return c
}

func (t *tracker) process(batch []obs) {
	e := t.e
	sort.Slice(batch, func(i, j int) bool { return batch[i].before(&batch[j]) })
	from := len(t.fixes) // first fix whose successors must be stepped again
	fresh := batch[:0]
	for i := range batch {
		o := &batch[i]
		switch {
		case o.t < t.floor:
			e.stats.late.Add(1)
			continue
		case len(fresh) > 0 && fresh[len(fresh)-1].t == o.t && fresh[len(fresh)-1].dev == o.dev:
			e.stats.dups.Add(1) // sorted by id: the first stored copy is kept
			continue
		}
		if pos, dup := t.find(o); dup {
			e.stats.dups.Add(1)
			if o.id < t.fixes[pos].id {
				t.fixes[pos].id = o.id // keep the first stored copy
				from = min(from, pos)
			}
			continue
		}
		if o.flags&flagClock == 0 {
			t.newest = max(t.newest, o.t)
		}
		fresh = append(fresh, *o)
	}
	if len(fresh) == 0 && from == len(t.fixes) {
		return
	}
	e.stats.fixes.Add(int64(len(fresh)))
	from = min(from, t.insert(fresh))
	replayed, closed := from < t.stepped, len(t.closed)
	t.recompute(from)
	if replayed || len(t.closed) != closed || !t.openReported() {
		t.report()
	}
	t.trim()
}

// rezone looks the zones up again for every fix held, and recomputes and
// reports from the first fix whose zones changed. Fixes already folded
// into base keep the zones they had.
func (t *tracker) rezone() {
	from := len(t.fixes)
	for i := range t.fixes {
		o := &t.fixes[i]
		if o.flags&flagVague != 0 {
			continue
		}
		hits := t.e.ix.Lookup(nil, o.lat, o.lon, float64(o.acc), o.cell)
		if !sameHits(hits, o.hits) {
			o.hits = hits
			from = min(from, i)
		}
	}
	if from == len(t.fixes) {
		return
	}
	t.recompute(from)
	t.report()
	t.trim()
}

// sameHits reports whether two lookups found the same zones, classed the
// same.
func sameHits(a, b []Hit) bool {
	return slices.EqualFunc(a, b, func(x, y Hit) bool {
		return x.Zone == y.Zone && x.Class == y.Class && x.r == y.r
	})
}

// openReported reports whether every confirmed open stay was reported
// already, so that fixes stepped in order changed nothing worth an event.
// The evidence of open visits in reported is refreshed with the next event.
func (t *tracker) openReported() bool {
	for _, st := range t.cur.stays {
		if !st.present {
			continue
		}
		known := false
		for i := range t.reported {
			r := &t.reported[i]
			if r.Zone == st.r.id && r.Open() && r.ArrivedAt.UnixNano() == st.firstT {
				known = true
				break
			}
		}
		if !known {
			return false
		}
	}
	return true
}

// insert adds sorted fresh fixes and returns the index of the first.
func (t *tracker) insert(fresh []obs) int {
	if len(fresh) == 0 {
		return len(t.fixes)
	}
	first, _ := t.find(&fresh[0])
	switch {
	case first == len(t.fixes):
		t.fixes = append(t.fixes, fresh...)
	case len(fresh) <= 8:
		for i := range fresh {
			pos, _ := t.find(&fresh[i])
			t.fixes = slices.Insert(t.fixes, pos, fresh[i])
		}
	default:
		t.fixes = mergeObs(t.fixes, fresh)
	}
	return first
}

// recompute brings cur up to date when fixes from index from on changed.
func (t *tracker) recompute(from int) {
	if from < t.stepped {
		t.e.stats.replays.Add(1)
		k := sort.Search(len(t.cps), func(i int) bool { return t.cps[i].n > from })
		t.cps = t.cps[:k]
		if k == 0 {
			t.cur, t.stepped = t.base.clone(), 0
			t.closed = t.closed[:0]
		} else {
			cp := &t.cps[k-1]
			t.cur, t.stepped = cp.st.clone(), cp.n
			t.closed = t.closed[:cp.closedN]
		}
	}
	for ; t.stepped < len(t.fixes); t.stepped++ {
		t.step(&t.cur, &t.fixes[t.stepped], &t.closed)
		if n := t.stepped + 1; n%checkpointEvery == 0 {
			t.cps = append(t.cps, checkpoint{n: n, closedN: len(t.closed), st: t.cur.clone()})
		}
	}
}

// find returns where o belongs in fixes and whether a fix of the same
// device and time is already there.
func (t *tracker) find(o *obs) (int, bool) {
	pos := sort.Search(len(t.fixes), func(i int) bool { return !t.fixes[i].before(o) })
	for i := pos; i < len(t.fixes) && t.fixes[i].t == o.t; i++ {
		if t.fixes[i].dev == o.dev {
			return i, true
		}
	}
	for i := pos - 1; i >= 0 && t.fixes[i].t == o.t; i-- {
		if t.fixes[i].dev == o.dev {
			return i, true
		}
	}
	return pos, false
}

// trim folds fixes that left the window into base. Visits that closed
// while stepping them are final and no longer tracked.
func (t *tracker) trim() {
	cfg := &t.e.cfg
	// Trim in steps of a sixteenth of the limits, not one fix at a time.
	cut := t.newest - int64(cfg.Window)
	extra := len(t.fixes) - cfg.MaxFixes
	if len(t.fixes) == 0 || (t.fixes[0].t >= cut-int64(cfg.Window/16) && extra < cfg.MaxFixes/16) {
		return
	}
	n := 0
	for n < len(t.fixes) && (t.fixes[n].t < cut || n < extra) {
		n++
	}
	if n == 0 {
		return
	}
	var final []Visit
	for i := range n {
		t.step(&t.base, &t.fixes[i], &final)
	}
	t.floor = t.fixes[n-1].t
	t.fixes = slices.Delete(t.fixes, 0, n)
	// The same fixes closed the same visits, first, in t.closed.
	k := min(len(final), len(t.closed))
	for _, v := range t.closed[:k] {
		t.reported = slices.DeleteFunc(t.reported, func(r Visit) bool { return r.ID == v.ID })
	}
	t.closed = slices.Delete(t.closed, 0, k)
	t.stepped -= n
	cps := t.cps[:0]
	for _, cp := range t.cps {
		if cp.n > n {
			cp.n -= n
			cp.closedN -= k
			cps = append(cps, cp)
		}
	}
	clear(t.cps[len(cps):])
	t.cps = cps
}

// step feeds one fix to every zone state machine in s, appending visits
// that close to closed.
func (t *tracker) step(s *state, o *obs, closed *[]Visit) {
	jump := s.noteDevice(o, t.e.cfg.MaxSpeed)
	usable := o.flags&flagVague == 0
	if usable && o.flags&flagCarried != 0 {
		s.phone = carriedFix{t: o.t, hits: o.hits, set: true}
	}
	lost := int64(t.e.cfg.LostConfirm)
	if usable {
		for _, h := range o.hits {
			if h.Class == Inside && s.find(h.Zone) < 0 && !s.leftBehind(o, h.Zone, lost) {
				s.open(h.r, o)
			}
		}
	}
	kept := s.stays[:0]
	for _, st := range s.stays {
		st.sig.note(o, jump)
		cl := classOf(o.hits, st.r.id)
		if cl != Outside && s.leftBehind(o, st.r.id, lost) {
			// A vehicle's fix near the zone while the phone is away from
			// it: no evidence either way.
			kept = append(kept, st)
			continue
		}
		if usable && st.step(o, cl, &t.e.cfg) {
			if st.present {
				*closed = append(*closed, st.visit(t, true))
			}
			continue
		}
		kept = append(kept, st)
	}
	clear(s.stays[len(kept):])
	s.stays = kept
}

func classOf(hits []Hit, zone int64) Class {
	for _, h := range hits {
		if h.Zone == zone {
			return h.Class
		}
	}
	return Outside
}

// leftBehind reports whether o comes from a device the collector does not
// carry while a carried device reported, within the last window, from
// outside the zone's exit boundary: a car parked at a debtor's address
// while its driver is elsewhere.
func (s *state) leftBehind(o *obs, zone int64, window int64) bool {
	return o.flags&flagCarried == 0 && s.phone.set && o.t-s.phone.t <= window &&
		classOf(s.phone.hits, zone) == Outside
}

func (s *state) find(zone int64) int {
	for i, st := range s.stays {
		if st.r.id == zone {
			return i
		}
	}
	return -1
}

func (s *state) open(r *region, o *obs) {
	st := &stay{r: r, firstT: o.t, firstID: o.id, lastNear: o.t}
	i := sort.Search(len(s.stays), func(i int) bool { return s.stays[i].r.id > r.id })
	s.stays = slices.Insert(s.stays, i, st)
}

// noteDevice records o as its device's latest fix and reports whether
// reaching it from the previous one needed an impossible speed.
func (s *state) noteDevice(o *obs, maxKmh float64) bool {
	for i := range s.last {
		p := &s.last[i]
		if p.dev != o.dev {
			continue
		}
		jump := false
		if dt := float64(o.t-p.t) / 1e9; dt > 0 {
			d := haversine(p.lat, p.lon, o.lat, o.lon)
			slack := 100 + 2*float64(p.acc+o.acc)
			jump = d > slack && (d-slack)/dt*3.6 > maxKmh
		}
		*p = devFix{dev: o.dev, t: o.t, lat: o.lat, lon: o.lon, acc: o.acc}
		return jump
	}
	s.last = append(s.last, devFix{dev: o.dev, t: o.t, lat: o.lat, lon: o.lon, acc: o.acc})
	return false
}

// stay is the state machine of one collector in one zone, from the first
// fix inside until the departure is confirmed.
type stay struct {
	r        *region
	present  bool // arrival confirmed
	firstT   int64
	firstID  int64
	lastIn   int64 // last fix inside the entry boundary
	lastNear int64 // last fix not outside the exit boundary
	inCount  int
	outOwn   int   // fixes outside from devices that were inside, since lastNear
	outAny   int   // fixes outside from any device, since lastNear
	ownLast  int64 // last of the outOwn fixes
	ownOut   int64 // time outside measured by the outOwn fixes, ns
	anySince int64 // first of the outAny fixes
	devices  []int64
	ids      []int64
	accs     []float32
	sig      signals
}

func (st *stay) clone() *stay {
	c := *st
	c.devices = slices.Clone(st.devices)
	c.ids = slices.Clone(st.ids)
	c.accs = slices.Clone(st.accs)
	return &c
}

// step applies one fix classified cl and reports whether the stay ended.
func (st *stay) step(o *obs, cl Class, cfg *Config) bool {
	switch cl {
	case Inside:
		st.lastIn, st.lastNear = o.t, o.t
		st.outOwn, st.outAny, st.ownOut = 0, 0, 0
		st.inCount++
		if len(st.ids) < cfg.MaxProofFixes {
			st.ids = append(st.ids, o.id)
			st.accs = append(st.accs, o.acc)
		}
		if !slices.Contains(st.devices, o.dev) {
			i, _ := slices.BinarySearch(st.devices, o.dev)
			st.devices = slices.Insert(st.devices, i, o.dev)
		}
		st.sig.noteInside(o)
		dwell := st.r.minDwell
		if dwell <= 0 {
			dwell = cfg.MinDwell
		}
		if !st.present && o.t-st.firstT >= int64(dwell) && st.inCount >= cfg.MinFixes {
			st.present = true
		}
	case Between:
		st.lastNear = o.t
		st.outOwn, st.outAny, st.ownOut = 0, 0, 0
	case Outside:
		// The time outside counts from the first fix outside, not from the
		// last one inside, so a gap in the data followed by a brief jump
		// outside does not end the stay.
		if st.outAny == 0 {
			st.anySince = o.t
		}
		st.outAny++
		if slices.Contains(st.devices, o.dev) {
			// Only the inside devices' own fixes measure the time out, and
			// a gap between two of them counts for at most a third of
			// ExitConfirm: missing data is not evidence of absence.
			if st.outOwn > 0 {
				st.ownOut += min(o.t-st.ownLast, int64(cfg.ExitConfirm/3))
			}
			st.outOwn++
			st.ownLast = o.t
			if st.outOwn >= cfg.ExitFixes && time.Duration(st.ownOut) >= cfg.ExitConfirm {
				return true
			}
		}
		// Fixes of the collector's other devices: a stay not confirmed yet
		// (a drive-by) ends on them as fast as on its own devices', a
		// visit only after LostConfirm.
		all := time.Duration(o.t - st.anySince)
		if !st.present {
			return st.outAny >= cfg.ExitFixes && all >= cfg.ExitConfirm
		}
		return st.outAny >= cfg.ExitFixes && all >= cfg.LostConfirm
	}
	return false
}

// visit builds the Visit the stay proves so far.
func (st *stay) visit(t *tracker, departed bool) Visit {
	v := Visit{
		Collector: t.collector,
		Devices:   slices.Clone(st.devices),
		Zone:      st.r.id,
		Debtor:    st.r.debtor,
		Address:   st.r.address,
		ArrivedAt: time.Unix(0, st.firstT).UTC(),
		Dwell:     time.Duration(st.lastIn - st.firstT).Seconds(),
		FixIDs:    slices.Clone(st.ids),
		FixCount:  st.inCount,
		Status:    StatusOpen,
	}
	v.MedianAccuracy = median(st.accs)
	v.SpoofScore, v.SpoofReasons = st.sig.score(st.inCount)
	if departed {
		d := time.Unix(0, st.lastIn).UTC()
		v.DepartedAt = &d
		v.Status = StatusConfirmed
	}
	return v
}

func median(a []float32) float64 {
	if len(a) == 0 {
		return 0
	}
	s := slices.Clone(a)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return float64(s[m])
	}
	return (float64(s[m-1]) + float64(s[m])) / 2
}

// mergeObs merges two sorted runs of fixes.
func mergeObs(a, b []obs) []obs {
	out := make([]obs, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if b[j].before(&a[i]) {
			out = append(out, b[j])
			j++
		} else {
			out = append(out, a[i])
			i++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}
