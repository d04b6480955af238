// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Byte order and Internet checksum helpers (RFC 1071) shared by the codecs
 * that build and check full IP packets (amt_igmp.c, amt_pim.c).
 */
#ifndef _AMT_CHECKSUM_H
#define _AMT_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

#include "amt_group_record.h"

static inline uint16_t amt_get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline void amt_put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

/* One's complement sum, to be folded by amt_csum_fold(). */
static inline uint32_t amt_csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += amt_get16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static inline uint16_t amt_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* IPv6 pseudo-header (RFC 8200 section 8.1) for upper-layer protocol proto. */
static inline uint32_t amt_csum_pseudo6(const union amt_ip *src, const union amt_ip *dst,
					size_t len, uint8_t proto)
{
	uint32_t sum = 0;

	sum = amt_csum_add(sum, src->bytes, 16);
	sum = amt_csum_add(sum, dst->bytes, 16);
	sum += (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff);
	sum += proto;
	return sum;
}

#endif /* _AMT_CHECKSUM_H */
