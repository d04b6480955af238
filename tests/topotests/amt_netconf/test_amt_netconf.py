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
key was generated readable by FRR only.
"""

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

CWD = os.path.dirname(os.path.realpath(__file__))
sys.path.append(os.path.join(CWD, "../"))

# pylint: disable=C0413
from lib import topotest
from lib.topogen import Topogen, TopoRouter, get_topogen

pytestmark = [pytest.mark.amtd]

PORT = 8300
NS_BASE = "urn:ietf:params:xml:ns:netconf:base:1.0"
NS_AMTD = "http://frrouting.org/yang/amtd"
CLIENT = os.path.join(CWD, "nc_client.py")
# The module as the build left it (not installed yet), else the installed one.
BUILT_MODULE = os.path.normpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../lib/.libs/netconf.so")
)


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
    kd = keydir(tgen)
    os.makedirs(kd, exist_ok=True)
    os.chmod(kd, 0o755)
    for name in ("good", "bad"):
        path = os.path.join(kd, name)
        for f in (path, path + ".pub"):
            if os.path.exists(f):
                os.unlink(f)
        subprocess.check_call(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", path, "-C", name]
        )
    authkeys = os.path.join(kd, "authorized_keys")
    with open(os.path.join(kd, "good.pub")) as src, open(authkeys, "w") as dst:
        dst.write("# the test's client key\n" + src.read())
    os.chmod(authkeys, 0o644)
    # amtd (user frr) writes its host key here on first start
    os.makedirs(statedir(tgen), exist_ok=True)
    os.chmod(statedir(tgen), 0o1777)
    if os.path.exists(hostkey_path(tgen)):
        os.unlink(hostkey_path(tgen))
    module = BUILT_MODULE if os.path.exists(BUILT_MODULE) else "netconf"
    args = "-M {}:port={},addr=127.0.0.1,authorized_keys={},hostkey={}".format(
        module, PORT, authkeys, hostkey_path(tgen)
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


def client(*args):
    r1 = get_topogen().gears["r1"]
    out = r1.cmd("/usr/bin/python3 {} {} {}".format(CLIENT, PORT, " ".join(args)))
    try:
        return json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise AssertionError("client failed: {}".format(out))


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
    # only what is implemented is announced
    assert len(caps) == 3, caps
    assert out["session_id"] and int(out["session_id"]) > 0, out

    cfg = ET.fromstring(out["get_config"])
    relays = cfg.findall(".//{%s}relay" % NS_AMTD)
    assert len(relays) == 1, out["get_config"]
    assert relays[0].findtext("{%s}name" % NS_AMTD) == "amtr0", out["get_config"]
    assert "192.0.2.1" in ET.tostring(relays[0]).decode(), out["get_config"]
    # configuration only: no operational state in get-config
    assert "oper-status" not in out["get_config"], out["get_config"]

    data = ET.fromstring(out["get"])
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
    assert out["subtree"] == "operation-not-supported", out
    assert out["bad_xpath"] == "bad-attribute", out
    # kill-session ends another session, not the own one
    assert out["kill_other"] is True, out
    assert out["killed_session"] != "still serves", out
    assert out["kill_own"] == "invalid-value", out
    # the candidate datastore is not served yet, and says so
    assert out["candidate"] == "operation-not-supported", out


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


def test_edit_config_not_supported_yet():
    "edit-config is answered operation-not-supported, not silently accepted"
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


def test_host_key_generated_private():
    "the host key was generated on first start, mode 0600"
    path = hostkey_path(get_topogen())
    assert os.path.exists(path), path
    assert (os.stat(path).st_mode & 0o777) == 0o600, oct(os.stat(path).st_mode)


if __name__ == "__main__":
    args = ["-s"] + sys.argv[1:]
    sys.exit(pytest.main(args))
