#!/bin/sh
# Build amtd's documentation with Debian's Sphinx, warnings being errors, and
# check what it produced.
#
#   build-docs.sh [-o OUTDIR] [FRR_SOURCE]
#
# FRR_SOURCE is the FRR 10.3 tree whose doc/manpages provides the parts the
# man page includes (defines.rst, common-options.rst, epilogue.rst); by
# default the one the build uses.  OUTDIR (default _build/docs) receives the
# assembled Sphinx sources (src/), the HTML pages (html/) and the man page
# (man/frr-amtd.8).  The closing line is "docs: N passed, N failed"; the exit
# status is non-zero when a check failed.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/_build/docs
if [ "${1:-}" = "-o" ]; then
	out=$2
	shift 2
fi
if [ $# -gt 0 ]; then
	frr=$1
elif [ -f "$top/_build/frr-source.stamp" ]; then
	frr=$(cat "$top/_build/frr-source.stamp")
else
	frr=$top/_build/sources/frr
fi
python=/usr/bin/python3

passed=0
failed=0
pass() {
	passed=$((passed + 1))
	echo "PASS: $*"
}
fail() {
	failed=$((failed + 1))
	echo "FAIL: $*"
}

# One source directory: our Sphinx project and pages, and FRR's includes.
src=$out/src
rm -rf "$src" "$out/html" "$out/man" "$out/doctrees"
mkdir -p "$src/user" "$src/manpages"
cp "$top/doc/sphinx/conf.py" "$top/doc/sphinx/amtdoc.py" "$top/doc/sphinx/index.rst" "$src/"
cp "$top/doc/user/amtd.rst" "$src/user/"
cp "$top/doc/manpages/amtd.rst" "$src/manpages/"
for f in defines.rst common-options.rst epilogue.rst; do
	cp "$frr/doc/manpages/$f" "$src/manpages/"
done
AMTD_DOC_FRR_VERSION=$("$top/tools/frr-source-version.sh" "$frr")
export AMTD_DOC_FRR_VERSION

# sphinx BUILDER: build into $out/BUILDER, any warning failing the build.
# Each builder reads the sources afresh (its own doctrees), so that each
# reports every warning.
sphinx() {
	"$python" -m sphinx -q -W --keep-going -n -b "$1" -d "$out/doctrees/$1" \
		"$src" "$out/$1" 2>"$out/$1.warnings"
	rc=$?
	cat "$out/$1.warnings" >&2
	return $rc
}

if sphinx html; then
	pass "HTML pages build without warnings"
else
	fail "HTML pages: Sphinx reported warnings or errors (see above)"
fi
if sphinx man; then
	pass "man page builds without warnings"
else
	fail "man page: Sphinx reported warnings or errors (see above)"
fi

# The man page is frr-amtd(8), every substitution was made, and it names
# amtd's own facts.
man=$out/man/frr-amtd.8
if [ -f "$man" ] && grep -q '^\.TH "FRR-AMTD" "8"' "$man" &&
	! grep -q '|[A-Za-z_-]*|' "$man" && grep -q 'amtd' "$man" &&
	grep -q '2624' "$man" && grep -q 'Common options\|PROCESS CONTROL' "$man" &&
	grep -q "$AMTD_DOC_FRR_VERSION" "$man"; then
	pass "frr-amtd.8 is complete"
else
	fail "frr-amtd.8 is missing, has unreplaced substitutions or lacks its content"
fi

# Every clicmd of the user documentation is a described command in the HTML,
# with an anchor of its own unless it is a :noindex: repeat.
ncmd=$(grep -c '^\.\. clicmd::' "$top/doc/user/amtd.rst")
nrepeat=$(grep -c '^   :noindex:' "$top/doc/user/amtd.rst" || true)
html=$out/html/user/amtd.html
nhtml=$(grep -c '<dt class="sig sig-object std' "$html" 2>/dev/null || true)
nid=$(grep -o '<dt class="sig sig-object std" id="clicmd-[^"]*"' "$html" 2>/dev/null |
	sort -u | wc -l)
if [ "$ncmd" -gt 0 ] && [ "$nhtml" -eq "$ncmd" ] && [ "$nid" -eq $((ncmd - nrepeat)) ]; then
	pass "all $ncmd commands are described in the HTML"
else
	fail "$ncmd clicmd directives ($nrepeat :noindex:) in amtd.rst; $nhtml commands, $nid anchors in $html"
fi

# Every command that amtd defines is documented: the keywords each command
# string starts with (up to the first argument or option) begin some clicmd.
keywords() {
	# shellcheck disable=SC2016 # a literal $ in the pattern
	sed -e 's/^\[no\] //' -e 's/ [^a-z].*//' -e 's/ [a-z]*[A-Z$(].*//'
}
documented=$(sed -n 's/^\.\. clicmd:: //p' "$top/doc/user/amtd.rst" | keywords | sort -u)
undocumented=""
for cmd in $(cat "$top"/amtd/*.c |
	tr '\n' ' ' |
	grep -E -o 'DEF(UN|PY)[A-Z_]*\([^,]*,[^,]*,[^"]*"[^"]*"' |
	sed 's/.*"\([^"]*\)"$/\1/' | keywords | sort -u | tr ' ' '_'); do
	cmd=$(echo "$cmd" | tr '_' ' ')
	case "$cmd" in no\ *) cmd=${cmd#no } ;; esac
	if ! printf '%s\n' "$documented" | grep -q -x -F "$cmd"; then
		undocumented="$undocumented [$cmd]"
	fi
done
if [ -z "$undocumented" ]; then
	pass "every amtd command is documented in doc/user/amtd.rst"
else
	fail "amtd commands not documented in doc/user/amtd.rst:$undocumented"
fi

echo "docs: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
