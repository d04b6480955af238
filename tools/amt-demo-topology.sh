#!/bin/sh
# The demo topology, in network namespaces:
#
#   src (10.0.1.10) --- relay (FRR: mgmtd, zebra, pimd, amtd) --- gw
#        multicast        AMT relay instance amtr0               unicast only
#
# "src" sends an SSM stream to 232.1.1.1 and another to 232.1.1.2; "gw" runs
# amtd's test gateway (tests/topotests/amt_relay/amt_test_gateway.py), which
# asks the relay for (10.0.1.10, 232.1.1.1) only.  The demo prints what the
# gateway received and what the relay and pimd show, then removes everything
# it created.  Needs root and an installed FRR with amtd (tools/demo.sh).
set -eu
cd "$(dirname "$0")/.."
tools=$(pwd)/tests/topotests/amt_relay
FRR=/usr/lib/frr
NS=amtdemo-relay
GW=amtdemo-gw
SRC=amtdemo-src
state=$(mktemp)

cleanup() {
	for pidfile in /var/run/frr/$NS/*.pid; do
		[ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null
	done
	sleep 1
	for n in $NS $GW $SRC; do
		ip netns del "$n" 2>/dev/null || true
	done
	rm -rf "/etc/frr/$NS" "/var/run/frr/$NS" "$state"
}
trap cleanup EXIT INT TERM
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

mkdir -p "/etc/frr/$NS" "/var/run/frr/$NS"
cat >"/etc/frr/$NS/frr.conf" <<EOC
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
echo "service integrated-vtysh-config" >"/etc/frr/$NS/vtysh.conf"
chown -R frr:frr "/etc/frr/$NS" "/var/run/frr/$NS"

for d in mgmtd zebra pimd amtd; do
	ip netns exec $NS "$FRR/$d" -N $NS -d --log "file:/var/run/frr/$NS/$d.log" \
		</dev/null >/dev/null 2>&1
	# zebra and pimd talk to mgmtd: let each come up before the next.
	i=0
	until [ -S "/var/run/frr/$NS/$d.vty" ] || [ $i -ge 50 ]; do
		sleep 0.2
		i=$((i + 1))
	done
done
ip netns exec $NS vtysh -N $NS -b >/dev/null

vty() {
	echo
	echo "relay# $1"
	ip netns exec $NS vtysh -N $NS -c "$1"
}

echo "== gateway: asking the relay at 198.51.100.1 for (10.0.1.10, 232.1.1.1)"
ip netns exec $GW /usr/bin/python3 "$tools/amt_test_gateway.py" \
	--relay 198.51.100.1 --join 10.0.1.10,232.1.1.1 --duration 9 \
	--state-file "$state" >/dev/null 2>&1 &
gwpid=$!
sleep 2
echo "== source: 10.0.1.10 sends 50 packets/s to 232.1.1.1 and to 232.1.1.2 for 5 s"
ip netns exec $SRC /usr/bin/python3 "$tools/mcast_sender.py" \
	--flow 10.0.1.10,232.1.1.1 --flow 10.0.1.10,232.1.1.2 \
	--ifname src-eth0 --rate 50 --duration 5 --ttl 8
vty "show amt relay"
vty "show amt relay tunnels detail"
vty "show ip igmp sources"
vty "show ip mroute"
vty "show amt relay statistics"
wait $gwpid || true

echo
echo "== gateway: what came through the tunnel"
/usr/bin/python3 - "$state" <<'EOP'
import json, sys
st = json.load(open(sys.argv[1]))
print("handshake: %s, relay saw the gateway as %s port %s" % (
    st.get("state"), st.get("gateway_address_seen_by_relay"),
    st.get("gateway_port_seen_by_relay")))
flows = st.get("flows", {})
for flow in ("10.0.1.10,232.1.1.1", "10.0.1.10,232.1.1.2"):
    f = flows.get(flow, {})
    print("  (%s): %s packets%s" % (flow, f.get("packets", 0),
          ", last sequence number %s" % f["last_seq"] if "last_seq" in f else ""))
EOP
