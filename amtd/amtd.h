// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * amtd: Automatic Multicast Tunneling (RFC 7450) daemon - instances and
 * daemon-wide state.
 */
#ifndef _AMTD_H
#define _AMTD_H

#include <net/if.h>

#include "lib/if.h"
#include "lib/privs.h"
#include "lib/typesafe.h"
#include "lib/vrf.h"

/* No port has been assigned to amtd in lib/libfrr.h; 2624 is unused there. */
#define AMTD_VTY_PORT 2624

enum amt_role {
	AMT_ROLE_RELAY,
	AMT_ROLE_GATEWAY,
};

PREDECL_RBTREE_UNIQ(amt_instances);

/*
 * A relay or gateway instance.  It is named after its pseudo-interface, a
 * tun device that amtd creates and holds open.
 */
struct amt_instance {
	struct amt_instances_item item;

	enum amt_role role;
	char name[IFNAMSIZ];

	/* The tun device: -1 while it could not be created. */
	int tun_fd;
	/* Kernel index of the tun device, as the kernel reported it. */
	ifindex_t kernel_ifindex;
	/* Why the tun device is missing, for "show amt". */
	char error[128];
	/*
	 * The tun device vanished under us (ip link del) this many times; while
	 * it is missing it is created again every tun_retry_s seconds, doubling
	 * up to AMT_TUN_RETRY_MAX_S.
	 */
	uint32_t tun_losses;
	uint32_t tun_retry_s;
	struct event *t_tun_retry;

	/* zebra's view of the pseudo-interface, NULL until zebra reports it. */
	struct interface *ifp;
	/*
	 * Instances live in the default VRF only.  When zebra reports the
	 * pseudo-interface in another VRF, this is that VRF's name and ifp
	 * stays NULL; otherwise it is empty.
	 */
	char vrf_refused[VRF_NAMSIZ];

	/* Role-specific state: one of the two is set. */
	struct amt_relay *relay;
	struct amt_gateway *gateway;
};

static inline int amt_instance_cmp(const struct amt_instance *a, const struct amt_instance *b)
{
	return strcmp(a->name, b->name);
}

DECLARE_RBTREE_UNIQ(amt_instances, struct amt_instance, item, amt_instance_cmp);

struct amt_globals {
	struct amt_instances_head instances;

	bool zebra_connected;
	uint32_t zebra_connections;
};

extern struct amt_globals amt_g;
extern struct zebra_privs_t amtd_privs;
extern struct event_loop *master;

extern void amt_init(void);
extern void amt_terminate(void);

extern const char *amt_role_str(enum amt_role role);
extern struct amt_instance *amt_instance_find(const char *name);
extern struct amt_instance *amt_instance_first(void);
extern struct amt_instance *amt_instance_next(struct amt_instance *inst);
/*
 * The pseudo-interface is created before the instance, in the northbound's
 * prepare phase, so that a commit whose tun cannot be made fails: prepare
 * it (-1 and err filled on failure), then create the instance with it, or
 * release it when the commit is aborted.
 */
extern int amt_instance_tun_prepare(const char *name, int *ifindex, char *err, size_t errlen);
extern void amt_instance_tun_release(int fd);
/*
 * A read from the pseudo-interface failed for good (the device was
 * deleted): stop reading it, and create it again with back-off.
 */
extern void amt_instance_tun_lost(struct amt_instance *inst, int err);
/* Whether a read error of the tun means the device is gone. */
static inline bool amt_tun_read_failed(ssize_t n)
{
	return n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
}
extern struct amt_instance *amt_instance_create(const char *name, enum amt_role role, int tun_fd,
						int ifindex);
extern void amt_instance_delete(struct amt_instance *inst);
extern void amt_instance_if_update(struct interface *ifp, bool present);
extern void amt_instances_zebra_connected(void);
/* An interface address came or went: gateways re-check their endpoint. */
extern void amt_instances_local_address_changed(void);

#define frr_each_amt_instance(inst) frr_each (amt_instances, &amt_g.instances, (inst))

#endif /* _AMTD_H */
