#!/usr/bin/env python3
"""mkpcap — write small pcap / pcapng files from SIP message text.

Standard library only.  Output is deterministic: every timestamp, address,
sequence number and identifier comes from the caller.

Layers, bottom up (each a plain function returning bytes):

  link       Ethernet (802.1Q VLAN, QinQ), PPPoE, Linux SLL and SLL2,
             raw IP, BSD null/loopback           -> Ether, SLL, SLL2, Raw, Null
  tunnels    GRE, IP-in-IP                       -> gre(), ipip()
  network    IPv4 and IPv6 (extension headers), fragmentation in any order
                                                 -> ip_packet(), ip_fragments()
  transport  UDP, TCP streams (handshake, splits, coalescing, retransmission,
             reordering, FIN), SCTP DATA chunks  -> udp(), TcpConn, sctp()
  WebSocket  HTTP upgrade, masked/unmasked, fragmented frames
                                                 -> ws_frame(), ws_upgrade_*()
  files      classic pcap (us/ns, either byte order) and pcapng (several
             interfaces, each with its own link type and if_tsresol)
                                                 -> Capture, write_pcap(), write_pcapng()

IP/UDP/TCP checksums and the SCTP CRC32c are always computed correctly.

Command line (one flow of SIP messages; see --help):

  mkpcap.py -o call.pcap --src 192.0.2.10:5060 --dst 198.51.100.20:5060 \\
            invite.txt 100.txt:r 200.txt:r ack.txt

Message files are text; line ends are turned into CRLF and a literal {CL}
is replaced by the length of the body (what follows the first empty line).
A ":r" suffix sends that message from --dst to --src.
"""

import argparse
import base64
import hashlib
import ipaddress
import struct
import sys
import textwrap

__all__ = [
    "sip", "Ether", "SLL", "SLL2", "Raw", "Null", "PPPoE",
    "ip_packet", "ip_fragments", "gre", "ipip", "icmp_unreachable",
    "udp", "udp_packet", "TcpConn", "sctp", "sctp_data", "sctp_packet",
    "ws_frame", "ws_upgrade_request", "ws_upgrade_response",
    "Capture", "write_pcap", "write_pcapng",
    "LINKTYPE_NULL", "LINKTYPE_ETHERNET", "LINKTYPE_RAW", "LINKTYPE_LINUX_SLL",
    "LINKTYPE_IPV4", "LINKTYPE_IPV6", "LINKTYPE_LINUX_SLL2",
]

LINKTYPE_NULL = 0
LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = 101
LINKTYPE_LINUX_SLL = 113
LINKTYPE_IPV4 = 228
LINKTYPE_IPV6 = 229
LINKTYPE_LINUX_SLL2 = 276

PROTO_IPIP = 4
PROTO_TCP = 6
PROTO_UDP = 17
PROTO_IPV6 = 41
PROTO_GRE = 47
PROTO_SCTP = 132

ETH_IPV4 = 0x0800
ETH_IPV6 = 0x86DD
ETH_VLAN = 0x8100
ETH_QINQ = 0x88A8
ETH_PPPOE_SESSION = 0x8864


# ---------------------------------------------------------------- SIP text

def sip(text, body=""):
    """Turns indented message text into wire form.

    The text is dedented, its first empty lines are dropped, every line end
    becomes CRLF and the header block ends with an empty line.  A literal
    {CL} is replaced by the byte length of the body (after CRLF conversion).
    Lines that start with a space or a tab after dedenting stay folded.
    Returns bytes.
    """
    head = textwrap.dedent(text).strip("\n")
    head_lines = head.split("\n")
    b = ""
    if body:
        b = textwrap.dedent(body).strip("\n")
        b = "\r\n".join(b.split("\n")) + "\r\n"
    bb = b.encode("utf-8")
    head = "\r\n".join(head_lines).replace("{CL}", str(len(bb)))
    return head.encode("utf-8") + b"\r\n\r\n" + bb


def crlf(text):
    """Plain LF -> CRLF conversion of a message file (no dedent)."""
    t = text.replace("\r\n", "\n")
    if "\n\n" in t:
        head, body = t.split("\n\n", 1)
    else:
        head, body = t.rstrip("\n"), ""
    bb = body.replace("\n", "\r\n").encode("utf-8")
    head = head.replace("\n", "\r\n").replace("{CL}", str(len(bb)))
    return head.encode("utf-8") + b"\r\n\r\n" + bb


# ---------------------------------------------------------------- checksums

def inet_checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def _crc32c_table():
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        t.append(c)
    return t


_CRC32C = _crc32c_table()


def crc32c(data):
    c = 0xFFFFFFFF
    for x in data:
        c = _CRC32C[(c ^ x) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def _addr(a):
    return ipaddress.ip_address(a)


def _pseudo(src, dst, proto, length):
    s, d = _addr(src), _addr(dst)
    if s.version == 4:
        return s.packed + d.packed + struct.pack("!BBH", 0, proto, length)
    return s.packed + d.packed + struct.pack("!IxxxB", length, proto)


# ---------------------------------------------------------------- network

def _ipv6_ext(kind, nh):
    """One IPv6 extension header with next header nh.  kind: 'hop',
    'dst' (options, PadN-padded to 8 bytes) or 'rt0' (an empty type-0
    routing header with segments left 0, so it changes nothing)."""
    if kind in ("hop", "dst"):
        # 2 bytes header + 6 bytes PadN option (type 1, length 4)
        return struct.pack("!BB", nh, 0) + b"\x01\x04\0\0\0\0"
    if kind == "rt0":
        return struct.pack("!BBBBI", nh, 0, 0, 0, 0)
    raise ValueError("unknown IPv6 extension header %r" % kind)


_EXT_CODE = {"hop": 0, "dst": 60, "rt0": 43}


def _ipv6_chain(exts, last_nh):
    """Builds a chain of extension headers; returns (first nh, bytes)."""
    out = b""
    nh = last_nh
    for kind in reversed(exts):
        out = _ipv6_ext(kind, nh) + out
        nh = _EXT_CODE[kind]
    return nh, out


def _ipv4_header(src, dst, proto, plen, ident, ttl, df, mf, offset, tos=0):
    flags = (0x4000 if df else 0) | (0x2000 if mf else 0) | (offset >> 3)
    h = struct.pack("!BBHHHBBH4s4s", 0x45, tos, 20 + plen, ident & 0xFFFF,
                    flags, ttl, proto, 0, _addr(src).packed, _addr(dst).packed)
    c = inet_checksum(h)
    return h[:10] + struct.pack("!H", c) + h[12:]


def _ipv6_header(src, dst, nh, plen, hlim, flow=0):
    return struct.pack("!IHBB16s16s", (6 << 28) | flow, plen, nh, hlim,
                       _addr(src).packed, _addr(dst).packed)


def ip_packet(src, dst, proto, payload, ident=0, ttl=64, df=False, ext=()):
    """An unfragmented IPv4 or IPv6 packet (the family of src decides).
    ext: IPv6 extension headers, from 'hop', 'dst', 'rt0', in order."""
    if _addr(src).version == 4:
        return _ipv4_header(src, dst, proto, len(payload), ident, ttl, df,
                            False, 0) + payload
    nh, chain = _ipv6_chain(list(ext), proto)
    return _ipv6_header(src, dst, nh, len(chain) + len(payload), ttl) \
        + chain + payload


def ip_fragments(src, dst, proto, payload, sizes, order=None, ident=0x1234,
                 ttl=64, ext=()):
    """Fragments payload (a whole transport segment) into IP fragments.

    sizes: byte sizes of the fragments' data, all but the last a multiple of
    8; the last takes what remains (give one size fewer than fragments, or
    an exact list).  order: indices giving the order in which the fragments
    are returned (default: in offset order).  For IPv6, ext headers 'hop'
    and 'rt0' stay in the unfragmentable part; 'dst' goes before the
    fragment header too (as a destination options header for the first
    destination would).
    """
    pieces = []
    off = 0
    for s in sizes:
        if off >= len(payload):
            break
        if s % 8 and off + s < len(payload):
            raise ValueError("fragment size %d is not a multiple of 8" % s)
        pieces.append((off, payload[off:off + s]))
        off += s
    if off < len(payload):
        pieces.append((off, payload[off:]))
    frags = []
    v4 = _addr(src).version == 4
    for i, (o, data) in enumerate(pieces):
        more = i < len(pieces) - 1
        if v4:
            frags.append(_ipv4_header(src, dst, proto, len(data), ident, ttl,
                                      False, more, o) + data)
        else:
            fh = struct.pack("!BBHI", proto, 0, o | (1 if more else 0), ident)
            nh, chain = _ipv6_chain(list(ext), 44)
            frags.append(_ipv6_header(src, dst, nh,
                                      len(chain) + 8 + len(data), ttl)
                         + chain + fh + data)
    if order is not None:
        frags = [frags[i] for i in order]
    return frags


def _ip_version(pkt):
    return pkt[0] >> 4


def _ip_addrs(pkt):
    """(src, dst) of an IP packet as strings."""
    if _ip_version(pkt) == 4:
        return (str(ipaddress.IPv4Address(pkt[12:16])),
                str(ipaddress.IPv4Address(pkt[16:20])))
    return (str(ipaddress.IPv6Address(pkt[8:24])),
            str(ipaddress.IPv6Address(pkt[24:40])))


def gre(inner, outer_src, outer_dst, ident=0, key=None):
    """Wraps an IP packet in GRE (RFC 2784, optional key of RFC 2890)."""
    ptype = ETH_IPV4 if _ip_version(inner) == 4 else ETH_IPV6
    if key is None:
        hdr = struct.pack("!HH", 0, ptype)
    else:
        hdr = struct.pack("!HHI", 0x2000, ptype, key)
    return ip_packet(outer_src, outer_dst, PROTO_GRE, hdr + inner, ident=ident)


def ipip(inner, outer_src, outer_dst, ident=0):
    """Wraps an IP packet in IPv4 or IPv6 (IP-in-IP / 6in4 / 4in6)."""
    proto = PROTO_IPIP if _ip_version(inner) == 4 else PROTO_IPV6
    return ip_packet(outer_src, outer_dst, proto, inner, ident=ident)


def icmp_unreachable(orig, router, code=3, ident=0, quote=None):
    """An ICMP (IPv4) or ICMPv6 destination unreachable error from router
    quoting orig (an IP packet): code 3 / 4 = port unreachable.  quote:
    bytes of orig to quote (default: all of it, as Linux does up to 576)."""
    q = orig if quote is None else orig[:quote]
    src, _ = _ip_addrs(orig)
    if _ip_version(orig) == 4:
        h = struct.pack("!BBHI", 3, code, 0, 0) + q
        c = inet_checksum(h)
        return ip_packet(router, src, 1, h[:2] + struct.pack("!H", c) + h[4:],
                         ident=ident)
    code6 = 4 if code == 3 else code
    h = struct.pack("!BBHI", 1, code6, 0, 0) + q
    c = inet_checksum(_pseudo(router, src, 58, len(h)) + h)
    return ip_packet(router, src, 58, h[:2] + struct.pack("!H", c) + h[4:])


# ---------------------------------------------------------------- transport

def udp(src, dst, sport, dport, payload):
    """A UDP header + payload with its checksum (IP addresses needed)."""
    length = 8 + len(payload)
    h = struct.pack("!HHHH", sport, dport, length, 0)
    c = inet_checksum(_pseudo(src, dst, PROTO_UDP, length) + h + payload)
    if c == 0:
        c = 0xFFFF
    return struct.pack("!HHHH", sport, dport, length, c) + payload


def udp_packet(src, sport, dst, dport, payload, ident=0, frag=None,
               order=None, ext=()):
    """A SIP datagram as a list of IP packets: one, or its fragments when
    frag (list of fragment data sizes) is given, in the given order."""
    seg = udp(src, dst, sport, dport, payload)
    if frag:
        return ip_fragments(src, dst, PROTO_UDP, seg, frag, order=order,
                            ident=ident or 0x1234, ext=ext)
    return [ip_packet(src, dst, PROTO_UDP, seg, ident=ident, ext=ext)]


TCP_FIN, TCP_SYN, TCP_RST, TCP_PSH, TCP_ACK = 0x01, 0x02, 0x04, 0x08, 0x10


def tcp(src, dst, sport, dport, seq, ack, flags, payload=b"", window=65535,
        options=b""):
    """A TCP header + payload with its checksum."""
    options += b"\0" * (-len(options) % 4)
    off = (20 + len(options)) // 4
    h = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF,
                    ack & 0xFFFFFFFF, off << 4, flags, window, 0, 0) + options
    seg = h + payload
    c = inet_checksum(_pseudo(src, dst, PROTO_TCP, len(seg)) + seg)
    return seg[:16] + struct.pack("!H", c) + seg[18:]


class TcpConn:
    """One TCP connection between a client and a server.

    Every method returns a list of IP packets and advances the sequence
    numbers of the sending side.  Keep the returned packets and reorder or
    duplicate them to make out-of-order or retransmitted segments; seg()
    builds a segment at any sequence number without advancing anything.
    """

    def __init__(self, client, server, isn_client=1000, isn_server=5000,
                 ident_client=0x100, ident_server=0x200):
        self.c = client          # (ip, port)
        self.s = server
        self.seq = {True: isn_client, False: isn_server}
        self.ident = {True: ident_client, False: ident_server}

    def _ends(self, from_client):
        return (self.c, self.s) if from_client else (self.s, self.c)

    def seg(self, from_client, seq, payload=b"", flags=TCP_PSH | TCP_ACK,
            ack=None, options=b""):
        (sip_, sport), (dip, dport) = self._ends(from_client)
        if ack is None:
            ack = self.seq[not from_client]
        t = tcp(sip_, dip, sport, dport, seq, ack, flags, payload,
                options=options)
        ident = self.ident[from_client]
        self.ident[from_client] += 1
        return ip_packet(sip_, dip, PROTO_TCP, t, ident=ident, df=True)

    def handshake(self):
        """SYN, SYN-ACK, ACK."""
        mss = b"\x02\x04\x05\xb4"
        syn = self.seg(True, self.seq[True], flags=TCP_SYN, ack=0,
                       options=mss)
        self.seq[True] += 1
        synack = self.seg(False, self.seq[False], flags=TCP_SYN | TCP_ACK,
                          options=mss)
        self.seq[False] += 1
        ack = self.seg(True, self.seq[True], flags=TCP_ACK)
        return [syn, synack, ack]

    def send(self, from_client, data, splits=()):
        """Sends data as segments cut at the given byte offsets (offsets
        into data, increasing).  Returns one packet per segment."""
        cuts = [0] + [x for x in splits if 0 < x < len(data)] + [len(data)]
        out = []
        for a, b in zip(cuts, cuts[1:]):
            out.append(self.seg(from_client, self.seq[from_client],
                                data[a:b]))
            self.seq[from_client] += b - a
        return out

    def ack(self, from_client):
        """A bare ACK."""
        return [self.seg(from_client, self.seq[from_client], flags=TCP_ACK)]

    def fin(self, from_client):
        p = self.seg(from_client, self.seq[from_client],
                     flags=TCP_FIN | TCP_ACK)
        self.seq[from_client] += 1
        return [p]


def sctp_data(tsn, payload, stream=0, ssn=0, ppid=0, flags=0x03):
    """One SCTP DATA chunk (B and E flags set by default), padded."""
    ch = struct.pack("!BBHIHHI", 0, flags, 16 + len(payload), tsn, stream,
                     ssn, ppid) + payload
    return ch + b"\0" * (-len(ch) % 4)


def sctp(sport, dport, vtag, chunks):
    """An SCTP common header + chunks with its CRC32c."""
    body = struct.pack("!HHII", sport, dport, vtag, 0) + b"".join(chunks)
    c = crc32c(body)
    return body[:8] + struct.pack("<I", c) + body[12:]


def sctp_packet(src, sport, dst, dport, vtag, chunks, ident=0):
    return [ip_packet(src, dst, PROTO_SCTP, sctp(sport, dport, vtag, chunks),
                      ident=ident, df=True)]


# ---------------------------------------------------------------- WebSocket

WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def ws_frame(payload, opcode=1, fin=True, mask=None):
    """One WebSocket frame; mask: 4 bytes for a client frame, None for a
    server frame.  Use opcode 0 for continuation frames."""
    b0 = (0x80 if fin else 0) | opcode
    n = len(payload)
    mbit = 0x80 if mask else 0
    if n < 126:
        h = struct.pack("!BB", b0, mbit | n)
    elif n < 65536:
        h = struct.pack("!BBH", b0, mbit | 126, n)
    else:
        h = struct.pack("!BBQ", b0, mbit | 127, n)
    if mask:
        h += mask
        payload = bytes(c ^ mask[i % 4] for i, c in enumerate(payload))
    return h + payload


def ws_upgrade_request(host, path, key, protocol="sip", origin=None):
    lines = ["GET %s HTTP/1.1" % path,
             "Host: %s" % host,
             "Upgrade: websocket",
             "Connection: Upgrade",
             "Sec-WebSocket-Key: %s" % key,
             "Sec-WebSocket-Version: 13",
             "Sec-WebSocket-Protocol: %s" % protocol]
    if origin:
        lines.append("Origin: %s" % origin)
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def ws_upgrade_response(key, protocol="sip"):
    acc = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest())
    lines = ["HTTP/1.1 101 Switching Protocols",
             "Upgrade: websocket",
             "Connection: Upgrade",
             "Sec-WebSocket-Accept: %s" % acc.decode(),
             "Sec-WebSocket-Protocol: %s" % protocol]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


# ---------------------------------------------------------------- links

def _mac_for(ip):
    """A stable locally administered MAC address for an IP address."""
    h = hashlib.sha1(_addr(ip).packed).digest()
    return b"\x02" + h[:5]


class Ether:
    """Ethernet II; vlans: 802.1Q VLAN ids, outermost first.  With
    qinq=True the outermost tag uses TPID 0x88a8 (802.1ad)."""
    linktype = LINKTYPE_ETHERNET

    def __init__(self, vlans=(), qinq=False, src_mac=None, dst_mac=None):
        self.vlans = list(vlans)
        self.qinq = qinq
        self.src_mac = src_mac
        self.dst_mac = dst_mac

    def header(self, pkt, ethertype):
        s, d = _ip_addrs(pkt)
        h = (self.dst_mac or _mac_for(d)) + (self.src_mac or _mac_for(s))
        for i, v in enumerate(self.vlans):
            tpid = ETH_QINQ if (self.qinq and i == 0) else ETH_VLAN
            h += struct.pack("!HH", tpid, v & 0x0FFF)
        return h + struct.pack("!H", ethertype)

    def wrap(self, pkt):
        et = ETH_IPV4 if _ip_version(pkt) == 4 else ETH_IPV6
        return self.header(pkt, et) + pkt


class PPPoE(Ether):
    """Ethernet + PPPoE session + PPP, carrying IPv4 or IPv6."""

    def __init__(self, session=0x1234, **kw):
        super().__init__(**kw)
        self.session = session

    def wrap(self, pkt):
        proto = 0x0021 if _ip_version(pkt) == 4 else 0x0057
        ppp = struct.pack("!H", proto) + pkt
        pppoe = struct.pack("!BBHH", 0x11, 0, self.session, len(ppp)) + ppp
        return self.header(pkt, ETH_PPPOE_SESSION) + pppoe


class SLL:
    """Linux cooked capture v1 ("any" device).  Packets whose source is in
    local are marked outgoing (4), the others unicast to us (0)."""
    linktype = LINKTYPE_LINUX_SLL

    def __init__(self, local=()):
        self.local = set(str(_addr(a)) for a in local)

    def _pkttype(self, pkt):
        return 4 if _ip_addrs(pkt)[0] in self.local else 0

    def wrap(self, pkt):
        et = ETH_IPV4 if _ip_version(pkt) == 4 else ETH_IPV6
        mac = _mac_for(_ip_addrs(pkt)[0])
        return struct.pack("!HHH8sH", self._pkttype(pkt), 1, 6,
                           mac + b"\0\0", et) + pkt


class SLL2(SLL):
    """Linux cooked capture v2 (with interface index)."""
    linktype = LINKTYPE_LINUX_SLL2

    def __init__(self, local=(), ifindex=2):
        super().__init__(local)
        self.ifindex = ifindex

    def wrap(self, pkt):
        et = ETH_IPV4 if _ip_version(pkt) == 4 else ETH_IPV6
        mac = _mac_for(_ip_addrs(pkt)[0])
        return struct.pack("!HHIHBB8s", et, 0, self.ifindex, 1,
                           self._pkttype(pkt), 6, mac + b"\0\0") + pkt


class Raw:
    """Raw IP (LINKTYPE_RAW, or LINKTYPE_IPV4/IPV6 when given)."""

    def __init__(self, linktype=LINKTYPE_RAW):
        self.linktype = linktype

    def wrap(self, pkt):
        return pkt


class Null:
    """BSD loopback: a 4-byte address family in the given byte order."""
    linktype = LINKTYPE_NULL

    def __init__(self, big_endian=False, af_inet6=30):
        self.fmt = ">I" if big_endian else "<I"
        self.af6 = af_inet6

    def wrap(self, pkt):
        af = 2 if _ip_version(pkt) == 4 else self.af6
        return struct.pack(self.fmt, af) + pkt


# ---------------------------------------------------------------- files

class Record:
    __slots__ = ("ts_ns", "data", "linktype", "iface", "wirelen")

    def __init__(self, ts_ns, data, linktype, iface=0, wirelen=None):
        self.ts_ns = ts_ns
        self.data = data
        self.linktype = linktype
        self.iface = iface
        self.wirelen = len(data) if wirelen is None else wirelen


class Capture:
    """Collects frames.  add() takes IP packets (as returned by the
    builders above), wraps each in the link and appends one frame per
    packet, step_ns apart starting at ts_ns (or after the last frame)."""

    def __init__(self, link=None, t0_ns=1700000000 * 10**9, step_ns=10**6):
        self.link = link or Ether()
        self.records = []
        self.next_ns = t0_ns
        self.step_ns = step_ns

    def add(self, pkts, ts_ns=None, link=None, iface=0, step_ns=None):
        link = link or self.link
        if isinstance(pkts, (bytes, bytearray)):
            pkts = [pkts]
        if ts_ns is not None:
            self.next_ns = ts_ns
        step = self.step_ns if step_ns is None else step_ns
        for p in pkts:
            self.records.append(Record(self.next_ns, link.wrap(bytes(p)),
                                       link.linktype, iface))
            self.next_ns += step
        return self

    def at(self, ts_ns):
        """Sets the time of the next frame."""
        self.next_ns = ts_ns
        return self

    def wait(self, ns):
        self.next_ns += ns
        return self

    def add_frame(self, data, linktype, ts_ns=None, iface=0):
        """Appends a ready link-layer frame."""
        if ts_ns is not None:
            self.next_ns = ts_ns
        self.records.append(Record(self.next_ns, bytes(data), linktype, iface))
        self.next_ns += self.step_ns
        return self

    def write_pcap(self, path, **kw):
        write_pcap(path, self.records, **kw)

    def write_pcapng(self, path, interfaces=None, **kw):
        write_pcapng(path, self.records, interfaces=interfaces, **kw)


def write_pcap(path, records, nanosecond=False, big_endian=False,
               snaplen=262144, linktype=None):
    """Classic pcap; every record must have the same link type."""
    e = ">" if big_endian else "<"
    lts = set(r.linktype for r in records)
    if linktype is None:
        if len(lts) != 1:
            raise ValueError("classic pcap needs one link type, got %r"
                             % sorted(lts))
        linktype = lts.pop()
    magic = 0xA1B23C4D if nanosecond else 0xA1B2C3D4
    out = [struct.pack(e + "IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype)]
    div = 1 if nanosecond else 1000
    for r in records:
        sec, frac = divmod(r.ts_ns, 10**9)
        out.append(struct.pack(e + "IIII", sec, frac // div, len(r.data),
                               r.wirelen))
        out.append(r.data)
    _write(path, b"".join(out))


def _opt(e, code, value):
    return struct.pack(e + "HH", code, len(value)) + value + \
        b"\0" * (-len(value) % 4)


def _block(e, btype, body):
    n = 12 + len(body)
    return struct.pack(e + "II", btype, n) + body + struct.pack(e + "I", n)


def write_pcapng(path, records, interfaces=None, big_endian=False,
                 snaplen=262144):
    """pcapng with one section.  interfaces: list of (linktype, tsresol)
    or (linktype, tsresol, name); tsresol is the if_tsresol byte (6 = us,
    9 = ns; None = no option, which means us).  Default: one interface per
    distinct link type in order of first use, microseconds.  A record
    goes to interface record.iface when interfaces is given."""
    e = ">" if big_endian else "<"
    if interfaces is None:
        seen = []
        for r in records:
            if r.linktype not in seen:
                seen.append(r.linktype)
        interfaces = [(lt, 6) for lt in seen]
        for r in records:
            r.iface = seen.index(r.linktype)
    out = [_block(e, 0x0A0D0D0A, struct.pack(e + "IHHq", 0x1A2B3C4D, 1, 0, -1))]
    units = []
    for itf in interfaces:
        lt, res = itf[0], itf[1]
        opts = b""
        if len(itf) > 2 and itf[2]:
            opts += _opt(e, 2, itf[2].encode())
        if res is not None:
            opts += _opt(e, 9, bytes([res]))
        if opts:
            opts += struct.pack(e + "HH", 0, 0)
        out.append(_block(e, 1, struct.pack(e + "HHI", lt, 0, snaplen) + opts))
        if res is None:
            res = 6
        if res & 0x80:
            units.append(2 ** (res & 0x7F))
        else:
            units.append(10 ** res)
    for r in records:
        if interfaces and r.linktype != interfaces[r.iface][0]:
            raise ValueError("record with link type %d on interface %d (%d)"
                             % (r.linktype, r.iface, interfaces[r.iface][0]))
        ts = r.ts_ns * units[r.iface] // 10**9
        data = r.data + b"\0" * (-len(r.data) % 4)
        out.append(_block(e, 6, struct.pack(e + "IIIII", r.iface, ts >> 32,
                                            ts & 0xFFFFFFFF, len(r.data),
                                            r.wirelen) + data))
    _write(path, b"".join(out))


def _write(path, data):
    if path == "-":
        sys.stdout.buffer.write(data)
    else:
        with open(path, "wb") as f:
            f.write(data)


# ---------------------------------------------------------------- CLI

def _hostport(s):
    if s.startswith("["):
        host, _, port = s[1:].partition("]:")
    else:
        host, _, port = s.rpartition(":")
    return str(_addr(host)), int(port)


def _link(name):
    if name == "ether":
        return Ether()
    if name.startswith("vlan:"):
        return Ether(vlans=[int(x) for x in name[5:].split(",")])
    if name.startswith("qinq:"):
        return Ether(vlans=[int(x) for x in name[5:].split(",")], qinq=True)
    return {"sll": SLL, "sll2": SLL2, "raw": Raw, "null": Null,
            "pppoe": PPPoE}[name]()


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Write a pcap/pcapng file with SIP messages from text "
        "files (LF or CRLF; {CL} is replaced by the body length). "
        "Append :r to a file name to send it from --dst to --src.")
    ap.add_argument("-o", "--output", required=True, help="file, or - for stdout")
    ap.add_argument("--pcapng", action="store_true")
    ap.add_argument("--ns", action="store_true", help="nanosecond timestamps")
    ap.add_argument("--big-endian", action="store_true")
    ap.add_argument("--link", default="ether",
                    help="ether, vlan:ID[,ID], qinq:ID,ID, sll, sll2, raw, "
                    "null, pppoe")
    ap.add_argument("--transport", default="udp", choices=("udp", "tcp", "ws"))
    ap.add_argument("--src", default="192.0.2.10:5060")
    ap.add_argument("--dst", default="198.51.100.20:5060")
    ap.add_argument("--t0", type=float, default=1700000000.0,
                    help="time of the first frame, seconds")
    ap.add_argument("--gap-ms", type=int, default=10)
    ap.add_argument("--split", default="",
                    help="TCP/WS: cut each message at these byte offsets")
    ap.add_argument("messages", nargs="+")
    a = ap.parse_args(argv)

    src, dst = _hostport(a.src), _hostport(a.dst)
    cap = Capture(_link(a.link), t0_ns=int(round(a.t0 * 1e9)),
                  step_ns=a.gap_ms * 10**6)
    splits = [int(x) for x in a.split.split(",") if x]
    conn = None
    if a.transport in ("tcp", "ws"):
        conn = TcpConn(src, dst)
        cap.add(conn.handshake())
        if a.transport == "ws":
            key = base64.b64encode(b"mkpcap-ws-key-01").decode()
            cap.add(conn.send(True, ws_upgrade_request(
                "%s:%d" % dst, "/", key)))
            cap.add(conn.send(False, ws_upgrade_response(key)))
    ident = 1
    for i, m in enumerate(a.messages):
        rev = m.endswith(":r")
        fname = m[:-2] if rev else m
        with open(fname, encoding="utf-8") as f:
            msg = crlf(f.read())
        frm, to = (dst, src) if rev else (src, dst)
        if a.transport == "udp":
            cap.add(udp_packet(frm[0], frm[1], to[0], to[1], msg, ident=ident))
        elif a.transport == "tcp":
            cap.add(conn.send(not rev, msg, splits))
        else:
            mask = None if rev else struct.pack("!I", 0x1F2E3D4C + i)
            cap.add(conn.send(not rev, ws_frame(msg, mask=mask), splits))
        ident += 1
    if a.pcapng:
        cap.write_pcapng(a.output, interfaces=[
            (cap.link.linktype, 9 if a.ns else 6)], big_endian=a.big_endian)
    else:
        cap.write_pcap(a.output, nanosecond=a.ns, big_endian=a.big_endian)
    return 0


if __name__ == "__main__":
    sys.exit(main())
