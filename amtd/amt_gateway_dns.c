// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AMT gateway: DNS relay discovery (RFC 8777).
 *
 * Each gateway using DNS has its own c-ares channel, driven by FRR's event
 * loop (as lib/resolver.c does it for FRR's name lookups).  The channel is
 * made anew for each query, so that a changed /etc/resolv.conf is used at
 * the next lookup.  The answer is parsed by amt_dns_record.c; relay names
 * (type 3) are resolved to an address when their record's turn comes.
 */
#include <zebra.h>

#include <ares.h>

#include "lib/frrevent.h"
#include "lib/memory.h"
#include "lib/network.h"

#include "amtd.h"
#include "amt_debug.h"
#include "amt_errors.h"
#include "amt_gateway.h"
#include "amt_gateway_dns.h"
#include "amt_memory.h"

DEFINE_MTYPE_STATIC(AMTD, AMT_GW_DNS, "AMT gateway DNS discovery");

/* Back-off before querying again when no relay worked. */
#define AMT_GW_DNS_BACKOFF_MIN_S 5
#define AMT_GW_DNS_BACKOFF_MAX_S 300
/* Bounds on the TTL-driven refresh while a tunnel is up. */
#define AMT_GW_DNS_TTL_MIN_S 60
#define AMT_GW_DNS_TTL_MAX_S 86400
/* c-ares: per server try, and tries. */
#define AMT_GW_DNS_TIMEOUT_MS 2000
#define AMT_GW_DNS_TRIES      2

static void amt_gw_dns_query(struct amt_gw_dns *dns);
static void amt_gw_dns_try_next(struct amt_gw_dns *dns);

/* ---------------------------------------------------------------- c-ares and the event loop */

static void amt_gw_dns_update_timeout(struct amt_gw_dns *dns);

static void amt_gw_dns_ares_timeout(struct event *event)
{
	struct amt_gw_dns *dns = EVENT_ARG(event);

	ares_process_fd(dns->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	amt_gw_dns_update_timeout(dns);
}

static void amt_gw_dns_update_timeout(struct amt_gw_dns *dns)
{
	struct timeval tvbuf, *tv;

	EVENT_OFF(dns->t_ares);
	if (!dns->channel)
		return;
	tv = ares_timeout(dns->channel, NULL, &tvbuf);
	if (tv)
		event_add_timer_msec(master, amt_gw_dns_ares_timeout, dns,
				     tv->tv_sec * 1000 + tv->tv_usec / 1000, &dns->t_ares);
}

static void amt_gw_dns_readable(struct event *event)
{
	struct amt_gw_dns_fd *slot = EVENT_ARG(event);
	struct amt_gw_dns *dns = slot->dns;
	int fd = slot->fd;

	/* First: c-ares may close the socket (and clear the slot) below. */
	event_add_read(master, amt_gw_dns_readable, slot, fd, &slot->t_read);
	ares_process_fd(dns->channel, fd, ARES_SOCKET_BAD);
	amt_gw_dns_update_timeout(dns);
}

static void amt_gw_dns_writable(struct event *event)
{
	struct amt_gw_dns_fd *slot = EVENT_ARG(event);
	struct amt_gw_dns *dns = slot->dns;
	int fd = slot->fd;

	event_add_write(master, amt_gw_dns_writable, slot, fd, &slot->t_write);
	ares_process_fd(dns->channel, ARES_SOCKET_BAD, fd);
	amt_gw_dns_update_timeout(dns);
}

/* c-ares tells which of its sockets to watch, and for what. */
static void amt_gw_dns_sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	struct amt_gw_dns *dns = data;
	struct amt_gw_dns_fd *slot = NULL, *free_slot = NULL;

	for (int i = 0; i < AMT_GW_DNS_MAX_FDS; i++) {
		if (dns->fds[i].fd == fd)
			slot = &dns->fds[i];
		else if (dns->fds[i].fd < 0 && !free_slot)
			free_slot = &dns->fds[i];
	}
	if (!slot) {
		if (!readable && !writable)
			return;
		if (!free_slot) {
			flog_warn(EC_AMT_DNS_RESOLVER,
				  "AMT gateway %s: c-ares uses more than %d sockets",
				  dns->gw->inst->name, AMT_GW_DNS_MAX_FDS);
			return;
		}
		slot = free_slot;
		slot->fd = fd;
	}
	if (!readable)
		EVENT_OFF(slot->t_read);
	else if (!slot->t_read)
		event_add_read(master, amt_gw_dns_readable, slot, fd, &slot->t_read);
	if (!writable)
		EVENT_OFF(slot->t_write);
	else if (!slot->t_write)
		event_add_write(master, amt_gw_dns_writable, slot, fd, &slot->t_write);
	if (!slot->t_read && !slot->t_write)
		slot->fd = -1;
}

static void amt_gw_dns_channel_close(struct amt_gw_dns *dns)
{
	dns->busy = false;
	if (dns->channel) {
		/* Outstanding callbacks run with ARES_EDESTRUCTION. */
		ares_destroy(dns->channel);
		dns->channel = NULL;
	}
	for (int i = 0; i < AMT_GW_DNS_MAX_FDS; i++) {
		EVENT_OFF(dns->fds[i].t_read);
		EVENT_OFF(dns->fds[i].t_write);
		dns->fds[i].fd = -1;
	}
	EVENT_OFF(dns->t_ares);
}

static bool amt_gw_dns_channel_open(struct amt_gw_dns *dns)
{
	static bool lib_init;
	struct ares_options opts = {};
	int ret;

	if (!lib_init) {
		ret = ares_library_init(ARES_LIB_INIT_ALL);
		if (ret != ARES_SUCCESS) {
			flog_err(EC_AMT_DNS_RESOLVER,
				 "AMT gateway %s: c-ares initialisation failed: %s",
				 dns->gw->inst->name, ares_strerror(ret));
			return false;
		}
		lib_init = true;
	}
	opts.sock_state_cb = amt_gw_dns_sock_state;
	opts.sock_state_cb_data = dns;
	opts.timeout = AMT_GW_DNS_TIMEOUT_MS;
	opts.tries = AMT_GW_DNS_TRIES;
	ret = ares_init_options(&dns->channel, &opts,
				ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES);
	if (ret != ARES_SUCCESS) {
		flog_err(EC_AMT_DNS_RESOLVER, "AMT gateway %s: c-ares channel: %s",
			 dns->gw->inst->name, ares_strerror(ret));
		dns->channel = NULL;
		return false;
	}
	return true;
}

/* ---------------------------------------------------------------- relay selection */

static uint32_t amt_gw_dns_rnd(void *arg)
{
	return frr_weak_random();
}

static void amt_gw_dns_requery(struct event *event)
{
	amt_gw_dns_query(EVENT_ARG(event));
}

static void amt_gw_dns_schedule(struct amt_gw_dns *dns, uint32_t secs)
{
	EVENT_OFF(dns->t_query);
	event_add_timer(master, amt_gw_dns_requery, dns, secs, &dns->t_query);
}

/* No record left to try: wait, then query again. */
static void amt_gw_dns_exhausted(struct amt_gw_dns *dns, const char *why)
{
	/* Moving away from a relay that set L: no other one, so stay. */
	if (amt_gateway_moving_from(dns->gw)) {
		amt_gateway_move_failed(dns->gw, why);
		return;
	}
	dns->have_cur = false;
	dns->cur = -1;
	if (dns->backoff_s == 0)
		dns->backoff_s = AMT_GW_DNS_BACKOFF_MIN_S;
	else
		dns->backoff_s = MIN(dns->backoff_s * 2, AMT_GW_DNS_BACKOFF_MAX_S);
	flog_warn(EC_AMT_DNS_DISCOVERY,
		  "AMT gateway %s: no usable AMT relay from DNS for %s (%s); querying again in %us",
		  dns->gw->inst->name, dns->qname, why, dns->backoff_s);
	amt_gateway_set_idle(dns->gw);
	amt_gw_dns_schedule(dns, dns->backoff_s);
}

static bool amt_gw_dns_addr_same(const struct amt_ipaddr *a, const struct amt_ipaddr *b)
{
	return a->family == b->family &&
	       !memcmp(&a->ip, &b->ip, a->family == AF_INET ? 4 : sizeof(a->ip));
}

static void amt_gw_dns_use(struct amt_gw_dns *dns, const struct amt_ipaddr *addr)
{
	const struct amt_relay_record *rec = &dns->recs[dns->cur];
	const struct amt_ipaddr *leaving = amt_gateway_moving_from(dns->gw);
	char buf[INET6_ADDRSTRLEN];

	/* A move looks for another relay than the one it leaves. */
	if (leaving && amt_gw_dns_addr_same(addr, leaving)) {
		amt_gw_dns_try_next(dns);
		return;
	}

	dns->cur_rec = *rec;
	dns->cur_addr = *addr;
	dns->have_cur = true;
	inet_ntop(addr->family, &addr->ip, buf, sizeof(buf));
	DEBUGD(&amt_dbg_events,
	       "AMT gateway %s: trying relay %s (AMTRELAY record %d of %u, precedence %u, D=%u)",
	       dns->gw->inst->name, buf, dns->cur + 1, dns->nrecs, rec->precedence,
	       rec->discovery_optional);
	amt_gateway_connect(dns->gw, addr, !rec->discovery_optional);
}

static void amt_gw_dns_addrinfo_cb(void *arg, int status, int timeouts, struct ares_addrinfo *result)
{
	struct amt_gw_dns *dns = arg;
	struct ares_addrinfo_node *node;
	struct amt_ipaddr addr = {};

	if (status == ARES_EDESTRUCTION || status == ARES_ECANCELLED) {
		if (result)
			ares_freeaddrinfo(result);
		return;
	}
	dns->busy = false;
	for (node = result ? result->nodes : NULL; node; node = node->ai_next) {
		if (node->ai_family == AF_INET) {
			addr.family = AF_INET;
			addr.ip.v4 = ((struct sockaddr_in *)node->ai_addr)->sin_addr;
			break;
		}
		if (node->ai_family == AF_INET6) {
			addr.family = AF_INET6;
			addr.ip.v6 = ((struct sockaddr_in6 *)node->ai_addr)->sin6_addr;
			break;
		}
	}
	if (result)
		ares_freeaddrinfo(result);
	if (!addr.family) {
		dns->stats.name_failures++;
		flog_warn(EC_AMT_DNS_DISCOVERY, "AMT gateway %s: relay name %s does not resolve: %s",
			  dns->gw->inst->name, dns->recs[dns->cur].name,
			  status == ARES_SUCCESS ? "no address" : ares_strerror(status));
		amt_gw_dns_try_next(dns);
		return;
	}
	amt_gw_dns_use(dns, &addr);
}

static void amt_gw_dns_try_next(struct amt_gw_dns *dns)
{
	const struct amt_relay_record *rec;
	struct ares_addrinfo_hints hints = {};

	if (++dns->cur >= (int)dns->nrecs) {
		amt_gw_dns_exhausted(dns, dns->nrecs ? "every relay failed" : "no records");
		return;
	}
	rec = &dns->recs[dns->cur];
	dns->stats.relays_tried++;
	if (rec->type != AMT_RELAY_TYPE_NAME) {
		amt_gw_dns_use(dns, &rec->addr);
		return;
	}
	amt_gateway_set_resolving(dns->gw);
	hints.ai_family = AF_UNSPEC;
	dns->busy = true;
	ares_getaddrinfo(dns->channel, rec->name, NULL, &hints, amt_gw_dns_addrinfo_cb, dns);
	amt_gw_dns_update_timeout(dns);
}

static uint32_t amt_gw_dns_ttl_clamp(uint32_t ttl)
{
	return MIN(MAX(ttl, AMT_GW_DNS_TTL_MIN_S), AMT_GW_DNS_TTL_MAX_S);
}

/* A new answer while a tunnel is up: keep the relay, note its new place. */
static void amt_gw_dns_refreshed(struct amt_gw_dns *dns)
{
	dns->cur = -1;
	for (unsigned int i = 0; i < dns->nrecs; i++) {
		if (dns->have_cur && amt_relay_record_same(&dns->recs[i], &dns->cur_rec)) {
			dns->cur = i;
			dns->cur_rec = dns->recs[i];
			break;
		}
	}
	amt_gw_dns_schedule(dns, amt_gw_dns_ttl_clamp(dns->ttl));
}

/* The answer is unusable: while up, keep the relay and ask again later. */
static void amt_gw_dns_no_answer(struct amt_gw_dns *dns, const char *why)
{
	if (amt_gateway_moving_from(dns->gw)) {
		/* Keep the records of the relay in use; no other relay. */
		amt_gateway_move_failed(dns->gw, why);
		return;
	}
	if (dns->gw->state == AMT_GW_UP) {
		zlog_info("AMT gateway %s: refreshing AMTRELAY records of %s failed (%s); keeping the relay in use",
			  dns->gw->inst->name, dns->qname, why);
		amt_gw_dns_schedule(dns, AMT_GW_DNS_TTL_MIN_S);
		return;
	}
	dns->nrecs = 0;
	dns->cur = -1;
	amt_gw_dns_exhausted(dns, why);
}

static void amt_gw_dns_answer(struct amt_gw_dns *dns, const uint8_t *abuf, size_t alen)
{
	struct amt_relay_record recs[AMT_DNS_MAX_RELAYS];
	struct amt_dns_answer_stats st;
	enum amt_dns_error err;
	size_t n;

	err = amt_dns_answer_parse(abuf, alen, recs, array_size(recs), &n, &st);
	dns->stats.bad_records += st.bad_records;
	dns->stats.no_relay_records += st.no_relay;
	dns->stats.over_limit += st.over_limit;
	if (st.bad_records)
		flog_warn(EC_AMT_DNS_DISCOVERY,
			  "AMT gateway %s: %u malformed AMTRELAY record(s) for %s ignored",
			  dns->gw->inst->name, st.bad_records, dns->qname);
	if (err != AMT_DNS_OK) {
		dns->stats.bad_answers++;
		flog_warn(EC_AMT_DNS_DISCOVERY, "AMT gateway %s: malformed DNS answer for %s: %s",
			  dns->gw->inst->name, dns->qname, amt_dns_error_str(err));
		amt_gw_dns_no_answer(dns, "malformed answer");
		return;
	}
	if (n == 0) {
		dns->stats.empty_answers++;
		amt_gw_dns_no_answer(dns, st.no_relay ? "records say no relay" : "no records");
		return;
	}
	dns->stats.answers++;
	amt_relay_records_order(recs, n, amt_gw_dns_rnd, NULL);
	memcpy(dns->recs, recs, n * sizeof(recs[0]));
	dns->nrecs = n;
	dns->ttl = UINT32_MAX;
	for (size_t i = 0; i < n; i++)
		dns->ttl = MIN(dns->ttl, recs[i].ttl);
	DEBUGD(&amt_dbg_events, "AMT gateway %s: %zu AMTRELAY record(s) for %s, TTL %u",
	       dns->gw->inst->name, n, dns->qname, dns->ttl);

	if (dns->gw->state == AMT_GW_UP) {
		amt_gw_dns_refreshed(dns);
		return;
	}
	dns->cur = -1;
	amt_gw_dns_try_next(dns);
}

static void amt_gw_dns_query_cb(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct amt_gw_dns *dns = arg;

	if (status == ARES_EDESTRUCTION || status == ARES_ECANCELLED)
		return;
	dns->busy = false;
	if (status == ARES_ENODATA) {
		/* The name exists, without AMTRELAY records. */
		dns->stats.empty_answers++;
		amt_gw_dns_no_answer(dns, "no records");
		return;
	}
	if (status != ARES_SUCCESS || !abuf || alen <= 0) {
		dns->stats.query_failures++;
		flog_warn(EC_AMT_DNS_DISCOVERY, "AMT gateway %s: AMTRELAY query for %s failed: %s",
			  dns->gw->inst->name, dns->qname, ares_strerror(status));
		amt_gw_dns_no_answer(dns, ares_strerror(status));
		return;
	}
	amt_gw_dns_answer(dns, abuf, alen);
}

/* Query the AMTRELAY records, on a channel made anew (resolv.conf). */
static void amt_gw_dns_query(struct amt_gw_dns *dns)
{
	EVENT_OFF(dns->t_query);
	amt_gw_dns_channel_close(dns);
	if (!amt_gw_dns_channel_open(dns)) {
		amt_gw_dns_exhausted(dns, "no resolver");
		return;
	}
	if (dns->gw->state != AMT_GW_UP)
		amt_gateway_set_resolving(dns->gw);
	DEBUGD(&amt_dbg_events, "AMT gateway %s: querying AMTRELAY records of %s",
	       dns->gw->inst->name, dns->qname);
	dns->stats.queries++;
	dns->busy = true;
	ares_query(dns->channel, dns->qname, AMT_DNS_CLASS_IN, AMT_DNS_TYPE_AMTRELAY,
		   amt_gw_dns_query_cb, dns);
	amt_gw_dns_update_timeout(dns);
}

/* ---------------------------------------------------------------- gateway interface */

void amt_gw_dns_start(struct amt_gw_dns *dns)
{
	const struct amt_gateway_config *cfg = &dns->gw->cfg;

	if (cfg->dns_name[0])
		strlcpy(dns->qname, cfg->dns_name, sizeof(dns->qname));
	else if (amt_dns_reverse_name(&cfg->dns_source, dns->qname, sizeof(dns->qname)) < 0)
		dns->qname[0] = '\0';
	dns->nrecs = 0;
	dns->cur = -1;
	dns->have_cur = false;
	dns->backoff_s = 0;
	if (!dns->qname[0]) {
		amt_gateway_set_idle(dns->gw);
		return;
	}
	amt_gateway_set_resolving(dns->gw);
	amt_gw_dns_query(dns);
}

void amt_gw_dns_relay_failed(struct amt_gw_dns *dns)
{
	/* A refresh under way is of no use now: its answer would be ignored. */
	if (dns->busy)
		amt_gw_dns_query(dns);
	else
		amt_gw_dns_try_next(dns);
}

void amt_gw_dns_move(struct amt_gw_dns *dns)
{
	/* A lookup under way brings fresh records; else the ones we have. */
	if (dns->busy)
		return;
	dns->cur = -1;
	amt_gw_dns_try_next(dns);
}

void amt_gw_dns_stay(struct amt_gw_dns *dns, bool have_cur, const struct amt_relay_record *rec,
		     const struct amt_ipaddr *addr)
{
	amt_gw_dns_channel_close(dns);
	dns->have_cur = have_cur;
	dns->cur = -1;
	if (have_cur) {
		dns->cur_rec = *rec;
		dns->cur_addr = *addr;
		for (unsigned int i = 0; i < dns->nrecs; i++) {
			if (amt_relay_record_same(&dns->recs[i], rec)) {
				dns->cur = i;
				break;
			}
		}
	}
	dns->backoff_s = 0;
	amt_gw_dns_schedule(dns, amt_gw_dns_ttl_clamp(dns->ttl));
}

void amt_gw_dns_tunnel_up(struct amt_gw_dns *dns)
{
	dns->backoff_s = 0;
	if (!dns->busy)
		amt_gw_dns_schedule(dns, amt_gw_dns_ttl_clamp(dns->ttl));
}

struct amt_gw_dns *amt_gw_dns_new(struct amt_gateway *gw)
{
	struct amt_gw_dns *dns = XCALLOC(MTYPE_AMT_GW_DNS, sizeof(*dns));

	dns->gw = gw;
	dns->cur = -1;
	for (int i = 0; i < AMT_GW_DNS_MAX_FDS; i++) {
		dns->fds[i].dns = dns;
		dns->fds[i].fd = -1;
	}
	return dns;
}

void amt_gw_dns_free(struct amt_gw_dns **dnsp)
{
	struct amt_gw_dns *dns = *dnsp;

	if (!dns)
		return;
	EVENT_OFF(dns->t_query);
	amt_gw_dns_channel_close(dns);
	XFREE(MTYPE_AMT_GW_DNS, dns);
	*dnsp = NULL;
}
