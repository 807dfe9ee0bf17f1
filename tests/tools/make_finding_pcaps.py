#!/usr/bin/env python3
"""Builds the finding captures in tests/pcaps/findings/.

    python3 tests/tools/make_finding_pcaps.py [--out DIR] [NAME...]
    python3 tests/tools/make_finding_pcaps.py --verify     # committed == built
    python3 tests/tools/make_finding_pcaps.py --check      # and ask tshark
    python3 tests/tools/make_finding_pcaps.py --list

Each capture shows one thing sipscope's findings report (a missing
header, a request never answered, a forwarding loop, a codec the offer did
not have, ...) in an otherwise well-behaved flow, and is named after the
finding's code.  tests/findings/test_findings.py says which findings each
one must trigger (and that nothing else of severity warning or error
does).  tests/pcaps/findings/README.md describes them.

The SIP text is built with the helpers of scenario.py (requests,
responses, proxies forwarding, SDP); messages that must be malformed are
written as bytes.  Output is byte for byte deterministic.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from mkpcap import TcpConn  # noqa: E402
from scenario import (  # noqa: E402
    Flow, Generator, Node, ack_for, back, cancel_for, forward, received,
    request, response, sdp)

HERE = os.path.dirname(os.path.abspath(__file__))
GEN = Generator(__file__, os.path.normpath(os.path.join(HERE, "..", "pcaps", "findings")))
scenario = GEN.scenario

ALICE = Node("192.0.2.30")
BOB = Node("198.51.100.40")
P1 = Node("198.51.100.2")
P2 = Node("203.0.113.2")
REG = Node("203.0.113.1")
CAROL = Node("203.0.113.60")
FROM = '"Alice" <sip:alice@example.com>;tag=fa11ce'
TO = "<sip:bob@example.net>"
BOB_URI = "sip:bob@198.51.100.40:5060"
BOB_CONTACT = [("Contact", "<%s>" % BOB_URI)]
ALICE_CONTACT = "<sip:alice@192.0.2.30:5060>"


def invite(cid, cseq=1, branch="z9hG4bKf001", body=None, ruri="sip:bob@example.net",
           frm=FROM, to=TO, src=ALICE, extra=()):
    return request("INVITE", ruri, src.via(branch), frm, to, cid, cseq,
                   contact="<sip:alice@%s:5060>" % src.ip, extra=list(extra),
                   body=sdp("alice", src.ip, 40000, 1) if body is None else body)


def answered(f, cid, t=0, tag="bt01", branch="z9hG4bKf001", body=None, ok_body=None):
    """INVITE, 100, 180, 200, ACK between Alice and Bob; returns (the
    INVITE, the To with Bob's tag)."""
    inv = invite(cid, branch=branch, body=body)
    f.send(t, ALICE, BOB, inv)
    f.send(t + 10, BOB, ALICE, response(inv, 100, "Trying"))
    f.send(t + 100, BOB, ALICE, response(inv, 180, "Ringing", tag, BOB_CONTACT))
    f.send(t + 2000, BOB, ALICE, response(
        inv, 200, "OK", tag, BOB_CONTACT,
        sdp("bob", BOB.ip, 30000, 2) if ok_body is None else ok_body))
    to_t = TO + ";tag=" + tag
    f.send(t + 2010, ALICE, BOB, request("ACK", BOB_URI, ALICE.via(branch + "a"),
                                          FROM, to_t, cid, 1))
    return inv, to_t


def hangup(f, t, cid, to_t, cseq=2, branch="z9hG4bKf0b1"):
    bye = request("BYE", BOB_URI, ALICE.via(branch), FROM, to_t, cid, cseq)
    f.send(t, ALICE, BOB, bye)
    f.send(t + 10, BOB, ALICE, response(bye, 200, "OK"))


def options(cid, branch="z9hG4bKo001", cseq=1, src=ALICE):
    return request("OPTIONS", "sip:bob@198.51.100.40", src.via(branch), FROM, TO, cid, cseq)


def raw(text, body=""):
    """A message written out by hand: LF lines become CRLF; Content-Length
    is whatever the text says."""
    b = body.replace("\n", "\r\n")
    return (text.strip("\n").replace("\n", "\r\n") + "\r\n\r\n" + b).encode()


def ping(f, t, cid="keepalive@192.0.2.30"):
    """An OPTIONS and its 200 at t: makes the capture last until then."""
    o = options(cid, "z9hG4bKka%d" % t)
    f.send(t, ALICE, P1, o)
    f.send(t + 5, P1, ALICE, response(o, 200, "OK", "ka1"))


# ---------------------------------------------------------------- 1: syntax

@scenario("missing-max-forwards.pcap")
def s_missing_max_forwards(path):
    """Two OPTIONS without Max-Forwards from Alice, both answered 200."""
    f = Flow()
    for i in (1, 2):
        o = options("mf-1@192.0.2.30", "z9hG4bKmf%d" % i, i).remove("Max-Forwards")
        f.send(i * 100, ALICE, BOB, o)
        f.send(i * 100 + 10, BOB, ALICE, response(o, 200, "OK", "mf"))
    f.write(path)


def _options_without(name, header, cid):
    """Registers the capture name: an OPTIONS without header, never
    answered."""
    def make(path):
        f = Flow()
        f.send(0, ALICE, BOB, options(cid).remove(header))
        f.write(path)
    make.__doc__ = "An OPTIONS without %s, never answered." % header
    scenario(name)(make)


_options_without("missing-to.pcap", "To", "mt-1@192.0.2.30")
_options_without("missing-from.pcap", "From", "mfr-1@192.0.2.30")
_options_without("missing-call-id.pcap", "Call-ID", "unused")
_options_without("missing-cseq.pcap", "CSeq", "mc-1@192.0.2.30")
_options_without("missing-via.pcap", "Via", "mv-1@192.0.2.30")


@scenario("cseq-method-mismatch.pcap")
def s_cseq_mismatch(path):
    """An OPTIONS whose CSeq says INFO, never answered."""
    f = Flow()
    o = options("cm-1@192.0.2.30").set("CSeq", "1 INFO")
    f.send(0, ALICE, BOB, o)
    f.write(path)


@scenario("cseq-malformed.pcap")
def s_cseq_malformed(path):
    """An OPTIONS with `CSeq: one OPTIONS`, never answered."""
    f = Flow()
    o = options("cb-1@192.0.2.30").set("CSeq", "one OPTIONS")
    f.send(0, ALICE, BOB, o)
    f.write(path)


@scenario("branch-no-cookie.pcap")
def s_branch_no_cookie(path):
    """An OPTIONS whose Via branch lacks z9hG4bK (RFC 2543 style), answered."""
    f = Flow()
    o = options("bn-1@192.0.2.30", "7f3a91")
    f.send(0, ALICE, BOB, o)
    f.send(10, BOB, ALICE, response(o, 200, "OK", "bn"))
    f.write(path)


@scenario("branch-cookie-only.pcap")
def s_branch_cookie_only(path):
    """An OPTIONS whose branch is the cookie alone, answered."""
    f = Flow()
    o = options("bc-1@192.0.2.30", "z9hG4bK")
    f.send(0, ALICE, BOB, o)
    f.send(10, BOB, ALICE, response(o, 200, "OK", "bc"))
    f.write(path)


@scenario("content-length-missing.pcap")
def s_cl_missing(path):
    """Over TCP: an OPTIONS without Content-Length (the framer must guess
    where it ends), then its 200 (with one)."""
    f = Flow()
    conn = TcpConn((ALICE.ip, 49500), (BOB.ip, 5060))
    f.tcp(0, conn.handshake())
    o = options("cln-1@192.0.2.30").set("Via", ALICE.via("z9hG4bKcl1", "TCP"))
    data = o.bytes().replace(b"Content-Length: 0\r\n", b"")
    f.tcp(10, conn.send(True, data))
    f.tcp(20, conn.send(False, response(o, 200, "OK", "cl").bytes()))
    f.write(path)


@scenario("content-length-exceeds.pcap")
def s_cl_exceeds(path):
    """An OPTIONS over UDP whose Content-Length (200) is larger than its body."""
    f = Flow()
    f.send(0, ALICE, BOB, raw("""
OPTIONS sip:bob@198.51.100.40 SIP/2.0
Via: SIP/2.0/UDP 192.0.2.30:5060;branch=z9hG4bKce1
Max-Forwards: 70
From: "Alice" <sip:alice@example.com>;tag=fa11ce
To: <sip:bob@example.net>
Call-ID: cle-1@192.0.2.30
CSeq: 1 OPTIONS
Content-Type: text/plain
Content-Length: 200
""", "short body\n"))
    f.write(path)


@scenario("content-length-short.pcap")
def s_cl_short(path):
    """An OPTIONS over UDP with bytes after the body Content-Length
    declares, answered 200."""
    f = Flow()
    o = raw("""
OPTIONS sip:bob@198.51.100.40 SIP/2.0
Via: SIP/2.0/UDP 192.0.2.30:5060;branch=z9hG4bKcs1
Max-Forwards: 70
From: "Alice" <sip:alice@example.com>;tag=fa11ce
To: <sip:bob@example.net>
Call-ID: cls-1@192.0.2.30
CSeq: 1 OPTIONS
Content-Type: text/plain
Content-Length: 4
""", "body and then some\n")
    f.send(0, ALICE, BOB, o)
    ok = options("cls-1@192.0.2.30", "z9hG4bKcs1")
    f.send(10, BOB, ALICE, response(ok, 200, "OK", "cs"))
    f.write(path)


@scenario("content-length-malformed.pcap")
def s_cl_malformed(path):
    """An OPTIONS with `Content-Length: twelve`, never answered."""
    f = Flow()
    f.send(0, ALICE, BOB, raw("""
OPTIONS sip:bob@198.51.100.40 SIP/2.0
Via: SIP/2.0/UDP 192.0.2.30:5060;branch=z9hG4bKcm1
Max-Forwards: 70
From: "Alice" <sip:alice@example.com>;tag=fa11ce
To: <sip:bob@example.net>
Call-ID: clm-1@192.0.2.30
CSeq: 1 OPTIONS
Content-Length: twelve
"""))
    f.write(path)


@scenario("header-malformed.pcap")
def s_header_malformed(path):
    """An OPTIONS with a header line that has no colon, answered 200."""
    f = Flow()
    f.send(0, ALICE, BOB, raw("""
OPTIONS sip:bob@198.51.100.40 SIP/2.0
Via: SIP/2.0/UDP 192.0.2.30:5060;branch=z9hG4bKhm1
Max-Forwards: 70
From: "Alice" <sip:alice@example.com>;tag=fa11ce
To: <sip:bob@example.net>
Call-ID: hm-1@192.0.2.30
CSeq: 1 OPTIONS
X-Broken header without a colon
Content-Length: 0
"""))
    o = options("hm-1@192.0.2.30", "z9hG4bKhm1")
    f.send(10, BOB, ALICE, response(o, 200, "OK", "hm"))
    f.write(path)


@scenario("malformed-message.pcap")
def s_malformed_message(path):
    """An OPTIONS answered with status 750, which is no SIP status (the
    parser keeps the response as an invalid message); then a good OPTIONS
    and its 200."""
    f = Flow()
    o = options("mm-1@192.0.2.30", "z9hG4bKmm1")
    f.send(0, ALICE, BOB, o)
    f.send(10, BOB, ALICE, response(o, 200, "OK", "mm").bytes().replace(
        b"SIP/2.0 200 OK", b"SIP/2.0 750 Beyond"))
    o2 = options("mm-2@192.0.2.30", "z9hG4bKmm2")
    f.send(100, ALICE, BOB, o2)
    f.send(110, BOB, ALICE, response(o2, 200, "OK", "mm"))
    f.write(path)


@scenario("to-tag-changed.pcap")
def s_to_tag_changed(path):
    """Bob answers one INVITE 486 twice, with a different To tag each
    time; Alice ACKs the first."""
    f = Flow()
    cid = "tt-1@192.0.2.30"
    inv = invite(cid)
    f.send(0, ALICE, BOB, inv)
    f.send(10, BOB, ALICE, response(inv, 100, "Trying"))
    b1 = response(inv, 486, "Busy Here", "tg1")
    f.send(500, BOB, ALICE, b1)
    f.send(510, ALICE, BOB, ack_for(inv, b1))
    f.send(1000, BOB, ALICE, response(inv, 486, "Busy Here", "tg2"))
    f.write(path)


@scenario("invite-2xx-no-to-tag.pcap")
def s_2xx_no_tag(path):
    """Bob answers 200 without a To tag; Alice ACKs and hangs up."""
    f = Flow()
    cid = "nt-1@192.0.2.30"
    inv = invite(cid)
    f.send(0, ALICE, BOB, inv)
    f.send(1000, BOB, ALICE, response(inv, 200, "OK", None, BOB_CONTACT,
                                      sdp("bob", BOB.ip, 30000, 2)))
    f.send(1010, ALICE, BOB, request("ACK", BOB_URI, ALICE.via("z9hG4bKnt2"),
                                      FROM, TO, cid, 1))
    f.write(path)


@scenario("invite-2xx-no-contact.pcap")
def s_2xx_no_contact(path):
    """Bob answers 200 without Contact; Alice ACKs and hangs up."""
    f = Flow()
    cid = "nc-1@192.0.2.30"
    inv = invite(cid)
    f.send(0, ALICE, BOB, inv)
    f.send(1000, BOB, ALICE, response(inv, 200, "OK", "nc1", (),
                                      sdp("bob", BOB.ip, 30000, 2)))
    to_t = TO + ";tag=nc1"
    f.send(1010, ALICE, BOB, request("ACK", BOB_URI, ALICE.via("z9hG4bKnc2"),
                                      FROM, to_t, cid, 1))
    hangup(f, 5000, cid, to_t)
    f.write(path)


# ---------------------------------------------------------------- 2: transactions

@scenario("no-final-response.pcap")
def s_no_final(path):
    """An OPTIONS retransmitted on Timer E (0.5, 1, 2, 4, 4... s) for 32 s
    without any answer; a keep-alive at 40 s makes the capture last past
    Timer F."""
    f = Flow()
    o = options("nf-1@192.0.2.30", "z9hG4bKnf1")
    t, step = 0, 500
    while t < 32000:
        f.send(t, ALICE, BOB, o)
        t += step
        step = min(step * 2, 4000)
    ping(f, 40000)
    f.write(path)


@scenario("ack-missing.pcap")
def s_ack_missing(path):
    """Bob answers 200 and retransmits it (T1 doubling to T2) for 32 s:
    Alice never ACKs.  Bob then hangs up with BYE."""
    f = Flow()
    cid = "am-1@192.0.2.30"
    inv = invite(cid)
    f.send(0, ALICE, BOB, inv)
    f.send(10, BOB, ALICE, response(inv, 100, "Trying"))
    ok = response(inv, 200, "OK", "am1", BOB_CONTACT, sdp("bob", BOB.ip, 30000, 2))
    t, step = 1000, 500
    while t < 33000:
        f.send(t, BOB, ALICE, ok)
        t += step
        step = min(step * 2, 4000)
    to_t = TO + ";tag=am1"
    bye = request("BYE", "sip:alice@192.0.2.30:5060", BOB.via("z9hG4bKam9"),
                  to_t, FROM, cid, 1)
    f.send(33100, BOB, ALICE, bye)
    f.send(33110, ALICE, BOB, response(bye, 200, "OK"))
    f.write(path)


@scenario("non2xx-ack-missing.pcap")
def s_non2xx_ack_missing(path):
    """Bob answers 486 and retransmits it (Timer G) for 32 s: Alice never
    ACKs.  A keep-alive at 40 s."""
    f = Flow()
    cid = "na-1@192.0.2.30"
    inv = invite(cid)
    f.send(0, ALICE, BOB, inv)
    busy = response(inv, 486, "Busy Here", "na1")
    t, step = 500, 500
    while t < 33000:
        f.send(t, BOB, ALICE, busy)
        t += step
        step = min(step * 2, 4000)
    ping(f, 40000)
    f.write(path)


@scenario("retransmission-storm.pcap")
def s_storm(path):
    """Alice sends her INVITE ten times 100 ms apart; Bob answers 486."""
    f = Flow()
    cid = "rs-1@192.0.2.30"
    inv = invite(cid)
    for i in range(10):
        f.send(i * 100, ALICE, BOB, inv)
    f.send(1000, BOB, ALICE, response(inv, 100, "Trying"))
    busy = response(inv, 486, "Busy Here", "rs1")
    f.send(1100, BOB, ALICE, busy)
    f.send(1110, ALICE, BOB, ack_for(inv, busy))
    f.write(path)


@scenario("response-retransmission-storm.pcap")
def s_response_storm(path):
    """Bob answers Alice's INVITE 486 and sends it again every 100 ms,
    eight times in all (Timer G would wait 0.5, 1, 2 s...); Alice ACKs
    each copy."""
    f = Flow()
    cid = "rr-1@192.0.2.30"
    inv = invite(cid)
    f.send(0, ALICE, BOB, inv)
    f.send(10, BOB, ALICE, response(inv, 100, "Trying"))
    busy = response(inv, 486, "Busy Here", "rr1")
    for i in range(8):
        f.send(500 + i * 100, BOB, ALICE, busy)
        f.send(505 + i * 100, ALICE, BOB, ack_for(inv, busy))
    f.write(path)


@scenario("stray-response.pcap")
def s_stray(path):
    """A keep-alive at 0; at 40 s a 200 OK for an OPTIONS nobody sent
    (branch unknown)."""
    f = Flow()
    ping(f, 0)
    o = options("sr-1@192.0.2.30", "z9hG4bKnever", src=ALICE)
    f.send(40000, BOB, ALICE, response(o, 200, "OK", "sr1"))
    f.write(path)


@scenario("cancel-unknown-invite.pcap")
def s_cancel_unknown(path):
    """Alice CANCELs her ringing INVITE with a CANCEL on another branch;
    Bob answers 481 to it, then answers the INVITE; Alice ACKs and hangs up."""
    f = Flow()
    cid = "cu-1@192.0.2.30"
    inv = invite(cid)
    f.send(0, ALICE, BOB, inv)
    f.send(100, BOB, ALICE, response(inv, 180, "Ringing", "cu1", BOB_CONTACT))
    c = cancel_for(inv).set("Via", ALICE.via("z9hG4bKcuX"))
    f.send(3000, ALICE, BOB, c)
    f.send(3010, BOB, ALICE, response(c, 481, "Call/Transaction Does Not Exist", "cu1"))
    f.send(5000, BOB, ALICE, response(inv, 200, "OK", "cu1", BOB_CONTACT,
                                      sdp("bob", BOB.ip, 30000, 2)))
    to_t = TO + ";tag=cu1"
    f.send(5010, ALICE, BOB, request("ACK", BOB_URI, ALICE.via("z9hG4bKcu2"),
                                      FROM, to_t, cid, 1))
    hangup(f, 5020, cid, to_t)
    f.write(path)


@scenario("cancel-after-final.pcap")
def s_cancel_late(path):
    """The call is answered at 2 s; Alice's CANCEL comes at 4 s (200 to it);
    then she hangs up."""
    f = Flow()
    cid = "cl-1@192.0.2.30"
    inv, to_t = answered(f, cid)
    c = cancel_for(inv)
    f.send(4000, ALICE, BOB, c)
    f.send(4010, BOB, ALICE, response(c, 200, "OK", "bt01"))
    hangup(f, 5000, cid, to_t)
    f.write(path)


@scenario("response-481.pcap")
def s_481(path):
    """An answered call; Bob's phone restarts and answers Alice's INFO with
    481, which ends the dialog."""
    f = Flow()
    cid = "r481-1@192.0.2.30"
    inv, to_t = answered(f, cid)
    info = request("INFO", BOB_URI, ALICE.via("z9hG4bKi481"), FROM, to_t, cid, 2)
    f.send(8000, ALICE, BOB, info)
    f.send(8010, BOB, ALICE, response(info, 481, "Call/Transaction Does Not Exist"))
    f.write(path)


# ---------------------------------------------------------------- 3: dialogs

@scenario("dialog-unknown.pcap")
def s_dialog_unknown(path):
    """An answered call; Alice's first BYE carries a wrong To tag (481),
    the second the right one."""
    f = Flow()
    cid = "du-1@192.0.2.30"
    inv, to_t = answered(f, cid)
    bad = request("BYE", BOB_URI, ALICE.via("z9hG4bKdu1"), FROM, TO + ";tag=wrong", cid, 2)
    f.send(5000, ALICE, BOB, bad)
    f.send(5010, BOB, ALICE, response(bad, 481, "Call/Transaction Does Not Exist"))
    hangup(f, 6000, cid, to_t, cseq=3)
    f.write(path)


@scenario("cseq-not-increasing.pcap")
def s_cseq_order(path):
    """An answered call; Alice sends INFO with CSeq 10, then BYE with CSeq 5."""
    f = Flow()
    cid = "co-1@192.0.2.30"
    inv, to_t = answered(f, cid)
    info = request("INFO", BOB_URI, ALICE.via("z9hG4bKco1"), FROM, to_t, cid, 10)
    f.send(4000, ALICE, BOB, info)
    f.send(4010, BOB, ALICE, response(info, 200, "OK"))
    hangup(f, 6000, cid, to_t, cseq=5)
    f.write(path)


def _glare(f, cid, alice_retry_ms):
    inv, to_t = answered(f, cid)
    ra = request("INVITE", BOB_URI, ALICE.via("z9hG4bKgl1"), FROM, to_t, cid, 2,
                 contact=ALICE_CONTACT, body=sdp("alice", ALICE.ip, 40000, 1, 2,
                                                 direction="sendonly"))
    rb = request("INVITE", "sip:alice@192.0.2.30:5060", BOB.via("z9hG4bKgl2"),
                 to_t, FROM, cid, 501, contact="<%s>" % BOB_URI,
                 body=sdp("bob", BOB.ip, 30000, 2, 3, codecs=(8,)))
    f.send(10000, ALICE, BOB, ra)
    f.send(10001, BOB, ALICE, rb)
    pa = response(ra, 491, "Request Pending")
    pb = response(rb, 491, "Request Pending")
    f.send(10020, BOB, ALICE, pa)
    f.send(10021, ALICE, BOB, pb)
    f.send(10030, ALICE, BOB, ack_for(ra, pa))
    f.send(10031, BOB, ALICE, ack_for(rb, pb))
    ra2 = request("INVITE", BOB_URI, ALICE.via("z9hG4bKgl3"), FROM, to_t, cid, 3,
                  contact=ALICE_CONTACT, body=sdp("alice", ALICE.ip, 40000, 1, 3))
    t = 10020 + alice_retry_ms
    f.send(t, ALICE, BOB, ra2)
    f.send(t + 10, BOB, ALICE, response(ra2, 200, "OK", extra=BOB_CONTACT,
                                        body=sdp("bob", BOB.ip, 30000, 2, 4)))
    f.send(t + 20, ALICE, BOB, request("ACK", BOB_URI, ALICE.via("z9hG4bKgl4"),
                                        FROM, to_t, cid, 3))
    hangup(f, t + 5000, cid, to_t, cseq=4)


@scenario("reinvite-glare.pcap")
def s_glare(path):
    """Both ends re-INVITE at once, each gets 491; Alice (the Call-ID's
    owner) retries 3 s later, as §14.1 says."""
    f = Flow()
    _glare(f, "gl-1@192.0.2.30", 3000)
    f.write(path)


@scenario("glare-retry-too-soon.pcap")
def s_glare_soon(path):
    """As reinvite-glare, but Alice retries 0.5 s after the 491."""
    f = Flow()
    _glare(f, "gs-1@192.0.2.30", 500)
    f.write(path)


@scenario("call-not-ended.pcap")
def s_not_ended(path):
    """An answered call and no BYE until the capture ends 60 s later."""
    f = Flow()
    answered(f, "ne-1@192.0.2.30")
    ping(f, 62000)
    f.write(path)


# ---------------------------------------------------------------- 4: registration

def _register(cseq, branch, expires, auth=None, who=CAROL, cid="rg-1@203.0.113.60"):
    extra = [("Expires", str(expires))]
    if auth:
        extra.append(("Authorization", auth))
    return request("REGISTER", "sip:example.org", who.via(branch),
                   "<sip:carol@example.org>;tag=cr1", "<sip:carol@example.org>",
                   cid, cseq, contact="<sip:carol@%s:5060>" % who.ip, extra=extra)


CHALLENGE = [("WWW-Authenticate",
              'Digest realm="example.org", nonce="4f1a9c7d", qop="auth", algorithm=MD5')]
CREDENTIALS = ('Digest username="carol", realm="example.org", nonce="4f1a9c7d", '
               'uri="sip:example.org", response="6629fae49393a05397450978507c4ef1", '
               'qop=auth, nc=00000001, cnonce="0a4f113b", algorithm=MD5')


@scenario("auth-failed.pcap")
def s_auth_failed(path):
    """REGISTER, 401; REGISTER with credentials for that nonce, 401 again
    with the same nonce: a wrong password."""
    f = Flow()
    r1 = _register(1, "z9hG4bKaf1", 3600)
    f.send(0, CAROL, REG, r1)
    f.send(10, REG, CAROL, response(r1, 401, "Unauthorized", "rg", CHALLENGE))
    r2 = _register(2, "z9hG4bKaf2", 3600, CREDENTIALS)
    f.send(100, CAROL, REG, r2)
    f.send(110, REG, CAROL, response(r2, 401, "Unauthorized", "rg", CHALLENGE))
    f.write(path)


@scenario("binding-expired.pcap")
def s_binding_expired(path):
    """REGISTER for 30 s, granted; never refreshed; a keep-alive at 60 s."""
    f = Flow()
    r = _register(1, "z9hG4bKbe1", 30)
    f.send(0, CAROL, REG, r)
    f.send(10, REG, CAROL, response(r, 200, "OK", "rg", [
        ("Contact", "<sip:carol@203.0.113.60:5060>;expires=30")]))
    ka = request("OPTIONS", "sip:203.0.113.60", REG.via("z9hG4bKbe9"),
                 "<sip:203.0.113.1>;tag=ka", "<sip:203.0.113.60>", "ka-be@203.0.113.1", 1)
    f.send(60000, REG, CAROL, ka)
    f.send(60010, CAROL, REG, response(ka, 200, "OK", "k1"))
    f.write(path)


@scenario("expires-shortened.pcap")
def s_expires_short(path):
    """REGISTER asking 3600 s; the registrar grants 600 s."""
    f = Flow()
    r = _register(1, "z9hG4bKes1", 3600)
    f.send(0, CAROL, REG, r)
    f.send(10, REG, CAROL, response(r, 200, "OK", "rg", [
        ("Contact", "<sip:carol@203.0.113.60:5060>;expires=600")]))
    f.write(path)


def _register_contacts(cseq, branch, contacts, cid):
    """A REGISTER from Carol for several Contacts (one header, a list)."""
    return request("REGISTER", "sip:example.org", CAROL.via(branch),
                   "<sip:carol@example.org>;tag=cr1", "<sip:carol@example.org>",
                   cid, cseq, contact=", ".join(contacts), extra=[("Expires", "3600")])


@scenario("q-values-ignored.pcap")
def s_qvalues_ignored(path):
    """Carol registers her desk phone (q=1.0) and her softphone (q=0.5) in
    one REGISTER; the registrar's 200 lists both bindings without their
    q-values."""
    f = Flow()
    r = _register_contacts(1, "z9hG4bKqv1", [
        "<sip:carol@203.0.113.60:5060>;q=1.0", "<sip:carol@203.0.113.61:5060>;q=0.5"],
        "qv-1@203.0.113.60")
    f.send(0, CAROL, REG, r)
    f.send(10, REG, CAROL, response(r, 200, "OK", "qv", [
        ("Contact", "<sip:carol@203.0.113.60:5060>;expires=3600, "
                    "<sip:carol@203.0.113.61:5060>;expires=3600")]))
    f.write(path)


@scenario("q-values-kept.pcap")
def s_qvalues_kept(path):
    """The same REGISTER, and a registrar that lists both bindings with
    their q-values (written q=1 and q=0.500): nothing to report."""
    f = Flow()
    r = _register_contacts(1, "z9hG4bKqk1", [
        "<sip:carol@203.0.113.60:5060>;q=1.0", "<sip:carol@203.0.113.61:5060>;q=0.5"],
        "qk-1@203.0.113.60")
    f.send(0, CAROL, REG, r)
    f.send(10, REG, CAROL, response(r, 200, "OK", "qk", [
        ("Contact", "<sip:carol@203.0.113.60:5060>;q=1;expires=3600, "
                    "<sip:carol@203.0.113.61:5060>;expires=3600;q=0.500")]))
    f.write(path)


# ---------------------------------------------------------------- 5: loops

def _loop_hops(f, inv, hops, start_ms):
    """Forwards inv back and forth between P1 and P2 (P1 first) for hops
    hops; returns the list of (sender, receiver, request) sent."""
    sent = []
    cur, src, t = inv, ALICE, start_ms
    nodes = [P1, P2]
    for i in range(hops):
        here, nxt = nodes[i % 2], nodes[(i + 1) % 2]
        cur = forward(cur, here, "z9hG4bKlp%02d" % i, src, record_route=False)
        t += 2
        f.send(t, here, nxt, cur)
        sent.append((here, nxt, cur))
        src = here
    return sent, t


@scenario("forwarding-loop.pcap")
def s_forwarding_loop(path):
    """P1 and P2 route an INVITE to each other (same Request-URI) until
    Max-Forwards, 10 at Alice, runs out: the proxy that receives it with
    Max-Forwards 0 answers 483, and the 483 goes back over every hop."""
    f = Flow()
    cid = "lp-1@192.0.2.30"
    inv = invite(cid, extra=()).set("Max-Forwards", "10")
    f.send(0, ALICE, P1, inv)
    sent, t = _loop_hops(f, inv, 10, 0)
    last_src, last_dst, last = sent[-1]
    r = response(received(last, last_src), 483, "Too Many Hops", "lp9")
    for here, nxt, req in reversed(sent):
        t += 2
        f.send(t, nxt, here, r)
        r = back(r)
    t += 2
    f.send(t, P1, ALICE, r)
    f.send(t + 10, ALICE, P1, ack_for(inv, r))
    f.write(path)


@scenario("via-loop.pcap")
def s_via_loop(path):
    """A stateless P1 computes its branch from the request, so the INVITE
    it gets back from P2 goes out again under the same branch; P2 finds
    P1's Via twice and answers 482."""
    f = Flow()
    cid = "vl-1@192.0.2.30"
    inv = invite(cid)
    f.send(0, ALICE, P1, inv)
    h1 = forward(inv, P1, "z9hG4bKsl7c1", ALICE, record_route=False)
    f.send(2, P1, P2, h1)
    h2 = forward(h1, P2, "z9hG4bKp2a", P1, record_route=False)
    f.send(4, P2, P1, h2)
    h3 = forward(h2, P1, "z9hG4bKsl7c1", P2, record_route=False)
    f.send(6, P1, P2, h3)
    r = response(received(h3, P1), 482, "Loop Detected", "vl9")
    f.send(8, P2, P1, r)
    r2 = back(r)
    f.send(10, P1, P2, r2)
    r3 = back(r2)
    f.send(12, P2, P1, r3)
    r4 = back(r3)
    f.send(14, P1, ALICE, r4)
    f.send(20, ALICE, P1, ack_for(inv, r4))
    f.write(path)


def _spiral(f, cid, p1_rejects):
    """Alice -> P1 (sip:bob@example.net) -> P2, which maps it to
    sip:bob@office.example.net and sends it back to P1 -> Bob."""
    inv = invite(cid)
    f.send(0, ALICE, P1, inv)
    h1 = forward(inv, P1, "z9hG4bKsp1", ALICE, record_route=False)
    f.send(2, P1, P2, h1)
    h2 = forward(h1, P2, "z9hG4bKsp2", P1, record_route=False,
                 ruri="sip:bob@office.example.net")
    f.send(4, P2, P1, h2)
    if p1_rejects:
        r = response(received(h2, P2), 482, "Loop Detected", "sp9")
        f.send(6, P1, P2, r)
        r2 = back(r)
        f.send(8, P2, P1, r2)
        r3 = back(r2)
        f.send(10, P1, ALICE, r3)
        f.send(20, ALICE, P1, ack_for(inv, r3))
        return
    h3 = forward(h2, P1, "z9hG4bKsp3", P2, record_route=False, ruri=BOB_URI)
    f.send(6, P1, BOB, h3)
    ok = response(received(h3, P1), 200, "OK", "sp1", BOB_CONTACT,
                  sdp("bob", BOB.ip, 30000, 2))
    f.send(1000, BOB, P1, ok)
    f.send(1002, P1, P2, back(ok))
    f.send(1004, P2, P1, back(back(ok)))
    f.send(1006, P1, ALICE, back(back(back(ok))))
    to_t = TO + ";tag=sp1"
    f.send(1010, ALICE, BOB, request("ACK", BOB_URI, ALICE.via("z9hG4bKspa"),
                                      FROM, to_t, cid, 1))
    hangup(f, 4000, cid, to_t)


@scenario("spiral.pcap")
def s_spiral(path):
    """A spiral (the request comes back to P1 with a new Request-URI), and
    the call goes through."""
    f = Flow()
    _spiral(f, "sp-1@192.0.2.30", False)
    f.write(path)


@scenario("loop-detected.pcap")
def s_loop_detected(path):
    """The same spiral, which P1 wrongly takes for a loop: 482."""
    f = Flow()
    _spiral(f, "ld-1@192.0.2.30", True)
    f.write(path)


# ---------------------------------------------------------------- 6: redirects

def _redirect(f, t, inv, contacts, tag):
    r = response(inv, 302, "Moved Temporarily", tag,
                 [("Contact", ", ".join(contacts))])
    f.send(t, BOB, ALICE, r)
    f.send(t + 5, ALICE, BOB, ack_for(inv, r))


@scenario("redirect.pcap")
def s_redirect(path):
    """INVITE, 302 with two Contacts (q=0.8, q=0.4); Alice tries the first:
    answered, ACK, BYE."""
    f = Flow()
    cid = "rd-1@192.0.2.30"
    inv = invite(cid)
    f.send(0, ALICE, BOB, inv)
    _redirect(f, 10, inv, ["<sip:bob@198.51.100.40:5070>;q=0.8",
                           "<sip:bob@198.51.100.41>;q=0.4"], "rd1")
    inv2 = invite(cid, 2, "z9hG4bKrd2", ruri="sip:bob@198.51.100.40:5070")
    b2 = Node(BOB.ip, port=5070)
    f.send(100, ALICE, b2, inv2)
    f.send(1000, b2, ALICE, response(inv2, 200, "OK", "rd2",
                                     [("Contact", "<sip:bob@198.51.100.40:5070>")],
                                     sdp("bob", BOB.ip, 30000, 2)))
    to_t = TO + ";tag=rd2"
    f.send(1010, ALICE, b2, request("ACK", "sip:bob@198.51.100.40:5070",
                                     ALICE.via("z9hG4bKrd3"), FROM, to_t, cid, 2))
    bye = request("BYE", "sip:bob@198.51.100.40:5070", ALICE.via("z9hG4bKrd4"),
                  FROM, to_t, cid, 3)
    f.send(5000, ALICE, b2, bye)
    f.send(5010, b2, ALICE, response(bye, 200, "OK"))
    f.write(path)


@scenario("redirect-loop.pcap")
def s_redirect_loop(path):
    """sip:bob@example.net redirects to sip:bob@office.example.net, which
    redirects back to sip:bob@example.net; Alice gives up."""
    f = Flow()
    cid = "rl-1@192.0.2.30"
    inv = invite(cid)
    f.send(0, ALICE, BOB, inv)
    _redirect(f, 10, inv, ["<sip:bob@office.example.net>"], "rl1")
    inv2 = invite(cid, 2, "z9hG4bKrl2", ruri="sip:bob@office.example.net")
    f.send(100, ALICE, BOB, inv2)
    _redirect(f, 110, inv2, ["<sip:bob@example.net>"], "rl2")
    f.write(path)


@scenario("redirect-chain.pcap")
def s_redirect_chain(path):
    """Each target redirects to a new one, five times in a row."""
    f = Flow()
    cid = "rc-1@192.0.2.30"
    ruri = "sip:bob@example.net"
    for i in range(1, 6):
        inv = invite(cid, i, "z9hG4bKrc%d" % i, ruri=ruri)
        f.send(i * 100, ALICE, BOB, inv)
        ruri = "sip:bob@hop%d.example.net" % i
        _redirect(f, i * 100 + 10, inv, ["<%s>" % ruri], "rc%d" % i)
    f.write(path)


BOB2 = Node(BOB.ip, port=5070)
GW = Node("198.51.100.41")
BOB2_URI = "sip:bob@198.51.100.40:5070"
GW_URI = "sip:bob@198.51.100.41"


def _answer_try(f, t, inv, node, ruri, tag, cseq):
    """node answers Alice's INVITE to ruri 200 at t, Alice ACKs; returns
    a function hanging up at a given time."""
    ok = response(inv, 200, "OK", tag, [("Contact", "<%s>" % ruri)],
                  sdp("bob", node.ip, 30000, 2))
    f.send(t, node, ALICE, ok)
    to_t = TO + ";tag=" + tag
    cid = inv.get("Call-ID")
    f.send(t + 10, ALICE, node, request("ACK", ruri, ALICE.via("z9hG4bK%sa" % tag),
                                         FROM, to_t, cid, cseq))

    def hang_up(t_bye):
        bye = request("BYE", ruri, ALICE.via("z9hG4bK%sb" % tag), FROM, to_t, cid, cseq + 1)
        f.send(t_bye, ALICE, node, bye)
        f.send(t_bye + 10, node, ALICE, response(bye, 200, "OK"))
    return hang_up


@scenario("redirect-q-order.pcap")
def s_redirect_q_order(path):
    """INVITE, 302 with Bob's desk phone (q=1.0) and a gateway to his
    mobile (q=0.5); Alice tries the gateway first (486), then the desk
    phone: answered, ACK, BYE."""
    f = Flow()
    cid = "rq-1@192.0.2.30"
    inv = invite(cid)
    f.send(0, ALICE, BOB, inv)
    _redirect(f, 10, inv, ["<%s>;q=1.0" % BOB2_URI, "<%s>;q=0.5" % GW_URI], "rq1")
    i2 = invite(cid, 2, "z9hG4bKrq2", ruri=GW_URI)
    f.send(100, ALICE, GW, i2)
    busy = response(i2, 486, "Busy Here", "rq2")
    f.send(600, GW, ALICE, busy)
    f.send(605, ALICE, GW, ack_for(i2, busy))
    i3 = invite(cid, 3, "z9hG4bKrq3", ruri=BOB2_URI)
    f.send(700, ALICE, BOB2, i3)
    _answer_try(f, 1500, i3, BOB2, BOB2_URI, "rq3", 3)(5500)
    f.write(path)


@scenario("redirect-parallel.pcap")
def s_redirect_parallel(path):
    """INVITE, 302 with two targets of equal q (0.5); Alice tries both at
    once, as §8.1.3.4 allows: the first answers, she CANCELs the other
    (487, ACK), then hangs up."""
    f = Flow()
    cid = "rp-1@192.0.2.30"
    inv = invite(cid)
    f.send(0, ALICE, BOB, inv)
    _redirect(f, 10, inv, ["<%s>;q=0.5" % BOB2_URI, "<%s>;q=0.5" % GW_URI], "rp1")
    i2 = invite(cid, 2, "z9hG4bKrp2", ruri=BOB2_URI)
    f.send(100, ALICE, BOB2, i2)
    i3 = invite(cid, 3, "z9hG4bKrp3", ruri=GW_URI)
    f.send(101, ALICE, GW, i3)
    f.send(300, GW, ALICE, response(i3, 180, "Ringing", "rp3", [("Contact", "<%s>" % GW_URI)]))
    hang_up = _answer_try(f, 1000, i2, BOB2, BOB2_URI, "rp2", 2)
    c = cancel_for(i3)
    f.send(1020, ALICE, GW, c)
    f.send(1030, GW, ALICE, response(c, 200, "OK", "rp3"))
    term = response(i3, 487, "Request Terminated", "rp3")
    f.send(1040, GW, ALICE, term)
    f.send(1045, ALICE, GW, ack_for(i3, term))
    hang_up(5000)
    f.write(path)


# ---------------------------------------------------------------- 7: routing

@scenario("strict-routing.pcap")
def s_strict(path):
    """P1 Record-Routes without ;lr (an RFC 2543 strict router); in-dialog
    requests put P1 in the Request-URI and Bob's Contact in Route."""
    f = Flow()
    cid = "st-1@192.0.2.30"
    inv = invite(cid)
    f.send(0, ALICE, P1, inv)
    fw = forward(inv, P1, "z9hG4bKst1", ALICE, record_route=False, ruri=BOB_URI)
    fw.insert_before("From", "Record-Route", "<sip:198.51.100.2>")
    f.send(2, P1, BOB, fw)
    ok = response(received(fw, P1), 200, "OK", "st1", BOB_CONTACT,
                  sdp("bob", BOB.ip, 30000, 2))
    f.send(1000, BOB, P1, ok)
    f.send(1002, P1, ALICE, back(ok))
    to_t = TO + ";tag=st1"
    ack = request("ACK", "sip:198.51.100.2", ALICE.via("z9hG4bKst2"), FROM, to_t, cid, 1,
                  route=["<%s>" % BOB_URI])
    f.send(1010, ALICE, P1, ack)
    ack2 = forward(ack, P1, "z9hG4bKst3", ALICE, record_route=False, ruri=BOB_URI)
    ack2.remove("Route")
    f.send(1012, P1, BOB, ack2)
    bye = request("BYE", "sip:198.51.100.2", ALICE.via("z9hG4bKst4"), FROM, to_t, cid, 2,
                  route=["<%s>" % BOB_URI])
    f.send(5000, ALICE, P1, bye)
    bye2 = forward(bye, P1, "z9hG4bKst5", ALICE, record_route=False, ruri=BOB_URI)
    bye2.remove("Route")
    f.send(5002, P1, BOB, bye2)
    r = response(received(bye2, P1), 200, "OK")
    f.send(5010, BOB, P1, r)
    f.send(5012, P1, ALICE, back(r))
    f.write(path)


@scenario("route-skipped.pcap")
def s_route_skipped(path):
    """P1 Record-Routes; Alice's ACK goes through it, but Bob's BYE goes
    straight to Alice without Route."""
    f = Flow()
    cid = "rk-1@192.0.2.30"
    inv = invite(cid)
    f.send(0, ALICE, P1, inv)
    fw = forward(inv, P1, "z9hG4bKrk1", ALICE, ruri=BOB_URI)
    f.send(2, P1, BOB, fw)
    ok = response(received(fw, P1), 200, "OK", "rk1", BOB_CONTACT,
                  sdp("bob", BOB.ip, 30000, 2))
    f.send(1000, BOB, P1, ok)
    f.send(1002, P1, ALICE, back(ok))
    to_t = TO + ";tag=rk1"
    ack = request("ACK", BOB_URI, ALICE.via("z9hG4bKrk2"), FROM, to_t, cid, 1,
                  route=[P1.rr()])
    f.send(1010, ALICE, P1, ack)
    f.send(1012, P1, BOB, forward(ack, P1, "z9hG4bKrk3", ALICE, record_route=False))
    bye = request("BYE", "sip:alice@192.0.2.30:5060", BOB.via("z9hG4bKrk4"),
                  to_t, FROM, cid, 1)
    f.send(5000, BOB, ALICE, bye)
    f.send(5010, ALICE, BOB, response(bye, 200, "OK"))
    f.write(path)


@scenario("route-set-mismatch.pcap")
def s_route_mismatch(path):
    """P1 and then P2 Record-Route Alice's INVITE; her ACK lists them in
    the right order (P1, P2: the Record-Route reversed), but her BYE keeps
    the Record-Route's order and goes to P2 first."""
    f = Flow()
    cid = "rm-1@192.0.2.30"
    inv = invite(cid)
    f.send(0, ALICE, P1, inv)
    fw1 = forward(inv, P1, "z9hG4bKrm1", ALICE)
    f.send(2, P1, P2, fw1)
    fw2 = forward(fw1, P2, "z9hG4bKrm2", P1, ruri=BOB_URI)
    f.send(4, P2, BOB, fw2)
    ok = response(received(fw2, P2), 200, "OK", "rm1", BOB_CONTACT,
                  sdp("bob", BOB.ip, 30000, 2))
    f.send(1000, BOB, P2, ok)
    f.send(1002, P2, P1, back(ok))
    f.send(1004, P1, ALICE, back(back(ok)))
    to_t = TO + ";tag=rm1"
    ack = request("ACK", BOB_URI, ALICE.via("z9hG4bKrm3"), FROM, to_t, cid, 1,
                  route=[P1.rr(), P2.rr()])
    f.send(1010, ALICE, P1, ack)
    ack2 = forward(ack, P1, "z9hG4bKrm4", ALICE, record_route=False)
    f.send(1012, P1, P2, ack2)
    f.send(1014, P2, BOB, forward(ack2, P2, "z9hG4bKrm5", P1, record_route=False))
    bye = request("BYE", BOB_URI, ALICE.via("z9hG4bKrm6"), FROM, to_t, cid, 2,
                  route=[P2.rr(), P1.rr()])
    f.send(5000, ALICE, P2, bye)
    bye2 = forward(bye, P2, "z9hG4bKrm7", ALICE, record_route=False)
    f.send(5002, P2, P1, bye2)
    bye3 = forward(bye2, P1, "z9hG4bKrm8", P2, record_route=False)
    f.send(5004, P1, BOB, bye3)
    r = response(received(bye3, P1), 200, "OK")
    f.send(5010, BOB, P1, r)
    f.send(5012, P1, P2, back(r))
    f.send(5014, P2, ALICE, back(back(r)))
    f.write(path)


# ---------------------------------------------------------------- 8: SDP

@scenario("no-common-codec.pcap")
def s_no_common_codec(path):
    """Alice offers G.729 only; Bob answers 488 with Warning 305."""
    f = Flow()
    cid = "cc-1@192.0.2.30"
    inv = invite(cid, body=sdp("alice", ALICE.ip, 40000, 1, codecs=(18,)))
    f.send(0, ALICE, BOB, inv)
    r = response(inv, 488, "Not Acceptable Here", "cc1",
                 [("Warning", '305 198.51.100.40 "Incompatible media format"')])
    f.send(100, BOB, ALICE, r)
    f.send(110, ALICE, BOB, ack_for(inv, r))
    f.write(path)


@scenario("answer-codec-not-offered.pcap")
def s_answer_codec(path):
    """Alice offers PCMU; Bob answers PCMA."""
    f = Flow()
    cid = "ac-1@192.0.2.30"
    inv, to_t = answered(f, cid, ok_body=sdp("bob", BOB.ip, 30000, 2, codecs=(8,)))
    hangup(f, 5000, cid, to_t)
    f.write(path)


@scenario("answer-media-mismatch.pcap")
def s_answer_media(path):
    """Alice offers audio and video; Bob's answer has the audio line only."""
    f = Flow()
    cid = "mm-1@192.0.2.30"
    offer = sdp("alice", ALICE.ip, 40000, 1) + "m=video 40002 RTP/AVP 96\na=rtpmap:96 H264/90000\n"
    inv, to_t = answered(f, cid, body=offer)
    hangup(f, 5000, cid, to_t)
    f.write(path)


@scenario("hold.pcap")
def s_hold(path):
    """An answered call; Alice puts Bob on hold (re-INVITE, a=sendonly),
    Bob answers recvonly; Alice hangs up."""
    f = Flow()
    cid = "hd-1@192.0.2.30"
    inv, to_t = answered(f, cid)
    ri = request("INVITE", BOB_URI, ALICE.via("z9hG4bKhd1"), FROM, to_t, cid, 2,
                 contact=ALICE_CONTACT, body=sdp("alice", ALICE.ip, 40000, 1, 2,
                                                 direction="sendonly"))
    f.send(5000, ALICE, BOB, ri)
    f.send(5010, BOB, ALICE, response(ri, 200, "OK", extra=BOB_CONTACT,
                                      body=sdp("bob", BOB.ip, 30000, 2, 3,
                                               direction="recvonly")))
    f.send(5020, ALICE, BOB, request("ACK", BOB_URI, ALICE.via("z9hG4bKhd2"),
                                      FROM, to_t, cid, 2))
    hangup(f, 9000, cid, to_t, cseq=3)
    f.write(path)


@scenario("sdp-private-address.pcap")
def s_private(path):
    """Alice signals from the public 203.0.113.50 but offers media at
    192.168.1.20 (her address behind the NAT); answered, hung up."""
    f = Flow()
    cid = "nat-1@203.0.113.50"
    nat = Node("203.0.113.50")
    inv = invite(cid, src=nat, body=sdp("alice", "192.168.1.20", 40000, 1))
    f.send(0, nat, BOB, inv)
    f.send(1000, BOB, nat, response(inv, 200, "OK", "nt1", BOB_CONTACT,
                                    sdp("bob", BOB.ip, 30000, 2)))
    to_t = TO + ";tag=nt1"
    f.send(1010, nat, BOB, request("ACK", BOB_URI, nat.via("z9hG4bKnt3"),
                                    FROM, to_t, cid, 1))
    bye = request("BYE", BOB_URI, nat.via("z9hG4bKnt4"), FROM, to_t, cid, 2)
    f.send(5000, nat, BOB, bye)
    f.send(5010, BOB, nat, response(bye, 200, "OK"))
    f.write(path)


# ---------------------------------------------------------------- main

if __name__ == "__main__":
    sys.exit(GEN.main(__doc__))
