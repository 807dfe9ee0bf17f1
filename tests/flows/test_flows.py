#!/usr/bin/env python3
"""What sipscope must rebuild from each call-flow capture in
tests/pcaps/flows/: transactions, dialogs, calls and registrations, as
`sipscope -r FILE --json` reports them.

Usage: test_flows.py SIPSCOPE_BINARY [unittest arguments, e.g.
       Flows.test_forking]

Every capture has a test named after it (test_<file name without .pcap>);
a capture without a test fails test_every_capture_has_a_test.  Messages
are named by their position among the SIP messages of the file, F1...Fn
as in tests/pcaps/flows/README.md (for UDP files, frame n).

For every capture the test checks:
  - the partition of the messages into transactions (exactly), each
    transaction's method, final status, state, which of its messages are
    retransmissions, its proxy parent and its CANCEL link;
  - the set of dialogs (Call-ID and tags), their states and times, and
    which messages belong to them;
  - each call's outcome, final status, who ended it and its times;
  - the registrations' bindings, last status and challenges.
"""

import glob
import json
import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
FLOWS = os.path.join(TESTS, "pcaps", "flows")

BIN = None
T0 = 1700000000.0
TS_TOLERANCE = 2e-6   # seconds; the captures have microsecond timestamps

ANY = object()        # "not checked"

# Transaction states (RFC 3261 §17) a passive observer may end in.
INV_2XX = {"terminated"}
INV_NON2XX_ACKED = {"confirmed", "terminated"}
NON_INV_FINAL = {"completed", "terminated"}
INV_NO_FINAL = {"terminated"}


def ms(t):
    return T0 + t / 1000.0


def norm(name):
    return None if name is None else str(name).replace("_", "-").lower()


def never(v):
    return v is None or v == 0


def pick(rec, names, what):
    """The first of names present in rec (records may grow synonyms)."""
    for n in names:
        if n in rec:
            return rec[n]
    raise AssertionError("%s record has none of the fields %s: %s"
                         % (what, ", ".join(names), json.dumps(rec)[:600]))


class Txn:
    """Expected transaction: its messages (F numbers; the first one names
    it), method, final status (None: none seen), allowed states, the
    messages that are retransmissions, its proxy parent and its CANCEL
    link (F number of the other transaction's first message; None: must
    have none; ANY: not checked)."""

    def __init__(self, frames, method, final=None, states=ANY, retrans=(),
                 parent=None, cancel=None):
        self.frames = sorted(frames)
        self.method = method
        self.final = final
        self.states = states
        self.retrans = sorted(retrans)
        self.parent = parent
        self.cancel = cancel


class Dlg:
    """Expected dialog: caller's and callee's tags, state, and the times
    (ms; None: never) it became early, confirmed, terminated."""

    def __init__(self, from_tag, to_tag, state, early, confirmed, terminated,
                 created_by="INVITE", members=()):
        self.from_tag, self.to_tag = from_tag, to_tag
        self.state = state
        self.early, self.confirmed, self.terminated = \
            early, confirmed, terminated
        self.created_by = created_by
        self.members = members  # F numbers whose "dialog" is this one


class Call:
    """Expected call.  Times are ms, None (never) or a (lo, hi) range in
    ms when more than one message may fairly be taken (the same response
    seen on several hops, a BYE and its 200)."""

    def __init__(self, call_id, state, final, start, ring, answer, end,
                 ended_by=ANY, frm=ANY, to=ANY, dialogs=ANY):
        self.call_id = call_id
        self.state = state
        self.final = final
        self.start, self.ring, self.answer, self.end = start, ring, answer, end
        self.ended_by = ended_by
        self.frm, self.to = frm, to
        self.dialogs = dialogs  # number of dialogs


class Reg:
    def __init__(self, aor, contacts, last_status, challenges):
        self.aor = aor
        self.contacts = contacts  # [{"uri":..., "expires":..., ...}]
        self.last_status = last_status
        self.challenges = challenges


class Output:
    """sipscope's JSON for one capture, indexed."""

    def __init__(self, test, path):
        p = subprocess.run([BIN, "-r", path, "--json"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=120)
        err = p.stderr.decode("utf-8", "replace")
        test.assertEqual(p.returncode, 0, "sipscope -r %s --json exited %d: %s"
                         % (path, p.returncode, err[-2000:]))
        self.msgs, self.txns, self.dialogs = [], {}, {}
        self.calls, self.regs = {}, {}
        for line in p.stdout.decode("utf-8").splitlines():
            if not line.strip():
                continue
            r = json.loads(line)
            t = r.get("type")
            if t == "message":
                self.msgs.append(r)
            elif t == "transaction":
                self.txns[r["id"]] = r
            elif t == "dialog":
                self.dialogs[r["id"]] = r
            elif t == "call":
                self.calls[r["call_id"]] = r
            elif t == "registration":
                self.regs[r["aor"]] = r
        self.msgs.sort(key=lambda r: (r["frame"], r["index"]))

    def msg(self, f):
        return self.msgs[f - 1]

    def describe(self, f):
        m = self.msg(f)
        what = m.get("method") or str(m.get("status"))
        return "F%d (frame %d, %s %s %s)" % (f, m["frame"], what,
                                             m.get("cseq"),
                                             m.get("cseq_method"))

    def partition(self):
        """{transaction id: [F numbers]}"""
        out = {}
        for i, m in enumerate(self.msgs, 1):
            out.setdefault(m.get("transaction"), []).append(i)
        return out


class FlowTest(unittest.TestCase):
    maxDiff = None

    def run_capture(self, name):
        path = os.path.join(FLOWS, name + ".pcap")
        self.assertTrue(os.path.exists(path), path)
        out = Output(self, path)
        self.assertTrue(out.msgs, "no message records for %s" % name)
        self.generic(out)
        return out

    # ------------------------------------------------------------ generic

    def generic(self, out):
        """Every message has a transaction and a retransmission flag;
        every id a record refers to has a record."""
        for i, m in enumerate(out.msgs, 1):
            for k in ("transaction", "dialog", "retransmission"):
                self.assertIn(k, m, "message F%d has no %r field" % (i, k))
            self.assertIsNotNone(m["transaction"],
                                 "%s has no transaction" % out.describe(i))
            self.assertIn(m["transaction"], out.txns,
                          "%s: no record for transaction %r"
                          % (out.describe(i), m["transaction"]))
            self.assertIsInstance(m["retransmission"], bool)
            if m["dialog"] is not None:
                self.assertIn(m["dialog"], out.dialogs,
                              "%s: no record for dialog %r"
                              % (out.describe(i), m["dialog"]))
        for t in out.txns.values():
            for k in ("id", "method", "branch", "sent_by", "state",
                      "final_status"):
                self.assertIn(k, t, "transaction record without %r: %s"
                              % (k, t))
        for d in out.dialogs.values():
            for k in ("id", "call_id", "from_tag", "to_tag", "state",
                      "created_by", "early_ts", "confirmed_ts",
                      "terminated_ts"):
                self.assertIn(k, d, "dialog record without %r: %s" % (k, d))
        for c in out.calls.values():
            for k in ("call_id", "from", "to", "state", "start_ts", "ring_ts",
                      "answer_ts", "end_ts", "final_status", "ended_by",
                      "dialogs", "related"):
                self.assertIn(k, c, "call record without %r: %s" % (k, c))
            for d in c["dialogs"]:
                self.assertIn(d, out.dialogs)
        for r in out.regs.values():
            for k in ("aor", "contacts", "last_status", "challenges"):
                self.assertIn(k, r, "registration record without %r: %s"
                              % (k, r))

    # ------------------------------------------------------------ checks

    def check_txns(self, out, want):
        got = out.partition()
        got_sets = sorted(sorted(v) for v in got.values())
        want_sets = sorted(t.frames for t in want)
        if got_sets != want_sets:
            lines = ["transaction partition differs",
                     "  want: %s" % want_sets, "  got:  %s" % got_sets]
            for tid, fs in sorted(got.items(), key=lambda kv: kv[1]):
                t = out.txns.get(tid, {})
                lines.append("    txn %s %s branch=%s: %s" % (
                    tid, t.get("method"), t.get("branch"),
                    ", ".join(out.describe(f) for f in fs)))
            self.fail("\n".join(lines))
        by_first = {v[0]: tid for tid, v in got.items()}

        def link_check(t, rec, names, expect, what):
            if expect is ANY:
                return
            val = pick(rec, names, "transaction")
            if expect is None:
                self.assertIsNone(val, "txn of F%d: %s should be none, is "
                                  "%r" % (t.frames[0], what, val))
            else:
                self.assertEqual(val, by_first[expect],
                                 "txn of F%d: %s should be the txn of F%d "
                                 "(id %r), is %r" % (t.frames[0], what,
                                                     expect, by_first[expect],
                                                     val))

        for t in want:
            tid = by_first[t.frames[0]]
            rec = out.txns[tid]
            where = "txn %r (F%s)" % (tid, ",".join(map(str, t.frames)))
            self.assertEqual(rec["method"], t.method, where)
            fs = rec["final_status"]
            self.assertEqual(None if never(fs) else fs, t.final,
                             where + ": final_status")
            if t.states is not ANY:
                self.assertIn(norm(rec["state"]), t.states, where + ": state")
            rt = [f for f in t.frames if out.msg(f)["retransmission"]]
            self.assertEqual(rt, t.retrans,
                             where + ": messages marked retransmission")
            link_check(t, rec, ("parent", "parent_transaction"), t.parent,
                       "parent")
            link_check(t, rec, ("cancel", "cancel_transaction", "cancelled_by",
                                "cancels"), t.cancel, "cancel link")

    def check_no_retransmissions_except(self, out, frames):
        got = [i for i, m in enumerate(out.msgs, 1) if m["retransmission"]]
        self.assertEqual(got, sorted(frames), "retransmission flags")

    def assert_ts(self, value, want, what):
        if want is ANY:
            return
        if want is None:
            self.assertTrue(never(value), "%s should be never, is %r"
                            % (what, value))
            return
        self.assertFalse(never(value), "%s is missing (want %r ms)"
                         % (what, want))
        if isinstance(want, tuple):
            lo, hi = ms(want[0]), ms(want[1])
            self.assertTrue(lo - TS_TOLERANCE <= value <= hi + TS_TOLERANCE,
                            "%s = %.6f, want between %.6f and %.6f"
                            % (what, value, lo, hi))
        else:
            self.assertAlmostEqual(value, ms(want), delta=TS_TOLERANCE,
                                   msg="%s = %r, want %.6f" % (what, value,
                                                               ms(want)))

    def check_dialogs(self, out, call_id, want):
        got = {}
        for d in out.dialogs.values():
            if d["call_id"] == call_id:
                got[(d["from_tag"], d["to_tag"])] = d
        self.assertEqual(sorted(got), sorted((w.from_tag, w.to_tag)
                                             for w in want),
                         "dialogs of %s (from_tag, to_tag)" % call_id)
        for w in want:
            d = got[(w.from_tag, w.to_tag)]
            where = "dialog %s/%s" % (w.from_tag, w.to_tag)
            self.assertEqual(norm(d["state"]), w.state, where + ": state")
            self.assertEqual(d["created_by"], w.created_by,
                             where + ": created_by")
            self.assert_ts(d["early_ts"], w.early, where + ": early_ts")
            self.assert_ts(d["confirmed_ts"], w.confirmed,
                           where + ": confirmed_ts")
            self.assert_ts(d["terminated_ts"], w.terminated,
                           where + ": terminated_ts")
            for f in w.members:
                self.assertEqual(out.msg(f)["dialog"], d["id"],
                                 "%s should belong to %s" %
                                 (out.describe(f), where))
        return got

    def check_call(self, out, want):
        self.assertIn(want.call_id, out.calls, "no call record for %s (have "
                      "%s)" % (want.call_id, sorted(out.calls)))
        c = out.calls[want.call_id]
        where = "call %s" % want.call_id
        self.assertEqual(norm(c["state"]), norm(want.state), where + ": state")
        fs = c["final_status"]
        self.assertEqual(None if never(fs) else fs, want.final,
                         where + ": final_status")
        if want.ended_by is not ANY:
            self.assertEqual(c["ended_by"], want.ended_by,
                             where + ": ended_by")
        self.assert_ts(c["start_ts"], want.start, where + ": start_ts")
        self.assert_ts(c["ring_ts"], want.ring, where + ": ring_ts")
        self.assert_ts(c["answer_ts"], want.answer, where + ": answer_ts")
        self.assert_ts(c["end_ts"], want.end, where + ": end_ts")
        if want.frm is not ANY:
            self.assertEqual(c["from"], want.frm, where + ": from")
        if want.to is not ANY:
            self.assertEqual(c["to"], want.to, where + ": to")
        if want.dialogs is not ANY:
            self.assertEqual(len(c["dialogs"]), want.dialogs,
                             where + ": number of dialogs")
            mine = sorted(d["id"] for d in out.dialogs.values()
                          if d["call_id"] == want.call_id)
            self.assertEqual(sorted(c["dialogs"]), mine,
                             where + ": dialog ids")
        return c

    def check_reg(self, out, want):
        self.assertIn(want.aor, out.regs, "no registration for %s (have %s)"
                      % (want.aor, sorted(out.regs)))
        r = out.regs[want.aor]
        where = "registration %s" % want.aor
        self.assertEqual(r["last_status"], want.last_status,
                         where + ": last_status")
        self.assertEqual(r["challenges"], want.challenges,
                         where + ": challenges")
        got = {b["uri"]: b for b in r["contacts"]}
        self.assertEqual(sorted(got), sorted(c["uri"] for c in want.contacts),
                         where + ": contact URIs")
        for c in want.contacts:
            b = got[c["uri"]]
            for k, v in c.items():
                if k == "state":
                    self.assertEqual(norm(b[k]), v, "%s %s: state" %
                                     (where, c["uri"]))
                elif k == "q":
                    self.assertAlmostEqual(b[k], v, places=3,
                                           msg="%s %s: q" % (where, c["uri"]))
                else:
                    self.assertEqual(b[k], v, "%s %s: %s" % (where, c["uri"],
                                                             k))


class Flows(FlowTest):

    def test_every_capture_has_a_test(self):
        names = sorted(os.path.basename(p)[:-5]
                       for p in glob.glob(os.path.join(FLOWS, "*.pcap")))
        self.assertTrue(names, "no captures in %s" % FLOWS)
        for n in names:
            self.assertTrue(hasattr(self, "test_" + n),
                            "capture %s.pcap has no test" % n)

    # ------------------------------------------------------------ RFC 3261

    def test_rfc3261_24_1_register(self):
        out = self.run_capture("rfc3261_24_1_register")
        self.check_txns(out, [Txn([1, 2], "REGISTER", 200, NON_INV_FINAL)])
        self.check_no_retransmissions_except(out, [])
        self.assertEqual(out.dialogs, {})
        self.check_reg(out, Reg("sip:bob@biloxi.com",
                                [{"uri": "sip:bob@192.0.2.4",
                                  "expires": 7200, "state": "active"}],
                                200, 0))
        self.check_call(out, Call("843817637684230@998sdasdh09",
                                  "not-a-call", None, 0, None, None, ANY))

    def test_rfc3261_24_2_session(self):
        out = self.run_capture("rfc3261_24_2_session")
        self.check_txns(out, [
            Txn([1, 2, 8, 11], "INVITE", 200, INV_2XX),
            Txn([3, 4, 7, 10], "INVITE", 200, INV_2XX, parent=1),
            Txn([5, 6, 9], "INVITE", 200, INV_2XX, parent=3),
            Txn([12], "ACK", parent=ANY),
            Txn([13, 14], "BYE", 200, NON_INV_FINAL),
        ])
        self.check_no_retransmissions_except(out, [])
        # the 3-hop transactions keep their own branch and sent-by
        t1 = out.txns[out.msg(1)["transaction"]]
        t3 = out.txns[out.msg(5)["transaction"]]
        self.assertEqual(t1["branch"], "z9hG4bKnashds8")
        self.assertIn("pc33.atlanta.com", t1["sent_by"])
        self.assertEqual(t3["branch"], "z9hG4bK4b43c2ff8.1")
        self.assertIn("server10.biloxi.com", t3["sent_by"])
        self.check_dialogs(out, "a84b4c76e66710", [
            Dlg("1928301774", "a6c85cf", "terminated", 95, 4100, 34160,
                members=[6, 7, 8, 9, 10, 11, 12, 13, 14])])
        self.check_call(out, Call("a84b4c76e66710", "answered", 200, 0,
                                  (95, 99), (4100, 4104), (34150, 34160),
                                  ended_by="callee",
                                  frm="sip:alice@atlanta.com",
                                  to="sip:bob@biloxi.com", dialogs=1))

    # ------------------------------------------------------------ RFC 3665

    def test_rfc3665_3_1_basic_tcp(self):
        out = self.run_capture("rfc3665_3_1_basic_tcp")
        self.assertEqual([m.get("transport") for m in out.msgs], ["TCP"] * 6)
        self.check_txns(out, [
            Txn([1, 2, 3], "INVITE", 200, INV_2XX),
            Txn([4], "ACK"),
            Txn([5, 6], "BYE", 200, NON_INV_FINAL),
        ])
        self.check_no_retransmissions_except(out, [])
        cid = "3848276298220188511@atlanta.example.com"
        self.check_dialogs(out, cid, [
            Dlg("9fxced76sl", "8321234356", "terminated", 120, 5120, 65012,
                members=[2, 3, 4, 5, 6])])
        self.check_call(out, Call(cid, "answered", 200, 1, 120, 5120,
                                  (65001, 65012), ended_by="callee",
                                  frm="sip:alice@atlanta.example.com",
                                  to="sip:bob@biloxi.example.com", dialogs=1))

    def test_rfc3665_3_2_two_proxies(self):
        out = self.run_capture("rfc3665_3_2_two_proxies")
        self.check_txns(out, [
            Txn([1, 2, 3], "INVITE", 407, INV_NON2XX_ACKED),
            Txn([4, 6, 11, 14], "INVITE", 200, INV_2XX),
            Txn([5, 8, 10, 13], "INVITE", 200, INV_2XX, parent=4),
            Txn([7, 9, 12], "INVITE", 200, INV_2XX, parent=5),
            Txn([15], "ACK", parent=ANY),
            Txn([16], "ACK", parent=ANY),
            Txn([17], "ACK", parent=ANY),
            Txn([18, 23], "BYE", 200, NON_INV_FINAL),
            Txn([19, 22], "BYE", 200, NON_INV_FINAL, parent=18),
            Txn([20, 21], "BYE", 200, NON_INV_FINAL, parent=19),
        ])
        self.check_no_retransmissions_except(out, [])
        cid = "2xTb9vxSit55XU7p8@atlanta.example.com"
        # the 407's To tag makes no dialog
        self.check_dialogs(out, cid, [
            Dlg("9fxced76sl", "314159", "terminated", 130, 6130, 48010,
                members=[9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
                         21, 22, 23])])
        self.check_call(out, Call(cid, "answered", 200, 0, (130, 132),
                                  (6130, 6132), (48000, 48012),
                                  ended_by="callee",
                                  frm="sip:alice@atlanta.example.com",
                                  to="sip:bob@biloxi.example.com", dialogs=1))

    def test_rfc3665_busy(self):
        out = self.run_capture("rfc3665_busy")
        self.check_txns(out, [
            Txn([1, 3, 10, 11], "INVITE", 486, INV_NON2XX_ACKED),
            Txn([2, 5, 8, 9], "INVITE", 486, INV_NON2XX_ACKED, parent=1),
            Txn([4, 6, 7], "INVITE", 486, INV_NON2XX_ACKED, parent=2),
        ])
        self.check_no_retransmissions_except(out, [])
        cid = "2xTb9vxSit55XU7p8@atlanta.example.com"
        self.check_dialogs(out, cid, [])
        self.check_call(out, Call(cid, "busy", 486, 0, None, None, (40, 62),
                                  dialogs=0))

    def test_rfc3665_3_8_no_answer(self):
        out = self.run_capture("rfc3665_3_8_no_answer")
        self.check_txns(out, [
            Txn([1, 3, 8, 19, 20], "INVITE", 487, INV_NON2XX_ACKED,
                cancel=9),
            Txn([2, 5, 7, 17, 18], "INVITE", 487, INV_NON2XX_ACKED,
                parent=1, cancel=11),
            Txn([4, 6, 15, 16], "INVITE", 487, INV_NON2XX_ACKED, parent=2,
                cancel=13),
            Txn([9, 10], "CANCEL", 200, NON_INV_FINAL, cancel=1),
            Txn([11, 12], "CANCEL", 200, NON_INV_FINAL, cancel=2,
                parent=ANY),
            Txn([13, 14], "CANCEL", 200, NON_INV_FINAL, cancel=4,
                parent=ANY),
        ])
        self.check_no_retransmissions_except(out, [])
        cid = "2xTb9vxSit55XU7p8@atlanta.example.com"
        self.check_dialogs(out, cid, [
            Dlg("9fxced76sl", "314159", "terminated", 90, None, 20106)])
        self.check_call(out, Call(cid, "cancelled", 487, 0, (90, 92), None,
                                  (20092, 20125), ended_by="caller",
                                  dialogs=1))

    def test_rfc3665_3_10_no_response(self):
        out = self.run_capture("rfc3665_3_10_no_response")
        self.check_txns(out, [
            Txn([1, 3, 14, 15], "INVITE", 480, INV_NON2XX_ACKED),
            Txn([2, 5, 12, 13], "INVITE", 480, INV_NON2XX_ACKED, parent=1),
            Txn([4, 6, 7, 8, 9, 10, 11], "INVITE", None, INV_NO_FINAL,
                retrans=[6, 7, 8, 9, 10, 11], parent=2),
        ])
        self.check_no_retransmissions_except(out, [6, 7, 8, 9, 10, 11])
        t = out.txns[out.msg(4)["transaction"]]
        self.assertEqual(t["branch"], "z9hG4bK721e4.1")
        self.check_no_final(t, "txn of F4")
        cid = "2xTb9vxSit55XU7p8@atlanta.example.com"
        self.check_dialogs(out, cid, [])
        self.check_call(out, Call(cid, "no-answer", 480, 0, None, None,
                                  (32005, 32020), dialogs=0))

    def check_no_final(self, t, where):
        """The transaction says no final response came within 64*T1."""
        end = t.get("end")
        if end is None:
            return  # the end reason is optional in the output
        self.assertIn(norm(end), ("no-final", "no-final-response", "timeout",
                                  "timer-b", "timer-f"),
                      where + ": end %r" % end)

    def test_failure_404_via_proxies(self):
        out = self.run_capture("failure_404_via_proxies")
        self.check_txns(out, [
            Txn([1, 2, 6, 7], "INVITE", 404, INV_NON2XX_ACKED),
            Txn([3, 4, 5], "INVITE", 404, INV_NON2XX_ACKED, parent=1),
        ])
        self.check_no_retransmissions_except(out, [])
        cid = "4f9a1e77b2c@atlanta.example.com"
        self.check_dialogs(out, cid, [])
        self.check_call(out, Call(cid, "failed", 404, 0, None, None, (9, 29),
                                  to="sip:carol@biloxi.example.com",
                                  dialogs=0))

    def test_failure_503_gateway(self):
        out = self.run_capture("failure_503_gateway")
        self.check_txns(out, [
            Txn([1, 2, 3, 4, 5], "INVITE", 503, INV_NON2XX_ACKED)])
        cid = "8d2f61a0-5c1e-4b8e-9d43-17f2a0c3e911@198.51.100.10"
        self.check_dialogs(out, cid, [
            Dlg("a73kszlfl", "gw8812a", "terminated", 2300, None, 9300)])
        c = self.check_call(out, Call(cid, "failed", 503, 0, ANY, None,
                                      (9300, 9310), dialogs=1))
        # a 183 may or may not count as ringing, but nothing else does
        if not never(c["ring_ts"]):
            self.assert_ts(c["ring_ts"], 2300, "ring_ts")

    # ------------------------------------------------------------ others

    def test_forking(self):
        out = self.run_capture("forking")
        self.check_txns(out, [
            Txn([1, 2, 6, 8, 10], "INVITE", 200, INV_2XX),
            Txn([3, 5, 15, 16], "INVITE", 487, INV_NON2XX_ACKED, parent=1,
                cancel=11),
            Txn([4, 7, 9], "INVITE", 200, INV_2XX, parent=1),
            Txn([11, 14], "CANCEL", 200, NON_INV_FINAL, cancel=3),
            Txn([12], "ACK", parent=ANY),
            Txn([13], "ACK", parent=ANY),
            Txn([17, 20], "BYE", 200, NON_INV_FINAL),
            Txn([18, 19], "BYE", 200, NON_INV_FINAL, parent=17),
        ])
        self.check_no_retransmissions_except(out, [])
        cid = "c7d1f0e2-forked@192.0.2.10"
        self.check_dialogs(out, cid, [
            Dlg("a1f5e7", "b1x91", "terminated", 60, None, 5031,
                members=[5, 6, 15]),
            Dlg("a1f5e7", "b2y72", "terminated", 75, 5000, 25030,
                members=[7, 8, 9, 10, 12, 13, 17, 18, 19, 20])])
        self.check_call(out, Call(cid, "answered", 200, 0, (60, 61),
                                  (5000, 5001), (25000, 25031),
                                  ended_by="caller",
                                  frm="sip:alice@example.com",
                                  to="sip:bob@example.net", dialogs=2))

    def test_cancel_200_race(self):
        out = self.run_capture("cancel_200_race")
        self.check_txns(out, [
            Txn([1, 2, 3, 5], "INVITE", 200, INV_2XX, cancel=4),
            Txn([4, 6], "CANCEL", 200, NON_INV_FINAL, cancel=1),
            Txn([7], "ACK"),
            Txn([8, 9], "BYE", 200, NON_INV_FINAL),
        ])
        self.check_no_retransmissions_except(out, [])
        cid = "race-5e0a9c1d@192.0.2.10"
        self.check_dialogs(out, cid, [
            Dlg("a1f5e7", "rb88", "terminated", 50, 3001, 3040,
                members=[3, 5, 7, 8, 9])])
        self.check_call(out, Call(cid, "answered", 200, 0, 50, 3001,
                                  (3030, 3040), ended_by="caller",
                                  dialogs=1))

    def test_retransmissions(self):
        out = self.run_capture("retransmissions")
        self.check_txns(out, [
            Txn(range(1, 11), "INVITE", 200, INV_2XX,
                retrans=[2, 3, 4, 8, 9, 10]),
            Txn([11], "ACK"),
            Txn([12, 13, 14, 15], "BYE", 200, NON_INV_FINAL,
                retrans=[14, 15]),
        ])
        self.check_no_retransmissions_except(out, [2, 3, 4, 8, 9, 10, 14, 15])
        inv = out.txns[out.msg(1)["transaction"]]
        self.check_counts(inv, 3, 3, "INVITE txn")
        bye = out.txns[out.msg(12)["transaction"]]
        self.check_counts(bye, 1, 1, "BYE txn")
        cid = "rtx-0b7e44f1@192.0.2.10"
        self.check_dialogs(out, cid, [
            Dlg("a1f5e7", "rt55", "terminated", 3600, 5000, 12010)])
        self.check_call(out, Call(cid, "answered", 200, 0, 3600, 5000,
                                  (12000, 12010), ended_by="caller",
                                  dialogs=1))

    def check_counts(self, t, req, resp, where):
        """Retransmission counters, when the record has them."""
        if "request_retransmissions" in t:
            self.assertEqual(t["request_retransmissions"], req,
                             where + ": request_retransmissions")
        if "response_retransmissions" in t:
            self.assertEqual(t["response_retransmissions"], resp,
                             where + ": response_retransmissions")

    def test_starts_mid_call(self):
        out = self.run_capture("starts_mid_call")
        self.check_txns(out, [
            Txn([1, 2], "INVITE", 200, INV_2XX),
            Txn([3], "ACK"),
            Txn([4, 5], "BYE", 200, NON_INV_FINAL),
        ])
        self.check_no_retransmissions_except(out, [])
        cid = "late-9f3c2b10@192.0.2.10"
        self.check_dialogs(out, cid, [
            Dlg("a1f5e7", "lt31", "terminated", 0, 2000, 9010,
                members=[1, 2, 3, 4, 5])])
        self.check_call(out, Call(cid, "answered", 200, 0, 0, 2000,
                                  (9000, 9010), ended_by="callee",
                                  dialogs=1))

    def test_rfc2543_no_cookie(self):
        out = self.run_capture("rfc2543_no_cookie")
        self.check_txns(out, [
            Txn([1, 2, 3, 4, 5], "INVITE", 200, INV_2XX, retrans=[2]),
            Txn([6], "ACK"),
            Txn([7, 8], "BYE", 200, NON_INV_FINAL),
            Txn([9, 10, 11, 14, 15], "INVITE", 487, INV_NON2XX_ACKED,
                cancel=12),
            Txn([12, 13], "CANCEL", 200, NON_INV_FINAL, cancel=9),
        ])
        self.check_no_retransmissions_except(out, [2])
        t = out.txns[out.msg(1)["transaction"]]
        self.assertTrue(never(t["branch"]) or t["branch"] == "",
                        "no branch in call 1, got %r" % t["branch"])
        for f in (1, 9, 12):
            t = out.txns[out.msg(f)["transaction"]]
            if "rfc2543" in t:
                self.assertTrue(t["rfc2543"], "txn of F%d: rfc2543" % f)
        c1, c2 = "9b4c5d2e-0a1f@192.0.2.50", "1c2d3e4f-5a6b@192.0.2.50"
        self.check_dialogs(out, c1, [
            Dlg("73920", "2543dd", "terminated", 600, 4000, 14010)])
        self.check_dialogs(out, c2, [
            Dlg("73921", "2543ee", "terminated", 20100, None, 26011)])
        self.check_call(out, Call(c1, "answered", 200, 0, 600, 4000,
                                  (14000, 14010), ended_by="caller",
                                  dialogs=1))
        self.check_call(out, Call(c2, "cancelled", 487, 20000, 20100, None,
                                  (26000, 26020), ended_by="caller",
                                  dialogs=1))

    def test_register_expiry(self):
        out = self.run_capture("register_expiry")
        self.check_txns(out, [
            Txn([1, 2], "REGISTER", 401, NON_INV_FINAL),
            Txn([3, 4], "REGISTER", 200, NON_INV_FINAL),
            Txn([5, 6], "REGISTER", 200, NON_INV_FINAL),
            Txn([7, 8], "REGISTER", 200, NON_INV_FINAL),
            Txn([9, 10], "REGISTER", 200, NON_INV_FINAL),
            Txn([11, 12], "REGISTER", 200, NON_INV_FINAL),
            Txn([13, 14], "OPTIONS", 200, NON_INV_FINAL),
        ])
        self.check_no_retransmissions_except(out, [])
        self.assertEqual(out.dialogs, {})
        self.check_reg(out, Reg("sip:carol@example.org",
                                [{"uri": "sip:carol@203.0.113.30:5060",
                                  "expires": 60, "state": "expired"}],
                                200, 1))
        self.check_reg(out, Reg("sip:dave@example.org",
                                [{"uri": "sip:dave@203.0.113.31:5060",
                                  "expires": 3600, "q": 0.7,
                                  "state": "refreshed"}],
                                200, 0))
        self.check_reg(out, Reg("sip:erin@example.org",
                                [{"uri": "sip:erin@203.0.113.32:5060",
                                  "state": "removed"}],
                                200, 0))
        self.assertEqual(len(out.regs), 3, sorted(out.regs))
        for cid in ("reg-c@203.0.113.30", "reg-d@203.0.113.31",
                    "ping-1@203.0.113.1"):
            self.check_call(out, Call(cid, "not-a-call", None, ANY, None,
                                      None, ANY, dialogs=0))

    def test_reinvite_glare_491(self):
        out = self.run_capture("reinvite_glare_491")
        self.check_txns(out, [
            Txn([1, 2, 3, 4], "INVITE", 200, INV_2XX),
            Txn([5], "ACK"),
            Txn([6, 8, 10], "INVITE", 491, INV_NON2XX_ACKED),
            Txn([7, 9, 11], "INVITE", 491, INV_NON2XX_ACKED),
            Txn([12, 13], "INVITE", 200, INV_2XX),
            Txn([14], "ACK"),
            Txn([15, 16], "BYE", 200, NON_INV_FINAL),
        ])
        self.check_no_retransmissions_except(out, [])
        cid = "glare-2d7e9a@192.0.2.10"
        dl = self.check_dialogs(out, cid, [
            Dlg("a1f5e7", "gl77", "terminated", 80, 1500, 20010,
                members=range(3, 17))])
        did = dl[("a1f5e7", "gl77")]["id"]
        for f in (6, 7, 12, 15):
            t = out.txns[out.msg(f)["transaction"]]
            if "dialog" in t:
                self.assertEqual(t["dialog"], did,
                                 "in-dialog txn of F%d: dialog" % f)
        self.check_call(out, Call(cid, "answered", 200, 0, 80, 1500,
                                  (20000, 20010), ended_by="caller",
                                  dialogs=1))

    def test_update_501(self):
        out = self.run_capture("update_501")
        self.check_txns(out, [
            Txn([1, 2, 3, 4], "INVITE", 200, INV_2XX),
            Txn([5], "ACK"),
            Txn([6, 7], "UPDATE", 501, NON_INV_FINAL),
            Txn([8, 9], "BYE", 200, NON_INV_FINAL),
        ])
        self.check_no_retransmissions_except(out, [])
        cid = "upd-61c0de@192.0.2.10"
        self.check_dialogs(out, cid, [
            Dlg("a1f5e7", "up42", "terminated", 80, 1500, 15010,
                members=range(3, 10))])
        self.check_call(out, Call(cid, "answered", 200, 0, 80, 1500,
                                  (15000, 15010), ended_by="callee",
                                  dialogs=1))

    def test_invite_timeout(self):
        out = self.run_capture("invite_timeout")
        self.check_txns(out, [
            Txn(range(1, 8), "INVITE", None, INV_NO_FINAL,
                retrans=range(2, 8)),
            Txn([8, 9], "OPTIONS", 200, NON_INV_FINAL),
        ])
        self.check_no_retransmissions_except(out, range(2, 8))
        t = out.txns[out.msg(1)["transaction"]]
        self.check_counts(t, 6, 0, "INVITE txn")
        self.check_no_final(t, "INVITE txn")
        self.assertEqual(out.dialogs, {})
        # not over before Timer B (64*T1 after the INVITE), nor after the
        # capture
        self.check_call(out, Call("tmo-33aa1c@192.0.2.10", "no-answer", None,
                                  0, None, None, (32000, 40005), dialogs=0))
        self.check_call(out, Call("ka-77@192.0.2.10", "not-a-call", None,
                                  40000, None, None, ANY, dialogs=0))


def main():
    global BIN
    if len(sys.argv) < 2:
        sys.exit("usage: test_flows.py SIPSCOPE_BINARY [unittest args]")
    BIN = os.path.abspath(sys.argv[1])
    unittest.main(argv=[sys.argv[0]] + sys.argv[2:], verbosity=2)


if __name__ == "__main__":
    main()
