// Package ingest turns device traffic into durable fixes and replies.
//
// The path of a message: a listener (gnet TCP or UDP, or HTTP) reads bytes;
// the protocol session frames and decodes them into fixes (copied out of the
// read buffer); the connection resolves its device identity through the
// Registry; the fixes go to the Journal as one Submission; the Journal
// commits many submissions in one store transaction (group commit); only
// then is each submission's reply sent, through gnet's asynchronous write,
// and the durable fixes are published on the Bus.
//
// Rules kept here (see DESIGN.md): acknowledge only what is durable; never
// block an event loop (store reads and writes happen on the journal's and the
// registry's goroutines); every queue is bounded, and a connection whose
// submission finds the journal full stops being read until there is room.
package ingest
