#!/bin/sh
# The demo (tools/amt-demo-topology.sh, what tools/demo.sh runs once FRR is
# built and installed) removes everything it made: run it to its end, then
# interrupt it twice mid-way (SIGINT to its process group, as Ctrl-C does,
# once the application runs; SIGTERM to the script once the daemons run),
# and after each run check that no process of it is left (none in any of its
# network namespaces, none with "amtdemo" in its command line), no
# namespace, no /etc/frr/amtdemo-* or /var/run/frr/amtdemo-*, no state file,
# and no pseudo-interface or link of it in this network namespace.
#
# Needs root and FRR with amtd installed (make install).  Each check prints
# PASS or FAIL; the closing line is "demo: N passed, N failed".  AMTD_DEMO=FILE
# checks another demo script in its place (say an older one).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
demo=${AMTD_DEMO:-$top/tools/amt-demo-topology.sh}
out=$top/_build/test-demo
mkdir -p "$out"

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
check() {
	# check DESCRIPTION COMMAND...: passed when COMMAND succeeds.
	what=$1
	shift
	if "$@"; then pass "$what"; else fail "$what"; fi
}
finish() {
	echo "demo: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit $?
}

if [ "$(id -u)" -ne 0 ]; then
	fail "needs root"
	finish
fi
if [ ! -x /usr/lib/frr/amtd ] || ! command -v vtysh >/dev/null; then
	fail "FRR with amtd is not installed (make install)"
	finish
fi
if ! "$top/tools/check-kernel.sh" "the demo" 2>/dev/null; then
	# The demo needs multicast routing: on a kernel without it, these
	# checks and the demo they check run under User-Mode Linux, whose
	# kernel has it (tools/uml-run.sh).
	echo "this kernel has no multicast routing: checking the demo under" \
		"User-Mode Linux (tools/uml-run.sh)"
	AMTD_UML_OUT=$out/uml exec "$top/tools/uml-run.sh" env AMTD_DEMO="$demo" "$0"
fi
if ip netns list | grep -q '^amtdemo-'; then
	fail "a demo is running already (ip netns list shows amtdemo-*)"
	finish
fi

# The network namespaces of the running demo, as "net:[INODE]": polled by a
# background loop while the demo runs, so that processes left in them can be
# found even once the names are gone.
watch_namespaces() {
	# watch_namespaces FILE DEMOPID: until DEMOPID ends (bounded).
	# only a mounted namespace (on the namespace file system), not the file
	# that stays a moment while the namespace is deleted
	nsdev=$(stat -L -c %d /proc/self/ns/net)
	i=0
	while alive "$2" && [ $i -lt 1200 ]; do
		for f in /run/netns/amtdemo-*; do
			stat -L -c '%d %i' "$f" 2>/dev/null
		done | awk -v d="$nsdev" '$1 == d { print "net:[" $2 "]" }' 
		sleep 0.1
		i=$((i + 1))
	done | sort -u >"$1"
}

# alive PID: PID runs (a zombie, ended but not yet waited for, does not).
alive() {
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) && [ "${st%% *}" != Z ]
}

# wait_for SECONDS COMMAND...: poll COMMAND every 0.2 s until it succeeds.
wait_for() {
	n=$(($1 * 5))
	shift
	while ! "$@"; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || return 1
		sleep 0.2
	done
}

# Processes left: in one of the recorded namespaces, or naming amtdemo.
leftover_procs() {
	# leftover_procs NSFILE: prints "PID ARGS" lines
	for p in /proc/[0-9]*; do
		pid=${p#/proc/}
		[ "$pid" = $$ ] && continue
		ns=$(readlink "$p/ns/net" 2>/dev/null) || continue
		args=$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null) || continue
		if grep -qxF "$ns" "$1" 2>/dev/null; then
			echo "$pid $args"
		else
			case "$args" in
			*amtdemo*) echo "$pid $args" ;;
			esac
		fi
	done
}

# check_clean LABEL NSFILE: nothing of the demo is left.
check_clean() {
	label=$1
	nsfile=$2
	check "$label: the demo's network namespaces were seen while it ran ($(wc -l <"$nsfile"))" \
		test "$(wc -l <"$nsfile")" -eq 3
	left=$(leftover_procs "$nsfile")
	if [ -z "$left" ]; then
		pass "$label: no process left in the demo's namespaces or naming amtdemo"
	else
		echo "$left" | sed 's/^/  left: /'
		fail "$label: processes left"
	fi
	nets=$(ip netns list | grep '^amtdemo-')
	check "$label: no amtdemo-* network namespace (ip netns list${nets:+: $nets})" test -z "$nets"
	files=$(ls -d /etc/frr/amtdemo-* /var/run/frr/amtdemo-* /run/netns/amtdemo-* \
		/tmp/amtdemo-state.* 2>/dev/null | tr "\n" " ")
	check "$label: no /etc/frr/amtdemo-*, /var/run/frr/amtdemo-*, /run/netns/amtdemo-*, state file${files:+ (left: $files)}" \
		test -z "$files"
	links=$(ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' |
		grep -x -E 'amtr0|amtg0|relay-eth[01]|gw-eth0|src-eth0' | tr '\n' ' ')
	check "$label: no pseudo-interface (amtr0, amtg0) or veth of the demo here${links:+ (left: $links)}" \
		test -z "$links"
	tuns=$(ip -o link show type tun 2>/dev/null | awk -F': ' '{ print $2 }' |
		grep -E '^amt[rg]0' | tr '\n' ' ')
	check "$label: no tun device of the demo${tuns:+ (left: $tuns)}" test -z "$tuns"
}

# start_demo LOG: the demo in a session (process group) of its own; sets
# demopid (also its process group id) and starts the namespace watcher.
# A background job of a script ignores SIGINT, and a shell cannot trap a
# signal ignored when it started: the demo gets SIGINT's default back, as it
# has when started from a terminal.
start_demo() {
	setsid env --default-signal=INT "$demo" >"$1" 2>&1 </dev/null &
	demopid=$!
	watch_namespaces "$1.ns" "$demopid" &
	watchpid=$!
}
# end_demo SECONDS: wait (bounded) for the demo to end; sets rc (124 when it
# had to be killed).
end_demo() {
	if wait_for "$1" demo_ended; then
		wait "$demopid"
		rc=$?
	else
		kill -KILL "-$demopid" 2>/dev/null
		wait "$demopid"
		rc=124
	fi
	wait "$watchpid"
}
demo_ended() {
	! alive "$demopid"
}

# 1. The whole demo.
log=$out/demo-full.log
start_demo "$log"
end_demo 180
if [ "$rc" -eq 0 ]; then
	pass "full run: the demo exits 0"
else
	tail -n 30 "$log"
	fail "full run: the demo exits $rc (log: $log)"
fi
got=$(sed -n 's/.*(10.0.1.10, 232.1.1.1): \([0-9]*\) of 250 packets.*/\1/p' "$log")
check "full run: the application received the stream through the tunnel (${got:-no} of 250 packets)" \
	test "${got:-0}" -ge 200
check "full run: the demo printed show amt gateway and the relay's tunnels" \
	grep -q 'relay# show amt relay tunnels detail' "$log"
check_clean "full run" "$log.ns"

# 2. Ctrl-C once the application has joined: SIGINT to the process group.
gw_app_running() {
	grep -q '^== gw: an application joins' "$1" &&
		[ -f /var/run/frr/amtdemo-gw/amtd.pid ]
}
log=$out/demo-int.log
start_demo "$log"
if wait_for 90 gw_app_running "$log"; then
	sleep 1
	kill -INT "-$demopid"
	end_demo 60
	check "SIGINT mid-way: the demo ends with status 130 ($rc)" test "$rc" -eq 130
else
	tail -n 30 "$log"
	fail "SIGINT mid-way: the demo never got to the application (log: $log)"
	end_demo 180
fi
check_clean "SIGINT mid-way" "$log.ns"

# 3. kill (SIGTERM to the script alone) once the gateway's daemons run.
gw_daemons_running() {
	[ -f /var/run/frr/amtdemo-gw/amtd.pid ]
}
log=$out/demo-term.log
start_demo "$log"
if wait_for 90 gw_daemons_running; then
	kill -TERM "$demopid"
	end_demo 60
	check "SIGTERM mid-way: the demo ends with status 143 ($rc)" test "$rc" -eq 143
else
	tail -n 30 "$log"
	fail "SIGTERM mid-way: the gateway's amtd never started (log: $log)"
	end_demo 180
fi
check_clean "SIGTERM mid-way" "$log.ns"

finish
