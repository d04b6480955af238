// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * amtd CLI: configuration nodes, show and debug commands.
 */
#ifndef _AMT_VTY_H
#define _AMT_VTY_H

extern void amt_vty_init(void);

struct vty;

/* Set (or with `no`, unset) a leaf of the current instance node. */
extern int amt_cli_leaf(struct vty *vty, const char *leaf, bool no, const char *value);
/* Add (or with `no`, remove) a value of a leaf-list of the current node. */
extern int amt_cli_leaf_list(struct vty *vty, const char *leaf, bool no, const char *value);

#endif /* _AMT_VTY_H */
