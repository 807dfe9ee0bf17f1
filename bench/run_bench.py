#!/usr/bin/env python3
"""The sipscope benchmark: sipscope against sngrep, tshark and the libpcap floor.

    bench/run_bench.sh [--calls 10000,100000] [--runs 3] [--seed 1] [--timeout 300]
                       [--tools floor,stats,json,sngrep,tshark] [--no-profile]

For each number of calls it generates (or reuses) a deterministic capture with
sipscope-gencalls, then runs, in the same run and alternating the order at
each repetition:

  floor   sipscope-floor F                  bare pcap_open_offline + pcap_next_ex
  stage-* sipscope-stages STAGE F           one thread, sipscope's stages one by one
                                            (read, frame, parse, model; bench/stages.c)
  stats-1t SIPSCOPE_THREADS=1 sipscope -r F --stats   the same on one thread
  stats   sipscope -r F --stats             full dissection, transactions, dialogs, report
  json    sipscope -r F --json > /dev/null  the same plus one JSON record per message
  sngrep  sngrep -N -F -l LIMIT -I F        no interface, dialog limit above the file's
  tshark  tshark -q -z sip,stat -r F        tshark's SIP statistics

Each run is bounded by a timeout; wall time is taken around the process, max
RSS and CPU time by /usr/bin/time.  It checks that each tool saw every SIP
message (sipscope and tshark report message counts; sngrep reports only its
dialog count, checked against the file's Call-IDs), prints the tables, and
writes them to bench/RESULTS.md.  With --profile (the default) it also counts
instructions per pipeline stage of `sipscope --stats` on the smallest file
with callgrind.  Installs nothing: a tool that is missing is skipped with a
note.

Once per run it also runs sipscope-micro (bench/micro.c): ns per
sip_parse_message of typical messages and per message through the whole
pipeline, against the project's targets (--no-micro skips it).

It also measures the interactive UI's responsiveness in tmux
(bench/ui_latency.py: time to first screen, to loaded and memory on the
largest file and the --ui-calls one, latency of keys on the latter; --no-ui) and what the Wireshark plugin costs tshark
(bench/plugin_cost.py, on the --plugin-calls file; --no-plugin), and, as
root with tcpreplay, the highest live packet rate `sipscope -i` holds on a
veth pair without drops (bench/live_rate.py; --no-live).
"""

import argparse
import datetime
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import live_rate
import plugin_cost
import ui_latency

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

TOOLS = ["floor", "stage-read", "stage-frame", "stage-parse", "stage-model", "stats-1t",
         "stats", "stats-plain", "json", "list", "list-kept", "sngrep", "tshark"]
LABEL = {
    "floor": "libpcap floor (pcap_next_ex loop)",
    "stage-read": "one thread: sipscope's reading of the file (`sipscope-stages read`)",
    "stage-frame": "one thread: + decoding and framing (`sipscope-stages frame`)",
    "stage-parse": "one thread: + parsing (`sipscope-stages parse`)",
    "stage-model": "one thread: + the model, no statistics (`sipscope-stages model`)",
    "stats-1t": "one thread: sipscope --stats (SIPSCOPE_THREADS=1)",
    "stats": "sipscope --stats",
    "stats-plain": "sipscope --stats, built without profile",
    "json": "sipscope --json > /dev/null",
    "list": "sipscope --list > /dev/null",
    "list-kept": "sipscope --list > /dev/null, every call kept (the model as the UI holds it)",
    "sngrep": "sngrep -N (no interface)",
    "tshark": "tshark -q -z sip,stat",
}
# Bytes per call of the generated captures (registrations included), to
# check free disk space before generating.
BYTES_PER_CALL = 4800


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def run_capture(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


BUILD_ARGS = ["-DSIPSCOPE_TESTS=OFF", "-DSIPSCOPE_SANITIZE=OFF", "-DSIPSCOPE_BENCH=ON"]


def plain_dir(build_dir):
    return build_dir.rstrip("/") + "-plain"


def build_plain(build_dir):
    log(f"building (Release) in {build_dir}")
    r = run_capture(["cmake", "-S", ROOT, "-B", build_dir, "-DCMAKE_BUILD_TYPE=Release",
                     "-DSIPSCOPE_PGO=OFF"] + BUILD_ARGS)
    if r.returncode:
        sys.exit("cmake configure failed:\n" + r.stdout + r.stderr)
    r = run_capture(["cmake", "--build", build_dir, "-j2", "--target",
                     "sipscope", "sipscope-gencalls", "sipscope-floor", "sipscope-stages",
                     "sipscope-xcore",
                     "sipscope-micro"])
    if r.returncode:
        sys.exit("build failed:\n" + r.stdout[-4000:] + r.stderr[-4000:])


def binaries(build_dir, pgo):
    b = {
        "sipscope": os.path.join(build_dir, "sipscope"),
        "gencalls": os.path.join(build_dir, "bench", "sipscope-gencalls"),
        "floor": os.path.join(build_dir, "bench", "sipscope-floor"),
        "stages": os.path.join(build_dir, "bench", "sipscope-stages"),
        "xcore": os.path.join(build_dir, "bench", "sipscope-xcore"),
        "micro": os.path.join(build_dir, "bench", "sipscope-micro"),
        "pgo": pgo,
    }
    if pgo:
        b["sipscope_plain"] = os.path.join(plain_dir(build_dir), "sipscope")
    return b


def build(build_dir, pgo):
    """The measured tree: with profile-guided optimisation (scripts/build-pgo)
    unless pgo is false; with it, a plain Release tree beside it as well, so
    the table shows what the profile is worth."""
    if pgo:
        log(f"building (Release, profile-guided) in {build_dir}")
        r = run_capture([os.path.join(ROOT, "scripts", "build-pgo"), build_dir] + BUILD_ARGS)
        if r.returncode:
            sys.exit("scripts/build-pgo failed:\n" + r.stdout[-4000:] + r.stderr[-4000:])
        build_plain(plain_dir(build_dir))
    else:
        build_plain(build_dir)
    return binaries(build_dir, pgo)


GEN_RE = re.compile(
    r"(\d+) SIP messages in (\d+) frames, (\d+) bytes: (\d+) calls, (\d+) registrations, "
    r"(\d+) Call-IDs, (\d+) retransmissions, (\d+) messages over TCP")


def parse_gen(line):
    m = GEN_RE.search(line)
    if not m:
        return None
    keys = ["messages", "frames", "bytes", "calls", "registrations", "call_ids",
            "retransmissions", "tcp_messages"]
    return dict(zip(keys, map(int, m.groups())))


def generate(bins, data_dir, calls, seed):
    """The capture of `calls` calls, generated unless an up-to-date one is
    cached (newer than the generator, with its summary beside it)."""
    path = os.path.join(data_dir, f"calls-{calls}-seed{seed}.pcap")
    info_path = path + ".txt"
    gen_mtime = os.path.getmtime(bins["gencalls"])
    if (os.path.exists(path) and os.path.exists(info_path)
            and os.path.getmtime(path) >= gen_mtime):
        info = parse_gen(open(info_path).read())
        if info and info["bytes"] == os.path.getsize(path):
            log(f"reusing {path}")
            return path, info
    need = calls * BYTES_PER_CALL
    free = shutil.disk_usage(data_dir).free
    if free < 2 * need + (1 << 30):
        log(f"skipping {calls} calls: about {need / 1e9:.1f} GB needed, "
            f"{free / 1e9:.1f} GB free on {data_dir}")
        return None, None
    log(f"generating {path}")
    t0 = time.perf_counter()
    r = run_capture([bins["gencalls"], "-n", str(calls), "-s", str(seed), "-o", path])
    if r.returncode:
        sys.exit("sipscope-gencalls failed: " + r.stderr)
    info = parse_gen(r.stderr)
    if not info:
        sys.exit("cannot read the generator's summary: " + r.stderr)
    info["gen_seconds"] = time.perf_counter() - t0
    with open(info_path, "w") as fp:
        fp.write(r.stderr)
    log(f"  {r.stderr.strip()} ({info['gen_seconds']:.1f} s)")
    return path, info


def tool_command(tool, bins, path, info):
    """(argv, where stdout goes: 'keep' or 'null')."""
    if tool == "floor":
        return [bins["floor"], path], "keep"
    if tool.startswith("stage-"):
        return [bins["stages"], tool[len("stage-"):], path], "keep"
    if tool == "stats-1t":
        return ["env", "SIPSCOPE_THREADS=1", bins["sipscope"], "-r", path, "--stats"], "keep"
    if tool == "stats":
        return [bins["sipscope"], "-r", path, "--stats"], "keep"
    if tool == "stats-plain":
        return [bins["sipscope_plain"], "-r", path, "--stats"], "keep"
    if tool == "json":
        return [bins["sipscope"], "-r", path, "--json"], "null"
    if tool == "list":
        return [bins["sipscope"], "-r", path, "--list"], "null"
    if tool == "list-kept":
        # the UI, --ladder and SIPSCOPE_KEEP_FINISHED=1 keep every call
        return ["env", "SIPSCOPE_KEEP_FINISHED=1", bins["sipscope"], "-r", path, "--list"], "null"
    if tool == "sngrep":
        # -F: no configuration file; -l: dialog limit (default 20,000) above
        # the file's Call-IDs, or sngrep stops storing dialogs.
        limit = max(20000, 2 * info["call_ids"])
        return ["sngrep", "-N", "-F", "-l", str(limit), "-I", path], "keep"
    if tool == "tshark":
        return ["tshark", "-q", "-z", "sip,stat", "-r", path], "keep"
    raise ValueError(tool)


def check_output(tool, out, err, info):
    """(count seen, count expected, what was counted), from the tool's own output."""
    if tool == "floor":
        m = re.search(r"(\d+) packets", out)
        return (int(m.group(1)) if m else None), info["frames"], "frames"
    if tool.startswith("stage-"):
        m = re.search(r"(\d+) frames, (\d+) SIP messages", out)
        if tool == "stage-read":
            return (int(m.group(1)) if m else None), info["frames"], "frames"
        return (int(m.group(2)) if m else None), info["messages"], "messages"
    if tool in ("stats", "stats-1t", "stats-plain", "json", "list", "list-kept"):
        m = re.search(r"sipscope: \d+ frames, (\d+) SIP messages", err)
        seen = int(m.group(1)) if m else None
        if tool in ("stats", "stats-1t", "stats-plain"):
            m2 = re.search(r"^SIP messages\s+(\d+)", out, re.M)
            if not m2 or (seen is not None and int(m2.group(1)) != seen):
                seen = None
        return seen, info["messages"], "messages"
    if tool == "sngrep":
        counts = re.findall(r"Dialog count: (\d+)", out)
        return (int(counts[-1]) if counts else None), info["call_ids"], "dialogs"
    if tool == "tshark":
        m = re.search(r"Number of SIP messages: (\d+)", out)
        return (int(m.group(1)) if m else None), info["messages"], "messages"
    raise ValueError(tool)


def run_one(tool, bins, path, info, timeout, tmp):
    argv, stdout_mode = tool_command(tool, bins, path, info)
    tfile = os.path.join(tmp, "time.txt")
    ofile = os.path.join(tmp, "out.txt")
    efile = os.path.join(tmp, "err.txt")
    cmd = ["timeout", "--signal=KILL", str(timeout), "/usr/bin/time", "-f", "%e %M %U %S",
           "-o", tfile] + argv
    with open(ofile if stdout_mode == "keep" else os.devnull, "w") as o, open(efile, "w") as e:
        t0 = time.perf_counter()
        rc = subprocess.call(cmd, stdout=o, stderr=e, stdin=subprocess.DEVNULL)
        wall = time.perf_counter() - t0
    out = open(ofile).read() if stdout_mode == "keep" else ""
    err = open(efile).read()
    res = {"wall": wall, "rc": rc, "rss_kb": None, "cpu": None}
    try:
        fields = open(tfile).read().split("\n")
        # /usr/bin/time prints "Command exited with non-zero status N" first
        # when the command failed.
        last = [x for x in fields if x.strip()][-1].split()
        res["rss_kb"] = int(last[1])
        res["cpu"] = float(last[2]) + float(last[3])
    except (OSError, IndexError, ValueError):
        pass
    # timeout(1) sends KILL to the whole process group, itself included:
    # the status is then -9 rather than 124 or 137.
    if rc in (124, 137, -9) and wall >= timeout - 1:
        res["error"] = f"killed after the {timeout} s timeout"
    elif rc != 0:
        res["error"] = f"exit status {rc}: {err.strip()[-300:]}"
    seen, expected, what = check_output(tool, out, err, info)
    res.update(seen=seen, expected=expected, what=what)
    return res


def sample_memory(tool, bins, path, info, timeout):
    """Peak anonymous and file-backed resident memory, sampled from
    /proc/PID/status every 10 ms (an approximation: short peaks can be
    missed).  sipscope maps the capture: its file-backed pages are the page
    cache of the capture, not memory of its own."""
    argv, stdout_mode = tool_command(tool, bins, path, info)
    anon = filerss = 0
    with open(os.devnull, "w") as null:
        p = subprocess.Popen(argv, stdout=null, stderr=null, stdin=subprocess.DEVNULL)
        t_end = time.monotonic() + timeout
        status = f"/proc/{p.pid}/status"
        while p.poll() is None:
            try:
                txt = open(status).read()
                a = re.search(r"RssAnon:\s+(\d+)", txt)
                f = re.search(r"RssFile:\s+(\d+)", txt)
                if a:
                    anon = max(anon, int(a.group(1)))
                if f:
                    filerss = max(filerss, int(f.group(1)))
            except OSError:
                pass
            if time.monotonic() > t_end:
                p.kill()
            time.sleep(0.01)
    return anon, filerss


def warm_cache(path):
    """Read the file once so every tool reads it from the page cache, once
    it is on disk: a capture just generated is still being written back,
    and writeback running beside the first tools slowed them (a 1M-call
    --stats run at 7.7 s where 4.6 s is usual)."""
    with open(path, "rb") as fp:
        os.fsync(fp.fileno())
        while fp.read(1 << 24):
            pass


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def cross_core_ns(bins):
    """The cross-core round trip now (sipscope-xcore), in ns; None when it
    cannot be measured (one processor, tool missing)."""
    try:
        r = run_capture([bins["xcore"]], timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.match(r"(\d+) ns", r.stdout or "")
    return int(m.group(1)) if m and r.returncode == 0 else None


def bench_file(tools, bins, path, info, runs, timeout):
    results = {t: [] for t in tools}
    results["_xcore"] = []
    warm_cache(path)
    for rep in range(runs):
        # Where the host put the two processors, before each repetition
        # (see bench/xcore.c): sipscope's two threads feel it, the others
        # run on one.
        x = cross_core_ns(bins)
        results["_xcore"].append(x)
        if x is not None:
            log(f"  run {rep + 1}/{runs} cross-core round trip {x} ns")
        # Rotate the order so no tool always runs first or right after
        # another.
        order = tools[rep % len(tools):] + tools[:rep % len(tools)]
        for tool in order:
            with tempfile.TemporaryDirectory() as tmp:
                r = run_one(tool, bins, path, info, timeout, tmp)
            results[tool].append(r)
            ok = "ok" if r["seen"] == r["expected"] else f"SAW {r['seen']} of {r['expected']} {r['what']}"
            log(f"  run {rep + 1}/{runs} {tool:7s} {r['wall']:8.3f} s "
                f"{(r['rss_kb'] or 0) / 1024:8.1f} MB  {ok}{'  ' + r['error'] if 'error' in r else ''}")
    return results


def xcore_line(results):
    """Each repetition's cross-core round trip beside its `--stats` wall
    time, or None when none was measured."""
    xs = results.get("_xcore") or []
    if not any(x is not None for x in xs):
        return None
    stats = results.get("stats") or []
    parts = []
    for i, x in enumerate(xs):
        t = f" ({stats[i]['wall']:.3f} s)" if i < len(stats) and "error" not in stats[i] else ""
        parts.append(("-" if x is None else f"{x} ns") + t)
    return ("Cross-core round trip before each repetition (`sipscope-xcore`; in brackets "
            "that repetition's `sipscope --stats` wall time): " + ", ".join(parts) + ".")


def summarize(tools, results, info, runs):
    rows = {"_xcore": xcore_line(results)}
    for tool in tools:
        rs = results[tool]
        good = [r for r in rs if "error" not in r]
        row = {
            "wall": median([r["wall"] for r in good]),
            "cpu": median([r["cpu"] for r in good]),
            "rss_mb": median([r["rss_kb"] / 1024 if r["rss_kb"] else None for r in good]),
            "errors": [r["error"] for r in rs if "error" in r],
            "seen": sorted({r["seen"] for r in rs}, key=lambda x: (x is None, x)),
            "expected": rs[0]["expected"] if rs else None,
            "what": rs[0]["what"] if rs else "",
        }
        # Ratios are taken within each repetition (same moment, same load),
        # then the median of those.
        for ref, key in (("floor", "x_floor"), ("stats", "x_stats")):
            if ref in results and tool != ref:
                ratios = [r["wall"] / q["wall"] for r, q in zip(rs, results[ref])
                          if "error" not in r and "error" not in q and q["wall"] > 0]
                row[key] = median(ratios)
            elif tool == ref:
                row[key] = 1.0
            else:
                row[key] = None
        row["msgs_per_s"] = info["messages"] / row["wall"] if row["wall"] else None
        rows[tool] = row
    return rows


def fmt(x, spec, none="-"):
    return none if x is None else format(x, spec)


def verdict(row):
    if row["errors"]:
        seen = [x for x in row["seen"] if x is not None]
        had = f" (had {max(seen):,} of {row['expected']:,} {row['what']})" if seen else ""
        return "; ".join(sorted(set(row["errors"]))) + had
    seen = row["seen"]
    if len(seen) == 1 and seen[0] == row["expected"]:
        return f"all {row['expected']:,} {row['what']}"
    return f"saw {', '.join(str(s) for s in seen)} of {row['expected']:,} {row['what']}"


def table(tools, rows):
    head = ["tool", "wall s (median)", "CPU s", "max RSS MB", "messages/s", "x floor",
            "x sipscope --stats", "saw"]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] * len(head)) + "|"]
    for tool in tools:
        r = rows[tool]
        lines.append("| " + " | ".join([
            LABEL[tool],
            fmt(r["wall"], ".3f"),
            fmt(r["cpu"], ".2f"),
            fmt(r["rss_mb"], ".0f"),
            fmt(r["msgs_per_s"], ",.0f"),
            fmt(r["x_floor"], ".1f"),
            fmt(r["x_stats"], ".2f"),
            verdict(r),
        ]) + " |")
    return "\n".join(lines)


def growth_table(tools, per_file):
    sizes = [n for n in sorted(per_file)]
    if len(sizes) < 2:
        return None
    head = ["tool"] + [f"µs/message at {n:,} calls" for n in sizes] + \
        [f"wall x {sizes[i + 1] // sizes[i]} ({sizes[i]:,} → {sizes[i + 1]:,})" for i in range(len(sizes) - 1)]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] * len(head)) + "|"]
    for tool in tools:
        cells = [LABEL[tool]]
        walls = []
        for n in sizes:
            info, rows = per_file[n]
            w = rows[tool]["wall"] if tool in rows else None
            walls.append(w)
            timed_out = tool in rows and any("timeout" in e for e in rows[tool]["errors"])
            cells.append(fmt(w * 1e6 / info["messages"] if w else None, ".2f",
                             none="timed out" if timed_out else "-"))
        for i in range(len(sizes) - 1):
            a, b = walls[i], walls[i + 1]
            ma, mb = per_file[sizes[i]][0]["messages"], per_file[sizes[i + 1]][0]["messages"]
            if a and b:
                cells.append(f"{b / a:.1f} (messages x {mb / ma:.1f})")
            else:
                cells.append("-")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


# ---- callgrind: instructions per pipeline stage ---------------------------

def fn_name(text):
    """'???:on_sipmsg.part.0 (3x) [/path]' -> 'on_sipmsg': gcc's clones
    (.part, .constprop, .isra, .cold, and .lto_priv of link-time
    optimisation) count as their function."""
    name = text.split(" [")[0]
    name = re.sub(r"\s+\(\d[\d,]*x\)$", "", name).strip()
    name = name.split(":")[-1].strip() if not name.startswith("0x") else name
    return re.sub(r"(\.(part|constprop|isra|cold|lto_priv)\.\d+)+$", "", name)


def callgrind_profile(bins, path, tmp):
    if not shutil.which("valgrind") or not shutil.which("callgrind_annotate"):
        return None, "valgrind is not installed (apt-get install valgrind)"
    out = os.path.join(tmp, "callgrind.out")
    # One thread: the stages are then nested calls of one another (with
    # the reading thread, parse and model sit on different stacks).
    env = dict(os.environ, SIPSCOPE_THREADS="1")
    # The stages from the plain build: the profile-guided one inlines the
    # stages' entry points into one another, which leaves no stage to
    # tell apart; its own whole count comes beside.
    binary = bins.get("sipscope_plain") or bins["sipscope"]
    r = run_capture(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                     binary, "-r", path, "--stats"], env=env)
    if r.returncode:
        return None, "callgrind run failed: " + r.stderr[-500:]
    ann = run_capture(["callgrind_annotate", "--tree=caller", "--inclusive=yes",
                       "--threshold=100", out]).stdout
    incl, edges, total = {}, {}, None
    callers = []
    for line in ann.splitlines():
        m = re.match(r"\s*([\d,]+)\s+\([^)]*\)\s+(<|\*)?\s*(.*)$", line)
        if not m:
            callers = []
            continue
        ir = int(m.group(1).replace(",", ""))
        if "PROGRAM TOTALS" in line:
            total = ir
            continue
        name = fn_name(m.group(3))
        if m.group(2) == "<":
            callers.append((name, ir))
        elif m.group(2) == "*":
            # A clone inside its function (f calling f.part.0) is not
            # counted twice.
            incl[name] = max(incl.get(name, 0), ir)
            for cname, cir in callers:
                if cname != name:
                    edges[(cname, name)] = edges.get((cname, name), 0) + cir
            callers = []
    # Self cost of the top functions, to name the hot spots.
    selfann = run_capture(["callgrind_annotate", "--threshold=95", out]).stdout
    hot = []
    for line in selfann.splitlines():
        m = re.match(r"\s*([\d,]+)\s+\(\s*([\d.]+)%\)\s+(.*)$", line)
        if m and "PROGRAM TOTALS" not in line:
            name = fn_name(m.group(3))
            hot.append((name, int(m.group(1).replace(",", "")), float(m.group(2))))
    # The floor under the same counter, for a ratio that noise cannot move.
    fout = os.path.join(tmp, "callgrind.floor.out")
    floor_total = None
    r = run_capture(["valgrind", "--tool=callgrind", f"--callgrind-out-file={fout}",
                     bins["floor"], path])
    if r.returncode == 0:
        m = re.search(r"([\d,]+)\s+\([^)]*\)\s+PROGRAM TOTALS",
                      run_capture(["callgrind_annotate", fout]).stdout)
        floor_total = int(m.group(1).replace(",", "")) if m else None
    pgo_total = None
    if binary != bins["sipscope"]:
        pout = os.path.join(tmp, "callgrind.pgo.out")
        r = run_capture(["valgrind", "--tool=callgrind", f"--callgrind-out-file={pout}",
                         bins["sipscope"], "-r", path, "--stats"], env=env)
        if r.returncode == 0:
            m = re.search(r"([\d,]+)\s+\([^)]*\)\s+PROGRAM TOTALS",
                          run_capture(["callgrind_annotate", pout]).stdout)
            pgo_total = int(m.group(1).replace(",", "")) if m else None
    return {"incl": incl, "edges": edges, "total": total, "hot": hot[:15],
            "floor_total": floor_total, "pgo_total": pgo_total}, None


def profile_section(prof, info):
    incl = prof["incl"]

    def g(name):
        return incl.get(name)

    msgs = info["messages"]
    rows = []

    def add(stage, ir):
        if ir is not None:
            rows.append((stage, ir))

    dec, fr, onm = g("cap_decoder_feed"), g("cap_sipframer_feed"), g("on_sipmsg")
    # The parse of each message as it arrives; the model re-parses stored
    # messages now and then, which counts as model.
    # (with link-time optimisation sip_parse_message may be inlined into
    # the callback, which then calls its body, parse, directly)
    edges = prof["edges"]
    parse = edges.get(("on_sipmsg", "sip_parse_message")) or edges.get(("on_sipmsg", "parse"))
    model = g("sip_model_add")
    if model is None and g("sip_model_add_prepared") is not None:
        # the application's pipeline prepares each message (hashes, method
        # codes) where it parses, then adds it: the two make the model
        model = g("sip_model_add_prepared") + (g("sip_model_prepare") or 0)
    add("capture read (pcap records, cap_merger_next)", g("cap_merger_next"))
    if dec is not None and fr is not None:
        add("decode (link, IP, UDP/TCP, TCP reassembly)", dec - fr)
    if fr is not None and onm is not None:
        add("framing (Content-Length, stream buffers)", fr - onm)
    if (dec is None or fr is None) and g("read_frame") is not None and onm is not None:
        # link-time optimisation inlined the decoder and framer entry
        # points into the pipeline's read_frame: the two stages together
        add("decode and framing (link, IP, UDP/TCP, TCP reassembly, Content-Length)",
            g("read_frame") - onm)
    add("SIP parse (sip_parse_message)", parse)
    add("model: transactions, dialogs, calls, registrations (sip_model_prepare, sip_model_add)", model)
    if onm is not None and parse is not None and model is not None:
        add("rest of the per-message callback (ICMP flow table, counters)", onm - parse - model)
    end = (g("sip_model_finish") or 0) + (g("stats_write") or 0)
    add("end of capture: sip_model_finish + stats_write", end)
    lines = ["| stage | instructions | per message | share |", "|---|---|---|---|"]
    total = prof["total"] or g("main")
    for stage, ir in rows:
        lines.append(f"| {stage} | {ir:,} | {ir / msgs:,.0f} | {100 * ir / total:.1f} % |")
    lines.append(f"| whole program | {total:,} | {total / msgs:,.0f} | 100 % |")
    pt = prof.get("pgo_total")
    if pt:
        lines.append(f"| (for comparison) the profile-guided build measured above, whole program | "
                     f"{pt:,} | {pt / msgs:,.0f} | {100 * pt / total:.1f} % |")
    ft = prof.get("floor_total")
    if ft:
        lines.append(f"| (for comparison) the libpcap floor, whole program | {ft:,} | "
                     f"{ft / msgs:,.0f} | {100 * ft / total:.1f} % (sipscope --stats = "
                     f"{total / ft:.1f} x the floor) |")
    hot = ["| function (self cost) | share |", "|---|---|"]
    for name, _ir, pct in prof["hot"]:
        hot.append(f"| `{name}` | {pct:.1f} % |")
    return "\n".join(lines), "\n".join(hot)


# ---- micro-benchmark: parse and per-message pipeline (sipscope-micro) -----

# The project's performance targets, in ns per operation.
MICRO_TARGETS = {"parse-invite": 300.0, "pipeline": 1000.0, "pipeline-app": 1000.0}
MICRO_LABEL = {
    "parse-invite": "parse: INVITE with SDP offer (15 headers)",
    "parse-180": "parse: 180 Ringing",
    "parse-200-sdp": "parse: 200 OK with SDP answer",
    "parse-ack": "parse: ACK",
    "parse-bye": "parse: BYE",
    "parse-register": "parse: REGISTER with Authorization",
    "pipeline": "pipeline, per message: frame → decoder, framer, parse, model",
    "pipeline-app": "pipeline, per message: pcap record → app/pipeline.c (as `--stats`)",
}


def run_micro(bins, timeout):
    """One run of `sipscope-micro --tsv`: ({case: row}, info, None) or
    (None, None, why)."""
    try:
        r = subprocess.run([bins["micro"], "--tsv"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, None, f"sipscope-micro did not run: {e}"
    if r.returncode:
        return None, None, (f"sipscope-micro failed (exit status {r.returncode}): "
                            + r.stderr.strip()[-300:])
    rows, info = {}, {}
    for line in r.stdout.splitlines():
        f = line.split("\t")
        if f[0] in ("#median", "#bytes", "#cpu") and len(f) == 3 and f[1] in rows:
            rows[f[1]][f[0][1:]] = float(f[2])
        elif f[0].startswith("#") and len(f) >= 2:
            info[f[0][1:]] = f[1:]
        elif len(f) == 3:
            rows[f[0]] = {"ns": float(f[1]), "ops": int(f[2])}
    if not rows:
        return None, None, "sipscope-micro printed no results"
    return rows, info, None


# Parses counted per case: two runs of `--count`, the difference divided.
MICRO_COUNTS = (1000, 3000)


def micro_instructions(bins, cases):
    """Instructions of one parse of each parse case, counted by callgrind
    on the binary that was timed: {case: instructions}.  Two runs of
    `sipscope-micro --count N` per case; the difference of their totals
    over the difference of N leaves out the setup.  Empty without
    valgrind."""
    if not shutil.which("valgrind"):
        return {}
    res = {}
    for case in cases:
        if not case.startswith("parse-"):
            continue
        totals = []
        for n in MICRO_COUNTS:
            r = run_capture(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                             bins["micro"], "--count", str(n), "--only", case])
            m = re.search(r"Collected\s*:\s*(\d+)", r.stderr)
            if r.returncode or not m:
                break
            totals.append(int(m.group(1)))
        if len(totals) == 2:
            res[case] = (totals[1] - totals[0]) / (MICRO_COUNTS[1] - MICRO_COUNTS[0])
    return res


def micro_table(rows):
    head = ["case", "bytes", "ns per op (best)", "ns per op (median)", "bytes/ns",
            "CPU share of best batch", "instructions per op", "target", "met"]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] * len(head)) + "|"]
    for case, r in rows.items():
        target = MICRO_TARGETS.get(case)
        b = r.get("bytes")
        lines.append("| " + " | ".join([
            MICRO_LABEL.get(case, case),
            fmt(b, ".0f"),
            fmt(r["ns"], ",.1f"),
            fmt(r.get("median"), ",.1f"),
            fmt(b / r["ns"] if b else None, ".2f"),
            fmt(100 * r["cpu"] if "cpu" in r else None, ".0f") + (" %" if "cpu" in r else ""),
            fmt(r.get("instructions"), ",.0f"),
            f"< {target:,.0f} ns" if target else "",
            ("met" if r["ns"] < target else "not met") if target else "",
        ]) + " |")
    return "\n".join(lines)


def micro_section(rows, info):
    calls, per_pass = (info.get("pipeline") or ["?", "?"])[:2]
    batches, min_time = (info.get("batches") or ["?", "?"])[:2]
    calls, per_pass = (f"{int(x):,}" if x.isdigit() else x for x in (calls, per_pass))
    out = ["## Micro-benchmark\n"]
    out.append("`sipscope-micro` (bench/micro.c), one run: `sip_parse_message` over realistic "
               "messages held in memory, and the per-message pipeline over Ethernet/IPv4/UDP "
               f"frames of {calls} calls built in memory ({per_pass} messages per pass: INVITE, "
               "100, 180, 200, ACK, BYE, 200; a fresh decoder, framer and model per pass, "
               "their setup not timed). `pipeline` feeds the frames to the stages as "
               "app/pipeline.c wires them; `pipeline-app` reads them as an in-memory pcap "
               "through app/pipeline.c itself, as `sipscope --stats` does. Timed with "
               f"CLOCK_MONOTONIC over {batches} batches (at least {min_time} s per case in all), "
               "after a warm-up; ns per op is per parse or per message. The best batch "
               "is the one the rest of the machine disturbed least; its CPU share is the "
               "part of its wall time the benchmark had the CPU (below 100 %, other "
               "processes inflated the figure). Instructions per op: counted by callgrind "
               "on the same binary (`sipscope-micro --count N`, two N, the difference "
               "divided), which the machine's phase does not move. Targets: parse of a typical "
               "INVITE with SDP under 300 ns, a full per-message pipeline (frame to dialog "
               "update) under 1 µs; met is judged on the best batch.\n")
    out.append(micro_table(rows))
    return "\n".join(out)


# ---- main -----------------------------------------------------------------

def machine_info():
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1048576:.0f} GiB"
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu}), {mem} memory, {platform.system()} {platform.release()}"


def versions(bins):
    v = {}
    r = run_capture([bins["sipscope"], "-V"])
    v["sipscope"] = (r.stdout or r.stderr).strip().replace("sipscope ", "", 1)
    try:
        commit = run_capture(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"]).stdout.strip()
        dirty = run_capture(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"]).stdout.strip()
        v["sipscope"] += f" (commit {commit}{', with local changes' if dirty else ''})"
    except OSError:
        pass
    if shutil.which("sngrep"):
        r = run_capture(["sngrep", "-V"])
        v["sngrep"] = r.stdout.splitlines()[0].replace("sngrep - ", "").strip() if r.stdout else "?"
    if shutil.which("tshark"):
        r = run_capture(["tshark", "-v"])
        m = re.search(r"TShark \(Wireshark\) (\S+)", r.stdout)
        v["tshark"] = m.group(1) if m else "?"
    r = run_capture(["sh", "-c", "dpkg-query -W -f '${Version}' libpcap0.8 2>/dev/null"])
    v["libpcap"] = r.stdout.strip() or "?"
    return v


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--calls", default="10000,100000",
                    help="comma-separated numbers of calls (default 10000,100000)")
    ap.add_argument("--runs", default="3",
                    help="repetitions per tool and file (default 3); a comma-separated list "
                         "gives one count per --calls entry, the last one repeating")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=int, default=300, help="seconds per tool run (default 300)")
    ap.add_argument("--tools", default=",".join(TOOLS), help="subset of " + ",".join(TOOLS))
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build-bench"))
    ap.add_argument("--data-dir", default=os.path.join(HERE, "data"))
    ap.add_argument("--results", default=os.path.join(HERE, "RESULTS.md"),
                    help="where to write the tables ('-' for nowhere)")
    ap.add_argument("--no-build", action="store_true", help="use the binaries already in --build-dir")
    ap.add_argument("--no-pgo", dest="pgo", action="store_false",
                    help="measure a plain Release build (default: built by scripts/build-pgo, "
                         "with a plain one beside it for the row 'built without profile')")
    ap.add_argument("--no-profile", dest="profile", action="store_false",
                    help="skip the callgrind per-stage profile")
    ap.add_argument("--no-memory", dest="memory", action="store_false",
                    help="skip the sampled anonymous/file-backed memory pass")
    ap.add_argument("--no-micro", dest="micro", action="store_false",
                    help="skip the micro-benchmark (sipscope-micro: parse and per-message pipeline)")
    ui_latency.add_args(ap)
    plugin_cost.add_args(ap)
    live_rate.add_args(ap)
    args = ap.parse_args()

    calls = [int(x) for x in args.calls.split(",") if x.strip()]
    runs = [int(x) for x in args.runs.split(",") if x.strip()]
    if not calls or not runs or min(runs) < 1:
        sys.exit("--calls and --runs need positive numbers")
    runs_of = {n: runs[min(i, len(runs) - 1)] for i, n in enumerate(calls)}
    tools = [t for t in args.tools.split(",") if t]
    for t in tools:
        if t not in TOOLS:
            sys.exit(f"unknown tool {t}; choose among {','.join(TOOLS)}")
    if not os.access("/usr/bin/time", os.X_OK):
        sys.exit("/usr/bin/time is missing: apt-get install time")
    if not shutil.which("timeout"):
        sys.exit("timeout (coreutils) is missing")
    notes = []
    for t, pkg in (("sngrep", "sngrep"), ("tshark", "tshark")):
        if t in tools and not shutil.which(t):
            notes.append(f"{t} is not installed (apt-get install {pkg}): skipped")
            log(notes[-1])
            tools.remove(t)

    if args.no_build:
        bins = binaries(args.build_dir, args.pgo)
    else:
        bins = build(args.build_dir, args.pgo)
    if not args.pgo and "stats-plain" in tools:
        tools.remove("stats-plain")
    os.makedirs(args.data_dir, exist_ok=True)

    per_file = {}
    memory = {}
    files = []
    for n in calls:
        path, info = generate(bins, args.data_dir, n, args.seed)
        if not path:
            notes.append(f"{n:,} calls skipped: not enough free disk space")
            continue
        files.append((n, path, info))
        log(f"benchmarking {n:,} calls: {info['messages']:,} SIP messages, "
            f"{info['bytes'] / 1e6:.0f} MB")
        results = bench_file(tools, bins, path, info, runs_of[n], args.timeout)
        rows = summarize(tools, results, info, runs_of[n])
        per_file[n] = (info, rows)
        print(f"\n{n:,} calls ({info['bytes'] / 1e6:.0f} MB, {info['messages']:,} SIP messages, "
              f"{info['call_ids']:,} Call-IDs), "
              + (f"median of {runs_of[n]} runs:\n" if runs_of[n] > 1 else "one run:\n"))
        print(table(tools, rows))
        if rows.get("_xcore"):
            print("\n" + rows["_xcore"])
        if args.memory:
            memory[n] = {}
            # Only sipscope: the others' max RSS is anonymous memory.
            for tool in tools:
                if tool not in ("stats", "json", "list", "list-kept"):
                    continue
                memory[n][tool] = sample_memory(tool, bins, path, info, args.timeout)
                log(f"  memory {tool}: anon {memory[n][tool][0] / 1024:.0f} MB, "
                    f"file-backed {memory[n][tool][1] / 1024:.0f} MB")

    gt = growth_table(tools, per_file)
    if gt:
        print("\nGrowth with size:\n")
        print(gt)

    prof_md = None
    if args.profile and files and "stats" in tools:
        n, path, info = files[0]
        log(f"callgrind on {n:,} calls (sipscope --stats)")
        with tempfile.TemporaryDirectory() as tmp:
            prof, err = callgrind_profile(bins, path, tmp)
        if prof:
            prof_md = (n, info) + profile_section(prof, info)
            print(f"\nInstructions per stage, sipscope --stats, {n:,} calls:\n")
            print(prof_md[2])
        else:
            notes.append("per-stage profile skipped: " + err)

    args.micro_md = None
    if args.micro:
        log("micro-benchmark (sipscope-micro)")
        mrows, minfo, err = run_micro(bins, args.timeout)
        if mrows:
            for case, ins in micro_instructions(bins, mrows).items():
                mrows[case]["instructions"] = ins
            args.micro_md = micro_section(mrows, minfo)
            print("\nMicro-benchmark (ns per parse / per message):\n")
            print(micro_table(mrows))
        else:
            notes.append("micro-benchmark: " + err)
            log(notes[-1])

    # UI responsiveness and the Wireshark plugin's cost: sections of their own.
    def gen(n):
        return generate(bins, args.data_dir, n, args.seed)
    args.sections = [md for md in (
        ui_latency.bench(args, bins, files, per_file, gen, notes, log),
        plugin_cost.bench(args, bins, files, gen, notes, log),
        live_rate.bench(args, bins, files, per_file, gen, notes, log)) if md]

    if args.results != "-" and per_file:
        write_results(args, tools, per_file, memory, prof_md, notes, bins, files, runs_of)
        log(f"wrote {args.results}")


KEPT_HEADING = "## Observations"


def write_results(args, tools, per_file, memory, prof_md, notes, bins, files, runs_of):
    v = versions(bins)
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out = []
    out.append("# Benchmark results\n")
    out.append("Written by `bench/run_bench.sh` (see the README's Benchmark section); "
               "rerun it to refresh this file.\n")
    out.append(f"- Date: {now}")
    out.append(f"- Machine: {machine_info()}")
    out.append("- Versions: " + "; ".join(f"{k} {val}" for k, val in v.items()))
    # every argument as given, so the run can be repeated as it was
    out.append("- Command: `bench/run_bench.sh " + " ".join(sys.argv[1:]) + "`")
    if bins.get("pgo"):
        out.append("- Build: Release, link-time optimisation, profile-guided (`scripts/build-pgo`: "
                   "trained on a generated 3,000-call capture of seed 7 and the bundled captures); "
                   "the row *built without profile* is the same sources as a plain Release build")
    else:
        out.append("- Build: Release, link-time optimisation (no profile: `--no-pgo`)")
    out.append("- Captures (classic pcap, Ethernet, made by `sipscope-gencalls -n CALLS -s SEED`):")
    for n, path, info in files:
        out.append(f"  - {n:,} calls: {info['bytes']:,} bytes, {info['frames']:,} frames, "
                   f"{info['messages']:,} SIP messages ({info['retransmissions']:,} retransmissions, "
                   f"{info['tcp_messages']:,} over TCP), {info['registrations']:,} registrations, "
                   f"{info['call_ids']:,} Call-IDs")
    out.append("")
    out.append("The machine is small and shared (other builds run at the same time), so "
               "absolute times are noisy: the ratios, measured between runs of the same "
               "repetition (tools alternate, each repetition runs every tool once, ratio "
               "per repetition, then the median), are the figures that count. The file is "
               "read once before the runs so that every tool reads it from the page cache. "
               "Wall time is measured around each process; CPU time (user + system) and "
               "max RSS come from `/usr/bin/time`.\n")
    for n in sorted(per_file):
        info, rows = per_file[n]
        out.append(f"## {n:,} calls ({info['bytes'] / 1e6:.0f} MB, {info['messages']:,} SIP messages)\n")
        out.append(f"Median of {runs_of[n]} runs.\n" if runs_of[n] > 1 else "One run.\n")
        out.append(table(tools, rows))
        out.append("")
        if rows.get("_xcore"):
            out.append(rows["_xcore"] + "\n")
        if n in memory and memory[n]:
            out.append("Peak resident memory by kind (sampled every 10 ms from /proc/PID/status "
                       "in a separate run; file-backed pages of sipscope are the memory-mapped "
                       "capture, shared with the page cache):\n")
            out.append("| tool | anonymous MB | file-backed MB | anonymous bytes per message |")
            out.append("|---|---|---|---|")
            for tool, (anon, filerss) in memory[n].items():
                out.append(f"| {LABEL[tool]} | {anon / 1024:.0f} | {filerss / 1024:.0f} | "
                           f"{anon * 1024 / info['messages']:.0f} |")
            out.append("")
    gt = growth_table(tools, per_file)
    if gt:
        out.append("## Growth with size\n")
        out.append("Median wall time per SIP message at each size, and how much the wall time "
                   "grew against how much the number of messages grew (linear: the same factor).\n")
        out.append(gt)
        out.append("")
    if prof_md:
        n, info, stages, hot = prof_md
        out.append(f"## Instructions per stage (callgrind, `sipscope --stats`, {n:,} calls)\n")
        out.append("Instruction counts are stable on a noisy machine. Each stage is the inclusive "
                   "count of its entry point less the stage it hands on to, one thread, in the "
                   "plain Release build (small functions inlined into their callers; the "
                   "profile-guided build inlines the stages' entry points too, so only its "
                   "whole count is given).\n")
        out.append(stages)
        out.append("")
        out.append("Hottest functions by self cost:\n")
        out.append(hot)
        out.append("")
    if getattr(args, "micro_md", None):
        out.append(args.micro_md)
        out.append("")
    for md in getattr(args, "sections", []):
        out.append(md)
        out.append("")
    out.append("## Notes\n")
    out.append("- sngrep reports no message count, only its dialog count (one per Call-ID "
               "starting with a request it stores): that is what its `saw` column checks. Its "
               "no-interface mode polls for the end of the capture every 500 ms, so its wall "
               "time carries up to 0.5 s of waiting; its CPU time does not. It also drops "
               "the second of two messages in one TCP segment (a known sngrep bug).")
    out.append("- tshark counts SIP messages in `-z sip,stat` (\"Number of SIP messages\").")
    out.append("- sipscope's counts come from its summary on standard error (and, for `--stats`, "
               "the report's first line, which must agree).")
    out.append("- The floor counts frames (pcap records), not SIP messages.")
    out.append("- sipscope reads a file on two threads that hand each message from one core "
               "to the other; the other tools and the floor run on one. On a virtual machine "
               "the host may place the two processors near each other or far apart and move "
               "them while the machine runs: the cross-core round trip measured before each "
               "repetition (`sipscope-xcore`, bench/xcore.c) says which placement a repetition "
               "had.")
    for note in notes:
        out.append(f"- {note}")
    out.append("")
    # A hand-written analysis at the end survives reruns.
    try:
        old = open(args.results).read()
        at = old.find("\n" + KEPT_HEADING)
        if at >= 0:
            out.append(old[at + 1:].rstrip("\n") + "\n")
    except OSError:
        pass
    with open(args.results, "w") as fp:
        fp.write("\n".join(out))


if __name__ == "__main__":
    main()
