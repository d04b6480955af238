#!/bin/sh
# Prove that the README's test command works on a bare Debian 12: make a fresh
# Debian 12 (debootstrap --variant=minbase bookworm), clone this repository
# into it, and run the test command (bash .ci/run) in it as root, as a new
# user (or CI on a new machine) would.
#
#   check-fresh-machine.sh [REPO]     (default: this repository)
#
# What is cloned is REPO's committed HEAD: uncommitted changes are not tested.
#
# FRESH_QUICK=1 stops after tools/install-deps.sh and the environment checks
# (every program and Python module the test command calls that a minimal
# Debian 12 lacks, FRR's topotest libraries importing, the Debian package
# build's dependencies satisfied): a few minutes and a download, no build.
# The full run builds everything from nothing (no ccache) and runs every
# stage: it takes both cores for well over an hour; FRESH_TIMEOUT bounds it
# (seconds, default 14400).
#
# Needs root, debootstrap, slirp4netns (installed when missing) and Debian's
# mirror.  The base system is made once and kept as
# _build/fresh-machine/debian12-base.tar, and the packages apt downloads are
# kept in _build/fresh-machine/archives; each run unpacks a fresh copy of the
# base system into _build/fresh-machine/root.
#
# Isolation: a plain chroot is escaped by the topotests' setns() into the
# mount namespaces they create (a process entering a mount namespace gets
# that namespace's root, the host's "/").  So the run gets private mount,
# PID, network, UTS and IPC namespaces, and the fresh system becomes the root
# of its mount namespace with pivot_root; the host's file system is then
# unmounted from it.  Its network namespace reaches the mirror through
# slirp4netns (a user-space NAT: nothing on the host's network changes, and
# the host's loopback is not reachable).  When the run ends the kernel kills
# whatever still runs in its PID namespace and drops its mounts.
#
# Output: the test command's output (also in _build/fresh-machine/run.log),
# then its summary again; the exit status is the test command's.  In quick
# mode each check prints PASS or FAIL and the closing line is
# "fresh-quick: N passed, N failed".
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
self=$top/tools/check-fresh-machine.sh
work=$top/_build/fresh-machine
root=$work/root
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
suite=bookworm
clone=/root/amtd

# ---- inside the namespaces -------------------------------------------------

# Wait (bounded) until slirp4netns has given the namespace its tap0 and a
# default route through it; /proc/net is this network namespace's.
wait_network() {
	i=0
	while [ $i -lt 60 ]; do
		if awk '$1 == "tap0" && $2 == "00000000" { ok = 1 } END { exit !ok }' \
			/proc/net/route; then
			return 0
		fi
		sleep 0.5
		i=$((i + 1))
	done
	return 1
}

# The mounts a running Debian has, made below $root: /proc of the new PID
# namespace, /sys of the new network namespace, /run, and a /dev with what
# the run uses (ptys for pexpect, /dev/net/tun for amtd, /dev/shm).
mount_root() {
	mount --bind "$root" "$root" &&
		mount -t proc proc "$root/proc" &&
		mount -t sysfs sysfs "$root/sys" &&
		mount -t tmpfs -o mode=0755 run "$root/run" &&
		mount -t tmpfs -o mode=0755 dev "$root/dev" &&
		mount --bind "$work/archives" "$root/var/cache/apt/archives" || return 1
	d=$root/dev
	mknod -m 666 "$d/null" c 1 3 && mknod -m 666 "$d/zero" c 1 5 &&
		mknod -m 666 "$d/full" c 1 7 && mknod -m 666 "$d/random" c 1 8 &&
		mknod -m 666 "$d/urandom" c 1 9 && mknod -m 666 "$d/tty" c 5 0 &&
		mkdir -m 755 "$d/pts" "$d/net" && mkdir -m 1777 "$d/shm" &&
		mknod -m 666 "$d/net/tun" c 10 200 &&
		mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts "$d/pts" &&
		mount -t tmpfs -o mode=1777 shm "$d/shm" &&
		ln -s pts/ptmx "$d/ptmx" && ln -s /proc/self/fd "$d/fd" &&
		ln -s /proc/self/fd/0 "$d/stdin" && ln -s /proc/self/fd/1 "$d/stdout" &&
		ln -s /proc/self/fd/2 "$d/stderr"
}

# The fresh system becomes "/" of this mount namespace; the host's tree is
# detached from it.  From here on every program run is the fresh system's.
pivot() {
	cd "$root" && mkdir -p .oldroot && pivot_root . .oldroot && cd / &&
		umount -l /.oldroot && rmdir /.oldroot
}

# What the pivot is for: a process that enters a mount namespace made in
# here (as the topotests' setns() does) lands in the fresh system, not on the
# host (from a plain chroot it lands in the host's "/").  The fresh system's
# own unshare, nsenter and cat (util-linux and coreutils are in minbase).
check_pivot() {
	unshare --mount --propagation unchanged sleep 60 &
	p=$!
	i=0
	while [ "$(readlink /proc/$p/ns/mnt)" = "$(readlink /proc/self/ns/mnt)" ] &&
		[ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	name=$(nsenter --mount --target "$p" cat /etc/hostname 2>&1)
	host=$(nsenter --mount --target "$p" sh -c 'ls -d /.oldroot /work 2>/dev/null')
	kill "$p"
	wait "$p" 2>/dev/null
	if [ "$name" = fresh-debian12 ] && [ -z "$host" ]; then
		echo "PASS: nsenter into a new mount namespace lands in the fresh root"
	else
		echo "FAIL: nsenter into a new mount namespace lands in /etc/hostname '$name', sees '$host'"
		return 1
	fi
}

# The environment of a root shell on a new machine (CI adds CI=true).
fresh_env() {
	env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 TERM=dumb CI=true "$@"
}

# Quick mode, after the pivot: install-deps, then what the test command
# needs that a minbase system does not have.
quick_checks() {
	passed=0
	failed=0
	pass() {
		passed=$((passed + 1))
		echo "PASS: $*"
	}
	fail() {
		failed=$((failed + 1))
		echo "FAIL: $*"
	}
	cd "$clone" || return 1
	if fresh_env tools/install-deps.sh </dev/null >/tmp/install-deps.log 2>&1; then
		pass "tools/install-deps.sh"
	else
		tail -n 20 /tmp/install-deps.log
		fail "tools/install-deps.sh (log: /tmp/install-deps.log in the fresh root)"
	fi
	# Programs the stages call that minbase lacks: the build and make check
	# (compilers, autotools, tshark, Sphinx, rpm), the topotests and FRR's
	# topotest library (ip, tc and bridge; gdb, which FRR's environment check
	# requires; sysctl, pgrep and ps; iptables and conntrack; dnsmasq; ping;
	# ssh-keygen, which makes the NETCONF topotest's keys),
	# the Debian packages (dpkg-buildpackage, debhelper, chrpath) and
	# check-deb.sh (debootstrap and the wget it downloads with, nm, zcat),
	# and the demo.
	for p in gcc g++ make autoconf automake libtoolize pkg-config bison flex gawk \
		makeinfo install-info cmake ccache git dpkg-source patch xz clang \
		tshark rpmbuild gnuplot \
		ip tc bridge gdb sysctl pgrep ps kill pkill iptables ip6tables conntrack \
		dnsmasq nsenter unshare mount hostname ssh-keygen \
		dpkg-buildpackage dpkg-checkbuilddeps dh chrpath debootstrap wget nm \
		zcat chroot mknod timeout tar /usr/bin/python3; do
		if command -v "$p" >/dev/null; then
			pass "$p is installed ($(command -v "$p"))"
		else
			fail "$p is not installed"
		fi
	done
	if out=$(gdb --version 2>&1); then
		pass "gdb --version: $(echo "$out" | head -n 1)"
	else
		fail "gdb --version"
	fi
	if /usr/bin/python3 -c 'import pytest, pexpect, yaml, toml, jsonschema, scapy.all, grpc, grpc_tools.protoc, sphinx' 2>/tmp/py.log; then
		pass "Debian's python3 has pytest, pexpect, yaml, toml, jsonschema, scapy, grpc, grpc_tools, sphinx"
	else
		cat /tmp/py.log
		fail "python3 modules of the topotests and docs"
	fi
	# FRR's own source (as make fetches it), its topotest libraries, and the
	# build dependencies of its Debian packaging.
	if fresh_env tools/fetch-sources.sh frr /tmp/sources </dev/null >/tmp/fetch.log 2>&1; then
		pass "tools/fetch-sources.sh frr (Debian 13's source package, through the namespace's network)"
		# FRR's topotest environment check (what its conftest runs before any
		# test), on the fetched tree with amtd's topotest patches: with FRR
		# not installed yet, a missing /usr/lib/frr must be its only error.
		topo=/tmp/sources/frr/tests/topotests
		for p in tests/topotests/frr-topotest-no-proc-modules.patch \
			tests/topotests/frr-topotest-amtd.patch; do
			patch -d /tmp/sources/frr -p1 --forward --quiet <"$p" >/dev/null
		done
		rm -rf /tmp/topodiag
		(cd "$topo" && fresh_env PYTHONPATH=. /usr/bin/python3 -c '
import munet, lib.topotest
from lib.topogen import diagnose_env
diagnose_env("/tmp/topodiag")
') >/tmp/topodiag.log 2>&1
		errors=$(grep ' ERROR: ' /tmp/topodiag/diagnostics.txt 2>/dev/null |
			grep -v 'could not find /usr/lib/frr directory')
		if [ -s /tmp/topodiag/diagnostics.txt ] && [ -z "$errors" ]; then
			pass "FRR's topotest environment check (lib/topogen.py diagnose_env): no error but the uninstalled FRR"
		else
			cat /tmp/topodiag.log /tmp/topodiag/diagnostics.txt 2>/dev/null | tail -n 20
			fail "FRR's topotest environment check (lib/topogen.py diagnose_env)"
		fi
		# make deb builds libyang itself on Debian 12 (it is too old there).
		profiles=pkg.frr.nortrlib,pkg.frr.nolua,nocheck
		if out=$(cd /tmp/sources/frr && dpkg-checkbuilddeps -P $profiles 2>&1); then
			unmet=""
		elif echo "$out" | grep -q 'Unmet build dependencies: '; then
			unmet=$(echo "$out" | sed -n 's/.*Unmet build dependencies: //p' |
				sed 's/libyang-dev\( ([^)]*)\)\?//' | tr -d ' ')
		else
			unmet="(dpkg-checkbuilddeps: $out)"
		fi
		if [ -z "$unmet" ]; then
			pass "dpkg-checkbuilddeps: the Debian package build's dependencies (but libyang) are installed"
		else
			fail "dpkg-checkbuilddeps: unmet build dependencies: $unmet"
		fi
	else
		tail -n 20 /tmp/fetch.log
		fail "tools/fetch-sources.sh frr"
	fi
	echo "fresh-quick: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

phase_run() {
	mount --make-rprivate / || return 1
	# The host's ip and hostname, before the pivot: the fresh system has
	# neither yet.
	ip link set lo up && hostname fresh-debian12 || return 1
	if ! wait_network; then
		echo "check-fresh-machine: no network from slirp4netns" >&2
		return 1
	fi
	mount_root || {
		echo "check-fresh-machine: mounts for the fresh root failed" >&2
		return 1
	}
	pivot || {
		echo "check-fresh-machine: pivot_root failed" >&2
		return 1
	}
	check_pivot || return 1
	# This process is PID 1 of the namespace: it waits in the background
	# job's "wait", which also reaps the orphans that are handed to it.
	if [ "${FRESH_QUICK:-}" = 1 ]; then
		quick_checks &
	else
		(cd "$clone" && fresh_env bash .ci/run) </dev/null &
	fi
	wait $!
}

if [ "${1:-}" = --phase ]; then
	"phase_$2"
	exit $?
fi

# ---- the main part ---------------------------------------------------------

repo=${1:-$top}
if [ "$(id -u)" -ne 0 ]; then
	echo "check-fresh-machine: needs root" >&2
	exit 2
fi
git -C "$repo" rev-parse --verify -q HEAD >/dev/null || {
	echo "check-fresh-machine: $repo is no git repository with a commit" >&2
	exit 2
}
for p in debootstrap slirp4netns; do
	command -v $p >/dev/null && continue
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $p ||
		{
			echo "check-fresh-machine: cannot install $p" >&2
			exit 2
		}
done
mkdir -p "$work/archives/partial"

# The base system, made once: exactly what debootstrap makes, with the
# suite's updates and security archives in its sources.
base=$work/debian12-base.tar
if [ ! -f "$base" ]; then
	echo "check-fresh-machine: debootstrap --variant=minbase $suite from $mirror (once; log: $work/debootstrap.log)"
	rm -rf "$work/base"
	if timeout -k 10 1200 unshare --mount --pid --fork --kill-child \
		debootstrap --variant=minbase "$suite" "$work/base" "$mirror" \
		>"$work/debootstrap.log" 2>&1; then
		cat >"$work/base/etc/apt/sources.list" <<-EOF
			deb $mirror $suite main
			deb $mirror $suite-updates main
			deb $security $suite-security main
		EOF
		rm -f "$work/base/var/cache/apt/archives/"*.deb
		tar -C "$work/base" -cf "$base.tmp" . && mv "$base.tmp" "$base"
	fi
	rm -rf "$work/base"
	if [ ! -f "$base" ]; then
		tail -n 20 "$work/debootstrap.log"
		echo "check-fresh-machine: debootstrap failed, see $work/debootstrap.log" >&2
		exit 1
	fi
fi

rm -rf "$root"
mkdir -p "$root"
tar -C "$root" -xf "$base" || exit 1
# slirp4netns's DNS forwarder; the machine's name, and the /etc/hosts that
# Debian's installer writes (debootstrap writes none).
echo "nameserver 10.0.2.3" >"$root/etc/resolv.conf"
echo fresh-debian12 >"$root/etc/hostname"
cat >"$root/etc/hosts" <<EOF
127.0.0.1	localhost
127.0.1.1	fresh-debian12
::1	localhost ip6-localhost ip6-loopback
ff02::1	ip6-allnodes
ff02::2	ip6-allrouters
EOF
# No init system runs here: package scripts must not try to start services.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
git clone -q "$repo" "$root$clone" || exit 1
echo "check-fresh-machine: $(git -C "$root$clone" log -1 --format='%h %s') in $root$clone"

# The run: private namespaces; slirp4netns joins the network namespace of
# unshare (which made it before forking the phase).
log=$work/run.log
mode=full
[ "${FRESH_QUICK:-}" = 1 ] && mode=quick
echo "check-fresh-machine: $mode run in the fresh system (log: $log)"
timeout -k 10 "${FRESH_TIMEOUT:-14400}" unshare --mount --pid --net --uts --ipc \
	--fork --kill-child "$self" --phase run >"$log" 2>&1 &
runpid=$!
# The unshare process, child of timeout, is in the new network namespace.
i=0
nspid=""
while [ -z "$nspid" ] && [ $i -lt 50 ]; do
	nspid=$(pgrep -P "$runpid" -x unshare)
	[ -n "$nspid" ] || sleep 0.1
	i=$((i + 1))
done
slirp=""
if [ -n "$nspid" ]; then
	slirp4netns --configure --mtu=65520 --disable-host-loopback "$nspid" tap0 \
		>"$work/slirp4netns.log" 2>&1 &
	slirp=$!
fi
tail -f --pid="$runpid" -n +1 "$log" 2>/dev/null &
tailpid=$!
wait "$runpid"
rc=$?
wait "$tailpid" 2>/dev/null
[ -n "$slirp" ] && kill "$slirp" 2>/dev/null && wait "$slirp" 2>/dev/null

# Nothing left behind: no mount below the root, no process in it.
if awk -v r="$root" 'index($5, r) == 1' /proc/self/mountinfo | grep -q .; then
	echo "check-fresh-machine: mounts left below $root" >&2
	rc=1
fi
leftover=""
for p in /proc/[0-9]*; do
	case "$(readlink "$p/root" 2>/dev/null)" in
	"$root" | "$root"/*) leftover="$leftover ${p#/proc/}" ;;
	esac
done
if [ -n "$leftover" ]; then
	echo "check-fresh-machine: processes left in $root:$leftover" >&2
	rc=1
fi
# The fresh system is kept for a look when the run failed.
[ "$rc" -eq 0 ] && rm -rf "$root"

echo
echo "=== check-fresh-machine ($mode run, exit $rc)"
if [ "$mode" = quick ]; then
	grep -E '^(FAIL: |fresh-quick: )' "$log"
else
	sed -n '/^=== summary$/,$p' "$log"
fi
exit "$rc"
