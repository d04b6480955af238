// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AMT relay restart state: snapshot file writing (dirty flag and a timer,
 * temporary file, fsync, rename) and the restore when the relay is first
 * configured.  The format is amt_relay_snapshot.c's; this file does the
 * I/O, the clocks and the relay's tables.
 *
 * The file, FRR_LIBSTATE_PATH/amtd-relay-<instance>.snapshot, is created
 * with mode 0600 by amtd's user.  It is read back as hostile input: it must
 * be a regular file of ours, no group or other access, of bounded size;
 * the codec checks the checksum and every field; the relay's own limits
 * and sockets decide what is taken.
 */
#include <zebra.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

#include "lib/frrevent.h"
#include "lib/json.h"
#include "lib/libfrr.h"
#include "lib/memory.h"
#include "lib/northbound.h"

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

/*
 * The snapshot must match the whole configuration.  A configuration read
 * at start (vtysh -b, watchfrr) comes between XFRR_start_configuration and
 * XFRR_end_configuration: the restore runs at the end marker.  Configured
 * otherwise (a file applied command by command, several commits), the
 * restore waits this long after the relay's last change.
 */
#define AMT_PERSIST_SETTLE_MS 300
#define AMT_PERSIST_LOADING_MS 10000
/* A change is on disk this long after it happened, at most. */
#define AMT_PERSIST_DELAY_MS 500
/* Larger snapshot files are not read. */
#define AMT_PERSIST_MAX_FILE (64u << 20)

struct amt_relay_persist {
	struct amt_relay *relay;
	char path[PATH_MAX];
	char tmp[PATH_MAX + 8];
	struct event *t_write;
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

static void amt_persist_put_tunnel(struct amt_snap_writer *w, struct amt_tunnel *t, uint64_t now)
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
		return;
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
static int amt_persist_store(struct amt_relay_persist *p, const uint8_t *buf, size_t len)
{
	char dir[PATH_MAX], *slash;
	int fd, dfd, saved;

	fd = open(p->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -1;
	if (fchmod(fd, 0600) < 0 || amt_persist_write_all(fd, buf, len) < 0 || fsync(fd) < 0) {
		saved = errno;
		close(fd);
		unlink(p->tmp);
		errno = saved;
		return -1;
	}
	if (close(fd) < 0 || rename(p->tmp, p->path) < 0) {
		saved = errno;
		unlink(p->tmp);
		errno = saved;
		return -1;
	}
	strlcpy(dir, p->path, sizeof(dir));
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

static void amt_persist_write(struct amt_relay_persist *p)
{
	struct amt_relay *relay = p->relay;
	uint64_t now = amt_now_ms();
	struct amt_snap_header h = {};
	struct amt_snap_writer w;
	struct amt_mac_export ex;
	struct amt_tunnel *t;
	const uint8_t *buf;
	size_t len;

	amt_persist_config(relay, &h.cfg);
	h.written_ms = amt_wall_ms();
	amt_mac_export(&relay->mac, now, &ex);
	h.has_cur = ex.has_cur;
	h.has_prev = ex.has_prev;
	memcpy(h.cur, ex.cur, sizeof(h.cur));
	memcpy(h.prev, ex.prev, sizeof(h.prev));
	h.cur_age_ms = ex.cur_age_ms;
	h.prev_left_ms = ex.prev_left_ms;
	explicit_bzero(&ex, sizeof(ex));

	amt_snap_writer_init(&w, &h);
	explicit_bzero(&h, sizeof(h));
	for (t = amt_relay_tunnel_first(relay); t; t = amt_relay_tunnel_next(relay, t))
		amt_persist_put_tunnel(&w, t, now);
	if (amt_snap_writer_finish(&w, &buf, &len) < 0) {
		p->stats.write_errors++;
		flog_warn(EC_AMT_SNAPSHOT, "AMT relay %s: cannot encode the restart snapshot",
			  relay->inst->name);
	} else if (amt_persist_store(p, buf, len) < 0) {
		/* The first failure and every 100th: the next change retries. */
		if (p->stats.write_errors++ % 100 == 0)
			flog_warn(EC_AMT_SNAPSHOT, "AMT relay %s: cannot write %s: %s",
				  relay->inst->name, p->path, safe_strerror(errno));
	} else {
		p->stats.snapshots_written++;
		DEBUGD(&amt_dbg_events, "AMT relay %s: snapshot written, %zu bytes",
		       relay->inst->name, len);
	}
	amt_snap_writer_free(&w);
}

static void amt_persist_timer(struct event *event)
{
	struct amt_relay_persist *p = EVENT_ARG(event);

	amt_persist_write(p);
}

void amt_relay_persist_dirty(struct amt_relay *relay)
{
	struct amt_relay_persist *p = relay->persist;

	if (!p || !p->configured || p->t_write)
		return;
	event_add_timer_msec(master, amt_persist_timer, p, AMT_PERSIST_DELAY_MS, &p->t_write);
}

/* ---------------------------------------------------------------- restore */

static void amt_persist_reject(struct amt_relay_persist *p, const char *why)
{
	p->stats.snapshots_rejected++;
	strlcpy(p->stats.last_reject, why, sizeof(p->stats.last_reject));
	flog_warn(EC_AMT_SNAPSHOT, "AMT relay %s: ignoring restart snapshot %s: %s; starting empty",
		  p->relay->inst->name, p->path, why);
}

/* The file's bytes, or NULL (rejected, or there is none: *missing). */
static uint8_t *amt_persist_load(struct amt_relay_persist *p, size_t *len, bool *missing)
{
	struct stat st;
	uint8_t *buf;
	size_t got = 0;
	int fd;

	*missing = false;
	fd = open(p->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT)
			*missing = true;
		else
			amt_persist_reject(p, safe_strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		amt_persist_reject(p, "not a regular file");
		close(fd);
		return NULL;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 077)) {
		amt_persist_reject(p, "owner or mode not amtd's user only (0600)");
		close(fd);
		return NULL;
	}
	if (st.st_size <= 0 || (uint64_t)st.st_size > AMT_PERSIST_MAX_FILE) {
		amt_persist_reject(p, st.st_size <= 0 ? "empty" : "too large");
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

static void amt_persist_restore(struct amt_relay_persist *p)
{
	struct amt_relay *relay = p->relay;
	struct amt_snap_config cfg;
	struct amt_snap_reader r;
	struct amt_snap_header h;
	enum amt_snap_error err;
	uint64_t now = amt_now_ms(), wall = amt_wall_ms(), down;
	uint8_t *buf;
	size_t len = 0;
	bool missing;

	buf = amt_persist_load(p, &len, &missing);
	if (!buf) {
		if (missing)
			DEBUGD(&amt_dbg_events, "AMT relay %s: no restart snapshot at %s",
			       relay->inst->name, p->path);
		return;
	}
	err = amt_snap_open(&r, buf, len, &h);
	if (err != AMT_SNAP_OK) {
		amt_persist_reject(p, amt_snap_error_str(err));
		goto out;
	}
	amt_persist_config(relay, &cfg);
	if (!amt_snap_config_same(&cfg, &h.cfg)) {
		amt_persist_reject(p, "taken with other relay addresses or port");
		goto out;
	}
	/* A wall clock that went back counts as no time down. */
	down = wall > h.written_ms ? wall - h.written_ms : 0;
	p->stats.downtime_ms = down;
	p->stats.restored = true;
	amt_persist_restore_secrets(relay, &h, down, now);

	for (uint32_t i = 0; i < h.tunnels; i++) {
		struct amt_snap_tunnel st;
		struct amt_tunnel *t;
		uint32_t taken = 0;

		if (amt_snap_read_tunnel(&r, &st) != AMT_SNAP_OK)
			break;
		t = amt_persist_tunnel_new(relay, &st, down, now);
		if (!t)
			p->stats.entries_skipped++;
		for (uint16_t j = 0; j < st.groups; j++) {
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
	zlog_info("AMT relay %s: restored %u tunnel(s) with %u group(s) from %s (down %" PRIu64
		  " ms, %u entries skipped)",
		  relay->inst->name, p->stats.tunnels_restored, p->stats.groups_restored, p->path,
		  down, p->stats.entries_skipped);
out:
	explicit_bzero(&h, sizeof(h));
	explicit_bzero(buf, len);
	XFREE(MTYPE_AMT_PERSIST_BUF, buf);
}

/* ---------------------------------------------------------------- lifecycle */

struct amt_relay_persist *amt_relay_persist_new(struct amt_relay *relay)
{
	struct amt_relay_persist *p = XCALLOC(MTYPE_AMT_PERSIST, sizeof(*p));

	p->relay = relay;
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
		if (p->configured)
			amt_persist_write(p);
	} else if (unlink(p->path) < 0 && errno != ENOENT) {
		flog_warn(EC_AMT_SNAPSHOT, "AMT relay %s: cannot remove %s: %s", relay->inst->name,
			  p->path, safe_strerror(errno));
	}
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

/* ---------------------------------------------------------------- show */

/* The counters, by JSON key and YANG leaf. */
struct amt_persist_counter {
	const char *json;
	const char *leaf;
	uint64_t val;
};

#define AMT_PERSIST_COUNTERS 7

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
	amt_table_row(tt, "Snapshots written", "%" PRIu64 " (%" PRIu64 " errors)",
		      st->snapshots_written, st->write_errors);
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
