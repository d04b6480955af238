// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AMT relay: the feed of host reports to pimd.  The union of all tunnels'
 * membership is presented to pimd as IGMPv3/MLDv2 host reports written into
 * the pseudo-interface.  Records are queued, packed into reports up to the
 * interface's MTU, and written a burst at a time so that pimd's socket is
 * never flooded; state changes are repeated robustness - 1 times, as a
 * host repeats its State-Change Reports (RFC 3376 section 5.1, RFC 3810
 * section 6.1).
 */
#include <zebra.h>

#include "lib/frrevent.h"
#include "lib/jhash.h"
#include "lib/memory.h"
#include "lib/typesafe.h"

#include "amtd.h"
#include "amt_debug.h"
#include "amt_igmp.h"
#include "amt_memory.h"
#include "amt_relay.h"
#include "amt_relay_advertise.h"

DEFINE_MTYPE_STATIC(AMTD, AMT_FEED, "AMT relay report feed");
DEFINE_MTYPE_STATIC(AMTD, AMT_FEED_REC, "AMT relay queued report record");
DEFINE_MTYPE_STATIC(AMTD, AMT_FEED_DIRTY, "AMT relay group to report again");

/* Reports inside the pseudo-interface's MTU (1450, amt_tun.c). */
#define AMT_FEED_REPORT_MAX 1400
/* Reports written per burst, and the pause between bursts. */
#define AMT_FEED_BURST	    32
#define AMT_FEED_BURST_GAP_MS 5
/* Records packed together before reports are built from them. */
#define AMT_FEED_PACK 256
/* RFC 3376 8.11 / RFC 3810 9.11: Unsolicited Report Interval, 1 s. */
#define AMT_FEED_REPEAT_MS 1000

PREDECL_DLIST(amt_feed_queue);
PREDECL_HASH(amt_feed_dirty);

/* A record waiting to be written, with its sources packed after it. */
struct amt_feed_rec {
	struct amt_feed_queue_item item;
	uint8_t family;
	uint8_t type;
	union amt_ip group;
	uint32_t num_sources;
	uint8_t sources[];
};

DECLARE_DLIST(amt_feed_queue, struct amt_feed_rec, item);

/* A group whose last change is to be reported again. */
struct amt_feed_group {
	struct amt_feed_dirty_item item;
	uint8_t family;
	union amt_ip group;
	uint8_t repeats; /* left */
};

static int amt_feed_group_cmp(const struct amt_feed_group *a, const struct amt_feed_group *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(&a->group, &b->group, sizeof(a->group));
}

static uint32_t amt_feed_group_hash(const struct amt_feed_group *g)
{
	return jhash(&g->group, sizeof(g->group), g->family);
}

DECLARE_HASH(amt_feed_dirty, struct amt_feed_group, item, amt_feed_group_cmp,
	     amt_feed_group_hash);

static void amt_feed_repeat(struct event *event);

struct amt_relay_feed {
	struct amt_relay *relay;
	struct amt_feed_queue_head queue;
	struct amt_feed_dirty_head dirty;
	struct event *t_write;
	struct event *t_repeat;
};

static size_t amt_feed_alen(int family)
{
	return family == AF_INET ? 4 : 16;
}

/* The unspecified IPv4 source and a fixed link-local IPv6 source. */
static void amt_feed_source(int family, union amt_ip *src)
{
	memset(src, 0, sizeof(*src));
	if (family == AF_INET6) {
		src->v6.s6_addr[0] = 0xfe;
		src->v6.s6_addr[1] = 0x80;
		src->v6.s6_addr[15] = 0xa3;
	}
}

static void amt_feed_write_one(struct amt_relay *relay, const uint8_t *pkt, ssize_t len)
{
	if (len <= 0 || relay->inst->tun_fd < 0 ||
	    write(relay->inst->tun_fd, pkt, len) != len) {
		relay->stats.tun_write_errors++;
		DEBUGD(&amt_dbg_packets, "AMT relay %s: cannot write report: %s", relay->inst->name,
		       len <= 0 ? "cannot build it" : safe_strerror(errno));
		return;
	}
	relay->stats.tun_reports_written++;
}

/*
 * Write the records at the head of the queue that share its family, packed
 * into as few reports as fit; returns the reports written.
 */
static unsigned int amt_feed_write_pack(struct amt_relay_feed *feed)
{
	struct amt_group_record recs[AMT_FEED_PACK];
	struct amt_feed_rec *taken[AMT_FEED_PACK], *r;
	struct amt_report_cursor cur = {};
	uint8_t pkt[AMT_FEED_REPORT_MAX];
	unsigned int n = 0, written = 0;
	union amt_ip src;
	int family;
	ssize_t len;

	r = amt_feed_queue_first(&feed->queue);
	if (!r)
		return 0;
	family = r->family;
	while (n < AMT_FEED_PACK && (r = amt_feed_queue_first(&feed->queue)) &&
	       r->family == family) {
		amt_feed_queue_del(&feed->queue, r);
		memset(&recs[n], 0, sizeof(recs[n]));
		recs[n].family = family;
		recs[n].version = family == AF_INET ? 3 : 2;
		recs[n].type = r->type;
		recs[n].group = r->group;
		recs[n].num_sources = r->num_sources;
		recs[n].sources = r->num_sources ? r->sources : NULL;
		taken[n++] = r;
	}
	amt_feed_source(family, &src);
	while ((len = amt_report_build_part(pkt, sizeof(pkt), family, &src, recs, n, &cur)) != 0) {
		if (len < 0) {
			/* A record the codec refuses: count it, go on without it. */
			amt_feed_write_one(feed->relay, pkt, -1);
			cur.rec++;
			cur.src = 0;
			continue;
		}
		amt_feed_write_one(feed->relay, pkt, len);
		written++;
	}
	for (unsigned int i = 0; i < n; i++)
		XFREE(MTYPE_AMT_FEED_REC, taken[i]);
	return written;
}

/* A burst of reports; the rest after a pause, so that pimd keeps up. */
static void amt_feed_write(struct event *event)
{
	struct amt_relay_feed *feed = EVENT_ARG(event);
	unsigned int written = 0;

	while (written < AMT_FEED_BURST && amt_feed_queue_count(&feed->queue))
		written += amt_feed_write_pack(feed);
	if (amt_feed_queue_count(&feed->queue))
		event_add_timer_msec(master, amt_feed_write, feed, AMT_FEED_BURST_GAP_MS,
				     &feed->t_write);
}

static void amt_feed_kick(struct amt_relay_feed *feed)
{
	if (!feed->t_write)
		event_add_timer_msec(master, amt_feed_write, feed, 0, &feed->t_write);
}

/* Queue one record (type, group, sources given as addresses). */
static void amt_feed_queue_record(struct amt_relay_feed *feed, int family, uint8_t type,
				  const union amt_ip *group, const union amt_ip *sources,
				  uint32_t num)
{
	size_t alen = amt_feed_alen(family);
	struct amt_feed_rec *r;

	/* IGMPv3/MLDv2 records count their sources in 16 bits. */
	num = MIN(num, UINT16_MAX);
	r = XCALLOC(MTYPE_AMT_FEED_REC, sizeof(*r) + num * alen);
	r->family = family;
	r->type = type;
	r->group = *group;
	r->num_sources = num;
	for (uint32_t i = 0; i < num; i++)
		memcpy(r->sources + i * alen, &sources[i], alen);
	amt_feed_queue_add_tail(&feed->queue, r);
	amt_feed_kick(feed);
}

/* ------------------------------------------------------- state changes */

static void amt_feed_mark_dirty(struct amt_relay_feed *feed, int family, const union amt_ip *group)
{
	struct amt_feed_group key = { .family = family, .group = *group }, *g;
	uint8_t repeats = feed->relay->cfg.robustness > 1 ? feed->relay->cfg.robustness - 1 : 0;

	if (!repeats)
		return;
	g = amt_feed_dirty_find(&feed->dirty, &key);
	if (!g) {
		g = XCALLOC(MTYPE_AMT_FEED_DIRTY, sizeof(*g));
		*g = key;
		amt_feed_dirty_add(&feed->dirty, g);
	}
	g->repeats = repeats;
	if (!feed->t_repeat)
		event_add_timer_msec(master, amt_feed_repeat, feed, AMT_FEED_REPEAT_MS,
				     &feed->t_repeat);
}

static void amt_feed_repeat_state(void *arg, const struct amt_union_state *st)
{
	struct amt_relay_feed *feed = arg;

	amt_feed_queue_record(feed, st->family,
			      st->mode == AMT_FILTER_INCLUDE ? AMT_REC_CHANGE_TO_INCLUDE
							     : AMT_REC_CHANGE_TO_EXCLUDE,
			      st->group, st->sources, st->num_sources);
}

/*
 * Repeat each changed group, as filter-mode-change records of its current
 * state rather than the change itself: a repeat never undoes a later
 * change, and the router's group-and-source-specific query after TO_IN
 * clears sources a lost BLOCK should have removed.  A group that is gone
 * is repeated as TO_IN ({}).
 */
static void amt_feed_repeat(struct event *event)
{
	struct amt_relay_feed *feed = EVENT_ARG(event);
	struct amt_feed_group *g;

	frr_each_safe (amt_feed_dirty, &feed->dirty, g) {
		if (!amt_flow_index_union_group(feed->relay->index, g->family, &g->group,
						amt_feed_repeat_state, feed))
			amt_feed_queue_record(feed, g->family, AMT_REC_CHANGE_TO_INCLUDE,
					      &g->group, NULL, 0);
		if (--g->repeats == 0) {
			amt_feed_dirty_del(&feed->dirty, g);
			XFREE(MTYPE_AMT_FEED_DIRTY, g);
		}
	}
	if (amt_feed_dirty_count(&feed->dirty))
		event_add_timer_msec(master, amt_feed_repeat, feed, AMT_FEED_REPEAT_MS,
				     &feed->t_repeat);
}

/* Flow index callback: the union of one group changed. */
void amt_relay_union_changed(void *arg, const struct amt_union_change *chg)
{
	struct amt_relay *relay = arg;
	struct amt_relay_feed *feed = relay->feed;
	bool include = chg->new_mode == AMT_FILTER_INCLUDE;

	DEBUGD(&amt_dbg_events, "AMT relay %s: union of a group changed: %s, +%u -%u",
	       relay->inst->name, include ? "include" : "exclude", chg->num_added, chg->num_removed);

	amt_feed_mark_dirty(feed, chg->family, chg->group);
	if (chg->old_mode != chg->new_mode) {
		amt_feed_queue_record(feed, chg->family,
				      include ? AMT_REC_CHANGE_TO_INCLUDE : AMT_REC_CHANGE_TO_EXCLUDE,
				      chg->group, chg->added, chg->num_added);
		return;
	}
	/* RFC 3376 section 5.1: in EXCLUDE mode the list holds the blocked. */
	if (chg->num_added)
		amt_feed_queue_record(feed, chg->family,
				      include ? AMT_REC_ALLOW_NEW_SOURCES : AMT_REC_BLOCK_OLD_SOURCES,
				      chg->group, chg->added, chg->num_added);
	if (chg->num_removed)
		amt_feed_queue_record(feed, chg->family,
				      include ? AMT_REC_BLOCK_OLD_SOURCES : AMT_REC_ALLOW_NEW_SOURCES,
				      chg->group, chg->removed, chg->num_removed);
}

/* ------------------------------------------------------- queries */

struct amt_feed_answer {
	struct amt_relay_feed *feed;
	int family;
};

static void amt_feed_answer_group(void *arg, const struct amt_union_state *st)
{
	struct amt_feed_answer *qa = arg;

	if (st->family != qa->family)
		return;
	amt_feed_queue_record(qa->feed, st->family,
			      st->mode == AMT_FILTER_INCLUDE ? AMT_REC_MODE_IS_INCLUDE
							     : AMT_REC_MODE_IS_EXCLUDE,
			      st->group, st->sources, st->num_sources);
}

/* pimd queried the pseudo-interface: report the current union state. */
void amt_relay_answer_query(struct amt_relay *relay, const struct amt_query *q)
{
	struct amt_feed_answer qa = { .feed = relay->feed, .family = q->family };
	bool general = q->family == AF_INET ? q->group.v4.s_addr == INADDR_ANY
					    : IN6_IS_ADDR_UNSPECIFIED(&q->group.v6);

	relay->stats.tun_queries++;
	amt_relay_adv_pim_query(relay, q);
	if (general)
		amt_flow_index_union_walk(relay->index, amt_feed_answer_group, &qa);
	else
		amt_flow_index_union_group(relay->index, q->family, &q->group,
					   amt_feed_answer_group, &qa);
}

/* ------------------------------------------------------- lifecycle */

struct amt_relay_feed *amt_relay_feed_new(struct amt_relay *relay)
{
	struct amt_relay_feed *feed = XCALLOC(MTYPE_AMT_FEED, sizeof(*feed));

	feed->relay = relay;
	amt_feed_queue_init(&feed->queue);
	amt_feed_dirty_init(&feed->dirty);
	return feed;
}

uint32_t amt_relay_feed_queued(const struct amt_relay_feed *feed)
{
	return amt_feed_queue_count(&feed->queue);
}

void amt_relay_feed_free(struct amt_relay_feed **feedp)
{
	struct amt_relay_feed *feed = *feedp;
	struct amt_feed_rec *r;
	struct amt_feed_group *g;

	if (!feed)
		return;
	EVENT_OFF(feed->t_write);
	EVENT_OFF(feed->t_repeat);
	while ((r = amt_feed_queue_pop(&feed->queue)))
		XFREE(MTYPE_AMT_FEED_REC, r);
	while ((g = amt_feed_dirty_pop(&feed->dirty)))
		XFREE(MTYPE_AMT_FEED_DIRTY, g);
	amt_feed_queue_fini(&feed->queue);
	amt_feed_dirty_fini(&feed->dirty);
	XFREE(MTYPE_AMT_FEED, *feedp);
}
