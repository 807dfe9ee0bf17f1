#!/usr/bin/env python3
"""Differential check of transactions and dialogs against tshark's fields.

    txn_diff.py --sipscope BIN --local DIR      # every capture under DIR
    txn_diff.py --sipscope BIN --shared DIR     # idem; skip if DIR is absent
    txn_diff.py --sipscope BIN FILE...

For every capture, the transaction partition of the SIP messages and the
set of dialogs are computed twice and compared:

  independently, from tshark's per-message fields (`tshark -r FILE
      -o sip.desegment_headers:TRUE -o sip.desegment_body:TRUE -Y sip
      -T json`: sip.Method, sip.r-uri, sip.Status-Code, the top sip.Via
      (sent-by, branch), sip.CSeq.seq / sip.CSeq.method, sip.Call-ID,
      sip.from.tag, sip.to.tag, frame.number), by the rules of RFC 3261
      §17 (below);
  by sipscope (`sipscope -r FILE --json`): the "transaction" of each
      message record, and the "dialog" records.

Transaction rules (§17.1.3, §17.2.3), in capture order:
  - a request whose top Via branch starts with z9hG4bK belongs to the
    transaction (branch, sent-by, method); an ACK joins the INVITE
    transaction with its branch and sent-by unless that one got a 2xx (the
    ACK for a 2xx is a transaction of its own); a CANCEL is its own
    transaction (its method differs);
  - a response belongs to (top Via branch, sent-by, CSeq method), and
    creates that transaction when its request was not seen;
  - without the cookie (RFC 2543): requests match on Request-URI, From
    tag, Call-ID, CSeq number, top Via (sent-by and branch, if any) and
    method, an ACK on the INVITE's fields when the INVITE's final response
    was not a 2xx and carried the ACK's To tag; responses on From tag,
    Call-ID, CSeq number and method, and top Via.

A dialog is (Call-ID, {From tag, To tag}) of any 101-299 response with
both tags to INVITE, SUBSCRIBE, REFER or NOTIFY.

Messages are paired frame by frame, in order within a frame; a frame
where the two tools do not see the same messages (method or status,
Call-ID, CSeq) is left out and noted (tests/diff/tshark_diff.py judges
those).  Messages without Call-ID, CSeq or Via are left out; frames whose
protocols include ICMP are left out (a copy quoted in an ICMP error).
The partitions are compared on the messages left: every message
sipscope puts in another transaction than the one its fellows are in is
printed.

Every difference is printed with its kind (no-transaction, split,
merged, dialog-missing, dialog-extra) and the first frame it concerns;
those listed in txn-known-differences.tsv beside this script (file,
frame, kind, reason) are accepted, and a listed one that no longer shows
up fails the run.

Exit status: 0 equal (or only known differences), 1 differences, 2 usage
or tool errors, 77 tshark is missing or the --shared folder is absent.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "diff"))
from tshark_json import ToolError, find, get, get_all, sip_packets, to_int  # noqa: E402

SKIP = 77
TIMEOUT = 600
KNOWN_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                          "txn-known-differences.tsv")
KINDS = ("no-transaction", "split", "merged", "dialog-missing",
         "dialog-extra")
COOKIE = "z9hG4bK"
DIALOG_METHODS = ("INVITE", "SUBSCRIBE", "REFER", "NOTIFY")


def split_top(value):
    """The first element of a comma-separated header value (commas inside
    quotes or <> do not count)."""
    depth, quote = 0, False
    for i, c in enumerate(value):
        if c == '"':
            quote = not quote
        elif not quote and c == "<":
            depth += 1
        elif not quote and c == ">":
            depth = max(0, depth - 1)
        elif not quote and depth == 0 and c == ",":
            return value[:i]
    return value


def parse_via(value):
    """(sent-by, branch or None, identity) of one Via value.  identity is
    what RFC 2543 matching compares: protocol, sent-by and branch, without
    the received/rport a server adds."""
    v = re.sub(r"\s+", " ", split_top(value or "")).strip()
    v = re.sub(r"\s*;\s*", ";", v)
    v = re.sub(r"\s*/\s*", "/", v)
    parts = v.split(";")
    head = parts[0].split(" ", 1)
    if len(head) != 2:
        return None, None, None
    proto, sent_by = head[0].upper(), head[1].strip().lower()
    branch = None
    for p in parts[1:]:
        name, _, val = p.partition("=")
        if name.strip().lower() == "branch":
            branch = val.strip()
    ident = "%s %s;branch=%s" % (proto, sent_by, branch)
    return sent_by, branch, ident


class TMsg:
    """One message as tshark sees it."""

    __slots__ = ("frame", "index", "method", "status", "ruri", "sent_by",
                 "branch", "via_ident", "cseq", "cseq_method", "call_id",
                 "from_tag", "to_tag")

    def key(self):
        return (self.method, self.status, self.call_id, self.cseq)

    def describe(self):
        what = self.method if self.method else str(self.status)
        return "frame %d#%d %s %s %s/%s branch=%s" % (
            self.frame, self.index, what, self.call_id, self.cseq,
            self.cseq_method, self.branch)


def tshark_messages(path, confdir):
    packets = sip_packets(path, confdir)
    frames = {}
    icmp = set()
    for pkt in packets:
        layers = get(get(pkt, "_source"), "layers")
        frame = get(layers, "frame")
        num = to_int(get(frame, "frame.number"))
        protos = (get(frame, "frame.protocols") or "").split(":")
        if "icmp" in protos or "icmpv6" in protos:
            icmp.add(num)
            continue
        msgs = []
        for k, sip in (layers or []):
            if k != "sip" or not isinstance(sip, list):
                continue
            req = get(sip, "sip.Request-Line_tree")
            st = get(sip, "sip.Status-Line_tree")
            if req is None and st is None:
                continue
            hdr = get(sip, "sip.msg_hdr_tree")
            m = TMsg()
            m.frame, m.index = num, len(msgs)
            m.method = get(req, "sip.Method") if req is not None else None
            m.status = to_int(get(st, "sip.Status-Code")) if st is not None \
                else None
            m.ruri = get(req, "sip.r-uri") if req is not None else None
            vias = get_all(hdr, "sip.Via")
            m.sent_by, m.branch, m.via_ident = parse_via(vias[0]) if vias \
                else (None, None, None)
            cseq = get(hdr, "sip.CSeq_tree")
            m.cseq = to_int(get(cseq, "sip.CSeq.seq"))
            m.cseq_method = get(cseq, "sip.CSeq.method")
            m.call_id = get(hdr, "sip.Call-ID")
            m.from_tag = find(get(hdr, "sip.From_tree"), "sip.from.tag")
            m.to_tag = find(get(hdr, "sip.To_tree"), "sip.to.tag")
            msgs.append(m)
        if msgs:
            frames.setdefault(num, []).extend(msgs)
    return frames, icmp


# ---------------------------------------------------------------- the rules

class Txn:
    __slots__ = ("id", "method", "final", "final_to_tag")

    def __init__(self, tid, method):
        self.id = tid
        self.method = method
        self.final = None
        self.final_to_tag = None


class Partition:
    """Transactions by the rules of RFC 3261 §17 (see the module doc)."""

    def __init__(self):
        self.txns = []
        self.keys = {}

    def _new(self, method, *keys):
        t = Txn(len(self.txns), method)
        self.txns.append(t)
        for k in keys:
            self.keys.setdefault(k, t)
        return t

    def add(self, m):
        """The transaction of message m, or None when m lacks what the
        rules need."""
        if m.call_id is None or m.cseq is None or m.cseq_method is None \
                or m.sent_by is None:
            return None
        if m.method is not None:
            t = self._request(m)
        else:
            t = self._response(m)
            if t is not None and m.status is not None and m.status >= 200 \
                    and t.final is None:
                t.final = m.status
                t.final_to_tag = m.to_tag
        return None if t is None else t.id

    def _request(self, m):
        meth = m.method
        if m.branch and m.branch.startswith(COOKIE):
            if meth == "ACK":
                inv = self.keys.get(("b", m.branch, m.sent_by, "INVITE"))
                if inv is not None and not (inv.final is not None and
                                            200 <= inv.final < 300):
                    return inv
            k = ("b", m.branch, m.sent_by, meth)
            return self.keys.get(k) or self._new(meth, k)
        # RFC 2543
        if meth == "ACK":
            for ruri in (m.ruri, None):
                inv = self.keys.get(("q", ruri, m.from_tag, m.call_id, m.cseq,
                                     m.via_ident, "INVITE"))
                if inv is not None and inv.final is not None and \
                        not 200 <= inv.final < 300 and \
                        inv.final_to_tag == m.to_tag:
                    return inv
        k = ("q", m.ruri, m.from_tag, m.call_id, m.cseq, m.via_ident, meth)
        t = self.keys.get(k)
        if t is None:
            # a transaction known so far from its responses only
            t = self.keys.get(("q", None, m.from_tag, m.call_id, m.cseq,
                               m.via_ident, meth))
            if t is not None:
                self.keys[k] = t
        return t or self._new(meth, k, ("r", m.from_tag, m.call_id, m.cseq,
                                        meth, m.via_ident))

    def _response(self, m):
        meth = m.cseq_method
        if m.branch and m.branch.startswith(COOKIE):
            k = ("b", m.branch, m.sent_by, meth)
            return self.keys.get(k) or self._new(meth, k)
        k = ("r", m.from_tag, m.call_id, m.cseq, meth, m.via_ident)
        return self.keys.get(k) or self._new(
            meth, k, ("q", None, m.from_tag, m.call_id, m.cseq, m.via_ident,
                      meth))


def dialog_of(m):
    if m.status is None or not 101 <= m.status <= 299:
        return None
    if m.cseq_method not in DIALOG_METHODS:
        return None
    if not m.from_tag or not m.to_tag or m.call_id is None:
        return None
    return (m.call_id, frozenset((m.from_tag, m.to_tag)))


# ---------------------------------------------------------------- sipscope

def sipscope_output(binary, path):
    try:
        p = subprocess.run([binary, "-r", path, "--json"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise ToolError("sipscope timed out after %d s" % TIMEOUT)
    except OSError as e:
        raise ToolError("cannot run %s: %s" % (binary, e))
    if p.returncode != 0:
        raise ToolError("sipscope exited with status %d: %s" % (
            p.returncode, p.stderr.decode("utf-8", "replace").strip()[-2000:]))
    frames, dialogs, ntxn = {}, [], 0
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        if not line.strip():
            continue
        try:
            r = json.loads(line)
        except ValueError as e:
            raise ToolError("sipscope output is not JSON (%s): %.200s"
                            % (e, line))
        t = r.get("type")
        if t == "message":
            if "transaction" not in r:
                raise ToolError("sipscope message records have no "
                                "\"transaction\" field (no model output?)")
            frames.setdefault(r["frame"], []).append(r)
        elif t == "dialog":
            dialogs.append(r)
        elif t == "transaction":
            ntxn += 1
    for recs in frames.values():
        recs.sort(key=lambda r: r.get("index", 0))
    return frames, dialogs, ntxn


def skey(r):
    st = r.get("status")
    return (r.get("method"), st if isinstance(st, int) else None,
            r.get("call_id"), r.get("cseq"))


# ---------------------------------------------------------------- compare

def compare(path, name, binary, confdir, verbose, known, known_seen):
    """Prints the differences of one capture; returns the number of those
    not listed in known ({(file, frame, kind): reason}); adds the known
    ones seen to known_seen."""
    ss, sdialogs, ntxn = sipscope_output(binary, path)
    ts, icmp = tshark_messages(path, confdir)
    notes = []
    pairs = []  # (tshark msg, sipscope record)
    for fr in sorted(set(ss) | set(ts)):
        if fr in icmp:
            continue
        a, b = ss.get(fr, []), ts.get(fr, [])
        if [skey(r) for r in a] != [m.key() for m in b]:
            notes.append("frame %d: the tools see different messages, left "
                         "out (sipscope %d, tshark %d)" % (fr, len(a), len(b)))
            continue
        pairs.extend(zip(b, a))
    # pairs are in capture order: frames ascending, index ascending
    part = Partition()
    mine = {}        # my txn id -> [(tmsg, srec)]
    theirs = {}      # sipscope txn id -> [(tmsg, srec, my txn id)]
    problems = []
    for m, r in pairs:
        tid = part.add(m)
        if tid is None:
            continue
        sid = r.get("transaction")
        if sid is None:
            problems.append(("no-transaction", m.frame,
                             "%s: sipscope gives it no transaction (rules "
                             "txn %d)" % (m.describe(), tid)))
            continue
        mine.setdefault(tid, []).append((m, r))
        theirs.setdefault(sid, []).append((m, r, tid))
    for tid, items in sorted(mine.items()):
        sids = set(r["transaction"] for _, r in items)
        if len(sids) > 1:
            problems.append(("split", items[0][0].frame,
                             "one transaction by the rules is %d in "
                             "sipscope:\n%s" % (len(sids), "\n".join(
                                "      %s -> sipscope txn %s" % (
                                    m.describe(), r["transaction"])
                                 for m, r in items))))
    for sid, items in sorted(theirs.items(), key=lambda kv: str(kv[0])):
        tids = set(t for _, _, t in items)
        if len(tids) > 1:
            problems.append(("merged", items[0][0].frame,
                             "sipscope txn %s holds %d transactions "
                             "by the rules:\n%s" % (sid, len(tids), "\n".join(
                                 "      %s -> rules txn %d" % (m.describe(), t)
                                 for m, _, t in items))))
    # dialogs
    want = {}        # dialog -> frame of the response that makes it
    for m, _ in pairs:
        d = dialog_of(m)
        if d is not None:
            want.setdefault(d, m.frame)
    have = {}
    for d in sdialogs:
        have[(d.get("call_id"), frozenset((d.get("from_tag"),
                                           d.get("to_tag"))))] = d
    left_out_cids = set()
    for fr in ss:
        if fr not in icmp and any(n.startswith("frame %d:" % fr)
                                  for n in notes):
            left_out_cids.update(r.get("call_id") for r in ss[fr])
    first_in = {}    # sipscope dialog id -> frame of its first message
    for fr in sorted(ss):
        for r in ss[fr]:
            first_in.setdefault(r.get("dialog"), fr)
    for d in sorted(set(want) - set(have), key=repr):
        problems.append(("dialog-missing", want[d],
                         "Call-ID %s tags %s "
                         "(made by frame %d)" % (d[0], sorted(d[1]),
                                                 want[d])))
    for d in sorted(set(have) - set(want), key=repr):
        rec = have[d]
        what = "Call-ID %s tags %s (sipscope dialog %s, created_by %s)" % (
            d[0], sorted(d[1], key=str), rec.get("id"),
            rec.get("created_by"))
        if d[0] in left_out_cids:
            notes.append("dialog only in sipscope, from frames left out: "
                         + what)
        else:
            problems.append(("dialog-extra", first_in.get(rec.get("id"), 0),
                             what))
    nmsg = sum(len(v) for v in mine.values())
    real = []
    for kind, frame, text in problems:
        k = (name, frame, kind)
        if k in known:
            known_seen.add(k)
            notes.append("known difference (%s): %s" % (
                known[k], text.split("\n")[0]))
        else:
            real.append("%s (frame %d): %s" % (kind, frame, text))
    if real:
        print("FAIL %s: %d messages compared, %d transactions by the rules, "
              "%d in sipscope's records; %d dialogs by the rules, %d in "
              "sipscope" % (name, nmsg, len(mine), ntxn, len(want),
                            len(have)))
        for p in real:
            print("  " + p)
    else:
        print("ok   %s: %d messages, %d transactions, %d dialogs%s"
              % (name, nmsg, len(mine), len(want),
                 ", %d known differences" % (len(problems) - len(real))
                 if len(problems) > len(real) else ""))
    if verbose or real:
        for n in notes:
            print("  note: " + n)
    return len(real)


def load_known(path):
    """{(file, frame, kind): reason} from a TSV of file, frame, kind,
    reason (# comments)."""
    known = {}
    if not os.path.exists(path):
        return known
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            row = line.split("\t")
            if len(row) < 4 or not row[3].strip() or row[2] not in KINDS:
                raise ValueError("%s:%d: want file, frame, kind (%s), reason"
                                 % (path, n, ", ".join(KINDS)))
            known[(row[0], int(row[1]), row[2])] = row[3].strip()
    return known


def captures_under(d):
    out = []
    for root, dirs, files in os.walk(d):
        dirs.sort()
        for f in sorted(files):
            if f.endswith((".pcap", ".pcapng", ".cap")):
                p = os.path.join(root, f)
                out.append((p, os.path.relpath(p, d)))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Compare sipscope's transactions and dialogs with those "
        "computed from tshark's fields.")
    ap.add_argument("--sipscope", required=True)
    ap.add_argument("--local", metavar="DIR",
                    help="every capture under DIR (recursively)")
    ap.add_argument("--shared", metavar="DIR",
                    help="every capture under DIR; skip when DIR is absent")
    ap.add_argument("--known", default=KNOWN_FILE,
                    help="known differences (default: %(default)s)")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="print the notes of files that pass too")
    ap.add_argument("files", nargs="*")
    a = ap.parse_args(argv)

    if shutil.which("tshark") is None:
        print("SKIP: tshark is not installed")
        return SKIP
    if not (os.path.isfile(a.sipscope) and os.access(a.sipscope, os.X_OK)):
        print("error: no sipscope binary at %s" % a.sipscope)
        return 2
    todo = []
    if a.shared:
        if not os.path.isdir(a.shared):
            print("SKIP: no shared captures at %s" % a.shared)
            return SKIP
        todo += captures_under(a.shared)
    if a.local:
        todo += captures_under(a.local)
    todo += [(f, f) for f in a.files]
    if not todo:
        ap.error("no capture given")
    try:
        known = load_known(a.known)
    except (OSError, ValueError) as e:
        print("error: %s" % e)
        return 2
    known_seen = set()
    failed = 0
    with tempfile.TemporaryDirectory(prefix="txn-diff-") as confdir:
        for path, name in todo:
            try:
                n = compare(path, name, a.sipscope, confdir, a.verbose,
                            known, known_seen)
            except (ToolError, ValueError) as e:
                print("FAIL %s: %s" % (name, e))
                n = 1
            failed += 1 if n else 0
    names = set(n for _, n in todo)
    stale = sorted(k for k in known if k[0] in names and k not in known_seen)
    for k in stale:
        print("FAIL known difference not seen any more: %s frame %d %s (%s)"
              % (k[0], k[1], k[2], known[k]))
    if stale:
        print("     (remove it from %s if the change is right)" % a.known)
    print("%d captures, %d with differences" % (len(todo), failed))
    return 1 if failed or stale else 0


if __name__ == "__main__":
    sys.exit(main())
