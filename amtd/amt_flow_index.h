// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The flow index of an AMT relay: which tunnels want which (S,G), over all
 * tunnels, fed incrementally by the per-tunnel membership changes
 * (amt_membership.h).
 *
 * It answers the data plane's question "to which tunnels does a packet
 * from S to G go?" at a cost proportional to the matching tunnels, and
 * keeps the union of all tunnels' states per group, merged as RFC 3376
 * section 3.2 merges socket states into an interface state, reporting
 * changes of that union so the relay can write host-side reports for pimd.
 *
 * Tunnels are registered with an opaque owner pointer (the relay's tunnel);
 * the index hands out a small handle per tunnel to feed changes through.
 */
#ifndef _AMT_FLOW_INDEX_H
#define _AMT_FLOW_INDEX_H

#include <stdbool.h>
#include <stdint.h>

#include "amt_group_record.h"
#include "amt_membership.h"

#ifdef __cplusplus
extern "C" {
#endif

struct amt_flow_index;
struct amt_fi_tunnel;

/* The tunnels a packet goes to: the owners given at registration, each
 * once.  Valid until the index is next changed. */
struct amt_fanout {
	void *const *owners;
	uint32_t count;
};

/*
 * A change of the union state of one group (RFC 3376 section 3.2 merge).
 * A group without members is INCLUDE ({}).
 * - Mode unchanged: `added` and `removed` are the sources that entered
 *   and left the list (INCLUDE: ALLOW (added), BLOCK (removed); EXCLUDE:
 *   BLOCK (added), ALLOW (removed)).
 * - Mode changed: `added` is the whole new list, `removed` the whole old
 *   one (TO_EX (added) or TO_IN (added)).
 */
struct amt_union_change {
	uint8_t family;
	const union amt_ip *group;
	enum amt_filter_mode old_mode;
	enum amt_filter_mode new_mode;
	const union amt_ip *added;
	uint32_t num_added;
	const union amt_ip *removed;
	uint32_t num_removed;
};

/* Must not change the index. */
typedef void (*amt_union_change_fn)(void *arg, const struct amt_union_change *chg);

/* The union state of one group as last reported. */
struct amt_union_state {
	uint8_t family;
	const union amt_ip *group;
	enum amt_filter_mode mode;
	const union amt_ip *sources;
	uint32_t num_sources;
};

typedef void (*amt_union_state_fn)(void *arg, const struct amt_union_state *state);

struct amt_flow_index_stats {
	uint32_t tunnels;
	uint32_t groups;
	uint32_t sources;
	/* (tunnel, S, G), (tunnel, *, G) and exclusion entries. */
	uint32_t refs;
	uint64_t lookups;
	/* Fan-out lists resolved, and the tunnel entries walked to do so. */
	uint64_t resolves;
	uint64_t resolve_visits;
	/* Changes inconsistent with the index (ignored). */
	uint64_t bad_changes;
};

/* union_fn may be NULL. */
extern struct amt_flow_index *amt_flow_index_new(amt_union_change_fn union_fn, void *arg);
/* Frees everything, tunnels included, without reporting. */
extern void amt_flow_index_free(struct amt_flow_index *idx);

extern struct amt_fi_tunnel *amt_flow_index_tunnel_add(struct amt_flow_index *idx, void *owner);
/* Removes all of the tunnel's contributions, then the handle. */
extern void amt_flow_index_tunnel_del(struct amt_fi_tunnel *t);
extern void *amt_fi_tunnel_owner(const struct amt_fi_tunnel *t);

/* Feed one membership change of tunnel t. */
extern void amt_flow_index_change(struct amt_fi_tunnel *t, const struct amt_memb_change *chg);
/* An amt_membership_change_fn; arg is the struct amt_fi_tunnel *. */
extern void amt_flow_index_membership_cb(void *arg, const struct amt_memb_change *chg);

/*
 * Report the union changes accumulated since the last flush, one report
 * per changed group, and release entries nothing refers to any more.
 * Call it after each batch (a Membership Update, an expiry run, a tunnel
 * removal): transient states inside a batch are never reported.
 */
extern void amt_flow_index_flush(struct amt_flow_index *idx);

/* The tunnels that want (S,G): those with (S,G) in INCLUDE mode and
 * those with (*,G) in EXCLUDE mode not excluding S.  An IPv4 address is
 * read from the first four bytes of union amt_ip. */
extern struct amt_fanout amt_flow_index_lookup(struct amt_flow_index *idx, uint8_t family,
					       const union amt_ip *source,
					       const union amt_ip *group);

/* The union state as last flushed: every group with members, or one. */
extern void amt_flow_index_union_walk(struct amt_flow_index *idx, amt_union_state_fn fn, void *arg);
extern bool amt_flow_index_union_group(struct amt_flow_index *idx, uint8_t family,
				       const union amt_ip *group, amt_union_state_fn fn, void *arg);

extern void amt_flow_index_get_stats(const struct amt_flow_index *idx,
				     struct amt_flow_index_stats *stats);

#ifdef __cplusplus
}
#endif

#endif /* _AMT_FLOW_INDEX_H */
