// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Router-side group membership state of one AMT tunnel: IGMPv3 (RFC 3376
 * section 6) and MLDv2 (RFC 3810 section 7) filter modes, source lists,
 * group and source timers, and the IGMPv1/v2 / MLDv1 compatibility rules
 * (RFC 3376 section 7.3.2, RFC 3810 section 8.3.2).
 *
 * Pure code: timers are absolute expiry times (monotonic milliseconds)
 * passed in by the caller, never armed here.  Every change of what the
 * tunnel wants forwarded is reported through a callback.
 */
#ifndef _AMT_MEMBERSHIP_H
#define _AMT_MEMBERSHIP_H

#include <stdbool.h>
#include <stdint.h>

#include "amt_group_record.h"

#ifdef __cplusplus
extern "C" {
#endif

/* "No timer": what amt_membership_next_expiry() returns without state. */
#define AMT_TIME_NEVER UINT64_MAX

enum amt_filter_mode {
	AMT_FILTER_INCLUDE = 1,
	AMT_FILTER_EXCLUDE = 2,
};

/*
 * Per-tunnel parameters.  The derived intervals are
 *   GMI  = robustness * query_interval + query_response_interval
 *          (Group Membership Interval, RFC 3376 8.4; MALI, RFC 3810 9.4)
 *   LMQT = last_member_query_interval * last_member_query_count
 *          (RFC 3376 8.14; LLQT, RFC 3810 9.14)
 *   OHPI = robustness * query_interval + query_response_interval
 *          (Older Host Present Interval, RFC 3376 8.13; RFC 3810 9.12)
 */
struct amt_membership_params {
	uint32_t query_interval_ms;
	uint32_t query_response_interval_ms;
	uint32_t last_member_query_interval_ms;
	uint8_t robustness;
	uint8_t last_member_query_count;
	/*
	 * The relay cannot send group- or source-specific queries down a
	 * tunnel, and the gateway is the tunnel's only host, so by default
	 * the RFC's "Send Q(G)" and "Send Q(G,S)" actions drop the timers
	 * concerned to zero at once (fast leave).  With lmqt_leave set they
	 * are lowered to LMQT instead, as the RFC describes.
	 */
	bool lmqt_leave;
	/* Limits per tunnel; 0 means no limit.  max_sources counts the
	 * source records of all groups of the tunnel (X and Y alike). */
	uint32_t max_groups;
	uint32_t max_sources;
};

/* Forwarding decision changes reported by the membership state. */
enum amt_memb_event {
	/* INCLUDE mode: the tunnel now wants (S,G). */
	AMT_MEMB_SG_JOIN = 1,
	/* INCLUDE mode: the tunnel no longer wants (S,G). */
	AMT_MEMB_SG_LEAVE,
	/* EXCLUDE mode entered: (*,G) wanted, no exclusions yet. */
	AMT_MEMB_XG_JOIN,
	/* EXCLUDE mode: S added to the exclusion list Y of (*,G). */
	AMT_MEMB_XG_EXCL_ADD,
	/* EXCLUDE mode: S removed from the exclusion list of (*,G). */
	AMT_MEMB_XG_EXCL_DEL,
	/* (*,G) no longer wanted; always preceded by EXCL_DEL of every
	 * exclusion, so the exclusion list is empty by then. */
	AMT_MEMB_XG_LEAVE,
};

/*
 * One change.  group and source point into the membership state and are
 * valid for the duration of the callback only; source is NULL for
 * XG_JOIN and XG_LEAVE.  When a group switches mode, the new mode's state
 * is reported before the old mode's state is withdrawn, so forwarding is
 * never interrupted in between.
 */
struct amt_memb_change {
	enum amt_memb_event event;
	uint8_t family;
	const union amt_ip *group;
	const union amt_ip *source;
};

typedef void (*amt_membership_change_fn)(void *arg, const struct amt_memb_change *chg);

enum amt_memb_result {
	/* Applied (possibly without any change). */
	AMT_MEMB_OK = 0,
	/* Dropped by the compatibility rules (e.g. BLOCK in IGMPv2 mode). */
	AMT_MEMB_IGNORED,
	/* Refused as a whole: it would exceed max_groups or max_sources. */
	AMT_MEMB_LIMIT,
	/* Malformed: unknown family, type or version, non-multicast group. */
	AMT_MEMB_INVALID,
};

struct amt_membership;
struct amt_mgroup;
struct amt_msource;

/* A snapshot of one group, for show output. Times are absolute. */
struct amt_mgroup_info {
	uint8_t family;
	enum amt_filter_mode mode;
	/* IGMP 1, 2 or 3; MLD 1 or 2: the group compatibility mode. */
	uint8_t compat_version;
	union amt_ip group;
	/* Group timer expiry, EXCLUDE mode only (else 0). */
	uint64_t group_timer;
	/* Older host present timers, 0 when not running.  For MLD only
	 * older_v2_host is used (MLDv1 hosts). */
	uint64_t older_v1_host;
	uint64_t older_v2_host;
	uint32_t num_sources;
};

struct amt_msource_info {
	union amt_ip source;
	/* Source timer expiry; 0 when stopped. */
	uint64_t timer;
	/* EXCLUDE mode: in the exclusion list Y (not forwarded). */
	bool excluded;
};

/* RFC defaults (RV 2, QI 125 s, QRI 10 s, LMQI 1 s, LMQC 2), fast leave,
 * no limits. */
extern void amt_membership_params_default(struct amt_membership_params *p);
extern uint64_t amt_membership_gmi(const struct amt_membership_params *p);
extern uint64_t amt_membership_lmqt(const struct amt_membership_params *p);
extern uint64_t amt_membership_ohpi(const struct amt_membership_params *p);

/* change_fn may be NULL. */
extern struct amt_membership *amt_membership_new(const struct amt_membership_params *params,
						 amt_membership_change_fn change_fn, void *arg);
/* Redirect the change reports (e.g. to a rebuilt consumer). */
extern void amt_membership_set_change_fn(struct amt_membership *m,
					 amt_membership_change_fn change_fn, void *arg);
/* Free all state without reporting anything. */
extern void amt_membership_free(struct amt_membership *m);
/* Withdraw all state, reporting every withdrawal, and keep the object. */
extern void amt_membership_clear(struct amt_membership *m);
/* Report the current state as joins (after a consumer is rebuilt). */
extern void amt_membership_replay(struct amt_membership *m);
/* New parameters apply to timers set from now on; limits to later
 * records (existing state beyond a lowered limit is kept). */
extern void amt_membership_set_params(struct amt_membership *m,
				      const struct amt_membership_params *p);
extern const struct amt_membership_params *amt_membership_get_params(const struct amt_membership *m);

/*
 * Apply one group record received at `now`: first every timer that
 * expired up to `now`, then the RFC 3376 6.4 / RFC 3810 7.4 action.
 */
extern enum amt_memb_result amt_membership_apply(struct amt_membership *m,
						 const struct amt_group_record *rec, uint64_t now);

/* Apply every timer expiry up to and including `now`. */
extern void amt_membership_expire(struct amt_membership *m, uint64_t now);
/* The earliest pending expiry, or AMT_TIME_NEVER. */
extern uint64_t amt_membership_next_expiry(struct amt_membership *m);

/* Does the tunnel want traffic from source to group, as of the last
 * apply/expire?  (Everywhere, an IPv4 address is read from the first four
 * bytes of union amt_ip; the rest need not be zero.) */
extern bool amt_membership_wants(const struct amt_membership *m, uint8_t family,
				 const union amt_ip *source, const union amt_ip *group);

extern uint32_t amt_membership_num_groups(const struct amt_membership *m);
extern uint32_t amt_membership_num_sources(const struct amt_membership *m);

/* Iteration in (family, address) order; no changes while iterating. */
extern const struct amt_mgroup *amt_membership_group_find(const struct amt_membership *m,
							  uint8_t family, const union amt_ip *group);
extern const struct amt_mgroup *amt_membership_group_first(const struct amt_membership *m);
extern const struct amt_mgroup *amt_membership_group_next(const struct amt_membership *m,
							  const struct amt_mgroup *g);
extern void amt_mgroup_get_info(const struct amt_mgroup *g, uint64_t now,
				struct amt_mgroup_info *info);
extern const struct amt_msource *amt_mgroup_source_first(const struct amt_mgroup *g);
extern const struct amt_msource *amt_mgroup_source_next(const struct amt_mgroup *g,
							const struct amt_msource *s);
extern void amt_msource_get_info(const struct amt_msource *s, struct amt_msource_info *info);

/*
 * Restore one group as amt_mgroup_get_info() and amt_msource_get_info()
 * described it (a relay's restart snapshot): mode, group timer (EXCLUDE
 * only), older host present timers and the sources with their timers, all
 * absolute; src is sorted by address without duplicates.  Reports the
 * joins as amt_membership_apply() would.  Refused as a whole: an invalid
 * or existing group, bad timers for the mode (AMT_MEMB_INVALID), or one
 * beyond max_groups or max_sources (AMT_MEMB_LIMIT).
 */
extern enum amt_memb_result amt_membership_restore_group(struct amt_membership *m,
							 const struct amt_mgroup_info *info,
							 const struct amt_msource_info *src,
							 uint32_t nsrc);

#ifdef __cplusplus
}
#endif

#endif /* _AMT_MEMBERSHIP_H */
