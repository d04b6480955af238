#!/bin/sh
# Install the Debian 12 packages needed to build FRR 10.3 with amtd and to run
# every test.  Idempotent: packages already present are left alone.
set -eu

PKGS="build-essential autoconf automake libtool pkg-config bison flex gawk
  texinfo install-info cmake ccache git dpkg-dev xz-utils ca-certificates
  libc-ares-dev libcap-dev libelf-dev libjson-c-dev libpam0g-dev libpcre2-dev
  libreadline-dev libsnmp-dev libprotobuf-c-dev protobuf-c-compiler
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
  libssl-dev python3-dev libssh-dev
  python3-pytest python3-pexpect python3-yaml python3-toml python3-jsonschema
  python3-scapy python3-grpcio python3-grpc-tools python3-ncclient
  iproute2 iptables conntrack procps psmisc gdb clang libclang-rt-14-dev tshark
  python3-sphinx rpm dnsmasq-base gnuplot-nox debootstrap openssh-client
  debhelper chrpath libunwind-dev
  linux-source-6.1 bc"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no.
echo "wireshark-common wireshark-common/install-setuid boolean false" |
	debconf-set-selections
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
