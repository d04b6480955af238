// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AMT relay fleets: the anycast discovery address made routable on this
 * router (a route of type amt through zebra, and a local route so that
 * Relay Discovery reaches the relay's socket) only while the relay is
 * healthy, so that ospfd or bgpd (redistribute amt) announce it and withdraw
 * it.  While withdrawn for a failing relay, its gateways are sent L.
 */
#ifndef _AMT_RELAY_ADVERTISE_H
#define _AMT_RELAY_ADVERTISE_H

#include "lib/json.h"
#include "lib/prefix.h"
#include "lib/termtable.h"

struct amt_relay;
struct amt_query;

extern void amt_relay_adv_new(struct amt_relay *relay);
/* Withdraws what is installed. */
extern void amt_relay_adv_free(struct amt_relay *relay);
/* After a configuration change: NHT registrations, evaluation. */
extern void amt_relay_adv_reconfigure(struct amt_relay *relay);
/* pimd queried the pseudo-interface. */
extern void amt_relay_adv_pim_query(struct amt_relay *relay, const struct amt_query *q);
/* zebra (re)connected: its routes and registrations are to be sent again. */
extern void amt_relay_adv_zebra_connected(struct amt_relay *relay);
/* zebra's nexthop tracking answer for a registered prefix (every relay). */
extern void amt_relay_adv_nht_update(const struct prefix *match, uint32_t nexthops);
/*
 * Whether the relay drains because it is unhealthy (with advertising on):
 * no new tunnels, L for everyone, as with shutdown.  Not for load alone
 * (L for the new endpoints covers a full table) nor while held down.
 */
extern bool amt_relay_adv_drains(const struct amt_relay *relay);
/* show amt relay: rows of the summary table, or its JSON object. */
extern void amt_relay_adv_show(const struct amt_relay *relay, json_object *j, struct ttable *tt);
/* YANG state: advertisement/<leaf> as a string, NULL when unknown. */
extern const char *amt_relay_adv_state(const struct amt_relay *relay, const char *leaf, char *buf,
				       size_t len);

#endif /* _AMT_RELAY_ADVERTISE_H */
