#!/usr/bin/env python3
"""The model's --json records on every capture of tests/pcaps.

Usage: check_json.py --sipscope BINARY

For each capture: every line is a JSON object; message and icmp records
come first, then the transaction, dialog, call, registration and finding
records in that order, each kind numbered 0, 1, 2, ... by "id", and the summary record
last, whose counts match the records; every message record carries
"transaction", "dialog", "call" (ids of existing records, or null) and
"retransmission" (a boolean); the ids the records name exist; times are
numbers or null.  Then the outcomes of a few captures whose calls are
known: the basic call answered, the CANCEL flow cancelled, the digest
REGISTER challenged once and registered.
"""

import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PCAPS = os.path.join(os.path.dirname(HERE), "pcaps")
ORDER = ["message", "transaction", "dialog", "call", "registration", "finding", "summary"]
COUNT_KEY = {"transaction": "transactions", "dialog": "dialogs", "call": "calls",
             "registration": "registrations"}
TIME_KEYS = {
    "transaction": ["request_ts", "first_provisional_ts", "final_ts",
                    "time_to_first_provisional", "time_to_final"],
    "dialog": ["early_ts", "confirmed_ts", "terminated_ts"],
    "call": ["start_ts", "ring_ts", "answer_ts", "end_ts", "post_dial_delay", "setup_time",
             "duration"],
    "registration": ["first_ts", "last_ts"],
}
REQUIRED = {
    "transaction": ["id", "call", "method", "branch", "sent_by", "state", "final_status", "end",
                    "request", "state_ts", "messages"],
    "dialog": ["id", "call_id", "from_tag", "to_tag", "state", "created_by", "early_ts",
               "confirmed_ts", "terminated_ts"],
    "call": ["id", "call_id", "from", "to", "state", "start_ts", "ring_ts", "answer_ts", "end_ts",
             "final_status", "ended_by", "dialogs", "related", "messages"],
    "registration": ["id", "aor", "contacts", "last_status", "challenges"],
}


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)


def records_of(binary, capture):
    p = subprocess.run([binary, "-q", "--json", "-r", os.path.join(PCAPS, capture)],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    check(p.returncode == 0, "exit status %d: %s" % (p.returncode, p.stderr.decode(errors="replace")))
    return [json.loads(line) for line in p.stdout.decode("utf-8").splitlines()]


def check_capture(binary, capture):
    recs = records_of(binary, capture)
    check(recs and recs[-1]["type"] == "summary", "the summary is not last")
    by_type = {t: [] for t in ORDER}
    last = 0
    for r in recs:
        t = "message" if r["type"] == "icmp" else r["type"]
        check(t in by_type, "unknown record type %r" % r["type"])
        i = ORDER.index(t)
        check(i >= last, "a %s record after a %s record" % (t, ORDER[last]))
        last = i
        by_type[t].append(r)
    summary = by_type["summary"][0]
    for t, key in COUNT_KEY.items():
        check([r["id"] for r in by_type[t]] == list(range(len(by_type[t]))),
              "%s ids are not 0..n-1" % t)
        check(summary[key] == len(by_type[t]), "summary %s %r != %d records"
              % (key, summary[key], len(by_type[t])))
        for r in by_type[t]:
            for k in REQUIRED[t]:
                check(k in r, "%s record without %r: %r" % (t, k, r))
            for k in TIME_KEYS[t]:
                check(r[k] is None or isinstance(r[k], (int, float)), "%s.%s is %r" % (t, k, r[k]))
    ntx, ndlg, ncall = (len(by_type[t]) for t in ("transaction", "dialog", "call"))
    retrans = 0
    for m in by_type["message"]:
        if m["type"] != "message":
            continue
        for k, n in (("transaction", ntx), ("dialog", ndlg), ("call", ncall)):
            check(k in m, "message record without %r" % k)
            check(m[k] is None or 0 <= m[k] < n, "message %s %r out of range" % (k, m[k]))
        check(isinstance(m["retransmission"], bool), "retransmission is not a boolean")
        retrans += m["retransmission"]
        if m["method"] is not None or m["status"] is not None:
            check(m["transaction"] is not None, "a valid message without a transaction")
    check(summary["retransmissions"] == retrans, "summary retransmissions")
    check(summary["findings"] == len(by_type["finding"]), "summary findings")
    for c in by_type["call"]:
        for d in c["dialogs"]:
            check(0 <= d < ndlg, "call names dialog %r" % d)
            check(by_type["dialog"][d]["call_id"] == c["call_id"], "dialog of another Call-ID")
    for t in by_type["transaction"]:
        for k in ("cancel", "parent"):
            check(t[k] is None or 0 <= t[k] < ntx, "transaction %s %r" % (k, t[k]))
    return by_type


def check_outcomes(binary):
    b = check_capture(binary, "udp_basic_call.pcap")
    check([c["state"] for c in b["call"]] == ["answered"], "basic call: %r" % b["call"])
    c = b["call"][0]
    check(c["final_status"] == 200 and c["ended_by"] == "caller", "basic call: %r" % c)
    check(len(b["dialog"]) == 1 and b["dialog"][0]["state"] == "terminated", "basic dialog")
    check([t["method"] for t in b["transaction"]] == ["INVITE", "ACK", "BYE"], "basic transactions")

    b = check_capture(binary, "cancel_flow.pcap")
    check([c["state"] for c in b["call"]] == ["cancelled"], "cancel flow: %r" % b["call"])

    b = check_capture(binary, "register_digest.pcap")
    check(len(b["registration"]) == 1, "register: %r" % b["registration"])
    r = b["registration"][0]
    check(r["challenges"] == 1 and r["last_status"] == 200, "register: %r" % r)
    check(len(r["contacts"]) == 1 and r["contacts"][0]["expires"] == 3600, "register: %r" % r)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sipscope", required=True)
    a = ap.parse_args()
    ok = True
    for name in sorted(os.listdir(PCAPS)):
        if not name.endswith((".pcap", ".pcapng")):
            continue
        try:
            check_capture(a.sipscope, name)
        except Failure as e:
            print("%s: %s" % (name, e))
            ok = False
    try:
        check_outcomes(a.sipscope)
    except Failure as e:
        print("outcomes: %s" % e)
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
