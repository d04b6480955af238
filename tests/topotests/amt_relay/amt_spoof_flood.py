#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
#
# amt_spoof_flood.py: AMT Requests (RFC 7450 5.1.3) with spoofed IPv4
# sources, many addresses of one prefix, sent at a fixed rate through a raw
# socket.  For topotests only: run it inside a test namespace, toward a
# relay in the same topology.  Writes a JSON summary at the end.
#

import argparse
import ipaddress
import json
import random
import socket
import struct
import sys
import time

T_REQUEST = 3


def ip_header(src, dst, payload_len):
    # Total length and checksum are filled in by the kernel (IP_HDRINCL).
    return struct.pack(
        "!BBHHHBBH4s4s",
        0x45,
        0,
        20 + payload_len,
        random.getrandbits(16),
        0,
        64,
        socket.IPPROTO_UDP,
        0,
        socket.inet_aton(src),
        socket.inet_aton(dst),
    )


def packet(src, sport, dst, dport, nonce):
    payload = struct.pack("!BBxxI", T_REQUEST, 0, nonce)
    # UDP checksum 0: none (allowed over IPv4).
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    return ip_header(src, dst, len(udp)) + udp


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--relay", required=True, help="relay IPv4 address")
    p.add_argument("--port", type=int, default=2268)
    p.add_argument("--prefix", required=True, help="spoofed sources, e.g. 203.0.113.0/24")
    p.add_argument("--rate", type=float, required=True, help="Requests per second")
    p.add_argument("--duration", type=float, required=True, help="seconds")
    p.add_argument("--summary", help="JSON summary file")
    args = p.parse_args()

    hosts = [str(h) for h in ipaddress.ip_network(args.prefix).hosts()]
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    total = int(args.rate * args.duration)
    t0 = time.monotonic()
    sent = errors = 0
    sources = set()
    # Bounded: exactly `total` packets, paced to the rate.
    for i in range(total):
        due = t0 + i / args.rate
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        src = hosts[i % len(hosts)]
        pkt = packet(src, 1024 + (i % 60000), args.relay, args.port, random.getrandbits(32))
        try:
            sock.sendto(pkt, (args.relay, 0))
            sent += 1
            sources.add(src)
        except OSError:
            errors += 1
    elapsed = time.monotonic() - t0
    summary = {
        "sent": sent,
        "errors": errors,
        "sources": len(sources),
        "elapsed": round(elapsed, 3),
        "rate": round(sent / elapsed, 1) if elapsed > 0 else 0,
    }
    if args.summary:
        with open(args.summary, "w") as f:
            json.dump(summary, f)
    print(json.dumps(summary))
    return 0 if sent else 1


if __name__ == "__main__":
    sys.exit(main())
