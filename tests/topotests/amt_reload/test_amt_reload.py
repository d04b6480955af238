#!/usr/bin/env python
# SPDX-License-Identifier: ISC
#
# test_amt_reload.py: frr-reload.py applies changes to amtd's configuration
# blocks, and only those, while an AMT tunnel carries a stream.
#

"""
    src ---- relay ============ gw
  10.0.1.10  (zebra, pimd,   (zebra, pimd,
              amtd relay)     amtd gateway)
           10.0.1.1  192.0.2.1   192.0.2.2
                     unicast only

src sends an SSM stream to (10.0.1.10, 232.1.1.1); an application on gw joined
on amtg0 receives it through the tunnel.  The operator edits /etc/frr/frr.conf
on both routers (a relay setting; gateway settings) and runs
"frr-reload.py --reload /etc/frr/frr.conf".  frr-reload.py must see "amt relay
NAME" and "amt gateway NAME" as configuration nodes: the parameters inside are
changed in their node, and nothing else changes; no instance is removed and
created again.  A relay change keeps the tunnel and the stream as they are;
after a gateway change (amtd opens a new tunnel then) the stream resumes.
Then a relay instance is added and removed again by reloading.
"""

import difflib
import json
import os
import re
import sys

import pytest

CWD = os.path.dirname(os.path.realpath(__file__))
sys.path.append(os.path.join(CWD, "../"))

# pylint: disable=C0413
from amt_helpers import (expect_json, load_routers, node_lines, read_state, start_receiver,
                         start_sender, stop_procs, wait_packets)
from lib.topogen import Topogen, TopoRouter, get_topogen

pytestmark = [pytest.mark.amtd, pytest.mark.pimd]

RELOAD = "/usr/lib/frr/frr-reload.py"
SRC, GROUP = "10.0.1.10", "232.1.1.1"
RATE = 20

procs = []
# The receiver's state file, for the tests after the first.
receiver = {}


def build_topo(tgen):
    for name in ("src", "relay", "gw"):
        tgen.add_router(name)
    tgen.add_link(tgen.gears["src"], tgen.gears["relay"], "src-eth0", "relay-eth0")
    tgen.add_link(tgen.gears["relay"], tgen.gears["gw"], "relay-eth1", "gw-eth0")


def setup_module(mod):
    tgen = Topogen(build_topo, mod.__name__)
    tgen.start_topology()
    load_routers(tgen, CWD, ("relay", "gw"), [TopoRouter.RD_PIM, TopoRouter.RD_AMTD])
    tgen.start_router()
    src = tgen.gears["src"]
    src.cmd("ip addr add 10.0.1.10/24 dev src-eth0")
    src.cmd("ip route add default via 10.0.1.1")
    start_sender(procs, src, [(SRC, GROUP)], "src-eth0", rate=RATE)


def teardown_module(mod):
    stop_procs(procs)
    get_topogen().stop_topology()


def show_json(router, cmd):
    return json.loads(router.vtysh_cmd(cmd))


def running_config(router):
    return router.vtysh_cmd("show running-config")


def config_delta(old, new):
    "The lines removed from and added to a configuration, each list sorted."
    removed, added = [], []
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), n=0, lineterm=""):
        if line.startswith(("---", "+++", "@@")):
            continue
        if line.startswith("-"):
            removed.append(line[1:])
        elif line.startswith("+"):
            added.append(line[1:])
    return sorted(removed), sorted(added)


def edit_frr_conf(router, edits, append=""):
    """Apply (old, new) line replacements (and an addition at the end) to the
    router's /etc/frr/frr.conf, as an operator would; each old line must be
    there."""
    text = router.cmd("cat /etc/frr/frr.conf")
    for old, new in edits:
        assert re.search("^" + re.escape(old) + "$", text, re.M), (old, text)
        text = re.sub("^" + re.escape(old) + "$", new, text, count=1, flags=re.M)
    text += append
    write_frr_conf(router, text)
    return text


def write_frr_conf(router, text):
    path = os.path.join(get_topogen().logdir, router.name, "frr-edited.conf")
    with open(path, "w") as f:
        f.write(text)
    router.cmd_raises("cp {} /etc/frr/frr.conf".format(path))


def frr_reload(router):
    "Run frr-reload.py on the router's /etc/frr/frr.conf; return its output."
    out = router.cmd("{} --reload --stdout /etc/frr/frr.conf 2>&1; echo rc=$?".format(RELOAD))
    assert out.rstrip().endswith("rc=0"), out
    assert "Failed to execute" not in out, out
    return out


def frr_reload_test(router):
    "The changes frr-reload.py would make now (--test): the text it prints."
    return router.cmd("{} --test /etc/frr/frr.conf 2>/dev/null".format(RELOAD))


def relay_tunnel(relay):
    tunnels = show_json(relay, "show amt relay tunnels json")["amtr0"]["tunnels"]
    assert len(tunnels) == 1, tunnels
    return tunnels[0]


def test_tunnel_and_stream_up():
    "the gateway's tunnel is up and an application on gw receives the stream"
    tgen = get_topogen()
    gw = tgen.gears["gw"]
    result = expect_json(
        gw, "show amt gateway json",
        {"amtg0": {"state": "up", "relay": "192.0.2.1", "routesInstalled": 1,
                   "queryInterval": 20}},
    )
    assert result is None, result
    state = start_receiver(procs, gw, "app", SRC, GROUP, 300, ifaddr="10.255.0.2")
    receiver["state_file"] = state
    assert wait_packets(state, 2 * RATE), read_state(state)

    # The operator saves what the routers run (with the topotest's logging
    # settings, which frr-reload.py would otherwise remove) and edits that.
    for router in (tgen.gears["relay"], gw):
        router.vtysh_cmd("write memory")
        out = frr_reload_test(router)
        assert "Lines To" not in out, out


def test_reload_relay_setting():
    "a relay parameter changed in frr.conf is changed in place: the stream flows on"
    tgen = get_topogen()
    relay, gw = tgen.gears["relay"], tgen.gears["gw"]
    config = running_config(relay)
    ifindex = show_json(relay, "show amt json")["instances"]["amtr0"]
    tunnel = relay_tunnel(relay)
    app = read_state(receiver["state_file"])

    edit_frr_conf(relay, [(" query-interval 20", " query-interval 30")])
    # What frr-reload.py intends: the line changed inside its node.
    intent = frr_reload_test(relay)
    assert re.search(r"^amt relay amtr0\n no query-interval 20\nexit$", intent, re.M), intent
    assert re.search(r"^amt relay amtr0\n query-interval 30\nexit$", intent, re.M), intent
    frr_reload(relay)

    after = running_config(relay)
    assert config_delta(config, after) == (
        [" query-interval 20"], [" query-interval 30"]
    ), after
    assert node_lines(after, "amt relay amtr0") == [
        "local-address 192.0.2.1", "query-interval 30", "query-response-interval 5"
    ], after
    out = frr_reload_test(relay)
    assert "Lines To" not in out, out
    result = expect_json(relay, "show amt relay json", {"amtr0": {"queryInterval": 30}})
    assert result is None, result

    # Changed in place: same pseudo-interface, same tunnel, no datagram lost
    # (but a couple in flight).
    assert show_json(relay, "show amt json")["instances"]["amtr0"] == ifindex
    assert wait_packets(receiver["state_file"], app["packets"] + 3 * RATE)
    now = read_state(receiver["state_file"])
    lost = (now["last_seq"] - app["last_seq"]) - (now["packets"] - app["packets"])
    assert lost <= 2, (app, now)
    still = relay_tunnel(relay)
    assert still["gatewayPort"] == tunnel["gatewayPort"], (tunnel, still)
    assert still["uptime"] >= tunnel["uptime"], (tunnel, still)
    # The new query interval reaches the gateway in the relay's next Query.
    result = expect_json(gw, "show amt gateway json",
                         {"amtg0": {"state": "up", "queryInterval": 30}}, count=60)
    assert result is None, result


def test_reload_gateway_settings():
    "gateway parameters changed in frr.conf are changed in their node, and only they"
    tgen = get_topogen()
    relay, gw = tgen.gears["relay"], tgen.gears["gw"]
    config = running_config(gw)
    relay_config = running_config(relay)
    ifindex = show_json(gw, "show amt json")["instances"]["amtg0"]

    edit_frr_conf(
        gw,
        [(" request-timeout 2", " request-timeout 4"),
         (" source-prefix 10.0.1.0/24",
          " source-prefix 10.0.1.0/24\n source-prefix 10.0.3.0/24")],
    )
    frr_reload(gw)

    after = running_config(gw)
    assert config_delta(config, after) == (
        [" request-timeout 2"], [" request-timeout 4", " source-prefix 10.0.3.0/24"]
    ), after
    assert node_lines(after, "amt gateway amtg0") == [
        "relay-address 192.0.2.1", "request-timeout 4",
        "source-prefix 10.0.1.0/24", "source-prefix 10.0.3.0/24",
    ], after
    out = frr_reload_test(gw)
    assert "Lines To" not in out, out
    assert running_config(relay) == relay_config

    # amtd acts on them; the instance was not created again.
    result = expect_json(gw, "show amt gateway json",
                         {"amtg0": {"state": "up", "routesInstalled": 2}})
    assert result is None, result
    routes = show_json(gw, "show ip rpf json").get("10.0.3.0/24", [])
    assert [r for r in routes if r.get("protocol") == "amt"], routes
    assert show_json(gw, "show amt json")["instances"]["amtg0"] == ifindex

    # amtd opens a new tunnel when a gateway's configuration changes (a
    # Teardown, then a new Request from a new port); the stream resumes.
    app = read_state(receiver["state_file"])
    assert wait_packets(receiver["state_file"], app["packets"] + 3 * RATE, count=60), (
        app, read_state(receiver["state_file"]))


def test_reload_adds_and_removes_an_instance():
    "a relay instance added to frr.conf appears on reload and goes on the next"
    tgen = get_topogen()
    relay = tgen.gears["relay"]
    original = relay.cmd("cat /etc/frr/frr.conf")
    config = running_config(relay)
    tunnel = relay_tunnel(relay)

    edit_frr_conf(relay, [], "amt relay amtr1\n local-address 192.0.2.1\n port 3000\nexit\n!\n")
    frr_reload(relay)
    added = running_config(relay)
    assert node_lines(added, "amt relay amtr1") == ["local-address 192.0.2.1", "port 3000"], added
    removed, new = config_delta(config, added)
    assert removed == [] and [x for x in new if x != "!"] == sorted(
        ["amt relay amtr1", " local-address 192.0.2.1", " port 3000", "exit"]
    ), (removed, new)
    result = expect_json(
        relay, "show amt relay json",
        {"amtr1": {"operStatus": "up", "port": 3000}, "amtr0": {"tunnelCount": 1}},
    )
    assert result is None, result
    assert "amtr1" in relay.cmd("ip -o link show amtr1")

    write_frr_conf(relay, original)
    frr_reload(relay)
    assert running_config(relay) == config
    assert "amtr1" not in show_json(relay, "show amt json")["instances"]
    assert relay.cmd("ip link show amtr1 2>&1 || echo gone").strip().endswith("gone")
    # The other instance and its tunnel are untouched.
    assert relay_tunnel(relay)["gatewayPort"] == tunnel["gatewayPort"]
    app = read_state(receiver["state_file"])
    assert wait_packets(receiver["state_file"], app["packets"] + RATE), (
        app, read_state(receiver["state_file"]))


if __name__ == "__main__":
    args = ["-s"] + sys.argv[1:]
    sys.exit(pytest.main(args))
