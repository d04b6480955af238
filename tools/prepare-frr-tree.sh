#!/bin/sh
# Prepare the FRR tree that amtd is built in.
#
#   prepare-frr-tree.sh create  SRCDIR TREE FRR_SOURCE PATCH...
#       copy FRR_SOURCE to TREE, apply amtd's patches (paths relative to
#       SRCDIR) and run FRR's bootstrap.sh.
#   prepare-frr-tree.sh overlay SRCDIR TREE
#       link amtd's own files into TREE, file by file, so that editing one of
#       them in SRCDIR makes FRR's make rebuild just what depends on it.
set -eu

cmd=$1
srcdir=$2
tree=$3
shift 3

# The files of ours that take a place in FRR's tree.
overlay_files() {
	cd "$srcdir"
	for d in amtd tests/amtd tests/topotests/amt_* yang doc/user doc/manpages lib; do
		if [ -e "$d" ]; then find "$d" -type f; fi
	done | grep -v -e '\.patch$' -e '__pycache__' -e '\.pyc$'
}

# Link our files into tree $1, file by file.
link_overlay() {
	t=$1
	overlay_files | sort -u | while read -r f; do
		if [ "$(readlink "$t/$f" 2>/dev/null)" != "$srcdir/$f" ]; then
			mkdir -p "$(dirname "$t/$f")"
			ln -sfn "$srcdir/$f" "$t/$f"
		fi
	done
	# Drop links to files that were removed or renamed since.
	for d in amtd tests/amtd; do
		[ -d "$t/$d" ] || continue
		find "$t/$d" -type l ! -exec test -e {} \; -exec rm -f {} +
	done
}

case "$cmd" in
create)
	frr_source=$1
	shift
	rm -rf "$tree"
	mkdir -p "$(dirname "$tree")"
	cp -a "$frr_source" "$tree.tmp"
	for p in "$@"; do
		echo "applying $p"
		patch -d "$tree.tmp" -p1 --forward --quiet <"$srcdir/$p"
	done
	link_overlay "$tree.tmp"
	(cd "$tree.tmp" && ./bootstrap.sh >/dev/null)
	mv "$tree.tmp" "$tree"
	;;
overlay)
	link_overlay "$tree"
	;;
*)
	echo "usage: $0 create|overlay ..." >&2
	exit 2
	;;
esac
