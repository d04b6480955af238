#!/usr/bin/env python
# SPDX-License-Identifier: ISC
#
# test_amt_fleet.py: two relays advertise one anycast discovery address per
# family through OSPF and OSPFv3 (redistribute amt) only while healthy; a
# drained or unhealthy relay withdraws it and its gateway moves without loss.
#

"""
                 +--- relay1 (zebra, ospfd, pimd, amtd) ---+ cost 10
    src ---- s1 -+    10.0.1.1 | 10.0.11.1, lo 192.0.2.1   +--- core (zebra, ospfd) --- gw
  10.0.1.10      +--- relay2 (zebra, ospfd, pimd, amtd) ---+ cost 20   10.0.13.2      10.0.13.1
                      10.0.1.2 | 10.0.12.1, lo 192.0.2.2                (zebra, ospfd, amtd)

Both relays: discovery-address 192.0.2.100, advertise-discovery-address,
health-prefix 10.0.1.0/24 (the source's LAN, which is not in OSPF: only
the relay's own link reaches it), health-hold-down 8; ospfd redistributes
amt.  The core prefers relay1 (cost 10 against 20).  The gateway finds its
relay by Relay Discovery to 192.0.2.100.  The source sends two numbered
streams, (10.0.1.10, 232.1.1.1) and (10.0.1.10, 232.1.1.2), 100/s each;
receivers on gw account for every sequence number.

IPv6: the same over OSPFv3 (core costs 10 and 20 as well): relays at
2001:db8:ff::1 and ::2 advertise 2001:db8:ff::100 (redistribute amt in
ospf6d); the last test moves the gateway to IPv6 discovery and drains
relay1.  With equal OSPF costs, 200 emulated gateways (amt_gw_emu
--discovery, built from tools/bench) from 198.51.100.0/24 discover through
192.0.2.100 and spread over both relays; drained, relay1's gateways
discover again and all 200 end on relay2.

BGP: relay2 also redistributes amt into iBGP toward the core (distance 200:
OSPF's route wins until the last test, which takes relay2's address out of
OSPF and drains relay1, so that the core reaches 192.0.2.100 through BGP).
"""

import json
import os
import re
import sys
import time

import pytest

CWD = os.path.dirname(os.path.realpath(__file__))
sys.path.append(os.path.join(CWD, "../"))

# pylint: disable=C0413
from lib import topotest
from lib.topogen import Topogen, TopoRouter, get_topogen
from amt_helpers import (PYTHON, build_gw_emu, expect_json, load_routers, parse_kv,
                         read_state, start_sender, stop_procs)

pytestmark = [pytest.mark.amtd, pytest.mark.pimd, pytest.mark.ospfd]

SEQ_RECEIVER = os.path.join(CWD, "..", "amt_gateway_move", "seq_receiver.py")
TEST_GATEWAY = os.path.join(CWD, "..", "amt_relay", "amt_test_gateway.py")
SRC, G1, G2 = "10.0.1.10", "232.1.1.1", "232.1.1.2"
ANYCAST = "192.0.2.100"
ANYCAST_P = ANYCAST + "/32"
RELAY1, RELAY2 = "192.0.2.1", "192.0.2.2"
# The core's nexthops toward each relay.
VIA1, VIA2 = "10.0.11.1", "10.0.12.1"
GW_ADDR = "10.0.13.1"
# IPv6: the same fleet over OSPFv3, with relay1 nearer (cost 10 against 20).
ANYCAST6 = "2001:db8:ff::100"
ANYCAST6_P = ANYCAST6 + "/128"
RELAY1_6, RELAY2_6 = "2001:db8:ff::1", "2001:db8:ff::2"
GW6_ADDR = "2001:db8:13::1"
RATE = 100
HOLD_DOWN = 8

procs = []


def build_topo(tgen):
    for name in ("src", "relay1", "relay2", "core", "gw"):
        tgen.add_router(name)
    lan = tgen.add_switch("s1")
    for name in ("src", "relay1", "relay2"):
        lan.add_link(tgen.gears[name], nodeif=name + "-eth0")
    tgen.add_link(tgen.gears["relay1"], tgen.gears["core"], "relay1-eth1", "core-eth0")
    tgen.add_link(tgen.gears["relay2"], tgen.gears["core"], "relay2-eth1", "core-eth1")
    tgen.add_link(tgen.gears["core"], tgen.gears["gw"], "core-eth2", "gw-eth0")


def setup_module(mod):
    tgen = Topogen(build_topo, mod.__name__)
    tgen.start_topology()
    load_routers(tgen, CWD, ("relay1",),
                 [TopoRouter.RD_OSPF, TopoRouter.RD_OSPF6, TopoRouter.RD_PIM,
                  TopoRouter.RD_AMTD])
    load_routers(tgen, CWD, ("relay2",),
                 [TopoRouter.RD_OSPF, TopoRouter.RD_OSPF6, TopoRouter.RD_BGP,
                  TopoRouter.RD_PIM, TopoRouter.RD_AMTD])
    load_routers(tgen, CWD, ("core",),
                 [TopoRouter.RD_OSPF, TopoRouter.RD_OSPF6, TopoRouter.RD_BGP])
    load_routers(tgen, CWD, ("gw",), [TopoRouter.RD_OSPF, TopoRouter.RD_OSPF6,
                                      TopoRouter.RD_AMTD])
    tgen.start_router()
    src = tgen.gears["src"]
    src.cmd("ip addr add 10.0.1.10/24 dev src-eth0")
    src.cmd("ip route add default via 10.0.1.1")
    # The source's LAN floods multicast to both relays (no snooping).
    s1 = tgen.gears["s1"]
    s1.cmd("ip link set s1 type bridge mcast_snooping 0")
    assert s1.cmd("cat /sys/class/net/s1/bridge/multicast_snooping").strip() == "0"
    start_sender(procs, src, [(SRC, G1), (SRC, G2)], "src-eth0", rate=RATE, duration=900)


def teardown_module(mod):
    stop_procs(procs)
    get_topogen().stop_topology()


# ------------------------------------------------------------------ helpers


def vtysh_json(name, cmd):
    return json.loads(get_topogen().gears[name].vtysh_cmd(cmd))


def core_nexthops(ipv6=False):
    """The core's nexthops for the anycast address (IPv4: addresses; IPv6:
    outgoing interfaces, the addresses being link-local), [] when it has no route"""
    prefix, afi, key = (ANYCAST6_P, "ipv6", "interfaceName") if ipv6 else (ANYCAST_P, "ip", "ip")
    out = vtysh_json("core", "show {} route {} json".format(afi, prefix))
    hops = []
    for route in out.get(prefix, []):
        if route.get("selected"):
            hops += sorted(nh.get(key, "") for nh in route.get("nexthops", [])
                           if nh.get("active"))
    return hops


def core_external_lsas():
    """The advertising routers of the core's external LSAs for the anycast
    address; flushed ones (MaxAge, 3600 s, kept a while) left out"""
    out = get_topogen().gears["core"].vtysh_cmd(
        "show ip ospf database external {}".format(ANYCAST))
    return sorted(adv for age, adv in re.findall(
        r"LS age: (\d+).*?Advertising Router: (\S+)", out, re.S) if int(age) < 3600)


def wait_core_nexthops(expected, count=30, ipv6=False):
    ok, hops = topotest.run_and_expect(lambda: core_nexthops(ipv6), expected, count=count,
                                       wait=1)
    assert ok, (hops, diagnostics("core-nexthops"))


def relay_adv(name):
    return vtysh_json(name, "show amt relay json")["amtr0"]["advertisement"]


def gw_state():
    return vtysh_json("gw", "show amt gateway amtg0 json")["amtg0"]


def relay_tunnels(name):
    out = vtysh_json(name, "show amt relay tunnels json")
    return sorted(t["gateway"] for t in out["amtr0"]["tunnels"])


def relay_conf(name, line):
    get_topogen().gears[name].vtysh_cmd("configure terminal\namt relay amtr0\n{}\n".format(line))


class Streams:
    "a seq_receiver.py per stream on the gateway router, read through their state files"

    def __init__(self, tag, duration=200):
        tgen = get_topogen()
        self.paths = [os.path.join(tgen.logdir, "gw", "{}-{}.json".format(tag, g))
                      for g in (G1, G2)]
        for group, path in zip((G1, G2), self.paths):
            if os.path.exists(path):
                os.unlink(path)
            procs.append(tgen.gears["gw"].popen(
                [PYTHON, SEQ_RECEIVER, "--source", SRC, "--group", group, "--ifaddr",
                 "10.255.0.2", "--duration", str(duration), "--state-file", path]))

    def states(self):
        return [read_state(p) for p in self.paths]

    def distinct(self):
        return [st.get("distinct", 0) for st in self.states()]

    def wait_for(self, minimum, count=60):
        "every stream has minimum distinct numbers (or the test fails)"
        ok, got = topotest.run_and_expect(lambda: min(self.distinct()) >= minimum, True,
                                          count=count, wait=1)
        assert ok, (self.states(), diagnostics("receive"))

    def more(self, extra, count=60):
        "wait for extra more distinct numbers on every stream; the states"
        want = [n + extra for n in self.distinct()]
        ok, _ = topotest.run_and_expect(
            lambda: all(n >= w for n, w in zip(self.distinct(), want)), True,
            count=count, wait=1)
        assert ok, self.states()
        return self.states()

    def assert_no_loss(self, extra):
        "extra more numbers on each stream, none missing since the first one"
        states = self.more(extra)
        assert len(states) == 2, states
        for st in states:
            assert st["distinct"] >= RATE and st["lost"] == 0, st
            assert st["last_seq"] - st["first_seq"] + 1 >= st["distinct"], st


def diagnostics(name):
    tgen = get_topogen()
    out = []
    for rname, cmds in (
        ("core", ["show ip route", "show ip ospf database external", "show ipv6 route",
                  "show ipv6 ospf6 database as-external"]),
        ("gw", ["show amt gateway amtg0 json"]),
        ("relay1", ["show amt relay", "show amt relay tunnels json", "show ip route",
                    "show ipv6 route", "show ip mroute"]),
        ("relay2", ["show amt relay", "show amt relay tunnels json", "show ip route",
                    "show ipv6 route", "show ip mroute"]),
    ):
        for cmd in cmds:
            out.append("{}: {}\n{}".format(rname, cmd, tgen.gears[rname].vtysh_cmd(cmd)))
    for rname in ("relay1", "relay2"):
        out.append("{}: ip route show table local {}\n{}".format(
            rname, ANYCAST, tgen.gears[rname].cmd("ip route show table local " + ANYCAST)))
    path = os.path.join(tgen.logdir, "diagnostics-{}.txt".format(name))
    with open(path, "w") as f:
        f.write("\n".join(out))
    return "see " + path


def move_to(relay, before, count=60):
    "the gateway ends on relay, one more move than before"
    result = expect_json(
        get_topogen().gears["gw"], "show amt gateway amtg0 json",
        {"amtg0": {"state": "up", "relay": relay, "moving": False,
                   "counters": {"moves": before["moves"] + 1}}},
        count=count)
    assert result is None, (result, diagnostics("move-to-" + relay))


# ------------------------------------------------------------------ tests


def test_both_relays_advertise():
    "both relays advertise 192.0.2.100; the core routes it to the nearer, relay1"
    for name in ("relay1", "relay2"):
        result = expect_json(get_topogen().gears[name], "show amt relay json",
                             {"amtr0": {"advertisement": {
                                 "enabled": True, "status": "advertised", "advertised": True,
                                 "reasons": [], "installedRoutes": [ANYCAST_P, ANYCAST6_P],
                                 "healthPrefixes": [{"prefix": "10.0.1.0/24",
                                                     "reachable": True}]}}},
                             count=60)
        assert result is None, (name, result, diagnostics("advertise-" + name))
        # json_cmp takes [] for any list: the lists exactly.
        adv = relay_adv(name)
        assert adv["reasons"] == [] and adv["installedRoutes"] == [ANYCAST_P, ANYCAST6_P], adv
        # zebra has it as a route of type amt through the pseudo-interface,
        # the kernel delivers it locally.
        out = vtysh_json(name, "show ip route {} json".format(ANYCAST_P))
        amt = [r for r in out.get(ANYCAST_P, []) if r["protocol"] == "amt"]
        assert len(amt) == 1 and amt[0].get("selected"), out
        assert [nh.get("interfaceName") for nh in amt[0]["nexthops"]] == ["amtr0"], amt
        local = get_topogen().gears[name].cmd("ip route show table local " + ANYCAST)
        assert "local " + ANYCAST in local, local
    # Two external LSAs for the address in the core's database.
    ok, advrouters = topotest.run_and_expect(core_external_lsas, [RELAY1, RELAY2], count=30,
                                             wait=1)
    assert ok, (advrouters, diagnostics("external-lsas"))
    wait_core_nexthops([VIA1])


def test_gateway_discovers_nearer_relay():
    "the gateway's Relay Discovery to the anycast address reaches relay1; streams arrive"
    gw = get_topogen().gears["gw"]
    result = expect_json(gw, "show amt gateway amtg0 json",
                         {"amtg0": {"state": "up", "relay": RELAY1,
                                    "relaySelection": "discovery"}}, count=60)
    assert result is None, (result, diagnostics("discover"))
    streams = Streams("first", duration=60)
    streams.wait_for(RATE)
    streams.assert_no_loss(RATE)
    ok, tunnels = topotest.run_and_expect(lambda: relay_tunnels("relay1"), [GW_ADDR],
                                          count=10, wait=1)
    assert ok, tunnels
    assert relay_tunnels("relay2") == [], relay_tunnels("relay2")
    assert vtysh_json("relay1", "show amt relay statistics json")["amtr0"]["received"][
        "discovery"] >= 1


def test_drain_withdraws_and_moves_without_loss():
    "relay1 is drained: the core loses its route to relay1, the gateway moves to relay2"
    streams = Streams("drain", duration=150)
    streams.wait_for(RATE)
    before = gw_state()["counters"]

    relay_conf("relay1", "shutdown")
    # Withdrawn at once, with the reason.
    result = expect_json(get_topogen().gears["relay1"], "show amt relay json",
                         {"amtr0": {"draining": True, "advertisement": {
                             "advertised": False, "reasons": ["draining"],
                             "installedRoutes": []}}}, count=10)
    assert result is None, result
    adv = relay_adv("relay1")
    assert adv["reasons"] == ["draining"] and adv["installedRoutes"] == [], adv
    local = get_topogen().gears["relay1"].cmd("ip route show table local " + ANYCAST)
    assert "local" not in local, local
    wait_core_nexthops([VIA2])
    # relay1's next Query (query interval 10 s) carries L: the gateway moves.
    move_to(RELAY2, before)
    ok, tunnels = topotest.run_and_expect(lambda: relay_tunnels("relay1"), [], count=15, wait=1)
    assert ok, (tunnels, diagnostics("drain-left"))
    assert relay_tunnels("relay2") == [GW_ADDR], relay_tunnels("relay2")
    streams.assert_no_loss(2 * RATE)
    # YANG operational state says the same.
    oper = vtysh_json("relay1", "show yang operational-data "
                      "/frr-amtd:amtd/relay[name='amtr0']/advertisement amtd")
    adv = oper["frr-amtd:amtd"]["relay"][0]["advertisement"]
    assert adv["advertised"] is False and adv["reasons"] == "draining", adv
    assert int(adv["withdrawals"]) >= 1, adv


def test_undrain_after_hold_down_gateway_stays():
    "relay1 back in service: advertised after the hold-down; the gateway stays on relay2"
    relay_conf("relay1", "no shutdown")
    adv = relay_adv("relay1")
    assert adv["reasons"] == ["hold-down"] and adv["advertised"] is False, adv
    # Still only relay2 while held down.
    assert core_nexthops() == [VIA2], core_nexthops()
    wait_core_nexthops([VIA1], count=HOLD_DOWN + 20)
    adv = relay_adv("relay1")
    assert adv["advertised"] is True and adv["reasons"] == [], adv
    assert adv["withdrawals"] >= 1 and adv["advertisements"] >= 2, adv
    # The established gateway stays where it is, and keeps receiving.
    Streams("stay", duration=60).wait_for(RATE)
    st = gw_state()
    assert st["relay"] == RELAY2 and not st["moving"], st
    assert relay_tunnels("relay2") == [GW_ADDR], relay_tunnels("relay2")
    assert relay_tunnels("relay1") == [], relay_tunnels("relay1")


def gw_conf(lines):
    get_topogen().gears["gw"].vtysh_cmd("configure terminal\namt gateway amtg0\n{}\n".format(lines))


def test_upstream_loss_withdraws_by_itself():
    "relay1 loses its PIM link to the sources: it withdraws, says why, the gateway moves"
    tgen = get_topogen()
    gw = tgen.gears["gw"]
    # Bring the gateway back to relay1 (the nearer one) by discovering again.
    gw_conf("no discovery-address 192.0.2.100")
    gw_conf("discovery-address 192.0.2.100")
    result = expect_json(gw, "show amt gateway amtg0 json",
                         {"amtg0": {"state": "up", "relay": RELAY1, "moving": False}}, count=60)
    assert result is None, (result, diagnostics("back-to-relay1"))
    streams = Streams("upstream", duration=150)
    streams.wait_for(RATE)
    before = gw_state()["counters"]

    tgen.gears["relay1"].cmd("ip link set relay1-eth0 down")
    result = expect_json(tgen.gears["relay1"], "show amt relay json",
                         {"amtr0": {"draining": False, "advertisement": {
                             "status": "withdrawn, draining", "advertised": False,
                             "drainingForHealth": True, "reasons": ["no-upstream"],
                             "installedRoutes": [],
                             "healthPrefixes": [{"prefix": "10.0.1.0/24",
                                                 "reachable": False, "nexthops": 0}]}}},
                         count=20)
    assert result is None, (result, diagnostics("upstream-withdraw"))
    adv = relay_adv("relay1")
    assert adv["reasons"] == ["no-upstream"] and adv["installedRoutes"] == [], adv
    assert "local" not in tgen.gears["relay1"].cmd("ip route show table local " + ANYCAST)
    text = tgen.gears["relay1"].vtysh_cmd("show amt relay")
    assert re.search(r"Health\s+no-upstream", text), text
    assert re.search(r"Health prefixes\s+10\.0\.1\.0/24 \(unreachable\)", text), text
    wait_core_nexthops([VIA2])
    # L in relay1's next Query: the gateway moves and receives through relay2.
    move_to(RELAY2, before)
    states = streams.more(2 * RATE)
    assert all(st["distinct"] >= 2 * RATE for st in states), states
    ok, tunnels = topotest.run_and_expect(lambda: relay_tunnels("relay1"), [], count=30, wait=1)
    assert ok, (tunnels, diagnostics("upstream-left"))
    assert relay_tunnels("relay2") == [GW_ADDR], relay_tunnels("relay2")


def new_gateway(tag, duration):
    """A scripted gateway on gw discovers through the anycast address and
    receives RATE datagrams of (SRC, G1) (or the test fails); its state"""
    tgen = get_topogen()
    state = os.path.join(tgen.logdir, "gw", tag + ".json")
    if os.path.exists(state):
        os.unlink(state)
    procs.append(tgen.gears["gw"].popen(
        [PYTHON, TEST_GATEWAY, "--discovery", ANYCAST, "--join", "{},{}".format(SRC, G1),
         "--duration", str(duration), "--state-file", state]))
    ok, _ = topotest.run_and_expect(
        lambda: read_state(state).get("received", {}).get("data", 0) >= RATE, True,
        count=40, wait=1)
    st = read_state(state)
    assert ok, (st, diagnostics(tag))
    return st


def test_recovered_relay_serves_new_gateways_only():
    "relay1's upstream is back: after the hold-down it advertises; a new gateway reaches it"
    tgen = get_topogen()
    tgen.gears["relay1"].cmd("ip link set relay1-eth0 up")
    # Healthy first, held down, then advertised.
    ok, adv = topotest.run_and_expect(lambda: relay_adv("relay1")["reasons"], ["hold-down"],
                                      count=20, wait=0.5)
    assert ok, (adv, diagnostics("recover-hold"))
    assert core_nexthops() == [VIA2], core_nexthops()
    wait_core_nexthops([VIA1], count=HOLD_DOWN + 20)
    adv = relay_adv("relay1")
    assert adv["advertised"] is True and not adv["drainingForHealth"], adv

    # A new gateway discovers relay1 and receives through it.
    st = new_gateway("new-gateway", 30)
    assert st["advertised_relay"] == RELAY1, st
    assert GW_ADDR in relay_tunnels("relay1"), relay_tunnels("relay1")
    # The established gateway stays on relay2.
    st = gw_state()
    assert st["relay"] == RELAY2 and not st["moving"], st
    assert relay_tunnels("relay2") == [GW_ADDR], relay_tunnels("relay2")


def equal_costs():
    "both relays at cost 10 from the core (in both directions)"
    for name, ifname in (("core", "core-eth1"), ("relay2", "relay2-eth1")):
        get_topogen().gears[name].vtysh_cmd(
            "configure terminal\ninterface {}\nip ospf cost 10\n".format(ifname))


def test_equal_cost_spread():
    "equal-cost paths: the core keeps both relays; 20 gateways from 20 addresses use both"
    tgen = get_topogen()
    equal_costs()
    wait_core_nexthops([VIA1, VIA2])
    gw = tgen.gears["gw"]
    count = 20
    states = []
    for i in range(count):
        addr = "10.0.13.{}".format(101 + i)
        gw.cmd("ip addr add {}/24 dev gw-eth0".format(addr))
        state = os.path.join(tgen.logdir, "gw", "spread-{}.json".format(i))
        if os.path.exists(state):
            os.unlink(state)
        procs.append(gw.popen(
            [PYTHON, TEST_GATEWAY, "--discovery", ANYCAST, "--local", addr,
             "--join", "{},{}".format(SRC, G2), "--duration", "40", "--state-file", state]))
        states.append(state)
    ok, _ = topotest.run_and_expect(
        lambda: all(read_state(p).get("received", {}).get("data", 0) >= 10 for p in states),
        True, count=40, wait=1)
    assert ok, ([read_state(p) for p in states], diagnostics("spread"))
    relays = [read_state(p)["advertised_relay"] for p in states]
    on1, on2 = relays.count(RELAY1), relays.count(RELAY2)
    assert on1 + on2 == count, relays
    # A hash over 20 source addresses that sends all of them one way: about
    # one chance in 500,000.
    assert on1 > 0 and on2 > 0, relays
    # Each relay's tunnel count shows its share.
    for name, n in (("relay1", on1), ("relay2", on2)):
        spread = [a for a in relay_tunnels(name) if a.startswith("10.0.13.1") and a != GW_ADDR]
        assert len(spread) == n, (name, spread, relays)


# The gateway emulator (tools/bench/amt_gw_emu.c): EMU_COUNT gateways, one
# per address of EMU_PREFIX, which the gateway router originates into OSPF.
EMU_PREFIX = "198.51.100.0/24"
EMU_COUNT = 200
EMU_RUN_S = 8


def relay_emu_tunnels(name, port):
    "relay name's tunnels from the emulator's gateways at port"
    out = vtysh_json(name, "show amt relay tunnels json")
    return [t for t in out["amtr0"]["tunnels"]
            if t["gateway"].startswith("198.51.100.") and t["gatewayPort"] == port]


def start_emulator(tag, port, duration, extra=()):
    """amt_gw_emu on gw: EMU_COUNT gateways at port, discovering through the
    anycast address, joining (SRC, G2); (process, output path)"""
    tgen = get_topogen()
    emu = build_gw_emu()
    out = os.path.join(tgen.logdir, "gw", tag + ".kv")
    with open(out, "w") as f, open(out + ".err", "w") as ferr:
        proc = tgen.gears["gw"].popen(
            [emu, "--ifname", "gw-eth0", "--discovery", ANYCAST, "--prefix", EMU_PREFIX,
             "--ports-per-addr", "1", "--port-base", str(port), "--tunnels", str(EMU_COUNT),
             "--source", SRC, "--group", G2, "--duration", str(duration), "--warmup-ms", "500",
             "--measure-ms", "2000"] + list(extra), stdout=f, stderr=ferr)
    procs.append(proc)
    return proc, out


def emulator_result(proc, out, timeout):
    "wait (bounded) for the emulator to end; its key=value report"
    try:
        proc.wait(timeout=timeout)
    except Exception:  # pylint: disable=broad-except
        proc.kill()
        proc.wait()
        assert False, ("emulator did not end", open(out + ".err").read())
    kv = parse_kv(out)
    assert proc.returncode == 0 and kv, (proc.returncode, kv, open(out + ".err").read())
    assert int(kv["tunnels"]) == EMU_COUNT and int(kv["up"]) == EMU_COUNT, kv
    assert int(kv["undiscovered"]) == 0 and int(kv["failed"]) == 0, kv
    assert int(kv["bad_advertisements"]) == 0 and int(kv["silent_tunnels"]) == 0, kv
    return kv


def test_equal_cost_spread_200_emulated():
    "200 emulated gateways discover through the anycast address: both relays get a share"
    tgen = get_topogen()
    gw = tgen.gears["gw"]
    equal_costs()
    wait_core_nexthops([VIA1, VIA2])
    # The gateways' prefix: routed to gw by OSPF, dropped there without ICMP
    # (the emulator captures its datagrams before the kernel drops them).
    gw.vtysh_cmd("configure terminal\nip route {} blackhole\nrouter ospf\n"
                 "redistribute static\n".format(EMU_PREFIX))
    ok, _ = topotest.run_and_expect(
        lambda: EMU_PREFIX in vtysh_json("relay2", "show ip route {} json".format(EMU_PREFIX))
        and EMU_PREFIX in vtysh_json("relay1", "show ip route {} json".format(EMU_PREFIX)),
        True, count=30, wait=1)
    assert ok, diagnostics("emu-prefix")
    port = 10000
    proc, out = start_emulator("emu", port, EMU_RUN_S, ["--idle-exit-ms", "3000"])
    # While the emulator runs (EMU_RUN_S after all are up): the relays'
    # tunnel counts.  Bounded: the handshakes take well under 30 s.
    counts = {}
    for _ in range(60):
        counts = {name: len(relay_emu_tunnels(name, port)) for name in ("relay1", "relay2")}
        if sum(counts.values()) >= EMU_COUNT or proc.poll() is not None:
            break
        time.sleep(0.5)
    totals = {name: vtysh_json(name, "show amt relay json")["amtr0"]["tunnelCount"]
              for name in ("relay1", "relay2")}
    kv = emulator_result(proc, out, EMU_RUN_S + 60)
    # Every gateway discovered, got its relay's Query and sent its Update.
    assert int(kv["advertisements"]) >= EMU_COUNT, kv
    assert int(kv["relays"]) == 2, kv
    share = {RELAY1: int(kv["relay_{}_tunnels".format(RELAY1)]),
             RELAY2: int(kv["relay_{}_tunnels".format(RELAY2)])}
    assert sum(share.values()) == EMU_COUNT, kv
    # All of them received data from their relay, on both relays.
    for relay in (RELAY1, RELAY2):
        assert int(kv["relay_{}_data".format(relay)]) == share[relay], kv
    # ECMP over 200 source addresses: each relay holds a real share.
    for relay in (RELAY1, RELAY2):
        assert 0.2 * EMU_COUNT <= share[relay] <= 0.8 * EMU_COUNT, share
    # The relays' own tunnel lists and counts say the same.
    assert counts == {"relay1": share[RELAY1], "relay2": share[RELAY2]}, (counts, share)
    for name, relay in (("relay1", RELAY1), ("relay2", RELAY2)):
        assert totals[name] >= share[relay], (totals, share)


def test_spread_200_drain_moves_all():
    "200 emulated gateways over both relays; relay1 drained: all of them move to relay2"
    tgen = get_topogen()
    equal_costs()
    wait_core_nexthops([VIA1, VIA2])
    assert EMU_PREFIX in vtysh_json("relay1", "show ip route {} json".format(EMU_PREFIX))
    # Other endpoints than the first run's, whose tunnels may linger.
    port = 20000
    ready = os.path.join(tgen.logdir, "gw", "emu-drain.ready")
    if os.path.exists(ready):
        os.unlink(ready)
    proc, out = start_emulator("emu-drain", port, 30,
                               ["--idle-exit-ms", "5000", "--ready-file", ready])
    ok, _ = topotest.run_and_expect(lambda: os.path.exists(ready), True, count=30, wait=1)
    assert ok, open(out + ".err").read()
    ok, counts = topotest.run_and_expect(
        lambda: sum(len(relay_emu_tunnels(n, port)) for n in ("relay1", "relay2")), EMU_COUNT,
        count=20, wait=0.5)
    assert ok, (counts, diagnostics("emu-drain-up"))
    on1 = len(relay_emu_tunnels("relay1", port))
    assert 0 < on1 < EMU_COUNT, on1

    relay_conf("relay1", "shutdown")
    wait_core_nexthops([VIA2])
    kv = emulator_result(proc, out, 60)
    # relay1's gateways learnt L at their refresh and discovered relay2;
    # every gateway ends on relay2 and receives data from it.
    assert int(kv["moves"]) >= on1, (on1, kv)
    assert int(kv["relays"]) == 1, kv
    assert int(kv["relay_{}_tunnels".format(RELAY2)]) == EMU_COUNT, kv
    assert int(kv["relay_{}_data".format(RELAY2)]) == EMU_COUNT, kv
    assert len(relay_emu_tunnels("relay2", port)) == EMU_COUNT, diagnostics("emu-drain-end")

    relay_conf("relay1", "no shutdown")
    wait_core_nexthops([VIA1, VIA2], count=HOLD_DOWN + 20)


def test_ipv6_discovery_drain():
    "the IPv6 anycast address over OSPFv3: an IPv6 gateway discovers relay1, moves on drain"
    tgen = get_topogen()
    gw = tgen.gears["gw"]
    # Both relays install the IPv6 address: a route of type amt in zebra,
    # the local route in the kernel; the core has relay1's (the nearer).
    for name in ("relay1", "relay2"):
        ok, out = topotest.run_and_expect(
            lambda n=name: [r.get("selected") for r in vtysh_json(
                n, "show ipv6 route {} json".format(ANYCAST6_P)).get(ANYCAST6_P, [])
                            if r["protocol"] == "amt"], [True], count=20, wait=1)
        assert ok, (name, out, diagnostics("v6-amt-route-" + name))
        local = tgen.gears[name].cmd("ip -6 route show table local " + ANYCAST6)
        assert "local " + ANYCAST6 in local, (name, local)
    wait_core_nexthops(["core-eth0"], ipv6=True)

    # The gateway discovers through the IPv6 anycast address.
    gw_conf("no discovery-address " + ANYCAST)
    gw_conf("discovery-address " + ANYCAST6)
    result = expect_json(gw, "show amt gateway amtg0 json",
                         {"amtg0": {"state": "up", "relay": RELAY1_6, "moving": False,
                                    "relaySelection": "discovery"}}, count=60)
    assert result is None, (result, diagnostics("v6-discover"))
    # The receivers' joins make the tunnel (a relay lists a tunnel once it
    # has a membership).
    streams = Streams("v6drain", duration=150)
    streams.wait_for(RATE)
    ok, _ = topotest.run_and_expect(lambda: GW6_ADDR in relay_tunnels("relay1"), True,
                                    count=20, wait=1)
    assert ok, (relay_tunnels("relay1"), diagnostics("v6-tunnel"))
    assert GW6_ADDR not in relay_tunnels("relay2"), relay_tunnels("relay2")
    before = gw_state()["counters"]

    # Drain relay1: both families are withdrawn; the core keeps relay2's.
    relay_conf("relay1", "shutdown")
    result = expect_json(tgen.gears["relay1"], "show amt relay json",
                         {"amtr0": {"draining": True, "advertisement": {
                             "advertised": False, "reasons": ["draining"]}}}, count=10)
    assert result is None, result
    adv = relay_adv("relay1")
    assert adv["installedRoutes"] == [], adv
    local = tgen.gears["relay1"].cmd("ip -6 route show table local " + ANYCAST6)
    assert "local" not in local, local
    wait_core_nexthops(["core-eth1"], ipv6=True)
    move_to(RELAY2_6, before)
    ok, _ = topotest.run_and_expect(lambda: GW6_ADDR in relay_tunnels("relay2"), True,
                                    count=15, wait=1)
    assert ok, (relay_tunnels("relay2"), diagnostics("v6-moved"))
    ok, _ = topotest.run_and_expect(lambda: GW6_ADDR not in relay_tunnels("relay1"), True,
                                    count=15, wait=1)
    assert ok, (relay_tunnels("relay1"), diagnostics("v6-left"))
    streams.assert_no_loss(2 * RATE)

    # Back in service: IPv6 advertised again after the hold-down.
    relay_conf("relay1", "no shutdown")
    wait_core_nexthops(["core-eth0"], count=HOLD_DOWN + 20, ipv6=True)
    adv = relay_adv("relay1")
    assert adv["installedRoutes"] == [ANYCAST_P, ANYCAST6_P], adv
    st = gw_state()
    assert st["relay"] == RELAY2_6 and not st["moving"], st


def core_bgp_peers():
    "The peers of the core's BGP paths for the anycast address, [] when there is none"
    out = vtysh_json("core", "show bgp ipv4 unicast {} json".format(ANYCAST_P))
    return sorted(p.get("peer", {}).get("peerId", "") for p in out.get("paths", []))


def test_bgp_advertisement():
    "relay2 advertises through BGP alone: a new gateway reaches it; its drain withdraws it"
    tgen = get_topogen()
    ok, peers = topotest.run_and_expect(core_bgp_peers, [VIA2], count=30, wait=1)
    assert ok, (peers, diagnostics("bgp-learned"))
    # relay2's address out of OSPF, relay1 drained: BGP is the only way.
    tgen.gears["relay2"].vtysh_cmd(
        "configure terminal\nrouter ospf\nno redistribute amt route-map AMT-ANYCAST\n")
    relay_conf("relay1", "shutdown")
    ok, lsas = topotest.run_and_expect(core_external_lsas, [], count=30, wait=1)
    assert ok, (lsas, diagnostics("bgp-no-lsas"))
    wait_core_nexthops([VIA2])
    out = vtysh_json("core", "show ip route {} json".format(ANYCAST_P))
    selected = [r["protocol"] for r in out.get(ANYCAST_P, []) if r.get("selected")]
    assert selected == ["bgp"], out

    # A new gateway discovers relay2 through the BGP route and receives.
    # The core does not pass BGP routes on into OSPF: gw routes the
    # anycast address to the core statically, as an edge with a default would.
    tgen.gears["gw"].vtysh_cmd("configure terminal\nip route {} 10.0.13.2\n".format(ANYCAST_P))
    st = new_gateway("bgp-gateway", 20)
    assert st["advertised_relay"] == RELAY2, st

    # relay2 drained: the core's BGP peer withdraws it; no route is left.
    relay_conf("relay2", "shutdown")
    adv = relay_adv("relay2")
    assert adv["installedRoutes"] == [] and adv["reasons"] == ["draining"], adv
    ok, peers = topotest.run_and_expect(core_bgp_peers, [], count=20, wait=1)
    assert ok, (peers, diagnostics("bgp-withdrawn"))
    wait_core_nexthops([])

    # Both back in service: after the hold-down relay2 is in BGP again.
    tgen.gears["gw"].vtysh_cmd(
        "configure terminal\nno ip route {} 10.0.13.2\n".format(ANYCAST_P))
    relay_conf("relay2", "no shutdown")
    relay_conf("relay1", "no shutdown")
    tgen.gears["relay2"].vtysh_cmd(
        "configure terminal\nrouter ospf\nredistribute amt route-map AMT-ANYCAST\n")
    ok, peers = topotest.run_and_expect(core_bgp_peers, [VIA2], count=HOLD_DOWN + 20, wait=1)
    assert ok, (peers, diagnostics("bgp-again"))


if __name__ == "__main__":
    args = ["-s"] + sys.argv[1:]
    sys.exit(pytest.main(args))
