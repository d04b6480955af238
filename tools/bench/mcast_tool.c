// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mcast_tool: the stream's two ends.
 *
 *   mcast_tool send --src A --group G --rate PPS --duration-ms T
 *	Sends 1316-byte payloads (sequence number and send time at the head,
 *	bench_util.h) to (G, port 5000) out of the interface that holds A,
 *	paced to PPS datagrams/s, batched with sendmmsg.  When the host cannot
 *	keep the pace it sends as fast as it can and says so (rate_dps, and
 *	skipped: the datagrams it never sent, which take no sequence numbers).
 *	--groups K: round-robin over the K groups G, G+1, ..., G+K-1 (K
 *	channels), PPS in all; datagram j goes to G + j mod K with sequence
 *	number j / K, so that every channel's sequence has no gaps.
 *	--sources M (with --groups, IPv4): channel c is sent from A + c mod M
 *	(IP_PKTINFO per datagram; the M addresses must be the host's), so the
 *	channels are (A + c mod M, G + c).
 *	--gso: up to 32 datagrams per message (UDP_SEGMENT), sent without
 *	DF, so that the source's host and the multicast router pay per burst,
 *	not per datagram, up to the outgoing interface, where the kernel cuts
 *	the burst into the datagrams it would have sent one by one (a tun
 *	reader gets them one by one all the same).  With --groups K the
 *	channels take turns by bursts of 32 instead of by datagrams, as
 *	encoders send a frame's packets back to back: datagram j belongs to
 *	burst b = j / 32, goes to G + b mod K and has the sequence number
 *	(b / K) * 32 + j mod 32, again without gaps in any channel.
 *
 *   mcast_tool send --src6 A --group6 G --rate PPS --duration-ms T
 *	The same stream over IPv6 (an IPv6 SSM source, ff3x::/32 group), out
 *	of the interface that holds A; with --groups K the groups are G plus
 *	0 .. K-1 in the last 32 bits.
 *
 *   mcast_tool recv --group G --source S --ifaddr A --duration-ms T
 *   mcast_tool recv --unicast --port P --duration-ms T
 *	Joins (S,G) on the interface holding A (or binds a unicast port) and
 *	counts what arrives with recvmmsg: the raw receive loop.
 *
 *   mcast_tool decap --port P --tun NAME --duration-ms T
 *	The gateway's work without amtd: receives AMT Multicast Data on UDP
 *	port P with recvmmsg (64 at a time) and writes each inner packet into
 *	the tun device NAME (created if need be; run.sh gives it an address),
 *	one write() each, with no check but the message type and a minimal
 *	length: the floor an AMT gateway's decapsulation is measured against.
 *	--uring: the writes of each batch in one io_uring_enter() instead (is
 *	a batched tun write worth it?).
 *
 * Prints key=value lines.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <linux/if_tun.h>
#include <linux/io_uring.h>
#include <net/if.h>
#include <netinet/udp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench_util.h"

#define MT_BATCH   64
#define MT_RECV_SZ 2048
/* AMT (RFC 7450 5.1.6): Multicast Data is type 6, a 2-byte header. */
#define MT_AMT_DATA	6
#define MT_AMT_DATA_HDR 2

struct mt_opts {
	struct in_addr src, group, source, ifaddr;
	/* send over IPv6: the source address and the group */
	struct in6_addr src6, group6;
	uint16_t port;
	uint32_t rate;
	uint32_t duration_ms;
	uint32_t ttl;
	uint32_t groups;
	uint32_t sources;
	bool unicast;
	bool uring;
	bool gso;
	const char *ready_file;
	const char *tun;
	int cpu;
};

static void mt_usage(void)
{
	fprintf(stderr, "usage: mcast_tool send --src A --group G --rate PPS --duration-ms T\n"
			"                  [--port P] [--ttl N] [--groups K [--sources M]] [--gso]\n"
			"                  [--cpu C]\n"
			"       mcast_tool send --src6 A --group6 G --rate PPS --duration-ms T\n"
			"                  [--port P] [--ttl N] [--groups K] [--gso] [--cpu C]\n"
			"       mcast_tool recv (--group G --source S --ifaddr A | --unicast)\n"
			"                  [--port P] --duration-ms T [--ready-file F] [--cpu C]\n"
			"       mcast_tool decap --port P --tun NAME --duration-ms T [--uring]\n"
			"                  [--ready-file F] [--cpu C]\n");
	exit(2);
}

static void mt_parse(struct mt_opts *o, int argc, char **argv)
{
	const struct bench_opt opts[] = {
		{ "src", BENCH_OPT_ADDR, &o->src },
		{ "group", BENCH_OPT_ADDR, &o->group },
		{ "src6", BENCH_OPT_ADDR6, &o->src6 },
		{ "group6", BENCH_OPT_ADDR6, &o->group6 },
		{ "source", BENCH_OPT_ADDR, &o->source },
		{ "ifaddr", BENCH_OPT_ADDR, &o->ifaddr },
		{ "port", BENCH_OPT_U16, &o->port },
		{ "rate", BENCH_OPT_U32, &o->rate },
		{ "duration-ms", BENCH_OPT_U32, &o->duration_ms },
		{ "ttl", BENCH_OPT_U32, &o->ttl },
		{ "groups", BENCH_OPT_U32, &o->groups },
		{ "sources", BENCH_OPT_U32, &o->sources },
		{ "unicast", BENCH_OPT_FLAG, &o->unicast },
		{ "ready-file", BENCH_OPT_STR, &o->ready_file },
		{ "tun", BENCH_OPT_STR, &o->tun },
		{ "uring", BENCH_OPT_FLAG, &o->uring },
		{ "gso", BENCH_OPT_FLAG, &o->gso },
		{ "cpu", BENCH_OPT_INT, &o->cpu },
		{ NULL },
	};

	if (!bench_parse_opts(argc, argv, opts) || !o->duration_ms || o->groups > 65536 ||
	    o->sources > 256 || (o->sources > 1 && !o->src.s_addr))
		mt_usage();
}

/* ---------------------------------------------------------------- send */

/* Is the stream an IPv6 one (--group6)? */
static bool mt_v6(const struct mt_opts *o)
{
	return !IN6_IS_ADDR_UNSPECIFIED(&o->group6);
}

/* The index of the interface holding an IPv6 address; dies if none does. */
static unsigned int mt_ifindex6(const struct in6_addr *a)
{
	struct ifaddrs *ifa, *p;
	unsigned int idx = 0;

	if (getifaddrs(&ifa) < 0)
		bench_die("getifaddrs: %s", strerror(errno));
	for (p = ifa; p && !idx; p = p->ifa_next)
		if (p->ifa_addr && p->ifa_addr->sa_family == AF_INET6 &&
		    !memcmp(&((struct sockaddr_in6 *)p->ifa_addr)->sin6_addr, a, sizeof(*a)))
			idx = if_nametoindex(p->ifa_name);
	freeifaddrs(ifa);
	if (!idx)
		bench_die("no interface holds the --src6 address");
	return idx;
}

/*
 * --gso: each message carries up to MT_GSO_SEGS datagrams (UDP_SEGMENT), and
 * the packets leave without DF, so that the multicast router forwards the
 * whole burst (ipmr drops a DF packet longer than the MTU) and splits it
 * only in front of the outgoing interface.
 */
#define MT_GSO_SEGS 32

static void mt_send_gso_setup(int fd, int level, int pmtu_opt, int pmtu_val)
{
	int seg = BENCH_PAYLOAD_LEN;

	if (setsockopt(fd, SOL_UDP, UDP_SEGMENT, &seg, sizeof(seg)) < 0)
		bench_die("UDP_SEGMENT: %s", strerror(errno));
	setsockopt(fd, level, pmtu_opt, &pmtu_val, sizeof(pmtu_val));
}

static int mt_send_socket(const struct mt_opts *o)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_addr = o->src6 };
	int fd, zero = 0, ttl = o->ttl, sndbuf = 4 << 20;
	unsigned int idx;

	if (!mt_v6(o)) {
		fd = bench_udp_socket(o->src, 0, sndbuf, 0);
		setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &o->src, sizeof(o->src));
		setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl));
		/* No copy to local listeners: only the wire copy costs. */
		setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &zero, sizeof(zero));
		if (o->gso)
			mt_send_gso_setup(fd, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DONT);
		return fd;
	}
	fd = socket(AF_INET6, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		bench_die("IPv6 send socket: %s", strerror(errno));
	idx = mt_ifindex6(&o->src6);
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &idx, sizeof(idx));
	setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &ttl, sizeof(ttl));
	setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &zero, sizeof(zero));
	if (o->gso)
		mt_send_gso_setup(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, IPV6_PMTUDISC_DONT);
	return fd;
}

/* Where datagram j goes: G + j mod K (IPv6: in the last 32 bits). */
union mt_dst {
	struct sockaddr_in v4;
	struct sockaddr_in6 v6;
};

static void mt_dst_group(const struct mt_opts *o, union mt_dst *d, uint32_t off)
{
	if (!mt_v6(o)) {
		d->v4.sin_addr.s_addr = htonl(ntohl(o->group.s_addr) + off);
		return;
	}
	bench_in6_add(&d->v6.sin6_addr, &o->group6, off);
}

/* With --sources M: datagram slot i's source is A + (channel mod M). */
union mt_pktinfo {
	struct cmsghdr align;
	uint8_t buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
};

static void mt_src_set(const struct mt_opts *o, struct msghdr *mh, union mt_pktinfo *ctl,
		       uint32_t channel)
{
	struct cmsghdr *c;
	struct in_pktinfo *pi;

	mh->msg_control = ctl->buf;
	mh->msg_controllen = sizeof(ctl->buf);
	c = CMSG_FIRSTHDR(mh);
	c->cmsg_level = IPPROTO_IP;
	c->cmsg_type = IP_PKTINFO;
	c->cmsg_len = CMSG_LEN(sizeof(*pi));
	pi = (struct in_pktinfo *)CMSG_DATA(c);
	memset(pi, 0, sizeof(*pi));
	pi->ipi_spec_dst.s_addr = htonl(ntohl(o->src.s_addr) + channel % o->sources);
}

/* Datagram j's channel and its sequence number in that channel. */
static void mt_slot(const struct mt_opts *o, uint32_t k, uint64_t j, uint32_t *chan, uint64_t *seq)
{
	uint64_t b = j / MT_GSO_SEGS;

	if (!o->gso) {
		*chan = (uint32_t)(j % k);
		*seq = j / k;
		return;
	}
	*chan = (uint32_t)(b % k);
	*seq = b / k * MT_GSO_SEGS + j % MT_GSO_SEGS;
}

/*
 * --gso: the n payloads (contiguous from bufs[0]) in messages of up to
 * MT_GSO_SEGS datagrams each, one message per run of slots of one channel
 * (chans[i] is slot i's), sent with sendmmsg; msgs[i] (its destination,
 * source and iov[i]) stands for the run that starts at slot i.  A message
 * that fails counts each of its datagrams as an error.
 */
static void mt_send_gso(struct mmsghdr *msgs, struct iovec *iov, const uint32_t *chans,
			uint8_t (*bufs)[BENCH_PAYLOAD_LEN], uint64_t n, int fd, uint64_t *errors)
{
	struct mmsghdr out[MT_BATCH];
	unsigned int segs[MT_BATCH], m = 0;

	for (uint64_t i = 0; i < n;) {
		uint64_t e = i + 1;

		while (e < n && e - i < MT_GSO_SEGS && chans[e] == chans[i])
			e++;
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = (e - i) * BENCH_PAYLOAD_LEN;
		out[m] = msgs[i];
		segs[m++] = (unsigned int)(e - i);
		i = e;
	}
	bench_sendmmsg_counted(fd, out, m, segs, errors);
}

static int mt_send(const struct mt_opts *o)
{
	static uint8_t bufs[MT_BATCH][BENCH_PAYLOAD_LEN];
	static union mt_dst dsts[MT_BATCH];
	static union mt_pktinfo ctls[MT_BATCH];
	union mt_dst dst = {};
	uint32_t k = o->groups ? o->groups : 1;
	struct mmsghdr msgs[MT_BATCH] = {};
	struct iovec iov[MT_BATCH];
	uint64_t start, end, now, sent = 0, errors = 0, behind = 0, seq, paced = 0, skipped = 0;
	uint32_t chans[MT_BATCH];
	socklen_t dlen;
	int fd = mt_send_socket(o);

	if (!o->rate)
		mt_usage();
	if (mt_v6(o)) {
		dst.v6.sin6_family = AF_INET6;
		dst.v6.sin6_addr = o->group6;
		dst.v6.sin6_port = htons(o->port);
		dlen = sizeof(dst.v6);
	} else {
		dst.v4.sin_family = AF_INET;
		dst.v4.sin_addr = o->group;
		dst.v4.sin_port = htons(o->port);
		dlen = sizeof(dst.v4);
	}
	bench_mmsg_init(msgs, iov, MT_BATCH, bufs[0], sizeof(bufs[0]), BENCH_PAYLOAD_LEN, &dst,
			dlen);
	/* One destination per slot: with K groups each datagram has its own. */
	for (unsigned int i = 0; i < MT_BATCH; i++) {
		dsts[i] = dst;
		msgs[i].msg_hdr.msg_name = &dsts[i];
		msgs[i].msg_hdr.msg_namelen = dlen;
	}
	start = bench_now_ns();
	end = start + o->duration_ms * 1000000ull;
	while ((now = bench_now_ns()) < end) {
		uint64_t due = (now - start) * o->rate / 1000000000ull + 1, n, wait_ns;

		if (due <= paced) {
			/* Sleep until the next one is due (short waits spin). */
			wait_ns = (paced + 1) * 1000000000ull / o->rate - (now - start);
			if (wait_ns > 60000)
				bench_sleep_us(wait_ns / 1000 - 50);
			continue;
		}
		n = due - paced;
		if (n > MT_BATCH) {
			behind++;
			/*
			 * Too far behind to catch up: do not burst, forget the
			 * debt.  The datagrams never sent take no sequence
			 * numbers, so that a receiver counts no loss for them.
			 */
			if (n > 4 * MT_BATCH) {
				skipped += n - MT_BATCH;
				paced = due - MT_BATCH;
			}
			n = MT_BATCH;
		}
		for (uint64_t i = 0; i < n; i++) {
			mt_slot(o, k, sent + i, &chans[i], &seq);
			mt_dst_group(o, &dsts[i], chans[i]);
			if (o->sources > 1 && !mt_v6(o))
				mt_src_set(o, &msgs[i].msg_hdr, &ctls[i], chans[i]);
			bench_payload_set(bufs[i], 1, seq);
		}
		/* A datagram that fails keeps its sequence number: a gap. */
		if (o->gso)
			mt_send_gso(msgs, iov, chans, bufs, n, fd, &errors);
		else
			bench_sendmmsg_all(fd, msgs, n, &errors);
		sent += n;
		paced += n;
	}
	now = bench_now_ns();
	printf("sent=%" PRIu64 "\nerrors=%" PRIu64 "\nlast_seq=%" PRIu64 "\n", sent, errors, sent);
	printf("offered_dps=%u\nbehind_batches=%" PRIu64 "\n", o->rate, behind);
	/* What the host kept up with: below offered_dps, skipped is the rest. */
	printf("skipped=%" PRIu64 "\nrate_dps=%" PRIu64 "\n", skipped,
	       (uint64_t)(sent * 1000000000ull / (now - start)));
	printf("groups=%u\nsources=%u\nipv6=%d\n", k, o->sources ? o->sources : 1, mt_v6(o));
	return 0;
}

/* ---------------------------------------------------------------- recv */

static int mt_recv_socket(const struct mt_opts *o)
{
	struct in_addr any = { .s_addr = INADDR_ANY };
	struct timeval tv = { .tv_usec = 100000 };
	int fd = bench_udp_socket(o->unicast ? any : o->group, o->port, 0, 8 << 20);

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (!o->unicast) {
		struct ip_mreq_source mr = {
			.imr_multiaddr = o->group,
			.imr_interface = o->ifaddr,
			.imr_sourceaddr = o->source,
		};

		if (setsockopt(fd, IPPROTO_IP, IP_ADD_SOURCE_MEMBERSHIP, &mr, sizeof(mr)) < 0)
			bench_die("IP_ADD_SOURCE_MEMBERSHIP: %s", strerror(errno));
	}
	return fd;
}

/* A receive loop's buffers and counts. */
struct mt_rx {
	struct mmsghdr msgs[MT_BATCH];
	struct iovec iov[MT_BATCH];
	uint8_t bufs[MT_BATCH][MT_RECV_SZ];
	uint64_t pkts, first, last;
};

/*
 * recvmmsg on fd until the duration ends or a stop signal (the results are
 * printed then), handle(rx, r, arg) after each batch of r datagrams.
 */
static void mt_rx_loop(const struct mt_opts *o, int fd, struct mt_rx *rx,
		       void (*handle)(struct mt_rx *rx, int r, void *arg), void *arg)
{
	uint64_t end;

	bench_mmsg_init(rx->msgs, rx->iov, MT_BATCH, rx->bufs[0], sizeof(rx->bufs[0]), MT_RECV_SZ,
			NULL, 0);
	bench_catch_stop();
	if (o->ready_file)
		bench_write_file(o->ready_file, "ready\n");
	end = bench_now_ns() + o->duration_ms * 1000000ull;
	while (!bench_stop && bench_now_ns() < end) {
		int r = recvmmsg(fd, rx->msgs, MT_BATCH, MSG_WAITFORONE, NULL);

		if (r <= 0)
			continue;
		rx->last = bench_now_ns();
		if (!rx->first)
			rx->first = rx->last;
		rx->pkts += r;
		handle(rx, r, arg);
	}
}

/* The process's CPU time, the active time, and counted datagrams per second. */
static void mt_rx_print(const struct mt_rx *rx, uint64_t counted)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	printf("cpu_us=%" PRIu64 "\n",
	       (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
		       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec));
	printf("active_s=%.3f\n", (rx->last - rx->first) / 1e9);
	printf("rate_dps=%.0f\n",
	       rx->last > rx->first ? counted * 1e9 / (double)(rx->last - rx->first) : 0.0);
}

static void mt_recv_count(struct mt_rx *rx, int r, void *arg)
{
	uint64_t *bytes = arg;

	for (int i = 0; i < r; i++)
		*bytes += rx->msgs[i].msg_len;
}

static int mt_recv(const struct mt_opts *o)
{
	static struct mt_rx rx;
	uint64_t bytes = 0;

	mt_rx_loop(o, mt_recv_socket(o), &rx, mt_recv_count, &bytes);
	printf("received=%" PRIu64 "\nbytes=%" PRIu64 "\n", rx.pkts, bytes);
	mt_rx_print(&rx, rx.pkts);
	return 0;
}

/* ---------------------------------------------------------------- decap */

/*
 * Non-blocking, as amtd's: io_uring then writes inline, in the caller (the
 * writes to a blocking tun go to io_uring's worker threads, on any core).
 */
static int mt_tun_open(const char *name)
{
	struct ifreq ifr = { .ifr_flags = IFF_TUN | IFF_NO_PI };
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		bench_die("/dev/net/tun: %s", strerror(errno));
	if (strlen(name) >= sizeof(ifr.ifr_name))
		bench_die("tun name too long: %s", name);
	strcpy(ifr.ifr_name, name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		bench_die("TUNSETIFF %s: %s", name, strerror(errno));
	return fd;
}

struct mt_decap {
	int tun;
	uint64_t written, errors, other, calls;
	/* --uring: the ring (no liburing: the system calls themselves). */
	int ring;
	unsigned int *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
};

static void *mt_ring_map(int fd, size_t len, off_t off)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, off);

	if (p == MAP_FAILED)
		bench_die("io_uring mmap: %s", strerror(errno));
	return p;
}

static void mt_ring_init(struct mt_decap *d)
{
	struct io_uring_params p = {};
	size_t sq_len, cq_len;
	uint8_t *sq, *cq;

	d->ring = syscall(__NR_io_uring_setup, MT_BATCH, &p);
	if (d->ring < 0)
		bench_die("io_uring_setup: %s", strerror(errno));
	if (!(p.features & IORING_FEAT_SINGLE_MMAP))
		bench_die("io_uring: no single mmap (kernel older than 5.4)");
	sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned int);
	cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	sq = mt_ring_map(d->ring, sq_len > cq_len ? sq_len : cq_len, IORING_OFF_SQ_RING);
	cq = sq;
	d->sq_tail = (unsigned int *)(sq + p.sq_off.tail);
	d->sq_mask = (unsigned int *)(sq + p.sq_off.ring_mask);
	d->sq_array = (unsigned int *)(sq + p.sq_off.array);
	d->cq_head = (unsigned int *)(cq + p.cq_off.head);
	d->cq_tail = (unsigned int *)(cq + p.cq_off.tail);
	d->cq_mask = (unsigned int *)(cq + p.cq_off.ring_mask);
	d->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
	d->sqes = mt_ring_map(d->ring, p.sq_entries * sizeof(struct io_uring_sqe),
			      IORING_OFF_SQES);
}

/* Write n packets into the tun with one io_uring_enter(), reap the results. */
static void mt_ring_write(struct mt_decap *d, uint8_t **pkt, size_t *len, unsigned int n)
{
	unsigned int tail = *d->sq_tail, head, ctail, done = 0;

	for (unsigned int i = 0; i < n; i++) {
		unsigned int idx = (tail + i) & *d->sq_mask;
		struct io_uring_sqe *sqe = &d->sqes[idx];

		memset(sqe, 0, sizeof(*sqe));
		sqe->opcode = IORING_OP_WRITE;
		sqe->fd = d->tun;
		sqe->addr = (uintptr_t)pkt[i];
		sqe->len = len[i];
		sqe->off = (uint64_t)-1;
		sqe->user_data = i;
		d->sq_array[idx] = idx;
	}
	__atomic_store_n(d->sq_tail, tail + n, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, d->ring, n, n, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
		bench_die("io_uring_enter: %s", strerror(errno));
	head = *d->cq_head;
	ctail = __atomic_load_n(d->cq_tail, __ATOMIC_ACQUIRE);
	for (; head != ctail; head++, done++) {
		struct io_uring_cqe *cqe = &d->cqes[head & *d->cq_mask];

		if (cqe->user_data < n && cqe->res == (int)len[cqe->user_data])
			d->written++;
		else
			d->errors++;
	}
	__atomic_store_n(d->cq_head, head, __ATOMIC_RELEASE);
	if (done != n)
		bench_die("io_uring: %u of %u writes completed", done, n);
}

/* Each AMT Multicast Data's inner packet into the tun, one write() each. */
static void mt_decap_batch(struct mt_rx *rx, int r, void *arg)
{
	struct mt_decap *d = arg;
	uint8_t *pkt[MT_BATCH];
	size_t plen[MT_BATCH];
	unsigned int n = 0;

	d->calls++;
	for (int i = 0; i < r; i++) {
		size_t len = rx->msgs[i].msg_len;

		if (len < MT_AMT_DATA_HDR + 20 || rx->bufs[i][0] != MT_AMT_DATA) {
			d->other++;
			continue;
		}
		len -= MT_AMT_DATA_HDR;
		if (d->ring >= 0) {
			pkt[n] = rx->bufs[i] + MT_AMT_DATA_HDR;
			plen[n++] = len;
		} else if (write(d->tun, rx->bufs[i] + MT_AMT_DATA_HDR, len) == (ssize_t)len) {
			d->written++;
		} else {
			d->errors++;
		}
	}
	if (n)
		mt_ring_write(d, pkt, plen, n);
}

static int mt_decap(const struct mt_opts *o)
{
	static struct mt_rx rx;
	struct in_addr any = { .s_addr = INADDR_ANY };
	struct timeval tv = { .tv_usec = 100000 };
	struct mt_decap d = { .ring = -1 };
	int fd;

	if (!o->tun || !o->port)
		mt_usage();
	d.tun = mt_tun_open(o->tun);
	if (o->uring)
		mt_ring_init(&d);
	/* The receive buffer amtd's gateway asks for. */
	fd = bench_udp_socket(any, o->port, 0, 4 << 20);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	mt_rx_loop(o, fd, &rx, mt_decap_batch, &d);
	printf("received=%" PRIu64 "\nwritten=%" PRIu64 "\nwrite_errors=%" PRIu64 "\n", rx.pkts,
	       d.written, d.errors);
	printf("not_data=%" PRIu64 "\nrecv_calls=%" PRIu64 "\n", d.other, d.calls);
	mt_rx_print(&rx, d.written);
	close(d.tun);
	return 0;
}

int main(int argc, char **argv)
{
	struct mt_opts o = { .port = BENCH_STREAM_PORT, .ttl = 8, .cpu = -1 };
	const char *cmd = argc > 1 ? argv[1] : "";

	if (argc < 2)
		mt_usage();
	mt_parse(&o, argc - 1, argv + 1);
	bench_pin_cpu(o.cpu);
	if (!strcmp(cmd, "send"))
		return mt_send(&o);
	if (!strcmp(cmd, "recv"))
		return mt_recv(&o);
	if (!strcmp(cmd, "decap"))
		return mt_decap(&o);
	mt_usage();
	return 2;
}
