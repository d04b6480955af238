// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AMT gateway (RFC 7450 section 4.1): one tunnel to a relay, carrying the
 * membership the host stack (applications, or pimd as IGMP proxy) reports on
 * the gateway's pseudo-interface, and bringing the multicast back into it.
 */
#ifndef _AMT_GATEWAY_H
#define _AMT_GATEWAY_H

#include "lib/prefix.h"

#include "amt_mac.h"
#include "amt_membership.h"
#include "amt_packet.h"

struct amt_instance;
struct event;

enum amt_gw_state {
	AMT_GW_IDLE,
	AMT_GW_DISCOVERING,
	AMT_GW_REQUESTING,
	AMT_GW_UP,
};

/* As many as the YANG model's max-elements for source-prefix. */
#define AMT_GW_MAX_PREFIXES 64

struct amt_gateway_config {
	struct amt_ipaddr relay;     /* family 0 when not configured */
	struct amt_ipaddr discovery; /* family 0 when not configured */
	uint16_t relay_port;
	uint32_t request_timeout_s;
	uint8_t retransmissions;
	enum amt_flag_layout flag_layout;
	struct prefix prefixes[AMT_GW_MAX_PREFIXES];
	unsigned int nprefixes;
};

struct amt_gateway_stats {
	uint64_t tx_discovery, rx_advertisement, tx_request, rx_query;
	uint64_t tx_update, tx_teardown, rx_data, rx_data_bytes;
	uint64_t drop_data_sender, drop_data_flow, drop_malformed, drop_nonce;
	uint64_t reports_before_up, relay_timeouts, queries_with_l, nat_changes;
	uint64_t tun_write_errors, tx_errors;
};

struct amt_gateway {
	struct amt_instance *inst;
	struct amt_gateway_config cfg;

	enum amt_gw_state state;
	int fd;
	struct event *t_read;
	struct event *t_timer;
	struct event *t_tun_read;

	/* The relay in use and what the last exchange with it gave. */
	struct amt_ipaddr relay;
	uint32_t discovery_nonce;
	uint32_t request_nonce; /* of the last Request sent */
	/* The MAC of the last Query, and the nonce it was computed over. */
	uint8_t mac[AMT_MAC_LEN];
	uint32_t mac_nonce;
	bool have_mac;
	uint8_t tries;
	uint32_t query_interval_s;
	uint64_t up_since_ms;

	/* The gateway's address and port as the relay sees them (G flag). */
	struct amt_ipaddr seen_addr;
	uint16_t seen_port;
	bool have_seen;

	/* What the gateway asked for: data for other flows is dropped. */
	struct amt_membership *wanted;

	/* Routes installed through the pseudo-interface. */
	struct prefix installed[AMT_GW_MAX_PREFIXES];
	unsigned int ninstalled;

	struct amt_gateway_stats stats;
};

extern void amt_gateway_config_default(struct amt_gateway_config *cfg);
extern struct amt_gateway *amt_gateway_new(struct amt_instance *inst);
/* Sends a Teardown when a tunnel is up. */
extern void amt_gateway_free(struct amt_gateway *gw);
extern void amt_gateway_reconfigure(struct amt_gateway *gw, const struct amt_gateway_config *cfg);
/* zebra (re)connected or the pseudo-interface appeared: install routes. */
extern void amt_gateway_routes_refresh(struct amt_gateway *gw);
extern const char *amt_gw_state_str(enum amt_gw_state state);

#endif /* _AMT_GATEWAY_H */
