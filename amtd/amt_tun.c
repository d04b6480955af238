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
#include "amt_errors.h"
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

/* An IPv4 sysctl of interface `dev` ("all" for all), -1 if unreadable. */
static int amt_tun_ipv4_conf_get(const char *dev, const char *key)
{
	char path[128];
	FILE *f;
	int val = -1;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/%s", dev, key);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%d", &val) != 1)
		val = -1;
	fclose(f);
	return val;
}

/*
 * The sources of the multicast a gateway writes into its tun are routed
 * elsewhere by the unicast RIB (amtd's routes for them are in the multicast
 * RIB, see amt_zebra_route()), so a strict reverse-path filter drops that
 * multicast before the kernel's MFC or a local receiver sees it.  The
 * kernel applies max(conf/all, conf/<dev>) of rp_filter: where that is
 * strict (1), make the tun's own loose (2), which accepts a source with
 * any unicast route.  Off (0) and loose stay as they are.  A relay's tun
 * only receives amtd's reports, which loose mode accepts as strict does.
 */
static void amt_tun_rp_filter(const char *name)
{
	char path[128];
	int all, own;
	bool ok = false;
	FILE *f;

	all = amt_tun_ipv4_conf_get("all", "rp_filter");
	own = amt_tun_ipv4_conf_get(name, "rp_filter");
	if (all < 0 || own < 0 || MAX(all, own) != 1)
		return;
	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/rp_filter", name);
	f = fopen(path, "w");
	if (f) {
		/* A sysctl write's error shows at the flush, in fclose(). */
		ok = fputs("2\n", f) >= 0;
		ok = fclose(f) == 0 && ok;
	}
	if (!ok) {
		flog_warn(EC_AMT_PSEUDO_IF,
			  "%s: cannot make rp_filter loose (strict drops the tunnel's multicast): %s",
			  name, safe_strerror(errno));
		return;
	}
	zlog_info("%s: rp_filter was strict (all %d, %s %d), set to 2 (loose)", name, all, name,
		  own);
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
	amt_tun_rp_filter(name);
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
		flog_warn(EC_AMT_PSEUDO_IF, "cannot clear persistence of tun fd %d: %s", fd,
			  safe_strerror(errno));
	close(fd);
}
