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
 * Prints key=value lines: datagrams sent, datagrams/s, Gbit/s (outer IPv4
 * packets).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
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

struct raw_opts {
	struct in_addr bind_addr;
	uint16_t bind_port;
	struct in_addr prefix;
	uint32_t prefix_len;
	struct bench_endpoints ep;
	uint32_t tunnels;
	struct in_addr source, group;
	uint32_t duration_ms;
	uint32_t batch;
	int cpu;
};

struct raw {
	struct raw_opts o;
	int fd;
	struct sockaddr_in *dst;
	uint8_t hdr[2];
	uint8_t (*bufs)[BENCH_INNER_LEN];
	struct mmsghdr msgs[RAW_MAX_BATCH];
	struct iovec iov[RAW_MAX_BATCH][2];
	uint64_t sent, errors, rounds;
};

static void raw_usage(void)
{
	fprintf(stderr, "usage: raw_fanout --bind A.B.C.D --prefix A.B.C.D/LEN --tunnels N\n"
			"  --source S --group G [--bind-port P] [--ports-per-addr K]\n"
			"  [--port-base P] [--duration-ms T] [--batch B] [--cpu C]\n");
	exit(2);
}

static void raw_parse(struct raw_opts *o, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "bind", 1, 0, 'B' },
		{ "bind-port", 1, 0, 'P' },
		{ "prefix", 1, 0, 'x' },
		{ "tunnels", 1, 0, 'n' },
		{ "source", 1, 0, 's' },
		{ "group", 1, 0, 'g' },
		{ "ports-per-addr", 1, 0, 'k' },
		{ "port-base", 1, 0, 'b' },
		{ "duration-ms", 1, 0, 'd' },
		{ "batch", 1, 0, 'a' },
		{ "cpu", 1, 0, 'c' },
		{ 0, 0, 0, 0 },
	};
	uint32_t v = 0;
	char *slash;
	int c;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		bool ok = true;

		switch (c) {
		case 'B':
			ok = bench_parse_addr(optarg, &o->bind_addr);
			break;
		case 's':
			ok = bench_parse_addr(optarg, &o->source);
			break;
		case 'g':
			ok = bench_parse_addr(optarg, &o->group);
			break;
		case 'x':
			slash = strchr(optarg, '/');
			if (!slash)
				raw_usage();
			*slash = 0;
			ok = bench_parse_addr(optarg, &o->prefix) &&
			     bench_parse_u32(slash + 1, &o->prefix_len) && o->prefix_len &&
			     o->prefix_len <= 32;
			break;
		default:
			ok = bench_parse_u32(optarg, &v);
			if (c == 'P')
				o->bind_port = v;
			else if (c == 'n')
				o->tunnels = v;
			else if (c == 'k')
				o->ep.ports_per_addr = v;
			else if (c == 'b')
				o->ep.port_base = v;
			else if (c == 'd')
				o->duration_ms = v;
			else if (c == 'a')
				o->batch = v;
			else if (c == 'c')
				o->cpu = v;
			else
				raw_usage();
		}
		if (!ok)
			raw_usage();
	}
	if (!o->tunnels || !o->prefix_len || !o->ep.ports_per_addr || !o->batch ||
	    o->batch > RAW_MAX_BATCH)
		raw_usage();
}

static void raw_open(struct raw *r)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int buf = 4 << 20;

	r->fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (r->fd < 0)
		bench_die("socket: %s", strerror(errno));
	/* The relay's send buffer size. */
	setsockopt(r->fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	sa.sin_addr = r->o.bind_addr;
	sa.sin_port = htons(r->o.bind_port);
	if (bind(r->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		bench_die("bind: %s", strerror(errno));
}

static void raw_init(struct raw *r)
{
	struct raw_opts *o = &r->o;

	o->ep.base.s_addr = htonl((ntohl(o->prefix.s_addr) & (~0u << (32 - o->prefix_len))) + 1);
	r->dst = calloc(o->tunnels, sizeof(*r->dst));
	r->bufs = calloc(RAW_BUFS, sizeof(*r->bufs));
	if (!r->dst || !r->bufs)
		bench_die("out of memory");
	for (uint32_t i = 0; i < o->tunnels; i++) {
		uint16_t port;

		r->dst[i].sin_family = AF_INET;
		bench_endpoint(&o->ep, i, &r->dst[i].sin_addr, &port);
		r->dst[i].sin_port = htons(port);
	}
	for (uint32_t b = 0; b < RAW_BUFS; b++)
		bench_ipv4_udp(r->bufs[b], o->source, BENCH_STREAM_PORT, o->group,
			       BENCH_STREAM_PORT, BENCH_PAYLOAD_LEN, 8);
	r->hdr[0] = 6; /* Multicast Data, version 0 */
	r->hdr[1] = 0;
}

static void raw_flush(struct raw *r, unsigned int n)
{
	unsigned int done = 0, failed = 0;

	while (done < n) {
		int k = sendmmsg(r->fd, r->msgs + done, n - done, 0);

		if (k <= 0) {
			/* Count the datagram that failed and go on, as the relay does. */
			failed++;
			done++;
			continue;
		}
		done += k;
	}
	r->errors += failed;
	r->sent += n - failed;
}

/* Send every stream packet to every destination until the time is up. */
static void raw_run(struct raw *r)
{
	uint64_t end = bench_now_ns() + r->o.duration_ms * 1000000ull;
	uint32_t next = 0;
	unsigned int n = 0;
	uint8_t *cur = NULL;

	for (;;) {
		struct mmsghdr *m = &r->msgs[n];

		if (next == 0) {
			/* A new stream packet. */
			cur = r->bufs[r->rounds % RAW_BUFS];
			bench_payload_set(cur + BENCH_INNER_HDR_LEN, 1, r->rounds);
			r->rounds++;
		}
		r->iov[n][0].iov_base = r->hdr;
		r->iov[n][0].iov_len = sizeof(r->hdr);
		r->iov[n][1].iov_base = cur;
		r->iov[n][1].iov_len = BENCH_INNER_LEN;
		m->msg_hdr.msg_name = &r->dst[next];
		m->msg_hdr.msg_namelen = sizeof(r->dst[next]);
		m->msg_hdr.msg_iov = r->iov[n];
		m->msg_hdr.msg_iovlen = 2;
		n++;
		next = next + 1 == r->o.tunnels ? 0 : next + 1;
		if (n < r->o.batch)
			continue;
		raw_flush(r, n);
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
	raw_run(&r);
	t1 = bench_now_ns();
	s = (t1 - t0) / 1e9;
	dps = r.sent / s;
	printf("tunnels=%u\nbatch=%u\nseconds=%.3f\n", r.o.tunnels, r.o.batch, s);
	printf("sent=%" PRIu64 "\nerrors=%" PRIu64 "\nrounds=%" PRIu64 "\n", r.sent, r.errors,
	       r.rounds);
	printf("rate_dps=%.0f\ngbps=%.3f\n", dps,
	       dps * (RAW_OUTER_OVERHEAD + 2 + BENCH_INNER_LEN) * 8 / 1e9);
	return 0;
}
