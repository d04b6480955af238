#!/bin/sh
# The demo topology, in network namespaces:
#
#   src (10.0.1.10) --- relay ===================== gw
#        multicast     FRR: pimd, amtd relay     FRR: amtd gateway
#                      amtr0        unicast only amtg0
#
# "src" sends an SSM stream to 232.1.1.1 and another to 232.1.1.2.  On "gw",
# an application joins (10.0.1.10, 232.1.1.1) on the gateway's
# pseudo-interface amtg0; amtd's gateway carries the join to amtd's relay,
# pimd on the relay joins toward the source, and the stream comes back
# through the tunnel.  The demo prints what the application received and
# what both ends show, then removes everything it created.  Needs root and
# an installed FRR with amtd (tools/demo.sh does both).
set -eu
cd "$(dirname "$0")/.."
# pimd forwards the stream through the kernel's multicast routing.
if ! tools/check-kernel.sh "the demo"; then
	echo "the demo: run it under User-Mode Linux instead:" \
		"tools/uml-run.sh tools/amt-demo-topology.sh (tools/demo.sh does)" >&2
	exit 1
fi
tools=$(pwd)/tests/topotests
FRR=/usr/lib/frr
NS=amtdemo-relay
GW=amtdemo-gw
SRC=amtdemo-src
state=$(mktemp /tmp/amtdemo-state.XXXXXX)

# Stop and remove everything the demo makes (also what an earlier run that
# was killed left behind): the FRR daemons of both routers, found by their
# pid files, then every process still in one of the namespaces (the
# application, the sender, vtysh), the namespaces with their links and
# pseudo-interfaces, the routers' configuration and run directories, and
# the application's state file.
stop_pids() {
	# stop_pids PID...: SIGTERM, then SIGKILL to what still runs 10 s later.
	[ $# -gt 0 ] || return 0
	kill -TERM "$@" 2>/dev/null
	i=0
	while [ $i -lt 50 ]; do
		alive=""
		for p in "$@"; do
			kill -0 "$p" 2>/dev/null && alive="$alive $p"
		done
		[ -n "$alive" ] || return 0
		sleep 0.2
		i=$((i + 1))
	done
	# shellcheck disable=SC2086
	kill -KILL $alive 2>/dev/null
	sleep 0.5
}
cleanup() {
	set +e
	pids=""
	for n in $NS $GW; do
		for pidfile in /var/run/frr/$n/*.pid; do
			[ -f "$pidfile" ] || continue
			p=$(cat "$pidfile" 2>/dev/null)
			d=$(basename "$pidfile" .pid)
			# only the daemon named by the file, not a process that reused its pid
			case "$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)" in
			"$FRR/$d "*"-N $n "*) pids="$pids $p" ;;
			esac
		done
	done
	# shellcheck disable=SC2086
	stop_pids $pids
	for n in $NS $GW $SRC; do
		[ -e "/run/netns/$n" ] || continue
		# shellcheck disable=SC2046
		stop_pids $(ip netns pids "$n" 2>/dev/null)
		ip netns del "$n" 2>/dev/null || true
	done
	rm -rf "/etc/frr/$NS" "/var/run/frr/$NS" "/etc/frr/$GW" "/var/run/frr/$GW" \
		"/etc/frr/$SRC" "/var/run/frr/$SRC" "$state"
	set -e
}
# Interrupted (Ctrl-C, kill): clean up, then end with the signal's status.
trap cleanup EXIT
trap 'trap - EXIT; cleanup; exit 130' INT
trap 'trap - EXIT; cleanup; exit 143' TERM
trap 'trap - EXIT; cleanup; exit 129' HUP
cleanup

for n in $NS $GW $SRC; do
	ip netns add "$n"
	ip -n "$n" link set lo up
done
ip link add relay-eth0 netns $NS type veth peer name gw-eth0 netns $GW
ip link add relay-eth1 netns $NS type veth peer name src-eth0 netns $SRC
ip -n $NS addr add 198.51.100.1/24 dev relay-eth0
ip -n $NS addr add 10.0.1.1/24 dev relay-eth1
ip -n $GW addr add 198.51.100.2/24 dev gw-eth0
ip -n $SRC addr add 10.0.1.10/24 dev src-eth0
ip -n $NS link set relay-eth0 up
ip -n $NS link set relay-eth1 up
ip -n $GW link set gw-eth0 up
ip -n $SRC link set src-eth0 up
ip -n $SRC route add default via 10.0.1.1

frr_config() {
	mkdir -p "/etc/frr/$1" "/var/run/frr/$1"
	cat >"/etc/frr/$1/frr.conf"
	echo "service integrated-vtysh-config" >"/etc/frr/$1/vtysh.conf"
	chown -R frr:frr "/etc/frr/$1" "/var/run/frr/$1"
}

frr_config $NS <<EOC
interface relay-eth1
 ip pim
!
interface amtr0
 ip address 10.254.0.1/24
 ip igmp
 ip igmp version 3
 ip pim passive
!
amt relay amtr0
 local-address 198.51.100.1
exit
!
EOC
frr_config $GW <<EOC
interface amtg0
 ip address 10.255.0.2/24
!
amt gateway amtg0
 relay-address 198.51.100.1
 source-prefix 10.0.1.0/24
exit
!
EOC

# start_frr NAMESPACE DAEMON...
start_frr() {
	ns=$1
	shift
	for d in "$@"; do
		ip netns exec "$ns" "$FRR/$d" -N "$ns" -d --log "file:/var/run/frr/$ns/$d.log" \
			</dev/null >/dev/null 2>&1
		# zebra and pimd talk to mgmtd: let each come up before the next.
		i=0
		until [ -S "/var/run/frr/$ns/$d.vty" ] || [ $i -ge 50 ]; do
			sleep 0.2
			i=$((i + 1))
		done
	done
	ip netns exec "$ns" vtysh -N "$ns" -b >/dev/null
}
start_frr $NS mgmtd zebra pimd amtd
start_frr $GW mgmtd zebra amtd

# vty NAMESPACE COMMAND
vty() {
	echo
	echo "${1#amtdemo-}# $2"
	ip netns exec "$1" vtysh -N "$1" -c "$2"
}

echo "== gw: an application joins (10.0.1.10, 232.1.1.1) on amtg0"
ip netns exec $GW /usr/bin/python3 "$tools/amt_gateway/mcast_receiver.py" \
	--source 10.0.1.10 --group 232.1.1.1 --ifaddr 10.255.0.2 --duration 10 \
	--state-file "$state" &
rxpid=$!
sleep 3
echo "== src: 10.0.1.10 sends 50 packets/s to 232.1.1.1 and to 232.1.1.2 for 5 s"
ip netns exec $SRC /usr/bin/python3 "$tools/amt_relay/mcast_sender.py" \
	--flow 10.0.1.10,232.1.1.1 --flow 10.0.1.10,232.1.1.2 \
	--ifname src-eth0 --rate 50 --duration 5 --ttl 8
vty $GW "show amt gateway"
vty $GW "show ip rpf"
vty $NS "show amt relay"
vty $NS "show amt relay tunnels detail"
vty $NS "show ip mroute"
wait $rxpid || true

echo
echo "== gw: what the application received through the tunnel"
/usr/bin/python3 - "$state" <<'EOP'
import json, sys
st = json.load(open(sys.argv[1]))
print("  (10.0.1.10, 232.1.1.1): %d of 250 packets, last sequence number %s"
      % (st["packets"], st["last_seq"]))
EOP
