#!/usr/bin/env python3
"""Soak: hours of SIP traffic in minutes, with and without limits, RSS sampled.

    python3 bench/soak.py --sipscope BUILD/sipscope [--pcap bench/data/calls-10000-seed1.pcap]
                          [--seconds 90] [--rate 20000] [--max-calls 2000]
                          [--max-messages 50000] [--results FILE]

The SIP payloads of a generated capture (over UDP, and over TCP: HEP
carries those as segments of streams that go on) are sent over HEPv3 on
127.0.0.1 to `sipscope --hep-listen udp:127.0.0.1:PORT --stats`, again and
again: each pass over the file gets its own Call-IDs (a prefix) and its
timestamps moved on by the length of the capture, so to sipscope it is one
endless stream of new calls whose clock runs as fast as the messages come
(timers judge it as real traffic).  Two runs of the same length and rate:
one with --max-calls and --max-messages, one without limits.  While each
runs, sipscope's resident memory (VmRSS, and its anonymous part) is read
from /proc every second.

The figures that count: payloads sent and SIP messages seen (sipscope's
summary; HEP packets the kernel dropped are reported), the hours of
traffic that stands for (at the capture's own rate), and resident memory.
The bytes kept for reassembly are rotated every few megabytes, so memory
swings: the peak of the second quarter of the run is compared with the
peak of the last quarter.  With limits the memory must stay flat once the
limits are reached: the run passes when that growth is under 5 % (the
growth per million payloads sent is reported too); the run without
limits shows what that saves.  --json-run adds a run with limits writing --json (findings,
records written as calls are evicted) to /dev/null.
"""

import argparse
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SECTION = "## Soak: memory over a long run"


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def pcap_frames(path):
    """(ts_ns, src, sport, dst, dport, payload, proto) of the UDP and TCP
    (with payload) frames over IPv4 of a classic pcap file on Ethernet."""
    with open(path, "rb") as fh:
        data = fh.read()
    magic = struct.unpack("<I", data[:4])[0]
    end = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
    nano = struct.unpack(end + "I", data[:4])[0] == 0xa1b23c4d
    off, out = 24, []
    while off + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack(end + "IIII", data[off:off + 16])
        fr = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if len(fr) < 42 or fr[12:14] != b"\x08\x00" or fr[23] not in (6, 17):
            continue
        ip = fr[14:]
        ihl = (ip[0] & 15) * 4
        if struct.unpack("!H", ip[6:8])[0] & 0x3fff:
            continue   # fragments: not here
        l4 = ip[ihl:struct.unpack("!H", ip[2:4])[0]]
        sport, dport = struct.unpack("!HH", l4[:4])
        ts = sec * 10**9 + (frac if nano else frac * 1000)
        if ip[9] == 17:
            payload = bytes(l4[8:])
        else:
            payload = bytes(l4[(l4[12] >> 4) * 4:])
            if not payload:
                continue   # handshakes and bare ACKs: HEP carries payloads
        out.append((ts, ip[12:16], sport, ip[16:20], dport, payload, ip[9]))
    return out


def hep3(ts_ns, src, sport, dst, dport, payload, proto=17):
    def chunk(kind, value):
        return struct.pack("!HHH", 0, kind, len(value) + 6) + value
    body = (chunk(1, b"\x02") + chunk(2, bytes([proto])) + chunk(3, src) + chunk(4, dst) +
            chunk(7, struct.pack("!H", sport)) + chunk(8, struct.pack("!H", dport)) +
            chunk(9, struct.pack("!I", ts_ns // 10**9)) +
            chunk(10, struct.pack("!I", ts_ns % 10**9 // 1000)) + chunk(11, b"\x01") +
            chunk(12, struct.pack("!I", 2001)) + chunk(15, payload))
    return b"HEP3" + struct.pack("!H", len(body) + 6) + body


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_of(pid):
    """(VmRSS, RssAnon) in MB, or None when the process is gone."""
    try:
        with open("/proc/%d/status" % pid) as fh:
            st = fh.read()
    except OSError:
        return None
    def kb(name):
        m = re.search(r"^%s:\s+(\d+) kB" % name, st, re.M)
        return int(m.group(1)) / 1024.0 if m else 0.0
    return kb("VmRSS"), kb("RssAnon")


def run_one(sipscope, frames, seconds, rate, limits, tmp, mode="stats"):
    port = free_port()
    out = os.path.join(tmp, "stats-%s.txt" % ("limits" if limits else "none"))
    err = os.path.join(tmp, "stderr-%s.txt" % ("limits" if limits else "none"))
    cmd = [sipscope, "--hep-listen", "udp:127.0.0.1:%d" % port, "--" + mode] + limits
    if mode == "json":
        out = os.devnull   # gigabytes: only the memory is of interest
    with open(out, "w") as fo, open(err, "w") as fe:
        proc = subprocess.Popen(cmd, stdout=fo, stderr=fe)
    time.sleep(0.5)
    span = frames[-1][0] - frames[0][0] + 10**9
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    samples = []          # (elapsed s, messages sent, rss MB, anon MB)
    sent = 0
    t0 = time.monotonic()
    next_sample = t0
    loop = 0
    batch = max(1, rate // 200)
    try:
        while time.monotonic() - t0 < seconds:
            prefix = b"Call-ID: soak%d-" % loop
            shift = loop * span
            i = 0
            while i < len(frames) and time.monotonic() - t0 < seconds:
                for ts, src, sp, dst, dp, payload, proto in frames[i:i + batch]:
                    p = payload.replace(b"Call-ID: ", prefix)
                    sock.sendto(hep3(ts + shift, src, sp, dst, dp, p, proto), ("127.0.0.1", port))
                sent += len(frames[i:i + batch])
                i += batch
                now = time.monotonic()
                ahead = sent / rate - (now - t0)
                if ahead > 0:
                    time.sleep(ahead)
                if now >= next_sample:
                    r = rss_of(proc.pid)
                    if r:
                        samples.append((now - t0, sent, r[0], r[1]))
                    next_sample += 1.0
            loop += 1
        time.sleep(1.0)
        r = rss_of(proc.pid)
        if r:
            samples.append((time.monotonic() - t0, sent, r[0], r[1]))
    finally:
        sock.close()
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    stats = ""
    if mode == "stats":
        with open(out) as fh:
            stats = fh.read()
    with open(err) as fh:
        errtext = fh.read()
    m = re.search(r"SIP messages\s+(\d+)", stats) or re.search(r"frames, (\d+) SIP messages", errtext)
    seen = int(m.group(1)) if m else -1
    m = re.search(r"(\d+) HEP packets.*?(\d+) dropped by the kernel, (\d+) by sipscope", errtext)
    kernel = int(m.group(2)) if m else -1
    ring = int(m.group(3)) if m else -1
    ev = re.search(r"Evicted \(limits: state held at once\)\s+(\d+)", stats)
    return {
        "limits": (" ".join(limits) if any(x not in ("0",) and not x.startswith("--") for x in limits)
                   else "none") + ("" if mode == "stats" else " (--%s)" % mode),
        "sent": sent, "seen": seen, "loops": loop,
        "kernel_dropped": kernel, "ring_dropped": ring, "samples": samples,
        "evicted": int(ev.group(1)) if ev else (None if mode != "stats" else 0),
        "rc": proc.returncode,
        "stderr": errtext.strip().splitlines()[-3:],
    }


def judge(r):
    """Memory swings as the bytes kept for reassembly are rotated: peaks
    are compared, the highest of the second quarter of the run against the
    highest of the last quarter."""
    s = r["samples"]
    if len(s) < 8:
        return None
    n = len(s)
    early = s[n // 4:n // 2] or s[n // 4:n // 4 + 1]
    late = s[3 * n // 4:] or s[-1:]
    e = max(early, key=lambda x: x[2])
    l = max(late, key=lambda x: x[2])
    sent = max(1, l[1] - e[1])
    growth = l[2] - e[2]
    r["rss_q1"], r["rss_end"], r["rss_peak"] = e[2], l[2], max(x[2] for x in s)
    r["growth_mb"] = growth
    r["mb_per_million"] = growth / sent * 1e6
    r["flat"] = growth < 0.05 * e[2]
    return r


def section(runs, frames, span_s, seconds, rate, command):
    per_s = len(frames) / span_s
    lines = [SECTION, "",
             "`bench/soak.py`: the SIP payloads (UDP, and TCP segments of continuing streams) of `%s` sent over HEPv3 on 127.0.0.1 "
             "at %s payloads/s for %d s per run, each pass over the file with Call-IDs of its "
             "own and its clock moved on (an endless stream of new calls); sipscope's resident "
             "memory read every second." % (os.path.basename(command["pcap"]), f"{rate:,}",
                                            seconds), "",
             "| limits | payloads sent | SIP messages seen by sipscope | dropped (kernel / sipscope) | "
             "hours of traffic at the capture's rate | calls evicted | peak RSS in the 2nd quarter MB | "
             "peak RSS in the last quarter MB | growth MB per million sent | flat |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in runs:
        if r is None:
            continue
        hours = r["sent"] / per_s / 3600
        lines.append("| %s | %s | %s | %s / %s | %.1f | %s | %.1f | %.1f | %.2f | %s |" % (
            r["limits"], f"{r['sent']:,}", f"{r['seen']:,}", r["kernel_dropped"],
            r["ring_dropped"], hours, "-" if r["evicted"] is None else f"{r['evicted']:,}",
            r["rss_q1"], r["rss_end"],
            r["mb_per_million"], "yes" if r["flat"] else "no"))
    lines.append("")
    lines.append("The capture's own rate is %.1f payloads/s (%s UDP and TCP payloads over %.0f s). "
                 "Samples (elapsed s: payloads sent, RSS MB):" % (per_s, f"{len(frames):,}", span_s))
    lines.append("")
    for r in runs:
        if r is None:
            continue
        pts = r["samples"][::max(1, len(r["samples"]) // 8)] + [r["samples"][-1]]
        lines.append("- %s: %s" % (r["limits"], ", ".join(
            "%.0f s: %s, %.0f" % (t, f"{n:,}", m) for t, n, m, _ in pts)))
    lines.append("")
    return "\n".join(lines)


def replace_section(path, text):
    old = open(path).read() if os.path.exists(path) else ""
    i = old.find(SECTION)
    if i < 0:
        new = old.rstrip("\n") + "\n\n" + text
    else:
        j = old.find("\n## ", i + len(SECTION))
        new = old[:i] + text + (old[j + 1:] if j >= 0 else "")
    with open(path, "w") as fh:
        fh.write(new.rstrip("\n") + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sipscope", default=os.path.join(ROOT, "build-bench", "sipscope"))
    ap.add_argument("--pcap", default=os.path.join(HERE, "data", "calls-10000-seed1.pcap"))
    ap.add_argument("--seconds", type=int, default=90)
    ap.add_argument("--rate", type=int, default=20000, help="HEP packets per second (default 20000)")
    ap.add_argument("--max-calls", type=int, default=2000)
    ap.add_argument("--max-messages", type=int, default=50000)
    ap.add_argument("--no-baseline", dest="baseline", action="store_false",
                    help="skip the run without limits")
    ap.add_argument("--json-run", action="store_true",
                    help="also a run with limits writing --json to /dev/null (findings, "
                         "records written as calls are evicted)")
    ap.add_argument("--results", help="a Markdown file whose section '" + SECTION + "' is replaced")
    a = ap.parse_args()
    if not os.path.exists(a.pcap):
        sys.exit("soak: %s not found (make it with bench/run_bench.sh or sipscope-gencalls)" % a.pcap)
    frames = pcap_frames(a.pcap)
    if not frames:
        sys.exit("soak: no SIP frames in %s" % a.pcap)
    span_s = (frames[-1][0] - frames[0][0]) / 1e9
    runs = []
    with tempfile.TemporaryDirectory(prefix="sipscope-soak-") as tmp:
        limits = ["--max-calls", str(a.max_calls), "--max-messages", str(a.max_messages)]
        # live input has limits by default: the baseline lifts them
        plan = [(limits, "stats")] + ([(limits, "json")] if a.json_run else []) + \
            ([(["--max-calls", "0", "--max-messages", "0"], "stats")] if a.baseline else [])
        for lim, mode in plan:
            log("soak: %s --%s, %d s at %d payloads/s" % (" ".join(lim) or "no limits", mode,
                                                        a.seconds, a.rate))
            raw = run_one(a.sipscope, frames, a.seconds, a.rate, lim, tmp, mode)
            if raw["rc"] != 0 or raw["seen"] <= 0:
                log("  sipscope failed (status %s): %s" % (raw["rc"], " / ".join(raw["stderr"])))
                runs.append(None)
                continue
            r = judge(raw)
            if r:
                log("  sent %d, seen %d, peak RSS %.1f MB in the 2nd quarter, %.1f MB in the last "
                    "(%.2f MB per million sent)%s" % (
                        r["sent"], r["seen"], r["rss_q1"], r["rss_end"], r["mb_per_million"],
                        ", flat" if r["flat"] else ""))
            runs.append(r)
    text = section(runs, frames, span_s, a.seconds, a.rate, {"pcap": a.pcap})
    print(text)
    if a.results:
        replace_section(a.results, text)
    limited = [r for r in runs[:2 if a.json_run else 1]]
    return 0 if all(r and r["flat"] and r["seen"] > 0 for r in limited) else 1


if __name__ == "__main__":
    sys.exit(main())
