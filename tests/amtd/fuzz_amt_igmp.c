// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness for the IGMP/MLD codec: decode a report and walk all
 * its records, parse it as a query; what is accepted is built again and
 * must read back the same.
 *
 * Input: one selector byte (expected family), then the IP packet.
 */
#include <zebra.h>

#include <stdlib.h>
#include <string.h>

#include "amtd/amt_igmp.h"

#define FUZZ_ASSERT(cond)                                                                          \
	do {                                                                                       \
		if (!(cond))                                                                       \
			abort();                                                                   \
	} while (0)

#define FUZZ_MAX_RECORDS 512

static uint8_t out[70000];

static size_t fuzz_alen(int family)
{
	return family == AF_INET ? 4 : 16;
}

static void fuzz_report(const uint8_t *data, size_t size, int family)
{
	static struct amt_group_record recs[FUZZ_MAX_RECORDS];
	struct amt_group_record rec;
	struct amt_report rep, again;
	enum amt_igmp_error err;
	size_t nrecs = 0, alen;
	unsigned int sum = 0;
	ssize_t n;

	err = amt_report_decode(data, size, family, &rep);
	FUZZ_ASSERT(err < AMT_IGMP_ERR_MAX);
	if (err != AMT_IGMP_OK)
		return;
	alen = fuzz_alen(rep.family);
	while (amt_report_next(&rep, &rec)) {
		/* Touch every source byte: out of bounds shows up here. */
		for (size_t i = 0; i < rec.num_sources * alen; i++)
			sum += rec.sources[i];
		FUZZ_ASSERT(!rec.num_sources ||
			    (rec.sources >= data &&
			     rec.sources + rec.num_sources * alen <= data + size));
		FUZZ_ASSERT(rec.family == rep.family);
		if (nrecs < FUZZ_MAX_RECORDS)
			recs[nrecs] = rec;
		nrecs++;
	}
	FUZZ_ASSERT(nrecs <= rep.num_records);
	(void)sum;
	if (nrecs > FUZZ_MAX_RECORDS)
		return;

	/* Build the records again and read them back. */
	if (rep.version == 3 || (rep.family == AF_INET6 && rep.version == 2))
		n = amt_report_build(out, sizeof(out), rep.family, &rep.src, recs, nrecs);
	else if (nrecs == 1)
		n = amt_report_build_legacy(out, sizeof(out), rep.family, &rep.src, &recs[0].group,
					    recs[0].type == AMT_REC_CHANGE_TO_INCLUDE);
	else
		return;
	if (n < 0) {
		/* Only when the rebuilt packet cannot fit IP's length. */
		FUZZ_ASSERT(size > 65000);
		return;
	}
	FUZZ_ASSERT(amt_report_decode(out, n, rep.family, &again) == AMT_IGMP_OK);
	for (size_t i = 0; i < nrecs; i++) {
		FUZZ_ASSERT(amt_report_next(&again, &rec));
		FUZZ_ASSERT(rec.type == recs[i].type);
		FUZZ_ASSERT(!memcmp(&rec.group, &recs[i].group, alen));
		FUZZ_ASSERT(rec.num_sources == recs[i].num_sources);
		FUZZ_ASSERT(!rec.num_sources ||
			    !memcmp(rec.sources, recs[i].sources, rec.num_sources * alen));
	}
	FUZZ_ASSERT(!amt_report_next(&again, &rec));
}

static void fuzz_query(const uint8_t *data, size_t size, int family)
{
	struct amt_query q, again;
	struct amt_query_params p;
	enum amt_igmp_error err;
	unsigned int sum = 0;
	size_t alen;
	ssize_t n;

	err = amt_query_parse(data, size, family, &q);
	FUZZ_ASSERT(err < AMT_IGMP_ERR_MAX);
	FUZZ_ASSERT(amt_igmp_error_str(err) != NULL);
	if (err != AMT_IGMP_OK)
		return;
	alen = fuzz_alen(q.family);
	for (size_t i = 0; i < q.num_sources * alen; i++)
		sum += q.sources[i];
	(void)sum;

	/* IGMPv1 queries cannot be built; the rest reads back the same. */
	if (q.family == AF_INET && q.version == 1)
		return;
	memset(&p, 0, sizeof(p));
	p.family = q.family;
	p.version = q.version;
	p.src = q.src;
	p.group = q.group;
	p.max_resp_ms = q.max_resp_ms;
	p.qrv = q.qrv;
	p.qqi = q.qqi;
	p.s_flag = q.s_flag;
	p.num_sources = q.num_sources;
	p.sources = q.sources;
	n = amt_query_build(out, sizeof(out), &p);
	if (n < 0) {
		FUZZ_ASSERT(size > 65000);
		return;
	}
	FUZZ_ASSERT(amt_query_parse(out, n, q.family, &again) == AMT_IGMP_OK);
	FUZZ_ASSERT(again.version == q.version);
	FUZZ_ASSERT(!memcmp(&again.group, &q.group, alen));
	FUZZ_ASSERT(again.max_resp_ms == q.max_resp_ms);
	FUZZ_ASSERT(again.qrv == q.qrv && again.qqi == q.qqi);
	FUZZ_ASSERT(again.s_flag == q.s_flag);
	FUZZ_ASSERT(again.num_sources == q.num_sources);
	FUZZ_ASSERT(!q.num_sources || !memcmp(again.sources, q.sources, q.num_sources * alen));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int families[] = { AF_UNSPEC, AF_INET, AF_INET6 };
	int family;

	if (size < 1)
		return 0;
	family = families[data[0] % 3];
	data++;
	size--;

	fuzz_report(data, size, family);
	fuzz_query(data, size, family);
	return 0;
}
