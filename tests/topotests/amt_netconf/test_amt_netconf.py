#!/usr/bin/env python
# SPDX-License-Identifier: ISC
#
# test_amt_netconf.py: amtd served over NETCONF (RFC 6241 over SSH, RFC 6242)
# by FRR's netconf module, with Debian's ncclient as the client.
#

"""
One router with zebra, mgmtd and amtd; amtd loads the netconf module
(-M netconf:...) listening on 127.0.0.1 inside the router, with an
authorized_keys file holding one ed25519 key made by ssh-keygen.  The tests
check the server's hello (base:1.0, base:1.1 and :xpath, nothing that is
not implemented), get-config (the relay's configuration), get (its
operational state), both with XPath filters, an unknown and a malformed rpc (rpc-error carrying the request's
message-id) and a key that is not authorized (refused), and that the host
key was generated readable by FRR only.  The candidate datastore: a relay
made by edit-config + commit shows in vtysh; create of an existing node is
data-exists, delete of a missing one data-missing, bad values
invalid-value; a commit refused by YANG or amtd's validation carries the
northbound's message; discard-changes; locks of one session refuse
another's lock, edit and commit and vtysh's commits, and end with the
session; replace, default-operation none, delete.  copy-config between
running and candidate (a reset of the candidate, a commit through the
northbound) honouring locks, other sources refused.  Hostile clients
(malformed XML, bytes that are no XML, an unknown rpc, a 10 MB message, a
client that connects and says nothing) beside a good session that keeps
being served; idle sessions closed after idle_timeout; a session beyond
max_sessions refused.
"""

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

CWD = os.path.dirname(os.path.realpath(__file__))
sys.path.append(os.path.join(CWD, "../"))
sys.path.append(CWD)

# pylint: disable=C0413
from lib import topotest
from lib.topogen import Topogen, TopoRouter, get_topogen
from nc_setup import NS_AMTD, NS_BASE, amtd_args, amtd_config, make_keys, run_client, run_script

pytestmark = [pytest.mark.amtd]

PORT = 8300
# small on purpose: test_session_limit and test_idle_session_closed use them
MAX_SESSIONS = 4
IDLE_TIMEOUT = 12
NS_YANGLIB = "urn:ietf:params:xml:ns:yang:ietf-yang-library"


def build_topo(tgen):
    tgen.add_router("r1")


def keydir(tgen):
    return os.path.join(tgen.logdir, "netconf-keys")


def statedir(tgen):
    return os.path.join(tgen.logdir, "netconf-state")


def hostkey_path(tgen):
    return os.path.join(statedir(tgen), "netconf_host_key")


def setup_module(mod):
    tgen = Topogen(build_topo, mod.__name__)
    tgen.start_topology()
    authkeys = make_keys(keydir(tgen))
    args = amtd_args(
        __file__,
        statedir(tgen),
        PORT,
        authkeys,
        hostkey_path(tgen),
        max_sessions=MAX_SESSIONS,
        idle_timeout=IDLE_TIMEOUT,
    )
    r1 = tgen.gears["r1"]
    r1.load_frr_config(
        os.path.join(CWD, "r1/frr.conf"),
        [
            (TopoRouter.RD_ZEBRA, None),
            (TopoRouter.RD_MGMTD, None),
            (TopoRouter.RD_AMTD, args),
        ],
    )
    tgen.start_router()


def teardown_module(mod):
    get_topogen().stop_topology()


def client(key, *args):
    return run_client(get_topogen().gears["r1"], PORT, key, *args)


def good_key():
    return os.path.join(keydir(get_topogen()), "good")


def wait_session():
    "The server listens once amtd runs; a session with the good key works."
    last = None
    for _ in range(30):
        try:
            return client(good_key(), "session")
        except AssertionError as e:
            last = e
            topotest.sleep(1)
    raise last


def relay_up():
    r1 = get_topogen().gears["r1"]
    out = json.loads(r1.vtysh_cmd("show amt json"))
    return out.get("instances", {}).get("amtr0", {}).get("operStatus")


def test_session_capabilities_and_data():
    "hello, get-config and get over an ncclient session"
    assert topotest.run_and_expect(relay_up, "up", count=30, wait=1)[0], "relay not up"
    out = wait_session()
    assert out["auth"] == "ok", out
    caps = out["capabilities"]
    assert "urn:ietf:params:netconf:base:1.0" in caps, caps
    assert "urn:ietf:params:netconf:base:1.1" in caps, caps
    assert "urn:ietf:params:netconf:capability:xpath:1.0" in caps, caps
    assert "urn:ietf:params:netconf:capability:candidate:1.0" in caps, caps
    assert "urn:ietf:params:netconf:capability:validate:1.1" in caps, caps
    assert "urn:ietf:params:netconf:capability:rollback-on-error:1.0" in caps, caps
    # RFC 6243 4.3: explicit basic mode, the three other modes also
    wd = [c for c in caps if c.startswith("urn:ietf:params:netconf:capability:with-defaults:1.0?")]
    assert wd == [
        "urn:ietf:params:netconf:capability:with-defaults:1.0?basic-mode=explicit"
        "&also-supported=report-all,report-all-tagged,trim"
    ], caps
    # the YANG library (RFC 8526 section 2), with its content-id
    yl = [c for c in caps if c.startswith("urn:ietf:params:netconf:capability:yang-library:1.1?")]
    assert len(yl) == 1, caps
    assert "revision=2019-01-04" in yl[0] and "content-id=" in yl[0], yl
    # only what is implemented is announced (no :writable-running)
    assert len(caps) == 8, caps
    assert out["session_id"] and int(out["session_id"]) > 0, out

    cfg = ET.fromstring(out["get_config"])
    relays = cfg.findall(".//{%s}relay" % NS_AMTD)
    assert len(relays) == 1, out["get_config"]
    assert relays[0].findtext("{%s}name" % NS_AMTD) == "amtr0", out["get_config"]
    assert "192.0.2.1" in ET.tostring(relays[0]).decode(), out["get_config"]
    # configuration only: no operational state in get-config
    assert "oper-status" not in out["get_config"], out["get_config"]

    data = ET.fromstring(out["get"])
    # the YANG library (RFC 8525) in an unfiltered get: frr-amtd implemented
    libs = data.findall(".//{%s}yang-library" % NS_YANGLIB)
    assert len(libs) == 1, out["get"][:2000]
    mods = [
        m
        for m in libs[0].iter("{%s}module" % NS_YANGLIB)
        if m.findtext("{%s}name" % NS_YANGLIB) == "frr-amtd"
    ]
    assert len(mods) == 1, out["get"][:2000]
    assert mods[0].findtext("{%s}namespace" % NS_YANGLIB) == NS_AMTD, out["get"][:2000]
    assert mods[0].findtext("{%s}revision" % NS_YANGLIB), out["get"][:2000]
    stores = [
        d.findtext("{%s}name" % NS_YANGLIB)
        for d in libs[0].iter("{%s}datastore" % NS_YANGLIB)
    ]
    assert stores == ["ds:running", "ds:candidate", "ds:operational"], stores
    relays = data.findall(".//{%s}relay" % NS_AMTD)
    assert len(relays) == 1, out["get"]
    states = [e.text for e in relays[0].iter() if e.tag.endswith("}oper-status")]
    assert states == ["up"], out["get"]
    assert "192.0.2.1" in ET.tostring(relays[0]).decode(), out["get"]
    # XPath filters (RFC 6241 8.9): the matches with their ancestors only
    cfg = ET.fromstring(out["get_config_xpath"])
    relays = cfg.findall(".//{%s}relay" % NS_AMTD)
    assert len(relays) == 1, out["get_config_xpath"]
    addrs = [e.text for e in relays[0].findall("{%s}local-address" % NS_AMTD)]
    assert addrs == ["192.0.2.1"], out["get_config_xpath"]
    assert len(list(cfg)) == 1, out["get_config_xpath"]  # only frr-amtd's tree
    data = ET.fromstring(out["get_xpath"])
    relays = data.findall(".//{%s}relay" % NS_AMTD)
    assert len(relays) == 1, out["get_xpath"]
    assert relays[0].findtext("{%s}oper-status" % NS_AMTD) == "up", out["get_xpath"]
    assert "local-address" not in out["get_xpath"], out["get_xpath"]
    # subtree filters (RFC 6241 6) on get: operational data of one relay
    data = ET.fromstring(out["get_subtree"])
    relays = data.findall(".//{%s}relay" % NS_AMTD)
    assert len(relays) == 1, out["get_subtree"]
    kids = sorted((c.tag.split("}")[1], c.text) for c in relays[0])
    assert kids == [("name", "amtr0"), ("oper-status", "up")], out["get_subtree"]
    # subtree filters (RFC 6241 6): served; attribute match expressions refused
    assert out["subtree"] == "accepted", out
    assert out["subtree_attr"] == "unknown-attribute", out
    assert out["bad_xpath"] == "bad-attribute", out
    # kill-session ends another session, not the own one
    assert out["kill_other"] is True, out
    assert out["killed_session"] != "still serves", out
    assert out["kill_own"] == "invalid-value", out
    # the candidate datastore is served
    assert out["candidate"] == "accepted", out


def rpc_error(reply):
    root = ET.fromstring(reply)
    assert root.tag == "{%s}rpc-reply" % NS_BASE, reply
    errs = root.findall("{%s}rpc-error" % NS_BASE)
    assert len(errs) == 1, reply
    return root.get("message-id"), errs[0].findtext("{%s}error-tag" % NS_BASE)


def raw_rpc_error(message_id, body):
    "sends <rpc message-id=...>body</rpc> (body may leave it malformed)"
    rpc = '<rpc message-id="%s" xmlns="%s">%s</rpc>' % (message_id, NS_BASE, body)
    out = client(good_key(), "raw", "'{}'".format(rpc))
    assert "base:1.1" in out["hello"], out
    mid, tag = rpc_error(out["reply"])
    assert mid == message_id, out
    return tag, out


def test_unknown_rpc_error_keeps_message_id():
    "an rpc the server does not know gets an rpc-error with its message-id"
    tag, out = raw_rpc_error("77", "<no-such-op/>")
    assert tag == "operation-not-supported", out


def test_malformed_rpc_error_keeps_message_id():
    "a malformed rpc (element left open) gets an rpc-error with its message-id"
    tag, out = raw_rpc_error("78", "<get-config><source><running/></source>")
    assert tag == "malformed-message", out


def test_rpc_without_message_id():
    "an rpc without message-id: missing-attribute naming it (RFC 6241 4.1)"
    out = client(
        good_key(), "raw", "'<rpc xmlns=\"%s\"><get/></rpc>'" % NS_BASE
    )
    mid, tag = rpc_error(out["reply"])
    assert mid is None, out
    assert tag == "missing-attribute", out
    assert "<bad-attribute>message-id</bad-attribute>" in out["reply"], out


def test_edit_config_running_not_writable():
    "edit-config of running: operation-not-supported (no :writable-running)"
    tag, out = raw_rpc_error(
        "79", "<edit-config><target><running/></target><config/></edit-config>"
    )
    assert tag == "operation-not-supported", out


def test_oversized_message_closes_session():
    "a message above max_message (1 MB) closes that session, others go on"
    out = client(good_key(), "big", str(2 * 1024 * 1024))
    assert out["reply"] == "", out["reply"][:500]
    assert out["closed"], out
    assert client(good_key(), "session")["auth"] == "ok"


def test_unauthorized_key_refused():
    "a key that is not in authorized_keys is refused"
    out = client(os.path.join(keydir(get_topogen()), "bad"), "session")
    assert out["auth"] == "refused", out
    # and the good key still works afterwards
    assert client(good_key(), "session")["auth"] == "ok"


# ---- the candidate datastore (RFC 6241 7.2, 7.5, 8.3, 8.6) ----

cfg = amtd_config


def relay(name, body="", op=None):
    attr = ' nc:operation="%s"' % op if op else ""
    return "<relay%s><name>%s</name>%s</relay>" % (attr, name, body)


def script(steps):
    "runs the steps (see nc_client.script) and returns their answers"
    tgen = get_topogen()
    return run_script(tgen.gears["r1"], PORT, good_key(), tgen.logdir, steps)


def relay_xpath(name):
    return '/amt:amtd/amt:relay[amt:name="%s"]' % name


def relays_in(xml, name):
    "the relay entries called name in a get-config answer"
    root = ET.fromstring(xml)
    return [
        r
        for r in root.iter("{%s}relay" % NS_AMTD)
        if r.findtext("{%s}name" % NS_AMTD) == name
    ]


def vtysh_relay(name):
    "show amt relay json for one instance, or None"
    r1 = get_topogen().gears["r1"]
    out = json.loads(r1.vtysh_cmd("show amt relay json"))
    if name in out:
        return out[name]
    return out.get("instances", {}).get(name)


def running_config():
    return get_topogen().gears["r1"].vtysh_cmd("show running-config")


def test_candidate_create_commit_relay():
    "a relay made by edit-config (create) + commit is in vtysh and running"
    res = script(
        [
            {
                "op": "edit",
                "config": cfg(
                    relay(
                        "amtr1",
                        "<local-address>192.0.2.1</local-address><port>2270</port>"
                        "<tunnel-limit>77</tunnel-limit>",
                        "create",
                    )
                ),
            },
            {"s": 1, "op": "get_config", "source": "candidate", "xpath": relay_xpath("amtr1")},
            {"s": 1, "op": "get_config", "source": "running", "xpath": relay_xpath("amtr1")},
            {"op": "validate"},
            {"op": "commit"},
            {"s": 1, "op": "get_config", "source": "running", "xpath": relay_xpath("amtr1")},
        ]
    )
    assert res[0] == {"result": "ok"}, res
    # the edit is in the (shared) candidate, not yet in running
    cand = relays_in(res[1]["xml"], "amtr1")
    assert len(cand) == 1, res[1]
    assert cand[0].findtext("{%s}tunnel-limit" % NS_AMTD) == "77", res[1]
    assert len(relays_in(res[2]["xml"], "amtr1")) == 0, res[2]
    assert res[3] == {"result": "ok"}, res
    assert res[4] == {"result": "ok"}, res
    assert len(relays_in(res[5]["xml"], "amtr1")) == 1, res[5]
    conf = running_config()
    assert "amt relay amtr1" in conf, conf
    assert "tunnel-limit 77" in conf, conf
    ok, j = topotest.run_and_expect(
        lambda: (vtysh_relay("amtr1") or {}).get("tunnelLimit"), 77, count=10, wait=1
    )
    assert ok, j
    j = vtysh_relay("amtr1")
    assert j["port"] == 2270, j
    assert j["localAddresses"] == ["192.0.2.1"], j


def test_candidate_create_existing_is_data_exists():
    "create of a relay that exists: data-exists with its error-path, nothing changed"
    res = script(
        [
            {
                "op": "edit",
                "config": cfg(relay("amtr0", "<tunnel-limit>5</tunnel-limit>", "create")),
            },
            {"op": "get_config", "source": "candidate", "xpath": relay_xpath("amtr0")},
        ]
    )
    assert res[0]["result"] == "error", res
    assert res[0]["tag"] == "data-exists", res
    assert "amtr0" in (res[0]["path"] or ""), res
    cand = relays_in(res[1]["xml"], "amtr0")
    assert len(cand) == 1, res[1]
    assert cand[0].findtext("{%s}tunnel-limit" % NS_AMTD) != "5", res[1]


def test_candidate_edit_all_or_nothing():
    "an edit whose second part fails leaves its first part out (rollback-on-error)"
    both = cfg(
        relay("amtr1", "<tunnel-limit>88</tunnel-limit>") + relay("amtr0", op="create")
    )
    res = script(
        [
            {"op": "edit", "config": both, "error_option": "rollback-on-error"},
            {"op": "edit", "config": both, "error_option": "stop-on-error"},
            {"op": "get_config", "source": "candidate", "xpath": relay_xpath("amtr1")},
            {"op": "edit", "config": both, "error_option": "continue-on-error"},
        ]
    )
    for r in res[:2]:
        assert r["result"] == "error" and r["tag"] == "data-exists", res
    cand = relays_in(res[2]["xml"], "amtr1")
    assert len(cand) == 1, res[2]
    assert cand[0].findtext("{%s}tunnel-limit" % NS_AMTD) == "77", res[2]
    assert res[3]["result"] == "error" and res[3]["tag"] == "operation-not-supported", res


def test_candidate_delete_missing_is_data_missing():
    "delete of a relay that does not exist: data-missing; remove of it: ok"
    res = script(
        [
            {"op": "edit", "config": cfg(relay("amtr9", op="delete"))},
            {"op": "edit", "config": cfg(relay("amtr9", op="remove"))},
            {"op": "discard"},
        ]
    )
    assert res[0]["result"] == "error" and res[0]["tag"] == "data-missing", res
    assert res[1] == {"result": "ok"}, res


def test_candidate_bad_value_is_invalid_value():
    "a value its type refuses: invalid-value at edit-config, the candidate unchanged"
    res = script(
        [
            {"op": "edit", "config": cfg(relay("amtr1", "<tunnel-limit>0</tunnel-limit>"))},
            {
                "op": "edit",
                "config": cfg(relay("amtr1", "<local-address>not-an-ip</local-address>")),
            },
            {"op": "edit", "config": cfg(relay("amtr1", "<no-such-leaf>1</no-such-leaf>"))},
            {"op": "get_config", "source": "candidate", "xpath": relay_xpath("amtr1")},
        ]
    )
    for r in res[:2]:
        assert r["result"] == "error" and r["tag"] == "invalid-value", res
    assert res[2]["result"] == "error" and res[2]["tag"] == "unknown-element", res
    cand = relays_in(res[3]["xml"], "amtr1")
    assert len(cand) == 1 and cand[0].findtext("{%s}tunnel-limit" % NS_AMTD) == "77", res[3]


def test_candidate_commit_refused_with_message():
    """
    Edits YANG accepts one at a time but the commit refuses: the commit's
    rpc-error carries the northbound's message (YANG must, amtd's own
    validation) and running is unchanged.
    """
    qri = relay("amtr1", "<query-response-interval>200</query-response-interval>")
    gw = (
        '<gateway nc:operation="create"><name>amtg1</name>'
        "<dns-discovery><source>224.1.1.1</source></dns-discovery></gateway>"
    )
    res = script(
        [
            # test-option set: no validation at edit time (RFC 6241 8.6.4)
            {"op": "edit", "config": cfg(qri), "test_option": "set"},
            {"op": "validate"},
            {"op": "commit"},
            {"op": "discard"},
            # test-then-set (the default) refuses the same edit at once
            {"op": "edit", "config": cfg(qri)},
            # amtd's own validation (amtd_gateway_dns_source_modify)
            {"op": "edit", "config": cfg(gw)},
            {"op": "commit"},
            {"op": "discard"},
            {"op": "get_config", "source": "candidate"},
        ]
    )
    msg = "query-response-interval must be shorter than query-interval"
    assert res[0] == {"result": "ok"}, res
    assert res[1]["result"] == "error" and msg in res[1]["message"], res
    assert res[2]["result"] == "error" and res[2]["tag"] == "operation-failed", res
    assert msg in res[2]["message"], res
    assert res[3] == {"result": "ok"}, res
    assert res[4]["result"] == "error" and res[4]["tag"] == "invalid-value", res
    assert msg in res[4]["message"], res
    assert res[5] == {"result": "ok"}, res
    assert res[6]["result"] == "error" and res[6]["tag"] == "operation-failed", res
    assert "dns-discovery source 224.1.1.1 is not a unicast address" in res[6]["message"], res
    assert res[7] == {"result": "ok"}, res
    assert "amtg1" not in res[8]["xml"], res[8]
    conf = running_config()
    assert "query-response-interval 200" not in conf, conf
    assert "amtg1" not in conf, conf
    assert (vtysh_relay("amtr1") or {}).get("queryResponseInterval") != 200


def test_candidate_discard_changes():
    "discard-changes drops an edit; running and vtysh never saw it"
    res = script(
        [
            {"op": "edit", "config": cfg(relay("amtr1", "<tunnel-limit>42</tunnel-limit>"))},
            {"op": "get_config", "source": "candidate", "xpath": relay_xpath("amtr1")},
            {"op": "discard"},
            {"op": "get_config", "source": "candidate", "xpath": relay_xpath("amtr1")},
            {"op": "commit"},
        ]
    )
    assert res[0] == {"result": "ok"}, res
    assert relays_in(res[1]["xml"], "amtr1")[0].findtext("{%s}tunnel-limit" % NS_AMTD) == "42"
    assert res[2] == {"result": "ok"}, res
    assert relays_in(res[3]["xml"], "amtr1")[0].findtext("{%s}tunnel-limit" % NS_AMTD) == "77"
    assert res[4] == {"result": "ok"}, res
    assert (vtysh_relay("amtr1") or {}).get("tunnelLimit") == 77


def test_candidate_locks():
    """
    A session's locks refuse another session's lock (lock-denied naming the
    holder), edit and commit (in-use) and a vtysh change; they end with the
    session.
    """
    edit = cfg(relay("amtr1", "<tunnel-limit>55</tunnel-limit>"))
    res = script(
        [
            {"s": 0, "op": "session_id"},
            {"s": 0, "op": "lock", "target": "candidate"},
            {"s": 0, "op": "lock", "target": "running"},
            {"s": 1, "op": "lock", "target": "candidate"},
            {"s": 1, "op": "lock", "target": "running"},
            {"s": 1, "op": "edit", "config": edit},
            {"s": 1, "op": "commit"},
            {"s": 1, "op": "unlock", "target": "running"},
            {"s": 0, "op": "unlock", "target": "running"},
            {"s": 1, "op": "lock", "target": "running"},
            {"s": 0, "op": "commit"},
            {"s": 1, "op": "unlock", "target": "running"},
            {"s": 0, "op": "close"},
            {"s": 1, "op": "lock", "target": "candidate"},
            {"s": 1, "op": "edit", "config": edit},
            {"s": 2, "op": "commit"},
            {"s": 1, "op": "commit"},
            {"s": 1, "op": "unlock", "target": "candidate"},
        ]
    )
    holder = res[0]["id"]
    assert res[1] == {"result": "ok"} and res[2] == {"result": "ok"}, res
    for r in res[3:5]:
        assert r["result"] == "error" and r["tag"] == "lock-denied", res
        assert r["session_id"] == holder, res
    assert res[5]["result"] == "error" and res[5]["tag"] == "in-use", res
    assert res[6]["result"] == "error" and res[6]["tag"] == "in-use", res
    # only the holder unlocks
    assert res[7]["result"] == "error" and res[7]["tag"] == "operation-failed", res
    assert res[8] == {"result": "ok"}, res
    assert res[9] == {"result": "ok"}, res
    # running locked by session 1 now: session 0's commit is refused
    assert res[10]["result"] == "error" and res[10]["tag"] == "in-use", res
    assert res[11] == {"result": "ok"}, res
    # session 0 closed: its candidate lock went with it
    assert res[12] == {"result": "ok"}, res
    assert res[13] == {"result": "ok"}, res
    assert res[14] == {"result": "ok"}, res
    assert res[15]["result"] == "error" and res[15]["tag"] == "in-use", res
    assert res[16] == {"result": "ok"}, res
    assert res[17] == {"result": "ok"}, res
    assert (vtysh_relay("amtr1") or {}).get("tunnelLimit") == 55


VTYSH_SET_LIMIT = (
    "vtysh -c 'configure terminal' -c 'amt relay amtr1' -c 'tunnel-limit 66' 2>&1"
)


def test_candidate_running_lock_holds_off_vtysh():
    "while a NETCONF session holds the running lock, a vtysh commit is refused"
    r1 = get_topogen().gears["r1"]
    tgen = get_topogen()
    # the lock lasts while the client's session lives: hold it in the background
    hold = os.path.join(tgen.logdir, "nc_hold.py")
    with open(hold, "w") as f:
        f.write(
            "import sys, time\n"
            "sys.path.insert(0, '{cwd}')\n"
            "import nc_client\n"
            "m = nc_client.connect({port}, '{key}')\n"
            "m.lock(target='running')\n"
            "print('locked', flush=True)\n"
            "time.sleep(8)\n"
            "m.close_session()\n".format(port=PORT, key=good_key(), cwd=CWD)
        )
    os.chmod(hold, 0o644)
    proc = r1.net.popen(
        ["/usr/bin/python3", hold], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        line = proc.stdout.readline()
        if isinstance(line, bytes):
            line = line.decode()
        assert line.strip() == "locked", (line, proc.stderr.read())
        out = r1.cmd(VTYSH_SET_LIMIT)
        assert "locked" in out.lower(), out
        assert (vtysh_relay("amtr1") or {}).get("tunnelLimit") == 55
    finally:
        proc.wait(timeout=30)
    # released with the session: vtysh commits again
    out = r1.cmd(VTYSH_SET_LIMIT)
    assert "locked" not in out.lower(), out
    assert (vtysh_relay("amtr1") or {}).get("tunnelLimit") == 66


def test_kill_session_releases_locks():
    "kill-session ends the victim's locks (RFC 6241 7.9)"
    res = script(
        [
            {"s": 0, "op": "lock", "target": "running"},
            {"s": 0, "op": "lock", "target": "candidate"},
            {"s": 1, "op": "lock", "target": "running"},
            {"s": 1, "op": "kill", "victim": 0},
            {"s": 1, "op": "lock", "target": "running"},
            {"s": 1, "op": "lock", "target": "candidate"},
            {"s": 1, "op": "unlock", "target": "candidate"},
            {"s": 1, "op": "unlock", "target": "running"},
        ]
    )
    assert res[0] == {"result": "ok"} and res[1] == {"result": "ok"}, res
    assert res[2]["result"] == "error" and res[2]["tag"] == "lock-denied", res
    for r in res[3:]:
        assert r == {"result": "ok"}, res


def test_candidate_replace_merge_none_delete():
    "replace resets what it leaves out; none + delete below; delete and commit"
    res = script(
        [
            {
                "op": "edit",
                "config": cfg(
                    relay(
                        "amtr1",
                        "<local-address>192.0.2.1</local-address><port>2270</port>",
                        "replace",
                    )
                ),
            },
            {"op": "get_config", "source": "candidate", "xpath": relay_xpath("amtr1")},
            {
                "op": "edit",
                "default_operation": "none",
                "config": cfg(relay("amtr1", '<port nc:operation="delete">2270</port>')),
            },
            {"op": "get_config", "source": "candidate", "xpath": relay_xpath("amtr1")},
            {"op": "commit"},
            {"op": "edit", "config": cfg(relay("amtr1", op="delete"))},
            {"op": "commit"},
            {"op": "get_config", "source": "running", "xpath": relay_xpath("amtr1")},
        ]
    )
    assert res[0] == {"result": "ok"}, res
    r = relays_in(res[1]["xml"], "amtr1")
    assert len(r) == 1, res[1]
    assert r[0].findtext("{%s}tunnel-limit" % NS_AMTD) in (None, "10000"), res[1]
    assert r[0].findtext("{%s}port" % NS_AMTD) == "2270", res[1]
    assert res[2] == {"result": "ok"}, res
    r = relays_in(res[3]["xml"], "amtr1")
    assert r[0].findtext("{%s}port" % NS_AMTD) in (None, "2268"), res[3]
    assert res[4] == {"result": "ok"} and res[5] == {"result": "ok"}, res
    assert res[6] == {"result": "ok"}, res
    assert len(relays_in(res[7]["xml"], "amtr1")) == 0, res[7]
    assert "amt relay amtr1" not in running_config()
    assert topotest.run_and_expect(lambda: vtysh_relay("amtr1"), None, count=10, wait=1)[0]


def test_get_config_subtree_filters():
    "subtree filters (RFC 6241 6): content match picks one relay, a selection node one leaf"
    amt = '<amtd xmlns="%s">%%s</amtd>' % NS_AMTD
    body = "<local-address>192.0.2.1</local-address><port>22%d</port><tunnel-limit>%d</tunnel-limit>"
    res = script(
        [
            {"op": "edit", "config": cfg(relay("amts1", body % (81, 31), "create"))},
            {"op": "edit", "config": cfg(relay("amts2", body % (82, 32), "create"))},
            {"op": "commit"},
            # 6.4.7: a content match node alone selects the whole entry
            {
                "op": "get_config",
                "source": "running",
                "subtree": amt % "<relay><name>amts1</name></relay>",
            },
            # 6.4.8: content match + selection node: the key and that leaf
            {
                "op": "get_config",
                "source": "running",
                "subtree": amt % "<relay><name>amts2</name><tunnel-limit/></relay>",
            },
            # a selection node alone: that leaf of every relay
            {"op": "get_config", "source": "running", "subtree": amt % "<relay><name/></relay>"},
            # a name that matches no relay, and an unknown namespace: nothing
            {
                "op": "get_config",
                "source": "running",
                "subtree": amt % "<relay><name>nope</name></relay>",
            },
            {"op": "get_config", "source": "running", "subtree": '<amtd xmlns="urn:nope"/>'},
            {"op": "edit", "config": cfg(relay("amts1", op="delete") + relay("amts2", op="delete"))},
            {"op": "commit"},
        ]
    )
    for i in (0, 1, 2, 8, 9):
        assert res[i] == {"result": "ok"}, res
    # one instance by name: amts1 with its leaves, amts2 absent
    root = ET.fromstring(res[3]["xml"])
    relays = list(root.iter("{%s}relay" % NS_AMTD))
    assert len(relays) == 1, res[3]
    assert relays[0].findtext("{%s}name" % NS_AMTD) == "amts1", res[3]
    assert relays[0].findtext("{%s}tunnel-limit" % NS_AMTD) == "31", res[3]
    assert relays[0].findtext("{%s}local-address" % NS_AMTD) == "192.0.2.1", res[3]
    assert "amts2" not in res[3]["xml"], res[3]
    # content match + selection: exactly name and tunnel-limit of amts2
    root = ET.fromstring(res[4]["xml"])
    relays = list(root.iter("{%s}relay" % NS_AMTD))
    assert len(relays) == 1, res[4]
    kids = [(c.tag.split("}")[1], c.text) for c in relays[0]]
    assert sorted(kids) == [("name", "amts2"), ("tunnel-limit", "32")], res[4]
    # selection node alone: every relay, only its name
    root = ET.fromstring(res[5]["xml"])
    relays = list(root.iter("{%s}relay" % NS_AMTD))
    names = sorted(r.findtext("{%s}name" % NS_AMTD) for r in relays)
    assert "amts1" in names and "amts2" in names, res[5]
    assert all([c.tag.split("}")[1] for c in r] == ["name"] for r in relays), res[5]
    assert len(relays) == len(names) >= 2, res[5]
    # no match: an empty <data>
    for i in (6, 7):
        root = ET.fromstring(res[i]["xml"])
        assert len(list(root)) == 0, res[i]
    conf = running_config()
    assert "amts1" not in conf and "amts2" not in conf, conf


def test_subtree_filter_without_namespace():
    """
    RFC 6241 6.2.1: a filter element not qualified by a namespace matches
    its name in every namespace (ncclient's nc: prefix leaves the filter's
    elements in none; a raw <rpc xmlns=base:1.0> leaves them in the base
    namespace, taken as none as well).
    """
    res = script(
        [
            {
                "op": "get_config",
                "source": "running",
                "subtree": "<amtd><relay><name>amtr0</name><local-address/></relay></amtd>",
            },
            {"op": "get_config", "source": "running", "subtree": '<amtd xmlns=""/>'},
            # only the top level is searched: no top-level node is a relay
            {"op": "get_config", "source": "running", "subtree": "<relay><name/></relay>"},
            {
                "op": "get",
                "subtree": '<amtd xmlns="%s"><relay xmlns=""><name>amtr0</name>'
                "<oper-status/></relay></amtd>" % NS_AMTD,
            },
        ]
    )
    rel = relays_in(res[0]["xml"], "amtr0")
    assert len(rel) == 1, res[0]
    kids = sorted(c.tag.split("}")[1] for c in rel[0])
    assert kids == ["local-address", "name"], res[0]
    assert len(relays_in(res[1]["xml"], "amtr0")) == 1, res[1]
    assert len(list(ET.fromstring(res[2]["xml"]))) == 0, res[2]
    rel = relays_in(res[3]["xml"], "amtr0")
    assert len(rel) == 1, res[3]
    assert rel[0].findtext("{%s}oper-status" % NS_AMTD) == "up", res[3]
    rpc = (
        '<rpc message-id="ns1" xmlns="%s"><get-config><source><running/></source>'
        '<filter type="subtree"><amtd><relay><name>amtr0</name></relay></amtd>'
        "</filter></get-config></rpc>" % NS_BASE
    )
    out = client(good_key(), "raw", "'{}'".format(rpc))
    root = ET.fromstring(out["reply"])
    assert root.get("message-id") == "ns1", out
    assert root.find("{%s}rpc-error" % NS_BASE) is None, out
    assert len(relays_in(out["reply"], "amtr0")) == 1, out
    assert len(list(root.iter("{%s}relay" % NS_AMTD))) == 1, out


def test_get_schema():
    "get-schema (RFC 6022 3.1) returns frr-amtd and its imports as YANG text"
    res = script(
        [
            {"op": "get_schema", "identifier": "frr-amtd"},
            {"op": "get_schema", "identifier": "frr-amtd", "format": "yang"},
            {"op": "get_schema", "identifier": "ietf-inet-types"},
            {"op": "get_schema", "identifier": "no-such-module"},
            {"op": "get_schema", "identifier": "frr-amtd", "format": "yin"},
            {"op": "get_schema", "identifier": "frr-amtd", "version": "1999-01-01"},
        ]
    )
    for r in res[:2]:
        assert r["result"] == "data", res
        assert r["text"].lstrip().startswith("module frr-amtd"), r["text"][:200]
        assert 'namespace "%s"' % NS_AMTD in r["text"], r["text"][:400]
        assert "list relay" in r["text"], r["text"][:400]
    assert res[2]["result"] == "data", res
    assert res[2]["text"].lstrip().startswith("module ietf-inet-types"), res[2]
    for r in res[3:]:
        assert r["result"] == "error" and r["tag"] == "invalid-value", res


def tunnel_limit_in(xml, name):
    rel = relays_in(xml, name)
    assert len(rel) == 1, xml
    return rel[0].findtext("{%s}tunnel-limit" % NS_AMTD)


def test_copy_config():
    """
    copy-config (RFC 6241 7.3): running to candidate resets the candidate,
    candidate to running commits through the northbound (its validation
    refusing a bad candidate); both honour the other session's locks; the
    same datastore twice is invalid-value.
    """
    lim = lambda n: cfg(relay("amtr0", "<tunnel-limit>%d</tunnel-limit>" % n))
    qri = relay("amtr0", "<query-response-interval>200</query-response-interval>")
    xp = relay_xpath("amtr0")
    res = script(
        [
            {"op": "edit", "config": lim(88)},
            {"op": "get_config", "source": "candidate", "xpath": xp},
            {"op": "copy", "source": "running", "target": "candidate"},
            {"op": "get_config", "source": "candidate", "xpath": xp},
            {"op": "edit", "config": lim(89)},
            {"s": 1, "op": "lock", "target": "running"},
            {"op": "copy", "source": "candidate", "target": "running"},
            {"s": 1, "op": "unlock", "target": "running"},
            {"op": "copy", "source": "candidate", "target": "running"},
            {"s": 1, "op": "lock", "target": "candidate"},
            {"op": "copy", "source": "running", "target": "candidate"},
            {"s": 1, "op": "unlock", "target": "candidate"},
            {"op": "copy", "source": "running", "target": "running"},
            {"op": "copy", "source": "candidate", "target": "candidate"},
            # a candidate the northbound refuses is not copied to running
            {"op": "edit", "config": cfg(qri), "test_option": "set"},
            {"op": "copy", "source": "candidate", "target": "running"},
            {"op": "copy", "source": "running", "target": "candidate"},
            {"op": "get_config", "source": "candidate", "xpath": xp},
        ]
    )
    assert res[0] == {"result": "ok"}, res
    assert tunnel_limit_in(res[1]["xml"], "amtr0") == "88", res[1]
    assert res[2] == {"result": "ok"}, res
    assert tunnel_limit_in(res[3]["xml"], "amtr0") != "88", res[3]
    assert res[4] == {"result": "ok"} and res[5] == {"result": "ok"}, res
    # running locked by session 1: in-use naming it
    assert res[6]["result"] == "error" and res[6]["tag"] == "in-use", res
    assert res[6]["session_id"] is not None and res[6]["session_id"] != "0", res
    assert res[7] == {"result": "ok"} and res[8] == {"result": "ok"}, res
    assert res[9] == {"result": "ok"}, res
    assert res[10]["result"] == "error" and res[10]["tag"] == "in-use", res
    assert res[11] == {"result": "ok"}, res
    for r in res[12:14]:
        assert r["result"] == "error" and r["tag"] == "invalid-value", res
    assert res[14] == {"result": "ok"}, res
    msg = "query-response-interval must be shorter than query-interval"
    assert res[15]["result"] == "error" and res[15]["tag"] == "operation-failed", res
    assert msg in res[15]["message"], res
    assert res[16] == {"result": "ok"}, res
    cand = relays_in(res[17]["xml"], "amtr0")
    assert len(cand) == 1, res[17]
    assert cand[0].findtext("{%s}query-response-interval" % NS_AMTD) != "200", res[17]
    assert cand[0].findtext("{%s}tunnel-limit" % NS_AMTD) == "89", res[17]
    rel = vtysh_relay("amtr0") or {}
    assert rel.get("tunnelLimit") == 89, rel
    assert rel.get("queryResponseInterval") != 200, rel


def test_copy_config_other_sources_not_supported():
    "copy-config from a url, an inline config or to startup: operation-not-supported"
    for mid, body in (
        (
            "c1",
            "<copy-config><target><candidate/></target>"
            "<source><url>file:///tmp/x.xml</url></source></copy-config>",
        ),
        (
            "c2",
            "<copy-config><target><candidate/></target><source><config>"
            '<amtd xmlns="%s"/></config></source></copy-config>' % NS_AMTD,
        ),
        (
            "c3",
            "<copy-config><target><startup/></target>"
            "<source><running/></source></copy-config>",
        ),
    ):
        tag, out = raw_rpc_error(mid, body)
        assert tag == "operation-not-supported", out


def test_hostile_clients_good_session_served():
    """
    Malformed XML, bytes that are no XML, an unknown rpc, a 10 MB message
    and a silent client, each beside a good session that keeps answering.
    """
    out = client(good_key(), "hostile")
    for k in ("before", "after_malformed", "after_not_xml", "after_unknown", "after_big",
              "with_silent", "new_with_silent", "after_silent"):
        assert out[k] is True, (k, out)
    _, tag = rpc_error(out["malformed"]["reply"])
    assert tag == "malformed-message", out["malformed"]
    _, tag = rpc_error(out["not_xml"]["reply"])
    assert tag == "malformed-message", out["not_xml"]
    mid, tag = rpc_error(out["unknown"]["reply"])
    assert (mid, tag) == ("h2", "operation-not-supported"), out["unknown"]
    # above max_message: no answer, the session closed
    assert out["big_reply"] == "" and out["big_closed"] is True, out


def test_session_limit():
    "max_sessions sessions are served, one more is refused; a freed slot is reused"
    out = client(good_key(), "limit", str(MAX_SESSIONS))
    assert out["opened"] == MAX_SESSIONS, out
    assert out["extra"] != "accepted", out
    assert out["served"] == MAX_SESSIONS, out
    assert out["after_close"] == "serves", out


def test_idle_session_closed():
    """
    A session idle for idle_timeout seconds and a client that connects and
    says nothing are closed; a session that keeps asking is not.
    """
    out = client(good_key(), "idle", str(IDLE_TIMEOUT))
    assert out["a_first"] is True, out
    assert out["b_requests"] >= (IDLE_TIMEOUT + 6) // 3, out
    assert out["b_all_served"] is True and out["b_after"] is True, out
    assert out["silent_closed"] is True, out
    assert out["a_after"] is False and out["a_connected"] is False, out
    # and the daemon says why
    log = get_topogen().gears["r1"].cmd("grep -c 'idle for {} s, closing' {}/r1/amtd.log".format(
        IDLE_TIMEOUT, get_topogen().logdir))
    assert int(log.strip() or 0) >= 2, log


NS_WD_ATTR = "urn:ietf:params:xml:ns:netconf:default:1.0"
NS_WD = "urn:ietf:params:xml:ns:yang:ietf-netconf-with-defaults"


def relay_leaves(xml, name):
    "{leaf: (text, attributes)} of the relay called name in a <data> answer"
    rel = relays_in(xml, name)
    assert len(rel) == 1, xml
    return {
        c.tag.split("}")[1]: (c.text, dict(c.attrib))
        for c in rel[0]
        if len(c) == 0
    }


def test_with_defaults():
    """
    with-defaults (RFC 6243): a relay with query-interval set to its default
    (125) and tunnel-limit left to its default (10000); each mode reports
    them as the RFC says, on get-config and get; an unknown mode is
    invalid-value.
    """
    body = (
        "<local-address>192.0.2.1</local-address><port>2291</port>"
        "<query-interval>125</query-interval>"
    )
    xp = relay_xpath("amtw1")
    modes = (None, "explicit", "trim", "report-all", "report-all-tagged")
    steps = [{"op": "edit", "config": cfg(relay("amtw1", body, "create"))}, {"op": "commit"}]
    for mode in modes:
        st = {"op": "get_config", "source": "running", "xpath": xp}
        if mode:
            st["with_defaults"] = mode
        steps.append(st)
    steps += [
        {"op": "get", "xpath": xp},
        {"op": "get", "xpath": xp, "with_defaults": "report-all"},
        {"op": "get_config", "source": "candidate", "xpath": xp, "with_defaults": "trim"},
        {"op": "edit", "config": cfg(relay("amtw1", op="delete"))},
        {"op": "commit"},
    ]
    res = script(steps)
    for i in (0, 1, len(steps) - 2, len(steps) - 1):
        assert res[i] == {"result": "ok"}, res
    got = {mode: relay_leaves(res[2 + i]["xml"], "amtw1") for i, mode in enumerate(modes)}
    # explicit (the basic mode, and asked for): what was set, a value
    # equal to the default included; no default the server supplies
    for mode in (None, "explicit"):
        leaves = got[mode]
        assert leaves.get("query-interval") == ("125", {}), (mode, leaves)
        assert leaves.get("port") == ("2291", {}), (mode, leaves)
        assert "tunnel-limit" not in leaves and "robustness" not in leaves, (mode, leaves)
    # trim: no value equal to its default, set or not
    leaves = got["trim"]
    assert "query-interval" not in leaves and "tunnel-limit" not in leaves, leaves
    assert leaves.get("port") == ("2291", {}), leaves
    # report-all: every default, untagged
    leaves = got["report-all"]
    assert leaves.get("tunnel-limit") == ("10000", {}), leaves
    assert leaves.get("query-interval") == ("125", {}), leaves
    assert leaves.get("query-response-interval") == ("10", {}), leaves
    assert all(not a for _, a in leaves.values()), leaves
    # report-all-tagged: the same, default data tagged default="true" in
    # the attribute's own namespace (RFC 6243 section 6)
    leaves = got["report-all-tagged"]
    tag = {"{%s}default" % NS_WD_ATTR: "true"}
    assert leaves.get("tunnel-limit") == ("10000", tag), leaves
    assert leaves.get("query-interval") == ("125", tag), leaves
    assert leaves.get("port") == ("2291", {}), leaves
    assert leaves.get("name") == ("amtw1", {}), leaves
    tagged = [k for k, (_, a) in leaves.items() if a]
    assert len(tagged) >= 10, leaves
    assert NS_WD not in res[6]["xml"], res[6]
    # get: the same rules for the configuration inside it
    n = len(modes) + 2
    leaves = relay_leaves(res[n]["xml"], "amtw1")
    assert "tunnel-limit" not in leaves and leaves.get("port") == ("2291", {}), leaves
    leaves = relay_leaves(res[n + 1]["xml"], "amtw1")
    assert leaves.get("tunnel-limit") == ("10000", {}), leaves
    assert leaves.get("oper-status") == ("up", {}), leaves
    leaves = relay_leaves(res[n + 2]["xml"], "amtw1")
    assert "query-interval" not in leaves and leaves.get("port") == ("2291", {}), leaves
    # a mode that is none of RFC 6243's: libyang refuses the rpc
    tag, out = raw_rpc_error(
        "wd1",
        '<get-config><source><running/></source><with-defaults xmlns="%s">all</with-defaults>'
        "</get-config>" % NS_WD,
    )
    assert tag == "invalid-value", out
    assert "amtw1" not in running_config()


NS_MON = "urn:ietf:params:xml:ns:yang:ietf-netconf-monitoring"


def mon(elem, path):
    "findall of a path of ietf-netconf-monitoring elements ('a/b')"
    return elem.findall("/".join("{%s}%s" % (NS_MON, p) for p in path.split("/")))


def test_netconf_monitoring():
    """
    /netconf-state (RFC 6022 section 2) in get: capabilities, datastores
    with the lock a session holds, schemas, sessions and statistics with
    counters; a subtree filter picks its containers; not in get-config.
    """
    # a bad rpc first, so that in-bad-rpcs and out-rpc-errors count it
    raw_rpc_error("m0", "<get-config><source><running/></source>")
    nsf = '<netconf-state xmlns="%s"/>' % NS_MON
    res = script(
        [
            {"s": 0, "op": "session_id"},
            {"s": 1, "op": "session_id"},
            {"s": 0, "op": "lock", "target": "running"},
            {"s": 0, "op": "get", "subtree": nsf},
            {
                "s": 1,
                "op": "get",
                "subtree": '<netconf-state xmlns="%s"><sessions/><statistics/></netconf-state>'
                % NS_MON,
            },
            {"s": 0, "op": "unlock", "target": "running"},
            {"s": 1, "op": "get"},
            {"s": 1, "op": "get_config", "source": "running", "subtree": nsf},
            {"s": 1, "op": "get", "subtree": "<netconf-state><schemas/></netconf-state>"},
        ]
    )
    s0, s1 = res[0]["id"], res[1]["id"]
    assert res[2] == {"result": "ok"} and res[5] == {"result": "ok"}, res
    root = ET.fromstring(res[3]["xml"])
    states = mon(root, "netconf-state")
    assert len(states) == 1, res[3]
    st = states[0]
    kids = [c.tag.split("}")[1] for c in st]
    assert kids == ["capabilities", "datastores", "schemas", "sessions", "statistics"], kids
    caps = [c.text for c in mon(st, "capabilities/capability")]
    assert len(caps) == 8, caps  # as many as the hello has (test_session_capabilities_and_data)
    assert "urn:ietf:params:netconf:base:1.1" in caps, caps
    assert any(c.startswith("urn:ietf:params:netconf:capability:with-defaults:1.0?") for c in caps)
    ds = {d.findtext("{%s}name" % NS_MON): d for d in mon(st, "datastores/datastore")}
    assert sorted(ds) == ["candidate", "running"], res[3]
    lock = mon(ds["running"], "locks/global-lock")
    assert len(lock) == 1, res[3]
    assert lock[0].findtext("{%s}locked-by-session" % NS_MON) == s0, res[3]
    assert len(lock[0].findtext("{%s}locked-time" % NS_MON)) == 20, res[3]
    assert mon(ds["candidate"], "locks") == [], res[3]
    schemas = mon(st, "schemas/schema")
    amt = [x for x in schemas if x.findtext("{%s}identifier" % NS_MON) == "frr-amtd"]
    assert len(amt) == 1, res[3]
    assert amt[0].findtext("{%s}namespace" % NS_MON) == NS_AMTD, res[3]
    assert amt[0].findtext("{%s}format" % NS_MON) == "ncm:yang", res[3]
    assert amt[0].findtext("{%s}location" % NS_MON) == "NETCONF", res[3]
    sessions = {x.findtext("{%s}session-id" % NS_MON): x for x in mon(st, "sessions/session")}
    assert s0 in sessions and s1 in sessions, sessions.keys()
    for sid in (s0, s1):
        x = sessions[sid]
        assert x.findtext("{%s}transport" % NS_MON) == "ncm:netconf-ssh", res[3]
        assert x.findtext("{%s}username" % NS_MON) == "netconf", res[3]
        assert x.findtext("{%s}source-host" % NS_MON) == "127.0.0.1", res[3]
    # session 0: lock and this get so far, nothing bad
    assert int(sessions[s0].findtext("{%s}in-rpcs" % NS_MON)) == 2, res[3]
    assert int(sessions[s0].findtext("{%s}in-bad-rpcs" % NS_MON)) == 0, res[3]
    stats = mon(st, "statistics")[0]
    for leaf, least in (("in-sessions", 3), ("in-rpcs", 3), ("in-bad-rpcs", 1),
                        ("out-rpc-errors", 1)):
        assert int(stats.findtext("{%s}%s" % (NS_MON, leaf))) >= least, (leaf, res[3])
    # the filter's containers only
    st = mon(ET.fromstring(res[4]["xml"]), "netconf-state")
    assert len(st) == 1, res[4]
    assert [c.tag.split("}")[1] for c in st[0]] == ["sessions", "statistics"], res[4]
    assert "amtd" not in res[4]["xml"], res[4]
    # an unfiltered get holds it whole, the lock gone
    root = ET.fromstring(res[6]["xml"])
    st = mon(root, "netconf-state")
    assert len(st) == 1 and len(list(st[0])) == 5, res[6][:3000]
    assert mon(st[0], "datastores/datastore/locks") == [], res[6][:3000]
    assert len(root.findall("{%s}yang-library" % NS_YANGLIB)) == 1, res[6][:3000]
    # state data: not in get-config
    assert len(list(ET.fromstring(res[7]["xml"]))) == 0, res[7]
    # unqualified (RFC 6241 6.2.1): the schemas alone, as many as above
    st = mon(ET.fromstring(res[8]["xml"]), "netconf-state")
    assert len(st) == 1 and [c.tag.split("}")[1] for c in st[0]] == ["schemas"], res[8]
    assert len(mon(st[0], "schemas/schema")) == len(schemas), res[8]


def test_host_key_generated_private():
    "the host key was generated on first start, mode 0600"
    path = hostkey_path(get_topogen())
    assert os.path.exists(path), path
    assert (os.stat(path).st_mode & 0o777) == 0o600, oct(os.stat(path).st_mode)


if __name__ == "__main__":
    args = ["-s"] + sys.argv[1:]
    sys.exit(pytest.main(args))
