#!/usr/bin/env python3
"""Builds every capture in tests/pcaps/ from the scenarios below.

    python3 tests/tools/make_test_pcaps.py [--out DIR] [NAME...]

Output is byte-for-byte deterministic: fixed timestamps, addresses, tags,
branches and sequence numbers.  Addresses come from the documentation
ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32).
tests/pcaps/README.md says what each capture holds.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from mkpcap import (  # noqa: E402
    Capture, Ether, SLL, SLL2, Raw, Null, PPPoE, TcpConn,
    udp_packet, gre, ipip, icmp_unreachable,
    sctp_data, sctp_packet, ws_frame, ws_upgrade_request, ws_upgrade_response,
    LINKTYPE_ETHERNET, LINKTYPE_RAW, LINKTYPE_LINUX_SLL,
)
from scenario import Generator  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "pcaps"))

T0 = 1700000000 * 10**9  # 2023-11-14 22:13:20 UTC
MS = 10**6

# ---------------------------------------------------------------- messages


class Msg:
    """A SIP message: start line, ordered headers, body.  Content-Length is
    appended when no header carries it."""

    def __init__(self, start, headers, body=""):
        self.start = start
        self.headers = list(headers)
        self.body = body

    def get(self, name):
        for n, v in self.headers:
            if n.lower() == name.lower():
                return v
        return None

    def all(self, name):
        return [(n, v) for n, v in self.headers if n.lower() == name.lower()]

    def bytes(self):
        body = self.body.replace("\r\n", "\n").replace("\n", "\r\n")
        bb = body.encode()
        lines = [self.start]
        has_cl = False
        for n, v in self.headers:
            if n.lower() in ("content-length", "l"):
                has_cl = True
                v = v.replace("{CL}", str(len(bb)))
            if n == "":  # a raw line (folding, garbage)
                lines.append(v)
            else:
                lines.append("%s: %s" % (n, v))
        if not has_cl:
            lines.append("Content-Length: %d" % len(bb))
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + bb

    def reply(self, code, reason, to_tag=None, headers=(), body=""):
        """A response: Via, Record-Route, From, To (+tag), Call-ID, CSeq
        copied from the request, then the extra headers."""
        h = list(self.all("Via")) + list(self.all("Record-Route"))
        h.append(("From", self.get("From")))
        to = self.get("To")
        if to_tag and ";tag=" not in to:
            to += ";tag=" + to_tag
        h.append(("To", to))
        h.append(("Call-ID", self.get("Call-ID")))
        h.append(("CSeq", self.get("CSeq")))
        h += list(headers)
        return Msg("SIP/2.0 %d %s" % (code, reason), h, body)


def sdp(user, ip, port, sess, ver=1, codecs=(0, 8, 101)):
    fam = "IP6" if ":" in ip else "IP4"
    names = {0: "PCMU/8000", 8: "PCMA/8000", 9: "G722/8000",
             101: "telephone-event/8000"}
    lines = ["v=0",
             "o=%s %d %d IN %s %s" % (user, sess, ver, fam, ip),
             "s=-",
             "c=IN %s %s" % (fam, ip),
             "t=0 0",
             "m=audio %d RTP/AVP %s" % (port, " ".join(str(c) for c in codecs))]
    for c in codecs:
        lines.append("a=rtpmap:%d %s" % (c, names[c]))
    lines += ["a=fmtp:101 0-16", "a=ptime:20", "a=sendrecv"]
    return "\n".join(lines) + "\n"


def hp(ip, port):
    return "[%s]:%d" % (ip, port) if ":" in ip else "%s:%d" % (ip, port)


class Call:
    """A two-party dialog between UA a and UA b, direct (no proxy)."""

    def __init__(self, a, b, call_id, ftag, ttag, transport="UDP",
                 a_user="alice", b_user="bob", ua_a="Linphone/5.2.0",
                 ua_b="Asterisk PBX 20.5.0", branch="z9hG4bK", cseq=101):
        self.a, self.b = a, b  # (ip, port)
        self.call_id = call_id
        self.ftag, self.ttag = ftag, ttag
        self.tp = transport
        self.a_user, self.b_user = a_user, b_user
        self.ua_a, self.ua_b = ua_a, ua_b
        self.branch = branch
        self.nbranch = 0
        self.cseq = cseq

    def _branch(self):
        self.nbranch += 1
        return "%s%s%02d" % (self.branch, self.ftag[:6], self.nbranch)

    def a_uri(self):
        return "sip:%s@%s" % (self.a_user, hp(*self.a))

    def b_uri(self):
        return "sip:%s@%s" % (self.b_user, hp(*self.b))

    def _tp_param(self):
        return "" if self.tp == "UDP" else ";transport=%s" % self.tp.lower()

    def request(self, method, cseq=None, body="", extra=(), in_dialog=False,
                branch=None, from_b=False):
        if cseq is None:
            cseq = self.cseq
        frm_ip, frm_port = self.b if from_b else self.a
        if from_b:
            ruri = "sip:%s@%s%s" % (self.a_user, hp(*self.a), self._tp_param())
            frm = "<sip:%s@example.net>;tag=%s" % (self.b_user, self.ttag)
            to = "\"Alice\" <sip:%s@example.com>;tag=%s" % (self.a_user,
                                                           self.ftag)
        else:
            ruri = ("sip:%s@%s%s" % (self.b_user, hp(*self.b), self._tp_param())
                    if in_dialog else "sip:%s@example.net" % self.b_user)
            frm = "\"Alice\" <sip:%s@example.com>;tag=%s" % (self.a_user,
                                                            self.ftag)
            to = "<sip:%s@example.net>" % self.b_user
            if in_dialog:
                to += ";tag=%s" % self.ttag
        h = [("Via", "SIP/2.0/%s %s;branch=%s;rport" % (
                self.tp, hp(frm_ip, frm_port), branch or self._branch())),
             ("Max-Forwards", "70"),
             ("From", frm), ("To", to),
             ("Call-ID", self.call_id),
             ("CSeq", "%d %s" % (cseq, method))]
        if method in ("INVITE", "SUBSCRIBE", "REFER"):
            h.append(("Contact", "<sip:%s@%s%s>" % (
                self.a_user, hp(frm_ip, frm_port), self._tp_param())))
        h.append(("User-Agent", self.ua_b if from_b else self.ua_a))
        if method == "INVITE":
            h.append(("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, "
                      "INFO, REFER, NOTIFY"))
        h += list(extra)
        if body:
            h.append(("Content-Type", "application/sdp"))
        return Msg("%s %s SIP/2.0" % (method, ruri), h, body)

    def ok_contact(self):
        return ("Contact", "<sip:%s@%s%s>" % (self.b_user, hp(*self.b),
                                              self._tp_param()))

    def basic(self, sdp_a, sdp_b):
        """INVITE 100 180 200 ACK BYE 200 as (from_a, Msg) pairs."""
        inv = self.request("INVITE", body=sdp_a)
        srv = ("Server", self.ua_b)
        r100 = inv.reply(100, "Trying", headers=[srv])
        r180 = inv.reply(180, "Ringing", self.ttag, [self.ok_contact(), srv])
        r200 = inv.reply(200, "OK", self.ttag,
                         [self.ok_contact(), srv,
                          ("Content-Type", "application/sdp")], sdp_b)
        ack = self.request("ACK", in_dialog=True)
        bye = self.request("BYE", cseq=self.cseq + 1, in_dialog=True)
        bye_ok = bye.reply(200, "OK", headers=[srv])
        return [(True, inv), (False, r100), (False, r180), (False, r200),
                (True, ack), (True, bye), (False, bye_ok)]


def send_udp(cap, a, b, msgs, gap=20 * MS, ident=0x4000, **kw):
    """Sends (from_a, Msg) pairs over UDP between endpoints a and b."""
    for i, (from_a, m) in enumerate(msgs):
        src, dst = (a, b) if from_a else (b, a)
        cap.add(udp_packet(src[0], src[1], dst[0], dst[1], m.bytes(),
                           ident=ident + i), **kw)
        cap.wait(gap)


# ---------------------------------------------------------------- scenarios

ALICE = ("192.0.2.10", 5060)
BOB = ("198.51.100.20", 5060)
PROXY = ("203.0.113.1", 5060)

# Captures where tshark is expected to flag something as malformed.
EXPECT_MALFORMED = {"malformed.pcap"}


def check(path):
    """Runs tshark over a capture with every checksum check on; returns a
    list of problems (bad checksums, malformed packets).  Needs tshark."""
    import subprocess
    out = subprocess.run(
        ["tshark", "-r", path, "-V",
         "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
         "-o", "udp.check_checksum:TRUE", "-o", "sctp.checksum:CRC-32C",
         "-o", "sip.desegment_headers:TRUE", "-o", "sip.desegment_body:TRUE"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        check=True).stdout
    problems = []
    for line in out.splitlines():
        t = line.strip()
        if "Status: Bad" in t or "status: Bad" in t:
            problems.append(t)
        elif "Malformed" in t and os.path.basename(path) not in \
                EXPECT_MALFORMED:
            problems.append(t)
    return problems


GEN = Generator(__file__, OUT, check=check, ordered=True, complete=True)
scenario = GEN.scenario


@scenario("udp_basic_call.pcap")
def s_udp_basic_call(path):
    c = Call(ALICE, BOB, "3848276298220188511@192.0.2.10", "9fxced76sl",
             "314159")
    cap = Capture(Ether(), t0_ns=T0)
    send_udp(cap, ALICE, BOB, c.basic(sdp("alice", ALICE[0], 49170, 2890844526),
                                      sdp("bob", BOB[0], 3456, 2890844527)))
    cap.write_pcap(path)


@scenario("tcp_coalesced.pcap")
def s_tcp_coalesced(path):
    a = ("192.0.2.10", 49152)
    c = Call(a, BOB, "f81d4fae-7dec-11d0-a765-00a0c91e6bf6@192.0.2.10",
             "887s2bb3", "a6c85cf", transport="TCP")
    msgs = c.basic(sdp("alice", a[0], 49172, 53655765),
                   sdp("bob", BOB[0], 3458, 20131))
    b = [m.bytes() for _, m in msgs]
    conn = TcpConn(a, BOB, isn_client=0x1A2B3C00, isn_server=0x5E6F7000)
    cap = Capture(Ether(), t0_ns=T0)
    cap.add(conn.handshake())
    cap.add(conn.send(True, b[0]))                   # INVITE
    cap.wait(30 * MS)
    cap.add(conn.send(False, b[1] + b[2]))           # 100 + 180 together
    cap.wait(2000 * MS)
    cap.add(conn.send(False, b[3]))                  # 200
    cap.add(conn.send(True, b[4] + b"\r\n\r\n"))     # ACK + keep-alive ping
    cap.add(conn.send(False, b"\r\n"))               # pong
    cap.wait(5000 * MS)
    cap.add(conn.send(True, b[5]))                   # BYE
    cap.add(conn.send(False, b[6]))                  # 200 to BYE
    # a second call on the same connection: INVITE, then 100 + 180 + 486
    # in one segment, then ACK
    c2 = Call(a, BOB, "b4a1c3f0-7dec-11d0-a765-00a0c91e6bf6@192.0.2.10",
              "9a8b7c6d", "d1e2f3", transport="TCP", cseq=1)
    inv2 = c2.request("INVITE", body=sdp("alice", a[0], 49174, 53655766))
    srv = ("Server", c2.ua_b)
    busy = inv2.reply(486, "Busy Here", c2.ttag, [srv])
    ack2 = Msg("ACK sip:bob@example.net SIP/2.0",
               [inv2.all("Via")[0], ("Max-Forwards", "70"),
                ("From", inv2.get("From")), ("To", busy.get("To")),
                ("Call-ID", c2.call_id), ("CSeq", "1 ACK")])
    cap.wait(1000 * MS)
    cap.add(conn.send(True, inv2.bytes()))
    cap.add(conn.send(False, inv2.reply(100, "Trying", headers=[srv]).bytes()
                      + inv2.reply(180, "Ringing", c2.ttag,
                                   [c2.ok_contact(), srv]).bytes()
                      + busy.bytes()))          # three in one segment
    cap.add(conn.send(True, ack2.bytes()))
    cap.add(conn.fin(True))
    cap.add(conn.fin(False))
    cap.add(conn.ack(True))
    cap.write_pcap(path)


def _cut_points(data, marks):
    """Offsets inside data: each mark is (needle, delta)."""
    out = []
    for needle, delta in marks:
        i = data.index(needle)
        out.append(i + delta)
    return out


@scenario("tcp_split.pcap")
def s_tcp_split(path):
    a = ("192.0.2.10", 49153)
    c = Call(a, BOB, "split-1f3a@192.0.2.10", "as8d7f6", "b0b5e1",
             transport="TCP")
    msgs = c.basic(sdp("alice", a[0], 49176, 1111), sdp("bob", BOB[0], 3460,
                                                        2222))
    conn = TcpConn(a, BOB, isn_client=4000000000, isn_server=123456)
    cap = Capture(Ether(), t0_ns=T0)
    cap.add(conn.handshake())
    for i, (from_a, m) in enumerate(msgs):
        b = m.bytes()
        if i == 0:
            # split inside the Call-ID header and inside the SDP body
            cuts = _cut_points(b, [(b"Call-ID:", 4), (b"m=audio", 3)])
            cap.add(conn.send(True, b, cuts), step_ns=200_000)
        elif i == 3:
            # the 200 OK: cut in the start line and right after the
            # blank line that ends the headers
            cuts = _cut_points(b, [(b"200 OK", 2), (b"\r\n\r\nv=0", 4)])
            cap.add(conn.send(False, b, cuts), step_ns=200_000)
        elif i == 4:
            # the ACK and the first 100 bytes of the BYE share a segment,
            # the rest of the BYE follows
            bye = msgs[5][1].bytes()
            cap.add(conn.send(True, b + bye, [len(b) + 100]),
                    step_ns=200_000)
        elif i == 5:
            continue
        else:
            cap.add(conn.send(from_a, b))
        cap.add(conn.ack(not from_a))
        cap.wait(20 * MS)
    cap.add(conn.fin(True))
    cap.add(conn.fin(False))
    cap.add(conn.ack(True))
    cap.write_pcap(path)


@scenario("tcp_out_of_order_retrans.pcap")
def s_tcp_ooo(path):
    a = ("192.0.2.10", 49154)
    c = Call(a, BOB, "ooo-77e1c2@192.0.2.10", "oo1tag", "oo2tag",
             transport="TCP")
    msgs = c.basic(sdp("alice", a[0], 49178, 3333), sdp("bob", BOB[0], 3462,
                                                        4444))
    b = [m.bytes() for _, m in msgs]
    conn = TcpConn(a, BOB, isn_client=0xFFFFFF00, isn_server=77)
    cap = Capture(Ether(), t0_ns=T0)
    cap.add(conn.handshake())
    # INVITE in three segments; the third arrives before the second
    # (the sequence numbers also wrap around 2^32 inside this message)
    segs = conn.send(True, b[0], [200, 600])
    cap.add([segs[0], segs[2], segs[1]])
    cap.add(conn.ack(False))
    # 100 Trying, then the same segment retransmitted whole
    s100 = conn.send(False, b[1])
    cap.add(s100)
    cap.wait(500 * MS)
    cap.add(s100)
    # 180 + 200 in two segments; the first is retransmitted with the first
    # 40 bytes of the second appended (overlapping retransmission)
    start = conn.seq[False]
    s180 = conn.send(False, b[2])
    s200 = conn.send(False, b[3])
    cap.add(s180 + s200)
    cap.wait(300 * MS)
    cap.add(conn.seg(False, start, b[2] + b[3][:40]))
    cap.add(conn.ack(True))
    # ACK; BYE whose second half arrives first, then everything again
    cap.add(conn.send(True, b[4]))
    bye = conn.send(True, b[5], [len(b[5]) // 2])
    cap.add([bye[1], bye[0]])
    cap.wait(500 * MS)
    cap.add(bye)
    cap.add(conn.send(False, b[6]))
    cap.add(conn.fin(True))
    cap.add(conn.fin(False))
    cap.add(conn.ack(True))
    cap.write_pcap(path)


@scenario("ws_call.pcap")
def s_ws_call(path):
    cl = ("192.0.2.50", 51000)
    srv = ("203.0.113.5", 8080)
    ws = "df7jal23ls0d.invalid"
    # RFC 7118 style: the browser's Via and Contact use a made-up host
    inv_body = sdp("webrtc", cl[0], 50000, 5566778899)
    inv = Msg("INVITE sip:bob@example.com SIP/2.0", [
        ("Via", "SIP/2.0/WS %s;branch=z9hG4bK56sdasks" % ws),
        ("Max-Forwards", "70"),
        ("From", "<sip:alice@example.com>;tag=asdyka899"),
        ("To", "<sip:bob@example.com>"),
        ("Call-ID", "asidkj3ss"),
        ("CSeq", "1 INVITE"),
        ("Contact", "<sip:alice@%s;transport=ws;ob>" % ws),
        ("Supported", "path, outbound, gruu"),
        ("User-Agent", "JsSIP 3.10.0"),
        ("Content-Type", "application/sdp")], inv_body)
    sv = ("Server", "Kamailio (5.7.2 (x86_64/linux))")
    contact = ("Contact", "<sip:bob@198.51.100.30:5060>")
    r100 = inv.reply(100, "Trying", headers=[sv])
    r180 = inv.reply(180, "Ringing", "bmqkjhsd", [contact, sv])
    r200 = inv.reply(200, "OK", "bmqkjhsd",
                     [contact, sv, ("Content-Type", "application/sdp")],
                     sdp("bob", "198.51.100.30", 20000, 1, 1))
    dlg_to = r200.get("To")

    def in_dialog(method, cseq, branch, from_client=True):
        if from_client:
            return Msg("%s sip:bob@198.51.100.30:5060 SIP/2.0" % method, [
                ("Via", "SIP/2.0/WS %s;branch=%s" % (ws, branch)),
                ("Max-Forwards", "70"),
                ("From", "<sip:alice@example.com>;tag=asdyka899"),
                ("To", dlg_to), ("Call-ID", "asidkj3ss"),
                ("CSeq", "%d %s" % (cseq, method)),
                ("User-Agent", "JsSIP 3.10.0")])
        return Msg("%s sip:alice@%s;transport=ws SIP/2.0" % (method, ws), [
            ("Via", "SIP/2.0/WS 203.0.113.5:8080;branch=%s" % branch),
            ("Max-Forwards", "69"),
            ("From", dlg_to), ("To", "<sip:alice@example.com>;tag=asdyka899"),
            ("Call-ID", "asidkj3ss"), ("CSeq", "%d %s" % (cseq, method))])

    ack = in_dialog("ACK", 1, "z9hG4bK8a8s7d6f")
    bye = in_dialog("BYE", 1, "z9hG4bKsrvbye1", from_client=False)
    bye_ok = bye.reply(200, "OK", headers=[("User-Agent", "JsSIP 3.10.0")])

    conn = TcpConn(cl, srv, isn_client=0x3000, isn_server=0x9000)
    cap = Capture(Ether(), t0_ns=T0)
    cap.add(conn.handshake())
    key = "dGhlIHNhbXBsZSBub25jZQ=="
    cap.add(conn.send(True, ws_upgrade_request("203.0.113.5:8080", "/ws", key,
                                               origin="https://example.com")))
    cap.add(conn.send(False, ws_upgrade_response(key)))
    masks = iter(bytes([0x37, 0xFA, 0x21, i]) for i in range(1, 100))
    # INVITE as one message in two WebSocket frames (text + continuation)
    ib = inv.bytes()
    cut = ib.index(b"\r\n\r\n") + 4
    cap.add(conn.send(True, ws_frame(ib[:cut], opcode=1, fin=False,
                                     mask=next(masks))))
    cap.add(conn.send(True, ws_frame(ib[cut:], opcode=0, fin=True,
                                     mask=next(masks))))
    cap.wait(20 * MS)
    cap.add(conn.send(False, ws_frame(r100.bytes())))
    cap.add(conn.send(False, ws_frame(r180.bytes())))
    cap.wait(3000 * MS)
    # 200 OK split over two TCP segments (inside one WebSocket frame)
    f200 = ws_frame(r200.bytes())
    cap.add(conn.send(False, f200, [len(f200) // 2]))
    # ACK, and a ping in the same segment
    cap.add(conn.send(True, ws_frame(ack.bytes(), mask=next(masks))
                      + ws_frame(b"", opcode=9, mask=next(masks))))
    cap.add(conn.send(False, ws_frame(b"", opcode=10)))
    cap.wait(8000 * MS)
    cap.add(conn.send(False, ws_frame(bye.bytes())))
    cap.add(conn.send(True, ws_frame(bye_ok.bytes(), mask=next(masks))))
    cap.add(conn.send(True, ws_frame(b"\x03\xe8", opcode=8, mask=next(masks))))
    cap.add(conn.send(False, ws_frame(b"\x03\xe8", opcode=8)))
    cap.add(conn.fin(False))
    cap.add(conn.fin(True))
    cap.add(conn.ack(False))
    cap.write_pcap(path)


@scenario("ipv6_call.pcap")
def s_ipv6_call(path):
    a = ("2001:db8::10", 5060)
    b = ("2001:db8:1::20", 5060)
    c = Call(a, b, "v6call-4a1f9e@2001:db8::10", "6a11ce", "6b0b")
    cap = Capture(Ether(), t0_ns=T0)
    send_udp(cap, a, b, c.basic(sdp("alice", a[0], 40000, 600),
                                sdp("bob", b[0], 42000, 700)))
    cap.write_pcap(path)


def big_invite(c, extra_lines=40):
    """An INVITE with many headers and a long SDP (4.2 KB with 40
    extra lines, 3 KB with 20)."""
    extra = [("Record-Route", "<sip:edge%02d.example.net;lr;ftag=%s>"
              % (i, c.ftag)) for i in range(4)]
    extra += [("X-Trace-%02d" % i, "hop=%02d;node=sbc-%02d.example.net;"
               "ts=1700000000.%06d" % (i, i, i * 1111)) for i in range(
                   extra_lines)]
    extra.append(("Supported", "replaces, timer, 100rel"))
    body = sdp("alice", c.a[0], 30000, 42, codecs=(0, 8, 9, 101))
    body += "".join("a=candidate:%d 1 UDP %d %s %d typ host\n"
                    % (i, 2130706431 - i, c.a[0], 30000 + 2 * i)
                    for i in range(12))
    return c.request("INVITE", body=body, extra=extra)


@scenario("ipv4_frag.pcap")
def s_ipv4_frag(path):
    c = Call(ALICE, BOB, "frag4-0a1b2c@192.0.2.10", "fr4tag", "fr4to")
    inv = big_invite(c)
    srv = ("Server", c.ua_b)
    r100 = inv.reply(100, "Trying", headers=[srv])
    r200 = inv.reply(200, "OK", c.ttag, [c.ok_contact(), srv,
                                         ("Content-Type", "application/sdp")],
                     sdp("bob", BOB[0], 3470, 9))
    ack = c.request("ACK", in_dialog=True)
    cap = Capture(Ether(), t0_ns=T0)
    pl = inv.bytes()
    assert len(pl) > 2 * 1480, len(pl)
    # three fragments, the last one first
    cap.add(udp_packet(ALICE[0], 5060, BOB[0], 5060, pl, ident=0x2a2a,
                       frag=[1480, 1480], order=[2, 0, 1]), step_ns=50_000)
    cap.wait(10 * MS)
    cap.add(udp_packet(BOB[0], 5060, ALICE[0], 5060, r100.bytes(),
                       ident=0x0101))
    cap.add(udp_packet(BOB[0], 5060, ALICE[0], 5060, r200.bytes(),
                       ident=0x0102, frag=[504]))    # two, in order
    cap.add(udp_packet(ALICE[0], 5060, BOB[0], 5060, ack.bytes(),
                       ident=0x2a2b))
    cap.write_pcap(path)


@scenario("ipv6_frag.pcap")
def s_ipv6_frag(path):
    a = ("2001:db8::10", 5062)
    b = ("2001:db8:1::20", 5060)
    c = Call(a, b, "frag6-9f8e7d@2001:db8::10", "fr6tag", "fr6to")
    inv = big_invite(c, 20)
    srv = ("Server", c.ua_b)
    r180 = inv.reply(180, "Ringing", c.ttag, [c.ok_contact(), srv])
    r200 = inv.reply(200, "OK", c.ttag, [c.ok_contact(), srv,
                                         ("Content-Type", "application/sdp")],
                     sdp("bob", b[0], 3470, 9))
    cap = Capture(Ether(), t0_ns=T0)
    pl = inv.bytes()
    # three fragments of at most 1232 data bytes, a hop-by-hop header in
    # the unfragmentable part, second fragment first
    assert 2 * 1232 < len(pl) + 8 < 3 * 1232, len(pl)
    frags = udp_packet(a[0], a[1], b[0], b[1], pl, ident=0x6000,
                       frag=[1232, 1232], ext=("hop",))
    cap.add([frags[i] for i in (1, 0, 2)], step_ns=40_000)
    cap.wait(10 * MS)
    cap.add(udp_packet(b[0], b[1], a[0], a[1], r180.bytes()))
    # 200 with a destination options header, unfragmented
    cap.add(udp_packet(b[0], b[1], a[0], a[1], r200.bytes(), ext=("dst",)))
    cap.write_pcap(path)


@scenario("vlan_qinq.pcap")
def s_vlan_qinq(path):
    cap = Capture(Ether(vlans=[100]), t0_ns=T0)
    opt = Msg("OPTIONS sip:198.51.100.20:5060 SIP/2.0", [
        ("Via", "SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKvlan0001"),
        ("Max-Forwards", "70"),
        ("From", "<sip:ping@192.0.2.10>;tag=vl100"),
        ("To", "<sip:198.51.100.20:5060>"),
        ("Call-ID", "vlan100-ping-1@192.0.2.10"),
        ("CSeq", "1 OPTIONS"),
        ("Accept", "application/sdp")])
    ok = opt.reply(200, "OK", "srv100", [("Allow", "INVITE, ACK, BYE, CANCEL,"
                                          " OPTIONS")])
    send_udp(cap, ALICE, BOB, [(True, opt), (False, ok)])
    # QinQ: outer S-tag 200 (802.1ad), inner C-tag 300
    qq = Ether(vlans=[200, 300], qinq=True)
    a = ("192.0.2.77", 5060)
    reg = Msg("REGISTER sip:example.net SIP/2.0", [
        ("Via", "SIP/2.0/UDP 192.0.2.77:5060;branch=z9hG4bKqinq0001"),
        ("Max-Forwards", "70"),
        ("From", "<sip:carol@example.net>;tag=qq1"),
        ("To", "<sip:carol@example.net>"),
        ("Call-ID", "qinq-reg-1@192.0.2.77"),
        ("CSeq", "7 REGISTER"),
        ("Contact", "<sip:carol@192.0.2.77:5060>;expires=600"),
        ("User-Agent", "Yealink SIP-T46U 108.86.0.20")])
    rok = reg.reply(200, "OK", "regsrv", [
        ("Contact", "<sip:carol@192.0.2.77:5060>;expires=600")])
    send_udp(cap, a, PROXY, [(True, reg), (False, rok)], link=qq)
    # double 802.1Q (0x8100 twice), as some switches tag
    cap.add(udp_packet(ALICE[0], 5060, BOB[0], 5060,
                       opt.bytes().replace(b"z9hG4bKvlan0001",
                                           b"z9hG4bKvlan0002")
                       .replace(b"1 OPTIONS", b"2 OPTIONS")),
            link=Ether(vlans=[10, 20]))
    cap.write_pcap(path)


def sub_notify(a, b):
    sub = Msg("SUBSCRIBE sip:bob@example.net SIP/2.0", [
        ("Via", "SIP/2.0/UDP %s;branch=z9hG4bKsub001" % hp(*a)),
        ("Max-Forwards", "70"),
        ("From", "<sip:alice@example.com>;tag=sb1"),
        ("To", "<sip:bob@example.net>"),
        ("Call-ID", "sub-dialog-1@%s" % a[0]),
        ("CSeq", "1 SUBSCRIBE"),
        ("Contact", "<sip:alice@%s>" % hp(*a)),
        ("Event", "presence"), ("Expires", "3600"),
        ("Accept", "application/pidf+xml")])
    ok = sub.reply(200, "OK", "nt9", [("Expires", "3600"),
                                       ("Contact", "<sip:bob@%s>" % hp(*b))])
    pidf = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<presence xmlns="urn:ietf:params:xml:ns:pidf" '
            'entity="sip:bob@example.net">\n'
            '<tuple id="t1"><status><basic>open</basic></status></tuple>\n'
            '</presence>\n')
    notify = Msg("NOTIFY sip:alice@%s SIP/2.0" % hp(*a), [
        ("Via", "SIP/2.0/UDP %s;branch=z9hG4bKnot001" % hp(*b)),
        ("Max-Forwards", "70"),
        ("From", "<sip:bob@example.net>;tag=nt9"),
        ("To", "<sip:alice@example.com>;tag=sb1"),
        ("Call-ID", "sub-dialog-1@%s" % a[0]),
        ("CSeq", "1 NOTIFY"),
        ("Contact", "<sip:bob@%s>" % hp(*b)),
        ("Event", "presence"),
        ("Subscription-State", "active;expires=3599"),
        ("Content-Type", "application/pidf+xml")], pidf)
    nok = notify.reply(200, "OK")
    return [(True, sub), (False, ok), (False, notify), (True, nok)]


@scenario("sll_any.pcap")
def s_sll(path):
    a = ("192.0.2.10", 5060)
    b = ("198.51.100.20", 5060)
    cap = Capture(SLL(local=[a[0]]), t0_ns=T0)
    send_udp(cap, a, b, sub_notify(a, b))
    cap.write_pcap(path)


@scenario("sll2_any.pcap")
def s_sll2(path):
    a = ("192.0.2.10", 5060)
    b = ("2001:db8:1::20", 5060)
    cap = Capture(SLL2(local=[a[0]]), t0_ns=T0)
    msg = Msg("MESSAGE sip:bob@example.net SIP/2.0", [
        ("Via", "SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKmsg001"),
        ("Max-Forwards", "70"),
        ("From", "<sip:alice@example.com>;tag=m1"),
        ("To", "<sip:bob@example.net>"),
        ("Call-ID", "page-mode-1@192.0.2.10"),
        ("CSeq", "1 MESSAGE"),
        ("Content-Type", "text/plain")], "Watson, come here.")
    ok = msg.reply(202, "Accepted", "m2")
    send_udp(cap, a, BOB, [(True, msg), (False, ok)])
    # IPv6 in SLL2
    a6 = ("2001:db8::10", 5060)
    opt = Msg("OPTIONS sip:[2001:db8:1::20]:5060 SIP/2.0", [
        ("Via", "SIP/2.0/UDP [2001:db8::10]:5060;branch=z9hG4bKopt6sll2"),
        ("Max-Forwards", "70"),
        ("From", "<sip:ka@[2001:db8::10]>;tag=o6"),
        ("To", "<sip:[2001:db8:1::20]:5060>"),
        ("Call-ID", "sll2-opt6@2001:db8::10"),
        ("CSeq", "1 OPTIONS")])
    send_udp(cap, a6, b, [(True, opt), (False, opt.reply(200, "OK", "o6s"))])
    cap.write_pcap(path)


@scenario("pcapng_ns.pcapng")
def s_pcapng_ns(path):
    c = Call(ALICE, BOB, "ns-call-8c2d@192.0.2.10", "nsA1", "nsB2")
    cap = Capture(Ether(), t0_ns=T0 + 123456789)
    msgs = c.basic(sdp("alice", ALICE[0], 49180, 10), sdp("bob", BOB[0], 3480,
                                                          11))
    for i, (from_a, m) in enumerate(msgs):
        src, dst = (ALICE, BOB) if from_a else (BOB, ALICE)
        cap.add(udp_packet(src[0], src[1], dst[0], dst[1], m.bytes(),
                           ident=0x500 + i))
        cap.wait(1_000_001 + i * 7)   # odd nanoseconds
    cap.write_pcapng(path, interfaces=[(LINKTYPE_ETHERNET, 9, "eth0")])


@scenario("pcapng_mixed_linktypes.pcapng")
def s_pcapng_mixed(path):
    # A proxy's view: leg A on an Ethernet interface (microseconds), leg B
    # on a raw-IP tunnel interface (nanoseconds), and a registration seen
    # on an "any" (Linux SLL) interface, interleaved in time.
    eth, raw, sll = Ether(), Raw(), SLL(local=[PROXY[0]])
    a, b = ALICE, ("198.51.100.40", 5060)
    leg_a = Call(a, PROXY, "mixed-legA-1@192.0.2.10", "mxA", "mxP")
    leg_b = Call(PROXY, b, "mixed-legB-1@203.0.113.1", "mxP2", "mxB",
                 ua_a="Kamailio (5.7.2)")
    ia = leg_a.request("INVITE", body=sdp("alice", a[0], 4000, 1))
    ib = leg_b.request("INVITE", body=sdp("alice", a[0], 4000, 1))
    reg = Msg("REGISTER sip:example.net SIP/2.0", [
        ("Via", "SIP/2.0/UDP 192.0.2.99:5060;branch=z9hG4bKmxreg"),
        ("Max-Forwards", "70"),
        ("From", "<sip:dave@example.net>;tag=rg1"),
        ("To", "<sip:dave@example.net>"),
        ("Call-ID", "mixed-reg-1@192.0.2.99"),
        ("CSeq", "3 REGISTER"),
        ("Contact", "<sip:dave@192.0.2.99:5060>"), ("Expires", "300")])
    d = ("192.0.2.99", 5060)

    def u(src, dst, m):
        return udp_packet(src[0], src[1], dst[0], dst[1], m.bytes())

    cap = Capture(t0_ns=T0)
    seq = [
        (eth, 0, u(a, PROXY, ia)),
        (eth, 0, u(PROXY, a, ia.reply(100, "Trying"))),
        (raw, 1, u(PROXY, b, ib)),
        (sll, 2, u(d, PROXY, reg)),
        (raw, 1, u(b, PROXY, ib.reply(180, "Ringing", "mxB"))),
        (sll, 2, u(PROXY, d, reg.reply(200, "OK", "rg2", [
            ("Contact", "<sip:dave@192.0.2.99:5060>;expires=300")]))),
        (eth, 0, u(PROXY, a, ia.reply(180, "Ringing", "mxP"))),
        (raw, 1, u(b, PROXY, ib.reply(486, "Busy Here", "mxB"))),
        (eth, 0, u(PROXY, a, ia.reply(486, "Busy Here", "mxP"))),
    ]
    for i, (link, itf, pkts) in enumerate(seq):
        cap.add(pkts, link=link, iface=itf, ts_ns=T0 + i * 15 * MS + i * 333)
    cap.write_pcapng(path, interfaces=[(LINKTYPE_ETHERNET, 6, "eth0"),
                                       (LINKTYPE_RAW, 9, "tun0"),
                                       (LINKTYPE_LINUX_SLL, None, "any")])


@scenario("register_digest.pcap")
def s_register_digest(path):
    ua = ("192.0.2.33", 5060)
    reg_hdrs = [
        ("Max-Forwards", "70"),
        ("From", "\"Erin\" <sip:erin@example.net>;tag=4f1b3c2a"),
        ("To", "\"Erin\" <sip:erin@example.net>"),
        ("Call-ID", "NmYxMzU5YjQ2ZGRkZjI0MzY4Nzk3NmEy"),
    ]
    contact = ("Contact", "<sip:erin@192.0.2.33:5060;ob>;"
               "+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-0050b6a1d2c3>\"")

    def register(cseq, branch, auth=None):
        h = [("Via", "SIP/2.0/UDP 192.0.2.33:5060;rport;branch=%s" % branch)]
        h += reg_hdrs + [("CSeq", "%d REGISTER" % cseq), contact,
                         ("Expires", "3600"),
                         ("User-Agent", "MicroSIP/3.21.3")]
        if auth:
            h.append(("Authorization", auth))
        h.append(("Allow", "PRACK, INVITE, ACK, BYE, CANCEL, UPDATE, INFO, "
                  "SUBSCRIBE, NOTIFY, REFER, MESSAGE, OPTIONS"))
        return Msg("REGISTER sip:example.net SIP/2.0", h)

    r1 = register(1, "z9hG4bKPj3fe1d6a0")
    c401 = r1.reply(401, "Unauthorized", "as5e1f0a7b", [
        ("WWW-Authenticate", 'Digest realm="example.net", '
         'nonce="ZWSC8GVkgbxhYt1d7cQwMT9KPJ3v", opaque="5ccc069c403ebaf9", '
         'algorithm=MD5, qop="auth"'),
        ("Server", "FPBX-16.0.40(18.20.0)")])
    r2 = register(2, "z9hG4bKPj8e2c44b1", auth=(
        'Digest username="erin", realm="example.net", '
        'nonce="ZWSC8GVkgbxhYt1d7cQwMT9KPJ3v", uri="sip:example.net", '
        'response="6629fae49393a05397450978507c4ef1", algorithm=MD5, '
        'cnonce="0a4f113b", opaque="5ccc069c403ebaf9", qop=auth, '
        'nc=00000001'))
    ok = r2.reply(200, "OK", "as5e1f0a7b", [
        ("Contact", "<sip:erin@192.0.2.33:5060;ob>;expires=3600"),
        ("Date", "Tue, 14 Nov 2023 22:13:20 GMT"),
        ("Server", "FPBX-16.0.40(18.20.0)")])
    cap = Capture(Ether(), t0_ns=T0)
    send_udp(cap, ua, PROXY, [(True, r1), (False, c401), (True, r2),
                              (False, ok)])
    cap.write_pcap(path)


@scenario("cancel_flow.pcap")
def s_cancel(path):
    c = Call(ALICE, BOB, "cancel-5f1e2d3c@192.0.2.10", "cn1a", "cn2b",
             cseq=20)
    inv = c.request("INVITE", body=sdp("alice", ALICE[0], 49190, 30))
    branch = inv.get("Via").split("branch=")[1].split(";")[0]
    srv = ("Server", c.ua_b)
    r100 = inv.reply(100, "Trying", headers=[srv])
    r180 = inv.reply(180, "Ringing", c.ttag, [c.ok_contact(), srv])
    cancel = Msg("CANCEL sip:bob@example.net SIP/2.0", [
        ("Via", inv.get("Via")), ("Max-Forwards", "70"),
        ("From", inv.get("From")), ("To", inv.get("To")),
        ("Call-ID", c.call_id), ("CSeq", "20 CANCEL"),
        ("User-Agent", c.ua_a)])
    cok = cancel.reply(200, "OK", c.ttag, [srv])
    r487 = inv.reply(487, "Request Terminated", c.ttag, [srv])
    ack = Msg("ACK sip:bob@example.net SIP/2.0", [
        ("Via", "SIP/2.0/UDP 192.0.2.10:5060;branch=%s;rport" % branch),
        ("Max-Forwards", "70"), ("From", inv.get("From")),
        ("To", r487.get("To")), ("Call-ID", c.call_id),
        ("CSeq", "20 ACK")])
    cap = Capture(Ether(), t0_ns=T0)
    send_udp(cap, ALICE, BOB, [(True, inv), (False, r100), (False, r180),
                               (True, cancel), (False, cok), (False, r487),
                               (True, ack)], gap=700 * MS)
    cap.write_pcap(path)


@scenario("forking.pcap")
def s_forking(path):
    a = ("192.0.2.10", 5060)
    p = PROXY
    b1 = ("198.51.100.21", 5060)
    b2 = ("198.51.100.22", 5060)
    cid = "fork-7d2c91e0@192.0.2.10"
    frm = "\"Alice\" <sip:alice@example.com>;tag=fk9a1"
    to = "<sip:bob@example.net>"
    va = "SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKfkA001;rport"
    body = sdp("alice", a[0], 49200, 50)
    inv = Msg("INVITE sip:bob@example.net SIP/2.0", [
        ("Via", va), ("Max-Forwards", "70"), ("From", frm), ("To", to),
        ("Call-ID", cid), ("CSeq", "1 INVITE"),
        ("Contact", "<sip:alice@192.0.2.10:5060>"),
        ("User-Agent", "Zoiper rv2.10.19.6"),
        ("Content-Type", "application/sdp")], body)

    def fwd(target, n):
        return Msg("INVITE sip:bob@%s SIP/2.0" % hp(*target), [
            ("Record-Route", "<sip:203.0.113.1;lr>"),
            ("Via", "SIP/2.0/UDP 203.0.113.1:5060;branch=z9hG4bKfkP00%d" % n),
            ("Via", va + ";received=192.0.2.10"),
            ("Max-Forwards", "69"), ("From", frm), ("To", to),
            ("Call-ID", cid), ("CSeq", "1 INVITE"),
            ("Contact", "<sip:alice@192.0.2.10:5060>"),
            ("User-Agent", "Zoiper rv2.10.19.6"),
            ("Content-Type", "application/sdp")], body)

    i1, i2 = fwd(b1, 1), fwd(b2, 2)
    tried = Msg("SIP/2.0 100 Trying", [
        ("Via", va + ";received=192.0.2.10"), ("From", frm), ("To", to),
        ("Call-ID", cid), ("CSeq", "1 INVITE"),
        ("Server", "Kamailio (5.7.2)")])

    def upstream(r):
        """The proxy strips its own Via."""
        h = [x for x in r.headers if not (x[0] == "Via" and
                                          "203.0.113.1" in x[1])]
        return Msg(r.start, h, r.body)

    c1 = ("Contact", "<sip:bob@198.51.100.21:5060>")
    c2 = ("Contact", "<sip:bob@198.51.100.22:5060>")
    r180a = i1.reply(180, "Ringing", "b1tag77", [c1])
    r180b = i2.reply(180, "Ringing", "b2tag88", [c2])
    r200b = i2.reply(200, "OK", "b2tag88",
                     [c2, ("Content-Type", "application/sdp")],
                     sdp("bob", b2[0], 3500, 60))
    cancel1 = Msg("CANCEL sip:bob@198.51.100.21:5060 SIP/2.0", [
        ("Via", "SIP/2.0/UDP 203.0.113.1:5060;branch=z9hG4bKfkP001"),
        ("Max-Forwards", "70"), ("From", frm), ("To", to),
        ("Call-ID", cid), ("CSeq", "1 CANCEL")])
    cancel_ok = cancel1.reply(200, "OK", "b1tag77")
    r487 = i1.reply(487, "Request Terminated", "b1tag77")
    ack487 = Msg("ACK sip:bob@198.51.100.21:5060 SIP/2.0", [
        ("Via", "SIP/2.0/UDP 203.0.113.1:5060;branch=z9hG4bKfkP001"),
        ("Max-Forwards", "70"), ("From", frm), ("To", r487.get("To")),
        ("Call-ID", cid), ("CSeq", "1 ACK")])
    ack_a = Msg("ACK sip:bob@198.51.100.22:5060 SIP/2.0", [
        ("Via", "SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKfkA002;rport"),
        ("Route", "<sip:203.0.113.1;lr>"),
        ("Max-Forwards", "70"), ("From", frm), ("To", r200b.get("To")),
        ("Call-ID", cid), ("CSeq", "1 ACK")])
    ack_p = Msg("ACK sip:bob@198.51.100.22:5060 SIP/2.0", [
        ("Via", "SIP/2.0/UDP 203.0.113.1:5060;branch=z9hG4bKfkP003"),
        ("Via", "SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKfkA002;rport="
         "5060;received=192.0.2.10"),
        ("Max-Forwards", "69"), ("From", frm), ("To", r200b.get("To")),
        ("Call-ID", cid), ("CSeq", "1 ACK")])

    def u(src, dst, m, ident):
        return udp_packet(src[0], src[1], dst[0], dst[1], m.bytes(),
                          ident=ident)

    flow = [(a, p, inv), (p, a, tried), (p, b1, i1), (p, b2, i2),
            (b1, p, r180a), (p, a, upstream(r180a)),
            (b2, p, r180b), (p, a, upstream(r180b)),
            (b2, p, r200b), (p, a, upstream(r200b)),
            (p, b1, cancel1), (b1, p, cancel_ok), (b1, p, r487),
            (p, b1, ack487), (a, p, ack_a), (p, b2, ack_p)]
    cap = Capture(Ether(), t0_ns=T0)
    for i, (s, d, m) in enumerate(flow):
        cap.add(u(s, d, m, 0x700 + i))
        cap.wait(40 * MS)
    cap.write_pcap(path)


@scenario("compact_headers.pcap")
def s_compact(path):
    body = sdp("alice", ALICE[0], 49210, 70)
    inv = Msg("INVITE sip:bob@example.net SIP/2.0", [
        ("v", "SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKcmp001"),
        ("Max-Forwards", "70"),
        ("f", "\"Alice\" <sip:alice@example.com>;tag=cp1"),
        ("t", "<sip:bob@example.net>"),
        ("i", "compact-3e4f5a@192.0.2.10"),
        ("CSeq", "1 INVITE"),
        ("m", "<sip:alice@192.0.2.10:5060>"),
        ("k", "timer, replaces"),
        ("s", "A subject line that is long enough"),
        ("", "  to be folded onto a second line"),
        ("Allow", "INVITE, ACK,"),
        ("", "\tCANCEL, BYE"),
        ("c", "application/sdp"),
        ("l", "{CL}")], body)
    r200 = Msg("SIP/2.0 200 OK", [
        ("v", "SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKcmp001"),
        ("f", "\"Alice\" <sip:alice@example.com>;tag=cp1"),
        ("t", "<sip:bob@example.net>;tag=cp2"),
        ("i", "compact-3e4f5a@192.0.2.10"),
        ("CSeq", "1 INVITE"),
        ("m", "<sip:bob@198.51.100.20>"),
        ("c", "application/sdp"),
        ("l", "{CL}")], sdp("bob", BOB[0], 3510, 71))
    # ack: folded Via and CSeq with extra whitespace; header names in
    # odd case
    ack = Msg("ACK sip:bob@198.51.100.20 SIP/2.0", [
        ("VIA", "SIP/2.0/UDP 192.0.2.10:5060"),
        ("", " ;branch=z9hG4bKcmp002"),
        ("max-forwards", "70"),
        ("f", "<sip:alice@example.com>;tag=cp1"),
        ("T", "<sip:bob@example.net>;tag=cp2"),
        ("call-id", "compact-3e4f5a@192.0.2.10"),
        ("cseq", "1   ACK"),
        ("L", "0")])
    cap = Capture(Ether(), t0_ns=T0)
    send_udp(cap, ALICE, BOB, [(True, inv), (False, r200), (True, ack)])
    cap.write_pcap(path)


@scenario("malformed.pcap")
def s_malformed(path):
    base = [("Max-Forwards", "70"),
            ("From", "<sip:mal@192.0.2.10>;tag=ml%d"),
            ("To", "<sip:bob@198.51.100.20>"),
            ("Call-ID", "malformed-%d@192.0.2.10")]

    def opt(n, drop=(), extra=(), cseq=None, start=None):
        h = [("Via", "SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKml%03d" % n)]
        for k, v in base:
            if k in drop:
                continue
            h.append((k, v % n if "%d" in v else v))
        h.append(("CSeq", cseq or "%d OPTIONS" % n))
        h += list(extra)
        return Msg(start or "OPTIONS sip:bob@198.51.100.20 SIP/2.0", h)

    good1 = opt(1)
    # Content-Length says 500, the body has 20 bytes
    bad_cl = opt(2, extra=[("Content-Type", "text/plain"),
                           ("Content-Length", "500")])
    bad_cl.body = "short body, 21 bytes"
    # no Call-ID at all
    no_cid = opt(3, drop=("Call-ID",))
    # a start line that is not SIP, then headers
    garbage = opt(4, start="HELLO sip:bob SIP/2.0x garbage \x01\x02")
    # binary noise on the SIP port
    noise = bytes((i * 37 + 11) & 0xFF for i in range(64))
    # CSeq without a number; Content-Length not a number
    bad_cseq = opt(5, cseq="abc OPTIONS")
    bad_cl2 = opt(6, extra=[("Content-Length", "twelve")])
    good2 = opt(7)
    cap = Capture(Ether(), t0_ns=T0)
    for i, m in enumerate([good1, bad_cl, no_cid, garbage, noise, bad_cseq,
                           bad_cl2, good2]):
        data = m if isinstance(m, bytes) else m.bytes()
        cap.add(udp_packet(ALICE[0], 5060, BOB[0], 5060, data,
                           ident=0x900 + i))
    r = good2.reply(200, "OK", "mlok")
    cap.add(udp_packet(BOB[0], 5060, ALICE[0], 5060, r.bytes(), ident=0x9ff))
    cap.write_pcap(path)


@scenario("non_default_port.pcap")
def s_non_default(path):
    a = ("192.0.2.10", 5080)
    b = ("198.51.100.20", 5080)
    c = Call(a, b, "port5080-1@192.0.2.10", "p5a", "p5b")
    cap = Capture(Ether(), t0_ns=T0)
    msgs = c.basic(sdp("alice", a[0], 49220, 80), sdp("bob", b[0], 3520, 81))
    send_udp(cap, a, b, msgs[:4] + msgs[4:5])
    # REGISTER over TCP to port 15060
    ta = ("192.0.2.10", 40123)
    tb = ("198.51.100.20", 15060)
    reg = Msg("REGISTER sip:example.net SIP/2.0", [
        ("Via", "SIP/2.0/TCP 192.0.2.10:40123;branch=z9hG4bKnd15060"),
        ("Max-Forwards", "70"),
        ("From", "<sip:frank@example.net>;tag=nd1"),
        ("To", "<sip:frank@example.net>"),
        ("Call-ID", "port15060-reg@192.0.2.10"),
        ("CSeq", "1 REGISTER"),
        ("Contact", "<sip:frank@192.0.2.10:40123;transport=tcp>"),
        ("Expires", "120")])
    ok = reg.reply(200, "OK", "nd2", [
        ("Contact", "<sip:frank@192.0.2.10:40123;transport=tcp>;expires=120")])
    conn = TcpConn(ta, tb, isn_client=900, isn_server=1900)
    cap.add(conn.handshake())
    cap.add(conn.send(True, reg.bytes()))
    cap.add(conn.send(False, ok.bytes()))
    cap.add(conn.fin(True))
    cap.add(conn.fin(False))
    cap.add(conn.ack(True))
    cap.write_pcap(path)


@scenario("gre_tunnel.pcap")
def s_gre(path):
    # SIP between two sites, captured on the WAN link inside GRE, one
    # direction with a GRE key
    c = Call(ALICE, BOB, "gre-call-1@192.0.2.10", "gr1", "gr2")
    msgs = c.basic(sdp("alice", ALICE[0], 49230, 90),
                   sdp("bob", BOB[0], 3530, 91))[:5]
    o1, o2 = "10.255.0.1", "10.255.0.2"
    cap = Capture(Ether(), t0_ns=T0)
    for i, (from_a, m) in enumerate(msgs):
        src, dst = (ALICE, BOB) if from_a else (BOB, ALICE)
        inner = udp_packet(src[0], src[1], dst[0], dst[1], m.bytes(),
                           ident=0x300 + i)[0]
        if from_a:
            outer = gre(inner, o1, o2, ident=0xA00 + i)
        else:
            outer = gre(inner, o2, o1, ident=0xB00 + i, key=42)
        cap.add(outer)
        cap.wait(30 * MS)
    cap.write_pcap(path)


@scenario("ipip_tunnel.pcap")
def s_ipip(path):
    a6 = ("2001:db8::10", 5060)
    b6 = ("2001:db8:1::20", 5060)
    opt = Msg("OPTIONS sip:198.51.100.20 SIP/2.0", [
        ("Via", "SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKipip01"),
        ("Max-Forwards", "70"),
        ("From", "<sip:ka@192.0.2.10>;tag=ip1"),
        ("To", "<sip:198.51.100.20>"),
        ("Call-ID", "ipip-opt-1@192.0.2.10"),
        ("CSeq", "1 OPTIONS")])
    opt6 = Msg("OPTIONS sip:[2001:db8:1::20] SIP/2.0", [
        ("Via", "SIP/2.0/UDP [2001:db8::10]:5060;branch=z9hG4bK6in4a"),
        ("Max-Forwards", "70"),
        ("From", "<sip:ka@[2001:db8::10]>;tag=ip6"),
        ("To", "<sip:[2001:db8:1::20]>"),
        ("Call-ID", "6in4-opt-1@2001:db8::10"),
        ("CSeq", "1 OPTIONS")])
    cap = Capture(Ether(), t0_ns=T0)
    o1, o2 = "10.255.1.1", "10.255.1.2"
    for src, dst, m, os_, od in [
            (ALICE, BOB, opt, o1, o2),
            (BOB, ALICE, opt.reply(200, "OK", "ip2"), o2, o1),
            (a6, b6, opt6, o1, o2),
            (b6, a6, opt6.reply(200, "OK", "ip6b"), o2, o1)]:
        inner = udp_packet(src[0], src[1], dst[0], dst[1], m.bytes())[0]
        cap.add(ipip(inner, os_, od))
    cap.write_pcap(path)


@scenario("pppoe.pcap")
def s_pppoe(path):
    ua = ("100.64.12.34", 5060)
    reg = Msg("REGISTER sip:voip.example.net SIP/2.0", [
        ("Via", "SIP/2.0/UDP 100.64.12.34:5060;branch=z9hG4bKppp001"),
        ("Max-Forwards", "70"),
        ("From", "<sip:+4930123456@voip.example.net>;tag=pp1"),
        ("To", "<sip:+4930123456@voip.example.net>"),
        ("Call-ID", "pppoe-reg-1@100.64.12.34"),
        ("CSeq", "12 REGISTER"),
        ("Contact", "<sip:+4930123456@100.64.12.34:5060>"),
        ("Expires", "480"),
        ("User-Agent", "AVM FRITZ!Box 7590 154.07.57")])
    ok = reg.reply(200, "OK", "pp2", [
        ("Contact", "<sip:+4930123456@100.64.12.34:5060>;expires=480")])
    cap = Capture(PPPoE(session=0x0b1c), t0_ns=T0)
    send_udp(cap, ua, PROXY, [(True, reg), (False, ok)])
    cap.write_pcap(path)


@scenario("sctp_call.pcap")
def s_sctp(path):
    a = ("192.0.2.10", 5060)
    b = ("198.51.100.20", 5060)
    c = Call(a, b, "sctp-call-1@192.0.2.10", "sc1", "sc2", transport="SCTP")
    msgs = c.basic(sdp("alice", a[0], 49240, 100),
                   sdp("bob", b[0], 3540, 101))[:4]
    # the INVITE is too big for one packet: three DATA chunks (B, middle,
    # E) with consecutive TSNs and one stream sequence number
    msgs[0] = (True, big_invite(c, 30))
    cap = Capture(Ether(), t0_ns=T0)
    tsn = {True: 1000, False: 5000}
    ssn = {True: 0, False: 0}
    for from_a, m in msgs:
        src, dst = (a, b) if from_a else (b, a)
        data = m.bytes()
        parts = [data[i:i + 1400] for i in range(0, len(data), 1400)]
        for k, part in enumerate(parts):
            flags = (2 if k == 0 else 0) | (1 if k == len(parts) - 1 else 0)
            ch = sctp_data(tsn[from_a], part, ssn=ssn[from_a], flags=flags)
            tsn[from_a] += 1
            cap.add(sctp_packet(src[0], src[1], dst[0], dst[1],
                                0x11223344 if from_a else 0x55667788, [ch]))
        ssn[from_a] += 1
        cap.wait(20 * MS)
    cap.write_pcap(path)


@scenario("icmp_unreachable.pcap")
def s_icmp(path):
    # OPTIONS to a host with nothing on 5060: the ICMP error quotes it
    a = ("192.0.2.10", 5060)
    b = ("198.51.100.99", 5060)
    cap = Capture(Ether(), t0_ns=T0)
    for n in range(2):
        opt = Msg("OPTIONS sip:198.51.100.99 SIP/2.0", [
            ("Via", "SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKicmp%02d" % n),
            ("Max-Forwards", "70"),
            ("From", "<sip:ka@192.0.2.10>;tag=ic1"),
            ("To", "<sip:198.51.100.99>"),
            ("Call-ID", "icmp-opt-1@192.0.2.10"),
            ("CSeq", "%d OPTIONS" % (n + 1))])
        pkt = udp_packet(a[0], a[1], b[0], b[1], opt.bytes(), ident=0x77 + n)
        cap.add(pkt)
        cap.add(icmp_unreachable(pkt[0], b[0], ident=0x1c0 + n))
        cap.wait(500 * MS)
    cap.write_pcap(path)


@scenario("null_be_ns.pcap")
def s_null(path):
    # BSD loopback, big-endian nanosecond pcap (as some BSD/macOS tools
    # write it), IPv4 and IPv6 on 127.0.0.1 / ::1
    cap = Capture(Null(big_endian=True), t0_ns=T0 + 987654321)
    for lo, name in [(("127.0.0.1", 5060), "v4"), (("::1", 5060), "v6")]:
        ua = (lo[0], 5070)
        opt = Msg("OPTIONS sip:%s SIP/2.0" % hp(*lo), [
            ("Via", "SIP/2.0/UDP %s;branch=z9hG4bKlo%s" % (hp(*ua), name)),
            ("Max-Forwards", "70"),
            ("From", "<sip:mon@%s>;tag=lo%s" % (hp(*ua), name)),
            ("To", "<sip:%s>" % hp(*lo)),
            ("Call-ID", "loopback-%s@localhost" % name),
            ("CSeq", "1 OPTIONS")])
        send_udp(cap, ua, lo, [(True, opt),
                               (False, opt.reply(200, "OK", "lo2" + name))],
                 gap=1234567)
    cap.write_pcap(path, nanosecond=True, big_endian=True)


if __name__ == "__main__":
    sys.exit(GEN.main(__doc__))
