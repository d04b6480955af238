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

#include <netinet/udp.h>

#include "amtd.h"
#include "amt_debug.h"
#include "amt_errors.h"
#include "amt_fanout_split.h"
#include "amt_gso.h"
#include "amt_igmp.h"
#include "amt_pkt_ring.h"
#include "amt_relay.h"
#include "amt_tun.h"
#include "amt_tun_ring.h"

/*
 * A tun read event reads at most AMT_TUN_RX_BATCH packets and stops reading
 * once it has queued AMT_TUN_TX_BUDGET datagrams, so that the control
 * socket is served in between: at 100 tunnels that is about 10 packets,
 * some 4 ms of sending on one core.  A fan-out larger than the relay's
 * fanout-slice is sent a slice per event (amt_fanout_split.h), before the
 * tun is read again.
 */
#define AMT_TUN_RX_BATCH  64
#define AMT_TUN_TX_BUDGET 1024
/* Messages per sendmmsg call, and their iovecs (two per datagram). */
#define AMT_TX_BATCH 256
#define AMT_TX_IOV   2048
/* A packet up to the pseudo-interface's MTU fits a slot; a longer one
 * (the MTU was raised) is read whole into a spare buffer and sent at once. */
#define AMT_TUN_SLOT 2048
/* ------------------------------------------------------- data to tunnels */

/*
 * A message is one datagram, or with UDP GSO (amt_gso.h) a run of
 * datagrams to the same tunnel: the packets of one channel read in the same
 * event, each behind its own AMT data header, cut by the kernel.
 */
struct amt_tx_batch {
	struct amt_relay_socket *sock;
	struct mmsghdr msgs[AMT_TX_BATCH];
	uint16_t segs[AMT_TX_BATCH]; /* datagrams in each message */
	union {
		struct cmsghdr align;
		uint8_t buf[AMT_GSO_CMSG_SPACE];
	} ctl[AMT_TX_BATCH];
	struct iovec iov[AMT_TX_IOV];
	unsigned int n, niov;
};

/*
 * One send batch per relay socket, so that a fan-out that mixes IPv4 and
 * IPv6 gateways (or local and discovery addresses) still fills whole
 * batches instead of flushing at every change of socket.
 */
struct amt_tx_batches {
	struct amt_tx_batch b[AMT_RELAY_MAX_SOCKETS];
};

/*
 * Whether a socket takes UDP_SEGMENT: probed once (getsockopt, Linux
 * 4.18+), and turned off for good when the kernel refuses a GSO send (EIO:
 * no checksum offload on the route's device, IPsec; EINVAL: a segment
 * longer than the path MTU).  Kept per (socket, fd); a socket reopened at
 * the same place may inherit "off", which costs only the batching.
 */
#define AMT_GSO_SOCKS 16
static struct amt_gso_sock {
	const struct amt_relay_socket *sock;
	int fd;
	bool ok;
} amt_gso_socks[AMT_GSO_SOCKS];
static unsigned int amt_gso_next;
static struct amt_gso_sock *amt_gso_sock_get(const struct amt_relay_socket *sock)
{
	struct amt_gso_sock *g;
	int v = 0;
	socklen_t vlen = sizeof(v);

	for (unsigned int i = 0; i < AMT_GSO_SOCKS; i++) {
		g = &amt_gso_socks[i];
		if (g->sock == sock && g->fd == sock->fd)
			return g;
	}
	g = &amt_gso_socks[amt_gso_next++ % AMT_GSO_SOCKS];
	g->sock = sock;
	g->fd = sock->fd;
	g->ok = getsockopt(sock->fd, SOL_UDP, UDP_SEGMENT, &v, &vlen) == 0;
	return g;
}

static void amt_gso_refused(struct amt_relay *relay, const struct amt_relay_socket *sock, int err)
{
	struct amt_gso_sock *g = amt_gso_sock_get(sock);

	relay->stats.err_gso_refused++;
	if (!g->ok)
		return;
	g->ok = false;
	flog_warn(EC_AMT_SOCKET,
		  "AMT relay %s: the kernel refused UDP GSO on socket %d (%s); sending one datagram per message on it from now on",
		  relay->inst->name, sock->fd, safe_strerror(err));
}

/* Send a refused GSO message's datagrams one by one. */
static void amt_tx_unroll(struct amt_relay *relay, int fd, const struct msghdr *mh)
{
	for (size_t i = 0; i + 1 < mh->msg_iovlen; i += 2) {
		struct msghdr one = {
			.msg_name = mh->msg_name,
			.msg_namelen = mh->msg_namelen,
			.msg_iov = &mh->msg_iov[i],
			.msg_iovlen = 2,
		};

		relay->stats.tx_gso_unrolled++;
		if (sendmsg(fd, &one, 0) < 0)
			relay->stats.tx_errors++;
	}
}

/*
 * sendmmsg the batch.  As amt_relay_sendmmsg(): a full send queue drops the
 * rest of the batch, an error of one destination skips that message; a GSO
 * message the kernel refuses goes out datagram by datagram.
 */
static void amt_tx_send(struct amt_relay *relay, struct amt_tx_batch *b)
{
	int fd = b->sock->fd;
	unsigned int sent = 0;

	while (sent < b->n) {
		int r = sendmmsg(fd, b->msgs + sent, b->n - sent, 0);
		int err = errno;

		if (r > 0) {
			sent += r;
			continue;
		}
		if (r < 0 && (err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS)) {
			uint64_t lost = 0;

			for (unsigned int i = sent; i < b->n; i++)
				lost += b->segs[i];
			relay->stats.tx_errors += lost;
			DEBUGD(&amt_dbg_packets,
			       "AMT relay %s: send queue full, %" PRIu64 " datagrams dropped",
			       relay->inst->name, lost);
			return;
		}
		if (b->segs[sent] > 1) {
			if (err == EIO || err == EINVAL)
				amt_gso_refused(relay, b->sock, err);
			amt_tx_unroll(relay, fd, &b->msgs[sent].msg_hdr);
			sent++;
			continue;
		}
		/* An error of this destination (unreachable, filtered): skip it. */
		relay->stats.tx_errors++;
		DEBUGD(&amt_dbg_packets, "AMT relay %s: send to %pSU failed: %s", relay->inst->name,
		       (union sockunion *)b->msgs[sent].msg_hdr.msg_name, safe_strerror(err));
		sent++;
	}
}

static void amt_tx_flush(struct amt_relay *relay, struct amt_tx_batch *b)
{
	if (b->n)
		amt_tx_send(relay, b);
	b->n = 0;
	b->niov = 0;
}

static void amt_tx_flush_all(struct amt_relay *relay, struct amt_tx_batches *bs)
{
	for (unsigned int i = 0; i < AMT_RELAY_MAX_SOCKETS; i++)
		amt_tx_flush(relay, &bs->b[i]);
}

/*
 * Queue pkts[0..n), all of one channel, to tunnel t: runs of equal length
 * in one GSO message each where the socket takes it, else one message per
 * datagram.  The buffers must stay untouched until the batches are flushed.
 */
static void amt_tx_queue(struct amt_relay *relay, struct amt_tx_batches *bs, struct amt_tunnel *t,
			 const uint8_t *hdr, const struct amt_gso_pkt *pkts, unsigned int n)
{
	struct amt_tx_batch *b = &bs->b[t->sock - relay->socks];
	unsigned int max_segs = 1;

	if (n > 1 && amt_gso_sock_get(t->sock)->ok)
		max_segs = AMT_GSO_MAX_SEGS;
	while (n) {
		size_t seg;
		/* Longer than the pseudo-interface's MTU (raised): may not fit
		 * the path, and a refusal would turn GSO off; send it alone. */
		unsigned int k = amt_gso_run(pkts, n, AMT_DATA_HDR_LEN,
					     pkts[0].len <= AMT_TUN_MTU ? max_segs : 1,
					     AMT_GSO_MAX_BYTES, &seg);
		struct mmsghdr *m;

		if (b->n == AMT_TX_BATCH || b->niov + 2 * k > AMT_TX_IOV)
			amt_tx_flush(relay, b);
		b->sock = t->sock;
		m = &b->msgs[b->n];
		memset(m, 0, sizeof(*m));
		m->msg_hdr.msg_iov = &b->iov[b->niov];
		m->msg_hdr.msg_iovlen = 2 * k;
		m->msg_hdr.msg_name = &t->gw;
		m->msg_hdr.msg_namelen = sockunion_sizeof(&t->gw);
		amt_gso_iov(&b->iov[b->niov], hdr, AMT_DATA_HDR_LEN, pkts, k);
		if (k > 1) {
			amt_gso_cmsg(&m->msg_hdr, b->ctl[b->n].buf, sizeof(b->ctl[b->n].buf), seg);
			relay->stats.tx_gso_msgs++;
			relay->stats.tx_gso_segs += k;
		}
		b->segs[b->n] = k;
		b->n++;
		b->niov += 2 * k;
		t->data_packets += k;
		for (unsigned int i = 0; i < k; i++)
			t->data_bytes += pkts[i].len;
		pkts += k;
		n -= k;
	}
}

/*
 * Send pkts[0..k), all of one channel, to owners[0..n): the tunnels that
 * wanted it when it was read, less those freed since (husks).
 */
static void amt_relay_send_run(struct amt_relay *relay, struct amt_tx_batches *bs,
			       const uint8_t *hdr, const struct amt_gso_pkt *pkts, unsigned int k,
			       void *const *owners, uint32_t n)
{
	uint64_t bytes = 0;
	uint32_t sent = 0;

	for (unsigned int i = 0; i < k; i++)
		bytes += pkts[i].len;
	for (uint32_t o = 0; o < n; o++) {
		struct amt_tunnel *t = owners[o];

		if (t->gone) {
			relay->stats.fanout_gone += k;
			continue;
		}
		amt_tx_queue(relay, bs, t, hdr, pkts, k);
		sent++;
	}
	relay->stats.tx_data += (uint64_t)k * sent;
	relay->stats.tx_data_bytes += bytes * sent;
}

/*
 * A run of one channel's packets to its fan-out: all of it, or, when it is
 * larger than a slice, the first slice now and the rest queued for the
 * next events.  Behind a split fan-out everything is queued, so that no
 * tunnel gets a packet before the ones read earlier.
 */
static void amt_relay_fanout(struct amt_relay *relay, struct amt_tx_batches *bs, const uint8_t *hdr,
			     const struct amt_gso_pkt *pkts, unsigned int k,
			     const struct amt_fanout *fo)
{
	uint32_t n = fo->count;

	if (!amt_fo_queue_empty(&relay->fanout)) {
		amt_fo_queue_add(&relay->fanout, pkts, k, fo->owners, 0, fo->count);
		return;
	}
	if ((uint64_t)fo->count * k > relay->cfg.fanout_slice)
		n = amt_fo_owners_per_slice(relay->cfg.fanout_slice, k, fo->count);
	if (n < fo->count) {
		amt_fo_queue_add(&relay->fanout, pkts, k, fo->owners, n, fo->count);
		relay->stats.fanout_split++;
	}
	amt_relay_send_run(relay, bs, hdr, pkts, k, fo->owners, n);
}

/* A packet read from the tun that has receivers, waiting to be sent. */
struct amt_rx_pkt {
	uint8_t *data;
	size_t len;
	struct amt_fanout fo;
	bool done;
};

/*
 * Send what the event read: the packets of one channel (the same fan-out,
 * as the flow index gives it) together, so that each tunnel gets them in
 * one message where GSO allows; order within a channel is kept.
 */
static void amt_relay_emit(struct amt_relay *relay, struct amt_tx_batches *bs, const uint8_t *hdr,
			   struct amt_rx_pkt *pend, unsigned int npend)
{
	struct amt_gso_pkt run[AMT_TUN_RX_BATCH];

	static_assert(AMT_TUN_RX_BATCH <= AMT_FO_MAX_PKTS, "a run must fit a split job");
	for (unsigned int i = 0; i < npend; i++) {
		unsigned int k = 0;

		if (pend[i].done)
			continue;
		for (unsigned int j = i; j < npend && k < array_size(run); j++) {
			if (pend[j].done || pend[j].fo.owners != pend[i].fo.owners ||
			    pend[j].fo.count != pend[i].fo.count)
				continue;
			run[k].data = pend[j].data;
			run[k].len = pend[j].len;
			k++;
			pend[j].done = true;
		}
		amt_relay_fanout(relay, bs, hdr, run, k, &pend[i].fo);
	}
}

/* Is this a packet to forward (not link-local scope control traffic)? */
static bool amt_is_routable_multicast(int family, const union amt_ip *g)
{
	bool mcast = family == AF_INET ? (g->bytes[0] & 0xf0) == 0xe0 : g->bytes[0] == 0xff;

	return mcast && !amt_group_is_link_local(family, g);
}

/*
 * One packet read from the tun: a query goes to the report feed; a packet
 * to forward gets its fan-out.  Returns the datagrams it will make.
 */
static uint32_t amt_relay_tun_packet(struct amt_relay *relay, uint8_t *pkt, size_t len,
				     struct amt_fanout *fo)
{
	union amt_ip s, g;
	int family = amt_ip_sg(pkt, len, &s, &g);
	struct amt_query q;

	fo->count = 0;
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
	*fo = amt_flow_index_lookup(relay->index, family, &s, &g);
	if (fo->count == 0) {
		relay->stats.tun_no_receiver++;
		return 0;
	}
	relay->stats.tun_data++;
	return fo->count;
}

/*
 * How many reads to batch: as many as were waiting last time, twice over
 * (a batch that came back full grows, at most to the room left), and no
 * more than the datagram budget covers at the last packet's fan-out (at
 * 1,000 tunnels and more, one read at a time, as before).
 */
static unsigned int amt_tun_read_want(unsigned int room, uint32_t queued, unsigned int last_got,
				      uint32_t last_fanout)
{
	uint32_t by_budget = (AMT_TUN_TX_BUDGET - queued) / MAX(last_fanout, 1u);
	unsigned int want = MAX(2 * last_got, 4u);

	want = MIN(want, room);
	want = MIN(want, MAX(by_budget, 1u));
	return MIN(want, (unsigned int)AMT_TUN_RING_MAX);
}

/* Shared by the read and the slice events, flushed at the end of each. */
static struct amt_tx_batches amt_tx_batch;

static void amt_relay_fanout_next(struct event *event);

/* After an event: the next slice of a split fan-out, else read on. */
static void amt_relay_tun_continue(struct amt_relay *relay)
{
	if (!amt_fo_queue_empty(&relay->fanout)) {
		event_add_event(master, amt_relay_fanout_next, relay, 0, &relay->t_fanout);
		return;
	}
	amt_relay_husks_free(relay);
	amt_relay_tun_attach(relay);
}

/*
 * One slice of the split fan-outs: fanout-slice datagrams (a tunnel's run
 * of packets is never cut), in the order they were queued.
 */
static void amt_relay_fanout_next(struct event *event)
{
	struct amt_relay *relay = EVENT_ARG(event);
	static uint8_t hdr[AMT_DATA_HDR_LEN];
	uint32_t budget = relay->cfg.fanout_slice;
	uint64_t t0 = amt_now_us();
	struct amt_fo_slice s;

	amt_encode_data_header(hdr);
	relay->stats.fanout_slices++;
	while (budget && amt_fo_queue_next(&relay->fanout, &budget, &s))
		amt_relay_send_run(relay, &amt_tx_batch, hdr, s.pkts, s.npkts, s.owners, s.count);
	amt_tx_flush_all(relay, &amt_tx_batch);
	/* The slices' packets are sent: their jobs may go. */
	amt_fo_queue_release(&relay->fanout);
	relay->tun_busy_us = amt_now_us() - t0;
	amt_relay_tun_continue(relay);
}

void amt_relay_fanout_drop(struct amt_relay *relay)
{
	uint64_t left;

	EVENT_OFF(relay->t_fanout);
	left = amt_fo_queue_drop(&relay->fanout);
	if (left)
		zlog_info("AMT relay %s: %" PRIu64
			  " datagrams of a split fan-out dropped with the relay",
			  relay->inst->name, left);
	amt_relay_husks_free(relay);
}

/*
 * A packet read from the pseudo-interface (len bytes at data), kept in *p
 * for the event's sends when some tunnel wants it: the datagrams it makes,
 * 0 when none.
 */
static uint32_t amt_relay_rx_take(struct amt_relay *relay, struct amt_rx_pkt *p, uint8_t *data,
				  size_t len)
{
	uint32_t d = amt_relay_tun_packet(relay, data, len, &p->fo);

	if (d) {
		p->data = data;
		p->len = len;
		p->done = false;
	}
	return d;
}

/*
 * The end of a read event: the kept packets sent, the batches flushed, the
 * event's time noted.  True when a split fan-out goes on in later events
 * (the read is armed again by its last slice).
 */
static bool amt_relay_read_end(struct amt_relay *relay, struct amt_tx_batches *batch,
			       const uint8_t *hdr, struct amt_rx_pkt *pend, unsigned int npend,
			       uint64_t t0)
{
	amt_relay_emit(relay, batch, hdr, pend, npend);
	amt_tx_flush_all(relay, batch);
	relay->tun_busy_us = amt_now_us() - t0;
	if (amt_fo_queue_empty(&relay->fanout))
		return false;
	amt_relay_tun_continue(relay);
	return true;
}

/*
 * Read packets into separate slots (a batch of reads in one io_uring call
 * where the kernel has it, else one read() each), then send all their
 * datagrams in shared batches (one per socket, flushed when full and once
 * at the end of the event), a channel's packets to one tunnel in one GSO
 * message.
 */
void amt_relay_tun_read(struct event *event)
{
	struct amt_relay *relay = EVENT_ARG(event);
	static uint8_t slot[AMT_TUN_RX_BATCH][AMT_TUN_SLOT];
	static uint8_t big[65536];
	static struct iovec riov[AMT_TUN_RX_BATCH][2];
	static ssize_t res[AMT_TUN_RX_BATCH];
	struct amt_tx_batches *batch = &amt_tx_batch;
	static struct amt_rx_pkt pend[AMT_TUN_RX_BATCH];
	static uint8_t hdr[AMT_DATA_HDR_LEN];
	static unsigned int last_got = AMT_TUN_RX_BATCH;
	static uint32_t last_fanout = 1;
	unsigned int npend = 0, used = 0;
	int fd = relay->inst->tun_fd;
	uint64_t t0 = amt_now_us();
	uint32_t queued = 0;
	bool more = true;

	/* Armed while a split fan-out was still being sent: it goes first. */
	if (!amt_fo_queue_empty(&relay->fanout))
		return;
	amt_encode_data_header(hdr);
	/* Nothing newer is read behind a split fan-out. */
	while (more && used < AMT_TUN_RX_BATCH && queued < AMT_TUN_TX_BUDGET &&
	       amt_fo_queue_empty(&relay->fanout)) {
		unsigned int want = amt_tun_read_want(AMT_TUN_RX_BATCH - used, queued, last_got,
						      last_fanout);
		unsigned int got = 0, last_big = want;

		for (unsigned int i = used; i < used + want; i++) {
			riov[i][0].iov_base = slot[i];
			riov[i][0].iov_len = AMT_TUN_SLOT;
			riov[i][1].iov_base = big + AMT_TUN_SLOT;
			riov[i][1].iov_len = sizeof(big) - AMT_TUN_SLOT;
		}
		if (want < 2 || !amt_tun_ring_read(fd, &riov[used], want, &res[used])) {
			ssize_t n = readv(fd, riov[used], 2);

			want = 1;
			res[used] = n < 0 ? -errno : n;
		}
		/* Packets longer than a slot share the spare buffer's tail: only
		 * the batch's last one is whole (the MTU was raised past a slot). */
		for (unsigned int i = 0; i < want; i++)
			if (res[used + i] > AMT_TUN_SLOT)
				last_big = i;
		for (unsigned int i = used; i < used + want; i++) {
			ssize_t n = res[i];
			struct amt_rx_pkt *p = &pend[npend];
			uint32_t d;

			if (n == -EAGAIN || n == -EWOULDBLOCK || n == -EINTR || n == 0)
				continue;
			if (n < 0) {
				/* Deleted under us: readable for ever, never readable. */
				amt_relay_emit(relay, batch, hdr, pend, npend);
				amt_tx_flush_all(relay, batch);
				amt_instance_tun_lost(relay->inst, -n);
				if (!amt_fo_queue_empty(&relay->fanout))
					amt_relay_tun_continue(relay);
				return;
			}
			got++;
			if (n <= AMT_TUN_SLOT) {
				d = amt_relay_rx_take(relay, p, slot[i], n);
				if (d) {
					npend++;
					queued += d;
					last_fanout = d;
				}
				continue;
			}
			if (i - used != last_big) {
				relay->stats.tun_other++;
				DEBUGD(&amt_dbg_packets,
				       "AMT relay %s: %zd-byte packet dropped (another long one overwrote it)",
				       relay->inst->name, n);
				continue;
			}
			/* Longer than a slot: make it whole in big, send before reuse. */
			amt_relay_emit(relay, batch, hdr, pend, npend);
			npend = 0;
			p = &pend[0];
			memcpy(big, slot[i], AMT_TUN_SLOT);
			d = amt_relay_rx_take(relay, p, big, n);
			if (d) {
				npend++;
				queued += d;
				last_fanout = d;
			}
			amt_relay_emit(relay, batch, hdr, pend, npend);
			npend = 0;
			amt_tx_flush_all(relay, batch);
		}
		used += want;
		last_got = got;
		/* A batch that came back full may have left more waiting. */
		more = got == want;
	}
	if (amt_relay_read_end(relay, batch, hdr, pend, npend, t0))
		return;
	event_add_read(master, amt_relay_tun_read, relay, fd, &relay->t_tun_read);
}

/* ------------------------------------------------- reading a packet ring */

/* Packets taken from the ring per event, at most (the datagram budget
 * stops it earlier at larger fan-outs). */
#define AMT_RING_EVENT_MAX 256

bool amt_relay_ring_start(struct amt_relay *relay)
{
	struct amt_instance *inst = relay->inst;
	bool ok = false;

	if (relay->ring.fd >= 0)
		return true;
	if (relay->ring_refused)
		return false;
	frr_with_privs (&amtd_privs) {
		ok = amt_pkt_ring_open(&relay->ring, inst->kernel_ifindex);
	}
	if (!ok) {
		relay->ring_refused = true;
		flog_warn(EC_AMT_PSEUDO_IF,
			  "AMT relay %s: no packet ring on the pseudo-interface (%s); reading it instead",
			  inst->name, safe_strerror(errno));
		return false;
	}
	zlog_info("AMT relay %s: pseudo-interface read through a packet ring", inst->name);
	return true;
}

/*
 * The tun's own queue filled up while the ring was read (the kernel drops
 * there what the ring took): empty it, so that reading the tun again does
 * not send those packets a second time.
 */
static void amt_relay_tun_drain(int fd)
{
	static uint8_t buf[65536];

	for (unsigned int i = 0; i < 4096; i++)
		if (read(fd, buf, sizeof(buf)) < 0)
			break;
}

void amt_relay_ring_stats(struct amt_relay *relay)
{
	if (relay->ring.fd < 0)
		return;
	relay->stats.ring_drops += amt_pkt_ring_drops(&relay->ring);
	relay->stats.ring_too_long += relay->ring.truncated;
	relay->ring.truncated = 0;
}

void amt_relay_ring_stop(struct amt_relay *relay)
{
	if (relay->ring.fd < 0)
		return;
	amt_relay_ring_stats(relay);
	zlog_info("AMT relay %s: packet ring closed", relay->inst->name);
	amt_pkt_ring_close(&relay->ring);
	if (relay->inst->tun_fd >= 0)
		amt_relay_tun_drain(relay->inst->tun_fd);
}

/*
 * amt_relay_tun_read() for a packet ring: the packets are read in place
 * (a split fan-out copies what it keeps) and their frames given back once
 * the event's datagrams are sent.
 */
void amt_relay_ring_read(struct event *event)
{
	struct amt_relay *relay = EVENT_ARG(event);
	static struct amt_rx_pkt pend[AMT_TUN_RX_BATCH];
	static uint8_t hdr[AMT_DATA_HDR_LEN];
	struct amt_tx_batches *batch = &amt_tx_batch;
	struct amt_pkt_ring *r = &relay->ring;
	unsigned int npend = 0, taken = 0;
	uint64_t t0 = amt_now_us();
	uint32_t queued = 0;
	const uint8_t *data;
	bool split;
	size_t len;
	int err;

	if (!amt_fo_queue_empty(&relay->fanout))
		return;
	amt_encode_data_header(hdr);
	while (taken < AMT_RING_EVENT_MAX && queued < AMT_TUN_TX_BUDGET &&
	       amt_fo_queue_empty(&relay->fanout) && amt_pkt_ring_next(r, &data, &len)) {
		struct amt_rx_pkt *p = &pend[npend];
		uint32_t d;

		taken++;
		d = amt_relay_rx_take(relay, p, (uint8_t *)data, len);
		if (!d)
			continue;
		queued += d;
		if (++npend == array_size(pend)) {
			amt_relay_emit(relay, batch, hdr, pend, npend);
			npend = 0;
		}
	}
	/* The frames go back once their packets are sent (a split fan-out
	 * copied what it keeps). */
	split = amt_relay_read_end(relay, batch, hdr, pend, npend, t0);
	amt_pkt_ring_release(r);
	if (split)
		return;
	/* Woken with nothing to read: the device went down or away. */
	if (!taken && (err = amt_pkt_ring_error(r)) != 0) {
		zlog_info("AMT relay %s: packet ring: %s; reading the pseudo-interface instead",
			  relay->inst->name, safe_strerror(err));
		amt_relay_ring_stop(relay);
		event_add_read(master, amt_relay_tun_read, relay, relay->inst->tun_fd,
			       &relay->t_tun_read);
		return;
	}
	event_add_read(master, amt_relay_ring_read, relay, r->fd, &relay->t_tun_read);
}
