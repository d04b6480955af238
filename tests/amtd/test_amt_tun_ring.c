// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the pseudo-interface's io_uring batches (amtd/amt_tun_ring.c)
 * on a non-blocking pipe standing in for the tun (no privilege needed): the
 * gateway's batched writes land complete and in order; a write that would
 * wait fails with -EAGAIN, as write() on the non-blocking fd does, and leaves
 * the ring usable; reads of an empty device give -EAGAIN; sizes out of range
 * are refused.  Where the kernel refuses io_uring, the calls must say so
 * (false), which is what the callers fall back on.
 */
#include <zebra.h>

#include <fcntl.h>

#include "amtd/amt_debug.h"
#include "amtd/amt_tun_ring.h"
#include "tests/amtd/amt_test.h"

/* amt_tun_ring.c logs with `debug amt packets`; amt_debug.c is not linked. */
struct debug amt_dbg_packets;

#define PKT 1000 /* <= PIPE_BUF: a pipe write of it is all or nothing */

static uint8_t out[AMT_TUN_RING_MAX][PKT];

static int pipe_nb(int fds[2], int size)
{
	if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) < 0)
		return -1;
	if (size && fcntl(fds[1], F_SETPIPE_SZ, size) < 0)
		return -1;
	return 0;
}

static void fill(struct iovec *iov, unsigned int n, size_t len)
{
	for (unsigned int i = 0; i < n; i++) {
		for (size_t k = 0; k < len; k++)
			out[i][k] = (uint8_t)(i * 7 + k);
		iov[i].iov_base = out[i];
		iov[i].iov_len = len;
	}
}

/* A full batch: every write complete, the device gets them in order. */
static void test_write_batch(void)
{
	struct iovec iov[AMT_TUN_RING_MAX];
	ssize_t res[AMT_TUN_RING_MAX];
	static uint8_t back[AMT_TUN_RING_MAX * 200];
	int fds[2];

	CHECK_INT(pipe_nb(fds, 0), 0);
	/* Lengths differ per packet, so that a reordering shows. */
	fill(iov, AMT_TUN_RING_MAX, 200);
	for (unsigned int i = 0; i < AMT_TUN_RING_MAX; i++)
		iov[i].iov_len = 100 + i;
	CHECK(amt_tun_ring_write(fds[1], iov, AMT_TUN_RING_MAX, res));
	for (unsigned int i = 0; i < AMT_TUN_RING_MAX; i++)
		CHECK_INT(res[i], 100 + i);
	{
		size_t total = 0, off = 0;

		for (unsigned int i = 0; i < AMT_TUN_RING_MAX; i++)
			total += 100 + i;
		CHECK_INT(read(fds[0], back, sizeof(back)), total);
		for (unsigned int i = 0; i < AMT_TUN_RING_MAX; i++) {
			CHECK_MEM(back + off, out[i], 100 + i);
			off += 100 + i;
		}
	}
	CHECK(amt_tun_ring_ready());
	close(fds[0]);
	close(fds[1]);
}

/*
 * The device is full: the first writes go in, the rest fail with -EAGAIN at
 * once (not later, from a worker), in order; the ring stays usable.
 */
static void test_write_full(void)
{
	struct iovec iov[AMT_TUN_RING_MAX];
	ssize_t res[AMT_TUN_RING_MAX];
	uint8_t back[PKT];
	unsigned int ok = 0;
	int fds[2];

	CHECK_INT(pipe_nb(fds, 4096), 0);
	fill(iov, 16, PKT);
	CHECK(amt_tun_ring_write(fds[1], iov, 16, res));
	while (ok < 16 && res[ok] == PKT)
		ok++;
	CHECK(ok >= 1);
	CHECK(ok < 16);
	for (unsigned int i = ok; i < 16; i++)
		CHECK_INT(res[i], -EAGAIN);
	CHECK(amt_tun_ring_ready());
	/* What went in is the first ok packets; then there is room again. */
	for (unsigned int i = 0; i < ok; i++) {
		CHECK_INT(read(fds[0], back, PKT), PKT);
		CHECK_MEM(back, out[i], PKT);
	}
	CHECK(amt_tun_ring_write(fds[1], &iov[ok], 1, res));
	CHECK_INT(res[0], PKT);
	CHECK_INT(read(fds[0], back, PKT), PKT);
	CHECK_MEM(back, out[ok], PKT);
	close(fds[0]);
	close(fds[1]);
}

/* Reads: nothing waiting is -EAGAIN for every slot; then what was written. */
static void test_read(void)
{
	static uint8_t a[AMT_TUN_RING_MAX][64], b[AMT_TUN_RING_MAX][64];
	struct iovec iov[AMT_TUN_RING_MAX][2], one[1];
	ssize_t res[AMT_TUN_RING_MAX];
	int fds[2];

	CHECK_INT(pipe_nb(fds, 0), 0);
	for (unsigned int i = 0; i < AMT_TUN_RING_MAX; i++) {
		iov[i][0] = (struct iovec){ .iov_base = a[i], .iov_len = sizeof(a[i]) };
		iov[i][1] = (struct iovec){ .iov_base = b[i], .iov_len = sizeof(b[i]) };
	}
	CHECK(amt_tun_ring_read(fds[0], iov, 8, res));
	for (unsigned int i = 0; i < 8; i++)
		CHECK_INT(res[i], -EAGAIN);
	fill(one, 1, 100);
	CHECK_INT(write(fds[1], out[0], 100), 100);
	CHECK(amt_tun_ring_read(fds[0], iov, 4, res));
	/* The two entries of slot 0 hold it (64 + 36 bytes). */
	CHECK_INT(res[0], 100);
	CHECK_MEM(a[0], out[0], 64);
	CHECK_MEM(b[0], out[0] + 64, 36);
	for (unsigned int i = 1; i < 4; i++)
		CHECK_INT(res[i], -EAGAIN);
	CHECK(amt_tun_ring_ready());
	close(fds[0]);
	close(fds[1]);
}

/* Sizes the ring cannot take are refused with EINVAL, nothing written. */
static void test_bounds(void)
{
	struct iovec iov[AMT_TUN_RING_MAX + 1];
	ssize_t res[AMT_TUN_RING_MAX + 1];
	uint8_t back[16];
	int fds[2];

	CHECK_INT(pipe_nb(fds, 0), 0);
	fill(iov, 1, 10);
	for (unsigned int i = 1; i <= AMT_TUN_RING_MAX; i++)
		iov[i] = iov[0];
	errno = 0;
	CHECK(!amt_tun_ring_write(fds[1], iov, 0, res));
	CHECK_INT(errno, EINVAL);
	errno = 0;
	CHECK(!amt_tun_ring_write(fds[1], iov, AMT_TUN_RING_MAX + 1, res));
	CHECK_INT(errno, EINVAL);
	CHECK_INT(read(fds[0], back, sizeof(back)), -1);
	CHECK_INT(errno, EAGAIN);
	close(fds[0]);
	close(fds[1]);
}

int main(void)
{
	if (!amt_tun_ring_ready()) {
		struct iovec iov = { .iov_base = out[0], .iov_len = 1 };
		ssize_t res;

		/* io_uring refused here: the callers' fallback is all that runs. */
		printf("test_amt_tun_ring: io_uring refused by this kernel; checking the refusal only\n");
		CHECK(!amt_tun_ring_write(1, &iov, 1, &res));
		return amt_test_summary("test_amt_tun_ring");
	}
	test_write_batch();
	test_write_full();
	test_read();
	test_bounds();
	return amt_test_summary("test_amt_tun_ring");
}
