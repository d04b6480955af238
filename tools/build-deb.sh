#!/bin/sh
# Build Debian packages of FRR with amtd: Debian's own packaging of FRR (the
# debian/ directory of the fetched source package) with amtd's patches and
# files, plus the binary packages frr-amtd and frr-netconf (the NETCONF
# northbound module, lib/northbound_netconf*.c, with libssh; FRR's configure
# is given --enable-netconf) from debian/frr-debian-amtd.patch, made with
# dpkg-buildpackage.  This builds all of FRR with its documentation: it
# takes a while and is not part of make check.
#
#   build-deb.sh SRCDIR OUTDIR FRR_SOURCE LIBYANG_PREFIX PATCH...
#
# SRCDIR is amtd's source tree, FRR_SOURCE the FRR 10.3 source package tree
# (with debian/), PATCH... amtd's patches to FRR (relative to SRCDIR).
# LIBYANG_PREFIX is the libyang built from Debian 13's source that replaces
# Debian's libyang-dev when that is too old (Debian 12), or "" to use the
# system's.  The packages land in OUTDIR (frr_*.deb, frr-amtd_*.deb,
# frr-netconf_*.deb, ...).
set -eu

if [ $# -lt 4 ]; then
	echo "usage: $0 SRCDIR OUTDIR FRR_SOURCE LIBYANG_PREFIX PATCH..." >&2
	exit 2
fi
srcdir=$(cd "$1" && pwd)
out=$2
frr=$(cd "$3" && pwd)
libyang=$4
shift 4

die() {
	echo "build-deb: $*" >&2
	exit 1
}

[ -f "$frr/debian/control" ] ||
	die "$frr has no debian/ directory: make deb needs Debian's FRR source package (configure without --with-frr-source)"
frr_version=$("$srcdir/tools/frr-source-version.sh" "$frr")
amtd_version=$(sed -n 's/^AC_INIT(\[amtd\], *\[\([^]]*\)\].*/\1/p' "$srcdir/configure.ac")

# Build profiles: no RPKI (librtr) and no Lua scripting, which Debian 12
# lacks in the versions FRR wants; no test run.
profiles="pkg.frr.nortrlib pkg.frr.nolua nocheck"

mkdir -p "$out"
out=$(cd "$out" && pwd)
tree=$out/frr-$frr_version
rm -rf "$tree" "$out"/*.deb "$out"/*.buildinfo "$out"/*.changes
echo "build-deb: preparing $tree"
cp -a "$frr" "$tree"
for p in "$@" debian/frr-debian-amtd.patch; do
	echo "applying $p"
	patch -d "$tree" -p1 --forward --quiet <"$srcdir/$p"
done
# amtd's own files, copied: the packages are built from the copy.
(cd "$srcdir" && tar -cf - --exclude=__pycache__ --exclude='*.patch' \
	--exclude='*.o' --exclude='*.a' --exclude='.deps' --exclude='.dirstamp' \
	amtd tests/amtd yang/frr-amtd.yang lib) | (cd "$tree" && tar -xf -)

# amtd's documentation (man page, HTML), built as make check builds it; its
# checks are make check's business, the packages need the pages.
"$srcdir/doc/build-docs.sh" -o "$out/docs" "$frr" >"$out/docs.log" 2>&1 ||
	sed -n 's/^FAIL: /build-deb: warning: doc\/build-docs.sh: /p' "$out/docs.log" >&2
for f in "$out/docs/man/frr-amtd.8" "$out/docs/html/user/amtd.html"; do
	[ -f "$f" ] || die "$f was not built, see $out/docs.log"
done
mkdir -p "$tree/debian/amtd-doc"
cp "$out/docs/man/frr-amtd.8" "$srcdir/README.md" "$tree/debian/amtd-doc/"
cp -R "$out/docs/html" "$tree/debian/amtd-doc/html"
rm -rf "$tree/debian/amtd-doc/html/.buildinfo" "$tree/debian/amtd-doc/html/.doctrees"

# These packages are ours, not Debian's: our Maintainer, Debian's kept as
# XSBC-Original-Maintainer (Debian policy 3.3, as derivatives do), and no
# Uploaders, who never saw this build.
maintainer="amtd developers <amtd@localhost>"
original=$(sed -n 's/^Maintainer: *//p' "$tree/debian/control")
[ -n "$original" ] || die "no Maintainer field in $tree/debian/control"
awk -v m="$maintainer" -v o="$original" '
	/^Maintainer:/ { print "Maintainer: " m; print "XSBC-Original-Maintainer: " o; next }
	/^Uploaders:/ { skip = 1; next }
	skip && /^[ \t]/ { next }
	{ skip = 0; print }
' "$tree/debian/control" >"$tree/debian/control.new"
mv "$tree/debian/control.new" "$tree/debian/control"

# A changelog entry of our own: the version sorts after Debian's.
debver=$(cd "$tree" && dpkg-parsechangelog -S Version)
{
	printf 'frr (%s+amtd%s) UNRELEASED; urgency=medium\n\n' "$debver" "$amtd_version"
	printf '  * amtd %s, the AMT (RFC 7450) relay and gateway, in package frr-amtd.\n' \
		"$amtd_version"
	printf '  * The NETCONF northbound module (-M netconf), in package frr-netconf.\n\n'
	printf ' -- %s  %s\n\n' "$maintainer" "$(date -R)"
	cat "$tree/debian/changelog"
} >"$tree/debian/changelog.new"
mv "$tree/debian/changelog.new" "$tree/debian/changelog"

# Build dependencies: all of Debian's but libyang-dev when ours replaces it.
unmet=$(cd "$tree" && dpkg-checkbuilddeps -P "$(echo "$profiles" | tr ' ' ,)" 2>&1 |
	sed -n 's/.*Unmet build dependencies: //p')
if [ -n "$libyang" ]; then
	unmet=$(echo "$unmet" | sed 's/libyang-dev\( ([^)]*)\)\?//')
	# Linked statically into libfrr, as the wrapper build does.
	PKG_CONFIG_PATH="$libyang/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
	DEB_CPPFLAGS_MAINT_PREPEND="-I$libyang/include"
	DEB_LDFLAGS_MAINT_PREPEND="-L$libyang/lib"
	LIBS="-lpcre2-8 -lm"
	export PKG_CONFIG_PATH DEB_CPPFLAGS_MAINT_PREPEND DEB_LDFLAGS_MAINT_PREPEND LIBS
fi
if [ -n "$(echo "$unmet" | tr -d ' ')" ]; then
	die "install these Debian packages first: $unmet"
fi

# Debian's python3 (with Sphinx) before any other on PATH; ccache if there.
PATH=/usr/bin:/usr/sbin:/bin:/sbin:$PATH
[ -d /usr/lib/ccache ] && PATH=/usr/lib/ccache:$PATH
export PATH
echo "build-deb: dpkg-buildpackage in $tree (log: $out/build.log)"
if ! (cd "$tree" &&
	DEB_BUILD_PROFILES="$profiles" \
	DEB_BUILD_OPTIONS="nocheck terse parallel=$(nproc)" \
	dpkg-buildpackage -b -us -uc -d) >"$out/build.log" 2>&1; then
	tail -n 40 "$out/build.log"
	die "dpkg-buildpackage failed, see $out/build.log"
fi
for p in frr frr-amtd frr-netconf; do
	set -- "$out/${p}_"*.deb
	[ -f "$1" ] || die "dpkg-buildpackage made no ${p}_*.deb, see $out/build.log"
done
ls "$out"/*.deb
