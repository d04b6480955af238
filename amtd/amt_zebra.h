// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * amtd's zclient: interfaces, addresses and router-id from zebra.
 */
#ifndef _AMT_ZEBRA_H
#define _AMT_ZEBRA_H

extern void amt_zebra_init(void);
extern void amt_zebra_terminate(void);
extern bool amt_zebra_is_connected(void);

#endif /* _AMT_ZEBRA_H */
