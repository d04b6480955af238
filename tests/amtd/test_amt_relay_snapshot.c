// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the relay restart snapshot codec: round trip, every
 * truncation, every single bit flip, another version, trailing bytes,
 * hostile content under a valid checksum, out-of-order reads; the journal:
 * replay of base and journal, delete after upsert, a torn tail at every
 * byte, a corrupt record in the middle, a journal of another base, and
 * compaction (the merged state written as a new base is the same state).
 */
#include <zebra.h>

#include <arpa/inet.h>

#include "sha256.h"

#include "amtd/amt_membership.h"
#include "amtd/amt_relay_snapshot.h"
#include "tests/amtd/amt_test.h"

static void set4(struct amt_ipaddr *a, const char *s)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	inet_pton(AF_INET, s, &a->ip.v4);
}

static void set6(struct amt_ipaddr *a, const char *s)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET6;
	inet_pton(AF_INET6, s, &a->ip.v6);
}

static void sample_header(struct amt_snap_header *h)
{
	memset(h, 0, sizeof(*h));
	h->cfg.port = 2268;
	set4(&h->cfg.local[0], "192.0.2.1");
	set6(&h->cfg.local[1], "2001:db8::1");
	set4(&h->cfg.discovery[0], "192.0.2.100");
	h->written_ms = 1790000000123ULL;
	h->has_cur = h->has_prev = true;
	for (int i = 0; i < AMT_MAC_SECRET_LEN; i++) {
		h->cur[i] = i * 7 + 1;
		h->prev[i] = 255 - i;
	}
	h->cur_age_ms = 12345;
	h->prev_left_ms = 3587655;
}

static void put_group(struct amt_snap_writer *w, int family, const char *grp, uint8_t mode,
		      uint64_t group_left, uint64_t v2_left, uint32_t sources)
{
	struct amt_snap_group g = {};
	struct amt_ipaddr a;

	if (family == AF_INET)
		set4(&a, grp);
	else
		set6(&a, grp);
	g.family = family;
	g.group = a.ip;
	g.mode = mode;
	g.group_left_ms = group_left;
	g.v2_left_ms = v2_left;
	g.sources = sources;
	amt_snap_put_group(w, &g);
}

static void put_source(struct amt_snap_writer *w, int family, const char *src, uint64_t left)
{
	struct amt_snap_source s = {};
	struct amt_ipaddr a;

	if (family == AF_INET)
		set4(&a, src);
	else
		set6(&a, src);
	s.addr = a.ip;
	s.left_ms = left;
	amt_snap_put_source(w, &s);
}

/* Two tunnels: an IPv4 one with INCLUDE and EXCLUDE groups, an IPv6 one. */
static int sample(const uint8_t **buf, size_t *len, struct amt_snap_writer *w)
{
	struct amt_snap_header h;
	struct amt_snap_tunnel t = {};

	sample_header(&h);
	amt_snap_writer_init(w, &h);

	set4(&t.gw, "198.51.100.7");
	t.gw_port = 40000;
	set4(&t.local, "192.0.2.1");
	t.nonce = 0xdeadbeef;
	t.query_nonce = 0x01020304;
	t.age_ms = 99000;
	t.update_age_ms = 1000;
	t.groups = 2;
	amt_snap_put_tunnel(w, &t);
	put_group(w, AF_INET, "232.1.1.1", AMT_FILTER_INCLUDE, 0, 0, 2);
	put_source(w, AF_INET, "10.0.0.1", 250000);
	put_source(w, AF_INET, "10.0.0.2", 1);
	put_group(w, AF_INET, "239.1.1.1", AMT_FILTER_EXCLUDE, 200000, 5000, 1);
	put_source(w, AF_INET, "10.0.0.9", 0); /* excluded */

	memset(&t, 0, sizeof(t));
	set6(&t.gw, "2001:db8:1::7");
	t.gw_port = 2268;
	set4(&t.local, "192.0.2.100");
	t.discovery = true;
	t.nonce = 7;
	t.groups = 1;
	amt_snap_put_tunnel(w, &t);
	put_group(w, AF_INET6, "ff3e::8000:1", AMT_FILTER_INCLUDE, 0, 0, 1);
	put_source(w, AF_INET6, "2001:db8:2::1", 260000);

	return amt_snap_writer_finish(w, buf, len);
}

/* Read everything; returns the number of sources seen, or -1. */
static int read_all(const uint8_t *buf, size_t len, enum amt_snap_error *errp)
{
	struct amt_snap_reader r;
	struct amt_snap_header h;
	struct amt_snap_tunnel t;
	struct amt_snap_group g;
	struct amt_snap_source s;
	enum amt_snap_error err;
	int n = 0;

	err = amt_snap_open(&r, buf, len, &h);
	if (errp)
		*errp = err;
	if (err)
		return -1;
	for (uint32_t i = 0; i < h.tunnels; i++) {
		if (amt_snap_read_tunnel(&r, &t))
			return -1;
		for (uint16_t j = 0; j < t.groups; j++) {
			if (amt_snap_read_group(&r, &g))
				return -1;
			for (uint32_t k = 0; k < g.sources; k++) {
				if (amt_snap_read_source(&r, &s))
					return -1;
				n++;
			}
		}
	}
	return n;
}

static void test_round_trip(void)
{
	struct amt_snap_writer w;
	struct amt_snap_reader r;
	struct amt_snap_header h, want;
	struct amt_snap_tunnel t;
	struct amt_snap_group g;
	struct amt_snap_source s;
	struct amt_ipaddr a;
	const uint8_t *buf;
	size_t len;

	CHECK_INT(sample(&buf, &len, &w), 0);
	CHECK_INT(len, AMT_SNAP_MIN_LEN + 2 * AMT_SNAP_TUNNEL_LEN + 3 * AMT_SNAP_GROUP_LEN +
			       4 * AMT_SNAP_SOURCE_LEN);
	CHECK_INT(amt_snap_open(&r, buf, len, &h), AMT_SNAP_OK);
	sample_header(&want);
	CHECK(amt_snap_config_same(&h.cfg, &want.cfg));
	CHECK_INT(h.written_ms, want.written_ms);
	CHECK(h.has_cur && h.has_prev);
	CHECK_MEM(h.cur, want.cur, AMT_MAC_SECRET_LEN);
	CHECK_MEM(h.prev, want.prev, AMT_MAC_SECRET_LEN);
	CHECK_INT(h.cur_age_ms, 12345);
	CHECK_INT(h.prev_left_ms, 3587655);
	CHECK_INT(h.tunnels, 2);

	/* Out of order: a group before its tunnel. */
	CHECK_INT(amt_snap_read_group(&r, &g), AMT_SNAP_SEQUENCE);
	CHECK_INT(amt_snap_read_tunnel(&r, &t), AMT_SNAP_OK);
	set4(&a, "198.51.100.7");
	CHECK_INT(t.gw.family, AF_INET);
	CHECK_MEM(&t.gw.ip, &a.ip, sizeof(a.ip));
	CHECK_INT(t.gw_port, 40000);
	CHECK_INT(t.nonce, 0xdeadbeef);
	CHECK_INT(t.query_nonce, 0x01020304);
	CHECK_INT(t.age_ms, 99000);
	CHECK_INT(t.update_age_ms, 1000);
	CHECK(!t.discovery);
	CHECK_INT(t.groups, 2);
	CHECK_INT(amt_snap_read_tunnel(&r, &t), AMT_SNAP_SEQUENCE);
	CHECK_INT(amt_snap_read_group(&r, &g), AMT_SNAP_OK);
	CHECK_INT(g.mode, AMT_FILTER_INCLUDE);
	CHECK_INT(g.sources, 2);
	CHECK_INT(amt_snap_read_source(&r, &s), AMT_SNAP_OK);
	CHECK_INT(s.left_ms, 250000);
	CHECK_INT(amt_snap_read_source(&r, &s), AMT_SNAP_OK);
	CHECK_INT(s.left_ms, 1);
	CHECK_INT(amt_snap_read_source(&r, &s), AMT_SNAP_SEQUENCE);
	CHECK_INT(amt_snap_read_group(&r, &g), AMT_SNAP_OK);
	CHECK_INT(g.mode, AMT_FILTER_EXCLUDE);
	CHECK_INT(g.group_left_ms, 200000);
	CHECK_INT(g.v1_left_ms, 0);
	CHECK_INT(g.v2_left_ms, 5000);
	CHECK_INT(amt_snap_read_source(&r, &s), AMT_SNAP_OK);
	CHECK_INT(s.left_ms, 0);
	CHECK_INT(amt_snap_read_tunnel(&r, &t), AMT_SNAP_OK);
	CHECK_INT(t.gw.family, AF_INET6);
	CHECK(t.discovery);
	CHECK_INT(amt_snap_read_group(&r, &g), AMT_SNAP_OK);
	CHECK_INT(g.family, AF_INET6);
	set6(&a, "ff3e::8000:1");
	CHECK_MEM(&g.group, &a.ip, 16);
	CHECK_INT(amt_snap_read_source(&r, &s), AMT_SNAP_OK);
	set6(&a, "2001:db8:2::1");
	CHECK_MEM(&s.addr, &a.ip, 16);
	CHECK_INT(amt_snap_read_tunnel(&r, &t), AMT_SNAP_SEQUENCE);
	CHECK_INT(read_all(buf, len, NULL), 4);
	amt_snap_writer_free(&w);
}

/* An empty relay: header and checksum only; no secrets at all. */
static void test_empty(void)
{
	struct amt_snap_writer w;
	struct amt_snap_header h = {};
	struct amt_snap_reader r;
	const uint8_t *buf;
	size_t len;

	amt_snap_writer_init(&w, &h);
	CHECK_INT(amt_snap_writer_finish(&w, &buf, &len), 0);
	CHECK_INT(len, AMT_SNAP_MIN_LEN);
	CHECK_INT(amt_snap_open(&r, buf, len, &h), AMT_SNAP_OK);
	CHECK(!h.has_cur && !h.has_prev);
	CHECK_INT(h.tunnels, 0);
	amt_snap_writer_free(&w);
}

static void test_truncations(void)
{
	struct amt_snap_writer w;
	const uint8_t *buf;
	uint8_t *copy;
	size_t len, rejected = 0;
	enum amt_snap_error err;

	CHECK_INT(sample(&buf, &len, &w), 0);
	/* A separate allocation of exactly n bytes, for sanitizers to watch. */
	for (size_t n = 0; n < len; n++) {
		copy = malloc(n ? n : 1);
		memcpy(copy, buf, n);
		if (read_all(copy, n, &err) < 0 && err != AMT_SNAP_OK)
			rejected++;
		free(copy);
	}
	CHECK_INT(rejected, len);
	/* With the length field patched to match, the checksum still fails. */
	for (size_t n = AMT_SNAP_MIN_LEN; n < len; n++) {
		copy = malloc(n);
		memcpy(copy, buf, n);
		copy[8] = n >> 24;
		copy[9] = n >> 16;
		copy[10] = n >> 8;
		copy[11] = n;
		CHECK(read_all(copy, n, &err) < 0);
		free(copy);
	}
	amt_snap_writer_free(&w);
}

static void test_bit_flips(void)
{
	struct amt_snap_writer w;
	const uint8_t *buf;
	uint8_t *copy;
	size_t len, rejected = 0, total = 0;
	enum amt_snap_error err;

	CHECK_INT(sample(&buf, &len, &w), 0);
	copy = malloc(len);
	for (size_t i = 0; i < len; i++) {
		for (int b = 0; b < 8; b++) {
			memcpy(copy, buf, len);
			copy[i] ^= 1 << b;
			total++;
			if (read_all(copy, len, &err) < 0)
				rejected++;
		}
	}
	CHECK_INT(rejected, total);
	free(copy);
	amt_snap_writer_free(&w);
}

/* Re-seal a modified body with a right checksum: content checks alone. */
static void reseal(uint8_t *buf, size_t len)
{
	SHA256_CTX ctx;

	SHA256_Init(&ctx);
	SHA256_Update(&ctx, buf, len - AMT_SNAP_SUM_LEN);
	SHA256_Final(buf + len - AMT_SNAP_SUM_LEN, &ctx);
}

static void test_version_and_length(void)
{
	struct amt_snap_writer w;
	struct amt_snap_reader r;
	struct amt_snap_header h;
	const uint8_t *buf;
	uint8_t *copy;
	size_t len;

	CHECK_INT(sample(&buf, &len, &w), 0);
	copy = malloc(len + 1);
	memcpy(copy, buf, len);
	copy[5] = 2; /* version 2, even with a right checksum */
	reseal(copy, len);
	CHECK_INT(amt_snap_open(&r, copy, len, &h), AMT_SNAP_BAD_VERSION);
	memcpy(copy, buf, len);
	copy[0] = 'X';
	CHECK_INT(amt_snap_open(&r, copy, len, &h), AMT_SNAP_BAD_MAGIC);
	memcpy(copy, buf, len);
	copy[len] = 0;
	CHECK_INT(amt_snap_open(&r, copy, len + 1, &h), AMT_SNAP_BAD_LENGTH);
	memcpy(copy, buf, len);
	copy[len - 1] ^= 0x80;
	CHECK_INT(amt_snap_open(&r, copy, len, &h), AMT_SNAP_BAD_CHECKSUM);
	free(copy);
	amt_snap_writer_free(&w);
}

/* Valid checksum, hostile content: each must be refused as MALFORMED. */
static void test_hostile_content(void)
{
	struct amt_snap_writer w;
	struct amt_snap_reader r;
	struct amt_snap_header h;
	const uint8_t *buf;
	uint8_t *copy;
	size_t len, t0 = AMT_SNAP_HEADER_LEN, g0 = t0 + AMT_SNAP_TUNNEL_LEN;
	size_t s0 = g0 + AMT_SNAP_GROUP_LEN;
	struct {
		size_t off;
		uint8_t val;
		const char *what;
	} cases[] = {
		{ 6, 0x80, "unknown flag" },
		{ AMT_SNAP_HEADER_LEN - 1, 0xff, "tunnel count beyond the data" },
		{ AMT_SNAP_HEADER_LEN - 1, 1, "fewer tunnels than the data" },
		{ t0, 5, "gateway family 5" },
		{ t0 + 10, 1, "IPv4 gateway with bytes beyond 4" },
		{ t0 + 36, 2, "discovery flag 2" },
		{ t0 + 62, 0, "tunnel with zero groups" },
		{ t0 + 61, 200, "group count beyond the data" },
		{ g0, 5, "group family 5" },
		{ g0 + 17, 3, "mode 3" },
		{ g0 + 25, 1, "INCLUDE group with a group timer" },
		{ g0 + 45, 0, "INCLUDE group without sources" },
		{ g0 + 45, 0xff, "source count beyond the data" },
		{ g0 + 42, 1, "source count of 2^24+2" },
		{ s0 + 4, 1, "IPv4 source with bytes beyond 4" },
		{ s0 + 16 + 3, 1, "source timer beyond the maximum" },
		{ s0 + AMT_SNAP_SOURCE_LEN + 3, 1, "duplicate source" },
		{ s0 + AMT_SNAP_SOURCE_LEN + 3, 0, "sources out of order" },
		{ 165, 1, "previous secret lifetime beyond the maximum" },
		{ 22, 1, "local IPv4 address of family code 1" },
		{ 22, 6, "IPv6 local address in the IPv4 slot" },
		{ 122, 1, "current secret age of 2^56 ms (ages are not bounded)" },
	};

	CHECK_INT(sample(&buf, &len, &w), 0);
	copy = malloc(len);
	for (size_t i = 0; i < array_size(cases); i++) {
		enum amt_snap_error err;

		memcpy(copy, buf, len);
		copy[cases[i].off] = cases[i].val;
		reseal(copy, len);
		err = amt_snap_open(&r, copy, len, &h);
		/* The last case is a control: cur_age_ms is not bounded. */
		if (i == array_size(cases) - 1) {
			CHECK_INT(err, AMT_SNAP_OK);
			continue;
		}
		if (err != AMT_SNAP_MALFORMED)
			fprintf(stderr, "hostile case '%s': %s\n", cases[i].what,
				amt_snap_error_str(err));
		CHECK_INT(err, AMT_SNAP_MALFORMED);
	}
	free(copy);
	amt_snap_writer_free(&w);
}

static void test_writer_misuse(void)
{
	struct amt_snap_writer w;
	struct amt_snap_header h = {};
	struct amt_snap_tunnel t = {};
	struct amt_snap_group g = {};
	const uint8_t *buf;
	size_t len;

	/* Announced groups not written. */
	amt_snap_writer_init(&w, &h);
	set4(&t.gw, "198.51.100.1");
	set4(&t.local, "192.0.2.1");
	t.groups = 1;
	amt_snap_put_tunnel(&w, &t);
	CHECK_INT(amt_snap_writer_finish(&w, &buf, &len), -1);
	amt_snap_writer_free(&w);
	/* A group without a tunnel. */
	amt_snap_writer_init(&w, &h);
	g.family = AF_INET;
	g.mode = AMT_FILTER_INCLUDE;
	amt_snap_put_group(&w, &g);
	CHECK_INT(amt_snap_writer_finish(&w, &buf, &len), -1);
	amt_snap_writer_free(&w);
}

static void test_config_same(void)
{
	struct amt_snap_header a, b;

	sample_header(&a);
	sample_header(&b);
	CHECK(amt_snap_config_same(&a.cfg, &b.cfg));
	b.cfg.port = 2269;
	CHECK(!amt_snap_config_same(&a.cfg, &b.cfg));
	sample_header(&b);
	set4(&b.cfg.local[0], "192.0.2.2");
	CHECK(!amt_snap_config_same(&a.cfg, &b.cfg));
	sample_header(&b);
	memset(&b.cfg.discovery[0], 0, sizeof(b.cfg.discovery[0]));
	CHECK(!amt_snap_config_same(&a.cfg, &b.cfg));
}

/* Count the joins the restore reports. */
static void count_changes(void *arg, const struct amt_memb_change *chg)
{
	int *n = arg;

	if (chg->event == AMT_MEMB_SG_JOIN || chg->event == AMT_MEMB_XG_JOIN ||
	    chg->event == AMT_MEMB_XG_EXCL_ADD)
		(*n)++;
}

static void apply(struct amt_membership *m, uint8_t type, const char *grp, const char *src,
		  uint64_t now)
{
	struct amt_group_record rec = {};
	struct amt_ipaddr g, sa;

	set4(&g, grp);
	set4(&sa, src);
	rec.family = AF_INET;
	rec.type = type;
	rec.version = 3;
	rec.group = g.ip;
	rec.num_sources = 1;
	rec.sources = sa.ip.bytes;
	CHECK_INT(amt_membership_apply(m, &rec, now), AMT_MEMB_OK);
}

/* Export a membership as the relay does, restore it elsewhere: same state. */
static void test_membership_restore(void)
{
	struct amt_membership_params p;
	struct amt_membership *a, *b;
	struct amt_mgroup_info gi;
	struct amt_msource_info si[4];
	const struct amt_mgroup *g;
	const struct amt_msource *s;
	struct amt_ipaddr src, grp;
	int joins = 0;
	uint32_t n;

	amt_membership_params_default(&p);
	a = amt_membership_new(&p, NULL, NULL);
	b = amt_membership_new(&p, count_changes, &joins);
	apply(a, AMT_REC_MODE_IS_INCLUDE, "232.1.1.1", "10.0.0.1", 1000);
	apply(a, AMT_REC_ALLOW_NEW_SOURCES, "232.1.1.1", "10.0.0.2", 2000);
	apply(a, AMT_REC_CHANGE_TO_EXCLUDE, "239.1.1.1", "10.0.0.9", 3000);

	for (g = amt_membership_group_first(a); g; g = amt_membership_group_next(a, g)) {
		amt_mgroup_get_info(g, 5000, &gi);
		n = 0;
		for (s = amt_mgroup_source_first(g); s && n < 4; s = amt_mgroup_source_next(g, s))
			amt_msource_get_info(s, &si[n++]);
		CHECK_INT(amt_membership_restore_group(b, &gi, si, n), AMT_MEMB_OK);
		/* The same group again is refused. */
		CHECK_INT(amt_membership_restore_group(b, &gi, si, n), AMT_MEMB_INVALID);
	}
	CHECK_INT(amt_membership_num_groups(b), 2);
	CHECK_INT(amt_membership_num_sources(b), amt_membership_num_sources(a));
	CHECK_INT(amt_membership_next_expiry(b), amt_membership_next_expiry(a));
	/* Joins: two (S,G), one (*,G), one exclusion. */
	CHECK_INT(joins, 4);
	set4(&grp, "232.1.1.1");
	set4(&src, "10.0.0.2");
	CHECK(amt_membership_wants(b, AF_INET, &src.ip, &grp.ip));
	set4(&grp, "239.1.1.1");
	CHECK(!amt_membership_wants(b, AF_INET, &src.ip, &grp.ip) ==
	      !amt_membership_wants(a, AF_INET, &src.ip, &grp.ip));
	set4(&src, "10.0.0.9");
	CHECK(!amt_membership_wants(b, AF_INET, &src.ip, &grp.ip));
	/* Both expire alike: the INCLUDE sources' timers run out together. */
	amt_membership_expire(a, 1000 + amt_membership_gmi(&p));
	amt_membership_expire(b, 1000 + amt_membership_gmi(&p));
	CHECK_INT(amt_membership_num_sources(b), amt_membership_num_sources(a));

	/* Invalid: INCLUDE with a group timer, a stopped INCLUDE source,
	 * unsorted sources, a non-multicast group. */
	memset(&gi, 0, sizeof(gi));
	gi.family = AF_INET;
	set4(&grp, "232.9.9.9");
	gi.group = grp.ip;
	gi.mode = AMT_FILTER_INCLUDE;
	memset(si, 0, sizeof(si));
	set4(&src, "10.0.0.5");
	si[0].source = src.ip;
	si[0].timer = 9000;
	set4(&src, "10.0.0.4");
	si[1].source = src.ip;
	si[1].timer = 9000;
	CHECK_INT(amt_membership_restore_group(b, &gi, si, 2), AMT_MEMB_INVALID);
	gi.group_timer = 9000;
	CHECK_INT(amt_membership_restore_group(b, &gi, si, 1), AMT_MEMB_INVALID);
	gi.group_timer = 0;
	si[0].timer = 0;
	CHECK_INT(amt_membership_restore_group(b, &gi, si, 1), AMT_MEMB_INVALID);
	si[0].timer = 9000;
	set4(&grp, "10.1.1.1");
	gi.group = grp.ip;
	CHECK_INT(amt_membership_restore_group(b, &gi, si, 1), AMT_MEMB_INVALID);
	/* Limits. */
	p.max_groups = 1;
	amt_membership_set_params(b, &p);
	set4(&grp, "232.9.9.9");
	gi.group = grp.ip;
	CHECK_INT(amt_membership_restore_group(b, &gi, si, 1), AMT_MEMB_LIMIT);
	amt_membership_free(a);
	amt_membership_free(b);
}

/* Secrets survive export and import: same MACs, same lifetimes. */
static void test_mac_restore(void)
{
	struct amt_mac_state a, b;
	struct amt_mac_export ex;
	struct amt_ipaddr gw;
	uint8_t k1[AMT_MAC_SECRET_LEN], k2[AMT_MAC_SECRET_LEN], m1[AMT_MAC_LEN], m2[AMT_MAC_LEN];

	memset(k1, 0x11, sizeof(k1));
	memset(k2, 0x22, sizeof(k2));
	set4(&gw, "198.51.100.7");
	amt_mac_init(&a, 60000);
	amt_mac_init(&b, 60000);
	CHECK_INT(amt_mac_set_secret(&a, k1, sizeof(k1), 1000), 0);
	CHECK_INT(amt_mac_compute(k1, AF_INET, &gw.ip, 4000, 77, m1), 0);
	CHECK_INT(amt_mac_set_secret(&a, k2, sizeof(k2), 11000), 0);
	amt_mac_export(&a, 21000, &ex);
	CHECK(ex.has_cur && ex.has_prev);
	CHECK_INT(ex.cur_age_ms, 10000);
	CHECK_INT(ex.prev_left_ms, 50000);
	CHECK_MEM(ex.cur, k2, sizeof(k2));
	CHECK_MEM(ex.prev, k1, sizeof(k1));
	/* Imported into a relay whose clock reads 500000 (another process). */
	CHECK_INT(amt_mac_import(&b, 500000, &ex), 0);
	CHECK(amt_mac_verify(&b, 500000, AF_INET, &gw.ip, 4000, 77, m1));
	CHECK(!amt_mac_verify(&b, 550000, AF_INET, &gw.ip, 4000, 77, m1));
	CHECK_INT(amt_mac_generate(&b, AF_INET, &gw.ip, 4000, 78, m2), 0);
	CHECK(amt_mac_verify(&a, 21000, AF_INET, &gw.ip, 4000, 78, m2));
	ex.has_cur = false;
	CHECK_INT(amt_mac_import(&b, 500000, &ex), -1);
	amt_mac_fini(&a);
	amt_mac_fini(&b);
}

/* The sample, with a selector byte, as a seed for the fuzzer's corpus. */
/* ------------------------------------------------------------- journal */

/* A tunnel record with one INCLUDE group of one source. */
static void jnl_upsert(struct amt_snap_writer *w, uint64_t ms, const char *gw, uint16_t port,
		       uint32_t nonce, uint64_t src_left)
{
	struct amt_snap_tunnel t = {};

	set4(&t.gw, gw);
	t.gw_port = port;
	set4(&t.local, "192.0.2.1");
	t.nonce = nonce;
	t.groups = 1;
	amt_jnl_put_upsert(w, ms, &t);
	put_group(w, AF_INET, "232.1.1.1", AMT_FILTER_INCLUDE, 0, 0, 1);
	put_source(w, AF_INET, "10.0.0.1", src_left);
}

static void jnl_delete(struct amt_snap_writer *w, uint64_t ms, const char *gw, uint16_t port)
{
	struct amt_ipaddr a;

	if (strchr(gw, ':'))
		set6(&a, gw);
	else
		set4(&a, gw);
	amt_jnl_put_delete(w, ms, &a, port);
}

/* The base of sample() and its id (trailer). */
static const uint8_t *base_id(const uint8_t *base, size_t blen)
{
	return base + blen - AMT_SNAP_SUM_LEN;
}

/* Header and records, into one buffer (malloc'd). */
static uint8_t *jnl_file(const uint8_t *id, const uint8_t *recs, size_t rlen, size_t *len)
{
	uint8_t *f = malloc(AMT_JNL_HEADER_LEN + rlen);

	amt_jnl_header(f, id);
	if (rlen)
		memcpy(f + AMT_JNL_HEADER_LEN, recs, rlen);
	*len = AMT_JNL_HEADER_LEN + rlen;
	return f;
}

/*
 * The restored tunnels as text, one "addr port nonce groups sources
 * written_ms;" each, every entry read through in full; "!" on a read error.
 */
static void state_text(const struct amt_snap_state *st, char *out, size_t size)
{
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < st->n; i++) {
		struct amt_snap_reader r;
		struct amt_snap_tunnel t;
		struct amt_snap_group g;
		struct amt_snap_source s;
		char a[INET6_ADDRSTRLEN];
		uint32_t srcs = 0;

		amt_snap_entry_reader(st, &st->entries[i], &r);
		if (amt_snap_read_tunnel(&r, &t)) {
			n += snprintf(out + n, size - n, "!");
			continue;
		}
		for (uint16_t j = 0; j < t.groups; j++) {
			if (amt_snap_read_group(&r, &g))
				n += snprintf(out + n, size - n, "!");
			for (uint32_t k = 0; k < g.sources; k++, srcs++)
				if (amt_snap_read_source(&r, &s))
					n += snprintf(out + n, size - n, "!");
		}
		if (r.off != r.end)
			n += snprintf(out + n, size - n, "!");
		inet_ntop(t.gw.family, &t.gw.ip, a, sizeof(a));
		n += snprintf(out + n, size - n, "%s %u %u %u %u %llu;", a, t.gw_port, t.nonce,
			      t.groups, srcs, (unsigned long long)st->entries[i].written_ms);
	}
}

#define BASE_MS	 1790000000123ULL
#define BASE_TXT "198.51.100.7 40000 3735928559 2 3 1790000000123;2001:db8:1::7 2268 7 1 1 1790000000123;"

static void test_journal_replay(void)
{
	struct amt_snap_writer w, jw;
	struct amt_snap_state st;
	struct amt_snap_header sec = {};
	const uint8_t *base, *recs;
	uint8_t *jnl;
	size_t blen, rlen, jlen;
	char txt[1024];

	CHECK_INT(sample(&base, &blen, &w), 0);

	/* No journal: the base alone. */
	CHECK_INT(amt_snap_state_load(&st, base, blen, NULL, 0), AMT_SNAP_OK);
	state_text(&st, txt, sizeof(txt));
	CHECK(!strcmp(txt, BASE_TXT));
	CHECK_INT(st.secrets_ms, BASE_MS);
	amt_snap_state_free(&st);

	/* An empty journal (header only). */
	jnl = jnl_file(base_id(base, blen), NULL, 0, &jlen);
	CHECK_INT(amt_snap_state_load(&st, base, blen, jnl, jlen), AMT_SNAP_OK);
	CHECK_INT(st.jnl_err, AMT_SNAP_OK);
	CHECK_INT(st.jnl_records, 0);
	state_text(&st, txt, sizeof(txt));
	CHECK(!strcmp(txt, BASE_TXT));
	amt_snap_state_free(&st);
	free(jnl);

	/*
	 * Replace the IPv4 tunnel, add one, delete the IPv6 one, rotate the
	 * secrets; then add and delete a tunnel (delete after upsert), and
	 * delete and add again one (upsert after delete).
	 */
	amt_jnl_writer_init(&jw, base_id(base, blen));
	jnl_upsert(&jw, BASE_MS + 1000, "198.51.100.7", 40000, 11, 5000);
	jnl_upsert(&jw, BASE_MS + 1000, "203.0.113.5", 1234, 12, 6000);
	jnl_delete(&jw, BASE_MS + 2000, "2001:db8:1::7", 2268);
	sec.has_cur = true;
	memset(sec.cur, 0x5a, sizeof(sec.cur));
	sec.cur_age_ms = 10;
	amt_jnl_put_secrets(&jw, BASE_MS + 2500, &sec);
	jnl_upsert(&jw, BASE_MS + 3000, "203.0.113.9", 9, 13, 7000);
	jnl_delete(&jw, BASE_MS + 4000, "203.0.113.9", 9);
	jnl_delete(&jw, BASE_MS + 4000, "203.0.113.5", 1234);
	jnl_upsert(&jw, BASE_MS + 5000, "203.0.113.5", 1234, 14, 8000);
	/* Deleting what was never there is no error. */
	jnl_delete(&jw, BASE_MS + 5000, "203.0.113.77", 1);
	CHECK_INT(amt_jnl_writer_finish(&jw, &recs, &rlen), 0);
	CHECK_INT(jw.records, 9);
	/* Sizes: what the documentation's write rate is computed from. */
	CHECK_INT(rlen, 4 * (AMT_JNL_REC_OVERHEAD + AMT_SNAP_TUNNEL_LEN + AMT_SNAP_GROUP_LEN +
			     AMT_SNAP_SOURCE_LEN) +
				4 * (AMT_JNL_REC_OVERHEAD + AMT_JNL_DELETE_BODY) +
				AMT_JNL_REC_OVERHEAD + AMT_JNL_SECRETS_BODY);
	jnl = jnl_file(base_id(base, blen), recs, rlen, &jlen);

	CHECK_INT(amt_snap_state_load(&st, base, blen, jnl, jlen), AMT_SNAP_OK);
	CHECK_INT(st.jnl_err, AMT_SNAP_OK);
	CHECK_INT(st.jnl_records, 9);
	CHECK_INT(st.jnl_dropped, 0);
	CHECK_INT(st.jnl_good, jlen);
	state_text(&st, txt, sizeof(txt));
	CHECK(!strcmp(txt, "198.51.100.7 40000 11 1 1 1790000001123;"
			   "203.0.113.5 1234 14 1 1 1790000005123;"));
	if (strcmp(txt, "198.51.100.7 40000 11 1 1 1790000001123;"
			"203.0.113.5 1234 14 1 1 1790000005123;"))
		fprintf(stderr, "  state: %s\n", txt);
	/* The secrets of the journal, with their own time. */
	CHECK(st.h.has_cur && !st.h.has_prev);
	CHECK_MEM(st.h.cur, sec.cur, AMT_MAC_SECRET_LEN);
	CHECK_INT(st.h.cur_age_ms, 10);
	CHECK_INT(st.secrets_ms, BASE_MS + 2500);
	CHECK_INT(st.last_ms, BASE_MS + 5000);
	amt_snap_state_free(&st);

	/* A journal of another base is ignored as a whole. */
	{
		uint8_t other[AMT_SNAP_SUM_LEN];
		uint8_t *stale;
		size_t slen;

		memcpy(other, base_id(base, blen), sizeof(other));
		other[5] ^= 1;
		stale = jnl_file(other, recs, rlen, &slen);
		CHECK_INT(amt_snap_state_load(&st, base, blen, stale, slen), AMT_SNAP_OK);
		CHECK_INT(st.jnl_err, AMT_SNAP_STALE_JOURNAL);
		CHECK_INT(st.jnl_records, 0);
		state_text(&st, txt, sizeof(txt));
		CHECK(!strcmp(txt, BASE_TXT));
		amt_snap_state_free(&st);
		/* Records are bound to their base too: spliced under another header. */
		memcpy(stale + 8, other, sizeof(other));
		amt_jnl_header(stale, other);
		CHECK_INT(amt_snap_state_load(&st, base, blen, stale, slen), AMT_SNAP_OK);
		CHECK_INT(st.jnl_err, AMT_SNAP_STALE_JOURNAL);
		amt_snap_state_free(&st);
		free(stale);
	}
	/* Another journal version, bad magic: ignored, the base stands. */
	jnl[5] = 2;
	CHECK_INT(amt_snap_state_load(&st, base, blen, jnl, jlen), AMT_SNAP_OK);
	CHECK_INT(st.jnl_err, AMT_SNAP_BAD_VERSION);
	CHECK_INT(st.n, 2);
	amt_snap_state_free(&st);
	jnl[5] = 1;
	jnl[0] = 'X';
	CHECK_INT(amt_snap_state_load(&st, base, blen, jnl, jlen), AMT_SNAP_OK);
	CHECK_INT(st.jnl_err, AMT_SNAP_BAD_MAGIC);
	amt_snap_state_free(&st);
	/* A corrupt base: nothing, whatever the journal. */
	jnl[0] = 'A';
	{
		uint8_t *b2 = malloc(blen);

		memcpy(b2, base, blen);
		b2[blen / 2] ^= 0x10;
		CHECK_INT(amt_snap_state_load(&st, b2, blen, jnl, jlen), AMT_SNAP_BAD_CHECKSUM);
		CHECK_INT(st.n, 0);
		amt_snap_state_free(&st);
		free(b2);
	}
	free(jnl);
	amt_snap_writer_free(&jw);
	amt_snap_writer_free(&w);
}

/* Record boundaries of a journal: ends[i] is where record i ends. */
static size_t jnl_bounds(const uint8_t *jnl, size_t jlen, size_t *ends, size_t max)
{
	size_t off = AMT_JNL_HEADER_LEN, n = 0;

	while (off + 4 <= jlen && n < max) {
		uint32_t len = (jnl[off] << 24) | (jnl[off + 1] << 16) | (jnl[off + 2] << 8) |
			       jnl[off + 3];

		off += 4 + len + AMT_JNL_REC_SUM_LEN;
		ends[n++] = off;
	}
	return n;
}

static void test_journal_torn_and_corrupt(void)
{
	struct amt_snap_writer w, jw;
	struct amt_snap_state st;
	const uint8_t *base, *recs;
	uint8_t *jnl;
	size_t blen, rlen, jlen, ends[8], nrec;
	char txt[1024];
	bool all_ok = true;

	CHECK_INT(sample(&base, &blen, &w), 0);
	amt_jnl_writer_init(&jw, base_id(base, blen));
	jnl_upsert(&jw, BASE_MS + 1000, "203.0.113.1", 1, 1, 1000);
	jnl_upsert(&jw, BASE_MS + 1000, "203.0.113.2", 2, 2, 1000);
	jnl_delete(&jw, BASE_MS + 2000, "198.51.100.7", 40000);
	jnl_upsert(&jw, BASE_MS + 3000, "203.0.113.3", 3, 3, 1000);
	CHECK_INT(amt_jnl_writer_finish(&jw, &recs, &rlen), 0);
	jnl = jnl_file(base_id(base, blen), recs, rlen, &jlen);
	nrec = jnl_bounds(jnl, jlen, ends, 8);
	CHECK_INT(nrec, 4);
	CHECK_INT(ends[nrec - 1], jlen);

	/* Torn at every byte: the whole records before the cut, and no more. */
	for (size_t cut = AMT_JNL_HEADER_LEN; cut < jlen; cut++) {
		uint32_t whole = 0;
		bool on_boundary = cut == AMT_JNL_HEADER_LEN;

		for (size_t i = 0; i < nrec; i++) {
			if (ends[i] <= cut)
				whole++;
			if (ends[i] == cut)
				on_boundary = true;
		}
		if (amt_snap_state_load(&st, base, blen, jnl, cut) != AMT_SNAP_OK ||
		    st.jnl_records != whole || st.jnl_dropped != !on_boundary ||
		    st.jnl_err != (on_boundary ? AMT_SNAP_OK : AMT_SNAP_TRUNCATED) ||
		    /* two upserts, the deletion of a base tunnel, an upsert */
		    st.n != 2 + (whole > 2 ? 2 : whole) - (whole >= 3) + (whole >= 4)) {
			fprintf(stderr, "  torn at %zu: %u records, err %d, %zu tunnels\n", cut,
				st.jnl_records, st.jnl_err, st.n);
			all_ok = false;
		}
		amt_snap_state_free(&st);
	}
	CHECK(all_ok);

	/*
	 * A corrupt record in the middle (the second): the first is replayed,
	 * the rest are not (what follows a bad record is not trusted).  Every
	 * byte of the second record, each flipped in turn.
	 */
	all_ok = true;
	for (size_t off = ends[0]; off < ends[1]; off++) {
		jnl[off] ^= 0x40;
		if (amt_snap_state_load(&st, base, blen, jnl, jlen) != AMT_SNAP_OK ||
		    st.jnl_records != 1 || st.jnl_dropped != 1 || st.jnl_good != ends[0] ||
		    st.n != 3) {
			fprintf(stderr, "  flip at %zu: %u records, err %d\n", off, st.jnl_records,
				st.jnl_err);
			all_ok = false;
		}
		amt_snap_state_free(&st);
		jnl[off] ^= 0x40;
	}
	CHECK(all_ok);
	jnl[ends[0] + 10] ^= 1;
	CHECK_INT(amt_snap_state_load(&st, base, blen, jnl, jlen), AMT_SNAP_OK);
	CHECK_INT(st.jnl_err, AMT_SNAP_BAD_CHECKSUM);
	state_text(&st, txt, sizeof(txt));
	CHECK(!strcmp(txt, "198.51.100.7 40000 3735928559 2 3 1790000000123;"
			   "203.0.113.1 1 1 1 1 1790000001123;"
			   "2001:db8:1::7 2268 7 1 1 1790000000123;"));
	amt_snap_state_free(&st);
	jnl[ends[0] + 10] ^= 1;

	/* Garbage appended after good records: they stand, the tail is dropped. */
	{
		uint8_t *g = malloc(jlen + 3);

		memcpy(g, jnl, jlen);
		memset(g + jlen, 0xff, 3);
		CHECK_INT(amt_snap_state_load(&st, base, blen, g, jlen + 3), AMT_SNAP_OK);
		CHECK_INT(st.jnl_records, 4);
		CHECK_INT(st.jnl_dropped, 1);
		CHECK_INT(st.jnl_good, jlen);
		amt_snap_state_free(&st);
		free(g);
	}
	free(jnl);
	amt_snap_writer_free(&jw);
	amt_snap_writer_free(&w);
}

/* A record with the given type and body, its checksum right. */
static size_t jnl_raw(uint8_t *out, const uint8_t *id, uint8_t type, const uint8_t *body,
		      size_t blen)
{
	uint8_t sum[AMT_SNAP_SUM_LEN];
	uint32_t len = 1 + 8 + blen;
	SHA256_CTX ctx;

	out[0] = len >> 24;
	out[1] = len >> 16;
	out[2] = len >> 8;
	out[3] = len;
	out[4] = type;
	memset(out + 5, 0, 8);
	memcpy(out + 13, body, blen);
	SHA256_Init(&ctx);
	SHA256_Update(&ctx, id, AMT_SNAP_SUM_LEN);
	SHA256_Update(&ctx, out, 4 + len);
	SHA256_Final(sum, &ctx);
	memcpy(out + 4 + len, sum, AMT_JNL_REC_SUM_LEN);
	return 4 + len + AMT_JNL_REC_SUM_LEN;
}

/* Hostile records under a right checksum are refused (and end the replay). */
static void test_journal_hostile(void)
{
	struct amt_snap_writer w;
	struct amt_snap_state st;
	const uint8_t *base;
	uint8_t file[1024], body[256] = {};
	size_t blen, len;
	const struct {
		uint8_t type;
		size_t blen;
		uint8_t b0, b17;
	} cases[] = {
		{ 9, 19, 4, 0 },			/* unknown type */
		{ AMT_JNL_DELETE, 19, 5, 0 },		/* family 5 */
		{ AMT_JNL_DELETE, 19, 0, 0 },		/* no family */
		{ AMT_JNL_DELETE, 18, 4, 0 },		/* short */
		{ AMT_JNL_DELETE, 20, 4, 0 },		/* long */
		{ AMT_JNL_SECRETS, AMT_JNL_SECRETS_BODY, 0, 0 }, /* flags 0x00ff */
		{ AMT_JNL_SECRETS, AMT_JNL_SECRETS_BODY - 1, 0, 0 },
		{ AMT_JNL_UPSERT, 0, 0, 0 },		/* empty tunnel */
		{ AMT_JNL_UPSERT, 63, 4, 0 },		/* tunnel without its groups */
	};

	CHECK_INT(sample(&base, &blen, &w), 0);
	for (size_t c = 0; c < array_size(cases); c++) {
		memset(body, 0, sizeof(body));
		body[0] = cases[c].b0;
		if (cases[c].type == AMT_JNL_SECRETS)
			body[1] = 0xff;
		if (cases[c].type == AMT_JNL_UPSERT && cases[c].blen >= 63) {
			body[19] = 4; /* local address family */
			body[62] = 1; /* one group announced, none follows */
		}
		amt_jnl_header(file, base_id(base, blen));
		len = AMT_JNL_HEADER_LEN;
		len += jnl_raw(file + len, base_id(base, blen), cases[c].type, body,
			       cases[c].blen);
		CHECK_INT(amt_snap_state_load(&st, base, blen, file, len), AMT_SNAP_OK);
		CHECK_INT(st.jnl_err, AMT_SNAP_MALFORMED);
		CHECK_INT(st.jnl_records, 0);
		CHECK_INT(st.n, 2);
		amt_snap_state_free(&st);
	}
	/* A length below a record's minimum, and one far past the end. */
	amt_jnl_header(file, base_id(base, blen));
	memset(file + AMT_JNL_HEADER_LEN, 0, 4);
	CHECK_INT(amt_snap_state_load(&st, base, blen, file, AMT_JNL_HEADER_LEN + 30), AMT_SNAP_OK);
	CHECK_INT(st.jnl_err, AMT_SNAP_MALFORMED);
	amt_snap_state_free(&st);
	memset(file + AMT_JNL_HEADER_LEN, 0xff, 4);
	CHECK_INT(amt_snap_state_load(&st, base, blen, file, AMT_JNL_HEADER_LEN + 30), AMT_SNAP_OK);
	CHECK_INT(st.jnl_err, AMT_SNAP_TRUNCATED);
	amt_snap_state_free(&st);
	/* Shorter than a header. */
	CHECK_INT(amt_snap_state_load(&st, base, blen, file, 12), AMT_SNAP_OK);
	CHECK_INT(st.jnl_err, AMT_SNAP_TRUNCATED);
	CHECK_INT(st.n, 2);
	amt_snap_state_free(&st);
	amt_snap_writer_free(&w);
}

static void test_journal_writer_misuse(void)
{
	struct amt_snap_writer w;
	struct amt_snap_tunnel t = {};
	struct amt_snap_header h = {};
	struct amt_ipaddr none = {};
	uint8_t id[AMT_SNAP_SUM_LEN] = {};
	const uint8_t *buf;
	size_t len;

	/* A tunnel upsert without groups (that is a deletion). */
	amt_jnl_writer_init(&w, id);
	set4(&t.gw, "203.0.113.1");
	amt_jnl_put_upsert(&w, 1, &t);
	CHECK_INT(amt_jnl_writer_finish(&w, &buf, &len), -1);
	amt_snap_writer_free(&w);
	/* Fewer groups than announced, when the next record starts. */
	amt_jnl_writer_init(&w, id);
	jnl_upsert(&w, 1, "203.0.113.1", 1, 1, 1);
	t.groups = 2;
	amt_jnl_put_upsert(&w, 1, &t);
	put_group(&w, AF_INET, "232.1.1.1", AMT_FILTER_INCLUDE, 0, 0, 1);
	put_source(&w, AF_INET, "10.0.0.1", 1);
	jnl_delete(&w, 1, "203.0.113.1", 1);
	CHECK_INT(amt_jnl_writer_finish(&w, &buf, &len), -1);
	amt_snap_writer_free(&w);
	/* A deletion without an address; a previous secret alone. */
	amt_jnl_writer_init(&w, id);
	amt_jnl_put_delete(&w, 1, &none, 1);
	CHECK_INT(amt_jnl_writer_finish(&w, &buf, &len), -1);
	amt_snap_writer_free(&w);
	amt_jnl_writer_init(&w, id);
	h.has_prev = true;
	amt_jnl_put_secrets(&w, 1, &h);
	CHECK_INT(amt_jnl_writer_finish(&w, &buf, &len), -1);
	amt_snap_writer_free(&w);
	/* Journal records into a base writer. */
	sample_header(&h);
	amt_snap_writer_init(&w, &h);
	jnl_delete(&w, 1, "203.0.113.1", 1);
	CHECK_INT(amt_snap_writer_finish(&w, &buf, &len), -1);
	amt_snap_writer_free(&w);
}

/*
 * Compaction: the state of base + journal, written as a new base (as the
 * relay does from its tables), reads back as the same state; the old
 * journal does not apply to the new base (a crash between the new base's
 * rename and the new journal's leaves it so); a new journal does.
 */
static void test_journal_compaction(void)
{
	struct amt_snap_writer w, jw, nw, jw2;
	struct amt_snap_state st, st2;
	struct amt_snap_header h;
	const uint8_t *base, *recs, *nbase, *recs2;
	uint8_t *jnl, *jnl2;
	size_t blen, rlen, jlen, nlen, rlen2, jlen2;
	char before[1024], after[1024];

	CHECK_INT(sample(&base, &blen, &w), 0);
	amt_jnl_writer_init(&jw, base_id(base, blen));
	jnl_upsert(&jw, BASE_MS, "203.0.113.1", 1, 1, 1000);
	jnl_delete(&jw, BASE_MS, "2001:db8:1::7", 2268);
	jnl_upsert(&jw, BASE_MS, "198.51.100.7", 40000, 77, 1000);
	CHECK_INT(amt_jnl_writer_finish(&jw, &recs, &rlen), 0);
	jnl = jnl_file(base_id(base, blen), recs, rlen, &jlen);
	CHECK_INT(amt_snap_state_load(&st, base, blen, jnl, jlen), AMT_SNAP_OK);
	state_text(&st, before, sizeof(before));

	/* The merged state into a new base, entry by entry. */
	h = st.h;
	amt_snap_writer_init(&nw, &h);
	for (size_t i = 0; i < st.n; i++) {
		struct amt_snap_reader r;
		struct amt_snap_tunnel t;
		struct amt_snap_group g;
		struct amt_snap_source s;

		amt_snap_entry_reader(&st, &st.entries[i], &r);
		CHECK_INT(amt_snap_read_tunnel(&r, &t), AMT_SNAP_OK);
		amt_snap_put_tunnel(&nw, &t);
		for (uint16_t j = 0; j < t.groups; j++) {
			CHECK_INT(amt_snap_read_group(&r, &g), AMT_SNAP_OK);
			amt_snap_put_group(&nw, &g);
			for (uint32_t k = 0; k < g.sources; k++) {
				CHECK_INT(amt_snap_read_source(&r, &s), AMT_SNAP_OK);
				amt_snap_put_source(&nw, &s);
			}
		}
	}
	CHECK_INT(amt_snap_writer_finish(&nw, &nbase, &nlen), 0);
	CHECK_INT(amt_snap_state_load(&st2, nbase, nlen, NULL, 0), AMT_SNAP_OK);
	state_text(&st2, after, sizeof(after));
	CHECK(!strcmp(before, after));
	amt_snap_state_free(&st2);

	/* The old journal names the old base: not replayed over the new one. */
	CHECK_INT(amt_snap_state_load(&st2, nbase, nlen, jnl, jlen), AMT_SNAP_OK);
	CHECK_INT(st2.jnl_err, AMT_SNAP_STALE_JOURNAL);
	state_text(&st2, after, sizeof(after));
	CHECK(!strcmp(before, after));
	amt_snap_state_free(&st2);

	/* A new journal after the new base applies. */
	amt_jnl_writer_init(&jw2, base_id(nbase, nlen));
	jnl_delete(&jw2, BASE_MS, "203.0.113.1", 1);
	CHECK_INT(amt_jnl_writer_finish(&jw2, &recs2, &rlen2), 0);
	jnl2 = jnl_file(base_id(nbase, nlen), recs2, rlen2, &jlen2);
	CHECK_INT(amt_snap_state_load(&st2, nbase, nlen, jnl2, jlen2), AMT_SNAP_OK);
	CHECK_INT(st2.jnl_records, 1);
	state_text(&st2, after, sizeof(after));
	CHECK(!strcmp(after, "198.51.100.7 40000 77 1 1 1790000000123;"));
	amt_snap_state_free(&st2);

	amt_snap_state_free(&st);
	free(jnl);
	free(jnl2);
	amt_snap_writer_free(&jw2);
	amt_snap_writer_free(&nw);
	amt_snap_writer_free(&jw);
	amt_snap_writer_free(&w);
}

/*
 * The fuzzer's seed: selector (all checksums fixed), base length, the
 * sample base, a journal with one record of each kind.
 */
static int write_seed(const char *path)
{
	struct amt_snap_writer w, jw;
	struct amt_snap_header sec = {};
	const uint8_t *buf, *recs;
	uint8_t hdr[AMT_JNL_HEADER_LEN];
	size_t len, rlen;
	FILE *f = fopen(path, "wb");
	int ret = 0;

	if (!f || sample(&buf, &len, &w) < 0 || len > 0xffff)
		return 1;
	amt_jnl_writer_init(&jw, base_id(buf, len));
	jnl_upsert(&jw, BASE_MS + 1000, "203.0.113.5", 1234, 12, 6000);
	jnl_delete(&jw, BASE_MS + 2000, "2001:db8:1::7", 2268);
	sec.has_cur = true;
	memset(sec.cur, 0x5a, sizeof(sec.cur));
	amt_jnl_put_secrets(&jw, BASE_MS + 2500, &sec);
	if (amt_jnl_writer_finish(&jw, &recs, &rlen) < 0)
		return 1;
	amt_jnl_header(hdr, base_id(buf, len));
	if (fputc(7, f) == EOF || fputc(len >> 8, f) == EOF || fputc(len & 0xff, f) == EOF ||
	    fwrite(buf, 1, len, f) != len || fwrite(hdr, 1, sizeof(hdr), f) != sizeof(hdr) ||
	    fwrite(recs, 1, rlen, f) != rlen)
		ret = 1;
	if (fclose(f))
		ret = 1;
	amt_snap_writer_free(&jw);
	amt_snap_writer_free(&w);
	return ret;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--seed"))
		return write_seed(argv[2]);
	test_round_trip();
	test_empty();
	test_truncations();
	test_bit_flips();
	test_version_and_length();
	test_hostile_content();
	test_writer_misuse();
	test_config_same();
	test_membership_restore();
	test_mac_restore();
	test_journal_replay();
	test_journal_torn_and_corrupt();
	test_journal_hostile();
	test_journal_writer_misuse();
	test_journal_compaction();
	return amt_test_summary("test_amt_relay_snapshot");
}
