#!/usr/bin/env python3
"""Golden-screen tests of sipscope's interactive UI: the real binary runs in
tmux (a private server per test), keys go in with send-keys, and the screen
comes back with capture-pane and is compared with tests/ui/golden/CASE.txt.

Usage: test_ui.py --sipscope BINARY [CASE...]   (no CASE: every case)
       test_ui.py --list                        (the case names)

Exit status 77 (a skip for ctest) when tmux is not installed.

The screens are deterministic: times are the capture's, in UTC; the status
bar has no clock; the terminal is 100x30 unless a case says otherwise, with
LANG=C.UTF-8 and TERM=screen.  A screen has "settled" when three captures in
a row are equal and the status bar no longer says "loading".

Live cases listen for HEP on 127.0.0.1 (UDP ports 15300-15309, no
privileges needed) and send it the messages of a capture file as HEPv3,
with the file's addresses and times, so their screens are deterministic;
the cases on interfaces (-i lo, and a veth pair in a network namespace
taken down under the UI) run only as root and skip otherwise.

To refresh the golden files on purpose (after a deliberate change of a
screen), set SIPSCOPE_GOLDEN_UPDATE=1:

    SIPSCOPE_GOLDEN_UPDATE=1 ctest --test-dir BUILD -R '^ui/'

then read `git diff tests/ui/golden` before committing.
"""

import argparse
import difflib
import json
import os
import re
import shlex
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
PCAPS = os.path.join(TESTS, "pcaps")
GOLDEN = os.path.join(HERE, "golden")
SKIP = 77

BASIC = ["udp_basic_call.pcap"]
MANY = ["udp_basic_call.pcap", "cancel_flow.pcap", "register_digest.pcap",
        "forking.pcap", "compact_headers.pcap"]
ESCAPES = "@escapes"   # made by make_escape_pcap.py in the test's folder
MANY_CALLS = "@many-calls"   # made by many_calls_pcap() in the test's folder
FINDINGS = ["findings/ack-missing.pcap", "findings/missing-max-forwards.pcap",
            "findings/no-common-codec.pcap", "udp_basic_call.pcap"]

TMUX_CONF = """\
set -g status off
set -g remain-on-exit on
set -g default-terminal screen
set -g allow-rename on
set -g set-clipboard on
set -g history-limit 100
"""


class Tmux:
    """One private tmux server (its own socket) running one session."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.sock = os.path.join(workdir, "tmux.sock")
        self.conf = os.path.join(workdir, "tmux.conf")
        with open(self.conf, "w") as fh:
            fh.write(TMUX_CONF)

    def cmd(self, *args, check=True):
        p = subprocess.run(["tmux", "-S", self.sock, "-f", self.conf] + list(args),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
        if check and p.returncode != 0:
            raise RuntimeError("tmux %s: %s" % (" ".join(args), p.stderr.decode()))
        return p.stdout.decode("utf-8", "replace")

    def start(self, width, height, script, env):
        args = ["new-session", "-d", "-s", "ui", "-x", str(width), "-y", str(height),
                "-c", self.workdir]
        for k, v in env.items():
            args += ["-e", "%s=%s" % (k, v)]
        args.append("sh %s" % shlex.quote(script))
        self.cmd(*args)

    def keys(self, *keys):
        for k in keys:
            if k.startswith("literal:"):
                self.cmd("send-keys", "-t", "ui", "-l", k[len("literal:"):])
            else:
                self.cmd("send-keys", "-t", "ui", k)
            time.sleep(0.05)

    def capture(self):
        return self.cmd("capture-pane", "-p", "-t", "ui")

    def display(self, fmt):
        return self.cmd("display-message", "-p", "-t", "ui", fmt).strip()

    def resize(self, width, height):
        self.cmd("resize-window", "-t", "ui", "-x", str(width), "-y", str(height))

    def dead(self):
        return self.display("#{pane_dead}") == "1"

    def kill(self):
        self.cmd("kill-server", check=False)


def normalise(screen):
    lines = [l.rstrip() for l in screen.split("\n")]
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"


def settle(t, timeout=30.0):
    """The screen once it stops changing (and loading is over)."""
    deadline = time.time() + timeout
    last, same = None, 0
    while time.time() < deadline:
        s = t.capture()
        first = s.split("\n", 1)[0]
        if s == last and "loading" not in first:
            same += 1
            if same >= 3:
                return s
        else:
            same = 0
        last = s
        time.sleep(0.1)
    raise RuntimeError("the screen did not settle:\n" + (last or ""))


class Case:
    """config: text of the configuration file ($XDG_CONFIG_HOME/sipscope/config, or
    with config_arg the file passed with --config); expect_stderr: a regular
    expression standard error must match (else it must be empty)."""

    def __init__(self, name, inputs, keys=(), size=(100, 30), resize=None, check=None,
                 golden=True, quit_keys=("q",), expect_rc=0, args=(), config=None,
                 config_arg=None, expect_stderr=None, live=None, root=False, netns=False,
                 ports=(), env=None):
        self.name = name
        self.env = env
        # live: run with ctx once the UI is up, before the keys (it sends
        # the traffic); root: skipped unless run as root; netns: runs in a
        # network namespace of its own (ctx["netns"]); ports: UDP ports on
        # 127.0.0.1 it needs free (skipped otherwise).
        self.ports = ports
        self.live = live
        self.root = root
        self.netns = netns
        self.config = config
        self.config_arg = config_arg
        self.expect_stderr = expect_stderr
        self.inputs = inputs
        self.keys = keys
        self.size = size
        self.resize = resize
        self.check = check
        self.golden = golden
        self.quit_keys = quit_keys
        self.expect_rc = expect_rc
        self.args = args


def check_escapes(ctx):
    """Nothing from the wire drove the terminal: the pane title and window
    name are what they were, no tmux buffer was set (OSC 52), and the
    escapes show as text."""
    screen = ctx["screen"]
    errors = []
    for want in ("\\x1b]0;PWNED-TITLE\\x07", "\\x1b[31mRED\\x1b[0m", "\\x1bkevil-window\\x1b\\\\",
                 "\\x1b]52;c;ZXZpbA==\\x07", "esc\\x1b[7mcall@192.0.2.66"):
        if want not in screen:
            errors.append("the screen does not show %r as text" % want)
    t = ctx["tmux"]
    if "PWNED" in t.display("#{pane_title}"):
        errors.append("the pane title was changed: %r" % t.display("#{pane_title}"))
    if "evil" in t.display("#{window_name}"):
        errors.append("the window was renamed: %r" % t.display("#{window_name}"))
    if t.cmd("list-buffers", check=False).strip():
        errors.append("a tmux buffer was set (OSC 52)")
    return errors


def check_quit(ctx):
    """After q the program has ended with status 0 and given the terminal
    back: the tty modes are what they were (stty), the alternate screen is
    off, the keypad is back in normal mode, and nothing of the UI is left
    on the screen."""
    t = ctx["tmux"]
    deadline = time.time() + 20
    while time.time() < deadline and not t.dead():
        time.sleep(0.1)
    screen = t.capture()
    errors = []
    if not t.dead():
        errors.append("sipscope did not exit after q")
    if "AFTER rc=0" not in screen:
        errors.append("sipscope did not exit with status 0:\n" + screen)
    if "STTY-RESTORED" not in screen:
        errors.append("the tty modes were not restored:\n" + screen)
    # (tmux's cursor_flag of a dead pane depends on timing: not checked.)
    flags = t.display("#{alternate_on} #{keypad_flag} #{keypad_cursor_flag}")
    if flags != "0 0 0":
        errors.append("terminal state after exit (alternate screen, keypad, keypad cursor) "
                      "is %r, not '0 0 0'" % flags)
    if "sipscope " in screen or "Ladder" in screen or "TIME (UTC)" in screen:
        errors.append("the UI is still on the screen:\n" + screen)
    return errors


def check_no_ui(ctx):
    """-N on a terminal: the text lines, no UI."""
    screen = ctx["screen"]
    if "UDP 100 Trying  CSeq 101 INVITE" not in screen.replace("\n", "") or "TIME (UTC)" in screen \
            or "Ladder" in screen:
        return ["-N did not print the text lines:\n" + screen]
    return []


def many_calls_pcap(out, calls=2500):
    """Answered calls one after the other, each 10 ms after the one
    before (about 6 MB): more than a screen of calls, and more than a
    page of the file each."""
    sys.path.insert(0, os.path.join(TESTS, "tools"))
    import mkpcap
    cap = mkpcap.Capture()
    pad = "X-Pad: " + "p" * 300 + "\r\n"
    for i in range(calls):
        t = 1700000000 * 10**9 + i * 10**7
        cid = "many-%d@192.0.2.1" % i
        common = ("From: <sip:alice@example.com>;tag=a{i}\r\nTo: <sip:bob@example.com>{tt}\r\n"
                  "Call-ID: {cid}\r\nCSeq: {n} {m}\r\n" + pad + "Content-Length: 0\r\n\r\n")
        msgs = [
            (True, "INVITE sip:bob@192.0.2.2 SIP/2.0\r\n", "INVITE", "i", 1, ""),
            (False, "SIP/2.0 200 OK\r\n", "INVITE", "i", 1, ";tag=b%d" % i),
            (True, "ACK sip:bob@192.0.2.2 SIP/2.0\r\n", "ACK", "k", 1, ";tag=b%d" % i),
            (True, "BYE sip:bob@192.0.2.2 SIP/2.0\r\n", "BYE", "b", 2, ";tag=b%d" % i),
            (False, "SIP/2.0 200 OK\r\n", "BYE", "b", 2, ";tag=b%d" % i),
        ]
        for k, (from_a, first, m, br, n, tt) in enumerate(msgs):
            text = (first + "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK%s%d\r\n" % (br, i) +
                    ("Max-Forwards: 70\r\n" if from_a else "") +
                    common.format(i=i, tt=tt, cid=cid, n=n, m=m))
            cap.at(t + k * 10**6)
            ends = ("192.0.2.1", 5060, "192.0.2.2", 5060)
            if not from_a:
                ends = (ends[2], ends[3], ends[0], ends[1])
            cap.add(mkpcap.udp_packet(*ends, text.encode()))
    cap.write_pcap(out)


def check_pages_given_back(ctx):
    """Once loading is over, the capture's pages that loading and the
    findings read are given back: what stays of the file's mapping is
    what the screen shows and what the kernel maps around it (a quarter
    of this file; the whole of it before), and nothing goes on giving
    pages back."""
    t = ctx["tmux"]
    pid = program_pid(t)
    path = os.path.join(ctx["workdir"], "many-calls.pcap")
    size = os.path.getsize(path)
    rss = None
    with open("/proc/%d/smaps" % pid) as fh:
        inside = False
        for line in fh:
            if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
                inside = line.rstrip().endswith(" " + path)
            elif inside and line.startswith("Rss:"):
                rss = (rss or 0) + int(line.split()[1]) * 1024
    if rss is None:
        return ["the capture %s is not mapped" % path]
    errors = []
    if rss > size // 2:
        errors.append("%d of the capture's %d bytes are still resident after loading" % (rss, size))
    # the thread that gave pages back while the end of loading read them
    # has stopped: an idle UI wakes for nothing
    names = []
    for task in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/comm" % (pid, task)) as fh:
                names.append(fh.read().strip())
        except OSError:
            pass
    if "sipscope-pages" in names:
        errors.append("the page-releasing thread still runs after loading: %s" % names)
    return errors


def program_pid(t):
    """The pid of sipscope: the child of the pane's shell."""
    shell = t.display("#{pane_pid}")
    out = subprocess.run(["ps", "-o", "pid=,comm=", "--ppid", shell], stdout=subprocess.PIPE,
                         timeout=10).stdout.decode().split("\n")
    for line in out:
        parts = line.split()
        if len(parts) == 2 and parts[1].startswith("sipscope"):
            return int(parts[0])
    raise RuntimeError("sipscope is not running under the pane's shell")


def signal_check(sig, want_rc):
    def check(ctx):
        t = ctx["tmux"]
        os.kill(program_pid(t), sig)
        deadline = time.time() + 20
        while time.time() < deadline and not t.dead():
            time.sleep(0.1)
        screen = t.capture()
        errors = []
        if want_rc is not None and ("AFTER rc=%d" % want_rc) not in screen:
            errors.append("exit status is not %d after signal %d:\n%s" % (want_rc, sig, screen))
        if "STTY-RESTORED" not in screen:
            errors.append("the tty modes were not restored after signal %d:\n%s" % (sig, screen))
        flags = t.display("#{alternate_on} #{keypad_flag}")
        if flags != "0 0":
            errors.append("alternate screen / keypad still on after signal %d: %r" % (sig, flags))
        return errors
    return check


def sip_lines(out):
    """The -N lines without their frame numbers (a saved file numbers its
    frames anew)."""
    return [re.sub(r"^\s*\d+ ", "", l) for l in out.decode("utf-8", "replace").splitlines()]


def loosely(lines):
    """Sorted, without warning counts: a saved stream has gaps where frames
    that carried no SIP were, so its messages may come out in another
    order across the two directions, with a note about the gap."""
    return sorted(re.sub(r"  \[\d+ warnings?\]$", "", l) for l in lines)


def save_check(capture, calls, base, exact=True):
    """s + Enter saved the calls' packets under the default name: a capture
    sipscope reads back with the same SIP messages; S + Enter saved the
    ladder, byte for byte what --ladder prints for those calls."""
    def check(ctx):
        errors = []
        wd = ctx["workdir"]
        pcap = os.path.join(wd, base + ".pcap")
        txt = os.path.join(wd, base + ".txt")
        src = os.path.join(PCAPS, capture)
        if not os.path.exists(pcap):
            return ["no %s.pcap was written:\n%s" % (base, ctx["screen_after_save"])]
        if not re.search(r"saved \d+ packets? of %d calls? to %s\.pcap" % (len(calls), re.escape(base)),
                         ctx["screen_after_save"]):
            errors.append("no message after saving:\n" + ctx["screen_after_save"])

        def run(*a):
            return subprocess.run([ctx["bin"], "-q"] + list(a), stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, timeout=60)
        got = run("-N", "-r", pcap)
        want = run("-N", "-r", src)
        want_lines = [l for l in sip_lines(want.stdout)
                      if any(("Call-ID " + cid) in l for cid in ctx["call_ids"])]
        got_lines = sip_lines(got.stdout)
        if not exact:
            got_lines, want_lines = loosely(got_lines), loosely(want_lines)
        if got.returncode != 0 or got_lines != want_lines:
            errors.append("the saved packets differ:\n%s\n---\n%s" % (
                "\n".join(got_lines), "\n".join(want_lines)))
        if not os.path.exists(txt):
            errors.append("no %s.txt was written" % base)
        else:
            args = ["-r", src]
            for c in calls:
                args += ["--ladder", str(c)]
            want_txt = run(*args).stdout
            with open(txt, "rb") as fh:
                got_txt = fh.read()
            if got_txt != want_txt:
                errors.append("the saved ladder differs from --ladder:\n" + got_txt.decode("utf-8", "replace"))
        return errors
    return check


def call_ids(binary, capture, calls):
    out = subprocess.run([binary, "-q", "-r", os.path.join(PCAPS, capture), "--list"],
                         stdout=subprocess.PIPE, timeout=60).stdout.decode().splitlines()[1:]
    ids = {}
    for line in out:
        f = line.split()
        ids[int(f[0])] = f[-1]
    return [ids[c] for c in calls]


def save_case(name, capture, calls, keys=(), exact=True, threads=None):
    """threads: SIPSCOPE_THREADS for the run ("1": read on the UI's
    thread; "2": on a reading thread even on one core), so that both ways
    of keeping a message's frames are saved and checked whatever the
    machine's cores."""
    base = "sipscope-call-%d" % calls[0] if len(calls) == 1 else "sipscope-%d-calls" % len(calls)
    c = Case(name, [capture], keys=keys, check=save_check(capture, calls, base, exact),
             golden=False)
    c.save_calls = calls
    if threads:
        c.env = {"SIPSCOPE_THREADS": threads}
    return c


# ---- live input ---------------------------------------------------------------

def pcap_udp(path):
    """(sec, usec, src, sport, dst, dport, payload) of each UDP/IPv4 frame of
    a classic pcap file on Ethernet."""
    with open(path, "rb") as fh:
        data = fh.read()
    end = "<" if struct.unpack("<I", data[:4])[0] in (0xa1b2c3d4, 0xa1b23c4d) else ">"
    if struct.unpack(end + "I", data[20:24])[0] != 1:
        raise RuntimeError("%s: not Ethernet" % path)
    off, out = 24, []
    while off + 16 <= len(data):
        sec, usec, incl, _ = struct.unpack(end + "IIII", data[off:off + 16])
        fr = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if len(fr) < 34 or fr[12:14] != b"\x08\x00" or fr[23] != 17:
            continue
        ip = fr[14:]
        ihl = (ip[0] & 15) * 4
        udp = ip[ihl:struct.unpack("!H", ip[2:4])[0]]
        sport, dport = struct.unpack("!HH", udp[:4])
        out.append((sec, usec, socket.inet_ntoa(ip[12:16]), sport, socket.inet_ntoa(ip[16:20]),
                    dport, udp[8:]))
    return out


def hep3(sec, usec, src, sport, dst, dport, payload):
    """A HEPv3 packet carrying one SIP message over UDP/IPv4."""
    def chunk(kind, value):
        return struct.pack("!HHH", 0, kind, len(value) + 6) + value
    body = (chunk(1, b"\x02") + chunk(2, b"\x11") + chunk(3, socket.inet_aton(src)) +
            chunk(4, socket.inet_aton(dst)) + chunk(7, struct.pack("!H", sport)) +
            chunk(8, struct.pack("!H", dport)) + chunk(9, struct.pack("!I", sec)) +
            chunk(10, struct.pack("!I", usec)) + chunk(11, b"\x01") +
            chunk(12, struct.pack("!I", 2001)) + chunk(15, payload))
    return b"HEP3" + struct.pack("!H", len(body) + 6) + body


def send_hep(port, frames):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for f in frames:
            sock.sendto(hep3(*f), ("127.0.0.1", port))
            time.sleep(0.02)


def settle_on(t, pattern, timeout=30.0):
    """The settled screen once its status bar matches pattern."""
    deadline = time.time() + timeout
    screen = ""
    while time.time() < deadline:
        screen = settle(t, max(1.0, deadline - time.time()))
        if re.search(pattern, screen.split("\n", 1)[0]):
            return screen
        time.sleep(0.1)
    raise RuntimeError("the status bar never matched %r:\n%s" % (pattern, screen))


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def status_has(screen, *wants):
    status = screen.split("\n", 1)[0]
    return ["the status bar lacks %r: %r" % (w, status) for w in wants if w not in status]


def live_hep(port, capture, first):
    """Sends the first messages of capture over HEP, then the others: the
    status bar follows without a key being pressed."""
    def run(ctx):
        t = ctx["tmux"]
        frames = pcap_udp(os.path.join(PCAPS, capture))
        ctx["screen_empty"] = settle(t)
        send_hep(port, frames[:first])
        ctx["screen_part"] = settle_on(t, r"\bSIP %d\b" % first)
        send_hep(port, frames[first:])
        settle_on(t, r"\bSIP %d\b" % len(frames))
    return run


def check_live_hep(ctx):
    errors = status_has(ctx["screen_empty"], "udp:127.0.0.1:15300", "frames 0", "SIP 0",
                        "calls 0", "dropped 0", "capturing")
    if "waiting for SIP messages" not in ctx["screen_empty"]:
        errors.append("the empty list does not say it waits:\n" + ctx["screen_empty"])
    errors += status_has(ctx["screen_part"], "frames 4", "SIP 4", "calls 1", "dropped 0",
                         "capturing")
    screen = ctx["screen"]
    errors += status_has(screen, "frames 7", "SIP 7", "calls 1", "dropped 0", "capturing")
    if "loading" in screen:
        errors.append("a live capture says loading:\n" + screen)
    if not re.search(r"\n +0 INVITE +sip:alice.*192\.0\.2\.10:5060 +198\.51\.100\.20:5060 "
                     r"+7 answered", screen):
        errors.append("the call is not in the list:\n" + screen)
    # Nothing comes: the UI waits, it does not spin.
    pid = program_pid(ctx["tmux"])
    before = cpu_seconds(pid)
    time.sleep(2.0)
    used = cpu_seconds(pid) - before
    if used > 0.5:
        errors.append("idle, the UI used %.2f s of CPU in 2 s" % used)
    return errors


def live_evict(port):
    """--max-calls 1: a call is on screen as a ladder when a second call
    pushes it out of the model."""
    def run(ctx):
        t = ctx["tmux"]
        first = pcap_udp(os.path.join(PCAPS, "udp_basic_call.pcap"))
        second = pcap_udp(os.path.join(PCAPS, "cancel_flow.pcap"))
        send_hep(port, first)
        settle_on(t, r"\bSIP %d\b" % len(first))
        t.keys("Enter")
        ctx["screen_before"] = settle(t)
        send_hep(port, second)
        ctx["screen_ladder"] = settle_on(t, r"\bSIP %d\b" % (len(first) + len(second)))
        t.keys("q")
        ctx["screen_list"] = settle(t)
    return run


def check_live_evict(ctx):
    errors = []
    before, ladder, lst = ctx["screen_before"], ctx["screen_ladder"], ctx["screen_list"]
    if os.environ.get("SIPSCOPE_UI_SHOW"):
        print(before, ladder, lst, sep="\n=====\n")
    if "Call 0: call-1@192.0.2.10" not in before and "Call 0:" not in before:
        errors.append("the ladder did not open:\n" + before)
    errors += status_has(ladder, "calls 1", "evicted 1")
    if "Call 0: evicted (limits), shown as it was" not in ladder:
        errors.append("the ladder does not say its call was evicted:\n" + ladder)
    # the diagram stays as it was: the same arrows as before
    arrows = lambda sc: [l for l in sc.splitlines() if "\u2500" in l]  # noqa: E731
    if arrows(before) != arrows(ladder) or not arrows(ladder):
        errors.append("the diagram changed:\n%s\n---\n%s" % (before, ladder))
    if re.search(r"\n +0 INVITE", lst) or not re.search(r"\n +1 INVITE .* cancelled", lst):
        errors.append("the list still shows the evicted call, or lacks the new one:\n" + lst)
    return errors


def live_save(port):
    """Live input under limits keeps each message's frames on its own (and
    the bytes kept for reassembly rotate, here after every frame): saving
    a call still writes every frame of it."""
    def run(ctx):
        t = ctx["tmux"]
        frames = pcap_udp(os.path.join(PCAPS, "udp_basic_call.pcap"))
        send_hep(port, frames)
        settle_on(t, r"\bSIP %d\b" % len(frames))
        ctx["saved"] = os.path.join(ctx["workdir"], "live-saved.pcap")
        t.keys("s")
        settle(t)
        t.keys("C-u")
        t.keys("literal:" + ctx["saved"])
        t.keys("Enter")
        ctx["screen_saved"] = settle(t)
    return run


def check_live_save(ctx):
    errors = []
    if "saved 7 packets of 1 call" not in ctx["screen_saved"]:
        errors.append("no line saying the call was saved:\n" + ctx["screen_saved"])
    if not os.path.exists(ctx["saved"]):
        return errors + ["nothing saved at " + ctx["saved"]]
    p = subprocess.run([ctx["bin"], "-r", ctx["saved"], "--json", "-q"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    msgs = [json.loads(l) for l in p.stdout.decode().splitlines()]
    msgs = [m for m in msgs if m["type"] == "message"]
    want = ["INVITE", 100, 180, 200, "ACK", "BYE", 200]
    got = [m["method"] or m["status"] for m in msgs]
    if got != want or len({m["call_id"] for m in msgs}) != 1:
        errors.append("the saved capture holds %r, not the call" % got)
    return errors


def live_count(port, capture):
    def run(ctx):
        send_hep(port, pcap_udp(os.path.join(PCAPS, capture)))
        settle_on(ctx["tmux"], "capture ended")
    return run


def check_live_count(ctx):
    return status_has(ctx["screen"], "frames 3", "SIP 3", "calls 1", "dropped 0", "capture ended")


# Sends the datagrams of a plan (from the caller or not, payload in hex, on
# stdin as JSON) between 127.0.0.1:port + 1 (the caller) and :port,
# inside the test's own network namespace.
LO_SENDER = """
import json, socket, sys, time
port = int(sys.argv[1])
a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
a.bind(("127.0.0.1", port + 1))
b.bind(("127.0.0.1", port))
for from_caller, payload in json.load(sys.stdin):
    if from_caller:
        a.sendto(bytes.fromhex(payload), ("127.0.0.1", port))
    else:
        b.sendto(bytes.fromhex(payload), ("127.0.0.1", port + 1))
    time.sleep(0.02)
"""


def live_lo(port, capture):
    """The messages of capture between two sockets on 127.0.0.1 (port + 1
    stands for the capture's caller, port for the callee), on the
    loopback of the case's network namespace: no other traffic on the
    machine reaches the capture, nor takes the ports."""
    def run(ctx):
        t = ctx["tmux"]
        ctx["screen_empty"] = settle_on(t, "capturing")
        frames = pcap_udp(os.path.join(PCAPS, capture))
        caller = frames[0][2]
        plan = [(f[2] == caller, f[6].hex()) for f in frames]
        subprocess.run(["ip", "netns", "exec", ctx["netns"], sys.executable, "-c", LO_SENDER,
                        str(port)], input=json.dumps(plan), text=True, check=True, timeout=60)
        settle_on(t, r"\bSIP %d\b" % len(frames))
    return run


def check_live_lo(ctx):
    errors = status_has(ctx["screen_empty"], " lo ", "frames 0", "dropped 0", "capturing")
    screen = ctx["screen"]
    errors += status_has(screen, " lo ", "frames 7", "SIP 7", "calls 1", "dropped 0", "capturing")
    if not re.search(r"\n +0 INVITE +sip:alice.*127\.0\.0\.1:15303 +127\.0\.0\.1:15302 +7 answered",
                     screen):
        errors.append("the call is not in the list:\n" + screen)
    return errors


# The interface taken down under the UI; its name holds an escape sequence,
# which must show as text.
IFACE_DOWN = "vd\x1b[7m1"
IFACE_DOWN_SHOWN = "vd\\x1b[7m1"


def live_iface_down(ctx):
    """The interface goes down under the UI: said at once, the UI goes on."""
    t = ctx["tmux"]
    ctx["screen_up"] = settle_on(t, "capturing")
    subprocess.run(["ip", "-n", ctx["netns"], "link", "set", IFACE_DOWN, "down"], check=True,
                   timeout=30)
    settle_on(t, "capture ended")


def check_iface_down(ctx):
    name = " %s " % IFACE_DOWN_SHOWN
    errors = status_has(ctx["screen_up"], name, "dropped 0", "capturing")
    screen = ctx["screen"]
    errors += status_has(screen, name, "dropped 0", "1 input stopped", "capture ended")
    last = screen.rstrip("\n").rsplit("\n", 1)[-1]
    if "capture on %s stopped: the interface went down" % IFACE_DOWN_SHOWN not in last:
        errors.append("the error is not on the last line:\n" + screen)
    if ctx["tmux"].dead():
        errors.append("sipscope ended when the interface went down")
    return errors


CASES = [
    Case("call_list", BASIC),
    Case("call_list_many", MANY),
    Case("filter", MANY, keys=("/", "literal:cancelled", "Enter")),
    Case("filter_typing", MANY, keys=("/", "literal:erin"), quit_keys=("Escape", "q")),
    Case("filter_header", MANY, keys=("/", "literal:Asterisk PBX", "Enter")),
    Case("filter_regex", MANY, keys=("/", "literal:~^CSeq: [0-9]+ REGISTER", "Enter")),
    Case("filter_no_match", MANY, keys=("/", "literal:nothing-like-this", "Enter")),
    Case("sort_reverse", MANY, keys=("o", "o", "o", "r")),
    Case("hide_non_calls", MANY, keys=("n", "x")),
    Case("ladder", BASIC, keys=("Enter",)),
    Case("message_pane", BASIC, keys=("Enter", "Down", "Down", "Down")),
    Case("message_pane_beside", BASIC, keys=("Enter", "Down", "Tab"), size=(160, 30)),
    Case("ladder_merged", MANY, keys=("Space", "Space", "Enter", "Tab", "Tab")),
    Case("ladder_forking_hosts", MANY, keys=("Down", "Down", "Down", "Enter", "H", "End")),
    Case("message_pane_scroll", BASIC, keys=("Enter", "J", "J", "J", "J", "J", "J")),
    Case("ladder_retransmissions", ["flows/retransmissions.pcap"], keys=("Enter", "End")),
    Case("ladder_scroll_sideways", ["forking.pcap"], keys=("Enter", "Tab", "Tab", "Right", "Right"),
         size=(70, 24)),
    Case("message_parsed", BASIC, keys=("Enter", "p", "Tab"), size=(160, 50)),
    Case("message_parsed_response", BASIC, keys=("Enter", "Down", "Down", "Down", "p", "Tab"),
         size=(160, 50)),
    Case("message_parsed_retransmission", ["flows/retransmissions.pcap"],
         keys=("Enter", "Down", "p", "Tab"), size=(160, 40)),
    Case("message_parsed_compact", ["compact_headers.pcap"], keys=("Enter", "p", "Tab"),
         size=(160, 40)),
    Case("message_parsed_back_to_raw", BASIC, keys=("Enter", "p", "p")),
    Case("ladder_marks", BASIC, keys=("Enter", "Space", "Down", "Down", "Down", "Space")),
    Case("diff", BASIC, keys=("Enter", "Space", "Down", "Down", "Down", "Space", "d")),
    Case("diff_80x24", BASIC, keys=("Enter", "Space", "Down", "Down", "Down", "Space", "d"),
         size=(80, 24)),
    Case("diff_next_change", BASIC, keys=("Enter", "Space", "End", "d", "n", "n"), size=(80, 24)),
    Case("diff_third_mark", BASIC, keys=("Enter", "Space", "Down", "Space", "Down", "Space", "d")),
    Case("diff_retransmission", ["flows/retransmissions.pcap"], keys=("Enter", "Down", "d")),
    Case("diff_nothing_marked", BASIC, keys=("Enter", "d")),
    Case("call_list_findings", FINDINGS),
    Case("call_list_findings_sorted", FINDINGS, keys=("<", "r")),
    Case("ladder_findings", ["findings/ack-missing.pcap"], keys=("Enter", "Down", "Down")),
    Case("ladder_findings_pane", ["findings/ack-missing.pcap"], keys=("Enter", "f")),
    Case("ladder_findings_pane_80x24", FINDINGS, keys=("Down", "Enter", "f"), size=(80, 24)),
    Case("message_parsed_findings", ["findings/ack-missing.pcap"],
         keys=("Enter", "Down", "Down", "p", "Tab"), size=(160, 50)),
    Case("config_columns", FINDINGS,
         config="# the call list\ncolumns = index, findings, state:12, from:30, msgs\n"),
    Case("config_columns_sorted", FINDINGS, keys=("o", "o", "r"),
         config="columns = index,findings,state:12,from:30,msgs\n"),
    Case("config_file_option", BASIC, config_arg="columns = method,to:20,start:23\n",
         config="columns = index\n"),
    Case("config_unknown_column", BASIC, config="columns = index,fromm\n", golden=False,
         quit_keys=(), expect_rc=2,
         expect_stderr=r"^sipscope: \S*/sipscope/config: unknown column 'fromm' in 'columns' "
                       r"\(known: index, start, method, from, to, src, dst, msgs, state, "
                       r"duration, findings\)\n$"),
    Case("config_unknown_setting", BASIC, config="colums = index\n", golden=False,
         quit_keys=(), expect_rc=2,
         expect_stderr=r"^sipscope: \S*/config: unknown setting 'colums' \(known: columns\)\n$"),
    Case("config_bad_width", BASIC, config="columns = from:0\n", golden=False, quit_keys=(),
         expect_rc=2,
         expect_stderr=r"^sipscope: \S*: the width of column 'from' must be a number from 1 to "
                       r"200, not '0'\n$"),
    Case("config_section", BASIC, config="[ui]\ncolumns = index\n", golden=False, quit_keys=(),
         expect_rc=2, expect_stderr=r"^sipscope: \S*: unknown section \[ui\] .*\n$"),
    Case("config_missing_file", BASIC, args=("--config", "/nonexistent/sipscope.conf"),
         golden=False, quit_keys=(), expect_rc=2,
         expect_stderr=r"^sipscope: .*/nonexistent/sipscope\.conf.*\n$"),
    Case("help", BASIC, keys=("?",)),
    Case("help_scrolled", BASIC, keys=("?", "PageDown"), size=(80, 24)),
    Case("resize_80x24", BASIC, keys=("Enter",), resize=(80, 24)),
    Case("resize_200x50", MANY, keys=("Enter",), resize=(200, 50)),
    Case("tiny_20x5", BASIC, keys=("Enter", "Down"), size=(20, 5)),
    Case("escapes", [ESCAPES], keys=("Enter",), check=check_escapes),
    Case("escapes_parsed", [ESCAPES], keys=("Enter", "p", "Tab"), size=(200, 40),
         check=check_escapes),
    Case("pages_given_back", [MANY_CALLS], golden=False, check=check_pages_given_back),
    Case("no_ui_flag", BASIC, args=("-N", "-q"), quit_keys=(), golden=False, check=check_no_ui),
    Case("quit", BASIC, keys=("Enter", "q", "q"), check=check_quit, golden=False, quit_keys=()),
    Case("sigterm", BASIC, keys=("Enter",), check=signal_check(signal.SIGTERM, 0), golden=False,
         quit_keys=()),
    Case("call_list_limited", MANY, args=("--max-calls", "2")),
    Case("ladder_limited", MANY, args=("--max-calls", "2"), keys=("End", "Enter")),
    Case("crash_restores", BASIC, keys=("Enter",), check=signal_check(signal.SIGSEGV, None),
         golden=False, quit_keys=(), expect_rc=None),
    save_case("save", "udp_basic_call.pcap", [0]),
    save_case("save_tcp", "tcp_split.pcap", [0]),
    save_case("save_tcp_one_thread", "tcp_split.pcap", [0], threads="1"),
    save_case("save_tcp_reading_thread", "tcp_split.pcap", [0], threads="2"),
    save_case("save_websocket", "ws_call.pcap", [0], exact=False),
    save_case("save_ip_fragments", "ipv4_frag.pcap", [0]),
    save_case("save_ip_fragments_one_thread", "ipv4_frag.pcap", [0], threads="1"),
    save_case("save_ip_fragments_reading_thread", "ipv4_frag.pcap", [0], threads="2"),
    save_case("save_mixed_linktypes", "pcapng_mixed_linktypes.pcapng", [0, 1, 2],
              keys=("Space", "Space", "Space")),
    save_case("save_with_findings", "findings/ack-missing.pcap", [0]),
    Case("live_hep", [], args=("--hep-listen", "udp:127.0.0.1:15300"),
         live=live_hep(15300, "udp_basic_call.pcap", 4), check=check_live_hep, ports=(15300,),
         expect_stderr=r"^sipscope: udp:127\.0\.0\.1:15300: 7 HEP packets \(7 SIP, 0 other "
                       r"payload types, 0 damaged\), 0 dropped by the kernel, 0 by sipscope "
                       r"\(ring full\)\n$"),
    Case("live_evict", [], args=("--max-calls", "1", "--hep-listen", "udp:127.0.0.1:15304"),
         live=live_evict(15304), check=check_live_evict, ports=(15304,), golden=False,
         expect_stderr=r"^sipscope: udp:127\.0\.0\.1:15304: 14 HEP packets "),
    Case("live_save", [], args=("--hep-listen", "udp:127.0.0.1:15305"),
         live=live_save(15305), check=check_live_save, ports=(15305,), golden=False,
         env={"SIPSCOPE_ROTATE_KB": "1"},
         expect_stderr=r"^sipscope: udp:127\.0\.0\.1:15305: 7 HEP packets "),
    Case("live_hep_count", [], args=("-c", "3", "--hep-listen", "udp:127.0.0.1:15301"),
         live=live_count(15301, "udp_basic_call.pcap"), check=check_live_count, ports=(15301,),
         expect_stderr=r"^sipscope: udp:127\.0\.0\.1:15301: \d HEP packets .* 0 dropped by the "
                       r"kernel, 0 by sipscope \(ring full\)\n$"),
    Case("live_lo", [], args=("-i", "lo", "udp port 15302"), root=True, netns=True,
         golden=False, live=live_lo(15302, "udp_basic_call.pcap"), check=check_live_lo,
         expect_stderr=r"^sipscope: lo: 7 frames received, 0 dropped by the kernel, 0 by the "
                       r"interface, 0 by sipscope \(ring full\)\n$"),
    Case("live_iface_down", [], args=("-i", IFACE_DOWN), root=True, netns=True, golden=False,
         live=live_iface_down, check=check_iface_down, expect_rc=4,
         expect_stderr=r"sipscope: capture on vd.*1 stopped: the interface went down"),
]


def write_script(workdir, binary, inputs, extra=(), prefix=()):
    paths = []
    for i in inputs:
        if i == MANY_CALLS:
            out = os.path.join(workdir, "many-calls.pcap")
            many_calls_pcap(out)
            paths.append(out)
        elif i == ESCAPES:
            out = os.path.join(workdir, "escapes.pcap")
            subprocess.run([sys.executable, os.path.join(HERE, "make_escape_pcap.py"), out],
                           check=True, timeout=60)
            paths.append(out)
        else:
            paths.append(os.path.join(PCAPS, i))
    args = " ".join(["-r %s" % shlex.quote(p) for p in paths] + [shlex.quote(a) for a in extra])
    script = os.path.join(workdir, "run.sh")
    with open(script, "w") as fh:
        fh.write("modes=$(stty -g)\n")
        command = " ".join(shlex.quote(a) for a in list(prefix) + [binary])
        fh.write("%s %s 2>%s\n" % (command, args,
                                  shlex.quote(os.path.join(workdir, "stderr.txt"))))
        fh.write("rc=$?\n")
        # tmux may drop the first line written after the alternate screen
        # ends (a detached session's quirk): an empty line takes the loss.
        fh.write("echo\n")
        fh.write("[ \"$modes\" = \"$(stty -g)\" ] && echo STTY-RESTORED\n")
        fh.write("echo \"AFTER rc=$rc\"\n")
    return script


def write_config(workdir, case):
    """The configuration files of a case; the extra arguments they need."""
    xdg = os.path.join(workdir, "xdg")
    if case.config is not None:
        os.makedirs(os.path.join(xdg, "sipscope"))
        with open(os.path.join(xdg, "sipscope", "config"), "w") as fh:
            fh.write(case.config)
    if case.config_arg is None:
        return xdg, ()
    path = os.path.join(workdir, "given.conf")
    with open(path, "w") as fh:
        fh.write(case.config_arg)
    return xdg, ("--config", path)


def make_netns():
    """A network namespace holding its loopback and a veth pair
    vdown0/IFACE_DOWN, all up; None when namespaces or veth are not
    available."""
    name = "sipscope-ui-%d" % os.getpid()
    steps = [["ip", "netns", "add", name],
             ["ip", "-n", name, "link", "set", "lo", "up"],
             ["ip", "-n", name, "link", "add", "vdown0", "type", "veth", "peer", "name", IFACE_DOWN],
             ["ip", "-n", name, "link", "set", "vdown0", "up"],
             ["ip", "-n", name, "link", "set", IFACE_DOWN, "up"]]
    for i, step in enumerate(steps):
        if subprocess.run(step, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          timeout=30).returncode != 0:
            if i:
                drop_netns(name)
            return None
    return name


def drop_netns(name):
    subprocess.run(["ip", "netns", "del", name], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=30)


def udp_port_free(port):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def run_case(binary, case, update):
    """True (passed), False (failed) or None (skipped)."""
    if case.root and os.geteuid() != 0:
        print("ui/%s: skipped (needs root)" % case.name)
        return None
    taken = [p for p in case.ports if not udp_port_free(p)]
    if taken:
        print("ui/%s: skipped (UDP port %s on 127.0.0.1 is taken)" % (case.name, taken[0]))
        return None
    netns = make_netns() if case.netns else None
    if case.netns and not netns:
        print("ui/%s: skipped (network namespaces or veth not available)" % case.name)
        return None
    workdir = tempfile.mkdtemp(prefix="sipscope-ui-")
    t = Tmux(workdir)
    errors = []
    try:
        xdg, config_args = write_config(workdir, case)
        prefix = ("ip", "netns", "exec", netns) if netns else ()
        script = write_script(workdir, binary, case.inputs, tuple(case.args) + config_args,
                              prefix)
        env = {
            # A user's own configuration must not change the screens.
            "XDG_CONFIG_HOME": xdg,
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "detect_leaks=1"),
            "UBSAN_OPTIONS": os.environ.get("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1"),
        }
        env.update(getattr(case, "env", None) or {})
        t.start(case.size[0], case.size[1], script, env)
        settle(t)
        ctx = {"tmux": t, "workdir": workdir, "bin": binary, "netns": netns}
        if case.live:
            case.live(ctx)
        for k in case.keys:
            t.keys(k)
            if not t.dead():
                settle(t)
        if getattr(case, "save_calls", None) is not None:
            ctx["call_ids"] = call_ids(binary, case.inputs[0], case.save_calls)
            t.keys("s")
            settle(t)
            t.keys("Enter")
            ctx["screen_after_save"] = settle(t)
            t.keys("S")
            settle(t)
            t.keys("Enter")
            settle(t)
        if case.resize:
            t.resize(*case.resize)
            time.sleep(0.2)
        screen = normalise(settle(t)) if not t.dead() else normalise(t.capture())
        ctx["screen"] = screen
        if case.check:
            errors += case.check(ctx)
        if case.golden:
            path = os.path.join(GOLDEN, case.name + ".txt")
            if update:
                old = open(path, encoding="utf-8").read() if os.path.exists(path) else None
                if old != screen:
                    with open(path, "w", encoding="utf-8") as fh:
                        fh.write(screen)
                    print("%s: golden file updated" % case.name)
            elif not os.path.exists(path):
                errors.append("no golden file %s (run with SIPSCOPE_GOLDEN_UPDATE=1)" % path)
            else:
                want = open(path, encoding="utf-8").read()
                if want != screen:
                    diff = difflib.unified_diff(want.splitlines(True), screen.splitlines(True),
                                                "golden/" + case.name + ".txt", "screen")
                    errors.append("the screen differs from the golden file:\n" + "".join(diff))
        # Leave, and check that the program ended cleanly.
        if not t.dead():
            for k in case.quit_keys:
                t.keys(k)
            for _ in range(10):
                if t.dead():
                    break
                t.keys("q")
                time.sleep(0.3)
        deadline = time.time() + 30
        while time.time() < deadline and not t.dead():
            time.sleep(0.1)
        final = t.capture()
        if case.expect_rc is not None and ("AFTER rc=%d" % case.expect_rc) not in final:
            errors.append("sipscope did not exit with status %d:\n%s" % (case.expect_rc, final))
        err_path = os.path.join(workdir, "stderr.txt")
        if case.expect_rc is not None and os.path.exists(err_path):
            err = open(err_path, encoding="utf-8", errors="replace").read()
            if case.expect_stderr is not None:
                if not re.search(case.expect_stderr, err):
                    errors.append("standard error does not match %r:\n%s" % (case.expect_stderr, err))
            elif err.strip():
                errors.append("standard error:\n" + err)
    except Exception as e:  # noqa: BLE001 - report any failure of the harness as the case's
        errors.append("%s: %s" % (type(e).__name__, e))
    finally:
        t.kill()
        if netns:
            drop_netns(netns)
        if not errors:
            shutil.rmtree(workdir, ignore_errors=True)
    if errors:
        print("ui/%s: FAILED (files kept in %s)" % (case.name, workdir))
        for e in errors:
            print("  " + e.replace("\n", "\n  "))
        return False
    print("ui/%s: ok" % case.name)
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sipscope")
    ap.add_argument("--list", action="store_true", help="print the case names and exit")
    ap.add_argument("cases", nargs="*")
    args = ap.parse_args()
    if args.list:
        print("\n".join(c.name for c in CASES))
        return 0
    if not args.sipscope:
        ap.error("--sipscope is needed")
    if not shutil.which("tmux"):
        print("tmux is not installed: skipped (scripts/install-deps installs it)")
        return SKIP
    by_name = {c.name: c for c in CASES}
    names = args.cases or [c.name for c in CASES]
    unknown = [n for n in names if n not in by_name]
    if unknown:
        print("unknown case(s): %s" % ", ".join(unknown))
        return 2
    update = os.environ.get("SIPSCOPE_GOLDEN_UPDATE") == "1"
    results = [run_case(os.path.abspath(args.sipscope), by_name[n], update) for n in names]
    if False in results:
        return 1
    return SKIP if all(r is None for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
