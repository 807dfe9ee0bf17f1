#!/usr/bin/env python3
"""Findings (issue 8) as `sipscope -r FILE --json` and `--check` report them.

Usage: test_findings.py SIPSCOPE_BINARY [unittest arguments, e.g.
       Findings.test_forwarding_loop  or  Clean]

  - Findings.test_<capture>: each capture of tests/pcaps/findings (made by
    tests/tools/make_finding_pcaps.py, named after the finding it shows)
    triggers exactly the findings of severity warning or error listed in
    EXPECTED, and at least the info findings listed there; every finding
    record is well formed and has the severity of its code (SEVERITY);
    `--check` prints every one of them and exits 1 exactly when one is an
    error.
  - Findings.test_every_code_has_a_capture: each code of SEVERITY is shown
    by some capture, and each capture has an entry in EXPECTED.
  - Clean.test_clean_captures: the captures of tests/pcaps and
    tests/pcaps/flows trigger nothing of severity warning or error, except
    the ones broken or failing on purpose, which trigger exactly the
    findings listed in CLEAN_EXCEPTIONS.
"""

import glob
import json
import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
FINDINGS = os.path.join(TESTS, "pcaps", "findings")
BIN = None

# Every code and its severity.
SEVERITY = {
    # message syntax and mandatory headers
    "malformed-message": "error", "missing-to": "error", "missing-from": "error",
    "missing-call-id": "error", "missing-cseq": "error", "missing-via": "error",
    "missing-max-forwards": "warning", "cseq-method-mismatch": "error",
    "cseq-malformed": "error", "branch-no-cookie": "info", "branch-cookie-only": "warning",
    "content-length-missing": "error", "content-length-exceeds": "error",
    "content-length-short": "warning", "content-length-malformed": "error",
    "header-malformed": "warning", "to-tag-changed": "warning",
    "invite-2xx-no-to-tag": "error", "invite-2xx-no-contact": "error",
    # transactions
    "no-final-response": "error", "ack-missing": "error", "non2xx-ack-missing": "warning",
    "retransmission-storm": "warning", "response-retransmission-storm": "warning",
    "stray-response": "warning",
    "cancel-unknown-invite": "warning", "cancel-after-final": "info", "response-481": "warning",
    # dialogs
    "dialog-unknown": "warning", "cseq-not-increasing": "warning", "reinvite-glare": "info",
    "glare-retry-too-soon": "warning", "call-not-ended": "info",
    # authentication and registration
    "auth-failed": "error", "binding-expired": "warning", "expires-shortened": "info",
    "q-values-ignored": "warning",
    # loops and spirals
    "forwarding-loop": "error", "via-loop": "error", "spiral": "info",
    "too-many-hops": "error", "loop-detected": "warning",
    # redirects
    "redirect": "info", "redirect-loop": "error", "redirect-chain": "warning",
    "redirect-q-order": "warning",
    # routing
    "strict-routing": "warning", "route-skipped": "warning", "route-set-mismatch": "warning",
    # SDP offer/answer
    "no-common-codec": "warning", "answer-codec-not-offered": "warning",
    "answer-media-mismatch": "warning", "hold": "info", "sdp-private-address": "warning",
}

# capture (without .pcap): (warning and error codes, exactly;
#                           info codes that must be among the findings)
EXPECTED = {
    "malformed-message": ({"malformed-message"}, set()),
    "missing-to": ({"missing-to"}, set()),
    "missing-from": ({"missing-from"}, set()),
    "missing-call-id": ({"missing-call-id"}, set()),
    "missing-cseq": ({"missing-cseq"}, set()),
    "missing-via": ({"missing-via"}, set()),
    "missing-max-forwards": ({"missing-max-forwards"}, set()),
    "cseq-method-mismatch": ({"cseq-method-mismatch"}, set()),
    "cseq-malformed": ({"cseq-malformed"}, set()),
    "branch-no-cookie": (set(), {"branch-no-cookie"}),
    "branch-cookie-only": ({"branch-cookie-only"}, set()),
    "content-length-missing": ({"content-length-missing"}, set()),
    "content-length-exceeds": ({"content-length-exceeds"}, set()),
    "content-length-short": ({"content-length-short"}, set()),
    "content-length-malformed": ({"content-length-malformed"}, set()),
    "header-malformed": ({"header-malformed"}, set()),
    "to-tag-changed": ({"to-tag-changed"}, set()),
    "invite-2xx-no-to-tag": ({"invite-2xx-no-to-tag"}, {"call-not-ended"}),
    "invite-2xx-no-contact": ({"invite-2xx-no-contact"}, set()),
    "no-final-response": ({"no-final-response"}, set()),
    "ack-missing": ({"ack-missing"}, set()),
    "non2xx-ack-missing": ({"non2xx-ack-missing"}, set()),
    "retransmission-storm": ({"retransmission-storm"}, set()),
    "response-retransmission-storm": ({"response-retransmission-storm"}, set()),
    "stray-response": ({"stray-response"}, set()),
    "cancel-unknown-invite": ({"cancel-unknown-invite", "response-481"}, set()),
    "cancel-after-final": (set(), {"cancel-after-final"}),
    "response-481": ({"response-481"}, set()),
    "dialog-unknown": ({"dialog-unknown", "response-481"}, set()),
    "cseq-not-increasing": ({"cseq-not-increasing"}, set()),
    "reinvite-glare": (set(), {"reinvite-glare", "hold"}),
    "glare-retry-too-soon": ({"glare-retry-too-soon"}, {"reinvite-glare"}),
    "call-not-ended": (set(), {"call-not-ended"}),
    "auth-failed": ({"auth-failed"}, set()),
    "binding-expired": ({"binding-expired"}, set()),
    "expires-shortened": (set(), {"expires-shortened"}),
    "q-values-ignored": ({"q-values-ignored"}, set()),
    # the same REGISTER, its q-values kept: nothing
    "q-values-kept": (set(), set()),
    "forwarding-loop": ({"forwarding-loop", "too-many-hops"}, set()),
    # real ones, Kamailio and SIPp on loopback (tests/tools/capture_kamailio_findings.sh)
    "kamailio-loop": ({"forwarding-loop", "too-many-hops"}, set()),
    "kamailio-redirect-loop": ({"redirect-loop"}, {"redirect"}),
    "via-loop": ({"via-loop", "loop-detected"}, set()),
    "spiral": (set(), {"spiral"}),
    "loop-detected": ({"loop-detected"}, set()),
    "redirect": (set(), {"redirect"}),
    "redirect-loop": ({"redirect-loop"}, {"redirect"}),
    "redirect-chain": ({"redirect-chain"}, {"redirect"}),
    "redirect-q-order": ({"redirect-q-order"}, {"redirect"}),
    # targets of equal q tried at once: allowed
    "redirect-parallel": (set(), {"redirect"}),
    "strict-routing": ({"strict-routing"}, set()),
    "route-skipped": ({"route-skipped"}, set()),
    "route-set-mismatch": ({"route-set-mismatch"}, set()),
    "no-common-codec": ({"no-common-codec"}, set()),
    "answer-codec-not-offered": ({"answer-codec-not-offered"}, set()),
    "answer-media-mismatch": ({"answer-media-mismatch"}, set()),
    "hold": (set(), {"hold"}),
    "sdp-private-address": ({"sdp-private-address"}, set()),
}

# What a summary must say, for a few captures (substrings).
SUMMARY_HAS = {
    "forwarding-loop": ("forwarding-loop", "forwarded it again with the same Request-URI"),
    "kamailio-loop": ("forwarding-loop", "forwarded it again with the same Request-URI; 21 Vias, "
                      "Max-Forwards 0; seen on 18 hops"),
    "loop-detected": ("loop-detected", "a spiral, which a proxy must not refuse as a loop"),
    "spiral": ("spiral", "a spiral, not a loop"),
    "via-loop": ("via-loop", "appears twice in the Via list"),
    "no-final-response": ("no-final-response", "sent 11 times, no response at all"),
    "ack-missing": ("ack-missing", "torn down"),
    "kamailio-redirect-loop": ("redirect-loop", "sends the caller back to sip:bob@127.0.0.1:5085"),
    "redirect": ("redirect", "sip:bob@198.51.100.40:5070 (q=0.800), "
                 "sip:bob@198.51.100.41 (q=0.400); tried sip:bob@198.51.100.40:5070 (q=0.800)"),
    "redirect-q-order": ("redirect-q-order",
                         "tries sip:bob@198.51.100.41 (q=0.500), a target of 302 Moved "
                         "Temporarily to INVITE from 198.51.100.40:5060, before "
                         "sip:bob@198.51.100.40:5070 (q=1.000): targets tried out of "
                         "q-value order"),
    "redirect-parallel": ("redirect", "tried in q-value order, equal q-values in parallel: "
                          "sip:bob@198.51.100.40:5070 (q=0.500) and "
                          "sip:bob@198.51.100.41 (q=0.500)"),
    "q-values-ignored": ("q-values-ignored",
                         "sip:carol@203.0.113.60:5060 (q=1.000 asked, none granted), "
                         "sip:carol@203.0.113.61:5060 (q=0.500 asked, none granted)"),
    "response-retransmission-storm": ("response-retransmission-storm",
                                      "486 Busy Here to INVITE from 198.51.100.40:5060 to "
                                      "192.0.2.30:5060 sent 8 times in 0.7 s: beyond "
                                      "Timer G's schedule"),
    "route-set-mismatch": ("route-set-mismatch",
                           "BYE from 192.0.2.30:5060 to 203.0.113.2:5060 carries Route 1 "
                           "<sip:203.0.113.2;lr> where the dialog's route set has "
                           "<sip:198.51.100.2;lr> (the host differs"),
    "route-skipped": ("route-skipped",
                      "it skips <sip:198.51.100.2;lr>, which asked to stay on the path"),
    "response-481": ("response-481", "the peer lost it"),
}

# Clean captures that show failures on purpose: their findings of severity
# warning or error, exactly.  Every other capture has none.
CLEAN_EXCEPTIONS = {
    "malformed.pcap": {"content-length-exceeds", "cseq-malformed", "content-length-malformed",
                       "missing-call-id"},
    "flows/invite_timeout.pcap": {"no-final-response"},
    "flows/rfc3665_3_10_no_response.pcap": {"no-final-response"},
    "flows/register_expiry.pcap": {"binding-expired"},
}

RECORD_KEYS = ("id", "severity", "code", "rfc", "summary", "call", "call_id", "ts", "count",
               "messages", "transactions", "dialogs")


def run(args):
    p = subprocess.run([BIN] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8", "replace")


def json_records(test, path):
    rc, out, err = run(["-q", "-r", path, "--json"])
    test.assertEqual(rc, 0, "sipscope --json on %s exited %d: %s" % (path, rc, err[-1000:]))
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def check_records(test, recs, name):
    """Structure: finding records after the model's, before the summary;
    ids 0..n-1; every id they name exists."""
    types = [r["type"] for r in recs]
    test.assertEqual(types[-1], "summary", name)
    finds = [r for r in recs if r["type"] == "finding"]
    if finds:
        first = types.index("finding")
        test.assertTrue(all(t == "finding" for t in types[first:-1]),
                        "%s: finding records are not together before the summary" % name)
        test.assertNotIn("message", types[first:], name)
    test.assertEqual([r["id"] for r in finds], list(range(len(finds))), name)
    counts = {t: types.count(t) for t in ("message", "transaction", "dialog", "call")}
    for r in finds:
        for k in RECORD_KEYS:
            test.assertIn(k, r, "%s: finding without %r: %r" % (name, k, r))
        test.assertIn(r["code"], SEVERITY, "%s: unknown code %r" % (name, r["code"]))
        test.assertEqual(r["severity"], SEVERITY[r["code"]], "%s: %r" % (name, r))
        test.assertTrue(r["rfc"].startswith("RFC "), r)
        test.assertTrue(r["summary"] and "\n" not in r["summary"], r)
        test.assertGreaterEqual(r["count"], 1)
        if r["call"] is not None:
            test.assertLess(r["call"], counts["call"], r)
            test.assertIsInstance(r["call_id"], str)
        for key, kind in (("messages", "message"), ("transactions", "transaction"),
                          ("dialogs", "dialog")):
            test.assertEqual(r[key], sorted(set(r[key])), "%s: %s not sorted: %r" % (name, key, r))
            if counts[kind]:
                for i in r[key]:
                    test.assertLess(i, counts[kind], "%s: %s %d: %r" % (name, key, i, r))
    for c in (r for r in recs if r["type"] == "call"):
        test.assertIsInstance(c.get("outcome"), str, "%s: call without outcome: %r" % (name, c))
    return finds


def problems(finds):
    return {r["code"] for r in finds if r["severity"] in ("warning", "error")}


def check_check(test, path, finds, name):
    rc, out, err = run(["-q", "-r", path, "--check"])
    want = 1 if any(r["severity"] == "error" for r in finds) else 0
    test.assertEqual(rc, want, "%s: --check exited %d, expected %d: %s" % (name, rc, want, err))
    for r in finds:
        test.assertIn("  %s" % r["code"], out, "%s: --check does not show %s" % (name, r["code"]))
    last = out.rstrip("\n").splitlines()[-1]
    n = len(finds)
    test.assertTrue(last.startswith("%d finding" % n), "%s: count line %r" % (name, last))


class Findings(unittest.TestCase):
    maxDiff = None

    def run_capture(self, name):
        path = os.path.join(FINDINGS, name + ".pcap")
        self.assertTrue(os.path.exists(path), path)
        finds = check_records(self, json_records(self, path), name)
        want, infos = EXPECTED[name]
        self.assertEqual(problems(finds), want, "%s: %s" % (
            name, json.dumps([(r["code"], r["summary"]) for r in finds], indent=1)))
        have = {r["code"] for r in finds}
        self.assertTrue(infos <= have, "%s: missing info %s" % (name, infos - have))
        if name in SUMMARY_HAS:
            code, text = SUMMARY_HAS[name]
            self.assertTrue(any(r["code"] == code and text in r["summary"] for r in finds),
                            "%s: no %s saying %r: %r" % (name, code, text,
                                                         [r["summary"] for r in finds]))
        check_check(self, path, finds, name)

    def test_every_code_has_a_capture(self):
        shown = set()
        for want, infos in EXPECTED.values():
            shown |= want | infos
        self.assertEqual(set(SEVERITY) - shown, set(), "codes without a capture")
        have = {os.path.basename(p)[:-5] for p in glob.glob(os.path.join(FINDINGS, "*.pcap"))}
        self.assertEqual(have, set(EXPECTED), "captures and EXPECTED differ")


def _make(name):
    return lambda self: self.run_capture(name)


for _name in EXPECTED:
    setattr(Findings, "test_" + _name.replace("-", "_"), _make(_name))


class Clean(unittest.TestCase):
    maxDiff = None

    def test_clean_captures(self):
        paths = sorted(glob.glob(os.path.join(TESTS, "pcaps", "*.pcap")) +
                       glob.glob(os.path.join(TESTS, "pcaps", "*.pcapng")) +
                       glob.glob(os.path.join(TESTS, "pcaps", "flows", "*.pcap")))
        self.assertTrue(paths)
        for path in paths:
            name = os.path.relpath(path, os.path.join(TESTS, "pcaps"))
            with self.subTest(capture=name):
                finds = check_records(self, json_records(self, path), name)
                self.assertEqual(problems(finds), CLEAN_EXCEPTIONS.get(name, set()), "%s: %s" % (
                    name, json.dumps([(r["code"], r["summary"]) for r in finds
                                      if r["severity"] != "info"], indent=1)))
                check_check(self, path, finds, name)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    BIN = sys.argv.pop(1)
    unittest.main()
