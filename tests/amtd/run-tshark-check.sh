#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Cross-check amtd's AMT/IGMP/MLD encoders with Wireshark's dissectors:
# amt_pcap_gen writes a pcap and the field values expected in it,
# tshark_check.py has tshark dissect the pcap and compares.
#
#   run-tshark-check.sh BUILDDIR
set -eu

builddir=${1:?usage: $0 BUILDDIR}
here=$(dirname "$0")
gen="$builddir/tests/amtd/amt_pcap_gen"

if [ ! -x /usr/bin/tshark ]; then
	echo "run-tshark-check: /usr/bin/tshark not found" >&2
	exit 1
fi
if [ ! -x "$gen" ]; then
	echo "run-tshark-check: $gen not built" >&2
	exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

"$gen" "$tmp/amt.pcap" "$tmp/amt.expected"
/usr/bin/python3 "$here/tshark_check.py" "$tmp/amt.pcap" "$tmp/amt.expected"
