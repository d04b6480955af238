// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * amtd northbound: operational state.
 */
#include <zebra.h>

#include "lib/northbound.h"
#include "lib/yang.h"

#include "amtd.h"
#include "amt_nb.h"
#include "amt_zebra.h"

/* The instances of one role, in name order. */
static const struct amt_instance *amt_instance_next_of_role(const struct amt_instance *inst,
							    enum amt_role role)
{
	struct amt_instance *next;

	next = inst ? amt_instance_next((struct amt_instance *)inst) : amt_instance_first();
	while (next && next->role != role)
		next = amt_instance_next(next);
	return next;
}

static const struct amt_instance *amt_instance_lookup_of_role(const char *name, enum amt_role role)
{
	const struct amt_instance *inst = amt_instance_find(name);

	return inst && inst->role == role ? inst : NULL;
}

/* XPath: /frr-amtd:amtd/relay */
const void *amtd_relay_get_next(struct nb_cb_get_next_args *args)
{
	return amt_instance_next_of_role(args->list_entry, AMT_ROLE_RELAY);
}

const void *amtd_relay_lookup_entry(struct nb_cb_lookup_entry_args *args)
{
	return amt_instance_lookup_of_role(args->keys->key[0], AMT_ROLE_RELAY);
}

/* XPath: /frr-amtd:amtd/gateway */
const void *amtd_gateway_get_next(struct nb_cb_get_next_args *args)
{
	return amt_instance_next_of_role(args->list_entry, AMT_ROLE_GATEWAY);
}

const void *amtd_gateway_lookup_entry(struct nb_cb_lookup_entry_args *args)
{
	return amt_instance_lookup_of_role(args->keys->key[0], AMT_ROLE_GATEWAY);
}

int amtd_instance_get_keys(struct nb_cb_get_keys_args *args)
{
	const struct amt_instance *inst = args->list_entry;

	args->keys->num = 1;
	strlcpy(args->keys->key[0], inst->name, sizeof(args->keys->key[0]));
	return NB_OK;
}

/* XPath: /frr-amtd:amtd/{relay,gateway}/oper-status */
struct yang_data *amtd_instance_oper_status_get_elem(struct nb_cb_get_elem_args *args)
{
	const struct amt_instance *inst = args->list_entry;

	/*
	 * By name: the operational walk does not always pass a data path that
	 * yang_data_new_enum() could resolve to the enum's schema node.
	 */
	return yang_data_new_string(args->xpath, inst->tun_fd >= 0 ? "up" : "down");
}

/* XPath: /frr-amtd:amtd/{relay,gateway}/if-index */
struct yang_data *amtd_instance_if_index_get_elem(struct nb_cb_get_elem_args *args)
{
	const struct amt_instance *inst = args->list_entry;

	if (inst->tun_fd < 0)
		return NULL;
	return yang_data_new_uint32(args->xpath, inst->kernel_ifindex);
}

/* XPath: /frr-amtd:amtd/zebra/connected */
struct yang_data *amtd_zebra_connected_get_elem(struct nb_cb_get_elem_args *args)
{
	return yang_data_new_bool(args->xpath, amt_zebra_is_connected());
}

/* XPath: /frr-amtd:amtd/zebra/connections */
struct yang_data *amtd_zebra_connections_get_elem(struct nb_cb_get_elem_args *args)
{
	return yang_data_new_uint32(args->xpath, amt_g.zebra_connections);
}
