#!/usr/bin/env python
# SPDX-License-Identifier: ISC
#
# test_amt_restart.py: an AMT relay restarted under watchfrr keeps serving
# its gateways from its restart snapshot (MAC secrets and tunnels).
#

"""
Topology (documentation and test addresses only):

        s1            s2                 s3
  src ------ r1 ------------ relay ------+------ gw1  192.0.2.11
                                         +------ gw2  192.0.2.12
                                         +------ gw3  192.0.2.13

  src    10.0.1.10 sends numbered datagrams to three SSM groups
  r1     10.0.1.1 | 10.0.2.1, PIM
  relay  10.0.2.2 (PIM) | 192.0.2.1 (AMT local address); amtr0;
         zebra, mgmtd, staticd, pimd, and amtd under watchfrr

Each gateway (amt_test_gateway.py, from ../amt_relay) joins one SSM
stream.  The relay's query interval is 300 s, so the gateways send no new
Request during the module: a stream that comes back after a restart comes
back from the relay's restored state.  amtd is killed with SIGKILL, then
stopped with SIGTERM; watchfrr starts it again each time.  A corrupt
snapshot is ignored, logged and counted, and the relay starts empty: the
streams then stay off (the control: without a restore, nothing resumes).
"""

import json
import os
import subprocess
import sys
import time

import pytest

CWD = os.path.dirname(os.path.realpath(__file__))
sys.path.append(os.path.join(CWD, "../"))

# pylint: disable=C0413
from lib import topotest
from lib.topogen import Topogen, TopoRouter, get_topogen
from lib.topolog import logger
from amt_helpers import start_logged_process

pytestmark = [pytest.mark.amtd, pytest.mark.pimd]

PYTHON = "/usr/bin/python3"
AMT_RELAY_DIR = os.path.join(CWD, "..", "amt_relay")
GATEWAY = os.path.join(AMT_RELAY_DIR, "amt_test_gateway.py")
SENDER = os.path.join(AMT_RELAY_DIR, "mcast_sender.py")

RELAY4 = "192.0.2.1"
SRC = "10.0.1.10"
GATEWAYS = {
    "gw1": ("192.0.2.11", "232.1.1.1"),
    "gw2": ("192.0.2.12", "232.1.1.2"),
    "gw3": ("192.0.2.13", "232.1.1.3"),
}
SNAPSHOT = "/var/lib/frr/amtd-relay-amtr0.snapshot"
JOURNAL = SNAPSHOT + ".journal"
# One journal record: a tunnel with one group and one source (upsert), or
# its deletion (amt_relay_snapshot.h: 21 + 63 + 46 + 24, 21 + 19).
UPSERT_LEN = 154
DELETE_LEN = 40
# Seconds a stream may take to resume once amtd answers again.
RESUME_S = 20
# Packets per flow and second from src.
RATE = 20
MODULE_S = 900

PROCS = []


def build_topo(tgen):
    tgen.add_router("r1")
    tgen.add_router("relay")
    tgen.add_host("src", "10.0.1.10/24", "via 10.0.1.1")
    for name, (addr, _) in GATEWAYS.items():
        tgen.add_host(name, addr + "/24", "via " + RELAY4)

    sw = tgen.add_switch("s1")
    sw.add_link(tgen.gears["src"])
    sw.add_link(tgen.gears["r1"])
    sw = tgen.add_switch("s2")
    sw.add_link(tgen.gears["r1"])
    sw.add_link(tgen.gears["relay"])
    sw = tgen.add_switch("s3")
    sw.add_link(tgen.gears["relay"])
    for name in GATEWAYS:
        sw.add_link(tgen.gears[name])


def start_process(host, tag, cmd):
    return start_logged_process(PROCS, host, tag, cmd)


def relay():
    return get_topogen().gears["relay"]


def relay_logdir():
    return os.path.join(get_topogen().logdir, "relay")


def amtd_command():
    "How watchfrr (and the corrupt-snapshot test) starts amtd: as the topotest did."
    conf = os.path.join(relay_logdir(), "amtd-restart.conf")
    return "cd {} && /usr/lib/frr/amtd -f {} --command-log-always --log file:amtd.log --log-level debug -d >>amtd.out 2>>amtd.err".format(
        relay_logdir(), conf
    )


def write_amtd_conf():
    "amtd's part of relay/frr.conf, for amtd -f when it is started again."
    lines, inside = [], False
    with open(os.path.join(CWD, "relay", "frr.conf")) as f:
        for line in f:
            if line.startswith("amt relay"):
                inside = True
            if inside:
                lines.append(line)
            if inside and line.startswith("exit"):
                inside = False
    assert lines, "no amt relay section in relay/frr.conf"
    with open(os.path.join(relay_logdir(), "amtd-restart.conf"), "w") as f:
        f.writelines(lines)
    script = os.path.join(relay_logdir(), "start-amtd.sh")
    with open(script, "w") as f:
        # watchfrr insists on watching zebra too; only amtd is restarted here.
        f.write('#!/bin/sh\n[ "$1" = amtd ] || exit 1\n{}\n'.format(amtd_command()))
    os.chmod(script, 0o755)
    return script


def start_watchfrr():
    script = write_amtd_conf()
    relay().cmd_raises(
        "cd {0} && /usr/lib/frr/watchfrr -d -l 7 -i 1 -t 10 --min-restart-interval 1 "
        "--max-restart-interval 2 -r '{1} %s' -s '{1} %s' zebra amtd "
        ">watchfrr.out 2>watchfrr.err".format(relay_logdir(), script)
    )


def stop_watchfrr():
    "By its pid file (in the router's own /var/run/frr)."
    relay().cmd("kill -TERM $(cat /var/run/frr/watchfrr.pid) 2>/dev/null; sleep 1")


def setup_module(mod):
    tgen = Topogen(build_topo, mod.__name__)
    tgen.start_topology()

    for rname in ("r1", "relay"):
        router = tgen.gears[rname]
        daemons = [
            (TopoRouter.RD_ZEBRA, None),
            (TopoRouter.RD_MGMTD, None),
            (TopoRouter.RD_STATIC, None),
            (TopoRouter.RD_PIM, None),
        ]
        if rname == "relay":
            daemons.append((TopoRouter.RD_AMTD, None))
        router.load_frr_config(os.path.join(CWD, rname, "frr.conf"), daemons)
    tgen.start_router()
    start_watchfrr()

    args = ["--ifname", "src-eth0", "--rate", str(RATE), "--duration", str(MODULE_S)]
    for _, group in GATEWAYS.values():
        args += ["--flow", "{},{}".format(SRC, group)]
    start_process("src", "sender", [PYTHON, SENDER] + args)


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
    stop_watchfrr()
    get_topogen().stop_topology()


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


class Gateway:
    "One run of amt_test_gateway.py, polled through its JSON state file."

    def __init__(self, host, addr, group):
        tgen = get_topogen()
        self.host = host
        self.key = "{},{}".format(SRC, group)
        self.state_file = os.path.join(tgen.logdir, host, "amtgw.json")
        os.makedirs(os.path.dirname(self.state_file), exist_ok=True)
        cmd = [PYTHON, GATEWAY, "-v", "--state-file", self.state_file,
               "--state-interval", "0.2", "--relay", RELAY4, "--local", addr,
               "--join", self.key, "--duration", str(MODULE_S)]
        self.proc = start_process(host, "amtgw", cmd)

    def state(self):
        try:
            with open(self.state_file) as f:
                return json.load(f)
        except (OSError, ValueError):
            return {}

    def flow(self):
        return self.state().get("flows", {}).get(self.key, {})

    def packets(self):
        return self.flow().get("packets", 0)

    def missing(self):
        "Sequence numbers not received, between the first and the last one seen."
        f = self.flow()
        if not f:
            return 0
        return f["last_seq"] - f["first_seq"] + 1 - f["packets"]

    def requests(self):
        return self.state().get("sent", {}).get("request", 0)


GWS = {}


def relay_json(cmd):
    out = relay().vtysh_cmd(cmd)
    try:
        return json.loads(out)
    except ValueError:
        return {}


def restart_state():
    return relay_json("show amt relay json").get("amtr0", {}).get("restart", {})


def amtd_pid():
    out = relay().cmd("cat /var/run/frr/amtd.pid 2>/dev/null").strip()
    return int(out) if out.isdigit() else None


def wait_until(func, what, count=30, wait=1):
    ok, _ = topotest.run_and_expect(lambda: bool(func()), True, count=count, wait=wait)
    if not ok:
        for cmd in ("show amt relay json", "show amt relay amtr0 tunnels json",
                    "show ip igmp sources", "show ip mroute"):
            logger.info("---- relay: %s\n%s", cmd, relay().vtysh_cmd(cmd))
    assert ok, what() if callable(what) else what


def amtd_back(old_pid):
    """
    A new amtd answers, and has tried its restore: it writes a snapshot
    only after that.
    """
    def up():
        pid = amtd_pid()
        return pid and pid != old_pid and restart_state().get("snapshotsWritten", 0) >= 1

    wait_until(up, "amtd was not started again by watchfrr", count=60, wait=0.5)
    return time.time()


def snapshot_current():
    "The snapshot holds all three tunnels (written after the last change)."
    out = relay().cmd("stat -c '%a %s' {} 2>/dev/null".format(SNAPSHOT)).split()
    return len(out) == 2 and restart_state().get("snapshotsWritten", 0) >= 1


def check_restart(sig, what):
    """
    Stop amtd with sig; watchfrr starts it again.  Every gateway's stream
    must resume within RESUME_S of amtd answering, with no new Request.
    """
    wait_until(snapshot_current, "no snapshot written")
    mode = relay().cmd("stat -c '%a' {}".format(SNAPSHOT)).strip()
    assert mode == "600", "snapshot mode {}".format(mode)
    tunnels = relay_json("show amt relay json")["amtr0"]["tunnelCount"]
    assert tunnels == len(GATEWAYS), "relay has {} tunnels".format(tunnels)

    requests = {n: g.requests() for n, g in GWS.items()}
    # Wait a little past the last change: the snapshot is at most 1 s behind.
    time.sleep(1.5)
    pid = amtd_pid()
    assert pid, "no amtd pid"
    missing_before = {n: g.missing() for n, g in GWS.items()}
    # The control, by hand: AMT_RESTART_DROP_SNAPSHOT=1 removes the file
    # as amtd stops, and these assertions must fail.
    drop = "; rm -f " + SNAPSHOT if os.environ.get("AMT_RESTART_DROP_SNAPSHOT") else ""
    relay().cmd("kill -{} {}{}".format(sig, pid, drop))
    t_kill = time.time()
    wait_until(lambda: relay().cmd("kill -0 {} 2>/dev/null && echo alive".format(pid)).strip() != "alive",
               "amtd did not stop", count=20, wait=0.5)
    before = {n: (g.packets(),) for n, g in GWS.items()}
    t_back = amtd_back(pid)

    for name, g in GWS.items():
        wait_until(lambda: g.packets() >= before[name][0] + 2 * RATE,
                   lambda: "{}: stream did not resume within {} s of amtd being back ({}); state {}".format(
                       name, RESUME_S, what, g.state()),
                   count=RESUME_S * 4, wait=0.25)
    t_resumed = time.time()
    for name, g in GWS.items():
        assert g.requests() == requests[name], "{} sent a new Request ({} -> {})".format(
            name, requests[name], g.requests())
        lost = g.missing() - missing_before[name]
        logger.info("%s after %s: %d packets lost (by sequence numbers); amtd down %.1f s, "
                    "streams back %.1f s after amtd", name, what, lost, t_back - t_kill,
                    t_resumed - t_back)
    # The streams first (above), so that the control fails on them.
    st = restart_state()
    logger.info("%s: restart state %s", what, st)
    assert st.get("restored") is True, st
    assert st.get("tunnelsRestored") == len(GATEWAYS), st
    assert st.get("snapshotRejected") == 0, st


# ---------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------


def test_streams_flow():
    "Three gateways, one SSM stream each, through the relay."
    tgen = get_topogen()
    if tgen.routers_have_failure():
        pytest.skip(tgen.errors)
    wait_until(lambda: restart_state().get("snapshotFile"), "amtd relay not up", count=60)
    for name, (addr, group) in GATEWAYS.items():
        GWS[name] = Gateway(name, addr, group)
    for name, g in GWS.items():
        wait_until(lambda: g.packets() >= 2 * RATE,
                   lambda: "{} receives nothing: {}".format(name, g.state()), count=60)
        assert g.requests() >= 1


def file_stat(path):
    "Size, inode and modification time (ns) of a file on the relay, or None."
    out = relay().cmd("stat -c '%s %i %y' {} 2>/dev/null".format(path)).strip()
    if not out:
        return None
    size, inode, mtime = out.split(" ", 2)
    return {"size": int(size), "inode": int(inode), "mtime": mtime}


def files_stat():
    return {"base": file_stat(SNAPSHOT), "journal": file_stat(JOURNAL)}


def test_incremental_writes():
    """
    Idle tunnels write nothing; a change in one tunnel appends small journal
    records and leaves the base as it was (same inode, size and mtime).
    """
    tgen = get_topogen()
    if tgen.routers_have_failure():
        pytest.skip(tgen.errors)
    # The changes of the three handshakes are flushed within a second.
    time.sleep(2)
    idle = files_stat()
    assert idle["base"] and idle["journal"], idle
    st_idle = restart_state()
    time.sleep(4)
    still = files_stat()
    assert still == idle, "snapshot files written while nothing changed: {} -> {}".format(
        idle, still)
    assert restart_state().get("bytesWritten") == st_idle.get("bytesWritten"), restart_state()

    # A fourth tunnel, from gw1 on another port, for a few seconds: its
    # handshake is one change (upsert records), its Teardown another (delete).
    addr, group = GATEWAYS["gw1"]
    state_file = os.path.join(tgen.logdir, "gw1", "amtgw-extra.json")
    cmd = [PYTHON, GATEWAY, "-v", "--state-file", state_file, "--state-interval", "0.2",
           "--relay", RELAY4, "--local", addr, "--local-port", "40001",
           "--join", "{},{}".format(SRC, group), "--duration", "6", "--teardown-at-end"]
    proc = start_process("gw1", "amtgw-extra", cmd)

    def tunnels():
        return relay_json("show amt relay json").get("amtr0", {}).get("tunnelCount")

    wait_until(lambda: tunnels() == len(GATEWAYS) + 1, "no fourth tunnel", count=20, wait=0.5)
    time.sleep(2)
    grown = files_stat()
    st = restart_state()
    logger.info("after one tunnel's handshake: %s -> %s; %s", idle, grown, st)
    assert grown["base"] == idle["base"], "base rewritten for one tunnel: {} -> {}".format(
        idle["base"], grown["base"])
    added = grown["journal"]["size"] - idle["journal"]["size"]
    # At least its record; at most a few of them (Request and Update may
    # come in two flushes), far less than the base.
    assert UPSERT_LEN <= added <= 3 * UPSERT_LEN, "journal grew by {} bytes".format(added)
    assert grown["journal"]["inode"] == idle["journal"]["inode"], grown
    assert st.get("snapshotsWritten") == st_idle.get("snapshotsWritten"), st
    assert st.get("journalAppends", 0) > st_idle.get("journalAppends", 0), st

    proc.wait(timeout=20)
    wait_until(lambda: tunnels() == len(GATEWAYS), "fourth tunnel not torn down",
               count=20, wait=0.5)
    time.sleep(2)
    gone = files_stat()
    assert gone["base"] == idle["base"], gone
    added = gone["journal"]["size"] - grown["journal"]["size"]
    assert DELETE_LEN <= added <= 2 * (DELETE_LEN + UPSERT_LEN), "journal grew by {} bytes".format(added)


def test_kill9_restart_resumes():
    "kill -9: watchfrr starts amtd again, the restored tunnels forward at once."
    check_restart("KILL", "kill -9")
    # Restored from the base and the journal (three tunnels, not four: the
    # fourth's delete is honoured whether it was journalled or compacted
    # into the base; the fresh-machine run saw the base rewritten first, so
    # the number of records replayed is not asserted).
    st = restart_state()
    assert st.get("journalRecordsDropped") == 0, st


def test_restart_state_in_yang():
    "The restore's counters in the YANG operational state too."
    oper = relay_json("show yang operational-data "
                      "/frr-amtd:amtd/relay[name='amtr0']/restart amtd")
    st = oper["frr-amtd:amtd"]["relay"][0]["restart"]
    assert st["restored"] is True, st
    assert int(st["tunnels-restored"]) == len(GATEWAYS), st
    assert int(st["groups-restored"]) == len(GATEWAYS), st
    assert int(st["snapshot-rejected"]) == 0, st
    assert st["snapshot-file"] == SNAPSHOT, st
    # The journal replayed after the kill -9 (the fourth tunnel's records).
    assert st["journal-file"] == JOURNAL, st
    assert int(st["journal-records-dropped"]) == 0, st
    assert int(st["bytes-written"]) > 0, st


def test_clean_restart_resumes():
    "SIGTERM: amtd writes a last snapshot; watchfrr starts it again."
    check_restart("TERM", "SIGTERM")
    # The clean stop compacted everything into the base: no journal record.
    st = restart_state()
    assert st.get("journalRecordsReplayed") == 0, st
    assert st.get("journalRecordsDropped") == 0, st


def test_corrupt_snapshot_ignored():
    """
    A snapshot with one byte changed is ignored (log line, counter), the
    relay starts with no tunnels, and the streams stay off: the gateways
    send no Request for 300 s.
    """
    wait_until(snapshot_current, "no snapshot written")
    time.sleep(1.5)
    stop_watchfrr()
    pid = amtd_pid()
    relay().cmd("kill -KILL {}".format(pid))
    wait_until(lambda: relay().cmd("kill -0 {} 2>/dev/null && echo alive".format(pid)).strip() != "alive",
               "amtd did not stop", count=20, wait=0.5)
    # Flip one byte in the middle of the file.
    size = int(relay().cmd("stat -c %s {}".format(SNAPSHOT)).strip())
    relay().cmd_raises(
        "printf '\\377' | dd of={} bs=1 seek={} conv=notrunc 2>/dev/null".format(SNAPSHOT, size // 2)
    )
    before = {n: g.packets() for n, g in GWS.items()}
    relay().cmd_raises(amtd_command())
    amtd_back(pid)
    st = restart_state()
    assert st.get("snapshotRejected") == 1, st
    assert st.get("restored") is False, st
    assert st.get("tunnelsRestored") == 0, st
    assert "checksum" in st.get("lastRejectReason", ""), st
    oper = relay_json("show yang operational-data "
                      "/frr-amtd:amtd/relay[name='amtr0']/restart amtd")
    yst = oper["frr-amtd:amtd"]["relay"][0]["restart"]
    assert int(yst["snapshot-rejected"]) == 1 and yst["restored"] is False, yst
    log = open(os.path.join(relay_logdir(), "amtd.log")).read()
    assert "ignoring restart snapshot" in log and "checksum mismatch" in log
    assert relay_json("show amt relay json")["amtr0"]["tunnelCount"] == 0
    # No restore, no stream: 10 s without a packet on any gateway.
    time.sleep(10)
    for name, g in GWS.items():
        assert g.packets() <= before[name] + RATE, "{} received {} packets with no tunnel".format(
            name, g.packets() - before[name])
    # The rejected file is replaced by a good one at the next change.
    start_watchfrr()


def test_deconfigure_removes_snapshot():
    "no amt relay: the relay's snapshot file goes with it."
    relay().vtysh_cmd("configure terminal\namt relay amtr0\nquery-interval 299\n")
    wait_until(lambda: relay().cmd("test -e {} && test -e {} && echo yes".format(
        SNAPSHOT, JOURNAL)).strip() == "yes", "no snapshot and journal after a change")
    relay().vtysh_cmd("configure terminal\nno amt relay amtr0\n")
    wait_until(lambda: relay().cmd("test -e {} || echo gone".format(SNAPSHOT)).strip() == "gone",
               "snapshot still there after no amt relay")
    assert relay().cmd("test -e {} || echo gone".format(JOURNAL)).strip() == "gone", \
        "journal still there after no amt relay"


if __name__ == "__main__":
    args = ["-s"] + sys.argv[1:]
    sys.exit(pytest.main(args))
