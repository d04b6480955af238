// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the AMT response MAC (amtd/amt_mac.c).  Expected MACs
 * were computed independently (Python's hmac module) from the input
 * layout documented in amt_mac.h.
 */
#include <zebra.h>

#include <arpa/inet.h>

#include "sha256.h"

#include "amtd/amt_mac.h"
#include "tests/amtd/amt_test.h"

static uint8_t secret[AMT_MAC_SECRET_LEN];

static void test_hmac_primitive(void)
{
	/* RFC 4231 test case 2. */
	static const uint8_t want[32] = {
		0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e, 0x6a, 0x04, 0x24,
		0x26, 0x08, 0x95, 0x75, 0xc7, 0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27,
		0x39, 0x83, 0x9d, 0xec, 0x58, 0xb9, 0x64, 0xec, 0x38, 0x43,
	};
	static const char data[] = "what do ya want for nothing?";
	HMAC_SHA256_CTX ctx;
	uint8_t out[32];

	HMAC__SHA256_Init(&ctx, "Jefe", 4);
	HMAC__SHA256_Update(&ctx, data, strlen(data));
	HMAC__SHA256_Final(out, &ctx);
	CHECK_MEM(out, want, 32);
}

static void test_known_answers(void)
{
	static const uint8_t want4[6] = { 0xff, 0x09, 0xad, 0xae, 0x69, 0x7a };
	static const uint8_t want6[6] = { 0x65, 0x3a, 0xa8, 0xc9, 0x1e, 0x67 };
	union amt_ip a4, a6;
	uint8_t mac[AMT_MAC_LEN], again[AMT_MAC_LEN];

	memset(&a4, 0, sizeof(a4));
	memset(&a6, 0, sizeof(a6));
	inet_pton(AF_INET, "192.0.2.10", &a4.v4);
	inet_pton(AF_INET6, "2001:db8::10", &a6.v6);

	CHECK_INT(amt_mac_compute(secret, AF_INET, &a4, 49152, 0x12345678, mac), 0);
	CHECK_MEM(mac, want4, 6);
	CHECK_INT(amt_mac_compute(secret, AF_INET6, &a6, 2268, 0xdeadbeef, mac), 0);
	CHECK_MEM(mac, want6, 6);

	/* Deterministic. */
	CHECK_INT(amt_mac_compute(secret, AF_INET6, &a6, 2268, 0xdeadbeef, again), 0);
	CHECK_MEM(again, mac, 6);

	CHECK_INT(amt_mac_compute(secret, AF_UNSPEC, &a4, 1, 1, mac), -1);
}

static bool mac_equal(const uint8_t *a, const uint8_t *b)
{
	return memcmp(a, b, AMT_MAC_LEN) == 0;
}

static void test_inputs_matter(void)
{
	union amt_ip a4, b4, a6;
	uint8_t base[AMT_MAC_LEN], other[AMT_MAC_LEN];
	uint8_t secret2[AMT_MAC_SECRET_LEN];

	memset(&a4, 0, sizeof(a4));
	memset(&b4, 0, sizeof(b4));
	memset(&a6, 0, sizeof(a6));
	inet_pton(AF_INET, "192.0.2.10", &a4.v4);
	inet_pton(AF_INET, "192.0.2.11", &b4.v4);
	/* The IPv4-compatible form of a4: same bytes, other family. */
	inet_pton(AF_INET6, "::192.0.2.10", &a6.v6);

	amt_mac_compute(secret, AF_INET, &a4, 49152, 7, base);
	amt_mac_compute(secret, AF_INET, &b4, 49152, 7, other);
	CHECK(!mac_equal(base, other));
	/* Same NAT address, other port: another gateway. */
	amt_mac_compute(secret, AF_INET, &a4, 49153, 7, other);
	CHECK(!mac_equal(base, other));
	amt_mac_compute(secret, AF_INET, &a4, 49152, 8, other);
	CHECK(!mac_equal(base, other));
	amt_mac_compute(secret, AF_INET6, &a6, 49152, 7, other);
	CHECK(!mac_equal(base, other));
	memcpy(secret2, secret, sizeof(secret2));
	secret2[31] ^= 1;
	amt_mac_compute(secret2, AF_INET, &a4, 49152, 7, other);
	CHECK(!mac_equal(base, other));
}

static void test_rotation(void)
{
	struct amt_mac_state st;
	union amt_ip a;
	uint8_t m0[AMT_MAC_LEN], m1[AMT_MAC_LEN], m2[AMT_MAC_LEN];
	uint8_t bad[AMT_MAC_LEN];
	const uint32_t grace = 60000;
	unsigned int wrong = 0;

	memset(&a, 0, sizeof(a));
	inet_pton(AF_INET6, "2001:db8::10", &a.v6);
	amt_mac_init(&st, grace);

	/* No secret yet. */
	CHECK_INT(amt_mac_generate(&st, AF_INET6, &a, 2268, 1, m0), -1);
	memset(m0, 0, sizeof(m0));
	CHECK(!amt_mac_verify(&st, 0, AF_INET6, &a, 2268, 1, m0));

	CHECK_INT(amt_mac_set_secret(&st, secret, 16, 0), -1);
	CHECK_INT(amt_mac_set_secret(&st, secret, sizeof(secret), 0), 0);
	CHECK_INT(amt_mac_generate(&st, AF_INET6, &a, 2268, 1, m0), 0);
	amt_mac_compute(secret, AF_INET6, &a, 2268, 1, m1);
	CHECK_MEM(m0, m1, 6);
	CHECK(amt_mac_verify(&st, 10, AF_INET6, &a, 2268, 1, m0));
	CHECK(!amt_mac_verify(&st, 10, AF_INET6, &a, 2269, 1, m0));
	CHECK(!amt_mac_verify(&st, 10, AF_INET6, &a, 2268, 2, m0));
	/* A single flipped bit anywhere is refused. */
	for (int i = 0; i < AMT_MAC_LEN * 8; i++) {
		memcpy(bad, m0, sizeof(bad));
		bad[i / 8] ^= 1 << (i % 8);
		if (amt_mac_verify(&st, 10, AF_INET6, &a, 2268, 1, bad))
			wrong++;
	}
	CHECK_INT(wrong, 0);

	/* Rotate at t=1000: the old MAC holds until 1000 + grace. */
	CHECK_INT(amt_mac_rotate(&st, 1000), 0);
	CHECK(st.has_prev);
	CHECK_INT(amt_mac_generate(&st, AF_INET6, &a, 2268, 1, m1), 0);
	CHECK(!mac_equal(m0, m1));
	CHECK(amt_mac_verify(&st, 1000, AF_INET6, &a, 2268, 1, m1));
	CHECK(amt_mac_verify(&st, 1000, AF_INET6, &a, 2268, 1, m0));
	CHECK(amt_mac_verify(&st, 1000 + grace - 1, AF_INET6, &a, 2268, 1, m0));
	CHECK(!amt_mac_verify(&st, 1000 + grace, AF_INET6, &a, 2268, 1, m0));
	CHECK(!amt_mac_verify(&st, 10000000, AF_INET6, &a, 2268, 1, m0));
	/* The current secret has no expiry. */
	CHECK(amt_mac_verify(&st, 10000000, AF_INET6, &a, 2268, 1, m1));

	/* A second rotation forgets the first secret, grace or not. */
	CHECK_INT(amt_mac_rotate(&st, 2000), 0);
	CHECK_INT(amt_mac_generate(&st, AF_INET6, &a, 2268, 1, m2), 0);
	CHECK(!mac_equal(m2, m1));
	CHECK(!mac_equal(m2, m0));
	CHECK(amt_mac_verify(&st, 2000, AF_INET6, &a, 2268, 1, m2));
	CHECK(amt_mac_verify(&st, 2000, AF_INET6, &a, 2268, 1, m1));
	CHECK(!amt_mac_verify(&st, 2000, AF_INET6, &a, 2268, 1, m0));

	amt_mac_fini(&st);
	CHECK(!amt_mac_verify(&st, 2000, AF_INET6, &a, 2268, 1, m2));
	CHECK_INT(amt_mac_generate(&st, AF_INET6, &a, 2268, 1, m2), -1);
}

/* The precomputed key pads give what HMAC from the raw secret gives. */
static void test_pads_match_compute(void)
{
	struct amt_mac_state st;
	uint8_t got[AMT_MAC_LEN], want[AMT_MAC_LEN];
	unsigned int differ = 0, refused = 0;
	union amt_ip a;

	amt_mac_init(&st, 1000);
	CHECK_INT(amt_mac_set_secret(&st, secret, sizeof(secret), 0), 0);
	for (uint32_t i = 0; i < 200; i++) {
		int family = i % 2 ? AF_INET6 : AF_INET;

		memset(&a, 0, sizeof(a));
		for (size_t b = 0; b < sizeof(a.bytes); b++)
			a.bytes[b] = i * 31 + b * 7;
		CHECK_INT(amt_mac_generate(&st, family, &a, 1000 + i, i * 2654435761u, got), 0);
		amt_mac_compute(secret, family, &a, 1000 + i, i * 2654435761u, want);
		if (!mac_equal(got, want))
			differ++;
		if (!amt_mac_verify(&st, 0, family, &a, 1000 + i, i * 2654435761u, want))
			refused++;
	}
	CHECK_INT(differ, 0);
	CHECK_INT(refused, 0);
	CHECK_INT(amt_mac_generate(&st, AF_UNSPEC, &a, 1, 1, got), -1);
	CHECK(!amt_mac_verify(&st, 0, AF_UNSPEC, &a, 1, 1, want));
	amt_mac_fini(&st);
}

/*
 * Rotation with fixed secrets: which key answers, and when the previous
 * one stops counting.
 */
static void test_rotation_paths(void)
{
	uint8_t k1[AMT_MAC_SECRET_LEN], k2[AMT_MAC_SECRET_LEN], k3[AMT_MAC_SECRET_LEN];
	uint8_t m1[AMT_MAC_LEN], m2[AMT_MAC_LEN], m3[AMT_MAC_LEN], g[AMT_MAC_LEN];
	struct amt_mac_state st;
	union amt_ip a;

	memset(&a, 0, sizeof(a));
	inet_pton(AF_INET, "198.18.0.1", &a.v4);
	memset(k1, 0x11, sizeof(k1));
	memset(k2, 0x22, sizeof(k2));
	memset(k3, 0x33, sizeof(k3));
	amt_mac_compute(k1, AF_INET, &a, 10000, 42, m1);
	amt_mac_compute(k2, AF_INET, &a, 10000, 42, m2);
	amt_mac_compute(k3, AF_INET, &a, 10000, 42, m3);

	amt_mac_init(&st, 500);
	/* The first secret has no predecessor. */
	CHECK_INT(amt_mac_set_secret(&st, k1, sizeof(k1), 100), 0);
	CHECK(!st.has_prev);
	CHECK(amt_mac_verify(&st, 100, AF_INET, &a, 10000, 42, m1));
	CHECK(!amt_mac_verify(&st, 100, AF_INET, &a, 10000, 42, m2));

	/* k2 current, k1 previous until 200 + 500. */
	CHECK_INT(amt_mac_set_secret(&st, k2, sizeof(k2), 200), 0);
	CHECK(st.has_prev);
	CHECK_INT(st.prev_until_ms, 700);
	CHECK_INT(amt_mac_generate(&st, AF_INET, &a, 10000, 42, g), 0);
	CHECK_MEM(g, m2, AMT_MAC_LEN);
	CHECK(amt_mac_verify(&st, 200, AF_INET, &a, 10000, 42, m2));
	CHECK(amt_mac_verify(&st, 699, AF_INET, &a, 10000, 42, m1));
	CHECK(!amt_mac_verify(&st, 700, AF_INET, &a, 10000, 42, m1));
	/* After the grace period the current key still answers. */
	CHECK(amt_mac_verify(&st, 700, AF_INET, &a, 10000, 42, m2));
	/* The previous key covers the same inputs only. */
	CHECK(!amt_mac_verify(&st, 300, AF_INET, &a, 10001, 42, m1));
	CHECK(!amt_mac_verify(&st, 300, AF_INET, &a, 10000, 43, m1));

	/* A rotation inside the grace period: k1 is forgotten at once. */
	CHECK_INT(amt_mac_set_secret(&st, k3, sizeof(k3), 300), 0);
	CHECK_INT(st.prev_until_ms, 800);
	CHECK(amt_mac_verify(&st, 300, AF_INET, &a, 10000, 42, m3));
	CHECK(amt_mac_verify(&st, 300, AF_INET, &a, 10000, 42, m2));
	CHECK(!amt_mac_verify(&st, 300, AF_INET, &a, 10000, 42, m1));

	/* A refused secret leaves the state as it was. */
	CHECK_INT(amt_mac_set_secret(&st, k1, 31, 400), -1);
	CHECK_INT(amt_mac_generate(&st, AF_INET, &a, 10000, 42, g), 0);
	CHECK_MEM(g, m3, AMT_MAC_LEN);
	CHECK(amt_mac_verify(&st, 400, AF_INET, &a, 10000, 42, m2));
	amt_mac_fini(&st);
	CHECK(!amt_mac_verify(&st, 400, AF_INET, &a, 10000, 42, m3));
	CHECK(!amt_mac_verify(&st, 400, AF_INET, &a, 10000, 42, m2));
}

int main(void)
{
	for (size_t i = 0; i < sizeof(secret); i++)
		secret[i] = i;

	test_hmac_primitive();
	test_known_answers();
	test_inputs_matter();
	test_rotation();
	test_pads_match_compute();
	test_rotation_paths();
	return amt_test_summary("test_amt_mac");
}
