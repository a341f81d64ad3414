// Package protocols holds what every device protocol shares: the Fix a
// decoder produces, the typed attributes it carries, the Session contract a
// protocol package implements for one connection, and the registry that maps
// a protocol name to its constructor and default port.
//
// Protocol packages (protocols/teltonika, protocols/osmand, ...) do no I/O,
// never log and know nothing about storage: they frame bytes, decode them into
// caller-owned values and append replies. The ingest package owns sockets,
// device identity, durability and the moment a reply is sent.
package protocols
