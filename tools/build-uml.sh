#!/bin/sh
# Build a User-Mode Linux kernel with the kernel's own AMT driver (CONFIG_AMT),
# for the interop topotest tests/topotests/amt_interop_linux, and with what
# FRR's topotests and the demo need of a kernel (multicast routing, PID
# namespaces, bridges, VRFs, nftables NAT, overlayfs), for tools/uml-run.sh
# on hosts whose kernel lacks multicast routing.
#
#   tools/build-uml.sh [BUILDDIR]      (default: _build/uml)
#
# Source: Debian 12's linux-source-6.1 package (/usr/src/linux-source-6.1.tar.xz,
# installed with apt-get when missing).  Configuration: `make ARCH=um defconfig`
# plus the options in $options below.  Result: BUILDDIR/linux (the UML binary).
# The build is skipped when BUILDDIR/linux.stamp records the same source
# version, options and host FP-state size as this run would use.  ccache is
# used when present.  About 15 minutes with two cores, cold.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/_build/uml}
mkdir -p "$out"
out=$(cd "$out" && pwd)
tarball=/usr/src/linux-source-6.1.tar.xz
jobs=${UML_JOBS:-$(nproc 2>/dev/null || echo 2)}

# Options on top of the UML defconfig.  CONFIG_KERNEL_STACK_ORDER=4: the
# default (2) overflows in the network stack under UML.  VMAP_STACK=n: with
# kernel stacks in vmalloc space, 6.1's UML hung for good in a topotest run
# (amt_restart): a worker freeing a BPF program purged lazy vmalloc areas,
# the host unmapped a page of its own stack (arch/um/kernel/tlb.c), and every
# signal handler's copy of its thread_info faulted again, 6,000 SIGSEGVs a
# second (gdb on the UML process).  The second group is
# for the topotests: munet reads NSpid (PID_NS); tools/uml-run.sh lays an
# overlay on the host's root; topologies use bridges, VRFs and iptables NAT
# (Debian's iptables is nftables'), equal-cost multipath, pimd multiple
# tables.
options="AMT=y HOSTFS=y UML_NET=y UML_NET_TUNTAP=y VETH=y NET_NS=y
  INET=y IP_MULTICAST=y IP_MROUTE=y
  IPV6=y IPV6_MROUTE=y IP_PIMSM_V2=y NET_UDP_TUNNEL=y
  PACKET=y UNIX=y TUN=y DEVTMPFS=y TMPFS=y PROC_FS=y SYSFS=y
  KERNEL_STACK_ORDER=4 VMAP_STACK=n
  PID_NS=y OVERLAY_FS=y IP_ADVANCED_ROUTER=y IP_MULTIPLE_TABLES=y IPV6_MULTIPLE_TABLES=y
  IP_ROUTE_MULTIPATH=y
  IP_MROUTE_MULTIPLE_TABLES=y IPV6_MROUTE_MULTIPLE_TABLES=y IPV6_PIMSM_V2=y
  NET_L3_MASTER_DEV=y NET_VRF=y DUMMY=y BRIDGE=y BRIDGE_IGMP_SNOOPING=y
  INET_DIAG=y INET_UDP_DIAG=y UNIX_DIAG=y
  NETFILTER=y NETFILTER_ADVANCED=y NETFILTER_NETLINK=y NF_CONNTRACK=y
  NF_CT_NETLINK=y NF_NAT=y NF_TABLES=y NF_TABLES_INET=y
  NF_TABLES_IPV4=y NF_TABLES_IPV6=y NFT_CT=y NFT_NAT=y NFT_MASQ=y
  NFT_COMPAT=y NETFILTER_XTABLES=y NETFILTER_XT_NAT=y
  NETFILTER_XT_TARGET_MASQUERADE=y IP_NF_IPTABLES=y IP_NF_FILTER=y
  IP_NF_NAT=y IP_NF_TARGET_MASQUERADE=y"

need=""
[ -f "$tarball" ] || need="$need linux-source-6.1"
for tool in bc flex bison gcc make xz perl; do
	command -v "$tool" >/dev/null 2>&1 || case $tool in
		gcc|make) need="$need build-essential" ;;
		xz) need="$need xz-utils" ;;
		*) need="$need $tool" ;;
	esac
done
[ -f /usr/include/gelf.h ] || need="$need libelf-dev"
if [ -n "$need" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "build-uml.sh: missing packages:$need (install them as root)" >&2
		exit 1
	fi
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends $need
fi

version=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null ||
	stat -c %s-%Y "$tarball")

# UML saves a guest process's FP state in a buffer of HOST_FP_SIZE longs
# (2696 bytes in 6.1).  On CPUs whose XSAVE area is larger (AMX: about 11 KB)
# guest processes crash, so raise it to the host's size (CPUID leaf 0xD).
fpsize=2696
probe=$(mktemp -d)
cat >"$probe/xs.c" <<'EOF'
#include <cpuid.h>
#include <stdio.h>
int main(void)
{
	unsigned a, b, c, d;
	if (!__get_cpuid_count(0xd, 0, &a, &b, &c, &d))
		return 1;
	printf("%u\n", b);
	return 0;
}
EOF
if gcc -o "$probe/xs" "$probe/xs.c" 2>/dev/null; then
	host=$("$probe/xs" || echo 0)
	if [ "$host" -gt "$fpsize" ]; then
		fpsize=$(( (host + 63) / 64 * 64 ))
	fi
fi
rm -rf "$probe"

# shellcheck disable=SC2086
opts=$(printf '%s ' $options)
want="linux-source-6.1 $version; options: ${opts% }; fp: $fpsize"
if [ -x "$out/linux" ] && [ -f "$out/linux.stamp" ] &&
	[ "$(cat "$out/linux.stamp")" = "$want" ]; then
	echo "build-uml.sh: $out/linux is up to date ($want)"
	exit 0
fi

src=$out/src/linux-source-6.1
if [ ! -f "$out/src/.version" ] || [ "$(cat "$out/src/.version")" != "$version" ]; then
	rm -rf "$out/src"
	mkdir -p "$out/src"
	echo "build-uml.sh: unpacking $tarball"
	tar -xJf "$tarball" -C "$out/src"
	echo "$version" >"$out/src/.version"
fi

sed -i "s/DEFINE_LONGS(HOST_FP_SIZE, [0-9]*);/DEFINE_LONGS(HOST_FP_SIZE, $fpsize);/" \
	"$src/arch/x86/um/user-offsets.c"

cc=gcc
command -v ccache >/dev/null 2>&1 && cc="ccache gcc"

cd "$src"
make -s ARCH=um CC="$cc" defconfig
for o in $options; do
	name=${o%%=*}
	val=${o#*=}
	case $val in
		y) scripts/config --enable "$name" ;;
		n) scripts/config --disable "$name" ;;
		*) scripts/config --set-val "$name" "$val" ;;
	esac
done
make -s ARCH=um CC="$cc" olddefconfig
# Every option must have survived olddefconfig (a missing dependency
# silently drops it).
for o in $options; do
	case $o in
		*=n) line="# CONFIG_${o%=n} is not set" ;;
		*) line="CONFIG_$o" ;;
	esac
	grep -qx "$line" .config || {
		echo "build-uml.sh: CONFIG_$o did not stick in .config" >&2
		exit 1
	}
done

echo "build-uml.sh: building UML in $src with -j$jobs ($cc)"
start=$(date +%s)
make ARCH=um CC="$cc" -j"$jobs" linux >"$out/build.log" 2>&1 || {
	tail -n 40 "$out/build.log" >&2
	echo "build-uml.sh: build failed, see $out/build.log" >&2
	exit 1
}
cp linux "$out/linux.new"
mv "$out/linux.new" "$out/linux"
echo "$want" >"$out/linux.stamp"
echo "build-uml.sh: $out/linux built in $(( $(date +%s) - start )) s"
