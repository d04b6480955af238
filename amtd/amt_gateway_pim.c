// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The gateway as pimd's PIM neighbor on its pseudo-interface (see
 * amt_gateway_pim.h): Hellos out, Join/Prune in, socket memberships.
 */
#include <zebra.h>

#include <netinet/in.h>

#include "lib/frrevent.h"
#include "lib/if.h"
#include "lib/jhash.h"
#include "lib/memory.h"
#include "lib/network.h"
#include "lib/typesafe.h"

#include "amt_debug.h"
#include "amt_errors.h"
#include "amt_gateway.h"
#include "amt_gateway_pim.h"
#include "amt_memory.h"
#include "amt_pim.h"
#include "amt_relay.h"
#include "amtd.h"

DEFINE_MTYPE_STATIC(AMTD, AMT_GW_PIM, "AMT gateway PIM neighbor");
DEFINE_MTYPE_STATIC(AMTD, AMT_GW_PIM_JOIN, "AMT gateway PIM join");

/* RFC 7761 defaults: Hello_Period 30 s, Hello holdtime 3.5 periods. */
#define AMT_GW_PIM_HELLO_S    30
#define AMT_GW_PIM_HOLDTIME_S 105
/* Joins expire at this resolution; pimd refreshes them every 60 s. */
#define AMT_GW_PIM_TICK_S 10
/* At most one triggered Hello per second in answer to pimd's. */
#define AMT_GW_PIM_TRIGGER_MS 1000
/*
 * A new neighbor address is announced this many more times, a second
 * apart: the first Hello is lost when pimd's interface is still coming up
 * (amtd restarted on a pseudo-interface pimd had), and pimd would then
 * learn of the neighbor only at the next periodic Hello, 30 s later.
 */
#define AMT_GW_PIM_STARTUP_HELLOS 3
/*
 * Memberships held for pimd, at most: each is a socket, and LAN hosts (via
 * pimd) must not be able to exhaust amtd's file descriptors.
 */
#define AMT_GW_PIM_MAX_JOINS 1000
/* A fixed link-local address for the IPv6 neighbor: fe80::2268. */
#define AMT_GW_PIM_LL_LAST 0x2268

PREDECL_HASH(amt_gw_joins);

struct amt_gw_join {
	struct amt_gw_joins_item item;
	uint8_t family;
	/* All-zero for (*,G). */
	union amt_ip source;
	union amt_ip group;
	/* The socket holding the membership on the pseudo-interface. */
	int fd;
	/* 0: held until pruned. */
	uint64_t expires_ms;
};

static int amt_gw_join_cmp(const struct amt_gw_join *a, const struct amt_gw_join *b)
{
	int r;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	r = memcmp(&a->group, &b->group, sizeof(a->group));
	if (r)
		return r;
	return memcmp(&a->source, &b->source, sizeof(a->source));
}

static uint32_t amt_gw_join_hash(const struct amt_gw_join *j)
{
	return jhash(&j->group, sizeof(j->group), jhash(&j->source, sizeof(j->source), j->family));
}

DECLARE_HASH(amt_gw_joins, struct amt_gw_join, item, amt_gw_join_cmp, amt_gw_join_hash);

struct amt_gw_pim {
	struct amt_gateway *gw;
	/* Neighbor address per family, valid when have_v4 / have_v6. */
	struct in_addr nbr4;
	bool have_v4;
	bool have_v6;
	uint32_t generation_id;
	unsigned int ticks;
	uint64_t last_hello_ms;
	struct event *t_tick;
	unsigned int startup_hellos; /* still to send, one a second */
	struct event *t_startup;
	struct amt_gw_joins_head joins;
	struct amt_gw_pim_stats stats;
};

static size_t amt_gw_pim_alen(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

static void amt_gw_pim_ll(union amt_ip *a)
{
	memset(a, 0, sizeof(*a));
	a->bytes[0] = 0xfe;
	a->bytes[1] = 0x80;
	a->bytes[14] = AMT_GW_PIM_LL_LAST >> 8;
	a->bytes[15] = AMT_GW_PIM_LL_LAST & 0xff;
}

bool amt_gw_pim_neighbor(const struct amt_gw_pim *pim, int family, union amt_ip *addr)
{
	memset(addr, 0, sizeof(*addr));
	if (family == AF_INET && pim->have_v4) {
		addr->v4 = pim->nbr4;
		return true;
	}
	if (family == AF_INET6 && pim->have_v6) {
		amt_gw_pim_ll(addr);
		return true;
	}
	return false;
}

/*
 * The IPv4 neighbor is the other end of the pseudo-interface's subnet: the
 * peer of a point-to-point address, the other address of a /31, else the
 * subnet's first host address that is not the interface's own.
 */
static bool amt_gw_pim_pick_v4(struct interface *ifp, struct in_addr *out)
{
	struct connected *c;

	frr_each (if_connected, ifp->connected, c) {
		const struct prefix *p = c->address;
		uint32_t own, mask, cand;

		if (p->family != AF_INET)
			continue;
		if (CONNECTED_PEER(c) && c->destination->prefixlen == IPV4_MAX_BITLEN) {
			*out = c->destination->u.prefix4;
			return true;
		}
		if (p->prefixlen > IPV4_MAX_BITLEN - 1)
			continue;
		own = ntohl(p->u.prefix4.s_addr);
		mask = p->prefixlen ? ~0U << (IPV4_MAX_BITLEN - p->prefixlen) : 0;
		if (p->prefixlen == IPV4_MAX_BITLEN - 1) {
			cand = own ^ 1;
		} else {
			cand = (own & mask) + 1;
			if (cand == own)
				cand++;
		}
		out->s_addr = htonl(cand);
		return true;
	}
	return false;
}

static void amt_gw_pim_write(struct amt_gw_pim *pim, const uint8_t *pkt, ssize_t len)
{
	int fd = pim->gw->inst->tun_fd;

	if (len <= 0 || fd < 0 || write(fd, pkt, len) != len)
		pim->gw->stats.tun_write_errors++;
}

static void amt_gw_pim_hello(struct amt_gw_pim *pim, uint16_t holdtime)
{
	struct amt_pim_hello_params hp = {
		.holdtime = holdtime,
		.dr_priority = 1,
		.generation_id = pim->generation_id,
	};
	uint8_t buf[128];

	if (pim->have_v4) {
		hp.family = AF_INET;
		amt_gw_pim_neighbor(pim, AF_INET, &hp.src);
		amt_gw_pim_write(pim, buf, amt_pim_hello_build(buf, sizeof(buf), &hp));
		pim->stats.tx_hello++;
	}
	if (pim->have_v6) {
		hp.family = AF_INET6;
		amt_gw_pim_neighbor(pim, AF_INET6, &hp.src);
		amt_gw_pim_write(pim, buf, amt_pim_hello_build(buf, sizeof(buf), &hp));
		pim->stats.tx_hello++;
	}
	pim->last_hello_ms = amt_now_ms();
}

/* ---------------------------------------------------------------- joins */

static void amt_gw_pim_sockaddr(struct sockaddr_storage *ss, int family, const union amt_ip *a)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_addr = a->v4;
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = a->v6;
	}
}

static bool amt_gw_pim_is_any(const struct amt_gw_join *j)
{
	static const union amt_ip zero;

	return memcmp(&j->source, &zero, sizeof(zero)) == 0;
}

static void amt_gw_join_addrs(const struct amt_gw_join *j, char *src, char *grp)
{
	if (amt_gw_pim_is_any(j))
		strlcpy(src, "*", INET6_ADDRSTRLEN);
	else
		inet_ntop(j->family, &j->source, src, INET6_ADDRSTRLEN);
	inet_ntop(j->family, &j->group, grp, INET6_ADDRSTRLEN);
}

/* "(S,G)" for logs. */
static const char *amt_gw_join_str(const struct amt_gw_join *j, char *buf, size_t size)
{
	char src[INET6_ADDRSTRLEN], grp[INET6_ADDRSTRLEN];

	amt_gw_join_addrs(j, src, grp);
	snprintf(buf, size, "(%s,%s)", src, grp);
	return buf;
}

/*
 * A socket joined on the pseudo-interface: the host stack merges it with
 * the local listeners' memberships and reports the sum to the relay.  The
 * socket is bound to no port, so no data is queued on it.
 */
static int amt_gw_pim_sock_join(struct amt_gw_pim *pim, const struct amt_gw_join *j)
{
	struct interface *ifp = pim->gw->inst->ifp;
	int level = j->family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
	int fd, rc;

	if (!ifp || ifp->ifindex == IFINDEX_INTERNAL)
		return -1;
	fd = socket(j->family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	if (amt_gw_pim_is_any(j)) {
		struct group_req gr = { .gr_interface = ifp->ifindex };

		amt_gw_pim_sockaddr(&gr.gr_group, j->family, &j->group);
		rc = setsockopt(fd, level, MCAST_JOIN_GROUP, &gr, sizeof(gr));
	} else {
		struct group_source_req gsr = { .gsr_interface = ifp->ifindex };

		amt_gw_pim_sockaddr(&gsr.gsr_group, j->family, &j->group);
		amt_gw_pim_sockaddr(&gsr.gsr_source, j->family, &j->source);
		rc = setsockopt(fd, level, MCAST_JOIN_SOURCE_GROUP, &gsr, sizeof(gsr));
	}
	if (rc < 0) {
		char sg[2 * INET6_ADDRSTRLEN + 4];

		flog_warn(EC_AMT_PIM_JOIN,
			  "AMT gateway %s: cannot join %s on the pseudo-interface: %s",
			  pim->gw->inst->name, amt_gw_join_str(j, sg, sizeof(sg)),
			  safe_strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void amt_gw_pim_join_free(struct amt_gw_pim *pim, struct amt_gw_join *j)
{
	amt_gw_joins_del(&pim->joins, j);
	/* Closing the socket leaves the group: the host stack reports it. */
	if (j->fd >= 0)
		close(j->fd);
	XFREE(MTYPE_AMT_GW_PIM_JOIN, j);
}

static void amt_gw_pim_entry(struct amt_gw_pim *pim, const struct amt_pim_jp *jp,
			     const struct amt_pim_jp_entry *e)
{
	size_t alen = amt_gw_pim_alen(jp->family);
	struct amt_gw_join key = { .family = jp->family }, *j;
	bool wildcard = e->flags & AMT_PIM_SRC_W;
	bool rpt = e->flags & AMT_PIM_SRC_R;

	/*
	 * (S,G,rpt) entries tune the shared tree of another router: nothing
	 * to ask the relay for.  Groups and sources must be single addresses.
	 */
	if ((rpt && !wildcard) || (wildcard && !rpt) || e->group_mask != alen * 8 ||
	    e->source_mask != alen * 8) {
		pim->stats.rx_ignored++;
		return;
	}
	memcpy(key.group.bytes, e->group.bytes, alen);
	if (!wildcard)
		memcpy(key.source.bytes, e->source.bytes, alen);
	j = amt_gw_joins_find(&pim->joins, &key);

	if (!e->join) {
		pim->stats.rx_prune++;
		if (j)
			amt_gw_pim_join_free(pim, j);
		return;
	}
	pim->stats.rx_join++;
	if (!j) {
		if (amt_gw_joins_count(&pim->joins) >= AMT_GW_PIM_MAX_JOINS) {
			pim->stats.join_errors++;
			return;
		}
		j = XCALLOC(MTYPE_AMT_GW_PIM_JOIN, sizeof(*j));
		*j = key;
		j->fd = amt_gw_pim_sock_join(pim, j);
		if (j->fd < 0) {
			pim->stats.join_errors++;
			XFREE(MTYPE_AMT_GW_PIM_JOIN, j);
			return;
		}
		amt_gw_joins_add(&pim->joins, j);
		if (DEBUG_MODE_CHECK(&amt_dbg_events, DEBUG_MODE_ALL)) {
			char sg[2 * INET6_ADDRSTRLEN + 4];

			zlog_debug("AMT gateway %s: pimd joins %s", pim->gw->inst->name,
				   amt_gw_join_str(j, sg, sizeof(sg)));
		}
	}
	j->expires_ms = jp->holdtime == 0xffff ? 0 : amt_now_ms() + jp->holdtime * 1000ULL;
}

static void amt_gw_pim_join_prune(struct amt_gw_pim *pim, const struct amt_pim_msg *m)
{
	struct amt_pim_jp_entry e;
	struct amt_pim_jp jp;
	union amt_ip nbr;
	enum amt_pim_error err;

	err = amt_pim_jp_decode(m, &jp);
	if (err != AMT_PIM_OK) {
		pim->stats.rx_bad++;
		DEBUGD(&amt_dbg_packets, "AMT gateway %s: bad Join/Prune from pimd: %s",
		       pim->gw->inst->name, amt_pim_error_str(err));
		return;
	}
	if (!amt_gw_pim_neighbor(pim, jp.family, &nbr) ||
	    memcmp(nbr.bytes, jp.upstream.bytes, amt_gw_pim_alen(jp.family))) {
		pim->stats.rx_ignored++;
		return;
	}
	while (amt_pim_jp_next(&jp, &e))
		amt_gw_pim_entry(pim, &jp, &e);
}

bool amt_gw_pim_input(struct amt_gw_pim *pim, const uint8_t *pkt, size_t len)
{
	struct amt_pim_msg m;
	enum amt_pim_error err = amt_pim_parse(pkt, len, &m);

	/* Not recognisably PIM: the report path judges it. */
	if (err == AMT_PIM_ERR_NOT_PIM || err == AMT_PIM_ERR_BAD_IP_HEADER ||
	    err == AMT_PIM_ERR_BAD_LENGTH || err == AMT_PIM_ERR_IP_CHECKSUM)
		return false;
	if (err != AMT_PIM_OK) {
		pim->stats.rx_bad++;
		DEBUGD(&amt_dbg_packets, "AMT gateway %s: bad PIM packet from pimd: %s",
		       pim->gw->inst->name, amt_pim_error_str(err));
		return true;
	}
	if (m.type == AMT_PIM_TYPE_HELLO) {
		/* A new or restarted pimd learns of us at once. */
		pim->stats.rx_hello++;
		if (amt_now_ms() - pim->last_hello_ms >= AMT_GW_PIM_TRIGGER_MS)
			amt_gw_pim_hello(pim, AMT_GW_PIM_HOLDTIME_S);
	} else if (m.type == AMT_PIM_TYPE_JOIN_PRUNE) {
		amt_gw_pim_join_prune(pim, &m);
	}
	return true;
}

static void amt_gw_pim_tick(struct event *event)
{
	struct amt_gw_pim *pim = EVENT_ARG(event);
	uint64_t now = amt_now_ms();
	struct amt_gw_join *j;

	frr_each_safe (amt_gw_joins, &pim->joins, j) {
		if (j->expires_ms && j->expires_ms <= now) {
			pim->stats.expired++;
			amt_gw_pim_join_free(pim, j);
		}
	}
	if (++pim->ticks % (AMT_GW_PIM_HELLO_S / AMT_GW_PIM_TICK_S) == 0)
		amt_gw_pim_hello(pim, AMT_GW_PIM_HOLDTIME_S);
	event_add_timer(master, amt_gw_pim_tick, pim, AMT_GW_PIM_TICK_S, &pim->t_tick);
}

static void amt_gw_pim_startup_hello(struct event *event)
{
	struct amt_gw_pim *pim = EVENT_ARG(event);

	amt_gw_pim_hello(pim, AMT_GW_PIM_HOLDTIME_S);
	if (--pim->startup_hellos)
		event_add_timer(master, amt_gw_pim_startup_hello, pim, 1, &pim->t_startup);
}

void amt_gw_pim_refresh(struct amt_gw_pim *pim)
{
	struct interface *ifp = pim->gw->inst->ifp;
	bool had_v4 = pim->have_v4, had_v6 = pim->have_v6;
	struct in_addr old = pim->nbr4;

	pim->have_v4 = ifp && amt_gw_pim_pick_v4(ifp, &pim->nbr4);
	pim->have_v6 = ifp != NULL;
	if (had_v4 != pim->have_v4 || had_v6 != pim->have_v6 || old.s_addr != pim->nbr4.s_addr) {
		DEBUGD(&amt_dbg_events, "AMT gateway %s: PIM neighbor %pI4%s%s",
		       pim->gw->inst->name, &pim->nbr4, pim->have_v4 ? "" : " (none)",
		       pim->have_v6 ? " and fe80::2268" : "");
		amt_gw_pim_hello(pim, AMT_GW_PIM_HOLDTIME_S);
		pim->startup_hellos = AMT_GW_PIM_STARTUP_HELLOS;
		event_add_timer(master, amt_gw_pim_startup_hello, pim, 1, &pim->t_startup);
	}
}

struct amt_gw_pim *amt_gw_pim_new(struct amt_gateway *gw)
{
	struct amt_gw_pim *pim = XCALLOC(MTYPE_AMT_GW_PIM, sizeof(*pim));

	pim->gw = gw;
	amt_gw_joins_init(&pim->joins);
	pim->generation_id = frr_weak_random();
	amt_gw_pim_refresh(pim);
	event_add_timer(master, amt_gw_pim_tick, pim, AMT_GW_PIM_TICK_S, &pim->t_tick);
	return pim;
}

void amt_gw_pim_free(struct amt_gw_pim **pimp)
{
	struct amt_gw_pim *pim = *pimp;
	struct amt_gw_join *j;

	if (!pim)
		return;
	/* Holdtime 0: pimd drops the neighbor now rather than in 105 s. */
	amt_gw_pim_hello(pim, 0);
	EVENT_OFF(pim->t_tick);
	EVENT_OFF(pim->t_startup);
	frr_each_safe (amt_gw_joins, &pim->joins, j)
		amt_gw_pim_join_free(pim, j);
	amt_gw_joins_fini(&pim->joins);
	XFREE(MTYPE_AMT_GW_PIM, *pimp);
}

/*
 * The pseudo-interface was deleted: the kernel dropped the memberships the
 * joins held on it.  Forget them; pimd's next periodic Join makes them anew
 * on the new device.
 */
void amt_gw_pim_tun_lost(struct amt_gw_pim *pim)
{
	struct amt_gw_join *j;

	frr_each_safe (amt_gw_joins, &pim->joins, j)
		amt_gw_pim_join_free(pim, j);
}

unsigned int amt_gw_pim_join_count(const struct amt_gw_pim *pim)
{
	return amt_gw_joins_count(&pim->joins);
}

const struct amt_gw_pim_stats *amt_gw_pim_stats(const struct amt_gw_pim *pim)
{
	return &pim->stats;
}

void amt_gw_pim_show(const struct amt_gw_pim *pim, struct vty *vty, json_object *json)
{
	char nbr4[INET6_ADDRSTRLEN] = "", nbr6[INET6_ADDRSTRLEN] = "";
	char src[INET6_ADDRSTRLEN], grp[INET6_ADDRSTRLEN];
	json_object *jo = json_object_new_object(), *list = json_object_new_array();
	const struct amt_gw_join *j;
	union amt_ip addr;

	if (amt_gw_pim_neighbor(pim, AF_INET, &addr))
		inet_ntop(AF_INET, &addr, nbr4, sizeof(nbr4));
	if (amt_gw_pim_neighbor(pim, AF_INET6, &addr))
		inet_ntop(AF_INET6, &addr, nbr6, sizeof(nbr6));
	json_object_string_add(jo, "neighbor", nbr4);
	json_object_string_add(jo, "neighborIpv6", nbr6);
	json_object_int_add(jo, "joinCount", amt_gw_pim_join_count(pim));
	json_object_int_add(jo, "sentHello", pim->stats.tx_hello);
	json_object_int_add(jo, "receivedHello", pim->stats.rx_hello);
	json_object_int_add(jo, "receivedJoin", pim->stats.rx_join);
	json_object_int_add(jo, "receivedPrune", pim->stats.rx_prune);
	json_object_int_add(jo, "ignored", pim->stats.rx_ignored);
	json_object_int_add(jo, "malformed", pim->stats.rx_bad);
	json_object_int_add(jo, "joinErrors", pim->stats.join_errors);
	json_object_int_add(jo, "expired", pim->stats.expired);
	frr_each (amt_gw_joins_const, &pim->joins, j) {
		json_object *e = json_object_new_object();

		amt_gw_join_addrs(j, src, grp);
		json_object_string_add(e, "source", src);
		json_object_string_add(e, "group", grp);
		json_object_array_add(list, e);
	}
	json_object_object_add(jo, "joins", list);
	if (json) {
		json_object_object_add(json, "pim", jo);
		return;
	}
	/* The same as the JSON, like the gateway's counters. */
	vty_out(vty, "  PIM neighbor of pimd:\n%s\n",
		json_object_to_json_string_ext(jo, JSON_C_TO_STRING_PRETTY));
	json_object_free(jo);
}
