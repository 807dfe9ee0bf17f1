#!/usr/bin/env python3
"""How the report options combine, and retransmissions in every output.

Usage: check_modes.py --sipscope BINARY

--json with --list/--stats/--ladder and --ladder-by-host without --ladder
are usage errors (status 2, one line on standard error, nothing read);
--list, --stats and --ladder combine in that order, a blank line apart,
and replace the per-message lines; a --ladder CALL-ID that matches nothing
is reported on standard error with status 2 after the rest was printed;
--ladder accepts a Call-ID, an ID from --list and "all".  A retransmitted
INVITE and 200 are marked in the text lines, the JSON records and the
ladder; a hostile Call-ID and method never reach the terminal raw.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
PCAPS = os.path.join(TESTS, "pcaps")
sys.path.insert(0, os.path.join(TESTS, "tools"))
import mkpcap  # noqa: E402

BIN = None
BASIC = os.path.join(PCAPS, "udp_basic_call.pcap")
BASIC_CID = "3848276298220188511@192.0.2.10"

INVITE = """\
INVITE sip:bob@example.net SIP/2.0
Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKretr1
Max-Forwards: 70
From: <sip:alice@example.com>;tag=a1
To: <sip:bob@example.net>
Call-ID: {cid}
CSeq: 1 INVITE
Content-Length: 0
"""

OK = """\
SIP/2.0 200 OK
Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKretr1
From: <sip:alice@example.com>;tag=a1
To: <sip:bob@example.net>;tag=b1
Call-ID: {cid}
CSeq: 1 INVITE
Content-Length: 0
"""


def run(args):
    return subprocess.run([BIN] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)


class Modes(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="sipscope-modes-")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def capture(self, name, msgs):
        cap = mkpcap.Capture(step_ns=500 * 10**6)
        for text, reverse in msgs:
            src, dst = ("198.51.100.20", "192.0.2.10") if reverse else ("192.0.2.10", "198.51.100.20")
            cap.add(mkpcap.udp_packet(src, 5060, dst, 5060, mkpcap.crlf(text)))
        path = os.path.join(self.tmp, name)
        cap.write_pcap(path)
        return path

    def retrans_capture(self, cid="retr-1@192.0.2.10"):
        inv, ok = INVITE.format(cid=cid), OK.format(cid=cid)
        return self.capture("retr.pcap", [(inv, False), (inv, False), (ok, True), (ok, True)])

    def assertUsage(self, p):
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertEqual(p.stdout, b"")
        lines = p.stderr.decode().strip().splitlines()
        self.assertEqual(len(lines), 1, p.stderr)
        self.assertTrue(lines[0].startswith("sipscope: "))

    def test_json_excludes_reports(self):
        for opt in (["--list"], ["--stats"], ["--ladder", "all"]):
            self.assertUsage(run(["-r", BASIC, "--json"] + opt))

    def test_by_host_needs_ladder(self):
        self.assertUsage(run(["-r", BASIC, "--list", "--ladder-by-host"]))

    def test_reports_combine_in_order(self):
        lst = run(["-q", "-r", BASIC, "--list"]).stdout
        st = run(["-q", "-r", BASIC, "--stats"]).stdout
        lad = run(["-q", "-r", BASIC, "--ladder", BASIC_CID]).stdout
        both = run(["-q", "-r", BASIC, "--ladder", BASIC_CID, "--stats", "--list"])
        self.assertEqual(both.returncode, 0)
        self.assertEqual(both.stdout, lst + b"\n" + st + b"\n" + lad)
        # No per-message lines in report mode.
        self.assertNotIn(b" UDP INVITE ", both.stdout)

    def test_ladder_names(self):
        by_cid = run(["-q", "-r", BASIC, "--ladder", BASIC_CID])
        by_id = run(["-q", "-r", BASIC, "--ladder", "0"])
        everything = run(["-q", "-r", BASIC, "--ladder", "all"])
        twice = run(["-q", "-r", BASIC, "--ladder", "0", "--ladder", BASIC_CID])
        self.assertEqual(by_cid.returncode, 0)
        self.assertEqual(by_cid.stdout, by_id.stdout)
        self.assertEqual(by_cid.stdout, everything.stdout)
        self.assertEqual(by_cid.stdout, twice.stdout)
        self.assertIn(b"Call 0: " + BASIC_CID.encode(), by_cid.stdout)

    def test_ladder_unknown_call(self):
        p = run(["-q", "-r", BASIC, "--list", "--ladder", "no-such-call", "--ladder", "7"])
        self.assertEqual(p.returncode, 2)
        self.assertIn(BASIC_CID.encode(), p.stdout)  # the list was printed
        lines = p.stderr.decode().strip().splitlines()
        self.assertEqual(len(lines), 2, p.stderr)
        self.assertIn('"no-such-call"', lines[0])
        self.assertIn('"7"', lines[1])
        # One known and one unknown: the known one is drawn.
        p = run(["-q", "-r", BASIC, "--ladder", "nope", "--ladder", BASIC_CID])
        self.assertEqual(p.returncode, 2)
        self.assertIn(b"INVITE (SDP)", p.stdout)

    def test_retransmissions_marked(self):
        path = self.retrans_capture()
        text = run(["-q", "-r", path]).stdout.decode().splitlines()
        self.assertEqual([l.endswith("(retransmission)") for l in text], [False, True, False, True])
        recs = [json.loads(l) for l in run(["-q", "--json", "-r", path]).stdout.decode().splitlines()]
        msgs = [r for r in recs if r["type"] == "message"]
        self.assertEqual([m["retransmission"] for m in msgs], [False, True, False, True])
        self.assertEqual(len({m["transaction"] for m in msgs}), 1)
        self.assertEqual(recs[-1]["retransmissions"], 2)
        lad = run(["-q", "-r", path, "--ladder", "all"]).stdout.decode().splitlines()
        rows = [l for l in lad if l[:2].isdigit()]
        self.assertEqual(len(rows), 4)
        self.assertTrue(rows[1].endswith("(retransmission)") and "=>" in rows[1], rows[1])
        self.assertTrue(rows[3].endswith("(retransmission)") and "<=" in rows[3], rows[3])
        self.assertNotIn("=", rows[0] + rows[2])
        st = run(["-q", "-r", path, "--stats"]).stdout.decode()
        self.assertRegex(st, r"retransmissions +2\n")

    def test_hostile_bytes_escaped(self):
        cid = "evil\x1b[2J\x07@192.0.2.10"
        path = self.retrans_capture(cid)
        for opt in (["--list"], ["--ladder", "all"], ["--stats"], ["--ladder", "0"]):
            p = run(["-q", "-r", path] + opt)
            self.assertEqual(p.returncode, 0, (opt, p.stderr))
            for b in p.stdout:
                self.assertTrue(b >= 0x20 or b == 0x0A, (opt, p.stdout))
        self.assertIn(b"evil\\x1b[2J\\x07@192.0.2.10", run(["-q", "-r", path, "--list"]).stdout)


def main():
    global BIN
    ap = argparse.ArgumentParser()
    ap.add_argument("--sipscope", required=True)
    a, rest = ap.parse_known_args()
    BIN = a.sipscope
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
