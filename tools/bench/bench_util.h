// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Helpers shared by amtd's benchmark tools: clocks, CPU pinning, the
 * payload every benchmark datagram carries, IPv4/UDP header building and
 * the mapping between tunnel numbers and gateway endpoints.
 */
#ifndef _AMT_BENCH_UTIL_H
#define _AMT_BENCH_UTIL_H

#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

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

/* An IPv4 prefix, A.B.C.D/LEN on the command line. */
struct bench_prefix {
	struct in_addr addr;
	uint32_t len;
};

/*
 * An IPv6 prefix, X:X::X/LEN (32 <= LEN <= 64) on the command line, stored
 * as its network: the IPv6 gateways of a mixed-family run.  Tunnel i's
 * IPv6 endpoint is the network with 1 + i / ports_per_addr in its last 32
 * bits, and the port tunnel i has in IPv4; tunnel i is an IPv6 one when
 * bench_is_v6(every, i) (every K-th: i mod K = K - 1; K = 0: none).
 */
struct bench_prefix6 {
	struct in6_addr addr;
	uint32_t len;
};

bool bench_is_v6(uint32_t every, uint32_t i);
/* The last 32 bits of an IPv6 address (16 bytes at a), host order: where
 * the benchmark numbers its IPv6 groups and endpoints. */
uint32_t bench_in6_low32(const void *a);
/* base with n added to its last 32 bits. */
void bench_in6_add(struct in6_addr *out, const struct in6_addr *base, uint32_t n);
void bench_endpoint6(const struct bench_prefix6 *p, const struct bench_endpoints *ep, uint32_t i,
		     struct in6_addr *addr, uint16_t *port);
/* The tunnel number of an IPv6 endpoint (addr: 16 bytes), or -1. */
int64_t bench_endpoint6_index(const struct bench_prefix6 *p, const struct bench_endpoints *ep,
			      const uint8_t *addr, uint16_t port, uint32_t count);

/* An IPv6 + UDP header (48 bytes) in front of plen bytes at buf + 48,
 * the UDP checksum included. */
#define BENCH_IPV6_UDP_LEN 48
void bench_ipv6_udp(uint8_t *buf, const struct in6_addr *src, uint16_t sport,
		    const struct in6_addr *dst, uint16_t dport, size_t plen, uint8_t hops);

/* The first host address of a prefix (network address + 1). */
struct in_addr bench_prefix_first(const struct bench_prefix *p);

/*
 * Command-line options, all --name VALUE (a flag: --name alone), each
 * stored where dst points: uint32_t, uint16_t, int, struct in_addr,
 * struct bench_prefix, struct bench_prefix6, struct in6_addr, const char *
 * or bool.
 */
enum bench_opt_type {
	BENCH_OPT_U32,
	BENCH_OPT_U16,
	BENCH_OPT_INT,
	BENCH_OPT_ADDR,
	BENCH_OPT_PREFIX,
	BENCH_OPT_PREFIX6,
	BENCH_OPT_ADDR6,
	BENCH_OPT_STR,
	BENCH_OPT_FLAG,
};

struct bench_opt {
	const char *name;
	enum bench_opt_type type;
	void *dst;
};

/* The options naming the gateway endpoints and the stream, in the option
 * structs of the tools that have them (amt_gw_emu, raw_fanout). */
/* clang-format off */
#define BENCH_ENDPOINT_OPTS(o)                                                 \
	{ "prefix", BENCH_OPT_PREFIX, &(o)->prefix },                          \
	{ "tunnels", BENCH_OPT_U32, &(o)->tunnels },                           \
	{ "source", BENCH_OPT_ADDR, &(o)->source },                            \
	{ "group", BENCH_OPT_ADDR, &(o)->group },                              \
	{ "ports-per-addr", BENCH_OPT_U32, &(o)->ep.ports_per_addr },          \
	{ "port-base", BENCH_OPT_U16, &(o)->ep.port_base }
/* clang-format on */

/* Parse argv[1..] against opts (ended by a NULL name); false on an
 * unknown option, a missing or bad value, or a stray argument. */
bool bench_parse_opts(int argc, char **argv, const struct bench_opt *opts);

/* Set by SIGINT and SIGTERM once bench_catch_stop() was called. */
extern volatile sig_atomic_t bench_stop;
void bench_catch_stop(void);

/* Write a one-line file (a ready marker for run.sh); dies on failure. */
void bench_write_file(const char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * A UDP socket (SO_REUSEADDR) bound to addr:port (port 0: any), with the
 * given buffer sizes (0: the default); dies on failure.
 */
int bench_udp_socket(struct in_addr addr, uint16_t port, int sndbuf, int rcvbuf);

/*
 * Point n messages at n buffers (buf + i * stride, len bytes each, one
 * iovec per message) and at one destination (name may be NULL).
 */
void bench_mmsg_init(struct mmsghdr *msgs, struct iovec *iov, unsigned int n, uint8_t *buf,
		     size_t stride, size_t len, void *name, socklen_t namelen);

/*
 * sendmmsg all n messages; a datagram that cannot be sent is counted in
 * *errors and skipped (as the relay does).  Returns the datagrams sent.
 */
unsigned int bench_sendmmsg_all(int fd, struct mmsghdr *msgs, unsigned int n, uint64_t *errors);
/*
 * The same for messages that carry several datagrams each (UDP GSO):
 * message i that cannot be sent adds datagrams[i] to *errors.  Returns the
 * messages sent.
 */
unsigned int bench_sendmmsg_counted(int fd, struct mmsghdr *msgs, unsigned int n,
				    const unsigned int *datagrams, uint64_t *errors);

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
