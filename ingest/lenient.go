package ingest

import (
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
)

// lenientCollector exports the per-listener counts of frames accepted with a
// wrong checksum (listeners with the lenient option). The sessions count in
// an atomic shared through protocols.Options; this reads them at scrape.
type lenientCollector struct {
	desc *prometheus.Desc
	mu   sync.Mutex
	src  map[string][]*atomic.Uint64 // by protocol
}

func newLenientCollector() *lenientCollector {
	return &lenientCollector{
		desc: prometheus.NewDesc("dozor_ingest_lenient_checksums_total",
			"Frames accepted with a wrong checksum on lenient listeners.",
			[]string{"protocol"}, nil),
		src: map[string][]*atomic.Uint64{},
	}
}

func (c *lenientCollector) watch(proto string, n *atomic.Uint64) {
	c.mu.Lock()
	c.src[proto] = append(c.src[proto], n)
	c.mu.Unlock()
}

// Describe implements prometheus.Collector.
func (c *lenientCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

// Collect implements prometheus.Collector.
func (c *lenientCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for proto, counters := range c.src {
		var sum uint64
		for _, n := range counters {
			sum += n.Load()
		}
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.CounterValue, float64(sum), proto)
	}
}

// lenientOptions returns o with a bad-checksum counter attached and
// watched, when the listener is lenient.
func (m *Metrics) lenientOptions(proto string, o ListenerConfig) ListenerConfig {
	if !o.Options.LenientChecksum || o.Options.BadChecksums != nil {
		return o
	}
	o.Options.BadChecksums = new(atomic.Uint64)
	m.lenient.watch(proto, o.Options.BadChecksums)
	return o
}
