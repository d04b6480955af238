#!/bin/sh
# Run amtd's unit test programs and add up their "<suite>: N passed, N failed"
# lines.  Exits non-zero when any test fails or a program does not finish.
#
#   run-unit-tests.sh [--label LABEL] PROGRAM...
label=unit
if [ "${1:-}" = "--label" ]; then
	label=$2
	shift 2
fi

passed=0
failed=0
broken=""
for prog in "$@"; do
	out=$("$prog" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	line=$(printf '%s\n' "$out" | grep -E '^[A-Za-z0-9_.-]+: [0-9]+ passed, [0-9]+ failed$' | tail -n 1)
	if [ -z "$line" ]; then
		broken="$broken $prog"
		continue
	fi
	p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed$/\1/')
	passed=$((passed + p))
	failed=$((failed + f))
	[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && broken="$broken $prog"
done

[ -n "$broken" ] && echo "$label: no summary or bad exit status from:$broken"
echo "$label: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ -z "$broken" ]
