// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NETCONF northbound module (RFC 6241 over SSH, RFC 6242), loaded with
 * "-M netconf[:ARGS]".  SSH is libssh's server API driven from FRR's event
 * loop; framing, hello and rpc-error building are the pure core in
 * northbound_netconf_{frame,xml,msg}.c; RPCs are parsed by libyang against
 * ietf-netconf and served from the northbound.
 *
 * ARGS: "PORT" or a comma separated list of port=N, addr=A,
 * authorized_keys=PATH, hostkey=PATH, max_sessions=N, max_message=BYTES,
 * idle_timeout=SECONDS (0: never).
 *
 * Served now: hello (base:1.0, base:1.1, :xpath, :candidate,
 * :validate:1.1, :rollback-on-error, :with-defaults, yang-library:1.1),
 * get-config (running, candidate) and get (configuration and the daemon's
 * frr-amtd operational data), both with XPath and subtree filters (the
 * latter translated into XPath by nb_nc_subtree_xpaths()) and every
 * with-defaults mode (RFC 6243, basic mode explicit); edit-config on the candidate
 * (merge, replace, create, delete, remove, none; default-operation,
 * test-option, stop- and rollback-on-error, both all or nothing), commit
 * (through FRR's northbound), discard-changes, validate, lock and unlock
 * of running and candidate, copy-config between running and candidate,
 * close-session, kill-session, get-schema
 * (RFC 6022, yang format), the YANG library (RFC 8525) and /netconf-state
 * (RFC 6022 section 2) in an unfiltered get, the latter also with a
 * subtree filter naming it.  Everything else is answered with
 * operation-not-supported.
 */

#include <zebra.h>

#include <fcntl.h>
#include <sys/stat.h>

#include <libssh/libssh.h>
#include <libssh/server.h>
#include <libssh/callbacks.h>

#include "lib/version.h"
#include "frrevent.h"
#include "libfrr.h"
#include "log.h"
#include "lib_errors.h"
#include "memory.h"
#include "module.h"
#include "northbound.h"
#include "privs.h"
#include "sockunion.h"
#include "yang.h"

#include "northbound_netconf_frame.h"
#include "northbound_netconf_msg.h"
#include "northbound_netconf_xml.h"

DEFINE_MTYPE_STATIC(LIB, NETCONF_SESSION, "NETCONF session");
DEFINE_MTYPE_STATIC(LIB, NETCONF_ARG, "NETCONF module argument");

#define NC_DEFAULT_PORT	       830
#define NC_DEFAULT_ADDR	       "127.0.0.1"
#define NC_AUTHKEYS_NAME       "netconf_authorized_keys"
#define NC_HOSTKEY_NAME	       "netconf_ssh_host_ed25519_key"
#define NC_DEFAULT_MAX_SESS    8
#define NC_MAX_SESS_LIMIT      64
#define NC_DEFAULT_MAX_MSG     (1024 * 1024)
#define NC_MAX_MSG_LIMIT       (64 * 1024 * 1024)
#define NC_MAX_REPLY	       (64 * 1024 * 1024)
#define NC_AUTHKEYS_LINE_MAX   16384
#define NC_AUTHKEYS_LINES_MAX  1024
#define NC_KEX_TIMEOUT_SEC     30
#define NC_DEFAULT_IDLE_SEC    600
#define NC_MAX_IDLE_SEC	       (7 * 24 * 3600)
#define NC_FLUSH_RETRY_MSEC    20
#define NC_FLUSH_RETRIES_MAX   3000 /* 60 s of a client that does not read */

/*
 * libfrr exports its own SHA256_Init/Update/Final (lib/sha256.c), which
 * take the place of libcrypto's in the daemon's process and break every
 * SHA-256 that OpenSSL computes for libssh (key exchange hashes, HMACs and
 * signatures over SHA-256 come out wrong: "incorrect signature").  Until
 * that is resolved, only algorithms built on SHA-512 (or with implicit
 * MACs) are offered.
 */
#define NC_KEX	     "ecdh-sha2-nistp521,ecdh-sha2-nistp384,diffie-hellman-group18-sha512,diffie-hellman-group16-sha512"
#define NC_HMAC	     "hmac-sha2-512-etm@openssh.com,hmac-sha2-512"
#define NC_HOSTKEY_ALG "ssh-ed25519"
#define NC_PUBKEY_ALG  "ssh-ed25519,rsa-sha2-512,ecdsa-sha2-nistp521,ecdsa-sha2-nistp384"

struct nc_session {
	struct nc_session *next;
	uint32_t id;
	ssh_session ssh;
	ssh_event ev;
	ssh_channel chan;
	int fd;
	bool kex_done;
	bool subsystem;	 /* the netconf subsystem is running */
	bool hello_done; /* the peer's hello was read */
	bool hello_sent; /* ours was: the session counts (RFC 6022) */
	bool ended_by_rpc; /* close-session or kill-session, not dropped */
	bool closing;
	unsigned int flush_tries;
	struct ssh_server_callbacks_struct srv_cb;
	struct ssh_channel_callbacks_struct chan_cb;
	struct nb_nc_frame_dec dec;
	struct nb_nc_buf out; /* framed bytes not yet taken by libssh */
	struct event *t_read;
	struct event *t_flush;
	struct event *t_kex;
	struct event *t_idle;
	struct event *t_free;
	/* ietf-netconf-monitoring (RFC 6022 section 2) */
	char user[64];
	char host[INET6_ADDRSTRLEN];
	time_t login;
	uint32_t in_rpcs, in_bad_rpcs, out_rpc_errors;
};

static struct {
	struct event_loop *master;
	char addr[INET6_ADDRSTRLEN];
	unsigned int port;
	char authkeys[PATH_MAX];
	char hostkey[PATH_MAX];
	unsigned int max_sessions;
	size_t max_msg;
	unsigned int idle_timeout; /* seconds without input; 0: never */
	ssh_bind bind;
	int bind_fd;
	struct event *t_accept;
	struct nc_session *sessions;
	unsigned int nsessions;
	uint32_t next_id;
	struct nb_nc_mon_stats stats; /* RFC 6022 /netconf-state/statistics */
} nc;

static const char *const nc_caps[] = {
	NB_NC_CAP_BASE10,
	NB_NC_CAP_BASE11,
	"urn:ietf:params:netconf:capability:xpath:1.0", /* RFC 6241 8.9 */
	"urn:ietf:params:netconf:capability:candidate:1.0", /* RFC 6241 8.3 */
	"urn:ietf:params:netconf:capability:validate:1.1", /* RFC 6241 8.6 */
	/* edits are all or nothing (RFC 6241 8.5) */
	"urn:ietf:params:netconf:capability:rollback-on-error:1.0",
	NB_NC_CAP_WITH_DEFAULTS, /* RFC 6243 4.3 */
};

static void nc_read(struct event *t);
static void nc_session_close(struct nc_session *s);
static void nc_idle_restart(struct nc_session *s);

/* ---- output ---- */

static void nc_flush(struct nc_session *s);

static void nc_flush_retry(struct event *t)
{
	struct nc_session *s = EVENT_ARG(t);

	nc_flush(s);
}

/* Hands buffered output to libssh as far as the channel window allows. */
static void nc_flush(struct nc_session *s)
{
	size_t off = 0;

	if (!s->chan)
		return;
	while (off < s->out.len) {
		uint32_t win = ssh_channel_window_size(s->chan);
		size_t n = s->out.len - off;
		int w;

		if (win == 0)
			break;
		if (n > win)
			n = win;
		if (n > 32768)
			n = 32768;
		w = ssh_channel_write(s->chan, s->out.data + off, n);
		if (w == SSH_ERROR) {
			nc_session_close(s);
			return;
		}
		if (w == 0)
			break;
		off += (size_t)w;
	}
	if (off) {
		memmove(s->out.data, s->out.data + off, s->out.len - off);
		nb_nc_buf_truncate(&s->out, s->out.len - off);
	}
	if (s->ev)
		ssh_event_dopoll(s->ev, 0);
	if (s->out.len == 0) {
		s->flush_tries = 0;
		if (s->closing)
			nc_session_close(s);
		return;
	}
	/* a peer that never opens its window is dropped, never waited on */
	if (++s->flush_tries > NC_FLUSH_RETRIES_MAX) {
		zlog_warn("netconf: session %u: peer does not read, closing", s->id);
		s->closing = true;
		nb_nc_buf_reset(&s->out);
		nc_session_close(s);
		return;
	}
	event_add_timer_msec(nc.master, nc_flush_retry, s, NC_FLUSH_RETRY_MSEC, &s->t_flush);
}

/* Frames msg and queues it; false if it does not fit (session closed). */
static bool nc_send(struct nc_session *s, const char *msg, size_t len)
{
	enum nb_nc_framing f = s->hello_done ? s->dec.framing : NB_NC_FRAMING_EOM;

	if (nb_nc_frame_encode(&s->out, f, msg, len, 0) < 0) {
		zlog_warn("netconf: session %u: reply of %zu bytes cannot be framed, closing",
			  s->id, len);
		nc_session_close(s);
		return false;
	}
	nc_flush(s);
	return true;
}

/* ---- RPCs (RFC 6241 section 7) ---- */

static void nc_reply_error_full(struct nc_session *s, const struct nb_nc_rpc_attrs *attrs,
				const struct nb_nc_rpc_error *err)
{
	struct nb_nc_buf b;

	s->out_rpc_errors++;
	nc.stats.out_rpc_errors++;
	nb_nc_buf_init(&b, NC_MAX_REPLY);
	if (nb_nc_rpc_reply_errors(&b, attrs, err, 1) == 0)
		nc_send(s, b.data, b.len);
	else
		nc_session_close(s);
	nb_nc_buf_free(&b);
}

static void nc_reply_error(struct nc_session *s, const struct nb_nc_rpc_attrs *attrs,
			   enum nb_nc_err_type type, enum nb_nc_err_tag tag, const char *message)
{
	struct nb_nc_rpc_error err = {
		.type = type,
		.tag = tag,
		.severity = NB_NC_ERR_SEV_ERROR,
		.message = message,
	};

	nc_reply_error_full(s, attrs, &err);
}

static void nc_reply_ok(struct nc_session *s, const struct nb_nc_rpc_attrs *attrs)
{
	struct nb_nc_buf b;

	nb_nc_buf_init(&b, 4096 + 1024 * NB_NC_XML_ATTRS_MAX);
	if (nb_nc_rpc_reply_ok(&b, attrs) == 0)
		nc_send(s, b.data, b.len);
	else
		nc_session_close(s);
	nb_nc_buf_free(&b);
}

/* ---- the YANG library (RFC 8525), in get and announced in hello ---- */

/*
 * FRR's daemons (amtd among them) build their libyang context without
 * ietf-yang-library, so libyang cannot make this data: it is written here
 * from the context's modules, one module set and schema ("complete") for
 * the running, candidate and operational datastores.
 */
#define NC_NS_YANGLIB  "urn:ietf:params:xml:ns:yang:ietf-yang-library"
#define NC_NS_DS       "urn:ietf:params:xml:ns:yang:ietf-datastores"
#define NC_YANGLIB_REV "2019-01-04"

static int nc_yanglib_module(struct nb_nc_buf *b, const struct lys_module *mod)
{
	const char *elem = mod->implemented ? "module" : "import-only-module";
	const struct lysp_feature *f = NULL;
	uint32_t idx = 0;

	if (nb_nc_buf_adds(b, "<") < 0 || nb_nc_buf_adds(b, elem) < 0 ||
	    nb_nc_buf_adds(b, ">") < 0 || nb_nc_text_element(b, "name", mod->name) < 0 ||
	    /* import-only-module's key includes the revision, "" if none */
	    ((mod->revision || !mod->implemented) &&
	     nb_nc_text_element(b, "revision", mod->revision ? mod->revision : "") < 0) ||
	    nb_nc_text_element(b, "namespace", mod->ns) < 0)
		return -1;
	if (mod->implemented && mod->parsed) {
		LY_ARRAY_COUNT_TYPE u;

		while ((f = lysp_feature_next(f, mod->parsed, &idx)))
			if ((f->flags & LYS_FENABLED) && nb_nc_text_element(b, "feature", f->name) < 0)
				return -1;
		LY_ARRAY_FOR (mod->parsed->includes, u) {
			const struct lysp_include *inc = &mod->parsed->includes[u];

			if (nb_nc_buf_adds(b, "<submodule>") < 0 ||
			    nb_nc_text_element(b, "name", inc->name) < 0 ||
			    (inc->rev[0] && nb_nc_text_element(b, "revision", inc->rev) < 0) ||
			    nb_nc_buf_adds(b, "</submodule>") < 0)
				return -1;
		}
	}
	if (nb_nc_buf_adds(b, "</") < 0 || nb_nc_buf_adds(b, elem) < 0 ||
	    nb_nc_buf_adds(b, ">") < 0)
		return -1;
	return 0;
}

/* Appends <yang-library>, NUL-terminated. */
static int nc_yanglib_xml(struct nb_nc_buf *b)
{
	static const char *const datastores[] = { "running", "candidate", "operational" };
	const struct lys_module *mod;
	uint32_t idx = 0;
	char id[16];

	if (nb_nc_buf_adds(b, "<yang-library xmlns=\"" NC_NS_YANGLIB "\">"
			      "<module-set><name>complete</name>") < 0)
		return -1;
	while ((mod = ly_ctx_get_module_iter(ly_native_ctx, &idx)))
		if (nc_yanglib_module(b, mod) < 0)
			return -1;
	if (nb_nc_buf_adds(b, "</module-set><schema><name>complete</name>"
			      "<module-set>complete</module-set></schema>") < 0)
		return -1;
	for (size_t i = 0; i < array_size(datastores); i++)
		if (nb_nc_buf_adds(b, "<datastore><name xmlns:ds=\"" NC_NS_DS "\">ds:") < 0 ||
		    nb_nc_buf_adds(b, datastores[i]) < 0 ||
		    nb_nc_buf_adds(b, "</name><schema>complete</schema></datastore>") < 0)
			return -1;
	snprintf(id, sizeof(id), "%u", ly_ctx_get_modules_hash(ly_native_ctx));
	if (nb_nc_text_element(b, "content-id", id) < 0 || nb_nc_buf_adds(b, "</yang-library>") < 0 ||
	    nb_nc_buf_add(b, "", 1) < 0)
		return -1;
	return 0;
}

/*
 * <rpc-reply>OPEN BODY EXTRA</data></rpc-reply>, BODY escaped as text if
 * escape (get-schema's YANG text), else XML as it is; EXTRA (XML) may be NULL.
 */
static void nc_reply_body(struct nc_session *s, const struct nb_nc_rpc_attrs *attrs,
			  const char *open, const char *body, bool escape, const char *extra)
{
	struct nb_nc_buf b;

	nb_nc_buf_init(&b, NC_MAX_REPLY);
	if (nb_nc_rpc_reply_open(&b, attrs) < 0 || nb_nc_buf_adds(&b, open) < 0 ||
	    (body && (escape ? nb_nc_xml_escape(&b, body, strlen(body), false)
			     : nb_nc_buf_adds(&b, body)) < 0) ||
	    (extra && nb_nc_buf_adds(&b, extra) < 0) || nb_nc_buf_adds(&b, "</data>") < 0 ||
	    nb_nc_rpc_reply_close(&b) < 0) {
		nb_nc_buf_free(&b);
		nc_reply_error(s, attrs, NB_NC_ERR_TYPE_APPLICATION, NB_NC_ERR_TOO_BIG,
			       "reply too large");
		return;
	}
	nc_send(s, b.data, b.len);
	nb_nc_buf_free(&b);
}

/*
 * Prints tree as the with-defaults mode asks (RFC 6243 section 3), into
 * *xml (malloc'ed, NUL-terminated); -1 on failure.  libyang binds the
 * prefix of report-all-tagged's "default" attribute to the YANG module's
 * namespace: it is rebound to the attribute's own (RFC 6243 section 6).
 */
static int nc_print_data(const struct lyd_node *tree, enum nb_nc_wd wd, char **xml)
{
	static const uint32_t flags[] = {
		[NB_NC_WD_EXPLICIT] = LYD_PRINT_WD_EXPLICIT,
		[NB_NC_WD_TRIM] = LYD_PRINT_WD_TRIM,
		[NB_NC_WD_REPORT_ALL] = LYD_PRINT_WD_ALL,
		[NB_NC_WD_REPORT_ALL_TAGGED] = LYD_PRINT_WD_ALL_TAG,
	};
	struct nb_nc_buf b;
	char *raw = NULL;

	*xml = NULL;
	if ((unsigned int)wd >= array_size(flags) ||
	    lyd_print_mem(&raw, tree, LYD_XML, LYD_PRINT_WITHSIBLINGS | flags[wd]) != LY_SUCCESS)
		return -1;
	if (wd != NB_NC_WD_REPORT_ALL_TAGGED || !raw) {
		*xml = raw;
		return 0;
	}
	nb_nc_buf_init(&b, NC_MAX_REPLY);
	if (nb_nc_xml_rebind_ns(&b, raw, strlen(raw), NB_NC_NS_WD_YANG, NB_NC_NS_WD_ATTR) < 0 ||
	    nb_nc_buf_add(&b, "", 1) < 0) {
		nb_nc_buf_free(&b);
		free(raw);
		return -1;
	}
	free(raw);
	*xml = strdup(b.data);
	nb_nc_buf_free(&b);
	return *xml ? 0 : -1;
}

/* ---- ietf-netconf-monitoring (RFC 6022 section 2) ---- */

static int nc_hello_caps(const char **caps, size_t size, char *yl_cap, size_t yl_size);

/* The module's lock times (the holders are in ncds, below). */
static time_t nc_lock_running_at, nc_lock_cand_at;
static uint32_t nc_lock_holder(bool running);

/*
 * Appends /netconf-state with the containers parts selects (NB_NC_MON_*),
 * written from the sessions, locks and YANG context as they are now.
 */
static int nc_mon_xml(struct nb_nc_buf *b, unsigned int parts)
{
	const char *caps[32];
	char yl_cap[160];
	struct nb_nc_mon_datastore ds[2] = {
		{ "running", nc_lock_holder(true), nc_lock_running_at },
		{ "candidate", nc_lock_holder(false), nc_lock_cand_at },
	};
	struct nb_nc_mon_schema *schemas;
	struct nb_nc_mon_session *sessions;
	struct nb_nc_mon m = {
		.parts = parts,
		.caps = caps,
		.ds = ds,
		.nds = array_size(ds),
		.stats = nc.stats,
	};
	const struct lys_module *mod;
	struct nc_session *s;
	uint32_t idx = 0;
	int ret;

	m.ncaps = nc_hello_caps(caps, array_size(caps), yl_cap, sizeof(yl_cap));
	while (ly_ctx_get_module_iter(ly_native_ctx, &idx))
		m.nschemas++;
	schemas = XCALLOC(MTYPE_TMP, (m.nschemas + 1) * sizeof(*schemas));
	idx = 0;
	m.nschemas = 0;
	/* what get-schema serves: every module of the context */
	while ((mod = ly_ctx_get_module_iter(ly_native_ctx, &idx))) {
		schemas[m.nschemas].identifier = mod->name;
		schemas[m.nschemas].version = mod->revision ? mod->revision : "";
		schemas[m.nschemas].ns = mod->ns;
		m.nschemas++;
	}
	m.schemas = schemas;
	sessions = XCALLOC(MTYPE_TMP, (nc.nsessions + 1) * sizeof(*sessions));
	for (s = nc.sessions; s; s = s->next) {
		struct nb_nc_mon_session *se = &sessions[m.nsessions];

		if (!s->hello_sent || s->t_free)
			continue;
		se->id = s->id;
		se->username = s->user;
		se->source_host = s->host;
		se->login = s->login;
		se->in_rpcs = s->in_rpcs;
		se->in_bad_rpcs = s->in_bad_rpcs;
		se->out_rpc_errors = s->out_rpc_errors;
		m.nsessions++;
	}
	m.sessions = sessions;
	ret = nb_nc_mon_build(b, &m);
	XFREE(MTYPE_TMP, sessions);
	XFREE(MTYPE_TMP, schemas);
	return ret;
}

/* The YANG library and /netconf-state, NUL-terminated. */
static int nc_get_extra(struct nb_nc_buf *b)
{
	if (nc_yanglib_xml(b) < 0)
		return -1;
	nb_nc_buf_truncate(b, b->len - 1); /* its NUL */
	if (nc_mon_xml(b, NB_NC_MON_ALL) < 0 || nb_nc_buf_add(b, "", 1) < 0)
		return -1;
	return 0;
}

/*
 * <rpc-reply><data>TREE EXTRA</data></rpc-reply>; tree may be NULL (empty
 * data), extra (XML of data libyang has no schema for) too.
 */
static void nc_reply_data(struct nc_session *s, const struct nb_nc_rpc_attrs *attrs,
			  const struct lyd_node *tree, const char *extra, enum nb_nc_wd wd)
{
	char *xml = NULL;

	if (tree && nc_print_data(tree, wd, &xml) < 0) {
		nc_reply_error(s, attrs, NB_NC_ERR_TYPE_APPLICATION, NB_NC_ERR_OPERATION_FAILED,
			       "cannot print the data");
		return;
	}
	nc_reply_body(s, attrs, "<data>", xml, false, extra);
	free(xml);
}

/*
 * The <filter> of a get or get-config (RFC 6241 6.1 and 8.9): NC_FILTER_NONE,
 * NC_FILTER_XPATH with *select the expression (module names as prefixes,
 * as libyang stores yang:xpath1.0 values), NC_FILTER_SUBTREE (type
 * "subtree", the default of ietf-netconf's filter type), or
 * NC_FILTER_UNSUPPORTED (an xpath filter without select).
 */
enum nc_filter { NC_FILTER_NONE, NC_FILTER_XPATH, NC_FILTER_SUBTREE, NC_FILTER_UNSUPPORTED };

static enum nc_filter nc_filter_get(const struct lyd_node *op, const char **select)
{
	const struct lys_module *ncmod =
		ly_ctx_get_module_implemented(ly_native_ctx, "ietf-netconf");
	struct lyd_node *child;
	struct lyd_meta *m;

	LY_LIST_FOR (lyd_child(op), child) {
		if (!child->schema || strcmp(child->schema->name, "filter"))
			continue;
		m = lyd_find_meta(child->meta, ncmod, "type");
		if (!m || !strcmp(lyd_get_meta_value(m), "subtree"))
			return NC_FILTER_SUBTREE;
		if (strcmp(lyd_get_meta_value(m), "xpath"))
			return NC_FILTER_UNSUPPORTED;
		m = lyd_find_meta(child->meta, ncmod, "select");
		if (!m || !lyd_get_meta_value(m) || !*lyd_get_meta_value(m))
			return NC_FILTER_UNSUPPORTED;
		*select = lyd_get_meta_value(m);
		return NC_FILTER_XPATH;
	}
	return NC_FILTER_NONE;
}

/*
 * Keeps of tree only the nodes select matches, with their ancestors and
 * descendants (RFC 6241 8.9).  Returns the new tree (NULL: nothing matched),
 * -1 in *err on a bad expression.
 */
static struct lyd_node *nc_filter_xpath(struct lyd_node *tree, const char *select, bool *bad)
{
	struct ly_set *set = NULL;
	struct lyd_node *out = NULL;

	*bad = false;
	if (!tree)
		return NULL;
	if (lyd_find_xpath(tree, select, &set) != LY_SUCCESS) {
		*bad = true;
		return NULL;
	}
	for (uint32_t i = 0; i < set->count; i++) {
		struct lyd_node *dup = NULL, *top;

		if (lyd_dup_single(set->dnodes[i], NULL,
				   LYD_DUP_RECURSIVE | LYD_DUP_WITH_PARENTS | LYD_DUP_WITH_FLAGS,
				   &dup) != LY_SUCCESS)
			continue;
		for (top = dup; top->parent; top = lyd_parent(top))
			;
		if (!out)
			out = top;
		else
			lyd_merge_siblings(&out, top, LYD_MERGE_DESTRUCT);
	}
	ly_set_free(set, NULL);
	return out;
}

/* Maps a namespace of a subtree filter to the module name libyang knows it by. */
static const char *nc_ns_module(const char *ns, size_t len, void *arg)
{
	const struct lys_module *mod;
	char buf[1024];

	if (len >= sizeof(buf))
		return NULL;
	memcpy(buf, ns, len);
	buf[len] = '\0';
	mod = ly_ctx_get_module_implemented_ns(ly_native_ctx, buf);
	return mod ? mod->name : NULL;
}

/*
 * A subtree filter (RFC 6241 section 6) as the union of what each of its
 * XPath expressions (nb_nc_subtree_xpaths()) selects.  Replies itself on
 * an error; tree is not consumed.
 */
static void nc_reply_subtree(struct nc_session *s, const struct nb_nc_rpc_attrs *attrs,
			     const char *msg, size_t len, struct lyd_node *tree, enum nb_nc_wd wd)
{
	struct nb_nc_subtree_err err;
	struct nb_nc_buf paths, mon;
	struct lyd_node *out = NULL;
	unsigned int n = 0, parts = 0;
	const char *p;
	bool bad = false;

	nb_nc_buf_init(&paths, NC_MAX_REPLY);
	if (nb_nc_subtree_xpaths(msg, len, nc_ns_module, NULL, &paths, &n, &err) < 0) {
		struct nb_nc_rpc_error e = {
			.type = NB_NC_ERR_TYPE_PROTOCOL,
			.tag = err.tag,
			.message = err.msg,
			.bad_attribute = err.bad_attr[0] ? err.bad_attr : NULL,
			.bad_element = err.bad_attr[0] ? "filter" : NULL,
		};

		nc_reply_error_full(s, attrs, &e);
		nb_nc_buf_free(&paths);
		return;
	}
	p = paths.data;
	for (unsigned int i = 0; i < n && !bad; i++, p += strlen(p) + 1) {
		struct lyd_node *sel = nc_filter_xpath(tree, p, &bad);

		if (!sel)
			continue;
		if (!out)
			out = sel;
		else
			lyd_merge_siblings(&out, sel, LYD_MERGE_DESTRUCT);
	}
	if (bad) {
		const struct ly_err_item *e = ly_err_last(ly_native_ctx);

		nc_reply_error(s, attrs, NB_NC_ERR_TYPE_APPLICATION, NB_NC_ERR_OPERATION_FAILED,
			       e && e->msg ? e->msg : "subtree filter cannot be evaluated");
		ly_err_clean(ly_native_ctx, NULL);
	} else {
		/* /netconf-state, which libyang cannot select: by container */
		nb_nc_buf_init(&mon, NC_MAX_REPLY);
		if (nb_nc_mon_filter(msg, len, &parts) == 1 &&
		    (nc_mon_xml(&mon, parts) < 0 || nb_nc_buf_add(&mon, "", 1) < 0))
			nc_reply_error(s, attrs, NB_NC_ERR_TYPE_APPLICATION, NB_NC_ERR_TOO_BIG,
				       "reply too large");
		else
			nc_reply_data(s, attrs, out, mon.len ? mon.data : NULL, wd);
		nb_nc_buf_free(&mon);
	}
	lyd_free_all(out);
	nb_nc_buf_free(&paths);
}

/*
 * The <with-defaults> of a get or get-config (RFC 6243 section 4.5.1);
 * without it the basic mode, explicit.  libyang checked the value against
 * the with-defaults-mode enumeration when it parsed the rpc.
 */
static enum nb_nc_wd nc_wd_get(const struct lyd_node *op)
{
	struct lyd_node *n = NULL;
	enum nb_nc_wd wd = NB_NC_WD_EXPLICIT;

	if (lyd_find_path(op, "ietf-netconf-with-defaults:with-defaults", false, &n) ==
		    LY_SUCCESS &&
	    n)
		nb_nc_wd_parse(lyd_get_value(n), &wd);
	return wd;
}

/* Replies with tree filtered as op asks; tree is consumed. */
static void nc_reply_filtered(struct nc_session *s, const struct nb_nc_rpc_attrs *attrs,
			      const char *msg, size_t len, const struct lyd_node *op,
			      struct lyd_node *tree, bool yanglib)
{
	const char *select = NULL;
	struct lyd_node *filtered;
	enum nb_nc_wd wd = nc_wd_get(op);
	struct nb_nc_buf extra;
	bool bad;

	/*
	 * RFC 6243 3.1, 3.4: all default data.  A candidate edited with
	 * test-option set was not validated yet and may lack default nodes:
	 * they are added (configuration only: state comes from the daemon).
	 */
	if ((wd == NB_NC_WD_REPORT_ALL || wd == NB_NC_WD_REPORT_ALL_TAGGED) &&
	    lyd_new_implicit_all(&tree, ly_native_ctx, LYD_IMPLICIT_NO_STATE, NULL) != LY_SUCCESS) {
		nc_reply_error(s, attrs, NB_NC_ERR_TYPE_APPLICATION, NB_NC_ERR_OPERATION_FAILED,
			       "cannot add the default data");
		ly_err_clean(ly_native_ctx, NULL);
		lyd_free_all(tree);
		return;
	}
	switch (nc_filter_get(op, &select)) {
	case NC_FILTER_NONE:
		/*
		 * The YANG library and /netconf-state (get only) are not in
		 * libyang's context: unfiltered get (and subtree filters
		 * naming netconf-state) only.
		 */
		nb_nc_buf_init(&extra, NC_MAX_REPLY);
		if (yanglib && nc_get_extra(&extra) < 0)
			nc_reply_error(s, attrs, NB_NC_ERR_TYPE_APPLICATION, NB_NC_ERR_TOO_BIG,
				       "reply too large");
		else
			nc_reply_data(s, attrs, tree, yanglib ? extra.data : NULL, wd);
		nb_nc_buf_free(&extra);
		break;
	case NC_FILTER_UNSUPPORTED:
		nc_reply_error(s, attrs, NB_NC_ERR_TYPE_PROTOCOL, NB_NC_ERR_MISSING_ATTRIBUTE,
			       "an xpath filter needs a select attribute");
		break;
	case NC_FILTER_SUBTREE:
		nc_reply_subtree(s, attrs, msg, len, tree, wd);
		break;
	case NC_FILTER_XPATH:
		filtered = nc_filter_xpath(tree, select, &bad);
		if (bad) {
			const struct ly_err_item *e = ly_err_last(ly_native_ctx);

			nc_reply_error(s, attrs, NB_NC_ERR_TYPE_APPLICATION,
				       NB_NC_ERR_INVALID_VALUE,
				       e && e->msg ? e->msg : "bad xpath filter");
			ly_err_clean(ly_native_ctx, NULL);
		} else
			nc_reply_data(s, attrs, filtered, NULL, wd);
		lyd_free_all(filtered);
		break;
	}
	lyd_free_all(tree);
}

static struct nb_config *nc_cand(void);

static struct lyd_node *nc_running_dup(void)
{
	struct lyd_node *dup = NULL;

	if (running_config->dnode &&
	    lyd_dup_siblings(running_config->dnode, NULL, LYD_DUP_RECURSIVE, &dup) != LY_SUCCESS)
		return NULL;
	return dup;
}

static void nc_rpc_get_config(struct nc_session *s, const struct nb_nc_rpc_attrs *attrs,
			      const char *msg, size_t len, const struct lyd_node *op)
{
	struct lyd_node *tree = NULL;

	if (lyd_find_path(op, "source/candidate", false, NULL) == LY_SUCCESS) {
		struct nb_config *cand = nc_cand();

		if (cand->dnode &&
		    lyd_dup_siblings(cand->dnode, NULL, LYD_DUP_RECURSIVE, &tree) != LY_SUCCESS)
			tree = NULL;
	} else if (lyd_find_path(op, "source/running", false, NULL) == LY_SUCCESS) {
		tree = nc_running_dup();
	} else {
		nc_reply_error(s, attrs, NB_NC_ERR_TYPE_PROTOCOL,
			       NB_NC_ERR_OPERATION_NOT_SUPPORTED,
			       "only the running and candidate datastores are served");
		return;
	}
	nc_reply_filtered(s, attrs, msg, len, op, tree, false);
}

/* The operational data of the daemon's frr-amtd model, if it has it. */
#define NC_OPER_XPATH "/frr-amtd:amtd"

static void nc_rpc_get(struct nc_session *s, const struct nb_nc_rpc_attrs *attrs,
		       const char *msg, size_t len, const struct lyd_node *op)
{
	struct lyd_node *tree, *state = NULL;

	tree = nc_running_dup();
	if (ly_ctx_get_module_implemented(ly_native_ctx, "frr-amtd") &&
	    nb_oper_iterate_legacy(NC_OPER_XPATH, NULL, 0, NULL, NULL, &state) == NB_OK &&
	    state) {
		if (tree)
			lyd_merge_siblings(&tree, state, LYD_MERGE_DESTRUCT);
		else
			tree = state;
		state = NULL;
	}
	lyd_free_all(state);
	nc_reply_filtered(s, attrs, msg, len, op, tree, true);
}

static struct nc_session *nc_session_find(uint32_t id)
{
	struct nc_session *s;

	for (s = nc.sessions; s; s = s->next)
		if (s->id == id && !s->closing)
			return s;
	return NULL;
}

static void nc_rpc_kill_session(struct nc_session *s, const struct nb_nc_rpc_attrs *attrs,
				const struct lyd_node *op)
{
	struct lyd_node *idn = NULL;
	struct nc_session *victim;
	uint32_t id;

	if (lyd_find_path(op, "session-id", false, &idn) != LY_SUCCESS || !idn) {
		nc_reply_error(s, attrs, NB_NC_ERR_TYPE_PROTOCOL, NB_NC_ERR_MISSING_ELEMENT,
			       "session-id is missing");
		return;
	}
	id = ((struct lyd_node_term *)idn)->value.uint32;
	/* RFC 6241 7.9: killing the own session is invalid-value */
	victim = nc_session_find(id);
	if (!victim || victim == s) {
		nc_reply_error(s, attrs, NB_NC_ERR_TYPE_PROTOCOL, NB_NC_ERR_INVALID_VALUE,
			       victim ? "cannot kill the own session" : "no such session");
		return;
	}
	zlog_info("netconf: session %u killed by session %u", victim->id, s->id);
	victim->ended_by_rpc = true;
	nc_session_close(victim);
	nc_reply_ok(s, attrs);
}

/* ---- the candidate datastore and locks (RFC 6241 7.5, 8.3) ---- */

/*
 * One candidate shared by all sessions (RFC 6241 8.3.1).  While nobody
 * edited it, it follows the running configuration (vtysh and gRPC commits
 * included); once edited ("dirty") it keeps the edits until commit or
 * discard-changes.  Locks name the session holding them (0: none).  The
 * running lock is also FRR's own (nb_running_lock), so that while a
 * NETCONF session holds it, vtysh and gRPC commits are refused too.
 * FRR 10.3 has no NETCONF northbound client id: the lock and the commits
 * are made as NB_CLIENT_NONE with the session as the user.
 */
static struct {
	struct nb_config *cand;
	bool dirty;
	uint32_t lock_running;
	uint32_t lock_cand;
} ncds;

static uint32_t nc_lock_holder(bool running)
{
	return running ? ncds.lock_running : ncds.lock_cand;
}

enum nc_ds { NC_DS_NONE, NC_DS_RUNNING, NC_DS_CANDIDATE, NC_DS_OTHER };

/* Which datastore the container under op (e.g. "target") names. */
static enum nc_ds nc_ds_of(const struct lyd_node *op, const char *container)
{
	struct lyd_node *c = NULL, *child;

	if (lyd_find_path(op, container, false, &c) != LY_SUCCESS || !c)
		return NC_DS_NONE;
	child = lyd_child(c);
	if (!child || !child->schema)
		return NC_DS_NONE;
	if (!strcmp(child->schema->name, "running"))
		return NC_DS_RUNNING;
	if (!strcmp(child->schema->name, "candidate"))
		return NC_DS_CANDIDATE;
	return NC_DS_OTHER;
}

/* The candidate, following running while it is not edited. */
static struct nb_config *nc_cand(void)
{
	if (!ncds.cand)
		ncds.cand = nb_config_dup(running_config);
	else if (!ncds.dirty && nb_candidate_needs_update(ncds.cand))
		nb_config_replace(ncds.cand, running_config, true);
	return ncds.cand;
}

static void nc_cand_discard(void)
{
	if (ncds.cand)
		nb_config_replace(ncds.cand, running_config, true);
	ncds.dirty = false;
}

static struct nb_context nc_context(struct nc_session *s)
{
	struct nb_context ctx = {
		.client = NB_CLIENT_NONE,
		.user = s,
	};

	return ctx;
}

/* Releases what the session holds; an uncommitted candidate it had locked
 * is discarded (RFC 6241 8.3.5.2). */
static void nc_locks_release(struct nc_session *s)
{
	if (ncds.lock_running == s->id) {
		nb_running_unlock(NB_CLIENT_NONE, s);
		ncds.lock_running = 0;
	}
	if (ncds.lock_cand == s->id) {
		ncds.lock_cand = 0;
		if (ncds.dirty)
			zlog_info("netconf: session %u ended holding the candidate lock, changes discarded",
				  s->id);
		nc_cand_discard();
	}
}

/* A lock held by another session: tag with the holder (0: outside NETCONF). */
static void nc_reply_locked(struct nc_session *s, const struct nb_nc_rpc_attrs *attrs,
			    enum nb_nc_err_tag tag, uint32_t holder, const char *message)
{
	struct nb_nc_rpc_error err = {
		.type = NB_NC_ERR_TYPE_PROTOCOL,
		.tag = tag,
		.message = message,
		.has_session_id = true,
		.session_id = holder,
	};

	nc_reply_error_full(s, attrs, &err);
}

/* Whether a lock of another session refuses the change (in-use, naming it). */
static bool nc_locked_by_other(struct nc_session *s, const struct nb_nc_rpc_attrs *attrs,
			       uint32_t holder, const char *message)
{
	if (!holder || holder == s->id)
		return false;
	nc_reply_locked(s, attrs, NB_NC_ERR_IN_USE, holder, message);
	return true;
}

static void nc_rpc_lock(struct nc_session *s, const struct nb_nc_rpc_attrs *attrs,
			const struct lyd_node *op, bool lock)
{
	enum nc_ds ds = nc_ds_of(op, "target");
	uint32_t *holder;

	if (ds != NC_DS_RUNNING && ds != NC_DS_CANDIDATE) {
		nc_reply_error(s, attrs, NB_NC_ERR_TYPE_PROTOCOL,
			       NB_NC_ERR_OPERATION_NOT_SUPPORTED,
			       "only running and candidate can be locked");
		return;
	}
	holder = ds == NC_DS_RUNNING ? &ncds.lock_running : &ncds.lock_cand;
	if (!lock) {
		/* RFC 6241 7.6: only the session holding the lock releases it */
		if (*holder != s->id) {
			nc_reply_error(s, attrs, NB_NC_ERR_TYPE_PROTOCOL,
				       NB_NC_ERR_OPERATION_FAILED,
				       "the lock is not held by this session");
			return;
		}
		if (ds == NC_DS_RUNNING)
			nb_running_unlock(NB_CLIENT_NONE, s);
		*holder = 0;
		nc_reply_ok(s, attrs);
		return;
	}
	/* RFC 6241 7.5: lock-denied with the holder's session-id */
	if (*holder) {
		nc_reply_locked(s, attrs, NB_NC_ERR_LOCK_DENIED, *holder,
				"the datastore is locked by a NETCONF session");
		return;
	}
	if (ds == NC_DS_CANDIDATE) {
		/* RFC 6241 7.5: not while the candidate holds uncommitted changes */
		if (ncds.dirty) {
			nc_reply_locked(s, attrs, NB_NC_ERR_LOCK_DENIED, 0,
					"the candidate has uncommitted changes");
			return;
		}
	} else if (nb_running_lock(NB_CLIENT_NONE, s) < 0) {
		nc_reply_locked(s, attrs, NB_NC_ERR_LOCK_DENIED, 0,
				"the running configuration is locked outside NETCONF");
		return;
	}
	*holder = s->id;
	if (ds == NC_DS_RUNNING)
		nc_lock_running_at = time(NULL);
	else
		nc_lock_cand_at = time(NULL);
	nc_reply_ok(s, attrs);
}

/* An edit refused: where and why (RFC 6241 appendix A). */
struct nc_edit_err {
	enum nb_nc_err_type type;
	enum nb_nc_err_tag tag;
	char path[XPATH_MAXLEN];
	char msg[512];
};

enum nc_op { NC_OP_MERGE, NC_OP_REPLACE, NC_OP_CREATE, NC_OP_DELETE, NC_OP_REMOVE, NC_OP_NONE };

static bool nc_op_parse(const char *v, enum nc_op *op)
{
	static const char *const names[] = {
		[NC_OP_MERGE] = "merge",   [NC_OP_REPLACE] = "replace", [NC_OP_CREATE] = "create",
		[NC_OP_DELETE] = "delete", [NC_OP_REMOVE] = "remove",	[NC_OP_NONE] = "none",
	};

	for (size_t i = 0; i < array_size(names); i++)
		if (v && !strcmp(v, names[i])) {
			*op = i;
			return true;
		}
	return false;
}

static void nc_edit_fail(struct nc_edit_err *err, enum nb_nc_err_tag tag,
			 const struct lyd_node *at, const char *msg)
{
	err->type = NB_NC_ERR_TYPE_APPLICATION;
	err->tag = tag;
	err->path[0] = '\0';
	if (at)
		lyd_path(at, LYD_PATH_STD, err->path, sizeof(err->path));
	strlcpy(err->msg, msg, sizeof(err->msg));
}

/* Drops the edit's operation attributes from a node copied into the candidate. */
static void nc_strip_ops(struct lyd_node *tree)
{
	const struct lys_module *ncmod =
		ly_ctx_get_module_implemented(ly_native_ctx, "ietf-netconf");
	struct lyd_node *n;
	struct lyd_meta *m;

	LYD_TREE_DFS_BEGIN (tree, n) {
		while ((m = lyd_find_meta(n->meta, ncmod, "operation")))
			lyd_free_meta_single(m);
		LYD_TREE_DFS_END(tree, n);
	}
}

/* Copies e (its subtree if recursive) under parent or among the top-level nodes. */
static struct lyd_node *nc_edit_insert(struct lyd_node **first, struct lyd_node *parent,
				       const struct lyd_node *e, bool recursive)
{
	struct lyd_node *dup = NULL;

	if (lyd_dup_single(e, (struct lyd_node_inner *)parent,
			   recursive ? LYD_DUP_RECURSIVE : 0, &dup) != LY_SUCCESS)
		return NULL;
	if (!parent && lyd_insert_sibling(*first, dup, first) != LY_SUCCESS) {
		lyd_free_tree(dup);
		return NULL;
	}
	nc_strip_ops(dup);
	return dup;
}

static void nc_edit_unlink(struct lyd_node **first, struct lyd_node *node)
{
	if (node == *first)
		*first = node->next;
	lyd_free_tree(node);
}

static int nc_edit_children(struct lyd_node **first, struct lyd_node *parent,
			    const struct lyd_node *e, enum nc_op op, struct nc_edit_err *err,
			    bool *touched);

/*
 * Applies the edit node e (RFC 6241 7.2) under parent (NULL: the top-level
 * nodes starting at *first), with the operation inherited from above.
 */
static int nc_edit_node(struct lyd_node **first, struct lyd_node *parent,
			const struct lyd_node *e, enum nc_op inherited, struct nc_edit_err *err,
			bool *touched)
{
	const struct lys_module *ncmod =
		ly_ctx_get_module_implemented(ly_native_ctx, "ietf-netconf");
	struct lyd_node *siblings = parent ? lyd_child(parent) : *first;
	struct lyd_node *match = NULL, *shell;
	struct lyd_meta *m = lyd_find_meta(e->meta, ncmod, "operation");
	enum nc_op op = inherited;
	bool term = e->schema && (e->schema->nodetype & LYD_NODE_TERM);
	bool below = false;

	if (m && !nc_op_parse(lyd_get_meta_value(m), &op)) {
		nc_edit_fail(err, NB_NC_ERR_BAD_ATTRIBUTE, e, "unknown operation");
		return -1;
	}
	if (siblings && lyd_find_sibling_first(siblings, e, &match) != LY_SUCCESS)
		match = NULL;
	/* a default node was not set by anyone: create may set it, delete
	 * finds nothing (RFC 6243 section 4.5.1) */
	switch (op) {
	case NC_OP_CREATE:
		if (match && !(match->flags & LYD_DEFAULT)) {
			nc_edit_fail(err, NB_NC_ERR_DATA_EXISTS, e, "the data already exists");
			return -1;
		}
		/* a default node is replaced like with replace */
		fallthrough;
	case NC_OP_REPLACE:
		if (match)
			nc_edit_unlink(first, match);
		if (!nc_edit_insert(first, parent, e, true))
			goto nomem;
		*touched = true;
		return 0;
	case NC_OP_DELETE:
		if (!match || (match->flags & LYD_DEFAULT)) {
			nc_edit_fail(err, NB_NC_ERR_DATA_MISSING, e, "the data does not exist");
			return -1;
		}
		nc_edit_unlink(first, match);
		*touched = true;
		return 0;
	case NC_OP_REMOVE:
		if (match) {
			nc_edit_unlink(first, match);
			*touched = true;
		}
		return 0;
	case NC_OP_MERGE:
	case NC_OP_NONE:
		break;
	}

	if (term) {
		if (op == NC_OP_NONE)
			return 0;
		if (!match) {
			if (!nc_edit_insert(first, parent, e, false))
				goto nomem;
		} else if (e->schema->nodetype == LYS_LEAF) {
			/* LY_EEXIST / LY_ENOT: same value (the default flag is cleared) */
			lyd_change_term(match, lyd_get_value(e));
		}
		*touched = true;
		return 0;
	}
	if (match)
		return nc_edit_children(first, match, e, op, err, touched);
	/* a container or list entry that is not there yet */
	shell = nc_edit_insert(first, parent, e, false);
	if (!shell)
		goto nomem;
	if (nc_edit_children(first, shell, e, op, err, &below) < 0)
		return -1;
	if (op == NC_OP_NONE && !below)
		nc_edit_unlink(first, shell);
	else
		*touched = true;
	return 0;
nomem:
	nc_edit_fail(err, NB_NC_ERR_OPERATION_FAILED, e, "cannot edit the candidate");
	return -1;
}

static int nc_edit_children(struct lyd_node **first, struct lyd_node *parent,
			    const struct lyd_node *e, enum nc_op op, struct nc_edit_err *err,
			    bool *touched)
{
	struct lyd_node *child;

	LY_LIST_FOR (lyd_child(e), child) {
		if (child->schema && lysc_is_key(child->schema))
			continue;
		if (nc_edit_node(first, parent, child, op, err, touched) < 0)
			return -1;
	}
	return 0;
}

/* Reads the <config> of an edit-config strictly against the schema. */
static struct lyd_node *nc_edit_parse(const struct lyd_node *config, struct nc_edit_err *err,
				      bool *empty)
{
	const struct lyd_node_any *any = (const struct lyd_node_any *)config;
	struct lyd_node *edit = NULL;
	char *xml = NULL;
	LY_ERR ret;

	*empty = false;
	if (any->value_type == LYD_ANYDATA_DATATREE && !any->value.tree) {
		*empty = true;
		return NULL;
	}
	if (lyd_any_value_str(config, &xml) != LY_SUCCESS || !xml) {
		nc_edit_fail(err, NB_NC_ERR_MALFORMED_MESSAGE, NULL, "cannot read the config");
		return NULL;
	}
	ret = lyd_parse_data_mem(ly_native_ctx, xml, LYD_XML,
				 LYD_PARSE_ONLY | LYD_PARSE_STRICT | LYD_PARSE_NO_STATE, 0, &edit);
	free(xml);
	if (ret != LY_SUCCESS) {
		const struct ly_err_item *e = ly_err_first(ly_native_ctx);
		enum nb_nc_err_tag tag = NB_NC_ERR_INVALID_VALUE;

		if (e && e->msg && strstr(e->msg, "not found"))
			tag = NB_NC_ERR_UNKNOWN_ELEMENT;
		else if (e && e->msg && strstr(e->msg, "amespace"))
			tag = NB_NC_ERR_UNKNOWN_NAMESPACE;
		nc_edit_fail(err, tag, NULL, e && e->msg ? e->msg : "invalid config");
		if (e && e->data_path)
			strlcpy(err->path, e->data_path, sizeof(err->path));
		ly_err_clean(ly_native_ctx, NULL);
		lyd_free_all(edit);
		return NULL;
	}
	if (!edit)
		*empty = true;
	return edit;
}

static void nc_reply_edit_err(struct nc_session *s, const struct nb_nc_rpc_attrs *attrs,
			      const struct nc_edit_err *ee)
{
	struct nb_nc_rpc_error err = {
		.type = ee->type,
		.tag = ee->tag,
		.message = ee->msg,
		.path = ee->path[0] ? ee->path : NULL,
	};
	struct nb_nc_xmlns ns[8];
	size_t nns = 0;
	const struct lys_module *mod;
	uint32_t idx = 0;

	/* the path's prefixes are module names (LYD_PATH_STD) */
	while (err.path && nns < array_size(ns) &&
	       (mod = ly_ctx_get_module_iter(ly_native_ctx, &idx))) {
		char pfx[128];

		if (!mod->implemented)
			continue;
		snprintf(pfx, sizeof(pfx), "/%s:", mod->name);
		if (!strstr(err.path, pfx))
			continue;
		ns[nns].prefix = mod->name;
		ns[nns].uri = mod->ns;
		nns++;
	}
	err.path_ns = ns;
	err.path_ns_count = nns;
	nc_reply_error_full(s, attrs, &err);
}

static const char *nc_leaf_str(const struct lyd_node *op, const char *path)
{
	struct lyd_node *n = NULL;

	if (lyd_find_path(op, path, false, &n) != LY_SUCCESS || !n)
		return NULL;
	return lyd_get_value(n);
}

static void nc_rpc_edit_config(struct nc_session *s, const struct nb_nc_rpc_attrs *attrs,
			       const struct lyd_node *op)
{
	const char *dflt = nc_leaf_str(op, "default-operation");
	const char *test = nc_leaf_str(op, "test-option");
	const char *errop = nc_leaf_str(op, "error-option");
	struct lyd_node *config = NULL, *edit, *work = NULL, *e;
	struct nc_edit_err ee = {};
	enum nc_op dop = NC_OP_MERGE;
	bool empty, touched = false;
	struct nb_config *cand;

	if (nc_ds_of(op, "target") != NC_DS_CANDIDATE) {
		/* :writable-running is not announced (RFC 6241 8.2) */
		nc_reply_error(s, attrs, NB_NC_ERR_TYPE_PROTOCOL,
			       NB_NC_ERR_OPERATION_NOT_SUPPORTED,
			       "only the candidate datastore can be edited");
		return;
	}
	if (dflt && (!nc_op_parse(dflt, &dop) || dop == NC_OP_CREATE || dop == NC_OP_DELETE ||
		     dop == NC_OP_REMOVE)) {
		nc_reply_error(s, attrs, NB_NC_ERR_TYPE_PROTOCOL, NB_NC_ERR_INVALID_VALUE,
			       "bad default-operation");
		return;
	}
	/* edits are all or nothing: stop-on-error and rollback-on-error alike */
	if (errop && !strcmp(errop, "continue-on-error")) {
		nc_reply_error(s, attrs, NB_NC_ERR_TYPE_PROTOCOL,
			       NB_NC_ERR_OPERATION_NOT_SUPPORTED, "continue-on-error is not supported");
		return;
	}
	if (lyd_find_path(op, "config", false, &config) != LY_SUCCESS || !config) {
		nc_reply_error(s, attrs, NB_NC_ERR_TYPE_PROTOCOL, NB_NC_ERR_MISSING_ELEMENT,
			       "config is missing (url is not supported)");
		return;
	}
	if (nc_locked_by_other(s, attrs, ncds.lock_cand,
			       "the candidate is locked by another session"))
		return;
	edit = nc_edit_parse(config, &ee, &empty);
	if (!edit && !empty) {
		nc_reply_edit_err(s, attrs, &ee);
		return;
	}
	cand = nc_cand();
	if (cand->dnode &&
	    lyd_dup_siblings(cand->dnode, NULL, LYD_DUP_RECURSIVE | LYD_DUP_WITH_FLAGS, &work) !=
		    LY_SUCCESS) {
		lyd_free_all(edit);
		nc_reply_error(s, attrs, NB_NC_ERR_TYPE_APPLICATION, NB_NC_ERR_OPERATION_FAILED,
			       "cannot copy the candidate");
		return;
	}
	LY_LIST_FOR (edit, e)
		if (nc_edit_node(&work, NULL, e, dop, &ee, &touched) < 0)
			goto fail;
	/* RFC 6241 8.6.4: test-then-set (the default) and test-only validate */
	if (!test || strcmp(test, "set")) {
		if (lyd_validate_all(&work, ly_native_ctx, LYD_VALIDATE_NO_STATE, NULL) !=
		    LY_SUCCESS) {
			const struct ly_err_item *le = ly_err_last(ly_native_ctx);

			nc_edit_fail(&ee, NB_NC_ERR_INVALID_VALUE, NULL,
				     le && le->msg ? le->msg : "the result is not valid");
			if (le && le->data_path)
				strlcpy(ee.path, le->data_path, sizeof(ee.path));
			ly_err_clean(ly_native_ctx, NULL);
			goto fail;
		}
	}
	lyd_free_all(edit);
	if (test && !strcmp(test, "test-only")) {
		lyd_free_all(work);
		nc_reply_ok(s, attrs);
		return;
	}
	/* nothing of the old candidate is left when the edit fails */
	lyd_free_all(cand->dnode);
	cand->dnode = work;
	if (touched)
		ncds.dirty = true;
	nc_reply_ok(s, attrs);
	return;
fail:
	lyd_free_all(edit);
	lyd_free_all(work);
	nc_reply_edit_err(s, attrs, &ee);
}

static void nc_rpc_discard(struct nc_session *s, const struct nb_nc_rpc_attrs *attrs)
{
	if (nc_locked_by_other(s, attrs, ncds.lock_cand,
			       "the candidate is locked by another session"))
		return;
	nc_cand_discard();
	nc_reply_ok(s, attrs);
}

/*
 * RFC 6241 8.3.4.1: the candidate becomes running, through FRR's
 * northbound (commit, and copy-config from candidate to running).
 */
static void nc_commit_candidate(struct nc_session *s, const struct nb_nc_rpc_attrs *attrs)
{
	char errmsg[BUFSIZ] = "", comment[64];
	struct nb_config *cand;
	uint32_t tid = 0;
	int ret;

	if (nc_locked_by_other(s, attrs, ncds.lock_running,
			       "the running configuration is locked by another session"))
		return;
	if (nc_locked_by_other(s, attrs, ncds.lock_cand,
			       "the candidate is locked by another session"))
		return;
	cand = nc_cand();
	if (ncds.dirty && nb_candidate_needs_update(cand) && nb_candidate_update(cand) != NB_OK) {
		nc_reply_error(s, attrs, NB_NC_ERR_TYPE_APPLICATION, NB_NC_ERR_OPERATION_FAILED,
			       "the candidate cannot be rebased on the running configuration");
		return;
	}
	snprintf(comment, sizeof(comment), "NETCONF session %u", s->id);
	ret = nb_candidate_commit(nc_context(s), cand, true, comment, &tid, errmsg,
				  sizeof(errmsg));
	switch (ret) {
	case NB_OK:
	case NB_ERR_NO_CHANGES:
		zlog_info("netconf: session %u committed (transaction %u)", s->id, tid);
		nc_cand_discard();
		nc_reply_ok(s, attrs);
		return;
	case NB_ERR_LOCKED:
		nc_reply_locked(s, attrs, NB_NC_ERR_IN_USE, 0,
				errmsg[0] ? errmsg : "the running configuration is locked");
		return;
	default:
		/* the message vtysh prints for the same refusal */
		nc_reply_error(s, attrs, NB_NC_ERR_TYPE_APPLICATION, NB_NC_ERR_OPERATION_FAILED,
			       errmsg[0] ? errmsg : nb_err_name(ret));
		return;
	}
}

static void nc_rpc_commit(struct nc_session *s, const struct nb_nc_rpc_attrs *attrs,
			  const struct lyd_node *op)
{
	if (lyd_find_path(op, "confirmed", false, NULL) == LY_SUCCESS) {
		nc_reply_error(s, attrs, NB_NC_ERR_TYPE_PROTOCOL,
			       NB_NC_ERR_OPERATION_NOT_SUPPORTED,
			       "confirmed commit is not supported");
		return;
	}
	nc_commit_candidate(s, attrs);
}

/*
 * RFC 6241 7.3: copy-config between running and candidate only.  Running
 * to candidate resets the candidate (as discard-changes, RFC 6241
 * 8.3.4.2); candidate to running is a commit through the northbound, with
 * its validation and locks.  Startup, url and an inline config are not
 * served (their capabilities are not announced).
 */
static void nc_rpc_copy_config(struct nc_session *s, const struct nb_nc_rpc_attrs *attrs,
			       const struct lyd_node *op)
{
	enum nc_ds target = nc_ds_of(op, "target");
	enum nc_ds source = nc_ds_of(op, "source");

	if ((target != NC_DS_RUNNING && target != NC_DS_CANDIDATE) ||
	    (source != NC_DS_RUNNING && source != NC_DS_CANDIDATE)) {
		nc_reply_error(s, attrs, NB_NC_ERR_TYPE_PROTOCOL,
			       NB_NC_ERR_OPERATION_NOT_SUPPORTED,
			       "copy-config is served between running and candidate only");
		return;
	}
	/* RFC 6241 7.3: the same datastore as source and target */
	if (source == target) {
		nc_reply_error(s, attrs, NB_NC_ERR_TYPE_PROTOCOL, NB_NC_ERR_INVALID_VALUE,
			       "source and target are the same datastore");
		return;
	}
	if (target == NC_DS_RUNNING) {
		nc_commit_candidate(s, attrs);
		return;
	}
	if (nc_locked_by_other(s, attrs, ncds.lock_cand,
			       "the candidate is locked by another session"))
		return;
	nc_cand_discard();
	nc_reply_ok(s, attrs);
}

/* RFC 6241 8.6.4.1: validate the candidate (or running). */
static void nc_rpc_validate(struct nc_session *s, const struct nb_nc_rpc_attrs *attrs,
			    const struct lyd_node *op)
{
	char errmsg[BUFSIZ] = "";
	struct nb_context ctx = nc_context(s);
	struct nb_config *dup;
	enum nc_ds ds = nc_ds_of(op, "source");
	int ret;

	if (ds != NC_DS_CANDIDATE && ds != NC_DS_RUNNING) {
		nc_reply_error(s, attrs, NB_NC_ERR_TYPE_PROTOCOL,
			       NB_NC_ERR_OPERATION_NOT_SUPPORTED,
			       "only candidate and running can be validated");
		return;
	}
	/* on a copy: validation adds default nodes */
	dup = nb_config_dup(ds == NC_DS_CANDIDATE ? nc_cand() : running_config);
	/*
	 * YANG first on its own: FRR 10.3's nb_candidate_validate() hands
	 * sizeof(errmsg_len) as the length of the YANG error message (8 bytes).
	 */
	ret = nb_candidate_validate_yang(dup, true, errmsg, sizeof(errmsg));
	if (ret == NB_OK)
		ret = nb_candidate_validate(&ctx, dup, errmsg, sizeof(errmsg));
	nb_config_free(dup);
	if (ret != NB_OK) {
		nc_reply_error(s, attrs, NB_NC_ERR_TYPE_APPLICATION, NB_NC_ERR_OPERATION_FAILED,
			       errmsg[0] ? errmsg : nb_err_name(ret));
		return;
	}
	nc_reply_ok(s, attrs);
}

/* ---- get-schema (RFC 6022 section 3.1) ---- */

#define NC_NS_MONITORING "urn:ietf:params:xml:ns:yang:ietf-netconf-monitoring"

struct nc_schema_req {
	char identifier[128];
	char version[32];
	char format[64];
	bool has_identifier, has_version, has_format;
	bool bad; /* an unknown or repeated child, or text too long */
};

/* Copies the text of the current element into buf; false if it does not fit. */
static bool nc_schema_text(struct nb_nc_xml *x, char *buf, size_t size)
{
	const struct nb_nc_xml_tok *t;
	size_t used = 0;

	buf[0] = '\0';
	while ((t = nb_nc_xml_next(x))->type == NB_NC_XML_TEXT) {
		if (used + t->text.len >= size)
			return false;
		memcpy(buf + used, t->text.s, t->text.len);
		used += t->text.len;
		buf[used] = '\0';
	}
	/* an element inside a leaf is refused too */
	return t->type == NB_NC_XML_END;
}

/*
 * Whether msg is an <rpc> whose operation is ietf-netconf-monitoring's
 * get-schema (libyang has no schema for it: FRR 10.3 does not ship that
 * module).  Fills req from its children.
 */
static bool nc_schema_parse(const char *msg, size_t len, struct nc_schema_req *req)
{
	struct nb_nc_xml x;
	const struct nb_nc_xml_tok *t;
	bool found = false;

	memset(req, 0, sizeof(*req));
	nb_nc_xml_init(&x, msg, len, 8);
	/* the root: <rpc> (checked by the caller) */
	t = nb_nc_xml_next(&x);
	if (t->type != NB_NC_XML_START)
		goto out;
	t = nb_nc_xml_next(&x);
	while (t->type == NB_NC_XML_TEXT)
		t = nb_nc_xml_next(&x);
	if (t->type != NB_NC_XML_START || !nb_nc_xml_str_eq(t->ns, NC_NS_MONITORING) ||
	    !nb_nc_xml_str_eq(t->local, "get-schema"))
		goto out;
	found = true;
	while ((t = nb_nc_xml_next(&x))->type != NB_NC_XML_END || t->depth != 2) {
		char *buf = NULL;
		size_t size = 0;
		bool *has = NULL;

		if (t->type == NB_NC_XML_TEXT)
			continue;
		if (t->type != NB_NC_XML_START) {
			req->bad = true;
			break;
		}
		if (nb_nc_xml_str_eq(t->ns, NC_NS_MONITORING)) {
			if (nb_nc_xml_str_eq(t->local, "identifier")) {
				buf = req->identifier;
				size = sizeof(req->identifier);
				has = &req->has_identifier;
			} else if (nb_nc_xml_str_eq(t->local, "version")) {
				buf = req->version;
				size = sizeof(req->version);
				has = &req->has_version;
			} else if (nb_nc_xml_str_eq(t->local, "format")) {
				buf = req->format;
				size = sizeof(req->format);
				has = &req->has_format;
			}
		}
		if (!buf || *has || !nc_schema_text(&x, buf, size)) {
			req->bad = true;
			break;
		}
		*has = true;
	}
out:
	nb_nc_xml_fini(&x);
	return found;
}

static void nc_rpc_get_schema(struct nc_session *s, const struct nb_nc_rpc_attrs *attrs,
			      const struct nc_schema_req *req)
{
	const char *fmt = req->format, *colon;
	const struct lys_module *mod;
	char *text = NULL;

	if (req->bad) {
		nc_reply_error(s, attrs, NB_NC_ERR_TYPE_PROTOCOL, NB_NC_ERR_BAD_ELEMENT,
			       "get-schema takes identifier, version and format, once each");
		return;
	}
	if (!req->has_identifier || !req->identifier[0]) {
		nc_reply_error(s, attrs, NB_NC_ERR_TYPE_PROTOCOL, NB_NC_ERR_MISSING_ELEMENT,
			       "identifier is missing");
		return;
	}
	/* the format is an identity: "yang" or "prefix:yang" */
	colon = strchr(fmt, ':');
	if (colon)
		fmt = colon + 1;
	if (req->has_format && strcmp(fmt, "yang")) {
		nc_reply_error(s, attrs, NB_NC_ERR_TYPE_APPLICATION, NB_NC_ERR_INVALID_VALUE,
			       "only the yang format is served");
		return;
	}
	if (req->has_version && req->version[0])
		mod = ly_ctx_get_module(ly_native_ctx, req->identifier, req->version);
	else
		mod = ly_ctx_get_module_latest(ly_native_ctx, req->identifier);
	/* RFC 6022 3.1: an unknown schema is invalid-value */
	if (!mod || lys_print_mem(&text, mod, LYS_OUT_YANG, 0) != LY_SUCCESS || !text) {
		nc_reply_error(s, attrs, NB_NC_ERR_TYPE_APPLICATION, NB_NC_ERR_INVALID_VALUE,
			       "no such schema");
		free(text);
		return;
	}
	nc_reply_body(s, attrs, "<data xmlns=\"" NC_NS_MONITORING "\">", text, true, NULL);
	free(text);
}

/* RFC 6022: in-rpcs (good) or in-bad-rpcs, of the session and in all */
static void nc_count_rpc(struct nc_session *s, bool good)
{
	if (good) {
		s->in_rpcs++;
		nc.stats.in_rpcs++;
	} else {
		s->in_bad_rpcs++;
		nc.stats.in_bad_rpcs++;
	}
}

static void nc_handle_rpc(struct nc_session *s, const char *msg, size_t len)
{
	struct nb_nc_rpc_attrs attrs;
	struct ly_in *in = NULL;
	struct lyd_node *envp = NULL, *op = NULL;
	struct nc_schema_req schema_req;
	const char *name;

	if (nb_nc_rpc_attrs_extract(msg, len, &attrs) < 0) {
		nc_count_rpc(s, false);
		nb_nc_rpc_attrs_free(&attrs);
		/* not an <rpc> in the base namespace (RFC 6241 section 4.1) */
		nc_reply_error(s, NULL, NB_NC_ERR_TYPE_RPC, NB_NC_ERR_MALFORMED_MESSAGE,
			       "not an rpc element");
		return;
	}
	if (!nb_nc_rpc_attrs_get(&attrs, "message-id")) {
		/* RFC 6241 4.1: missing-attribute, naming the attribute and element */
		struct nb_nc_rpc_error err = {
			.type = NB_NC_ERR_TYPE_RPC,
			.tag = NB_NC_ERR_MISSING_ATTRIBUTE,
			.message = "message-id is missing",
			.bad_attribute = "message-id",
			.bad_element = "rpc",
		};

		nc_count_rpc(s, false);
		nc_reply_error_full(s, &attrs, &err);
		goto out;
	}
	if (nc_schema_parse(msg, len, &schema_req)) {
		nc_count_rpc(s, true);
		nc_rpc_get_schema(s, &attrs, &schema_req);
		goto out;
	}
	if (ly_in_new_memory(msg, &in) != LY_SUCCESS ||
	    lyd_parse_op(ly_native_ctx, NULL, in, LYD_XML, LYD_TYPE_RPC_NETCONF, &envp, &op) !=
		    LY_SUCCESS ||
	    !op) {
		const struct ly_err_item *first = ly_err_first(ly_native_ctx), *e;
		enum nb_nc_err_tag tag = NB_NC_ERR_MALFORMED_MESSAGE;

		/* RFC 6241 appendix A, from the most precise libyang says */
		for (e = first; e; e = e->next) {
			/* an operation libyang does not know: "... not found ..." */
			if (e->msg && strstr(e->msg, "ot found")) {
				tag = NB_NC_ERR_OPERATION_NOT_SUPPORTED;
				break;
			}
			/* an attribute's value refused, e.g. a bad filter select */
			if (e->data_path && strstr(e->data_path, "/@")) {
				tag = NB_NC_ERR_BAD_ATTRIBUTE;
				break;
			}
			if (e->vecode == LYVE_DATA || e->vecode == LYVE_REFERENCE) {
				tag = NB_NC_ERR_INVALID_VALUE;
				break;
			}
		}
		/* RFC 6022: an operation not known is no bad rpc; other failures are */
		nc_count_rpc(s, tag == NB_NC_ERR_OPERATION_NOT_SUPPORTED);
		nc_reply_error(s, &attrs, NB_NC_ERR_TYPE_RPC, tag,
			       first && first->msg ? first->msg : "the rpc cannot be parsed");
		ly_err_clean(ly_native_ctx, NULL);
		goto out;
	}
	if (!op->schema || strcmp(op->schema->module->name, "ietf-netconf")) {
		nc_reply_error(s, &attrs, NB_NC_ERR_TYPE_PROTOCOL,
			       NB_NC_ERR_OPERATION_NOT_SUPPORTED, "operation not supported");
		goto out;
	}
	nc_count_rpc(s, true);
	name = op->schema->name;
	if (!strcmp(name, "get-config"))
		nc_rpc_get_config(s, &attrs, msg, len, op);
	else if (!strcmp(name, "get"))
		nc_rpc_get(s, &attrs, msg, len, op);
	else if (!strcmp(name, "edit-config"))
		nc_rpc_edit_config(s, &attrs, op);
	else if (!strcmp(name, "commit"))
		nc_rpc_commit(s, &attrs, op);
	else if (!strcmp(name, "copy-config"))
		nc_rpc_copy_config(s, &attrs, op);
	else if (!strcmp(name, "discard-changes"))
		nc_rpc_discard(s, &attrs);
	else if (!strcmp(name, "validate"))
		nc_rpc_validate(s, &attrs, op);
	else if (!strcmp(name, "lock") || !strcmp(name, "unlock"))
		nc_rpc_lock(s, &attrs, op, name[0] == 'l');
	else if (!strcmp(name, "close-session")) {
		/* RFC 6241 7.8: reply, then close */
		s->closing = true;
		s->ended_by_rpc = true;
		nc_reply_ok(s, &attrs);
	} else if (!strcmp(name, "kill-session"))
		nc_rpc_kill_session(s, &attrs, op);
	else
		nc_reply_error(s, &attrs, NB_NC_ERR_TYPE_PROTOCOL,
			       NB_NC_ERR_OPERATION_NOT_SUPPORTED, "operation not supported yet");
out:
	lyd_free_all(envp);
	lyd_free_all(op);
	ly_in_free(in, 0);
	nb_nc_rpc_attrs_free(&attrs);
}

static void nc_handle_msg(struct nc_session *s, const char *msg, size_t len)
{
	struct nb_nc_hello peer;
	const char *err = NULL;

	if (s->hello_done) {
		nc_handle_rpc(s, msg, len);
		return;
	}
	/* RFC 6241 8.1: the first message is the peer's hello */
	if (nb_nc_hello_parse(msg, len, &peer, &err) < 0 || (!peer.base10 && !peer.base11)) {
		zlog_warn("netconf: session %u: bad hello (%s), closing", s->id,
			  err ? err : "no common base capability");
		nc.stats.in_bad_hellos++;
		nb_nc_hello_free(&peer);
		nc_session_close(s);
		return;
	}
	/* RFC 6242 4.1: chunked framing once both sides announced base:1.1 */
	nb_nc_frame_dec_set_framing(&s->dec, nb_nc_hello_framing(&peer, true));
	nb_nc_hello_free(&peer);
	s->hello_done = true;
}

/* ---- SSH callbacks ---- */

static int nc_chan_data(ssh_session session, ssh_channel channel, void *data, uint32_t len,
			int is_stderr, void *userdata)
{
	struct nc_session *s = userdata;
	const uint8_t *p = data;
	size_t off = 0;

	if (is_stderr)
		return len;
	nc_idle_restart(s);
	while (off < len && !s->closing && s->subsystem) {
		size_t used = 0;
		enum nb_nc_frame_result r = nb_nc_frame_feed(&s->dec, p + off, len - off, &used);
		const char *msg;
		size_t mlen;

		off += used;
		if (r == NB_NC_FRAME_ERROR) {
			/* RFC 6242: framing lost, nothing can be answered */
			zlog_warn("netconf: session %u: framing error (%s), closing", s->id,
				  nb_nc_frame_err_str(s->dec.err));
			nc_session_close(s);
			break;
		}
		if (r == NB_NC_FRAME_NEED_MORE)
			break;
		msg = nb_nc_frame_msg(&s->dec, &mlen);
		if (msg)
			nc_handle_msg(s, msg, mlen);
	}
	return len;
}

/*
 * The capabilities of the server's hello into caps (at most size): the
 * static ones and the YANG library's, written into yl_cap (RFC 8526
 * section 2: its revision and content-id).  Returns how many.
 */
static int nc_hello_caps(const char **caps, size_t size, char *yl_cap, size_t yl_size)
{
	size_t n = 0;

	snprintf(yl_cap, yl_size,
		 "urn:ietf:params:netconf:capability:yang-library:1.1?revision=" NC_YANGLIB_REV
		 "&content-id=%u",
		 ly_ctx_get_modules_hash(ly_native_ctx));
	for (size_t i = 0; i < array_size(nc_caps) && n + 1 < size; i++)
		caps[n++] = nc_caps[i];
	caps[n++] = yl_cap;
	return n;
}

static int nc_chan_subsystem(ssh_session session, ssh_channel channel, const char *subsystem,
			     void *userdata)
{
	struct nc_session *s = userdata;
	const char *caps[array_size(nc_caps) + 1];
	char yl_cap[160];
	size_t ncaps;
	struct nb_nc_buf b;

	/* RFC 6242 section 3: only the "netconf" subsystem */
	if (s->subsystem || strcmp(subsystem, "netconf"))
		return SSH_ERROR;
	s->subsystem = true;
	ncaps = nc_hello_caps(caps, array_size(caps), yl_cap, sizeof(yl_cap));
	nb_nc_buf_init(&b, 65536);
	if (nb_nc_hello_build(&b, caps, ncaps, s->id) < 0) {
		nb_nc_buf_free(&b);
		nc_session_close(s);
		return SSH_ERROR;
	}
	nc_send(s, b.data, b.len);
	nb_nc_buf_free(&b);
	/* RFC 6022: the session starts with the server's hello */
	s->hello_sent = true;
	s->login = time(NULL);
	nc.stats.in_sessions++;
	return SSH_OK;
}

static void nc_chan_eof(ssh_session session, ssh_channel channel, void *userdata)
{
	nc_session_close(userdata);
}

static void nc_chan_close(ssh_session session, ssh_channel channel, void *userdata)
{
	nc_session_close(userdata);
}

static ssh_channel nc_chan_open(ssh_session session, void *userdata)
{
	struct nc_session *s = userdata;

	if (s->chan) /* one channel per session */
		return NULL;
	s->chan = ssh_channel_new(session);
	if (!s->chan)
		return NULL;
	memset(&s->chan_cb, 0, sizeof(s->chan_cb));
	s->chan_cb.userdata = s;
	s->chan_cb.channel_data_function = nc_chan_data;
	s->chan_cb.channel_subsystem_request_function = nc_chan_subsystem;
	s->chan_cb.channel_eof_function = nc_chan_eof;
	s->chan_cb.channel_close_function = nc_chan_close;
	ssh_callbacks_init(&s->chan_cb);
	ssh_set_channel_callbacks(s->chan, &s->chan_cb);
	return s->chan;
}

/* Whether key is listed in the authorized keys file ("type base64 [comment]"). */
static bool nc_key_authorized(ssh_key key)
{
	FILE *f = fopen(nc.authkeys, "r");
	char *line;
	unsigned int n = 0;
	bool ok = false;

	if (!f) {
		zlog_warn("netconf: cannot read %s: %s", nc.authkeys, safe_strerror(errno));
		return false;
	}
	line = XMALLOC(MTYPE_TMP, NC_AUTHKEYS_LINE_MAX);
	while (!ok && n++ < NC_AUTHKEYS_LINES_MAX && fgets(line, NC_AUTHKEYS_LINE_MAX, f)) {
		char *type, *b64, *save = NULL;
		ssh_key k = NULL;

		if (!strchr(line, '\n') && !feof(f)) {
			/* over-long line: skip the rest of it */
			int c;

			while ((c = fgetc(f)) != EOF && c != '\n')
				;
			continue;
		}
		type = strtok_r(line, " \t\r\n", &save);
		if (!type || type[0] == '#')
			continue;
		b64 = strtok_r(NULL, " \t\r\n", &save);
		if (!b64)
			continue;
		if (ssh_pki_import_pubkey_base64(b64, ssh_key_type_from_name(type), &k) == SSH_OK &&
		    ssh_key_cmp(k, key, SSH_KEY_CMP_PUBLIC) == 0)
			ok = true;
		ssh_key_free(k);
	}
	XFREE(MTYPE_TMP, line);
	fclose(f);
	return ok;
}

static int nc_auth_pubkey(ssh_session session, const char *user, struct ssh_key_struct *pubkey,
			  char signature_state, void *userdata)
{
	struct nc_session *s = userdata;

	if (signature_state != SSH_PUBLICKEY_STATE_NONE &&
	    signature_state != SSH_PUBLICKEY_STATE_VALID)
		return SSH_AUTH_DENIED;
	if (!nc_key_authorized(pubkey)) {
		if (signature_state == SSH_PUBLICKEY_STATE_VALID)
			zlog_warn("netconf: session %u: key of user %s refused", s->id, user);
		return SSH_AUTH_DENIED;
	}
	if (signature_state == SSH_PUBLICKEY_STATE_VALID) {
		zlog_info("netconf: session %u: user %s authenticated", s->id, user);
		strlcpy(s->user, user ? user : "", sizeof(s->user));
	}
	return SSH_AUTH_SUCCESS;
}

/* ---- sessions ---- */

static void nc_session_destroy(struct nc_session *s)
{
	struct nc_session **pp;

	for (pp = &nc.sessions; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	nc.nsessions--;
	nc_locks_release(s);
	event_cancel(&s->t_read);
	event_cancel(&s->t_flush);
	event_cancel(&s->t_kex);
	event_cancel(&s->t_idle);
	event_cancel(&s->t_free);
	if (s->ev) {
		ssh_event_remove_session(s->ev, s->ssh);
		ssh_event_free(s->ev);
	}
	if (s->chan)
		ssh_channel_free(s->chan);
	ssh_disconnect(s->ssh);
	ssh_free(s->ssh);
	nb_nc_frame_dec_fini(&s->dec);
	nb_nc_buf_free(&s->out);
	XFREE(MTYPE_NETCONF_SESSION, s);
}

static void nc_session_free(struct event *t)
{
	nc_session_destroy(EVENT_ARG(t));
}

/* Closes at once, or after the queued output when closing was asked for. */
static void nc_session_close(struct nc_session *s)
{
	if (s->t_free)
		return;
	/* RFC 6241 7.5: a session's locks end with it */
	nc_locks_release(s);
	if (s->closing && s->out.len && s->chan && s->flush_tries <= NC_FLUSH_RETRIES_MAX)
		return; /* nc_flush() comes back here once the output left */
	s->closing = true;
	/* RFC 6022: ended neither by close-session nor by kill-session */
	if (s->hello_sent && !s->ended_by_rpc)
		nc.stats.dropped_sessions++;
	event_cancel(&s->t_read);
	event_cancel(&s->t_flush);
	event_cancel(&s->t_idle);
	if (s->chan && ssh_channel_is_open(s->chan)) {
		ssh_channel_send_eof(s->chan);
		ssh_channel_close(s->chan);
	}
	zlog_info("netconf: session %u closed", s->id);
	/* freed outside of libssh's callbacks */
	event_add_event(nc.master, nc_session_free, s, 0, &s->t_free);
}

static void nc_kex_timeout(struct event *t)
{
	struct nc_session *s = EVENT_ARG(t);

	/* a client that connects and says nothing holds no session slot */
	if (!s->hello_done) {
		zlog_warn("netconf: session %u: no hello after %u s, closing", s->id,
			  NC_KEX_TIMEOUT_SEC);
		nc_session_close(s);
	}
}

/*
 * A session that sends nothing for idle_timeout seconds is closed (its
 * locks with it), so that an abandoned client neither holds a session slot
 * nor the datastores.  The time runs from the connection on; any NETCONF
 * input restarts it.
 */
static void nc_idle_timeout(struct event *t)
{
	struct nc_session *s = EVENT_ARG(t);

	zlog_info("netconf: session %u: idle for %u s, closing", s->id, nc.idle_timeout);
	nc_session_close(s);
}

static void nc_idle_restart(struct nc_session *s)
{
	if (!nc.idle_timeout || s->closing || s->t_free)
		return;
	event_cancel(&s->t_idle);
	event_add_timer(nc.master, nc_idle_timeout, s, nc.idle_timeout, &s->t_idle);
}

static void nc_read(struct event *t)
{
	struct nc_session *s = EVENT_ARG(t);

	if (!s->kex_done) {
		int rc = ssh_handle_key_exchange(s->ssh);

		if (rc == SSH_AGAIN) {
			event_add_read(nc.master, nc_read, s, s->fd, &s->t_read);
			return;
		}
		if (rc != SSH_OK) {
			zlog_info("netconf: session %u: key exchange failed: %s", s->id,
				  ssh_get_error(s->ssh));
			nc_session_close(s);
			return;
		}
		s->kex_done = true;
		s->ev = ssh_event_new();
		if (!s->ev || ssh_event_add_session(s->ev, s->ssh) != SSH_OK) {
			nc_session_close(s);
			return;
		}
	}
	if (ssh_event_dopoll(s->ev, 0) == SSH_ERROR ||
	    (ssh_get_status(s->ssh) & (SSH_CLOSED | SSH_CLOSED_ERROR))) {
		nc_session_close(s);
		return;
	}
	if (s->closing || s->t_free)
		return;
	event_add_read(nc.master, nc_read, s, s->fd, &s->t_read);
}

/* The client's address, for /netconf-state/sessions (RFC 6022). */
static void nc_peer_host(struct nc_session *s)
{
	union sockunion su;
	socklen_t slen = sizeof(su);

	s->host[0] = '\0';
	if (getpeername(s->fd, &su.sa, &slen) < 0)
		return;
	if (su.sa.sa_family == AF_INET)
		inet_ntop(AF_INET, &su.sin.sin_addr, s->host, sizeof(s->host));
	else if (su.sa.sa_family == AF_INET6)
		inet_ntop(AF_INET6, &su.sin6.sin6_addr, s->host, sizeof(s->host));
}

/*
 * Listen with the daemon's privileges raised: the NETCONF port, 830 (RFC
 * 6242 section 3), is below 1024, and daemons run as user frr with the
 * bind capability (ZCAP_BIND) only permitted.
 */
static int nc_listen(ssh_bind bind)
{
	int ret = SSH_ERROR;

	frr_with_privs (lib_privs) {
		ret = ssh_bind_listen(bind);
	}
	return ret;
}

static void nc_accept(struct event *t)
{
	struct nc_session *s;
	ssh_session ssh;

	event_add_read(nc.master, nc_accept, NULL, nc.bind_fd, &nc.t_accept);
	ssh = ssh_new();
	if (!ssh)
		return;
	if (ssh_bind_accept(nc.bind, ssh) != SSH_OK) {
		ssh_free(ssh);
		return;
	}
	if (nc.nsessions >= nc.max_sessions) {
		zlog_warn("netconf: session limit (%u) reached, connection refused",
			  nc.max_sessions);
		ssh_disconnect(ssh);
		ssh_free(ssh);
		return;
	}
	s = XCALLOC(MTYPE_NETCONF_SESSION, sizeof(*s));
	s->ssh = ssh;
	if (++nc.next_id == 0)
		nc.next_id = 1;
	s->id = nc.next_id;
	s->fd = ssh_get_fd(ssh);
	nc_peer_host(s);
	nb_nc_frame_dec_init(&s->dec, nc.max_msg);
	nb_nc_buf_init(&s->out, NC_MAX_REPLY + 1024 * 1024);
	s->srv_cb.userdata = s;
	s->srv_cb.auth_pubkey_function = nc_auth_pubkey;
	s->srv_cb.channel_open_request_session_function = nc_chan_open;
	ssh_callbacks_init(&s->srv_cb);
	ssh_set_server_callbacks(ssh, &s->srv_cb);
	ssh_set_auth_methods(ssh, SSH_AUTH_METHOD_PUBLICKEY);
	ssh_set_blocking(ssh, 0);
	s->next = nc.sessions;
	nc.sessions = s;
	nc.nsessions++;
	zlog_info("netconf: session %u: connection accepted", s->id);
	event_add_timer(nc.master, nc_kex_timeout, s, NC_KEX_TIMEOUT_SEC, &s->t_kex);
	nc_idle_restart(s);
	event_add_read(nc.master, nc_read, s, s->fd, &s->t_read);
}

/* ---- start and stop ---- */

static bool nc_parse_uint(const char *v, unsigned long min, unsigned long max,
			  unsigned long *out)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || end == v || *end || n < min || n > max)
		return false;
	*out = n;
	return true;
}

static int nc_parse_args(const char *args)
{
	char *copy, *tok, *save = NULL;
	unsigned long n;
	int ret = 0;

	nc.port = NC_DEFAULT_PORT;
	strlcpy(nc.addr, NC_DEFAULT_ADDR, sizeof(nc.addr));
	snprintf(nc.authkeys, sizeof(nc.authkeys), "%s/%s", frr_sysconfdir, NC_AUTHKEYS_NAME);
	snprintf(nc.hostkey, sizeof(nc.hostkey), "%s/%s", frr_libstatedir, NC_HOSTKEY_NAME);
	nc.max_sessions = NC_DEFAULT_MAX_SESS;
	nc.max_msg = NC_DEFAULT_MAX_MSG;
	nc.idle_timeout = NC_DEFAULT_IDLE_SEC;
	if (!args || !*args)
		return 0;
	copy = XSTRDUP(MTYPE_NETCONF_ARG, args);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		const char *key = tok, *val;

		if (!eq) {
			/* a bare number is the port, as with -M grpc:PORT */
			if (!nc_parse_uint(tok, 1, 65535, &n))
				goto bad;
			nc.port = n;
			continue;
		}
		*eq = '\0';
		val = eq + 1;
		if (!strcmp(key, "port") && nc_parse_uint(val, 1, 65535, &n))
			nc.port = n;
		else if (!strcmp(key, "addr") && strlen(val) < sizeof(nc.addr))
			strlcpy(nc.addr, val, sizeof(nc.addr));
		else if (!strcmp(key, "authorized_keys") && *val &&
			 strlen(val) < sizeof(nc.authkeys))
			strlcpy(nc.authkeys, val, sizeof(nc.authkeys));
		else if (!strcmp(key, "hostkey") && *val && strlen(val) < sizeof(nc.hostkey))
			strlcpy(nc.hostkey, val, sizeof(nc.hostkey));
		else if (!strcmp(key, "max_sessions") &&
			 nc_parse_uint(val, 1, NC_MAX_SESS_LIMIT, &n))
			nc.max_sessions = n;
		else if (!strcmp(key, "max_message") &&
			 nc_parse_uint(val, 1024, NC_MAX_MSG_LIMIT, &n))
			nc.max_msg = n;
		else if (!strcmp(key, "idle_timeout") &&
			 nc_parse_uint(val, 0, NC_MAX_IDLE_SEC, &n))
			nc.idle_timeout = n;
		else
			goto bad;
	}
	goto out;
bad:
	flog_err(EC_LIB_NB_CB_CONFIG_VALIDATE, "netconf: bad module argument \"%s\"", tok);
	ret = -1;
out:
	XFREE(MTYPE_NETCONF_ARG, copy);
	return ret;
}

/* The host key: made on first start, readable by FRR only. */
static int nc_hostkey_ensure(void)
{
	ssh_key key = NULL;
	char *b64 = NULL;
	size_t len, off = 0;
	int fd, ret = -1;

	if (access(nc.hostkey, F_OK) == 0)
		return 0;
	if (ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &key) != SSH_OK ||
	    ssh_pki_export_privkey_base64(key, NULL, NULL, NULL, &b64) != SSH_OK)
		goto out;
	fd = open(nc.hostkey, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		goto out;
	len = strlen(b64);
	while (off < len) {
		ssize_t w = write(fd, b64 + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (off == len && fchmod(fd, 0600) == 0 && fsync(fd) == 0)
		ret = 0;
	close(fd);
	if (ret < 0)
		unlink(nc.hostkey);
	else
		zlog_info("netconf: host key generated in %s", nc.hostkey);
out:
	ssh_string_free_char(b64);
	ssh_key_free(key);
	return ret;
}

static void nc_start(struct event *t)
{
	const char *features[] = { "*", NULL };
	const char *mods[] = { "ietf-netconf-acm", "ietf-netconf",
			       "ietf-netconf-with-defaults" };
	bool no = false;

	if (nc_parse_args(THIS_MODULE->load_args) < 0)
		goto error;
	nc.stats.start = time(NULL);
	for (size_t i = 0; i < array_size(mods); i++)
		if (!ly_ctx_load_module(ly_native_ctx, mods[i], NULL, features)) {
			flog_err(EC_LIB_YANG_MODULE_LOAD, "netconf: cannot load YANG module %s",
				 mods[i]);
			goto error;
		}
	if (nc_hostkey_ensure() < 0) {
		flog_err(EC_LIB_SYSTEM_CALL, "netconf: cannot create the host key %s",
			 nc.hostkey);
		goto error;
	}
	nc.bind = ssh_bind_new();
	if (!nc.bind ||
	    ssh_bind_options_set(nc.bind, SSH_BIND_OPTIONS_PROCESS_CONFIG, &no) != SSH_OK ||
	    ssh_bind_options_set(nc.bind, SSH_BIND_OPTIONS_KEY_EXCHANGE, NC_KEX) != SSH_OK ||
	    ssh_bind_options_set(nc.bind, SSH_BIND_OPTIONS_HMAC_C_S, NC_HMAC) != SSH_OK ||
	    ssh_bind_options_set(nc.bind, SSH_BIND_OPTIONS_HMAC_S_C, NC_HMAC) != SSH_OK ||
	    ssh_bind_options_set(nc.bind, SSH_BIND_OPTIONS_HOSTKEY_ALGORITHMS, NC_HOSTKEY_ALG) !=
		    SSH_OK ||
	    ssh_bind_options_set(nc.bind, SSH_BIND_OPTIONS_PUBKEY_ACCEPTED_KEY_TYPES,
				 NC_PUBKEY_ALG) != SSH_OK ||
	    ssh_bind_options_set(nc.bind, SSH_BIND_OPTIONS_BINDADDR, nc.addr) != SSH_OK ||
	    ssh_bind_options_set(nc.bind, SSH_BIND_OPTIONS_BINDPORT, &nc.port) != SSH_OK ||
	    ssh_bind_options_set(nc.bind, SSH_BIND_OPTIONS_HOSTKEY, nc.hostkey) != SSH_OK ||
	    nc_listen(nc.bind) != SSH_OK) {
		flog_err(EC_LIB_SOCKET, "netconf: cannot listen on [%s]:%u: %s", nc.addr, nc.port,
			 nc.bind ? ssh_get_error(nc.bind) : "out of memory");
		goto error;
	}
	ssh_bind_set_blocking(nc.bind, 0);
	nc.bind_fd = ssh_bind_get_fd(nc.bind);
	event_add_read(nc.master, nc_accept, NULL, nc.bind_fd, &nc.t_accept);
	zlog_notice("netconf: listening on [%s]:%u, authorized keys %s", nc.addr, nc.port,
		    nc.authkeys);
	return;
error:
	if (nc.bind) {
		ssh_bind_free(nc.bind);
		nc.bind = NULL;
	}
	flog_err(EC_LIB_NB_CB_CONFIG_VALIDATE, "netconf: module not started");
}

static int nc_finish(void)
{
	while (nc.sessions) {
		struct nc_session *s = nc.sessions;

		event_cancel(&s->t_free);
		nc_session_destroy(s);
	}
	if (ncds.cand) {
		nb_config_free(ncds.cand);
		ncds.cand = NULL;
	}
	event_cancel(&nc.t_accept);
	if (nc.bind) {
		ssh_bind_free(nc.bind);
		nc.bind = NULL;
	}
	ssh_finalize();
	return 0;
}

static int nc_late_init(struct event_loop *tm)
{
	nc.master = tm;
	hook_register(frr_fini, nc_finish);
	/* after the daemon forked (as the gRPC module does) */
	event_add_event(tm, nc_start, NULL, 0, NULL);
	return 0;
}

static int nc_module_init(void)
{
	ssh_init();
	hook_register(frr_late_init, nc_late_init);
	return 0;
}

FRR_MODULE_SETUP(.name = "frr_netconf", .version = FRR_VERSION,
		 .description = "FRR NETCONF northbound module (RFC 6241, RFC 6242)",
		 .init = nc_module_init, );
