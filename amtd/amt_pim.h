// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The little PIM (RFC 7761) a gateway needs to serve a LAN: it acts as the
 * PIM neighbor of pimd on its pseudo-interface, so that pimd's RPF for the
 * served sources resolves there and pimd sends it Join/Prune messages.
 *
 * - Hellos are built as full IP packets (IPv4 to 224.0.0.13, IPv6 from a
 *   link-local address to ff02::d), checksums included.
 * - Join/Prune messages are validated whole by amt_pim_jp_decode(), then
 *   read entry by entry with amt_pim_jp_next(), without allocation.
 */
#ifndef _AMT_PIM_H
#define _AMT_PIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "amt_group_record.h"

#define AMT_PIM_TYPE_HELLO	0
#define AMT_PIM_TYPE_JOIN_PRUNE 3

enum amt_pim_error {
	AMT_PIM_OK = 0,
	AMT_PIM_ERR_TOO_SHORT,
	/* IP version, header length, or fragment. */
	AMT_PIM_ERR_BAD_IP_HEADER,
	/* IP length fields against the buffer. */
	AMT_PIM_ERR_BAD_LENGTH,
	AMT_PIM_ERR_IP_CHECKSUM,
	/* Not PIM (IPv4 protocol / IPv6 next header 103). */
	AMT_PIM_ERR_NOT_PIM,
	AMT_PIM_ERR_VERSION,
	AMT_PIM_ERR_CHECKSUM,
	/* An encoded address of another family or an unknown encoding. */
	AMT_PIM_ERR_ENCODING,
	/* A group or source count runs past the end of the message. */
	AMT_PIM_ERR_COUNTS,
	AMT_PIM_ERR_NOT_JOIN_PRUNE,
	AMT_PIM_ERR_MAX,
};

const char *amt_pim_error_str(enum amt_pim_error err);

/* A PIM message: IP layer and PIM header checked. */
struct amt_pim_msg {
	uint8_t family;
	uint8_t type;
	union amt_ip src;
	union amt_ip dst;
	/* The PIM message after its 4-byte header. */
	const uint8_t *body;
	size_t body_len;
};

/*
 * Check an IP packet carrying PIM version 2 (checksum over the whole
 * message, with the IPv6 pseudo-header).  AMT_PIM_ERR_NOT_PIM for a valid
 * IP packet of another protocol.
 */
enum amt_pim_error amt_pim_parse(const uint8_t *pkt, size_t len, struct amt_pim_msg *m);

/* A Join/Prune message, validated; entries read with amt_pim_jp_next(). */
struct amt_pim_jp {
	uint8_t family;
	union amt_ip upstream;
	/* Seconds; 0xffff means forever (RFC 7761 4.9.5). */
	uint16_t holdtime;
	uint8_t num_groups;

	/* Iteration state, private. */
	const uint8_t *pos;
	uint8_t groups_left;
	uint16_t joins_left;
	uint16_t prunes_left;
	union amt_ip group;
	uint8_t group_mask;
};

/* Encoded-Source flags (RFC 7761 4.9.1). */
#define AMT_PIM_SRC_S 0x04
#define AMT_PIM_SRC_W 0x02
#define AMT_PIM_SRC_R 0x01

struct amt_pim_jp_entry {
	bool join;
	union amt_ip group;
	uint8_t group_mask;
	union amt_ip source;
	uint8_t source_mask;
	/* AMT_PIM_SRC_* */
	uint8_t flags;
};

enum amt_pim_error amt_pim_jp_decode(const struct amt_pim_msg *m, struct amt_pim_jp *jp);
/* Joined sources of a group come before its pruned ones; false at the end. */
bool amt_pim_jp_next(struct amt_pim_jp *jp, struct amt_pim_jp_entry *e);

struct amt_pim_hello_params {
	uint8_t family;
	/* IPv4 address, or IPv6 link-local address. */
	union amt_ip src;
	/* Seconds; 0 says the neighbor is going away. */
	uint16_t holdtime;
	uint32_t dr_priority;
	uint32_t generation_id;
};

/* Full IP packet into buf; its length, or -1 when it does not fit. */
ssize_t amt_pim_hello_build(uint8_t *buf, size_t size, const struct amt_pim_hello_params *p);

/* Join/Prune builder, for tests and fuzzing seeds: one group, its sources. */
struct amt_pim_jp_params {
	uint8_t family;
	union amt_ip src;
	union amt_ip upstream;
	uint16_t holdtime;
	union amt_ip group;
	uint8_t num_joins;
	uint8_t num_prunes;
	/* num_joins then num_prunes sources and their AMT_PIM_SRC_* flags. */
	const union amt_ip *sources;
	const uint8_t *flags;
};

ssize_t amt_pim_jp_build(uint8_t *buf, size_t size, const struct amt_pim_jp_params *p);

#endif /* _AMT_PIM_H */
