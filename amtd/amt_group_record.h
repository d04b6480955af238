// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A group record decoded from an IGMP or MLD report: the hand-off between
 * the report decoder (amt_igmp.c) and the membership state (amt_membership.c).
 *
 * IGMPv1/v2 and MLDv1 messages are mapped onto IGMPv3/MLDv2 records as
 * RFC 3376 section 7.3.2 and RFC 3810 section 8.3.2 describe: a report
 * becomes IS_EX({}), a leave becomes TO_IN({}); `version` tells the state
 * machine which compatibility mode the message calls for.
 */
#ifndef _AMT_GROUP_RECORD_H
#define _AMT_GROUP_RECORD_H

#include <stdint.h>
#include <netinet/in.h>

/* An IPv4 or IPv6 address; the family is carried beside it. */
union amt_ip {
	struct in_addr v4;
	struct in6_addr v6;
	uint8_t bytes[16];
};

/* RFC 3376 section 4.2.12 / RFC 3810 section 5.2.12 record types. */
enum amt_record_type {
	AMT_REC_MODE_IS_INCLUDE = 1,
	AMT_REC_MODE_IS_EXCLUDE = 2,
	AMT_REC_CHANGE_TO_INCLUDE = 3,
	AMT_REC_CHANGE_TO_EXCLUDE = 4,
	AMT_REC_ALLOW_NEW_SOURCES = 5,
	AMT_REC_BLOCK_OLD_SOURCES = 6,
};

struct amt_group_record {
	/* AF_INET (IGMP) or AF_INET6 (MLD). */
	uint8_t family;
	/* enum amt_record_type */
	uint8_t type;
	/*
	 * Protocol version of the message the record came from:
	 * IGMP 1, 2 or 3; MLD 1 or 2.
	 */
	uint8_t version;
	union amt_ip group;
	uint16_t num_sources;
	/*
	 * num_sources packed addresses (4 or 16 bytes each, by family),
	 * pointing into the decoded message; not necessarily aligned.
	 */
	const uint8_t *sources;
};

#endif /* _AMT_GROUP_RECORD_H */
