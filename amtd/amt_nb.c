// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * amtd northbound: the table binding frr-amtd's nodes to their callbacks.
 */
#include <zebra.h>

#include "lib/northbound.h"

#include "amt_nb.h"

/*
 * A relay parameter: applied by the relay's apply_finish.  Each has a
 * default, so it is never destroyed, only set back (a modify): the
 * northbound wants no destroy callback for it (nb_cb_operation_is_valid()
 * in lib/northbound.c) and logs each one it is given as unneeded.
 */
#define RELAY_LEAF(name)                                                                           \
	{                                                                                          \
		.xpath = "/frr-amtd:amtd/relay/" name,                                             \
		.cbs = {.modify = amtd_leaf_modify,                                                \
			.cli_show = amt_cli_show_leaf,                                             \
		}                                                                                  \
	}

/* Relay operational state. */
#define RELAY_STATE(path, cb)                                                                      \
	{                                                                                          \
		.xpath = "/frr-amtd:amtd/relay/" path,                                             \
		.cbs = {.get_elem = cb,                                                            \
		}                                                                                  \
	}

/* A gateway parameter with a default, applied by apply_finish. */
#define GATEWAY_LEAF(name)                                                                         \
	{                                                                                          \
		.xpath = "/frr-amtd:amtd/gateway/" name,                                           \
		.cbs = {.modify = amtd_leaf_modify,                                                \
			.cli_show = amt_cli_show_leaf,                                             \
		}                                                                                  \
	}

#define GATEWAY_STATE(name)                                                                        \
	{                                                                                          \
		.xpath = "/frr-amtd:amtd/gateway/state/" name,                                     \
		.cbs = {.get_elem = amtd_gateway_state_get_elem,                                   \
		}                                                                                  \
	}

/* DNS relay discovery: the record in use and the lookups' counters. */
#define GATEWAY_DNS_STATE(name)                                                                    \
	{                                                                                          \
		.xpath = "/frr-amtd:amtd/gateway/state/dns/" name,                                 \
		.cbs = {.get_elem = amtd_gateway_dns_state_get_elem,                               \
		}                                                                                  \
	}

/* The gateway as pimd's PIM neighbor. */
#define GATEWAY_PIM_STATE(name)                                                                    \
	{                                                                                          \
		.xpath = "/frr-amtd:amtd/gateway/state/pim/" name,                                 \
		.cbs = {.get_elem = amtd_gateway_pim_state_get_elem,                               \
		}                                                                                  \
	}

/* clang-format off */
const struct frr_yang_module_info frr_amtd_info = {
	.name = "frr-amtd",
	.nodes = {
		{
			.xpath = "/frr-amtd:amtd/relay",
			.cbs = {
				.create = amtd_relay_create,
				.destroy = amtd_relay_destroy,
				.get_next = amtd_relay_get_next,
				.get_keys = amtd_instance_get_keys,
				.lookup_entry = amtd_relay_lookup_entry,
				.lookup_next = amtd_relay_lookup_next,
				.apply_finish = amtd_relay_apply_finish,
				.cli_show = amt_cli_show_relay,
				.cli_show_end = amt_cli_show_instance_end,
			}
		},
		{
			.xpath = "/frr-amtd:amtd/relay/local-address",
			.cbs = {
				.create = amtd_leaf_create,
				.destroy = amtd_leaf_destroy,
				.cli_show = amt_cli_show_leaf,
			}
		},
		{
			.xpath = "/frr-amtd:amtd/relay/discovery-address",
			.cbs = {
				.create = amtd_leaf_create,
				.destroy = amtd_leaf_destroy,
				.cli_show = amt_cli_show_leaf,
			}
		},
		RELAY_LEAF("port"),
		RELAY_LEAF("tunnel-limit"),
		RELAY_LEAF("group-limit"),
		RELAY_LEAF("source-limit"),
		RELAY_LEAF("secret-key-rotation-interval"),
		RELAY_LEAF("query-interval"),
		RELAY_LEAF("query-response-interval"),
		RELAY_LEAF("robustness"),
		RELAY_LEAF("unauthenticated-rate-limit"),
		RELAY_LEAF("unauthenticated-prefix-rate-limit"),
		RELAY_LEAF("update-rate-limit"),
		RELAY_LEAF("tunnels-per-address"),
		RELAY_LEAF("flow-limit"),
		RELAY_LEAF("fanout-slice"),
		RELAY_LEAF("linux-flag-layout"),
		RELAY_LEAF("pseudo-interface-read"),
		RELAY_LEAF("gateway-fields"),
		RELAY_LEAF("shutdown"),
		RELAY_LEAF("advertise-discovery-address"),
		{
			.xpath = "/frr-amtd:amtd/relay/health-prefix",
			.cbs = {
				.create = amtd_leaf_create,
				.destroy = amtd_leaf_destroy,
				.cli_show = amt_cli_show_leaf,
			}
		},
		RELAY_LEAF("health-hold-down"),
		RELAY_LEAF("health-max-load"),
		RELAY_STATE("advertisement/advertised", amtd_relay_advertisement_get_elem),
		RELAY_STATE("advertisement/draining-for-health", amtd_relay_advertisement_get_elem),
		RELAY_STATE("advertisement/reasons", amtd_relay_advertisement_get_elem),
		RELAY_STATE("advertisement/advertisements", amtd_relay_advertisement_get_elem),
		RELAY_STATE("advertisement/withdrawals", amtd_relay_advertisement_get_elem),
		RELAY_STATE("restart/snapshot-file", amtd_relay_restart_get_elem),
		RELAY_STATE("restart/restored", amtd_relay_restart_get_elem),
		RELAY_STATE("restart/tunnels-restored", amtd_relay_restart_get_elem),
		RELAY_STATE("restart/groups-restored", amtd_relay_restart_get_elem),
		RELAY_STATE("restart/entries-skipped", amtd_relay_restart_get_elem),
		RELAY_STATE("restart/downtime", amtd_relay_restart_get_elem),
		RELAY_STATE("restart/snapshot-rejected", amtd_relay_restart_get_elem),
		RELAY_STATE("restart/last-reject-reason", amtd_relay_restart_get_elem),
		RELAY_STATE("restart/snapshots-written", amtd_relay_restart_get_elem),
		RELAY_STATE("restart/write-errors", amtd_relay_restart_get_elem),
		RELAY_STATE("restart/journal-file", amtd_relay_restart_get_elem),
		RELAY_STATE("restart/journal-records-replayed", amtd_relay_restart_get_elem),
		RELAY_STATE("restart/journal-records-dropped", amtd_relay_restart_get_elem),
		RELAY_STATE("restart/journal-appends", amtd_relay_restart_get_elem),
		RELAY_STATE("restart/journal-records-written", amtd_relay_restart_get_elem),
		RELAY_STATE("restart/bytes-written", amtd_relay_restart_get_elem),
		RELAY_STATE("statistics/received-relay-discovery", amtd_relay_statistics_get_elem),
		RELAY_STATE("statistics/sent-relay-advertisement", amtd_relay_statistics_get_elem),
		RELAY_STATE("statistics/received-request", amtd_relay_statistics_get_elem),
		RELAY_STATE("statistics/sent-membership-query", amtd_relay_statistics_get_elem),
		RELAY_STATE("statistics/received-membership-update", amtd_relay_statistics_get_elem),
		RELAY_STATE("statistics/received-teardown", amtd_relay_statistics_get_elem),
		RELAY_STATE("statistics/receive-queue-drops", amtd_relay_statistics_get_elem),
		RELAY_STATE("statistics/sent-multicast-data", amtd_relay_statistics_get_elem),
		RELAY_STATE("statistics/sent-multicast-data-bytes", amtd_relay_statistics_get_elem),
		RELAY_STATE("statistics/send-errors", amtd_relay_statistics_get_elem),
		RELAY_STATE("statistics/unusual-messages", amtd_relay_statistics_get_elem),
		RELAY_STATE("statistics/malformed-messages", amtd_relay_statistics_get_elem),
		RELAY_STATE("statistics/bad-version", amtd_relay_statistics_get_elem),
		RELAY_STATE("statistics/unknown-type", amtd_relay_statistics_get_elem),
		RELAY_STATE("statistics/unexpected-type", amtd_relay_statistics_get_elem),
		RELAY_STATE("statistics/bad-mac", amtd_relay_statistics_get_elem),
		RELAY_STATE("statistics/nonce-mismatch", amtd_relay_statistics_get_elem),
		RELAY_STATE("statistics/rate-limited", amtd_relay_statistics_get_elem),
		RELAY_STATE("statistics/tunnel-limit-exceeded", amtd_relay_statistics_get_elem),
		RELAY_STATE("statistics/prefix-rate-limited", amtd_relay_statistics_get_elem),
		RELAY_STATE("statistics/tunnel-request-rate-limited", amtd_relay_statistics_get_elem),
		RELAY_STATE("statistics/received-request-tunnel", amtd_relay_statistics_get_elem),
		RELAY_STATE("statistics/update-rate-limited", amtd_relay_statistics_get_elem),
		RELAY_STATE("statistics/address-tunnel-limit-exceeded", amtd_relay_statistics_get_elem),
		RELAY_STATE("statistics/flow-limit-exceeded", amtd_relay_statistics_get_elem),
		RELAY_STATE("statistics/group-limit-exceeded", amtd_relay_statistics_get_elem),
		RELAY_STATE("statistics/source-limit-exceeded", amtd_relay_statistics_get_elem),
		RELAY_STATE("statistics/bad-report", amtd_relay_statistics_get_elem),
		RELAY_STATE("statistics/data-from-gateway", amtd_relay_statistics_get_elem),
		RELAY_STATE("statistics/tunnels-reconfigured", amtd_relay_statistics_get_elem),
		RELAY_STATE("statistics/refused-draining", amtd_relay_statistics_get_elem),
		RELAY_STATE("statistics/bad-source", amtd_relay_statistics_get_elem),
		RELAY_STATE("statistics/ssm-exclude-ignored", amtd_relay_statistics_get_elem),
		RELAY_STATE("statistics/sent-query-gateway-fields", amtd_relay_statistics_get_elem),
		RELAY_STATE("statistics/sent-query-no-gateway-fields", amtd_relay_statistics_get_elem),
		RELAY_STATE("statistics/sent-query-linux-layout", amtd_relay_statistics_get_elem),
		RELAY_STATE("statistics/sent-query-limit", amtd_relay_statistics_get_elem),
		RELAY_STATE("statistics/sent-gso-messages", amtd_relay_statistics_get_elem),
		RELAY_STATE("statistics/sent-gso-datagrams", amtd_relay_statistics_get_elem),
		RELAY_STATE("statistics/gso-refused", amtd_relay_statistics_get_elem),
		RELAY_STATE("statistics/gso-unrolled", amtd_relay_statistics_get_elem),
		RELAY_STATE("statistics/split-fanouts", amtd_relay_statistics_get_elem),
		RELAY_STATE("statistics/fanout-slices", amtd_relay_statistics_get_elem),
		RELAY_STATE("statistics/fanout-tunnels-gone", amtd_relay_statistics_get_elem),
		RELAY_STATE("statistics/received-request-rfc", amtd_relay_statistics_get_elem),
		RELAY_STATE("statistics/received-request-linux", amtd_relay_statistics_get_elem),
		RELAY_STATE("statistics/received-request-exact-length", amtd_relay_statistics_get_elem),
		{
			.xpath = "/frr-amtd:amtd/relay/tunnel",
			.cbs = {
				.get_next = amtd_relay_tunnel_get_next,
				.get_keys = amtd_relay_tunnel_get_keys,
				.lookup_entry = amtd_relay_tunnel_lookup_entry,
				.lookup_next = amtd_relay_tunnel_lookup_next,
			}
		},
		RELAY_STATE("tunnel/gateway-address", amtd_relay_tunnel_get_elem),
		RELAY_STATE("tunnel/gateway-port", amtd_relay_tunnel_get_elem),
		RELAY_STATE("tunnel/uptime", amtd_relay_tunnel_get_elem),
		RELAY_STATE("tunnel/group-count", amtd_relay_tunnel_get_elem),
		RELAY_STATE("tunnel/source-count", amtd_relay_tunnel_get_elem),
		RELAY_STATE("tunnel/membership-updates", amtd_relay_tunnel_get_elem),
		RELAY_STATE("tunnel/data-packets", amtd_relay_tunnel_get_elem),
		RELAY_STATE("tunnel/data-bytes", amtd_relay_tunnel_get_elem),
		{
			.xpath = "/frr-amtd:amtd/relay/oper-status",
			.cbs = {
				.get_elem = amtd_instance_oper_status_get_elem,
			}
		},
		{
			.xpath = "/frr-amtd:amtd/relay/if-index",
			.cbs = {
				.get_elem = amtd_instance_if_index_get_elem,
			}
		},
		{
			.xpath = "/frr-amtd:amtd/relay/pseudo-interface-losses",
			.cbs = {
				.get_elem = amtd_instance_tun_losses_get_elem,
			}
		},
		{
			.xpath = "/frr-amtd:amtd/relay/pseudo-interface-error",
			.cbs = {
				.get_elem = amtd_instance_tun_error_get_elem,
			}
		},
		{
			.xpath = "/frr-amtd:amtd/gateway",
			.cbs = {
				.create = amtd_gateway_create,
				.destroy = amtd_gateway_destroy,
				.get_next = amtd_gateway_get_next,
				.get_keys = amtd_instance_get_keys,
				.lookup_entry = amtd_gateway_lookup_entry,
				.apply_finish = amtd_gateway_apply_finish,
				.cli_show = amt_cli_show_gateway,
				.cli_show_end = amt_cli_show_instance_end,
			}
		},
		{
			.xpath = "/frr-amtd:amtd/gateway/relay-address",
			.cbs = {
				.modify = amtd_leaf_modify,
				.destroy = amtd_leaf_destroy,
				.cli_show = amt_cli_show_leaf,
			}
		},
		{
			.xpath = "/frr-amtd:amtd/gateway/discovery-address",
			.cbs = {
				.modify = amtd_leaf_modify,
				.destroy = amtd_leaf_destroy,
				.cli_show = amt_cli_show_leaf,
			}
		},
		{
			.xpath = "/frr-amtd:amtd/gateway/dns-discovery/source",
			.cbs = {
				.modify = amtd_gateway_dns_source_modify,
				.destroy = amtd_leaf_destroy,
				.cli_show = amt_cli_show_gw_dns,
			}
		},
		{
			.xpath = "/frr-amtd:amtd/gateway/dns-discovery/name",
			.cbs = {
				.modify = amtd_leaf_modify,
				.destroy = amtd_leaf_destroy,
				.cli_show = amt_cli_show_gw_dns,
			}
		},
		{
			.xpath = "/frr-amtd:amtd/gateway/source-prefix",
			.cbs = {
				.create = amtd_leaf_create,
				.destroy = amtd_leaf_destroy,
				.cli_show = amt_cli_show_leaf,
			}
		},
		GATEWAY_LEAF("relay-port"),
		GATEWAY_LEAF("request-timeout"),
		GATEWAY_LEAF("retransmissions"),
		GATEWAY_LEAF("linux-flag-layout"),
		GATEWAY_STATE("tunnel-state"),
		GATEWAY_STATE("relay"),
		GATEWAY_STATE("received-query"),
		GATEWAY_STATE("sent-update"),
		GATEWAY_STATE("received-data"),
		GATEWAY_STATE("dropped-data"),
		GATEWAY_STATE("relay-selection"),
		GATEWAY_STATE("relay-changes"),
		GATEWAY_STATE("icmp-errors"),
		GATEWAY_STATE("moving"),
		GATEWAY_STATE("moving-from"),
		GATEWAY_STATE("moves"),
		GATEWAY_STATE("moves-failed"),
		GATEWAY_STATE("last-move-duration"),
		GATEWAY_STATE("nat-changes"),
		GATEWAY_STATE("sent-request-mld"),
		GATEWAY_STATE("nonce-age"),
		GATEWAY_PIM_STATE("neighbor"),
		GATEWAY_PIM_STATE("neighbor-ipv6"),
		GATEWAY_PIM_STATE("join-count"),
		GATEWAY_PIM_STATE("sent-hello"),
		GATEWAY_PIM_STATE("received-hello"),
		GATEWAY_PIM_STATE("received-join"),
		GATEWAY_PIM_STATE("received-prune"),
		GATEWAY_PIM_STATE("ignored"),
		GATEWAY_PIM_STATE("malformed"),
		GATEWAY_PIM_STATE("join-errors"),
		GATEWAY_PIM_STATE("expired"),
		GATEWAY_DNS_STATE("query-name"),
		GATEWAY_DNS_STATE("records"),
		GATEWAY_DNS_STATE("record-index"),
		GATEWAY_DNS_STATE("precedence"),
		GATEWAY_DNS_STATE("discovery-optional"),
		GATEWAY_DNS_STATE("relay-type"),
		GATEWAY_DNS_STATE("relay-name"),
		GATEWAY_DNS_STATE("ttl"),
		GATEWAY_DNS_STATE("queries"),
		GATEWAY_DNS_STATE("answers"),
		GATEWAY_DNS_STATE("query-failures"),
		GATEWAY_DNS_STATE("bad-answers"),
		GATEWAY_DNS_STATE("empty-answers"),
		GATEWAY_DNS_STATE("bad-records"),
		GATEWAY_DNS_STATE("no-relay-records"),
		GATEWAY_DNS_STATE("over-limit"),
		GATEWAY_DNS_STATE("name-failures"),
		GATEWAY_DNS_STATE("relays-tried"),
		{
			.xpath = "/frr-amtd:amtd/gateway/oper-status",
			.cbs = {
				.get_elem = amtd_instance_oper_status_get_elem,
			}
		},
		{
			.xpath = "/frr-amtd:amtd/gateway/if-index",
			.cbs = {
				.get_elem = amtd_instance_if_index_get_elem,
			}
		},
		{
			.xpath = "/frr-amtd:amtd/gateway/pseudo-interface-losses",
			.cbs = {
				.get_elem = amtd_instance_tun_losses_get_elem,
			}
		},
		{
			.xpath = "/frr-amtd:amtd/gateway/pseudo-interface-error",
			.cbs = {
				.get_elem = amtd_instance_tun_error_get_elem,
			}
		},
		{
			.xpath = "/frr-amtd:amtd/zebra/connected",
			.cbs = {
				.get_elem = amtd_zebra_connected_get_elem,
			}
		},
		{
			.xpath = "/frr-amtd:amtd/zebra/connections",
			.cbs = {
				.get_elem = amtd_zebra_connections_get_elem,
			}
		},
		{
			.xpath = NULL,
		},
	}
};
/* clang-format on */
