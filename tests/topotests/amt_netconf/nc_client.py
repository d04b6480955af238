#!/usr/bin/python3
# SPDX-License-Identifier: ISC
#
# nc_client.py: the NETCONF client of the amt_netconf topotest, run inside
# the router's namespace.  Prints one JSON object on stdout.
#
#   nc_client.py PORT KEYFILE session   capabilities, get-config, get (ncclient)
#   nc_client.py PORT KEYFILE raw MSG   sends MSG after a base:1.0 hello over a
#                                       bare SSH channel, prints the reply
#   nc_client.py PORT KEYFILE big N     the same with a message of N bytes
#
import json
import socket
import sys
import time

HOST = "127.0.0.1"
USER = "netconf"
EOM = b"]]>]]>"
HELLO = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<hello xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><capabilities>'
    b"<capability>urn:ietf:params:netconf:base:1.0</capability>"
    b"</capabilities></hello>" + EOM
)


def connect(port, keyfile):
    from ncclient import manager

    return manager.connect(
        host=HOST,
        port=port,
        username=USER,
        key_filename=keyfile,
        hostkey_verify=False,
        allow_agent=False,
        look_for_keys=False,
        timeout=20,
    )


def session(port, keyfile):
    from ncclient.transport.errors import AuthenticationError

    out = {}
    try:
        m = connect(port, keyfile)
    except AuthenticationError as e:
        return {"auth": "refused", "error": str(e)}
    out["auth"] = "ok"
    out["session_id"] = m.session_id
    out["capabilities"] = sorted(m.server_capabilities)
    out["get_config"] = m.get_config(source="running").data_xml
    out["get"] = m.get().data_xml
    ns = {"amt": "http://frrouting.org/yang/amtd"}
    out["get_config_xpath"] = m.get_config(
        source="running",
        filter=("xpath", (ns, '/amt:amtd/amt:relay[amt:name="amtr0"]/amt:local-address')),
    ).data_xml
    out["get_xpath"] = m.get(
        filter=("xpath", (ns, "/amt:amtd/amt:relay/amt:oper-status"))
    ).data_xml
    for name, filt in (
        ("subtree", ("subtree", '<amtd xmlns="http://frrouting.org/yang/amtd"/>')),
        ("bad_xpath", ("xpath", (ns, "/amt:amtd/amt:relay["))),
    ):
        try:
            m.get(filter=filt)
            out[name] = "accepted"
        except Exception as e:  # RPCError: what the server answered
            out[name] = getattr(e, "tag", None) or str(e)
    try:
        m.get_config(source="candidate")
        out["candidate"] = "accepted"
    except Exception as e:  # RPCError: what the server answered
        out["candidate"] = getattr(e, "tag", None) or str(e)
    # kill-session (RFC 6241 7.9): another session's, then the own one
    m2 = connect(port, keyfile)
    out["kill_other"] = m.kill_session(m2.session_id).ok
    try:
        m2.get_config(source="running")
        out["killed_session"] = "still serves"
    except Exception as e:
        out["killed_session"] = type(e).__name__
    try:
        m.kill_session(m.session_id)
        out["kill_own"] = "accepted"
    except Exception as e:  # RPCError: what the server answered
        out["kill_own"] = getattr(e, "tag", None) or str(e)
    m.close_session()
    return out


def raw(port, keyfile, msg):
    import paramiko

    key = paramiko.Ed25519Key.from_private_key_file(keyfile)
    sock = socket.create_connection((HOST, port), timeout=20)
    t = paramiko.Transport(sock)
    t.start_client(timeout=20)
    t.auth_publickey(USER, key)
    ch = t.open_session(timeout=20)
    ch.settimeout(20)
    ch.invoke_subsystem("netconf")
    buf = b""
    deadline = time.time() + 20
    while EOM not in buf and time.time() < deadline:
        buf += ch.recv(65536)
    hello = buf.split(EOM)[0].decode()
    try:
        ch.sendall(HELLO + msg.encode() + EOM)
    except (OSError, EOFError):
        pass  # the server closed the channel while we were sending
    buf = b""
    deadline = time.time() + 20
    while EOM not in buf and time.time() < deadline:
        try:
            data = ch.recv(65536)
        except (OSError, EOFError):
            data = b""
        if not data:
            break
        buf += data
    closed = ch.closed or ch.exit_status_ready() or not t.is_active()
    ch.settimeout(3)
    try:
        closed = closed or ch.recv(1) == b""
    except socket.timeout:
        pass
    t.close()
    return {"hello": hello, "reply": buf.split(EOM)[0].decode(), "closed": closed}


def main():
    port, keyfile, what = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    if what == "session":
        out = session(port, keyfile)
    elif what == "big":
        body = "<!--" + "x" * int(sys.argv[4]) + "-->"
        out = raw(port, keyfile, body)
    else:
        out = raw(port, keyfile, sys.argv[4])
    print(json.dumps(out))


if __name__ == "__main__":
    main()
