// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AMT gateway CLI: parameters of a gateway instance and its show command.
 */
#include <zebra.h>

#include "lib/command.h"
#include "lib/json.h"
#include "lib/monotime.h"
#include "lib/northbound_cli.h"
#include "lib/termtable.h"
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

/*
 * The gateway's counters, its DNS lookups' and its PIM neighbor's, in both
 * outputs; a new counter is one line here.  The JSON keys stay as they are:
 * topotests and scripts read them.
 */
#define GW_STAT(key, name, field)                                                                  \
	AMT_SHOW_COUNTER("counters", key, name, struct amt_gateway_stats, field)

static const struct amt_show_row amt_gw_stat_rows[] = {
	GW_STAT("sentDiscovery", "Relay Discovery sent", tx_discovery),
	GW_STAT("receivedAdvertisement", "Relay Advertisement received", rx_advertisement),
	GW_STAT("sentRequest", "Request sent", tx_request),
	GW_STAT("receivedQuery", "Membership Query received", rx_query),
	GW_STAT("sentUpdate", "Membership Update sent", tx_update),
	GW_STAT("sentTeardown", "Teardown sent", tx_teardown),
	GW_STAT("receivedData", "Multicast Data received", rx_data),
	GW_STAT("receivedDataBytes", "Multicast Data bytes received", rx_data_bytes),
	GW_STAT("droppedDataWrongSender", "Data dropped, not from the relay", drop_data_sender),
	GW_STAT("droppedDataNotRequested", "Data dropped, flow not requested", drop_data_flow),
	GW_STAT("droppedMalformed", "Malformed messages dropped", drop_malformed),
	GW_STAT("droppedBadNonce", "Messages dropped, wrong nonce", drop_nonce),
	GW_STAT("reportsBeforeTunnelUp", "Reports before the tunnel was up", reports_before_up),
	GW_STAT("reportsOnlyLinkLocal", "Reports of link-local groups only", reports_link_local),
	GW_STAT("relayTimeouts", "Relay timeouts", relay_timeouts),
	GW_STAT("queriesWithLimit", "Queries with L (relay at its limit)", queries_with_l),
	GW_STAT("natChanges", "NAT mapping changes", nat_changes),
	GW_STAT("icmpErrors", "ICMP errors about the relay", icmp_errors),
	GW_STAT("relayChanges", "Relay changes", relay_changes),
	GW_STAT("movesStarted", "Moves begun on L", moves_started),
	GW_STAT("moves", "Moves completed", moves),
	GW_STAT("movesFailed", "Moves that found no other relay", moves_failed),
	GW_STAT("sentLeaveUpdate", "Updates leaving the old relay", tx_leave_update),
	GW_STAT("receivedDataOldRelay", "Data from the old relay during a move", rx_data_old),
	GW_STAT("sentRequestMld", "Requests with P (MLD)", tx_request_p),
};

#define DNS_STAT(key, name, field)                                                                 \
	AMT_SHOW_COUNTER("counters", key, name, struct amt_gw_dns_stats, field)

static const struct amt_show_row amt_gw_dns_stat_rows[] = {
	DNS_STAT("queries", "AMTRELAY queries", queries),
	DNS_STAT("answers", "Answers naming a relay", answers),
	DNS_STAT("queryFailures", "Query failures", query_failures),
	DNS_STAT("badAnswers", "Malformed answers", bad_answers),
	DNS_STAT("emptyAnswers", "Answers naming no relay", empty_answers),
	DNS_STAT("badRecords", "Malformed records", bad_records),
	DNS_STAT("noRelayRecords", "Records of type 0 (no relay)", no_relay_records),
	DNS_STAT("overLimit", "Records over the limit", over_limit),
	DNS_STAT("nameFailures", "Relay names not resolved", name_failures),
	DNS_STAT("relaysTried", "Relays tried", relays_tried),
};

/* Built by amt_gw_pim_show(); the text shows these of its JSON. */
static const struct amt_show_row amt_gw_pim_rows[] = {
	AMT_SHOW_VALUE("pim", "neighbor", "Address"),
	AMT_SHOW_VALUE("pim", "neighborIpv6", "IPv6 address"),
	AMT_SHOW_VALUE("pim", "joinCount", "Joins held"),
	AMT_SHOW_VALUE("pim", "sentHello", "Hellos sent"),
	AMT_SHOW_VALUE("pim", "receivedHello", "Hellos received"),
	AMT_SHOW_VALUE("pim", "receivedJoin", "Joins received"),
	AMT_SHOW_VALUE("pim", "receivedPrune", "Prunes received"),
	AMT_SHOW_VALUE("pim", "ignored", "Entries ignored"),
	AMT_SHOW_VALUE("pim", "malformed", "Malformed messages"),
	AMT_SHOW_VALUE("pim", "joinErrors", "Memberships refused"),
	AMT_SHOW_VALUE("pim", "expired", "Joins expired"),
};

static const struct amt_show_section amt_gw_sections[] = {
	{ "counters", "Counters" },
	{ "pim", "PIM neighbor of pimd" },
};

static const struct amt_show_section amt_gw_dns_sections[] = {
	{ "counters", "DNS counters" },
};

/* DNS discovery: the record in use, the answer, the lookup counters. */
static json_object *amt_gw_dns_json(const struct amt_gw_dns *dns)
{
	const struct amt_relay_record *rec = &dns->cur_rec;
	json_object *j = json_object_new_object(), *r;
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
	amt_show_counters_json(j, &dns->stats, amt_gw_dns_stat_rows,
			       array_size(amt_gw_dns_stat_rows));
	return j;
}

/* The gateway's state as name/value rows. */
static void amt_show_gateway_state(struct vty *vty, const struct amt_gateway *gw, const char *relay,
				   const char *seen)
{
	const struct amt_gw_dns *dns = gw->dns;
	const struct amt_relay_record *rec;
	struct ttable *tt = amt_table_new(1);
	char buf[32];

	amt_table_row(tt, "Pseudo-interface", "%s", gw->inst->tun_fd >= 0 ? "up" : "down");
	amt_table_row(tt, "Tunnel state", "%s", amt_gw_state_str(gw->state));
	amt_table_row(tt, "Uptime", "%s",
		      gw->state == AMT_GW_UP
			      ? frrtime_to_interval((amt_now_ms() - gw->link.up_since_ms) / 1000,
						    buf, sizeof(buf))
			      : "-");
	amt_table_row(tt, "Relay", "%s", relay);
	amt_table_row(tt, "Relay port", "%u", gw->cfg.relay_port);
	amt_table_row(tt, "Relay selection", "%s", amt_gw_selection_str(gw->link.selection));
	if (dns) {
		amt_table_row(tt, "DNS query name", "%s", dns->qname);
		amt_table_row(tt, "DNS relays", "%u, TTL %u s", dns->nrecs,
			      dns->nrecs ? dns->ttl : 0);
		if (dns->have_cur) {
			rec = &dns->cur_rec;
			amt_table_row(tt, "DNS record in use",
				      "#%d, precedence %u, D=%u, type %s%s%s", dns->cur + 1,
				      rec->precedence, rec->discovery_optional,
				      amt_relay_type_str(rec->type),
				      rec->type == AMT_RELAY_TYPE_NAME ? " " : "",
				      rec->type == AMT_RELAY_TYPE_NAME ? rec->name : "");
		}
	}
	amt_table_row(tt, "Address seen by the relay", "%s", seen);
	if (gw->link.have_seen)
		amt_table_row(tt, "Port seen by the relay", "%u", gw->link.seen_port);
	else
		amt_table_row(tt, "Port seen by the relay", "-");
	amt_table_row(tt, "Query interval", "%u s", gw->link.query_interval_s);
	amt_table_row(tt, "Groups requested", "%u", amt_membership_num_groups(gw->wanted));
	amt_table_row(tt, "Source routes installed", "%u", gw->ninstalled);
	if (gw->have_mac)
		amt_table_row(tt, "Nonce", "0x%08x, chosen %" PRIu64 " s ago", gw->link.mac_nonce,
			      (amt_now_ms() - gw->link.mac_nonce_ms) / 1000);
	else
		amt_table_row(tt, "Nonce", "-");
	amt_table_print(vty, tt, false);
}

/* The joins the PIM neighbor holds for pimd, from its JSON. */
static void amt_show_gateway_joins(struct vty *vty, json_object *jpim)
{
	json_object *joins, *e, *src, *grp;
	struct ttable *tt;
	size_t n;

	if (!jpim || !json_object_object_get_ex(jpim, "joins", &joins))
		return;
	n = json_object_array_length(joins);
	if (!n)
		return;
	tt = ttable_new(&ttable_styles[TTSTYLE_BLANK]);
	ttable_add_row(tt, "Source|Group");
	tt->style.cell.rpad = 2;
	ttable_restyle(tt);
	for (size_t i = 0; i < n; i++) {
		e = json_object_array_get_idx(joins, i);
		if (json_object_object_get_ex(e, "source", &src) &&
		    json_object_object_get_ex(e, "group", &grp))
			ttable_add_row(tt, "%s|%s", json_object_get_string(src),
				       json_object_get_string(grp));
	}
	vty_out(vty, "\nJoins held for pimd\n");
	amt_table_print(vty, tt, false);
}

static void amt_show_gateway(struct vty *vty, json_object *json, struct amt_instance *inst)
{
	const struct amt_gateway *gw = inst->gateway;
	char relay[INET6_ADDRSTRLEN] = "-", seen[INET6_ADDRSTRLEN] = "-";
	char buf[INET6_ADDRSTRLEN];
	json_object *j, *jdns = NULL, *jpim = NULL;

	if (gw->link.relay.family)
		inet_ntop(gw->link.relay.family, &gw->link.relay.ip, relay, sizeof(relay));
	if (gw->link.have_seen)
		inet_ntop(gw->link.seen_addr.family, &gw->link.seen_addr.ip, seen, sizeof(seen));

	j = json_object_new_object();
	json_object_string_add(j, "operStatus", inst->tun_fd >= 0 ? "up" : "down");
	json_object_string_add(j, "state", amt_gw_state_str(gw->state));
	json_object_string_add(j, "relay", relay);
	json_object_string_add(j, "relaySelection", amt_gw_selection_str(gw->link.selection));
	if (gw->dns) {
		jdns = amt_gw_dns_json(gw->dns);
		json_object_object_add(j, "dns", jdns);
	}
	json_object_int_add(j, "relayPort", gw->cfg.relay_port);
	json_object_string_add(j, "addressSeenByRelay", seen);
	json_object_int_add(j, "portSeenByRelay", gw->link.have_seen ? gw->link.seen_port : 0);
	/* From the Query's gateway fields (G), or our own end without G. */
	json_object_string_add(j, "seenFrom",
			       !gw->link.have_seen    ? "-"
			       : gw->link.seen_from_g ? "gateway-fields"
						      : "local");
	/* A make-before-break move after L; the last one's time and relay. */
	json_object_boolean_add(j, "moving", gw->moving);
	if (gw->moving && gw->old.link.relay.family) {
		inet_ntop(gw->old.link.relay.family, &gw->old.link.relay.ip, buf, sizeof(buf));
		json_object_string_add(j, "movingFrom", buf);
	}
	if (gw->stats.moves && gw->last_left.family) {
		inet_ntop(gw->last_left.family, &gw->last_left.ip, buf, sizeof(buf));
		json_object_int_add(j, "lastMoveMs", gw->last_move_ms);
		json_object_string_add(j, "lastRelayLeft", buf);
	}
	json_object_int_add(j, "queryInterval", gw->link.query_interval_s);
	json_object_int_add(j, "uptime",
			    gw->state == AMT_GW_UP ? (amt_now_ms() - gw->link.up_since_ms) / 1000
						   : 0);
	json_object_int_add(j, "groups", amt_membership_num_groups(gw->wanted));
	json_object_int_add(j, "routesInstalled", gw->ninstalled);
	/* Seconds since the nonce of the tunnel's MAC was chosen. */
	json_object_int_add(j, "nonceAge",
			    gw->have_mac ? (amt_now_ms() - gw->link.mac_nonce_ms) / 1000 : 0);
	amt_gw_pim_show(gw->pim, NULL, j);
	amt_show_counters_json(j, &gw->stats, amt_gw_stat_rows, array_size(amt_gw_stat_rows));

	if (json) {
		json_object_object_add(json, inst->name, j);
		return;
	}
	/* Blocks aligned each on its own, apart by a blank line. */
	vty_out(vty, "AMT gateway %s\n", inst->name);
	amt_show_gateway_state(vty, gw, relay, seen);
	vty_out(vty, "\n");
	amt_show_rows_text(vty, j, amt_gw_stat_rows, array_size(amt_gw_stat_rows), amt_gw_sections,
			   array_size(amt_gw_sections));
	if (jdns) {
		vty_out(vty, "\n");
		amt_show_rows_text(vty, jdns, amt_gw_dns_stat_rows, array_size(amt_gw_dns_stat_rows),
				   amt_gw_dns_sections, array_size(amt_gw_dns_sections));
	}
	vty_out(vty, "\n");
	amt_show_rows_text(vty, j, amt_gw_pim_rows, array_size(amt_gw_pim_rows), amt_gw_sections,
			   array_size(amt_gw_sections));
	json_object_object_get_ex(j, "pim", &jpim);
	amt_show_gateway_joins(vty, jpim);
	json_object_free(j);
}

DEFPY(show_amt_gateway, show_amt_gateway_cmd, "show amt gateway [IFNAME$name] [json$json]",
      SHOW_STR AMT_STR "AMT gateway instance\n"
		       "Name of the instance's pseudo-interface\n" JSON_STR)
{
	json_object *jroot = json ? json_object_new_object() : NULL;
	struct amt_instance *inst;
	bool first = true;

	frr_each_amt_instance(inst)
	{
		if (!inst->gateway || (name && strcmp(name, inst->name)))
			continue;
		if (!jroot && !first)
			vty_out(vty, "\n");
		first = false;
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
