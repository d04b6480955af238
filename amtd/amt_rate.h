// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Abuse budgets of an AMT relay (RFC 7450 section 6, security
 * considerations): token buckets, a bounded table of per-source-prefix
 * buckets for unauthenticated messages, and per-address tunnel counts.
 *
 * Pure code: no sockets, no clock; times are passed in (milliseconds).
 */
#ifndef _AMT_RATE_H
#define _AMT_RATE_H

#include <stdbool.h>
#include <stdint.h>

#include "amt_group_record.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A token bucket: `rate` tokens per second, at most `burst` stored.  A
 * zeroed bucket starts full on its first use.
 */
struct amt_bucket {
	uint64_t tokens_milli; /* thousandths of a token */
	uint64_t last_ms;
	bool primed;
};

/* Take one token; false (nothing taken) when the bucket is empty. */
extern bool amt_bucket_take(struct amt_bucket *b, uint32_t rate, uint32_t burst, uint64_t now);
/* Whether the bucket is full at `now` (unused long enough to be recycled). */
extern bool amt_bucket_idle(const struct amt_bucket *b, uint32_t rate, uint32_t burst, uint64_t now);

/* Source prefix lengths a prefix budget covers. */
#define AMT_RATE_PREFIX_V4 24
#define AMT_RATE_PREFIX_V6 56
/* Slots in the prefix table: its memory is fixed whatever the flood. */
#define AMT_RATE_PREFIX_SLOTS 1024

/* The source prefix of an address: /24 (IPv4) or /56 (IPv6), zero-padded. */
extern void amt_rate_prefix(uint8_t family, const union amt_ip *addr, union amt_ip *prefix);

struct amt_prefix_slot {
	uint8_t family;
	union amt_ip prefix;
	struct amt_bucket bucket;
};

/*
 * Per-source-prefix buckets, hashed (with a secret seed, so that a sender
 * cannot aim at another prefix's slot) into a fixed table.  A prefix whose
 * slot belongs to another prefix takes it over when that one's bucket is
 * idle (full again), else shares it: memory stays fixed and a busy prefix
 * can at worst share its budget with the few prefixes that hash alike.
 */
struct amt_prefix_table {
	uint32_t seed;
	uint64_t takeovers, shared;
	struct amt_prefix_slot slots[AMT_RATE_PREFIX_SLOTS];
};

extern struct amt_prefix_table *amt_prefix_table_new(uint32_t seed);
extern void amt_prefix_table_free(struct amt_prefix_table *pt);
/* The slot whose budget a message from `addr` is charged to. */
extern struct amt_prefix_slot *amt_prefix_table_slot(struct amt_prefix_table *pt, uint8_t family,
						     const union amt_ip *addr, uint32_t rate,
						     uint32_t burst, uint64_t now);
/* Take one token from the budget of addr's prefix. */
extern bool amt_prefix_table_take(struct amt_prefix_table *pt, uint8_t family,
				  const union amt_ip *addr, uint32_t rate, uint32_t burst,
				  uint64_t now);

/*
 * Tunnels per gateway address (any port): one entry per address that has
 * tunnels, so memory follows the tunnel count.
 */
struct amt_addr_counts;

extern struct amt_addr_counts *amt_addr_counts_new(void);
extern void amt_addr_counts_free(struct amt_addr_counts *ac);
extern uint32_t amt_addr_counts_get(struct amt_addr_counts *ac, uint8_t family,
				    const union amt_ip *addr);
extern void amt_addr_counts_inc(struct amt_addr_counts *ac, uint8_t family,
				const union amt_ip *addr);
/* Decrement; the entry goes away at zero.  Unknown addresses are ignored. */
extern void amt_addr_counts_dec(struct amt_addr_counts *ac, uint8_t family,
				const union amt_ip *addr);
/* Addresses with at least one tunnel. */
extern uint32_t amt_addr_counts_size(struct amt_addr_counts *ac);

#ifdef __cplusplus
}
#endif

#endif /* _AMT_RATE_H */
