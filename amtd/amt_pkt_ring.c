// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The pseudo-interface's outgoing packets from a TPACKET_V2 ring (see
 * amt_pkt_ring.h).  The kernel fills frames in order and marks each
 * TP_STATUS_USER; amtd reads them in place and hands them back by writing
 * TP_STATUS_KERNEL (Documentation/networking/packet_mmap.rst).
 */
#include <zebra.h>

#include <linux/filter.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <sys/mman.h>

#include "amt_pkt_ring.h"

/* 2,048 frames of 2 KiB (a 1,500-byte packet and the frame's header), in
 * 64 KiB blocks: 4 MiB, some 6 ms of a saturated 10 Gbit/s stream. */
#define AMT_RING_FRAME	2048u
#define AMT_RING_BLOCK	65536u
#define AMT_RING_BLOCKS 64u

static struct tpacket2_hdr *amt_ring_frame(const struct amt_pkt_ring *r, unsigned int i)
{
	return (struct tpacket2_hdr *)(r->map + (size_t)i * r->frame_size);
}

bool amt_pkt_ring_open(struct amt_pkt_ring *r, int ifindex)
{
	/* Only what the kernel sends out of the device: amtd's own writes
	 * (the gateways' reports) come in on it and are not wanted. */
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, SKF_AD_OFF + SKF_AD_PKTTYPE),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PACKET_OUTGOING, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { .len = array_size(code), .filter = code };
	int version = TPACKET_V2;
	struct tpacket_req req = {
		.tp_block_size = AMT_RING_BLOCK,
		.tp_block_nr = AMT_RING_BLOCKS,
		.tp_frame_size = AMT_RING_FRAME,
		.tp_frame_nr = AMT_RING_BLOCKS * (AMT_RING_BLOCK / AMT_RING_FRAME),
	};
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = ifindex,
	};
	int err;

	memset(r, 0, sizeof(*r));
	/* Protocol 0: nothing is received before the ring and the filter are
	 * in place and the bind names the device. */
	r->fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (r->fd < 0)
		return false;
	if (setsockopt(r->fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0 ||
	    setsockopt(r->fd, SOL_PACKET, PACKET_VERSION, &version, sizeof(version)) < 0 ||
	    setsockopt(r->fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)) < 0)
		goto fail;
	r->map_len = (size_t)req.tp_block_size * req.tp_block_nr;
	r->map = mmap(NULL, r->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, 0);
	if (r->map == MAP_FAILED) {
		r->map = NULL;
		goto fail;
	}
	r->frame_size = req.tp_frame_size;
	r->frames = req.tp_frame_nr;
	if (bind(r->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		goto fail;
	(void)amt_pkt_ring_drops(r);
	return true;
fail:
	err = errno;
	amt_pkt_ring_close(r);
	errno = err;
	return false;
}

void amt_pkt_ring_close(struct amt_pkt_ring *r)
{
	if (r->map)
		munmap(r->map, r->map_len);
	if (r->fd >= 0)
		close(r->fd);
	r->map = NULL;
	r->fd = -1;
}

bool amt_pkt_ring_next(struct amt_pkt_ring *r, const uint8_t **data, size_t *len)
{
	while (r->pending < r->frames) {
		struct tpacket2_hdr *h = amt_ring_frame(r, (r->next + r->pending) % r->frames);
		/* The kernel writes the frame, then its status (release). */
		uint32_t status = __atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE);

		if (!(status & TP_STATUS_USER))
			return false;
		r->pending++;
		if (h->tp_snaplen < h->tp_len || h->tp_net + h->tp_snaplen > r->frame_size) {
			r->truncated++;
			continue;
		}
		*data = (const uint8_t *)h + h->tp_net;
		*len = h->tp_snaplen;
		return true;
	}
	return false;
}

void amt_pkt_ring_release(struct amt_pkt_ring *r)
{
	for (; r->pending; r->pending--) {
		struct tpacket2_hdr *h = amt_ring_frame(r, r->next);

		__atomic_store_n(&h->tp_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
		r->next = (r->next + 1) % r->frames;
	}
}

uint64_t amt_pkt_ring_drops(struct amt_pkt_ring *r)
{
	struct tpacket_stats st = {};
	socklen_t len = sizeof(st);

	/* Reading the statistics resets them. */
	if (getsockopt(r->fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) < 0)
		return 0;
	return st.tp_drops;
}

int amt_pkt_ring_error(struct amt_pkt_ring *r)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(r->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return errno;
	return err;
}
