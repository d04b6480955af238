// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A relay's fan-out, sent over several events (amt_fanout_split.h).
 */
#include <zebra.h>

#include <string.h>

#include "memory.h"

#include "amt_fanout_split.h"
#include "amt_memory.h"

DEFINE_MTYPE_STATIC(AMTD, AMT_FO_JOB, "AMT relay split fan-out");

struct amt_fo_job {
	struct amt_fo_job *next;
	struct amt_gso_pkt pkts[AMT_FO_MAX_PKTS];
	unsigned int npkts;
	/* Owners [at, count) are still to be served. */
	void **owners;
	uint32_t count, at;
	/* The packets' bytes, back to back; pkts[] point into it. */
	uint8_t data[];
};

uint32_t amt_fo_owners_per_slice(uint32_t slice, unsigned int npkts, uint32_t count)
{
	uint32_t n;

	if (npkts == 0)
		return count;
	n = slice / npkts;
	n = MAX(n, 1u);
	return MIN(n, count);
}

void amt_fo_queue_init(struct amt_fo_queue *q)
{
	memset(q, 0, sizeof(*q));
}

static void amt_fo_job_free(struct amt_fo_job *j)
{
	if (!j)
		return;
	XFREE(MTYPE_AMT_FO_JOB, j->owners);
	XFREE(MTYPE_AMT_FO_JOB, j);
}

void amt_fo_queue_release(struct amt_fo_queue *q)
{
	struct amt_fo_job *j;

	while ((j = q->done)) {
		q->done = j->next;
		amt_fo_job_free(j);
	}
}

uint64_t amt_fo_queue_drop(struct amt_fo_queue *q)
{
	uint64_t left = q->pending;
	struct amt_fo_job *j;

	amt_fo_queue_release(q);
	while ((j = q->head)) {
		q->head = j->next;
		amt_fo_job_free(j);
	}
	q->tail = NULL;
	q->jobs = 0;
	q->pending = 0;
	return left;
}

void amt_fo_queue_add(struct amt_fo_queue *q, const struct amt_gso_pkt *pkts, unsigned int npkts,
		      void *const *owners, uint32_t from, uint32_t count)
{
	struct amt_fo_job *j;
	size_t bytes = 0, off = 0;

	if (from >= count || npkts == 0)
		return;
	assert(npkts <= AMT_FO_MAX_PKTS);
	for (unsigned int i = 0; i < npkts; i++)
		bytes += pkts[i].len;
	j = XCALLOC(MTYPE_AMT_FO_JOB, sizeof(*j) + bytes);
	j->npkts = npkts;
	for (unsigned int i = 0; i < npkts; i++) {
		memcpy(j->data + off, pkts[i].data, pkts[i].len);
		j->pkts[i].data = j->data + off;
		j->pkts[i].len = pkts[i].len;
		off += pkts[i].len;
	}
	j->count = count - from;
	j->owners = XMALLOC(MTYPE_AMT_FO_JOB, j->count * sizeof(*j->owners));
	memcpy(j->owners, owners + from, j->count * sizeof(*j->owners));
	if (q->tail)
		q->tail->next = j;
	else
		q->head = j;
	q->tail = j;
	q->jobs++;
	q->pending += (uint64_t)j->count * npkts;
}

bool amt_fo_queue_next(struct amt_fo_queue *q, uint32_t *budget, struct amt_fo_slice *s)
{
	struct amt_fo_job *j = q->head;
	uint32_t n;
	uint64_t d;

	if (!j)
		return false;
	n = amt_fo_owners_per_slice(*budget, j->npkts, j->count - j->at);
	s->pkts = j->pkts;
	s->npkts = j->npkts;
	s->owners = j->owners + j->at;
	s->count = n;
	j->at += n;
	d = (uint64_t)n * j->npkts;
	q->pending -= d;
	*budget = d >= *budget ? 0 : *budget - (uint32_t)d;
	if (j->at == j->count) {
		/* Kept until the caller has sent the slice. */
		q->head = j->next;
		if (!q->head)
			q->tail = NULL;
		q->jobs--;
		j->next = q->done;
		q->done = j;
	}
	return true;
}
