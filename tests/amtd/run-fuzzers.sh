#!/bin/sh
# Build each libFuzzer harness tests/amtd/fuzz_*.c (with AddressSanitizer and
# UndefinedBehaviorSanitizer) and run it for SECONDS, starting from its seed
# corpus in tests/amtd/corpus/<name>/ when there is one.
#
#   run-fuzzers.sh FRR_BUILD_TREE SECONDS
set -eu
B=$1
seconds=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/sanitizer-flags.sh"

out=$B/tests/amtd/fuzz
mkdir -p "$out"
passed=0
failed=0
for h in "$B"/tests/amtd/fuzz_*.c; do
	[ -e "$h" ] || continue
	name=$(basename "$h" .c)
	# shellcheck disable=SC2046,SC2086
	$SAN_CC $SAN_CFLAGS -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -o "$out/$name" "$h" \
		$(amtd_core_files) $SAN_LDFLAGS

	corpus=$out/$name.corpus
	mkdir -p "$corpus"
	if [ -d "$here/corpus/$name" ]; then
		cp -n "$here/corpus/$name"/* "$corpus"/ 2>/dev/null || true
	fi
	echo "fuzzing $name for ${seconds}s"
	if "$out/$name" -max_total_time="$seconds" -print_final_stats=1 \
		-artifact_prefix="$out/$name-" "$corpus" >"$out/$name.log" 2>&1; then
		passed=$((passed + 1))
		grep -E '^(Done|stat::number_of_executed_units)' "$out/$name.log" || true
	else
		failed=$((failed + 1))
		tail -n 40 "$out/$name.log"
		echo "$name FAILED; crash input saved under $out/$name-*"
	fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
