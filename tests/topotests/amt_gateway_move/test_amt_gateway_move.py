#!/usr/bin/env python
# SPDX-License-Identifier: ISC
#
# test_amt_gateway_move.py: a relay drains (shutdown, L in every Query) and
# the gateway moves to another relay make-before-break, without loss.
#

"""
             +--- relay1 (zebra, pimd, amtd relay) ---+
    src -----+    10.0.1.1        198.51.100.1        +---- gw (zebra, amtd gateway)
 10.0.1.10   +--- relay2 (zebra, pimd, amtd relay) ---+     198.51.100.3
                  10.0.1.2        198.51.100.2        |
                                                      +---- dns (dnsmasq)
                                                            198.51.100.53

dns serves two AMTRELAY records at 10.1.0.10.in-addr.arpa (the source's
reverse name), both D=1: precedence 10 relay1, precedence 20 relay2.  The
source sends two numbered streams, 100 datagrams/s each, (10.0.1.10,
232.1.1.1) and (10.0.1.10, 232.1.1.2); two receivers on the gateway router,
joined on amtg0, account for every sequence number (seq_receiver.py).
"""

import ipaddress
import json
import os
import sys

import pytest

CWD = os.path.dirname(os.path.realpath(__file__))
sys.path.append(os.path.join(CWD, "../"))

# pylint: disable=C0413
from lib import topotest
from lib.topogen import Topogen, get_topogen
from amt_helpers import (PYTHON, amtrelay_rdata, build_two_relay_topo, expect_json,
                         gateway_oper_state, poll_within, read_state, start_dnsmasq, start_sender,
                         start_two_relay_routers, stop_procs)

pytestmark = [pytest.mark.amtd, pytest.mark.pimd]

SEQ_RECEIVER = os.path.join(CWD, "seq_receiver.py")
SRC, G1, G2 = "10.0.1.10", "232.1.1.1", "232.1.1.2"
GW_ADDR = "198.51.100.3"
DNS_ADDR = "198.51.100.53"
RELAY1, RELAY2 = "198.51.100.1", "198.51.100.2"
REVERSE = "10.1.0.10.in-addr.arpa"
RATE = 100

RECORDS = [
    amtrelay_rdata(10, True, 1, bytes([198, 51, 100, 1])),
    amtrelay_rdata(20, True, 1, bytes([198, 51, 100, 2])),
]

procs = []


def build_topo(tgen):
    build_two_relay_topo(tgen)


def setup_module(mod):
    tgen = Topogen(build_topo, mod.__name__)
    tgen.start_topology()
    start_two_relay_routers(tgen, CWD, DNS_ADDR)
    src, dns = tgen.gears["src"], tgen.gears["dns"]
    start_dnsmasq(procs, tgen, dns, DNS_ADDR,
                  ["--dns-rr={},260,{}".format(REVERSE, rr) for rr in RECORDS])
    start_sender(procs, src, [(SRC, G1), (SRC, G2)], "src-eth0", rate=RATE, duration=900)


def teardown_module(mod):
    tgen = get_topogen()
    stop_procs(procs)
    tgen.gears["gw"].cmd("umount /etc/resolv.conf")
    tgen.stop_topology()


def gw_state():
    gw = get_topogen().gears["gw"]
    return json.loads(gw.vtysh_cmd("show amt gateway amtg0 json"))["amtg0"]


def relay_tunnels(name):
    out = json.loads(get_topogen().gears[name].vtysh_cmd("show amt relay tunnels json"))
    return sorted(t["gateway"] for t in out["amtr0"]["tunnels"])


def relay_conf(name, line):
    get_topogen().gears[name].vtysh_cmd("configure terminal\namt relay amtr0\n{}\n".format(line))


def start_receivers(tag, duration=300):
    "a receiver per stream on the gateway router; their state files"
    tgen = get_topogen()
    gw = tgen.gears["gw"]
    paths = []
    for group in (G1, G2):
        path = os.path.join(tgen.logdir, "gw", "{}-{}.json".format(tag, group))
        if os.path.exists(path):
            os.unlink(path)
        procs.append(gw.popen([PYTHON, SEQ_RECEIVER, "--source", SRC, "--group", group,
                               "--ifaddr", "10.255.0.2", "--duration", str(duration),
                               "--state-file", path]))
        paths.append(path)
    return paths


def wait_received(paths, minimum, count=60):
    "True once every receiver has at least minimum distinct numbers"
    ok, _ = topotest.run_and_expect(
        lambda: all(read_state(p).get("distinct", 0) >= minimum for p in paths),
        True, count=count, wait=1)
    return ok


def received_more(paths, extra, count=60):
    "wait until every receiver got extra more distinct numbers; their states"
    base = [read_state(p).get("distinct", 0) for p in paths]
    ok, _ = topotest.run_and_expect(
        lambda: all(read_state(p).get("distinct", 0) >= b + extra for p, b in zip(paths, base)),
        True, count=count, wait=1)
    states = [read_state(p) for p in paths]
    assert ok, states
    return states


def assert_no_loss(states):
    "lost == 0 over a stretch that is not empty; duplicates allowed"
    assert len(states) == 2, states
    for st in states:
        assert st.get("distinct", 0) >= RATE, st
        assert st["last_seq"] - st["first_seq"] + 1 >= st["distinct"] > 0, st
        assert st["lost"] == 0, st


def diagnostics(name):
    tgen = get_topogen()
    out = []
    for rname, cmds in (
        ("gw", ["show amt gateway amtg0 json"]),
        ("relay1", ["show amt relay json", "show amt relay tunnels detail json",
                    "show ip mroute"]),
        ("relay2", ["show amt relay json", "show amt relay tunnels detail json",
                    "show ip mroute"]),
    ):
        for cmd in cmds:
            out.append("{}: {}\n{}".format(rname, cmd, tgen.gears[rname].vtysh_cmd(cmd)))
    path = os.path.join(tgen.logdir, "diagnostics-{}.txt".format(name))
    with open(path, "w") as f:
        f.write("\n".join(out))
    return "see " + path


def test_streams_through_relay1():
    "the gateway uses relay1 (precedence 10); both streams arrive without loss"
    gw = get_topogen().gears["gw"]
    result = expect_json(gw, "show amt gateway amtg0 json",
                         {"amtg0": {"state": "up", "relay": RELAY1, "moving": False,
                                    "dns": {"record": {"index": 1, "precedence": 10}}}})
    assert result is None, result
    paths = start_receivers("before", duration=60)
    assert wait_received(paths, RATE), ([read_state(p) for p in paths], diagnostics("relay1"))
    assert_no_loss(received_more(paths, RATE))
    ok, tunnels = topotest.run_and_expect(lambda: relay_tunnels("relay1"), [GW_ADDR],
                                          count=10, wait=1)
    assert ok, tunnels
    assert relay_tunnels("relay2") == [], relay_tunnels("relay2")
    # Without G (amtd's relay sets it for RFC gateways) or with it, the
    # gateway knows the endpoint the relay sees: no NAT here, our own.
    st = gw_state()
    assert st["addressSeenByRelay"] == GW_ADDR, st
    assert st["seenFrom"] in ("gateway-fields", "local"), st
    # IPv4 groups only: Requests without P.
    assert st["counters"]["sentRequest"] >= 1, st
    assert st["counters"]["sentRequestMld"] == 0, st


def test_drain_moves_without_loss():
    "relay1 drains: the gateway moves to relay2 make-before-break, no datagram lost"
    gw = get_topogen().gears["gw"]
    paths = start_receivers("move", duration=150)
    assert wait_received(paths, RATE), [read_state(p) for p in paths]
    before = gw_state()["counters"]

    relay_conf("relay1", "shutdown")
    # The next refresh (query interval 10 s) brings L.
    result = expect_json(
        gw, "show amt gateway amtg0 json",
        {"amtg0": {"state": "up", "relay": RELAY2, "moving": False, "lastRelayLeft": RELAY1,
                   "dns": {"record": {"index": 2, "precedence": 20, "address": RELAY2}},
                   "counters": {"moves": before["moves"] + 1,
                                "movesStarted": before["movesStarted"] + 1}}},
        count=60,
    )
    assert result is None, (result, diagnostics("move"))
    st = gw_state()
    c = st["counters"]
    assert c["queriesWithLimit"] > before["queriesWithLimit"], c
    assert c["sentLeaveUpdate"] >= before["sentLeaveUpdate"] + 1, c
    # (Data from the old relay during the move is counted, not asserted: a
    # move of a few ms between two datagrams of 100/s sees none.  That no
    # datagram is lost across it, below, is what shows make-before-break.)
    assert c["movesFailed"] == before["movesFailed"], c
    assert 0 < st["lastMoveMs"] < 60000, st

    # relay1 ends with no tunnel (the Update left every group), relay2 has it.
    # Within 8 s: without that Update the tunnel would stay until its
    # membership ran out (about 21 s at query interval 10 s).
    ok, tunnels = poll_within(lambda: relay_tunnels("relay1"), [], 8)
    assert ok, (tunnels, diagnostics("relay1-left"))
    assert relay_tunnels("relay2") == [GW_ADDR], relay_tunnels("relay2")

    # Streams go on through relay2; across the move, nothing was lost.
    states = received_more(paths, 2 * RATE)
    assert_no_loss(states)
    # The whole move lies inside what the receivers accounted for.
    assert all(s["distinct"] > (st["lastMoveMs"] / 1000.0 + 2) * RATE for s in states), states
    with open(os.path.join(get_topogen().logdir, "move-measurement.json"), "w") as f:
        json.dump({"lastMoveMs": st["lastMoveMs"], "receivers": states}, f)

    oper = gateway_oper_state(gw)
    assert oper["relay"] == RELAY2, oper
    assert oper["moving"] is False, oper
    assert int(oper["moves"]) == c["moves"], oper
    assert int(oper["last-move-duration"]) == st["lastMoveMs"], oper


def test_no_other_relay_stays():
    "relay2 drains too: relay1 refuses a new tunnel, so the gateway stays with relay2"
    paths = start_receivers("stay", duration=150)
    assert wait_received(paths, RATE), [read_state(p) for p in paths]
    before = gw_state()["counters"]

    relay_conf("relay2", "shutdown")
    ok, c = topotest.run_and_expect(
        lambda: gw_state()["counters"]["movesFailed"] > before["movesFailed"], True,
        count=60, wait=1)
    st = gw_state()
    assert ok, (st, diagnostics("stay"))
    assert st["relay"] == RELAY2 and st["state"] == "up" and not st["moving"], st
    assert st["counters"]["moves"] == before["moves"], st
    assert relay_tunnels("relay2") == [GW_ADDR], relay_tunnels("relay2")
    assert relay_tunnels("relay1") == [], relay_tunnels("relay1")
    assert_no_loss(received_more(paths, 2 * RATE))


def test_configured_relay_kept_on_l():
    "with relay-address (no discovery, no DNS) a relay that sets L is kept"
    gw = get_topogen().gears["gw"]
    relay_conf("relay2", "no shutdown")
    gw.vtysh_cmd("configure terminal\namt gateway amtg0\nno dns-discovery source 10.0.1.10\n"
                 "relay-address {}\n".format(RELAY2))
    result = expect_json(gw, "show amt gateway amtg0 json",
                         {"amtg0": {"state": "up", "relay": RELAY2,
                                    "relaySelection": "configured"}})
    assert result is None, result
    paths = start_receivers("configured", duration=150)
    assert wait_received(paths, RATE), [read_state(p) for p in paths]
    before = gw_state()["counters"]

    relay_conf("relay2", "shutdown")
    ok, _ = topotest.run_and_expect(
        lambda: gw_state()["counters"]["queriesWithLimit"] >= before["queriesWithLimit"] + 2,
        True, count=40, wait=1)
    st = gw_state()
    assert ok, st
    assert st["relay"] == RELAY2 and st["state"] == "up" and not st["moving"], st
    assert st["counters"]["movesStarted"] == before["movesStarted"], st
    assert st["counters"]["relayChanges"] == before["relayChanges"], st
    assert_no_loss(received_more(paths, 2 * RATE))
    relay_conf("relay2", "no shutdown")
    relay_conf("relay1", "no shutdown")



def relay_stats(name):
    out = json.loads(get_topogen().gears[name].vtysh_cmd("show amt relay statistics json"))
    return out["amtr0"]


def test_own_address_change_without_g():
    "a relay that never sets G: the gateway sees its own new address, tears the old tunnel down"
    gw = get_topogen().gears["gw"]
    new_addr = "198.51.100.4"
    relay_conf("relay2", "gateway-fields never")
    # The next Query has no G: what the relay sees is the gateway's own end.
    result = expect_json(gw, "show amt gateway amtg0 json",
                         {"amtg0": {"state": "up", "relay": RELAY2, "seenFrom": "local",
                                    "addressSeenByRelay": GW_ADDR}}, count=30)
    assert result is None, result
    ok, tunnels = topotest.run_and_expect(lambda: relay_tunnels("relay2"), [GW_ADDR],
                                          count=20, wait=1)
    assert ok, tunnels
    before = gw_state()
    rbefore = relay_stats("relay2")
    assert before["portSeenByRelay"] > 0, before

    # A new address; the old one goes (the new one, secondary, stays).
    gw.cmd("sysctl -w net.ipv4.conf.gw-eth0.promote_secondaries=1")
    gw.cmd("ip addr add {}/24 dev gw-eth0".format(new_addr))
    gw.cmd("ip addr del {}/24 dev gw-eth0".format(GW_ADDR))
    assert GW_ADDR not in gw.cmd("ip -4 addr show dev gw-eth0"), gw.cmd("ip addr")
    # Noticed before the next refresh Request (query interval 10 s).
    result = expect_json(
        gw, "show amt gateway amtg0 json",
        {"amtg0": {"state": "up", "relay": RELAY2, "seenFrom": "local",
                   "addressSeenByRelay": new_addr, "portSeenByRelay": before["portSeenByRelay"],
                   "counters": {"natChanges": before["counters"]["natChanges"] + 1,
                                "sentTeardown": before["counters"]["sentTeardown"] + 1}}},
        count=30)
    assert result is None, (result, diagnostics("own-address"))
    # The Teardown (old address, port, nonce, MAC) ends the old tunnel at
    # once; without it, it would stay until its membership ran out (25 s).
    ok, tunnels = poll_within(lambda: GW_ADDR in relay_tunnels("relay2"), False, 8)
    assert ok, relay_tunnels("relay2")
    r = relay_stats("relay2")
    assert r["received"]["teardown"] == rbefore["received"]["teardown"] + 1, r
    assert r["errors"]["nonceMismatch"] == rbefore["errors"]["nonceMismatch"], r
    # The new endpoint's tunnel carries the streams.
    ok, tunnels = topotest.run_and_expect(lambda: relay_tunnels("relay2"), [new_addr],
                                          count=30, wait=1)
    assert ok, tunnels
    paths = start_receivers("own-address", duration=60)
    assert wait_received(paths, RATE), [read_state(p) for p in paths]


RELAY1_6, RELAY2_6, GW_ADDR_6 = "2001:db8:100::1", "2001:db8:100::2", "2001:db8:100::3"


def restart_dnsmasq(records):
    "dnsmasq again, answering the source's reverse name with records"
    tgen = get_topogen()
    for p in [p for p in procs if "dnsmasq" in " ".join(map(str, p.args))]:
        p.terminate()
        p.wait(timeout=10)
        procs.remove(p)
    start_dnsmasq(procs, tgen, tgen.gears["dns"], DNS_ADDR,
                  ["--dns-rr={},260,{}".format(REVERSE, rr) for rr in records])


def test_ipv6_outer_move():
    "IPv6 relays (AMTRELAY type 2): the gateway moves between them over IPv6, without loss"
    tgen = get_topogen()
    gw = tgen.gears["gw"]
    for name, addr in (("relay1", RELAY1_6), ("relay2", RELAY2_6)):
        tgen.gears[name].cmd("ip -6 addr add {}/64 dev {}-eth1 nodad".format(addr, name))
        relay_conf(name, "gateway-fields auto\nno shutdown\nlocal-address {}".format(addr))
    gw.cmd("ip -6 addr add {}/64 dev gw-eth0 nodad".format(GW_ADDR_6))
    restart_dnsmasq([
        amtrelay_rdata(10, True, 2, ipaddress.IPv6Address(RELAY1_6).packed),
        amtrelay_rdata(20, True, 2, ipaddress.IPv6Address(RELAY2_6).packed),
    ])
    gw.vtysh_cmd("configure terminal\namt gateway amtg0\nno relay-address\n"
                 "dns-discovery source {}\n".format(SRC))
    result = expect_json(gw, "show amt gateway amtg0 json",
                         {"amtg0": {"state": "up", "relay": RELAY1_6, "moving": False,
                                    "dns": {"record": {"index": 1, "precedence": 10}}}},
                         count=60)
    assert result is None, (result, diagnostics("ipv6-relay1"))
    paths = start_receivers("ipv6", duration=150)
    assert wait_received(paths, RATE), ([read_state(p) for p in paths], diagnostics("ipv6"))
    ok, tunnels = topotest.run_and_expect(lambda: relay_tunnels("relay1"), [GW_ADDR_6],
                                          count=20, wait=1)
    assert ok, tunnels
    before = gw_state()["counters"]

    relay_conf("relay1", "shutdown")
    result = expect_json(
        gw, "show amt gateway amtg0 json",
        {"amtg0": {"state": "up", "relay": RELAY2_6, "moving": False,
                   "lastRelayLeft": RELAY1_6,
                   "counters": {"moves": before["moves"] + 1}}},
        count=60,
    )
    assert result is None, (result, diagnostics("ipv6-move"))
    ok, tunnels = poll_within(lambda: relay_tunnels("relay1"), [], 8)
    assert ok, (tunnels, diagnostics("ipv6-relay1-left"))
    assert relay_tunnels("relay2") == [GW_ADDR_6], relay_tunnels("relay2")
    assert_no_loss(received_more(paths, 2 * RATE))
    relay_conf("relay1", "no shutdown")


if __name__ == "__main__":
    args = ["-s"] + sys.argv[1:]
    sys.exit(pytest.main(args))
