# SPDX-License-Identifier: ISC
#
# amt_helpers.py: what amtd's topotests share: waiting for JSON output and
# multicast receivers (amt_gateway/mcast_receiver.py) whose counts are read
# from state files.
#

import json
import os
from functools import partial

from lib import topotest
from lib.topogen import TopoRouter, get_topogen

PYTHON = "/usr/bin/python3"
HERE = os.path.dirname(os.path.realpath(__file__))
SENDER = os.path.join(HERE, "amt_relay", "mcast_sender.py")
RECEIVER = os.path.join(HERE, "amt_gateway", "mcast_receiver.py")


def load_routers(tgen, testdir, names, daemons):
    "Load NAME/frr.conf of testdir into each router of names, for the daemons given"
    daemons = [(TopoRouter.RD_ZEBRA, None), (TopoRouter.RD_MGMTD, None)] + [
        (d, None) for d in daemons]
    for name in names:
        tgen.gears[name].load_frr_config(os.path.join(testdir, name, "frr.conf"), daemons)


def start_sender(procs, router, flows, ifname, rate=20, duration=600):
    "Numbered datagrams on each (S, G) of flows, rate per second; added to procs"
    cmd = [PYTHON, SENDER, "--ifname", ifname, "--rate", str(rate),
           "--duration", str(duration), "--ttl", "16"]
    for source, group in flows:
        cmd += ["--flow", source + "," + group]
    procs.append(router.popen(cmd))


def expect_json(router, cmd, expected, count=40, wait=1):
    "None once the router's JSON output of cmd contains expected, else the difference"
    test_func = partial(topotest.router_json_cmp, router, cmd, expected)
    _, result = topotest.run_and_expect(test_func, None, count=count, wait=wait)
    return result


def gateway_oper_state(router, name="amtg0"):
    "A gateway instance's state, as YANG operational data"
    oper = json.loads(router.vtysh_cmd(
        "show yang operational-data /frr-amtd:amtd/gateway[name='{}']/state amtd".format(name)))
    return oper["frr-amtd:amtd"]["gateway"][0]["state"]


def start_receiver(procs, router, name, source, group, duration, ifaddr=None, ifname=None,
                   sender=None):
    """Start a receiver on router joined to (source, group) ("*" for ASM); it is
    added to procs.  Returns the path of its state file."""
    state = os.path.join(get_topogen().logdir, router.name, name + ".json")
    if os.path.exists(state):
        os.unlink(state)
    cmd = [PYTHON, RECEIVER, "--source", source, "--group", group,
           "--duration", str(duration), "--state-file", state]
    if ifaddr:
        cmd += ["--ifaddr", ifaddr]
    if ifname:
        cmd += ["--ifname", ifname]
    if sender:
        cmd += ["--from", sender]
    procs.append(router.popen(cmd))
    return state


def read_state(path):
    "The receiver's last written state, {} before the first write"
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def wait_packets(path, minimum, count=40):
    "True once the receiver has counted at least minimum datagrams"
    ok, _ = topotest.run_and_expect(
        lambda: read_state(path).get("packets", 0) >= minimum, True, count=count, wait=1
    )
    return ok


def stop_procs(procs):
    for p in procs:
        p.terminate()
        p.wait(timeout=10)
    del procs[:]
