// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * amtd: relay and gateway instances and their pseudo-interfaces.
 */
#include <zebra.h>

#include "lib/frrevent.h"
#include "lib/memory.h"
#include "lib/privs.h"
#include "lib/vrf.h"

#include "amtd.h"
#include "amt_debug.h"
#include "amt_errors.h"
#include "amt_memory.h"
#include "amt_gateway.h"
#include "amt_relay.h"
#include "amt_relay_advertise.h"
#include "amt_tun.h"
#include "amt_vty_slices.h"

DEFINE_MTYPE_STATIC(AMTD, AMT_INSTANCE, "AMT relay/gateway instance");

struct amt_globals amt_g;

const char *amt_role_str(enum amt_role role)
{
	switch (role) {
	case AMT_ROLE_RELAY:
		return "relay";
	case AMT_ROLE_GATEWAY:
		return "gateway";
	}
	return "unknown";
}

struct amt_instance *amt_instance_find(const char *name)
{
	struct amt_instance key = {};

	strlcpy(key.name, name, sizeof(key.name));
	return amt_instances_find(&amt_g.instances, &key);
}

struct amt_instance *amt_instance_first(void)
{
	return amt_instances_first(&amt_g.instances);
}

struct amt_instance *amt_instance_next(struct amt_instance *inst)
{
	return amt_instances_next(&amt_g.instances, inst);
}

int amt_instance_tun_prepare(const char *name, int *ifindex, char *err, size_t errlen)
{
	int fd;

	frr_with_privs (&amtd_privs) {
		fd = amt_tun_open(name, ifindex, err, errlen);
	}
	return fd;
}

void amt_instance_tun_release(int fd)
{
	frr_with_privs (&amtd_privs) {
		amt_tun_close(fd, true);
	}
}

/*
 * Whether the instance may use the interface zebra reports under its name:
 * relays and gateways live in the default VRF only.  A pseudo-interface
 * moved into another VRF (ip link set IFNAME master VRF) is refused, once
 * logged, and shown by "show amt", until it is back in the default VRF.
 */
static bool amt_instance_vrf_accept(struct amt_instance *inst, struct interface *ifp)
{
	char name[VRF_NAMSIZ];

	if (ifp->vrf->vrf_id == VRF_DEFAULT) {
		if (inst->vrf_refused[0])
			zlog_info("AMT %s %s: pseudo-interface back in the default VRF",
				  amt_role_str(inst->role), inst->name);
		inst->vrf_refused[0] = '\0';
		return true;
	}
	if (ifp->vrf->name[0])
		strlcpy(name, ifp->vrf->name, sizeof(name));
	else
		snprintf(name, sizeof(name), "id %u", ifp->vrf->vrf_id);
	if (strcmp(inst->vrf_refused, name))
		flog_err(EC_AMT_VRF,
			 "AMT %s %s: the pseudo-interface is in VRF %s, but AMT instances live in the default VRF only; not using it until it is back there",
			 amt_role_str(inst->role), inst->name, name);
	strlcpy(inst->vrf_refused, name, sizeof(inst->vrf_refused));
	return false;
}

#define AMT_TUN_RETRY_MIN_S 1
#define AMT_TUN_RETRY_MAX_S 60

/* The roles read their pseudo-interface: start or stop that. */
static void amt_instance_tun_attach(struct amt_instance *inst)
{
	if (inst->relay)
		amt_relay_tun_attach(inst->relay);
	if (inst->gateway)
		amt_gateway_tun_attach(inst->gateway);
}

static void amt_instance_tun_retry(struct event *event)
{
	struct amt_instance *inst = EVENT_ARG(event);
	int ifindex = 0;

	inst->tun_fd = amt_instance_tun_prepare(inst->name, &ifindex, inst->error,
						sizeof(inst->error));
	if (inst->tun_fd < 0) {
		inst->tun_retry_s = MIN(inst->tun_retry_s * 2, AMT_TUN_RETRY_MAX_S);
		DEBUGD(&amt_dbg_events, "AMT %s %s: pseudo-interface still missing (%s), next try in %us",
		       amt_role_str(inst->role), inst->name, inst->error, inst->tun_retry_s);
		event_add_timer(master, amt_instance_tun_retry, inst, inst->tun_retry_s,
				&inst->t_tun_retry);
		return;
	}
	inst->kernel_ifindex = ifindex;
	inst->error[0] = '\0';
	inst->tun_retry_s = 0;
	zlog_info("AMT %s %s: pseudo-interface created again, ifindex %d",
		  amt_role_str(inst->role), inst->name, ifindex);
	/*
	 * pimd sees a new interface and queries it (the relay answers with
	 * the union of its tunnels); zebra's interface events bring the
	 * gateway's routes back.
	 */
	amt_instance_tun_attach(inst);
}

void amt_instance_tun_lost(struct amt_instance *inst, int err)
{
	if (inst->tun_fd < 0)
		return;
	flog_warn(EC_AMT_PSEUDO_IF,
		  "AMT %s %s: the pseudo-interface is gone (%s); creating it again",
		  amt_role_str(inst->role), inst->name, safe_strerror(err));
	if (inst->relay)
		amt_relay_tun_detach(inst->relay);
	if (inst->gateway)
		amt_gateway_tun_detach(inst->gateway);
	/* The device itself was removed: only the descriptor is left to close. */
	amt_tun_close(inst->tun_fd, false);
	inst->tun_fd = -1;
	inst->tun_losses++;
	snprintf(inst->error, sizeof(inst->error), "lost (%s), being created again",
		 safe_strerror(err));
	inst->tun_retry_s = AMT_TUN_RETRY_MIN_S;
	EVENT_OFF(inst->t_tun_retry);
	event_add_timer(master, amt_instance_tun_retry, inst, 0, &inst->t_tun_retry);
}

struct amt_instance *amt_instance_create(const char *name, enum amt_role role, int tun_fd,
					 int ifindex)
{
	struct amt_instance *inst;
	struct vrf *vrf = vrf_lookup_by_id(VRF_DEFAULT);

	inst = XCALLOC(MTYPE_AMT_INSTANCE, sizeof(*inst));
	inst->role = role;
	strlcpy(inst->name, name, sizeof(inst->name));
	/* Created in the commit's prepare phase (amt_instance_tun_prepare()). */
	inst->tun_fd = tun_fd;
	inst->kernel_ifindex = ifindex;
	amt_instances_add(&amt_g.instances, inst);
	DEBUGD(&amt_dbg_events, "AMT %s %s: pseudo-interface up, ifindex %d", amt_role_str(role),
	       name, ifindex);
	if (role == AMT_ROLE_RELAY)
		inst->relay = amt_relay_new(inst);
	else
		inst->gateway = amt_gateway_new(inst);

	/* zebra may have told us about the interface already (restart). */
	if (vrf)
		inst->ifp = if_lookup_by_name(name, vrf->vrf_id);
	if (!inst->ifp) {
		struct interface *ifp;
		struct vrf *other;

		/* Or in another VRF, where the instance cannot use it. */
		RB_FOREACH (other, vrf_id_head, &vrfs_by_id)
			if ((ifp = if_lookup_by_name_vrf(name, other)))
				amt_instance_vrf_accept(inst, ifp);
	}

	zlog_info("AMT %s %s created", amt_role_str(role), name);
	return inst;
}

/* Remove an instance; its pseudo-interface disappears with it. */
void amt_instance_delete(struct amt_instance *inst)
{
	zlog_info("AMT %s %s deleted", amt_role_str(inst->role), inst->name);
	EVENT_OFF(inst->t_tun_retry);

	if (inst->relay)
		amt_relay_free(inst->relay);
	if (inst->gateway)
		amt_gateway_free(inst->gateway);
	frr_with_privs (&amtd_privs) {
		amt_tun_close(inst->tun_fd, true);
	}
	amt_instances_del(&amt_g.instances, inst);
	XFREE(MTYPE_AMT_INSTANCE, inst);
}

/* zebra reported an interface appearing or going away. */
void amt_instance_if_update(struct interface *ifp, bool present)
{
	struct amt_instance *inst = amt_instance_find(ifp->name);

	if (!inst)
		return;
	if (present)
		present = amt_instance_vrf_accept(inst, ifp);
	else if (ifp->vrf->vrf_id != VRF_DEFAULT)
		inst->vrf_refused[0] = '\0'; /* gone from the VRF it was refused in */
	inst->ifp = present ? ifp : NULL;
	if (inst->gateway)
		amt_gateway_routes_refresh(inst->gateway);
	DEBUGD(&amt_dbg_zebra, "AMT %s %s: zebra %s the pseudo-interface", amt_role_str(inst->role),
	       inst->name, present ? "reports" : "no longer reports");
}

/* An address came or went: gateways check the endpoint the relay sees. */
void amt_instances_local_address_changed(void)
{
	struct amt_instance *inst;

	frr_each (amt_instances, &amt_g.instances, inst)
		if (inst->gateway)
			amt_gateway_local_address_changed(inst->gateway);
}

/* zebra came (back): routes amtd installs must be sent again. */
void amt_instances_zebra_connected(void)
{
	struct amt_instance *inst;

	frr_each (amt_instances, &amt_g.instances, inst) {
		if (inst->gateway)
			amt_gateway_routes_refresh(inst->gateway);
		if (inst->relay)
			amt_relay_adv_zebra_connected(inst->relay);
	}
}

void amt_init(void)
{
	amt_instances_init(&amt_g.instances);
}

/*
 * Clean shutdown: the pseudo-interfaces are removed, as when the instances
 * are deconfigured.  A crash or kill leaves them (they are persistent), so
 * that amtd picks them up again when watchfrr restarts it.
 */
void amt_terminate(void)
{
	struct amt_instance *inst;

	/* Before the vtys close: an output in progress holds its vty. */
	amt_vty_slices_terminate();
	while ((inst = amt_instances_first(&amt_g.instances)))
		amt_instance_delete(inst);
	amt_instances_fini(&amt_g.instances);
}
