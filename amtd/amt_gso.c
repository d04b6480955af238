// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * UDP GSO messages for the relay's data path (see amt_gso.h).
 */
#include <zebra.h>

#include <netinet/udp.h>
#include <string.h>

#include "amt_gso.h"

#ifndef SOL_UDP
#define SOL_UDP 17
#endif
#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

unsigned int amt_gso_run(const struct amt_gso_pkt *pkts, unsigned int n, size_t hdrlen,
			 unsigned int max_segs, size_t max_bytes, size_t *seg)
{
	size_t first, total;
	unsigned int k;

	if (n == 0)
		return 0;
	first = hdrlen + pkts[0].len;
	*seg = first;
	/* A segment size must fit the option; a lone too-long one goes alone. */
	if (first > UINT16_MAX || first > max_bytes)
		return 1;
	total = first;
	for (k = 1; k < n && k < max_segs; k++) {
		size_t len = hdrlen + pkts[k].len;

		if (len > first || total + len > max_bytes)
			break;
		total += len;
		if (len < first) {
			/* Shorter: the kernel takes it as the last segment only. */
			k++;
			break;
		}
	}
	return k;
}

size_t amt_gso_iov(struct iovec *iov, const void *hdr, size_t hdrlen,
		   const struct amt_gso_pkt *pkts, unsigned int k)
{
	size_t total = 0;

	for (unsigned int i = 0; i < k; i++) {
		iov[2 * i].iov_base = (void *)hdr;
		iov[2 * i].iov_len = hdrlen;
		iov[2 * i + 1].iov_base = (void *)pkts[i].data;
		iov[2 * i + 1].iov_len = pkts[i].len;
		total += hdrlen + pkts[i].len;
	}
	return total;
}

bool amt_gso_cmsg(struct msghdr *mh, void *buf, size_t buflen, size_t seg)
{
	struct cmsghdr *cm;
	uint16_t v = seg;

	if (seg == 0 || seg > UINT16_MAX || buflen < AMT_GSO_CMSG_SPACE)
		return false;
	memset(buf, 0, AMT_GSO_CMSG_SPACE);
	mh->msg_control = buf;
	mh->msg_controllen = AMT_GSO_CMSG_SPACE;
	cm = CMSG_FIRSTHDR(mh);
	cm->cmsg_level = SOL_UDP;
	cm->cmsg_type = UDP_SEGMENT;
	cm->cmsg_len = CMSG_LEN(sizeof(v));
	memcpy(CMSG_DATA(cm), &v, sizeof(v));
	return true;
}
