#!/usr/bin/env python3
"""Writes a capture whose SIP headers hold terminal escape sequences, for
the UI's golden-screen test: a call (INVITE, 200, ACK, BYE, 200) whose
From display name would retitle the terminal (OSC 0), whose Subject would
turn the text red (CSI SGR) and clear the screen, whose X-Title would
rename a tmux window (ESC k), whose User-Agent would set the clipboard
(OSC 52), with a C1 CSI in UTF-8 and a bell, and a Call-ID with an
escape inside.  The UI must show all of it as visible escapes.

Usage: make_escape_pcap.py OUT.pcap
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tools"))
import mkpcap  # noqa: E402

ESC = "\x1b"
CALL_ID = "esc" + ESC + "[7mcall@192.0.2.66"
A = ("192.0.2.66", 5060)
B = ("198.51.100.77", 5060)


def invite():
    return mkpcap.sip("""
        INVITE sip:bob@example.net SIP/2.0
        Via: SIP/2.0/UDP 192.0.2.66:5060;branch=z9hG4bKesc1
        Max-Forwards: 70
        From: "{esc}]0;PWNED-TITLE\x07Mallory" <sip:mallory@example.com>;tag=m1
        To: <sip:bob@example.net>
        Call-ID: {cid}
        CSeq: 1 INVITE
        Subject: {esc}[31mRED{esc}[0m {esc}[2J{esc}[Hcleared
        X-Title: {esc}kevil-window{esc}\\
        User-Agent: {esc}]52;c;ZXZpbA==\x07 \xc2\x9b31m bell\x07
        Contact: <sip:mallory@192.0.2.66:5060>
        Content-Length: 0
        """.format(esc=ESC, cid=CALL_ID))


def reply(status, reason, method, cseq, branch):
    return mkpcap.sip("""
        SIP/2.0 {st} {rs}
        Via: SIP/2.0/UDP 192.0.2.66:5060;branch={br}
        From: "{esc}]0;PWNED-TITLE\x07Mallory" <sip:mallory@example.com>;tag=m1
        To: <sip:bob@example.net>;tag=b1
        Call-ID: {cid}
        CSeq: {cs} {m}
        Content-Length: 0
        """.format(st=status, rs=reason, br=branch, esc=ESC, cid=CALL_ID,
                   cs=cseq, m=method))


def request(method, cseq, branch):
    return mkpcap.sip("""
        {m} sip:bob@198.51.100.77:5060 SIP/2.0
        Via: SIP/2.0/UDP 192.0.2.66:5060;branch={br}
        Max-Forwards: 70
        From: "{esc}]0;PWNED-TITLE\x07Mallory" <sip:mallory@example.com>;tag=m1
        To: <sip:bob@example.net>;tag=b1
        Call-ID: {cid}
        CSeq: {cs} {m}
        Content-Length: 0
        """.format(m=method, br=branch, esc=ESC, cid=CALL_ID, cs=cseq))


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    cap = mkpcap.Capture(t0_ns=1700000000 * 10**9, step_ns=20 * 10**6)
    flow = [
        (A, B, invite()),
        (B, A, reply(200, "OK", "INVITE", 1, "z9hG4bKesc1")),
        (A, B, request("ACK", 1, "z9hG4bKesc2")),
        (A, B, request("BYE", 2, "z9hG4bKesc3")),
        (B, A, reply(200, "OK", "BYE", 2, "z9hG4bKesc3")),
    ]
    for i, (src, dst, payload) in enumerate(flow):
        cap.add(mkpcap.udp_packet(src[0], src[1], dst[0], dst[1], payload,
                                  ident=0x100 + i))
    cap.write_pcap(argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
