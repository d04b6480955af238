#!/bin/sh
# Process 1 of the User-Mode Linux kernel booted by tools/uml-run.sh.
#
# Stage 1 (on the host's root, read-only over hostfs) lays an overlay on that
# root with its upper layer in memory and moves into it; stage 2 mounts what
# a system has (proc, sys, dev, fresh /run and /tmp), runs the command that
# uml-run.sh wrote in $UML_OUT/command, records its exit status in
# $UML_OUT/rc and powers the kernel off.  UML_OUT comes from the kernel
# command line (unknown NAME=VALUE parameters become init's environment).

PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH

# reboot(2) with LINUX_REBOOT_CMD_POWER_OFF: UML's process exits.
power_off() {
	echo "uml-run: $1; power off"
	exec /usr/bin/python3 -c 'import ctypes; ctypes.CDLL(None).reboot(0x4321fedc)'
}

if [ "${1:-}" != stage2 ]; then
	mount -t tmpfs -o mode=0755 tmpfs /run || power_off "cannot mount /run"
	mkdir -p /run/ovl/upper /run/ovl/work /run/ovl/root
	mount -t overlay overlay \
		-o lowerdir=/,upperdir=/run/ovl/upper,workdir=/run/ovl/work \
		/run/ovl/root || power_off "cannot mount the overlay"
	if ! { cd /run/ovl/root && mkdir -p oldroot && pivot_root . oldroot; }; then
		power_off "cannot move into the overlay"
	fi
	exec chroot . "$0" stage2
fi

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
umount -l /oldroot

# The host's run-time and temporary files are not this kernel's.  This
# tree (say a clone in mktemp -d's directory) stays in view below them.
top=$(cd "$(dirname "$0")/.." && pwd)
for dir in /run /tmp /var/tmp; do
	held=0
	case $top/ in
	"$dir"/*)
		{ mkdir -p /.uml-tree && mount --bind "$top" /.uml-tree; } ||
			power_off "cannot hold $top"
		held=1
		;;
	esac
	mount -t tmpfs -o mode=0755 tmpfs "$dir" || power_off "cannot mount $dir"
	if [ "$held" = 1 ]; then
		{ mkdir -p "$top" && mount --move /.uml-tree "$top"; } ||
			power_off "cannot keep $top"
	fi
done
chmod 1777 /tmp /var/tmp

mkdir -p "$UML_OUT"
mount -t hostfs -o "$UML_OUT" hostfs "$UML_OUT" || power_off "cannot mount $UML_OUT"
exec >>"$UML_OUT/console.log" 2>&1
echo "uml-run: kernel $(uname -r), $(date -u)"
mkdir -p /run/frr /run/netns /run/lock /dev/shm
chown frr:frr /run/frr 2>/dev/null
mount -t tmpfs tmpfs /dev/shm
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
ip link set lo up

# The directory, then the command and its arguments, one per line.
{
	read -r dir
	set --
	while IFS= read -r arg; do
		set -- "$@" "$arg"
	done
} <"$UML_OUT/command"
cd "$dir" || power_off "no directory $dir"
echo "uml-run: in $dir: $*"
"$@" >>"$UML_OUT/output.log" 2>&1 </dev/null
rc=$?
echo "uml-run: the command exited with $rc"
if [ "$rc" -ne 0 ] && [ -d /tmp/topotests ]; then
	cp -a /tmp/topotests "$UML_OUT/topotests"
fi
echo "$rc" >"$UML_OUT/rc"
power_off "done"
