// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The pseudo-interfaces of amtd: Linux tun devices.
 */
#ifndef _AMT_TUN_H
#define _AMT_TUN_H

#include <stdbool.h>
#include <stddef.h>

/* 1500 less IPv6 (40), UDP (8) and the AMT data header (2). */
#define AMT_TUN_MTU 1450

/*
 * Create (or re-attach to) the tun device `name`, mark it persistent so that
 * an amtd restart leaves it and the state zebra and pimd keep on it in place,
 * and bring it up.  Returns a non-blocking fd, or -1 with `err` filled in.
 */
extern int amt_tun_open(const char *name, int *ifindex, char *err, size_t errlen);

/* Close a tun fd; with `remove`, the device goes away with it. */
extern void amt_tun_close(int fd, bool remove);

#endif /* _AMT_TUN_H */
