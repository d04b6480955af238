// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the relay's flow index: fan-out sets for INCLUDE and
 * EXCLUDE tunnels, union state and its change reports, tunnel removal,
 * rebuilding from the memberships, a scale check that a lookup touches
 * only the matching tunnels, and that all memory is returned.
 *
 * Tunnels are fed by real membership objects.  Sources are numbers n
 * (10.0.n/16, 2001:db8::n), groups likewise (232.1.1.n, ff3e::n).
 */
#include <zebra.h>

#include "memory.h"

#include "amtd/amt_flow_index.h"
#include "amtd/amt_membership.h"
#include "amt_test.h"

#define NOW 1000ULL

struct tun {
	int id;
	struct amt_membership *m;
	struct amt_fi_tunnel *t;
};

static struct amt_membership_params params;

/* Addresses */

static union amt_ip src_addr(uint8_t fam, int n)
{
	union amt_ip a = {};

	if (fam == AF_INET) {
		a.bytes[0] = 10;
		a.bytes[2] = n >> 8;
		a.bytes[3] = n;
	} else {
		a.bytes[0] = 0x20;
		a.bytes[1] = 0x01;
		a.bytes[2] = 0x0d;
		a.bytes[3] = 0xb8;
		a.bytes[14] = n >> 8;
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

static int addr_num(uint8_t fam, const union amt_ip *a)
{
	return fam == AF_INET ? (a->bytes[2] << 8 | a->bytes[3])
			      : (a->bytes[14] << 8 | a->bytes[15]);
}

static int grp_num(uint8_t fam, const union amt_ip *a)
{
	return fam == AF_INET ? a->bytes[3] : a->bytes[15];
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

/* Tunnels */

static void tun_open(struct amt_flow_index *idx, struct tun *t, int id)
{
	t->id = id;
	t->t = amt_flow_index_tunnel_add(idx, t);
	t->m = amt_membership_new(&params, amt_flow_index_membership_cb, t->t);
}

static void tun_close(struct tun *t)
{
	amt_flow_index_tunnel_del(t->t);
	amt_membership_free(t->m);
	t->t = NULL;
	t->m = NULL;
}

static int apply(struct tun *t, uint8_t fam, uint8_t type, int grp, const char *srcs)
{
	static uint8_t buf[64 * 16];
	struct amt_group_record rec = {
		.family = fam,
		.type = type,
		.version = fam == AF_INET ? 3 : 2,
		.group = grp_addr(fam, grp),
		.sources = buf,
	};
	size_t alen = fam == AF_INET ? 4 : 16;
	char *end;
	long n;

	while (srcs && *srcs) {
		n = strtol(srcs, &end, 10);
		if (end == srcs)
			break;
		union amt_ip a = src_addr(fam, n);

		memcpy(buf + rec.num_sources * alen, a.bytes, alen);
		rec.num_sources++;
		srcs = end;
	}
	return amt_membership_apply(t->m, &rec, NOW);
}

/* Fan-out as a sorted list of tunnel ids, "1,3". */
static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static const char *fanout(struct amt_flow_index *idx, uint8_t fam, int src, int grp)
{
	static char buf[1024];
	static int ids[1024];
	union amt_ip s = src_addr(fam, src), g = grp_addr(fam, grp);
	struct amt_fanout f = amt_flow_index_lookup(idx, fam, &s, &g);
	size_t len = 0;
	uint32_t i;

	buf[0] = '\0';
	for (i = 0; i < f.count && i < array_size(ids); i++)
		ids[i] = ((struct tun *)f.owners[i])->id;
	qsort(ids, i, sizeof(ids[0]), cmp_int);
	for (uint32_t j = 0; j < i; j++)
		len += snprintf(buf + len, sizeof(buf) - len, "%s%d", j ? "," : "", ids[j]);
	return buf;
}

/* The fan-out must be what the tunnels' own wants() say, each once. */
static void check_brute_force(struct amt_flow_index *idx, struct tun *tuns, int ntuns, uint8_t fam,
			      int maxsrc, int maxgrp)
{
	for (int g = 1; g <= maxgrp; g++) {
		for (int s = 1; s <= maxsrc; s++) {
			union amt_ip sa = src_addr(fam, s), ga = grp_addr(fam, g);
			struct amt_fanout f = amt_flow_index_lookup(idx, fam, &sa, &ga);
			uint32_t want = 0, hits = 0;

			for (int i = 0; i < ntuns; i++) {
				if (!tuns[i].m || !amt_membership_wants(tuns[i].m, fam, &sa, &ga))
					continue;
				want++;
				for (uint32_t j = 0; j < f.count; j++)
					hits += f.owners[j] == &tuns[i];
			}
			CHECK_INT(f.count, want);
			CHECK_INT(hits, want);
		}
	}
}

/* Union change reports, as "IN>EX +3 -1,2" joined by "; ". */
static char ulog[4096];

static void addr_list(char *buf, size_t size, uint8_t fam, const union amt_ip *a, uint32_t n)
{
	static int nums[1024];
	size_t len = 0;
	uint32_t i;

	for (i = 0; i < n && i < array_size(nums); i++)
		nums[i] = addr_num(fam, &a[i]);
	qsort(nums, i, sizeof(nums[0]), cmp_int);
	buf[0] = '\0';
	for (uint32_t j = 0; j < i; j++)
		len += snprintf(buf + len, size - len, "%s%d", j ? "," : "", nums[j]);
}

static const char *mode_str(enum amt_filter_mode mode)
{
	return mode == AMT_FILTER_EXCLUDE ? "EX" : "IN";
}

static void log_union(void *arg, const struct amt_union_change *c)
{
	char add[512], del[512];
	size_t len = strlen(ulog);

	addr_list(add, sizeof(add), c->family, c->added, c->num_added);
	addr_list(del, sizeof(del), c->family, c->removed, c->num_removed);
	snprintf(ulog + len, sizeof(ulog) - len, "%sG%d %s>%s +%s -%s", len ? "; " : "",
		 grp_num(c->family, c->group), mode_str(c->old_mode), mode_str(c->new_mode), add,
		 del);
}

static const char *flush(struct amt_flow_index *idx)
{
	static char out[4096];

	ulog[0] = '\0';
	amt_flow_index_flush(idx);
	snprintf(out, sizeof(out), "%s", ulog);
	return out;
}

/* The union state as a walk sees it: "G1 EX{3}; G2 IN{1}". */
static char wlog[4096];

static void log_state(void *arg, const struct amt_union_state *st)
{
	char list[512];
	size_t len = strlen(wlog);

	addr_list(list, sizeof(list), st->family, st->sources, st->num_sources);
	snprintf(wlog + len, sizeof(wlog) - len, "%sG%d %s{%s}", len ? "; " : "",
		 grp_num(st->family, st->group), mode_str(st->mode), list);
}

static const char *walk(struct amt_flow_index *idx)
{
	wlog[0] = '\0';
	amt_flow_index_union_walk(idx, log_state, NULL);
	return wlog;
}

/* The union computed from the tunnels' own states (RFC 3376 3.2): for the
 * fuzzer-style cross-check of the reported state. */
static const char *union_brute(struct tun *tuns, int ntuns, uint8_t fam, int grp, int maxsrc)
{
	static char buf[512];
	union amt_ip ga = grp_addr(fam, grp);
	bool any_ex = false, any = false;
	size_t len;
	int i, s;

	for (i = 0; i < ntuns; i++) {
		const struct amt_mgroup *g;
		struct amt_mgroup_info gi;

		if (!tuns[i].m)
			continue;
		g = amt_membership_group_find(tuns[i].m, fam, &ga);
		if (!g)
			continue;
		any = true;
		amt_mgroup_get_info(g, NOW, &gi);
		any_ex = any_ex || gi.mode == AMT_FILTER_EXCLUDE;
	}
	if (!any)
		return "";
	snprintf(buf, sizeof(buf), "G%d %s{", grp, any_ex ? "EX" : "IN");
	len = strlen(buf);
	for (s = 1; s <= maxsrc; s++) {
		union amt_ip sa = src_addr(fam, s);
		bool all_ex = true, incl = false;

		for (i = 0; i < ntuns; i++) {
			const struct amt_mgroup *g;
			struct amt_mgroup_info gi;
			bool w;

			if (!tuns[i].m)
				continue;
			g = amt_membership_group_find(tuns[i].m, fam, &ga);
			if (!g)
				continue;
			amt_mgroup_get_info(g, NOW, &gi);
			w = amt_membership_wants(tuns[i].m, fam, &sa, &ga);
			if (gi.mode == AMT_FILTER_INCLUDE)
				incl = incl || w;
			else
				all_ex = all_ex && !w;
		}
		if (any_ex ? (all_ex && !incl) : incl)
			len += snprintf(buf + len, sizeof(buf) - len, "%s%d",
					buf[len - 1] == '{' ? "" : ",", s);
	}
	snprintf(buf + len, sizeof(buf) - len, "}");
	return buf;
}

static void check_union_brute(struct amt_flow_index *idx, struct tun *tuns, int ntuns, uint8_t fam,
			      int grp, int maxsrc)
{
	union amt_ip ga = grp_addr(fam, grp);
	char want[512];

	snprintf(want, sizeof(want), "%s", union_brute(tuns, ntuns, fam, grp, maxsrc));
	wlog[0] = '\0';
	amt_flow_index_union_group(idx, fam, &ga, log_state, NULL);
	CHECK_STR(wlog, want);
}

/* Tests */

static void test_fanout_combinations(uint8_t fam)
{
	struct amt_flow_index *idx = amt_flow_index_new(NULL, NULL);
	struct tun tuns[6] = {};
	int i;

	for (i = 1; i < 6; i++)
		tun_open(idx, &tuns[i], i);
	apply(&tuns[1], fam, AMT_REC_ALLOW_NEW_SOURCES, 1, "1");
	apply(&tuns[2], fam, AMT_REC_MODE_IS_EXCLUDE, 1, "1");
	apply(&tuns[3], fam, AMT_REC_MODE_IS_EXCLUDE, 1, "2");
	apply(&tuns[4], fam, AMT_REC_ALLOW_NEW_SOURCES, 1, "2");
	apply(&tuns[5], fam, AMT_REC_ALLOW_NEW_SOURCES, 2, "1");
	amt_flow_index_flush(idx);

	CHECK_STR(fanout(idx, fam, 1, 1), "1,3");
	CHECK_STR(fanout(idx, fam, 2, 1), "2,4");
	/* A source nobody names: the EXCLUDE tunnels. */
	CHECK_STR(fanout(idx, fam, 3, 1), "2,3");
	CHECK_STR(fanout(idx, fam, 1, 2), "5");
	CHECK_STR(fanout(idx, fam, 2, 2), "");
	CHECK_STR(fanout(idx, fam, 1, 3), "");
	/* Bytes an IPv4 address does not use are not looked at. */
	if (fam == AF_INET) {
		union amt_ip sa = src_addr(fam, 1), ga = grp_addr(fam, 1);

		memset(sa.bytes + 4, 0xa5, 12);
		memset(ga.bytes + 4, 0x5a, 12);
		CHECK_INT(amt_flow_index_lookup(idx, fam, &sa, &ga).count, 2);
		CHECK(amt_membership_wants(tuns[1].m, fam, &sa, &ga));
	}
	/* The other family shares nothing. */
	CHECK_STR(fanout(idx, fam == AF_INET ? AF_INET6 : AF_INET, 1, 1), "");
	check_brute_force(idx, tuns, 6, fam, 4, 3);

	/* EXCLUDE, ALLOW of an excluded source: forwarded again. */
	apply(&tuns[3], fam, AMT_REC_ALLOW_NEW_SOURCES, 1, "2");
	CHECK_STR(fanout(idx, fam, 2, 1), "2,3,4");
	/* A leave takes tunnel 2 out of (*,G). */
	apply(&tuns[2], fam, AMT_REC_CHANGE_TO_INCLUDE, 1, "");
	CHECK_STR(fanout(idx, fam, 3, 1), "3");
	CHECK_STR(fanout(idx, fam, 1, 1), "1,3");
	/* INCLUDE to EXCLUDE and back. */
	apply(&tuns[1], fam, AMT_REC_CHANGE_TO_EXCLUDE, 1, "4");
	CHECK_STR(fanout(idx, fam, 1, 1), "1,3");
	CHECK_STR(fanout(idx, fam, 4, 1), "3");
	CHECK_STR(fanout(idx, fam, 5, 1), "1,3");
	apply(&tuns[1], fam, AMT_REC_CHANGE_TO_INCLUDE, 1, "5");
	CHECK_STR(fanout(idx, fam, 5, 1), "1,3");
	CHECK_STR(fanout(idx, fam, 6, 1), "3");
	amt_flow_index_flush(idx);
	check_brute_force(idx, tuns, 6, fam, 6, 3);

	for (i = 1; i < 6; i++)
		tun_close(&tuns[i]);
	amt_flow_index_flush(idx);
	amt_flow_index_free(idx);
}

static void test_union_reports(uint8_t fam)
{
	struct amt_flow_index *idx = amt_flow_index_new(log_union, NULL);
	struct amt_flow_index_stats st;
	struct tun tuns[5] = {};
	int i;

	for (i = 1; i < 5; i++)
		tun_open(idx, &tuns[i], i);

	apply(&tuns[1], fam, AMT_REC_ALLOW_NEW_SOURCES, 1, "1 2");
	CHECK_STR(flush(idx), "G1 IN>IN +1,2 -");
	CHECK_STR(walk(idx), "G1 IN{1,2}");

	/* EXCLUDE joins: exclusions minus what INCLUDE members want. */
	apply(&tuns[2], fam, AMT_REC_MODE_IS_EXCLUDE, 1, "1 3");
	CHECK_STR(flush(idx), "G1 IN>EX +3 -1,2");
	CHECK_STR(walk(idx), "G1 EX{3}");
	check_union_brute(idx, tuns, 5, fam, 1, 6);

	/* A second EXCLUDE member: the intersection, no change. */
	apply(&tuns[3], fam, AMT_REC_MODE_IS_EXCLUDE, 1, "3 4");
	CHECK_STR(flush(idx), "");
	CHECK_STR(walk(idx), "G1 EX{3}");

	apply(&tuns[3], fam, AMT_REC_MODE_IS_EXCLUDE, 1, "4");
	CHECK_STR(flush(idx), "G1 EX>EX + -3");
	check_union_brute(idx, tuns, 5, fam, 1, 6);

	/* Tunnel 2 leaves: only tunnel 3's exclusions count. */
	apply(&tuns[2], fam, AMT_REC_CHANGE_TO_INCLUDE, 1, "");
	CHECK_STR(flush(idx), "G1 EX>EX +4 -");
	check_union_brute(idx, tuns, 5, fam, 1, 6);

	/* Within one batch, a join and its undoing report nothing. */
	apply(&tuns[4], fam, AMT_REC_ALLOW_NEW_SOURCES, 1, "4");
	apply(&tuns[4], fam, AMT_REC_BLOCK_OLD_SOURCES, 1, "4");
	apply(&tuns[4], fam, AMT_REC_ALLOW_NEW_SOURCES, 2, "4");
	apply(&tuns[4], fam, AMT_REC_CHANGE_TO_INCLUDE, 2, "");
	CHECK_STR(flush(idx), "");

	/* An INCLUDE member of an excluded source takes it off the list. */
	apply(&tuns[4], fam, AMT_REC_ALLOW_NEW_SOURCES, 1, "4");
	CHECK_STR(flush(idx), "G1 EX>EX + -4");
	check_union_brute(idx, tuns, 5, fam, 1, 6);
	apply(&tuns[4], fam, AMT_REC_BLOCK_OLD_SOURCES, 1, "4");
	CHECK_STR(flush(idx), "G1 EX>EX +4 -");

	/* The last EXCLUDE tunnel goes away without a word of its own. */
	tun_close(&tuns[3]);
	CHECK_STR(flush(idx), "G1 EX>IN +1,2 -4");
	CHECK_STR(walk(idx), "G1 IN{1,2}");
	check_union_brute(idx, tuns, 5, fam, 1, 6);

	/* A second group reports on its own. */
	apply(&tuns[2], fam, AMT_REC_MODE_IS_EXCLUDE, 2, "");
	apply(&tuns[1], fam, AMT_REC_ALLOW_NEW_SOURCES, 1, "3");
	CHECK_STR(flush(idx), "G2 IN>EX + -; G1 IN>IN +3 -");

	amt_membership_clear(tuns[1].m);
	amt_membership_clear(tuns[2].m);
	CHECK_STR(flush(idx), "G1 IN>IN + -1,2,3; G2 EX>IN + -");
	CHECK_STR(walk(idx), "");
	amt_flow_index_get_stats(idx, &st);
	CHECK_INT(st.groups, 0);
	CHECK_INT(st.sources, 0);
	CHECK_INT(st.refs, 0);
	CHECK_INT(st.tunnels, 3);
	CHECK_INT(st.bad_changes, 0);

	for (i = 1; i < 5; i++)
		if (tuns[i].m)
			tun_close(&tuns[i]);
	amt_flow_index_free(idx);
}

static void test_tunnel_removal(void)
{
	struct amt_flow_index *idx = amt_flow_index_new(log_union, NULL);
	struct amt_flow_index_stats st;
	struct tun tuns[3] = {};
	uint8_t fam = AF_INET6;

	tun_open(idx, &tuns[1], 1);
	tun_open(idx, &tuns[2], 2);
	apply(&tuns[1], fam, AMT_REC_MODE_IS_EXCLUDE, 1, "1 2");
	apply(&tuns[1], fam, AMT_REC_ALLOW_NEW_SOURCES, 2, "1 2 3");
	apply(&tuns[1], AF_INET, AMT_REC_ALLOW_NEW_SOURCES, 2, "1");
	apply(&tuns[2], fam, AMT_REC_ALLOW_NEW_SOURCES, 2, "3");
	amt_flow_index_flush(idx);
	CHECK_STR(fanout(idx, fam, 3, 2), "1,2");
	CHECK_STR(fanout(idx, fam, 3, 1), "1");

	amt_flow_index_tunnel_del(tuns[1].t);
	tuns[1].t = NULL;
	CHECK_STR(fanout(idx, fam, 3, 2), "2");
	CHECK_STR(fanout(idx, fam, 3, 1), "");
	CHECK_STR(fanout(idx, AF_INET, 1, 2), "");
	CHECK_STR(flush(idx), "G1 EX>IN + -1,2; G2 IN>IN + -1,2; G2 IN>IN + -1");
	amt_flow_index_get_stats(idx, &st);
	CHECK_INT(st.tunnels, 1);
	CHECK_INT(st.groups, 1);
	CHECK_INT(st.sources, 1);
	CHECK_INT(st.refs, 1);
	CHECK_INT(st.bad_changes, 0);

	amt_membership_free(tuns[1].m);
	tun_close(&tuns[2]);
	amt_flow_index_free(idx);
}

/* A fan-out list is resolved once and reused until something changes. */
static void test_cache(void)
{
	struct amt_flow_index *idx = amt_flow_index_new(NULL, NULL);
	struct amt_flow_index_stats a, b;
	struct tun tuns[3] = {};
	uint8_t fam = AF_INET;

	tun_open(idx, &tuns[1], 1);
	tun_open(idx, &tuns[2], 2);
	apply(&tuns[1], fam, AMT_REC_ALLOW_NEW_SOURCES, 1, "1");
	apply(&tuns[2], fam, AMT_REC_MODE_IS_EXCLUDE, 1, "");
	CHECK_STR(fanout(idx, fam, 1, 1), "1,2");
	amt_flow_index_get_stats(idx, &a);
	CHECK_STR(fanout(idx, fam, 1, 1), "1,2");
	CHECK_STR(fanout(idx, fam, 1, 1), "1,2");
	amt_flow_index_get_stats(idx, &b);
	CHECK_INT(b.lookups - a.lookups, 2);
	CHECK_INT(b.resolves - a.resolves, 0);

	/* A change of the group's EXCLUDE list invalidates the source's
	 * list too. */
	apply(&tuns[2], fam, AMT_REC_CHANGE_TO_EXCLUDE, 1, "1");
	CHECK_STR(fanout(idx, fam, 1, 1), "1");
	apply(&tuns[2], fam, AMT_REC_CHANGE_TO_INCLUDE, 1, "");
	CHECK_STR(fanout(idx, fam, 2, 1), "");
	apply(&tuns[2], fam, AMT_REC_MODE_IS_EXCLUDE, 1, "");
	CHECK_STR(fanout(idx, fam, 2, 1), "2");
	CHECK_STR(fanout(idx, fam, 1, 1), "1,2");
	amt_flow_index_get_stats(idx, &a);
	CHECK_INT(a.resolves - b.resolves, 4);

	tun_close(&tuns[1]);
	tun_close(&tuns[2]);
	amt_flow_index_free(idx);
}

static void test_rebuild(void)
{
	struct amt_flow_index *idx = amt_flow_index_new(NULL, NULL);
	struct amt_flow_index *idx2 = amt_flow_index_new(NULL, NULL);
	struct tun tuns[4] = {};
	char before[2][6][64];
	int i, s, g;

	for (i = 1; i < 4; i++)
		tun_open(idx, &tuns[i], i);
	apply(&tuns[1], AF_INET, AMT_REC_MODE_IS_EXCLUDE, 1, "1 2");
	apply(&tuns[1], AF_INET, AMT_REC_ALLOW_NEW_SOURCES, 1, "2 3");
	apply(&tuns[2], AF_INET, AMT_REC_ALLOW_NEW_SOURCES, 1, "1 4");
	apply(&tuns[3], AF_INET, AMT_REC_MODE_IS_EXCLUDE, 2, "4");
	amt_flow_index_flush(idx);
	for (g = 0; g < 2; g++)
		for (s = 0; s < 6; s++)
			snprintf(before[g][s], sizeof(before[g][s]), "%s",
				 fanout(idx, AF_INET, s + 1, g + 1));
	CHECK_STR(before[0][0], "2");
	CHECK_STR(before[1][3], "");

	/* Feed a fresh index from the memberships' current state. */
	for (i = 1; i < 4; i++) {
		struct amt_fi_tunnel *t2 = amt_flow_index_tunnel_add(idx2, &tuns[i]);

		amt_membership_set_change_fn(tuns[i].m, amt_flow_index_membership_cb, t2);
		amt_membership_replay(tuns[i].m);
		amt_flow_index_tunnel_del(tuns[i].t);
		tuns[i].t = t2;
	}
	amt_flow_index_flush(idx);
	amt_flow_index_flush(idx2);
	for (g = 0; g < 2; g++)
		for (s = 0; s < 6; s++) {
			CHECK_STR(fanout(idx, AF_INET, s + 1, g + 1), "");
			CHECK_STR(fanout(idx2, AF_INET, s + 1, g + 1), before[g][s]);
		}
	check_brute_force(idx2, tuns, 4, AF_INET, 6, 2);
	check_union_brute(idx2, tuns, 4, AF_INET, 1, 6);
	check_union_brute(idx2, tuns, 4, AF_INET, 2, 6);

	for (i = 1; i < 4; i++)
		tun_close(&tuns[i]);
	amt_flow_index_free(idx);
	amt_flow_index_free(idx2);
}

/* Changes that do not fit the index are counted and ignored. */
static void test_bad_changes(void)
{
	struct amt_flow_index *idx = amt_flow_index_new(NULL, NULL);
	struct amt_flow_index_stats st;
	struct tun t = {};
	union amt_ip g = grp_addr(AF_INET, 1), s = src_addr(AF_INET, 1);
	struct amt_memb_change c = {
		.family = AF_INET,
		.group = &g,
		.source = &s,
	};

	tun_open(idx, &t, 1);
	c.event = AMT_MEMB_SG_LEAVE;
	amt_flow_index_change(t.t, &c);
	c.event = AMT_MEMB_XG_EXCL_ADD;
	amt_flow_index_change(t.t, &c);
	c.event = AMT_MEMB_SG_JOIN;
	amt_flow_index_change(t.t, &c);
	amt_flow_index_change(t.t, &c);
	c.event = AMT_MEMB_SG_JOIN;
	c.source = NULL;
	amt_flow_index_change(t.t, &c);
	amt_flow_index_flush(idx);
	amt_flow_index_get_stats(idx, &st);
	CHECK_INT(st.bad_changes, 4);
	CHECK_INT(st.refs, 1);
	CHECK_STR(fanout(idx, AF_INET, 1, 1), "1");
	tun_close(&t);
	amt_flow_index_flush(idx);
	amt_flow_index_get_stats(idx, &st);
	CHECK_INT(st.groups, 0);
	amt_flow_index_free(idx);
}

static int count_amtd(void *arg, struct memgroup *mg, struct memtype *mt)
{
	size_t *n = arg;

	if (mt && !strcmp(mg->name, "amtd"))
		*n += mt->n_alloc;
	return 0;
}

#ifdef HAVE_MALLOC_USABLE_SIZE
static int bytes_amtd(void *arg, struct memgroup *mg, struct memtype *mt)
{
	size_t *n = arg;

	if (mt && !strcmp(mg->name, "amtd"))
		*n += mt->total;
	return 0;
}
#endif

/*
 * 10,000 tunnels: three want (S1,G1); the rest are in other groups, other
 * sources of G1, or EXCLUDE on G3.  A lookup of (S1,G1) walks exactly the
 * three entries that match.
 */
#define SCALE_TUNNELS 10000

static void test_scale(void)
{
	struct amt_flow_index *idx = amt_flow_index_new(NULL, NULL);
	struct tun *tuns = calloc(SCALE_TUNNELS, sizeof(*tuns));
	struct amt_flow_index_stats a, b;
	char src[16];
	int i;

	for (i = 0; i < SCALE_TUNNELS; i++) {
		tun_open(idx, &tuns[i], i);
		if (i == 17 || i == 4242 || i == 9999) {
			apply(&tuns[i], AF_INET, AMT_REC_ALLOW_NEW_SOURCES, 1, "1");
			continue;
		}
		snprintf(src, sizeof(src), "%d", 2 + i % 1000);
		switch (i % 3) {
		case 0:
			apply(&tuns[i], AF_INET, AMT_REC_ALLOW_NEW_SOURCES, 2, src);
			break;
		case 1:
			apply(&tuns[i], AF_INET, AMT_REC_MODE_IS_EXCLUDE, 3, "1");
			break;
		case 2:
			apply(&tuns[i], AF_INET, AMT_REC_ALLOW_NEW_SOURCES, 1, src);
			break;
		}
	}
	amt_flow_index_flush(idx);

	amt_flow_index_get_stats(idx, &a);
	CHECK_STR(fanout(idx, AF_INET, 1, 1), "17,4242,9999");
	amt_flow_index_get_stats(idx, &b);
	CHECK_INT(b.resolves - a.resolves, 1);
	CHECK_INT(b.resolve_visits - a.resolve_visits, 3);
	/* Cached afterwards: nothing walked at all. */
	for (i = 0; i < 1000; i++)
		amt_flow_index_lookup(idx, AF_INET, &(union amt_ip){ .bytes = { 10, 0, 0, 1 } },
				      &(union amt_ip){ .bytes = { 232, 1, 1, 1 } });
	amt_flow_index_get_stats(idx, &a);
	CHECK_INT(a.resolve_visits - b.resolve_visits, 0);
	CHECK_INT(a.lookups - b.lookups, 1000);

	/* G3: 3333 EXCLUDE tunnels; S1 excluded by all, S2 by none. */
	CHECK_INT(amt_flow_index_lookup(idx, AF_INET, &(union amt_ip){ .bytes = { 10, 0, 0, 1 } },
					&(union amt_ip){ .bytes = { 232, 1, 1, 3 } })
			  .count,
		  0);
	CHECK_INT(amt_flow_index_lookup(idx, AF_INET, &(union amt_ip){ .bytes = { 10, 0, 0, 2 } },
					&(union amt_ip){ .bytes = { 232, 1, 1, 3 } })
			  .count,
		  3333);

#ifdef HAVE_MALLOC_USABLE_SIZE
	{
		size_t bytes = 0;

		qmem_walk(bytes_amtd, &bytes);
		printf("scale: %d tunnels, %zu bytes of membership and index state (%zu per tunnel)\n",
		       SCALE_TUNNELS, bytes, bytes / SCALE_TUNNELS);
		CHECK(bytes / SCALE_TUNNELS <= 1024);
	}
#endif

	for (i = 0; i < SCALE_TUNNELS; i++)
		tun_close(&tuns[i]);
	amt_flow_index_flush(idx);
	amt_flow_index_get_stats(idx, &a);
	CHECK_INT(a.groups, 0);
	CHECK_INT(a.sources, 0);
	CHECK_INT(a.refs, 0);
	CHECK_INT(a.tunnels, 0);
	amt_flow_index_free(idx);
	free(tuns);
}

static void test_no_leaks(void)
{
	size_t n = 0;

	qmem_walk(count_amtd, &n);
	CHECK_INT(n, 0);
}

int main(void)
{
	amt_membership_params_default(&params);
	test_fanout_combinations(AF_INET);
	test_fanout_combinations(AF_INET6);
	test_union_reports(AF_INET);
	test_union_reports(AF_INET6);
	test_tunnel_removal();
	test_cache();
	test_rebuild();
	test_bad_changes();
	test_scale();
	test_no_leaks();
	return amt_test_summary("test_amt_flow_index");
}
