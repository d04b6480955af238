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

#include <sys/random.h>

#include "lib/frrevent.h"
#include "lib/memory.h"
#include "lib/network.h"
#include "lib/sockopt.h"
#include "lib/sockunion.h"

#include "amtd.h"
#include "amt_debug.h"
#include "amt_gateway.h"
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
	case AMT_GW_DISCOVERING:
		return "discovering";
	case AMT_GW_REQUESTING:
		return "requesting";
	case AMT_GW_UP:
		return "up";
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
	if (state == AMT_GW_UP)
		gw->up_since_ms = amt_now_ms();
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
		    &gw->cfg.discovery);
	gw->stats.tx_discovery++;
	amt_gw_arm_retransmit(gw);
}

static void amt_gateway_send_request(struct amt_gateway *gw)
{
	uint8_t buf[AMT_REQUEST_LEN];

	/* A new nonce for each Request (RFC 7450 section 5.1.3.3). */
	gw->request_nonce = amt_random32();
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

/* Refresh at the relay's query interval; retransmit when unanswered. */
static void amt_gw_timeout(struct event *event)
{
	struct amt_gateway *gw = EVENT_ARG(event);

	if (gw->state == AMT_GW_UP) {
		gw->tries = 0;
		amt_gateway_send_request(gw);
		return;
	}
	if (++gw->tries > gw->cfg.retransmissions) {
		/* The relay does not answer: start over, by discovery if we can. */
		gw->stats.relay_timeouts++;
		zlog_warn("AMT gateway %s: no answer from %s, starting over", gw->inst->name,
			  gw->state == AMT_GW_DISCOVERING ? "discovery" : "the relay");
		gw->have_mac = false;
		amt_gw_set_state(gw, AMT_GW_IDLE);
		gw->tries = 0;
		EVENT_OFF(gw->t_timer);
		event_add_timer(master, amt_gw_timeout, gw, AMT_GW_RESTART_DELAY_S, &gw->t_timer);
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
	uint8_t buf[AMT_GW_RXBUF];
	struct amt_report rep;

	if (amt_report_decode(pkt, len, family, &rep) != AMT_IGMP_OK)
		return;
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
		if (gw->cfg.discovery.family && !gw->cfg.relay.family) {
			zlog_warn("AMT gateway %s: relay is at its limit (L flag), rediscovering",
				  gw->inst->name);
			gw->tries = gw->cfg.retransmissions;
			amt_gw_set_state(gw, AMT_GW_IDLE);
			amt_gw_arm_retransmit(gw);
			return;
		}
	}
	memcpy(old_mac, gw->mac, sizeof(old_mac));
	memcpy(gw->mac, msg->mac, sizeof(gw->mac));
	gw->mac_nonce = msg->nonce;
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
	const uint8_t *p = msg->inner;
	union amt_ip s = {}, g = {};

	if (msg->inner_family == AF_INET) {
		memcpy(&s.v4, p + 12, 4);
		memcpy(&g.v4, p + 16, 4);
	} else {
		memcpy(&s.v6, p + 8, 16);
		memcpy(&g.v6, p + 24, 16);
	}
	if (!amt_membership_wants(gw->wanted, msg->inner_family, &s, &g)) {
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

static void amt_gw_read(struct event *event)
{
	struct amt_gateway *gw = EVENT_ARG(event);
	static uint8_t buf[AMT_GW_RXBUF];
	union sockunion from;
	socklen_t fromlen;

	for (int i = 0; i < AMT_GW_RX_BATCH; i++) {
		ssize_t n;

		fromlen = sizeof(from);
		n = recvfrom(gw->fd, buf, sizeof(buf), 0, &from.sa, &fromlen);
		if (n < 0)
			break;
		amt_gw_handle(gw, buf, n, &from);
	}
	event_add_read(master, amt_gw_read, gw, gw->fd, &gw->t_read);
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
		zlog_err("AMT gateway %s: socket: %s", gw->inst->name, safe_strerror(errno));
		return -1;
	}
	setsockopt_so_recvbuf(fd, 4 * 1024 * 1024);
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
	gw->tries = 0;
	if (!family || amt_gw_open(gw, family) < 0) {
		amt_gw_set_state(gw, AMT_GW_IDLE);
		return;
	}
	if (c->relay.family) {
		gw->relay = c->relay;
		amt_gw_set_state(gw, AMT_GW_REQUESTING);
		amt_gateway_send_request(gw);
	} else {
		amt_gw_set_state(gw, AMT_GW_DISCOVERING);
		amt_gw_send_discovery(gw);
	}
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

	for (unsigned int i = 0; i < gw->ninstalled; i++)
		amt_zebra_route(&gw->installed[i], 0, false);
	gw->ninstalled = 0;
	if (!ifp || ifp->ifindex == IFINDEX_INTERNAL)
		return;
	for (unsigned int i = 0; i < gw->cfg.nprefixes; i++) {
		if (amt_zebra_route(&gw->cfg.prefixes[i], ifp->ifindex, true))
			gw->installed[gw->ninstalled++] = gw->cfg.prefixes[i];
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
	if (inst->tun_fd >= 0)
		event_add_read(master, amt_gw_tun_read, gw, inst->tun_fd, &gw->t_tun_read);
	return gw;
}

void amt_gateway_free(struct amt_gateway *gw)
{
	amt_gw_teardown_current(gw);
	amt_gw_close(gw);
	EVENT_OFF(gw->t_tun_read);
	for (unsigned int i = 0; i < gw->ninstalled; i++)
		amt_zebra_route(&gw->installed[i], 0, false);
	amt_membership_free(gw->wanted);
	XFREE(MTYPE_AMT_GATEWAY, gw);
}

/* Does the tunnel itself (relay, port, flag layout) depend on the change? */
static bool amt_gateway_tunnel_changed(const struct amt_gateway_config *a,
				       const struct amt_gateway_config *b)
{
	return memcmp(&a->relay, &b->relay, sizeof(a->relay)) ||
	       memcmp(&a->discovery, &b->discovery, sizeof(a->discovery)) ||
	       a->relay_port != b->relay_port || a->flag_layout != b->flag_layout;
}

/*
 * Apply a new configuration: the tunnel starts over (with a Teardown of the
 * old one) only when the relay or how to reach it changed; timers, counts
 * and source prefixes apply to the running tunnel.
 */
void amt_gateway_reconfigure(struct amt_gateway *gw, const struct amt_gateway_config *cfg)
{
	bool restart = amt_gateway_tunnel_changed(&gw->cfg, cfg) || gw->state == AMT_GW_IDLE;

	if (restart)
		amt_gw_teardown_current(gw);
	gw->cfg = *cfg;
	if (restart)
		amt_gateway_start(gw);
	amt_gateway_routes_refresh(gw);
}
