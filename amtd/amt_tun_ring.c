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
	zlog_info("AMT: io_uring unavailable (%s): pseudo-interface read and written one packet per call",
		  safe_strerror(errno));
	r->fd = -2;
	return false;
}

/*
 * The ring failed under use: entries the kernel did not take would go out
 * with the next submission, pointing at another call's buffers.  Read with
 * read() (and write with write()) from now on.
 */
static void amt_ring_abandon(struct amt_tun_ring *r, int err)
{
	zlog_warn("AMT: io_uring on the pseudo-interface failed (%s); reading and writing one packet per call from now on",
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

/* Entry i of the batch that starts at the submission queue's tail. */
static struct io_uring_sqe *amt_ring_sqe(struct amt_tun_ring *r, unsigned int tail, unsigned int i)
{
	unsigned int idx = (tail + i) & *r->sq_mask;
	struct io_uring_sqe *sqe = &r->sqes[idx];

	memset(sqe, 0, sizeof(*sqe));
	sqe->user_data = i;
	r->sq_array[idx] = idx;
	return sqe;
}

/*
 * Submit the n entries prepared from tail on, never waiting (each is
 * RWF_NOWAIT: it completes inline), and reap them: res[i] is entry i's
 * result (left as it was if not reaped).  *refused is set to the error of
 * an entry the device could not take without waiting (no RWF_NOWAIT on
 * it).  Returns how many were reaped (fewer than n: the caller must give
 * the ring up), or -1 with errno when the submission failed (nothing was
 * taken; the ring is then given up).
 */
static int amt_ring_run(struct amt_tun_ring *r, unsigned int tail, unsigned int n, ssize_t *res,
			int *refused)
{
	unsigned int head, ctail;
	int sub, done = 0;

	__atomic_store_n(r->sq_tail, tail + n, __ATOMIC_RELEASE);
	sub = amt_ring_enter(r->fd, n, 0, 0);
	if (sub < 0) {
		amt_ring_abandon(r, errno);
		return -1;
	}
	/* Fewer taken than given: those left in the ring would go out with
	 * another call's buffers; the caller gives the ring up (done < n). */
	head = *r->cq_head;
	ctail = __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE);
	for (; head != ctail; head++) {
		struct io_uring_cqe *cqe = &r->cqes[head & *r->cq_mask];

		if (cqe->user_data < n) {
			res[cqe->user_data] = cqe->res;
			if (cqe->res == -EOPNOTSUPP || cqe->res == -EINVAL)
				*refused = -cqe->res;
		}
		done++;
	}
	__atomic_store_n(r->cq_head, head, __ATOMIC_RELEASE);
	return done;
}

/*
 * n reads or writes (opcode) of fd, entry i on the per iovecs at
 * iov + i * per, submitted and reaped with one call; res[i] starts as
 * unset.  Returns as amt_ring_run(), or -1 with EINVAL when the ring is
 * not there or n does not fit.
 */
static int amt_ring_rw(int fd, uint8_t opcode, const struct iovec *iov, unsigned int per,
		       unsigned int n, ssize_t *res, ssize_t unset, int *refused)
{
	struct amt_tun_ring *r = &amt_ring;
	unsigned int tail;

	if (!amt_tun_ring_ready() || n == 0 || n > AMT_TUN_RING_MAX) {
		errno = EINVAL;
		return -1;
	}
	tail = *r->sq_tail;
	for (unsigned int i = 0; i < n; i++) {
		struct io_uring_sqe *sqe = amt_ring_sqe(r, tail, i);

		sqe->opcode = opcode;
		sqe->fd = fd;
		sqe->addr = (uintptr_t)(iov + i * per);
		sqe->len = per;
		/*
		 * Never wait: a read of an empty tun, or a write that would
		 * block, fails at once with -EAGAIN; without it io_uring would
		 * arm a poll or hand it to its workers, to be done later (into
		 * or from the caller's buffer, out of order).
		 */
		sqe->rw_flags = RWF_NOWAIT;
		res[i] = unset;
	}
	return amt_ring_run(r, tail, n, res, refused);
}

bool amt_tun_ring_read(int fd, struct iovec (*iov)[2], unsigned int n, ssize_t *res)
{
	int refused = 0;
	int done = amt_ring_rw(fd, IORING_OP_READV, iov[0], 2, n, res, -EAGAIN, &refused);

	if (done < 0)
		return false;
	/* No RWF_NOWAIT on this device: nothing was read. */
	for (unsigned int i = 0; i < n && refused; i++)
		if (res[i] == -EOPNOTSUPP || res[i] == -EINVAL)
			res[i] = -EAGAIN;
	if ((unsigned int)done < n || refused) {
		/*
		 * A read waits (armed on the device: it would fill the caller's
		 * buffer later) or the device cannot be read without waiting:
		 * closing the ring cancels what is pending; read() from now on.
		 */
		amt_ring_abandon(&amt_ring, refused ? refused : EINPROGRESS);
	}
	return true;
}

bool amt_tun_ring_write(int fd, const struct iovec *iov, unsigned int n, ssize_t *res)
{
	int refused = 0;
	int done = amt_ring_rw(fd, IORING_OP_WRITEV, iov, 1, n, res, -EIO, &refused);

	/* Nothing was taken: the caller writes them all. */
	if (done < 0)
		return false;
	/* No RWF_NOWAIT on this device: those packets were not written. */
	for (unsigned int i = 0; i < n && refused; i++) {
		ssize_t w;

		if (res[i] != -EOPNOTSUPP && res[i] != -EINVAL)
			continue;
		w = write(fd, iov[i].iov_base, iov[i].iov_len);
		res[i] = w < 0 ? -errno : w;
	}
	if ((unsigned int)done < n || refused)
		amt_ring_abandon(&amt_ring, refused ? refused : EINPROGRESS);
	return true;
}
