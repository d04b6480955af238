// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the per-tunnel IGMPv3/MLDv2 membership state: every row of
 * RFC 3376 6.4.1 and 6.4.2 (both families, fast leave and LMQT), timer
 * expiry, IGMPv1/v2 and MLDv1 compatibility, limits, iteration.
 *
 * Sources are written as small numbers n (10.0.0.n, 2001:db8::n), groups
 * likewise (232.1.1.n, ff3e::n); a state reads "IN{1,2}" or "EX{X}{Y}".
 */
#include <zebra.h>

#include "memory.h"

#include "amtd/amt_membership.h"
#include "amt_test.h"

#define T0 1000ULL
#define TX 2000ULL
#define T1 5000ULL
/* Defaults: RV 2, QI 125 s, QRI 10 s; LMQI 1 s, LMQC 2. */
#define GMI  260000ULL
#define LMQT 2000ULL

/* Addresses */

static union amt_ip src_addr(uint8_t fam, int n)
{
	union amt_ip a = {};

	if (fam == AF_INET) {
		a.bytes[0] = 10;
		a.bytes[3] = n;
	} else {
		a.bytes[0] = 0x20;
		a.bytes[1] = 0x01;
		a.bytes[2] = 0x0d;
		a.bytes[3] = 0xb8;
		a.bytes[15] = n;
	}
	return a;
}

static union amt_ip grp_addr(uint8_t fam, int n)
{
	union amt_ip a = {};

	if (fam == AF_INET) {
		a.bytes[0] = 232;
		a.bytes[1] = 1;
		a.bytes[2] = 1;
		a.bytes[3] = n;
	} else {
		a.bytes[0] = 0xff;
		a.bytes[1] = 0x3e;
		a.bytes[15] = n;
	}
	return a;
}

static int src_num(uint8_t fam, const union amt_ip *a)
{
	return fam == AF_INET ? a->bytes[3] : a->bytes[15];
}

/* The change log */

static char evlog[4096];

static void log_change(void *arg, const struct amt_memb_change *c)
{
	size_t len = strlen(evlog);
	int n = c->source ? src_num(c->family, c->source) : 0;

	switch (c->event) {
	case AMT_MEMB_SG_JOIN:
		snprintf(evlog + len, sizeof(evlog) - len, " J%d", n);
		break;
	case AMT_MEMB_SG_LEAVE:
		snprintf(evlog + len, sizeof(evlog) - len, " L%d", n);
		break;
	case AMT_MEMB_XG_JOIN:
		snprintf(evlog + len, sizeof(evlog) - len, " XJ");
		break;
	case AMT_MEMB_XG_EXCL_ADD:
		snprintf(evlog + len, sizeof(evlog) - len, " E+%d", n);
		break;
	case AMT_MEMB_XG_EXCL_DEL:
		snprintf(evlog + len, sizeof(evlog) - len, " E-%d", n);
		break;
	case AMT_MEMB_XG_LEAVE:
		snprintf(evlog + len, sizeof(evlog) - len, " XL");
		break;
	}
}

static const char *events(void)
{
	return evlog[0] ? evlog + 1 : "";
}

#define CHECK_STR(got, want)                                                                       \
	do {                                                                                       \
		const char *_g = (got), *_w = (want);                                              \
		if (!strcmp(_g, _w)) {                                                             \
			amt_test_passed++;                                                         \
		} else {                                                                           \
			amt_test_failed++;                                                         \
			fprintf(stderr, "%s:%d: %s: %s is \"%s\", expected \"%s\"\n", __FILE__,    \
				__LINE__, __func__, #got, _g, _w);                                 \
		}                                                                                  \
	} while (0)

#define CHECK_EVENTS(want)                                                                         \
	do {                                                                                       \
		CHECK_STR(events(), want);                                                         \
		evlog[0] = '\0';                                                                   \
	} while (0)

/* Building and applying records */

/* Results as int: amt_test.h's CHECK_INT casts its argument. */
static int apply_rec(struct amt_membership *m, const struct amt_group_record *rec, uint64_t now)
{
	return amt_membership_apply(m, rec, now);
}

static int apply_v(struct amt_membership *m, uint8_t fam, uint8_t version, uint8_t type, int grp,
		   const char *srcs, uint64_t now)
{
	/* One spare byte in front, so the sources are not aligned. */
	static uint8_t buf[1 + 64 * 16];
	struct amt_group_record rec = {
		.family = fam,
		.type = type,
		.version = version,
		.group = grp_addr(fam, grp),
		.sources = buf + 1,
	};
	size_t alen = fam == AF_INET ? 4 : 16;
	char *end;
	long n;

	while (srcs && *srcs) {
		n = strtol(srcs, &end, 10);
		if (end == srcs)
			break;
		union amt_ip a = src_addr(fam, n);

		memcpy(buf + 1 + rec.num_sources * alen, a.bytes, alen);
		rec.num_sources++;
		srcs = end;
	}
	return apply_rec(m, &rec, now);
}

static int apply(struct amt_membership *m, uint8_t fam, uint8_t type, int grp, const char *srcs,
		 uint64_t now)
{
	return apply_v(m, fam, fam == AF_INET ? 3 : 2, type, grp, srcs, now);
}

/* Reading the state back */

static const char *state(struct amt_membership *m, uint8_t fam, int grp)
{
	static char buf[512];
	union amt_ip g = grp_addr(fam, grp);
	const struct amt_mgroup *mg = amt_membership_group_find(m, fam, &g);
	const struct amt_msource *s;
	struct amt_mgroup_info gi;
	struct amt_msource_info si;
	size_t len;
	int pass;

	if (!mg)
		return "none";
	amt_mgroup_get_info(mg, 0, &gi);
	snprintf(buf, sizeof(buf), "%s", gi.mode == AMT_FILTER_INCLUDE ? "IN" : "EX");
	/* X (running timers) first, then Y. */
	for (pass = 0; pass < (gi.mode == AMT_FILTER_INCLUDE ? 1 : 2); pass++) {
		bool first = true;

		len = strlen(buf);
		snprintf(buf + len, sizeof(buf) - len, "{");
		for (s = amt_mgroup_source_first(mg); s; s = amt_mgroup_source_next(mg, s)) {
			amt_msource_get_info(s, &si);
			if (gi.mode == AMT_FILTER_EXCLUDE && si.excluded != (pass == 1))
				continue;
			len = strlen(buf);
			snprintf(buf + len, sizeof(buf) - len, "%s%d", first ? "" : ",",
				 src_num(fam, &si.source));
			first = false;
		}
		len = strlen(buf);
		snprintf(buf + len, sizeof(buf) - len, "}");
	}
	return buf;
}

/* A source's timer: its expiry, 0 when stopped, -1 when absent. */
static long long stimer(struct amt_membership *m, uint8_t fam, int grp, int n)
{
	union amt_ip g = grp_addr(fam, grp), a = src_addr(fam, n);
	const struct amt_mgroup *mg = amt_membership_group_find(m, fam, &g);
	const struct amt_msource *s;
	struct amt_msource_info si;

	if (!mg)
		return -1;
	for (s = amt_mgroup_source_first(mg); s; s = amt_mgroup_source_next(mg, s)) {
		amt_msource_get_info(s, &si);
		if (!memcmp(&si.source, &a, sizeof(a)))
			return si.timer;
	}
	return -1;
}

static long long gtimer(struct amt_membership *m, uint8_t fam, int grp)
{
	union amt_ip g = grp_addr(fam, grp);
	const struct amt_mgroup *mg = amt_membership_group_find(m, fam, &g);
	struct amt_mgroup_info gi;

	if (!mg)
		return -1;
	amt_mgroup_get_info(mg, 0, &gi);
	return gi.group_timer;
}

static int compat(struct amt_membership *m, uint8_t fam, int grp, uint64_t now)
{
	union amt_ip g = grp_addr(fam, grp);
	const struct amt_mgroup *mg = amt_membership_group_find(m, fam, &g);
	struct amt_mgroup_info gi;

	if (!mg)
		return -1;
	amt_mgroup_get_info(mg, now, &gi);
	return gi.compat_version;
}

static bool wants(struct amt_membership *m, uint8_t fam, int grp, int n)
{
	union amt_ip g = grp_addr(fam, grp), a = src_addr(fam, n);

	return amt_membership_wants(m, fam, &a, &g);
}

/* wants() must agree with the state's lists (INCLUDE: listed; EXCLUDE:
 * not in Y), for sources listed and not. */
static void check_wants(struct amt_membership *m, uint8_t fam, int grp)
{
	union amt_ip g = grp_addr(fam, grp);
	const struct amt_mgroup *mg = amt_membership_group_find(m, fam, &g);
	struct amt_mgroup_info gi;
	int n;

	for (n = 1; n <= 8; n++) {
		long long t = stimer(m, fam, grp, n);
		bool want;

		if (!mg) {
			want = false;
		} else {
			amt_mgroup_get_info(mg, 0, &gi);
			want = gi.mode == AMT_FILTER_INCLUDE ? t > 0 : t != 0;
		}
		CHECK(wants(m, fam, grp, n) == want);
	}
}

/* lmqi_ms 0: the default.  A long LMQI makes LMQT exceed the timers, so
 * the "Send Q" lowering leaves them as the table sets them. */
static uint32_t lmqi_ms;

static struct amt_membership *new_memb(bool lmqt)
{
	struct amt_membership_params p;

	amt_membership_params_default(&p);
	p.lmqt_leave = lmqt;
	if (lmqi_ms)
		p.last_member_query_interval_ms = lmqi_ms;
	evlog[0] = '\0';
	return amt_membership_new(&p, log_change, NULL);
}

/* INCLUDE ({1,2,3}), timers T0+GMI. */
static struct amt_membership *setup_in(uint8_t fam, bool lmqt)
{
	struct amt_membership *m = new_memb(lmqt);

	apply(m, fam, AMT_REC_ALLOW_NEW_SOURCES, 1, "1 2 3", T0);
	evlog[0] = '\0';
	return m;
}

/* EXCLUDE (X={1,2}, Y={3,4}): group timer T0+GMI, X timers TX+GMI. */
static struct amt_membership *setup_ex(uint8_t fam, bool lmqt)
{
	struct amt_membership *m = new_memb(lmqt);

	apply(m, fam, AMT_REC_MODE_IS_EXCLUDE, 1, "3 4", T0);
	apply(m, fam, AMT_REC_ALLOW_NEW_SOURCES, 1, "1 2", TX);
	evlog[0] = '\0';
	return m;
}

/* RFC 3376 6.4.1 / RFC 3810 7.4.1: current-state records */

/* INCLUDE (A) IS_IN (B) -> INCLUDE (A+B), (B)=GMI */
static void test_in_is_in(uint8_t fam)
{
	struct amt_membership *m = setup_in(fam, false);

	CHECK_INT(apply(m, fam, AMT_REC_MODE_IS_INCLUDE, 1, "3 4 5", T1), AMT_MEMB_OK);
	CHECK_STR(state(m, fam, 1), "IN{1,2,3,4,5}");
	CHECK_INT(stimer(m, fam, 1, 1), T0 + GMI);
	CHECK_INT(stimer(m, fam, 1, 2), T0 + GMI);
	CHECK_INT(stimer(m, fam, 1, 3), T1 + GMI);
	CHECK_INT(stimer(m, fam, 1, 4), T1 + GMI);
	CHECK_INT(stimer(m, fam, 1, 5), T1 + GMI);
	CHECK_INT(gtimer(m, fam, 1), 0);
	CHECK_EVENTS("J4 J5");
	check_wants(m, fam, 1);
	amt_membership_free(m);
}

/* INCLUDE (A) IS_EX (B) -> EXCLUDE (A*B,B-A), (B-A)=0, Delete (A-B),
 * Group Timer=GMI */
static void test_in_is_ex(uint8_t fam)
{
	struct amt_membership *m = setup_in(fam, false);

	CHECK_INT(apply(m, fam, AMT_REC_MODE_IS_EXCLUDE, 1, "3 4 5", T1), AMT_MEMB_OK);
	CHECK_STR(state(m, fam, 1), "EX{3}{4,5}");
	CHECK_INT(stimer(m, fam, 1, 3), T0 + GMI);
	CHECK_INT(stimer(m, fam, 1, 4), 0);
	CHECK_INT(stimer(m, fam, 1, 5), 0);
	CHECK_INT(stimer(m, fam, 1, 1), -1);
	CHECK_INT(gtimer(m, fam, 1), T1 + GMI);
	CHECK_EVENTS("XJ L1 L2 L3 E+4 E+5");
	/* EXCLUDE mode: 1 is forwarded again, through (*,G). */
	CHECK(wants(m, fam, 1, 1));
	CHECK(!wants(m, fam, 1, 4));
	check_wants(m, fam, 1);
	amt_membership_free(m);
}

/* EXCLUDE (X,Y) IS_IN (A) -> EXCLUDE (X+A,Y-A), (A)=GMI */
static void test_ex_is_in(uint8_t fam, uint8_t type)
{
	struct amt_membership *m = setup_ex(fam, false);

	CHECK_INT(apply(m, fam, type, 1, "2 4 6", T1), AMT_MEMB_OK);
	CHECK_STR(state(m, fam, 1), "EX{1,2,4,6}{3}");
	CHECK_INT(stimer(m, fam, 1, 1), TX + GMI);
	CHECK_INT(stimer(m, fam, 1, 2), T1 + GMI);
	CHECK_INT(stimer(m, fam, 1, 4), T1 + GMI);
	CHECK_INT(stimer(m, fam, 1, 6), T1 + GMI);
	CHECK_INT(stimer(m, fam, 1, 3), 0);
	CHECK_INT(gtimer(m, fam, 1), T0 + GMI);
	CHECK_EVENTS("E-4");
	check_wants(m, fam, 1);
	amt_membership_free(m);
}

/* EXCLUDE (X,Y) IS_EX (A) -> EXCLUDE (A-Y,Y*A), (A-X-Y)=GMI,
 * Delete (X-A), Delete (Y-A), Group Timer=GMI */
static void test_ex_is_ex(uint8_t fam)
{
	struct amt_membership *m = setup_ex(fam, false);

	CHECK_INT(apply(m, fam, AMT_REC_MODE_IS_EXCLUDE, 1, "2 4 6", T1), AMT_MEMB_OK);
	CHECK_STR(state(m, fam, 1), "EX{2,6}{4}");
	CHECK_INT(stimer(m, fam, 1, 2), TX + GMI);
	CHECK_INT(stimer(m, fam, 1, 6), T1 + GMI);
	CHECK_INT(stimer(m, fam, 1, 4), 0);
	CHECK_INT(stimer(m, fam, 1, 1), -1);
	CHECK_INT(stimer(m, fam, 1, 3), -1);
	CHECK_INT(gtimer(m, fam, 1), T1 + GMI);
	CHECK_EVENTS("E-3");
	check_wants(m, fam, 1);
	amt_membership_free(m);
}

/* RFC 3376 6.4.2 / RFC 3810 7.4.2: filter-mode-change and source-list-change
 * records.  Rows with a "Send Q" action run with LMQT lowering (the state
 * of the table, timers lowered) and with fast leave (the timers at zero). */

/* INCLUDE (A) ALLOW (B) -> INCLUDE (A+B), (B)=GMI */
static void test_in_allow(uint8_t fam)
{
	struct amt_membership *m = setup_in(fam, false);

	CHECK_INT(apply(m, fam, AMT_REC_ALLOW_NEW_SOURCES, 1, "3 4 5", T1), AMT_MEMB_OK);
	CHECK_STR(state(m, fam, 1), "IN{1,2,3,4,5}");
	CHECK_INT(stimer(m, fam, 1, 1), T0 + GMI);
	CHECK_INT(stimer(m, fam, 1, 3), T1 + GMI);
	CHECK_INT(stimer(m, fam, 1, 5), T1 + GMI);
	CHECK_EVENTS("J4 J5");
	check_wants(m, fam, 1);
	amt_membership_free(m);
}

/* INCLUDE (A) BLOCK (B) -> INCLUDE (A), Send Q(G,A*B) */
static void test_in_block(uint8_t fam)
{
	struct amt_membership *m = setup_in(fam, true);

	CHECK_INT(apply(m, fam, AMT_REC_BLOCK_OLD_SOURCES, 1, "3 4 5", T1), AMT_MEMB_OK);
	CHECK_STR(state(m, fam, 1), "IN{1,2,3}");
	CHECK_INT(stimer(m, fam, 1, 1), T0 + GMI);
	CHECK_INT(stimer(m, fam, 1, 2), T0 + GMI);
	CHECK_INT(stimer(m, fam, 1, 3), T1 + LMQT);
	CHECK_EVENTS("");
	check_wants(m, fam, 1);
	amt_membership_free(m);

	m = setup_in(fam, false);
	apply(m, fam, AMT_REC_BLOCK_OLD_SOURCES, 1, "3 4 5", T1);
	CHECK_STR(state(m, fam, 1), "IN{1,2}");
	CHECK_INT(stimer(m, fam, 1, 1), T0 + GMI);
	CHECK_EVENTS("L3");
	check_wants(m, fam, 1);
	amt_membership_free(m);
}

/* INCLUDE (A) TO_EX (B) -> EXCLUDE (A*B,B-A), (B-A)=0, Delete (A-B),
 * Send Q(G,A*B), Group Timer=GMI */
static void test_in_to_ex(uint8_t fam)
{
	struct amt_membership *m = setup_in(fam, true);

	CHECK_INT(apply(m, fam, AMT_REC_CHANGE_TO_EXCLUDE, 1, "3 4 5", T1), AMT_MEMB_OK);
	CHECK_STR(state(m, fam, 1), "EX{3}{4,5}");
	CHECK_INT(stimer(m, fam, 1, 3), T1 + LMQT);
	CHECK_INT(stimer(m, fam, 1, 4), 0);
	CHECK_INT(stimer(m, fam, 1, 1), -1);
	CHECK_INT(gtimer(m, fam, 1), T1 + GMI);
	CHECK_EVENTS("XJ L1 L2 L3 E+4 E+5");
	check_wants(m, fam, 1);
	amt_membership_free(m);

	m = setup_in(fam, false);
	apply(m, fam, AMT_REC_CHANGE_TO_EXCLUDE, 1, "3 4 5", T1);
	CHECK_STR(state(m, fam, 1), "EX{}{3,4,5}");
	CHECK_INT(gtimer(m, fam, 1), T1 + GMI);
	CHECK_EVENTS("XJ L1 L2 L3 E+4 E+5 E+3");
	CHECK(!wants(m, fam, 1, 3));
	CHECK(wants(m, fam, 1, 1));
	check_wants(m, fam, 1);
	amt_membership_free(m);
}

/* INCLUDE (A) TO_IN (B) -> INCLUDE (A+B), (B)=GMI, Send Q(G,A-B) */
static void test_in_to_in(uint8_t fam)
{
	struct amt_membership *m = setup_in(fam, true);

	CHECK_INT(apply(m, fam, AMT_REC_CHANGE_TO_INCLUDE, 1, "3 4 5", T1), AMT_MEMB_OK);
	CHECK_STR(state(m, fam, 1), "IN{1,2,3,4,5}");
	CHECK_INT(stimer(m, fam, 1, 1), T1 + LMQT);
	CHECK_INT(stimer(m, fam, 1, 2), T1 + LMQT);
	CHECK_INT(stimer(m, fam, 1, 3), T1 + GMI);
	CHECK_INT(stimer(m, fam, 1, 4), T1 + GMI);
	CHECK_EVENTS("J4 J5");
	check_wants(m, fam, 1);
	amt_membership_free(m);

	m = setup_in(fam, false);
	apply(m, fam, AMT_REC_CHANGE_TO_INCLUDE, 1, "3 4 5", T1);
	CHECK_STR(state(m, fam, 1), "IN{3,4,5}");
	CHECK_EVENTS("J4 J5 L1 L2");
	check_wants(m, fam, 1);
	amt_membership_free(m);
}

/* EXCLUDE (X,Y) BLOCK (A) -> EXCLUDE (X+(A-Y),Y), (A-X-Y)=Group Timer,
 * Send Q(G,A-Y) */
static void test_ex_block(uint8_t fam)
{
	struct amt_membership *m;

	/* LMQT longer than every timer: the table's timers show as set. */
	lmqi_ms = 1000000;
	m = setup_ex(fam, true);
	CHECK_INT(apply(m, fam, AMT_REC_BLOCK_OLD_SOURCES, 1, "2 4 6", T1), AMT_MEMB_OK);
	CHECK_STR(state(m, fam, 1), "EX{1,2,6}{3,4}");
	CHECK_INT(stimer(m, fam, 1, 6), T0 + GMI);
	CHECK_INT(stimer(m, fam, 1, 2), TX + GMI);
	amt_membership_free(m);
	lmqi_ms = 0;

	m = setup_ex(fam, true);
	apply(m, fam, AMT_REC_BLOCK_OLD_SOURCES, 1, "2 4 6", T1);
	CHECK_STR(state(m, fam, 1), "EX{1,2,6}{3,4}");
	CHECK_INT(stimer(m, fam, 1, 1), TX + GMI);
	CHECK_INT(stimer(m, fam, 1, 2), T1 + LMQT);
	CHECK_INT(stimer(m, fam, 1, 6), T1 + LMQT);
	CHECK_INT(stimer(m, fam, 1, 3), 0);
	CHECK_INT(stimer(m, fam, 1, 4), 0);
	CHECK_INT(gtimer(m, fam, 1), T0 + GMI);
	CHECK_EVENTS("");
	check_wants(m, fam, 1);
	amt_membership_free(m);

	m = setup_ex(fam, false);
	apply(m, fam, AMT_REC_BLOCK_OLD_SOURCES, 1, "2 4 6", T1);
	CHECK_STR(state(m, fam, 1), "EX{1}{2,3,4,6}");
	CHECK_INT(gtimer(m, fam, 1), T0 + GMI);
	CHECK_EVENTS("E+2 E+6");
	CHECK(!wants(m, fam, 1, 6));
	check_wants(m, fam, 1);
	amt_membership_free(m);
}

/* EXCLUDE (X,Y) TO_EX (A) -> EXCLUDE (A-Y,Y*A), (A-X-Y)=Group Timer,
 * Delete (X-A), Delete (Y-A), Send Q(G,A-Y), Group Timer=GMI */
static void test_ex_to_ex(uint8_t fam)
{
	struct amt_membership *m;

	lmqi_ms = 1000000;
	m = setup_ex(fam, true);
	CHECK_INT(apply(m, fam, AMT_REC_CHANGE_TO_EXCLUDE, 1, "2 4 6", T1), AMT_MEMB_OK);
	CHECK_STR(state(m, fam, 1), "EX{2,6}{4}");
	/* The old group timer, before it is set to GMI. */
	CHECK_INT(stimer(m, fam, 1, 6), T0 + GMI);
	CHECK_INT(stimer(m, fam, 1, 2), TX + GMI);
	CHECK_INT(gtimer(m, fam, 1), T1 + GMI);
	amt_membership_free(m);
	lmqi_ms = 0;

	m = setup_ex(fam, true);
	apply(m, fam, AMT_REC_CHANGE_TO_EXCLUDE, 1, "2 4 6", T1);
	CHECK_STR(state(m, fam, 1), "EX{2,6}{4}");
	CHECK_INT(stimer(m, fam, 1, 2), T1 + LMQT);
	CHECK_INT(stimer(m, fam, 1, 6), T1 + LMQT);
	CHECK_INT(stimer(m, fam, 1, 4), 0);
	CHECK_INT(stimer(m, fam, 1, 1), -1);
	CHECK_INT(stimer(m, fam, 1, 3), -1);
	CHECK_INT(gtimer(m, fam, 1), T1 + GMI);
	CHECK_EVENTS("E-3");
	check_wants(m, fam, 1);
	amt_membership_free(m);

	m = setup_ex(fam, false);
	apply(m, fam, AMT_REC_CHANGE_TO_EXCLUDE, 1, "2 4 6", T1);
	CHECK_STR(state(m, fam, 1), "EX{}{2,4,6}");
	CHECK_INT(gtimer(m, fam, 1), T1 + GMI);
	CHECK_EVENTS("E-3 E+2 E+6");
	CHECK(wants(m, fam, 1, 1));
	CHECK(wants(m, fam, 1, 3));
	check_wants(m, fam, 1);
	amt_membership_free(m);
}

/* EXCLUDE (X,Y) TO_IN (A) -> EXCLUDE (X+A,Y-A), (A)=GMI, Send Q(G,X-A),
 * Send Q(G) */
static void test_ex_to_in(uint8_t fam)
{
	struct amt_membership *m = setup_ex(fam, true);

	CHECK_INT(apply(m, fam, AMT_REC_CHANGE_TO_INCLUDE, 1, "2 4 6", T1), AMT_MEMB_OK);
	CHECK_STR(state(m, fam, 1), "EX{1,2,4,6}{3}");
	CHECK_INT(stimer(m, fam, 1, 1), T1 + LMQT);
	CHECK_INT(stimer(m, fam, 1, 2), T1 + GMI);
	CHECK_INT(stimer(m, fam, 1, 4), T1 + GMI);
	CHECK_INT(stimer(m, fam, 1, 6), T1 + GMI);
	CHECK_INT(stimer(m, fam, 1, 3), 0);
	CHECK_INT(gtimer(m, fam, 1), T1 + LMQT);
	CHECK_EVENTS("E-4");
	check_wants(m, fam, 1);
	amt_membership_free(m);

	m = setup_ex(fam, false);
	apply(m, fam, AMT_REC_CHANGE_TO_INCLUDE, 1, "2 4 6", T1);
	CHECK_STR(state(m, fam, 1), "IN{2,4,6}");
	CHECK_INT(stimer(m, fam, 1, 2), T1 + GMI);
	CHECK_EVENTS("E-4 E+1 J2 J4 J6 E-1 E-3 XL");
	CHECK(!wants(m, fam, 1, 1));
	CHECK(!wants(m, fam, 1, 5));
	check_wants(m, fam, 1);
	amt_membership_free(m);
}

/* A new group starts as INCLUDE ({}). */
static void test_from_nothing(uint8_t fam)
{
	struct amt_membership *m = new_memb(false);

	CHECK_INT(apply(m, fam, AMT_REC_BLOCK_OLD_SOURCES, 1, "1", T0), AMT_MEMB_OK);
	CHECK_INT(apply(m, fam, AMT_REC_CHANGE_TO_INCLUDE, 1, "", T0), AMT_MEMB_OK);
	CHECK_INT(apply(m, fam, AMT_REC_MODE_IS_INCLUDE, 1, "", T0), AMT_MEMB_OK);
	CHECK_STR(state(m, fam, 1), "none");
	CHECK_INT(amt_membership_num_groups(m), 0);
	CHECK_EVENTS("");

	apply(m, fam, AMT_REC_MODE_IS_EXCLUDE, 1, "", T0);
	CHECK_STR(state(m, fam, 1), "EX{}{}");
	CHECK_INT(gtimer(m, fam, 1), T0 + GMI);
	CHECK_EVENTS("XJ");
	CHECK(wants(m, fam, 1, 7));
	CHECK(!wants(m, fam, 2, 7));

	/* Duplicates in a record count once. */
	apply(m, fam, AMT_REC_ALLOW_NEW_SOURCES, 2, "5 5 1 5", T0);
	CHECK_STR(state(m, fam, 2), "IN{1,5}");
	CHECK_INT(amt_membership_num_sources(m), 2);
	CHECK_EVENTS("J1 J5");
	amt_membership_free(m);
}

/* Timers */

static void test_include_expiry(void)
{
	struct amt_membership *m = new_memb(false);
	uint8_t fam = AF_INET;

	apply(m, fam, AMT_REC_ALLOW_NEW_SOURCES, 1, "1 2", T0);
	apply(m, fam, AMT_REC_ALLOW_NEW_SOURCES, 1, "2", T1);
	evlog[0] = '\0';
	CHECK_INT(amt_membership_next_expiry(m), T0 + GMI);

	amt_membership_expire(m, T0 + GMI - 1);
	CHECK_STR(state(m, fam, 1), "IN{1,2}");
	CHECK_EVENTS("");
	amt_membership_expire(m, T0 + GMI);
	CHECK_STR(state(m, fam, 1), "IN{2}");
	CHECK_EVENTS("L1");
	CHECK_INT(amt_membership_next_expiry(m), T1 + GMI);

	/* The last source goes, and the group with it. */
	amt_membership_expire(m, T1 + GMI + 5);
	CHECK_STR(state(m, fam, 1), "none");
	CHECK_EVENTS("L2");
	CHECK_INT(amt_membership_next_expiry(m), AMT_TIME_NEVER);
	CHECK_INT(amt_membership_num_sources(m), 0);
	amt_membership_free(m);
}

static void test_exclude_expiry(void)
{
	struct amt_membership *m = new_memb(false);
	uint8_t fam = AF_INET6;

	/* EXCLUDE ({1}, {2}), group timer T0+GMI; 1 at T1+GMI. */
	apply(m, fam, AMT_REC_MODE_IS_EXCLUDE, 1, "2", T0);
	apply(m, fam, AMT_REC_ALLOW_NEW_SOURCES, 1, "1", T1);
	/* EXCLUDE ({3}, {}), 3 expires before the group timer. */
	apply(m, fam, AMT_REC_MODE_IS_EXCLUDE, 2, "", T1);
	apply(m, fam, AMT_REC_ALLOW_NEW_SOURCES, 2, "3", T0);
	evlog[0] = '\0';
	CHECK_INT(amt_membership_next_expiry(m), T0 + GMI);

	/* Group 2: the source timer runs out first: 3 moves to Y. */
	amt_membership_expire(m, T0 + GMI);
	CHECK_STR(state(m, fam, 2), "EX{}{3}");
	CHECK(!wants(m, fam, 2, 3));
	/* Group 1: the group timer runs out: INCLUDE with X, Y deleted. */
	CHECK_STR(state(m, fam, 1), "IN{1}");
	CHECK(!wants(m, fam, 1, 2));
	CHECK(wants(m, fam, 1, 1));
	CHECK(!wants(m, fam, 1, 4));
	CHECK_EVENTS("J1 E-2 XL E+3");
	CHECK_INT(amt_membership_next_expiry(m), T1 + GMI);

	/* Both run out at T1+GMI: group 2 disappears entirely, and so
	 * does group 1 with its last source. */
	amt_membership_expire(m, T1 + GMI);
	CHECK_STR(state(m, fam, 1), "none");
	CHECK_STR(state(m, fam, 2), "none");
	CHECK_EVENTS("L1 E-3 XL");
	CHECK_INT(amt_membership_num_groups(m), 0);
	CHECK_INT(amt_membership_next_expiry(m), AMT_TIME_NEVER);
	amt_membership_free(m);
}

/* A record applies the expiries due before it. */
static void test_apply_expires_first(void)
{
	struct amt_membership *m = new_memb(false);
	uint8_t fam = AF_INET;

	apply(m, fam, AMT_REC_MODE_IS_EXCLUDE, 1, "", T0);
	evlog[0] = '\0';
	/* Group timer gone by T0+GMI: the ALLOW finds INCLUDE ({}). */
	apply(m, fam, AMT_REC_ALLOW_NEW_SOURCES, 1, "1", T0 + GMI);
	CHECK_STR(state(m, fam, 1), "IN{1}");
	CHECK_EVENTS("XL J1");
	amt_membership_free(m);
}

/* Fast leave against LMQT: a TO_IN ({}) (an IGMPv2 leave as well). */
static void test_leave_modes(void)
{
	struct amt_membership *m = new_memb(false);
	uint8_t fam = AF_INET;

	apply(m, fam, AMT_REC_MODE_IS_EXCLUDE, 1, "", T0);
	apply(m, fam, AMT_REC_CHANGE_TO_INCLUDE, 1, "", T1);
	CHECK_STR(state(m, fam, 1), "none");
	CHECK_EVENTS("XJ XL");
	amt_membership_free(m);

	m = new_memb(true);
	apply(m, fam, AMT_REC_MODE_IS_EXCLUDE, 1, "", T0);
	apply(m, fam, AMT_REC_CHANGE_TO_INCLUDE, 1, "", T1);
	CHECK_STR(state(m, fam, 1), "EX{}{}");
	CHECK_INT(gtimer(m, fam, 1), T1 + LMQT);
	CHECK_INT(amt_membership_next_expiry(m), T1 + LMQT);
	amt_membership_expire(m, T1 + LMQT - 1);
	CHECK_STR(state(m, fam, 1), "EX{}{}");
	amt_membership_expire(m, T1 + LMQT);
	CHECK_STR(state(m, fam, 1), "none");
	CHECK_EVENTS("XJ XL");

	/* INCLUDE: a BLOCK lowers to LMQT, a report in time saves it. */
	apply(m, fam, AMT_REC_ALLOW_NEW_SOURCES, 1, "1 2", T0);
	apply(m, fam, AMT_REC_BLOCK_OLD_SOURCES, 1, "1 2", T1);
	apply(m, fam, AMT_REC_MODE_IS_INCLUDE, 1, "2", T1 + 100);
	amt_membership_expire(m, T1 + LMQT);
	CHECK_STR(state(m, fam, 1), "IN{2}");
	CHECK_INT(stimer(m, fam, 1, 2), T1 + 100 + GMI);
	amt_membership_free(m);
}

/* Compatibility with older versions */

static void test_igmpv2_compat(void)
{
	struct amt_membership *m = new_memb(false);
	uint8_t fam = AF_INET;
	uint64_t ohpi = GMI;

	/* An IGMPv2 report: IS_EX ({}), IGMPv2 host present. */
	CHECK_INT(apply_v(m, fam, 2, AMT_REC_MODE_IS_EXCLUDE, 1, "", T0), AMT_MEMB_OK);
	CHECK_STR(state(m, fam, 1), "EX{}{}");
	CHECK_INT(compat(m, fam, 1, T0), 2);
	CHECK_EVENTS("XJ");

	/* IGMPv3 BLOCK is ignored, TO_EX loses its sources. */
	CHECK_INT(apply(m, fam, AMT_REC_BLOCK_OLD_SOURCES, 1, "1", T1), AMT_MEMB_IGNORED);
	CHECK_INT(apply(m, fam, AMT_REC_CHANGE_TO_EXCLUDE, 1, "1 2", T1), AMT_MEMB_OK);
	CHECK_STR(state(m, fam, 1), "EX{}{}");
	CHECK_INT(gtimer(m, fam, 1), T1 + GMI);
	CHECK_EVENTS("");
	/* IS_EX and ALLOW keep their sources. */
	apply(m, fam, AMT_REC_MODE_IS_EXCLUDE, 1, "3", T1);
	CHECK_STR(state(m, fam, 1), "EX{3}{}");
	apply(m, fam, AMT_REC_ALLOW_NEW_SOURCES, 1, "4", T1);
	CHECK_STR(state(m, fam, 1), "EX{3,4}{}");
	evlog[0] = '\0';

	/* The IGMPv2 leave: TO_IN ({}), honoured; fast leave. */
	CHECK_INT(apply_v(m, fam, 2, AMT_REC_CHANGE_TO_INCLUDE, 1, "", T1), AMT_MEMB_OK);
	CHECK_STR(state(m, fam, 1), "none");
	CHECK_EVENTS("E+3 E+4 E-3 E-4 XL");

	/* The host present timer outlives a group only with the group; a
	 * report starts it, and when it runs out the group is IGMPv3 again. */
	apply_v(m, fam, 2, AMT_REC_MODE_IS_EXCLUDE, 2, "", T0);
	apply(m, fam, AMT_REC_MODE_IS_EXCLUDE, 2, "", T1);
	CHECK_INT(compat(m, fam, 2, T0 + ohpi - 1), 2);
	CHECK_INT(compat(m, fam, 2, T0 + ohpi), 3);
	CHECK_INT(apply(m, fam, AMT_REC_BLOCK_OLD_SOURCES, 2, "1", T0 + ohpi), AMT_MEMB_OK);
	CHECK_STR(state(m, fam, 2), "EX{}{1}");
	amt_membership_free(m);
}

static void test_igmpv1_compat(void)
{
	struct amt_membership *m = new_memb(false);
	uint8_t fam = AF_INET;

	CHECK_INT(apply_v(m, fam, 1, AMT_REC_MODE_IS_EXCLUDE, 1, "", T0), AMT_MEMB_OK);
	CHECK_INT(compat(m, fam, 1, T0), 1);
	/* IGMPv2 leaves and IGMPv3 TO_IN are ignored, BLOCK too. */
	CHECK_INT(apply_v(m, fam, 2, AMT_REC_CHANGE_TO_INCLUDE, 1, "", T1), AMT_MEMB_IGNORED);
	CHECK_INT(apply(m, fam, AMT_REC_CHANGE_TO_INCLUDE, 1, "1", T1), AMT_MEMB_IGNORED);
	CHECK_INT(apply(m, fam, AMT_REC_BLOCK_OLD_SOURCES, 1, "1", T1), AMT_MEMB_IGNORED);
	CHECK_STR(state(m, fam, 1), "EX{}{}");
	/* TO_EX loses its sources. */
	apply(m, fam, AMT_REC_CHANGE_TO_EXCLUDE, 1, "1", T1);
	CHECK_STR(state(m, fam, 1), "EX{}{}");

	/* An IGMPv2 report while in IGMPv1 mode: still IGMPv1 mode; when the
	 * v1 timer runs out, IGMPv2 mode (the v2 timer runs longer). */
	apply_v(m, fam, 2, AMT_REC_MODE_IS_EXCLUDE, 1, "", T1);
	CHECK_INT(compat(m, fam, 1, T1), 1);
	CHECK_INT(compat(m, fam, 1, T0 + GMI), 2);
	CHECK_INT(compat(m, fam, 1, T1 + GMI), 3);
	/* Leaves work again in IGMPv2 mode. */
	CHECK_INT(apply_v(m, fam, 2, AMT_REC_CHANGE_TO_INCLUDE, 1, "", T0 + GMI), AMT_MEMB_OK);
	CHECK_STR(state(m, fam, 1), "none");
	amt_membership_free(m);
}

static void test_mldv1_compat(void)
{
	struct amt_membership *m = new_memb(true);
	uint8_t fam = AF_INET6;

	/* MLDv1 Report: IS_EX ({}), MLDv1 host present. */
	CHECK_INT(apply_v(m, fam, 1, AMT_REC_MODE_IS_EXCLUDE, 1, "", T0), AMT_MEMB_OK);
	CHECK_INT(compat(m, fam, 1, T0), 1);
	CHECK_INT(apply(m, fam, AMT_REC_BLOCK_OLD_SOURCES, 1, "1", T1), AMT_MEMB_IGNORED);
	apply(m, fam, AMT_REC_CHANGE_TO_EXCLUDE, 1, "1", T1);
	CHECK_STR(state(m, fam, 1), "EX{}{}");
	/* MLDv1 Done: TO_IN ({}), honoured; with LMQT lowering. */
	CHECK_INT(apply_v(m, fam, 1, AMT_REC_CHANGE_TO_INCLUDE, 1, "", T1), AMT_MEMB_OK);
	CHECK_INT(gtimer(m, fam, 1), T1 + LMQT);
	amt_membership_expire(m, T1 + LMQT);
	CHECK_STR(state(m, fam, 1), "none");
	/* Without MLDv1 hosts: MLDv2 mode. */
	apply(m, fam, AMT_REC_MODE_IS_EXCLUDE, 2, "", T0);
	CHECK_INT(compat(m, fam, 2, T0), 2);
	amt_membership_free(m);
}

/* Limits */

static void test_group_limit(void)
{
	struct amt_membership_params p;
	struct amt_membership *m;
	uint8_t fam = AF_INET;

	amt_membership_params_default(&p);
	p.max_groups = 2;
	m = amt_membership_new(&p, log_change, NULL);
	evlog[0] = '\0';

	CHECK_INT(apply(m, fam, AMT_REC_MODE_IS_EXCLUDE, 1, "", T0), AMT_MEMB_OK);
	CHECK_INT(apply(m, fam, AMT_REC_ALLOW_NEW_SOURCES, 2, "1", T0), AMT_MEMB_OK);
	evlog[0] = '\0';
	CHECK_INT(apply(m, fam, AMT_REC_MODE_IS_EXCLUDE, 3, "", T0), AMT_MEMB_LIMIT);
	CHECK_INT(apply(m, fam, AMT_REC_ALLOW_NEW_SOURCES, 3, "1", T0), AMT_MEMB_LIMIT);
	CHECK_INT(apply_v(m, fam, 2, AMT_REC_MODE_IS_EXCLUDE, 3, "", T0), AMT_MEMB_LIMIT);
	CHECK_STR(state(m, fam, 3), "none");
	CHECK_INT(amt_membership_num_groups(m), 2);
	CHECK_EVENTS("");
	/* Records that create nothing pass; existing groups still work. */
	CHECK_INT(apply(m, fam, AMT_REC_BLOCK_OLD_SOURCES, 3, "1", T0), AMT_MEMB_OK);
	CHECK_INT(apply(m, fam, AMT_REC_ALLOW_NEW_SOURCES, 2, "2", T0), AMT_MEMB_OK);
	/* A group freed makes room. */
	apply(m, fam, AMT_REC_CHANGE_TO_INCLUDE, 1, "", T0);
	CHECK_INT(apply(m, fam, AMT_REC_MODE_IS_EXCLUDE, 3, "", T0), AMT_MEMB_OK);
	amt_membership_free(m);
}

static void test_source_limit(void)
{
	struct amt_membership_params p;
	struct amt_membership *m;
	uint8_t fam = AF_INET6;

	amt_membership_params_default(&p);
	p.max_sources = 4;
	m = amt_membership_new(&p, log_change, NULL);
	evlog[0] = '\0';

	/* Too many for a new group: nothing created, not even the group. */
	CHECK_INT(apply(m, fam, AMT_REC_ALLOW_NEW_SOURCES, 1, "1 2 3 4 5", T0), AMT_MEMB_LIMIT);
	CHECK_INT(apply(m, fam, AMT_REC_MODE_IS_EXCLUDE, 1, "1 2 3 4 5", T0), AMT_MEMB_LIMIT);
	CHECK_STR(state(m, fam, 1), "none");
	CHECK_EVENTS("");

	CHECK_INT(apply(m, fam, AMT_REC_ALLOW_NEW_SOURCES, 1, "1 2 3", T0), AMT_MEMB_OK);
	/* The limit is per tunnel: two more in another group is one too
	 * many, and the record is refused whole. */
	CHECK_INT(apply(m, fam, AMT_REC_MODE_IS_INCLUDE, 2, "1 2", T0), AMT_MEMB_LIMIT);
	CHECK_STR(state(m, fam, 2), "none");
	/* Known sources and duplicates do not count twice. */
	CHECK_INT(apply(m, fam, AMT_REC_ALLOW_NEW_SOURCES, 1, "3 4 4 1", T0), AMT_MEMB_OK);
	CHECK_INT(amt_membership_num_sources(m), 4);
	evlog[0] = '\0';
	CHECK_INT(apply(m, fam, AMT_REC_ALLOW_NEW_SOURCES, 1, "4 5", T1), AMT_MEMB_LIMIT);
	CHECK_STR(state(m, fam, 1), "IN{1,2,3,4}");
	/* Refused means untouched: the timer of 4 was not refreshed. */
	CHECK_INT(stimer(m, fam, 1, 4), T0 + GMI);
	CHECK_EVENTS("");
	/* IS_EX replacing the list within the limit passes. */
	CHECK_INT(apply(m, fam, AMT_REC_MODE_IS_EXCLUDE, 1, "5 6 7 8", T1), AMT_MEMB_OK);
	CHECK_STR(state(m, fam, 1), "EX{}{5,6,7,8}");
	/* EXCLUDE BLOCK adds sources too. */
	CHECK_INT(apply(m, fam, AMT_REC_BLOCK_OLD_SOURCES, 1, "9", T1), AMT_MEMB_LIMIT);
	/* Shrinking always passes. */
	CHECK_INT(apply(m, fam, AMT_REC_CHANGE_TO_EXCLUDE, 1, "5", T1), AMT_MEMB_OK);
	CHECK_INT(amt_membership_num_sources(m), 1);
	amt_membership_free(m);
}

/* Malformed records */

static void test_invalid(void)
{
	struct amt_membership *m = new_memb(false);
	struct amt_group_record rec = {
		.family = AF_INET,
		.type = AMT_REC_MODE_IS_EXCLUDE,
		.version = 3,
		.group = grp_addr(AF_INET, 1),
	};

	CHECK_INT(apply_rec(m, &rec, T0), AMT_MEMB_OK);
	/* An IPv4 group is its first four bytes, whatever follows. */
	memset(rec.group.bytes + 4, 0xee, 12);
	rec.type = AMT_REC_CHANGE_TO_INCLUDE;
	CHECK_INT(apply_rec(m, &rec, T0), AMT_MEMB_OK);
	CHECK_INT(amt_membership_num_groups(m), 0);
	rec.type = AMT_REC_MODE_IS_EXCLUDE;
	rec.group = grp_addr(AF_INET, 1);
	CHECK_INT(apply_rec(m, &rec, T0), AMT_MEMB_OK);
	amt_membership_clear(m);
	rec.family = AF_UNIX;
	CHECK_INT(apply_rec(m, &rec, T0), AMT_MEMB_INVALID);
	rec.family = AF_INET;
	rec.type = 7;
	CHECK_INT(apply_rec(m, &rec, T0), AMT_MEMB_INVALID);
	rec.type = 0;
	CHECK_INT(apply_rec(m, &rec, T0), AMT_MEMB_INVALID);
	rec.type = AMT_REC_MODE_IS_EXCLUDE;
	rec.version = 4;
	CHECK_INT(apply_rec(m, &rec, T0), AMT_MEMB_INVALID);
	rec.family = AF_INET6;
	rec.version = 3;
	rec.group = grp_addr(AF_INET6, 1);
	CHECK_INT(apply_rec(m, &rec, T0), AMT_MEMB_INVALID);
	rec.version = 2;
	rec.group = src_addr(AF_INET6, 1);
	CHECK_INT(apply_rec(m, &rec, T0), AMT_MEMB_INVALID);
	rec.family = AF_INET;
	rec.group = src_addr(AF_INET, 1);
	rec.version = 3;
	CHECK_INT(apply_rec(m, &rec, T0), AMT_MEMB_INVALID);
	rec.group = grp_addr(AF_INET, 1);
	rec.num_sources = 1;
	CHECK_INT(apply_rec(m, &rec, T0), AMT_MEMB_INVALID);
	CHECK_INT(amt_membership_num_groups(m), 0);
	amt_membership_free(m);
}

/* Iteration, replay and clear */

static void test_iteration(void)
{
	struct amt_membership *m = new_memb(false);
	const struct amt_mgroup *g;
	struct amt_mgroup_info gi;
	int n = 0;

	apply(m, AF_INET6, AMT_REC_ALLOW_NEW_SOURCES, 3, "1", T0);
	apply(m, AF_INET, AMT_REC_MODE_IS_EXCLUDE, 9, "2", T0);
	apply(m, AF_INET, AMT_REC_ALLOW_NEW_SOURCES, 4, "1 2", T0);
	for (g = amt_membership_group_first(m); g; g = amt_membership_group_next(m, g)) {
		amt_mgroup_get_info(g, T0, &gi);
		switch (n++) {
		case 0:
			CHECK_INT(gi.family, AF_INET);
			CHECK_INT(gi.group.bytes[3], 4);
			CHECK_INT(gi.mode, AMT_FILTER_INCLUDE);
			CHECK_INT(gi.num_sources, 2);
			CHECK_INT(gi.compat_version, 3);
			break;
		case 1:
			CHECK_INT(gi.group.bytes[3], 9);
			CHECK_INT(gi.mode, AMT_FILTER_EXCLUDE);
			CHECK_INT(gi.group_timer, T0 + GMI);
			CHECK_INT(gi.num_sources, 1);
			break;
		case 2:
			CHECK_INT(gi.family, AF_INET6);
			CHECK_INT(gi.compat_version, 2);
			break;
		}
	}
	CHECK_INT(n, 3);
	CHECK_INT(amt_membership_num_groups(m), 3);
	CHECK_INT(amt_membership_num_sources(m), 4);

	evlog[0] = '\0';
	amt_membership_replay(m);
	CHECK_EVENTS("J1 J2 XJ E+2 J1");
	amt_membership_clear(m);
	CHECK_EVENTS("L1 L2 E-2 XL L1");
	CHECK_INT(amt_membership_num_groups(m), 0);
	CHECK_INT(amt_membership_num_sources(m), 0);
	CHECK_INT(amt_membership_next_expiry(m), AMT_TIME_NEVER);
	CHECK(!wants(m, AF_INET, 9, 1));
	amt_membership_free(m);
}

/* Every allocation of the AMTD memory group is returned. */
static int count_amtd(void *arg, struct memgroup *mg, struct memtype *mt)
{
	size_t *n = arg;

	if (mt && !strcmp(mg->name, "amtd"))
		*n += mt->n_alloc;
	return 0;
}

static void test_no_leaks(void)
{
	size_t n = 0;

	qmem_walk(count_amtd, &n);
	CHECK_INT(n, 0);
}

int main(void)
{
	uint8_t fams[] = { AF_INET, AF_INET6 };
	size_t i;

	for (i = 0; i < array_size(fams); i++) {
		uint8_t fam = fams[i];

		test_in_is_in(fam);
		test_in_is_ex(fam);
		test_ex_is_in(fam, AMT_REC_MODE_IS_INCLUDE);
		test_ex_is_ex(fam);
		test_in_allow(fam);
		test_in_block(fam);
		test_in_to_ex(fam);
		test_in_to_in(fam);
		test_ex_is_in(fam, AMT_REC_ALLOW_NEW_SOURCES);
		test_ex_block(fam);
		test_ex_to_ex(fam);
		test_ex_to_in(fam);
		test_from_nothing(fam);
	}
	test_include_expiry();
	test_exclude_expiry();
	test_apply_expires_first();
	test_leave_modes();
	test_igmpv2_compat();
	test_igmpv1_compat();
	test_mldv1_compat();
	test_group_limit();
	test_source_limit();
	test_invalid();
	test_iteration();
	test_no_leaks();
	return amt_test_summary("test_amt_membership");
}
