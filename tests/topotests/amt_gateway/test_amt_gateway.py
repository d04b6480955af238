#!/usr/bin/env python
# SPDX-License-Identifier: ISC
#
# test_amt_gateway.py: amtd on both ends of an AMT tunnel.
#

"""
    src ---- relay ============ gw
  10.0.1.10  (zebra, pimd,   (zebra, pimd,
              amtd relay)     amtd gateway)
           10.0.1.1  192.0.2.1   192.0.2.2
                   203.0.113.1   unicast only
                       ||
                       nat ---- gwn (zebra, amtd gateway)
             203.0.113.2 (.3)  10.9.0.1    10.9.0.2

src sends SSM streams to (10.0.1.10, 232.1.1.1) and (10.0.1.10, 232.1.1.2).
The relay runs pimd and an amtd relay instance (amtr0); the gateway router
runs an amtd gateway instance (amtg0) pointed at the relay.  The receiver is
an application on the gateway router joined on amtg0.  The link between
relay and gateway carries no multicast routing at all.  gwn is a second
gateway router behind a NAT (iptables MASQUERADE) whose mapping changes
during the test.
"""

import json
import os
import sys

import pytest

CWD = os.path.dirname(os.path.realpath(__file__))
sys.path.append(os.path.join(CWD, "../"))

# pylint: disable=C0413
from amt_helpers import (expect_json, load_routers, poll_within, read_state, start_sender, stop_procs,
                         wait_packets)
from amt_helpers import start_receiver as start_receiver_on
from lib import topotest
from lib.topogen import Topogen, TopoRouter, get_topogen

pytestmark = [pytest.mark.amtd, pytest.mark.pimd]

SRC, G1, G2 = "10.0.1.10", "232.1.1.1", "232.1.1.2"
# An ASM group; the relay is its RP.
G_ASM = "239.1.1.1"

procs = []


def build_topo(tgen):
    for name in ("src", "relay", "gw", "nat", "gwn"):
        tgen.add_router(name)
    tgen.add_link(tgen.gears["src"], tgen.gears["relay"], "src-eth0", "relay-eth0")
    tgen.add_link(tgen.gears["relay"], tgen.gears["gw"], "relay-eth1", "gw-eth0")
    tgen.add_link(tgen.gears["relay"], tgen.gears["nat"], "relay-eth2", "nat-eth0")
    tgen.add_link(tgen.gears["nat"], tgen.gears["gwn"], "nat-eth1", "gwn-eth0")


def setup_module(mod):
    tgen = Topogen(build_topo, mod.__name__)
    tgen.start_topology()
    load_routers(tgen, CWD, ["gwn"], [TopoRouter.RD_STATIC, TopoRouter.RD_AMTD])
    load_routers(tgen, CWD, ("relay", "gw"), [TopoRouter.RD_PIM, TopoRouter.RD_AMTD])
    tgen.start_router()
    src = tgen.gears["src"]
    src.cmd("ip addr add 10.0.1.10/24 dev src-eth0")
    src.cmd("ip route add default via 10.0.1.1")
    nat = tgen.gears["nat"]
    nat.cmd("ip addr add 203.0.113.2/24 dev nat-eth0")
    nat.cmd("ip addr add 10.9.0.1/24 dev nat-eth1")
    nat.cmd("ip route add 192.0.2.0/24 via 203.0.113.1")
    nat.cmd("sysctl -w net.ipv4.ip_forward=1")
    nat.cmd("iptables -t nat -A POSTROUTING -o nat-eth0 -j MASQUERADE")
    start_sender(procs, src, [(SRC, G1), (SRC, G2), (SRC, G_ASM)], "src-eth0")


def teardown_module(mod):
    stop_procs(procs)
    get_topogen().stop_topology()


def start_receiver(router, ifaddr, group, name, duration, source=SRC):
    return start_receiver_on(procs, router, name, source, group, duration, ifaddr=ifaddr,
                             sender=SRC)


def assert_stream_grows(state, more=40, count=40):
    "The receiver behind state counts more datagrams from now on"
    before = read_state(state).get("packets", 0)
    assert wait_packets(state, before + more, count=count), read_state(state)


def test_tunnel_up():
    "the gateway reaches the relay: Request, Query, tunnel up"
    tgen = get_topogen()
    result = expect_json(
        tgen.gears["gw"],
        "show amt gateway json",
        {"amtg0": {"state": "up", "relay": "192.0.2.1", "addressSeenByRelay": "192.0.2.2",
                   "routesInstalled": 1}},
    )
    assert result is None, result
    # The source prefix is routed through the pseudo-interface in the
    # multicast RIB (RPF), never in the unicast RIB.
    result = expect_json(
        tgen.gears["gw"], "show ip rpf json",
        {"10.0.1.0/24": [{"protocol": "amt", "selected": True,
                          "nexthops": [{"interfaceName": "amtg0"}]}]},
    )
    assert result is None, result
    routes = json.loads(tgen.gears["gw"].vtysh_cmd("show ip route 10.0.1.0/24 json"))
    assert "amt" not in [r.get("protocol") for r in routes.get("10.0.1.0/24", [])], routes


def test_application_on_gateway_router_receives():
    "an application joined on amtg0 receives the stream; nothing else flows"
    tgen = get_topogen()
    gw, relay = tgen.gears["gw"], tgen.gears["relay"]
    state = start_receiver(gw, "10.255.0.2", G1, "app", 40)
    assert wait_packets(state, 40), read_state(state)
    result = expect_json(
        relay,
        "show amt relay tunnels detail json",
        {"amtr0": {"tunnels": [{"gateway": "192.0.2.2",
                                "flows": [{"group": G1, "source": SRC}]}]}},
    )
    assert result is None, result
    tunnels = json.loads(relay.vtysh_cmd("show amt relay tunnels detail json"))
    flows = tunnels["amtr0"]["tunnels"][0]["flows"]
    assert all(f["group"] != G2 for f in flows), flows
    gwstate = json.loads(gw.vtysh_cmd("show amt gateway json"))["amtg0"]
    assert gwstate["counters"]["receivedData"] >= 40, gwstate
    assert gwstate["counters"]["droppedDataNotRequested"] == 0, gwstate


def test_ipv6_outer_transport():
    "a second gateway instance reaches the relay over IPv6 and gets IPv4 multicast"
    tgen = get_topogen()
    gw, relay = tgen.gears["gw"], tgen.gears["relay"]
    result = expect_json(
        gw, "show amt gateway amtg6 json",
        {"amtg6": {"state": "up", "relay": "2001:db8:1::1",
                   "addressSeenByRelay": "2001:db8:1::2"}},
    )
    assert result is None, result
    state = start_receiver(gw, "10.255.6.2", G2, "ipv6-outer", 40)
    assert wait_packets(state, 40), read_state(state)
    result = expect_json(
        relay, "show amt relay tunnels detail json",
        {"amtr0": {"tunnels": [{"gateway": "2001:db8:1::2", "family": "ipv6",
                                "flows": [{"group": G2, "source": SRC}]}]}},
    )
    assert result is None, result


def test_asm_through_the_relay_as_rp():
    "an ASM join (*,G) crosses the tunnel; the relay's pimd joins via the RP"
    tgen = get_topogen()
    gw, relay = tgen.gears["gw"], tgen.gears["relay"]
    state = start_receiver(gw, "10.255.0.2", G_ASM, "asm", 40, source="*")
    assert wait_packets(state, 40, count=40), (
        read_state(state), relay.vtysh_cmd("show ip mroute"))
    result = expect_json(
        relay,
        "show amt relay tunnels detail json",
        {"amtr0": {"tunnels": [{"flows": [{"group": G_ASM, "source": "*"}]}]}},
    )
    assert result is None, result


def test_nat_mapping_change_tears_down_and_continues():
    "behind a NAT whose mapping changes, the gateway tears down and goes on"
    tgen = get_topogen()
    gwn, relay, nat = tgen.gears["gwn"], tgen.gears["relay"], tgen.gears["nat"]
    state = start_receiver(gwn, "10.255.1.2", G1, "nat", 120)
    assert wait_packets(state, 20), read_state(state)
    result = expect_json(
        relay, "show amt relay tunnels json",
        {"amtr0": {"tunnels": [{"gateway": "203.0.113.2"}]}},
    )
    assert result is None, result
    teardowns = json.loads(relay.vtysh_cmd("show amt relay statistics json"))[
        "amtr0"]["received"]["teardown"]

    # The NAT now maps the gateway to another outside address.
    nat.cmd("ip addr add 203.0.113.3/24 dev nat-eth0")
    nat.cmd("iptables -t nat -F POSTROUTING")
    nat.cmd("iptables -t nat -A POSTROUTING -o nat-eth0 -j SNAT --to-source 203.0.113.3")
    nat.cmd("conntrack -F")

    # At its next refresh the gateway learns the new mapping from the G flag,
    # tears the old tunnel down, and the stream comes back on the new one.
    result = expect_json(
        gwn, "show amt gateway json",
        {"amtg0": {"state": "up", "addressSeenByRelay": "203.0.113.3",
                   "counters": {"natChanges": 1}}},
        count=60,
    )
    assert result is None, result
    result = expect_json(
        relay, "show amt relay statistics json",
        {"amtr0": {"received": {"teardown": teardowns + 1}}}, count=10,
    )
    assert result is None, result

    def nat_tunnels():
        tunnels = json.loads(relay.vtysh_cmd("show amt relay tunnels json"))
        return sorted(t["gateway"] for t in tunnels["amtr0"]["tunnels"]
                      if t["gateway"].startswith("203.0.113."))

    # The old mapping's tunnel is gone, the new one carries the stream.
    ok, addrs = topotest.run_and_expect(nat_tunnels, ["203.0.113.3"], count=20, wait=1)
    assert ok, addrs
    assert_stream_grows(state, count=40)


def test_amtd_restart_on_gateway_resumes():
    "the gateway's amtd killed and restarted: the stream resumes by itself"
    tgen = get_topogen()
    gw = tgen.gears["gw"]
    state = start_receiver(gw, "10.255.0.2", G1, "app-restart", 90)
    assert wait_packets(state, 20), read_state(state)
    gw.net.killRouterDaemons(["amtd"])
    gw.net.startRouterDaemons(["amtd"])
    # Configuration comes back from the integrated configuration file.
    gw.cmd("vtysh -b -d amtd")
    assert_stream_grows(state, count=60)


def test_amtd_restart_on_relay_resumes():
    "the relay's amtd killed and restarted: the gateway's next refresh restores the stream"
    tgen = get_topogen()
    gw, relay = tgen.gears["gw"], tgen.gears["relay"]
    state = start_receiver(gw, "10.255.0.2", G1, "relay-restart", 120)
    assert wait_packets(state, 20), read_state(state)
    relay.net.killRouterDaemons(["amtd"])
    relay.net.startRouterDaemons(["amtd"])
    relay.cmd("vtysh -b -d amtd")
    # A new MAC secret: the gateway's refresh (query-interval 20 s) gets a
    # new Query, its Updates pass again and the tunnel is rebuilt.
    assert_stream_grows(state, count=90)


def amtd_cpu_seconds(router):
    "CPU time amtd has used so far on router (utime + stime), read inside its namespaces"
    pid = router.cmd("cat /var/run/frr/amtd.pid").strip()
    stat = router.cmd("cat /proc/{}/stat".format(pid))
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def instance_json(router, name):
    return json.loads(router.vtysh_cmd("show amt json")).get("instances", {}).get(name, {})


def lose_pseudo_interface(router, name):
    """Delete the instance's tun device under amtd; it must not spin while it
    is gone, and must create it again by itself."""
    losses = instance_json(router, name).get("pseudoInterfaceLosses", 0)
    cpu0 = amtd_cpu_seconds(router)
    router.cmd("ip link del " + name)
    ok, _ = topotest.run_and_expect(
        lambda: instance_json(router, name).get("pseudoInterfaceLosses") == losses + 1
        and instance_json(router, name).get("operStatus") == "up",
        True, count=20, wait=1)
    assert ok, instance_json(router, name)
    assert name in router.cmd("ip link show " + name), router.cmd("ip link")
    # A read event that fails for ever burns a core; a handled loss costs
    # next to nothing over these seconds.
    cpu = amtd_cpu_seconds(router) - cpu0
    assert cpu < 3, "amtd used {:.1f} s of CPU around the loss of {}".format(cpu, name)
    oper = json.loads(router.vtysh_cmd(
        "show yang operational-data /frr-amtd:amtd amtd"))["frr-amtd:amtd"]
    inst = [i for role in ("relay", "gateway") for i in oper.get(role, [])
            if i["name"] == name]
    assert inst and int(inst[0]["pseudo-interface-losses"]) == losses + 1, oper


def test_relay_pseudo_interface_lost_and_recreated():
    "ip link del amtr0 under a stream: amtd recreates it, pimd feeds it, the stream resumes"
    tgen = get_topogen()
    gw, relay = tgen.gears["gw"], tgen.gears["relay"]
    state = start_receiver(gw, "10.255.0.2", G1, "relay-tun-lost", 150)
    assert wait_packets(state, 20), read_state(state)
    lose_pseudo_interface(relay, "amtr0")
    # pimd queries the new amtr0 and amtd answers with the tunnels' union:
    # no gateway has to do anything.
    assert_stream_grows(state, count=90)


def test_gateway_pseudo_interface_lost_and_recreated():
    "ip link del amtg0: amtd recreates it; a receiver joined on the new device gets the stream"
    tgen = get_topogen()
    gw = tgen.gears["gw"]
    state = start_receiver(gw, "10.255.0.2", G1, "gw-tun-before", 60)
    assert wait_packets(state, 20), read_state(state)
    lose_pseudo_interface(gw, "amtg0")
    # The kernel dropped the memberships held on the old device with it;
    # an application joins again on the new one (zebra puts its address
    # back) and the stream comes through the same tunnel.
    ok, _ = topotest.run_and_expect(
        lambda: "10.255.0.2" in gw.cmd("ip -4 addr show amtg0"), True, count=20, wait=1)
    assert ok, gw.cmd("ip addr show amtg0")
    state = start_receiver(gw, "10.255.0.2", G1, "gw-tun-after", 90)
    assert wait_packets(state, 40, count=60), read_state(state)


def test_clear_commands():
    "clear amt relay statistics resets the counters; clear ... tunnels drops the tunnels"
    tgen = get_topogen()
    relay = tgen.gears["relay"]

    def stats():
        return json.loads(relay.vtysh_cmd("show amt relay statistics json"))["amtr0"]

    # Gateways send Updates (at least one per refresh, every 20 s, since the
    # relay's amtd restarted) and the relay forwards data.
    ok, _ = topotest.run_and_expect(
        lambda: stats()["received"]["update"] >= 2 and stats()["sent"]["data"] > 0, True,
        count=60, wait=1)
    before = stats()
    assert ok, before
    relay.vtysh_cmd("clear amt relay amtr0 statistics")
    after = json.loads(relay.vtysh_cmd("show amt relay statistics json"))["amtr0"]
    assert after["received"]["update"] < before["received"]["update"], after
    assert after["sent"]["data"] < before["sent"]["data"], after

    # The tunnels to clear: there are some, and they are older than what
    # the clear leaves, so the check below fails if the clear does nothing.
    ok, _ = topotest.run_and_expect(
        lambda: all(t["uptime"] > 3 for t in relay_tunnel_list(relay)) and
        len(relay_tunnel_list(relay)) > 0, True, count=10, wait=1)
    before = relay_tunnel_list(relay)
    assert ok, before
    relay.vtysh_cmd("clear amt relay tunnels")
    # Gateways set their tunnels up again at their next refresh: whatever
    # is there now is younger than the clear.
    tunnels = relay_tunnel_list(relay)
    assert all(t["uptime"] <= 2 for t in tunnels), (before, tunnels)


def relay_tunnel_list(relay):
    return json.loads(relay.vtysh_cmd("show amt relay tunnels json"))["amtr0"]["tunnels"]


def test_deconfiguration_sends_teardown():
    "removing the gateway sends a Teardown: the relay drops the tunnel at once"
    tgen = get_topogen()
    gw, relay = tgen.gears["gw"], tgen.gears["relay"]

    # gw's tunnels only: gwn (behind the NAT) may still have its own.
    def gw_tunnels():
        return len([t for t in relay_tunnel_list(relay) if t["gateway"] == "192.0.2.2"])

    # There is a tunnel to tear down (the gateway may be between refreshes).
    ok, n = topotest.run_and_expect(gw_tunnels, 1, count=30, wait=1)
    assert ok, (n, relay_tunnel_list(relay))
    before = json.loads(relay.vtysh_cmd("show amt relay statistics json"))
    gw.vtysh_cmd("configure terminal\nno amt gateway amtg0\n")
    after = expect_json(
        relay,
        "show amt relay statistics json",
        {"amtr0": {"received": {"teardown": before["amtr0"]["received"]["teardown"] + 1}}},
        count=10,
    )
    assert after is None, after
    # Gone within 10 s (a count, not "tunnels": [], which json_cmp matches
    # with any list).  Without the Teardown it would stay until its
    # membership ran out (about 45 s); run_and_expect() stretches any wait
    # under 15 s to 60 s, so this loop is written out.
    ok, _ = poll_within(gw_tunnels, 0, 10)
    assert ok, (relay.vtysh_cmd("show amt relay tunnels detail json"),
                               relay.vtysh_cmd("show amt relay statistics json"))


if __name__ == "__main__":
    args = ["-s"] + sys.argv[1:]
    sys.exit(pytest.main(args))
