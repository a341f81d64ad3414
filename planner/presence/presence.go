// Package presence learns the hourly probability that a debtor is at the
// address from past visit outcomes (contact or no contact).
//
// The estimate is hierarchical: a global profile by hour of week, an area
// profile shrunk towards it, and a per-address lift (observed contacts over
// the contacts the area profile expected for that address's attempts) shrunk
// towards 1. Addresses with no history get the area profile; areas with no
// history the global one; with no data at all the prior rate.
package presence

import (
	"time"
)

// HoursPerWeek is the number of hour-of-week buckets.
const HoursPerWeek = 7 * 24

// Defaults of Config.
const (
	DefaultPriorRate     = 0.3 // contact rate assumed before any data
	DefaultGlobalWeight  = 20  // pseudo-attempts of the prior per global bucket
	DefaultAreaWeight    = 10  // pseudo-attempts of the global profile per area bucket
	DefaultAddressWeight = 3   // pseudo-contacts of the area profile per address
	DefaultNeighbour     = 0.5 // weight of the adjacent hours when smoothing
)

// Config tunes the estimator; zero fields take the defaults.
type Config struct {
	PriorRate     float64
	GlobalWeight  float64
	AreaWeight    float64
	AddressWeight float64
	// Neighbour is the weight of hours h-1 and h+1 when counting hour h.
	Neighbour float64
}

func (c Config) withDefaults() Config {
	if c.PriorRate == 0 {
		c.PriorRate = DefaultPriorRate
	}
	if c.GlobalWeight == 0 {
		c.GlobalWeight = DefaultGlobalWeight
	}
	if c.AreaWeight == 0 {
		c.AreaWeight = DefaultAreaWeight
	}
	if c.AddressWeight == 0 {
		c.AddressWeight = DefaultAddressWeight
	}
	if c.Neighbour == 0 {
		c.Neighbour = DefaultNeighbour
	}
	return c
}

// Outcome is one past visit attempt. At must be in the debtor's local time
// zone: the hour of week is read from it.
type Outcome struct {
	Address string
	Area    string
	At      time.Time
	Contact bool
}

// HourOfWeek returns the bucket of t in its own location: Monday 00:00-00:59
// is 0, Sunday 23:00-23:59 is 167.
func HourOfWeek(t time.Time) int {
	day := (int(t.Weekday()) + 6) % 7
	return day*24 + t.Hour()
}

type counts struct{ attempts, contacts [HoursPerWeek]float64 }

func (c *counts) add(h int, contact bool, w float64) {
	c.attempts[h] += w
	if contact {
		c.contacts[h] += w
	}
}

// Model is a fitted presence model. It is immutable and safe for concurrent
// use.
type Model struct {
	global [HoursPerWeek]float64
	areas  map[string]*[HoursPerWeek]float64
	lift   map[string]float64
}

// Fit estimates a model from outcomes.
func Fit(outcomes []Outcome, cfg Config) *Model {
	cfg = cfg.withDefaults()
	var g counts
	areaCounts := make(map[string]*counts)
	for _, o := range outcomes {
		h := HourOfWeek(o.At)
		ac := areaCounts[o.Area]
		if ac == nil {
			ac = &counts{}
			areaCounts[o.Area] = ac
		}
		for d, w := range [3]float64{cfg.Neighbour, 1, cfg.Neighbour} {
			hh := (h + d - 1 + HoursPerWeek) % HoursPerWeek
			g.add(hh, o.Contact, w)
			ac.add(hh, o.Contact, w)
		}
	}
	m := &Model{areas: make(map[string]*[HoursPerWeek]float64), lift: make(map[string]float64)}
	for h := range HoursPerWeek {
		m.global[h] = shrink(g.contacts[h], g.attempts[h], cfg.PriorRate, cfg.GlobalWeight)
	}
	for a, ac := range areaCounts {
		var prof [HoursPerWeek]float64
		for h := range HoursPerWeek {
			prof[h] = shrink(ac.contacts[h], ac.attempts[h], m.global[h], cfg.AreaWeight)
		}
		m.areas[a] = &prof
	}
	m.fitLifts(outcomes, cfg)
	return m
}

// fitLifts computes each address's observed/expected contact ratio, shrunk
// towards 1 by AddressWeight pseudo-contacts.
func (m *Model) fitLifts(outcomes []Outcome, cfg Config) {
	obs := make(map[string]float64)
	exp := make(map[string]float64)
	for _, o := range outcomes {
		if o.Address == "" {
			continue
		}
		exp[o.Address] += m.profile(o.Area)[HourOfWeek(o.At)]
		if o.Contact {
			obs[o.Address]++
		}
	}
	for a, e := range exp {
		m.lift[a] = (obs[a] + cfg.AddressWeight) / (e + cfg.AddressWeight)
	}
}

func shrink(contacts, attempts, prior, weight float64) float64 {
	return (contacts + prior*weight) / (attempts + weight)
}

func (m *Model) profile(area string) *[HoursPerWeek]float64 {
	if p := m.areas[area]; p != nil {
		return p
	}
	return &m.global
}

// Prob returns the probability that the debtor is at address (in area)
// during hour of week h.
func (m *Model) Prob(address, area string, h int) float64 {
	h = ((h % HoursPerWeek) + HoursPerWeek) % HoursPerWeek
	p := m.profile(area)[h]
	if l, ok := m.lift[address]; ok {
		p *= l
	}
	return min(1, max(0, p))
}

// Day returns the 24 hourly probabilities of the given local weekday, ready
// for planner.Visit.Presence when plan time 0 is local midnight.
func (m *Model) Day(address, area string, day time.Weekday) []float64 {
	out := make([]float64, 24)
	base := ((int(day) + 6) % 7) * 24
	for h := range out {
		out[h] = m.Prob(address, area, base+h)
	}
	return out
}
