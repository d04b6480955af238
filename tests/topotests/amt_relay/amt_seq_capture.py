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

Takes every IPv4 frame that arrives on IF (a packet socket) in a window of S
seconds.  The frames wait in the socket's queue while the window runs and
are read after it, up to the first that arrived later (its kernel time
stamp), so that a slow reader (a loaded machine, User-Mode Linux's single
CPU) neither misses frames of the window nor takes the relay's CPU during
it.  A UDP datagram to an address of PREFIX that is an AMT Multicast Data
message (RFC 7450 section 5.1.6) carrying an IPv4 UDP packet whose payload
starts with "seq N " (mcast_sender.py) counts for the tunnel (address,
port), each of them when the frame is a UDP GSO send of several.  Prints
key=value lines: tunnels, datagrams, min_per_tunnel, gaps (numbers missing
inside a tunnel's run), dups, reordered, gso_frames (frames of several
datagrams), capture_drops (frames of the window the queue had no room for),
window_read (1 when the whole window was read).
"""

import argparse
import ipaddress
import socket
import struct
import sys
import time

ETH_P_IP = 0x0800
SOL_PACKET = 263
PACKET_STATISTICS = 6
SO_TIMESTAMP = 29
SO_RCVBUFFORCE = 33
AMT_DATA = 6
# The queue's limit: at 16,000 frames/s, a window of 4 s is about 64,000
# frames, each charged its buffer's true size (about 1 KiB).
QUEUE_BYTES = 256 << 20
# Reading the queue after the window stops here at the latest.
READ_LIMIT_S = 120


def parse(frame, net, group):
    """[(tunnel key, seq)] of the AMT Data messages of a frame to net.  A
    frame of a UDP GSO send (UDP_SEGMENT) passes a veth pair whole, its
    datagrams one after the other in one UDP payload: each is taken."""
    if len(frame) < 14 + 20 + 8 + 2 + 20 + 8:
        return []
    if struct.unpack_from("!H", frame, 12)[0] != ETH_P_IP:
        return []
    ip = frame[14:]
    ihl = (ip[0] & 0x0F) * 4
    if ip[0] >> 4 != 4 or ihl < 20 or ip[9] != 17 or len(ip) < ihl + 8 + 2:
        return []
    net_addr, net_mask = net
    if int.from_bytes(ip[16:20], "big") & net_mask != net_addr:
        return []
    udp = ip[ihl:]
    dport, ulen = struct.unpack_from("!HH", udp, 2)
    if ulen < 8 + 2 or ulen > len(udp):
        return []
    key = (ip[16:20], dport)
    got = []
    amt = udp[8:ulen]
    while len(amt) >= 2 + 20 and amt[0] & 0x0F == AMT_DATA:
        inner = amt[2:]
        ilen = struct.unpack_from("!H", inner, 2)[0]
        iihl = (inner[0] & 0x0F) * 4
        if inner[0] >> 4 != 4 or ilen < iihl + 8 or ilen > len(inner):
            break
        amt = inner[ilen:]
        inner = inner[:ilen]
        if inner[9] != 17 or (group and inner[16:20] != group):
            continue
        payload = inner[iihl + 8 :]
        if not payload.startswith(b"seq "):
            continue
        try:
            got.append((key, int(payload[4:].split(b" ", 1)[0])))
        except ValueError:
            continue
    return got


def main():
    p = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    p.add_argument("--ifname", required=True)
    p.add_argument("--prefix", required=True)
    p.add_argument("--seconds", type=float, default=3.0)
    p.add_argument("--group")
    a = p.parse_args()
    prefix = ipaddress.ip_network(a.prefix)
    net = (int(prefix.network_address), int(prefix.netmask))
    group = ipaddress.IPv4Address(a.group).packed if a.group else None

    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_IP))
    # Past net.core.rmem_max, which caps SO_RCVBUF (208 KiB by default).
    s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, QUEUE_BYTES)
    s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMP, 1)
    s.bind((a.ifname, ETH_P_IP))
    # Reset the counters: only drops of the window count.
    s.getsockopt(SOL_PACKET, PACKET_STATISTICS, 8)
    time.sleep(a.seconds)
    closed = time.time()
    _, drops = struct.unpack("II", s.getsockopt(SOL_PACKET, PACKET_STATISTICS, 8))

    last = {}
    count = {}
    tally = {"gaps": 0, "dups": 0, "reordered": 0, "datagrams": 0, "gso_frames": 0}

    def take(key, seq):
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

    window_read = 0
    s.setblocking(False)
    limit = time.monotonic() + READ_LIMIT_S
    while time.monotonic() < limit:
        try:
            frame, anc, _, _ = s.recvmsg(65535, socket.CMSG_SPACE(16))
        except BlockingIOError:
            window_read = 1
            break
        stamp = [d for lvl, typ, d in anc if lvl == socket.SOL_SOCKET and typ == SO_TIMESTAMP]
        if stamp:
            sec, usec = struct.unpack("qq", stamp[0][:16])
            if sec + usec / 1e6 > closed:
                window_read = 1
                break
        got = parse(frame, net, group)
        if len(got) > 1:
            tally["gso_frames"] += 1
        for key, seq in got:
            take(key, seq)
    print("tunnels={}".format(len(count)))
    print("datagrams={}".format(tally["datagrams"]))
    print("min_per_tunnel={}".format(min(count.values()) if count else 0))
    print("gaps={}".format(tally["gaps"]))
    print("dups={}".format(tally["dups"]))
    print("reordered={}".format(tally["reordered"]))
    print("gso_frames={}".format(tally["gso_frames"]))
    print("capture_drops={}".format(drops))
    print("window_read={}".format(window_read))
    return 0


if __name__ == "__main__":
    sys.exit(main())
