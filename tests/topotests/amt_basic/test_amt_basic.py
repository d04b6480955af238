#!/usr/bin/env python
# SPDX-License-Identifier: ISC
#
# test_amt_basic.py: amtd runs beside zebra and pimd, is known to vtysh,
# is configured through the northbound and comes back under watchfrr.
#

"""
Two routers on one LAN, each with zebra, mgmtd, pimd and amtd: r1 runs an
AMT relay instance, r2 a gateway instance that uses it.  The tests check
amtd's zebra session, its pseudo-interfaces as zebra sees them, vtysh
integration (show daemons, running-config, write), northbound validation of
bad configuration, what an operator reads (show output as aligned text
without JSON, amtd's error codes in 'show error', no northbound callback
warnings in the log), and recovery from a crash under watchfrr.
"""

import json
import os
import re
import sys
from functools import partial

import pytest

CWD = os.path.dirname(os.path.realpath(__file__))
sys.path.append(os.path.join(CWD, "../"))

# pylint: disable=C0413
from amt_helpers import start_receiver, stop_procs
from lib import topotest
from lib.topogen import Topogen, TopoRouter, get_topogen
from lib.topolog import logger

pytestmark = [pytest.mark.amtd, pytest.mark.pimd]


def build_topo(tgen):
    r1 = tgen.add_router("r1")
    r2 = tgen.add_router("r2")
    switch = tgen.add_switch("s1")
    switch.add_link(r1)
    switch.add_link(r2)


# A network namespace on r1, which zebra (VRF backend: netns) takes as a VRF.
VRF_NS = "amtbasic-blue"


def setup_module(mod):
    tgen = Topogen(build_topo, mod.__name__)
    tgen.start_topology()
    r1 = tgen.gears["r1"]
    r1.net.add_netns(VRF_NS)
    r1.use_netns_vrf()
    for rname, router in tgen.routers().items():
        router.load_frr_config(
            os.path.join(CWD, "{}/frr.conf".format(rname)),
            [
                (TopoRouter.RD_ZEBRA, None),
                (TopoRouter.RD_MGMTD, None),
                (TopoRouter.RD_PIM, None),
                (TopoRouter.RD_AMTD, None),
            ],
        )
    tgen.start_router()


def teardown_module(mod):
    tgen = get_topogen()
    tgen.gears["r1"].net.delete_netns(VRF_NS)
    tgen.stop_topology()


def show_amt(router):
    return json.loads(router.vtysh_cmd("show amt json"))


def expect_json(router, cmd, expected, count=30, wait=1):
    test_func = partial(topotest.router_json_cmp, router, cmd, expected)
    _, result = topotest.run_and_expect(test_func, None, count=count, wait=wait)
    return result


def test_amtd_connected_to_zebra():
    "amtd reports its zebra session and zebra reports amtd's pseudo-interfaces"
    tgen = get_topogen()
    for rname, role, ifname in (("r1", "relay", "amtr0"), ("r2", "gateway", "amtg0")):
        router = tgen.gears[rname]
        expected = {
            "zebra": {"connected": True, "connections": 1},
            "instances": {
                ifname: {"role": role, "operStatus": "up", "zebraInterface": True}
            },
        }
        result = expect_json(router, "show amt json", expected)
        assert result is None, "{}: unexpected 'show amt json': {}".format(
            rname, result
        )
        # zebra sees the tun device as an ordinary interface.
        zif = json.loads(router.vtysh_cmd("show interface {} json".format(ifname)))
        assert ifname in zif, "{}: zebra does not know {}".format(rname, ifname)
        assert zif[ifname]["administrativeStatus"] == "up"
        # And the operational data is served by the northbound.
        oper = router.vtysh_cmd(
            "show yang operational-data /frr-amtd:amtd/{} amtd".format(role)
        )
        assert '"oper-status": "up"' in oper, oper


def test_zebra_restart_reconnects():
    "amtd reconnects when zebra restarts and learns its interfaces again"
    tgen = get_topogen()
    r2 = tgen.gears["r2"]
    r2.net.killRouterDaemons(["zebra"])
    result = expect_json(r2, "show amt json", {"zebra": {"connected": False}})
    assert result is None, result
    r2.net.startRouterDaemons(["zebra"])
    expected = {
        "zebra": {"connected": True, "connections": 2},
        "instances": {"amtg0": {"operStatus": "up", "zebraInterface": True}},
    }
    result = expect_json(r2, "show amt json", expected, count=60)
    assert result is None, result


def test_vtysh_knows_amtd():
    "show daemons lists amtd; show running-config shows its configuration"
    tgen = get_topogen()
    r1 = tgen.gears["r1"]
    daemons = r1.vtysh_cmd("show daemons")
    assert re.search(r"\bamtd\b", daemons), daemons
    running = r1.vtysh_cmd("show running-config")
    assert re.search(r"^amt relay amtr0$", running, re.M), running


def test_configuration_change_through_vtysh():
    "a relay added and removed in vtysh appears in and leaves running-config"
    tgen = get_topogen()
    r2 = tgen.gears["r2"]
    r2.vtysh_cmd("configure terminal\namt relay amtr9\nexit\n")
    running = r2.vtysh_cmd("show running-config")
    assert re.search(r"^amt relay amtr9$", running, re.M), running
    assert re.search(r"^amt gateway amtg0$", running, re.M), running
    result = expect_json(
        r2, "show amt json", {"instances": {"amtr9": {"operStatus": "up"}}}
    )
    assert result is None, result
    assert "amtr9" in r2.cmd("ip -o link show amtr9")

    r2.vtysh_cmd("configure terminal\nno amt relay amtr9\n")
    running = r2.vtysh_cmd("show running-config")
    assert "amtr9" not in running, running
    assert "amtr9" not in show_amt(r2)["instances"]
    # The pseudo-interface goes away with its instance.
    assert r2.cmd("ip link show amtr9 2>&1 || echo gone").strip().endswith("gone")


def test_invalid_configuration_rejected():
    "the YANG model rejects bad names and a relay and gateway of one name"
    tgen = get_topogen()
    r2 = tgen.gears["r2"]
    out = r2.vtysh_cmd("configure terminal\namt relay amtg0\n")
    assert "either a relay or a gateway" in out, out
    out = r2.vtysh_cmd("configure terminal\namt gateway this-name-is-too-long\n")
    assert re.search(r"(?i)(invalid|length|error)", out), out
    out = r2.vtysh_cmd("configure terminal\namt gateway -bad\n")
    assert re.search(r"(?i)(invalid|pattern|error|unknown)", out), out
    running = r2.vtysh_cmd("show running-config")
    assert "this-name-is-too-long" not in running
    assert "amt relay amtg0" not in running
    assert list(show_amt(r2)["instances"]) == ["amtg0"]


def test_write_saves_configuration():
    "write memory stores amtd's configuration in the integrated frr.conf"
    tgen = get_topogen()
    r1 = tgen.gears["r1"]
    r1.vtysh_cmd("write memory")
    saved = r1.cmd("cat /etc/frr/frr.conf")
    assert re.search(r"^amt relay amtr0$", saved, re.M), saved


def value_columns(block):
    """For a block of name/value lines (two or more spaces between name and
    value; lines without a value are headings): the set of columns where the
    values start and the set where they end."""
    starts, ends = set(), set()
    for line in block:
        m = re.match(r"^(\s*\S.*?\S)( {2,})(\S.*?)\s*$", line)
        if m:
            starts.add(m.start(3))
            ends.add(m.end(3))
    return starts, ends


def blocks(text):
    "The blocks of indented lines of a show command's text, split at other lines"
    out, cur = [], []
    for line in text.splitlines():
        if line.startswith(" ") and line.strip():
            cur.append(line)
        else:
            if cur:
                out.append(cur)
            cur = []
    if cur:
        out.append(cur)
    return out


def assert_for_people(rname, cmd, text, min_rows):
    "Text output: no JSON, and each name/value block aligned on its values"
    assert text.strip(), "{} '{}': no output".format(rname, cmd)
    for line in text.splitlines():
        assert not line.strip().startswith(("{", "}", '"')), \
            "{} '{}' prints JSON without 'json':\n{}".format(rname, cmd, text)
    rows = 0
    for block in blocks(text):
        starts, ends = value_columns(block)
        # Left-aligned values share their first column, numbers their last.
        assert len(starts) <= 1 or len(ends) <= 1, \
            "{} '{}': values not aligned in\n{}".format(rname, cmd, "\n".join(block))
        rows += sum(1 for line in block if re.search(r"\S {2,}\S", line))
    assert rows >= min_rows, "{} '{}': {} aligned rows, expected {}:\n{}".format(
        rname, cmd, rows, min_rows, text)


def test_show_output_for_people():
    "text show output is aligned name/value columns and tables, JSON only with json"
    tgen = get_topogen()
    r1, r2 = tgen.gears["r1"], tgen.gears["r2"]
    # A tunnel with a flow, so that the tables have rows: an application on
    # r2 joins on the gateway's pseudo-interface.
    procs = []
    start_receiver(procs, r2, "receiver", "10.0.1.10", "232.1.1.1", 120, ifaddr="10.255.0.2")
    try:
        result = expect_json(r2, "show amt gateway json", {"amtg0": {"state": "up", "groups": 1}},
                             count=60)
        assert result is None, result
        result = expect_json(r1, "show amt relay tunnels json",
                             {"amtr0": {"tunnels": [{"gateway": "192.0.2.2", "groupCount": 1}]}},
                             count=60)
        assert result is None, result

        checks = [
            (r1, "show amt", 2),
            (r1, "show amt relay", 15),
            (r1, "show amt relay amtr0 statistics", 35),
            (r2, "show amt", 2),
            (r2, "show amt gateway", 40),
        ]
        for router, cmd, min_rows in checks:
            assert_for_people(router.name, cmd, router.vtysh_cmd(cmd), min_rows)
            # And every one of them has its JSON form.
            json.loads(router.vtysh_cmd(cmd + " json"))

        # The instance and tunnel tables: a header and a row each, their
        # columns starting where the header's do.
        for router, cmd, row in (
            (r1, "show amt", "amtr0"),
            (r1, "show amt relay tunnels", "192.0.2.2"),
            (r1, "show amt relay tunnels detail", "10.0.1.10"),
            (r2, "show amt", "amtg0"),
        ):
            text = router.vtysh_cmd(cmd)
            assert "{" not in text, "{} '{}':\n{}".format(router.name, cmd, text)
            json.loads(router.vtysh_cmd(cmd + " json"))
            lines = text.splitlines()
            header = [l for l in lines if re.match(r"^\s*(Instance|Gateway)\s", l)][-1]
            data = [l for l in lines if row in l.split()][0]
            # Column titles may have a space ("Data packets"); cells none.
            heads = [(m.start(), m.end()) for m in re.finditer(r"\S+(?: \S+)*", header)]
            cells = [(m.start(), m.end()) for m in re.finditer(r"\S+", data)]
            assert len(cells) == len(heads), "{} '{}': {} cells for {} columns:\n{}".format(
                router.name, cmd, len(cells), len(heads), text)
            # A cell starts where its column's title does (text) or ends
            # where it ends (numbers, right-aligned).
            for (start, end), (hs, he) in zip(cells, heads):
                assert start == hs or end == he, "{} '{}': misaligned:\n{}".format(
                    router.name, cmd, text)
    finally:
        stop_procs(procs)


def test_dns_gateway_output_for_people():
    "a gateway with DNS relay discovery shows its lookups as aligned text too"
    tgen = get_topogen()
    r2 = tgen.gears["r2"]
    r2.vtysh_cmd("configure terminal\namt gateway amtg7\n"
                 "dns-discovery name relays.invalid\nexit\n")
    try:
        result = expect_json(r2, "show amt gateway amtg7 json",
                             {"amtg7": {"relaySelection": "dns",
                                        "dns": {"queryName": "relays.invalid"}}})
        assert result is None, result
        text = r2.vtysh_cmd("show amt gateway amtg7")
        assert_for_people("r2", "show amt gateway amtg7", text, 45)
        assert re.search(r"^ DNS query name +relays\.invalid$", text, re.M), text
        assert re.search(r"^ DNS counters$", text, re.M), text
        assert re.search(r"^   AMTRELAY queries +\d+$", text, re.M), text
    finally:
        r2.vtysh_cmd("configure terminal\nno amt gateway amtg7\n")


def test_error_codes_listed():
    "show error lists amtd's own error codes"
    tgen = get_topogen()
    r1 = tgen.gears["r1"]
    errors = r1.vtysh_cmd("show error all json", isjson=True, daemon="amtd")
    amt = {code: e for code, e in errors.items() if e["title"].startswith("AMT ")}
    assert len(amt) >= 8, "amtd's error codes missing from 'show error all': {}".format(
        sorted(errors))
    # amtd's codes lie in their own range, away from the library's.
    assert all(0x12000001 <= int(code) <= 0x12FFFFFF for code in amt), sorted(amt)
    vrf = [code for code, e in amt.items() if "VRF" in e["title"]]
    assert vrf, amt
    text = r1.vtysh_cmd("show error {}".format(vrf[0]))
    assert "default VRF" in text and "Recommendation" in text, text


def test_no_unneeded_callbacks_logged():
    "amtd registers only the northbound callbacks the northbound needs"
    tgen = get_topogen()
    for rname in ("r1", "r2"):
        path = os.path.join(tgen.logdir, rname, "amtd.log")
        with open(path) as f:
            log = f.read()
        # The log is the one of this amtd: it saw its instance created.
        assert re.search(r"AMT (relay|gateway) amt[rg]0 created", log), log[-2000:]
        bad = [l for l in log.splitlines()
               if re.search(r"(unneeded|missing) '\w+' callback", l)]
        assert not bad, "{} amtd.log:\n{}".format(rname, "\n".join(bad))


def test_vrf_binding_refused():
    "a pseudo-interface moved into a VRF is refused, logged and shown"
    tgen = get_topogen()
    r1 = tgen.gears["r1"]
    r1.vtysh_cmd("configure terminal\namt relay amtr5\nexit\n")
    result = expect_json(r1, "show amt json",
                         {"instances": {"amtr5": {"operStatus": "up", "zebraInterface": True}}})
    assert result is None, result
    ok, _ = topotest.run_and_expect(
        lambda: VRF_NS in r1.vtysh_cmd("show vrf"), True, count=30, wait=1)
    assert ok, r1.vtysh_cmd("show vrf")

    r1.cmd("ip link set amtr5 netns {}".format(VRF_NS))
    try:
        result = expect_json(r1, "show amt json", {"instances": {"amtr5": {
            "zebraInterface": False, "vrfRefused": VRF_NS}}})
        assert result is None, result
        text = r1.vtysh_cmd("show amt")
        assert re.search(r"^ amtr5 .*in VRF {}: refused".format(VRF_NS), text, re.M), text
        with open(os.path.join(tgen.logdir, "r1", "amtd.log")) as f:
            log = f.read()
        assert re.search(r"AMT relay amtr5: the pseudo-interface is in VRF {}".format(VRF_NS),
                         log), log[-2000:]
    finally:
        r1.vtysh_cmd("configure terminal\nno amt relay amtr5\n")
    assert "amtr5" not in show_amt(r1)["instances"]


def mgmt_relay_tunnels(router, relay):
    "amtr's tunnels as mgmtd's get-data (amtd as mgmtd's backend) returns them"
    xpath = "/frr-amtd:amtd/relay[name='{}']/tunnel".format(relay)
    out = router.vtysh_cmd("show mgmt get-data {} json".format(xpath))
    try:
        data = json.loads(out)
    except ValueError:
        return None
    relays = data.get("frr-amtd:amtd", {}).get("relay", [])
    for r in relays:
        if r.get("name") == relay:
            return r.get("tunnel", [])
    return []


def test_mgmt_get_data_lists_tunnels():
    "mgmtd's get-data walks amtd's tunnels (amtd is mgmtd's backend for its state)"
    tgen = get_topogen()
    r1, r2 = tgen.gears["r1"], tgen.gears["r2"]
    procs = []
    start_receiver(procs, r2, "receiver", "10.0.1.10", "232.1.1.2", 120, ifaddr="10.255.0.2")
    try:
        result = expect_json(r1, "show amt relay tunnels json",
                             {"amtr0": {"tunnels": [{"gateway": "192.0.2.2", "groupCount": 1}]}},
                             count=60)
        assert result is None, result
        # mgmtd knows amtd as a backend client (by name, from its table).
        ok, _ = topotest.run_and_expect(
            lambda: re.search(r"^\s*Client:\s+amtd$", r1.vtysh_cmd("show mgmt backend-adapter all"),
                              re.M) is not None, True, count=30, wait=1)
        assert ok, r1.vtysh_cmd("show mgmt backend-adapter all")

        own = json.loads(r1.vtysh_cmd("show amt relay tunnels json"))["amtr0"]["tunnels"]
        assert len(own) == 1, own

        def walked():
            t = mgmt_relay_tunnels(r1, "amtr0")
            if not t or t[0].get("group-count") != 1:
                return None
            return t

        ok, tunnels = topotest.run_and_expect_type(walked, list, count=30, wait=1)
        assert ok and tunnels is not None, r1.vtysh_cmd(
            "show mgmt get-data /frr-amtd:amtd json")
        assert len(tunnels) == len(own) == 1, (tunnels, own)
        t = tunnels[0]
        # The keys, as amtd's own listing has them.
        assert t["gateway-address"] == own[0]["gateway"], (t, own)
        assert int(t["gateway-port"]) == int(own[0]["gatewayPort"]), (t, own)
        # And the counters: the gateway's Updates reached the relay.
        assert int(t["membership-updates"]) >= 1, t
        assert int(t["source-count"]) == 1, t
        for leaf in ("uptime", "data-packets", "data-bytes"):
            assert leaf in t, (leaf, t)
        # A part of the table: one gateway address (first key only), one
        # tunnel by both keys, and an address without tunnels.
        base = "/frr-amtd:amtd/relay[name='amtr0']/tunnel"
        for pred, count in (
            ("[gateway-address='192.0.2.2']", 1),
            ("[gateway-address='192.0.2.2'][gateway-port='{}']".format(t["gateway-port"]), 1),
            ("[gateway-address='192.0.2.99']", 0),
        ):
            out = json.loads(r1.vtysh_cmd("show mgmt get-data {}{} json".format(base, pred)))
            got = [x for r in out.get("frr-amtd:amtd", {}).get("relay", [])
                   for x in r.get("tunnel", [])]
            assert len(got) == count, (pred, out)
            assert all(x["gateway-address"] == "192.0.2.2" for x in got), (pred, out)

        # Configuration still goes to amtd directly, not through mgmtd:
        # mgmtd holds no amtd configuration, amtd's running-config has it.
        cfg = r1.vtysh_cmd("show mgmt get-data /frr-amtd:amtd only-config json")
        assert "amtr0" not in cfg, cfg
        r1.vtysh_cmd("configure terminal\namt relay amtr0\n tunnel-limit 500\nexit\n")
        running = r1.vtysh_cmd("show running-config amtd")
        assert re.search(r"^ tunnel-limit 500$", running, re.M), running
        r1.vtysh_cmd("configure terminal\namt relay amtr0\n no tunnel-limit\nexit\n")
    finally:
        stop_procs(procs)


def test_amtd_works_without_mgmtd():
    "amtd is configured and shows its state with mgmtd down, and is mgmtd's backend again when it returns"
    tgen = get_topogen()
    r1 = tgen.gears["r1"]
    r1.net.killRouterDaemons(["mgmtd"])
    try:
        r1.vtysh_cmd("configure terminal\namt relay amtr6\nexit\n", daemon="amtd")
        result = expect_json(r1, "show amt json",
                             {"instances": {"amtr6": {"operStatus": "up"}}})
        assert result is None, result
        r1.vtysh_cmd("configure terminal\nno amt relay amtr6\n", daemon="amtd")
        assert "amtr6" not in show_amt(r1)["instances"]
    finally:
        r1.net.startRouterDaemons(["mgmtd"])
    # amtd's client reconnects by itself: get-data reaches it again.
    ok, _ = topotest.run_and_expect(
        lambda: '"name": "amtr0"' in r1.vtysh_cmd(
            "show mgmt get-data /frr-amtd:amtd/relay[name='amtr0'] json"),
        True, count=60, wait=1)
    assert ok, r1.vtysh_cmd("show mgmt get-data /frr-amtd:amtd json")


def test_watchfrr_restarts_amtd():
    "amtd killed under watchfrr comes back, with its configuration"
    tgen = get_topogen()
    r1 = tgen.gears["r1"]
    rundir = os.path.join(tgen.logdir, "r1")
    pid = r1.cmd("cat /var/run/frr/amtd.pid").strip()
    cmdline = r1.cmd("tr '\\0' ' ' < /proc/{}/cmdline".format(pid)).strip()
    assert cmdline.startswith("/usr/lib/frr/amtd"), cmdline

    # watchfrr (which insists on watching zebra too) restarts amtd with the
    # command line the topotest used; amtd then takes its configuration from
    # the integrated frr.conf, as FRR's init script does with "vtysh -b".
    script = os.path.join(rundir, "restart-amtd.sh")
    with open(script, "w") as f:
        f.write(
            "#!/bin/sh\n{}\n"
            "i=0\n"
            "until vtysh -d amtd -c 'show version' >/dev/null 2>&1; do\n"
            "  i=$((i+1)); [ $i -gt 50 ] && exit 1; sleep 0.2\n"
            "done\n"
            "exec vtysh -b -d amtd\n".format(cmdline)
        )
    os.chmod(script, 0o755)
    r1.cmd(
        "/usr/lib/frr/watchfrr -d --min-restart-interval 1 "
        "-r '{} %s' --log file:{}/watchfrr.log zebra amtd "
        ">/dev/null 2>&1".format(script, rundir)
    )
    ok, _ = topotest.run_and_expect(
        lambda: "amtd" in r1.vtysh_cmd("show watchfrr"), True, count=20, wait=1
    )
    assert ok, r1.vtysh_cmd("show watchfrr")

    r1.cmd("kill -9 {}".format(pid))

    def restarted():
        new = r1.cmd("cat /var/run/frr/amtd.pid 2>/dev/null").strip()
        return new not in ("", pid) and os.path.exists("/proc/" + new)

    ok, _ = topotest.run_and_expect(restarted, True, count=60, wait=1)
    assert ok, "amtd was not restarted by watchfrr"
    result = expect_json(
        r1,
        "show amt json",
        {"zebra": {"connected": True}, "instances": {"amtr0": {"operStatus": "up"}}},
        count=60,
    )
    assert result is None, result
    r1.cmd("kill $(cat /var/run/frr/watchfrr.pid)")


if __name__ == "__main__":
    args = ["-s"] + sys.argv[1:]
    sys.exit(pytest.main(args))
