// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AMT relay (RFC 7450 section 4.2): the UDP side.  Answers Relay Discovery
 * and Request messages, authenticates Membership Updates and Teardowns with
 * the response MAC, and keeps one tunnel per gateway address and port whose
 * membership feeds the relay's flow index.
 */
#include <zebra.h>

#include <sys/random.h>

#include "lib/frrevent.h"
#include "lib/jhash.h"
#include "lib/memory.h"
#include "lib/network.h"
#include "lib/privs.h"
#include "lib/sockopt.h"

#include "amtd.h"
#include "amt_debug.h"
#include "amt_errors.h"
#include "amt_igmp.h"
#include "amt_memory.h"
#include "amt_relay.h"
#include "amt_relay_persist.h"
#include "amt_relay_advertise.h"

DEFINE_MTYPE_STATIC(AMTD, AMT_RELAY, "AMT relay");

/* Large enough for any AMT message over a 9000-byte jumbo frame. */
#define AMT_RELAY_RXBUF 9216
/* Messages per recvmmsg call, and replies per sendmmsg call. */
#define AMT_RELAY_RX_VEC 32
/*
 * Messages handled per read event: at least AMT_RELAY_RX_BATCH (when that
 * many wait), more while the event has taken less than 1/AMT_RELAY_CTL_DIV
 * of the time the last tun read event took (the data path, bounded in
 * amt_relay_tun.c), at most AMT_RELAY_RX_MAX.  Neither side starves the
 * other: under load from both, the control plane gets a sixteenth of the
 * data path's time or its minimum batch, whichever is more (at 100 tunnels
 * at saturation, some 6,000 handshakes/s while forwarding at 0.8-0.9 of
 * the rate without them).
 */
#define AMT_RELAY_RX_BATCH 64
#define AMT_RELAY_RX_MAX   1024
#define AMT_RELAY_CTL_DIV  16
/* Largest reply (a Membership Query with its General Query). */
#define AMT_RELAY_REPLY_MAX 256

uint64_t amt_now_ms(void)
{
	struct timeval tv;

	monotime(&tv);
	return (uint64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

uint64_t amt_now_us(void)
{
	struct timeval tv;

	monotime(&tv);
	return (uint64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

void amt_relay_config_default(struct amt_relay_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->port = AMT_UDP_PORT;
	cfg->tunnel_limit = 10000;
	cfg->group_limit = 256;
	cfg->source_limit = 1024;
	cfg->key_rotation_s = 3600;
	cfg->query_interval_s = 125;
	cfg->query_response_interval_s = 10;
	cfg->robustness = 2;
	cfg->rate_limit = 10000;
	cfg->prefix_rate_limit = 2500;
	cfg->update_rate_limit = 1000;
	cfg->tunnels_per_address = 1000;
	cfg->flow_limit = 100000;
	cfg->flag_layout = AMT_FLAGS_RFC;
	cfg->gw_fields = AMT_GW_FIELDS_AUTO;
	cfg->fanout_slice = AMT_FO_SLICE_DEFAULT;
	amt_health_config_default(&cfg->health);
}

const char *amt_relay_gw_fields_str(enum amt_gw_fields mode)
{
	switch (mode) {
	case AMT_GW_FIELDS_AUTO:
		return "auto";
	case AMT_GW_FIELDS_ALWAYS:
		return "always";
	case AMT_GW_FIELDS_NEVER:
		return "never";
	}
	return "?";
}

/* Gateway endpoint as the codec wants it: address and host-order port. */
static void amt_su_to_ipaddr(const union sockunion *su, struct amt_ipaddr *a, uint16_t *port)
{
	memset(a, 0, sizeof(*a));
	a->family = su->sa.sa_family;
	if (a->family == AF_INET) {
		a->ip.v4 = su->sin.sin_addr;
		*port = ntohs(su->sin.sin_port);
	} else {
		a->ip.v6 = su->sin6.sin6_addr;
		*port = ntohs(su->sin6.sin6_port);
	}
}

static void amt_ipaddr_to_su(const struct amt_ipaddr *a, uint16_t port, union sockunion *su)
{
	memset(su, 0, sizeof(*su));
	su->sa.sa_family = a->family;
	if (a->family == AF_INET) {
		su->sin.sin_addr = a->ip.v4;
		su->sin.sin_port = htons(port);
	} else {
		su->sin6.sin6_addr = a->ip.v6;
		su->sin6.sin6_port = htons(port);
	}
}

void amt_relay_clear_stats(struct amt_relay *relay)
{
	memset(&relay->stats, 0, sizeof(relay->stats));
}

/* ---------------------------------------------------------------- sending */

void amt_relay_sendmmsg(struct amt_relay *relay, int fd, struct mmsghdr *msgs, unsigned int n)
{
	unsigned int sent = 0;

	while (sent < n) {
		int r = sendmmsg(fd, msgs + sent, n - sent, 0);

		if (r > 0) {
			sent += r;
			continue;
		}
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)) {
			/*
			 * The socket's send queue is full: the rest of the batch
			 * would fail the same way, one syscall each.  Drop it.
			 */
			relay->stats.tx_errors += n - sent;
			DEBUGD(&amt_dbg_packets, "AMT relay %s: send queue full, %u datagrams dropped",
			       relay->inst->name, n - sent);
			return;
		}
		/* An error of this destination (unreachable, filtered): skip it. */
		relay->stats.tx_errors++;
		DEBUGD(&amt_dbg_packets, "AMT relay %s: send to %pSU failed: %s", relay->inst->name,
		       (union sockunion *)msgs[sent].msg_hdr.msg_name, safe_strerror(errno));
		sent++;
	}
}

/* Replies to one batch of received messages, sent with one sendmmsg. */
struct amt_reply_batch {
	struct amt_relay_socket *sock;
	struct mmsghdr msgs[AMT_RELAY_RX_VEC];
	struct iovec iov[AMT_RELAY_RX_VEC];
	union sockunion to[AMT_RELAY_RX_VEC];
	uint8_t buf[AMT_RELAY_RX_VEC][AMT_RELAY_REPLY_MAX];
	unsigned int n;
};

static struct amt_reply_batch amt_replies;

static void amt_relay_replies_flush(void)
{
	struct amt_reply_batch *b = &amt_replies;

	if (b->n)
		amt_relay_sendmmsg(b->sock->relay, b->sock->fd, b->msgs, b->n);
	b->n = 0;
}

static void amt_relay_send(struct amt_relay_socket *s, const uint8_t *buf, ssize_t len,
			   const union sockunion *to)
{
	struct amt_reply_batch *b = &amt_replies;
	struct mmsghdr *m;

	if (len < 0 || len > AMT_RELAY_REPLY_MAX) {
		s->relay->stats.tx_errors++;
		return;
	}
	if (b->n && (b->sock != s || b->n == AMT_RELAY_RX_VEC))
		amt_relay_replies_flush();
	b->sock = s;
	memcpy(b->buf[b->n], buf, len);
	b->to[b->n] = *to;
	b->iov[b->n].iov_base = b->buf[b->n];
	b->iov[b->n].iov_len = len;
	m = &b->msgs[b->n];
	memset(m, 0, sizeof(*m));
	m->msg_hdr.msg_name = &b->to[b->n];
	m->msg_hdr.msg_namelen = sockunion_sizeof(to);
	m->msg_hdr.msg_iov = &b->iov[b->n];
	m->msg_hdr.msg_iovlen = 1;
	b->n++;
}

/*
 * A tunnel's own Request budget: a gateway refreshes once per query
 * interval (RFC 7450 section 5.2.3.4.1), some every couple of seconds, a
 * few retransmit; this lets them, and no more, whatever the flood.
 */
#define AMT_RELAY_TUNNEL_REQUEST_RATE  5
#define AMT_RELAY_TUNNEL_REQUEST_BURST 10

/*
 * Unauthenticated messages (Discovery, Request) are answered before anything
 * proves the sender owns its address: token buckets keep the relay from
 * being an amplifier (RFC 7450 section 6).  A Request from an endpoint that
 * owns a tunnel (it proved its address with a MAC) is charged to that
 * tunnel's own budget, so a spoofed flood cannot starve the refreshes of
 * established gateways.  Everything else is charged to its source prefix
 * (/24, /56) and then to the relay-wide budget, so one prefix cannot take
 * the whole budget.  Each refusal is counted where it happened.
 */
static bool amt_relay_rate_ok(struct amt_relay *relay, const union sockunion *from, bool request,
			      uint64_t now)
{
	uint32_t rate = relay->cfg.rate_limit;
	struct amt_ipaddr a;
	uint16_t port;

	if (request) {
		struct amt_tunnel *t = amt_tunnel_find(relay, from);

		if (t) {
			if (amt_bucket_take(&t->rl_request, AMT_RELAY_TUNNEL_REQUEST_RATE,
					    AMT_RELAY_TUNNEL_REQUEST_BURST, now)) {
				relay->stats.rx_request_tunnel++;
				return true;
			}
			relay->stats.err_tunnel_request_rate_limited++;
			relay->stats.err_rate_limited++;
			return false;
		}
	}
	amt_su_to_ipaddr(from, &a, &port);
	if (!amt_prefix_table_take(relay->rl_prefixes, a.family, &a.ip, relay->cfg.prefix_rate_limit,
				   relay->cfg.prefix_rate_limit, now)) {
		relay->stats.err_prefix_rate_limited++;
		relay->stats.err_rate_limited++;
		return false;
	}
	if (!amt_bucket_take(&relay->rl_global, rate, rate, now)) {
		relay->stats.err_rate_limited++;
		return false;
	}
	return true;
}

/* ---------------------------------------------------------------- receive */

static void amt_relay_discovery(struct amt_relay_socket *s, const struct amt_msg *msg,
				const union sockunion *from)
{
	struct amt_relay *relay = s->relay;
	const struct amt_ipaddr *local = &relay->cfg.local[s->addr.family == AF_INET6];
	uint8_t buf[AMT_ADVERTISEMENT_V6_LEN];
	ssize_t len;

	relay->stats.rx_discovery++;
	/* The Advertisement carries a relay address of the Discovery's family. */
	if (local->family != s->addr.family)
		local = &s->addr;
	len = amt_encode_advertisement(buf, sizeof(buf), msg->nonce, local);
	amt_relay_send(s, buf, len, from);
	relay->stats.tx_advertisement++;
}

/* The General Query a Membership Query carries, for the P flag's protocol. */
static ssize_t amt_relay_general_query(struct amt_relay *relay, bool mld, uint8_t *buf, size_t size)
{
	struct amt_query_params qp = {};

	qp.family = mld ? AF_INET6 : AF_INET;
	qp.version = mld ? 2 : 3;
	if (mld) {
		/* MLD queries come from a link-local address; any will do. */
		qp.src.v6.s6_addr[0] = 0xfe;
		qp.src.v6.s6_addr[1] = 0x80;
		qp.src.v6.s6_addr[15] = 1;
	} else if (relay->cfg.local[0].family == AF_INET) {
		qp.src.v4 = relay->cfg.local[0].ip.v4;
	}
	qp.max_resp_ms = relay->cfg.query_response_interval_s * 1000;
	qp.qrv = relay->cfg.robustness;
	qp.qqi = relay->cfg.query_interval_s;
	return amt_query_build(buf, size, &qp);
}

/*
 * L (RFC 7450 section 5.1.4.4): the relay will not accept Membership
 * Updates from new gateway endpoints.  So it is set for an endpoint that
 * has no tunnel yet while the tunnel table is full, and for everyone while
 * the relay drains (RFC 8777 section 4.2: a relay shutting down sets L so
 * that its gateways move elsewhere).  A new endpoint whose address already
 * has tunnels-per-address tunnels is told too: its Update would be refused.
 * A tunnel at its group or source limit is not told to leave: its extra
 * groups are refused and counted.
 */
static bool amt_relay_query_l(struct amt_relay *relay, const struct amt_tunnel *t,
			      const struct amt_ipaddr *gw)
{
	/* An unhealthy relay that withdrew its anycast address drains too. */
	if (relay->cfg.shutdown || amt_relay_adv_drains(relay))
		return true;
	if (t)
		return false;
	return amt_relay_tunnel_count(relay) >= relay->cfg.tunnel_limit ||
	       amt_addr_counts_get(relay->addr_counts, gw->family, &gw->ip) >=
		       relay->cfg.tunnels_per_address;
}

/* G (RFC 7450 section 5.1.4.5) for a gateway of `kind`: see amt_request_gw_kind(). */
static bool amt_relay_query_g(const struct amt_relay *relay, enum amt_gw_kind kind)
{
	switch (relay->cfg.gw_fields) {
	case AMT_GW_FIELDS_ALWAYS:
		return true;
	case AMT_GW_FIELDS_NEVER:
		return false;
	case AMT_GW_FIELDS_AUTO:
		break;
	}
	return kind == AMT_GW_KIND_RFC;
}

static void amt_relay_request(struct amt_relay_socket *s, const struct amt_msg *msg,
			      const union sockunion *from, uint64_t now)
{
	struct amt_relay *relay = s->relay;
	uint8_t query[128], buf[256], mac[AMT_MAC_LEN];
	enum amt_flag_layout layout = relay->cfg.flag_layout;
	struct amt_tunnel *t = amt_tunnel_find(relay, from);
	enum amt_gw_kind kind;
	struct amt_ipaddr gw;
	uint16_t gw_port;
	ssize_t qlen, len;
	bool limit, with_gw;

	relay->stats.rx_request++;
	amt_su_to_ipaddr(from, &gw, &gw_port);
	kind = amt_request_gw_kind(msg, gw_port);
	relay->stats.rx_request_kind[kind]++;
	/* Answer the Linux driver in its own layout: it drops anything else. */
	if (kind == AMT_GW_KIND_LINUX)
		layout = AMT_FLAGS_LINUX;
	if (amt_mac_generate(&relay->mac, gw.family, &gw.ip, gw_port, msg->nonce, mac) < 0) {
		relay->stats.tx_errors++;
		return;
	}
	qlen = amt_relay_general_query(relay, amt_request_wants_mld(msg, kind), query,
				       sizeof(query));
	if (qlen < 0) {
		relay->stats.tx_errors++;
		return;
	}
	limit = amt_relay_query_l(relay, t, &gw);
	with_gw = amt_relay_query_g(relay, kind);
	/* G: tell the gateway its address and port as seen here (NAT). */
	len = amt_encode_query(buf, sizeof(buf), mac, msg->nonce, limit, query, qlen,
			       with_gw ? &gw : NULL, gw_port, layout);
	if (len < 0) {
		relay->stats.tx_errors++;
		return;
	}
	amt_relay_send(s, buf, len, from);
	relay->stats.tx_query++;
	/* A refreshing gateway may tear down with this nonce before its next Update. */
	if (t) {
		t->query_nonce = msg->nonce;
		amt_relay_persist_tunnel_dirty(t);
	}
	if (with_gw)
		relay->stats.tx_query_gw_fields++;
	else
		relay->stats.tx_query_no_gw_fields++;
	if (layout == AMT_FLAGS_LINUX)
		relay->stats.tx_query_linux++;
	if (limit)
		relay->stats.tx_query_limit++;
	DEBUGD(&amt_dbg_packets, "AMT relay %s: Query to %pSU (%s gateway): %zd bytes%s%s",
	       relay->inst->name, from, amt_gw_kind_str(kind), len, with_gw ? ", G" : "",
	       limit ? ", L" : "");
}

/* The union's size: every group once, plus each (S,G). */
static uint32_t amt_relay_flow_count(struct amt_relay *relay)
{
	struct amt_flow_index_stats st;

	amt_flow_index_get_stats(relay->index, &st);
	return st.groups + st.sources;
}

static void amt_relay_union_present(void *arg, const struct amt_union_state *state)
{
	*(bool *)arg = true;
}

/*
 * The relay-wide cap on what is pushed to pimd (the union of all tunnels'
 * (S,G) and (*,G)): at the cap, a record that could add a group or a source
 * the union does not have yet is refused.  Leaves (BLOCK, TO_IN/IS_IN
 * without sources) always pass, and so do refreshes of what is there.
 */
static bool amt_relay_flow_capped(struct amt_relay *relay, const struct amt_group_record *rec)
{
	size_t alen = rec->family == AF_INET6 ? 16 : 4;
	bool present = false;

	if (rec->type == AMT_REC_BLOCK_OLD_SOURCES)
		return false;
	if ((rec->type == AMT_REC_MODE_IS_INCLUDE || rec->type == AMT_REC_CHANGE_TO_INCLUDE) &&
	    rec->num_sources == 0)
		return false;
	if (amt_relay_flow_count(relay) < relay->cfg.flow_limit)
		return false;
	amt_flow_index_union_group(relay->index, rec->family, &rec->group, amt_relay_union_present,
				   &present);
	if (!present)
		return true;
	if (rec->type == AMT_REC_MODE_IS_EXCLUDE || rec->type == AMT_REC_CHANGE_TO_EXCLUDE)
		return false;
	/* Sources in INCLUDE records: each must be wanted already. */
	for (uint16_t i = 0; i < rec->num_sources; i++) {
		union amt_ip src = {};

		memcpy(src.bytes, rec->sources + i * alen, alen);
		if (amt_flow_index_lookup(relay->index, rec->family, &src, &rec->group).count == 0)
			return true;
	}
	return false;
}

/* Apply the report an authenticated Update carries to its tunnel. */
static void amt_relay_apply_report(struct amt_relay *relay, struct amt_tunnel *t,
				   const struct amt_msg *msg, uint64_t now)
{
	struct amt_group_record rec;
	struct amt_report rep;
	enum amt_igmp_error err;

	err = amt_report_decode(msg->inner, msg->inner_len, msg->inner_family, &rep);
	if (err != AMT_IGMP_OK) {
		relay->stats.err_bad_report++;
		DEBUGD(&amt_dbg_packets, "AMT relay %s: bad report from %pSU: %s",
		       relay->inst->name, &t->gw, amt_igmp_error_str(err));
		return;
	}
	if (rep.flags)
		relay->stats.unusual++;
	while (amt_report_next(&rep, &rec)) {
		/* Link-local groups do not cross a tunnel: no state for them. */
		if (amt_group_is_link_local(rec.family, &rec.group)) {
			relay->stats.unusual++;
			continue;
		}
		/*
		 * RFC 4604 section 2.2.1: EXCLUDE-mode records for an SSM group
		 * create no (*,G) state; they are ignored.
		 */
		if ((rec.type == AMT_REC_MODE_IS_EXCLUDE || rec.type == AMT_REC_CHANGE_TO_EXCLUDE) &&
		    amt_group_is_ssm(rec.family, &rec.group)) {
			relay->stats.err_ssm_exclude++;
			continue;
		}
		if (amt_relay_flow_capped(relay, &rec)) {
			relay->stats.err_flow_limit++;
			continue;
		}
		if (amt_membership_apply(t->memb, &rec, now) != AMT_MEMB_LIMIT)
			continue;
		if (amt_membership_num_groups(t->memb) >= relay->cfg.group_limit)
			relay->stats.err_group_limit++;
		else
			relay->stats.err_source_limit++;
	}
}

static void amt_relay_update(struct amt_relay_socket *s, const struct amt_msg *msg,
			     const union sockunion *from, uint64_t now)
{
	struct amt_relay *relay = s->relay;
	struct amt_tunnel *t = amt_tunnel_find(relay, from);
	struct amt_ipaddr gw;
	uint16_t gw_port;

	relay->stats.rx_update++;
	amt_su_to_ipaddr(from, &gw, &gw_port);
	if (!amt_mac_verify(&relay->mac, now, gw.family, &gw.ip, gw_port, msg->nonce, msg->mac)) {
		if (t && t->nonce != msg->nonce)
			relay->stats.err_nonce_mismatch++;
		else
			relay->stats.err_bad_mac++;
		DEBUGD(&amt_dbg_packets, "AMT relay %s: Update from %pSU fails the MAC check",
		       relay->inst->name, from);
		return;
	}
	if (!t) {
		/* A draining relay takes no new tunnels (it sent them L). */
		if (relay->cfg.shutdown || amt_relay_adv_drains(relay)) {
			relay->stats.err_draining++;
			return;
		}
		if (amt_relay_tunnel_count(relay) >= relay->cfg.tunnel_limit) {
			relay->stats.err_tunnel_limit++;
			return;
		}
		/* One host with many ports cannot take the whole tunnel-limit. */
		if (amt_addr_counts_get(relay->addr_counts, gw.family, &gw.ip) >=
		    relay->cfg.tunnels_per_address) {
			relay->stats.err_address_tunnel_limit++;
			DEBUGD(&amt_dbg_packets,
			       "AMT relay %s: Update from %pSU refused: tunnels-per-address reached",
			       relay->inst->name, from);
			return;
		}
		t = amt_tunnel_new(relay, from, s, now);
		t->query_nonce = msg->nonce;
		amt_addr_counts_inc(relay->addr_counts, gw.family, &gw.ip);
	} else if (!amt_bucket_take(&t->rl_update, relay->cfg.update_rate_limit,
				    relay->cfg.update_rate_limit, now)) {
		/* Join/leave churn: the tunnel's Updates beyond its budget. */
		relay->stats.err_update_rate_limited++;
		return;
	}
	t->nonce = msg->nonce;
	t->sock = s;
	t->last_update_ms = now;
	t->updates++;
	amt_relay_apply_report(relay, t, msg, now);
	amt_tunnel_settle(t);
	amt_relay_expiry_arm(relay, now);
}

void amt_relay_tunnel_gone(struct amt_tunnel *t)
{
	struct amt_ipaddr a;
	uint16_t port;

	amt_su_to_ipaddr(&t->gw, &a, &port);
	amt_addr_counts_dec(t->relay->addr_counts, a.family, &a.ip);
}

static void amt_relay_teardown(struct amt_relay_socket *s, const struct amt_msg *msg)
{
	struct amt_relay *relay = s->relay;
	union sockunion gw;
	struct amt_tunnel *t;

	relay->stats.rx_teardown++;
	/* The MAC covers the address and port the Teardown carries. */
	if (!amt_mac_verify(&relay->mac, amt_now_ms(), msg->gw_addr.family, &msg->gw_addr.ip,
			    msg->gw_port, msg->nonce, msg->mac)) {
		relay->stats.err_bad_mac++;
		return;
	}
	amt_ipaddr_to_su(&msg->gw_addr, msg->gw_port, &gw);
	t = amt_tunnel_find(relay, &gw);
	/*
	 * RFC 7450 section 5.3.3 (Teardown): the Teardown's nonce is the one of the
	 * Request the tunnel was made or last refreshed with: its last
	 * Update's, or the last Query's when the gateway refreshed and tears
	 * down before its next Update.  A Teardown captured earlier, whose MAC
	 * is still good, cannot end a later tunnel of the same endpoint.
	 */
	if (t && t->nonce != msg->nonce && t->query_nonce != msg->nonce) {
		relay->stats.err_nonce_mismatch++;
		DEBUGD(&amt_dbg_packets, "AMT relay %s: Teardown for %pSU with a stale nonce",
		       relay->inst->name, &gw);
		return;
	}
	if (t) {
		amt_tunnel_free(t);
		amt_flow_index_flush(relay->index);
	}
}

static void amt_relay_count_decode_error(struct amt_relay *relay, enum amt_decode_error err)
{
	switch (err) {
	case AMT_DECODE_BAD_VERSION:
		relay->stats.err_bad_version++;
		break;
	case AMT_DECODE_UNKNOWN_TYPE:
		relay->stats.err_unknown_type++;
		break;
	case AMT_DECODE_OK:
	case AMT_DECODE_TOO_SHORT:
	case AMT_DECODE_BAD_LENGTH:
	case AMT_DECODE_FAMILY:
	case AMT_DECODE_BAD_INNER:
	case AMT_DECODE_ERROR_MAX:
		relay->stats.err_malformed++;
		break;
	}
}

/* The sender as the core wants it, for amt_endpoint_ok(). */
static bool amt_relay_source_ok(const union sockunion *from)
{
	struct amt_ipaddr a;
	uint16_t port;

	if (from->sa.sa_family != AF_INET && from->sa.sa_family != AF_INET6)
		return false;
	amt_su_to_ipaddr(from, &a, &port);
	return amt_endpoint_ok(a.family, &a.ip, port);
}

static void amt_relay_handle(struct amt_relay_socket *s, const uint8_t *buf, size_t len,
			     const union sockunion *from)
{
	struct amt_relay *relay = s->relay;
	enum amt_decode_error err;
	struct amt_msg msg;
	uint64_t now = amt_now_ms();

	if (!amt_relay_source_ok(from)) {
		relay->stats.err_bad_source++;
		DEBUGD(&amt_dbg_packets, "AMT relay %s: dropped %zu bytes from %pSU: not a unicast endpoint",
		       relay->inst->name, len, from);
		return;
	}
	err = amt_decode(buf, len, from->sa.sa_family, relay->cfg.flag_layout, &msg);
	if (err != AMT_DECODE_OK) {
		amt_relay_count_decode_error(relay, err);
		DEBUGD(&amt_dbg_packets, "AMT relay %s: dropped %zu bytes from %pSU: %s",
		       relay->inst->name, len, from, amt_decode_error_str(err));
		return;
	}
	if (msg.flags)
		relay->stats.unusual++;
	DEBUGD(&amt_dbg_packets, "AMT relay %s: %s from %pSU", relay->inst->name,
	       amt_msg_type_str(msg.type), from);

	switch (msg.type) {
	case AMT_MSG_RELAY_DISCOVERY:
		if (amt_relay_rate_ok(relay, from, false, now))
			amt_relay_discovery(s, &msg, from);
		break;
	case AMT_MSG_REQUEST:
		if (amt_relay_rate_ok(relay, from, true, now))
			amt_relay_request(s, &msg, from, now);
		break;
	case AMT_MSG_MEMBERSHIP_UPDATE:
		amt_relay_update(s, &msg, from, now);
		break;
	case AMT_MSG_TEARDOWN:
		amt_relay_teardown(s, &msg);
		break;
	case AMT_MSG_MULTICAST_DATA:
		/* Never accept multicast from a gateway. */
		relay->stats.err_data_from_gateway++;
		break;
	case AMT_MSG_RELAY_ADVERTISEMENT:
	case AMT_MSG_MEMBERSHIP_QUERY:
		relay->stats.err_unexpected_type++;
		break;
	}
}

/* Received messages, a recvmmsg batch. */
struct amt_rx_batch {
	struct mmsghdr msgs[AMT_RELAY_RX_VEC];
	struct iovec iov[AMT_RELAY_RX_VEC];
	union sockunion from[AMT_RELAY_RX_VEC];
	uint8_t cmsg[AMT_RELAY_RX_VEC][CMSG_SPACE(sizeof(uint32_t))];
	uint8_t buf[AMT_RELAY_RX_VEC][AMT_RELAY_RXBUF];
};

static void amt_rx_batch_prepare(struct amt_rx_batch *b)
{
	for (unsigned int i = 0; i < AMT_RELAY_RX_VEC; i++) {
		struct msghdr *h = &b->msgs[i].msg_hdr;

		b->iov[i].iov_base = b->buf[i];
		b->iov[i].iov_len = AMT_RELAY_RXBUF;
		memset(h, 0, sizeof(*h));
		h->msg_name = &b->from[i];
		h->msg_namelen = sizeof(b->from[i]);
		h->msg_iov = &b->iov[i];
		h->msg_iovlen = 1;
		h->msg_control = b->cmsg[i];
		h->msg_controllen = sizeof(b->cmsg[i]);
	}
}

/* SO_RXQ_OVFL: the socket's drop count so far, on messages after a drop. */
static void amt_relay_count_drops(struct amt_relay_socket *s, struct msghdr *h)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c)) {
		uint32_t total;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SO_RXQ_OVFL ||
		    c->cmsg_len < CMSG_LEN(sizeof(total)))
			continue;
		memcpy(&total, CMSG_DATA(c), sizeof(total));
		if (total != s->drops_seen) {
			s->relay->stats.rx_socket_drops += (uint32_t)(total - s->drops_seen);
			DEBUGD(&amt_dbg_packets, "AMT relay %s: kernel dropped %u messages",
			       s->relay->inst->name, (uint32_t)(total - s->drops_seen));
			s->drops_seen = total;
		}
	}
}

static void amt_relay_sock_read(struct event *event)
{
	struct amt_relay_socket *s = EVENT_ARG(event);
	struct amt_relay *relay = s->relay;
	static struct amt_rx_batch rx;
	uint64_t t0 = amt_now_us();
	unsigned int done = 0;

	while (done < AMT_RELAY_RX_MAX) {
		int n;

		amt_rx_batch_prepare(&rx);
		n = recvmmsg(s->fd, rx.msgs, AMT_RELAY_RX_VEC, MSG_DONTWAIT, NULL);
		if (n <= 0)
			break;
		for (int i = 0; i < n; i++) {
			struct msghdr *h = &rx.msgs[i].msg_hdr;

			amt_relay_count_drops(s, h);
			if (h->msg_flags & MSG_TRUNC) {
				relay->stats.err_malformed++;
				continue;
			}
			amt_relay_handle(s, rx.buf[i], rx.msgs[i].msg_len, &rx.from[i]);
		}
		amt_relay_replies_flush();
		done += n;
		if (n < AMT_RELAY_RX_VEC)
			break;
		if (done >= AMT_RELAY_RX_BATCH &&
		    amt_now_us() - t0 >= relay->tun_busy_us / AMT_RELAY_CTL_DIV)
			break;
	}
	event_add_read(master, amt_relay_sock_read, s, s->fd, &s->t_read);
}

/* ---------------------------------------------------------------- sockets */

static int amt_relay_socket_open(struct amt_relay *relay, const struct amt_ipaddr *addr)
{
	union sockunion su;
	int fd, on = 1;

	fd = socket(addr->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	/* A discovery address may live on another box of the anycast set. */
	if (addr->family == AF_INET)
		setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &on, sizeof(on));
	else {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
		setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &on, sizeof(on));
	}
	/* Count what the kernel drops when the receive queue is full. */
	setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof(on));
	setsockopt_so_recvbuf(fd, 4 * 1024 * 1024);
	setsockopt_so_sendbuf(fd, 4 * 1024 * 1024);
	amt_ipaddr_to_su(addr, relay->cfg.port, &su);
	if (bind(fd, &su.sa, sockunion_sizeof(&su)) < 0) {
		flog_err(EC_AMT_SOCKET, "AMT relay %s: cannot bind %pSU: %s", relay->inst->name,
			 &su, safe_strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void amt_relay_socket_close(struct amt_relay_socket *s)
{
	EVENT_OFF(s->t_read);
	if (s->fd >= 0) {
		close(s->fd);
		s->relay->nsocks--;
	}
	s->fd = -1;
}

static void amt_relay_sockets_close(struct amt_relay *relay)
{
	for (unsigned int i = 0; i < AMT_RELAY_MAX_SOCKETS; i++)
		amt_relay_socket_close(&relay->socks[i]);
}

static bool amt_ipaddr_same(const struct amt_ipaddr *a, const struct amt_ipaddr *b)
{
	return a->family == b->family &&
	       !memcmp(&a->ip, &b->ip, a->family == AF_INET ? sizeof(a->ip.v4) : sizeof(a->ip.v6));
}

/*
 * Make the open sockets match the configuration.  A socket whose address
 * and port are still wanted stays open, with its tunnels, queued messages
 * and slot (tunnels point at their socket); a socket no longer wanted is
 * closed after its tunnels are torn down; new addresses get a free slot.
 */
static void amt_relay_sockets_sync(struct amt_relay *relay)
{
	const struct amt_ipaddr *addrs[] = {
		&relay->cfg.local[0],
		&relay->cfg.local[1],
		&relay->cfg.discovery[0],
		&relay->cfg.discovery[1],
	};
	bool have[array_size(addrs)] = {};

	for (unsigned int i = 0; i < AMT_RELAY_MAX_SOCKETS; i++) {
		struct amt_relay_socket *s = &relay->socks[i];
		bool keep = false;

		if (s->fd < 0)
			continue;
		for (unsigned int j = 0; j < array_size(addrs); j++) {
			if (!have[j] && s->port == relay->cfg.port && (j >= 2) == s->discovery &&
			    amt_ipaddr_same(addrs[j], &s->addr)) {
				have[j] = keep = true;
				break;
			}
		}
		if (keep)
			continue;
		relay->stats.tunnels_reconfigured += amt_relay_tunnels_on_socket_free(relay, s);
		amt_relay_socket_close(s);
	}
	for (unsigned int j = 0; j < array_size(addrs); j++) {
		struct amt_relay_socket *s = NULL;
		int fd;

		if (have[j] || addrs[j]->family == 0)
			continue;
		for (unsigned int i = 0; i < AMT_RELAY_MAX_SOCKETS && !s; i++)
			if (relay->socks[i].fd < 0)
				s = &relay->socks[i];
		fd = s ? amt_relay_socket_open(relay, addrs[j]) : -1;
		if (fd < 0)
			continue;
		s->relay = relay;
		s->fd = fd;
		s->drops_seen = 0;
		s->addr = *addrs[j];
		s->port = relay->cfg.port;
		s->discovery = j >= 2;
		event_add_read(master, amt_relay_sock_read, s, fd, &s->t_read);
		relay->nsocks++;
	}
}

/* ---------------------------------------------------------------- secrets */

static void amt_relay_rotate(struct event *event)
{
	struct amt_relay *relay = EVENT_ARG(event);

	if (amt_mac_rotate(&relay->mac, amt_now_ms()) < 0)
		flog_warn(EC_AMT_MAC_SECRET, "AMT relay %s: cannot draw a new MAC secret: %s",
			  relay->inst->name, safe_strerror(errno));
	else
		amt_relay_persist_secrets_dirty(relay);
	event_add_timer(master, amt_relay_rotate, relay, relay->cfg.key_rotation_s,
			&relay->t_rotate);
}

/* ---------------------------------------------------------------- lifecycle */

static void amt_relay_rotate_schedule(struct amt_relay *relay)
{
	EVENT_OFF(relay->t_rotate);
	event_add_timer(master, amt_relay_rotate, relay, relay->cfg.key_rotation_s,
			&relay->t_rotate);
}

void amt_relay_rotate_in(struct amt_relay *relay, uint64_t ms)
{
	EVENT_OFF(relay->t_rotate);
	event_add_timer_msec(master, amt_relay_rotate, relay, ms, &relay->t_rotate);
}

/* A secret seed for the prefix table, so that no sender can aim at a slot. */
static uint32_t amt_relay_seed(void)
{
	uint32_t seed;

	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != sizeof(seed))
		seed = frr_weak_random();
	return seed;
}

struct amt_relay *amt_relay_new(struct amt_instance *inst)
{
	struct amt_relay *relay = XCALLOC(MTYPE_AMT_RELAY, sizeof(*relay));

	relay->inst = inst;
	relay->ring.fd = -1;
	for (unsigned int i = 0; i < AMT_RELAY_MAX_SOCKETS; i++)
		relay->socks[i].fd = -1;
	amt_relay_config_default(&relay->cfg);
	amt_relay_tunnels_init(relay);
	amt_fo_queue_init(&relay->fanout);
	relay->feed = amt_relay_feed_new(relay);
	relay->index = amt_flow_index_new(amt_relay_union_changed, relay);
	relay->rl_prefixes = amt_prefix_table_new(amt_relay_seed());
	relay->addr_counts = amt_addr_counts_new();
	/* The previous secret stays good for one rotation interval. */
	amt_mac_init(&relay->mac, relay->cfg.key_rotation_s * 1000);
	if (amt_mac_rotate(&relay->mac, amt_now_ms()) < 0)
		flog_err(EC_AMT_MAC_SECRET, "AMT relay %s: cannot draw a MAC secret: %s",
			 inst->name, safe_strerror(errno));
	relay->persist = amt_relay_persist_new(relay);
	amt_relay_rotate_schedule(relay);
	amt_relay_tun_attach(relay);
	amt_relay_adv_new(relay);
	return relay;
}

void amt_relay_free(struct amt_relay *relay)
{
	amt_relay_adv_free(relay);
	/* Before the tunnels go: a clean stop writes them a last time. */
	amt_relay_persist_free(relay);
	amt_relay_sockets_close(relay);
	EVENT_OFF(relay->t_tun_read);
	amt_relay_ring_stop(relay);
	EVENT_OFF(relay->t_rotate);
	amt_relay_fanout_drop(relay);
	amt_relay_tunnels_fini(relay);
	amt_flow_index_free(relay->index);
	amt_relay_feed_free(&relay->feed);
	amt_prefix_table_free(relay->rl_prefixes);
	amt_addr_counts_free(relay->addr_counts);
	amt_mac_fini(&relay->mac);
	XFREE(MTYPE_AMT_RELAY, relay);
}

/*
 * Apply the configuration: only sockets whose address or port changed are
 * closed or opened (with the tunnels on a closed one); every other tunnel
 * keeps its state and gets the new limits and timers.
 */
void amt_relay_reconfigure(struct amt_relay *relay)
{
	struct amt_membership_params params;
	struct amt_tunnel *t;

	amt_relay_sockets_sync(relay);
	relay->mac.grace_ms = relay->cfg.key_rotation_s * 1000;
	amt_relay_rotate_schedule(relay);
	amt_relay_membership_params(relay, &params);
	for (t = amt_relay_tunnel_first(relay); t; t = amt_relay_tunnel_next(relay, t))
		amt_membership_set_params(t->memb, &params);
	amt_relay_persist_configured(relay);
	amt_relay_adv_reconfigure(relay);
	/* pseudo-interface-read: read the device the configured way when it
	 * is not read so already (a split fan-out under way attaches with its
	 * last slice). */
	if (relay->t_tun_read && relay->cfg.tun_ring != (relay->ring.fd >= 0))
		amt_relay_tun_attach(relay);
}

void amt_relay_tun_detach(struct amt_relay *relay)
{
	EVENT_OFF(relay->t_tun_read);
	amt_relay_ring_stop(relay);
}

void amt_relay_tun_attach(struct amt_relay *relay)
{
	EVENT_OFF(relay->t_tun_read);
	/* A split fan-out is sent first; its last slice attaches again. */
	if (!amt_fo_queue_empty(&relay->fanout))
		return;
	if (relay->inst->tun_fd < 0)
		return;
	if (!relay->cfg.tun_ring)
		amt_relay_ring_stop(relay);
	if (relay->cfg.tun_ring && amt_relay_ring_start(relay))
		event_add_read(master, amt_relay_ring_read, relay, relay->ring.fd,
			       &relay->t_tun_read);
	else
		event_add_read(master, amt_relay_tun_read, relay, relay->inst->tun_fd,
			       &relay->t_tun_read);
}
