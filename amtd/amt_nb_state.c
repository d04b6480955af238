// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * amtd northbound: operational state.
 */
#include <zebra.h>

#include "lib/northbound.h"
#include "lib/sockunion.h"
#include "lib/yang.h"

#include "amtd.h"
#include "amt_gateway.h"
#include "amt_gateway_dns.h"
#include "amt_gateway_pim.h"
#include "amt_nb.h"
#include "amt_relay.h"
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

/* The relay after the given name (instances are in name order, as get_next). */
const void *amtd_relay_lookup_next(struct nb_cb_lookup_entry_args *args)
{
	struct amt_instance key = {};
	struct amt_instance *inst;

	strlcpy(key.name, args->keys->key[0], sizeof(key.name));
	inst = amt_instances_find_gteq(&amt_g.instances, &key);
	if (inst && !strcmp(inst->name, key.name))
		inst = amt_instance_next(inst);
	if (inst && inst->role != AMT_ROLE_RELAY)
		return amt_instance_next_of_role(inst, AMT_ROLE_RELAY);
	return inst;
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

/* XPath: /frr-amtd:amtd/{relay,gateway}/pseudo-interface-losses */
struct yang_data *amtd_instance_tun_losses_get_elem(struct nb_cb_get_elem_args *args)
{
	const struct amt_instance *inst = args->list_entry;

	return yang_data_new_uint32(args->xpath, inst->tun_losses);
}

/* XPath: /frr-amtd:amtd/{relay,gateway}/pseudo-interface-error */
struct yang_data *amtd_instance_tun_error_get_elem(struct nb_cb_get_elem_args *args)
{
	const struct amt_instance *inst = args->list_entry;

	if (inst->tun_fd >= 0)
		return NULL;
	return yang_data_new_string(args->xpath, inst->error);
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

/* A uint64_t counter leaf and where it is in its statistics structure. */
struct amt_counter_leaf {
	const char *leaf;
	size_t offset;
};

/* The counter named leaf, read from stats; NULL when the table has none. */
static struct yang_data *amt_counter_elem(const char *xpath, const char *leaf,
					  const struct amt_counter_leaf *table, size_t n,
					  const void *stats)
{
	for (size_t i = 0; i < n; i++) {
		if (strmatch(leaf, table[i].leaf)) {
			uint64_t val;

			memcpy(&val, (const uint8_t *)stats + table[i].offset, sizeof(val));
			return yang_data_new_uint64(xpath, val);
		}
	}
	return NULL;
}

/* XPath: /frr-amtd:amtd/relay/statistics/<counter> */
static const struct amt_counter_leaf amt_relay_counters[] = {
#define AMT_COUNTER(leaf, field)                                                                   \
	{                                                                                          \
		leaf, offsetof(struct amt_relay_stats, field)                                      \
	}
	AMT_COUNTER("received-relay-discovery", rx_discovery),
	AMT_COUNTER("sent-relay-advertisement", tx_advertisement),
	AMT_COUNTER("received-request", rx_request),
	AMT_COUNTER("sent-membership-query", tx_query),
	AMT_COUNTER("received-membership-update", rx_update),
	AMT_COUNTER("received-teardown", rx_teardown),
	AMT_COUNTER("receive-queue-drops", rx_socket_drops),
	AMT_COUNTER("sent-multicast-data", tx_data),
	AMT_COUNTER("sent-multicast-data-bytes", tx_data_bytes),
	AMT_COUNTER("send-errors", tx_errors),
	AMT_COUNTER("unusual-messages", unusual),
	AMT_COUNTER("malformed-messages", err_malformed),
	AMT_COUNTER("bad-version", err_bad_version),
	AMT_COUNTER("unknown-type", err_unknown_type),
	AMT_COUNTER("unexpected-type", err_unexpected_type),
	AMT_COUNTER("bad-mac", err_bad_mac),
	AMT_COUNTER("nonce-mismatch", err_nonce_mismatch),
	AMT_COUNTER("rate-limited", err_rate_limited),
	AMT_COUNTER("tunnel-limit-exceeded", err_tunnel_limit),
	AMT_COUNTER("prefix-rate-limited", err_prefix_rate_limited),
	AMT_COUNTER("tunnel-request-rate-limited", err_tunnel_request_rate_limited),
	AMT_COUNTER("received-request-tunnel", rx_request_tunnel),
	AMT_COUNTER("update-rate-limited", err_update_rate_limited),
	AMT_COUNTER("address-tunnel-limit-exceeded", err_address_tunnel_limit),
	AMT_COUNTER("flow-limit-exceeded", err_flow_limit),
	AMT_COUNTER("group-limit-exceeded", err_group_limit),
	AMT_COUNTER("source-limit-exceeded", err_source_limit),
	AMT_COUNTER("bad-report", err_bad_report),
	AMT_COUNTER("data-from-gateway", err_data_from_gateway),
	AMT_COUNTER("tunnels-reconfigured", tunnels_reconfigured),
	AMT_COUNTER("refused-draining", err_draining),
	AMT_COUNTER("bad-source", err_bad_source),
	AMT_COUNTER("ssm-exclude-ignored", err_ssm_exclude),
	AMT_COUNTER("sent-query-gateway-fields", tx_query_gw_fields),
	AMT_COUNTER("sent-query-no-gateway-fields", tx_query_no_gw_fields),
	AMT_COUNTER("sent-query-linux-layout", tx_query_linux),
	AMT_COUNTER("sent-query-limit", tx_query_limit),
	AMT_COUNTER("sent-gso-messages", tx_gso_msgs),
	AMT_COUNTER("sent-gso-datagrams", tx_gso_segs),
	AMT_COUNTER("gso-refused", err_gso_refused),
	AMT_COUNTER("gso-unrolled", tx_gso_unrolled),
	AMT_COUNTER("split-fanouts", fanout_split),
	AMT_COUNTER("fanout-slices", fanout_slices),
	AMT_COUNTER("fanout-tunnels-gone", fanout_gone),
	AMT_COUNTER("received-request-rfc", rx_request_kind[AMT_GW_KIND_RFC]),
	AMT_COUNTER("received-request-linux", rx_request_kind[AMT_GW_KIND_LINUX]),
	AMT_COUNTER("received-request-exact-length", rx_request_kind[AMT_GW_KIND_EXACT]),
#undef AMT_COUNTER
};

/* The leaf name is the last step of the xpath. */
static const char *amt_xpath_leaf(const char *xpath)
{
	const char *slash = strrchr(xpath, '/');

	return slash ? slash + 1 : xpath;
}

struct yang_data *amtd_relay_statistics_get_elem(struct nb_cb_get_elem_args *args)
{
	const struct amt_instance *inst = args->list_entry;
	const char *leaf = amt_xpath_leaf(args->xpath);

	if (!inst->relay)
		return NULL;
	return amt_counter_elem(args->xpath, leaf, amt_relay_counters,
				array_size(amt_relay_counters), &inst->relay->stats);
}

/* XPath: /frr-amtd:amtd/relay/tunnel */
const void *amtd_relay_tunnel_get_next(struct nb_cb_get_next_args *args)
{
	const struct amt_instance *inst = args->parent_list_entry;

	if (!inst->relay)
		return NULL;
	if (!args->list_entry)
		return amt_relay_tunnel_first(inst->relay);
	return amt_relay_tunnel_next(inst->relay, (struct amt_tunnel *)args->list_entry);
}

static uint16_t amt_tunnel_port(const struct amt_tunnel *t)
{
	return ntohs(t->gw.sa.sa_family == AF_INET ? t->gw.sin.sin_port : t->gw.sin6.sin6_port);
}

int amtd_relay_tunnel_get_keys(struct nb_cb_get_keys_args *args)
{
	const struct amt_tunnel *t = args->list_entry;

	args->keys->num = 2;
	sockunion2str(&t->gw, args->keys->key[0], sizeof(args->keys->key[0]));
	snprintf(args->keys->key[1], sizeof(args->keys->key[1]), "%u", amt_tunnel_port(t));
	return NB_OK;
}

/* The list keys (gateway-address, gateway-port) as a sockunion. */
static bool amt_tunnel_keys_parse(const struct yang_list_keys *keys, union sockunion *gw)
{
	unsigned long port;
	char *end;

	if (keys->num != 2 || str2sockunion(keys->key[0], gw) < 0)
		return false;
	errno = 0;
	port = strtoul(keys->key[1], &end, 10);
	if (errno || end == keys->key[1] || *end || port > UINT16_MAX)
		return false;
	if (gw->sa.sa_family == AF_INET)
		gw->sin.sin_port = htons(port);
	else
		gw->sin6.sin6_port = htons(port);
	return true;
}

/* By key: one hash lookup, nothing formatted. */
const void *amtd_relay_tunnel_lookup_entry(struct nb_cb_lookup_entry_args *args)
{
	const struct amt_instance *inst = args->parent_list_entry;
	union sockunion gw;

	if (!inst->relay || !amt_tunnel_keys_parse(args->keys, &gw))
		return NULL;
	return amt_tunnel_find(inst->relay, &gw);
}

/* The tunnel after the given keys, in get_next's order: the walk resumes there. */
const void *amtd_relay_tunnel_lookup_next(struct nb_cb_lookup_entry_args *args)
{
	const struct amt_instance *inst = args->parent_list_entry;
	union sockunion gw;

	if (!inst->relay || !amt_tunnel_keys_parse(args->keys, &gw))
		return NULL;
	return amt_relay_tunnel_after(inst->relay, &gw);
}

static struct yang_data *amt_tunnel_gw_addr(const char *xpath, const struct amt_tunnel *t)
{
	struct ipaddr ip = {};

	if (t->gw.sa.sa_family == AF_INET) {
		ip.ipa_type = IPADDR_V4;
		ip.ipaddr_v4 = t->gw.sin.sin_addr;
	} else {
		ip.ipa_type = IPADDR_V6;
		ip.ipaddr_v6 = t->gw.sin6.sin6_addr;
	}
	return yang_data_new_ip(xpath, &ip);
}

/* XPath: /frr-amtd:amtd/relay/tunnel/<leaf> */
struct yang_data *amtd_relay_tunnel_get_elem(struct nb_cb_get_elem_args *args)
{
	const struct amt_tunnel *t = args->list_entry;
	const char *leaf = amt_xpath_leaf(args->xpath);

	if (strmatch(leaf, "gateway-address"))
		return amt_tunnel_gw_addr(args->xpath, t);
	if (strmatch(leaf, "gateway-port"))
		return yang_data_new_uint16(args->xpath, amt_tunnel_port(t));
	if (strmatch(leaf, "uptime"))
		return yang_data_new_uint64(args->xpath, (amt_now_ms() - t->created_ms) / 1000);
	if (strmatch(leaf, "group-count"))
		return yang_data_new_uint32(args->xpath, amt_membership_num_groups(t->memb));
	if (strmatch(leaf, "source-count"))
		return yang_data_new_uint32(args->xpath, amt_membership_num_sources(t->memb));
	if (strmatch(leaf, "membership-updates"))
		return yang_data_new_uint64(args->xpath, t->updates);
	if (strmatch(leaf, "data-packets"))
		return yang_data_new_uint64(args->xpath, t->data_packets);
	if (strmatch(leaf, "data-bytes"))
		return yang_data_new_uint64(args->xpath, t->data_bytes);
	return NULL;
}

/* XPath: /frr-amtd:amtd/gateway/state/<leaf> */
struct yang_data *amtd_gateway_state_get_elem(struct nb_cb_get_elem_args *args)
{
	const struct amt_instance *inst = args->list_entry;
	const struct amt_gateway *gw = inst->gateway;
	const char *leaf = amt_xpath_leaf(args->xpath);
	struct ipaddr ip = {};

	if (!gw)
		return NULL;
	if (strmatch(leaf, "tunnel-state"))
		return yang_data_new_string(args->xpath, amt_gw_state_str(gw->state));
	if (strmatch(leaf, "relay")) {
		if (!gw->link.relay.family)
			return NULL;
		ip.ipa_type = gw->link.relay.family == AF_INET ? IPADDR_V4 : IPADDR_V6;
		memcpy(&ip.ip, &gw->link.relay.ip, gw->link.relay.family == AF_INET ? 4 : 16);
		return yang_data_new_ip(args->xpath, &ip);
	}
	if (strmatch(leaf, "received-query"))
		return yang_data_new_uint64(args->xpath, gw->stats.rx_query);
	if (strmatch(leaf, "sent-update"))
		return yang_data_new_uint64(args->xpath, gw->stats.tx_update);
	if (strmatch(leaf, "received-data"))
		return yang_data_new_uint64(args->xpath, gw->stats.rx_data);
	if (strmatch(leaf, "dropped-data"))
		return yang_data_new_uint64(args->xpath,
					    gw->stats.drop_data_flow + gw->stats.drop_data_sender);
	if (strmatch(leaf, "relay-selection"))
		return yang_data_new_string(args->xpath, amt_gw_selection_str(gw->link.selection));
	if (strmatch(leaf, "relay-changes"))
		return yang_data_new_uint64(args->xpath, gw->stats.relay_changes);
	if (strmatch(leaf, "icmp-errors"))
		return yang_data_new_uint64(args->xpath, gw->stats.icmp_errors);
	if (strmatch(leaf, "moving"))
		return yang_data_new_bool(args->xpath, gw->moving);
	if (strmatch(leaf, "moving-from")) {
		if (!gw->moving)
			return NULL;
		ip.ipa_type = gw->old.link.relay.family == AF_INET ? IPADDR_V4 : IPADDR_V6;
		memcpy(&ip.ip, &gw->old.link.relay.ip,
		       gw->old.link.relay.family == AF_INET ? 4 : 16);
		return yang_data_new_ip(args->xpath, &ip);
	}
	if (strmatch(leaf, "moves"))
		return yang_data_new_uint64(args->xpath, gw->stats.moves);
	if (strmatch(leaf, "moves-failed"))
		return yang_data_new_uint64(args->xpath, gw->stats.moves_failed);
	if (strmatch(leaf, "last-move-duration"))
		return gw->stats.moves ? yang_data_new_uint32(args->xpath, gw->last_move_ms) : NULL;
	if (strmatch(leaf, "nat-changes"))
		return yang_data_new_uint64(args->xpath, gw->stats.nat_changes);
	if (strmatch(leaf, "sent-request-mld"))
		return yang_data_new_uint64(args->xpath, gw->stats.tx_request_p);
	if (strmatch(leaf, "nonce-age"))
		return gw->have_mac
			       ? yang_data_new_uint32(args->xpath,
						      (amt_now_ms() - gw->link.mac_nonce_ms) / 1000)
			       : NULL;
	return NULL;
}

/* XPath: /frr-amtd:amtd/gateway/state/dns/<counter> */
static const struct amt_counter_leaf amt_gw_dns_counters[] = {
#define AMT_COUNTER(leaf, field)                                                                   \
	{                                                                                          \
		leaf, offsetof(struct amt_gw_dns_stats, field)                                     \
	}
	AMT_COUNTER("queries", queries),
	AMT_COUNTER("answers", answers),
	AMT_COUNTER("query-failures", query_failures),
	AMT_COUNTER("bad-answers", bad_answers),
	AMT_COUNTER("empty-answers", empty_answers),
	AMT_COUNTER("bad-records", bad_records),
	AMT_COUNTER("no-relay-records", no_relay_records),
	AMT_COUNTER("over-limit", over_limit),
	AMT_COUNTER("name-failures", name_failures),
	AMT_COUNTER("relays-tried", relays_tried),
#undef AMT_COUNTER
};

/* The record in use: only while there is one. */
static struct yang_data *amt_gw_dns_record_elem(const char *xpath, const char *leaf,
						const struct amt_gw_dns *dns)
{
	const struct amt_relay_record *rec = &dns->cur_rec;

	if (!dns->have_cur)
		return NULL;
	if (strmatch(leaf, "record-index"))
		return dns->cur >= 0 ? yang_data_new_uint8(xpath, dns->cur + 1) : NULL;
	if (strmatch(leaf, "precedence"))
		return yang_data_new_uint8(xpath, rec->precedence);
	if (strmatch(leaf, "discovery-optional"))
		return yang_data_new_bool(xpath, rec->discovery_optional);
	if (strmatch(leaf, "relay-type"))
		return yang_data_new_string(xpath, amt_relay_type_str(rec->type));
	if (strmatch(leaf, "relay-name"))
		return rec->type == AMT_RELAY_TYPE_NAME ? yang_data_new_string(xpath, rec->name)
							: NULL;
	return NULL;
}

struct yang_data *amtd_gateway_dns_state_get_elem(struct nb_cb_get_elem_args *args)
{
	const struct amt_instance *inst = args->list_entry;
	const struct amt_gw_dns *dns = inst->gateway ? inst->gateway->dns : NULL;
	const char *leaf = amt_xpath_leaf(args->xpath);
	struct yang_data *data;

	if (!dns)
		return NULL;
	data = amt_counter_elem(args->xpath, leaf, amt_gw_dns_counters,
				array_size(amt_gw_dns_counters), &dns->stats);
	if (data)
		return data;
	if (strmatch(leaf, "query-name"))
		return dns->qname[0] ? yang_data_new_string(args->xpath, dns->qname) : NULL;
	if (strmatch(leaf, "records"))
		return yang_data_new_uint8(args->xpath, dns->nrecs);
	if (strmatch(leaf, "ttl"))
		return dns->nrecs ? yang_data_new_uint32(args->xpath, dns->ttl) : NULL;
	return amt_gw_dns_record_elem(args->xpath, leaf, dns);
}

/* XPath: /frr-amtd:amtd/gateway/state/pim/<leaf> */
static const struct amt_counter_leaf amt_gw_pim_counters[] = {
#define AMT_COUNTER(leaf, field)                                                                   \
	{                                                                                          \
		leaf, offsetof(struct amt_gw_pim_stats, field)                                     \
	}
	AMT_COUNTER("sent-hello", tx_hello),	 AMT_COUNTER("received-hello", rx_hello),
	AMT_COUNTER("received-join", rx_join),	 AMT_COUNTER("received-prune", rx_prune),
	AMT_COUNTER("ignored", rx_ignored),	 AMT_COUNTER("malformed", rx_bad),
	AMT_COUNTER("join-errors", join_errors), AMT_COUNTER("expired", expired),
#undef AMT_COUNTER
};

struct yang_data *amtd_gateway_pim_state_get_elem(struct nb_cb_get_elem_args *args)
{
	const struct amt_instance *inst = args->list_entry;
	const struct amt_gw_pim *pim = inst->gateway ? inst->gateway->pim : NULL;
	const char *leaf = amt_xpath_leaf(args->xpath);
	struct yang_data *data;
	union amt_ip nbr;

	if (!pim)
		return NULL;
	data = amt_counter_elem(args->xpath, leaf, amt_gw_pim_counters,
				array_size(amt_gw_pim_counters), amt_gw_pim_stats(pim));
	if (data)
		return data;
	if (strmatch(leaf, "join-count"))
		return yang_data_new_uint32(args->xpath, amt_gw_pim_join_count(pim));
	if (strmatch(leaf, "neighbor") && amt_gw_pim_neighbor(pim, AF_INET, &nbr))
		return yang_data_new_ipv4(args->xpath, &nbr.v4);
	if (strmatch(leaf, "neighbor-ipv6") && amt_gw_pim_neighbor(pim, AF_INET6, &nbr))
		return yang_data_new_ipv6(args->xpath, &nbr.v6);
	return NULL;
}
