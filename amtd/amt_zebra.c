// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * amtd's zclient: interfaces, addresses and router-id from zebra.  The
 * library reconnects by itself when zebra restarts; zebra then replays its
 * interfaces and addresses.
 */
#include <zebra.h>

#include "lib/if.h"
#include "lib/log.h"
#include "lib/prefix.h"
#include "lib/zclient.h"

#include "amtd.h"
#include "amt_debug.h"
#include "amt_relay_advertise.h"
#include "amt_zebra.h"

static struct zclient *zclient;

static void amt_zebra_connected(struct zclient *zc)
{
	amt_g.zebra_connections++;
	zlog_info("connected to zebra (connection %u)", amt_g.zebra_connections);
	zclient_send_reg_requests(zc, VRF_DEFAULT);
	amt_instances_zebra_connected();
}

/*
 * Install (or remove) a route to a gateway's source prefix through its
 * pseudo-interface in the multicast RIB, so that pimd's RPF lookup
 * (rpf-lookup-mode, MRIB first by default) accepts the multicast
 * decapsulated into it.  Not the unicast RIB: there it would override the
 * IGP's or BGP's route and take the sources' unicast traffic into the tun,
 * where amtd drops it.  zebra installs no MRIB route in the kernel; the
 * kernel's rp_filter on the tun is loosened in amt_tun.c instead.  The
 * distance is zebra's for the route type amt (1, as for static routes).
 * Returns whether it was sent.
 */
static bool amt_zebra_route_safi(safi_t safi, const struct prefix *p, ifindex_t ifindex,
				 const union amt_ip *gate, bool add)
{
	struct zapi_route api = {};
	struct zapi_nexthop *nh;

	if (!amt_zebra_is_connected())
		return false;
	api.vrf_id = VRF_DEFAULT;
	api.type = ZEBRA_ROUTE_AMT;
	api.safi = safi;
	prefix_copy(&api.prefix, p);
	apply_mask(&api.prefix);
	if (add) {
		SET_FLAG(api.message, ZAPI_MESSAGE_NEXTHOP);
		api.nexthop_num = 1;
		nh = &api.nexthops[0];
		nh->vrf_id = VRF_DEFAULT;
		nh->ifindex = ifindex;
		if (!gate) {
			nh->type = NEXTHOP_TYPE_IFINDEX;
		} else if (p->family == AF_INET) {
			nh->type = NEXTHOP_TYPE_IPV4_IFINDEX;
			nh->gate.ipv4 = gate->v4;
		} else {
			nh->type = NEXTHOP_TYPE_IPV6_IFINDEX;
			nh->gate.ipv6 = gate->v6;
		}
	}
	DEBUGD(&amt_dbg_zebra, "%s %s route %pFX via ifindex %d%s", add ? "add" : "delete",
	       safi == SAFI_MULTICAST ? "MRIB" : "unicast", p, ifindex,
	       gate ? " and the PIM neighbor" : "");
	return zclient_route_send(add ? ZEBRA_ROUTE_ADD : ZEBRA_ROUTE_DELETE, zclient, &api) !=
	       ZCLIENT_SEND_FAILURE;
}

bool amt_zebra_route(const struct prefix *p, ifindex_t ifindex, const union amt_ip *gate, bool add)
{
	return amt_zebra_route_safi(SAFI_MULTICAST, p, ifindex, gate, add);
}

/*
 * A relay's anycast discovery address: a host route of type amt in the
 * unicast RIB through the pseudo-interface, for ospfd/bgpd to redistribute
 * (amt_relay_advertise.c).
 */
bool amt_zebra_anycast_route(const struct prefix *p, ifindex_t ifindex, bool add)
{
	return amt_zebra_route_safi(SAFI_UNICAST, p, ifindex, NULL, add);
}

/* Track (or stop tracking) the unicast reachability of p; see amt_zebra_nht_update(). */
bool amt_zebra_nht(const struct prefix *p, bool reg)
{
	if (!amt_zebra_is_connected())
		return false;
	DEBUGD(&amt_dbg_zebra, "%s nexthop tracking of %pFX", reg ? "start" : "stop", p);
	return zclient_send_rnh(zclient, reg ? ZEBRA_NEXTHOP_REGISTER : ZEBRA_NEXTHOP_UNREGISTER,
				p, SAFI_UNICAST, false, false, VRF_DEFAULT) != ZCLIENT_SEND_FAILURE;
}

/* zebra's answer for a tracked prefix: how many nexthops reach it now. */
static void amt_zebra_nht_update(struct vrf *vrf, struct prefix *match, struct zapi_route *nhr)
{
	if (vrf->vrf_id != VRF_DEFAULT)
		return;
	amt_relay_adv_nht_update(match, nhr->nexthop_num);
}

bool amt_zebra_is_connected(void)
{
	return zclient && zclient->sock >= 0;
}

static int amt_zebra_router_id_update(ZAPI_CALLBACK_ARGS)
{
	struct prefix router_id;

	zebra_router_id_update_read(zclient->ibuf, &router_id);
	DEBUGD(&amt_dbg_zebra, "router-id %pFX", &router_id);
	return 0;
}

static int amt_ifp_create(struct interface *ifp)
{
	DEBUGD(&amt_dbg_zebra, "interface %s added, ifindex %d", ifp->name, ifp->ifindex);
	amt_instance_if_update(ifp, true);
	return 0;
}

static int amt_ifp_destroy(struct interface *ifp)
{
	DEBUGD(&amt_dbg_zebra, "interface %s deleted", ifp->name);
	amt_instance_if_update(ifp, false);
	return 0;
}

static int amt_ifp_up(struct interface *ifp)
{
	DEBUGD(&amt_dbg_zebra, "interface %s up", ifp->name);
	return 0;
}

static int amt_ifp_down(struct interface *ifp)
{
	DEBUGD(&amt_dbg_zebra, "interface %s down", ifp->name);
	return 0;
}

/* Address add and delete share one reader, see lib/zclient.c. */
static int amt_zebra_if_address_update(ZAPI_CALLBACK_ARGS)
{
	struct connected *c;

	c = zebra_interface_address_read(cmd, zclient->ibuf, vrf_id);
	if (!c)
		return 0;
	DEBUGD(&amt_dbg_zebra, "interface %s address %pFX %s", c->ifp->name, c->address,
	       cmd == ZEBRA_INTERFACE_ADDRESS_ADD ? "added" : "deleted");
	/* A gateway's PIM neighbor follows the pseudo-interface's subnet. */
	if (c->ifp->ifindex != IFINDEX_INTERNAL)
		amt_instance_if_update(c->ifp, true);
	/* A gateway's own address toward its relay may be the one that changed. */
	amt_instances_local_address_changed();
	if (cmd == ZEBRA_INTERFACE_ADDRESS_DELETE)
		connected_free(&c);
	return 0;
}

static zclient_handler *const amt_zebra_handlers[] = {
	[ZEBRA_ROUTER_ID_UPDATE] = amt_zebra_router_id_update,
	[ZEBRA_INTERFACE_ADDRESS_ADD] = amt_zebra_if_address_update,
	[ZEBRA_INTERFACE_ADDRESS_DELETE] = amt_zebra_if_address_update,
};

void amt_zebra_init(void)
{
	hook_register_prio(if_real, 0, amt_ifp_create);
	hook_register_prio(if_up, 0, amt_ifp_up);
	hook_register_prio(if_down, 0, amt_ifp_down);
	hook_register_prio(if_unreal, 0, amt_ifp_destroy);

	zclient = zclient_new(master, &zclient_options_default, amt_zebra_handlers,
			      array_size(amt_zebra_handlers));
	zclient->zebra_connected = amt_zebra_connected;
	zclient->nexthop_update = amt_zebra_nht_update;
	zclient_init(zclient, ZEBRA_ROUTE_AMT, 0, &amtd_privs);
}

void amt_zebra_terminate(void)
{
	zclient_stop(zclient);
	zclient_free(zclient);
	zclient = NULL;
}
