// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AMT relay CLI: parameters of a relay instance, its show and clear
 * commands.
 */
#include <zebra.h>

#include "lib/command.h"
#include "lib/json.h"
#include "lib/monotime.h"
#include "lib/northbound_cli.h"
#include "lib/sockunion.h"
#include "lib/termtable.h"
#include "lib/vty.h"

#include "amtd.h"
#include "amt_nb.h"
#include "amt_relay.h"
#include "amt_relay_advertise.h"
#include "amt_relay_persist.h"
#include "amt_relay_vty.h"
#include "amt_vty.h"

#include "amtd/amt_relay_vty_clippy.c"

#define AMT_STR	       "Automatic Multicast Tunneling (AMT)\n"
#define AMT_RELAY_STR  "AMT relay instance\n"
#define AMT_IFNAME_STR "Name of the instance's pseudo-interface\n"

/* ------------------------------------------------------- configuration */

DEFPY_YANG(amt_relay_local_address, amt_relay_local_address_cmd,
	   "[no] local-address <A.B.C.D|X:X::X:X>$addr",
	   NO_STR "Unicast address of the relay (one per address family)\n"
		  "IPv4 address\n"
		  "IPv6 address\n")
{
	return amt_cli_leaf_list(vty, "local-address", !!no, addr_str);
}

DEFPY_YANG(amt_relay_discovery_address, amt_relay_discovery_address_cmd,
	   "[no] discovery-address <A.B.C.D|X:X::X:X>$addr",
	   NO_STR "Anycast relay discovery address (one per address family)\n"
		  "IPv4 address\n"
		  "IPv6 address\n")
{
	return amt_cli_leaf_list(vty, "discovery-address", !!no, addr_str);
}

DEFPY_YANG(amt_relay_port, amt_relay_port_cmd, "[no] port ![(1-65535)$port]",
	   NO_STR "UDP port to listen on\n"
		  "Port number (default 2268)\n")
{
	return amt_cli_leaf(vty, "port", !!no, port_str);
}

DEFPY_YANG(amt_relay_tunnel_limit, amt_relay_tunnel_limit_cmd,
	   "[no] tunnel-limit ![(1-1000000)$limit]",
	   NO_STR "Maximum number of tunnels\n"
		  "Number of tunnels (default 10000)\n")
{
	return amt_cli_leaf(vty, "tunnel-limit", !!no, limit_str);
}

DEFPY_YANG(amt_relay_group_limit, amt_relay_group_limit_cmd,
	   "[no] group-limit ![(1-65535)$limit]",
	   NO_STR "Maximum number of groups per tunnel\n"
		  "Number of groups (default 256)\n")
{
	return amt_cli_leaf(vty, "group-limit", !!no, limit_str);
}

DEFPY_YANG(amt_relay_source_limit, amt_relay_source_limit_cmd,
	   "[no] source-limit ![(1-65535)$limit]",
	   NO_STR "Maximum number of sources per tunnel\n"
		  "Number of sources (default 1024)\n")
{
	return amt_cli_leaf(vty, "source-limit", !!no, limit_str);
}

DEFPY_YANG(amt_relay_key_rotation, amt_relay_key_rotation_cmd,
	   "[no] secret-key-rotation-interval ![(10-604800)$secs]",
	   NO_STR "How often the response MAC secret is replaced\n"
		  "Seconds (default 3600)\n")
{
	return amt_cli_leaf(vty, "secret-key-rotation-interval", !!no, secs_str);
}

DEFPY_YANG(amt_relay_query_interval, amt_relay_query_interval_cmd,
	   "[no] query-interval ![(1-3600)$secs]",
	   NO_STR "Query interval announced to gateways\n"
		  "Seconds (default 125)\n")
{
	return amt_cli_leaf(vty, "query-interval", !!no, secs_str);
}

DEFPY_YANG(amt_relay_query_response_interval, amt_relay_query_response_interval_cmd,
	   "[no] query-response-interval ![(1-3175)$secs]",
	   NO_STR "Maximum response time announced to gateways\n"
		  "Seconds (default 10)\n")
{
	return amt_cli_leaf(vty, "query-response-interval", !!no, secs_str);
}

DEFPY_YANG(amt_relay_robustness, amt_relay_robustness_cmd, "[no] robustness ![(1-7)$rv]",
	   NO_STR "Robustness variable\n"
		  "Value (default 2)\n")
{
	return amt_cli_leaf(vty, "robustness", !!no, rv_str);
}

DEFPY_YANG(amt_relay_rate_limit, amt_relay_rate_limit_cmd,
	   "[no] unauthenticated-rate-limit ![(1-10000000)$rate]",
	   NO_STR "Rate limit for Relay Discovery and Request messages\n"
		  "Packets per second (default 10000)\n")
{
	return amt_cli_leaf(vty, "unauthenticated-rate-limit", !!no, rate_str);
}

DEFPY_YANG(amt_relay_prefix_rate_limit, amt_relay_prefix_rate_limit_cmd,
	   "[no] unauthenticated-prefix-rate-limit ![(1-10000000)$rate]",
	   NO_STR "Rate limit for Relay Discovery and Request messages per /24 or /56\n"
		  "Packets per second (default 2500)\n")
{
	return amt_cli_leaf(vty, "unauthenticated-prefix-rate-limit", !!no, rate_str);
}

DEFPY_YANG(amt_relay_update_rate_limit, amt_relay_update_rate_limit_cmd,
	   "[no] update-rate-limit ![(1-10000000)$rate]",
	   NO_STR "Rate limit for a tunnel's Membership Updates\n"
		  "Packets per second (default 1000)\n")
{
	return amt_cli_leaf(vty, "update-rate-limit", !!no, rate_str);
}

DEFPY_YANG(amt_relay_tunnels_per_address, amt_relay_tunnels_per_address_cmd,
	   "[no] tunnels-per-address ![(1-4294967295)$num]",
	   NO_STR "Maximum number of tunnels with one gateway address\n"
		  "Tunnels (default 1000)\n")
{
	return amt_cli_leaf(vty, "tunnels-per-address", !!no, num_str);
}

DEFPY_YANG(amt_relay_flow_limit, amt_relay_flow_limit_cmd,
	   "[no] flow-limit ![(1-4294967295)$num]",
	   NO_STR "Maximum number of groups and (S,G) fed to PIM\n"
		  "Groups plus (S,G) (default 100000)\n")
{
	return amt_cli_leaf(vty, "flow-limit", !!no, num_str);
}

DEFPY_YANG(amt_relay_fanout_slice, amt_relay_fanout_slice_cmd,
	   "[no] fanout-slice ![(64-1000000)$num]",
	   NO_STR "Multicast Data messages sent per event; a larger fan-out is split\n"
		  "Messages (default 4096)\n")
{
	return amt_cli_leaf(vty, "fanout-slice", !!no, num_str);
}

DEFPY_YANG(amt_relay_linux_flags, amt_relay_linux_flags_cmd, "[no] linux-flag-layout",
	   NO_STR "Put the P, L and G flags where the Linux amt driver does\n")
{
	return amt_cli_leaf(vty, "linux-flag-layout", false, no ? "false" : "true");
}

DEFPY_YANG(amt_relay_pseudo_if_read, amt_relay_pseudo_if_read_cmd,
	   "[no] pseudo-interface-read ![<read|packet-ring>$mode]",
	   NO_STR "How the relay takes the multicast forwarded onto its pseudo-interface\n"
		  "Read the tun device\n"
		  "From a packet ring, without a system call per packet (default)\n")
{
	return amt_cli_leaf(vty, "pseudo-interface-read", !!no, mode);
}

DEFPY_YANG(amt_relay_gateway_fields, amt_relay_gateway_fields_cmd,
	   "[no] gateway-fields ![<auto|always|never>$mode]",
	   NO_STR "Gateway address and port (G flag) in Membership Queries\n"
		  "By the kind of gateway each Request shows (default)\n"
		  "In every Membership Query\n"
		  "In no Membership Query\n")
{
	return amt_cli_leaf(vty, "gateway-fields", !!no, mode);
}

DEFPY_YANG(amt_relay_shutdown, amt_relay_shutdown_cmd, "[no] shutdown",
	   NO_STR "Drain the relay: no new tunnels, L flag to every gateway\n")
{
	return amt_cli_leaf(vty, "shutdown", false, no ? "false" : "true");
}

DEFPY_YANG(amt_relay_advertise, amt_relay_advertise_cmd, "[no] advertise-discovery-address",
	   NO_STR "Make the discovery addresses routable here only while the relay is healthy\n")
{
	return amt_cli_leaf(vty, "advertise-discovery-address", false, no ? "false" : "true");
}

DEFPY_YANG(amt_relay_health_prefix, amt_relay_health_prefix_cmd,
	   "[no] health-prefix <A.B.C.D/M|X:X::X:X/M>$prefix",
	   NO_STR "A prefix that must be reachable for the relay to be healthy\n"
		  "IPv4 prefix\n"
		  "IPv6 prefix\n")
{
	return amt_cli_leaf_list(vty, "health-prefix", !!no, prefix_str);
}

DEFPY_YANG(amt_relay_health_hold_down, amt_relay_health_hold_down_cmd,
	   "[no] health-hold-down ![(0-3600)$secs]",
	   NO_STR "Healthy time before advertising again after a withdrawal\n"
		  "Seconds (default 30)\n")
{
	return amt_cli_leaf(vty, "health-hold-down", !!no, secs_str);
}

DEFPY_YANG(amt_relay_health_max_load, amt_relay_health_max_load_cmd,
	   "[no] health-max-load ![(1-100)$pct]",
	   NO_STR "Share of tunnel-limit at which the relay is no longer healthy\n"
		  "Percent (default 90)\n")
{
	return amt_cli_leaf(vty, "health-max-load", !!no, pct_str);
}

/* ------------------------------------------------------- show */

static void amt_json_addresses(json_object *obj, const char *key, const struct amt_ipaddr a[2])
{
	json_object *arr = json_object_new_array();
	char buf[INET6_ADDRSTRLEN];

	for (int i = 0; i < 2; i++)
		if (a[i].family)
			json_object_array_add(arr, json_object_new_string(inet_ntop(a[i].family,
										    &a[i].ip, buf,
										    sizeof(buf))));
	json_object_object_add(obj, key, arr);
}

/* An address per family, for the text output; "-" for none. */
static const char *amt_addresses_str(const struct amt_ipaddr a[2], char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN];

	buf[0] = '\0';
	for (int i = 0; i < 2; i++)
		if (a[i].family)
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", buf[0] ? ", " : "",
				 inet_ntop(a[i].family, &a[i].ip, addr, sizeof(addr)));
	return buf[0] ? buf : "-";
}

static void amt_show_relay_summary(struct vty *vty, json_object *json, struct amt_instance *inst)
{
	const struct amt_relay *relay = inst->relay;
	const struct amt_relay_config *c = &relay->cfg;
	char addrs[2 * INET6_ADDRSTRLEN + 2];
	struct ttable *tt;
	json_object *j;

	if (json) {
		j = json_object_new_object();
		json_object_string_add(j, "operStatus", inst->tun_fd >= 0 ? "up" : "down");
		json_object_int_add(j, "port", c->port);
		amt_json_addresses(j, "localAddresses", c->local);
		amt_json_addresses(j, "discoveryAddresses", c->discovery);
		json_object_int_add(j, "listeningSockets", relay->nsocks);
		json_object_int_add(j, "tunnelLimit", c->tunnel_limit);
		json_object_int_add(j, "tunnelCount", amt_relay_tunnel_count(relay));
		json_object_int_add(j, "groupLimit", c->group_limit);
		json_object_int_add(j, "sourceLimit", c->source_limit);
		json_object_int_add(j, "queryInterval", c->query_interval_s);
		json_object_int_add(j, "queryResponseInterval", c->query_response_interval_s);
		json_object_int_add(j, "robustness", c->robustness);
		json_object_int_add(j, "secretKeyRotationInterval", c->key_rotation_s);
		json_object_int_add(j, "unauthenticatedRateLimit", c->rate_limit);
		json_object_int_add(j, "unauthenticatedPrefixRateLimit", c->prefix_rate_limit);
		json_object_int_add(j, "updateRateLimit", c->update_rate_limit);
		json_object_int_add(j, "tunnelsPerAddress", c->tunnels_per_address);
		json_object_int_add(j, "flowLimit", c->flow_limit);
		json_object_int_add(j, "fanoutSlice", c->fanout_slice);
		json_object_boolean_add(j, "linuxFlagLayout", c->flag_layout == AMT_FLAGS_LINUX);
		json_object_string_add(j, "gatewayFields", amt_relay_gw_fields_str(c->gw_fields));
		json_object_string_add(j, "pseudoInterfaceRead",
				       c->tun_ring ? "packet-ring" : "read");
		json_object_boolean_add(j, "packetRingOpen", relay->ring.fd >= 0);
		/* Draining: the tunnels left are tunnelCount. */
		json_object_boolean_add(j, "draining", c->shutdown);
		amt_relay_persist_show(relay, j, NULL);
		amt_relay_adv_show(relay, j, NULL);
		json_object_object_add(json, inst->name, j);
		return;
	}
	tt = amt_table_new(1);
	amt_table_row(tt, "Pseudo-interface", "%s", inst->tun_fd >= 0 ? "up" : "down");
	amt_table_row(tt, "Local addresses", "%s",
		      amt_addresses_str(c->local, addrs, sizeof(addrs)));
	amt_table_row(tt, "Discovery addresses", "%s",
		      amt_addresses_str(c->discovery, addrs, sizeof(addrs)));
	amt_table_row(tt, "UDP port", "%u", c->port);
	amt_table_row(tt, "Listening sockets", "%u", relay->nsocks);
	amt_table_row(tt, "Tunnels", "%u", amt_relay_tunnel_count(relay));
	amt_table_row(tt, "Tunnel limit", "%u", c->tunnel_limit);
	amt_table_row(tt, "Draining (shutdown)", "%s", c->shutdown ? "yes, no new tunnels" : "no");
	amt_relay_persist_show(relay, NULL, tt);
	amt_relay_adv_show(relay, NULL, tt);
	amt_table_row(tt, "Gateway fields in Queries", "%s", amt_relay_gw_fields_str(c->gw_fields));
	amt_table_row(tt, "Pseudo-interface read", "%s",
		      !c->tun_ring	    ? "read"
		      : relay->ring.fd >= 0 ? "packet-ring"
					    : "packet-ring (not open: device read)");
	amt_table_row(tt, "Group limit per tunnel", "%u", c->group_limit);
	amt_table_row(tt, "Source limit per tunnel", "%u", c->source_limit);
	amt_table_row(tt, "Query interval", "%u s", c->query_interval_s);
	amt_table_row(tt, "Query response interval", "%u s", c->query_response_interval_s);
	amt_table_row(tt, "Robustness", "%u", c->robustness);
	amt_table_row(tt, "Secret key rotation interval", "%u s", c->key_rotation_s);
	amt_table_row(tt, "Unauthenticated rate limit", "%u/s", c->rate_limit);
	amt_table_row(tt, "Unauthenticated rate limit per prefix", "%u/s", c->prefix_rate_limit);
	amt_table_row(tt, "Update rate limit per tunnel", "%u/s", c->update_rate_limit);
	amt_table_row(tt, "Tunnels per address", "%u", c->tunnels_per_address);
	amt_table_row(tt, "Flow limit (groups + (S,G))", "%u", c->flow_limit);
	amt_table_row(tt, "Fan-out slice", "%u datagrams", c->fanout_slice);
	amt_table_row(tt, "Linux flag layout", "%s",
		      c->flag_layout == AMT_FLAGS_LINUX ? "yes" : "no");
	vty_out(vty, "AMT relay %s\n", inst->name);
	amt_table_print(vty, tt, false);
}

/*
 * The relay's counters, in both outputs; a new counter is one line here.
 * The JSON keys stay as they are: topotests and scripts read them.
 */
#define RELAY_STAT(section, key, name, field)                                                      \
	AMT_SHOW_COUNTER(section, key, name, struct amt_relay_stats, field)

static const struct amt_show_row amt_relay_stat_rows[] = {
	RELAY_STAT("received", "discovery", "Relay Discovery", rx_discovery),
	RELAY_STAT("received", "request", "Request", rx_request),
	RELAY_STAT("received", "requestRfc", "Request, RFC 7450 gateway",
		   rx_request_kind[AMT_GW_KIND_RFC]),
	RELAY_STAT("received", "requestLinux", "Request, Linux driver gateway",
		   rx_request_kind[AMT_GW_KIND_LINUX]),
	RELAY_STAT("received", "requestExactLength", "Request, exact-length gateway",
		   rx_request_kind[AMT_GW_KIND_EXACT]),
	RELAY_STAT("received", "requestTunnel", "Request, from a tunnel's endpoint",
		   rx_request_tunnel),
	RELAY_STAT("received", "update", "Membership Update", rx_update),
	RELAY_STAT("received", "teardown", "Teardown", rx_teardown),
	RELAY_STAT("received", "socketDrops", "Dropped, socket queue full", rx_socket_drops),
	RELAY_STAT("sent", "advertisement", "Relay Advertisement", tx_advertisement),
	RELAY_STAT("sent", "query", "Membership Query", tx_query),
	RELAY_STAT("sent", "queryGatewayFields", "Query with gateway fields", tx_query_gw_fields),
	RELAY_STAT("sent", "queryNoGatewayFields", "Query without gateway fields",
		   tx_query_no_gw_fields),
	RELAY_STAT("sent", "queryLinuxLayout", "Query in Linux flag layout", tx_query_linux),
	RELAY_STAT("sent", "queryLimit", "Query with L (limit)", tx_query_limit),
	RELAY_STAT("sent", "data", "Multicast Data", tx_data),
	RELAY_STAT("sent", "dataBytes", "Multicast Data bytes", tx_data_bytes),
	RELAY_STAT("sent", "errors", "Send errors", tx_errors),
	RELAY_STAT("sent", "gsoMessages", "UDP GSO messages", tx_gso_msgs),
	RELAY_STAT("sent", "gsoDatagrams", "Datagrams in UDP GSO messages", tx_gso_segs),
	RELAY_STAT("sent", "gsoUnrolled", "Datagrams of refused GSO, sent singly", tx_gso_unrolled),
	RELAY_STAT("sent", "fanoutsSplit", "Fan-outs split over events", fanout_split),
	RELAY_STAT("sent", "fanoutSlices", "Fan-out slices in later events", fanout_slices),
	RELAY_STAT("errors", "gsoRefused", "UDP GSO refused by the kernel", err_gso_refused),
	RELAY_STAT("errors", "fanoutTunnelsGone", "Split fan-out, tunnel gone before its slice",
		   fanout_gone),
	RELAY_STAT("errors", "malformed", "Malformed", err_malformed),
	RELAY_STAT("errors", "badVersion", "Bad version", err_bad_version),
	RELAY_STAT("errors", "unknownType", "Unknown type", err_unknown_type),
	RELAY_STAT("errors", "unexpectedType", "Unexpected type", err_unexpected_type),
	RELAY_STAT("errors", "badMac", "Bad MAC", err_bad_mac),
	RELAY_STAT("errors", "nonceMismatch", "Nonce mismatch", err_nonce_mismatch),
	RELAY_STAT("errors", "rateLimited", "Rate limited", err_rate_limited),
	RELAY_STAT("errors", "tunnelLimit", "Tunnel limit", err_tunnel_limit),
	RELAY_STAT("errors", "prefixRateLimited", "Rate limited, source prefix",
		   err_prefix_rate_limited),
	RELAY_STAT("errors", "tunnelRequestRateLimited", "Rate limited, tunnel's Requests",
		   err_tunnel_request_rate_limited),
	RELAY_STAT("errors", "updateRateLimited", "Rate limited, tunnel's Updates",
		   err_update_rate_limited),
	RELAY_STAT("errors", "addressTunnelLimit", "Tunnels per address limit",
		   err_address_tunnel_limit),
	RELAY_STAT("errors", "flowLimit", "Flow limit", err_flow_limit),
	RELAY_STAT("errors", "groupLimit", "Group limit", err_group_limit),
	RELAY_STAT("errors", "sourceLimit", "Source limit", err_source_limit),
	RELAY_STAT("errors", "badReport", "Bad report", err_bad_report),
	RELAY_STAT("errors", "dataFromGateway", "Data from a gateway", err_data_from_gateway),
	RELAY_STAT("errors", "refusedDraining", "Refused while draining", err_draining),
	RELAY_STAT("errors", "badSource", "Bad source address or port", err_bad_source),
	RELAY_STAT("errors", "ssmExcludeIgnored", "SSM EXCLUDE records ignored", err_ssm_exclude),
	RELAY_STAT(NULL, "unusual", "Unusual messages accepted", unusual),
	RELAY_STAT(NULL, "tunnelsReconfigured", "Tunnels removed with their relay address",
		   tunnels_reconfigured),
	RELAY_STAT("pseudoInterface", "dataForwarded", "Data forwarded", tun_data),
	RELAY_STAT("pseudoInterface", "dataWithoutReceiver", "Data without receiver",
		   tun_no_receiver),
	RELAY_STAT("pseudoInterface", "queriesAnswered", "Queries of pimd answered", tun_queries),
	RELAY_STAT("pseudoInterface", "otherPackets", "Other packets", tun_other),
	RELAY_STAT("pseudoInterface", "reportsWritten", "Reports written", tun_reports_written),
	RELAY_STAT("pseudoInterface", "writeErrors", "Write errors", tun_write_errors),
	RELAY_STAT("pseudoInterface", "ringDrops", "Lost on the full packet ring", ring_drops),
	RELAY_STAT("pseudoInterface", "ringTooLong", "Longer than a packet-ring frame",
		   ring_too_long),
};

static const struct amt_show_section amt_relay_stat_sections[] = {
	{ "received", "Messages received" },
	{ "sent", "Messages sent" },
	{ "errors", "Messages dropped" },
	{ "pseudoInterface", "Pseudo-interface" },
};

static void amt_show_relay_stats(struct vty *vty, json_object *json, struct amt_instance *inst)
{
	json_object *j = json_object_new_object();

	amt_relay_ring_stats(inst->relay);
	amt_show_counters_json(j, &inst->relay->stats, amt_relay_stat_rows,
			       array_size(amt_relay_stat_rows));
	if (json) {
		json_object_object_add(json, inst->name, j);
		return;
	}
	vty_out(vty, "AMT relay %s statistics\n", inst->name);
	amt_show_rows_text(vty, j, amt_relay_stat_rows, array_size(amt_relay_stat_rows),
			   amt_relay_stat_sections, array_size(amt_relay_stat_sections));
	json_object_free(j);
}

/* The number of tunnels only: O(1), for relays with very many. */
static void amt_show_relay_tunnel_count(struct vty *vty, json_object *json,
					struct amt_instance *inst)
{
	const struct amt_relay *relay = inst->relay;
	struct ttable *tt;
	json_object *j;

	if (json) {
		j = json_object_new_object();
		json_object_int_add(j, "tunnelCount", amt_relay_tunnel_count(relay));
		json_object_int_add(j, "tunnelLimit", relay->cfg.tunnel_limit);
		json_object_object_add(json, inst->name, j);
		return;
	}
	tt = amt_table_new(1);
	amt_table_row(tt, "Tunnels", "%u", amt_relay_tunnel_count(relay));
	amt_table_row(tt, "Tunnel limit", "%u", relay->cfg.tunnel_limit);
	vty_out(vty, "AMT relay %s\n", inst->name);
	amt_table_print(vty, tt, false);
}

enum amt_relay_show { AMT_SHOW_SUMMARY, AMT_SHOW_STATS, AMT_SHOW_COUNT };

static int amt_show_relays(struct vty *vty, const char *name, bool use_json,
			   enum amt_relay_show what)
{
	json_object *json = use_json ? json_object_new_object() : NULL;
	struct amt_instance *inst;
	bool first = true;

	frr_each_amt_instance(inst)
	{
		if (!inst->relay || (name && strcmp(name, inst->name)))
			continue;
		if (!json && !first)
			vty_out(vty, "\n");
		first = false;
		switch (what) {
		case AMT_SHOW_SUMMARY:
			amt_show_relay_summary(vty, json, inst);
			break;
		case AMT_SHOW_COUNT:
			amt_show_relay_tunnel_count(vty, json, inst);
			break;
		case AMT_SHOW_STATS:
			amt_show_relay_stats(vty, json, inst);
			break;
		}
	}
	if (json)
		return vty_json(vty, json);
	return CMD_SUCCESS;
}

DEFPY(show_amt_relay, show_amt_relay_cmd, "show amt relay [IFNAME$name] [json$json]",
      SHOW_STR AMT_STR AMT_RELAY_STR AMT_IFNAME_STR JSON_STR)
{
	return amt_show_relays(vty, name, !!json, AMT_SHOW_SUMMARY);
}

DEFPY(show_amt_relay_tunnels, show_amt_relay_tunnels_cmd,
      "show amt relay [IFNAME$name] tunnels [detail$detail] [json$json]",
      SHOW_STR AMT_STR AMT_RELAY_STR AMT_IFNAME_STR "Gateways' tunnels\n"
						       "With each tunnel's flows\n" JSON_STR)
{
	return amt_show_relay_tunnels(vty, name, !!json, !!detail, NULL);
}

DEFPY(show_amt_relay_tunnels_gateway, show_amt_relay_tunnels_gateway_cmd,
      "show amt relay [IFNAME$name] tunnels gateway <A.B.C.D|X:X::X:X>$gw [detail$detail] [json$json]",
      SHOW_STR AMT_STR AMT_RELAY_STR AMT_IFNAME_STR "Gateways' tunnels\n"
						       "The tunnels of one gateway address\n"
						       "Gateway IPv4 address\n"
						       "Gateway IPv6 address\n"
						       "With each tunnel's flows\n" JSON_STR)
{
	return amt_show_relay_tunnels(vty, name, !!json, !!detail, gw);
}

DEFPY(show_amt_relay_tunnels_count, show_amt_relay_tunnels_count_cmd,
      "show amt relay [IFNAME$name] tunnels count [json$json]",
      SHOW_STR AMT_STR AMT_RELAY_STR AMT_IFNAME_STR "Gateways' tunnels\n"
						       "Only the number of tunnels\n" JSON_STR)
{
	return amt_show_relays(vty, name, !!json, AMT_SHOW_COUNT);
}

DEFPY(show_amt_relay_stats, show_amt_relay_stats_cmd,
      "show amt relay [IFNAME$name] statistics [json$json]",
      SHOW_STR AMT_STR AMT_RELAY_STR AMT_IFNAME_STR "Message and error counters\n" JSON_STR)
{
	return amt_show_relays(vty, name, !!json, AMT_SHOW_STATS);
}

DEFPY(clear_amt_relay, clear_amt_relay_cmd,
      "clear amt relay [IFNAME$name] <tunnels$tunnels|statistics$stats>",
      CLEAR_STR AMT_STR AMT_RELAY_STR AMT_IFNAME_STR "Remove all tunnels\n"
						      "Reset the counters\n")
{
	struct amt_instance *inst;

	frr_each_amt_instance(inst)
	{
		if (!inst->relay || (name && strcmp(name, inst->name)))
			continue;
		if (tunnels)
			amt_relay_clear_tunnels(inst->relay);
		if (stats)
			amt_relay_clear_stats(inst->relay);
	}
	return CMD_SUCCESS;
}

void amt_relay_vty_init(void)
{
	install_element(AMT_RELAY_NODE, &amt_relay_local_address_cmd);
	install_element(AMT_RELAY_NODE, &amt_relay_discovery_address_cmd);
	install_element(AMT_RELAY_NODE, &amt_relay_port_cmd);
	install_element(AMT_RELAY_NODE, &amt_relay_tunnel_limit_cmd);
	install_element(AMT_RELAY_NODE, &amt_relay_group_limit_cmd);
	install_element(AMT_RELAY_NODE, &amt_relay_source_limit_cmd);
	install_element(AMT_RELAY_NODE, &amt_relay_key_rotation_cmd);
	install_element(AMT_RELAY_NODE, &amt_relay_query_interval_cmd);
	install_element(AMT_RELAY_NODE, &amt_relay_query_response_interval_cmd);
	install_element(AMT_RELAY_NODE, &amt_relay_robustness_cmd);
	install_element(AMT_RELAY_NODE, &amt_relay_rate_limit_cmd);
	install_element(AMT_RELAY_NODE, &amt_relay_prefix_rate_limit_cmd);
	install_element(AMT_RELAY_NODE, &amt_relay_update_rate_limit_cmd);
	install_element(AMT_RELAY_NODE, &amt_relay_tunnels_per_address_cmd);
	install_element(AMT_RELAY_NODE, &amt_relay_flow_limit_cmd);
	install_element(AMT_RELAY_NODE, &amt_relay_fanout_slice_cmd);
	install_element(AMT_RELAY_NODE, &amt_relay_linux_flags_cmd);
	install_element(AMT_RELAY_NODE, &amt_relay_pseudo_if_read_cmd);
	install_element(AMT_RELAY_NODE, &amt_relay_gateway_fields_cmd);
	install_element(AMT_RELAY_NODE, &amt_relay_shutdown_cmd);
	install_element(AMT_RELAY_NODE, &amt_relay_advertise_cmd);
	install_element(AMT_RELAY_NODE, &amt_relay_health_prefix_cmd);
	install_element(AMT_RELAY_NODE, &amt_relay_health_hold_down_cmd);
	install_element(AMT_RELAY_NODE, &amt_relay_health_max_load_cmd);

	install_element(VIEW_NODE, &show_amt_relay_cmd);
	install_element(VIEW_NODE, &show_amt_relay_tunnels_cmd);
	install_element(VIEW_NODE, &show_amt_relay_tunnels_gateway_cmd);
	install_element(VIEW_NODE, &show_amt_relay_tunnels_count_cmd);
	install_element(VIEW_NODE, &show_amt_relay_stats_cmd);
	install_element(ENABLE_NODE, &clear_amt_relay_cmd);
}
