// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AMT wire codec (RFC 7450 section 5.1): the seven AMT messages.
 */
#include <zebra.h>

#include <string.h>

#include "amt_packet.h"

/* Byte 0: Version (high nibble) and Type (low nibble). */
#define AMT_TYPE_MASK	  0x0f
#define AMT_VERSION_SHIFT 4

/* Flag bits of byte 1, per layout. */
#define AMT_RFC_P   0x01
#define AMT_RFC_G   0x01
#define AMT_RFC_L   0x02
#define AMT_LINUX_P 0x80
#define AMT_LINUX_G 0x80
#define AMT_LINUX_L 0x40

#define AMT_IPV4_HDR_MIN 20
#define AMT_IPV6_HDR_LEN 40

static const char *const amt_decode_error_names[AMT_DECODE_ERROR_MAX] = {
	[AMT_DECODE_OK] = "ok",
	[AMT_DECODE_TOO_SHORT] = "too short",
	[AMT_DECODE_BAD_VERSION] = "bad version",
	[AMT_DECODE_UNKNOWN_TYPE] = "unknown type",
	[AMT_DECODE_BAD_LENGTH] = "bad length for type",
	[AMT_DECODE_FAMILY] = "address family incoherence",
	[AMT_DECODE_BAD_INNER] = "encapsulated packet not IPv4/IPv6",
};

const char *amt_decode_error_str(enum amt_decode_error err)
{
	if ((unsigned int)err >= AMT_DECODE_ERROR_MAX)
		return "unknown error";
	return amt_decode_error_names[err];
}

const char *amt_msg_type_str(enum amt_msg_type type)
{
	switch (type) {
	case AMT_MSG_RELAY_DISCOVERY:
		return "Relay Discovery";
	case AMT_MSG_RELAY_ADVERTISEMENT:
		return "Relay Advertisement";
	case AMT_MSG_REQUEST:
		return "Request";
	case AMT_MSG_MEMBERSHIP_QUERY:
		return "Membership Query";
	case AMT_MSG_MEMBERSHIP_UPDATE:
		return "Membership Update";
	case AMT_MSG_MULTICAST_DATA:
		return "Multicast Data";
	case AMT_MSG_TEARDOWN:
		return "Teardown";
	}
	return "unknown";
}

static inline uint16_t amt_get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t amt_get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline void amt_put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static inline void amt_put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static inline size_t amt_family_addr_len(int family)
{
	if (family == AF_INET)
		return 4;
	if (family == AF_INET6)
		return 16;
	return 0;
}

static bool amt_all_zero(const uint8_t *p, size_t len)
{
	uint8_t acc = 0;

	for (size_t i = 0; i < len; i++)
		acc |= p[i];
	return acc == 0;
}

static uint8_t amt_flag_p(enum amt_flag_layout layout)
{
	return layout == AMT_FLAGS_LINUX ? AMT_LINUX_P : AMT_RFC_P;
}

static uint8_t amt_flag_g(enum amt_flag_layout layout)
{
	return layout == AMT_FLAGS_LINUX ? AMT_LINUX_G : AMT_RFC_G;
}

static uint8_t amt_flag_l(enum amt_flag_layout layout)
{
	return layout == AMT_FLAGS_LINUX ? AMT_LINUX_L : AMT_RFC_L;
}

/*
 * Check the byte that holds the flags: anything outside `known` is a
 * reserved bit.  In RFC layout, bits where the Linux driver keeps its
 * flags are reported as such too, so a caller can spot such a peer.
 */
static void amt_check_flag_byte(uint8_t byte, uint8_t known, uint8_t linux_bits,
				enum amt_flag_layout layout, struct amt_msg *msg)
{
	if (byte & ~known)
		msg->flags |= AMT_MSGF_RESERVED;
	if (layout == AMT_FLAGS_RFC && (byte & linux_bits))
		msg->flags |= AMT_MSGF_LINUX_BITS;
}

/*
 * The IP packet carried by a Query, Update or Data message lies in `room`
 * bytes; its own header says how long it is.  It must fit; bytes left over
 * after it are flagged.
 */
static enum amt_decode_error amt_decode_inner(const uint8_t *p, size_t room, struct amt_msg *msg)
{
	size_t ip_len;

	if (room < 1)
		return AMT_DECODE_BAD_LENGTH;

	switch (p[0] >> 4) {
	case 4: {
		size_t ihl;

		if (room < AMT_IPV4_HDR_MIN)
			return AMT_DECODE_BAD_LENGTH;
		ihl = (p[0] & 0x0f) * 4;
		ip_len = amt_get16(p + 2);
		if (ihl < AMT_IPV4_HDR_MIN || ip_len < ihl)
			return AMT_DECODE_BAD_LENGTH;
		msg->inner_family = AF_INET;
		break;
	}
	case 6:
		if (room < AMT_IPV6_HDR_LEN)
			return AMT_DECODE_BAD_LENGTH;
		ip_len = AMT_IPV6_HDR_LEN + amt_get16(p + 4);
		msg->inner_family = AF_INET6;
		break;
	default:
		return AMT_DECODE_BAD_INNER;
	}

	if (ip_len > room)
		return AMT_DECODE_BAD_LENGTH;
	if (ip_len < room)
		msg->flags |= AMT_MSGF_TRAILING;
	msg->inner = p;
	msg->inner_len = ip_len;
	return AMT_DECODE_OK;
}

/*
 * The 16-byte Gateway IP Address holds an IPv6 address or an IPv4 address
 * in IPv4-compatible form (RFC 7450 5.1.4.9.2).  The outer family says
 * which; without it, the IPv4-compatible form is taken as IPv4.
 */
static enum amt_decode_error amt_decode_gw_fields(const uint8_t *p, int outer_family,
						  struct amt_msg *msg)
{
	const uint8_t *a = p + 2;
	bool v4compat = amt_all_zero(a, 12);
	bool v4mapped = amt_all_zero(a, 10) && a[10] == 0xff && a[11] == 0xff;
	bool v4;

	msg->gw_port = amt_get16(p);
	memset(&msg->gw_addr, 0, sizeof(msg->gw_addr));

	switch (outer_family) {
	case AF_INET:
		if (!v4compat && !v4mapped)
			return AMT_DECODE_FAMILY;
		v4 = true;
		break;
	case AF_INET6:
		v4 = false;
		break;
	default:
		v4 = v4compat || v4mapped;
		break;
	}

	if (v4) {
		if (!v4compat)
			msg->flags |= AMT_MSGF_V4MAPPED;
		msg->gw_addr.family = AF_INET;
		memcpy(&msg->gw_addr.ip.v4, a + 12, 4);
	} else {
		msg->gw_addr.family = AF_INET6;
		memcpy(&msg->gw_addr.ip.v6, a, 16);
	}
	return AMT_DECODE_OK;
}

static void amt_check_trailing(size_t len, size_t fixed, struct amt_msg *msg)
{
	if (len > fixed)
		msg->flags |= AMT_MSGF_TRAILING;
}

static enum amt_decode_error amt_decode_discovery(const uint8_t *buf, size_t len,
						  struct amt_msg *msg)
{
	if (len < AMT_DISCOVERY_LEN)
		return AMT_DECODE_TOO_SHORT;
	if (!amt_all_zero(buf + 1, 3))
		msg->flags |= AMT_MSGF_RESERVED;
	msg->nonce = amt_get32(buf + 4);
	amt_check_trailing(len, AMT_DISCOVERY_LEN, msg);
	return AMT_DECODE_OK;
}

/*
 * The relay address is 4 or 16 bytes; its family must be the outer one
 * (the Advertisement answers a Discovery of that family).
 */
static enum amt_decode_error amt_decode_advertisement(const uint8_t *buf, size_t len,
						      int outer_family, struct amt_msg *msg)
{
	int family = outer_family;
	size_t need;

	if (len < AMT_DISCOVERY_LEN)
		return AMT_DECODE_TOO_SHORT;
	if (family != AF_INET && family != AF_INET6)
		family = len >= AMT_ADVERTISEMENT_V6_LEN ? AF_INET6 : AF_INET;

	need = family == AF_INET ? AMT_ADVERTISEMENT_V4_LEN : AMT_ADVERTISEMENT_V6_LEN;
	if (outer_family == AF_INET6 && len == AMT_ADVERTISEMENT_V4_LEN)
		return AMT_DECODE_FAMILY;
	if (outer_family == AF_INET && len == AMT_ADVERTISEMENT_V6_LEN)
		return AMT_DECODE_FAMILY;
	if (len < need)
		return AMT_DECODE_BAD_LENGTH;

	if (!amt_all_zero(buf + 1, 3))
		msg->flags |= AMT_MSGF_RESERVED;
	msg->nonce = amt_get32(buf + 4);
	msg->relay.family = family;
	memcpy(&msg->relay.ip, buf + AMT_DISCOVERY_LEN, amt_family_addr_len(family));
	amt_check_trailing(len, need, msg);
	return AMT_DECODE_OK;
}

static enum amt_decode_error amt_decode_request(const uint8_t *buf, size_t len,
						enum amt_flag_layout layout, struct amt_msg *msg)
{
	uint8_t p = amt_flag_p(layout);

	if (len < AMT_REQUEST_LEN)
		return AMT_DECODE_TOO_SHORT;
	amt_check_flag_byte(buf[1], p, AMT_LINUX_P, layout, msg);
	if (buf[2] || buf[3])
		msg->flags |= AMT_MSGF_RESERVED;
	msg->p = (buf[1] & p) != 0;
	msg->nonce = amt_get32(buf + 4);
	amt_check_trailing(len, AMT_REQUEST_LEN, msg);
	return AMT_DECODE_OK;
}

/* Response MAC and Request Nonce, bytes 2..11 of Query/Update/Teardown. */
static void amt_decode_mac_nonce(const uint8_t *buf, struct amt_msg *msg)
{
	memcpy(msg->mac, buf + 2, AMT_RESPONSE_MAC_LEN);
	msg->nonce = amt_get32(buf + 2 + AMT_RESPONSE_MAC_LEN);
}

/*
 * With G set, the gateway fields are the last 18 bytes of the message
 * (RFC 7450 5.1.4.9); the General Query lies between them and the header.
 */
static enum amt_decode_error amt_decode_query(const uint8_t *buf, size_t len, int outer_family,
					      enum amt_flag_layout layout, struct amt_msg *msg)
{
	uint8_t g = amt_flag_g(layout), l = amt_flag_l(layout);
	size_t room;
	enum amt_decode_error err;

	if (len < AMT_QUERY_HDR_LEN)
		return AMT_DECODE_TOO_SHORT;
	amt_check_flag_byte(buf[1], g | l, AMT_LINUX_G | AMT_LINUX_L, layout, msg);
	msg->g = (buf[1] & g) != 0;
	msg->l = (buf[1] & l) != 0;
	amt_decode_mac_nonce(buf, msg);

	room = len - AMT_QUERY_HDR_LEN;
	if (msg->g) {
		if (room < AMT_GW_FIELDS_LEN)
			return AMT_DECODE_TOO_SHORT;
		room -= AMT_GW_FIELDS_LEN;
		err = amt_decode_gw_fields(buf + len - AMT_GW_FIELDS_LEN, outer_family, msg);
		if (err != AMT_DECODE_OK)
			return err;
	}
	return amt_decode_inner(buf + AMT_QUERY_HDR_LEN, room, msg);
}

static enum amt_decode_error amt_decode_update(const uint8_t *buf, size_t len, struct amt_msg *msg)
{
	if (len < AMT_UPDATE_HDR_LEN)
		return AMT_DECODE_TOO_SHORT;
	if (buf[1])
		msg->flags |= AMT_MSGF_RESERVED;
	amt_decode_mac_nonce(buf, msg);
	return amt_decode_inner(buf + AMT_UPDATE_HDR_LEN, len - AMT_UPDATE_HDR_LEN, msg);
}

static enum amt_decode_error amt_decode_data(const uint8_t *buf, size_t len, struct amt_msg *msg)
{
	if (len < AMT_DATA_HDR_LEN)
		return AMT_DECODE_TOO_SHORT;
	if (buf[1])
		msg->flags |= AMT_MSGF_RESERVED;
	return amt_decode_inner(buf + AMT_DATA_HDR_LEN, len - AMT_DATA_HDR_LEN, msg);
}

static enum amt_decode_error amt_decode_teardown(const uint8_t *buf, size_t len, int outer_family,
						 struct amt_msg *msg)
{
	if (len < AMT_TEARDOWN_LEN)
		return AMT_DECODE_TOO_SHORT;
	if (buf[1])
		msg->flags |= AMT_MSGF_RESERVED;
	amt_decode_mac_nonce(buf, msg);
	amt_check_trailing(len, AMT_TEARDOWN_LEN, msg);
	return amt_decode_gw_fields(buf + AMT_MAC_NONCE_HDR_LEN, outer_family, msg);
}

enum amt_decode_error amt_decode(const uint8_t *buf, size_t len, int outer_family,
				 enum amt_flag_layout layout, struct amt_msg *msg)
{
	uint8_t type;

	memset(msg, 0, sizeof(*msg));
	if (len < 1)
		return AMT_DECODE_TOO_SHORT;
	if ((buf[0] >> AMT_VERSION_SHIFT) != AMT_VERSION)
		return AMT_DECODE_BAD_VERSION;

	type = buf[0] & AMT_TYPE_MASK;
	if (type < AMT_MSG_RELAY_DISCOVERY || type > AMT_MSG_TEARDOWN)
		return AMT_DECODE_UNKNOWN_TYPE;
	msg->type = type;
	switch (msg->type) {
	case AMT_MSG_RELAY_DISCOVERY:
		return amt_decode_discovery(buf, len, msg);
	case AMT_MSG_RELAY_ADVERTISEMENT:
		return amt_decode_advertisement(buf, len, outer_family, msg);
	case AMT_MSG_REQUEST:
		return amt_decode_request(buf, len, layout, msg);
	case AMT_MSG_MEMBERSHIP_QUERY:
		return amt_decode_query(buf, len, outer_family, layout, msg);
	case AMT_MSG_MEMBERSHIP_UPDATE:
		return amt_decode_update(buf, len, msg);
	case AMT_MSG_MULTICAST_DATA:
		return amt_decode_data(buf, len, msg);
	case AMT_MSG_TEARDOWN:
		return amt_decode_teardown(buf, len, outer_family, msg);
	}
	return AMT_DECODE_UNKNOWN_TYPE;
}

/* Encoders. */

static inline uint8_t amt_type_byte(enum amt_msg_type type)
{
	return (AMT_VERSION << AMT_VERSION_SHIFT) | type;
}

ssize_t amt_encode_discovery(uint8_t *buf, size_t size, uint32_t nonce)
{
	if (size < AMT_DISCOVERY_LEN)
		return -1;
	buf[0] = amt_type_byte(AMT_MSG_RELAY_DISCOVERY);
	memset(buf + 1, 0, 3);
	amt_put32(buf + 4, nonce);
	return AMT_DISCOVERY_LEN;
}

ssize_t amt_encode_advertisement(uint8_t *buf, size_t size, uint32_t nonce,
				 const struct amt_ipaddr *relay)
{
	size_t alen = amt_family_addr_len(relay->family);
	size_t total = AMT_DISCOVERY_LEN + alen;

	if (!alen || size < total)
		return -1;
	buf[0] = amt_type_byte(AMT_MSG_RELAY_ADVERTISEMENT);
	memset(buf + 1, 0, 3);
	amt_put32(buf + 4, nonce);
	memcpy(buf + AMT_DISCOVERY_LEN, &relay->ip, alen);
	return total;
}

ssize_t amt_encode_request(uint8_t *buf, size_t size, uint32_t nonce, bool p,
			   enum amt_flag_layout layout)
{
	if (size < AMT_REQUEST_LEN)
		return -1;
	buf[0] = amt_type_byte(AMT_MSG_REQUEST);
	buf[1] = p ? amt_flag_p(layout) : 0;
	buf[2] = 0;
	buf[3] = 0;
	amt_put32(buf + 4, nonce);
	return AMT_REQUEST_LEN;
}

static void amt_encode_mac_nonce(uint8_t *buf, enum amt_msg_type type, uint8_t flags,
				 const uint8_t mac[AMT_RESPONSE_MAC_LEN], uint32_t nonce)
{
	buf[0] = amt_type_byte(type);
	buf[1] = flags;
	memcpy(buf + 2, mac, AMT_RESPONSE_MAC_LEN);
	amt_put32(buf + 2 + AMT_RESPONSE_MAC_LEN, nonce);
}

/* IPv4 goes out in IPv4-compatible form (96 zero bits, then the address). */
static int amt_encode_gw_fields(uint8_t *p, const struct amt_ipaddr *gw_addr, uint16_t gw_port)
{
	amt_put16(p, gw_port);
	switch (gw_addr->family) {
	case AF_INET:
		memset(p + 2, 0, 12);
		memcpy(p + 14, &gw_addr->ip.v4, 4);
		return 0;
	case AF_INET6:
		memcpy(p + 2, &gw_addr->ip.v6, 16);
		return 0;
	}
	return -1;
}

ssize_t amt_encode_query(uint8_t *buf, size_t size, const uint8_t mac[AMT_RESPONSE_MAC_LEN],
			 uint32_t nonce, bool l, const uint8_t *query, size_t query_len,
			 const struct amt_ipaddr *gw_addr, uint16_t gw_port,
			 enum amt_flag_layout layout)
{
	size_t total = AMT_QUERY_HDR_LEN + query_len;
	uint8_t flags = 0;

	if (gw_addr) {
		if (!amt_family_addr_len(gw_addr->family))
			return -1;
		total += AMT_GW_FIELDS_LEN;
		flags |= amt_flag_g(layout);
	}
	if (l)
		flags |= amt_flag_l(layout);
	if (size < total || total < query_len)
		return -1;

	/* The query may already be in place: move it before the header. */
	if (query_len)
		memmove(buf + AMT_QUERY_HDR_LEN, query, query_len);
	amt_encode_mac_nonce(buf, AMT_MSG_MEMBERSHIP_QUERY, flags, mac, nonce);
	if (gw_addr)
		amt_encode_gw_fields(buf + AMT_QUERY_HDR_LEN + query_len, gw_addr, gw_port);
	return total;
}

ssize_t amt_encode_update(uint8_t *buf, size_t size, const uint8_t mac[AMT_RESPONSE_MAC_LEN],
			  uint32_t nonce, const uint8_t *report, size_t report_len)
{
	size_t total = AMT_UPDATE_HDR_LEN + report_len;

	if (size < total || total < report_len)
		return -1;
	if (report_len)
		memmove(buf + AMT_UPDATE_HDR_LEN, report, report_len);
	amt_encode_mac_nonce(buf, AMT_MSG_MEMBERSHIP_UPDATE, 0, mac, nonce);
	return total;
}

void amt_encode_data_header(uint8_t hdr[AMT_DATA_HDR_LEN])
{
	hdr[0] = amt_type_byte(AMT_MSG_MULTICAST_DATA);
	hdr[1] = 0;
}

ssize_t amt_encode_data(uint8_t *buf, size_t size, const uint8_t *pkt, size_t pkt_len)
{
	size_t total = AMT_DATA_HDR_LEN + pkt_len;

	if (size < total || total < pkt_len)
		return -1;
	if (pkt_len)
		memmove(buf + AMT_DATA_HDR_LEN, pkt, pkt_len);
	amt_encode_data_header(buf);
	return total;
}

ssize_t amt_encode_teardown(uint8_t *buf, size_t size, const uint8_t mac[AMT_RESPONSE_MAC_LEN],
			    uint32_t nonce, const struct amt_ipaddr *gw_addr, uint16_t gw_port)
{
	if (size < AMT_TEARDOWN_LEN || !amt_family_addr_len(gw_addr->family))
		return -1;
	amt_encode_mac_nonce(buf, AMT_MSG_TEARDOWN, 0, mac, nonce);
	amt_encode_gw_fields(buf + AMT_MAC_NONCE_HDR_LEN, gw_addr, gw_port);
	return AMT_TEARDOWN_LEN;
}

ssize_t amt_encode_msg(uint8_t *buf, size_t size, const struct amt_msg *msg,
		       enum amt_flag_layout layout)
{
	switch (msg->type) {
	case AMT_MSG_RELAY_DISCOVERY:
		return amt_encode_discovery(buf, size, msg->nonce);
	case AMT_MSG_RELAY_ADVERTISEMENT:
		return amt_encode_advertisement(buf, size, msg->nonce, &msg->relay);
	case AMT_MSG_REQUEST:
		return amt_encode_request(buf, size, msg->nonce, msg->p, layout);
	case AMT_MSG_MEMBERSHIP_QUERY:
		return amt_encode_query(buf, size, msg->mac, msg->nonce, msg->l, msg->inner,
					msg->inner_len, msg->g ? &msg->gw_addr : NULL, msg->gw_port,
					layout);
	case AMT_MSG_MEMBERSHIP_UPDATE:
		return amt_encode_update(buf, size, msg->mac, msg->nonce, msg->inner,
					 msg->inner_len);
	case AMT_MSG_MULTICAST_DATA:
		return amt_encode_data(buf, size, msg->inner, msg->inner_len);
	case AMT_MSG_TEARDOWN:
		return amt_encode_teardown(buf, size, msg->mac, msg->nonce, &msg->gw_addr,
					   msg->gw_port);
	}
	return -1;
}

/*
 * RFC 7450 section 5.1.4 lets the relay choose whether a Query carries the
 * Gateway Address/Port fields (G).  RFC 7450 gateways use them to detect a
 * NAT change (section 5.2.3.4.2), but two gateways deployed in numbers
 * cannot take them:
 * - the Linux driver reads byte 1 as bitfields in the high bits and drops a
 *   Query with any other bit set, G at 0x01 included.  As a gateway it
 *   sends from the AMT port, 2268, where RFC gateways use an ephemeral
 *   port, and its P for MLD lands in bit 0x80;
 * - VLC's access module accepts an IPv4 Query only at its exact length
 *   without gateway fields; its Request is 9 bytes, one more than section
 *   5.1.3 defines.
 */
enum amt_gw_kind amt_request_gw_kind(const struct amt_msg *req, uint16_t src_port)
{
	if (src_port == AMT_UDP_PORT || (req->flags & AMT_MSGF_LINUX_BITS))
		return AMT_GW_KIND_LINUX;
	if (req->flags & AMT_MSGF_TRAILING)
		return AMT_GW_KIND_EXACT;
	return AMT_GW_KIND_RFC;
}

const char *amt_gw_kind_str(enum amt_gw_kind kind)
{
	switch (kind) {
	case AMT_GW_KIND_RFC:
		return "rfc";
	case AMT_GW_KIND_LINUX:
		return "linux";
	case AMT_GW_KIND_EXACT:
		return "exact-length";
	case AMT_GW_KIND_MAX:
		break;
	}
	return "?";
}

bool amt_request_wants_mld(const struct amt_msg *req, enum amt_gw_kind kind)
{
	/* In RFC layout, the only Linux bit a Request can carry is P (0x80). */
	return req->p || (kind == AMT_GW_KIND_LINUX && (req->flags & AMT_MSGF_LINUX_BITS));
}

/* The first byte of an IPv4 address that may send and be answered. */
static bool amt_v4_endpoint_ok(uint8_t first)
{
	/* 0/8 is "this network"; 224/4 multicast; 240/4 reserved and broadcast. */
	return first != 0 && first < 224;
}

bool amt_endpoint_ok(int family, const union amt_ip *addr, uint16_t port)
{
	static const uint8_t v4mapped[12] = { [10] = 0xff, [11] = 0xff };
	const uint8_t *b = addr->bytes;

	if (port == 0)
		return false;
	if (family == AF_INET)
		return amt_v4_endpoint_ok(b[0]);
	if (family != AF_INET6 || b[0] == 0xff)
		return false;
	if (amt_all_zero(b, 16))
		return false;
	/* IPv4-mapped: the IPv4 rules. */
	if (!memcmp(b, v4mapped, sizeof(v4mapped)))
		return amt_v4_endpoint_ok(b[12]);
	return true;
}
