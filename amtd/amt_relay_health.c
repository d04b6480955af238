// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AMT relay health: whether the relay can serve, and the damped decision to
 * advertise its anycast discovery address.  See amt_relay_health.h.
 */
#include <zebra.h>

#include "amt_relay_health.h"

static const char *const amt_health_names[AMT_HEALTH_REASON_COUNT] = {
	"no-pseudo-interface", "no-zebra", "no-pim", "no-upstream",
	"load",		       "draining", "hold-down",
};

const char *amt_health_reason_str(uint32_t bit)
{
	for (unsigned int i = 0; i < AMT_HEALTH_REASON_COUNT; i++)
		if (bit == (1u << i))
			return amt_health_names[i];
	return "?";
}

const char *amt_health_reasons_str(uint32_t reasons, char *buf, size_t len)
{
	size_t used = 0;

	if (len == 0)
		return "";
	buf[0] = '\0';
	for (unsigned int i = 0; i < AMT_HEALTH_REASON_COUNT; i++) {
		int n;

		if (!(reasons & (1u << i)))
			continue;
		n = snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
			     amt_health_names[i]);
		if (n < 0 || (size_t)n >= len - used) {
			buf[used] = '\0'; /* whole names only */
			break;
		}
		used += n;
	}
	return buf[0] ? buf : "-";
}

void amt_health_config_default(struct amt_health_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->hold_down_s = 30;
	cfg->max_load_pct = 90;
}

uint32_t amt_health_evaluate(const struct amt_health_input *in)
{
	uint32_t r = 0;

	if (!in->pseudo_if)
		r |= AMT_HEALTH_NO_PSEUDO_IF;
	if (!in->zebra)
		r |= AMT_HEALTH_NO_ZEBRA;
	if (!in->pim_serving)
		r |= AMT_HEALTH_NO_PIM;
	/* Without zebra nothing is known to be reachable. */
	if (in->nprefixes && (in->reachable < in->nprefixes || !in->zebra))
		r |= AMT_HEALTH_NO_UPSTREAM;
	/* tunnels / limit >= pct / 100, in integers (no overflow: 64 bits). */
	if ((uint64_t)in->tunnels * 100 >= (uint64_t)in->tunnel_limit * in->max_load_pct)
		r |= AMT_HEALTH_LOAD;
	if (in->draining)
		r |= AMT_HEALTH_DRAINING;
	return r;
}

bool amt_health_pim_serving(uint64_t last_query_ms, uint8_t qrv, uint32_t qqi_s,
			    uint32_t max_resp_ms, uint64_t now_ms)
{
	uint64_t present_ms;

	if (last_query_ms == 0 || now_ms < last_query_ms)
		return last_query_ms != 0;
	if (qrv == 0)
		qrv = 2;
	if (qqi_s == 0)
		qqi_s = 125;
	present_ms = (uint64_t)qrv * qqi_s * 1000 + max_resp_ms / 2;
	return now_ms - last_query_ms <= present_ms;
}

bool amt_health_step(struct amt_health_state *st, uint32_t failing, uint32_t hold_down_s,
		     uint64_t now_ms, uint64_t *next_ms)
{
	uint64_t due;

	*next_ms = 0;
	failing &= ~(uint32_t)AMT_HEALTH_HOLD_DOWN;
	if (failing) {
		st->reasons = failing;
		st->healthy_since_ms = 0;
		if (!st->advertised)
			return false;
		st->advertised = false;
		st->withdrawals++;
		st->last_change_ms = now_ms;
		return true;
	}
	if (st->healthy_since_ms == 0 || st->healthy_since_ms > now_ms)
		st->healthy_since_ms = now_ms;
	if (st->advertised) {
		st->reasons = 0;
		return false;
	}
	due = st->healthy_since_ms + (uint64_t)hold_down_s * 1000;
	if (st->ever_advertised && now_ms < due) {
		st->reasons = AMT_HEALTH_HOLD_DOWN;
		*next_ms = due;
		return false;
	}
	st->reasons = 0;
	st->advertised = true;
	st->ever_advertised = true;
	st->advertisements++;
	st->last_change_ms = now_ms;
	return true;
}
