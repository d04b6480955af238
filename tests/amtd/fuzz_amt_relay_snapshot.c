// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness for the relay restart snapshot: open the input as a
 * snapshot file; what is accepted is read to the end (every read must
 * succeed after a successful open), written again, and must come out
 * byte for byte the same (the encoding is canonical).
 *
 * Input: one selector byte, then the file.  With the selector's low bit
 * set, the trailing checksum is recomputed first, so that mutations reach
 * the content checks behind it instead of all failing the checksum.
 */
#include <zebra.h>

#include <stdlib.h>
#include <string.h>

#include "sha256.h"

#include "amtd/amt_relay_snapshot.h"

#define FUZZ_ASSERT(cond)                                                                          \
	do {                                                                                       \
		if (!(cond))                                                                       \
			abort();                                                                   \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t copy[1 << 20];

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t in_size)
{
	const uint8_t *data;
	size_t size;
	struct amt_snap_reader r;
	struct amt_snap_writer w;
	struct amt_snap_header h;
	struct amt_snap_tunnel t;
	struct amt_snap_group g;
	struct amt_snap_source s;
	const uint8_t *out;
	size_t out_len;

	if (in_size < 1 || in_size - 1 > sizeof(copy))
		return 0;
	size = in_size - 1;
	memcpy(copy, in + 1, size);
	data = copy;
	if ((in[0] & 1) && size >= AMT_SNAP_SUM_LEN) {
		SHA256_CTX ctx;

		SHA256_Init(&ctx);
		SHA256_Update(&ctx, copy, size - AMT_SNAP_SUM_LEN);
		SHA256_Final(copy + size - AMT_SNAP_SUM_LEN, &ctx);
	}
	if (amt_snap_open(&r, data, size, &h) != AMT_SNAP_OK)
		return 0;
	amt_snap_writer_init(&w, &h);
	for (uint32_t i = 0; i < h.tunnels; i++) {
		FUZZ_ASSERT(amt_snap_read_tunnel(&r, &t) == AMT_SNAP_OK);
		amt_snap_put_tunnel(&w, &t);
		for (uint16_t j = 0; j < t.groups; j++) {
			FUZZ_ASSERT(amt_snap_read_group(&r, &g) == AMT_SNAP_OK);
			FUZZ_ASSERT(g.mode == 1 || g.mode == 2);
			amt_snap_put_group(&w, &g);
			for (uint32_t k = 0; k < g.sources; k++) {
				FUZZ_ASSERT(amt_snap_read_source(&r, &s) == AMT_SNAP_OK);
				FUZZ_ASSERT(s.left_ms <= AMT_SNAP_MAX_LEFT_MS);
				amt_snap_put_source(&w, &s);
			}
		}
	}
	/* Nothing more to read. */
	FUZZ_ASSERT(amt_snap_read_tunnel(&r, &t) == AMT_SNAP_SEQUENCE);
	FUZZ_ASSERT(r.off == r.end);
	FUZZ_ASSERT(amt_snap_writer_finish(&w, &out, &out_len) == 0);
	FUZZ_ASSERT(out_len == size && !memcmp(out, data, size));
	amt_snap_writer_free(&w);
	return 0;
}
