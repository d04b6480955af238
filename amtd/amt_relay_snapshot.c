// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AMT relay restart snapshot: encoding and checked decoding.
 *
 * Layout (all integers big-endian; an address is a family byte 0, 4 or 6
 * followed by 16 bytes, zero beyond the family's length):
 *
 *   header   magic(4) version(2) flags(2) total_len(4) written_ms(8)
 *            port(2) local v4, local v6, discovery v4, discovery v6 (4 x 17)
 *            cur secret(32) cur_age_ms(8) prev secret(32) prev_left_ms(8)
 *            tunnel count(4)
 *   tunnel   gw addr(17) gw port(2) local addr(17) discovery(1) nonce(4)
 *            query_nonce(4) age_ms(8) update_age_ms(8) group count(2)
 *   group    family(1: 4 or 6) group(16) mode(1) group_left_ms(8)
 *            v1_left_ms(8) v2_left_ms(8) source count(4)
 *   source   addr(16) left_ms(8)
 *   trailer  SHA-256 of everything before it (32)
 *
 * The flags say which secrets are present (bit 0 current, bit 1 previous);
 * an absent secret is zero on the wire.
 */
#include <zebra.h>

#include <string.h>

#include "memory.h"
#include "sha256.h"

#include "amt_memory.h"
#include "amt_membership.h"
#include "amt_relay_snapshot.h"

DEFINE_MTYPE_STATIC(AMTD, AMT_SNAPSHOT, "AMT relay snapshot buffer");

#define AMT_SNAP_F_CUR	0x0001
#define AMT_SNAP_F_PREV 0x0002
/* Offsets of fields patched by the writer. */
#define AMT_SNAP_OFF_TOTAL   8
#define AMT_SNAP_OFF_TUNNELS (AMT_SNAP_HEADER_LEN - 4)

const char *amt_snap_error_str(enum amt_snap_error err)
{
	switch (err) {
	case AMT_SNAP_OK:
		return "ok";
	case AMT_SNAP_TRUNCATED:
		return "truncated";
	case AMT_SNAP_BAD_MAGIC:
		return "not a relay snapshot";
	case AMT_SNAP_BAD_VERSION:
		return "another format version";
	case AMT_SNAP_BAD_LENGTH:
		return "trailing bytes";
	case AMT_SNAP_BAD_CHECKSUM:
		return "checksum mismatch";
	case AMT_SNAP_MALFORMED:
		return "malformed content";
	case AMT_SNAP_SEQUENCE:
		return "read out of order";
	case AMT_SNAP_STALE_JOURNAL:
		return "journal of another base snapshot";
	case AMT_SNAP_ERROR_MAX:
		break;
	}
	return "?";
}

static bool amt_snap_addr_same(const struct amt_ipaddr *a, const struct amt_ipaddr *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == AF_INET)
		return !memcmp(a->ip.bytes, b->ip.bytes, 4);
	if (a->family == AF_INET6)
		return !memcmp(a->ip.bytes, b->ip.bytes, 16);
	return true;
}

bool amt_snap_config_same(const struct amt_snap_config *a, const struct amt_snap_config *b)
{
	if (a->port != b->port)
		return false;
	for (int i = 0; i < 2; i++)
		if (!amt_snap_addr_same(&a->local[i], &b->local[i]) ||
		    !amt_snap_addr_same(&a->discovery[i], &b->discovery[i]))
			return false;
	return true;
}

/* ------------------------------------------------------------- writing */

static uint8_t *amt_snap_room(struct amt_snap_writer *w, size_t n)
{
	uint8_t *p;

	if (w->bad)
		return NULL;
	if (w->cap - w->len < n) {
		size_t cap = w->cap ? w->cap : 4096;

		while (cap - w->len < n)
			cap *= 2;
		w->buf = XREALLOC(MTYPE_AMT_SNAPSHOT, w->buf, cap);
		w->cap = cap;
	}
	p = w->buf + w->len;
	w->len += n;
	return p;
}

static void amt_snap_put8(struct amt_snap_writer *w, uint8_t v)
{
	uint8_t *p = amt_snap_room(w, 1);

	if (p)
		*p = v;
}

static void amt_snap_putn(struct amt_snap_writer *w, uint64_t v, size_t n)
{
	uint8_t *p = amt_snap_room(w, n);

	if (!p)
		return;
	for (size_t i = 0; i < n; i++)
		p[i] = v >> (8 * (n - 1 - i));
}

static void amt_snap_putmem(struct amt_snap_writer *w, const void *src, size_t n)
{
	uint8_t *p = amt_snap_room(w, n);

	if (p)
		memcpy(p, src, n);
}

static void amt_snap_put_ip(struct amt_snap_writer *w, uint8_t family, const union amt_ip *ip)
{
	uint8_t b[16] = {};

	if (family == AF_INET)
		memcpy(b, ip->bytes, 4);
	else if (family == AF_INET6)
		memcpy(b, ip->bytes, 16);
	else if (family != 0)
		w->bad = true;
	amt_snap_putmem(w, b, sizeof(b));
}

static void amt_snap_put_addr(struct amt_snap_writer *w, const struct amt_ipaddr *a)
{
	amt_snap_put8(w, a->family == AF_INET ? 4 : a->family == AF_INET6 ? 6 : 0);
	amt_snap_put_ip(w, a->family, &a->ip);
}

static uint64_t amt_snap_left(uint64_t v)
{
	return v > AMT_SNAP_MAX_LEFT_MS ? AMT_SNAP_MAX_LEFT_MS : v;
}

void amt_snap_writer_init(struct amt_snap_writer *w, const struct amt_snap_header *h)
{
	static const uint8_t zero[AMT_MAC_SECRET_LEN];

	memset(w, 0, sizeof(*w));
	amt_snap_putn(w, AMT_SNAP_MAGIC, 4);
	amt_snap_putn(w, AMT_SNAP_VERSION, 2);
	amt_snap_putn(w, (h->has_cur ? AMT_SNAP_F_CUR : 0) | (h->has_prev ? AMT_SNAP_F_PREV : 0),
		      2);
	amt_snap_putn(w, 0, 4); /* total length, patched */
	amt_snap_putn(w, h->written_ms, 8);
	amt_snap_putn(w, h->cfg.port, 2);
	amt_snap_put_addr(w, &h->cfg.local[0]);
	amt_snap_put_addr(w, &h->cfg.local[1]);
	amt_snap_put_addr(w, &h->cfg.discovery[0]);
	amt_snap_put_addr(w, &h->cfg.discovery[1]);
	amt_snap_putmem(w, h->has_cur ? h->cur : zero, AMT_MAC_SECRET_LEN);
	amt_snap_putn(w, h->has_cur ? h->cur_age_ms : 0, 8);
	amt_snap_putmem(w, h->has_prev ? h->prev : zero, AMT_MAC_SECRET_LEN);
	amt_snap_putn(w, h->has_prev ? amt_snap_left(h->prev_left_ms) : 0, 8);
	amt_snap_putn(w, 0, 4); /* tunnel count, patched */
}

void amt_snap_put_tunnel(struct amt_snap_writer *w, const struct amt_snap_tunnel *t)
{
	if (w->groups_left || w->sources_left ||
	    (t->gw.family != AF_INET && t->gw.family != AF_INET6) || w->tunnels == UINT32_MAX) {
		w->bad = true;
		return;
	}
	amt_snap_put_addr(w, &t->gw);
	amt_snap_putn(w, t->gw_port, 2);
	amt_snap_put_addr(w, &t->local);
	amt_snap_put8(w, t->discovery);
	amt_snap_putn(w, t->nonce, 4);
	amt_snap_putn(w, t->query_nonce, 4);
	amt_snap_putn(w, t->age_ms, 8);
	amt_snap_putn(w, t->update_age_ms, 8);
	amt_snap_putn(w, t->groups, 2);
	w->tunnels++;
	w->groups_left = t->groups;
}

void amt_snap_put_group(struct amt_snap_writer *w, const struct amt_snap_group *g)
{
	if (!w->groups_left || w->sources_left ||
	    (g->family != AF_INET && g->family != AF_INET6)) {
		w->bad = true;
		return;
	}
	amt_snap_put8(w, g->family == AF_INET ? 4 : 6);
	amt_snap_put_ip(w, g->family, &g->group);
	amt_snap_put8(w, g->mode);
	amt_snap_putn(w, amt_snap_left(g->group_left_ms), 8);
	amt_snap_putn(w, amt_snap_left(g->v1_left_ms), 8);
	amt_snap_putn(w, amt_snap_left(g->v2_left_ms), 8);
	amt_snap_putn(w, g->sources, 4);
	w->groups_left--;
	w->sources_left = g->sources;
	w->family = g->family;
}

void amt_snap_put_source(struct amt_snap_writer *w, const struct amt_snap_source *s)
{
	if (!w->sources_left) {
		w->bad = true;
		return;
	}
	amt_snap_put_ip(w, w->family, &s->addr);
	amt_snap_putn(w, amt_snap_left(s->left_ms), 8);
	w->sources_left--;
}

static void amt_snap_patch(uint8_t *p, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = v >> (8 * (n - 1 - i));
}

static uint64_t amt_snap_patch_get(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

int amt_snap_writer_finish(struct amt_snap_writer *w, const uint8_t **buf, size_t *len)
{
	SHA256_CTX ctx;
	uint8_t *sum;

	if (w->groups_left || w->sources_left || w->len > UINT32_MAX - AMT_SNAP_SUM_LEN)
		w->bad = true;
	if (w->bad)
		return -1;
	amt_snap_patch(w->buf + AMT_SNAP_OFF_TOTAL, w->len + AMT_SNAP_SUM_LEN, 4);
	amt_snap_patch(w->buf + AMT_SNAP_OFF_TUNNELS, w->tunnels, 4);
	SHA256_Init(&ctx);
	SHA256_Update(&ctx, w->buf, w->len);
	sum = amt_snap_room(w, AMT_SNAP_SUM_LEN);
	if (!sum)
		return -1;
	SHA256_Final(sum, &ctx);
	*buf = w->buf;
	*len = w->len;
	return 0;
}

void amt_snap_writer_free(struct amt_snap_writer *w)
{
	/* The buffer holds the MAC secrets. */
	if (w->buf)
		explicit_bzero(w->buf, w->cap);
	XFREE(MTYPE_AMT_SNAPSHOT, w->buf);
	memset(w, 0, sizeof(*w));
}

/* ------------------------------------------------------------- reading */

/* Callers check the room first; these only read. */
static uint64_t amt_snap_getn(struct amt_snap_reader *r, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v = (v << 8) | r->buf[r->off + i];
	r->off += n;
	return v;
}

static bool amt_snap_room_ok(const struct amt_snap_reader *r, size_t n)
{
	return r->off <= r->end && r->end - r->off >= n;
}

/* An address of family `family` (AF_*): the bytes beyond its length are zero. */
static bool amt_snap_get_ip(struct amt_snap_reader *r, uint8_t family, union amt_ip *ip)
{
	size_t alen = family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;

	memset(ip, 0, sizeof(*ip));
	memcpy(ip->bytes, r->buf + r->off, alen);
	for (size_t i = alen; i < 16; i++)
		if (r->buf[r->off + i])
			return false;
	r->off += 16;
	return true;
}

/* Family byte and address; allow_none: family 0 (all zero) accepted. */
static bool amt_snap_get_addr(struct amt_snap_reader *r, struct amt_ipaddr *a, bool allow_none)
{
	uint8_t code = r->buf[r->off++];

	memset(a, 0, sizeof(*a));
	if (code == 4)
		a->family = AF_INET;
	else if (code == 6)
		a->family = AF_INET6;
	else if (code != 0 || !allow_none)
		return false;
	return amt_snap_get_ip(r, a->family, &a->ip);
}

static enum amt_snap_error amt_snap_parse_tunnel(struct amt_snap_reader *r,
						 struct amt_snap_tunnel *t)
{
	uint8_t disc;

	if (!r->tunnels_left || r->groups_left || r->sources_left)
		return AMT_SNAP_SEQUENCE;
	if (!amt_snap_room_ok(r, AMT_SNAP_TUNNEL_LEN))
		return AMT_SNAP_MALFORMED;
	memset(t, 0, sizeof(*t));
	if (!amt_snap_get_addr(r, &t->gw, false))
		return AMT_SNAP_MALFORMED;
	t->gw_port = amt_snap_getn(r, 2);
	if (!amt_snap_get_addr(r, &t->local, false))
		return AMT_SNAP_MALFORMED;
	disc = amt_snap_getn(r, 1);
	if (disc > 1)
		return AMT_SNAP_MALFORMED;
	t->discovery = disc;
	t->nonce = amt_snap_getn(r, 4);
	t->query_nonce = amt_snap_getn(r, 4);
	t->age_ms = amt_snap_getn(r, 8);
	t->update_age_ms = amt_snap_getn(r, 8);
	t->groups = amt_snap_getn(r, 2);
	/* A tunnel without groups has no state (it would have been freed). */
	if (t->groups == 0 ||
	    (r->end - r->off) / AMT_SNAP_GROUP_LEN < t->groups)
		return AMT_SNAP_MALFORMED;
	r->tunnels_left--;
	r->groups_left = t->groups;
	return AMT_SNAP_OK;
}

static enum amt_snap_error amt_snap_parse_group(struct amt_snap_reader *r,
						struct amt_snap_group *g)
{
	uint8_t code;

	if (!r->groups_left || r->sources_left)
		return AMT_SNAP_SEQUENCE;
	if (!amt_snap_room_ok(r, AMT_SNAP_GROUP_LEN))
		return AMT_SNAP_MALFORMED;
	memset(g, 0, sizeof(*g));
	code = amt_snap_getn(r, 1);
	if (code != 4 && code != 6)
		return AMT_SNAP_MALFORMED;
	g->family = code == 4 ? AF_INET : AF_INET6;
	if (!amt_snap_get_ip(r, g->family, &g->group))
		return AMT_SNAP_MALFORMED;
	g->mode = amt_snap_getn(r, 1);
	g->group_left_ms = amt_snap_getn(r, 8);
	g->v1_left_ms = amt_snap_getn(r, 8);
	g->v2_left_ms = amt_snap_getn(r, 8);
	g->sources = amt_snap_getn(r, 4);
	if (g->group_left_ms > AMT_SNAP_MAX_LEFT_MS || g->v1_left_ms > AMT_SNAP_MAX_LEFT_MS ||
	    g->v2_left_ms > AMT_SNAP_MAX_LEFT_MS)
		return AMT_SNAP_MALFORMED;
	/* RFC 3376 6.2.2: the group timer runs in EXCLUDE mode only. */
	if (g->mode == AMT_FILTER_INCLUDE) {
		if (g->group_left_ms || g->sources == 0)
			return AMT_SNAP_MALFORMED;
	} else if (g->mode == AMT_FILTER_EXCLUDE) {
		if (!g->group_left_ms)
			return AMT_SNAP_MALFORMED;
	} else {
		return AMT_SNAP_MALFORMED;
	}
	if ((r->end - r->off) / AMT_SNAP_SOURCE_LEN < g->sources)
		return AMT_SNAP_MALFORMED;
	r->groups_left--;
	r->sources_left = g->sources;
	return AMT_SNAP_OK;
}

/*
 * A source; the family and mode of its group are checked by the walk in
 * amt_snap_open() (family: bytes beyond 4 zero for IPv4; INCLUDE: timer
 * running).
 */
static enum amt_snap_error amt_snap_parse_source(struct amt_snap_reader *r,
						 struct amt_snap_source *s)
{
	if (!r->sources_left)
		return AMT_SNAP_SEQUENCE;
	if (!amt_snap_room_ok(r, AMT_SNAP_SOURCE_LEN))
		return AMT_SNAP_MALFORMED;
	memcpy(s->addr.bytes, r->buf + r->off, 16);
	r->off += 16;
	s->left_ms = amt_snap_getn(r, 8);
	if (s->left_ms > AMT_SNAP_MAX_LEFT_MS)
		return AMT_SNAP_MALFORMED;
	r->sources_left--;
	return AMT_SNAP_OK;
}

/*
 * Walk everything once, with the checks that need context.  With out, each
 * tunnel's endpoint and extent go to out[] (room for r->tunnels_left).
 */
static enum amt_snap_error amt_snap_walk(struct amt_snap_reader *r, struct amt_snap_entry *out)
{
	struct amt_snap_tunnel t;
	struct amt_snap_group g;
	struct amt_snap_source s, prev_s;
	union amt_ip prev_g;
	uint8_t prev_gf;
	enum amt_snap_error err;

	while (r->tunnels_left) {
		size_t start = r->off;

		err = amt_snap_parse_tunnel(r, &t);
		if (err)
			return err;
		if (out) {
			memset(out, 0, sizeof(*out));
			out->gw = t.gw;
			out->gw_port = t.gw_port;
			out->off = start;
		}
		prev_gf = 0;
		while (r->groups_left) {
			err = amt_snap_parse_group(r, &g);
			if (err)
				return err;
			/* Groups in strictly increasing (family, address) order. */
			if (prev_gf && (g.family < prev_gf ||
					(g.family == prev_gf &&
					 memcmp(g.group.bytes, prev_g.bytes, 16) <= 0)))
				return AMT_SNAP_MALFORMED;
			prev_gf = g.family;
			prev_g = g.group;
			for (uint32_t i = 0; i < g.sources; i++) {
				err = amt_snap_parse_source(r, &s);
				if (err)
					return err;
				if (g.family == AF_INET) {
					for (int k = 4; k < 16; k++)
						if (s.addr.bytes[k])
							return AMT_SNAP_MALFORMED;
				}
				if (g.mode == AMT_FILTER_INCLUDE && !s.left_ms)
					return AMT_SNAP_MALFORMED;
				/* Sources strictly increasing: no duplicates. */
				if (i && memcmp(s.addr.bytes, prev_s.addr.bytes, 16) <= 0)
					return AMT_SNAP_MALFORMED;
				prev_s = s;
			}
		}
		if (out)
			(out++)->end = r->off;
	}
	return r->off == r->end ? AMT_SNAP_OK : AMT_SNAP_MALFORMED;
}

/* A previous secret only with a current one; absent ones are zero. */
static bool amt_snap_secrets_ok(const struct amt_snap_header *h)
{
	if ((h->has_prev && !h->has_cur) || h->prev_left_ms > AMT_SNAP_MAX_LEFT_MS ||
	    (!h->has_prev && h->prev_left_ms) || (!h->has_cur && h->cur_age_ms))
		return false;
	for (int i = 0; i < AMT_MAC_SECRET_LEN; i++)
		if ((!h->has_cur && h->cur[i]) || (!h->has_prev && h->prev[i]))
			return false;
	return true;
}

enum amt_snap_error amt_snap_open(struct amt_snap_reader *r, const uint8_t *buf, size_t len,
				  struct amt_snap_header *h)
{
	uint8_t sum[AMT_SNAP_SUM_LEN];
	struct amt_snap_reader walk;
	SHA256_CTX ctx;
	uint16_t flags;
	uint64_t total;
	enum amt_snap_error err;

	memset(r, 0, sizeof(*r));
	memset(h, 0, sizeof(*h));
	if (len < 8)
		return AMT_SNAP_TRUNCATED;
	r->buf = buf;
	r->end = len;
	if (amt_snap_getn(r, 4) != AMT_SNAP_MAGIC)
		return AMT_SNAP_BAD_MAGIC;
	if (amt_snap_getn(r, 2) != AMT_SNAP_VERSION)
		return AMT_SNAP_BAD_VERSION;
	if (len < AMT_SNAP_MIN_LEN)
		return AMT_SNAP_TRUNCATED;
	flags = amt_snap_getn(r, 2);
	total = amt_snap_getn(r, 4);
	if (total > len)
		return AMT_SNAP_TRUNCATED;
	if (total < len)
		return AMT_SNAP_BAD_LENGTH;
	SHA256_Init(&ctx);
	SHA256_Update(&ctx, buf, len - AMT_SNAP_SUM_LEN);
	SHA256_Final(sum, &ctx);
	if (memcmp(sum, buf + len - AMT_SNAP_SUM_LEN, AMT_SNAP_SUM_LEN))
		return AMT_SNAP_BAD_CHECKSUM;

	/* The checksum only proves integrity: every field is checked still. */
	r->end = len - AMT_SNAP_SUM_LEN;
	if (flags & ~(AMT_SNAP_F_CUR | AMT_SNAP_F_PREV))
		return AMT_SNAP_MALFORMED;
	h->has_cur = flags & AMT_SNAP_F_CUR;
	h->has_prev = flags & AMT_SNAP_F_PREV;
	h->written_ms = amt_snap_getn(r, 8);
	h->cfg.port = amt_snap_getn(r, 2);
	if (!amt_snap_get_addr(r, &h->cfg.local[0], true) ||
	    !amt_snap_get_addr(r, &h->cfg.local[1], true) ||
	    !amt_snap_get_addr(r, &h->cfg.discovery[0], true) ||
	    !amt_snap_get_addr(r, &h->cfg.discovery[1], true))
		return AMT_SNAP_MALFORMED;
	if ((h->cfg.local[0].family && h->cfg.local[0].family != AF_INET) ||
	    (h->cfg.discovery[0].family && h->cfg.discovery[0].family != AF_INET) ||
	    (h->cfg.local[1].family && h->cfg.local[1].family != AF_INET6) ||
	    (h->cfg.discovery[1].family && h->cfg.discovery[1].family != AF_INET6))
		return AMT_SNAP_MALFORMED;
	memcpy(h->cur, buf + r->off, AMT_MAC_SECRET_LEN);
	r->off += AMT_MAC_SECRET_LEN;
	h->cur_age_ms = amt_snap_getn(r, 8);
	memcpy(h->prev, buf + r->off, AMT_MAC_SECRET_LEN);
	r->off += AMT_MAC_SECRET_LEN;
	h->prev_left_ms = amt_snap_getn(r, 8);
	h->tunnels = amt_snap_getn(r, 4);
	if (!amt_snap_secrets_ok(h))
		return AMT_SNAP_MALFORMED;
	if ((r->end - r->off) / AMT_SNAP_TUNNEL_LEN < h->tunnels)
		return AMT_SNAP_MALFORMED;
	r->tunnels_left = h->tunnels;

	walk = *r;
	err = amt_snap_walk(&walk, NULL);
	if (err)
		return err;
	return AMT_SNAP_OK;
}

enum amt_snap_error amt_snap_read_tunnel(struct amt_snap_reader *r, struct amt_snap_tunnel *t)
{
	return amt_snap_parse_tunnel(r, t);
}

enum amt_snap_error amt_snap_read_group(struct amt_snap_reader *r, struct amt_snap_group *g)
{
	return amt_snap_parse_group(r, g);
}

enum amt_snap_error amt_snap_read_source(struct amt_snap_reader *r, struct amt_snap_source *s)
{
	return amt_snap_parse_source(r, s);
}

/* ------------------------------------------------------------- journal */

void amt_jnl_header(uint8_t out[AMT_JNL_HEADER_LEN], const uint8_t base_id[AMT_SNAP_SUM_LEN])
{
	amt_snap_patch(out, AMT_JNL_MAGIC, 4);
	amt_snap_patch(out + 4, AMT_JNL_VERSION, 2);
	amt_snap_patch(out + 6, 0, 2);
	memcpy(out + 8, base_id, AMT_SNAP_SUM_LEN);
}

/* The first bytes of SHA-256(base id, record from its length to its body's end). */
static void amt_jnl_sum(const uint8_t base_id[AMT_SNAP_SUM_LEN], const uint8_t *rec, size_t len,
			uint8_t out[AMT_JNL_REC_SUM_LEN])
{
	uint8_t sum[AMT_SNAP_SUM_LEN];
	SHA256_CTX ctx;

	SHA256_Init(&ctx);
	SHA256_Update(&ctx, base_id, AMT_SNAP_SUM_LEN);
	SHA256_Update(&ctx, rec, len);
	SHA256_Final(sum, &ctx);
	memcpy(out, sum, AMT_JNL_REC_SUM_LEN);
}

void amt_jnl_writer_init(struct amt_snap_writer *w, const uint8_t base_id[AMT_SNAP_SUM_LEN])
{
	memset(w, 0, sizeof(*w));
	w->journal = true;
	memcpy(w->base_id, base_id, AMT_SNAP_SUM_LEN);
}

/* Close the open record: its length and checksum. */
static void amt_jnl_seal(struct amt_snap_writer *w)
{
	uint8_t *sum;
	size_t len;

	if (!w->rec_open || w->bad)
		return;
	w->rec_open = false;
	if (w->groups_left || w->sources_left) {
		w->bad = true;
		return;
	}
	len = w->len - w->rec_start;
	if (len - 4 > UINT32_MAX) {
		w->bad = true;
		return;
	}
	amt_snap_patch(w->buf + w->rec_start, len - 4, 4);
	sum = amt_snap_room(w, AMT_JNL_REC_SUM_LEN);
	if (sum)
		amt_jnl_sum(w->base_id, w->buf + w->rec_start, len, sum);
	w->records++;
}

static void amt_jnl_begin(struct amt_snap_writer *w, uint8_t type, uint64_t written_ms)
{
	if (!w->journal) {
		w->bad = true;
		return;
	}
	amt_jnl_seal(w);
	w->rec_start = w->len;
	w->rec_open = true;
	amt_snap_putn(w, 0, 4); /* length, patched */
	amt_snap_put8(w, type);
	amt_snap_putn(w, written_ms, 8);
}

void amt_jnl_put_upsert(struct amt_snap_writer *w, uint64_t written_ms,
			const struct amt_snap_tunnel *t)
{
	amt_jnl_begin(w, AMT_JNL_UPSERT, written_ms);
	/* A tunnel without groups is a deletion: the reader refuses it. */
	if (!t->groups)
		w->bad = true;
	amt_snap_put_tunnel(w, t);
}

void amt_jnl_put_delete(struct amt_snap_writer *w, uint64_t written_ms,
			const struct amt_ipaddr *gw, uint16_t gw_port)
{
	amt_jnl_begin(w, AMT_JNL_DELETE, written_ms);
	if (gw->family != AF_INET && gw->family != AF_INET6)
		w->bad = true;
	amt_snap_put_addr(w, gw);
	amt_snap_putn(w, gw_port, 2);
}

void amt_jnl_put_secrets(struct amt_snap_writer *w, uint64_t written_ms,
			 const struct amt_snap_header *h)
{
	static const uint8_t zero[AMT_MAC_SECRET_LEN];

	amt_jnl_begin(w, AMT_JNL_SECRETS, written_ms);
	if (h->has_prev && !h->has_cur)
		w->bad = true;
	amt_snap_putn(w, (h->has_cur ? AMT_SNAP_F_CUR : 0) | (h->has_prev ? AMT_SNAP_F_PREV : 0),
		      2);
	amt_snap_putmem(w, h->has_cur ? h->cur : zero, AMT_MAC_SECRET_LEN);
	amt_snap_putn(w, h->has_cur ? h->cur_age_ms : 0, 8);
	amt_snap_putmem(w, h->has_prev ? h->prev : zero, AMT_MAC_SECRET_LEN);
	amt_snap_putn(w, h->has_prev ? amt_snap_left(h->prev_left_ms) : 0, 8);
}

int amt_jnl_writer_finish(struct amt_snap_writer *w, const uint8_t **buf, size_t *len)
{
	amt_jnl_seal(w);
	if (w->bad || !w->journal)
		return -1;
	*buf = w->buf;
	*len = w->len;
	return 0;
}

/* ------------------------------------------------------------- restore */

static void amt_snap_state_add(struct amt_snap_state *st, size_t *cap,
			       const struct amt_snap_entry *e)
{
	if (st->n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		st->entries = XREALLOC(MTYPE_AMT_SNAPSHOT, st->entries, *cap * sizeof(*st->entries));
	}
	st->entries[st->n] = *e;
	st->entries[st->n].seq = st->n;
	st->n++;
}

/* The body of a secrets record into st->h; false when malformed. */
static bool amt_jnl_secrets(struct amt_snap_state *st, struct amt_snap_reader *r, uint64_t ms)
{
	struct amt_snap_header h = st->h;
	uint16_t flags = amt_snap_getn(r, 2);

	if (flags & ~(AMT_SNAP_F_CUR | AMT_SNAP_F_PREV))
		return false;
	h.has_cur = flags & AMT_SNAP_F_CUR;
	h.has_prev = flags & AMT_SNAP_F_PREV;
	memcpy(h.cur, r->buf + r->off, AMT_MAC_SECRET_LEN);
	r->off += AMT_MAC_SECRET_LEN;
	h.cur_age_ms = amt_snap_getn(r, 8);
	memcpy(h.prev, r->buf + r->off, AMT_MAC_SECRET_LEN);
	r->off += AMT_MAC_SECRET_LEN;
	h.prev_left_ms = amt_snap_getn(r, 8);
	if (!amt_snap_secrets_ok(&h)) {
		explicit_bzero(&h, sizeof(h));
		return false;
	}
	st->h = h;
	st->secrets_ms = ms;
	explicit_bzero(&h, sizeof(h));
	return true;
}

/*
 * One record at *off; on AMT_SNAP_OK it is applied and *off is past it.
 * Torn (runs past the end): AMT_SNAP_TRUNCATED.
 */
static enum amt_snap_error amt_jnl_record(struct amt_snap_state *st, size_t *cap, size_t *off,
					  size_t jlen)
{
	const uint8_t *jnl = st->jnl;
	uint8_t sum[AMT_JNL_REC_SUM_LEN];
	struct amt_snap_reader r = { .buf = jnl };
	struct amt_snap_entry e = { .journal = true };
	struct amt_snap_tunnel t;
	uint64_t len, ms;
	uint8_t type;
	size_t body_end;

	if (jlen - *off < 4)
		return AMT_SNAP_TRUNCATED;
	r.off = *off;
	r.end = jlen;
	len = amt_snap_getn(&r, 4);
	if (len < 1 + 8)
		return AMT_SNAP_MALFORMED;
	if (jlen - r.off < AMT_JNL_REC_SUM_LEN || len > jlen - r.off - AMT_JNL_REC_SUM_LEN)
		return AMT_SNAP_TRUNCATED;
	body_end = r.off + len;
	amt_jnl_sum(jnl + 8, jnl + *off, body_end - *off, sum);
	if (memcmp(sum, jnl + body_end, AMT_JNL_REC_SUM_LEN))
		return AMT_SNAP_BAD_CHECKSUM;
	type = amt_snap_getn(&r, 1);
	ms = amt_snap_getn(&r, 8);
	r.end = body_end;
	switch (type) {
	case AMT_JNL_UPSERT:
		e.off = r.off;
		r.tunnels_left = 1;
		if (amt_snap_walk(&r, NULL) != AMT_SNAP_OK)
			return AMT_SNAP_MALFORMED;
		r.off = e.off;
		r.tunnels_left = 1;
		if (amt_snap_parse_tunnel(&r, &t) != AMT_SNAP_OK)
			return AMT_SNAP_MALFORMED;
		e.gw = t.gw;
		e.gw_port = t.gw_port;
		e.end = body_end;
		break;
	case AMT_JNL_DELETE:
		if (len - 9 != AMT_JNL_DELETE_BODY || !amt_snap_get_addr(&r, &e.gw, false))
			return AMT_SNAP_MALFORMED;
		e.gw_port = amt_snap_getn(&r, 2);
		e.deleted = true;
		break;
	case AMT_JNL_SECRETS:
		if (len - 9 != AMT_JNL_SECRETS_BODY || !amt_jnl_secrets(st, &r, ms))
			return AMT_SNAP_MALFORMED;
		break;
	default:
		return AMT_SNAP_MALFORMED;
	}
	if (type != AMT_JNL_SECRETS) {
		e.written_ms = ms;
		amt_snap_state_add(st, cap, &e);
	}
	if (ms > st->last_ms)
		st->last_ms = ms;
	*off = body_end + AMT_JNL_REC_SUM_LEN;
	return AMT_SNAP_OK;
}

int amt_snap_entry_key_cmp(const struct amt_snap_entry *a, const struct amt_snap_entry *b)
{
	int r;

	if (a->gw.family != b->gw.family)
		return a->gw.family < b->gw.family ? -1 : 1;
	r = memcmp(a->gw.ip.bytes, b->gw.ip.bytes, 16);
	if (r)
		return r;
	if (a->gw_port != b->gw_port)
		return a->gw_port < b->gw_port ? -1 : 1;
	return 0;
}

/* By endpoint, then in the order they were read. */
static int amt_snap_entry_cmp(const void *va, const void *vb)
{
	const struct amt_snap_entry *a = va, *b = vb;
	int r = amt_snap_entry_key_cmp(a, b);

	if (r)
		return r;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Per endpoint, the last entry wins; deleted ones go. */
static void amt_snap_state_merge(struct amt_snap_state *st)
{
	size_t out = 0;

	if (st->n)
		qsort(st->entries, st->n, sizeof(*st->entries), amt_snap_entry_cmp);
	for (size_t i = 0; i < st->n; i++) {
		const struct amt_snap_entry *e = &st->entries[i];

		if (i + 1 < st->n && !amt_snap_entry_key_cmp(e, e + 1))
			continue;
		if (!e->deleted)
			st->entries[out++] = *e;
	}
	st->n = out;
}

enum amt_snap_error amt_snap_state_load(struct amt_snap_state *st, const uint8_t *base,
					size_t blen, const uint8_t *jnl, size_t jlen)
{
	struct amt_snap_reader r;
	enum amt_snap_error err;
	size_t cap, off;

	memset(st, 0, sizeof(*st));
	err = amt_snap_open(&r, base, blen, &st->h);
	if (err)
		return err;
	st->base = base;
	st->secrets_ms = st->last_ms = st->h.written_ms;
	cap = st->h.tunnels;
	if (cap) {
		st->entries = XCALLOC(MTYPE_AMT_SNAPSHOT, cap * sizeof(*st->entries));
		err = amt_snap_walk(&r, st->entries);
		if (err) { /* cannot be: amt_snap_open() walked it */
			amt_snap_state_free(st);
			return err;
		}
		st->n = cap;
		for (size_t i = 0; i < st->n; i++) {
			st->entries[i].seq = i;
			st->entries[i].written_ms = st->h.written_ms;
		}
	}

	if (jnl) {
		st->jnl = jnl;
		if (jlen < 8)
			st->jnl_err = AMT_SNAP_TRUNCATED;
		else if (amt_snap_patch_get(jnl, 4) != AMT_JNL_MAGIC)
			st->jnl_err = AMT_SNAP_BAD_MAGIC;
		else if (amt_snap_patch_get(jnl + 4, 2) != AMT_JNL_VERSION ||
			 amt_snap_patch_get(jnl + 6, 2) != 0)
			st->jnl_err = AMT_SNAP_BAD_VERSION;
		else if (jlen < AMT_JNL_HEADER_LEN)
			st->jnl_err = AMT_SNAP_TRUNCATED;
		else if (jlen > UINT32_MAX)
			st->jnl_err = AMT_SNAP_BAD_LENGTH;
		else if (memcmp(jnl + 8, base + blen - AMT_SNAP_SUM_LEN, AMT_SNAP_SUM_LEN))
			st->jnl_err = AMT_SNAP_STALE_JOURNAL;
	}
	if (jnl && !st->jnl_err) {
		off = AMT_JNL_HEADER_LEN;
		while (off < jlen) {
			err = amt_jnl_record(st, &cap, &off, jlen);
			if (err) {
				st->jnl_err = err;
				st->jnl_dropped = 1;
				break;
			}
			st->jnl_records++;
		}
		st->jnl_good = off;
	}
	amt_snap_state_merge(st);
	return AMT_SNAP_OK;
}

void amt_snap_state_free(struct amt_snap_state *st)
{
	XFREE(MTYPE_AMT_SNAPSHOT, st->entries);
	explicit_bzero(&st->h, sizeof(st->h));
	memset(st, 0, sizeof(*st));
}

void amt_snap_entry_reader(const struct amt_snap_state *st, const struct amt_snap_entry *e,
			   struct amt_snap_reader *r)
{
	memset(r, 0, sizeof(*r));
	r->buf = e->journal ? st->jnl : st->base;
	r->off = e->off;
	r->end = e->end;
	r->tunnels_left = 1;
}
