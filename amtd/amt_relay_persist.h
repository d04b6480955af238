// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AMT relay restart state: the relay's MAC secrets and tunnels are kept in
 * a base snapshot and a journal of per-tunnel changes (amt_relay_snapshot.c)
 * under FRR's state directory, written at most a second after a change, and
 * restored when amtd starts again, so that gateways keep receiving without
 * a new handshake.
 */
#ifndef _AMT_RELAY_PERSIST_H
#define _AMT_RELAY_PERSIST_H

#include <stdbool.h>
#include <stdint.h>

#include "amt_relay_snapshot.h"

struct amt_relay;
struct amt_tunnel;
struct json_object;
struct ttable;

/* What the relay's restore and snapshot writes did, for show and YANG. */
struct amt_relay_persist_stats {
	/* From the snapshot read at start (or at the first configuration). */
	uint32_t tunnels_restored;
	uint32_t groups_restored;
	/* Restored entries refused: no socket, limits, invalid, duplicate. */
	uint32_t entries_skipped;
	/* Snapshot files ignored: truncated, corrupt, other version/config. */
	uint32_t snapshots_rejected;
	/* Base snapshots written (each starts a new journal). */
	uint64_t snapshots_written;
	uint64_t write_errors;
	/* Journal: records replayed at start, and bad records (or files) dropped. */
	uint32_t journal_records_replayed;
	uint32_t journal_records_dropped;
	/* Flushes that appended to the journal, and their records. */
	uint64_t journal_appends;
	uint64_t journal_records_written;
	/* Into both files, since start. */
	uint64_t bytes_written;
	/* How long the relay was down, by the snapshot's wall clock. */
	uint64_t downtime_ms;
	bool restored;
	/* Why the last snapshot was ignored ("" when none was). */
	char last_reject[64];
};

extern struct amt_relay_persist *amt_relay_persist_new(struct amt_relay *relay);
/*
 * The relay goes away: while amtd shuts down cleanly a final snapshot is
 * written; otherwise (deconfigured) the file is removed.
 */
extern void amt_relay_persist_free(struct amt_relay *relay);
/* The relay's configuration was applied: restore once, then keep writing. */
extern void amt_relay_persist_configured(struct amt_relay *relay);
/* Everything is to be written again (configuration): a new base within a second. */
extern void amt_relay_persist_dirty(struct amt_relay *relay);
/* One tunnel changed or is going away: its journal record within a second. */
extern void amt_relay_persist_tunnel_dirty(struct amt_tunnel *t);
/* The MAC secrets rotated: a journal record within a second. */
extern void amt_relay_persist_secrets_dirty(struct amt_relay *relay);
/* amtd is shutting down cleanly (SIGTERM/SIGINT): keep the files. */
/* The configuration read at start begins and ends (XFRR markers). */
extern void amt_relay_persist_config_start(void);
extern void amt_relay_persist_config_end(void);
extern void amt_relay_persist_shutdown(void);
extern const struct amt_relay_persist_stats *amt_relay_persist_stats(const struct amt_relay *relay);
extern /* The journal file beside the base snapshot ("" when none is kept). */
const char *amt_relay_persist_journal_path(const struct amt_relay *relay);
const char *amt_relay_persist_path(const struct amt_relay *relay);
/* `show amt relay`: a "restart" object in json, else rows of tt. */
extern void amt_relay_persist_show(const struct amt_relay *relay, struct json_object *json,
				   struct ttable *tt);

#endif /* _AMT_RELAY_PERSIST_H */
