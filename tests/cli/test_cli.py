#!/usr/bin/env python3
"""Command-line behaviour of sipscope: exit statuses, one-line errors,
damaged and hostile input, standard input, merging, filters, output errors.

Usage: test_cli.py SIPSCOPE_BINARY
"""

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


def run(args, stdin=None, stdout=subprocess.PIPE):
    p = subprocess.run([BIN] + args, input=stdin, stdout=stdout,
                       stderr=subprocess.PIPE, timeout=60)
    return p


def records(out):
    recs = []
    for line in out.decode("utf-8").splitlines():
        recs.append(json.loads(line))
    return recs


def messages(out):
    return [r for r in records(out) if r["type"] == "message"]


def one_error_line(test, stderr):
    lines = stderr.decode("utf-8", "replace").strip().splitlines()
    test.assertEqual(len(lines), 1, stderr)
    test.assertTrue(lines[0].startswith("sipscope: "), lines[0])
    return lines[0]


INVITE = (
    "INVITE sip:bob@example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK{n}\r\n"
    "Max-Forwards: 70\r\n"
    "From: <sip:alice@example.com>;tag=a{n}\r\n"
    "To: <sip:bob@example.com>\r\n"
    "Call-ID: {cid}\r\n"
    "CSeq: 1 INVITE\r\n"
    "Content-Length: 0\r\n\r\n")


def invite(n, cid=None):
    return INVITE.format(n=n, cid=cid or "call-%d" % n).encode("utf-8")


def capture_of(payloads, t0=1700000000 * 10**9, sport=5060, dport=5060):
    cap = mkpcap.Capture(t0_ns=t0)
    for p in payloads:
        cap.add(mkpcap.udp_packet("192.0.2.1", sport, "192.0.2.2", dport, p))
    return cap


class Cli(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="sipscope-cli-")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def path(self, name):
        return os.path.join(self.tmp, name)

    # --- user errors -------------------------------------------------

    def test_missing_file(self):
        p = run(["-r", self.path("nope.pcap")])
        self.assertEqual(p.returncode, 3)
        self.assertIn("nope.pcap", one_error_line(self, p.stderr))
        self.assertEqual(p.stdout, b"")

    def test_directory(self):
        p = run(["-r", self.tmp, "--json"])
        self.assertEqual(p.returncode, 3)
        self.assertIn("directory", one_error_line(self, p.stderr))
        self.assertEqual(p.stdout, b"")

    def test_not_a_capture(self):
        with open(self.path("notes.txt"), "w") as f:
            f.write("<!DOCTYPE html>\nthis is not a capture\n")
        p = run(["-r", self.path("notes.txt")])
        self.assertEqual(p.returncode, 3)
        self.assertIn("not a pcap or pcapng file", one_error_line(self, p.stderr))

    def test_empty_file(self):
        open(self.path("empty.pcap"), "wb").close()
        p = run(["-r", self.path("empty.pcap")])
        self.assertEqual(p.returncode, 3)
        one_error_line(self, p.stderr)

    def test_unknown_option(self):
        p = run(["--no-such-option", "-r", os.path.join(PCAPS, "udp_basic_call.pcap")])
        self.assertEqual(p.returncode, 2)
        self.assertIn("no-such-option", one_error_line(self, p.stderr))

    def test_missing_argument(self):
        p = run(["-r"])
        self.assertEqual(p.returncode, 2)
        one_error_line(self, p.stderr)

    def test_nothing_to_read(self):
        p = run(["--json"])
        self.assertEqual(p.returncode, 2)
        one_error_line(self, p.stderr)

    def test_invalid_filter(self):
        p = run(["-r", os.path.join(PCAPS, "udp_basic_call.pcap"), "port", "nonsense", "and"])
        self.assertEqual(p.returncode, 2)
        self.assertIn("invalid filter", one_error_line(self, p.stderr))
        self.assertEqual(p.stdout, b"")

    def test_help_and_version(self):
        p = run(["--help"])
        self.assertEqual(p.returncode, 0)
        self.assertIn(b"Exit status", p.stdout)
        p = run(["--version"])
        self.assertEqual(p.returncode, 0)
        self.assertTrue(p.stdout.startswith(b"sipscope "))

    # --- damaged input ------------------------------------------------

    def test_truncated_capture_keeps_what_came_before(self):
        cap = capture_of([invite(i) for i in range(5)])
        cap.write_pcap(self.path("full.pcap"))
        data = open(self.path("full.pcap"), "rb").read()
        # Cut inside the fourth record's data.
        sizes = [16 + len(r.data) for r in cap.records]
        cut = 24 + sum(sizes[:3]) + 30
        with open(self.path("cut.pcap"), "wb") as f:
            f.write(data[:cut])
        p = run(["-r", self.path("cut.pcap"), "--json", "-q"])
        self.assertEqual(p.returncode, 4)
        line = one_error_line(self, p.stderr)
        self.assertIn("truncated", line)
        msgs = messages(p.stdout)
        self.assertEqual([m["frame"] for m in msgs], [1, 2, 3])
        self.assertEqual(records(p.stdout)[-1]["type"], "summary")

    def test_truncated_file_header(self):
        with open(self.path("hdr.pcap"), "wb") as f:
            f.write(b"\xd4\xc3\xb2\xa1\x02\x00")
        p = run(["-r", self.path("hdr.pcap")])
        self.assertIn(p.returncode, (3, 4))
        one_error_line(self, p.stderr)

    # --- sources ------------------------------------------------------

    def test_stdin_equals_file(self):
        f = os.path.join(PCAPS, "udp_basic_call.pcap")
        a = run(["-r", f, "--json", "-q"])
        with open(f, "rb") as fh:
            b = run(["-r", "-", "--json", "-q"], stdin=fh.read())
        self.assertEqual(a.returncode, 0)
        self.assertEqual(b.returncode, 0)
        self.assertEqual(messages(a.stdout), messages(b.stdout))
        self.assertGreater(len(messages(a.stdout)), 0)

    def test_merge_in_time_order(self):
        t0 = 1700000000 * 10**9
        a = mkpcap.Capture(t0_ns=t0, step_ns=2 * 10**6)
        b = mkpcap.Capture(t0_ns=t0 + 10**6, step_ns=2 * 10**6)
        for i in range(3):
            a.add(mkpcap.udp_packet("192.0.2.1", 5060, "192.0.2.2", 5060, invite(i, "A")))
            b.add(mkpcap.udp_packet("192.0.2.3", 5060, "192.0.2.4", 5060, invite(i, "B")))
        a.write_pcap(self.path("a.pcap"))
        b.write_pcapng(self.path("b.pcapng"))
        p = run(["-r", self.path("b.pcapng"), "-r", self.path("a.pcap"), "--json", "-q"])
        self.assertEqual(p.returncode, 0, p.stderr)
        msgs = messages(p.stdout)
        self.assertEqual([m["call_id"] for m in msgs], ["A", "B"] * 3)
        self.assertEqual([m["frame"] for m in msgs], list(range(1, 7)))
        ts = [m["ts"] for m in msgs]
        self.assertEqual(ts, sorted(ts))

    # --- filters ------------------------------------------------------

    def test_bpf_filter(self):
        cap = mkpcap.Capture()
        cap.add(mkpcap.udp_packet("192.0.2.1", 5060, "192.0.2.2", 5060, invite(1)))
        cap.add(mkpcap.udp_packet("192.0.2.1", 5080, "192.0.2.2", 5080, invite(2)))
        cap.write_pcap(self.path("ports.pcap"))
        p = run(["-r", self.path("ports.pcap"), "--json", "-q", "udp", "port", "5080"])
        self.assertEqual(p.returncode, 0, p.stderr)
        msgs = messages(p.stdout)
        self.assertEqual([(m["frame"], m["call_id"]) for m in msgs], [(2, "call-2")])

    # --- hostile bytes --------------------------------------------------

    def hostile_capture(self):
        cid = "evil\x1b]0;pwned\x07\x1b[2J"
        raw = invite(1, cid).replace(b"evil", b"\xff\xfe\xc3(evil")
        cap = capture_of([raw])
        cap.write_pcap(self.path("hostile.pcap"))
        return self.path("hostile.pcap")

    def test_text_output_escapes_wire_bytes(self):
        p = run(["-r", self.hostile_capture()])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn(b"\x1b", p.stdout)
        self.assertNotIn(b"\x07", p.stdout)
        self.assertIn(b"\\x1b", p.stdout)
        p.stdout.decode("utf-8")  # valid UTF-8

    def test_json_output_is_valid_whatever_the_bytes(self):
        p = run(["-r", self.hostile_capture(), "--json", "-q"])
        self.assertEqual(p.returncode, 0, p.stderr)
        msgs = messages(p.stdout)
        self.assertEqual(len(msgs), 1)
        self.assertIn("\x1b]0;pwned", msgs[0]["call_id"])
        self.assertIn("\ufffd", msgs[0]["call_id"])

    # --- the same output on one thread or two, under any hash seed -----

    def assert_same_output(self, env1, env2, modes):
        """Every capture of the suite in every mode gives the same exit
        status, output and errors, byte for byte, under both
        environments."""
        caps = []
        for root, _dirs, files in os.walk(PCAPS):
            caps += [os.path.join(root, f) for f in sorted(files)
                     if f.endswith((".pcap", ".pcapng"))]
        self.assertGreater(len(caps), 50)
        for cap in caps:
            for mode in modes:
                args = [BIN, "-r", cap] + mode
                a = subprocess.run(args, env=env1, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, timeout=60)
                b = subprocess.run(args, env=env2, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, timeout=60)
                what = "%s %s" % (os.path.relpath(cap, PCAPS), " ".join(mode))
                self.assertEqual(a.returncode, b.returncode, what)
                self.assertEqual(a.stdout, b.stdout, what)
                self.assertEqual(a.stderr, b.stderr, what)

    def test_reading_thread_changes_nothing(self):
        """Files are read and parsed on a thread of their own while the
        model runs on the main one: every output must be the same as on
        one thread."""
        self.assert_same_output(dict(os.environ, SIPSCOPE_THREADS="1"),
                                dict(os.environ, SIPSCOPE_THREADS="2"),
                                (["--json"], ["--stats"]))

    def test_hash_seed_changes_nothing(self):
        """The hashes of wire bytes start from a secret drawn at start
        (base/hashseed.h), so that a capture cannot be crafted to make the
        tables' lookups collide: nothing written may depend on it.  Every
        capture of the suite, under two seeds fixed with
        SIPSCOPE_HASH_SEED: the same bytes."""
        self.assert_same_output(
            dict(os.environ, SIPSCOPE_HASH_SEED="1"),
            dict(os.environ, SIPSCOPE_HASH_SEED="0x9e3779b97f4a7c15"),
            (["--json"], ["--check"], ["--ladder", "all"]))

    # --- output errors --------------------------------------------------

    @unittest.skipUnless(os.path.exists("/dev/full"), "no /dev/full")
    def test_reading_thread_stops_on_full_disk(self):
        """An output that fails ends the run at once, the reading thread
        with it (nothing waits for a reader that went away)."""
        cap = capture_of([invite(i, cid="c%d" % i) for i in range(3000)])
        cap.write_pcap(self.path("many.pcap"))
        env = dict(os.environ, SIPSCOPE_THREADS="2")
        with open("/dev/full", "wb") as full:
            p = subprocess.run([BIN, "-r", self.path("many.pcap"), "--json", "-q"],
                               stdout=full, stderr=subprocess.PIPE, env=env, timeout=60)
        self.assertEqual(p.returncode, 5)
        self.assertIn("No space left", one_error_line(self, p.stderr))

    @unittest.skipUnless(os.path.exists("/dev/full"), "no /dev/full")
    def test_full_disk(self):
        with open("/dev/full", "wb") as full:
            p = run(["-r", os.path.join(PCAPS, "udp_basic_call.pcap"), "--json", "-q"],
                    stdout=full)
        self.assertEqual(p.returncode, 5)
        self.assertIn("No space left", one_error_line(self, p.stderr))


OPTIONS = (
    "OPTIONS sip:192.0.2.2 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKo{n}\r\n"
    "Max-Forwards: 70\r\n"
    "From: <sip:alice@example.com>;tag=o{n}\r\n"
    "To: <sip:192.0.2.2>\r\n"
    "Call-ID: ping-{n}\r\n"
    "CSeq: 1 OPTIONS\r\n"
    "Content-Length: 0\r\n\r\n")

OPTIONS_OK = (
    "SIP/2.0 200 OK\r\n"
    "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKo{n}\r\n"
    "From: <sip:alice@example.com>;tag=o{n}\r\n"
    "To: <sip:192.0.2.2>;tag=p{n}\r\n"
    "Call-ID: ping-{n}\r\n"
    "CSeq: 1 OPTIONS\r\n"
    "Content-Length: 0\r\n\r\n")


class Timers(unittest.TestCase):
    """--t1, --t4 and --timer-c: the timers the model judges by."""

    T0 = 1700000000 * 10**9

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="sipscope-timers-")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def unanswered(self):
        """An INVITE never answered; the capture ends 10 s later with an
        OPTIONS answered at once."""
        cap = mkpcap.Capture(t0_ns=self.T0)
        cap.add(mkpcap.udp_packet("192.0.2.1", 5060, "192.0.2.2", 5060, invite(1)))
        cap.at(self.T0 + 10 * 10**9)
        cap.add(mkpcap.udp_packet("192.0.2.1", 5060, "192.0.2.2", 5060,
                                  OPTIONS.format(n=1).encode()))
        cap.add(mkpcap.udp_packet("192.0.2.2", 5060, "192.0.2.1", 5060,
                                  OPTIONS_OK.format(n=1).encode()))
        path = os.path.join(self.tmp, "unanswered.pcap")
        cap.write_pcap(path)
        return path

    def objects(self, args):
        p = run(args + ["--json", "-q"])
        self.assertEqual(p.returncode, 0, p.stderr)
        objs = {}
        for r in records(p.stdout):
            objs.setdefault(r["type"], []).append(r)
        return objs

    def test_t1_changes_json(self):
        cap = self.unanswered()
        std = self.objects(["-r", cap])
        self.assertEqual(std["transaction"][0]["end"], "capture-ended")
        self.assertEqual(std["call"][0]["state"], "setup")
        self.assertNotIn("finding", std)
        short = self.objects(["-r", cap, "--t1", "100"])
        inv = short["transaction"][0]
        self.assertEqual(inv["end"], "no-final-response")
        self.assertEqual(inv["state"], "terminated")
        self.assertEqual(inv["state_ts"]["terminated"], 1700000006.4)
        self.assertEqual(short["call"][0]["state"], "no-answer")
        self.assertEqual([f["code"] for f in short["finding"]], ["no-final-response"])
        self.assertIn("within 6.4 s (Timer B", short["finding"][0]["summary"])

    def test_t1_changes_check(self):
        cap = self.unanswered()
        p = run(["-r", cap, "--check", "-q"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn(b"no-final-response", p.stdout)
        p = run(["-r", cap, "--check", "-q", "--t1", "100"])
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("no-final-response", p.stdout.decode())
        # a bundled capture: the summary names the timer as set
        flow = os.path.join(PCAPS, "flows", "invite_timeout.pcap")
        p = run(["-r", flow, "--check", "-q"])
        self.assertIn("within 32 s (Timer B, 64\u00d7T1)", p.stdout.decode())
        p = run(["-r", flow, "--check", "-q", "--t1", "250"])
        self.assertIn("within 16 s (Timer B, 64\u00d7T1)", p.stdout.decode())

    def test_defaults_unchanged(self):
        """The RFC values given explicitly change nothing, byte for byte."""
        for cap in (os.path.join(PCAPS, "flows", "invite_timeout.pcap"),
                    os.path.join(PCAPS, "forking.pcap"),
                    os.path.join(PCAPS, "findings", "retransmission-storm.pcap")):
            for mode in (["--json"], ["--check"], ["--stats"]):
                a = run(["-r", cap, "-q"] + mode)
                b = run(["-r", cap, "-q", "--t1", "500", "--t4", "5000",
                         "--timer-c", "180"] + mode)
                self.assertEqual((a.returncode, a.stdout), (b.returncode, b.stdout),
                                 "%s %s" % (cap, mode))

    def answered_and_ringing(self, end_s):
        """An OPTIONS answered at once and an INVITE left ringing; the
        capture ends end_s later with another OPTIONS."""
        cap = mkpcap.Capture(t0_ns=self.T0)
        cap.add(mkpcap.udp_packet("192.0.2.1", 5060, "192.0.2.2", 5060,
                                  OPTIONS.format(n=1).encode()))
        cap.add(mkpcap.udp_packet("192.0.2.2", 5060, "192.0.2.1", 5060,
                                  OPTIONS_OK.format(n=1).encode()))
        ringing = invite(2).decode().replace("INVITE sip:bob@example.com SIP/2.0",
                                             "SIP/2.0 180 Ringing")
        ringing = ringing.replace("To: <sip:bob@example.com>",
                                  "To: <sip:bob@example.com>;tag=b2")
        cap.add(mkpcap.udp_packet("192.0.2.1", 5060, "192.0.2.2", 5060, invite(2)))
        cap.add(mkpcap.udp_packet("192.0.2.2", 5060, "192.0.2.1", 5060, ringing.encode()))
        cap.at(self.T0 + end_s * 10**9)
        cap.add(mkpcap.udp_packet("192.0.2.1", 5060, "192.0.2.2", 5060,
                                  OPTIONS.format(n=3).encode()))
        path = os.path.join(self.tmp, "end-%d.pcap" % end_s)
        cap.write_pcap(path)
        return path

    def by_branch(self, args):
        return {t["branch"]: t for t in self.objects(args)["transaction"]}

    def test_t4(self):
        path = self.answered_and_ringing(20)
        std = self.by_branch(["-r", path])
        self.assertEqual(std["z9hG4bKo1"]["state"], "terminated")   # Timer K: T4 = 5 s
        self.assertEqual(std["z9hG4bKo1"]["state_ts"]["terminated"], 1700000005.001)
        longer = self.by_branch(["-r", path, "--t4", "30000"])
        self.assertEqual(longer["z9hG4bKo1"]["state"], "completed")
        self.assertIsNone(longer["z9hG4bKo1"]["state_ts"]["terminated"])

    def test_timer_c(self):
        path = self.answered_and_ringing(70)
        std = self.by_branch(["-r", path])
        self.assertEqual(std["z9hG4bK2"]["end"], "capture-ended")   # Timer C: 3 minutes
        self.assertEqual(std["z9hG4bK2"]["state"], "proceeding")
        shorter = self.by_branch(["-r", path, "--timer-c", "60"])
        self.assertEqual(shorter["z9hG4bK2"]["end"], "no-final-response")
        self.assertEqual(shorter["z9hG4bK2"]["state"], "terminated")
        self.assertEqual(shorter["z9hG4bK2"]["state_ts"]["terminated"], 1700000060.003)

    def test_bad_values(self):
        cap = os.path.join(PCAPS, "udp_basic_call.pcap")
        for args, want in ((["--t1", "0"], "--t1 wants a whole number from 1 to 60000, not '0'"),
                           (["--t1", "abc"], "--t1 wants a whole number from 1 to 60000"),
                           (["--t1", "60001"], "--t1 wants a whole number from 1 to 60000"),
                           (["--t1", "1.5"], "--t1 wants a whole number"),
                           (["--t4", "-5"], "--t4 wants a whole number from 1 to 60000"),
                           (["--timer-c", "0"], "--timer-c wants a whole number from 1 to 86400"),
                           (["--timer-c", "86401"], "--timer-c wants a whole number")):
            p = run(["-r", cap, "--json"] + args)
            self.assertEqual(p.returncode, 2, args)
            self.assertIn(want, one_error_line(self, p.stderr))
            self.assertEqual(p.stdout, b"")
        p = run(["-r", cap, "--t1"])
        self.assertEqual(p.returncode, 2)
        one_error_line(self, p.stderr)

def call_messages(i):
    """The six messages of an answered call between 192.0.2.1 and .2."""
    cid = "limits-%d@192.0.2.1" % i
    common = ("From: <sip:alice@example.com>;tag=a{i}\r\n"
              "To: <sip:bob@example.com>{totag}\r\n"
              "Call-ID: {cid}\r\n"
              "CSeq: {cseq} {method}\r\n")

    def req(method, cseq, branch, totag):
        return (("%s sip:bob@192.0.2.2 SIP/2.0\r\n"
                 "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK%s\r\n"
                 "Max-Forwards: 70\r\n" % (method, branch)) +
                common.format(i=i, totag=totag, cid=cid, cseq=cseq, method=method) +
                "Contact: <sip:alice@192.0.2.1>\r\nContent-Length: 0\r\n\r\n").encode()

    def rsp(status, reason, method, cseq, branch, totag):
        return (("SIP/2.0 %d %s\r\n"
                 "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK%s\r\n" % (status, reason, branch)) +
                common.format(i=i, totag=totag, cid=cid, cseq=cseq, method=method) +
                "Contact: <sip:bob@192.0.2.2>\r\nContent-Length: 0\r\n\r\n").encode()

    tt = ";tag=b%d" % i
    return [(True, req("INVITE", 1, "i%d" % i, "")),
            (False, rsp(180, "Ringing", "INVITE", 1, "i%d" % i, tt)),
            (False, rsp(200, "OK", "INVITE", 1, "i%d" % i, tt)),
            (True, req("ACK", 1, "a%d" % i, tt)),
            (True, req("BYE", 2, "b%d" % i, tt)),
            (False, rsp(200, "OK", "BYE", 2, "b%d" % i, tt))]


def mixed_call_messages(i):
    """Messages of call i, each kind in turn: answered (with a late 2xx
    retransmission), busy, cancelled, and a REGISTER whose Call-ID every
    fourth call reuses; every other busy call uses one Call-ID again (and
    its branch), each time long after the last one ended."""
    kind = i % 4
    if kind == 0:
        msgs = call_messages(i)
        return msgs[:3] + [msgs[2]] + msgs[3:]
    cid = ("reg@192.0.2.1" if kind == 3 else "again@192.0.2.1" if i % 8 == 1
           else "mixed-%d@192.0.2.1" % i)
    if i % 8 == 1:
        i = 1
    method = "REGISTER" if kind == 3 else "INVITE"
    head = ("{m} sip:bob@192.0.2.2 SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK{b}\r\n"
            "Max-Forwards: 70\r\n")
    common = ("From: <sip:alice@example.com>;tag=a{i}\r\n"
              "To: <sip:bob@example.com>{tt}\r\n"
              "Call-ID: {cid}\r\nCSeq: {n} {m}\r\n"
              "Contact: <sip:alice@192.0.2.1>\r\nContent-Length: 0\r\n\r\n")

    def req(m, b, n, tt=""):
        return (head + common).format(m=m, b=b, i=i, tt=tt, cid=cid, n=n).encode()

    def rsp(status, m, b, n, tt=""):
        return ("SIP/2.0 %d X\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK{b}\r\n"
                % status + common).format(m=m, b=b, i=i, tt=tt, cid=cid, n=n).encode()
    tt = ";tag=b%d" % i
    if kind == 1:
        return [(True, req("INVITE", "i%d" % i, 1)), (False, rsp(486, "INVITE", "i%d" % i, 1, tt)),
                (True, req("ACK", "i%d" % i, 1, tt))]
    if kind == 2:
        return [(True, req("INVITE", "i%d" % i, 1)), (False, rsp(180, "INVITE", "i%d" % i, 1, tt)),
                (True, req("CANCEL", "i%d" % i, 1)), (False, rsp(200, "CANCEL", "i%d" % i, 1, tt)),
                (False, rsp(487, "INVITE", "i%d" % i, 1, tt)), (True, req("ACK", "i%d" % i, 1, tt))]
    return [(True, req("REGISTER", "r%d" % i, i)), (False, rsp(200, "REGISTER", "r%d" % i, i, tt))]


class IcmpFlows(unittest.TestCase):
    """ICMP errors find the datagram they quote by its flow's last message;
    the flows are kept for recent traffic only (until the first ICMP error
    a ring of the last 65,536 UDP messages, then two generations of 32,768
    flows), so a live capture meeting endless endpoints stays bounded."""

    @staticmethod
    def options(n, src, sport):
        return ("OPTIONS sip:198.51.100.99 SIP/2.0\r\n"
                "Via: SIP/2.0/UDP %s:%d;branch=z9hG4bKfl%d\r\n"
                "Max-Forwards: 70\r\n"
                "From: <sip:ka@%s>;tag=f%d\r\n"
                "To: <sip:198.51.100.99>\r\n"
                "Call-ID: flow-%d@%s\r\n"
                "CSeq: 1 OPTIONS\r\n"
                "Content-Length: 0\r\n\r\n" % (src, sport, n, src, n, n, src)).encode()

    def test_recent_flows_only(self):
        tmp = tempfile.mkdtemp(prefix="sipscope-icmp-")
        self.addCleanup(shutil.rmtree, tmp)
        cap = mkpcap.Capture(step_ns=10**5)
        router = "198.51.100.1"

        def send(n, src, sport):
            pkt = mkpcap.udp_packet(src, sport, "198.51.100.99", 5060, self.options(n, src, sport))
            cap.add(pkt)
            return pkt

        first = send(0, "192.0.2.10", 5060)          # frame 1, then 70,000 other flows
        middle = again = None
        for n in range(1, 70001):
            if n in (10000, 69000):
                # one flow twice, on both sides of where the ring wrapped
                # (the same first 64 bytes: only the order tells them apart)
                again = send(n, "192.0.2.12", 5060)   # frames 10,001 and 69,001
                continue
            pkt = send(n, "10.%d.%d.%d" % (n >> 16, (n >> 8) & 255, n & 255), 5062)
            if n == 50000:
                middle = pkt                          # frame 50,001: the older generation
        last = send(70001, "192.0.2.11", 5060)       # frame 70,002
        for i, pkt in enumerate((last, middle, again, first)):
            cap.add(mkpcap.icmp_unreachable(pkt[0], router, ident=0x100 + i))
        path = os.path.join(tmp, "flows.pcap")
        cap.write_pcap(path)
        p = run(["-r", path, "--json"])
        self.assertEqual(p.returncode, 0, p.stderr)
        icmp = [r for r in records(p.stdout) if r["type"] == "icmp"]
        self.assertEqual([r["quotes_frame"] for r in icmp], [70002, 50001, 69001, None])

    def test_after_the_first_error(self):
        """Once an ICMP error was seen, the messages after it are found too."""
        tmp = tempfile.mkdtemp(prefix="sipscope-icmp-")
        self.addCleanup(shutil.rmtree, tmp)
        cap = mkpcap.Capture(step_ns=10**5)
        router = "198.51.100.1"
        pkts = []
        for n in range(6):
            pkt = mkpcap.udp_packet("192.0.2.%d" % (20 + n % 3), 5060, "198.51.100.99", 5060,
                                    self.options(n, "192.0.2.%d" % (20 + n % 3), 5060))
            cap.add(pkt)                              # frames 1-3, then 5-7
            pkts.append(pkt)
            if n == 2:
                cap.add(mkpcap.icmp_unreachable(pkts[0][0], router, ident=0x200))  # frame 4
        # the flows' last messages are those after the first error
        for i, k in enumerate((5, 3)):
            cap.add(mkpcap.icmp_unreachable(pkts[k][0], router, ident=0x201 + i))
        path = os.path.join(tmp, "flows.pcap")
        cap.write_pcap(path)
        p = run(["-r", path, "--json"])
        self.assertEqual(p.returncode, 0, p.stderr)
        icmp = [r for r in records(p.stdout) if r["type"] == "icmp"]
        self.assertEqual([r["quotes_frame"] for r in icmp], [1, 7, 5])


class Limits(unittest.TestCase):
    """--max-calls / --max-messages: calls evicted as they go are reported
    then, and every report covers the whole run."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="sipscope-limits-")
        # 40 calls one after the other: each is over before the next
        # starts, so evicting the least recently active one loses nothing
        # and every record must be what the run without limits writes
        cap = mkpcap.Capture()
        for i in range(40):
            cap.at(1700000000 * 10**9 + i * 10**10)
            for from_a, payload in call_messages(i):
                if from_a:
                    cap.add(mkpcap.udp_packet("192.0.2.1", 5060, "192.0.2.2", 5060, payload))
                else:
                    cap.add(mkpcap.udp_packet("192.0.2.2", 5060, "192.0.2.1", 5060, payload))
        self.cap = os.path.join(self.tmp, "calls.pcap")
        cap.write_pcap(self.cap)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def json_of(self, extra):
        p = run(["-r", self.cap, "--json"] + extra)
        self.assertEqual(p.returncode, 0, p.stderr)
        return records(p.stdout)

    def test_json_same_records(self):
        full = self.json_of([])
        for extra in (["--max-calls", "3"], ["--max-messages", "7"],
                      ["--max-calls", "1", "--max-messages", "100"]):
            lim = self.json_of(extra)
            for kind in ("message", "transaction", "dialog", "call", "finding"):
                a = sorted(json.dumps(r, sort_keys=True) for r in full if r["type"] == kind)
                b = sorted(json.dumps(r, sort_keys=True) for r in lim if r["type"] == kind)
                self.assertEqual(a, b, (extra, kind))
            # messages stay in capture order, and a call's records follow its messages
            self.assertEqual([r for r in full if r["type"] == "message"],
                             [r for r in lim if r["type"] == "message"])
            summary = lim[-1]
            self.assertEqual(summary["type"], "summary")
            ev = summary["evicted"]
            self.assertGreaterEqual(ev["calls"], 37, extra)
            self.assertEqual(ev["groups"], 0)
            self.assertEqual(ev["messages"], ev["calls"] * 6)
            self.assertEqual(ev["transactions"], ev["calls"] * 3)
            self.assertEqual(ev["dialogs"], ev["calls"])
            for k in ("messages", "transactions", "dialogs", "calls", "findings"):
                self.assertEqual(summary[k], full[-1][k], k)
            self.assertNotIn("evicted", full[-1])
            # every id a message names has its record, written once
            for kind, key in (("transaction", "transaction"), ("dialog", "dialog"),
                              ("call", "call")):
                ids = [r["id"] for r in lim if r["type"] == kind]
                self.assertEqual(len(ids), len(set(ids)))
                named = {r[key] for r in lim if r["type"] == "message" and r[key] is not None}
                self.assertLessEqual(named, set(ids))

    def test_reports_whole_run(self):
        full = run(["-r", self.cap, "--list", "--stats", "--check"])
        lim = run(["-r", self.cap, "--list", "--stats", "--check", "--max-calls", "2"])
        self.assertEqual(full.returncode, 0, full.stderr)
        self.assertEqual(lim.returncode, 0, lim.stderr)
        fl = full.stdout.decode().split("\n\n")
        ll = lim.stdout.decode().split("\n\n")
        # the list: the same rows (columns are of fixed widths with limits)
        norm = lambda t: [" ".join(x.split()) for x in t.splitlines()]  # noqa: E731
        self.assertEqual(norm(fl[0]), norm(ll[0]))
        self.assertEqual(len(norm(ll[0])), 41)
        # the statistics: the same tables, then what was evicted
        self.assertEqual(fl[1:-1], ll[1:len(fl) - 1])
        evicted = [x for x in ll if x.startswith("Evicted")]
        self.assertEqual(len(evicted), 1)
        ev = norm(evicted[0])
        self.assertIn("calls 38", ev)
        self.assertIn("messages 228", ev)
        self.assertIn("Limit on calls (--max-calls) 2", ev)
        # --check last, as without limits
        self.assertEqual(fl[-1], ll[-1])

    def test_check_groups_of_evicted_calls(self):
        # a call whose INVITE is never answered: its finding is written
        # when the call is evicted, and the exit status still says so
        cap = mkpcap.Capture()
        msgs = call_messages(0)
        cap.add(mkpcap.udp_packet("192.0.2.1", 5060, "192.0.2.2", 5060, msgs[0][1]))
        cap.wait(10**11)
        for i in range(1, 4):
            for from_a, payload in call_messages(i):
                a, b = ("192.0.2.1", "192.0.2.2") if from_a else ("192.0.2.2", "192.0.2.1")
                cap.add(mkpcap.udp_packet(a, 5060, b, 5060, payload))
        path = os.path.join(self.tmp, "unanswered.pcap")
        cap.write_pcap(path)
        full = run(["-r", path, "--check"])
        lim = run(["-r", path, "--check", "--max-calls", "1"])
        self.assertEqual(full.returncode, 1, full.stderr)
        self.assertEqual(lim.returncode, 1, lim.stderr)
        self.assertIn("no-final-response", full.stdout.decode())
        self.assertIn("Call 0: limits-0@192.0.2.1", lim.stdout.decode())
        self.assertTrue(lim.stdout.decode().endswith(full.stdout.decode().splitlines()[-1] + "\n"))

    def test_live_defaults(self):
        # a live input is bounded unless told otherwise; a file is not
        import socket
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        hep = ["--hep-listen", "udp:127.0.0.1:%d" % port, "--json", "--duration", "1", "-q"]
        p = run(hep)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(records(p.stdout)[-1]["limits"],
                         {"max_calls": 20000, "max_messages": 100000})
        p = run(hep + ["--max-calls", "0"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn("limits", records(p.stdout)[-1])
        p = run(hep + ["--max-messages", "10"])
        self.assertEqual(records(p.stdout)[-1]["limits"], {"max_calls": 0, "max_messages": 10})
        p = run(["-r", self.cap, "--json"])
        self.assertNotIn("limits", records(p.stdout)[-1])

    def test_pipe_rotation(self):
        # read from a pipe under limits, the records kept for reassembly are
        # rotated (here after every frame, the most taxing): the messages
        # are those of reading the file, alone or merged with another input
        env = dict(os.environ, SIPSCOPE_ROTATE_KB="1")
        def msgs(args, stdin=None):
            p = subprocess.run([BIN] + args + ["--json", "--max-calls", "3", "-q"], input=stdin,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=60)
            self.assertEqual(p.returncode, 0, p.stderr)
            return [r for r in records(p.stdout) if r["type"] == "message"]
        names = ["tcp_out_of_order_retrans.pcap", "tcp_split.pcap", "tcp_coalesced.pcap",
                 "ipv4_frag.pcap", "ws_call.pcap", "sctp_call.pcap"]
        for name in names:
            path = os.path.join(PCAPS, name)
            with open(path, "rb") as fh:
                data = fh.read()
            self.assertEqual(msgs(["-r", "-"], data), msgs(["-r", path]), name)
        a, b = (os.path.join(PCAPS, n) for n in ("tcp_split.pcap", "ipv4_frag.pcap"))
        with open(a, "rb") as fh:
            data = fh.read()
        self.assertEqual(msgs(["-r", "-", "-r", b], data), msgs(["-r", a, "-r", b]))

    def test_forgets_finished_calls(self):
        """--stats, --list, --check, --ladder (but the calls it names) and
        --json forget calls once they are finished and quiet (what a
        forgotten call has to say is kept aside for its place); the output
        must be what keeping every call gives, byte for byte,
        on every capture of the suite (and ../shared/pcaps when there),
        with the default timers and with short ones.  The mixed capture's
        calls are 100 s apart: each is forgotten after five minutes of
        quiet, the REGISTER Call-ID between its uses."""
        cap = mkpcap.Capture()
        for i in range(48):
            t = 1700000000 * 10**9 + i * 100 * 10**9
            for k, (from_a, payload) in enumerate(mixed_call_messages(i)):
                # the answered calls' 2xx comes again 25 s later, before the ACK
                cap.at(t + k * 10**8 + (25 * 10**9 if k >= 3 and i % 4 == 0 else 0))
                ends = ("192.0.2.1", 5060, "192.0.2.2", 5060)
                if not from_a:
                    ends = (ends[2], ends[3], ends[0], ends[1])
                cap.add(mkpcap.udp_packet(*ends, payload))
        mixed = os.path.join(self.tmp, "mixed.pcap")
        cap.write_pcap(mixed)
        caps = [self.cap, mixed]
        shared = os.path.join(os.path.dirname(TESTS), "..", "shared", "pcaps")
        for top in (PCAPS, shared):
            for root, _dirs, files in os.walk(top):
                caps += [os.path.join(root, f) for f in sorted(files)
                         if f.endswith((".pcap", ".pcapng", ".cap"))]
        self.assertGreater(len(caps), 50)
        keep = dict(os.environ, SIPSCOPE_KEEP_FINISHED="1")
        for c in caps:
            for mode, timers in ((["--stats"], []), (["--stats"], ["--t1", "1", "--t4", "1"]),
                                 (["--json"], []), (["--json"], ["--t1", "1", "--t4", "1"]),
                                 (["--list", "--stats", "--check"], []),
                                 (["--list", "--stats", "--check"], ["--t1", "1", "--t4", "1"]),
                                 (["--ladder", "1", "--ladder", "5", "--check"], [])):
                args = [BIN, "-r", c] + mode + timers
                a = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
                b = subprocess.run(args, env=keep, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, timeout=60)
                what = "%s %s" % (c, " ".join(mode + timers))
                self.assertEqual(a.returncode, b.returncode, what)
                self.assertEqual(a.stdout, b.stdout, what)
                self.assertEqual(a.stderr, b.stderr, what)
                if c.startswith(PCAPS) and "malformed" not in c and "--check" not in mode:
                    self.assertEqual(a.returncode, 0, what)
        # the mixed capture says what it holds: 12 answered, busy and
        # cancelled calls each (six of the busy ones one Call-ID used again
        # every 800 s), one REGISTER Call-ID used 12 times, 12 2xx
        # retransmissions
        p = run(["-r", mixed, "--list"])
        again = [x.split() for x in p.stdout.decode().splitlines() if "again@" in x]
        self.assertEqual([x[-2] for x in again], ["3"] * 6)
        ids = [int(x[0]) for x in again]
        self.assertEqual(ids, sorted(set(ids)))
        p = run(["-r", mixed, "--ladder", "again@192.0.2.1"])
        self.assertEqual(p.stdout.decode().count("Call "), 6)
        p = run(["-r", mixed, "--stats"])
        lines = {" ".join(x.split()) for x in p.stdout.decode().splitlines()}
        for want in ("Calls (with INVITE) 36", "answered 12", "busy 12", "cancelled 12",
                     "Other Call-IDs (no INVITE) 1", "REGISTER 1", "REGISTER transactions 12",
                     "retransmissions 12", "Transactions 84"):
            self.assertIn(want, lines)

    def test_usage(self):
        for args, want in ((["--max-calls", "x", "--json"], "--max-calls wants a whole number"),
                           (["--max-messages", "-1", "--json"], "--max-messages wants a whole number"),
                           (["--max-calls", "5", "--ladder", "all"],
                            "--ladder draws calls from the whole input")):
            p = run(["-r", self.cap] + args)
            self.assertEqual(p.returncode, 2, args)
            self.assertIn(want, one_error_line(self, p.stderr))
            self.assertEqual(p.stdout, b"")
        # 0 is no limit
        p = run(["-r", self.cap, "--json", "--max-calls", "0"])
        self.assertEqual(p.returncode, 0)
        self.assertNotIn("evicted", records(p.stdout)[-1])


if __name__ == "__main__":
    BIN = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
