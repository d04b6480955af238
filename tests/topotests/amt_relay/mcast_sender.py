#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
#
# mcast_sender.py: send numbered UDP datagrams to several (source, group)
# flows at a fixed rate, for a bounded time.
#

"""
mcast_sender.py --flow S,G [--flow S,G ...] --ifname IF [--rate PPS]
                [--duration SECONDS] [--port N] [--ttl N] [--size BYTES]

Each flow gets its own socket bound to its source address (which must be
configured on the interface), so the packets leave with that source.  The
payload starts with "seq N " (N counts per flow from 0), padded to --size.
The program ends by itself after --duration seconds.
"""

import argparse
import ipaddress
import signal
import socket
import struct
import sys
import time

SO_BINDTODEVICE = 25


def open_flow(src, grp, ifname, ttl, port):
    s_addr = ipaddress.ip_address(src)
    g_addr = ipaddress.ip_address(grp)
    if s_addr.version != g_addr.version or not g_addr.is_multicast:
        raise ValueError("bad flow %s,%s" % (src, grp))
    if s_addr.version == 4:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, ttl)
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, s_addr.packed)
        dest = (grp, port)
    else:
        sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, ttl)
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_LOOP, 0)
        ifindex = socket.if_nametoindex(ifname)
        sock.setsockopt(
            socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, struct.pack("@I", ifindex)
        )
        dest = (grp, port, 0, 0)
    sock.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, ifname.encode())
    sock.bind((src, 0))
    sock.settimeout(1.0)
    return sock, dest


def main():
    p = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    p.add_argument("--flow", action="append", required=True, metavar="S,G")
    p.add_argument("--ifname", required=True)
    p.add_argument("--rate", type=float, default=20.0, help="packets/s per flow")
    p.add_argument("--duration", type=float, default=30.0)
    p.add_argument("--port", type=int, default=5000)
    p.add_argument("--ttl", type=int, default=16)
    p.add_argument("--size", type=int, default=64, help="payload bytes")
    p.add_argument("--burst", type=int, default=1,
                   help="datagrams per flow sent back to back at each tick")
    p.add_argument("--burst-after", type=float, default=0.0,
                   help="seconds of one datagram per tick before the bursts (lets "
                   "the routers install the route: the kernel queues only a few "
                   "datagrams of an unresolved one)")
    args = p.parse_args()
    if not 0 < args.duration <= 3600 or not 0 < args.rate <= 10000:
        p.error("duration must be in (0, 3600], rate in (0, 10000]")
    if not 1 <= args.burst <= 256:
        p.error("burst must be in [1, 256]")

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))

    flows = []
    for f in args.flow:
        src, grp = f.split(",", 1)
        sock, dest = open_flow(src, grp, args.ifname, args.ttl, args.port)
        flows.append([sock, dest, 0, f])

    start = time.monotonic()
    end = start + args.duration
    period = 1.0 / args.rate
    tick = 0
    errors = 0
    while not stop and time.monotonic() < end:
        for flow in flows:
            burst = args.burst if time.monotonic() >= start + args.burst_after else 1
            for _ in range(burst):
                sock, dest, seq, name = flow
                payload = ("seq %d %s " % (seq, name)).encode()
                payload = payload.ljust(args.size, b".")
                try:
                    sock.sendto(payload, dest)
                except OSError as e:
                    errors += 1
                    if errors <= 5:
                        sys.stderr.write("%s: %s\n" % (name, e))
                flow[2] = seq + 1
        tick += 1
        delay = start + tick * period - time.monotonic()
        if delay > 0:
            time.sleep(min(delay, 1.0))
    for flow in flows:
        sys.stdout.write("%s sent %d\n" % (flow[3], flow[2]))
        flow[0].close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
