// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for AMTRELAY record parsing and relay ordering
 * (amtd/amt_dns_record.c).  Expected bytes are written out from RFC 8777
 * section 4.2 and RFC 1035 section 4.1, not produced by the encoder.
 */
#include <zebra.h>

#include <arpa/inet.h>
#include <stdlib.h>

#include "amtd/amt_dns_record.h"
#include "tests/amtd/amt_test.h"

/* Parse a heap copy of exactly len bytes: a sanitizer sees any overread. */
static enum amt_dns_error rdata_parse_copy(const uint8_t *buf, size_t len,
					   struct amt_relay_record *rec)
{
	uint8_t *copy = malloc(len ? len : 1);
	enum amt_dns_error err;

	if (len)
		memcpy(copy, buf, len);
	err = amt_relay_rdata_parse(copy, len, rec);
	free(copy);
	return err;
}

static enum amt_dns_error answer_parse_copy(const uint8_t *buf, size_t len,
					    struct amt_relay_record *out, size_t max, size_t *n,
					    struct amt_dns_answer_stats *st)
{
	uint8_t *copy = malloc(len ? len : 1);
	enum amt_dns_error err;

	if (len)
		memcpy(copy, buf, len);
	err = amt_dns_answer_parse(copy, len, out, max, n, st);
	free(copy);
	return err;
}

/* RFC 8777 section 4.3 examples, in wire format. */
static const uint8_t rd_v4[] = { 10, 0x81, 203, 0, 113, 15 };
static const uint8_t rd_v6[] = { 10, 0x02, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0,
				 0,  0,	   0,	 0,    0,    0,	   0, 0, 0x0f };
static const uint8_t rd_name[] = { 128, 0x83, 6,   'a', 'm', 't', 'r', 'l', 'y', 7,   'e',
				   'x', 'a',  'm', 'p', 'l', 'e', 3,   'c', 'o', 'm', 0 };
static const uint8_t rd_none[] = { 0, 0x00 };

static void test_rdata_types(void)
{
	struct amt_relay_record rec;
	char buf[INET6_ADDRSTRLEN];

	CHECK_INT(rdata_parse_copy(rd_v4, sizeof(rd_v4), &rec), AMT_DNS_OK);
	CHECK_INT(rec.precedence, 10);
	CHECK(rec.discovery_optional);
	CHECK_INT(rec.type, AMT_RELAY_TYPE_IPV4);
	CHECK_INT(rec.addr.family, AF_INET);
	inet_ntop(AF_INET, &rec.addr.ip.v4, buf, sizeof(buf));
	CHECK(!strcmp(buf, "203.0.113.15"));

	CHECK_INT(rdata_parse_copy(rd_v6, sizeof(rd_v6), &rec), AMT_DNS_OK);
	CHECK(!rec.discovery_optional);
	CHECK_INT(rec.type, AMT_RELAY_TYPE_IPV6);
	CHECK_INT(rec.addr.family, AF_INET6);
	inet_ntop(AF_INET6, &rec.addr.ip.v6, buf, sizeof(buf));
	CHECK(!strcmp(buf, "2001:db8::f"));

	CHECK_INT(rdata_parse_copy(rd_name, sizeof(rd_name), &rec), AMT_DNS_OK);
	CHECK_INT(rec.precedence, 128);
	CHECK(rec.discovery_optional);
	CHECK_INT(rec.type, AMT_RELAY_TYPE_NAME);
	CHECK(!strcmp(rec.name, "amtrly.example.com"));
	CHECK_INT(rec.addr.family, 0);

	CHECK_INT(rdata_parse_copy(rd_none, sizeof(rd_none), &rec), AMT_DNS_OK);
	CHECK_INT(rec.type, AMT_RELAY_TYPE_NONE);
}

static void test_rdata_rejections(void)
{
	struct amt_relay_record rec;
	uint8_t b[300];

	/* Every shorter prefix of each example is refused. */
	for (size_t l = 0; l < sizeof(rd_v4); l++)
		CHECK(rdata_parse_copy(rd_v4, l, &rec) != AMT_DNS_OK);
	for (size_t l = 0; l < sizeof(rd_v6); l++)
		CHECK(rdata_parse_copy(rd_v6, l, &rec) != AMT_DNS_OK);
	for (size_t l = 0; l < sizeof(rd_name); l++)
		CHECK(rdata_parse_copy(rd_name, l, &rec) != AMT_DNS_OK);

	/* Trailing bytes. */
	memcpy(b, rd_v4, sizeof(rd_v4));
	b[sizeof(rd_v4)] = 0;
	CHECK_INT(rdata_parse_copy(b, sizeof(rd_v4) + 1, &rec), AMT_DNS_BAD_LENGTH);
	memcpy(b, rd_name, sizeof(rd_name));
	b[sizeof(rd_name)] = 0;
	CHECK_INT(rdata_parse_copy(b, sizeof(rd_name) + 1, &rec), AMT_DNS_BAD_LENGTH);
	CHECK_INT(rdata_parse_copy((const uint8_t[]){ 0, 0, 1 }, 3, &rec), AMT_DNS_BAD_LENGTH);

	/* Types 4 to 127 are not defined. */
	CHECK_INT(rdata_parse_copy((const uint8_t[]){ 0, 4, 1, 2, 3, 4 }, 6, &rec),
		  AMT_DNS_BAD_RELAY_TYPE);
	CHECK_INT(rdata_parse_copy((const uint8_t[]){ 0, 0xff }, 2, &rec), AMT_DNS_BAD_RELAY_TYPE);

	/* Type 3: a compression pointer, the root alone, odd characters. */
	CHECK_INT(rdata_parse_copy((const uint8_t[]){ 0, 3, 0xc0, 0x0c }, 4, &rec),
		  AMT_DNS_BAD_NAME);
	CHECK_INT(rdata_parse_copy((const uint8_t[]){ 0, 3, 1, 'a', 0xc0, 0x0c }, 6, &rec),
		  AMT_DNS_BAD_NAME);
	CHECK_INT(rdata_parse_copy((const uint8_t[]){ 0, 3, 0x40, 'a' }, 4, &rec), AMT_DNS_BAD_NAME);
	CHECK_INT(rdata_parse_copy((const uint8_t[]){ 0, 3, 0 }, 3, &rec), AMT_DNS_BAD_NAME);
	CHECK_INT(rdata_parse_copy((const uint8_t[]){ 0, 3, 3, 'a', '.', 'b', 0 }, 7, &rec),
		  AMT_DNS_BAD_NAME);
	CHECK_INT(rdata_parse_copy((const uint8_t[]){ 0, 3, 2, 'a', 0, 0 }, 6, &rec),
		  AMT_DNS_BAD_NAME);
	/* Missing terminating root label. */
	CHECK_INT(rdata_parse_copy((const uint8_t[]){ 0, 3, 1, 'a' }, 4, &rec), AMT_DNS_TRUNCATED);

	/* Labels of 63, 63, 63 and 62 and the root: 256 wire bytes, one too many. */
	b[0] = 0;
	b[1] = 3;
	memset(b + 2, 'x', 256);
	b[2] = b[2 + 64] = b[2 + 128] = 63;
	b[2 + 192] = 62;
	b[2 + 255] = 0;
	CHECK_INT(rdata_parse_copy(b, 2 + 256, &rec), AMT_DNS_BAD_NAME);
	/* 61 in the last label: 255 bytes, 253 characters. */
	b[2 + 192] = 61;
	b[2 + 254] = 0;
	CHECK_INT(rdata_parse_copy(b, 2 + 255, &rec), AMT_DNS_OK);
	CHECK_INT(strlen(rec.name), 253);
}

static void test_rdata_roundtrip(void)
{
	const uint8_t *ex[] = { rd_v4, rd_v6, rd_name, rd_none };
	const size_t exlen[] = { sizeof(rd_v4), sizeof(rd_v6), sizeof(rd_name), sizeof(rd_none) };
	struct amt_relay_record rec;
	uint8_t out[300];

	for (size_t i = 0; i < array_size(ex); i++) {
		CHECK_INT(amt_relay_rdata_parse(ex[i], exlen[i], &rec), AMT_DNS_OK);
		CHECK_INT(amt_relay_rdata_encode(out, sizeof(out), &rec), exlen[i]);
		CHECK_MEM(out, ex[i], exlen[i]);
		CHECK_INT(amt_relay_rdata_encode(out, exlen[i] - 1, &rec), -1);
	}
}

/*
 * A response for 10.1.0.10.in-addr.arpa: the question, a CNAME (ignored),
 * four AMTRELAY records (one bad: type 1 with 3 bytes; one type 0) and an
 * AMTRELAY record of class CH.  Owner names are compression pointers.
 */
static const uint8_t response[] = {
	/* header: id 0x1234, QR RD RA, rcode 0; 1 question, 7 answers */
	0x12,
	0x34,
	0x81,
	0x80,
	0,
	1,
	0,
	7,
	0,
	0,
	0,
	0,
	/* question: 10.1.0.10.in-addr.arpa AMTRELAY IN */
	2,
	'1',
	'0',
	1,
	'1',
	1,
	'0',
	2,
	'1',
	'0',
	7,
	'i',
	'n',
	'-',
	'a',
	'd',
	'd',
	'r',
	4,
	'a',
	'r',
	'p',
	'a',
	0,
	0x01,
	0x04,
	0,
	1,
	/* CNAME, TTL 60, rdata: a pointer */
	0xc0,
	0x0c,
	0,
	5,
	0,
	1,
	0,
	0,
	0,
	60,
	0,
	2,
	0xc0,
	0x0c,
	/* 20 D=0 IPv4 198.51.100.2, TTL 300 */
	0xc0,
	0x0c,
	0x01,
	0x04,
	0,
	1,
	0,
	0,
	0x01,
	0x2c,
	0,
	6,
	20,
	0x01,
	198,
	51,
	100,
	2,
	/* 10 D=1 name relay1.amt.test, TTL 0x80000001 (reads as 0) */
	0xc0,
	0x0c,
	0x01,
	0x04,
	0,
	1,
	0x80,
	0,
	0,
	1,
	0,
	19,
	10,
	0x83,
	6,
	'r',
	'e',
	'l',
	'a',
	'y',
	'1',
	3,
	'a',
	'm',
	't',
	4,
	't',
	'e',
	's',
	't',
	0,
	/* 5 D=1 IPv4 with 3 bytes: bad */
	0xc0,
	0x0c,
	0x01,
	0x04,
	0,
	1,
	0,
	0,
	0,
	60,
	0,
	5,
	5,
	0x81,
	1,
	2,
	3,
	/* 0 type 0: no relay */
	0xc0,
	0x0c,
	0x01,
	0x04,
	0,
	1,
	0,
	0,
	0,
	60,
	0,
	2,
	0,
	0x00,
	/* class CH: ignored */
	0xc0,
	0x0c,
	0x01,
	0x04,
	0,
	3,
	0,
	0,
	0,
	60,
	0,
	6,
	1,
	0x81,
	10,
	0,
	0,
	1,
	/* 30 D=1 IPv6 2001:db8::2, TTL 60 */
	0xc0,
	0x0c,
	0x01,
	0x04,
	0,
	1,
	0,
	0,
	0,
	60,
	0,
	18,
	30,
	0x82,
	0x20,
	0x01,
	0x0d,
	0xb8,
	0,
	0,
	0,
	0,
	0,
	0,
	0,
	0,
	0,
	0,
	0,
	2,
};

static void test_answer(void)
{
	struct amt_relay_record out[AMT_DNS_MAX_RELAYS];
	struct amt_dns_answer_stats st;
	size_t n;
	uint8_t b[sizeof(response)];

	/* Seven answers were declared; the CH record is the 6th, IPv6 the 7th. */
	CHECK_INT(answer_parse_copy(response, sizeof(response), out, array_size(out), &n, &st),
		  AMT_DNS_OK);
	CHECK_INT(n, 3);
	CHECK_INT(st.records, 5);
	CHECK_INT(st.bad_records, 1);
	CHECK_INT(st.no_relay, 1);
	CHECK_INT(st.other_records, 2);
	CHECK_INT(st.over_limit, 0);
	CHECK_INT(out[0].precedence, 20);
	CHECK(!out[0].discovery_optional);
	CHECK_INT(out[0].ttl, 300);
	CHECK_INT(out[1].type, AMT_RELAY_TYPE_NAME);
	CHECK(!strcmp(out[1].name, "relay1.amt.test"));
	CHECK_INT(out[1].ttl, 0);
	CHECK_INT(out[2].type, AMT_RELAY_TYPE_IPV6);
	CHECK_INT(out[2].ttl, 60);

	/* Room for two: the lowest precedences (10 and 20) are kept. */
	CHECK_INT(answer_parse_copy(response, sizeof(response), out, 2, &n, &st), AMT_DNS_OK);
	CHECK_INT(n, 2);
	CHECK_INT(st.over_limit, 1);
	CHECK(out[0].precedence + out[1].precedence == 30);

	/* Every truncation is an error, never a read past the end. */
	for (size_t l = 0; l < sizeof(response); l++)
		CHECK(answer_parse_copy(response, l, out, array_size(out), &n, &st) != AMT_DNS_OK);

	/* A query (QR clear), and NXDOMAIN. */
	memcpy(b, response, sizeof(b));
	b[2] &= 0x7f;
	CHECK_INT(answer_parse_copy(b, sizeof(b), out, array_size(out), &n, &st),
		  AMT_DNS_BAD_HEADER);
	memcpy(b, response, sizeof(b));
	b[3] |= 3;
	CHECK_INT(answer_parse_copy(b, sizeof(b), out, array_size(out), &n, &st),
		  AMT_DNS_BAD_HEADER);
	CHECK_INT(n, 0);

	/* An owner name with an extended label type. */
	memcpy(b, response, sizeof(b));
	b[40] = 0x40;
	CHECK_INT(answer_parse_copy(b, sizeof(b), out, array_size(out), &n, &st), AMT_DNS_BAD_NAME);

	/* More answers declared than present. */
	memcpy(b, response, sizeof(b));
	b[7] = 8;
	CHECK_INT(answer_parse_copy(b, sizeof(b), out, array_size(out), &n, &st), AMT_DNS_TRUNCATED);
}

static uint32_t seq_rnd(void *arg)
{
	uint32_t *s = arg;

	*s = *s * 1103515245 + 12345;
	return *s >> 8;
}

static void test_order(void)
{
	struct amt_relay_record r[8];
	static const uint8_t prec[8] = { 30, 10, 20, 10, 255, 0, 10, 20 };
	unsigned int first_seen[8] = {};
	uint32_t seed = 7;

	for (unsigned int round = 0; round < 400; round++) {
		memset(r, 0, sizeof(r));
		for (size_t i = 0; i < 8; i++) {
			r[i].precedence = prec[i];
			r[i].type = AMT_RELAY_TYPE_IPV4;
			r[i].addr.family = AF_INET;
			r[i].addr.ip.v4.s_addr = htonl(i);
		}
		amt_relay_records_order(r, 8, seq_rnd, &seed);
		for (size_t i = 1; i < 8; i++)
			CHECK(r[i - 1].precedence <= r[i].precedence);
		CHECK_INT(r[0].precedence, 0);
		CHECK_INT(r[7].precedence, 255);
		/* Which of the three records of precedence 10 comes first. */
		first_seen[ntohl(r[1].addr.ip.v4.s_addr)]++;
	}
	/* Equal precedence: each of the three leads sometimes. */
	CHECK(first_seen[1] > 50 && first_seen[3] > 50 && first_seen[6] > 50);
	CHECK_INT(first_seen[1] + first_seen[3] + first_seen[6], 400);

	amt_relay_records_order(r, 0, seq_rnd, &seed);
	amt_relay_records_order(r, 1, seq_rnd, &seed);
	CHECK_INT(r[0].precedence, 0);
}

static void test_same(void)
{
	struct amt_relay_record a = {}, b = {};

	CHECK_INT(amt_relay_rdata_parse(rd_name, sizeof(rd_name), &a), AMT_DNS_OK);
	b = a;
	strlcpy(b.name, "AMTRLY.Example.COM", sizeof(b.name));
	CHECK(amt_relay_record_same(&a, &b));
	b.discovery_optional = false;
	CHECK(!amt_relay_record_same(&a, &b));
	CHECK_INT(amt_relay_rdata_parse(rd_v4, sizeof(rd_v4), &b), AMT_DNS_OK);
	CHECK(!amt_relay_record_same(&a, &b));
	a = b;
	a.precedence = 99;
	CHECK(amt_relay_record_same(&a, &b));
	a.addr.ip.v4.s_addr ^= 1;
	CHECK(!amt_relay_record_same(&a, &b));
}

static void test_reverse_name(void)
{
	struct amt_ipaddr a = {};
	char buf[128];

	a.family = AF_INET;
	inet_pton(AF_INET, "10.0.1.10", &a.ip.v4);
	CHECK_INT(amt_dns_reverse_name(&a, buf, sizeof(buf)), 22);
	CHECK(!strcmp(buf, "10.1.0.10.in-addr.arpa"));
	CHECK_INT(amt_dns_reverse_name(&a, buf, 22), -1);

	a.family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8::567:89ab", &a.ip.v6);
	CHECK_INT(amt_dns_reverse_name(&a, buf, sizeof(buf)), 72);
	CHECK(!strcmp(buf,
		      "b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa"));
	CHECK_INT(amt_dns_reverse_name(&a, buf, 72), -1);

	a.family = AF_UNSPEC;
	CHECK_INT(amt_dns_reverse_name(&a, buf, sizeof(buf)), -1);
}

/* Random bytes: parsing never fails without a reason, never overreads. */
static void test_pseudo_random(void)
{
	struct amt_relay_record out[4], rec;
	struct amt_dns_answer_stats st;
	uint8_t buf[120];
	uint32_t seed = 99;
	unsigned int bad = 0, ok = 0;
	size_t n;

	for (unsigned int iter = 0; iter < 100000; iter++) {
		size_t len = iter % sizeof(buf);
		enum amt_dns_error e1, e2;

		for (size_t i = 0; i < len; i++)
			buf[i] = seq_rnd(&seed);
		if (len > 12) {
			buf[2] |= 0x80;
			buf[3] &= 0xf0;
			buf[4] = 0;
			buf[5] = iter & 1;
			buf[6] = 0;
		}
		e1 = amt_relay_rdata_parse(buf, len, &rec);
		e2 = answer_parse_copy(buf, len, out, array_size(out), &n, &st);
		if (e1 >= AMT_DNS_ERROR_MAX || e2 >= AMT_DNS_ERROR_MAX || n > array_size(out))
			bad++;
		if (e1 == AMT_DNS_OK && rec.type == AMT_RELAY_TYPE_NAME &&
		    strlen(rec.name) >= sizeof(rec.name))
			bad++;
		ok += e1 == AMT_DNS_OK;
	}
	CHECK_INT(bad, 0);
	CHECK(ok > 0);
}

int main(void)
{
	test_rdata_types();
	test_rdata_rejections();
	test_rdata_roundtrip();
	test_answer();
	test_order();
	test_same();
	test_reverse_name();
	test_pseudo_random();
	return amt_test_summary("test_amt_dns_record");
}
