// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the NETCONF framing (RFC 6242 section 4):
 * lib/northbound_netconf_frame.c.
 */
#include <zebra.h>

#include "northbound_netconf_frame.h"

#include "nc_test.h"

#define MAX_MSGS 8

struct collected {
	int n;
	char msg[MAX_MSGS][512];
	size_t len[MAX_MSGS];
	int error; /* 0, or the nb_nc_frame_err */
	bool partial;
};

/*
 * Feeds stream in pieces (cuts: sorted offsets where a new slice starts),
 * collecting messages; after the first message the framing becomes
 * `after_first` (as after a hello exchange).
 */
static void feed_cuts(size_t max_msg, enum nb_nc_framing first, enum nb_nc_framing after_first,
		      const char *stream, size_t len, const size_t *cuts, int ncuts,
		      struct collected *c)
{
	struct nb_nc_frame_dec d;
	size_t pos = 0;

	memset(c, 0, sizeof(*c));
	nb_nc_frame_dec_init(&d, max_msg);
	nb_nc_frame_dec_set_framing(&d, first);
	for (int k = 0; k <= ncuts && !c->error; k++) {
		size_t end = k < ncuts ? cuts[k] : len;
		const uint8_t *p = (const uint8_t *)stream + pos;
		size_t left = end - pos;

		while (left > 0) {
			size_t used = 0;
			enum nb_nc_frame_result r = nb_nc_frame_feed(&d, p, left, &used);

			if (used > left) {
				c->error = 100;
				break;
			}
			p += used;
			left -= used;
			if (r == NB_NC_FRAME_ERROR) {
				c->error = d.err;
				break;
			}
			if (r == NB_NC_FRAME_MESSAGE) {
				size_t ml;
				const char *m = nb_nc_frame_msg(&d, &ml);

				if (c->n < MAX_MSGS && ml < 512) {
					memcpy(c->msg[c->n], m, ml);
					c->msg[c->n][ml] = '\0';
					c->len[c->n] = ml;
					if (m[ml] != '\0')
						c->error = 101;
				}
				c->n++;
				if (c->n == 1 && nb_nc_frame_dec_set_framing(&d, after_first))
					c->error = 102;
			} else if (left != 0) {
				c->error = 103; /* NEED_MORE must consume all */
				break;
			}
		}
		pos = end;
	}
	c->partial = nb_nc_frame_dec_partial(&d);
	nb_nc_frame_dec_fini(&d);
}

static void feed_whole(size_t max_msg, enum nb_nc_framing f, const char *stream, struct collected *c)
{
	feed_cuts(max_msg, f, f, stream, strlen(stream), NULL, 0, c);
}

static bool same(const struct collected *a, const struct collected *b)
{
	if (a->n != b->n || a->error != b->error || a->partial != b->partial)
		return false;
	for (int i = 0; i < a->n && i < MAX_MSGS; i++)
		if (a->len[i] != b->len[i] || memcmp(a->msg[i], b->msg[i], a->len[i]))
			return false;
	return true;
}

/* Every single and every pair of split points, and one byte at a time. */
static void check_all_splits(size_t max_msg, enum nb_nc_framing first, enum nb_nc_framing after,
			     const char *stream, const struct collected *want)
{
	size_t len = strlen(stream);
	size_t cuts[1024];
	struct collected c;
	unsigned int bad = 0, runs = 0;

	for (size_t i = 1; i < len; i++) {
		cuts[0] = i;
		feed_cuts(max_msg, first, after, stream, len, cuts, 1, &c);
		bad += !same(&c, want);
		runs++;
		for (size_t j = i + 1; j < len; j++) {
			cuts[1] = j;
			feed_cuts(max_msg, first, after, stream, len, cuts, 2, &c);
			bad += !same(&c, want);
			runs++;
		}
	}
	if (len < 1024) {
		for (size_t i = 1; i < len; i++)
			cuts[i - 1] = i;
		feed_cuts(max_msg, first, after, stream, len, cuts, (int)len - 1, &c);
		bad += !same(&c, want);
		runs++;
	}
	CHECK(runs > 0);
	CHECK_INT(bad, 0);
}

static void test_eom_basic(void)
{
	struct collected c;

	feed_whole(1000, NB_NC_FRAMING_EOM, "<a/>]]>]]><b/>]]>]]>", &c);
	CHECK_INT(c.error, 0);
	CHECK_INT(c.n, 2);
	CHECK_BYTES(c.msg[0], c.len[0], "<a/>");
	CHECK_BYTES(c.msg[1], c.len[1], "<b/>");
	CHECK(!c.partial);

	/* near-markers belong to the message */
	feed_whole(1000, NB_NC_FRAMING_EOM, "]]]>]]>]]>]]]>]]>x]]>]>]]>]]>", &c);
	CHECK_INT(c.error, 0);
	CHECK_INT(c.n, 3);
	CHECK_BYTES(c.msg[0], c.len[0], "]");
	CHECK_BYTES(c.msg[1], c.len[1], "]]>]");
	CHECK_BYTES(c.msg[2], c.len[2], "x]]>]>");

	/* an empty message is passed up (the XML layer refuses it) */
	feed_whole(1000, NB_NC_FRAMING_EOM, "]]>]]>", &c);
	CHECK_INT(c.n, 1);
	CHECK_INT(c.len[0], 0);

	/* unfinished: nothing yet, partial */
	feed_whole(1000, NB_NC_FRAMING_EOM, "<a/>]]>]]", &c);
	CHECK_INT(c.n, 0);
	CHECK_INT(c.error, 0);
	CHECK(c.partial);
}

static void test_eom_splits(void)
{
	const char *stream = "<hello/>]]>]]>\n<rpc a=\"]]>\"/>]]>]]>]]>]]>";
	struct collected want;

	feed_whole(1000, NB_NC_FRAMING_EOM, stream, &want);
	CHECK_INT(want.error, 0);
	CHECK_INT(want.n, 3);
	CHECK_BYTES(want.msg[0], want.len[0], "<hello/>");
	CHECK_BYTES(want.msg[1], want.len[1], "\n<rpc a=\"]]>\"/>");
	CHECK_INT(want.len[2], 0);
	check_all_splits(1000, NB_NC_FRAMING_EOM, NB_NC_FRAMING_EOM, stream, &want);

	/* every truncation: no message before the first marker is whole */
	for (size_t t = 0; t < strlen(stream); t++) {
		struct collected c;
		int expect = t >= 14 ? (t >= 35 ? 2 : 1) : 0;

		feed_cuts(1000, NB_NC_FRAMING_EOM, NB_NC_FRAMING_EOM, stream, t, NULL, 0, &c);
		CHECK_INT(c.error, 0);
		CHECK_INT(c.n, expect);
	}
}

static void test_eom_limit(void)
{
	struct collected c;

	/* exactly max_msg bytes is fine, one more is not */
	feed_whole(4, NB_NC_FRAMING_EOM, "abcd]]>]]>", &c);
	CHECK_INT(c.error, 0);
	CHECK_INT(c.n, 1);
	CHECK_BYTES(c.msg[0], c.len[0], "abcd");
	feed_whole(4, NB_NC_FRAMING_EOM, "abcde]]>]]>", &c);
	CHECK_INT(c.error, NB_NC_FRAME_ERR_TOO_BIG);
	CHECK_INT(c.n, 0);

	struct collected want = c;

	check_all_splits(4, NB_NC_FRAMING_EOM, NB_NC_FRAMING_EOM, "abcde]]>]]>", &want);
	/* a max-sized message ending in a marker prefix */
	feed_whole(4, NB_NC_FRAMING_EOM, "ab]]]]>]]>", &c);
	CHECK_INT(c.error, 0);
	CHECK_BYTES(c.msg[0], c.len[0], "ab]]");
	/* no marker ever: the error comes once the buffer is full */
	feed_whole(4, NB_NC_FRAMING_EOM, "abcdefghij", &c);
	CHECK_INT(c.error, NB_NC_FRAME_ERR_TOO_BIG);
	feed_whole(4, NB_NC_FRAMING_EOM, "abcdefghi", &c);
	CHECK_INT(c.error, 0);
	CHECK(c.partial);
}

/* RFC 6242 section 4.2's example, then a second message */
static const char rfc_chunked[] = "\n#4\n<rpc\n#18\n message-id=\"102\"\n"
				  "\n#79\n     xmlns=\"urn:ietf:params:xml:ns:"
				  "netconf:base:1.0\">\n  <close-session/>\n"
				  "</rpc>\n##\n"
				  "\n#1\nx\n#2\nyz\n##\n";

static void test_chunked_basic(void)
{
	struct collected c;

	feed_whole(1000, NB_NC_FRAMING_CHUNKED, rfc_chunked, &c);
	CHECK_INT(c.error, 0);
	CHECK_INT(c.n, 2);
	CHECK_BYTES(c.msg[0], c.len[0],
		    "<rpc message-id=\"102\"\n     xmlns=\"urn:ietf:params:xml:"
		    "ns:netconf:base:1.0\">\n  <close-session/>\n</rpc>");
	CHECK_BYTES(c.msg[1], c.len[1], "xyz");
	CHECK(!c.partial);
	check_all_splits(1000, NB_NC_FRAMING_CHUNKED, NB_NC_FRAMING_CHUNKED, rfc_chunked, &c);

	/* every truncation: no error, messages only once complete */
	size_t first_end = strlen(rfc_chunked) - strlen("\n#1\nx\n#2\nyz\n##\n");

	for (size_t t = 0; t < strlen(rfc_chunked); t++) {
		feed_cuts(1000, NB_NC_FRAMING_CHUNKED, NB_NC_FRAMING_CHUNKED, rfc_chunked, t, NULL,
			  0, &c);
		CHECK_INT(c.error, 0);
		CHECK_INT(c.n, t >= first_end ? 1 : 0);
		CHECK(c.partial == (t != 0 && t != first_end));
	}
}

static void test_chunked_malformed(void)
{
	static const struct {
		const char *in;
		int err;
	} cases[] = {
		{ "\n#0\n", NB_NC_FRAME_ERR_MALFORMED },
		{ "\n#01\nx\n##\n", NB_NC_FRAME_ERR_MALFORMED },
		{ "\n##\n", NB_NC_FRAME_ERR_MALFORMED }, /* no chunk */
		{ "#1\nx\n##\n", NB_NC_FRAME_ERR_MALFORMED },
		{ "\n1\nx\n##\n", NB_NC_FRAME_ERR_MALFORMED },
		{ " \n#1\nx\n##\n", NB_NC_FRAME_ERR_MALFORMED },
		{ "\n#\n", NB_NC_FRAME_ERR_MALFORMED },
		{ "\n#1x\n", NB_NC_FRAME_ERR_MALFORMED },
		{ "\n#1 \n", NB_NC_FRAME_ERR_MALFORMED },
		{ "\n#-1\n", NB_NC_FRAME_ERR_MALFORMED },
		{ "\n#+1\n", NB_NC_FRAME_ERR_MALFORMED },
		{ "\n#1\r\nx", NB_NC_FRAME_ERR_MALFORMED },
		{ "\n#1\nxy\n##\n", NB_NC_FRAME_ERR_MALFORMED },
		{ "\n#1\nx#\n##\n", NB_NC_FRAME_ERR_MALFORMED },
		{ "\n#1\nx\n##x", NB_NC_FRAME_ERR_MALFORMED },
		{ "\n#1\nx\n###\n", NB_NC_FRAME_ERR_MALFORMED },
		{ "\n#1\nx\n##\n]]>]]>", NB_NC_FRAME_ERR_MALFORMED },
		{ "\n#4294967296\n", NB_NC_FRAME_ERR_MALFORMED },
		{ "\n#9999999999\n", NB_NC_FRAME_ERR_MALFORMED },
		{ "\n#12345678901\n", NB_NC_FRAME_ERR_MALFORMED },
		/* grammatical but above the 1000-byte limit */
		{ "\n#4294967295\n", NB_NC_FRAME_ERR_TOO_BIG },
		{ "\n#1001\n", NB_NC_FRAME_ERR_TOO_BIG },
		{ "\n#600\n", 0 }, /* fine so far (partial) */
	};

	for (size_t i = 0; i < array_size(cases); i++) {
		struct collected want;

		feed_whole(1000, NB_NC_FRAMING_CHUNKED, cases[i].in, &want);
		if (want.error != cases[i].err)
			fprintf(stderr, "case %zu: %s\n", i, cases[i].in);
		CHECK_INT(want.error, cases[i].err);
		check_all_splits(1000, NB_NC_FRAMING_CHUNKED, NB_NC_FRAMING_CHUNKED, cases[i].in,
				 &want);
	}

	/* the size limit sums chunks: 600 + 400 fits, 600 + 401 does not */
	static char big[2200];
	struct collected c;

	strcpy(big, "\n#600\n");
	memset(big + strlen(big), 'a', 600);
	strcat(big, "\n#400\n");
	memset(big + strlen(big), 'b', 400);
	strcat(big, "\n##\n");
	feed_whole(1000, NB_NC_FRAMING_CHUNKED, big, &c);
	CHECK_INT(c.error, 0);
	CHECK_INT(c.n, 1);
	memset(big, 0, sizeof(big));
	strcpy(big, "\n#600\n");
	memset(big + strlen(big), 'a', 600);
	strcat(big, "\n#401\n");
	feed_whole(1000, NB_NC_FRAMING_CHUNKED, big, &c);
	CHECK_INT(c.error, NB_NC_FRAME_ERR_TOO_BIG);

	/* errors are sticky */
	struct nb_nc_frame_dec d;
	size_t used;

	nb_nc_frame_dec_init(&d, 100);
	nb_nc_frame_dec_set_framing(&d, NB_NC_FRAMING_CHUNKED);
	CHECK_INT(nb_nc_frame_feed(&d, (const uint8_t *)"x", 1, &used), NB_NC_FRAME_ERROR);
	CHECK_INT(nb_nc_frame_feed(&d, (const uint8_t *)"\n#1\nx\n##\n", 9, &used),
		  NB_NC_FRAME_ERROR);
	CHECK_INT(used, 0);
	CHECK(nb_nc_frame_msg(&d, NULL) == NULL);
	CHECK(strcmp(nb_nc_frame_err_str(d.err), "malformed chunked framing") == 0);
	nb_nc_frame_dec_fini(&d);
}

/* Hello in base:1.0, then chunked right after the marker, same slice. */
static void test_switch(void)
{
	const char *stream = "<hello/>]]>]]>\n#3\nabc\n##\n\n#1\nd\n##\n";
	struct collected c;

	feed_cuts(1000, NB_NC_FRAMING_EOM, NB_NC_FRAMING_CHUNKED, stream, strlen(stream), NULL, 0,
		  &c);
	CHECK_INT(c.error, 0);
	CHECK_INT(c.n, 3);
	CHECK_BYTES(c.msg[0], c.len[0], "<hello/>");
	CHECK_BYTES(c.msg[1], c.len[1], "abc");
	CHECK_BYTES(c.msg[2], c.len[2], "d");
	check_all_splits(1000, NB_NC_FRAMING_EOM, NB_NC_FRAMING_CHUNKED, stream, &c);

	/* no switch in the middle of a message */
	struct nb_nc_frame_dec d;
	size_t used;

	nb_nc_frame_dec_init(&d, 100);
	CHECK_INT(nb_nc_frame_feed(&d, (const uint8_t *)"<a", 2, &used), NB_NC_FRAME_NEED_MORE);
	CHECK_INT(nb_nc_frame_dec_set_framing(&d, NB_NC_FRAMING_CHUNKED), -1);
	CHECK_INT(nb_nc_frame_feed(&d, (const uint8_t *)"/>]]>]]>", 8, &used), NB_NC_FRAME_MESSAGE);
	CHECK_INT(nb_nc_frame_dec_set_framing(&d, NB_NC_FRAMING_CHUNKED), 0);
	CHECK_INT(nb_nc_frame_feed(&d, (const uint8_t *)"\n#", 2, &used), NB_NC_FRAME_NEED_MORE);
	CHECK_INT(nb_nc_frame_dec_set_framing(&d, NB_NC_FRAMING_EOM), -1);
	nb_nc_frame_dec_fini(&d);
}

static void test_encode(void)
{
	struct nb_nc_buf b;

	nb_nc_buf_init(&b, 100);
	CHECK_INT(nb_nc_frame_encode(&b, NB_NC_FRAMING_EOM, "<ok/>", 5, 0), 0);
	CHECK_BYTES(b.data, b.len, "<ok/>]]>]]>");
	nb_nc_buf_reset(&b);
	CHECK_INT(nb_nc_frame_encode(&b, NB_NC_FRAMING_CHUNKED, "<ok/>", 5, 0), 0);
	CHECK_BYTES(b.data, b.len, "\n#5\n<ok/>\n##\n");
	nb_nc_buf_reset(&b);
	CHECK_INT(nb_nc_frame_encode(&b, NB_NC_FRAMING_CHUNKED, "abcdefg", 7, 3), 0);
	CHECK_BYTES(b.data, b.len, "\n#3\nabc\n#3\ndef\n#1\ng\n##\n");

	/* refusals leave the buffer as it was */
	CHECK_INT(nb_nc_frame_encode(&b, NB_NC_FRAMING_CHUNKED, "", 0, 0), -1);
	CHECK_INT(nb_nc_frame_encode(&b, NB_NC_FRAMING_EOM, "a]]>]]>b", 8, 0), -1);
	CHECK_BYTES(b.data, b.len, "\n#3\nabc\n#3\ndef\n#1\ng\n##\n");
	/* 23 bytes used of 100: 71 + 6 fits, 72 + 6 does not */
	char big[80];

	memset(big, 'x', sizeof(big));
	CHECK_INT(b.len, 23);
	CHECK_INT(nb_nc_frame_encode(&b, NB_NC_FRAMING_EOM, big, 72, 0), -1);
	CHECK_INT(b.len, 23);
	CHECK_INT(nb_nc_frame_encode(&b, NB_NC_FRAMING_EOM, big, 71, 0), 0);
	CHECK_INT(b.len, 100);
	nb_nc_buf_free(&b);

	/* round trip through the decoder, every chunk size */
	const char *msg = "<rpc message-id=\"1\"><get/></rpc>";

	for (size_t mc = 1; mc <= strlen(msg) + 1; mc++) {
		struct collected c;

		nb_nc_buf_init(&b, 4096);
		CHECK_INT(nb_nc_frame_encode(&b, NB_NC_FRAMING_CHUNKED, msg, strlen(msg), mc), 0);
		CHECK_INT(nb_nc_frame_encode(&b, NB_NC_FRAMING_CHUNKED, "z", 1, mc), 0);
		feed_whole(100, NB_NC_FRAMING_CHUNKED, b.data, &c);
		CHECK_INT(c.error, 0);
		CHECK_INT(c.n, 2);
		CHECK_BYTES(c.msg[0], c.len[0], msg);
		CHECK_BYTES(c.msg[1], c.len[1], "z");
		nb_nc_buf_free(&b);
	}
}

static void test_buf(void)
{
	struct nb_nc_buf b;

	nb_nc_buf_init(&b, 5);
	CHECK_INT(nb_nc_buf_adds(&b, "abc"), 0);
	CHECK_INT(nb_nc_buf_adds(&b, "def"), -1);
	CHECK_BYTES(b.data, b.len, "abc");
	CHECK_INT(nb_nc_buf_addu(&b, 42), 0);
	CHECK_BYTES(b.data, b.len, "abc42");
	CHECK_INT(nb_nc_buf_addu(&b, 1), -1);
	CHECK_INT(nb_nc_buf_add(&b, "", 0), 0);
	CHECK(b.cap <= 6);
	nb_nc_buf_free(&b);
	CHECK(b.data == NULL);
}

int main(void)
{
	test_buf();
	test_eom_basic();
	test_eom_splits();
	test_eom_limit();
	test_chunked_basic();
	test_chunked_malformed();
	test_switch();
	test_encode();
	return amt_test_summary("nc_frame");
}
