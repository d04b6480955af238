#!/bin/sh
# Create the users, groups and directories an installed FRR runs with, as
# Debian's frr package does: user frr in groups frr and frrvty.
set -eu
getent group frr >/dev/null || groupadd --system frr
getent group frrvty >/dev/null || groupadd --system frrvty
getent passwd frr >/dev/null ||
	useradd --system --gid frr --groups frrvty --home-dir /nonexistent \
		--no-create-home --shell /usr/sbin/nologin frr
id -nG frr | grep -qw frrvty || usermod -a -G frrvty frr
for d in /etc/frr /var/run/frr /var/log/frr; do
	mkdir -p "$d"
	chown frr:frr "$d"
done
chmod 0755 /var/run/frr
