// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Writes a pcap file of AMT messages of every type, over IPv4 and IPv6,
 * with IGMPv2/v3 and MLDv1/v2 queries and reports inside, all encoded by
 * amtd's protocol core; and, beside it, the field values Wireshark must
 * find in them.  tshark_check.py compares the two.
 *
 * The expected values are written from the inputs given to the encoders
 * and from the RFCs (the floating-point codes are worked out by hand in
 * the comments), never read back from the encoded bytes.
 *
 * Usage: amt_pcap_gen OUT.pcap OUT.expected
 */
#include <zebra.h>

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "amtd/amt_igmp.h"
#include "amtd/amt_packet.h"

#define GEN_GW_PORT 49152

static FILE *pcap_out;
static FILE *exp_out;
static unsigned int frame_no;
/* IPv4 headers and UDP headers inside the next frame's AMT message. */
static unsigned int inner_ip4;
static unsigned int inner_udp;

/* Outer endpoints: gateway and relay, per family. */
static const char *const gw4 = "192.0.2.10";
static const char *const relay4 = "198.51.100.1";
static const char *const gw6 = "2001:db8::10";
static const char *const relay6 = "2001:db8:1::1";

static const uint8_t mac1[6] = { 0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6 };

static void die(const char *what)
{
	fprintf(stderr, "amt_pcap_gen: %s\n", what);
	exit(1);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

/* One expected field of the current frame; occurrences comma-separated. */
static void expect(const char *field, const char *fmt, ...)
{
	va_list ap;

	fprintf(exp_out, "%u\t%s\t", frame_no, field);
	va_start(ap, fmt);
	vfprintf(exp_out, fmt, ap);
	va_end(ap);
	fputc('\n', exp_out);
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		sum += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

static void pcap_header(void)
{
	uint32_t h32[] = { 0xa1b2c3d4, 0, 0, 65535, 1 };
	uint16_t ver[2] = { 2, 4 };

	/* magic, version 2.4, thiszone, sigfigs, snaplen, LINKTYPE_ETHERNET */
	fwrite(&h32[0], 4, 1, pcap_out);
	fwrite(ver, 2, 2, pcap_out);
	fwrite(&h32[1], 4, 4, pcap_out);
}

static void pcap_record(const uint8_t *frame, size_t len)
{
	uint32_t rec[4] = { 1700000000 + frame_no, 0, len, len };

	fwrite(rec, 4, 4, pcap_out);
	fwrite(frame, 1, len, pcap_out);
}

/*
 * Wrap an AMT message in Ethernet / IP / UDP and write it as frame
 * frame_no.  to_relay: gateway -> relay (destination port 2268).
 */
static void emit(int family, bool to_relay, const uint8_t *amt, size_t len)
{
	static uint8_t frame[70000];
	const char *src = to_relay ? (family == AF_INET ? gw4 : gw6)
				   : (family == AF_INET ? relay4 : relay6);
	const char *dst = to_relay ? (family == AF_INET ? relay4 : relay6)
				   : (family == AF_INET ? gw4 : gw6);
	uint8_t *ip = frame + 14, *udp;
	size_t alen = family == AF_INET ? 4 : 16;
	size_t iphl = family == AF_INET ? 20 : 40;
	size_t ulen = 8 + len;
	uint32_t sum;

	memset(frame, 0, 14 + iphl + 8);
	memcpy(frame, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
	put16(frame + 12, family == AF_INET ? 0x0800 : 0x86dd);
	if (family == AF_INET) {
		ip[0] = 0x45;
		put16(ip + 2, iphl + ulen);
		put16(ip + 6, 0x4000);
		ip[8] = 64;
		ip[9] = 17;
		inet_pton(AF_INET, src, ip + 12);
		inet_pton(AF_INET, dst, ip + 16);
		put16(ip + 10, csum_fold(csum_add(0, ip, iphl)));
	} else {
		ip[0] = 0x60;
		put16(ip + 4, ulen);
		ip[6] = 17;
		ip[7] = 64;
		inet_pton(AF_INET6, src, ip + 8);
		inet_pton(AF_INET6, dst, ip + 24);
	}
	udp = ip + iphl;
	put16(udp, to_relay ? GEN_GW_PORT : AMT_UDP_PORT);
	put16(udp + 2, to_relay ? AMT_UDP_PORT : GEN_GW_PORT);
	put16(udp + 4, ulen);
	memcpy(udp + 8, amt, len);
	/* UDP checksum over the pseudo-header (RFC 768, RFC 8200 8.1). */
	sum = csum_add(0, ip + (family == AF_INET ? 12 : 8), 2 * alen);
	sum += 17 + ulen;
	sum = csum_fold(csum_add(sum, udp, ulen));
	put16(udp + 6, sum ? sum : 0xffff);

	pcap_record(frame, 14 + iphl + ulen);
	expect("amt.version", "0");
	/* Every IP and UDP checksum, outer and inner, is good. */
	expect("udp.checksum.status", "1%s", inner_udp ? ",1" : "");
	if (family == AF_INET || inner_ip4)
		expect("ip.checksum.status", "%s%s", family == AF_INET ? "1" : "",
		       inner_ip4 ? (family == AF_INET ? ",1" : "1") : "");
	inner_ip4 = 0;
	inner_udp = 0;
	frame_no++;
}

/* Family of an IP packet, from its version nibble. */
static int family_of(const uint8_t *pkt)
{
	return (pkt[0] >> 4) == 4 ? AF_INET : AF_INET6;
}

static void ipaddr(struct amt_ipaddr *a, int family, const char *s)
{
	memset(a, 0, sizeof(*a));
	a->family = family;
	if (inet_pton(family, s, &a->ip) != 1)
		die("bad address");
}

static void ip_set(union amt_ip *a, int family, const char *s)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(family, s, a) != 1)
		die("bad address");
}

static void gen_discovery(int family)
{
	uint8_t buf[64];
	ssize_t n = amt_encode_discovery(buf, sizeof(buf), 0x1a2b3c4d);

	if (n < 0)
		die("discovery");
	expect("amt.type", "1");
	expect("amt.discovery_nonce", "0x1a2b3c4d");
	emit(family, true, buf, n);
}

static void gen_advertisement(int family)
{
	const char *relay = family == AF_INET ? relay4 : relay6;
	struct amt_ipaddr a;
	uint8_t buf[64];
	ssize_t n;

	ipaddr(&a, family, relay);
	n = amt_encode_advertisement(buf, sizeof(buf), 0x1a2b3c4d, &a);
	if (n < 0)
		die("advertisement");
	expect("amt.type", "2");
	expect("amt.discovery_nonce", "0x1a2b3c4d");
	expect(family == AF_INET ? "amt.relay_address.ipv4" : "amt.relay_address.ipv6", "%s", relay);
	emit(family, false, buf, n);
}

static void gen_request(int family, bool p)
{
	uint8_t buf[64];
	ssize_t n = amt_encode_request(buf, sizeof(buf), 0x5eed0001 + p, p, AMT_FLAGS_RFC);

	if (n < 0)
		die("request");
	expect("amt.type", "3");
	expect("amt.request_nonce", "0x%08x", 0x5eed0001 + p);
	expect("amt.request.p", "%d", p);
	emit(family, true, buf, n);
}

/* A Membership Query carrying the given query packet. */
static void gen_query(int family, bool l, bool g, const uint8_t *q, size_t qlen)
{
	const char *gw = family == AF_INET ? gw4 : gw6;
	struct amt_ipaddr a;
	uint8_t buf[512];
	ssize_t n;

	ipaddr(&a, family, gw);
	n = amt_encode_query(buf, sizeof(buf), mac1, 0x0badcafe, l, q, qlen, g ? &a : NULL,
			     GEN_GW_PORT, AMT_FLAGS_RFC);
	if (n < 0)
		die("query");
	expect("amt.type", "4");
	expect("amt.response_mac", "0xa1b2c3d4e5f6");
	expect("amt.request_nonce", "0x0badcafe");
	expect("amt.membership_query.l", "%d", l);
	expect("amt.membership_query.g", "%d", g);
	inner_ip4 = family_of(q) == AF_INET;
	if (g) {
		expect("amt.gateway.port_number", "%d", GEN_GW_PORT);
		/* IPv4 as an IPv4-compatible IPv6 address. */
		expect("amt.gateway.ip_address", "%s%s", family == AF_INET ? "::" : "", gw);
	}
	emit(family, false, buf, n);
}

static void gen_queries(void)
{
	struct amt_query_params p;
	uint8_t q[512], srcs[32];
	ssize_t n;

	/* IGMPv3 General Query inside, IPv4 outer, no flags. */
	memset(&p, 0, sizeof(p));
	p.family = AF_INET;
	p.version = 3;
	ip_set(&p.src, AF_INET, relay4);
	p.max_resp_ms = 10000;
	p.qrv = 2;
	p.qqi = 125;
	n = amt_query_build(q, sizeof(q), &p);
	if (n < 0)
		die("igmpv3 query");
	expect("ip.src", "%s,%s", relay4, relay4);
	expect("ip.dst", "%s,224.0.0.1", gw4);
	expect("ip.ttl", "64,1");
	expect("ip.opt.ra", "0");
	expect("igmp.type", "0x11");
	expect("igmp.version", "3");
	expect("igmp.max_resp", "100");
	expect("igmp.qrv", "2");
	expect("igmp.qqic", "125");
	expect("igmp.s", "0");
	expect("igmp.num_src", "0");
	expect("igmp.maddr", "0.0.0.0");
	expect("igmp.checksum.status", "1");
	gen_query(AF_INET, false, false, q, n);

	/*
	 * L and G set, IPv4 outer; Max Resp 25 s = 250 tenths:
	 * 250 >> 3 = 31 = 0x10 | 15, exp 0 -> code 0x8f, which Wireshark
	 * shows decoded (248 tenths) with its exponent and mantissa;
	 * QQI 300 s: 300 >> 4 = 18 = 0x10 | 2, exp 1 -> QQIC 0x92 (raw).
	 */
	p.max_resp_ms = 25000;
	p.qqi = 300;
	p.qrv = 7;
	p.s_flag = true;
	n = amt_query_build(q, sizeof(q), &p);
	if (n < 0)
		die("igmpv3 query");
	expect("igmp.max_resp", "248");
	expect("igmp.max_resp.exp", "0");
	expect("igmp.max_resp.mant", "%u", 0xf);
	expect("igmp.qqic", "%u", 0x92);
	expect("igmp.qrv", "7");
	expect("igmp.s", "1");
	expect("igmp.checksum.status", "1");
	gen_query(AF_INET, true, true, q, n);

	/* IGMPv2 General Query inside. */
	p.version = 2;
	p.max_resp_ms = 10000;
	n = amt_query_build(q, sizeof(q), &p);
	if (n < 0)
		die("igmpv2 query");
	expect("igmp.type", "0x11");
	expect("igmp.version", "2");
	expect("igmp.max_resp", "100");
	expect("igmp.maddr", "0.0.0.0");
	expect("igmp.checksum.status", "1");
	gen_query(AF_INET, false, true, q, n);

	/* IGMPv3 group-and-source-specific query (not a General Query). */
	p.version = 3;
	p.s_flag = false;
	p.qrv = 2;
	p.qqi = 125;
	ip_set(&p.group, AF_INET, "232.1.1.1");
	inet_pton(AF_INET, "10.0.0.1", srcs);
	inet_pton(AF_INET, "10.0.0.2", srcs + 4);
	p.sources = srcs;
	p.num_sources = 2;
	n = amt_query_build(q, sizeof(q), &p);
	if (n < 0)
		die("igmpv3 gss query");
	expect("ip.dst", "%s,232.1.1.1", gw4);
	expect("igmp.maddr", "232.1.1.1");
	expect("igmp.num_src", "2");
	expect("igmp.saddr", "10.0.0.1,10.0.0.2");
	expect("igmp.checksum.status", "1");
	gen_query(AF_INET, false, false, q, n);

	/* MLDv2 General Query inside, IPv6 outer, G set. */
	memset(&p, 0, sizeof(p));
	p.family = AF_INET6;
	p.version = 2;
	ip_set(&p.src, AF_INET6, "fe80::1");
	p.max_resp_ms = 10000;
	p.qrv = 2;
	p.qqi = 125;
	n = amt_query_build(q, sizeof(q), &p);
	if (n < 0)
		die("mldv2 query");
	expect("ipv6.src", "%s,fe80::1", relay6);
	expect("ipv6.dst", "%s,ff02::1", gw6);
	expect("ipv6.hlim", "64,1");
	expect("ipv6.opt.router_alert", "0");
	expect("icmpv6.type", "130");
	expect("icmpv6.mld.maximum_response_code", "10000");
	expect("icmpv6.mld.flag.qrv", "2");
	expect("icmpv6.mld.flag.s", "0");
	expect("icmpv6.mld.qqi", "125");
	expect("icmpv6.mld.nb_sources", "0");
	expect("icmpv6.mld.multicast_address", "::");
	expect("icmpv6.checksum.status", "1");
	gen_query(AF_INET6, false, true, q, n);

	/*
	 * MLDv2 query for ff3e::1234 and one source, L set; Maximum
	 * Response 40 s: 40000 >> 3 = 5000 = 0x1000 | 904, exp 0 ->
	 * code 0x8000 | 904 = 0x8388, which Wireshark shows decoded:
	 * (0x1000 | 904) << 3 = 40000 ms.
	 */
	ip_set(&p.group, AF_INET6, "ff3e::1234");
	inet_pton(AF_INET6, "2001:db8::7", srcs);
	p.sources = srcs;
	p.num_sources = 1;
	p.max_resp_ms = 40000;
	p.s_flag = true;
	n = amt_query_build(q, sizeof(q), &p);
	if (n < 0)
		die("mldv2 gss query");
	expect("ipv6.dst", "%s,ff3e::1234", gw6);
	expect("icmpv6.mld.maximum_response_code", "40000");
	expect("icmpv6.mld.flag.s", "1");
	expect("icmpv6.mld.multicast_address", "ff3e::1234");
	expect("icmpv6.mld.nb_sources", "1");
	expect("icmpv6.mld.source_address", "2001:db8::7");
	expect("icmpv6.checksum.status", "1");
	gen_query(AF_INET6, true, false, q, n);

	/* MLDv1 General Query inside, IPv4 outer (P chose MLD). */
	memset(&p.group, 0, sizeof(p.group));
	p.version = 1;
	p.num_sources = 0;
	p.max_resp_ms = 10000;
	n = amt_query_build(q, sizeof(q), &p);
	if (n < 0)
		die("mldv1 query");
	expect("icmpv6.type", "130");
	expect("icmpv6.mld.maximum_response_delay", "10000");
	expect("icmpv6.mld.multicast_address", "::");
	expect("icmpv6.checksum.status", "1");
	gen_query(AF_INET, false, true, q, n);
}

static void gen_update(int family, const uint8_t *r, size_t rlen)
{
	uint8_t buf[1024];
	ssize_t n = amt_encode_update(buf, sizeof(buf), mac1, 0x0badcafe, r, rlen);

	if (n < 0)
		die("update");
	expect("amt.type", "5");
	expect("amt.response_mac", "0xa1b2c3d4e5f6");
	expect("amt.request_nonce", "0x0badcafe");
	inner_ip4 = family_of(r) == AF_INET;
	emit(family, true, buf, n);
}

static void gen_updates(void)
{
	struct amt_group_record recs[3];
	union amt_ip src, group;
	uint8_t r[1024], s4[12], s6[48];
	ssize_t n;

	/* IGMPv3 report, three records, IPv4 outer. */
	memset(recs, 0, sizeof(recs));
	ip_set(&src, AF_INET, "192.168.1.20");
	inet_pton(AF_INET, "10.0.0.1", s4);
	inet_pton(AF_INET, "10.0.0.2", s4 + 4);
	inet_pton(AF_INET, "10.0.0.3", s4 + 8);
	recs[0].family = recs[1].family = recs[2].family = AF_INET;
	recs[0].type = AMT_REC_MODE_IS_INCLUDE;
	ip_set(&recs[0].group, AF_INET, "232.1.1.1");
	recs[0].num_sources = 2;
	recs[0].sources = s4;
	recs[1].type = AMT_REC_CHANGE_TO_EXCLUDE;
	ip_set(&recs[1].group, AF_INET, "239.1.2.3");
	recs[2].type = AMT_REC_BLOCK_OLD_SOURCES;
	ip_set(&recs[2].group, AF_INET, "232.2.2.2");
	recs[2].num_sources = 1;
	recs[2].sources = s4 + 8;
	n = amt_report_build(r, sizeof(r), AF_INET, &src, recs, 3);
	if (n < 0)
		die("igmpv3 report");
	expect("ip.src", "%s,192.168.1.20", gw4);
	expect("ip.dst", "%s,224.0.0.22", relay4);
	expect("ip.ttl", "64,1");
	expect("ip.opt.ra", "0");
	expect("igmp.type", "0x22");
	expect("igmp.version", "3");
	expect("igmp.num_grp_recs", "3");
	expect("igmp.record_type", "1,4,6");
	expect("igmp.maddr", "232.1.1.1,239.1.2.3,232.2.2.2");
	expect("igmp.num_src", "2,0,1");
	expect("igmp.saddr", "10.0.0.1,10.0.0.2,10.0.0.3");
	expect("igmp.checksum.status", "1");
	gen_update(AF_INET, r, n);

	/* MLDv2 report, two records, IPv6 outer. */
	memset(recs, 0, sizeof(recs));
	ip_set(&src, AF_INET6, "fe80::2");
	inet_pton(AF_INET6, "2001:db8::7", s6);
	inet_pton(AF_INET6, "2001:db8::8", s6 + 16);
	recs[0].family = recs[1].family = AF_INET6;
	recs[0].type = AMT_REC_ALLOW_NEW_SOURCES;
	ip_set(&recs[0].group, AF_INET6, "ff3e::1234");
	recs[0].num_sources = 2;
	recs[0].sources = s6;
	recs[1].type = AMT_REC_CHANGE_TO_INCLUDE;
	ip_set(&recs[1].group, AF_INET6, "ff05::9");
	n = amt_report_build(r, sizeof(r), AF_INET6, &src, recs, 2);
	if (n < 0)
		die("mldv2 report");
	expect("ipv6.src", "%s,fe80::2", gw6);
	expect("ipv6.dst", "%s,ff02::16", relay6);
	expect("ipv6.hlim", "64,1");
	expect("ipv6.opt.router_alert", "0");
	expect("icmpv6.type", "143");
	expect("icmpv6.mldr.nb_mcast_records", "2");
	expect("icmpv6.mldr.mar.record_type", "5,3");
	expect("icmpv6.mldr.mar.multicast_address", "ff3e::1234,ff05::9");
	expect("icmpv6.mldr.mar.nb_sources", "2,0");
	expect("icmpv6.mldr.mar.source_address", "2001:db8::7,2001:db8::8");
	expect("icmpv6.checksum.status", "1");
	gen_update(AF_INET6, r, n);

	/* MLDv2 report over an IPv4 outer (P=1 tunnel over IPv4). */
	n = amt_report_build(r, sizeof(r), AF_INET6, &src, recs, 1);
	if (n < 0)
		die("mldv2 report");
	expect("icmpv6.type", "143");
	expect("icmpv6.mldr.nb_mcast_records", "1");
	expect("icmpv6.mldr.mar.multicast_address", "ff3e::1234");
	expect("icmpv6.checksum.status", "1");
	gen_update(AF_INET, r, n);

	/* IGMPv2 report and leave; MLDv1 report and done. */
	ip_set(&src, AF_INET, "192.168.1.20");
	ip_set(&group, AF_INET, "239.1.1.1");
	for (int leave = 0; leave < 2; leave++) {
		n = amt_report_build_legacy(r, sizeof(r), AF_INET, &src, &group, leave);
		if (n < 0)
			die("igmpv2 report");
		expect("ip.dst", "%s,%s", relay4, leave ? "224.0.0.2" : "239.1.1.1");
		expect("ip.opt.ra", "0");
		expect("igmp.type", leave ? "0x17" : "0x16");
		expect("igmp.version", "2");
		expect("igmp.maddr", "239.1.1.1");
		expect("igmp.checksum.status", "1");
		gen_update(AF_INET, r, n);
	}
	ip_set(&src, AF_INET6, "fe80::2");
	ip_set(&group, AF_INET6, "ff3e::1234");
	for (int leave = 0; leave < 2; leave++) {
		n = amt_report_build_legacy(r, sizeof(r), AF_INET6, &src, &group, leave);
		if (n < 0)
			die("mldv1 report");
		expect("ipv6.dst", "%s,%s", relay6, leave ? "ff02::2" : "ff3e::1234");
		expect("ipv6.opt.router_alert", "0");
		expect("icmpv6.type", leave ? "132" : "131");
		expect("icmpv6.mld.multicast_address", "ff3e::1234");
		expect("icmpv6.checksum.status", "1");
		gen_update(AF_INET6, r, n);
	}
}

/* Multicast Data: a UDP datagram from 10.0.0.1 / 2001:db8::7, port 41000. */
static void gen_data(int family, int inner_family)
{
	uint8_t buf[256], *d = buf + AMT_DATA_HDR_LEN, *udp;
	size_t hl = inner_family == AF_INET ? 20 : 40, dlen = hl + 8 + 4;
	uint32_t sum;

	memset(buf, 0, sizeof(buf));
	if (inner_family == AF_INET) {
		d[0] = 0x45;
		put16(d + 2, dlen);
		d[8] = 16;
		d[9] = 17;
		inet_pton(AF_INET, "10.0.0.1", d + 12);
		inet_pton(AF_INET, "232.1.1.1", d + 16);
		put16(d + 10, csum_fold(csum_add(0, d, 20)));
		sum = csum_add(0, d + 12, 8);
	} else {
		d[0] = 0x60;
		put16(d + 4, 12);
		d[6] = 17;
		d[7] = 16;
		inet_pton(AF_INET6, "2001:db8::7", d + 8);
		inet_pton(AF_INET6, "ff3e::1234", d + 24);
		sum = csum_add(0, d + 8, 32);
	}
	udp = d + hl;
	put16(udp, 41000);
	put16(udp + 2, 41001);
	put16(udp + 4, 12);
	put32(udp + 8, 0xdeadbeef);
	sum = csum_fold(csum_add(sum + 17 + 12, udp, 12));
	put16(udp + 6, sum);

	inner_ip4 = inner_family == AF_INET;
	inner_udp = 1;
	/* The payload is in place: only the 2-byte header is written. */
	if (amt_encode_data(buf, sizeof(buf), d, dlen) < 0)
		die("data");
	expect("amt.type", "6");
	expect("udp.srcport", "%d,41000", AMT_UDP_PORT);
	expect("udp.dstport", "%d,41001", GEN_GW_PORT);
	if (inner_family == AF_INET) {
		expect("ip.dst", "%s232.1.1.1", family == AF_INET ? "192.0.2.10," : "");
		expect("ip.ttl", "%s16", family == AF_INET ? "64," : "");
	} else {
		expect("ipv6.dst", "%sff3e::1234", family == AF_INET6 ? "2001:db8::10," : "");
	}
	emit(family, false, buf, AMT_DATA_HDR_LEN + dlen);
}

static void gen_teardown(int family)
{
	const char *gw = family == AF_INET ? gw4 : gw6;
	struct amt_ipaddr a;
	uint8_t buf[64];
	ssize_t n;

	ipaddr(&a, family, gw);
	n = amt_encode_teardown(buf, sizeof(buf), mac1, 0x0badcafe, &a, GEN_GW_PORT);
	if (n < 0)
		die("teardown");
	expect("amt.type", "7");
	expect("amt.response_mac", "0xa1b2c3d4e5f6");
	expect("amt.request_nonce", "0x0badcafe");
	expect("amt.gateway.port_number", "%d", GEN_GW_PORT);
	expect("amt.gateway.ip_address", "%s%s", family == AF_INET ? "::" : "", gw);
	emit(family, true, buf, n);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s OUT.pcap OUT.expected\n", argv[0]);
		return 2;
	}
	pcap_out = fopen(argv[1], "wb");
	exp_out = fopen(argv[2], "w");
	if (!pcap_out || !exp_out)
		die("cannot open output");
	frame_no = 1;
	pcap_header();

	gen_discovery(AF_INET);
	gen_discovery(AF_INET6);
	gen_advertisement(AF_INET);
	gen_advertisement(AF_INET6);
	gen_request(AF_INET, false);
	gen_request(AF_INET6, true);
	gen_queries();
	gen_updates();
	gen_data(AF_INET, AF_INET);
	gen_data(AF_INET6, AF_INET6);
	gen_data(AF_INET6, AF_INET);
	gen_teardown(AF_INET);
	gen_teardown(AF_INET6);

	if (fclose(pcap_out) || fclose(exp_out))
		die("write error");
	printf("amt_pcap_gen: %u frames\n", frame_no - 1);
	return 0;
}
