#!/bin/sh
# Fetch and unpack a Debian 13 ("trixie") source package without touching the
# machine's apt sources: a private sources list and private list/cache
# directories are used for this one download.
#
#   fetch-sources.sh PACKAGE DESTDIR
#
# DESTDIR/PACKAGE receives the unpacked tree (Debian patches applied);
# DESTDIR/PACKAGE.version holds the version that was fetched.
set -eu

pkg=$1
dest=$2
suite=${AMTD_DEBIAN_SUITE:-trixie}
mirror=${AMTD_DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${AMTD_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

if [ -f "$dest/$pkg.version" ] && [ -d "$dest/$pkg" ]; then
	exit 0
fi

mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
work=$(mktemp -d "$dest/.apt-$pkg.XXXXXX")
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/lists/partial" "$work/archives/partial" "$work/src"
cat >"$work/sources.list" <<EOS
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite-updates main
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $security $suite-security main
EOS

aptopts="-o Dir::Etc::SourceList=$work/sources.list
	-o Dir::Etc::SourceParts=/dev/null
	-o Dir::State::Lists=$work/lists
	-o Dir::Cache::Archives=$work/archives
	-o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=
	-o APT::Sandbox::User=root"

# shellcheck disable=SC2086
apt-get $aptopts update -q >"$work/update.log" 2>&1 ||
	{ cat "$work/update.log"; exit 1; }
# shellcheck disable=SC2086
(cd "$work/src" && apt-get $aptopts source -q "$pkg") >"$work/source.log" 2>&1 ||
	{ cat "$work/source.log"; exit 1; }

tree=$(find "$work/src" -mindepth 1 -maxdepth 1 -type d | head -n 1)
dsc=$(find "$work/src" -maxdepth 1 -name '*.dsc' | head -n 1)
version=$(sed -n 's/^Version: //p' "$dsc")
rm -rf "${dest:?}/$pkg"
mv "$tree" "$dest/$pkg"
# Keep the original tarball and packaging for the Debian package build.
mkdir -p "$dest/$pkg.orig"
find "$work/src" -maxdepth 1 -type f -exec mv {} "$dest/$pkg.orig/" \;
echo "$version" >"$dest/$pkg.version"
echo "fetched $pkg $version"
