// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Batched reads of the pseudo-interface with io_uring (Linux 5.1+), through
 * the system calls themselves (no liburing): one io_uring_enter() reads up
 * to AMT_TUN_RING_MAX packets where a loop of read() makes one system call
 * per packet, the relay's main cost at small fan-outs.  The gateway writes
 * what it decapsulated the same way.
 */
#ifndef _AMT_TUN_RING_H
#define _AMT_TUN_RING_H

#include <stdbool.h>
#include <sys/types.h>
#include <sys/uio.h>

/* Reads per call (the ring's size). */
#define AMT_TUN_RING_MAX 64

/*
 * Whether the process's ring is there: set up on first use; false for
 * good when the kernel refuses io_uring (too old, disabled by sysctl or a
 * seccomp policy), and the caller reads with read() instead.
 */
extern bool amt_tun_ring_ready(void);

/*
 * Read up to n (<= AMT_TUN_RING_MAX) packets from the non-blocking fd,
 * packet i into iov[i] (two entries).  res[i] is its length, or -errno
 * (-EAGAIN: nothing was waiting).  The reads are issued in order, so the
 * packets keep the device's order by index; a later index may hold a
 * packet after an earlier -EAGAIN.  Returns false, with errno, when the
 * ring itself failed (nothing was read; the caller falls back to read()).
 */
extern bool amt_tun_ring_read(int fd, struct iovec (*iov)[2], unsigned int n, ssize_t *res);

/*
 * Write n (<= AMT_TUN_RING_MAX) packets into the non-blocking fd, packet i
 * from iov[i] (one entry), with one io_uring_enter() (the gateway's
 * decapsulated data: one write() per packet costs a system call each).
 * res[i] is what write() would have returned: the length, or -errno.  The
 * writes are issued in order and none waits (RWF_NOWAIT), so the device
 * gets the packets in order.  Returns false, with errno, when the ring
 * could not be used (nothing was written: the caller writes with write());
 * a ring that fails under way is given up, and the writes it did not make
 * get -errno.
 */
extern bool amt_tun_ring_write(int fd, const struct iovec *iov, unsigned int n, ssize_t *res);

#endif /* _AMT_TUN_RING_H */
