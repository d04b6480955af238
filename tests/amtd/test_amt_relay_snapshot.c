// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the relay restart snapshot codec: round trip, every
 * truncation, every single bit flip, another version, trailing bytes,
 * hostile content under a valid checksum, out-of-order reads.
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
static int write_seed(const char *path)
{
	struct amt_snap_writer w;
	const uint8_t *buf;
	size_t len;
	FILE *f = fopen(path, "wb");
	int ret = 0;

	if (!f || sample(&buf, &len, &w) < 0)
		return 1;
	if (fputc(1, f) == EOF || fwrite(buf, 1, len, f) != len)
		ret = 1;
	if (fclose(f))
		ret = 1;
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
	return amt_test_summary("test_amt_relay_snapshot");
}
