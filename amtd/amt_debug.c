// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * amtd debugging switches: "debug amt ...".
 */
#include <zebra.h>

#include "lib/debug.h"

#include "amt_debug.h"

/* clang-format off */
struct debug amt_dbg_events = {0, "debug amt events", "AMT instance events"};
struct debug amt_dbg_northbound = {0, "debug amt northbound", "AMT northbound"};
struct debug amt_dbg_packets = {0, "debug amt packets", "AMT packets"};
struct debug amt_dbg_zebra = {0, "debug amt zebra", "AMT zebra events"};
/* clang-format on */

void amt_debug_set(int vtynode, bool onoff, bool events, bool nb, bool packets, bool zebra)
{
	uint32_t mode = DEBUG_NODE2MODE(vtynode);

	if (events)
		DEBUG_MODE_SET(&amt_dbg_events, mode, onoff);
	if (nb)
		DEBUG_MODE_SET(&amt_dbg_northbound, mode, onoff);
	if (packets)
		DEBUG_MODE_SET(&amt_dbg_packets, mode, onoff);
	if (zebra)
		DEBUG_MODE_SET(&amt_dbg_zebra, mode, onoff);
}

void amt_debug_init(void)
{
	debug_install(&amt_dbg_events);
	debug_install(&amt_dbg_northbound);
	debug_install(&amt_dbg_packets);
	debug_install(&amt_dbg_zebra);
}
