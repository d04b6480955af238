// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the AMT wire codec (amtd/amt_packet.c).  Expected bytes
 * are written out from the RFC 7450 figures, not produced by the encoder.
 */
#include <zebra.h>

#include <arpa/inet.h>
#include <stdlib.h>

#include "amtd/amt_packet.h"
#include "tests/amtd/amt_test.h"

/*
 * Encapsulated packets (checksums computed by hand, see test_amt_igmp.c):
 * an IGMPv3 General Query 192.0.2.1 -> 224.0.0.1 with Router Alert,
 * and an MLDv2 General Query fe80::1 -> ff02::1 with Hop-by-Hop RA.
 */
static const uint8_t igmpv3_gq[36] = {
	0x46, 0xc0, 0x00, 0x24, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x82, 0x11,
	0xc0, 0x00, 0x02, 0x01, 0xe0, 0x00, 0x00, 0x01, 0x94, 0x04, 0x00, 0x00,
	0x11, 0x64, 0xec, 0x1e, 0x00, 0x00, 0x00, 0x00, 0x02, 0x7d, 0x00, 0x00,
};

static const uint8_t mldv2_gq[76] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x24, 0x00, 0x01, 0xfe, 0x80, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xff, 0x02,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x3a, 0x00, 0x05, 0x02, 0x00, 0x00, 0x01, 0x00, 0x82, 0x00, 0x56, 0x96,
	0x27, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x7d, 0x00, 0x00,
};

/* IGMPv3 report 192.0.2.10 -> 224.0.0.22: ALLOW(232.1.1.1, {198.51.100.7}) */
static const uint8_t igmpv3_report[44] = {
	0x46, 0xc0, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x81, 0xeb, 0xc0, 0x00, 0x02,
	0x0a, 0xe0, 0x00, 0x00, 0x16, 0x94, 0x04, 0x00, 0x00, 0x22, 0x00, 0xc5, 0xbf, 0x00, 0x00,
	0x00, 0x01, 0x05, 0x00, 0x00, 0x01, 0xe8, 0x01, 0x01, 0x01, 0xc6, 0x33, 0x64, 0x07,
};

/* A UDP datagram 198.51.100.7:5000 -> 232.1.1.1:5001, 4 bytes of data. */
static const uint8_t udp4_data[32] = {
	0x45, 0x00, 0x00, 0x20, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0x00,
	0x00, 0xc6, 0x33, 0x64, 0x07, 0xe8, 0x01, 0x01, 0x01, 0x13, 0x88,
	0x13, 0x89, 0x00, 0x0c, 0x00, 0x00, 0xde, 0xad, 0xbe, 0xef,
};

static const uint8_t mac1[6] = { 0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6 };

/*
 * Decode a copy of exactly len bytes on the heap, so that a sanitizer
 * catches any read past the end.  The copy is kept in *copy for the
 * caller to free (msg->inner points into it).
 */
static enum amt_decode_error decode_copy(const uint8_t *buf, size_t len, int family,
					 enum amt_flag_layout lay, struct amt_msg *msg,
					 uint8_t **copy)
{
	*copy = malloc(len ? len : 1);
	if (len)
		memcpy(*copy, buf, len);
	return amt_decode(*copy, len, family, lay, msg);
}

static enum amt_decode_error decode_free(const uint8_t *buf, size_t len, int family,
					 enum amt_flag_layout lay, struct amt_msg *msg)
{
	uint8_t *copy;
	enum amt_decode_error err;

	err = decode_copy(buf, len, family, lay, msg, &copy);
	free(copy);
	return err;
}

/* Every shorter prefix of a message must be rejected. */
static void check_truncations(const uint8_t *buf, size_t full, int family, enum amt_flag_layout lay)
{
	struct amt_msg msg;
	unsigned int accepted = 0;

	for (size_t len = 0; len < full; len++)
		if (decode_free(buf, len, family, lay, &msg) == AMT_DECODE_OK)
			accepted++;
	CHECK_INT(accepted, 0);
}

/*
 * Encoding must fail (-1) for every buffer smaller than the message; the
 * buffer is allocated at exactly that size.  `call` uses _sb and size.
 */
#define CHECK_ENCODE_SIZES(full, call)                                                             \
	do {                                                                                       \
		unsigned int _bad = 0;                                                             \
		for (size_t size = 0; size < (full); size++) {                                     \
			uint8_t *_sb = malloc(size ? size : 1);                                    \
			if ((call) != -1)                                                          \
				_bad++;                                                            \
			free(_sb);                                                                 \
		}                                                                                  \
		CHECK_INT(_bad, 0);                                                                \
	} while (0)

static void test_discovery(void)
{
	/* RFC 7450 Figure 6: V=0 Type=1, Reserved, Discovery Nonce. */
	static const uint8_t want[8] = { 0x01, 0x00, 0x00, 0x00, 0x12, 0x34, 0x56, 0x78 };
	uint8_t buf[64], tbuf[16];
	struct amt_msg msg;

	CHECK_INT(amt_encode_discovery(buf, sizeof(buf), 0x12345678), 8);
	CHECK_MEM(buf, want, 8);
	CHECK_ENCODE_SIZES(8, amt_encode_discovery(_sb, size, 0x12345678));

	CHECK_INT(decode_free(want, 8, AF_INET, AMT_FLAGS_RFC, &msg), AMT_DECODE_OK);
	CHECK_INT(msg.type, AMT_MSG_RELAY_DISCOVERY);
	CHECK_INT(msg.nonce, 0x12345678);
	CHECK_INT(msg.flags, 0);
	check_truncations(want, 8, AF_INET, AMT_FLAGS_RFC);

	/* Trailing bytes: accepted, flagged. */
	memcpy(tbuf, want, 8);
	memset(tbuf + 8, 0xee, 3);
	CHECK_INT(decode_free(tbuf, 11, AF_INET6, AMT_FLAGS_RFC, &msg), AMT_DECODE_OK);
	CHECK_INT(msg.flags, AMT_MSGF_TRAILING);
	CHECK_INT(msg.nonce, 0x12345678);

	/* Reserved bits: accepted, flagged. */
	tbuf[2] = 0x40;
	CHECK_INT(decode_free(tbuf, 8, AF_INET, AMT_FLAGS_RFC, &msg), AMT_DECODE_OK);
	CHECK_INT(msg.flags, AMT_MSGF_RESERVED);
}

static void test_advertisement(void)
{
	/* RFC 7450 Figure 7, IPv4 relay 192.0.2.33. */
	static const uint8_t want4[12] = { 0x02, 0x00, 0x00, 0x00, 0xca, 0xfe,
					   0xba, 0xbe, 192,  0,	   2,	 33 };
	/* IPv6 relay 2001:db8::21. */
	static const uint8_t want6[24] = {
		0x02, 0x00, 0x00, 0x00, 0xca, 0xfe, 0xba, 0xbe, 0x20, 0x01, 0x0d, 0xb8,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x21,
	};
	struct amt_ipaddr r4 = { .family = AF_INET }, r6 = { .family = AF_INET6 };
	struct amt_ipaddr bad = { .family = AF_UNIX };
	uint8_t buf[64], tbuf[32];
	struct amt_msg msg;

	inet_pton(AF_INET, "192.0.2.33", &r4.ip.v4);
	inet_pton(AF_INET6, "2001:db8::21", &r6.ip.v6);

	CHECK_INT(amt_encode_advertisement(buf, sizeof(buf), 0xcafebabe, &r4), 12);
	CHECK_MEM(buf, want4, 12);
	CHECK_INT(amt_encode_advertisement(buf, sizeof(buf), 0xcafebabe, &r6), 24);
	CHECK_MEM(buf, want6, 24);
	CHECK_INT(amt_encode_advertisement(buf, sizeof(buf), 1, &bad), -1);
	CHECK_ENCODE_SIZES(12, amt_encode_advertisement(_sb, size, 1, &r4));
	CHECK_ENCODE_SIZES(24, amt_encode_advertisement(_sb, size, 1, &r6));

	CHECK_INT(decode_free(want4, 12, AF_INET, AMT_FLAGS_RFC, &msg), AMT_DECODE_OK);
	CHECK_INT(msg.type, AMT_MSG_RELAY_ADVERTISEMENT);
	CHECK_INT(msg.nonce, 0xcafebabe);
	CHECK_INT(msg.relay.family, AF_INET);
	CHECK_MEM(&msg.relay.ip.v4, &r4.ip.v4, 4);
	CHECK_INT(msg.flags, 0);

	CHECK_INT(decode_free(want6, 24, AF_INET6, AMT_FLAGS_RFC, &msg), AMT_DECODE_OK);
	CHECK_INT(msg.relay.family, AF_INET6);
	CHECK_MEM(&msg.relay.ip.v6, &r6.ip.v6, 16);

	/* Family unknown: taken from the length. */
	CHECK_INT(decode_free(want4, 12, AF_UNSPEC, AMT_FLAGS_RFC, &msg), AMT_DECODE_OK);
	CHECK_INT(msg.relay.family, AF_INET);
	CHECK_INT(decode_free(want6, 24, AF_UNSPEC, AMT_FLAGS_RFC, &msg), AMT_DECODE_OK);
	CHECK_INT(msg.relay.family, AF_INET6);

	/* A relay address of the other family than the Discovery's. */
	CHECK_INT(decode_free(want4, 12, AF_INET6, AMT_FLAGS_RFC, &msg), AMT_DECODE_FAMILY);
	CHECK_INT(decode_free(want6, 24, AF_INET, AMT_FLAGS_RFC, &msg), AMT_DECODE_FAMILY);
	/* Neither 4 nor 16 bytes of address. */
	CHECK_INT(decode_free(want6, 16, AF_INET6, AMT_FLAGS_RFC, &msg), AMT_DECODE_BAD_LENGTH);
	CHECK_INT(decode_free(want4, 10, AF_INET, AMT_FLAGS_RFC, &msg), AMT_DECODE_BAD_LENGTH);
	CHECK_INT(decode_free(want4, 7, AF_INET, AMT_FLAGS_RFC, &msg), AMT_DECODE_TOO_SHORT);

	check_truncations(want4, 12, AF_INET, AMT_FLAGS_RFC);
	check_truncations(want6, 24, AF_INET6, AMT_FLAGS_RFC);
	/* Without the family, prefixes are rejected or read as IPv4. */
	for (size_t len = 0; len < 24; len++) {
		enum amt_decode_error err = decode_free(want6, len, AF_UNSPEC, AMT_FLAGS_RFC, &msg);

		CHECK(err != AMT_DECODE_OK || (len >= 12 && msg.relay.family == AF_INET));
	}

	/* Trailing bytes after an IPv4 address. */
	memcpy(tbuf, want4, 12);
	memset(tbuf + 12, 0, 4);
	CHECK_INT(decode_free(tbuf, 16, AF_INET, AMT_FLAGS_RFC, &msg), AMT_DECODE_OK);
	CHECK_INT(msg.flags, AMT_MSGF_TRAILING);
	CHECK_MEM(&msg.relay.ip.v4, &r4.ip.v4, 4);
}

static void test_request(void)
{
	/* RFC 7450 Figure 8: P is the lowest bit of the second byte. */
	static const uint8_t want_p0[8] = { 0x03, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04 };
	static const uint8_t want_p1[8] = { 0x03, 0x01, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04 };
	/* The Linux kernel driver's layout: P in the high bit. */
	static const uint8_t linux_p1[8] = { 0x03, 0x80, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04 };
	uint8_t buf[64], tbuf[16];
	struct amt_msg msg;

	CHECK_INT(amt_encode_request(buf, sizeof(buf), 0x01020304, false, AMT_FLAGS_RFC), 8);
	CHECK_MEM(buf, want_p0, 8);
	CHECK_INT(amt_encode_request(buf, sizeof(buf), 0x01020304, true, AMT_FLAGS_RFC), 8);
	CHECK_MEM(buf, want_p1, 8);
	CHECK_INT(amt_encode_request(buf, sizeof(buf), 0x01020304, true, AMT_FLAGS_LINUX), 8);
	CHECK_MEM(buf, linux_p1, 8);
	CHECK_INT(amt_encode_request(buf, sizeof(buf), 0x01020304, false, AMT_FLAGS_LINUX), 8);
	CHECK_MEM(buf, want_p0, 8);
	CHECK_ENCODE_SIZES(8, amt_encode_request(_sb, size, 1, true, AMT_FLAGS_RFC));

	CHECK_INT(decode_free(want_p1, 8, AF_INET, AMT_FLAGS_RFC, &msg), AMT_DECODE_OK);
	CHECK_INT(msg.type, AMT_MSG_REQUEST);
	CHECK(msg.p);
	CHECK_INT(msg.nonce, 0x01020304);
	CHECK_INT(msg.flags, 0);
	CHECK_INT(decode_free(want_p0, 8, AF_INET, AMT_FLAGS_RFC, &msg), AMT_DECODE_OK);
	CHECK(!msg.p);

	/* Compatibility layout, both ways. */
	CHECK_INT(decode_free(linux_p1, 8, AF_INET, AMT_FLAGS_LINUX, &msg), AMT_DECODE_OK);
	CHECK(msg.p);
	CHECK_INT(msg.flags, 0);
	/* A Linux peer's P read with the RFC layout: reserved, recognisable. */
	CHECK_INT(decode_free(linux_p1, 8, AF_INET, AMT_FLAGS_RFC, &msg), AMT_DECODE_OK);
	CHECK(!msg.p);
	CHECK_INT(msg.flags, AMT_MSGF_RESERVED | AMT_MSGF_LINUX_BITS);
	/* An RFC P read with the Linux layout. */
	CHECK_INT(decode_free(want_p1, 8, AF_INET, AMT_FLAGS_LINUX, &msg), AMT_DECODE_OK);
	CHECK(!msg.p);
	CHECK_INT(msg.flags, AMT_MSGF_RESERVED);

	/* Other reserved bits. */
	memcpy(tbuf, want_p1, 8);
	tbuf[1] |= 0x04;
	CHECK_INT(decode_free(tbuf, 8, AF_INET, AMT_FLAGS_RFC, &msg), AMT_DECODE_OK);
	CHECK(msg.p);
	CHECK_INT(msg.flags, AMT_MSGF_RESERVED);
	memcpy(tbuf, want_p0, 8);
	tbuf[3] = 1;
	CHECK_INT(decode_free(tbuf, 8, AF_INET, AMT_FLAGS_RFC, &msg), AMT_DECODE_OK);
	CHECK_INT(msg.flags, AMT_MSGF_RESERVED);

	/* Trailing. */
	memcpy(tbuf, want_p1, 8);
	tbuf[8] = 0;
	CHECK_INT(decode_free(tbuf, 9, AF_INET, AMT_FLAGS_RFC, &msg), AMT_DECODE_OK);
	CHECK_INT(msg.flags, AMT_MSGF_TRAILING);

	check_truncations(want_p1, 8, AF_INET, AMT_FLAGS_RFC);
	check_truncations(linux_p1, 8, AF_INET, AMT_FLAGS_LINUX);
}

/*
 * The kind of gateway behind a Request: the forms of the Linux driver and
 * VLC, written out byte by byte, and an RFC gateway's.
 */
static void test_request_gw_kind(void)
{
	static const uint8_t rfc_v4[8] = { 0x03, 0x00, 0x00, 0x00, 0x0a, 0x0b, 0x0c, 0x0d };
	static const uint8_t rfc_v6[8] = { 0x03, 0x01, 0x00, 0x00, 0x0a, 0x0b, 0x0c, 0x0d };
	static const uint8_t linux_v6[8] = { 0x03, 0x80, 0x00, 0x00, 0x0a, 0x0b, 0x0c, 0x0d };
	/* VLC: 9 bytes, the last one zero. */
	static const uint8_t vlc[9] = { 0x03, 0x00, 0x00, 0x00, 0x0a, 0x0b, 0x0c, 0x0d, 0x00 };
	struct amt_msg msg;

	CHECK_INT(decode_free(rfc_v4, 8, AF_INET, AMT_FLAGS_RFC, &msg), AMT_DECODE_OK);
	CHECK_INT(amt_request_gw_kind(&msg, 40000), AMT_GW_KIND_RFC);
	CHECK(!amt_request_wants_mld(&msg, AMT_GW_KIND_RFC));
	/* The Linux driver sends from the AMT port. */
	CHECK_INT(amt_request_gw_kind(&msg, AMT_UDP_PORT), AMT_GW_KIND_LINUX);
	CHECK(!amt_request_wants_mld(&msg, AMT_GW_KIND_LINUX));

	CHECK_INT(decode_free(rfc_v6, 8, AF_INET, AMT_FLAGS_RFC, &msg), AMT_DECODE_OK);
	CHECK_INT(amt_request_gw_kind(&msg, 40000), AMT_GW_KIND_RFC);
	CHECK(amt_request_wants_mld(&msg, AMT_GW_KIND_RFC));

	/* Its P in the high bit gives it away from any port, and means MLD. */
	CHECK_INT(decode_free(linux_v6, 8, AF_INET, AMT_FLAGS_RFC, &msg), AMT_DECODE_OK);
	CHECK_INT(amt_request_gw_kind(&msg, 40000), AMT_GW_KIND_LINUX);
	CHECK(amt_request_wants_mld(&msg, AMT_GW_KIND_LINUX));
	CHECK(!amt_request_wants_mld(&msg, AMT_GW_KIND_RFC));

	CHECK_INT(decode_free(vlc, 9, AF_INET, AMT_FLAGS_RFC, &msg), AMT_DECODE_OK);
	CHECK_INT(amt_request_gw_kind(&msg, 40000), AMT_GW_KIND_EXACT);
	CHECK(!amt_request_wants_mld(&msg, AMT_GW_KIND_EXACT));

	CHECK(!strcmp(amt_gw_kind_str(AMT_GW_KIND_RFC), "rfc"));
	CHECK(!strcmp(amt_gw_kind_str(AMT_GW_KIND_LINUX), "linux"));
	CHECK(!strcmp(amt_gw_kind_str(AMT_GW_KIND_EXACT), "exact-length"));
}

/* Sources a relay or gateway may answer (no reflection), both sides of each edge. */
static void test_endpoint_ok(void)
{
	static const struct {
		int family;
		const char *addr;
		uint16_t port;
		bool ok;
	} cases[] = {
		{ AF_INET, "192.0.2.11", 40000, true },
		{ AF_INET, "192.0.2.11", 0, false },
		{ AF_INET, "1.0.0.1", 1, true },
		{ AF_INET, "0.0.0.0", 2268, false },
		{ AF_INET, "0.1.2.3", 2268, false },
		{ AF_INET, "223.255.255.255", 2268, true },
		{ AF_INET, "224.0.0.1", 2268, false },
		{ AF_INET, "239.1.1.1", 2268, false },
		{ AF_INET, "240.0.0.1", 2268, false },
		{ AF_INET, "255.255.255.255", 2268, false },
		{ AF_INET6, "2001:db8::11", 40000, true },
		{ AF_INET6, "2001:db8::11", 0, false },
		{ AF_INET6, "fe80::1", 2268, true },
		{ AF_INET6, "::", 2268, false },
		{ AF_INET6, "::1", 2268, true },
		{ AF_INET6, "ff02::1", 2268, false },
		{ AF_INET6, "ff3e::1", 2268, false },
		{ AF_INET6, "::ffff:192.0.2.11", 2268, true },
		{ AF_INET6, "::ffff:224.0.0.1", 2268, false },
		{ AF_INET6, "::ffff:255.255.255.255", 2268, false },
		{ AF_INET6, "::ffff:0.0.0.0", 2268, false },
	};
	union amt_ip a;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&a, 0, sizeof(a));
		CHECK(inet_pton(cases[i].family, cases[i].addr, &a) == 1);
		if (amt_endpoint_ok(cases[i].family, &a, cases[i].port) != cases[i].ok)
			fprintf(stderr, "amt_endpoint_ok(%s, %u) is wrong\n", cases[i].addr,
				cases[i].port);
		CHECK(amt_endpoint_ok(cases[i].family, &a, cases[i].port) == cases[i].ok);
	}
	memset(&a, 0, sizeof(a));
	a.bytes[0] = 10;
	CHECK(!amt_endpoint_ok(AF_UNSPEC, &a, 2268));
}

/* Build an expected Query by hand: header, inner, optional gw fields. */
static size_t query_bytes(uint8_t *out, uint8_t flags, const uint8_t *inner, size_t inner_len,
			  const uint8_t *gw, size_t gw_len)
{
	out[0] = 0x04;
	out[1] = flags;
	memcpy(out + 2, mac1, 6);
	out[8] = 0x87;
	out[9] = 0x65;
	out[10] = 0x43;
	out[11] = 0x21;
	memcpy(out + 12, inner, inner_len);
	if (gw_len)
		memcpy(out + 12 + inner_len, gw, gw_len);
	return 12 + inner_len + gw_len;
}

static void test_query(void)
{
	/* Gateway 203.0.113.5 port 49152, IPv4-compatible (RFC 7450 5.1.4.9). */
	static const uint8_t gw4[18] = { 0xc0, 0x00, 0, 0, 0, 0,   0, 0,   0,
					 0,    0,    0, 0, 0, 203, 0, 113, 5 };
	/* Gateway [2001:db8::99]:2268. */
	static const uint8_t gw6[18] = { 0x08, 0xdc, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0,
					 0,    0,    0,	   0,	 0,    0,    0, 0, 0x99 };
	struct amt_ipaddr a4 = { .family = AF_INET }, a6 = { .family = AF_INET6 };
	uint8_t want[160], buf[160];
	struct amt_msg msg;
	size_t n;

	inet_pton(AF_INET, "203.0.113.5", &a4.ip.v4);
	inet_pton(AF_INET6, "2001:db8::99", &a6.ip.v6);

	/* Plain: no flags, IGMPv3 General Query. */
	n = query_bytes(want, 0x00, igmpv3_gq, sizeof(igmpv3_gq), NULL, 0);
	CHECK_INT(amt_encode_query(buf, sizeof(buf), mac1, 0x87654321, false, igmpv3_gq,
				   sizeof(igmpv3_gq), NULL, 0, AMT_FLAGS_RFC),
		  n);
	CHECK_MEM(buf, want, n);
	CHECK_INT(decode_free(want, n, AF_INET, AMT_FLAGS_RFC, &msg), AMT_DECODE_OK);
	CHECK_INT(msg.type, AMT_MSG_MEMBERSHIP_QUERY);
	CHECK_MEM(msg.mac, mac1, 6);
	CHECK_INT(msg.nonce, 0x87654321);
	CHECK(!msg.l && !msg.g);
	CHECK_INT(msg.inner_len, sizeof(igmpv3_gq));
	CHECK_INT(msg.inner_family, AF_INET);
	CHECK_INT(msg.flags, 0);
	check_truncations(want, n, AF_INET, AMT_FLAGS_RFC);
	CHECK_ENCODE_SIZES(n, amt_encode_query(_sb, size, mac1, 1, false, igmpv3_gq,
					       sizeof(igmpv3_gq), NULL, 0, AMT_FLAGS_RFC));

	/* L and G (RFC 7450 Figure 9: |L|G| are the two lowest bits). */
	n = query_bytes(want, 0x03, igmpv3_gq, sizeof(igmpv3_gq), gw4, 18);
	CHECK_INT(amt_encode_query(buf, sizeof(buf), mac1, 0x87654321, true, igmpv3_gq,
				   sizeof(igmpv3_gq), &a4, 49152, AMT_FLAGS_RFC),
		  n);
	CHECK_MEM(buf, want, n);
	CHECK_INT(decode_free(want, n, AF_INET, AMT_FLAGS_RFC, &msg), AMT_DECODE_OK);
	CHECK(msg.l && msg.g);
	CHECK_INT(msg.gw_port, 49152);
	CHECK_INT(msg.gw_addr.family, AF_INET);
	CHECK_MEM(&msg.gw_addr.ip.v4, &a4.ip.v4, 4);
	CHECK_INT(msg.inner_len, sizeof(igmpv3_gq));
	CHECK_INT(msg.flags, 0);
	check_truncations(want, n, AF_INET, AMT_FLAGS_RFC);
	CHECK_ENCODE_SIZES(n, amt_encode_query(_sb, size, mac1, 1, true, igmpv3_gq,
					       sizeof(igmpv3_gq), &a4, 1, AMT_FLAGS_RFC));

	/* L alone, G alone. */
	n = query_bytes(want, 0x02, igmpv3_gq, sizeof(igmpv3_gq), NULL, 0);
	CHECK_INT(amt_encode_query(buf, sizeof(buf), mac1, 0x87654321, true, igmpv3_gq,
				   sizeof(igmpv3_gq), NULL, 0, AMT_FLAGS_RFC),
		  n);
	CHECK_MEM(buf, want, n);
	CHECK_INT(decode_free(want, n, AF_INET, AMT_FLAGS_RFC, &msg), AMT_DECODE_OK);
	CHECK(msg.l && !msg.g);

	/* IPv6 outer, MLDv2 query, IPv6 gateway, G only. */
	n = query_bytes(want, 0x01, mldv2_gq, sizeof(mldv2_gq), gw6, 18);
	CHECK_INT(amt_encode_query(buf, sizeof(buf), mac1, 0x87654321, false, mldv2_gq,
				   sizeof(mldv2_gq), &a6, 2268, AMT_FLAGS_RFC),
		  n);
	CHECK_MEM(buf, want, n);
	CHECK_INT(decode_free(want, n, AF_INET6, AMT_FLAGS_RFC, &msg), AMT_DECODE_OK);
	CHECK(!msg.l && msg.g);
	CHECK_INT(msg.gw_port, 2268);
	CHECK_INT(msg.gw_addr.family, AF_INET6);
	CHECK_MEM(&msg.gw_addr.ip.v6, &a6.ip.v6, 16);
	CHECK_INT(msg.inner_family, AF_INET6);
	CHECK_INT(msg.inner_len, sizeof(mldv2_gq));
	check_truncations(want, n, AF_INET6, AMT_FLAGS_RFC);
	/* Without the outer family, an IPv6 gateway address stays IPv6. */
	CHECK_INT(decode_free(want, n, AF_UNSPEC, AMT_FLAGS_RFC, &msg), AMT_DECODE_OK);
	CHECK_INT(msg.gw_addr.family, AF_INET6);
	/* ...but over IPv4 it cannot be the gateway's address. */
	CHECK_INT(decode_free(want, n, AF_INET, AMT_FLAGS_RFC, &msg), AMT_DECODE_FAMILY);

	/* Linux layout: L = 0x40, G = 0x80. */
	n = query_bytes(want, 0xc0, igmpv3_gq, sizeof(igmpv3_gq), gw4, 18);
	CHECK_INT(amt_encode_query(buf, sizeof(buf), mac1, 0x87654321, true, igmpv3_gq,
				   sizeof(igmpv3_gq), &a4, 49152, AMT_FLAGS_LINUX),
		  n);
	CHECK_MEM(buf, want, n);
	CHECK_INT(decode_free(want, n, AF_INET, AMT_FLAGS_LINUX, &msg), AMT_DECODE_OK);
	CHECK(msg.l && msg.g);
	CHECK_INT(msg.gw_port, 49152);
	CHECK_INT(msg.flags, 0);
	check_truncations(want, n, AF_INET, AMT_FLAGS_LINUX);
	/* Read with the RFC layout: no flags, reserved bits, no gw fields. */
	CHECK_INT(decode_free(want, n, AF_INET, AMT_FLAGS_RFC, &msg), AMT_DECODE_OK);
	CHECK(!msg.l && !msg.g);
	CHECK_INT(msg.flags, AMT_MSGF_RESERVED | AMT_MSGF_LINUX_BITS | AMT_MSGF_TRAILING);

	/* IPv4-mapped gateway address over IPv4: accepted, flagged. */
	n = query_bytes(want, 0x01, igmpv3_gq, sizeof(igmpv3_gq), gw4, 18);
	want[n - 6] = 0xff;
	want[n - 5] = 0xff;
	CHECK_INT(decode_free(want, n, AF_INET, AMT_FLAGS_RFC, &msg), AMT_DECODE_OK);
	CHECK_INT(msg.gw_addr.family, AF_INET);
	CHECK_MEM(&msg.gw_addr.ip.v4, &a4.ip.v4, 4);
	CHECK_INT(msg.flags, AMT_MSGF_V4MAPPED);

	/* G set but no room for the gateway fields. */
	n = query_bytes(want, 0x01, igmpv3_gq, 10, NULL, 0);
	CHECK_INT(decode_free(want, n, AF_INET, AMT_FLAGS_RFC, &msg), AMT_DECODE_TOO_SHORT);

	/* Encapsulated packet longer than its room / not IP / empty. */
	n = query_bytes(want, 0x00, igmpv3_gq, sizeof(igmpv3_gq) - 1, NULL, 0);
	CHECK_INT(decode_free(want, n, AF_INET, AMT_FLAGS_RFC, &msg), AMT_DECODE_BAD_LENGTH);
	n = query_bytes(want, 0x00, igmpv3_gq, sizeof(igmpv3_gq), NULL, 0);
	want[12] = 0x56;
	CHECK_INT(decode_free(want, n, AF_INET, AMT_FLAGS_RFC, &msg), AMT_DECODE_BAD_INNER);
	want[12] = 0x44; /* IHL 4: header shorter than 20 bytes */
	CHECK_INT(decode_free(want, n, AF_INET, AMT_FLAGS_RFC, &msg), AMT_DECODE_BAD_LENGTH);
	CHECK_INT(decode_free(want, 12, AF_INET, AMT_FLAGS_RFC, &msg), AMT_DECODE_BAD_LENGTH);

	/* Trailing bytes after the encapsulated packet. */
	n = query_bytes(want, 0x00, igmpv3_gq, sizeof(igmpv3_gq), NULL, 0);
	want[n] = 0;
	CHECK_INT(decode_free(want, n + 1, AF_INET, AMT_FLAGS_RFC, &msg), AMT_DECODE_OK);
	CHECK_INT(msg.flags, AMT_MSGF_TRAILING);
	CHECK_INT(msg.inner_len, sizeof(igmpv3_gq));

	/* The query already in place in the output buffer. */
	memcpy(buf + AMT_QUERY_HDR_LEN, igmpv3_gq, sizeof(igmpv3_gq));
	n = query_bytes(want, 0x01, igmpv3_gq, sizeof(igmpv3_gq), gw4, 18);
	CHECK_INT(amt_encode_query(buf, sizeof(buf), mac1, 0x87654321, false,
				   buf + AMT_QUERY_HDR_LEN, sizeof(igmpv3_gq), &a4, 49152,
				   AMT_FLAGS_RFC),
		  n);
	CHECK_MEM(buf, want, n);
}

static void test_update(void)
{
	uint8_t want[128], buf[128];
	struct amt_msg msg;
	size_t n;

	/* RFC 7450 Figure 13: Type 5, Reserved, MAC, Nonce, IGMP packet. */
	want[0] = 0x05;
	want[1] = 0x00;
	memcpy(want + 2, mac1, 6);
	want[8] = 0xde;
	want[9] = 0xad;
	want[10] = 0x00;
	want[11] = 0x01;
	memcpy(want + 12, igmpv3_report, sizeof(igmpv3_report));
	n = 12 + sizeof(igmpv3_report);

	CHECK_INT(amt_encode_update(buf, sizeof(buf), mac1, 0xdead0001, igmpv3_report,
				    sizeof(igmpv3_report)),
		  n);
	CHECK_MEM(buf, want, n);
	CHECK_ENCODE_SIZES(n, amt_encode_update(_sb, size, mac1, 1, igmpv3_report,
						sizeof(igmpv3_report)));

	CHECK_INT(decode_free(want, n, AF_INET, AMT_FLAGS_RFC, &msg), AMT_DECODE_OK);
	CHECK_INT(msg.type, AMT_MSG_MEMBERSHIP_UPDATE);
	CHECK_MEM(msg.mac, mac1, 6);
	CHECK_INT(msg.nonce, 0xdead0001);
	CHECK_INT(msg.inner_family, AF_INET);
	CHECK_INT(msg.inner_len, sizeof(igmpv3_report));
	CHECK_INT(msg.flags, 0);
	check_truncations(want, n, AF_INET, AMT_FLAGS_RFC);

	want[1] = 0x10;
	CHECK_INT(decode_free(want, n, AF_INET, AMT_FLAGS_RFC, &msg), AMT_DECODE_OK);
	CHECK_INT(msg.flags, AMT_MSGF_RESERVED);
	want[1] = 0;

	/* An MLD report over IPv4 outer is fine: P chose the inner family. */
	memcpy(want + 12, mldv2_gq, sizeof(mldv2_gq));
	n = 12 + sizeof(mldv2_gq);
	CHECK_INT(decode_free(want, n, AF_INET, AMT_FLAGS_RFC, &msg), AMT_DECODE_OK);
	CHECK_INT(msg.inner_family, AF_INET6);
	check_truncations(want, n, AF_INET, AMT_FLAGS_RFC);
}

static void test_data(void)
{
	uint8_t want[64], buf[64], hdr[AMT_DATA_HDR_LEN];
	struct amt_msg msg;
	size_t n = 2 + sizeof(udp4_data);

	/* RFC 7450 Figure 15: Type 6, Reserved, IP datagram. */
	want[0] = 0x06;
	want[1] = 0x00;
	memcpy(want + 2, udp4_data, sizeof(udp4_data));

	CHECK_INT(amt_encode_data(buf, sizeof(buf), udp4_data, sizeof(udp4_data)), n);
	CHECK_MEM(buf, want, n);
	CHECK_ENCODE_SIZES(n, amt_encode_data(_sb, size, udp4_data, sizeof(udp4_data)));

	/* Payload already in place: only the header is written. */
	memset(buf, 0x55, sizeof(buf));
	memcpy(buf + AMT_DATA_HDR_LEN, udp4_data, sizeof(udp4_data));
	CHECK_INT(amt_encode_data(buf, sizeof(buf), buf + AMT_DATA_HDR_LEN, sizeof(udp4_data)), n);
	CHECK_MEM(buf, want, n);
	amt_encode_data_header(hdr);
	CHECK_MEM(hdr, want, AMT_DATA_HDR_LEN);
	CHECK_INT(AMT_DATA_HDR_LEN, 2);

	CHECK_INT(decode_free(want, n, AF_INET, AMT_FLAGS_RFC, &msg), AMT_DECODE_OK);
	CHECK_INT(msg.type, AMT_MSG_MULTICAST_DATA);
	CHECK_INT(msg.inner_family, AF_INET);
	CHECK_INT(msg.inner_len, sizeof(udp4_data));
	CHECK_INT(msg.flags, 0);
	check_truncations(want, n, AF_INET, AMT_FLAGS_RFC);

	/* IPv6 datagram. */
	want[0] = 0x06;
	memcpy(want + 2, mldv2_gq, 40);
	want[2 + 4] = 0;
	want[2 + 5] = 0; /* payload length 0: a bare header */
	CHECK_INT(decode_free(want, 42, AF_INET6, AMT_FLAGS_RFC, &msg), AMT_DECODE_OK);
	CHECK_INT(msg.inner_family, AF_INET6);
	CHECK_INT(msg.inner_len, 40);
	check_truncations(want, 42, AF_INET6, AMT_FLAGS_RFC);

	/* Empty, and not IP. */
	CHECK_INT(decode_free(want, 2, AF_INET, AMT_FLAGS_RFC, &msg), AMT_DECODE_BAD_LENGTH);
	want[2] = 0x00;
	CHECK_INT(decode_free(want, 42, AF_INET, AMT_FLAGS_RFC, &msg), AMT_DECODE_BAD_INNER);
}

static void test_teardown(void)
{
	/* RFC 7450 Figure 16, gateway 203.0.113.5:49152 (IPv4-compatible). */
	static const uint8_t want4[30] = {
		0x07, 0x00, 0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6, 0x11, 0x22,
		0x33, 0x44, 0xc0, 0x00, 0,    0,    0,	  0,	0,    0,
		0,    0,    0,	  0,	0,    0,    203,  0,	113,  5,
	};
	static const uint8_t want6[30] = {
		0x07, 0x00, 0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6, 0x11, 0x22,
		0x33, 0x44, 0x08, 0xdc, 0x20, 0x01, 0x0d, 0xb8, 0,    0,
		0,    0,    0,	  0,	0,    0,    0,	  0,	0,    0x99,
	};
	struct amt_ipaddr a4 = { .family = AF_INET }, a6 = { .family = AF_INET6 };
	struct amt_ipaddr bad = { .family = 0 };
	uint8_t buf[64], tbuf[40];
	struct amt_msg msg;

	inet_pton(AF_INET, "203.0.113.5", &a4.ip.v4);
	inet_pton(AF_INET6, "2001:db8::99", &a6.ip.v6);

	CHECK_INT(amt_encode_teardown(buf, sizeof(buf), mac1, 0x11223344, &a4, 49152), 30);
	CHECK_MEM(buf, want4, 30);
	CHECK_INT(amt_encode_teardown(buf, sizeof(buf), mac1, 0x11223344, &a6, 2268), 30);
	CHECK_MEM(buf, want6, 30);
	CHECK_INT(amt_encode_teardown(buf, sizeof(buf), mac1, 1, &bad, 1), -1);
	CHECK_ENCODE_SIZES(30, amt_encode_teardown(_sb, size, mac1, 1, &a6, 1));

	CHECK_INT(decode_free(want4, 30, AF_INET, AMT_FLAGS_RFC, &msg), AMT_DECODE_OK);
	CHECK_INT(msg.type, AMT_MSG_TEARDOWN);
	CHECK_MEM(msg.mac, mac1, 6);
	CHECK_INT(msg.nonce, 0x11223344);
	CHECK_INT(msg.gw_port, 49152);
	CHECK_INT(msg.gw_addr.family, AF_INET);
	CHECK_MEM(&msg.gw_addr.ip.v4, &a4.ip.v4, 4);
	CHECK_INT(msg.flags, 0);
	CHECK_INT(decode_free(want4, 30, AF_UNSPEC, AMT_FLAGS_RFC, &msg), AMT_DECODE_OK);
	CHECK_INT(msg.gw_addr.family, AF_INET);

	CHECK_INT(decode_free(want6, 30, AF_INET6, AMT_FLAGS_RFC, &msg), AMT_DECODE_OK);
	CHECK_INT(msg.gw_port, 2268);
	CHECK_INT(msg.gw_addr.family, AF_INET6);
	CHECK_MEM(&msg.gw_addr.ip.v6, &a6.ip.v6, 16);
	/* An IPv6 gateway address in a Teardown that came over IPv4. */
	CHECK_INT(decode_free(want6, 30, AF_INET, AMT_FLAGS_RFC, &msg), AMT_DECODE_FAMILY);

	check_truncations(want4, 30, AF_INET, AMT_FLAGS_RFC);
	check_truncations(want6, 30, AF_INET6, AMT_FLAGS_RFC);

	memcpy(tbuf, want4, 30);
	tbuf[30] = 0;
	tbuf[31] = 0;
	CHECK_INT(decode_free(tbuf, 32, AF_INET, AMT_FLAGS_RFC, &msg), AMT_DECODE_OK);
	CHECK_INT(msg.flags, AMT_MSGF_TRAILING);
	tbuf[1] = 0x01;
	CHECK_INT(decode_free(tbuf, 30, AF_INET, AMT_FLAGS_RFC, &msg), AMT_DECODE_OK);
	CHECK_INT(msg.flags, AMT_MSGF_RESERVED);
}

static void test_header_rejections(void)
{
	uint8_t buf[32] = { 0x01, 0, 0, 0, 1, 2, 3, 4 };
	struct amt_msg msg;
	unsigned int bad = 0;

	CHECK_INT(decode_free(buf, 0, AF_INET, AMT_FLAGS_RFC, &msg), AMT_DECODE_TOO_SHORT);
	/* Version 1..15, whatever the type. */
	for (unsigned int v = 1; v < 16; v++) {
		buf[0] = (v << 4) | 0x01;
		if (decode_free(buf, 8, AF_INET, AMT_FLAGS_RFC, &msg) != AMT_DECODE_BAD_VERSION)
			bad++;
	}
	CHECK_INT(bad, 0);
	/* Types 0 and 8..15. */
	bad = 0;
	for (unsigned int t = 0; t < 16; t++) {
		if (t >= 1 && t <= 7)
			continue;
		buf[0] = t;
		if (decode_free(buf, 32, AF_INET, AMT_FLAGS_RFC, &msg) != AMT_DECODE_UNKNOWN_TYPE)
			bad++;
	}
	CHECK_INT(bad, 0);

	/* Every reason has its own text. */
	for (int i = 0; i < AMT_DECODE_ERROR_MAX; i++) {
		CHECK(amt_decode_error_str(i) != NULL);
		for (int j = 0; j < i; j++)
			CHECK(strcmp(amt_decode_error_str(i), amt_decode_error_str(j)) != 0);
	}
	CHECK(strcmp(amt_decode_error_str(AMT_DECODE_ERROR_MAX), "unknown error") == 0);
	CHECK(strcmp(amt_msg_type_str(AMT_MSG_TEARDOWN), "Teardown") == 0);
}

/* Decode, encode again, and find the same bytes (no flags set). */
static void roundtrip(const uint8_t *buf, size_t len, int family, enum amt_flag_layout lay)
{
	uint8_t out[256];
	struct amt_msg msg;
	ssize_t n;

	CHECK_INT(amt_decode(buf, len, family, lay, &msg), AMT_DECODE_OK);
	CHECK_INT(msg.flags, 0);
	n = amt_encode_msg(out, sizeof(out), &msg, lay);
	CHECK_INT(n, len);
	if (n == (ssize_t)len)
		CHECK_MEM(out, buf, len);
}

static void test_roundtrips(void)
{
	struct amt_ipaddr a4 = { .family = AF_INET }, a6 = { .family = AF_INET6 };
	uint8_t buf[256];
	ssize_t n;

	inet_pton(AF_INET, "198.51.100.200", &a4.ip.v4);
	inet_pton(AF_INET6, "2001:db8:1:2::3", &a6.ip.v6);

	for (int lay = AMT_FLAGS_RFC; lay <= AMT_FLAGS_LINUX; lay++) {
		n = amt_encode_discovery(buf, sizeof(buf), 0xfeedf00d);
		roundtrip(buf, n, AF_INET, lay);
		n = amt_encode_advertisement(buf, sizeof(buf), 7, &a4);
		roundtrip(buf, n, AF_INET, lay);
		n = amt_encode_advertisement(buf, sizeof(buf), 7, &a6);
		roundtrip(buf, n, AF_INET6, lay);
		for (int p = 0; p < 2; p++) {
			n = amt_encode_request(buf, sizeof(buf), 0x1000 + p, p, lay);
			roundtrip(buf, n, AF_INET6, lay);
		}
		for (int l = 0; l < 2; l++) {
			n = amt_encode_query(buf, sizeof(buf), mac1, 9, l, igmpv3_gq,
					     sizeof(igmpv3_gq), NULL, 0, lay);
			roundtrip(buf, n, AF_INET, lay);
			n = amt_encode_query(buf, sizeof(buf), mac1, 9, l, igmpv3_gq,
					     sizeof(igmpv3_gq), &a4, 40000, lay);
			roundtrip(buf, n, AF_INET, lay);
			n = amt_encode_query(buf, sizeof(buf), mac1, 9, l, mldv2_gq,
					     sizeof(mldv2_gq), &a6, 40000, lay);
			roundtrip(buf, n, AF_INET6, lay);
		}
		n = amt_encode_update(buf, sizeof(buf), mac1, 10, igmpv3_report,
				      sizeof(igmpv3_report));
		roundtrip(buf, n, AF_INET, lay);
		n = amt_encode_data(buf, sizeof(buf), udp4_data, sizeof(udp4_data));
		roundtrip(buf, n, AF_INET, lay);
		n = amt_encode_teardown(buf, sizeof(buf), mac1, 11, &a4, 1);
		roundtrip(buf, n, AF_INET, lay);
		n = amt_encode_teardown(buf, sizeof(buf), mac1, 11, &a6, 65535);
		roundtrip(buf, n, AF_INET6, lay);
	}
}

/*
 * Every byte string of a few lengths with a valid first byte: decoding
 * never fails without a reason and never reports OK with an inner packet
 * outside the buffer.
 */
static void test_pseudo_random(void)
{
	uint8_t buf[96];
	struct amt_msg msg;
	unsigned int bad = 0;
	uint32_t seed = 12345;

	for (unsigned int iter = 0; iter < 200000; iter++) {
		size_t len = iter % sizeof(buf);
		enum amt_decode_error err;

		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245 + 12345;
			buf[i] = seed >> 16;
		}
		if (len)
			buf[0] &= 0x07;
		err = amt_decode(buf, len,
				 iter % 3 == 0	 ? AF_INET
				 : iter % 3 == 1 ? AF_INET6
						 : AF_UNSPEC,
				 iter & 1, &msg);
		if (err >= AMT_DECODE_ERROR_MAX)
			bad++;
		if (err == AMT_DECODE_OK && msg.inner &&
		    (msg.inner < buf || msg.inner + msg.inner_len > buf + len))
			bad++;
	}
	CHECK_INT(bad, 0);
}

int main(void)
{
	test_discovery();
	test_advertisement();
	test_request();
	test_request_gw_kind();
	test_endpoint_ok();
	test_query();
	test_update();
	test_data();
	test_teardown();
	test_header_rejections();
	test_roundtrips();
	test_pseudo_random();
	return amt_test_summary("test_amt_packet");
}
