#!/bin/sh
# Build and run the unit tests of the NETCONF protocol core
# (lib/northbound_netconf_*.c): with gcc, then with gcc and
# -fsanitize=address,undefined, then its fuzzer (clang's libFuzzer, with
# AddressSanitizer and UndefinedBehaviorSanitizer) for SECONDS from the seed
# corpus in tests/netconf/corpus/.  The core is not part of FRR's build yet,
# so it is compiled here directly against the FRR tree (config.h, libfrr).
#
#   run-tests.sh [FRR_BUILD_TREE [SECONDS]]
#
# Closes with "netconf: N passed, N failed" (each test program's assertions
# in both builds, plus one per fuzzer run) and exits non-zero on a failure.
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
B=${1:-$src/_build/frr}
B=$(cd "$B" && pwd)
seconds=${2:-30}

out=$B/tests/netconf
mkdir -p "$out"
core="$src/lib/northbound_netconf_frame.c"
for f in xml msg; do
	[ -f "$src/lib/northbound_netconf_$f.c" ] &&
		core="$core $src/lib/northbound_netconf_$f.c"
done
CFLAGS="-std=gnu11 -g -O1 -fno-omit-frame-pointer -Wall -Wextra \
 -Wno-unused-parameter -Wno-missing-field-initializers -Werror -DHAVE_CONFIG_H \
 -I$B -I$B/lib -I$B/include -I$src/lib -I$here -I$src/tests/amtd"
LDFLAGS="-L$B/lib/.libs -lfrr -Wl,-rpath,$B/lib/.libs"

passed=0
failed=0

# run PROG: adds up its "<suite>: N passed, N failed" line
run() {
	o=$("$1" 2>&1)
	rc=$?
	printf '%s\n' "$o"
	line=$(printf '%s\n' "$o" |
		grep -E '^[A-Za-z0-9_]+: [0-9]+ passed, [0-9]+ failed$' |
		tail -n 1)
	if [ -z "$line" ]; then
		echo "$1: no summary (exit $rc)"
		failed=$((failed + 1))
		return
	fi
	p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed$/\1/')
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "$1: exit status $rc"
		failed=$((failed + 1))
	fi
}

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

for variant in plain sanitized; do
	case $variant in
	plain) extra="" ;;
	sanitized) extra="-fsanitize=address,undefined -fno-sanitize-recover=all" ;;
	esac
	mkdir -p "$out/$variant"
	for t in "$here"/test_nc_*.c; do
		name=$(basename "$t" .c)
		echo "--- $variant $name"
		# shellcheck disable=SC2086
		if ${CC_NETCONF:-gcc} $CFLAGS $extra -o "$out/$variant/$name" \
			"$t" $core $LDFLAGS; then
			run "$out/$variant/$name"
		else
			echo "$name: build failed"
			failed=$((failed + 1))
		fi
	done
done

# fuzz HARNESS: build it, run it for $seconds from its seed corpus
fuzz() {
	name=$(basename "$1" .c)
	bin=$out/fuzz/$name
	echo "--- fuzzing $name for ${seconds}s"
	# shellcheck disable=SC2086
	${SAN_CC:-clang} $CFLAGS -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -o "$bin" "$1" $core $LDFLAGS ||
		return 1
	mkdir -p "$bin.corpus"
	[ -d "$here/corpus/$name" ] &&
		cp -n "$here/corpus/$name"/* "$bin.corpus"/ 2>/dev/null
	"$bin" -max_total_time="$seconds" -print_final_stats=1 \
		-artifact_prefix="$bin-" "$bin.corpus" >"$bin.log" 2>&1 || {
		tail -n 40 "$bin.log"
		echo "$name: crash input saved under $bin-*"
		return 1
	}
	grep -E '^(Done|stat::number_of_executed_units)' "$bin.log"
	return 0
}

mkdir -p "$out/fuzz"
for h in "$here"/fuzz_nc_*.c; do
	[ "$seconds" -gt 0 ] && [ -e "$h" ] || continue
	if fuzz "$h"; then
		passed=$((passed + 1))
	else
		echo "$(basename "$h" .c) FAILED"
		failed=$((failed + 1))
	fi
done

echo "netconf: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
