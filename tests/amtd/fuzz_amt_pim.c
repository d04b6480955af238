// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness for the PIM codec: parse a packet as PIM, decode it as
 * a Join/Prune and walk every entry; what decodes is checked for
 * consistency.  Hellos are built from the input's bytes and must parse.
 *
 * Input: the IP packet as pimd would write it into the pseudo-interface.
 */
#include <zebra.h>

#include <stdlib.h>
#include <string.h>

#include "amtd/amt_pim.h"

#define FUZZ_ASSERT(cond)                                                                          \
	do {                                                                                       \
		if (!(cond))                                                                       \
			abort();                                                                   \
	} while (0)

static void fuzz_hello(const uint8_t *data, size_t size)
{
	struct amt_pim_hello_params p = {};
	struct amt_pim_msg m;
	uint8_t buf[128];
	ssize_t n;

	p.family = size && (data[0] & 1) ? AF_INET6 : AF_INET;
	memcpy(p.src.bytes, data, size < 16 ? size : 16);
	p.holdtime = size > 17 ? (data[16] << 8 | data[17]) : 105;
	n = amt_pim_hello_build(buf, sizeof(buf), &p);
	FUZZ_ASSERT(n > 0);
	FUZZ_ASSERT(amt_pim_parse(buf, n, &m) == AMT_PIM_OK);
	FUZZ_ASSERT(m.type == AMT_PIM_TYPE_HELLO && m.family == p.family);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct amt_pim_jp_entry e;
	struct amt_pim_msg m;
	struct amt_pim_jp jp;
	unsigned int entries = 0, bound;

	fuzz_hello(data, size);
	if (amt_pim_parse(data, size, &m) != AMT_PIM_OK)
		return 0;
	FUZZ_ASSERT(m.body >= data && m.body + m.body_len <= data + size);
	if (amt_pim_jp_decode(&m, &jp) != AMT_PIM_OK)
		return 0;
	/* Each entry takes at least 8 bytes of the message. */
	bound = m.body_len / 8;
	while (amt_pim_jp_next(&jp, &e)) {
		FUZZ_ASSERT(++entries <= bound);
		FUZZ_ASSERT((e.flags & ~(AMT_PIM_SRC_S | AMT_PIM_SRC_W | AMT_PIM_SRC_R)) == 0);
	}
	FUZZ_ASSERT(!amt_pim_jp_next(&jp, &e));
	return 0;
}
