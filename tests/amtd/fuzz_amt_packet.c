// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness for the AMT wire codec: decode every message type;
 * whatever decodes must encode again, decode to the same fields, and,
 * when nothing unusual was flagged, give back the very same bytes.
 *
 * Input: one selector byte (outer family, flag layout), then the message.
 */
#include <zebra.h>

#include <stdlib.h>
#include <string.h>

#include "amtd/amt_igmp.h"
#include "amtd/amt_packet.h"

#define FUZZ_ASSERT(cond)                                                                          \
	do {                                                                                       \
		if (!(cond))                                                                       \
			abort();                                                                   \
	} while (0)

static bool fuzz_same_fields(const struct amt_msg *a, const struct amt_msg *b)
{
	if (a->type != b->type || a->nonce != b->nonce)
		return false;
	switch (a->type) {
	case AMT_MSG_RELAY_DISCOVERY:
		return true;
	case AMT_MSG_RELAY_ADVERTISEMENT:
		return a->relay.family == b->relay.family &&
		       !memcmp(&a->relay.ip, &b->relay.ip, a->relay.family == AF_INET ? 4 : 16);
	case AMT_MSG_REQUEST:
		return a->p == b->p;
	case AMT_MSG_TEARDOWN:
		return !memcmp(a->mac, b->mac, AMT_RESPONSE_MAC_LEN) && a->gw_port == b->gw_port &&
		       a->gw_addr.family == b->gw_addr.family &&
		       !memcmp(&a->gw_addr.ip, &b->gw_addr.ip, 16);
	case AMT_MSG_MEMBERSHIP_QUERY:
		if (a->l != b->l || a->g != b->g)
			return false;
		if (a->g && (a->gw_port != b->gw_port || a->gw_addr.family != b->gw_addr.family ||
			     memcmp(&a->gw_addr.ip, &b->gw_addr.ip, 16)))
			return false;
		/* fall through */
	case AMT_MSG_MEMBERSHIP_UPDATE:
		if (memcmp(a->mac, b->mac, AMT_RESPONSE_MAC_LEN))
			return false;
		/* fall through */
	case AMT_MSG_MULTICAST_DATA:
		return a->inner_family == b->inner_family && a->inner_len == b->inner_len &&
		       !memcmp(a->inner, b->inner, a->inner_len);
	}
	return false;
}

/* Run the encapsulated packet through the IGMP/MLD codec as well. */
static void fuzz_inner(const struct amt_msg *msg)
{
	struct amt_report rep;
	struct amt_group_record rec;
	struct amt_query q;

	if (msg->type == AMT_MSG_MEMBERSHIP_QUERY) {
		amt_query_parse(msg->inner, msg->inner_len, msg->inner_family, &q);
	} else if (msg->type == AMT_MSG_MEMBERSHIP_UPDATE) {
		if (amt_report_decode(msg->inner, msg->inner_len, msg->inner_family, &rep) ==
		    AMT_IGMP_OK)
			while (amt_report_next(&rep, &rec))
				;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int families[] = { AF_INET, AF_INET6, AF_UNSPEC };
	static uint8_t out[70000];
	struct amt_msg msg, again;
	enum amt_flag_layout layout;
	enum amt_decode_error err;
	int family;
	ssize_t n;

	if (size < 1)
		return 0;
	family = families[(data[0] & 0x03) % 3];
	layout = (data[0] & 0x04) ? AMT_FLAGS_LINUX : AMT_FLAGS_RFC;
	data++;
	size--;

	err = amt_decode(data, size, family, layout, &msg);
	FUZZ_ASSERT(err < AMT_DECODE_ERROR_MAX);
	FUZZ_ASSERT(amt_decode_error_str(err) != NULL);
	if (err != AMT_DECODE_OK)
		return 0;

	if (msg.inner)
		FUZZ_ASSERT(msg.inner >= data && msg.inner + msg.inner_len <= data + size);
	fuzz_inner(&msg);

	n = amt_encode_msg(out, sizeof(out), &msg, layout);
	FUZZ_ASSERT(n > 0 && (size_t)n <= size);
	FUZZ_ASSERT(amt_decode(out, n, family, layout, &again) == AMT_DECODE_OK);
	FUZZ_ASSERT(again.flags == 0);
	FUZZ_ASSERT(fuzz_same_fields(&msg, &again));
	if (msg.flags == 0)
		FUZZ_ASSERT((size_t)n == size && !memcmp(out, data, size));
	return 0;
}
