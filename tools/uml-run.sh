#!/bin/sh
# Run a command under a User-Mode Linux kernel that has multicast routing
# (tools/build-uml.sh's), for hosts whose own kernel has none: the
# topotests and the demo need it, and it cannot be loaded as a module.
#
#   tools/uml-run.sh COMMAND [ARG...]
#
# The UML kernel sees the host's root file system (over hostfs) as the lower
# layer of an overlay whose upper layer is in memory: the installed FRR,
# Debian's programs and this tree are the host's own, and what COMMAND
# writes stays inside, except in the output directory, which is the host's.
# COMMAND runs as root, in the current directory, with a standard PATH.
# Its output is shown as it runs; the exit status is COMMAND's, or 1 when
# the kernel ended before COMMAND did.
#
#   AMTD_UML_LINUX    the kernel (default: _build/uml/linux, built when
#                     missing or out of date)
#   AMTD_UML_OUT      the output directory (default: _build/uml-run/PID):
#                     output.log, console.log, kernel.log, rc, and when
#                     COMMAND failed the topotests' logs (topotests/)
#   AMTD_UML_MEM      the kernel's memory (default: 3G; a sparse file)
#   AMTD_UML_TIMEOUT  seconds before the kernel is stopped (default: 3600)
#   AMTD_UML_IDLE     seconds without a line of output or of the kernel's
#                     log after which the kernel is taken as hung and
#                     stopped (default: 600; the topotests are never silent
#                     for more than about 90 s)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 1 ] || {
	echo "usage: tools/uml-run.sh COMMAND [ARG...]" >&2
	exit 2
}
if [ -z "${AMTD_UML_LINUX:-}" ]; then
	"$top/tools/build-uml.sh" "$top/_build/uml" >&2
	AMTD_UML_LINUX=$top/_build/uml/linux
fi
out=${AMTD_UML_OUT:-$top/_build/uml-run/$$}
rm -rf "$out"
mkdir -p "$out/mem"
out=$(cd "$out" && pwd)

# What the init (tools/uml-run-init.sh) runs: the directory, then COMMAND
# and its arguments, one per line.
pwd >"$out/command"
for arg in "$@"; do
	printf '%s\n' "$arg" >>"$out/command"
done

: >"$out/output.log"
# The kernel's memory file and its control socket stay in the output
# directory; its console is kernel.log, the init's own log console.log.
TMPDIR=$out/mem timeout -k 10 "${AMTD_UML_TIMEOUT:-3600}" "$AMTD_UML_LINUX" \
	mem="${AMTD_UML_MEM:-3G}" rootfstype=hostfs rootflags=/ ro \
	init="$top/tools/uml-run-init.sh" con=null con0=null,fd:1 ssl=null \
	uml_dir="$out" UML_OUT="$out" </dev/null >"$out/kernel.log" 2>&1 &
kernel=$!
tail -n +1 -f --pid="$kernel" "$out/output.log" &
tailer=$!

# The kernel's processes: the kernel's own and those of its processes (the
# host sees each as a copy of the kernel, with its command line).
kill_kernel() {
	pkill -KILL -f "uml_dir=$out " 2>/dev/null
}

# A hung UML kernel writes nothing and never ends (one spun on a fault for
# good: see build-uml.sh's VMAP_STACK): stop it once its output and its log
# have been silent for AMTD_UML_IDLE seconds.
idle=${AMTD_UML_IDLE:-600}
(
	while kill -0 "$kernel" 2>/dev/null; do
		sleep 10
		last=$(stat -c %Y "$out/output.log" "$out/kernel.log" | sort -n | tail -n 1)
		if [ $(($(date +%s) - last)) -ge "$idle" ]; then
			echo "uml-run: nothing written for $idle s: the kernel hung; stopping it" >&2
			kill_kernel
			exit 0
		fi
	done
) &
watchdog=$!
# A background job of a script ignores SIGINT: stop the kernel on Ctrl-C
# (the wait below returns for it).  What ran in the kernel leaves nothing
# behind on the host: its writes are in its memory.
trap 'kill "$kernel" "$tailer" "$watchdog" 2>/dev/null; kill_kernel; exit 130' INT
trap 'kill "$kernel" "$tailer" "$watchdog" 2>/dev/null; kill_kernel; exit 143' TERM
set +e
wait "$kernel"
krc=$?
wait "$tailer"
kill "$watchdog" 2>/dev/null
# Left over if the kernel was killed (its processes die with it otherwise).
kill_kernel
set -e
rm -rf "$out/mem"
if [ ! -s "$out/rc" ]; then
	echo "uml-run: the UML kernel ended (exit $krc) before the command did;" \
		"see $out/console.log and $out/kernel.log" >&2
	exit 1
fi
exit "$(cat "$out/rc")"
