// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Abuse budgets of an AMT relay: see amt_rate.h.
 */
#include <zebra.h>

#include "lib/jhash.h"
#include "lib/memory.h"
#include "lib/typesafe.h"

#include "amt_memory.h"
#include "amt_rate.h"

DEFINE_MTYPE_STATIC(AMTD, AMT_RATE_PREFIXES, "AMT relay prefix budgets");
DEFINE_MTYPE_STATIC(AMTD, AMT_ADDR_COUNTS, "AMT relay tunnels per address");

/* ---------------------------------------------------------------- buckets */

static void amt_bucket_refill(struct amt_bucket *b, uint32_t rate, uint32_t burst, uint64_t now)
{
	uint64_t cap = (uint64_t)burst * 1000;

	if (!b->primed) {
		b->primed = true;
		b->tokens_milli = cap;
		b->last_ms = now;
		return;
	}
	/* A clock that went back refills nothing. */
	if (now > b->last_ms) {
		uint64_t add = (now - b->last_ms) * rate;

		b->tokens_milli = (cap - b->tokens_milli < add) ? cap : b->tokens_milli + add;
		b->last_ms = now;
	}
	if (b->tokens_milli > cap)
		b->tokens_milli = cap;
}

bool amt_bucket_take(struct amt_bucket *b, uint32_t rate, uint32_t burst, uint64_t now)
{
	amt_bucket_refill(b, rate, burst, now);
	if (b->tokens_milli < 1000)
		return false;
	b->tokens_milli -= 1000;
	return true;
}

bool amt_bucket_idle(const struct amt_bucket *b, uint32_t rate, uint32_t burst, uint64_t now)
{
	struct amt_bucket copy = *b;

	if (!b->primed)
		return true;
	amt_bucket_refill(&copy, rate, burst, now);
	return copy.tokens_milli >= (uint64_t)burst * 1000;
}

/* ---------------------------------------------------------------- prefixes */

void amt_rate_prefix(uint8_t family, const union amt_ip *addr, union amt_ip *prefix)
{
	memset(prefix, 0, sizeof(*prefix));
	if (family == AF_INET) {
		/* /24: the first three bytes. */
		memcpy(prefix->bytes, addr->bytes, AMT_RATE_PREFIX_V4 / 8);
	} else if (family == AF_INET6) {
		/* /56: the first seven bytes. */
		memcpy(prefix->bytes, addr->bytes, AMT_RATE_PREFIX_V6 / 8);
	}
}

struct amt_prefix_table *amt_prefix_table_new(uint32_t seed)
{
	struct amt_prefix_table *pt = XCALLOC(MTYPE_AMT_RATE_PREFIXES, sizeof(*pt));

	pt->seed = seed;
	return pt;
}

void amt_prefix_table_free(struct amt_prefix_table *pt)
{
	XFREE(MTYPE_AMT_RATE_PREFIXES, pt);
}

struct amt_prefix_slot *amt_prefix_table_slot(struct amt_prefix_table *pt, uint8_t family,
					      const union amt_ip *addr, uint32_t rate,
					      uint32_t burst, uint64_t now)
{
	struct amt_prefix_slot *slot;
	union amt_ip prefix;
	uint32_t h;

	amt_rate_prefix(family, addr, &prefix);
	h = jhash(prefix.bytes, sizeof(prefix.bytes), pt->seed ^ family);
	slot = &pt->slots[h % AMT_RATE_PREFIX_SLOTS];
	if (slot->family == family && !memcmp(&slot->prefix, &prefix, sizeof(prefix)))
		return slot;
	if (slot->family == 0 || amt_bucket_idle(&slot->bucket, rate, burst, now)) {
		if (slot->family)
			pt->takeovers++;
		slot->family = family;
		slot->prefix = prefix;
		memset(&slot->bucket, 0, sizeof(slot->bucket));
	} else {
		pt->shared++;
	}
	return slot;
}

bool amt_prefix_table_take(struct amt_prefix_table *pt, uint8_t family, const union amt_ip *addr,
			   uint32_t rate, uint32_t burst, uint64_t now)
{
	struct amt_prefix_slot *slot = amt_prefix_table_slot(pt, family, addr, rate, burst, now);

	return amt_bucket_take(&slot->bucket, rate, burst, now);
}

/* ---------------------------------------------------------------- tunnels per address */

PREDECL_HASH(amt_addr_cnts);

struct amt_addr_cnt {
	struct amt_addr_cnts_item item;
	uint8_t family;
	union amt_ip addr;
	uint32_t count;
};

static int amt_addr_cnt_cmp(const struct amt_addr_cnt *a, const struct amt_addr_cnt *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(&a->addr, &b->addr, sizeof(a->addr));
}

static uint32_t amt_addr_cnt_hash(const struct amt_addr_cnt *a)
{
	return jhash(a->addr.bytes, sizeof(a->addr.bytes), a->family);
}

DECLARE_HASH(amt_addr_cnts, struct amt_addr_cnt, item, amt_addr_cnt_cmp, amt_addr_cnt_hash);

struct amt_addr_counts {
	struct amt_addr_cnts_head head;
};

static void amt_addr_key(struct amt_addr_cnt *key, uint8_t family, const union amt_ip *addr)
{
	memset(key, 0, sizeof(*key));
	key->family = family;
	if (family == AF_INET)
		memcpy(key->addr.bytes, addr->bytes, 4);
	else
		key->addr = *addr;
}

struct amt_addr_counts *amt_addr_counts_new(void)
{
	struct amt_addr_counts *ac = XCALLOC(MTYPE_AMT_ADDR_COUNTS, sizeof(*ac));

	amt_addr_cnts_init(&ac->head);
	return ac;
}

void amt_addr_counts_free(struct amt_addr_counts *ac)
{
	struct amt_addr_cnt *e;

	if (!ac)
		return;
	while ((e = amt_addr_cnts_pop(&ac->head)))
		XFREE(MTYPE_AMT_ADDR_COUNTS, e);
	amt_addr_cnts_fini(&ac->head);
	XFREE(MTYPE_AMT_ADDR_COUNTS, ac);
}

uint32_t amt_addr_counts_get(struct amt_addr_counts *ac, uint8_t family, const union amt_ip *addr)
{
	struct amt_addr_cnt key, *e;

	amt_addr_key(&key, family, addr);
	e = amt_addr_cnts_find(&ac->head, &key);
	return e ? e->count : 0;
}

void amt_addr_counts_inc(struct amt_addr_counts *ac, uint8_t family, const union amt_ip *addr)
{
	struct amt_addr_cnt key, *e;

	amt_addr_key(&key, family, addr);
	e = amt_addr_cnts_find(&ac->head, &key);
	if (!e) {
		e = XCALLOC(MTYPE_AMT_ADDR_COUNTS, sizeof(*e));
		*e = key;
		amt_addr_cnts_add(&ac->head, e);
	}
	e->count++;
}

void amt_addr_counts_dec(struct amt_addr_counts *ac, uint8_t family, const union amt_ip *addr)
{
	struct amt_addr_cnt key, *e;

	amt_addr_key(&key, family, addr);
	e = amt_addr_cnts_find(&ac->head, &key);
	if (!e)
		return;
	if (--e->count == 0) {
		amt_addr_cnts_del(&ac->head, e);
		XFREE(MTYPE_AMT_ADDR_COUNTS, e);
	}
}

uint32_t amt_addr_counts_size(struct amt_addr_counts *ac)
{
	return amt_addr_cnts_count(&ac->head);
}
