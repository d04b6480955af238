// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * amtd's error codes: what `show error all` and `show error CODE` say about
 * them.
 */
#include <zebra.h>

#include "lib/ferr.h"

#include "amt_errors.h"

/* clang-format off */
static struct log_ref amt_log_refs[] = {
	{
		.code = EC_AMT_PSEUDO_IF,
		.title = "AMT pseudo-interface error",
		.description = "amtd could not create or set up the tun device of a relay or gateway instance; a new instance's commit fails; a deleted one is created again with back-off while the instance is down.",
		.suggestion = "Check the reason in the log and in 'show amt': amtd needs CAP_NET_ADMIN and /dev/net/tun, and no other interface may have the instance's name.",
	},
	{
		.code = EC_AMT_SOCKET,
		.title = "AMT socket error",
		.description = "amtd could not open, set up or bind a UDP socket of a relay or gateway.",
		.suggestion = "Check that the relay's local-address (or discovery-address) is configured on this router, and that no other program uses the relay's UDP port on it.",
	},
	{
		.code = EC_AMT_RELAY_UNREACHABLE,
		.title = "AMT relay unreachable",
		.description = "A gateway gave its relay up: Relay Discovery or Request went unanswered after all retransmissions, or an ICMP error said the relay is unreachable. The gateway starts over, with the next relay where it has one.",
		.suggestion = "Check unicast reachability of the relay (ping, traceroute) and that UDP to its port (2268 by default) is not filtered on the way.",
	},
	{
		.code = EC_AMT_DNS_RESOLVER,
		.title = "AMT DNS resolver error",
		.description = "The c-ares resolver that DNS relay discovery uses could not be set up, or needed more sockets than amtd handles.",
		.suggestion = "Check /etc/resolv.conf and the memory and file descriptor limits of amtd.",
	},
	{
		.code = EC_AMT_DNS_DISCOVERY,
		.title = "AMT DNS relay discovery failure",
		.description = "DNS relay discovery (RFC 8777) got no usable AMTRELAY record: the query failed, the answer was malformed or named no relay, or a relay name did not resolve. The gateway queries again after a back-off.",
		.suggestion = "Check the AMTRELAY records of the name the gateway queries (show amt gateway) with a DNS client, and the name servers of /etc/resolv.conf.",
	},
	{
		.code = EC_AMT_PIM_JOIN,
		.title = "AMT gateway join failure",
		.description = "A gateway could not hold a join of pimd as a socket membership on its pseudo-interface, so the relay is not asked for that flow.",
		.suggestion = "Check the kernel's membership limits (net.ipv4.igmp_max_memberships, net.ipv4.igmp_max_msf and their IPv6 counterparts) and that the pseudo-interface is up.",
	},
	{
		.code = EC_AMT_MAC_SECRET,
		.title = "AMT MAC secret error",
		.description = "The relay could not draw a random secret for its response MACs from the kernel; it keeps its previous secret where it has one.",
		.suggestion = "Check that the kernel's random source (getrandom) works for amtd.",
	},
	{
		.code = EC_AMT_VRF,
		.title = "AMT pseudo-interface in a VRF",
		.description = "A relay or gateway pseudo-interface was put into a VRF other than the default one. AMT instances live in the default VRF only: amtd no longer uses the pseudo-interface through zebra (a gateway withdraws its routes) until it is back in the default VRF.",
		.suggestion = "Take the pseudo-interface out of the VRF (ip link set IFNAME nomaster); run amtd for another VRF in a separate network namespace if needed.",
	},
	{
		.code = EC_AMT_SNAPSHOT,
		.title = "AMT relay restart snapshot problem",
		.description = "A relay keeps its MAC secrets and tunnels in a snapshot file under FRR's state directory so that a restarted amtd serves its gateways at once. The file found at start was ignored (truncated, corrupt, of another format version, taken with other relay addresses or port, not a 0600 file of amtd's user) and the relay started empty; or the file could not be written or removed.",
		.suggestion = "Nothing is needed for an ignored snapshot: gateways come back with their next Request. Check the state directory (e.g. /var/lib/frr) exists, belongs to amtd's user and has room.",
	},
	{
		.code = EC_AMT_ANYCAST_ROUTE,
		.title = "AMT anycast discovery address route failure",
		.description = "A relay that advertises its anycast discovery address (advertise-discovery-address) could not add or remove the kernel's local route that delivers Relay Discovery to it, or could not send the address's route of type amt to zebra.",
		.suggestion = "Check that amtd has CAP_NET_ADMIN and that zebra is running; show amt relay gives the advertisement's state.",
	},
	{
		.code = END_FERR,
	}
};
/* clang-format on */

void amt_error_init(void)
{
	log_ref_add(amt_log_refs);
}
