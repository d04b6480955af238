// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NETCONF messages the server core builds and parses itself: the hello
 * exchange, <rpc-reply> envelopes and <rpc-error> (RFC 6241).
 *
 * Design
 * ------
 * Everything here is pure: messages in, bytes out, no session state.  RPC
 * contents are left to libyang (lyd_parse_op, LYD_TYPE_RPC_NETCONF); this
 * file covers what libyang does not:
 *
 * - Hello (RFC 6241 section 8.1): nb_nc_hello_parse() reads a peer's
 *   <hello> with the strict tokenizer (northbound_netconf_xml.h): root
 *   <hello> in the base namespace, exactly one <capabilities> holding at
 *   least one non-empty <capability> (text trimmed of XML whitespace).  A
 *   <session-id> in a client's hello is an error (the server MUST then
 *   terminate the session, section 8.1); other elements of the base
 *   namespace are errors, elements of other namespaces are skipped.  A
 *   peer that announces neither base:1.0 nor base:1.1 is refused, since
 *   no framing is common.  Limits: NB_NC_HELLO_CAPS_MAX capabilities of at
 *   most NB_NC_CAP_LEN_MAX bytes each.  nb_nc_hello_framing() picks
 *   base:1.1 chunked framing when both sides announced base:1.1, else the
 *   base:1.0 end-of-message marker (RFC 6242 section 4.1).
 *   nb_nc_hello_build() writes the server's hello: its capabilities and
 *   its session-id (1 .. 4294967295, RFC 6241 section 8.1 and its YANG
 *   session-id-type).
 *
 * - <rpc-reply> (RFC 6241 section 4.2): it MUST carry all attributes of
 *   the <rpc> element unchanged.  nb_nc_rpc_attrs_extract() copies them
 *   out of a message with the tokenizer, reading only as far as the end of
 *   the <rpc> start tag, so that the server can still answer (with its
 *   message-id) when the rest of the message is malformed and libyang
 *   refused it.  nb_nc_rpc_reply_open() writes <rpc-reply ...> with the
 *   copied attributes in their order and the base namespace as the
 *   default namespace: a default declaration (xmlns="...") of the <rpc>
 *   keeps its place with the base namespace as its value (the same value
 *   unless the <rpc> was prefixed), and without one xmlns="...base:1.0"
 *   comes first; prefixed declarations (xmlns:nc) are copied as they are.
 *
 * - <rpc-error> (RFC 6241 section 4.3, appendix A): struct
 *   nb_nc_rpc_error names the error-type, error-tag, error-severity and
 *   the optional error-app-tag, error-path (with the namespace prefixes
 *   its XPath uses), error-message (with xml:lang) and error-info
 *   (bad-attribute, bad-element, bad-namespace, session-id, and trusted
 *   caller-made XML).  All text is escaped.  Elements come in the order
 *   of the RFC's schema.
 *
 * Errors: every builder appends to a bounded struct nb_nc_buf and returns
 * -1, leaving the buffer as it was, on an invalid argument (unknown enum
 * value, session-id 0, empty capability) or when the buffer's limit would
 * be exceeded.
 */
#ifndef _FRR_NORTHBOUND_NETCONF_MSG_H
#define _FRR_NORTHBOUND_NETCONF_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "northbound_netconf_frame.h"
#include "northbound_netconf_xml.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NB_NC_NS_BASE	 "urn:ietf:params:xml:ns:netconf:base:1.0"
#define NB_NC_CAP_BASE10 "urn:ietf:params:netconf:base:1.0"
#define NB_NC_CAP_BASE11 "urn:ietf:params:netconf:base:1.1"

#define NB_NC_HELLO_CAPS_MAX 1024
#define NB_NC_CAP_LEN_MAX    4096
#define NB_NC_HELLO_DEPTH    16

struct nb_nc_hello {
	unsigned int ncaps;
	struct nb_nc_buf caps; /* the URIs, each NUL-terminated, in order */
	bool base10, base11;
};

/* 0, or -1 with *err a static message (hello is then empty). */
extern int nb_nc_hello_parse(const char *msg, size_t len, struct nb_nc_hello *hello,
			     const char **err);
extern void nb_nc_hello_free(struct nb_nc_hello *hello);
/* Iterates the capabilities: prev NULL for the first; NULL at the end. */
extern const char *nb_nc_hello_cap_next(const struct nb_nc_hello *hello, const char *prev);
extern bool nb_nc_hello_has(const struct nb_nc_hello *hello, const char *cap);
extern enum nb_nc_framing nb_nc_hello_framing(const struct nb_nc_hello *peer, bool own_base11);
extern int nb_nc_hello_build(struct nb_nc_buf *out, const char *const *caps, size_t ncaps,
			     uint32_t session_id);

/* RFC 6241 appendix A */
enum nb_nc_err_type {
	NB_NC_ERR_TYPE_TRANSPORT = 0,
	NB_NC_ERR_TYPE_RPC,
	NB_NC_ERR_TYPE_PROTOCOL,
	NB_NC_ERR_TYPE_APPLICATION,
};

enum nb_nc_err_tag {
	NB_NC_ERR_IN_USE = 0,
	NB_NC_ERR_INVALID_VALUE,
	NB_NC_ERR_TOO_BIG,
	NB_NC_ERR_MISSING_ATTRIBUTE,
	NB_NC_ERR_BAD_ATTRIBUTE,
	NB_NC_ERR_UNKNOWN_ATTRIBUTE,
	NB_NC_ERR_MISSING_ELEMENT,
	NB_NC_ERR_BAD_ELEMENT,
	NB_NC_ERR_UNKNOWN_ELEMENT,
	NB_NC_ERR_UNKNOWN_NAMESPACE,
	NB_NC_ERR_ACCESS_DENIED,
	NB_NC_ERR_LOCK_DENIED,
	NB_NC_ERR_RESOURCE_DENIED,
	NB_NC_ERR_ROLLBACK_FAILED,
	NB_NC_ERR_DATA_EXISTS,
	NB_NC_ERR_DATA_MISSING,
	NB_NC_ERR_OPERATION_NOT_SUPPORTED,
	NB_NC_ERR_OPERATION_FAILED,
	NB_NC_ERR_PARTIAL_OPERATION, /* deprecated, RFC 6241 appendix A */
	NB_NC_ERR_MALFORMED_MESSAGE,
};

enum nb_nc_err_severity {
	NB_NC_ERR_SEV_ERROR = 0,
	NB_NC_ERR_SEV_WARNING,
};

struct nb_nc_xmlns {
	const char *prefix;
	const char *uri;
};

struct nb_nc_rpc_error {
	enum nb_nc_err_type type;
	enum nb_nc_err_tag tag;
	enum nb_nc_err_severity severity;
	const char *app_tag;		   /* NULL: none */
	const char *path;		   /* error-path, an XPath; NULL: none */
	const struct nb_nc_xmlns *path_ns; /* prefixes the path uses */
	size_t path_ns_count;
	const char *message;	  /* NULL: none */
	const char *message_lang; /* xml:lang of the message; NULL: none */
	/* error-info */
	const char *bad_attribute;
	const char *bad_element;
	const char *bad_namespace;
	bool has_session_id; /* session-id (0: held outside NETCONF) */
	uint32_t session_id;
	const char *info_xml; /* trusted well-formed XML, appended as is */
};

/* Appends <name>text</name>, text escaped; -1 (out as it was) if it does not fit. */
extern int nb_nc_text_element(struct nb_nc_buf *out, const char *name, const char *text);

extern const char *nb_nc_err_type_str(enum nb_nc_err_type type);
extern const char *nb_nc_err_tag_str(enum nb_nc_err_tag tag);
extern const char *nb_nc_err_severity_str(enum nb_nc_err_severity sev);
extern int nb_nc_rpc_error_build(struct nb_nc_buf *out, const struct nb_nc_rpc_error *err);

/* The attributes of an <rpc> element, copied (qname and decoded value). */
struct nb_nc_rpc_attrs {
	unsigned int n;
	struct {
		size_t qname, value; /* offsets of NUL-terminated strings */
	} a[NB_NC_XML_ATTRS_MAX];
	struct nb_nc_buf store;
};

/*
 * Reads msg up to the end of its first start tag: 0 and attrs filled if
 * that is <rpc> in the base namespace, else -1 (attrs empty).  attrs must
 * be released with nb_nc_rpc_attrs_free() either way.
 */
extern int nb_nc_rpc_attrs_extract(const char *msg, size_t len, struct nb_nc_rpc_attrs *attrs);
extern void nb_nc_rpc_attrs_free(struct nb_nc_rpc_attrs *attrs);
/* The value of attribute qname (e.g. "message-id"), NULL if absent;
 * attrs may be NULL. */
extern const char *nb_nc_rpc_attrs_get(const struct nb_nc_rpc_attrs *attrs, const char *qname);

/* attrs may be NULL (no <rpc> could be read). */
extern int nb_nc_rpc_reply_open(struct nb_nc_buf *out, const struct nb_nc_rpc_attrs *attrs);
extern int nb_nc_rpc_reply_close(struct nb_nc_buf *out);
/* A whole <rpc-reply> with <ok/>, or with the given rpc-errors. */
extern int nb_nc_rpc_reply_ok(struct nb_nc_buf *out, const struct nb_nc_rpc_attrs *attrs);
extern int nb_nc_rpc_reply_errors(struct nb_nc_buf *out, const struct nb_nc_rpc_attrs *attrs,
				  const struct nb_nc_rpc_error *errs, size_t nerrs);

/*
 * Subtree filters (RFC 6241 section 6) as XPath.
 *
 * nb_nc_subtree_xpaths() reads the <filter> of an <rpc><get> or
 * <rpc><get-config> message (all in the base namespace; the filter's
 * content, not its attributes, is read here) and writes XPath expressions
 * (libyang's form: module names as prefixes) whose matches, each taken
 * with its ancestors and descendants, are what the filter selects:
 *
 * - namespace selection (6.2.1): every element's namespace is mapped to a
 *   module name by ns_module(); an unknown namespace, or a name that is no
 *   YANG identifier, matches nothing: as a content match node it makes its
 *   whole sibling set select nothing, otherwise only its own branch is
 *   dropped (no rpc-error: the filter simply selects no such data).  An
 *   element without a namespace (xmlns="", or none declared) matches its
 *   name in every namespace ("*[local-name()='name']"), and so does one in
 *   the base namespace (what an unqualified element inherits from
 *   <rpc xmlns="...base:1.0">: no data node is in it);
 * - containment nodes (6.2.4): an element with child elements;
 * - selection nodes (6.2.3): an empty element (or whitespace only);
 * - content match nodes (6.2.5): a leaf with text (XML whitespace around
 *   it trimmed), compared for equality.  They become predicates of their
 *   parent's step; if all siblings are content match nodes the whole
 *   parent is selected, else the content match nodes themselves and the
 *   selection and containment siblings, each under the predicates.  At
 *   the top level the predicates are absolute ("/m:a[/m:b='v']").
 * - an empty filter selects nothing (6.4.2): 0 expressions.
 *
 * Refused with an rpc-error (*tag, *msg static): attribute match
 * expressions (6.2.2; unknown-attribute, bad_attr names it), text mixed
 * with child elements (invalid-value), a value holding both quote
 * characters (operation-not-supported), more than NB_NC_SUBTREE_DEPTH
 * levels, NB_NC_SUBTREE_NODES elements or NB_NC_SUBTREE_PATHS
 * expressions, or out's limit (too-big), and a message the tokenizer
 * refuses (malformed-message).
 *
 * Returns 1 and the expressions in out (each NUL-terminated, *n of them)
 * when the message holds a filter; 0 when it holds none; -1 on an error.
 */
#define NB_NC_SUBTREE_DEPTH 16
#define NB_NC_SUBTREE_NODES 1024
#define NB_NC_SUBTREE_PATHS 256

typedef const char *(*nb_nc_ns_module_fn)(const char *ns, size_t len, void *arg);

struct nb_nc_subtree_err {
	enum nb_nc_err_tag tag;
	const char *msg;
	char bad_attr[64]; /* attribute refused, NUL-terminated */
};

extern int nb_nc_subtree_xpaths(const char *msg, size_t len, nb_nc_ns_module_fn ns_module,
				void *arg, struct nb_nc_buf *out, unsigned int *n,
				struct nb_nc_subtree_err *err);

/*
 * With-defaults (RFC 6243).  The server's basic mode is explicit (section
 * 2.3): FRR's running and candidate configurations keep the nodes a client
 * set (vtysh, gRPC or NETCONF), a value equal to the schema default
 * included, apart from the default nodes libyang adds (LYD_DEFAULT), so
 * what a get or get-config without <with-defaults> reports is what was
 * set.  The other retrieval modes (section 3) are also supported; the
 * capability (section 4.3) says so.  nb_nc_wd_parse() maps a
 * with-defaults-mode enum value (RFC 6243 section 5) to the mode, -1 if
 * it is none.
 *
 * report-all-tagged (section 3.4) marks default data with the attribute
 * default="true" of the namespace NB_NC_NS_WD_ATTR (section 6).  libyang
 * prints that attribute (LYD_PRINT_WD_ALL_TAG) but binds its prefix to
 * the YANG module's namespace (NB_NC_NS_WD_YANG).
 * nb_nc_xml_rebind_ns() rewrites XML (zero or more elements, as
 * lyd_print_mem() prints them with their siblings) with every namespace
 * declaration whose value is `from` given the value `to`, nothing else
 * changed but the form (entities and character references as
 * nb_nc_xml_escape() writes them, empty elements as <a/>, comments and
 * processing instructions dropped).  Text and other attributes are
 * never touched.  0, or -1 with out as it was (malformed input, a limit of
 * the tokenizer, out's limit).
 */
#define NB_NC_CAP_WITH_DEFAULTS                                                                    \
	"urn:ietf:params:netconf:capability:with-defaults:1.0?basic-mode=explicit"                 \
	"&also-supported=report-all,report-all-tagged,trim"
#define NB_NC_NS_WD_ATTR "urn:ietf:params:xml:ns:netconf:default:1.0"
#define NB_NC_NS_WD_YANG "urn:ietf:params:xml:ns:yang:ietf-netconf-with-defaults"

enum nb_nc_wd {
	NB_NC_WD_EXPLICIT = 0,
	NB_NC_WD_TRIM,
	NB_NC_WD_REPORT_ALL,
	NB_NC_WD_REPORT_ALL_TAGGED,
};

extern int nb_nc_wd_parse(const char *value, enum nb_nc_wd *mode);
extern const char *nb_nc_wd_str(enum nb_nc_wd mode);
extern int nb_nc_xml_rebind_ns(struct nb_nc_buf *out, const char *xml, size_t len,
			       const char *from, const char *to);

/*
 * NETCONF monitoring (RFC 6022 section 2): the /netconf-state data of
 * ietf-netconf-monitoring (revision 2010-10-04), written as XML here
 * because FRR ships no such YANG module for libyang to build it from.
 * nb_nc_mon_build() writes <netconf-state> with the containers parts
 * selects (NB_NC_MON_*; 0: nothing written): capabilities, datastores
 * (a global-lock where one is held), schemas (format yang, location
 * NETCONF: what get-schema serves), sessions (transport netconf-ssh) and
 * statistics.  Times are yang:date-and-time in UTC.  Nothing is written
 * (-1, out as it was) on an empty string where a value is needed, or
 * when out's limit would be exceeded.
 *
 * nb_nc_mon_filter() reads the subtree <filter> of an <rpc><get> (as
 * nb_nc_subtree_xpaths() does): 1 with *parts when one of its top-level
 * elements is netconf-state (in the monitoring namespace, or in none as
 * RFC 6241 6.2.1 allows): all of it if it is empty, else the containers
 * among its children (whole: what is inside them is not matched);
 * 0 if the filter holds no netconf-state (or there is no filter), -1 on
 * malformed XML.
 */
#define NB_NC_NS_MONITORING "urn:ietf:params:xml:ns:yang:ietf-netconf-monitoring"

#define NB_NC_MON_CAPS	     0x01
#define NB_NC_MON_DATASTORES 0x02
#define NB_NC_MON_SCHEMAS    0x04
#define NB_NC_MON_SESSIONS   0x08
#define NB_NC_MON_STATISTICS 0x10
#define NB_NC_MON_ALL	     0x1f

struct nb_nc_mon_datastore {
	const char *name;   /* "running", "candidate" */
	uint32_t locked_by; /* 0: not locked */
	time_t locked_at;
};

struct nb_nc_mon_schema {
	const char *identifier;
	const char *version; /* "" if the module has no revision */
	const char *ns;
};

struct nb_nc_mon_session {
	uint32_t id;
	const char *username;
	const char *source_host; /* NULL: unknown (left out) */
	time_t login;
	uint32_t in_rpcs, in_bad_rpcs, out_rpc_errors;
};

struct nb_nc_mon_stats {
	time_t start;
	uint32_t in_bad_hellos, in_sessions, dropped_sessions;
	uint32_t in_rpcs, in_bad_rpcs, out_rpc_errors;
};

struct nb_nc_mon {
	unsigned int parts;
	const char *const *caps;
	size_t ncaps;
	const struct nb_nc_mon_datastore *ds;
	size_t nds;
	const struct nb_nc_mon_schema *schemas;
	size_t nschemas;
	const struct nb_nc_mon_session *sessions;
	size_t nsessions;
	struct nb_nc_mon_stats stats;
};

/* "YYYY-MM-DDThh:mm:ssZ"; -1 if size is too small or t out of range. */
extern int nb_nc_datetime(char *buf, size_t size, time_t t);
extern int nb_nc_mon_build(struct nb_nc_buf *out, const struct nb_nc_mon *m);
extern int nb_nc_mon_filter(const char *msg, size_t len, unsigned int *parts);

#ifdef __cplusplus
}
#endif

#endif /* _FRR_NORTHBOUND_NETCONF_MSG_H */
