// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the relay's UDP GSO messages (amtd/amt_gso.c): which
 * packets make one message, and that the kernel's cut of its payload into
 * segments of the announced size gives back header + packet, one each.
 */
#include <zebra.h>

#include <netinet/udp.h>

#include "amtd/amt_gso.h"
#include "tests/amtd/amt_test.h"

#define HDR 2

static uint8_t bufs[200][1500];

static void pkts_of(struct amt_gso_pkt *p, const size_t *lens, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		memset(bufs[i], 0x10 + i, sizeof(bufs[i]));
		p[i].data = bufs[i];
		p[i].len = lens[i];
	}
}

static void test_run_equal(void)
{
	struct amt_gso_pkt p[100];
	size_t lens[100], seg = 0;

	for (int i = 0; i < 100; i++)
		lens[i] = 1344;
	pkts_of(p, lens, 100);
	/* 65000 / 1346: 48 segments fit the byte limit. */
	CHECK_INT(amt_gso_run(p, 100, HDR, AMT_GSO_MAX_SEGS, AMT_GSO_MAX_BYTES, &seg), 48);
	CHECK_INT(seg, 1346);
	/* Small packets: the segment limit. */
	for (int i = 0; i < 100; i++)
		p[i].len = 100;
	CHECK_INT(amt_gso_run(p, 100, HDR, AMT_GSO_MAX_SEGS, AMT_GSO_MAX_BYTES, &seg), 64);
	CHECK_INT(seg, 102);
	CHECK_INT(amt_gso_run(p, 5, HDR, AMT_GSO_MAX_SEGS, AMT_GSO_MAX_BYTES, &seg), 5);
	/* GSO off: one per message. */
	CHECK_INT(amt_gso_run(p, 5, HDR, 1, AMT_GSO_MAX_BYTES, &seg), 1);
	CHECK_INT(amt_gso_run(p, 0, HDR, AMT_GSO_MAX_SEGS, AMT_GSO_MAX_BYTES, &seg), 0);
}

static void test_run_shorter_last(void)
{
	struct amt_gso_pkt p[6];
	size_t seg = 0;
	/* A shorter one ends the run; a longer one starts the next. */
	const size_t lens[6] = { 500, 500, 300, 500, 600, 600 };

	pkts_of(p, lens, 6);
	CHECK_INT(amt_gso_run(p, 6, HDR, AMT_GSO_MAX_SEGS, AMT_GSO_MAX_BYTES, &seg), 3);
	CHECK_INT(seg, 502);
	CHECK_INT(amt_gso_run(p + 3, 3, HDR, AMT_GSO_MAX_SEGS, AMT_GSO_MAX_BYTES, &seg), 1);
	CHECK_INT(seg, 502);
	CHECK_INT(amt_gso_run(p + 4, 2, HDR, AMT_GSO_MAX_SEGS, AMT_GSO_MAX_BYTES, &seg), 2);
	CHECK_INT(seg, 602);
	/* The shorter last one still counts against the segment limit. */
	CHECK_INT(amt_gso_run(p, 6, HDR, 2, AMT_GSO_MAX_BYTES, &seg), 2);
	/* ... and against the byte limit: 502 + 502 + 302 > 1200. */
	CHECK_INT(amt_gso_run(p, 6, HDR, AMT_GSO_MAX_SEGS, 1200, &seg), 2);
	/* A first packet longer than the byte limit goes alone. */
	CHECK_INT(amt_gso_run(p, 6, HDR, AMT_GSO_MAX_SEGS, 400, &seg), 1);
}

/* Cut the message as the kernel does and compare with header + packet. */
static void test_iov_segments(void)
{
	static const uint8_t hdr[HDR] = { 0x06, 0x00 };
	struct amt_gso_pkt p[10];
	const size_t lens[10] = { 700, 700, 700, 700, 700, 700, 700, 700, 700, 123 };
	struct iovec iov[20];
	static uint8_t wire[10 * 702];
	size_t seg = 0, total, off = 0;
	unsigned int k;

	pkts_of(p, lens, 10);
	k = amt_gso_run(p, 10, HDR, AMT_GSO_MAX_SEGS, AMT_GSO_MAX_BYTES, &seg);
	CHECK_INT(k, 10);
	total = amt_gso_iov(iov, hdr, HDR, p, k);
	CHECK_INT(total, 9 * 702 + 125);
	for (unsigned int i = 0; i < 2 * k; i++) {
		memcpy(wire + off, iov[i].iov_base, iov[i].iov_len);
		off += iov[i].iov_len;
	}
	CHECK_INT(off, total);
	for (unsigned int i = 0; i < k; i++) {
		size_t len = i + 1 < k ? seg : total - seg * (k - 1);

		CHECK_INT(len, HDR + lens[i]);
		CHECK_MEM(wire + i * seg, hdr, HDR);
		CHECK_MEM(wire + i * seg + HDR, bufs[i], lens[i]);
	}
}

static void test_cmsg(void)
{
	union {
		struct cmsghdr align;
		uint8_t buf[AMT_GSO_CMSG_SPACE];
	} ctl;
	struct msghdr mh = {};
	struct cmsghdr *cm;
	uint16_t v = 0;

	CHECK(amt_gso_cmsg(&mh, ctl.buf, sizeof(ctl.buf), 1346));
	cm = CMSG_FIRSTHDR(&mh);
	CHECK(cm != NULL);
	CHECK_INT(cm->cmsg_level, SOL_UDP);
	CHECK_INT(cm->cmsg_type, UDP_SEGMENT);
	CHECK_INT(cm->cmsg_len, CMSG_LEN(sizeof(uint16_t)));
	memcpy(&v, CMSG_DATA(cm), sizeof(v));
	CHECK_INT(v, 1346);
	CHECK(CMSG_NXTHDR(&mh, cm) == NULL);
	/* Refused: too large a segment, too small a buffer; mh untouched. */
	memset(&mh, 0, sizeof(mh));
	CHECK(!amt_gso_cmsg(&mh, ctl.buf, sizeof(ctl.buf), 70000));
	CHECK(!amt_gso_cmsg(&mh, ctl.buf, 4, 1346));
	CHECK(!amt_gso_cmsg(&mh, ctl.buf, sizeof(ctl.buf), 0));
	CHECK(mh.msg_control == NULL);
}

int main(void)
{
	test_run_equal();
	test_run_shorter_last();
	test_iov_segments();
	test_cmsg();
	return amt_test_summary("test_amt_gso");
}
