#!/bin/sh
# Two routers in network namespaces, linked by a veth pair, each running
# FRR's mgmtd, zebra and pimd with amtd beside them: "relay" has an AMT relay
# instance, "gw" an AMT gateway instance.  Prints what amtd, zebra and the
# kernel show, then removes everything it created.  Needs an installed FRR
# with amtd (tools/demo.sh does that first).
set -eu

FRR=/usr/lib/frr
routers="relay gw"

cleanup() {
	for r in $routers; do
		for pidfile in /var/run/frr/amtdemo-$r/*.pid; do
			[ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null
		done
	done
	sleep 1
	for r in $routers; do
		ip netns del "amtdemo-$r" 2>/dev/null || true
		rm -rf "/etc/frr/amtdemo-$r" "/var/run/frr/amtdemo-$r"
	done
}
trap cleanup EXIT INT TERM
cleanup

ip netns add amtdemo-relay
ip netns add amtdemo-gw
ip link add relay-eth0 netns amtdemo-relay type veth peer name gw-eth0 netns amtdemo-gw

write_config() {
	r=$1
	addr=$2
	role=$3
	ifname=$4
	mkdir -p "/etc/frr/amtdemo-$r" "/var/run/frr/amtdemo-$r"
	cat >"/etc/frr/amtdemo-$r/frr.conf" <<EOC
hostname $r
!
interface $r-eth0
 ip address $addr/24
 ip pim
!
amt $role $ifname
exit
!
EOC
	echo "service integrated-vtysh-config" >"/etc/frr/amtdemo-$r/vtysh.conf"
	chown -R frr:frr "/etc/frr/amtdemo-$r" "/var/run/frr/amtdemo-$r"
}
write_config relay 198.51.100.1 relay amtr0
write_config gw 198.51.100.2 gateway amtg0

for r in $routers; do
	ns=amtdemo-$r
	ip -n "$ns" link set lo up
	ip -n "$ns" link set "$r-eth0" up
	for d in mgmtd zebra pimd amtd; do
		ip netns exec "$ns" "$FRR/$d" -N "$ns" -d \
			--log "file:/var/run/frr/$ns/$d.log" </dev/null >/dev/null 2>&1
		# zebra and pimd talk to mgmtd: let each come up before the next.
		i=0
		until [ -S "/var/run/frr/$ns/$d.vty" ] || [ $i -ge 50 ]; do
			sleep 0.2
			i=$((i + 1))
		done
	done
	ip netns exec "$ns" vtysh -N "$ns" -b >/dev/null
done

vty() {
	ip netns exec "amtdemo-$1" vtysh -N "amtdemo-$1" -c "$2"
}

# Wait until both amtd instances report their session with zebra.
for r in $routers; do
	i=0
	until vty "$r" "show amt json" | grep -q '"connected":true' || [ $i -ge 50 ]; do
		sleep 0.2
		i=$((i + 1))
	done
done

for r in $routers; do
	echo
	echo "################ router $r ################"
	for c in "show amt" "show interface brief" "show running-config"; do
		echo "$r# $c"
		vty "$r" "$c"
	done
	echo "$r\$ ip -d link show type tun"
	ip -n "amtdemo-$r" -d link show type tun 2>/dev/null ||
		ip -n "amtdemo-$r" -d link show
done
echo
echo "The multicast stream across the tunnel arrives with the relay and"
echo "gateway behaviour (issues 4 and 5); this demo shows the foundation."
