// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Helpers shared by amtd's benchmark tools: clocks, CPU pinning, the
 * payload every benchmark datagram carries, IPv4/UDP header building and
 * the mapping between tunnel numbers and gateway endpoints.
 */
#ifndef _AMT_BENCH_UTIL_H
#define _AMT_BENCH_UTIL_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The stream's UDP payload, as in an MPEG-TS over UDP stream. */
#define BENCH_PAYLOAD_LEN 1316
/* Inner IPv4 + UDP header in front of it. */
#define BENCH_INNER_HDR_LEN 28
#define BENCH_INNER_LEN	    (BENCH_INNER_HDR_LEN + BENCH_PAYLOAD_LEN)
/* UDP port the stream is sent to. */
#define BENCH_STREAM_PORT 5000
#define BENCH_MAGIC	  0x414d5462u /* "AMTb" */

/*
 * The head of every stream payload.  tx_ns is CLOCK_REALTIME, the clock the
 * kernel stamps received packets with, so that one-way delays can be read
 * across namespaces of one machine.
 */
struct bench_payload {
	uint32_t magic;
	uint32_t flow;
	uint64_t seq;
	uint64_t tx_ns;
} __attribute__((packed));

/*
 * Gateway endpoints: tunnel i uses address base + i / ports_per_addr and
 * port port_base + i % ports_per_addr.
 */
struct bench_endpoints {
	struct in_addr base;
	uint32_t ports_per_addr;
	uint16_t port_base;
};

void bench_endpoint(const struct bench_endpoints *ep, uint32_t i, struct in_addr *addr,
		    uint16_t *port);
/* The tunnel number of an endpoint (host order), or -1 if it is none. */
int64_t bench_endpoint_index(const struct bench_endpoints *ep, uint32_t addr_h, uint16_t port,
			     uint32_t count);

uint64_t bench_now_ns(void);	  /* CLOCK_MONOTONIC */
uint64_t bench_realtime_ns(void); /* CLOCK_REALTIME */
void bench_sleep_us(uint64_t us);
/* Pin the calling thread to one CPU; negative: leave as is. */
void bench_pin_cpu(int cpu);
/* Print a message to stderr and exit with status 2. */
void bench_die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
bool bench_parse_u32(const char *s, uint32_t *out);
bool bench_parse_addr(const char *s, struct in_addr *out);

/* RFC 1071 checksum over buf, folded, starting from sum. */
uint16_t bench_csum(const void *buf, size_t len, uint32_t sum);
/*
 * Write an IPv4 (20 bytes, no options) + UDP header in front of a payload
 * of plen bytes at buf + 28, checksums included.
 */
void bench_ipv4_udp(uint8_t *buf, struct in_addr src, uint16_t sport, struct in_addr dst,
		    uint16_t dport, size_t plen, uint8_t ttl);

/* Fill a stream payload's head (the rest of the payload is left alone). */
void bench_payload_set(uint8_t *payload, uint32_t flow, uint64_t seq);

/*
 * Sort and pick percentiles (p in [0, 100]) of an array of samples; the
 * array is sorted in place.
 */
uint64_t bench_percentile(uint64_t *v, size_t n, double p);

#endif /* _AMT_BENCH_UTIL_H */
