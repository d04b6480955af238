#!/bin/sh
# The README's demo command: build and install FRR with amtd, then run the
# demo topology (tools/amt-demo-topology.sh).  Needs root.
set -eu
cd "$(dirname "$0")/.."
tools/install-deps.sh
[ -x configure ] || ./bootstrap.sh
[ -f Makefile ] || ./configure
make -j"$(nproc)"
make install
tools/setup-frr-user.sh
# A kernel without multicast routing (tools/check-kernel.sh): the demo runs
# under a User-Mode Linux kernel that has it, built from Debian's
# linux-source the first time (about 15 minutes).
if ! tools/check-kernel.sh "the demo" 2>/dev/null; then
	echo "demo: this kernel has no multicast routing: running the demo" \
		"under User-Mode Linux (tools/uml-run.sh)"
	exec tools/uml-run.sh tools/amt-demo-topology.sh
fi
exec tools/amt-demo-topology.sh
