// Package wire has the small byte-level tools every binary protocol needs: a
// sticky-error reader over a frame and the checksums the protocols define.
// It allocates nothing.
package wire
