// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * amt_relay_stub: a minimal AMT relay that feeds one gateway as fast as one
 * core can, to measure a gateway's decapsulation throughput.
 *
 *   amt_relay_stub --bind A --source S --group G --duration-ms T
 *	Answers the gateway's Request with a Membership Query (a random MAC;
 *	the gateway only echoes it) whose General Query asks for an answer
 *	within 100 ms, waits for a Membership Update that asks for (S,G), then
 *	sends Multicast Data for (S,G) (1316-byte payloads) to the gateway,
 *	unpaced, with sendmmsg, for T ms.
 *
 *   amt_relay_stub --bind A --plain --to B --to-port P --duration-ms T
 *	Sends the same datagrams to B:P without any handshake: the input of
 *	a plain UDP receive loop, to compare with.
 *
 * Prints key=value lines.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "amt_igmp.h"
#include "amt_packet.h"

#include "bench_util.h"

#define STUB_BATCH	  256
#define STUB_BUFS	  STUB_BATCH
#define STUB_HANDSHAKE_MS 60000
#define STUB_MSG_LEN	  (AMT_DATA_HDR_LEN + BENCH_INNER_LEN)

struct stub_opts {
	struct in_addr bind_addr, to, source, group;
	uint16_t port, to_port;
	uint32_t duration_ms;
	bool plain;
	int cpu;
};

static void stub_usage(void)
{
	fprintf(stderr, "usage: amt_relay_stub --bind A --source S --group G --duration-ms T\n"
			"       amt_relay_stub --bind A --plain --to B --to-port P --duration-ms T\n"
			"       [--port P] [--cpu C]\n");
	exit(2);
}

static void stub_parse(struct stub_opts *o, int argc, char **argv)
{
	const struct bench_opt opts[] = {
		{ "bind", BENCH_OPT_ADDR, &o->bind_addr },
		{ "to", BENCH_OPT_ADDR, &o->to },
		{ "source", BENCH_OPT_ADDR, &o->source },
		{ "group", BENCH_OPT_ADDR, &o->group },
		{ "port", BENCH_OPT_U16, &o->port },
		{ "to-port", BENCH_OPT_U16, &o->to_port },
		{ "duration-ms", BENCH_OPT_U32, &o->duration_ms },
		{ "plain", BENCH_OPT_FLAG, &o->plain },
		{ "cpu", BENCH_OPT_INT, &o->cpu },
		{ NULL },
	};

	if (!bench_parse_opts(argc, argv, opts) || !o->duration_ms ||
	    (o->plain && (!o->to.s_addr || !o->to_port)))
		stub_usage();
}

/* ---------------------------------------------------------------- handshake */

static void stub_query(int fd, const struct amt_msg *req, const struct sockaddr_in *gw)
{
	struct amt_query_params qp = { .family = AF_INET, .version = 3 };
	uint8_t buf[256], mac[AMT_RESPONSE_MAC_LEN];
	struct amt_ipaddr ga = { .family = AF_INET };
	ssize_t qlen, len;

	if (getrandom(mac, sizeof(mac), 0) != sizeof(mac))
		memset(mac, 0x5a, sizeof(mac));
	qp.max_resp_ms = 100;
	qp.qrv = 2;
	qp.qqi = 125;
	qlen = amt_query_build(buf + AMT_QUERY_HDR_LEN, sizeof(buf) - 64, &qp);
	ga.ip.v4 = gw->sin_addr;
	len = amt_encode_query(buf, sizeof(buf), mac, req->nonce, false, buf + AMT_QUERY_HDR_LEN,
			       qlen, &ga, ntohs(gw->sin_port), AMT_FLAGS_RFC);
	if (qlen < 0 || len < 0)
		bench_die("cannot encode the Query");
	sendto(fd, buf, len, 0, (const struct sockaddr *)gw, sizeof(*gw));
}

/* Does this Update's report ask for (S,G)? */
static bool stub_update_wants(const struct stub_opts *o, const struct amt_msg *msg)
{
	struct amt_group_record rec;
	struct amt_report rep;

	if (amt_report_decode(msg->inner, msg->inner_len, AF_INET, &rep) != AMT_IGMP_OK)
		return false;
	while (amt_report_next(&rep, &rec)) {
		if (rec.group.v4.s_addr != o->group.s_addr)
			continue;
		for (uint16_t i = 0; i < rec.num_sources; i++)
			if (!memcmp(rec.sources + 4 * i, &o->source, 4))
				return true;
	}
	return false;
}

/* Serve Requests until an Update asks for (S,G); its sender is the gateway. */
static bool stub_handshake(int fd, const struct stub_opts *o, struct sockaddr_in *gw)
{
	uint64_t end = bench_now_ns() + STUB_HANDSHAKE_MS * 1000000ull;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint8_t buf[2048];

	while (bench_now_ns() < end) {
		socklen_t sl = sizeof(*gw);
		struct amt_msg msg;
		ssize_t n;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)gw, &sl);
		if (n <= 0 || amt_decode(buf, n, AF_INET, AMT_FLAGS_RFC, &msg) != AMT_DECODE_OK)
			continue;
		if (msg.type == AMT_MSG_REQUEST)
			stub_query(fd, &msg, gw);
		else if (msg.type == AMT_MSG_MEMBERSHIP_UPDATE && stub_update_wants(o, &msg))
			return true;
	}
	return false;
}

/* ---------------------------------------------------------------- data */

static void stub_blast(int fd, const struct stub_opts *o, const struct sockaddr_in *to)
{
	static uint8_t bufs[STUB_BUFS][STUB_MSG_LEN];
	static struct mmsghdr msgs[STUB_BATCH];
	static struct iovec iov[STUB_BATCH];
	uint64_t start = bench_now_ns(), end, sent = 0, errors = 0, now;

	end = start + o->duration_ms * 1000000ull;
	for (int i = 0; i < STUB_BATCH; i++) {
		bufs[i][0] = AMT_MSG_MULTICAST_DATA;
		bench_ipv4_udp(bufs[i] + AMT_DATA_HDR_LEN, o->source, BENCH_STREAM_PORT, o->group,
			       BENCH_STREAM_PORT, BENCH_PAYLOAD_LEN, 8);
		/* The payload changes per packet: no UDP checksum (legal in IPv4). */
		bufs[i][AMT_DATA_HDR_LEN + 26] = 0;
		bufs[i][AMT_DATA_HDR_LEN + 27] = 0;
	}
	bench_mmsg_init(msgs, iov, STUB_BATCH, bufs[0], sizeof(bufs[0]), STUB_MSG_LEN, (void *)to,
			sizeof(*to));
	while ((now = bench_now_ns()) < end) {
		for (int i = 0; i < STUB_BATCH; i++)
			bench_payload_set(bufs[i] + AMT_DATA_HDR_LEN + BENCH_INNER_HDR_LEN, 2,
					  sent + i);
		sent += bench_sendmmsg_all(fd, msgs, STUB_BATCH, &errors);
	}
	printf("sent=%" PRIu64 "\nerrors=%" PRIu64 "\n", sent, errors);
	printf("rate_dps=%.0f\n", sent * 1e9 / (double)(now - start));
}

int main(int argc, char **argv)
{
	struct stub_opts o = { .port = AMT_UDP_PORT, .cpu = -1 };
	struct sockaddr_in gw = { .sin_family = AF_INET };
	int fd;

	stub_parse(&o, argc, argv);
	bench_pin_cpu(o.cpu);
	fd = bench_udp_socket(o.bind_addr, o.port, 4 << 20, 0);
	if (o.plain) {
		gw.sin_addr = o.to;
		gw.sin_port = htons(o.to_port);
	} else if (!stub_handshake(fd, &o, &gw)) {
		printf("handshake=0\n");
		return 1;
	}
	printf("handshake=1\n");
	fflush(stdout);
	stub_blast(fd, &o, &gw);
	return 0;
}
