// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AMT response MAC: HMAC-SHA256 over (gateway address, port, nonce),
 * truncated to 48 bits, under a rotating secret.
 */
#include <zebra.h>

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "sha256.h"

#include "amt_mac.h"

/* Family tag, 16-byte address, port, nonce. */
#define AMT_MAC_INPUT_MAX (1 + 16 + 2 + 4)
#define AMT_SHA256_LEN	  32

void amt_mac_init(struct amt_mac_state *st, uint32_t grace_ms)
{
	memset(st, 0, sizeof(*st));
	st->grace_ms = grace_ms;
}

void amt_mac_fini(struct amt_mac_state *st)
{
	explicit_bzero(&st->cur, sizeof(st->cur));
	explicit_bzero(&st->prev, sizeof(st->prev));
	st->has_cur = false;
	st->has_prev = false;
}

/* Hash the key pads once: HMAC__SHA256_Init() leaves exactly that state. */
static void amt_mac_key_set(struct amt_mac_key *key, const uint8_t secret[AMT_MAC_SECRET_LEN])
{
	HMAC__SHA256_Init(&key->pads, secret, AMT_MAC_SECRET_LEN);
	memcpy(key->secret, secret, AMT_MAC_SECRET_LEN);
}

/* Shift the current secret to previous and install a new one. */
static void amt_mac_install(struct amt_mac_state *st, const uint8_t secret[AMT_MAC_SECRET_LEN],
			    uint64_t now_ms)
{
	if (st->has_cur) {
		st->prev = st->cur;
		st->has_prev = true;
		st->prev_until_ms = now_ms + st->grace_ms;
	}
	amt_mac_key_set(&st->cur, secret);
	st->has_cur = true;
	st->rotated_ms = now_ms;
}

static int amt_mac_random(uint8_t *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = getrandom(buf + got, len - got, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		got += n;
	}
	return 0;
}

int amt_mac_rotate(struct amt_mac_state *st, uint64_t now_ms)
{
	uint8_t secret[AMT_MAC_SECRET_LEN];

	if (amt_mac_random(secret, sizeof(secret)) < 0) {
		explicit_bzero(secret, sizeof(secret));
		return -1;
	}
	amt_mac_install(st, secret, now_ms);
	explicit_bzero(secret, sizeof(secret));
	return 0;
}

int amt_mac_set_secret(struct amt_mac_state *st, const uint8_t *secret, size_t len, uint64_t now_ms)
{
	if (len != AMT_MAC_SECRET_LEN) {
		errno = EINVAL;
		return -1;
	}
	amt_mac_install(st, secret, now_ms);
	return 0;
}

/* The MAC's input; returns its length, or 0 for an unknown family. */
static size_t amt_mac_input(uint8_t in[AMT_MAC_INPUT_MAX], int family, const union amt_ip *addr,
			    uint16_t port, uint32_t nonce)
{
	size_t alen, n = 0;

	if (family == AF_INET) {
		in[n++] = 4;
		alen = 4;
	} else if (family == AF_INET6) {
		in[n++] = 6;
		alen = 16;
	} else {
		return 0;
	}
	memcpy(in + n, addr->bytes, alen);
	n += alen;
	in[n++] = port >> 8;
	in[n++] = port;
	in[n++] = nonce >> 24;
	in[n++] = nonce >> 16;
	in[n++] = nonce >> 8;
	in[n++] = nonce;
	return n;
}

/* HMAC from the precomputed pads: two SHA-256 blocks for our input. */
static int amt_mac_keyed(const struct amt_mac_key *key, int family, const union amt_ip *addr,
			 uint16_t port, uint32_t nonce, uint8_t mac[AMT_MAC_LEN])
{
	uint8_t in[AMT_MAC_INPUT_MAX], digest[AMT_SHA256_LEN];
	size_t n = amt_mac_input(in, family, addr, port, nonce);
	HMAC_SHA256_CTX ctx;

	if (n == 0)
		return -1;
	ctx = key->pads;
	HMAC__SHA256_Update(&ctx, in, n);
	HMAC__SHA256_Final(digest, &ctx);
	memcpy(mac, digest, AMT_MAC_LEN);
	explicit_bzero(&ctx, sizeof(ctx));
	explicit_bzero(digest, sizeof(digest));
	return 0;
}

int amt_mac_compute(const uint8_t secret[AMT_MAC_SECRET_LEN], int family, const union amt_ip *addr,
		    uint16_t port, uint32_t nonce, uint8_t mac[AMT_MAC_LEN])
{
	struct amt_mac_key key;
	int ret;

	amt_mac_key_set(&key, secret);
	ret = amt_mac_keyed(&key, family, addr, port, nonce, mac);
	explicit_bzero(&key, sizeof(key));
	return ret;
}

int amt_mac_generate(const struct amt_mac_state *st, int family, const union amt_ip *addr,
		     uint16_t port, uint32_t nonce, uint8_t mac[AMT_MAC_LEN])
{
	if (!st->has_cur)
		return -1;
	return amt_mac_keyed(&st->cur, family, addr, port, nonce, mac);
}

/* Constant-time equality of two MACs. */
static bool amt_mac_equal(const uint8_t *a, const uint8_t *b)
{
	uint8_t diff = 0;

	for (size_t i = 0; i < AMT_MAC_LEN; i++)
		diff |= a[i] ^ b[i];
	return diff == 0;
}

/* mac is right under key (constant-time comparison). */
static bool amt_mac_check(const struct amt_mac_key *key, int family, const union amt_ip *addr,
			  uint16_t port, uint32_t nonce, const uint8_t mac[AMT_MAC_LEN])
{
	uint8_t want[AMT_MAC_LEN];
	bool ok;

	if (amt_mac_keyed(key, family, addr, port, nonce, want) < 0)
		return false;
	ok = amt_mac_equal(want, mac);
	explicit_bzero(want, sizeof(want));
	return ok;
}

/*
 * The current secret first; the previous one only when that fails (which
 * tells a sender nothing it does not learn from being refused anyway).
 */
bool amt_mac_verify(const struct amt_mac_state *st, uint64_t now_ms, int family,
		    const union amt_ip *addr, uint16_t port, uint32_t nonce,
		    const uint8_t mac[AMT_MAC_LEN])
{
	if (st->has_cur && amt_mac_check(&st->cur, family, addr, port, nonce, mac))
		return true;
	return st->has_prev && now_ms < st->prev_until_ms &&
	       amt_mac_check(&st->prev, family, addr, port, nonce, mac);
}

void amt_mac_export(const struct amt_mac_state *st, uint64_t now_ms, struct amt_mac_export *ex)
{
	memset(ex, 0, sizeof(*ex));
	if (!st->has_cur)
		return;
	ex->has_cur = true;
	memcpy(ex->cur, st->cur.secret, AMT_MAC_SECRET_LEN);
	ex->cur_age_ms = now_ms > st->rotated_ms ? now_ms - st->rotated_ms : 0;
	if (st->has_prev && now_ms < st->prev_until_ms) {
		ex->has_prev = true;
		memcpy(ex->prev, st->prev.secret, AMT_MAC_SECRET_LEN);
		ex->prev_left_ms = st->prev_until_ms - now_ms;
	}
}

int amt_mac_import(struct amt_mac_state *st, uint64_t now_ms, const struct amt_mac_export *ex)
{
	if (!ex->has_cur) {
		errno = EINVAL;
		return -1;
	}
	amt_mac_fini(st);
	amt_mac_key_set(&st->cur, ex->cur);
	st->has_cur = true;
	st->rotated_ms = now_ms > ex->cur_age_ms ? now_ms - ex->cur_age_ms : 0;
	if (ex->has_prev && ex->prev_left_ms) {
		amt_mac_key_set(&st->prev, ex->prev);
		st->has_prev = true;
		st->prev_until_ms = now_ms + ex->prev_left_ms;
	}
	return 0;
}
