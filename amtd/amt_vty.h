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

/*
 * Text output of the show commands is for people: name/value columns and
 * tables aligned by lib/termtable.h, as pimd's; JSON comes only with
 * `json`.  A block of rows (a struct amt_show_row array) serves both: the
 * JSON is built from it and the text is its labelled view of that JSON, so
 * a new counter is one line in its array.
 */
struct ttable;
struct json_object;

struct amt_show_row {
	/* JSON object the key is in (a heading in the text); NULL: top level. */
	const char *section;
	/* JSON key; unchanged, topotests read them. */
	const char *key;
	/* What the text output calls it. */
	const char *name;
	/* A uint64_t counter in the statistics structure the block is for. */
	size_t offset;
};

/* A row for a counter `field` of the statistics structure `type`. */
#define AMT_SHOW_COUNTER(section, key, name, type, field)                                          \
	{                                                                                          \
		(section), (key), (name), offsetof(type, field)                                    \
	}
/* A row whose JSON value is built elsewhere (only shown in the text). */
#define AMT_SHOW_VALUE(section, key, name)                                                         \
	{                                                                                          \
		(section), (key), (name), 0                                                        \
	}

/* A heading of the text output for a section of the JSON. */
struct amt_show_section {
	const char *key;
	const char *title;
};

/* A name/value table of `indent` columns' indentation. */
extern struct ttable *amt_table_new(int indent);
/* A name/value row; the value is printf-formatted. */
extern void amt_table_row(struct ttable *tt, const char *name, const char *fmt, ...) PRINTFRR(3, 4);
/* Print the table (the last column right-aligned if `numbers`), free it. */
extern void amt_table_print(struct vty *vty, struct ttable *tt, bool numbers);

/* Add the counters of `stats` the rows describe to `json`. */
extern void amt_show_counters_json(struct json_object *json, const void *stats,
				   const struct amt_show_row *rows, size_t nrows);
/*
 * Print the rows' values from `json` as an aligned name/value table, under
 * the headings `sections` gives their sections.
 */
extern void amt_show_rows_text(struct vty *vty, struct json_object *json,
			       const struct amt_show_row *rows, size_t nrows,
			       const struct amt_show_section *sections, size_t nsections);

#endif /* _AMT_VTY_H */
