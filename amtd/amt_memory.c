// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * amtd memory group.
 */
#include <zebra.h>

#include "amt_memory.h"

DEFINE_MGROUP(AMTD, "amtd");
