// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AMT gateway: DNS relay discovery (RFC 8777).  AMTRELAY records are
 * queried with c-ares through the system resolver (/etc/resolv.conf), and
 * the relays they name are tried in precedence order; a relay that fails
 * is left for the next record, and when none is left the records are
 * queried again after a back-off.
 */
#ifndef _AMT_GATEWAY_DNS_H
#define _AMT_GATEWAY_DNS_H

#include "amt_dns_record.h"

struct amt_gateway;
struct event;
struct ares_channeldata;

/* File descriptors c-ares may use at once for one lookup. */
#define AMT_GW_DNS_MAX_FDS 16

struct amt_gw_dns_stats {
	uint64_t queries;	   /* AMTRELAY queries sent */
	uint64_t answers;	   /* answers naming at least one relay */
	uint64_t query_failures;   /* no answer: NXDOMAIN, timeout, ... */
	uint64_t bad_answers;	   /* malformed DNS messages */
	uint64_t empty_answers;	   /* answers naming no relay */
	uint64_t bad_records;	   /* AMTRELAY records rejected */
	uint64_t no_relay_records; /* AMTRELAY records of type 0 */
	uint64_t over_limit;	   /* records beyond AMT_DNS_MAX_RELAYS */
	uint64_t name_failures;	   /* relay names (type 3) that did not resolve */
	uint64_t relays_tried;	   /* records tried */
};

struct amt_gw_dns_fd {
	struct amt_gw_dns *dns;
	int fd; /* -1: slot free */
	struct event *t_read, *t_write;
};

struct amt_gw_dns {
	struct amt_gateway *gw;
	struct ares_channeldata *channel;
	struct amt_gw_dns_fd fds[AMT_GW_DNS_MAX_FDS];
	struct event *t_ares;  /* c-ares' own timeouts */
	struct event *t_query; /* next query: back-off, or TTL refresh */
	bool busy;	       /* a query or a name lookup is outstanding */

	/* Where the records are: the reverse name of the source, or a name. */
	char qname[AMT_DNS_NAME_TEXT_MAX];

	/* The records of the last answer, in the order they are tried. */
	struct amt_relay_record recs[AMT_DNS_MAX_RELAYS];
	unsigned int nrecs;
	int cur; /* index of the record in use, -1 for none */
	uint32_t ttl;
	uint32_t backoff_s;

	/* The record in use and the address it gave. */
	bool have_cur;
	struct amt_relay_record cur_rec;
	struct amt_ipaddr cur_addr;

	struct amt_gw_dns_stats stats;
};

extern struct amt_gw_dns *amt_gw_dns_new(struct amt_gateway *gw);
extern void amt_gw_dns_free(struct amt_gw_dns **dnsp);
/* Look the records up (again) and try them from the first. */
extern void amt_gw_dns_start(struct amt_gw_dns *dns);
/* The relay in use failed: try the next record. */
extern void amt_gw_dns_relay_failed(struct amt_gw_dns *dns);
/*
 * The relay in use set L: try the records from the first, skipping the
 * relay being left; when none is left, amt_gateway_move_failed().
 */
extern void amt_gw_dns_move(struct amt_gw_dns *dns);
/* The move found no other relay: the record in use is again this one. */
extern void amt_gw_dns_stay(struct amt_gw_dns *dns, bool have_cur,
			    const struct amt_relay_record *rec, const struct amt_ipaddr *addr);
/* The tunnel came up: reset the back-off, refresh the records at their TTL. */
extern void amt_gw_dns_tunnel_up(struct amt_gw_dns *dns);

#endif /* _AMT_GATEWAY_DNS_H */
