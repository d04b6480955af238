// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AMT relay health, for advertising the anycast Relay Discovery Address
 * (RFC 7450 section 4.1.2.1) only while the relay can serve: pure code over
 * inputs and an explicit clock, no sockets, no event loop.
 */
#ifndef _AMT_RELAY_HEALTH_H
#define _AMT_RELAY_HEALTH_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/prefix.h"

/* Why a relay is not advertised: a bit per failing condition. */
enum amt_health_reason {
	AMT_HEALTH_NO_PSEUDO_IF = 1 << 0, /* tun missing or not seen by zebra */
	AMT_HEALTH_NO_ZEBRA = 1 << 1,
	AMT_HEALTH_NO_PIM = 1 << 2,	  /* pimd does not query the pseudo-interface */
	AMT_HEALTH_NO_UPSTREAM = 1 << 3,  /* a health prefix is unreachable */
	AMT_HEALTH_LOAD = 1 << 4,	  /* at or above the share of tunnel-limit */
	AMT_HEALTH_DRAINING = 1 << 5,	  /* shutdown */
	AMT_HEALTH_HOLD_DOWN = 1 << 6,	  /* healthy, waiting out the hold-down */
};
#define AMT_HEALTH_REASON_COUNT 7

/* Name of one reason bit, for show output and YANG ("no-pim", ...). */
extern const char *amt_health_reason_str(uint32_t bit);
/* The reason bits as "a, b, c" ("-" for none). */
extern const char *amt_health_reasons_str(uint32_t reasons, char *buf, size_t len);

/* Most health prefixes a relay tracks. */
#define AMT_HEALTH_MAX_PREFIXES 8

/* Configuration (frr-amtd: advertise-discovery-address, health-*). */
struct amt_health_config {
	bool advertise;
	struct prefix prefixes[AMT_HEALTH_MAX_PREFIXES];
	uint32_t nprefixes;
	uint32_t hold_down_s;
	uint8_t max_load_pct; /* 1-100 of tunnel-limit */
};

extern void amt_health_config_default(struct amt_health_config *cfg);

/* What the relay knows at one instant. */
struct amt_health_input {
	bool pseudo_if;	    /* tun open and zebra reports it */
	bool zebra;	    /* zebra connected */
	bool pim_serving;   /* see amt_health_pim_serving() */
	uint32_t nprefixes; /* health prefixes configured */
	uint32_t reachable; /* of them, reachable per zebra's NHT */
	uint32_t tunnels;
	uint32_t tunnel_limit;
	uint8_t max_load_pct;
	bool draining;
};

/* The failing conditions, AMT_HEALTH_HOLD_DOWN never set; 0 is healthy. */
extern uint32_t amt_health_evaluate(const struct amt_health_input *in);

/*
 * Whether pimd still serves the pseudo-interface: its last query (IGMP or
 * MLD, at last_query_ms, 0 for none) is younger than the Other Querier
 * Present Interval it announced, robustness times the query interval plus
 * half the response time (RFC 3376 section 8.5, RFC 3810 section 9.5);
 * without QRV/QQI in the query (IGMPv2, MLDv1) the defaults (2, 125 s).
 */
extern bool amt_health_pim_serving(uint64_t last_query_ms, uint8_t qrv, uint32_t qqi_s,
				   uint32_t max_resp_ms, uint64_t now_ms);

/* The damped advertisement. */
struct amt_health_state {
	bool advertised;
	bool ever_advertised;
	/* Reasons of the last step, HOLD_DOWN included while held. */
	uint32_t reasons;
	/* Healthy without a break since then (0: not healthy). */
	uint64_t healthy_since_ms;
	uint64_t last_change_ms;
	uint32_t advertisements, withdrawals;
};

/*
 * One step: withdraw at once when `failing` is not 0; advertise when healthy,
 * at once the first time, after hold_down_s of unbroken health after a
 * withdrawal (so a flapping upstream does not flap the anycast route).
 * Returns whether `advertised` changed; *next_ms is when to step again for
 * the hold-down to end (0: not needed).
 */
extern bool amt_health_step(struct amt_health_state *st, uint32_t failing, uint32_t hold_down_s,
			    uint64_t now_ms, uint64_t *next_ms);

#endif /* _AMT_RELAY_HEALTH_H */
