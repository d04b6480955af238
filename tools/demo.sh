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
exec tools/amt-demo-topology.sh
