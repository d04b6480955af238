// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the NETCONF hello, <rpc-reply> and <rpc-error> code:
 * lib/northbound_netconf_msg.c.  Built messages are compared byte for
 * byte.
 */
#include <zebra.h>

#include "northbound_netconf_msg.h"

#include "nc_test.h"

#define BASE "urn:ietf:params:xml:ns:netconf:base:1.0"

/* as ncclient sends it */
static const char client_hello[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	"<nc:hello xmlns:nc=\"" BASE "\"><nc:capabilities>"
	"<nc:capability>urn:ietf:params:netconf:base:1.0</nc:capability>"
	"<nc:capability>urn:ietf:params:netconf:base:1.1</nc:capability>"
	"<nc:capability>urn:ietf:params:netconf:capability:writable-running:"
	"1.0</nc:capability></nc:capabilities></nc:hello>";

static int parse(const char *msg, struct nb_nc_hello *h, const char **err)
{
	*err = NULL;
	return nb_nc_hello_parse(msg, strlen(msg), h, err);
}

static void test_hello_parse(void)
{
	struct nb_nc_hello h;
	const char *err, *c;

	CHECK_INT(parse(client_hello, &h, &err), 0);
	CHECK(err == NULL);
	CHECK_INT(h.ncaps, 3);
	CHECK(h.base10 && h.base11);
	c = nb_nc_hello_cap_next(&h, NULL);
	CHECK(c && !strcmp(c, "urn:ietf:params:netconf:base:1.0"));
	c = nb_nc_hello_cap_next(&h, c);
	CHECK(c && !strcmp(c, "urn:ietf:params:netconf:base:1.1"));
	c = nb_nc_hello_cap_next(&h, c);
	CHECK(c && !strcmp(c, "urn:ietf:params:netconf:capability:"
			      "writable-running:1.0"));
	CHECK(nb_nc_hello_cap_next(&h, c) == NULL);
	CHECK(nb_nc_hello_has(&h, NB_NC_CAP_BASE11));
	CHECK(!nb_nc_hello_has(&h, "urn:ietf:params:netconf:base:1"));
	CHECK_INT(nb_nc_hello_framing(&h, true), NB_NC_FRAMING_CHUNKED);
	CHECK_INT(nb_nc_hello_framing(&h, false), NB_NC_FRAMING_EOM);
	nb_nc_hello_free(&h);

	/* base:1.0 only; whitespace trimmed, entities, CDATA, comments,
	 * another namespace's element skipped */
	CHECK_INT(parse("<hello xmlns=\"" BASE "\">\n <capabilities>\n"
			"  <capability>\n urn:ietf:params:netconf:base:1.0\t"
			"</capability>\n  <capability>urn:x?module=a&amp;"
			"revision=<![CDATA[2024-01-01]]></capability><!-- c -->"
			"</capabilities><x:ext xmlns:x=\"urn:x\"><x:y>1</x:y>"
			"</x:ext></hello>\n",
			&h, &err),
		  0);
	CHECK_INT(h.ncaps, 2);
	CHECK(h.base10 && !h.base11);
	CHECK(nb_nc_hello_has(&h, NB_NC_CAP_BASE10));
	CHECK(nb_nc_hello_has(&h, "urn:x?module=a&revision=2024-01-01"));
	CHECK_INT(nb_nc_hello_framing(&h, true), NB_NC_FRAMING_EOM);
	nb_nc_hello_free(&h);
}

#define HELLO_HEAD "<hello xmlns=\"" BASE "\">"
#define CAPS10                                                                                     \
	"<capabilities><capability>urn:ietf:params:netconf:base:1.0"                               \
	"</capability></capabilities>"

static void test_hello_errors(void)
{
	static const struct {
		const char *in, *err;
	} cases[] = {
		{ "", "no root element" },
		{ HELLO_HEAD CAPS10 "<session-id>4</session-id></hello>",
		  "a client <hello> carries a <session-id>" },
		{ HELLO_HEAD "</hello>", "a <hello> without capabilities" },
		{ HELLO_HEAD "<capabilities/></hello>", "a <hello> without capabilities" },
		{ HELLO_HEAD "<capabilities><capability> </capability>"
			     "</capabilities></hello>",
		  "an empty <capability>" },
		{ HELLO_HEAD "<capabilities><capability>urn:x</capability>"
			     "</capabilities></hello>",
		  "neither base:1.0 nor base:1.1 announced" },
		{ "<hello>" CAPS10 "</hello>", "not a <hello> in the NETCONF base namespace" },
		{ "<rpc xmlns=\"" BASE "\"/>", "not a <hello> in the NETCONF base namespace" },
		{ HELLO_HEAD CAPS10 CAPS10 "</hello>", "more than one <capabilities>" },
		{ HELLO_HEAD CAPS10 "<foo/></hello>", "an unknown element in <hello>" },
		{ HELLO_HEAD "x" CAPS10 "</hello>", "text in <hello>" },
		{ HELLO_HEAD "<capabilities>x</capabilities></hello>", "text in <capabilities>" },
		{ HELLO_HEAD "<capabilities><cap/></capabilities></hello>",
		  "an unknown element in <capabilities>" },
		{ HELLO_HEAD "<capabilities><capability>a<b/></capability>"
			     "</capabilities></hello>",
		  "an element inside <capability>" },
		{ HELLO_HEAD CAPS10 "</hello><hello/>", "a second root element" },
		{ HELLO_HEAD CAPS10, "unclosed element at the end" },
		{ "<!DOCTYPE hello><hello/>", "DOCTYPE is not allowed" },
		{ HELLO_HEAD "<capabilities><capability>&#0;</capability>"
			     "</capabilities></hello>",
		  "malformed entity or character reference" },
	};

	for (size_t i = 0; i < array_size(cases); i++) {
		struct nb_nc_hello h;
		const char *err = NULL;

		CHECK_INT(parse(cases[i].in, &h, &err), -1);
		CHECK(err != NULL);
		if (err && strcmp(err, cases[i].err)) {
			fprintf(stderr, "case %zu: got \"%s\"\n", i, err);
			CHECK(0);
		}
		CHECK_INT(h.ncaps, 0);
		nb_nc_hello_free(&h);
	}

	/* every truncation of a valid hello is refused */
	unsigned int refused = 0;

	for (size_t t = 0; t < strlen(client_hello); t++) {
		struct nb_nc_hello h;
		const char *err = NULL;

		refused += nb_nc_hello_parse(client_hello, t, &h, &err) < 0 && err != NULL;
		nb_nc_hello_free(&h);
	}
	CHECK_INT(refused, strlen(client_hello));
}

static void test_hello_limits(void)
{
	struct nb_nc_buf b;
	struct nb_nc_hello h;
	const char *err;

	/* 1024 capabilities are fine, 1025 are not */
	nb_nc_buf_init(&b, 1 << 20);
	nb_nc_buf_adds(&b, HELLO_HEAD "<capabilities>");
	for (int i = 0; i < 1024; i++)
		nb_nc_buf_adds(&b, "<capability>urn:ietf:params:netconf:base:1.0"
				   "</capability>");
	nb_nc_buf_adds(&b, "</capabilities></hello>");
	CHECK_INT(nb_nc_hello_parse(b.data, b.len, &h, &err), 0);
	CHECK_INT(h.ncaps, 1024);
	nb_nc_hello_free(&h);
	nb_nc_buf_reset(&b);
	nb_nc_buf_adds(&b, HELLO_HEAD "<capabilities>");
	for (int i = 0; i < 1025; i++)
		nb_nc_buf_adds(&b, "<capability>urn:ietf:params:netconf:base:1.0"
				   "</capability>");
	nb_nc_buf_adds(&b, "</capabilities></hello>");
	CHECK_INT(nb_nc_hello_parse(b.data, b.len, &h, &err), -1);
	CHECK(err && !strcmp(err, "too many capabilities"));
	nb_nc_hello_free(&h);

	/* a capability of 4096 bytes is fine, of 4097 not */
	for (int extra = 0; extra <= 1; extra++) {
		nb_nc_buf_reset(&b);
		nb_nc_buf_adds(&b, HELLO_HEAD "<capabilities><capability>" NB_NC_CAP_BASE10
					      "</capability><capability>");
		for (int i = 0; i < NB_NC_CAP_LEN_MAX + extra; i++)
			nb_nc_buf_adds(&b, "x");
		nb_nc_buf_adds(&b, "</capability></capabilities></hello>");
		CHECK_INT(nb_nc_hello_parse(b.data, b.len, &h, &err), extra ? -1 : 0);
		if (extra)
			CHECK(err && !strcmp(err, "a capability above the "
						  "length limit"));
		else
			CHECK_INT(h.ncaps, 2);
		nb_nc_hello_free(&h);
	}
	nb_nc_buf_free(&b);
}

static void test_hello_build(void)
{
	static const char *const caps[] = {
		NB_NC_CAP_BASE10,
		NB_NC_CAP_BASE11,
		"urn:frr:amtd?module=frr-amtd&revision=2024-01-01",
	};
	static const char want[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
				   "<hello xmlns=\"" BASE "\"><capabilities>"
				   "<capability>urn:ietf:params:netconf:base:1.0</capability>"
				   "<capability>urn:ietf:params:netconf:base:1.1</capability>"
				   "<capability>urn:frr:amtd?module=frr-amtd&amp;revision="
				   "2024-01-01</capability></capabilities>"
				   "<session-id>4294967295</session-id></hello>";
	static const char *const empty[] = { NB_NC_CAP_BASE10, "" };
	struct nb_nc_buf b;
	struct nb_nc_hello h;
	const char *err;

	nb_nc_buf_init(&b, 4096);
	CHECK_INT(nb_nc_hello_build(&b, caps, 3, 4294967295U), 0);
	CHECK_BYTES(b.data, b.len, want);
	/* a server's hello carries a session-id, which a client's must not */
	CHECK_INT(nb_nc_hello_parse(b.data, b.len, &h, &err), -1);
	CHECK(err && !strcmp(err, "a client <hello> carries a <session-id>"));
	nb_nc_hello_free(&h);
	/* refusals leave the buffer unchanged */
	CHECK_INT(nb_nc_hello_build(&b, caps, 3, 0), -1);
	CHECK_INT(nb_nc_hello_build(&b, caps, 0, 1), -1);
	CHECK_INT(nb_nc_hello_build(&b, empty, 2, 1), -1);
	CHECK_BYTES(b.data, b.len, want);
	nb_nc_buf_free(&b);
	nb_nc_buf_init(&b, sizeof(want) - 2);
	CHECK_INT(nb_nc_hello_build(&b, caps, 3, 4294967295U), -1);
	CHECK_INT(b.len, 0);
	nb_nc_buf_free(&b);
}

/* builds e into the empty b, compares, empties b again */
static void expect_error(struct nb_nc_buf *b, const struct nb_nc_rpc_error *e, const char *want)
{
	CHECK_INT(nb_nc_rpc_error_build(b, e), 0);
	CHECK_BYTES(b->data, b->len, want);
	nb_nc_buf_reset(b);
}

static void test_rpc_error(void)
{
	static const struct nb_nc_xmlns ns[] = {
		{ "amt", "http://frrouting.org/yang/amtd" },
	};
	struct nb_nc_rpc_error e = {
		.type = NB_NC_ERR_TYPE_APPLICATION,
		.tag = NB_NC_ERR_INVALID_VALUE,
		.severity = NB_NC_ERR_SEV_ERROR,
		.app_tag = "too-many",
		.path = "/amt:amtd/amt:relay[amt:name='a<b']/amt:port",
		.path_ns = ns,
		.path_ns_count = 1,
		.message = "Value \"0\" < 1 & not \r allowed",
		.message_lang = "en",
		.bad_element = "port",
	};
	struct nb_nc_buf b;

	nb_nc_buf_init(&b, 4096);
	expect_error(&b, &e,
		     "<rpc-error><error-type>application</error-type>"
		     "<error-tag>invalid-value</error-tag>"
		     "<error-severity>error</error-severity>"
		     "<error-app-tag>too-many</error-app-tag>"
		     "<error-path xmlns:amt=\"http://frrouting.org/yang/amtd\">"
		     "/amt:amtd/amt:relay[amt:name='a&lt;b']/amt:port"
		     "</error-path><error-message xml:lang=\"en\">Value \"0\" "
		     "&lt; 1 &amp; not &#13; allowed</error-message>"
		     "<error-info><bad-element>port</bad-element>"
		     "</error-info></rpc-error>");

	/* lock held outside NETCONF: session-id 0 (RFC 6241 7.5) */
	struct nb_nc_rpc_error lock = {
		.type = NB_NC_ERR_TYPE_PROTOCOL,
		.tag = NB_NC_ERR_LOCK_DENIED,
		.has_session_id = true,
		.session_id = 0,
		.info_xml = "<x xmlns=\"urn:x\"/>",
	};

	expect_error(&b, &lock,
		     "<rpc-error><error-type>protocol</error-type>"
		     "<error-tag>lock-denied</error-tag>"
		     "<error-severity>error</error-severity><error-info>"
		     "<session-id>0</session-id><x xmlns=\"urn:x\"/>"
		     "</error-info></rpc-error>");

	/* every tag has its RFC 6241 appendix A name */
	static const char *const tags[] = {
		"in-use",
		"invalid-value",
		"too-big",
		"missing-attribute",
		"bad-attribute",
		"unknown-attribute",
		"missing-element",
		"bad-element",
		"unknown-element",
		"unknown-namespace",
		"access-denied",
		"lock-denied",
		"resource-denied",
		"rollback-failed",
		"data-exists",
		"data-missing",
		"operation-not-supported",
		"operation-failed",
		"partial-operation",
		"malformed-message",
	};
	for (size_t i = 0; i < array_size(tags); i++)
		CHECK(nb_nc_err_tag_str(i) && !strcmp(nb_nc_err_tag_str(i), tags[i]));
	CHECK(nb_nc_err_tag_str(array_size(tags)) == NULL);
	CHECK(nb_nc_err_type_str(NB_NC_ERR_TYPE_TRANSPORT) &&
	      !strcmp(nb_nc_err_type_str(NB_NC_ERR_TYPE_TRANSPORT), "transport"));
	CHECK(nb_nc_err_type_str(4) == NULL);
	CHECK(nb_nc_err_severity_str(NB_NC_ERR_SEV_WARNING) &&
	      !strcmp(nb_nc_err_severity_str(NB_NC_ERR_SEV_WARNING), "warning"));

	/* invalid arguments: nothing written */
	struct nb_nc_rpc_error bad = e;

	nb_nc_buf_adds(&b, "keep");
	bad.tag = (enum nb_nc_err_tag)20;
	CHECK_INT(nb_nc_rpc_error_build(&b, &bad), -1);
	bad = e;
	bad.severity = (enum nb_nc_err_severity)2;
	CHECK_INT(nb_nc_rpc_error_build(&b, &bad), -1);
	bad = e;
	bad.type = (enum nb_nc_err_type) - 1;
	CHECK_INT(nb_nc_rpc_error_build(&b, &bad), -1);
	static const struct nb_nc_xmlns badns[] = { { "a b", "urn:x" } };
	static const struct nb_nc_xmlns xmlns[] = { { "xmlns", "urn:x" } };
	bad = e;
	bad.path_ns = badns;
	CHECK_INT(nb_nc_rpc_error_build(&b, &bad), -1);
	bad.path_ns = xmlns;
	CHECK_INT(nb_nc_rpc_error_build(&b, &bad), -1);
	bad.path_ns = NULL;
	CHECK_INT(nb_nc_rpc_error_build(&b, &bad), -1);
	CHECK_BYTES(b.data, b.len, "keep");
	nb_nc_buf_free(&b);

	/* a full buffer: nothing written */
	nb_nc_buf_init(&b, 100);
	CHECK_INT(nb_nc_rpc_error_build(&b, &e), -1);
	CHECK_INT(b.len, 0);
	nb_nc_buf_free(&b);
}

static const char rfc_rpc[] = "<rpc message-id=\"101\"\n     xmlns=\"" BASE "\"\n"
			      "     xmlns:ex=\"http://example.net/content/1.0\"\n"
			      "     ex:user-id=\"fred\">\n  <get/>\n</rpc>";

static void test_rpc_reply(void)
{
	struct nb_nc_rpc_attrs a;
	struct nb_nc_buf b;

	nb_nc_buf_init(&b, 4096);
	/* RFC 6241 section 4.2's example, byte for byte */
	CHECK_INT(nb_nc_rpc_attrs_extract(rfc_rpc, strlen(rfc_rpc), &a), 0);
	CHECK_INT(a.n, 4);
	CHECK(nb_nc_rpc_attrs_get(&a, "message-id") &&
	      !strcmp(nb_nc_rpc_attrs_get(&a, "message-id"), "101"));
	CHECK(nb_nc_rpc_attrs_get(&a, "ex:user-id") &&
	      !strcmp(nb_nc_rpc_attrs_get(&a, "ex:user-id"), "fred"));
	CHECK(nb_nc_rpc_attrs_get(&a, "user-id") == NULL);
	CHECK_INT(nb_nc_rpc_reply_ok(&b, &a), 0);
	CHECK_BYTES(b.data, b.len,
		    "<rpc-reply message-id=\"101\" xmlns=\"" BASE "\" "
		    "xmlns:ex=\"http://example.net/content/1.0\" "
		    "ex:user-id=\"fred\"><ok/></rpc-reply>");
	nb_nc_rpc_attrs_free(&a);
	nb_nc_buf_reset(&b);

	/* a prefixed rpc; values with entities survive the round trip */
	static const char pref[] = "<?xml version=\"1.0\"?><nc:rpc xmlns:nc=\"" BASE "\" "
				   "message-id='a&amp;&quot;b&#9;c\n'><nc:get/></nc:rpc>";
	CHECK_INT(nb_nc_rpc_attrs_extract(pref, strlen(pref), &a), 0);
	CHECK(nb_nc_rpc_attrs_get(&a, "message-id") &&
	      !strcmp(nb_nc_rpc_attrs_get(&a, "message-id"), "a&\"b\tc "));
	CHECK_INT(nb_nc_rpc_reply_open(&b, &a), 0);
	CHECK_BYTES(b.data, b.len,
		    "<rpc-reply xmlns=\"" BASE "\" xmlns:nc=\"" BASE "\" "
		    "message-id=\"a&amp;&quot;b&#9;c \">");
	CHECK_INT(nb_nc_rpc_reply_close(&b), 0);

	/* read back with the tokenizer: the same message-id */
	struct nb_nc_xml x;
	const struct nb_nc_xml_tok *t;
	const struct nb_nc_xml_attr *mid;

	nb_nc_xml_init(&x, b.data, b.len, 0);
	t = nb_nc_xml_next(&x);
	CHECK(t->type == NB_NC_XML_START && nb_nc_xml_str_eq(t->local, "rpc-reply") &&
	      nb_nc_xml_str_eq(t->ns, BASE));
	mid = nb_nc_xml_attr_get(t, "message-id");
	CHECK(mid && nb_nc_xml_str_eq(mid->value, "a&\"b\tc "));
	nb_nc_xml_fini(&x);
	nb_nc_rpc_attrs_free(&a);
	nb_nc_buf_reset(&b);

	/* a prefixed rpc under another default namespace: the reply's
	 * default namespace is the base one, in the same place */
	static const char other[] = "<nc:rpc xmlns:nc=\"" BASE "\" xmlns=\"urn:o\" "
				    "message-id=\"9\"/>";
	CHECK_INT(nb_nc_rpc_attrs_extract(other, strlen(other), &a), 0);
	CHECK_INT(nb_nc_rpc_reply_ok(&b, &a), 0);
	CHECK_BYTES(b.data, b.len,
		    "<rpc-reply xmlns:nc=\"" BASE "\" xmlns=\"" BASE "\" "
		    "message-id=\"9\"><ok/></rpc-reply>");
	nb_nc_rpc_attrs_free(&a);
	nb_nc_buf_reset(&b);

	/* the rest of the message is broken: the attributes still come */
	static const char broken[] = "<rpc message-id=\"5\" xmlns=\"" BASE
				     "\"><get><bad></rpc>\xff\x00";
	CHECK_INT(nb_nc_rpc_attrs_extract(broken, sizeof(broken) - 1, &a), 0);
	CHECK(nb_nc_rpc_attrs_get(&a, "message-id") &&
	      !strcmp(nb_nc_rpc_attrs_get(&a, "message-id"), "5"));

	/* missing message-id (RFC 6241 section 4.1) and malformed */
	struct nb_nc_rpc_error errs[] = {
		{
			.type = NB_NC_ERR_TYPE_RPC,
			.tag = NB_NC_ERR_MISSING_ATTRIBUTE,
			.bad_attribute = "message-id",
			.bad_element = "rpc",
		},
		{
			.type = NB_NC_ERR_TYPE_RPC,
			.tag = NB_NC_ERR_MALFORMED_MESSAGE,
			.severity = NB_NC_ERR_SEV_WARNING,
			.message = "x",
		},
	};
	CHECK_INT(nb_nc_rpc_reply_errors(&b, &a, errs, 2), 0);
	CHECK_BYTES(b.data, b.len,
		    "<rpc-reply message-id=\"5\" xmlns=\"" BASE "\">"
		    "<rpc-error><error-type>rpc</error-type>"
		    "<error-tag>missing-attribute</error-tag>"
		    "<error-severity>error</error-severity><error-info>"
		    "<bad-attribute>message-id</bad-attribute>"
		    "<bad-element>rpc</bad-element></error-info></rpc-error>"
		    "<rpc-error><error-type>rpc</error-type>"
		    "<error-tag>malformed-message</error-tag>"
		    "<error-severity>warning</error-severity>"
		    "<error-message>x</error-message></rpc-error>"
		    "</rpc-reply>");
	nb_nc_buf_reset(&b);
	CHECK_INT(nb_nc_rpc_reply_errors(&b, &a, errs, 0), -1);
	errs[1].tag = (enum nb_nc_err_tag)99;
	CHECK_INT(nb_nc_rpc_reply_errors(&b, &a, errs, 2), -1);
	CHECK_INT(b.len, 0);
	nb_nc_rpc_attrs_free(&a);

	/* no <rpc> could be read: a reply without attributes */
	static const char *const not_rpc[] = {
		"",
		"garbage",
		"<hello xmlns=\"" BASE "\"/>",
		"<rpc message-id=\"1\"/>",
		"<rpc xmlns=\"urn:other\" message-id=\"1\"/>",
		"<rpc message-id=\"1\" xmlns=\"" BASE "\"",
		"<rpc message-id=\"1\" message-id=\"2\" xmlns=\"" BASE "\">",
		"\xff<rpc message-id=\"1\" xmlns=\"" BASE "\"/>",
	};
	for (size_t i = 0; i < array_size(not_rpc); i++) {
		CHECK_INT(nb_nc_rpc_attrs_extract(not_rpc[i], strlen(not_rpc[i]), &a), -1);
		CHECK_INT(a.n, 0);
		CHECK(nb_nc_rpc_attrs_get(&a, "message-id") == NULL);
		nb_nc_rpc_attrs_free(&a);
	}
	CHECK_INT(nb_nc_rpc_reply_ok(&b, NULL), 0);
	CHECK_BYTES(b.data, b.len, "<rpc-reply xmlns=\"" BASE "\"><ok/></rpc-reply>");
	nb_nc_buf_free(&b);

	/* every truncation: attributes exactly once the start tag is whole */
	size_t tag_end = strchr(rfc_rpc, '>') - rfc_rpc + 1;
	unsigned int right = 0;

	for (size_t t = 0; t <= strlen(rfc_rpc); t++) {
		int r = nb_nc_rpc_attrs_extract(rfc_rpc, t, &a);

		right += (r == 0) == (t >= tag_end) &&
			 (r < 0 ||
			  (a.n == 4 && !strcmp(nb_nc_rpc_attrs_get(&a, "message-id"), "101")));
		nb_nc_rpc_attrs_free(&a);
	}
	CHECK_INT(right, strlen(rfc_rpc) + 1);
}

#define WD_YANG "urn:ietf:params:xml:ns:yang:ietf-netconf-with-defaults"
#define WD_ATTR "urn:ietf:params:xml:ns:netconf:default:1.0"

/* RFC 6243: modes, the capability, the report-all-tagged namespace */
static void test_with_defaults(void)
{
	static const char *const names[] = { "explicit", "trim", "report-all",
					     "report-all-tagged" };
	static const char *const bad[] = { "", "REPORT-ALL", "report-all ", "all", "trim\n" };
	const char *cap = NB_NC_CAP_WITH_DEFAULTS, *also;
	enum nb_nc_wd mode;
	char modes[128], *tok, *save = NULL;
	unsigned int n = 0;

	for (size_t i = 0; i < array_size(names); i++) {
		mode = NB_NC_WD_EXPLICIT;
		CHECK_INT(nb_nc_wd_parse(names[i], &mode), 0);
		CHECK_INT(mode, (int)i);
		CHECK(!strcmp(nb_nc_wd_str(mode), names[i]));
	}
	for (size_t i = 0; i < array_size(bad); i++) {
		mode = NB_NC_WD_TRIM;
		CHECK_INT(nb_nc_wd_parse(bad[i], &mode), -1);
		CHECK_INT(mode, NB_NC_WD_TRIM);
	}
	CHECK_INT(nb_nc_wd_parse(NULL, &mode), -1);
	CHECK(nb_nc_wd_str((enum nb_nc_wd)4) == NULL);
	CHECK(nb_nc_wd_str((enum nb_nc_wd)-1) == NULL);

	/* section 4.3: basic-mode, then the other modes, each one we parse */
	CHECK(!strncmp(cap, "urn:ietf:params:netconf:capability:with-defaults:1.0?basic-mode=explicit&also-supported=",
		       strlen("urn:ietf:params:netconf:capability:with-defaults:1.0?basic-mode=explicit&also-supported=")));
	also = strstr(cap, "also-supported=") + strlen("also-supported=");
	CHECK(strlen(also) < sizeof(modes));
	strlcpy(modes, also, sizeof(modes));
	for (tok = strtok_r(modes, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		CHECK_INT(nb_nc_wd_parse(tok, &mode), 0);
		CHECK(mode != NB_NC_WD_EXPLICIT);
		n++;
	}
	CHECK_INT(n, 3);
}

static int rebind(struct nb_nc_buf *b, const char *xml)
{
	return nb_nc_xml_rebind_ns(b, xml, strlen(xml), WD_YANG, WD_ATTR);
}

static void test_rebind_ns(void)
{
	struct nb_nc_buf b, small;
	/* as libyang prints report-all-tagged data, with a sibling tree */
	static const char tagged[] =
		"<amtd xmlns=\"http://frrouting.org/yang/amtd\"><relay><name>a</name>"
		"<query-interval xmlns:ncwd=\"" WD_YANG "\" ncwd:default=\"true\">125"
		"</query-interval><port>2270</port></relay></amtd>\n"
		"<lib xmlns=\"urn:x\"><e/><f></f></lib>";
	static const char want[] =
		"<amtd xmlns=\"http://frrouting.org/yang/amtd\"><relay><name>a</name>"
		"<query-interval xmlns:ncwd=\"" WD_ATTR "\" ncwd:default=\"true\">125"
		"</query-interval><port>2270</port></relay></amtd>\n"
		"<lib xmlns=\"urn:x\"><e/><f></f></lib>";
	/* the URI as text or as an attribute's value is data: left alone */
	static const char data[] = "<d xmlns=\"urn:d\" v=\"" WD_YANG "\">xmlns:ncwd=\"" WD_YANG
				   "\" &amp; &lt;x&gt;</d>";
	static const char data_want[] = "<d xmlns=\"urn:d\" v=\"" WD_YANG "\">xmlns:ncwd=\"" WD_YANG
					"\" &amp; &lt;x&gt;</d>";

	nb_nc_buf_init(&b, 65536);
	CHECK_INT(rebind(&b, tagged), 0);
	CHECK_BYTES(b.data, b.len, want);

	nb_nc_buf_reset(&b);
	CHECK_INT(rebind(&b, data), 0);
	CHECK_BYTES(b.data, b.len, data_want);

	/* a default namespace declaration is rebound too; nested scopes */
	nb_nc_buf_reset(&b);
	CHECK_INT(rebind(&b, "<a xmlns=\"" WD_YANG "\"><b xmlns=\"urn:b\"/></a>"), 0);
	CHECK_BYTES(b.data, b.len, "<a xmlns=\"" WD_ATTR "\"><b xmlns=\"urn:b\"/></a>");

	/* nothing printed: nothing out */
	nb_nc_buf_reset(&b);
	CHECK_INT(rebind(&b, ""), 0);
	CHECK_INT(b.len, 0);

	/* malformed: -1, what out held kept */
	nb_nc_buf_reset(&b);
	nb_nc_buf_adds(&b, "keep");
	CHECK_INT(rebind(&b, "<a xmlns=\"urn:a\">"), -1);
	CHECK_INT(rebind(&b, "<a xmlns=\"urn:a\"></b>"), -1);
	CHECK_INT(rebind(&b, "<x:a/>"), -1);
	CHECK_INT(rebind(&b, "</r><r>"), -1);
	CHECK_BYTES(b.data, b.len, "keep");

	/* out's limit */
	nb_nc_buf_init(&small, 20);
	nb_nc_buf_adds(&small, "keep");
	CHECK_INT(rebind(&small, tagged), -1);
	CHECK_BYTES(small.data, small.len, "keep");
	nb_nc_buf_free(&small);
	nb_nc_buf_free(&b);
}

#define MON "urn:ietf:params:xml:ns:yang:ietf-netconf-monitoring"

/* RFC 6022: /netconf-state as XML, and which of it a subtree filter asks */
static void test_monitoring(void)
{
	static const char *const caps[] = { "urn:ietf:params:netconf:base:1.1", "urn:x?a=1&b=2" };
	static const struct nb_nc_mon_datastore ds[] = {
		{ "running", 5, 61 },
		{ "candidate", 0, 0 },
	};
	static const struct nb_nc_mon_schema schemas[] = {
		{ "frr-amtd", "2024-01-01", "http://frrouting.org/yang/amtd" },
		{ "no-rev", "", "urn:n" },
	};
	static const struct nb_nc_mon_session sessions[] = {
		{ 3, "net<&>conf", "127.0.0.1", 3600, 4, 1, 2 },
		{ 9, "", NULL, 86400, 0, 0, 0 },
	};
	struct nb_nc_mon m = {
		.parts = NB_NC_MON_ALL,
		.caps = caps,
		.ncaps = array_size(caps),
		.ds = ds,
		.nds = array_size(ds),
		.schemas = schemas,
		.nschemas = array_size(schemas),
		.sessions = sessions,
		.nsessions = array_size(sessions),
		.stats = { 0, 1, 2, 3, 4, 5, 6 },
	};
	static const char stats_head[] = "<netconf-state xmlns=\"" MON "\" xmlns:ncm=\"" MON
					 "\"><statistics><netconf-start-time>1971-01-01T00:00:00Z<";
	struct nb_nc_mon_schema bad_schema = { "", "", "urn:n" };
	struct nb_nc_buf b, small;
	char when[32];
	unsigned int parts;

	CHECK_INT(nb_nc_datetime(when, sizeof(when), 0), 0);
	CHECK(!strcmp(when, "1970-01-01T00:00:00Z"));
	CHECK_INT(nb_nc_datetime(when, sizeof(when), 1764673547), 0);
	CHECK(!strcmp(when, "2025-12-02T11:05:47Z"));
	CHECK_INT(nb_nc_datetime(when, 20, 0), -1);
	CHECK_INT(nb_nc_datetime(when, sizeof(when), (time_t)400000000000LL), -1);

	nb_nc_buf_init(&b, 65536);
	CHECK_INT(nb_nc_mon_build(&b, &m), 0);
	CHECK_BYTES(b.data, b.len,
		    "<netconf-state xmlns=\"" MON "\" xmlns:ncm=\"" MON "\"><capabilities>"
		    "<capability>urn:ietf:params:netconf:base:1.1</capability>"
		    "<capability>urn:x?a=1&amp;b=2</capability></capabilities>"
		    "<datastores><datastore><name>running</name><locks><global-lock>"
		    "<locked-by-session>5</locked-by-session>"
		    "<locked-time>1970-01-01T00:01:01Z</locked-time></global-lock></locks>"
		    "</datastore><datastore><name>candidate</name></datastore></datastores>"
		    "<schemas><schema><identifier>frr-amtd</identifier><version>2024-01-01</version>"
		    "<format>ncm:yang</format><namespace>http://frrouting.org/yang/amtd</namespace>"
		    "<location>NETCONF</location></schema><schema><identifier>no-rev</identifier>"
		    "<version></version><format>ncm:yang</format><namespace>urn:n</namespace>"
		    "<location>NETCONF</location></schema></schemas>"
		    "<sessions><session><session-id>3</session-id>"
		    "<transport>ncm:netconf-ssh</transport><username>net&lt;&amp;&gt;conf</username>"
		    "<source-host>127.0.0.1</source-host><login-time>1970-01-01T01:00:00Z</login-time>"
		    "<in-rpcs>4</in-rpcs><in-bad-rpcs>1</in-bad-rpcs><out-rpc-errors>2</out-rpc-errors>"
		    "<out-notifications>0</out-notifications></session>"
		    "<session><session-id>9</session-id><transport>ncm:netconf-ssh</transport>"
		    "<username></username><login-time>1970-01-02T00:00:00Z</login-time>"
		    "<in-rpcs>0</in-rpcs><in-bad-rpcs>0</in-bad-rpcs><out-rpc-errors>0</out-rpc-errors>"
		    "<out-notifications>0</out-notifications></session></sessions>"
		    "<statistics><netconf-start-time>1970-01-01T00:00:00Z</netconf-start-time>"
		    "<in-bad-hellos>1</in-bad-hellos><in-sessions>2</in-sessions>"
		    "<dropped-sessions>3</dropped-sessions><in-rpcs>4</in-rpcs>"
		    "<in-bad-rpcs>5</in-bad-rpcs><out-rpc-errors>6</out-rpc-errors>"
		    "<out-notifications>0</out-notifications></statistics></netconf-state>");

	/* one part; none */
	nb_nc_buf_reset(&b);
	m.parts = NB_NC_MON_STATISTICS;
	m.stats.start = 86400 * 365;
	CHECK_INT(nb_nc_mon_build(&b, &m), 0);
	CHECK(b.len > strlen(stats_head) && !strncmp(b.data, stats_head, strlen(stats_head)));
	CHECK(b.len > 200 && !memmem(b.data, b.len, "<sessions>", 10));
	nb_nc_buf_reset(&b);
	m.parts = 0;
	CHECK_INT(nb_nc_mon_build(&b, &m), 0);
	CHECK_INT(b.len, 0);

	/* refused: a schema without identifier, a session 0; the limit */
	nb_nc_buf_adds(&b, "keep");
	m.parts = NB_NC_MON_ALL;
	m.schemas = &bad_schema;
	m.nschemas = 1;
	CHECK_INT(nb_nc_mon_build(&b, &m), -1);
	m.schemas = schemas;
	m.nschemas = array_size(schemas);
	m.sessions = &(const struct nb_nc_mon_session){ 0, "u", NULL, 0, 0, 0, 0 };
	m.nsessions = 1;
	CHECK_INT(nb_nc_mon_build(&b, &m), -1);
	CHECK_BYTES(b.data, b.len, "keep");
	m.nsessions = 0;
	nb_nc_buf_init(&small, 300);
	CHECK_INT(nb_nc_mon_build(&small, &m), -1);
	CHECK_INT(small.len, 0);
	nb_nc_buf_free(&small);
	nb_nc_buf_free(&b);

	/* the filter: all of it, some containers, unqualified, none */
#define GETF(f)                                                                                    \
	"<nc:rpc xmlns:nc=\"" BASE "\" message-id=\"1\"><nc:get><nc:filter type=\"subtree\">" f  \
	"</nc:filter></nc:get></nc:rpc>"
#define MONF(f) nb_nc_mon_filter(f, strlen(f), &parts)
	CHECK_INT(MONF(GETF("<netconf-state xmlns=\"" MON "\"/>")), 1);
	CHECK_INT(parts, NB_NC_MON_ALL);
	CHECK_INT(MONF(GETF("<amtd xmlns=\"urn:a\"/><m:netconf-state xmlns:m=\"" MON "\">\n"
			    "<m:schemas/><m:sessions><m:session><m:session-id>3</m:session-id>"
			    "</m:session></m:sessions></m:netconf-state>")),
		  1);
	CHECK_INT(parts, NB_NC_MON_SCHEMAS | NB_NC_MON_SESSIONS);
	CHECK_INT(MONF(GETF("<netconf-state><statistics/></netconf-state>")), 1);
	CHECK_INT(parts, NB_NC_MON_STATISTICS);
	CHECK_INT(MONF("<rpc xmlns=\"" BASE "\" message-id=\"1\"><get><filter>"
		       "<netconf-state/></filter></get></rpc>"),
		  1);
	CHECK_INT(parts, NB_NC_MON_ALL);
	/* an unknown container selects nothing of it */
	CHECK_INT(MONF(GETF("<netconf-state xmlns=\"" MON "\"><bogus/></netconf-state>")), 1);
	CHECK_INT(parts, 0);
	CHECK_INT(MONF(GETF("<netconf-state xmlns=\"urn:other\"/>")), 0);
	CHECK_INT(MONF(GETF("<amtd xmlns=\"urn:a\"><netconf-state/></amtd>")), 0);
	CHECK_INT(MONF("<rpc xmlns=\"" BASE "\" message-id=\"1\"><get-config><source><running/>"
		       "</source><filter><netconf-state/></filter></get-config></rpc>"),
		  0);
	CHECK_INT(MONF("<rpc xmlns=\"" BASE "\" message-id=\"1\"><get/></rpc>"), 0);
	CHECK_INT(MONF("<hello xmlns=\"" BASE "\"><filter><netconf-state/></filter></hello>"), 0);
	CHECK_INT(MONF(GETF("<netconf-state xmlns=\"" MON "\">")), -1);
	CHECK_INT(parts, 0);
#undef GETF
#undef MONF
}

int main(void)
{
	test_hello_parse();
	test_hello_errors();
	test_hello_limits();
	test_hello_build();
	test_rpc_error();
	test_rpc_reply();
	test_with_defaults();
	test_rebind_ns();
	test_monitoring();
	return amt_test_summary("nc_msg");
}
