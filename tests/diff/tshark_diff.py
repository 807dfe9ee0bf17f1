#!/usr/bin/env python3
"""Differential test: the SIP messages sipscope finds against tshark's.

    tshark_diff.py --sipscope BIN [--shared-dir DIR] FILE...
    tshark_diff.py --sipscope BIN --all-local
    tshark_diff.py --sipscope BIN --all-shared DIR

For every capture, both tools list the SIP messages frame by frame, in
order within a frame, as (method or status, Call-ID, CSeq number, CSeq
method):

  sipscope  `sipscope -r FILE --json`: the "message" records (other record
            types are ignored);
  tshark    `tshark -r FILE -o sip.desegment_headers:TRUE
            -o sip.desegment_body:TRUE -Y sip -T json`: every "sip" layer
            that has a request or status line, in order (a frame carrying
            several messages repeats the "sip" key).  Frames whose
            protocols include ICMP are left out: the SIP in them is a copy
            quoted in an ICMP error, which sipscope reports apart.

Every difference is printed (file, frame, position, what each tool said)
and the run fails on any difference not listed in known-differences.tsv
beside this script (columns: file, frame, kind, reason; kind is
missing_in_sipscope, extra_in_sipscope or field).  A listed difference
that no longer shows up fails too, so the list stays true.

For the shared captures (DIR/expected.tsv), sipscope's message count must
also equal the sip_messages column, except where EXPECTED_COUNT_EXCEPTIONS
below says why not, give or take the known differences of that file.

Exit status: 0 all equal (or only known differences), 1 differences,
2 usage or tool errors, 77 tshark is not installed or the shared folder is
absent (ctest's SKIP_RETURN_CODE).
"""

import argparse
import csv
import difflib
import json
import os
import shutil
import subprocess
import sys
import tempfile

from tshark_json import ToolError, get, sip_packets, to_int

HERE = os.path.dirname(os.path.abspath(__file__))
LOCAL_DIR = os.path.normpath(os.path.join(HERE, "..", "pcaps"))
KNOWN_FILE = os.path.join(HERE, "known-differences.tsv")
SKIP = 77
TIMEOUT = 600

KINDS = ("missing_in_sipscope", "extra_in_sipscope", "field")

# Shared captures whose expected.tsv sip_messages is not sipscope's count.
EXPECTED_COUNT_EXCEPTIONS = {
    # sip_messages counts sip.CSeq.method; 21 of the 52 fuzzed messages
    # have no CSeq tshark can parse, but all 52 have a start line.
    "ntop-nDPI/fuzz-2006-06-26-2594.pcap": (
        "start-lines",
        "fuzzed: tshark finds 52 request/status lines but only 31 CSeq"),
    # 5 of the 45 are copies quoted inside ICMP errors, which sipscope
    # reports as "icmp" records, not messages.
    "CESNET-ipfixprobe/sip.pcap": (
        "no-icmp",
        "5 SIP messages quoted in ICMP errors are not messages"),
}


# ---------------------------------------------------------------- sipscope

def sipscope_messages(binary, path):
    """Runs sipscope; returns {frame: [record, ...]} in output order."""
    try:
        p = subprocess.run([binary, "-r", path, "--json"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise ToolError("sipscope timed out after %d s" % TIMEOUT)
    except OSError as e:
        raise ToolError("cannot run %s: %s" % (binary, e))
    err = p.stderr.decode("utf-8", "replace").strip()
    if p.returncode != 0:
        raise ToolError("sipscope exited with status %d%s" % (
            p.returncode, (": " + err[-2000:]) if err else ""))
    frames = {}
    for n, line in enumerate(p.stdout.decode("utf-8", "replace")
                             .splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except ValueError as e:
            raise ToolError("sipscope output line %d is not JSON (%s): %.200s"
                            % (n, e, line))
        if not isinstance(rec, dict) or rec.get("type") != "message":
            continue
        fr = rec.get("frame")
        if not isinstance(fr, int):
            raise ToolError("sipscope message record without a frame "
                            "number: %.200s" % line)
        frames.setdefault(fr, []).append(rec)
    for fr, recs in frames.items():
        idx = [r.get("index") for r in recs]
        if idx != list(range(len(recs))):
            raise ToolError("frame %d: sipscope indexes are %r, not 0..%d in "
                            "order" % (fr, idx, len(recs) - 1))
    return frames


def key_from_sipscope(rec):
    m = rec.get("method")
    st = rec.get("status")
    cseq = rec.get("cseq")
    return (m if m is not None else None,
            st if isinstance(st, int) else None,
            rec.get("call_id"),
            cseq if isinstance(cseq, int) else None,
            rec.get("cseq_method"))


# ---------------------------------------------------------------- tshark

def tshark_messages(path, confdir):
    """Runs tshark; returns ({frame: [key, ...]}, icmp_frames, start_lines)."""
    packets = sip_packets(path, confdir)
    frames = {}
    icmp = {}
    lines = 0
    for pkt in packets:
        layers = get(get(pkt, "_source"), "layers")
        frame = get(layers, "frame")
        num = to_int(get(frame, "frame.number"))
        protos = (get(frame, "frame.protocols") or "").split(":")
        msgs = []
        for k, sip in layers:
            if k != "sip" or not isinstance(sip, list):
                continue
            req = get(sip, "sip.Request-Line_tree")
            st = get(sip, "sip.Status-Line_tree")
            if req is None and st is None:
                continue  # continuation data, keep-alives
            lines += 1
            hdr = get(sip, "sip.msg_hdr_tree")
            cseq = get(hdr, "sip.CSeq_tree")
            call_id = get(hdr, "sip.Call-ID")
            msgs.append((
                get(req, "sip.Method") if req is not None else None,
                to_int(get(st, "sip.Status-Code")) if st is not None else None,
                call_id,
                to_int(get(cseq, "sip.CSeq.seq")),
                get(cseq, "sip.CSeq.method")))
        if not msgs:
            continue
        if "icmp" in protos or "icmpv6" in protos:
            icmp[num] = msgs
            continue
        frames.setdefault(num, []).extend(msgs)
    return frames, icmp, lines


# ---------------------------------------------------------------- compare

def fmt(key):
    if key is None:
        return "-"
    m, st, cid, seq, cm = key
    what = m if m is not None else (str(st) if st is not None else "?")
    return "%s call_id=%s cseq=%s %s" % (
        what, json.dumps(cid), "null" if seq is None else seq,
        "null" if cm is None else cm)


def compare_frame(ss, ts):
    """Aligns the two ordered lists of one frame.  Returns a list of
    (kind, index in sipscope or None, sipscope key, tshark key)."""
    if len(ss) == len(ts):
        return [("field", i, a, b) for i, (a, b) in enumerate(zip(ss, ts))
                if a != b]
    out = []
    sm = difflib.SequenceMatcher(None, ss, ts, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            continue
        if op == "replace" and i2 - i1 == j2 - j1:
            out += [("field", i1 + k, ss[i1 + k], ts[j1 + k])
                    for k in range(i2 - i1)]
            continue
        out += [("extra_in_sipscope", i, ss[i], None) for i in range(i1, i2)]
        out += [("missing_in_sipscope", None, None, ts[j])
                for j in range(j1, j2)]
    return out


def load_known(path):
    known = {}
    if not os.path.exists(path):
        return known
    with open(path, newline="", encoding="utf-8") as f:
        for n, row in enumerate(csv.reader(f, delimiter="\t"), 1):
            if not row or row[0].startswith("#") or row[0] == "file":
                continue
            if len(row) < 4 or not row[3].strip():
                raise ToolError("%s:%d: want file, frame, kind, reason"
                                % (path, n))
            if row[2] not in KINDS:
                raise ToolError("%s:%d: unknown kind %r" % (path, n, row[2]))
            known[(row[0], int(row[1]), row[2])] = row[3]
    return known


def display_name(path, shared_dir):
    ap = os.path.abspath(path)
    for base in ([shared_dir] if shared_dir else []) + [LOCAL_DIR]:
        b = os.path.abspath(base) + os.sep
        if ap.startswith(b):
            return ap[len(b):]
    return os.path.basename(path)


class Result:
    def __init__(self):
        self.failures = 0
        self.known_seen = set()


def check_file(path, name, binary, known, confdir, expected, res):
    """Compares one capture.  Prints what differs; returns True if the
    file passes."""
    try:
        ss = sipscope_messages(binary, path)
        ts, icmp, start_lines = tshark_messages(path, confdir)
    except (ToolError, ValueError) as e:
        print("FAIL %s: %s" % (name, e))
        return False
    problems = []
    known_hits = []
    for fr in sorted(set(ss) | set(ts)):
        a = [key_from_sipscope(r) for r in ss.get(fr, [])]
        b = ts.get(fr, [])
        for kind, idx, sk, tk in compare_frame(a, b):
            where = "frame %d" % fr + ("" if idx is None else " #%d" % idx)
            line = "%s %s: %s\n      sipscope: %s\n      tshark:   %s" % (
                name, where, kind, fmt(sk), fmt(tk))
            kk = (name, fr, kind)
            if kk in known:
                res.known_seen.add(kk)
                known_hits.append("known: %s (%s)" % (line.split("\n")[0],
                                                      known[kk]))
            else:
                problems.append(line)
    nss = sum(len(v) for v in ss.values())
    nts = sum(len(v) for v in ts.values())
    if expected is not None:
        want = expected
        exc = EXPECTED_COUNT_EXCEPTIONS.get(name)
        if exc and exc[0] == "start-lines":
            want = start_lines
        elif exc and exc[0] == "no-icmp":
            want = expected - sum(len(v) for v in icmp.values())
        # known differences explain count differences too
        want += sum(1 for k in res.known_seen if k[0] == name and
                    k[2] == "extra_in_sipscope")
        want -= sum(1 for k in res.known_seen if k[0] == name and
                    k[2] == "missing_in_sipscope")
        if nss != want:
            problems.append("message count: sipscope %d, expected %d%s"
                            % (nss, want, " (%s)" % exc[1] if exc else ""))
    for k in known_hits:
        print("  %s" % k)
    if problems:
        print("FAIL %s: sipscope %d messages, tshark %d (+%d ICMP-quoted)"
              % (name, nss, nts, sum(len(v) for v in icmp.values())))
        for p in problems:
            print("  " + p)
        return False
    print("ok   %s: %d messages%s" % (name, nss,
                                      ", %d known differences"
                                      % len(known_hits) if known_hits else ""))
    return True


def read_expected(shared_dir):
    exp = {}
    with open(os.path.join(shared_dir, "expected.tsv"), newline="",
              encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            exp[row["file"]] = int(row["sip_messages"])
    return exp


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Compare sipscope's SIP messages with tshark's.")
    ap.add_argument("--sipscope", required=True, help="the sipscope binary")
    ap.add_argument("--shared-dir", help="folder of shared captures (for "
                    "their names and expected.tsv)")
    ap.add_argument("--all-local", action="store_true",
                    help="every capture in tests/pcaps")
    ap.add_argument("--all-shared", metavar="DIR",
                    help="every capture listed in DIR/expected.tsv")
    ap.add_argument("--known", default=KNOWN_FILE,
                    help="known differences (default: %(default)s)")
    ap.add_argument("files", nargs="*")
    a = ap.parse_args(argv)

    if shutil.which("tshark") is None:
        print("SKIP: tshark is not installed")
        return SKIP
    if not (os.path.isfile(a.sipscope) and os.access(a.sipscope, os.X_OK)):
        print("error: no sipscope binary at %s" % a.sipscope)
        return 2

    shared = a.all_shared or a.shared_dir
    expected = {}
    todo = []  # (path, name)
    if a.all_shared:
        if not os.path.isfile(os.path.join(a.all_shared, "expected.tsv")):
            print("SKIP: no shared captures at %s" % a.all_shared)
            return SKIP
        expected = read_expected(a.all_shared)
        todo += [(os.path.join(a.all_shared, f), f) for f in expected]
    elif shared and os.path.isfile(os.path.join(shared, "expected.tsv")):
        expected = read_expected(shared)
    if a.all_local:
        todo += [(os.path.join(LOCAL_DIR, f), f)
                 for f in sorted(os.listdir(LOCAL_DIR))
                 if f.endswith((".pcap", ".pcapng"))]
    todo += [(f, display_name(f, shared)) for f in a.files]
    if not todo:
        ap.error("no capture given")

    try:
        known = load_known(a.known)
    except (ToolError, ValueError) as e:
        print("error: %s" % e)
        return 2
    res = Result()
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="tshark-diff-") as confdir:
        for path, name in todo:
            if not os.path.isfile(path):
                print("FAIL %s: no such file %s" % (name, path))
                failed += 1
                continue
            ok = check_file(path, name, a.sipscope, known, confdir,
                            expected.get(name), res)
            passed += ok
            failed += not ok
    names = set(n for _, n in todo)
    stale = sorted(k for k in known if k[0] in names and k not in
                   res.known_seen)
    for k in stale:
        print("FAIL known difference not seen any more: %s frame %d %s (%s)"
              % (k[0], k[1], k[2], known[k]))
    if stale:
        print("     (remove it from %s if the change is right)" % a.known)
    print("%d passed, %d failed" % (passed, failed + (1 if stale else 0)))
    return 1 if failed or stale else 0


if __name__ == "__main__":
    sys.exit(main())
