#!/usr/bin/env python
# SPDX-License-Identifier: ISC
#
# test_amt_netconf_stream.py: an AMT relay and gateway made, read and
# removed over NETCONF only, with a multicast stream flowing between them.
#

"""
    src ---------- relay ============ gw
  10.0.1.10   (zebra, pimd,       (zebra, pimd,
               amtd + netconf)     amtd + netconf)
          10.0.1.1       192.0.2.1   192.0.2.2

Neither router's frr.conf holds AMT configuration: the relay amtr0 and
the gateway amtg0 are created by edit-config + commit over each router's
NETCONF server (ncclient, nc_client.py), vtysh's running-config shows
them, a change made in vtysh is seen by get-config, an SSM stream from src
reaches an application joined on the gateway's amtg0, a get with subtree
and XPath filters returns the relay's tunnel and statistics (counters
growing while it flows), and both are deleted over NETCONF again.
"""

import json
import os
import re
import sys
import xml.etree.ElementTree as ET

import pytest

CWD = os.path.dirname(os.path.realpath(__file__))
sys.path.append(os.path.join(CWD, "../"))
sys.path.append(CWD)

# pylint: disable=C0413
from amt_helpers import expect_json, read_state, start_receiver, start_sender
from amt_helpers import stop_procs, wait_packets
from lib import topotest
from lib.topogen import Topogen, TopoRouter, get_topogen
from nc_setup import NS_AMTD, amtd_args, amtd_config, make_keys, run_script

pytestmark = [pytest.mark.amtd, pytest.mark.pimd]

# The NETCONF port (RFC 6242 section 3), below 1024: amtd, user frr, binds
# it with its privileges raised.
PORT = 830
SRC, GROUP = "10.0.1.10", "232.1.1.1"
GW_IFADDR = "10.255.0.2"

RELAY = (
    '<relay nc:operation="create"><name>amtr0</name>'
    "<local-address>192.0.2.1</local-address>"
    "<query-interval>20</query-interval>"
    "<query-response-interval>5</query-response-interval></relay>"
)
GATEWAY = (
    '<gateway nc:operation="create"><name>amtg0</name>'
    "<relay-address>192.0.2.1</relay-address>"
    "<source-prefix>10.0.1.0/24</source-prefix></gateway>"
)

procs = []


# (router, interface) pairs of each link
LINKS = ((("src", "src-eth0"), ("relay", "relay-eth0")), (("relay", "relay-eth1"), ("gw", "gw-eth0")))


def build_topo(tgen):
    for name in ("src", "relay", "gw"):
        tgen.add_router(name)
    for (a, aif), (b, bif) in LINKS:
        tgen.add_link(tgen.gears[a], tgen.gears[b], aif, bif)


def keydir(tgen):
    return os.path.join(tgen.logdir, "netconf-keys")


def setup_module(mod):
    tgen = Topogen(build_topo, mod.__name__)
    tgen.start_topology()
    authkeys = make_keys(keydir(tgen))
    for name in ("relay", "gw"):
        state = os.path.join(tgen.logdir, "netconf-state-" + name)
        args = amtd_args(__file__, state, PORT, authkeys, os.path.join(state, "host_key"))
        tgen.gears[name].load_frr_config(
            os.path.join(CWD, name, "frr.conf"),
            [
                (TopoRouter.RD_ZEBRA, None),
                (TopoRouter.RD_MGMTD, None),
                (TopoRouter.RD_PIM, None),
                (TopoRouter.RD_AMTD, args),
            ],
        )
    tgen.start_router()
    src = tgen.gears["src"]
    src.cmd("ip addr add 10.0.1.10/24 dev src-eth0")
    src.cmd("ip route add default via 10.0.1.1")
    start_sender(procs, src, [(SRC, GROUP)], "src-eth0")


def teardown_module(mod):
    stop_procs(procs)
    get_topogen().stop_topology()


def script(name, steps):
    "steps (nc_client.script) over the NETCONF server of router name"
    tgen = get_topogen()
    key = os.path.join(keydir(tgen), "good")
    return run_script(tgen.gears[name], PORT, key, tgen.logdir, steps)


def instances(name):
    "the AMT instances show amt json lists on router name"
    out = json.loads(get_topogen().gears[name].vtysh_cmd("show amt json"))
    return sorted(out.get("instances", {}))


def running(name):
    return get_topogen().gears[name].vtysh_cmd("show running-config")


def entries(xml, kind, name):
    "the relay or gateway entries called name in a NETCONF <data> answer"
    root = ET.fromstring(xml)
    return [
        e
        for e in root.iter("{%s}%s" % (NS_AMTD, kind))
        if e.findtext("{%s}name" % NS_AMTD) == name
    ]


def leaf_int(elem, path):
    text = elem.findtext(path.replace("amt:", "{%s}" % NS_AMTD))
    assert text is not None, (path, ET.tostring(elem).decode())
    return int(text)


def test_nothing_configured():
    "before NETCONF acts neither router has an AMT instance"
    for name in ("relay", "gw"):
        assert instances(name) == [], (name, instances(name))
        assert not re.search(r"^amt (relay|gateway) ", running(name), re.M), running(name)


def test_create_relay_and_gateway():
    "edit-config + commit make the relay and the gateway; vtysh shows them"
    for name, body, kind, inst in (
        ("relay", RELAY, "relay", "amtr0"),
        ("gw", GATEWAY, "gateway", "amtg0"),
    ):
        xpath = "/amt:amtd/amt:%s[amt:name='%s']" % (kind, inst)
        res = script(
            name,
            [
                {"op": "lock", "target": "candidate"},
                {"op": "edit", "config": amtd_config(body)},
                {"op": "commit"},
                {"op": "unlock", "target": "candidate"},
                {"op": "get_config", "source": "running", "xpath": xpath},
            ],
        )
        for r in res[:4]:
            assert r == {"result": "ok"}, (name, res)
        assert len(entries(res[4]["xml"], kind, inst)) == 1, (name, res[4])
        assert instances(name) == [inst], (name, instances(name))
    conf = running("relay")
    assert re.search(r"^amt relay amtr0$", conf, re.M), conf
    assert re.search(r"^ local-address 192\.0\.2\.1$", conf, re.M), conf
    assert re.search(r"^ query-interval 20$", conf, re.M), conf
    conf = running("gw")
    assert re.search(r"^amt gateway amtg0$", conf, re.M), conf
    assert re.search(r"^ relay-address 192\.0\.2\.1$", conf, re.M), conf
    assert re.search(r"^ source-prefix 10\.0\.1\.0/24$", conf, re.M), conf
    # the gateway reaches the relay
    gw = get_topogen().gears["gw"]
    result = expect_json(
        gw, "show amt gateway json", {"amtg0": {"state": "up", "relay": "192.0.2.1"}}
    )
    assert result is None, result


def test_vtysh_change_seen_by_get_config():
    "a change made in vtysh shows in get-config of running and candidate"
    relay = get_topogen().gears["relay"]
    relay.vtysh_cmd("configure terminal\namt relay amtr0\ntunnel-limit 321\n")
    xpath = "/amt:amtd/amt:relay[amt:name='amtr0']/amt:tunnel-limit"
    res = script(
        "relay",
        [
            {"op": "get_config", "source": "running", "xpath": xpath},
            {"op": "get_config", "source": "candidate", "xpath": xpath},
        ],
    )
    for r in res:
        rel = entries(r["xml"], "relay", "amtr0")
        assert len(rel) == 1, res
        assert leaf_int(rel[0], "amt:tunnel-limit") == 321, res


def test_stream_flows_relay_to_gateway():
    "an application joined on amtg0 receives the stream through the tunnel"
    tgen = get_topogen()
    gw, relay = tgen.gears["gw"], tgen.gears["relay"]
    state = start_receiver(procs, gw, "app", SRC, GROUP, 300, ifaddr=GW_IFADDR, sender=SRC)
    assert wait_packets(state, 40), read_state(state)
    tunnels = json.loads(relay.vtysh_cmd("show amt relay tunnels json"))
    assert len(tunnels["amtr0"]["tunnels"]) == 1, tunnels
    assert tunnels["amtr0"]["tunnels"][0]["gateway"] == "192.0.2.2", tunnels
    counters = json.loads(gw.vtysh_cmd("show amt gateway json"))["amtg0"]["counters"]
    assert counters["receivedData"] >= 40, counters


SUBTREE = (
    '<amtd xmlns="%s"><relay><name>amtr0</name><tunnel/><statistics/></relay></amtd>' % NS_AMTD
)
TUNNEL_XPATH = "/amt:amtd/amt:relay[amt:name='amtr0']/amt:tunnel"


def relay_oper():
    "a get with a subtree and one with an XPath filter on the relay"
    res = script("relay", [{"op": "get", "subtree": SUBTREE}, {"op": "get", "xpath": TUNNEL_XPATH}])
    for r in res:
        assert r["result"] == "data", res
    return res


def tunnel_data_packets():
    rel = entries(relay_oper()[0]["xml"], "relay", "amtr0")
    tunnels = rel[0].findall("{%s}tunnel" % NS_AMTD)
    return leaf_int(tunnels[0], "amt:data-packets") if len(tunnels) == 1 else -1


def test_get_tunnels_and_statistics_while_flowing():
    "get with a filter returns the relay's tunnel and statistics, counters growing"
    res = relay_oper()
    rel = entries(res[0]["xml"], "relay", "amtr0")
    assert len(rel) == 1, res[0]
    # only what the filter selects: the key, the tunnels, the statistics
    kids = sorted({c.tag.split("}")[1] for c in rel[0]})
    assert kids == ["name", "statistics", "tunnel"], (kids, res[0])
    tunnels = rel[0].findall("{%s}tunnel" % NS_AMTD)
    assert len(tunnels) == 1, res[0]
    tun = tunnels[0]
    assert tun.findtext("{%s}gateway-address" % NS_AMTD) == "192.0.2.2", res[0]
    assert leaf_int(tun, "amt:group-count") == 1, res[0]
    assert leaf_int(tun, "amt:membership-updates") > 0, res[0]
    first = leaf_int(tun, "amt:data-packets")
    assert first > 0, res[0]
    assert leaf_int(tun, "amt:data-bytes") > 0, res[0]
    stats = rel[0].findall("{%s}statistics" % NS_AMTD)
    assert len(stats) == 1, res[0]
    for leaf in ("received-request", "sent-membership-query", "received-membership-update",
                 "sent-multicast-data", "sent-multicast-data-bytes"):
        assert leaf_int(stats[0], "amt:" + leaf) > 0, (leaf, res[0])
    assert leaf_int(stats[0], "amt:malformed-messages") == 0, res[0]
    # the XPath filter: the tunnel alone, with its relay's key
    rel = entries(res[1]["xml"], "relay", "amtr0")
    assert len(rel) == 1, res[1]
    assert len(rel[0].findall("{%s}tunnel" % NS_AMTD)) == 1, res[1]
    assert rel[0].find("{%s}statistics" % NS_AMTD) is None, res[1]
    assert rel[0].find("{%s}local-address" % NS_AMTD) is None, res[1]
    # the stream goes on: the tunnel's count grows
    ok, last = topotest.run_and_expect(
        lambda: tunnel_data_packets() > first, True, count=20, wait=1
    )
    assert ok, (first, last)


def test_delete_relay_and_gateway():
    "delete over NETCONF: gone from running-config, show amt and get-config"
    for name, kind, inst in (("gw", "gateway", "amtg0"), ("relay", "relay", "amtr0")):
        res = script(
            name,
            [
                {
                    "op": "edit",
                    "config": amtd_config(
                        '<%s nc:operation="delete"><name>%s</name></%s>' % (kind, inst, kind)
                    ),
                },
                {"op": "commit"},
                {"op": "get_config", "source": "running"},
                {"op": "get", "xpath": "/amt:amtd/amt:%s" % kind},
            ],
        )
        assert res[0] == {"result": "ok"} and res[1] == {"result": "ok"}, (name, res)
        assert len(entries(res[2]["xml"], kind, inst)) == 0, (name, res[2])
        assert len(entries(res[3]["xml"], kind, inst)) == 0, (name, res[3])
        conf = running(name)
        assert not re.search(r"^amt (relay|gateway) ", conf, re.M), (name, conf)
        ok, left = topotest.run_and_expect(lambda: instances(name), [], count=10, wait=1)
        assert ok, (name, left)
    # the relay's tunnel went with it
    tunnels = json.loads(get_topogen().gears["relay"].vtysh_cmd("show amt relay tunnels json"))
    assert "amtr0" not in tunnels, tunnels


if __name__ == "__main__":
    args = ["-s"] + sys.argv[1:]
    sys.exit(pytest.main(args))
