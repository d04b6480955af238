// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AMT relay CLI.
 */
#ifndef _AMT_RELAY_VTY_H
#define _AMT_RELAY_VTY_H

#include <stdbool.h>

struct vty;
union sockunion;

extern void amt_relay_vty_init(void);

/*
 * "show amt relay [IFNAME] tunnels ...": every relay's tunnels (or name's),
 * all or gateway gw's, in slices (amt_relay_listing.c).
 */
extern int amt_show_relay_tunnels(struct vty *vty, const char *name, bool json, bool detail,
				  const union sockunion *gw);

#endif /* _AMT_RELAY_VTY_H */
