// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AMT relay (RFC 7450 section 4.2): gateways' tunnels, their membership, and
 * the sockets that serve them.
 */
#ifndef _AMT_RELAY_H
#define _AMT_RELAY_H

#include "lib/typesafe.h"
#include "lib/sockunion.h"

#include "amt_fanout_split.h"
#include "amt_flow_index.h"
#include "amt_mac.h"
#include "amt_membership.h"
#include "amt_packet.h"
#include "amt_pkt_ring.h"
#include "amt_rate.h"
#include "amt_relay_health.h"

struct amt_instance;
struct amt_relay_feed;
struct amt_relay_persist;
struct event;

/* Whether Membership Queries carry the Gateway Address/Port fields (G). */
enum amt_gw_fields {
	/* By the kind of gateway the Request shows (amt_request_gw_kind()). */
	AMT_GW_FIELDS_AUTO = 0,
	AMT_GW_FIELDS_ALWAYS,
	AMT_GW_FIELDS_NEVER,
};

/* Configuration, as the frr-amtd YANG module has it. */
struct amt_relay_config {
	/* Unspecified (family 0) when not configured. */
	struct amt_ipaddr local[2];	/* [0] IPv4, [1] IPv6 */
	struct amt_ipaddr discovery[2]; /* [0] IPv4, [1] IPv6 */
	uint16_t port;
	uint32_t tunnel_limit;
	uint32_t group_limit;
	uint32_t source_limit;
	uint32_t key_rotation_s;
	uint32_t query_interval_s;
	uint32_t query_response_interval_s;
	uint8_t robustness;
	uint32_t rate_limit;
	/* Abuse budgets (RFC 7450 section 6), see amt_rate.h. */
	uint32_t prefix_rate_limit; /* unauthenticated, per /24 or /56 */
	uint32_t update_rate_limit; /* Updates per tunnel */
	uint32_t tunnels_per_address;
	uint32_t flow_limit; /* (S,G) + (*,G) in the union fed to pimd */
	enum amt_flag_layout flag_layout;
	enum amt_gw_fields gw_fields;
	/* Drain: no new tunnels, L in every Query, existing tunnels served. */
	bool shutdown;
	/* Anycast discovery address advertised while healthy. */
	struct amt_health_config health;
	/* Datagrams per event of a fan-out sent over several events. */
	uint32_t fanout_slice;
	/* pseudo-interface-read packet-ring: read amtr0 through a ring. */
	bool tun_ring;
};

/* Message and error counters (draft-ietf-mboned-amt-yang statistics). */
struct amt_relay_stats {
	uint64_t rx_discovery, rx_request, rx_update, rx_teardown;
	/* Dropped by the kernel: a relay socket's receive queue was full. */
	uint64_t rx_socket_drops;
	uint64_t tx_advertisement, tx_query, tx_data;
	uint64_t tx_data_bytes, tx_errors;
	/* Accepted, but bending the format (trailing bytes, reserved bits). */
	uint64_t unusual;
	uint64_t err_malformed, err_bad_version, err_unknown_type;
	uint64_t err_unexpected_type, err_bad_mac, err_nonce_mismatch;
	uint64_t err_rate_limited, err_tunnel_limit, err_group_limit;
	uint64_t err_source_limit, err_bad_report, err_data_from_gateway;
	/* Tunnels torn down because their relay address went away. */
	uint64_t tunnels_reconfigured;
	/* Updates from new endpoints refused while the relay drains. */
	uint64_t err_draining;
	/* Not answered: a source that is no unicast endpoint (reflection). */
	uint64_t err_bad_source;
	/* EXCLUDE-mode records for SSM groups, ignored (RFC 4604 2.2.1). */
	uint64_t err_ssm_exclude;
	/* Membership Query forms sent. */
	uint64_t tx_query_gw_fields, tx_query_no_gw_fields, tx_query_linux, tx_query_limit;
	/* Requests by the kind of gateway they revealed (enum amt_gw_kind). */
	uint64_t rx_request_kind[AMT_GW_KIND_MAX];
	/* Packets read from the pseudo-interface. */
	uint64_t tun_data, tun_no_receiver, tun_queries, tun_other;
	/* Packets the packet ring lost: full, or longer than a frame. */
	uint64_t ring_drops, ring_too_long;
	uint64_t tun_reports_written, tun_write_errors;
	/* Abuse budgets: refused by the per-prefix budget, a tunnel's own
	 * Request budget, the per-tunnel Update budget, the tunnels-per-address
	 * cap and the flow cap; Requests served from a tunnel's own budget. */
	uint64_t err_prefix_rate_limited, err_tunnel_request_rate_limited;
	uint64_t err_update_rate_limited, err_address_tunnel_limit, err_flow_limit;
	uint64_t rx_request_tunnel;
	/* UDP GSO on the data path: messages and the datagrams they carried;
	 * messages the kernel refused, and their datagrams then sent one by one. */
	uint64_t tx_gso_msgs, tx_gso_segs, err_gso_refused, tx_gso_unrolled;
	/* Fan-outs larger than a slice: split, the slices sent in later
	 * events, and datagrams of theirs whose tunnel went away first. */
	uint64_t fanout_split, fanout_slices, fanout_gone;
};

/* A socket the relay receives on: one per configured address. */
struct amt_relay_socket {
	struct amt_relay *relay;
	int fd;
	struct amt_ipaddr addr;
	uint16_t port;	     /* bound to, host order */
	bool discovery;	     /* bound to a discovery address */
	uint32_t drops_seen; /* the kernel's drop count (SO_RXQ_OVFL) so far */
	struct event *t_read;
};

PREDECL_HASH(amt_tunnels);
PREDECL_RBTREE_UNIQ(amt_tunnels_sorted);
PREDECL_HEAP(amt_expiry);

/* A gateway's tunnel, keyed by the gateway's address and UDP port. */
struct amt_tunnel {
	struct amt_tunnels_item item;
	/* In key order (family, address, port), for listings and the northbound. */
	struct amt_tunnels_sorted_item sorted_item;
	struct amt_relay *relay;

	union sockunion gw;	       /* address and port, as seen */
	struct amt_relay_socket *sock; /* the relay address it talks to */
	uint32_t nonce;		       /* request nonce of the last Update */
	uint32_t query_nonce;	       /* nonce of the last Query sent to it */
	uint64_t created_ms;
	uint64_t last_update_ms;

	struct amt_membership *memb;
	struct amt_fi_tunnel *fi;
	/* In the relay's expiry heap, due at expiry_ms, iff queued. */
	struct amt_expiry_item exp_item;
	bool exp_queued;
	uint64_t expiry_ms;

	uint64_t updates;
	uint64_t data_packets, data_bytes;
	/* The tunnel's own budgets for Requests and Updates. */
	struct amt_bucket rl_request, rl_update;
	/* Freed while a split fan-out may name it: a husk, not sent to. */
	bool gone;
	struct amt_tunnel *husk_next;
};

#define AMT_RELAY_MAX_SOCKETS 4

struct amt_relay {
	struct amt_instance *inst;
	struct amt_relay_config cfg;

	/* Slots are stable (tunnels point at theirs); fd -1 when free. */
	struct amt_relay_socket socks[AMT_RELAY_MAX_SOCKETS];
	unsigned int nsocks; /* open ones */
	struct event *t_tun_read;
	struct event *t_rotate;
	/* The tun's outgoing packets, when read through a packet ring. */
	struct amt_pkt_ring ring;
	/* The ring could not be opened: the device is read until the
	 * setting is given again. */
	bool ring_refused;
	/* How long the last tun read event took: the control socket's share. */
	uint64_t tun_busy_us;
	/*
	 * The rest of fan-outs larger than a slice, sent a slice per event
	 * (t_fanout) before the tun is read again; tunnels freed meanwhile
	 * stay as husks until it is all sent (amt_tunnel_free()).
	 */
	struct amt_fo_queue fanout;
	struct event *t_fanout;
	struct amt_tunnel *husks;

	struct amt_mac_state mac;
	/* The same tunnels twice: hashed for the data path, sorted for listings. */
	struct amt_tunnels_head tunnels;
	struct amt_tunnels_sorted_head tunnels_sorted;
	/*
	 * The tunnels' next membership timer expiries, earliest first, served
	 * by one relay-wide timer (t_expire, due at expire_at_ms) instead of
	 * a timer per tunnel.
	 */
	struct amt_expiry_head expiry;
	struct event *t_expire;
	uint64_t expire_at_ms;
	struct amt_flow_index *index;
	/* Host reports to pimd, queued and paced (amt_relay_feed.c). */
	struct amt_relay_feed *feed;

	/* Relay-wide token bucket for unauthenticated messages. */
	struct amt_bucket rl_global;
	/* Unauthenticated budgets per source prefix; tunnels per address. */
	struct amt_prefix_table *rl_prefixes;
	struct amt_addr_counts *addr_counts;
	/* Restart snapshot (amt_relay_persist.c). */
	struct amt_relay_persist *persist;
	/* The anycast advertisement (amt_relay_advertise.c). */
	struct amt_relay_adv *adv;

	struct amt_relay_stats stats;
};

extern void amt_relay_config_default(struct amt_relay_config *cfg);
extern const char *amt_relay_gw_fields_str(enum amt_gw_fields mode);
extern struct amt_relay *amt_relay_new(struct amt_instance *inst);
extern void amt_relay_free(struct amt_relay *relay);
/* Re-open sockets and apply parameters after a configuration change. */
extern void amt_relay_reconfigure(struct amt_relay *relay);
/* The pseudo-interface came (back): start reading it. */
extern void amt_relay_tun_attach(struct amt_relay *relay);
/* The pseudo-interface is gone: stop reading it. */
extern void amt_relay_tun_detach(struct amt_relay *relay);

/* The tunnel table and its expiry timer (amt_relay_tunnel.c). */
extern void amt_relay_tunnels_init(struct amt_relay *relay);
/* Removes every tunnel. */
extern void amt_relay_tunnels_fini(struct amt_relay *relay);
extern void amt_relay_membership_params(const struct amt_relay *relay,
					struct amt_membership_params *p);
extern struct amt_tunnel *amt_tunnel_find(struct amt_relay *relay, const union sockunion *gw);
extern struct amt_tunnel *amt_tunnel_new(struct amt_relay *relay, const union sockunion *gw,
					 struct amt_relay_socket *sock, uint64_t now);
/* Remove a tunnel and everything it contributed to the union. */
extern void amt_tunnel_free(struct amt_tunnel *t);
/* amt_relay.c: a tunnel is going away (its address's count drops). */
extern void amt_relay_tunnel_gone(struct amt_tunnel *t);
/* Remove the tunnels that use socket s; returns how many. */
extern uint32_t amt_relay_tunnels_on_socket_free(struct amt_relay *relay,
						 const struct amt_relay_socket *s);
/*
 * After a tunnel's membership changed: free it when empty, else queue it for
 * its next expiry; then amt_relay_expiry_arm() makes the timer fire in time.
 */
extern void amt_tunnel_settle(struct amt_tunnel *t);
extern void amt_relay_expiry_arm(struct amt_relay *relay, uint64_t now);
/* The next MAC secret rotation in ms (after a restored secret). */
extern void amt_relay_rotate_in(struct amt_relay *relay, uint64_t ms);
extern uint32_t amt_relay_tunnel_count(const struct amt_relay *relay);
/* In key order: family (IPv4 first), address, then port; O(log n) each. */
extern struct amt_tunnel *amt_relay_tunnel_first(struct amt_relay *relay);
extern struct amt_tunnel *amt_relay_tunnel_next(struct amt_relay *relay, struct amt_tunnel *t);
extern struct amt_tunnel *amt_relay_tunnel_last(struct amt_relay *relay);
/* The first tunnel whose key follows gw (address and port). */
extern struct amt_tunnel *amt_relay_tunnel_after(struct amt_relay *relay, const union sockunion *gw);
/* The first tunnel of gateway address addr (port ignored), NULL if none. */
extern struct amt_tunnel *amt_relay_tunnel_first_of_addr(struct amt_relay *relay,
							 const union sockunion *addr);
/* The tunnel after t if it has the same gateway address, else NULL. */
extern struct amt_tunnel *amt_relay_tunnel_next_of_addr(struct amt_relay *relay,
							struct amt_tunnel *t);
extern void amt_relay_clear_tunnels(struct amt_relay *relay);
/* Free the husks of tunnels freed while a fan-out was split. */
extern void amt_relay_husks_free(struct amt_relay *relay);
extern void amt_relay_clear_stats(struct amt_relay *relay);
extern uint64_t amt_now_ms(void);
extern uint64_t amt_now_us(void);
/* sendmmsg all of msgs, counting (and skipping) what cannot be sent. */
extern void amt_relay_sendmmsg(struct amt_relay *relay, int fd, struct mmsghdr *msgs,
			       unsigned int n);

/* amt_relay_tun.c: the pseudo-interface side. */
extern void amt_relay_tun_read(struct event *event);
/* The pseudo-interface through a packet ring (amt_pkt_ring.h): start it
 * (false: read the tun), stop it, its read event, and its drop counters
 * brought up to date in relay->stats. */
extern bool amt_relay_ring_start(struct amt_relay *relay);
extern void amt_relay_ring_stop(struct amt_relay *relay);
extern void amt_relay_ring_stats(struct amt_relay *relay);
extern void amt_relay_ring_read(struct event *event);
/* Drop what is left of split fan-outs (the relay goes away). */
extern void amt_relay_fanout_drop(struct amt_relay *relay);

/* amt_relay_feed.c: host reports of the tunnels' union, to pimd. */
struct amt_query;
extern struct amt_relay_feed *amt_relay_feed_new(struct amt_relay *relay);
extern void amt_relay_feed_free(struct amt_relay_feed **feed);
/* Records waiting to be written. */
extern uint32_t amt_relay_feed_queued(const struct amt_relay_feed *feed);
extern void amt_relay_union_changed(void *arg, const struct amt_union_change *chg);
extern void amt_relay_answer_query(struct amt_relay *relay, const struct amt_query *q);

#endif /* _AMT_RELAY_H */
