// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AMTRELAY DNS records (RFC 8777): parsing of DNS answers and of the
 * record's RDATA, and the order in which a gateway tries the relays.  Pure
 * code over buffers: no sockets, no resolver.
 */
#ifndef _AMT_DNS_RECORD_H
#define _AMT_DNS_RECORD_H

#include "amt_packet.h"

/* RR type of AMTRELAY (RFC 8777 section 4.1). */
#define AMT_DNS_TYPE_AMTRELAY 260
#define AMT_DNS_CLASS_IN      1

/* A domain name in text, without the final dot: at most 253 characters. */
#define AMT_DNS_NAME_TEXT_MAX 256
/* Records kept from one answer: the lowest precedences win. */
#define AMT_DNS_MAX_RELAYS 16

/* Relay type (RFC 8777 section 4.2.3). */
enum amt_relay_type {
	AMT_RELAY_TYPE_NONE = 0,
	AMT_RELAY_TYPE_IPV4 = 1,
	AMT_RELAY_TYPE_IPV6 = 2,
	AMT_RELAY_TYPE_NAME = 3,
};

struct amt_relay_record {
	uint8_t precedence;
	/* D bit, "discovery optional": a Request may go straight to the relay. */
	bool discovery_optional;
	enum amt_relay_type type;
	struct amt_ipaddr addr;		  /* types 1 and 2 */
	char name[AMT_DNS_NAME_TEXT_MAX]; /* type 3 */
	uint32_t ttl;
};

enum amt_dns_error {
	AMT_DNS_OK = 0,
	/* Shorter than what it declares or than the fixed part. */
	AMT_DNS_TRUNCATED,
	/* Bytes left over, or an address of the wrong length. */
	AMT_DNS_BAD_LENGTH,
	/* A relay type RFC 8777 does not define. */
	AMT_DNS_BAD_RELAY_TYPE,
	/* Compressed or otherwise unusable domain name. */
	AMT_DNS_BAD_NAME,
	/* Not a response, or a response with an error code. */
	AMT_DNS_BAD_HEADER,
	AMT_DNS_ERROR_MAX,
};

/* What a walk over a DNS answer found besides the records it returns. */
struct amt_dns_answer_stats {
	unsigned int records;	    /* AMTRELAY records of class IN */
	unsigned int bad_records;   /* of those, rejected (RDATA) */
	unsigned int no_relay;	    /* of those, type 0: no relay */
	unsigned int over_limit;    /* good ones beyond AMT_DNS_MAX_RELAYS */
	unsigned int other_records; /* CNAME and other types, ignored */
};

extern const char *amt_dns_error_str(enum amt_dns_error err);
extern const char *amt_relay_type_str(enum amt_relay_type type);

/* Parse the RDATA of one AMTRELAY record; rec->ttl is left alone. */
extern enum amt_dns_error amt_relay_rdata_parse(const uint8_t *rdata, size_t len,
						struct amt_relay_record *rec);
/* Encode the RDATA of a record: its length, or -1 when it does not fit. */
extern ssize_t amt_relay_rdata_encode(uint8_t *buf, size_t size, const struct amt_relay_record *rec);

/*
 * Walk a DNS response message: the AMTRELAY records of class IN in its
 * answer section that name a relay (types 1 to 3) go to out[], at most
 * `max`, keeping the lowest precedences; *n is how many.  Broken records
 * are counted in st and skipped; a broken message is an error.
 */
extern enum amt_dns_error amt_dns_answer_parse(const uint8_t *msg, size_t len,
					       struct amt_relay_record *out, size_t max, size_t *n,
					       struct amt_dns_answer_stats *st);

/*
 * The order to try relays in: lowest precedence first, records of equal
 * precedence in random order (RFC 8777 section 4.2.1).  rnd(arg) gives
 * random 32-bit numbers.
 */
extern void amt_relay_records_order(struct amt_relay_record *recs, size_t n,
				    uint32_t (*rnd)(void *arg), void *arg);

/* Do two records name the same relay (type, address or name, D bit)? */
extern bool amt_relay_record_same(const struct amt_relay_record *a,
				  const struct amt_relay_record *b);

/*
 * The reverse-mapping name of an address, where its AMTRELAY records are
 * (RFC 8777 section 4.1): d.c.b.a.in-addr.arpa or the 32 nibbles under
 * ip6.arpa.  Returns its length, or -1 when it does not fit.
 */
extern ssize_t amt_dns_reverse_name(const struct amt_ipaddr *addr, char *buf, size_t size);

#endif /* _AMT_DNS_RECORD_H */
