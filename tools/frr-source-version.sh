#!/bin/sh
# Print the version of the FRR source tree in $1: the second argument of
# the AC_INIT line of its configure.ac.
sed -n 's/^AC_INIT(\[frr\], *\[\([^]]*\)\].*/\1/p' "$1/configure.ac" | head -n 1
