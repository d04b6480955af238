// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AMT relay restart state: snapshot file writing and the restore when the
 * relay is first configured.  The format is amt_relay_snapshot.c's; this
 * file does the I/O, the clocks and the relay's tables.
 *
 * Two files, FRR_LIBSTATE_PATH/amtd-relay-<instance>.snapshot (the base)
 * and the same with .journal appended, created with mode 0600 by amtd's
 * user.  Writing is incremental, because rewriting every tunnel whenever
 * one of them changed costs the whole table (13 MB at 100,000 tunnels)
 * per second:
 *
 *  - what changed is remembered, not written at once: the endpoints of the
 *    tunnels that changed (a set, so a tunnel changed 50 times in a second
 *    is written once), whether the secrets rotated, and whether everything
 *    must be written (configuration, restore, a failed append);
 *  - a timer, started by the first change and not moved by later ones,
 *    flushes them at most once a second and at most a second late: one
 *    record per changed tunnel (its whole state, or its deletion when it
 *    is gone) and one for the secrets, appended to the journal in one
 *    write() and made durable with fdatasync();
 *  - when the journal would outgrow twice the base plus a fixed slack, or
 *    everything is to be written, or on a clean shutdown, the base is
 *    rewritten instead (temporary file, fsync, rename, directory fsync)
 *    and a new journal started the same way.  The new journal names the
 *    new base (its checksum): after a crash between the two renames the
 *    old journal names another base and is ignored as a whole, which is
 *    right since the new base holds all of it.  The cost of rewriting the
 *    base is so spread over at least twice its size in appended records.
 *
 * Simpler than updating the base in place, and robust: the base is only
 * ever replaced whole, and an append torn by a crash only loses its own
 * records (each has its length and checksum; the replay stops at the first
 * bad one and says so).  After an append failed the file may hold a torn
 * record before good ones, so the next flush rewrites the base.
 *
 * Both files are read back as hostile input: regular files of ours, no
 * group or other access, of bounded size; the codec checks the checksums
 * and every field; the relay's own limits and sockets decide what is taken.
 */
#include <zebra.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

#include "lib/frrevent.h"
#include "lib/jhash.h"
#include "lib/json.h"
#include "lib/libfrr.h"
#include "lib/memory.h"
#include "lib/northbound.h"
#include "lib/typesafe.h"

#include "amtd.h"
#include "amt_debug.h"
#include "amt_errors.h"
#include "amt_memory.h"
#include "amt_nb.h"
#include "amt_relay.h"
#include "amt_relay_persist.h"
#include "amt_vty.h"

DEFINE_MTYPE_STATIC(AMTD, AMT_PERSIST, "AMT relay snapshot state");
DEFINE_MTYPE_STATIC(AMTD, AMT_PERSIST_BUF, "AMT relay snapshot read buffer");
DEFINE_MTYPE_STATIC(AMTD, AMT_PERSIST_KEY, "AMT relay snapshot changed tunnel");

/*
 * The snapshot must match the whole configuration.  A configuration read
 * at start (vtysh -b, watchfrr) comes between XFRR_start_configuration and
 * XFRR_end_configuration: the restore runs at the end marker.  Configured
 * otherwise (a file applied command by command, several commits), the
 * restore waits this long after the relay's last change.
 */
#define AMT_PERSIST_SETTLE_MS 300
#define AMT_PERSIST_LOADING_MS 10000
/*
 * A change is on disk this long after it happened, at most (plus the
 * write), and the files are written at most this often.
 */
#define AMT_PERSIST_DELAY_MS 1000
/* Larger snapshot files are not read. */
#define AMT_PERSIST_MAX_FILE (64u << 20)
/* The journal is compacted into a new base beyond 2 x base + this. */
#define AMT_PERSIST_JOURNAL_SLACK (1u << 20)
#define AMT_PERSIST_MAX_JOURNAL	  (2 * AMT_PERSIST_MAX_FILE + 2 * AMT_PERSIST_JOURNAL_SLACK)

/* A tunnel changed since the last flush, by its endpoint. */
PREDECL_HASH(amt_persist_keys);
struct amt_persist_key {
	struct amt_persist_keys_item item;
	union sockunion gw;
};

static int amt_persist_key_cmp(const struct amt_persist_key *a, const struct amt_persist_key *b)
{
	if (a->gw.sa.sa_family != b->gw.sa.sa_family)
		return a->gw.sa.sa_family < b->gw.sa.sa_family ? -1 : 1;
	if (a->gw.sa.sa_family == AF_INET) {
		if (a->gw.sin.sin_addr.s_addr != b->gw.sin.sin_addr.s_addr)
			return memcmp(&a->gw.sin.sin_addr, &b->gw.sin.sin_addr, 4);
		return (int)a->gw.sin.sin_port - (int)b->gw.sin.sin_port;
	}
	if (memcmp(&a->gw.sin6.sin6_addr, &b->gw.sin6.sin6_addr, 16))
		return memcmp(&a->gw.sin6.sin6_addr, &b->gw.sin6.sin6_addr, 16);
	return (int)a->gw.sin6.sin6_port - (int)b->gw.sin6.sin6_port;
}

static uint32_t amt_persist_key_hash(const struct amt_persist_key *k)
{
	if (k->gw.sa.sa_family == AF_INET)
		return jhash_2words(k->gw.sin.sin_addr.s_addr, k->gw.sin.sin_port, 0x5a7);
	return jhash(&k->gw.sin6.sin6_addr, sizeof(k->gw.sin6.sin6_addr), k->gw.sin6.sin6_port);
}

DECLARE_HASH(amt_persist_keys, struct amt_persist_key, item, amt_persist_key_cmp,
	     amt_persist_key_hash);

struct amt_relay_persist {
	struct amt_relay *relay;
	char path[PATH_MAX];
	char tmp[PATH_MAX + 8];
	char jpath[PATH_MAX + 8];
	char jtmp[PATH_MAX + 16];
	struct event *t_write;
	/* What changed since the last flush. */
	struct amt_persist_keys_head changed;
	bool secrets_changed;
	/* The base is to be rewritten (also: no journal open). */
	bool full;
	/* The journal open for appending, and what it follows. */
	int jfd;
	uint8_t base_id[AMT_SNAP_SUM_LEN];
	size_t base_len, jnl_len;
	/* The restore, once the configuration has settled. */
	struct event *t_restore;
	/* No write before the restore was tried: it would clobber the file. */
	bool configured;
	struct amt_relay_persist_stats stats;
};

static bool amt_persist_shutting_down;
/* Between the configuration markers: restores wait for the end. */
static bool amt_persist_config_loading;

static uint64_t amt_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The instance name in a file name: anything unusual as %XX. */
static void amt_persist_paths(struct amt_relay_persist *p, const char *name)
{
	char esc[3 * IFNAMSIZ + 1];
	size_t n = 0;

	for (const char *c = name; *c && n + 4 <= sizeof(esc); c++) {
		if (isalnum((unsigned char)*c) || *c == '-' || *c == '_')
			esc[n++] = *c;
		else
			n += snprintf(esc + n, sizeof(esc) - n, "%%%02X", (unsigned char)*c);
	}
	esc[n] = '\0';
	snprintf(p->path, sizeof(p->path), "%s/amtd-relay-%s.snapshot", frr_libstatedir, esc);
	snprintf(p->tmp, sizeof(p->tmp), "%s.tmp", p->path);
	snprintf(p->jpath, sizeof(p->jpath), "%s.journal", p->path);
	snprintf(p->jtmp, sizeof(p->jtmp), "%s.tmp", p->jpath);
}

static void amt_persist_config(const struct amt_relay *relay, struct amt_snap_config *c)
{
	memset(c, 0, sizeof(*c));
	c->port = relay->cfg.port;
	for (int i = 0; i < 2; i++) {
		c->local[i] = relay->cfg.local[i];
		c->discovery[i] = relay->cfg.discovery[i];
	}
}

/* ---------------------------------------------------------------- writing */

static uint64_t amt_left(uint64_t at, uint64_t now)
{
	return at > now ? at - now : 1;
}

/* Groups the codec takes (the membership code keeps no others when settled). */
static bool amt_persist_group_ok(const struct amt_mgroup_info *gi)
{
	if (gi->mode == AMT_FILTER_INCLUDE)
		return gi->num_sources > 0;
	return gi->mode == AMT_FILTER_EXCLUDE && gi->group_timer;
}

/*
 * The tunnel's state: in a base writer a tunnel entry, in a journal writer
 * an upsert record written at wall clock `wall`.  False (nothing written)
 * when there is nothing to keep of it.
 */
static bool amt_persist_put_tunnel(struct amt_snap_writer *w, struct amt_tunnel *t, uint64_t now,
				   uint64_t wall)
{
	struct amt_snap_tunnel st = {};
	struct amt_mgroup_info gi;
	struct amt_msource_info si;
	const struct amt_mgroup *g;
	const struct amt_msource *s;
	uint32_t ngroups = 0;

	for (g = amt_membership_group_first(t->memb); g && ngroups < UINT16_MAX;
	     g = amt_membership_group_next(t->memb, g)) {
		amt_mgroup_get_info(g, now, &gi);
		ngroups += amt_persist_group_ok(&gi);
	}
	if (!ngroups || !t->sock)
		return false;
	st.gw.family = t->gw.sa.sa_family;
	if (st.gw.family == AF_INET) {
		st.gw.ip.v4 = t->gw.sin.sin_addr;
		st.gw_port = ntohs(t->gw.sin.sin_port);
	} else {
		st.gw.ip.v6 = t->gw.sin6.sin6_addr;
		st.gw_port = ntohs(t->gw.sin6.sin6_port);
	}
	st.local = t->sock->addr;
	st.discovery = t->sock->discovery;
	st.nonce = t->nonce;
	st.query_nonce = t->query_nonce;
	st.age_ms = now > t->created_ms ? now - t->created_ms : 0;
	st.update_age_ms = now > t->last_update_ms ? now - t->last_update_ms : 0;
	st.groups = ngroups;
	if (w->journal)
		amt_jnl_put_upsert(w, wall, &st);
	else
		amt_snap_put_tunnel(w, &st);

	for (g = amt_membership_group_first(t->memb); g && ngroups;
	     g = amt_membership_group_next(t->memb, g)) {
		struct amt_snap_group sg = {};

		amt_mgroup_get_info(g, now, &gi);
		if (!amt_persist_group_ok(&gi))
			continue;
		ngroups--;
		sg.family = gi.family;
		sg.group = gi.group;
		sg.mode = gi.mode;
		sg.group_left_ms = gi.group_timer ? amt_left(gi.group_timer, now) : 0;
		sg.v1_left_ms = gi.older_v1_host ? amt_left(gi.older_v1_host, now) : 0;
		sg.v2_left_ms = gi.older_v2_host ? amt_left(gi.older_v2_host, now) : 0;
		sg.sources = gi.num_sources;
		amt_snap_put_group(w, &sg);
		for (s = amt_mgroup_source_first(g); s; s = amt_mgroup_source_next(g, s)) {
			struct amt_snap_source ss = {};

			amt_msource_get_info(s, &si);
			ss.addr = si.source;
			ss.left_ms = si.timer ? amt_left(si.timer, now) : 0;
			amt_snap_put_source(w, &ss);
		}
	}
	return true;
}

static int amt_persist_write_all(int fd, const uint8_t *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= n;
	}
	return 0;
}

/* Temporary file, fsync, rename over the old one, fsync the directory. */
static int amt_persist_store(const char *path, const char *tmp, const uint8_t *buf, size_t len)
{
	char dir[PATH_MAX], *slash;
	int fd, dfd, saved;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -1;
	if (fchmod(fd, 0600) < 0 || amt_persist_write_all(fd, buf, len) < 0 || fsync(fd) < 0) {
		saved = errno;
		close(fd);
		unlink(tmp);
		errno = saved;
		return -1;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		saved = errno;
		unlink(tmp);
		errno = saved;
		return -1;
	}
	strlcpy(dir, path, sizeof(dir));
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		dfd = open(dir[0] ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
	return 0;
}

static void amt_persist_changed_clear(struct amt_relay_persist *p)
{
	struct amt_persist_key *k;

	while ((k = amt_persist_keys_pop(&p->changed)))
		XFREE(MTYPE_AMT_PERSIST_KEY, k);
	p->secrets_changed = false;
}

static void amt_persist_write_error(struct amt_relay_persist *p, const char *what)
{
	/* The first failure and every 100th: the next flush retries. */
	if (p->stats.write_errors++ % 100 == 0)
		flog_warn(EC_AMT_SNAPSHOT, "AMT relay %s: cannot write %s: %s",
			  p->relay->inst->name, what, safe_strerror(errno));
}

static void amt_persist_secrets(struct amt_relay *relay, uint64_t now, struct amt_snap_header *h)
{
	struct amt_mac_export ex;

	amt_mac_export(&relay->mac, now, &ex);
	h->has_cur = ex.has_cur;
	h->has_prev = ex.has_prev;
	memcpy(h->cur, ex.cur, sizeof(h->cur));
	memcpy(h->prev, ex.prev, sizeof(h->prev));
	h->cur_age_ms = ex.cur_age_ms;
	h->prev_left_ms = ex.prev_left_ms;
	explicit_bzero(&ex, sizeof(ex));
}

/* A new, empty journal after the base whose checksum is p->base_id. */
static int amt_persist_journal_start(struct amt_relay_persist *p)
{
	uint8_t hdr[AMT_JNL_HEADER_LEN];

	if (p->jfd >= 0)
		close(p->jfd);
	p->jfd = -1;
	amt_jnl_header(hdr, p->base_id);
	if (amt_persist_store(p->jpath, p->jtmp, hdr, sizeof(hdr)) < 0)
		return -1;
	p->jfd = open(p->jpath, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
	if (p->jfd < 0)
		return -1;
	p->jnl_len = sizeof(hdr);
	p->stats.bytes_written += sizeof(hdr);
	return 0;
}

/* Everything into a new base, then a new journal after it. */
static void amt_persist_write_base(struct amt_relay_persist *p)
{
	struct amt_relay *relay = p->relay;
	uint64_t now = amt_now_ms();
	struct amt_snap_header h = {};
	struct amt_snap_writer w;
	struct amt_tunnel *t;
	const uint8_t *buf;
	size_t len;

	/* Until both files are written, only a new base may follow. */
	p->full = true;
	amt_persist_config(relay, &h.cfg);
	h.written_ms = amt_wall_ms();
	amt_persist_secrets(relay, now, &h);

	amt_snap_writer_init(&w, &h);
	explicit_bzero(&h, sizeof(h));
	for (t = amt_relay_tunnel_first(relay); t; t = amt_relay_tunnel_next(relay, t))
		amt_persist_put_tunnel(&w, t, now, 0);
	/* What changed is in the base now, or will be at the retry. */
	amt_persist_changed_clear(p);
	if (amt_snap_writer_finish(&w, &buf, &len) < 0) {
		p->stats.write_errors++;
		flog_warn(EC_AMT_SNAPSHOT, "AMT relay %s: cannot encode the restart snapshot",
			  relay->inst->name);
	} else if (amt_persist_store(p->path, p->tmp, buf, len) < 0) {
		amt_persist_write_error(p, p->path);
	} else {
		p->stats.snapshots_written++;
		p->stats.bytes_written += len;
		memcpy(p->base_id, buf + len - AMT_SNAP_SUM_LEN, AMT_SNAP_SUM_LEN);
		p->base_len = len;
		if (amt_persist_journal_start(p) < 0) {
			amt_persist_write_error(p, p->jpath);
		} else {
			p->full = false;
			DEBUGD(&amt_dbg_events, "AMT relay %s: snapshot written, %zu bytes",
			       relay->inst->name, len);
		}
	}
	amt_snap_writer_free(&w);
}

/*
 * The changes since the last flush as journal records, in one append; the
 * base instead when due.  Returns false when the base is to be written.
 */
static bool amt_persist_append(struct amt_relay_persist *p)
{
	struct amt_relay *relay = p->relay;
	uint64_t now = amt_now_ms(), wall = amt_wall_ms();
	struct amt_snap_writer w;
	struct amt_persist_key *k;
	const uint8_t *buf;
	size_t len;
	bool ok = false;

	if (p->full || p->jfd < 0)
		return false;
	amt_jnl_writer_init(&w, p->base_id);
	if (p->secrets_changed) {
		struct amt_snap_header h = {};

		amt_persist_secrets(relay, now, &h);
		amt_jnl_put_secrets(&w, wall, &h);
		explicit_bzero(&h, sizeof(h));
	}
	frr_each (amt_persist_keys, &p->changed, k) {
		struct amt_tunnel *t = amt_tunnel_find(relay, &k->gw);
		struct amt_ipaddr gw = {};
		uint16_t port;

		if (t && amt_persist_put_tunnel(&w, t, now, wall))
			continue;
		/* Gone, or nothing left to keep of it. */
		gw.family = k->gw.sa.sa_family;
		if (gw.family == AF_INET) {
			gw.ip.v4 = k->gw.sin.sin_addr;
			port = ntohs(k->gw.sin.sin_port);
		} else {
			gw.ip.v6 = k->gw.sin6.sin6_addr;
			port = ntohs(k->gw.sin6.sin6_port);
		}
		amt_jnl_put_delete(&w, wall, &gw, port);
	}
	if (amt_jnl_writer_finish(&w, &buf, &len) < 0) {
		p->stats.write_errors++;
		flog_warn(EC_AMT_SNAPSHOT, "AMT relay %s: cannot encode journal records",
			  relay->inst->name);
		goto out;
	}
	/* Compaction: the journal stays below twice the base (and some slack). */
	if (p->jnl_len + len > 2 * p->base_len + AMT_PERSIST_JOURNAL_SLACK)
		goto out;
	if (amt_persist_write_all(p->jfd, buf, len) < 0 || fdatasync(p->jfd) < 0) {
		/* A torn record may be in the file now: only a new base is safe. */
		amt_persist_write_error(p, p->jpath);
		goto out;
	}
	p->jnl_len += len;
	p->stats.journal_appends++;
	p->stats.journal_records_written += w.records;
	p->stats.bytes_written += len;
	amt_persist_changed_clear(p);
	ok = true;
	DEBUGD(&amt_dbg_events, "AMT relay %s: %u journal record(s) appended, %zu bytes",
	       relay->inst->name, w.records, len);
out:
	amt_snap_writer_free(&w);
	return ok;
}

static void amt_persist_flush(struct amt_relay_persist *p)
{
	if (!amt_persist_append(p))
		amt_persist_write_base(p);
}

static void amt_persist_timer(struct event *event)
{
	struct amt_relay_persist *p = EVENT_ARG(event);

	amt_persist_flush(p);
}

static void amt_persist_arm(struct amt_relay_persist *p)
{
	if (!p->configured || p->t_write)
		return;
	event_add_timer_msec(master, amt_persist_timer, p, AMT_PERSIST_DELAY_MS, &p->t_write);
}

void amt_relay_persist_dirty(struct amt_relay *relay)
{
	struct amt_relay_persist *p = relay->persist;

	if (!p)
		return;
	p->full = true;
	amt_persist_arm(p);
}

void amt_relay_persist_tunnel_dirty(struct amt_tunnel *t)
{
	struct amt_relay_persist *p = t->relay->persist;
	struct amt_persist_key key = {}, *k;

	/* Before the restore nothing is written; afterwards the base is. */
	if (!p || !p->configured)
		return;
	if (!p->full) {
		key.gw = t->gw;
		if (!amt_persist_keys_find(&p->changed, &key)) {
			k = XCALLOC(MTYPE_AMT_PERSIST_KEY, sizeof(*k));
			k->gw = t->gw;
			amt_persist_keys_add(&p->changed, k);
		}
	}
	amt_persist_arm(p);
}

void amt_relay_persist_secrets_dirty(struct amt_relay *relay)
{
	struct amt_relay_persist *p = relay->persist;

	if (!p)
		return;
	p->secrets_changed = true;
	amt_persist_arm(p);
}

/* ---------------------------------------------------------------- restore */

static void amt_persist_reject(struct amt_relay_persist *p, const char *why)
{
	p->stats.snapshots_rejected++;
	strlcpy(p->stats.last_reject, why, sizeof(p->stats.last_reject));
	flog_warn(EC_AMT_SNAPSHOT, "AMT relay %s: ignoring restart snapshot %s: %s; starting empty",
		  p->relay->inst->name, p->path, why);
}

/*
 * The bytes of file `path`, at most `max`; or NULL: there is none
 * (*why NULL) or it is not to be read (*why says why).
 */
static uint8_t *amt_persist_load(const char *path, uint64_t max, size_t *len, const char **why)
{
	struct stat st;
	uint8_t *buf;
	size_t got = 0;
	int fd;

	*why = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		if (errno != ENOENT)
			*why = safe_strerror(errno);
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		*why = "not a regular file";
	else if (st.st_uid != geteuid() || (st.st_mode & 077))
		*why = "owner or mode not amtd's user only (0600)";
	else if (st.st_size <= 0)
		*why = "empty";
	else if ((uint64_t)st.st_size > max)
		*why = "too large";
	if (*why) {
		close(fd);
		return NULL;
	}
	buf = XMALLOC(MTYPE_AMT_PERSIST_BUF, st.st_size);
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
	}
	close(fd);
	*len = got;
	return buf;
}

static struct amt_relay_socket *amt_persist_socket(struct amt_relay *relay,
						   const struct amt_snap_tunnel *st)
{
	for (unsigned int i = 0; i < AMT_RELAY_MAX_SOCKETS; i++) {
		struct amt_relay_socket *s = &relay->socks[i];

		if (s->fd < 0 || s->discovery != st->discovery || s->port != relay->cfg.port ||
		    s->addr.family != st->local.family)
			continue;
		if (!memcmp(&s->addr.ip, &st->local.ip,
			    s->addr.family == AF_INET ? sizeof(s->addr.ip.v4)
						      : sizeof(s->addr.ip.v6)))
			return s;
	}
	return NULL;
}

/* An absolute expiry from a remaining time, less the time the relay was down. */
static uint64_t amt_persist_at(uint64_t left, uint64_t down, uint64_t now, bool keep_running)
{
	if (!left)
		return 0;
	if (left > down)
		return now + (left - down);
	/* Overdue: the normal expiry processing handles it at once. */
	return keep_running ? now + 1 : 0;
}

/* The tunnel the record describes, or NULL when it cannot be taken. */
static struct amt_tunnel *amt_persist_tunnel_new(struct amt_relay *relay,
						 const struct amt_snap_tunnel *st, uint64_t down,
						 uint64_t now)
{
	struct amt_relay_socket *s = amt_persist_socket(relay, st);
	union sockunion gw = {};
	struct amt_tunnel *t;

	if (!s || st->gw.family != st->local.family ||
	    !amt_endpoint_ok(st->gw.family, &st->gw.ip, st->gw_port))
		return NULL;
	gw.sa.sa_family = st->gw.family;
	if (st->gw.family == AF_INET) {
		gw.sin.sin_addr = st->gw.ip.v4;
		gw.sin.sin_port = htons(st->gw_port);
	} else {
		gw.sin6.sin6_addr = st->gw.ip.v6;
		gw.sin6.sin6_port = htons(st->gw_port);
	}
	if (amt_tunnel_find(relay, &gw) || amt_relay_tunnel_count(relay) >= relay->cfg.tunnel_limit ||
	    amt_addr_counts_get(relay->addr_counts, st->gw.family, &st->gw.ip) >=
		    relay->cfg.tunnels_per_address)
		return NULL;
	t = amt_tunnel_new(relay, &gw, s, now);
	amt_addr_counts_inc(relay->addr_counts, st->gw.family, &st->gw.ip);
	t->nonce = st->nonce;
	t->query_nonce = st->query_nonce;
	t->created_ms = st->age_ms + down < now ? now - st->age_ms - down : 0;
	t->last_update_ms = st->update_age_ms + down < now ? now - st->update_age_ms - down : 0;
	return t;
}

/* One group and its sources; false when it was not taken. */
static bool amt_persist_group(struct amt_relay_persist *p, struct amt_snap_reader *r,
			      struct amt_tunnel *t, uint64_t down, uint64_t now)
{
	struct amt_snap_group sg;
	struct amt_snap_source ss;
	struct amt_mgroup_info gi = {};
	struct amt_msource_info *src = NULL;
	uint32_t limit = p->relay->cfg.source_limit;
	enum amt_memb_result res = AMT_MEMB_INVALID;
	bool take;

	if (amt_snap_read_group(r, &sg) != AMT_SNAP_OK)
		return false;
	/* Never allocate for more sources than a tunnel may have. */
	take = t && (!limit || sg.sources <= limit);
	if (take && sg.sources)
		src = XCALLOC(MTYPE_AMT_PERSIST_BUF, sg.sources * sizeof(*src));
	for (uint32_t i = 0; i < sg.sources; i++) {
		if (amt_snap_read_source(r, &ss) != AMT_SNAP_OK) {
			take = false;
			break;
		}
		if (!src)
			continue;
		src[i].source = ss.addr;
		/* An overdue EXCLUDE-mode source moves to Y by its expiry. */
		src[i].timer = amt_persist_at(ss.left_ms, down, now, true);
		src[i].excluded = !src[i].timer;
	}
	if (take) {
		gi.family = sg.family;
		gi.group = sg.group;
		gi.mode = sg.mode;
		gi.group_timer = amt_persist_at(sg.group_left_ms, down, now, true);
		gi.older_v1_host = amt_persist_at(sg.v1_left_ms, down, now, false);
		gi.older_v2_host = amt_persist_at(sg.v2_left_ms, down, now, false);
		res = amt_membership_restore_group(t->memb, &gi, src, sg.sources);
	}
	XFREE(MTYPE_AMT_PERSIST_BUF, src);
	return res == AMT_MEMB_OK;
}

static void amt_persist_restore_secrets(struct amt_relay *relay, const struct amt_snap_header *h,
					uint64_t down, uint64_t now)
{
	uint64_t period = (uint64_t)relay->cfg.key_rotation_s * 1000;
	struct amt_mac_export ex = {};

	if (!h->has_cur)
		return;
	ex.has_cur = true;
	memcpy(ex.cur, h->cur, sizeof(ex.cur));
	ex.cur_age_ms = h->cur_age_ms + down;
	if (h->has_prev && h->prev_left_ms > down) {
		ex.has_prev = true;
		memcpy(ex.prev, h->prev, sizeof(ex.prev));
		ex.prev_left_ms = h->prev_left_ms - down;
	}
	if (amt_mac_import(&relay->mac, now, &ex) == 0)
		/* The next rotation comes when the restored secret is due. */
		amt_relay_rotate_in(relay, ex.cur_age_ms < period ? period - ex.cur_age_ms : 0);
	explicit_bzero(&ex, sizeof(ex));
}

/* The journal after the base, if any: NULL when there is none or it is not read. */
static uint8_t *amt_persist_load_journal(struct amt_relay_persist *p, size_t *len)
{
	const char *why;
	uint8_t *buf;

	buf = amt_persist_load(p->jpath, AMT_PERSIST_MAX_JOURNAL, len, &why);
	if (!buf && why) {
		p->stats.journal_records_dropped++;
		flog_warn(EC_AMT_SNAPSHOT,
			  "AMT relay %s: ignoring restart journal %s: %s; the base snapshot alone is restored",
			  p->relay->inst->name, p->jpath, why);
	}
	return buf;
}

static void amt_persist_journal_report(struct amt_relay_persist *p, const struct amt_snap_state *st,
				       size_t jlen)
{
	p->stats.journal_records_replayed = st->jnl_records;
	p->stats.journal_records_dropped += st->jnl_dropped;
	if (st->jnl_err == AMT_SNAP_STALE_JOURNAL)
		/* A crash between the base's rename and the journal's: normal. */
		zlog_info("AMT relay %s: journal %s follows an older base snapshot; not replayed",
			  p->relay->inst->name, p->jpath);
	else if (st->jnl_dropped)
		flog_warn(EC_AMT_SNAPSHOT,
			  "AMT relay %s: restart journal %s: bad record at byte %zu of %zu (%s); replayed the %u record(s) before it",
			  p->relay->inst->name, p->jpath, st->jnl_good, jlen,
			  amt_snap_error_str(st->jnl_err), st->jnl_records);
	else if (st->jnl_err)
		flog_warn(EC_AMT_SNAPSHOT, "AMT relay %s: ignoring restart journal %s: %s",
			  p->relay->inst->name, p->jpath, amt_snap_error_str(st->jnl_err));
}

static void amt_persist_restore(struct amt_relay_persist *p)
{
	struct amt_relay *relay = p->relay;
	struct amt_snap_config cfg;
	struct amt_snap_reader r;
	struct amt_snap_state st = {};
	enum amt_snap_error err;
	uint64_t now = amt_now_ms(), wall = amt_wall_ms();
	uint8_t *buf, *jbuf = NULL;
	size_t len = 0, jlen = 0;
	const char *why;

	buf = amt_persist_load(p->path, AMT_PERSIST_MAX_FILE, &len, &why);
	if (!buf) {
		if (why)
			amt_persist_reject(p, why);
		else
			DEBUGD(&amt_dbg_events, "AMT relay %s: no restart snapshot at %s",
			       relay->inst->name, p->path);
		return;
	}
	jbuf = amt_persist_load_journal(p, &jlen);
	err = amt_snap_state_load(&st, buf, len, jbuf, jlen);
	if (err != AMT_SNAP_OK) {
		amt_persist_reject(p, amt_snap_error_str(err));
		goto out;
	}
	amt_persist_journal_report(p, &st, jlen);
	amt_persist_config(relay, &cfg);
	if (!amt_snap_config_same(&cfg, &st.h.cfg)) {
		amt_persist_reject(p, "taken with other relay addresses or port");
		goto out;
	}
	/* A wall clock that went back counts as no time down. */
	p->stats.downtime_ms = wall > st.last_ms ? wall - st.last_ms : 0;
	p->stats.restored = true;
	amt_persist_restore_secrets(relay, &st.h,
				    wall > st.secrets_ms ? wall - st.secrets_ms : 0, now);

	for (size_t i = 0; i < st.n; i++) {
		const struct amt_snap_entry *e = &st.entries[i];
		/* Each entry's times count from when it was written. */
		uint64_t down = wall > e->written_ms ? wall - e->written_ms : 0;
		struct amt_snap_tunnel stun;
		struct amt_tunnel *t;
		uint32_t taken = 0;

		amt_snap_entry_reader(&st, e, &r);
		if (amt_snap_read_tunnel(&r, &stun) != AMT_SNAP_OK)
			break;
		t = amt_persist_tunnel_new(relay, &stun, down, now);
		if (!t)
			p->stats.entries_skipped++;
		for (uint16_t j = 0; j < stun.groups; j++) {
			if (amt_persist_group(p, &r, t, down, now))
				taken++;
			else if (t)
				p->stats.entries_skipped++;
		}
		if (!t)
			continue;
		p->stats.groups_restored += taken;
		if (taken)
			p->stats.tunnels_restored++;
		/* Frees it when nothing was taken; else queues its expiry. */
		amt_tunnel_settle(t);
	}
	amt_flow_index_flush(relay->index);
	amt_relay_expiry_arm(relay, now);
	zlog_info("AMT relay %s: restored %u tunnel(s) with %u group(s) from %s and %u journal record(s) (down %" PRIu64
		  " ms, %u entries skipped)",
		  relay->inst->name, p->stats.tunnels_restored, p->stats.groups_restored, p->path,
		  st.jnl_records, p->stats.downtime_ms, p->stats.entries_skipped);
out:
	amt_snap_state_free(&st);
	explicit_bzero(buf, len);
	XFREE(MTYPE_AMT_PERSIST_BUF, buf);
	if (jbuf) {
		explicit_bzero(jbuf, jlen);
		XFREE(MTYPE_AMT_PERSIST_BUF, jbuf);
	}
}

/* ---------------------------------------------------------------- lifecycle */

struct amt_relay_persist *amt_relay_persist_new(struct amt_relay *relay)
{
	struct amt_relay_persist *p = XCALLOC(MTYPE_AMT_PERSIST, sizeof(*p));

	p->relay = relay;
	p->jfd = -1;
	p->full = true;
	amt_persist_keys_init(&p->changed);
	amt_persist_paths(p, relay->inst->name);
	return p;
}

static void amt_persist_restore_timer(struct event *event)
{
	struct amt_relay_persist *p = EVENT_ARG(event);

	amt_persist_restore(p);
	p->configured = true;
	amt_relay_persist_dirty(p->relay);
}

void amt_relay_persist_configured(struct amt_relay *relay)
{
	struct amt_relay_persist *p = relay->persist;

	if (!p)
		return;
	if (!p->configured) {
		EVENT_OFF(p->t_restore);
		/* An end marker that never comes (vtysh killed) delays it only. */
		event_add_timer_msec(master, amt_persist_restore_timer, p,
				     amt_persist_config_loading ? AMT_PERSIST_LOADING_MS
								: AMT_PERSIST_SETTLE_MS,
				     &p->t_restore);
		return;
	}
	/* Addresses or port may have changed: the file must say so. */
	amt_relay_persist_dirty(relay);
}

void amt_relay_persist_config_start(void)
{
	amt_persist_config_loading = true;
}

void amt_relay_persist_config_end(void)
{
	struct amt_instance *inst;

	amt_persist_config_loading = false;
	frr_each_amt_instance(inst)
	{
		struct amt_relay_persist *p = inst->relay ? inst->relay->persist : NULL;

		if (!p || p->configured)
			continue;
		EVENT_OFF(p->t_restore);
		event_add_timer_msec(master, amt_persist_restore_timer, p, 0, &p->t_restore);
	}
}

void amt_relay_persist_shutdown(void)
{
	amt_persist_shutting_down = true;
}

void amt_relay_persist_free(struct amt_relay *relay)
{
	struct amt_relay_persist *p = relay->persist;

	if (!p)
		return;
	EVENT_OFF(p->t_write);
	EVENT_OFF(p->t_restore);
	if (amt_persist_shutting_down) {
		/* Compacted: the next start reads one base and an empty journal. */
		if (p->configured)
			amt_persist_write_base(p);
	} else {
		if (unlink(p->path) < 0 && errno != ENOENT)
			flog_warn(EC_AMT_SNAPSHOT, "AMT relay %s: cannot remove %s: %s",
				  relay->inst->name, p->path, safe_strerror(errno));
		if (unlink(p->jpath) < 0 && errno != ENOENT)
			flog_warn(EC_AMT_SNAPSHOT, "AMT relay %s: cannot remove %s: %s",
				  relay->inst->name, p->jpath, safe_strerror(errno));
	}
	if (p->jfd >= 0)
		close(p->jfd);
	amt_persist_changed_clear(p);
	amt_persist_keys_fini(&p->changed);
	relay->persist = NULL;
	XFREE(MTYPE_AMT_PERSIST, p);
}

const struct amt_relay_persist_stats *amt_relay_persist_stats(const struct amt_relay *relay)
{
	static const struct amt_relay_persist_stats none;

	return relay->persist ? &relay->persist->stats : &none;
}

const char *amt_relay_persist_path(const struct amt_relay *relay)
{
	return relay->persist ? relay->persist->path : "";
}

const char *amt_relay_persist_journal_path(const struct amt_relay *relay)
{
	return relay->persist ? relay->persist->jpath : "";
}

/* ---------------------------------------------------------------- show */

/* The counters, by JSON key and YANG leaf. */
struct amt_persist_counter {
	const char *json;
	const char *leaf;
	uint64_t val;
};

#define AMT_PERSIST_COUNTERS 12

static void amt_persist_counters(const struct amt_relay_persist_stats *st,
				 struct amt_persist_counter c[AMT_PERSIST_COUNTERS])
{
	const struct amt_persist_counter all[AMT_PERSIST_COUNTERS] = {
		{ "tunnelsRestored", "tunnels-restored", st->tunnels_restored },
		{ "groupsRestored", "groups-restored", st->groups_restored },
		{ "entriesSkipped", "entries-skipped", st->entries_skipped },
		{ "downtimeMs", "downtime", st->downtime_ms },
		{ "snapshotRejected", "snapshot-rejected", st->snapshots_rejected },
		{ "snapshotsWritten", "snapshots-written", st->snapshots_written },
		{ "writeErrors", "write-errors", st->write_errors },
		{ "journalRecordsReplayed", "journal-records-replayed",
		  st->journal_records_replayed },
		{ "journalRecordsDropped", "journal-records-dropped", st->journal_records_dropped },
		{ "journalAppends", "journal-appends", st->journal_appends },
		{ "journalRecordsWritten", "journal-records-written", st->journal_records_written },
		{ "bytesWritten", "bytes-written", st->bytes_written },
	};

	memcpy(c, all, sizeof(all));
}

void amt_relay_persist_show(const struct amt_relay *relay, struct json_object *json,
			    struct ttable *tt)
{
	const struct amt_relay_persist_stats *st = amt_relay_persist_stats(relay);
	struct amt_persist_counter c[AMT_PERSIST_COUNTERS];

	if (json) {
		json_object *j = json_object_new_object();

		amt_persist_counters(st, c);
		json_object_string_add(j, "snapshotFile", amt_relay_persist_path(relay));
		json_object_boolean_add(j, "restored", st->restored);
		for (int i = 0; i < AMT_PERSIST_COUNTERS; i++)
			json_object_int_add(j, c[i].json, c[i].val);
		json_object_string_add(j, "journalFile", amt_relay_persist_journal_path(relay));
		json_object_string_add(j, "lastRejectReason", st->last_reject);
		json_object_object_add(json, "restart", j);
		return;
	}
	amt_table_row(tt, "Restart snapshot", "%s", amt_relay_persist_path(relay));
	if (st->restored)
		amt_table_row(tt, "Restored at start",
			      "%u tunnels, %u groups, %u skipped, down %" PRIu64 " ms",
			      st->tunnels_restored, st->groups_restored, st->entries_skipped,
			      st->downtime_ms);
	else
		amt_table_row(tt, "Restored at start", "no");
	if (st->snapshots_rejected)
		amt_table_row(tt, "Snapshots ignored", "%u (last: %s)", st->snapshots_rejected,
			      st->last_reject);
	if (st->journal_records_replayed || st->journal_records_dropped)
		amt_table_row(tt, "Journal at start", "%u records replayed, %u dropped",
			      st->journal_records_replayed, st->journal_records_dropped);
	amt_table_row(tt, "Snapshots written", "%" PRIu64 " (%" PRIu64 " errors)",
		      st->snapshots_written, st->write_errors);
	amt_table_row(tt, "Journal appends", "%" PRIu64 " (%" PRIu64 " records)",
		      st->journal_appends, st->journal_records_written);
	amt_table_row(tt, "Bytes written", "%" PRIu64, st->bytes_written);
}

/* XPath: /frr-amtd:amtd/relay/restart/<leaf> */
struct yang_data *amtd_relay_restart_get_elem(struct nb_cb_get_elem_args *args)
{
	const struct amt_instance *inst = args->list_entry;
	const struct amt_relay_persist_stats *st;
	const char *leaf = strrchr(args->xpath, '/');
	struct amt_persist_counter c[AMT_PERSIST_COUNTERS];

	if (!inst->relay || !leaf)
		return NULL;
	st = amt_relay_persist_stats(inst->relay);
	leaf++;
	if (!strcmp(leaf, "snapshot-file"))
		return yang_data_new_string(args->xpath, amt_relay_persist_path(inst->relay));
	if (!strcmp(leaf, "journal-file"))
		return yang_data_new_string(args->xpath,
					    amt_relay_persist_journal_path(inst->relay));
	if (!strcmp(leaf, "restored"))
		return yang_data_new_bool(args->xpath, st->restored);
	if (!strcmp(leaf, "last-reject-reason"))
		return st->last_reject[0] ? yang_data_new_string(args->xpath, st->last_reject)
					  : NULL;
	amt_persist_counters(st, c);
	for (int i = 0; i < AMT_PERSIST_COUNTERS; i++)
		if (!strcmp(leaf, c[i].leaf))
			return yang_data_new_uint64(args->xpath, c[i].val);
	return NULL;
}
