#!/usr/bin/env python
# SPDX-License-Identifier: ISC
#
# test_amt_gateway_mrib.py: the gateway's source routes live in the
# multicast RIB; the sources stay reachable by unicast.
#

"""
    src ---- r1 ---- relay ============ gw ---- lan
  10.0.1.10  (OSPF,  (OSPF, pimd,     (OSPF, static,      10.10.0.10
  2001:db8:   pimd)   amtd relay)      pimd, amtd         2001:db8:20::10
  10::10                               gateway)
          10.0.1.1  10.0.2.2  192.0.2.1   192.0.2.2  10.10.0.1
                              2001:db8:1::1  ::2     2001:db8:20::1
                              unicast only

gw learns the sources' prefixes (10.0.1.0/24, 2001:db8:10::/64) by OSPF and
OSPFv3, later also by static routes, through the unicast link to the relay.
amtd installs its source-prefix routes in the multicast RIB only, through
the pseudo-interface amtg0 (where it is pimd's PIM neighbor): pimd's RPF
for the sources is amtg0 while unicast to them follows OSPF or the static
route.  While the AMT streams flow to a LAN host and to an application on
gw, ping and TCP from gw and from the LAN host reach the source.  gw runs
with a strict reverse-path filter (net.ipv4.conf.all.rp_filter=1): amtd
makes amtg0's own loose, or the decapsulated IPv4 multicast, whose source
is routed out of gw-eth0, would be dropped.
"""

import json
import os
import sys
import time

import pytest

CWD = os.path.dirname(os.path.realpath(__file__))
sys.path.append(os.path.join(CWD, "../"))

# pylint: disable=C0413
from amt_helpers import (PYTHON, address_src_and_lan, load_routers, read_state, start_receiver,
                         start_sender, stop_procs, wait_packets)
from lib import topotest
from lib.topogen import Topogen, TopoRouter, get_topogen
from lib.topolog import logger

pytestmark = [pytest.mark.amtd, pytest.mark.pimd, pytest.mark.ospfd, pytest.mark.ospf6d,
              pytest.mark.staticd]

SRC, SRC6 = "10.0.1.10", "2001:db8:10::10"
G4, G6 = "232.1.1.1", "ff3e::8000:1"
PFX, PFX6 = "10.0.1.0/24", "2001:db8:10::/64"
LAN_HOST, LAN_HOST6 = "10.10.0.10", "2001:db8:20::10"
GW_UPLINK, GW_UPLINK6 = "192.0.2.2", "2001:db8:1::2"
TCP_PORT = 7000
PROBE = os.path.join(CWD, "unicast_probe.py")
# Each family: (afi word for vtysh, source, group, source prefix, amtd's
# PIM neighbor address on amtg0, the relay's address on the unicast link).
FAMILIES = {
    4: ("ip", SRC, G4, PFX, "10.255.0.1", "192.0.2.1"),
    6: ("ipv6", SRC6, G6, PFX6, "fe80::2268", "2001:db8:1::1"),
}

procs = []
# Receivers' state files: (family, "lan"|"app") -> path.
receivers = {}


def build_topo(tgen):
    for name in ("src", "r1", "relay", "gw", "lan"):
        tgen.add_router(name)
    tgen.add_link(tgen.gears["src"], tgen.gears["r1"], "src-eth0", "r1-eth0")
    tgen.add_link(tgen.gears["r1"], tgen.gears["relay"], "r1-eth1", "relay-eth0")
    tgen.add_link(tgen.gears["relay"], tgen.gears["gw"], "relay-eth1", "gw-eth0")
    tgen.add_link(tgen.gears["gw"], tgen.gears["lan"], "gw-eth1", "lan-eth0")


def echo_log(family):
    return os.path.join(get_topogen().logdir, "src", "tcp_echo{}.log".format(family))


def setup_module(mod):
    tgen = Topogen(build_topo, mod.__name__)
    tgen.start_topology()
    igp = (TopoRouter.RD_OSPF, TopoRouter.RD_OSPF6, TopoRouter.RD_PIM, TopoRouter.RD_PIM6)
    load_routers(tgen, CWD, ["r1"], igp)
    load_routers(tgen, CWD, ["relay"], igp + (TopoRouter.RD_AMTD,))
    load_routers(tgen, CWD, ["gw"], igp + (TopoRouter.RD_STATIC, TopoRouter.RD_AMTD))
    gw = tgen.gears["gw"]
    # Strict reverse-path filtering on gw, for every interface, before amtd
    # creates amtg0 (which then starts strict too).
    gw.cmd_raises("sysctl -w net.ipv4.conf.all.rp_filter=1")
    gw.cmd_raises("sysctl -w net.ipv4.conf.default.rp_filter=1")
    tgen.start_router()
    src = tgen.gears["src"]
    address_src_and_lan(src, tgen.gears["lan"])
    start_sender(procs, src, [(SRC, G4), (SRC6, G6)], "src-eth0")
    for family, addr in ((4, SRC), (6, SRC6)):
        log = echo_log(family)
        if os.path.exists(log):
            os.unlink(log)
        procs.append(src.popen([PYTHON, PROBE, "server", "--listen", addr, "--port",
                                str(TCP_PORT), "--duration", "900", "--log", log]))


def teardown_module(mod):
    stop_procs(procs)
    get_topogen().stop_topology()


def show(router, cmd):
    return json.loads(router.vtysh_cmd(cmd))


def unicast_problem(gw, family, protocol):
    """None once gw's unicast RIB and the kernel reach the family's source
    prefix by protocol out of gw-eth0 and amtd has no route there; else what
    is wrong."""
    afi, _, _, prefix, _, relay = FAMILIES[family]
    entries = show(gw, "show {} route {} json".format(afi, prefix)).get(prefix, [])
    best = [r for r in entries if r.get("selected") and r.get("installed")]
    if len(best) != 1 or best[0].get("protocol") != protocol:
        return ("selected", entries)
    if not [nh for nh in best[0].get("nexthops", [])
            if nh.get("interfaceName") == "gw-eth0" and nh.get("fib")]:
        return ("nexthop", entries)
    if [r for r in entries if r.get("protocol") == "amt"]:
        return ("amt in the unicast RIB", entries)
    kernel = json.loads(gw.cmd("ip -{} -j route show {}".format(family, prefix)) or "[]")
    if len(kernel) != 1 or kernel[0].get("dev") != "gw-eth0":
        return ("kernel", kernel)
    return None


def mrib_problem(gw, family):
    """None once gw's multicast RIB (show ip rpf) selects amtd's route through
    amtg0 and its PIM neighbor, at distance 1; else what is wrong."""
    afi, _, _, prefix, nbr, _ = FAMILIES[family]
    entries = show(gw, "show {} rpf json".format(afi)).get(prefix, [])
    best = [r for r in entries if r.get("selected")]
    if len(best) != 1 or best[0].get("protocol") != "amt" or best[0].get("distance") != 1:
        return ("selected", entries)
    if not [nh for nh in best[0].get("nexthops", [])
            if nh.get("interfaceName") == "amtg0" and nh.get("ip") == nbr
            and nh.get("active")]:
        return ("nexthop", entries)
    return None


def pim_rpf_problem(gw, family):
    "None once pimd's own RPF for (S,G) is amtg0, through amtd; else what it is"
    afi, source, group, _, nbr, _ = FAMILIES[family]
    out = gw.vtysh_cmd("show {} pim nexthop-lookup {} {}".format(afi, source, group))
    if "Nexthop {} Interface amtg0".format(nbr) not in out:
        return out
    mroute = show(gw, "show {} mroute json".format(afi)).get(group, {}).get(source, {})
    if mroute.get("iif") != "amtg0" or "gw-eth1" not in mroute.get("oil", {}):
        return mroute
    rpf = show(gw, "show {} pim rpf json".format(afi)).get(group, {}).get(source, {})
    if rpf.get("rpfInterface") != "amtg0":
        return rpf
    return None


def wait_for(func, *args):
    "Run func(*args) until it returns None (bounded); the last result"
    _, result = topotest.run_and_expect(lambda: func(*args), None, count=60, wait=1)
    return result


def echo_peers(family):
    "The peers the family's TCP echo server on src has answered, in order"
    try:
        with open(echo_log(family)) as f:
            return [json.loads(line)["peer"] for line in f if line.strip()]
    except OSError:
        return []


def check_unicast_to_sources(step):
    "ping and TCP to each source from gw and from the LAN host, over unicast"
    tgen = get_topogen()
    for family, (_, source, _, _, _, _) in FAMILIES.items():
        for name, local in (("gw", (GW_UPLINK, GW_UPLINK6)), ("lan", (LAN_HOST, LAN_HOST6))):
            router = tgen.gears[name]
            expected = local[0] if family == 4 else local[1]
            rc, out, err = router.net.cmd_status([PYTHON, PROBE, "ping", "--connect", source])
            assert rc == 0, (step, name, out, err)
            assert json.loads(out)["local"] == expected, (step, name, out)
            token = "{}-{}-{}".format(step, name, family)
            before = len(echo_peers(family))
            rc, out, err = router.net.cmd_status(
                [PYTHON, PROBE, "client", "--connect", source, "--port", str(TCP_PORT),
                 "--token", token])
            assert rc == 0, (step, name, out, err)
            reply = json.loads(out)
            # The connection left by the unicast interface, and src saw it
            # come from there.
            assert reply["local"] == expected, (step, name, reply)
            peers = echo_peers(family)
            assert len(peers) == before + 1 and peers[-1] == expected, (step, name, peers)


def check_streams_flow(minimum=40):
    "every receiver counts minimum more datagrams from now on"
    assert len(receivers) == 4, receivers
    counts = {key: read_state(path).get("packets", 0) for key, path in receivers.items()}
    for key, path in receivers.items():
        assert wait_packets(path, counts[key] + minimum, count=60), (key, read_state(path))


def test_rp_filter_loose_on_pseudo_interface():
    "gw filters strictly; amtd made amtg0's own rp_filter loose"
    gw = get_topogen().gears["gw"]
    assert gw.cmd("sysctl -n net.ipv4.conf.all.rp_filter").strip() == "1"
    assert gw.cmd("sysctl -n net.ipv4.conf.gw-eth0.rp_filter").strip() == "1"
    ok, value = topotest.run_and_expect(
        lambda: gw.cmd("sysctl -n net.ipv4.conf.amtg0.rp_filter").strip(), "2", count=30, wait=1)
    assert ok, value


def test_unicast_by_ospf_rpf_by_mrib():
    "OSPF routes the sources' prefixes out of gw-eth0; amtd's routes are in the MRIB"
    gw = get_topogen().gears["gw"]
    for family, protocol in ((4, "ospf"), (6, "ospf6")):
        result = wait_for(unicast_problem, gw, family, protocol)
        assert result is None, (family, result)
        result = wait_for(mrib_problem, gw, family)
        assert result is None, (family, result)
    state = show(gw, "show amt gateway json")["amtg0"]
    assert state["state"] == "up" and state["routesInstalled"] == 2, state


def test_streams_to_lan_and_application():
    "the AMT streams reach a LAN host and an application on gw; pimd's RPF is amtg0"
    tgen = get_topogen()
    gw, lan = tgen.gears["gw"], tgen.gears["lan"]
    receivers[(4, "lan")] = start_receiver(procs, lan, "lan4", SRC, G4, 600,
                                           ifaddr=LAN_HOST, sender=SRC)
    receivers[(6, "lan")] = start_receiver(procs, lan, "lan6", SRC6, G6, 600,
                                           ifname="lan-eth0", sender=SRC6)
    receivers[(4, "app")] = start_receiver(procs, gw, "app4", SRC, G4, 600,
                                           ifaddr="10.255.0.2", sender=SRC)
    receivers[(6, "app")] = start_receiver(procs, gw, "app6", SRC6, G6, 600,
                                           ifname="amtg0", sender=SRC6)
    for key, path in receivers.items():
        assert wait_packets(path, 40, count=90), (
            key, read_state(path), gw.vtysh_cmd("show amt gateway"),
            gw.vtysh_cmd("show ip mroute"), gw.vtysh_cmd("show ipv6 mroute"))
    for family in FAMILIES:
        result = wait_for(pim_rpf_problem, gw, family)
        assert result is None, (family, result)
    # The tunnel carries IPv6 groups: its refresh Requests (query interval
    # 20 s) set P, asking for an MLD General Query (RFC 7450 section 5.1.3.4).
    def counters():
        return json.loads(gw.vtysh_cmd("show amt gateway amtg0 json"))["amtg0"]["counters"]

    ok, _ = topotest.run_and_expect(lambda: counters()["sentRequestMld"] >= 1, True,
                                    count=50, wait=1)
    assert ok, counters()


def test_unicast_to_sources_while_streams_flow_ospf():
    "ping and TCP from gw and the LAN host reach the sources by OSPF; streams go on"
    check_unicast_to_sources("ospf")
    check_streams_flow()


def test_static_route_step():
    "static routes take over unicast to the sources; the MRIB and the streams stay"
    gw = get_topogen().gears["gw"]
    gw.vtysh_cmd("configure terminal\nip route {} 192.0.2.1\nipv6 route {} 2001:db8:1::1"
                 .format(PFX, PFX6))
    for family in FAMILIES:
        result = wait_for(unicast_problem, gw, family, "static")
        assert result is None, (family, result)
        # OSPF still knows the prefix: static wins by distance alone.
        afi, _, _, prefix, _, _ = FAMILIES[family]
        protocols = [r.get("protocol") for r in
                     show(gw, "show {} route {} json".format(afi, prefix)).get(prefix, [])]
        assert "static" in protocols and ("ospf" in protocols or "ospf6" in protocols), protocols
        result = mrib_problem(gw, family)
        assert result is None, (family, result)
        result = pim_rpf_problem(gw, family)
        assert result is None, (family, result)
    check_unicast_to_sources("static")
    check_streams_flow()


def rp_filter_drops():
    "the kernel's count of packets its reverse-path filter dropped"
    gw = get_topogen().gears["gw"]
    lines = [line.split() for line in gw.cmd("cat /proc/net/netstat").splitlines()]
    for names, values in zip(lines, lines[1:]):
        if names and names[0] == "TcpExt:" and values and values[0] == "TcpExt:":
            return int(values[names.index("IPReversePathFilter")])
    raise AssertionError("no TcpExt IPReversePathFilter counter")


def test_strict_rp_filter_on_tun_would_drop():
    "amtg0 back to strict: the kernel drops the IPv4 stream (counted); loose again, it resumes"
    gw = get_topogen().gears["gw"]
    app = receivers[(4, "app")]
    assert wait_packets(app, read_state(app).get("packets", 0) + 20, count=30)
    drops = rp_filter_drops()
    gw.cmd_raises("sysctl -w net.ipv4.conf.amtg0.rp_filter=1")
    try:
        time.sleep(1)
        stalled = read_state(app).get("packets", 0)
        time.sleep(4)
        # At 20 datagrams a second, at most what was in flight arrives.
        got = read_state(app).get("packets", 0) - stalled
        dropped = rp_filter_drops() - drops
        logger.info("amtg0 strict for 4 s: %d datagrams received, %d dropped by rp_filter",
                    got, dropped)
        assert got <= 2, read_state(app)
        assert dropped >= 40, (drops, rp_filter_drops())
    finally:
        gw.cmd_raises("sysctl -w net.ipv4.conf.amtg0.rp_filter=2")
    drops = rp_filter_drops()
    check_streams_flow()
    assert rp_filter_drops() == drops, (drops, rp_filter_drops())


if __name__ == "__main__":
    args = ["-s"] + sys.argv[1:]
    sys.exit(pytest.main(args))
