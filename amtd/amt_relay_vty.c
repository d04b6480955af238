// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AMT relay CLI: parameters of a relay instance, its show and clear
 * commands.
 */
#include <zebra.h>

#include "lib/command.h"
#include "lib/json.h"
#include "lib/northbound_cli.h"
#include "lib/sockunion.h"
#include "lib/vty.h"

#include "amtd.h"
#include "amt_nb.h"
#include "amt_relay.h"
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

DEFPY_YANG(amt_relay_linux_flags, amt_relay_linux_flags_cmd, "[no] linux-flag-layout",
	   NO_STR "Put the P, L and G flags where the Linux amt driver does\n")
{
	return amt_cli_leaf(vty, "linux-flag-layout", false, no ? "false" : "true");
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

static void amt_show_relay_summary(struct vty *vty, json_object *json, struct amt_instance *inst)
{
	const struct amt_relay *relay = inst->relay;
	const struct amt_relay_config *c = &relay->cfg;
	char buf[INET6_ADDRSTRLEN];
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
		json_object_boolean_add(j, "linuxFlagLayout", c->flag_layout == AMT_FLAGS_LINUX);
		json_object_object_add(json, inst->name, j);
		return;
	}
	vty_out(vty, "AMT relay %s: pseudo-interface %s\n", inst->name,
		inst->tun_fd >= 0 ? "up" : "down");
	for (int i = 0; i < 2; i++) {
		if (c->local[i].family)
			vty_out(vty, "  Local address:     %s\n",
				inet_ntop(c->local[i].family, &c->local[i].ip, buf, sizeof(buf)));
		if (c->discovery[i].family)
			vty_out(vty, "  Discovery address: %s\n",
				inet_ntop(c->discovery[i].family, &c->discovery[i].ip, buf,
					  sizeof(buf)));
	}
	vty_out(vty, "  UDP port %u, %u socket(s) listening\n", c->port, relay->nsocks);
	vty_out(vty, "  Tunnels: %u of at most %u\n", amt_relay_tunnel_count(relay),
		c->tunnel_limit);
	vty_out(vty, "  Per tunnel: at most %u groups, %u sources\n", c->group_limit,
		c->source_limit);
	vty_out(vty, "  Query interval %us, response interval %us, robustness %u\n",
		c->query_interval_s, c->query_response_interval_s, c->robustness);
}

struct amt_flow_walk {
	struct vty *vty;
	json_object *flows;
};

static void amt_show_tunnel_flows(struct amt_tunnel *t, struct amt_flow_walk *w)
{
	char g[INET6_ADDRSTRLEN], s[INET6_ADDRSTRLEN];
	const struct amt_mgroup *mg;
	const struct amt_msource *ms;
	struct amt_mgroup_info gi;
	struct amt_msource_info si;
	uint64_t now = amt_now_ms();

	for (mg = amt_membership_group_first(t->memb); mg;
	     mg = amt_membership_group_next(t->memb, mg)) {
		amt_mgroup_get_info(mg, now, &gi);
		inet_ntop(gi.family, &gi.group, g, sizeof(g));
		if (gi.mode == AMT_FILTER_EXCLUDE) {
			if (w->flows) {
				json_object *f = json_object_new_object();

				json_object_string_add(f, "group", g);
				json_object_string_add(f, "source", "*");
				json_object_array_add(w->flows, f);
			} else {
				vty_out(w->vty, "    (*, %s) exclude mode\n", g);
			}
		}
		for (ms = amt_mgroup_source_first(mg); ms; ms = amt_mgroup_source_next(mg, ms)) {
			amt_msource_get_info(ms, &si);
			if (si.excluded)
				continue;
			inet_ntop(gi.family, &si.source, s, sizeof(s));
			if (w->flows) {
				json_object *f = json_object_new_object();

				json_object_string_add(f, "group", g);
				json_object_string_add(f, "source", s);
				json_object_array_add(w->flows, f);
			} else {
				vty_out(w->vty, "    (%s, %s)\n", s, g);
			}
		}
	}
}

static void amt_show_relay_tunnels(struct vty *vty, json_object *json, struct amt_instance *inst,
				   bool detail)
{
	struct amt_relay *relay = inst->relay;
	json_object *jrelay = NULL, *jarr = NULL;
	uint64_t now = amt_now_ms();
	struct amt_tunnel *t;
	char addr[INET6_ADDRSTRLEN];

	if (json) {
		jrelay = json_object_new_object();
		jarr = json_object_new_array();
		json_object_object_add(jrelay, "tunnels", jarr);
		json_object_object_add(json, inst->name, jrelay);
	} else {
		vty_out(vty, "AMT relay %s: %u tunnel(s)\n", inst->name,
			amt_relay_tunnel_count(relay));
		vty_out(vty, "  %-39s %-5s %-8s %-6s %-7s %s\n", "Gateway", "Port", "Uptime",
			"Groups", "Sources", "Data packets");
	}
	for (t = amt_relay_tunnel_first(relay); t; t = amt_relay_tunnel_next(relay, t)) {
		struct amt_flow_walk w = { .vty = vty };
		uint16_t port = ntohs(t->gw.sa.sa_family == AF_INET ? t->gw.sin.sin_port
								    : t->gw.sin6.sin6_port);

		sockunion2str(&t->gw, addr, sizeof(addr));
		if (json) {
			json_object *jt = json_object_new_object();
			json_object *jc = json_object_new_object();

			json_object_string_add(jt, "gateway", addr);
			json_object_int_add(jt, "gatewayPort", port);
			json_object_string_add(jt, "family",
					       t->gw.sa.sa_family == AF_INET ? "ipv4" : "ipv6");
			json_object_int_add(jt, "uptime", (now - t->created_ms) / 1000);
			json_object_int_add(jt, "groupCount", amt_membership_num_groups(t->memb));
			json_object_int_add(jt, "sourceCount", amt_membership_num_sources(t->memb));
			json_object_int_add(jc, "updates", t->updates);
			json_object_int_add(jc, "dataPackets", t->data_packets);
			json_object_int_add(jc, "dataBytes", t->data_bytes);
			json_object_object_add(jt, "counters", jc);
			if (detail) {
				w.flows = json_object_new_array();
				amt_show_tunnel_flows(t, &w);
				json_object_object_add(jt, "flows", w.flows);
			}
			json_object_array_add(jarr, jt);
			continue;
		}
		vty_out(vty, "  %-39s %-5u %-8" PRIu64 " %-6u %-7u %" PRIu64 "\n", addr, port,
			(now - t->created_ms) / 1000, amt_membership_num_groups(t->memb),
			amt_membership_num_sources(t->memb), t->data_packets);
		if (detail)
			amt_show_tunnel_flows(t, &w);
	}
}

#define AMT_STAT(obj, key, val) json_object_int_add(obj, key, val)

static void amt_show_relay_stats(struct vty *vty, json_object *json, struct amt_instance *inst)
{
	const struct amt_relay_stats *st = &inst->relay->stats;
	json_object *j, *rx, *tx, *err, *tun;

	j = json_object_new_object();
	rx = json_object_new_object();
	tx = json_object_new_object();
	err = json_object_new_object();
	tun = json_object_new_object();
	AMT_STAT(rx, "discovery", st->rx_discovery);
	AMT_STAT(rx, "request", st->rx_request);
	AMT_STAT(rx, "update", st->rx_update);
	AMT_STAT(rx, "teardown", st->rx_teardown);
	AMT_STAT(rx, "socketDrops", st->rx_socket_drops);
	AMT_STAT(tx, "advertisement", st->tx_advertisement);
	AMT_STAT(tx, "query", st->tx_query);
	AMT_STAT(tx, "data", st->tx_data);
	AMT_STAT(tx, "dataBytes", st->tx_data_bytes);
	AMT_STAT(tx, "errors", st->tx_errors);
	AMT_STAT(err, "malformed", st->err_malformed);
	AMT_STAT(err, "badVersion", st->err_bad_version);
	AMT_STAT(err, "unknownType", st->err_unknown_type);
	AMT_STAT(err, "unexpectedType", st->err_unexpected_type);
	AMT_STAT(err, "badMac", st->err_bad_mac);
	AMT_STAT(err, "nonceMismatch", st->err_nonce_mismatch);
	AMT_STAT(err, "rateLimited", st->err_rate_limited);
	AMT_STAT(err, "tunnelLimit", st->err_tunnel_limit);
	AMT_STAT(err, "groupLimit", st->err_group_limit);
	AMT_STAT(err, "sourceLimit", st->err_source_limit);
	AMT_STAT(err, "badReport", st->err_bad_report);
	AMT_STAT(err, "dataFromGateway", st->err_data_from_gateway);
	AMT_STAT(j, "unusual", st->unusual);
	AMT_STAT(tun, "dataForwarded", st->tun_data);
	AMT_STAT(tun, "dataWithoutReceiver", st->tun_no_receiver);
	AMT_STAT(tun, "queriesAnswered", st->tun_queries);
	AMT_STAT(tun, "otherPackets", st->tun_other);
	AMT_STAT(tun, "reportsWritten", st->tun_reports_written);
	AMT_STAT(tun, "writeErrors", st->tun_write_errors);
	json_object_object_add(j, "received", rx);
	json_object_object_add(j, "sent", tx);
	json_object_object_add(j, "errors", err);
	json_object_object_add(j, "pseudoInterface", tun);

	if (json) {
		json_object_object_add(json, inst->name, j);
		return;
	}
	vty_out(vty, "AMT relay %s statistics:\n%s\n", inst->name,
		json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY));
	json_object_free(j);
}

enum amt_relay_show { AMT_SHOW_SUMMARY, AMT_SHOW_TUNNELS, AMT_SHOW_STATS };

static int amt_show_relays(struct vty *vty, const char *name, bool use_json,
			   enum amt_relay_show what, bool detail)
{
	json_object *json = use_json ? json_object_new_object() : NULL;
	struct amt_instance *inst;

	frr_each_amt_instance(inst)
	{
		if (!inst->relay || (name && strcmp(name, inst->name)))
			continue;
		switch (what) {
		case AMT_SHOW_SUMMARY:
			amt_show_relay_summary(vty, json, inst);
			break;
		case AMT_SHOW_TUNNELS:
			amt_show_relay_tunnels(vty, json, inst, detail);
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
	return amt_show_relays(vty, name, !!json, AMT_SHOW_SUMMARY, false);
}

DEFPY(show_amt_relay_tunnels, show_amt_relay_tunnels_cmd,
      "show amt relay [IFNAME$name] tunnels [detail$detail] [json$json]",
      SHOW_STR AMT_STR AMT_RELAY_STR AMT_IFNAME_STR "Gateways' tunnels\n"
						       "With each tunnel's flows\n" JSON_STR)
{
	return amt_show_relays(vty, name, !!json, AMT_SHOW_TUNNELS, !!detail);
}

DEFPY(show_amt_relay_stats, show_amt_relay_stats_cmd,
      "show amt relay [IFNAME$name] statistics [json$json]",
      SHOW_STR AMT_STR AMT_RELAY_STR AMT_IFNAME_STR "Message and error counters\n" JSON_STR)
{
	return amt_show_relays(vty, name, !!json, AMT_SHOW_STATS, false);
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
	install_element(AMT_RELAY_NODE, &amt_relay_linux_flags_cmd);

	install_element(VIEW_NODE, &show_amt_relay_cmd);
	install_element(VIEW_NODE, &show_amt_relay_tunnels_cmd);
	install_element(VIEW_NODE, &show_amt_relay_stats_cmd);
	install_element(ENABLE_NODE, &clear_amt_relay_cmd);
}
