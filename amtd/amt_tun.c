// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The pseudo-interfaces of amtd: Linux tun devices.
 */
#include <zebra.h>

#include <fcntl.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>

#include "lib/log.h"

#include "amtd.h"
#include "amt_tun.h"

/*
 * A tun device has no hardware address, so the kernel gives it no IPv6
 * link-local address unless told to make a random one; pim6d needs one.
 */
static void amt_tun_ipv6_linklocal(const char *name)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/addr_gen_mode", name);
	f = fopen(path, "w");
	if (!f)
		return;
	fputs("3\n", f);
	fclose(f);
}

static int amt_tun_set_up(const char *name, char *err, size_t errlen)
{
	struct ifreq ifr = {};
	int sock, ret = -1;

	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0) {
		snprintf(err, errlen, "socket: %s", safe_strerror(errno));
		return -1;
	}
	strlcpy(ifr.ifr_name, name, sizeof(ifr.ifr_name));
	/* Leave room for the outer IPv6, UDP and AMT headers in 1500 bytes. */
	ifr.ifr_mtu = AMT_TUN_MTU;
	if (ioctl(sock, SIOCSIFMTU, &ifr) < 0) {
		snprintf(err, errlen, "SIOCSIFMTU: %s", safe_strerror(errno));
		goto out;
	}
	if (ioctl(sock, SIOCGIFFLAGS, &ifr) < 0) {
		snprintf(err, errlen, "SIOCGIFFLAGS: %s", safe_strerror(errno));
		goto out;
	}
	if (!(ifr.ifr_flags & IFF_UP)) {
		amt_tun_ipv6_linklocal(name);
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(sock, SIOCSIFFLAGS, &ifr) < 0) {
			snprintf(err, errlen, "SIOCSIFFLAGS: %s", safe_strerror(errno));
			goto out;
		}
	}
	ret = 0;
out:
	close(sock);
	return ret;
}

int amt_tun_open(const char *name, int *ifindex, char *err, size_t errlen)
{
	struct ifreq ifr = {};
	int fd;

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "/dev/net/tun: %s", safe_strerror(errno));
		return -1;
	}

	/* Layer 3 device, no packet-information header. */
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	strlcpy(ifr.ifr_name, name, sizeof(ifr.ifr_name));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		/* EINVAL/EBUSY: an interface of that name that isn't ours. */
		snprintf(err, errlen, "cannot create tun device %s: %s", name, safe_strerror(errno));
		goto fail;
	}
	if (ioctl(fd, TUNSETPERSIST, 1) < 0) {
		snprintf(err, errlen, "TUNSETPERSIST: %s", safe_strerror(errno));
		goto fail;
	}
	if (amt_tun_set_up(name, err, errlen) < 0)
		goto fail;

	*ifindex = if_nametoindex(name);
	return fd;

fail:
	close(fd);
	return -1;
}

void amt_tun_close(int fd, bool remove)
{
	if (fd < 0)
		return;
	if (remove && ioctl(fd, TUNSETPERSIST, 0) < 0)
		zlog_warn("cannot clear persistence of tun fd %d: %s", fd, safe_strerror(errno));
	close(fd);
}
