// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Batched pseudo-interface reads with io_uring (see amt_tun_ring.h).
 *
 * One ring for the process, set up on first use and kept (its memory is
 * the kernel's mmap of the rings, a few pages).  Every read is submitted
 * and reaped within one call: each is RWF_NOWAIT (O_NONBLOCK alone is not
 * enough: io_uring then arms a poll on an empty tun and completes the read
 * later), so it completes at once with a packet or -EAGAIN, nothing stays
 * in flight between events, and the buffers are the caller's only for the
 * call.  Anything else (a read left pending, a device without RWF_NOWAIT)
 * gives the ring up for read().
 */
#include <zebra.h>

#include <linux/io_uring.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "lib/log.h"

#include "amt_debug.h"
#include "amt_tun_ring.h"

struct amt_tun_ring {
	int fd; /* -1: not set up yet, -2: refused */
	unsigned int *sq_tail, *sq_mask, *sq_array;
	unsigned int *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
};

static struct amt_tun_ring amt_ring = { .fd = -1 };

static int amt_ring_setup(unsigned int entries, struct io_uring_params *p)
{
	return syscall(__NR_io_uring_setup, entries, p);
}

static int amt_ring_enter(int fd, unsigned int submit, unsigned int wait, unsigned int flags)
{
	return syscall(__NR_io_uring_enter, fd, submit, wait, flags, NULL, 0);
}

static bool amt_ring_init(struct amt_tun_ring *r)
{
	struct io_uring_params p = {};
	size_t sq_len, cq_len;
	uint8_t *sq, *cq;
	void *sqes;
	int fd = amt_ring_setup(AMT_TUN_RING_MAX, &p);

	if (fd < 0)
		goto refused;
	sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned int);
	cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	if (p.features & IORING_FEAT_SINGLE_MMAP) {
		sq_len = MAX(sq_len, cq_len);
		cq_len = sq_len;
	}
	sq = mmap(NULL, sq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
		  IORING_OFF_SQ_RING);
	if (sq == MAP_FAILED)
		goto close;
	if (p.features & IORING_FEAT_SINGLE_MMAP)
		cq = sq;
	else {
		cq = mmap(NULL, cq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
			  IORING_OFF_CQ_RING);
		if (cq == MAP_FAILED)
			goto unmap_sq;
	}
	sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQES);
	if (sqes == MAP_FAILED)
		goto unmap_cq;
	r->sq_tail = (unsigned int *)(sq + p.sq_off.tail);
	r->sq_mask = (unsigned int *)(sq + p.sq_off.ring_mask);
	r->sq_array = (unsigned int *)(sq + p.sq_off.array);
	r->cq_head = (unsigned int *)(cq + p.cq_off.head);
	r->cq_tail = (unsigned int *)(cq + p.cq_off.tail);
	r->cq_mask = (unsigned int *)(cq + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
	r->sqes = sqes;
	r->fd = fd;
	DEBUGD(&amt_dbg_packets, "AMT: pseudo-interface reads batched with io_uring (%u entries)",
	       p.sq_entries);
	return true;

unmap_cq:
	if (cq != sq)
		munmap(cq, cq_len);
unmap_sq:
	munmap(sq, sq_len);
close:
	close(fd);
refused:
	zlog_info("AMT: io_uring unavailable (%s): pseudo-interface read one packet per call",
		  safe_strerror(errno));
	r->fd = -2;
	return false;
}

/*
 * The ring failed under use: entries the kernel did not take would go out
 * with the next submission, pointing at another call's buffers.  Read with
 * read() from now on.
 */
static void amt_ring_abandon(struct amt_tun_ring *r, int err)
{
	zlog_warn("AMT: io_uring read of the pseudo-interface failed (%s); reading one packet per call from now on",
		  safe_strerror(err));
	close(r->fd);
	r->fd = -2;
	errno = err;
}

bool amt_tun_ring_ready(void)
{
	if (amt_ring.fd == -1)
		amt_ring_init(&amt_ring);
	return amt_ring.fd >= 0;
}

bool amt_tun_ring_read(int fd, struct iovec (*iov)[2], unsigned int n, ssize_t *res)
{
	struct amt_tun_ring *r = &amt_ring;
	unsigned int tail, head, done = 0;
	int sub, refused = 0;

	if (!amt_tun_ring_ready() || n == 0 || n > AMT_TUN_RING_MAX) {
		errno = EINVAL;
		return false;
	}
	tail = *r->sq_tail;
	for (unsigned int i = 0; i < n; i++) {
		unsigned int idx = (tail + i) & *r->sq_mask;
		struct io_uring_sqe *sqe = &r->sqes[idx];

		memset(sqe, 0, sizeof(*sqe));
		sqe->opcode = IORING_OP_READV;
		sqe->fd = fd;
		sqe->addr = (uintptr_t)iov[i];
		sqe->len = 2;
		/* -EAGAIN at once on an empty tun; without it io_uring would
		 * arm a poll and complete the read whenever a packet comes. */
		sqe->rw_flags = RWF_NOWAIT;
		sqe->user_data = i;
		r->sq_array[idx] = idx;
		res[i] = -EAGAIN;
	}
	__atomic_store_n(r->sq_tail, tail + n, __ATOMIC_RELEASE);
	/* Submit, and never wait: every read completes inline (RWF_NOWAIT). */
	sub = amt_ring_enter(r->fd, n, 0, 0);
	if (sub < 0 || (unsigned int)sub != n) {
		/* Entries left in the ring would go out with another call's
		 * buffers: give the ring up (reads already made are lost). */
		amt_ring_abandon(r, sub < 0 ? errno : EAGAIN);
		return false;
	}
	head = *r->cq_head;
	tail = __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE);
	for (; head != tail; head++) {
		struct io_uring_cqe *cqe = &r->cqes[head & *r->cq_mask];

		if (cqe->user_data < n) {
			res[cqe->user_data] = cqe->res;
			if (cqe->res == -EOPNOTSUPP || cqe->res == -EINVAL) {
				/* No RWF_NOWAIT on this device: nothing was read. */
				res[cqe->user_data] = -EAGAIN;
				refused = -cqe->res;
			}
		}
		done++;
	}
	__atomic_store_n(r->cq_head, head, __ATOMIC_RELEASE);
	if (done < n || refused) {
		/*
		 * A read waits (armed on the device: it would fill the caller's
		 * buffer later) or the device cannot be read without waiting:
		 * closing the ring cancels what is pending; read() from now on.
		 */
		amt_ring_abandon(r, refused ? refused : EINPROGRESS);
	}
	return true;
}
