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
#include "amt_gateway_pim.h"
#include "amt_gateway_dns.h"
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

#define DNS_DISCOVERY_STR "DNS relay discovery (AMTRELAY records, RFC 8777)\n"

DEFPY_YANG(amt_gw_dns_source, amt_gw_dns_source_cmd,
	   "[no] dns-discovery source ![<A.B.C.D|X:X::X:X>$addr]",
	   NO_STR DNS_DISCOVERY_STR
	   "Query the records at the reverse name of a multicast source\n"
	   "IPv4 address of the source\n"
	   "IPv6 address of the source\n")
{
	return amt_cli_leaf(vty, "dns-discovery/source", !!no, addr_str);
}

DEFPY_YANG(amt_gw_dns_name, amt_gw_dns_name_cmd, "[no] dns-discovery name ![NAME$name]",
	   NO_STR DNS_DISCOVERY_STR
	   "Query the records at a domain name\n"
	   "Domain name\n")
{
	return amt_cli_leaf(vty, "dns-discovery/name", !!no, name);
}

void amt_cli_show_gw_dns(struct vty *vty, const struct lyd_node *dnode, bool show_defaults)
{
	vty_out(vty, " dns-discovery %s %s\n", dnode->schema->name,
		yang_dnode_get_string(dnode, NULL));
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

/* DNS discovery: the record in use, the answer, the lookup counters. */
static json_object *amt_gw_dns_json(const struct amt_gw_dns *dns)
{
	const struct amt_gw_dns_stats *st = &dns->stats;
	const struct amt_relay_record *rec = &dns->cur_rec;
	json_object *j = json_object_new_object(), *r, *c;
	char addr[INET6_ADDRSTRLEN];

	json_object_string_add(j, "queryName", dns->qname);
	json_object_int_add(j, "records", dns->nrecs);
	json_object_int_add(j, "ttl", dns->nrecs ? dns->ttl : 0);
	if (dns->have_cur) {
		r = json_object_new_object();
		json_object_int_add(r, "index", dns->cur + 1);
		json_object_int_add(r, "precedence", rec->precedence);
		json_object_boolean_add(r, "discoveryOptional", rec->discovery_optional);
		json_object_string_add(r, "relayType", amt_relay_type_str(rec->type));
		if (rec->type == AMT_RELAY_TYPE_NAME)
			json_object_string_add(r, "relayName", rec->name);
		inet_ntop(dns->cur_addr.family, &dns->cur_addr.ip, addr, sizeof(addr));
		json_object_string_add(r, "address", addr);
		json_object_object_add(j, "record", r);
	}
	c = json_object_new_object();
	json_object_int_add(c, "queries", st->queries);
	json_object_int_add(c, "answers", st->answers);
	json_object_int_add(c, "queryFailures", st->query_failures);
	json_object_int_add(c, "badAnswers", st->bad_answers);
	json_object_int_add(c, "emptyAnswers", st->empty_answers);
	json_object_int_add(c, "badRecords", st->bad_records);
	json_object_int_add(c, "noRelayRecords", st->no_relay_records);
	json_object_int_add(c, "overLimit", st->over_limit);
	json_object_int_add(c, "nameFailures", st->name_failures);
	json_object_int_add(c, "relaysTried", st->relays_tried);
	json_object_object_add(j, "counters", c);
	return j;
}

static void amt_show_gateway_selection(struct vty *vty, const struct amt_gateway *gw)
{
	const struct amt_gw_dns *dns = gw->dns;
	const struct amt_relay_record *rec;

	vty_out(vty, "  Relay selection: %s", amt_gw_selection_str(gw->selection));
	if (!dns) {
		vty_out(vty, "\n");
		return;
	}
	vty_out(vty, ", AMTRELAY records of %s (%u relay(s), TTL %u)\n", dns->qname, dns->nrecs,
		dns->nrecs ? dns->ttl : 0);
	if (!dns->have_cur)
		return;
	rec = &dns->cur_rec;
	vty_out(vty, "  DNS record in use: #%d, precedence %u, D=%u, type %s%s%s\n", dns->cur + 1,
		rec->precedence, rec->discovery_optional, amt_relay_type_str(rec->type),
		rec->type == AMT_RELAY_TYPE_NAME ? " " : "",
		rec->type == AMT_RELAY_TYPE_NAME ? rec->name : "");
}

static void amt_show_gateway(struct vty *vty, json_object *json, struct amt_instance *inst)
{
	const struct amt_gateway *gw = inst->gateway;
	const struct amt_gateway_stats *st = &gw->stats;
	char relay[INET6_ADDRSTRLEN] = "-", seen[INET6_ADDRSTRLEN] = "-";
	json_object *j, *c, *jdns = NULL;

	if (gw->relay.family)
		inet_ntop(gw->relay.family, &gw->relay.ip, relay, sizeof(relay));
	if (gw->have_seen)
		inet_ntop(gw->seen_addr.family, &gw->seen_addr.ip, seen, sizeof(seen));

	j = json_object_new_object();
	json_object_string_add(j, "operStatus", inst->tun_fd >= 0 ? "up" : "down");
	json_object_string_add(j, "state", amt_gw_state_str(gw->state));
	json_object_string_add(j, "relay", relay);
	json_object_string_add(j, "relaySelection", amt_gw_selection_str(gw->selection));
	if (gw->dns) {
		jdns = amt_gw_dns_json(gw->dns);
		json_object_object_add(j, "dns", jdns);
	}
	json_object_int_add(j, "relayPort", gw->cfg.relay_port);
	json_object_string_add(j, "addressSeenByRelay", seen);
	json_object_int_add(j, "portSeenByRelay", gw->have_seen ? gw->seen_port : 0);
	json_object_int_add(j, "queryInterval", gw->query_interval_s);
	json_object_int_add(j, "uptime",
			    gw->state == AMT_GW_UP ? (amt_now_ms() - gw->up_since_ms) / 1000 : 0);
	json_object_int_add(j, "groups", amt_membership_num_groups(gw->wanted));
	json_object_int_add(j, "routesInstalled", gw->ninstalled);
	/* Seconds since the nonce of the tunnel's MAC was chosen. */
	json_object_int_add(j, "nonceAge",
			    gw->have_mac ? (amt_now_ms() - gw->mac_nonce_ms) / 1000 : 0);
	amt_gw_pim_show(gw->pim, NULL, j);
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
	json_object_int_add(c, "reportsOnlyLinkLocal", st->reports_link_local);
	json_object_int_add(c, "relayTimeouts", st->relay_timeouts);
	json_object_int_add(c, "queriesWithLimit", st->queries_with_l);
	json_object_int_add(c, "natChanges", st->nat_changes);
	json_object_int_add(c, "icmpErrors", st->icmp_errors);
	json_object_int_add(c, "relayChanges", st->relay_changes);
	json_object_object_add(j, "counters", c);

	if (json) {
		json_object_object_add(json, inst->name, j);
		return;
	}
	vty_out(vty, "AMT gateway %s: tunnel %s, relay %s port %u\n", inst->name,
		amt_gw_state_str(gw->state), relay, gw->cfg.relay_port);
	amt_show_gateway_selection(vty, gw);
	vty_out(vty, "  Relay sees this gateway as %s port %u\n", seen,
		gw->have_seen ? gw->seen_port : 0);
	vty_out(vty, "  Groups requested: %u, source routes installed: %u\n",
		amt_membership_num_groups(gw->wanted), gw->ninstalled);
	if (gw->have_mac)
		vty_out(vty, "  Nonce 0x%08x, chosen %" PRIu64 " s ago\n", gw->mac_nonce,
			(amt_now_ms() - gw->mac_nonce_ms) / 1000);
	amt_gw_pim_show(gw->pim, vty, NULL);
	vty_out(vty, "  Counters:\n%s\n",
		json_object_to_json_string_ext(c, JSON_C_TO_STRING_PRETTY));
	if (jdns)
		vty_out(vty, "  DNS counters:\n%s\n",
			json_object_to_json_string_ext(json_object_object_get(jdns, "counters"),
						       JSON_C_TO_STRING_PRETTY));
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
	install_element(AMT_GATEWAY_NODE, &amt_gw_dns_source_cmd);
	install_element(AMT_GATEWAY_NODE, &amt_gw_dns_name_cmd);
	install_element(AMT_GATEWAY_NODE, &amt_gw_relay_port_cmd);
	install_element(AMT_GATEWAY_NODE, &amt_gw_request_timeout_cmd);
	install_element(AMT_GATEWAY_NODE, &amt_gw_retransmissions_cmd);
	install_element(AMT_GATEWAY_NODE, &amt_gw_source_prefix_cmd);
	install_element(AMT_GATEWAY_NODE, &amt_gw_linux_flags_cmd);
	install_element(VIEW_NODE, &show_amt_gateway_cmd);
}
