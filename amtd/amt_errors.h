// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * amtd's error codes, for flog_err() and flog_warn(); `show error all`
 * describes each with a suggestion.
 */
#ifndef _AMT_ERRORS_H
#define _AMT_ERRORS_H

#include "lib/ferr.h"

/*
 * lib/ferr.h reserves no range for amtd.  This one follows the last range it
 * hands out (PATH_FERR_*) and is below zebra's.
 */
#define AMT_FERR_START 0x12000001
#define AMT_FERR_END   0x12FFFFFF

enum amt_log_refs {
	/* A pseudo-interface (tun device) could not be created or set up. */
	EC_AMT_PSEUDO_IF = AMT_FERR_START,
	/* A relay or gateway UDP socket could not be opened or bound. */
	EC_AMT_SOCKET,
	/* A gateway gave a relay up: no answer, an ICMP error. */
	EC_AMT_RELAY_UNREACHABLE,
	/* The DNS resolver (c-ares) could not be set up. */
	EC_AMT_DNS_RESOLVER,
	/* DNS relay discovery found no usable relay, or a bad answer. */
	EC_AMT_DNS_DISCOVERY,
	/* A gateway could not hold a join of pimd on its pseudo-interface. */
	EC_AMT_PIM_JOIN,
	/* No random secret for the response MAC. */
	EC_AMT_MAC_SECRET,
	/* A pseudo-interface was put into a VRF other than the default. */
	EC_AMT_VRF,
	/* A relay's restart snapshot was ignored, or could not be written. */
	EC_AMT_SNAPSHOT,
	/* The anycast discovery address could not be installed or removed. */
	EC_AMT_ANYCAST_ROUTE,
};

extern void amt_error_init(void);

#endif /* _AMT_ERRORS_H */
