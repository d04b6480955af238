// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AMT relay: the pseudo-interface side.  The union of all tunnels'
 * membership is written into the tun device as IGMPv3/MLDv2 host reports for
 * pimd; pimd's queries read from it are answered with the current state; and
 * the multicast the kernel forwards onto it is sent down exactly the tunnels
 * that want each (S,G), batched with sendmmsg.
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
/* Keep host reports inside the pseudo-interface's MTU. */
#define AMT_REPORT_MAX 1400

/* ------------------------------------------------------- reports to pimd */

/* The unspecified IPv4 source and a fixed link-local IPv6 source. */
static void amt_report_source(int family, union amt_ip *src)
{
	memset(src, 0, sizeof(*src));
	if (family == AF_INET6) {
		src->v6.s6_addr[0] = 0xfe;
		src->v6.s6_addr[1] = 0x80;
		src->v6.s6_addr[15] = 0xa3;
	}
}

static size_t amt_addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

/* Most sources one record may carry and still fit AMT_REPORT_MAX. */
static uint32_t amt_record_max_sources(int family)
{
	if (family == AF_INET)
		return (AMT_REPORT_MAX - AMT_IGMP_IP_HDR_LEN - AMT_IGMPV3_REPORT_HDR -
			AMT_IGMPV3_RECORD_HDR) /
		       4;
	return (AMT_REPORT_MAX - AMT_MLD_IP_HDR_LEN - AMT_MLDV2_REPORT_HDR - AMT_MLDV2_RECORD_HDR) /
	       16;
}

static void amt_relay_tun_write(struct amt_relay *relay, const uint8_t *pkt, ssize_t len)
{
	if (len < 0 || write(relay->inst->tun_fd, pkt, len) != len) {
		relay->stats.tun_write_errors++;
		DEBUGD(&amt_dbg_packets, "AMT relay %s: cannot write report: %s", relay->inst->name,
		       len < 0 ? "too large" : safe_strerror(errno));
		return;
	}
	relay->stats.tun_reports_written++;
}

/*
 * Write one record (type, group, sources) as host reports.  Source lists
 * longer than a packet holds are split over several reports; that keeps
 * the meaning of INCLUDE-type records, and for EXCLUDE-type ones the later
 * parts are sent as BLOCK, which has the same effect on the router.
 */
static void amt_relay_report(struct amt_relay *relay, int family, uint8_t type,
			     const union amt_ip *group, const union amt_ip *sources, uint32_t num)
{
	uint8_t packed[AMT_REPORT_MAX], pkt[AMT_REPORT_MAX + 64];
	uint32_t max = amt_record_max_sources(family), done = 0;
	size_t alen = amt_addr_len(family);
	struct amt_group_record rec = {};
	union amt_ip src;

	if (relay->inst->tun_fd < 0)
		return;
	amt_report_source(family, &src);
	rec.family = family;
	rec.version = family == AF_INET ? 3 : 2;
	rec.group = *group;
	do {
		uint32_t n = MIN(num - done, max);

		for (uint32_t i = 0; i < n; i++)
			memcpy(packed + i * alen, &sources[done + i], alen);
		rec.type = type;
		rec.num_sources = n;
		rec.sources = packed;
		amt_relay_tun_write(relay, pkt,
				    amt_report_build(pkt, sizeof(pkt), family, &src, &rec, 1));
		done += n;
		if (type == AMT_REC_CHANGE_TO_EXCLUDE || type == AMT_REC_MODE_IS_EXCLUDE)
			type = AMT_REC_BLOCK_OLD_SOURCES;
	} while (done < num);
}

/* Flow index callback: the union of one group changed. */
void amt_relay_union_changed(void *arg, const struct amt_union_change *chg)
{
	struct amt_relay *relay = arg;
	bool include = chg->new_mode == AMT_FILTER_INCLUDE;

	DEBUGD(&amt_dbg_events, "AMT relay %s: union of a group changed: %s, +%u -%u",
	       relay->inst->name, include ? "include" : "exclude", chg->num_added, chg->num_removed);

	if (chg->old_mode != chg->new_mode) {
		amt_relay_report(relay, chg->family,
				 include ? AMT_REC_CHANGE_TO_INCLUDE : AMT_REC_CHANGE_TO_EXCLUDE,
				 chg->group, chg->added, chg->num_added);
		return;
	}
	/* RFC 3376 section 5.1: in EXCLUDE mode the list holds the blocked. */
	if (chg->num_added)
		amt_relay_report(relay, chg->family,
				 include ? AMT_REC_ALLOW_NEW_SOURCES : AMT_REC_BLOCK_OLD_SOURCES,
				 chg->group, chg->added, chg->num_added);
	if (chg->num_removed)
		amt_relay_report(relay, chg->family,
				 include ? AMT_REC_BLOCK_OLD_SOURCES : AMT_REC_ALLOW_NEW_SOURCES,
				 chg->group, chg->removed, chg->num_removed);
}

struct amt_query_answer {
	struct amt_relay *relay;
	int family;
};

static void amt_relay_answer_group(void *arg, const struct amt_union_state *st)
{
	struct amt_query_answer *qa = arg;

	if (st->family != qa->family)
		return;
	amt_relay_report(qa->relay, st->family,
			 st->mode == AMT_FILTER_INCLUDE ? AMT_REC_MODE_IS_INCLUDE
							: AMT_REC_MODE_IS_EXCLUDE,
			 st->group, st->sources, st->num_sources);
}

/* pimd queried the pseudo-interface: report the current union state. */
static void amt_relay_answer_query(struct amt_relay *relay, const struct amt_query *q)
{
	struct amt_query_answer qa = { .relay = relay, .family = q->family };
	bool general = q->family == AF_INET ? q->group.v4.s_addr == INADDR_ANY
					    : IN6_IS_ADDR_UNSPECIFIED(&q->group.v6);

	relay->stats.tun_queries++;
	if (general)
		amt_flow_index_union_walk(relay->index, amt_relay_answer_group, &qa);
	else
		amt_flow_index_union_group(relay->index, q->family, &q->group,
					   amt_relay_answer_group, &qa);
}

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
