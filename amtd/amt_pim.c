// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * PIM Hello builder and Join/Prune decoder (RFC 7761 sections 4.9.1,
 * 4.9.2 and 4.9.5) over full IP packets.
 */
#include <zebra.h>

#include <string.h>

#include "amt_checksum.h"
#include "amt_pim.h"

#define AMT_IPPROTO_PIM 103
#define AMT_IP4_HDR_MIN 20
#define AMT_IP6_HDR_LEN 40
#define AMT_PIM_HDR_LEN 4
#define AMT_PIM_VERSION 2
/* Internet control precedence, as routers send PIM. */
#define AMT_IP_TOS_CONTROL 0xc0

/* Address family numbers of encoded addresses (IANA). */
#define AMT_PIM_AFI_IPV4 1
#define AMT_PIM_AFI_IPV6 2

/* Hello option types and lengths (RFC 7761 4.9.2). */
#define AMT_PIM_OPT_HOLDTIME	1
#define AMT_PIM_OPT_DR_PRIORITY 19
#define AMT_PIM_OPT_GENID	20

static const char *const amt_pim_error_names[AMT_PIM_ERR_MAX] = {
	[AMT_PIM_OK] = "ok",
	[AMT_PIM_ERR_TOO_SHORT] = "too short",
	[AMT_PIM_ERR_BAD_IP_HEADER] = "bad IP header",
	[AMT_PIM_ERR_BAD_LENGTH] = "bad length",
	[AMT_PIM_ERR_IP_CHECKSUM] = "bad IP header checksum",
	[AMT_PIM_ERR_NOT_PIM] = "not PIM",
	[AMT_PIM_ERR_VERSION] = "not PIM version 2",
	[AMT_PIM_ERR_CHECKSUM] = "bad PIM checksum",
	[AMT_PIM_ERR_ENCODING] = "bad encoded address",
	[AMT_PIM_ERR_COUNTS] = "group or source count past the end",
	[AMT_PIM_ERR_NOT_JOIN_PRUNE] = "not a Join/Prune",
};

const char *amt_pim_error_str(enum amt_pim_error err)
{
	if ((unsigned int)err >= AMT_PIM_ERR_MAX)
		return "unknown error";
	return amt_pim_error_names[err];
}

static size_t amt_pim_addr_len(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

static uint8_t amt_pim_afi(int family)
{
	return family == AF_INET6 ? AMT_PIM_AFI_IPV6 : AMT_PIM_AFI_IPV4;
}

/* ---------------------------------------------------------------- parse */

static enum amt_pim_error amt_pim_ip4(const uint8_t *pkt, size_t len, struct amt_pim_msg *m)
{
	size_t hlen, tot;

	if (len < AMT_IP4_HDR_MIN)
		return AMT_PIM_ERR_TOO_SHORT;
	hlen = (pkt[0] & 0x0f) * 4;
	if (hlen < AMT_IP4_HDR_MIN || hlen > len)
		return AMT_PIM_ERR_BAD_IP_HEADER;
	tot = amt_get16(pkt + 2);
	if (tot < hlen || tot > len)
		return AMT_PIM_ERR_BAD_LENGTH;
	if (amt_csum_fold(amt_csum_add(0, pkt, hlen)) != 0)
		return AMT_PIM_ERR_IP_CHECKSUM;
	if (amt_get16(pkt + 6) & 0x3fff)
		return AMT_PIM_ERR_BAD_IP_HEADER;
	if (pkt[9] != AMT_IPPROTO_PIM)
		return AMT_PIM_ERR_NOT_PIM;
	m->family = AF_INET;
	memcpy(&m->src.v4, pkt + 12, 4);
	memcpy(&m->dst.v4, pkt + 16, 4);
	m->body = pkt + hlen;
	m->body_len = tot - hlen;
	return AMT_PIM_OK;
}

/* pimd sends PIM right after the IPv6 header, without extension headers. */
static enum amt_pim_error amt_pim_ip6(const uint8_t *pkt, size_t len, struct amt_pim_msg *m)
{
	size_t tot;

	if (len < AMT_IP6_HDR_LEN)
		return AMT_PIM_ERR_TOO_SHORT;
	tot = AMT_IP6_HDR_LEN + amt_get16(pkt + 4);
	if (tot > len)
		return AMT_PIM_ERR_BAD_LENGTH;
	if (pkt[6] != AMT_IPPROTO_PIM)
		return AMT_PIM_ERR_NOT_PIM;
	m->family = AF_INET6;
	memcpy(&m->src.v6, pkt + 8, 16);
	memcpy(&m->dst.v6, pkt + 24, 16);
	m->body = pkt + AMT_IP6_HDR_LEN;
	m->body_len = tot - AMT_IP6_HDR_LEN;
	return AMT_PIM_OK;
}

enum amt_pim_error amt_pim_parse(const uint8_t *pkt, size_t len, struct amt_pim_msg *m)
{
	enum amt_pim_error err;
	const uint8_t *h;
	uint32_t sum = 0;

	memset(m, 0, sizeof(*m));
	if (len < 1)
		return AMT_PIM_ERR_TOO_SHORT;
	if ((pkt[0] >> 4) == 4)
		err = amt_pim_ip4(pkt, len, m);
	else if ((pkt[0] >> 4) == 6)
		err = amt_pim_ip6(pkt, len, m);
	else
		return AMT_PIM_ERR_BAD_IP_HEADER;
	if (err != AMT_PIM_OK)
		return err;
	if (m->body_len < AMT_PIM_HDR_LEN)
		return AMT_PIM_ERR_TOO_SHORT;
	h = m->body;
	if ((h[0] >> 4) != AMT_PIM_VERSION)
		return AMT_PIM_ERR_VERSION;
	if (m->family == AF_INET6)
		sum = amt_csum_pseudo6(&m->src, &m->dst, m->body_len, AMT_IPPROTO_PIM);
	if (amt_csum_fold(amt_csum_add(sum, h, m->body_len)) != 0)
		return AMT_PIM_ERR_CHECKSUM;
	m->type = h[0] & 0x0f;
	m->body += AMT_PIM_HDR_LEN;
	m->body_len -= AMT_PIM_HDR_LEN;
	return AMT_PIM_OK;
}

/*
 * Encoded addresses: family, encoding type 0, [flags, mask length,]
 * address.  extra is 0 (Encoded-Unicast) or 2 (Encoded-Group/-Source).
 */
static size_t amt_pim_enc_len(int family, size_t extra)
{
	return 2 + extra + amt_pim_addr_len(family);
}

static bool amt_pim_enc_ok(const uint8_t *p, int family)
{
	return p[0] == amt_pim_afi(family) && p[1] == 0;
}

enum amt_pim_error amt_pim_jp_decode(const struct amt_pim_msg *m, struct amt_pim_jp *jp)
{
	const uint8_t *p = m->body;
	size_t left = m->body_len;
	size_t ucast = amt_pim_enc_len(m->family, 0);
	size_t grp = amt_pim_enc_len(m->family, 2);
	size_t alen = amt_pim_addr_len(m->family);

	memset(jp, 0, sizeof(*jp));
	if (m->type != AMT_PIM_TYPE_JOIN_PRUNE)
		return AMT_PIM_ERR_NOT_JOIN_PRUNE;
	if (left < ucast + 4)
		return AMT_PIM_ERR_TOO_SHORT;
	if (!amt_pim_enc_ok(p, m->family))
		return AMT_PIM_ERR_ENCODING;
	jp->family = m->family;
	memcpy(jp->upstream.bytes, p + 2, alen);
	jp->num_groups = p[ucast + 1];
	jp->holdtime = amt_get16(p + ucast + 2);
	p += ucast + 4;
	left -= ucast + 4;
	jp->pos = p;

	/* Walk every group once, so that amt_pim_jp_next() cannot fail. */
	for (unsigned int g = 0; g < jp->num_groups; g++) {
		size_t nsrc;

		if (left < grp + 4)
			return AMT_PIM_ERR_COUNTS;
		if (!amt_pim_enc_ok(p, m->family))
			return AMT_PIM_ERR_ENCODING;
		nsrc = (size_t)amt_get16(p + grp) + amt_get16(p + grp + 2);
		p += grp + 4;
		left -= grp + 4;
		if (nsrc > left / grp)
			return AMT_PIM_ERR_COUNTS;
		for (size_t s = 0; s < nsrc; s++, p += grp)
			if (!amt_pim_enc_ok(p, m->family))
				return AMT_PIM_ERR_ENCODING;
		left -= nsrc * grp;
	}
	jp->groups_left = jp->num_groups;
	return AMT_PIM_OK;
}

bool amt_pim_jp_next(struct amt_pim_jp *jp, struct amt_pim_jp_entry *e)
{
	size_t grp = amt_pim_enc_len(jp->family, 2);
	size_t alen = amt_pim_addr_len(jp->family);

	while (jp->joins_left == 0 && jp->prunes_left == 0) {
		if (jp->groups_left == 0)
			return false;
		jp->groups_left--;
		memset(&jp->group, 0, sizeof(jp->group));
		memcpy(jp->group.bytes, jp->pos + 4, alen);
		jp->group_mask = jp->pos[3];
		jp->joins_left = amt_get16(jp->pos + grp);
		jp->prunes_left = amt_get16(jp->pos + grp + 2);
		jp->pos += grp + 4;
	}
	memset(e, 0, sizeof(*e));
	e->join = jp->joins_left > 0;
	if (e->join)
		jp->joins_left--;
	else
		jp->prunes_left--;
	e->group = jp->group;
	e->group_mask = jp->group_mask;
	e->flags = jp->pos[2] & (AMT_PIM_SRC_S | AMT_PIM_SRC_W | AMT_PIM_SRC_R);
	e->source_mask = jp->pos[3];
	memcpy(e->source.bytes, jp->pos + 4, alen);
	jp->pos += grp;
	return true;
}

/* ---------------------------------------------------------------- build */

static size_t amt_pim_ip_hdr_len(int family)
{
	return family == AF_INET6 ? AMT_IP6_HDR_LEN : AMT_IP4_HDR_MIN;
}

/* ALL-PIM-ROUTERS: 224.0.0.13 or ff02::d. */
static void amt_pim_all_routers(int family, union amt_ip *a)
{
	memset(a, 0, sizeof(*a));
	if (family == AF_INET) {
		a->bytes[0] = 224;
		a->bytes[3] = 13;
	} else {
		a->bytes[0] = 0xff;
		a->bytes[1] = 0x02;
		a->bytes[15] = 0x0d;
	}
}

/*
 * The PIM message of msg_len bytes is at buf + IP header length, its
 * checksum field zero: write the IP header (TTL / Hop Limit 1) and the
 * PIM checksum.
 */
static ssize_t amt_pim_finish(uint8_t *buf, int family, const union amt_ip *src, size_t msg_len)
{
	size_t hlen = amt_pim_ip_hdr_len(family);
	uint8_t *m = buf + hlen;
	union amt_ip dst;
	uint32_t sum = 0;

	amt_pim_all_routers(family, &dst);
	memset(buf, 0, hlen);
	if (family == AF_INET) {
		buf[0] = 0x45;
		buf[1] = AMT_IP_TOS_CONTROL;
		amt_put16(buf + 2, hlen + msg_len);
		buf[8] = 1;
		buf[9] = AMT_IPPROTO_PIM;
		memcpy(buf + 12, &src->v4, 4);
		memcpy(buf + 16, &dst.v4, 4);
		amt_put16(buf + 10, amt_csum_fold(amt_csum_add(0, buf, hlen)));
	} else {
		buf[0] = 0x60 | (AMT_IP_TOS_CONTROL >> 4);
		buf[1] = (AMT_IP_TOS_CONTROL & 0x0f) << 4;
		amt_put16(buf + 4, msg_len);
		buf[6] = AMT_IPPROTO_PIM;
		buf[7] = 1;
		memcpy(buf + 8, &src->v6, 16);
		memcpy(buf + 24, &dst.v6, 16);
		sum = amt_csum_pseudo6(src, &dst, msg_len, AMT_IPPROTO_PIM);
	}
	amt_put16(m + 2, amt_csum_fold(amt_csum_add(sum, m, msg_len)));
	return hlen + msg_len;
}

static uint8_t *amt_pim_put_option(uint8_t *p, uint16_t type, uint16_t len, uint32_t value)
{
	amt_put16(p, type);
	amt_put16(p + 2, len);
	if (len == 2) {
		amt_put16(p + 4, value);
	} else {
		amt_put16(p + 4, value >> 16);
		amt_put16(p + 6, value);
	}
	return p + 4 + len;
}

ssize_t amt_pim_hello_build(uint8_t *buf, size_t size, const struct amt_pim_hello_params *p)
{
	/* Header, then holdtime (2), DR priority (4) and generation ID (4). */
	const size_t msg_len = AMT_PIM_HDR_LEN + (4 + 2) + (4 + 4) + (4 + 4);
	uint8_t *m, *o;

	if (p->family != AF_INET && p->family != AF_INET6)
		return -1;
	if (size < amt_pim_ip_hdr_len(p->family) + msg_len)
		return -1;
	m = buf + amt_pim_ip_hdr_len(p->family);
	memset(m, 0, AMT_PIM_HDR_LEN);
	m[0] = (AMT_PIM_VERSION << 4) | AMT_PIM_TYPE_HELLO;
	o = m + AMT_PIM_HDR_LEN;
	o = amt_pim_put_option(o, AMT_PIM_OPT_HOLDTIME, 2, p->holdtime);
	o = amt_pim_put_option(o, AMT_PIM_OPT_DR_PRIORITY, 4, p->dr_priority);
	amt_pim_put_option(o, AMT_PIM_OPT_GENID, 4, p->generation_id);
	return amt_pim_finish(buf, p->family, &p->src, msg_len);
}

static uint8_t *amt_pim_put_enc(uint8_t *p, int family, const union amt_ip *a, bool with_mask,
				uint8_t flags)
{
	size_t alen = amt_pim_addr_len(family);

	*p++ = amt_pim_afi(family);
	*p++ = 0;
	if (with_mask) {
		*p++ = flags;
		*p++ = alen * 8;
	}
	memcpy(p, a->bytes, alen);
	return p + alen;
}

ssize_t amt_pim_jp_build(uint8_t *buf, size_t size, const struct amt_pim_jp_params *p)
{
	size_t nsrc = (size_t)p->num_joins + p->num_prunes;
	size_t grp = amt_pim_enc_len(p->family, 2);
	size_t msg_len = AMT_PIM_HDR_LEN + amt_pim_enc_len(p->family, 0) + 4 + grp + 4 + nsrc * grp;
	uint8_t *m, *o;

	if (p->family != AF_INET && p->family != AF_INET6)
		return -1;
	if (size < amt_pim_ip_hdr_len(p->family) + msg_len)
		return -1;
	m = buf + amt_pim_ip_hdr_len(p->family);
	memset(m, 0, AMT_PIM_HDR_LEN);
	m[0] = (AMT_PIM_VERSION << 4) | AMT_PIM_TYPE_JOIN_PRUNE;
	o = amt_pim_put_enc(m + AMT_PIM_HDR_LEN, p->family, &p->upstream, false, 0);
	*o++ = 0;
	*o++ = 1;
	amt_put16(o, p->holdtime);
	o = amt_pim_put_enc(o + 2, p->family, &p->group, true, 0);
	amt_put16(o, p->num_joins);
	amt_put16(o + 2, p->num_prunes);
	o += 4;
	for (size_t i = 0; i < nsrc; i++)
		o = amt_pim_put_enc(o, p->family, &p->sources[i], true, p->flags[i]);
	return amt_pim_finish(buf, p->family, &p->src, msg_len);
}
