// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NETCONF message framing (RFC 6242 section 4): see the design notes in
 * northbound_netconf_frame.h.
 */
#include <zebra.h>

#include <string.h>

#include "memory.h"

#include "northbound_netconf_frame.h"

DEFINE_MTYPE_STATIC(LIB, NB_NC_BUF, "NETCONF buffer");

/* Chunked decoder states (RFC 6242 section 4.2). */
enum {
	DEC_HDR_LF = 0, /* LF opening a chunk or end-of-chunks */
	DEC_HDR_HASH,	/* HASH after it */
	DEC_SIZE_FIRST, /* DIGIT1 of chunk-size, or the second HASH */
	DEC_SIZE,	/* more DIGITs or the LF closing the header */
	DEC_DATA,	/* chunk-data */
	DEC_END_LF,	/* LF closing end-of-chunks */
};

void nb_nc_buf_init(struct nb_nc_buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

void nb_nc_buf_free(struct nb_nc_buf *b)
{
	XFREE(MTYPE_NB_NC_BUF, b->data);
	b->len = 0;
	b->cap = 0;
}

void nb_nc_buf_reset(struct nb_nc_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void nb_nc_buf_truncate(struct nb_nc_buf *b, size_t len)
{
	if (len >= b->len)
		return;
	b->len = len;
	b->data[len] = '\0';
}

int nb_nc_buf_reserve(struct nb_nc_buf *b, size_t n)
{
	size_t want, cap;

	if (n > b->max || b->len > b->max - n)
		return -1;
	want = b->len + n + 1; /* + NUL */
	if (want <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < want) {
		if (cap > SIZE_MAX / 2) {
			cap = want;
			break;
		}
		cap *= 2;
	}
	if (cap > b->max + 1)
		cap = b->max + 1;
	if (cap < want)
		cap = want;
	b->data = XREALLOC(MTYPE_NB_NC_BUF, b->data, cap);
	b->cap = cap;
	return 0;
}

int nb_nc_buf_add(struct nb_nc_buf *b, const void *p, size_t n)
{
	if (nb_nc_buf_reserve(b, n) < 0)
		return -1;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int nb_nc_buf_adds(struct nb_nc_buf *b, const char *s)
{
	return nb_nc_buf_add(b, s, strlen(s));
}

int nb_nc_buf_addu(struct nb_nc_buf *b, uint64_t v)
{
	char tmp[24];
	int n = snprintf(tmp, sizeof(tmp), "%" PRIu64, v);

	return nb_nc_buf_add(b, tmp, (size_t)n);
}

void nb_nc_frame_dec_init(struct nb_nc_frame_dec *d, size_t max_msg)
{
	memset(d, 0, sizeof(*d));
	if (max_msg == 0)
		max_msg = 1;
	if (max_msg > SIZE_MAX / 2)
		max_msg = SIZE_MAX / 2;
	d->max_msg = max_msg;
	d->framing = NB_NC_FRAMING_EOM;
	/* base:1.0 holds the marker too until it is recognised */
	nb_nc_buf_init(&d->msg, max_msg + NB_NC_EOM_MARKER_LEN);
	d->state = DEC_HDR_LF;
}

void nb_nc_frame_dec_fini(struct nb_nc_frame_dec *d)
{
	nb_nc_buf_free(&d->msg);
}

bool nb_nc_frame_dec_partial(const struct nb_nc_frame_dec *d)
{
	if (d->have_msg)
		return false;
	return d->msg.len > 0 || d->state != DEC_HDR_LF;
}

int nb_nc_frame_dec_set_framing(struct nb_nc_frame_dec *d, enum nb_nc_framing framing)
{
	if (d->err != NB_NC_FRAME_ERR_NONE || nb_nc_frame_dec_partial(d))
		return -1;
	if (framing != NB_NC_FRAMING_EOM && framing != NB_NC_FRAMING_CHUNKED)
		return -1;
	d->framing = framing;
	d->state = DEC_HDR_LF;
	d->nchunks = 0;
	return 0;
}

const char *nb_nc_frame_msg(const struct nb_nc_frame_dec *d, size_t *len)
{
	if (!d->have_msg) {
		if (len)
			*len = 0;
		return NULL;
	}
	if (len)
		*len = d->msg.len;
	return d->msg.data ? d->msg.data : "";
}

const char *nb_nc_frame_err_str(enum nb_nc_frame_err err)
{
	switch (err) {
	case NB_NC_FRAME_ERR_NONE:
		return "no error";
	case NB_NC_FRAME_ERR_MALFORMED:
		return "malformed chunked framing";
	case NB_NC_FRAME_ERR_TOO_BIG:
		return "message exceeds the size limit";
	}
	return "unknown framing error";
}

static enum nb_nc_frame_result dec_fail(struct nb_nc_frame_dec *d, enum nb_nc_frame_err err)
{
	d->err = err;
	nb_nc_buf_free(&d->msg);
	return NB_NC_FRAME_ERROR;
}

/* RFC 6242 section 4.3: everything up to "]]>]]>" is the message. */
static enum nb_nc_frame_result feed_eom(struct nb_nc_frame_dec *d, const uint8_t *data, size_t len,
					size_t *used)
{
	size_t old = d->msg.len;
	size_t room = d->msg.max - old;
	size_t n = len < room ? len : room;
	size_t start = old >= NB_NC_EOM_MARKER_LEN - 1 ? old - (NB_NC_EOM_MARKER_LEN - 1) : 0;
	const char *m;

	if (nb_nc_buf_add(&d->msg, data, n) < 0)
		return dec_fail(d, NB_NC_FRAME_ERR_TOO_BIG);
	m = memmem(d->msg.data + start, d->msg.len - start, NB_NC_EOM_MARKER, NB_NC_EOM_MARKER_LEN);
	if (m) {
		size_t mlen = (size_t)(m - d->msg.data);

		*used = mlen + NB_NC_EOM_MARKER_LEN - old;
		d->msg.len = mlen;
		d->msg.data[mlen] = '\0';
		d->have_msg = true;
		return NB_NC_FRAME_MESSAGE;
	}
	*used = n;
	/* full and still no marker: the message is above max_msg */
	if (d->msg.len >= d->msg.max)
		return dec_fail(d, NB_NC_FRAME_ERR_TOO_BIG);
	return NB_NC_FRAME_NEED_MORE;
}

/* RFC 6242 section 4.2, checked one byte (or one run of data) at a time. */
static enum nb_nc_frame_result feed_chunked(struct nb_nc_frame_dec *d, const uint8_t *data,
					    size_t len, size_t *used)
{
	size_t i = 0;

	while (i < len) {
		uint8_t c = data[i];

		switch (d->state) {
		case DEC_HDR_LF:
			if (c != '\n')
				return dec_fail(d, NB_NC_FRAME_ERR_MALFORMED);
			d->state = DEC_HDR_HASH;
			i++;
			break;
		case DEC_HDR_HASH:
			if (c != '#')
				return dec_fail(d, NB_NC_FRAME_ERR_MALFORMED);
			d->state = DEC_SIZE_FIRST;
			i++;
			break;
		case DEC_SIZE_FIRST:
			if (c == '#' && d->nchunks > 0) {
				d->state = DEC_END_LF;
			} else if (c >= '1' && c <= '9') {
				d->chunk_left = c - '0';
				d->ndigits = 1;
				d->state = DEC_SIZE;
			} else {
				/* leading zero, size 0, "##" before any chunk */
				return dec_fail(d, NB_NC_FRAME_ERR_MALFORMED);
			}
			i++;
			break;
		case DEC_SIZE:
			if (c >= '0' && c <= '9') {
				if (++d->ndigits > 10)
					return dec_fail(d, NB_NC_FRAME_ERR_MALFORMED);
				d->chunk_left = d->chunk_left * 10 + (c - '0');
				if (d->chunk_left > NB_NC_CHUNK_MAX)
					return dec_fail(d, NB_NC_FRAME_ERR_MALFORMED);
			} else if (c == '\n') {
				/* refuse a chunk that cannot fit before its data */
				if (d->chunk_left > d->max_msg - d->msg.len)
					return dec_fail(d, NB_NC_FRAME_ERR_TOO_BIG);
				d->state = DEC_DATA;
				d->nchunks++;
			} else {
				return dec_fail(d, NB_NC_FRAME_ERR_MALFORMED);
			}
			i++;
			break;
		case DEC_DATA: {
			size_t n = len - i;

			if (n > d->chunk_left)
				n = (size_t)d->chunk_left;
			if (nb_nc_buf_add(&d->msg, data + i, n) < 0)
				return dec_fail(d, NB_NC_FRAME_ERR_TOO_BIG);
			d->chunk_left -= n;
			i += n;
			if (d->chunk_left == 0)
				d->state = DEC_HDR_LF;
			break;
		}
		case DEC_END_LF:
			if (c != '\n')
				return dec_fail(d, NB_NC_FRAME_ERR_MALFORMED);
			i++;
			d->state = DEC_HDR_LF;
			d->nchunks = 0;
			d->have_msg = true;
			if (nb_nc_buf_reserve(&d->msg, 0) < 0)
				return dec_fail(d, NB_NC_FRAME_ERR_TOO_BIG);
			d->msg.data[d->msg.len] = '\0';
			*used = i;
			return NB_NC_FRAME_MESSAGE;
		default:
			return dec_fail(d, NB_NC_FRAME_ERR_MALFORMED);
		}
	}
	*used = i;
	return NB_NC_FRAME_NEED_MORE;
}

enum nb_nc_frame_result nb_nc_frame_feed(struct nb_nc_frame_dec *d, const uint8_t *data, size_t len,
					 size_t *used)
{
	*used = 0;
	if (d->err != NB_NC_FRAME_ERR_NONE)
		return NB_NC_FRAME_ERROR;
	if (d->have_msg) {
		d->have_msg = false;
		nb_nc_buf_reset(&d->msg);
	}
	if (len == 0)
		return NB_NC_FRAME_NEED_MORE;
	if (d->framing == NB_NC_FRAMING_EOM)
		return feed_eom(d, data, len, used);
	return feed_chunked(d, data, len, used);
}

int nb_nc_frame_encode(struct nb_nc_buf *out, enum nb_nc_framing framing, const char *msg,
		       size_t len, size_t max_chunk)
{
	size_t old = out->len;

	if (framing == NB_NC_FRAMING_EOM) {
		if (len >= NB_NC_EOM_MARKER_LEN &&
		    memmem(msg, len, NB_NC_EOM_MARKER, NB_NC_EOM_MARKER_LEN))
			return -1;
		if (nb_nc_buf_add(out, msg, len) < 0 ||
		    nb_nc_buf_add(out, NB_NC_EOM_MARKER, NB_NC_EOM_MARKER_LEN) < 0)
			goto fail;
		return 0;
	}
	if (framing != NB_NC_FRAMING_CHUNKED || len == 0)
		return -1;
	if (max_chunk == 0 || max_chunk > NB_NC_CHUNK_MAX)
		max_chunk = NB_NC_CHUNK_MAX;
	while (len > 0) {
		size_t n = len < max_chunk ? len : max_chunk;

		if (nb_nc_buf_add(out, "\n#", 2) < 0 || nb_nc_buf_addu(out, n) < 0 ||
		    nb_nc_buf_add(out, "\n", 1) < 0 || nb_nc_buf_add(out, msg, n) < 0)
			goto fail;
		msg += n;
		len -= n;
	}
	if (nb_nc_buf_add(out, "\n##\n", 4) < 0)
		goto fail;
	return 0;
fail:
	nb_nc_buf_truncate(out, old);
	return -1;
}
