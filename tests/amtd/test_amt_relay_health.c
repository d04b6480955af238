// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the relay's health and the damped advertisement of its
 * anycast discovery address (amtd/amt_relay_health.c).
 */
#include <zebra.h>

#include "amtd/amt_relay_health.h"
#include "tests/amtd/amt_test.h"

static struct amt_health_input healthy(void)
{
	struct amt_health_input in = {
		.pseudo_if = true,
		.zebra = true,
		.pim_serving = true,
		.nprefixes = 2,
		.reachable = 2,
		.tunnels = 10,
		.tunnel_limit = 100,
		.max_load_pct = 90,
		.draining = false,
	};
	return in;
}

static void test_evaluate(void)
{
	struct amt_health_input in = healthy();

	CHECK_INT(amt_health_evaluate(&in), 0);
	in.pseudo_if = false;
	CHECK_INT(amt_health_evaluate(&in), AMT_HEALTH_NO_PSEUDO_IF);
	in = healthy();
	in.pim_serving = false;
	CHECK_INT(amt_health_evaluate(&in), AMT_HEALTH_NO_PIM);
	in = healthy();
	in.reachable = 1;
	CHECK_INT(amt_health_evaluate(&in), AMT_HEALTH_NO_UPSTREAM);
	/* No prefixes configured: the upstream is not checked. */
	in.nprefixes = 0;
	in.reachable = 0;
	CHECK_INT(amt_health_evaluate(&in), 0);
	/* zebra gone: nothing is known to be reachable. */
	in = healthy();
	in.zebra = false;
	CHECK_INT(amt_health_evaluate(&in), AMT_HEALTH_NO_ZEBRA | AMT_HEALTH_NO_UPSTREAM);
	/* Load: 89 of 100 at 90 % is fine, 90 is not. */
	in = healthy();
	in.tunnels = 89;
	CHECK_INT(amt_health_evaluate(&in), 0);
	in.tunnels = 90;
	CHECK_INT(amt_health_evaluate(&in), AMT_HEALTH_LOAD);
	/* 100 %: only a full table. */
	in.max_load_pct = 100;
	in.tunnels = 99;
	CHECK_INT(amt_health_evaluate(&in), 0);
	in.tunnels = 100;
	CHECK_INT(amt_health_evaluate(&in), AMT_HEALTH_LOAD);
	/* Large numbers do not overflow. */
	in.tunnel_limit = 1000000;
	in.tunnels = 999999;
	CHECK_INT(amt_health_evaluate(&in), 0);
	in = healthy();
	in.draining = true;
	in.pim_serving = false;
	CHECK_INT(amt_health_evaluate(&in), AMT_HEALTH_DRAINING | AMT_HEALTH_NO_PIM);
}

static void test_pim_serving(void)
{
	/* No query yet. */
	CHECK(!amt_health_pim_serving(0, 2, 125, 10000, 5000));
	/* QRV 2, QQI 10 s, max resp 10 s: 2 * 10 s + 5 s = 25 s. */
	CHECK(amt_health_pim_serving(1000, 2, 10, 10000, 26000));
	CHECK(!amt_health_pim_serving(1000, 2, 10, 10000, 26001));
	/* IGMPv2/MLDv1: QRV 2 and 125 s assumed. */
	CHECK(amt_health_pim_serving(1000, 0, 0, 0, 251000));
	CHECK(!amt_health_pim_serving(1000, 0, 0, 0, 251001));
	/* A clock that went back still counts the query. */
	CHECK(amt_health_pim_serving(5000, 2, 10, 0, 4000));
}

static void test_step(void)
{
	struct amt_health_state st = {};
	uint64_t next;

	/* Not healthy from the start: nothing happens. */
	CHECK(!amt_health_step(&st, AMT_HEALTH_NO_PIM, 30, 1000, &next));
	CHECK(!st.advertised);
	CHECK_INT(st.reasons, AMT_HEALTH_NO_PIM);
	CHECK_INT(next, 0);
	/* First health: advertised at once. */
	CHECK(amt_health_step(&st, 0, 30, 2000, &next));
	CHECK(st.advertised);
	CHECK_INT(st.advertisements, 1);
	CHECK_INT(st.reasons, 0);
	CHECK(!amt_health_step(&st, 0, 30, 3000, &next));
	/* Failing: withdrawn at once. */
	CHECK(amt_health_step(&st, AMT_HEALTH_NO_UPSTREAM, 30, 4000, &next));
	CHECK(!st.advertised);
	CHECK_INT(st.withdrawals, 1);
	CHECK_INT(st.last_change_ms, 4000);
	/* Healthy again: held down for 30 s. */
	CHECK(!amt_health_step(&st, 0, 30, 5000, &next));
	CHECK(!st.advertised);
	CHECK_INT(st.reasons, AMT_HEALTH_HOLD_DOWN);
	CHECK_INT(next, 35000);
	/* A flap restarts the hold-down. */
	CHECK(!amt_health_step(&st, AMT_HEALTH_NO_UPSTREAM, 30, 20000, &next));
	CHECK_INT(st.reasons, AMT_HEALTH_NO_UPSTREAM);
	CHECK(!amt_health_step(&st, 0, 30, 21000, &next));
	CHECK_INT(next, 51000);
	CHECK(!amt_health_step(&st, 0, 30, 50999, &next));
	CHECK(!st.advertised);
	/* HOLD_DOWN passed in as failing is ignored. */
	CHECK(amt_health_step(&st, AMT_HEALTH_HOLD_DOWN, 30, 51000, &next));
	CHECK(st.advertised);
	CHECK_INT(st.advertisements, 2);
	CHECK_INT(st.reasons, 0);
	CHECK_INT(next, 0);
	/* Hold-down 0: at once. */
	CHECK(amt_health_step(&st, AMT_HEALTH_DRAINING, 0, 60000, &next));
	CHECK(amt_health_step(&st, 0, 0, 60000, &next));
	CHECK_INT(st.withdrawals, 2);
	CHECK_INT(st.advertisements, 3);
}

static void test_strings(void)
{
	char buf[128], small[12];

	CHECK(!strcmp(amt_health_reasons_str(0, buf, sizeof(buf)), "-"));
	CHECK(!strcmp(amt_health_reasons_str(AMT_HEALTH_NO_PIM | AMT_HEALTH_DRAINING, buf,
					     sizeof(buf)),
		      "no-pim, draining"));
	CHECK(!strcmp(amt_health_reason_str(AMT_HEALTH_HOLD_DOWN), "hold-down"));
	CHECK(!strcmp(amt_health_reason_str(3), "?"));
	/* Truncated at a whole name, still terminated. */
	amt_health_reasons_str(AMT_HEALTH_NO_PIM | AMT_HEALTH_NO_UPSTREAM, small, sizeof(small));
	CHECK(strlen(small) < sizeof(small));
}

int main(void)
{
	test_evaluate();
	test_pim_serving();
	test_step();
	test_strings();
	return amt_test_summary("test_amt_relay_health");
}
