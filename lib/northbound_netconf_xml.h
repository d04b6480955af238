// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A small strict XML tokenizer for the NETCONF server core.
 *
 * Design
 * ------
 * libyang 3 parses NETCONF RPCs (lyd_parse_op with LYD_TYPE_RPC_NETCONF)
 * but offers no public generic XML reader, and the server needs one for
 * what libyang does not parse: the <hello> message (RFC 6241 section 8.1)
 * and the attributes of an <rpc> element that libyang refused, which the
 * <rpc-reply> carrying the error must repeat (RFC 6241 section 4.2).
 * This tokenizer is that reader.  It works on one complete message (the
 * framing layer delivers them) and returns one token per call of
 * nb_nc_xml_next(): the start of an element (with its attributes and
 * resolved namespaces), its end, or a run of text.
 *
 * What it accepts (a strict subset of XML 1.0 + Namespaces in XML 1.0):
 * - one root element, optionally preceded and followed by whitespace,
 *   comments and processing instructions (including the XML declaration),
 *   which are all skipped;
 * - elements, attributes ("..." or '...'), namespace declarations
 *   (xmlns="..." and xmlns:p="..."), the predefined "xml" prefix;
 * - text with the entities &lt; &gt; &amp; &quot; &apos; and character
 *   references &#N; &#xH; (XML Char range only), CDATA sections, line
 *   ends normalised to LF, attribute value whitespace normalised to
 *   spaces.
 * What it refuses (NB_NC_XML_ERROR, with a message and the offset):
 * - any DTD (<!DOCTYPE ...>) and any other <!...> declaration, so no
 *   entity definitions and no entity expansion attacks;
 * - input that is not UTF-8, or holds a control character XML forbids;
 * - malformed names, tags, attributes, entities, comments ("--" inside),
 *   "]]>" in text, mismatched or unclosed tags, a second root element,
 *   text outside the root, duplicate attributes, unbound prefixes, an
 *   empty prefixed namespace declaration, an attempt to rebind "xmlns".
 * Limits: element depth (given at init, at most NB_NC_XML_DEPTH_MAX),
 * NB_NC_XML_ATTRS_MAX attributes per element and NB_NC_XML_NS_MAX
 * namespace declarations in scope.  Memory: the tokenizer holds two
 * buffers that never exceed the input's length (decoded text can only be
 * shorter than what it was decoded from); nothing else is allocated.
 *
 * Output: nb_nc_xml_escape() writes text or an attribute value so that
 * this tokenizer (and any XML parser) reads back exactly the same bytes.
 *
 * Lifetime: the input must stay valid while the tokenizer is used; the
 * strings of a token (struct nb_nc_xml_str, NOT NUL-terminated) are valid
 * until the next call of nb_nc_xml_next().  An empty element <a/> is
 * returned as a START followed by an END.  After an ERROR every further
 * call returns ERROR; after EOF, EOF.
 */
#ifndef _FRR_NORTHBOUND_NETCONF_XML_H
#define _FRR_NORTHBOUND_NETCONF_XML_H

#include <stdbool.h>
#include <stddef.h>

#include "northbound_netconf_frame.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NB_NC_XML_DEPTH_MAX 64
#define NB_NC_XML_ATTRS_MAX 32
#define NB_NC_XML_NS_MAX    64

#define NB_NC_XML_NS_XML   "http://www.w3.org/XML/1998/namespace"
#define NB_NC_XML_NS_XMLNS "http://www.w3.org/2000/xmlns/"

/* A string slice; not NUL-terminated. */
struct nb_nc_xml_str {
	const char *s;
	size_t len;
};

struct nb_nc_xml_attr {
	struct nb_nc_xml_str qname;  /* as written: "ex:user-id", "xmlns:ex" */
	struct nb_nc_xml_str prefix; /* empty if none */
	struct nb_nc_xml_str local;
	/* namespace: empty for unprefixed attributes, NB_NC_XML_NS_XMLNS for
	 * namespace declarations */
	struct nb_nc_xml_str ns;
	struct nb_nc_xml_str value; /* decoded */
	bool is_xmlns;		    /* a namespace declaration */
};

enum nb_nc_xml_type {
	NB_NC_XML_ERROR = -1,
	NB_NC_XML_EOF = 0,
	NB_NC_XML_START,
	NB_NC_XML_END,
	NB_NC_XML_TEXT,
};

struct nb_nc_xml_tok {
	enum nb_nc_xml_type type;
	/* START and END: the element; depth 1 is the root */
	struct nb_nc_xml_str qname, prefix, local, ns;
	unsigned int depth;
	bool empty; /* START of <a/> */
	/* START: attributes in document order */
	unsigned int nattrs;
	struct nb_nc_xml_attr attrs[NB_NC_XML_ATTRS_MAX];
	/* TEXT: decoded text (depth is the enclosing element's) */
	struct nb_nc_xml_str text;
	bool cdata;
};

struct nb_nc_xml_elem {
	struct nb_nc_xml_str qname;
	unsigned int ns_top; /* bindings in scope before this element */
};

struct nb_nc_xml_ns {
	struct nb_nc_xml_str prefix; /* empty: the default namespace */
	size_t off, len;	     /* URI in nsbuf */
};

struct nb_nc_xml {
	const char *in;
	size_t len, pos;
	unsigned int max_depth, depth;
	bool root_seen, pending_end, failed, eof;
	struct nb_nc_xml_elem stack[NB_NC_XML_DEPTH_MAX];
	struct nb_nc_xml_ns ns[NB_NC_XML_NS_MAX];
	unsigned int nns;
	struct nb_nc_buf nsbuf;	  /* decoded namespace URIs in scope */
	struct nb_nc_buf scratch; /* decoded strings of the current token */
	const char *err;	  /* static message of the first error */
	size_t err_pos;		  /* its offset in the input */
	struct nb_nc_xml_tok tok;
};

/* max_depth: 0 or above NB_NC_XML_DEPTH_MAX means NB_NC_XML_DEPTH_MAX. */
extern void nb_nc_xml_init(struct nb_nc_xml *x, const char *in, size_t len, unsigned int max_depth);
extern void nb_nc_xml_fini(struct nb_nc_xml *x);
/* The next token; tok->type NB_NC_XML_ERROR: see x->err, x->err_pos. */
extern const struct nb_nc_xml_tok *nb_nc_xml_next(struct nb_nc_xml *x);
/*
 * Right after a START: skips the element's content up to and including
 * its END.  0 on success, -1 on an error (or EOF) inside.
 */
extern int nb_nc_xml_skip(struct nb_nc_xml *x);

/*
 * Length of the longest prefix of in[0..len) that is UTF-8 made of XML
 * characters (len if all of it is): the part a tokenizer may look at.
 */
extern size_t nb_nc_xml_valid_prefix(const char *in, size_t len);

/*
 * Appends s[0..len) escaped: & < > always, CR as &#13;, and in an
 * attribute value (attr) also " TAB LF as &quot; &#9; &#10;.  -1 (out
 * unchanged) if out would exceed its limit.
 */
extern int nb_nc_xml_escape(struct nb_nc_buf *out, const char *s, size_t len, bool attr);

extern bool nb_nc_xml_str_eq(struct nb_nc_xml_str s, const char *lit);
/* The attribute whose qname is `qname`, NULL if absent. */
extern const struct nb_nc_xml_attr *nb_nc_xml_attr_get(const struct nb_nc_xml_tok *tok,
						       const char *qname);

#ifdef __cplusplus
}
#endif

#endif /* _FRR_NORTHBOUND_NETCONF_XML_H */
