#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
#
# amt_test_gateway.py: a scripted AMT gateway (RFC 7450) for amtd's relay
# topotests.
#

"""
Plays the gateway side of RFC 7450 against a relay, with plain sockets and
hand-built packets, and records what it saw in a JSON state file that a
topotest can poll while it runs:

  Relay Discovery -> Relay Advertisement            (with --discovery)
  Request -> Membership Query                        (MAC, nonce, L, G, QQIC, QRV)
  Membership Update with an IGMPv3 / MLDv2 report    (joins, then leaves)
  Multicast Data                                     (counted per "S,G")
  refresh at the Query's QQIC                        (unless --no-refresh)
  Teardown                                           (--teardown-at-end/-after)
  malformed or hostile messages                      (--abuse ...)

Outer transport follows the relay address's family (IPv4 or IPv6); the
inner family is IPv4/IGMPv3 by default and IPv6/MLDv2 with --mld.

--personality plays the documented behaviour of gateways deployed in the
field, so that one relay can be tried against all of them at once:
  rfc    RFC 7450 to the letter (the default);
  vlc    VLC's AMT access module: a 9-byte Request whose nonce is the
         Discovery's, an IPv4-inner Query accepted only at exactly 48 bytes
         (no gateway fields; otherwise "length of relay query message
         invalid" and an Update with a zero MAC), reports without Router
         Alert from 0.0.0.0, leaves as BLOCK_OLD_SOURCES;
  linux  the Linux kernel's amt driver: sends from UDP port 2268, P/L/G
         read in the high bits of byte 1 (0x80, 0x40, 0x80), a Query with
         any other bit of that byte set dropped as malformed.

Every socket operation has a timeout and the program ends by itself at
--duration (plus the time for a final Teardown): it never needs killing.
Signals: SIGUSR1 leaves now, SIGUSR2 sends the Teardown now, SIGTERM ends
the run (state file written, Teardown sent if --teardown-at-end).
"""

import argparse
import ipaddress
import json
import os
import random
import re
import signal
import socket
import struct
import sys
import time

AMT_PORT = 2268

T_DISCOVERY = 1
T_ADVERTISEMENT = 2
T_REQUEST = 3
T_QUERY = 4
T_UPDATE = 5
T_DATA = 6
T_TEARDOWN = 7

TYPE_NAMES = {
    1: "discovery",
    2: "advertisement",
    3: "request",
    4: "query",
    5: "update",
    6: "data",
    7: "teardown",
}

# RFC 7450 5.1.3 / 5.1.4: flags in the low bits of the byte after the type.
REQ_FLAG_P = 0x01
QRY_FLAG_G = 0x01
QRY_FLAG_L = 0x02
# Where the Linux kernel's driver reads and writes them (bitfields declared
# low bit first on a little-endian CPU).
LINUX_FLAG_P = 0x80
LINUX_FLAG_G = 0x80
LINUX_FLAG_L = 0x40
# VLC's exact Query length for an IPv4 group: 12-byte AMT header, 24-byte
# IPv4 header with Router Alert, 12-byte IGMPv3 General Query.
VLC_QUERY_LEN_V4 = 48

# IGMPv3 (RFC 3376) / MLDv2 (RFC 3810) group record types.
MODE_IS_INCLUDE = 1
MODE_IS_EXCLUDE = 2
CHANGE_TO_INCLUDE = 3
CHANGE_TO_EXCLUDE = 4
ALLOW_NEW_SOURCES = 5
BLOCK_OLD_SOURCES = 6

IGMPV3_REPORT_DST = "224.0.0.22"
MLDV2_REPORT_DST = "ff02::16"
IPPROTO_IGMP = 2
IPPROTO_HOPOPTS = 0
IPPROTO_ICMPV6 = 58
IPPROTO_UDP = 17


# ---------------------------------------------------------------------------
# Checksums and addresses
# ---------------------------------------------------------------------------


def inet_cksum(data):
    "RFC 1071 Internet checksum of data."
    if len(data) % 2:
        data += b"\x00"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def pseudo_header6(src, dst, length, nxt):
    "IPv6 pseudo-header for upper-layer checksums (RFC 8200 8.1)."
    return src + dst + struct.pack("!IxxxB", length, nxt)


def pseudo_header4(src, dst, length, proto):
    return src + dst + struct.pack("!xBH", proto, length)


def ip_bytes(addr):
    a = ipaddress.ip_address(addr)
    return a.packed


def gw_field(addr):
    """
    The 16-byte Gateway IP Address field of Query and Teardown: an IPv6
    address, or an IPv4 address as an IPv4-compatible IPv6 address (96
    zero bits, RFC 7450 5.1.4.6 / 5.1.7).
    """
    a = ipaddress.ip_address(addr)
    if a.version == 4:
        return b"\x00" * 12 + a.packed
    return a.packed


def gw_field_decode(raw, outer_family=4):
    """
    Inverse of gw_field(): over IPv4 the field holds an IPv4-compatible
    address (also accepted: IPv4-mapped); over IPv6 it is an IPv6 address.
    Returns (address, form).
    """
    if outer_family == 4:
        if raw[:12] == b"\x00" * 12:
            return str(ipaddress.IPv4Address(raw[12:])), "ipv4-compatible"
        if raw[:12] == b"\x00" * 10 + b"\xff\xff":
            return str(ipaddress.IPv4Address(raw[12:])), "ipv4-mapped"
    return str(ipaddress.IPv6Address(raw)), "ipv6"


def qqic_decode(code):
    "QQIC / Max Resp Code (8 bit) to a number (RFC 3376 4.1.7, RFC 3810)."
    if code < 128:
        return code
    exp = (code >> 4) & 0x07
    mant = code & 0x0F
    return (mant | 0x10) << (exp + 3)


def mld_mrc_decode(code):
    "MLDv2 16-bit Maximum Response Code to milliseconds (RFC 3810 5.1.3)."
    if code < 32768:
        return code
    exp = (code >> 12) & 0x07
    mant = code & 0x0FFF
    return (mant | 0x1000) << (exp + 3)


# ---------------------------------------------------------------------------
# Inner IP packets: reports, data
# ---------------------------------------------------------------------------


def ipv4_header(src, dst, proto, payload_len, ttl, options=b"", tos=0, ident=0):
    ihl = 5 + len(options) // 4
    hdr = struct.pack(
        "!BBHHHBBH4s4s",
        (4 << 4) | ihl,
        tos,
        ihl * 4 + payload_len,
        ident,
        0,  # flags / fragment offset
        ttl,
        proto,
        0,
        ip_bytes(src),
        ip_bytes(dst),
    )
    hdr += options
    cks = inet_cksum(hdr)
    return hdr[:10] + struct.pack("!H", cks) + hdr[12:]


def igmpv3_records(records):
    out = b""
    for rtype, group, sources in records:
        out += struct.pack("!BBH4s", rtype, 0, len(sources), ip_bytes(group))
        for s in sources:
            out += ip_bytes(s)
    return out


def build_igmpv3_report(records, src="0.0.0.0", router_alert=True, ttl=1):
    """
    A full IPv4 packet: header with Router Alert (RFC 2113), TTL 1, to
    224.0.0.22, carrying an IGMPv3 Membership Report (type 0x22).
    records: [(record type, group, [sources])].
    """
    body = igmpv3_records(records)
    msg = struct.pack("!BBHHH", 0x22, 0, 0, 0, len(records)) + body
    cks = inet_cksum(msg)
    msg = msg[:2] + struct.pack("!H", cks) + msg[4:]
    options = b"\x94\x04\x00\x00" if router_alert else b""
    return (
        ipv4_header(src, IGMPV3_REPORT_DST, IPPROTO_IGMP, len(msg), ttl, options, 0xC0)
        + msg
    )


def mldv2_records(records):
    out = b""
    for rtype, group, sources in records:
        out += struct.pack("!BBH16s", rtype, 0, len(sources), ip_bytes(group))
        for s in sources:
            out += ip_bytes(s)
    return out


def build_mldv2_report(records, src="fe80::1", hop_limit=1):
    """
    A full IPv6 packet: Hop Limit 1, link-local source, to ff02::16, a
    Hop-by-Hop header with Router Alert (RFC 2711, value 0 = MLD) and an
    MLDv2 Listener Report (ICMPv6 type 143) whose checksum covers the IPv6
    pseudo-header.
    """
    body = mldv2_records(records)
    msg = struct.pack("!BBHHH", 143, 0, 0, 0, len(records)) + body
    s, d = ip_bytes(src), ip_bytes(MLDV2_REPORT_DST)
    cks = inet_cksum(pseudo_header6(s, d, len(msg), IPPROTO_ICMPV6) + msg)
    msg = msg[:2] + struct.pack("!H", cks) + msg[4:]
    # Next Header ICMPv6, Hdr Ext Len 0 (8 bytes), Router Alert (type 5,
    # length 2, value 0), PadN of 2 bytes (type 1, length 0).
    hbh = struct.pack("!BB", IPPROTO_ICMPV6, 0) + b"\x05\x02\x00\x00" + b"\x01\x00"
    payload = hbh + msg
    ip6 = struct.pack(
        "!IHBB16s16s", 6 << 28, len(payload), IPPROTO_HOPOPTS, hop_limit, s, d
    )
    return ip6 + payload


def build_udp_packet(src, dst, sport, dport, payload, ttl=16):
    "A full IPv4 or IPv6 UDP packet (for data sent to the relay)."
    a = ipaddress.ip_address(src)
    ulen = 8 + len(payload)
    if a.version == 4:
        udp = struct.pack("!HHHH", sport, dport, ulen, 0) + payload
        cks = inet_cksum(pseudo_header4(ip_bytes(src), ip_bytes(dst), ulen, 17) + udp)
        udp = udp[:6] + struct.pack("!H", cks or 0xFFFF) + udp[8:]
        return ipv4_header(src, dst, IPPROTO_UDP, ulen, ttl) + udp
    udp = struct.pack("!HHHH", sport, dport, ulen, 0) + payload
    s, d = ip_bytes(src), ip_bytes(dst)
    cks = inet_cksum(pseudo_header6(s, d, ulen, 17) + udp)
    udp = udp[:6] + struct.pack("!H", cks or 0xFFFF) + udp[8:]
    return struct.pack("!IHBB16s16s", 6 << 28, ulen, IPPROTO_UDP, ttl, s, d) + udp


# ---------------------------------------------------------------------------
# AMT messages (RFC 7450 section 5.1)
# ---------------------------------------------------------------------------


def build_discovery(nonce):
    return struct.pack("!BxxxI", T_DISCOVERY, nonce)


def build_request(nonce, p_flag, personality="rfc"):
    if personality == "linux":
        return struct.pack("!BBxxI", T_REQUEST, LINUX_FLAG_P if p_flag else 0, nonce)
    msg = struct.pack("!BBxxI", T_REQUEST, REQ_FLAG_P if p_flag else 0, nonce)
    if personality == "vlc":
        # VLC sends one zero byte more than RFC 7450 5.1.3 defines.
        msg += b"\x00"
    return msg


def build_update(mac, nonce, inner):
    return struct.pack("!Bx6sI", T_UPDATE, mac, nonce) + inner


def build_data(inner):
    return struct.pack("!Bx", T_DATA) + inner


def build_teardown(mac, nonce, gw_port, gw_addr):
    return struct.pack("!Bx6sIH16s", T_TEARDOWN, mac, nonce, gw_port, gw_field(gw_addr))


def build_unknown_type(mtype=9):
    return struct.pack("!Bx10x", mtype & 0x0F)


class DecodeError(Exception):
    pass


def decode_advertisement(buf):
    if len(buf) not in (12, 24):
        raise DecodeError("advertisement length %d" % len(buf))
    nonce = struct.unpack("!I", buf[4:8])[0]
    relay = ipaddress.ip_address(buf[8:])
    return {"nonce": nonce, "relay": str(relay)}


def decode_general_query(pkt):
    "The IP packet a Membership Query encapsulates: IGMPv3 or MLDv2 query."
    out = {}
    if not pkt:
        raise DecodeError("empty encapsulated query")
    ver = pkt[0] >> 4
    if ver == 4:
        if len(pkt) < 20:
            raise DecodeError("short IPv4 header")
        ihl = (pkt[0] & 0x0F) * 4
        tot = struct.unpack("!H", pkt[2:4])[0]
        if ihl < 20 or tot < ihl or tot > len(pkt):
            raise DecodeError("bad IPv4 lengths")
        out.update(
            family="ipv4",
            ttl=pkt[8],
            source=str(ipaddress.IPv4Address(pkt[12:16])),
            destination=str(ipaddress.IPv4Address(pkt[16:20])),
            router_alert=b"\x94\x04" in pkt[20:ihl],
            ip_checksum_ok=inet_cksum(pkt[:ihl]) == 0,
        )
        if pkt[9] != IPPROTO_IGMP:
            raise DecodeError("inner IPv4 protocol %d" % pkt[9])
        igmp = pkt[ihl:tot]
        if len(igmp) < 12 or igmp[0] != 0x11:
            raise DecodeError("not an IGMPv3 query")
        out.update(
            igmp_checksum_ok=inet_cksum(igmp) == 0,
            max_resp_code=igmp[1],
            max_resp_time=qqic_decode(igmp[1]) / 10.0,
            group=str(ipaddress.IPv4Address(igmp[4:8])),
            s_flag=bool(igmp[8] & 0x08),
            qrv=igmp[8] & 0x07,
            qqic=igmp[9],
            query_interval=qqic_decode(igmp[9]),
            num_sources=struct.unpack("!H", igmp[10:12])[0],
        )
        return out
    if ver == 6:
        if len(pkt) < 40:
            raise DecodeError("short IPv6 header")
        plen = struct.unpack("!H", pkt[4:6])[0]
        if 40 + plen > len(pkt):
            raise DecodeError("bad IPv6 payload length")
        src, dst = pkt[8:24], pkt[24:40]
        out.update(
            family="ipv6",
            ttl=pkt[7],
            source=str(ipaddress.IPv6Address(src)),
            destination=str(ipaddress.IPv6Address(dst)),
            router_alert=False,
        )
        nxt, off, end = pkt[6], 40, 40 + plen
        while nxt in (0, 43, 60):
            if off + 8 > end:
                raise DecodeError("truncated extension header")
            hlen = (pkt[off + 1] + 1) * 8
            if nxt == 0 and b"\x05\x02\x00\x00" in pkt[off + 2 : off + hlen]:
                out["router_alert"] = True
            nxt, off = pkt[off], off + hlen
        if nxt != IPPROTO_ICMPV6:
            raise DecodeError("inner IPv6 next header %d" % nxt)
        mld = pkt[off:end]
        if len(mld) < 28 or mld[0] != 130:
            raise DecodeError("not an MLDv2 query")
        mrc = struct.unpack("!H", mld[4:6])[0]
        out.update(
            icmp_checksum_ok=inet_cksum(
                pseudo_header6(src, dst, len(mld), IPPROTO_ICMPV6) + mld
            )
            == 0,
            max_resp_code=mrc,
            max_resp_time=mld_mrc_decode(mrc) / 1000.0,
            group=str(ipaddress.IPv6Address(mld[8:24])),
            s_flag=bool(mld[24] & 0x08),
            qrv=mld[24] & 0x07,
            qqic=mld[25],
            query_interval=qqic_decode(mld[25]),
            num_sources=struct.unpack("!H", mld[26:28])[0],
        )
        return out
    raise DecodeError("encapsulated packet of IP version %d" % ver)


def decode_query(buf, outer_family=4, personality="rfc"):
    """
    Membership Query: type, flags (L, G), Response MAC, Request Nonce,
    the encapsulated General Query, then (G set) Gateway Port Number and
    Gateway IP Address, 18 bytes at the end of the datagram.  The vlc and
    linux personalities check what those gateways check.
    """
    if len(buf) < 12:
        raise DecodeError("query length %d" % len(buf))
    flags = buf[1]
    flag_l, flag_g = QRY_FLAG_L, QRY_FLAG_G
    if personality == "linux":
        flag_l, flag_g = LINUX_FLAG_L, LINUX_FLAG_G
        if flags & ~(LINUX_FLAG_L | LINUX_FLAG_G):
            raise DecodeError("reserved bits 0x%02x set: dropped as the Linux driver does" % flags)
    if personality == "vlc" and len(buf) > 12 and buf[12] >> 4 == 4:
        if len(buf) != VLC_QUERY_LEN_V4:
            raise DecodeError("length of relay query message invalid (%d)" % len(buf))
    q = {
        "l": bool(flags & flag_l),
        "g": bool(flags & flag_g),
        "length": len(buf),
        "flags_byte": flags,
        "mac": buf[2:8].hex(),
        "nonce": struct.unpack("!I", buf[8:12])[0],
    }
    inner = buf[12:]
    if q["g"]:
        if len(inner) < 18:
            raise DecodeError("query with G too short for gateway fields")
        gw = inner[-18:]
        inner = inner[:-18]
        q["gateway_port"] = struct.unpack("!H", gw[:2])[0]
        q["gateway_address"], q["gateway_address_form"] = gw_field_decode(
            gw[2:], outer_family
        )
    q["general_query"] = decode_general_query(inner)
    return q


def decode_inner_udp(pkt):
    "Source, group, payload of an encapsulated IPv4/IPv6 UDP datagram."
    if not pkt:
        raise DecodeError("empty data")
    ver = pkt[0] >> 4
    if ver == 4:
        if len(pkt) < 20:
            raise DecodeError("short IPv4 data")
        ihl = (pkt[0] & 0x0F) * 4
        tot = struct.unpack("!H", pkt[2:4])[0]
        if tot > len(pkt) or tot < ihl:
            raise DecodeError("bad IPv4 total length")
        src = str(ipaddress.IPv4Address(pkt[12:16]))
        dst = str(ipaddress.IPv4Address(pkt[16:20]))
        proto, off, end = pkt[9], ihl, tot
    elif ver == 6:
        if len(pkt) < 40:
            raise DecodeError("short IPv6 data")
        plen = struct.unpack("!H", pkt[4:6])[0]
        if 40 + plen > len(pkt):
            raise DecodeError("bad IPv6 payload length")
        src = str(ipaddress.IPv6Address(pkt[8:24]))
        dst = str(ipaddress.IPv6Address(pkt[24:40]))
        proto, off, end = pkt[6], 40, 40 + plen
        while proto in (0, 43, 60) and off + 8 <= end:
            proto, off = pkt[off], off + (pkt[off + 1] + 1) * 8
    else:
        raise DecodeError("data of IP version %d" % ver)
    payload = b""
    if proto == IPPROTO_UDP and off + 8 <= end:
        payload = pkt[off + 8 : end]
    return src, dst, proto, payload


SEQ_RE = re.compile(rb"^\s*(?:[A-Za-z]+[ :=])?\s*(\d{1,18})")


def payload_seq(payload):
    "A sequence number at the start of the payload ('seq 12', 'test 12', '12')."
    m = SEQ_RE.match(payload[:40])
    return int(m.group(1)) if m else None


# ---------------------------------------------------------------------------
# The gateway
# ---------------------------------------------------------------------------


class Gateway:
    def __init__(self, args):
        self.args = args
        self.t0 = time.monotonic()
        self.deadline = self.t0 + args.duration
        self.stop = False
        # Set by SIGUSR1 / SIGUSR2: leave / tear down now.
        self.leave_requested = False
        self.teardown_requested = False
        self.sock = None
        self.relay = args.relay
        self.relay_port = args.port
        self.family = None
        self.inner6 = args.mld
        self.mac = None
        self.nonce = None
        self.discovery_nonce = None
        self.query = None
        self.pending_nonce = None
        self.pending_since = None
        self.pending_tries = 0
        self.next_refresh = None
        self.leave_done = False
        self.teardown_done = False
        self.teardown_issued = False
        self.abuse_done = False
        self.joined_at = None
        self.last_state_write = 0.0
        # (source or "*", group) currently joined.
        self.ssm = [tuple(j.split(",", 1)) for j in args.join]
        self.asm = list(args.join_asm)
        self.state = {
            "pid": os.getpid(),
            "state": "init",
            "finished": False,
            "exit_reason": None,
            "relay": args.relay,
            "relay_port": args.port,
            "discovery_address": args.discovery,
            "advertised_relay": None,
            "local_address": None,
            "local_port": None,
            "inner_family": "ipv6" if args.mld else "ipv4",
            "personality": args.personality,
            "query_rejected": 0,
            "joins": ["%s,%s" % (s, g) for s, g in self.ssm]
            + ["*,%s" % g for g in self.asm],
            "sent": {
                "discovery": 0,
                "request": 0,
                "update": 0,
                "teardown": 0,
                "abuse": 0,
            },
            "received": {
                "advertisement": 0,
                "query": 0,
                "query_unmatched": 0,
                "data": 0,
                "other": 0,
                "bad": 0,
                "from_unexpected_sender": 0,
            },
            "handshakes": 0,
            "queries_with_l": 0,
            "refreshes": 0,
            "query": None,
            "query_l": None,
            "query_g": None,
            "gateway_address_seen_by_relay": None,
            "gateway_port_seen_by_relay": None,
            "qqic": None,
            "query_interval": None,
            "qrv": None,
            "joined": False,
            "join_sent_at": None,
            "leave_sent_at": None,
            "teardown_sent_at": None,
            "abuse": [],
            "flows": {},
            "data_packets": 0,
            "data_packets_after_leave": 0,
            "data_packets_after_teardown": 0,
            "injected_seen": 0,
            "last_data_at": None,
            "errors": [],
            "elapsed": 0.0,
        }

    # -- helpers -------------------------------------------------------------

    def now(self):
        return time.monotonic() - self.t0

    def error(self, msg):
        errs = self.state["errors"]
        if len(errs) < 50:
            errs.append("%.2f %s" % (self.now(), msg))
        self.log(msg)

    def log(self, msg):
        if self.args.verbose:
            sys.stderr.write("[%7.2f] %s\n" % (self.now(), msg))
            sys.stderr.flush()

    def write_state(self, force=False):
        if not self.args.state_file:
            return
        t = time.monotonic()
        if not force and t - self.last_state_write < self.args.state_interval:
            return
        self.last_state_write = t
        self.state["elapsed"] = round(self.now(), 3)
        tmp = self.args.state_file + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.state, f, indent=1, sort_keys=True)
        os.replace(tmp, self.args.state_file)

    def new_nonce(self):
        return random.getrandbits(32) or 1

    def send(self, data, dest=None, what=None):
        dest = dest or (self.relay, self.relay_port)
        try:
            self.sock.sendto(data, dest)
        except OSError as e:
            self.error("send %s to %s: %s" % (what or "message", dest[0], e))
            return False
        if what in self.state["sent"]:
            self.state["sent"][what] += 1
        self.log("sent %s (%d bytes) to %s" % (what, len(data), dest[0]))
        return True

    def recv(self, timeout):
        self.sock.settimeout(max(0.01, timeout))
        try:
            data, addr = self.sock.recvfrom(65535)
        except socket.timeout:
            return None, None
        except OSError as e:
            self.error("recv: %s" % e)
            time.sleep(min(timeout, 0.1))
            return None, None
        return data, addr

    # -- reports -------------------------------------------------------------

    def report(self, records):
        if self.inner6:
            return build_mldv2_report(records, src=self.args.inner_source or "fe80::1")
        src = self.args.inner_source
        if self.args.personality == "vlc":
            # VLC's reports: from 0.0.0.0, without Router Alert.
            src = src or "0.0.0.0"
        if src is None:
            src = self.state["local_address"] if self.family == 4 else "0.0.0.0"
        router_alert = not self.args.no_router_alert and self.args.personality != "vlc"
        return build_igmpv3_report(records, src=src, router_alert=router_alert)

    def group_sources(self):
        groups = {}
        for s, g in self.ssm:
            groups.setdefault(g, []).append(s)
        return groups

    def join_records(self, current_state):
        recs = []
        for g, srcs in self.group_sources().items():
            if current_state or self.args.ssm_record == "is-in":
                recs.append((MODE_IS_INCLUDE, g, srcs))
            else:
                recs.append((ALLOW_NEW_SOURCES, g, srcs))
        for g in self.asm:
            if current_state or self.args.asm_record == "is-ex":
                recs.append((MODE_IS_EXCLUDE, g, []))
            else:
                recs.append((CHANGE_TO_EXCLUDE, g, []))
        return recs

    def leave_records(self):
        recs = [(BLOCK_OLD_SOURCES, g, s) for g, s in self.group_sources().items()]
        recs += [(CHANGE_TO_INCLUDE, g, []) for g in self.asm]
        return recs

    def send_update(self, records, what):
        if not records:
            return
        if self.args.max_records and len(records) > self.args.max_records:
            chunks = [
                records[i : i + self.args.max_records]
                for i in range(0, len(records), self.args.max_records)
            ]
        else:
            chunks = [records]
        for _ in range(self.args.report_count):
            for chunk in chunks:
                msg = build_update(bytes.fromhex(self.mac), self.nonce, self.report(chunk))
                self.send(msg, what="update")
        self.log("update: %s %s" % (what, records))

    # -- protocol steps ------------------------------------------------------

    def discover(self):
        self.state["state"] = "discovering"
        disc = self.args.discovery
        nonce = self.new_nonce()
        tries = 0
        while time.monotonic() < self.deadline and not self.stop:
            if tries >= self.args.retries:
                self.error("no advertisement after %d discoveries" % tries)
                return False
            self.send(build_discovery(nonce), (disc, self.relay_port), "discovery")
            tries += 1
            end = min(time.monotonic() + self.args.retransmit, self.deadline)
            while time.monotonic() < end and not self.stop:
                data, addr = self.recv(end - time.monotonic())
                if data is None:
                    continue
                if not data or data[0] != T_ADVERTISEMENT:
                    self.state["received"]["other"] += 1
                    continue
                try:
                    adv = decode_advertisement(data)
                except DecodeError as e:
                    self.state["received"]["bad"] += 1
                    self.error("advertisement: %s" % e)
                    continue
                if adv["nonce"] != nonce:
                    self.error("advertisement with nonce %08x" % adv["nonce"])
                    continue
                self.state["received"]["advertisement"] += 1
                self.discovery_nonce = nonce
                self.state["advertised_relay"] = adv["relay"]
                self.state["advertisement_from"] = addr[0]
                self.relay = adv["relay"]
                self.state["relay"] = self.relay
                if ipaddress.ip_address(self.relay).version != self.family:
                    self.error("advertised relay %s of another family" % self.relay)
                    return False
                return True
        return False

    def send_request(self):
        if self.args.personality == "vlc" and self.discovery_nonce is not None:
            # VLC reuses the Discovery's nonce in its Request.
            self.pending_nonce = self.discovery_nonce
        else:
            self.pending_nonce = self.new_nonce()
        self.pending_since = time.monotonic()
        self.pending_tries = 1
        self.send(self.request_msg(self.pending_nonce), what="request")

    def request_msg(self, nonce):
        return build_request(nonce, self.inner6, self.args.personality)

    def on_query(self, data):
        try:
            q = decode_query(data, self.family, self.args.personality)
        except DecodeError as e:
            self.state["received"]["bad"] += 1
            self.state["query_rejected"] += 1
            self.error("query: %s" % e)
            if self.args.personality == "vlc" and self.pending_nonce is not None:
                # VLC goes on with an Update whose MAC is all zeroes.
                self.mac, self.nonce = "00" * 6, self.pending_nonce
                recs = self.join_records(False)
                if recs:
                    self.send_update(recs, "join with a zero MAC")
            return
        if self.pending_nonce is None or q["nonce"] != self.pending_nonce:
            # Answers to a --abuse request-flood land here too.
            self.state["received"]["query_unmatched"] += 1
            if "request-flood" not in self.args.abuse:
                self.error("query with unexpected nonce %08x" % q["nonce"])
            return
        self.state["received"]["query"] += 1
        self.state["handshakes"] += 1
        first = self.mac is None
        self.pending_nonce = None
        self.mac = q["mac"]
        self.nonce = q["nonce"]
        self.query = q
        gq = q["general_query"]
        st = self.state
        st["query"] = q
        st["query_l"] = q["l"]
        st["query_g"] = q["g"]
        st["gateway_address_seen_by_relay"] = q.get("gateway_address")
        st["gateway_port_seen_by_relay"] = q.get("gateway_port")
        st["qqic"] = gq["qqic"]
        st["query_interval"] = gq["query_interval"]
        st["qrv"] = gq["qrv"]
        if q["l"]:
            st["queries_with_l"] += 1
        interval = self.args.refresh_interval or gq["query_interval"] or 125
        self.next_refresh = None if self.args.no_refresh else time.monotonic() + interval
        if first:
            if q["l"] and not self.args.ignore_limit:
                # RFC 7450 5.2.3.4.4: a gateway without state on the relay
                # does not create any while L is set.
                st["state"] = "limited"
                self.error("relay at capacity (L set): no Update sent")
                return
            st["state"] = "joined" if (self.ssm or self.asm) else "connected"
            if self.ssm or self.asm:
                self.send_update(self.join_records(False), "join")
                self.joined_at = time.monotonic()
                st["joined"] = True
                st["join_sent_at"] = round(self.now(), 3)
        else:
            st["refreshes"] += 1
            if self.leave_done or st["state"] == "limited":
                return
            if self.args.no_refresh_update:
                # Like a gateway whose IGMP/MLD side has not answered the
                # General Query yet: the relay has this nonce only from its Query.
                return
            self.send_update(self.join_records(True), "refresh")

    def on_data(self, data):
        st = self.state
        try:
            src, grp, proto, payload = decode_inner_udp(data[2:])
        except DecodeError as e:
            st["received"]["bad"] += 1
            self.error("data: %s" % e)
            return
        st["received"]["data"] += 1
        st["data_packets"] += 1
        st["last_data_at"] = round(self.now(), 3)
        if self.leave_done:
            st["data_packets_after_leave"] += 1
        if self.teardown_done:
            st["data_packets_after_teardown"] += 1
        key = "%s,%s" % (src, grp)
        f = st["flows"].get(key)
        if f is None:
            f = st["flows"][key] = {
                "packets": 0,
                "bytes": 0,
                "first_seq": None,
                "last_seq": None,
                "seq_gaps": 0,
                "seq_dups": 0,
                "after_leave": 0,
                "first_at": round(self.now(), 3),
                "last_at": None,
                "protocol": proto,
            }
        f["packets"] += 1
        f["bytes"] += len(data) - 2
        f["last_at"] = round(self.now(), 3)
        if self.leave_done:
            f["after_leave"] += 1
        if b"from gateway" in payload:
            # What --abuse data-to-relay injects: a relay must never forward it.
            st["injected_seen"] += 1
            f["injected_seen"] = f.get("injected_seen", 0) + 1
        seq = payload_seq(payload)
        if seq is not None:
            if f["first_seq"] is None:
                f["first_seq"] = seq
            elif f["last_seq"] is not None:
                if seq == f["last_seq"] or seq < f["last_seq"]:
                    f["seq_dups"] += 1
                elif seq > f["last_seq"] + 1:
                    f["seq_gaps"] += seq - f["last_seq"] - 1
            f["last_seq"] = seq

    def teardown(self):
        """
        Teardown (RFC 7450 5.2.3.7): nonce and MAC of the last Query, and
        the gateway address and port the relay saw (the Query's G fields,
        else the local socket's).  With --teardown-new-socket it is sent
        from a fresh UDP port, as after a NAT mapping change; with
        --rejoin-after-teardown the gateway then opens a new tunnel there.
        """
        if self.mac is None:
            self.error("teardown: no tunnel (no Query received)")
            return
        q = self.query
        if q.get("g"):
            gw_addr, gw_port = q["gateway_address"], q["gateway_port"]
        else:
            gw_addr, gw_port = self.state["local_address"], self.state["local_port"]
        msg = build_teardown(bytes.fromhex(self.mac), self.nonce, gw_port, gw_addr)
        if self.args.teardown_new_socket:
            self.state["local_port_before_teardown"] = self.state["local_port"]
            old = self.sock
            self.sock = self.new_socket(self.state["local_address"], 0)
            old.close()
            self.state["local_port"] = self.sock.getsockname()[1]
        for _ in range(self.args.teardown_count):
            self.send(msg, what="teardown")
        self.teardown_issued = True
        self.teardown_done = True
        self.state["teardown_sent_at"] = round(self.now(), 3)
        self.state["teardown_gateway"] = "%s:%d" % (gw_addr, gw_port)
        self.state["state"] = "torn-down"
        self.next_refresh = None
        if self.args.rejoin_after_teardown:
            self.mac = self.nonce = self.query = None
            self.joined_at = None
            self.teardown_done = False
            self.state["rejoin_sent_at"] = round(self.now(), 3)
            self.state["state"] = "requesting"
            self.send_request()

    def leave(self):
        if self.mac is None:
            self.error("leave: no tunnel")
        else:
            self.send_update(self.leave_records(), "leave")
        self.leave_done = True
        self.state["leave_sent_at"] = round(self.now(), 3)
        self.state["joined"] = False
        self.state["state"] = "left"

    def abuse(self):
        if self.mac is None:
            self.error("abuse: no Query received, nothing to abuse")
            return
        mac = bytes.fromhex(self.mac)
        records = self.join_records(True)
        if not records:
            records = [(MODE_IS_INCLUDE, "ff3e::1" if self.inner6 else "232.0.0.1", [])]
        report = self.report(records)
        for mode in self.args.abuse:
            for _ in range(self.args.abuse_count):
                if mode == "forged-mac":
                    forged = bytes(b ^ 0x5A for b in mac)
                    msg = build_update(forged, self.nonce, report)
                elif mode == "wrong-nonce":
                    msg = build_update(mac, (self.nonce + 1) & 0xFFFFFFFF, report)
                elif mode == "truncated":
                    msg = build_update(mac, self.nonce, report)[:5]
                elif mode == "unknown-type":
                    msg = build_unknown_type(9)
                elif mode == "request-flood":
                    # Unauthenticated Requests, each answered with a larger
                    # Query unless the relay rate-limits them.
                    msg = build_request(self.new_nonce(), self.inner6)
                elif mode == "data-to-relay":
                    # Multicast from the gateway side, for a joined flow
                    # when there is one: the relay must never take it.
                    if self.ssm:
                        s, g = self.ssm[0]
                    elif self.inner6:
                        s, g = "fd00:1::99", "ff3e::99"
                    else:
                        s, g = "10.0.1.99", "232.9.9.9"
                    pkt = build_udp_packet(s, g, 5000, 5000, b"seq 0 from gateway")
                    msg = build_data(pkt)
                else:
                    continue
                self.send(msg, what="abuse")
            self.state["abuse"].append(mode)
            self.log("abuse %s sent %d times" % (mode, self.args.abuse_count))
        self.abuse_done = True

    # -- main loop -----------------------------------------------------------

    def new_socket(self, local, port):
        fam = socket.AF_INET if self.family == 4 else socket.AF_INET6
        sock = socket.socket(fam, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((local, port))
        return sock

    def open_socket(self):
        relay = self.args.discovery or self.args.relay
        self.family = ipaddress.ip_address(relay).version
        fam = socket.AF_INET if self.family == 4 else socket.AF_INET6
        local = self.args.local
        if not local:
            # The source address the kernel picks toward the relay; the
            # socket itself stays unconnected so that answers from another
            # address of the relay (discovery vs unicast) still arrive.
            probe = socket.socket(fam, socket.SOCK_DGRAM)
            try:
                probe.connect((relay, self.relay_port))
                local = probe.getsockname()[0]
            finally:
                probe.close()
        self.sock = self.new_socket(local, self.args.local_port)
        local = self.sock.getsockname()
        self.state["local_address"] = local[0]
        self.state["local_port"] = local[1]
        self.log("socket bound to %s port %d" % (local[0], local[1]))

    def run(self):
        self.open_socket()
        self.write_state(force=True)
        if self.args.discovery:
            if not self.discover():
                self.state["state"] = "failed"
                self.state["exit_reason"] = "discovery failed"
                return 1
        self.state["state"] = "requesting"
        self.send_request()
        rc = 0
        leave_at = (
            self.t0 + self.args.leave_after if self.args.leave_after is not None else None
        )
        teardown_at = (
            self.t0 + self.args.teardown_after
            if self.args.teardown_after is not None
            else None
        )
        while not self.stop:
            t = time.monotonic()
            if t >= self.deadline:
                break
            # Request retransmission until a Query answers it.
            if self.pending_nonce is not None and t - self.pending_since >= self.args.retransmit:
                if self.pending_tries >= self.args.retries:
                    if self.mac is None:
                        self.error("no Query after %d Requests" % self.pending_tries)
                        self.state["state"] = "failed"
                        self.state["exit_reason"] = "no query"
                        rc = 1
                        break
                    self.error("refresh: no Query after %d Requests" % self.pending_tries)
                    self.pending_nonce = None
                    interval = self.args.refresh_interval or self.state["query_interval"] or 125
                    self.next_refresh = t + interval
                else:
                    self.pending_tries += 1
                    self.pending_since = t
                    self.send(self.request_msg(self.pending_nonce), what="request")
            if (
                self.next_refresh is not None
                and t >= self.next_refresh
                and self.pending_nonce is None
                and not self.teardown_done
            ):
                self.next_refresh = None
                if not self.leave_done:
                    self.send_request()
            if self.args.abuse and not self.abuse_done and self.mac is not None:
                # After the join, or after the handshake when there is none.
                since = self.joined_at
                if since is None and not (self.ssm or self.asm):
                    since = self.t0
                if since is not None and t >= since + self.args.abuse_after:
                    self.abuse()
            if (
                (leave_at is not None and t >= leave_at) or self.leave_requested
            ) and not self.leave_done:
                self.leave()
            if (
                (teardown_at is not None and t >= teardown_at) or self.teardown_requested
            ) and not self.teardown_issued:
                self.teardown()

            timeout = min(0.2, max(0.01, self.deadline - t))
            data, addr = self.recv(timeout)
            if data is not None:
                self.handle(data, addr)
            self.write_state()

        if self.args.teardown_at_end and not self.teardown_issued:
            self.teardown()
        if self.state["state"] not in ("failed",):
            self.state["exit_reason"] = self.state["exit_reason"] or (
                "signal" if self.stop else "duration"
            )
        return rc

    def handle(self, data, addr):
        st = self.state
        if not data:
            st["received"]["bad"] += 1
            return
        ver, mtype = data[0] >> 4, data[0] & 0x0F
        expected = {
            ipaddress.ip_address(self.relay),
        }
        if self.args.discovery:
            expected.add(ipaddress.ip_address(self.args.discovery))
        try:
            sender = ipaddress.ip_address(addr[0].split("%")[0])
        except ValueError:
            sender = None
        if sender not in expected:
            st["received"]["from_unexpected_sender"] += 1
            self.error("message type %d from unexpected %s" % (mtype, addr[0]))
            return
        if ver != 0:
            st["received"]["bad"] += 1
            self.error("message with version %d" % ver)
            return
        if mtype == T_QUERY:
            self.on_query(data)
        elif mtype == T_DATA:
            if len(data) < 3:
                st["received"]["bad"] += 1
                return
            self.on_data(data)
        elif mtype == T_ADVERTISEMENT:
            st["received"]["other"] += 1
        else:
            st["received"]["other"] += 1
            self.error("unexpected message type %d" % mtype)


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description="Scripted AMT gateway (RFC 7450) for relay tests",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--relay", help="relay unicast address (skip discovery)")
    target.add_argument(
        "--discovery", help="relay discovery address: Discovery, then Advertisement"
    )
    p.add_argument("--port", type=int, default=AMT_PORT, help="relay UDP port")
    p.add_argument("--local", help="local address to bind (default: as routed)")
    p.add_argument("--local-port", type=int, default=0, help="local UDP port")
    p.add_argument(
        "--join", action="append", default=[], metavar="S,G", help="SSM join (repeatable)"
    )
    p.add_argument(
        "--join-asm", action="append", default=[], metavar="G", help="ASM (*,G) join"
    )
    p.add_argument("--mld", action="store_true", help="inner IPv6/MLDv2 (P flag)")
    p.add_argument(
        "--personality",
        choices=("rfc", "vlc", "linux"),
        default="rfc",
        help="behave as an RFC 7450 gateway, VLC's access module or the Linux driver",
    )
    p.add_argument(
        "--ssm-record",
        choices=("allow", "is-in"),
        default="allow",
        help="record type of the initial SSM join",
    )
    p.add_argument(
        "--asm-record",
        choices=("is-ex", "to-ex"),
        default="is-ex",
        help="record type of the initial ASM join",
    )
    p.add_argument(
        "--inner-source",
        help="source of the encapsulated report (default: local IPv4 address "
        "for IGMP over IPv4, 0.0.0.0 over IPv6; fe80::1 for MLD)",
    )
    p.add_argument("--no-router-alert", action="store_true", help="IGMP without RA")
    p.add_argument("--report-count", type=int, default=1, help="copies of each Update")
    p.add_argument("--max-records", type=int, default=0, help="records per Update")
    p.add_argument("--duration", type=float, default=10.0, help="seconds to run")
    p.add_argument("--leave-after", type=float, help="seconds after start to leave")
    p.add_argument("--no-refresh", action="store_true", help="never refresh")
    p.add_argument(
        "--refresh-interval", type=float, help="override the QQIC refresh interval"
    )
    p.add_argument(
        "--no-refresh-update",
        action="store_true",
        help="answer a refresh Query with no Update (a slow IGMP/MLD side)",
    )
    p.add_argument(
        "--ignore-limit",
        action="store_true",
        help="send the Update even when the Query has L set",
    )
    p.add_argument("--teardown-at-end", action="store_true")
    p.add_argument("--teardown-after", type=float, help="seconds after start")
    p.add_argument("--teardown-count", type=int, default=1)
    p.add_argument(
        "--teardown-new-socket",
        action="store_true",
        help="send the Teardown from a new UDP port (NAT rebinding)",
    )
    p.add_argument(
        "--rejoin-after-teardown",
        action="store_true",
        help="after the Teardown, open a new tunnel (Request, Update)",
    )
    p.add_argument(
        "--abuse",
        action="append",
        default=[],
        choices=(
            "forged-mac",
            "wrong-nonce",
            "truncated",
            "unknown-type",
            "data-to-relay",
            "request-flood",
        ),
        help="after the join, send a hostile message (repeatable)",
    )
    p.add_argument("--abuse-count", type=int, default=1)
    p.add_argument(
        "--abuse-after", type=float, default=1.0, help="seconds after the join"
    )
    p.add_argument("--retransmit", type=float, default=1.0, help="request timeout")
    p.add_argument("--retries", type=int, default=10, help="requests before giving up")
    p.add_argument("--state-file", help="JSON state, rewritten while running")
    p.add_argument("--state-interval", type=float, default=0.5)
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args(argv)

    fam6 = args.mld
    for j in args.join:
        if "," not in j:
            p.error("--join takes S,G")
        s, g = j.split(",", 1)
        try:
            sa, ga = ipaddress.ip_address(s), ipaddress.ip_address(g)
        except ValueError as e:
            p.error(str(e))
        if sa.version != ga.version or (ga.version == 6) != fam6 or not ga.is_multicast:
            p.error("--join %s: needs a multicast group of the inner family" % j)
    for g in args.join_asm:
        ga = ipaddress.ip_address(g)
        if (ga.version == 6) != fam6 or not ga.is_multicast:
            p.error("--join-asm %s: needs a multicast group of the inner family" % g)
    if args.duration <= 0 or args.duration > 3600:
        p.error("--duration must be in (0, 3600]")
    if args.retries < 1 or args.retransmit <= 0:
        p.error("--retries and --retransmit must be positive")
    if args.personality == "linux" and args.local_port == 0:
        # The Linux driver's gateway sends from the AMT port.
        args.local_port = AMT_PORT
    return args


def main(argv=None):
    args = parse_args(argv)
    gw = Gateway(args)

    def on_signal(signum, frame):
        gw.stop = True

    def on_usr1(signum, frame):
        gw.leave_requested = True

    def on_usr2(signum, frame):
        gw.teardown_requested = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGUSR1, on_usr1)
    signal.signal(signal.SIGUSR2, on_usr2)
    rc = 1
    try:
        rc = gw.run()
    except Exception as e:  # record it for the test, then fail
        gw.error("exception: %r" % e)
        gw.state["state"] = "failed"
        gw.state["exit_reason"] = "exception"
        rc = 2
        raise
    finally:
        gw.state["finished"] = True
        gw.state["exit_code"] = rc
        gw.write_state(force=True)
        if gw.sock:
            gw.sock.close()
        if args.verbose:
            sys.stderr.write(json.dumps(gw.state, indent=1, sort_keys=True) + "\n")
    return rc


if __name__ == "__main__":
    sys.exit(main())
