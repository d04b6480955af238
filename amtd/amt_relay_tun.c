// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AMT relay: the pseudo-interface side.  The multicast the kernel forwards
 * onto it is sent down exactly the tunnels that want each (S,G), batched
 * with sendmmsg; pimd's queries read from it go to the report feed
 * (amt_relay_feed.c), which answers with the union of the tunnels' state.
 */
#include <zebra.h>

#include "lib/frrevent.h"
#include "lib/sockunion.h"

#include "amtd.h"
#include "amt_debug.h"
#include "amt_igmp.h"
#include "amt_relay.h"

/*
 * A tun read event reads at most AMT_TUN_RX_BATCH packets and stops reading
 * once it has queued AMT_TUN_TX_BUDGET datagrams (a packet's fan-out is
 * never split), so that the control socket is served in between: at 100
 * tunnels that is about 10 packets, some 4 ms of sending on one core.
 */
#define AMT_TUN_RX_BATCH  64
#define AMT_TUN_TX_BUDGET 1024
/* Datagrams per sendmmsg call. */
#define AMT_TX_BATCH 256
/* A packet up to the pseudo-interface's MTU fits a slot; a longer one
 * (the MTU was raised) is read whole into a spare buffer and sent at once. */
#define AMT_TUN_SLOT 2048
/* ------------------------------------------------------- data to tunnels */

struct amt_tx_batch {
	struct amt_relay_socket *sock;
	struct mmsghdr msgs[AMT_TX_BATCH];
	struct iovec iov[AMT_TX_BATCH][2];
	unsigned int n;
};

/*
 * One send batch per relay socket, so that a fan-out that mixes IPv4 and
 * IPv6 gateways (or local and discovery addresses) still fills whole
 * batches instead of flushing at every change of socket.
 */
struct amt_tx_batches {
	struct amt_tx_batch b[AMT_RELAY_MAX_SOCKETS];
};

static void amt_tx_flush(struct amt_relay *relay, struct amt_tx_batch *b)
{
	if (b->n)
		amt_relay_sendmmsg(relay, b->sock->fd, b->msgs, b->n);
	b->n = 0;
}

static void amt_tx_flush_all(struct amt_relay *relay, struct amt_tx_batches *bs)
{
	for (unsigned int i = 0; i < AMT_RELAY_MAX_SOCKETS; i++)
		amt_tx_flush(relay, &bs->b[i]);
}

/*
 * Queue the packet to every tunnel that wants it; the buffers must stay
 * untouched until the batches are flushed.  Returns the datagrams queued.
 */
static uint32_t amt_relay_fanout(struct amt_relay *relay, struct amt_tx_batches *bs,
				 const uint8_t *hdr, uint8_t *pkt, size_t len, int family,
				 const union amt_ip *s, const union amt_ip *g)
{
	struct amt_fanout fo = amt_flow_index_lookup(relay->index, family, s, g);

	if (fo.count == 0) {
		relay->stats.tun_no_receiver++;
		return 0;
	}
	relay->stats.tun_data++;
	for (uint32_t i = 0; i < fo.count; i++) {
		struct amt_tunnel *t = fo.owners[i];
		struct amt_tx_batch *b = &bs->b[t->sock - relay->socks];
		struct mmsghdr *m;

		if (b->n == AMT_TX_BATCH)
			amt_tx_flush(relay, b);
		b->sock = t->sock;
		m = &b->msgs[b->n];
		memset(m, 0, sizeof(*m));
		b->iov[b->n][0].iov_base = (void *)hdr;
		b->iov[b->n][0].iov_len = AMT_DATA_HDR_LEN;
		b->iov[b->n][1].iov_base = pkt;
		b->iov[b->n][1].iov_len = len;
		m->msg_hdr.msg_iov = b->iov[b->n];
		m->msg_hdr.msg_iovlen = 2;
		m->msg_hdr.msg_name = &t->gw;
		m->msg_hdr.msg_namelen = sockunion_sizeof(&t->gw);
		b->n++;
		t->data_packets++;
		t->data_bytes += len;
	}
	relay->stats.tx_data += fo.count;
	relay->stats.tx_data_bytes += (uint64_t)len * fo.count;
	return fo.count;
}

/* Is this a packet to forward (not link-local scope control traffic)? */
static bool amt_is_routable_multicast(int family, const union amt_ip *g)
{
	bool mcast = family == AF_INET ? (g->bytes[0] & 0xf0) == 0xe0 : g->bytes[0] == 0xff;

	return mcast && !amt_group_is_link_local(family, g);
}

/* One packet read from the tun; returns the datagrams it queued. */
static uint32_t amt_relay_tun_packet(struct amt_relay *relay, struct amt_tx_batches *b,
				     const uint8_t *hdr, uint8_t *pkt, size_t len)
{
	union amt_ip s, g;
	int family = amt_ip_sg(pkt, len, &s, &g);
	struct amt_query q;

	if (family == 0) {
		relay->stats.tun_other++;
		return 0;
	}
	if (amt_query_parse(pkt, len, family, &q) == AMT_IGMP_OK) {
		amt_relay_answer_query(relay, &q);
		return 0;
	}
	if (!amt_is_routable_multicast(family, &g)) {
		relay->stats.tun_other++;
		return 0;
	}
	return amt_relay_fanout(relay, b, hdr, pkt, len, family, &s, &g);
}

/*
 * Read packets into separate slots and send all their datagrams in shared
 * sendmmsg batches (one per socket), flushed when full and once at the end
 * of the event.
 */
void amt_relay_tun_read(struct event *event)
{
	struct amt_relay *relay = EVENT_ARG(event);
	static uint8_t slot[AMT_TUN_RX_BATCH][AMT_TUN_SLOT];
	static uint8_t big[65536];
	static struct amt_tx_batches batch;
	static uint8_t hdr[AMT_DATA_HDR_LEN];
	int fd = relay->inst->tun_fd;
	uint64_t t0 = amt_now_us();
	uint32_t queued = 0;

	amt_encode_data_header(hdr);
	for (int i = 0; i < AMT_TUN_RX_BATCH && queued < AMT_TUN_TX_BUDGET; i++) {
		struct iovec iov[2] = {
			{ .iov_base = slot[i], .iov_len = AMT_TUN_SLOT },
			{ .iov_base = big + AMT_TUN_SLOT, .iov_len = sizeof(big) - AMT_TUN_SLOT },
		};
		ssize_t n = readv(fd, iov, array_size(iov));

		if (amt_tun_read_failed(n)) {
			/* Deleted under us: readable for ever, never readable. */
			int err = errno;

			amt_tx_flush_all(relay, &batch);
			amt_instance_tun_lost(relay->inst, err);
			return;
		}
		if (n <= 0)
			break;
		if (n <= AMT_TUN_SLOT) {
			queued += amt_relay_tun_packet(relay, &batch, hdr, slot[i], n);
			continue;
		}
		/* Longer than a slot: make it whole in big, send before reuse. */
		memcpy(big, slot[i], AMT_TUN_SLOT);
		queued += amt_relay_tun_packet(relay, &batch, hdr, big, n);
		amt_tx_flush_all(relay, &batch);
	}
	amt_tx_flush_all(relay, &batch);
	relay->tun_busy_us = amt_now_us() - t0;
	event_add_read(master, amt_relay_tun_read, relay, fd, &relay->t_tun_read);
}
