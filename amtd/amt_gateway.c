// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AMT gateway (RFC 7450 section 4.1).
 *
 * The host stack keeps the gateway's membership: the General Query each
 * Membership Query carries is written into the pseudo-interface, the kernel
 * (for applications joined on it) or pimd (as IGMP proxy) answers with
 * reports out of it, and amtd sends each report to the relay in a
 * Membership Update.  Multicast Data from the relay, for the flows asked
 * for, is decapsulated into the pseudo-interface.
 */
#include <zebra.h>

#include <linux/errqueue.h>
#include <sys/random.h>

#include "lib/frrevent.h"
#include "lib/memory.h"
#include "lib/network.h"
#include "lib/sockopt.h"
#include "lib/sockunion.h"

#include "amtd.h"
#include "amt_debug.h"
#include "amt_errors.h"
#include "amt_gateway.h"
#include "amt_gateway_pim.h"
#include "amt_gateway_dns.h"
#include "amt_igmp.h"
#include "amt_memory.h"
#include "amt_relay.h"
#include "amt_tun_ring.h"
#include "amt_zebra.h"

DEFINE_MTYPE_STATIC(AMTD, AMT_GATEWAY, "AMT gateway");

#define AMT_GW_RXBUF	9216
#define AMT_GW_RX_BATCH 64
/* A batch's data goes into the pseudo-interface in one io_uring call. */
#if AMT_GW_RX_BATCH > AMT_TUN_RING_MAX
#error "AMT_GW_RX_BATCH larger than the io_uring batch"
#endif
/* Wait before starting over after a relay is given up. */
#define AMT_GW_RESTART_DELAY_S 5
/*
 * Make-before-break move: how long the new tunnel may take to come up, how
 * long after it is up the old relay is left at the latest (when not every
 * flow arrived through the new one before), and how long after a move
 * found no other relay the next L starts another.
 */
#define AMT_GW_MOVE_MAX_S    60
#define AMT_GW_MOVE_SETTLE_S 5
#define AMT_GW_MOVE_HOLD_S   30
/*
 * After the leaving Update the old relay's socket is still read this long:
 * datagrams it sent before the Update arrived are queued on the socket or
 * on their way (its path may lag the new relay's), and closing at once
 * loses them.
 */
#define AMT_GW_MOVE_LINGER_MS 1000
/* Membership Updates the gateway builds itself: report size, batch. */
#define AMT_GW_REPORT_MAX 1400
#define AMT_GW_BATCH_RECS 256
#define AMT_GW_BATCH_SRCS 1024

static void amt_gateway_start(struct amt_gateway *gw);
static void amt_gateway_send_request(struct amt_gateway *gw);
static void amt_gw_close(struct amt_gateway *gw);
static void amt_gw_read(struct event *event);
static void amt_gw_move_begin(struct amt_gateway *gw);
static void amt_gw_move_new_up(struct amt_gateway *gw);
static void amt_gw_move_flow_seen(struct amt_gateway *gw, int family, const union amt_ip *s,
				  const union amt_ip *g, bool from_old);
static void amt_gw_move_abandon(struct amt_gateway *gw);
static void amt_gw_old_query(struct amt_gateway *gw, const struct amt_msg *msg);

const char *amt_gw_state_str(enum amt_gw_state state)
{
	switch (state) {
	case AMT_GW_IDLE:
		return "idle";
	case AMT_GW_RESOLVING:
		return "resolving";
	case AMT_GW_DISCOVERING:
		return "discovering";
	case AMT_GW_REQUESTING:
		return "requesting";
	case AMT_GW_UP:
		return "up";
	}
	return "unknown";
}

const char *amt_gw_selection_str(enum amt_gw_selection sel)
{
	switch (sel) {
	case AMT_GW_SEL_NONE:
		return "none";
	case AMT_GW_SEL_CONFIGURED:
		return "configured";
	case AMT_GW_SEL_DISCOVERY:
		return "discovery";
	case AMT_GW_SEL_DNS:
		return "dns";
	}
	return "unknown";
}

void amt_gateway_config_default(struct amt_gateway_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->relay_port = AMT_UDP_PORT;
	cfg->request_timeout_s = 3;
	cfg->retransmissions = 3;
	cfg->flag_layout = AMT_FLAGS_RFC;
}

static bool amt_gw_addr_same(const struct amt_ipaddr *a, const struct amt_ipaddr *b)
{
	return a->family == b->family &&
	       !memcmp(&a->ip, &b->ip, a->family == AF_INET ? 4 : sizeof(a->ip));
}

static const char *amt_gw_addr_str(const struct amt_ipaddr *a, char *buf, size_t size)
{
	if (!a->family || !inet_ntop(a->family, &a->ip, buf, size))
		strlcpy(buf, "-", size);
	return buf;
}

static uint32_t amt_random32(void)
{
	uint32_t r;

	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		r = frr_weak_random();
	return r;
}

static void amt_gw_set_state(struct amt_gateway *gw, enum amt_gw_state state)
{
	if (gw->state == state)
		return;
	DEBUGD(&amt_dbg_events, "AMT gateway %s: %s -> %s", gw->inst->name,
	       amt_gw_state_str(gw->state), amt_gw_state_str(state));
	gw->state = state;
	if (state == AMT_GW_UP) {
		gw->link.up_since_ms = amt_now_ms();
		if (gw->dns)
			amt_gw_dns_tunnel_up(gw->dns);
	}
}

/* ---------------------------------------------------------------- sending */

/* A relay's (or discovery) address at the relay port. */
static void amt_gw_peer_su(const struct amt_gateway *gw, const struct amt_ipaddr *to,
			   union sockunion *su)
{
	memset(su, 0, sizeof(*su));
	su->sa.sa_family = to->family;
	if (to->family == AF_INET) {
		su->sin.sin_addr = to->ip.v4;
		su->sin.sin_port = htons(gw->cfg.relay_port);
	} else {
		su->sin6.sin6_addr = to->ip.v6;
		su->sin6.sin6_port = htons(gw->cfg.relay_port);
	}
}

static void amt_gw_sendto(struct amt_gateway *gw, int fd, const uint8_t *buf, ssize_t len,
			  const struct amt_ipaddr *to)
{
	union sockunion su;

	if (len < 0 || fd < 0) {
		gw->stats.tx_errors++;
		return;
	}
	amt_gw_peer_su(gw, to, &su);
	if (sendto(fd, buf, len, 0, &su.sa, sockunion_sizeof(&su)) != len)
		gw->stats.tx_errors++;
}

static void amt_gw_send(struct amt_gateway *gw, const uint8_t *buf, ssize_t len,
			const struct amt_ipaddr *to)
{
	amt_gw_sendto(gw, gw->fd, buf, len, to);
}

/* Retransmission timer: the interval doubles at each try. */
static void amt_gw_timeout(struct event *event);

static void amt_gw_arm_retransmit(struct amt_gateway *gw)
{
	EVENT_OFF(gw->t_timer);
	event_add_timer(master, amt_gw_timeout, gw, gw->cfg.request_timeout_s << gw->tries,
			&gw->t_timer);
}

static void amt_gw_send_discovery(struct amt_gateway *gw)
{
	uint8_t buf[AMT_DISCOVERY_LEN];

	gw->discovery_nonce = amt_random32();
	amt_gw_send(gw, buf, amt_encode_discovery(buf, sizeof(buf), gw->discovery_nonce),
		    &gw->discovery_target);
	gw->stats.tx_discovery++;
	amt_gw_arm_retransmit(gw);
}

/*
 * P (RFC 7450 section 5.1.3.4): the gateway asks for an MLDv2 General Query
 * when its tunnel carries IPv6 groups; the host stack gets the other
 * family's General Query made locally (amt_gw_tun_other_query()).  Before
 * any group is asked for, the configured source prefixes tell: P when they
 * are all IPv6.
 */
static bool amt_gw_request_p(const struct amt_gateway *gw)
{
	const struct amt_mgroup *g;
	struct amt_mgroup_info info;
	uint64_t now = amt_now_ms();
	bool v4 = false, v6 = false;

	/* Groups come in (family, address) order: bounded by their number. */
	for (g = amt_membership_group_first(gw->wanted); g;
	     g = amt_membership_group_next(gw->wanted, g)) {
		amt_mgroup_get_info(g, now, &info);
		if (info.family == AF_INET6)
			return true;
	}
	if (amt_membership_num_groups(gw->wanted))
		return false;
	for (unsigned int i = 0; i < gw->cfg.nprefixes; i++) {
		v4 |= gw->cfg.prefixes[i].family == AF_INET;
		v6 |= gw->cfg.prefixes[i].family == AF_INET6;
	}
	return v6 && !v4;
}

static uint32_t amt_gw_encode_request(struct amt_gateway *gw, uint8_t *buf, size_t size,
				      ssize_t *len)
{
	/* A new nonce for each Request (RFC 7450 section 5.1.3.6). */
	uint32_t nonce = amt_random32();
	bool p = amt_gw_request_p(gw);

	*len = amt_encode_request(buf, size, nonce, p, gw->cfg.flag_layout);
	gw->stats.tx_request++;
	if (p)
		gw->stats.tx_request_p++;
	return nonce;
}

static bool amt_gw_check_local(struct amt_gateway *gw);

/* A refresh Request now: the relay learns the endpoint it comes from. */
static void amt_gw_refresh_now(struct amt_gateway *gw)
{
	gw->refreshing = true;
	gw->tries = 0;
	amt_gateway_send_request(gw);
}

static void amt_gateway_send_request(struct amt_gateway *gw)
{
	uint8_t buf[AMT_REQUEST_LEN];
	ssize_t len;

	/* A refresh: first, has our end changed under the tunnel? */
	if (gw->state == AMT_GW_UP)
		amt_gw_check_local(gw);
	gw->link.request_nonce = amt_gw_encode_request(gw, buf, sizeof(buf), &len);
	gw->link.request_nonce_ms = amt_now_ms();
	amt_gw_send(gw, buf, len, &gw->link.relay);
	amt_gw_arm_retransmit(gw);
}

/* An Update on the current tunnel: its MAC and nonce are the relay's. */
static void amt_gw_update_sent(struct amt_gateway *gw)
{
	memcpy(gw->link.upd_mac, gw->link.mac, sizeof(gw->link.upd_mac));
	gw->link.upd_nonce = gw->link.mac_nonce;
	gw->link.have_upd = true;
	gw->stats.tx_update++;
}

/*
 * Teardown (RFC 7450 section 5.1.7) of the tunnel of addr/port: with the
 * nonce and MAC of the last Update sent on it, which the relay kept (a
 * relay may refuse a Teardown with another), else those given.
 */
static void amt_gw_send_teardown(struct amt_gateway *gw, const struct amt_ipaddr *addr,
				 uint16_t port, uint32_t nonce, const uint8_t *mac)
{
	uint8_t buf[AMT_TEARDOWN_LEN];

	if (gw->link.have_upd) {
		nonce = gw->link.upd_nonce;
		mac = gw->link.upd_mac;
	}

	amt_gw_send(gw, buf, amt_encode_teardown(buf, sizeof(buf), mac, nonce, addr, port),
		    &gw->link.relay);
	gw->stats.tx_teardown++;
}

/* Who the gateway is talking to: the discovery target, or the relay. */
static const struct amt_ipaddr *amt_gw_peer(const struct amt_gateway *gw)
{
	return gw->state == AMT_GW_DISCOVERING ? &gw->discovery_target : &gw->link.relay;
}

/*
 * The relay in use is given up.  With DNS discovery the next AMTRELAY
 * record is tried at once; otherwise the gateway starts over (by discovery
 * when configured) after a delay.
 */
static void amt_gw_relay_failed(struct amt_gateway *gw, const char *why)
{
	const struct amt_ipaddr *peer = amt_gw_peer(gw);
	char addr[INET6_ADDRSTRLEN] = "-";

	if (peer->family)
		inet_ntop(peer->family, &peer->ip, addr, sizeof(addr));
	flog_warn(EC_AMT_RELAY_UNREACHABLE, "AMT gateway %s: %s %s given up: %s", gw->inst->name,
		  gw->state == AMT_GW_DISCOVERING ? "discovery at" : "relay", addr, why);
	gw->have_mac = false;
	gw->refreshing = false;
	gw->tries = 0;
	EVENT_OFF(gw->t_timer);
	if (gw->moving) {
		/* A candidate of a move failed: the next, or stay. */
		amt_gw_set_state(gw, AMT_GW_IDLE);
		if (gw->dns)
			amt_gw_dns_relay_failed(gw->dns);
		else
			amt_gateway_move_failed(gw, why);
		return;
	}
	if (gw->dns) {
		gw->stats.relay_changes++;
		amt_gw_set_state(gw, AMT_GW_IDLE);
		amt_gw_dns_relay_failed(gw->dns);
		return;
	}
	amt_gw_set_state(gw, AMT_GW_IDLE);
	event_add_timer(master, amt_gw_timeout, gw, AMT_GW_RESTART_DELAY_S, &gw->t_timer);
}

/* Refresh at the relay's query interval; retransmit when unanswered. */
static void amt_gw_timeout(struct event *event)
{
	struct amt_gateway *gw = EVENT_ARG(event);

	if (gw->state == AMT_GW_UP && !gw->refreshing) {
		/* Time to refresh; the Query that answers clears `refreshing`. */
		gw->refreshing = true;
		gw->tries = 0;
		amt_gateway_send_request(gw);
		return;
	}
	if (gw->state != AMT_GW_IDLE && ++gw->tries > gw->cfg.retransmissions) {
		/* The relay does not answer: start over, or the next one. */
		gw->stats.relay_timeouts++;
		amt_gw_relay_failed(gw, "no answer");
		return;
	}
	if (gw->state == AMT_GW_IDLE) {
		gw->tries = 0;
		amt_gateway_start(gw);
	} else if (gw->state == AMT_GW_DISCOVERING)
		amt_gw_send_discovery(gw);
	else
		amt_gateway_send_request(gw);
}

/* ---------------------------------------------------------------- tun */

/*
 * Data decapsulated from one receive batch, written into the pseudo-interface
 * together with one io_uring_enter() (amt_tun_ring.h) at the end of the batch
 * instead of one write() each: the system call is most of a write's cost
 * here (issue 16).  The packets point into the batch's receive buffers.
 */
static struct amt_gw_txq {
	struct amt_gateway *gw;
	struct iovec iov[AMT_GW_RX_BATCH];
	unsigned int n;
} amt_gw_txq;

static void amt_gw_tun_write_one(struct amt_gateway *gw, const uint8_t *pkt, size_t len)
{
	if (gw->inst->tun_fd < 0 || write(gw->inst->tun_fd, pkt, len) != (ssize_t)len)
		gw->stats.tun_write_errors++;
}

/* Write what is queued (the device's order is the queue's). */
static void amt_gw_tun_flush(void)
{
	struct amt_gw_txq *q = &amt_gw_txq;
	struct amt_gateway *gw = q->gw;
	ssize_t res[AMT_GW_RX_BATCH];
	unsigned int n = q->n;

	q->n = 0;
	if (!n)
		return;
	if (gw->inst->tun_fd >= 0 && amt_tun_ring_write(gw->inst->tun_fd, q->iov, n, res)) {
		for (unsigned int i = 0; i < n; i++)
			if (res[i] != (ssize_t)q->iov[i].iov_len)
				gw->stats.tun_write_errors++;
		return;
	}
	for (unsigned int i = 0; i < n; i++)
		amt_gw_tun_write_one(gw, q->iov[i].iov_base, q->iov[i].iov_len);
}

/* Data of the batch being handled: written at its end (amt_gw_rx_handle). */
static void amt_gw_tun_queue(struct amt_gateway *gw, const uint8_t *pkt, size_t len)
{
	struct amt_gw_txq *q = &amt_gw_txq;

	if (q->n && (q->gw != gw || q->n == AMT_GW_RX_BATCH))
		amt_gw_tun_flush();
	q->gw = gw;
	q->iov[q->n].iov_base = (void *)pkt;
	q->iov[q->n].iov_len = len;
	q->n++;
}

/* Anything else for the pseudo-interface: after the data queued before it. */
static void amt_gw_tun_write(struct amt_gateway *gw, const uint8_t *pkt, size_t len)
{
	amt_gw_tun_flush();
	amt_gw_tun_write_one(gw, pkt, len);
}

/* Track what we ask for, so that data for anything else is dropped. */
static void amt_gw_track_report(struct amt_gateway *gw, const uint8_t *pkt, size_t len, int family)
{
	struct amt_group_record rec;
	struct amt_report rep;

	if (amt_report_decode(pkt, len, family, &rep) != AMT_IGMP_OK)
		return;
	/* The source of the reports the gateway builds itself. */
	if (rep.family == AF_INET) {
		gw->report_src4 = rep.src;
		gw->have_report_src4 = true;
	} else {
		gw->report_src6 = rep.src;
		gw->have_report_src6 = true;
	}
	while (amt_report_next(&rep, &rec))
		amt_membership_apply(gw->wanted, &rec, amt_now_ms());
}

/* A report the host stack sent out of the pseudo-interface. */
static void amt_gw_tun_report(struct amt_gateway *gw, const uint8_t *pkt, size_t len, int family)
{
	static uint8_t stripped[AMT_GW_RXBUF];
	uint8_t buf[AMT_GW_RXBUF];
	ssize_t n;

	/* Only what crosses the tunnel: no link-local groups. */
	n = amt_report_without_link_local(pkt, len, family, stripped, sizeof(stripped), &pkt);
	if (n <= 0) {
		if (n == 0)
			gw->stats.reports_link_local++;
		return;
	}
	len = n;
	if ((gw->state != AMT_GW_UP || !gw->have_mac) && !gw->moving) {
		/* The next Query makes the host stack report again. */
		gw->stats.reports_before_up++;
		return;
	}
	amt_gw_track_report(gw, pkt, len, family);
	/*
	 * Our end changed (no G): an Update from the new endpoint would carry
	 * the old one's MAC.  Tear the old tunnel down and ask anew; the
	 * Query makes the host stack report again.
	 */
	if (gw->state == AMT_GW_UP && gw->have_mac && amt_gw_check_local(gw)) {
		gw->stats.reports_before_up++;
		amt_gw_refresh_now(gw);
	} else if (gw->state == AMT_GW_UP && gw->have_mac) {
		amt_gw_send(gw, buf,
			    amt_encode_update(buf, sizeof(buf), gw->link.mac, gw->link.mac_nonce,
					      pkt, len),
			    &gw->link.relay);
		amt_gw_update_sent(gw);
	}
	/* During a move the relay being left still serves every flow. */
	if (gw->moving) {
		amt_gw_sendto(gw, gw->old.fd, buf,
			      amt_encode_update(buf, sizeof(buf), gw->old.link.mac,
						gw->old.link.mac_nonce, pkt, len),
			      &gw->old.link.relay);
		gw->stats.tx_update++;
	}
}

static void amt_gw_tun_read(struct event *event)
{
	struct amt_gateway *gw = EVENT_ARG(event);
	static uint8_t pkt[AMT_GW_RXBUF];
	int fd = gw->inst->tun_fd;

	for (int i = 0; i < AMT_GW_RX_BATCH; i++) {
		ssize_t n = read(fd, pkt, sizeof(pkt));
		int family;

		if (amt_tun_read_failed(n)) {
			/* The device was deleted under us. */
			amt_instance_tun_lost(gw->inst, errno);
			return;
		}
		if (n <= 0)
			break;
		/* pimd's Hellos and Join/Prunes for the LAN it serves. */
		if (amt_gw_pim_input(gw->pim, pkt, n))
			continue;
		family = (pkt[0] >> 4) == 4 ? AF_INET : (pkt[0] >> 4) == 6 ? AF_INET6 : 0;
		if (family)
			amt_gw_tun_report(gw, pkt, n, family);
	}
	event_add_read(master, amt_gw_tun_read, gw, fd, &gw->t_tun_read);
}

/*
 * Ask the host stack for its state in the other protocol too: the relay's
 * Query is IGMP, or MLD when the Request had P.
 */
static void amt_gw_tun_other_query(struct amt_gateway *gw, const struct amt_query *q)
{
	struct amt_query_params qp = {};
	uint8_t buf[128];
	ssize_t len;

	if (q->family == AF_INET) {
		qp.family = AF_INET6;
		qp.version = 2;
		qp.src.v6.s6_addr[0] = 0xfe;
		qp.src.v6.s6_addr[1] = 0x80;
		qp.src.v6.s6_addr[15] = 1;
	} else {
		/* From 0.0.0.0, as a querier without an address of its own. */
		qp.family = AF_INET;
		qp.version = 3;
	}
	qp.max_resp_ms = q->max_resp_ms;
	qp.qrv = q->qrv;
	qp.qqi = q->qqi;
	len = amt_query_build(buf, sizeof(buf), &qp);
	if (len > 0)
		amt_gw_tun_write(gw, buf, len);
}

/* ---------------------------------------------------------------- receive */

static bool amt_gw_from(const struct amt_ipaddr *relay, const union sockunion *from)
{
	if (from->sa.sa_family != relay->family)
		return false;
	if (from->sa.sa_family == AF_INET)
		return from->sin.sin_addr.s_addr == relay->ip.v4.s_addr;
	return IN6_ARE_ADDR_EQUAL(&from->sin6.sin6_addr, &relay->ip.v6);
}

static bool amt_gw_from_relay(const struct amt_gateway *gw, const union sockunion *from)
{
	return amt_gw_from(&gw->link.relay, from);
}

static void amt_gw_advertisement(struct amt_gateway *gw, const struct amt_msg *msg)
{
	if (gw->state != AMT_GW_DISCOVERING || msg->nonce != gw->discovery_nonce) {
		gw->stats.drop_nonce++;
		return;
	}
	gw->stats.rx_advertisement++;
	if (gw->moving && amt_gw_addr_same(&msg->relay, &gw->old.link.relay)) {
		amt_gw_relay_failed(gw, "discovery answers with the relay being left");
		return;
	}
	gw->link.relay = msg->relay;
	gw->tries = 0;
	amt_gw_set_state(gw, AMT_GW_REQUESTING);
	amt_gateway_send_request(gw);
}

/*
 * Without G the gateway knows only its own end of the tunnel: the source
 * address the kernel picks toward the relay (a connected probe socket, no
 * packet sent) and the port of its socket.  Without a NAT on the way that
 * is the endpoint the relay sees.
 */
static bool amt_gw_local_endpoint(const struct amt_gateway *gw, struct amt_ipaddr *addr,
				  uint16_t *port)
{
	union sockunion su, local = {};
	socklen_t len = sizeof(local);
	int fd, family = gw->link.relay.family;
	bool ok;

	if (gw->fd < 0 || !family || getsockname(gw->fd, &local.sa, &len) < 0 ||
	    local.sa.sa_family != family)
		return false;
	*port = ntohs(family == AF_INET ? local.sin.sin_port : local.sin6.sin6_port);
	if (!*port)
		return false; /* not bound before the first send */
	amt_gw_peer_su(gw, &gw->link.relay, &su);
	fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	len = sizeof(local);
	ok = connect(fd, &su.sa, sockunion_sizeof(&su)) == 0 &&
	     getsockname(fd, &local.sa, &len) == 0 && local.sa.sa_family == family;
	close(fd);
	if (!ok)
		return false;
	memset(addr, 0, sizeof(*addr));
	addr->family = family;
	if (family == AF_INET)
		addr->ip.v4 = local.sin.sin_addr;
	else
		addr->ip.v6 = local.sin6.sin6_addr;
	return true;
}

/*
 * The endpoint the relay sees is now addr/port: when it was another one,
 * the relay keeps a tunnel for the old one, which a Teardown with the old
 * address, port, nonce and MAC clears (RFC 7450 sections 5.1.7 and
 * 5.2.3.4).  Returns whether it changed.
 */
static bool amt_gw_endpoint_is(struct amt_gateway *gw, const struct amt_ipaddr *addr, uint16_t port,
			       bool from_g, const uint8_t *old_mac, uint32_t old_nonce, bool had_mac)
{
	char was[INET6_ADDRSTRLEN], now[INET6_ADDRSTRLEN];
	bool changed = gw->link.have_seen && gw->link.seen_from_g == from_g &&
		       (gw->link.seen_port != port || !amt_gw_addr_same(&gw->link.seen_addr, addr));

	if (changed && had_mac) {
		gw->stats.nat_changes++;
		zlog_info("AMT gateway %s: the relay sees us as %s port %u, no longer %s port %u%s; tearing down the old tunnel",
			  gw->inst->name, amt_gw_addr_str(addr, now, sizeof(now)), port,
			  amt_gw_addr_str(&gw->link.seen_addr, was, sizeof(was)),
			  gw->link.seen_port, from_g ? "" : " (our own address or port changed)");
		amt_gw_send_teardown(gw, &gw->link.seen_addr, gw->link.seen_port, old_nonce,
				     old_mac);
	}
	if (changed)
		gw->link.have_upd = false; /* that was the old endpoint's tunnel */
	gw->link.seen_addr = *addr;
	gw->link.seen_port = port;
	gw->link.seen_from_g = from_g;
	gw->link.have_seen = true;
	return changed;
}

/*
 * Without G, check our own end (before each refresh Request, and when
 * zebra reports an address change): the tunnel's MAC and nonce are still
 * those of the old endpoint.
 */
static bool amt_gw_check_local(struct amt_gateway *gw)
{
	struct amt_ipaddr addr;
	uint16_t port;

	if (gw->state != AMT_GW_UP || !gw->have_mac || (gw->link.have_seen && gw->link.seen_from_g))
		return false;
	if (!amt_gw_local_endpoint(gw, &addr, &port))
		return false;
	return amt_gw_endpoint_is(gw, &addr, port, false, gw->link.mac, gw->link.mac_nonce, true);
}

void amt_gateway_local_address_changed(struct amt_gateway *gw)
{
	/* Changed: a Request now tells the relay the new endpoint. */
	if (amt_gw_check_local(gw))
		amt_gw_refresh_now(gw);
}

/*
 * RFC 7450 section 5.2.3.4: with G (section 5.1.4.5) the Query says where
 * the relay sees us; a NAT that mapped us anew shows there.  Without G,
 * what we can see ourselves.
 */
static void amt_gw_check_nat(struct amt_gateway *gw, const struct amt_msg *msg,
			     const uint8_t *old_mac, uint32_t old_nonce, bool had_mac)
{
	struct amt_ipaddr addr;
	uint16_t port;

	if (msg->g)
		amt_gw_endpoint_is(gw, &msg->gw_addr, msg->gw_port, true, old_mac, old_nonce,
				   had_mac);
	else if (amt_gw_local_endpoint(gw, &addr, &port))
		amt_gw_endpoint_is(gw, &addr, port, false, old_mac, old_nonce, had_mac);
}

/* A Query answering the Request with `nonce`, with a General Query inside. */
static bool amt_gw_query_ok(struct amt_gateway *gw, const struct amt_msg *msg, uint32_t nonce,
			    struct amt_query *q)
{
	if (msg->nonce != nonce) {
		gw->stats.drop_nonce++;
		return false;
	}
	if (amt_query_parse(msg->inner, msg->inner_len, msg->inner_family, q) != AMT_IGMP_OK) {
		gw->stats.drop_malformed++;
		return false;
	}
	gw->stats.rx_query++;
	return true;
}

static void amt_gw_query(struct amt_gateway *gw, const struct amt_msg *msg)
{
	uint8_t old_mac[AMT_MAC_LEN];
	uint32_t old_nonce = gw->link.mac_nonce;
	bool had_mac = gw->have_mac;
	struct amt_query q;

	if (!amt_gw_query_ok(gw, msg, gw->link.request_nonce, &q))
		return;
	if (msg->l) {
		/*
		 * L (RFC 7450 section 5.1.4.4): the relay accepts no Update
		 * from new endpoints.  A gateway without a tunnel there yet
		 * looks elsewhere; one whose tunnel is in use may ignore it
		 * and keeps it, but moves make-before-break when it has a
		 * way to find another relay (below).
		 */
		gw->stats.queries_with_l++;
		if (!(had_mac && gw->state == AMT_GW_UP) &&
		    (gw->link.selection == AMT_GW_SEL_DISCOVERY ||
		     gw->link.selection == AMT_GW_SEL_DNS)) {
			amt_gw_relay_failed(gw, "relay takes no new tunnel (L flag)");
			return;
		}
	}
	gw->refreshing = false;
	memcpy(old_mac, gw->link.mac, sizeof(old_mac));
	memcpy(gw->link.mac, msg->mac, sizeof(gw->link.mac));
	gw->link.mac_nonce = msg->nonce;
	gw->link.mac_nonce_ms = gw->link.request_nonce_ms;
	gw->have_mac = true;
	amt_gw_check_nat(gw, msg, old_mac, old_nonce, had_mac);
	gw->link.query_interval_s = q.qqi ? q.qqi : 125;
	gw->tries = 0;
	amt_gw_set_state(gw, AMT_GW_UP);

	/* Let the host stack answer: it reports all it wants. */
	amt_gw_tun_write(gw, msg->inner, msg->inner_len);
	amt_gw_tun_other_query(gw, &q);

	EVENT_OFF(gw->t_timer);
	event_add_timer(master, amt_gw_timeout, gw, gw->link.query_interval_s, &gw->t_timer);

	if (gw->moving && !had_mac)
		amt_gw_move_new_up(gw);
	else if (msg->l && had_mac && !gw->moving &&
		 (gw->link.selection == AMT_GW_SEL_DISCOVERY ||
		  gw->link.selection == AMT_GW_SEL_DNS) &&
		 amt_now_ms() >= gw->move_hold_until_ms)
		amt_gw_move_begin(gw);
}

static void amt_gw_data(struct amt_gateway *gw, const struct amt_msg *msg, bool from_old)
{
	union amt_ip s, g;

	/* The decoder checked the inner header's version and length. */
	if (!amt_ip_sg(msg->inner, msg->inner_len, &s, &g) ||
	    !amt_membership_wants(gw->wanted, msg->inner_family, &s, &g)) {
		gw->stats.drop_data_flow++;
		return;
	}
	gw->stats.rx_data++;
	gw->stats.rx_data_bytes += msg->inner_len;
	if (from_old)
		gw->stats.rx_data_old++;
	amt_gw_tun_queue(gw, msg->inner, msg->inner_len);
	if (gw->moving)
		amt_gw_move_flow_seen(gw, msg->inner_family, &s, &g, from_old);
}

static void amt_gw_handle(struct amt_gateway *gw, const uint8_t *buf, size_t len,
			  const union sockunion *from)
{
	struct amt_msg msg;

	if (amt_decode(buf, len, from->sa.sa_family, gw->cfg.flag_layout, &msg) != AMT_DECODE_OK) {
		gw->stats.drop_malformed++;
		return;
	}
	/* Advertisements come from the anycast address; all else from the relay. */
	if (msg.type == AMT_MSG_RELAY_ADVERTISEMENT) {
		amt_gw_advertisement(gw, &msg);
		return;
	}
	if (!amt_gw_from_relay(gw, from)) {
		gw->stats.drop_data_sender++;
		return;
	}
	switch (msg.type) {
	case AMT_MSG_MEMBERSHIP_QUERY:
		amt_gw_query(gw, &msg);
		break;
	case AMT_MSG_MULTICAST_DATA:
		amt_gw_data(gw, &msg, false);
		break;
	case AMT_MSG_RELAY_DISCOVERY:
	case AMT_MSG_RELAY_ADVERTISEMENT:
	case AMT_MSG_REQUEST:
	case AMT_MSG_MEMBERSHIP_UPDATE:
	case AMT_MSG_TEARDOWN:
		gw->stats.drop_malformed++;
		break;
	}
}

/* Was this packet of ours, that an ICMP error is about, for the peer? */
static bool amt_gw_icmp_about_peer(const struct amt_gateway *gw, const union sockunion *dst)
{
	const struct amt_ipaddr *peer = amt_gw_peer(gw);

	if (gw->state == AMT_GW_IDLE || gw->state == AMT_GW_RESOLVING ||
	    dst->sa.sa_family != peer->family)
		return false;
	if (peer->family == AF_INET)
		return dst->sin.sin_addr.s_addr == peer->ip.v4.s_addr &&
		       ntohs(dst->sin.sin_port) == gw->cfg.relay_port;
	return IN6_ARE_ADDR_EQUAL(&dst->sin6.sin6_addr, &peer->ip.v6) &&
	       ntohs(dst->sin6.sin6_port) == gw->cfg.relay_port;
}

/*
 * ICMP errors (IP_RECVERR) about what we sent: unreachable, port closed.
 * With a relay to move on to (discovery, DNS) the relay is given up.
 */
static void amt_gw_read_errqueue(struct amt_gateway *gw)
{
	uint8_t data[64], ctrl[512];
	union sockunion dst;
	struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) };
	struct msghdr mh;
	struct cmsghdr *cm;

	for (int i = 0; i < AMT_GW_RX_BATCH; i++) {
		memset(&mh, 0, sizeof(mh));
		memset(&dst, 0, sizeof(dst));
		mh.msg_name = &dst;
		mh.msg_namelen = sizeof(dst);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = ctrl;
		mh.msg_controllen = sizeof(ctrl);
		if (recvmsg(gw->fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
			return;
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			const struct sock_extended_err *ee;

			if (!(cm->cmsg_level == SOL_IP && cm->cmsg_type == IP_RECVERR) &&
			    !(cm->cmsg_level == SOL_IPV6 && cm->cmsg_type == IPV6_RECVERR))
				continue;
			ee = (const struct sock_extended_err *)CMSG_DATA(cm);
			if (ee->ee_origin != SO_EE_ORIGIN_ICMP &&
			    ee->ee_origin != SO_EE_ORIGIN_ICMP6)
				continue;
			if (!amt_gw_icmp_about_peer(gw, &dst))
				continue;
			gw->stats.icmp_errors++;
			if (gw->link.selection != AMT_GW_SEL_DISCOVERY &&
			    gw->link.selection != AMT_GW_SEL_DNS)
				continue;
			amt_gw_relay_failed(gw, safe_strerror(ee->ee_errno));
			return;
		}
	}
}

/*
 * One read event's datagrams, received with one recvmmsg() instead of a
 * recvfrom() each (the gateway's cost per datagram, issue 16), then handled
 * one by one with every check.  Shared by the readers of the current and
 * the old relay's sockets: a batch is handled before its event returns.
 */
static struct amt_gw_rx {
	struct mmsghdr msgs[AMT_GW_RX_BATCH];
	struct iovec iov[AMT_GW_RX_BATCH];
	union sockunion from[AMT_GW_RX_BATCH];
	uint8_t buf[AMT_GW_RX_BATCH][AMT_GW_RXBUF];
	/* The socket whose batch is being handled; -1 once it is closed. */
	int fd;
} amt_gw_rx = { .fd = -1 };

/* A gateway socket is about to be closed: the rest of its batch goes too. */
static void amt_gw_rx_closing(int fd)
{
	if (fd >= 0 && amt_gw_rx.fd == fd)
		amt_gw_rx.fd = -1;
}

/* Up to AMT_GW_RX_BATCH datagrams from fd: how many, or -1 with errno. */
static int amt_gw_recv_batch(int fd)
{
	struct amt_gw_rx *rx = &amt_gw_rx;

	for (int i = 0; i < AMT_GW_RX_BATCH; i++) {
		struct msghdr *mh = &rx->msgs[i].msg_hdr;

		rx->iov[i].iov_base = rx->buf[i];
		rx->iov[i].iov_len = sizeof(rx->buf[i]);
		memset(mh, 0, sizeof(*mh));
		mh->msg_name = &rx->from[i];
		mh->msg_namelen = sizeof(rx->from[i]);
		mh->msg_iov = &rx->iov[i];
		mh->msg_iovlen = 1;
		rx->msgs[i].msg_len = 0;
	}
	return recvmmsg(fd, rx->msgs, AMT_GW_RX_BATCH, MSG_DONTWAIT, NULL);
}

/* A datagram on the socket of the relay being left (a move). */
static void amt_gw_old_handle(struct amt_gateway *gw, const uint8_t *buf, size_t len,
			      const union sockunion *from)
{
	struct amt_msg msg;

	if (amt_decode(buf, len, from->sa.sa_family, gw->cfg.flag_layout, &msg) != AMT_DECODE_OK) {
		gw->stats.drop_malformed++;
		return;
	}
	if (!amt_gw_from(&gw->old.link.relay, from)) {
		gw->stats.drop_data_sender++;
		return;
	}
	if (msg.type == AMT_MSG_MEMBERSHIP_QUERY)
		amt_gw_old_query(gw, &msg);
	else if (msg.type == AMT_MSG_MULTICAST_DATA)
		amt_gw_data(gw, &msg, true);
	else
		gw->stats.drop_malformed++;
}

/*
 * Handle the n datagrams received from fd, in order.  One of them may change
 * the socket's role (a move begins: the current socket becomes the old one;
 * a move fails: back) or close it; the rest of the batch is then handled as
 * it would have been had it stayed queued on the socket: by the role's
 * handler, or dropped with the closed socket.
 */
static void amt_gw_rx_handle(struct amt_gateway *gw, int fd, int n)
{
	struct amt_gw_rx *rx = &amt_gw_rx;

	rx->fd = fd;
	for (int i = 0; i < n && rx->fd == fd; i++) {
		const struct msghdr *mh = &rx->msgs[i].msg_hdr;
		size_t len = rx->msgs[i].msg_len;

		/* Longer than the buffer: the kernel cut it. */
		if (mh->msg_flags & MSG_TRUNC) {
			gw->stats.drop_malformed++;
			continue;
		}
		if (gw->fd == fd)
			amt_gw_handle(gw, rx->buf[i], len, &rx->from[i]);
		else if (gw->old.fd == fd)
			amt_gw_old_handle(gw, rx->buf[i], len, &rx->from[i]);
		else
			break;
	}
	/* Before the buffers are reused, and before the socket is read again. */
	amt_gw_tun_flush();
	rx->fd = -1;
}

static void amt_gw_read(struct event *event)
{
	struct amt_gateway *gw = EVENT_ARG(event);
	int fd = gw->fd;
	int n = amt_gw_recv_batch(fd);

	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			amt_gw_read_errqueue(gw);
	} else {
		amt_gw_rx_handle(gw, fd, n);
	}
	/* Unless the relay was given up (a new socket has its own reader)
	 * or a move made this socket the old one (read by amt_gw_old_read). */
	if (gw->fd == fd)
		event_add_read(master, amt_gw_read, gw, fd, &gw->t_read);
}

/* ---------------------------------------------------------------- lifecycle */

static void amt_gw_close(struct amt_gateway *gw)
{
	EVENT_OFF(gw->t_read);
	EVENT_OFF(gw->t_timer);
	amt_gw_rx_closing(gw->fd);
	if (gw->fd >= 0)
		close(gw->fd);
	gw->fd = -1;
}

static int amt_gw_open(struct amt_gateway *gw, int family)
{
	int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		flog_err(EC_AMT_SOCKET, "AMT gateway %s: socket: %s", gw->inst->name,
			 safe_strerror(errno));
		return -1;
	}
	setsockopt_so_recvbuf(fd, 4 * 1024 * 1024);
	/* ICMP errors about the relay, read from the error queue. */
	if (setsockopt(fd, family == AF_INET ? SOL_IP : SOL_IPV6,
		       family == AF_INET ? IP_RECVERR : IPV6_RECVERR, &(int){ 1 }, sizeof(int)) < 0)
		flog_warn(EC_AMT_SOCKET, "AMT gateway %s: IP_RECVERR: %s", gw->inst->name,
			  safe_strerror(errno));
	gw->fd = fd;
	event_add_read(master, amt_gw_read, gw, fd, &gw->t_read);
	return 0;
}

static void amt_gateway_start(struct amt_gateway *gw)
{
	const struct amt_gateway_config *c = &gw->cfg;
	int family = c->relay.family ? c->relay.family : c->discovery.family;

	amt_gw_move_abandon(gw);
	amt_gw_close(gw);
	gw->have_mac = false;
	gw->link.have_seen = false;
	gw->link.have_upd = false;
	gw->refreshing = false;
	gw->tries = 0;
	if (gw->dns) {
		gw->link.selection = AMT_GW_SEL_DNS;
		amt_gw_dns_start(gw->dns);
		return;
	}
	gw->link.selection = c->relay.family	   ? AMT_GW_SEL_CONFIGURED
			     : c->discovery.family ? AMT_GW_SEL_DISCOVERY
						   : AMT_GW_SEL_NONE;
	if (!family || amt_gw_open(gw, family) < 0) {
		amt_gw_set_state(gw, AMT_GW_IDLE);
		return;
	}
	if (c->relay.family) {
		gw->link.relay = c->relay;
		amt_gw_set_state(gw, AMT_GW_REQUESTING);
		amt_gateway_send_request(gw);
	} else {
		gw->discovery_target = c->discovery;
		amt_gw_set_state(gw, AMT_GW_DISCOVERING);
		amt_gw_send_discovery(gw);
	}
}

void amt_gateway_connect(struct amt_gateway *gw, const struct amt_ipaddr *addr, bool discover)
{
	amt_gw_close(gw);
	gw->have_mac = false;
	gw->link.have_seen = false;
	gw->link.have_upd = false;
	gw->refreshing = false;
	gw->tries = 0;
	if (amt_gw_open(gw, addr->family) < 0) {
		/* Start over (DNS included) after a delay. */
		amt_gw_set_state(gw, AMT_GW_IDLE);
		event_add_timer(master, amt_gw_timeout, gw, AMT_GW_RESTART_DELAY_S, &gw->t_timer);
		return;
	}
	if (discover) {
		/* D bit clear: the relay's address comes from its Advertisement. */
		memset(&gw->link.relay, 0, sizeof(gw->link.relay));
		gw->discovery_target = *addr;
		amt_gw_set_state(gw, AMT_GW_DISCOVERING);
		amt_gw_send_discovery(gw);
	} else {
		gw->link.relay = *addr;
		amt_gw_set_state(gw, AMT_GW_REQUESTING);
		amt_gateway_send_request(gw);
	}
}

/* No relay in use while DNS discovery looks for one, or waits. */
static void amt_gw_no_relay(struct amt_gateway *gw, enum amt_gw_state state)
{
	amt_gw_close(gw);
	gw->have_mac = false;
	gw->refreshing = false;
	memset(&gw->link.relay, 0, sizeof(gw->link.relay));
	amt_gw_set_state(gw, state);
}

void amt_gateway_set_resolving(struct amt_gateway *gw)
{
	amt_gw_no_relay(gw, AMT_GW_RESOLVING);
}

void amt_gateway_set_idle(struct amt_gateway *gw)
{
	amt_gw_no_relay(gw, AMT_GW_IDLE);
}

/* ---------------------------------------------------------------- make-before-break move */

/*
 * The gateway's membership as group records of one family, for Updates it
 * builds itself: each group's current state (MODE_IS_INCLUDE with its
 * sources, MODE_IS_EXCLUDE with its excluded ones), or with `leave` the
 * record that leaves it.  Sent as IGMPv3 / MLDv2 reports, as many as it
 * takes, in Membership Updates with the given tunnel's MAC and nonce.
 */
static void amt_gw_send_records(struct amt_gateway *gw, int fd, const struct amt_ipaddr *to,
				const uint8_t *mac, uint32_t nonce, int family,
				const struct amt_group_record *recs, size_t nrecs)
{
	static uint8_t report[AMT_GW_REPORT_MAX], buf[AMT_GW_REPORT_MAX + 64];
	struct amt_report_cursor cur = {};
	union amt_ip src = {};
	ssize_t len;

	if (family == AF_INET && gw->have_report_src4)
		src = gw->report_src4;
	else if (family == AF_INET6 && gw->have_report_src6)
		src = gw->report_src6;
	else if (family == AF_INET6) {
		src.v6.s6_addr[0] = 0xfe;
		src.v6.s6_addr[1] = 0x80;
		src.v6.s6_addr[15] = 2;
	}
	/* Each report takes at least one record (or a part of its sources). */
	for (size_t i = 0; i <= nrecs * AMT_GW_BATCH_SRCS; i++) {
		len = amt_report_build_part(report, sizeof(report), family, &src, recs, nrecs, &cur);
		if (len <= 0)
			break;
		amt_gw_sendto(gw, fd, buf,
			      amt_encode_update(buf, sizeof(buf), mac, nonce, report, len), to);
		if (fd == gw->fd)
			amt_gw_update_sent(gw);
		else
			gw->stats.tx_update++;
	}
}

static void amt_gw_send_membership(struct amt_gateway *gw, int fd, const struct amt_ipaddr *to,
				   const uint8_t *mac, uint32_t nonce, bool leave)
{
	static struct amt_group_record recs[AMT_GW_BATCH_RECS];
	static uint8_t srcs[AMT_GW_BATCH_SRCS * 16];
	const struct amt_mgroup *g = amt_membership_group_first(gw->wanted);
	struct amt_mgroup_info info;
	uint64_t now = amt_now_ms();
	size_t nrecs = 0, nsrcs = 0;
	int family = 0;

	while (g || nrecs) {
		struct amt_group_record state = {}, *rec;
		const struct amt_msource *ms;
		struct amt_msource_info si;
		size_t alen, cap;
		bool cut = false;

		if (g)
			amt_mgroup_get_info(g, now, &info);
		alen = g && info.family == AF_INET ? 4 : 16;
		/* Flush at the end, at a change of family, or when full. */
		if (nrecs && (!g || info.family != family || nrecs == AMT_GW_BATCH_RECS ||
			      nsrcs + info.num_sources > AMT_GW_BATCH_SRCS)) {
			amt_gw_send_records(gw, fd, to, mac, nonce, family, recs, nrecs);
			nrecs = nsrcs = 0;
		}
		if (!g)
			break;
		family = info.family;
		state.family = info.family;
		state.version = info.compat_version;
		state.group = info.group;
		state.type = info.mode == AMT_FILTER_INCLUDE ? AMT_REC_MODE_IS_INCLUDE
							     : AMT_REC_MODE_IS_EXCLUDE;
		state.sources = srcs + nsrcs * 16;
		cap = (AMT_GW_BATCH_SRCS - nsrcs) * 16 / alen;
		/* INCLUDE: the sources forwarded; EXCLUDE: the excluded ones. */
		for (ms = amt_mgroup_source_first(g); ms; ms = amt_mgroup_source_next(g, ms)) {
			amt_msource_get_info(ms, &si);
			if (si.excluded != (info.mode == AMT_FILTER_EXCLUDE))
				continue;
			if (state.num_sources == cap) {
				cut = true;
				break;
			}
			memcpy(srcs + nsrcs * 16 + (size_t)state.num_sources * alen, &si.source,
			       alen);
			state.num_sources++;
		}
		nsrcs += ((size_t)state.num_sources * alen + 15) / 16;
		/* Sources beyond the batch: leave the group as a whole. */
		if (cut && leave)
			state.num_sources = 0;
		rec = &recs[nrecs];
		if (!leave)
			*rec = state;
		if (!leave || amt_leave_record(&state, rec))
			nrecs++;
		g = amt_membership_group_next(gw->wanted, g);
	}
}

/* Tell the relay we are gone (RFC 7450 section 5.1.7). */
static void amt_gw_teardown_current(struct amt_gateway *gw)
{
	if (gw->state != AMT_GW_UP || !gw->have_mac || !gw->link.have_seen)
		return;
	amt_gw_send_teardown(gw, &gw->link.seen_addr, gw->link.seen_port, gw->link.mac_nonce,
			     gw->link.mac);
}

void amt_gateway_routes_refresh(struct amt_gateway *gw)
{
	struct interface *ifp = gw->inst->ifp;
	union amt_ip nbr;

	amt_gw_pim_refresh(gw->pim);
	for (unsigned int i = 0; i < gw->ninstalled; i++)
		amt_zebra_route(&gw->installed[i], 0, NULL, false);
	gw->ninstalled = 0;
	if (!ifp || ifp->ifindex == IFINDEX_INTERNAL)
		return;
	/* In the MRIB, through pimd's neighbor on the pseudo-interface: RPF. */
	for (unsigned int i = 0; i < gw->cfg.nprefixes; i++) {
		const struct prefix *p = &gw->cfg.prefixes[i];
		bool via = amt_gw_pim_neighbor(gw->pim, p->family, &nbr);

		if (amt_zebra_route(p, ifp->ifindex, via ? &nbr : NULL, true))
			gw->installed[gw->ninstalled++] = *p;
	}
}

const struct amt_ipaddr *amt_gateway_moving_from(const struct amt_gateway *gw)
{
	return gw->moving ? &gw->old.link.relay : NULL;
}

static void amt_gw_old_close(struct amt_gateway *gw)
{
	struct amt_gw_old_tunnel *o = &gw->old;

	EVENT_OFF(o->t_read);
	EVENT_OFF(o->t_timer);
	amt_gw_rx_closing(o->fd);
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	gw->moving = false;
	EVENT_OFF(gw->t_move);
}

static void amt_gw_old_linger_end(struct event *event)
{
	amt_gw_old_close(EVENT_ARG(event));
}

/* The old tunnel kept fresh while the move is under way. */
static void amt_gw_old_refresh(struct event *event)
{
	struct amt_gateway *gw = EVENT_ARG(event);
	struct amt_gw_old_tunnel *o = &gw->old;
	uint8_t buf[AMT_REQUEST_LEN];
	ssize_t len;

	o->link.request_nonce = amt_gw_encode_request(gw, buf, sizeof(buf), &len);
	o->link.request_nonce_ms = amt_now_ms();
	amt_gw_sendto(gw, o->fd, buf, len, &o->link.relay);
	event_add_timer(master, amt_gw_old_refresh, gw, o->link.query_interval_s, &o->t_timer);
}

/* The old relay answers a refresh: the MAC for its Updates.  L is known. */
static void amt_gw_old_query(struct amt_gateway *gw, const struct amt_msg *msg)
{
	struct amt_gw_old_tunnel *o = &gw->old;
	struct amt_query q;

	if (!amt_gw_query_ok(gw, msg, o->link.request_nonce, &q))
		return;
	if (msg->l)
		gw->stats.queries_with_l++;
	memcpy(o->link.mac, msg->mac, sizeof(o->link.mac));
	o->link.mac_nonce = msg->nonce;
	o->link.mac_nonce_ms = o->link.request_nonce_ms;
}

static void amt_gw_old_read(struct event *event)
{
	struct amt_gateway *gw = EVENT_ARG(event);
	struct amt_gw_old_tunnel *o = &gw->old;
	int fd = o->fd;
	int n = amt_gw_recv_batch(fd);

	if (n < 0) {
		uint8_t err[64];

		/* ICMP errors about the old relay: it is being left. */
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			for (int k = 0; k < AMT_GW_RX_BATCH &&
					recv(fd, err, sizeof(err), MSG_ERRQUEUE | MSG_DONTWAIT) >= 0;
			     k++)
				gw->stats.icmp_errors++;
	} else {
		amt_gw_rx_handle(gw, fd, n);
	}
	if (o->fd == fd)
		event_add_read(master, amt_gw_old_read, gw, fd, &o->t_read);
}

/*
 * The new tunnel's flows arrived: leave the old relay with one Update that
 * leaves every group (then nothing more: a Teardown is for an endpoint
 * that changed, RFC 7450 section 5.1.7) and close its socket.
 */
static void amt_gw_move_finish(struct amt_gateway *gw, const char *why)
{
	struct amt_gw_old_tunnel *o = &gw->old;
	char from[INET6_ADDRSTRLEN], to[INET6_ADDRSTRLEN];
	uint64_t before = gw->stats.tx_update;

	amt_gw_send_membership(gw, o->fd, &o->link.relay, o->link.mac, o->link.mac_nonce, true);
	gw->stats.tx_leave_update += gw->stats.tx_update - before;
	gw->stats.moves++;
	gw->stats.relay_changes++;
	gw->last_move_ms = MIN(amt_now_ms() - gw->move_start_ms, UINT32_MAX);
	gw->last_left = o->link.relay;
	zlog_info("AMT gateway %s: moved from relay %s to %s in %u ms (%s)", gw->inst->name,
		  amt_gw_addr_str(&o->link.relay, from, sizeof(from)),
		  amt_gw_addr_str(&gw->link.relay, to, sizeof(to)), gw->last_move_ms, why);
	/* The move is over; the old socket lingers (AMT_GW_MOVE_LINGER_MS). */
	gw->moving = false;
	EVENT_OFF(gw->t_move);
	EVENT_OFF(o->t_timer);
	event_add_timer_msec(master, amt_gw_old_linger_end, gw, AMT_GW_MOVE_LINGER_MS, &o->t_timer);
}

/* A move is given up with the gateway (reconfigured, freed, restarted). */
static void amt_gw_move_abandon(struct amt_gateway *gw)
{
	struct amt_gw_old_tunnel *o = &gw->old;

	if (!gw->moving) {
		/* Left already: only a lingering socket to close. */
		amt_gw_old_close(gw);
		return;
	}
	amt_gw_send_membership(gw, o->fd, &o->link.relay, o->link.mac, o->link.mac_nonce, true);
	amt_gw_old_close(gw);
}

static void amt_gw_move_timer(struct event *event)
{
	struct amt_gateway *gw = EVENT_ARG(event);

	if (!gw->moving)
		return;
	if (gw->state == AMT_GW_UP && gw->move_new_up_ms)
		amt_gw_move_finish(gw, "not every flow came through the new relay in time");
	else
		amt_gateway_move_failed(gw, "no other relay answered in time");
}

/*
 * RFC 7450 section 5.1.4.4 lets a gateway whose tunnel is in use ignore L;
 * amtd moves, make-before-break: the tunnel in use is kept receiving while
 * another relay is found (discovery address or the next AMTRELAY records)
 * and its tunnel brought up; it is left once the flows come through the
 * new one.  No other relay: the gateway stays.
 */
static void amt_gw_move_begin(struct amt_gateway *gw)
{
	struct amt_gw_old_tunnel *o = &gw->old;
	char addr[INET6_ADDRSTRLEN];

	zlog_info("AMT gateway %s: relay %s takes no new tunnels (L); looking for another one",
		  gw->inst->name, amt_gw_addr_str(&gw->link.relay, addr, sizeof(addr)));
	/* The relay left by the last move may still linger. */
	amt_gw_old_close(gw);
	gw->stats.moves_started++;
	EVENT_OFF(gw->t_read);
	EVENT_OFF(gw->t_timer);
	o->fd = gw->fd;
	gw->fd = -1;
	o->link = gw->link;
	if (!o->link.query_interval_s)
		o->link.query_interval_s = 125;
	o->dns_have_cur = gw->dns && gw->dns->have_cur;
	if (o->dns_have_cur) {
		o->dns_rec = gw->dns->cur_rec;
		o->dns_addr = gw->dns->cur_addr;
	}
	event_add_read(master, amt_gw_old_read, gw, o->fd, &o->t_read);
	event_add_timer(master, amt_gw_old_refresh, gw, o->link.query_interval_s, &o->t_timer);

	gw->moving = true;
	gw->move_start_ms = amt_now_ms();
	gw->move_new_up_ms = 0;
	gw->move_nflows = 0;
	gw->move_flows_overflow = false;
	gw->have_mac = false;
	gw->link.have_seen = false;
	gw->link.have_upd = false;
	gw->refreshing = false;
	gw->tries = 0;
	EVENT_OFF(gw->t_move);
	event_add_timer(master, amt_gw_move_timer, gw, AMT_GW_MOVE_MAX_S, &gw->t_move);
	amt_gw_set_state(gw, AMT_GW_IDLE);
	if (gw->dns)
		amt_gw_dns_move(gw->dns);
	else
		amt_gateway_connect(gw, &gw->cfg.discovery, true);
}

/* The new tunnel is up: ask its relay for everything at once. */
static void amt_gw_move_new_up(struct amt_gateway *gw)
{
	gw->move_new_up_ms = amt_now_ms();
	amt_gw_send_membership(gw, gw->fd, &gw->link.relay, gw->link.mac, gw->link.mac_nonce, false);
	EVENT_OFF(gw->t_move);
	event_add_timer(master, amt_gw_move_timer, gw, AMT_GW_MOVE_SETTLE_S, &gw->t_move);
}

/*
 * Each flow that arrives during the move is noted; once every one of them
 * arrived through the new relay, the old one is left.
 */
static void amt_gw_move_flow_seen(struct amt_gateway *gw, int family, const union amt_ip *s,
				  const union amt_ip *g, bool from_old)
{
	size_t alen = family == AF_INET ? 4 : 16;
	struct amt_gw_move_flow *f = NULL;

	for (unsigned int i = 0; i < gw->move_nflows; i++) {
		struct amt_gw_move_flow *e = &gw->move_flows[i];

		if (e->family == family && !memcmp(&e->source, s, alen) &&
		    !memcmp(&e->group, g, alen)) {
			f = e;
			break;
		}
	}
	if (!f) {
		if (gw->move_nflows == AMT_GW_MOVE_FLOWS) {
			/* Too many to follow: the settle time decides. */
			gw->move_flows_overflow = true;
			return;
		}
		f = &gw->move_flows[gw->move_nflows++];
		memset(f, 0, sizeof(*f));
		f->family = family;
		memcpy(&f->source, s, alen);
		memcpy(&f->group, g, alen);
	}
	if (from_old)
		return;
	f->on_new = true;
	if (gw->state != AMT_GW_UP || !gw->move_new_up_ms || gw->move_flows_overflow)
		return;
	for (unsigned int i = 0; i < gw->move_nflows; i++)
		if (!gw->move_flows[i].on_new)
			return;
	amt_gw_move_finish(gw, "every flow comes through the new relay");
}

void amt_gateway_move_failed(struct amt_gateway *gw, const char *why)
{
	struct amt_gw_old_tunnel *o = &gw->old;
	char addr[INET6_ADDRSTRLEN];

	if (!gw->moving)
		return;
	zlog_info("AMT gateway %s: no other relay (%s); staying with relay %s", gw->inst->name, why,
		  amt_gw_addr_str(&o->link.relay, addr, sizeof(addr)));
	gw->stats.moves_failed++;
	amt_gw_close(gw);
	EVENT_OFF(o->t_read);
	EVENT_OFF(o->t_timer);
	EVENT_OFF(gw->t_move);
	gw->moving = false;
	gw->fd = o->fd;
	o->fd = -1;
	/* Its request nonce too: a refresh of it may be on its way back. */
	gw->link = o->link;
	gw->have_mac = true;
	gw->refreshing = false;
	gw->tries = 0;
	/* L comes again with each Query: not another move at once. */
	gw->move_hold_until_ms = amt_now_ms() +
				 1000ULL * MAX(AMT_GW_MOVE_HOLD_S, gw->link.query_interval_s);
	amt_gw_set_state(gw, AMT_GW_UP);
	/* Up since it first came up, not since the move was given up. */
	gw->link.up_since_ms = o->link.up_since_ms;
	if (gw->dns)
		amt_gw_dns_stay(gw->dns, o->dns_have_cur, &o->dns_rec, &o->dns_addr);
	event_add_read(master, amt_gw_read, gw, gw->fd, &gw->t_read);
	event_add_timer(master, amt_gw_timeout, gw, gw->link.query_interval_s, &gw->t_timer);
}

/* The pseudo-interface is gone: stop reading it; pimd's joins went with it. */
void amt_gateway_tun_detach(struct amt_gateway *gw)
{
	EVENT_OFF(gw->t_tun_read);
	amt_gw_pim_tun_lost(gw->pim);
}

/* The pseudo-interface is (back) in place: read it. */
void amt_gateway_tun_attach(struct amt_gateway *gw)
{
	EVENT_OFF(gw->t_tun_read);
	if (gw->inst->tun_fd >= 0)
		event_add_read(master, amt_gw_tun_read, gw, gw->inst->tun_fd, &gw->t_tun_read);
}

struct amt_gateway *amt_gateway_new(struct amt_instance *inst)
{
	struct amt_gateway *gw = XCALLOC(MTYPE_AMT_GATEWAY, sizeof(*gw));
	struct amt_membership_params params;

	gw->inst = inst;
	gw->fd = -1;
	gw->old.fd = -1;
	amt_gateway_config_default(&gw->cfg);
	amt_membership_params_default(&params);
	gw->wanted = amt_membership_new(&params, NULL, NULL);
	gw->pim = amt_gw_pim_new(gw);
	amt_gateway_tun_attach(gw);
	return gw;
}

void amt_gateway_free(struct amt_gateway *gw)
{
	amt_gw_teardown_current(gw);
	amt_gw_move_abandon(gw);
	amt_gw_close(gw);
	amt_gw_dns_free(&gw->dns);
	amt_gw_pim_free(&gw->pim);
	EVENT_OFF(gw->t_tun_read);
	for (unsigned int i = 0; i < gw->ninstalled; i++)
		amt_zebra_route(&gw->installed[i], 0, NULL, false);
	amt_membership_free(gw->wanted);
	XFREE(MTYPE_AMT_GATEWAY, gw);
}

/* Does the tunnel itself (relay, port, flag layout) depend on the change? */
static bool amt_gateway_tunnel_changed(const struct amt_gateway_config *a,
				       const struct amt_gateway_config *b)
{
	return memcmp(&a->relay, &b->relay, sizeof(a->relay)) ||
	       memcmp(&a->discovery, &b->discovery, sizeof(a->discovery)) ||
	       memcmp(&a->dns_source, &b->dns_source, sizeof(a->dns_source)) ||
	       strcmp(a->dns_name, b->dns_name) || a->relay_port != b->relay_port ||
	       a->flag_layout != b->flag_layout;
}

/*
 * Apply a new configuration: the tunnel starts over (with a Teardown of the
 * old one) only when the relay or how to reach it changed; timers, counts
 * and source prefixes apply to the running tunnel.
 */
void amt_gateway_reconfigure(struct amt_gateway *gw, const struct amt_gateway_config *cfg)
{
	bool restart = amt_gateway_tunnel_changed(&gw->cfg, cfg) || gw->state == AMT_GW_IDLE;

	bool use_dns = cfg->dns_source.family || cfg->dns_name[0];

	if (restart) {
		amt_gw_teardown_current(gw);
		amt_gw_move_abandon(gw);
	}
	gw->cfg = *cfg;
	if (use_dns && !gw->dns)
		gw->dns = amt_gw_dns_new(gw);
	else if (!use_dns)
		amt_gw_dns_free(&gw->dns);
	if (restart)
		amt_gateway_start(gw);
	amt_gateway_routes_refresh(gw);
}
