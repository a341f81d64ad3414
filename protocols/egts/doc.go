// Package egts implements the server side of EGTS, the Russian transport
// telematics protocol of GOST R 54619 / GOST 33472-2015 as required by
// Приказ Минтранса №285, over TCP (default port 5162).
//
// It implements the transport layer (header with optional routing fields,
// CRC-8 header and CRC-16 data checksums, RESPONSE, APPDATA and
// SIGNED_APPDATA packets), the auth service (EGTS_SR_TERM_IDENTITY, with the
// EGTS_SR_RESULT_CODE answer) and the teledata service (POS_DATA,
// EXT_POS_DATA, AD_SENSORS_DATA, COUNTERS_DATA, STATE_DATA, ABS_AN_SENS_DATA,
// ABS_CNTR_DATA, LIQUID_LEVEL_SENSOR). Other services and subrecords are
// framed, bounded and confirmed but not interpreted. Encryption and
// compression are refused with the matching processing result.
//
// Sources: GOST 33472-2015 and GOST R 54619-2011 (the latter is mirrored as
// docs/gost54619-2011.pdf in github.com/kuznetsovin/egts-protocol), the
// Приказ №285 annex, and the project's notes/protocols.md section 3. Auth
// subrecord numbers follow GOST 33472 (RESULT_CODE is 9), not Traccar's
// (7). FORMAT.md has the byte layouts.
//
// Identity: after EGTS_SR_TERM_IDENTITY the message is a MsgLogin whose
// Identity is the terminal id TID in decimal; only when TID is 0 and the
// subrecord carries an IMEI is the IMEI used. Until a TERM_IDENTITY has been
// seen on the connection, a packet whose records carry an object id (OID)
// has that OID, in decimal, as its Identity.
//
// Replies: AppendReply answers APPDATA with EGTS_PT_RESPONSE (RPID, PR) and
// one EGTS_SR_RECORD_RESPONSE per record, plus EGTS_SR_RESULT_CODE after a
// TERM_IDENTITY. The session keeps the PID and RN counters of the packets
// the server sends. Invalid packets whose header could be read are answered
// with a RESPONSE whose PR names the fault (137 header CRC, 138 data CRC,
// 128 version, 131 header form, 132 data form, 133 packet type, 139 length).
//
// The session never sends anything on its own: the RESULT_CODE packet is
// appended to the reply of the TERM_IDENTITY it answers, and commands to
// terminals are not implemented.
//
// BUG(egts): a platform retranslating several objects over one connection
// (DISPATCHER_IDENTITY, then records with different OIDs) gets the first
// OID of each packet as the identity of all its fixes.
//
// BUG(egts): coordinates flagged as PZ-90 (POS_DATA CS) are kept as sent and
// marked with the "pz90" attribute; the datum shift to WGS-84 (under a metre
// for PZ-90.11) is not applied.
package egts
