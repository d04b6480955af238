// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AMT gateway (RFC 7450 section 4.1): one tunnel to a relay, carrying the
 * membership the host stack (applications, or pimd as IGMP proxy) reports on
 * the gateway's pseudo-interface, and bringing the multicast back into it.
 */
#ifndef _AMT_GATEWAY_H
#define _AMT_GATEWAY_H

#include "lib/prefix.h"

#include "amt_dns_record.h"
#include "amt_mac.h"
#include "amt_membership.h"
#include "amt_packet.h"

struct amt_instance;
struct amt_gw_pim;
struct amt_gw_dns;
struct event;

enum amt_gw_state {
	AMT_GW_IDLE,
	AMT_GW_RESOLVING, /* DNS relay discovery under way */
	AMT_GW_DISCOVERING,
	AMT_GW_REQUESTING,
	AMT_GW_UP,
};

/* As many as the YANG model's max-elements for source-prefix. */
#define AMT_GW_MAX_PREFIXES 64

/* How the relay in use was found. */
enum amt_gw_selection {
	AMT_GW_SEL_NONE,
	AMT_GW_SEL_CONFIGURED, /* relay-address */
	AMT_GW_SEL_DISCOVERY,  /* discovery-address */
	AMT_GW_SEL_DNS,	       /* an AMTRELAY record (RFC 8777) */
};

struct amt_gateway_config {
	struct amt_ipaddr relay;     /* family 0 when not configured */
	struct amt_ipaddr discovery; /* family 0 when not configured */
	/* DNS relay discovery: AMTRELAY records at the reverse name of
	 * dns_source, or at dns_name; neither set: off. */
	struct amt_ipaddr dns_source;
	char dns_name[AMT_DNS_NAME_TEXT_MAX];
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
	uint64_t reports_before_up, reports_link_local, relay_timeouts, queries_with_l, nat_changes;
	uint64_t tun_write_errors, tx_errors;
	/* The relay was given up: ICMP errors about it, moves to another. */
	uint64_t icmp_errors, relay_changes;
	/* Make-before-break moves on L: begun, completed, given up (no
	 * other relay: the gateway stayed), Updates leaving every group. */
	uint64_t moves_started, moves, moves_failed, tx_leave_update;
	/* Data received from the relay being left, during a move. */
	uint64_t rx_data_old;
	/* Requests sent with the P flag (MLD General Query asked for). */
	uint64_t tx_request_p;
};

/*
 * One relay's tunnel as the gateway knows it: the relay in use, and the
 * one being left during a move, hold one each (moved whole between them).
 */
struct amt_gw_link {
	struct amt_ipaddr relay;
	enum amt_gw_selection selection;
	uint32_t request_nonce;	   /* of the last Request sent */
	uint64_t request_nonce_ms; /* when it was chosen */
	/* The MAC of the last Query, and the nonce it was computed over. */
	uint8_t mac[AMT_MAC_LEN];
	uint32_t mac_nonce;
	uint64_t mac_nonce_ms; /* when mac_nonce was chosen */
	uint32_t query_interval_s;
	uint64_t up_since_ms;

	/*
	 * The gateway's address and port as the relay sees them: from the
	 * Query's G fields, or without G our own (local address toward the
	 * relay, the socket's port).
	 */
	struct amt_ipaddr seen_addr;
	uint16_t seen_port;
	bool have_seen, seen_from_g;

	/*
	 * The MAC and nonce of the last Update on the tunnel: what the relay
	 * keeps with the tunnel, so what a Teardown of it carries.
	 */
	uint8_t upd_mac[AMT_MAC_LEN];
	uint32_t upd_nonce;
	bool have_upd;
};

/*
 * The tunnel being left during a make-before-break move: it keeps
 * receiving (and is refreshed) until the new tunnel's flows arrive.
 */
struct amt_gw_old_tunnel {
	int fd;
	struct event *t_read;
	struct event *t_timer;
	struct amt_gw_link link;
	/* The DNS record it came from, to go back to. */
	bool dns_have_cur;
	struct amt_relay_record dns_rec;
	struct amt_ipaddr dns_addr;
};

/* Flows seen during a move: left when each arrived through the new relay. */
#define AMT_GW_MOVE_FLOWS 64
struct amt_gw_move_flow {
	uint8_t family;
	bool on_new;
	union amt_ip source, group;
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
	struct amt_gw_link link;
	/* Where Relay Discovery goes: discovery-address or a DNS record's. */
	struct amt_ipaddr discovery_target;
	/* DNS relay discovery state; NULL unless configured. */
	struct amt_gw_dns *dns;
	uint32_t discovery_nonce;
	bool have_mac;
	uint8_t tries;
	/* A refresh Request is out: unanswered, the relay is given up. */
	bool refreshing;

	/* Where the host stack's last reports came from, per family. */
	union amt_ip report_src4, report_src6;
	bool have_report_src4, have_report_src6;

	/* A make-before-break move (L from the relay in use) under way. */
	bool moving;
	struct amt_gw_old_tunnel old;
	struct event *t_move;
	uint64_t move_start_ms;
	uint64_t move_new_up_ms; /* 0 until the new tunnel is up */
	struct amt_gw_move_flow move_flows[AMT_GW_MOVE_FLOWS];
	unsigned int move_nflows;
	bool move_flows_overflow;
	uint32_t last_move_ms;	     /* how long the last completed move took */
	uint64_t move_hold_until_ms; /* no move before: the last found none */
	struct amt_ipaddr last_left; /* the relay the last move left */

	/* What the gateway asked for: data for other flows is dropped. */
	struct amt_membership *wanted;

	/* Routes installed through the pseudo-interface. */
	struct prefix installed[AMT_GW_MAX_PREFIXES];
	unsigned int ninstalled;

	struct amt_gateway_stats stats;

	/* pimd's PIM neighbor on the pseudo-interface, for a LAN. */
	struct amt_gw_pim *pim;
};

extern void amt_gateway_config_default(struct amt_gateway_config *cfg);
extern struct amt_gateway *amt_gateway_new(struct amt_instance *inst);
/* Sends a Teardown when a tunnel is up. */
extern void amt_gateway_free(struct amt_gateway *gw);
/* The pseudo-interface is in place (again), or gone: read it or stop. */
extern void amt_gateway_tun_attach(struct amt_gateway *gw);
extern void amt_gateway_tun_detach(struct amt_gateway *gw);
extern void amt_gateway_reconfigure(struct amt_gateway *gw, const struct amt_gateway_config *cfg);
/* zebra (re)connected or the pseudo-interface appeared: install routes. */
extern void amt_gateway_routes_refresh(struct amt_gateway *gw);
extern const char *amt_gw_state_str(enum amt_gw_state state);
extern const char *amt_gw_selection_str(enum amt_gw_selection sel);

/*
 * For DNS relay discovery (amt_gateway_dns.c): open a tunnel to `addr`,
 * by Relay Discovery to it first when `discover`; or wait, idle.
 */
extern void amt_gateway_connect(struct amt_gateway *gw, const struct amt_ipaddr *addr,
				bool discover);
extern void amt_gateway_set_resolving(struct amt_gateway *gw);
extern void amt_gateway_set_idle(struct amt_gateway *gw);
/* During a move: the relay being left, or NULL when not moving. */
extern const struct amt_ipaddr *amt_gateway_moving_from(const struct amt_gateway *gw);
/* During a move: no other relay was found; stay on the old one. */
extern void amt_gateway_move_failed(struct amt_gateway *gw, const char *why);
/* An address changed: check the endpoint the relay sees (no G). */
extern void amt_gateway_local_address_changed(struct amt_gateway *gw);

#endif /* _AMT_GATEWAY_H */
