// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * amtd northbound: configuration callbacks.
 */
#include <zebra.h>

#include "lib/northbound.h"
#include "lib/yang.h"

#include "amtd.h"
#include "amt_debug.h"
#include "amt_nb.h"

static int amt_instance_nb_create(struct nb_cb_create_args *args, enum amt_role role)
{
	const char *name = yang_dnode_get_string(args->dnode, "name");
	struct amt_instance *inst;

	switch (args->event) {
	case NB_EV_VALIDATE:
		/* YANG's must statements keep relay and gateway names apart. */
		break;
	case NB_EV_PREPARE:
	case NB_EV_ABORT:
		break;
	case NB_EV_APPLY:
		DEBUGD(&amt_dbg_northbound, "create %s %s", amt_role_str(role), name);
		inst = amt_instance_create(name, role);
		nb_running_set_entry(args->dnode, inst);
		break;
	}
	return NB_OK;
}

static int amt_instance_nb_destroy(struct nb_cb_destroy_args *args)
{
	struct amt_instance *inst;

	if (args->event != NB_EV_APPLY)
		return NB_OK;

	inst = nb_running_unset_entry(args->dnode);
	DEBUGD(&amt_dbg_northbound, "destroy %s %s", amt_role_str(inst->role), inst->name);
	amt_instance_delete(inst);
	return NB_OK;
}

/* XPath: /frr-amtd:amtd/relay */
int amtd_relay_create(struct nb_cb_create_args *args)
{
	return amt_instance_nb_create(args, AMT_ROLE_RELAY);
}

int amtd_relay_destroy(struct nb_cb_destroy_args *args)
{
	return amt_instance_nb_destroy(args);
}

/* XPath: /frr-amtd:amtd/gateway */
int amtd_gateway_create(struct nb_cb_create_args *args)
{
	return amt_instance_nb_create(args, AMT_ROLE_GATEWAY);
}

int amtd_gateway_destroy(struct nb_cb_destroy_args *args)
{
	return amt_instance_nb_destroy(args);
}
