#!/bin/sh
# Generate ./configure for the amtd build (autoconf and automake from Debian).
set -e
cd "$(dirname "$0")"
autoreconf -fi
