#!/usr/bin/env python
# SPDX-License-Identifier: ISC
#
# test_amt_interop_linux.py: amtd against an AMT implementation we did not
# write, the Linux kernel's own driver (drivers/net/amt.c), running in
# User-Mode Linux kernels booted inside two of the topology's namespaces.
#

"""
    src ---- relay ----------+---------- gw (zebra, mgmtd, amtd gateway)
 10.0.1.10  (zebra, mgmtd,   |   192.0.2.2, amtg0 10.255.0.2
             pimd, amtd      |
             relay amtr0)    +-- umlg: bridge br0 = umlg-eth0 + tap umlg-tap
         10.0.1.1  192.0.2.1 |     UML kernel: eth0 192.0.2.3,
                             |     amt gateway "amtg" (discovery 192.0.2.1)
                             |     + receiver joined (10.0.1.10, 232.1.1.1)
                             |
                             +-- umlr: bridge br0 = umlr-eth0 + tap umlr-tap
                                   UML kernel: eth0 192.0.2.4,
                                   amt relay "amtr" 10.0.9.1
                                   + sender of (10.0.9.1, 232.1.1.1) on amtr

a. The Linux kernel's AMT *gateway* against amtd's relay in its default
   configuration: src sends (10.0.1.10, 232.1.1.1) into the relay router's
   PIM; an application in the UML kernel joins it on the amt device and
   counts the numbered datagrams.  Where the host's kernel cannot route
   multicast (tools/check-kernel.sh), nothing reaches amtr0 through pimd:
   the stream is then (10.254.0.1, 232.1.1.1), sent by an application on
   the relay router out of amtr0 itself, and the rest is the same.
b. amtd's gateway against the Linux kernel's *relay*: an application in the
   UML kernel sends (10.0.9.1, 232.1.1.1) out of the relay's amt device, the
   kernel relay forwards it to the tunnels that joined the group; an
   application on gw joins it on amtg0 and counts.

The UML kernel is tools/build-uml.sh's (_build/uml/linux, or the file named
by AMTD_UML_LINUX).  Without it the module fails: it is never skipped.
Each UML kernel runs uml_init.sh as its init, which reports through files in
a host directory it mounts over hostfs.
"""

import json
import os
import subprocess
import sys

import pytest

CWD = os.path.dirname(os.path.realpath(__file__))
sys.path.append(os.path.join(CWD, "../"))

# pylint: disable=C0413
from amt_helpers import (expect_json, load_routers, read_state, start_receiver,
                         start_sender, stop_procs, wait_packets)
from lib import topotest
from lib.topogen import Topogen, TopoRouter, get_topogen
from lib.topolog import logger

pytestmark = [pytest.mark.amtd, pytest.mark.pimd]

TOPOTESTS = os.path.dirname(CWD)
TOP = os.path.dirname(os.path.dirname(TOPOTESTS))
UML_LINUX = os.environ.get("AMTD_UML_LINUX", os.path.join(TOP, "_build", "uml", "linux"))
UML_INIT = os.path.join(CWD, "uml_init.sh")

SRC, G1 = "10.0.1.10", "232.1.1.1"
RELAY = "192.0.2.1"
# The relay's address on amtr0 (relay/amtd.conf): the source of the stream
# where the kernel has no multicast routing.
RELAY_AMT = "10.254.0.1"
CHECK_KERNEL = os.path.join(TOP, "tools", "check-kernel.sh")
UML_GW, UML_RELAY = "192.0.2.3", "192.0.2.4"
UML_SRC = "10.0.9.1"
# Seconds each UML kernel's application runs; the tests finish well before.
UML_DURATION = 240
SENDER_RATE = 20

procs = []
umls = {}


def build_topo(tgen):
    tgen.add_router("relay")
    tgen.add_router("gw")
    tgen.add_host("src", SRC + "/24", "via 10.0.1.1")
    # The hosts' own addresses move to the bridge in setup_module.
    tgen.add_host("umlg", "192.0.2.103/24", "via " + RELAY)
    tgen.add_host("umlr", "192.0.2.104/24", "via " + RELAY)
    sw = tgen.add_switch("s1")
    sw.add_link(tgen.gears["src"])  # src-eth0
    sw.add_link(tgen.gears["relay"])  # relay-eth0
    sw = tgen.add_switch("s2")
    sw.add_link(tgen.gears["relay"])  # relay-eth1
    sw.add_link(tgen.gears["gw"])  # gw-eth0
    sw.add_link(tgen.gears["umlg"])  # umlg-eth0
    sw.add_link(tgen.gears["umlr"])  # umlr-eth0


# Whether the host's kernel has what the topotests need, multicast routing
# above all.
KERNEL_ROUTES_MULTICAST = subprocess.call([CHECK_KERNEL, "the interop test"],
                                          stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL) == 0


def stream_source():
    "the source of the stream the kernel gateway joins (see a. above)"
    return SRC if KERNEL_ROUTES_MULTICAST else RELAY_AMT


def uml_outdir(name):
    return os.path.join(get_topogen().logdir, name, "uml")


def boot_uml(host, role, addr, mac, env):
    """Boot a UML kernel in host's namespaces on a new tap device bridged to
    host's link; its init (uml_init.sh) gets role and env."""
    name = host.name
    tap = name + "-tap"
    hostaddr = host.cmd_raises("ip -4 -o addr show dev {}-eth0".format(name)).split()[3]
    host.cmd_raises("ip addr flush dev {}-eth0".format(name))
    host.cmd_raises("ip tuntap add dev {} mode tap".format(tap))
    host.cmd_raises("ip link add br0 type bridge mcast_snooping 0")
    for dev in (name + "-eth0", tap):
        host.cmd_raises("ip link set {} master br0".format(dev))
        host.cmd_raises("ip link set {} up".format(dev))
    host.cmd_raises("ip addr add {} dev br0".format(hostaddr))
    host.cmd_raises("ip link set br0 up")
    host.cmd_raises("ip route replace default via " + RELAY)

    out = uml_outdir(name)
    os.makedirs(out, exist_ok=True)
    os.chmod(out, 0o777)
    memdir = os.path.join(out, "mem")
    os.makedirs(memdir, exist_ok=True)
    params = {
        "UML_ROLE": role,
        "UML_ADDR": addr + "/24",
        "UML_OUT": out,
        "UML_TESTDIR": TOPOTESTS,
        "UML_DURATION": str(UML_DURATION),
    }
    params.update(env)
    cmd = ["/usr/bin/env", "TMPDIR=" + memdir, UML_LINUX, "mem=256M",
           "rootfstype=hostfs", "rootflags=/", "ro", "init=" + UML_INIT,
           "eth0=tuntap,{},{}".format(tap, mac), "con=null", "con0=null,fd:1",
           "ssl=null", "uml_dir=" + out]
    cmd += ["{}={}".format(k, v) for k, v in sorted(params.items())]
    console = open(os.path.join(out, "console.log"), "w")
    logger.info("%s: booting UML: %s", name, " ".join(cmd))
    umls[name] = host.popen(cmd, stdin=subprocess.DEVNULL, stdout=console,
                            stderr=subprocess.STDOUT)
    console.close()


def setup_module(mod):
    # No kernel, no test: fail loudly rather than skip.
    if not os.access(UML_LINUX, os.X_OK):
        pytest.fail("UML kernel {} not found: build it with tools/build-uml.sh "
                    "(make interop does)".format(UML_LINUX))
    tgen = Topogen(build_topo, mod.__name__)
    tgen.start_topology()
    load_routers(tgen, CWD, ["relay"], [TopoRouter.RD_PIM, TopoRouter.RD_AMTD])
    load_routers(tgen, CWD, ["gw"], [TopoRouter.RD_AMTD])
    tgen.start_router()
    if KERNEL_ROUTES_MULTICAST:
        start_sender(procs, tgen.gears["src"], [(SRC, G1)], "src-eth0", rate=SENDER_RATE,
                     duration=UML_DURATION + 120)
    else:
        relay = tgen.gears["relay"]
        assert wait_for(lambda: RELAY_AMT + "/" in relay.cmd("ip -4 -o addr show dev amtr0"),
                        30), relay.cmd("ip addr show")
        start_sender(procs, relay, [(RELAY_AMT, G1)], "amtr0", rate=SENDER_RATE,
                     duration=UML_DURATION + 120)
    boot_uml(tgen.gears["umlg"], "gateway", UML_GW, "fe:fd:c0:00:02:03", {
        "UML_PEER": RELAY, "UML_TUNADDR": "10.255.9.2/24",
        "UML_SOURCE": stream_source(), "UML_GROUP": G1})
    boot_uml(tgen.gears["umlr"], "relay", UML_RELAY, "fe:fd:c0:00:02:04", {
        "UML_TUNADDR": UML_SRC + "/24", "UML_SOURCE": UML_SRC, "UML_GROUP": G1})


def teardown_module(mod):
    for name, p in umls.items():
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=10)
        logger.info("%s: UML exited with %s", name, p.returncode)
    umls.clear()
    stop_procs(procs)
    get_topogen().stop_topology()


def uml_file(name, fname):
    "A file the UML kernel's init wrote, '' if none"
    try:
        with open(os.path.join(uml_outdir(name), fname)) as f:
            return f.read()
    except OSError:
        return ""


def uml_diag(name):
    "What to show when an assertion about a UML kernel fails"
    p = umls.get(name)
    return {"exit": None if p is None else p.poll(),
            "init.log": uml_file(name, "init.log")[-2000:],
            "console.log": uml_file(name, "console.log")[-1500:],
            "link.json": uml_file(name, "link.json")[-1500:]}


def uml_link(name):
    "The UML kernel's amt device, from `ip -d -s -j link show` in it"
    try:
        return json.loads(uml_file(name, "link.json"))[0]
    except (ValueError, IndexError):
        return {}


def wait_for(func, count, wait=1):
    ok, _ = topotest.run_and_expect(func, True, count=count, wait=wait)
    return ok


def share_received(state_file, packets):
    """Count packets more datagrams on the receiver; return (received,
    sent) over that window as the receiver saw them: sent from the sequence
    numbers of the first and last datagram."""
    first = read_state(state_file)
    assert wait_packets(state_file, first.get("packets", 0) + packets,
                        count=int(packets / SENDER_RATE * 2) + 20), read_state(state_file)
    last = read_state(state_file)
    received = last["packets"] - first["packets"]
    sent = last["last_seq"] - first["last_seq"]
    logger.info("%s: received %d of %d datagrams (seq %s to %s)", state_file, received,
                sent, first["last_seq"], last["last_seq"])
    return received, sent


def test_uml_kernels_boot():
    "both UML kernels boot, run their init and create their amt device"
    for name, dev in (("umlg", "amtg"), ("umlr", "amtr")):
        ok = wait_for(lambda: uml_link(name).get("ifname") == dev, 60)
        assert ok, uml_diag(name)
        kind = uml_link(name)["linkinfo"]["info_kind"]
        assert kind == "amt", uml_link(name)


def test_linux_gateway_tunnel_on_amtd_relay():
    "the kernel gateway discovers amtd's relay, gets its Query and joins (S,G)"
    tgen = get_topogen()
    relay = tgen.gears["relay"]
    # Discovery/Advertisement: the kernel learned the relay's address.
    ok = wait_for(lambda: uml_link("umlg").get("linkinfo", {}).get(
        "info_data", {}).get("remote") == RELAY, 30)
    assert ok, uml_diag("umlg")
    # An Update with the MAC of a Query it accepted: the relay keeps the
    # tunnel and its (S,G) flow.
    result = expect_json(
        relay, "show amt relay tunnels detail json",
        {"amtr0": {"tunnels": [{"gateway": UML_GW, "gatewayPort": 2268,
                                "flows": [{"group": G1, "source": stream_source()}]}]}},
        count=60,
    )
    assert result is None, (result, uml_diag("umlg"),
                            relay.vtysh_cmd("show amt relay statistics json"))


def test_linux_gateway_receives_from_amtd_relay():
    "the application behind the kernel gateway receives the stream, nearly lossless"
    state = os.path.join(uml_outdir("umlg"), "receiver.json")
    assert wait_packets(state, 20, count=40), (read_state(state), uml_diag("umlg"))
    received, sent = share_received(state, 200)
    assert sent > 0 and received >= 0.9 * sent, (received, sent, read_state(state))
    relay = get_topogen().gears["relay"]
    stats = json.loads(relay.vtysh_cmd("show amt relay statistics json"))["amtr0"]
    logger.info("relay statistics: %s", json.dumps(stats))
    assert stats["sent"]["data"] >= received, stats


def test_amtd_gateway_tunnel_on_linux_relay():
    "amtd's gateway reaches the kernel relay: Request, Query, tunnel up"
    gw = get_topogen().gears["gw"]
    result = expect_json(gw, "show amt gateway json",
                         {"amtg0": {"state": "up", "relay": UML_RELAY}}, count=60)
    assert result is None, (result, uml_diag("umlr"))


def test_amtd_gateway_receives_from_linux_relay():
    "an application on the gateway router receives what the kernel relay forwards"
    gw = get_topogen().gears["gw"]
    state = start_receiver(procs, gw, "app", UML_SRC, G1, UML_DURATION,
                           ifaddr="10.255.0.2", sender=UML_SRC)
    assert wait_packets(state, 20, count=60), (
        read_state(state), gw.vtysh_cmd("show amt gateway json"), uml_diag("umlr"))
    received, sent = share_received(state, 200)
    assert sent > 0 and received >= 0.9 * sent, (received, sent, read_state(state))
    # amtd's gateway took it all from the tunnel.
    counters = json.loads(gw.vtysh_cmd("show amt gateway json"))["amtg0"]["counters"]
    assert counters["receivedData"] >= received, counters


def test_uml_kernels_still_running():
    "neither UML kernel crashed during the exchanges"
    for name in ("umlg", "umlr"):
        assert umls[name].poll() is None, uml_diag(name)


if __name__ == "__main__":
    args = ["-s"] + sys.argv[1:]
    sys.exit(pytest.main(args))
