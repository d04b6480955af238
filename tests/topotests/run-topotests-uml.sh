#!/bin/sh
# amtd's topotests on a host whose kernel has no multicast routing (what
# run-amtd-topotests.sh runs there): the test files listed in
# host-kernel-tests.txt run on the host; every other one runs under a
# User-Mode Linux kernel that has multicast routing (tools/uml-run.sh), as
# many kernels at once as the host has CPUs (AMTD_UML_KERNELS), each with a
# share of the files.  The tests are the same as on the host: same files,
# same installed FRR; only the kernel differs.
#
#   run-topotests-uml.sh FRR_TREE [PYTEST_ARGS...]
#
# AMTD_TOPOTEST_DIRS selects directories or files, as for
# run-amtd-topotests.sh.  Each part's pytest output is shown whole once the
# part ends; its summary line counts in the totals as on the host.  The exit
# status is non-zero when any part failed.
set -eu
tree=$(cd "$1" && pwd)
shift
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=$top/_build/uml-topotest
rm -rf "$out"
mkdir -p "$out"

# The selected test files, as paths below the tree's tests/topotests.
cd "$tree/tests/topotests"
selected=""
# shellcheck disable=SC2086 # the directories: words, their globs expanded
for sel in ${AMTD_TOPOTEST_DIRS:-amt_*/}; do
	if [ -d "$sel" ]; then
		for f in "${sel%/}"/test_*.py; do
			[ -f "$f" ] && selected="$selected $f"
		done
	elif [ -f "$sel" ]; then
		selected="$selected $sel"
	else
		echo "topotest: no test file or directory $sel" >&2
		exit 1
	fi
done

host=""
uml=""
for f in $selected; do
	if grep -qx "$f" "$here/host-kernel-tests.txt"; then
		host="$host $f"
	else
		uml="$uml $f"
	fi
done

# The files among the kernels, larger files first, each to the kernel with
# the fewest tests so far (a test takes about as long as another): lines
# "KERNEL FILE".
kernels=${AMTD_UML_KERNELS:-$(nproc 2>/dev/null || echo 1)}
shares=$(for f in $uml; do
	echo "$(grep -c '^def test_' "$f") $f"
done | sort -rn | awk -v kernels="$kernels" '{
	best = 0
	for (i = 1; i < kernels; i++)
		if (load[i] + 0 < load[best] + 0)
			best = i
	load[best] += $1
	print best, $2
}')

# The files of kernel $1, on one line.
share() {
	echo "$shares" | awk -v k="$1" '$1 == k { printf "%s ", $2 }'
}

echo "topotest: this kernel has no multicast routing; on the host:" \
	"${host:- nothing}; under User-Mode Linux, in $kernels kernel(s):${uml:- nothing}"
rc=0
if [ -n "$host" ]; then
	AMTD_TOPOTEST_ANY_KERNEL=1 AMTD_TOPOTEST_DIRS="$host" \
		"$here/run-amtd-topotests.sh" "$tree" "$@" || rc=1
fi

if [ -n "$uml" ]; then
	# The kernel, built once (the kernels below must not build it at once).
	"$top/tools/build-uml.sh" "$top/_build/uml" || exit 1
	pids=""
	i=0
	while [ "$i" -lt "$kernels" ]; do
		files=$(share "$i")
		if [ -n "$files" ]; then
			AMTD_UML_LINUX=$top/_build/uml/linux AMTD_UML_OUT=$out/kernel.$i \
				"$top/tools/uml-run.sh" env AMTD_TOPOTEST_DIRS="$files" \
				"$here/run-amtd-topotests.sh" "$tree" "$@" \
				>"$out/pytest.$i.log" 2>&1 &
			pids="$pids $i:$!"
			echo "topotest: UML kernel $i runs $files"
		fi
		i=$((i + 1))
	done
	for kp in $pids; do
		i=${kp%%:*}
		wait "${kp#*:}" || rc=1
		echo "=== topotest: UML kernel $i ($(share "$i"))"
		cat "$out/pytest.$i.log"
	done
fi
exit "$rc"
