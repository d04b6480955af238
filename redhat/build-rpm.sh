#!/bin/sh
# Build the frr-amtd and frr-netconf RPMs (redhat/amtd.spec) from a staged
# installation.
#
#   build-rpm.sh STAGE DOCS OUTDIR VERSION FRR_VERSION
#
# STAGE is what "make install DESTDIR=STAGE" produced (amtd and its YANG
# module among FRR's files); DOCS is doc/build-docs.sh's output directory
# (man/frr-amtd.8 and html/).  The man page, the HTML pages and the README are
# added to STAGE at the paths the package installs them at, and rpmbuild
# (Red Hat's, or Debian's "rpm" package) makes OUTDIR/RPMS/<arch>/frr-amtd-*.rpm
# and frr-netconf-*.rpm (the NETCONF module); the path of frr-netconf's is the
# next to last line printed, frr-amtd's the last.
set -eu

if [ $# -ne 5 ]; then
	echo "usage: $0 STAGE DOCS OUTDIR VERSION FRR_VERSION" >&2
	exit 2
fi
stage=$1
docs=$2
out=$3
version=$4
frr_version=$5
top=$(cd "$(dirname "$0")/.." && pwd)

for f in "$stage/usr/lib/frr/amtd" "$stage/usr/share/yang/frr-amtd.yang" \
	"$docs/man/frr-amtd.8" "$docs/html/user/amtd.html"; do
	if [ ! -f "$f" ]; then
		echo "build-rpm: $f is missing" >&2
		exit 1
	fi
done
if [ ! -f "$stage/usr/lib/frr/modules/netconf.so" ]; then
	echo "build-rpm: $stage/usr/lib/frr/modules/netconf.so is missing" \
		"(FRR configured without libssh? it needs libssh-dev)" >&2
	exit 1
fi

# The documentation, where the package puts it.
mandir=$stage/usr/share/man/man8
docdir=$stage/usr/share/doc/frr-amtd
mkdir -p "$mandir"
cp "$docs/man/frr-amtd.8" "$mandir/"
rm -rf "$docdir"
mkdir -p "$docdir"
cp "$top/README.md" "$docdir/"
cp -R "$docs/html" "$docdir/html"
rm -rf "$docdir/html/.buildinfo" "$docdir/html/.doctrees"

mkdir -p "$out"
out=$(cd "$out" && pwd)
stage=$(cd "$stage" && pwd)
rm -rf "$out/RPMS" "$out/BUILD" "$out/BUILDROOT"
rpmbuild -bb \
	--define "_topdir $out" \
	--define "stagedir $stage" \
	--define "amtd_version $version" \
	--define "frr_version $frr_version" \
	"$top/redhat/amtd.spec"
find "$out/RPMS" -name 'frr-netconf-*.rpm'
find "$out/RPMS" -name 'frr-amtd-*.rpm'
