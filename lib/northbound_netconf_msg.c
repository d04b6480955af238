// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NETCONF hello, <rpc-reply> and <rpc-error> (RFC 6241): see the design
 * notes in northbound_netconf_msg.h.
 */
#include <zebra.h>

#include <string.h>

#include "northbound_netconf_msg.h"

static bool all_ws(struct nb_nc_xml_str s)
{
	for (size_t i = 0; i < s.len; i++)
		if (s.s[i] != ' ' && s.s[i] != '\t' && s.s[i] != '\n' && s.s[i] != '\r')
			return false;
	return true;
}

static bool in_base(const struct nb_nc_xml_tok *t, const char *local)
{
	return nb_nc_xml_str_eq(t->ns, NB_NC_NS_BASE) && nb_nc_xml_str_eq(t->local, local);
}

/* Restores out to old_len and fails. */
static int undo(struct nb_nc_buf *out, size_t old_len)
{
	nb_nc_buf_truncate(out, old_len);
	return -1;
}

/* ---- hello (RFC 6241 section 8.1) ---- */

struct hello_parse {
	struct nb_nc_xml x;
	struct nb_nc_hello *hello;
	struct nb_nc_buf cur; /* text of the capability being read */
	const char *err;
};

static int hello_fail(struct hello_parse *p, const char *err)
{
	p->err = p->x.err ? p->x.err : err;
	return -1;
}

/* One <capability> whose START was just read. */
static int hello_capability(struct hello_parse *p)
{
	struct nb_nc_hello *h = p->hello;
	const char *s;
	size_t n;

	nb_nc_buf_reset(&p->cur);
	for (;;) {
		const struct nb_nc_xml_tok *t = nb_nc_xml_next(&p->x);

		if (t->type == NB_NC_XML_END)
			break;
		if (t->type == NB_NC_XML_START)
			return hello_fail(p, "an element inside <capability>");
		if (t->type != NB_NC_XML_TEXT)
			return hello_fail(p, "unterminated <capability>");
		if (nb_nc_buf_add(&p->cur, t->text.s, t->text.len) < 0)
			return hello_fail(p, "a capability above the length limit");
	}
	/* trim XML whitespace (the URI itself has none) */
	s = p->cur.data ? p->cur.data : "";
	n = p->cur.len;
	while (n && all_ws((struct nb_nc_xml_str){ s, 1 })) {
		s++;
		n--;
	}
	while (n && all_ws((struct nb_nc_xml_str){ s + n - 1, 1 }))
		n--;
	if (n == 0)
		return hello_fail(p, "an empty <capability>");
	if (memchr(s, '\0', n))
		return hello_fail(p, "a NUL in a capability");
	if (h->ncaps >= NB_NC_HELLO_CAPS_MAX)
		return hello_fail(p, "too many capabilities");
	if (nb_nc_buf_add(&h->caps, s, n) < 0 || nb_nc_buf_add(&h->caps, "", 1) < 0)
		return hello_fail(p, "capabilities above the size limit");
	h->ncaps++;
	if (n == strlen(NB_NC_CAP_BASE10) && !memcmp(s, NB_NC_CAP_BASE10, n))
		h->base10 = true;
	if (n == strlen(NB_NC_CAP_BASE11) && !memcmp(s, NB_NC_CAP_BASE11, n))
		h->base11 = true;
	return 0;
}

/* The content of <capabilities>, whose START was just read. */
static int hello_capabilities(struct hello_parse *p)
{
	for (;;) {
		const struct nb_nc_xml_tok *t = nb_nc_xml_next(&p->x);

		switch (t->type) {
		case NB_NC_XML_END:
			return 0;
		case NB_NC_XML_TEXT:
			if (!all_ws(t->text))
				return hello_fail(p, "text in <capabilities>");
			break;
		case NB_NC_XML_START:
			if (!in_base(t, "capability"))
				return hello_fail(p, "an unknown element in <capabilities>");
			if (hello_capability(p) < 0)
				return -1;
			break;
		case NB_NC_XML_ERROR:
		case NB_NC_XML_EOF:
			return hello_fail(p, "unterminated <capabilities>");
		}
	}
}

static int hello_body(struct hello_parse *p)
{
	const struct nb_nc_xml_tok *t = nb_nc_xml_next(&p->x);
	bool seen_caps = false;

	if (t->type != NB_NC_XML_START || !in_base(t, "hello"))
		return hello_fail(p, "not a <hello> in the NETCONF base namespace");
	for (;;) {
		t = nb_nc_xml_next(&p->x);
		if (t->type == NB_NC_XML_END)
			break;
		if (t->type == NB_NC_XML_TEXT) {
			if (!all_ws(t->text))
				return hello_fail(p, "text in <hello>");
			continue;
		}
		if (t->type != NB_NC_XML_START)
			return hello_fail(p, "unterminated <hello>");
		if (!nb_nc_xml_str_eq(t->ns, NB_NC_NS_BASE)) {
			/* another namespace's extension: ignored */
			if (nb_nc_xml_skip(&p->x) < 0)
				return hello_fail(p, "unterminated element in <hello>");
			continue;
		}
		if (nb_nc_xml_str_eq(t->local, "session-id"))
			return hello_fail(p, "a client <hello> carries a <session-id>");
		if (!nb_nc_xml_str_eq(t->local, "capabilities"))
			return hello_fail(p, "an unknown element in <hello>");
		if (seen_caps)
			return hello_fail(p, "more than one <capabilities>");
		seen_caps = true;
		if (hello_capabilities(p) < 0)
			return -1;
	}
	if (nb_nc_xml_next(&p->x)->type != NB_NC_XML_EOF)
		return hello_fail(p, "content after </hello>");
	if (!seen_caps || p->hello->ncaps == 0)
		return hello_fail(p, "a <hello> without capabilities");
	if (!p->hello->base10 && !p->hello->base11)
		return hello_fail(p, "neither base:1.0 nor base:1.1 announced");
	return 0;
}

int nb_nc_hello_parse(const char *msg, size_t len, struct nb_nc_hello *hello, const char **err)
{
	struct hello_parse p = { .hello = hello };
	int ret;

	memset(hello, 0, sizeof(*hello));
	/* the URIs are copied from the message: never more than its size */
	nb_nc_buf_init(&hello->caps, len + 1);
	nb_nc_buf_init(&p.cur, NB_NC_CAP_LEN_MAX);
	nb_nc_xml_init(&p.x, msg, len, NB_NC_HELLO_DEPTH);
	ret = hello_body(&p);
	nb_nc_xml_fini(&p.x);
	nb_nc_buf_free(&p.cur);
	if (ret < 0) {
		nb_nc_hello_free(hello);
		if (err)
			*err = p.err;
	}
	return ret;
}

void nb_nc_hello_free(struct nb_nc_hello *hello)
{
	nb_nc_buf_free(&hello->caps);
	hello->ncaps = 0;
	hello->base10 = hello->base11 = false;
}

const char *nb_nc_hello_cap_next(const struct nb_nc_hello *hello, const char *prev)
{
	const char *end = hello->caps.data + hello->caps.len;
	const char *next;

	if (hello->ncaps == 0 || !hello->caps.data)
		return NULL;
	if (!prev)
		return hello->caps.data;
	next = prev + strlen(prev) + 1;
	return next < end ? next : NULL;
}

bool nb_nc_hello_has(const struct nb_nc_hello *hello, const char *cap)
{
	for (const char *c = nb_nc_hello_cap_next(hello, NULL); c;
	     c = nb_nc_hello_cap_next(hello, c))
		if (strcmp(c, cap) == 0)
			return true;
	return false;
}

enum nb_nc_framing nb_nc_hello_framing(const struct nb_nc_hello *peer, bool own_base11)
{
	/* RFC 6242 section 4.1 */
	return peer->base11 && own_base11 ? NB_NC_FRAMING_CHUNKED : NB_NC_FRAMING_EOM;
}

/* <name>escaped text</name> */
int nb_nc_text_element(struct nb_nc_buf *out, const char *name, const char *text)
{
	if (nb_nc_buf_adds(out, "<") < 0 || nb_nc_buf_adds(out, name) < 0 ||
	    nb_nc_buf_adds(out, ">") < 0 || nb_nc_xml_escape(out, text, strlen(text), false) < 0 ||
	    nb_nc_buf_adds(out, "</") < 0 || nb_nc_buf_adds(out, name) < 0 ||
	    nb_nc_buf_adds(out, ">") < 0)
		return -1;
	return 0;
}

int nb_nc_hello_build(struct nb_nc_buf *out, const char *const *caps, size_t ncaps,
		      uint32_t session_id)
{
	size_t old = out->len;

	if (session_id == 0 || ncaps == 0)
		return -1;
	if (nb_nc_buf_adds(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
				"<hello xmlns=\"" NB_NC_NS_BASE "\"><capabilities>") < 0)
		return undo(out, old);
	for (size_t i = 0; i < ncaps; i++) {
		if (!caps[i] || !caps[i][0] || nb_nc_text_element(out, "capability", caps[i]) < 0)
			return undo(out, old);
	}
	if (nb_nc_buf_adds(out, "</capabilities><session-id>") < 0 ||
	    nb_nc_buf_addu(out, session_id) < 0 || nb_nc_buf_adds(out, "</session-id></hello>") < 0)
		return undo(out, old);
	return 0;
}

/* ---- rpc-error (RFC 6241 section 4.3, appendix A) ---- */

const char *nb_nc_err_type_str(enum nb_nc_err_type type)
{
	static const char *const names[] = {
		[NB_NC_ERR_TYPE_TRANSPORT] = "transport",
		[NB_NC_ERR_TYPE_RPC] = "rpc",
		[NB_NC_ERR_TYPE_PROTOCOL] = "protocol",
		[NB_NC_ERR_TYPE_APPLICATION] = "application",
	};

	return (unsigned int)type < array_size(names) ? names[type] : NULL;
}

const char *nb_nc_err_tag_str(enum nb_nc_err_tag tag)
{
	static const char *const names[] = {
		[NB_NC_ERR_IN_USE] = "in-use",
		[NB_NC_ERR_INVALID_VALUE] = "invalid-value",
		[NB_NC_ERR_TOO_BIG] = "too-big",
		[NB_NC_ERR_MISSING_ATTRIBUTE] = "missing-attribute",
		[NB_NC_ERR_BAD_ATTRIBUTE] = "bad-attribute",
		[NB_NC_ERR_UNKNOWN_ATTRIBUTE] = "unknown-attribute",
		[NB_NC_ERR_MISSING_ELEMENT] = "missing-element",
		[NB_NC_ERR_BAD_ELEMENT] = "bad-element",
		[NB_NC_ERR_UNKNOWN_ELEMENT] = "unknown-element",
		[NB_NC_ERR_UNKNOWN_NAMESPACE] = "unknown-namespace",
		[NB_NC_ERR_ACCESS_DENIED] = "access-denied",
		[NB_NC_ERR_LOCK_DENIED] = "lock-denied",
		[NB_NC_ERR_RESOURCE_DENIED] = "resource-denied",
		[NB_NC_ERR_ROLLBACK_FAILED] = "rollback-failed",
		[NB_NC_ERR_DATA_EXISTS] = "data-exists",
		[NB_NC_ERR_DATA_MISSING] = "data-missing",
		[NB_NC_ERR_OPERATION_NOT_SUPPORTED] = "operation-not-supported",
		[NB_NC_ERR_OPERATION_FAILED] = "operation-failed",
		[NB_NC_ERR_PARTIAL_OPERATION] = "partial-operation",
		[NB_NC_ERR_MALFORMED_MESSAGE] = "malformed-message",
	};

	return (unsigned int)tag < array_size(names) ? names[tag] : NULL;
}

const char *nb_nc_err_severity_str(enum nb_nc_err_severity sev)
{
	switch (sev) {
	case NB_NC_ERR_SEV_ERROR:
		return "error";
	case NB_NC_ERR_SEV_WARNING:
		return "warning";
	}
	return NULL;
}

/* An XML NCName made of ASCII letters, digits, '_', '-', '.'. */
static bool ascii_ncname(const char *s)
{
	if (!s || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' || *s == '.'))
			return false;
	return true;
}

static int error_path(struct nb_nc_buf *out, const struct nb_nc_rpc_error *e)
{
	if (nb_nc_buf_adds(out, "<error-path") < 0)
		return -1;
	for (size_t i = 0; i < e->path_ns_count; i++) {
		const struct nb_nc_xmlns *ns = &e->path_ns[i];

		if (!ascii_ncname(ns->prefix) || !ns->uri || !ns->uri[0] ||
		    !strcmp(ns->prefix, "xml") || !strcmp(ns->prefix, "xmlns"))
			return -1;
		if (nb_nc_buf_adds(out, " xmlns:") < 0 || nb_nc_buf_adds(out, ns->prefix) < 0 ||
		    nb_nc_buf_adds(out, "=\"") < 0 ||
		    nb_nc_xml_escape(out, ns->uri, strlen(ns->uri), true) < 0 ||
		    nb_nc_buf_adds(out, "\"") < 0)
			return -1;
	}
	if (nb_nc_buf_adds(out, ">") < 0 ||
	    nb_nc_xml_escape(out, e->path, strlen(e->path), false) < 0 ||
	    nb_nc_buf_adds(out, "</error-path>") < 0)
		return -1;
	return 0;
}

static int error_message(struct nb_nc_buf *out, const struct nb_nc_rpc_error *e)
{
	if (!e->message_lang)
		return nb_nc_text_element(out, "error-message", e->message);
	if (nb_nc_buf_adds(out, "<error-message xml:lang=\"") < 0 ||
	    nb_nc_xml_escape(out, e->message_lang, strlen(e->message_lang), true) < 0 ||
	    nb_nc_buf_adds(out, "\">") < 0 ||
	    nb_nc_xml_escape(out, e->message, strlen(e->message), false) < 0 ||
	    nb_nc_buf_adds(out, "</error-message>") < 0)
		return -1;
	return 0;
}

static int error_info(struct nb_nc_buf *out, const struct nb_nc_rpc_error *e)
{
	if (!e->bad_attribute && !e->bad_element && !e->bad_namespace && !e->has_session_id &&
	    !e->info_xml)
		return 0;
	if (nb_nc_buf_adds(out, "<error-info>") < 0)
		return -1;
	if (e->bad_attribute && nb_nc_text_element(out, "bad-attribute", e->bad_attribute) < 0)
		return -1;
	if (e->bad_element && nb_nc_text_element(out, "bad-element", e->bad_element) < 0)
		return -1;
	if (e->bad_namespace && nb_nc_text_element(out, "bad-namespace", e->bad_namespace) < 0)
		return -1;
	if (e->has_session_id &&
	    (nb_nc_buf_adds(out, "<session-id>") < 0 || nb_nc_buf_addu(out, e->session_id) < 0 ||
	     nb_nc_buf_adds(out, "</session-id>") < 0))
		return -1;
	if (e->info_xml && nb_nc_buf_adds(out, e->info_xml) < 0)
		return -1;
	return nb_nc_buf_adds(out, "</error-info>");
}

int nb_nc_rpc_error_build(struct nb_nc_buf *out, const struct nb_nc_rpc_error *e)
{
	const char *type = nb_nc_err_type_str(e->type);
	const char *tag = nb_nc_err_tag_str(e->tag);
	const char *sev = nb_nc_err_severity_str(e->severity);
	size_t old = out->len;

	if (!type || !tag || !sev || (e->path_ns_count && !e->path_ns))
		return -1;
	if (nb_nc_buf_adds(out, "<rpc-error>") < 0 || nb_nc_text_element(out, "error-type", type) < 0 ||
	    nb_nc_text_element(out, "error-tag", tag) < 0 ||
	    nb_nc_text_element(out, "error-severity", sev) < 0 ||
	    (e->app_tag && nb_nc_text_element(out, "error-app-tag", e->app_tag) < 0) ||
	    (e->path && error_path(out, e) < 0) || (e->message && error_message(out, e) < 0) ||
	    error_info(out, e) < 0 || nb_nc_buf_adds(out, "</rpc-error>") < 0)
		return undo(out, old);
	return 0;
}

/* ---- rpc-reply (RFC 6241 section 4.2) ---- */

int nb_nc_rpc_attrs_extract(const char *msg, size_t len, struct nb_nc_rpc_attrs *attrs)
{
	struct nb_nc_xml x;
	const struct nb_nc_xml_tok *t;
	int ret = -1;

	memset(attrs, 0, sizeof(*attrs));
	/* names and decoded values are no longer than the message */
	nb_nc_buf_init(&attrs->store, len + 2 * NB_NC_XML_ATTRS_MAX);
	/* bad bytes after the start tag must not hide it */
	nb_nc_xml_init(&x, msg, nb_nc_xml_valid_prefix(msg, len), 0);
	t = nb_nc_xml_next(&x);
	if (t->type == NB_NC_XML_START && in_base(t, "rpc")) {
		ret = 0;
		for (unsigned int i = 0; i < t->nattrs; i++) {
			const struct nb_nc_xml_attr *a = &t->attrs[i];

			attrs->a[i].qname = attrs->store.len;
			if (nb_nc_buf_add(&attrs->store, a->qname.s, a->qname.len) < 0 ||
			    nb_nc_buf_add(&attrs->store, "", 1) < 0) {
				ret = -1;
				break;
			}
			attrs->a[i].value = attrs->store.len;
			if (nb_nc_buf_add(&attrs->store, a->value.s, a->value.len) < 0 ||
			    nb_nc_buf_add(&attrs->store, "", 1) < 0) {
				ret = -1;
				break;
			}
			attrs->n++;
		}
	}
	nb_nc_xml_fini(&x);
	if (ret < 0) {
		nb_nc_buf_reset(&attrs->store);
		attrs->n = 0;
	}
	return ret;
}

void nb_nc_rpc_attrs_free(struct nb_nc_rpc_attrs *attrs)
{
	nb_nc_buf_free(&attrs->store);
	attrs->n = 0;
}

const char *nb_nc_rpc_attrs_get(const struct nb_nc_rpc_attrs *attrs, const char *qname)
{
	for (unsigned int i = 0; attrs && i < attrs->n; i++)
		if (!strcmp(attrs->store.data + attrs->a[i].qname, qname))
			return attrs->store.data + attrs->a[i].value;
	return NULL;
}

int nb_nc_rpc_reply_open(struct nb_nc_buf *out, const struct nb_nc_rpc_attrs *attrs)
{
	size_t old = out->len;
	bool has_default = nb_nc_rpc_attrs_get(attrs, "xmlns") != NULL;

	if (nb_nc_buf_adds(out, "<rpc-reply") < 0 ||
	    (!has_default && nb_nc_buf_adds(out, " xmlns=\"" NB_NC_NS_BASE "\"") < 0))
		return undo(out, old);
	/* the attributes in their order; the default namespace is ours */
	for (unsigned int i = 0; attrs && i < attrs->n; i++) {
		const char *q = attrs->store.data + attrs->a[i].qname;
		const char *v = attrs->store.data + attrs->a[i].value;

		if (!strcmp(q, "xmlns"))
			v = NB_NC_NS_BASE;
		if (nb_nc_buf_adds(out, " ") < 0 || nb_nc_buf_adds(out, q) < 0 ||
		    nb_nc_buf_adds(out, "=\"") < 0 ||
		    nb_nc_xml_escape(out, v, strlen(v), true) < 0 || nb_nc_buf_adds(out, "\"") < 0)
			return undo(out, old);
	}
	if (nb_nc_buf_adds(out, ">") < 0)
		return undo(out, old);
	return 0;
}

int nb_nc_rpc_reply_close(struct nb_nc_buf *out)
{
	return nb_nc_buf_adds(out, "</rpc-reply>");
}

int nb_nc_rpc_reply_ok(struct nb_nc_buf *out, const struct nb_nc_rpc_attrs *attrs)
{
	size_t old = out->len;

	if (nb_nc_rpc_reply_open(out, attrs) < 0 || nb_nc_buf_adds(out, "<ok/>") < 0 ||
	    nb_nc_rpc_reply_close(out) < 0)
		return undo(out, old);
	return 0;
}

int nb_nc_rpc_reply_errors(struct nb_nc_buf *out, const struct nb_nc_rpc_attrs *attrs,
			   const struct nb_nc_rpc_error *errs, size_t nerrs)
{
	size_t old = out->len;

	if (nerrs == 0 || nb_nc_rpc_reply_open(out, attrs) < 0)
		return undo(out, old);
	for (size_t i = 0; i < nerrs; i++)
		if (nb_nc_rpc_error_build(out, &errs[i]) < 0)
			return undo(out, old);
	if (nb_nc_rpc_reply_close(out) < 0)
		return undo(out, old);
	return 0;
}

/* ---- subtree filters as XPath (RFC 6241 section 6) ---- */

/*
 * RFC 6241 6.2.1: an element not qualified by a namespace matches the
 * elements of that name in every namespace.  An element in the base
 * namespace (inherited from <rpc xmlns="...base:1.0">, when the client
 * gave none) is taken as unqualified too: no data node is in it.
 */
#define ST_ANY_NS ""

struct st_node {
	int parent;
	/* NULL: unknown namespace or not a YANG identifier; ST_ANY_NS: any */
	const char *mod;
	size_t name_off, name_len;
	size_t text_off, text_len; /* in store, leaves only */
	bool has_children;
};

struct st_ctx {
	struct st_node nodes[NB_NC_SUBTREE_NODES];
	unsigned int count;
	struct nb_nc_buf store;
	struct nb_nc_buf *out;
	unsigned int *n;
	struct nb_nc_subtree_err *err;
};

static bool st_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool st_all_ws(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!st_ws(s[i]))
			return false;
	return true;
}

/* RFC 7950 section 6.2: identifier = (ALPHA / "_") *(ALPHA / DIGIT / "_" / "-" / ".") */
static bool st_identifier(struct nb_nc_xml_str s)
{
	if (!s.len || !(isalpha((unsigned char)s.s[0]) || s.s[0] == '_'))
		return false;
	for (size_t i = 1; i < s.len; i++) {
		unsigned char c = s.s[i];

		if (c >= 0x80 || !(isalnum(c) || c == '_' || c == '-' || c == '.'))
			return false;
	}
	return true;
}

static int st_fail(struct st_ctx *c, enum nb_nc_err_tag tag, const char *msg)
{
	c->err->tag = tag;
	c->err->msg = msg;
	return -1;
}

/* The trimmed text of node i (a content match node if its length is not 0). */
static struct nb_nc_xml_str st_text(const struct st_ctx *c, int i)
{
	const struct st_node *nd = &c->nodes[i];
	struct nb_nc_xml_str t = { c->store.data + nd->text_off, nd->text_len };

	if (nd->has_children)
		t.len = 0;
	while (t.len && st_ws(t.s[0])) {
		t.s++;
		t.len--;
	}
	while (t.len && st_ws(t.s[t.len - 1]))
		t.len--;
	return t;
}

/*
 * Appends the step "mod:name", or "*[local-name()='name']" for any
 * namespace (name is a YANG identifier: no quote in it); slash: with a
 * "/" before it (not in predicates below the top level).
 */
static int st_step(struct st_ctx *c, struct nb_nc_buf *b, int i, bool slash)
{
	const struct st_node *nd = &c->nodes[i];
	const char *name = c->store.data + nd->name_off;

	if (slash && nb_nc_buf_adds(b, "/") < 0)
		goto big;
	if (!strcmp(nd->mod, ST_ANY_NS)) {
		if (nb_nc_buf_adds(b, "*[local-name()='") < 0 ||
		    nb_nc_buf_add(b, name, nd->name_len) < 0 || nb_nc_buf_adds(b, "']") < 0)
			goto big;
	} else if (nb_nc_buf_adds(b, nd->mod) < 0 || nb_nc_buf_adds(b, ":") < 0 ||
		   nb_nc_buf_add(b, name, nd->name_len) < 0)
		goto big;
	return 0;
big:
	return st_fail(c, NB_NC_ERR_TOO_BIG, "subtree filter too large");
}

static int st_emit(struct st_ctx *c, const struct nb_nc_buf *path, const struct nb_nc_buf *suffix)
{
	if (*c->n >= NB_NC_SUBTREE_PATHS)
		return st_fail(c, NB_NC_ERR_TOO_BIG, "subtree filter selects too many nodes");
	if (nb_nc_buf_add(c->out, path->data, path->len) < 0 ||
	    (suffix && nb_nc_buf_add(c->out, suffix->data, suffix->len) < 0) ||
	    nb_nc_buf_add(c->out, "", 1) < 0)
		return st_fail(c, NB_NC_ERR_TOO_BIG, "subtree filter too large");
	(*c->n)++;
	return 0;
}

/*
 * The sibling set under parent (-1: the filter's top level); path holds
 * the parent's expression (empty at the top level).  RFC 6241 6.2.5.
 */
static int st_set(struct st_ctx *c, int parent, struct nb_nc_buf *path)
{
	bool top = parent < 0;
	size_t base = path->len;
	unsigned int others = 0;
	struct nb_nc_buf preds;
	int ret = -1;

	nb_nc_buf_init(&preds, path->max);
	for (unsigned int i = 0; i < c->count; i++) {
		struct nb_nc_xml_str t;
		char q;

		if (c->nodes[i].parent != parent)
			continue;
		t = st_text(c, i);
		if (!t.len) {
			others++;
			continue;
		}
		/* a content match node that cannot match: the set selects nothing */
		if (!c->nodes[i].mod) {
			ret = 0;
			goto out;
		}
		q = memchr(t.s, '\'', t.len) ? '"' : '\'';
		if (q == '"' && memchr(t.s, '"', t.len)) {
			st_fail(c, NB_NC_ERR_OPERATION_NOT_SUPPORTED,
				"a content match value with both quote characters is not supported");
			goto out;
		}
		if (nb_nc_buf_adds(&preds, "[") < 0 || st_step(c, &preds, i, top) < 0 ||
		    nb_nc_buf_add(&preds, "=", 1) < 0 || nb_nc_buf_add(&preds, &q, 1) < 0 ||
		    nb_nc_buf_add(&preds, t.s, t.len) < 0 || nb_nc_buf_add(&preds, &q, 1) < 0 ||
		    nb_nc_buf_adds(&preds, "]") < 0) {
			st_fail(c, NB_NC_ERR_TOO_BIG, "subtree filter too large");
			goto out;
		}
	}
	if (!top && preds.len && nb_nc_buf_add(path, preds.data, preds.len) < 0) {
		st_fail(c, NB_NC_ERR_TOO_BIG, "subtree filter too large");
		goto out;
	}
	if (!others && !top) {
		/* only content match nodes: the whole parent (6.2.5) */
		ret = st_emit(c, path, NULL);
		goto out;
	}
	for (unsigned int i = 0; i < c->count; i++) {
		size_t here = path->len;

		if (c->nodes[i].parent != parent || !c->nodes[i].mod)
			continue;
		if (st_step(c, path, i, true) < 0)
			goto out;
		if (top && preds.len && nb_nc_buf_add(path, preds.data, preds.len) < 0) {
			st_fail(c, NB_NC_ERR_TOO_BIG, "subtree filter too large");
			goto out;
		}
		if (c->nodes[i].has_children) {
			if (st_set(c, i, path) < 0)
				goto out;
		} else if (st_emit(c, path, NULL) < 0)
			goto out;
		nb_nc_buf_truncate(path, here);
	}
	ret = 0;
out:
	nb_nc_buf_truncate(path, base);
	nb_nc_buf_free(&preds);
	return ret;
}

static bool st_is(const struct nb_nc_xml_tok *t, const char *name)
{
	return nb_nc_xml_str_eq(t->ns, NB_NC_NS_BASE) && nb_nc_xml_str_eq(t->local, name);
}

int nb_nc_subtree_xpaths(const char *msg, size_t len, nb_nc_ns_module_fn ns_module, void *arg,
			 struct nb_nc_buf *out, unsigned int *n, struct nb_nc_subtree_err *err)
{
	struct nb_nc_xml x;
	const struct nb_nc_xml_tok *t;
	struct st_ctx *c;
	struct nb_nc_buf path;
	bool in_op = false, found = false, done = false;
	int cur = -1, ret = -1;

	*n = 0;
	memset(err, 0, sizeof(*err));
	c = calloc(1, sizeof(*c));
	if (!c) {
		err->tag = NB_NC_ERR_RESOURCE_DENIED;
		err->msg = "out of memory";
		return -1;
	}
	c->out = out;
	c->n = n;
	c->err = err;
	nb_nc_buf_init(&c->store, len + 1);
	nb_nc_buf_init(&path, out->max ? out->max : len + 1);
	nb_nc_xml_init(&x, msg, len, NB_NC_XML_DEPTH_MAX);
	while (!done) {
		t = nb_nc_xml_next(&x);
		switch (t->type) {
		case NB_NC_XML_ERROR:
			st_fail(c, NB_NC_ERR_MALFORMED_MESSAGE, x.err ? x.err : "malformed message");
			goto out;
		case NB_NC_XML_EOF:
			done = true;
			break;
		case NB_NC_XML_START:
			if (t->depth == 1) {
				if (!st_is(t, "rpc")) {
					ret = 0;
					goto out;
				}
			} else if (t->depth == 2) {
				in_op = st_is(t, "get") || st_is(t, "get-config");
				if (!in_op && nb_nc_xml_skip(&x) < 0) {
					st_fail(c, NB_NC_ERR_MALFORMED_MESSAGE, "malformed message");
					goto out;
				}
			} else if (t->depth == 3) {
				if (!in_op || found || !st_is(t, "filter")) {
					if (nb_nc_xml_skip(&x) < 0) {
						st_fail(c, NB_NC_ERR_MALFORMED_MESSAGE,
							"malformed message");
						goto out;
					}
					continue;
				}
				found = true;
				cur = -1;
			} else {
				struct st_node *nd;

				if (t->depth > 3 + NB_NC_SUBTREE_DEPTH) {
					st_fail(c, NB_NC_ERR_TOO_BIG, "subtree filter too deep");
					goto out;
				}
				if (c->count >= NB_NC_SUBTREE_NODES) {
					st_fail(c, NB_NC_ERR_TOO_BIG,
						"subtree filter has too many elements");
					goto out;
				}
				/* RFC 6241 6.2.2: attribute match expressions */
				for (unsigned int a = 0; a < t->nattrs; a++) {
					if (t->attrs[a].is_xmlns)
						continue;
					snprintf(err->bad_attr, sizeof(err->bad_attr), "%.*s",
						 (int)t->attrs[a].qname.len, t->attrs[a].qname.s);
					st_fail(c, NB_NC_ERR_UNKNOWN_ATTRIBUTE,
						"attribute match expressions in subtree filters are not supported");
					goto out;
				}
				if (cur >= 0) {
					/* text stored before the first child element */
					if (!st_all_ws(c->store.data + c->nodes[cur].text_off,
						       c->nodes[cur].text_len)) {
						st_fail(c, NB_NC_ERR_INVALID_VALUE,
							"text mixed with elements in a subtree filter");
						goto out;
					}
					c->nodes[cur].has_children = true;
				}
				nd = &c->nodes[c->count];
				nd->parent = cur;
				nd->mod = NULL;
				if (!st_identifier(t->local))
					;
				else if (!t->ns.len || nb_nc_xml_str_eq(t->ns, NB_NC_NS_BASE))
					nd->mod = ST_ANY_NS;
				else
					nd->mod = ns_module(t->ns.s, t->ns.len, arg);
				nd->name_off = c->store.len;
				nd->name_len = t->local.len;
				if (nb_nc_buf_add(&c->store, t->local.s, t->local.len) < 0) {
					st_fail(c, NB_NC_ERR_TOO_BIG, "subtree filter too large");
					goto out;
				}
				nd->text_off = c->store.len;
				nd->text_len = 0;
				nd->has_children = false;
				cur = c->count++;
			}
			break;
		case NB_NC_XML_END:
			if (t->depth == 3 && found)
				done = true;
			else if (t->depth > 3 && cur >= 0)
				cur = c->nodes[cur].parent;
			break;
		case NB_NC_XML_TEXT:
			if (!found || t->depth < 3)
				break;
			if (t->depth == 3 || c->nodes[cur].has_children) {
				if (!st_all_ws(t->text.s, t->text.len)) {
					st_fail(c, NB_NC_ERR_INVALID_VALUE,
						"text mixed with elements in a subtree filter");
					goto out;
				}
				break;
			}
			if (nb_nc_buf_add(&c->store, t->text.s, t->text.len) < 0) {
				st_fail(c, NB_NC_ERR_TOO_BIG, "subtree filter too large");
				goto out;
			}
			c->nodes[cur].text_len += t->text.len;
			break;
		}
	}
	if (!found) {
		ret = 0;
		goto out;
	}
	/* RFC 6241 6.4.2: an empty filter selects nothing (0 expressions) */
	ret = st_set(c, -1, &path) < 0 ? -1 : 1;
out:
	if (ret < 0) {
		*n = 0;
		nb_nc_buf_reset(out);
	}
	nb_nc_xml_fini(&x);
	nb_nc_buf_free(&path);
	nb_nc_buf_free(&c->store);
	free(c);
	return ret;
}

/* ---- with-defaults (RFC 6243) ---- */

static const char *const wd_names[] = {
	[NB_NC_WD_EXPLICIT] = "explicit",
	[NB_NC_WD_TRIM] = "trim",
	[NB_NC_WD_REPORT_ALL] = "report-all",
	[NB_NC_WD_REPORT_ALL_TAGGED] = "report-all-tagged",
};

int nb_nc_wd_parse(const char *value, enum nb_nc_wd *mode)
{
	for (size_t i = 0; value && i < array_size(wd_names); i++)
		if (!strcmp(value, wd_names[i])) {
			*mode = i;
			return 0;
		}
	return -1;
}

const char *nb_nc_wd_str(enum nb_nc_wd mode)
{
	if ((unsigned int)mode >= array_size(wd_names))
		return NULL;
	return wd_names[mode];
}

/* Appends the start tag of t ("/>" for an empty element), declarations of from bound to to. */
static int rebind_start(struct nb_nc_buf *out, const struct nb_nc_xml_tok *t, const char *from,
			const char *to)
{
	if (nb_nc_buf_adds(out, "<") < 0 || nb_nc_buf_add(out, t->qname.s, t->qname.len) < 0)
		return -1;
	for (unsigned int i = 0; i < t->nattrs; i++) {
		const struct nb_nc_xml_attr *a = &t->attrs[i];
		struct nb_nc_xml_str v = a->value;

		if (a->is_xmlns && nb_nc_xml_str_eq(v, from)) {
			v.s = to;
			v.len = strlen(to);
		}
		if (nb_nc_buf_adds(out, " ") < 0 || nb_nc_buf_add(out, a->qname.s, a->qname.len) < 0 ||
		    nb_nc_buf_adds(out, "=\"") < 0 || nb_nc_xml_escape(out, v.s, v.len, true) < 0 ||
		    nb_nc_buf_adds(out, "\"") < 0)
			return -1;
	}
	return nb_nc_buf_adds(out, t->empty ? "/>" : ">");
}

int nb_nc_xml_rebind_ns(struct nb_nc_buf *out, const char *xml, size_t len, const char *from,
			const char *to)
{
	static const char open[] = "<r>", close[] = "</r>";
	size_t old = out->len;
	struct nb_nc_buf in;
	struct nb_nc_xml x;
	const struct nb_nc_xml_tok *t;
	bool skip_end = false;
	int ret = -1;

	/* one root for the tokenizer around the printed siblings */
	nb_nc_buf_init(&in, len + sizeof(open) + sizeof(close));
	if (nb_nc_buf_adds(&in, open) < 0 || nb_nc_buf_add(&in, xml, len) < 0 ||
	    nb_nc_buf_adds(&in, close) < 0) {
		nb_nc_buf_free(&in);
		return -1;
	}
	nb_nc_xml_init(&x, in.data, in.len, 0);
	for (;;) {
		t = nb_nc_xml_next(&x);
		if (t->type == NB_NC_XML_ERROR)
			break;
		if (t->type == NB_NC_XML_EOF) {
			ret = 0;
			break;
		}
		if (t->depth < 2 && t->type != NB_NC_XML_TEXT)
			continue; /* the wrapper */
		if (t->type == NB_NC_XML_START) {
			if (rebind_start(out, t, from, to) < 0)
				break;
			skip_end = t->empty;
		} else if (t->type == NB_NC_XML_END) {
			if (skip_end)
				skip_end = false;
			else if (nb_nc_buf_adds(out, "</") < 0 ||
				 nb_nc_buf_add(out, t->qname.s, t->qname.len) < 0 ||
				 nb_nc_buf_adds(out, ">") < 0)
				break;
		} else if (nb_nc_xml_escape(out, t->text.s, t->text.len, false) < 0)
			break;
	}
	nb_nc_xml_fini(&x);
	nb_nc_buf_free(&in);
	if (ret < 0)
		nb_nc_buf_truncate(out, old);
	return ret;
}

/* ---- NETCONF monitoring (RFC 6022 section 2) ---- */

int nb_nc_datetime(char *buf, size_t size, time_t t)
{
	struct tm tm;

	/* yang:date-and-time has a four-digit year */
	if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999 ||
	    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return -1;
	return 0;
}

static int mon_uint(struct nb_nc_buf *out, const char *name, uint64_t v)
{
	if (nb_nc_buf_adds(out, "<") < 0 || nb_nc_buf_adds(out, name) < 0 ||
	    nb_nc_buf_adds(out, ">") < 0 || nb_nc_buf_addu(out, v) < 0 ||
	    nb_nc_buf_adds(out, "</") < 0 || nb_nc_buf_adds(out, name) < 0 ||
	    nb_nc_buf_adds(out, ">") < 0)
		return -1;
	return 0;
}

static int mon_time(struct nb_nc_buf *out, const char *name, time_t t)
{
	char buf[32];

	if (nb_nc_datetime(buf, sizeof(buf), t) < 0)
		return -1;
	return nb_nc_text_element(out, name, buf);
}

static int mon_datastores(struct nb_nc_buf *out, const struct nb_nc_mon *m)
{
	if (nb_nc_buf_adds(out, "<datastores>") < 0)
		return -1;
	for (size_t i = 0; i < m->nds; i++) {
		const struct nb_nc_mon_datastore *d = &m->ds[i];

		if (!d->name || !d->name[0] || nb_nc_buf_adds(out, "<datastore>") < 0 ||
		    nb_nc_text_element(out, "name", d->name) < 0)
			return -1;
		if (d->locked_by &&
		    (nb_nc_buf_adds(out, "<locks><global-lock>") < 0 ||
		     mon_uint(out, "locked-by-session", d->locked_by) < 0 ||
		     mon_time(out, "locked-time", d->locked_at) < 0 ||
		     nb_nc_buf_adds(out, "</global-lock></locks>") < 0))
			return -1;
		if (nb_nc_buf_adds(out, "</datastore>") < 0)
			return -1;
	}
	return nb_nc_buf_adds(out, "</datastores>");
}

static int mon_schemas(struct nb_nc_buf *out, const struct nb_nc_mon *m)
{
	if (nb_nc_buf_adds(out, "<schemas>") < 0)
		return -1;
	for (size_t i = 0; i < m->nschemas; i++) {
		const struct nb_nc_mon_schema *sc = &m->schemas[i];

		if (!sc->identifier || !sc->identifier[0] || !sc->version || !sc->ns ||
		    !sc->ns[0] || nb_nc_buf_adds(out, "<schema>") < 0 ||
		    nb_nc_text_element(out, "identifier", sc->identifier) < 0 ||
		    nb_nc_text_element(out, "version", sc->version) < 0 ||
		    nb_nc_buf_adds(out, "<format>ncm:yang</format>") < 0 ||
		    nb_nc_text_element(out, "namespace", sc->ns) < 0 ||
		    nb_nc_buf_adds(out, "<location>NETCONF</location></schema>") < 0)
			return -1;
	}
	return nb_nc_buf_adds(out, "</schemas>");
}

static int mon_sessions(struct nb_nc_buf *out, const struct nb_nc_mon *m)
{
	if (nb_nc_buf_adds(out, "<sessions>") < 0)
		return -1;
	for (size_t i = 0; i < m->nsessions; i++) {
		const struct nb_nc_mon_session *se = &m->sessions[i];

		if (!se->id || !se->username || nb_nc_buf_adds(out, "<session>") < 0 ||
		    mon_uint(out, "session-id", se->id) < 0 ||
		    nb_nc_buf_adds(out, "<transport>ncm:netconf-ssh</transport>") < 0 ||
		    nb_nc_text_element(out, "username", se->username) < 0 ||
		    (se->source_host && se->source_host[0] &&
		     nb_nc_text_element(out, "source-host", se->source_host) < 0) ||
		    mon_time(out, "login-time", se->login) < 0 ||
		    mon_uint(out, "in-rpcs", se->in_rpcs) < 0 ||
		    mon_uint(out, "in-bad-rpcs", se->in_bad_rpcs) < 0 ||
		    mon_uint(out, "out-rpc-errors", se->out_rpc_errors) < 0 ||
		    nb_nc_buf_adds(out, "<out-notifications>0</out-notifications></session>") < 0)
			return -1;
	}
	return nb_nc_buf_adds(out, "</sessions>");
}

static int mon_statistics(struct nb_nc_buf *out, const struct nb_nc_mon_stats *st)
{
	if (nb_nc_buf_adds(out, "<statistics>") < 0 ||
	    mon_time(out, "netconf-start-time", st->start) < 0 ||
	    mon_uint(out, "in-bad-hellos", st->in_bad_hellos) < 0 ||
	    mon_uint(out, "in-sessions", st->in_sessions) < 0 ||
	    mon_uint(out, "dropped-sessions", st->dropped_sessions) < 0 ||
	    mon_uint(out, "in-rpcs", st->in_rpcs) < 0 ||
	    mon_uint(out, "in-bad-rpcs", st->in_bad_rpcs) < 0 ||
	    mon_uint(out, "out-rpc-errors", st->out_rpc_errors) < 0 ||
	    nb_nc_buf_adds(out, "<out-notifications>0</out-notifications></statistics>") < 0)
		return -1;
	return 0;
}

int nb_nc_mon_build(struct nb_nc_buf *out, const struct nb_nc_mon *m)
{
	size_t old = out->len;

	if (!(m->parts & NB_NC_MON_ALL))
		return 0;
	/* ncm: the prefix of the identities (schema format, transport) */
	if (nb_nc_buf_adds(out, "<netconf-state xmlns=\"" NB_NC_NS_MONITORING
				"\" xmlns:ncm=\"" NB_NC_NS_MONITORING "\">") < 0)
		return undo(out, old);
	if (m->parts & NB_NC_MON_CAPS) {
		if (nb_nc_buf_adds(out, "<capabilities>") < 0)
			return undo(out, old);
		for (size_t i = 0; i < m->ncaps; i++)
			if (!m->caps[i] || !m->caps[i][0] ||
			    nb_nc_text_element(out, "capability", m->caps[i]) < 0)
				return undo(out, old);
		if (nb_nc_buf_adds(out, "</capabilities>") < 0)
			return undo(out, old);
	}
	if (((m->parts & NB_NC_MON_DATASTORES) && mon_datastores(out, m) < 0) ||
	    ((m->parts & NB_NC_MON_SCHEMAS) && mon_schemas(out, m) < 0) ||
	    ((m->parts & NB_NC_MON_SESSIONS) && mon_sessions(out, m) < 0) ||
	    ((m->parts & NB_NC_MON_STATISTICS) && mon_statistics(out, &m->stats) < 0) ||
	    nb_nc_buf_adds(out, "</netconf-state>") < 0)
		return undo(out, old);
	return 0;
}

/* In the monitoring namespace, or in none (RFC 6241 6.2.1; see ST_ANY_NS). */
static bool mon_ns(const struct nb_nc_xml_tok *t)
{
	return !t->ns.len || nb_nc_xml_str_eq(t->ns, NB_NC_NS_MONITORING) ||
	       nb_nc_xml_str_eq(t->ns, NB_NC_NS_BASE);
}

int nb_nc_mon_filter(const char *msg, size_t len, unsigned int *parts)
{
	static const struct {
		const char *name;
		unsigned int bit;
	} kids[] = {
		{ "capabilities", NB_NC_MON_CAPS },   { "datastores", NB_NC_MON_DATASTORES },
		{ "schemas", NB_NC_MON_SCHEMAS },     { "sessions", NB_NC_MON_SESSIONS },
		{ "statistics", NB_NC_MON_STATISTICS },
	};
	const struct nb_nc_xml_tok *t;
	struct nb_nc_xml x;
	bool in_get = false, in_filter = false, in_state = false, state_kids = false;
	int ret = 0;

	*parts = 0;
	nb_nc_xml_init(&x, msg, len, NB_NC_XML_DEPTH_MAX);
	while ((t = nb_nc_xml_next(&x))->type != NB_NC_XML_EOF) {
		if (t->type == NB_NC_XML_ERROR) {
			ret = -1;
			*parts = 0;
			break;
		}
		if (t->type == NB_NC_XML_END) {
			if (t->depth == 4 && in_state) {
				if (!state_kids)
					*parts |= NB_NC_MON_ALL;
				in_state = false;
			} else if (t->depth == 3)
				in_filter = false;
			else if (t->depth == 2)
				in_get = false;
			continue;
		}
		if (t->type != NB_NC_XML_START)
			continue;
		if (t->depth == 1 && !st_is(t, "rpc"))
			break;
		if (t->depth == 2)
			in_get = st_is(t, "get");
		else if (t->depth == 3)
			in_filter = in_get && st_is(t, "filter");
		else if (t->depth == 4 && in_filter && mon_ns(t) &&
			 nb_nc_xml_str_eq(t->local, "netconf-state")) {
			in_state = true;
			state_kids = false;
			ret = 1;
		} else if (t->depth == 5 && in_state) {
			state_kids = true;
			for (size_t i = 0; i < array_size(kids); i++)
				if (mon_ns(t) && nb_nc_xml_str_eq(t->local, kids[i].name))
					*parts |= kids[i].bit;
		}
	}
	nb_nc_xml_fini(&x);
	return ret;
}
