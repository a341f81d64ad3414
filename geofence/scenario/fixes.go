package scenario

import (
	"math"
	"time"

	"dozor/protocols"
)

// receiver is one device's GPS error process: noise correlated in time,
// occasional multipath jumps, and the upload behaviour.
type receiver struct {
	g        *gen
	dev      Device
	nx, ny   float64 // current correlated error, metres
	jump     vec     // multipath offset while jumpLeft > 0
	jumpLeft int
	offline  [2]float64 // fixes in this span are uploaded at its end
	gaps     [][2]float64
}

// fixes samples the device along its path from the start to the end of
// the day.
func (g *gen) fixes(dev Device, p *path, spoofer bool) {
	r := &receiver{g: g, dev: dev}
	start, end := p.segs[0].t0, p.segs[len(p.segs)-1].t1
	interval := 10.0
	if dev.Kind == Phone {
		interval = []float64{5, 10, 10, 15, 30}[g.rng.IntN(5)]
		for range 2 + g.rng.IntN(3) {
			a := g.between(start, end)
			r.gaps = append(r.gaps, [2]float64{a, a + g.between(60, 300)})
		}
		if g.rng.Float64() < 0.3 {
			a := g.between(start, end-3600)
			r.offline = [2]float64{a, a + g.between(3600, 3*3600)}
		}
	} else if g.rng.Float64() < 0.25 {
		a := g.between(start, end-3600)
		r.offline = [2]float64{a, a + g.between(1200, 5400)}
	}
	for t := start; t < end; {
		pos, s := p.at(t)
		step := interval
		if dev.Kind == Car && s.mode == still {
			step = 300 // parked: the tracker reports every five minutes
		}
		if !r.inGap(t) {
			r.emit(t, pos, s, step, spoofer)
		}
		t += step + g.rng.Float64()*0.9
	}
}

func (r *receiver) inGap(t float64) bool {
	for _, gp := range r.gaps {
		if t >= gp[0] && t < gp[1] {
			return true
		}
	}
	return false
}

func (r *receiver) emit(t float64, truth vec, s *seg, step float64, spoofer bool) {
	g := r.g
	sigma := map[uint8]float64{still: 5, walking: 6, driving: 4}[s.mode]
	if s.indoor {
		sigma = 12
	}
	if r.dev.Kind == Car {
		sigma = 2.5
	}
	acc := sigma * 1.5 * math.Exp(g.rng.NormFloat64()*0.25)
	rho := math.Exp(-step / 30)
	k := math.Sqrt(1 - rho*rho)
	r.nx = rho*r.nx + k*sigma*g.rng.NormFloat64()
	r.ny = rho*r.ny + k*sigma*g.rng.NormFloat64()
	pos := truth.add(vec{r.nx, r.ny})

	switch {
	case r.jumpLeft > 0:
		r.jumpLeft--
		pos = pos.add(r.jump)
	case g.rng.Float64() < 0.008:
		r.jump, r.jumpLeft = polar(g.between(100, 400), g.angle()), g.rng.IntN(3)
		pos = pos.add(r.jump)
	case r.dev.Kind == Phone && s.indoor && g.rng.Float64() < 0.1:
		// A network location: honest about being vague.
		acc = g.between(100, 400)
		pos = truth.add(polar(acc*g.rng.Float64(), g.angle()))
	}
	mock := spoofer && r.dev.Kind == Phone
	if mock && s.indoor {
		pos, acc = truth, 5 // replayed coordinates, no noise at all
	}
	f := r.fix(t, pos, acc, s.speed()*3.6, mock)
	sent := t + 1 + g.rng.Float64()*3
	if t >= r.offline[0] && t < r.offline[1] {
		sent = r.offline[1] + (t-r.offline[0])/1000
	}
	fx := Fix{Device: r.dev.ID, Collector: r.dev.Collector, Sent: g.at(sent), Fix: f}
	fx.Fix.Received = fx.Sent
	g.sc.Fixes = append(g.sc.Fixes, fx)
	if g.rng.Float64() < 0.01 {
		dup := fx
		dup.Dup = true
		dup.Sent = g.at(sent + g.between(5, 300))
		dup.Fix.Received = dup.Sent
		dup.Fix.Attrs = append(protocols.Attrs(nil), fx.Fix.Attrs...)
		g.sc.Fixes = append(g.sc.Fixes, dup)
	}
}

func (r *receiver) fix(t float64, pos vec, acc, kmh float64, mock bool) protocols.Fix {
	g := r.g
	lat, lon := g.latLon(pos)
	f := protocols.Fix{
		Device: r.dev.Ident, Time: g.at(t), Lat: lat, Lon: lon,
		Speed: math.Round(kmh), Valid: true, Protocol: r.dev.Protocol,
		Satellites: 6 + g.rng.IntN(9),
	}
	if r.dev.Kind == Phone {
		f.Accuracy = math.Round(acc*10) / 10
		f.Attrs = protocols.Attrs{protocols.Bool(protocols.AttrMock, mock)}
	} else {
		f.HDOP = math.Round(acc/5*10) / 10
		f.Attrs = protocols.Attrs{protocols.Bool(protocols.AttrIgnition, kmh > 0)}
	}
	f.Time = f.Time.Truncate(time.Second)
	return f
}
