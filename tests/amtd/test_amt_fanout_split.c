// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the relay's split fan-outs (amtd/amt_fanout_split.c):
 * slices cover every owner exactly once, in order, jobs are served first
 * in, first out, the packets are copies, and the counts add up.
 */
#include <zebra.h>

#include "amtd/amt_fanout_split.h"
#include "tests/amtd/amt_test.h"

#define OWNERS 1000

static int tun[OWNERS];
static void *owners[OWNERS];

static void setup(void)
{
	for (int i = 0; i < OWNERS; i++)
		owners[i] = &tun[i];
}

static void test_owners_per_slice(void)
{
	CHECK_INT(amt_fo_owners_per_slice(4096, 1, 100000), 4096);
	CHECK_INT(amt_fo_owners_per_slice(4096, 3, 100000), 1365);
	CHECK_INT(amt_fo_owners_per_slice(4096, 1, 10), 10);
	/* A run longer than the slice still goes to one tunnel whole. */
	CHECK_INT(amt_fo_owners_per_slice(64, 100, 5000), 1);
	CHECK_INT(amt_fo_owners_per_slice(0, 1, 5), 1);
	CHECK_INT(amt_fo_owners_per_slice(64, 0, 5), 5);
}

/* The first bytes of the first 4 packets each owner got, and how many. */
static int got[OWNERS][4];
static unsigned int ngot[OWNERS];

static void got_reset(struct amt_fo_queue *q)
{
	memset(got, 0, sizeof(got));
	memset(ngot, 0, sizeof(ngot));
	amt_fo_queue_init(q);
}

/* Serve the queue a slice at a time; record who got which packet. */
static unsigned int drain(struct amt_fo_queue *q, uint32_t slice, uint64_t *datagrams)
{
	unsigned int events = 0;
	struct amt_fo_slice s;

	while (!amt_fo_queue_empty(q) && events < 100000) {
		uint32_t budget = slice;

		events++;
		while (budget && amt_fo_queue_next(q, &budget, &s)) {
			CHECK(s.count >= 1);
			for (uint32_t o = 0; o < s.count; o++) {
				int i = (int *)s.owners[o] - tun;

				for (unsigned int p = 0; p < s.npkts && ngot[i] < 4; p++)
					got[i][ngot[i]++] = s.pkts[p].data[0];
				*datagrams += s.npkts;
			}
		}
		amt_fo_queue_release(q);
	}
	return events;
}

static void test_one_job(void)
{
	struct amt_fo_queue q;
	struct amt_gso_pkt pkt;
	uint8_t buf[100];
	uint64_t dg = 0;
	unsigned int ev, bad = 0;

	got_reset(&q);
	memset(buf, 7, sizeof(buf));
	pkt.data = buf;
	pkt.len = sizeof(buf);
	/* The first 100 were served in the read event. */
	amt_fo_queue_add(&q, &pkt, 1, owners, 100, OWNERS);
	CHECK_INT(q.jobs, 1);
	CHECK_INT(q.pending, OWNERS - 100);
	/* A copy: the slot may be reused by the next read. */
	memset(buf, 9, sizeof(buf));
	ev = drain(&q, 64, &dg);
	/* 900 / 64: 15 events (14 full, one of 4). */
	CHECK_INT(ev, 15);
	CHECK_INT(dg, OWNERS - 100);
	for (int i = 0; i < OWNERS; i++)
		if (ngot[i] != (i < 100 ? 0 : 1) || (i >= 100 && got[i][0] != 7))
			bad++;
	CHECK_INT(bad, 0);
	CHECK_INT(q.pending, 0);
	CHECK_INT(q.jobs, 0);
	CHECK(amt_fo_queue_empty(&q));
	/* Nothing to queue. */
	amt_fo_queue_add(&q, &pkt, 1, owners, OWNERS, OWNERS);
	CHECK(amt_fo_queue_empty(&q));
}

/*
 * Two jobs, the second of another run of packets: every owner gets the
 * first job's packets before the second's, and the slices of one event
 * span both jobs.
 */
static void test_order_across_jobs(void)
{
	struct amt_fo_queue q;
	struct amt_gso_pkt run[2], one;
	uint8_t a[50], b[60], c[70];
	uint64_t dg = 0;
	unsigned int ev, bad = 0;

	got_reset(&q);
	memset(a, 1, sizeof(a));
	memset(b, 2, sizeof(b));
	memset(c, 3, sizeof(c));
	run[0] = (struct amt_gso_pkt){ a, sizeof(a) };
	run[1] = (struct amt_gso_pkt){ b, sizeof(b) };
	one = (struct amt_gso_pkt){ c, sizeof(c) };
	amt_fo_queue_add(&q, run, 2, owners, 0, 300);
	amt_fo_queue_add(&q, &one, 1, owners, 0, 300);
	CHECK_INT(q.jobs, 2);
	CHECK_INT(q.pending, 900);
	ev = drain(&q, 100, &dg);
	/* 900 datagrams, 100 per event. */
	CHECK_INT(ev, 9);
	CHECK_INT(dg, 900);
	for (int i = 0; i < 300; i++)
		if (ngot[i] != 3 || got[i][0] != 1 || got[i][1] != 2 || got[i][2] != 3)
			bad++;
	for (int i = 300; i < OWNERS; i++)
		if (ngot[i])
			bad++;
	CHECK_INT(bad, 0);
	CHECK(amt_fo_queue_empty(&q));
}

/* The budget is shared by the slices of one event, at least one owner each. */
static void test_budget(void)
{
	struct amt_fo_queue q;
	struct amt_fo_slice s;
	struct amt_gso_pkt run[AMT_FO_MAX_PKTS];
	uint8_t buf[10] = {};
	uint32_t budget;

	for (int i = 0; i < AMT_FO_MAX_PKTS; i++)
		run[i] = (struct amt_gso_pkt){ buf, sizeof(buf) };
	amt_fo_queue_init(&q);
	amt_fo_queue_add(&q, run, AMT_FO_MAX_PKTS, owners, 0, 10);
	budget = 100;
	CHECK(amt_fo_queue_next(&q, &budget, &s));
	CHECK_INT(s.count, 1);
	CHECK_INT(s.npkts, AMT_FO_MAX_PKTS);
	CHECK_INT(budget, 100 - AMT_FO_MAX_PKTS);
	CHECK(amt_fo_queue_next(&q, &budget, &s));
	CHECK_INT(s.count, 1);
	CHECK_INT(budget, 0);
	CHECK_INT(q.pending, 8 * AMT_FO_MAX_PKTS);
	/* Dropped: what was left is reported, everything freed. */
	CHECK_INT(amt_fo_queue_drop(&q), 8 * AMT_FO_MAX_PKTS);
	CHECK(amt_fo_queue_empty(&q));
	CHECK_INT(q.jobs, 0);
	CHECK(!amt_fo_queue_next(&q, &budget, &s));
	CHECK_INT(amt_fo_queue_drop(&q), 0);
}

/* Many jobs, random slices: every (owner, packet) exactly once, in order. */
static void test_random(void)
{
	static uint32_t last[OWNERS];
	static uint32_t count[OWNERS];
	uint8_t bufs[200][4];
	struct amt_fo_queue q;
	uint64_t want = 0, got = 0;
	unsigned int bad = 0, seq = 0;

	memset(last, 0, sizeof(last));
	memset(count, 0, sizeof(count));
	srandom(7450);
	amt_fo_queue_init(&q);
	for (int round = 0; round < 50; round++) {
		int jobs = 1 + random() % 4;

		for (int j = 0; j < jobs; j++) {
			struct amt_gso_pkt run[AMT_FO_MAX_PKTS];
			unsigned int k = 1 + random() % 5;
			uint32_t n = 1 + random() % OWNERS, from = random() % n;

			for (unsigned int p = 0; p < k; p++) {
				uint8_t *b = bufs[seq % 200];

				seq++;
				memcpy(b, &seq, sizeof(seq));
				run[p] = (struct amt_gso_pkt){ b, sizeof(seq) };
			}
			amt_fo_queue_add(&q, run, k, owners, from, n);
			want += (uint64_t)k * (n - from);
		}
		/* Serve a few events, not always to the end. */
		for (int e = 0; e < 1 + random() % 20; e++) {
			uint32_t budget = 64 + random() % 500;
			struct amt_fo_slice s;

			while (budget && amt_fo_queue_next(&q, &budget, &s))
				for (uint32_t o = 0; o < s.count; o++) {
					int i = (int *)s.owners[o] - tun;

					for (unsigned int p = 0; p < s.npkts; p++) {
						uint32_t v;

						memcpy(&v, s.pkts[p].data, sizeof(v));
						if (v <= last[i])
							bad++;
						last[i] = v;
						got++;
					}
				}
			amt_fo_queue_release(&q);
		}
	}
	{
		struct amt_fo_slice s;
		uint32_t budget = UINT32_MAX;

		while (amt_fo_queue_next(&q, &budget, &s))
			got += (uint64_t)s.count * s.npkts;
		amt_fo_queue_release(&q);
	}
	CHECK_INT(bad, 0);
	CHECK_INT(got, want);
	CHECK(amt_fo_queue_empty(&q));
	CHECK_INT(q.pending, 0);
}

int main(void)
{
	setup();
	test_owners_per_slice();
	test_one_job();
	test_order_across_jobs();
	test_budget();
	test_random();
	return amt_test_summary("test_amt_fanout_split");
}
