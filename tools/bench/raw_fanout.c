// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * raw_fanout: the machine's ceiling for the relay's data path.
 *
 * Sends what an AMT relay sends for a stream of 1316-byte payloads fanned
 * out to N gateways: per stream packet, one Multicast Data message (2-byte
 * AMT header + the inner IPv4/UDP packet) to each of the N gateway
 * endpoints, scatter/gather from one copy of the packet, with sendmmsg in
 * batches, as fast as one core allows.  No lookups, no reads: what is left
 * is the kernel's cost per datagram, which is what the relay is compared
 * with.  Run it from the relay's namespace, pinned to the relay's CPU.
 *
 * With --gso K, each message carries K datagrams to its endpoint as one UDP
 * GSO send (UDP_SEGMENT: K stream packets, each behind its AMT header), as
 * amtd does for runs of packets to one tunnel: the ceiling amtd's GSO path
 * is compared with (run.sh limits the veth to one segment, so the kernel
 * cuts the message on the sending core).
 *
 * With --v6-every K (and --bind6, --prefix6), every K-th endpoint is an IPv6
 * gateway (bench_is_v6()), sent to from an IPv6 socket: a mixed-family
 * fan-out, one sendmmsg batch per socket, as amtd keeps them.
 *
 * With --source6 and --group6 the inner packet is IPv6/UDP (an IPv6 SSM
 * channel, 1364 bytes inside); with --v6-every 1 every endpoint is IPv6:
 * the ceiling of the IPv6-outer, MLD-inner row.
 *
 * Prints key=value lines: datagrams sent, datagrams/s, Gbit/s (outer
 * packets: IPv4, or IPv6 when every endpoint is IPv6).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench_util.h"

#define RAW_MAX_BATCH 1024
/* Stream packets in flight at once in a batch (N = 1 puts one per message). */
#define RAW_BUFS	   RAW_MAX_BATCH
#define RAW_OUTER_OVERHEAD 28 /* outer IPv4 + UDP */
/* The largest inner packet: IPv6 + UDP + payload. */
#define RAW_INNER_MAX (BENCH_IPV6_UDP_LEN + BENCH_PAYLOAD_LEN)

struct raw_opts {
	struct in_addr bind_addr;
	uint16_t bind_port;
	struct bench_prefix prefix;
	struct bench_endpoints ep;
	uint32_t tunnels;
	struct in_addr source, group;
	struct in6_addr source6, group6; /* an IPv6 inner packet */
	uint32_t duration_ms;
	uint32_t batch;
	uint32_t gso; /* datagrams per message, 0 or 1: no GSO */
	struct in6_addr bind6;
	struct bench_prefix6 prefix6;
	uint32_t v6_every;
	int cpu;
};

/* Where datagrams go: an IPv4 or an IPv6 gateway. */
union raw_dst {
	struct sockaddr_in v4;
	struct sockaddr_in6 v6;
};

/* A sendmmsg batch of one socket. */
struct raw_lane {
	int fd;
	struct mmsghdr msgs[RAW_MAX_BATCH];
	struct iovec iov[RAW_MAX_BATCH][2];
	unsigned int n;
};

struct raw {
	struct raw_opts o;
	int fd;
	union raw_dst *dst;
	struct raw_lane lane4, lane6;
	uint8_t hdr[2];
	/* The inner packet: its IP + UDP header and its whole length. */
	size_t inner_hdr, inner_len;
	uint8_t (*bufs)[RAW_INNER_MAX];
	struct mmsghdr msgs[RAW_MAX_BATCH]; /* --gso */
	struct iovec *giov; /* --gso: 2 x gso entries per message */
	union {
		struct cmsghdr align;
		uint8_t buf[CMSG_SPACE(sizeof(uint16_t))];
	} ctl[RAW_MAX_BATCH];
	uint64_t sent, errors, rounds;
};

static void raw_usage(void)
{
	fprintf(stderr, "usage: raw_fanout --bind A.B.C.D --prefix A.B.C.D/LEN --tunnels N\n"
			"  --source S --group G [--bind-port P] [--ports-per-addr K]\n"
			"  [--port-base P] [--duration-ms T] [--batch B] [--gso K] [--cpu C]\n"
			"  [--v6-every K --bind6 X:X::X --prefix6 X:X::/LEN]\n"
			"  [--source6 X:X::X --group6 X:X::X]\n");
	exit(2);
}

static void raw_parse(struct raw_opts *o, int argc, char **argv)
{
	const struct bench_opt opts[] = {
		{ "bind", BENCH_OPT_ADDR, &o->bind_addr },
		{ "bind-port", BENCH_OPT_U16, &o->bind_port },
		BENCH_ENDPOINT_OPTS(o),
		{ "duration-ms", BENCH_OPT_U32, &o->duration_ms },
		{ "batch", BENCH_OPT_U32, &o->batch },
		{ "gso", BENCH_OPT_U32, &o->gso },
		{ "bind6", BENCH_OPT_ADDR6, &o->bind6 },
		{ "prefix6", BENCH_OPT_PREFIX6, &o->prefix6 },
		{ "v6-every", BENCH_OPT_U32, &o->v6_every },
		{ "source6", BENCH_OPT_ADDR6, &o->source6 },
		{ "group6", BENCH_OPT_ADDR6, &o->group6 },
		{ "cpu", BENCH_OPT_INT, &o->cpu },
		{ NULL },
	};

	if (!bench_parse_opts(argc, argv, opts) || !o->tunnels || !o->prefix.len ||
	    !o->ep.ports_per_addr || !o->batch || o->batch > RAW_MAX_BATCH || o->gso > 64 ||
	    (uint64_t)o->gso * (2 + RAW_INNER_MAX) > 65000 ||
	    (o->v6_every && (o->gso > 1 || !o->prefix6.len)))
		raw_usage();
}

static void raw_open(struct raw *r)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_addr = r->o.bind6 };
	int sndbuf = 4 << 20;

	/* The relay's send buffer size. */
	r->fd = bench_udp_socket(r->o.bind_addr, r->o.bind_port, sndbuf, 0);
	r->lane4.fd = r->fd;
	if (!r->o.v6_every)
		return;
	r->lane6.fd = socket(AF_INET6, SOCK_DGRAM, 0);
	sa.sin6_port = htons(r->o.bind_port);
	if (r->lane6.fd < 0 || bind(r->lane6.fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		bench_die("IPv6 socket: %s", strerror(errno));
	setsockopt(r->lane6.fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
}

static void raw_init(struct raw *r)
{
	struct raw_opts *o = &r->o;

	o->ep.base = bench_prefix_first(&o->prefix);
	r->dst = calloc(o->tunnels, sizeof(*r->dst));
	r->bufs = calloc(RAW_BUFS, sizeof(*r->bufs));
	if (!r->dst || !r->bufs)
		bench_die("out of memory");
	for (uint32_t i = 0; i < o->tunnels; i++) {
		uint16_t port;

		if (bench_is_v6(o->v6_every, i)) {
			r->dst[i].v6.sin6_family = AF_INET6;
			bench_endpoint6(&o->prefix6, &o->ep, i, &r->dst[i].v6.sin6_addr, &port);
			r->dst[i].v6.sin6_port = htons(port);
			continue;
		}
		r->dst[i].v4.sin_family = AF_INET;
		bench_endpoint(&o->ep, i, &r->dst[i].v4.sin_addr, &port);
		r->dst[i].v4.sin_port = htons(port);
	}
	r->inner_hdr = BENCH_INNER_HDR_LEN;
	if (!IN6_IS_ADDR_UNSPECIFIED(&o->group6))
		r->inner_hdr = BENCH_IPV6_UDP_LEN;
	r->inner_len = r->inner_hdr + BENCH_PAYLOAD_LEN;
	for (uint32_t b = 0; b < RAW_BUFS; b++) {
		if (r->inner_hdr == BENCH_IPV6_UDP_LEN)
			bench_ipv6_udp(r->bufs[b], &o->source6, BENCH_STREAM_PORT, &o->group6,
				       BENCH_STREAM_PORT, BENCH_PAYLOAD_LEN, 8);
		else
			bench_ipv4_udp(r->bufs[b], o->source, BENCH_STREAM_PORT, o->group,
				       BENCH_STREAM_PORT, BENCH_PAYLOAD_LEN, 8);
	}
	if (o->gso > 1) {
		r->giov = calloc((size_t)o->batch * 2 * o->gso, sizeof(*r->giov));
		if (!r->giov)
			bench_die("out of memory");
	}
	r->hdr[0] = 6; /* Multicast Data, version 0 */
	r->hdr[1] = 0;
}

static void raw_flush(struct raw *r, struct raw_lane *l)
{
	/* A datagram that fails is counted and skipped, as the relay does. */
	r->sent += bench_sendmmsg_all(l->fd, l->msgs, l->n, &r->errors);
	l->n = 0;
}

/* Send every stream packet to every destination until the time is up. */
static void raw_run(struct raw *r)
{
	uint64_t end = bench_now_ns() + r->o.duration_ms * 1000000ull;
	uint32_t next = 0;
	uint8_t *cur = NULL;

	for (;;) {
		bool v6 = bench_is_v6(r->o.v6_every, next);
		struct raw_lane *l = v6 ? &r->lane6 : &r->lane4;
		struct mmsghdr *m = &l->msgs[l->n];

		if (next == 0) {
			/* A new stream packet. */
			cur = r->bufs[r->rounds % RAW_BUFS];
			bench_payload_set(cur + r->inner_hdr, 1, r->rounds);
			r->rounds++;
		}
		l->iov[l->n][0].iov_base = r->hdr;
		l->iov[l->n][0].iov_len = sizeof(r->hdr);
		l->iov[l->n][1].iov_base = cur;
		l->iov[l->n][1].iov_len = r->inner_len;
		m->msg_hdr.msg_name = &r->dst[next];
		m->msg_hdr.msg_namelen = v6 ? sizeof(r->dst[next].v6) : sizeof(r->dst[next].v4);
		m->msg_hdr.msg_iov = l->iov[l->n];
		m->msg_hdr.msg_iovlen = 2;
		l->n++;
		next = next + 1 == r->o.tunnels ? 0 : next + 1;
		if (l->n < r->o.batch)
			continue;
		raw_flush(r, l);
		if (bench_now_ns() >= end)
			break;
	}
	if (r->lane4.n)
		raw_flush(r, &r->lane4);
	if (r->lane6.n)
		raw_flush(r, &r->lane6);
}

/* --gso: one message per endpoint and turn, K stream packets in it. */
static void raw_run_gso(struct raw *r)
{
	uint64_t end = bench_now_ns() + r->o.duration_ms * 1000000ull;
	uint32_t next = 0, k = r->o.gso;
	unsigned int n = 0;

	for (;;) {
		struct mmsghdr *m = &r->msgs[n];
		struct iovec *iov = &r->giov[(size_t)n * 2 * k];
		struct cmsghdr *cm;
		uint16_t seg = 2 + r->inner_len;

		for (uint32_t i = 0; i < k; i++) {
			uint8_t *cur = r->bufs[r->rounds % RAW_BUFS];

			bench_payload_set(cur + r->inner_hdr, 1, r->rounds);
			r->rounds++;
			iov[2 * i].iov_base = r->hdr;
			iov[2 * i].iov_len = sizeof(r->hdr);
			iov[2 * i + 1].iov_base = cur;
			iov[2 * i + 1].iov_len = r->inner_len;
		}
		memset(m, 0, sizeof(*m));
		m->msg_hdr.msg_name = &r->dst[next];
		m->msg_hdr.msg_namelen = sizeof(r->dst[next]);
		m->msg_hdr.msg_iov = iov;
		m->msg_hdr.msg_iovlen = 2 * k;
		m->msg_hdr.msg_control = r->ctl[n].buf;
		m->msg_hdr.msg_controllen = sizeof(r->ctl[n].buf);
		cm = CMSG_FIRSTHDR(&m->msg_hdr);
		cm->cmsg_level = SOL_UDP;
		cm->cmsg_type = UDP_SEGMENT;
		cm->cmsg_len = CMSG_LEN(sizeof(seg));
		memcpy(CMSG_DATA(cm), &seg, sizeof(seg));
		n++;
		next = next + 1 == r->o.tunnels ? 0 : next + 1;
		if (n < r->o.batch && n * k < RAW_MAX_BATCH)
			continue;
		{
			uint64_t errs = 0;
			uint64_t msgs = bench_sendmmsg_all(r->fd, r->msgs, n, &errs);

			r->sent += msgs * k;
			r->errors += errs * k;
		}
		n = 0;
		if (bench_now_ns() >= end)
			break;
	}
}

int main(int argc, char **argv)
{
	static struct raw r = {
		.o = {
			.ep = { .ports_per_addr = 1000, .port_base = 10000 },
			.bind_port = 2269,
			.duration_ms = 3000,
			.batch = 256,
			.cpu = -1,
		},
	};
	uint64_t t0, t1;
	double s, dps;

	raw_parse(&r.o, argc, argv);
	bench_pin_cpu(r.o.cpu);
	raw_init(&r);
	raw_open(&r);
	t0 = bench_now_ns();
	if (r.o.gso > 1)
		raw_run_gso(&r);
	else
		raw_run(&r);
	t1 = bench_now_ns();
	s = (t1 - t0) / 1e9;
	dps = r.sent / s;
	printf("tunnels=%u\nbatch=%u\ngso=%u\nseconds=%.3f\n", r.o.tunnels, r.o.batch, r.o.gso,
	       s);
	printf("sent=%" PRIu64 "\nerrors=%" PRIu64 "\nrounds=%" PRIu64 "\n", r.sent, r.errors,
	       r.rounds);
	printf("rate_dps=%.0f\ngbps=%.3f\n", dps,
	       dps *
		       ((r.o.v6_every == 1 ? BENCH_IPV6_UDP_LEN : RAW_OUTER_OVERHEAD) + 2 +
			r.inner_len) *
		       8 / 1e9);
	return 0;
}
