// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * amtd CLI: configuration nodes, show and debug commands.  Configuration
 * commands only enqueue northbound changes; the frr-amtd YANG module
 * validates them and amt_nb_config.c applies them.
 */
#include <zebra.h>

#include "lib/command.h"
#include "lib/json.h"
#include "lib/northbound_cli.h"
#include "lib/termtable.h"
#include "lib/vty.h"

#include "amtd.h"
#include "amt_debug.h"
#include "amt_gateway_vty.h"
#include "amt_nb.h"
#include "amt_relay_vty.h"
#include "amt_vty.h"
#include "amt_vty_slices.h"
#include "amt_zebra.h"

#include "amtd/amt_vty_clippy.c"

#define AMT_STR		"Automatic Multicast Tunneling (AMT)\n"
#define AMT_RELAY_STR	"AMT relay instance\n"
#define AMT_GATEWAY_STR "AMT gateway instance\n"
#define AMT_IFNAME_STR	"Name of the instance's pseudo-interface\n"

/* XPath of the relay or gateway instance `name`. */
static void amt_instance_xpath(char *xpath, size_t len, enum amt_role role, const char *name)
{
	snprintf(xpath, len, "/frr-amtd:amtd/%s[name='%s']", amt_role_str(role), name);
}

/*
 * The YANG model enforces the same rules; checking here first gives vtysh
 * users a message that says what is wrong with the name.
 */
static bool amt_ifname_valid(struct vty *vty, const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len >= IFNAMSIZ) {
		vty_out(vty,
			"%% Invalid pseudo-interface name \"%s\": its length must be 1 to %d characters\n",
			name, IFNAMSIZ - 1);
		return false;
	}
	if (name[0] == '.' || name[0] == '-' ||
	    strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			 "0123456789_.-") != len) {
		vty_out(vty,
			"%% Invalid pseudo-interface name \"%s\": use letters, digits, '_', '.' and '-', not starting with '.' or '-'\n",
			name);
		return false;
	}
	return true;
}

/* Create an instance and enter its node. */
static int amt_instance_enter(struct vty *vty, enum amt_role role, const char *name,
			      enum node_type node)
{
	char xpath[XPATH_MAXLEN];
	int ret;

	if (!amt_ifname_valid(vty, name))
		return CMD_WARNING_CONFIG_FAILED;
	amt_instance_xpath(xpath, sizeof(xpath), role, name);
	nb_cli_enqueue_change(vty, xpath, NB_OP_CREATE, NULL);
	ret = nb_cli_apply_changes(vty, NULL);
	if (ret == CMD_SUCCESS)
		VTY_PUSH_XPATH(node, xpath);
	return ret;
}

static int amt_instance_remove(struct vty *vty, enum amt_role role, const char *name)
{
	char xpath[XPATH_MAXLEN];

	amt_instance_xpath(xpath, sizeof(xpath), role, name);
	nb_cli_enqueue_change(vty, xpath, NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

int amt_cli_leaf(struct vty *vty, const char *leaf, bool no, const char *value)
{
	char xpath[XPATH_MAXLEN];

	snprintf(xpath, sizeof(xpath), "./%s", leaf);
	nb_cli_enqueue_change(vty, xpath, no ? NB_OP_DESTROY : NB_OP_MODIFY, value);
	return nb_cli_apply_changes(vty, NULL);
}

int amt_cli_leaf_list(struct vty *vty, const char *leaf, bool no, const char *value)
{
	char xpath[XPATH_MAXLEN];

	if (no) {
		snprintf(xpath, sizeof(xpath), "./%s[.='%s']", leaf, value);
		nb_cli_enqueue_change(vty, xpath, NB_OP_DESTROY, NULL);
	} else {
		snprintf(xpath, sizeof(xpath), "./%s", leaf);
		nb_cli_enqueue_change(vty, xpath, NB_OP_CREATE, value);
	}
	return nb_cli_apply_changes(vty, NULL);
}

/*
 * Whether query-interval goes after query-response-interval in
 * running-config.  vtysh applies (and validates) a configuration line by
 * line, and the response interval must stay shorter than the query
 * interval (RFC 3376 8.3) after every line: replayed onto a new relay's
 * defaults, the query interval goes first unless it is not longer than the
 * default response interval; then the response interval (shorter still,
 * so not the default and printed) goes first.
 */
static bool amt_query_interval_last(const struct lyd_node *interval)
{
	uint32_t dflt = yang_get_default_uint32("/frr-amtd:amtd/relay/query-response-interval");

	return yang_dnode_get_uint32(interval, NULL) <= dflt;
}

/* An instance parameter in running-config: its leaf name, then its value. */
void amt_cli_show_leaf(struct vty *vty, const struct lyd_node *dnode, bool show_defaults)
{
	const char *name = dnode->schema->name;

	if (strmatch(name, "query-interval") && amt_query_interval_last(dnode))
		return;
	if (strmatch(name, "query-response-interval")) {
		const struct lyd_node *qi = yang_dnode_get(dnode, "../query-interval");

		vty_out(vty, " %s %s\n", name, yang_dnode_get_string(dnode, NULL));
		if (qi && amt_query_interval_last(qi))
			vty_out(vty, " query-interval %s\n", yang_dnode_get_string(qi, NULL));
		return;
	}

	/* Boolean switches read as a bare keyword. */
	if (strmatch(name, "linux-flag-layout") || strmatch(name, "shutdown") ||
	    strmatch(name, "advertise-discovery-address")) {
		if (yang_dnode_get_bool(dnode, NULL))
			vty_out(vty, " %s\n", name);
		return;
	}
	vty_out(vty, " %s %s\n", name, yang_dnode_get_string(dnode, NULL));
}

DEFPY_YANG_NOSH(amt_relay, amt_relay_cmd, "amt relay IFNAME$name",
		AMT_STR AMT_RELAY_STR AMT_IFNAME_STR)
{
	return amt_instance_enter(vty, AMT_ROLE_RELAY, name, AMT_RELAY_NODE);
}

DEFPY_YANG(no_amt_relay, no_amt_relay_cmd, "no amt relay IFNAME$name",
	   NO_STR AMT_STR AMT_RELAY_STR AMT_IFNAME_STR)
{
	return amt_instance_remove(vty, AMT_ROLE_RELAY, name);
}

DEFPY_YANG_NOSH(amt_gateway, amt_gateway_cmd, "amt gateway IFNAME$name",
		AMT_STR AMT_GATEWAY_STR AMT_IFNAME_STR)
{
	return amt_instance_enter(vty, AMT_ROLE_GATEWAY, name, AMT_GATEWAY_NODE);
}

DEFPY_YANG(no_amt_gateway, no_amt_gateway_cmd, "no amt gateway IFNAME$name",
	   NO_STR AMT_STR AMT_GATEWAY_STR AMT_IFNAME_STR)
{
	return amt_instance_remove(vty, AMT_ROLE_GATEWAY, name);
}

void amt_cli_show_relay(struct vty *vty, const struct lyd_node *dnode, bool show_defaults)
{
	vty_out(vty, "amt relay %s\n", yang_dnode_get_string(dnode, "name"));
}

void amt_cli_show_gateway(struct vty *vty, const struct lyd_node *dnode, bool show_defaults)
{
	vty_out(vty, "amt gateway %s\n", yang_dnode_get_string(dnode, "name"));
}

void amt_cli_show_instance_end(struct vty *vty, const struct lyd_node *dnode)
{
	vty_out(vty, "exit\n!\n");
}

struct ttable *amt_table_new(int indent)
{
	struct ttable *tt = ttable_new(&ttable_styles[TTSTYLE_BLANK]);

	tt->style.indent = indent;
	tt->style.cell.rpad = 2;
	ttable_restyle(tt);
	return tt;
}

void amt_table_row(struct ttable *tt, const char *name, const char *fmt, ...)
{
	char value[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintfrr(value, sizeof(value), fmt, ap);
	va_end(ap);
	/* '|' separates the cells: one in a value (a DNS name) would split it. */
	for (char *c = value; (c = strchr(c, '|'));)
		*c = '?';
	ttable_add_row(tt, "%s|%s", name, value);
}

/* ttable pads every cell to its column's width; lines end without it. */
static void amt_strip_trailing_blanks(char *text)
{
	char *out = text, *blanks = NULL;

	for (char *in = text; *in; in++) {
		if (*in == ' ') {
			if (!blanks)
				blanks = out;
		} else if (*in == '\n' && blanks) {
			out = blanks;
			blanks = NULL;
		} else {
			blanks = NULL;
		}
		*out++ = *in;
	}
	*out = '\0';
}

void amt_table_print(struct vty *vty, struct ttable *tt, bool numbers)
{
	char *text;

	if (tt->nrows > 0) {
		if (numbers)
			ttable_align(tt, 0, tt->ncols - 1, tt->nrows, 1, RIGHT);
		text = ttable_dump(tt, "\n");
		amt_strip_trailing_blanks(text);
		vty_out(vty, "%s", text);
		XFREE(MTYPE_TMP_TTABLE, text);
	}
	ttable_del(tt);
}

/* The JSON object a row's value is in. */
static json_object *amt_show_row_object(json_object *json, const struct amt_show_row *row,
					bool create)
{
	json_object *obj;

	if (!row->section)
		return json;
	if (json_object_object_get_ex(json, row->section, &obj))
		return obj;
	if (!create)
		return NULL;
	obj = json_object_new_object();
	json_object_object_add(json, row->section, obj);
	return obj;
}

void amt_show_counters_json(json_object *json, const void *stats, const struct amt_show_row *rows,
			    size_t nrows)
{
	for (size_t i = 0; i < nrows; i++) {
		const uint64_t *val = (const uint64_t *)((const char *)stats + rows[i].offset);

		json_object_int_add(amt_show_row_object(json, &rows[i], true), rows[i].key, *val);
	}
}

static const char *amt_show_section_title(const char *key, const struct amt_show_section *sections,
					  size_t nsections)
{
	for (size_t i = 0; i < nsections; i++)
		if (strmatch(sections[i].key, key))
			return sections[i].title;
	return key;
}

void amt_show_rows_text(struct vty *vty, json_object *json, const struct amt_show_row *rows,
			size_t nrows, const struct amt_show_section *sections, size_t nsections)
{
	struct ttable *tt = amt_table_new(1);
	const char *section = NULL;
	json_object *obj, *val;
	const char *text;
	char name[64];
	bool numbers = true;

	for (size_t i = 0; i < nrows; i++) {
		const struct amt_show_row *row = &rows[i];

		if (row->section && (!section || !strmatch(section, row->section)))
			amt_table_row(tt, amt_show_section_title(row->section, sections, nsections),
				      "%s", "");
		section = row->section;
		obj = amt_show_row_object(json, row, false);
		if (!obj || !json_object_object_get_ex(obj, row->key, &val))
			continue;
		if (json_object_is_type(val, json_type_boolean))
			text = json_object_get_boolean(val) ? "yes" : "no";
		else
			text = json_object_get_string(val);
		/* Counters are right-aligned, a block with other values left. */
		numbers = numbers && json_object_is_type(val, json_type_int);
		/* A section's rows are indented under its heading. */
		snprintf(name, sizeof(name), "%s%s", row->section ? "  " : "", row->name);
		amt_table_row(tt, name, "%s", text && *text ? text : "-");
	}
	amt_table_print(vty, tt, numbers);
}

static void amt_show_instance_json(json_object *json, const struct amt_instance *inst)
{
	json_object *jinst = json_object_new_object();

	json_object_string_add(jinst, "role", amt_role_str(inst->role));
	json_object_string_add(jinst, "operStatus", inst->tun_fd >= 0 ? "up" : "down");
	if (inst->tun_fd >= 0)
		json_object_int_add(jinst, "ifindex", inst->kernel_ifindex);
	else
		json_object_string_add(jinst, "error", inst->error);
	json_object_int_add(jinst, "pseudoInterfaceLosses", inst->tun_losses);
	json_object_boolean_add(jinst, "zebraInterface", inst->ifp != NULL);
	if (inst->vrf_refused[0])
		json_object_string_add(jinst, "vrfRefused", inst->vrf_refused);
	json_object_object_add(json, inst->name, jinst);
}

/* What zebra says of the pseudo-interface, for the text output. */
static const char *amt_instance_zebra_str(const struct amt_instance *inst, char *buf, size_t len)
{
	if (inst->ifp)
		return "reported";
	if (inst->vrf_refused[0]) {
		snprintf(buf, len, "in VRF %s: refused", inst->vrf_refused);
		return buf;
	}
	return "not reported";
}

DEFPY(show_amt, show_amt_cmd, "show amt [json$json]",
      SHOW_STR AMT_STR JSON_STR)
{
	struct amt_instance *inst;
	json_object *jroot, *jzebra, *jinst;
	struct ttable *tt;
	char ifindex[16], zbuf[VRF_NAMSIZ + 32];

	if (json) {
		jroot = json_object_new_object();
		jzebra = json_object_new_object();
		json_object_boolean_add(jzebra, "connected", amt_zebra_is_connected());
		json_object_int_add(jzebra, "connections", amt_g.zebra_connections);
		json_object_object_add(jroot, "zebra", jzebra);
		/* Long listings printed over many events (amt_vty_slices.h). */
		json_object_int_add(jroot, "slicedOutputs", amt_vty_slices_total());
		json_object_int_add(jroot, "slicedOutputsRunning", amt_vty_slices_running());
		jinst = json_object_new_object();
		frr_each_amt_instance(inst) amt_show_instance_json(jinst, inst);
		json_object_object_add(jroot, "instances", jinst);
		return vty_json(vty, jroot);
	}

	tt = amt_table_new(1);
	amt_table_row(tt, "Session", "%s", amt_zebra_is_connected() ? "up" : "down");
	amt_table_row(tt, "Connections since start", "%u", amt_g.zebra_connections);
	vty_out(vty, "zebra\n");
	amt_table_print(vty, tt, false);
	tt = amt_table_new(1);
	amt_table_row(tt, "Printed in slices", "%lu", amt_vty_slices_total());
	amt_table_row(tt, "In progress", "%u", amt_vty_slices_running());
	vty_out(vty, "\nLong show outputs\n");
	amt_table_print(vty, tt, false);
	if (!amt_instance_first()) {
		vty_out(vty, "\nNo AMT relay or gateway configured\n");
		return CMD_SUCCESS;
	}

	/* One row per instance, as pimd's interface tables; then why any is down. */
	tt = ttable_new(&ttable_styles[TTSTYLE_BLANK]);
	ttable_add_row(tt, "Instance|Role|Pseudo-interface|Ifindex|zebra");
	tt->style.cell.rpad = 2;
	ttable_restyle(tt);
	frr_each_amt_instance(inst)
	{
		snprintf(ifindex, sizeof(ifindex), "%d", inst->kernel_ifindex);
		ttable_add_row(tt, "%s|%s|%s|%s|%s", inst->name, amt_role_str(inst->role),
			       inst->tun_fd >= 0 ? "up" : "down", inst->tun_fd >= 0 ? ifindex : "-",
			       amt_instance_zebra_str(inst, zbuf, sizeof(zbuf)));
	}
	vty_out(vty, "\nInstances\n");
	amt_table_print(vty, tt, false);
	frr_each_amt_instance(inst)
	{
		if (inst->tun_fd < 0)
			vty_out(vty, "%s is down: %s\n", inst->name, inst->error);
	}
	return CMD_SUCCESS;
}

DEFPY(debug_amt, debug_amt_cmd,
      "[no] debug amt [{events$events|northbound$nb|packets$packets|zebra$zebra}]",
      NO_STR DEBUG_STR AMT_STR
      "Instance and pseudo-interface events\n"
      "Northbound (configuration) callbacks\n"
      "AMT packets sent and received\n"
      "zebra events\n")
{
	bool all = !events && !nb && !packets && !zebra;

	amt_debug_set(vty->node, !no, all || events, all || nb, all || packets, all || zebra);
	return CMD_SUCCESS;
}

DEFUN_NOSH(show_debugging_amt, show_debugging_amt_cmd,
	   "show debugging [amt]", SHOW_STR DEBUG_STR AMT_STR)
{
	vty_out(vty, "AMT debugging status:\n");
	debug_status_write(vty);
	cmd_show_lib_debugs(vty);
	return CMD_SUCCESS;
}

/* The whole frr-amtd configuration is written from the relay node. */
static int amt_config_write(struct vty *vty)
{
	const struct lyd_node *dnode;

	dnode = yang_dnode_get(running_config->dnode, "/frr-amtd:amtd");
	if (!dnode)
		return 0;
	nb_cli_show_dnode_cmds(vty, dnode, false);
	return 1;
}

static struct cmd_node amt_relay_node = {
	.name = "amt relay",
	.node = AMT_RELAY_NODE,
	.parent_node = CONFIG_NODE,
	.prompt = "%s(config-amt-relay)# ",
	.config_write = amt_config_write,
};

static struct cmd_node amt_gateway_node = {
	.name = "amt gateway",
	.node = AMT_GATEWAY_NODE,
	.parent_node = CONFIG_NODE,
	.prompt = "%s(config-amt-gateway)# ",
};

void amt_vty_init(void)
{
	install_node(&amt_relay_node);
	install_default(AMT_RELAY_NODE);
	install_node(&amt_gateway_node);
	install_default(AMT_GATEWAY_NODE);

	install_element(CONFIG_NODE, &amt_relay_cmd);
	install_element(CONFIG_NODE, &no_amt_relay_cmd);
	install_element(CONFIG_NODE, &amt_gateway_cmd);
	install_element(CONFIG_NODE, &no_amt_gateway_cmd);

	amt_relay_vty_init();
	amt_gateway_vty_init();

	install_element(VIEW_NODE, &show_amt_cmd);
	install_element(VIEW_NODE, &show_debugging_amt_cmd);
	install_element(ENABLE_NODE, &debug_amt_cmd);
	install_element(CONFIG_NODE, &debug_amt_cmd);
}
