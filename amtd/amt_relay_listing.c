// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * "show amt relay [IFNAME] tunnels [gateway ADDR] [detail] [json]": the
 * tunnels of every relay (or one), in key order (family, address, port).
 *
 * A relay may have 100,000 tunnels: the listing is printed in slices of
 * about AMT_LISTING_SLICE tunnels (amt_vty_slices.h), each resuming after
 * the key of the last tunnel printed, so tunnels that come and go between
 * slices are listed or not, never twice, and nothing is held between
 * slices but that key.  JSON is printed as it is built, one tunnel object
 * at a time, never as one tree.
 */
#include <zebra.h>

#include "lib/json.h"
#include "lib/monotime.h"
#include "lib/sockunion.h"
#include "lib/vty.h"

#include "amt_memory.h"
#include "amt_relay.h"
#include "amt_relay_vty.h"
#include "amt_vty_slices.h"
#include "amtd.h"

DEFINE_MTYPE_STATIC(AMTD, AMT_LISTING, "AMT tunnel listing");

/* Tunnels (and, with detail, flows) per slice: a few ms of CPU. */
#define AMT_LISTING_SLICE 500
/* Widest addresses: dotted quad; IPv6 without an embedded IPv4 address. */
#define AMT_LISTING_IPV4_W 15
#define AMT_LISTING_IPV6_W 39

enum amt_listing_phase {
	AMT_LISTING_RELAY,   /* the next relay's header */
	AMT_LISTING_TUNNELS, /* its tunnels */
	AMT_LISTING_FLOWS,   /* text with detail: the flows of its tunnels */
	AMT_LISTING_END,     /* its closing */
};

struct amt_listing {
	/* What was asked. */
	char only[IFNAMSIZ]; /* one relay, or "" for all */
	bool json, detail;
	bool by_gw;
	union sockunion gw;

	/* Where the listing is. */
	enum amt_listing_phase phase;
	char relay[IFNAMSIZ]; /* the relay printed last, "" before the first */
	bool have_cursor;     /* in this phase, after the key of: */
	union sockunion cursor;
	unsigned int relays;  /* printed so far */
	unsigned int in_list; /* JSON objects printed in the current array */
	int gw_w, src_w, grp_w;
};

/* ------------------------------------------------------------ a tunnel */

/* A tunnel's flows: (S,G) of the sources it includes, (*,G) in EXCLUDE mode. */
static unsigned int amt_tunnel_flow_each(struct amt_tunnel *t,
					 void (*fn)(const char *src, const char *grp, void *arg),
					 void *arg)
{
	char g[INET6_ADDRSTRLEN], s[INET6_ADDRSTRLEN];
	const struct amt_mgroup *mg;
	const struct amt_msource *ms;
	struct amt_mgroup_info gi;
	struct amt_msource_info si;
	uint64_t now = amt_now_ms();
	unsigned int n = 0;

	for (mg = amt_membership_group_first(t->memb); mg;
	     mg = amt_membership_group_next(t->memb, mg)) {
		amt_mgroup_get_info(mg, now, &gi);
		inet_ntop(gi.family, &gi.group, g, sizeof(g));
		if (gi.mode == AMT_FILTER_EXCLUDE) {
			fn("*", g, arg);
			n++;
		}
		for (ms = amt_mgroup_source_first(mg); ms; ms = amt_mgroup_source_next(mg, ms)) {
			amt_msource_get_info(ms, &si);
			if (si.excluded)
				continue;
			inet_ntop(gi.family, &si.source, s, sizeof(s));
			fn(s, g, arg);
			n++;
		}
	}
	return n;
}

static void amt_flow_json(const char *src, const char *grp, void *arg)
{
	json_object *f = json_object_new_object();

	json_object_string_add(f, "group", grp);
	json_object_string_add(f, "source", src);
	json_object_array_add(arg, f);
}

struct amt_flow_text {
	struct vty *vty;
	const struct amt_listing *l;
	const char *gw;
	uint16_t port;
};

static void amt_flow_measure(const char *src, const char *grp, void *arg)
{
	struct amt_listing *l = arg;

	l->src_w = MAX(l->src_w, (int)strlen(src));
	l->grp_w = MAX(l->grp_w, (int)strlen(grp));
}

static void amt_flow_text(const char *src, const char *grp, void *arg)
{
	struct amt_flow_text *ft = arg;

	vty_out(ft->vty, " %-*s  %5u  %-*s  %s\n", ft->l->gw_w, ft->gw, ft->port, ft->l->src_w, src,
		grp);
}

static uint16_t amt_tunnel_port(const struct amt_tunnel *t)
{
	return ntohs(t->gw.sa.sa_family == AF_INET ? t->gw.sin.sin_port : t->gw.sin6.sin6_port);
}

/* One tunnel as a JSON object, printed; the flows it had with detail. */
static unsigned int amt_listing_tunnel_json(struct vty *vty, struct amt_listing *l,
					    struct amt_tunnel *t, uint64_t now)
{
	json_object *jt = json_object_new_object();
	json_object *jc = json_object_new_object();
	char addr[INET6_ADDRSTRLEN];
	unsigned int flows = 0;

	sockunion2str(&t->gw, addr, sizeof(addr));
	json_object_string_add(jt, "gateway", addr);
	json_object_int_add(jt, "gatewayPort", amt_tunnel_port(t));
	json_object_string_add(jt, "family", t->gw.sa.sa_family == AF_INET ? "ipv4" : "ipv6");
	json_object_int_add(jt, "uptime", (now - t->created_ms) / 1000);
	json_object_int_add(jt, "groupCount", amt_membership_num_groups(t->memb));
	json_object_int_add(jt, "sourceCount", amt_membership_num_sources(t->memb));
	json_object_int_add(jc, "updates", t->updates);
	json_object_int_add(jc, "dataPackets", t->data_packets);
	json_object_int_add(jc, "dataBytes", t->data_bytes);
	json_object_object_add(jt, "counters", jc);
	if (l->detail) {
		json_object *jf = json_object_new_array();

		flows = amt_tunnel_flow_each(t, amt_flow_json, jf);
		json_object_object_add(jt, "flows", jf);
	}
	vty_out(vty, "%s%s", l->in_list++ ? "," : "",
		json_object_to_json_string_ext(jt, JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_free(jt);
	return 1 + flows;
}

static void amt_listing_tunnel_text(struct vty *vty, const struct amt_listing *l,
				    struct amt_tunnel *t, uint64_t now)
{
	char addr[INET6_ADDRSTRLEN], uptime[32];

	sockunion2str(&t->gw, addr, sizeof(addr));
	frrtime_to_interval((now - t->created_ms) / 1000, uptime, sizeof(uptime));
	vty_out(vty, " %-*s  %5u  %8s  %6u  %7u  %7" PRIu64 "  %12" PRIu64 "\n", l->gw_w, addr,
		amt_tunnel_port(t), uptime, amt_membership_num_groups(t->memb),
		amt_membership_num_sources(t->memb), t->updates, t->data_packets);
}

/* ------------------------------------------------------------ a relay */

/* The first tunnel the listing shows after the cursor (or the first). */
static struct amt_tunnel *amt_listing_next(struct amt_listing *l, struct amt_relay *relay)
{
	struct amt_tunnel *t;

	if (l->by_gw)
		t = l->have_cursor ? amt_relay_tunnel_after(relay, &l->cursor)
				   : amt_relay_tunnel_first_of_addr(relay, &l->gw);
	else
		t = l->have_cursor ? amt_relay_tunnel_after(relay, &l->cursor)
				   : amt_relay_tunnel_first(relay);
	if (t && l->by_gw && !sockunion_same(&t->gw, &l->gw))
		return NULL;
	return t;
}

/*
 * Text column widths: measured over the tunnels when they fit in one
 * slice; otherwise the widest address of the relay's families (tunnels
 * change between slices, a measure would not hold).
 */
static void amt_listing_widths(struct amt_listing *l, struct amt_relay *relay, uint32_t count)
{
	char addr[INET6_ADDRSTRLEN];
	struct amt_tunnel *t;

	l->gw_w = strlen("Gateway");
	l->src_w = strlen("Source");
	l->grp_w = strlen("Group");
	if (count > AMT_LISTING_SLICE) {
		/* IPv6 keys sort after IPv4's: the last tunnel tells. */
		t = amt_relay_tunnel_last(relay);
		l->gw_w = l->src_w = l->grp_w = t && t->gw.sa.sa_family == AF_INET6
							? AMT_LISTING_IPV6_W
							: AMT_LISTING_IPV4_W;
		return;
	}
	for (t = amt_listing_next(l, relay); t; t = amt_listing_next(l, relay)) {
		sockunion2str(&t->gw, addr, sizeof(addr));
		l->gw_w = MAX(l->gw_w, (int)strlen(addr));
		if (l->detail)
			amt_tunnel_flow_each(t, amt_flow_measure, l);
		l->cursor = t->gw;
		l->have_cursor = true;
	}
	l->have_cursor = false;
}

static void amt_listing_relay_header(struct vty *vty, struct amt_listing *l,
				     struct amt_instance *inst)
{
	struct amt_relay *relay = inst->relay;
	uint32_t count = amt_relay_tunnel_count(relay);
	struct amt_tunnel *t;

	if (l->json) {
		vty_out(vty, "%s\"%s\":{\"tunnels\":[", l->relays ? "," : "", inst->name);
		l->in_list = 0;
		return;
	}
	if (l->relays)
		vty_out(vty, "\n");
	amt_listing_widths(l, relay, count);
	if (l->by_gw) {
		count = 0;
		for (t = amt_listing_next(l, relay); t; t = amt_relay_tunnel_next_of_addr(relay, t))
			count++;
		vty_out(vty, "AMT relay %s: %u tunnel(s) of gateway %pSU\n", inst->name, count,
			&l->gw);
	} else {
		vty_out(vty, "AMT relay %s: %u tunnel(s)\n", inst->name, count);
	}
	vty_out(vty, " %-*s  %5s  %8s  %6s  %7s  %7s  %12s\n", l->gw_w, "Gateway", "Port", "Uptime",
		"Groups", "Sources", "Updates", "Data packets");
}

/* A slice of the tunnels (or of their flows); true at the relay's last. */
static bool amt_listing_relay_slice(struct vty *vty, struct amt_listing *l, struct amt_relay *relay)
{
	uint64_t now = amt_now_ms();
	unsigned int cost = 0;
	char addr[INET6_ADDRSTRLEN];
	struct amt_flow_text ft = { .vty = vty, .l = l, .gw = addr };
	struct amt_tunnel *t;

	while (cost < AMT_LISTING_SLICE) {
		t = amt_listing_next(l, relay);
		if (!t)
			return true;
		if (l->json) {
			cost += amt_listing_tunnel_json(vty, l, t, now);
		} else if (l->phase == AMT_LISTING_TUNNELS) {
			amt_listing_tunnel_text(vty, l, t, now);
			cost++;
		} else {
			sockunion2str(&t->gw, addr, sizeof(addr));
			ft.port = amt_tunnel_port(t);
			cost += 1 + amt_tunnel_flow_each(t, amt_flow_text, &ft);
		}
		l->cursor = t->gw;
		l->have_cursor = true;
	}
	return false;
}

/* ------------------------------------------------------------ the listing */

/* The next relay the listing shows, after the one printed last. */
static struct amt_instance *amt_listing_next_relay(struct amt_listing *l)
{
	struct amt_instance *inst;

	frr_each_amt_instance(inst)
	{
		if (!inst->relay || (l->only[0] && strcmp(l->only, inst->name)))
			continue;
		if (l->relay[0] && strcmp(inst->name, l->relay) <= 0)
			continue;
		return inst;
	}
	return NULL;
}

static bool amt_listing_print(struct vty *vty, void *arg)
{
	struct amt_listing *l = arg;
	struct amt_instance *inst;

	for (;;) {
		if (l->phase == AMT_LISTING_RELAY) {
			inst = amt_listing_next_relay(l);
			if (!inst) {
				if (l->json)
					vty_out(vty, "}\n");
				return true;
			}
			strlcpy(l->relay, inst->name, sizeof(l->relay));
			l->have_cursor = false;
			amt_listing_relay_header(vty, l, inst);
			l->relays++;
			l->phase = AMT_LISTING_TUNNELS;
		}
		/* The relay may have gone (deconfigured) between slices. */
		inst = amt_instance_find(l->relay);
		if (!inst || !inst->relay) {
			l->phase = AMT_LISTING_END;
		} else if (l->phase == AMT_LISTING_TUNNELS || l->phase == AMT_LISTING_FLOWS) {
			if (!amt_listing_relay_slice(vty, l, inst->relay))
				return false;
			if (l->phase == AMT_LISTING_TUNNELS && l->detail && !l->json) {
				vty_out(vty, "\nFlows of the tunnels\n");
				vty_out(vty, " %-*s  %5s  %-*s  %s\n", l->gw_w, "Gateway", "Port",
					l->src_w, "Source", "Group");
				l->have_cursor = false;
				l->phase = AMT_LISTING_FLOWS;
				continue;
			}
			l->phase = AMT_LISTING_END;
		}
		if (l->json)
			vty_out(vty, "]}");
		l->phase = AMT_LISTING_RELAY;
	}
}

static void amt_listing_free(void *arg)
{
	XFREE(MTYPE_AMT_LISTING, arg);
}

int amt_show_relay_tunnels(struct vty *vty, const char *name, bool json, bool detail,
			   const union sockunion *gw)
{
	struct amt_listing *l = XCALLOC(MTYPE_AMT_LISTING, sizeof(*l));

	if (name)
		strlcpy(l->only, name, sizeof(l->only));
	l->json = json;
	l->detail = detail;
	if (gw) {
		l->by_gw = true;
		l->gw = *gw;
	}
	if (json)
		vty_out(vty, "{");
	return amt_vty_sliced(vty, amt_listing_print, amt_listing_free, l);
}
