// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * amtd: Automatic Multicast Tunneling (RFC 7450) daemon for FRRouting.
 */
#include <zebra.h>

#include <lib/version.h>

#include "lib/command.h"
#include "lib/if.h"
#include "lib/libfrr.h"
#include "lib/log.h"
#include "lib/mgmt_be_client.h"
#include "lib/privs.h"
#include "lib/sigevent.h"
#include "lib/vrf.h"

#include "amtd.h"
#include "amt_debug.h"
#include "amt_errors.h"
#include "amt_memory.h"
#include "amt_nb.h"
#include "amt_relay_persist.h"
#include "amt_vty.h"
#include "amt_zebra.h"

/*
 * NET_ADMIN creates the tun pseudo-interfaces, DAC_OVERRIDE opens
 * /dev/net/tun where it is root-only; NET_RAW and BIND serve the relay's and
 * gateway's UDP sockets.
 */
static zebra_capabilities_t _caps_p[] = {
	ZCAP_NET_ADMIN,
	ZCAP_DAC_OVERRIDE,
	ZCAP_NET_RAW,
	ZCAP_BIND,
};

struct zebra_privs_t amtd_privs = {
#if defined(FRR_USER) && defined(FRR_GROUP)
	.user = FRR_USER,
	.group = FRR_GROUP,
#endif
#if defined(VTY_GROUP)
	.vty_group = VTY_GROUP,
#endif
	.caps_p = _caps_p,
	.cap_num_p = array_size(_caps_p),
	.cap_num_i = 0,
};

struct event_loop *master;

static struct option longopts[] = { { 0 } };

static struct frr_daemon_info amtd_di;

/*
 * amtd is a mgmtd backend for its operational state only: mgmtd's get-data
 * ("show mgmt get-data /frr-amtd:amtd...", mgmtd's front-end API) reaches
 * amtd through this client and walks the state with the northbound's
 * yielding walk, in batches, so a listing of many tunnels does not hold the
 * event loop.  Configuration does not go through mgmtd (mgmtd's table for
 * amtd has no config xpaths): vtysh talks to amtd directly as before.  The
 * client connects when mgmtd is there and reconnects by itself; amtd works
 * without mgmtd.
 */
static struct mgmt_be_client *amt_mgmt_be_client;

static void sighup(void)
{
	zlog_info("SIGHUP received, reloading configuration");
	vty_read_config(NULL, amtd_di.config_file, config_default);
}

static void __attribute__((noreturn)) sigint(void)
{
	zlog_notice("Terminating on signal");
	/* A clean stop keeps the relays' restart snapshots. */
	amt_relay_persist_shutdown();
	mgmt_be_client_destroy(amt_mgmt_be_client);
	amt_mgmt_be_client = NULL;
	amt_terminate();
	amt_zebra_terminate();
	vrf_terminate();
	frr_fini();
	exit(0);
}

static void sigusr1(void)
{
	zlog_rotate();
}

static struct frr_signal_t amtd_signals[] = {
	{ .signal = SIGHUP, .handler = &sighup },
	{ .signal = SIGUSR1, .handler = &sigusr1 },
	{ .signal = SIGINT, .handler = &sigint },
	{ .signal = SIGTERM, .handler = &sigint },
};

static const struct frr_yang_module_info *const amtd_yang_modules[] = {
	&frr_vrf_info,
	&frr_interface_info,
	&frr_amtd_info,
};

/* clang-format off */
FRR_DAEMON_INFO(amtd, AMT,
	.vty_port = AMTD_VTY_PORT,
	.proghelp = "Automatic Multicast Tunneling (RFC 7450) relay and gateway.",

	.signals = amtd_signals,
	.n_signals = array_size(amtd_signals),

	.privs = &amtd_privs,

	.yang_modules = amtd_yang_modules,
	.n_yang_modules = array_size(amtd_yang_modules),
);
/* clang-format on */

int main(int argc, char **argv, char **envp)
{
	frr_preinit(&amtd_di, argc, argv);
	frr_opt_add("", longopts, "");

	while (1) {
		int opt = frr_getopt(argc, argv, NULL);

		if (opt == EOF)
			break;
		switch (opt) {
		case 0:
			break;
		default:
			frr_help_exit(1);
		}
	}

	master = frr_init();

	amt_error_init();
	vrf_init(NULL, NULL, NULL, NULL);
	amt_debug_init();
	amt_init();
	amt_zebra_init();
	amt_vty_init();
	/* The relays' restart snapshots are restored once the configuration is read. */
	cmd_init_config_callbacks(amt_relay_persist_config_start, amt_relay_persist_config_end);

	amt_mgmt_be_client = mgmt_be_client_create("amtd", NULL, 0, master);

	frr_config_fork();
	frr_run(master);

	/* Not reached. */
	return 0;
}
