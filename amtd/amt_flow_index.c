// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The flow index of an AMT relay: per-(S,G) and per-(*,G) tunnel lists,
 * the fan-out each data packet needs, and the union membership state of
 * all tunnels per group (RFC 3376 section 3.2 merge).
 *
 * Layout: a group entry per (family, G) holds the list of tunnels in
 * EXCLUDE mode for G; a source entry per (G, S) holds the tunnels that
 * include (S,G) and the EXCLUDE-mode tunnels that exclude S.  Each such
 * membership is a `ref`, found by (tunnel, entry, kind) in one hash and
 * linked into its tunnel's list for removal.  Resolved fan-out lists are
 * cached per source entry (and per group for sources nobody names) and
 * invalidated by a change of the lists they were built from.
 */
#include <zebra.h>

#include "jhash.h"
#include "memory.h"
#include "typesafe.h"

#include "amt_flow_index.h"
#include "amt_memory.h"

DEFINE_MTYPE_STATIC(AMTD, AMT_FLOW_INDEX, "AMT flow index");
DEFINE_MTYPE_STATIC(AMTD, AMT_FI_TUNNEL, "AMT flow index tunnel");
DEFINE_MTYPE_STATIC(AMTD, AMT_FI_GROUP, "AMT flow index group");
DEFINE_MTYPE_STATIC(AMTD, AMT_FI_SOURCE, "AMT flow index source");
DEFINE_MTYPE_STATIC(AMTD, AMT_FI_REF, "AMT flow index tunnel entry");
DEFINE_MTYPE_STATIC(AMTD, AMT_FI_FANOUT, "AMT flow index fan-out list");
DEFINE_MTYPE_STATIC(AMTD, AMT_FI_SCRATCH, "AMT flow index scratch");

PREDECL_HASH(amt_fi_grps);
PREDECL_HASH(amt_fi_srcs);
PREDECL_HASH(amt_fi_refs);
PREDECL_DLIST(amt_fi_tuns);  /* tunnels of the index */
PREDECL_DLIST(amt_fi_tlist); /* refs of a tunnel */
PREDECL_DLIST(amt_fi_rlist); /* refs on a source or group entry */
PREDECL_DLIST(amt_fi_slist); /* sources of a group */
PREDECL_DLIST(amt_fi_dsrc);  /* sources changed since the last flush */
PREDECL_DLIST(amt_fi_dgrp);  /* groups changed since the last flush */

enum amt_fi_kind {
	AMT_FI_SG = 1, /* the tunnel includes (S,G); target: source */
	AMT_FI_EXCL,   /* the tunnel excludes S from (*,G); target: source */
	AMT_FI_XG,     /* the tunnel wants (*,G), EXCLUDE mode; target: group */
};

/* A resolved fan-out list, valid while `valid` and (for a source) while
 * its group's generation is `gen`. */
struct amt_fi_fanout {
	void **owners;
	uint32_t count;
	uint32_t cap;
	bool valid;
	uint64_t gen;
};

struct amt_fi_tunnel {
	struct amt_fi_tuns_item item;
	struct amt_fi_tlist_head refs;
	struct amt_flow_index *idx;
	void *owner;
	/* Scratch mark while resolving a fan-out list. */
	uint64_t mark;
};

struct amt_fi_ref {
	struct amt_fi_refs_item hitem;
	struct amt_fi_tlist_item titem;
	struct amt_fi_rlist_item ritem;
	struct amt_fi_tunnel *tunnel;
	void *target;
	uint8_t kind;
	/* AMT_FI_XG: the tunnel's exclusions in the group. */
	uint32_t num_excl;
};

struct amt_fi_grp;

struct amt_fi_src {
	struct amt_fi_srcs_item hitem;
	struct amt_fi_slist_item gitem;
	struct amt_fi_dsrc_item ditem;
	struct amt_fi_grp *grp;
	struct amt_fi_rlist_head inc;
	struct amt_fi_rlist_head excl;
	struct amt_fi_fanout fan;
	union amt_ip addr;
	bool dirty;
	/* In the union's source list as last reported. */
	bool in_union;
};

struct amt_fi_grp {
	struct amt_fi_grps_item hitem;
	struct amt_fi_dgrp_item ditem;
	struct amt_fi_rlist_head xg;
	struct amt_fi_slist_head srcs;
	struct amt_fi_dsrc_head dirty_srcs;
	/* The EXCLUDE-mode tunnels: the fan-out of a source nobody names. */
	struct amt_fi_fanout fan;
	/* Bumped whenever xg changes: source fan-out lists go stale. */
	uint64_t gen;
	union amt_ip addr;
	uint8_t family;
	/* Union filter mode as last reported. */
	uint8_t union_mode;
	bool dirty;
	/* xg changed: every source's union membership may have changed. */
	bool rescan;
};

struct amt_fi_addrs {
	union amt_ip *addr;
	uint32_t count;
	uint32_t cap;
};

struct amt_flow_index {
	struct amt_fi_grps_head grps;
	struct amt_fi_srcs_head srcs;
	struct amt_fi_refs_head refs;
	struct amt_fi_tuns_head tuns;
	struct amt_fi_dgrp_head dirty;
	amt_union_change_fn union_fn;
	void *arg;
	uint64_t stamp;
	/* Scratch lists: a flush's report, and a union state query. */
	struct amt_fi_addrs added;
	struct amt_fi_addrs removed;
	struct amt_fi_addrs listed;
	struct amt_flow_index_stats stats;
};

/* Copy an address, zeroing what an IPv4 address leaves unused. */
static void amt_fi_ip_set(union amt_ip *dst, uint8_t family, const union amt_ip *src)
{
	memset(dst, 0, sizeof(*dst));
	memcpy(dst->bytes, src->bytes, family == AF_INET ? 4 : 16);
}

static uint32_t amt_fi_ptr_hash(const void *p)
{
	uintptr_t v = (uintptr_t)p;

	return (uint32_t)v ^ (uint32_t)((uint64_t)v >> 32);
}

static int amt_fi_grp_cmp(const struct amt_fi_grp *a, const struct amt_fi_grp *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(&a->addr, &b->addr, sizeof(a->addr));
}

static uint32_t amt_fi_grp_hash(const struct amt_fi_grp *g)
{
	return jhash(&g->addr, sizeof(g->addr), g->family);
}

static int amt_fi_src_cmp(const struct amt_fi_src *a, const struct amt_fi_src *b)
{
	if (a->grp != b->grp)
		return a->grp < b->grp ? -1 : 1;
	return memcmp(&a->addr, &b->addr, sizeof(a->addr));
}

static uint32_t amt_fi_src_hash(const struct amt_fi_src *s)
{
	return jhash(&s->addr, sizeof(s->addr), amt_fi_ptr_hash(s->grp));
}

static int amt_fi_ref_cmp(const struct amt_fi_ref *a, const struct amt_fi_ref *b)
{
	if (a->tunnel != b->tunnel)
		return a->tunnel < b->tunnel ? -1 : 1;
	if (a->target != b->target)
		return a->target < b->target ? -1 : 1;
	return (int)a->kind - (int)b->kind;
}

static uint32_t amt_fi_ref_hash(const struct amt_fi_ref *r)
{
	return jhash_3words(amt_fi_ptr_hash(r->tunnel), amt_fi_ptr_hash(r->target), r->kind, 0);
}

DECLARE_HASH(amt_fi_grps, struct amt_fi_grp, hitem, amt_fi_grp_cmp, amt_fi_grp_hash);
DECLARE_HASH(amt_fi_srcs, struct amt_fi_src, hitem, amt_fi_src_cmp, amt_fi_src_hash);
DECLARE_HASH(amt_fi_refs, struct amt_fi_ref, hitem, amt_fi_ref_cmp, amt_fi_ref_hash);
DECLARE_DLIST(amt_fi_tuns, struct amt_fi_tunnel, item);
DECLARE_DLIST(amt_fi_tlist, struct amt_fi_ref, titem);
DECLARE_DLIST(amt_fi_rlist, struct amt_fi_ref, ritem);
DECLARE_DLIST(amt_fi_slist, struct amt_fi_src, gitem);
DECLARE_DLIST(amt_fi_dsrc, struct amt_fi_src, ditem);
DECLARE_DLIST(amt_fi_dgrp, struct amt_fi_grp, ditem);

/* Growable arrays */

static void amt_fi_fanout_push(struct amt_fi_fanout *f, void *owner)
{
	if (f->count == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 4;
		f->owners = XREALLOC(MTYPE_AMT_FI_FANOUT, f->owners, f->cap * sizeof(*f->owners));
	}
	f->owners[f->count++] = owner;
}

static void amt_fi_addrs_push(struct amt_fi_addrs *a, const union amt_ip *addr)
{
	if (a->count == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 16;
		a->addr = XREALLOC(MTYPE_AMT_FI_SCRATCH, a->addr, a->cap * sizeof(*a->addr));
	}
	a->addr[a->count++] = *addr;
}

/* Change tracking */

static void amt_fi_grp_mark_dirty(struct amt_flow_index *idx, struct amt_fi_grp *g)
{
	if (g->dirty)
		return;
	g->dirty = true;
	amt_fi_dgrp_add_tail(&idx->dirty, g);
}

/* The source's lists changed. */
static void amt_fi_src_touch(struct amt_flow_index *idx, struct amt_fi_src *s)
{
	s->fan.valid = false;
	if (!s->dirty) {
		s->dirty = true;
		amt_fi_dsrc_add_tail(&s->grp->dirty_srcs, s);
	}
	amt_fi_grp_mark_dirty(idx, s->grp);
}

/* The group's EXCLUDE-mode tunnel list changed. */
static void amt_fi_grp_touch(struct amt_flow_index *idx, struct amt_fi_grp *g)
{
	g->gen++;
	g->fan.valid = false;
	g->rescan = true;
	amt_fi_grp_mark_dirty(idx, g);
}

/* Entries */

static struct amt_fi_grp *amt_fi_grp_lookup(struct amt_flow_index *idx, uint8_t family,
					    const union amt_ip *addr)
{
	struct amt_fi_grp key;

	key.family = family;
	amt_fi_ip_set(&key.addr, family, addr);
	return amt_fi_grps_find(&idx->grps, &key);
}

static struct amt_fi_grp *amt_fi_grp_get(struct amt_flow_index *idx, uint8_t family,
					 const union amt_ip *addr)
{
	struct amt_fi_grp *g = amt_fi_grp_lookup(idx, family, addr);

	if (g)
		return g;
	g = XCALLOC(MTYPE_AMT_FI_GROUP, sizeof(*g));
	g->family = family;
	amt_fi_ip_set(&g->addr, family, addr);
	g->union_mode = AMT_FILTER_INCLUDE;
	amt_fi_rlist_init(&g->xg);
	amt_fi_slist_init(&g->srcs);
	amt_fi_dsrc_init(&g->dirty_srcs);
	amt_fi_grps_add(&idx->grps, g);
	/* Dirty from birth, so that a flush releases it if it stays empty. */
	amt_fi_grp_mark_dirty(idx, g);
	return g;
}

static void amt_fi_grp_free(struct amt_flow_index *idx, struct amt_fi_grp *g)
{
	amt_fi_grps_del(&idx->grps, g);
	XFREE(MTYPE_AMT_FI_FANOUT, g->fan.owners);
	XFREE(MTYPE_AMT_FI_GROUP, g);
}

static struct amt_fi_src *amt_fi_src_lookup(struct amt_flow_index *idx, struct amt_fi_grp *g,
					    const union amt_ip *addr)
{
	struct amt_fi_src key;

	key.grp = g;
	amt_fi_ip_set(&key.addr, g->family, addr);
	return amt_fi_srcs_find(&idx->srcs, &key);
}

static struct amt_fi_src *amt_fi_src_get(struct amt_flow_index *idx, struct amt_fi_grp *g,
					 const union amt_ip *addr)
{
	struct amt_fi_src *s = amt_fi_src_lookup(idx, g, addr);

	if (s)
		return s;
	s = XCALLOC(MTYPE_AMT_FI_SOURCE, sizeof(*s));
	s->grp = g;
	amt_fi_ip_set(&s->addr, g->family, addr);
	amt_fi_rlist_init(&s->inc);
	amt_fi_rlist_init(&s->excl);
	amt_fi_srcs_add(&idx->srcs, s);
	amt_fi_slist_add_tail(&g->srcs, s);
	amt_fi_src_touch(idx, s);
	return s;
}

static void amt_fi_src_free(struct amt_flow_index *idx, struct amt_fi_src *s)
{
	amt_fi_srcs_del(&idx->srcs, s);
	amt_fi_slist_del(&s->grp->srcs, s);
	XFREE(MTYPE_AMT_FI_FANOUT, s->fan.owners);
	XFREE(MTYPE_AMT_FI_SOURCE, s);
}

static struct amt_fi_ref *amt_fi_ref_lookup(struct amt_flow_index *idx, struct amt_fi_tunnel *t,
					    void *target, uint8_t kind)
{
	struct amt_fi_ref key;

	key.tunnel = t;
	key.target = target;
	key.kind = kind;
	return amt_fi_refs_find(&idx->refs, &key);
}

static struct amt_fi_rlist_head *amt_fi_ref_list(struct amt_fi_ref *r)
{
	struct amt_fi_src *s = r->target;
	struct amt_fi_grp *g = r->target;

	switch (r->kind) {
	case AMT_FI_SG:
		return &s->inc;
	case AMT_FI_EXCL:
		return &s->excl;
	default:
		return &g->xg;
	}
}

static struct amt_fi_ref *amt_fi_ref_new(struct amt_flow_index *idx, struct amt_fi_tunnel *t,
					 void *target, uint8_t kind)
{
	struct amt_fi_ref *r = XCALLOC(MTYPE_AMT_FI_REF, sizeof(*r));

	r->tunnel = t;
	r->target = target;
	r->kind = kind;
	amt_fi_refs_add(&idx->refs, r);
	amt_fi_tlist_add_tail(&t->refs, r);
	amt_fi_rlist_add_tail(amt_fi_ref_list(r), r);
	if (kind == AMT_FI_XG)
		amt_fi_grp_touch(idx, target);
	else
		amt_fi_src_touch(idx, target);
	return r;
}

static void amt_fi_ref_free(struct amt_flow_index *idx, struct amt_fi_ref *r)
{
	struct amt_fi_src *s = r->target;
	struct amt_fi_ref *xg;

	amt_fi_rlist_del(amt_fi_ref_list(r), r);
	amt_fi_tlist_del(&r->tunnel->refs, r);
	amt_fi_refs_del(&idx->refs, r);
	if (r->kind == AMT_FI_XG) {
		amt_fi_grp_touch(idx, r->target);
	} else {
		amt_fi_src_touch(idx, s);
		if (r->kind == AMT_FI_EXCL) {
			xg = amt_fi_ref_lookup(idx, r->tunnel, s->grp, AMT_FI_XG);
			if (xg)
				xg->num_excl--;
		}
	}
	XFREE(MTYPE_AMT_FI_REF, r);
}

/* Drop the exclusions a tunnel still has in g (only on a bad stream). */
static void amt_fi_drop_exclusions(struct amt_flow_index *idx, struct amt_fi_tunnel *t,
				   struct amt_fi_grp *g)
{
	struct amt_fi_ref *r;

	frr_each_safe (amt_fi_tlist, &t->refs, r) {
		if (r->kind == AMT_FI_EXCL && ((struct amt_fi_src *)r->target)->grp == g)
			amt_fi_ref_free(idx, r);
	}
}

/* Tunnels */

struct amt_flow_index *amt_flow_index_new(amt_union_change_fn union_fn, void *arg)
{
	struct amt_flow_index *idx = XCALLOC(MTYPE_AMT_FLOW_INDEX, sizeof(*idx));

	amt_fi_grps_init(&idx->grps);
	amt_fi_srcs_init(&idx->srcs);
	amt_fi_refs_init(&idx->refs);
	amt_fi_tuns_init(&idx->tuns);
	amt_fi_dgrp_init(&idx->dirty);
	idx->union_fn = union_fn;
	idx->arg = arg;
	return idx;
}

void amt_flow_index_free(struct amt_flow_index *idx)
{
	struct amt_fi_tunnel *t;
	struct amt_fi_ref *r;
	struct amt_fi_src *s;
	struct amt_fi_grp *g;

	if (!idx)
		return;
	while ((r = amt_fi_refs_pop(&idx->refs)))
		XFREE(MTYPE_AMT_FI_REF, r);
	while ((t = amt_fi_tuns_pop(&idx->tuns)))
		XFREE(MTYPE_AMT_FI_TUNNEL, t);
	while ((s = amt_fi_srcs_pop(&idx->srcs))) {
		XFREE(MTYPE_AMT_FI_FANOUT, s->fan.owners);
		XFREE(MTYPE_AMT_FI_SOURCE, s);
	}
	while ((g = amt_fi_grps_pop(&idx->grps))) {
		XFREE(MTYPE_AMT_FI_FANOUT, g->fan.owners);
		XFREE(MTYPE_AMT_FI_GROUP, g);
	}
	amt_fi_refs_fini(&idx->refs);
	amt_fi_srcs_fini(&idx->srcs);
	amt_fi_grps_fini(&idx->grps);
	XFREE(MTYPE_AMT_FI_SCRATCH, idx->added.addr);
	XFREE(MTYPE_AMT_FI_SCRATCH, idx->removed.addr);
	XFREE(MTYPE_AMT_FI_SCRATCH, idx->listed.addr);
	XFREE(MTYPE_AMT_FLOW_INDEX, idx);
}

struct amt_fi_tunnel *amt_flow_index_tunnel_add(struct amt_flow_index *idx, void *owner)
{
	struct amt_fi_tunnel *t = XCALLOC(MTYPE_AMT_FI_TUNNEL, sizeof(*t));

	t->idx = idx;
	t->owner = owner;
	amt_fi_tlist_init(&t->refs);
	amt_fi_tuns_add_tail(&idx->tuns, t);
	return t;
}

void amt_flow_index_tunnel_del(struct amt_fi_tunnel *t)
{
	struct amt_flow_index *idx;
	struct amt_fi_ref *r;

	if (!t)
		return;
	idx = t->idx;
	while ((r = amt_fi_tlist_first(&t->refs)))
		amt_fi_ref_free(idx, r);
	amt_fi_tuns_del(&idx->tuns, t);
	XFREE(MTYPE_AMT_FI_TUNNEL, t);
}

void *amt_fi_tunnel_owner(const struct amt_fi_tunnel *t)
{
	return t->owner;
}

/* Membership changes */

static void amt_fi_bad(struct amt_flow_index *idx)
{
	idx->stats.bad_changes++;
}

static void amt_fi_sg_join(struct amt_flow_index *idx, struct amt_fi_tunnel *t,
			   const struct amt_memb_change *chg)
{
	struct amt_fi_grp *g = amt_fi_grp_get(idx, chg->family, chg->group);
	struct amt_fi_src *s = amt_fi_src_get(idx, g, chg->source);

	if (amt_fi_ref_lookup(idx, t, s, AMT_FI_SG))
		amt_fi_bad(idx);
	else
		amt_fi_ref_new(idx, t, s, AMT_FI_SG);
}

/* Remove the (tunnel, S, G) entry of the given kind. */
static void amt_fi_src_ref_del(struct amt_flow_index *idx, struct amt_fi_tunnel *t,
			       const struct amt_memb_change *chg, uint8_t kind)
{
	struct amt_fi_grp *g = amt_fi_grp_lookup(idx, chg->family, chg->group);
	struct amt_fi_src *s = g ? amt_fi_src_lookup(idx, g, chg->source) : NULL;
	struct amt_fi_ref *r = s ? amt_fi_ref_lookup(idx, t, s, kind) : NULL;

	if (r)
		amt_fi_ref_free(idx, r);
	else
		amt_fi_bad(idx);
}

static void amt_fi_xg_join(struct amt_flow_index *idx, struct amt_fi_tunnel *t,
			   const struct amt_memb_change *chg)
{
	struct amt_fi_grp *g = amt_fi_grp_get(idx, chg->family, chg->group);

	if (amt_fi_ref_lookup(idx, t, g, AMT_FI_XG))
		amt_fi_bad(idx);
	else
		amt_fi_ref_new(idx, t, g, AMT_FI_XG);
}

static void amt_fi_excl_add(struct amt_flow_index *idx, struct amt_fi_tunnel *t,
			    const struct amt_memb_change *chg)
{
	struct amt_fi_grp *g = amt_fi_grp_lookup(idx, chg->family, chg->group);
	struct amt_fi_ref *xg = g ? amt_fi_ref_lookup(idx, t, g, AMT_FI_XG) : NULL;
	struct amt_fi_src *s;

	/* An exclusion only means something under (*,G). */
	if (!xg) {
		amt_fi_bad(idx);
		return;
	}
	s = amt_fi_src_get(idx, g, chg->source);
	if (amt_fi_ref_lookup(idx, t, s, AMT_FI_EXCL)) {
		amt_fi_bad(idx);
		return;
	}
	amt_fi_ref_new(idx, t, s, AMT_FI_EXCL);
	xg->num_excl++;
}

static void amt_fi_xg_leave(struct amt_flow_index *idx, struct amt_fi_tunnel *t,
			    const struct amt_memb_change *chg)
{
	struct amt_fi_grp *g = amt_fi_grp_lookup(idx, chg->family, chg->group);
	struct amt_fi_ref *xg = g ? amt_fi_ref_lookup(idx, t, g, AMT_FI_XG) : NULL;

	if (!xg) {
		amt_fi_bad(idx);
		return;
	}
	if (xg->num_excl) {
		amt_fi_bad(idx);
		amt_fi_drop_exclusions(idx, t, g);
	}
	amt_fi_ref_free(idx, xg);
}

void amt_flow_index_change(struct amt_fi_tunnel *t, const struct amt_memb_change *chg)
{
	struct amt_flow_index *idx = t->idx;
	bool needs_source = chg->event != AMT_MEMB_XG_JOIN && chg->event != AMT_MEMB_XG_LEAVE;

	if (!chg->group || (needs_source && !chg->source)) {
		amt_fi_bad(idx);
		return;
	}
	switch (chg->event) {
	case AMT_MEMB_SG_JOIN:
		amt_fi_sg_join(idx, t, chg);
		break;
	case AMT_MEMB_SG_LEAVE:
		amt_fi_src_ref_del(idx, t, chg, AMT_FI_SG);
		break;
	case AMT_MEMB_XG_JOIN:
		amt_fi_xg_join(idx, t, chg);
		break;
	case AMT_MEMB_XG_EXCL_ADD:
		amt_fi_excl_add(idx, t, chg);
		break;
	case AMT_MEMB_XG_EXCL_DEL:
		amt_fi_src_ref_del(idx, t, chg, AMT_FI_EXCL);
		break;
	case AMT_MEMB_XG_LEAVE:
		amt_fi_xg_leave(idx, t, chg);
		break;
	default:
		amt_fi_bad(idx);
		break;
	}
}

void amt_flow_index_membership_cb(void *arg, const struct amt_memb_change *chg)
{
	amt_flow_index_change(arg, chg);
}

/* Union state */

/*
 * RFC 3376 section 3.2: with any member in EXCLUDE mode the union is
 * EXCLUDE, listing the sources every EXCLUDE member excludes and no
 * INCLUDE member includes; else INCLUDE with every included source.
 */
static bool amt_fi_src_in_union(const struct amt_fi_grp *g, const struct amt_fi_src *s)
{
	size_t n_xg = amt_fi_rlist_count(&g->xg);

	if (n_xg)
		return amt_fi_rlist_count(&s->excl) >= n_xg && !amt_fi_rlist_count(&s->inc);
	return amt_fi_rlist_count(&s->inc) > 0;
}

/* Recompute a source's union membership, noting a change. */
static void amt_fi_src_reunite(struct amt_flow_index *idx, const struct amt_fi_grp *g,
			       struct amt_fi_src *s)
{
	bool now = amt_fi_src_in_union(g, s);

	if (now == s->in_union)
		return;
	amt_fi_addrs_push(now ? &idx->added : &idx->removed, &s->addr);
	s->in_union = now;
}

/* The union changed mode: report the old list and the new one whole. */
static void amt_fi_grp_remode(struct amt_flow_index *idx, struct amt_fi_grp *g)
{
	struct amt_fi_src *s;

	frr_each (amt_fi_slist, &g->srcs, s) {
		if (s->in_union)
			amt_fi_addrs_push(&idx->removed, &s->addr);
		s->in_union = amt_fi_src_in_union(g, s);
		if (s->in_union)
			amt_fi_addrs_push(&idx->added, &s->addr);
	}
}

static void amt_fi_grp_report(struct amt_flow_index *idx, const struct amt_fi_grp *g,
			      uint8_t old_mode)
{
	struct amt_union_change chg = {
		.family = g->family,
		.group = &g->addr,
		.old_mode = old_mode,
		.new_mode = g->union_mode,
		.added = idx->added.addr,
		.num_added = idx->added.count,
		.removed = idx->removed.addr,
		.num_removed = idx->removed.count,
	};

	if (old_mode == g->union_mode && !chg.num_added && !chg.num_removed)
		return;
	if (idx->union_fn)
		idx->union_fn(idx->arg, &chg);
}

static void amt_fi_grp_flush(struct amt_flow_index *idx, struct amt_fi_grp *g)
{
	uint8_t old_mode = g->union_mode;
	struct amt_fi_src *s;

	idx->added.count = 0;
	idx->removed.count = 0;
	g->union_mode = amt_fi_rlist_count(&g->xg) ? AMT_FILTER_EXCLUDE : AMT_FILTER_INCLUDE;
	if (g->union_mode != old_mode)
		amt_fi_grp_remode(idx, g);
	else if (g->rescan)
		frr_each (amt_fi_slist, &g->srcs, s)
			amt_fi_src_reunite(idx, g, s);
	else
		frr_each (amt_fi_dsrc, &g->dirty_srcs, s)
			amt_fi_src_reunite(idx, g, s);
	g->rescan = false;
	amt_fi_grp_report(idx, g, old_mode);

	/* Every source nothing refers to any more is dirty, and out of
	 * the union (that needs an INCLUDE or EXCLUDE member). */
	while ((s = amt_fi_dsrc_pop(&g->dirty_srcs))) {
		s->dirty = false;
		if (!amt_fi_rlist_count(&s->inc) && !amt_fi_rlist_count(&s->excl))
			amt_fi_src_free(idx, s);
	}
	if (!amt_fi_rlist_count(&g->xg) && !amt_fi_slist_count(&g->srcs))
		amt_fi_grp_free(idx, g);
}

void amt_flow_index_flush(struct amt_flow_index *idx)
{
	struct amt_fi_grp *g;

	while ((g = amt_fi_dgrp_pop(&idx->dirty))) {
		g->dirty = false;
		amt_fi_grp_flush(idx, g);
	}
}

static void amt_fi_grp_state(struct amt_flow_index *idx, const struct amt_fi_grp *g,
			     amt_union_state_fn fn, void *arg)
{
	struct amt_union_state state = {
		.family = g->family,
		.group = &g->addr,
		.mode = g->union_mode,
	};
	const struct amt_fi_src *s;

	idx->listed.count = 0;
	frr_each (amt_fi_slist_const, &g->srcs, s)
		if (s->in_union)
			amt_fi_addrs_push(&idx->listed, &s->addr);
	if (g->union_mode == AMT_FILTER_INCLUDE && !idx->listed.count)
		return;
	state.sources = idx->listed.addr;
	state.num_sources = idx->listed.count;
	fn(arg, &state);
}

void amt_flow_index_union_walk(struct amt_flow_index *idx, amt_union_state_fn fn, void *arg)
{
	const struct amt_fi_grp *g;

	frr_each (amt_fi_grps_const, &idx->grps, g)
		amt_fi_grp_state(idx, g, fn, arg);
}

bool amt_flow_index_union_group(struct amt_flow_index *idx, uint8_t family,
				const union amt_ip *group, amt_union_state_fn fn, void *arg)
{
	struct amt_fi_grp *g = amt_fi_grp_lookup(idx, family, group);
	bool member;

	if (!g)
		return false;
	member = g->union_mode == AMT_FILTER_EXCLUDE;
	if (!member) {
		const struct amt_fi_src *s;

		frr_each (amt_fi_slist_const, &g->srcs, s)
			member = member || s->in_union;
	}
	if (member)
		amt_fi_grp_state(idx, g, fn, arg);
	return member;
}

/* Fan-out */

static void amt_fi_resolve_group(struct amt_flow_index *idx, struct amt_fi_grp *g)
{
	const struct amt_fi_ref *r;

	g->fan.count = 0;
	frr_each (amt_fi_rlist_const, &g->xg, r)
		amt_fi_fanout_push(&g->fan, r->tunnel->owner);
	g->fan.valid = true;
	idx->stats.resolves++;
	idx->stats.resolve_visits += amt_fi_rlist_count(&g->xg);
}

/*
 * The tunnels including (S,G), then the EXCLUDE-mode tunnels that do not
 * exclude S; marks keep a tunnel from appearing twice.
 */
static void amt_fi_resolve_source(struct amt_flow_index *idx, struct amt_fi_grp *g,
				  struct amt_fi_src *s)
{
	uint64_t stamp = ++idx->stamp;
	const struct amt_fi_ref *r;

	s->fan.count = 0;
	frr_each (amt_fi_rlist_const, &s->inc, r) {
		r->tunnel->mark = stamp;
		amt_fi_fanout_push(&s->fan, r->tunnel->owner);
	}
	frr_each (amt_fi_rlist_const, &s->excl, r)
		r->tunnel->mark = stamp;
	frr_each (amt_fi_rlist_const, &g->xg, r)
		if (r->tunnel->mark != stamp)
			amt_fi_fanout_push(&s->fan, r->tunnel->owner);
	s->fan.gen = g->gen;
	s->fan.valid = true;
	idx->stats.resolves++;
	idx->stats.resolve_visits += amt_fi_rlist_count(&s->inc) + amt_fi_rlist_count(&s->excl) +
				     amt_fi_rlist_count(&g->xg);
}

struct amt_fanout amt_flow_index_lookup(struct amt_flow_index *idx, uint8_t family,
					const union amt_ip *source, const union amt_ip *group)
{
	struct amt_fanout out = {};
	struct amt_fi_grp *g;
	struct amt_fi_src *s;

	idx->stats.lookups++;
	g = amt_fi_grp_lookup(idx, family, group);
	if (!g)
		return out;
	s = amt_fi_src_lookup(idx, g, source);
	if (!s) {
		if (!g->fan.valid)
			amt_fi_resolve_group(idx, g);
		out.owners = g->fan.owners;
		out.count = g->fan.count;
		return out;
	}
	if (!s->fan.valid || s->fan.gen != g->gen)
		amt_fi_resolve_source(idx, g, s);
	out.owners = s->fan.owners;
	out.count = s->fan.count;
	return out;
}

void amt_flow_index_get_stats(const struct amt_flow_index *idx, struct amt_flow_index_stats *stats)
{
	*stats = idx->stats;
	stats->tunnels = amt_fi_tuns_count(&idx->tuns);
	stats->groups = amt_fi_grps_count(&idx->grps);
	stats->sources = amt_fi_srcs_count(&idx->srcs);
	stats->refs = amt_fi_refs_count(&idx->refs);
}
