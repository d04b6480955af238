#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# amtd benchmark (make bench).  Needs root and FRR with amtd installed at
# /usr/lib/frr (make install).
#
#   tools/bench/run.sh [FRR_TREE]
#
# Builds the tools under tools/bench against FRR_TREE (default
# _build/frr), builds network namespaces
#
#   src (10.0.1.10) --- relay: mgmtd zebra pimd amtd --- gw: amt_gw_emu
#                        amtr0, 198.51.100.1         198.18.0.0/15 gateways
#   feed: amt_relay_stub --- gwd: mgmtd zebra amtd (gateway amtg0)
#
# runs the measurements (see tools/bench/README.md), prints the table and
# writes it to _build/bench/results.txt (and results.png when gnuplot is
# installed).  Every wait is bounded; the namespaces and daemons are removed
# on exit.  The default run, every row below but hold and ceiling alone,
# takes about 9 minutes.
#
#   AMT_BENCH_FULL=1        also 100,000 tunnels of fan-out, 5 s windows, and
#                           a storm whose newcomers join the flowing channel
#   AMT_BENCH_ONLY="..."    some of: handshake (with memory) listing fanout
#                           (with the raw ceiling before each fan-out) mchan
#                           asm mixed ipv6 ceiling latency storm gateway
#                           profile hold
#   AMT_BENCH_LIST_TUNNELS=N  tunnels for the listing (default 100000)
#   AMT_BENCH_FANOUTS="..." fan-outs to measure
#   AMT_BENCH_ONLY=mchan    the many-channel row alone: AMT_BENCH_MCHAN_GROUPS
#                           (S,G) channels (1000) with AMT_BENCH_MCHAN_FANOUTS
#                           tunnels each ("1 2 10"), the ceiling before each
#   AMT_BENCH_ONLY=mchan6   the same over IPv6 tunnels with MLDv2 joins, the
#                           channels (SOURCE6, GROUP6 + 0 .. K-1) from one
#                           source (not in the default list)
#   AMT_BENCH_ONLY=asm      an ASM (*,G) channel through the relay's RP at
#                           AMT_BENCH_ASM_FANOUTS tunnels ("1 100 10000")
#   AMT_BENCH_ONLY=mixed    every second gateway IPv6, one channel, at
#                           AMT_BENCH_MIXED_FANOUTS tunnels ("10 100 1000")
#   AMT_BENCH_ONLY=ipv6     an IPv6 (S,G) (MLDv2 joins) over IPv6 tunnels, at
#                           AMT_BENCH_IPV6_FANOUTS tunnels ("1 100 10000")
#   AMT_BENCH_TUN_READ=read the relay reads the amtr0 device
#                           (pseudo-interface-read; default packet-ring, the
#                           relay's default)
#   AMT_BENCH_SRC_GSO=0     the one-channel source sends one datagram per
#                           message (default 1: bursts of 32, UDP GSO)
#   AMT_BENCH_FORWARD=redirect  the source's multicast reaches amtr0 through
#                           a tc redirect instead of the kernel's multicast
#                           routing (pimd's routes); the default where the
#                           kernel has no multicast routing (CONFIG_IP_MROUTE)
#   AMT_BENCH_MCHAN_BURST=0 the many-channel source takes the channels in
#                           turn datagram by datagram (default 1: burst by
#                           burst, 32 datagrams per channel, UDP GSO)
set -eu

TOP=$(cd "$(dirname "$0")/../.." && pwd)
TREE=${1:-$TOP/_build/frr}
FRR=${AMT_BENCH_FRR:-/usr/lib/frr}
OUT=$TOP/_build/bench
BIN=$OUT/bin
RUN=$OUT/run
FULL=${AMT_BENCH_FULL:-0}
ONLY=${AMT_BENCH_ONLY:-handshake listing fanout mchan asm mixed ipv6 latency storm gateway profile}
MCHAN_GROUPS=${AMT_BENCH_MCHAN_GROUPS:-1000}
MCHAN_FANOUTS=${AMT_BENCH_MCHAN_FANOUTS:-1 2 10}
MCHAN_SOURCES=${AMT_BENCH_MCHAN_SOURCES:-10}
PY=/usr/bin/python3
# How the relay reads amtr0 (its pseudo-interface-read setting).
TUN_READ=${AMT_BENCH_TUN_READ:-packet-ring}
RING_LOG=
[ "$TUN_READ" = packet-ring ] && RING_LOG=1
# The one-channel rows' source sends bursts of up to 32 datagrams per
# message (mcast_tool --gso), so that the core it shares with the multicast
# forwarding is not what bounds the relay at small fan-outs; 0: one
# datagram per message, as before 2026-12-02 23:30.
SRC_GSO=
[ "${AMT_BENCH_SRC_GSO:-1}" = 1 ] && SRC_GSO=--gso
# The many-channel source: each channel's datagrams leave in bursts of 32
# (a frame's packets, back to back, as encoders send them), one UDP GSO
# message per burst; 0: the channels take turns by single datagrams, the
# order before 2026-12-03, whose source core bounded the row at 0.42.
MCHAN_GSO=
[ "${AMT_BENCH_MCHAN_BURST:-1}" = 1 ] && MCHAN_GSO=--gso
# How the source's multicast gets from relay-eth1 onto amtr0: the kernel's
# multicast routing, with the routes pimd installs (mroute), or, where the
# kernel was built without it, a tc redirect of every packet to the
# benchmark's groups (redirect): the relay then reads the same packets, but
# pimd plays no part (no routes, no RP: the ASM row's (*,G) reaches the
# relay without one), and the core that forwards pays for tc, not ipmr.
FORWARD=${AMT_BENCH_FORWARD:-}
if [ -z "$FORWARD" ]; then
	FORWARD=mroute
	"$TOP/tools/check-kernel.sh" "the benchmark" 2>/dev/null || FORWARD=redirect
fi
# The relay amtd's gRPC northbound (inside its namespace).
GRPC_PORT=50051

ID=$$
NS_SRC=amtbench-$ID-src
NS_RELAY=amtbench-$ID-relay
NS_GW=amtbench-$ID-gw
NS_FEED=amtbench-$ID-feed
NS_GWD=amtbench-$ID-gwd
ALL_NS="$NS_SRC $NS_RELAY $NS_GW $NS_FEED $NS_GWD"

RELAY_ADDR=198.51.100.1
SOURCE=10.0.1.10
GROUP=232.1.1.1
GROUP2=232.1.1.2
ASM_GROUP=239.1.1.1
# Mixed families (mixed): the relay's IPv6 address, the IPv6 gateways'
# prefix (RFC 3849 and RFC 5180), the fan-outs.
RELAY_ADDR6=2001:db8:100::1
PREFIX6=2001:2::/48
MIXED_FANOUTS=${AMT_BENCH_MIXED_FANOUTS:-10 100 1000}
# IPv6 with MLD inside (ipv6): the IPv6 source (RFC 3849) and an SSM group
# (ff3e::/32, RFC 4607), the fan-outs.
SOURCE6=2001:db8:1::10
GROUP6=ff3e::8000:1
IPV6_FANOUTS=${AMT_BENCH_IPV6_FANOUTS:-1 100 10000}
# The emulator's and raw_fanout's extra options of the row running (mixed,
# ipv6), for the ceiling and the relay's runs alike.
ROW_EMU=""
ROW_RAW=""
ASM_FANOUTS=${AMT_BENCH_ASM_FANOUTS:-1 100 10000}
PREFIX=198.18.0.0/15
PPA=1000

# The relay (and the raw ceiling) get a core of their own; the rest shares
# the other one.
if [ "$(nproc)" -ge 2 ]; then
	RELAY_CPU=1
	OTHER_CPU=0
else
	RELAY_CPU=0
	OTHER_CPU=0
fi

if [ "$FULL" = 1 ]; then
	FANOUTS="1 10 100 1000 10000 100000"
	MEASURE_MS=5000
else
	FANOUTS="1 10 100 1000 10000"
	MEASURE_MS=3000
fi
FANOUTS=${AMT_BENCH_FANOUTS:-$FANOUTS}
WARMUP_MS=1000

BGPIDS=""
CLK_TCK=$(getconf CLK_TCK)
RESULTS=$RUN/results.kv

log() {
	printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2
}

# ------------------------------------------------------------------ cleanup

stop_daemons() {
	for ns in $ALL_NS; do
		for pidfile in /var/run/frr/"$ns"/*.pid; do
			[ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null
		done
	done
	return 0
}

cleanup() {
	trap - EXIT INT TERM HUP PIPE
	for p in $BGPIDS; do
		kill "$p" 2>/dev/null || true
	done
	stop_daemons
	sleep 1
	for ns in $ALL_NS; do
		ip netns del "$ns" 2>/dev/null || true
		rm -rf "/etc/frr/$ns" "/var/run/frr/$ns"
	done
}

# ------------------------------------------------------------------ helpers

# wait_for SECONDS COMMAND...: poll every 0.1 s until COMMAND succeeds.
# (Helpers use variables of their own: sh has no local ones.)
wait_for() {
	_wf_n=$(($1 * 10))
	shift
	while [ "$_wf_n" -gt 0 ]; do
		"$@" 2>/dev/null && return 0
		sleep 0.1
		_wf_n=$((_wf_n - 1))
	done
	return 1
}

# wait_pid SECONDS PID: wait for a background job, killing it at the limit.
wait_pid() {
	_wp_n=$(($1 * 10))
	while [ "$_wp_n" -gt 0 ] && kill -0 "$2" 2>/dev/null; do
		sleep 0.1
		_wp_n=$((_wp_n - 1))
	done
	if kill -0 "$2" 2>/dev/null; then
		log "  process $2 still running after $1 s: stopping it"
		kill "$2" 2>/dev/null || true
	fi
	wait "$2" 2>/dev/null || true
}

# kv FILE KEY: a value from a key=value file (empty if missing).
kv() {
	sed -n "s/^$2=//p" "$1" 2>/dev/null | tail -n 1
}

# record PREFIX FILE: add a tool's key=value output to the results.
record() {
	sed "s/^/$1./" "$2" >>"$RESULTS"
}

# record_run PREFIX F: the emulator's output F.emu and what run.sh adds, F.x.
record_run() {
	record "$1" "$2.emu"
	if [ -f "$2.x" ]; then
		record "$1" "$2.x"
	fi
}

put() {
	echo "$1=$2" >>"$RESULTS"
}

vty() {
	ip netns exec "$1" vtysh -N "$1" -c "$2"
}

# json_get NS COMMAND PYTHON-EXPR(d): a value from a vtysh json command.
json_get() {
	vty "$1" "$2" | $PY -c "import json,sys; d=json.load(sys.stdin); print($3)"
}

relay_tunnels() {
	json_get "$NS_RELAY" "show amt relay json" "d['amtr0']['tunnelCount']"
}

relay_stat() {
	json_get "$NS_RELAY" "show amt relay statistics json" "d['amtr0']$1"
}

# sock_dropped: messages the kernel dropped at the relay's full UDP socket.
sock_dropped() {
	relay_stat "['received'].get('socketDrops', 0)" 2>/dev/null || echo 0
}

# tun_dropped: packets the kernel dropped because amtd did not read amtr0.
tun_dropped() {
	ip netns exec "$NS_RELAY" cat /sys/class/net/amtr0/statistics/tx_dropped
}

# tun_in: packets the kernel forwarded onto amtr0 (queued or dropped there):
# all that any relay on amtr0 could have been given.
tun_in() {
	ip netns exec "$NS_RELAY" cat /sys/class/net/amtr0/statistics/tx_packets \
		/sys/class/net/amtr0/statistics/tx_dropped | awk '{ n += $1 } END { print n }'
}

tunnels_are() {
	[ "$(relay_tunnels)" = "$1" ]
}

clear_tunnels() {
	vty "$NS_RELAY" "clear amt relay amtr0 tunnels" >/dev/null
	wait_for 30 tunnels_are 0 || log "  tunnels did not clear"
}

amtd_pid() {
	cat "/var/run/frr/$NS_RELAY/amtd.pid"
}

# Busy time of the relay's core so far (all but idle and iowait), in clock
# ticks: amtd's own counters miss the softirq work its sends cause.
core_ticks() {
	awk -v c="cpu$RELAY_CPU" '$1 == c {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat
}

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# cpu_share TICKS0 MS0: how busy the relay's core was (percent) since then.
cpu_share() {
	echo $((($(core_ticks) - $1) * 100000 / (CLK_TCK * ($(now_ms) - $2 + 1))))
}

# ------------------------------------------------------------------ build

build_tools() {
	mkdir -p "$BIN"
	B=$TREE
	cflags="-O2 -g -std=gnu11 -Wall -DHAVE_CONFIG_H -I$B -I$B/lib -I$B/include -I$B/amtd"
	codec="$B/amtd/amt_packet.c $B/amtd/amt_igmp.c"
	libs="-L$B/lib/.libs -lfrr -Wl,-rpath,$B/lib/.libs"
	src=$TOP/tools/bench
	log "building the benchmark tools against $B"
	# shellcheck disable=SC2086
	{
		gcc $cflags -o "$BIN/amt_gw_emu" "$src/amt_gw_emu.c" "$src/bench_util.c" $codec $libs
		gcc $cflags -o "$BIN/amt_relay_stub" "$src/amt_relay_stub.c" "$src/bench_util.c" \
			$codec $libs
		gcc $cflags -o "$BIN/raw_fanout" "$src/raw_fanout.c" "$src/bench_util.c"
		gcc $cflags -o "$BIN/mcast_tool" "$src/mcast_tool.c" "$src/bench_util.c"
	}
}

# ------------------------------------------------------------------ topology

frr_config() {
	mkdir -p "/etc/frr/$1" "/var/run/frr/$1"
	cat >"/etc/frr/$1/frr.conf"
	echo "service integrated-vtysh-config" >"/etc/frr/$1/vtysh.conf"
	chown -R frr:frr "/etc/frr/$1" "/var/run/frr/$1"
}

# start_frr NS CPU DAEMON...: start daemons (each waits for the previous).
start_frr() {
	ns=$1
	cpu=$2
	shift 2
	for d in "$@"; do
		# The relay's amtd serves FRR's gRPC northbound too (the listing's
		# gRPC walk), where FRR was built with it.
		mods=""
		if [ "$ns:$d" = "$NS_RELAY:amtd" ] && [ -e "$FRR/modules/grpc.so" ]; then
			mods="-M grpc:$GRPC_PORT"
		fi
		# shellcheck disable=SC2086 # mods: no option, or an option and its value
		ip netns exec "$ns" "$FRR/$d" -N "$ns" -d --log "file:/var/run/frr/$ns/$d.log" \
			$mods </dev/null >/dev/null 2>&1
		wait_for 10 test -S "/var/run/frr/$ns/$d.vty" || {
			log "$d did not start in $ns"
			return 1
		}
		taskset -a -p -c "$cpu" "$(cat "/var/run/frr/$ns/$d.pid")" >/dev/null
	done
	ip netns exec "$ns" vtysh -N "$ns" -b >/dev/null
}

veth() {
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
	ip -n "$1" addr add "$5" dev "$2"
	ip -n "$3" addr add "$6" dev "$4"
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}

relay_up() {
	ip -n "$NS_SRC" route add default via 10.0.1.1
	# The emulated gateways live in 198.18.0.0/15 (RFC 2544), behind gw.
	ip -n "$NS_RELAY" route add "$PREFIX" via 198.51.100.2
	# What the emulator captured is not for the gw stack: drop it early.
	ip netns exec "$NS_GW" iptables -t raw -A PREROUTING -p udp -d "$PREFIX" -j DROP
	# The IPv6 gateways of the mixed-family and IPv6 rows, likewise; only
	# when such a row runs (the relay then has an IPv6 socket too).
	relay6=""
	case " $ONLY " in
	*" mixed "* | *" ipv6 "* | *" mchan6 "*)
		ip -n "$NS_RELAY" -6 addr add "$RELAY_ADDR6/64" dev relay-eth0 nodad
		ip -n "$NS_GW" -6 addr add 2001:db8:100::2/64 dev gw-eth0 nodad
		ip -n "$NS_RELAY" -6 route add "$PREFIX6" via 2001:db8:100::2
		ip netns exec "$NS_GW" ip6tables -t raw -A PREROUTING -p udp -d "$PREFIX6" -j DROP
		relay6=" local-address $RELAY_ADDR6"
		;;
	esac
	# The IPv6 channel (ipv6): the source behind relay-eth1, pim6d with
	# MLD on amtr0 (amtd writes the gateways' MLDv2 reports there) and PIM
	# on the source's side, as pimd does for IPv4.
	pim6=""
	pim6_eth1=""
	pim6_amtr0=""
	case " $ONLY " in
	*" ipv6 "* | *" mchan6 "*)
		# No duplicate address detection: addresses usable at once.
		for ns in "$NS_RELAY" "$NS_SRC"; do
			ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
				net.ipv6.conf.default.accept_dad=0
		done
		# The relay is an IPv6 router (pim6d forwards the channel).
		ip netns exec "$NS_RELAY" sysctl -qw net.ipv6.conf.all.forwarding=1
		ip -n "$NS_RELAY" -6 addr add 2001:db8:1::1/64 dev relay-eth1 nodad
		ip -n "$NS_SRC" -6 addr add "$SOURCE6/64" dev src-eth0 nodad
		ip -n "$NS_SRC" -6 route add default via 2001:db8:1::1
		pim6=pim6d
		pim6_eth1=" ipv6 pim"
		pim6_amtr0=" ipv6 address 2001:db8:254::1/64
 ipv6 pim
 ipv6 pim passive
 ipv6 mld"
		;;
	esac
	frr_config "$NS_RELAY" <<EOC
interface relay-eth1
 ip pim
$pim6_eth1
!
interface amtr0
 ip address 10.254.0.1/24
 ip igmp
 ip igmp version 3
 ip pim passive
$pim6_amtr0
!
router pim
 rp 10.0.1.1 239.0.0.0/8
exit
!
amt relay amtr0
 local-address $RELAY_ADDR
$relay6
 tunnel-limit 200000
 unauthenticated-rate-limit 10000000
 unauthenticated-prefix-rate-limit 10000000
 tunnels-per-address 65535
 pseudo-interface-read $TUN_READ
exit
!
EOC
	# shellcheck disable=SC2086
	start_frr "$NS_RELAY" "$OTHER_CPU" mgmtd zebra pimd $pim6
	start_frr "$NS_RELAY" "$RELAY_CPU" amtd
	wait_for 20 test -n "$(relay_tunnels)" || {
		log "amtd relay did not come up"
		return 1
	}
}

topology() {
	log "creating namespaces amtbench-$ID-*"
	for ns in $ALL_NS; do
		ip netns add "$ns"
		ip -n "$ns" link set lo up
	done
	veth "$NS_RELAY" relay-eth0 "$NS_GW" gw-eth0 "$RELAY_ADDR/24" 198.51.100.2/24
	veth "$NS_RELAY" relay-eth1 "$NS_SRC" src-eth0 10.0.1.1/24 "$SOURCE/24"
	# The many-channel row's other sources: SOURCE + 1 .. + MCHAN_SOURCES - 1.
	_t_s=$(echo "$SOURCE" | cut -d. -f4)
	for _t_i in $(seq 1 $((MCHAN_SOURCES - 1))); do
		ip -n "$NS_SRC" addr add "${SOURCE%.*}.$((_t_s + _t_i))/24" dev src-eth0
	done
	veth "$NS_FEED" feed-eth0 "$NS_GWD" gwd-eth0 192.0.2.1/24 192.0.2.2/24
	# amtd sends runs of datagrams to one gateway as UDP GSO messages.  veth
	# would carry such a message whole to the emulator, whose capture would
	# then count one datagram; a limit of one segment makes the kernel cut
	# it before veth, on the relay's core, as it does for a NIC without UDP
	# segmentation offload (the relay pays for it, as it should).
	ip -n "$NS_RELAY" link set relay-eth0 gso_max_segs 1
	relay_up
	[ "$FORWARD" = redirect ] && forward_redirect
	return 0
}

# forward_redirect: relay-eth1's multicast to the benchmark's groups (SSM
# 232/8, ASM 239/8, IPv6 ff3e::/16) goes straight out of amtr0 (tc mirred;
# amtr0 takes the IP packet as it is, without a link-layer header).
forward_redirect() {
	log "no kernel multicast routing here: the source's multicast reaches amtr0" \
		"through a tc redirect (pimd has no part in it)"
	tc -n "$NS_RELAY" qdisc add dev relay-eth1 ingress
	for _fr_m in "ip dst 232.0.0.0/8" "ip dst 239.0.0.0/8"; do
		# shellcheck disable=SC2086
		tc -n "$NS_RELAY" filter add dev relay-eth1 parent ffff: protocol ip \
			u32 match $_fr_m action mirred egress redirect dev amtr0
	done
	tc -n "$NS_RELAY" filter add dev relay-eth1 parent ffff: protocol ipv6 \
		u32 match ip6 dst ff3e::/16 action mirred egress redirect dev amtr0
}

# ------------------------------------------------------------------ tools

# emu ARGS...: the gateway emulator in gw, in the background; sets EMU_PID.
emu() {
	out=$1
	shift
	rm -f "$RUN/ready"
	ip netns exec "$NS_GW" "$BIN/amt_gw_emu" --ifname gw-eth0 --relay "$RELAY_ADDR" \
		--prefix "$PREFIX" --ports-per-addr "$PPA" --source "$SOURCE" --group "$GROUP" \
		--ready-file "$RUN/ready" --cpu "$OTHER_CPU" "$@" >"$out" 2>"$out.err" &
	EMU_PID=$!
	BGPIDS="$BGPIDS $EMU_PID"
}

emu_ready() {
	wait_for "$1" test -f "$RUN/ready" && return 0
	log "  the emulator did not get ready: $(cat "$2.err" 2>/dev/null)"
	return 1
}

# source RATE MS OUT [GROUP]: the multicast source in src, in the foreground;
# an IPv6 GROUP is sent to from SOURCE6.
source_run() {
	case ${4:-$GROUP} in
	*:*) set -- "$1" "$2" "$3" --src6 "$SOURCE6" --group6 "$4" ;;
	*) set -- "$1" "$2" "$3" --src "$SOURCE" --group "${4:-$GROUP}" ;;
	esac
	# shellcheck disable=SC2086
	ip netns exec "$NS_SRC" "$BIN/mcast_tool" send "$4" "$5" "$6" "$7" --rate "$1" \
		--duration-ms "$2" --cpu "$OTHER_CPU" $SRC_GSO >"$3"
}

# source_bg RATE MS OUT: the same in the background; sets SRC_PID.  Started
# directly (not through a function in a subshell), so that SRC_PID is the
# source itself (ip netns exec execs it) and killing it stops the stream.
source_bg() {
	# shellcheck disable=SC2086
	ip netns exec "$NS_SRC" "$BIN/mcast_tool" send --src "$SOURCE" --group "$GROUP" \
		--rate "$1" --duration-ms "$2" --cpu "$OTHER_CPU" $SRC_GSO >"$3" &
	SRC_PID=$!
	BGPIDS="$BGPIDS $SRC_PID"
}

# ------------------------------------------------------------------ tests

# Raw ceiling at N destinations: raw_fanout in relay, best of three runs
# (the machine may be shared), checked by a passive emulator.
ceiling_one() {
	n=$1
	pfx=${2:-ceiling.$n}
	f=$RUN/ceiling-$n
	# shellcheck disable=SC2086
	emu "$f.emu" --tunnels "$n" --passive --warmup-ms 300 --measure-ms 1500 --duration 30 \
		--idle-exit-ms 1000 $ROW_EMU
	emu_ready 10 "$f.emu"
	best=0
	worst=0
	for i in 1 2 3; do
		# shellcheck disable=SC2086
		ip netns exec "$NS_RELAY" "$BIN/raw_fanout" --bind "$RELAY_ADDR" \
			--prefix "$PREFIX" --ports-per-addr "$PPA" --tunnels "$n" --source "$SOURCE" \
			--group "$GROUP" --duration-ms 2000 --cpu "$RELAY_CPU" $ROW_RAW >"$f.raw$i"
		r=$(kv "$f.raw$i" rate_dps)
		if [ "$r" -gt "$best" ]; then
			best=$r
			cp "$f.raw$i" "$f.raw"
		fi
		if [ "$worst" -eq 0 ] || [ "$r" -lt "$worst" ]; then
			worst=$r
		fi
	done
	# What one core does with UDP GSO (amtd's path for runs of packets to
	# one tunnel): one 2 s run, 32 datagrams per message, up to 100 tunnels.
	gso=""
	if [ "$n" -le 100 ] && [ -z "$ROW_RAW" ]; then
		ip netns exec "$NS_RELAY" "$BIN/raw_fanout" --bind "$RELAY_ADDR" \
			--prefix "$PREFIX" --ports-per-addr "$PPA" --tunnels "$n" --source "$SOURCE" \
			--group "$GROUP" --duration-ms 2000 --gso 32 --cpu "$RELAY_CPU" >"$f.gso"
		gso=$(kv "$f.gso" rate_dps)
	fi
	wait_pid 30 "$EMU_PID"
	record "$pfx" "$f.raw"
	put "$pfx.worst_dps" "$worst"
	[ -z "$gso" ] || put "$pfx.gso_dps" "$gso"
	record_run "$pfx.rx" "$f"
	log "  ceiling N=$n: $best datagrams/s (worst of 3: $worst), $(kv "$f.raw" gbps) Gbit/s" \
		"${gso:+(GSO: $gso)}"
}

test_ceiling() {
	log "raw ceiling (raw_fanout, sendmmsg, one core)"
	for n in $FANOUTS; do
		ceiling_one "$n"
	done
}

ceiling_of() {
	v=$(sed -n "s/^ceiling\.$1\.rate_dps=//p" "$RESULTS" | tail -n 1)
	echo "${v:-700000}"
}

# run_begin: the relay's counters before a measured run.
run_begin() {
	_rb_d0=$(tun_dropped)
	_rb_i0=$(tun_in)
	_rb_e0=$(relay_stat "['sent']['errors']")
	_rb_r0=$(relay_stat "['pseudoInterface']['ringDrops']")
	_rb_k0=$(core_ticks)
	_rb_m0=$(now_ms)
}

# run_end F RATE PREFIX LABEL: once the source stopped: the relay's core
# share and counters since run_begin, the emulator's results, all recorded
# under PREFIX.
run_end() {
	{
		echo "core_busy_pct=$(cpu_share "$_rb_k0" "$_rb_m0")"
		echo "tun_in=$(($(tun_in) - _rb_i0))"
		echo "tun_in_ms=$(($(now_ms) - _rb_m0))"
	} >>"$1.x"
	wait_pid 60 "$EMU_PID"
	{
		echo "tun_dropped=$(($(tun_dropped) - _rb_d0))"
		echo "tx_errors=$(($(relay_stat "['sent']['errors']") - _rb_e0))"
		# What the packet ring lost (pseudo-interface-read packet-ring).
		echo "ring_drops=$(($(relay_stat "['pseudoInterface']['ringDrops']") - _rb_r0))"
		echo "offered_pps=$2"
	} >>"$1.x"
	record_run "$3" "$1"
	record "$3.src" "$1.src"
	log "  $4: source $2/s (sent $(kv "$1.src" rate_dps)/s) -> $(kv "$1.emu" rate_dps) datagrams/s," \
		"lost $(kv "$1.emu" window_lost) of $(kv "$1.emu" window_expected)," \
		"tun drops $(kv "$1.x" tun_dropped)${RING_LOG:+, ring drops $(kv "$1.x" ring_drops)}"
}

# One fan-out run: N tunnels, the source at RATE for the window.  KIND asm:
# the gateways join (*,ASM_GROUP) (IGMPv3 TO_EX({})) through the relay's
# pimd, the RP for 239.0.0.0/8 (at 10.0.1.1, its interface toward the
# source), and the source sends to ASM_GROUP; the (S,G) route comes from the
# first packets (pimd's upcall as first-hop router and RP), so the warm-up
# is 2 s.
fanout_run() {
	n=$1
	rate=$2
	tag=$3
	kind=${4:-fanout}
	f=$RUN/$kind-$n-$tag
	g=$GROUP
	wu=$WARMUP_MS
	set --
	if [ "$kind" = asm ]; then
		g=$ASM_GROUP
		wu=2000
		set -- --asm --group "$ASM_GROUP"
	fi
	if [ "$kind" = mixed ] || [ "$kind" = ipv6 ]; then
		# shellcheck disable=SC2086
		set -- $ROW_EMU
	fi
	if [ "$kind" = ipv6 ]; then
		g=$GROUP6
	fi
	clear_tunnels
	emu "$f.emu" --tunnels "$n" --warmup-ms "$wu" --measure-ms "$MEASURE_MS" \
		--duration 60 --idle-exit-ms 1500 "$@"
	emu_ready 180 "$f.emu" || return 0
	run_begin
	# The other rows' saturated runs at 1 tunnel, beside data-1 (profile).
	if [ "$kind" != fanout ] && [ "$n" = 1 ] && [ "$tag" = sat ]; then
		profile_start "$kind-1" 4
	fi
	source_run "$rate" $((wu + MEASURE_MS + 500)) "$f.src" "$g"
	profile_stop
	run_end "$f" "$rate" "$kind.$n.$tag" "$kind N=$n $tag"
	if [ "$kind" = ipv6 ]; then
		ipv6_state "$f"
	fi
}

# ipv6_state F: what the relay made of the IPv6 row's joins, kept beside
# the run's results (F.state): amtd's counters, pim6d's MLD and routes.
ipv6_state() {
	for _is_c in "show amt relay amtr0 statistics json" "show ipv6 mld groups" \
		"show ipv6 mld joins" "show ipv6 mroute" "show ipv6 multicast count"; do
		echo "### $_is_c"
		vty "$NS_RELAY" "$_is_c" 2>&1 | head -n 60
	done >"$1.state"
}

test_fanout() {
	log "fan-out throughput, one channel (the raw ceiling measured just before)"
	for n in $FANOUTS; do
		ceiling_one "$n"
		c=$(ceiling_of "$n")
		# Saturation: offer 1.5 x the ceiling; then 0.8 x for the loss check.
		fanout_run "$n" $(((c * 3 / 2 + n - 1) / n)) sat
		fanout_run "$n" $((c * 4 / 5 / n > 0 ? c * 4 / 5 / n : 1)) at80
	done
}

# Many channels: K (S,G) channels (groups GROUP .. GROUP+K-1, channel c from
# source SOURCE + c mod MCHAN_SOURCES),
# F tunnels each (gateway i joins GROUP + i mod K), so N = K x F tunnels.
# The source sends round-robin over the K groups, a burst of 32 datagrams
# per channel at a time (MCHAN_GSO), RATE datagrams/s in all;
# the relay then sends RATE x F datagrams/s to N endpoints, which is what
# the raw ceiling at N measures.  Before the window a slow pass over every
# group lets pimd install the K routes (the kernel keeps only 10 unresolved
# (S,G) at a time); the emulator's warm-up (3.5 s from the first datagram)
# covers it and the first 0.5-1.5 s of the measured stream.
mchan_run() {
	k=$1
	fo=$2
	rate=$3
	tag=$4
	n=$((k * fo))
	f=$RUN/$MCHAN_KIND-$k-$fo-$tag
	clear_tunnels
	# shellcheck disable=SC2086
	emu "$f.emu" --tunnels "$n" --groups "$k" $MCHAN_EMU --warmup-ms 3500 \
		--measure-ms "$MEASURE_MS" --duration 60 --idle-exit-ms 1500
	emu_ready 180 "$f.emu" || return 0
	# shellcheck disable=SC2086
	ip netns exec "$NS_SRC" "$BIN/mcast_tool" send $MCHAN_SRC \
		--groups "$k" --rate $((k * 5)) --duration-ms 2000 --cpu "$OTHER_CPU" >"$f.prime"
	{
		echo "channels=$k"
		echo "per_channel=$fo"
	} >"$f.x"
	run_begin
	if [ "$tag" = sat ] && [ "$MCHAN_KIND" = mchan ]; then
		profile_start "mchan-$fo" 4
	fi
	# shellcheck disable=SC2086
	ip netns exec "$NS_SRC" "$BIN/mcast_tool" send $MCHAN_SRC \
		--groups "$k" --rate "$rate" \
		--duration-ms $((MEASURE_MS + 2500)) \
		--cpu "$OTHER_CPU" $MCHAN_GSO >"$f.src"
	profile_stop
	run_end "$f" "$rate" "$MCHAN_KIND.$fo.$tag" "$k channels x $fo $tag"
}

test_mchan() {
	k=$MCHAN_GROUPS
	MCHAN_KIND=${1:-mchan}
	srcs=$MCHAN_SOURCES
	MCHAN_EMU="--sources $srcs"
	MCHAN_SRC="--src $SOURCE --group $GROUP --sources $srcs"
	if [ "$MCHAN_KIND" = mchan6 ]; then
		# IPv6 outside and MLDv2 inside, one IPv6 source.
		srcs=1
		MCHAN_EMU="--v6-every 1 --prefix6 $PREFIX6 --relay6 $RELAY_ADDR6 --mld"
		MCHAN_EMU="$MCHAN_EMU --source6 $SOURCE6 --group6 $GROUP6"
		MCHAN_SRC="--src6 $SOURCE6 --group6 $GROUP6"
		ROW_EMU=$MCHAN_EMU
		ROW_RAW="--v6-every 1 --prefix6 $PREFIX6 --bind6 $RELAY_ADDR6 --source6 $SOURCE6"
		ROW_RAW="$ROW_RAW --group6 $GROUP6"
	fi
	log "many channels ($MCHAN_KIND): $k (S,G) with $MCHAN_FANOUTS tunnels each (the raw" \
		"ceiling at the same number of endpoints measured just before)"
	put "$MCHAN_KIND.channels" "$k"
	put "$MCHAN_KIND.sources" "$srcs"
	put "$MCHAN_KIND.fanouts" "$MCHAN_FANOUTS"
	put "$MCHAN_KIND.burst" "$([ -n "$MCHAN_GSO" ] && echo 32 || echo 1)"
	for fo in $MCHAN_FANOUTS; do
		n=$((k * fo))
		ceiling_one "$n" "$MCHAN_KIND.$fo.ceiling"
		c=$(kv "$RUN/ceiling-$n.raw" rate_dps)
		c=${c:-700000}
		mchan_run "$k" "$fo" $(((c * 3 / 2 + fo - 1) / fo)) sat
		mchan_run "$k" "$fo" $((c * 4 / 5 / fo > 0 ? c * 4 / 5 / fo : 1)) at80
	done
	ROW_EMU=""
	ROW_RAW=""
}

# kind_rows KIND FANOUTS: for each N, the raw ceiling, then a saturated
# and a 0.8 x run of fanout_run's KIND, recorded as KIND.N.*.
kind_rows() {
	put "$1.fanouts" "$2"
	for n in $2; do
		ceiling_one "$n" "$1.$n.ceiling"
		c=$(kv "$RUN/ceiling-$n.raw" rate_dps)
		c=${c:-700000}
		fanout_run "$n" $(((c * 3 / 2 + n - 1) / n)) sat "$1"
		fanout_run "$n" $((c * 4 / 5 / n > 0 ? c * 4 / 5 / n : 1)) at80 "$1"
	done
}

test_asm() {
	log "ASM (*,G) through an RP: fan-outs $ASM_FANOUTS (the raw ceiling just before)"
	kind_rows asm "$ASM_FANOUTS"
}

# Mixed families: every second gateway is an IPv6 one (2001:2::/48, RFC
# 5180, to the relay's 2001:db8:100::1), all on one (S,G) with IPv4 inside;
# the ceiling is raw_fanout to the same endpoints from an IPv4 and an IPv6
# socket, one sendmmsg batch each, as amtd keeps them.
test_mixed() {
	log "mixed IPv4/IPv6 gateways on one channel: $MIXED_FANOUTS tunnels, every second IPv6"
	ROW_EMU="--v6-every 2 --prefix6 $PREFIX6 --relay6 $RELAY_ADDR6"
	ROW_RAW="--v6-every 2 --prefix6 $PREFIX6 --bind6 $RELAY_ADDR6"
	kind_rows mixed "$MIXED_FANOUTS"
	ROW_EMU=""
	ROW_RAW=""
}

# IPv6 outside and inside: one IPv6 (S,G) (SOURCE6, GROUP6 in ff3e::/32),
# every gateway an IPv6 one (2001:2::/48) whose Request sets P and whose
# Updates carry MLDv2 reports (RFC 7450 5.1.3.3, RFC 3810 5.2); the relay's
# pim6d forwards the channel onto amtr0.  The ceiling is raw_fanout from the
# relay's IPv6 address to the same endpoints, the same IPv6 inner packet.
test_ipv6() {
	log "IPv6 (S,G) $SOURCE6 -> $GROUP6, MLDv2 joins over IPv6 tunnels: $IPV6_FANOUTS" \
		"tunnels (the raw ceiling just before)"
	ROW_EMU="--v6-every 1 --prefix6 $PREFIX6 --relay6 $RELAY_ADDR6 --mld --source6 $SOURCE6"
	ROW_EMU="$ROW_EMU --group6 $GROUP6"
	ROW_RAW="--v6-every 1 --prefix6 $PREFIX6 --bind6 $RELAY_ADDR6 --source6 $SOURCE6"
	ROW_RAW="$ROW_RAW --group6 $GROUP6"
	kind_rows ipv6 "$IPV6_FANOUTS"
	ROW_EMU=""
	ROW_RAW=""
}

# memory_sample TAG: amtd's own counters and its RSS.
memory_sample() {
	vty "$NS_RELAY" "show memory amtd" >"$RUN/memory-$1.txt"
	$PY "$TOP/tools/bench/report.py" memtotal "$RUN/memory-$1.txt" >"$RUN/memory-$1.kv"
	grep VmRSS "/proc/$(amtd_pid)/status" | awk '{print "rss_kib=" $2}' >>"$RUN/memory-$1.kv"
}

# Handshakes of N tunnels with nothing flowing; memory once they are up.
handshake_run() {
	n=$1
	f=$RUN/handshake-$n
	clear_tunnels
	s0=$(sock_dropped)
	k0=$(core_ticks)
	m0=$(now_ms)
	emu "$f.emu" --tunnels "$n" --duration 0 --measure-ms 1000 \
		--window "${AMT_BENCH_HS_WINDOW:-1024}"
	if [ "${2:-}" = profile ]; then
		profile_start control 20
	fi
	emu_ready 300 "$f.emu" || return 0
	echo "core_busy_pct=$(cpu_share "$k0" "$m0")" >>"$f.x"
	wait_pid 30 "$EMU_PID"
	profile_stop
	wait_for 60 tunnels_are "$n" || log "  relay has $(relay_tunnels) tunnels, not $n"
	echo "relay_tunnels=$(relay_tunnels)" >>"$f.x"
	echo "socket_drops=$(($(sock_dropped) - s0))" >>"$f.x"
	record_run "handshake.$n" "$f"
	log "  $n handshakes: $(kv "$f.emu" handshakes_per_s)/s, $(kv "$f.emu" retransmits)" \
		"retransmissions, relay has $(kv "$f.x" relay_tunnels) tunnels"
	if [ "${3:-}" = memory ]; then
		memory_sample "$n"
		record "memory.$n" "$RUN/memory-$n.kv"
	fi
}

test_handshake_memory() {
	log "tunnel setup rate and memory per tunnel"
	clear_tunnels
	memory_sample 0
	record memory.0 "$RUN/memory-0.kv"
	handshake_run 10000 "" memory
	handshake_run 100000 profile memory
	clear_tunnels
}

# rss_peak PID FILE STOP: amtd's VmRSS (KiB) every 10 ms until STOP exists,
# the highest so far in FILE.  Bounded: 6,000 samples (about a minute).
rss_peak() {
	_rp_peak=0
	_rp_n=6000
	while [ ! -f "$3" ] && [ "$_rp_n" -gt 0 ]; do
		_rp_r=$(awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0)
		if [ "${_rp_r:-0}" -gt "$_rp_peak" ]; then
			_rp_peak=$_rp_r
			echo "$_rp_peak" >"$2"
		fi
		_rp_n=$((_rp_n - 1))
		sleep 0.01
	done
}

# amtd_vty COMMAND: a command to amtd alone (vtysh would send "clear event
# cpu" to every daemon).
amtd_vty() {
	ip netns exec "$NS_RELAY" vtysh -N "$NS_RELAY" -d amtd -c "$1"
}

# max_stall FILE: from "show event cpu" output, amtd's longest event (wall
# clock, us) and its function, then the longest of the events that are not
# amtd's own (the walk: vtysh_read, nb_op_walk_continue, the writes to vtysh
# and mgmtd): "US FUNCTION US FUNCTION".  Rows are: active, runtime ms,
# invoked, CPU avg, CPU max, wall avg, wall max, warnings x3, type letters,
# function.
max_stall() {
	awk '$2 ~ /^[0-9]+\.[0-9][0-9][0-9]$/ && NF >= 12 {
			if ($7 + 0 > m) {m = $7 + 0; f = $NF}
			if ($NF !~ /^amt_/ && $NF != "TOTAL" && $7 + 0 > w) {w = $7 + 0; g = $NF}
		}
		END {print m + 0, (f == "" ? "-" : f), w + 0, (g == "" ? "-" : g)}' "$1"
}

# relay_tx_data: Multicast Data datagrams the relay has sent.
relay_tx_data() {
	relay_stat "['sent']['data']"
}

# walk_run TAG FILE KV COMMAND...: one full walk of the tunnels with the channel
# flowing: amtd's event statistics cleared before, its longest event after;
# the relay's Multicast Data rate in the 2 s before and during the walk (its
# counters, read around the walk: amtd may not answer during it), amtd's
# kernel drops on amtr0 and its RSS peak, as TAG.key=value lines added to KV.
walk_run() {
	tag=$1
	wf=$2
	wkv=$3
	shift 3
	pid=$(amtd_pid)
	amtd_vty "clear event cpu" >/dev/null
	b0=$(relay_tx_data)
	bm0=$(now_ms)
	sleep 2
	b1=$(relay_tx_data)
	bm1=$(now_ms)
	rm -f "$wf.stop" "$wf.peak"
	rss0=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
	echo "$rss0" >"$wf.peak"
	rss_peak "$pid" "$wf.peak" "$wf.stop" &
	rp=$!
	BGPIDS="$BGPIDS $rp"
	d0=$(tun_dropped)
	t0=$(relay_tx_data)
	m0=$(now_ms)
	"$@" >"$wf.out"
	m1=$(now_ms)
	t1=$(relay_tx_data)
	d1=$(tun_dropped)
	touch "$wf.stop"
	wait_pid 5 "$rp"
	amtd_vty "show event cpu" >"$wf.cpu"
	set -- $(max_stall "$wf.cpu")
	{
		echo "$tag.ms=$((m1 - m0))"
		echo "$tag.output_bytes=$(stat -c %s "$wf.out")"
		echo "$tag.rss_before_kib=$rss0"
		echo "$tag.rss_peak_kib=$(cat "$wf.peak")"
		echo "$tag.max_event_us=$1"
		echo "$tag.max_event=$2"
		echo "$tag.walk_event_us=$3"
		echo "$tag.walk_event=$4"
		echo "$tag.before_dps=$(((b1 - b0) * 1000 / (bm1 - bm0 + 1)))"
		echo "$tag.during_dps=$(((t1 - t0) * 1000 / (m1 - m0 + 1)))"
		echo "$tag.tun_dropped=$((d1 - d0))"
	} >>"$wkv"
}

# tree_tunnels FILE [KEY]: the tunnels in the frr-amtd data tree of a JSON
# file (get-data's answer; under KEY: amt_grpc_client.py's "data"); nothing
# when the answer is not JSON (mgmtd's error message, say), which the report
# shows as not listed.
tree_tunnels() {
	$PY -c 'import json, sys
try:
    d = json.load(open(sys.argv[1]))
except ValueError:
    sys.exit(0)
if len(sys.argv) > 2:
    d = d.get(sys.argv[2]) or {}
print(sum(len(r.get("tunnel", [])) for r in d.get("frr-amtd:amtd", {}).get("relay", [])))' "$@"
}

# Listing: with N tunnels up and the channel flowing to all of them (the
# source offers 1.5 x the raw ceiling at N), the whole table over vtysh json
# (amtd's own command, one event) and through mgmtd's get-data (amtd as
# mgmtd's backend: the northbound's yielding walk), each timed at the client,
# with amtd's longest event, forwarding before and during the walk and RSS;
# then the bounded forms (count, one gateway address's PPA tunnels).
test_listing() {
	n=${AMT_BENCH_LIST_TUNNELS:-100000}
	f=$RUN/listing-$n
	log "listing $n tunnels over vtysh json and mgmtd get-data, the channel flowing"
	clear_tunnels
	emu "$f.emu" --tunnels "$n" --duration 0 --window "${AMT_BENCH_HS_WINDOW:-1024}"
	emu_ready 300 "$f.emu" || return 0
	wait_pid 60 "$EMU_PID"
	wait_for 60 tunnels_are "$n" || log "  relay has $(relay_tunnels) tunnels, not $n"
	pid=$(amtd_pid)
	rm -f "$f.x"
	ceiling_one "$n" "listing.ceiling"
	f=$RUN/listing-$n
	c=$(kv "$RUN/ceiling-$n.raw" rate_dps)
	source_bg $(((c * 3 / 2 + n - 1) / n)) 600000 "$f.src"
	sleep 3
	walk_run vtysh "$f.vtysh" "$f.x" vty "$NS_RELAY" "show amt relay amtr0 tunnels json"
	mv "$f.vtysh.out" "$f.json"
	walk_run mgmt "$f.mgmt" "$f.x" vty "$NS_RELAY" \
		"show mgmt get-data /frr-amtd:amtd/relay[name='amtr0']/tunnel json"
	# FRR's gRPC Get (FRR 10.3 walks the operational data in one event).
	if [ -e "$FRR/modules/grpc.so" ]; then
		walk_run grpc "$f.grpc" "$f.x" ip netns exec "$NS_RELAY" $PY \
			"$TOP/tests/topotests/amt_relay/amt_grpc_client.py" \
			--proto "$TREE/grpc/frr-northbound.proto" --port "$GRPC_PORT" \
			--timeout 600 --max-receive-mib 1024 \
			get "/frr-amtd:amtd/relay[name='amtr0']/tunnel" state
	fi
	kill "$SRC_PID" 2>/dev/null || true
	wait_pid 5 "$SRC_PID"
	m2=$(now_ms)
	vty "$NS_RELAY" "show amt relay amtr0 tunnels count json" >"$f.count.json"
	m3=$(now_ms)
	vty "$NS_RELAY" "show amt relay amtr0 tunnels gateway 198.18.0.1 json" >"$f.gw.json"
	m4=$(now_ms)
	{
		echo "tunnels=$(relay_tunnels)"
		echo "listed=$($PY -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["amtr0"]["tunnels"]))' "$f.json")"
		echo "mgmt.listed=$(tree_tunnels "$f.mgmt.out")"
		[ -f "$f.grpc.out" ] && echo "grpc.listed=$(tree_tunnels "$f.grpc.out" data)"
		echo "list_ms=$(kv "$f.x" vtysh.ms)"
		echo "output_bytes=$(kv "$f.x" vtysh.output_bytes)"
		echo "rss_before_kib=$(kv "$f.x" vtysh.rss_before_kib)"
		echo "rss_peak_kib=$(kv "$f.x" vtysh.rss_peak_kib)"
		echo "rss_after_kib=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")"
		echo "count_ms=$((m3 - m2))"
		echo "gateway_ms=$((m4 - m3))"
		echo "gateway_listed=$($PY -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["amtr0"]["tunnels"]))' "$f.gw.json")"
	} >>"$f.x"
	record listing "$f.x"
	log "  $(kv "$f.x" listed) tunnels listed in $(kv "$f.x" list_ms) ms," \
		"amtd RSS $(kv "$f.x" rss_before_kib) -> peak $(kv "$f.x" rss_peak_kib) KiB," \
		"longest event $(kv "$f.x" vtysh.max_event_us) us ($(kv "$f.x" vtysh.max_event))," \
		"forwarding $(kv "$f.x" vtysh.during_dps)/s (before: $(kv "$f.x" vtysh.before_dps)/s)"
	log "  get-data: $(kv "$f.x" mgmt.listed) tunnels in $(kv "$f.x" mgmt.ms) ms," \
		"longest event $(kv "$f.x" mgmt.max_event_us) us ($(kv "$f.x" mgmt.max_event)," \
		"walk's own $(kv "$f.x" mgmt.walk_event_us) us in $(kv "$f.x" mgmt.walk_event))," \
		"forwarding $(kv "$f.x" mgmt.during_dps)/s (before: $(kv "$f.x" mgmt.before_dps)/s)," \
		"ceiling $c/s"
	if [ -z "$(kv "$f.x" mgmt.listed)" ]; then
		log "  get-data did not list the tunnels: $(head -c 300 "$f.mgmt.out")"
		tail -n 50 "/var/run/frr/$NS_RELAY/mgmtd.log" >"$f.mgmtd.log" 2>/dev/null || true
		tail -n 50 "/var/run/frr/$NS_RELAY/amtd.log" >"$f.amtd.log" 2>/dev/null || true
	fi
	if [ -f "$f.grpc.out" ]; then
		log "  gRPC Get: $(kv "$f.x" grpc.listed) tunnels in $(kv "$f.x" grpc.ms) ms," \
			"longest event $(kv "$f.x" grpc.max_event_us) us ($(kv "$f.x" grpc.max_event))," \
			"forwarding $(kv "$f.x" grpc.during_dps)/s (before: $(kv "$f.x" grpc.before_dps)/s)"
		[ "$(kv "$f.x" grpc.listed)" = 0 ] &&
			log "  gRPC Get did not list the tunnels: $(head -c 300 "$f.grpc.out")"
		gzip -f "$f.grpc.out"
	fi
	rm -f "$f.json"
	gzip -f "$f.mgmt.out"
	clear_tunnels
}

# Join latency: probes join a channel already flowing to BASE tunnels, one
# at a time, each leaving (Teardown) once its first packet arrived.
test_latency() {
	base=10
	probes=200
	rate=5000
	log "join latency: $probes joins to a channel flowing at $rate/s to $base tunnels"
	f=$RUN/latency
	clear_tunnels
	emu "$f.emu" --tunnels $base --late $probes --late-at-ms 1500 --late-gap-ms 10 \
		--warmup-ms "$WARMUP_MS" --measure-ms "$MEASURE_MS" --duration 60 \
		--idle-exit-ms 1000
	emu_ready 60 "$f.emu" || return 0
	source_run $rate 10000 "$f.src"
	wait_pid 60 "$EMU_PID"
	echo "rate=$rate" >>"$f.x"
	record_run latency "$f"
	log "  median $(kv "$f.emu" join_latency_median_us) us," \
		"p99 $(kv "$f.emu" join_latency_p99_us) us"
}

# Forwarding to 100 tunnels at saturation while 10,000 more gateways
# handshake at once (backing off as gateways do when not answered).  They
# ask for GROUP2, which carries nothing, so that the data plane's work stays
# the same: what changes is the control load.  AMT_BENCH_FULL=1 runs it
# again with the newcomers joining the flowing channel (a flash crowd).
storm_run() {
	tag=$1
	base=100
	storm=10000
	ceiling_one 100 "storm.$tag.ceiling"
	c=$(kv "$RUN/ceiling-100.raw" rate_dps)
	rate=$((c * 3 / 2 / base))
	log "forwarding to $base tunnels at saturation while $storm gateways handshake ($tag)"
	f=$RUN/storm-$tag
	clear_tunnels
	if [ "$tag" = other ]; then
		set -- --storm-group "$GROUP2"
	else
		set --
	fi
	emu "$f.emu" --tunnels $base --storm $storm --storm-at-ms 3000 --warmup-ms "$WARMUP_MS" \
		--measure-ms 1500 --duration 150 --idle-exit-ms 3000 --retries 10 "$@"
	emu_ready 60 "$f.emu" || return 0
	s0=$(sock_dropped)
	# The source outlasts the storm; it is stopped when the emulator ends.
	source_bg "$rate" 150000 "$f.src"
	src_pid=$SRC_PID
	if [ "$tag" = other ]; then
		sleep 3
		profile_start storm 5
	fi
	wait_pid 160 "$EMU_PID"
	profile_stop
	kill "$src_pid" 2>/dev/null || true
	wait_pid 10 "$src_pid"
	echo "offered_pps=$rate" >>"$f.x"
	echo "socket_drops=$(($(sock_dropped) - s0))" >>"$f.x"
	record_run "storm.$tag" "$f"
	log "  before: $(kv "$f.emu" storm_rate_before)/s, during:" \
		"$(kv "$f.emu" storm_rate_during)/s, storm: $(kv "$f.emu" storm_up) up in" \
		"$(kv "$f.emu" storm_handshake_s) s"
	clear_tunnels
}

test_storm() {
	storm_run other
	if [ "$FULL" = 1 ]; then
		storm_run same
	fi
}

# ------------------------------------------------------------------ gateway

gateway_up() {
	frr_config "$NS_GWD" <<EOC
interface amtg0
 ip address 10.255.0.2/24
!
amt gateway amtg0
 relay-address 192.0.2.1
 source-prefix 10.0.1.0/24
exit
!
EOC
	start_frr "$NS_GWD" "$OTHER_CPU" mgmtd zebra
	start_frr "$NS_GWD" "$RELAY_CPU" amtd
	# AMT_BENCH_GW_RPS=1: the receiving side's kernel work (UDP delivery) on
	# the receiver's core instead of the flooding stub's (veth delivers in
	# the sender's softirq).  Off by default: in a VM the IPIs cost more.
	if [ "${AMT_BENCH_GW_RPS:-0}" = 1 ]; then
		printf '%x' $((1 << RELAY_CPU)) |
			ip netns exec "$NS_GWD" tee /sys/class/net/gwd-eth0/queues/rx-0/rps_cpus \
				>/dev/null
	fi
}

gw_received() {
	json_get "$NS_GWD" "show amt gateway json" "d['amtg0']['counters']['receivedData']"
}

# proc_ticks PID: the CPU time of a process so far (user + system), in
# clock ticks: unlike the core's busy time, not inflated by whatever else
# runs on a shared machine.
proc_ticks() {
	awk '{print $14 + $15}' "/proc/$1/stat"
}

amtg0_up() {
	ip -n "$NS_GWD" -4 addr show dev amtg0 | grep -q 10.255.0.2
}

# amtd's gateway: the stub relay floods it; an application counts.
test_gateway() {
	log "gateway decapsulation: amtd gateway vs a plain UDP receive loop"
	f=$RUN/gateway
	gateway_up
	wait_for 20 amtg0_up || {
		log "  amtg0 did not come up"
		return 0
	}
	ip netns exec "$NS_FEED" "$BIN/amt_relay_stub" --bind 192.0.2.1 --source "$SOURCE" \
		--group "$GROUP" --duration-ms 3000 --cpu "$OTHER_CPU" >"$f.stub" &
	stub_pid=$!
	BGPIDS="$BGPIDS $stub_pid"
	ip netns exec "$NS_GWD" "$BIN/mcast_tool" recv --group "$GROUP" --source "$SOURCE" \
		--ifaddr 10.255.0.2 --duration-ms 20000 --cpu "$OTHER_CPU" >"$f.app" &
	app_pid=$!
	BGPIDS="$BGPIDS $app_pid"
	# Count from the end of the handshake: the flood starts then.
	wait_for 60 grep -q handshake=1 "$f.stub" || log "  no handshake with the stub"
	r0=$(gw_received 2>/dev/null || echo 0)
	gpid=$(cat "/var/run/frr/$NS_GWD/amtd.pid")
	p0=$(proc_ticks "$gpid")
	k0=$(core_ticks)
	profile_start gateway 2 "$gpid"
	wait_pid 60 "$stub_pid"
	echo "core_busy_ms=$((($(core_ticks) - k0) * 1000 / CLK_TCK))" >>"$f.stub"
	profile_stop
	sleep 0.5
	echo "gateway_rx=$(($(gw_received) - r0))" >>"$f.stub"
	echo "amtd_cpu_ms=$((($(proc_ticks "$gpid") - p0) * 1000 / CLK_TCK))" >>"$f.stub"
	kill "$app_pid" 2>/dev/null || true
	wait_pid 5 "$app_pid"
	record gateway.stub "$f.stub"
	record gateway.app "$f.app"

	# The same flood into a plain UDP socket of a recvmmsg loop.
	ip netns exec "$NS_GWD" "$BIN/mcast_tool" recv --unicast --port 4000 --duration-ms 5000 \
		--cpu "$RELAY_CPU" --ready-file "$RUN/ready-raw" >"$f.raw" &
	app_pid=$!
	BGPIDS="$BGPIDS $app_pid"
	wait_for 5 test -f "$RUN/ready-raw" || true
	k0=$(core_ticks)
	ip netns exec "$NS_FEED" "$BIN/amt_relay_stub" --bind 192.0.2.1 --plain --to 192.0.2.2 \
		--to-port 4000 --duration-ms 3000 --cpu "$OTHER_CPU" >"$f.plainstub"
	echo "core_busy_ms=$((($(core_ticks) - k0) * 1000 / CLK_TCK))" >>"$f.plainstub"
	wait_pid 10 "$app_pid"
	record gateway.plainstub "$f.plainstub"
	record gateway.raw "$f.raw"
	log "  amtd gateway: $(kv "$f.app" rate_dps)/s to the application" \
		"(stub sent $(kv "$f.stub" rate_dps)/s); plain loop: $(kv "$f.raw" rate_dps)/s"
	gateway_decap_loop
	gateway_decap_loop uring
}

decap_tun_up() {
	ip -n "$NS_GWD" -4 addr show dev gwbench0 2>/dev/null | grep -q 10.255.1.2
}

# The same AMT flood into the gateway's work done without amtd, on amtd's
# core: recvmmsg 64 at a time, one write() of each inner packet into a tun
# (gwbench0), an application joined there counting; no checks but the
# type.  amtd's gateway is measured against this floor.  VARIANT uring:
# each batch's writes in one io_uring_enter() (is a batched write worth it?).
gateway_decap_loop() {
	var=${1:-}
	f=$RUN/gateway-decap$var
	rm -f "$RUN/ready-decap"
	ip netns exec "$NS_GWD" "$BIN/mcast_tool" decap --port 4001 --tun gwbench0 \
		--duration-ms 15000 --cpu "$RELAY_CPU" --ready-file "$RUN/ready-decap" \
		${var:+--$var} >"$f.loop" &
	loop_pid=$!
	BGPIDS="$BGPIDS $loop_pid"
	wait_for 5 test -f "$RUN/ready-decap" || log "  the decap loop did not start"
	ip -n "$NS_GWD" link set gwbench0 up
	ip -n "$NS_GWD" addr add 10.255.1.2/24 dev gwbench0
	# The stream's source is not behind gwbench0: no reverse-path check
	# there (the kernel takes the larger of all and the device's).
	ip netns exec "$NS_GWD" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.gwbench0.rp_filter=0
	wait_for 5 decap_tun_up || log "  gwbench0 has no address"
	ip netns exec "$NS_GWD" "$BIN/mcast_tool" recv --group "$GROUP" --source "$SOURCE" \
		--ifaddr 10.255.1.2 --duration-ms 12000 --cpu "$OTHER_CPU" >"$f.app" &
	app_pid=$!
	BGPIDS="$BGPIDS $app_pid"
	sleep 0.5
	k0=$(core_ticks)
	ip netns exec "$NS_FEED" "$BIN/amt_relay_stub" --bind 192.0.2.1 --plain --to 192.0.2.2 \
		--to-port 4001 --source "$SOURCE" --group "$GROUP" --duration-ms 3000 \
		--cpu "$OTHER_CPU" >"$f.stub"
	echo "core_busy_ms=$((($(core_ticks) - k0) * 1000 / CLK_TCK))" >>"$f.stub"
	sleep 0.5
	kill "$app_pid" "$loop_pid" 2>/dev/null || true
	wait_pid 5 "$app_pid"
	wait_pid 5 "$loop_pid"
	record "gateway.decap${var}stub" "$f.stub"
	record "gateway.decap${var}app" "$f.app"
	record "gateway.decap$var" "$f.loop"
	log "  recvmmsg + tun write loop${var:+ ($var)}: $(kv "$f.app" rate_dps)/s to the" \
		"application ($(kv "$f.loop" written) written, stub sent $(kv "$f.stub" rate_dps)/s)"
}

# ------------------------------------------------------------------ profiles

PERF_PID=""

# profile_start NAME SECONDS [PID]: perf record amtd (the relay's, by
# default) in the background.
profile_start() {
	case " $ONLY " in *" profile "*) ;; *) return 0 ;; esac
	command -v perf >/dev/null || return 0
	perf record -F 999 -g -p "${3:-$(amtd_pid)}" -o "$OUT/perf-$1.data" -- sleep "$2" \
		>/dev/null 2>&1 &
	PERF_PID=$!
	BGPIDS="$BGPIDS $PERF_PID"
}

profile_stop() {
	[ -n "$PERF_PID" ] || return 0
	wait_pid 30 "$PERF_PID"
	PERF_PID=""
}

# The data path at saturation, at N tunnels.
profile_data_one() {
	n=$1
	c=$(ceiling_of "$n")
	log "profiling amtd's data path (N=$n, saturated)"
	f=$RUN/profile-data-$n
	clear_tunnels
	emu "$f.emu" --tunnels "$n" --warmup-ms 500 --measure-ms 4000 --duration 60 \
		--idle-exit-ms 1500
	emu_ready 120 "$f.emu" || return 0
	source_bg $(((c * 5 / 4 + n - 1) / n)) 7000 "$f.src"
	src_pid=$SRC_PID
	sleep 1.5
	profile_start "data-$n" 5
	wait_pid 30 "$src_pid"
	profile_stop
	wait_pid 60 "$EMU_PID"
	record_run "profile.$n" "$f"
	clear_tunnels
}

test_profile_data() {
	for n in ${AMT_BENCH_PROFILE_FANOUTS:-1 100 10000}; do
		profile_data_one "$n"
	done
}

# Self time by symbol and by object, and inclusive time (call graphs).
perf_summaries() {
	for p in data-1 data-100 data-10000 asm-1 ipv6-1 mchan-1 mchan-2 mchan-10 control storm \
		gateway; do
		d=$OUT/perf-$p.data
		[ -f "$d" ] || continue
		perf report -i "$d" --stdio --no-children --sort dso,symbol -g none \
			--percent-limit 0.5 >"$OUT/perf-$p.txt" 2>/dev/null || true
		perf report -i "$d" --stdio --no-children --sort dso -g none \
			>"$OUT/perf-$p-dso.txt" 2>/dev/null || true
		perf report -i "$d" --stdio --children --sort symbol -g none \
			--percent-limit 1 >"$OUT/perf-$p-children.txt" 2>/dev/null || true
	done
}

# ------------------------------------------------------------------ main

main() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "run.sh needs root (network namespaces)" >&2
		exit 1
	fi
	for d in mgmtd zebra pimd amtd; do
		[ -x "$FRR/$d" ] || {
			echo "$FRR/$d missing: run 'make install' first" >&2
			exit 1
		}
	done
	trap cleanup EXIT
	trap 'exit 130' INT TERM HUP PIPE
	mkdir -p "$RUN"
	rm -f "$RUN"/* "$OUT"/perf-*
	build_tools
	topology
	start=$(date +%s)
	{
		echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
		echo "kernel=$(uname -r)"
		echo "cpus=$(nproc)"
		echo "cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
		echo "relay_cpu=$RELAY_CPU"
		echo "fanouts=$FANOUTS"
		echo "forward=$FORWARD"
	} >"$RESULTS"

	for t in $ONLY; do
		case $t in
		ceiling) test_ceiling ;;
		fanout) test_fanout ;;
		mchan) test_mchan mchan ;;
		mchan6) test_mchan mchan6 ;;
		asm) test_asm ;;
		mixed) test_mixed ;;
		ipv6) test_ipv6 ;;
		handshake | memory)
			if [ ! -f "$RUN/hm-done" ]; then
				test_handshake_memory
				touch "$RUN/hm-done"
			fi
			;;
		listing) test_listing ;;
		latency) test_latency ;;
		storm) test_storm ;;
		gateway) test_gateway ;;
		profile) test_profile_data ;;
		hold)
			# Debugging aid: keep the topology up for a while.
			log "holding the topology for ${AMT_BENCH_HOLD:-300} s (ID $ID)"
			sleep "${AMT_BENCH_HOLD:-300}" &
			BGPIDS="$BGPIDS $!"
			wait $! || true
			;;
		esac
	done
	put elapsed_s $(($(date +%s) - start))
	perf_summaries
	$PY "$TOP/tools/bench/report.py" table "$RESULTS" "$OUT" | tee "$OUT/results.txt"
	if command -v gnuplot >/dev/null && [ -f "$OUT/fanout.gp" ]; then
		gnuplot "$OUT/fanout.gp" 2>"$OUT/gnuplot.log" && log "plot: $OUT/results.png"
	fi
}

main "$@"
