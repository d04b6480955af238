// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Helpers shared by amtd's benchmark tools.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
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
