#!/usr/bin/env python
# SPDX-License-Identifier: ISC
#
# test_amt_relay.py: amtd's AMT relay (RFC 7450) against scripted gateways.
#

"""
Topology (documentation and test addresses only):

        s1               s2                   s3 (unicast only, no PIM)
  src ------ r1 ----------------- relay ---------+------ gw1  192.0.2.11
                                                 |              2001:db8:2::11
                                                 +------ gw2  192.0.2.12
                                                 |              2001:db8:2::12
                                                 +------ nat ---- s4 ---+--- gw3
                                                                        +--- gw4

  src    10.0.1.10, 10.0.1.11, fd00:1::10 (src-eth0)
  r1     10.0.1.1, fd00:1::1 | 10.0.2.1, fd00:2::1; PIM, RP for 239.0.0.0/8
  relay  10.0.2.2, fd00:2::2 (PIM) | 192.0.2.1, 2001:db8:2::1 (AMT local
         addresses); 192.0.2.100 on lo (AMT discovery address); amtr0
  nat    192.0.2.20 outside | 198.51.100.1 inside, MASQUERADE
  gw3/4  198.51.100.3, 198.51.100.4

src sends numbered datagrams (mcast_sender.py) to SSM and ASM groups; r1
and relay run zebra, mgmtd, pimd and pim6d; relay also runs amtd with a
relay instance on the pseudo-interface amtr0 (PIM passive with IGMPv3
and MLDv2 on it: pimd makes forwarding state from membership only on
PIM-enabled interfaces) and the gRPC northbound module.  The gateways are hosts without FRR
running amt_test_gateway.py, which records what it sees in a JSON state
file that the tests poll.
"""

import ipaddress
import json
import os
import re
import signal
import subprocess
import sys
import time
from functools import partial

import pytest

CWD = os.path.dirname(os.path.realpath(__file__))
sys.path.append(os.path.join(CWD, "../"))

# pylint: disable=C0413
from lib import topotest
from lib.topogen import Topogen, TopoRouter, get_topogen
from lib.topolog import logger
from amt_helpers import build_gw_emu, node_lines, start_logged_process

pytestmark = [pytest.mark.amtd, pytest.mark.pimd]

PYTHON = "/usr/bin/python3"
GATEWAY = os.path.join(CWD, "amt_test_gateway.py")
SENDER = os.path.join(CWD, "mcast_sender.py")
GRPC_CLIENT = os.path.join(CWD, "amt_grpc_client.py")
GRPC_PORT = 50051

RELAY4 = "192.0.2.1"
RELAY6 = "2001:db8:2::1"
DISCOVERY4 = "192.0.2.100"
NAT_OUTSIDE = "192.0.2.20"
HOST_ADDR = {
    "gw1": ("192.0.2.11", "2001:db8:2::11"),
    "gw2": ("192.0.2.12", "2001:db8:2::12"),
    "gw3": ("198.51.100.3", None),
    "gw4": ("198.51.100.4", None),
}

S1, S2 = "10.0.1.10", "10.0.1.11"
S6 = "fd00:1::10"
SSM_G1, SSM_G2 = "232.1.1.1", "232.1.1.2"
# Sent only in bursts, by test_bursts_sent_as_udp_gso's own sender.
SSM_BURST = "232.1.1.9"
ASM_G1, ASM_G2 = "239.1.1.1", "239.1.1.2"
SSM6_G1, SSM6_G2 = "ff3e::1:1", "ff3e::1:2"
# Every flow src sends, 20 packets/s each, for the whole module.
FLOWS = [
    (S1, SSM_G1),
    (S1, SSM_G2),
    (S2, SSM_G1),
    (S1, ASM_G1),
    (S1, ASM_G2),
    (S6, SSM6_G1),
    (S6, SSM6_G2),
]
SENDER_DURATION = 1500

# Background processes started by this module (gateways and the sender).
PROCS = []
SENDER_PROC = [None]


def flow(s, g):
    return "{},{}".format(s, g)


# ---------------------------------------------------------------------------
# Topology
# ---------------------------------------------------------------------------


def build_topo(tgen):
    tgen.add_router("r1")
    tgen.add_router("relay")
    tgen.add_host("src", "10.0.1.10/24", "via 10.0.1.1")
    tgen.add_host("gw1", "192.0.2.11/24", "via 192.0.2.1")
    tgen.add_host("gw2", "192.0.2.12/24", "via 192.0.2.1")
    tgen.add_host("nat", "192.0.2.20/24", "via 192.0.2.1")
    tgen.add_host("gw3", "198.51.100.3/24", "via 198.51.100.1")
    tgen.add_host("gw4", "198.51.100.4/24", "via 198.51.100.1")

    sw = tgen.add_switch("s1")
    sw.add_link(tgen.gears["src"])  # src-eth0
    sw.add_link(tgen.gears["r1"])  # r1-eth0

    sw = tgen.add_switch("s2")
    sw.add_link(tgen.gears["r1"])  # r1-eth1
    sw.add_link(tgen.gears["relay"])  # relay-eth0

    sw = tgen.add_switch("s3")
    sw.add_link(tgen.gears["relay"])  # relay-eth1
    sw.add_link(tgen.gears["gw1"])  # gw1-eth0
    sw.add_link(tgen.gears["gw2"])  # gw2-eth0
    sw.add_link(tgen.gears["nat"])  # nat-eth0

    sw = tgen.add_switch("s4")
    sw.add_link(tgen.gears["nat"])  # nat-eth1
    sw.add_link(tgen.gears["gw3"])  # gw3-eth0
    sw.add_link(tgen.gears["gw4"])  # gw4-eth0


def no_dad(node):
    "Addresses usable at once: no IPv6 duplicate address detection."
    node.cmd(
        "for f in /proc/sys/net/ipv6/conf/*/accept_dad; do echo 0 > $f; done; "
        "for f in /proc/sys/net/ipv6/conf/*/dad_transmits; do echo 0 > $f; done"
    )


def setup_module(mod):
    tgen = Topogen(build_topo, mod.__name__)
    tgen.start_topology()

    for name in ("r1", "relay", "src", "gw1", "gw2", "nat", "gw3", "gw4"):
        no_dad(tgen.gears[name])

    src = tgen.gears["src"]
    src.cmd_raises("ip addr add 10.0.1.11/24 dev src-eth0")
    src.cmd_raises("ip -6 addr add fd00:1::10/64 dev src-eth0 nodad")
    src.cmd_raises("ip -6 route add default via fd00:1::1")

    for name in ("gw1", "gw2"):
        gw = tgen.gears[name]
        gw.cmd_raises(
            "ip -6 addr add {}/64 dev {}-eth0 nodad".format(HOST_ADDR[name][1], name)
        )
        gw.cmd_raises("ip -6 route add default via {}".format(RELAY6))

    nat = tgen.gears["nat"]
    nat.cmd_raises("ip addr add 198.51.100.1/24 dev nat-eth1")
    nat.cmd_raises("sysctl -w net.ipv4.ip_forward=1")
    nat.cmd_raises("iptables -t nat -A POSTROUTING -o nat-eth0 -j MASQUERADE")

    for rname in ("r1", "relay"):
        router = tgen.gears[rname]
        daemons = [
            (TopoRouter.RD_ZEBRA, None),
            (TopoRouter.RD_MGMTD, None),
            (TopoRouter.RD_STATIC, None),
            (TopoRouter.RD_PIM, None),
            (TopoRouter.RD_PIM6, None),
        ]
        if rname == "relay":
            daemons.append((TopoRouter.RD_AMTD, "-M grpc:{}".format(GRPC_PORT)))
        router.load_frr_config(os.path.join(CWD, rname, "frr.conf"), daemons)
    tgen.start_router()

    # The multicast source runs for the whole module (bounded by its own
    # --duration; stopped in teardown_module).
    args = ["--ifname", "src-eth0", "--rate", "20", "--duration", str(SENDER_DURATION)]
    for s, g in FLOWS:
        args += ["--flow", flow(s, g)]
    SENDER_PROC[0] = start_process("src", "sender", [PYTHON, SENDER] + args)


def teardown_module(mod):
    for proc in PROCS:
        if proc.poll() is None:
            proc.terminate()
    for proc in PROCS:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
    get_topogen().stop_topology()


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def start_process(host, tag, cmd):
    return start_logged_process(PROCS, host, tag, cmd)


DIAG_COMMANDS = {
    "relay": [
        "show amt relay json",
        "show amt relay amtr0 statistics json",
        "show amt relay amtr0 tunnels detail json",
        "show interface amtr0",
        "show ip igmp interface",
        "show ip igmp groups",
        "show ip igmp sources",
        "show ip pim interface",
        "show ip pim neighbor",
        "show ip pim join",
        "show ip pim upstream",
        "show ip mroute",
        "show ip multicast count",
        "show ip route",
        "show ipv6 mld interface",
        "show ipv6 mld joins",
        "show ipv6 pim neighbor",
        "show ipv6 pim join",
        "show ipv6 mroute",
        "show ipv6 multicast count",
        "show ipv6 route",
    ],
    "r1": [
        "show ip pim neighbor",
        "show ip pim join",
        "show ip pim upstream",
        "show ip mroute",
        "show ipv6 pim join",
        "show ipv6 mroute",
    ],
}
DIAG_SHELL = {
    "relay": [
        "ip -d addr show amtr0",
        "ip mroute show",
        "ip -6 mroute show",
        "ip -s link show amtr0",
    ],
    "r1": ["ip mroute show", "ip -6 mroute show", "ip -s link"],
}


def dump_diagnostics(why):
    "Log the routers' multicast and AMT state, to explain a failure."
    tgen = get_topogen()
    logger.info("==== diagnostics: %s", why)
    for rname, cmds in DIAG_COMMANDS.items():
        router = tgen.gears[rname]
        for cmd in cmds:
            logger.info("---- %s: %s\n%s", rname, cmd, router.vtysh_cmd(cmd))
        for cmd in DIAG_SHELL[rname]:
            logger.info("---- %s: %s\n%s", rname, cmd, router.cmd(cmd))
    logger.info("==== end of diagnostics")


class Gateway:
    "One run of amt_test_gateway.py on a host, polled through its state file."

    def __init__(self, host, tag, args):
        tgen = get_topogen()
        self.host = host
        self.tag = tag
        self.state_file = os.path.join(tgen.logdir, host, "amtgw-{}.json".format(tag))
        os.makedirs(os.path.dirname(self.state_file), exist_ok=True)
        if os.path.exists(self.state_file):
            os.unlink(self.state_file)
        self.duration = float(args[args.index("--duration") + 1])
        cmd = [PYTHON, GATEWAY, "-v", "--state-file", self.state_file] + args
        self.proc = start_process(host, "amtgw-" + tag, cmd)

    def state(self):
        try:
            with open(self.state_file) as f:
                return json.load(f)
        except (OSError, ValueError):
            return {}

    def packets(self, key):
        return self.state().get("flows", {}).get(key, {}).get("packets", 0)

    def wait(self, pred, what, count=30, wait=1):
        "Wait until pred(state) holds; fail with the state otherwise."
        ok, _ = topotest.run_and_expect(
            lambda: bool(pred(self.state())), True, count=count, wait=wait
        )
        if not ok:
            dump_diagnostics("{} ({}): {}".format(self.host, self.tag, what))
        assert ok, "{} ({}): {} never happened; state: {}".format(
            self.host, self.tag, what, json.dumps(self.state(), sort_keys=True)
        )
        return self.state()

    def wait_packets(self, key, n=20, count=40):
        return self.wait(
            lambda st: st.get("flows", {}).get(key, {}).get("packets", 0) >= n,
            "{} packets of {}".format(n, key),
            count=count,
        )

    def wait_handshake(self, count=20):
        return self.wait(lambda st: st.get("handshakes", 0) >= 1, "a Query", count)

    def finish(self):
        "Wait for the run to end by itself (it is bounded by --duration)."
        try:
            self.proc.wait(timeout=self.duration + 15)
        except subprocess.TimeoutExpired:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            assert False, "{}: gateway did not exit by itself".format(self.host)
        return self.state()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)

    def end(self):
        "End the run now (SIGTERM): it writes its final state and exits."
        self.stop()
        st = self.state()
        assert st.get("finished") and st.get("exit_code") == 0, "{}: {}".format(
            self.host, st
        )
        return st

    def signal(self, sig, what):
        "SIGUSR1: leave now; SIGUSR2: Teardown now."
        pid = self.state().get("pid")
        assert pid and self.proc.poll() is None, "{}: not running".format(self.host)
        os.kill(pid, sig)
        key = "leave_sent_at" if sig == signal.SIGUSR1 else "teardown_sent_at"
        return self.wait(lambda s: s.get(key) is not None, what, count=10)

    def leave_now(self):
        return self.signal(signal.SIGUSR1, "the leave")

    def teardown_now(self):
        return self.signal(signal.SIGUSR2, "the Teardown")


def relay_router():
    return get_topogen().gears["relay"]


def relay_json(cmd):
    out = relay_router().vtysh_cmd(cmd)
    try:
        return json.loads(out)
    except ValueError:
        assert False, "'{}' did not return JSON: {}".format(cmd, out)


def relay_conf(*lines):
    out = relay_router().vtysh_cmd(
        "configure terminal\namt relay amtr0\n" + "\n".join(lines) + "\nexit\n"
    )
    assert "%" not in out, "relay configuration {} refused: {}".format(lines, out)


def relay_stats():
    return relay_json("show amt relay amtr0 statistics json").get("amtr0", {})


def relay_tunnels(detail=True):
    cmd = "show amt relay amtr0 tunnels {}json".format("detail " if detail else "")
    return relay_json(cmd).get("amtr0", {}).get("tunnels", [])


def find_tunnel(gateway, port=None):
    for t in relay_tunnels():
        if t.get("gateway") == gateway and (port is None or t.get("gatewayPort") == port):
            return t
    return None


def expect_json(router, cmd, expected, count=30, wait=1):
    test_func = partial(topotest.router_json_cmp, router, cmd, expected)
    _, result = topotest.run_and_expect(test_func, None, count=count, wait=wait)
    return result


def wait_until(func, what, count=30, wait=1):
    "Wait until func() holds; what (a string or a function giving one) explains."
    ok, _ = topotest.run_and_expect(lambda: bool(func()), True, count=count, wait=wait)
    if not ok:
        what = what() if callable(what) else what
        dump_diagnostics(what)
    assert ok, what


def fresh_relay():
    """
    Each scenario starts from no tunnels and zeroed statistics (gateways of
    earlier scenarios have ended by then).
    """
    for proc in PROCS:
        if proc is not SENDER_PROC[0] and proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=10)
    r = relay_router()
    r.vtysh_cmd("clear amt relay amtr0 tunnels")
    r.vtysh_cmd("clear amt relay amtr0 statistics")
    wait_until(
        lambda: relay_json("show amt relay amtr0 json").get("amtr0", {}).get("tunnelCount")
        == 0,
        lambda: "tunnels left after 'clear amt relay amtr0 tunnels': {}".format(
            relay_tunnels()
        ),
        count=10,
    )


def assert_stops(gw, key, settle=3, window=4):
    "After a leave or teardown: no more packets of key once in-flight ones land."
    time.sleep(settle)
    before = gw.packets(key)
    time.sleep(window)
    after = gw.packets(key)
    assert after == before, "{}: {} still flowing after the leave ({} -> {})".format(
        gw.host, key, before, after
    )


def dicts_with(obj, key):
    "Every dict inside a JSON tree that has key."
    found = []
    if isinstance(obj, dict):
        if key in obj:
            found.append(obj)
        for v in obj.values():
            found += dicts_with(v, key)
    elif isinstance(obj, list):
        for v in obj:
            found += dicts_with(v, key)
    return found


def json_has(obj, *needles):
    text = json.dumps(obj)
    return all('"{}"'.format(n) in text for n in needles)


def igmp_on_amtr0(group, source=None):
    "pimd (IGMPv3 on amtr0) has the union of the gateways' memberships."
    out = relay_json("show ip igmp sources json")
    sub = out.get("amtr0", {})
    return json_has(sub, group) and (source is None or json_has(sub, source))


def mroute_to_amtr0(group, source):
    "pimd's multicast route for (source, group) goes out of amtr0."
    out = relay_json("show ip mroute json")
    entry = out.get(group, {}).get(source, {})
    return "amtr0" in entry.get("oil", {})


# ---------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------


def test_relay_up():
    "amtd's relay instance is up on its addresses; PIM adjacencies are up"
    tgen = get_topogen()
    relay = tgen.gears["relay"]
    expected = {
        "amtr0": {
            "operStatus": "up",
            "port": 2268,
            "tunnelLimit": 1000,
            "tunnelCount": 0,
        }
    }
    result = expect_json(relay, "show amt relay json", expected, count=40)
    assert result is None, "show amt relay json: {}".format(result)
    info = relay_json("show amt relay json")["amtr0"]
    assert sorted(info.get("localAddresses", [])) == sorted([RELAY4, RELAY6]), info
    assert info.get("discoveryAddresses") == [DISCOVERY4], info

    # PIM toward the source for IPv4 and IPv6.
    wait_until(
        lambda: "10.0.2.1" in relay.vtysh_cmd("show ip pim neighbor"),
        "no IPv4 PIM neighbor r1 on relay",
        count=60,
    )
    wait_until(
        lambda: "relay-eth0" in relay.vtysh_cmd("show ipv6 pim neighbor"),
        "no IPv6 PIM neighbor r1 on relay",
        count=60,
    )
    # pimd runs IGMP and MLD on the pseudo-interface.
    wait_until(
        lambda: "amtr0" in relay.vtysh_cmd("show ip igmp interface"),
        "IGMP not running on amtr0",
    )
    wait_until(
        lambda: "amtr0" in relay.vtysh_cmd("show ipv6 mld interface"),
        "MLD not running on amtr0",
    )
    # ... and has made it a multicast routing VIF/MIF, or nothing can be
    # forwarded onto it.
    for cmd in ("show ip multicast count json", "show ipv6 multicast count json"):
        wait_until(
            lambda: relay_json(cmd).get("amtr0", {}).get("vif", -1) > 0,
            lambda: "'{}': amtr0 is no multicast VIF: {}".format(
                cmd, relay_json(cmd).get("amtr0")
            ),
            count=20,
        )


def test_ssm_discovery_join_data_leave():
    "discovery, handshake, SSM data for the joined (S,G) only, nothing after the leave"
    fresh_relay()
    wanted = flow(S1, SSM_G1)
    # gw2 makes the relay receive a second source of G1 and a second group:
    # gw1 must get neither.
    gw2 = Gateway(
        "gw2",
        "ssm-other",
        ["--relay", RELAY4, "--join", flow(S2, SSM_G1), "--join", flow(S1, SSM_G2)]
        + ["--duration", "60"],
    )
    # gw1 runs for a fixed time, to check that it also ends by itself.
    gw1 = Gateway(
        "gw1", "ssm", ["--discovery", DISCOVERY4, "--join", wanted, "--duration", "30"]
    )

    st = gw1.wait_handshake()
    assert st["advertised_relay"] == RELAY4, st
    assert st["advertisement_from"] == DISCOVERY4, st
    assert st["query_l"] is False, st
    assert st["query_g"] is True, "relay did not set G: {}".format(st["query"])
    assert st["gateway_address_seen_by_relay"] == HOST_ADDR["gw1"][0], st
    assert st["gateway_port_seen_by_relay"] == st["local_port"], st
    gq = st["query"]["general_query"]
    assert gq["family"] == "ipv4" and gq["destination"] == "224.0.0.1", gq
    assert gq["ttl"] == 1 and gq["router_alert"], gq
    assert gq["igmp_checksum_ok"] and gq["ip_checksum_ok"], gq
    assert st["qqic"] == 125 and st["query_interval"] == 125, st
    assert st["qrv"] == 2, st

    gw1.wait_packets(wanted)
    gw2.wait_packets(flow(S2, SSM_G1))
    gw2.wait_packets(flow(S1, SSM_G2))

    # The relay's view: gw1's tunnel, keyed by address and port, and pimd's.
    port = gw1.state()["local_port"]
    tun = find_tunnel(HOST_ADDR["gw1"][0], port)
    assert tun is not None, relay_tunnels()
    assert tun["family"] == "ipv4", tun
    assert tun["groupCount"] == 1 and tun["sourceCount"] == 1, tun
    assert {"group": SSM_G1, "source": S1} in tun.get("flows", []), tun
    assert tun["counters"]["dataPackets"] > 0, tun
    wait_until(
        lambda: igmp_on_amtr0(SSM_G1, S1) and igmp_on_amtr0(SSM_G2, S1),
        lambda: "pimd lacks IGMP state on amtr0: {}".format(
            relay_router().vtysh_cmd("show ip igmp sources json")
        ),
    )
    assert mroute_to_amtr0(SSM_G1, S1), relay_router().vtysh_cmd("show ip mroute json")

    # Source filtering in the fan-out: only what gw1 asked for.
    time.sleep(2)
    flows = gw1.state()["flows"]
    assert set(flows) == {wanted}, "gw1 received flows it did not join: {}".format(
        flows
    )
    assert flows[wanted]["seq_gaps"] <= 2, flows[wanted]

    stats = relay_stats()
    assert stats["received"]["discovery"] >= 1, stats
    assert stats["sent"]["advertisement"] >= 1, stats
    assert stats["received"]["request"] >= 2, stats
    assert stats["sent"]["query"] >= 2, stats
    assert stats["received"]["update"] >= 2, stats
    assert stats["sent"]["data"] > 0, stats

    # The leave: gw1's data stops, gw2's continues.
    gw1.leave_now()
    assert_stops(gw1, wanted)
    before = gw2.packets(flow(S2, SSM_G1))
    time.sleep(2)
    assert gw2.packets(flow(S2, SSM_G1)) > before, "gw2 stopped receiving"
    # With its last group gone the tunnel has no state left: it goes.
    wait_until(
        lambda: find_tunnel(HOST_ADDR["gw1"][0], port) is None,
        lambda: "gw1's tunnel outlived its leave: {}".format(relay_tunnels()),
        count=20,
    )

    st = gw1.finish()
    assert st["errors"] == [] and st["exit_code"] == 0, st
    gw2.end()


def test_asm_via_rp():
    "(*,G) joined with IS_EXCLUDE({}) is served through the RP"
    fresh_relay()
    wanted = flow(S1, ASM_G1)
    gw1 = Gateway(
        "gw1",
        "asm",
        ["--relay", RELAY4, "--join-asm", ASM_G1, "--duration", "120"],
    )
    gw1.wait_handshake()
    gw1.wait_packets(wanted, count=60)
    st = gw1.state()
    assert set(st["flows"]) == {wanted}, st["flows"]
    tun = find_tunnel(HOST_ADDR["gw1"][0], st["local_port"])
    assert tun is not None, relay_tunnels()
    assert {"group": ASM_G1, "source": "*"} in tun.get("flows", []), tun
    assert igmp_on_amtr0(ASM_G1), relay_router().vtysh_cmd("show ip igmp groups json")
    mroutes = relay_json("show ip mroute json")
    assert ASM_G1 in mroutes, mroutes

    gw1.leave_now()
    assert_stops(gw1, wanted)
    gw1.end()


def test_ipv6_outer_mld():
    "IPv6 outer transport with MLDv2 inside: IPv6 SSM through pim6d"
    fresh_relay()
    wanted = flow(S6, SSM6_G1)
    gw1 = Gateway(
        "gw1",
        "v6-mld",
        ["--relay", RELAY6, "--mld", "--join", wanted, "--duration", "120"],
    )
    st = gw1.wait_handshake()
    gq = st["query"]["general_query"]
    assert gq["family"] == "ipv6" and gq["destination"] == "ff02::1", gq
    assert gq["router_alert"] and gq["icmp_checksum_ok"] and gq["ttl"] == 1, gq
    assert st["query_g"] is True, st["query"]
    assert st["gateway_address_seen_by_relay"] == HOST_ADDR["gw1"][1], st
    assert st["gateway_port_seen_by_relay"] == st["local_port"], st

    gw1.wait_packets(wanted, count=60)
    st = gw1.state()
    assert set(st["flows"]) == {wanted}, st["flows"]
    tun = find_tunnel(HOST_ADDR["gw1"][1], st["local_port"])
    assert tun is not None, relay_tunnels()
    assert tun["family"] == "ipv6", tun
    assert {"group": SSM6_G1, "source": S6} in tun.get("flows", []), tun
    mroutes = relay_json("show ipv6 mroute json")
    assert "amtr0" in json.dumps(mroutes.get(SSM6_G1, {})), mroutes

    gw1.leave_now()
    assert_stops(gw1, wanted)
    gw1.end()


def test_mixed_families():
    "IGMP over IPv6 transport and MLD over IPv4 transport"
    fresh_relay()
    v4, v6 = flow(S1, SSM_G1), flow(S6, SSM6_G1)
    gw1 = Gateway(
        "gw1", "v4-mld", ["--relay", RELAY4, "--mld", "--join", v6, "--duration", "120"]
    )
    gw2 = Gateway("gw2", "v6-igmp", ["--relay", RELAY6, "--join", v4, "--duration", "120"])
    st1 = gw1.wait_handshake()
    st2 = gw2.wait_handshake()
    assert st1["query"]["general_query"]["family"] == "ipv6", st1["query"]
    assert st2["query"]["general_query"]["family"] == "ipv4", st2["query"]
    gw1.wait_packets(v6, count=60)
    gw2.wait_packets(v4, count=60)
    assert set(gw1.state()["flows"]) == {v6}
    assert set(gw2.state()["flows"]) == {v4}
    gw1.end()
    gw2.end()


def test_nat_two_gateways():
    "two gateways behind one NAT address keep independent tunnels"
    fresh_relay()
    wanted = flow(S1, SSM_G1)
    # Same local port on both: the NAT has to give one of them another.
    gw3 = Gateway(
        "gw3",
        "nat",
        ["--relay", RELAY4, "--local-port", "40000", "--join", wanted]
        + ["--duration", "120"],
    )
    gw4 = Gateway(
        "gw4",
        "nat",
        ["--relay", RELAY4, "--local-port", "40000", "--join", wanted]
        + ["--duration", "120"],
    )
    st3 = gw3.wait_handshake()
    st4 = gw4.wait_handshake()
    assert st3["gateway_address_seen_by_relay"] == NAT_OUTSIDE, st3
    assert st4["gateway_address_seen_by_relay"] == NAT_OUTSIDE, st4
    p3 = st3["gateway_port_seen_by_relay"]
    p4 = st4["gateway_port_seen_by_relay"]
    assert p3 != p4, "NAT gave both gateways port {}".format(p3)

    gw3.wait_packets(wanted)
    gw4.wait_packets(wanted)
    t3, t4 = find_tunnel(NAT_OUTSIDE, p3), find_tunnel(NAT_OUTSIDE, p4)
    assert t3 is not None and t4 is not None, relay_tunnels()
    info = relay_json("show amt relay amtr0 json")["amtr0"]
    assert info["tunnelCount"] == 2, info

    # One leaves: the other, same address, keeps its stream.
    gw3.leave_now()
    assert_stops(gw3, wanted)
    before = gw4.packets(wanted)
    time.sleep(2)
    assert gw4.packets(wanted) > before, "gw4 lost its stream when gw3 left"
    t4 = find_tunnel(NAT_OUTSIDE, p4)
    assert t4 is not None and t4["groupCount"] == 1, relay_tunnels()
    gw3.end()
    gw4.end()


def test_abuse_dropped_and_counted():
    "forged MAC, wrong nonce, truncated, unknown type, data to the relay: dropped, counted"
    fresh_relay()
    wanted = flow(S1, SSM_G1)
    gw1 = Gateway("gw1", "victim", ["--relay", RELAY4, "--join", wanted, "--duration", "120"])
    gw1.wait_packets(wanted)

    n = 3
    abuse = ["forged-mac", "wrong-nonce", "truncated", "unknown-type", "data-to-relay"]
    args = ["--relay", RELAY4, "--join", wanted, "--duration", "120"]
    args += ["--abuse-after", "2", "--abuse-count", str(n)]
    for a in abuse:
        args += ["--abuse", a]
    gw2 = Gateway("gw2", "abuser", args)
    gw2.wait(lambda s: len(s.get("abuse", [])) == len(abuse), "the abuse", count=20)

    expected = {
        "badMac": n,
        "nonceMismatch": n,
        "malformed": n,
        "unknownType": n,
        "dataFromGateway": n,
    }

    def counted():
        errors = relay_stats().get("errors", {})
        return all(errors.get(k, 0) >= v for k, v in expected.items())

    ok, _ = topotest.run_and_expect(counted, True, count=10, wait=1)
    assert ok, "relay statistics after the abuse: {}".format(relay_stats())

    # Nothing of it changed the tunnels: both still receive, the injected
    # datagram went nowhere.
    b1, b2 = gw1.packets(wanted), gw2.packets(wanted)
    time.sleep(3)
    assert gw1.packets(wanted) > b1, "gw1 stopped receiving after the abuse"
    assert gw2.packets(wanted) > b2, "gw2's own tunnel broke after its abuse"
    assert gw1.state()["injected_seen"] == 0, gw1.state()
    assert gw2.state()["injected_seen"] == 0, gw2.state()
    tun = find_tunnel(HOST_ADDR["gw2"][0], gw2.state()["local_port"])
    assert tun is not None and tun["groupCount"] == 1, tun
    info = relay_json("show amt relay amtr0 json")["amtr0"]
    assert info["operStatus"] == "up" and info["tunnelCount"] == 2, info
    gw2.end()
    gw1.end()


def test_unauthenticated_rate_limit():
    "a Request flood is rate-limited (no amplification); established tunnels are unaffected"
    fresh_relay()
    wanted = flow(S1, SSM_G1)
    relay_conf("unauthenticated-rate-limit 10")
    try:
        gw1 = Gateway(
            "gw1", "rl-victim", ["--relay", RELAY4, "--join", wanted, "--duration", "120"]
        )
        gw1.wait_packets(wanted)
        flood = 300
        gw2 = Gateway(
            "gw2",
            "rl-flood",
            ["--relay", RELAY4, "--join", wanted, "--duration", "120"]
            + ["--abuse", "request-flood", "--abuse-count", str(flood), "--abuse-after", "1"],
        )
        gw2.wait(lambda s: "request-flood" in s.get("abuse", []), "the flood", count=20)
        wait_until(
            lambda: relay_stats()["errors"]["rateLimited"] >= flood / 2,
            lambda: "flood not rate-limited: {}".format(relay_stats()),
            count=10,
        )
        stats = relay_stats()
        # A 10/s bucket (burst of 10) lets through a handful of the flood.
        assert stats["sent"]["query"] <= 40, stats
        # (received.request counts the Requests let through.)
        assert stats["received"]["request"] + stats["errors"]["rateLimited"] >= flood, stats
        time.sleep(1)
        st2 = gw2.state()
        assert st2["received"]["query_unmatched"] <= 40, st2["received"]
        # Updates are authenticated, not rate-limited: both tunnels still carry data.
        b1, b2 = gw1.packets(wanted), gw2.packets(wanted)
        time.sleep(2)
        assert gw1.packets(wanted) > b1 and gw2.packets(wanted) > b2, (
            gw1.state()["flows"],
            gw2.state()["flows"],
        )
        gw1.end()
        gw2.end()
    finally:
        relay_conf("unauthenticated-rate-limit 1000")


def test_tunnel_limit():
    "at the tunnel limit the Query has L set and a new gateway gets no tunnel"
    fresh_relay()
    wanted = flow(S1, SSM_G1)
    relay_conf("tunnel-limit 1")
    try:
        result = expect_json(
            relay_router(), "show amt relay json", {"amtr0": {"tunnelLimit": 1}}
        )
        assert result is None, result
        gw1 = Gateway(
            "gw1",
            "limit",
            ["--relay", RELAY4, "--join", wanted, "--duration", "120"]
            + ["--refresh-interval", "2"],
        )
        st = gw1.wait_handshake()
        assert st["query_l"] is False, st
        gw1.wait_packets(wanted)

        # gw2 sends its Update anyway; gw3 behaves (sees L, sends none).
        gw2 = Gateway(
            "gw2",
            "limit",
            ["--relay", RELAY4, "--join", wanted, "--ignore-limit", "--duration", "120"],
        )
        gw3 = Gateway("gw3", "limit", ["--relay", RELAY4, "--join", wanted, "--duration", "120"])
        st2 = gw2.wait_handshake()
        st3 = gw3.wait_handshake()
        assert st2["query_l"] is True, st2
        assert st3["query_l"] is True and st3["state"] == "limited", st3
        gw2.wait(lambda s: s["sent"]["update"] >= 1, "gw2's Update")
        time.sleep(3)
        assert gw2.state()["flows"] == {}, gw2.state()["flows"]
        assert gw3.state()["flows"] == {}, gw3.state()["flows"]
        tunnels = relay_tunnels()
        assert [t["gateway"] for t in tunnels] == [HOST_ADDR["gw1"][0]], tunnels
        stats = relay_stats()
        assert stats["errors"]["tunnelLimit"] >= 1, stats
        # L is for new endpoints only (RFC 7450 5.1.4.4): gw1, which holds
        # the one tunnel, refreshes at the limit and never sees it.
        st = gw1.wait(lambda s: s.get("refreshes", 0) >= 2, "gw1's refreshes at the limit")
        assert st["queries_with_l"] == 0, st
        assert relay_stats()["sent"]["queryLimit"] >= 2, relay_stats()
        gw2.end()
        gw3.end()
        gw1.end()
    finally:
        relay_conf("tunnel-limit 1000")


def test_teardown():
    "a Teardown (nonce, MAC, gateway address and port from the Query) removes the tunnel"
    fresh_relay()
    wanted = flow(S1, SSM_G1)
    gw1 = Gateway(
        "gw1",
        "teardown",
        ["--relay", RELAY4, "--join", wanted, "--duration", "120"],
    )
    gw1.wait_packets(wanted)
    port = gw1.state()["local_port"]
    assert find_tunnel(HOST_ADDR["gw1"][0], port) is not None, relay_tunnels()
    st = gw1.teardown_now()
    assert st["teardown_gateway"] == "{}:{}".format(HOST_ADDR["gw1"][0], port), st
    wait_until(
        lambda: find_tunnel(HOST_ADDR["gw1"][0], port) is None,
        lambda: "tunnel still there after the Teardown: {}".format(relay_tunnels()),
        count=10,
    )
    assert_stops(gw1, wanted)
    stats = relay_stats()
    assert stats["received"]["teardown"] >= 1, stats
    assert stats["errors"]["badMac"] == 0, stats
    gw1.end()


def test_teardown_after_rebinding():
    "a Teardown sent from a new port removes the old tunnel; the new one carries on"
    fresh_relay()
    wanted = flow(S1, SSM_G1)
    # Behind the NAT, the gateway moves to another UDP port (a new NAT
    # mapping): it tears the old tunnel down from there and opens a new one.
    gw3 = Gateway(
        "gw3",
        "rebind",
        ["--relay", RELAY4, "--join", wanted, "--duration", "120"]
        + ["--teardown-new-socket", "--rejoin-after-teardown"],
    )
    st = gw3.wait_packets(wanted)
    old_port = st["gateway_port_seen_by_relay"]
    assert st["gateway_address_seen_by_relay"] == NAT_OUTSIDE, st
    assert find_tunnel(NAT_OUTSIDE, old_port) is not None, relay_tunnels()

    gw3.teardown_now()
    st = gw3.wait(
        lambda s: s.get("rejoin_sent_at") is not None and s.get("handshakes", 0) >= 2,
        "the new tunnel's Query",
    )
    new_port = st["gateway_port_seen_by_relay"]
    assert new_port != old_port, st
    assert st["teardown_gateway"] == "{}:{}".format(NAT_OUTSIDE, old_port), st
    wait_until(
        lambda: find_tunnel(NAT_OUTSIDE, old_port) is None
        and find_tunnel(NAT_OUTSIDE, new_port) is not None,
        lambda: "after the Teardown from port {} (old {}): {}".format(
            new_port, old_port, relay_tunnels()
        ),
        count=10,
    )
    before = gw3.packets(wanted)
    time.sleep(3)
    assert gw3.packets(wanted) > before + 20, "no data on the new tunnel"
    stats = relay_stats()
    assert stats["received"]["teardown"] >= 1 and stats["errors"]["badMac"] == 0, stats
    gw3.end()


def test_group_and_source_limits():
    "per-tunnel group and source limits hold and are counted"
    fresh_relay()
    groups = ["232.1.1.1", "232.1.1.2", "232.1.1.3"]
    relay_conf("group-limit 2")
    try:
        args = ["--relay", RELAY4, "--duration", "120", "--ssm-record", "is-in"]
        args += ["--refresh-interval", "2"]
        for g in groups:
            args += ["--join", flow(S1, g)]
        gw1 = Gateway("gw1", "group-limit", args)
        gw1.wait_handshake()
        wait_until(
            lambda: relay_stats()["errors"]["groupLimit"] >= 1,
            lambda: "group-limit not counted: {}".format(relay_stats()),
            count=10,
        )
        tun = find_tunnel(HOST_ADDR["gw1"][0], gw1.state()["local_port"])
        assert tun is not None and tun["groupCount"] == 2, "tunnels {}, stats {}".format(
            relay_tunnels(), relay_stats()
        )
        # A tunnel at its group limit is not told to leave: no L, and the
        # groups it has keep flowing.
        st = gw1.wait(lambda s: s.get("refreshes", 0) >= 2, "gw1's refreshes at its group limit")
        assert st["queries_with_l"] == 0 and st["query_l"] is False, st
        assert relay_stats()["sent"]["queryLimit"] == 0, relay_stats()
        gw1.wait_packets(flow(S1, groups[0]))
        gw1.end()
    finally:
        relay_conf("group-limit 256")

    fresh_relay()
    relay_conf("source-limit 1")
    try:
        # Two records of one source each: the first fits, the second would
        # make two sources.  (A single record listing more sources than the
        # limit allows is refused whole.)
        args = ["--relay", RELAY4, "--duration", "120", "--ssm-record", "is-in"]
        args += ["--join", flow(S1, SSM_G1), "--join", flow(S1, SSM_G2)]
        gw2 = Gateway("gw2", "source-limit", args)
        gw2.wait_handshake()
        wait_until(
            lambda: relay_stats()["errors"]["sourceLimit"] >= 1,
            lambda: "source-limit not counted: {}".format(relay_stats()),
            count=10,
        )
        tun = find_tunnel(HOST_ADDR["gw2"][0], gw2.state()["local_port"])
        assert tun is not None and tun["sourceCount"] == 1 and tun["groupCount"] == 1, (
            "tunnels {}, stats {}"
        ).format(
            relay_tunnels(), relay_stats()
        )
        gw2.end()
    finally:
        relay_conf("source-limit 1024")


def test_idle_tunnel_expires():
    "a gateway that stops refreshing loses its tunnel; one that refreshes at QQIC keeps it"
    fresh_relay()
    wanted = flow(S1, SSM_G1)
    # query-response-interval must stay below query-interval.
    relay_conf("query-response-interval 2", "query-interval 5")
    try:
        result = expect_json(
            relay_router(), "show amt relay json", {"amtr0": {"queryInterval": 5}}
        )
        assert result is None, result
        gw1 = Gateway("gw1", "refresh", ["--relay", RELAY4, "--join", wanted, "--duration", "75"])
        gw2 = Gateway(
            "gw2",
            "idle",
            ["--relay", RELAY4, "--join", wanted, "--no-refresh", "--duration", "75"],
        )
        st = gw1.wait_handshake()
        assert st["qqic"] == 5, "Query's QQIC {} for query-interval 5".format(st["qqic"])
        gw1.wait_packets(wanted)
        gw2.wait_packets(wanted)
        p2 = gw2.state()["local_port"]
        assert find_tunnel(HOST_ADDR["gw2"][0], p2) is not None, relay_tunnels()

        # Membership expires after robustness * query-interval +
        # query-response-interval = 2 * 5 + 2 s without a refresh.
        wait_until(
            lambda: find_tunnel(HOST_ADDR["gw2"][0], p2) is None,
            lambda: "idle tunnel of gw2 never expired: {}".format(relay_tunnels()),
            count=60,
        )
        assert_stops(gw2, wanted, settle=1, window=3)
        st = gw1.state()
        assert st["refreshes"] >= 3, "gw1 refreshed {} times".format(st["refreshes"])
        assert find_tunnel(HOST_ADDR["gw1"][0], st["local_port"]) is not None, (
            relay_tunnels()
        )
        before = gw1.packets(wanted)
        time.sleep(2)
        assert gw1.packets(wanted) > before, "gw1 stopped receiving although it refreshes"
        gw1.end()
        gw2.end()
    finally:
        relay_conf("query-interval 125", "query-response-interval 10")


def grpc(*args):
    "Run amt_grpc_client.py in the relay's namespace; its JSON answer."
    proto = os.path.join(tgen_frr_tree(), "grpc", "frr-northbound.proto")
    cmd = [PYTHON, GRPC_CLIENT, "--proto", proto, "--port", str(GRPC_PORT)] + list(args)
    p = relay_router().popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = p.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate(timeout=5)
    if isinstance(out, bytes):
        out, err = out.decode(errors="replace"), err.decode(errors="replace")
    try:
        return json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"ok": False, "error": "client output: {!r} {!r}".format(out, err)}


def tgen_frr_tree():
    "The FRR tree the topotest library comes from (holds grpc/*.proto)."
    return os.path.realpath(os.path.join(os.path.dirname(topotest.__file__), "../../.."))


def test_grpc_northbound():
    "the relay configured and its tunnels read over the gRPC northbound"
    fresh_relay()
    xp = "/frr-amtd:amtd/relay[name='amtr0']"

    caps = grpc("getcap")
    assert caps["ok"], caps
    assert "frr-amtd" in caps["modules"], caps

    conf = grpc("get", "/frr-amtd:amtd", "config")
    assert conf["ok"], conf
    assert json_has(conf["data"], "amtr0"), conf

    # Configuration: a leaf of the existing relay, then a whole instance.
    res = grpc("edit", "--set", xp + "/tunnel-limit=500")
    assert res["ok"] and not res.get("error_message"), res
    result = expect_json(relay_router(), "show amt relay json", {"amtr0": {"tunnelLimit": 500}})
    assert result is None, result
    assert "tunnel-limit 500" in relay_router().vtysh_cmd("show running-config")
    res = grpc("edit", "--set", xp + "/tunnel-limit=1000")
    assert res["ok"], res

    res = grpc("edit", "--set", "/frr-amtd:amtd/relay[name='amtr5']=")
    assert res["ok"], res
    result = expect_json(
        relay_router(), "show amt json", {"instances": {"amtr5": {"operStatus": "up"}}}
    )
    assert result is None, result
    res = grpc("edit", "--delete", "/frr-amtd:amtd/relay[name='amtr5']")
    assert res["ok"], res
    wait_until(
        lambda: "amtr5" not in relay_json("show amt json").get("instances", {}),
        "amtr5 still there after its deletion over gRPC",
        count=10,
    )

    # State: the tunnel of a joined gateway.
    wanted = flow(S1, SSM_G1)
    gw1 = Gateway("gw1", "grpc", ["--relay", RELAY4, "--join", wanted, "--duration", "120"])
    gw1.wait_packets(wanted)
    port = gw1.state()["local_port"]

    def tunnel_in_state():
        st = grpc("get", xp, "state")
        if not st["ok"]:
            return False
        return any(
            t.get("gateway-address") == HOST_ADDR["gw1"][0]
            and int(t.get("gateway-port", -1)) == port
            and int(t.get("group-count", 0)) == 1
            for t in dicts_with(st.get("data"), "gateway-address")
        )

    ok, _ = topotest.run_and_expect(tunnel_in_state, True, count=10, wait=1)
    state = grpc("get", xp, "state")
    logger.info("gRPC state of the relay: %s", json.dumps(state.get("data")))
    assert ok, "gateway tunnel not in gRPC state: {}".format(state)
    stats = dicts_with(state.get("data"), "received-request")
    assert stats and int(stats[0]["received-request"]) >= 1, state
    gw1.end()


def test_interop_gateways_at_once():
    "one relay, default settings: RFC, VLC-like and Linux-like gateways, IPv4 and IPv6 outer"
    fresh_relay()
    info = relay_json("show amt relay amtr0 json")["amtr0"]
    assert info["gatewayFields"] == "auto" and info["linuxFlagLayout"] is False, info
    wanted = flow(S1, SSM_G1)
    wanted6 = flow(S6, SSM6_G1)
    gws = {
        "rfc": Gateway("gw1", "rfc", ["--relay", RELAY4, "--join", wanted, "--duration", "90"]),
        "vlc": Gateway(
            "gw2",
            "vlc",
            ["--discovery", DISCOVERY4, "--join", wanted, "--duration", "90"]
            + ["--personality", "vlc"],
        ),
        "vlc6": Gateway(
            "gw2",
            "vlc6",
            ["--relay", RELAY6, "--join", wanted, "--duration", "90"]
            + ["--personality", "vlc"],
        ),
        "linux": Gateway(
            "gw1",
            "linux",
            ["--relay", RELAY4, "--join", wanted, "--duration", "90"]
            + ["--personality", "linux"],
        ),
        "linux-mld": Gateway(
            "gw2",
            "linux-mld",
            ["--relay", RELAY4, "--mld", "--join", wanted6, "--duration", "90"]
            + ["--personality", "linux"],
        ),
    }
    for name, gw in gws.items():
        gw.wait_packets(wanted6 if name == "linux-mld" else wanted)
    for name, gw in gws.items():
        st = gw.state()
        assert st["errors"] == [] and st["query_rejected"] == 0, (name, st)
        q = st["query"]
        if name == "rfc":
            # RFC gateways keep the gateway fields they use to see a NAT.
            assert q["g"] is True and q["length"] == 48 + 18, (name, q)
            assert st["gateway_port_seen_by_relay"] == st["local_port"], st
        else:
            assert q["g"] is False, (name, q)
        if name.startswith("vlc"):
            # The exact length VLC insists on for an IPv4 group.
            assert q["length"] == 48, (name, q)
        if name.startswith("linux"):
            assert st["local_port"] == 2268, st
            assert q["flags_byte"] == 0, (name, q)
    # The Linux-like gateway's P (in the high bit) got it an MLDv2 query.
    gq = gws["linux-mld"].state()["query"]["general_query"]
    assert gq["family"] == "ipv6", gq
    # Five tunnels, two of them on port 2268.
    tunnels = relay_tunnels()
    assert len(tunnels) == 5, tunnels
    assert sorted(t["gatewayPort"] for t in tunnels).count(2268) == 2, tunnels
    stats = relay_stats()
    assert stats["received"]["requestRfc"] >= 1, stats
    assert stats["received"]["requestExactLength"] >= 2, stats
    assert stats["received"]["requestLinux"] >= 2, stats
    assert stats["sent"]["queryGatewayFields"] >= 1, stats
    assert stats["sent"]["queryNoGatewayFields"] >= 4, stats
    assert stats["sent"]["queryLinuxLayout"] >= 2, stats
    assert stats["errors"]["badMac"] == 0, stats
    for gw in gws.values():
        gw.end()


def test_gateway_fields_override():
    "gateway-fields always / never override what the Requests show"
    fresh_relay()
    wanted = flow(S1, SSM_G1)
    try:
        relay_conf("gateway-fields never")
        gw1 = Gateway("gw1", "never", ["--relay", RELAY4, "--join", wanted, "--duration", "60"])
        st = gw1.wait_handshake()
        assert st["query"]["g"] is False, st["query"]
        gw1.wait_packets(wanted)
        gw1.end()
        relay_conf("gateway-fields always")
        out = relay_router().vtysh_cmd("show running-config")
        assert "gateway-fields always" in out, out
        gw2 = Gateway(
            "gw2",
            "always",
            ["--relay", RELAY4, "--join", wanted, "--duration", "60", "--personality", "vlc"],
        )
        st = gw2.wait(lambda s: s.get("query_rejected", 0) >= 1, "the VLC-like gateway's refusal")
        assert "length of relay query message invalid" in " ".join(st["errors"]), st
        # ... and its Update with a zero MAC, refused by the relay.
        wait_until(
            lambda: relay_stats()["errors"]["badMac"] >= 1,
            lambda: "zero-MAC Update not refused: {}".format(relay_stats()),
            count=10,
        )
        gw2.stop()
    finally:
        relay_conf("no gateway-fields")
    assert "gateway-fields" not in relay_router().vtysh_cmd("show running-config")


def test_drain():
    "shutdown: L to every gateway, no new tunnels, existing tunnels keep their streams"
    fresh_relay()
    wanted = flow(S1, SSM_G1)
    gw1 = Gateway(
        "gw1",
        "drain",
        ["--relay", RELAY4, "--join", wanted, "--duration", "120", "--refresh-interval", "2"],
    )
    gw1.wait_packets(wanted)
    try:
        relay_conf("shutdown")
        result = expect_json(
            relay_router(),
            "show amt relay json",
            {"amtr0": {"draining": True, "tunnelCount": 1}},
        )
        assert result is None, result
        text = relay_router().vtysh_cmd("show amt relay")
        draining = [line for line in text.splitlines() if line.strip().startswith("Draining")]
        assert draining and "yes" in draining[0], text
        # gw1's next refresh carries L; its stream goes on.
        gw1.wait(lambda s: s.get("queries_with_l", 0) >= 1, "an L in gw1's refresh Query")
        before = gw1.packets(wanted)
        time.sleep(3)
        assert gw1.packets(wanted) > before + 20, "the drain cut gw1's stream"
        # A new gateway gets L and no tunnel, even when it ignores L.
        gw2 = Gateway(
            "gw2",
            "drain-new",
            ["--relay", RELAY4, "--join", wanted, "--duration", "60", "--ignore-limit"],
        )
        st2 = gw2.wait_handshake()
        assert st2["query_l"] is True, st2
        wait_until(
            lambda: relay_stats()["errors"]["refusedDraining"] >= 1,
            lambda: "new gateway not refused while draining: {}".format(relay_stats()),
            count=10,
        )
        assert find_tunnel(HOST_ADDR["gw2"][0]) is None, relay_tunnels()
        assert gw2.state()["flows"] == {}, gw2.state()
        gw2.end()
        # gw1 leaves: nothing is left.
        gw1.leave_now()
        wait_until(
            lambda: relay_json("show amt relay json")["amtr0"]["tunnelCount"] == 0,
            lambda: "tunnels left after the last gateway left: {}".format(relay_tunnels()),
            count=20,
        )
        gw1.end()
    finally:
        relay_conf("no shutdown")
    # Serving again: no L for a new gateway.
    gw3 = Gateway("gw2", "undrained", ["--relay", RELAY4, "--join", wanted, "--duration", "60"])
    st = gw3.wait_handshake()
    assert st["query_l"] is False, st
    gw3.wait_packets(wanted)
    gw3.end()


def test_teardown_replay_refused():
    "a Teardown with the nonce of an earlier Request cannot end the refreshed tunnel"
    fresh_relay()
    wanted = flow(S1, SSM_G1)
    gw1 = Gateway(
        "gw1",
        "replay",
        ["--relay", RELAY4, "--join", wanted, "--duration", "120", "--refresh-interval", "2"],
    )
    st = gw1.wait_handshake()
    old_mac, old_nonce = st["query"]["mac"], st["query"]["nonce"]
    port = st["local_port"]
    gw1.wait(lambda s: s.get("refreshes", 0) >= 2, "two refreshes (a new nonce)")
    gw1.wait_packets(wanted)
    # The captured Teardown of the first Request: right MAC, stale nonce.
    replay = (
        "import socket, sys; sys.path.insert(0, '{cwd}');"
        "import amt_test_gateway as g;"
        "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);"
        "s.sendto(g.build_teardown(bytes.fromhex('{mac}'), {nonce}, {port}, '{addr}'),"
        " ('{relay}', 2268))"
    ).format(
        cwd=CWD, mac=old_mac, nonce=old_nonce, port=port, addr=HOST_ADDR["gw1"][0], relay=RELAY4
    )
    before = relay_stats()["errors"]["nonceMismatch"]
    out = get_topogen().gears["gw1"].cmd("{} -c \"{}\"".format(PYTHON, replay))
    wait_until(
        lambda: relay_stats()["errors"]["nonceMismatch"] > before,
        lambda: "replayed Teardown not refused: {} {}".format(out, relay_stats()),
        count=10,
    )
    assert relay_stats()["received"]["teardown"] >= 1, relay_stats()
    assert find_tunnel(HOST_ADDR["gw1"][0], port) is not None, relay_tunnels()
    before = gw1.packets(wanted)
    wait_until(
        lambda: gw1.packets(wanted) >= before + 20,
        lambda: "the replayed Teardown cut the stream: {} {}".format(
            gw1.state().get("flows"), relay_tunnels()
        ),
        count=15,
    )
    # The gateway's own Teardown, with the current nonce, still works.
    gw1.teardown_now()
    wait_until(
        lambda: find_tunnel(HOST_ADDR["gw1"][0], port) is None,
        lambda: "current Teardown refused: {}".format(relay_tunnels()),
        count=10,
    )
    gw1.end()


def test_teardown_between_refresh_query_and_update():
    "a Teardown with the nonce of the refresh Query, before the gateway's next Update, ends the tunnel"
    fresh_relay()
    wanted = flow(S1, SSM_G1)
    gw1 = Gateway(
        "gw1",
        "teardown-refresh",
        ["--relay", RELAY4, "--join", wanted, "--duration", "60", "--refresh-interval", "2",
         "--no-refresh-update"],
    )
    st = gw1.wait_handshake()
    first_nonce, port = st["query"]["nonce"], st["local_port"]
    gw1.wait_packets(wanted)
    st = gw1.wait(lambda s: s.get("refreshes", 0) >= 1, "a refresh Query (a new nonce)")
    # The relay's tunnel still has the first Update's nonce; the gateway's is newer.
    assert st["query"]["nonce"] != first_nonce, st
    assert find_tunnel(HOST_ADDR["gw1"][0], port) is not None, relay_tunnels()
    before = relay_stats()["errors"]["nonceMismatch"]
    gw1.teardown_now()
    wait_until(
        lambda: find_tunnel(HOST_ADDR["gw1"][0], port) is None,
        lambda: "Teardown with the refresh Query's nonce refused: {} {}".format(
            relay_stats(), relay_tunnels()
        ),
        count=10,
    )
    assert relay_stats()["errors"]["nonceMismatch"] == before, relay_stats()
    gw1.end()


def test_ssm_exclude_ignored():
    "EXCLUDE-mode records for SSM groups make no (*,G) state (RFC 4604 2.2.1)"
    fresh_relay()
    gw1 = Gateway(
        "gw1",
        "ssm-exclude",
        ["--relay", RELAY4, "--join-asm", SSM_G1, "--duration", "60", "--asm-record", "to-ex"],
    )
    gw1.wait(lambda s: s.get("sent", {}).get("update", 0) >= 1, "the (*,232.1.1.1) Update")
    wait_until(
        lambda: relay_stats()["errors"]["ssmExcludeIgnored"] >= 1,
        lambda: "SSM EXCLUDE record not ignored: {}".format(relay_stats()),
        count=10,
    )
    time.sleep(2)
    assert find_tunnel(HOST_ADDR["gw1"][0]) is None, relay_tunnels()
    assert gw1.state()["flows"] == {}, gw1.state()["flows"]
    gw1.end()


def test_no_reflection_to_port_zero():
    "a Request from UDP port 0 is dropped unanswered and counted"
    fresh_relay()
    # A raw UDP datagram with source port 0 (the kernel adds the IP header).
    script = (
        "import socket, struct;"
        "s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP);"
        "req = struct.pack('!BBxxI', 3, 0, 0x01020304);"
        "s.sendto(struct.pack('!HHHH', 0, 2268, 8 + len(req), 0) + req, ('{}', 0))"
    ).format(RELAY4)
    before = relay_stats()
    out = get_topogen().gears["gw1"].cmd("{} -c \"{}\"".format(PYTHON, script))
    wait_until(
        lambda: relay_stats()["errors"]["badSource"] > before["errors"]["badSource"],
        lambda: "Request from port 0 not counted: {} {}".format(out, relay_stats()),
        count=10,
    )
    after = relay_stats()
    assert after["sent"]["query"] == before["sent"]["query"], after
    assert after["received"]["request"] == before["received"]["request"], after


def test_reconfiguration_keeps_unconcerned_tunnels():
    "address, port, limit and interval changes one by one: the tunnels they do not concern lose nothing"
    fresh_relay()
    wanted = flow(S1, SSM_G1)
    gw1 = Gateway("gw1", "reconf4", ["--relay", RELAY4, "--join", wanted, "--duration", "240"])
    gw2 = Gateway("gw2", "reconf6", ["--relay", RELAY6, "--join", wanted, "--duration", "240"])
    gw1.wait_packets(wanted)
    gw2.wait_packets(wanted)

    def gaps(gw):
        f = gw.state()["flows"][wanted]
        return f["seq_gaps"], f["packets"]

    def flows_on(gw, before, what):
        "gw kept receiving across the change, without a gap."
        time.sleep(3)
        g, n = gaps(gw)
        assert g == before[0], "{}: {} packets lost across '{}'".format(
            gw.host, g - before[0], what
        )
        assert n > before[1] + 20, "{}: stream stopped across '{}'".format(gw.host, what)

    # Limits and intervals concern no tunnel's sockets: both keep flowing.
    for change in (
        "group-limit 200",
        "source-limit 500",
        "tunnel-limit 900",
        "query-interval 100",
        "secret-key-rotation-interval 1800",
        "unauthenticated-rate-limit 2000",
    ):
        b1, b2 = gaps(gw1), gaps(gw2)
        relay_conf(change)
        flows_on(gw1, b1, change)
        flows_on(gw2, b2, change)
    assert relay_stats()["tunnelsReconfigured"] == 0, relay_stats()

    # The IPv6 address goes: gw2's tunnel with it, gw1's stays.
    b1 = gaps(gw1)
    relay_conf("no local-address " + RELAY6)
    wait_until(
        lambda: relay_stats()["tunnelsReconfigured"] == 1
        and find_tunnel(HOST_ADDR["gw2"][1]) is None,
        lambda: "gw2's tunnel not removed with its address: {} {}".format(
            relay_tunnels(), relay_stats()
        ),
        count=10,
    )
    flows_on(gw1, b1, "no local-address " + RELAY6)
    info = relay_json("show amt relay amtr0 json")["amtr0"]
    assert info["listeningSockets"] == 2, info

    # ... and comes back: gw1 still undisturbed.
    b1 = gaps(gw1)
    relay_conf("local-address " + RELAY6)
    flows_on(gw1, b1, "local-address " + RELAY6)
    info = relay_json("show amt relay amtr0 json")["amtr0"]
    assert info["listeningSockets"] == 3, info

    # A new port concerns every socket: all tunnels go, and are counted.
    gw2.end()
    relay_conf("port 2269")
    try:
        wait_until(
            lambda: relay_json("show amt relay amtr0 json")["amtr0"]["tunnelCount"] == 0,
            lambda: "tunnels left after the port change: {}".format(relay_tunnels()),
            count=10,
        )
        assert relay_stats()["tunnelsReconfigured"] == 2, relay_stats()
        gw3 = Gateway(
            "gw2",
            "reconf-port",
            ["--relay", RELAY4, "--port", "2269", "--join", wanted, "--duration", "60"],
        )
        gw3.wait_packets(wanted)
        gw3.end()
    finally:
        relay_conf(
            "port 2268",
            "group-limit 256",
            "source-limit 1024",
            "tunnel-limit 1000",
            "query-interval 125",
            "secret-key-rotation-interval 3600",
            "unauthenticated-rate-limit 1000",
        )
    gw1.stop()


FLOOD = os.path.join(CWD, "amt_spoof_flood.py")
# Spoofed flood sources: a documentation prefix that no gateway uses, sent
# from gw2 (nat would masquerade them).  The relay routes the prefix to gw2,
# which does not forward, so the Queries the relay still sends end there.
FLOOD_PREFIX = "203.0.113.0/24"


def no_refresh_failures(gw):
    return [e for e in gw.state().get("errors", []) if "no Query" in e]


def test_spoofed_flood_spares_tunnels_and_other_prefixes():
    "a spoofed Request flood from one /24 at 10x the rate limit: tunnels refresh and receive, a new prefix gets in"
    fresh_relay()
    tgen = get_topogen()
    relay = relay_router()
    wanted, wanted6 = flow(S1, SSM_G1), flow(S6, SSM6_G1)
    rate, prefix_rate, flood_rate, flood_s = 200, 100, 2000, 20
    relay.cmd("ip route add {} via {}".format(FLOOD_PREFIX, HOST_ADDR["gw2"][0]))
    relay_conf(
        "unauthenticated-rate-limit {}".format(rate),
        "unauthenticated-prefix-rate-limit {}".format(prefix_rate),
    )
    try:
        # Established gateways refreshing every second, giving up after 3
        # unanswered Requests: with one relay-wide bucket, a flood at 10x
        # its rate leaves each Request a 1-in-10 chance.
        short = ["--refresh-interval", "1", "--retries", "3", "--duration", "90"]
        gw1 = Gateway("gw1", "flood-v4", ["--relay", RELAY4, "--join", wanted] + short)
        gw2 = Gateway("gw2", "flood-v6", ["--relay", RELAY6, "--mld", "--join", wanted6] + short)
        gw1.wait_packets(wanted)
        gw2.wait_packets(wanted6, count=60)

        def gaps(gw, key):
            f = gw.state()["flows"][key]
            return f["seq_gaps"], f["packets"]

        b1, b2 = gaps(gw1, wanted), gaps(gw2, wanted6)
        r1 = gw1.state()["refreshes"]
        r2 = gw2.state()["refreshes"]
        summary = os.path.join(tgen.logdir, "gw2", "flood.json")
        flood = start_process(
            "gw2",
            "flood",
            [PYTHON, FLOOD, "--relay", RELAY4, "--prefix", FLOOD_PREFIX]
            + ["--rate", str(flood_rate), "--duration", str(flood_s), "--summary", summary],
        )
        # The flood is on: the prefix budget refuses most of it.
        wait_until(
            lambda: relay_stats()["errors"].get("prefixRateLimited", 0) >= flood_rate,
            lambda: "flood not limited per prefix: {}".format(relay_stats()),
            count=10,
        )
        # A new gateway from another prefix (the NAT's outside address)
        # still gets its tunnel during the flood.
        gw3 = Gateway(
            "gw3",
            "flood-new",
            ["--relay", RELAY4, "--join", wanted, "--retries", "3", "--duration", "60"],
        )
        gw3.wait_packets(wanted, n=10, count=15)
        assert flood.poll() is None, "the flood ended before the new gateway got in"
        try:
            flood.wait(timeout=flood_s + 30)
        except subprocess.TimeoutExpired:
            flood.kill()
            assert False, "flood did not end by itself"
        with open(summary) as f:
            fs = json.load(f)
        logger.info("flood: %s; relay: %s", fs, relay_stats())
        assert fs["sources"] >= 200 and fs["rate"] >= 5 * rate, fs
        stats = relay_stats()
        errs = stats["errors"]
        # Several times the rate limit was sent; the relay let through no
        # more than the budgets allow (burst + rate x duration, with slack).
        limit = (prefix_rate + rate) + prefix_rate * (fs["elapsed"] + 5)
        assert stats["received"]["request"] <= limit + 100, stats
        assert errs["prefixRateLimited"] >= fs["sent"] / 2, (fs, stats)
        # The established gateways refreshed from their own budgets,
        # every time, and lost nothing.
        assert stats["received"]["requestTunnel"] >= 2 * 10, stats
        time.sleep(2)
        for gw, key, before, refr in ((gw1, wanted, b1, r1), (gw2, wanted6, b2, r2)):
            st = gw.state()
            assert no_refresh_failures(gw) == [], (gw.host, st["errors"])
            assert st["refreshes"] >= refr + flood_s // 2, (gw.host, refr, st["refreshes"])
            g, n = gaps(gw, key)
            assert g == before[0], "{}: {} packets lost during the flood".format(
                gw.host, g - before[0]
            )
            assert n > before[1] + 10 * flood_s, (gw.host, before, n)
        gw3.end()
        gw2.end()
        gw1.end()
    finally:
        relay_conf(
            "unauthenticated-rate-limit 1000", "no unauthenticated-prefix-rate-limit"
        )
        relay.cmd("ip route del {} via {}".format(FLOOD_PREFIX, HOST_ADDR["gw2"][0]))


def test_tunnels_per_address():
    "one gateway address cannot open more than tunnels-per-address tunnels; another address still can"
    fresh_relay()
    wanted = flow(S1, SSM_G1)
    relay_conf("tunnels-per-address 2")
    try:
        result = expect_json(
            relay_router(), "show amt relay json", {"amtr0": {"tunnelsPerAddress": 2}}
        )
        assert result is None, result
        args = ["--relay", RELAY4, "--join", wanted, "--duration", "90"]
        a = Gateway("gw1", "per-addr-a", args)
        b = Gateway("gw1", "per-addr-b", args)
        a.wait_packets(wanted)
        b.wait_packets(wanted)
        # The third port of gw1: told L, sends its Update anyway, refused.
        c = Gateway("gw1", "per-addr-c", args + ["--ignore-limit"])
        st = c.wait_handshake()
        assert st["query_l"] is True, st
        c.wait(lambda s: s["sent"]["update"] >= 1, "the third tunnel's Update")
        wait_until(
            lambda: relay_stats()["errors"].get("addressTunnelLimit", 0) >= 1,
            lambda: "third tunnel of one address not refused: {}".format(relay_stats()),
            count=10,
        )
        time.sleep(2)
        assert c.state()["flows"] == {}, c.state()["flows"]
        ports = sorted(t["gatewayPort"] for t in relay_tunnels() if t["gateway"] == HOST_ADDR["gw1"][0])
        assert ports == sorted([a.state()["local_port"], b.state()["local_port"]]), ports
        # Another address is not concerned.
        d = Gateway("gw2", "per-addr-d", args)
        st = d.wait_handshake()
        assert st["query_l"] is False, st
        d.wait_packets(wanted)
        assert relay_json("show amt relay amtr0 json")["amtr0"]["tunnelCount"] == 3
        for gw in (d, c, b, a):
            gw.end()
    finally:
        relay_conf("no tunnels-per-address")


def test_update_rate_limit():
    "Membership Update churn beyond update-rate-limit is dropped and counted; the tunnel keeps working"
    fresh_relay()
    wanted = flow(S1, SSM_G1)
    relay_conf("update-rate-limit 2")
    try:
        # Each Update sent 20 times at once: the first makes the tunnel,
        # two more pass (burst of 2), the rest is churn.
        gw1 = Gateway(
            "gw1",
            "update-rl",
            ["--relay", RELAY4, "--join", wanted, "--report-count", "20", "--duration", "60"],
        )
        gw1.wait_packets(wanted)
        wait_until(
            lambda: relay_stats()["errors"].get("updateRateLimited", 0) >= 15,
            lambda: "Update churn not limited: {}".format(relay_stats()),
            count=10,
        )
        stats = relay_stats()
        assert stats["received"]["update"] >= 20, stats
        tun = find_tunnel(HOST_ADDR["gw1"][0])
        assert tun is not None and tun["groupCount"] == 1, tun
        b = gw1.packets(wanted)
        time.sleep(2)
        assert gw1.packets(wanted) > b, gw1.state()["flows"]
        gw1.end()
    finally:
        relay_conf("no update-rate-limit")


def test_flow_limit():
    "at flow-limit a new (S,G) is refused and counted; what the union has is still served"
    fresh_relay()
    relay_conf("flow-limit 2")
    try:
        gw1 = Gateway("gw1", "flow-a", ["--relay", RELAY4, "--join", flow(S1, SSM_G1), "--duration", "60"])
        gw1.wait_packets(flow(S1, SSM_G1))
        # The union is now one group and one (S,G): full.
        gw2 = Gateway(
            "gw2",
            "flow-b",
            ["--relay", RELAY4, "--join", flow(S1, SSM_G1), "--join", flow(S1, SSM_G2)]
            + ["--duration", "60"],
        )
        gw2.wait_packets(flow(S1, SSM_G1))
        wait_until(
            lambda: relay_stats()["errors"].get("flowLimit", 0) >= 1,
            lambda: "(S1,G2) not refused at the flow limit: {}".format(relay_stats()),
            count=10,
        )
        time.sleep(2)
        assert gw2.packets(flow(S1, SSM_G2)) == 0, gw2.state()["flows"]
        assert not igmp_on_amtr0(SSM_G2), relay_json("show ip igmp sources json")
        gw2.end()
        gw1.end()
    finally:
        relay_conf("no flow-limit")


def tunnel_order(key):
    "The tunnels' key order: IPv4 before IPv6, then address, then port."
    addr = ipaddress.ip_address(key[0])
    return (addr.version, addr.packed, int(key[1]))


def test_tunnel_listing_by_gateway_and_count():
    "tunnels listed in key order; the gateway filter gives exactly that address's tunnels; count, YANG, gRPC agree"
    fresh_relay()
    v4 = flow(S1, SSM_G1)
    gw1_4, gw1_6 = HOST_ADDR["gw1"]
    gw2_4, gw2_6 = HOST_ADDR["gw2"]
    runs = [
        ("gw1", "list-a", RELAY4, v4),
        ("gw1", "list-b", RELAY4, v4),
        ("gw2", "list-c", RELAY4, v4),
        ("gw3", "list-d", RELAY4, v4),
        ("gw4", "list-e", RELAY4, v4),
        ("gw1", "list-f", RELAY6, v4),
        ("gw2", "list-g", RELAY6, v4),
    ]
    gws = []
    for host, tag, relay, wanted in runs:
        gws.append(Gateway(host, tag, ["--relay", relay, "--join", wanted, "--duration", "120"]))
    for gw, (_, _, _, wanted) in zip(gws, runs):
        gw.wait_packets(wanted, n=5)
    # Tunnels per gateway address, as the relay sees them (gw3, gw4: the NAT's).
    expected = {gw1_4: 2, gw2_4: 1, NAT_OUTSIDE: 2, gw1_6: 1, gw2_6: 1}

    # The whole listing: every tunnel, in key order.
    keys = [(t["gateway"], t["gatewayPort"]) for t in relay_tunnels(detail=False)]
    assert len(keys) == len(runs), keys
    assert len(set(keys)) == len(keys), keys
    assert {a: sum(1 for k in keys if k[0] == a) for a in expected} == expected, keys
    logger.info("tunnels listed: %s", keys)
    assert keys == sorted(keys, key=tunnel_order), "tunnels not in key order: {}".format(keys)

    # The gateway filter: exactly that address's tunnels, all its ports, in order.
    for addr, n in expected.items():
        cmd = "show amt relay amtr0 tunnels gateway {} json".format(addr)
        got = relay_json(cmd)["amtr0"]["tunnels"]
        assert got, "{}: no tunnels".format(cmd)
        got_keys = [(t["gateway"], t["gatewayPort"]) for t in got]
        assert len(got_keys) == n, (cmd, got_keys)
        assert got_keys == [k for k in keys if k[0] == addr], (cmd, got_keys, keys)
    ports = [
        t["gatewayPort"]
        for t in relay_json("show amt relay tunnels gateway {} json".format(gw1_4))["amtr0"][
            "tunnels"
        ]
    ]
    assert sorted(ports) == sorted(gw.state()["local_port"] for gw in gws[:2]), ports
    detail = relay_json("show amt relay amtr0 tunnels gateway {} detail json".format(gw2_6))
    flows = [f for t in detail["amtr0"]["tunnels"] for f in t["flows"]]
    assert flows == [{"group": SSM_G1, "source": S1}], detail
    none = relay_json("show amt relay amtr0 tunnels gateway 192.0.2.99 json")
    assert none["amtr0"]["tunnels"] == [], none

    # The text form: the header counts that gateway's tunnels, one row each.
    text = relay_router().vtysh_cmd("show amt relay amtr0 tunnels gateway {}".format(NAT_OUTSIDE))
    logger.info("tunnels of gateway %s:\n%s", NAT_OUTSIDE, text)
    lines = text.splitlines()
    assert "AMT relay amtr0: 2 tunnel(s) of gateway {}".format(NAT_OUTSIDE) in lines, text
    rows = [l.split() for l in lines if l.split() and l.split()[0] not in ("AMT", "Gateway")]
    assert [(r[0], int(r[1])) for r in rows] == [k for k in keys if k[0] == NAT_OUTSIDE], text

    # The count form.
    count = relay_json("show amt relay amtr0 tunnels count json")["amtr0"]
    assert count["tunnelCount"] == len(keys), count
    text = relay_router().vtysh_cmd("show amt relay amtr0 tunnels count")
    logger.info("tunnel count:\n%s", text)
    assert re.search(r"^\s*Tunnels\s+{}\s*$".format(len(keys)), text, re.M), text

    # The northbound's list: the same tunnels in the same order, one by key.
    xp = "/frr-amtd:amtd/relay[name='amtr0']"
    yang = relay_json("show yang operational-data {} amtd".format(xp))
    yang_keys = [
        (t["gateway-address"], int(t["gateway-port"]))
        for t in dicts_with(yang, "gateway-address")
    ]
    assert yang_keys == keys, (yang_keys, keys)
    one = "{}/tunnel[gateway-address='{}'][gateway-port='{}']".format(xp, *keys[-1])
    got = dicts_with(relay_json("show yang operational-data {} amtd".format(one)), "gateway-address")
    assert [(t["gateway-address"], int(t["gateway-port"])) for t in got] == [keys[-1]], got
    absent = "{}/tunnel[gateway-address='{}'][gateway-port='1']".format(xp, gw1_4)
    got = dicts_with(relay_json("show yang operational-data {} amtd".format(absent)), "gateway-address")
    assert got == [], got
    state = grpc("get", xp, "state")
    assert state["ok"], state
    grpc_keys = [
        (t["gateway-address"], int(t["gateway-port"]))
        for t in dicts_with(state.get("data"), "gateway-address")
    ]
    assert grpc_keys == keys, (grpc_keys, keys)

    for gw in gws:
        gw.end()


def igmp_total_groups():
    "pimd's IGMP group count (the filter keeps the output short)"
    out = relay_json("show ip igmp groups amtr0 238.255.255.255 json")
    return out.get("totalGroups", 0)


def igmp_reports_v3():
    "IGMPv3 reports pimd received on amtr0"
    out = relay_json("show ip igmp statistics interface amtr0 json")
    return out.get("amtr0", {}).get("reportV3", 0)


def igmp_socket_drops():
    "datagrams the kernel dropped on the relay's raw IGMP sockets (pimd's)"
    drops, found = 0, False
    for line in relay_router().cmd("cat /proc/net/raw").splitlines()[1:]:
        f = line.split()
        # sl local_address rem_address st ... ref pointer drops; local port = protocol
        if len(f) >= 13 and f[1].endswith(":0002"):
            drops += int(f[12])
            found = True
    assert found, "no raw IGMP socket (pimd's) on the relay"
    return drops


def test_bursts_sent_as_udp_gso():
    "a channel's bursts go to its one gateway as UDP GSO messages, none lost"
    fresh_relay()
    key = flow(S1, SSM_BURST)
    gw1 = Gateway("gw1", "gso", ["--relay", RELAY4, "--join", key, "--duration", "60"])
    gw1.wait_handshake()
    before = relay_stats().get("sent", {})
    # 32 datagrams back to back, 4 times a second: the relay reads many of a
    # burst in one event and sends them to the gateway in few system calls.
    # (The kernel cuts GSO messages into datagrams on the relay's side: the
    # gateway receives ordinary AMT Data messages.)
    sender = start_process("src", "sender-burst", [
        PYTHON, SENDER, "--ifname", "src-eth0", "--rate", "4", "--burst", "32",
        "--burst-after", "3", "--duration", "13", "--flow", key])
    try:
        sender.wait(timeout=30)
    except subprocess.TimeoutExpired:
        sender.terminate()
        assert False, "burst sender did not end"
    st = gw1.wait(lambda s: s.get("flows", {}).get(key, {}).get("packets", 0) >= 32 * 30,
                  "the bursts")
    f = st["flows"][key]
    after = relay_stats().get("sent", {})
    msgs = after.get("gsoMessages", 0) - before.get("gsoMessages", 0)
    dgrams = after.get("gsoDatagrams", 0) - before.get("gsoDatagrams", 0)
    assert msgs >= 1 and dgrams >= 2 * msgs, (before, after)
    assert after.get("gsoUnrolled", 0) == before.get("gsoUnrolled", 0), after
    # Every datagram arrived, in order (counted from the first one received:
    # the first single ones may be lost while the route is installed).
    assert f["seq_gaps"] == 0 and f["seq_dups"] == 0, f
    gw1.stop()


def amtr0_tx_dropped():
    "amtr0's transmit drops as the kernel counts them."
    return int(relay_router().cmd("cat /sys/class/net/amtr0/statistics/tx_dropped").strip())


def ring_open():
    return relay_json("show amt relay json").get("amtr0", {}).get("packetRingOpen")


def test_packet_ring_read():
    "pseudo-interface-read packet-ring, the default: amtr0's traffic is taken from a packet ring, whole and in order; switched to reading the device, nothing is sent twice"
    fresh_relay()
    try:
        assert " pseudo-interface-read" not in relay_router().vtysh_cmd("show running-config")
        assert relay_json("show amt relay json")["amtr0"]["pseudoInterfaceRead"] == "packet-ring"
        wait_until(lambda: ring_open() is True,
                   lambda: "no packet ring: {}".format(relay_json("show amt relay json")))
        key = flow(S1, SSM_BURST)
        gw1 = Gateway("gw1", "ring", ["--relay", RELAY4, "--join", key, "--duration", "60"])
        gw1.wait_handshake()
        before = relay_stats()["pseudoInterface"]
        drops_before = amtr0_tx_dropped()
        # Bursts of 32, 4 a second, for 16 s; the relay goes back to reading
        # the device half way.
        sender = start_process("src", "sender-ring", [
            PYTHON, SENDER, "--ifname", "src-eth0", "--rate", "4", "--burst", "32",
            "--burst-after", "3", "--duration", "16", "--flow", key])
        st = gw1.wait(lambda s: s.get("flows", {}).get(key, {}).get("packets", 0) >= 32 * 16,
                      "the bursts through the ring")
        f = dict(st["flows"][key])
        mid = relay_stats()["pseudoInterface"]
        assert f["seq_gaps"] == 0 and f["seq_dups"] == 0, f
        assert mid["dataForwarded"] - before["dataForwarded"] >= 32 * 16, (before, mid)
        assert mid["ringDrops"] == before["ringDrops"], mid
        assert mid["ringTooLong"] == before["ringTooLong"], mid
        # The device was not read meanwhile: its queue filled, and the kernel
        # dropped every copy past it.
        qlen = int(relay_router().cmd("cat /sys/class/net/amtr0/tx_queue_len").strip())
        forwarded = mid["dataForwarded"] - before["dataForwarded"]
        dropped = amtr0_tx_dropped() - drops_before
        assert dropped >= forwarded - qlen > 0, (forwarded, dropped, qlen)

        relay_conf("pseudo-interface-read read")
        assert " pseudo-interface-read read\n" in relay_router().vtysh_cmd(
            "show running-config"
        )
        wait_until(lambda: ring_open() is False,
                   lambda: "ring still open: {}".format(relay_json("show amt relay json")))
        n = f["packets"]
        st = gw1.wait(lambda s: s["flows"][key]["packets"] >= n + 32 * 16,
                      "the bursts through the device again")
        try:
            sender.wait(timeout=30)
        except subprocess.TimeoutExpired:
            sender.terminate()
            assert False, "burst sender did not end"
        f = gw1.state()["flows"][key]
        # The device's queue, full of what the ring took, was emptied: no
        # packet came twice.  At most the burst in flight at the switch is lost.
        assert f["seq_dups"] == 0, f
        assert f["seq_gaps"] <= 32, f
        gw1.stop()
    finally:
        relay_conf("no pseudo-interface-read")
    assert " pseudo-interface-read" not in relay_router().vtysh_cmd("show running-config")
    wait_until(lambda: ring_open() is True,
               lambda: "no packet ring back: {}".format(relay_json("show amt relay json")))


def test_many_groups_reach_pimd_and_stay():
    "20,000 groups over 20 tunnels reach pimd, stay across its queries, and come back after a pimd restart"
    fresh_relay()
    per_gw, n_gw = 1000, 20
    wanted = flow(S1, SSM_G1)
    relay_conf("group-limit 1001")
    reports_before = igmp_reports_v3()
    # pimd queries amtr0 every 10 s: groups live 2 * 10 + 10 s unless
    # amtd's answers to every query reach pimd.
    relay_router().vtysh_cmd("configure terminal\ninterface amtr0\nip igmp query-interval 10\n")
    gws = []
    try:
        for i in range(n_gw):
            args = ["--relay", RELAY4, "--duration", "400", "--max-records", "100"]
            # 238/8 has no RP here: IGMP state only, no PIM joins.
            for j in range(per_gw):
                n = i * per_gw + j
                args += ["--join-asm", "238.{}.{}.{}".format(1 + n // 65536, (n // 256) % 256, n % 256)]
            if i == 0:
                args += ["--join", wanted]
            gws.append(Gateway("gw1" if i % 2 == 0 else "gw2", "many-{}".format(i), args))
        wait_until(
            lambda: igmp_total_groups() >= n_gw * per_gw,
            lambda: "pimd has {} IGMP groups of {}; relay {}".format(
                igmp_total_groups(), n_gw * per_gw, relay_stats().get("pseudoInterface")
            ),
            count=90,
        )
        # Records are packed into reports up to the MTU: one report per
        # record (the unpacked feed) would be at least 20,000 reports.
        reports = igmp_reports_v3() - reports_before
        print("IGMPv3 reports for {} groups: {}; raw socket drops {}".format(
            n_gw * per_gw, reports, igmp_socket_drops()))
        assert 0 < reports < n_gw * per_gw // 5, reports
        # Paced: written in bursts that pimd's socket absorbs (an unpaced
        # burst of thousands of reports overflows it by thousands).
        assert igmp_socket_drops() < 100, igmp_socket_drops()
        gws[0].wait_packets(wanted)
        # Several of pimd's query intervals: every group is still there.
        for _ in range(5):
            time.sleep(10)
            total = igmp_total_groups()
            assert total >= n_gw * per_gw, "pimd lost groups: {} of {}; relay {}".format(
                total, n_gw * per_gw, relay_stats().get("pseudoInterface")
            )
        # pimd restarted: it queries the new amtr0 state and amtd answers
        # with the union; no gateway has to do anything.
        relay = relay_router()
        relay.net.killRouterDaemons(["pimd"])
        relay.net.startRouterDaemons(["pimd"])
        relay.cmd("vtysh -b -d pimd")
        wait_until(
            lambda: igmp_total_groups() >= n_gw * per_gw,
            lambda: "after the pimd restart: {} IGMP groups of {}".format(
                igmp_total_groups(), n_gw * per_gw
            ),
            count=90,
        )
        before = gws[0].packets(wanted)
        wait_until(
            lambda: gws[0].packets(wanted) >= before + 40,
            "the stream did not resume after the pimd restart",
            count=60,
        )
        assert relay_stats()["pseudoInterface"]["writeErrors"] == 0, relay_stats()
    finally:
        for gw in gws:
            gw.stop()
        relay_conf("group-limit 256")
        relay_router().vtysh_cmd(
            "configure terminal\ninterface amtr0\nno ip igmp query-interval\n"
        )


# More tunnels than one slice of the listing (AMT_LISTING_SLICE, 500, in
# amtd/amt_relay_listing.c): amt_gw_emu's gateways, one per address of
# EMU_PREFIX, which the relay routes to gw1; gw1 does not forward, so it
# drops them silently, after the emulator's packet socket saw them.
EMU_PREFIX = "198.18.0.0/22"
EMU_TUNNELS = 800


def start_gw_emu(tag, port_base, duration):
    """EMU_TUNNELS emulated gateways on gw1, each joined to S1,SSM_G1;
    (process, path of its report)"""
    tgen = get_topogen()
    emu = build_gw_emu()
    out = os.path.join(tgen.logdir, "gw1", tag + ".kv")
    with open(out, "w") as f, open(out + ".err", "w") as ferr:
        proc = tgen.gears["gw1"].popen(
            [emu, "--ifname", "gw1-eth0", "--relay", RELAY4, "--prefix", EMU_PREFIX,
             "--ports-per-addr", "1", "--port-base", str(port_base), "--tunnels",
             str(EMU_TUNNELS), "--source", S1, "--group", SSM_G1, "--duration", str(duration),
             "--warmup-ms", "500", "--measure-ms", "1000",
             # Its default would end it 1.5 s after its tunnels last
             # received data: a clear of the relay's tunnels must not.
             "--idle-exit-ms", "0"], stdout=f, stderr=ferr)
    PROCS.append(proc)
    return proc, out


def relay_config_block():
    "amtr0's configuration as running-config shows it, from 'amt relay' to its 'exit'"
    header = "amt relay amtr0"
    body = node_lines(relay_router().vtysh_cmd("show running-config"), header)
    return "\n".join([header] + body + ["exit"]) + "\n"


def wait_tunnel_count(n, proc, out):
    "wait for n tunnels on the relay; proc, out: the emulator and its report, for the message"
    wait_until(
        lambda: relay_json("show amt relay amtr0 tunnels count json")["amtr0"]["tunnelCount"]
        >= n,
        lambda: "emulated tunnels: {}; emulator running: {}; its report: {} {}".format(
            relay_json("show amt relay amtr0 tunnels count json"), proc.poll() is None,
            open(out).read(), open(out + ".err").read()),
        count=40)


def vty_client_gone_mid_output(cmd, read=4096):
    """on the relay: connect to amtd's vty socket as vtysh does, send cmd,
    read up to `read` bytes of the answer and close; the bytes read.  With
    read=0 the client shuts its reading side before it sends cmd, so that
    amtd's very first write of the answer fails."""
    script = (
        "import glob, socket, sys, time\n"
        "path = glob.glob('/var/run/frr/**/amtd.vty', recursive=True)[0]\n"
        "s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
        "s.settimeout(10)\n"
        "s.connect(path)\n"
        "n = int(sys.argv[2])\n"
        "if not n:\n"
        "    s.shutdown(socket.SHUT_RD)\n"
        "s.sendall(sys.argv[1].encode() + b'\\0')\n"
        "got = s.recv(n) if n else b''\n"
        "if not n:\n"
        "    time.sleep(1)\n"
        "s.close()\n"
        "print(len(got))\n"
    )
    out = relay_router().cmd("{} -c \"{}\" '{}' {}".format(PYTHON, script, cmd, read))
    return int(out.strip().splitlines()[-1])


def test_long_listing_in_slices():
    "800 tunnels: the listing comes in slices, complete and in key order, text aligned; a client leaving midway is survived"
    relay = relay_router()
    fresh_relay()
    relay_conf("unauthenticated-rate-limit 100000", "unauthenticated-prefix-rate-limit 100000")
    relay.cmd("ip route add {} via {}".format(EMU_PREFIX, HOST_ADDR["gw1"][0]))
    proc, out = start_gw_emu("emu", 20000, 60)
    try:
        wait_tunnel_count(EMU_TUNNELS, proc, out)
        count = relay_json("show amt relay amtr0 tunnels count json")["amtr0"]["tunnelCount"]
        sliced = relay_json("show amt json")["slicedOutputs"]

        # JSON: every tunnel once, in key order, each with its flow.
        listing = relay_json("show amt relay amtr0 tunnels detail json")
        tunnels = listing["amtr0"]["tunnels"]
        keys = [(t["gateway"], t["gatewayPort"]) for t in tunnels]
        assert len(keys) == count, (len(keys), count)
        assert len(set(keys)) == len(keys), "a tunnel listed twice"
        assert keys == sorted(keys, key=tunnel_order), "tunnels not in key order"
        emulated = [t for t in tunnels if ipaddress.ip_address(t["gateway"])
                    in ipaddress.ip_network(EMU_PREFIX)]
        assert len(emulated) == EMU_TUNNELS, len(emulated)
        bad = [t for t in emulated if t["flows"] != [{"group": SSM_G1, "source": S1}]]
        assert bad == [], bad[:3]
        after = relay_json("show amt json")
        assert after["slicedOutputs"] == sliced + 1, (sliced, after)
        assert after["slicedOutputsRunning"] == 0, after

        # Text: one row per tunnel, every row's columns where the header's are.
        text = relay.vtysh_cmd("show amt relay amtr0 tunnels")
        lines = text.splitlines()
        assert "AMT relay amtr0: {} tunnel(s)".format(count) in lines, lines[:3]
        header = [l for l in lines if l.split()[:2] == ["Gateway", "Port"]]
        assert len(header) == 1, lines[:3]
        rows = [l for l in lines if l.split() and l.split()[0][0].isdigit()]
        assert len(rows) == count, (len(rows), count)
        port_end = header[0].index("Port") + len("Port")
        misaligned = [r for r in rows if not r[:port_end].rstrip()[-1].isdigit()
                      or r[port_end:port_end + 1] != " "]
        assert misaligned == [], misaligned[:3]
        detail = relay.vtysh_cmd("show amt relay amtr0 tunnels detail").splitlines()
        flows_at = detail.index("Flows of the tunnels")
        flow_rows = [l for l in detail[flows_at + 2:] if l.split()]
        assert len(flow_rows) == count, (len(flow_rows), count)
        assert relay_json("show amt json")["slicedOutputs"] == sliced + 3

        # One gateway's tunnels: a single slice.
        one = relay_json("show amt relay amtr0 tunnels gateway {} json".format(emulated[0]["gateway"]))
        assert [t["gateway"] for t in one["amtr0"]["tunnels"]] == [emulated[0]["gateway"]], one

        # A client that leaves mid-output: amtd gives the output up and serves on.
        got = vty_client_gone_mid_output("show amt relay amtr0 tunnels detail json")
        assert got > 0, got
        wait_until(lambda: relay_json("show amt json")["slicedOutputsRunning"] == 0,
                   "a sliced output left running after its client went", count=10)
        assert relay_json("show amt json")["slicedOutputs"] == sliced + 4
        # One that shut its reading side: amtd's very first write fails.
        # (Under User-Mode Linux's timing, the client above once left while
        # a later slice was being printed: FRR's vty_out() wrote, failed and
        # freed the vty under the printing, and amtd crashed.  vty_out() no
        # longer writes while a sliced output runs.)
        assert vty_client_gone_mid_output("show amt relay amtr0 tunnels detail json", 0) == 0
        wait_until(lambda: relay_json("show amt json")["slicedOutputsRunning"] == 0,
                   "a sliced output left running after its client went", count=10)
        assert relay_json("show amt json")["slicedOutputs"] == sliced + 5
        again = relay_json("show amt relay amtr0 tunnels json")["amtr0"]["tunnels"]
        assert len(again) >= EMU_TUNNELS, len(again)
        dead = relay.check_router_running()
        assert dead == "", dead
    finally:
        proc.kill()
        proc.wait()
        relay.cmd("ip route del {} via {}".format(EMU_PREFIX, HOST_ADDR["gw1"][0]))
        relay_conf("unauthenticated-rate-limit 1000", "no unauthenticated-prefix-rate-limit")
        relay.vtysh_cmd("clear amt relay amtr0 tunnels")


CAPTURE = os.path.join(CWD, "amt_seq_capture.py")
# Datagrams per event in test_fanout_in_slices: the smallest fanout-slice,
# so that one packet of S1,SSM_G1 to EMU_TUNNELS tunnels takes 13 events.
TEST_SLICE = 64


def kv_lines(text):
    "key=value lines as a dict of ints"
    out = {}
    for line in text.splitlines():
        k, sep, v = line.strip().partition("=")
        if sep:
            try:
                out[k] = int(v)
            except ValueError:
                pass
    return out


def test_fanout_in_slices():
    "a fan-out larger than fanout-slice is sent over several events: nothing lost, reordered or doubled on any tunnel, counted"
    tgen = get_topogen()
    relay = relay_router()
    fresh_relay()
    # The emulator repeats its handshake at the Query's interval: its
    # tunnels come back within seconds of a clear.
    relay_conf("unauthenticated-rate-limit 100000", "unauthenticated-prefix-rate-limit 100000",
               "fanout-slice {}".format(TEST_SLICE), "query-response-interval 2",
               "query-interval 3")
    summary = relay_json("show amt relay amtr0 json")["amtr0"]
    assert summary["fanoutSlice"] == TEST_SLICE, summary
    running = relay.vtysh_cmd("show running-config")
    assert " fanout-slice {}\n".format(TEST_SLICE) in running, running
    relay.cmd("ip route add {} via {}".format(EMU_PREFIX, HOST_ADDR["gw1"][0]))
    key = flow(S1, SSM_G1)
    gw2 = Gateway("gw2", "fanout", ["--relay", RELAY4, "--join", key, "--duration", "90"])
    proc, out = start_gw_emu("emu-fanout", 21000, 240)
    try:
        wait_tunnel_count(EMU_TUNNELS + 1, proc, out)
        gw2.wait_packets(key, n=20)
        before = relay_stats()
        gw_before = gw2.state()["flows"][key]
        # Every emulated tunnel's datagrams, taken on gw1 for 4 s (80
        # packets of the module's sender, each split into 13 slices) and
        # read after that window.
        cap = kv_lines(tgen.gears["gw1"].cmd(
            "{} {} --ifname gw1-eth0 --prefix {} --group {} --seconds 4".format(
                PYTHON, CAPTURE, EMU_PREFIX, SSM_G1)))
        after = relay_stats()
        gw_after = gw2.state()["flows"][key]
        logger.info("capture: %s; relay before %s after %s", cap, before.get("sent"),
                    after.get("sent"))
        split = after["sent"]["fanoutsSplit"] - before["sent"]["fanoutsSplit"]
        slices = after["sent"]["fanoutSlices"] - before["sent"]["fanoutSlices"]
        # 20 packets/s for about 4 s; each to 801 tunnels, 64 per event.
        per_packet = -(-(EMU_TUNNELS + 1 - TEST_SLICE) // TEST_SLICE)
        assert split >= 40, (before, after)
        assert slices >= per_packet * (split - 1), (split, slices)
        assert cap.get("capture_drops") == 0, cap
        assert cap.get("window_read") == 1, cap
        assert cap.get("tunnels") == EMU_TUNNELS, cap
        assert cap.get("min_per_tunnel", 0) >= 40, cap
        assert cap.get("datagrams", 0) >= 40 * EMU_TUNNELS, cap
        assert (cap.get("gaps"), cap.get("dups"), cap.get("reordered")) == (0, 0, 0), cap
        # The real gateway among them: in order, none missing, none twice.
        assert gw_after["packets"] >= gw_before["packets"] + 40, (gw_before, gw_after)
        assert gw_after["seq_gaps"] == 0 and gw_after["seq_dups"] == 0, gw_after
        # The same counters in the YANG state.
        xp = "/frr-amtd:amtd/relay[name='amtr0']/statistics"
        yang = dicts_with(relay_json("show yang operational-data {} amtd".format(xp)),
                          "split-fanouts")
        assert len(yang) == 1, yang
        assert int(yang[0]["split-fanouts"]) >= after["sent"]["fanoutsSplit"], yang
        assert int(yang[0]["fanout-slices"]) >= after["sent"]["fanoutSlices"], yang
        assert "fanout-tunnels-gone" in yang[0], yang

        # With the default slice 801 tunnels fit one event: no split.
        relay_conf("no fanout-slice")
        assert relay_json("show amt relay amtr0 json")["amtr0"]["fanoutSlice"] == 4096
        time.sleep(1)
        quiet = relay_stats()["sent"]
        time.sleep(2)
        again = relay_stats()["sent"]
        assert again["fanoutsSplit"] == quiet["fanoutsSplit"], (quiet, again)
        assert again["data"] >= quiet["data"] + 20 * (EMU_TUNNELS + 1), (quiet, again)

        # Tunnels removed while a fan-out is split: the rest of it skips
        # them and counts them.  Bursts of 32 packets, 12 a second, to 801
        # tunnels keep the relay sending slices nearly all the time, so a
        # clear lands between two slices of one fan-out; it is retried
        # (the emulator's tunnels come back) until one did.
        relay_conf("fanout-slice {}".format(TEST_SLICE))
        burst = start_process("src", "sender-fanout", [
            PYTHON, SENDER, "--ifname", "src-eth0", "--rate", "12", "--burst", "32",
            "--duration", "200", "--flow", key])
        try:
            gone = 0
            for _ in range(8):
                wait_tunnel_count(EMU_TUNNELS // 2, proc, out)
                time.sleep(0.5)
                relay.vtysh_cmd("clear amt relay amtr0 tunnels")
                time.sleep(0.3)
                gone = relay_stats()["errors"]["fanoutTunnelsGone"]
                if gone:
                    break
            logger.info("after the clears: %s", relay_stats())
            assert gone > 0, relay_stats()

            # The relay deleted while a fan-out is split: the rest of it is
            # dropped and logged with its count, amtd serves on, and the
            # relay comes back from the same configuration.  Retried (the
            # emulator's tunnels come back) until a deletion landed
            # between two slices.
            block = relay_config_block()
            log = os.path.join(tgen.logdir, "relay", "amtd.log")
            dropped = []
            for _ in range(5):
                wait_tunnel_count(EMU_TUNNELS // 2, proc, out)
                time.sleep(0.5)
                with open(log) as f:
                    f.seek(0, os.SEEK_END)
                    relay.vtysh_cmd("configure terminal\nno amt relay amtr0\n")
                    wait_until(lambda: "amtr0" not in relay_json("show amt relay json"),
                               lambda: "relay still there: {}".format(
                                   relay_json("show amt relay json")), count=10)
                    dropped = [line for line in f.read().splitlines()
                               if "of a split fan-out dropped with the relay" in line]
                out_conf = relay.vtysh_cmd("configure terminal\n" + block)
                assert "%" not in out_conf, out_conf
                wait_until(lambda: relay_json("show amt relay amtr0 json").get(
                    "amtr0", {}).get("operStatus") == "up",
                           lambda: "relay not back: {}".format(relay_json("show amt relay json")),
                           count=20)
                if dropped:
                    break
            logger.info("relay deleted mid-fan-out: %s", dropped)
            assert dropped, "no deletion landed in a split fan-out"
            assert relay.check_router_running() == ""
            # Back as it was: the channel reaches the emulated tunnels again.
            wait_tunnel_count(EMU_TUNNELS // 2, proc, out)
            sent = relay_stats()["sent"]["data"]
            wait_until(lambda: relay_stats()["sent"]["data"] > sent + EMU_TUNNELS // 2,
                       lambda: "no data after the relay came back: {}".format(relay_stats()),
                       count=10)
        finally:
            burst.terminate()
            burst.wait()
        dead = relay.check_router_running()
        assert dead == "", dead
    finally:
        proc.kill()
        proc.wait()
        gw2.stop()
        relay.cmd("ip route del {} via {}".format(EMU_PREFIX, HOST_ADDR["gw1"][0]))
        relay_conf("unauthenticated-rate-limit 1000", "no unauthenticated-prefix-rate-limit",
                   "no fanout-slice", "query-interval 125", "query-response-interval 10")
        relay.vtysh_cmd("clear amt relay amtr0 tunnels")


def test_relay_still_healthy():
    "after all of the above amtd, pimd and zebra still run and the relay is up"
    tgen = get_topogen()
    relay = tgen.gears["relay"]
    result = expect_json(relay, "show amt relay json", {"amtr0": {"operStatus": "up"}})
    assert result is None, result
    for rname in ("r1", "relay"):
        dead = tgen.gears[rname].check_router_running()
        assert dead == "", "{}: {}".format(rname, dead)


if __name__ == "__main__":
    args = ["-s"] + sys.argv[1:]
    sys.exit(pytest.main(args))
