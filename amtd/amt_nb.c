// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * amtd northbound: the table binding frr-amtd's nodes to their callbacks.
 */
#include <zebra.h>

#include "lib/northbound.h"

#include "amt_nb.h"

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
				.cli_show = amt_cli_show_relay,
				.cli_show_end = amt_cli_show_instance_end,
			}
		},
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
			.xpath = "/frr-amtd:amtd/gateway",
			.cbs = {
				.create = amtd_gateway_create,
				.destroy = amtd_gateway_destroy,
				.get_next = amtd_gateway_get_next,
				.get_keys = amtd_instance_get_keys,
				.lookup_entry = amtd_gateway_lookup_entry,
				.cli_show = amt_cli_show_gateway,
				.cli_show_end = amt_cli_show_instance_end,
			}
		},
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
