// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AMT relay CLI.
 */
#ifndef _AMT_RELAY_VTY_H
#define _AMT_RELAY_VTY_H

extern void amt_relay_vty_init(void);

#endif /* _AMT_RELAY_VTY_H */
