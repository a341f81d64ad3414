// Package live is the hub behind the supervisors' live map. It takes the
// durable fixes from the ingest bus and the visit events from the visit
// service, keeps the latest position of every collector (and of every
// device that belongs to nobody) with a short trail, and fans the changes
// out to subscribers over Server-Sent Events.
//
// Design:
//
//   - Every change becomes one Event with a hub-wide sequence number,
//     encoded to its SSE frame once and shared by all subscribers.
//   - Positions and statuses are conflated per subscriber: a subscriber
//     holds at most one pending position and one pending status per
//     collector, so a slow client gets the latest state, never a backlog,
//     and the hub never waits for it. Visit events are not conflated; they
//     wait in a short bounded queue, and a subscriber that lets it overflow
//     is dropped (it reconnects and resumes).
//   - A ring of recent events serves a reconnect with Last-Event-ID; an id
//     older than the ring, or from an earlier run of the server, gets a
//     full snapshot instead.
//   - Each subscriber has a filter: the teams it may see (from its role)
//     and optionally the H3 cells of its map viewport. Positions are
//     tested with cell.Parent of the fix's cell (computed once at ingest),
//     which costs a few nanoseconds. A collector that leaves the viewport
//     gets one last position so the marker does not freeze at the edge.
//     Visit events are filtered by team only: the feed is the team's.
//
// Status (live, stale, offline) follows the age of the latest fix time,
// capped at the time the server received it (a device clock running ahead
// does not keep a collector live).
package live
