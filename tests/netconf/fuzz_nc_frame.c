// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness for the NETCONF framing decoder: the input (after one
 * control byte) is fed in slices of varying size; each message it yields
 * must be within the limit, encode again in the framing in force and
 * decode back to the same bytes.  Each message then goes through the XML
 * tokenizer (tokens must nest, decoded text cannot be longer than the
 * message), the hello parser (an accepted hello's capabilities, built
 * into a server hello, must parse again up to its session-id) and the
 * <rpc> attribute extraction (the <rpc-reply> built from them must read
 * back with the same attributes).
 *
 * Control byte: bit 0 initial framing (1 = chunked), bit 1 switch to
 * chunked after the first message, bits 2-7 slice size pattern.
 */
#include <zebra.h>

#include <stdlib.h>
#include <string.h>

#include "northbound_netconf_frame.h"
#include "northbound_netconf_xml.h"
#include "northbound_netconf_msg.h"

#define FUZZ_ASSERT(cond)                                                                          \
	do {                                                                                       \
		if (!(cond))                                                                       \
			abort();                                                                   \
	} while (0)

#define FUZZ_MAX_MSG 4096

static void check_roundtrip(enum nb_nc_framing f, const char *m, size_t len, size_t max_chunk)
{
	struct nb_nc_buf b;
	struct nb_nc_frame_dec d;
	size_t used, ml;
	enum nb_nc_frame_result r;
	const char *m2;

	if (f == NB_NC_FRAMING_CHUNKED && len == 0)
		return; /* an empty message cannot be chunked (nor decoded) */
	nb_nc_buf_init(&b, 2 * FUZZ_MAX_MSG + 4096);
	FUZZ_ASSERT(nb_nc_frame_encode(&b, f, m, len, max_chunk) == 0);
	nb_nc_frame_dec_init(&d, FUZZ_MAX_MSG);
	FUZZ_ASSERT(nb_nc_frame_dec_set_framing(&d, f) == 0);
	r = nb_nc_frame_feed(&d, (const uint8_t *)b.data, b.len, &used);
	FUZZ_ASSERT(r == NB_NC_FRAME_MESSAGE);
	FUZZ_ASSERT(used == b.len);
	m2 = nb_nc_frame_msg(&d, &ml);
	FUZZ_ASSERT(ml == len && memcmp(m, m2, len) == 0);
	nb_nc_frame_dec_fini(&d);
	nb_nc_buf_free(&b);
}

static void check_xml(const char *m, size_t len)
{
	struct nb_nc_xml x;
	unsigned int depth = 0, starts = 0, ends = 0;

	nb_nc_xml_init(&x, m, len, 16);
	for (;;) {
		const struct nb_nc_xml_tok *t = nb_nc_xml_next(&x);

		if (t->type == NB_NC_XML_ERROR) {
			FUZZ_ASSERT(x.err && x.err_pos <= len);
			FUZZ_ASSERT(nb_nc_xml_next(&x)->type == NB_NC_XML_ERROR);
			break;
		}
		if (t->type == NB_NC_XML_EOF) {
			FUZZ_ASSERT(depth == 0 && starts == ends && starts > 0);
			break;
		}
		if (t->type == NB_NC_XML_START) {
			FUZZ_ASSERT(t->depth == ++depth && depth <= 16);
			FUZZ_ASSERT(t->qname.len > 0 && t->qname.len <= len);
			FUZZ_ASSERT(t->nattrs <= NB_NC_XML_ATTRS_MAX);
			for (unsigned int i = 0; i < t->nattrs; i++)
				FUZZ_ASSERT(t->attrs[i].value.len <= len);
			starts++;
		} else if (t->type == NB_NC_XML_END) {
			FUZZ_ASSERT(t->depth == depth && depth > 0);
			depth--;
			ends++;
		} else {
			FUZZ_ASSERT(t->text.len <= len && depth > 0);
		}
	}
	nb_nc_xml_fini(&x);
}

static void check_hello(const char *m, size_t len)
{
	struct nb_nc_hello h, h2;
	const char *err = NULL, *caps[NB_NC_HELLO_CAPS_MAX];
	size_t n = 0;
	struct nb_nc_buf b;

	if (nb_nc_hello_parse(m, len, &h, &err) < 0) {
		FUZZ_ASSERT(err && h.ncaps == 0);
		nb_nc_hello_free(&h);
		return;
	}
	FUZZ_ASSERT(h.ncaps > 0 && h.ncaps <= NB_NC_HELLO_CAPS_MAX);
	FUZZ_ASSERT(h.base10 || h.base11);
	for (const char *c = nb_nc_hello_cap_next(&h, NULL); c; c = nb_nc_hello_cap_next(&h, c)) {
		FUZZ_ASSERT(n < h.ncaps && c[0] && strlen(c) <= NB_NC_CAP_LEN_MAX);
		caps[n++] = c;
	}
	FUZZ_ASSERT(n == h.ncaps);
	nb_nc_buf_init(&b, 1 << 20);
	FUZZ_ASSERT(nb_nc_hello_build(&b, caps, n, 1) == 0);
	err = NULL;
	FUZZ_ASSERT(nb_nc_hello_parse(b.data, b.len, &h2, &err) < 0);
	FUZZ_ASSERT(err && !strcmp(err, "a client <hello> carries a <session-id>"));
	nb_nc_hello_free(&h2);
	nb_nc_buf_free(&b);
	nb_nc_hello_free(&h);
}

static void check_rpc_attrs(const char *m, size_t len)
{
	struct nb_nc_rpc_attrs a;
	struct nb_nc_buf b;
	struct nb_nc_xml x;
	const struct nb_nc_xml_tok *t;
	unsigned int extra;

	if (nb_nc_rpc_attrs_extract(m, len, &a) < 0) {
		FUZZ_ASSERT(a.n == 0);
		nb_nc_rpc_attrs_free(&a);
		return;
	}
	nb_nc_buf_init(&b, 1 << 20);
	FUZZ_ASSERT(nb_nc_rpc_reply_ok(&b, &a) == 0);
	nb_nc_xml_init(&x, b.data, b.len, 0);
	t = nb_nc_xml_next(&x);
	FUZZ_ASSERT(t->type == NB_NC_XML_START && nb_nc_xml_str_eq(t->local, "rpc-reply") &&
		    nb_nc_xml_str_eq(t->ns, NB_NC_NS_BASE));
	extra = nb_nc_rpc_attrs_get(&a, "xmlns") ? 0 : 1;
	FUZZ_ASSERT(t->nattrs == a.n + extra);
	for (unsigned int i = 0; i < a.n; i++) {
		const struct nb_nc_xml_attr *r = &t->attrs[i + extra];
		const char *q = a.store.data + a.a[i].qname;
		const char *v = a.store.data + a.a[i].value;

		FUZZ_ASSERT(nb_nc_xml_str_eq(r->qname, q));
		if (strcmp(q, "xmlns"))
			FUZZ_ASSERT(nb_nc_xml_str_eq(r->value, v));
	}
	nb_nc_xml_fini(&x);
	nb_nc_buf_free(&b);
	nb_nc_rpc_attrs_free(&a);
}

static void check_message(const char *m, size_t len)
{
	check_xml(m, len);
	check_hello(m, len);
	check_rpc_attrs(m, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nb_nc_frame_dec d;
	unsigned int ctl, step, nmsg = 0;
	size_t pos = 0;

	if (size < 1)
		return 0;
	ctl = data[0];
	data++;
	size--;
	step = (ctl >> 2) + 1;

	nb_nc_frame_dec_init(&d, FUZZ_MAX_MSG);
	nb_nc_frame_dec_set_framing(&d, (ctl & 1) ? NB_NC_FRAMING_CHUNKED : NB_NC_FRAMING_EOM);
	while (pos < size) {
		size_t n = size - pos, used;
		enum nb_nc_frame_result r;

		/* slices of 1 .. 2 * step + 1 bytes, varying along the input */
		if (n > 1 + (pos * 7 + step) % (2 * step + 1))
			n = 1 + (pos * 7 + step) % (2 * step + 1);
		r = nb_nc_frame_feed(&d, data + pos, n, &used);
		FUZZ_ASSERT(used <= n);
		if (r == NB_NC_FRAME_ERROR) {
			FUZZ_ASSERT(d.err != NB_NC_FRAME_ERR_NONE);
			FUZZ_ASSERT(nb_nc_frame_feed(&d, data + pos, n, &used) == NB_NC_FRAME_ERROR);
			break;
		}
		pos += used;
		if (r == NB_NC_FRAME_NEED_MORE) {
			FUZZ_ASSERT(used == n);
			continue;
		}
		size_t ml;
		const char *m = nb_nc_frame_msg(&d, &ml);

		FUZZ_ASSERT(m && ml <= FUZZ_MAX_MSG && m[ml] == '\0');
		FUZZ_ASSERT(!nb_nc_frame_dec_partial(&d));
		check_roundtrip(d.framing, m, ml, step);
		check_message(m, ml);
		if (++nmsg == 1 && (ctl & 2))
			FUZZ_ASSERT(nb_nc_frame_dec_set_framing(&d, NB_NC_FRAMING_CHUNKED) == 0);
	}
	nb_nc_frame_dec_fini(&d);
	return 0;
}
