#!/bin/sh
# Build everything and run every test: the README's test command, and what
# .ci/run runs.  Needs root (packages, make install, network namespaces).
#
# Stages after the build: make check (unit tests, the same under ASan and
# UBSan, the tshark cross-check, the fuzzers), make install, the topotests,
# the demo (run whole and interrupted, then checked to leave nothing behind),
# and the Debian packages (make deb, then tools/check-deb.sh installs them on
# a clean Debian 12 in a chroot and starts FRR with amtd from them).
# Each stage runs even when an earlier one failed; the closing summary adds
# up every stage's counts and the exit status is non-zero on any failure.
set -u
cd "$(dirname "$0")/.." || exit 1
results=$(pwd)/_build/test-results
mkdir -p "$results"

die() {
	echo "FAILED: $*" >&2
	exit 1
}

tools/install-deps.sh || die "installing Debian packages"
[ -x configure ] || ./bootstrap.sh || die "bootstrap"
[ -f Makefile ] || ./configure || die "configure"
make -j"$(nproc)" || die "build"

# stage NAME COMMAND...: run a stage, keeping its output and exit status.
stage() {
	name=$1
	shift
	echo "=== $name: $*"
	{
		"$@"
		echo $? >"$results/$name.rc"
	} 2>&1 | tee "$results/$name.log"
}

stage check make check
stage install sh -c 'make install && tools/setup-frr-user.sh'
stage topotest make topotest
stage demo tests/demo/check-demo-cleanup.sh
# The Debian packages, then installed and run in a Debian 12 chroot.
stage deb sh -c 'make deb && tools/check-deb.sh'

echo
echo "=== summary"
status=0
for name in check install topotest demo deb; do
	rc=$(cat "$results/$name.rc" 2>/dev/null || echo 1)
	if [ "$rc" -eq 0 ]; then
		word=ok
	else
		word="FAILED (exit $rc)"
		status=1
	fi
	echo "$name: $word"
done
# Our suites close with "unit: N passed, N failed" (and sanitized, tshark,
# fuzz, netconf, docs, rpm, demo, deb), pytest with
# "=== N passed, M failed ... in Ts ===", after its "FAILED test - message"
# lines, which are repeated here.
cat "$results"/check.log "$results"/topotest.log "$results"/demo.log \
	"$results"/deb.log | awk '
	/^(unit|sanitized|tshark|fuzz|netconf|docs|rpm|demo|deb): [0-9]+ passed, [0-9]+ failed$/ {
		print "  " $0; p += $2; f += $4; next
	}
	/^FAILED [^ ]+::/ { print "  topotest: " $0; next }
	/^=+ .* in [0-9.]+s/ {
		for (i = 2; i < NF; i++) {
			if ($(i + 1) ~ /^passed/) p += $i
			if ($(i + 1) ~ /^(failed|error|errors)/) f += $i
		}
		line = $0
		gsub(/^=+ | =+$/, "", line)
		print "  topotest: " line
	}
	END { printf "amtd: %d passed, %d failed\n", p, f; exit f > 0 }
' || status=1
exit "$status"
