// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IGMP and MLD codec for AMT: the group membership messages that AMT
 * carries as *full IP packets* (IPv4 + IGMP, IPv6 + Hop-by-Hop + MLD).
 *
 * - Reports (in Membership Updates, and from the gateway's tun) are
 *   validated and read group record by group record, without allocation.
 * - Queries (in Membership Queries, and from pimd on the relay's tun) are
 *   parsed into struct amt_query.
 * - General Queries and host-side reports are built, checksums included.
 * - The RFC 3376 / RFC 3810 floating-point codes are converted both ways.
 *
 * Decoders are strict on lengths and checksums and tolerant of the rest:
 * what is unusual but harmless is accepted and reported in `flags`.
 */
#ifndef _AMT_IGMP_H
#define _AMT_IGMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "amt_group_record.h"

/* IPv4 header with the Router Alert option; IPv6 header + Hop-by-Hop. */
#define AMT_IGMP_IP_HDR_LEN 24
#define AMT_MLD_IP_HDR_LEN  48

/* Message lengths (without IP). */
#define AMT_IGMP_V2_LEN	      8
#define AMT_IGMPV3_QUERY_LEN  12
#define AMT_IGMPV3_REPORT_HDR 8
#define AMT_IGMPV3_RECORD_HDR 8
#define AMT_MLD_V1_LEN	      24
#define AMT_MLDV2_QUERY_LEN   28
#define AMT_MLDV2_REPORT_HDR  8
#define AMT_MLDV2_RECORD_HDR  20

/* Largest values the floating-point codes can express. */
#define AMT_IGMP_CODE_MAX 31744	  /* 8-bit code: 0x1f << 10 */
#define AMT_MLD_CODE_MAX  8387584 /* 16-bit code: 0x1fff << 10 */

/* Why an encapsulated IGMP/MLD packet was rejected. */
enum amt_igmp_error {
	AMT_IGMP_OK = 0,
	AMT_IGMP_ERR_TOO_SHORT,
	/* IP version, IHL, options or extension headers malformed. */
	AMT_IGMP_ERR_BAD_IP_HEADER,
	/* IP length fields vs buffer, or message length vs its type. */
	AMT_IGMP_ERR_BAD_LENGTH,
	AMT_IGMP_ERR_IP_CHECKSUM,
	/* IGMP checksum, or ICMPv6 checksum over the pseudo-header. */
	AMT_IGMP_ERR_CHECKSUM,
	/* IPv4 where IPv6 was expected or the reverse. */
	AMT_IGMP_ERR_FAMILY,
	AMT_IGMP_ERR_FRAGMENT,
	/* Not IGMP (IPv4 protocol 2) nor ICMPv6 (after Hop-by-Hop). */
	AMT_IGMP_ERR_NOT_IGMP,
	AMT_IGMP_ERR_NOT_REPORT,
	AMT_IGMP_ERR_NOT_QUERY,
	/* A source count runs past the end of the message. */
	AMT_IGMP_ERR_SOURCES,
	AMT_IGMP_ERR_MAX,
};

const char *amt_igmp_error_str(enum amt_igmp_error err);

/* Accepted but unusual: bits of `flags` in amt_report and amt_query. */
#define AMT_IGMPF_NO_ROUTER_ALERT 0x0001
/* IPv4 source 0.0.0.0. */
#define AMT_IGMPF_ZERO_SOURCE 0x0002
/* TTL / Hop Limit other than 1. */
#define AMT_IGMPF_TTL 0x0004
/* Bytes after the IP packet or after the message's last field. */
#define AMT_IGMPF_TRAILING 0x0008
/* Non-zero reserved fields. */
#define AMT_IGMPF_RESERVED 0x0010
/* A group record of unknown type (skipped by amt_report_next()). */
#define AMT_IGMPF_UNKNOWN_RECORD 0x0020
/* A record for a non-multicast group (skipped by amt_report_next()). */
#define AMT_IGMPF_BAD_GROUP 0x0040
/* MLD source neither link-local nor the unspecified address. */
#define AMT_IGMPF_SOURCE_SCOPE 0x0080

/*
 * A validated report.  The whole message is checked by
 * amt_report_decode(); amt_report_next() then cannot fail.
 */
struct amt_report {
	/* AF_INET (IGMP) or AF_INET6 (MLD). */
	uint8_t family;
	/* IGMP 1, 2, 3; MLD 1, 2. */
	uint8_t version;
	/* AMT_IGMPF_* */
	uint16_t flags;
	union amt_ip src;
	union amt_ip dst;
	/* Records announced (1 for IGMPv1/v2 and MLDv1 messages). */
	uint16_t num_records;

	/* Iteration state, private. */
	const uint8_t *pos;
	uint16_t left;
	struct amt_group_record legacy;
};

/*
 * Validate an IP packet carrying an IGMP/MLD report.  family: AF_INET,
 * AF_INET6, or AF_UNSPEC to accept either.  On success, read the records
 * with amt_report_next().
 */
enum amt_igmp_error amt_report_decode(const uint8_t *pkt, size_t len, int family,
				      struct amt_report *rep);
/*
 * Next group record (sources point into the packet); false at the end.
 * Records of unknown type or for non-multicast groups are skipped.
 */
bool amt_report_next(struct amt_report *rep, struct amt_group_record *rec);

/* A parsed query. */
struct amt_query {
	uint8_t family;
	/* IGMP 1, 2, 3; MLD 1, 2. */
	uint8_t version;
	/* AMT_IGMPF_* */
	uint16_t flags;
	union amt_ip src;
	union amt_ip dst;
	/* All-zero for a General Query. */
	union amt_ip group;
	/* Maximum response time, decoded, in milliseconds. */
	uint32_t max_resp_ms;
	/* QRV, S and QQI (decoded, seconds): 0/false before IGMPv3/MLDv2. */
	uint8_t qrv;
	bool s_flag;
	uint32_t qqi;
	uint16_t num_sources;
	/* num_sources packed addresses in the packet. */
	const uint8_t *sources;
};

enum amt_igmp_error amt_query_parse(const uint8_t *pkt, size_t len, int family, struct amt_query *q);

/* What amt_query_build() makes. */
struct amt_query_params {
	uint8_t family;
	/* IGMP 2 or 3; MLD 1 or 2. */
	uint8_t version;
	/* IPv4 source; for MLD, the link-local source. */
	union amt_ip src;
	/* All-zero: General Query to 224.0.0.1 / ff02::1; else to the group. */
	union amt_ip group;
	uint32_t max_resp_ms;
	/* 0..7; larger values are sent as 0 (RFC 3376 4.1.6). */
	uint8_t qrv;
	/* Seconds. */
	uint32_t qqi;
	bool s_flag;
	uint16_t num_sources;
	const uint8_t *sources;
};

/*
 * Builders write a full IP packet (IPv4 with Router Alert and TTL 1, or
 * IPv6 with a Hop-by-Hop Router Alert and Hop Limit 1) into buf and return
 * its length, or -1 if it does not fit or an argument is invalid.
 */
ssize_t amt_query_build(uint8_t *buf, size_t size, const struct amt_query_params *p);
/* IGMPv3 report to 224.0.0.22 / MLDv2 report to ff02::16. */
ssize_t amt_report_build(uint8_t *buf, size_t size, int family, const union amt_ip *src,
			 const struct amt_group_record *recs, size_t nrecs);
/*
 * Where amt_report_build_part() is in an array of records: the record, and
 * the first of its sources not yet written.  Zero it to start.
 */
struct amt_report_cursor {
	size_t rec;
	uint16_t src;
};

/*
 * One IGMPv3 / MLDv2 report of at most `size` bytes holding the records
 * from the cursor on, which it advances; call until it returns 0.  Records
 * that do not fit go to the next report, and a record too long for a
 * report of its own is split into records of the same type with a part of
 * its sources each, except IS_EX and TO_EX, whose extra sources are left
 * out (RFC 3376 section 4.2.16, RFC 3810 section 5.2.15).  Returns the
 * length, 0 when every record was written, -1 for an invalid record or a
 * size too small for a record without sources.
 */
ssize_t amt_report_build_part(uint8_t *buf, size_t size, int family, const union amt_ip *src,
			      const struct amt_group_record *recs, size_t nrecs,
			      struct amt_report_cursor *cur);

/*
 * The record that leaves a group whose current state `state` describes
 * (MODE_IS_INCLUDE with its sources, or MODE_IS_EXCLUDE; `version` its
 * compatibility mode), as a host leaving it would report the change
 * (RFC 3376 section 5.1, RFC 3810 section 6.1): BLOCK_OLD_SOURCES of the
 * sources of an IGMPv3 / MLDv2 INCLUDE group, else TO_IN({}), which older
 * versions' routers take as a leave.  False for a state of another type.
 */
bool amt_leave_record(const struct amt_group_record *state, struct amt_group_record *leave);

/*
 * IGMPv2 report (to the group) or leave (to 224.0.0.2); MLDv1 report (to
 * the group) or done (to ff02::2).
 */
ssize_t amt_report_build_legacy(uint8_t *buf, size_t size, int family, const union amt_ip *src,
				const union amt_ip *group, bool leave);

/*
 * The source and destination of an IP packet (a multicast datagram: its
 * (S,G)), read from the fixed header: AF_INET or AF_INET6, or 0 when len
 * is shorter than the header of the version the packet says.
 */
int amt_ip_sg(const uint8_t *pkt, size_t len, union amt_ip *source, union amt_ip *group);

/* 224.0.0.0/24, or an IPv6 group of interface- or link-local scope. */
bool amt_group_is_link_local(int family, const union amt_ip *group);

/* A source-specific multicast group: 232.0.0.0/8 or FF3x::/32. */
bool amt_group_is_ssm(int family, const union amt_ip *group);

/*
 * Link-local groups have no business in a tunnel: the host stack reports
 * them (pimd's 224.0.0.13, ...) on the gateway's pseudo-interface too.
 * Returns len with *out = pkt when the report has none, the length of a
 * report rebuilt without them in buf (*out = buf), 0 when no record is
 * left, or -1 for a report that does not decode or has more than
 * AMT_REPORT_MAX_KEPT records to keep.
 */
#define AMT_REPORT_MAX_KEPT 256
ssize_t amt_report_without_link_local(const uint8_t *pkt, size_t len, int family, uint8_t *buf,
				      size_t size, const uint8_t **out);

/*
 * RFC 3376 4.1.1 / 4.1.7 8-bit code (IGMPv3 Max Resp Code and QQIC, MLDv2
 * QQIC): values below 128 as is, above as mantissa/exponent.  Encoding
 * rounds down and saturates at AMT_IGMP_CODE_MAX.
 */
uint8_t amt_igmp_code_encode(uint32_t value);
uint32_t amt_igmp_code_decode(uint8_t code);
/* RFC 3810 5.1.3 16-bit Maximum Response Code (milliseconds). */
uint16_t amt_mld_code_encode(uint32_t value);
uint32_t amt_mld_code_decode(uint16_t code);

#endif /* _AMT_IGMP_H */
