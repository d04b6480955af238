// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness for the NETCONF framing decoder: the input (after one
 * control byte) is fed in slices of varying size; each message it yields
 * must be within the limit, encode again in the framing in force and
 * decode back to the same bytes.  Messages also go through the XML
 * tokenizer, the hello parser and the <rpc> attribute extraction when
 * those are built in (NC_FUZZ_XML).
 *
 * Control byte: bit 0 initial framing (1 = chunked), bit 1 switch to
 * chunked after the first message, bits 2-7 slice size pattern.
 */
#include <zebra.h>

#include <stdlib.h>
#include <string.h>

#include "northbound_netconf_frame.h"
#ifdef NC_FUZZ_XML
#include "northbound_netconf_xml.h"
#include "northbound_netconf_msg.h"
#endif

#define FUZZ_ASSERT(cond)                                                      \
	do {                                                                   \
		if (!(cond))                                                   \
			abort();                                               \
	} while (0)

#define FUZZ_MAX_MSG 4096

static void check_roundtrip(enum nb_nc_framing f, const char *m, size_t len,
			    size_t max_chunk)
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

static void check_message(const char *m, size_t len)
{
#ifdef NC_FUZZ_XML
	nc_fuzz_xml_message(m, len);
#endif
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
	nb_nc_frame_dec_set_framing(&d, (ctl & 1) ? NB_NC_FRAMING_CHUNKED
						  : NB_NC_FRAMING_EOM);
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
			FUZZ_ASSERT(nb_nc_frame_feed(&d, data + pos, n, &used) ==
				    NB_NC_FRAME_ERROR);
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
			FUZZ_ASSERT(nb_nc_frame_dec_set_framing(
					    &d, NB_NC_FRAMING_CHUNKED) == 0);
	}
	nb_nc_frame_dec_fini(&d);
	return 0;
}
