// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Router-side IGMPv3 / MLDv2 membership state of one AMT tunnel
 * (RFC 3376 section 6, RFC 3810 section 7) with the older-version
 * compatibility rules (RFC 3376 7.3.2, RFC 3810 8.3.2).
 *
 * Notation follows the RFC: in INCLUDE mode the group has the source list
 * A, every source with a running timer; in EXCLUDE mode X holds the
 * sources with a running timer (forwarded) and Y those whose timer is
 * stopped (excluded).  A source's timer is stopped iff its expiry is 0.
 */
#include <zebra.h>

#include "memory.h"
#include "typerb.h"

#include "amt_memory.h"
#include "amt_membership.h"

DEFINE_MTYPE_STATIC(AMTD, AMT_MEMBERSHIP, "AMT tunnel membership");
DEFINE_MTYPE_STATIC(AMTD, AMT_MGROUP, "AMT membership group");
DEFINE_MTYPE_STATIC(AMTD, AMT_MSOURCE, "AMT membership source");
DEFINE_MTYPE_STATIC(AMTD, AMT_MSCRATCH, "AMT membership record sources");

PREDECL_RBTREE_UNIQ(amt_msrc);
PREDECL_RBTREE_UNIQ(amt_mgrp);

struct amt_msource {
	struct amt_msrc_item item;
	union amt_ip addr;
	/* Absolute expiry; 0 = stopped (EXCLUDE mode: in Y). */
	uint64_t expiry;
};

struct amt_mgroup {
	struct amt_mgrp_item item;
	struct amt_msrc_head sources;
	union amt_ip addr;
	/* Group timer, running in EXCLUDE mode only. */
	uint64_t timer;
	/* Older version host present timers: IGMPv1 hosts, and IGMPv2 or
	 * MLDv1 hosts.  0 when never started. */
	uint64_t v1_host;
	uint64_t v2_host;
	/* Earliest of the group timer and the source timers. */
	uint64_t next;
	uint8_t family;
	uint8_t mode;
};

struct amt_membership {
	struct amt_mgrp_head groups;
	struct amt_membership_params params;
	amt_membership_change_fn change_fn;
	void *arg;
	uint32_t num_sources;
	/* Earliest group->next; recomputed lazily when next_dirty. */
	bool next_dirty;
	uint64_t next;
};

/* The record's source list, sorted and without duplicates. */
struct amt_srcset {
	union amt_ip *addr;
	size_t n;
};

#define AMT_SRCSET_STACK 16

/* Copy an address, zeroing what an IPv4 address leaves unused: callers
 * need not clear the union. */
static void amt_ip_set(union amt_ip *dst, uint8_t family, const union amt_ip *src)
{
	memset(dst, 0, sizeof(*dst));
	memcpy(dst->bytes, src->bytes, family == AF_INET ? 4 : 16);
}

static int amt_ip_cmp(const union amt_ip *a, const union amt_ip *b)
{
	return memcmp(a->bytes, b->bytes, sizeof(a->bytes));
}

static int amt_msrc_cmp(const struct amt_msource *a, const struct amt_msource *b)
{
	return amt_ip_cmp(&a->addr, &b->addr);
}

static int amt_mgrp_cmp(const struct amt_mgroup *a, const struct amt_mgroup *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return amt_ip_cmp(&a->addr, &b->addr);
}

DECLARE_RBTREE_UNIQ(amt_msrc, struct amt_msource, item, amt_msrc_cmp);
DECLARE_RBTREE_UNIQ(amt_mgrp, struct amt_mgroup, item, amt_mgrp_cmp);

/* Parameters and derived intervals */

void amt_membership_params_default(struct amt_membership_params *p)
{
	memset(p, 0, sizeof(*p));
	p->robustness = 2;
	p->query_interval_ms = 125000;
	p->query_response_interval_ms = 10000;
	p->last_member_query_interval_ms = 1000;
	p->last_member_query_count = 2;
}

uint64_t amt_membership_gmi(const struct amt_membership_params *p)
{
	uint64_t gmi = (uint64_t)p->robustness * p->query_interval_ms +
		       p->query_response_interval_ms;

	/* A zero interval would make a fresh timer look stopped. */
	return gmi ? gmi : 1;
}

uint64_t amt_membership_lmqt(const struct amt_membership_params *p)
{
	return (uint64_t)p->last_member_query_interval_ms * p->last_member_query_count;
}

uint64_t amt_membership_ohpi(const struct amt_membership_params *p)
{
	return amt_membership_gmi(p);
}

/* Change reports */

static void amt_memb_emit(struct amt_membership *m, const struct amt_mgroup *g,
			  enum amt_memb_event event, const union amt_ip *src)
{
	struct amt_memb_change chg = {
		.event = event,
		.family = g->family,
		.group = &g->addr,
		.source = src,
	};

	if (m->change_fn)
		m->change_fn(m->arg, &chg);
}

/* Source records */

static struct amt_msource *amt_msrc_lookup(struct amt_mgroup *g, const union amt_ip *addr)
{
	struct amt_msource key;

	amt_ip_set(&key.addr, g->family, addr);
	return amt_msrc_find(&g->sources, &key);
}

static struct amt_msource *amt_msrc_create(struct amt_membership *m, struct amt_mgroup *g,
					   const union amt_ip *addr, uint64_t expiry)
{
	struct amt_msource *s = XCALLOC(MTYPE_AMT_MSOURCE, sizeof(*s));

	amt_ip_set(&s->addr, g->family, addr);
	s->expiry = expiry;
	amt_msrc_add(&g->sources, s);
	m->num_sources++;

	if (g->mode == AMT_FILTER_INCLUDE)
		amt_memb_emit(m, g, AMT_MEMB_SG_JOIN, &s->addr);
	else if (!expiry)
		amt_memb_emit(m, g, AMT_MEMB_XG_EXCL_ADD, &s->addr);
	return s;
}

static void amt_msrc_destroy(struct amt_membership *m, struct amt_mgroup *g, struct amt_msource *s)
{
	if (g->mode == AMT_FILTER_INCLUDE)
		amt_memb_emit(m, g, AMT_MEMB_SG_LEAVE, &s->addr);
	else if (!s->expiry)
		amt_memb_emit(m, g, AMT_MEMB_XG_EXCL_DEL, &s->addr);

	amt_msrc_del(&g->sources, s);
	m->num_sources--;
	XFREE(MTYPE_AMT_MSOURCE, s);
}

/* Start (or restart) a source timer; a source of Y moves to X. */
static void amt_msrc_set_timer(struct amt_membership *m, struct amt_mgroup *g,
			       struct amt_msource *s, uint64_t expiry)
{
	if (g->mode == AMT_FILTER_EXCLUDE && !s->expiry)
		amt_memb_emit(m, g, AMT_MEMB_XG_EXCL_DEL, &s->addr);
	s->expiry = expiry;
}

/*
 * A source timer reached zero (RFC 3376 6.3): in INCLUDE mode the source
 * is deleted; in EXCLUDE mode it moves from X to Y and stays.
 */
static void amt_msrc_timer_zero(struct amt_membership *m, struct amt_mgroup *g,
				struct amt_msource *s)
{
	if (g->mode == AMT_FILTER_INCLUDE) {
		amt_msrc_destroy(m, g, s);
		return;
	}
	if (s->expiry) {
		s->expiry = 0;
		amt_memb_emit(m, g, AMT_MEMB_XG_EXCL_ADD, &s->addr);
	}
}

/* Groups */

static struct amt_mgroup *amt_mgrp_lookup(const struct amt_membership *m, uint8_t family,
					  const union amt_ip *addr)
{
	struct amt_mgroup key;

	key.family = family;
	amt_ip_set(&key.addr, family, addr);
	return (struct amt_mgroup *)amt_mgrp_const_find(&m->groups, &key);
}

static struct amt_mgroup *amt_mgrp_create(struct amt_membership *m, uint8_t family,
					  const union amt_ip *addr)
{
	struct amt_mgroup *g = XCALLOC(MTYPE_AMT_MGROUP, sizeof(*g));

	g->family = family;
	amt_ip_set(&g->addr, family, addr);
	g->mode = AMT_FILTER_INCLUDE;
	g->next = AMT_TIME_NEVER;
	amt_msrc_init(&g->sources);
	amt_mgrp_add(&m->groups, g);
	return g;
}

/* Free a group that holds no sources and reports nothing any more. */
static void amt_mgrp_destroy(struct amt_membership *m, struct amt_mgroup *g)
{
	if (g->next == m->next)
		m->next_dirty = true;
	amt_mgrp_del(&m->groups, g);
	amt_msrc_fini(&g->sources);
	XFREE(MTYPE_AMT_MGROUP, g);
}

/* INCLUDE (A) -> EXCLUDE (A, {}): (*,G) covers A from now on. */
static void amt_mgrp_to_exclude(struct amt_membership *m, struct amt_mgroup *g)
{
	struct amt_msource *s;

	amt_memb_emit(m, g, AMT_MEMB_XG_JOIN, NULL);
	frr_each (amt_msrc, &g->sources, s)
		amt_memb_emit(m, g, AMT_MEMB_SG_LEAVE, &s->addr);
	g->mode = AMT_FILTER_EXCLUDE;
}

/*
 * The group timer reached zero in EXCLUDE mode (RFC 3376 6.5): switch to
 * INCLUDE with the sources that still have a running timer, delete Y.
 */
static void amt_mgrp_to_include(struct amt_membership *m, struct amt_mgroup *g)
{
	struct amt_msource *s;

	frr_each (amt_msrc, &g->sources, s)
		if (s->expiry)
			amt_memb_emit(m, g, AMT_MEMB_SG_JOIN, &s->addr);
	frr_each_safe (amt_msrc, &g->sources, s)
		if (!s->expiry)
			amt_msrc_destroy(m, g, s);
	amt_memb_emit(m, g, AMT_MEMB_XG_LEAVE, NULL);
	g->mode = AMT_FILTER_INCLUDE;
	g->timer = 0;
}

static void amt_mgrp_update_next(struct amt_membership *m, struct amt_mgroup *g)
{
	const struct amt_msource *s;
	uint64_t old = g->next, next = AMT_TIME_NEVER;

	if (g->mode == AMT_FILTER_EXCLUDE)
		next = g->timer;
	frr_each (amt_msrc_const, &g->sources, s)
		if (s->expiry && s->expiry < next)
			next = s->expiry;
	g->next = next;

	if (next < m->next)
		m->next = next;
	else if (old == m->next && next != old)
		m->next_dirty = true;
}

/* Delete the group if it is INCLUDE ({}); else refresh its next expiry. */
static void amt_mgrp_settle(struct amt_membership *m, struct amt_mgroup *g)
{
	if (g->mode == AMT_FILTER_INCLUDE && !amt_msrc_count(&g->sources))
		amt_mgrp_destroy(m, g);
	else
		amt_mgrp_update_next(m, g);
}

/*
 * Group compatibility mode as a level: 1 while IGMPv1 hosts are present
 * (leaves ignored), 2 while IGMPv2 or MLDv1 hosts are present, else 3.
 */
static int amt_mgrp_compat_level(const struct amt_mgroup *g, uint64_t now)
{
	if (g->v1_host > now)
		return 1;
	if (g->v2_host > now)
		return 2;
	return 3;
}

/*
 * "Send Q(G,S)" and "Send Q(G)" (RFC 3376 6.6.3): nobody can be asked on
 * a tunnel, so either the timers drop to zero at once (fast leave) or
 * they are lowered to LMQT and left to run out.
 */
static bool amt_memb_fast_leave(const struct amt_membership *m)
{
	return !m->params.lmqt_leave || !amt_membership_lmqt(&m->params);
}

static void amt_memb_query_source(struct amt_membership *m, struct amt_mgroup *g,
				  struct amt_msource *s, uint64_t now)
{
	uint64_t lmqt = now + amt_membership_lmqt(&m->params);

	if (amt_memb_fast_leave(m))
		amt_msrc_timer_zero(m, g, s);
	else if (s->expiry > lmqt)
		s->expiry = lmqt;
}

static void amt_memb_query_group(struct amt_membership *m, struct amt_mgroup *g, uint64_t now)
{
	uint64_t lmqt = now + amt_membership_lmqt(&m->params);

	if (g->mode != AMT_FILTER_EXCLUDE)
		return;
	if (amt_memb_fast_leave(m))
		amt_mgrp_to_include(m, g);
	else if (g->timer > lmqt)
		g->timer = lmqt;
}

/* The record's source set */

static int amt_srcset_cmp(const void *a, const void *b)
{
	return amt_ip_cmp(a, b);
}

static bool amt_srcset_has(const struct amt_srcset *set, const union amt_ip *addr)
{
	return set->n && bsearch(addr, set->addr, set->n, sizeof(*set->addr), amt_srcset_cmp);
}

/* Unpack the record's sources into set->addr (capacity rec->num_sources),
 * sorted, duplicates removed. */
static void amt_srcset_fill(struct amt_srcset *set, const struct amt_group_record *rec)
{
	size_t alen = rec->family == AF_INET ? 4 : 16;
	size_t i, n = 0;

	for (i = 0; i < rec->num_sources; i++) {
		memset(&set->addr[i], 0, sizeof(set->addr[i]));
		memcpy(set->addr[i].bytes, rec->sources + i * alen, alen);
	}
	qsort(set->addr, rec->num_sources, sizeof(*set->addr), amt_srcset_cmp);
	for (i = 0; i < rec->num_sources; i++)
		if (!n || amt_ip_cmp(&set->addr[n - 1], &set->addr[i]))
			set->addr[n++] = set->addr[i];
	set->n = n;
}

/* The state-change actions (RFC 3376 6.4.1 and 6.4.2, RFC 3810 7.4) */

/*
 * INCLUDE (A) IS_IN/ALLOW (B) -> INCLUDE (A+B), (B)=GMI.
 * EXCLUDE (X,Y) IS_IN/ALLOW (A) -> EXCLUDE (X+A,Y-A), (A)=GMI.
 * Also the first step of TO_IN in either mode.
 */
static void amt_memb_allow(struct amt_membership *m, struct amt_mgroup *g,
			   const struct amt_srcset *b, uint64_t now)
{
	uint64_t gmi = now + amt_membership_gmi(&m->params);
	struct amt_msource *s;
	size_t i;

	for (i = 0; i < b->n; i++) {
		s = amt_msrc_lookup(g, &b->addr[i]);
		if (s)
			amt_msrc_set_timer(m, g, s, gmi);
		else
			amt_msrc_create(m, g, &b->addr[i], gmi);
	}
}

/*
 * INCLUDE (A) TO_IN (B) -> INCLUDE (A+B), (B)=GMI, Send Q(G,A-B).
 * EXCLUDE (X,Y) TO_IN (A) -> EXCLUDE (X+A,Y-A), (A)=GMI, Send Q(G,X-A),
 *                            Send Q(G).
 */
static void amt_memb_to_in(struct amt_membership *m, struct amt_mgroup *g,
			   const struct amt_srcset *b, uint64_t now)
{
	struct amt_msource *s;

	amt_memb_allow(m, g, b, now);
	/* A-B, resp. X-A: the running timers outside the record. */
	frr_each_safe (amt_msrc, &g->sources, s)
		if (s->expiry && !amt_srcset_has(b, &s->addr))
			amt_memb_query_source(m, g, s, now);
	amt_memb_query_group(m, g, now);
}

/*
 * INCLUDE (A) BLOCK (B) -> INCLUDE (A), Send Q(G,A*B).
 * EXCLUDE (X,Y) BLOCK (A) -> EXCLUDE (X+(A-Y),Y), (A-X-Y)=Group Timer,
 *                            Send Q(G,A-Y).
 */
static void amt_memb_block(struct amt_membership *m, struct amt_mgroup *g,
			   const struct amt_srcset *b, uint64_t now)
{
	struct amt_msource *s;
	size_t i;

	for (i = 0; i < b->n; i++) {
		s = amt_msrc_lookup(g, &b->addr[i]);
		if (!s && g->mode == AMT_FILTER_EXCLUDE)
			s = amt_msrc_create(m, g, &b->addr[i], g->timer);
		if (s && s->expiry)
			amt_memb_query_source(m, g, s, now);
	}
}

/*
 * INCLUDE (A) IS_EX (B) -> EXCLUDE (A*B,B-A), (B-A)=0, Delete (A-B),
 *                          Group Timer=GMI.
 * INCLUDE (A) TO_EX (B) -> the same, and Send Q(G,A*B).
 */
static void amt_memb_include_to_ex(struct amt_membership *m, struct amt_mgroup *g,
				   const struct amt_srcset *b, bool change, uint64_t now)
{
	struct amt_msource *s;
	size_t i;

	amt_mgrp_to_exclude(m, g);
	frr_each_safe (amt_msrc, &g->sources, s)
		if (!amt_srcset_has(b, &s->addr))
			amt_msrc_destroy(m, g, s);
	/* What is left now is A*B, with running timers. */
	for (i = 0; i < b->n; i++)
		if (!amt_msrc_lookup(g, &b->addr[i]))
			amt_msrc_create(m, g, &b->addr[i], 0);
	if (change)
		frr_each_safe (amt_msrc, &g->sources, s)
			if (s->expiry)
				amt_memb_query_source(m, g, s, now);
	g->timer = now + amt_membership_gmi(&m->params);
}

/*
 * EXCLUDE (X,Y) IS_EX (A) -> EXCLUDE (A-Y,Y*A), (A-X-Y)=GMI,
 *                            Delete (X-A), Delete (Y-A), Group Timer=GMI.
 * EXCLUDE (X,Y) TO_EX (A) -> EXCLUDE (A-Y,Y*A), (A-X-Y)=Group Timer,
 *                            Delete (X-A), Delete (Y-A), Send Q(G,A-Y),
 *                            Group Timer=GMI.
 */
static void amt_memb_exclude_to_ex(struct amt_membership *m, struct amt_mgroup *g,
				   const struct amt_srcset *a, bool change, uint64_t now)
{
	uint64_t gmi = now + amt_membership_gmi(&m->params);
	struct amt_msource *s;
	size_t i;

	for (i = 0; i < a->n; i++)
		if (!amt_msrc_lookup(g, &a->addr[i]))
			amt_msrc_create(m, g, &a->addr[i], change ? g->timer : gmi);
	frr_each_safe (amt_msrc, &g->sources, s)
		if (!amt_srcset_has(a, &s->addr))
			amt_msrc_destroy(m, g, s);
	/* Every source left is in A; those with a timer are A-Y. */
	if (change)
		frr_each_safe (amt_msrc, &g->sources, s)
			if (s->expiry)
				amt_memb_query_source(m, g, s, now);
	g->timer = gmi;
}

static void amt_memb_dispatch(struct amt_membership *m, struct amt_mgroup *g, uint8_t type,
			      const struct amt_srcset *b, uint64_t now)
{
	bool change = (type == AMT_REC_CHANGE_TO_EXCLUDE);

	switch (type) {
	case AMT_REC_MODE_IS_INCLUDE:
	case AMT_REC_ALLOW_NEW_SOURCES:
		amt_memb_allow(m, g, b, now);
		break;
	case AMT_REC_CHANGE_TO_INCLUDE:
		amt_memb_to_in(m, g, b, now);
		break;
	case AMT_REC_BLOCK_OLD_SOURCES:
		amt_memb_block(m, g, b, now);
		break;
	case AMT_REC_MODE_IS_EXCLUDE:
	case AMT_REC_CHANGE_TO_EXCLUDE:
		if (g->mode == AMT_FILTER_INCLUDE)
			amt_memb_include_to_ex(m, g, b, change, now);
		else
			amt_memb_exclude_to_ex(m, g, b, change, now);
		break;
	}
}

/* Limits */

/*
 * How many source records the tunnel gains by the record (negative when
 * it loses some), counted on the state the table gives before any
 * query action.  IS_EX and TO_EX leave exactly the record's sources.
 */
static long amt_memb_source_delta(struct amt_mgroup *g, uint8_t type, const struct amt_srcset *b)
{
	long cur = g ? (long)amt_msrc_count(&g->sources) : 0;
	long fresh = 0;
	size_t i;

	if (type == AMT_REC_MODE_IS_EXCLUDE || type == AMT_REC_CHANGE_TO_EXCLUDE)
		return (long)b->n - cur;
	if (type == AMT_REC_BLOCK_OLD_SOURCES && (!g || g->mode == AMT_FILTER_INCLUDE))
		return 0;
	for (i = 0; i < b->n; i++)
		if (!g || !amt_msrc_lookup(g, &b->addr[i]))
			fresh++;
	return fresh;
}

/* Would the record create the group?  INCLUDE ({}) is no state. */
static bool amt_memb_creates_group(uint8_t type, const struct amt_srcset *b)
{
	switch (type) {
	case AMT_REC_MODE_IS_EXCLUDE:
	case AMT_REC_CHANGE_TO_EXCLUDE:
		return true;
	case AMT_REC_MODE_IS_INCLUDE:
	case AMT_REC_ALLOW_NEW_SOURCES:
	case AMT_REC_CHANGE_TO_INCLUDE:
		return b->n > 0;
	default:
		return false;
	}
}

static bool amt_memb_over_limit(const struct amt_membership *m, struct amt_mgroup *g, uint8_t type,
				const struct amt_srcset *b)
{
	const struct amt_membership_params *p = &m->params;
	long delta;

	if (!g && p->max_groups && amt_memb_creates_group(type, b) &&
	    amt_mgrp_count(&m->groups) >= p->max_groups)
		return true;
	if (!p->max_sources)
		return false;
	delta = amt_memb_source_delta(g, type, b);
	return delta > 0 && m->num_sources + delta > p->max_sources;
}

/* Record validation */

static bool amt_memb_group_valid(uint8_t family, const union amt_ip *group)
{
	if (family == AF_INET)
		return (group->bytes[0] & 0xf0) == 0xe0;
	return group->bytes[0] == 0xff;
}

static bool amt_memb_record_valid(const struct amt_group_record *rec)
{
	if (rec->type < AMT_REC_MODE_IS_INCLUDE || rec->type > AMT_REC_BLOCK_OLD_SOURCES)
		return false;
	if (rec->num_sources && !rec->sources)
		return false;
	if (rec->family == AF_INET)
		return rec->version >= 1 && rec->version <= 3;
	if (rec->family == AF_INET6)
		return rec->version >= 1 && rec->version <= 2;
	return false;
}

/* The compatibility level a message of this version calls for. */
static int amt_memb_record_level(const struct amt_group_record *rec)
{
	if (rec->family == AF_INET)
		return rec->version;
	return rec->version == 1 ? 2 : 3;
}

/* Public API */

struct amt_membership *amt_membership_new(const struct amt_membership_params *params,
					  amt_membership_change_fn change_fn, void *arg)
{
	struct amt_membership *m = XCALLOC(MTYPE_AMT_MEMBERSHIP, sizeof(*m));

	amt_mgrp_init(&m->groups);
	m->params = *params;
	m->change_fn = change_fn;
	m->arg = arg;
	m->next = AMT_TIME_NEVER;
	return m;
}

/* Report everything the group contributes as withdrawn. */
static void amt_mgrp_withdraw(struct amt_membership *m, const struct amt_mgroup *g)
{
	const struct amt_msource *s;

	if (g->mode == AMT_FILTER_INCLUDE) {
		frr_each (amt_msrc_const, &g->sources, s)
			amt_memb_emit(m, g, AMT_MEMB_SG_LEAVE, &s->addr);
		return;
	}
	frr_each (amt_msrc_const, &g->sources, s)
		if (!s->expiry)
			amt_memb_emit(m, g, AMT_MEMB_XG_EXCL_DEL, &s->addr);
	amt_memb_emit(m, g, AMT_MEMB_XG_LEAVE, NULL);
}

static void amt_membership_drop(struct amt_membership *m, bool report)
{
	struct amt_mgroup *g;
	struct amt_msource *s;

	while ((g = amt_mgrp_first(&m->groups))) {
		if (report)
			amt_mgrp_withdraw(m, g);
		while ((s = amt_msrc_pop(&g->sources))) {
			m->num_sources--;
			XFREE(MTYPE_AMT_MSOURCE, s);
		}
		amt_mgrp_destroy(m, g);
	}
	m->next = AMT_TIME_NEVER;
	m->next_dirty = false;
}

void amt_membership_free(struct amt_membership *m)
{
	if (!m)
		return;
	amt_membership_drop(m, false);
	amt_mgrp_fini(&m->groups);
	XFREE(MTYPE_AMT_MEMBERSHIP, m);
}

void amt_membership_clear(struct amt_membership *m)
{
	amt_membership_drop(m, true);
}

void amt_membership_replay(struct amt_membership *m)
{
	const struct amt_mgroup *g;
	const struct amt_msource *s;

	frr_each (amt_mgrp_const, &m->groups, g) {
		if (g->mode == AMT_FILTER_INCLUDE) {
			frr_each (amt_msrc_const, &g->sources, s)
				amt_memb_emit(m, g, AMT_MEMB_SG_JOIN, &s->addr);
			continue;
		}
		amt_memb_emit(m, g, AMT_MEMB_XG_JOIN, NULL);
		frr_each (amt_msrc_const, &g->sources, s)
			if (!s->expiry)
				amt_memb_emit(m, g, AMT_MEMB_XG_EXCL_ADD, &s->addr);
	}
}

void amt_membership_set_change_fn(struct amt_membership *m, amt_membership_change_fn change_fn,
				  void *arg)
{
	m->change_fn = change_fn;
	m->arg = arg;
}

void amt_membership_set_params(struct amt_membership *m, const struct amt_membership_params *p)
{
	m->params = *p;
}

const struct amt_membership_params *amt_membership_get_params(const struct amt_membership *m)
{
	return &m->params;
}

static void amt_mgrp_expire(struct amt_membership *m, struct amt_mgroup *g, uint64_t now)
{
	struct amt_msource *s;

	/* Sources first: an expired X source of an expiring EXCLUDE group
	 * ends up deleted either way, without a detour through INCLUDE. */
	frr_each_safe (amt_msrc, &g->sources, s)
		if (s->expiry && s->expiry <= now)
			amt_msrc_timer_zero(m, g, s);
	if (g->mode == AMT_FILTER_EXCLUDE && g->timer <= now)
		amt_mgrp_to_include(m, g);
	amt_mgrp_settle(m, g);
}

void amt_membership_expire(struct amt_membership *m, uint64_t now)
{
	struct amt_mgroup *g;

	if (!m->next_dirty && m->next > now)
		return;
	frr_each_safe (amt_mgrp, &m->groups, g)
		if (g->next <= now)
			amt_mgrp_expire(m, g, now);
	m->next_dirty = true;
}

uint64_t amt_membership_next_expiry(struct amt_membership *m)
{
	const struct amt_mgroup *g;

	if (m->next_dirty) {
		m->next = AMT_TIME_NEVER;
		frr_each (amt_mgrp_const, &m->groups, g)
			if (g->next < m->next)
				m->next = g->next;
		m->next_dirty = false;
	}
	return m->next;
}

enum amt_memb_result amt_membership_apply(struct amt_membership *m,
					  const struct amt_group_record *rec, uint64_t now)
{
	union amt_ip stack[AMT_SRCSET_STACK];
	struct amt_srcset b = { .addr = stack };
	struct amt_mgroup *g;
	uint8_t type = rec->type;
	bool older_report;
	int level;

	if (!amt_memb_record_valid(rec) || !amt_memb_group_valid(rec->family, &rec->group))
		return AMT_MEMB_INVALID;

	amt_membership_expire(m, now);
	g = amt_mgrp_lookup(m, rec->family, &rec->group);

	/* RFC 3376 7.3.2 / RFC 3810 8.3.2: an older version's report sets
	 * its host present timer; the group's mode filters the record. */
	older_report = rec->version < (rec->family == AF_INET ? 3 : 2) &&
		       type == AMT_REC_MODE_IS_EXCLUDE;
	level = g ? amt_mgrp_compat_level(g, now) : 3;
	if (older_report && amt_memb_record_level(rec) < level)
		level = amt_memb_record_level(rec);
	if (level < 3 && type == AMT_REC_BLOCK_OLD_SOURCES)
		return AMT_MEMB_IGNORED;
	if (level < 2 && type == AMT_REC_CHANGE_TO_INCLUDE)
		return AMT_MEMB_IGNORED;

	/* Source lists of TO_EX in compatibility mode, and of any record
	 * made from an older message, are ignored. */
	if (rec->num_sources && !(level < 3 && type == AMT_REC_CHANGE_TO_EXCLUDE) &&
	    amt_memb_record_level(rec) == 3) {
		if (rec->num_sources > AMT_SRCSET_STACK)
			b.addr = XMALLOC(MTYPE_AMT_MSCRATCH, rec->num_sources * sizeof(*b.addr));
		amt_srcset_fill(&b, rec);
	}

	if (amt_memb_over_limit(m, g, type, &b)) {
		if (b.addr != stack)
			XFREE(MTYPE_AMT_MSCRATCH, b.addr);
		return AMT_MEMB_LIMIT;
	}

	if (!g && amt_memb_creates_group(type, &b))
		g = amt_mgrp_create(m, rec->family, &rec->group);
	if (g) {
		if (older_report && rec->family == AF_INET && rec->version == 1)
			g->v1_host = now + amt_membership_ohpi(&m->params);
		else if (older_report)
			g->v2_host = now + amt_membership_ohpi(&m->params);
		amt_memb_dispatch(m, g, type, &b, now);
		amt_mgrp_settle(m, g);
	}

	if (b.addr != stack)
		XFREE(MTYPE_AMT_MSCRATCH, b.addr);
	return AMT_MEMB_OK;
}

bool amt_membership_wants(const struct amt_membership *m, uint8_t family,
			  const union amt_ip *source, const union amt_ip *group)
{
	struct amt_mgroup *g = amt_mgrp_lookup(m, family, group);
	struct amt_msource *s;

	if (!g)
		return false;
	s = amt_msrc_lookup(g, source);
	if (g->mode == AMT_FILTER_INCLUDE)
		return s != NULL;
	return !s || s->expiry;
}

uint32_t amt_membership_num_groups(const struct amt_membership *m)
{
	return amt_mgrp_count(&m->groups);
}

uint32_t amt_membership_num_sources(const struct amt_membership *m)
{
	return m->num_sources;
}

const struct amt_mgroup *amt_membership_group_find(const struct amt_membership *m, uint8_t family,
						   const union amt_ip *group)
{
	return amt_mgrp_lookup(m, family, group);
}

const struct amt_mgroup *amt_membership_group_first(const struct amt_membership *m)
{
	return amt_mgrp_const_first(&m->groups);
}

const struct amt_mgroup *amt_membership_group_next(const struct amt_membership *m,
						   const struct amt_mgroup *g)
{
	return amt_mgrp_const_next(&m->groups, g);
}

void amt_mgroup_get_info(const struct amt_mgroup *g, uint64_t now, struct amt_mgroup_info *info)
{
	int level = amt_mgrp_compat_level(g, now);

	memset(info, 0, sizeof(*info));
	info->family = g->family;
	info->mode = g->mode;
	info->group = g->addr;
	info->group_timer = g->mode == AMT_FILTER_EXCLUDE ? g->timer : 0;
	info->older_v1_host = g->v1_host > now ? g->v1_host : 0;
	info->older_v2_host = g->v2_host > now ? g->v2_host : 0;
	info->num_sources = amt_msrc_count(&g->sources);
	if (g->family == AF_INET)
		info->compat_version = level;
	else
		info->compat_version = level < 3 ? 1 : 2;
}

const struct amt_msource *amt_mgroup_source_first(const struct amt_mgroup *g)
{
	return amt_msrc_const_first(&g->sources);
}

const struct amt_msource *amt_mgroup_source_next(const struct amt_mgroup *g,
						 const struct amt_msource *s)
{
	return amt_msrc_const_next(&g->sources, s);
}

void amt_msource_get_info(const struct amt_msource *s, struct amt_msource_info *info)
{
	memset(info, 0, sizeof(*info));
	info->source = s->addr;
	info->timer = s->expiry;
	info->excluded = !s->expiry;
}

enum amt_memb_result amt_membership_restore_group(struct amt_membership *m,
						  const struct amt_mgroup_info *info,
						  const struct amt_msource_info *src, uint32_t nsrc)
{
	union amt_ip prev, cur;
	struct amt_mgroup *g;

	if ((info->family != AF_INET && info->family != AF_INET6) ||
	    !amt_memb_group_valid(info->family, &info->group) ||
	    amt_mgrp_lookup(m, info->family, &info->group))
		return AMT_MEMB_INVALID;
	/* RFC 3376 6.2.2: the group timer runs in EXCLUDE mode only, and an
	 * INCLUDE group lives only while it has sources with running timers. */
	if (info->mode == AMT_FILTER_INCLUDE) {
		if (info->group_timer || !nsrc)
			return AMT_MEMB_INVALID;
	} else if (info->mode != AMT_FILTER_EXCLUDE || !info->group_timer) {
		return AMT_MEMB_INVALID;
	}
	for (uint32_t i = 0; i < nsrc; i++) {
		if (info->mode == AMT_FILTER_INCLUDE && !src[i].timer)
			return AMT_MEMB_INVALID;
		amt_ip_set(&cur, info->family, &src[i].source);
		if (i && amt_ip_cmp(&prev, &cur) >= 0)
			return AMT_MEMB_INVALID;
		prev = cur;
	}
	if ((m->params.max_groups && amt_mgrp_count(&m->groups) >= m->params.max_groups) ||
	    (m->params.max_sources && m->num_sources + (uint64_t)nsrc > m->params.max_sources))
		return AMT_MEMB_LIMIT;

	g = amt_mgrp_create(m, info->family, &info->group);
	g->v1_host = info->older_v1_host;
	g->v2_host = info->older_v2_host;
	if (info->mode == AMT_FILTER_EXCLUDE) {
		amt_memb_emit(m, g, AMT_MEMB_XG_JOIN, NULL);
		g->mode = AMT_FILTER_EXCLUDE;
		g->timer = info->group_timer;
	}
	for (uint32_t i = 0; i < nsrc; i++)
		amt_msrc_create(m, g, &src[i].source, src[i].timer);
	amt_mgrp_settle(m, g);
	return AMT_MEMB_OK;
}
