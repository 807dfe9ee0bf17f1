#!/usr/bin/env python3
"""What the Wireshark plugin (plugin/, sipscope.so) costs tshark.

    bench/plugin_cost.py --plugin SO --file CAPTURE [--runs 3] [--timeout 300]

The same full-dissection tshark command runs on the same capture with and
without the plugin, alternating at each repetition:

    tshark -r FILE -o ... -T fields -E occurrence=a -E aggregator=,
           -e frame.number -e sip.Method -e sip.Status-Code

Fields output builds the protocol tree of every frame, so Wireshark's SIP
dissector and the plugin's postdissector run on every frame (the plugin
asks for the items it needs).  The preferences are those of the plugin
tests (SIP reassembly on, out-of-order TCP segments reassembled).  Wall
time around the process, CPU time and max RSS from /usr/bin/time; the SIP
messages tshark printed are counted and checked against the capture's.
One more run with the plugin filters on one of its fields,
`-Y sipscope.retransmission`, and counts the frames it selects.

As tests/plugin/test_plugin.py does, the plugin is copied into the
personal plugin folder of a temporary HOME (the run without it gets an
empty HOME), extcap tools are switched off, and tshark runs as nobody
when this runs as root (tshark ignores personal plugins as root).
run_bench.py imports this module (--no-plugin skips it); run on its own it
prints the Markdown section.
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

TSHARK_OPTS = ["-o", "sip.desegment_headers:TRUE",
               "-o", "sip.desegment_body:TRUE",
               "-o", "tcp.reassemble_out_of_order:TRUE"]
FIELDS_ARGS = ["-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,",
               "-e", "frame.number", "-e", "sip.Method", "-e", "sip.Status-Code"]
FILTER_ARGS = ["-Y", "sipscope.retransmission", "-T", "fields", "-e", "frame.number"]


class PluginSkip(Exception):
    pass


def plugin_abi():
    """The Wireshark release (major.minor) the plugin was built for, and
    tshark's."""
    r = subprocess.run(["pkg-config", "--modversion", "wireshark"], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, text=True)
    built = re.match(r"(\d+\.\d+)", r.stdout.strip())
    r = subprocess.run(["tshark", "-v"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    m = re.search(r"TShark \(Wireshark\) ((\d+\.\d+)\S*)", r.stdout)
    if not m:
        raise PluginSkip("cannot read tshark's version")
    abi = built.group(1) if built else m.group(2)
    if abi != m.group(2):
        raise PluginSkip("the plugin is built for Wireshark %s, tshark is %s" % (abi, m.group(1)))
    return abi, m.group(1)


def build_plugin(build_dir, no_build):
    so = os.path.join(build_dir, "plugin", "sipscope.so")
    if not no_build:
        r = subprocess.run(["cmake", "--build", build_dir, "-j2", "--target", "sipscope_wireshark"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode:
            if "unknown target" in r.stdout or "No rule to make target" in r.stdout:
                raise PluginSkip("the plugin was not built (libwireshark-dev missing?)")
            raise PluginSkip("building the plugin failed: " + r.stdout[-1500:])
    if not os.path.isfile(so):
        raise PluginSkip("no %s (libwireshark-dev missing?)" % so)
    return so


class Tshark:
    """tshark with and without the plugin, each with a HOME of its own."""

    def __init__(self, plugin, abi):
        self.as_nobody = os.geteuid() == 0
        if self.as_nobody and not shutil.which("setpriv"):
            raise PluginSkip("running as root without setpriv (util-linux)")
        self.tmp = tempfile.mkdtemp(prefix="sipscope-bench-plugin-")
        self.home = {"with": os.path.join(self.tmp, "with"), "without": os.path.join(self.tmp, "without")}
        pdir = os.path.join(self.home["with"], ".local", "lib", "wireshark", "plugins", abi, "epan")
        os.makedirs(pdir)
        os.makedirs(self.home["without"])
        shutil.copyfile(plugin, os.path.join(pdir, "sipscope.so"))
        self.extcap = os.path.join(self.tmp, "no-extcap")
        os.makedirs(self.extcap)
        for root, dirs, files in os.walk(self.tmp):
            os.chmod(root, 0o755)
            for f in files:
                os.chmod(os.path.join(root, f), 0o644)

    def close(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def argv(self, which, args):
        h = self.home[which]
        cmd = ["env", "-i", "PATH=" + os.environ.get("PATH", "/usr/bin:/bin"), "HOME=" + h,
               "XDG_CONFIG_HOME=" + os.path.join(h, ".config"),
               "WIRESHARK_EXTCAP_DIR=" + self.extcap, "LC_ALL=C.UTF-8", "tshark"] + args
        if self.as_nobody:
            cmd = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] + cmd
        return cmd

    def readable(self, path):
        """The capture, or a copy tshark can read (as nobody)."""
        if not self.as_nobody:
            return path
        r = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                            "test", "-r", path])
        if r.returncode == 0:
            return path
        dst = os.path.join(self.tmp, os.path.basename(path))
        shutil.copyfile(path, dst)
        os.chmod(dst, 0o644)
        return dst

    def plugin_listed(self):
        r = subprocess.run(self.argv("with", ["-G", "plugins"]), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=120)
        return any("sipscope.so" in l for l in r.stdout.splitlines())

    def timed(self, which, args, timeout, out_path):
        """Wall, CPU, max RSS and the exit status of one run."""
        tfile = os.path.join(self.tmp, "time.txt")
        efile = os.path.join(self.tmp, "err.txt")
        cmd = ["timeout", "--signal=KILL", str(timeout), "/usr/bin/time", "-f", "%e %M %U %S",
               "-o", tfile] + self.argv(which, args)
        with open(out_path, "w") as o, open(efile, "w") as e:
            t0 = time.perf_counter()
            rc = subprocess.call(cmd, stdout=o, stderr=e, stdin=subprocess.DEVNULL)
            wall = time.perf_counter() - t0
        res = {"wall": wall, "rc": rc, "cpu": None, "rss_kb": None}
        try:
            last = [x for x in open(tfile).read().split("\n") if x.strip()][-1].split()
            res["rss_kb"] = int(last[1])
            res["cpu"] = float(last[2]) + float(last[3])
        except (OSError, IndexError, ValueError):
            pass
        err = open(efile, errors="replace").read()
        if rc in (124, 137, -9) and wall >= timeout - 1:
            res["error"] = "killed after the %d s timeout" % timeout
        elif rc != 0:
            res["error"] = "exit status %d: %s" % (rc, err.strip()[-300:])
        elif "Dissector bug" in err or "Malformed Packet: sipscope" in err:
            res["error"] = "tshark reported: " + err.strip()[-300:]
        return res


def count_messages(out_path):
    """SIP messages in the fields output: requests plus responses."""
    n = 0
    with open(out_path, errors="replace") as fh:
        for line in fh:
            cols = line.rstrip("\n").split("\t")
            for c in cols[1:3]:
                if c:
                    n += c.count(",") + 1
    return n


def count_lines(out_path):
    with open(out_path, errors="replace") as fh:
        return sum(1 for line in fh if line.strip())


def run(plugin, path, runs=3, timeout=300, log=None):
    log = log or (lambda m: print(m, file=sys.stderr, flush=True))
    if not shutil.which("tshark"):
        raise PluginSkip("tshark is not installed (apt-get install tshark)")
    abi, version = plugin_abi()
    ts = Tshark(plugin, abi)
    res = {"file": path, "tshark": version, "runs": runs, "with": [], "without": []}
    try:
        if not ts.plugin_listed():
            raise PluginSkip("tshark -G plugins does not list the plugin copied into a temporary HOME")
        src = ts.readable(path)
        out = os.path.join(ts.tmp, "out.txt")
        # Into the page cache first, as for the other tools.
        with open(src, "rb") as fp:
            while fp.read(1 << 24):
                pass
        for rep in range(runs):
            order = ("without", "with") if rep % 2 == 0 else ("with", "without")
            for which in order:
                r = ts.timed(which, ["-r", src] + TSHARK_OPTS + FIELDS_ARGS, timeout, out)
                r["seen"] = count_messages(out) if "error" not in r else None
                res[which].append(r)
                log("  tshark %-7s plugin: run %d/%d %8.3f s %8.1f MB  %s" % (
                    which, rep + 1, runs, r["wall"], (r["rss_kb"] or 0) / 1024,
                    r.get("error") or "%d SIP messages" % r["seen"]))
        r = ts.timed("with", ["-r", src] + TSHARK_OPTS + FILTER_ARGS, timeout, out)
        r["frames"] = count_lines(out) if "error" not in r else None
        res["filter"] = r
        log("  tshark -Y sipscope.retransmission: %8.3f s  %s" % (
            r["wall"], r.get("error") or "%d frames" % r["frames"]))
    finally:
        ts.close()
    return res


def med(rs, key):
    xs = [r[key] for r in rs if "error" not in r and r.get(key) is not None]
    return statistics.median(xs) if xs else None


def fmt(x, spec):
    return "-" if x is None else format(x, spec)


def section(res, info=None):
    name = os.path.basename(res["file"])
    what = ("%s calls, %s SIP messages" % (format(info["calls"], ","), format(info["messages"], ","))
            if info else name)
    out = ["## Wireshark plugin overhead (tshark %s, %s)\n" % (res.get("tshark", "?"), what)]
    if "skipped" in res:
        out.append("Skipped: %s.\n" % res["skipped"])
        return "\n".join(out).rstrip("\n")
    out.append("The same tshark command with and without `sipscope.so` (%s): "
               "`tshark -r FILE %s %s`. Fields output builds every frame's "
               "protocol tree, so Wireshark's SIP dissector and the plugin's postdissector run on "
               "every frame. The plugin is installed in a temporary HOME's personal plugin folder "
               "(an empty HOME for the run without it), as the plugin tests do; wall time around "
               "the process, CPU time and max RSS from `/usr/bin/time` (bench/plugin_cost.py); "
               "on a busy machine the wall time includes waiting for a CPU, so CPU time and RSS "
               "are the steadier figures.\n"
               % ("alternating, median of %d runs each" % res["runs"] if res["runs"] > 1
                  else "one run each", " ".join(TSHARK_OPTS), " ".join(FIELDS_ARGS)))
    expected = info["messages"] if info else None
    rows = {}
    out.append("| tshark | wall s | CPU s | max RSS MB | saw |")
    out.append("|---|---|---|---|---|")
    for which, label in (("without", "without the plugin"), ("with", "with the plugin")):
        rs = res[which]
        w, c, m = med(rs, "wall"), med(rs, "cpu"), med(rs, "rss_kb")
        rows[which] = (w, c, m)
        errs = sorted({r["error"] for r in rs if "error" in r})
        seen = sorted({r["seen"] for r in rs if r.get("seen") is not None})
        if errs:
            saw = "; ".join(errs)
        elif expected is not None and seen == [expected]:
            saw = "all %s SIP messages" % format(expected, ",")
        else:
            saw = "%s SIP messages%s" % (", ".join(format(s, ",") for s in seen),
                                         " of %s" % format(expected, ",") if expected else "")
        out.append("| %s | %s | %s | %s | %s |" % (label, fmt(w, ".3f"), fmt(c, ".2f"),
                                                   fmt(m / 1024 if m else None, ".0f"), saw))
    (w0, c0, m0), (w1, c1, m1) = rows["without"], rows["with"]
    # Ratios per repetition (same moment, same load), then the median.
    ratios = [a["wall"] / b["wall"] for a, b in zip(res["with"], res["without"])
              if "error" not in a and "error" not in b and b["wall"] > 0]
    cratios = [a["cpu"] / b["cpu"] for a, b in zip(res["with"], res["without"])
               if "error" not in a and "error" not in b and a["cpu"] and b["cpu"]]
    out.append("| with / without | %s | %s | %s | |" % (
        fmt(statistics.median(ratios) if ratios else None, ".2f"),
        fmt(statistics.median(cratios) if cratios else None, ".2f"),
        fmt(m1 / m0 if m0 and m1 else None, ".2f")))
    f = res.get("filter")
    if f:
        want = " (the capture has %s retransmitted messages)" % format(info["retransmissions"], ",") \
            if info and "retransmissions" in info else ""
        out.append("| with the plugin, `-Y sipscope.retransmission -T fields -e frame.number` "
                   "(one run) | %s | %s | %s | %s |" % (
                       fmt(f["wall"], ".3f"), fmt(f["cpu"], ".2f"),
                       fmt(f["rss_kb"] / 1024 if f["rss_kb"] else None, ".0f"),
                       f.get("error") or "%s frames selected%s" % (format(f["frames"], ","), want)))
    out.append("")
    msgs = expected or (res["with"][0].get("seen") if res["with"] else None)
    if m0 and m1 and msgs:
        out.append("Extra max RSS with the plugin: %.0f MB, %s bytes per SIP message. Extra CPU "
                   "time: %s s, %s µs per SIP message.\n" % (
                       (m1 - m0) / 1024, format(round((m1 - m0) * 1024 / msgs), ","),
                       fmt(c1 - c0 if c0 and c1 else None, ".2f"),
                       fmt((c1 - c0) * 1e6 / msgs if c0 and c1 else None, ".1f")))
    return "\n".join(out).rstrip("\n")


# ---- run_bench.py ---------------------------------------------------------

def add_args(ap):
    ap.add_argument("--no-plugin", dest="plugin", action="store_false",
                    help="skip the Wireshark plugin overhead measurement (tshark)")
    ap.add_argument("--plugin-calls", type=int, default=10000,
                    help="calls in the capture for the plugin measurement (default 10000; "
                         "100000 takes about a minute per tshark run)")


def bench(args, bins, files, generate, notes, log):
    """The section for RESULTS.md, or None (with a note) when skipped."""
    if not args.plugin:
        return None
    n = args.plugin_calls
    known = {f[0]: (f[1], f[2]) for f in files}
    try:
        if not shutil.which("tshark"):
            raise PluginSkip("tshark is not installed (apt-get install tshark)")
        so = build_plugin(args.build_dir, args.no_build)
        path, info = known[n] if n in known else generate(n)
        if not path:
            raise PluginSkip("no %s-call capture" % format(n, ","))
        runs = int(str(args.runs).split(",")[0])
        log("plugin overhead: tshark with and without sipscope.so on %s calls" % format(n, ","))
        res = run(so, path, runs, args.timeout, log)
    except PluginSkip as e:
        notes.append("Wireshark plugin overhead skipped: %s" % e)
        log(notes[-1])
        return None
    md = section(res, info)
    print("\n" + md)
    return md


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--plugin", required=True, help="sipscope.so")
    ap.add_argument("--file", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--timeout", type=int, default=300)
    a = ap.parse_args()
    info = None
    try:
        m = re.search(r"(\d+) SIP messages.*? (\d+) calls.*? (\d+) retransmissions",
                      open(a.file + ".txt").read())
        if m:
            info = {"messages": int(m.group(1)), "calls": int(m.group(2)),
                    "retransmissions": int(m.group(3))}
    except OSError:
        pass
    try:
        res = run(os.path.abspath(a.plugin), os.path.abspath(a.file), a.runs, a.timeout)
    except PluginSkip as e:
        print("skipped: %s" % e, file=sys.stderr)
        return 77
    print(section(res, info))
    return 0


if __name__ == "__main__":
    sys.exit(main())
