// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AMTRELAY DNS records (RFC 8777 section 4).  Everything here reads what a
 * DNS server sent: each length is checked before the bytes it covers are
 * read, and a name is never followed through a compression pointer.
 *
 * RDATA:  precedence (8 bits) | D (1 bit) | type (7 bits) | relay
 * where relay is empty (type 0), 4 bytes (1), 16 bytes (2) or an
 * uncompressed wire-format domain name (3).
 */
#include <zebra.h>

#include <string.h>
#include <strings.h>

#include "amt_dns_record.h"

#define DNS_HEADER_LEN	  12
#define DNS_NAME_WIRE_MAX 255
#define DNS_LABEL_MAX	  63

const char *amt_dns_error_str(enum amt_dns_error err)
{
	switch (err) {
	case AMT_DNS_OK:
		return "ok";
	case AMT_DNS_TRUNCATED:
		return "truncated";
	case AMT_DNS_BAD_LENGTH:
		return "bad length";
	case AMT_DNS_BAD_RELAY_TYPE:
		return "unknown relay type";
	case AMT_DNS_BAD_NAME:
		return "bad domain name";
	case AMT_DNS_BAD_HEADER:
		return "not a usable response";
	case AMT_DNS_ERROR_MAX:
		break;
	}
	return "unknown error";
}

const char *amt_relay_type_str(enum amt_relay_type type)
{
	switch (type) {
	case AMT_RELAY_TYPE_NONE:
		return "none";
	case AMT_RELAY_TYPE_IPV4:
		return "ipv4";
	case AMT_RELAY_TYPE_IPV6:
		return "ipv6";
	case AMT_RELAY_TYPE_NAME:
		return "name";
	}
	return "unknown";
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A host name label: letters, digits, '-' and '_' (no dots, no escapes). */
static bool amt_dns_label_char_ok(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

/*
 * An uncompressed wire-format name that fills buf exactly, to dotted text
 * without the final dot.  The root name alone names no relay.
 */
static enum amt_dns_error amt_dns_name_to_text(const uint8_t *buf, size_t len, char *out,
					       size_t outsize)
{
	size_t pos = 0, o = 0;

	if (len > DNS_NAME_WIRE_MAX)
		return AMT_DNS_BAD_NAME;
	for (;;) {
		uint8_t l;

		if (pos >= len)
			return AMT_DNS_TRUNCATED;
		l = buf[pos++];
		if (l == 0)
			break;
		/* Compression pointers and extended label types. */
		if (l > DNS_LABEL_MAX)
			return AMT_DNS_BAD_NAME;
		if (l > len - pos)
			return AMT_DNS_TRUNCATED;
		/* A dot before it, the label, room for the terminating NUL. */
		if (o + (o ? 1 : 0) + l + 1 > outsize)
			return AMT_DNS_BAD_NAME;
		if (o)
			out[o++] = '.';
		for (uint8_t i = 0; i < l; i++) {
			if (!amt_dns_label_char_ok(buf[pos + i]))
				return AMT_DNS_BAD_NAME;
			out[o++] = buf[pos + i];
		}
		pos += l;
	}
	if (pos != len)
		return AMT_DNS_BAD_LENGTH;
	if (o == 0)
		return AMT_DNS_BAD_NAME;
	out[o] = '\0';
	return AMT_DNS_OK;
}

enum amt_dns_error amt_relay_rdata_parse(const uint8_t *rdata, size_t len,
					 struct amt_relay_record *rec)
{
	const uint8_t *relay = rdata + 2;
	size_t rlen;

	if (len < 2)
		return AMT_DNS_TRUNCATED;
	rlen = len - 2;
	memset(&rec->addr, 0, sizeof(rec->addr));
	rec->name[0] = '\0';
	rec->precedence = rdata[0];
	rec->discovery_optional = !!(rdata[1] & 0x80);
	rec->type = rdata[1] & 0x7f;

	switch (rdata[1] & 0x7f) {
	case AMT_RELAY_TYPE_NONE:
		return rlen == 0 ? AMT_DNS_OK : AMT_DNS_BAD_LENGTH;
	case AMT_RELAY_TYPE_IPV4:
		if (rlen != 4)
			return rlen < 4 ? AMT_DNS_TRUNCATED : AMT_DNS_BAD_LENGTH;
		rec->addr.family = AF_INET;
		memcpy(&rec->addr.ip.v4, relay, 4);
		return AMT_DNS_OK;
	case AMT_RELAY_TYPE_IPV6:
		if (rlen != 16)
			return rlen < 16 ? AMT_DNS_TRUNCATED : AMT_DNS_BAD_LENGTH;
		rec->addr.family = AF_INET6;
		memcpy(&rec->addr.ip.v6, relay, 16);
		return AMT_DNS_OK;
	case AMT_RELAY_TYPE_NAME:
		return amt_dns_name_to_text(relay, rlen, rec->name, sizeof(rec->name));
	}
	return AMT_DNS_BAD_RELAY_TYPE;
}

/* Dotted text to an uncompressed wire-format name. */
static ssize_t amt_dns_name_encode(uint8_t *buf, size_t size, const char *name)
{
	size_t pos = 0;
	const char *p = name;

	while (*p) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);

		if (l == 0 || l > DNS_LABEL_MAX || pos + 1 + l > size)
			return -1;
		buf[pos++] = l;
		memcpy(buf + pos, p, l);
		pos += l;
		p += l;
		if (*p == '.')
			p++;
	}
	if (pos + 1 > size || pos + 1 > DNS_NAME_WIRE_MAX)
		return -1;
	buf[pos++] = 0;
	return pos;
}

ssize_t amt_relay_rdata_encode(uint8_t *buf, size_t size, const struct amt_relay_record *rec)
{
	ssize_t n;

	if (size < 2 || (unsigned int)rec->type > 0x7f)
		return -1;
	buf[0] = rec->precedence;
	buf[1] = (rec->discovery_optional ? 0x80 : 0) | rec->type;
	switch (rec->type) {
	case AMT_RELAY_TYPE_NONE:
		return 2;
	case AMT_RELAY_TYPE_IPV4:
		if (size < 6)
			return -1;
		memcpy(buf + 2, &rec->addr.ip.v4, 4);
		return 6;
	case AMT_RELAY_TYPE_IPV6:
		if (size < 18)
			return -1;
		memcpy(buf + 2, &rec->addr.ip.v6, 16);
		return 18;
	case AMT_RELAY_TYPE_NAME:
		n = amt_dns_name_encode(buf + 2, size - 2, rec->name);
		return n < 0 ? -1 : n + 2;
	}
	return -1;
}

/* Step over a possibly compressed name; *pos ends after it. */
static enum amt_dns_error amt_dns_skip_name(const uint8_t *msg, size_t len, size_t *pos)
{
	size_t p = *pos, wire = 0;

	for (;;) {
		uint8_t l;

		if (p >= len)
			return AMT_DNS_TRUNCATED;
		l = msg[p];
		if (l == 0) {
			*pos = p + 1;
			return AMT_DNS_OK;
		}
		if ((l & 0xc0) == 0xc0) {
			/* A pointer ends the name; we never follow it. */
			if (len - p < 2)
				return AMT_DNS_TRUNCATED;
			*pos = p + 2;
			return AMT_DNS_OK;
		}
		if (l > DNS_LABEL_MAX)
			return AMT_DNS_BAD_NAME;
		wire += 1 + l;
		if (wire > DNS_NAME_WIRE_MAX)
			return AMT_DNS_BAD_NAME;
		if (l >= len - p)
			return AMT_DNS_TRUNCATED;
		p += 1 + l;
	}
}

/* Keep the `max` lowest precedences: replace the worst when full. */
static void amt_dns_keep(struct amt_relay_record *out, size_t max, size_t *n,
			 const struct amt_relay_record *rec, struct amt_dns_answer_stats *st)
{
	size_t worst = 0;

	if (*n < max) {
		out[(*n)++] = *rec;
		return;
	}
	st->over_limit++;
	if (max == 0)
		return;
	for (size_t i = 1; i < max; i++)
		if (out[i].precedence > out[worst].precedence)
			worst = i;
	if (rec->precedence < out[worst].precedence)
		out[worst] = *rec;
}

enum amt_dns_error amt_dns_answer_parse(const uint8_t *msg, size_t len, struct amt_relay_record *out,
					size_t max, size_t *n, struct amt_dns_answer_stats *st)
{
	unsigned int qdcount, ancount;
	size_t pos = DNS_HEADER_LEN;
	enum amt_dns_error err;

	*n = 0;
	memset(st, 0, sizeof(*st));
	if (len < DNS_HEADER_LEN)
		return AMT_DNS_TRUNCATED;
	/* QR set, RCODE 0. */
	if (!(msg[2] & 0x80) || (msg[3] & 0x0f))
		return AMT_DNS_BAD_HEADER;
	qdcount = get16(msg + 4);
	ancount = get16(msg + 6);

	for (unsigned int i = 0; i < qdcount; i++) {
		err = amt_dns_skip_name(msg, len, &pos);
		if (err)
			return err;
		if (len - pos < 4)
			return AMT_DNS_TRUNCATED;
		pos += 4;
	}
	for (unsigned int i = 0; i < ancount; i++) {
		struct amt_relay_record rec;
		uint16_t type, class, rdlen;
		uint32_t ttl;

		err = amt_dns_skip_name(msg, len, &pos);
		if (err)
			return err;
		if (len - pos < 10)
			return AMT_DNS_TRUNCATED;
		type = get16(msg + pos);
		class = get16(msg + pos + 2);
		ttl = get32(msg + pos + 4);
		rdlen = get16(msg + pos + 8);
		pos += 10;
		if (len - pos < rdlen)
			return AMT_DNS_TRUNCATED;
		if (type != AMT_DNS_TYPE_AMTRELAY || class != AMT_DNS_CLASS_IN) {
			st->other_records++;
			pos += rdlen;
			continue;
		}
		st->records++;
		if (amt_relay_rdata_parse(msg + pos, rdlen, &rec) != AMT_DNS_OK) {
			st->bad_records++;
		} else if (rec.type == AMT_RELAY_TYPE_NONE) {
			st->no_relay++;
		} else {
			/* RFC 2181 section 8: a TTL with the top bit set means 0. */
			rec.ttl = (ttl & 0x80000000) ? 0 : ttl;
			amt_dns_keep(out, max, n, &rec, st);
		}
		pos += rdlen;
	}
	return AMT_DNS_OK;
}

void amt_relay_records_order(struct amt_relay_record *recs, size_t n, uint32_t (*rnd)(void *arg),
			     void *arg)
{
	struct amt_relay_record tmp;

	if (n < 2)
		return;
	/* Shuffle (Fisher-Yates), then a stable sort by precedence. */
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = rnd(arg) % (i + 1);

		tmp = recs[i];
		recs[i] = recs[j];
		recs[j] = tmp;
	}
	for (size_t i = 1; i < n; i++) {
		size_t j = i;

		tmp = recs[i];
		while (j > 0 && recs[j - 1].precedence > tmp.precedence) {
			recs[j] = recs[j - 1];
			j--;
		}
		recs[j] = tmp;
	}
}

bool amt_relay_record_same(const struct amt_relay_record *a, const struct amt_relay_record *b)
{
	if (a->type != b->type || a->discovery_optional != b->discovery_optional)
		return false;
	switch (a->type) {
	case AMT_RELAY_TYPE_NONE:
		return true;
	case AMT_RELAY_TYPE_IPV4:
		return a->addr.ip.v4.s_addr == b->addr.ip.v4.s_addr;
	case AMT_RELAY_TYPE_IPV6:
		return IN6_ARE_ADDR_EQUAL(&a->addr.ip.v6, &b->addr.ip.v6);
	case AMT_RELAY_TYPE_NAME:
		return strcasecmp(a->name, b->name) == 0;
	}
	return false;
}

ssize_t amt_dns_reverse_name(const struct amt_ipaddr *addr, char *buf, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *b;
	size_t o = 0;
	int n;

	if (addr->family == AF_INET) {
		b = (const uint8_t *)&addr->ip.v4;
		n = snprintf(buf, size, "%u.%u.%u.%u.in-addr.arpa", b[3], b[2], b[1], b[0]);
		return n < 0 || (size_t)n >= size ? -1 : n;
	}
	if (addr->family != AF_INET6 || size < 64 + sizeof("ip6.arpa"))
		return -1;
	b = addr->ip.v6.s6_addr;
	for (int i = 15; i >= 0; i--) {
		buf[o++] = hex[b[i] & 0x0f];
		buf[o++] = '.';
		buf[o++] = hex[b[i] >> 4];
		buf[o++] = '.';
	}
	memcpy(buf + o, "ip6.arpa", sizeof("ip6.arpa"));
	return o + sizeof("ip6.arpa") - 1;
}
