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

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

# Without the kernel's multicast routing pimd forwards nothing, and it
# cannot be loaded as a module.  On such a kernel the test files that need
# it run under User-Mode Linux kernels that have it (tools/uml-run.sh; as
# many kernels at once as there are CPUs, each with a share of the files),
# and those listed in host-kernel-tests.txt on the host.
# AMTD_TOPOTEST_ANY_KERNEL=1 runs every test on the host anyway.
if ! "$top/tools/check-kernel.sh" "amtd's topotests" 2>&1 &&
	[ "${AMTD_TOPOTEST_ANY_KERNEL:-0}" != 1 ]; then
	exec "$here/run-topotests-uml.sh" "$tree" "$@"
fi

cd "$tree/tests/topotests"
# FRR's scripts run plain "python3": make it Debian's, which has pytest,
# pexpect and scapy.
export PATH="/usr/bin:/usr/sbin:/bin:/sbin:$PATH"
export PYTHONPATH="$PWD"
# pytest cuts its closing "FAILED test - message" lines to the terminal's
# width (80 columns without one): keep the message, which tools/test.sh
# repeats in its summary.
export COLUMNS=400
set +e
# At start, FRR's conftest reaps the processes of every other munet run whose
# pytest does not carry MUNET_PID in its own environment, which is never the
# case when pytest is started plainly: two topotest runs at once (say two
# engineers, or CI and one engineer) would kill each other's routers.  Giving
# pytest MUNET_PID=<its own pid> from the start (exec keeps the pid) marks the
# run as alive, so other runs leave it alone.
# shellcheck disable=SC2086 # the directories: words
/bin/sh -c 'MUNET_PID=$$ exec /usr/bin/python3 -m pytest -v -p no:cacheprovider "$@"' \
	pytest ${AMTD_TOPOTEST_DIRS:-amt_*/} "$@"
rc=$?
set -e
# pytest's 5 means no test ran: that is a failure here.
[ "$rc" -eq 5 ] && echo "topotest: no test was collected" && exit 1
exit "$rc"
