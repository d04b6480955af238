#!/usr/bin/env python
# SPDX-License-Identifier: ISC
#
# test_amt_gateway_lan.py: a gateway router serving a LAN through AMT.
#

"""
    src ---- r1 ---- relay ============ gw ---- lan
  10.0.1.10  (PIM, RP) (zebra, pimd,  (zebra, pimd, pim6d,   10.10.0.10
  2001:db8:             pim6d, amtd    amtd gateway)         2001:db8:20::10
  10::10                relay)
          10.0.1.1  10.0.2.2  192.0.2.1   192.0.2.2  10.10.0.1
                              unicast only           2001:db8:20::1

The link between relay and gw carries no multicast routing.  On gw, amtd is
pimd's (and pim6d's) PIM neighbor on the pseudo-interface amtg0: the routes
to the served sources point at it, so pimd's RPF for them is amtg0 and pimd
sends amtd the joins for what the LAN's receivers want (IGMPv3 and MLDv2
joins of a host on lan).  amtd turns them into memberships on amtg0 that
the tunnel carries to the relay; the stream comes back decapsulated into
amtg0 and pimd forwards it to the LAN.
"""

import json
import os
import sys

import pytest

CWD = os.path.dirname(os.path.realpath(__file__))
sys.path.append(os.path.join(CWD, "../"))

# pylint: disable=C0413
from amt_helpers import (address_src_and_lan, expect_json, gateway_oper_state, load_routers,
                         read_state, start_receiver, start_sender, stop_procs, wait_packets)
from lib import topotest
from lib.topogen import Topogen, TopoRouter, get_topogen

pytestmark = [pytest.mark.amtd, pytest.mark.pimd]

SRC, SRC6 = "10.0.1.10", "2001:db8:10::10"
G_SSM, G_ASM, G6, G6_ASM = "232.1.1.1", "239.1.1.1", "ff3e::8000:1", "ff15::1"
LAN_HOST = "10.10.0.10"

procs = []
receivers = []


def build_topo(tgen):
    for name in ("src", "r1", "relay", "gw", "lan"):
        tgen.add_router(name)
    tgen.add_link(tgen.gears["src"], tgen.gears["r1"], "src-eth0", "r1-eth0")
    tgen.add_link(tgen.gears["r1"], tgen.gears["relay"], "r1-eth1", "relay-eth0")
    tgen.add_link(tgen.gears["relay"], tgen.gears["gw"], "relay-eth1", "gw-eth0")
    tgen.add_link(tgen.gears["gw"], tgen.gears["lan"], "gw-eth1", "lan-eth0")


def setup_module(mod):
    tgen = Topogen(build_topo, mod.__name__)
    tgen.start_topology()
    load_routers(tgen, CWD, ["r1"], (TopoRouter.RD_PIM, TopoRouter.RD_PIM6))
    load_routers(tgen, CWD, ["relay"],
                 (TopoRouter.RD_STATIC, TopoRouter.RD_PIM, TopoRouter.RD_PIM6, TopoRouter.RD_AMTD))
    load_routers(tgen, CWD, ["gw"], (TopoRouter.RD_PIM, TopoRouter.RD_PIM6, TopoRouter.RD_AMTD))
    tgen.start_router()
    src = tgen.gears["src"]
    address_src_and_lan(src, tgen.gears["lan"])
    start_sender(procs, src, [(SRC, G_SSM), (SRC, G_ASM), (SRC6, G6), (SRC6, G6_ASM)], "src-eth0")


def teardown_module(mod):
    stop_procs(receivers)
    stop_procs(procs)
    get_topogen().stop_topology()


def lan_receiver(name, source, group, duration=60):
    lan = get_topogen().gears["lan"]
    if ":" in group:
        return start_receiver(receivers, lan, name, source, group, duration,
                              ifname="lan-eth0", sender=SRC6)
    return start_receiver(receivers, lan, name, source, group, duration,
                          ifaddr=LAN_HOST, sender=SRC)


def test_amtd_is_pimds_neighbor():
    "pimd and pim6d see amtd as their neighbor on amtg0; source routes point at it"
    tgen = get_topogen()
    gw = tgen.gears["gw"]
    result = expect_json(
        gw, "show amt gateway json",
        {"amtg0": {"state": "up", "routesInstalled": 2,
                   "pim": {"neighbor": "10.255.0.1", "neighborIpv6": "fe80::2268"}}},
    )
    assert result is None, result
    # The same as YANG operational data, with the nonce's age.
    state = gateway_oper_state(gw)
    assert state["pim"]["neighbor"] == "10.255.0.1", state
    assert state["pim"]["neighbor-ipv6"] == "fe80::2268", state
    assert int(state["pim"]["sent-hello"]) >= 2, state
    assert 0 <= state["nonce-age"] < 60, state
    result = expect_json(gw, "show ip pim neighbor json", {"amtg0": {"10.255.0.1": {}}})
    assert result is None, result
    result = expect_json(gw, "show ipv6 pim neighbor json", {"amtg0": {"fe80::2268": {}}})
    assert result is None, result
    # In the multicast RIB (RPF only), never in the unicast RIB.
    result = expect_json(
        gw, "show ip rpf json",
        {"10.0.1.0/24": [{"protocol": "amt", "selected": True,
                          "nexthops": [{"ip": "10.255.0.1", "interfaceName": "amtg0"}]}]},
    )
    assert result is None, result
    result = expect_json(
        gw, "show ipv6 rpf json",
        {"2001:db8:10::/64": [{"protocol": "amt", "selected": True,
                               "nexthops": [{"ip": "fe80::2268", "interfaceName": "amtg0"}]}]},
    )
    assert result is None, result
    for cmd, prefix in (("show ip route 10.0.1.0/24 json", "10.0.1.0/24"),
                        ("show ipv6 route 2001:db8:10::/64 json", "2001:db8:10::/64")):
        routes = json.loads(gw.vtysh_cmd(cmd)).get(prefix, [])
        assert "amt" not in [r.get("protocol") for r in routes], routes


def test_lan_receiver_ssm_ipv4():
    "an IGMPv3 (S,G) join on the LAN crosses pimd, amtd and the tunnel; the stream comes back"
    tgen = get_topogen()
    gw, relay = tgen.gears["gw"], tgen.gears["relay"]
    state = lan_receiver("ssm4", SRC, G_SSM)
    assert wait_packets(state, 40, count=60), (
        read_state(state), gw.vtysh_cmd("show amt gateway"), gw.vtysh_cmd("show ip mroute"))
    result = expect_json(
        gw, "show amt gateway json",
        {"amtg0": {"pim": {"joins": [{"source": SRC, "group": G_SSM}]}}},
    )
    assert result is None, result
    # pimd forwards from the pseudo-interface to the LAN.
    result = expect_json(
        gw, "show ip mroute json",
        {G_SSM: {SRC: {"iif": "amtg0", "oil": {"gw-eth1": {}}}}},
    )
    assert result is None, result
    result = expect_json(
        relay, "show amt relay tunnels detail json",
        {"amtr0": {"tunnels": [{"gateway": "192.0.2.2",
                                "flows": [{"group": G_SSM, "source": SRC}]}]}},
    )
    assert result is None, result


def test_lan_receiver_asm_ipv4():
    "an ASM (*,G) join on the LAN: pimd joins toward the RP through amtd; the relay's pimd via its RP"
    tgen = get_topogen()
    gw = tgen.gears["gw"]
    state = lan_receiver("asm4", "*", G_ASM)
    assert wait_packets(state, 40, count=60), (
        read_state(state), gw.vtysh_cmd("show amt gateway"), gw.vtysh_cmd("show ip mroute"))
    result = expect_json(
        gw, "show amt gateway json",
        {"amtg0": {"pim": {"joins": [{"source": "*", "group": G_ASM}]}}},
    )
    assert result is None, result


def test_lan_receiver_ssm_ipv6():
    "an MLDv2 (S,G) join on the LAN: pim6d, amtd and the tunnel carry IPv6 multicast"
    tgen = get_topogen()
    gw = tgen.gears["gw"]
    state = lan_receiver("ssm6", SRC6, G6)
    assert wait_packets(state, 40, count=60), (
        read_state(state), gw.vtysh_cmd("show amt gateway"), gw.vtysh_cmd("show ipv6 mroute"))
    result = expect_json(
        gw, "show amt gateway json",
        {"amtg0": {"pim": {"joins": [{"source": SRC6, "group": G6}]}}},
    )
    assert result is None, result


def test_lan_receiver_asm_ipv6():
    "an MLDv2 (*,G) join on the LAN: pim6d joins toward the IPv6 RP through amtd"
    tgen = get_topogen()
    gw = tgen.gears["gw"]
    state = lan_receiver("asm6", "*", G6_ASM)
    assert wait_packets(state, 40, count=60), (
        read_state(state), gw.vtysh_cmd("show amt gateway"), gw.vtysh_cmd("show ipv6 mroute"))
    result = expect_json(
        gw, "show amt gateway json",
        {"amtg0": {"pim": {"joins": [{"source": "*", "group": G6_ASM}]}}},
    )
    assert result is None, result


def test_lan_and_gateway_application_share_a_channel():
    "an application on the gateway router and a LAN host on one channel; the LAN leaves, the application stays"
    tgen = get_topogen()
    gw = tgen.gears["gw"]
    stop_procs(receivers)
    lan_state = lan_receiver("shared-lan", SRC, G_SSM, duration=20)
    app_state = start_receiver(receivers, gw, "shared-app", SRC, G_SSM, 90,
                               ifaddr="10.255.0.2", sender=SRC)
    assert wait_packets(lan_state, 40, count=60), read_state(lan_state)
    assert wait_packets(app_state, 40, count=60), read_state(app_state)

    def lan_joined():
        pim = json.loads(gw.vtysh_cmd("show amt gateway json"))["amtg0"]["pim"]
        return {"source": SRC, "group": G_SSM} in pim["joins"]

    # The LAN receiver ends after 20 s; pimd prunes and amtd drops its
    # membership, while the application's own keeps the channel coming.
    ok, _ = topotest.run_and_expect(lan_joined, False, count=60, wait=1)
    assert ok, gw.vtysh_cmd("show amt gateway")
    before = read_state(app_state).get("packets", 0)
    assert wait_packets(app_state, before + 40, count=60), read_state(app_state)


def test_amtd_restart_on_gateway_lan_resumes():
    "the gateway's amtd killed and restarted: pimd rejoins through the new neighbor, the LAN's stream resumes"
    tgen = get_topogen()
    gw = tgen.gears["gw"]
    state = lan_receiver("restart", SRC, G_SSM, duration=120)
    assert wait_packets(state, 20, count=60), read_state(state)
    gw.net.killRouterDaemons(["amtd"])
    gw.net.startRouterDaemons(["amtd"])
    gw.cmd("vtysh -b -d amtd")
    before = read_state(state).get("packets", 0)
    assert wait_packets(state, before + 40, count=90), (
        read_state(state), gw.vtysh_cmd("show amt gateway"), gw.vtysh_cmd("show ip mroute"))
    # The stream may resume through the gateway router's own member (the
    # application of the shared-channel test): pimd's Join must come too
    # (at the latest with its periodic Join/Prune, 60 s).
    ok, pim = topotest.run_and_expect(
        lambda: json.loads(gw.vtysh_cmd("show amt gateway json"))["amtg0"]["pim"]["joinCount"] > 0,
        True, count=90, wait=1)
    assert ok, gw.vtysh_cmd("show amt gateway json")


def test_lan_leave_reaches_the_relay():
    "receivers gone: pimd prunes, amtd leaves, the relay stops sending"
    tgen = get_topogen()
    gw, relay = tgen.gears["gw"], tgen.gears["relay"]
    stop_procs(receivers)
    result = expect_json(gw, "show amt gateway json", {"amtg0": {"pim": {"joinCount": 0}}},
                         count=60)
    assert result is None, result

    def relay_flows():
        tunnels = json.loads(relay.vtysh_cmd("show amt relay tunnels detail json"))
        return [f for t in tunnels["amtr0"]["tunnels"] for f in t.get("flows", [])]

    ours = (G_SSM, G_ASM, G6, G6_ASM)
    ok, flows = topotest.run_and_expect(
        lambda: [f for f in relay_flows() if f["group"] in ours], [], count=60, wait=1)
    assert ok, flows
    # pimd's own link-local groups on amtg0 never went through the tunnel.
    local = [f for f in relay_flows()
             if f["group"].startswith("224.0.0.") or f["group"].startswith("ff02:")]
    assert local == [], local
    prunes = json.loads(gw.vtysh_cmd("show amt gateway json"))["amtg0"]["pim"]
    assert prunes["receivedPrune"] > 0, prunes


if __name__ == "__main__":
    args = ["-s"] + sys.argv[1:]
    sys.exit(pytest.main(args))
