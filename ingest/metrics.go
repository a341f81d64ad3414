package ingest

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the ingest path's Prometheus metrics. Build one with
// NewMetrics and share it between the listeners, the journal and the bus.
// Labels are small sets (protocol, transport, reason); never device ids.
type Metrics struct {
	connections *prometheus.GaugeVec
	frames      *prometheus.CounterVec
	fixes       *prometheus.CounterVec
	errors      *prometheus.CounterVec
	ackSeconds  *prometheus.HistogramVec
	closed      *prometheus.CounterVec
	httpReqs    *prometheus.CounterVec
	lenient     *lenientCollector

	j *journalMetrics
	b *busMetrics
}

type journalMetrics struct {
	queueDepth    prometheus.Gauge
	busy          prometheus.Counter
	batchFixes    prometheus.Histogram
	commitSeconds prometheus.Histogram
	waitSeconds   prometheus.Histogram
	committed     prometheus.Counter
	failedBatches prometheus.Counter
}

type busMetrics struct {
	dropped        *prometheus.CounterVec
	publishSeconds prometheus.Histogram
}

// NewMetrics creates the metrics and registers them with reg (nil: not
// registered, for tests).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		connections: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "dozor_ingest_connections",
			Help: "Open device connections.",
		}, []string{"protocol"}),
		frames: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dozor_ingest_frames_total",
			Help: "Frames (messages) received from devices, decoded or not.",
		}, []string{"protocol", "transport"}),
		fixes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dozor_ingest_fixes_total",
			Help: "Fixes decoded from device messages.",
		}, []string{"protocol"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dozor_ingest_decode_errors_total",
			Help: "Messages refused, by reason (checksum, truncated, too_large, ...).",
		}, []string{"protocol", "reason"}),
		ackSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "dozor_ingest_ack_seconds",
			Help:    "Time from a message decoded to its acknowledgement handed to the socket.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
		}, []string{"protocol"}),
		closed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dozor_ingest_connections_closed_total",
			Help: "Connections closed by the server, by reason.",
		}, []string{"protocol", "reason"}),
		httpReqs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dozor_ingest_http_requests_total",
			Help: "Position requests over HTTP, by protocol and status code.",
		}, []string{"protocol", "code"}),
		lenient: newLenientCollector(),
		j: &journalMetrics{
			queueDepth: prometheus.NewGauge(prometheus.GaugeOpts{
				Name: "dozor_journal_queue_depth",
				Help: "Submissions waiting for the journal.",
			}),
			busy: prometheus.NewCounter(prometheus.CounterOpts{
				Name: "dozor_journal_busy_total",
				Help: "Submissions turned back because the journal queue was full.",
			}),
			batchFixes: prometheus.NewHistogram(prometheus.HistogramOpts{
				Name:    "dozor_journal_batch_fixes",
				Help:    "Fixes per committed batch.",
				Buckets: prometheus.ExponentialBuckets(1, 2, 14),
			}),
			commitSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
				Name:    "dozor_journal_commit_seconds",
				Help:    "Time to commit one batch to the store.",
				Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
			}),
			waitSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
				Name:    "dozor_journal_wait_seconds",
				Help:    "Time the oldest submission of a batch waited before its commit began.",
				Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
			}),
			committed: prometheus.NewCounter(prometheus.CounterOpts{
				Name: "dozor_journal_fixes_committed_total",
				Help: "Fixes in committed batches, duplicates included.",
			}),
			failedBatches: prometheus.NewCounter(prometheus.CounterOpts{
				Name: "dozor_journal_failed_batches_total",
				Help: "Batches whose commit failed; their messages were not acknowledged.",
			}),
		},
		b: &busMetrics{
			dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
				Name: "dozor_bus_dropped_batches_total",
				Help: "Batches dropped for a slow drop-oldest subscriber.",
			}, []string{"subscriber"}),
			publishSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
				Name: "dozor_bus_publish_seconds",
				Help: "Time a journal writer spent handing one batch to the subscribers " +
					"(a blocking subscriber that falls behind shows here).",
				Buckets: prometheus.ExponentialBuckets(0.0001, 2, 14),
			}),
		},
	}
	if reg != nil {
		reg.MustRegister(m.connections, m.frames, m.fixes, m.errors, m.ackSeconds,
			m.closed, m.httpReqs, m.j.queueDepth, m.j.busy, m.j.batchFixes,
			m.j.commitSeconds, m.j.waitSeconds, m.j.committed, m.j.failedBatches,
			m.b.dropped, m.b.publishSeconds, m.lenient)
	}
	return m
}

func (m *Metrics) journal() *journalMetrics { return m.j }

func (m *Metrics) bus() *busMetrics { return m.b }
