// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AMT response MAC (RFC 7450 5.1.4.6, 5.3.5): a 48-bit keyed hash of the
 * gateway address, gateway UDP port and Request Nonce, computed by the
 * relay with HMAC-SHA256 under a random secret that rotates; the previous
 * secret stays valid for a grace period.  Clocks are passed in (monotonic
 * milliseconds); nothing here reads the time.
 */
#ifndef _AMT_MAC_H
#define _AMT_MAC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sha256.h"

#include "amt_group_record.h"

#define AMT_MAC_LEN	   6
#define AMT_MAC_SECRET_LEN 32

/*
 * A secret as HMAC uses it: the SHA-256 states after the inner and outer
 * key pads, computed once when the secret is installed, so that a MAC
 * costs two SHA-256 blocks instead of four.  The secret itself is kept
 * only for the relay's restart snapshot (amt_mac_export()).
 */
struct amt_mac_key {
	HMAC_SHA256_CTX pads;
	uint8_t secret[AMT_MAC_SECRET_LEN];
};

struct amt_mac_state {
	struct amt_mac_key cur;
	struct amt_mac_key prev;
	bool has_cur;
	bool has_prev;
	/* The previous secret is accepted while now_ms < prev_until_ms. */
	uint64_t prev_until_ms;
	/* When the current secret was installed. */
	uint64_t rotated_ms;
	uint32_t grace_ms;
};

/* No secret yet: call amt_mac_rotate() before use. */
void amt_mac_init(struct amt_mac_state *st, uint32_t grace_ms);
/* Wipe both secrets. */
void amt_mac_fini(struct amt_mac_state *st);

/*
 * Draw a new secret from the kernel (getrandom(2)); the current one
 * becomes the previous one, accepted until now_ms + grace_ms.
 * Returns 0, or -1 (errno set) with the state unchanged.
 */
int amt_mac_rotate(struct amt_mac_state *st, uint64_t now_ms);
/* Same as amt_mac_rotate() with a given secret (tests, fixed keys). */
int amt_mac_set_secret(struct amt_mac_state *st, const uint8_t *secret, size_t len, uint64_t now_ms);

/*
 * The MAC under one secret: the first 48 bits of HMAC-SHA256 over
 * family tag (4 or 6) | address (4 or 16 bytes) | port | nonce, the last
 * two in network byte order.  Returns -1 for a family other than AF_INET
 * or AF_INET6.
 */
int amt_mac_compute(const uint8_t secret[AMT_MAC_SECRET_LEN], int family, const union amt_ip *addr,
		    uint16_t port, uint32_t nonce, uint8_t mac[AMT_MAC_LEN]);
/* The MAC under the current secret; -1 if there is none. */
int amt_mac_generate(const struct amt_mac_state *st, int family, const union amt_ip *addr,
		     uint16_t port, uint32_t nonce, uint8_t mac[AMT_MAC_LEN]);
/*
 * Whether mac is right under the current secret, or under the previous
 * one within its grace period (tried only when the current one does not
 * match).  Each comparison takes constant time.
 */
bool amt_mac_verify(const struct amt_mac_state *st, uint64_t now_ms, int family,
		    const union amt_ip *addr, uint16_t port, uint32_t nonce,
		    const uint8_t mac[AMT_MAC_LEN]);

/*
 * The secrets with their lifetimes, for a restart (amt_relay_persist.c):
 * how long ago the current one was installed, how long the previous one
 * is still accepted.
 */
struct amt_mac_export {
	bool has_cur, has_prev;
	uint8_t cur[AMT_MAC_SECRET_LEN];
	uint8_t prev[AMT_MAC_SECRET_LEN];
	uint64_t cur_age_ms;
	uint64_t prev_left_ms;
};

/* The previous secret is exported only while it is still accepted. */
void amt_mac_export(const struct amt_mac_state *st, uint64_t now_ms, struct amt_mac_export *ex);
/*
 * Replace both secrets with exported ones: the current one installed
 * cur_age_ms before now_ms, the previous one accepted for prev_left_ms
 * more.  Returns -1 (state unchanged) without a current secret.
 */
int amt_mac_import(struct amt_mac_state *st, uint64_t now_ms, const struct amt_mac_export *ex);

#endif /* _AMT_MAC_H */
