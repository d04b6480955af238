// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * amtd CLI: configuration nodes, show and debug commands.
 */
#ifndef _AMT_VTY_H
#define _AMT_VTY_H

extern void amt_vty_init(void);

#endif /* _AMT_VTY_H */
