#!/bin/sh
# Check the Debian packages that make deb built: on a clean Debian 12 system
# in a chroot, "apt-get install ./*.deb" installs them with their
# dependencies from Debian 12, and FRR started with its own init script
# (/usr/lib/frr/frrinit.sh, what frr.service runs) runs amtd under watchfrr,
# with the NETCONF module of package frr-netconf loaded (-M netconf) and
# answering an ncclient session (the host's python3-ncclient and ssh-keygen,
# run in the namespace of the chroot's FRR).
#
#   check-deb.sh [DEBDIR]        (default: _build/deb)
#
# Needs root, debootstrap and Debian's mirror.  The base system (debootstrap
# --variant=minbase bookworm, plus man-db) is made once and kept as
# _build/deb-check/debian12-base.tar, and the packages apt downloads are kept
# in _build/deb-check/archives, so a second run is fast.  Each run unpacks a
# fresh copy of the base system into _build/deb-check/root.
#
# The host is never touched: apt downloads in a mount and PID namespace of
# their own; the packages are installed (their maintainer scripts run) and
# FRR is started in a namespace that has its own network stack too, so no
# daemon of the chroot can see the host's interfaces, routes or FRR.  When a
# namespace ends, the kernel removes its mounts and kills what still runs in
# it; the last checks make sure nothing is left mounted or running.
#
# Each check prints PASS or FAIL; the closing line is "deb: N passed,
# N failed" and the exit status is non-zero when a check failed.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
self=$top/tools/check-deb.sh
work=$top/_build/deb-check
root=$work/root
results=$work/results
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
suite=bookworm
relay_addr=192.0.2.1
netconf_port=830
netconf_key=$work/netconf-client

pass() {
	echo "PASS: $*" | tee -a "$results"
}
fail() {
	echo "FAIL: $*" | tee -a "$results"
}
check() {
	# check DESCRIPTION COMMAND...: one check, passed when COMMAND succeeds
	# (its output on stdout is not wanted).
	what=$1
	shift
	if "$@" >/dev/null; then pass "$what"; else fail "$what"; fi
}
# wait_for SECONDS COMMAND...: poll COMMAND once a second until it succeeds.
wait_for() {
	n=$1
	shift
	while ! "$@"; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || return 1
		sleep 1
	done
}
in_root() {
	# in_root SECONDS COMMAND...: run COMMAND in the chroot, bounded in time.
	t=$1
	shift
	timeout -k 5 "$t" chroot "$root" /usr/bin/env -i \
		PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
		DEBIAN_FRONTEND=noninteractive "$@"
}

# Mounts that the chroot needs, made inside a private mount namespace (they
# vanish with it): /proc of the namespace's PID namespace, a minimal /dev
# (with /dev/net/tun for amtd's pseudo-interfaces), /run, /sys, and apt's
# package cache kept in _build.
mount_chroot() {
	mount -t proc proc "$root/proc" &&
		mount -t tmpfs -o mode=0755,size=1m dev "$root/dev" &&
		mount -t tmpfs -o mode=0755 run "$root/run" &&
		mount -t sysfs sysfs "$root/sys" &&
		mount --bind "$work/archives" "$root/var/cache/apt/archives" || return 1
	d=$root/dev
	mknod -m 666 "$d/null" c 1 3 && mknod -m 666 "$d/zero" c 1 5 &&
		mknod -m 666 "$d/full" c 1 7 && mknod -m 666 "$d/random" c 1 8 &&
		mknod -m 666 "$d/urandom" c 1 9 && mknod -m 666 "$d/tty" c 5 0 &&
		mkdir -m 755 "$d/pts" "$d/net" && mkdir -m 1777 "$d/shm" &&
		mknod -m 666 "$d/net/tun" c 10 200 &&
		mount -t devpts -o newinstance,ptmxmode=0666 devpts "$d/pts" &&
		ln -s pts/ptmx "$d/ptmx" && ln -s /proc/self/fd "$d/fd"
}

# step SECONDS LOG DESCRIPTION COMMAND...: one check, COMMAND run in the
# chroot with its output in $work/LOG (whose end is shown on failure).
step() {
	t=$1 log=$work/$2 what=$3
	shift 3
	if in_root "$t" "$@" >"$log" 2>&1; then
		pass "$what"
	else
		tail -n 20 "$log"
		fail "$what, see $log"
		return 1
	fi
}

# The processes of the chroot's PID namespace: "PID NAME ARGS..." lines.
procs() {
	for p in "$root"/proc/[0-9]*; do
		[ -r "$p/cmdline" ] || continue
		args=$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null) || continue
		[ -n "$args" ] && echo "${p##*/} $(cat "$p/comm" 2>/dev/null) $args"
	done
}
pid_of() {
	procs | awk -v n="$1" '$2 == n { print $1; exit }'
}
running() {
	[ -n "$(pid_of "$1")" ]
}
vtysh() {
	in_root 20 vtysh "$@"
}
# show_amt_json EXPR: "show amt json" answers, and EXPR (Python, over the
# parsed answer "j") holds.
show_amt_json() {
	vtysh -c 'show amt json' 2>/dev/null | /usr/bin/python3 -c '
import json, sys
j = json.load(sys.stdin)
sys.exit(0 if eval(sys.argv[1]) else 1)' "$1" 2>/dev/null
}
amtd_up_in_watchfrr() {
	vtysh -c 'show watchfrr' 2>/dev/null | grep -q -E '^[[:space:]]*amtd[[:space:]]+Up'
}

# ---- inside the namespaces -------------------------------------------------

# Fetch: apt's lists and every package "apt-get install ./*.deb" needs, into
# the cache.  Host network; mount and PID namespace of its own.
phase_fetch() {
	mount_chroot || {
		fail "mounts for the chroot"
		return 1
	}
	step 600 apt-update.log "apt-get update against $mirror ($suite)" \
		apt-get update -q &&
		step 900 apt-download.log \
			"apt resolves the dependencies of ./*.deb on Debian 12 and downloads them" \
			sh -c 'cd /tmp/debs && apt-get install -y -q --download-only ./*.deb'
}

# Install and run: no network but the namespace's own loopback.
phase_run() {
	mount_chroot || {
		fail "mounts for the chroot"
		return 1
	}
	ip link set lo up && ip address add "$relay_addr/32" dev lo || {
		fail "loopback of the network namespace"
		return 1
	}

	# The packages, the Debian way, from the cache (there is no network here;
	# apt's --no-download mishandles ./*.deb, but it is not needed).
	step 900 apt-install.log "apt-get install ./*.deb" \
		sh -c 'cd /tmp/debs && apt-get install -y -q ./*.deb' || return 1
	notinstalled=""
	for deb in "$root"/tmp/debs/*.deb; do
		pkg=$(dpkg-deb -f "$deb" Package)
		ver=$(dpkg-deb -f "$deb" Version)
		st=$(in_root 20 dpkg-query -W -f '${Status} ${Version}' "$pkg" 2>/dev/null)
		[ "$st" = "install ok installed $ver" ] || notinstalled="$notinstalled $pkg"
	done
	check "every package is installed at its version${notinstalled:+ (not:$notinstalled)}" \
		test -z "$notinstalled"
	libs_resolve() {
		out=$(in_root 20 ldd /usr/lib/frr/amtd /usr/lib/frr/zebra /usr/lib/frr/mgmtd \
			/usr/bin/vtysh 2>&1) && ! echo "$out" | grep -q 'not found'
	}
	check "amtd, zebra, mgmtd and vtysh find all their libraries (ldd)" libs_resolve
	# The NETCONF module of frr-netconf, in FRR's module directory.
	nc_module=$(cd "$root" && ls usr/lib/*/frr/modules/netconf.so 2>/dev/null | head -n 1)
	check "frr-netconf installed /${nc_module:-usr/lib/*/frr/modules/netconf.so}" \
		test -n "$nc_module"
	nc_module_libs() {
		[ -n "$nc_module" ] &&
			out=$(in_root 20 ldd "/$nc_module" 2>&1) &&
			! echo "$out" | grep -q 'not found' &&
			echo "$out" | grep -q 'libssh\.so\.4 => ' &&
			echo "$out" | grep -q 'libfrr\.so\.0 => '
	}
	check "the NETCONF module finds libssh and libfrr and all else (ldd)" nc_module_libs
	libyang_ok() {
		# libyang linked into libfrr, or a libyang package that is new enough
		ly=$(in_root 20 ldd /usr/lib/frr/amtd | awk '/libyang/ { print $3 }')
		if [ -z "$ly" ]; then
			nm -D --defined-only "$root"/usr/lib/*/frr/libfrr.so.0 |
				grep -q ' T ly_ctx_new$'
		else
			pkg=$(in_root 20 dpkg -S "$ly" | cut -d: -f1) &&
				v=$(in_root 20 dpkg-query -W -f '${Version}' "$pkg") &&
				dpkg --compare-versions "$v" ge 2.1.128
		fi
	}
	check "libyang comes along: linked into libfrr, or a package >= 2.1.128" libyang_ok
	man_page() {
		m=$(in_root 20 man -w frr-amtd 2>/dev/null) &&
			[ "$m" = /usr/share/man/man8/frr-amtd.8.gz ] &&
			zcat "$root$m" | grep -q '^\.TH "FRR-AMTD" "8"'
	}
	check "man page: man -w frr-amtd is /usr/share/man/man8/frr-amtd.8.gz" man_page
	yang_module() {
		grep -q '^module frr-amtd {' "$root/usr/share/yang/frr-amtd.yang"
	}
	check "YANG module /usr/share/yang/frr-amtd.yang" yang_module
	check "the AMT chapter /usr/share/doc/frr-amtd/html/user/amtd.html" \
		grep -q 'AMT' "$root/usr/share/doc/frr-amtd/html/user/amtd.html"
	check "/etc/frr/daemons lists amtd, off by default" \
		grep -q '^amtd=no$' "$root/etc/frr/daemons"

	# The NETCONF module, loaded by amtd from FRR's module directory; the
	# client's key authorized the way doc/user/amtd.rst says.
	rm -f "$netconf_key" "$netconf_key.pub"
	if ssh-keygen -q -t ed25519 -N '' -C check-deb -f "$netconf_key" &&
		install -m 0640 "$netconf_key.pub" "$root/etc/frr/netconf_authorized_keys" &&
		in_root 20 chown root:frr /etc/frr/netconf_authorized_keys; then
		pass "a NETCONF client key in /etc/frr/netconf_authorized_keys (root:frr 0640)"
	else
		fail "a NETCONF client key in /etc/frr/netconf_authorized_keys (ssh-keygen on the host)"
	fi
	sed -i 's/^\(amtd_options=".*\)"$/\1 -M netconf"/' "$root/etc/frr/daemons"
	check "amtd_options in /etc/frr/daemons load the NETCONF module (-M netconf)" \
		grep -q '^amtd_options=".* -M netconf"$' "$root/etc/frr/daemons"

	# Start FRR the way the package does without systemd (frr.service runs
	# the same script), with amtd turned on.
	sed -i 's/^amtd=no$/amtd=yes/' "$root/etc/frr/daemons"
	step 120 frrinit-start.log "/usr/lib/frr/frrinit.sh start, with amtd=yes" \
		/usr/lib/frr/frrinit.sh start
	watchfrr_watches_amtd() {
		procs | awk '$2 == "watchfrr"' | grep -q -w amtd
	}
	check "watchfrr runs, with amtd among the daemons it watches" \
		wait_for 30 watchfrr_watches_amtd
	check "amtd runs" wait_for 60 running amtd
	check "vtysh 'show watchfrr' lists amtd Up" wait_for 60 amtd_up_in_watchfrr
	check "vtysh 'show amt json' answers from amtd, connected to zebra, no instance" \
		wait_for 30 show_amt_json 'j["zebra"]["connected"] and j["instances"] == {}'

	# watchfrr supervises amtd: it starts it again when it is killed.
	old=$(pid_of amtd)
	restarted() {
		new=$(pid_of amtd)
		[ -n "$new" ] && [ "$new" != "$old" ] && amtd_up_in_watchfrr &&
			show_amt_json 'j["zebra"]["connected"]'
	}
	if [ -n "$old" ] && kill -KILL "$old" 2>/dev/null; then
		check "watchfrr restarts amtd after kill -9, and it answers again" \
			wait_for 90 restarted
	else
		fail "no amtd to kill"
	fi

	# A relay, configured through vtysh.
	if vtysh -c 'configure terminal' -c 'amt relay amtr0' \
		-c "local-address $relay_addr" -c 'end' >"$work/vtysh-config.log" 2>&1 &&
		! grep -q '^%' "$work/vtysh-config.log"; then
		pass "vtysh accepts a relay: amt relay amtr0, local-address $relay_addr"
	else
		cat "$work/vtysh-config.log"
		fail "vtysh rejects the relay configuration"
	fi
	in_running_config() {
		vtysh -c 'show running-config' 2>/dev/null | awk -v a="$relay_addr" '
			/^amt relay amtr0$/ { r = 1; next }
			r && $1 == "local-address" && $2 == a { ok = 1 }
			/^exit/ { r = 0 }
			END { exit !ok }'
	}
	check "show running-config has the relay and its local address" in_running_config
	check "show amt json: relay amtr0 is up" \
		wait_for 20 show_amt_json 'j["instances"]["amtr0"]["role"] == "relay" and j["instances"]["amtr0"]["operStatus"] == "up"'
	tun_exists() {
		ip link show amtr0 >/dev/null 2>&1
	}
	tun_was_there=false
	if wait_for 20 tun_exists; then
		tun_was_there=true
		pass "the pseudo-interface amtr0 exists"
	else
		fail "the pseudo-interface amtr0 exists"
	fi
	listening() {
		# 192.0.2.1:2268 as /proc/net/udp writes it
		grep -q ' 010200C0:08DC ' "$root/proc/net/udp"
	}
	check "amtd listens on $relay_addr UDP port 2268" wait_for 20 listening

	# NETCONF: the module amtd loaded from package frr-netconf serves it.
	module_loaded() {
		mods=$(vtysh -c 'show modules' 2>/dev/null) &&
			echo "$mods" | grep -q -E '^frr_netconf[[:space:]]' &&
			echo "$mods" | grep -q -E "from: /usr/lib/[^/]+/frr/modules/netconf\.so\$"
	}
	check "vtysh 'show modules' lists frr_netconf, from /${nc_module:-usr/lib/*/frr/modules/netconf.so}" \
		wait_for 20 module_loaded
	nc_listening() {
		# 127.0.0.1:830, state LISTEN (0A), as /proc/net/tcp writes it
		grep -q -E " 0100007F:$(printf '%04X' "$netconf_port") 0+:0+ 0A " \
			"$root/proc/net/tcp"
	}
	check "the NETCONF module listens on 127.0.0.1 TCP port $netconf_port" \
		wait_for 20 nc_listening
	hostkey_made() {
		[ "$(in_root 20 stat -c '%U %a' /var/lib/frr/netconf_ssh_host_ed25519_key)" = "frr 600" ]
	}
	check "its SSH host key was made: /var/lib/frr/netconf_ssh_host_ed25519_key, frr, 0600" \
		hostkey_made
	netconf_session() {
		timeout -k 5 60 /usr/bin/python3 - "$netconf_port" "$netconf_key" "$relay_addr" \
			>"$work/netconf-session.log" 2>&1 <<-'EOF'
			import sys
			from ncclient import manager

			port, key, addr = int(sys.argv[1]), sys.argv[2], sys.argv[3]
			ns = {"amt": "http://frrouting.org/yang/amtd"}
			with manager.connect(host="127.0.0.1", port=port, username="netconf",
			                     key_filename=key, hostkey_verify=False,
			                     allow_agent=False, look_for_keys=False,
			                     timeout=20) as m:
			    caps = list(m.server_capabilities)
			    yl = "urn:ietf:params:netconf:capability:yang-library:1.1?"
			    assert any(c.startswith(yl) for c in caps), caps
			    text = m.get_schema("frr-amtd").data
			    assert text.lstrip().startswith("module frr-amtd"), text[:200]
			    sel = '/amt:amtd/amt:relay[amt:name="amtr0"]/amt:local-address'
			    cfg = m.get_config(source="running", filter=("xpath", (ns, sel))).data_xml
			    assert ">%s<" % addr in cfg, cfg
			print("netconf session: yang-library, get-schema frr-amtd, get-config amtr0")
		EOF
	}
	if netconf_session; then
		pass "ncclient: hello, get-schema frr-amtd and get-config of relay amtr0 over NETCONF"
	else
		tail -n 20 "$work/netconf-session.log"
		fail "ncclient session over NETCONF, see $work/netconf-session.log"
	fi

	# Stop FRR with the same script.
	step 120 frrinit-stop.log "/usr/lib/frr/frrinit.sh stop" /usr/lib/frr/frrinit.sh stop
	no_frr_left() {
		! procs | awk '{ print $2 }' | grep -q -x -E 'watchfrr|zebra|mgmtd|staticd|amtd'
	}
	check "no FRR daemon runs after the stop" wait_for 30 no_frr_left
	tun_gone() {
		$tun_was_there && ! tun_exists
	}
	check "the stopped amtd removed its pseudo-interface" wait_for 10 tun_gone
	nc_closed() {
		! nc_listening
	}
	check "nothing listens on TCP port $netconf_port after the stop" wait_for 10 nc_closed
}

if [ "${1:-}" = --phase ]; then
	# --phase NAME: run inside the namespaces that the main part made.
	mount --make-rprivate / || exit 1
	"phase_$2"
	exit $?
fi

# ---- the main part ---------------------------------------------------------

debs=${1:-$top/_build/deb}
if [ "$(id -u)" -ne 0 ]; then
	echo "check-deb: needs root" >&2
	exit 2
fi
set -- "$debs"/*.deb
if [ ! -f "$1" ]; then
	echo "check-deb: no .deb in $debs (make deb)" >&2
	exit 2
fi
mkdir -p "$work/archives/partial"
: >"$results"

# Our packages, not Debian's: our Maintainer, Debian's kept as the original.
maint_ok=""
for deb in "$@"; do
	m=$(dpkg-deb -f "$deb" Maintainer)
	o=$(dpkg-deb -f "$deb" Original-Maintainer)
	case "$m" in
	*amtd*) [ -n "$o" ] && [ "$o" != "$m" ] || maint_ok="$maint_ok ${deb##*/}" ;;
	*) maint_ok="$maint_ok ${deb##*/}" ;;
	esac
done
check "Maintainer is amtd's, Original-Maintainer Debian's, in every package${maint_ok:+ (not:$maint_ok)}" \
	test -z "$maint_ok"

# The NETCONF module: package frr-netconf, beside frr of the same build,
# depending on libssh (dpkg-shlibdeps) and on that frr.
nc_deb=""
for deb in "$@"; do
	[ "$(dpkg-deb -f "$deb" Package)" = frr-netconf ] && nc_deb=$deb
done
check "a package frr-netconf among the .debs" test -n "$nc_deb"
nc_deb_holds_module() {
	[ -n "$nc_deb" ] &&
		dpkg-deb -c "$nc_deb" | awk '{ print $6 }' |
		grep -q -x -E '\./usr/lib/[^/]+/frr/modules/netconf\.so'
}
check "frr-netconf holds usr/lib/<arch>/frr/modules/netconf.so" nc_deb_holds_module
nc_deb_depends() {
	[ -n "$nc_deb" ] || return 1
	d=$(dpkg-deb -f "$nc_deb" Depends)
	v=$(dpkg-deb -f "$nc_deb" Version)
	echo "$d" | grep -q -E '(^|, )libssh-4( |,|$)' &&
		echo "$d" | grep -q -F "frr (= $v)"
}
check "frr-netconf depends on libssh-4 and on frr of its own version" nc_deb_depends

# The base system, made once.
base=$work/debian12-base.tar
if [ ! -f "$base" ]; then
	echo "check-deb: debootstrap $suite from $mirror (once; log: $work/debootstrap.log)"
	rm -rf "$work/base"
	if timeout -k 10 1200 unshare --mount --pid --kill-child \
		debootstrap --variant=minbase --include=man-db "$suite" "$work/base" "$mirror" \
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
fi
if [ -f "$base" ]; then
	pass "a Debian 12 base system ($base)"
	rm -rf "$root"
	mkdir -p "$root"
	tar -C "$root" -xf "$base"
	mkdir -p "$root/tmp/debs"
	cp "$@" "$root/tmp/debs/"
	cp /etc/resolv.conf "$root/etc/resolv.conf"
	# Maintainer scripts must not start services: FRR is started by hand.
	printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
	chmod 755 "$root/usr/sbin/policy-rc.d"

	if timeout -k 10 1800 unshare --mount --pid --kill-child "$self" --phase fetch; then
		timeout -k 10 1800 unshare --mount --pid --net --kill-child "$self" --phase run ||
			fail "the install-and-run phase did not complete"
	else
		fail "FRR not installed and started: the packages could not be fetched"
	fi
else
	tail -n 20 "$work/debootstrap.log"
	fail "debootstrap $suite, see $work/debootstrap.log"
fi

# Nothing left behind: no mount below the chroot, no process in it.
not_mounted() {
	! awk -v r="$root" 'index($5, r) == 1' /proc/self/mountinfo | grep -q .
}
check "nothing left mounted below $root" not_mounted
leftover=""
for p in /proc/[0-9]*; do
	[ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && leftover="$leftover ${p##*/}"
done
check "no process left running in the chroot${leftover:+ (pids$leftover)}" test -z "$leftover"

passed=$(grep -c '^PASS' "$results")
failed=$(grep -c '^FAIL' "$results")
if [ "$failed" -eq 0 ]; then
	rm -rf "$root"
fi
echo "deb: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
