// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Show commands whose output takes many events: a relay's 100,000 tunnels
 * are 27 MiB of JSON, about 3 s of CPU that would stop the relay (control
 * and data) for as long.  Such a command prints a slice and returns; the
 * rest follows in later events, with the relay's reads between them, and
 * vtysh is told the command ended once the last slice is out.
 */
#ifndef _AMT_VTY_SLICES_H
#define _AMT_VTY_SLICES_H

#include <stdbool.h>

struct vty;

/*
 * Print the next slice of the output into vty; true once the output is
 * complete.  Each call must make progress.
 */
typedef bool (*amt_vty_slice_fn)(struct vty *vty, void *arg);

/*
 * Run print until it completes: the first slice now, the others in later
 * events for a vtysh session; all at once for a terminal or a file (vtysh
 * is the only client that waits for a command's end marker).  free_arg is
 * called with arg when the output is complete or given up (vtysh gone,
 * amtd stopping).  Returns the command's status.
 */
extern int amt_vty_sliced(struct vty *vty, amt_vty_slice_fn print, void (*free_arg)(void *arg),
			  void *arg);

/* Outputs in progress, for "show amt" and the tests. */
extern unsigned int amt_vty_slices_running(void);
/* Outputs sliced since the start (more than one slice). */
extern unsigned long amt_vty_slices_total(void);

/* amtd stops: every output in progress is given up before the vtys close. */
extern void amt_vty_slices_terminate(void);

#endif /* _AMT_VTY_SLICES_H */
