#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
Independent check of amtd's AMT, IGMP and MLD encoders with Wireshark.

    tshark_check.py PCAP EXPECTED

PCAP and EXPECTED come from amt_pcap_gen.  EXPECTED holds lines
"<frame>\t<field>\t<values>", values being every occurrence of the field
in the frame, comma-separated (outer and inner IP headers both count).
tshark dissects PCAP with checksum validation on; every expected field must
match, and no frame may be malformed or carry an expert error.

Prints "tshark: N passed, N failed" last; exits non-zero on any failure.
Run it with Debian's /usr/bin/python3.
"""

import ipaddress
import subprocess
import sys
from collections import defaultdict

TSHARK = "/usr/bin/tshark"
PREFS = ["-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE"]
# Wireshark's PI_ERROR severity.
PI_ERROR = 0x00800000


def norm(token):
    """A value as comparable data: integers, addresses, else the text."""
    token = token.strip()
    if token in ("True", "False"):
        return ("int", int(token == "True"))
    for base in (0, 10):
        try:
            return ("int", int(token, base))
        except ValueError:
            pass
    try:
        return ("addr", ipaddress.ip_address(token))
    except ValueError:
        return ("str", token)


def norm_list(text):
    if text == "":
        return []
    return [norm(t) for t in text.split(",")]


def read_expected(path):
    expected = defaultdict(list)
    with open(path, encoding="ascii") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            frame, field, value = line.split("\t", 2)
            expected[int(frame)].append((field, value))
    return expected


def tshark(pcap, args):
    out = subprocess.run(
        [TSHARK, "-n", "-r", pcap] + PREFS + args,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.splitlines()


def dissect(pcap, fields):
    """{frame: {field: value text}} for the given fields."""
    args = ["-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,",
            "-E", "separator=/t", "-e", "frame.number"]
    for f in fields:
        args += ["-e", f]
    result = {}
    for line in tshark(pcap, args):
        cols = line.split("\t")
        cols += [""] * (len(fields) + 1 - len(cols))
        result[int(cols[0])] = dict(zip(fields, cols[1:]))
    return result


def problems(pcap):
    """{frame: [messages]} for malformed frames and expert errors."""
    args = ["-Y", "_ws.malformed or _ws.expert.severity >= %d" % PI_ERROR,
            "-T", "fields", "-E", "aggregator=|", "-E", "occurrence=a",
            "-e", "frame.number", "-e", "_ws.expert.message"]
    found = {}
    for line in tshark(pcap, args):
        cols = line.split("\t")
        found[int(cols[0])] = cols[1:] if len(cols) > 1 else ["malformed"]
    return found


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    pcap, exp_path = sys.argv[1], sys.argv[2]
    expected = read_expected(exp_path)
    fields = sorted({f for lines in expected.values() for f, _ in lines})
    got = dissect(pcap, fields)
    bad = problems(pcap)
    passed = failed = 0

    def result(ok, what):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print("FAIL: " + what)

    result(sorted(got) == sorted(expected),
           "frames dissected %s, expected %s" % (sorted(got),
                                                 sorted(expected)))
    for frame in sorted(expected):
        values = got.get(frame, {})
        for field, want in expected[frame]:
            have = values.get(field, "")
            result(norm_list(have) == norm_list(want),
                   "frame %d %s: tshark says '%s', expected '%s'"
                   % (frame, field, have, want))
        result(frame not in bad,
               "frame %d malformed or expert error: %s"
               % (frame, bad.get(frame)))

    print("tshark: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
