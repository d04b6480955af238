// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A gateway serving a LAN: amtd is pimd's PIM neighbor on the gateway's
 * pseudo-interface.  The routes to the served sources point at that
 * neighbor, so pimd's RPF resolves through the tunnel and pimd sends the
 * neighbor Join/Prune messages for what its LAN receivers want; amtd turns
 * each joined (S,G) or (*,G) into a socket membership on the
 * pseudo-interface, which the host stack reports and the gateway sends to
 * the relay like any local listener's.
 */
#ifndef _AMT_GATEWAY_PIM_H
#define _AMT_GATEWAY_PIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/json.h"
#include "lib/vty.h"

#include "amt_group_record.h"

struct amt_gateway;
struct amt_gw_pim;

struct amt_gw_pim_stats {
	uint64_t tx_hello, rx_hello, rx_join, rx_prune;
	/* Join/Prune messages for another neighbor, (S,G,rpt) entries. */
	uint64_t rx_ignored;
	/* Malformed PIM from the pseudo-interface. */
	uint64_t rx_bad;
	/* Socket memberships the host stack refused. */
	uint64_t join_errors;
	uint64_t expired;
};

extern struct amt_gw_pim *amt_gw_pim_new(struct amt_gateway *gw);
/* Leaves every membership and says goodbye (Hello with holdtime 0). */
extern void amt_gw_pim_free(struct amt_gw_pim **pim);
/*
 * An IP packet read from the pseudo-interface: true when it was PIM (it is
 * then consumed here).
 */
extern bool amt_gw_pim_input(struct amt_gw_pim *pim, const uint8_t *pkt, size_t len);
/* The pseudo-interface or its addresses changed. */
extern void amt_gw_pim_refresh(struct amt_gw_pim *pim);
/* The pseudo-interface was deleted: forget the joins held on it. */
extern void amt_gw_pim_tun_lost(struct amt_gw_pim *pim);
/* The neighbor's address of a family: the nexthop of routes to sources. */
extern bool amt_gw_pim_neighbor(const struct amt_gw_pim *pim, int family, union amt_ip *addr);
extern void amt_gw_pim_show(const struct amt_gw_pim *pim, struct vty *vty, json_object *json);
extern unsigned int amt_gw_pim_join_count(const struct amt_gw_pim *pim);
extern const struct amt_gw_pim_stats *amt_gw_pim_stats(const struct amt_gw_pim *pim);

#endif /* _AMT_GATEWAY_PIM_H */
