#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""
Join an SSM channel (S,G) on the interface with address IFADDR and account
for every sequence number (payloads start with "seq N ", as
amt_relay/mcast_sender.py sends them): datagrams received, distinct numbers,
the lowest and highest, numbers missing in between (lost), numbers received
more than once (duplicates) and the first gaps.  The state goes to a JSON
file every half second, until DURATION seconds have passed or SIGTERM.

    seq_receiver.py --source S --group G --ifaddr A --duration SECS \\
        --state-file FILE [--port P]
"""

import argparse
import json
import os
import signal
import socket
import time

IP_ADD_SOURCE_MEMBERSHIP = 39
# Distinct numbers kept at most (a bounded run at a bounded rate).
MAX_SEQS = 2000000


def gaps_of(seqs, limit=10):
    "The first runs of missing numbers between the lowest and highest, as [first, last]"
    out = []
    prev = None
    for n in sorted(seqs):
        if prev is not None and n > prev + 1:
            out.append([prev + 1, n - 1])
            if len(out) >= limit:
                break
        prev = n
    return out


def state_of(seqs, packets, dups, finished):
    first = min(seqs) if seqs else None
    last = max(seqs) if seqs else None
    lost = (last - first + 1 - len(seqs)) if seqs else 0
    return {
        "packets": packets,
        "distinct": len(seqs),
        "first_seq": first,
        "last_seq": last,
        "lost": lost,
        "duplicates": dups,
        "gaps": gaps_of(seqs) if lost else [],
        "finished": finished,
        "pid": os.getpid(),
    }


def write_state(path, state):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(state, f)
    os.replace(tmp, path)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--source", required=True)
    p.add_argument("--group", required=True)
    p.add_argument("--ifaddr", required=True)
    p.add_argument("--port", type=int, default=5000)
    p.add_argument("--duration", type=float, required=True)
    p.add_argument("--state-file", required=True)
    args = p.parse_args()

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))

    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
    s.bind((args.group, args.port))
    mreq = (socket.inet_aton(args.group) + socket.inet_aton(args.ifaddr)
            + socket.inet_aton(args.source))
    s.setsockopt(socket.IPPROTO_IP, IP_ADD_SOURCE_MEMBERSHIP, mreq)
    s.settimeout(0.1)

    seqs = set()
    packets = dups = 0
    end = time.monotonic() + args.duration
    next_write = 0.0
    while not stop and time.monotonic() < end:
        try:
            data, addr = s.recvfrom(65535)
        except socket.timeout:
            data = None
        except InterruptedError:
            data = None
        if data is not None and addr[0] == args.source:
            words = data.split(b" ", 2)
            if len(words) > 1 and words[0] == b"seq" and words[1].isdigit():
                packets += 1
                n = int(words[1])
                if n in seqs:
                    dups += 1
                elif len(seqs) < MAX_SEQS:
                    seqs.add(n)
        if time.monotonic() >= next_write:
            write_state(args.state_file, state_of(seqs, packets, dups, False))
            next_write = time.monotonic() + 0.5
    write_state(args.state_file, state_of(seqs, packets, dups, True))


if __name__ == "__main__":
    main()
