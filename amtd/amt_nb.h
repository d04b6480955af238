// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * amtd northbound: the frr-amtd YANG module's callbacks.
 */
#ifndef _AMT_NB_H
#define _AMT_NB_H

#include "lib/northbound.h"

extern const struct frr_yang_module_info frr_amtd_info;

/* Configuration (amt_nb_config.c). */
int amtd_relay_create(struct nb_cb_create_args *args);
int amtd_relay_destroy(struct nb_cb_destroy_args *args);
int amtd_leaf_create(struct nb_cb_create_args *args);
int amtd_leaf_modify(struct nb_cb_modify_args *args);
int amtd_leaf_destroy(struct nb_cb_destroy_args *args);
void amtd_relay_apply_finish(struct nb_cb_apply_finish_args *args);
int amtd_gateway_create(struct nb_cb_create_args *args);
void amtd_gateway_apply_finish(struct nb_cb_apply_finish_args *args);
struct yang_data *amtd_gateway_state_get_elem(struct nb_cb_get_elem_args *args);
int amtd_gateway_destroy(struct nb_cb_destroy_args *args);
int amtd_gateway_dns_source_modify(struct nb_cb_modify_args *args);
struct yang_data *amtd_gateway_dns_state_get_elem(struct nb_cb_get_elem_args *args);
struct yang_data *amtd_gateway_pim_state_get_elem(struct nb_cb_get_elem_args *args);

/* Operational state (amt_nb_state.c). */
const void *amtd_relay_get_next(struct nb_cb_get_next_args *args);
const void *amtd_gateway_get_next(struct nb_cb_get_next_args *args);
int amtd_instance_get_keys(struct nb_cb_get_keys_args *args);
const void *amtd_relay_lookup_entry(struct nb_cb_lookup_entry_args *args);
const void *amtd_relay_lookup_next(struct nb_cb_lookup_entry_args *args);
const void *amtd_gateway_lookup_entry(struct nb_cb_lookup_entry_args *args);
struct yang_data *amtd_instance_oper_status_get_elem(struct nb_cb_get_elem_args *args);
struct yang_data *amtd_instance_if_index_get_elem(struct nb_cb_get_elem_args *args);
struct yang_data *amtd_instance_tun_losses_get_elem(struct nb_cb_get_elem_args *args);
struct yang_data *amtd_instance_tun_error_get_elem(struct nb_cb_get_elem_args *args);
struct yang_data *amtd_zebra_connected_get_elem(struct nb_cb_get_elem_args *args);
struct yang_data *amtd_zebra_connections_get_elem(struct nb_cb_get_elem_args *args);

struct yang_data *amtd_relay_statistics_get_elem(struct nb_cb_get_elem_args *args);
/* The restart snapshot's state (amt_relay_persist.c). */
struct yang_data *amtd_relay_restart_get_elem(struct nb_cb_get_elem_args *args);
/* The anycast advertisement's state (amt_relay_advertise.c). */
struct yang_data *amtd_relay_advertisement_get_elem(struct nb_cb_get_elem_args *args);
const void *amtd_relay_tunnel_get_next(struct nb_cb_get_next_args *args);
int amtd_relay_tunnel_get_keys(struct nb_cb_get_keys_args *args);
const void *amtd_relay_tunnel_lookup_entry(struct nb_cb_lookup_entry_args *args);
const void *amtd_relay_tunnel_lookup_next(struct nb_cb_lookup_entry_args *args);
struct yang_data *amtd_relay_tunnel_get_elem(struct nb_cb_get_elem_args *args);

/* CLI rendering of the configuration (amt_vty.c). */
void amt_cli_show_relay(struct vty *vty, const struct lyd_node *dnode, bool show_defaults);
void amt_cli_show_gateway(struct vty *vty, const struct lyd_node *dnode, bool show_defaults);
void amt_cli_show_instance_end(struct vty *vty, const struct lyd_node *dnode);
/* Relay and gateway parameters (amt_vty.c). */
void amt_cli_show_leaf(struct vty *vty, const struct lyd_node *dnode, bool show_defaults);
/* Gateway DNS discovery leaves (amt_gateway_vty.c). */
void amt_cli_show_gw_dns(struct vty *vty, const struct lyd_node *dnode, bool show_defaults);

#endif /* _AMT_NB_H */
