#!/bin/sh
# What the topotests, the demo and the benchmark's data rows need of the
# running kernel, beyond a Debian 12 userland: tun devices, network
# namespaces, veth, and IPv4 and IPv6 multicast routing (pimd's routes are
# the kernel's: without CONFIG_IP_MROUTE pimd's MRT_INIT fails with
# ENOPROTOOPT and no multicast is ever forwarded onto a pseudo-interface).
# Debian's own kernels have all of them; some virtual machines' kernels
# lack multicast routing.
#
#   check-kernel.sh [WHAT]
#
# Prints one line per missing feature, naming its kernel option, and exits
# 1 when one is missing (0 otherwise).  WHAT (say "the topotests") is named
# in the message.
what=${1:-amtd}
missing=0

lacks() {
	echo "$what: the running kernel ($(uname -r)) has no $1 ($2)" >&2
	missing=1
}

[ -e /proc/net/ip_mr_vif ] || lacks "IPv4 multicast routing" CONFIG_IP_MROUTE
[ -e /proc/net/ip6_mr_vif ] || lacks "IPv6 multicast routing" CONFIG_IPV6_MROUTE
[ -c /dev/net/tun ] || lacks "tun device" "CONFIG_TUN, /dev/net/tun"
[ -e /proc/self/ns/net ] || lacks "network namespaces" CONFIG_NET_NS
exit "$missing"
