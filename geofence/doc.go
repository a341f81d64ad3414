// Package geofence proves debtor visits: it indexes the zones around
// debtors' addresses in H3 and runs the visit engine that turns each
// collector's fixes into arrivals, departures and corrections.
//
// # Zones and the index
//
// A Zone is a circle (centre, entry radius, wider exit radius) or a
// GeoJSON polygon (the entry boundary; the exit boundary is everything
// within ExitMargin metres of it). Index covers each zone with the k=1 H3
// disk (7 cells) around its centre at the finest resolution whose cells
// are wide enough for its exit boundary, chosen per zone, so 100 m zones
// sit at resolution 9 and 30 km ones at 3; zones wider than 50 km are
// checked for every fix. A lookup derives the fix's parent cell at each
// resolution in use from Fix.Cell (resolution 12, computed once at ingest)
// with cell.Parent, reads the candidates from a sharded open-addressing
// table without locks (each shard is a seqlock), and tests them exactly:
// haversine for circles, a ray cast and edge distances in local metres
// for polygons, with bounds precomputed. Zones may be added and removed
// while lookups run. ParseZonesGeoJSON and ParseZonesCSV validate imports
// row by row the same way Index.Add does.
//
// # The visit engine
//
// Engine takes Points (store fix id, collector, device, *protocols.Fix)
// in any order and keeps, per collector, the recent fixes of all their
// devices sorted by fix time. Each fix is classified once per nearby zone:
// Inside when its accuracy circle is mostly (about 3/4) inside the entry
// boundary, Outside when mostly outside the exit boundary, Between
// otherwise; a fix less accurate than Config.MaxAccuracy counts neither
// way. Per zone, a stay starts at the first Inside fix and becomes a visit
// (visit.arrived) once an Inside fix comes MinDwell after it. It ends
// (visit.departed) when the devices that were inside report ExitFixes fixes
// outside covering ExitConfirm, with nothing inside or between meanwhile;
// a gap between two of those fixes counts for at most ExitConfirm/3, so
// gaps in the data never end a visit by themselves and a multipath jump
// must last ExitConfirm to split one. The departure time is the last
// Inside fix. Fixes of the collector's other devices (a car parked down
// the street) end an unconfirmed stay (a drive-by) after ExitConfirm but a
// visit only after LostConfirm.
//
// A fix that sorts after the collector's last one steps the state machines
// forward. Any other fix (late, out of order, a replaced duplicate) is
// merged in place and the fixes after it are replayed from the checkpoint
// just before it (one every 128 fixes). The visits the fixes prove are then
// compared with those already reported, and every difference is emitted:
// new visits, departures, and visit.corrected events that carry the
// previous version and the changed fields (a cancelled visit has status
// cancelled). Visits therefore depend only on the set of fixes, not on
// their arrival order, as long as no fix is older than the window.
//
// # Bounds
//
// Per collector the engine keeps at most Config.MaxFixes fixes (default
// 20 000, about 100 bytes each plus zone hits) and none older than
// Config.Window (default 12 h) before the newest fix; fix times more than
// MaxClockAhead after their receive time do not move the window. Older
// fixes are folded into a snapshot of the state machines and dropped; the
// visits they closed are final. A fix older than that snapshot is counted
// in Stats.TooLate and ignored. Visit.FixIDs keeps the first MaxProofFixes
// ids of a visit; FixCount counts them all.
//
// # Spoofing
//
// Each visit carries a score in [0, 1] combining independent signals,
// with the reasons: the phone's mock-location flag, a jump between two
// fixes of one device faster than MaxSpeed, inside fixes with identical
// coordinates (real receivers wander), and fix times ahead of the server
// clock.
//
// # Phones and cars
//
// A collector's phone goes where the collector goes; a car tracker stays
// with the car. A fix from a device not carried (Point.Carried) counts
// neither way for a zone while a carried device reported from outside
// that zone's exit boundary within LostConfirm: a car parked at one
// address does not keep that visit open, or open one, while the phone is
// at another. Without a recent phone fix the car's fixes count as before.
//
// Zones added, changed or removed while fixes flow count for the fixes the
// engine still holds once Engine.Rezone runs (the visits service calls it
// after every batch of zone changes); fixes older than the window keep
// the zones they had.
package geofence
