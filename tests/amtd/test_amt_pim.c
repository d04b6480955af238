// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the PIM Hello builder and Join/Prune decoder (amt_pim.c).
 */
#include <zebra.h>

#include "amtd/amt_checksum.h"
#include "amtd/amt_pim.h"
#include "amt_test.h"

static union amt_ip ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	union amt_ip r = {};

	r.bytes[0] = a;
	r.bytes[1] = b;
	r.bytes[2] = c;
	r.bytes[3] = d;
	return r;
}

static union amt_ip ip6(uint16_t first, uint16_t last)
{
	union amt_ip r = {};

	amt_put16(r.bytes, first);
	amt_put16(r.bytes + 14, last);
	return r;
}

static void test_hello_v4(void)
{
	struct amt_pim_hello_params p = {
		.family = AF_INET,
		.src = ip4(10, 255, 0, 1),
		.holdtime = 105,
		.dr_priority = 1,
		.generation_id = 0x01020304,
	};
	/* Holdtime 105, DR priority 1, generation ID 0x01020304. */
	static const uint8_t options[] = { 0, 1, 0, 2, 0,  105, 0, 19, 0, 4, 0,
					   0, 0, 1, 0, 20, 0,	4, 1,  2, 3, 4 };
	struct amt_pim_msg m;
	uint8_t buf[128];
	ssize_t n = amt_pim_hello_build(buf, sizeof(buf), &p);

	CHECK_INT(n, 20 + 4 + sizeof(options));
	CHECK_INT(buf[0], 0x45);
	CHECK_INT(buf[8], 1);	/* TTL */
	CHECK_INT(buf[9], 103); /* PIM */
	CHECK_INT(amt_pim_parse(buf, n, &m), AMT_PIM_OK);
	CHECK_INT(m.family, AF_INET);
	CHECK_INT(m.type, AMT_PIM_TYPE_HELLO);
	CHECK_MEM(m.src.bytes, p.src.bytes, 4);
	CHECK_MEM(m.dst.bytes, ((uint8_t[]){ 224, 0, 0, 13 }), 4);
	CHECK_INT(m.body_len, sizeof(options));
	CHECK_MEM(m.body, options, sizeof(options));
	/* Too small a buffer, unknown family. */
	CHECK_INT(amt_pim_hello_build(buf, n - 1, &p), -1);
	p.family = AF_UNSPEC;
	CHECK_INT(amt_pim_hello_build(buf, sizeof(buf), &p), -1);
}

static void test_hello_v6(void)
{
	struct amt_pim_hello_params p = {
		.family = AF_INET6,
		.src = ip6(0xfe80, 0x2268),
		.holdtime = 105,
		.dr_priority = 1,
		.generation_id = 7,
	};
	struct amt_pim_msg m;
	uint8_t buf[128];
	ssize_t n = amt_pim_hello_build(buf, sizeof(buf), &p);

	CHECK_INT(n, 40 + 4 + 22);
	CHECK_INT(buf[0] >> 4, 6);
	CHECK_INT(buf[6], 103);
	CHECK_INT(buf[7], 1); /* Hop Limit */
	CHECK_INT(amt_pim_parse(buf, n, &m), AMT_PIM_OK);
	CHECK_INT(m.family, AF_INET6);
	CHECK_INT(m.type, AMT_PIM_TYPE_HELLO);
	CHECK_MEM(m.dst.bytes, ip6(0xff02, 0x000d).bytes, 16);
	/* The checksum covers the pseudo-header: another source breaks it. */
	buf[8 + 15] ^= 1;
	CHECK_INT(amt_pim_parse(buf, n, &m), AMT_PIM_ERR_CHECKSUM);
}

/*
 * A Join/Prune written by hand as pimd sends it: upstream 10.255.0.1,
 * holdtime 210, group 232.1.1.1 joining (10.0.1.10, S bit) and group
 * 239.1.1.1 joining (RP 10.0.1.1, S|W|R) and pruning (10.0.1.10, S|R).
 */
static size_t handmade_jp(uint8_t *pkt)
{
	static const uint8_t pim[] = {
		0x23, 0, 0,  0,			 /* v2 Join/Prune, checksum */
		1,    0, 10, 255, 0,   1,	 /* upstream neighbor */
		0,    2, 0,  210,		 /* reserved, 2 groups, holdtime */
		1,    0, 0,  32,  232, 1, 1, 1,	 /* group 232.1.1.1/32 */
		0,    1, 0,  0,			 /* 1 joined, 0 pruned */
		1,    0, 4,  32,  10,  0, 1, 10, /* (10.0.1.10) S */
		1,    0, 0,  32,  239, 1, 1, 1,	 /* group 239.1.1.1/32 */
		0,    1, 0,  1,			 /* 1 joined, 1 pruned */
		1,    0, 7,  32,  10,  0, 1, 1,	 /* RP 10.0.1.1 S|W|R */
		1,    0, 5,  32,  10,  0, 1, 10, /* (10.0.1.10) S|R prune */
	};
	size_t len = 20 + sizeof(pim);

	memset(pkt, 0, 20);
	pkt[0] = 0x45;
	pkt[1] = 0xc0;
	amt_put16(pkt + 2, len);
	pkt[8] = 1;
	pkt[9] = 103;
	memcpy(pkt + 12, (uint8_t[]){ 10, 255, 0, 2 }, 4);
	memcpy(pkt + 16, (uint8_t[]){ 224, 0, 0, 13 }, 4);
	amt_put16(pkt + 10, amt_csum_fold(amt_csum_add(0, pkt, 20)));
	memcpy(pkt + 20, pim, sizeof(pim));
	amt_put16(pkt + 22, amt_csum_fold(amt_csum_add(0, pim, sizeof(pim))));
	return len;
}

static void test_jp_handmade(void)
{
	struct amt_pim_jp_entry e;
	struct amt_pim_msg m;
	struct amt_pim_jp jp;
	uint8_t pkt[128];
	size_t len = handmade_jp(pkt);

	CHECK_INT(amt_pim_parse(pkt, len, &m), AMT_PIM_OK);
	CHECK_INT(m.type, AMT_PIM_TYPE_JOIN_PRUNE);
	CHECK_INT(amt_pim_jp_decode(&m, &jp), AMT_PIM_OK);
	CHECK_MEM(jp.upstream.bytes, ip4(10, 255, 0, 1).bytes, 4);
	CHECK_INT(jp.holdtime, 210);
	CHECK_INT(jp.num_groups, 2);

	CHECK(amt_pim_jp_next(&jp, &e));
	CHECK(e.join);
	CHECK_MEM(e.group.bytes, ip4(232, 1, 1, 1).bytes, 4);
	CHECK_MEM(e.source.bytes, ip4(10, 0, 1, 10).bytes, 4);
	CHECK_INT(e.flags, AMT_PIM_SRC_S);
	CHECK_INT(e.source_mask, 32);

	CHECK(amt_pim_jp_next(&jp, &e));
	CHECK(e.join);
	CHECK_MEM(e.group.bytes, ip4(239, 1, 1, 1).bytes, 4);
	CHECK_MEM(e.source.bytes, ip4(10, 0, 1, 1).bytes, 4);
	CHECK_INT(e.flags, AMT_PIM_SRC_S | AMT_PIM_SRC_W | AMT_PIM_SRC_R);

	CHECK(amt_pim_jp_next(&jp, &e));
	CHECK(!e.join);
	CHECK_MEM(e.source.bytes, ip4(10, 0, 1, 10).bytes, 4);
	CHECK_INT(e.flags, AMT_PIM_SRC_S | AMT_PIM_SRC_R);

	CHECK(!amt_pim_jp_next(&jp, &e));
	CHECK(!amt_pim_jp_next(&jp, &e));
}

/* Every truncation is rejected, never read past. */
static void test_jp_truncated(void)
{
	struct amt_pim_msg m;
	struct amt_pim_jp jp;
	uint8_t pkt[128];
	size_t len = handmade_jp(pkt);
	unsigned int rejected = 0;

	for (size_t cut = 20 + 4; cut < len; cut++) {
		uint8_t copy[128];
		enum amt_pim_error err;

		memcpy(copy, pkt, len);
		/* Shorten the IP packet itself, checksums made right again. */
		amt_put16(copy + 2, cut);
		copy[10] = copy[11] = 0;
		amt_put16(copy + 10, amt_csum_fold(amt_csum_add(0, copy, 20)));
		copy[22] = copy[23] = 0;
		amt_put16(copy + 22, amt_csum_fold(amt_csum_add(0, copy + 20, cut - 20)));
		err = amt_pim_parse(copy, cut, &m);
		if (err == AMT_PIM_OK)
			err = amt_pim_jp_decode(&m, &jp);
		if (err == AMT_PIM_ERR_TOO_SHORT || err == AMT_PIM_ERR_COUNTS)
			rejected++;
	}
	CHECK_INT(rejected, len - 24);
	/* The buffer shorter than the IP length field says. */
	CHECK_INT(amt_pim_parse(pkt, len - 1, &m), AMT_PIM_ERR_BAD_LENGTH);
	CHECK_INT(amt_pim_parse(pkt, 0, &m), AMT_PIM_ERR_TOO_SHORT);
	CHECK_INT(amt_pim_parse(pkt, 10, &m), AMT_PIM_ERR_TOO_SHORT);
}

static void test_jp_rejects(void)
{
	struct amt_pim_msg m;
	struct amt_pim_jp jp;
	uint8_t pkt[128], copy[128];
	size_t len = handmade_jp(pkt);

	/* Bad PIM checksum. */
	memcpy(copy, pkt, len);
	copy[len - 1] ^= 0x40;
	CHECK_INT(amt_pim_parse(copy, len, &m), AMT_PIM_ERR_CHECKSUM);
	/* Bad IP header checksum. */
	memcpy(copy, pkt, len);
	copy[10] ^= 1;
	CHECK_INT(amt_pim_parse(copy, len, &m), AMT_PIM_ERR_IP_CHECKSUM);
	/* Not PIM: protocol 17. */
	memcpy(copy, pkt, len);
	copy[9] = 17;
	copy[10] = copy[11] = 0;
	amt_put16(copy + 10, amt_csum_fold(amt_csum_add(0, copy, 20)));
	CHECK_INT(amt_pim_parse(copy, len, &m), AMT_PIM_ERR_NOT_PIM);
	/* A fragment. */
	memcpy(copy, pkt, len);
	copy[6] = 0x20;
	copy[10] = copy[11] = 0;
	amt_put16(copy + 10, amt_csum_fold(amt_csum_add(0, copy, 20)));
	CHECK_INT(amt_pim_parse(copy, len, &m), AMT_PIM_ERR_BAD_IP_HEADER);
	/* IP version 5. */
	memcpy(copy, pkt, len);
	copy[0] = 0x55;
	CHECK_INT(amt_pim_parse(copy, len, &m), AMT_PIM_ERR_BAD_IP_HEADER);

	/* PIM version 1, checksum fixed up. */
	memcpy(copy, pkt, len);
	copy[20] = 0x13;
	copy[22] = copy[23] = 0;
	amt_put16(copy + 22, amt_csum_fold(amt_csum_add(0, copy + 20, len - 20)));
	CHECK_INT(amt_pim_parse(copy, len, &m), AMT_PIM_ERR_VERSION);

	/* An IPv6 encoded source in an IPv4 message. */
	memcpy(copy, pkt, len);
	copy[20 + 26] = 2;
	copy[22] = copy[23] = 0;
	amt_put16(copy + 22, amt_csum_fold(amt_csum_add(0, copy + 20, len - 20)));
	CHECK_INT(amt_pim_parse(copy, len, &m), AMT_PIM_OK);
	CHECK_INT(amt_pim_jp_decode(&m, &jp), AMT_PIM_ERR_ENCODING);

	/* A joined-source count past the end. */
	memcpy(copy, pkt, len);
	copy[20 + 22 + 1] = 200;
	copy[22] = copy[23] = 0;
	amt_put16(copy + 22, amt_csum_fold(amt_csum_add(0, copy + 20, len - 20)));
	CHECK_INT(amt_pim_parse(copy, len, &m), AMT_PIM_OK);
	CHECK_INT(amt_pim_jp_decode(&m, &jp), AMT_PIM_ERR_COUNTS);

	/* A Hello is no Join/Prune. */
	memcpy(copy, pkt, len);
	copy[20] = 0x20;
	copy[22] = copy[23] = 0;
	amt_put16(copy + 22, amt_csum_fold(amt_csum_add(0, copy + 20, len - 20)));
	CHECK_INT(amt_pim_parse(copy, len, &m), AMT_PIM_OK);
	CHECK_INT(amt_pim_jp_decode(&m, &jp), AMT_PIM_ERR_NOT_JOIN_PRUNE);
	CHECK(strcmp(amt_pim_error_str(AMT_PIM_ERR_COUNTS), "unknown error") != 0);
	CHECK(strcmp(amt_pim_error_str(AMT_PIM_ERR_MAX), "unknown error") == 0);
}

/* IPv6 through the builder: pim6d's Join/Prune shape. */
static void test_jp_v6_roundtrip(void)
{
	const union amt_ip sources[] = { ip6(0x2001, 0x10), ip6(0x2001, 0x11) };
	const uint8_t flags[] = { AMT_PIM_SRC_S, AMT_PIM_SRC_S };
	struct amt_pim_jp_params p = {
		.family = AF_INET6,
		.src = ip6(0xfe80, 1),
		.upstream = ip6(0xfe80, 0x2268),
		.holdtime = 0xffff,
		.group = ip6(0xff3e, 0x8000),
		.num_joins = 1,
		.num_prunes = 1,
		.sources = sources,
		.flags = flags,
	};
	struct amt_pim_jp_entry e;
	struct amt_pim_msg m;
	struct amt_pim_jp jp;
	uint8_t buf[256];
	ssize_t n = amt_pim_jp_build(buf, sizeof(buf), &p);

	CHECK(n > 0);
	CHECK_INT(amt_pim_parse(buf, n, &m), AMT_PIM_OK);
	CHECK_INT(amt_pim_jp_decode(&m, &jp), AMT_PIM_OK);
	CHECK_MEM(jp.upstream.bytes, p.upstream.bytes, 16);
	CHECK_INT(jp.holdtime, 0xffff);
	CHECK(amt_pim_jp_next(&jp, &e));
	CHECK(e.join);
	CHECK_MEM(e.group.bytes, p.group.bytes, 16);
	CHECK_MEM(e.source.bytes, sources[0].bytes, 16);
	CHECK_INT(e.group_mask, 128);
	CHECK(amt_pim_jp_next(&jp, &e));
	CHECK(!e.join);
	CHECK_MEM(e.source.bytes, sources[1].bytes, 16);
	CHECK(!amt_pim_jp_next(&jp, &e));
	CHECK_INT(amt_pim_jp_build(buf, n - 1, &p), -1);
}

int main(void)
{
	test_hello_v4();
	test_hello_v6();
	test_jp_handmade();
	test_jp_truncated();
	test_jp_rejects();
	test_jp_v6_roundtrip();
	return amt_test_summary("test_amt_pim");
}
