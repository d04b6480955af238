// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit-test harness of the NETCONF core's tests: amtd's (CHECK, CHECK_INT,
 * amt_test_summary) plus CHECK_BYTES for byte-exact output.
 */
#ifndef _NC_TEST_H
#define _NC_TEST_H

#include "amt_test.h"

/* got/glen must equal the NUL-terminated want byte for byte */
#define CHECK_BYTES(got, glen, want)                                                               \
	do {                                                                                       \
		const char *_g = (const char *)(got);                                              \
		size_t _gl = (glen), _wl = strlen(want);                                           \
		if (_g && _gl == _wl && memcmp(_g, (want), _wl) == 0) {                            \
			amt_test_passed++;                                                         \
		} else {                                                                           \
			amt_test_failed++;                                                         \
			fprintf(stderr,                                                            \
				"%s:%d: %s: %s differs\n  got:  [%.*s]\n"                          \
				"  want: [%s]\n",                                                  \
				__FILE__, __LINE__, __func__, #got, _g ? (int)_gl : 6,             \
				_g ? _g : "(null)", (want));                                       \
		}                                                                                  \
	} while (0)

#endif /* _NC_TEST_H */
