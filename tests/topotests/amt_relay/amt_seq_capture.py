#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
#
# amt_seq_capture.py: watch an interface for a while and check, per AMT
# tunnel, the numbered datagrams of mcast_sender.py that the relay sent
# down it: none missing between the first and the last seen, none twice,
# none out of order.
#

"""
amt_seq_capture.py --ifname IF --prefix A.B.C.D/N --seconds S [--group G]

Reads every IPv4 frame that arrives on IF (a packet socket) in S seconds,
also those still queued at the end (read for at most S seconds more).  A UDP datagram to an address
of PREFIX that is an AMT Multicast Data message (RFC 7450 section 5.1.6)
carrying an IPv4 UDP packet whose payload starts with "seq N "
(mcast_sender.py) counts for the tunnel (address, port).
Prints key=value lines: tunnels, datagrams, min_per_tunnel, gaps (numbers
missing inside a tunnel's run), dups, reordered, capture_drops.
"""

import argparse
import fcntl
import ipaddress
import socket
import struct
import sys
import time

ETH_P_IP = 0x0800
SOL_PACKET = 263
PACKET_STATISTICS = 6
SO_RCVBUFFORCE = 33
SIOCGSTAMP = 0x8906
AMT_DATA = 6


def parse(frame, net, group):
    "(tunnel key, seq) of an AMT Data frame to net, else None"
    if len(frame) < 14 + 20 + 8 + 2 + 20 + 8:
        return None
    if struct.unpack_from("!H", frame, 12)[0] != ETH_P_IP:
        return None
    ip = frame[14:]
    ihl = (ip[0] & 0x0F) * 4
    if ip[0] >> 4 != 4 or ihl < 20 or ip[9] != 17 or len(ip) < ihl + 8 + 2:
        return None
    dst = ipaddress.IPv4Address(ip[16:20])
    if dst not in net:
        return None
    udp = ip[ihl:]
    dport, ulen = struct.unpack_from("!HH", udp, 2)
    if ulen < 8 + 2 or ulen > len(udp):
        return None
    amt = udp[8:ulen]
    if amt[0] & 0x0F != AMT_DATA:
        return None
    inner = amt[2:]
    if len(inner) < 20 or inner[0] >> 4 != 4:
        return None
    iihl = (inner[0] & 0x0F) * 4
    if inner[9] != 17 or len(inner) < iihl + 8:
        return None
    if group and ipaddress.IPv4Address(inner[16:20]) != group:
        return None
    payload = inner[iihl + 8 :]
    if not payload.startswith(b"seq "):
        return None
    try:
        seq = int(payload[4:].split(b" ", 1)[0])
    except ValueError:
        return None
    return (str(dst), dport), seq


def main():
    p = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    p.add_argument("--ifname", required=True)
    p.add_argument("--prefix", required=True)
    p.add_argument("--seconds", type=float, default=3.0)
    p.add_argument("--group")
    a = p.parse_args()
    net = ipaddress.ip_network(a.prefix)
    group = ipaddress.IPv4Address(a.group) if a.group else None

    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_IP))
    # 64 MiB, past net.core.rmem_max (which caps SO_RCVBUF, 208 KiB by
    # default): the window's datagrams wait here while this reader, slow
    # under a loaded or emulated CPU (User-Mode Linux), catches up.
    s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 64 << 20)
    s.bind((a.ifname, ETH_P_IP))
    s.settimeout(0.2)
    # Reset the counters: only drops of the window count.
    s.getsockopt(SOL_PACKET, PACKET_STATISTICS, 8)
    last = {}
    count = {}
    tally = {"gaps": 0, "dups": 0, "reordered": 0, "datagrams": 0}

    def take(frame):
        got = parse(frame, net, group)
        if got is None:
            return
        key, seq = got
        tally["datagrams"] += 1
        count[key] = count.get(key, 0) + 1
        prev = last.get(key)
        if prev is not None:
            if seq == prev:
                tally["dups"] += 1
            elif seq < prev:
                tally["reordered"] += 1
            elif seq > prev + 1:
                tally["gaps"] += seq - prev - 1
        if prev is None or seq > prev:
            last[key] = seq

    end = time.monotonic() + a.seconds
    while time.monotonic() < end:
        try:
            take(s.recv(65535))
        except socket.timeout:
            continue
    # What arrived in the window but was not read yet (a slow reader, as
    # under User-Mode Linux): read on, frames in their order of arrival,
    # up to the first that arrived after the window (its kernel time
    # stamp), for at most as long again.
    s.setblocking(False)
    closed = time.time()
    end += a.seconds
    while time.monotonic() < end:
        try:
            frame = s.recv(65535)
        except BlockingIOError:
            break
        sec, usec = struct.unpack("qq", fcntl.ioctl(s, SIOCGSTAMP, bytes(16)))
        if sec + usec / 1e6 > closed:
            break
        take(frame)
    _, drops = struct.unpack("II", s.getsockopt(SOL_PACKET, PACKET_STATISTICS, 8))
    print("tunnels={}".format(len(count)))
    print("datagrams={}".format(tally["datagrams"]))
    print("min_per_tunnel={}".format(min(count.values()) if count else 0))
    print("gaps={}".format(tally["gaps"]))
    print("dups={}".format(tally["dups"]))
    print("reordered={}".format(tally["reordered"]))
    print("capture_drops={}".format(drops))
    return 0


if __name__ == "__main__":
    sys.exit(main())
