// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IGMP and MLD codec for AMT: full IP packets carrying group membership
 * reports and queries (RFC 2236, RFC 3376, RFC 2710, RFC 3810).
 */
#include <zebra.h>

#include <string.h>

#include "amt_checksum.h"
#include "amt_igmp.h"

#define AMT_IPPROTO_IGMP     2
#define AMT_IPPROTO_HOPOPTS  0
#define AMT_IPPROTO_FRAGMENT 44
#define AMT_IPPROTO_ICMPV6   58
#define AMT_IPPROTO_DSTOPTS  60

#define AMT_IP4_HDR_MIN 20
#define AMT_IP6_HDR_LEN 40
/* IPv4 Router Alert (RFC 2113): copied, option 20, length 4. */
#define AMT_IP4_OPT_RA	   0x94
#define AMT_IP4_OPT_RA_LEN 4
#define AMT_IP4_OPT_EOL	   0
#define AMT_IP4_OPT_NOP	   1
/* IPv6 Router Alert (RFC 2711) in a Hop-by-Hop header; value 0 = MLD. */
#define AMT_IP6_OPT_PAD1   0
#define AMT_IP6_OPT_PADN   1
#define AMT_IP6_OPT_RA	   5
#define AMT_IP6_OPT_RA_LEN 2
#define AMT_IP6_HBH_LEN	   8
/* Internet control precedence, as hosts send IGMP. */
#define AMT_IP4_TOS_CONTROL 0xc0

#define AMT_IGMP_QUERY	   0x11
#define AMT_IGMP_V1_REPORT 0x12
#define AMT_IGMP_V2_REPORT 0x16
#define AMT_IGMP_V2_LEAVE  0x17
#define AMT_IGMP_V3_REPORT 0x22
#define AMT_MLD_QUERY	   130
#define AMT_MLD_V1_REPORT  131
#define AMT_MLD_V1_DONE	   132
#define AMT_MLD_V2_REPORT  143

/* IGMPv1 queries carry no Max Resp Time: hosts use 10 s (RFC 2236 4). */
#define AMT_IGMP_V1_MAX_RESP_MS 10000

static const char *const amt_igmp_error_names[AMT_IGMP_ERR_MAX] = {
	[AMT_IGMP_OK] = "ok",
	[AMT_IGMP_ERR_TOO_SHORT] = "too short",
	[AMT_IGMP_ERR_BAD_IP_HEADER] = "bad IP header",
	[AMT_IGMP_ERR_BAD_LENGTH] = "bad length",
	[AMT_IGMP_ERR_IP_CHECKSUM] = "bad IP header checksum",
	[AMT_IGMP_ERR_CHECKSUM] = "bad checksum",
	[AMT_IGMP_ERR_FAMILY] = "address family mismatch",
	[AMT_IGMP_ERR_FRAGMENT] = "fragmented",
	[AMT_IGMP_ERR_NOT_IGMP] = "not IGMP/MLD",
	[AMT_IGMP_ERR_NOT_REPORT] = "not a report",
	[AMT_IGMP_ERR_NOT_QUERY] = "not a query",
	[AMT_IGMP_ERR_SOURCES] = "source count overflows the packet",
};

const char *amt_igmp_error_str(enum amt_igmp_error err)
{
	if ((unsigned int)err >= AMT_IGMP_ERR_MAX)
		return "unknown error";
	return amt_igmp_error_names[err];
}

static inline size_t amt_addr_len(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

static bool amt_is_multicast(int family, const union amt_ip *a)
{
	if (family == AF_INET)
		return (a->bytes[0] & 0xf0) == 0xe0;
	return a->bytes[0] == 0xff;
}

/* Floating-point codes (RFC 3376 4.1.1 and 4.1.7, RFC 3810 5.1.3). */

uint8_t amt_igmp_code_encode(uint32_t value)
{
	uint32_t exp;

	if (value < 128)
		return value;
	if (value >= AMT_IGMP_CODE_MAX)
		return 0xff;
	/* value = (0x10 | mant) << (exp + 3), mantissa rounded down. */
	for (exp = 0; (value >> (exp + 3)) > 0x1f; exp++)
		;
	return 0x80 | (exp << 4) | ((value >> (exp + 3)) & 0x0f);
}

uint32_t amt_igmp_code_decode(uint8_t code)
{
	if (code < 128)
		return code;
	return (uint32_t)(0x10 | (code & 0x0f)) << (((code >> 4) & 0x07) + 3);
}

uint16_t amt_mld_code_encode(uint32_t value)
{
	uint32_t exp;

	if (value < 32768)
		return value;
	if (value >= AMT_MLD_CODE_MAX)
		return 0xffff;
	for (exp = 0; (value >> (exp + 3)) > 0x1fff; exp++)
		;
	return 0x8000 | (exp << 12) | ((value >> (exp + 3)) & 0x0fff);
}

uint32_t amt_mld_code_decode(uint16_t code)
{
	if (code < 32768)
		return code;
	return (uint32_t)(0x1000 | (code & 0x0fff)) << (((code >> 12) & 0x07) + 3);
}

/*
 * The IP layer of an IGMP/MLD packet: validated, and reduced to its
 * addresses and the upper-layer message (checksum verified).
 */
struct amt_ip_view {
	uint8_t family;
	uint16_t flags;
	union amt_ip src;
	union amt_ip dst;
	const uint8_t *msg;
	size_t msg_len;
};

/* Walk IPv4 options looking for Router Alert; malformed options reject. */
static enum amt_igmp_error amt_ip4_options(const uint8_t *p, size_t len, bool *ra)
{
	size_t i = 0;

	while (i < len) {
		uint8_t type = p[i];
		uint8_t olen;

		if (type == AMT_IP4_OPT_EOL)
			break;
		if (type == AMT_IP4_OPT_NOP) {
			i++;
			continue;
		}
		if (len - i < 2)
			return AMT_IGMP_ERR_BAD_IP_HEADER;
		olen = p[i + 1];
		if (olen < 2 || olen > len - i)
			return AMT_IGMP_ERR_BAD_IP_HEADER;
		if (type == AMT_IP4_OPT_RA && olen == AMT_IP4_OPT_RA_LEN)
			*ra = true;
		i += olen;
	}
	return AMT_IGMP_OK;
}

static enum amt_igmp_error amt_ip4_parse(const uint8_t *pkt, size_t len, struct amt_ip_view *v)
{
	size_t hlen, tot;
	bool ra = false;
	enum amt_igmp_error err;

	if (len < AMT_IP4_HDR_MIN)
		return AMT_IGMP_ERR_TOO_SHORT;
	hlen = (pkt[0] & 0x0f) * 4;
	if (hlen < AMT_IP4_HDR_MIN)
		return AMT_IGMP_ERR_BAD_IP_HEADER;
	if (hlen > len)
		return AMT_IGMP_ERR_TOO_SHORT;
	tot = amt_get16(pkt + 2);
	if (tot < hlen || tot > len)
		return AMT_IGMP_ERR_BAD_LENGTH;
	if (amt_csum_fold(amt_csum_add(0, pkt, hlen)) != 0)
		return AMT_IGMP_ERR_IP_CHECKSUM;
	/* MF set or a fragment offset. */
	if (amt_get16(pkt + 6) & 0x3fff)
		return AMT_IGMP_ERR_FRAGMENT;
	if (pkt[9] != AMT_IPPROTO_IGMP)
		return AMT_IGMP_ERR_NOT_IGMP;
	err = amt_ip4_options(pkt + AMT_IP4_HDR_MIN, hlen - AMT_IP4_HDR_MIN, &ra);
	if (err != AMT_IGMP_OK)
		return err;

	v->family = AF_INET;
	if (tot < len)
		v->flags |= AMT_IGMPF_TRAILING;
	if (pkt[8] != 1)
		v->flags |= AMT_IGMPF_TTL;
	if (!ra)
		v->flags |= AMT_IGMPF_NO_ROUTER_ALERT;
	memcpy(&v->src.v4, pkt + 12, 4);
	memcpy(&v->dst.v4, pkt + 16, 4);
	if (v->src.v4.s_addr == INADDR_ANY)
		v->flags |= AMT_IGMPF_ZERO_SOURCE;
	v->msg = pkt + hlen;
	v->msg_len = tot - hlen;
	if (v->msg_len < AMT_IGMP_V2_LEN)
		return AMT_IGMP_ERR_TOO_SHORT;
	if (amt_csum_fold(amt_csum_add(0, v->msg, v->msg_len)) != 0)
		return AMT_IGMP_ERR_CHECKSUM;
	return AMT_IGMP_OK;
}

/* Look for Router Alert among the options of a Hop-by-Hop header. */
static enum amt_igmp_error amt_ip6_hbh_options(const uint8_t *p, size_t len, bool *ra)
{
	size_t i = 0;

	while (i < len) {
		uint8_t olen;

		if (p[i] == AMT_IP6_OPT_PAD1) {
			i++;
			continue;
		}
		if (len - i < 2)
			return AMT_IGMP_ERR_BAD_IP_HEADER;
		olen = p[i + 1];
		if (olen > len - i - 2)
			return AMT_IGMP_ERR_BAD_IP_HEADER;
		if (p[i] == AMT_IP6_OPT_RA && olen == AMT_IP6_OPT_RA_LEN)
			*ra = true;
		i += 2 + olen;
	}
	return AMT_IGMP_OK;
}

static bool amt_ip6_src_scope_ok(const union amt_ip *src)
{
	static const uint8_t zero[16];

	/* fe80::/10 or :: (a host without an address yet, RFC 3810 5.2.13). */
	if (src->bytes[0] == 0xfe && (src->bytes[1] & 0xc0) == 0x80)
		return true;
	return memcmp(src->bytes, zero, 16) == 0;
}

static enum amt_igmp_error amt_ip6_parse(const uint8_t *pkt, size_t len, struct amt_ip_view *v)
{
	size_t tot, off = AMT_IP6_HDR_LEN;
	uint8_t nh;
	bool ra = false;
	enum amt_igmp_error err;

	if (len < AMT_IP6_HDR_LEN)
		return AMT_IGMP_ERR_TOO_SHORT;
	nh = pkt[6];
	tot = AMT_IP6_HDR_LEN + amt_get16(pkt + 4);
	if (tot > len)
		return AMT_IGMP_ERR_BAD_LENGTH;

	/* Extension headers that may precede MLD: Hop-by-Hop, Dst options. */
	while (nh == AMT_IPPROTO_HOPOPTS || nh == AMT_IPPROTO_DSTOPTS) {
		size_t elen;

		if (tot - off < 2)
			return AMT_IGMP_ERR_BAD_LENGTH;
		elen = (pkt[off + 1] + 1) * 8;
		if (tot - off < elen)
			return AMT_IGMP_ERR_BAD_LENGTH;
		if (nh == AMT_IPPROTO_HOPOPTS) {
			err = amt_ip6_hbh_options(pkt + off + 2, elen - 2, &ra);
			if (err != AMT_IGMP_OK)
				return err;
		}
		nh = pkt[off];
		off += elen;
	}
	if (nh == AMT_IPPROTO_FRAGMENT)
		return AMT_IGMP_ERR_FRAGMENT;
	if (nh != AMT_IPPROTO_ICMPV6)
		return AMT_IGMP_ERR_NOT_IGMP;

	v->family = AF_INET6;
	if (tot < len)
		v->flags |= AMT_IGMPF_TRAILING;
	if (pkt[7] != 1)
		v->flags |= AMT_IGMPF_TTL;
	if (!ra)
		v->flags |= AMT_IGMPF_NO_ROUTER_ALERT;
	memcpy(&v->src.v6, pkt + 8, 16);
	memcpy(&v->dst.v6, pkt + 24, 16);
	if (!amt_ip6_src_scope_ok(&v->src))
		v->flags |= AMT_IGMPF_SOURCE_SCOPE;
	v->msg = pkt + off;
	v->msg_len = tot - off;
	if (v->msg_len < AMT_MLDV2_REPORT_HDR)
		return AMT_IGMP_ERR_TOO_SHORT;
	if (amt_csum_fold(
		    amt_csum_add(amt_csum_pseudo6(&v->src, &v->dst, v->msg_len, AMT_IPPROTO_ICMPV6),
				 v->msg, v->msg_len)) != 0)
		return AMT_IGMP_ERR_CHECKSUM;
	return AMT_IGMP_OK;
}

static enum amt_igmp_error amt_ip_parse(const uint8_t *pkt, size_t len, int family,
					struct amt_ip_view *v)
{
	int got;

	memset(v, 0, sizeof(*v));
	if (len < 1)
		return AMT_IGMP_ERR_TOO_SHORT;
	switch (pkt[0] >> 4) {
	case 4:
		got = AF_INET;
		break;
	case 6:
		got = AF_INET6;
		break;
	default:
		return AMT_IGMP_ERR_BAD_IP_HEADER;
	}
	if (family != AF_UNSPEC && family != got)
		return AMT_IGMP_ERR_FAMILY;
	if (got == AF_INET)
		return amt_ip4_parse(pkt, len, v);
	return amt_ip6_parse(pkt, len, v);
}

/* Reports. */

static bool amt_record_type_known(uint8_t type)
{
	return type >= AMT_REC_MODE_IS_INCLUDE && type <= AMT_REC_BLOCK_OLD_SOURCES;
}

/*
 * Check every IGMPv3/MLDv2 group record fits, so that iterating cannot
 * fail half-way through a report.
 */
static enum amt_igmp_error amt_records_check(const uint8_t *p, size_t len, uint16_t nrec,
					     int family, uint16_t *flags)
{
	size_t alen = amt_addr_len(family);
	size_t rhdr = 4 + alen;
	size_t off = 0;

	for (uint16_t i = 0; i < nrec; i++) {
		size_t srcs, aux;
		union amt_ip group;

		if (len - off < rhdr)
			return AMT_IGMP_ERR_BAD_LENGTH;
		aux = (size_t)p[off + 1] * 4;
		srcs = (size_t)amt_get16(p + off + 2) * alen;
		if (len - off - rhdr < srcs)
			return AMT_IGMP_ERR_SOURCES;
		if (len - off - rhdr - srcs < aux)
			return AMT_IGMP_ERR_BAD_LENGTH;

		memset(&group, 0, sizeof(group));
		memcpy(&group, p + off + 4, alen);
		if (!amt_record_type_known(p[off]))
			*flags |= AMT_IGMPF_UNKNOWN_RECORD;
		else if (!amt_is_multicast(family, &group))
			*flags |= AMT_IGMPF_BAD_GROUP;
		off += rhdr + srcs + aux;
	}
	if (off < len)
		*flags |= AMT_IGMPF_TRAILING;
	return AMT_IGMP_OK;
}

/* IGMPv1/v2 and MLDv1 messages become a single source-less record. */
static void amt_report_set_legacy(struct amt_report *rep, uint8_t version, uint8_t type,
				  const uint8_t *group)
{
	struct amt_group_record *rec = &rep->legacy;

	rep->version = version;
	rep->num_records = 1;
	rec->family = rep->family;
	rec->type = type;
	rec->version = version;
	memcpy(&rec->group, group, amt_addr_len(rep->family));
	if (amt_is_multicast(rep->family, &rec->group))
		rep->left = 1;
	else
		rep->flags |= AMT_IGMPF_BAD_GROUP;
}

static enum amt_igmp_error amt_report_records(struct amt_report *rep, const uint8_t *m, size_t mlen,
					      uint8_t version)
{
	enum amt_igmp_error err;

	/* Reserved bytes 1 and 4-5 of both IGMPv3 and MLDv2 reports. */
	if (m[1] || m[4] || m[5])
		rep->flags |= AMT_IGMPF_RESERVED;
	rep->version = version;
	rep->num_records = amt_get16(m + 6);
	err = amt_records_check(m + 8, mlen - 8, rep->num_records, rep->family, &rep->flags);
	if (err != AMT_IGMP_OK)
		return err;
	rep->pos = m + 8;
	rep->left = rep->num_records;
	return AMT_IGMP_OK;
}

static enum amt_igmp_error amt_igmp_report(struct amt_report *rep, const uint8_t *m, size_t mlen)
{
	uint8_t version, rtype;

	switch (m[0]) {
	case AMT_IGMP_V3_REPORT:
		return amt_report_records(rep, m, mlen, 3);
	case AMT_IGMP_V1_REPORT:
		version = 1;
		rtype = AMT_REC_MODE_IS_EXCLUDE;
		break;
	case AMT_IGMP_V2_REPORT:
		version = 2;
		rtype = AMT_REC_MODE_IS_EXCLUDE;
		break;
	case AMT_IGMP_V2_LEAVE:
		version = 2;
		rtype = AMT_REC_CHANGE_TO_INCLUDE;
		break;
	default:
		return AMT_IGMP_ERR_NOT_REPORT;
	}
	if (mlen > AMT_IGMP_V2_LEN)
		rep->flags |= AMT_IGMPF_TRAILING;
	amt_report_set_legacy(rep, version, rtype, m + 4);
	return AMT_IGMP_OK;
}

static enum amt_igmp_error amt_mld_report(struct amt_report *rep, const uint8_t *m, size_t mlen)
{
	uint8_t rtype;

	switch (m[0]) {
	case AMT_MLD_V2_REPORT:
		return amt_report_records(rep, m, mlen, 2);
	case AMT_MLD_V1_REPORT:
		rtype = AMT_REC_MODE_IS_EXCLUDE;
		break;
	case AMT_MLD_V1_DONE:
		rtype = AMT_REC_CHANGE_TO_INCLUDE;
		break;
	default:
		return AMT_IGMP_ERR_NOT_REPORT;
	}
	if (mlen < AMT_MLD_V1_LEN)
		return AMT_IGMP_ERR_BAD_LENGTH;
	if (mlen > AMT_MLD_V1_LEN)
		rep->flags |= AMT_IGMPF_TRAILING;
	/* Code, Maximum Response Delay and Reserved are unused in reports. */
	if (m[1] || m[6] || m[7])
		rep->flags |= AMT_IGMPF_RESERVED;
	amt_report_set_legacy(rep, 1, rtype, m + 8);
	return AMT_IGMP_OK;
}

enum amt_igmp_error amt_report_decode(const uint8_t *pkt, size_t len, int family,
				      struct amt_report *rep)
{
	struct amt_ip_view v;
	enum amt_igmp_error err;

	memset(rep, 0, sizeof(*rep));
	err = amt_ip_parse(pkt, len, family, &v);
	if (err != AMT_IGMP_OK)
		return err;

	rep->family = v.family;
	rep->flags = v.flags;
	rep->src = v.src;
	rep->dst = v.dst;
	if (v.family == AF_INET)
		err = amt_igmp_report(rep, v.msg, v.msg_len);
	else
		err = amt_mld_report(rep, v.msg, v.msg_len);
	if (err != AMT_IGMP_OK)
		rep->left = 0;
	return err;
}

bool amt_report_next(struct amt_report *rep, struct amt_group_record *rec)
{
	size_t alen = amt_addr_len(rep->family);

	while (rep->left > 0) {
		const uint8_t *p = rep->pos;
		uint16_t nsrc;

		rep->left--;
		if (!p) {
			*rec = rep->legacy;
			return true;
		}
		nsrc = amt_get16(p + 2);
		rep->pos = p + 4 + alen + (size_t)nsrc * alen + p[1] * 4;

		memset(rec, 0, sizeof(*rec));
		rec->family = rep->family;
		rec->type = p[0];
		rec->version = rep->version;
		memcpy(&rec->group, p + 4, alen);
		rec->num_sources = nsrc;
		rec->sources = p + 4 + alen;
		if (amt_record_type_known(rec->type) && amt_is_multicast(rep->family, &rec->group))
			return true;
	}
	return false;
}

/* Queries. */

static enum amt_igmp_error amt_igmp_query(struct amt_query *q, const uint8_t *m, size_t mlen)
{
	size_t srcs;

	if (m[0] != AMT_IGMP_QUERY)
		return AMT_IGMP_ERR_NOT_QUERY;
	memcpy(&q->group.v4, m + 4, 4);

	/* RFC 3376 7.1: the length tells the version. */
	if (mlen == AMT_IGMP_V2_LEN) {
		q->version = m[1] ? 2 : 1;
		q->max_resp_ms = m[1] ? m[1] * 100 : AMT_IGMP_V1_MAX_RESP_MS;
		return AMT_IGMP_OK;
	}
	if (mlen < AMT_IGMPV3_QUERY_LEN)
		return AMT_IGMP_ERR_BAD_LENGTH;

	q->version = 3;
	q->max_resp_ms = amt_igmp_code_decode(m[1]) * 100;
	if (m[8] & 0xf0)
		q->flags |= AMT_IGMPF_RESERVED;
	q->s_flag = (m[8] & 0x08) != 0;
	q->qrv = m[8] & 0x07;
	q->qqi = amt_igmp_code_decode(m[9]);
	q->num_sources = amt_get16(m + 10);
	srcs = (size_t)q->num_sources * 4;
	if (mlen - AMT_IGMPV3_QUERY_LEN < srcs)
		return AMT_IGMP_ERR_SOURCES;
	if (mlen - AMT_IGMPV3_QUERY_LEN > srcs)
		q->flags |= AMT_IGMPF_TRAILING;
	q->sources = m + AMT_IGMPV3_QUERY_LEN;
	return AMT_IGMP_OK;
}

static enum amt_igmp_error amt_mld_query(struct amt_query *q, const uint8_t *m, size_t mlen)
{
	size_t srcs;

	if (m[0] != AMT_MLD_QUERY)
		return AMT_IGMP_ERR_NOT_QUERY;
	if (mlen < AMT_MLD_V1_LEN)
		return AMT_IGMP_ERR_BAD_LENGTH;
	if (m[1] || m[6] || m[7])
		q->flags |= AMT_IGMPF_RESERVED;
	memcpy(&q->group.v6, m + 8, 16);

	/* RFC 3810 8.1: the length tells the version. */
	if (mlen == AMT_MLD_V1_LEN) {
		q->version = 1;
		q->max_resp_ms = amt_get16(m + 4);
		return AMT_IGMP_OK;
	}
	if (mlen < AMT_MLDV2_QUERY_LEN)
		return AMT_IGMP_ERR_BAD_LENGTH;

	q->version = 2;
	q->max_resp_ms = amt_mld_code_decode(amt_get16(m + 4));
	if (m[24] & 0xf0)
		q->flags |= AMT_IGMPF_RESERVED;
	q->s_flag = (m[24] & 0x08) != 0;
	q->qrv = m[24] & 0x07;
	q->qqi = amt_igmp_code_decode(m[25]);
	q->num_sources = amt_get16(m + 26);
	srcs = (size_t)q->num_sources * 16;
	if (mlen - AMT_MLDV2_QUERY_LEN < srcs)
		return AMT_IGMP_ERR_SOURCES;
	if (mlen - AMT_MLDV2_QUERY_LEN > srcs)
		q->flags |= AMT_IGMPF_TRAILING;
	q->sources = m + AMT_MLDV2_QUERY_LEN;
	return AMT_IGMP_OK;
}

enum amt_igmp_error amt_query_parse(const uint8_t *pkt, size_t len, int family, struct amt_query *q)
{
	struct amt_ip_view v;
	enum amt_igmp_error err;

	memset(q, 0, sizeof(*q));
	err = amt_ip_parse(pkt, len, family, &v);
	if (err != AMT_IGMP_OK)
		return err;

	q->family = v.family;
	q->flags = v.flags;
	q->src = v.src;
	q->dst = v.dst;
	if (v.family == AF_INET)
		return amt_igmp_query(q, v.msg, v.msg_len);
	return amt_mld_query(q, v.msg, v.msg_len);
}

/* Builders. */

static void amt_addr_set4(union amt_ip *a, uint8_t b0, uint8_t b3)
{
	memset(a, 0, sizeof(*a));
	a->bytes[0] = b0;
	a->bytes[3] = b3;
}

/* ff02::<last> */
static void amt_addr_set6(union amt_ip *a, uint8_t last)
{
	memset(a, 0, sizeof(*a));
	a->bytes[0] = 0xff;
	a->bytes[1] = 0x02;
	a->bytes[15] = last;
}

static bool amt_addr_is_zero(int family, const union amt_ip *a)
{
	static const uint8_t zero[16];

	return memcmp(a->bytes, zero, amt_addr_len(family)) == 0;
}

/* IPv4 header with Router Alert, TTL 1, protocol IGMP. */
static void amt_ip4_write(uint8_t *p, const union amt_ip *src, const union amt_ip *dst,
			  size_t msg_len)
{
	p[0] = 0x40 | (AMT_IGMP_IP_HDR_LEN / 4);
	p[1] = AMT_IP4_TOS_CONTROL;
	amt_put16(p + 2, AMT_IGMP_IP_HDR_LEN + msg_len);
	memset(p + 4, 0, 4); /* identification, flags, fragment offset */
	p[8] = 1;
	p[9] = AMT_IPPROTO_IGMP;
	memset(p + 10, 0, 2);
	memcpy(p + 12, &src->v4, 4);
	memcpy(p + 16, &dst->v4, 4);
	p[20] = AMT_IP4_OPT_RA;
	p[21] = AMT_IP4_OPT_RA_LEN;
	p[22] = 0;
	p[23] = 0;
	amt_put16(p + 10, amt_csum_fold(amt_csum_add(0, p, AMT_IGMP_IP_HDR_LEN)));
}

/* IPv6 header, Hop Limit 1, Hop-by-Hop header with Router Alert (MLD). */
static void amt_ip6_write(uint8_t *p, const union amt_ip *src, const union amt_ip *dst,
			  size_t msg_len)
{
	uint8_t *h = p + AMT_IP6_HDR_LEN;

	p[0] = 0x60;
	memset(p + 1, 0, 3);
	amt_put16(p + 4, AMT_IP6_HBH_LEN + msg_len);
	p[6] = AMT_IPPROTO_HOPOPTS;
	p[7] = 1;
	memcpy(p + 8, &src->v6, 16);
	memcpy(p + 24, &dst->v6, 16);
	h[0] = AMT_IPPROTO_ICMPV6;
	h[1] = 0;
	h[2] = AMT_IP6_OPT_RA;
	h[3] = AMT_IP6_OPT_RA_LEN;
	h[4] = 0;
	h[5] = 0;
	h[6] = AMT_IP6_OPT_PADN;
	h[7] = 0;
}

/*
 * Write the IP header in front of the message already at its place
 * (buf + header length), and the message checksum at byte 2 of it.
 */
static ssize_t amt_gm_finish(uint8_t *buf, int family, const union amt_ip *src,
			     const union amt_ip *dst, size_t msg_len)
{
	uint8_t *m;
	uint32_t sum;

	if (family == AF_INET) {
		m = buf + AMT_IGMP_IP_HDR_LEN;
		amt_ip4_write(buf, src, dst, msg_len);
		sum = 0;
	} else {
		m = buf + AMT_MLD_IP_HDR_LEN;
		amt_ip6_write(buf, src, dst, msg_len);
		sum = amt_csum_pseudo6(src, dst, msg_len, AMT_IPPROTO_ICMPV6);
	}
	m[2] = 0;
	m[3] = 0;
	amt_put16(m + 2, amt_csum_fold(amt_csum_add(sum, m, msg_len)));
	return (m - buf) + msg_len;
}

static size_t amt_ip_hdr_len(int family)
{
	return family == AF_INET ? AMT_IGMP_IP_HDR_LEN : AMT_MLD_IP_HDR_LEN;
}

/* Room for header + msg_len in size, and within the IP length fields. */
static bool amt_gm_fits(int family, size_t size, size_t msg_len)
{
	size_t hlen = amt_ip_hdr_len(family);

	if (msg_len > 65535 - hlen)
		return false;
	return size >= hlen + msg_len;
}

ssize_t amt_query_build(uint8_t *buf, size_t size, const struct amt_query_params *p)
{
	int family = p->family;
	size_t alen, mlen;
	union amt_ip dst;
	uint8_t *m;
	uint8_t qrv = p->qrv > 7 ? 0 : p->qrv;
	uint8_t sq = (p->s_flag ? 0x08 : 0) | qrv;

	if (family != AF_INET && family != AF_INET6)
		return -1;
	if (p->num_sources && !p->sources)
		return -1;
	alen = amt_addr_len(family);

	if (family == AF_INET) {
		if (p->version == 2)
			mlen = AMT_IGMP_V2_LEN;
		else if (p->version == 3)
			mlen = AMT_IGMPV3_QUERY_LEN + p->num_sources * alen;
		else
			return -1;
	} else {
		if (p->version == 1)
			mlen = AMT_MLD_V1_LEN;
		else if (p->version == 2)
			mlen = AMT_MLDV2_QUERY_LEN + p->num_sources * alen;
		else
			return -1;
	}
	if (!amt_gm_fits(family, size, mlen))
		return -1;

	if (amt_addr_is_zero(family, &p->group)) {
		if (family == AF_INET)
			amt_addr_set4(&dst, 224, 1);
		else
			amt_addr_set6(&dst, 1);
	} else {
		dst = p->group;
	}

	m = buf + amt_ip_hdr_len(family);
	memset(m, 0, mlen);
	if (family == AF_INET) {
		uint32_t tenths = p->max_resp_ms / 100;

		m[0] = AMT_IGMP_QUERY;
		memcpy(m + 4, &p->group.v4, 4);
		if (p->version == 2) {
			m[1] = tenths > 255 ? 255 : tenths;
		} else {
			m[1] = amt_igmp_code_encode(tenths);
			m[8] = sq;
			m[9] = amt_igmp_code_encode(p->qqi);
			amt_put16(m + 10, p->num_sources);
			if (p->num_sources)
				memcpy(m + 12, p->sources, p->num_sources * alen);
		}
	} else {
		m[0] = AMT_MLD_QUERY;
		memcpy(m + 8, &p->group.v6, 16);
		if (p->version == 1) {
			amt_put16(m + 4, p->max_resp_ms > 65535 ? 65535 : p->max_resp_ms);
		} else {
			amt_put16(m + 4, amt_mld_code_encode(p->max_resp_ms));
			m[24] = sq;
			m[25] = amt_igmp_code_encode(p->qqi);
			amt_put16(m + 26, p->num_sources);
			if (p->num_sources)
				memcpy(m + 28, p->sources, p->num_sources * alen);
		}
	}
	return amt_gm_finish(buf, family, &p->src, &dst, mlen);
}

ssize_t amt_report_build(uint8_t *buf, size_t size, int family, const union amt_ip *src,
			 const struct amt_group_record *recs, size_t nrecs)
{
	size_t alen, mlen, off;
	union amt_ip dst;
	uint8_t *m;

	if (family != AF_INET && family != AF_INET6)
		return -1;
	if (nrecs > UINT16_MAX)
		return -1;
	alen = amt_addr_len(family);

	mlen = AMT_IGMPV3_REPORT_HDR;
	for (size_t i = 0; i < nrecs; i++) {
		if (recs[i].family != family || !amt_record_type_known(recs[i].type) ||
		    (recs[i].num_sources && !recs[i].sources))
			return -1;
		mlen += 4 + alen + (size_t)recs[i].num_sources * alen;
		if (!amt_gm_fits(family, size, mlen))
			return -1;
	}
	if (!amt_gm_fits(family, size, mlen))
		return -1;

	m = buf + amt_ip_hdr_len(family);
	memset(m, 0, AMT_IGMPV3_REPORT_HDR);
	m[0] = family == AF_INET ? AMT_IGMP_V3_REPORT : AMT_MLD_V2_REPORT;
	amt_put16(m + 6, nrecs);
	off = AMT_IGMPV3_REPORT_HDR;
	for (size_t i = 0; i < nrecs; i++) {
		const struct amt_group_record *r = &recs[i];
		size_t slen = (size_t)r->num_sources * alen;

		m[off] = r->type;
		m[off + 1] = 0;
		amt_put16(m + off + 2, r->num_sources);
		memcpy(m + off + 4, &r->group, alen);
		if (slen)
			memcpy(m + off + 4 + alen, r->sources, slen);
		off += 4 + alen + slen;
	}

	if (family == AF_INET)
		amt_addr_set4(&dst, 224, 22);
	else
		amt_addr_set6(&dst, 0x16);
	return amt_gm_finish(buf, family, src, &dst, mlen);
}

ssize_t amt_report_build_part(uint8_t *buf, size_t size, int family, const union amt_ip *src,
			      const struct amt_group_record *recs, size_t nrecs,
			      struct amt_report_cursor *cur)
{
	size_t alen, hlen, room, off = AMT_IGMPV3_REPORT_HDR;
	uint16_t n = 0;
	union amt_ip dst;
	uint8_t *m;

	if (family != AF_INET && family != AF_INET6)
		return -1;
	if (cur->rec >= nrecs)
		return 0;
	alen = amt_addr_len(family);
	hlen = amt_ip_hdr_len(family);
	/* Room for the report's records, within the IP length fields too. */
	if (size > 65535)
		size = 65535;
	if (size < hlen + AMT_IGMPV3_REPORT_HDR + 4 + alen)
		return -1;
	room = size - hlen;
	m = buf + hlen;

	/* At most UINT16_MAX records; each pass writes one or stops. */
	while (cur->rec < nrecs && n < UINT16_MAX) {
		const struct amt_group_record *r = &recs[cur->rec];
		size_t left, fit, take;
		bool whole;

		if (r->family != family || !amt_record_type_known(r->type) ||
		    (r->num_sources && !r->sources) || cur->src > r->num_sources)
			return -1;
		if (room - off < 4 + alen)
			break;
		left = r->num_sources - cur->src;
		fit = (room - off - 4 - alen) / alen;
		whole = fit >= left;
		if (!whole && n > 0)
			break; /* to the next report, which it may fit whole */
		take = whole ? left : fit;
		if (!whole && take == 0)
			return -1;

		m[off] = r->type;
		m[off + 1] = 0;
		amt_put16(m + off + 2, take);
		memcpy(m + off + 4, &r->group, alen);
		if (take)
			memcpy(m + off + 4 + alen, r->sources + (size_t)cur->src * alen,
			       take * alen);
		off += 4 + alen + take * alen;
		n++;
		if (whole || r->type == AMT_REC_MODE_IS_EXCLUDE ||
		    r->type == AMT_REC_CHANGE_TO_EXCLUDE) {
			/* Done; an exclusion list too long is cut. */
			cur->rec++;
			cur->src = 0;
		} else {
			/* The rest of the sources in the next report. */
			cur->src += take;
		}
		if (!whole)
			break;
	}
	memset(m, 0, AMT_IGMPV3_REPORT_HDR);
	m[0] = family == AF_INET ? AMT_IGMP_V3_REPORT : AMT_MLD_V2_REPORT;
	amt_put16(m + 6, n);
	if (family == AF_INET)
		amt_addr_set4(&dst, 224, 22);
	else
		amt_addr_set6(&dst, 0x16);
	return amt_gm_finish(buf, family, src, &dst, off);
}

bool amt_leave_record(const struct amt_group_record *state, struct amt_group_record *leave)
{
	uint8_t latest = state->family == AF_INET ? 3 : 2;

	if (state->type != AMT_REC_MODE_IS_INCLUDE && state->type != AMT_REC_MODE_IS_EXCLUDE)
		return false;
	*leave = *state;
	if (state->type == AMT_REC_MODE_IS_INCLUDE && state->version >= latest &&
	    state->num_sources) {
		/* INCLUDE(A) -> INCLUDE({}): BLOCK(A). */
		leave->type = AMT_REC_BLOCK_OLD_SOURCES;
		return true;
	}
	/* EXCLUDE(X) -> INCLUDE({}), or an older version's leave: TO_IN({}). */
	leave->type = AMT_REC_CHANGE_TO_INCLUDE;
	leave->num_sources = 0;
	leave->sources = NULL;
	return true;
}

ssize_t amt_report_build_legacy(uint8_t *buf, size_t size, int family, const union amt_ip *src,
				const union amt_ip *group, bool leave)
{
	size_t mlen;
	union amt_ip dst;
	uint8_t *m;

	if (family != AF_INET && family != AF_INET6)
		return -1;
	mlen = family == AF_INET ? AMT_IGMP_V2_LEN : AMT_MLD_V1_LEN;
	if (!amt_gm_fits(family, size, mlen))
		return -1;

	m = buf + amt_ip_hdr_len(family);
	memset(m, 0, mlen);
	if (family == AF_INET) {
		m[0] = leave ? AMT_IGMP_V2_LEAVE : AMT_IGMP_V2_REPORT;
		memcpy(m + 4, &group->v4, 4);
		if (leave)
			amt_addr_set4(&dst, 224, 2);
		else
			dst = *group;
	} else {
		m[0] = leave ? AMT_MLD_V1_DONE : AMT_MLD_V1_REPORT;
		memcpy(m + 8, &group->v6, 16);
		if (leave)
			amt_addr_set6(&dst, 2);
		else
			dst = *group;
	}
	return amt_gm_finish(buf, family, src, &dst, mlen);
}

bool amt_group_is_link_local(int family, const union amt_ip *group)
{
	if (family == AF_INET)
		return group->bytes[0] == 224 && group->bytes[1] == 0 && group->bytes[2] == 0;
	/* ff00::/8 with scope 0 (reserved), 1 (interface) or 2 (link). */
	return group->bytes[0] == 0xff && (group->bytes[1] & 0x0f) <= 2;
}

bool amt_group_is_ssm(int family, const union amt_ip *group)
{
	/* RFC 4607 section 1: 232.0.0.0/8 and FF3x::/32. */
	if (family == AF_INET)
		return group->bytes[0] == 232;
	return group->bytes[0] == 0xff && (group->bytes[1] & 0xf0) == 0x30 && group->bytes[2] == 0 &&
	       group->bytes[3] == 0;
}

ssize_t amt_report_without_link_local(const uint8_t *pkt, size_t len, int family, uint8_t *buf,
				      size_t size, const uint8_t **out)
{
	struct amt_group_record recs[AMT_REPORT_MAX_KEPT], rec;
	struct amt_report rep;
	size_t kept = 0, dropped = 0;

	*out = pkt;
	if (amt_report_decode(pkt, len, family, &rep) != AMT_IGMP_OK)
		return -1;
	while (amt_report_next(&rep, &rec)) {
		if (amt_group_is_link_local(rep.family, &rec.group))
			dropped++;
		else if (kept < AMT_REPORT_MAX_KEPT)
			recs[kept++] = rec;
		else
			return -1;
	}
	if (!dropped)
		return len;
	if (!kept)
		return 0;
	/* Only IGMPv3 and MLDv2 reports carry more than one record. */
	*out = buf;
	return amt_report_build(buf, size, rep.family, &rep.src, recs, kept);
}

int amt_ip_sg(const uint8_t *pkt, size_t len, union amt_ip *source, union amt_ip *group)
{
	memset(source, 0, sizeof(*source));
	memset(group, 0, sizeof(*group));
	if (len >= AMT_IP4_HDR_MIN && (pkt[0] >> 4) == 4) {
		memcpy(&source->v4, pkt + 12, 4);
		memcpy(&group->v4, pkt + 16, 4);
		return AF_INET;
	}
	if (len >= AMT_IP6_HDR_LEN && (pkt[0] >> 4) == 6) {
		memcpy(&source->v6, pkt + 8, 16);
		memcpy(&group->v6, pkt + 24, 16);
		return AF_INET6;
	}
	return 0;
}
