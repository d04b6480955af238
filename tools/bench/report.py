#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""amtd benchmark: the results table (and the plot's data) from run.sh's
key=value results, and the totals of a `show memory` output.

  report.py memtotal SHOW_MEMORY_OUTPUT      -> key=value lines
  report.py table RESULTS_KV OUT_DIR         -> the table on stdout;
                                                OUT_DIR/fanout.dat, fanout.gp
"""
import os
import re
import sys

TARGET_FANOUT = 0.8
TARGET_HANDSHAKES = 20000
TARGET_BYTES_PER_TUNNEL = 1024
TARGET_JOIN_MEDIAN_US = 1000
TARGET_STORM = 0.7
TARGET_MCHAN = 0.9  # issue 16
IPV4_UDP = 28


def memtotal(path):
    """Sum the Total column of `show memory`, for amtd's group and all."""
    group = None
    amtd = alln = 0
    amtd_n = 0
    with open(path) as f:
        for line in f:
            m = re.match(r"--- qmem (.*) ---", line)
            if m:
                group = m.group(1).strip()
                continue
            m = re.match(r"(.{30}):\s+(\d+)\s+(\d+|variable)?\s*(\d+)\s+(\d+)", line)
            if not m or group is None:
                continue
            total = int(m.group(4))
            alln += total
            if group == "amtd":
                amtd += total
                amtd_n += int(m.group(2))
    print("amtd_bytes=%d" % amtd)
    print("amtd_allocs=%d" % amtd_n)
    print("all_bytes=%d" % alln)


def load(path):
    kv = {}
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if "=" in line:
                k, v = line.split("=", 1)
                kv[k] = v
    return kv


def num(kv, key, default=None):
    try:
        return float(kv[key])
    except (KeyError, ValueError):
        return default


def fmt(v, spec="{:,.0f}", none="-"):
    return none if v is None else spec.format(v)


def verdict(ok):
    if ok is None:
        return "n/a"
    return "PASS" if ok else "FAIL"


class Table:
    def __init__(self):
        self.lines = []
        self.targets = []

    def out(self, s=""):
        self.lines.append(s)

    def rows(self, header, rows):
        cols = [header] + rows
        widths = [max(len(str(r[i])) for r in cols) for i in range(len(header))]
        self.out("  " + "  ".join(str(h).rjust(w) for h, w in zip(header, widths)))
        self.out("  " + "  ".join("-" * w for w in widths))
        for r in rows:
            self.out("  " + "  ".join(str(c).rjust(w) for c, w in zip(r, widths)))

    def target(self, what, value, ok):
        self.targets.append((what, value, verdict(ok)))


def fanout_section(t, kv, out_dir):
    fanouts = [int(x) for x in kv.get("fanouts", "").split()]
    t.out("1. Fan-out throughput, one (S,G), 1316-byte payloads "
          "(Gbit/s = outer IPv4 packets)")
    rows = []
    dat = []
    for n in fanouts:
        c = num(kv, "ceiling.%d.rate_dps" % n)
        cw = num(kv, "ceiling.%d.worst_dps" % n)
        cg = num(kv, "ceiling.%d.gbps" % n)
        cgso = num(kv, "ceiling.%d.gso_dps" % n)
        s = num(kv, "fanout.%d.sat.rate_dps" % n)
        sg = num(kv, "fanout.%d.sat.gbps" % n)
        off = num(kv, "fanout.%d.at80.offered_pps" % n)
        a = num(kv, "fanout.%d.at80.rate_dps" % n)
        lost = num(kv, "fanout.%d.at80.window_lost" % n)
        exp = num(kv, "fanout.%d.at80.window_expected" % n)
        owd = num(kv, "fanout.%d.at80.owd_max_us" % n)
        slost = num(kv, "fanout.%d.sat.window_lost" % n)
        sexp = num(kv, "fanout.%d.sat.window_expected" % n)
        ratio = s / c if s is not None and c else None
        bound = amtr0_bound(num(kv, "fanout.%d.sat.tun_in" % n),
                            num(kv, "fanout.%d.sat.tun_in_ms" % n), n, c)
        ok = None
        if n >= 100 and ratio is not None:
            ok = (ratio >= TARGET_FANOUT and lost == 0 and a is not None and
                  a >= 0.97 * off * n)
            t.target("fan-out %d tunnels >= %.1f x ceiling, no loss at 0.8" %
                     (n, TARGET_FANOUT),
                     "%.2f, loss %s" % (ratio, fmt(lost)), ok)
        rows.append([
            n, fmt(c), fmt(cw), fmt(cg, "{:.2f}"), fmt(cgso), fmt(s), fmt(sg, "{:.2f}"),
            fmt(ratio, "{:.2f}"), fmt(bound, "{:.2f}"),
            fmt(slost / sexp * 100 if sexp else None, "{:.1f}%"),
            fmt(num(kv, "fanout.%d.sat.core_busy_pct" % n), "{:.0f}%"),
            offered_cell(off, num(kv, "fanout.%d.at80.src.rate_dps" % n), n), fmt(a),
            "%s/%s" % (fmt(lost), fmt(exp)), fmt(owd / 1000 if owd else None, "{:.1f}"),
            verdict(ok)])
        dat.append((n, c or 0, s or 0, cg or 0, sg or 0))
    t.rows(["tunnels", "raw dgram/s", "raw worst", "raw Gb/s", "raw GSO", "relay dgram/s", "Gb/s",
            "ratio", "amtr0 in", "sat.loss", "core busy", "0.8 offered", "0.8 deliv.", "0.8 lost/exp", "max OWD ms",
            "target"], rows)
    t.out("  raw: best (and worst) of three 2 s runs of raw_fanout just before the "
          "relay's runs;")
    t.out("  raw GSO: one 2 s run sending 32 datagrams per message (UDP_SEGMENT), "
          "up to 100 tunnels;")
    t.out("  ratio: relay / raw (sendmmsg, one datagram per message).")
    t.out("  amtr0 in: what the kernel forwarded onto amtr0 in the saturated run "
          "(queued or dropped),")
    t.out("  times N, over raw: the best ratio any relay reading amtr0 could show; "
          "below the target,")
    t.out("  the source's core (source, multicast forwarding), not the relay, "
          "bounds the ratio.")
    t.out("  relay dgram/s: arrivals at the gateways per second (3 s window of "
          "receive times) with the")
    t.out("  source offering 1.5 x the ceiling; sat.loss: share of that offer lost "
          "(amtr0's queue);")
    t.out("  0.8: offered 0.8 x ceiling, delivered rate, loss, worst one-way delay "
          "(a relay that falls")
    t.out("  behind shows here first: amtr0 queues 500 packets).  core busy: the "
          "relay's core (amtd and")
    t.out("  the kernel work it causes) during the saturated run.")
    t.out("  Target: ratio >= %.1f, and at 0.8 nothing lost and the offer delivered "
          "(>= 97%%)." % TARGET_FANOUT)
    with open(os.path.join(out_dir, "fanout.dat"), "w") as f:
        f.write("# tunnels raw_dps relay_dps raw_gbps relay_gbps\n")
        for row in dat:
            f.write("%d %.0f %.0f %.3f %.3f\n" % row)
    with open(os.path.join(out_dir, "fanout.gp"), "w") as f:
        f.write(GNUPLOT % {"dir": out_dir})


GNUPLOT = """set terminal pngcairo size 900,540
set output '%(dir)s/results.png'
set title 'amtd relay: fan-out throughput, one (S,G), 1316-byte payloads'
set logscale x
set xlabel 'tunnels receiving the channel'
set ylabel 'datagrams/s'
set y2label 'Gbit/s (outer IPv4 packets of 1374 bytes)'
set ytics nomirror
set y2tics 0.5
set format y2 '%%.1f'
set yrange [0:*]
set offsets 0, 0, graph 0.1, 0
set link y2 via y*1374*8/1e9 inverse y*1e9/(1374*8)
set key bottom right
set grid
plot '%(dir)s/fanout.dat' using 1:2 with linespoints lw 2 title 'raw sendmmsg ceiling', \\
     '%(dir)s/fanout.dat' using 1:3 with linespoints lw 2 title 'amtd relay'
"""


def load_run(kv, p):
    """The figures of a ceiling + saturated + 0.8 pair of runs under prefix p
    (as run.sh records the many-channel and ASM rows)."""
    r = {}
    for key, name in (("c", ".ceiling.rate_dps"), ("cw", ".ceiling.worst_dps"),
                      ("s", ".sat.rate_dps"), ("slost", ".sat.window_lost"),
                      ("sexp", ".sat.window_expected"), ("off", ".at80.offered_pps"),
                      ("a", ".at80.rate_dps"), ("lost", ".at80.window_lost"),
                      ("exp", ".at80.window_expected"), ("busy", ".sat.core_busy_pct"),
                      ("drops", ".sat.tun_dropped"), ("tin", ".sat.tun_in"),
                      ("tinms", ".sat.tun_in_ms"), ("sent", ".at80.src.rate_dps")):
        r[key] = num(kv, p + name)
    r["ratio"] = r["s"] / r["c"] if r["s"] is not None and r["c"] else None
    r["satloss"] = r["slost"] / r["sexp"] * 100 if r["sexp"] else None
    return r


def offered_cell(off, sent, n):
    """The 0.8 x run's offer (datagrams/s the relay is asked for), and what
    the source managed when its core could not keep that pace: the
    datagrams it skipped take no sequence numbers, so they are not loss."""
    if not off:
        return fmt(None)
    if sent is not None and sent < 0.97 * off:
        return "%s (sent %s)" % (fmt(off * n), fmt(sent * n))
    return fmt(off * n)


def amtr0_bound(tun_in, tun_in_ms, per_packet, ceiling):
    """What reached amtr0 in a saturated run (packets/s, times the datagrams
    each makes), over the ceiling: the best ratio any relay reading amtr0
    could have shown; below 0.9 the source side, not the relay, bounds it."""
    if tun_in is None or not tun_in_ms or not ceiling:
        return None
    return tun_in * 1000.0 / tun_in_ms * per_packet / ceiling


def ssm_ratio(kv, n):
    """Row 1's (IPv4 SSM) ratio at fan-out n, when the run measured it."""
    s = num(kv, "fanout.%d.sat.rate_dps" % n)
    c = num(kv, "ceiling.%d.rate_dps" % n)
    return s / c if s is not None and c else None


def versus_ssm(t, kv, n, kind, what):
    """The KIND.N runs (load_run) and row 1's ratio at N; with WHAT (the
    row's name and what it is compared with), a target line (issue 16:
    within 10% of row 1) when the run measured both."""
    r = load_run(kv, "%s.%d" % (kind, n))
    ssm = ssm_ratio(kv, n)
    ok = None
    if what and r["ratio"] is not None and ssm is not None:
        ok = r["ratio"] >= 0.9 * ssm
        t.target("%s %d tunnels within 10%% of %s (issue 16)" % (what[0], n, what[1]),
                 "%.2f vs %.2f" % (r["ratio"], ssm), ok)
    return r, ssm, ok


def kind_section(t, kv, kind, title, header, cells, what=None):
    """A row of run.sh's kind_rows (KIND.fanouts, KIND.N.*) beside row 1:
    TITLE, then a table of cells(n, r, ssm, ok) under HEADER; False when the
    run did not measure it."""
    if kind + ".fanouts" not in kv:
        return False
    t.out(title)
    rows = []
    for n in [int(x) for x in kv[kind + ".fanouts"].split()]:
        rows.append(cells(n, *versus_ssm(t, kv, n, kind, what)))
    t.rows(header, rows)
    return True


def run_cells(r, n):
    """The saturated run's loss, core and amtr0 drops, then the 0.8 x run's
    offer, delivery and loss: the last columns of rows 1c and 1e."""
    return [fmt(r["satloss"], "{:.1f}%"), fmt(r["busy"], "{:.0f}%"), fmt(r["drops"]),
            offered_cell(r["off"], r["sent"], n), fmt(r["a"]),
            "%s/%s" % (fmt(r["lost"]), fmt(r["exp"]))]


def mchan_section(t, kv, kind="mchan"):
    if kind + ".channels" not in kv:
        return
    k = int(kv[kind + ".channels"])
    srcs = int(kv.get(kind + ".sources", "1"))
    burst = int(kv.get(kind + ".burst", "1"))
    t.out("%s: %d (S,G) from %d source%s, F tunnels each (N = %d x F), "
          "sent round-robin over the channels, %s" %
          ("1b. Many channels" if kind == "mchan" else
           "1b6. Many channels, IPv6 tunnels and MLDv2 joins",
           k, srcs, "" if srcs == 1 else "s", k,
           "a burst of %d datagrams each in turn" % burst if burst > 1 else
           "a datagram each in turn"))
    rows = []
    for fo in [int(x) for x in kv.get(kind + ".fanouts", "").split()]:
        p = "%s.%d" % (kind, fo)
        r = load_run(kv, p)
        ratio, lost, a, off = r["ratio"], r["lost"], r["a"], r["off"]
        ok = None
        if ratio is not None:
            ok = (ratio >= TARGET_MCHAN and lost == 0 and a is not None and
                  a >= 0.97 * off * fo)
            t.target("%d %schannels x %d tunnels >= %.1f x ceiling, no loss at 0.8 (issue 16)" %
                     (k, "IPv6 " if kind == "mchan6" else "", fo, TARGET_MCHAN),
                     "%.2f, loss %s" % (ratio, fmt(lost)), ok)
        rows.append([
            fo, fmt(k * fo), fmt(num(kv, p + ".sat.up")), fmt(r["c"]), fmt(r["cw"]),
            fmt(r["s"]), fmt(ratio, "{:.2f}"),
            fmt(amtr0_bound(r["tin"], r["tinms"], fo, r["c"]), "{:.2f}"),
            fmt(r["satloss"], "{:.1f}%"), fmt(r["busy"], "{:.0f}%"), fmt(r["drops"]),
            offered_cell(off, r["sent"], fo), fmt(a), "%s/%s" % (fmt(lost), fmt(r["exp"])),
            verdict(ok)])
    t.rows(["per channel", "tunnels", "up", "raw dgram/s", "raw worst", "relay dgram/s",
            "ratio", "amtr0 in", "sat.loss", "core busy", "tun drops", "0.8 offered", "0.8 deliv.",
            "0.8 lost/exp", "target"], rows)
    t.out("  raw: raw_fanout to the same N endpoints (best and worst of three 2 s runs "
          "just before);")
    t.out("  the source offers 1.5 x (then 0.8 x) the ceiling / F packets/s in all, "
          "so the relay is asked")
    t.out("  for the ceiling's datagram rate.  up: tunnels the emulator brought up; "
          "tun drops: amtr0's")
    t.out("  kernel drops in the saturated run; amtr0 in: as in 1, times F.  Columns "
          "otherwise as in 1.")


def mchan6_section(t, kv):
    mchan_section(t, kv, "mchan6")


def asm_section(t, kv):
    def cells(n, r, ssm, ok):
        return ([n, fmt(r["c"]), fmt(r["cw"]), fmt(r["s"]), fmt(r["ratio"], "{:.2f}"),
                 fmt(ssm, "{:.2f}")] + run_cells(r, n) + [verdict(ok)])

    if not kind_section(t, kv, "asm", "1c. ASM: one (*,G) channel (239.1.1.1) through an RP "
                        "(the relay's pimd, at 10.0.1.1), IGMPv3 TO_EX({}) joins",
                        ["tunnels", "raw dgram/s", "raw worst", "relay dgram/s", "ratio",
                         "SSM ratio", "sat.loss", "core busy", "tun drops", "0.8 offered",
                         "0.8 deliv.", "0.8 lost/exp", "target"], cells, ("ASM", "SSM")):
        return
    t.out("  Columns as in 1; SSM ratio: row 1's ratio at the same fan-out when this run "
          "measured it")
    t.out("  (target: ASM within 10% of it).")


def mixed_section(t, kv):
    def cells(n, r, ssm, ok):
        return [
            n, fmt(num(kv, "mixed.%d.sat.up" % n)), fmt(r["c"]), fmt(r["cw"]), fmt(r["s"]),
            fmt(r["ratio"], "{:.2f}"), fmt(ssm, "{:.2f}"), fmt(r["satloss"], "{:.1f}%"),
            fmt(r["busy"], "{:.0f}%"), fmt(r["off"] * n if r["off"] else None), fmt(r["a"]),
            "%s/%s" % (fmt(r["lost"]), fmt(r["exp"]))]

    if not kind_section(t, kv, "mixed", "1d. Mixed families: one (S,G), every second gateway "
                        "IPv6 (outer IPv6, IPv4 inside)",
                        ["tunnels", "up", "raw dgram/s", "raw worst", "relay dgram/s", "ratio",
                         "IPv4 ratio", "sat.loss", "core busy", "0.8 offered", "0.8 deliv.",
                         "0.8 lost/exp"], cells):
        return
    t.out("  raw: raw_fanout to the same endpoints from an IPv4 and an IPv6 socket, one "
          "sendmmsg batch")
    t.out("  each; IPv4 ratio: row 1's at the same fan-out when this run measured it.  "
          "Columns as in 1.")


def ipv6_section(t, kv):
    def cells(n, r, v4, ok):
        p = "ipv6.%d.sat." % n
        return ([n, fmt(num(kv, p + "up")), fmt(num(kv, p + "queries_mld")),
                 fmt(num(kv, p + "silent_tunnels")), fmt(r["c"]), fmt(r["cw"]), fmt(r["s"]),
                 fmt(num(kv, p + "gbps"), "{:.2f}"), fmt(r["ratio"], "{:.2f}"),
                 fmt(v4, "{:.2f}")] + run_cells(r, n) + [verdict(ok)])

    if not kind_section(t, kv, "ipv6", "1e. IPv6: one IPv6 (S,G) (ff3e::/32), every gateway "
                        "IPv6 outside, MLDv2 joins inside (P set)",
                        ["tunnels", "up", "MLD queries", "silent", "raw dgram/s", "raw worst",
                         "relay dgram/s", "Gb/s", "ratio", "IPv4 ratio", "sat.loss",
                         "core busy", "tun drops", "0.8 offered", "0.8 deliv.",
                         "0.8 lost/exp", "target"], cells, ("IPv6/MLD", "IPv4")):
        return
    t.out("  raw: raw_fanout from the relay's IPv6 address to the same IPv6 endpoints, "
          "the same IPv6 inner")
    t.out("  packet (1364 bytes; Gb/s of the outer IPv6 packets, 1414 bytes).  MLD "
          "queries: Membership")
    t.out("  Queries of the saturated run whose General Query was an MLDv2 one; silent: "
          "tunnels that")
    t.out("  received nothing.  IPv4 ratio: row 1's at the same fan-out when this run "
          "measured it")
    t.out("  (target: IPv6/MLD within 10% of it).  Columns otherwise as in 1.")


def handshake_section(t, kv):
    t.out("2. Tunnel setup (Request -> Query -> Update with an IGMPv3 report), "
          "nothing else running")
    rows = []
    first = None
    for n in (10000, 100000):
        h = num(kv, "handshake.%d.handshakes_per_s" % n)
        if h is None:
            continue
        first = h if first is None else first
        rows.append([n, fmt(h), fmt(num(kv, "handshake.%d.handshake_s" % n), "{:.2f}"),
                     fmt(num(kv, "handshake.%d.retransmits" % n)),
                     fmt(num(kv, "handshake.%d.relay_tunnels" % n)),
                     fmt(num(kv, "handshake.%d.core_busy_pct" % n), "{:.0f}%"),
                     fmt(num(kv, "handshake.%d.socket_drops" % n)),
                     verdict(h >= TARGET_HANDSHAKES)])
        t.target("handshakes/s, %d tunnels >= %d" % (n, TARGET_HANDSHAKES), fmt(h),
                 h >= TARGET_HANDSHAKES)
    t.rows(["tunnels", "handshakes/s", "seconds", "retransmits", "relay tunnels",
            "core busy", "sock drops", "target"], rows)
    t.out("  Time from the first Request to the relay's answer to a Request sent "
          "after the last Update")
    t.out("  (the relay serves its socket in order), 1024 handshakes in flight.  "
          "core busy below 100%:")
    t.out("  the emulator's core (which also carries the relay's receive softirq) "
          "set the pace.  sock drops:")
    t.out("  messages the kernel dropped at the relay's full socket (SO_RXQ_OVFL, "
          "relay statistics).")


def memory_section(t, kv):
    t.out("3. Memory per established tunnel, one (S,G) each")
    base_a = num(kv, "memory.0.amtd_bytes")
    base_all = num(kv, "memory.0.all_bytes")
    base_rss = num(kv, "memory.0.rss_kib")
    rows = []
    for n in (10000, 100000):
        a = num(kv, "memory.%d.amtd_bytes" % n)
        if a is None or base_a is None:
            continue
        per_a = (a - base_a) / n
        per_all = (num(kv, "memory.%d.all_bytes" % n) - base_all) / n
        per_rss = (num(kv, "memory.%d.rss_kib" % n) - base_rss) * 1024 / n
        allocs = (num(kv, "memory.%d.amtd_allocs" % n) -
                  num(kv, "memory.0.amtd_allocs")) / n
        ok = per_all <= TARGET_BYTES_PER_TUNNEL
        rows.append([n, fmt(per_a), fmt(allocs, "{:.1f}"), fmt(per_all), fmt(per_rss),
                     verdict(ok)])
        t.target("bytes/tunnel at %d <= %d (all MTYPEs)" % (n, TARGET_BYTES_PER_TUNNEL),
                 fmt(per_all), ok)
    t.rows(["tunnels", "amtd MTYPE B/tun", "allocs/tun", "all MTYPE B/tun",
            "RSS B/tun", "target"], rows)
    t.out("  From `show memory` (malloc_usable_size totals; 'all' adds libfrr's "
          "timers and hash")
    t.out("  buckets) and VmRSS, minus the same before the first tunnel; the "
          "per-type split is in")
    t.out("  run/memory-100000.txt.")


def latency_section(t, kv):
    med = num(kv, "latency.join_latency_median_us")
    p99 = num(kv, "latency.join_latency_p99_us")
    rate = num(kv, "latency.rate")
    t.out("4. Join latency: Membership Update sent -> first Multicast Data "
          "received (kernel timestamps)")
    ok = med < TARGET_JOIN_MEDIAN_US if med is not None else None
    t.rows(["probes", "with data", "median us", "p99 us", "max us", "stream pps",
            "target"],
           [[fmt(num(kv, "latency.late_probes")), fmt(num(kv, "latency.late_with_data")),
             fmt(med, "{:.0f}"), fmt(p99, "{:.0f}"),
             fmt(num(kv, "latency.join_latency_max_us"), "{:.0f}"), fmt(rate),
             verdict(ok)]])
    t.out("  One probe at a time joins a channel already flowing to 10 tunnels and "
          "leaves (Teardown) at")
    t.out("  its first packet.  Included: the wait for the stream's next packet, "
          "%s us on average." % (fmt(5e5 / rate, "{:.0f}") if rate else "-"))
    t.target("join latency median < %d us" % TARGET_JOIN_MEDIAN_US, fmt(med, "{:.0f} us"),
             ok)


def storm_section(t, kv):
    t.out("5. Forwarding to 100 tunnels at saturation while 10,000 gateways "
          "handshake at once")
    rows = []
    for tag, what in (("other", "another (S,G)"), ("same", "the same (S,G)")):
        c = num(kv, "storm.%s.ceiling.rate_dps" % tag, num(kv, "ceiling.100.rate_dps"))
        before = num(kv, "storm.%s.storm_rate_before" % tag)
        during = num(kv, "storm.%s.storm_rate_during" % tag)
        if before is None and during is None:
            continue
        rb = before / c if before is not None and c else None
        rd = during / c if during is not None and c else None
        ok = rd >= TARGET_STORM if rd is not None else None
        done = kv.get("storm.%s.storm_complete" % tag) == "1"
        rows.append([what, fmt(before), fmt(rb, "{:.2f}"), fmt(during), fmt(rd, "{:.2f}"),
                     "%s/10000%s" % (fmt(num(kv, "storm.%s.storm_up" % tag)),
                                     "" if done else " (unfinished)"),
                     fmt(num(kv, "storm.%s.storm_handshake_s" % tag), "{:.1f}"),
                     fmt(num(kv, "storm.%s.storm_handshakes_per_s" % tag)),
                     fmt(num(kv, "storm.%s.retransmits" % tag)),
                     fmt(num(kv, "storm.%s.socket_drops" % tag)), verdict(ok)])
        t.target("forwarding during a 10,000-gateway storm (%s) >= %.1f x ceiling" %
                 (what, TARGET_STORM), fmt(rd, "{:.2f}"), ok)
    t.rows(["newcomers join", "before dgram/s", "ratio", "during dgram/s", "ratio",
            "storm up", "seconds", "handshakes/s", "retransmits", "sock drops", "target"],
           rows)
    t.out("  The source offers 1.5 x the ceiling (measured just before) to the 100 "
          "tunnels; 'before' is")
    t.out("  the 2 s before the storm, 'during' from its first Request to the relay's "
          "answer to a Request")
    t.out("  sent after the last Update.")
    t.out("  Gateways not answered retransmit with a doubling timeout (1 s .. 8 s, "
          "10 times); an")
    t.out("  unfinished storm is reported up to the end of the run (150 s).")


def gateway_section(t, kv):
    def per_dgram(cpu_ms, n):
        return cpu_ms * 1000 / n if cpu_ms and n else None

    def inv(us):
        return fmt(1e6 / us if us else None)

    stub = num(kv, "gateway.stub.rate_dps")
    app = num(kv, "gateway.app.rate_dps")
    gw_rx = num(kv, "gateway.stub.gateway_rx")
    gw_core = per_dgram(num(kv, "gateway.stub.core_busy_ms"), gw_rx)
    gw_proc = per_dgram(num(kv, "gateway.stub.amtd_cpu_ms"), gw_rx)
    dstub = num(kv, "gateway.decapstub.rate_dps")
    dapp = num(kv, "gateway.decapapp.rate_dps")
    dw = num(kv, "gateway.decap.written")
    d_core = per_dgram(num(kv, "gateway.decapstub.core_busy_ms"), dw)
    d_proc = per_dgram(num(kv, "gateway.decap.cpu_us", 0) / 1000.0, dw)
    ustub = num(kv, "gateway.decapuringstub.rate_dps")
    uapp = num(kv, "gateway.decapuringapp.rate_dps")
    uw = num(kv, "gateway.decapuring.written")
    u_core = per_dgram(num(kv, "gateway.decapuringstub.core_busy_ms"), uw)
    u_proc = per_dgram(num(kv, "gateway.decapuring.cpu_us", 0) / 1000.0, uw)
    plain = num(kv, "gateway.plainstub.rate_dps")
    raw_rx = num(kv, "gateway.raw.received")
    raw_core = per_dgram(num(kv, "gateway.plainstub.core_busy_ms"), raw_rx)
    raw_proc = per_dgram(num(kv, "gateway.raw.cpu_us", 0) / 1000.0, raw_rx)
    t.out("6. Gateway: amtd's decapsulation into amtg0 vs a plain recvmmsg + tun write loop")
    t.rows(["", "offered/s", "taken", "at the app/s", "core us/dgram", "process us/dgram",
            "1 core would take"],
           [["amtd gateway", fmt(stub), fmt(gw_rx), fmt(app), fmt(gw_core, "{:.2f}"),
             fmt(gw_proc, "{:.2f}"), inv(gw_proc)],
            ["recvmmsg + tun write loop", fmt(dstub), fmt(dw), fmt(dapp),
             fmt(d_core, "{:.2f}"), fmt(d_proc, "{:.2f}"), inv(d_proc)],
            ["the same, io_uring writes", fmt(ustub), fmt(uw), fmt(uapp),
             fmt(u_core, "{:.2f}"), fmt(u_proc, "{:.2f}"), inv(u_proc)],
            ["plain recvmmsg loop", fmt(plain), fmt(raw_rx), "-", fmt(raw_core, "{:.2f}"),
             fmt(raw_proc, "{:.2f}"), inv(raw_proc)]])
    ratio = d_proc / gw_proc if d_proc and gw_proc else None
    t.out("  ratio amtd gateway / recvmmsg + tun write loop (datagrams one core takes, "
          "by process CPU): %s" % fmt(ratio, "{:.2f}"))
    t.out("  amt_relay_stub floods for 3 s from the other core (1316-byte payloads; it "
          "also pays for the")
    t.out("  receiving side's UDP delivery: veth delivers in the sender's softirq).  "
          "taken: datagrams the")
    t.out("  receiver decapsulated (amtd's receivedData; the loop's writes; the plain "
          "loop's receives).")
    t.out("  An application joined on the tun (amtg0, or gwbench0 for the loop) counts "
          "what arrives; it")
    t.out("  shares the stub's core, so 'at the app' is bounded by that core.  core "
          "us/dgram: busy time")
    t.out("  of the receiver's core (amtd's or the loop's, pinned there) per datagram "
          "taken; process us/")
    t.out("  dgram: the receiver's own CPU time (user + system, which includes the tun "
          "write's delivery")
    t.out("  of the inner packet) per datagram taken, not inflated by other work on a "
          "shared machine;")
    t.out("  its inverse is what one core would take.  The recvmmsg + tun write loop "
          "(mcast_tool decap)")
    t.out("  does amtd's work without its checks: 64 datagrams per recvmmsg, one "
          "write() each; with")
    t.out("  io_uring writes, each batch's writes in one io_uring_enter() (--uring).")


def listing_section(t, kv):
    t.out("8. Listing every tunnel with the channel flowing: amtd's vtysh json, "
          "mgmtd's get-data, gRPC Get")
    listed = num(kv, "listing.listed")
    if listed is None:
        t.out("  not run")
        return
    kib = 1024.0
    t.rows(["tunnels", "listed", "time ms", "output MiB", "RSS before MiB",
            "RSS peak MiB", "count ms", "1 gateway ms (tunnels)"],
           [[fmt(num(kv, "listing.tunnels")), fmt(listed), fmt(num(kv, "listing.list_ms")),
             fmt(num(kv, "listing.output_bytes", 0) / kib / kib, "{:.1f}"),
             fmt(num(kv, "listing.rss_before_kib", 0) / kib, "{:.1f}"),
             fmt(num(kv, "listing.rss_peak_kib", 0) / kib, "{:.1f}"),
             fmt(num(kv, "listing.count_ms")),
             "%s (%s)" % (fmt(num(kv, "listing.gateway_ms")),
                          fmt(num(kv, "listing.gateway_listed")))]])
    c = num(kv, "listing.ceiling.rate_dps")
    rows = []
    walks = (("vtysh", "show amt relay amtr0 tunnels json"),
             ("mgmt", "show mgmt get-data .../tunnel json"),
             ("grpc", "gRPC Get .../tunnel (state)"))
    walks = [(tag, what) for tag, what in walks if num(kv, "listing.%s.ms" % tag) is not None]
    for tag, what in walks:
        before = num(kv, "listing.%s.before_dps" % tag)
        during = num(kv, "listing.%s.during_dps" % tag)
        rows.append([what,
                     fmt(num(kv, "listing." + ("listed" if tag == "vtysh" else tag + ".listed"))),
                     fmt(num(kv, "listing.%s.ms" % tag)),
                     fmt(num(kv, "listing.%s.max_event_us" % tag, 0) / 1000.0, "{:,.1f}"),
                     kv.get("listing.%s.max_event" % tag, "-"),
                     fmt(num(kv, "listing.%s.walk_event_us" % tag, 0) / 1000.0, "{:,.1f}"),
                     kv.get("listing.%s.walk_event" % tag, "-"),
                     fmt(before / c if before is not None and c else None, "{:.2f}"),
                     fmt(during / c if during is not None and c else None, "{:.2f}"),
                     fmt(num(kv, "listing.%s.tun_dropped" % tag)),
                     fmt(num(kv, "listing.%s.rss_peak_kib" % tag, 0) / kib, "{:.1f}")])
    t.rows(["walk", "listed", "time ms", "longest event ms", "event",
            "walk's longest ms", "walk event",
            "fwd ratio before", "fwd ratio during", "amtr0 drops", "RSS peak MiB"], rows)
    t.out("  Times at the vtysh client (process start included).  Longest event: "
          "amtd's 'show event cpu'")
    t.out("  (wall clock), cleared before each walk; the walk's: the longest of "
          "the events not amtd's own")
    t.out("  (vtysh_read, nb_op_walk_continue, msg_conn_*).  Forwarding: the relay's "
          "Multicast Data per second")
    t.out("  in the 2 s before and during the walk (its counters, read around the "
          "walk), over the raw")
    t.out("  ceiling at that many tunnels (%s datagrams/s); the source offers 1.5 x "
          "the ceiling.  RSS" % fmt(c))
    t.out("  sampled every 10 ms.  On a shared machine these figures are noisy.")
    if num(kv, "listing.mgmt.listed") is None:
        t.out("  get-data listed nothing: FRR 10.3's mgmtd front-end takes messages "
              "up to 16 MiB (about")
        t.out("  55,000 tunnels in JSON); see the run's listing-N.mgmtd.log.")
    if num(kv, "listing.grpc.ms") is not None and not num(kv, "listing.grpc.listed"):
        t.out("  gRPC Get listed nothing: see the run's listing-N.grpc.out.gz.")
    # Issue 13's targets, for each walk.
    for tag, what in (("vtysh", "vtysh json walk"), ("mgmt", "get-data walk"),
                      ("grpc", "gRPC Get walk")):
        if num(kv, "listing.%s.ms" % tag) is None:
            continue
        t.target("%s: amtd's longest event <= 50 ms" % what,
                 "%s ms" % fmt(num(kv, "listing.%s.max_event_us" % tag, 0) / 1000.0, "{:,.1f}"),
                 num(kv, "listing.%s.max_event_us" % tag, 1e12) <= 50000)
        during = num(kv, "listing.%s.during_dps" % tag)
        t.target("%s: forwarding >= 0.8 x ceiling" % what,
                 fmt(during / c if during is not None and c else None, "{:.2f}"),
                 during is not None and c is not None and during >= 0.8 * c)


def perf_lines(path):
    """(percent, rest of the line) of a perf report --stdio output."""
    if not os.path.exists(path):
        return []
    out = []
    with open(path) as f:
        for line in f:
            m = re.match(r"\s*([\d.]+)%\s+(.*)", line)
            if m and not line.startswith("#"):
                out.append((float(m.group(1)), m.group(2).strip()))
    return out


def profile_section(t, out_dir):
    for name, what in (("data-1", "data path, 1 tunnel, saturated"),
                       ("data-100", "data path, 100 tunnels, saturated"),
                       ("data-10000", "data path, 10,000 tunnels, saturated"),
                       ("control", "control path, 100,000 handshakes"),
                       ("storm", "storm: 100 tunnels saturated + 10,000 handshakes"),
                       ("gateway", "gateway decapsulation, flooded")):
        flat = perf_lines(os.path.join(out_dir, "perf-%s.txt" % name))
        if not flat:
            continue
        dso = perf_lines(os.path.join(out_dir, "perf-%s-dso.txt" % name))
        t.out("  amtd, %s (perf-%s*.txt)" % (what, name))
        t.out("    by object: " + ", ".join("%s %.1f%%" % (d.split()[0], p)
                                             for p, d in dso[:5]))
        t.out("    self time:")
        for p, rest in flat[:10]:
            parts = rest.split(None, 2)
            t.out("      %5.1f%%  %-20s %s" % (p, parts[0][:20],
                                            parts[2][:60] if len(parts) > 2 else ""))
        incl = [(p, r) for p, r in
                perf_lines(os.path.join(out_dir, "perf-%s-children.txt" % name))
                if re.search(r"\] (amt_|event_|__x64_sys_|SHA256|HMAC|tpacket_rcv|"
                             r"nf_hook_slow|do_softirq|tun_|udp_|ip_route)", r)]
        t.out("    inclusive (children):")
        for p, rest in incl[:14]:
            parts = rest.split()
            t.out("      %5.1f%%  %s" % (p, parts[2] if len(parts) > 2 else rest))
        t.out()


def table(path, out_dir):
    kv = load(path)
    t = Table()
    t.out("amtd benchmark, %s, kernel %s, %s CPUs (%s); relay and raw ceiling pinned "
          "to CPU %s" % (kv.get("date", "?"), kv.get("kernel", "?"), kv.get("cpus", "?"),
                         kv.get("cpu_model", "?"), kv.get("relay_cpu", "?")))
    if kv.get("forward") == "redirect":
        t.out("The kernel has no multicast routing: the source's multicast reached amtr0 "
              "through a tc redirect, not pimd's routes.")
    t.out()
    for section in (fanout_section, ):
        section(t, kv, out_dir)
        t.out()
    for section in (mchan_section, mchan6_section, asm_section, mixed_section, ipv6_section,
                    handshake_section, memory_section, latency_section, storm_section,
                    gateway_section, listing_section):
        section(t, kv)
        t.out()
    t.out("Targets")
    t.rows(["target", "measured", "verdict"], t.targets)
    drops = ["%s=%s" % (k[:-len(".ring_drops")], v) for k, v in sorted(kv.items())
             if k.endswith(".ring_drops") and v not in ("0", "")]
    if drops:
        t.out()
        t.out("Note: the emulator's capture ring overflowed in: " + ", ".join(drops))
        t.out("(those runs undercount what the relay delivered).")
    t.out()
    t.out("Profiles")
    profile_section(t, out_dir)
    t.out("run time %s s" % kv.get("elapsed_s", "?"))
    print("\n".join(t.lines))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "memtotal":
        memtotal(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "table":
        table(sys.argv[2], sys.argv[3])
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
