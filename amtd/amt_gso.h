// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * UDP generic segmentation offload (UDP_SEGMENT, Linux 4.18+) for the
 * relay's data path: a run of datagrams to one endpoint leaves in one send,
 * each datagram the AMT data header (RFC 7450 section 5.1.6) laid in front
 * of one inner packet, and the kernel (or the NIC) cuts the payload into
 * segments of one size, the last one possibly shorter.
 *
 * Pure code over buffers: which packets make one message, and its iovec
 * and control message.  The sending and the fallback are the caller's.
 */
#ifndef _AMT_GSO_H
#define _AMT_GSO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Segments per send: the kernel's UDP_MAX_SEGMENTS (64 up to Linux 6.x;
 * newer kernels allow more, 64 is safe for all).
 */
#define AMT_GSO_MAX_SEGS 64
/*
 * UDP payload of one send: IPv4 allows 65,535 less the IP (20) and UDP (8)
 * headers, 65,507; a little margin for IP options.
 */
#define AMT_GSO_MAX_BYTES 65000
/* Room for the UDP_SEGMENT control message. */
#define AMT_GSO_CMSG_SPACE CMSG_SPACE(sizeof(uint16_t))

/* One inner packet to send. */
struct amt_gso_pkt {
	const uint8_t *data;
	size_t len;
};

/*
 * How many of pkts[0..n) go into one message, starting with pkts[0]: every
 * segment (hdrlen + packet length) as long as the first, the last one
 * possibly shorter, at most max_segs segments and max_bytes in all.  *seg
 * is the segment size.  Returns 1 when pkts[0] must go alone (n == 0: 0).
 */
extern unsigned int amt_gso_run(const struct amt_gso_pkt *pkts, unsigned int n, size_t hdrlen,
				unsigned int max_segs, size_t max_bytes, size_t *seg);

/*
 * Lay out the message of pkts[0..k): iov[2i] the header, iov[2i+1] packet
 * i (2k entries).  Returns the UDP payload length.
 */
extern size_t amt_gso_iov(struct iovec *iov, const void *hdr, size_t hdrlen,
			  const struct amt_gso_pkt *pkts, unsigned int k);

/*
 * Attach the UDP_SEGMENT control message for segments of `seg` bytes to mh,
 * in buf (at least AMT_GSO_CMSG_SPACE bytes, aligned for struct cmsghdr).
 * Returns false (mh untouched) when seg does not fit the option or buf is
 * too small.
 */
extern bool amt_gso_cmsg(struct msghdr *mh, void *buf, size_t buflen, size_t seg);

#ifdef __cplusplus
}
#endif

#endif /* _AMT_GSO_H */
