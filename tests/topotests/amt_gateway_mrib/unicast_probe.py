#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""
Bounded unicast probes, to prove reachability end to end: a TCP echo and an
ICMP echo (ping; needs root, as topotests run).

    unicast_probe.py server --listen ADDR --port P --duration SECS --log FILE
        Append each connection's first line as {"peer": address, "line":
        line} to FILE (one JSON object a line), then answer it with "echo "
        and that line, until SECS have passed.
    unicast_probe.py client --connect ADDR --port P --token T
        Connect (5 s timeout), send T, print {"local", "reply"} as JSON; exit
        status 0 only if the reply is "echo T".
    unicast_probe.py ping --connect ADDR [--count N]
        Send N ICMP or ICMPv6 echo requests, 0.2 s apart, print {"local",
        "sent", "received"} as JSON; exit status 0 only if each was answered
        within 2 s.
"""

import argparse
import json
import os
import select
import socket
import struct
import sys
import time


def family_of(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def read_line(conn, limit=256):
    "The first line (bounded), without its newline"
    data = b""
    while b"\n" not in data and len(data) < limit:
        chunk = conn.recv(limit - len(data))
        if not chunk:
            break
        data += chunk
    return data.split(b"\n", 1)[0].decode(errors="replace")


def server(args):
    s = socket.socket(family_of(args.listen), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((args.listen, args.port))
    s.listen(8)
    s.settimeout(1)
    deadline = time.monotonic() + args.duration
    while time.monotonic() < deadline:
        try:
            conn, peer = s.accept()
        except socket.timeout:
            continue
        with conn:
            conn.settimeout(5)
            try:
                line = read_line(conn)
                # Logged before the reply: a client that has its reply
                # finds its line in the log.
                with open(args.log, "a") as f:
                    f.write(json.dumps({"peer": peer[0], "line": line}) + "\n")
                conn.sendall(("echo " + line + "\n").encode())
            except OSError:
                continue
    return 0


def client(args):
    result = {"local": None, "reply": None}
    try:
        with socket.create_connection((args.connect, args.port), timeout=5) as c:
            result["local"] = c.getsockname()[0]
            c.sendall((args.token + "\n").encode())
            result["reply"] = read_line(c)
    except OSError as e:
        result["error"] = str(e)
    print(json.dumps(result))
    return 0 if result["reply"] == "echo " + args.token else 1


def checksum(data):
    "The Internet checksum (RFC 1071)"
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def echo_reply(family, packet, ident):
    "The sequence number of an echo reply to us in packet, else None"
    if family == socket.AF_INET:
        # A raw IPv4 socket hands over the IP header too.
        packet = packet[(packet[0] & 0x0F) * 4:]
        reply_type = 0
    else:
        reply_type = 129
    if len(packet) < 8:
        return None
    rtype, _, _, rid, seq = struct.unpack("!BBHHH", packet[:8])
    if rtype != reply_type or rid != ident:
        return None
    return seq


def ping(args):
    family = family_of(args.connect)
    proto = socket.IPPROTO_ICMP if family == socket.AF_INET else socket.IPPROTO_ICMPV6
    s = socket.socket(family, socket.SOCK_RAW, proto)
    # Only replies from the destination; the kernel picks our address.
    try:
        s.connect((args.connect, 0))
    except OSError as e:
        print(json.dumps({"local": None, "sent": 0, "received": 0, "error": str(e)}))
        return 1
    ident = os.getpid() & 0xFFFF
    answered = set()
    for seq in range(1, args.count + 1):
        request_type = 8 if family == socket.AF_INET else 128
        payload = b"amt unicast probe"
        header = struct.pack("!BBHHH", request_type, 0, 0, ident, seq)
        if family == socket.AF_INET:
            header = struct.pack("!BBHHH", request_type, 0, checksum(header + payload),
                                 ident, seq)
        # ICMPv6: the kernel fills the checksum in (RFC 3542).
        s.send(header + payload)
        deadline = time.monotonic() + 2
        while seq not in answered and time.monotonic() < deadline:
            ready, _, _ = select.select([s], [], [], max(0, deadline - time.monotonic()))
            if ready:
                got = echo_reply(family, s.recv(2048), ident)
                if got is not None:
                    answered.add(got)
        time.sleep(0.2)
    result = {"local": s.getsockname()[0], "sent": args.count, "received": len(answered)}
    print(json.dumps(result))
    return 0 if len(answered) == args.count else 1


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=("server", "client", "ping"))
    p.add_argument("--listen")
    p.add_argument("--connect")
    p.add_argument("--port", type=int, default=7000)
    p.add_argument("--duration", type=float, default=600)
    p.add_argument("--log")
    p.add_argument("--token", default="amt")
    p.add_argument("--count", type=int, default=3)
    args = p.parse_args()
    modes = {"server": server, "client": client, "ping": ping}
    return modes[args.mode](args)


if __name__ == "__main__":
    sys.exit(main())
