// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AMT relay restart snapshot: the relay's MAC secrets (current and previous,
 * with their remaining lifetimes) and its tunnels (endpoint, relay socket,
 * nonces, membership with remaining timers), as one versioned binary blob
 * that ends in a SHA-256 of everything before it.
 *
 * Pure code over buffers: no files, sockets or clocks.  Every time is a
 * duration in milliseconds relative to the moment the snapshot was taken
 * (written_ms, wall clock), so that a restore can subtract the time the
 * relay was down.
 *
 * A snapshot comes from a file and is read as hostile input: amt_snap_open()
 * checks the magic, version, length and checksum and then walks the whole
 * body, checking every length, count and value, before the reader hands out
 * anything; the amt_snap_read_*() calls after a successful open cannot
 * fail except by being called out of order.
 */
#ifndef _AMT_RELAY_SNAPSHOT_H
#define _AMT_RELAY_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "amt_group_record.h"
#include "amt_mac.h"
#include "amt_packet.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AMT_SNAP_MAGIC	 0x414d5453 /* "AMTS" */
#define AMT_SNAP_VERSION 1
#define AMT_SNAP_SUM_LEN 32 /* SHA-256 trailer */

/* Fixed sizes on the wire (big-endian), for bounds checks and tests. */
#define AMT_SNAP_HEADER_LEN 174
#define AMT_SNAP_TUNNEL_LEN 63
#define AMT_SNAP_GROUP_LEN  46
#define AMT_SNAP_SOURCE_LEN 24
#define AMT_SNAP_MIN_LEN    (AMT_SNAP_HEADER_LEN + AMT_SNAP_SUM_LEN)
/* No remaining time beyond this (about 49 days): keeps now + left sane. */
#define AMT_SNAP_MAX_LEFT_MS 0xffffffffULL

enum amt_snap_error {
	AMT_SNAP_OK = 0,
	/* Shorter than its header or than the length the header gives. */
	AMT_SNAP_TRUNCATED,
	AMT_SNAP_BAD_MAGIC,
	/* Another format version: its layout is not known here. */
	AMT_SNAP_BAD_VERSION,
	/* Longer than the length the header gives. */
	AMT_SNAP_BAD_LENGTH,
	AMT_SNAP_BAD_CHECKSUM,
	/* Checksum right, content wrong: counts, families, modes, timers. */
	AMT_SNAP_MALFORMED,
	/* Read calls out of order (a program error, not the file's). */
	AMT_SNAP_SEQUENCE,
	/* A journal written after another base snapshot (left by a crash in a compaction). */
	AMT_SNAP_STALE_JOURNAL,
	AMT_SNAP_ERROR_MAX,
};

extern const char *amt_snap_error_str(enum amt_snap_error err);

/* What the relay's sockets were bound to; a snapshot only fits the same. */
struct amt_snap_config {
	uint16_t port;
	struct amt_ipaddr local[2];	/* [0] IPv4, [1] IPv6; family 0: none */
	struct amt_ipaddr discovery[2];
};

extern bool amt_snap_config_same(const struct amt_snap_config *a, const struct amt_snap_config *b);

struct amt_snap_header {
	struct amt_snap_config cfg;
	/* Wall clock (CLOCK_REALTIME) when taken, milliseconds. */
	uint64_t written_ms;
	bool has_cur, has_prev;
	uint8_t cur[AMT_MAC_SECRET_LEN];
	uint8_t prev[AMT_MAC_SECRET_LEN];
	/* How long ago the current secret was installed. */
	uint64_t cur_age_ms;
	/* How long the previous secret was still to be accepted. */
	uint64_t prev_left_ms;
	/* Set by amt_snap_open(); ignored by the writer (it counts). */
	uint32_t tunnels;
};

struct amt_snap_tunnel {
	struct amt_ipaddr gw;
	uint16_t gw_port;
	/* The relay socket it used: bound address and whether a discovery one. */
	struct amt_ipaddr local;
	bool discovery;
	uint32_t nonce;
	uint32_t query_nonce;
	uint64_t age_ms;	 /* since the tunnel was created */
	uint64_t update_age_ms; /* since its last Update */
	uint16_t groups;
};

struct amt_snap_group {
	uint8_t family; /* AF_INET or AF_INET6 */
	union amt_ip group;
	uint8_t mode; /* enum amt_filter_mode */
	/* Remaining times; 0 = not running.  group_left_ms is > 0 iff EXCLUDE. */
	uint64_t group_left_ms;
	uint64_t v1_left_ms;
	uint64_t v2_left_ms;
	uint32_t sources;
};

struct amt_snap_source {
	union amt_ip addr;
	/* Remaining source timer; 0 = stopped (EXCLUDE mode: excluded). */
	uint64_t left_ms;
};

/* ------------------------------------------------------------- writing */

struct amt_snap_writer {
	uint8_t *buf;
	size_t len, cap;
	uint32_t tunnels;
	/* What the last tunnel / group announced and is still owed. */
	uint32_t groups_left, sources_left;
	uint8_t family; /* of the group whose sources follow */
	bool bad;
	/* Journal writers: the base they follow, and the record being written. */
	bool journal, rec_open;
	size_t rec_start;
	uint32_t records;
	uint8_t base_id[AMT_SNAP_SUM_LEN];
};

extern void amt_snap_writer_init(struct amt_snap_writer *w, const struct amt_snap_header *h);
extern void amt_snap_put_tunnel(struct amt_snap_writer *w, const struct amt_snap_tunnel *t);
extern void amt_snap_put_group(struct amt_snap_writer *w, const struct amt_snap_group *g);
extern void amt_snap_put_source(struct amt_snap_writer *w, const struct amt_snap_source *s);
/*
 * Seal the snapshot (tunnel count, length, checksum).  Returns 0 with *buf and *len,
 * the buffer valid until amt_snap_writer_free(), or -1 when the announced
 * counts were not met or a value cannot be encoded.
 */
extern int amt_snap_writer_finish(struct amt_snap_writer *w, const uint8_t **buf, size_t *len);
extern void amt_snap_writer_free(struct amt_snap_writer *w);

/* ------------------------------------------------------------- reading */

struct amt_snap_reader {
	const uint8_t *buf;
	size_t end; /* where the checksum starts */
	size_t off;
	uint32_t tunnels_left, groups_left, sources_left;
};

/* Check the whole snapshot; on AMT_SNAP_OK, *h is the header. */
extern enum amt_snap_error amt_snap_open(struct amt_snap_reader *r, const uint8_t *buf, size_t len,
					 struct amt_snap_header *h);
/* In order: each tunnel, then its groups, each followed by its sources. */
extern enum amt_snap_error amt_snap_read_tunnel(struct amt_snap_reader *r,
						struct amt_snap_tunnel *t);
extern enum amt_snap_error amt_snap_read_group(struct amt_snap_reader *r, struct amt_snap_group *g);
extern enum amt_snap_error amt_snap_read_source(struct amt_snap_reader *r,
						struct amt_snap_source *s);

/* ------------------------------------------------------------- journal */

/*
 * Between two base snapshots, changes are appended to a journal: per-tunnel
 * records (the tunnel as the base encodes it, or its deletion) and the
 * secrets when they rotate.  Each record has its own length, time and
 * checksum, so that a record torn by a crash is found and dropped:
 *
 *   header  magic "AMTJ"(4) version(2) zero(2) base id(32)
 *   record  len(4) type(1) written_ms(8) body(len - 9) sum(8)
 *           upsert:  tunnel, its groups and sources, as in the base
 *           delete:  gw addr(17) gw port(2)
 *           secrets: flags(2) cur(32) cur_age_ms(8) prev(32) prev_left_ms(8)
 *
 * The base id is the base's SHA-256 trailer: a journal only applies to the
 * base it was started after.  A record's sum is the first 8 bytes of the
 * SHA-256 of the base id followed by the record from len to the body's end
 * (so no record from another journal can be spliced in).  written_ms is
 * the wall clock of the record; its remaining times count from it.
 */
#define AMT_JNL_MAGIC	       0x414d544a /* "AMTJ" */
#define AMT_JNL_VERSION	       1
#define AMT_JNL_HEADER_LEN     (8 + AMT_SNAP_SUM_LEN)
#define AMT_JNL_REC_SUM_LEN    8
/* len, type, written_ms and sum around a record's body. */
#define AMT_JNL_REC_OVERHEAD   (4 + 1 + 8 + AMT_JNL_REC_SUM_LEN)
#define AMT_JNL_DELETE_BODY    19
#define AMT_JNL_SECRETS_BODY   (2 + 2 * (AMT_MAC_SECRET_LEN + 8))

enum amt_jnl_type {
	AMT_JNL_UPSERT = 1,
	AMT_JNL_DELETE = 2,
	AMT_JNL_SECRETS = 3,
};

/* The journal's header, for a base whose trailer is base_id. */
extern void amt_jnl_header(uint8_t out[AMT_JNL_HEADER_LEN],
			   const uint8_t base_id[AMT_SNAP_SUM_LEN]);
/* Records to append to that journal (no header: amt_jnl_header() is its own). */
extern void amt_jnl_writer_init(struct amt_snap_writer *w, const uint8_t base_id[AMT_SNAP_SUM_LEN]);
/* An upsert: the tunnel, then its groups and sources with amt_snap_put_*(). */
extern void amt_jnl_put_upsert(struct amt_snap_writer *w, uint64_t written_ms,
			       const struct amt_snap_tunnel *t);
extern void amt_jnl_put_delete(struct amt_snap_writer *w, uint64_t written_ms,
			       const struct amt_ipaddr *gw, uint16_t gw_port);
/* The secrets of h (has_cur, cur, cur_age_ms, has_prev, prev, prev_left_ms). */
extern void amt_jnl_put_secrets(struct amt_snap_writer *w, uint64_t written_ms,
				const struct amt_snap_header *h);
/* The records, sealed; -1 as amt_snap_writer_finish(). */
extern int amt_jnl_writer_finish(struct amt_snap_writer *w, const uint8_t **buf, size_t *len);

/* ------------------------------------------------------------- restore */

/* One tunnel of the restored state: where its encoding is, and its time. */
struct amt_snap_entry {
	struct amt_ipaddr gw;
	uint16_t gw_port;
	bool deleted;
	bool journal; /* in the journal's buffer, else the base's */
	uint32_t seq; /* order of appearance: base first, then the journal */
	uint32_t off, end;
	uint64_t written_ms;
};

struct amt_snap_state {
	/* The base's header; its secrets replaced by the journal's last ones. */
	struct amt_snap_header h;
	/* Wall clock the secrets' times count from. */
	uint64_t secrets_ms;
	/* Wall clock of the newest thing read (base or journal record). */
	uint64_t last_ms;
	/* The tunnels after the journal, by endpoint; no deleted ones. */
	struct amt_snap_entry *entries;
	size_t n;
	const uint8_t *base, *jnl;
	/* The journal: how far it was good, how many records it gave. */
	enum amt_snap_error jnl_err; /* OK, or why its replay stopped / it was ignored */
	size_t jnl_good;
	uint32_t jnl_records;
	/* 1 when a bad record ended the replay (what followed is unknown). */
	uint32_t jnl_dropped;
};

/*
 * The base snapshot (checked as amt_snap_open()) and then the journal's
 * records in order (jnl may be NULL).  A journal of another base is ignored
 * as a whole (jnl_err AMT_SNAP_STALE_JOURNAL); a bad record (torn, wrong
 * checksum, malformed) ends the replay there (jnl_err says why).  Returns
 * the base's error: on anything but AMT_SNAP_OK nothing is to be taken.
 */
extern enum amt_snap_error amt_snap_state_load(struct amt_snap_state *st, const uint8_t *base,
					       size_t blen, const uint8_t *jnl, size_t jlen);
extern void amt_snap_state_free(struct amt_snap_state *st);
/* Entries by endpoint (family, address, port): <0, 0, >0. */
extern int amt_snap_entry_key_cmp(const struct amt_snap_entry *a, const struct amt_snap_entry *b);
/* A reader over one entry: amt_snap_read_tunnel(), then its groups and sources. */
extern void amt_snap_entry_reader(const struct amt_snap_state *st, const struct amt_snap_entry *e,
				  struct amt_snap_reader *r);

#ifdef __cplusplus
}
#endif

#endif /* _AMT_RELAY_SNAPSHOT_H */
