// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * amtd debugging switches: "debug amt ...".
 */
#ifndef _AMT_DEBUG_H
#define _AMT_DEBUG_H

#include "lib/debug.h"

extern struct debug amt_dbg_events;
extern struct debug amt_dbg_northbound;
extern struct debug amt_dbg_packets;
extern struct debug amt_dbg_zebra;

extern void amt_debug_init(void);
extern void amt_debug_set(int vtynode, bool onoff, bool events, bool nb, bool packets, bool zebra);

#endif /* _AMT_DEBUG_H */
