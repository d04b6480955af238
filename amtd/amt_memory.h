// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * amtd memory group.  Each file defines its own MTYPEs with
 * DEFINE_MTYPE_STATIC(AMTD, ...), so `show memory amtd` breaks usage down.
 */
#ifndef _AMT_MEMORY_H
#define _AMT_MEMORY_H

#include "memory.h"

DECLARE_MGROUP(AMTD);

#endif /* _AMT_MEMORY_H */
