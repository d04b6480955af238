// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Helpers shared by amtd's benchmark tools.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"

void bench_endpoint(const struct bench_endpoints *ep, uint32_t i, struct in_addr *addr,
		    uint16_t *port)
{
	addr->s_addr = htonl(ntohl(ep->base.s_addr) + i / ep->ports_per_addr);
	*port = ep->port_base + i % ep->ports_per_addr;
}

int64_t bench_endpoint_index(const struct bench_endpoints *ep, uint32_t addr_h, uint16_t port,
			     uint32_t count)
{
	uint32_t a = addr_h - ntohl(ep->base.s_addr);
	uint32_t p = (uint16_t)(port - ep->port_base);
	uint64_t i;

	if (p >= ep->ports_per_addr)
		return -1;
	i = (uint64_t)a * ep->ports_per_addr + p;
	return i < count ? (int64_t)i : -1;
}

static uint64_t bench_clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

uint64_t bench_now_ns(void)
{
	return bench_clock_ns(CLOCK_MONOTONIC);
}

uint64_t bench_realtime_ns(void)
{
	return bench_clock_ns(CLOCK_REALTIME);
}

void bench_sleep_us(uint64_t us)
{
	struct timespec ts = { .tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

void bench_pin_cpu(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		fprintf(stderr, "warning: cannot pin to CPU %d: %s\n", cpu, strerror(errno));
}

void bench_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

bool bench_parse_u32(const char *s, uint32_t *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || v > UINT32_MAX)
		return false;
	*out = v;
	return true;
}

bool bench_parse_addr(const char *s, struct in_addr *out)
{
	return inet_pton(AF_INET, s, out) == 1;
}

struct in_addr bench_prefix_first(const struct bench_prefix *p)
{
	uint32_t mask = p->len ? ~0u << (32 - p->len) : 0;
	struct in_addr a = { .s_addr = htonl((ntohl(p->addr.s_addr) & mask) + 1) };

	return a;
}

static bool bench_parse_prefix(char *s, struct bench_prefix *p)
{
	char *slash = strchr(s, '/');

	if (!slash)
		return false;
	*slash = 0;
	return bench_parse_addr(s, &p->addr) && bench_parse_u32(slash + 1, &p->len) && p->len &&
	       p->len <= 32;
}

/* X:X::X/LEN, 32 <= LEN <= 64 (the capture filter compares two words). */
static bool bench_parse_prefix6(char *s, struct bench_prefix6 *p)
{
	char *slash = strchr(s, '/');

	if (!slash)
		return false;
	*slash = 0;
	if (inet_pton(AF_INET6, s, &p->addr) != 1 || !bench_parse_u32(slash + 1, &p->len) ||
	    p->len < 32 || p->len > 64)
		return false;
	/* The network: host bits cleared (endpoints are numbered from it). */
	for (unsigned int b = p->len; b < 128; b++)
		p->addr.s6_addr[b / 8] &= ~(0x80 >> (b % 8));
	return true;
}

static bool bench_opt_store(const struct bench_opt *o, char *arg)
{
	uint32_t v;

	switch (o->type) {
	case BENCH_OPT_ADDR:
		return bench_parse_addr(arg, o->dst);
	case BENCH_OPT_PREFIX:
		return bench_parse_prefix(arg, o->dst);
	case BENCH_OPT_PREFIX6:
		return bench_parse_prefix6(arg, o->dst);
	case BENCH_OPT_ADDR6:
		return inet_pton(AF_INET6, arg, o->dst) == 1;
	case BENCH_OPT_STR:
		*(const char **)o->dst = arg;
		return true;
	case BENCH_OPT_FLAG:
		*(bool *)o->dst = true;
		return true;
	case BENCH_OPT_U32:
	case BENCH_OPT_U16:
	case BENCH_OPT_INT:
		break;
	}
	if (!bench_parse_u32(arg, &v))
		return false;
	if (o->type == BENCH_OPT_U32)
		*(uint32_t *)o->dst = v;
	else if (o->type == BENCH_OPT_U16 && v <= UINT16_MAX)
		*(uint16_t *)o->dst = v;
	else if (o->type == BENCH_OPT_INT && v <= INT32_MAX)
		*(int *)o->dst = v;
	else
		return false;
	return true;
}

#define BENCH_MAX_OPTS 40

bool bench_parse_opts(int argc, char **argv, const struct bench_opt *opts)
{
	struct option lo[BENCH_MAX_OPTS + 1] = {};
	int c, n = 0;

	for (; opts[n].name; n++) {
		if (n == BENCH_MAX_OPTS)
			bench_die("too many options");
		lo[n].name = opts[n].name;
		lo[n].has_arg = opts[n].type == BENCH_OPT_FLAG ? no_argument : required_argument;
		lo[n].val = n + 1;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (c < 1 || c > n || !bench_opt_store(&opts[c - 1], optarg))
			return false;
	}
	return optind == argc;
}

volatile sig_atomic_t bench_stop;

static void bench_on_stop(int sig)
{
	(void)sig;
	bench_stop = 1;
}

void bench_catch_stop(void)
{
	signal(SIGINT, bench_on_stop);
	signal(SIGTERM, bench_on_stop);
}

void bench_write_file(const char *path, const char *fmt, ...)
{
	FILE *f = fopen(path, "w");
	va_list ap;

	if (!f)
		bench_die("%s: %s", path, strerror(errno));
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
}

int bench_udp_socket(struct in_addr addr, uint16_t port, int sndbuf, int rcvbuf)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr = addr };
	int fd = socket(AF_INET, SOCK_DGRAM, 0), one = 1;

	if (fd < 0)
		bench_die("socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (sndbuf)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	if (rcvbuf)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	sa.sin_port = htons(port);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		bench_die("bind %s:%u: %s", inet_ntoa(addr), port, strerror(errno));
	return fd;
}

void bench_mmsg_init(struct mmsghdr *msgs, struct iovec *iov, unsigned int n, uint8_t *buf,
		     size_t stride, size_t len, void *name, socklen_t namelen)
{
	memset(msgs, 0, n * sizeof(*msgs));
	for (unsigned int i = 0; i < n; i++) {
		iov[i].iov_base = buf + i * stride;
		iov[i].iov_len = len;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = name;
		msgs[i].msg_hdr.msg_namelen = name ? namelen : 0;
	}
}

unsigned int bench_sendmmsg_counted(int fd, struct mmsghdr *msgs, unsigned int n,
				    const unsigned int *datagrams, uint64_t *errors)
{
	unsigned int done = 0, failed = 0;

	while (done < n) {
		int k = sendmmsg(fd, msgs + done, n - done, 0);

		if (k <= 0) {
			*errors += datagrams ? datagrams[done] : 1;
			failed++;
			done++;
			continue;
		}
		done += k;
	}
	return n - failed;
}

unsigned int bench_sendmmsg_all(int fd, struct mmsghdr *msgs, unsigned int n, uint64_t *errors)
{
	return bench_sendmmsg_counted(fd, msgs, n, NULL, errors);
}

uint16_t bench_csum(const void *buf, size_t len, uint32_t sum)
{
	const uint8_t *p = buf;

	for (; len > 1; len -= 2, p += 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void bench_put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

void bench_ipv4_udp(uint8_t *buf, struct in_addr src, uint16_t sport, struct in_addr dst,
		    uint16_t dport, size_t plen, uint8_t ttl)
{
	uint8_t *udp = buf + 20;
	uint32_t pseudo = 0;
	uint16_t sum;

	memset(buf, 0, BENCH_INNER_HDR_LEN);
	buf[0] = 0x45;
	bench_put16(buf + 2, 20 + 8 + plen);
	buf[6] = 0x40; /* DF */
	buf[8] = ttl;
	buf[9] = IPPROTO_UDP;
	memcpy(buf + 12, &src, 4);
	memcpy(buf + 16, &dst, 4);
	bench_put16(buf + 10, bench_csum(buf, 20, 0));

	bench_put16(udp, sport);
	bench_put16(udp + 2, dport);
	bench_put16(udp + 4, 8 + plen);
	/* Pseudo-header: addresses, protocol, UDP length. */
	pseudo += ntohl(src.s_addr) >> 16;
	pseudo += ntohl(src.s_addr) & 0xffff;
	pseudo += ntohl(dst.s_addr) >> 16;
	pseudo += ntohl(dst.s_addr) & 0xffff;
	pseudo += IPPROTO_UDP + 8 + plen;
	sum = bench_csum(udp, 8 + plen, pseudo);
	bench_put16(udp + 6, sum ? sum : 0xffff);
}

bool bench_is_v6(uint32_t every, uint32_t i)
{
	return every && i % every == every - 1;
}

uint32_t bench_in6_low32(const void *a)
{
	uint32_t w;

	memcpy(&w, (const uint8_t *)a + 12, 4);
	return ntohl(w);
}

void bench_in6_add(struct in6_addr *out, const struct in6_addr *base, uint32_t n)
{
	uint32_t w = htonl(bench_in6_low32(base) + n);

	*out = *base;
	memcpy(&out->s6_addr[12], &w, 4);
}

void bench_endpoint6(const struct bench_prefix6 *p, const struct bench_endpoints *ep, uint32_t i,
		     struct in6_addr *addr, uint16_t *port)
{
	uint32_t host = htonl(1 + i / ep->ports_per_addr);

	*addr = p->addr;
	memcpy(&addr->s6_addr[12], &host, 4);
	*port = ep->port_base + i % ep->ports_per_addr;
}

int64_t bench_endpoint6_index(const struct bench_prefix6 *p, const struct bench_endpoints *ep,
			      const uint8_t *addr, uint16_t port, uint32_t count)
{
	struct bench_endpoints e1 = *ep;
	uint32_t host;

	if (memcmp(addr, p->addr.s6_addr, 12))
		return -1;
	memcpy(&host, addr + 12, 4);
	e1.base.s_addr = htonl(1);
	return bench_endpoint_index(&e1, ntohl(host), port, count);
}

void bench_ipv6_udp(uint8_t *buf, const struct in6_addr *src, uint16_t sport,
		    const struct in6_addr *dst, uint16_t dport, size_t plen, uint8_t hops)
{
	uint8_t *udp = buf + 40;
	uint32_t pseudo = 0;
	uint16_t sum;

	memset(buf, 0, BENCH_IPV6_UDP_LEN);
	buf[0] = 0x60;
	bench_put16(buf + 4, 8 + plen);
	buf[6] = IPPROTO_UDP;
	buf[7] = hops;
	memcpy(buf + 8, src, 16);
	memcpy(buf + 24, dst, 16);
	bench_put16(udp, sport);
	bench_put16(udp + 2, dport);
	bench_put16(udp + 4, 8 + plen);
	/* RFC 8200 8.1: the checksum is mandatory; pseudo-header of both
	 * addresses, the upper-layer length and the next header. */
	for (int k = 0; k < 32; k += 2)
		pseudo += (uint32_t)(buf[8 + k] << 8 | buf[9 + k]);
	pseudo += IPPROTO_UDP + 8 + plen;
	sum = bench_csum(udp, 8 + plen, pseudo);
	bench_put16(udp + 6, sum ? sum : 0xffff);
}

void bench_payload_set(uint8_t *payload, uint32_t flow, uint64_t seq)
{
	struct bench_payload h = {
		.magic = BENCH_MAGIC,
		.flow = flow,
		.seq = seq,
		.tx_ns = bench_realtime_ns(),
	};

	memcpy(payload, &h, sizeof(h));
}

static int bench_u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

uint64_t bench_percentile(uint64_t *v, size_t n, double p)
{
	size_t i;

	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), bench_u64_cmp);
	i = (size_t)(p / 100.0 * (double)(n - 1) + 0.5);
	return v[i < n ? i : n - 1];
}
