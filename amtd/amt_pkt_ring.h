// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The relay's pseudo-interface read through a packet ring: an AF_PACKET
 * socket bound to the tun, with a TPACKET_V2 receive ring mapped into amtd,
 * sees every packet the kernel sends out of the device (PACKET_OUTGOING,
 * before the tun's own queue) without a system call per packet.  The tun's
 * own queue is not read meanwhile: it fills, and the kernel drops (and
 * counts as transmit drops of the device) what the ring already took.
 */
#ifndef _AMT_PKT_RING_H
#define _AMT_PKT_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct amt_pkt_ring {
	int fd;
	uint8_t *map;
	size_t map_len;
	unsigned int frame_size, frames;
	unsigned int next;    /* the next frame to look at */
	unsigned int pending; /* frames taken, not yet given back */
	uint64_t truncated;   /* packets longer than a frame (dropped) */
};

/*
 * Open a ring on ifindex; false with errno (the caller reads the tun).
 * The ring starts empty: packets are seen from the bind on.
 */
extern bool amt_pkt_ring_open(struct amt_pkt_ring *r, int ifindex);
extern void amt_pkt_ring_close(struct amt_pkt_ring *r);

/*
 * The next packet sent out of the device: true with *data and *len
 * pointing into the ring (valid until amt_pkt_ring_release()), false when
 * none is waiting.  A packet cut by the frame size is skipped and counted.
 */
extern bool amt_pkt_ring_next(struct amt_pkt_ring *r, const uint8_t **data, size_t *len);

/* Give the frames taken since the last release back to the kernel. */
extern void amt_pkt_ring_release(struct amt_pkt_ring *r);

/* Packets the kernel dropped on the full ring since the last call. */
extern uint64_t amt_pkt_ring_drops(struct amt_pkt_ring *r);

/* The socket's pending error (ENETDOWN: the device went down or away). */
extern int amt_pkt_ring_error(struct amt_pkt_ring *r);

#endif /* _AMT_PKT_RING_H */
