// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A minimal unit-test harness for amtd's tests: each CHECK counts one
 * assertion; amt_test_summary() prints "<suite>: N passed, N failed" and
 * returns the process exit code.
 */
#ifndef _AMT_TEST_H
#define _AMT_TEST_H

#include <stdio.h>
#include <string.h>

static unsigned int amt_test_passed;
static unsigned int amt_test_failed;

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (cond) {                                                    \
			amt_test_passed++;                                     \
		} else {                                                       \
			amt_test_failed++;                                     \
			fprintf(stderr, "%s:%d: %s: CHECK(%s) failed\n",       \
				__FILE__, __LINE__, __func__, #cond);          \
		}                                                              \
	} while (0)

#define CHECK_INT(got, want)                                                   \
	do {                                                                   \
		long long _g = (got), _w = (want);                             \
		if (_g == _w) {                                                \
			amt_test_passed++;                                     \
		} else {                                                       \
			amt_test_failed++;                                     \
			fprintf(stderr,                                        \
				"%s:%d: %s: %s is %lld, expected %lld\n",      \
				__FILE__, __LINE__, __func__, #got, _g, _w);   \
		}                                                              \
	} while (0)

#define CHECK_MEM(got, want, len)                                              \
	do {                                                                   \
		size_t _l = (len);                                             \
		if (memcmp((got), (want), _l) == 0) {                          \
			amt_test_passed++;                                     \
		} else {                                                       \
			amt_test_failed++;                                     \
			fprintf(stderr, "%s:%d: %s: %s differs from %s\n",     \
				__FILE__, __LINE__, __func__, #got, #want);    \
			amt_test_hexdump("got ", (got), _l);                   \
			amt_test_hexdump("want", (want), _l);                  \
		}                                                              \
	} while (0)

static inline void amt_test_hexdump(const char *tag, const void *buf,
				    size_t len)
{
	const unsigned char *p = buf;

	fprintf(stderr, "  %s:", tag);
	for (size_t i = 0; i < len; i++)
		fprintf(stderr, " %02x", p[i]);
	fprintf(stderr, "\n");
}

static inline int amt_test_summary(const char *suite)
{
	printf("%s: %u passed, %u failed\n", suite, amt_test_passed,
	       amt_test_failed);
	return amt_test_failed ? 1 : 0;
}

#endif /* _AMT_TEST_H */
