// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A small strict XML tokenizer for the NETCONF server core: see the design
 * notes in northbound_netconf_xml.h.  Grammar references are to XML 1.0
 * (fifth edition) and Namespaces in XML 1.0 (third edition).
 */
#include <zebra.h>

#include <string.h>

#include "northbound_netconf_xml.h"

enum decode_mode {
	DEC_TEXT,  /* character data: entities, no "]]>" */
	DEC_ATTR,  /* attribute value: entities, whitespace to spaces */
	DEC_CDATA, /* CDATA section: taken as is */
};

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool name_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static bool name_char(unsigned char c)
{
	return name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

bool nb_nc_xml_str_eq(struct nb_nc_xml_str s, const char *lit)
{
	size_t n = strlen(lit);

	return s.len == n && (n == 0 || memcmp(s.s, lit, n) == 0);
}

static bool str_same(struct nb_nc_xml_str a, struct nb_nc_xml_str b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.s, b.s, a.len) == 0);
}

/*
 * UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above
 * U+10FFFF) restricted to XML's Char production: no C0 controls but TAB,
 * LF, CR, and no U+FFFE, U+FFFF.  Returns the offset of the first bad
 * byte, or n.
 */
static size_t xml_utf8_check(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		unsigned char lo = 0x80, hi = 0xbf;
		size_t more;

		if (c < 0x80) {
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
				return i;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			more = 1;
		} else if (c >= 0xe0 && c <= 0xef) {
			more = 2;
			if (c == 0xe0)
				lo = 0xa0;
			else if (c == 0xed)
				hi = 0x9f; /* surrogates */
		} else if (c >= 0xf0 && c <= 0xf4) {
			more = 3;
			if (c == 0xf0)
				lo = 0x90;
			else if (c == 0xf4)
				hi = 0x8f;
		} else {
			return i;
		}
		if (n - i <= more)
			return i;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return i;
		for (size_t k = 2; k <= more; k++)
			if (s[i + k] < 0x80 || s[i + k] > 0xbf)
				return i;
		/* U+FFFE and U+FFFF are not XML characters */
		if (c == 0xef && s[i + 1] == 0xbf && s[i + 2] >= 0xbe)
			return i;
		i += more + 1;
	}
	return n;
}

void nb_nc_xml_init(struct nb_nc_xml *x, const char *in, size_t len, unsigned int max_depth)
{
	size_t bad;

	memset(x, 0, sizeof(*x));
	x->in = in;
	x->len = len;
	if (max_depth == 0 || max_depth > NB_NC_XML_DEPTH_MAX)
		max_depth = NB_NC_XML_DEPTH_MAX;
	x->max_depth = max_depth;
	/* decoding never makes text longer, so the input's size bounds both */
	nb_nc_buf_init(&x->nsbuf, len);
	nb_nc_buf_init(&x->scratch, len);
	bad = xml_utf8_check((const unsigned char *)in, len);
	if (bad < len) {
		x->failed = true;
		x->err = "invalid UTF-8 or a character XML does not allow";
		x->err_pos = bad;
	}
}

void nb_nc_xml_fini(struct nb_nc_xml *x)
{
	nb_nc_buf_free(&x->nsbuf);
	nb_nc_buf_free(&x->scratch);
}

static const struct nb_nc_xml_tok *xml_fail(struct nb_nc_xml *x, size_t pos, const char *msg)
{
	if (!x->failed) {
		x->failed = true;
		x->err = msg;
		x->err_pos = pos;
	}
	memset(&x->tok, 0, sizeof(x->tok));
	x->tok.type = NB_NC_XML_ERROR;
	return &x->tok;
}

static bool at(const struct nb_nc_xml *x, size_t pos, const char *lit)
{
	size_t n = strlen(lit);

	return pos <= x->len && x->len - pos >= n && memcmp(x->in + pos, lit, n) == 0;
}

/* Offset of lit at or after pos, or len. */
static size_t find(const struct nb_nc_xml *x, size_t pos, const char *lit)
{
	const char *p;

	if (pos >= x->len)
		return x->len;
	p = memmem(x->in + pos, x->len - pos, lit, strlen(lit));
	return p ? (size_t)(p - x->in) : x->len;
}

static size_t ncname_end(const struct nb_nc_xml *x, size_t p)
{
	if (p >= x->len || !name_start((unsigned char)x->in[p]))
		return p;
	while (p < x->len && name_char((unsigned char)x->in[p]))
		p++;
	return p;
}

/* QName = (NCName ':')? NCName at x->pos; -1 if there is none. */
static int parse_qname(struct nb_nc_xml *x, struct nb_nc_xml_str *qname,
		       struct nb_nc_xml_str *prefix, struct nb_nc_xml_str *local)
{
	size_t p = x->pos, e = ncname_end(x, p);

	if (e == p)
		return -1;
	if (e < x->len && x->in[e] == ':') {
		size_t e2 = ncname_end(x, e + 1);

		if (e2 == e + 1)
			return -1;
		prefix->s = x->in + p;
		prefix->len = e - p;
		local->s = x->in + e + 1;
		local->len = e2 - e - 1;
		e = e2;
	} else {
		prefix->s = x->in + p;
		prefix->len = 0;
		local->s = x->in + p;
		local->len = e - p;
	}
	qname->s = x->in + p;
	qname->len = e - p;
	x->pos = e;
	return 0;
}

static size_t put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * One reference "&...;" at s[0..n): its UTF-8 into o, *used raw bytes
 * consumed; -1 if malformed.  XML 1.0 section 4.1; only the five
 * predefined entities (section 4.6) exist without a DTD.
 */
static int decode_ref(const char *s, size_t n, char *o, size_t *olen, size_t *used)
{
	static const struct {
		const char *name;
		char c;
	} ents[] = {
		{ "lt;", '<' }, { "gt;", '>' }, { "amp;", '&' }, { "quot;", '"' }, { "apos;", '\'' }
	};
	uint32_t cp = 0;
	size_t i = 1, digits = 0;
	bool hex;

	for (size_t k = 0; k < array_size(ents); k++) {
		size_t l = strlen(ents[k].name);

		if (n - 1 >= l && memcmp(s + 1, ents[k].name, l) == 0) {
			o[0] = ents[k].c;
			*olen = 1;
			*used = l + 1;
			return 0;
		}
	}
	if (n < 2 || s[1] != '#')
		return -1;
	i = 2;
	hex = i < n && s[i] == 'x';
	if (hex)
		i++;
	for (; i < n && s[i] != ';'; i++, digits++) {
		char c = s[i];
		uint32_t d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (hex && c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (hex && c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		cp = cp * (hex ? 16 : 10) + d;
		if (cp > 0x10ffff)
			return -1;
	}
	if (i >= n || digits == 0)
		return -1;
	/* Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] |
	 *          [#x10000-#x10FFFF] */
	if (!(cp == 0x9 || cp == 0xa || cp == 0xd || (cp >= 0x20 && cp <= 0xd7ff) ||
	      (cp >= 0xe000 && cp <= 0xfffd) || cp >= 0x10000))
		return -1;
	*olen = put_utf8(o, cp);
	*used = i + 1;
	return 0;
}

/*
 * Decodes in[start, start + n) into scratch; *off is where it starts
 * there.  NULL on success, else an error message with *errpos set.
 */
static const char *decode(struct nb_nc_xml *x, size_t start, size_t n, enum decode_mode mode,
			  size_t *off, size_t *errpos)
{
	const char *s = x->in + start;
	char *o;
	size_t i = 0, olen = 0;

	*off = x->scratch.len;
	if (nb_nc_buf_reserve(&x->scratch, n) < 0) {
		*errpos = start;
		return "decoded text above the size limit";
	}
	o = x->scratch.data + x->scratch.len;
	while (i < n) {
		char c = s[i];

		if (c == '&' && mode != DEC_CDATA) {
			size_t l, used;

			if (decode_ref(s + i, n - i, o + olen, &l, &used) < 0) {
				*errpos = start + i;
				return "malformed entity or character reference";
			}
			/* a reference is never shorter than its UTF-8 */
			olen += l;
			i += used;
			continue;
		}
		if (c == '\r') {
			/* section 2.11: CR LF and lone CR become LF */
			o[olen++] = mode == DEC_ATTR ? ' ' : '\n';
			i++;
			if (i < n && s[i] == '\n')
				i++;
			continue;
		}
		if (mode == DEC_ATTR && (c == '\t' || c == '\n'))
			c = ' '; /* section 3.3.3 */
		else if (mode == DEC_ATTR && c == '<') {
			*errpos = start + i;
			return "'<' in an attribute value";
		} else if (mode == DEC_TEXT && c == ']' && n - i >= 3 && s[i + 1] == ']' &&
			   s[i + 2] == '>') {
			*errpos = start + i;
			return "']]>' in text";
		}
		o[olen++] = c;
		i++;
	}
	x->scratch.len += olen;
	x->scratch.data[x->scratch.len] = '\0';
	return NULL;
}

static int ns_lookup(const struct nb_nc_xml *x, struct nb_nc_xml_str prefix,
		     struct nb_nc_xml_str *ns)
{
	if (nb_nc_xml_str_eq(prefix, "xml")) {
		ns->s = NB_NC_XML_NS_XML;
		ns->len = strlen(NB_NC_XML_NS_XML);
		return 0;
	}
	for (unsigned int i = x->nns; i-- > 0;) {
		if (str_same(x->ns[i].prefix, prefix)) {
			ns->s = x->nsbuf.data + x->ns[i].off;
			ns->len = x->ns[i].len;
			return 0;
		}
	}
	ns->s = "";
	ns->len = 0;
	return prefix.len == 0 ? 0 : -1;
}

/* A namespace declaration of the element being read (section 3). */
static const char *ns_declare(struct nb_nc_xml *x, const struct nb_nc_xml_attr *a, size_t voff)
{
	struct nb_nc_xml_str uri = { x->scratch.data + voff, a->value.len };
	struct nb_nc_xml_str prefix = a->prefix.len ? a->local : a->prefix;
	bool uri_xml = nb_nc_xml_str_eq(uri, NB_NC_XML_NS_XML);
	bool uri_xmlns = nb_nc_xml_str_eq(uri, NB_NC_XML_NS_XMLNS);

	if (nb_nc_xml_str_eq(prefix, "xmlns") || uri_xmlns)
		return "the xmlns prefix or namespace cannot be declared";
	if (nb_nc_xml_str_eq(prefix, "xml") != uri_xml)
		return "the xml prefix and namespace belong together";
	if (prefix.len && uri.len == 0)
		return "a prefix cannot be bound to the empty namespace";
	if (x->nns >= NB_NC_XML_NS_MAX)
		return "too many namespace declarations";
	x->ns[x->nns].prefix = prefix;
	x->ns[x->nns].off = x->nsbuf.len;
	x->ns[x->nns].len = uri.len;
	if (nb_nc_buf_add(&x->nsbuf, uri.s, uri.len) < 0)
		return "namespace declarations above the size limit";
	x->nns++;
	return NULL;
}

static const struct nb_nc_xml_tok *start_tag(struct nb_nc_xml *x)
{
	struct nb_nc_xml_tok *t = &x->tok;
	size_t tag = x->pos, voff[NB_NC_XML_ATTRS_MAX];
	unsigned int ns_top = x->nns;
	const char *err;

	if (x->depth == 0 && x->root_seen)
		return xml_fail(x, tag, "a second root element");
	if (x->depth >= x->max_depth)
		return xml_fail(x, tag, "elements nested too deep");
	x->pos++;
	if (parse_qname(x, &t->qname, &t->prefix, &t->local) < 0)
		return xml_fail(x, x->pos, "malformed element name");
	if (nb_nc_xml_str_eq(t->prefix, "xmlns"))
		return xml_fail(x, tag, "the xmlns prefix on an element");
	for (;;) {
		struct nb_nc_xml_attr *a;
		bool ws = false;
		size_t vstart, vend, errpos;
		char q;

		while (x->pos < x->len && is_ws(x->in[x->pos])) {
			x->pos++;
			ws = true;
		}
		if (x->pos >= x->len)
			return xml_fail(x, tag, "unterminated start tag");
		if (x->in[x->pos] == '>') {
			x->pos++;
			break;
		}
		if (at(x, x->pos, "/>")) {
			x->pos += 2;
			t->empty = true;
			break;
		}
		if (!ws)
			return xml_fail(x, x->pos, "malformed start tag");
		if (t->nattrs >= NB_NC_XML_ATTRS_MAX)
			return xml_fail(x, x->pos, "too many attributes");
		a = &t->attrs[t->nattrs];
		if (parse_qname(x, &a->qname, &a->prefix, &a->local) < 0)
			return xml_fail(x, x->pos, "malformed attribute name");
		for (unsigned int i = 0; i < t->nattrs; i++)
			if (str_same(t->attrs[i].qname, a->qname))
				return xml_fail(x, x->pos, "duplicate attribute");
		while (x->pos < x->len && is_ws(x->in[x->pos]))
			x->pos++;
		if (x->pos >= x->len || x->in[x->pos] != '=')
			return xml_fail(x, x->pos, "attribute without '='");
		x->pos++;
		while (x->pos < x->len && is_ws(x->in[x->pos]))
			x->pos++;
		if (x->pos >= x->len || (x->in[x->pos] != '"' && x->in[x->pos] != '\''))
			return xml_fail(x, x->pos, "attribute value not quoted");
		q = x->in[x->pos];
		vstart = x->pos + 1;
		vend = vstart;
		while (vend < x->len && x->in[vend] != q)
			vend++;
		if (vend >= x->len)
			return xml_fail(x, vstart, "unterminated attribute value");
		err = decode(x, vstart, vend - vstart, DEC_ATTR, &voff[t->nattrs], &errpos);
		if (err)
			return xml_fail(x, errpos, err);
		a->value.len = x->scratch.len - voff[t->nattrs];
		x->pos = vend + 1;
		a->is_xmlns = nb_nc_xml_str_eq(a->qname, "xmlns") ||
			      nb_nc_xml_str_eq(a->prefix, "xmlns");
		if (a->is_xmlns) {
			err = ns_declare(x, a, voff[t->nattrs]);
			if (err)
				return xml_fail(x, vstart, err);
		}
		t->nattrs++;
	}
	/* all declarations are known now: resolve the names */
	if (ns_lookup(x, t->prefix, &t->ns) < 0)
		return xml_fail(x, tag, "unbound element prefix");
	for (unsigned int i = 0; i < t->nattrs; i++) {
		struct nb_nc_xml_attr *a = &t->attrs[i];

		a->value.s = x->scratch.data + voff[i];
		if (a->is_xmlns) {
			a->ns.s = NB_NC_XML_NS_XMLNS;
			a->ns.len = strlen(NB_NC_XML_NS_XMLNS);
		} else if (a->prefix.len == 0) {
			a->ns.s = "";
			a->ns.len = 0;
		} else if (ns_lookup(x, a->prefix, &a->ns) < 0) {
			return xml_fail(x, tag, "unbound attribute prefix");
		}
	}
	x->stack[x->depth].qname = t->qname;
	x->stack[x->depth].ns_top = ns_top;
	x->depth++;
	x->root_seen = true;
	t->depth = x->depth;
	t->type = NB_NC_XML_START;
	x->pending_end = t->empty;
	return t;
}

/* The END token of the innermost open element, which is then closed. */
static const struct nb_nc_xml_tok *pop_element(struct nb_nc_xml *x)
{
	struct nb_nc_xml_tok *t = &x->tok;
	struct nb_nc_xml_elem *e = &x->stack[x->depth - 1];
	const char *colon = memchr(e->qname.s, ':', e->qname.len);

	memset(t, 0, sizeof(*t));
	t->type = NB_NC_XML_END;
	t->qname = e->qname;
	t->prefix.s = e->qname.s;
	t->prefix.len = colon ? (size_t)(colon - e->qname.s) : 0;
	t->local.s = colon ? colon + 1 : e->qname.s;
	t->local.len = e->qname.len - (colon ? t->prefix.len + 1 : 0);
	ns_lookup(x, t->prefix, &t->ns); /* bound: checked at the start */
	t->depth = x->depth;
	/* the element's declarations go out of scope */
	if (x->nns > e->ns_top) {
		x->nsbuf.len = x->ns[e->ns_top].off;
		x->nns = e->ns_top;
	}
	x->depth--;
	return t;
}

static const struct nb_nc_xml_tok *end_tag(struct nb_nc_xml *x)
{
	size_t tag = x->pos;
	struct nb_nc_xml_str qname, prefix, local;

	if (x->depth == 0)
		return xml_fail(x, tag, "end tag without a start tag");
	x->pos += 2;
	if (parse_qname(x, &qname, &prefix, &local) < 0)
		return xml_fail(x, x->pos, "malformed end tag");
	while (x->pos < x->len && is_ws(x->in[x->pos]))
		x->pos++;
	if (x->pos >= x->len || x->in[x->pos] != '>')
		return xml_fail(x, x->pos, "malformed end tag");
	x->pos++;
	if (!str_same(qname, x->stack[x->depth - 1].qname))
		return xml_fail(x, tag, "end tag does not match the start tag");
	return pop_element(x);
}

static const struct nb_nc_xml_tok *text_tok(struct nb_nc_xml *x, size_t start, size_t n,
					    enum decode_mode mode)
{
	struct nb_nc_xml_tok *t = &x->tok;
	size_t off, errpos;
	const char *err = decode(x, start, n, mode, &off, &errpos);

	if (err)
		return xml_fail(x, errpos, err);
	t->type = NB_NC_XML_TEXT;
	t->text.s = x->scratch.data + off;
	t->text.len = x->scratch.len - off;
	t->cdata = mode == DEC_CDATA;
	t->depth = x->depth;
	return t;
}

const struct nb_nc_xml_tok *nb_nc_xml_next(struct nb_nc_xml *x)
{
	if (x->failed)
		return xml_fail(x, x->err_pos, x->err);
	nb_nc_buf_reset(&x->scratch);
	memset(&x->tok, 0, sizeof(x->tok));
	if (x->pending_end) {
		x->pending_end = false;
		return pop_element(x);
	}
	while (x->pos < x->len) {
		size_t p = x->pos, e;

		if (x->in[p] != '<') {
			const char *lt = memchr(x->in + p, '<', x->len - p);

			e = lt ? (size_t)(lt - x->in) : x->len;
			if (x->depth > 0) {
				x->pos = e;
				return text_tok(x, p, e - p, DEC_TEXT);
			}
			for (; p < e; p++)
				if (!is_ws(x->in[p]))
					return xml_fail(x, p, "text outside the root element");
			x->pos = e;
			continue;
		}
		if (at(x, p, "<?")) {
			/* processing instruction, XML declaration: skipped */
			if (ncname_end(x, p + 2) == p + 2)
				return xml_fail(x, p, "malformed processing instruction");
			e = find(x, p + 2, "?>");
			if (e >= x->len)
				return xml_fail(x, p, "unterminated processing instruction");
			x->pos = e + 2;
			continue;
		}
		if (at(x, p, "<!--")) {
			/* section 2.5: "--" only as part of the end "-->" */
			e = find(x, p + 4, "--");
			if (e >= x->len)
				return xml_fail(x, p, "unterminated comment");
			if (!at(x, e, "-->"))
				return xml_fail(x, e, "'--' inside a comment");
			x->pos = e + 3;
			continue;
		}
		if (at(x, p, "<![CDATA[")) {
			if (x->depth == 0)
				return xml_fail(x, p, "CDATA outside the root element");
			e = find(x, p + 9, "]]>");
			if (e >= x->len)
				return xml_fail(x, p, "unterminated CDATA section");
			x->pos = e + 3;
			return text_tok(x, p + 9, e - (p + 9), DEC_CDATA);
		}
		if (at(x, p, "<!DOCTYPE"))
			return xml_fail(x, p, "DOCTYPE is not allowed");
		if (at(x, p, "<!"))
			return xml_fail(x, p, "markup declaration is not allowed");
		if (at(x, p, "</"))
			return end_tag(x);
		return start_tag(x);
	}
	if (x->depth > 0)
		return xml_fail(x, x->len, "unclosed element at the end");
	if (!x->root_seen)
		return xml_fail(x, x->len, "no root element");
	x->tok.type = NB_NC_XML_EOF;
	return &x->tok;
}

int nb_nc_xml_skip(struct nb_nc_xml *x)
{
	unsigned int d = x->depth;

	if (d == 0)
		return -1;
	for (;;) {
		const struct nb_nc_xml_tok *t = nb_nc_xml_next(x);

		if (t->type == NB_NC_XML_ERROR || t->type == NB_NC_XML_EOF)
			return -1;
		if (t->type == NB_NC_XML_END && t->depth == d)
			return 0;
	}
}

const struct nb_nc_xml_attr *nb_nc_xml_attr_get(const struct nb_nc_xml_tok *tok, const char *qname)
{
	for (unsigned int i = 0; i < tok->nattrs; i++)
		if (nb_nc_xml_str_eq(tok->attrs[i].qname, qname))
			return &tok->attrs[i];
	return NULL;
}

size_t nb_nc_xml_valid_prefix(const char *in, size_t len)
{
	return xml_utf8_check((const unsigned char *)in, len);
}

int nb_nc_xml_escape(struct nb_nc_buf *out, const char *s, size_t len, bool attr)
{
	size_t old = out->len, run = 0;

	for (size_t i = 0; i < len; i++) {
		const char *rep = NULL;

		switch (s[i]) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '\r':
			rep = "&#13;";
			break;
		case '"':
			rep = attr ? "&quot;" : NULL;
			break;
		case '\t':
			rep = attr ? "&#9;" : NULL;
			break;
		case '\n':
			rep = attr ? "&#10;" : NULL;
			break;
		}
		if (!rep)
			continue;
		if (nb_nc_buf_add(out, s + run, i - run) < 0 || nb_nc_buf_adds(out, rep) < 0)
			goto fail;
		run = i + 1;
	}
	if (nb_nc_buf_add(out, s + run, len - run) < 0)
		goto fail;
	return 0;
fail:
	nb_nc_buf_truncate(out, old);
	return -1;
}
