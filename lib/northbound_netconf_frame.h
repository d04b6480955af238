// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NETCONF message framing (RFC 6242 section 4), pure protocol code.
 *
 * Design
 * ------
 * This file is the lowest layer of the NETCONF server core: it turns the
 * byte stream of the SSH "netconf" subsystem into complete messages and
 * messages into bytes.  It does no I/O, owns no sockets and knows nothing
 * of XML; the server feeds it whatever a read returned.
 *
 * - struct nb_nc_buf: a growable byte buffer with a hard size limit; every
 *   append checks the limit and fails (returns -1) instead of growing past
 *   it.  Memory comes from FRR's XMALLOC (MTYPE_NB_NC_BUF).
 *
 * - Decoder (struct nb_nc_frame_dec): fed arbitrary slices (any split,
 *   also inside "]]>]]>" or inside a chunk header), it consumes bytes up to
 *   and including the end of one message and then returns
 *   NB_NC_FRAME_MESSAGE; the message stays readable (nb_nc_frame_msg())
 *   until the next call of nb_nc_frame_feed().  The caller feeds the rest
 *   of its slice afterwards, so it can switch the framing between two
 *   messages (after the hello exchange, RFC 6242 section 4.1) exactly at
 *   the message boundary.
 *   * NB_NC_FRAMING_EOM (base:1.0, RFC 6242 section 4.3): a message is
 *     everything before the end-of-message marker "]]>]]>".
 *   * NB_NC_FRAMING_CHUNKED (base:1.1, RFC 6242 section 4.2): the grammar
 *       chunked-message = 1*chunk end-of-chunks
 *       chunk           = LF HASH chunk-size LF chunk-data
 *       chunk-size      = 1*DIGIT1 0*DIGIT   (1 .. 4294967295)
 *       end-of-chunks   = LF HASH HASH LF
 *     is checked byte by byte: a size with a leading zero, of zero, above
 *     4294967295, a missing LF or HASH, or an end-of-chunks before the
 *     first chunk is a framing error.
 *   Limits: a message (its content, without framing) larger than the
 *   decoder's max_msg is an error (NB_NC_FRAME_ERR_TOO_BIG); a chunk whose
 *   announced size would exceed that limit is refused when its header is
 *   complete, before its data is read.  Memory held is at most max_msg
 *   plus the 6 bytes of a marker.
 *   Errors are sticky: once nb_nc_frame_feed() returned NB_NC_FRAME_ERROR
 *   it keeps doing so.  RFC 6242 section 4.2 says a peer that receives a
 *   malformed chunked message MUST terminate the session; since framing
 *   is lost the server closes the session for every decoder error (after
 *   an rpc-error with error-tag malformed-message where it still can).
 *
 * - Encoder: nb_nc_frame_encode() appends one framed message to a buffer,
 *   in either framing, optionally split into chunks of at most max_chunk
 *   bytes.  In base:1.0 a message containing "]]>]]>" cannot be framed and
 *   is refused (well-formed XML never contains "]]>" outside CDATA ends).
 */
#ifndef _FRR_NORTHBOUND_NETCONF_FRAME_H
#define _FRR_NORTHBOUND_NETCONF_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A bounded growable buffer; data is always NUL-terminated (not counted). */
struct nb_nc_buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max; /* largest len allowed */
};

extern void nb_nc_buf_init(struct nb_nc_buf *b, size_t max);
extern void nb_nc_buf_free(struct nb_nc_buf *b);
extern void nb_nc_buf_reset(struct nb_nc_buf *b);
/* Cuts back to len bytes (no-op if longer): undoes appends after a failure. */
extern void nb_nc_buf_truncate(struct nb_nc_buf *b, size_t len);
/* Appends n bytes; -1 (buffer unchanged) if len would exceed max. */
extern int nb_nc_buf_add(struct nb_nc_buf *b, const void *p, size_t n);
extern int nb_nc_buf_adds(struct nb_nc_buf *b, const char *s);
extern int nb_nc_buf_addu(struct nb_nc_buf *b, uint64_t v);
/* Makes room for n more bytes; -1 if len + n would exceed max. */
extern int nb_nc_buf_reserve(struct nb_nc_buf *b, size_t n);

enum nb_nc_framing {
	NB_NC_FRAMING_EOM = 0, /* base:1.0 "]]>]]>" */
	NB_NC_FRAMING_CHUNKED, /* base:1.1 chunks */
};

#define NB_NC_EOM_MARKER     "]]>]]>"
#define NB_NC_EOM_MARKER_LEN 6
#define NB_NC_CHUNK_MAX	     4294967295ULL

enum nb_nc_frame_result {
	NB_NC_FRAME_ERROR = -1,
	NB_NC_FRAME_NEED_MORE = 0,
	NB_NC_FRAME_MESSAGE = 1,
};

enum nb_nc_frame_err {
	NB_NC_FRAME_ERR_NONE = 0,
	NB_NC_FRAME_ERR_MALFORMED, /* chunked grammar violated */
	NB_NC_FRAME_ERR_TOO_BIG,   /* message above max_msg */
};

struct nb_nc_frame_dec {
	enum nb_nc_framing framing;
	size_t max_msg;
	struct nb_nc_buf msg;
	bool have_msg; /* msg holds a complete message */
	enum nb_nc_frame_err err;
	/* chunked state */
	int state;
	uint64_t chunk_left; /* data bytes of the current chunk still due */
	unsigned int ndigits;
	unsigned int nchunks; /* chunks of the current message */
};

extern void nb_nc_frame_dec_init(struct nb_nc_frame_dec *d, size_t max_msg);
extern void nb_nc_frame_dec_fini(struct nb_nc_frame_dec *d);
/*
 * Switches the framing; only allowed between messages (no partial message
 * buffered, which is the case right after NB_NC_FRAME_MESSAGE).  Returns
 * -1 otherwise.
 */
extern int nb_nc_frame_dec_set_framing(struct nb_nc_frame_dec *d, enum nb_nc_framing framing);
/*
 * Consumes bytes of data[0..len) up to the end of the next complete
 * message; *used tells how many.  NB_NC_FRAME_MESSAGE: a message is ready
 * (nb_nc_frame_msg), the rest of data was not looked at.  NEED_MORE: all
 * of data was consumed.  ERROR: framing is lost (nb_nc_frame_dec.err).
 */
extern enum nb_nc_frame_result nb_nc_frame_feed(struct nb_nc_frame_dec *d, const uint8_t *data,
						size_t len, size_t *used);
/* The message just completed (NUL-terminated), NULL if none. */
extern const char *nb_nc_frame_msg(const struct nb_nc_frame_dec *d, size_t *len);
/* True if bytes of an unfinished message are buffered. */
extern bool nb_nc_frame_dec_partial(const struct nb_nc_frame_dec *d);
extern const char *nb_nc_frame_err_str(enum nb_nc_frame_err err);

/*
 * Appends msg framed to out.  max_chunk (chunked only): largest chunk,
 * 0 = one chunk.  Returns -1 (out unchanged) for an empty message in
 * chunked framing, a message containing "]]>]]>" in base:1.0, or when out
 * would exceed its limit.
 */
extern int nb_nc_frame_encode(struct nb_nc_buf *out, enum nb_nc_framing framing, const char *msg,
			      size_t len, size_t max_chunk);

#ifdef __cplusplus
}
#endif

#endif /* _FRR_NORTHBOUND_NETCONF_FRAME_H */
