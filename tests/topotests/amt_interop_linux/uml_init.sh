#!/bin/sh
# uml_init.sh: process 1 of a User-Mode Linux kernel booted by
# test_amt_interop_linux.py, with the host's root file system read-only over
# hostfs.  It runs the Linux kernel's own AMT driver in one role and an
# application beside it, then powers the kernel off.
#
# Its parameters come from the kernel command line (the kernel hands unknown
# NAME=VALUE parameters to init as its environment):
#   UML_ROLE      gateway | relay
#   UML_ADDR      address/prefix of eth0 (the tap device on the host side)
#   UML_PEER      gateway: the relay's discovery address
#   UML_TUNADDR   address/prefix of the amt device
#   UML_SOURCE, UML_GROUP   the (S,G) the application joins (gateway) or
#                 sends (relay; S must be the address of UML_TUNADDR)
#   UML_DURATION  seconds the application runs
#   UML_OUT       host directory mounted read-write at the same path, for
#                 this script's log and the application's state file
#   UML_TESTDIR   directory of the amtd topotests (for the helper programs)

PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH

poweroff() {
	echo "uml-init: power off ($1)"
	# reboot(2) with LINUX_REBOOT_CMD_POWER_OFF: UML's process exits.
	/usr/bin/python3 -c 'import ctypes; ctypes.CDLL(None).reboot(0x4321fedc)'
	sleep 5
	exit 1
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs tmpfs /run
# /dev: the kernel mounts its devtmpfs itself (CONFIG_DEVTMPFS_MOUNT).
mount -t hostfs -o "$UML_OUT" hostfs "$UML_OUT" || poweroff "cannot mount $UML_OUT"

# Everything below goes to init.log.
exec >>"$UML_OUT/init.log" 2>&1
echo "uml-init: role $UML_ROLE, eth0 $UML_ADDR, amt $UML_TUNADDR, $(uname -r)"

for f in /proc/sys/net/ipv4/conf/*/rp_filter; do echo 0 >"$f"; done
ip link set lo up
ip link set eth0 up || poweroff "no eth0"
ip addr add "$UML_ADDR" dev eth0
myaddr=${UML_ADDR%/*}

case $UML_ROLE in
gateway)
	dev=amtg
	ip link add "$dev" type amt mode gateway local "$myaddr" \
		discovery "$UML_PEER" dev eth0 || poweroff "ip link add amt failed"
	;;
relay)
	dev=amtr
	ip link add "$dev" type amt mode relay local "$myaddr" dev eth0 ||
		poweroff "ip link add amt failed"
	;;
*)
	poweroff "unknown role $UML_ROLE"
	;;
esac
ip addr add "$UML_TUNADDR" dev "$dev"
ip link set "$dev" up
ip -d addr show

# The driver's view (relay address learned, counters), written every 2 s
# for the test to read: one JSON document per file, replaced atomically.
(
	i=0
	while [ "$i" -lt $((UML_DURATION / 2 + 5)) ]; do
		ip -d -s -j link show "$dev" >"$UML_OUT/link.json.tmp" &&
			mv "$UML_OUT/link.json.tmp" "$UML_OUT/link.json"
		sleep 2
		i=$((i + 1))
	done
) &

if [ "$UML_ROLE" = gateway ]; then
	/usr/bin/python3 "$UML_TESTDIR/amt_gateway/mcast_receiver.py" \
		--source "$UML_SOURCE" --group "$UML_GROUP" --ifaddr "${UML_TUNADDR%/*}" \
		--duration "$UML_DURATION" --state-file "$UML_OUT/receiver.json"
else
	/usr/bin/python3 "$UML_TESTDIR/amt_relay/mcast_sender.py" \
		--flow "$UML_SOURCE,$UML_GROUP" --ifname "$dev" --rate 20 \
		--duration "$UML_DURATION" >"$UML_OUT/sender.out"
fi
echo "uml-init: application exited with $?"
ip -d -s link show "$dev"
poweroff "done"
