#!/usr/bin/env python3
"""Live capture rate: the highest packet rate `sipscope -i` holds on a veth pair.

    python3 bench/live_rate.py --sipscope BUILD/sipscope --pcap bench/data/calls-100000-seed1.pcap
                               [--seconds 8] [--rates 25000,50000,...] [--buffer-mb 256]
                               [--results FILE]

Needs root, tcpreplay and ip (iproute2).  Each measurement runs in a network
namespace made for it, holding one veth pair (names carry this process's id;
the namespace, and with it the pair, is deleted on exit, on Ctrl-C and on
failure; namespaces left by a run that was killed outright are deleted by
the next one).  sipscope captures on one end:

    sipscope -i B --stats -B BUFFER_MB --duration SECONDS "ip"

and tcpreplay sends the frames of a generated capture into the other end at
a fixed rate (--pps RATE --limit N, looping the file when N is larger than
it).  A rate is held when sipscope received every frame tcpreplay sent, saw
every SIP message those frames carry (counted beforehand by `sipscope -r F
-c N`), dropped nothing itself (ring full), nothing was dropped by the
kernel, and sipscope kept up: it was idle again less than --max-lag seconds
after the last frame was sent (its buffers can hide a deficit only for so
long: a rate above what it processes shows as a backlog that drains after
the sender stopped).

Rates tried: the ladder given (default 25k, 50k, 100k, 150k, 200k, 300k,
400k, 600k frames/s) up to the first that is not held or that tcpreplay
cannot reach (then --topspeed is tried as the top), then bisection between
the highest held rate and the lowest not held, down to 5 %.  The best rate
must be held a second time; when it is not (a busy moment on a shared
machine), the search goes on below it.  For each run it records the rate
tcpreplay achieved (its own output), the counters sipscope reports
(received, dropped by the kernel / the interface / sipscope), frames lost
before the capture point (the veth's drop counters), sipscope's CPU use
while the frames came (whole process, main thread, capture thread) and how
long its main thread was ready to run but had no CPU (from
/proc/PID/task/TID/schedstat), and its peak resident memory.
"""

import argparse
import glob
import json
import math
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

SECTION = "## Live capture rate"
NS_PREFIX = "sipscope-rate-"
DEFAULT_RATES = [25000, 50000, 100000, 150000, 200000, 300000, 400000, 600000]
TARGET_MSGS = 100000       # the target: SIP messages per second held
CLK_TCK = os.sysconf("SC_CLK_TCK")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def run(cmd, check=True, **kw):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    if check and r.returncode:
        raise RuntimeError(f"{' '.join(cmd)}: exit status {r.returncode}: {r.stderr.strip()[-400:]}")
    return r


def missing_requirements():
    """Why the measurement cannot run here, or None."""
    if os.geteuid() != 0:
        return "not root (a network namespace, a veth pair and capturing need root)"
    for tool, pkg in (("tcpreplay", "tcpreplay"), ("ip", "iproute2")):
        if not shutil.which(tool):
            return f"{tool} is not installed (apt-get install {pkg})"
    return None


# ---- the namespace and the veth pair ---------------------------------------

def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_namespaces():
    """Namespaces of earlier runs whose process is gone (killed with
    SIGKILL, so its clean-up never ran)."""
    r = run(["ip", "netns", "list"], check=False)
    for line in r.stdout.splitlines():
        name = line.split()[0] if line.split() else ""
        m = re.fullmatch(re.escape(NS_PREFIX) + r"(\d+)-[0-9a-f]+", name)
        if m and not _pid_alive(int(m.group(1))):
            run(["ip", "netns", "del", name], check=False)


class VethNamespace:
    """A network namespace holding a veth pair, both ends up, no IPv6 (so
    no neighbour discovery frames mix with the replay), MTU large enough for
    any frame of the captures.  Deleted by close() (the pair goes with it)."""

    def __init__(self):
        tag = secrets.token_hex(3)
        self.name = f"{NS_PREFIX}{os.getpid()}-{tag}"
        # Interface names: at most 15 characters.
        self.tx = f"lrt{tag}s"
        self.rx = f"lrt{tag}r"
        self.created = False

    def open(self):
        remove_stale_namespaces()
        run(["ip", "netns", "add", self.name])
        self.created = True
        self.exec(["sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1",
                   "net.ipv6.conf.default.disable_ipv6=1"], check=False)
        run(["ip", "-n", self.name, "link", "add", self.tx, "type", "veth", "peer", "name", self.rx])
        for dev in (self.tx, self.rx):
            run(["ip", "-n", self.name, "link", "set", dev, "mtu", "9000", "up"])
        return self

    def exec(self, cmd, check=True):
        return run(["ip", "netns", "exec", self.name] + cmd, check=check)

    def argv(self, cmd):
        return ["ip", "netns", "exec", self.name] + cmd

    def dropped(self):
        """Frames the kernel lost between the two ends, before any capture
        could see them (the receive backlog was full): the sending end's
        tx_dropped plus the receiving end's rx_dropped."""
        r = run(["ip", "-n", self.name, "-s", "-j", "link", "show"], check=False)
        try:
            links = {l["ifname"]: l.get("stats64", {}) for l in json.loads(r.stdout)}
            return (links[self.tx]["tx"]["dropped"] + links[self.rx]["rx"]["dropped"])
        except (ValueError, KeyError, TypeError):
            return None

    def close(self):
        if self.created:
            run(["ip", "netns", "del", self.name], check=False)
            self.created = False

    def __enter__(self):
        return self.open()

    def __exit__(self, *exc):
        self.close()


# ---- CPU sampling ------------------------------------------------------------

def _task_times(pid):
    """{tid: (seconds on a CPU, seconds runnable but waiting for a CPU)} of
    every thread of pid, from /proc/PID/task/TID/schedstat (nanoseconds);
    from the stat file's ticks, without the wait, when there is none."""
    out = {}
    for task in glob.glob(f"/proc/{pid}/task/*"):
        tid = int(task.rsplit("/", 1)[1])
        try:
            f = open(task + "/schedstat").read().split()
            out[tid] = (int(f[0]) / 1e9, int(f[1]) / 1e9)
            continue
        except (OSError, IndexError, ValueError):
            pass
        try:
            txt = open(task + "/stat").read()
        except OSError:
            continue
        # comm may hold spaces and parentheses: the fields follow the last ')'.
        fields = txt[txt.rfind(")") + 2:].split()
        out[tid] = ((int(fields[11]) + int(fields[12])) / CLK_TCK, None)
    return out


class CpuSampler(threading.Thread):
    """Samples the threads of a process every `period` seconds until it
    ends."""

    def __init__(self, pid, period=0.05):
        super().__init__(daemon=True)
        self.pid = pid
        self.period = period
        self.samples = []   # (monotonic time, {tid: (run s, wait s)})
        self.rss_kb = 0     # peak resident memory seen
        self.stop_flag = threading.Event()

    def run(self):
        while not self.stop_flag.is_set():
            s = _task_times(self.pid)
            if not s:
                break
            self.samples.append((time.monotonic(), s))
            try:
                m = re.search(r"VmRSS:\s+(\d+)", open(f"/proc/{self.pid}/status").read())
                if m:
                    self.rss_kb = max(self.rss_kb, int(m.group(1)))
            except OSError:
                pass
            time.sleep(self.period)

    def tids(self):
        out = set()
        for _w, s in self.samples:
            out.update(s)
        return out

    def at(self, t, tid, which=0):
        """Run (which=0) or wait (1) seconds of thread tid at the last
        sample not after t."""
        best = None
        for when, s in self.samples:
            if when > t:
                break
            best = s
        if best is None or tid not in best or best[tid][which] is None:
            return 0.0
        return best[tid][which]

    def share(self, t0, t1, tids, which=0):
        """Seconds run (or waited) by the threads between t0 and t1, as a
        share of one core, in %."""
        span = max(t1 - t0, 1e-6)
        return 100.0 * sum(self.at(t1, t, which) - self.at(t0, t, which) for t in tids) / span

    def idle_from(self, tid, after, window=0.2, threshold=0.1):
        """The start of the first stretch of `window` seconds after `after`
        in which thread tid ran less than threshold of a core, or None
        when there is none yet."""
        pts = [(w, s[tid][0]) for w, s in self.samples if tid in s]
        j = 0
        for i, (wi, vi) in enumerate(pts):
            if wi < after:
                continue
            j = max(j, i)
            while j < len(pts) and pts[j][0] - wi < window:
                j += 1
            if j >= len(pts):
                return None
            wj, vj = pts[j]
            if (vj - vi) / (wj - wi) < threshold:
                return wi
        return None


# ---- counting what a replay carries -----------------------------------------

STDERR_TOTALS = re.compile(r"sipscope: (\d+) frames, (\d+) SIP messages")
STDERR_IFACE = re.compile(r"sipscope: (\S+): (\d+) frames received, (\d+) dropped by the kernel, "
                          r"(\d+) by the interface, (\d+) by sipscope \(ring full\)")


class Capture:
    """A capture file and the number of SIP messages in its first N frames
    as sipscope reads them offline (cached)."""

    def __init__(self, sipscope, path):
        self.sipscope = sipscope
        self.path = path
        self._msgs = {}
        self.frames, self.messages = self._count(None)

    def _count(self, n):
        cmd = [self.sipscope, "-r", self.path, "--stats"]
        if n:
            cmd += ["-c", str(n)]
        r = run(cmd)
        m = STDERR_TOTALS.search(r.stderr)
        if not m:
            raise RuntimeError("cannot read sipscope's summary: " + r.stderr[-300:])
        return int(m.group(1)), int(m.group(2))

    def messages_in(self, n):
        """SIP messages in n frames replayed from the start, looping."""
        loops, rest = divmod(n, self.frames)
        if rest and rest not in self._msgs:
            self._msgs[rest] = self._count(rest)[1]
        return loops * self.messages + (self._msgs[rest] if rest else 0)


# ---- one run at one rate ----------------------------------------------------

TCPREPLAY_ACTUAL = re.compile(r"Actual: (\d+) packets \((\d+) bytes\) sent in ([\d.]+) seconds")
TCPREPLAY_RATED = re.compile(r"Rated: ([\d.]+) Bps, ([\d.]+) Mbps, ([\d.]+) pps")
TCPREPLAY_FAILED = re.compile(r"Failed packets:\s+(\d+)")


def _die_with_parent():
    """preexec_fn: the child gets SIGTERM when this process dies, even by
    SIGKILL (Linux prctl PR_SET_PDEATHSIG; kept across exec)."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _wait_listening(proc, errpath, timeout):
    t_end = time.monotonic() + timeout
    while time.monotonic() < t_end:
        if proc.poll() is not None:
            return False
        try:
            if "listening on" in open(errpath).read():
                return True
        except OSError:
            pass
        time.sleep(0.05)
    return False


def _stop(proc):
    if proc and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def measure(ns, cap, rate, seconds, buffer_mb, max_lag, tmp):
    """One replay at `rate` frames/s (None: tcpreplay --topspeed) for about
    `seconds`.  Returns a dict of what was seen."""
    n = int(round((rate or 400000) * seconds))
    loops = max(1, math.ceil(n / cap.frames))
    expected = cap.messages_in(n)
    res = {"rate": rate, "sent_target": n, "loops": loops, "expected_msgs": expected}
    send_est = n / rate if rate else seconds
    # The longest sipscope may capture: time to start, send, and drain a
    # backlog as long again as the sending (to measure it), then report.
    # sipscope is normally ended sooner, by SIGINT, once it has caught up.
    duration = int(math.ceil(2.5 * send_est + 10))
    out = os.path.join(tmp, "sipscope.out")
    err = os.path.join(tmp, "sipscope.err")
    cmd = ns.argv([cap.sipscope, "-i", ns.rx, "--stats", "-B", str(buffer_mb),
                   "--duration", str(duration), "ip"])
    sip = None
    usage = None
    rx_drop0 = ns.dropped()
    try:
        with open(out, "w") as o, open(err, "w") as e:
            sip = subprocess.Popen(cmd, stdout=o, stderr=e, stdin=subprocess.DEVNULL,
                                   preexec_fn=_die_with_parent)
        if not _wait_listening(sip, err, 10):
            raise RuntimeError("sipscope did not start capturing: " + open(err).read()[-400:])
        sampler = CpuSampler(sip.pid)
        sampler.start()
        time.sleep(0.3)
        speed = ["--pps", str(rate)] if rate else ["--topspeed"]
        rcmd = ns.argv(["tcpreplay", "-i", ns.tx, "--timer=nano", "--no-flow-stats"] + speed + ["--limit", str(n)])
        if loops > 1:
            rcmd += ["--loop", str(loops)]
        rcmd.append(cap.path)
        t0 = time.monotonic()
        rep = subprocess.run(rcmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             timeout=duration + 30, preexec_fn=_die_with_parent)
        t1 = time.monotonic()
        rep_out = rep.stdout
        if rep.returncode:
            raise RuntimeError(f"tcpreplay failed (exit status {rep.returncode}): {rep_out.strip()[-400:]}")
        # Caught up: the main thread idle for a moment after the last frame
        # (it then only wakes every 100 ms).  sipscope then gets SIGINT: it
        # stops capturing, processes what it holds, reports and ends.
        idle = None
        while sip.poll() is None:
            idle = sampler.idle_from(sip.pid, t1)
            if idle is not None:
                time.sleep(0.3)
                sip.send_signal(signal.SIGINT)
                break
            time.sleep(0.1)
        res["lag"] = max(0.0, idle - t1) if idle is not None else time.monotonic() - t1
        t_done = idle if idle is not None else time.monotonic()
        res["caught_up"] = idle is not None
        try:
            _pid, status, usage = os.wait4(sip.pid, 0)
            sip.returncode = os.waitstatus_to_exitcode(status)
        except ChildProcessError:
            sip.wait(30)
        sampler.stop_flag.set()
        sampler.join()
    finally:
        _stop(sip)
    rx_drop1 = ns.dropped()
    sout, serr = open(out).read(), open(err).read()

    m = TCPREPLAY_ACTUAL.search(rep_out)
    res["sent"] = int(m.group(1)) if m else None
    res["send_seconds"] = float(m.group(3)) if m else t1 - t0
    m = TCPREPLAY_RATED.search(rep_out)
    res["achieved_pps"] = float(m.group(3)) if m else None
    res["achieved_mbps"] = float(m.group(2)) if m else None
    m = TCPREPLAY_FAILED.search(rep_out)
    res["send_failed"] = int(m.group(1)) if m else 0
    res["tcpreplay_lines"] = [ln.strip() for ln in rep_out.splitlines()
                              if ln.strip().startswith(("Actual:", "Rated:"))]

    m = STDERR_TOTALS.search(serr)
    res["frames"], res["messages"] = (int(m.group(1)), int(m.group(2))) if m else (None, None)
    m = STDERR_IFACE.search(serr)
    if m:
        res.update(received=int(m.group(2)), kernel_dropped=int(m.group(3)),
                   if_dropped=int(m.group(4)), ring_dropped=int(m.group(5)))
    else:
        res.update(received=None, kernel_dropped=None, if_dropped=None, ring_dropped=None)
    m = re.search(r"^SIP messages\s+(\d+)", sout, re.M)
    res["report_messages"] = int(m.group(1)) if m else None
    res["veth_dropped"] = (rx_drop1 - rx_drop0) if rx_drop0 is not None and rx_drop1 is not None else None
    res["exit"] = sip.returncode
    res["stderr_tail"] = serr.strip()[-300:]

    # CPU while the frames came, per thread: the main thread is the
    # process's own id; the capture thread is the other one.  The wait is
    # time the main thread was ready to run but had no CPU (other
    # processes, tcpreplay and the kernel's veth path on the same cores).
    main_tid = sip.pid
    cap_tids = [t for t in sampler.tids() if t != main_tid]
    res["cpu_pct"] = sampler.share(t0, t1, [main_tid] + cap_tids)
    res["cpu_main_pct"] = sampler.share(t0, t1, [main_tid])
    res["cpu_capture_pct"] = sampler.share(t0, t1, cap_tids)
    res["main_wait_pct"] = sampler.share(t0, t1, [main_tid], which=1)
    res["cpu_total_s"] = (usage.ru_utime + usage.ru_stime) if usage else None
    # CPU per frame, from the first frame until sipscope was idle again:
    # what one core free for each thread would take.
    frames = res["frames"] or 0   # processed (received less dropped)
    if frames:
        res["main_us_per_frame"] = 1e6 * (sampler.at(t_done, main_tid) - sampler.at(t0, main_tid)) / frames
        res["capture_us_per_frame"] = 1e6 * sum(sampler.at(t_done, t) - sampler.at(t0, t)
                                                for t in cap_tids) / frames
    else:
        res["main_us_per_frame"] = res["capture_us_per_frame"] = None
    res["loadavg"] = os.getloadavg()[0]
    res["rss_mb"] = sampler.rss_kb / 1024

    why = []
    if res["sent"] is None or res["sent"] != n or res["send_failed"]:
        why.append(f"tcpreplay sent {res['sent']} of {n} frames ({res['send_failed']} failed)")
    if res["ring_dropped"]:
        why.append(f"{res['ring_dropped']:,} dropped by sipscope (ring full)")
    if res["kernel_dropped"]:
        why.append(f"{res['kernel_dropped']:,} dropped by the kernel")
    if res["if_dropped"]:
        why.append(f"{res['if_dropped']:,} dropped by the interface")
    if res["veth_dropped"]:
        why.append(f"{res['veth_dropped']:,} lost before the capture (veth drop counters)")
    if res["exit"] != 0:
        why.append(f"sipscope exit status {res['exit']}")
    if res["received"] is None:
        why.append("no capture counters from sipscope: " + res["stderr_tail"])
    elif res["sent"] is not None and res["received"] != res["sent"]:
        why.append(f"received {res['received']:,} of {res['sent']:,} frames")
    if res["messages"] != expected or res["report_messages"] != expected:
        why.append(f"saw {_n(res['messages'], ',')} SIP messages of {expected:,}")
    if not res["caught_up"]:
        why.append(f"fell behind: still busy {res['lag']:.1f} s after the last frame, "
                   "when its --duration ended")
    elif res["lag"] > max_lag:
        why.append(f"fell behind: busy {res['lag']:.1f} s after the last frame")
    res["why"] = why
    res["held"] = not why
    return res


def describe(r):
    rate = f"{r['rate']:,}/s" if r["rate"] else "topspeed"
    got = f"{r['achieved_pps']:,.0f}" if r["achieved_pps"] else "?"
    verdict = "held" if r["held"] else "NOT held: " + "; ".join(r["why"])
    return (f"{rate:>11} frames: tcpreplay {got} pps, sipscope {r['cpu_pct']:.0f} % CPU "
            f"(main {r['cpu_main_pct']:.0f} %, capture {r['cpu_capture_pct']:.0f} %; main waited "
            f"{r['main_wait_pct']:.0f} % for a CPU; load {r['loadavg']:.1f}), lag {r['lag']:.2f} s: {verdict}")


# ---- the search -------------------------------------------------------------

def search(sipscope, pcap, rates=None, seconds=8.0, buffer_mb=256, max_lag=1.0, precision=0.05,
           confirm=True):
    """Runs the ladder, then bisects; returns a dict with every run and the
    best one."""
    cap = Capture(sipscope, pcap)
    log(f"live rate: {os.path.basename(pcap)}: {cap.frames:,} frames, {cap.messages:,} SIP messages "
        f"({cap.messages / cap.frames:.3f} per frame)")
    runs = []
    good = bad = None
    topspeed = None

    # SIGTERM ends the search like Ctrl-C, so the clean-up runs.
    old_term = signal.getsignal(signal.SIGTERM)
    in_main = threading.current_thread() is threading.main_thread()
    if in_main:
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        with VethNamespace() as ns, tempfile.TemporaryDirectory(prefix="sipscope-rate-") as tmp:
            def one(rate):
                r = measure(ns, cap, rate, seconds, buffer_mb, max_lag, tmp)
                runs.append(r)
                log("  " + describe(r))
                return r

            for rate in rates or DEFAULT_RATES:
                r = one(rate)
                reached = r["achieved_pps"] is not None and r["achieved_pps"] >= 0.9 * rate
                if r["held"] and reached:
                    good = r
                    continue
                if not r["held"]:
                    bad = r
                    break
                # tcpreplay cannot send this fast: its top speed is the top.
                t = one(None)
                topspeed = t
                if t["held"]:
                    good = t
                else:
                    bad = t
                break
            # Nothing held: halve down to the first rate that is.
            rate = bad["rate"] // 2 if not good and bad and bad["rate"] else 0
            while not good and rate >= 1000:
                r = one(rate)
                if r["held"]:
                    good = r
                else:
                    bad = r
                rate //= 2
            def bisect(good, bad):
                """Between the highest rate held and the lowest not."""
                while good and bad and good["rate"] is not None:
                    lo = good["rate"]
                    hi = bad["rate"] if bad["rate"] is not None else (bad["achieved_pps"] or 0)
                    if hi - lo <= precision * lo:
                        break
                    mid = int(round((lo + hi) / 2, -3))
                    if mid <= lo or mid >= hi:
                        break
                    r = one(mid)
                    if r["held"]:
                        good = r
                    else:
                        bad = r
                return good, bad

            good, bad = bisect(good, bad)
            # The best rate must be held a second time; when it is not (a
            # busy moment of a shared machine), the search goes on below it.
            confirmed = None
            tries = 0
            while confirm and good and tries < 3:
                tries += 1
                r = one(good["rate"])
                if r["held"]:
                    confirmed = True
                    break
                confirmed = False
                log("  not held a second time: searching below it")
                bad = r
                top = good["rate"] if good["rate"] is not None else float("inf")
                lower = [x for x in runs if x["held"] and x["rate"] is not None and x["rate"] < top]
                good = max(lower, key=lambda x: x["rate"]) if lower else None
                good, bad = bisect(good, bad)
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, old_term)
    return {"capture": cap, "runs": runs, "best": good, "first_bad": bad, "topspeed": topspeed,
            "confirmed": confirmed, "seconds": seconds, "buffer_mb": buffer_mb, "max_lag": max_lag}


# ---- the section of RESULTS.md ------------------------------------------------

def _n(x, spec=",.0f"):
    return "-" if x is None else format(x, spec)


def section(res, command=None):
    cap = res["capture"]
    per_frame = cap.messages / cap.frames
    best = res["best"]
    out = [SECTION, ""]
    out.append(
        "`bench/live_rate.py`: `sipscope -i` captures on one end of a veth pair in a network "
        "namespace made for the run (`--stats`, `-B "
        f"{res['buffer_mb']}` MiB kernel buffer, BPF filter `ip`) while `tcpreplay --pps RATE "
        "--timer=nano` (it sleeps between frames rather than spinning, so it leaves CPU to "
        f"sipscope) sends about {res['seconds']:g} s of frames of `{os.path.basename(cap.path)}` "
        f"({cap.frames:,} frames, {cap.messages:,} SIP messages: {per_frame:.3f} per frame; "
        "looped when a run needs more frames) into the other end. A rate is *held* when sipscope "
        "received every frame sent and saw every SIP message they carry, nothing was dropped "
        "anywhere (sipscope's ring, the kernel's capture buffer, the veth), and sipscope was idle "
        f"again within {res['max_lag']:g} s of the last frame (a backlog that the buffers absorb "
        "but that sipscope does not catch up with is not held). Rates: a ladder up to the first "
        "rate not held, then bisection to 5 %; the best rate must be held a second time (when it "
        "is not, the search goes on below it). CPU is sipscope's "
        "(user + system, whole process and per thread) while tcpreplay sent, as a share of one "
        f"core; tcpreplay and the kernel's veth path (which also copies each frame into the "
        f"capture buffer) run on the same {os.cpu_count()} cores, as does everything else on the "
        "machine: \"main waited\" is the time sipscope's main thread was ready to run but had no "
        "CPU.")
    out.append("")
    if command:
        out.append(f"Command: `{command}`")
        out.append("")
    if best:
        msgs_s = best["expected_msgs"] / best["send_seconds"] if best["send_seconds"] else None
        pps = best["achieved_pps"]
        ok = msgs_s is not None and msgs_s >= TARGET_MSGS
        out.append(
            f"**Highest rate held: {_n(pps)} frames/s = {_n(msgs_s)} SIP messages/s** "
            f"(requested {'--topspeed' if best['rate'] is None else format(best['rate'], ',') + ' pps'}; "
            f"{best['achieved_mbps']:.0f} Mbit/s) — target ≥ {TARGET_MSGS:,} SIP messages/s with "
            f"zero program-side drops: {'met' if ok else 'NOT met'}. sipscope used "
            f"{best['cpu_pct']:.0f} % of a core at that rate (main thread {best['cpu_main_pct']:.0f} %, "
            f"capture thread {best['cpu_capture_pct']:.0f} %), "
            f"{_n(1e6 * best['cpu_total_s'] / best['expected_msgs'], '.2f') if best['cpu_total_s'] else '-'} "
            "µs of CPU per SIP message over the whole run."
            + ("" if res["confirmed"] is None else
               " Held in two runs." if res["confirmed"] else
               " Held once only: a second run at that rate was NOT held (the machine is shared "
               "and busy; see the table)."))
        if best.get("main_us_per_frame"):
            mu, cu = best["main_us_per_frame"], best["capture_us_per_frame"] or 0.0
            out.append("")
            out.append(
                f"At that rate sipscope's main thread (decode, SIP parse, model) spent {mu:.2f} µs of CPU "
                f"per frame ({mu / per_frame:.2f} µs per SIP message) and the capture thread (libpcap, "
                f"copy into the ring) {cu:.2f} µs, so a core left to the main thread would process about "
                f"{1e6 / mu:,.0f} frames/s ({1e6 / mu * per_frame:,.0f} SIP messages/s). The main thread "
                f"was kept waiting for a CPU {best['main_wait_pct']:.0f} % of the time (load average "
                f"{best['loadavg']:.1f} on {os.cpu_count()} cores)"
                + (": the rate held here is bounded by the CPU other processes left to sipscope."
                   if best["main_wait_pct"] >= 20 else ".")
                + f" Its resident memory levels off: {best['rss_mb']:,.0f} MB after "
                f"{best['frames']:,} frames (the {res['buffer_mb']} MiB kernel buffer, sipscope's "
                f"ring of twice -B, and a model held within the live default limits of 20,000 "
                f"calls and 100,000 messages).")
    else:
        out.append("**No rate tried was held** (see the table).")
    if res["first_bad"]:
        fb = res["first_bad"]
        out.append("")
        out.append(f"Lowest rate not held in a run: {_n(fb['achieved_pps'])} frames/s "
                   f"({'; '.join(fb['why'])}).")
    kd = [r for r in res["runs"] if r["kernel_dropped"]]
    out.append("")
    if kd:
        out.append("Kernel drops (the capture thread did not empty the kernel's buffer in time; "
                   "not sipscope's ring) occurred at: "
                   + ", ".join(f"{_n(r['achieved_pps'])} frames/s ({r['kernel_dropped']:,})" for r in kd)
                   + ".")
    else:
        out.append("No run had kernel drops.")
    out.append("")
    head = ["requested", "tcpreplay achieved (frames/s)", "Mbit/s", "SIP messages/s sent", "frames sent",
            "received", "ring dropped", "kernel dropped", "veth dropped", "SIP messages seen",
            "CPU % (main / capture)", "main waited for a CPU %", "main µs/frame", "peak RSS MB",
            "load avg", "lag s", "held"]
    out.append("| " + " | ".join(head) + " |")
    out.append("|" + "|".join(["---"] * len(head)) + "|")
    for r in res["runs"]:
        msgs_s = r["expected_msgs"] / r["send_seconds"] if r["send_seconds"] else None
        out.append("| " + " | ".join([
            "topspeed" if r["rate"] is None else f"{r['rate']:,}",
            _n(r["achieved_pps"]),
            _n(r["achieved_mbps"]),
            _n(msgs_s),
            _n(r["sent"], ","),
            _n(r["received"], ","),
            _n(r["ring_dropped"], ","),
            _n(r["kernel_dropped"], ","),
            _n(r["veth_dropped"], ","),
            f"{_n(r['messages'], ',')} of {r['expected_msgs']:,}",
            f"{r['cpu_pct']:.0f} ({r['cpu_main_pct']:.0f} / {r['cpu_capture_pct']:.0f})",
            f"{r['main_wait_pct']:.0f}",
            _n(r["main_us_per_frame"], ".2f"),
            _n(r["rss_mb"]),
            f"{r['loadavg']:.1f}",
            f"{r['lag']:.2f}",
            "yes" if r["held"] else "no: " + "; ".join(r["why"]),
        ]) + " |")
    out.append("")
    for r in res["runs"][-1:]:
        if r["tcpreplay_lines"]:
            out.append("tcpreplay's own report of the last run: `" + " / ".join(r["tcpreplay_lines"]) + "`")
            out.append("")
    return "\n".join(out)


def skipped_section(why):
    return f"{SECTION}\n\nNot measured: {why}.\n"


def replace_section(path, text):
    """Puts text (a whole section) into the file at path in place of the
    section of the same heading, or before '## Observations', or at the
    end."""
    try:
        old = open(path).read()
    except OSError:
        old = ""
    start = old.find("\n" + SECTION + "\n")
    if start >= 0:
        start += 1
        nxt = old.find("\n## ", start + len(SECTION))
        new = old[:start] + text.rstrip("\n") + "\n" + ("\n" + old[nxt + 1:] if nxt >= 0 else "")
    else:
        obs = old.find("\n## Observations")
        if obs >= 0:
            new = old[:obs + 1] + text.rstrip("\n") + "\n\n" + old[obs + 1:]
        else:
            new = (old.rstrip("\n") + "\n\n" if old.strip() else "") + text.rstrip("\n") + "\n"
    with open(path, "w") as fp:
        fp.write(new)


def add_args(ap):
    """The options bench/run_bench.py takes for this section."""
    ap.add_argument("--no-live", dest="live", action="store_false",
                    help="skip the live capture rate (tcpreplay into a veth pair; needs root)")
    ap.add_argument("--live-calls", type=int, default=None,
                    help="calls in the capture replayed (default: the largest of --calls)")
    ap.add_argument("--live-seconds", type=float, default=8.0,
                    help="sending time per live run (default 8)")
    ap.add_argument("--live-rates", default=None,
                    help="frames/s of the live ladder (default "
                         + ",".join(str(r) for r in DEFAULT_RATES) + ")")


def bench(args, bins, files, per_file, generate, notes, log_fn=log):
    """For bench/run_bench.py: the section for RESULTS.md (saying why when
    it could not be measured), or None with --no-live."""
    if not args.live:
        return None
    why = missing_requirements()
    path = None
    if not why:
        n = args.live_calls or max((f[0] for f in files), default=None)
        known = {f[0]: f[1] for f in files}
        path = known.get(n) or (generate(n)[0] if n else None)
        if not path:
            why = "no benchmark capture to replay"
    if why:
        notes.append("live capture rate not measured: " + why)
        log_fn(notes[-1])
        return skipped_section(why)
    rates = [int(x) for x in args.live_rates.split(",")] if args.live_rates else None
    try:
        res = search(bins["sipscope"], path, rates=rates, seconds=args.live_seconds)
    except (RuntimeError, OSError, subprocess.SubprocessError) as e:
        notes.append(f"live capture rate: the measurement failed: {e}")
        log_fn(notes[-1])
        return skipped_section(f"the measurement failed: {e}")
    md = section(res)
    print("\n" + md)
    return md


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sipscope", default=os.path.join(ROOT, "build-bench", "sipscope"))
    ap.add_argument("--pcap", default=os.path.join(HERE, "data", "calls-100000-seed1.pcap"))
    ap.add_argument("--seconds", type=float, default=8.0, help="sending time per run (default 8)")
    ap.add_argument("--rates", help="comma-separated frames/s for the ladder "
                    f"(default {','.join(str(r) for r in DEFAULT_RATES)})")
    ap.add_argument("--buffer-mb", type=int, default=256, help="sipscope -B (default 256)")
    ap.add_argument("--max-lag", type=float, default=1.0,
                    help="seconds sipscope may stay busy after the last frame (default 1)")
    ap.add_argument("--no-confirm", dest="confirm", action="store_false",
                    help="do not run the best rate a second time")
    ap.add_argument("--results", help="a Markdown file whose section '" + SECTION + "' is replaced")
    args = ap.parse_args()
    why = missing_requirements()
    if why:
        log("live rate skipped: " + why)
        if args.results:
            replace_section(args.results, skipped_section(why))
        return 0
    if not os.access(args.sipscope, os.X_OK):
        sys.exit(f"no sipscope binary at {args.sipscope}")
    rates = [int(x) for x in args.rates.split(",")] if args.rates else None
    # Interruptible even when started with SIGINT ignored (a background
    # job of a script): the clean-up runs on KeyboardInterrupt.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        res = search(args.sipscope, args.pcap, rates=rates, seconds=args.seconds,
                     buffer_mb=args.buffer_mb, max_lag=args.max_lag, confirm=args.confirm)
    except KeyboardInterrupt:
        log("interrupted; the namespace was removed")
        return 130
    text = section(res, command="python3 bench/live_rate.py " + " ".join(sys.argv[1:]))
    print(text)
    if args.results:
        replace_section(args.results, text)
        log(f"wrote the section to {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
