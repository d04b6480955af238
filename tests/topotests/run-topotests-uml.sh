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
# the fewest tests so far (a test takes about as long as another).
kernels=${AMTD_UML_KERNELS:-$(nproc 2>/dev/null || echo 1)}
i=0
while [ "$i" -lt "$kernels" ]; do
	echo 0 >"$out/load.$i"
	: >"$out/files.$i"
	i=$((i + 1))
done
for f in $uml; do
	echo "$(grep -c '^def test_' "$f") $f"
done | sort -rn | while read -r n f; do
	best=0
	i=1
	while [ "$i" -lt "$kernels" ]; do
		[ "$(cat "$out/load.$i")" -lt "$(cat "$out/load.$best")" ] && best=$i
		i=$((i + 1))
	done
	echo $(($(cat "$out/load.$best") + n)) >"$out/load.$best"
	echo "$f" >>"$out/files.$best"
done

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
	i=0
	while [ "$i" -lt "$kernels" ]; do
		files=$(tr '\n' ' ' <"$out/files.$i")
		if [ -n "$files" ]; then
			AMTD_UML_LINUX=$top/_build/uml/linux AMTD_UML_OUT=$out/kernel.$i \
				"$top/tools/uml-run.sh" env AMTD_TOPOTEST_DIRS="$files" \
				"$here/run-amtd-topotests.sh" "$tree" "$@" \
				>"$out/pytest.$i.log" 2>&1 &
			echo "$!" >"$out/pid.$i"
			echo "topotest: UML kernel $i runs $files"
		fi
		i=$((i + 1))
	done
	i=0
	while [ "$i" -lt "$kernels" ]; do
		if [ -f "$out/pid.$i" ]; then
			wait "$(cat "$out/pid.$i")" || rc=1
			echo "=== topotest: UML kernel $i ($(tr '\n' ' ' <"$out/files.$i"))"
			cat "$out/pytest.$i.log"
		fi
		i=$((i + 1))
	done
fi
exit "$rc"
