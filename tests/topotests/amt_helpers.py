# SPDX-License-Identifier: ISC
#
# amt_helpers.py: what amtd's topotests share: waiting for JSON output and
# multicast receivers (amt_gateway/mcast_receiver.py) whose counts are read
# from state files.
#

import json
import os
import re
import subprocess
import time
from functools import partial

from lib import topotest
from lib.topogen import TopoRouter, get_topogen
from lib.topolog import logger

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


def start_logged_process(procs, host, tag, cmd):
    """cmd on router host, its output in the host's log directory as
    TAG.log; the process is added to procs"""
    tgen = get_topogen()
    logdir = os.path.join(tgen.logdir, host)
    os.makedirs(logdir, exist_ok=True)
    with open(os.path.join(logdir, "{}.log".format(tag)), "w") as out:
        logger.info("%s: starting %s", host, " ".join(cmd))
        proc = tgen.gears[host].popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    procs.append(proc)
    return proc


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


def poll_within(func, expected, seconds):
    """
    (True, value) once func() returns expected within seconds, else (False,
    last value).  For checks whose bound is the point (something must happen
    before a timer would do it anyway): topotest.run_and_expect() stretches
    any wait under 15 s to 60 s.
    """
    deadline = time.monotonic() + seconds
    value = func()
    while value != expected and time.monotonic() < deadline:
        time.sleep(0.5)
        value = func()
    return value == expected, value


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


def address_src_and_lan(src, lan):
    """The hosts without FRR of amt_gateway_lan and amt_gateway_mrib, after
    start_router(): the source 10.0.1.10, 2001:db8:10::10 behind r1 and the
    LAN host 10.10.0.10, 2001:db8:20::10 behind gw"""
    for host, dev, addrs in (
        (src, "src-eth0", (("10.0.1.10/24", "10.0.1.1"), ("2001:db8:10::10/64", "2001:db8:10::1"))),
        (lan, "lan-eth0", (("10.10.0.10/24", "10.10.0.1"), ("2001:db8:20::10/64", "2001:db8:20::1"))),
    ):
        for addr, gateway in addrs:
            six = "-6 " if ":" in addr else ""
            host.cmd("ip {}addr add {} dev {}{}".format(six, addr, dev, " nodad" if six else ""))
            host.cmd("ip {}route add default via {}".format(six, gateway))


def build_two_relay_topo(tgen):
    """src on a LAN with relay1 and relay2; the relays, gw and dns on a WAN
    (amt_dns, amt_gateway_move)"""
    for name in ("src", "relay1", "relay2", "gw", "dns"):
        tgen.add_router(name)
    lan = tgen.add_switch("s1")
    for name in ("src", "relay1", "relay2"):
        lan.add_link(tgen.gears[name], nodeif=name + "-eth0")
    wan = tgen.add_switch("s2")
    for name in ("relay1", "relay2", "gw"):
        wan.add_link(tgen.gears[name], nodeif=name + "-eth{}".format(0 if name == "gw" else 1))
    wan.add_link(tgen.gears["dns"], nodeif="dns-eth0")


def amtrelay_rdata(precedence, d_bit, relay_type, relay):
    """AMTRELAY RDATA (RFC 8777 section 4.2) as hex, for dnsmasq's --dns-rr;
    relay: bytes of an address, or a name for relay type 3"""
    out = bytes([precedence, (0x80 if d_bit else 0) | relay_type])
    if relay_type == 3:
        for label in relay.split("."):
            out += bytes([len(label)]) + label.encode()
        out += b"\x00"
    else:
        out += relay
    return out.hex()


def _host_resolv_conf():
    try:
        with open("/etc/resolv.conf") as f:
            return f.read()
    except OSError:
        return ""


def bind_resolv_conf(tgen, router, server):
    """The router's /etc/resolv.conf, in its own mount namespace only, names
    server; before its daemons start.  Undo with umount /etc/resolv.conf."""
    before = _host_resolv_conf()
    resolv = os.path.join(tgen.logdir, router.name, "resolv.conf")
    os.makedirs(os.path.dirname(resolv), exist_ok=True)
    with open(resolv, "w") as f:
        f.write("nameserver {}\noptions timeout:1 attempts:2\n".format(server))
    router.cmd("mount --bind {} /etc/resolv.conf".format(resolv))
    assert _host_resolv_conf() == before, "the bind mount leaked out of " + router.name
    assert server in router.cmd("cat /etc/resolv.conf")


def start_dnsmasq(procs, tgen, router, listen, args):
    "dnsmasq on router, answering at listen with args (records); added to procs"
    logdir = os.path.join(tgen.logdir, router.name)
    os.makedirs(logdir, exist_ok=True)
    cmd = [
        "/usr/sbin/dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv",
        "--no-hosts", "--user=root", "--bind-interfaces",
        "--listen-address=" + listen, "--local-ttl=30", "--log-queries",
        "--log-facility=" + os.path.join(logdir, "dnsmasq.log"),
        "--pid-file=" + os.path.join(logdir, "dnsmasq.pid"),
    ]
    procs.append(router.popen(cmd + list(args)))


def start_two_relay_routers(tgen, testdir, dns_addr):
    """In build_two_relay_topo's topology: relay1 and relay2 with pimd and
    amtd, gw with amtd (its resolver at dns_addr), src 10.0.1.10 and dns
    addressed, the source's LAN flooding multicast to both relays"""
    load_routers(tgen, testdir, ("relay1", "relay2"), [TopoRouter.RD_PIM, TopoRouter.RD_AMTD])
    load_routers(tgen, testdir, ("gw",), [TopoRouter.RD_AMTD])
    src, dns, gw = tgen.gears["src"], tgen.gears["dns"], tgen.gears["gw"]
    bind_resolv_conf(tgen, gw, dns_addr)
    tgen.start_router()
    # Addresses of the hosts without FRR, after start_router() flushed them.
    src.cmd("ip addr add 10.0.1.10/24 dev src-eth0")
    src.cmd("ip route add default via 10.0.1.1")
    dns.cmd("ip addr add {}/24 dev dns-eth0".format(dns_addr))
    # The source's LAN is a bridge: let it flood multicast to both relays
    # (its IGMP snooping would wait for reports that no host sends there).
    s1 = tgen.gears["s1"]
    s1.cmd("ip link set s1 type bridge mcast_snooping 0")
    assert s1.cmd("cat /sys/class/net/s1/bridge/multicast_snooping").strip() == "0"


def build_gw_emu():
    """compile the gateway emulator (tools/bench/amt_gw_emu.c) against the
    FRR tree that amtd is built in, into the test's log directory; its path"""
    tgen = get_topogen()
    # This file is amtd's (linked into FRR's tree): the repository is 2 up.
    src = os.path.realpath(os.path.join(HERE, "..", ".."))
    tree = os.path.realpath(os.path.join(os.path.dirname(topotest.__file__), "..", "..", ".."))
    out = os.path.join(tgen.logdir, "amt_gw_emu")
    cmd = ("gcc -O2 -std=gnu11 -Wall -DHAVE_CONFIG_H -I{t} -I{t}/lib -I{t}/include -I{t}/amtd "
           "-o {o} {s}/tools/bench/amt_gw_emu.c {s}/tools/bench/bench_util.c "
           "{t}/amtd/amt_packet.c {t}/amtd/amt_igmp.c -L{t}/lib/.libs -lfrr "
           "-Wl,-rpath,{t}/lib/.libs 2>&1").format(t=tree, s=src, o=out)
    res = os.popen(cmd).read()
    assert os.access(out, os.X_OK), (cmd, res)
    return out


def parse_kv(path):
    "the key=value lines of a file (amt_gw_emu's report) as a dict"
    kv = {}
    with open(path) as f:
        for line in f:
            key, sep, value = line.strip().partition("=")
            if sep:
                kv[key] = value
    return kv


def node_lines(config, header):
    "The lines of the configuration node that starts with the line header."
    m = re.search(r"^{}\n(.*?)^exit$".format(re.escape(header)), config, re.M | re.S)
    assert m, "no node '{}' in:\n{}".format(header, config)
    return [line.strip() for line in m.group(1).splitlines()]
