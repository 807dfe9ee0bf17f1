#!/usr/bin/env python3
"""The Wireshark plugin against the sipscope command line.

    test_plugin.py --plugin SO --sipscope BIN --abi 4.0 --local DIR
    test_plugin.py --plugin SO --sipscope BIN --abi 4.0 --shared DIR
    test_plugin.py --plugin SO --abi 4.0 --hostile PATH...
    test_plugin.py --plugin SO --sipscope BIN --abi 4.0 --timers PATH...

The freshly built plugin is copied into the personal plugin folder of a
temporary HOME (HOME/.local/lib/wireshark/plugins/ABI/epan).  tshark
ignores personal plugins when it runs as root, so as root it runs as
nobody (setpriv) with that HOME; the folder and the copies of the captures
are made readable for it.  Extcap tools are switched off (an empty
WIRESHARK_EXTCAP_DIR): tshark starts them to list interfaces, and they
would inherit the sanitizer runtime preloaded for a sanitizer build
(--preload).

Checks:
  - `tshark -G plugins` lists the plugin from the temporary folder;
  - for every capture (.pcap, .pcapng, recursively), frame by frame
    (tshark -2: after the first pass, so the states are those at the end
    of the capture): the plugin shows one subtree for each SIP message
    Wireshark's SIP dissector found (request or status line, not quoted in
    ICMP), and where Wireshark and `sipscope -r FILE --json` find the same
    number of messages, the plugin's messages are sipscope's: the same
    lengths, the same transaction, dialog and call ids (equal when both
    tools see the same messages in the whole capture, else mapped one to
    one, so the groupings agree), the same retransmissions, and the same
    transaction, dialog and call states, and (when both see the same
    messages throughout) the same findings;
  - the display filters `sipscope.retransmission`,
    `sipscope.dialog.state == "confirmed"` and `sipscope.finding` select
    exactly the frames sipscope's JSON says they should;
  - nothing reports a Wireshark "Dissector bug", an exception in the
    plugin ("Malformed Packet: sipscope"), a sanitizer error or a crash.
Frames where Wireshark and sipscope find different messages (the
differential test tests/diff/tshark_diff.py judges those, with its list of
known differences) are left out of the comparison and counted.

--hostile PATH... runs tshark -2 -V on the given captures (folders:
every capture in them) and on corrupted copies of them (editcap -E with
fixed seeds), and checks only that tshark exits normally without a
dissector bug or sanitizer report.

--timers PATH... checks the timer preferences (sipscope.t1, sipscope.t4,
sipscope.timer_c) on the given captures and on one made here whose every
transaction rests on one timer: the RFC 3261 values set explicitly give
the very fields of no preference; each other value gives the fields
`sipscope --t1/--t4/--timer-c` gives (compared as above) and changes the
transaction states and findings where that capture says it must.

Exit status: 0 pass, 1 fail, 2 usage, 77 skipped (no tshark, no setpriv
when root, no plugin built, or no captures in DIR).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "tools"))
import mkpcap  # noqa: E402

SKIP = 77
TIMEOUT = 600

# Wireshark's SIP reassembly as the differential tests set it; out-of-order
# TCP segments are reassembled as sipscope does (off by default in 4.0).
TSHARK_OPTS = ["-o", "sip.desegment_headers:TRUE",
               "-o", "sip.desegment_body:TRUE",
               "-o", "tcp.reassemble_out_of_order:TRUE"]

FIELDS = ["frame.number", "frame.protocols", "sip.Method", "sip.Status-Code",
          "sipscope.msg", "sipscope.msg.length", "sipscope.txn", "sipscope.dialog",
          "sipscope.call", "sipscope.retransmission", "sipscope.txn.state",
          "sipscope.dialog.state", "sipscope.call.state", "sipscope.finding",
          "sipscope.txn.end"]

BAD_OUTPUT = ("Dissector bug", "Malformed Packet: sipscope",
              "ERROR: AddressSanitizer", "runtime error:", "Segmentation fault")


class Fail(Exception):
    pass


class Tshark:
    """Runs tshark with the plugin in a temporary HOME."""

    def __init__(self, plugin, abi, preload):
        self.tmp = tempfile.mkdtemp(prefix="sipscope-plugin-")
        os.chmod(self.tmp, 0o755)
        pdir = os.path.join(self.tmp, ".local", "lib", "wireshark", "plugins",
                            abi, "epan")
        os.makedirs(pdir)
        self.plugin = os.path.join(pdir, "sipscope.so")
        shutil.copyfile(plugin, self.plugin)
        self.extcap = os.path.join(self.tmp, "no-extcap")
        os.makedirs(self.extcap)
        self.caps = os.path.join(self.tmp, "captures")
        os.makedirs(self.caps)
        for root, dirs, files in os.walk(self.tmp):
            for d in dirs:
                os.chmod(os.path.join(root, d), 0o755)
            for f in files:
                os.chmod(os.path.join(root, f), 0o644)
        self.preload = preload
        self.n = 0

    def close(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def stage(self, path):
        """A copy of the capture tshark (as nobody) can read."""
        self.n += 1
        dst = os.path.join(self.caps, "%d-%s" % (self.n, os.path.basename(path)))
        shutil.copyfile(path, dst)
        os.chmod(dst, 0o644)
        return dst

    def run(self, args, check=True):
        env = ["HOME=" + self.tmp, "XDG_CONFIG_HOME=" + self.tmp + "/.config",
               "WIRESHARK_EXTCAP_DIR=" + self.extcap, "LC_ALL=C.UTF-8"]
        if self.preload:
            env += ["LD_PRELOAD=" + self.preload,
                    "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1",
                    "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1"]
        cmd = ["env", "-i", "PATH=" + os.environ.get("PATH", "/usr/bin:/bin")]
        cmd += env + ["tshark"] + args
        if os.geteuid() == 0:
            cmd = ["setpriv", "--reuid=nobody", "--regid=nogroup",
                   "--clear-groups"] + cmd
        try:
            p = subprocess.run(cmd, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            raise Fail("tshark timed out: %s" % " ".join(args))
        out = p.stdout.decode("utf-8", "replace")
        err = p.stderr.decode("utf-8", "replace")
        for bad in BAD_OUTPUT:
            if bad in out or bad in err:
                raise Fail("tshark %s: %r in its output:\n%s" % (
                    " ".join(args), bad, (err or out)[-3000:]))
        if p.returncode < 0 or (check and p.returncode != 0):
            raise Fail("tshark %s exited with status %d: %s" % (
                " ".join(args), p.returncode, err.strip()[-2000:]))
        return out


# ------------------------------------------------------------- sipscope

def sipscope_json(binary, path, extra=()):
    p = subprocess.run([binary, "-r", path, "--json"] + list(extra), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=TIMEOUT)
    if p.returncode != 0:
        raise Fail("sipscope exited with status %d: %s" % (
            p.returncode, p.stderr.decode("utf-8", "replace")[-2000:]))
    frames, objs = {}, {"transaction": {}, "dialog": {}, "call": {}}
    msgs, found = [], []
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        if not line.strip():
            continue
        rec = json.loads(line)
        t = rec.get("type")
        if t == "message":
            rec["codes"] = []   # message ids are the order of the records
            msgs.append(rec)
            frames.setdefault(rec["frame"], []).append(rec)
        elif t == "finding":
            found.append(rec)
        elif t in objs:
            objs[t][rec["id"]] = rec
    for f in found:
        for mid in f.get("messages", []):
            if 0 <= mid < len(msgs):
                msgs[mid]["codes"].append(f["code"])
    return frames, objs


# ------------------------------------------------------------- tshark

def split(v):
    return [x for x in v.split(",") if x != ""] if v else []


def tshark_fields(ts, path, extra=()):
    out = ts.run(["-2", "-r", path] + TSHARK_OPTS + list(extra) +
                 ["-T", "fields", "-E", "separator=/t", "-E", "occurrence=a",
                  "-E", "aggregator=,"] +
                 sum((["-e", f] for f in FIELDS), []))
    frames = {}
    for line in out.splitlines():
        cols = line.split("\t")
        if len(cols) != len(FIELDS):
            raise Fail("unexpected tshark line: %r" % line)
        row = {k: split(v) for k, v in zip(FIELDS, cols)}
        protos = cols[1].split(":")
        # Wireshark's own SIP messages: ICMP-quoted copies are none.
        row["wireshark"] = 0 if ("icmp" in protos or "icmpv6" in protos) \
            else len(row["sip.Method"]) + len(row["sip.Status-Code"])
        if row["wireshark"] or row["sipscope.msg"]:
            frames[int(cols[0])] = row
    return frames


def tshark_filter(ts, path, flt, extra=()):
    out = ts.run(["-2", "-r", path] + TSHARK_OPTS + list(extra) +
                 ["-Y", flt, "-T", "fields", "-e", "frame.number"])
    return set(int(x) for x in out.split())


def truthy(v):
    return v in ("1", "True", "TRUE", "true")


# ------------------------------------------------------------- compare

class IdMap:
    """tshark id -> sipscope id, one to one."""

    def __init__(self, what):
        self.what, self.fwd, self.back = what, {}, {}

    def check(self, t, s, where):
        t, s = int(t), int(s)
        if self.fwd.setdefault(t, s) != s or self.back.setdefault(s, t) != t:
            raise Fail("%s: %s %d in tshark is %s %d in sipscope, but %s" % (
                where, self.what, t, self.what, s,
                "tshark %d was sipscope %d before" % (t, self.fwd[t])
                if self.fwd[t] != s else
                "sipscope %d was tshark %d before" % (s, self.back[s])))

    def identity(self):
        return all(k == v for k, v in self.fwd.items())


def timer_args(timers):
    """sipscope's options and tshark's -o for timers [(pref, value)]."""
    cli, prefs = [], []
    for pref, value in timers:
        cli += ["--" + pref.replace("_", "-"), str(value)]
        prefs += ["-o", "sipscope.%s:%d" % (pref, value)]
    return cli, prefs


def check_capture(ts, binary, path, name, timers=()):
    cli, prefs = timer_args(timers)
    ss, objs = sipscope_json(binary, path, cli)
    staged = ts.stage(path)
    tw = tshark_fields(ts, staged, prefs)

    maps = {k: IdMap(k) for k in ("transaction", "dialog", "call")}
    same_messages = True
    retrans, confirmed, skipped = set(), set(), set()
    codes = {}
    for fr in sorted(set(ss) | set(tw)):
        recs, row = ss.get(fr, []), tw.get(fr)
        where = "%s frame %d" % (name, fr)
        shown = len(row["sipscope.msg"]) if row else 0
        if row and shown != row["wireshark"]:
            raise Fail("%s: Wireshark finds %d SIP messages, the plugin shows "
                       "%d" % (where, row["wireshark"], shown))
        if shown != len(recs):
            same_messages = False
            skipped.add(fr)
            continue
        want = [str(r.get("length")) for r in recs]
        if want != row["sipscope.msg.length"]:
            raise Fail("%s: message lengths sipscope %r, plugin %r" % (
                where, want, row["sipscope.msg.length"]))
        for key, field in (("transaction", "sipscope.txn"),
                           ("dialog", "sipscope.dialog"),
                           ("call", "sipscope.call")):
            want = [r[key] for r in recs if r.get(key) is not None]
            got = row[field]
            if len(want) != len(got):
                raise Fail("%s: %s ids sipscope %r, plugin %r" % (
                    where, key, want, got))
            for t, s in zip(got, want):
                maps[key].check(t, s, where)
        for key, field in (("transaction", "sipscope.txn.state"),
                           ("dialog", "sipscope.dialog.state"),
                           ("call", "sipscope.call.state")):
            want = [objs[key][r[key]]["state"] for r in recs
                    if r.get(key) is not None and r[key] in objs[key]]
            if want != row[field]:
                raise Fail("%s: %s states sipscope %r, plugin %r" % (
                    where, key, want, row[field]))
        nr = sum(1 for r in recs if r.get("retransmission"))
        got = row["sipscope.retransmission"]
        if nr != len(got) or not all(truthy(v) for v in got):
            raise Fail("%s: sipscope has %d retransmissions, plugin %r" % (
                where, nr, got))
        if nr:
            retrans.add(fr)
        codes[fr] = (sorted(c for r in recs for c in r["codes"]),
                     sorted(row["sipscope.finding"]))
        if any(r.get("dialog") is not None and
               objs["dialog"].get(r["dialog"], {}).get("state") == "confirmed"
               for r in recs):
            confirmed.add(fr)
    # Findings depend on the whole exchange: compared when both tools saw
    # the same messages.
    flagged = set()
    if same_messages:
        for k, m in maps.items():
            if not m.identity():
                raise Fail("%s: same messages but different %s ids" % (name, k))
        for fr, (want, got) in sorted(codes.items()):
            if want != got:
                raise Fail("%s frame %d: findings sipscope %r, plugin %r" % (
                    name, fr, want, got))
            if want:
                flagged.add(fr)

    nmsg = sum(len(v) for v in ss.values())
    # The fields were compared frame by frame above; the filters run where
    # they have something to select (a tshark run costs about a second).
    for flt, want in (("sipscope.retransmission", retrans),
                      ('sipscope.dialog.state == "confirmed"', confirmed),
                      ("sipscope.finding", flagged)):
        if want:
            got = tshark_filter(ts, staged, flt, prefs) - skipped
            if got != want:
                raise Fail("%s: filter %s selects frames %s, sipscope says %s"
                           % (name, flt, sorted(got), sorted(want)))
    return nmsg, len(retrans), len(confirmed), len(flagged), len(skipped)


def captures(d):
    out = []
    for root, dirs, files in os.walk(d):
        dirs.sort()
        for f in sorted(files):
            if f.endswith((".pcap", ".pcapng")):
                p = os.path.join(root, f)
                out.append((p, os.path.relpath(p, d)))
    return out


def hostile(ts, todo):
    """tshark -V on each capture and corrupted copies: no dissector bug."""
    editcap = shutil.which("editcap")
    n = 0
    for path, name in todo:
        variants = [ts.stage(path)]
        if editcap:
            for seed in (1, 2, 3):
                dst = os.path.join(ts.caps, "corrupt-%d-%d.pcap" % (seed, n))
                subprocess.run([editcap, "-F", "pcap", "-E", "0.02", "--seed",
                                str(seed), path, dst], check=False,
                               stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
                if os.path.exists(dst):
                    os.chmod(dst, 0o644)
                    variants.append(dst)
        for v in variants:
            ts.run(["-2", "-r", v, "-V"] + TSHARK_OPTS, check=False)
            n += 1
        print("ok   %s (%d runs)" % (name, len(variants)))
    return n


# The capture made for --timers, its transactions each resting on one timer:
# frame 1 an INVITE never answered (Timers B: 64*T1), frames 2-3 an
# INVITE left ringing (Timer C), frames 4-5 an OPTIONS answered at once
# (Timer K: T4), frame 6, 50 s later, the end of the capture.
TIMERS_T0 = 1700000000 * 10**9
TIMERS_EXPECT = {
    # preferences: {frame: (sipscope.txn.state, sipscope.txn.end, findings)}
    (): {1: ("terminated", "no-final-response", ["no-final-response"]),
         2: ("proceeding", "capture-ended", []),
         4: ("terminated", "final", [])},
    (("t1", 1000),): {1: ("calling", "capture-ended", []),
                      2: ("proceeding", "capture-ended", []),
                      4: ("terminated", "final", [])},
    (("t1", 100),): {1: ("terminated", "no-final-response", ["no-final-response"])},
    (("t4", 60000),): {4: ("completed", "final", [])},
    (("timer_c", 30),): {2: ("terminated", "no-final-response", ["no-final-response"])},
}
# Timers the fields must not tell from no preference at all.
TIMERS_DEFAULT = (("t1", 500), ("t4", 5000), ("timer_c", 180))


def timers_capture(path):
    def msg(text):
        return text.replace("\n", "\r\n").encode()
    head = ("Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK{n}\n"
            "From: <sip:alice@example.com>;tag=a{n}\n"
            "To: <sip:bob@example.com>{to}\n"
            "Call-ID: timers-{n}\n"
            "CSeq: 1 {m}\n")
    def req(m, n):
        return msg("%s sip:bob@example.com SIP/2.0\n" % m + head.format(n=n, m=m, to="") +
                   "Max-Forwards: 70\nContent-Length: 0\n\n")
    def rsp(status, m, n):
        return msg("SIP/2.0 %s\n" % status + head.format(n=n, m=m, to=";tag=b%d" % n) +
                   "Content-Length: 0\n\n")
    a, b = ("192.0.2.1", 5060), ("192.0.2.2", 5060)
    cap = mkpcap.Capture(t0_ns=TIMERS_T0)
    for src, dst, data in ((a, b, req("INVITE", 1)), (a, b, req("INVITE", 2)),
                           (b, a, rsp("180 Ringing", "INVITE", 2)),
                           (a, b, req("OPTIONS", 3)), (b, a, rsp("200 OK", "OPTIONS", 3))):
        cap.add(mkpcap.udp_packet(src[0], src[1], dst[0], dst[1], data))
    cap.at(TIMERS_T0 + 50 * 10**9)
    cap.add(mkpcap.udp_packet(a[0], a[1], b[0], b[1], req("OPTIONS", 4)))
    cap.write_pcap(path)


def raw_fields(ts, path, prefs):
    return ts.run(["-2", "-r", path] + TSHARK_OPTS + list(prefs) +
                  ["-T", "fields", "-E", "separator=/t", "-E", "occurrence=a",
                   "-E", "aggregator=,"] + sum((["-e", f] for f in FIELDS), []))


def timers(ts, binary, todo):
    """--timers: the timer preferences, on todo and on a capture of our own."""
    made = os.path.join(ts.tmp, "timers.pcap")
    timers_capture(made)
    os.chmod(made, 0o644)
    checked = 0
    for path, name in [(made, "timers.pcap")] + todo:
        staged = ts.stage(path)
        plain = raw_fields(ts, staged, [])
        if raw_fields(ts, staged, timer_args(TIMERS_DEFAULT)[1]) != plain:
            raise Fail("%s: the RFC 3261 timers set as preferences change the fields" % name)
        check_capture(ts, binary, path, name)
        checked += 1
        changed = 0
        for setting in TIMERS_EXPECT:
            # a setting that changes no field was compared just above
            if setting and raw_fields(ts, staged, timer_args(setting)[1]) != plain:
                check_capture(ts, binary, path, name, setting)
                checked += 1
                changed += 1
        if changed == 0:
            raise Fail("%s: no timer preference changes any field" % name)
        print("ok   %s: the timer preferences agree with sipscope's options; "
              "%d of %d settings change fields" % (name, changed, len(TIMERS_EXPECT) - 1))
    staged = ts.stage(made)
    for setting, frames in TIMERS_EXPECT.items():
        tw = tshark_fields(ts, staged, timer_args(setting)[1])
        for fr, (state, end, found) in frames.items():
            row = tw.get(fr)
            got = (row["sipscope.txn.state"], row["sipscope.txn.end"],
                   row["sipscope.finding"]) if row else None
            if got != ([state], [end], found):
                raise Fail("timers.pcap with %s, frame %d: txn.state, txn.end, findings "
                           "%r, want %r" % (timer_args(setting)[1] or "no preference",
                                            fr, got, ([state], [end], found)))
    print("ok   timers.pcap: each preference moves the transaction it rules")
    return checked


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--plugin", default="")
    ap.add_argument("--sipscope", default="")
    ap.add_argument("--abi", default="")
    ap.add_argument("--preload", default="",
                    help="sanitizer runtime to preload into tshark")
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--local")
    g.add_argument("--shared")
    g.add_argument("--hostile", nargs="+", metavar="PATH")
    g.add_argument("--timers", nargs="+", metavar="PATH")
    a = ap.parse_args()

    if not shutil.which("tshark"):
        print("SKIP: tshark is not installed")
        return SKIP
    if os.geteuid() == 0 and not shutil.which("setpriv"):
        print("SKIP: running as root without setpriv")
        return SKIP
    if not a.plugin or not os.path.isfile(a.plugin) or not a.abi:
        print("SKIP: the plugin was not built (libwireshark-dev missing?)")
        return SKIP
    if a.timers:
        todo = [(p, os.path.basename(p)) for p in a.timers if os.path.isfile(p)]
    elif a.hostile:
        todo = []
        for p in a.hostile:
            if os.path.isdir(p):
                todo += captures(p)
            elif os.path.isfile(p):
                todo.append((p, os.path.basename(p)))
        if not todo:
            print("SKIP: none of %s exists" % " ".join(a.hostile))
            return SKIP
    else:
        d = a.local or a.shared
        if not os.path.isdir(d) or not captures(d):
            print("SKIP: no captures in %s" % d)
            return SKIP

    ts = Tshark(a.plugin, a.abi, a.preload)
    failed = 0
    try:
        out = ts.run(["-G", "plugins"])
        if not any(ts.plugin in line for line in out.splitlines()):
            print("FAIL tshark -G plugins does not list %s:\n%s" % (
                ts.plugin, out))
            return 1
        print("ok   tshark -G plugins lists %s" % ts.plugin)
        if a.hostile:
            n = hostile(ts, todo)
            print("%d tshark runs without a dissector bug" % n)
            return 0
        if a.timers:
            n = timers(ts, a.sipscope, todo)
            print("%d captures and timer settings compared" % n)
            return 0
        for path, name in captures(d):
            try:
                n, r, c, f, k = check_capture(ts, a.sipscope, path, name)
                print("ok   %s: %d messages; frames with retransmissions %d, "
                      "in confirmed dialogs %d, with findings %d%s" % (
                          name, n, r, c, f, "; %d frames where Wireshark and "
                          "sipscope differ left out" % k if k else ""))
            except (Fail, ValueError, KeyError) as e:
                print("FAIL %s: %s" % (name, e))
                failed += 1
    except Fail as e:
        print("FAIL %s" % e)
        return 1
    finally:
        ts.close()
    print("%d failed" % failed)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
