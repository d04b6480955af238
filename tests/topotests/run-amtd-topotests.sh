#!/bin/sh
# Run amtd's FRR topotests (tests/topotests/amt_*) from the prepared FRR tree,
# against the FRR installed at its standard paths.  Needs root.
#
#   run-amtd-topotests.sh FRR_TREE [PYTEST_ARGS...]
#
# AMTD_TOPOTEST_DIRS selects the test directories (default: amt_*/).
set -eu
tree=$1
shift

if [ "$(id -u)" -ne 0 ]; then
	echo "topotests need root (network namespaces)" >&2
	exit 1
fi
if [ ! -x /usr/lib/frr/amtd ]; then
	echo "FRR with amtd is not installed: run 'make install' first" >&2
	exit 1
fi

# Without the kernel's multicast routing pimd forwards nothing, and most
# tests would fail one by one, each after its timeouts (over an hour in
# all).  On such a kernel only the tests listed in no-mroute-tests.txt run
# (configuration, northbound, control plane: they pass there), and the run
# fails all the same, saying that the others were left out and why.
# AMTD_TOPOTEST_ANY_KERNEL=1 runs every test anyway.
here=$(cd "$(dirname "$0")" && pwd)
subset=""
if ! "$here/../../tools/check-kernel.sh" "amtd's topotests" &&
	[ "${AMTD_TOPOTEST_ANY_KERNEL:-0}" != 1 ]; then
	# Those of the selected directories (all by default).
	dirs=$(echo "${AMTD_TOPOTEST_DIRS:-amt_}" |
		sed 's/^  *//; s/  *$//; s/\*/.*/g; s/  */|/g')
	subset=$(grep -v '^#' "$here/no-mroute-tests.txt" | grep -E "^($dirs)")
	if [ -z "$subset" ]; then
		echo "topotest: none of the selected tests runs without multicast routing"
		exit 1
	fi
	echo "topotest: running only the $(echo "$subset" | wc -l) tests of" \
		"no-mroute-tests.txt; the others need multicast routing" \
		"(AMTD_TOPOTEST_ANY_KERNEL=1 runs them anyway)"
fi

cd "$tree/tests/topotests"
# FRR's scripts run plain "python3": make it Debian's, which has pytest,
# pexpect and scapy.
export PATH="/usr/bin:/usr/sbin:/bin:/sbin:$PATH"
export PYTHONPATH="$PWD"
set +e
# At start, FRR's conftest reaps the processes of every other munet run whose
# pytest does not carry MUNET_PID in its own environment, which is never the
# case when pytest is started plainly: two topotest runs at once (say two
# engineers, or CI and one engineer) would kill each other's routers.  Giving
# pytest MUNET_PID=<its own pid> from the start (exec keeps the pid) marks the
# run as alive, so other runs leave it alone.
# shellcheck disable=SC2086 # the directories and the subset: words
/bin/sh -c 'MUNET_PID=$$ exec /usr/bin/python3 -m pytest -v -p no:cacheprovider "$@"' \
	pytest ${subset:-${AMTD_TOPOTEST_DIRS:-amt_*/}} "$@"
rc=$?
set -e
# pytest's 5 means no test ran: that is a failure here.
[ "$rc" -eq 5 ] && echo "topotest: no test was collected" && exit 1
if [ -n "$subset" ]; then
	echo "topotest: the tests that need multicast routing were not run" \
		"(tools/check-kernel.sh): failed"
	exit 1
fi
exit "$rc"
