// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the IGMP/MLD codec (amtd/amt_igmp.c).  The packets below
 * were written out field by field; their IPv4 header, IGMP and ICMPv6
 * checksums were computed independently of the code under test.
 */
#include <zebra.h>

#include <arpa/inet.h>
#include <stdlib.h>

#include "amtd/amt_igmp.h"
#include "tests/amtd/amt_test.h"

/*
 * IGMPv3 General Query 192.0.2.1 -> 224.0.0.1, TTL 1, Router Alert,
 * Max Resp Code 100 (10 s), QRV 2, QQIC 125.  IP checksum 0x8211 and IGMP
 * checksum 0xec1e worked out by hand.
 */
static const uint8_t igmpv3_gq[36] = {
	0x46, 0xc0, 0x00, 0x24, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x82, 0x11,
	0xc0, 0x00, 0x02, 0x01, 0xe0, 0x00, 0x00, 0x01, 0x94, 0x04, 0x00, 0x00,
	0x11, 0x64, 0xec, 0x1e, 0x00, 0x00, 0x00, 0x00, 0x02, 0x7d, 0x00, 0x00,
};

/*
 * MLDv2 General Query fe80::1 -> ff02::1, Hop Limit 1, Hop-by-Hop Router
 * Alert (MLD), Maximum Response Code 10000 ms, QRV 2, QQIC 125.
 */
static const uint8_t mldv2_gq[76] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x24, 0x00, 0x01, 0xfe, 0x80, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xff, 0x02,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x3a, 0x00, 0x05, 0x02, 0x00, 0x00, 0x01, 0x00, 0x82, 0x00, 0x56, 0x96,
	0x27, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x7d, 0x00, 0x00,
};

/* IGMPv3 report 192.0.2.10 -> 224.0.0.22: ALLOW(232.1.1.1, {198.51.100.7}). */
static const uint8_t igmpv3_report[44] = {
	0x46, 0xc0, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x81, 0xeb, 0xc0, 0x00, 0x02,
	0x0a, 0xe0, 0x00, 0x00, 0x16, 0x94, 0x04, 0x00, 0x00, 0x22, 0x00, 0xc5, 0xbf, 0x00, 0x00,
	0x00, 0x01, 0x05, 0x00, 0x00, 0x01, 0xe8, 0x01, 0x01, 0x01, 0xc6, 0x33, 0x64, 0x07,
};

/* MLDv2 report fe80::2 -> ff02::16: IS_IN(ff3e::1234, {2001:db8::7}). */
static const uint8_t mldv2_report[92] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x34, 0x00, 0x01, 0xfe, 0x80, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0xff, 0x02, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x16, 0x3a, 0x00,
	0x05, 0x02, 0x00, 0x00, 0x01, 0x00, 0x8f, 0x00, 0x32, 0xc8, 0x00, 0x00, 0x00, 0x01,
	0x01, 0x00, 0x00, 0x01, 0xff, 0x3e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x12, 0x34, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07,
};

/*
 * IGMPv3 report with five records: IS_IN(232.1.1.1, {10.0.0.1, 10.0.0.2}),
 * TO_EX(239.1.2.3, {}), type 9 (unknown) for 239.9.9.9,
 * BLOCK(232.2.2.2, {10.0.0.3}) with one word of aux data, and
 * IS_EX(10.1.1.1), which is no multicast group.
 */
static const uint8_t igmpv3_multi[88] = {
	0x46, 0xc0, 0x00, 0x58, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x81, 0xbf, 0xc0, 0x00, 0x02,
	0x0a, 0xe0, 0x00, 0x00, 0x16, 0x94, 0x04, 0x00, 0x00, 0x22, 0x00, 0x6b, 0x35, 0x00, 0x00,
	0x00, 0x05, 0x01, 0x00, 0x00, 0x02, 0xe8, 0x01, 0x01, 0x01, 0x0a, 0x00, 0x00, 0x01, 0x0a,
	0x00, 0x00, 0x02, 0x04, 0x00, 0x00, 0x00, 0xef, 0x01, 0x02, 0x03, 0x09, 0x00, 0x00, 0x00,
	0xef, 0x09, 0x09, 0x09, 0x06, 0x01, 0x00, 0x01, 0xe8, 0x02, 0x02, 0x02, 0x0a, 0x00, 0x00,
	0x03, 0xaa, 0xbb, 0xcc, 0xdd, 0x02, 0x00, 0x00, 0x00, 0x0a, 0x01, 0x01, 0x01,
};

/* IGMPv2 report and leave for 239.1.1.1 from 192.0.2.10, with RA. */
static const uint8_t igmpv2_report[32] = {
	0x46, 0xc0, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x72,
	0x0b, 0xc0, 0x00, 0x02, 0x0a, 0xef, 0x01, 0x01, 0x01, 0x94, 0x04,
	0x00, 0x00, 0x16, 0x00, 0xf9, 0xfc, 0xef, 0x01, 0x01, 0x01,
};
static const uint8_t igmpv2_leave[32] = {
	0x46, 0xc0, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x82,
	0x0b, 0xc0, 0x00, 0x02, 0x0a, 0xe0, 0x00, 0x00, 0x02, 0x94, 0x04,
	0x00, 0x00, 0x17, 0x00, 0xf8, 0xfc, 0xef, 0x01, 0x01, 0x01,
};

/* IGMPv1 report for 239.1.1.1 from 0.0.0.0, TTL 64, no Router Alert. */
static const uint8_t igmpv1_report_nora[28] = {
	0x45, 0x00, 0x00, 0x1c, 0x00, 0x00, 0x00, 0x00, 0x40, 0x02, 0x8a, 0xde, 0x00, 0x00,
	0x00, 0x00, 0xef, 0x01, 0x01, 0x01, 0x12, 0x00, 0xfd, 0xfc, 0xef, 0x01, 0x01, 0x01,
};

/* IGMPv2 General Query (Max Resp Time 100), and IGMPv1 query (no RA). */
static const uint8_t igmpv2_gq[32] = {
	0x46, 0xc0, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x82,
	0x15, 0xc0, 0x00, 0x02, 0x01, 0xe0, 0x00, 0x00, 0x01, 0x94, 0x04,
	0x00, 0x00, 0x11, 0x64, 0xee, 0x9b, 0x00, 0x00, 0x00, 0x00,
};
static const uint8_t igmpv1_q[28] = {
	0x45, 0x00, 0x00, 0x1c, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x17, 0xde, 0xc0, 0x00,
	0x02, 0x01, 0xe0, 0x00, 0x00, 0x01, 0x11, 0x00, 0xee, 0xff, 0x00, 0x00, 0x00, 0x00,
};

/*
 * IGMPv3 group-and-source-specific query from 0.0.0.0 for 232.1.1.1,
 * Max Resp Code 0x8f (248 tenths), S=1, QRV 3, QQIC 0x8a (208 s), sources
 * 10.0.0.1 and 10.0.0.2.
 */
static const uint8_t igmpv3_gssq[44] = {
	0x46, 0xc0, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x3b, 0x0a, 0x00, 0x00, 0x00,
	0x00, 0xe8, 0x01, 0x01, 0x01, 0x94, 0x04, 0x00, 0x00, 0x11, 0x8f, 0xe5, 0xde, 0xe8, 0x01,
	0x01, 0x01, 0x0b, 0x8a, 0x00, 0x02, 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02,
};

/* MLDv1 report (to the group) and done (to ff02::2) for ff3e::1234. */
static const uint8_t mldv1_report[72] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x01, 0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0xff, 0x3e, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x12, 0x34, 0x3a, 0x00, 0x05, 0x02, 0x00,
	0x00, 0x01, 0x00, 0x83, 0x00, 0x5b, 0x44, 0x00, 0x00, 0x00, 0x00, 0xff, 0x3e, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x12, 0x34,
};
static const uint8_t mldv1_done[72] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x01, 0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x3a, 0x00, 0x05, 0x02, 0x00,
	0x00, 0x01, 0x00, 0x84, 0x00, 0x6c, 0xb2, 0x00, 0x00, 0x00, 0x00, 0xff, 0x3e, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x12, 0x34,
};

/* MLDv1 General Query, Maximum Response Delay 10000 ms. */
static const uint8_t mldv1_gq[72] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x01, 0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x3a, 0x00, 0x05, 0x02, 0x00,
	0x00, 0x01, 0x00, 0x82, 0x00, 0x59, 0x17, 0x27, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/*
 * MLDv2 query for ff3e::1234 and source 2001:db8::7, Maximum Response Code
 * 0x8123 ((0x1000 | 0x123) << 3 = 35096 ms), S=1, QRV 7, QQIC 0xff.
 */
static const uint8_t mldv2_gssq[92] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x34, 0x00, 0x01, 0xfe, 0x80, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xff, 0x3e, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x12, 0x34, 0x3a, 0x00,
	0x05, 0x02, 0x00, 0x00, 0x01, 0x00, 0x82, 0x00, 0x9d, 0x4d, 0x81, 0x23, 0x00, 0x00,
	0xff, 0x3e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x12, 0x34, 0x0f, 0xff, 0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07,
};

/* An RFC 1071 checksum of the test's own, to re-seal mutated packets. */
static uint16_t t_csum(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		sum += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

/* Recompute the IPv4 header and IGMP checksums of pkt. */
static void fix_ip4(uint8_t *pkt)
{
	size_t hlen = (pkt[0] & 0x0f) * 4;
	size_t tot = (pkt[2] << 8) | pkt[3];
	uint16_t c;

	pkt[10] = pkt[11] = 0;
	c = t_csum(0, pkt, hlen);
	pkt[10] = c >> 8;
	pkt[11] = c;
	pkt[hlen + 2] = pkt[hlen + 3] = 0;
	c = t_csum(0, pkt + hlen, tot - hlen);
	pkt[hlen + 2] = c >> 8;
	pkt[hlen + 3] = c;
}

/* Recompute the ICMPv6 checksum of pkt (IPv6 + 8-byte Hop-by-Hop). */
static void fix_ip6(uint8_t *pkt)
{
	size_t mlen = ((pkt[4] << 8) | pkt[5]) - 8;
	uint8_t *m = pkt + 48;
	uint32_t sum = 58 + mlen;
	uint16_t c;

	for (size_t i = 8; i < 40; i += 2)
		sum += (pkt[i] << 8) | pkt[i + 1];
	m[2] = m[3] = 0;
	c = t_csum(sum, m, mlen);
	m[2] = c >> 8;
	m[3] = c;
}

static void test_checksum_helper(void)
{
	uint8_t pkt[sizeof(igmpv3_gq)];

	/* The helper reproduces the hand-computed values. */
	memcpy(pkt, igmpv3_gq, sizeof(pkt));
	fix_ip4(pkt);
	CHECK_MEM(pkt, igmpv3_gq, sizeof(pkt));
	CHECK_INT(t_csum(0, igmpv3_gq, 24), 0);
	CHECK_INT(t_csum(0, igmpv3_gq + 24, 12), 0);
}

static enum amt_igmp_error report_copy(const uint8_t *pkt, size_t len, int family,
				       struct amt_report *rep, uint8_t **copy)
{
	*copy = malloc(len ? len : 1);
	if (len)
		memcpy(*copy, pkt, len);
	return amt_report_decode(*copy, len, family, rep);
}

static enum amt_igmp_error report_err(const uint8_t *pkt, size_t len, int family)
{
	struct amt_report rep;
	uint8_t *copy;
	enum amt_igmp_error err = report_copy(pkt, len, family, &rep, &copy);

	free(copy);
	return err;
}

static enum amt_igmp_error query_err(const uint8_t *pkt, size_t len, int family, struct amt_query *q)
{
	uint8_t *copy = malloc(len ? len : 1);
	enum amt_igmp_error err;

	if (len)
		memcpy(copy, pkt, len);
	err = amt_query_parse(copy, len, family, q);
	free(copy);
	return err;
}

/* Every prefix of a valid packet is rejected, by both decoders. */
static void check_truncations(const uint8_t *pkt, size_t full)
{
	struct amt_query q;
	unsigned int accepted = 0;

	for (size_t len = 0; len < full; len++) {
		if (report_err(pkt, len, AF_UNSPEC) == AMT_IGMP_OK)
			accepted++;
		if (query_err(pkt, len, AF_UNSPEC, &q) == AMT_IGMP_OK)
			accepted++;
	}
	CHECK_INT(accepted, 0);
}

static void test_codes(void)
{
	unsigned int bad = 0;

	/* RFC 3376 4.1.1: below 128 as is, above (mant | 0x10) << (exp + 3). */
	CHECK_INT(amt_igmp_code_decode(0), 0);
	CHECK_INT(amt_igmp_code_decode(127), 127);
	CHECK_INT(amt_igmp_code_decode(0x80), 128);
	CHECK_INT(amt_igmp_code_decode(0x8f), 248);
	CHECK_INT(amt_igmp_code_decode(0x8a), 208);
	CHECK_INT(amt_igmp_code_decode(0xaf), 992);
	CHECK_INT(amt_igmp_code_decode(0xff), 31744);
	CHECK_INT(amt_igmp_code_encode(125), 125);
	CHECK_INT(amt_igmp_code_encode(128), 0x80);
	CHECK_INT(amt_igmp_code_encode(130), 0x80); /* rounds down */
	CHECK_INT(amt_igmp_code_encode(248), 0x8f);
	CHECK_INT(amt_igmp_code_encode(1000), 0xaf);
	CHECK_INT(amt_igmp_code_encode(31743), 0xfe);
	CHECK_INT(amt_igmp_code_encode(31744), 0xff);
	CHECK_INT(amt_igmp_code_encode(1000000), 0xff);

	/* Every code survives decode + encode. */
	for (unsigned int c = 0; c < 256; c++)
		if (amt_igmp_code_encode(amt_igmp_code_decode(c)) != c)
			bad++;
	CHECK_INT(bad, 0);
	/* Encoding never exceeds the value, and loses less than 1/16. */
	bad = 0;
	for (uint32_t v = 0; v <= 40000; v++) {
		uint32_t d = amt_igmp_code_decode(amt_igmp_code_encode(v));
		uint32_t cap = v > 31744 ? 31744 : v;

		if (d > cap || (cap - d) * 16 > cap)
			bad++;
	}
	CHECK_INT(bad, 0);

	/* RFC 3810 5.1.3: (mant | 0x1000) << (exp + 3) from 32768 up. */
	CHECK_INT(amt_mld_code_decode(10000), 10000);
	CHECK_INT(amt_mld_code_decode(32767), 32767);
	CHECK_INT(amt_mld_code_decode(0x8000), 32768);
	CHECK_INT(amt_mld_code_decode(0x8123), 35096);
	CHECK_INT(amt_mld_code_decode(0xffff), 8387584);
	CHECK_INT(amt_mld_code_encode(32768), 0x8000);
	CHECK_INT(amt_mld_code_encode(35096), 0x8123);
	CHECK_INT(amt_mld_code_encode(35103), 0x8123);
	CHECK_INT(amt_mld_code_encode(8387584), 0xffff);
	CHECK_INT(amt_mld_code_encode(UINT32_MAX), 0xffff);
	bad = 0;
	for (uint32_t c = 0; c < 65536; c++)
		if (amt_mld_code_encode(amt_mld_code_decode(c)) != c)
			bad++;
	CHECK_INT(bad, 0);
	bad = 0;
	for (uint32_t v = 0; v <= 9000000; v += 7) {
		uint32_t d = amt_mld_code_decode(amt_mld_code_encode(v));
		uint32_t cap = v > 8387584 ? 8387584 : v;

		if (d > cap || (uint64_t)(cap - d) * 4096 > cap)
			bad++;
	}
	CHECK_INT(bad, 0);
}

static void check_addr4(const void *got, const char *want)
{
	struct in_addr a;

	inet_pton(AF_INET, want, &a);
	CHECK_MEM(got, &a, 4);
}

static void check_addr6(const void *got, const char *want)
{
	struct in6_addr a;

	inet_pton(AF_INET6, want, &a);
	CHECK_MEM(got, &a, 16);
}

static void test_report_v3(void)
{
	struct amt_report rep;
	struct amt_group_record rec;
	uint8_t *copy;

	CHECK_INT(report_copy(igmpv3_report, sizeof(igmpv3_report), AF_INET, &rep, &copy),
		  AMT_IGMP_OK);
	CHECK_INT(rep.family, AF_INET);
	CHECK_INT(rep.version, 3);
	CHECK_INT(rep.flags, 0);
	CHECK_INT(rep.num_records, 1);
	check_addr4(&rep.src, "192.0.2.10");
	check_addr4(&rep.dst, "224.0.0.22");
	CHECK(amt_report_next(&rep, &rec));
	CHECK_INT(rec.family, AF_INET);
	CHECK_INT(rec.type, AMT_REC_ALLOW_NEW_SOURCES);
	CHECK_INT(rec.version, 3);
	check_addr4(&rec.group, "232.1.1.1");
	CHECK_INT(rec.num_sources, 1);
	check_addr4(rec.sources, "198.51.100.7");
	CHECK(!amt_report_next(&rep, &rec));
	CHECK(!amt_report_next(&rep, &rec));
	free(copy);
	check_truncations(igmpv3_report, sizeof(igmpv3_report));

	/* Five records: the unknown type and the unicast group are skipped. */
	CHECK_INT(report_copy(igmpv3_multi, sizeof(igmpv3_multi), AF_UNSPEC, &rep, &copy),
		  AMT_IGMP_OK);
	CHECK_INT(rep.num_records, 5);
	CHECK_INT(rep.flags, AMT_IGMPF_UNKNOWN_RECORD | AMT_IGMPF_BAD_GROUP);
	CHECK(amt_report_next(&rep, &rec));
	CHECK_INT(rec.type, AMT_REC_MODE_IS_INCLUDE);
	check_addr4(&rec.group, "232.1.1.1");
	CHECK_INT(rec.num_sources, 2);
	check_addr4(rec.sources, "10.0.0.1");
	check_addr4(rec.sources + 4, "10.0.0.2");
	CHECK(amt_report_next(&rep, &rec));
	CHECK_INT(rec.type, AMT_REC_CHANGE_TO_EXCLUDE);
	check_addr4(&rec.group, "239.1.2.3");
	CHECK_INT(rec.num_sources, 0);
	CHECK(amt_report_next(&rep, &rec));
	CHECK_INT(rec.type, AMT_REC_BLOCK_OLD_SOURCES);
	check_addr4(&rec.group, "232.2.2.2");
	CHECK_INT(rec.num_sources, 1);
	check_addr4(rec.sources, "10.0.0.3");
	CHECK(!amt_report_next(&rep, &rec));
	free(copy);
	check_truncations(igmpv3_multi, sizeof(igmpv3_multi));

	/* MLDv2. */
	CHECK_INT(report_copy(mldv2_report, sizeof(mldv2_report), AF_INET6, &rep, &copy),
		  AMT_IGMP_OK);
	CHECK_INT(rep.family, AF_INET6);
	CHECK_INT(rep.version, 2);
	CHECK_INT(rep.flags, 0);
	check_addr6(&rep.src, "fe80::2");
	check_addr6(&rep.dst, "ff02::16");
	CHECK(amt_report_next(&rep, &rec));
	CHECK_INT(rec.family, AF_INET6);
	CHECK_INT(rec.type, AMT_REC_MODE_IS_INCLUDE);
	CHECK_INT(rec.version, 2);
	check_addr6(&rec.group, "ff3e::1234");
	CHECK_INT(rec.num_sources, 1);
	check_addr6(rec.sources, "2001:db8::7");
	CHECK(!amt_report_next(&rep, &rec));
	free(copy);
	check_truncations(mldv2_report, sizeof(mldv2_report));
}

/* A v1/v2 message maps onto one source-less record. */
static void check_legacy(const uint8_t *pkt, size_t len, int family, uint8_t version, uint8_t type,
			 const char *group, uint16_t flags)
{
	struct amt_report rep;
	struct amt_group_record rec;
	uint8_t *copy;

	CHECK_INT(report_copy(pkt, len, family, &rep, &copy), AMT_IGMP_OK);
	CHECK_INT(rep.family, family);
	CHECK_INT(rep.version, version);
	CHECK_INT(rep.flags, flags);
	CHECK_INT(rep.num_records, 1);
	CHECK(amt_report_next(&rep, &rec));
	CHECK_INT(rec.family, family);
	CHECK_INT(rec.type, type);
	CHECK_INT(rec.version, version);
	CHECK_INT(rec.num_sources, 0);
	if (family == AF_INET)
		check_addr4(&rec.group, group);
	else
		check_addr6(&rec.group, group);
	CHECK(!amt_report_next(&rep, &rec));
	free(copy);
	check_truncations(pkt, len);
}

static void test_report_legacy(void)
{
	check_legacy(igmpv2_report, sizeof(igmpv2_report), AF_INET, 2, AMT_REC_MODE_IS_EXCLUDE,
		     "239.1.1.1", 0);
	check_legacy(igmpv2_leave, sizeof(igmpv2_leave), AF_INET, 2, AMT_REC_CHANGE_TO_INCLUDE,
		     "239.1.1.1", 0);
	/* Tolerated: no Router Alert, source 0.0.0.0, TTL 64. */
	check_legacy(igmpv1_report_nora, sizeof(igmpv1_report_nora), AF_INET, 1,
		     AMT_REC_MODE_IS_EXCLUDE, "239.1.1.1",
		     AMT_IGMPF_NO_ROUTER_ALERT | AMT_IGMPF_ZERO_SOURCE | AMT_IGMPF_TTL);
	check_legacy(mldv1_report, sizeof(mldv1_report), AF_INET6, 1, AMT_REC_MODE_IS_EXCLUDE,
		     "ff3e::1234", 0);
	check_legacy(mldv1_done, sizeof(mldv1_done), AF_INET6, 1, AMT_REC_CHANGE_TO_INCLUDE,
		     "ff3e::1234", 0);
}

static void test_report_rejections(void)
{
	uint8_t pkt[256];
	struct amt_report rep;
	struct amt_group_record rec;
	uint8_t *copy;

	/* Too short: nothing, a partial IP header, an IGMP message < 8. */
	CHECK_INT(report_err(igmpv3_report, 0, AF_UNSPEC), AMT_IGMP_ERR_TOO_SHORT);
	CHECK_INT(report_err(igmpv3_report, 19, AF_INET), AMT_IGMP_ERR_TOO_SHORT);
	CHECK_INT(report_err(mldv2_report, 39, AF_INET6), AMT_IGMP_ERR_TOO_SHORT);
	memcpy(pkt, igmpv2_report, sizeof(igmpv2_report));
	pkt[3] = 24 + 4;
	pkt[10] = pkt[11] = 0;
	{
		uint16_t c = t_csum(0, pkt, 24);

		pkt[10] = c >> 8;
		pkt[11] = c;
	}
	CHECK_INT(report_err(pkt, 28, AF_INET), AMT_IGMP_ERR_TOO_SHORT);

	/* Family mismatch. */
	CHECK_INT(report_err(igmpv3_report, sizeof(igmpv3_report), AF_INET6), AMT_IGMP_ERR_FAMILY);
	CHECK_INT(report_err(mldv2_report, sizeof(mldv2_report), AF_INET), AMT_IGMP_ERR_FAMILY);
	/* Queries are not reports. */
	CHECK_INT(report_err(igmpv3_gq, sizeof(igmpv3_gq), AF_INET), AMT_IGMP_ERR_NOT_REPORT);
	CHECK_INT(report_err(mldv2_gq, sizeof(mldv2_gq), AF_INET6), AMT_IGMP_ERR_NOT_REPORT);

	/* IPv4 header checksum. */
	memcpy(pkt, igmpv3_report, sizeof(igmpv3_report));
	pkt[11] ^= 0x01;
	CHECK_INT(report_err(pkt, sizeof(igmpv3_report), AF_INET), AMT_IGMP_ERR_IP_CHECKSUM);
	/* IGMP checksum. */
	memcpy(pkt, igmpv3_report, sizeof(igmpv3_report));
	pkt[sizeof(igmpv3_report) - 1] ^= 0x01;
	CHECK_INT(report_err(pkt, sizeof(igmpv3_report), AF_INET), AMT_IGMP_ERR_CHECKSUM);
	/* ICMPv6 checksum, in the message and in the pseudo-header. */
	memcpy(pkt, mldv2_report, sizeof(mldv2_report));
	pkt[sizeof(mldv2_report) - 1] ^= 0x01;
	CHECK_INT(report_err(pkt, sizeof(mldv2_report), AF_INET6), AMT_IGMP_ERR_CHECKSUM);
	memcpy(pkt, mldv2_report, sizeof(mldv2_report));
	pkt[23] ^= 0x01; /* source address */
	CHECK_INT(report_err(pkt, sizeof(mldv2_report), AF_INET6), AMT_IGMP_ERR_CHECKSUM);

	/* IP version, IHL. */
	memcpy(pkt, igmpv3_report, sizeof(igmpv3_report));
	pkt[0] = 0x56;
	CHECK_INT(report_err(pkt, sizeof(igmpv3_report), AF_UNSPEC), AMT_IGMP_ERR_BAD_IP_HEADER);
	pkt[0] = 0x44;
	CHECK_INT(report_err(pkt, sizeof(igmpv3_report), AF_UNSPEC), AMT_IGMP_ERR_BAD_IP_HEADER);
	/* A malformed option (length past the header). */
	memcpy(pkt, igmpv3_report, sizeof(igmpv3_report));
	pkt[21] = 8;
	fix_ip4(pkt);
	CHECK_INT(report_err(pkt, sizeof(igmpv3_report), AF_INET), AMT_IGMP_ERR_BAD_IP_HEADER);

	/* Total length longer than the buffer / shorter than the header. */
	memcpy(pkt, igmpv3_report, sizeof(igmpv3_report));
	pkt[3] += 4;
	fix_ip4(pkt);
	CHECK_INT(report_err(pkt, sizeof(igmpv3_report), AF_INET), AMT_IGMP_ERR_BAD_LENGTH);
	memcpy(pkt, igmpv3_report, sizeof(igmpv3_report));
	pkt[3] = 20;
	pkt[10] = pkt[11] = 0;
	{
		uint16_t c = t_csum(0, pkt, 24);

		pkt[10] = c >> 8;
		pkt[11] = c;
	}
	CHECK_INT(report_err(pkt, sizeof(igmpv3_report), AF_INET), AMT_IGMP_ERR_BAD_LENGTH);

	/* Fragment; other protocol. */
	memcpy(pkt, igmpv3_report, sizeof(igmpv3_report));
	pkt[6] = 0x20; /* MF */
	fix_ip4(pkt);
	CHECK_INT(report_err(pkt, sizeof(igmpv3_report), AF_INET), AMT_IGMP_ERR_FRAGMENT);
	memcpy(pkt, igmpv3_report, sizeof(igmpv3_report));
	pkt[9] = 17;
	fix_ip4(pkt);
	CHECK_INT(report_err(pkt, sizeof(igmpv3_report), AF_INET), AMT_IGMP_ERR_NOT_IGMP);
	/* IPv6: Hop-by-Hop then UDP; Hop-by-Hop longer than the packet. */
	memcpy(pkt, mldv2_report, sizeof(mldv2_report));
	pkt[40] = 17;
	CHECK_INT(report_err(pkt, sizeof(mldv2_report), AF_INET6), AMT_IGMP_ERR_NOT_IGMP);
	memcpy(pkt, mldv2_report, sizeof(mldv2_report));
	pkt[41] = 10;
	CHECK_INT(report_err(pkt, sizeof(mldv2_report), AF_INET6), AMT_IGMP_ERR_BAD_LENGTH);
	memcpy(pkt, mldv2_report, sizeof(mldv2_report));
	pkt[40] = 44;
	CHECK_INT(report_err(pkt, sizeof(mldv2_report), AF_INET6), AMT_IGMP_ERR_FRAGMENT);

	/* Source counts running past the end of the message. */
	memcpy(pkt, igmpv3_report, sizeof(igmpv3_report));
	pkt[24 + 8 + 3] = 2;
	fix_ip4(pkt);
	CHECK_INT(report_err(pkt, sizeof(igmpv3_report), AF_INET), AMT_IGMP_ERR_SOURCES);
	memcpy(pkt, igmpv3_report, sizeof(igmpv3_report));
	pkt[24 + 8 + 2] = 0x40; /* 16385 sources */
	fix_ip4(pkt);
	CHECK_INT(report_err(pkt, sizeof(igmpv3_report), AF_INET), AMT_IGMP_ERR_SOURCES);
	memcpy(pkt, mldv2_report, sizeof(mldv2_report));
	pkt[48 + 8 + 3] = 2;
	fix_ip6(pkt);
	CHECK_INT(report_err(pkt, sizeof(mldv2_report), AF_INET6), AMT_IGMP_ERR_SOURCES);
	/* Aux data past the end; one record more than there is. */
	memcpy(pkt, igmpv3_report, sizeof(igmpv3_report));
	pkt[24 + 8 + 1] = 1;
	fix_ip4(pkt);
	CHECK_INT(report_err(pkt, sizeof(igmpv3_report), AF_INET), AMT_IGMP_ERR_BAD_LENGTH);
	memcpy(pkt, igmpv3_report, sizeof(igmpv3_report));
	pkt[24 + 7] = 2;
	fix_ip4(pkt);
	CHECK_INT(report_err(pkt, sizeof(igmpv3_report), AF_INET), AMT_IGMP_ERR_BAD_LENGTH);
	/* MLDv1 shorter than 24 bytes. */
	memcpy(pkt, mldv1_report, sizeof(mldv1_report));
	pkt[5] -= 4;
	fix_ip6(pkt);
	CHECK_INT(report_err(pkt, sizeof(mldv1_report) - 4, AF_INET6), AMT_IGMP_ERR_BAD_LENGTH);

	/* Tolerated: trailing bytes after the IP packet, reserved bits. */
	memcpy(pkt, igmpv3_report, sizeof(igmpv3_report));
	pkt[sizeof(igmpv3_report)] = 0x99;
	CHECK_INT(report_copy(pkt, sizeof(igmpv3_report) + 1, AF_INET, &rep, &copy), AMT_IGMP_OK);
	CHECK_INT(rep.flags, AMT_IGMPF_TRAILING);
	CHECK(amt_report_next(&rep, &rec));
	free(copy);
	memcpy(pkt, igmpv3_report, sizeof(igmpv3_report));
	pkt[24 + 5] = 1;
	fix_ip4(pkt);
	CHECK_INT(report_copy(pkt, sizeof(igmpv3_report), AF_INET, &rep, &copy), AMT_IGMP_OK);
	CHECK_INT(rep.flags, AMT_IGMPF_RESERVED);
	free(copy);
	/* MLD from a global address, Hop Limit 255, without Router Alert. */
	memcpy(pkt, mldv2_report, sizeof(mldv2_report));
	pkt[8] = 0x20;
	pkt[9] = 0x01;
	pkt[7] = 255;
	pkt[42] = 1; /* PadN instead of Router Alert */
	fix_ip6(pkt);
	CHECK_INT(report_copy(pkt, sizeof(mldv2_report), AF_INET6, &rep, &copy), AMT_IGMP_OK);
	CHECK_INT(rep.flags, AMT_IGMPF_SOURCE_SCOPE | AMT_IGMPF_TTL | AMT_IGMPF_NO_ROUTER_ALERT);
	free(copy);

	/* Every reason has its own text. */
	for (int i = 0; i < AMT_IGMP_ERR_MAX; i++)
		for (int j = 0; j < i; j++)
			CHECK(strcmp(amt_igmp_error_str(i), amt_igmp_error_str(j)) != 0);
	CHECK(strcmp(amt_igmp_error_str(AMT_IGMP_ERR_MAX), "unknown error") == 0);
}

static void test_query_parse(void)
{
	struct amt_query q;
	uint8_t pkt[128];

	CHECK_INT(query_err(igmpv3_gq, sizeof(igmpv3_gq), AF_INET, &q), AMT_IGMP_OK);
	CHECK_INT(q.family, AF_INET);
	CHECK_INT(q.version, 3);
	CHECK_INT(q.flags, 0);
	check_addr4(&q.src, "192.0.2.1");
	check_addr4(&q.dst, "224.0.0.1");
	check_addr4(&q.group, "0.0.0.0");
	CHECK_INT(q.max_resp_ms, 10000);
	CHECK_INT(q.qrv, 2);
	CHECK_INT(q.qqi, 125);
	CHECK(!q.s_flag);
	CHECK_INT(q.num_sources, 0);
	check_truncations(igmpv3_gq, sizeof(igmpv3_gq));

	CHECK_INT(query_err(igmpv3_gssq, sizeof(igmpv3_gssq), AF_UNSPEC, &q), AMT_IGMP_OK);
	CHECK_INT(q.version, 3);
	CHECK_INT(q.flags, AMT_IGMPF_ZERO_SOURCE);
	check_addr4(&q.group, "232.1.1.1");
	CHECK_INT(q.max_resp_ms, 24800);
	CHECK_INT(q.qrv, 3);
	CHECK_INT(q.qqi, 208);
	CHECK(q.s_flag);
	CHECK_INT(q.num_sources, 2);
	check_truncations(igmpv3_gssq, sizeof(igmpv3_gssq));

	CHECK_INT(query_err(igmpv2_gq, sizeof(igmpv2_gq), AF_INET, &q), AMT_IGMP_OK);
	CHECK_INT(q.version, 2);
	CHECK_INT(q.max_resp_ms, 10000);
	CHECK_INT(q.qrv, 0);
	CHECK_INT(q.qqi, 0);
	CHECK_INT(query_err(igmpv1_q, sizeof(igmpv1_q), AF_INET, &q), AMT_IGMP_OK);
	CHECK_INT(q.version, 1);
	CHECK_INT(q.max_resp_ms, 10000);
	CHECK_INT(q.flags, AMT_IGMPF_NO_ROUTER_ALERT);

	CHECK_INT(query_err(mldv2_gq, sizeof(mldv2_gq), AF_INET6, &q), AMT_IGMP_OK);
	CHECK_INT(q.family, AF_INET6);
	CHECK_INT(q.version, 2);
	CHECK_INT(q.flags, 0);
	check_addr6(&q.src, "fe80::1");
	check_addr6(&q.dst, "ff02::1");
	check_addr6(&q.group, "::");
	CHECK_INT(q.max_resp_ms, 10000);
	CHECK_INT(q.qrv, 2);
	CHECK_INT(q.qqi, 125);
	check_truncations(mldv2_gq, sizeof(mldv2_gq));

	CHECK_INT(query_err(mldv2_gssq, sizeof(mldv2_gssq), AF_INET6, &q), AMT_IGMP_OK);
	check_addr6(&q.group, "ff3e::1234");
	CHECK_INT(q.max_resp_ms, 35096);
	CHECK_INT(q.qrv, 7);
	CHECK(q.s_flag);
	CHECK_INT(q.qqi, 31744);
	CHECK_INT(q.num_sources, 1);
	check_truncations(mldv2_gssq, sizeof(mldv2_gssq));

	CHECK_INT(query_err(mldv1_gq, sizeof(mldv1_gq), AF_INET6, &q), AMT_IGMP_OK);
	CHECK_INT(q.version, 1);
	CHECK_INT(q.max_resp_ms, 10000);

	/* Rejections. */
	CHECK_INT(query_err(igmpv3_report, sizeof(igmpv3_report), AF_INET, &q),
		  AMT_IGMP_ERR_NOT_QUERY);
	CHECK_INT(query_err(mldv1_report, sizeof(mldv1_report), AF_INET6, &q),
		  AMT_IGMP_ERR_NOT_QUERY);
	CHECK_INT(query_err(igmpv3_gq, sizeof(igmpv3_gq), AF_INET6, &q), AMT_IGMP_ERR_FAMILY);
	/* 10-byte IGMP query: neither v2 nor v3. */
	memcpy(pkt, igmpv3_gq, sizeof(igmpv3_gq));
	pkt[3] -= 2;
	fix_ip4(pkt);
	CHECK_INT(query_err(pkt, sizeof(igmpv3_gq) - 2, AF_INET, &q), AMT_IGMP_ERR_BAD_LENGTH);
	/* Source count overflow, v4 and v6. */
	memcpy(pkt, igmpv3_gssq, sizeof(igmpv3_gssq));
	pkt[24 + 11] = 3;
	fix_ip4(pkt);
	CHECK_INT(query_err(pkt, sizeof(igmpv3_gssq), AF_INET, &q), AMT_IGMP_ERR_SOURCES);
	memcpy(pkt, mldv2_gssq, sizeof(mldv2_gssq));
	pkt[48 + 27] = 2;
	fix_ip6(pkt);
	CHECK_INT(query_err(pkt, sizeof(mldv2_gssq), AF_INET6, &q), AMT_IGMP_ERR_SOURCES);
	/* Bad checksum. */
	memcpy(pkt, mldv2_gq, sizeof(mldv2_gq));
	pkt[48 + 25] = 0x7e;
	CHECK_INT(query_err(pkt, sizeof(mldv2_gq), AF_INET6, &q), AMT_IGMP_ERR_CHECKSUM);
}

/* Build into a buffer of exactly `size` bytes. */
static ssize_t build_query_sized(size_t size, const struct amt_query_params *p)
{
	uint8_t *buf = malloc(size ? size : 1);
	ssize_t n = amt_query_build(buf, size, p);

	free(buf);
	return n;
}

static void test_query_build(void)
{
	struct amt_query_params p;
	struct amt_query q;
	uint8_t buf[256], srcs[32];
	unsigned int bad = 0;
	ssize_t n;

	/* IGMPv3 General Query: the hand-made packet, byte for byte. */
	memset(&p, 0, sizeof(p));
	p.family = AF_INET;
	p.version = 3;
	inet_pton(AF_INET, "192.0.2.1", &p.src.v4);
	p.max_resp_ms = 10000;
	p.qrv = 2;
	p.qqi = 125;
	n = amt_query_build(buf, sizeof(buf), &p);
	CHECK_INT(n, sizeof(igmpv3_gq));
	CHECK_MEM(buf, igmpv3_gq, sizeof(igmpv3_gq));
	for (size_t size = 0; size < sizeof(igmpv3_gq); size++)
		if (build_query_sized(size, &p) != -1)
			bad++;
	CHECK_INT(bad, 0);

	/* IGMPv2. */
	p.version = 2;
	n = amt_query_build(buf, sizeof(buf), &p);
	CHECK_INT(n, sizeof(igmpv2_gq));
	CHECK_MEM(buf, igmpv2_gq, sizeof(igmpv2_gq));

	/* Group-and-source-specific IGMPv3 query, source 0.0.0.0. */
	memset(&p.src, 0, sizeof(p.src));
	p.version = 3;
	inet_pton(AF_INET, "232.1.1.1", &p.group.v4);
	p.max_resp_ms = 24800;
	p.qrv = 3;
	p.qqi = 208;
	p.s_flag = true;
	inet_pton(AF_INET, "10.0.0.1", srcs);
	inet_pton(AF_INET, "10.0.0.2", srcs + 4);
	p.sources = srcs;
	p.num_sources = 2;
	n = amt_query_build(buf, sizeof(buf), &p);
	CHECK_INT(n, sizeof(igmpv3_gssq));
	CHECK_MEM(buf, igmpv3_gssq, sizeof(igmpv3_gssq));

	/* MLDv2 General Query, and MLDv1. */
	memset(&p, 0, sizeof(p));
	p.family = AF_INET6;
	p.version = 2;
	inet_pton(AF_INET6, "fe80::1", &p.src.v6);
	p.max_resp_ms = 10000;
	p.qrv = 2;
	p.qqi = 125;
	n = amt_query_build(buf, sizeof(buf), &p);
	CHECK_INT(n, sizeof(mldv2_gq));
	CHECK_MEM(buf, mldv2_gq, sizeof(mldv2_gq));
	bad = 0;
	for (size_t size = 0; size < sizeof(mldv2_gq); size++)
		if (build_query_sized(size, &p) != -1)
			bad++;
	CHECK_INT(bad, 0);
	p.version = 1;
	n = amt_query_build(buf, sizeof(buf), &p);
	CHECK_INT(n, sizeof(mldv1_gq));
	CHECK_MEM(buf, mldv1_gq, sizeof(mldv1_gq));

	/* MLDv2 group-and-source-specific query. */
	p.version = 2;
	inet_pton(AF_INET6, "ff3e::1234", &p.group.v6);
	inet_pton(AF_INET6, "2001:db8::7", srcs);
	p.sources = srcs;
	p.num_sources = 1;
	p.max_resp_ms = 35096;
	p.qrv = 7;
	p.s_flag = true;
	p.qqi = 40000; /* saturates at 0xff */
	n = amt_query_build(buf, sizeof(buf), &p);
	CHECK_INT(n, sizeof(mldv2_gssq));
	CHECK_MEM(buf, mldv2_gssq, sizeof(mldv2_gssq));

	/* Values needing the floating-point form, read back. */
	memset(&p, 0, sizeof(p));
	p.family = AF_INET;
	p.version = 3;
	p.max_resp_ms = 30000; /* 300 tenths -> 0x92 -> 288 tenths */
	p.qrv = 9;	       /* > 7 goes out as 0 */
	p.qqi = 600;
	n = amt_query_build(buf, sizeof(buf), &p);
	CHECK_INT(buf[24 + 1], 0x92);
	CHECK_INT(amt_query_parse(buf, n, AF_INET, &q), AMT_IGMP_OK);
	CHECK_INT(q.max_resp_ms, 28800);
	CHECK_INT(q.qrv, 0);
	CHECK_INT(q.qqi, amt_igmp_code_decode(amt_igmp_code_encode(600)));
	CHECK_INT(q.flags, AMT_IGMPF_ZERO_SOURCE);

	/* Invalid parameters. */
	p.version = 1;
	CHECK_INT(amt_query_build(buf, sizeof(buf), &p), -1);
	p.version = 3;
	p.family = AF_UNIX;
	CHECK_INT(amt_query_build(buf, sizeof(buf), &p), -1);
	p.family = AF_INET;
	p.num_sources = 1;
	p.sources = NULL;
	CHECK_INT(amt_query_build(buf, sizeof(buf), &p), -1);
}

static ssize_t build_report_sized(size_t size, int family, const union amt_ip *src,
				  const struct amt_group_record *recs, size_t nrecs)
{
	uint8_t *buf = malloc(size ? size : 1);
	ssize_t n = amt_report_build(buf, size, family, src, recs, nrecs);

	free(buf);
	return n;
}

static void test_report_build(void)
{
	struct amt_group_record recs[4], rec;
	struct amt_report rep;
	union amt_ip src, group;
	uint8_t buf[512], s4[12], s6[48];
	unsigned int bad = 0;
	ssize_t n;

	/* The IGMPv3 report above, byte for byte. */
	memset(recs, 0, sizeof(recs));
	memset(&src, 0, sizeof(src));
	inet_pton(AF_INET, "192.0.2.10", &src.v4);
	inet_pton(AF_INET, "198.51.100.7", s4);
	recs[0].family = AF_INET;
	recs[0].type = AMT_REC_ALLOW_NEW_SOURCES;
	inet_pton(AF_INET, "232.1.1.1", &recs[0].group.v4);
	recs[0].num_sources = 1;
	recs[0].sources = s4;
	n = amt_report_build(buf, sizeof(buf), AF_INET, &src, recs, 1);
	CHECK_INT(n, sizeof(igmpv3_report));
	CHECK_MEM(buf, igmpv3_report, sizeof(igmpv3_report));
	for (size_t size = 0; size < sizeof(igmpv3_report); size++)
		if (build_report_sized(size, AF_INET, &src, recs, 1) != -1)
			bad++;
	CHECK_INT(bad, 0);

	/* The MLDv2 report above. */
	memset(recs, 0, sizeof(recs));
	memset(&src, 0, sizeof(src));
	inet_pton(AF_INET6, "fe80::2", &src.v6);
	inet_pton(AF_INET6, "2001:db8::7", s6);
	recs[0].family = AF_INET6;
	recs[0].type = AMT_REC_MODE_IS_INCLUDE;
	inet_pton(AF_INET6, "ff3e::1234", &recs[0].group.v6);
	recs[0].num_sources = 1;
	recs[0].sources = s6;
	n = amt_report_build(buf, sizeof(buf), AF_INET6, &src, recs, 1);
	CHECK_INT(n, sizeof(mldv2_report));
	CHECK_MEM(buf, mldv2_report, sizeof(mldv2_report));
	bad = 0;
	for (size_t size = 0; size < sizeof(mldv2_report); size++)
		if (build_report_sized(size, AF_INET6, &src, recs, 1) != -1)
			bad++;
	CHECK_INT(bad, 0);

	/* Several MLDv2 records, read back. */
	inet_pton(AF_INET6, "2001:db8::8", s6 + 16);
	inet_pton(AF_INET6, "2001:db8::9", s6 + 32);
	recs[1] = recs[0];
	recs[1].type = AMT_REC_CHANGE_TO_EXCLUDE;
	recs[1].num_sources = 0;
	recs[1].sources = NULL;
	inet_pton(AF_INET6, "ff05::1", &recs[1].group.v6);
	recs[2] = recs[0];
	recs[2].type = AMT_REC_BLOCK_OLD_SOURCES;
	recs[2].num_sources = 3;
	inet_pton(AF_INET6, "ff3e::99", &recs[2].group.v6);
	n = amt_report_build(buf, sizeof(buf), AF_INET6, &src, recs, 3);
	CHECK_INT(n, 48 + 8 + 20 + 16 + 20 + 20 + 48);
	CHECK_INT(amt_report_decode(buf, n, AF_INET6, &rep), AMT_IGMP_OK);
	CHECK_INT(rep.num_records, 3);
	CHECK_INT(rep.flags, 0);
	for (int i = 0; i < 3; i++) {
		CHECK(amt_report_next(&rep, &rec));
		CHECK_INT(rec.type, recs[i].type);
		CHECK_MEM(&rec.group, &recs[i].group, 16);
		CHECK_INT(rec.num_sources, recs[i].num_sources);
		if (recs[i].num_sources)
			CHECK_MEM(rec.sources, recs[i].sources, 16 * recs[i].num_sources);
	}
	CHECK(!amt_report_next(&rep, &rec));

	/* No records at all is a valid (empty) report. */
	n = amt_report_build(buf, sizeof(buf), AF_INET6, &src, recs, 0);
	CHECK_INT(n, 56);
	CHECK_INT(amt_report_decode(buf, n, AF_INET6, &rep), AMT_IGMP_OK);
	CHECK(!amt_report_next(&rep, &rec));

	/* Invalid records. */
	CHECK_INT(amt_report_build(buf, sizeof(buf), AF_INET, &src, recs, 1), -1);
	recs[0].type = 7;
	CHECK_INT(amt_report_build(buf, sizeof(buf), AF_INET6, &src, recs, 1), -1);
	recs[0].type = 1;
	recs[0].sources = NULL;
	CHECK_INT(amt_report_build(buf, sizeof(buf), AF_INET6, &src, recs, 1), -1);
	/* Too many sources for one IP packet. */
	recs[0].sources = s6;
	recs[0].num_sources = 5000;
	CHECK_INT(amt_report_build(buf, 1 << 20, AF_INET6, &src, recs, 1), -1);

	/* Legacy messages, byte for byte. */
	memset(&src, 0, sizeof(src));
	memset(&group, 0, sizeof(group));
	inet_pton(AF_INET, "192.0.2.10", &src.v4);
	inet_pton(AF_INET, "239.1.1.1", &group.v4);
	n = amt_report_build_legacy(buf, sizeof(buf), AF_INET, &src, &group, false);
	CHECK_INT(n, sizeof(igmpv2_report));
	CHECK_MEM(buf, igmpv2_report, sizeof(igmpv2_report));
	n = amt_report_build_legacy(buf, sizeof(buf), AF_INET, &src, &group, true);
	CHECK_INT(n, sizeof(igmpv2_leave));
	CHECK_MEM(buf, igmpv2_leave, sizeof(igmpv2_leave));
	CHECK_INT(amt_report_build_legacy(buf, sizeof(igmpv2_leave) - 1, AF_INET, &src, &group,
					  true),
		  -1);
	memset(&src, 0, sizeof(src));
	memset(&group, 0, sizeof(group));
	inet_pton(AF_INET6, "fe80::2", &src.v6);
	inet_pton(AF_INET6, "ff3e::1234", &group.v6);
	n = amt_report_build_legacy(buf, sizeof(buf), AF_INET6, &src, &group, false);
	CHECK_INT(n, sizeof(mldv1_report));
	CHECK_MEM(buf, mldv1_report, sizeof(mldv1_report));
	n = amt_report_build_legacy(buf, sizeof(buf), AF_INET6, &src, &group, true);
	CHECK_INT(n, sizeof(mldv1_done));
	CHECK_MEM(buf, mldv1_done, sizeof(mldv1_done));
	CHECK_INT(amt_report_build_legacy(buf, sizeof(mldv1_done) - 1, AF_INET6, &src, &group, true),
		  -1);
	CHECK_INT(amt_report_build_legacy(buf, sizeof(buf), 0, &src, &group, true), -1);
}

/* Pseudo-random bytes behind valid IP headers: never a crash. */
static void test_pseudo_random(void)
{
	uint8_t pkt[160];
	struct amt_report rep;
	struct amt_group_record rec;
	struct amt_query q;
	uint32_t seed = 4242;
	unsigned int bad = 0;

	for (unsigned int iter = 0; iter < 100000; iter++) {
		bool v6 = iter & 1;
		const uint8_t *base = v6 ? mldv2_report : igmpv3_report;
		size_t blen = v6 ? sizeof(mldv2_report) : sizeof(igmpv3_report);
		size_t len = blen + (iter % 64);
		unsigned int count = 0;

		memcpy(pkt, base, blen);
		for (size_t i = v6 ? 48 : 24; i < len; i++) {
			seed = seed * 1103515245 + 12345;
			pkt[i] = seed >> 16;
		}
		if (v6) {
			pkt[4] = 0;
			pkt[5] = len - 40;
			pkt[48] = (iter & 2) ? 143 : 130;
			fix_ip6(pkt);
		} else {
			pkt[2] = 0;
			pkt[3] = len;
			pkt[24] = (iter & 2) ? 0x22 : 0x11;
			fix_ip4(pkt);
		}
		if (amt_report_decode(pkt, len, AF_UNSPEC, &rep) == AMT_IGMP_OK) {
			while (amt_report_next(&rep, &rec)) {
				size_t alen = v6 ? 16 : 4;

				if (rec.sources + rec.num_sources * alen > pkt + len)
					bad++;
				count++;
			}
			if (count > rep.num_records)
				bad++;
		}
		if (amt_query_parse(pkt, len, AF_UNSPEC, &q) == AMT_IGMP_OK && q.num_sources &&
		    q.sources + q.num_sources * (v6 ? 16 : 4) > pkt + len)
			bad++;
	}
	CHECK_INT(bad, 0);
}

/* SSM ranges, RFC 4607 section 1; their edges are checked both sides. */
static void test_group_is_ssm(void)
{
	static const struct {
		int family;
		const char *group;
		bool ssm;
	} cases[] = {
		{ AF_INET, "232.0.0.0", true },	   { AF_INET, "232.255.255.255", true },
		{ AF_INET, "231.255.255.255", false }, { AF_INET, "233.0.0.0", false },
		{ AF_INET, "224.0.0.22", false },	   { AF_INET6, "ff3e::8000:1", true },
		{ AF_INET6, "ff35::1", true },	   { AF_INET6, "ff3e:1::1", false },
		{ AF_INET6, "ff2e::1", false },	   { AF_INET6, "ff0e::1", false },
		{ AF_INET6, "fe80::1", false },
	};
	union amt_ip g;

	for (size_t i = 0; i < array_size(cases); i++) {
		memset(&g, 0, sizeof(g));
		inet_pton(cases[i].family, cases[i].group, &g);
		if (amt_group_is_ssm(cases[i].family, &g) != cases[i].ssm)
			fprintf(stderr, "amt_group_is_ssm(%s) is wrong\n", cases[i].group);
		CHECK(amt_group_is_ssm(cases[i].family, &g) == cases[i].ssm);
	}
}

/* Link-local groups are taken out of reports before they enter a tunnel. */
static void test_report_without_link_local(void)
{
	struct amt_group_record recs[3], rec;
	struct amt_report rep;
	union amt_ip src = {}, g = {};
	uint8_t pkt[256], buf[256], s4[4];
	const uint8_t *out;
	ssize_t n, m;

	inet_pton(AF_INET, "224.0.0.13", &g.v4);
	CHECK(amt_group_is_link_local(AF_INET, &g));
	inet_pton(AF_INET, "224.0.1.40", &g.v4);
	CHECK(!amt_group_is_link_local(AF_INET, &g));
	inet_pton(AF_INET6, "ff02::d", &g.v6);
	CHECK(amt_group_is_link_local(AF_INET6, &g));
	inet_pton(AF_INET6, "ff01::1", &g.v6);
	CHECK(amt_group_is_link_local(AF_INET6, &g));
	inet_pton(AF_INET6, "ff3e::8000:1", &g.v6);
	CHECK(!amt_group_is_link_local(AF_INET6, &g));
	inet_pton(AF_INET6, "ff05::2", &g.v6);
	CHECK(!amt_group_is_link_local(AF_INET6, &g));

	/* 224.0.0.13 EXCLUDE {}, (198.51.100.7, 232.1.1.1), 224.0.0.22 EXCLUDE {}. */
	memset(recs, 0, sizeof(recs));
	inet_pton(AF_INET, "10.255.0.2", &src.v4);
	inet_pton(AF_INET, "198.51.100.7", s4);
	for (int i = 0; i < 3; i++) {
		recs[i].family = AF_INET;
		recs[i].type = AMT_REC_MODE_IS_EXCLUDE;
	}
	inet_pton(AF_INET, "224.0.0.13", &recs[0].group.v4);
	recs[1].type = AMT_REC_MODE_IS_INCLUDE;
	inet_pton(AF_INET, "232.1.1.1", &recs[1].group.v4);
	recs[1].num_sources = 1;
	recs[1].sources = s4;
	inet_pton(AF_INET, "224.0.0.22", &recs[2].group.v4);
	n = amt_report_build(pkt, sizeof(pkt), AF_INET, &src, recs, 3);
	CHECK(n > 0);
	m = amt_report_without_link_local(pkt, n, AF_INET, buf, sizeof(buf), &out);
	CHECK(m > 0 && m < n);
	CHECK(out == buf);
	CHECK_INT(amt_report_decode(out, m, AF_INET, &rep), AMT_IGMP_OK);
	CHECK_INT(rep.num_records, 1);
	CHECK_MEM(&rep.src.v4, &src.v4, 4);
	CHECK(amt_report_next(&rep, &rec));
	check_addr4(&rec.group.v4, "232.1.1.1");
	CHECK_INT(rec.type, AMT_REC_MODE_IS_INCLUDE);
	CHECK_INT(rec.num_sources, 1);
	CHECK_MEM(rec.sources, s4, 4);
	CHECK(!amt_report_next(&rep, &rec));

	/* Nothing to take out: the packet itself. */
	m = amt_report_without_link_local(out, m, AF_INET, pkt, sizeof(pkt), &out);
	CHECK(out == buf);
	CHECK_INT(amt_report_decode(out, m, AF_INET, &rep), AMT_IGMP_OK);

	/* Only link-local groups: nothing is left to send. */
	n = amt_report_build(pkt, sizeof(pkt), AF_INET, &src, recs, 1);
	CHECK_INT(amt_report_without_link_local(pkt, n, AF_INET, buf, sizeof(buf), &out), 0);
	inet_pton(AF_INET, "224.0.0.22", &g.v4);
	n = amt_report_build_legacy(pkt, sizeof(pkt), AF_INET, &src, &g, false);
	CHECK_INT(amt_report_without_link_local(pkt, n, AF_INET, buf, sizeof(buf), &out), 0);
	/* Not a report. */
	CHECK_INT(amt_report_without_link_local(pkt, 10, AF_INET, buf, sizeof(buf), &out), -1);

	/* The (S,G) of a datagram's header. */
	{
		union amt_ip s, gr;

		CHECK_INT(amt_ip_sg(pkt, n, &s, &gr), AF_INET);
		check_addr4(&s.v4, "10.255.0.2");
		check_addr4(&gr.v4, "224.0.0.22");
		CHECK_INT(amt_ip_sg(mldv2_report, sizeof(mldv2_report), &s, &gr), AF_INET6);
		check_addr6(&s.v6, "fe80::2");
		check_addr6(&gr.v6, "ff02::16");
		CHECK_INT(amt_ip_sg(igmpv3_report, sizeof(igmpv3_report), &s, &gr), AF_INET);
		check_addr4(&gr.v4, "224.0.0.22");
		CHECK_INT(amt_ip_sg(igmpv3_report, 19, &s, &gr), 0);
		CHECK_INT(amt_ip_sg(mldv2_report, 39, &s, &gr), 0);
		CHECK_INT(amt_ip_sg((const uint8_t *)"\x50", 1, &s, &gr), 0);
	}

	/* MLDv2: ff02::d out, ff3e::8000:1 kept. */
	memset(recs, 0, sizeof(recs));
	memset(&src, 0, sizeof(src));
	inet_pton(AF_INET6, "fe80::1", &src.v6);
	recs[0].family = recs[1].family = AF_INET6;
	recs[0].type = recs[1].type = AMT_REC_MODE_IS_EXCLUDE;
	inet_pton(AF_INET6, "ff02::d", &recs[0].group.v6);
	inet_pton(AF_INET6, "ff3e::8000:1", &recs[1].group.v6);
	n = amt_report_build(pkt, sizeof(pkt), AF_INET6, &src, recs, 2);
	m = amt_report_without_link_local(pkt, n, AF_INET6, buf, sizeof(buf), &out);
	CHECK_INT(amt_report_decode(out, m, AF_INET6, &rep), AMT_IGMP_OK);
	CHECK_INT(rep.num_records, 1);
	CHECK(amt_report_next(&rep, &rec));
	check_addr6(&rec.group.v6, "ff3e::8000:1");
}

/* Decode one built report: its records appended to out (sources to srcs). */
static size_t decode_part(const uint8_t *buf, size_t len, int family, struct amt_group_record *out,
			  size_t max, uint8_t *srcs, size_t *srcs_len)
{
	struct amt_group_record rec;
	struct amt_report rep;
	size_t alen = family == AF_INET ? 4 : 16, n = 0;

	if (amt_report_decode(buf, len, family, &rep) != AMT_IGMP_OK)
		return SIZE_MAX;
	while (amt_report_next(&rep, &rec) && n < max) {
		memcpy(srcs + *srcs_len, rec.sources, rec.num_sources * alen);
		*srcs_len += rec.num_sources * alen;
		out[n++] = rec;
	}
	return n;
}

static void test_report_build_part(void)
{
	struct amt_group_record recs[10], got[16];
	struct amt_report_cursor cur;
	union amt_ip src;
	uint8_t buf[512], s4[40], all[400];
	size_t all_len, n;
	unsigned int bad;
	ssize_t len;

	for (unsigned int i = 0; i < 10; i++) {
		s4[4 * i] = 10;
		s4[4 * i + 1] = 0;
		s4[4 * i + 2] = 0;
		s4[4 * i + 3] = i + 1;
	}
	memset(&src, 0, sizeof(src));
	inet_pton(AF_INET, "192.0.2.10", &src.v4);

	/* One record that fits: the report above byte for byte, then 0. */
	memset(recs, 0, sizeof(recs));
	recs[0].family = AF_INET;
	recs[0].type = AMT_REC_ALLOW_NEW_SOURCES;
	inet_pton(AF_INET, "232.1.1.1", &recs[0].group.v4);
	recs[0].num_sources = 1;
	recs[0].sources = s4 + 36;
	memcpy(s4 + 36, (uint8_t[]){ 198, 51, 100, 7 }, 4);
	memset(&cur, 0, sizeof(cur));
	len = amt_report_build_part(buf, sizeof(buf), AF_INET, &src, recs, 1, &cur);
	CHECK_INT(len, sizeof(igmpv3_report));
	CHECK_MEM(buf, igmpv3_report, sizeof(igmpv3_report));
	CHECK_INT(amt_report_build_part(buf, sizeof(buf), AF_INET, &src, recs, 1, &cur), 0);

	/* Ten IS_IN records of 2 sources (16 bytes each), 3 to a report. */
	for (unsigned int i = 0; i < 10; i++) {
		s4[36] = 10;
		recs[i].family = AF_INET;
		recs[i].type = AMT_REC_MODE_IS_INCLUDE;
		recs[i].group.bytes[0] = 232;
		recs[i].group.bytes[3] = i + 1;
		recs[i].num_sources = 2;
		recs[i].sources = s4 + 4 * (i % 5) * 2;
	}
	memset(&cur, 0, sizeof(cur));
	bad = 0;
	n = 0;
	for (unsigned int r = 0; r < 4; r++) {
		size_t k;

		all_len = 0;
		len = amt_report_build_part(buf, AMT_IGMP_IP_HDR_LEN + 8 + 3 * 16, AF_INET, &src,
					    recs, 10, &cur);
		k = decode_part(buf, len > 0 ? len : 0, AF_INET, got, 16, all, &all_len);
		CHECK_INT(k, r < 3 ? 3 : 1);
		for (size_t i = 0; i < k && k != SIZE_MAX; i++, n++)
			if (got[i].group.bytes[3] != n + 1 || got[i].num_sources != 2 ||
			    memcmp(got[i].sources, recs[n].sources, 8))
				bad++;
	}
	CHECK_INT(n, 10);
	CHECK_INT(bad, 0);
	CHECK_INT(amt_report_build_part(buf, sizeof(buf), AF_INET, &src, recs, 10, &cur), 0);

	/* An INCLUDE record of 10 sources, 3 to a report: split in four. */
	recs[0].num_sources = 10;
	recs[0].sources = s4;
	memset(&cur, 0, sizeof(cur));
	all_len = 0;
	n = 0;
	for (unsigned int r = 0; r < 4; r++) {
		len = amt_report_build_part(buf, AMT_IGMP_IP_HDR_LEN + 8 + 8 + 12, AF_INET, &src,
					    recs, 1, &cur);
		CHECK_INT(decode_part(buf, len > 0 ? len : 0, AF_INET, got, 16, all, &all_len), 1);
		CHECK_INT(got[0].type, AMT_REC_MODE_IS_INCLUDE);
		CHECK_INT(got[0].num_sources, r < 3 ? 3 : 1);
	}
	CHECK_INT(all_len, 40);
	CHECK_MEM(all, s4, 40);
	CHECK_INT(amt_report_build_part(buf, sizeof(buf), AF_INET, &src, recs, 1, &cur), 0);

	/* IS_EX too long: the sources that fit, the rest left out. */
	recs[0].type = AMT_REC_MODE_IS_EXCLUDE;
	memset(&cur, 0, sizeof(cur));
	all_len = 0;
	len = amt_report_build_part(buf, AMT_IGMP_IP_HDR_LEN + 8 + 8 + 12, AF_INET, &src, recs, 1,
				    &cur);
	CHECK_INT(decode_part(buf, len > 0 ? len : 0, AF_INET, got, 16, all, &all_len), 1);
	CHECK_INT(got[0].num_sources, 3);
	CHECK_INT(amt_report_build_part(buf, sizeof(buf), AF_INET, &src, recs, 1, &cur), 0);

	/* A short record, then a long one: the long one starts the next report. */
	recs[0].type = AMT_REC_MODE_IS_INCLUDE;
	recs[0].num_sources = 1;
	recs[1].type = AMT_REC_BLOCK_OLD_SOURCES;
	recs[1].num_sources = 10;
	recs[1].sources = s4;
	memset(&cur, 0, sizeof(cur));
	all_len = 0;
	len = amt_report_build_part(buf, AMT_IGMP_IP_HDR_LEN + 8 + 8 + 12, AF_INET, &src, recs, 2,
				    &cur);
	CHECK_INT(decode_part(buf, len > 0 ? len : 0, AF_INET, got, 16, all, &all_len), 1);
	CHECK_INT(got[0].type, AMT_REC_MODE_IS_INCLUDE);
	n = 0;
	for (unsigned int r = 0;
	     r < 5 && (len = amt_report_build_part(buf, AMT_IGMP_IP_HDR_LEN + 8 + 8 + 12, AF_INET,
						   &src, recs, 2, &cur)) > 0;
	     r++) {
		CHECK_INT(decode_part(buf, len, AF_INET, got, 16, all, &all_len), 1);
		CHECK_INT(got[0].type, AMT_REC_BLOCK_OLD_SOURCES);
		n++;
	}
	CHECK_INT(n, 4);
	CHECK_INT(len, 0);
	CHECK_INT(all_len, 4 + 40);

	/* Too small for a record without sources; invalid records. */
	memset(&cur, 0, sizeof(cur));
	CHECK_INT(amt_report_build_part(buf, AMT_IGMP_IP_HDR_LEN + 8 + 7, AF_INET, &src, recs, 1,
					&cur),
		  -1);
	recs[1].type = 0;
	memset(&cur, 0, sizeof(cur));
	CHECK_INT(amt_report_build_part(buf, sizeof(buf), AF_INET, &src, recs, 2, &cur), -1);
	recs[1].type = AMT_REC_BLOCK_OLD_SOURCES;
	recs[1].family = AF_INET6;
	memset(&cur, 0, sizeof(cur));
	CHECK_INT(amt_report_build_part(buf, sizeof(buf), AF_INET, &src, recs, 2, &cur), -1);
	memset(&cur, 0, sizeof(cur));
	CHECK_INT(amt_report_build_part(buf, sizeof(buf), AF_UNSPEC, &src, recs, 1, &cur), -1);

	/* MLDv2: three records without sources, two to a report. */
	memset(recs, 0, sizeof(recs));
	memset(&src, 0, sizeof(src));
	inet_pton(AF_INET6, "fe80::2", &src.v6);
	for (unsigned int i = 0; i < 3; i++) {
		recs[i].family = AF_INET6;
		recs[i].type = AMT_REC_CHANGE_TO_INCLUDE;
		inet_pton(AF_INET6, "ff3e::1", &recs[i].group.v6);
		recs[i].group.bytes[15] = i + 1;
	}
	memset(&cur, 0, sizeof(cur));
	n = 0;
	bad = 0;
	for (unsigned int r = 0; r < 3; r++) {
		size_t k;

		all_len = 0;
		len = amt_report_build_part(buf, AMT_MLD_IP_HDR_LEN + 8 + 2 * 20, AF_INET6, &src,
					    recs, 3, &cur);
		if (len <= 0)
			break;
		k = decode_part(buf, len, AF_INET6, got, 16, all, &all_len);
		for (size_t i = 0; i < k && k != SIZE_MAX; i++, n++)
			if (got[i].group.bytes[15] != n + 1 ||
			    got[i].type != AMT_REC_CHANGE_TO_INCLUDE)
				bad++;
	}
	CHECK_INT(n, 3);
	CHECK_INT(bad, 0);
}

static void test_leave_record(void)
{
	struct amt_group_record st = {}, lv;
	uint8_t s4[8] = { 10, 0, 0, 1, 10, 0, 0, 2 };

	/* IGMPv3 INCLUDE(A): BLOCK(A). */
	st.family = AF_INET;
	st.type = AMT_REC_MODE_IS_INCLUDE;
	st.version = 3;
	inet_pton(AF_INET, "232.1.1.1", &st.group.v4);
	st.num_sources = 2;
	st.sources = s4;
	CHECK(amt_leave_record(&st, &lv));
	CHECK_INT(lv.type, AMT_REC_BLOCK_OLD_SOURCES);
	CHECK_INT(lv.num_sources, 2);
	CHECK(lv.sources == s4);
	CHECK_MEM(&lv.group, &st.group, 4);

	/* EXCLUDE(X): TO_IN({}). */
	st.type = AMT_REC_MODE_IS_EXCLUDE;
	CHECK(amt_leave_record(&st, &lv));
	CHECK_INT(lv.type, AMT_REC_CHANGE_TO_INCLUDE);
	CHECK_INT(lv.num_sources, 0);

	/* A group in IGMPv2 compatibility: TO_IN({}), a leave there. */
	st.type = AMT_REC_MODE_IS_INCLUDE;
	st.version = 2;
	CHECK(amt_leave_record(&st, &lv));
	CHECK_INT(lv.type, AMT_REC_CHANGE_TO_INCLUDE);
	CHECK_INT(lv.num_sources, 0);

	/* MLDv2 INCLUDE(A): BLOCK(A); MLDv1: TO_IN({}). */
	st.family = AF_INET6;
	st.version = 2;
	CHECK(amt_leave_record(&st, &lv));
	CHECK_INT(lv.type, AMT_REC_BLOCK_OLD_SOURCES);
	st.version = 1;
	CHECK(amt_leave_record(&st, &lv));
	CHECK_INT(lv.type, AMT_REC_CHANGE_TO_INCLUDE);

	/* INCLUDE without sources: TO_IN({}); a change record is no state. */
	st.version = 2;
	st.num_sources = 0;
	CHECK(amt_leave_record(&st, &lv));
	CHECK_INT(lv.type, AMT_REC_CHANGE_TO_INCLUDE);
	st.type = AMT_REC_ALLOW_NEW_SOURCES;
	CHECK(!amt_leave_record(&st, &lv));
}

int main(void)
{
	test_checksum_helper();
	test_codes();
	test_report_v3();
	test_report_legacy();
	test_report_rejections();
	test_query_parse();
	test_query_build();
	test_report_build();
	test_report_without_link_local();
	test_report_build_part();
	test_leave_record();
	test_group_is_ssm();
	test_pseudo_random();
	return amt_test_summary("test_amt_igmp");
}
