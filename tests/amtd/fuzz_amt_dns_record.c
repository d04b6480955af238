// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness for AMTRELAY parsing: the input is a DNS response (and,
 * on its own, an AMTRELAY RDATA).  Whatever parses must encode again and
 * parse to the same record; the records an answer gives are well formed
 * and can be ordered.
 */
#include <zebra.h>

#include <stdlib.h>
#include <string.h>

#include "amtd/amt_dns_record.h"

#define FUZZ_ASSERT(cond)                                                                          \
	do {                                                                                       \
		if (!(cond))                                                                       \
			abort();                                                                   \
	} while (0)

static uint32_t fuzz_rnd(void *arg)
{
	uint32_t *s = arg;

	*s = *s * 1103515245 + 12345;
	return *s >> 8;
}

static void fuzz_check_record(const struct amt_relay_record *rec)
{
	struct amt_relay_record again;
	uint8_t out[300];
	ssize_t n;

	FUZZ_ASSERT(rec->type <= AMT_RELAY_TYPE_NAME);
	if (rec->type == AMT_RELAY_TYPE_NAME)
		FUZZ_ASSERT(rec->name[0] && strlen(rec->name) < sizeof(rec->name));
	n = amt_relay_rdata_encode(out, sizeof(out), rec);
	FUZZ_ASSERT(n >= 2);
	FUZZ_ASSERT(amt_relay_rdata_parse(out, n, &again) == AMT_DNS_OK);
	FUZZ_ASSERT(amt_relay_record_same(rec, &again));
	FUZZ_ASSERT(again.precedence == rec->precedence);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct amt_relay_record recs[AMT_DNS_MAX_RELAYS], rec;
	struct amt_dns_answer_stats st;
	enum amt_dns_error err;
	uint32_t seed = 1;
	size_t n;

	err = amt_relay_rdata_parse(data, size, &rec);
	FUZZ_ASSERT(err < AMT_DNS_ERROR_MAX && amt_dns_error_str(err));
	if (err == AMT_DNS_OK)
		fuzz_check_record(&rec);

	err = amt_dns_answer_parse(data, size, recs, array_size(recs), &n, &st);
	FUZZ_ASSERT(err < AMT_DNS_ERROR_MAX);
	FUZZ_ASSERT(n <= array_size(recs));
	if (err != AMT_DNS_OK)
		return 0;
	FUZZ_ASSERT(st.bad_records + st.no_relay <= st.records);
	for (size_t i = 0; i < n; i++) {
		FUZZ_ASSERT(recs[i].type != AMT_RELAY_TYPE_NONE);
		fuzz_check_record(&recs[i]);
	}
	amt_relay_records_order(recs, n, fuzz_rnd, &seed);
	for (size_t i = 1; i < n; i++)
		FUZZ_ASSERT(recs[i - 1].precedence <= recs[i].precedence);
	return 0;
}
