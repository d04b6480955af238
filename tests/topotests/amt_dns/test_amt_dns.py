#!/usr/bin/env python
# SPDX-License-Identifier: ISC
#
# test_amt_dns.py: DNS relay discovery (RFC 8777) with a real DNS server.
#

"""
             +--- relay1 (zebra, pimd, amtd relay) ---+
    src -----+    10.0.1.1        198.51.100.1        +---- gw (zebra, amtd gateway)
 10.0.1.10   +--- relay2 (zebra, pimd, amtd relay) ---+     198.51.100.3
                  10.0.1.2        198.51.100.2        |
                                                      +---- dns (dnsmasq)
                                                            198.51.100.53

dns serves the AMTRELAY records (type 260) of 10.1.0.10.in-addr.arpa, the
reverse name of the source:

    precedence 10, D=1, relay type 3: relay1.amt.test (an A record: relay1)
    precedence 20, D=0, relay type 1: 198.51.100.2 (relay2)
    precedence  5, D=1, relay type 1 with a 3-byte address: malformed

The gateway router's resolv.conf (bind-mounted in its own mount namespace)
points at dns; its amtd gateway has "dns-discovery source 10.0.1.10" and
nothing else to find a relay.  An application on the gateway router joins
(10.0.1.10, 232.1.1.1) on the pseudo-interface amtg0.
"""

import json
import os
import sys

import pytest

CWD = os.path.dirname(os.path.realpath(__file__))
sys.path.append(os.path.join(CWD, "../"))

# pylint: disable=C0413
from lib import topotest
from lib.topogen import Topogen, get_topogen
from amt_helpers import (amtrelay_rdata, build_two_relay_topo, expect_json, gateway_oper_state,
                         poll_within, read_state, start_dnsmasq, start_receiver, start_sender,
                         start_two_relay_routers, stop_procs, wait_packets)

pytestmark = [pytest.mark.amtd, pytest.mark.pimd]

SRC, G1 = "10.0.1.10", "232.1.1.1"
DNS_ADDR = "198.51.100.53"
RELAY1, RELAY2 = "198.51.100.1", "198.51.100.2"
REVERSE = "10.1.0.10.in-addr.arpa"

RECORDS = [
    amtrelay_rdata(10, True, 3, "relay1.amt.test"),
    amtrelay_rdata(20, False, 1, bytes([198, 51, 100, 2])),
    # A type 1 record with a 3-byte address: the gateway must drop it.
    amtrelay_rdata(5, True, 1, bytes([10, 0, 1])),
]

procs = []


def build_topo(tgen):
    build_two_relay_topo(tgen)


def setup_module(mod):
    tgen = Topogen(build_topo, mod.__name__)
    tgen.start_topology()
    # The gateway router's resolver names dns (in its own mount namespace).
    start_two_relay_routers(tgen, CWD, DNS_ADDR)
    src, dns = tgen.gears["src"], tgen.gears["dns"]
    start_dnsmasq(procs, tgen, dns, DNS_ADDR, [
        # Authoritative for amt.test: no such record is NODATA, not REFUSED.
        "--local=/amt.test/", "--host-record=relay1.amt.test," + RELAY1,
        # A relay type 0 record: no relay for this name.
        "--dns-rr=norelay.amt.test,260," + amtrelay_rdata(0, False, 0, b""),
    ] + ["--dns-rr={},260,{}".format(REVERSE, rr) for rr in RECORDS])

    # Numbered datagrams, 20/s, for longer than the module runs.
    start_sender(procs, src, [(SRC, G1)], "src-eth0", duration=900)


def teardown_module(mod):
    tgen = get_topogen()
    stop_procs(procs)
    tgen.gears["gw"].cmd("umount /etc/resolv.conf")
    tgen.stop_topology()


def gw_state():
    gw = get_topogen().gears["gw"]
    return json.loads(gw.vtysh_cmd("show amt gateway amtg0 json"))["amtg0"]


def start_app(name, duration):
    "an application on the gateway router joined on amtg0"
    return start_receiver(procs, get_topogen().gears["gw"], name, SRC, G1, duration,
                          ifaddr="10.255.0.2", sender=SRC)


def diagnostics(name):
    "what the routers say, in a file named in the assertion message"
    tgen = get_topogen()
    out = []
    for rname, cmds in (
        ("gw", ["show amt gateway amtg0 json"]),
        ("relay1", ["show amt relay tunnels detail json", "show ip mroute"]),
        ("relay2", ["show amt relay tunnels detail json", "show ip mroute"]),
    ):
        for cmd in cmds:
            out.append("{}: {}\n{}".format(rname, cmd, tgen.gears[rname].vtysh_cmd(cmd)))
    for rname in ("relay1", "relay2"):
        for cmd in ("ip mroute show", "cat /proc/net/ip_mr_vif"):
            out.append("{}: {}\n{}".format(rname, cmd, tgen.gears[rname].cmd(cmd + " 2>&1")))
    out.append("processes (args, exit status): {}".format([(p.args, p.poll()) for p in procs]))
    path = os.path.join(tgen.logdir, "diagnostics-{}.txt".format(name))
    with open(path, "w") as f:
        f.write("\n".join(out))
    return "see " + path


def relay_tunnels(router):
    out = json.loads(router.vtysh_cmd("show amt relay tunnels json"))
    return [t["gateway"] for t in out["amtr0"]["tunnels"]]


def test_lowest_precedence_relay_is_used():
    "the gateway queries AMTRELAY, drops the bad record, uses precedence 10 (a name)"
    tgen = get_topogen()
    gw = tgen.gears["gw"]
    result = expect_json(
        gw, "show amt gateway amtg0 json",
        {"amtg0": {
            "state": "up", "relay": RELAY1, "relaySelection": "dns",
            "dns": {
                "queryName": REVERSE, "records": 2, "ttl": 30,
                "record": {"index": 1, "precedence": 10, "discoveryOptional": True,
                           "relayType": "name", "relayName": "relay1.amt.test",
                           "address": RELAY1},
            },
            # D=1: straight to a Request, no Relay Discovery.
            "counters": {"sentDiscovery": 0},
        }},
    )
    assert result is None, result
    dns = gw_state()["dns"]["counters"]
    assert dns["queries"] >= 1 and dns["answers"] >= 1, dns
    # The 3-byte IPv4 record is counted and never tried.
    assert dns["badRecords"] >= 1 and dns["relaysTried"] == 1, dns

    # The same, as YANG operational data.
    state = gateway_oper_state(gw)
    assert state["relay-selection"] == "dns", state
    assert state["dns"]["precedence"] == 10, state
    assert state["dns"]["relay-type"] == "name", state
    assert state["dns"]["relay-name"] == "relay1.amt.test", state
    assert int(state["dns"]["bad-records"]) >= 1, state


def test_stream_through_first_relay():
    "an application joined on amtg0 receives the stream through relay1"
    tgen = get_topogen()
    relay1, relay2 = tgen.gears["relay1"], tgen.gears["relay2"]
    state = start_app("app1", 40)
    assert wait_packets(state, 40), (read_state(state), diagnostics("app1"))
    ok, tunnels = topotest.run_and_expect(
        lambda: relay_tunnels(relay1), ["198.51.100.3"], count=10, wait=1)
    assert ok, tunnels
    assert relay_tunnels(relay2) == [], relay_tunnels(relay2)


def test_failover_to_next_record_by_relay_discovery():
    "relay1's amtd stops: ICMP, next record (D=0): Relay Discovery to relay2, stream resumes"
    tgen = get_topogen()
    gw, relay1, relay2 = tgen.gears["gw"], tgen.gears["relay1"], tgen.gears["relay2"]
    state = start_app("app2", 120)
    assert wait_packets(state, 20), read_state(state)

    relay1.net.killRouterDaemons(["amtd"])
    # The gateway's next Request meets a closed port (query interval 10 s).
    result = expect_json(
        gw, "show amt gateway amtg0 json",
        {"amtg0": {
            "state": "up", "relay": RELAY2, "relaySelection": "dns",
            "dns": {"record": {"index": 2, "precedence": 20, "discoveryOptional": False,
                               "relayType": "ipv4", "address": RELAY2}},
            "counters": {"sentDiscovery": 1, "receivedAdvertisement": 1},
        }},
        count=60,
    )
    assert result is None, result
    st = gw_state()["counters"]
    assert st["icmpErrors"] >= 1 and st["relayChanges"] == 1, st
    relay2_stats = json.loads(relay2.vtysh_cmd("show amt relay statistics json"))
    assert relay2_stats["amtr0"]["received"]["discovery"] >= 1, relay2_stats

    before = read_state(state).get("packets", 0)
    assert wait_packets(state, before + 40, count=60), read_state(state)
    assert relay_tunnels(relay2) == ["198.51.100.3"], relay_tunnels(relay2)


def test_failover_by_timeout_queries_dns_again():
    "relay2 stops answering: no record left, DNS is queried again, relay1 (back) is used"
    tgen = get_topogen()
    gw, relay1, relay2 = tgen.gears["gw"], tgen.gears["relay1"], tgen.gears["relay2"]
    relay1.net.startRouterDaemons(["amtd"])
    relay1.cmd("vtysh -b -d amtd")
    state = start_app("app3", 150)
    assert wait_packets(state, 20), read_state(state)
    queries = gw_state()["dns"]["counters"]["queries"]
    timeouts = gw_state()["counters"]["relayTimeouts"]

    # relay2 silently drops what the gateway sends: no ICMP, only silence.
    relay2.cmd("iptables -A INPUT -p udp --dport 2268 -j DROP")
    try:
        result = expect_json(
            gw, "show amt gateway amtg0 json",
            {"amtg0": {"state": "up", "relay": RELAY1,
                       "dns": {"record": {"index": 1, "precedence": 10}}}},
            count=90,
        )
        assert result is None, result
        st = gw_state()
        assert st["counters"]["relayTimeouts"] > timeouts, st
        assert st["dns"]["counters"]["queries"] > queries, st
        before = read_state(state).get("packets", 0)
        assert wait_packets(state, before + 40, count=60), read_state(state)
    finally:
        relay2.cmd("iptables -D INPUT -p udp --dport 2268 -j DROP")


def test_drain_moves_to_next_record():
    "relay1 drains (shutdown: L in every Query): the gateway moves to the next record"
    tgen = get_topogen()
    gw, relay1, relay2 = tgen.gears["gw"], tgen.gears["relay1"], tgen.gears["relay2"]
    state = start_app("app4", 120)
    assert wait_packets(state, 20), read_state(state)
    assert gw_state()["relay"] == RELAY1, gw_state()
    before = gw_state()["counters"]

    relay1.vtysh_cmd("configure terminal\namt relay amtr0\nshutdown\n")
    try:
        # Make-before-break: relay2 (D=0, by Relay Discovery) is brought up
        # before relay1 is left.
        result = expect_json(
            gw, "show amt gateway amtg0 json",
            {"amtg0": {"state": "up", "relay": RELAY2, "moving": False,
                       "lastRelayLeft": RELAY1,
                       "dns": {"record": {"index": 2, "precedence": 20}},
                       "counters": {"moves": before["moves"] + 1}}},
            count=60,
        )
        assert result is None, (result, diagnostics("drain"))
        st = gw_state()["counters"]
        assert st["queriesWithLimit"] > before["queriesWithLimit"], st
        assert st["relayChanges"] > before["relayChanges"], st
        assert st["sentLeaveUpdate"] > before["sentLeaveUpdate"], st
        packets = read_state(state).get("packets", 0)
        assert wait_packets(state, packets + 40, count=60), read_state(state)
        ok, tunnels = topotest.run_and_expect(
            lambda: relay_tunnels(relay2), ["198.51.100.3"], count=20, wait=1)
        assert ok, tunnels
        # The Update that left every group ended relay1's tunnel: within
        # 8 s, before its membership (about 21 s) could have run out.
        ok, tunnels = poll_within(lambda: relay_tunnels(relay1), [], 8)
        assert ok, tunnels
    finally:
        relay1.vtysh_cmd("configure terminal\namt relay amtr0\nno shutdown\n")


def test_configuration():
    "running-config and validation: dns-discovery excludes relay-address"
    tgen = get_topogen()
    gw = tgen.gears["gw"]
    conf = gw.vtysh_cmd("show running-config amtd")
    assert " dns-discovery source 10.0.1.10\n" in conf, conf
    out = gw.vtysh_cmd("configure terminal\namt gateway amtg0\nrelay-address 192.0.2.9\n")
    assert "dns-discovery excludes relay-address" in out, out
    out = gw.vtysh_cmd("configure terminal\namt gateway amtg0\ndns-discovery source 232.1.1.1\n")
    assert "not a unicast address" in out, out
    conf = gw.vtysh_cmd("show running-config amtd")
    assert "relay-address" not in conf and "232.1.1.1" not in conf, conf


def test_name_saying_no_relay_backs_off():
    "a name whose only AMTRELAY record says 'no relay': the gateway waits and asks again"
    tgen = get_topogen()
    gw = tgen.gears["gw"]
    gw.vtysh_cmd("configure terminal\namt gateway amtg0\ndns-discovery name norelay.amt.test\n")
    result = expect_json(
        gw, "show amt gateway amtg0 json",
        {"amtg0": {"state": "idle", "relay": "-",
                   "dns": {"queryName": "norelay.amt.test", "records": 0}}},
        count=20,
    )
    assert result is None, result

    def counters():
        return gw_state()["dns"]["counters"]

    # Asked again after the back-off (5 s), each answer counted.
    ok, c = topotest.run_and_expect(
        lambda: counters()["emptyAnswers"] >= 2 and counters()["noRelayRecords"] >= 2,
        True, count=20, wait=1)
    assert ok, counters()
    assert gw_state()["state"] == "idle", gw_state()
    conf = gw.vtysh_cmd("show running-config amtd")
    assert " dns-discovery name norelay.amt.test\n" in conf, conf
    assert "dns-discovery source" not in conf, conf


if __name__ == "__main__":
    args = ["-s"] + sys.argv[1:]
    sys.exit(pytest.main(args))
