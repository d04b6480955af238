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
#include "amt_zebra.h"

DEFINE_MTYPE_STATIC(AMTD, AMT_GATEWAY, "AMT gateway");

#define AMT_GW_RXBUF	9216
#define AMT_GW_RX_BATCH 64
/* Wait before starting over after a relay is given up. */
#define AMT_GW_RESTART_DELAY_S 5

static void amt_gateway_start(struct amt_gateway *gw);
static void amt_gateway_send_request(struct amt_gateway *gw);

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
		gw->up_since_ms = amt_now_ms();
		if (gw->dns)
			amt_gw_dns_tunnel_up(gw->dns);
	}
}

/* ---------------------------------------------------------------- sending */

static void amt_gw_send(struct amt_gateway *gw, const uint8_t *buf, ssize_t len,
			const struct amt_ipaddr *to)
{
	union sockunion su = {};

	if (len < 0 || gw->fd < 0) {
		gw->stats.tx_errors++;
		return;
	}
	su.sa.sa_family = to->family;
	if (to->family == AF_INET) {
		su.sin.sin_addr = to->ip.v4;
		su.sin.sin_port = htons(gw->cfg.relay_port);
	} else {
		su.sin6.sin6_addr = to->ip.v6;
		su.sin6.sin6_port = htons(gw->cfg.relay_port);
	}
	if (sendto(gw->fd, buf, len, 0, &su.sa, sockunion_sizeof(&su)) != len)
		gw->stats.tx_errors++;
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

static void amt_gateway_send_request(struct amt_gateway *gw)
{
	uint8_t buf[AMT_REQUEST_LEN];

	/* A new nonce for each Request (RFC 7450 section 5.1.3.3). */
	gw->request_nonce = amt_random32();
	gw->request_nonce_ms = amt_now_ms();
	amt_gw_send(gw, buf,
		    amt_encode_request(buf, sizeof(buf), gw->request_nonce, false,
				       gw->cfg.flag_layout),
		    &gw->relay);
	gw->stats.tx_request++;
	amt_gw_arm_retransmit(gw);
}

static void amt_gw_send_teardown(struct amt_gateway *gw, const struct amt_ipaddr *addr,
				 uint16_t port, uint32_t nonce, const uint8_t *mac)
{
	uint8_t buf[AMT_TEARDOWN_LEN];

	amt_gw_send(gw, buf, amt_encode_teardown(buf, sizeof(buf), mac, nonce, addr, port),
		    &gw->relay);
	gw->stats.tx_teardown++;
}

/* Who the gateway is talking to: the discovery target, or the relay. */
static const struct amt_ipaddr *amt_gw_peer(const struct amt_gateway *gw)
{
	return gw->state == AMT_GW_DISCOVERING ? &gw->discovery_target : &gw->relay;
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

static void amt_gw_tun_write(struct amt_gateway *gw, const uint8_t *pkt, size_t len)
{
	if (gw->inst->tun_fd < 0 || write(gw->inst->tun_fd, pkt, len) != (ssize_t)len)
		gw->stats.tun_write_errors++;
}

/* Track what we ask for, so that data for anything else is dropped. */
static void amt_gw_track_report(struct amt_gateway *gw, const uint8_t *pkt, size_t len, int family)
{
	struct amt_group_record rec;
	struct amt_report rep;

	if (amt_report_decode(pkt, len, family, &rep) != AMT_IGMP_OK)
		return;
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
	if (gw->state != AMT_GW_UP || !gw->have_mac) {
		/* The next Query makes the host stack report again. */
		gw->stats.reports_before_up++;
		return;
	}
	amt_gw_track_report(gw, pkt, len, family);
	amt_gw_send(gw, buf, amt_encode_update(buf, sizeof(buf), gw->mac, gw->mac_nonce, pkt, len),
		    &gw->relay);
	gw->stats.tx_update++;
}

static void amt_gw_tun_read(struct event *event)
{
	struct amt_gateway *gw = EVENT_ARG(event);
	static uint8_t pkt[AMT_GW_RXBUF];
	int fd = gw->inst->tun_fd;

	for (int i = 0; i < AMT_GW_RX_BATCH; i++) {
		ssize_t n = read(fd, pkt, sizeof(pkt));
		int family;

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

/* Ask the host stack for its MLD state too: the relay's Query is IGMP. */
static void amt_gw_tun_mld_query(struct amt_gateway *gw, const struct amt_query *igmp)
{
	struct amt_query_params qp = {};
	uint8_t buf[128];
	ssize_t len;

	qp.family = AF_INET6;
	qp.version = 2;
	qp.src.v6.s6_addr[0] = 0xfe;
	qp.src.v6.s6_addr[1] = 0x80;
	qp.src.v6.s6_addr[15] = 1;
	qp.max_resp_ms = igmp->max_resp_ms;
	qp.qrv = igmp->qrv;
	qp.qqi = igmp->qqi;
	len = amt_query_build(buf, sizeof(buf), &qp);
	if (len > 0)
		amt_gw_tun_write(gw, buf, len);
}

/* ---------------------------------------------------------------- receive */

static bool amt_gw_from_relay(const struct amt_gateway *gw, const union sockunion *from)
{
	if (from->sa.sa_family != gw->relay.family)
		return false;
	if (from->sa.sa_family == AF_INET)
		return from->sin.sin_addr.s_addr == gw->relay.ip.v4.s_addr;
	return IN6_ARE_ADDR_EQUAL(&from->sin6.sin6_addr, &gw->relay.ip.v6);
}

static void amt_gw_advertisement(struct amt_gateway *gw, const struct amt_msg *msg)
{
	if (gw->state != AMT_GW_DISCOVERING || msg->nonce != gw->discovery_nonce) {
		gw->stats.drop_nonce++;
		return;
	}
	gw->stats.rx_advertisement++;
	gw->relay = msg->relay;
	gw->tries = 0;
	amt_gw_set_state(gw, AMT_GW_REQUESTING);
	amt_gateway_send_request(gw);
}

/* A NAT between us and the relay mapped us anew: tear the old state down. */
static void amt_gw_check_nat(struct amt_gateway *gw, const struct amt_msg *msg,
			     const uint8_t *old_mac, uint32_t old_nonce, bool had_mac)
{
	if (!msg->g)
		return;
	if (gw->have_seen && had_mac &&
	    (gw->seen_port != msg->gw_port ||
	     memcmp(&gw->seen_addr.ip, &msg->gw_addr.ip, sizeof(gw->seen_addr.ip)))) {
		gw->stats.nat_changes++;
		zlog_info("AMT gateway %s: the relay sees a new address/port; tearing down the old tunnel",
			  gw->inst->name);
		amt_gw_send_teardown(gw, &gw->seen_addr, gw->seen_port, old_nonce, old_mac);
	}
	gw->seen_addr = msg->gw_addr;
	gw->seen_port = msg->gw_port;
	gw->have_seen = true;
}

static void amt_gw_query(struct amt_gateway *gw, const struct amt_msg *msg)
{
	uint8_t old_mac[AMT_MAC_LEN];
	uint32_t old_nonce = gw->mac_nonce;
	bool had_mac = gw->have_mac;
	struct amt_query q;

	if (msg->nonce != gw->request_nonce) {
		gw->stats.drop_nonce++;
		return;
	}
	if (amt_query_parse(msg->inner, msg->inner_len, msg->inner_family, &q) != AMT_IGMP_OK) {
		gw->stats.drop_malformed++;
		return;
	}
	gw->stats.rx_query++;
	if (msg->l) {
		/* The relay takes no new state; with discovery, try another. */
		gw->stats.queries_with_l++;
		if (gw->selection == AMT_GW_SEL_DISCOVERY || gw->selection == AMT_GW_SEL_DNS) {
			amt_gw_relay_failed(gw, "relay at its limit (L flag)");
			return;
		}
	}
	gw->refreshing = false;
	memcpy(old_mac, gw->mac, sizeof(old_mac));
	memcpy(gw->mac, msg->mac, sizeof(gw->mac));
	gw->mac_nonce = msg->nonce;
	gw->mac_nonce_ms = gw->request_nonce_ms;
	gw->have_mac = true;
	amt_gw_check_nat(gw, msg, old_mac, old_nonce, had_mac);
	gw->query_interval_s = q.qqi ? q.qqi : 125;
	gw->tries = 0;
	amt_gw_set_state(gw, AMT_GW_UP);

	/* Let the host stack answer: it reports all it wants. */
	amt_gw_tun_write(gw, msg->inner, msg->inner_len);
	amt_gw_tun_mld_query(gw, &q);

	EVENT_OFF(gw->t_timer);
	event_add_timer(master, amt_gw_timeout, gw, gw->query_interval_s, &gw->t_timer);
}

static void amt_gw_data(struct amt_gateway *gw, const struct amt_msg *msg)
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
	amt_gw_tun_write(gw, msg->inner, msg->inner_len);
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
		amt_gw_data(gw, &msg);
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
			if (gw->selection != AMT_GW_SEL_DISCOVERY && gw->selection != AMT_GW_SEL_DNS)
				continue;
			amt_gw_relay_failed(gw, safe_strerror(ee->ee_errno));
			return;
		}
	}
}

static void amt_gw_read(struct event *event)
{
	struct amt_gateway *gw = EVENT_ARG(event);
	static uint8_t buf[AMT_GW_RXBUF];
	union sockunion from;
	socklen_t fromlen;
	int fd = gw->fd;

	for (int i = 0; i < AMT_GW_RX_BATCH; i++) {
		ssize_t n;

		fromlen = sizeof(from);
		n = recvfrom(fd, buf, sizeof(buf), 0, &from.sa, &fromlen);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				amt_gw_read_errqueue(gw);
			break;
		}
		amt_gw_handle(gw, buf, n, &from);
		/* The relay was given up: a new socket has its own reader. */
		if (gw->fd != fd)
			return;
	}
	if (gw->fd == fd)
		event_add_read(master, amt_gw_read, gw, fd, &gw->t_read);
}

/* ---------------------------------------------------------------- lifecycle */

static void amt_gw_close(struct amt_gateway *gw)
{
	EVENT_OFF(gw->t_read);
	EVENT_OFF(gw->t_timer);
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

	amt_gw_close(gw);
	gw->have_mac = false;
	gw->refreshing = false;
	gw->tries = 0;
	if (gw->dns) {
		gw->selection = AMT_GW_SEL_DNS;
		amt_gw_dns_start(gw->dns);
		return;
	}
	gw->selection = c->relay.family	      ? AMT_GW_SEL_CONFIGURED
			: c->discovery.family ? AMT_GW_SEL_DISCOVERY
					      : AMT_GW_SEL_NONE;
	if (!family || amt_gw_open(gw, family) < 0) {
		amt_gw_set_state(gw, AMT_GW_IDLE);
		return;
	}
	if (c->relay.family) {
		gw->relay = c->relay;
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
		memset(&gw->relay, 0, sizeof(gw->relay));
		gw->discovery_target = *addr;
		amt_gw_set_state(gw, AMT_GW_DISCOVERING);
		amt_gw_send_discovery(gw);
	} else {
		gw->relay = *addr;
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
	memset(&gw->relay, 0, sizeof(gw->relay));
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

/* Tell the relay we are gone (RFC 7450 section 5.1.7). */
static void amt_gw_teardown_current(struct amt_gateway *gw)
{
	if (gw->state != AMT_GW_UP || !gw->have_mac || !gw->have_seen)
		return;
	amt_gw_send_teardown(gw, &gw->seen_addr, gw->seen_port, gw->mac_nonce, gw->mac);
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

struct amt_gateway *amt_gateway_new(struct amt_instance *inst)
{
	struct amt_gateway *gw = XCALLOC(MTYPE_AMT_GATEWAY, sizeof(*gw));
	struct amt_membership_params params;

	gw->inst = inst;
	gw->fd = -1;
	amt_gateway_config_default(&gw->cfg);
	amt_membership_params_default(&params);
	gw->wanted = amt_membership_new(&params, NULL, NULL);
	gw->pim = amt_gw_pim_new(gw);
	if (inst->tun_fd >= 0)
		event_add_read(master, amt_gw_tun_read, gw, inst->tun_fd, &gw->t_tun_read);
	return gw;
}

void amt_gateway_free(struct amt_gateway *gw)
{
	amt_gw_teardown_current(gw);
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

	if (restart)
		amt_gw_teardown_current(gw);
	gw->cfg = *cfg;
	if (use_dns && !gw->dns)
		gw->dns = amt_gw_dns_new(gw);
	else if (!use_dns)
		amt_gw_dns_free(&gw->dns);
	if (restart)
		amt_gateway_start(gw);
	amt_gateway_routes_refresh(gw);
}
