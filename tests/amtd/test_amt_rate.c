// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the relay's abuse budgets (amtd/amt_rate.c): token
 * buckets, per-source-prefix buckets in a fixed table, tunnels per address.
 */
#include <zebra.h>

#include <arpa/inet.h>

#include "amtd/amt_rate.h"
#include "tests/amtd/amt_test.h"

static union amt_ip ip4(const char *s)
{
	union amt_ip a;

	memset(&a, 0, sizeof(a));
	inet_pton(AF_INET, s, &a.v4);
	return a;
}

static union amt_ip ip6(const char *s)
{
	union amt_ip a;

	memset(&a, 0, sizeof(a));
	inet_pton(AF_INET6, s, &a.v6);
	return a;
}

/* How many tokens a bucket gives at `now`, up to max tries. */
static unsigned int drain(struct amt_bucket *b, uint32_t rate, uint32_t burst, uint64_t now,
			  unsigned int max)
{
	unsigned int n = 0;

	while (n < max && amt_bucket_take(b, rate, burst, now))
		n++;
	return n;
}

static void test_bucket(void)
{
	struct amt_bucket b = {};

	/* Starts full: burst tokens at once, then nothing. */
	CHECK_INT(drain(&b, 10, 5, 1000, 100), 5);
	CHECK(!amt_bucket_take(&b, 10, 5, 1000));
	/* 10/s: one token per 100 ms, fractions kept. */
	CHECK(!amt_bucket_take(&b, 10, 5, 1050));
	CHECK(amt_bucket_take(&b, 10, 5, 1100));
	CHECK(!amt_bucket_take(&b, 10, 5, 1100));
	/* A long pause refills only up to the burst. */
	CHECK_INT(drain(&b, 10, 5, 100000, 100), 5);
	/* A clock that goes back gives nothing. */
	CHECK_INT(drain(&b, 10, 5, 50000, 100), 0);
	/* Sustained: over 10 s at 10/s about 100 tokens (+ what was stored). */
	{
		struct amt_bucket c = {};
		unsigned int got = 0;

		for (uint64_t t = 0; t <= 10000; t += 10)
			got += drain(&c, 10, 5, t, 1000);
		CHECK(got >= 104 && got <= 106);
	}
	/* Idle: full again. */
	{
		struct amt_bucket c = {};

		CHECK(amt_bucket_idle(&c, 10, 5, 0));
		CHECK(amt_bucket_take(&c, 10, 5, 0));
		CHECK(!amt_bucket_idle(&c, 10, 5, 0));
		CHECK(!amt_bucket_idle(&c, 10, 5, 50));
		CHECK(amt_bucket_idle(&c, 10, 5, 100));
	}
	/* Huge rates and times do not overflow. */
	{
		struct amt_bucket c = {};

		CHECK(amt_bucket_take(&c, 10000000, 10000000, 0));
		CHECK(amt_bucket_take(&c, 10000000, 10000000, UINT64_MAX / 2));
		CHECK(c.tokens_milli <= 10000000ULL * 1000);
	}
}

static void test_prefix(void)
{
	union amt_ip a = ip4("198.51.100.77"), p, w;
	union amt_ip b = ip6("2001:db8:1:2345:6789::1");

	amt_rate_prefix(AF_INET, &a, &p);
	w = ip4("198.51.100.0");
	CHECK_MEM(&p, &w, sizeof(p));
	amt_rate_prefix(AF_INET6, &b, &p);
	w = ip6("2001:db8:1:2300::");
	CHECK_MEM(&p, &w, sizeof(p));
}

static void test_prefix_table(void)
{
	struct amt_prefix_table *pt = amt_prefix_table_new(0x1234);
	unsigned int got, other;
	char s[64];

	/* Many sources of one /24 share one budget of 20 (burst 20). */
	got = 0;
	for (int i = 0; i < 256; i++) {
		union amt_ip a;

		snprintf(s, sizeof(s), "198.51.100.%d", i);
		a = ip4(s);
		got += amt_prefix_table_take(pt, AF_INET, &a, 20, 20, 1000);
	}
	CHECK_INT(got, 20);
	/* Another /24 has its own budget (unless it hashes alike: check). */
	{
		union amt_ip a = ip4("198.51.100.1"), c = ip4("203.0.113.9");
		struct amt_prefix_slot *sa = amt_prefix_table_slot(pt, AF_INET, &a, 20, 20, 1000);
		struct amt_prefix_slot *sc = amt_prefix_table_slot(pt, AF_INET, &c, 20, 20, 1000);

		CHECK(sa != sc);
		other = 0;
		for (int i = 0; i < 100; i++)
			other += amt_prefix_table_take(pt, AF_INET, &c, 20, 20, 1000);
		CHECK_INT(other, 20);
	}
	/* IPv6: a /56 is one budget, the next /56 another. */
	{
		union amt_ip x = ip6("2001:db8:0:100::1"), y = ip6("2001:db8:0:1ff:ffff::2");
		union amt_ip z = ip6("2001:db8:0:200::1");

		got = 0;
		for (int i = 0; i < 10; i++) {
			got += amt_prefix_table_take(pt, AF_INET6, &x, 3, 3, 1000);
			got += amt_prefix_table_take(pt, AF_INET6, &y, 3, 3, 1000);
		}
		CHECK_INT(got, 3);
		CHECK(amt_prefix_table_take(pt, AF_INET6, &z, 3, 3, 1000));
	}
	/*
	 * Memory is fixed: a flood from 100,000 prefixes touches the same
	 * table; each busy slot is either taken over when idle or shared.
	 */
	{
		uint32_t n = 0;

		for (uint32_t i = 0; i < 100000; i++) {
			union amt_ip a;

			memset(&a, 0, sizeof(a));
			a.v4.s_addr = htonl(0x0a000000 | (i << 8));
			n += amt_prefix_table_take(pt, AF_INET, &a, 1, 1, 5000);
		}
		/* At most one token per slot at one instant. */
		CHECK(n <= AMT_RATE_PREFIX_SLOTS);
		CHECK(n > 0);
		CHECK(pt->shared > 0);
	}
	/* After a pause, an idle slot is taken over by a new prefix. */
	{
		union amt_ip a = ip4("192.0.2.1");
		uint64_t before = pt->takeovers;

		CHECK(amt_prefix_table_take(pt, AF_INET, &a, 1, 1, 100000));
		CHECK_INT(pt->takeovers, before + 1);
	}
	amt_prefix_table_free(pt);
}

static void test_seed_matters(void)
{
	struct amt_prefix_table *p1 = amt_prefix_table_new(1), *p2 = amt_prefix_table_new(2);
	unsigned int same = 0;

	for (int i = 0; i < 64; i++) {
		union amt_ip a;

		memset(&a, 0, sizeof(a));
		a.v4.s_addr = htonl(0xc0a80000 | (i << 8));
		same += (amt_prefix_table_slot(p1, AF_INET, &a, 1, 1, 0) - p1->slots) ==
			(amt_prefix_table_slot(p2, AF_INET, &a, 1, 1, 0) - p2->slots);
	}
	CHECK(same < 8);
	amt_prefix_table_free(p1);
	amt_prefix_table_free(p2);
}

static void test_addr_counts(void)
{
	struct amt_addr_counts *ac = amt_addr_counts_new();
	union amt_ip a = ip4("192.0.2.1"), b = ip4("192.0.2.2"), c = ip6("2001:db8::1");

	/* The bytes after an IPv4 address do not matter. */
	union amt_ip a2 = a;

	a2.bytes[10] = 0x55;
	CHECK_INT(amt_addr_counts_get(ac, AF_INET, &a), 0);
	for (int i = 0; i < 3; i++)
		amt_addr_counts_inc(ac, AF_INET, &a);
	amt_addr_counts_inc(ac, AF_INET, &b);
	amt_addr_counts_inc(ac, AF_INET6, &c);
	CHECK_INT(amt_addr_counts_get(ac, AF_INET, &a2), 3);
	CHECK_INT(amt_addr_counts_get(ac, AF_INET, &b), 1);
	CHECK_INT(amt_addr_counts_get(ac, AF_INET6, &c), 1);
	CHECK_INT(amt_addr_counts_size(ac), 3);
	amt_addr_counts_dec(ac, AF_INET, &b);
	CHECK_INT(amt_addr_counts_get(ac, AF_INET, &b), 0);
	CHECK_INT(amt_addr_counts_size(ac), 2);
	/* Unknown: ignored. */
	amt_addr_counts_dec(ac, AF_INET, &b);
	CHECK_INT(amt_addr_counts_size(ac), 2);
	amt_addr_counts_dec(ac, AF_INET, &a);
	CHECK_INT(amt_addr_counts_get(ac, AF_INET, &a), 2);
	amt_addr_counts_free(ac);
	amt_addr_counts_free(NULL);
}

int main(void)
{
	test_bucket();
	test_prefix();
	test_prefix_table();
	test_seed_matters();
	test_addr_counts();
	return amt_test_summary("test_amt_rate");
}
