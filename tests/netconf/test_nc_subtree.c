// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the subtree filter translation (RFC 6241 section 6) in
 * lib/northbound_netconf_msg.c: nb_nc_subtree_xpaths().  The expressions
 * are compared byte for byte, joined with " | " here.
 */
#include <zebra.h>

#include "northbound_netconf_msg.h"

#include "nc_test.h"

#define BASE "urn:ietf:params:xml:ns:netconf:base:1.0"
#define AMT  "http://frrouting.org/yang/amtd"
#define AUG  "urn:example:aug"

#define RPC_OPEN(op)                                                                               \
	"<rpc message-id=\"1\" xmlns=\"" BASE "\"><" op "><source><running/></source>"            \
	"<filter type=\"subtree\">"
#define RPC_CLOSE(op) "</filter></" op "></rpc>"
#define GC(body)      RPC_OPEN("get-config") body RPC_CLOSE("get-config")

static unsigned int calls;

static const char *ns_module(const char *ns, size_t len, void *arg)
{
	calls++;
	if (len == strlen(AMT) && !memcmp(ns, AMT, len))
		return "frr-amtd";
	if (len == strlen(AUG) && !memcmp(ns, AUG, len))
		return "aug";
	return NULL;
}

static char joined[8192];
static struct nb_nc_subtree_err err;

/* The return value; joined holds the expressions separated by " | ". */
static int tr(const char *msg)
{
	struct nb_nc_buf out;
	unsigned int n = 99;
	const char *p;
	int r;

	nb_nc_buf_init(&out, 1 << 20);
	r = nb_nc_subtree_xpaths(msg, strlen(msg), ns_module, NULL, &out, &n, &err);
	joined[0] = 0;
	p = out.data;
	for (unsigned int i = 0; i < n; i++) {
		if (i)
			strlcat(joined, " | ", sizeof(joined));
		strlcat(joined, p, sizeof(joined));
		p += strlen(p) + 1;
	}
	if (r <= 0 && n != 0)
		strlcpy(joined, "(n not 0)", sizeof(joined));
	nb_nc_buf_free(&out);
	return r;
}

#define CHECK_TR(msg, want)                                                                        \
	do {                                                                                       \
		CHECK_INT(tr(msg), 1);                                                             \
		CHECK_BYTES(joined, strlen(joined), want);                                         \
	} while (0)

static void test_selection(void)
{
	/* 6.4.1 style: one top-level containment node selects it all */
	CHECK_TR(GC("<amtd xmlns=\"" AMT "\"/>"), "/frr-amtd:amtd");
	/* containment + selection node; ncclient's prefixed form */
	CHECK_TR("<nc:rpc xmlns:nc=\"" BASE "\" message-id=\"7\"><nc:get><nc:filter "
		 "type=\"subtree\"><a:amtd xmlns:a=\"" AMT "\"><a:relay><a:name/>"
		 "</a:relay></a:amtd></nc:filter></nc:get></nc:rpc>",
		 "/frr-amtd:amtd/frr-amtd:relay/frr-amtd:name");
	/* two selection nodes: a path each; whitespace between elements */
	CHECK_TR(GC("\n <amtd xmlns=\"" AMT "\">\n  <relay>\n   <name/>\n   <port> </port>\n"
		    "  </relay>\n </amtd>\n"),
		 "/frr-amtd:amtd/frr-amtd:relay/frr-amtd:name | "
		 "/frr-amtd:amtd/frr-amtd:relay/frr-amtd:port");
	/* another namespace below (an augment) gets its own prefix */
	CHECK_TR(GC("<amtd xmlns=\"" AMT "\"><x xmlns=\"" AUG "\"/></amtd>"),
		 "/frr-amtd:amtd/aug:x");
}

static void test_content_match(void)
{
	/* 6.4.7: only content match nodes: the whole list entry */
	CHECK_TR(GC("<amtd xmlns=\"" AMT "\"><relay><name>r1</name></relay></amtd>"),
		 "/frr-amtd:amtd/frr-amtd:relay[frr-amtd:name='r1']");
	/* 6.4.8: content match + selection: the key itself and the selected leaf */
	CHECK_TR(GC("<amtd xmlns=\"" AMT "\"><relay><name> r1\n</name><port/>"
		    "</relay></amtd>"),
		 "/frr-amtd:amtd/frr-amtd:relay[frr-amtd:name='r1']/frr-amtd:name | "
		 "/frr-amtd:amtd/frr-amtd:relay[frr-amtd:name='r1']/frr-amtd:port");
	/* two content match nodes are ANDed; a containment sibling below */
	CHECK_TR(GC("<amtd xmlns=\"" AMT "\"><relay><name>a</name><vrf>v</vrf>"
		    "<tunnel><id/></tunnel></relay></amtd>"),
		 "/frr-amtd:amtd/frr-amtd:relay[frr-amtd:name='a'][frr-amtd:vrf='v']/"
		 "frr-amtd:name | "
		 "/frr-amtd:amtd/frr-amtd:relay[frr-amtd:name='a'][frr-amtd:vrf='v']/"
		 "frr-amtd:vrf | "
		 "/frr-amtd:amtd/frr-amtd:relay[frr-amtd:name='a'][frr-amtd:vrf='v']/"
		 "frr-amtd:tunnel/frr-amtd:id");
	/* two list entries side by side: independent sibling sets */
	CHECK_TR(GC("<amtd xmlns=\"" AMT "\"><relay><name>a</name></relay>"
		    "<relay><name>b</name></relay></amtd>"),
		 "/frr-amtd:amtd/frr-amtd:relay[frr-amtd:name='a'] | "
		 "/frr-amtd:amtd/frr-amtd:relay[frr-amtd:name='b']");
	/* quoting: a value with ' uses "; entities and CDATA decoded */
	CHECK_TR(GC("<amtd xmlns=\"" AMT "\"><relay><name>o&apos;<![CDATA[x<]]></name>"
		    "</relay></amtd>"),
		 "/frr-amtd:amtd/frr-amtd:relay[frr-amtd:name=\"o'x<\"]");
	/* top level: absolute predicates */
	CHECK_TR(GC("<mode xmlns=\"" AUG "\">on</mode><amtd xmlns=\"" AMT "\"/>"),
		 "/aug:mode[/aug:mode='on'] | /frr-amtd:amtd[/aug:mode='on']");
	CHECK_TR(GC("<mode xmlns=\"" AUG "\">on</mode>"), "/aug:mode[/aug:mode='on']");
}

static void test_namespaces(void)
{
	/* unknown namespace: nothing selected, no error */
	CHECK_TR(GC("<amtd xmlns=\"urn:nope\"/>"), "");
	/*
	 * 6.2.1: no namespace (xmlns="", or none declared): the name in any
	 * namespace; the base namespace an unqualified element inherits from
	 * <rpc xmlns=...> counts as none.  ns_module() is not asked.
	 */
	calls = 0;
	CHECK_TR(GC("<amtd xmlns=\"\"/>"), "/*[local-name()='amtd']");
	CHECK_TR(GC("<amtd/>"), "/*[local-name()='amtd']");
	CHECK_TR("<nc:rpc xmlns:nc=\"" BASE "\" message-id=\"7\"><nc:get><nc:filter "
		 "type=\"subtree\"><amtd><relay><name>r1</name><port/></relay></amtd>"
		 "</nc:filter></nc:get></nc:rpc>",
		 "/*[local-name()='amtd']/*[local-name()='relay'][*[local-name()='name']='r1']/"
		 "*[local-name()='name'] | "
		 "/*[local-name()='amtd']/*[local-name()='relay'][*[local-name()='name']='r1']/"
		 "*[local-name()='port']");
	CHECK_INT(calls, 0);
	/* below a qualified element, and beside one; content match alone */
	CHECK_TR(GC("<amtd xmlns=\"" AMT "\"><relay xmlns=\"\"><name>r1</name></relay>"
		    "<gateway><name/></gateway></amtd>"),
		 "/frr-amtd:amtd/*[local-name()='relay'][*[local-name()='name']='r1'] | "
		 "/frr-amtd:amtd/frr-amtd:gateway/frr-amtd:name");
	/* at the top level: absolute predicates */
	CHECK_TR(GC("<mode xmlns=\"\">on</mode><amtd xmlns=\"" AMT "\"/>"),
		 "/*[local-name()='mode'][/*[local-name()='mode']='on'] | "
		 "/frr-amtd:amtd[/*[local-name()='mode']='on']");
	/* a name that is no YANG identifier still matches nothing */
	CHECK_TR(GC("<n\xc3\xa9 xmlns=\"\"/>"), "");
	/* an unknown branch drops only itself */
	CHECK_TR(GC("<amtd xmlns=\"" AMT "\"><relay><x xmlns=\"urn:nope\"/><name/>"
		    "</relay></amtd>"),
		 "/frr-amtd:amtd/frr-amtd:relay/frr-amtd:name");
	/* a content match node that cannot match: the whole set selects nothing */
	CHECK_TR(GC("<amtd xmlns=\"" AMT "\"><relay><x xmlns=\"urn:nope\">1</x><name/>"
		    "</relay><gateway/></amtd>"),
		 "/frr-amtd:amtd/frr-amtd:gateway");
	/* names that are no YANG identifier never reach an expression */
	CHECK_TR(GC("<amtd xmlns=\"" AMT "\"><relay><n\xc3\xa9/><name/></relay></amtd>"),
		 "/frr-amtd:amtd/frr-amtd:relay/frr-amtd:name");
}

static void test_empty_and_none(void)
{
	/* 6.4.2: an empty filter selects nothing */
	CHECK_TR(GC(""), "");
	CHECK_TR("<rpc message-id=\"1\" xmlns=\"" BASE "\"><get><filter/></get></rpc>", "");
	CHECK_TR(GC("\n  <!-- nothing -->\n"), "");
	/* no filter, another operation, not an rpc */
	CHECK_INT(tr("<rpc message-id=\"1\" xmlns=\"" BASE "\"><get/></rpc>"), 0);
	CHECK_INT(tr("<rpc message-id=\"1\" xmlns=\"" BASE "\"><edit-config><filter>"
		     "<amtd xmlns=\"" AMT "\"/></filter></edit-config></rpc>"),
		  0);
	CHECK_INT(tr("<hello xmlns=\"" BASE "\"/>"), 0);
	/* a filter element of another namespace is not the filter */
	CHECK_INT(tr("<rpc message-id=\"1\" xmlns=\"" BASE "\"><get><filter xmlns=\"urn:x\">"
		     "<amtd xmlns=\"" AMT "\"/></filter></get></rpc>"),
		  0);
}

static void test_refused(void)
{
	char *big;
	size_t off;

	/* 6.2.2 attribute match expressions */
	CHECK_INT(tr(GC("<amtd xmlns=\"" AMT "\"><relay name=\"a\"/></amtd>")), -1);
	CHECK_INT(err.tag, NB_NC_ERR_UNKNOWN_ATTRIBUTE);
	CHECK(!strcmp(err.bad_attr, "name"));
	CHECK(err.msg && strstr(err.msg, "attribute"));
	CHECK_BYTES(joined, strlen(joined), "");
	/* namespace declarations are no attribute match */
	CHECK_TR(GC("<a:amtd xmlns:a=\"" AMT "\" xmlns:b=\"urn:b\"/>"), "/frr-amtd:amtd");
	/* mixed content, before or after a child */
	CHECK_INT(tr(GC("<amtd xmlns=\"" AMT "\">x<relay/></amtd>")), -1);
	CHECK_INT(err.tag, NB_NC_ERR_INVALID_VALUE);
	CHECK_INT(tr(GC("<amtd xmlns=\"" AMT "\"><relay/>x</amtd>")), -1);
	CHECK_INT(err.tag, NB_NC_ERR_INVALID_VALUE);
	CHECK_INT(tr(GC("x")), -1);
	CHECK_INT(err.tag, NB_NC_ERR_INVALID_VALUE);
	/* both quotes */
	CHECK_INT(tr(GC("<amtd xmlns=\"" AMT "\"><relay><name>'&quot;</name></relay></amtd>")),
		  -1);
	CHECK_INT(err.tag, NB_NC_ERR_OPERATION_NOT_SUPPORTED);
	/* malformed */
	CHECK_INT(tr(GC("<amtd xmlns=\"" AMT "\"><relay></amtd>")), -1);
	CHECK_INT(err.tag, NB_NC_ERR_MALFORMED_MESSAGE);

	big = malloc(1 << 20);
	/* depth: NB_NC_SUBTREE_DEPTH levels pass, one more is refused */
	for (unsigned int d = NB_NC_SUBTREE_DEPTH; d <= NB_NC_SUBTREE_DEPTH + 1; d++) {
		off = snprintf(big, 1 << 20, "%s", RPC_OPEN("get-config"));
		for (unsigned int i = 0; i < d; i++)
			off += snprintf(big + off, (1 << 20) - off, "<a xmlns=\"" AMT "\">");
		for (unsigned int i = 0; i < d; i++)
			off += snprintf(big + off, (1 << 20) - off, "</a>");
		snprintf(big + off, (1 << 20) - off, "%s", RPC_CLOSE("get-config"));
		if (d == NB_NC_SUBTREE_DEPTH) {
			CHECK_INT(tr(big), 1);
			CHECK_INT(strlen(joined), d * strlen("/frr-amtd:a"));
		} else {
			CHECK_INT(tr(big), -1);
			CHECK_INT(err.tag, NB_NC_ERR_TOO_BIG);
		}
	}
	/* depth far beyond the tokenizer's limit: refused, no crash */
	off = snprintf(big, 1 << 20, "%s", RPC_OPEN("get"));
	for (unsigned int i = 0; i < 5000; i++)
		off += snprintf(big + off, (1 << 20) - off, "<a>");
	CHECK_INT(tr(big), -1);
	/* too many elements */
	off = snprintf(big, 1 << 20, "%s<amtd xmlns=\"" AMT "\">", RPC_OPEN("get"));
	for (unsigned int i = 0; i <= NB_NC_SUBTREE_NODES; i++)
		off += snprintf(big + off, (1 << 20) - off, "<r/>");
	snprintf(big + off, (1 << 20) - off, "</amtd>%s", RPC_CLOSE("get"));
	CHECK_INT(tr(big), -1);
	CHECK_INT(err.tag, NB_NC_ERR_TOO_BIG);
	/* too many expressions */
	off = snprintf(big, 1 << 20, "%s<amtd xmlns=\"" AMT "\">", RPC_OPEN("get"));
	for (unsigned int i = 0; i <= NB_NC_SUBTREE_PATHS; i++)
		off += snprintf(big + off, (1 << 20) - off, "<r%u/>", i);
	snprintf(big + off, (1 << 20) - off, "</amtd>%s", RPC_CLOSE("get"));
	CHECK_INT(tr(big), -1);
	CHECK_INT(err.tag, NB_NC_ERR_TOO_BIG);
	free(big);

	/* output limit */
	struct nb_nc_buf small;
	unsigned int n;
	const char *m = GC("<amtd xmlns=\"" AMT "\"><relay><name/></relay></amtd>");

	nb_nc_buf_init(&small, 10);
	CHECK_INT(nb_nc_subtree_xpaths(m, strlen(m), ns_module, NULL, &small, &n, &err), -1);
	CHECK_INT(err.tag, NB_NC_ERR_TOO_BIG);
	CHECK_INT(n, 0);
	CHECK_INT(small.len, 0);
	nb_nc_buf_free(&small);

	/*
	 * every truncation of a good message: no crash; a result only once
	 * the filter is whole (libyang has checked the rest before)
	 */
	m = GC("<amtd xmlns=\"" AMT "\"><relay><name>r1</name><port/></relay></amtd>");
	size_t whole = strstr(m, "</filter>") - m + strlen("</filter>");
	unsigned int right = 0;

	for (size_t t = 0; t < strlen(m); t++) {
		struct nb_nc_buf o;
		int r;

		nb_nc_buf_init(&o, 4096);
		r = nb_nc_subtree_xpaths(m, t, ns_module, NULL, &o, &n, &err);
		right += t < whole ? r <= 0 && n == 0 : r == 1 && n == 2;
		nb_nc_buf_free(&o);
	}
	CHECK_INT(right, strlen(m));
}

int main(void)
{
	test_selection();
	test_content_match();
	test_namespaces();
	test_empty_and_none();
	test_refused();
	CHECK(calls > 0);
	return amt_test_summary("nc_subtree");
}
