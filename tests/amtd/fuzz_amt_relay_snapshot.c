// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness for the relay restart snapshot and its journal.
 *
 * Input: a selector byte, the base's length (2 bytes, big-endian, cut to
 * what is there), the base file, then the journal file.  Selector bits,
 * so that mutations reach the content checks behind the checksums instead
 * of all failing them:
 *   bit 0  recompute the base's SHA-256 trailer
 *   bit 1  set the journal header's base id to the base's trailer
 *   bit 2  recompute each journal record's checksum (walking the lengths)
 *
 * Checked: a base that opens is read to the end (every read succeeds) and
 * written again byte for byte (the encoding is canonical); a loaded state
 * has its entries in strictly increasing endpoint order, none deleted,
 * each readable to exactly its end; the journal's good prefix loads again
 * with no error and the same records; a journal that replayed whole has
 * no bad record.
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

static uint32_t get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* Each record's checksum recomputed, as far as the lengths fit. */
static void fix_records(uint8_t *jnl, size_t jlen)
{
	size_t off = AMT_JNL_HEADER_LEN;

	while (jlen - off >= 4) {
		uint32_t len = get32(jnl + off);
		uint8_t sum[AMT_SNAP_SUM_LEN];
		SHA256_CTX ctx;

		if (len > jlen - off - 4 || jlen - off - 4 - len < AMT_JNL_REC_SUM_LEN)
			break;
		SHA256_Init(&ctx);
		SHA256_Update(&ctx, jnl + 8, AMT_SNAP_SUM_LEN);
		SHA256_Update(&ctx, jnl + off, 4 + len);
		SHA256_Final(sum, &ctx);
		memcpy(jnl + off + 4 + len, sum, AMT_JNL_REC_SUM_LEN);
		off += 4 + len + AMT_JNL_REC_SUM_LEN;
	}
}

static void check_base(const uint8_t *data, size_t size)
{
	struct amt_snap_reader r;
	struct amt_snap_writer w;
	struct amt_snap_header h;
	struct amt_snap_tunnel t;
	struct amt_snap_group g;
	struct amt_snap_source s;
	const uint8_t *out;
	size_t out_len;

	if (amt_snap_open(&r, data, size, &h) != AMT_SNAP_OK)
		return;
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
}

static void check_state(const uint8_t *base, size_t blen, const uint8_t *jnl, size_t jlen)
{
	struct amt_snap_state st, again;

	if (amt_snap_state_load(&st, base, blen, jnl, jlen) != AMT_SNAP_OK) {
		FUZZ_ASSERT(st.n == 0 && !st.entries);
		return;
	}
	for (size_t i = 0; i < st.n; i++) {
		const struct amt_snap_entry *e = &st.entries[i];
		struct amt_snap_reader r;
		struct amt_snap_tunnel t;
		struct amt_snap_group g;
		struct amt_snap_source s;

		FUZZ_ASSERT(!e->deleted);
		FUZZ_ASSERT(e->off < e->end && e->end <= (e->journal ? jlen : blen));
		if (i)
			FUZZ_ASSERT(amt_snap_entry_key_cmp(&st.entries[i - 1], e) < 0);
		amt_snap_entry_reader(&st, e, &r);
		FUZZ_ASSERT(amt_snap_read_tunnel(&r, &t) == AMT_SNAP_OK);
		FUZZ_ASSERT(t.gw.family == e->gw.family && t.gw_port == e->gw_port &&
			    !memcmp(&t.gw.ip, &e->gw.ip, sizeof(t.gw.ip)));
		for (uint16_t j = 0; j < t.groups; j++) {
			FUZZ_ASSERT(amt_snap_read_group(&r, &g) == AMT_SNAP_OK);
			for (uint32_t k = 0; k < g.sources; k++)
				FUZZ_ASSERT(amt_snap_read_source(&r, &s) == AMT_SNAP_OK);
		}
		FUZZ_ASSERT(r.off == r.end);
		FUZZ_ASSERT(amt_snap_read_tunnel(&r, &t) == AMT_SNAP_SEQUENCE);
	}
	FUZZ_ASSERT(st.last_ms >= st.h.written_ms && st.last_ms >= st.secrets_ms);
	if (jnl && st.jnl_records) {
		FUZZ_ASSERT(st.jnl_good >= AMT_JNL_HEADER_LEN && st.jnl_good <= jlen);
		FUZZ_ASSERT(!st.jnl_err == !st.jnl_dropped);
		if (!st.jnl_err)
			FUZZ_ASSERT(st.jnl_good == jlen);
		/* What a restore kept is a journal of its own: it loads cleanly. */
		FUZZ_ASSERT(amt_snap_state_load(&again, base, blen, jnl, st.jnl_good) ==
			    AMT_SNAP_OK);
		FUZZ_ASSERT(again.jnl_err == AMT_SNAP_OK && again.jnl_records == st.jnl_records &&
			    again.n == st.n);
		amt_snap_state_free(&again);
	}
	amt_snap_state_free(&st);
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t in_size)
{
	uint8_t *base, *jnl;
	size_t size, blen, jlen;

	if (in_size < 3 || in_size - 3 > sizeof(copy))
		return 0;
	size = in_size - 3;
	memcpy(copy, in + 3, size);
	blen = ((size_t)in[1] << 8) | in[2];
	if (blen > size)
		blen = size;
	base = copy;
	jnl = copy + blen;
	jlen = size - blen;
	if ((in[0] & 1) && blen >= AMT_SNAP_SUM_LEN) {
		SHA256_CTX ctx;

		SHA256_Init(&ctx);
		SHA256_Update(&ctx, base, blen - AMT_SNAP_SUM_LEN);
		SHA256_Final(base + blen - AMT_SNAP_SUM_LEN, &ctx);
	}
	if ((in[0] & 2) && blen >= AMT_SNAP_SUM_LEN && jlen >= AMT_JNL_HEADER_LEN)
		memcpy(jnl + 8, base + blen - AMT_SNAP_SUM_LEN, AMT_SNAP_SUM_LEN);
	if ((in[0] & 4) && jlen >= AMT_JNL_HEADER_LEN)
		fix_records(jnl, jlen);

	check_base(base, blen);
	check_state(base, blen, jlen ? jnl : NULL, jlen);
	return 0;
}
