// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness for the subtree filter translation
 * (nb_nc_subtree_xpaths()): any input must give 0, 1 or -1; on -1 no
 * expression and a message; on 1 at most NB_NC_SUBTREE_PATHS
 * NUL-terminated expressions, each absolute ("/..."), with balanced
 * brackets outside quotes, and never longer than the output limit.
 * The same input through nb_nc_xml_rebind_ns() (report-all-tagged's
 * namespace rewrite): 0 or -1 (out untouched); what it writes is its own
 * fixed point (read and written again: the same bytes).  And through
 * nb_nc_mon_filter() (/netconf-state in a filter): 1 with parts among
 * NB_NC_MON_ALL, or 0 or -1 with none.
 */
#include <zebra.h>

#include <stdlib.h>
#include <string.h>

#include "northbound_netconf_msg.h"

#define FUZZ_ASSERT(cond)                                                                          \
	do {                                                                                       \
		if (!(cond))                                                                       \
			abort();                                                                   \
	} while (0)

static const char *ns_module(const char *ns, size_t len, void *arg)
{
	/* any namespace starting with "urn:m" is a module */
	if (len >= 5 && !memcmp(ns, "urn:m", 5))
		return len & 1 ? "m-odd" : "m";
	return NULL;
}

static void check_expr(const char *e, size_t len)
{
	int depth = 0;
	char q = 0;

	FUZZ_ASSERT(len > 1 && e[0] == '/');
	for (size_t i = 0; i < len; i++) {
		if (q) {
			if (e[i] == q)
				q = 0;
			continue;
		}
		if (e[i] == '\'' || e[i] == '"')
			q = e[i];
		else if (e[i] == '[')
			depth++;
		else if (e[i] == ']')
			FUZZ_ASSERT(--depth >= 0);
	}
	FUZZ_ASSERT(!q && !depth);
}

static void check_rebind(const char *data, size_t size)
{
	struct nb_nc_buf a, b;
	int r;

	nb_nc_buf_init(&a, 1 << 16);
	nb_nc_buf_init(&b, 1 << 16);
	r = nb_nc_xml_rebind_ns(&a, data, size, "urn:m", "urn:z");
	FUZZ_ASSERT(r == 0 || r == -1);
	if (r < 0)
		FUZZ_ASSERT(a.len == 0);
	else {
		FUZZ_ASSERT(nb_nc_xml_rebind_ns(&b, a.data, a.len, "urn:m", "urn:z") == 0);
		FUZZ_ASSERT(a.len == b.len && (!a.len || !memcmp(a.data, b.data, a.len)));
	}
	nb_nc_buf_free(&a);
	nb_nc_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nb_nc_subtree_err err;
	struct nb_nc_buf out;
	unsigned int n = 7, parts;
	const char *p;
	int r;

	nb_nc_buf_init(&out, 1 << 16);
	r = nb_nc_subtree_xpaths((const char *)data, size, ns_module, NULL, &out, &n, &err);
	FUZZ_ASSERT(r >= -1 && r <= 1);
	if (r < 1) {
		FUZZ_ASSERT(n == 0 && out.len == 0);
		FUZZ_ASSERT(r == 0 || err.msg);
	}
	FUZZ_ASSERT(n <= NB_NC_SUBTREE_PATHS && out.len <= out.max);
	p = out.data;
	for (unsigned int i = 0; i < n; i++) {
		const char *end = memchr(p, '\0', out.data + out.len - p);

		FUZZ_ASSERT(end);
		check_expr(p, end - p);
		p = end + 1;
	}
	FUZZ_ASSERT(!n || p == out.data + out.len);
	nb_nc_buf_free(&out);
	check_rebind((const char *)data, size);
	parts = 99;
	r = nb_nc_mon_filter((const char *)data, size, &parts);
	FUZZ_ASSERT(r >= -1 && r <= 1);
	FUZZ_ASSERT(!(parts & ~NB_NC_MON_ALL) && (r == 1 || parts == 0));
	return 0;
}
