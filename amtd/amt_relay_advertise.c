// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AMT relay fleets: advertise the anycast Relay Discovery Address (RFC 7450
 * section 4.1.2.1) only while the relay is healthy.  See
 * amt_relay_advertise.h; the health rules are in amt_relay_health.c.
 *
 * Two things make the address live on this router while advertised:
 *  - a host route of type amt in zebra's unicast RIB through the
 *    pseudo-interface, which the operator's "redistribute amt" in ospfd,
 *    ospf6d or bgpd announces, and withdraws when amtd removes it;
 *  - a local route in the kernel's local table, so that Relay Discovery
 *    sent to the address is delivered to the relay's socket (bound with
 *    IP_FREEBIND) instead of being forwarded.  zebra does not read the local
 *    table, so this route does not hide the amt route from redistribution.
 */
#include <zebra.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "lib/frrevent.h"
#include "lib/log.h"
#include "lib/memory.h"
#include "lib/privs.h"

#include "amtd.h"
#include "amt_debug.h"
#include "amt_errors.h"
#include "amt_igmp.h"
#include "amt_memory.h"
#include "amt_nb.h"
#include "amt_relay.h"
#include "amt_relay_advertise.h"
#include "amt_relay_health.h"
#include "amt_vty.h"
#include "amt_zebra.h"

DEFINE_MTYPE_STATIC(AMTD, AMT_RELAY_ADV, "AMT relay anycast advertisement");

/* A health prefix and what zebra's nexthop tracking says of it. */
struct amt_adv_nht {
	struct prefix p;
	bool registered;
	bool known;
	uint32_t nexthops;
};

struct amt_relay_adv {
	struct amt_relay *relay;
	struct amt_health_state st;
	/* The failing conditions of the last evaluation (no hold-down bit). */
	uint32_t failing;

	/* Per family [IPv4, IPv6]: what is installed, to remove it again. */
	struct amt_ipaddr route[2]; /* zebra's amt route; family 0: none */
	ifindex_t route_ifindex[2];
	struct amt_ipaddr local[2]; /* the kernel's local route */
	ifindex_t local_ifindex[2];

	struct amt_adv_nht nht[AMT_HEALTH_MAX_PREFIXES];
	uint32_t nnht;

	/* pimd's last query on the pseudo-interface and what it announced. */
	uint64_t query_ms;
	uint8_t query_qrv;
	uint32_t query_qqi;
	uint32_t query_max_resp_ms;
	uint64_t queries;

	struct event *t_eval;
};

/* Seconds between evaluations: pimd's query age and the load change alone. */
#define AMT_ADV_EVAL_S 1

static void amt_adv_evaluate(struct amt_relay_adv *adv);

/* ------------------------------------------------------------ kernel */

/*
 * Add or remove "local ADDR dev IFINDEX table local": the kernel delivers
 * packets to ADDR to local sockets.  Returns 0 or an errno.
 */
static int amt_adv_local_route(const struct amt_ipaddr *a, ifindex_t ifindex, bool add)
{
	struct {
		struct nlmsghdr n;
		struct rtmsg r;
		char attrs[64];
	} req = {};
	struct {
		struct nlmsghdr n;
		struct nlmsgerr e;
		char more[256];
	} ans;
	struct sockaddr_nl snl = { .nl_family = AF_NETLINK };
	size_t alen = a->family == AF_INET ? 4 : 16;
	struct rtattr *rta;
	int fd, err = 0;
	ssize_t n;

	req.n.nlmsg_len = NLMSG_LENGTH(sizeof(req.r));
	req.n.nlmsg_type = add ? RTM_NEWROUTE : RTM_DELROUTE;
	req.n.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_REPLACE : 0);
	req.n.nlmsg_seq = 1;
	req.r.rtm_family = a->family;
	req.r.rtm_dst_len = alen * 8;
	req.r.rtm_table = RT_TABLE_LOCAL;
	req.r.rtm_protocol = RTPROT_STATIC;
	req.r.rtm_scope = RT_SCOPE_HOST;
	req.r.rtm_type = RTN_LOCAL;

	rta = (struct rtattr *)((char *)&req + NLMSG_ALIGN(req.n.nlmsg_len));
	rta->rta_type = RTA_DST;
	rta->rta_len = RTA_LENGTH(alen);
	memcpy(RTA_DATA(rta), &a->ip, alen);
	req.n.nlmsg_len = NLMSG_ALIGN(req.n.nlmsg_len) + RTA_ALIGN(rta->rta_len);

	rta = (struct rtattr *)((char *)&req + NLMSG_ALIGN(req.n.nlmsg_len));
	rta->rta_type = RTA_OIF;
	rta->rta_len = RTA_LENGTH(sizeof(uint32_t));
	memcpy(RTA_DATA(rta), &(uint32_t){ ifindex }, sizeof(uint32_t));
	req.n.nlmsg_len = NLMSG_ALIGN(req.n.nlmsg_len) + RTA_ALIGN(rta->rta_len);

	frr_with_privs (&amtd_privs) {
		fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
		if (fd < 0) {
			err = errno;
			break;
		}
		if (sendto(fd, &req, req.n.nlmsg_len, 0, (struct sockaddr *)&snl, sizeof(snl)) < 0)
			err = errno;
	}
	if (fd < 0)
		return err;
	if (!err) {
		n = recv(fd, &ans, sizeof(ans), 0);
		/* The answer is the kernel's, still checked before it is read. */
		if (n < 0)
			err = errno;
		else if ((size_t)n < NLMSG_LENGTH(sizeof(struct nlmsgerr)) ||
			 ans.n.nlmsg_type != NLMSG_ERROR)
			err = EPROTO;
		else
			err = -ans.e.error;
	}
	close(fd);
	/* Removing what is already gone is fine. */
	if (!add && (err == ESRCH || err == ENOENT))
		err = 0;
	return err;
}

/* ------------------------------------------------------------ install */

static bool amt_adv_addr_same(const struct amt_ipaddr *a, const struct amt_ipaddr *b)
{
	return a->family == b->family &&
	       !memcmp(&a->ip, &b->ip, a->family == AF_INET ? sizeof(a->ip.v4) : sizeof(a->ip.v6));
}

static void amt_adv_host_prefix(const struct amt_ipaddr *a, struct prefix *p)
{
	memset(p, 0, sizeof(*p));
	p->family = a->family;
	if (a->family == AF_INET) {
		p->prefixlen = IPV4_MAX_BITLEN;
		p->u.prefix4 = a->ip.v4;
	} else {
		p->prefixlen = IPV6_MAX_BITLEN;
		p->u.prefix6 = a->ip.v6;
	}
}

static void amt_adv_route_del(struct amt_relay_adv *adv, int i)
{
	struct prefix p;

	if (!adv->route[i].family)
		return;
	amt_adv_host_prefix(&adv->route[i], &p);
	amt_zebra_anycast_route(&p, adv->route_ifindex[i], false);
	zlog_info("AMT relay %s: anycast discovery address %pFX withdrawn", adv->relay->inst->name,
		  &p);
	adv->route[i].family = 0;
}

static void amt_adv_local_del(struct amt_relay_adv *adv, int i)
{
	int err;

	if (!adv->local[i].family)
		return;
	err = amt_adv_local_route(&adv->local[i], adv->local_ifindex[i], false);
	if (err)
		flog_warn(EC_AMT_ANYCAST_ROUTE,
			  "AMT relay %s: cannot remove the local route of the discovery address: %s",
			  adv->relay->inst->name, safe_strerror(err));
	adv->local[i].family = 0;
}

/*
 * Make what is installed match what should be: for each family with a
 * discovery address, while advertised, the local route first (so the first
 * Discovery drawn by the route finds the socket) and then zebra's route;
 * removed in the other order.
 */
static void amt_adv_sync(struct amt_relay_adv *adv)
{
	struct amt_relay *relay = adv->relay;
	struct amt_instance *inst = relay->inst;
	ifindex_t ifindex = inst->ifp ? inst->ifp->ifindex : IFINDEX_INTERNAL;

	for (int i = 0; i < 2; i++) {
		const struct amt_ipaddr *want = &relay->cfg.discovery[i];
		bool on = relay->cfg.health.advertise && adv->st.advertised && want->family &&
			  ifindex != IFINDEX_INTERNAL;
		struct prefix p;
		int err;

		if (adv->route[i].family &&
		    (!on || !amt_adv_addr_same(&adv->route[i], want) ||
		     adv->route_ifindex[i] != ifindex))
			amt_adv_route_del(adv, i);
		if (adv->local[i].family &&
		    (!on || !amt_adv_addr_same(&adv->local[i], want) ||
		     adv->local_ifindex[i] != ifindex))
			amt_adv_local_del(adv, i);
		if (!on)
			continue;
		if (!adv->local[i].family) {
			err = amt_adv_local_route(want, ifindex, true);
			if (err)
				flog_err(EC_AMT_ANYCAST_ROUTE,
					 "AMT relay %s: cannot add a local route for the discovery address: %s",
					 inst->name, safe_strerror(err));
			else {
				adv->local[i] = *want;
				adv->local_ifindex[i] = ifindex;
			}
		}
		if (!adv->route[i].family && amt_zebra_is_connected()) {
			amt_adv_host_prefix(want, &p);
			if (amt_zebra_anycast_route(&p, ifindex, true)) {
				adv->route[i] = *want;
				adv->route_ifindex[i] = ifindex;
				zlog_info("AMT relay %s: anycast discovery address %pFX advertised",
					  inst->name, &p);
			} else {
				flog_err(EC_AMT_ANYCAST_ROUTE,
					 "AMT relay %s: cannot send the route of %pFX to zebra",
					 inst->name, &p);
			}
		}
	}
}

/* ------------------------------------------------------------ health */

static uint32_t amt_adv_reachable(const struct amt_relay_adv *adv)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < adv->nnht; i++)
		if (adv->nht[i].known && adv->nht[i].nexthops > 0)
			n++;
	return n;
}

static void amt_adv_input(const struct amt_relay_adv *adv, uint64_t now,
			  struct amt_health_input *in)
{
	const struct amt_relay *relay = adv->relay;
	const struct amt_instance *inst = relay->inst;

	memset(in, 0, sizeof(*in));
	in->pseudo_if = inst->tun_fd >= 0 && inst->ifp && if_is_up(inst->ifp);
	in->zebra = amt_zebra_is_connected();
	in->pim_serving = amt_health_pim_serving(adv->query_ms, adv->query_qrv, adv->query_qqi,
						 adv->query_max_resp_ms, now);
	in->nprefixes = adv->nnht;
	in->reachable = amt_adv_reachable(adv);
	in->tunnels = amt_relay_tunnel_count(relay);
	in->tunnel_limit = relay->cfg.tunnel_limit;
	in->max_load_pct = relay->cfg.health.max_load_pct;
	in->draining = relay->cfg.shutdown;
}

static void amt_adv_timer(struct event *event)
{
	amt_adv_evaluate(EVENT_ARG(event));
}

static void amt_adv_evaluate(struct amt_relay_adv *adv)
{
	struct amt_relay *relay = adv->relay;
	struct amt_health_input in;
	uint64_t now = amt_now_ms(), next;
	char why[128];
	bool changed;

	EVENT_OFF(adv->t_eval);
	if (!relay->cfg.health.advertise) {
		adv->failing = 0;
		amt_adv_sync(adv);
		return;
	}
	amt_adv_input(adv, now, &in);
	adv->failing = amt_health_evaluate(&in);
	changed = amt_health_step(&adv->st, adv->failing, relay->cfg.health.hold_down_s, now,
				  &next);
	if (changed && adv->st.advertised)
		zlog_info("AMT relay %s: healthy, advertising", relay->inst->name);
	else if (changed)
		zlog_info("AMT relay %s: not healthy (%s), withdrawing", relay->inst->name,
			  amt_health_reasons_str(adv->failing, why, sizeof(why)));
	amt_adv_sync(adv);
	event_add_timer(master, amt_adv_timer, adv, AMT_ADV_EVAL_S, &adv->t_eval);
}

bool amt_relay_adv_drains(const struct amt_relay *relay)
{
	const struct amt_relay_adv *adv = relay->adv;

	return adv && relay->cfg.health.advertise &&
	       (adv->failing & ~(uint32_t)(AMT_HEALTH_LOAD | AMT_HEALTH_NO_ZEBRA)) != 0;
}

void amt_relay_adv_pim_query(struct amt_relay *relay, const struct amt_query *q)
{
	struct amt_relay_adv *adv = relay->adv;

	if (!adv)
		return;
	adv->queries++;
	adv->query_ms = amt_now_ms();
	adv->query_qrv = q->qrv;
	adv->query_qqi = q->qqi;
	adv->query_max_resp_ms = q->max_resp_ms;
}

/* ------------------------------------------------------------ NHT */

static bool amt_adv_prefix_tracked_elsewhere(const struct amt_relay_adv *self,
					     const struct prefix *p)
{
	struct amt_instance *inst;

	frr_each_amt_instance (inst) {
		const struct amt_relay_adv *adv = inst->relay ? inst->relay->adv : NULL;

		if (!adv || adv == self)
			continue;
		for (uint32_t i = 0; i < adv->nnht; i++)
			if (adv->nht[i].registered && prefix_same(&adv->nht[i].p, p))
				return true;
	}
	return false;
}

static void amt_adv_nht_sync(struct amt_relay_adv *adv)
{
	const struct amt_health_config *c = &adv->relay->cfg.health;
	struct amt_adv_nht keep[AMT_HEALTH_MAX_PREFIXES] = {};
	uint32_t nkeep = 0;

	/* Wanted: the configured prefixes while advertising is on. */
	for (uint32_t j = 0; c->advertise && j < c->nprefixes; j++) {
		keep[nkeep].p = c->prefixes[j];
		for (uint32_t i = 0; i < adv->nnht; i++)
			if (prefix_same(&adv->nht[i].p, &c->prefixes[j])) {
				keep[nkeep] = adv->nht[i];
				adv->nht[i].registered = false; /* moved */
				break;
			}
		nkeep++;
	}
	for (uint32_t i = 0; i < adv->nnht; i++) {
		if (!adv->nht[i].registered)
			continue;
		adv->nht[i].registered = false;
		if (!amt_adv_prefix_tracked_elsewhere(adv, &adv->nht[i].p))
			amt_zebra_nht(&adv->nht[i].p, false);
	}
	memcpy(adv->nht, keep, sizeof(keep));
	adv->nnht = nkeep;
	for (uint32_t i = 0; i < adv->nnht; i++) {
		if (adv->nht[i].registered || !amt_zebra_is_connected())
			continue;
		adv->nht[i].registered = amt_zebra_nht(&adv->nht[i].p, true);
	}
}

void amt_relay_adv_nht_update(const struct prefix *match, uint32_t nexthops)
{
	struct amt_instance *inst;

	frr_each_amt_instance (inst) {
		struct amt_relay_adv *adv = inst->relay ? inst->relay->adv : NULL;
		bool hit = false;

		if (!adv)
			continue;
		for (uint32_t i = 0; i < adv->nnht; i++) {
			if (!prefix_same(&adv->nht[i].p, match))
				continue;
			DEBUGD(&amt_dbg_zebra, "AMT relay %s: health prefix %pFX: %u nexthops",
			       inst->name, match, nexthops);
			adv->nht[i].known = true;
			adv->nht[i].nexthops = nexthops;
			hit = true;
		}
		if (hit)
			amt_adv_evaluate(adv);
	}
}

void amt_relay_adv_zebra_connected(struct amt_relay *relay)
{
	struct amt_relay_adv *adv = relay->adv;

	if (!adv)
		return;
	/* zebra lost our routes and registrations with the old session. */
	for (int i = 0; i < 2; i++)
		adv->route[i].family = 0;
	for (uint32_t i = 0; i < adv->nnht; i++) {
		adv->nht[i].registered = false;
		adv->nht[i].known = false;
	}
	amt_adv_nht_sync(adv);
	amt_adv_evaluate(adv);
}

/* ------------------------------------------------------------ lifecycle */

void amt_relay_adv_new(struct amt_relay *relay)
{
	struct amt_relay_adv *adv = XCALLOC(MTYPE_AMT_RELAY_ADV, sizeof(*adv));

	adv->relay = relay;
	relay->adv = adv;
}

void amt_relay_adv_free(struct amt_relay *relay)
{
	struct amt_relay_adv *adv = relay->adv;

	if (!adv)
		return;
	EVENT_OFF(adv->t_eval);
	for (int i = 0; i < 2; i++) {
		amt_adv_route_del(adv, i);
		amt_adv_local_del(adv, i);
	}
	/* Registrations no other relay shares. */
	adv->nnht = 0;
	for (uint32_t i = 0; i < AMT_HEALTH_MAX_PREFIXES; i++)
		if (adv->nht[i].registered && !amt_adv_prefix_tracked_elsewhere(adv, &adv->nht[i].p))
			amt_zebra_nht(&adv->nht[i].p, false);
	XFREE(MTYPE_AMT_RELAY_ADV, relay->adv);
}

void amt_relay_adv_reconfigure(struct amt_relay *relay)
{
	struct amt_relay_adv *adv = relay->adv;

	if (!adv)
		return;
	amt_adv_nht_sync(adv);
	if (!relay->cfg.health.advertise) {
		/* Off: nothing installed, and a later "on" starts afresh. */
		memset(&adv->st, 0, sizeof(adv->st));
	}
	amt_adv_evaluate(adv);
}

/* ------------------------------------------------------------ show */

static const char *amt_adv_status_str(const struct amt_relay *relay)
{
	const struct amt_relay_adv *adv = relay->adv;

	if (!relay->cfg.health.advertise)
		return "off";
	if (adv->st.advertised)
		return "advertised";
	return amt_relay_adv_drains(relay) ? "withdrawn, draining" : "withdrawn";
}

void amt_relay_adv_show(const struct amt_relay *relay, json_object *j, struct ttable *tt)
{
	const struct amt_relay_adv *adv = relay->adv;
	const struct amt_health_config *c = &relay->cfg.health;
	uint64_t now = amt_now_ms();
	char why[128], buf[AMT_HEALTH_MAX_PREFIXES * 64];
	size_t used = 0;

	if (!adv)
		return;
	if (j) {
		json_object *a = json_object_new_object(), *arr, *o;

		json_object_boolean_add(a, "enabled", c->advertise);
		json_object_string_add(a, "status", amt_adv_status_str(relay));
		json_object_boolean_add(a, "advertised", c->advertise && adv->st.advertised);
		json_object_boolean_add(a, "drainingForHealth", amt_relay_adv_drains(relay));
		arr = json_object_new_array();
		for (unsigned int b = 0; b < AMT_HEALTH_REASON_COUNT; b++)
			if (adv->st.reasons & (1u << b))
				json_object_array_add(arr, json_object_new_string(
								   amt_health_reason_str(1u << b)));
		json_object_object_add(a, "reasons", arr);
		arr = json_object_new_array();
		for (int i = 0; i < 2; i++) {
			struct prefix p;

			if (!adv->route[i].family)
				continue;
			amt_adv_host_prefix(&adv->route[i], &p);
			json_object_array_add(arr, json_object_new_stringf("%pFX", &p));
		}
		json_object_object_add(a, "installedRoutes", arr);
		arr = json_object_new_array();
		for (uint32_t i = 0; i < adv->nnht; i++) {
			o = json_object_new_object();
			json_object_string_addf(o, "prefix", "%pFX", &adv->nht[i].p);
			json_object_boolean_add(o, "reachable",
						adv->nht[i].known && adv->nht[i].nexthops > 0);
			json_object_int_add(o, "nexthops", adv->nht[i].nexthops);
			json_object_array_add(arr, o);
		}
		json_object_object_add(a, "healthPrefixes", arr);
		json_object_int_add(a, "holdDown", c->hold_down_s);
		json_object_int_add(a, "maxLoadPercent", c->max_load_pct);
		json_object_int_add(a, "pimQueries", adv->queries);
		if (adv->query_ms)
			json_object_int_add(a, "pimQueryAgeMs", now - adv->query_ms);
		json_object_int_add(a, "advertisements", adv->st.advertisements);
		json_object_int_add(a, "withdrawals", adv->st.withdrawals);
		if (adv->st.last_change_ms)
			json_object_int_add(a, "lastChangeAgeMs", now - adv->st.last_change_ms);
		json_object_object_add(j, "advertisement", a);
		return;
	}
	amt_table_row(tt, "Anycast advertisement", "%s", amt_adv_status_str(relay));
	if (!c->advertise)
		return;
	amt_table_row(tt, "Health", "%s",
		      adv->st.reasons ? amt_health_reasons_str(adv->st.reasons, why, sizeof(why))
				      : "healthy");
	buf[0] = '\0';
	for (uint32_t i = 0; i < adv->nnht && used < sizeof(buf); i++) {
		int n = snprintfrr(buf + used, sizeof(buf) - used, "%s%pFX %s", used ? ", " : "",
				   &adv->nht[i].p,
				   !adv->nht[i].known	     ? "(unknown)"
				   : adv->nht[i].nexthops ? "(reachable)"
							  : "(unreachable)");
		if (n < 0)
			break;
		used += n;
	}
	amt_table_row(tt, "Health prefixes", "%s", buf[0] ? buf : "-");
	amt_table_row(tt, "Health hold-down", "%u s", c->hold_down_s);
	amt_table_row(tt, "Health max load", "%u %% of tunnel limit", c->max_load_pct);
	if (adv->query_ms)
		amt_table_row(tt, "Last pimd query", "%" PRIu64 " ms ago", now - adv->query_ms);
	else
		amt_table_row(tt, "Last pimd query", "none");
	amt_table_row(tt, "Advertisements, withdrawals", "%u, %u", adv->st.advertisements,
		      adv->st.withdrawals);
}

const char *amt_relay_adv_state(const struct amt_relay *relay, const char *leaf, char *buf,
				size_t len)
{
	const struct amt_relay_adv *adv = relay->adv;
	size_t used = 0;

	if (!adv)
		return NULL;
	if (!strcmp(leaf, "advertised"))
		return relay->cfg.health.advertise && adv->st.advertised ? "true" : "false";
	if (!strcmp(leaf, "draining-for-health"))
		return amt_relay_adv_drains(relay) ? "true" : "false";
	if (!strcmp(leaf, "advertisements")) {
		snprintf(buf, len, "%u", adv->st.advertisements);
		return buf;
	}
	if (!strcmp(leaf, "withdrawals")) {
		snprintf(buf, len, "%u", adv->st.withdrawals);
		return buf;
	}
	if (!strcmp(leaf, "reasons")) {
		/* YANG bits: names separated by spaces. */
		buf[0] = '\0';
		for (unsigned int b = 0; b < AMT_HEALTH_REASON_COUNT; b++) {
			int n;

			if (!(adv->st.reasons & (1u << b)))
				continue;
			n = snprintf(buf + used, len - used, "%s%s", used ? " " : "",
				     amt_health_reason_str(1u << b));
			if (n < 0 || (size_t)n >= len - used)
				break;
			used += n;
		}
		return buf;
	}
	return NULL;
}

/* XPath: /frr-amtd:amtd/relay/advertisement/<leaf> */
struct yang_data *amtd_relay_advertisement_get_elem(struct nb_cb_get_elem_args *args)
{
	const struct amt_instance *inst = args->list_entry;
	const char *leaf = strrchr(args->xpath, '/');
	const char *val;
	char buf[160];

	if (!inst->relay || !leaf)
		return NULL;
	val = amt_relay_adv_state(inst->relay, leaf + 1, buf, sizeof(buf));
	return val ? yang_data_new(args->xpath, val) : NULL;
}
