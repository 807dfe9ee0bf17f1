#!/usr/bin/env python3
"""UI responsiveness of sipscope's interactive interface, driven in tmux.

    bench/ui_latency.py --sipscope BIN --file CAPTURE [--reps 20] [--timeout 300]

The real binary runs in a detached tmux session (a private server, as in
tests/ui/test_ui.py), and the screen is read back with `capture-pane`:

  load   `sipscope -r FILE` in a 200x50 pane, the screen read every ~10 ms:
         the time until the status bar is drawn, until the call list shows
         its first call rows, and until loading has finished (the status
         bar no longer says "loading"; it shows "loading NN%" with a bar
         while the file is read).  Between the first rows and the end the
         screen is read less often, as the percentage says how far off the
         end is (every capture costs the harness a few ms of CPU that
         sipscope's two threads would otherwise have), and every 10 ms again
         near it; the gap between the last capture still loading and the
         first one loaded is reported as the resolution of the end.  Then
         once more in a new session, with `o` pressed three times as soon
         as the status bar shows, so that the list is kept sorted by FROM
         while the file loads.
  keys   with the file fully loaded, each key of a fixed sequence (Down,
         PgDn, End, Home, Enter for a ladder, Esc back, `/`, a few filter
         characters, Enter to keep the filter) is sent with `send-keys`,
         and the screen (with its attributes: `capture-pane -e`, so that a
         moved cursor counts) is read back to back until it differs from
         the screen before the key (first change), then until it has not
         changed for a while and no filter pass is running (final screen).
         The same is measured once per repetition on a pane running `cat`,
         where the terminal's own echo answers: the cost of the harness.

Every wait is bounded: a UI that does not answer fails with the screen it
was showing.  run_bench.py imports this module (--no-ui skips it); run on
its own it prints the Markdown section.
"""

import argparse
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

WIDTH, HEIGHT = 200, 50
LOAD_POLL = 0.010        # seconds between captures while loading
LOAD_POLL_MAX = 0.250    # at most this between captures far from the end
LOAD_AHEAD = 0.25        # share of the estimated time left slept at once
LOAD_SPARSE_AFTER = 0.5  # seconds of loading before captures thin out (the
                         # percentage is a poor guess of a short load's end)
KEY_POLL = 0.002         # pause between captures after a key
QUIET = 0.25             # a screen is final once unchanged this long (the
                         # UI redraws at most every 100 ms while busy)
KEY_TIMEOUT = 10.0       # seconds for a key's first change
SETTLE_TIMEOUT = 120.0   # seconds for a key's final screen (a filter pass)

TMUX_CONF = """\
set -g status off
set -g remain-on-exit on
set -g default-terminal screen
set -g history-limit 100
set -g escape-time 0
"""

ROW_RE = re.compile(r"^[ *]\s*\d+\s+\S")
FILTERING_RE = re.compile(r"\(\d+%\)")
LOADING_RE = re.compile(r"loading\s+(\d+)%")
STATUS_RE = re.compile(r"frames (\d+)\s+SIP (\d+)\s+calls (?:\d+/)?(\d+)")
SORTED_RE = re.compile(r"(\S+?)[\u25b2\u25bc]")   # the title of the sort column, marked
# Sorting by a column other than the index while the file loads: "o" three
# times goes index -> start -> method -> from.
SORT_KEYS = ("o", "o", "o")


class UiFailure(Exception):
    """The UI did not answer in time (or the harness broke)."""


class Tmux:
    """A private tmux server in a temporary folder."""

    def __init__(self, workdir):
        self.sock = os.path.join(workdir, "tmux.sock")
        self.conf = os.path.join(workdir, "tmux.conf")
        with open(self.conf, "w") as fh:
            fh.write(TMUX_CONF)

    def cmd(self, *args, check=True):
        p = subprocess.run(["tmux", "-S", self.sock, "-f", self.conf] + list(args),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
        if check and p.returncode != 0:
            raise UiFailure("tmux %s: %s" % (" ".join(args), p.stderr.decode().strip()))
        return p.stdout.decode("utf-8", "replace")

    def start(self, name, command, env):
        args = ["new-session", "-d", "-s", name, "-x", str(WIDTH), "-y", str(HEIGHT)]
        for k, v in env.items():
            args += ["-e", "%s=%s" % (k, v)]
        args.append(command)
        self.cmd(*args)

    def capture(self, name, attrs=False):
        return self.cmd("capture-pane", "-p", "-t", name, *(["-e"] if attrs else []))

    def send(self, name, key, literal=False):
        self.cmd("send-keys", "-t", name, *(["-l"] if literal else []), key)

    def pane(self, name, fmt):
        return self.cmd("display-message", "-p", "-t", name, fmt).strip()

    def kill(self):
        self.cmd("kill-server", check=False)


def head(screen, n=6):
    return "\n".join(l.rstrip() for l in screen.split("\n")[:n])


def status_of(screen):
    return screen.split("\n", 1)[0]


def busy(screen):
    """The status bar says loading or a filter pass is running."""
    s = status_of(screen)
    return "loading" in s or bool(FILTERING_RE.search(s))


def status_kb(pid, field):
    """A field of /proc/PID/status in kB (VmHWM, RssAnon, RssFile), or None."""
    try:
        with open("/proc/%d/status" % pid) as fh:
            m = re.search(r"%s:\s+(\d+)" % field, fh.read())
        return int(m.group(1)) if m else None
    except (OSError, ValueError):
        return None


def vm_hwm_kb(pid):
    return status_kb(pid, "VmHWM")


def measure_load(t, binary, path, timeout, stderr_path, keys=()):
    """Start sipscope on the file; times from the start of the session.
    keys: sent once, as soon as the status bar is drawn (the column the
    list is then sorted by is in res["sorted"])."""
    env = {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TERM": "screen"}
    command = "exec %s -r %s 2>%s" % (shlex.quote(binary), shlex.quote(path),
                                      shlex.quote(stderr_path))
    res = {"drawn": None, "rows": None, "loaded": None, "polls": 0, "last_loading": 0.0}
    keys = list(keys)
    t0 = time.perf_counter()
    t.start("ui", command, env)
    deadline = t0 + timeout
    screen = ""
    next_poll = t0
    wait = 0.0
    while True:
        now = time.perf_counter()
        if now > deadline:
            what = "loading did not finish" if res["rows"] else "no call rows appeared"
            raise UiFailure("%s within %d s; the screen showed:\n%s" % (what, timeout, head(screen)))
        screen = t.capture("ui")
        seen = time.perf_counter() - t0
        res["polls"] += 1
        lines = screen.split("\n")
        if (res["polls"] % 50 == 0 or wait > 0) and t.pane("ui", "#{pane_dead}") == "1":
            raise UiFailure("sipscope exited while loading:\n" + head(screen))
        if lines[0].startswith(" sipscope"):
            if res["drawn"] is None:
                res["drawn"] = seen
            while keys:
                t.send("ui", keys.pop(0))
            if res["rows"] is None and len(lines) > 2 and "METHOD" in lines[1] \
                    and ROW_RE.match(lines[2]):
                res["rows"] = seen
            if res["rows"] is not None and "loading" not in lines[0]:
                res["loaded"] = seen
                break
        res["last_loading"] = seen
        next_poll = max(next_poll + LOAD_POLL, time.perf_counter())
        wait = load_wait(lines[0], seen) if res["rows"] is not None else 0.0
        next_poll += wait
        time.sleep(max(0.0, next_poll - time.perf_counter()))
    res["end_resolution"] = res["loaded"] - res["last_loading"]
    m = SORTED_RE.search(lines[1] if len(lines) > 1 else "")
    res["sorted"] = m.group(1) if m else None
    m = STATUS_RE.search(status_of(screen))
    if m:
        res["frames"], res["messages"], res["calls"] = map(int, m.groups())
    try:
        pid = int(t.pane("ui", "#{pane_pid}"))
    except ValueError:
        pid = None
    res["rss_kb"] = vm_hwm_kb(pid) if pid else None
    # what stays once loaded, a moment later: the UI gives back the
    # capture's pages that loading and the findings read
    time.sleep(0.5)
    res["anon_kb"] = status_kb(pid, "RssAnon") if pid else None
    res["file_kb"] = status_kb(pid, "RssFile") if pid else None
    return res


def load_wait(status, elapsed):
    """Seconds to wait beyond LOAD_POLL before the next capture: a share
    of the time left, as the status bar's percentage estimates it from the
    time so far (none when it shows none)."""
    m = LOADING_RE.search(status)
    if elapsed < LOAD_SPARSE_AFTER or not m or int(m.group(1)) == 0:
        return 0.0
    pct = min(100, int(m.group(1)))
    left = elapsed * (100 - pct) / pct
    return max(0.0, min(LOAD_POLL_MAX, LOAD_AHEAD * left) - LOAD_POLL)


def await_change(t, name, before, t0, what):
    """(first change, final screen time, final screen, captures)."""
    first = None
    last_change = None
    screen = before
    polls = 0
    deadline_first = t0 + KEY_TIMEOUT
    deadline_final = t0 + SETTLE_TIMEOUT
    while True:
        cur = t.capture(name, attrs=True)
        now = time.perf_counter()
        polls += 1
        if cur != screen:
            screen = cur
            last_change = now
            if first is None:
                first = now
        if first is None:
            if now > deadline_first:
                raise UiFailure("%s: the screen did not change within %.0f s; it showed:\n%s"
                                % (what, KEY_TIMEOUT, head(screen)))
        elif now - last_change >= QUIET and not busy(screen):
            return first - t0, last_change - t0, screen, polls
        if now > deadline_final:
            raise UiFailure("%s: the screen did not settle within %.0f s; it showed:\n%s"
                            % (what, SETTLE_TIMEOUT, head(screen)))
        time.sleep(KEY_POLL)


def settle(t, name, what, timeout=SETTLE_TIMEOUT):
    """The screen once it has stopped changing and nothing is running."""
    deadline = time.perf_counter() + timeout
    last = None
    since = time.perf_counter()
    while time.perf_counter() < deadline:
        cur = t.capture(name, attrs=True)
        now = time.perf_counter()
        if cur != last:
            last, since = cur, now
        elif now - since >= QUIET and not busy(cur):
            return cur
        time.sleep(KEY_POLL)
    raise UiFailure("%s: the screen did not settle within %.0f s:\n%s" % (what, timeout, head(last or "")))


# The key sequence of one repetition: (label, tmux key, literal).  It starts
# and ends on the call list with the cursor on the first row and no filter.
def key_sequence(filter_text):
    seq = [
        ("Down", "Down", False),
        ("PgDn", "PageDown", False),
        ("End", "End", False),
        ("Home", "Home", False),
        ("Enter (open the ladder)", "Enter", False),
        ("Esc (back to the call list)", "Escape", False),
        ("/ (open the filter prompt)", "/", False),
    ]
    for ch in filter_text:
        seq.append(("a filter character (typed, filter applied as typed)", ch, True))
    seq.append(("Enter (keep the filter)", "Enter", False))
    return seq


FLOOR = "(harness: a character echoed by the terminal to `cat`)"


def measure_keys(t, reps, filter_text, log):
    """{label: [(first, final), ...]}, the floor's [(first, final), ...] and
    {label: mean seconds between captures}."""
    seq = key_sequence(filter_text)
    out = {label: [] for label, _k, _l in seq}
    # Captures and seconds spent polling, per key: the measured resolution.
    polled = {label: [0, 0.0] for label in out}
    polled[FLOOR] = [0, 0.0]
    floor = []
    settle(t, "floor", "cat")
    screen = settle(t, "ui", "the call list after loading")
    for rep in range(reps):
        # The harness alone: the terminal echoes a character typed to cat.
        before = t.capture("floor", attrs=True)
        t0 = time.perf_counter()
        t.send("floor", "x", literal=True)
        first, final, _s, polls = await_change(t, "floor", before, t0, "cat echo")
        floor.append((first, final))
        polled[FLOOR][0] += polls
        polled[FLOOR][1] += time.perf_counter() - t0
        for label, key, literal in seq:
            t0 = time.perf_counter()
            t.send("ui", key, literal)
            first, final, screen, polls = await_change(t, "ui", screen, t0, label)
            out[label].append((first, final))
            polled[label][0] += polls
            polled[label][1] += time.perf_counter() - t0
        # Back to no filter: / Ctrl-U Enter (not timed).
        for key in ("/", "C-u", "Enter"):
            t.send("ui", key)
            time.sleep(0.02)
        screen = settle(t, "ui", "clearing the filter")
        if "filter:" in status_of(screen):
            raise UiFailure("the filter was not cleared:\n" + head(screen))
        log("  ui keys: repetition %d/%d, first change (ms): %s" % (rep + 1, reps, " ".join(
            "%.0f" % (out[label][-1][0] * 1e3) for label in out)))
    return out, floor, {k: secs / max(1, n) for k, (n, secs) in polled.items()}


def measure_poll_cost(t, n=30):
    t0 = time.perf_counter()
    for _ in range(n):
        t.capture("ui", attrs=True)
    return (time.perf_counter() - t0) / n


def quit_ui(t):
    t.send("ui", "q")
    deadline = time.perf_counter() + 20
    while time.perf_counter() < deadline and t.pane("ui", "#{pane_dead}") != "1":
        time.sleep(0.05)
    if t.pane("ui", "#{pane_dead}") != "1":
        raise UiFailure("sipscope did not exit after q")
    t.cmd("kill-session", "-t", "ui")


def run(binary, path, reps=20, timeout=300, filter_text="busy", log=None):
    """Both measurements on one capture: a dict for section()."""
    log = log or (lambda m: print(m, file=sys.stderr, flush=True))
    if not shutil.which("tmux"):
        raise UiFailure("tmux is not installed (apt-get install tmux)")
    work = tempfile.mkdtemp(prefix="sipscope-bench-ui-")
    t = Tmux(work)
    errfile = os.path.join(work, "stderr.txt")
    res = {"file": path, "reps": reps, "filter": filter_text,
           "tmux": subprocess.run(["tmux", "-V"], stdout=subprocess.PIPE, text=True).stdout.strip()}
    try:
        # The server is up (with the harness pane) before the clock starts.
        t.start("floor", "exec cat", {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"})
        log("ui: loading %s in tmux (%dx%d)" % (os.path.basename(path), WIDTH, HEIGHT))
        res["load"] = measure_load(t, binary, path, timeout, errfile)
        ld = res["load"]
        log("  ui load: status bar %.3f s, first call rows %.3f s, loaded %.3f s" %
            (ld["drawn"], ld["rows"], ld["loaded"]))
        res["capture_cost"] = measure_poll_cost(t)
        if reps > 0:
            res["keys"], res["floor"], res["key_poll"] = measure_keys(t, reps, filter_text, log)
        quit_ui(t)
        err = open(errfile, errors="replace").read().strip()
        if err:
            res["stderr"] = err[-500:]
        # The same file again, sorted by another column from the start:
        # the list is then kept in order while it grows.
        log("ui: loading %s again, sorted" % os.path.basename(path))
        ls = measure_load(t, binary, path, timeout, errfile, SORT_KEYS)
        res["load"]["sorted_load"] = ls
        log("  ui load, sorted by %s: loaded %.3f s" % (ls["sorted"], ls["loaded"]))
        quit_ui(t)
    finally:
        t.kill()
        shutil.rmtree(work, ignore_errors=True)
    return res


def ms(x):
    return "-" if x is None else "%.0f" % (x * 1e3) if x >= 0.1 else "%.1f" % (x * 1e3)


def load_table(ld, info=None, stats_wall=None):
    """The lines of the table of measure_load's result."""
    out = []
    out.append("Opening the file (from `tmux new-session` on a running server; the screen "
               "read every %.0f ms until the first rows, then less often while far from the "
               "end, at most every %.0f ms; %d captures):\n"
               % (LOAD_POLL * 1e3, LOAD_POLL_MAX * 1e3, ld["polls"]))
    out.append("| event | seconds |")
    out.append("|---|---|")
    out.append("| (resolution of the end: from the last capture still loading to the first "
               "loaded, nominal %.0f ms) | %.3f |" % (LOAD_POLL * 1e3, ld["end_resolution"]))
    if ld["end_resolution"] > 3 * LOAD_POLL:
        out.append("| (the end was seen late: the time it finished is an upper bound, "
                   "within the resolution above) | |")
    out.append("| status bar drawn | %.3f |" % ld["drawn"])
    out.append("| first call rows in the call list | %.3f |" % ld["rows"])
    out.append("| loading finished (no `loading NN%%` in the status bar) | %.3f |" % ld["loaded"])
    ls = ld.get("sorted_load")
    if ls:
        out.append("| loading finished, the list sorted by %s from the start (`o` three times "
                   "once the status bar shows; a new session) | %.3f (%.2f x) |"
                   % (ls["sorted"] or "? (the titles showed no sort mark)", ls["loaded"],
                      ls["loaded"] / ld["loaded"]))
    if stats_wall:
        out.append("| for comparison: `sipscope --stats` on the same file (median wall time above) "
                   "| %.3f (UI load = %.2f x) |" % (stats_wall, ld["loaded"] / stats_wall))
    if ld.get("rss_kb"):
        out.append("| peak RSS of the UI once loaded (VmHWM) | %.0f MB |" % (ld["rss_kb"] / 1024))
    if ld.get("anon_kb") is not None and ld.get("file_kb") is not None:
        msgs = (info or {}).get("messages") or ld.get("messages")
        per = " (%.0f bytes per SIP message)" % (ld["anon_kb"] * 1024 / msgs) if msgs else ""
        out.append("| resident once loaded: anonymous | %.0f MB%s |" % (ld["anon_kb"] / 1024, per))
        out.append("| resident once loaded: file-backed (the capture's pages, libraries) | %.0f MB |"
                   % (ld["file_kb"] / 1024))
    if "messages" in ld:
        seen = "frames %s, SIP messages %s, calls %s" % tuple(
            format(ld[k], ",") for k in ("frames", "messages", "calls"))
        if info:
            seen += " (%s)" % ("all SIP messages" if ld["messages"] == info["messages"]
                               else "EXPECTED %s" % format(info["messages"], ","))
        out.append("| status bar when loaded | %s |" % seen)
    return out


def section(res, info=None, stats_wall=None):
    """The Markdown section of RESULTS.md."""
    name = os.path.basename(res["file"])
    out = []
    what = ("%s calls, %s SIP messages" % (format(info["calls"], ","), format(info["messages"], ","))
            if info else name)
    out.append("## UI responsiveness (`sipscope -r FILE` in tmux, %dx%d, %s)\n" % (WIDTH, HEIGHT, what))
    out.append("The interactive UI runs in a detached tmux session (%s, a private server, "
               "TERM=screen) and the screen is read back with `tmux capture-pane`, as the UI "
               "tests do (bench/ui_latency.py). Times include tmux: the harness row below is "
               "a pane running `cat`, where the terminal's own echo answers a typed character.\n"
               % res["tmux"])
    if "error" in res:
        out.append("**Failed:** " + res["error"].replace("\n", "\n    ") + "\n")
    ld = res.get("load")
    if ld:
        out += load_table(ld, info, stats_wall)
        out.append("")
    keys = res.get("keys")
    if keys:
        periods = res.get("key_poll") or {}
        allp = list(periods.values())
        out.append("Keys, with the file loaded, %d repetitions of the sequence (the filter text "
                   "is `%s`, typed one character at a time; each key waits for the screen of the "
                   "one before to settle). *First change*: from just before `tmux send-keys` to "
                   "the first capture that differs (attributes included, so a moved cursor "
                   "counts). *Final*: the last change, once the screen has stayed the same for "
                   "%.0f ms with no filter pass running. Polling resolution: captures back to "
                   "back with %.0f ms pauses; the last column is the measured mean time between "
                   "captures (one `capture-pane -e` of this screen costs %.1f ms).\n"
                   % (res["reps"], res["filter"], QUIET * 1e3, KEY_POLL * 1e3,
                      (res.get("capture_cost") or 0) * 1e3))
        out.append("| key | first change ms, median | max | final screen ms, median | max | samples "
                   "| polling period ms |")
        out.append("|---|---|---|---|---|---|---|")

        def row(label, xs):
            f = [a for a, _b in xs]
            g = [b for _a, b in xs]
            out.append("| %s | %s | %s | %s | %s | %d | %s |" % (
                label, ms(statistics.median(f)), ms(max(f)), ms(statistics.median(g)),
                ms(max(g)), len(xs), "%.1f" % (periods[label] * 1e3) if label in periods else "-"))
        if res.get("floor"):
            row(FLOOR, res["floor"])
        for label, xs in keys.items():
            if xs:
                row(label, xs)
        out.append("")
        if allp and max(allp) > 4 * (KEY_POLL + (res.get("capture_cost") or 0)):
            out.append("The polling period varied widely: the machine was busy, and the maxima "
                       "carry its stalls (compare the harness row).\n")
        out.append("Esc waits for ESCDELAY (25 ms, set by sipscope unless the environment sets "
                   "it) before curses reports it as a key rather than the start of a sequence.\n")
    big = res.get("large")
    if big:
        binfo = big.get("info")
        out.append("### Opening the largest file (%s)\n" % (
            "%s calls, %s SIP messages" % (format(binfo["calls"], ","), format(binfo["messages"], ","))
            if binfo else os.path.basename(big["file"])))
        out.append("The same measurement of the load, without keys, on the largest capture of the "
                   "run.\n")
        if "error" in big:
            out.append("**Failed:** " + big["error"].replace("\n", "\n    ") + "\n")
        if big.get("load"):
            out += load_table(big["load"], binfo, big.get("stats_wall"))
            out.append("")
        if big.get("stderr"):
            out.append("sipscope's standard error: `%s`\n" % big["stderr"].replace("`", "'"))
    if res.get("stderr"):
        out.append("sipscope's standard error: `%s`\n" % res["stderr"].replace("`", "'"))
    return "\n".join(out).rstrip("\n")


# ---- run_bench.py ---------------------------------------------------------

def add_args(ap):
    ap.add_argument("--no-ui", dest="ui", action="store_false",
                    help="skip the UI responsiveness measurement (tmux)")
    ap.add_argument("--ui-calls", type=int, default=None,
                    help="calls in the capture the UI opens for the keys (default: the largest "
                         "of --calls; when smaller, the largest is opened too, for its load)")
    ap.add_argument("--ui-reps", type=int, default=20,
                    help="repetitions of the key sequence (default 20)")


def bench(args, bins, files, per_file, generate, notes, log):
    """The section for RESULTS.md, or None (with a note) when skipped."""
    if not args.ui:
        return None
    if not shutil.which("tmux"):
        notes.append("UI responsiveness skipped: tmux is not installed (apt-get install tmux)")
        return None
    n = args.ui_calls or max((f[0] for f in files), default=None)
    if n is None:
        return None
    known = {f[0]: (f[1], f[2]) for f in files}
    path, info = known[n] if n in known else generate(n)
    if not path:
        notes.append("UI responsiveness skipped: no %s-call capture" % format(n, ","))
        return None
    stats_wall = None
    if n in per_file and "stats" in per_file[n][1]:
        stats_wall = per_file[n][1]["stats"]["wall"]
    try:
        res = run(bins["sipscope"], path, args.ui_reps, args.timeout, log=log)
    except (UiFailure, subprocess.TimeoutExpired) as e:
        log("ui: FAILED: %s" % e)
        res = {"file": path, "reps": args.ui_reps, "filter": "busy", "error": str(e),
               "tmux": "tmux"}
    # Keys are measured on the --ui-calls file; the time to the first
    # screen and to loaded, and the memory, on the largest file too.
    largest = max(known)
    if largest > n and known[largest][0]:
        bpath, binfo = known[largest]
        big = {"file": bpath, "info": binfo}
        if largest in per_file and "stats" in per_file[largest][1]:
            big["stats_wall"] = per_file[largest][1]["stats"]["wall"]
        try:
            big.update(run(bins["sipscope"], bpath, 0, args.timeout, log=log))
        except (UiFailure, subprocess.TimeoutExpired) as e:
            log("ui (largest file): FAILED: %s" % e)
            big["error"] = str(e)
        res["large"] = big
    md = section(res, info, stats_wall)
    print("\n" + md)
    return md


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sipscope", required=True)
    ap.add_argument("--file", required=True)
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--timeout", type=int, default=300, help="seconds for loading (default 300)")
    ap.add_argument("--filter", default="busy", help="filter text typed (default busy)")
    a = ap.parse_args()
    info = None
    try:
        m = re.search(r"(\d+) SIP messages.*?(\d+) calls", open(a.file + ".txt").read())
        if m:
            info = {"messages": int(m.group(1)), "calls": int(m.group(2))}
    except OSError:
        pass
    try:
        res = run(os.path.abspath(a.sipscope), os.path.abspath(a.file), a.reps, a.timeout, a.filter)
    except UiFailure as e:
        print("FAILED: %s" % e, file=sys.stderr)
        return 1
    print(section(res, info))
    return 0


if __name__ == "__main__":
    sys.exit(main())
