// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AMT wire codec (RFC 7450 section 5.1): encoders and decoders for the
 * seven AMT messages.  Pure code over caller buffers: no allocation, no
 * sockets, no clocks.
 *
 * Decoders are strict on lengths (they never read past `len` and reject
 * what cannot be parsed) and tolerant elsewhere: trailing bytes after a
 * fixed-size message, non-zero reserved bits and the like are accepted and
 * reported in `struct amt_msg.flags` so callers can count them.
 */
#ifndef _AMT_PACKET_H
#define _AMT_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "amt_group_record.h"

#define AMT_UDP_PORT 2268
#define AMT_VERSION  0

enum amt_msg_type {
	AMT_MSG_RELAY_DISCOVERY = 1,
	AMT_MSG_RELAY_ADVERTISEMENT = 2,
	AMT_MSG_REQUEST = 3,
	AMT_MSG_MEMBERSHIP_QUERY = 4,
	AMT_MSG_MEMBERSHIP_UPDATE = 5,
	AMT_MSG_MULTICAST_DATA = 6,
	AMT_MSG_TEARDOWN = 7,
};

/* Sizes on the wire. */
#define AMT_RESPONSE_MAC_LEN	 6
#define AMT_DISCOVERY_LEN	 8
#define AMT_ADVERTISEMENT_V4_LEN 12
#define AMT_ADVERTISEMENT_V6_LEN 24
#define AMT_REQUEST_LEN		 8
/* Type, flags, Response MAC and Request Nonce of Query/Update/Teardown. */
#define AMT_MAC_NONCE_HDR_LEN 12
#define AMT_QUERY_HDR_LEN     AMT_MAC_NONCE_HDR_LEN
#define AMT_UPDATE_HDR_LEN    AMT_MAC_NONCE_HDR_LEN
/* Gateway Port Number (2) and Gateway IP Address (always 16 bytes). */
#define AMT_GW_FIELDS_LEN 18
#define AMT_TEARDOWN_LEN  (AMT_MAC_NONCE_HDR_LEN + AMT_GW_FIELDS_LEN)
#define AMT_DATA_HDR_LEN  2

/*
 * Where the Request P flag and the Query L/G flags sit in the byte after
 * the type.  RFC 7450 puts them in the low bits (P = 0x01, G = 0x01,
 * L = 0x02); the Linux kernel amt driver puts them in the high bits
 * (P = 0x80, G = 0x80, L = 0x40).  The RFC layout is the default.
 */
enum amt_flag_layout {
	AMT_FLAGS_RFC = 0,
	AMT_FLAGS_LINUX,
};

/* Why a message was rejected. */
enum amt_decode_error {
	AMT_DECODE_OK = 0,
	/* Shorter than the fixed part of its type. */
	AMT_DECODE_TOO_SHORT,
	/* Version field is not 0. */
	AMT_DECODE_BAD_VERSION,
	/* Type field is not 1..7. */
	AMT_DECODE_UNKNOWN_TYPE,
	/* Length impossible for the type (or for the encapsulated packet). */
	AMT_DECODE_BAD_LENGTH,
	/* An address whose family contradicts the outer IP family. */
	AMT_DECODE_FAMILY,
	/* Encapsulated packet is neither IPv4 nor IPv6. */
	AMT_DECODE_BAD_INNER,
	AMT_DECODE_ERROR_MAX,
};

/* Accepted but unusual: bits of struct amt_msg.flags. */
/* Bytes after a fixed-size message or after the encapsulated packet. */
#define AMT_MSGF_TRAILING 0x01
/* Non-zero reserved bits. */
#define AMT_MSGF_RESERVED 0x02
/* RFC layout: flag bits set where the Linux driver puts P/L/G. */
#define AMT_MSGF_LINUX_BITS 0x04
/* Gateway IPv4 address stored IPv4-mapped instead of IPv4-compatible. */
#define AMT_MSGF_V4MAPPED 0x08

/* An address together with its family (AF_INET or AF_INET6). */
struct amt_ipaddr {
	uint8_t family;
	union amt_ip ip;
};

/*
 * A decoded message.  Which fields are meaningful depends on `type`;
 * `inner` points into the decoded buffer.
 */
struct amt_msg {
	enum amt_msg_type type;
	/* AMT_MSGF_* */
	uint8_t flags;
	/* Discovery Nonce (types 1, 2) or Request Nonce (3, 4, 5, 7). */
	uint32_t nonce;
	/* Response MAC (4, 5, 7). */
	uint8_t mac[AMT_RESPONSE_MAC_LEN];
	/* Request: P flag, the gateway wants an MLDv2 (IPv6) General Query. */
	bool p;
	/* Query: relay at its tunnel limit (L); gateway fields present (G). */
	bool l;
	bool g;
	/* Advertisement: the relay address. */
	struct amt_ipaddr relay;
	/* Query with G set, and Teardown: the gateway endpoint. */
	struct amt_ipaddr gw_addr;
	uint16_t gw_port;
	/*
	 * Query, Update, Data: the encapsulated IP packet, trimmed to the
	 * length its own IP header declares; family from its version nibble.
	 */
	const uint8_t *inner;
	size_t inner_len;
	uint8_t inner_family;
};

/*
 * Decode one AMT message (the UDP payload).
 *
 * outer_family: AF_INET or AF_INET6, the family of the datagram carrying
 *	the message, or AF_UNSPEC to skip the checks that need it (the
 *	Advertisement's relay address family; the gateway address in
 *	Query and Teardown, which an IPv4 peer sends IPv4-compatible).
 * layout: where P, L and G are looked for.
 */
enum amt_decode_error amt_decode(const uint8_t *buf, size_t len, int outer_family,
				 enum amt_flag_layout layout, struct amt_msg *msg);
const char *amt_decode_error_str(enum amt_decode_error err);
const char *amt_msg_type_str(enum amt_msg_type type);

/*
 * Encoders write into buf (size bytes) and return the number of bytes
 * written, or -1 when the message does not fit or an argument is invalid.
 * The encapsulated packet of Query, Update and Data may already sit at its
 * final place in buf (buf + header length).
 */
ssize_t amt_encode_discovery(uint8_t *buf, size_t size, uint32_t nonce);
ssize_t amt_encode_advertisement(uint8_t *buf, size_t size, uint32_t nonce,
				 const struct amt_ipaddr *relay);
ssize_t amt_encode_request(uint8_t *buf, size_t size, uint32_t nonce, bool p,
			   enum amt_flag_layout layout);
/* gw_addr NULL: G clear, no gateway fields. */
ssize_t amt_encode_query(uint8_t *buf, size_t size, const uint8_t mac[AMT_RESPONSE_MAC_LEN],
			 uint32_t nonce, bool l, const uint8_t *query, size_t query_len,
			 const struct amt_ipaddr *gw_addr, uint16_t gw_port,
			 enum amt_flag_layout layout);
ssize_t amt_encode_update(uint8_t *buf, size_t size, const uint8_t mac[AMT_RESPONSE_MAC_LEN],
			  uint32_t nonce, const uint8_t *report, size_t report_len);
ssize_t amt_encode_data(uint8_t *buf, size_t size, const uint8_t *pkt, size_t pkt_len);
ssize_t amt_encode_teardown(uint8_t *buf, size_t size, const uint8_t mac[AMT_RESPONSE_MAC_LEN],
			    uint32_t nonce, const struct amt_ipaddr *gw_addr, uint16_t gw_port);

/*
 * Write the 2-byte Multicast Data header, for a data path that sends it
 * in front of a packet kept elsewhere (scatter/gather).
 */
void amt_encode_data_header(uint8_t hdr[AMT_DATA_HDR_LEN]);

/*
 * The kinds of gateway a relay tells apart by their Request, so that each
 * gets a Membership Query it accepts (see amt_request_gw_kind()).
 */
enum amt_gw_kind {
	/* An RFC 7450 gateway: Query with the Gateway Address/Port fields. */
	AMT_GW_KIND_RFC = 0,
	/*
	 * The Linux kernel's amt driver: flags in the high bits, every Query
	 * with another bit set in that byte dropped, Requests from the AMT
	 * port itself.
	 */
	AMT_GW_KIND_LINUX,
	/*
	 * A gateway that accepts only a Query of the exact length without
	 * gateway fields (VLC's access module, whose Request is 9 bytes).
	 */
	AMT_GW_KIND_EXACT,
	AMT_GW_KIND_MAX,
};

/*
 * Which kind of gateway sent a Request (decoded in RFC layout), from its
 * form and UDP source port.  Pure guesswork from facts on the wire; a
 * relay operator can override its consequences (gateway-fields,
 * linux-flag-layout).
 */
enum amt_gw_kind amt_request_gw_kind(const struct amt_msg *req, uint16_t src_port);
const char *amt_gw_kind_str(enum amt_gw_kind kind);

/*
 * The P flag of a Request from a gateway of `kind` decoded in RFC layout:
 * the Linux driver sets it in the high bit.
 */
bool amt_request_wants_mld(const struct amt_msg *req, enum amt_gw_kind kind);

/*
 * Whether a datagram's source can be a gateway or relay endpoint that may
 * be answered: not multicast, broadcast, unspecified or reserved, not port
 * 0.  Such sources are spoofed, and an answer would reflect traffic onto a
 * third party (RFC 7450 section 6).
 */
bool amt_endpoint_ok(int family, const union amt_ip *addr, uint16_t port);

/* Encode a decoded message again (inner data taken from msg->inner). */
ssize_t amt_encode_msg(uint8_t *buf, size_t size, const struct amt_msg *msg,
		       enum amt_flag_layout layout);

#endif /* _AMT_PACKET_H */
