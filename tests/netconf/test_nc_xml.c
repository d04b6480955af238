// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the NETCONF core's XML tokenizer:
 * lib/northbound_netconf_xml.c.  Each document is turned into a canonical
 * trace of its tokens that is compared byte for byte.
 */
#include <zebra.h>

#include "northbound_netconf_xml.h"

#include "nc_test.h"

static void put(struct nb_nc_buf *b, struct nb_nc_xml_str s)
{
	nb_nc_buf_add(b, s.s, s.len);
}

/*
 * Trace: START "<qname{ns} attr{ns}=\"value\"/>", END "</qname>",
 * TEXT "T(text)", CDATA "C(text)", EOF "$", ERROR "!message@offset".
 */
static void trace_doc(const char *doc, size_t len, unsigned int depth, struct nb_nc_buf *out)
{
	struct nb_nc_xml x;

	nb_nc_buf_init(out, 1 << 20);
	nb_nc_xml_init(&x, doc, len, depth);
	for (int n = 0; n < 10000; n++) {
		const struct nb_nc_xml_tok *t = nb_nc_xml_next(&x);

		switch (t->type) {
		case NB_NC_XML_START:
			nb_nc_buf_adds(out, "<");
			put(out, t->qname);
			nb_nc_buf_adds(out, "{");
			put(out, t->ns);
			nb_nc_buf_adds(out, "}");
			for (unsigned int i = 0; i < t->nattrs; i++) {
				nb_nc_buf_adds(out, " ");
				put(out, t->attrs[i].qname);
				nb_nc_buf_adds(out, "{");
				put(out, t->attrs[i].ns);
				nb_nc_buf_adds(out, "}=\"");
				put(out, t->attrs[i].value);
				nb_nc_buf_adds(out, "\"");
			}
			nb_nc_buf_adds(out, t->empty ? "/>" : ">");
			break;
		case NB_NC_XML_END:
			nb_nc_buf_adds(out, "</");
			put(out, t->qname);
			nb_nc_buf_adds(out, ">");
			break;
		case NB_NC_XML_TEXT:
			nb_nc_buf_adds(out, t->cdata ? "C(" : "T(");
			put(out, t->text);
			nb_nc_buf_adds(out, ")");
			break;
		case NB_NC_XML_EOF:
			nb_nc_buf_adds(out, "$");
			nb_nc_xml_fini(&x);
			return;
		case NB_NC_XML_ERROR:
			nb_nc_buf_adds(out, "!");
			nb_nc_buf_adds(out, x.err);
			nb_nc_buf_adds(out, "@");
			nb_nc_buf_addu(out, x.err_pos);
			/* sticky */
			if (nb_nc_xml_next(&x)->type != NB_NC_XML_ERROR)
				nb_nc_buf_adds(out, " NOT STICKY");
			nb_nc_xml_fini(&x);
			return;
		}
	}
	nb_nc_buf_adds(out, " RUNAWAY");
	nb_nc_xml_fini(&x);
}

#define EXPECT(doc, want)                                                                          \
	do {                                                                                       \
		struct nb_nc_buf _b;                                                               \
		trace_doc((doc), sizeof(doc) - 1, 0, &_b);                                         \
		CHECK_BYTES(_b.data, _b.len, (want));                                              \
		nb_nc_buf_free(&_b);                                                               \
	} while (0)

#define BASE "urn:ietf:params:xml:ns:netconf:base:1.0"

static void test_wellformed(void)
{
	EXPECT("<a/>", "<a{}/></a>$");
	EXPECT("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- c -->"
	       "<a x='1' y = \"2\" ></a >\n<?pi x?><!---->  ",
	       "<a{} x{}=\"1\" y{}=\"2\"></a>$");
	EXPECT("<rpc message-id=\"101\" xmlns=\"" BASE "\" xmlns:ex=\"http://"
	       "example.net/content/1.0\" ex:user-id=\"fred\"><get/></rpc>",
	       "<rpc{" BASE "} message-id{}=\"101\" xmlns{" NB_NC_XML_NS_XMLNS "}=\"" BASE
	       "\" xmlns:ex{" NB_NC_XML_NS_XMLNS
	       "}=\"http://example.net/content/1.0\" ex:user-id{http://"
	       "example.net/content/1.0}=\"fred\"><get{" BASE "}/></get></rpc>$");
	/* prefixed elements, scoping of declarations, default undeclared */
	EXPECT("<nc:rpc xmlns:nc=\"urn:b\" xmlns=\"urn:d\"><x><nc:y xmlns:nc="
	       "\"urn:c\"/><nc:z/><w xmlns=\"\"/></x></nc:rpc>",
	       "<nc:rpc{urn:b} xmlns:nc{" NB_NC_XML_NS_XMLNS "}=\"urn:b\" xmlns{" NB_NC_XML_NS_XMLNS
	       "}=\"urn:d\"><x{urn:d}><nc:y{urn:c} xmlns:nc{" NB_NC_XML_NS_XMLNS
	       "}=\"urn:c\"/></nc:y><nc:z{urn:b}/></nc:z><w{} xmlns{" NB_NC_XML_NS_XMLNS
	       "}=\"\"/></w></x></nc:rpc>$");
	/* xml: prefix is predefined */
	EXPECT("<a xml:lang=\"en\"/>", "<a{} xml:lang{" NB_NC_XML_NS_XML "}=\"en\"/></a>$");
	/* entities, character references, CDATA, line ends */
	EXPECT("<a t=\"&lt;&amp;&quot;&apos;&gt;&#65;&#x42;\t\r\n&#10;\">"
	       "x &lt;&#x20AC;&#128512;\r\ny\rz<![CDATA[<&]]]]><![CDATA[>]]></a>",
	       "<a{} t{}=\"<&\"'>AB  \n\">T(x <\xe2\x82\xac\xf0\x9f\x98\x80\n"
	       "y\nz)C(<&]])C(>)</a>$");
	EXPECT("<a>\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80</a>",
	       "<a{}>T(\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80)</a>$");
	EXPECT("<a>x>y</a>", "<a{}>T(x>y)</a>$");
	EXPECT("<a><![CDATA[]]></a>", "<a{}>C()</a>$");
}

static void test_malformed(void)
{
	EXPECT("", "!no root element@0");
	EXPECT("  \n", "!no root element@3");
	EXPECT("<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>", "!DOCTYPE is not allowed@0");
	EXPECT("<a><!ENTITY x \"y\"></a>", "<a{}>!markup declaration is not allowed@3");
	EXPECT("<a>&x;</a>", "<a{}>!malformed entity or character reference@3");
	EXPECT("<a>&amp</a>", "<a{}>!malformed entity or character reference@3");
	EXPECT("<a>&#0;</a>", "<a{}>!malformed entity or character reference@3");
	EXPECT("<a>&#xD800;</a>", "<a{}>!malformed entity or character reference@3");
	EXPECT("<a>&#xFFFE;</a>", "<a{}>!malformed entity or character reference@3");
	EXPECT("<a>&#xFFFF;</a>", "<a{}>!malformed entity or character reference@3");
	EXPECT("<a>&#x1F;</a>", "<a{}>!malformed entity or character reference@3");
	EXPECT("<a>&#xFFFD;&#x10FFFF;&#xE000;&#xD7FF;&#9;</a>",
	       "<a{}>T(\xef\xbf\xbd\xf4\x8f\xbf\xbf\xee\x80\x80\xed\x9f\xbf\t)</a>$");
	EXPECT("<a>&#x110000;</a>", "<a{}>!malformed entity or character reference@3");
	EXPECT("<a>&#99999999999999999999;</a>", "<a{}>!malformed entity or character reference@3");
	EXPECT("<a>&#;</a>", "<a{}>!malformed entity or character reference@3");
	EXPECT("<a>&#x;</a>", "<a{}>!malformed entity or character reference@3");
	EXPECT("<a>&#12a;</a>", "<a{}>!malformed entity or character reference@3");
	EXPECT("<a>x]]>y</a>", "<a{}>!']]>' in text@4");
	EXPECT("<a></b>", "<a{}>!end tag does not match the start tag@3");
	EXPECT("<a><b></a></b>", "<a{}><b{}>!end tag does not match the start tag@6");
	EXPECT("<a>", "<a{}>!unclosed element at the end@3");
	EXPECT("<a>text", "<a{}>T(text)!unclosed element at the end@7");
	EXPECT("</a>", "!end tag without a start tag@0");
	EXPECT("<a/><b/>", "<a{}/></a>!a second root element@4");
	EXPECT("x<a/>", "!text outside the root element@0");
	EXPECT("<a/>x", "<a{}/></a>!text outside the root element@4");
	EXPECT("<![CDATA[x]]><a/>", "!CDATA outside the root element@0");
	EXPECT("<a><![CDATA[x</a>", "<a{}>!unterminated CDATA section@3");
	EXPECT("<a><!-- x -- y --></a>", "<a{}>!'--' inside a comment@10");
	EXPECT("<a><!-- x </a>", "<a{}>!unterminated comment@3");
	EXPECT("<!---><a/>", "!unterminated comment@0");
	EXPECT("<?xml version='1.0'><a/>", "!unterminated processing instruction@0");
	EXPECT("<? x?><a/>", "!malformed processing instruction@0");
	EXPECT("<1a/>", "!malformed element name@1");
	EXPECT("<a:/>", "!malformed element name@1");
	EXPECT("<:a/>", "!malformed element name@1");
	EXPECT("<a:b:c/>", "!malformed start tag@4");
	EXPECT("<a x=1/>", "!attribute value not quoted@5");
	EXPECT("<a x/>", "!attribute without '='@4");
	EXPECT("<a x='1'y='2'/>", "!malformed start tag@8");
	EXPECT("<a x='1' x='2'/>", "!duplicate attribute@10");
	EXPECT("<a x='<'/>", "!'<' in an attribute value@6");
	EXPECT("<a x='1/>", "!unterminated attribute value@6");
	EXPECT("<a", "!unterminated start tag@0");
	EXPECT("<a x='1'", "!unterminated start tag@0");
	EXPECT("<p:a/>", "!unbound element prefix@0");
	EXPECT("<a p:x='1'/>", "!unbound attribute prefix@0");
	EXPECT("<a xmlns:p=''/>", "!a prefix cannot be bound to the empty namespace@12");
	EXPECT("<a xmlns:xmlns='urn:x'/>", "!the xmlns prefix or namespace cannot be declared@16");
	EXPECT("<a xmlns:xml='urn:x'/>", "!the xml prefix and namespace belong together@14");
	EXPECT("<xmlns:a/>", "!the xmlns prefix on an element@0");
	EXPECT("<a>x</a\n>", "<a{}>T(x)</a>$");
	EXPECT("<a>x</ a>", "<a{}>T(x)!malformed end tag@6");
	/* bytes XML or UTF-8 do not allow */
	EXPECT("<a>\x01</a>", "!invalid UTF-8 or a character XML does not allow@3");
	EXPECT("<a>\xc0\xaf</a>", "!invalid UTF-8 or a character XML does not allow@3");
	EXPECT("<a>\xed\xa0\x80</a>", "!invalid UTF-8 or a character XML does not allow@3");
	EXPECT("<a>\xef\xbf\xbe</a>", "!invalid UTF-8 or a character XML does not allow@3");
	EXPECT("<a>\xf4\x90\x80\x80</a>", "!invalid UTF-8 or a character XML does not allow@3");
	EXPECT("<a>\xe2\x82</a>", "!invalid UTF-8 or a character XML does not allow@3");
	EXPECT("<a>\xe2\x82", "!invalid UTF-8 or a character XML does not allow@3");

	/* a NUL inside the given length is refused, not a terminator */
	struct nb_nc_buf b;

	trace_doc("<a>\0</a>", 8, 0, &b);
	CHECK_BYTES(b.data, b.len, "!invalid UTF-8 or a character XML does not allow@3");
	nb_nc_buf_free(&b);
}

/* Appends 32 declarations xmlns:<p>N='u:N', then tail. */
static size_t add_decls(char *doc, size_t n, size_t size, const char *p, const char *tail)
{
	for (int i = 0; i < 32; i++)
		n += snprintf(doc + n, size - n, " xmlns:%s%d='u:%d'", p, i, i);
	return n + snprintf(doc + n, size - n, "%s", tail);
}

static void test_limits(void)
{
	char doc[2048], want[4096];
	struct nb_nc_buf b;
	size_t n = 0, w = 0;

	/* depth 64 is fine, 65 is not; a lower limit is honoured */
	for (int i = 0; i < 65; i++)
		n += snprintf(doc + n, sizeof(doc) - n, "<a>");
	for (int i = 0; i < 65; i++)
		n += snprintf(doc + n, sizeof(doc) - n, "</a>");
	trace_doc(doc + 3, n - 7, 0, &b);
	for (int i = 0; i < 64; i++)
		w += snprintf(want + w, sizeof(want) - w, "<a{}>");
	for (int i = 0; i < 64; i++)
		w += snprintf(want + w, sizeof(want) - w, "</a>");
	snprintf(want + w, sizeof(want) - w, "$");
	CHECK_BYTES(b.data, b.len, want);
	nb_nc_buf_free(&b);
	trace_doc(doc, n, 0, &b);
	CHECK(b.len > 29 && strcmp(b.data + b.len - 29, "!elements nested too deep@192") == 0);
	nb_nc_buf_free(&b);
	trace_doc("<a><b><c/></b></a>", 18, 2, &b);
	CHECK_BYTES(b.data, b.len, "<a{}><b{}>!elements nested too deep@6");
	nb_nc_buf_free(&b);

	/* 32 attributes are fine, 33 are not */
	n = snprintf(doc, sizeof(doc), "<a");
	for (int i = 0; i < 32; i++)
		n += snprintf(doc + n, sizeof(doc) - n, " a%d='%d'", i, i);
	snprintf(doc + n, sizeof(doc) - n, "/>");
	trace_doc(doc, strlen(doc), 0, &b);
	CHECK(b.len > 0 && strstr(b.data, "a31{}=\"31\"/></a>$") != NULL);
	nb_nc_buf_free(&b);
	snprintf(doc + n, sizeof(doc) - n, " b='x'/>");
	trace_doc(doc, strlen(doc), 0, &b);
	CHECK(b.len > 0 && strstr(b.data, "!too many attributes@") != NULL);
	nb_nc_buf_free(&b);

	/* 64 namespace declarations in scope, then one more */
	n = snprintf(doc, sizeof(doc), "<a");
	n = add_decls(doc, n, sizeof(doc), "p", "><b");
	n = add_decls(doc, n, sizeof(doc), "q", "><q31:c/></b><b");
	add_decls(doc, n, sizeof(doc), "q", "/></a>");
	trace_doc(doc, strlen(doc), 0, &b);
	CHECK(b.len > 0 && strstr(b.data, "<q31:c{u:31}/></q31:c></b><b{}") &&
	      strstr(b.data, "</b></a>$"));
	nb_nc_buf_free(&b);
	n = snprintf(doc, sizeof(doc), "<a");
	n = add_decls(doc, n, sizeof(doc), "p", "><b");
	add_decls(doc, n, sizeof(doc), "q", "><c xmlns:z='u:z'/></b></a>");
	trace_doc(doc, strlen(doc), 0, &b);
	CHECK(b.len > 0 && strstr(b.data, "!too many namespace declarations@") != NULL);
	nb_nc_buf_free(&b);
}

/* Every truncation of a valid document is an error, never a crash. */
static void test_truncations(void)
{
	static const char doc[] = "<?xml version=\"1.0\"?><rpc message-id=\"7\" xmlns=\"" BASE
				  "\"><edit-config><target><candidate/></target><config><x "
				  "xmlns=\"urn:x\">a&amp;b<![CDATA[c]]>&#x41;</x></config>"
				  "</edit-config></rpc>";
	unsigned int errors = 0;

	for (size_t t = 0; t < sizeof(doc) - 1; t++) {
		struct nb_nc_buf b;

		trace_doc(doc, t, 0, &b);
		errors += b.len > 0 && b.data[0] != '\0' && strchr(b.data, '!') != NULL &&
			  b.data[b.len - 1] != '$';
		nb_nc_buf_free(&b);
	}
	CHECK_INT(errors, sizeof(doc) - 1);
}

static void test_skip(void)
{
	static const char doc[] = "<a><b><c x='1'>t</c><d/></b><e/></a>";
	struct nb_nc_xml x;
	const struct nb_nc_xml_tok *t;

	nb_nc_xml_init(&x, doc, sizeof(doc) - 1, 0);
	CHECK_INT(nb_nc_xml_next(&x)->type, NB_NC_XML_START);
	t = nb_nc_xml_next(&x);
	CHECK(t->type == NB_NC_XML_START && nb_nc_xml_str_eq(t->local, "b"));
	CHECK_INT(nb_nc_xml_skip(&x), 0);
	t = nb_nc_xml_next(&x);
	CHECK(t->type == NB_NC_XML_START && nb_nc_xml_str_eq(t->local, "e"));
	CHECK_INT(t->depth, 2);
	CHECK_INT(nb_nc_xml_skip(&x), 0); /* <e/>: its END */
	t = nb_nc_xml_next(&x);
	CHECK(t->type == NB_NC_XML_END && nb_nc_xml_str_eq(t->local, "a"));
	CHECK_INT(nb_nc_xml_next(&x)->type, NB_NC_XML_EOF);
	CHECK_INT(nb_nc_xml_next(&x)->type, NB_NC_XML_EOF);
	nb_nc_xml_fini(&x);

	nb_nc_xml_init(&x, "<a><b>", 6, 0);
	nb_nc_xml_next(&x);
	CHECK_INT(nb_nc_xml_skip(&x), -1);
	nb_nc_xml_fini(&x);

	nb_nc_xml_init(&x, "<a b='1' c:d='2' xmlns:c='u'/>", 30, 0);
	t = nb_nc_xml_next(&x);
	CHECK(nb_nc_xml_attr_get(t, "b") == &t->attrs[0]);
	CHECK(nb_nc_xml_attr_get(t, "c:d") == &t->attrs[1]);
	CHECK(nb_nc_xml_attr_get(t, "d") == NULL);
	nb_nc_xml_fini(&x);
}

int main(void)
{
	test_wellformed();
	test_malformed();
	test_limits();
	test_truncations();
	test_skip();
	return amt_test_summary("nc_xml");
}
