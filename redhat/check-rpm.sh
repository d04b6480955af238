#!/bin/sh
# Check the frr-amtd and frr-netconf RPMs: redhat/amtd.spec builds from a
# staged installation; frr-amtd holds amtd, its YANG module, its man page and
# its documentation, and nothing else of FRR; frr-netconf holds the NETCONF
# module netconf.so alone, depends on libssh, and the module taken out of the
# package loads (dlopen with RTLD_NOW beside the staged libfrr: every symbol
# resolves, and it carries FRR's module descriptor).
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
stage=$1
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
ncfile=""
if "$top/redhat/build-rpm.sh" "$@" >"$out/rpmbuild.log" 2>&1; then
	rpmfile=$(tail -n 1 "$out/rpmbuild.log")
	ncfile=$(tail -n 2 "$out/rpmbuild.log" | head -n 1)
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
recommends_netconf() {
	rpm -qp --recommends "$rpmfile" 2>/dev/null | grep -q '^frr-netconf = '
}
check "frr-amtd recommends frr-netconf" recommends_netconf

# frr-netconf: the NETCONF northbound module.
case "$ncfile" in
*/frr-netconf-*.rpm) [ -f "$ncfile" ] || ncfile=/nonexistent ;;
*) ncfile=/nonexistent ;;
esac
check "redhat/amtd.spec builds frr-netconf too" test -f "$ncfile"
ncmod=/usr/lib/frr/modules/netconf.so
nc_named() {
	[ "$(rpm -qp --qf '%{NAME} %{VERSION}' "$ncfile" 2>/dev/null)" = "frr-netconf $version" ]
}
nc_only_module() {
	[ "$(rpm -qlp "$ncfile" 2>/dev/null)" = "$ncmod" ]
}
nc_requires() {
	# rpm -qp --requires NAME: a line starting with NAME
	rpm -qp --requires "$ncfile" 2>/dev/null | grep -q -e "^$1"
}
# The module taken out of the package (rpm2archive, of rpm2cpio).
x=$out/netconf-extract
rm -rf "$x"
mkdir -p "$x"
(cd "$x" && rpm2archive -n - <"$ncfile" 2>/dev/null | tar -xf - 2>/dev/null) || true
build_id() {
	readelf -n "$1" 2>/dev/null | sed -n 's/^ *Build ID: *//p'
}
# rpmbuild strips it; the build ID stays.
nc_same_module() {
	id=$(build_id "$stage$ncmod")
	[ -n "$id" ] && [ "$(build_id "$x$ncmod")" = "$id" ]
}
# Loaded as a daemon loads it (dlopen, every symbol bound at once) into a
# process that has the staged libfrr.
nc_loads() {
	[ -f "$x$ncmod" ] &&
		/usr/bin/python3 - "$stage/usr/lib/frr/libfrr.so.0" "$x$ncmod" <<-'EOF'
			import ctypes, os, sys
			ctypes.CDLL(sys.argv[1], mode=os.RTLD_NOW | os.RTLD_GLOBAL)
			m = ctypes.CDLL(sys.argv[2], mode=os.RTLD_NOW)
			assert ctypes.c_void_p.in_dll(m, "frr_module").value
		EOF
}
check "package frr-netconf, version $version" nc_named
check "rpm -qlp lists $ncmod and nothing else" nc_only_module
check "the packaged module is the staged one (same build ID)" nc_same_module
check "frr-netconf requires libssh.so.4 (rpm's ELF dependencies)" nc_requires 'libssh\.so\.4'
check "frr-netconf requires libfrr.so.0" nc_requires 'libfrr\.so\.0'
check "frr-netconf requires frr >= $frr_version" nc_requires "frr >= $frr_version\$"
check "the packaged module loads beside the staged libfrr (dlopen RTLD_NOW, frr_module)" nc_loads

echo "rpm: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
