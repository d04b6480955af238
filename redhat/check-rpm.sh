#!/bin/sh
# Check the frr-amtd RPM: redhat/amtd.spec builds from a staged installation
# and the package holds amtd, its YANG module, its man page and its
# documentation, and nothing else of FRR.
#
#   check-rpm.sh STAGE DOCS OUTDIR VERSION FRR_VERSION
#
# Arguments as for build-rpm.sh.  The closing line is "rpm: N passed,
# N failed"; the exit status is non-zero when a check failed.
set -eu

if [ $# -ne 5 ]; then
	echo "usage: $0 STAGE DOCS OUTDIR VERSION FRR_VERSION" >&2
	exit 2
fi
top=$(cd "$(dirname "$0")/.." && pwd)
out=$3
version=$4
frr_version=$5

passed=0
failed=0
check() {
	# check DESCRIPTION COMMAND...: one check, passed when COMMAND succeeds.
	what=$1
	shift
	if "$@"; then
		passed=$((passed + 1))
		echo "PASS: $what"
	else
		failed=$((failed + 1))
		echo "FAIL: $what"
	fi
}

mkdir -p "$out"
rpmfile=""
if "$top/redhat/build-rpm.sh" "$@" >"$out/rpmbuild.log" 2>&1; then
	rpmfile=$(tail -n 1 "$out/rpmbuild.log")
fi
built() {
	[ -n "$rpmfile" ] && [ -f "$rpmfile" ]
}
check "redhat/amtd.spec builds (log: $out/rpmbuild.log)" built
if ! built; then
	tail -n 20 "$out/rpmbuild.log"
	rpmfile=/nonexistent
fi

files=$(rpm -qlp "$rpmfile" 2>/dev/null || true)
docfiles=$(rpm -qdp "$rpmfile" 2>/dev/null || true)
lists() {
	printf '%s\n' "$files" | grep -q -x -e "$1"
}
is_doc() {
	printf '%s\n' "$docfiles" | grep -q -x -e "$1"
}
named() {
	[ "$(rpm -qp --qf '%{NAME} %{VERSION}' "$rpmfile" 2>/dev/null)" = "frr-amtd $version" ]
}
requires_frr() {
	rpm -qp --requires "$rpmfile" 2>/dev/null | grep -q -x "frr >= $frr_version"
}
# The YANG module in the package is the one in the source tree.
same_yang() {
	sum=$(sha256sum "$top/yang/frr-amtd.yang" | cut -d' ' -f1)
	rpm -qp --dump "$rpmfile" 2>/dev/null |
		grep -q -x -e "/usr/share/yang/frr-amtd.yang [0-9]* [0-9]* $sum .*"
}
# Nothing but amtd's own files: FRR's stay in the frr package.
only_amtd() {
	[ -n "$files" ] && ! printf '%s\n' "$files" | grep -v -x \
		-e /usr/lib/frr/amtd \
		-e /usr/share/yang/frr-amtd.yang \
		-e '/usr/share/man/man8/frr-amtd\.8\(\.gz\)\?' \
		-e '/usr/share/doc/frr-amtd\(/.*\)\?' | grep -q .
}

check "package frr-amtd, version $version" named
check "rpm -qlp lists the daemon /usr/lib/frr/amtd" lists /usr/lib/frr/amtd
check "rpm -qlp lists the YANG module /usr/share/yang/frr-amtd.yang" \
	lists /usr/share/yang/frr-amtd.yang
check "the packaged YANG module is yang/frr-amtd.yang" same_yang
check "rpm -qlp lists the man page frr-amtd(8)" \
	lists '/usr/share/man/man8/frr-amtd\.8\(\.gz\)\?'
check "rpm -qlp lists the AMT chapter, as documentation" \
	is_doc /usr/share/doc/frr-amtd/html/user/amtd.html
check "rpm -qlp lists the README, as documentation" \
	is_doc /usr/share/doc/frr-amtd/README.md
check "no file of FRR's own in the package" only_amtd
check "requires frr >= $frr_version" requires_frr

echo "rpm: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
