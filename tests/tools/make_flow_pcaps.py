#!/usr/bin/env python3
"""Builds the call-flow captures in tests/pcaps/flows/.

    python3 tests/tools/make_flow_pcaps.py [--out DIR] [NAME...]
    python3 tests/tools/make_flow_pcaps.py --verify     # committed == built
    python3 tests/tools/make_flow_pcaps.py --check      # and ask tshark

Each capture is one scenario of transactions, dialogs, calls or
registrations: the flows of RFC 3665 and RFC 3261 §24, forking, CANCEL
racing a 200, retransmissions, a capture that starts mid-call, RFC 2543
matching, a REGISTER challenge and expiry, re-INVITE glare and a rejected
UPDATE.  tests/pcaps/flows/README.md says what each one shows;
tests/flows/test_flows.py says what sipscope must make of it.

Every hop is its own packets between distinct addresses; proxies push
their own Via with their own branch, decrement Max-Forwards, add
Record-Route and `received=`, consume their Route entry, and responses
retrace the Via path.  Output is byte for byte deterministic.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from mkpcap import TcpConn  # noqa: E402
from scenario import (  # noqa: E402
    Flow, Generator, Node, ack_for, back, cancel_for, forward, received,
    request, response, sdp)

HERE = os.path.dirname(os.path.abspath(__file__))
GEN = Generator(__file__, os.path.normpath(os.path.join(HERE, "..", "pcaps", "flows")))
scenario = GEN.scenario


ALLOW = "INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO, REFER, NOTIFY"


# ---------------------------------------------------------------- RFC 3261 §24

# RFC 3261 §24: Alice's PC pc33.atlanta.com, the atlanta.com proxy
# bigbox3.site3.atlanta.com, the biloxi.com proxy server10.biloxi.com and
# Bob's phone at 192.0.2.4; the registrar registrar.biloxi.com.
R_ALICE = Node("192.0.2.1", "pc33.atlanta.com", via_port=False)
R_ATL = Node("192.0.2.2", "bigbox3.site3.atlanta.com", via_port=False)
R_BIL = Node("192.0.2.3", "server10.biloxi.com", via_port=False)
R_BOB = Node("192.0.2.4", "bobspc.biloxi.com")
R_REG = Node("192.0.2.5", "registrar.biloxi.com", via_port=False)


@scenario("rfc3261_24_1_register.pcap")
def s_rfc3261_register(path):
    f = Flow()
    reg = request("REGISTER", "sip:registrar.biloxi.com",
                  R_BOB.via("z9hG4bKnashds7"),
                  "Bob <sip:bob@biloxi.com>;tag=456248",
                  "Bob <sip:bob@biloxi.com>",
                  "843817637684230@998sdasdh09", 1826,
                  contact="<sip:bob@192.0.2.4>", extra=[("Expires", "7200")])
    f.send(0, R_BOB, R_REG, reg)
    ok = response(received(reg, R_BOB), 200, "OK", "2493k59kd",
                  [("Contact", "<sip:bob@192.0.2.4>"), ("Expires", "7200")])
    f.send(12, R_REG, R_BOB, ok)
    f.write(path)


@scenario("rfc3261_24_2_session.pcap")
def s_rfc3261_session(path):
    """F1-F14 of §24.2: the proxies do not Record-Route, so the ACK and
    the BYE go straight between the phones."""
    f = Flow()
    cid = "a84b4c76e66710"
    alice = "Alice <sip:alice@atlanta.com>;tag=1928301774"
    bob = "Bob <sip:bob@biloxi.com>"
    bob_t = bob + ";tag=a6c85cf"
    inv = request("INVITE", "sip:bob@biloxi.com",
                  R_ALICE.via("z9hG4bKnashds8"), alice, bob, cid, 314159,
                  contact="<sip:alice@pc33.atlanta.com>",
                  body=sdp("alice", "192.0.2.1", 49172, 2890844526))
    f.send(0, R_ALICE, R_ATL, inv)                                   # F1
    inv_a = received(inv, R_ALICE)
    f.send(4, R_ATL, R_ALICE, response(inv_a, 100, "Trying"))        # F2
    inv2 = forward(inv, R_ATL, "z9hG4bK77ef4c2312983.1", R_ALICE,
                   record_route=False)
    f.send(6, R_ATL, R_BIL, inv2)                                    # F3
    inv2_b = received(inv2, R_ATL)
    f.send(11, R_BIL, R_ATL, response(inv2_b, 100, "Trying"))        # F4
    inv3 = forward(inv2, R_BIL, "z9hG4bK4b43c2ff8.1", R_ATL,
                   record_route=False, ruri="sip:bob@192.0.2.4")
    f.send(13, R_BIL, R_BOB, inv3)                                   # F5
    inv3_b = received(inv3, R_BIL)
    contact = [("Contact", "<sip:bob@192.0.2.4>")]
    r180 = response(inv3_b, 180, "Ringing", "a6c85cf", contact)
    f.send(95, R_BOB, R_BIL, r180)                                   # F6
    f.send(97, R_BIL, R_ATL, back(r180))                             # F7
    f.send(99, R_ATL, R_ALICE, back(back(r180)))                     # F8
    r200 = response(inv3_b, 200, "OK", "a6c85cf", contact,
                    sdp("bob", "192.0.2.4", 3456, 2890844527))
    f.send(4100, R_BOB, R_BIL, r200)                                 # F9
    f.send(4102, R_BIL, R_ATL, back(r200))                           # F10
    f.send(4104, R_ATL, R_ALICE, back(back(r200)))                   # F11
    ack = request("ACK", "sip:bob@192.0.2.4",
                  R_ALICE.via("z9hG4bKnashds9"), alice, bob_t, cid, 314159)
    f.send(4150, R_ALICE, R_BOB, ack)                                # F12
    bob_phone = Node("192.0.2.4", via_port=False)
    bye = request("BYE", "sip:alice@pc33.atlanta.com",
                  bob_phone.via("z9hG4bKnashds10"), bob_t,
                  "Alice <sip:alice@atlanta.com>;tag=1928301774", cid, 231)
    f.send(34150, R_BOB, R_ALICE, bye)                               # F13
    f.send(34160, R_ALICE, R_BOB, response(bye, 200, "OK"))          # F14
    f.write(path)


# ---------------------------------------------------------------- RFC 3665

# RFC 3665: Alice's client, proxy 1 (ss1.atlanta.example.com), proxy 2
# (ss2.biloxi.example.com) and Bob's client.
X_ALICE = Node("192.0.2.101", "client.atlanta.example.com")
X_P1 = Node("192.0.2.111", "ss1.atlanta.example.com")
X_P2 = Node("192.0.2.222", "ss2.biloxi.example.com")
X_BOB = Node("192.0.2.201", "client.biloxi.example.com")
X_FROM = "Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl"
X_TO = "Bob <sip:bob@biloxi.example.com>"
X_SDP_A = sdp("alice", "192.0.2.101", 49172, 2890844526)
X_SDP_B = sdp("bob", "192.0.2.201", 3456, 2890844527)
X_PAUTH = ('Digest username="alice", realm="atlanta.example.com", '
           'nonce="wf84f1ceczx41ae6cbe5aea9c8e88d359", opaque="", '
           'uri="sip:bob@biloxi.example.com", '
           'response="42ce3cef44b22f50c6a6071bc8"')


@scenario("rfc3665_3_1_basic_tcp.pcap")
def s_rfc3665_basic(path):
    """§3.1: Alice calls Bob directly over TCP; Bob hangs up.  The INVITE
    dialog's requests from Alice share her connection to Bob; Bob opens
    his own connection to Alice's Contact for the BYE."""
    f = Flow()
    cid = "3848276298220188511@atlanta.example.com"
    a = Node("192.0.2.101", "client.atlanta.example.com", port=49170)
    b = Node("192.0.2.201", "client.biloxi.example.com")
    inv = request("INVITE", "sip:bob@biloxi.example.com",
                  "SIP/2.0/TCP client.atlanta.example.com:5060;"
                  "branch=z9hG4bK74bf9", X_FROM, X_TO, cid, 1,
                  contact="<sip:alice@client.atlanta.example.com;"
                  "transport=tcp>", body=X_SDP_A)
    inv_b = received(inv, a)
    contact_b = [("Contact",
                  "<sip:bob@client.biloxi.example.com;transport=tcp>")]
    r180 = response(inv_b, 180, "Ringing", "8321234356", contact_b)
    r200 = response(inv_b, 200, "OK", "8321234356", contact_b, X_SDP_B)
    to_t = X_TO + ";tag=8321234356"
    ack = request("ACK", "sip:bob@client.biloxi.example.com;transport=tcp",
                  "SIP/2.0/TCP client.atlanta.example.com:5060;"
                  "branch=z9hG4bK74bd5", X_FROM, to_t, cid, 1)
    bye = request("BYE", "sip:alice@client.atlanta.example.com;"
                  "transport=tcp",
                  "SIP/2.0/TCP client.biloxi.example.com:5060;"
                  "branch=z9hG4bKnashds7", to_t,
                  X_FROM, cid, 1)
    bye_ok = response(received(bye, b), 200, "OK")
    c1 = TcpConn((a.ip, a.port), (b.ip, b.port), isn_client=0x2E6C1000,
                 isn_server=0x73A10000)
    f.tcp(0, c1.handshake())
    f.tcp(1, c1.send(True, inv.bytes()))
    f.tcp(2, c1.ack(False))
    f.tcp(120, c1.send(False, r180.bytes()))
    f.tcp(121, c1.ack(True))
    f.tcp(5120, c1.send(False, r200.bytes()))
    f.tcp(5150, c1.send(True, ack.bytes()))
    f.tcp(5151, c1.ack(False))
    # Bob's own connection to Alice's Contact (port 5060)
    c2 = TcpConn((b.ip, 51272), (a.ip, 5060), isn_client=0x10000000,
                 isn_server=0x20000000)
    f.tcp(65000, c2.handshake())
    f.tcp(65001, c2.send(True, bye.bytes()))
    f.tcp(65012, c2.send(False, bye_ok.bytes()))
    f.tcp(65013, c2.ack(True))
    f.write(path)


def _x_invite(branch, cseq=1, cid="2xTb9vxSit55XU7p8@atlanta.example.com",
              auth=True):
    extra = [("Proxy-Authorization", X_PAUTH)] if auth else []
    return request("INVITE", "sip:bob@biloxi.example.com",
                   X_ALICE.via(branch), X_FROM, X_TO, cid, cseq,
                   contact="<sip:alice@client.atlanta.example.com>",
                   route=["<sip:ss1.atlanta.example.com;lr>"],
                   extra=extra, body=X_SDP_A)


def _x_to_bob(f, t, inv, b1="z9hG4bK2d4790.1", b2="z9hG4bK721e4.1"):
    """F1 and the forwarding of an authorised INVITE through both proxies
    with their 100 Trying; returns the three INVITEs as received."""
    f.send(t, X_ALICE, X_P1, inv)
    inv1 = received(inv, X_ALICE)
    inv2 = forward(inv, X_P1, b1, X_ALICE).remove("Proxy-Authorization")
    f.send(t + 2, X_P1, X_P2, inv2)
    f.send(t + 3, X_P1, X_ALICE, response(inv1, 100, "Trying"))
    inv2r = received(inv2, X_P1)
    inv3 = forward(inv2, X_P2, b2, X_P1,
                   ruri="sip:bob@client.biloxi.example.com")
    f.send(t + 5, X_P2, X_BOB, inv3)
    f.send(t + 6, X_P2, X_P1, response(inv2r, 100, "Trying"))
    return inv1, inv2r, received(inv3, X_P2)


@scenario("rfc3665_3_2_two_proxies.pcap")
def s_rfc3665_two_proxies(path):
    """§3.2: through proxy 1 (which challenges with 407 first) and proxy
    2, both Record-Routing; the ACK and the BYE follow the route set."""
    f = Flow()
    cid = "2xTb9vxSit55XU7p8@atlanta.example.com"
    inv0 = _x_invite("z9hG4bKbf9f44", 1, auth=False)
    f.send(0, X_ALICE, X_P1, inv0)                                  # F1
    r407 = response(received(inv0, X_ALICE), 407,
                    "Proxy Authorization Required", "3flal12sf",
                    [("Proxy-Authenticate",
                      'Digest realm="atlanta.example.com", qop="auth", '
                      'nonce="f84f1cec41e6cbe5aea9c8e88d359", opaque="", '
                      'stale=FALSE, algorithm=MD5')])
    f.send(3, X_P1, X_ALICE, r407)                                  # F2
    f.send(20, X_ALICE, X_P1, ack_for(inv0, r407))                  # F3
    inv = _x_invite("z9hG4bK74bf9", 2)
    inv1, inv2, inv3 = _x_to_bob(f, 40, inv)                        # F4-F8
    contact = [("Contact", "<sip:bob@client.biloxi.example.com>")]
    r180 = response(inv3, 180, "Ringing", "314159", contact)
    f.send(130, X_BOB, X_P2, r180)                                  # F9
    f.send(131, X_P2, X_P1, back(r180))                             # F10
    f.send(132, X_P1, X_ALICE, back(back(r180)))                    # F11
    r200 = response(inv3, 200, "OK", "314159", contact, X_SDP_B)
    f.send(6130, X_BOB, X_P2, r200)                                 # F12
    f.send(6131, X_P2, X_P1, back(r200))                            # F13
    f.send(6132, X_P1, X_ALICE, back(back(r200)))                   # F14
    to_t = X_TO + ";tag=314159"
    ack = request("ACK", "sip:bob@client.biloxi.example.com",
                  X_ALICE.via("z9hG4bK74b76"), X_FROM, to_t, cid, 2,
                  route=["<sip:ss1.atlanta.example.com;lr>",
                         "<sip:ss2.biloxi.example.com;lr>"])
    f.send(6150, X_ALICE, X_P1, ack)                                # F15
    ack2 = forward(ack, X_P1, "z9hG4bK2d4790.2", X_ALICE, False)
    f.send(6151, X_P1, X_P2, ack2)                                  # F16
    ack3 = forward(ack2, X_P2, "z9hG4bK721e4.2", X_P1, False)
    f.send(6152, X_P2, X_BOB, ack3)                                 # F17
    bye = request("BYE", "sip:alice@client.atlanta.example.com",
                  X_BOB.via("z9hG4bKnashds7"), to_t, X_FROM, cid, 1,
                  route=["<sip:ss2.biloxi.example.com;lr>",
                         "<sip:ss1.atlanta.example.com;lr>"])
    f.send(48000, X_BOB, X_P2, bye)                                 # F18
    bye2 = forward(bye, X_P2, "z9hG4bK721e4.3", X_BOB, False)
    f.send(48001, X_P2, X_P1, bye2)                                 # F19
    bye3 = forward(bye2, X_P1, "z9hG4bK2d4790.3", X_P2, False)
    f.send(48002, X_P1, X_ALICE, bye3)                              # F20
    ok = response(received(bye3, X_P1), 200, "OK")
    f.send(48010, X_ALICE, X_P1, ok)                                # F21
    f.send(48011, X_P1, X_P2, back(ok))                             # F22
    f.send(48012, X_P2, X_BOB, back(back(ok)))                      # F23
    f.write(path)


def _x_fail_back(f, t, inv1, inv2, inv3, code, reason, tag, src=X_BOB):
    """A final non-2xx response from src (Bob or proxy 2) travelling back,
    each hop ACKed by the hop before it."""
    if src is X_BOB:
        r = response(inv3, code, reason, tag)
        f.send(t, X_BOB, X_P2, r)
        f.send(t + 1, X_P2, X_BOB, ack_for(inv3, r))
        r2 = back(r)
        t += 2
    else:
        r2 = response(inv2, code, reason, tag)
    f.send(t, X_P2, X_P1, r2)
    f.send(t + 1, X_P1, X_P2, ack_for(inv2, r2))
    r1 = back(r2)
    f.send(t + 2, X_P1, X_ALICE, r1)
    f.send(t + 20, X_ALICE, X_P1, ack_for(inv1, r1))


@scenario("rfc3665_busy.pcap")
def s_rfc3665_busy(path):
    """Unsuccessful Busy: Bob answers 486 at once; every hop ACKs the
    486 it receives and passes it on."""
    f = Flow()
    inv = _x_invite("z9hG4bK74bf9", 1,
                    cid="2xTb9vxSit55XU7p8@atlanta.example.com")
    inv1, inv2, inv3 = _x_to_bob(f, 0, inv)
    _x_fail_back(f, 40, inv1, inv2, inv3, 486, "Busy Here", "314159")
    f.write(path)


@scenario("rfc3665_3_8_no_answer.pcap")
def s_rfc3665_no_answer(path):
    """§3.8 Unsuccessful No Answer: Bob rings, Alice gives up; CANCEL and
    its 200 hop by hop, then 487 / ACK hop by hop."""
    f = Flow()
    inv = _x_invite("z9hG4bK74bf9", 1)
    inv1, inv2, inv3 = _x_to_bob(f, 0, inv)                         # F1-F5
    contact = [("Contact", "<sip:bob@client.biloxi.example.com>")]
    r180 = response(inv3, 180, "Ringing", "314159", contact)
    f.send(90, X_BOB, X_P2, r180)                                   # F6
    f.send(91, X_P2, X_P1, back(r180))                              # F7
    f.send(92, X_P1, X_ALICE, back(back(r180)))                     # F8
    c1 = cancel_for(inv)
    f.send(20092, X_ALICE, X_P1, c1)                                # F9
    f.send(20094, X_P1, X_ALICE,
           response(received(c1, X_ALICE), 200, "OK", "314159"))    # F10
    c2 = cancel_for(forward(inv, X_P1, "z9hG4bK2d4790.1", X_ALICE)
                    .remove("Proxy-Authorization"))
    f.send(20095, X_P1, X_P2, c2)                                   # F11
    f.send(20097, X_P2, X_P1,
           response(received(c2, X_P1), 200, "OK", "314159"))        # F12
    c3 = cancel_for(inv3)
    f.send(20098, X_P2, X_BOB, c3)                                  # F13
    f.send(20105, X_BOB, X_P2, response(c3, 200, "OK", "314159"))   # F14
    r487 = response(inv3, 487, "Request Terminated", "314159")
    f.send(20106, X_BOB, X_P2, r487)                                # F15
    f.send(20107, X_P2, X_BOB, ack_for(inv3, r487))                 # F16
    f.send(20108, X_P2, X_P1, back(r487))                           # F17
    f.send(20109, X_P1, X_P2, ack_for(inv2, back(r487)))            # F18
    f.send(20110, X_P1, X_ALICE, back(back(r487)))                  # F19
    f.send(20125, X_ALICE, X_P1, ack_for(inv1, back(back(r487))))   # F20
    f.write(path)


@scenario("rfc3665_3_10_no_response.pcap")
def s_rfc3665_no_response(path):
    """§3.10 Unsuccessful No Response from User Agent: proxy 2 sends the
    INVITE to Bob on Timer A (0.5, 1, 2, 4, 8, 16 s apart), Bob never
    answers, and when Timer B fires at 64*T1 proxy 2 answers 480."""
    f = Flow()
    inv = _x_invite("z9hG4bK74bf9", 1)
    f.send(0, X_ALICE, X_P1, inv)                                   # F1
    inv1 = received(inv, X_ALICE)
    inv2 = forward(inv, X_P1, "z9hG4bK2d4790.1", X_ALICE) \
        .remove("Proxy-Authorization")
    f.send(2, X_P1, X_P2, inv2)                                     # F2
    f.send(3, X_P1, X_ALICE, response(inv1, 100, "Trying"))         # F3
    inv2r = received(inv2, X_P1)
    inv3 = forward(inv2, X_P2, "z9hG4bK721e4.1", X_P1,
                   ruri="sip:bob@client.biloxi.example.com")
    f.send(5, X_P2, X_BOB, inv3)                                    # F4
    f.send(6, X_P2, X_P1, response(inv2r, 100, "Trying"))           # F5
    t = 5
    for gap in (500, 1000, 2000, 4000, 8000, 16000):                # F6-F11
        t += gap
        f.send(t, X_P2, X_BOB, inv3)
    r480 = response(inv2r, 480, "Temporarily Unavailable", "763231")
    f.send(32005, X_P2, X_P1, r480)                                 # F12
    f.send(32006, X_P1, X_P2, ack_for(inv2r, r480))                 # F13
    f.send(32007, X_P1, X_ALICE, back(r480))                        # F14
    f.send(32020, X_ALICE, X_P1, ack_for(inv1, back(r480)))         # F15
    f.write(path)


@scenario("failure_404_via_proxies.pcap")
def s_failure_404(path):
    """Proxy 2 has no binding for the Request-URI and answers 404 itself;
    the 404 and its ACKs travel back hop by hop."""
    f = Flow()
    inv = request("INVITE", "sip:carol@biloxi.example.com",
                  X_ALICE.via("z9hG4bK7e1d3a"), X_FROM,
                  "Carol <sip:carol@biloxi.example.com>",
                  "4f9a1e77b2c@atlanta.example.com", 1,
                  contact="<sip:alice@client.atlanta.example.com>",
                  route=["<sip:ss1.atlanta.example.com;lr>"],
                  extra=[("Proxy-Authorization",
                          X_PAUTH.replace("bob", "carol"))], body=X_SDP_A)
    f.send(0, X_ALICE, X_P1, inv)
    inv1 = received(inv, X_ALICE)
    f.send(2, X_P1, X_ALICE, response(inv1, 100, "Trying"))
    inv2 = forward(inv, X_P1, "z9hG4bK2d4790.7", X_ALICE) \
        .remove("Proxy-Authorization")
    f.send(3, X_P1, X_P2, inv2)
    inv2r = received(inv2, X_P1)
    _x_fail_back(f, 9, inv1, inv2r, None, 404, "Not Found", "9c0f3b2e",
                 src=X_P2)
    f.write(path)


@scenario("failure_503_gateway.pcap")
def s_failure_503(path):
    """A call to a PSTN gateway: 100, 183 Session Progress with a To tag
    and early media SDP (an early dialog), then 503 Service Unavailable
    with Retry-After, and the ACK."""
    f = Flow()
    ua = Node("198.51.100.10")
    gw = Node("203.0.113.50")
    cid = "8d2f61a0-5c1e-4b8e-9d43-17f2a0c3e911@198.51.100.10"
    frm = '"Dave" <sip:+15550100@pbx.example.net>;tag=a73kszlfl'
    to = "<sip:+15550199@gw.example.net;user=phone>"
    inv = request("INVITE", "sip:+15550199@203.0.113.50;user=phone",
                  ua.via("z9hG4bK776asdhds"), frm, to, cid, 10,
                  contact="<sip:+15550100@198.51.100.10>",
                  extra=[("Allow", ALLOW), ("User-Agent", "Grandstream GXP2170 1.0.11.23")],
                  body=sdp("dave", "198.51.100.10", 16384, 1700000000,
                           codecs=(0, 8, 101)))
    f.send(0, ua, gw, inv)
    srv = ("Server", "Sonus SBC 10.1")
    f.send(8, gw, ua, response(inv, 100, "Trying", extra=[srv]))
    r183 = response(inv, 183, "Session Progress", "gw8812a",
                    [("Contact", "<sip:+15550199@203.0.113.50>"), srv],
                    sdp("gw", "203.0.113.50", 20000, 91, codecs=(0, 101)))
    f.send(2300, gw, ua, r183)
    r503 = response(inv, 503, "Service Unavailable", "gw8812a",
                    [("Retry-After", "300"), srv,
                     ("Reason", "Q.850;cause=34;text=\"No circuit/channel "
                      "available\"")])
    f.send(9300, gw, ua, r503)
    f.send(9310, ua, gw, ack_for(inv, r503))
    f.write(path)


# ---------------------------------------------------------------- beyond the RFCs

N_ALICE = Node("192.0.2.10")
N_PROXY = Node("198.51.100.1")
N_B1 = Node("203.0.113.21")
N_B2 = Node("203.0.113.22")
N_BOB = Node("198.51.100.20")
N_FROM = '"Alice" <sip:alice@example.com>;tag=a1f5e7'
N_TO = "<sip:bob@example.net>"


@scenario("forking.pcap")
def s_forking(path):
    """Parallel forking: the proxy sends the INVITE to two phones of Bob;
    both ring (two early dialogs), B2 answers, the proxy CANCELs B1 (200,
    487, ACK on that branch only); ACK and, later, BYE from Alice go to
    B2 through the Record-Routing proxy."""
    f = Flow()
    cid = "c7d1f0e2-forked@192.0.2.10"
    inv = request("INVITE", "sip:bob@example.net",
                  N_ALICE.via("z9hG4bKfa01"), N_FROM, N_TO, cid, 20,
                  contact="<sip:alice@192.0.2.10:5060>",
                  extra=[("Allow", ALLOW)],
                  body=sdp("alice", "192.0.2.10", 40000, 4242))
    f.send(0, N_ALICE, N_PROXY, inv)
    f.send(2, N_PROXY, N_ALICE, response(inv, 100, "Trying"))
    i1 = forward(inv, N_PROXY, "z9hG4bKpx7c.1", N_ALICE,
                 ruri="sip:bob@203.0.113.21:5060")
    i2 = forward(inv, N_PROXY, "z9hG4bKpx7c.2", N_ALICE,
                 ruri="sip:bob@203.0.113.22:5060")
    f.send(3, N_PROXY, N_B1, i1)
    f.send(4, N_PROXY, N_B2, i2)
    r1 = response(i1, 180, "Ringing", "b1x91",
                  [("Contact", "<sip:bob@203.0.113.21:5060>")])
    f.send(60, N_B1, N_PROXY, r1)
    f.send(61, N_PROXY, N_ALICE, back(r1))
    r2 = response(i2, 180, "Ringing", "b2y72",
                  [("Contact", "<sip:bob@203.0.113.22:5060>")])
    f.send(75, N_B2, N_PROXY, r2)
    f.send(76, N_PROXY, N_ALICE, back(r2))
    ok = response(i2, 200, "OK", "b2y72",
                  [("Contact", "<sip:bob@203.0.113.22:5060>")],
                  sdp("bob", "203.0.113.22", 30000, 777))
    f.send(5000, N_B2, N_PROXY, ok)
    f.send(5001, N_PROXY, N_ALICE, back(ok))
    c1 = cancel_for(i1)
    f.send(5002, N_PROXY, N_B1, c1)
    to2 = N_TO + ";tag=b2y72"
    ack = request("ACK", "sip:bob@203.0.113.22:5060",
                  N_ALICE.via("z9hG4bKfa02"), N_FROM, to2, cid, 20,
                  route=["<sip:198.51.100.1;lr>"])
    f.send(5020, N_ALICE, N_PROXY, ack)
    f.send(5021, N_PROXY, N_B2, forward(ack, N_PROXY, "z9hG4bKpx7d.1",
                                        N_ALICE, False))
    f.send(5030, N_B1, N_PROXY, response(c1, 200, "OK", "b1x91"))
    r487 = response(i1, 487, "Request Terminated", "b1x91")
    f.send(5031, N_B1, N_PROXY, r487)
    f.send(5032, N_PROXY, N_B1, ack_for(i1, r487))
    bye = request("BYE", "sip:bob@203.0.113.22:5060",
                  N_ALICE.via("z9hG4bKfa03"), N_FROM, to2, cid, 21,
                  route=["<sip:198.51.100.1;lr>"])
    f.send(25000, N_ALICE, N_PROXY, bye)
    bye2 = forward(bye, N_PROXY, "z9hG4bKpx7e.1", N_ALICE, False)
    f.send(25001, N_PROXY, N_B2, bye2)
    bok = response(bye2, 200, "OK")
    f.send(25030, N_B2, N_PROXY, bok)
    f.send(25031, N_PROXY, N_ALICE, back(bok))
    f.write(path)


def _direct_invite(cid, cseq=1, branch="z9hG4bKd001", body=None,
                   frm=N_FROM, a=N_ALICE, ruri="sip:bob@example.net"):
    return request("INVITE", ruri, a.via(branch), frm, N_TO, cid, cseq,
                   contact="<sip:alice@%s:5060>" % a.ip,
                   extra=[("Allow", ALLOW)],
                   body=body if body is not None else
                   sdp("alice", a.ip, 40002, 5151))


BOB_CONTACT = [("Contact", "<sip:bob@198.51.100.20:5060>")]


@scenario("cancel_200_race.pcap")
def s_cancel_race(path):
    """Alice CANCELs while Bob's 200 OK is already on its way: the 200
    wins, the CANCEL gets its own 200 (the INVITE server transaction is
    still accepting, RFC 6026) and has no effect; Alice ACKs the 200 and
    hangs up with BYE, as RFC 3665 §3.8 says she must."""
    f = Flow()
    cid = "race-5e0a9c1d@192.0.2.10"
    inv = _direct_invite(cid)
    f.send(0, N_ALICE, N_BOB, inv)
    f.send(10, N_BOB, N_ALICE, response(inv, 100, "Trying"))
    f.send(50, N_BOB, N_ALICE, response(inv, 180, "Ringing", "rb88",
                                        BOB_CONTACT))
    c = cancel_for(inv)
    f.send(3000, N_ALICE, N_BOB, c)
    f.send(3001, N_BOB, N_ALICE,
           response(inv, 200, "OK", "rb88", BOB_CONTACT,
                    sdp("bob", "198.51.100.20", 30002, 888)))
    f.send(3010, N_BOB, N_ALICE, response(c, 200, "OK", "rb88"))
    to_t = N_TO + ";tag=rb88"
    f.send(3020, N_ALICE, N_BOB,
           request("ACK", "sip:bob@198.51.100.20:5060",
                   N_ALICE.via("z9hG4bKd002"), N_FROM, to_t, cid, 1))
    bye = request("BYE", "sip:bob@198.51.100.20:5060",
                  N_ALICE.via("z9hG4bKd003"), N_FROM, to_t, cid, 2)
    f.send(3030, N_ALICE, N_BOB, bye)
    f.send(3040, N_BOB, N_ALICE, response(bye, 200, "OK"))
    f.write(path)


@scenario("retransmissions.pcap")
def s_retransmissions(path):
    """Seen from the middle of a lossy path: the INVITE sent on Timer A
    (0, 0.5, 1.5, 3.5 s), the 200 OK retransmitted by Bob 0.5, 1 and 2 s
    apart until the ACK arrives, and a BYE whose 200 was lost (the BYE is
    retransmitted on Timer E and the 200 with it)."""
    f = Flow()
    cid = "rtx-0b7e44f1@192.0.2.10"
    inv = _direct_invite(cid, branch="z9hG4bKr001")
    for t in (0, 500, 1500, 3500):
        f.send(t, N_ALICE, N_BOB, inv)
    f.send(3510, N_BOB, N_ALICE, response(inv, 100, "Trying"))
    f.send(3600, N_BOB, N_ALICE, response(inv, 180, "Ringing", "rt55",
                                          BOB_CONTACT))
    ok = response(inv, 200, "OK", "rt55", BOB_CONTACT,
                  sdp("bob", "198.51.100.20", 30004, 999))
    for t in (5000, 5500, 6500, 8500):
        f.send(t, N_BOB, N_ALICE, ok)
    to_t = N_TO + ";tag=rt55"
    f.send(8510, N_ALICE, N_BOB,
           request("ACK", "sip:bob@198.51.100.20:5060",
                   N_ALICE.via("z9hG4bKr002"), N_FROM, to_t, cid, 1))
    bye = request("BYE", "sip:bob@198.51.100.20:5060",
                  N_ALICE.via("z9hG4bKr003"), N_FROM, to_t, cid, 2)
    bye_ok = response(bye, 200, "OK")
    f.send(12000, N_ALICE, N_BOB, bye)
    f.send(12010, N_BOB, N_ALICE, bye_ok)
    f.send(12500, N_ALICE, N_BOB, bye)
    f.send(12510, N_BOB, N_ALICE, bye_ok)
    f.write(path)


@scenario("starts_mid_call.pcap")
def s_starts_mid_call(path):
    """The capture starts after the INVITE: the first frame is the 180.
    Then 200, ACK, and a BYE from Bob with its 200."""
    f = Flow()
    cid = "late-9f3c2b10@192.0.2.10"
    inv = _direct_invite(cid, cseq=7, branch="z9hG4bKm001")
    f.send(0, N_BOB, N_ALICE, response(inv, 180, "Ringing", "lt31",
                                       BOB_CONTACT))
    f.send(2000, N_BOB, N_ALICE,
           response(inv, 200, "OK", "lt31", BOB_CONTACT,
                    sdp("bob", "198.51.100.20", 30006, 1001)))
    to_t = N_TO + ";tag=lt31"
    f.send(2010, N_ALICE, N_BOB,
           request("ACK", "sip:bob@198.51.100.20:5060",
                   N_ALICE.via("z9hG4bKm002"), N_FROM, to_t, cid, 7))
    bye = request("BYE", "sip:alice@192.0.2.10:5060",
                  N_BOB.via("z9hG4bKm003"), to_t, N_FROM, cid, 900)
    f.send(9000, N_BOB, N_ALICE, bye)
    f.send(9010, N_ALICE, N_BOB, response(bye, 200, "OK"))
    f.write(path)


@scenario("rfc2543_no_cookie.pcap")
def s_rfc2543(path):
    """RFC 2543 user agents (no z9hG4bK cookie).  Call 1: Vias without
    any branch; the INVITE is retransmitted once; answered, ACK (same Via
    as the INVITE, as RFC 2543 did), BYE.  Call 2: `branch=1` on every
    Via (a non-unique branch); ringing, CANCEL, 200, 487, ACK."""
    f = Flow()
    a = Node("192.0.2.50")
    b = Node("198.51.100.60")
    frm = "Carol <sip:carol@chicago.example.com>;tag=73920"
    to = "Dan <sip:dan@denver.example.com>"
    cid = "9b4c5d2e-0a1f@192.0.2.50"
    via = "SIP/2.0/UDP 192.0.2.50:5060"
    inv = request("INVITE", "sip:dan@denver.example.com", via, frm, to, cid,
                  1, contact="<sip:carol@192.0.2.50>",
                  extra=[("User-Agent", "Cisco-SIPGateway/IOS-12.x")],
                  body=sdp("carol", "192.0.2.50", 20010, 7001, codecs=(0, 18)))
    f.send(0, a, b, inv)
    f.send(500, a, b, inv)
    f.send(510, b, a, response(inv, 100, "Trying"))
    contact = [("Contact", "<sip:dan@198.51.100.60>")]
    f.send(600, b, a, response(inv, 180, "Ringing", "2543dd", contact))
    f.send(4000, b, a, response(inv, 200, "OK", "2543dd", contact,
                                sdp("dan", "198.51.100.60", 20012, 8001,
                                    codecs=(0,))))
    to_t = to + ";tag=2543dd"
    f.send(4010, a, b, request("ACK", "sip:dan@198.51.100.60", via, frm,
                               to_t, cid, 1))
    bye = request("BYE", "sip:dan@198.51.100.60", via, frm, to_t, cid, 2)
    f.send(14000, a, b, bye)
    f.send(14010, b, a, response(bye, 200, "OK"))

    cid2 = "1c2d3e4f-5a6b@192.0.2.50"
    frm2 = "Carol <sip:carol@chicago.example.com>;tag=73921"
    via2 = "SIP/2.0/UDP 192.0.2.50:5060;branch=1"
    inv2 = request("INVITE", "sip:dan@denver.example.com", via2, frm2, to,
                   cid2, 1, contact="<sip:carol@192.0.2.50>",
                   extra=[("User-Agent", "Cisco-SIPGateway/IOS-12.x")],
                   body=sdp("carol", "192.0.2.50", 20014, 7002,
                            codecs=(0, 18)))
    f.send(20000, a, b, inv2)
    f.send(20010, b, a, response(inv2, 100, "Trying"))
    f.send(20100, b, a, response(inv2, 180, "Ringing", "2543ee", contact))
    c = cancel_for(inv2)
    f.send(26000, a, b, c)
    f.send(26010, b, a, response(c, 200, "OK", "2543ee"))
    r487 = response(inv2, 487, "Request Terminated", "2543ee")
    f.send(26011, b, a, r487)
    f.send(26020, a, b, ack_for(inv2, r487))
    f.write(path)


@scenario("register_expiry.pcap")
def s_register_expiry(path):
    """A registrar and three AORs.  carol: REGISTER, 401 challenge,
    REGISTER with credentials, 200 granting expires=60 (she asked 3600);
    the capture goes on past her expiry.  dave: registered (q=0.7) and
    refreshed.  erin: registered, then removed with `Contact: *` and
    `Expires: 0`.  At 90 s the registrar sends dave an OPTIONS ping, so
    the capture's clock passes carol's expiry (60.03 s)."""
    f = Flow()
    reg = Node("203.0.113.1", "sip.example.org")
    carol = Node("203.0.113.30")
    dave = Node("203.0.113.31")
    erin = Node("203.0.113.32")
    ua = ("User-Agent", "Linphone/5.2.5 (belle-sip/5.2.94)")

    def register(who, user, branch, tag, cid, cseq, contact, expires,
                 extra=()):
        aor = "<sip:%s@example.org>" % user
        return request("REGISTER", "sip:example.org", who.via(branch),
                       aor + ";tag=" + tag, aor, cid, cseq,
                       contact=contact,
                       extra=[("Expires", str(expires)), ua] + list(extra))

    cc = "<sip:carol@203.0.113.30:5060>"
    r1 = register(carol, "carol", "z9hG4bKc001", "c01", "reg-c@203.0.113.30",
                  1, cc, 3600)
    f.send(0, carol, reg, r1)
    f.send(5, reg, carol, response(r1, 401, "Unauthorized", "rg401",
                                   [("WWW-Authenticate",
                                     'Digest realm="example.org", '
                                     'nonce="5f2c8d7a1b0e", '
                                     'algorithm=MD5, qop="auth"')]))
    r2 = register(carol, "carol", "z9hG4bKc002", "c01", "reg-c@203.0.113.30",
                  2, cc, 3600,
                  [("Authorization",
                    'Digest username="carol", realm="example.org", '
                    'nonce="5f2c8d7a1b0e", uri="sip:example.org", '
                    'response="1d19580cd833064324a787ecc0ae8e53", '
                    'algorithm=MD5, cnonce="0a4f113b", qop=auth, '
                    'nc=00000001')])
    f.send(20, carol, reg, r2)
    f.send(30, reg, carol, response(r2, 200, "OK", "rg200",
                                    [("Contact", cc + ";expires=60")]))

    dc = "<sip:dave@203.0.113.31:5060>;q=0.7"
    d1 = register(dave, "dave", "z9hG4bKd101", "d01", "reg-d@203.0.113.31",
                  1, dc, 3600)
    f.send(1000, dave, reg, d1)
    f.send(1006, reg, dave, response(d1, 200, "OK", "rgd1",
                                     [("Contact", dc + ";expires=3600")]))

    ec = "<sip:erin@203.0.113.32:5060>"
    e1 = register(erin, "erin", "z9hG4bKe201", "e01", "reg-e@203.0.113.32",
                  1, ec, 3600)
    f.send(2000, erin, reg, e1)
    f.send(2007, reg, erin, response(e1, 200, "OK", "rge1",
                                     [("Contact", ec + ";expires=3600")]))

    d2 = register(dave, "dave", "z9hG4bKd102", "d01", "reg-d@203.0.113.31",
                  2, dc, 3600)
    f.send(30000, dave, reg, d2)
    f.send(30006, reg, dave, response(d2, 200, "OK", "rgd2",
                                      [("Contact", dc + ";expires=3600")]))

    e2 = register(erin, "erin", "z9hG4bKe202", "e01", "reg-e@203.0.113.32",
                  2, "*", 0)
    f.send(40000, erin, reg, e2)
    f.send(40007, reg, erin, response(e2, 200, "OK", "rge2"))

    opt = request("OPTIONS", "sip:dave@203.0.113.31:5060",
                  reg.via("z9hG4bKo301"),
                  "<sip:ping@example.org>;tag=op1",
                  "<sip:dave@203.0.113.31:5060>", "ping-1@203.0.113.1", 1)
    f.send(90000, reg, dave, opt)
    f.send(90008, dave, reg, response(opt, 200, "OK", "dv9",
                                      [("Allow", ALLOW)]))
    f.write(path)


def _answered(f, cid, t=0, tag="gl77", cseq=101, branch="z9hG4bKg001"):
    """INVITE, 100, 180, 200, ACK between Alice and Bob; returns the To
    with Bob's tag."""
    inv = _direct_invite(cid, cseq, branch,
                         sdp("alice", "192.0.2.10", 40010, 6000))
    f.send(t, N_ALICE, N_BOB, inv)
    f.send(t + 10, N_BOB, N_ALICE, response(inv, 100, "Trying"))
    f.send(t + 80, N_BOB, N_ALICE, response(inv, 180, "Ringing", tag,
                                            BOB_CONTACT))
    f.send(t + 1500, N_BOB, N_ALICE,
           response(inv, 200, "OK", tag, BOB_CONTACT + [("Allow", ALLOW)],
                    sdp("bob", "198.51.100.20", 30010, 6100)))
    to_t = N_TO + ";tag=" + tag
    f.send(t + 1510, N_ALICE, N_BOB,
           request("ACK", "sip:bob@198.51.100.20:5060",
                   N_ALICE.via(branch + "a"), N_FROM, to_t, cid, cseq))
    return to_t


@scenario("reinvite_glare_491.pcap")
def s_glare(path):
    """An answered call; 10 s later both sides send a re-INVITE at once
    (Alice to hold, Bob to change codec), each answers the other's with
    491 Request Pending and ACKs the 491 it got; Bob (who did not make the
    Call-ID) retries first, 1.2 s later: 200, ACK.  Alice hangs up."""
    f = Flow()
    cid = "glare-2d7e9a@192.0.2.10"
    to_t = _answered(f, cid)
    ra = request("INVITE", "sip:bob@198.51.100.20:5060",
                 N_ALICE.via("z9hG4bKg101"), N_FROM, to_t, cid, 102,
                 contact="<sip:alice@192.0.2.10:5060>",
                 body=sdp("alice", "192.0.2.10", 40010, 6000, 6001,
                          direction="sendonly"))
    rb = request("INVITE", "sip:alice@192.0.2.10:5060",
                 N_BOB.via("z9hG4bKg201"), to_t, N_FROM, cid, 7001,
                 contact="<sip:bob@198.51.100.20:5060>",
                 body=sdp("bob", "198.51.100.20", 30010, 6100, 6101,
                          codecs=(8,)))
    f.send(10000, N_ALICE, N_BOB, ra)
    f.send(10001, N_BOB, N_ALICE, rb)
    pa = response(ra, 491, "Request Pending")
    pb = response(rb, 491, "Request Pending")
    f.send(10020, N_BOB, N_ALICE, pa)
    f.send(10021, N_ALICE, N_BOB, pb)
    f.send(10030, N_ALICE, N_BOB, ack_for(ra, pa))
    f.send(10031, N_BOB, N_ALICE, ack_for(rb, pb))
    rb2 = request("INVITE", "sip:alice@192.0.2.10:5060",
                  N_BOB.via("z9hG4bKg202"), to_t, N_FROM, cid, 7002,
                  contact="<sip:bob@198.51.100.20:5060>",
                  body=sdp("bob", "198.51.100.20", 30010, 6100, 6101,
                           codecs=(8,)))
    f.send(11231, N_BOB, N_ALICE, rb2)
    f.send(11240, N_ALICE, N_BOB,
           response(rb2, 200, "OK", extra=[("Contact",
                                            "<sip:alice@192.0.2.10:5060>")],
                    body=sdp("alice", "192.0.2.10", 40010, 6000, 6002,
                             codecs=(8,))))
    f.send(11250, N_BOB, N_ALICE,
           request("ACK", "sip:alice@192.0.2.10:5060",
                   N_BOB.via("z9hG4bKg203"), to_t, N_FROM, cid, 7002))
    bye = request("BYE", "sip:bob@198.51.100.20:5060",
                  N_ALICE.via("z9hG4bKg102"), N_FROM, to_t, cid, 103)
    f.send(20000, N_ALICE, N_BOB, bye)
    f.send(20010, N_BOB, N_ALICE, response(bye, 200, "OK"))
    f.write(path)


@scenario("update_501.pcap")
def s_update_501(path):
    """An answered call in which Alice sends an UPDATE that Bob does not
    implement (501 with the Allow he does support); the call goes on and
    Bob hangs up 10 s later."""
    f = Flow()
    cid = "upd-61c0de@192.0.2.10"
    to_t = _answered(f, cid, tag="up42", branch="z9hG4bKu001")
    upd = request("UPDATE", "sip:bob@198.51.100.20:5060",
                  N_ALICE.via("z9hG4bKu101"), N_FROM, to_t, cid, 102,
                  contact="<sip:alice@192.0.2.10:5060>",
                  body=sdp("alice", "192.0.2.10", 40010, 6000, 6001,
                           codecs=(8,)))
    f.send(5000, N_ALICE, N_BOB, upd)
    f.send(5010, N_BOB, N_ALICE,
           response(upd, 501, "Not Implemented",
                    extra=[("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS")]))
    bye = request("BYE", "sip:alice@192.0.2.10:5060",
                  N_BOB.via("z9hG4bKu201"), to_t, N_FROM, cid, 4711)
    f.send(15000, N_BOB, N_ALICE, bye)
    f.send(15010, N_ALICE, N_BOB, response(bye, 200, "OK"))
    f.write(path)


@scenario("invite_timeout.pcap")
def s_invite_timeout(path):
    """An INVITE to a phone that is gone: sent on Timer A (0, 0.5, 1.5,
    3.5, 7.5, 15.5, 31.5 s), never answered.  At 40 s Alice's phone pings
    its proxy with OPTIONS (200), so the capture lasts past Timer B
    (64*T1 = 32 s after the INVITE)."""
    f = Flow()
    gone = Node("198.51.100.99")
    cid = "tmo-33aa1c@192.0.2.10"
    inv = request("INVITE", "sip:bob@198.51.100.99:5060",
                  N_ALICE.via("z9hG4bKt001"), N_FROM, N_TO, cid, 1,
                  contact="<sip:alice@192.0.2.10:5060>",
                  extra=[("Allow", ALLOW)],
                  body=sdp("alice", "192.0.2.10", 40020, 7100))
    for t in (0, 500, 1500, 3500, 7500, 15500, 31500):
        f.send(t, N_ALICE, gone, inv)
    opt = request("OPTIONS", "sip:198.51.100.1",
                  N_ALICE.via("z9hG4bKt101"),
                  '"Alice" <sip:alice@example.com>;tag=kp1',
                  "<sip:198.51.100.1>", "ka-77@192.0.2.10", 1)
    f.send(40000, N_ALICE, N_PROXY, opt)
    f.send(40005, N_PROXY, N_ALICE, response(opt, 200, "OK", "px1"))
    f.write(path)


# ---------------------------------------------------------------- main

if __name__ == "__main__":
    sys.exit(GEN.main(__doc__))
