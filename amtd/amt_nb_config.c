// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * amtd northbound: configuration callbacks.
 */
#include <zebra.h>

#include "lib/northbound.h"
#include "lib/yang.h"

#include "amtd.h"
#include "amt_debug.h"
#include "amt_gateway.h"
#include "amt_nb.h"
#include "amt_relay.h"

static int amt_instance_nb_create(struct nb_cb_create_args *args, enum amt_role role)
{
	const char *name = yang_dnode_get_string(args->dnode, "name");
	struct amt_instance *inst;
	char err[128];
	int ifindex = 0;

	switch (args->event) {
	case NB_EV_VALIDATE:
		/* YANG's must statements keep relay and gateway names apart. */
		break;
	case NB_EV_PREPARE:
		/*
		 * The pseudo-interface is what the instance is: without it the
		 * commit fails, with the reason, rather than leave an instance
		 * that can serve nobody.
		 */
		args->resource->fd = amt_instance_tun_prepare(name, &ifindex, err, sizeof(err));
		if (args->resource->fd < 0) {
			snprintf(args->errmsg, args->errmsg_len,
				 "cannot create the pseudo-interface %s: %s", name, err);
			return NB_ERR_RESOURCE;
		}
		break;
	case NB_EV_ABORT:
		amt_instance_tun_release(args->resource->fd);
		break;
	case NB_EV_APPLY:
		DEBUGD(&amt_dbg_northbound, "create %s %s", amt_role_str(role), name);
		inst = amt_instance_create(name, role, args->resource->fd, if_nametoindex(name));
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

/*
 * Relay and gateway parameters.  Each leaf's callbacks accept the change;
 * the instance reads its whole configuration back once all changes of a
 * commit are in (apply_finish), so that related leaves are applied together.
 */
int amtd_leaf_modify(struct nb_cb_modify_args *args)
{
	return NB_OK;
}

int amtd_leaf_destroy(struct nb_cb_destroy_args *args)
{
	return NB_OK;
}

int amtd_leaf_create(struct nb_cb_create_args *args)
{
	return NB_OK;
}

/* Read the addresses of a relay leaf-list into [IPv4, IPv6] slots. */
static void amt_relay_addresses_from_dnode(const struct lyd_node *dnode, const char *leaf,
					   struct amt_ipaddr out[2])
{
	const struct lyd_node *child;
	struct ipaddr ip;

	memset(out, 0, 2 * sizeof(*out));
	LY_LIST_FOR (lyd_child(dnode), child) {
		if (strcmp(child->schema->name, leaf))
			continue;
		yang_dnode_get_ip(&ip, child, NULL);
		if (IS_IPADDR_V4(&ip)) {
			out[0].family = AF_INET;
			out[0].ip.v4 = ip.ipaddr_v4;
		} else {
			out[1].family = AF_INET6;
			out[1].ip.v6 = ip.ipaddr_v6;
		}
	}
}

/* The anycast advertisement and its health conditions. */
static void amt_relay_health_from_dnode(const struct lyd_node *dnode,
					struct amt_health_config *h)
{
	const struct lyd_node *child;

	amt_health_config_default(h);
	h->advertise = yang_dnode_get_bool(dnode, "advertise-discovery-address");
	h->hold_down_s = yang_dnode_get_uint32(dnode, "health-hold-down");
	h->max_load_pct = yang_dnode_get_uint8(dnode, "health-max-load");
	LY_LIST_FOR (lyd_child(dnode), child) {
		if (strcmp(child->schema->name, "health-prefix") ||
		    h->nprefixes >= AMT_HEALTH_MAX_PREFIXES)
			continue;
		yang_dnode_get_prefix(&h->prefixes[h->nprefixes], child, NULL);
		apply_mask(&h->prefixes[h->nprefixes++]);
	}
}

static void amt_relay_config_from_dnode(const struct lyd_node *dnode, struct amt_relay_config *cfg)
{
	amt_relay_config_default(cfg);
	amt_relay_addresses_from_dnode(dnode, "local-address", cfg->local);
	amt_relay_addresses_from_dnode(dnode, "discovery-address", cfg->discovery);
	cfg->port = yang_dnode_get_uint16(dnode, "port");
	cfg->tunnel_limit = yang_dnode_get_uint32(dnode, "tunnel-limit");
	cfg->group_limit = yang_dnode_get_uint32(dnode, "group-limit");
	cfg->source_limit = yang_dnode_get_uint32(dnode, "source-limit");
	cfg->key_rotation_s = yang_dnode_get_uint32(dnode, "secret-key-rotation-interval");
	cfg->query_interval_s = yang_dnode_get_uint32(dnode, "query-interval");
	cfg->query_response_interval_s = yang_dnode_get_uint32(dnode, "query-response-interval");
	cfg->robustness = yang_dnode_get_uint8(dnode, "robustness");
	cfg->rate_limit = yang_dnode_get_uint32(dnode, "unauthenticated-rate-limit");
	cfg->prefix_rate_limit = yang_dnode_get_uint32(dnode, "unauthenticated-prefix-rate-limit");
	cfg->update_rate_limit = yang_dnode_get_uint32(dnode, "update-rate-limit");
	cfg->tunnels_per_address = yang_dnode_get_uint32(dnode, "tunnels-per-address");
	cfg->flow_limit = yang_dnode_get_uint32(dnode, "flow-limit");
	cfg->fanout_slice = yang_dnode_get_uint32(dnode, "fanout-slice");
	/* enum read (0) or packet-ring (1) */
	cfg->tun_ring = yang_dnode_get_enum(dnode, "pseudo-interface-read") == 1;
	cfg->flag_layout = yang_dnode_get_bool(dnode, "linux-flag-layout") ? AMT_FLAGS_LINUX
									   : AMT_FLAGS_RFC;
	cfg->gw_fields = yang_dnode_get_enum(dnode, "gateway-fields");
	cfg->shutdown = yang_dnode_get_bool(dnode, "shutdown");
	amt_relay_health_from_dnode(dnode, &cfg->health);
}

/* XPath: /frr-amtd:amtd/relay, after all changes of a commit. */
void amtd_relay_apply_finish(struct nb_cb_apply_finish_args *args)
{
	struct amt_instance *inst = nb_running_get_entry(args->dnode, NULL, true);
	bool was_ring;

	if (!inst->relay)
		return;
	was_ring = inst->relay->cfg.tun_ring;
	amt_relay_config_from_dnode(args->dnode, &inst->relay->cfg);
	/* A refused ring is tried again when packet-ring is set anew, not at
	 * every other change of the relay (each try warns again). */
	if (inst->relay->cfg.tun_ring != was_ring)
		inst->relay->ring_refused = false;
	amt_relay_reconfigure(inst->relay);
	DEBUGD(&amt_dbg_northbound, "relay %s reconfigured", inst->name);
}

static void amt_gateway_address_from_dnode(const struct lyd_node *dnode, const char *leaf,
					   struct amt_ipaddr *out)
{
	struct ipaddr ip;

	memset(out, 0, sizeof(*out));
	if (!yang_dnode_exists(dnode, leaf))
		return;
	yang_dnode_get_ip(&ip, dnode, "%s", leaf);
	if (IS_IPADDR_V4(&ip)) {
		out->family = AF_INET;
		out->ip.v4 = ip.ipaddr_v4;
	} else {
		out->family = AF_INET6;
		out->ip.v6 = ip.ipaddr_v6;
	}
}

static void amt_gateway_config_from_dnode(const struct lyd_node *dnode,
					  struct amt_gateway_config *cfg)
{
	const struct lyd_node *child;

	amt_gateway_config_default(cfg);
	amt_gateway_address_from_dnode(dnode, "relay-address", &cfg->relay);
	amt_gateway_address_from_dnode(dnode, "discovery-address", &cfg->discovery);
	amt_gateway_address_from_dnode(dnode, "dns-discovery/source", &cfg->dns_source);
	if (yang_dnode_exists(dnode, "dns-discovery/name")) {
		size_t len;

		strlcpy(cfg->dns_name, yang_dnode_get_string(dnode, "dns-discovery/name"),
			sizeof(cfg->dns_name));
		/* Queried as given: absolute, with or without the final dot. */
		len = strlen(cfg->dns_name);
		if (len > 1 && cfg->dns_name[len - 1] == '.')
			cfg->dns_name[len - 1] = '\0';
	}
	cfg->relay_port = yang_dnode_get_uint16(dnode, "relay-port");
	cfg->request_timeout_s = yang_dnode_get_uint32(dnode, "request-timeout");
	cfg->retransmissions = yang_dnode_get_uint8(dnode, "retransmissions");
	cfg->flag_layout = yang_dnode_get_bool(dnode, "linux-flag-layout") ? AMT_FLAGS_LINUX
									   : AMT_FLAGS_RFC;
	LY_LIST_FOR (lyd_child(dnode), child) {
		if (strcmp(child->schema->name, "source-prefix") ||
		    cfg->nprefixes >= AMT_GW_MAX_PREFIXES)
			continue;
		yang_dnode_get_prefix(&cfg->prefixes[cfg->nprefixes++], child, NULL);
	}
}

/* XPath: /frr-amtd:amtd/gateway/dns-discovery/source */
int amtd_gateway_dns_source_modify(struct nb_cb_modify_args *args)
{
	struct ipaddr ip;
	bool unicast;

	if (args->event != NB_EV_VALIDATE)
		return NB_OK;
	yang_dnode_get_ip(&ip, args->dnode, NULL);
	if (IS_IPADDR_V4(&ip))
		unicast = ip.ipaddr_v4.s_addr != INADDR_ANY &&
			  !IN_MULTICAST(ntohl(ip.ipaddr_v4.s_addr)) &&
			  ip.ipaddr_v4.s_addr != INADDR_BROADCAST;
	else
		unicast = !IN6_IS_ADDR_UNSPECIFIED(&ip.ipaddr_v6) &&
			  !IN6_IS_ADDR_MULTICAST(&ip.ipaddr_v6);
	if (!unicast) {
		snprintfrr(args->errmsg, args->errmsg_len,
			   "dns-discovery source %pIA is not a unicast address", &ip);
		return NB_ERR_VALIDATION;
	}
	return NB_OK;
}

/* XPath: /frr-amtd:amtd/gateway, after all changes of a commit. */
void amtd_gateway_apply_finish(struct nb_cb_apply_finish_args *args)
{
	struct amt_instance *inst = nb_running_get_entry(args->dnode, NULL, true);

	struct amt_gateway_config cfg;

	if (!inst->gateway)
		return;
	amt_gateway_config_from_dnode(args->dnode, &cfg);
	amt_gateway_reconfigure(inst->gateway, &cfg);
	DEBUGD(&amt_dbg_northbound, "gateway %s reconfigured", inst->name);
}
