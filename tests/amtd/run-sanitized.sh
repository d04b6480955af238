#!/bin/sh
# Build amtd's unit tests with AddressSanitizer and UndefinedBehaviorSanitizer
# (clang from Debian) and run them.
#
#   run-sanitized.sh FRR_BUILD_TREE
set -eu
B=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/sanitizer-flags.sh"

out=$B/tests/amtd/sanitized
mkdir -p "$out"
# Sources a test needs besides the core, as tests/amtd/subdir.am lists them.
extra_sources() {
	case $1 in
	test_amt_tun_ring) echo "$B/amtd/amt_tun_ring.c" ;;
	esac
}

progs=""
for t in "$B"/tests/amtd/test_amt_*.c; do
	name=$(basename "$t" .c)
	# shellcheck disable=SC2046,SC2086
	$SAN_CC $SAN_CFLAGS -fsanitize=address,undefined \
		-fno-sanitize-recover=all -o "$out/$name" "$t" \
		$(amtd_core_files) $(extra_sources "$name") $SAN_LDFLAGS
	progs="$progs $out/$name"
done

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# shellcheck disable=SC2086
exec "$here/run-unit-tests.sh" --label sanitized $progs
