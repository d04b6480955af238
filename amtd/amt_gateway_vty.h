// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AMT gateway CLI.
 */
#ifndef _AMT_GATEWAY_VTY_H
#define _AMT_GATEWAY_VTY_H

extern void amt_gateway_vty_init(void);

#endif /* _AMT_GATEWAY_VTY_H */
