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
#   nc_client.py PORT KEYFILE script F  runs the JSON list of steps in file F over
#                                       several ncclient sessions (see script())
#   nc_client.py PORT KEYFILE hostile   hostile clients beside a good session
#   nc_client.py PORT KEYFILE idle T    an idle session and a silent TCP client
#                                       beside a busy session, for T + 6 s
#   nc_client.py PORT KEYFILE limit N   N sessions, then one more (refused)
#
import json
import socket
import sys
import time

HOST = "127.0.0.1"
USER = "netconf"
EOM = b"]]>]]>"
NS = "urn:ietf:params:xml:ns:netconf:base:1.0"
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
    out["get_subtree"] = m.get(
        filter=(
            "subtree",
            '<amtd xmlns="http://frrouting.org/yang/amtd"><relay><name>amtr0</name>'
            "<oper-status/></relay></amtd>",
        )
    ).data_xml
    for name, filt in (
        ("subtree", ("subtree", '<amtd xmlns="http://frrouting.org/yang/amtd"/>')),
        (
            "subtree_attr",
            (
                "subtree",
                '<amtd xmlns="http://frrouting.org/yang/amtd"><relay name="x"/></amtd>',
            ),
        ),
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
    # the killed session must fail within this session's idle timeout even
    # if its client is slow to see the connection go
    m2.timeout = 5
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


def step_error(e):
    "An RPCError as a dict: tag, message, error-path, session-id of error-info"
    import re

    info = getattr(e, "info", None) or ""
    sid = re.search(r"<(?:\w+:)?session-id>(\d+)<", info)
    return {
        "result": "error",
        "tag": getattr(e, "tag", None),
        "message": getattr(e, "message", None) or str(e),
        "path": getattr(e, "path", None),
        "session_id": sid.group(1) if sid else None,
    }


def script(port, keyfile, steps):
    """
    Each step is a dict with "s" (session 0..2, opened on first use) and
    "op": edit (config, default_operation, test_option, error_option),
    get_config (source; xpath or subtree; with_defaults), get (the same
    without source), commit, discard, validate (source),
    lock/unlock (target), close, session_id, get_schema (identifier,
    version, format), kill (victim: the session to kill), copy (source,
    target).  Each answer is a dict with
    "result": "ok", "data" (with "xml"), "error" (tag, message, path,
    session_id) or the session's "id".
    """
    from ncclient.operations import RPCError

    ns = {"amt": "http://frrouting.org/yang/amtd"}
    sessions = {}
    results = []
    for st in steps:
        s = st.get("s", 0)
        if s not in sessions:
            sessions[s] = connect(port, keyfile)
        m = sessions[s]
        op = st["op"]
        try:
            if op == "edit":
                m.edit_config(
                    target="candidate",
                    config=st["config"],
                    default_operation=st.get("default_operation"),
                    test_option=st.get("test_option"),
                    error_option=st.get("error_option"),
                )
                res = {"result": "ok"}
            elif op in ("get_config", "get"):
                filt = None
                if "xpath" in st:
                    filt = ("xpath", (ns, st["xpath"]))
                elif "subtree" in st:
                    filt = ("subtree", st["subtree"])
                kw = {"filter": filt}
                if "with_defaults" in st:
                    kw["with_defaults"] = st["with_defaults"]
                if op == "get":
                    xml = m.get(**kw).data_xml
                else:
                    xml = m.get_config(source=st["source"], **kw).data_xml
                res = {"result": "data", "xml": xml}
            elif op == "commit":
                m.commit()
                res = {"result": "ok"}
            elif op == "discard":
                m.discard_changes()
                res = {"result": "ok"}
            elif op == "validate":
                m.validate(source=st.get("source", "candidate"))
                res = {"result": "ok"}
            elif op == "lock":
                m.lock(target=st["target"])
                res = {"result": "ok"}
            elif op == "unlock":
                m.unlock(target=st["target"])
                res = {"result": "ok"}
            elif op == "close":
                m.close_session()
                del sessions[s]
                res = {"result": "ok"}
            elif op == "get_schema":
                reply = m.get_schema(
                    st["identifier"], version=st.get("version"), format=st.get("format")
                )
                res = {"result": "data", "text": reply.data}
            elif op == "kill":
                victim = sessions.pop(st["victim"])
                m.kill_session(victim.session_id)
                res = {"result": "ok"}
            elif op == "copy":
                m.copy_config(source=st["source"], target=st["target"])
                res = {"result": "ok"}
            elif op == "session_id":
                res = {"result": "id", "id": m.session_id}
            else:
                raise ValueError("unknown step " + op)
        except RPCError as e:
            res = step_error(e)
        results.append(res)
    for m in sessions.values():
        m.close_session()
    return {"steps": results}


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


def still_serves(m):
    "whether session m answers a get-config of running holding amtr0"
    try:
        return "amtr0" in m.get_config(source="running").data_xml
    except Exception:  # the session is gone
        return False


def silent_client(port):
    "a TCP client that connects and says nothing"
    sock = socket.create_connection((HOST, port), timeout=20)
    return sock


def closed_by_peer(sock, wait):
    "whether the server closes sock within wait seconds (reading what it sent)"
    deadline = time.time() + wait
    sock.settimeout(1)
    while time.time() < deadline:
        try:
            if sock.recv(4096) == b"":
                return True
        except socket.timeout:
            continue
        except OSError:
            return True
    return False


def hostile(port, keyfile):
    """
    A good ncclient session, and between its requests: malformed XML, an
    unknown rpc, a 10 MB message and a client that connects and says
    nothing.  Each answer and whether the good session still serves.
    """
    out = {}
    m = connect(port, keyfile)
    out["before"] = still_serves(m)
    out["malformed"] = raw(
        port, keyfile, '<rpc message-id="h1" xmlns="%s"><get></rpc>' % NS
    )
    out["after_malformed"] = still_serves(m)
    out["not_xml"] = raw(port, keyfile, "\x01<<<&&&;;\xff")
    out["after_not_xml"] = still_serves(m)
    out["unknown"] = raw(
        port, keyfile, '<rpc message-id="h2" xmlns="%s"><frobnicate/></rpc>' % NS
    )
    out["after_unknown"] = still_serves(m)
    big = raw(port, keyfile, "<!--" + "x" * (10 * 1024 * 1024) + "-->")
    out["big_reply"] = big["reply"][:200]
    out["big_closed"] = big["closed"]
    out["after_big"] = still_serves(m)
    sock = silent_client(port)
    out["with_silent"] = still_serves(m)
    m2 = connect(port, keyfile)
    out["new_with_silent"] = still_serves(m2)
    m2.close_session()
    sock.close()
    out["after_silent"] = still_serves(m)
    m.close_session()
    return out


def idle(port, keyfile, timeout):
    """
    Sessions A (idle after one request) and B (a request every 2 s), and a
    silent TCP client, for timeout + 6 s: A and the silent client are
    closed by the server, B still serves.
    """
    out = {}
    a = connect(port, keyfile)
    b = connect(port, keyfile)
    sock = silent_client(port)
    out["a_first"] = still_serves(a)
    end = time.time() + timeout + 6
    busy = []
    while time.time() < end:
        busy.append(still_serves(b))
        time.sleep(2)
    out["b_requests"] = len(busy)
    out["b_all_served"] = all(busy)
    out["silent_closed"] = closed_by_peer(sock, 5)
    sock.close()
    out["a_after"] = still_serves(a)
    out["a_connected"] = a.connected
    out["b_after"] = still_serves(b)
    b.close_session()
    return out


def limit(port, keyfile, n):
    """
    n sessions (each must come up), one more refused while they live, all
    n still served; once one closed a new one comes up.
    """
    out = {"opened": 0}
    sessions = []
    for _ in range(n):
        sessions.append(connect(port, keyfile))
        out["opened"] += 1
    try:
        extra = connect(port, keyfile)
        out["extra"] = "accepted"
        out["extra_serves"] = still_serves(extra)
        extra.close_session()
    except Exception as e:  # refused by the server
        out["extra"] = type(e).__name__
    out["served"] = sum(1 for m in sessions if still_serves(m))
    sessions.pop().close_session()
    out["after_close"] = "refused"
    for _ in range(10):  # the server frees the slot once it read the close
        try:
            m = connect(port, keyfile)
        except Exception:
            time.sleep(0.5)
            continue
        out["after_close"] = "serves" if still_serves(m) else "accepted, no answer"
        m.close_session()
        break
    for m in sessions:
        m.close_session()
    return out


def main():
    port, keyfile, what = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    if what == "session":
        out = session(port, keyfile)
    elif what == "script":
        with open(sys.argv[4]) as f:
            out = script(port, keyfile, json.load(f))
    elif what == "hostile":
        out = hostile(port, keyfile)
    elif what == "idle":
        out = idle(port, keyfile, int(sys.argv[4]))
    elif what == "limit":
        out = limit(port, keyfile, int(sys.argv[4]))
    elif what == "big":
        body = "<!--" + "x" * int(sys.argv[4]) + "-->"
        out = raw(port, keyfile, body)
    else:
        out = raw(port, keyfile, sys.argv[4])
    print(json.dumps(out))


if __name__ == "__main__":
    main()
