// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AMT gateway CLI: parameters of a gateway instance and its show command.
 */
#include <zebra.h>

#include "lib/command.h"
#include "lib/json.h"
#include "lib/northbound_cli.h"
#include "lib/vty.h"

#include "amtd.h"
#include "amt_gateway.h"
#include "amt_gateway_vty.h"
#include "amt_nb.h"
#include "amt_relay.h"
#include "amt_vty.h"

#include "amtd/amt_gateway_vty_clippy.c"

#define AMT_STR "Automatic Multicast Tunneling (AMT)\n"

DEFPY_YANG(amt_gw_relay_address, amt_gw_relay_address_cmd,
	   "[no] relay-address ![<A.B.C.D|X:X::X:X>$addr]",
	   NO_STR "Unicast address of the relay to use\n"
		  "IPv4 address\n"
		  "IPv6 address\n")
{
	return amt_cli_leaf(vty, "relay-address", !!no, addr_str);
}

DEFPY_YANG(amt_gw_discovery_address, amt_gw_discovery_address_cmd,
	   "[no] discovery-address ![<A.B.C.D|X:X::X:X>$addr]",
	   NO_STR "Anycast relay discovery address\n"
		  "IPv4 address\n"
		  "IPv6 address\n")
{
	return amt_cli_leaf(vty, "discovery-address", !!no, addr_str);
}

DEFPY_YANG(amt_gw_relay_port, amt_gw_relay_port_cmd, "[no] relay-port ![(1-65535)$port]",
	   NO_STR "UDP port of the relay\n"
		  "Port number (default 2268)\n")
{
	return amt_cli_leaf(vty, "relay-port", !!no, port_str);
}

DEFPY_YANG(amt_gw_request_timeout, amt_gw_request_timeout_cmd,
	   "[no] request-timeout ![(1-60)$secs]",
	   NO_STR "Time to wait for an answer before sending again\n"
		  "Seconds (default 3), doubled at each retransmission\n")
{
	return amt_cli_leaf(vty, "request-timeout", !!no, secs_str);
}

DEFPY_YANG(amt_gw_retransmissions, amt_gw_retransmissions_cmd,
	   "[no] retransmissions ![(0-10)$count]",
	   NO_STR "Retransmissions before the relay is given up\n"
		  "Count (default 3)\n")
{
	return amt_cli_leaf(vty, "retransmissions", !!no, count_str);
}

DEFPY_YANG(amt_gw_source_prefix, amt_gw_source_prefix_cmd,
	   "[no] source-prefix <A.B.C.D/M|X:X::X:X/M>$prefix",
	   NO_STR "Sources served through the relay (routes through the pseudo-interface)\n"
		  "IPv4 prefix\n"
		  "IPv6 prefix\n")
{
	return amt_cli_leaf_list(vty, "source-prefix", !!no, prefix_str);
}

DEFPY_YANG(amt_gw_linux_flags, amt_gw_linux_flags_cmd, "[no] linux-flag-layout",
	   NO_STR "Put the P, L and G flags where the Linux amt driver does\n")
{
	return amt_cli_leaf(vty, "linux-flag-layout", false, no ? "false" : "true");
}

static void amt_show_gateway(struct vty *vty, json_object *json, struct amt_instance *inst)
{
	const struct amt_gateway *gw = inst->gateway;
	const struct amt_gateway_stats *st = &gw->stats;
	char relay[INET6_ADDRSTRLEN] = "-", seen[INET6_ADDRSTRLEN] = "-";
	json_object *j, *c;

	if (gw->relay.family)
		inet_ntop(gw->relay.family, &gw->relay.ip, relay, sizeof(relay));
	if (gw->have_seen)
		inet_ntop(gw->seen_addr.family, &gw->seen_addr.ip, seen, sizeof(seen));

	j = json_object_new_object();
	json_object_string_add(j, "operStatus", inst->tun_fd >= 0 ? "up" : "down");
	json_object_string_add(j, "state", amt_gw_state_str(gw->state));
	json_object_string_add(j, "relay", relay);
	json_object_string_add(j, "relaySelection",
			       gw->cfg.relay.family	  ? "configured"
			       : gw->cfg.discovery.family ? "discovery"
							  : "none");
	json_object_int_add(j, "relayPort", gw->cfg.relay_port);
	json_object_string_add(j, "addressSeenByRelay", seen);
	json_object_int_add(j, "portSeenByRelay", gw->have_seen ? gw->seen_port : 0);
	json_object_int_add(j, "queryInterval", gw->query_interval_s);
	json_object_int_add(j, "uptime",
			    gw->state == AMT_GW_UP ? (amt_now_ms() - gw->up_since_ms) / 1000 : 0);
	json_object_int_add(j, "groups", amt_membership_num_groups(gw->wanted));
	json_object_int_add(j, "routesInstalled", gw->ninstalled);
	c = json_object_new_object();
	json_object_int_add(c, "sentDiscovery", st->tx_discovery);
	json_object_int_add(c, "receivedAdvertisement", st->rx_advertisement);
	json_object_int_add(c, "sentRequest", st->tx_request);
	json_object_int_add(c, "receivedQuery", st->rx_query);
	json_object_int_add(c, "sentUpdate", st->tx_update);
	json_object_int_add(c, "sentTeardown", st->tx_teardown);
	json_object_int_add(c, "receivedData", st->rx_data);
	json_object_int_add(c, "receivedDataBytes", st->rx_data_bytes);
	json_object_int_add(c, "droppedDataWrongSender", st->drop_data_sender);
	json_object_int_add(c, "droppedDataNotRequested", st->drop_data_flow);
	json_object_int_add(c, "droppedMalformed", st->drop_malformed);
	json_object_int_add(c, "droppedBadNonce", st->drop_nonce);
	json_object_int_add(c, "reportsBeforeTunnelUp", st->reports_before_up);
	json_object_int_add(c, "relayTimeouts", st->relay_timeouts);
	json_object_int_add(c, "queriesWithLimit", st->queries_with_l);
	json_object_int_add(c, "natChanges", st->nat_changes);
	json_object_object_add(j, "counters", c);

	if (json) {
		json_object_object_add(json, inst->name, j);
		return;
	}
	vty_out(vty, "AMT gateway %s: tunnel %s, relay %s port %u\n", inst->name,
		amt_gw_state_str(gw->state), relay, gw->cfg.relay_port);
	vty_out(vty, "  Relay sees this gateway as %s port %u\n", seen,
		gw->have_seen ? gw->seen_port : 0);
	vty_out(vty, "  Groups requested: %u, source routes installed: %u\n",
		amt_membership_num_groups(gw->wanted), gw->ninstalled);
	vty_out(vty, "  Counters:\n%s\n",
		json_object_to_json_string_ext(c, JSON_C_TO_STRING_PRETTY));
	json_object_free(j);
}

DEFPY(show_amt_gateway, show_amt_gateway_cmd, "show amt gateway [IFNAME$name] [json$json]",
      SHOW_STR AMT_STR "AMT gateway instance\n"
		       "Name of the instance's pseudo-interface\n" JSON_STR)
{
	json_object *jroot = json ? json_object_new_object() : NULL;
	struct amt_instance *inst;

	frr_each_amt_instance(inst)
	{
		if (!inst->gateway || (name && strcmp(name, inst->name)))
			continue;
		amt_show_gateway(vty, jroot, inst);
	}
	if (jroot)
		return vty_json(vty, jroot);
	return CMD_SUCCESS;
}

void amt_gateway_vty_init(void)
{
	install_element(AMT_GATEWAY_NODE, &amt_gw_relay_address_cmd);
	install_element(AMT_GATEWAY_NODE, &amt_gw_discovery_address_cmd);
	install_element(AMT_GATEWAY_NODE, &amt_gw_relay_port_cmd);
	install_element(AMT_GATEWAY_NODE, &amt_gw_request_timeout_cmd);
	install_element(AMT_GATEWAY_NODE, &amt_gw_retransmissions_cmd);
	install_element(AMT_GATEWAY_NODE, &amt_gw_source_prefix_cmd);
	install_element(AMT_GATEWAY_NODE, &amt_gw_linux_flags_cmd);
	install_element(VIEW_NODE, &show_amt_gateway_cmd);
}
