#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""
Join an SSM channel (S,G), or with --source "*" an ASM group (*,G), on an
interface (IPv4: given by its address; IPv6: by its name); count the datagrams received from the sender and write the count
and the last sequence number (payloads start with "seq N ", as
mcast_sender.py sends them) to a JSON file every second, until DURATION
seconds have passed.

    mcast_receiver.py --source S|* --group G --ifaddr A|--ifname IF \\
        --port P --duration SECS --state-file FILE [--from S]
"""

import argparse
import json
import os
import socket
import struct
import time

IP_ADD_SOURCE_MEMBERSHIP = 39
IP_ADD_MEMBERSHIP = 35
MCAST_JOIN_GROUP = 42
MCAST_JOIN_SOURCE_GROUP = 46


def sockaddr6(addr):
    "struct sockaddr_in6 padded to a struct sockaddr_storage"
    sin6 = struct.pack("@H", socket.AF_INET6) + struct.pack("!HI", 0, 0)
    sin6 += socket.inet_pton(socket.AF_INET6, addr) + struct.pack("@I", 0)
    return sin6.ljust(128, b"\0")


def join6(s, source, group, ifname):
    "MCAST_JOIN_(SOURCE_)GROUP: struct group_(source_)req"
    req = struct.pack("@I4x", socket.if_nametoindex(ifname)) + sockaddr6(group)
    if source == "*":
        s.setsockopt(socket.IPPROTO_IPV6, MCAST_JOIN_GROUP, req)
    else:
        s.setsockopt(socket.IPPROTO_IPV6, MCAST_JOIN_SOURCE_GROUP, req + sockaddr6(source))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--source", required=True, help='source, or "*" for ASM')
    p.add_argument("--from", dest="sender", help="count only datagrams from this address")
    p.add_argument("--group", required=True)
    p.add_argument("--ifaddr", help="IPv4: address of the joining interface")
    p.add_argument("--ifname", help="IPv6: name of the joining interface")
    p.add_argument("--port", type=int, default=5000)
    p.add_argument("--duration", type=float, required=True)
    p.add_argument("--state-file", required=True)
    args = p.parse_args()

    family = socket.AF_INET6 if ":" in args.group else socket.AF_INET
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((args.group, args.port))
    if family == socket.AF_INET6:
        join6(s, args.source, args.group, args.ifname)
    elif args.source == "*":
        mreq = socket.inet_aton(args.group) + socket.inet_aton(args.ifaddr)
        s.setsockopt(socket.IPPROTO_IP, IP_ADD_MEMBERSHIP, mreq)
    else:
        mreq = (
            socket.inet_aton(args.group)
            + socket.inet_aton(args.ifaddr)
            + socket.inet_aton(args.source)
        )
        s.setsockopt(socket.IPPROTO_IP, IP_ADD_SOURCE_MEMBERSHIP, mreq)
    sender = args.sender or (None if args.source == "*" else args.source)
    s.settimeout(0.2)

    state = {"packets": 0, "last_seq": None, "pid": os.getpid(), "finished": False}
    end = time.time() + args.duration
    next_write = 0.0
    while time.time() < end:
        try:
            data, addr = s.recvfrom(65535)
            if sender is None or addr[0] == sender:
                state["packets"] += 1
                words = data.split(b" ", 2)
                if len(words) > 1 and words[0] == b"seq" and words[1].isdigit():
                    state["last_seq"] = int(words[1])
        except socket.timeout:
            pass
        if time.time() >= next_write:
            write_state(args.state_file, state)
            next_write = time.time() + 1
    state["finished"] = True
    write_state(args.state_file, state)


def write_state(path, state):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(state, f)
    os.replace(tmp, path)


if __name__ == "__main__":
    main()
