// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the membership state and the flow index: the input
 * is a sequence of operations (group records of any type over a small
 * address pool, time advances and expiries, tunnel open/close/clear, index
 * flushes) on a few tunnels feeding one flow index.  After every step the
 * invariants are checked against brute-force recomputations:
 * - every (S,G) fan-out equals the tunnels whose wants() says yes, once;
 * - after a flush, the union state equals the RFC 3376 3.2 merge of the
 *   tunnels' states, and the change reports replayed on a mirror give
 *   that same state;
 * - per-tunnel limits are never exceeded, counters and lists agree,
 *   and no timer is left pending in the past after an expiry run;
 * - an index rebuilt by replaying the memberships is the same.
 */
#include <zebra.h>

#include <string.h>

#include "memory.h"

#include "amtd/amt_flow_index.h"
#include "amtd/amt_membership.h"

#define FZ_TUNNELS 4
#define FZ_GROUPS  2
#define FZ_SOURCES 4
/* Pool index of a source nobody ever names. */
#define FZ_STRANGER FZ_SOURCES

struct fz_tun {
	bool open;
	struct amt_membership *m;
	struct amt_fi_tunnel *t;
};

/* The union state as replayed from the change reports. */
struct fz_union {
	enum amt_filter_mode mode;
	uint32_t list; /* bit per pool source */
};

struct fz {
	struct amt_membership_params params;
	struct amt_flow_index *idx;
	struct fz_tun tuns[FZ_TUNNELS];
	struct fz_union mirror[2][FZ_GROUPS];
	uint64_t now;
};

static const uint8_t fz_fams[2] = { AF_INET, AF_INET6 };

#define FZ_ASSERT(cond)                                                                            \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__,       \
				#cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static union amt_ip fz_src(int fi, int n)
{
	union amt_ip a = {};

	if (fi == 0) {
		a.bytes[0] = 10;
		a.bytes[3] = n + 1;
	} else {
		a.bytes[0] = 0x20;
		a.bytes[1] = 0x01;
		a.bytes[15] = n + 1;
	}
	return a;
}

static union amt_ip fz_grp(int fi, int n)
{
	union amt_ip a = {};

	if (fi == 0) {
		a.bytes[0] = 232;
		a.bytes[3] = n + 1;
	} else {
		a.bytes[0] = 0xff;
		a.bytes[1] = 0x3e;
		a.bytes[15] = n + 1;
	}
	return a;
}

/* Find (fi, gi) of a group address from the pool; -1 when foreign. */
static int fz_grp_index(uint8_t family, const union amt_ip *g, int *fi)
{
	int f, i;

	for (f = 0; f < 2; f++)
		for (i = 0; i < FZ_GROUPS; i++) {
			union amt_ip a = fz_grp(f, i);

			if (fz_fams[f] == family && !memcmp(&a, g, sizeof(a))) {
				*fi = f;
				return i;
			}
		}
	return -1;
}

static int fz_src_index(int fi, const union amt_ip *s)
{
	int i;

	for (i = 0; i <= FZ_STRANGER; i++) {
		union amt_ip a = fz_src(fi, i);

		if (!memcmp(&a, s, sizeof(a)))
			return i;
	}
	return -1;
}

static uint32_t fz_bits(int fi, const union amt_ip *a, uint32_t n)
{
	uint32_t bits = 0, i;
	int si;

	for (i = 0; i < n; i++) {
		si = fz_src_index(fi, &a[i]);
		FZ_ASSERT(si >= 0 && si < FZ_SOURCES);
		FZ_ASSERT(!(bits & (1u << si)));
		bits |= 1u << si;
	}
	return bits;
}

/* Replay a union change report on the mirror, checking it fits. */
static void fz_union_cb(void *arg, const struct amt_union_change *c)
{
	struct fz *fz = arg;
	struct fz_union *u;
	uint32_t add, del;
	int fi = 0, gi;

	gi = fz_grp_index(c->family, c->group, &fi);
	FZ_ASSERT(gi >= 0);
	u = &fz->mirror[fi][gi];
	FZ_ASSERT(c->old_mode == u->mode);
	add = fz_bits(fi, c->added, c->num_added);
	del = fz_bits(fi, c->removed, c->num_removed);
	if (c->new_mode != c->old_mode) {
		FZ_ASSERT(del == u->list);
		u->list = add;
	} else {
		FZ_ASSERT(add || del);
		FZ_ASSERT(!(add & u->list));
		FZ_ASSERT((del & u->list) == del);
		u->list = (u->list | add) & ~del;
	}
	u->mode = c->new_mode;
}

/* Checks */

static void fz_check_fanout(struct fz *fz)
{
	int fi, gi, si, t;

	for (fi = 0; fi < 2; fi++)
		for (gi = 0; gi < FZ_GROUPS; gi++)
			for (si = 0; si <= FZ_STRANGER; si++) {
				union amt_ip g = fz_grp(fi, gi);
				union amt_ip s = fz_src(fi, si);
				struct amt_fanout f = amt_flow_index_lookup(fz->idx, fz_fams[fi],
									    &s, &g);
				uint32_t want = 0, hits;

				for (t = 0; t < FZ_TUNNELS; t++) {
					struct fz_tun *tun = &fz->tuns[t];

					if (!tun->open ||
					    !amt_membership_wants(tun->m, fz_fams[fi], &s, &g))
						continue;
					want++;
					hits = 0;
					for (uint32_t j = 0; j < f.count; j++)
						hits += f.owners[j] == tun;
					FZ_ASSERT(hits == 1);
				}
				FZ_ASSERT(f.count == want);
			}
}

/* RFC 3376 3.2 merge of the tunnels' states for one group. */
static void fz_union_brute(struct fz *fz, int fi, int gi, struct fz_union *out)
{
	union amt_ip g = fz_grp(fi, gi);
	bool any_ex = false;
	uint32_t incl = 0, excl_all = (1u << FZ_SOURCES) - 1;
	int t, si;

	for (t = 0; t < FZ_TUNNELS; t++) {
		struct fz_tun *tun = &fz->tuns[t];
		const struct amt_mgroup *mg;
		struct amt_mgroup_info gi_info;
		uint32_t wanted = 0;

		if (!tun->open)
			continue;
		mg = amt_membership_group_find(tun->m, fz_fams[fi], &g);
		if (!mg)
			continue;
		amt_mgroup_get_info(mg, fz->now, &gi_info);
		for (si = 0; si < FZ_SOURCES; si++) {
			union amt_ip s = fz_src(fi, si);

			if (amt_membership_wants(tun->m, fz_fams[fi], &s, &g))
				wanted |= 1u << si;
		}
		if (gi_info.mode == AMT_FILTER_EXCLUDE) {
			any_ex = true;
			excl_all &= ~wanted;
		} else {
			incl |= wanted;
		}
	}
	out->mode = any_ex ? AMT_FILTER_EXCLUDE : AMT_FILTER_INCLUDE;
	out->list = any_ex ? (excl_all & ~incl) : incl;
}

struct fz_state_arg {
	int fi;
	bool seen;
	struct fz_union got;
};

static void fz_state_cb(void *arg, const struct amt_union_state *st)
{
	struct fz_state_arg *a = arg;

	a->seen = true;
	a->got.mode = st->mode;
	a->got.list = fz_bits(a->fi, st->sources, st->num_sources);
}

static void fz_check_union(struct fz *fz)
{
	struct fz_union want;
	int fi, gi;

	for (fi = 0; fi < 2; fi++)
		for (gi = 0; gi < FZ_GROUPS; gi++) {
			union amt_ip g = fz_grp(fi, gi);
			struct fz_state_arg a = { .fi = fi };
			bool member;

			fz_union_brute(fz, fi, gi, &want);
			FZ_ASSERT(fz->mirror[fi][gi].mode == want.mode);
			FZ_ASSERT(fz->mirror[fi][gi].list == want.list);
			member = amt_flow_index_union_group(fz->idx, fz_fams[fi], &g, fz_state_cb,
							    &a);
			FZ_ASSERT(member == a.seen);
			FZ_ASSERT(member == (want.mode == AMT_FILTER_EXCLUDE || want.list));
			if (member) {
				FZ_ASSERT(a.got.mode == want.mode);
				FZ_ASSERT(a.got.list == want.list);
			}
		}
}

/* Counters, limits and the shape of each group's state. */
static void fz_check_tunnel(struct fz *fz, struct fz_tun *tun, bool expired)
{
	const struct amt_membership_params *p = &fz->params;
	const struct amt_mgroup *g;
	const struct amt_msource *s;
	struct amt_mgroup_info gi;
	struct amt_msource_info si;
	uint32_t groups = 0, sources = 0, n;

	for (g = amt_membership_group_first(tun->m); g; g = amt_membership_group_next(tun->m, g)) {
		amt_mgroup_get_info(g, fz->now, &gi);
		groups++;
		n = 0;
		for (s = amt_mgroup_source_first(g); s; s = amt_mgroup_source_next(g, s)) {
			amt_msource_get_info(s, &si);
			n++;
			/* INCLUDE: every source has a running timer. */
			if (gi.mode == AMT_FILTER_INCLUDE)
				FZ_ASSERT(si.timer && !si.excluded);
			if (expired && si.timer)
				FZ_ASSERT(si.timer > fz->now);
		}
		FZ_ASSERT(n == gi.num_sources);
		sources += n;
		if (gi.mode == AMT_FILTER_INCLUDE)
			FZ_ASSERT(n > 0 && !gi.group_timer);
		else
			FZ_ASSERT(gi.group_timer);
		if (expired && gi.mode == AMT_FILTER_EXCLUDE)
			FZ_ASSERT(gi.group_timer > fz->now);
	}
	FZ_ASSERT(groups == amt_membership_num_groups(tun->m));
	FZ_ASSERT(sources == amt_membership_num_sources(tun->m));
	if (p->max_groups)
		FZ_ASSERT(groups <= p->max_groups);
	if (p->max_sources)
		FZ_ASSERT(sources <= p->max_sources);
	if (expired)
		FZ_ASSERT(amt_membership_next_expiry(tun->m) > fz->now);
}

/* Operations */

struct fz_input {
	const uint8_t *data;
	size_t size;
	size_t pos;
};

static uint8_t fz_byte(struct fz_input *in)
{
	return in->pos < in->size ? in->data[in->pos++] : 0;
}

static void fz_tunnel_open(struct fz *fz, struct fz_tun *tun)
{
	tun->t = amt_flow_index_tunnel_add(fz->idx, tun);
	tun->m = amt_membership_new(&fz->params, amt_flow_index_membership_cb, tun->t);
	tun->open = true;
}

static void fz_tunnel_close(struct fz *fz, struct fz_tun *tun, bool clear)
{
	if (clear)
		amt_membership_clear(tun->m);
	amt_flow_index_tunnel_del(tun->t);
	amt_membership_free(tun->m);
	tun->t = NULL;
	tun->m = NULL;
	tun->open = false;
}

static void fz_op_record(struct fz *fz, struct fz_input *in)
{
	uint8_t b0 = fz_byte(in), b1 = fz_byte(in), b2 = fz_byte(in);
	struct fz_tun *tun = &fz->tuns[b0 % FZ_TUNNELS];
	int fi = b1 & 1;
	uint8_t srcbuf[32 * 16];
	struct amt_group_record rec = {
		.family = fz_fams[fi],
		.type = AMT_REC_MODE_IS_INCLUDE + (b1 >> 1) % 6,
		.version = fi ? 2 : 3,
		.group = fz_grp(fi, (b2 >> 2) % FZ_GROUPS),
		/* Up to 31, past the decoder-side stack buffer of 16. */
		.num_sources = (b2 >> 4) * 2 + (b0 >> 7),
		.sources = srcbuf,
	};
	size_t alen = fi ? 16 : 4;
	enum amt_memb_result res;
	uint16_t i;

	if (!tun->open)
		return;
	/* An older version's message now and then. */
	if ((b2 & 3) == 0)
		rec.version = 1 + (b0 >> 2) % (fi ? 1 : 2);
	for (i = 0; i < rec.num_sources; i++) {
		union amt_ip a = fz_src(fi, fz_byte(in) % FZ_SOURCES);

		memcpy(srcbuf + i * alen, a.bytes, alen);
	}
	res = amt_membership_apply(tun->m, &rec, fz->now);
	FZ_ASSERT(res != AMT_MEMB_INVALID);
	FZ_ASSERT(res != AMT_MEMB_LIMIT || fz->params.max_groups || fz->params.max_sources);
	fz_check_tunnel(fz, tun, true);
}

static void fz_op_time(struct fz *fz, struct fz_input *in)
{
	uint8_t b = fz_byte(in);
	int t;

	fz->now += (uint64_t)b * 40;
	/* The low bit chooses whether every tunnel's timer fires now. */
	if (b & 1)
		return;
	for (t = 0; t < FZ_TUNNELS; t++)
		if (fz->tuns[t].open) {
			amt_membership_expire(fz->tuns[t].m, fz->now);
			fz_check_tunnel(fz, &fz->tuns[t], true);
		}
}

static void fz_op_tunnel(struct fz *fz, struct fz_input *in)
{
	uint8_t b = fz_byte(in);
	struct fz_tun *tun = &fz->tuns[b % FZ_TUNNELS];

	if (!tun->open)
		fz_tunnel_open(fz, tun);
	else if (b & 0x10)
		amt_membership_clear(tun->m);
	else
		fz_tunnel_close(fz, tun, b & 0x20);
}

/*
 * Rebuild: a fresh index fed by replaying every tunnel's state; the old
 * one is freed with all its state still in it.
 */
static void fz_op_rebuild(struct fz *fz)
{
	struct amt_flow_index *old = fz->idx;
	int t, fi, gi;

	fz->idx = amt_flow_index_new(fz_union_cb, fz);
	for (fi = 0; fi < 2; fi++)
		for (gi = 0; gi < FZ_GROUPS; gi++) {
			fz->mirror[fi][gi].mode = AMT_FILTER_INCLUDE;
			fz->mirror[fi][gi].list = 0;
		}
	for (t = 0; t < FZ_TUNNELS; t++) {
		struct fz_tun *tun = &fz->tuns[t];

		if (!tun->open)
			continue;
		tun->t = amt_flow_index_tunnel_add(fz->idx, tun);
		amt_membership_set_change_fn(tun->m, amt_flow_index_membership_cb, tun->t);
		amt_membership_replay(tun->m);
	}
	amt_flow_index_free(old);
	amt_flow_index_flush(fz->idx);
	fz_check_union(fz);
}

static void fz_params(struct fz *fz, struct fz_input *in)
{
	uint8_t b0 = fz_byte(in), b1 = fz_byte(in);
	struct amt_membership_params *p = &fz->params;

	amt_membership_params_default(p);
	p->robustness = 1 + b0 % 3;
	p->query_interval_ms = 1000 * (1 + (b0 >> 2) % 4);
	p->query_response_interval_ms = 500;
	p->last_member_query_interval_ms = 100 * (1 + (b0 >> 4) % 4);
	p->last_member_query_count = 1 + (b0 >> 6);
	p->lmqt_leave = b1 & 1;
	p->max_groups = (b1 >> 1) % 4;
	p->max_sources = (b1 >> 3) % 8;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_input in = { .data = data, .size = size };
	struct fz fz = { .now = 1000 };
	int t, fi, gi;

	fz_params(&fz, &in);
	fz.idx = amt_flow_index_new(fz_union_cb, &fz);
	for (fi = 0; fi < 2; fi++)
		for (gi = 0; gi < FZ_GROUPS; gi++)
			fz.mirror[fi][gi].mode = AMT_FILTER_INCLUDE;
	for (t = 0; t < FZ_TUNNELS; t++)
		fz_tunnel_open(&fz, &fz.tuns[t]);

	while (in.pos < in.size) {
		switch (fz_byte(&in) % 8) {
		case 0:
		case 1:
		case 2:
		case 3:
			fz_op_record(&fz, &in);
			break;
		case 4:
		case 5:
			fz_op_time(&fz, &in);
			break;
		case 6:
			if (in.pos < in.size && in.data[in.pos] == 0xff) {
				in.pos++;
				fz_op_rebuild(&fz);
			} else {
				fz_op_tunnel(&fz, &in);
			}
			break;
		case 7:
			amt_flow_index_flush(fz.idx);
			fz_check_union(&fz);
			break;
		}
		fz_check_fanout(&fz);
	}

	amt_flow_index_flush(fz.idx);
	fz_check_union(&fz);
	for (t = 0; t < FZ_TUNNELS; t++)
		if (fz.tuns[t].open)
			fz_tunnel_close(&fz, &fz.tuns[t], t & 1);
	amt_flow_index_flush(fz.idx);
	fz_check_union(&fz);
	{
		struct amt_flow_index_stats st;

		amt_flow_index_get_stats(fz.idx, &st);
		FZ_ASSERT(!st.groups && !st.sources && !st.refs && !st.tunnels && !st.bad_changes);
	}
	amt_flow_index_free(fz.idx);
	return 0;
}
