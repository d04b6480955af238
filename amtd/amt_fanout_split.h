// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A relay's fan-out, sent over several events.
 *
 * One multicast packet to 100,000 tunnels is 100,000 datagrams: several
 * hundred milliseconds of sendmmsg, in which the event loop would serve
 * nothing else.  A fan-out larger than a slice is sent a slice per event:
 * the packets (a run of one channel, as they were read) and the tunnels
 * still to serve are copied into a job, and the jobs are served first in,
 * first out, a slice's worth of datagrams per event, before the relay
 * reads anything newer from its pseudo-interface.  A tunnel therefore gets
 * a channel's packets in the order they were read, as without the split.
 *
 * Pure code: the owners are opaque pointers; whether an owner still exists
 * when its turn comes is the caller's business (the relay keeps a tunnel
 * freed in between as a husk until the queue is empty, amt_relay_tunnel.c).
 */
#ifndef _AMT_FANOUT_SPLIT_H
#define _AMT_FANOUT_SPLIT_H

#include <stdbool.h>
#include <stdint.h>

#include "amt_gso.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Packets of one job at most: one read event's batch. */
#define AMT_FO_MAX_PKTS 64

/* Slice sizes, in datagrams (YANG leaf fanout-slice). */
#define AMT_FO_SLICE_MIN     64
#define AMT_FO_SLICE_MAX     1000000
#define AMT_FO_SLICE_DEFAULT 4096

struct amt_fo_job;

struct amt_fo_queue {
	struct amt_fo_job *head, *tail;
	/* Jobs whose last slice was taken, until amt_fo_queue_release(). */
	struct amt_fo_job *done;
	uint32_t jobs;
	/* Datagrams still to send: the sum of owners left x packets. */
	uint64_t pending;
};

/*
 * One slice to send: pkts[0..npkts) to each of owners[0..count).  Valid
 * until amt_fo_queue_release() or amt_fo_queue_drop().
 */
struct amt_fo_slice {
	const struct amt_gso_pkt *pkts;
	unsigned int npkts;
	void *const *owners;
	uint32_t count;
};

/*
 * How many owners of a fan-out of npkts packets each one slice of `slice`
 * datagrams serves: at least one (a run of packets to one tunnel is never
 * cut), at most `count`.
 */
extern uint32_t amt_fo_owners_per_slice(uint32_t slice, unsigned int npkts, uint32_t count);

extern void amt_fo_queue_init(struct amt_fo_queue *q);
/* Frees every job; returns the datagrams they had left to send. */
extern uint64_t amt_fo_queue_drop(struct amt_fo_queue *q);

static inline bool amt_fo_queue_empty(const struct amt_fo_queue *q)
{
	return q->head == NULL;
}

/*
 * Queue pkts[0..npkts) (1..AMT_FO_MAX_PKTS, each copied) for owners
 * [from, count) of owners (copied).  Nothing is queued when from >= count.
 */
extern void amt_fo_queue_add(struct amt_fo_queue *q, const struct amt_gso_pkt *pkts,
			     unsigned int npkts, void *const *owners, uint32_t from, uint32_t count);

/*
 * The next slice of the first job: as many of its owners as `budget`
 * datagrams cover (at least one).  Returns false when the queue is empty;
 * *budget is decreased by the slice's datagrams (not below 0).
 */
extern bool amt_fo_queue_next(struct amt_fo_queue *q, uint32_t *budget, struct amt_fo_slice *s);
/* Free the jobs served completely, once their slices have been sent. */
extern void amt_fo_queue_release(struct amt_fo_queue *q);

#ifdef __cplusplus
}
#endif

#endif /* _AMT_FANOUT_SPLIT_H */
