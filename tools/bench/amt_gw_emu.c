// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * amt_gw_emu: many AMT gateways (RFC 7450) in one process, to load an AMT
 * relay.
 *
 * Each emulated gateway is one (address, UDP port) endpoint taken from a
 * prefix that the relay routes toward this namespace (tunnel i uses address
 * base + i / ports-per-addr and port port-base + i % ports-per-addr).  Per
 * gateway it does the real handshake: Request with a fresh nonce, Membership
 * Query carrying the relay's MAC, Membership Update with an IGMPv3 report
 * for the chosen (S,G) under that MAC (with --asm: (*,G), an EXCLUDE record
 * without sources), and it repeats the handshake at the query interval the
 * relay announces (QQIC) to keep the tunnel.
 *
 * With --mld the channel is an IPv6 one (--source6, --group6): the Request
 * sets P (RFC 7450 5.1.3.3) so that the relay's Query carries an MLDv2
 * General Query, and the Update carries an MLDv2 report (RFC 3810 5.2:
 * ALLOW_NEW_SOURCES to join, MODE_IS_INCLUDE to refresh) from a link-local
 * source to ff02::16; only data whose inner packet is IPv6/UDP to the group
 * is counted; with --groups K gateway i joins group6 plus i mod K in its
 * last 32 bits, as mcast_tool sends K IPv6 channels.  With --v6-every 1
 * every gateway is an IPv6 one outside too.
 *
 * With --discovery A.B.C.D the relay is not given: each gateway first sends
 * a Relay Discovery to that (anycast) address and sends its Request to the
 * relay named in the Advertisement that answers it (RFC 7450 5.2.3.4), as a
 * real gateway does, and again when a Query carries L; with ECMP toward
 * several relays, gateways from different addresses land on different
 * relays, and the report says how many tunnels each relay got and how many
 * of them received data from it.
 *
 * Why not one UDP socket per gateway: 100,000 sockets, and one syscall per
 * datagram on the receiving side, would make the emulator (which shares
 * this two-core machine with the relay) the bottleneck.  Instead:
 *  - sending: one raw IPv4 socket (IP_HDRINCL) writes each gateway's
 *    datagrams with its own source address and port, batched (sendmmsg);
 *  - receiving: one AF_PACKET socket with a TPACKET_V3 ring and a BPF
 *    filter that keeps the first bytes of UDP datagrams to the prefix; the
 *    kernel then drops them (run.sh installs a raw-table rule), so no ICMP
 *    and no socket lookup is spent on them.
 * The relay sees exactly what it would see from N real gateways.
 *
 * Data received is counted per tunnel.  The stream's payload carries a
 * sequence number and its send time (bench_util.h): loss is counted over a
 * window of send times, and one-way and join latencies come from the
 * kernel's receive timestamps.
 *
 * Results are printed as key=value lines.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "amt_igmp.h"
#include "amt_packet.h"

#include "bench_util.h"

#define EMU_MAX_TUNNELS	  1000000
#define EMU_SEND_BATCH	  512
#define EMU_PKT_MAX	  256
/* Room for the outer header in front of each message: IPv6 + UDP. */
#define EMU_HDR_MAX BENCH_IPV6_UDP_LEN
#define EMU_SNAPLEN	  160
/*
 * --mld: an IPv6 Membership Query with the gateway fields (RFC 7450 5.1.4:
 * 12 + IPv6 40 + Hop-by-Hop 8 + MLDv2 query 28 + port 2 + address 16)
 * behind Ethernet, IPv6 and UDP is 168 bytes.
 */
#define EMU_SNAPLEN_MLD 192
#define EMU_BLOCK_SIZE	  (1u << 20)
#define EMU_BLOCKS	  64
#define EMU_BUCKET_NS	  10000000ull /* arrival histogram: 10 ms */
#define EMU_MAX_LATENCIES 100000

#ifndef MIN
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#endif

enum emu_state {
	EMU_IDLE = 0,
	EMU_DISCOVERING, /* Relay Discovery sent, waiting for the Advertisement */
	EMU_REQUESTING, /* Request sent, waiting for the Query */
	EMU_UP,		/* Update sent */
};

struct emu_tunnel {
	uint32_t nonce; /* Discovery Nonce while discovering, then Request Nonce */
	struct in_addr relay; /* discovered relay (--discovery), else unused */
	uint8_t mac[AMT_RESPONSE_MAC_LEN];
	uint8_t state;
	uint8_t tries;
	bool refreshing;
	bool late;	      /* a join-latency probe */
	uint32_t deadline_ms; /* retransmission or refresh, since start */
	uint64_t window_pkts; /* data with a send time inside the window */
	uint64_t total_pkts;
	uint64_t relay_pkts; /* data from the discovered relay (--discovery) */
	uint64_t update_ns; /* realtime of the first Update */
	uint64_t first_data_ns;
};

/* A FIFO of (tunnel, deadline); entries whose deadline no longer matches
 * the tunnel's are stale and skipped. */
struct emu_fifo {
	uint32_t *id;
	uint32_t *when;
	uint32_t cap, head, tail;
};

struct emu_opts {
	const char *ifname;
	struct in_addr relay;
	struct in_addr discovery; /* anycast Relay Discovery Address, or 0 */
	uint16_t relay_port;
	struct bench_prefix prefix;
	struct bench_endpoints ep;
	uint32_t tunnels;
	struct in_addr source, group;
	struct in_addr storm_group; /* the storm's gateways ask for (source, this) */
	uint32_t groups;	    /* >1: gateway i joins group + (i mod groups) */
	uint32_t sources;	    /* >1: ... from source + (i mod groups) mod sources */
	uint32_t window;	    /* handshakes in flight */
	uint32_t rate;		    /* handshakes started per second, 0: no limit */
	uint32_t timeout_ms;	    /* Request retransmission */
	uint32_t retries;
	uint32_t duration_s; /* after ready */
	uint32_t idle_exit_ms;
	uint32_t warmup_ms, measure_ms;
	uint32_t late, late_at_ms, late_gap_ms;
	uint32_t storm, storm_at_ms;
	bool passive; /* count only: no handshakes (raw ceiling runs) */
	bool asm_join; /* (*,G): EXCLUDE {} instead of INCLUDE {source} */
	/* MLD inside: the IPv6 channel (source6, group6), Requests with P. */
	bool mld;
	struct in6_addr source6, group6;
	/* Mixed families: every v6_every-th tunnel is an IPv6 gateway in
	 * prefix6, talking to relay6 (bench_is_v6()). */
	struct in6_addr relay6;
	struct bench_prefix6 prefix6;
	uint32_t v6_every;
	const char *ready_file;
	int cpu;
};

/* Outgoing messages of one family, sent on its raw socket (fd). */
struct emu_sendq {
	int fd;
	struct mmsghdr msgs[EMU_SEND_BATCH];
	struct iovec iov[EMU_SEND_BATCH];
	union {
		struct sockaddr_in v4;
		struct sockaddr_in6 v6;
	} sa[EMU_SEND_BATCH];
	uint8_t buf[EMU_SEND_BATCH][EMU_PKT_MAX];
	unsigned int n;
	uint64_t sent, errors;
};

struct emu {
	struct emu_opts o;
	struct emu_tunnel *t;
	uint32_t ntun;	   /* tunnels allocated: tunnels + late + storm */
	uint32_t target;   /* tunnels [0, target) are to be handshaken */
	uint32_t next_new; /* next tunnel to start */
	uint32_t inflight; /* tunnels in EMU_DISCOVERING or EMU_REQUESTING */
	uint32_t up;	   /* tunnels that sent an Update */
	struct emu_fifo pending, refresh;
	struct emu_sendq q, q6;
	struct sockaddr_in relay_sa;
	struct sockaddr_in6 relay6_sa;
	int pkt_fd;
	uint8_t *ring;
	uint32_t block;
	uint64_t start_ns, start_rt;
	uint32_t rng;

	/* Handshake phases: the initial set, then the storm. */
	uint64_t hs_start_ns, hs_done_ns, hs_elapsed_ns;
	uint32_t storm_up0;
	uint64_t storm_start_rt, storm_done_rt, storm_start_ns, storm_done_ns;
	bool barrier_pending, barrier_done;
	uint32_t barrier_nonce;
	uint64_t barrier_sent_ns;
	uint64_t ready_rt;
	bool ready, storm_started, storm_barrier;

	/* Join-latency probes. */
	uint32_t late_next, late_done;
	uint64_t late_next_ns;
	uint64_t *latency;
	uint32_t nlatency;

	/* Counters. */
	uint64_t discoveries, advertisements, bad_advertisements, moves;
	uint64_t requests, retransmits, queries, queries_l, updates, teardowns, bad_nonce, failed;
	uint64_t data_pkts, data_bytes, data_unknown, other_pkts;
	/* --mld: data whose inner packet is not IPv6/UDP to the group; Queries
	 * carrying an MLD query. */
	uint64_t data_other_inner, queries_mld;
	uint32_t snaplen;
	uint64_t win_pkts, win_bytes, win_seq_lo, win_seq_hi;
	uint64_t rx_win_pkts, rx_win_bytes;
	bool win_any;
	/*
	 * The window's sequence numbers per channel (--groups): the source
	 * sends the channels round-robin, so at the window's edges one
	 * channel's packet of a round may be in and the next one's out; the
	 * stream-wide range would count those as lost.
	 */
	struct emu_chan_win {
		uint64_t lo, hi;
		bool any;
	} *chan_win;
	uint64_t first_tx_ns, last_rx_rt, first_rx_rt;
	uint64_t owd_sum_ns, owd_max_ns, owd_n;
	uint32_t *bucket;
	uint32_t nbuckets;
	uint32_t qqi_s;
};

/* ---------------------------------------------------------------- misc */

static uint32_t emu_rand(struct emu *e)
{
	/* xorshift32: nonces only need to differ. */
	e->rng ^= e->rng << 13;
	e->rng ^= e->rng >> 17;
	e->rng ^= e->rng << 5;
	return e->rng;
}

static uint32_t emu_ms(const struct emu *e)
{
	return (uint32_t)((bench_now_ns() - e->start_ns) / 1000000);
}

static void emu_fifo_init(struct emu_fifo *f, uint32_t cap)
{
	f->cap = cap;
	f->id = calloc(cap, sizeof(*f->id));
	f->when = calloc(cap, sizeof(*f->when));
	if (!f->id || !f->when)
		bench_die("out of memory");
}

static void emu_fifo_push(struct emu_fifo *f, uint32_t id, uint32_t when)
{
	if (f->tail - f->head == f->cap)
		f->head++; /* full: drop the oldest (stale by construction) */
	f->id[f->tail % f->cap] = id;
	f->when[f->tail % f->cap] = when;
	f->tail++;
}

/* The next entry due at now_ms, or false. */
static bool emu_fifo_due(struct emu_fifo *f, uint32_t now_ms, uint32_t *id, uint32_t *when)
{
	if (f->head == f->tail || (int32_t)(f->when[f->head % f->cap] - now_ms) > 0)
		return false;
	*id = f->id[f->head % f->cap];
	*when = f->when[f->head % f->cap];
	f->head++;
	return true;
}

/* ---------------------------------------------------------------- sending */

static void emu_flush_q(struct emu_sendq *q)
{
	unsigned int done = 0, waits = 0;

	while (done < q->n) {
		int r = sendmmsg(q->fd, q->msgs + done, q->n - done, 0);

		if (r <= 0) {
			/* A full device queue drains quickly; wait a little. */
			if ((errno == ENOBUFS || errno == EAGAIN) && waits++ < 1000) {
				bench_sleep_us(50);
				continue;
			}
			q->errors++;
			done++;
			continue;
		}
		done += r;
	}
	q->sent += q->n;
	q->n = 0;
}

static void emu_flush(struct emu *e)
{
	emu_flush_q(&e->q);
	if (e->o.v6_every)
		emu_flush_q(&e->q6);
}

/*
 * Is tunnel i an IPv6 gateway?  The barrier endpoint (ntun) is IPv4, unless
 * every gateway is IPv6 (--v6-every 1): the relay serves each of its sockets
 * in order, so the barrier goes through the gateways' one.
 */
static bool emu_is_v6(const struct emu *e, uint32_t i)
{
	if (i >= e->ntun)
		return e->o.v6_every == 1;
	return bench_is_v6(e->o.v6_every, i);
}

static struct emu_sendq *emu_q(struct emu *e, uint32_t i)
{
	return emu_is_v6(e, i) ? &e->q6 : &e->q;
}

/* Queue one AMT message from tunnel i (or from the barrier endpoint). */
static uint8_t *emu_msg_begin(struct emu *e, uint32_t i)
{
	struct emu_sendq *q = emu_q(e, i);

	if (q->n == EMU_SEND_BATCH)
		emu_flush_q(q);
	return q->buf[q->n] + EMU_HDR_MAX;
}

/* dst: where the message goes (the relay, or the discovery address); an
 * IPv6 gateway's go to relay6. */
static void emu_msg_end(struct emu *e, uint32_t i, ssize_t len, struct in_addr dst)
{
	struct emu_sendq *q = emu_q(e, i);
	uint8_t *pkt = q->buf[q->n];
	struct mmsghdr *m = &q->msgs[q->n];
	uint16_t port;

	if (len < 0)
		bench_die("cannot encode an AMT message");
	memset(m, 0, sizeof(*m));
	if (q == &e->q6) {
		struct in6_addr addr;

		bench_endpoint6(&e->o.prefix6, &e->o.ep, i, &addr, &port);
		bench_ipv6_udp(pkt, &addr, port, &e->o.relay6, e->o.relay_port, len, 64);
		q->iov[q->n].iov_base = pkt;
		q->iov[q->n].iov_len = BENCH_IPV6_UDP_LEN + len;
		q->sa[q->n].v6 = e->relay6_sa;
		m->msg_hdr.msg_namelen = sizeof(q->sa[q->n].v6);
	} else {
		struct in_addr addr;

		pkt += EMU_HDR_MAX - BENCH_INNER_HDR_LEN;
		bench_endpoint(&e->o.ep, i, &addr, &port);
		bench_ipv4_udp(pkt, addr, port, dst, e->o.relay_port, len, 64);
		q->iov[q->n].iov_base = pkt;
		q->iov[q->n].iov_len = BENCH_INNER_HDR_LEN + len;
		q->sa[q->n].v4 = e->relay_sa;
		q->sa[q->n].v4.sin_addr = dst;
		m->msg_hdr.msg_namelen = sizeof(q->sa[q->n].v4);
	}
	m->msg_hdr.msg_iov = &q->iov[q->n];
	m->msg_hdr.msg_iovlen = 1;
	m->msg_hdr.msg_name = &q->sa[q->n];
	q->n++;
}

/* The relay of tunnel i: the discovered one, or the one given. */
static struct in_addr emu_relay_of(const struct emu *e, uint32_t i)
{
	return e->o.discovery.s_addr ? e->t[i].relay : e->o.relay;
}

static void emu_send_request(struct emu *e, uint32_t i, uint32_t nonce)
{
	uint8_t *m = emu_msg_begin(e, i);

	emu_msg_end(e, i,
		    amt_encode_request(m, EMU_PKT_MAX - EMU_HDR_MAX, nonce, e->o.mld,
				       AMT_FLAGS_RFC),
		    emu_relay_of(e, i));
	e->requests++;
}

/* Relay Discovery (RFC 7450 5.2.3.4) to the anycast discovery address. */
static void emu_send_discovery(struct emu *e, uint32_t i, uint32_t nonce)
{
	uint8_t *m = emu_msg_begin(e, i);

	emu_msg_end(e, i, amt_encode_discovery(m, EMU_PKT_MAX - EMU_HDR_MAX, nonce),
		    e->o.discovery);
	e->discoveries++;
}

/*
 * --mld: the report's source, a link-local address of tunnel i (RFC 3810
 * 5.2.13: an MLDv2 report comes from a link-local address), fe80::2:0:0:0
 * plus i + 1.
 */
static void emu_mld_source(uint32_t i, struct in6_addr *a)
{
	uint32_t iid = htonl(i + 1);

	memset(a, 0, sizeof(*a));
	a->s6_addr[0] = 0xfe;
	a->s6_addr[1] = 0x80;
	a->s6_addr[9] = 0x02;
	memcpy(&a->s6_addr[12], &iid, 4);
}

/* The channel tunnel i receives: its group's index with --groups, else 0. */
static uint32_t emu_chan_of(const struct emu *e, uint64_t i)
{
	return e->o.groups > 1 && i < e->o.tunnels ? i % e->o.groups : 0;
}

/*
 * The Update: an IGMPv3 report (--mld: MLDv2, RFC 3810 5.2), ALLOW for a
 * join, IS_IN for a refresh.
 */
static void emu_send_update(struct emu *e, uint32_t i)
{
	struct emu_tunnel *t = &e->t[i];
	uint8_t *m = emu_msg_begin(e, i);
	struct amt_group_record rec = {};
	union amt_ip src = {};
	struct in_addr source = e->o.source;
	uint16_t port;
	ssize_t rlen;

	bench_endpoint(&e->o.ep, i, &src.v4, &port);
	rec.family = AF_INET;
	rec.version = 3;
	if (e->o.mld) {
		emu_mld_source(i, &src.v6);
		rec.family = AF_INET6;
		rec.version = 2;
	}
	rec.type = t->refreshing ? AMT_REC_MODE_IS_INCLUDE : AMT_REC_ALLOW_NEW_SOURCES;
	/* ASM (RFC 3376 section 3): any source of G, TO_EX({}), then IS_EX({}). */
	if (e->o.asm_join)
		rec.type = t->refreshing ? AMT_REC_MODE_IS_EXCLUDE : AMT_REC_CHANGE_TO_EXCLUDE;
	rec.group.v4 = e->o.group;
	/* Many channels: the initial gateways spread over consecutive groups. */
	if (e->o.groups > 1 && i < e->o.tunnels) {
		rec.group.v4.s_addr = htonl(ntohl(e->o.group.s_addr) + i % e->o.groups);
		if (e->o.sources > 1)
			source.s_addr = htonl(ntohl(source.s_addr) +
					      (i % e->o.groups) % e->o.sources);
	}
	if (i >= e->o.tunnels && i < e->o.tunnels + e->o.storm && e->o.storm_group.s_addr)
		rec.group.v4 = e->o.storm_group;
	rec.num_sources = e->o.asm_join ? 0 : 1;
	rec.sources = (const uint8_t *)&source;
	if (e->o.mld) {
		/* --groups: group6 plus the channel's index in its last 32 bits,
		 * as mcast_tool sends them; --storm-group is IPv4 only. */
		bench_in6_add(&rec.group.v6, &e->o.group6, emu_chan_of(e, i));
		rec.sources = (const uint8_t *)&e->o.source6;
	}
	/* Build the report where the Update will carry it. */
	rlen = amt_report_build(m + AMT_UPDATE_HDR_LEN,
				EMU_PKT_MAX - EMU_HDR_MAX - AMT_UPDATE_HDR_LEN, rec.family,
				&src, &rec, 1);
	if (rlen < 0)
		bench_die("cannot build the %s report", e->o.mld ? "MLDv2" : "IGMPv3");
	emu_msg_end(e, i,
		    amt_encode_update(m, EMU_PKT_MAX - EMU_HDR_MAX, t->mac, t->nonce,
				      m + AMT_UPDATE_HDR_LEN, rlen),
		    emu_relay_of(e, i));
	e->updates++;
}

/* Teardown (RFC 7450 5.1.7): the relay drops the tunnel at once. */
static void emu_send_teardown(struct emu *e, uint32_t i)
{
	struct emu_tunnel *t = &e->t[i];
	uint8_t *m = emu_msg_begin(e, i);
	struct amt_ipaddr gw = { .family = AF_INET };
	uint16_t port;

	if (emu_is_v6(e, i)) {
		gw.family = AF_INET6;
		bench_endpoint6(&e->o.prefix6, &e->o.ep, i, &gw.ip.v6, &port);
	} else {
		bench_endpoint(&e->o.ep, i, &gw.ip.v4, &port);
	}
	emu_msg_end(e, i,
		    amt_encode_teardown(m, EMU_PKT_MAX - EMU_HDR_MAX, t->mac, t->nonce, &gw,
					port),
		    emu_relay_of(e, i));
	e->teardowns++;
}

/* ---------------------------------------------------------------- handshakes */

static void emu_request(struct emu *e, uint32_t i, bool retransmit)
{
	struct emu_tunnel *t = &e->t[i];
	uint32_t now = emu_ms(e);

	if (!retransmit) {
		t->nonce = emu_rand(e);
		t->tries = 0;
		if (t->state != EMU_REQUESTING && t->state != EMU_DISCOVERING)
			e->inflight++;
	} else {
		e->retransmits++;
		t->tries++;
	}
	/* Back off as gateways do: the timeout doubles, up to 8 s. */
	t->deadline_ms = now + MIN(e->o.timeout_ms << t->tries, 8000u);
	emu_fifo_push(&e->pending, i, t->deadline_ms);
	/* No relay yet: discover one first (a refresh keeps its relay). */
	if (e->o.discovery.s_addr && !t->relay.s_addr) {
		t->state = EMU_DISCOVERING;
		emu_send_discovery(e, i, t->nonce);
		return;
	}
	t->state = EMU_REQUESTING;
	emu_send_request(e, i, t->nonce);
}

/* Start new handshakes within the window and the rate. */
static void emu_start_new(struct emu *e)
{
	uint64_t allowed = UINT64_MAX;

	if (e->o.rate) {
		uint64_t el = bench_now_ns() - e->hs_start_ns;

		allowed = el * e->o.rate / 1000000000ull + 1;
	}
	while (e->next_new < e->target && e->inflight < e->o.window && e->next_new < allowed &&
	       !e->t[e->next_new].late)
		emu_request(e, e->next_new++, false);
}

static void emu_retransmit_due(struct emu *e)
{
	uint32_t now = emu_ms(e), i, when;

	while (emu_fifo_due(&e->pending, now, &i, &when)) {
		struct emu_tunnel *t = &e->t[i];

		if ((t->state != EMU_REQUESTING && t->state != EMU_DISCOVERING) ||
		    t->deadline_ms != when)
			continue;
		if (t->tries >= e->o.retries) {
			/* Given up: free the slot, count it. */
			t->state = EMU_IDLE;
			e->inflight--;
			e->failed++;
			continue;
		}
		emu_request(e, i, true);
	}
}

static void emu_refresh_due(struct emu *e)
{
	uint32_t now = emu_ms(e), i, when;

	while (emu_fifo_due(&e->refresh, now, &i, &when)) {
		struct emu_tunnel *t = &e->t[i];

		if (t->state != EMU_UP || t->deadline_ms != when)
			continue;
		t->refreshing = true;
		emu_request(e, i, false);
	}
}

static void emu_barrier_send(struct emu *e)
{
	e->barrier_nonce = emu_rand(e);
	e->barrier_sent_ns = bench_now_ns();
	/* The barrier endpoint is the one after the last tunnel. */
	emu_send_request(e, e->ntun, e->barrier_nonce);
}

/*
 * The relay serves its socket in order: once it has answered a Request sent
 * after the last Update, it has processed every Update.
 */
static void emu_barrier_check(struct emu *e)
{
	if (!e->barrier_pending) {
		if (e->barrier_done || e->next_new < e->target || e->inflight)
			return;
		/*
		 * Discovered relays: one barrier Request would reach only one
		 * of them; every Update sent is all that can be said.
		 */
		if (e->o.discovery.s_addr) {
			e->barrier_done = true;
			return;
		}
		e->barrier_pending = true;
		emu_flush(e);
		emu_barrier_send(e);
		return;
	}
	if (bench_now_ns() - e->barrier_sent_ns > 200000000ull)
		emu_barrier_send(e);
}

/*
 * Relay Advertisement (RFC 7450 5.1.2): the Discovery Nonce of tunnel i's
 * Discovery and, in an IPv4 datagram, a 4-byte relay address; amt_decode
 * checks the length against that.  The gateway then sends its Request to
 * that relay (5.2.3.4).
 */
static void emu_advertisement(struct emu *e, uint32_t i, const uint8_t *buf, size_t len)
{
	struct emu_tunnel *t = &e->t[i];
	struct amt_msg msg;
	uint32_t a;

	if (amt_decode(buf, len, AF_INET, AMT_FLAGS_RFC, &msg) != AMT_DECODE_OK ||
	    msg.type != AMT_MSG_RELAY_ADVERTISEMENT || msg.relay.family != AF_INET) {
		e->bad_advertisements++;
		return;
	}
	if (!e->o.discovery.s_addr || i >= e->ntun || t->state != EMU_DISCOVERING ||
	    msg.nonce != t->nonce) {
		e->bad_nonce++;
		return;
	}
	/* A relay address must be a unicast address. */
	a = ntohl(msg.relay.ip.v4.s_addr);
	if (a == 0 || a == 0xffffffffu || IN_MULTICAST(a) || (a >> 24) == 127) {
		e->bad_advertisements++;
		return;
	}
	e->advertisements++;
	t->relay = msg.relay.ip.v4;
	t->relay_pkts = 0;
	/* The Request starts a handshake of its own (fresh nonce, tries). */
	emu_request(e, i, false);
}

/* family: the outer one (the Query's gateway address field is of it). */
static void emu_query(struct emu *e, uint32_t i, int family, const uint8_t *buf, size_t len)
{
	struct emu_tunnel *t = &e->t[i];
	struct amt_query q;
	struct amt_msg msg;

	if (amt_decode(buf, len, family, AMT_FLAGS_RFC, &msg) != AMT_DECODE_OK ||
	    msg.type != AMT_MSG_MEMBERSHIP_QUERY) {
		e->other_pkts++;
		return;
	}
	e->queries++;
	if (msg.l)
		e->queries_l++;
	if (i == e->ntun) {
		if (e->barrier_pending && msg.nonce == e->barrier_nonce) {
			e->barrier_pending = false;
			e->barrier_done = true;
		}
		return;
	}
	if (t->state != EMU_REQUESTING || msg.nonce != t->nonce) {
		e->bad_nonce++;
		return;
	}
	/* The relay's General Query (RFC 7450 5.1.4): its QQIC paces the
	 * refreshes.  With P set it is an MLDv2 query (RFC 3810 5.1). */
	if (amt_query_parse(msg.inner, msg.inner_len, msg.inner_family, &q) == AMT_IGMP_OK) {
		if (q.family == AF_INET6)
			e->queries_mld++;
		if (q.qqi)
			e->qqi_s = q.qqi;
	}
	memcpy(t->mac, msg.mac, sizeof(t->mac));
	e->inflight--;
	t->state = EMU_UP;
	if (!t->refreshing) {
		e->up++;
		t->update_ns = bench_realtime_ns();
	}
	emu_send_update(e, i);
	t->deadline_ms = emu_ms(e) + e->qqi_s * 1000;
	emu_fifo_push(&e->refresh, i, t->deadline_ms);
	if (t->late)
		emu_flush(e); /* latency probes go out at once */
	/*
	 * L (RFC 7450 5.1.4.4) from a discovered relay: move, make-before-break
	 * as a gateway does.  The Update above keeps the old tunnel's
	 * membership while a relay is discovered again through the anycast
	 * address and the new tunnel is set up; the old one times out.
	 */
	if (msg.l && e->o.discovery.s_addr && !t->late) {
		e->moves++;
		t->relay.s_addr = 0;
		emu_request(e, i, false);
	}
}

/* ---------------------------------------------------------------- data */

static void emu_bucket(struct emu *e, uint64_t rx_rt)
{
	uint64_t b;

	if (!e->ready_rt || rx_rt < e->ready_rt)
		return;
	b = (rx_rt - e->ready_rt) / EMU_BUCKET_NS;
	if (b < e->nbuckets)
		e->bucket[b]++;
}

static void emu_chan_win_add(struct emu_chan_win *c, uint64_t seq)
{
	if (!c->any || seq < c->lo)
		c->lo = seq;
	if (!c->any || seq > c->hi)
		c->hi = seq;
	c->any = true;
}

/*
 * Where the stream's payload begins in a Multicast Data's inner packet
 * (caplen bytes of it captured), or 0 when the packet is not the channel's:
 * IPv4/UDP (not checked further), or with --mld IPv6 (RFC 8200 3) with UDP
 * right behind its header, to the group.
 */
static size_t emu_inner_hdr(const struct emu *e, const uint8_t *inner, size_t caplen)
{
	if (!e->o.mld)
		return BENCH_INNER_HDR_LEN;
	if (caplen < BENCH_IPV6_UDP_LEN || inner[0] >> 4 != 6 || inner[6] != IPPROTO_UDP ||
	    memcmp(inner + 24, &e->o.group6, 12))
		return 0;
	/* One of the --groups channels: group6 + 0 .. groups - 1. */
	if (bench_in6_low32(inner + 24) - bench_in6_low32(&e->o.group6) >=
	    (e->o.groups > 1 ? e->o.groups : 1))
		return 0;
	return BENCH_IPV6_UDP_LEN;
}

static void emu_data(struct emu *e, int64_t i, const uint8_t *inner, size_t caplen, size_t iplen,
		     uint64_t rx_rt)
{
	size_t hdr = emu_inner_hdr(e, inner, caplen);
	struct bench_payload pl;
	struct emu_tunnel *t;
	uint64_t ws;

	e->data_pkts++;
	if (!hdr) {
		e->data_other_inner++;
		return;
	}
	e->data_bytes += iplen;
	if (!e->first_rx_rt)
		e->first_rx_rt = rx_rt;
	e->last_rx_rt = rx_rt;
	emu_bucket(e, rx_rt);
	if (i < 0) {
		e->data_unknown++;
		return;
	}
	/*
	 * Throughput counts arrivals in a window of receive times: the relay's
	 * input queue may hold seconds of a slow stream, so send times would
	 * flatter it.
	 */
	ws = e->first_rx_rt + e->o.warmup_ms * 1000000ull;
	if (rx_rt >= ws && rx_rt < ws + e->o.measure_ms * 1000000ull) {
		e->rx_win_pkts++;
		e->rx_win_bytes += iplen;
	}
	t = &e->t[i];
	t->total_pkts++;
	if (!t->first_data_ns) {
		t->first_data_ns = rx_rt;
		if (t->late && e->nlatency < EMU_MAX_LATENCIES && rx_rt > t->update_ns) {
			e->latency[e->nlatency++] = rx_rt - t->update_ns;
			e->late_done++;
		}
		/* A probe leaves at once, so that the fan-out stays the same. */
		if (t->late) {
			t->state = EMU_IDLE;
			emu_send_teardown(e, i);
		}
	}
	if (caplen < hdr + sizeof(pl))
		return;
	memcpy(&pl, inner + hdr, sizeof(pl));
	if (pl.magic != BENCH_MAGIC)
		return;
	if (!e->first_tx_ns || pl.tx_ns < e->first_tx_ns)
		e->first_tx_ns = pl.tx_ns;
	if (rx_rt > pl.tx_ns) {
		uint64_t d = rx_rt - pl.tx_ns;

		e->owd_sum_ns += d;
		e->owd_n++;
		if (d > e->owd_max_ns)
			e->owd_max_ns = d;
	}
	/* Loss counts the stream's packets sent in a window of send times. */
	ws = e->first_tx_ns + e->o.warmup_ms * 1000000ull;
	if (pl.tx_ns < ws || pl.tx_ns >= ws + e->o.measure_ms * 1000000ull)
		return;
	t->window_pkts++;
	e->win_pkts++;
	e->win_bytes += iplen;
	emu_chan_win_add(&e->chan_win[emu_chan_of(e, i)], pl.seq);
	if (!e->win_any) {
		e->win_any = true;
		e->win_seq_lo = e->win_seq_hi = pl.seq;
	} else {
		if (pl.seq < e->win_seq_lo)
			e->win_seq_lo = pl.seq;
		if (pl.seq > e->win_seq_hi)
			e->win_seq_hi = pl.seq;
	}
}

/* One captured frame: Ethernet, IPv4 or IPv6, UDP, then an AMT message. */
static void emu_frame(struct emu *e, const uint8_t *f, uint32_t caplen, uint32_t wirelen,
		      uint64_t rx_rt)
{
	const uint8_t *ip = f + ETH_HLEN, *udp, *amt;
	bool is6 = caplen >= ETH_HLEN && (f[12] << 8 | f[13]) == ETHERTYPE_IPV6;
	uint32_t ihl, daddr;
	uint16_t dport, udplen;
	size_t alen, iplen;
	int64_t i;

	if (caplen > wirelen || caplen < ETH_HLEN + 20 + 8 + 2)
		return;
	if (is6) {
		/* The filter took only UDP right behind the IPv6 header. */
		ihl = 40;
		if (!e->o.v6_every || ip[6] != IPPROTO_UDP)
			return;
	} else {
		ihl = (ip[0] & 0x0f) * 4;
		if (ihl < 20)
			return;
	}
	if (caplen < ETH_HLEN + ihl + 8 + 2)
		return;
	udp = ip + ihl;
	amt = udp + 8;
	dport = (uint16_t)(udp[2] << 8 | udp[3]);
	iplen = wirelen - ETH_HLEN;
	/* The UDP length bounds the AMT message, the IP datagram bounds it. */
	udplen = (uint16_t)(udp[4] << 8 | udp[5]);
	if (udplen < 8 + 2 || udplen > iplen - ihl) {
		e->other_pkts++;
		return;
	}
	alen = udplen - 8;
	/* The barrier endpoint (ntun) is of its own family (emu_is_v6()). */
	if (is6) {
		i = bench_endpoint6_index(&e->o.prefix6, &e->o.ep, ip + 24, dport, e->ntun + 1);
	} else {
		memcpy(&daddr, ip + 16, 4);
		i = bench_endpoint_index(&e->o.ep, ntohl(daddr), dport, e->ntun + 1);
	}
	/* An endpoint of the other family is no tunnel's. */
	if (i >= 0 && emu_is_v6(e, (uint32_t)i) != is6)
		i = -1;

	if (amt[0] == AMT_MSG_MULTICAST_DATA) {
		/* Which relay sent it: the outer source address. */
		if (e->o.discovery.s_addr && !is6 && i >= 0 && i < (int64_t)e->ntun &&
		    !memcmp(ip + 12, &e->t[i].relay, 4))
			e->t[i].relay_pkts++;
		emu_data(e, i == (int64_t)e->ntun ? -1 : i, amt + 2,
			 caplen - (ETH_HLEN + ihl + 8 + 2), iplen, rx_rt);
		return;
	}
	if (amt[0] == AMT_MSG_RELAY_ADVERTISEMENT && !is6 && i >= 0 && i < (int64_t)e->ntun &&
	    !e->o.passive) {
		/* Whole in the snap length, or not taken. */
		if (alen > caplen - (ETH_HLEN + ihl + 8)) {
			e->bad_advertisements++;
			return;
		}
		emu_advertisement(e, (uint32_t)i, amt, alen);
		return;
	}
	if (amt[0] == AMT_MSG_MEMBERSHIP_QUERY && i >= 0 && !e->o.passive) {
		/* Queries are short: the snap length holds them whole. */
		if (alen > caplen - (ETH_HLEN + ihl + 8))
			return;
		emu_query(e, (uint32_t)i, is6 ? AF_INET6 : AF_INET, amt, alen);
		return;
	}
	e->other_pkts++;
}

static void emu_ring_poll(struct emu *e, int timeout_ms)
{
	struct pollfd pfd = { .fd = e->pkt_fd, .events = POLLIN };
	unsigned int walked = 0;

	for (;;) {
		struct tpacket_block_desc *bd =
			(void *)(e->ring + (size_t)e->block * EMU_BLOCK_SIZE);
		struct tpacket3_hdr *h;

		if (!(__atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE) &
		      TP_STATUS_USER)) {
			if (walked)
				return;
			poll(&pfd, 1, timeout_ms);
			walked = 1;
			continue;
		}
		h = (void *)((uint8_t *)bd + bd->hdr.bh1.offset_to_first_pkt);
		for (uint32_t n = 0; n < bd->hdr.bh1.num_pkts; n++) {
			emu_frame(e, (uint8_t *)h + h->tp_mac, h->tp_snaplen, h->tp_len,
				  (uint64_t)h->tp_sec * 1000000000ull + h->tp_nsec);
			h = (void *)((uint8_t *)h + h->tp_next_offset);
		}
		__atomic_store_n(&bd->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
		e->block = (e->block + 1) % EMU_BLOCKS;
		/* Hand control back now and then so that sends are not starved. */
		if (++walked > 8)
			return;
	}
}

/* ---------------------------------------------------------------- sockets */

/* Word k (0..3) of an IPv6 address, in host order. */
static uint32_t emu_word6(const struct in6_addr *a, int k)
{
	uint32_t w;

	memcpy(&w, &a->s6_addr[4 * k], 4);
	return ntohl(w);
}

/*
 * BPF: IPv4, UDP, not a fragment, destination inside the prefix; or (mixed
 * families) IPv6 with UDP right behind its header, destination inside
 * prefix6 (32 to 64 bits: two words compared); keep EMU_SNAPLEN bytes.
 */
static void emu_attach_filter(struct emu *e)
{
	uint32_t mask = e->o.prefix.len ? ~0u << (32 - e->o.prefix.len) : 0;
	uint32_t net = ntohl(e->o.prefix.addr.s_addr) & mask;
	const struct bench_prefix6 *p6 = &e->o.prefix6;
	uint32_t mask6 = p6->len > 32 ? ~0u << (64 - p6->len) : 0;
	uint32_t w0 = emu_word6(&p6->addr, 0), w1 = emu_word6(&p6->addr, 1) & mask6;
	/* No IPv6 gateways: an EtherType that never matches. */
	uint32_t et6 = e->o.v6_every ? ETHERTYPE_IPV6 : 0x10000;
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETHERTYPE_IP, 0, 9),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 23),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 0, 6),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 20),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x1fff, 4, 0),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 30),
		BPF_STMT(BPF_ALU | BPF_AND | BPF_K, mask),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, net, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, e->snaplen),
		BPF_STMT(BPF_RET | BPF_K, 0),
		/* 11: IPv6 (A still holds the EtherType); rejects go to 20. */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, et6, 0, 8),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 20),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 0, 6),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 38),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, w0, 0, 4),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 42),
		BPF_STMT(BPF_ALU | BPF_AND | BPF_K, mask6),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, w1, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, e->snaplen),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };

	if (setsockopt(e->pkt_fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0)
		bench_die("SO_ATTACH_FILTER: %s", strerror(errno));
}

static void emu_open_ring(struct emu *e)
{
	struct tpacket_req3 req = {
		.tp_block_size = EMU_BLOCK_SIZE,
		.tp_block_nr = EMU_BLOCKS,
		.tp_frame_size = 2048,
		.tp_frame_nr = EMU_BLOCK_SIZE / 2048 * EMU_BLOCKS,
		/* A block not full is handed over after 1 ms. */
		.tp_retire_blk_tov = 1,
	};
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	int v = TPACKET_V3, one = 1;

	e->pkt_fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (e->pkt_fd < 0)
		bench_die("AF_PACKET socket: %s", strerror(errno));
	emu_attach_filter(e);
	if (setsockopt(e->pkt_fd, SOL_PACKET, PACKET_VERSION, &v, sizeof(v)) < 0 ||
	    setsockopt(e->pkt_fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)) < 0)
		bench_die("TPACKET_V3 ring: %s", strerror(errno));
	setsockopt(e->pkt_fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
	e->ring = mmap(NULL, (size_t)EMU_BLOCK_SIZE * EMU_BLOCKS, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_LOCKED, e->pkt_fd, 0);
	if (e->ring == MAP_FAILED)
		e->ring = mmap(NULL, (size_t)EMU_BLOCK_SIZE * EMU_BLOCKS, PROT_READ | PROT_WRITE,
			       MAP_SHARED, e->pkt_fd, 0);
	if (e->ring == MAP_FAILED)
		bench_die("mmap ring: %s", strerror(errno));
	sll.sll_ifindex = if_nametoindex(e->o.ifname);
	if (!sll.sll_ifindex)
		bench_die("no interface %s", e->o.ifname);
	/* Bind only now: the protocol was 0, so nothing was queued before. */
	sll.sll_protocol = htons(ETH_P_ALL);
	if (bind(e->pkt_fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		bench_die("bind %s: %s", e->o.ifname, strerror(errno));
}

static void emu_open_raw(struct emu *e)
{
	int sndbuf = 8 << 20;

	e->q.fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (e->q.fd < 0)
		bench_die("raw socket: %s", strerror(errno));
	setsockopt(e->q.fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	e->relay_sa.sin_family = AF_INET;
	e->relay_sa.sin_addr = e->o.relay;
	if (!e->o.v6_every)
		return;
	/* IPPROTO_RAW on IPv6: the IPv6 header is ours (IPV6_HDRINCL). */
	e->q6.fd = socket(AF_INET6, SOCK_RAW, IPPROTO_RAW);
	if (e->q6.fd < 0)
		bench_die("raw IPv6 socket: %s", strerror(errno));
	setsockopt(e->q6.fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	e->relay6_sa.sin6_family = AF_INET6;
	e->relay6_sa.sin6_addr = e->o.relay6;
}

/* ---------------------------------------------------------------- phases */

static void emu_write_ready(struct emu *e)
{
	e->ready = true;
	e->ready_rt = bench_realtime_ns();
	if (e->o.ready_file)
		bench_write_file(e->o.ready_file, "up=%u\n", e->up);
}

static void emu_initial_done(struct emu *e)
{
	e->hs_done_ns = bench_now_ns();
	e->hs_elapsed_ns = e->hs_done_ns - e->hs_start_ns;
	emu_write_ready(e);
}

static void emu_storm_step(struct emu *e, uint64_t since_ready_ms)
{
	if (!e->storm_started && since_ready_ms >= e->o.storm_at_ms) {
		e->storm_started = true;
		e->storm_start_ns = bench_now_ns();
		e->storm_start_rt = bench_realtime_ns();
		e->hs_start_ns = e->storm_start_ns; /* rate limit restarts */
		e->storm_up0 = e->up;
		e->next_new = e->o.tunnels;
		e->target = e->o.tunnels + e->o.storm;
		e->barrier_done = false;
		e->storm_barrier = true;
		return;
	}
	if (e->storm_barrier && e->barrier_done) {
		e->storm_barrier = false;
		e->storm_done_ns = bench_now_ns();
		e->storm_done_rt = bench_realtime_ns();
	}
}

/* One join-latency probe at a time, once the stream is flowing. */
static void emu_late_step(struct emu *e, uint64_t since_ready_ms)
{
	uint32_t base = e->o.tunnels + e->o.storm;
	uint64_t now = bench_now_ns();

	if (since_ready_ms < e->o.late_at_ms || e->late_next >= e->o.late || !e->data_pkts)
		return;
	if (e->late_next) {
		struct emu_tunnel *prev = &e->t[base + e->late_next - 1];

		/* Wait for the previous probe's first data (or 500 ms). */
		if (!prev->first_data_ns && now < e->late_next_ns + 500000000ull)
			return;
		if (now < e->late_next_ns + e->o.late_gap_ms * 1000000ull)
			return;
	}
	e->late_next_ns = now;
	emu_request(e, base + e->late_next, false);
	e->late_next++;
	emu_flush(e);
}

static bool emu_should_exit(struct emu *e, uint64_t since_ready_ms)
{
	uint64_t now_rt;

	if (since_ready_ms >= (uint64_t)e->o.duration_s * 1000)
		return true;
	/* The storm is what was measured: stop a second after it. */
	if (e->storm_done_ns && bench_now_ns() > e->storm_done_ns + 1000000000ull)
		return true;
	if (!e->o.idle_exit_ms || !e->data_pkts || e->storm_barrier || e->late_next < e->o.late)
		return false;
	now_rt = bench_realtime_ns();
	return now_rt > e->last_rx_rt + e->o.idle_exit_ms * 1000000ull;
}

static void emu_run(struct emu *e)
{
	uint64_t deadline_hs = bench_now_ns() + 300ull * 1000000000ull;

	e->hs_start_ns = bench_now_ns();
	if (e->o.passive || !e->o.tunnels)
		emu_initial_done(e);
	while (!bench_stop) {
		uint64_t since_ready_ms = 0;

		emu_ring_poll(e, 1);
		if (!e->o.passive) {
			emu_retransmit_due(e);
			emu_start_new(e);
			emu_refresh_due(e);
			emu_barrier_check(e);
		}
		if (!e->ready) {
			if (e->barrier_done)
				emu_initial_done(e);
			else if (bench_now_ns() > deadline_hs)
				bench_die("handshakes did not complete in 300 s (%u up)", e->up);
		}
		if (e->ready) {
			since_ready_ms = (bench_realtime_ns() - e->ready_rt) / 1000000;
			if (e->o.storm)
				emu_storm_step(e, since_ready_ms);
			if (e->o.late)
				emu_late_step(e, since_ready_ms);
			if (emu_should_exit(e, since_ready_ms))
				break;
		}
		emu_flush(e);
	}
	emu_flush(e);
}

/* ---------------------------------------------------------------- report */

static double emu_bucket_rate(const struct emu *e, uint64_t from_rt, uint64_t to_rt)
{
	uint64_t a, b, sum = 0;

	if (to_rt <= from_rt || from_rt < e->ready_rt)
		return 0;
	a = (from_rt - e->ready_rt) / EMU_BUCKET_NS;
	b = (to_rt - e->ready_rt) / EMU_BUCKET_NS;
	if (b > e->nbuckets)
		b = e->nbuckets;
	if (b <= a)
		return 0;
	for (uint64_t i = a; i < b; i++)
		sum += e->bucket[i];
	return (double)sum * 1e9 / (double)((b - a) * EMU_BUCKET_NS);
}

/* A storm that did not finish is reported up to the end of the run. */
static void emu_report_storm(const struct emu *e)
{
	uint64_t pre = 2000000000ull, end_rt = e->storm_done_rt, end_ns = e->storm_done_ns;
	uint32_t up = e->up - e->storm_up0;

	if (!e->storm_started) {
		printf("storm_complete=0\n");
		return;
	}
	if (!end_rt) {
		end_rt = e->last_rx_rt;
		end_ns = bench_now_ns();
	}
	printf("storm_complete=%d\nstorm_up=%u\n", e->storm_done_rt != 0, up);
	printf("storm_handshake_s=%.3f\n", (end_ns - e->storm_start_ns) / 1e9);
	printf("storm_handshakes_per_s=%.0f\n", up * 1e9 / (double)(end_ns - e->storm_start_ns));
	printf("storm_rate_before=%.0f\n",
	       emu_bucket_rate(e, e->storm_start_rt - pre, e->storm_start_rt));
	printf("storm_rate_during=%.0f\n", emu_bucket_rate(e, e->storm_start_rt, end_rt));
}

static void emu_report_latency(struct emu *e)
{
	printf("late_probes=%u\nlate_with_data=%u\n", e->late_next, e->nlatency);
	if (!e->nlatency)
		return;
	printf("join_latency_median_us=%.1f\n", bench_percentile(e->latency, e->nlatency, 50) / 1e3);
	printf("join_latency_p99_us=%.1f\n", bench_percentile(e->latency, e->nlatency, 99) / 1e3);
	printf("join_latency_max_us=%.1f\n", bench_percentile(e->latency, e->nlatency, 100) / 1e3);
}

#define EMU_MAX_RELAYS 64

/*
 * Per discovered relay: how many of the initial tunnels it serves and how
 * many of those received data from it ("relay_A.B.C.D_tunnels=N" and
 * "..._data=N"; data is told apart by its outer source address).
 */
static void emu_report_relays(const struct emu *e)
{
	struct in_addr relay[EMU_MAX_RELAYS];
	uint32_t tunnels[EMU_MAX_RELAYS] = {}, data[EMU_MAX_RELAYS] = {};
	uint32_t nrelay = 0, undiscovered = 0, overflow = 0;
	char buf[INET_ADDRSTRLEN];

	for (uint32_t i = 0; i < e->o.tunnels; i++) {
		const struct emu_tunnel *t = &e->t[i];
		uint32_t r;

		if (!t->relay.s_addr) {
			undiscovered++;
			continue;
		}
		for (r = 0; r < nrelay; r++)
			if (relay[r].s_addr == t->relay.s_addr)
				break;
		if (r == nrelay) {
			if (nrelay == EMU_MAX_RELAYS) {
				overflow++;
				continue;
			}
			relay[nrelay++] = t->relay;
		}
		/* Up, or refreshing its tunnel with that relay. */
		if (t->state == EMU_UP || t->state == EMU_REQUESTING)
			tunnels[r]++;
		if (t->relay_pkts)
			data[r]++;
	}
	printf("discoveries=%" PRIu64 "\nadvertisements=%" PRIu64 "\nbad_advertisements=%" PRIu64
	       "\nmoves=%" PRIu64 "\nundiscovered=%u\nrelays=%u\nrelays_overflow=%u\n",
	       e->discoveries, e->advertisements, e->bad_advertisements, e->moves, undiscovered,
	       nrelay, overflow);
	for (uint32_t r = 0; r < nrelay; r++) {
		inet_ntop(AF_INET, &relay[r], buf, sizeof(buf));
		printf("relay_%s_tunnels=%u\nrelay_%s_data=%u\n", buf, tunnels[r], buf, data[r]);
	}
}

static void emu_report(struct emu *e)
{
	struct tpacket_stats_v3 st = {};
	socklen_t sl = sizeof(st);
	uint64_t expected = 0, expected_all = 0, got = 0, silent = 0;
	double win = e->o.measure_ms / 1e3;

	getsockopt(e->pkt_fd, SOL_PACKET, PACKET_STATISTICS, &st, &sl);
	if (e->win_pkts)
		expected = e->win_seq_hi - e->win_seq_lo + 1;
	for (uint32_t i = 0; i < e->o.tunnels; i++) {
		const struct emu_chan_win *c = &e->chan_win[emu_chan_of(e, i)];

		/* A channel none of whose tunnels got anything: the whole range. */
		expected_all += c->any ? c->hi - c->lo + 1 : expected;
		got += e->t[i].window_pkts;
		if (!e->t[i].total_pkts)
			silent++;
	}
	printf("tunnels=%u\nup=%u\nfailed=%" PRIu64 "\n", e->o.tunnels, e->up, e->failed);
	printf("groups=%u\n", e->o.groups ? e->o.groups : 1);
	if (e->o.discovery.s_addr)
		emu_report_relays(e);
	printf("requests=%" PRIu64 "\nretransmits=%" PRIu64 "\nqueries=%" PRIu64
	       "\nqueries_with_l=%" PRIu64 "\nupdates=%" PRIu64 "\nteardowns=%" PRIu64
	       "\nbad_nonce=%" PRIu64 "\n",
	       e->requests, e->retransmits, e->queries, e->queries_l, e->updates, e->teardowns,
	       e->bad_nonce);
	printf("send_errors=%" PRIu64 "\n", e->q.errors + e->q6.errors);
	if (e->hs_elapsed_ns && e->o.tunnels && !e->o.passive) {
		double s = e->hs_elapsed_ns / 1e9;

		printf("handshake_s=%.3f\nhandshakes_per_s=%.0f\n", s, e->o.tunnels / s);
	}
	printf("data_pkts=%" PRIu64 "\ndata_unknown=%" PRIu64 "\nother_pkts=%" PRIu64 "\n",
	       e->data_pkts, e->data_pkts ? e->data_unknown : 0, e->other_pkts);
	if (e->o.mld)
		printf("mld=1\nqueries_mld=%" PRIu64 "\ndata_other_inner=%" PRIu64 "\n",
		       e->queries_mld, e->data_other_inner);
	printf("silent_tunnels=%" PRIu64 "\n", silent);
	printf("window_s=%.3f\nwindow_seq=%" PRIu64 "\nwindow_pkts=%" PRIu64 "\n", win, expected,
	       e->win_pkts);
	printf("window_expected=%" PRIu64 "\nwindow_lost=%" PRIu64 "\n", expected_all,
	       expected_all > got ? expected_all - got : 0);
	printf("rate_dps=%.0f\ngbps=%.3f\n", e->rx_win_pkts / win, e->rx_win_bytes * 8 / win / 1e9);
	if (e->owd_n)
		printf("owd_avg_us=%.1f\nowd_max_us=%.1f\n", e->owd_sum_ns / 1e3 / e->owd_n,
		       e->owd_max_ns / 1e3);
	printf("ring_packets=%u\nring_drops=%u\n", st.tp_packets, st.tp_drops);
	if (e->o.storm)
		emu_report_storm(e);
	if (e->o.late)
		emu_report_latency(e);
}

/* ---------------------------------------------------------------- main */

static void emu_usage(void)
{
	fprintf(stderr, "usage: amt_gw_emu --ifname IF (--relay A.B.C.D | --discovery A.B.C.D)\n"
			"  --prefix A.B.C.D/LEN\n"
			"  --tunnels N --source S --group G [--relay-port P] [--ports-per-addr K]\n"
			"  [--port-base P] [--window W] [--rate R] [--timeout-ms T] [--retries R]\n"
			"  [--duration S] [--idle-exit-ms T] [--warmup-ms T] [--measure-ms T]\n"
			"  [--late N --late-at-ms T --late-gap-ms T]\n"
			"  [--storm N --storm-at-ms T [--storm-group G2]] [--groups K [--sources M]]\n"
			"  [--v6-every K --prefix6 X:X::/LEN --relay6 X:X::X]\n"
			"  [--mld --source6 X:X::X --group6 X:X::X]\n"
			"  [--asm] [--passive] [--ready-file F] [--cpu C]\n");
	exit(2);
}

static void emu_parse(struct emu_opts *o, int argc, char **argv)
{
	const struct bench_opt opts[] = {
		{ "ifname", BENCH_OPT_STR, &o->ifname },
		{ "relay", BENCH_OPT_ADDR, &o->relay },
		{ "discovery", BENCH_OPT_ADDR, &o->discovery },
		{ "relay-port", BENCH_OPT_U16, &o->relay_port },
		BENCH_ENDPOINT_OPTS(o),
		{ "window", BENCH_OPT_U32, &o->window },
		{ "rate", BENCH_OPT_U32, &o->rate },
		{ "timeout-ms", BENCH_OPT_U32, &o->timeout_ms },
		{ "retries", BENCH_OPT_U32, &o->retries },
		{ "duration", BENCH_OPT_U32, &o->duration_s },
		{ "idle-exit-ms", BENCH_OPT_U32, &o->idle_exit_ms },
		{ "warmup-ms", BENCH_OPT_U32, &o->warmup_ms },
		{ "measure-ms", BENCH_OPT_U32, &o->measure_ms },
		{ "late", BENCH_OPT_U32, &o->late },
		{ "late-at-ms", BENCH_OPT_U32, &o->late_at_ms },
		{ "late-gap-ms", BENCH_OPT_U32, &o->late_gap_ms },
		{ "storm", BENCH_OPT_U32, &o->storm },
		{ "storm-at-ms", BENCH_OPT_U32, &o->storm_at_ms },
		{ "storm-group", BENCH_OPT_ADDR, &o->storm_group },
		{ "groups", BENCH_OPT_U32, &o->groups },
		{ "sources", BENCH_OPT_U32, &o->sources },
		{ "passive", BENCH_OPT_FLAG, &o->passive },
		{ "asm", BENCH_OPT_FLAG, &o->asm_join },
		{ "relay6", BENCH_OPT_ADDR6, &o->relay6 },
		{ "prefix6", BENCH_OPT_PREFIX6, &o->prefix6 },
		{ "v6-every", BENCH_OPT_U32, &o->v6_every },
		{ "mld", BENCH_OPT_FLAG, &o->mld },
		{ "source6", BENCH_OPT_ADDR6, &o->source6 },
		{ "group6", BENCH_OPT_ADDR6, &o->group6 },
		{ "ready-file", BENCH_OPT_STR, &o->ready_file },
		{ "cpu", BENCH_OPT_INT, &o->cpu },
		{ NULL },
	};

	if (!bench_parse_opts(argc, argv, opts) || !o->ifname ||
	    !(o->relay.s_addr || o->discovery.s_addr) || (o->relay.s_addr && o->discovery.s_addr) ||
	    !o->prefix.len || !o->ep.ports_per_addr ||
	    (uint64_t)o->tunnels + o->late + o->storm > EMU_MAX_TUNNELS || !o->measure_ms ||
	    o->groups > 65536 || o->sources > 256 ||
	    (o->v6_every && (!o->prefix6.len || o->discovery.s_addr ||
			     (!o->passive && IN6_IS_ADDR_UNSPECIFIED(&o->relay6)))) ||
	    (o->mld && (!IN6_IS_ADDR_MULTICAST(&o->group6) || o->sources > 1 ||
			o->storm_group.s_addr ||
			(!o->asm_join && IN6_IS_ADDR_UNSPECIFIED(&o->source6)))))
		emu_usage();
}

static void emu_init(struct emu *e)
{
	struct emu_opts *o = &e->o;

	o->ep.base = bench_prefix_first(&o->prefix);
	e->ntun = o->tunnels + o->storm + o->late;
	/* One more: the barrier endpoint. */
	e->t = calloc(e->ntun + 1, sizeof(*e->t));
	e->chan_win = calloc(o->groups ? o->groups : 1, sizeof(*e->chan_win));
	e->latency = calloc(EMU_MAX_LATENCIES, sizeof(*e->latency));
	e->nbuckets = (o->duration_s + 10) * (1000000000ull / EMU_BUCKET_NS);
	e->bucket = calloc(e->nbuckets, sizeof(*e->bucket));
	if (!e->t || !e->chan_win || !e->latency || !e->bucket)
		bench_die("out of memory");
	for (uint32_t i = o->tunnels + o->storm; i < e->ntun; i++)
		e->t[i].late = true;
	emu_fifo_init(&e->pending, 2 * e->ntun + 64);
	emu_fifo_init(&e->refresh, 2 * e->ntun + 64);
	e->target = o->tunnels;
	e->qqi_s = 125;
	e->rng = (uint32_t)bench_now_ns() | 1;
	e->relay_sa.sin_port = 0;
	e->snaplen = o->mld ? EMU_SNAPLEN_MLD : EMU_SNAPLEN;
	emu_open_raw(e);
	emu_open_ring(e);
}

int main(int argc, char **argv)
{
	static struct emu e = {
		.o = {
			.relay_port = AMT_UDP_PORT,
			.ep = { .ports_per_addr = 1000, .port_base = 10000 },
			.window = 1024,
			.timeout_ms = 1000,
			.retries = 5,
			.duration_s = 30,
			.idle_exit_ms = 1500,
			.warmup_ms = 1000,
			.measure_ms = 3000,
			.late_gap_ms = 10,
			.cpu = -1,
		},
	};

	emu_parse(&e.o, argc, argv);
	bench_pin_cpu(e.o.cpu);
	bench_catch_stop();
	e.start_ns = bench_now_ns();
	emu_init(&e);
	emu_run(&e);
	emu_report(&e);
	return 0;
}
