# SPDX-License-Identifier: ISC
#
# nc_setup.py: what the amt_netconf tests share: the client keys, the
# netconf module's arguments for amtd and running nc_client.py inside a
# router.
#

import json
import os
import subprocess

CWD = os.path.dirname(os.path.realpath(__file__))
CLIENT = os.path.join(CWD, "nc_client.py")
NS_BASE = "urn:ietf:params:xml:ns:netconf:base:1.0"
NS_AMTD = "http://frrouting.org/yang/amtd"


def make_keys(keydir):
    """ed25519 keys "good" and "bad" in keydir (made again each run) and an
    authorized_keys file holding the good one; returns its path"""
    os.makedirs(keydir, exist_ok=True)
    os.chmod(keydir, 0o755)
    for name in ("good", "bad"):
        path = os.path.join(keydir, name)
        for f in (path, path + ".pub"):
            if os.path.exists(f):
                os.unlink(f)
        subprocess.check_call(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", path, "-C", name]
        )
    authkeys = os.path.join(keydir, "authorized_keys")
    with open(os.path.join(keydir, "good.pub")) as src, open(authkeys, "w") as dst:
        dst.write("# the test's client key\n" + src.read())
    os.chmod(authkeys, 0o644)
    return authkeys


def amtd_args(test_file, statedir, port, authkeys, hostkey, **extra):
    """amtd's -M argument loading the netconf module: the one the build
    left beside test_file's FRR tree (tests/topotests/amt_netconf, linked
    there: not resolved), else the installed one.  statedir (where amtd,
    user frr, writes hostkey on first start) is made world-writable"""
    built = os.path.normpath(
        os.path.join(os.path.dirname(os.path.abspath(test_file)), "../../../lib/.libs/netconf.so")
    )
    os.makedirs(statedir, exist_ok=True)
    os.chmod(statedir, 0o1777)
    if os.path.exists(hostkey):
        os.unlink(hostkey)
    module = built if os.path.exists(built) else "netconf"
    args = "-M {}:port={},addr=127.0.0.1,authorized_keys={},hostkey={}".format(
        module, port, authkeys, hostkey
    )
    for k, v in sorted(extra.items()):
        args += ",{}={}".format(k, v)
    return args


def run_client(router, port, key, *args):
    "nc_client.py run inside router: its JSON answer"
    out = router.cmd("/usr/bin/python3 {} {} {} {}".format(CLIENT, port, key, " ".join(args)))
    try:
        return json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise AssertionError("client failed: {}".format(out))


def run_script(router, port, key, logdir, steps):
    "the steps (see nc_client.script) over NETCONF on router; their answers"
    path = os.path.join(logdir, "nc_script_{}.json".format(router.name))
    with open(path, "w") as f:
        json.dump(steps, f)
    os.chmod(path, 0o644)
    res = run_client(router, port, key, "script", path)["steps"]
    assert len(res) == len(steps), res
    return res


def amtd_config(body):
    "an edit-config <config> holding body inside frr-amtd's amtd container"
    return '<config xmlns="{}" xmlns:nc="{}"><amtd xmlns="{}">{}</amtd></config>'.format(
        NS_BASE, NS_BASE, NS_AMTD, body
    )
