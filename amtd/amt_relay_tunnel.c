// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AMT relay tunnels: the table of gateways' tunnels (keyed by address and
 * port), their membership, and one relay-wide timer that serves their
 * membership expiries from a heap, earliest first.
 */
#include <zebra.h>

#include "lib/frrevent.h"
#include "lib/jhash.h"
#include "lib/memory.h"

#include "amtd.h"
#include "amt_debug.h"
#include "amt_memory.h"
#include "amt_relay.h"
#include "amt_relay_persist.h"

DEFINE_MTYPE_STATIC(AMTD, AMT_TUNNEL, "AMT relay tunnel");

static uint16_t amt_su_port(const union sockunion *su)
{
	return ntohs(su->sa.sa_family == AF_INET ? su->sin.sin_port : su->sin6.sin6_port);
}

/* Family, then address (network order, i.e. numeric), without the port. */
static int amt_su_addr_cmp(const union sockunion *a, const union sockunion *b)
{
	if (a->sa.sa_family != b->sa.sa_family)
		return numcmp(a->sa.sa_family, b->sa.sa_family);
	if (a->sa.sa_family == AF_INET)
		return memcmp(&a->sin.sin_addr, &b->sin.sin_addr, sizeof(a->sin.sin_addr));
	return memcmp(&a->sin6.sin6_addr, &b->sin6.sin6_addr, sizeof(a->sin6.sin6_addr));
}

/*
 * The northbound's key order: family, address, port.  Also the hash's
 * equality: sockunion_cmp() ignores the port.
 */
static int amt_tunnel_key_cmp(const struct amt_tunnel *a, const struct amt_tunnel *b)
{
	int r = amt_su_addr_cmp(&a->gw, &b->gw);

	if (r)
		return r;
	return numcmp(amt_su_port(&a->gw), amt_su_port(&b->gw));
}

static uint32_t amt_tunnel_hash(const struct amt_tunnel *t)
{
	if (t->gw.sa.sa_family == AF_INET)
		return jhash_2words(t->gw.sin.sin_addr.s_addr, t->gw.sin.sin_port, 0xa3d);
	return jhash(&t->gw.sin6.sin6_addr, sizeof(t->gw.sin6.sin6_addr), t->gw.sin6.sin6_port);
}

DECLARE_HASH(amt_tunnels, struct amt_tunnel, item, amt_tunnel_key_cmp, amt_tunnel_hash);

DECLARE_RBTREE_UNIQ(amt_tunnels_sorted, struct amt_tunnel, sorted_item, amt_tunnel_key_cmp);

static int amt_expiry_cmp(const struct amt_tunnel *a, const struct amt_tunnel *b)
{
	return numcmp(a->expiry_ms, b->expiry_ms);
}

DECLARE_HEAP(amt_expiry, struct amt_tunnel, exp_item, amt_expiry_cmp);

/* Tunnels whose timers are served per expiry event, at most. */
#define AMT_RELAY_EXPIRE_BATCH 1024

void amt_relay_membership_params(const struct amt_relay *relay, struct amt_membership_params *p)
{
	amt_membership_params_default(p);
	p->query_interval_ms = relay->cfg.query_interval_s * 1000;
	p->query_response_interval_ms = relay->cfg.query_response_interval_s * 1000;
	p->robustness = relay->cfg.robustness;
	p->max_groups = relay->cfg.group_limit;
	p->max_sources = relay->cfg.source_limit;
}

static void amt_relay_expire(struct event *event);

/* Make sure the relay's timer fires by the earliest expiry. */
void amt_relay_expiry_arm(struct amt_relay *relay, uint64_t now)
{
	struct amt_tunnel *first = amt_expiry_first(&relay->expiry);

	if (!first) {
		EVENT_OFF(relay->t_expire);
		return;
	}
	if (relay->t_expire && relay->expire_at_ms <= first->expiry_ms)
		return;
	EVENT_OFF(relay->t_expire);
	relay->expire_at_ms = first->expiry_ms;
	event_add_timer_msec(master, amt_relay_expire, relay,
			     first->expiry_ms > now ? first->expiry_ms - now : 0, &relay->t_expire);
}

static void amt_tunnel_unqueue(struct amt_tunnel *t)
{
	if (!t->exp_queued)
		return;
	amt_expiry_del(&t->relay->expiry, t);
	t->exp_queued = false;
}

struct amt_tunnel *amt_tunnel_find(struct amt_relay *relay, const union sockunion *gw)
{
	struct amt_tunnel key = {};

	key.gw = *gw;
	return amt_tunnels_find(&relay->tunnels, &key);
}

struct amt_tunnel *amt_tunnel_new(struct amt_relay *relay, const union sockunion *gw,
				  struct amt_relay_socket *sock, uint64_t now)
{
	struct amt_membership_params params;
	struct amt_tunnel *t;

	t = XCALLOC(MTYPE_AMT_TUNNEL, sizeof(*t));
	t->relay = relay;
	t->gw = *gw;
	t->sock = sock;
	t->created_ms = now;
	t->fi = amt_flow_index_tunnel_add(relay->index, t);
	amt_relay_membership_params(relay, &params);
	t->memb = amt_membership_new(&params, amt_flow_index_membership_cb, t->fi);
	amt_tunnels_add(&relay->tunnels, t);
	amt_tunnels_sorted_add(&relay->tunnels_sorted, t);
	DEBUGD(&amt_dbg_events, "AMT relay %s: tunnel to %pSU created", relay->inst->name, gw);
	return t;
}

/* Remove a tunnel and everything it contributed to the union. */
void amt_tunnel_free(struct amt_tunnel *t)
{
	struct amt_relay *relay = t->relay;

	DEBUGD(&amt_dbg_events, "AMT relay %s: tunnel to %pSU removed", relay->inst->name, &t->gw);
	amt_relay_persist_tunnel_dirty(t);
	amt_relay_tunnel_gone(t);
	amt_tunnel_unqueue(t);
	amt_tunnels_del(&relay->tunnels, t);
	amt_tunnels_sorted_del(&relay->tunnels_sorted, t);
	/* Withdraws the tunnel's (S,G)s from the index, reporting the union. */
	amt_membership_clear(t->memb);
	amt_membership_free(t->memb);
	amt_flow_index_tunnel_del(t->fi);
	t->memb = NULL;
	t->fi = NULL;
	if (!amt_fo_queue_empty(&relay->fanout)) {
		/* A split fan-out's copy of its owners may name it. */
		t->gone = true;
		t->husk_next = relay->husks;
		relay->husks = t;
		return;
	}
	XFREE(MTYPE_AMT_TUNNEL, t);
}

void amt_relay_husks_free(struct amt_relay *relay)
{
	struct amt_tunnel *t;

	while ((t = relay->husks)) {
		relay->husks = t->husk_next;
		XFREE(MTYPE_AMT_TUNNEL, t);
	}
}

/*
 * After the tunnel's membership changed: drop it when empty, else queue it
 * for its next timer expiry (the caller re-arms the relay's timer).
 */
void amt_tunnel_settle(struct amt_tunnel *t)
{
	struct amt_relay *relay = t->relay;
	uint64_t next;

	/* The snapshot follows every membership change. */
	amt_relay_persist_tunnel_dirty(t);
	if (amt_membership_num_groups(t->memb) == 0) {
		amt_tunnel_free(t);
		amt_flow_index_flush(relay->index);
		return;
	}
	amt_flow_index_flush(relay->index);

	next = amt_membership_next_expiry(t->memb);
	if (t->exp_queued && next == t->expiry_ms)
		return;
	amt_tunnel_unqueue(t);
	if (next == AMT_TIME_NEVER)
		return;
	t->expiry_ms = next;
	amt_expiry_add(&relay->expiry, t);
	t->exp_queued = true;
}

/* The relay's timer: serve every tunnel whose expiry has come. */
static void amt_relay_expire(struct event *event)
{
	struct amt_relay *relay = EVENT_ARG(event);
	uint64_t now = amt_now_ms();
	struct amt_tunnel *t;

	for (int i = 0; i < AMT_RELAY_EXPIRE_BATCH; i++) {
		t = amt_expiry_first(&relay->expiry);
		if (!t || t->expiry_ms > now)
			break;
		amt_tunnel_unqueue(t);
		amt_membership_expire(t->memb, now);
		amt_tunnel_settle(t);
	}
	/* Also when the batch ran out: the rest is due now (0 ms). */
	amt_relay_expiry_arm(relay, now);
}

uint32_t amt_relay_tunnel_count(const struct amt_relay *relay)
{
	return amt_tunnels_count(&relay->tunnels);
}

struct amt_tunnel *amt_relay_tunnel_first(struct amt_relay *relay)
{
	return amt_tunnels_sorted_first(&relay->tunnels_sorted);
}

struct amt_tunnel *amt_relay_tunnel_next(struct amt_relay *relay, struct amt_tunnel *t)
{
	return amt_tunnels_sorted_next(&relay->tunnels_sorted, t);
}

struct amt_tunnel *amt_relay_tunnel_last(struct amt_relay *relay)
{
	return amt_tunnels_sorted_last(&relay->tunnels_sorted);
}

struct amt_tunnel *amt_relay_tunnel_after(struct amt_relay *relay, const union sockunion *gw)
{
	struct amt_tunnel key = {};
	struct amt_tunnel *t;

	key.gw = *gw;
	t = amt_tunnels_sorted_find_gteq(&relay->tunnels_sorted, &key);
	if (t && !amt_tunnel_key_cmp(t, &key))
		t = amt_tunnels_sorted_next(&relay->tunnels_sorted, t);
	return t;
}

struct amt_tunnel *amt_relay_tunnel_first_of_addr(struct amt_relay *relay,
						  const union sockunion *addr)
{
	struct amt_tunnel key = {};
	struct amt_tunnel *t;

	/* Port 0 sorts first: the lowest key with that address. */
	key.gw = *addr;
	if (key.gw.sa.sa_family == AF_INET)
		key.gw.sin.sin_port = 0;
	else
		key.gw.sin6.sin6_port = 0;
	t = amt_tunnels_sorted_find_gteq(&relay->tunnels_sorted, &key);
	if (!t || amt_su_addr_cmp(&t->gw, addr))
		return NULL;
	return t;
}

struct amt_tunnel *amt_relay_tunnel_next_of_addr(struct amt_relay *relay, struct amt_tunnel *t)
{
	struct amt_tunnel *next = amt_tunnels_sorted_next(&relay->tunnels_sorted, t);

	if (!next || amt_su_addr_cmp(&next->gw, &t->gw))
		return NULL;
	return next;
}

void amt_relay_clear_tunnels(struct amt_relay *relay)
{
	struct amt_tunnel *t;

	while ((t = amt_tunnels_sorted_first(&relay->tunnels_sorted)))
		amt_tunnel_free(t);
	amt_flow_index_flush(relay->index);
}

uint32_t amt_relay_tunnels_on_socket_free(struct amt_relay *relay,
					  const struct amt_relay_socket *s)
{
	struct amt_tunnel *t;
	uint32_t n = 0;

	frr_each_safe (amt_tunnels, &relay->tunnels, t) {
		if (t->sock != s)
			continue;
		amt_tunnel_free(t);
		n++;
	}
	if (n) {
		char addr[INET6_ADDRSTRLEN];

		amt_flow_index_flush(relay->index);
		inet_ntop(s->addr.family, &s->addr.ip, addr, sizeof(addr));
		zlog_info("AMT relay %s: %u tunnel(s) removed with relay address %s port %u",
			  relay->inst->name, n, addr, s->port);
	}
	return n;
}

void amt_relay_tunnels_init(struct amt_relay *relay)
{
	amt_tunnels_init(&relay->tunnels);
	amt_tunnels_sorted_init(&relay->tunnels_sorted);
	amt_expiry_init(&relay->expiry);
}

void amt_relay_tunnels_fini(struct amt_relay *relay)
{
	amt_relay_clear_tunnels(relay);
	EVENT_OFF(relay->t_expire);
	amt_expiry_fini(&relay->expiry);
	amt_tunnels_sorted_fini(&relay->tunnels_sorted);
	amt_tunnels_fini(&relay->tunnels);
}
