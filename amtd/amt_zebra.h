// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * amtd's zclient: interfaces, addresses and router-id from zebra.
 */
#ifndef _AMT_ZEBRA_H
#define _AMT_ZEBRA_H

#include "lib/prefix.h"

#include "amt_group_record.h"

extern void amt_zebra_init(void);
extern void amt_zebra_terminate(void);
extern bool amt_zebra_is_connected(void);
/*
 * A route to a gateway's source prefix in the multicast RIB (RPF only, never
 * unicast forwarding).  gate: the nexthop address on the interface, or NULL.
 */
extern bool amt_zebra_route(const struct prefix *p, ifindex_t ifindex, const union amt_ip *gate,
			    bool add);
/* A relay's anycast discovery address, unicast RIB (amt_relay_advertise.c). */
extern bool amt_zebra_anycast_route(const struct prefix *p, ifindex_t ifindex, bool add);
/* Register (or unregister) p with zebra's nexthop tracking. */
extern bool amt_zebra_nht(const struct prefix *p, bool reg);

#endif /* _AMT_ZEBRA_H */
