#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz harnesses, tests/fuzz/corpus/<harness>/,
from the RFC 4475 torture messages (tests/unit/rfc4475) and the test captures
(tests/pcaps).  Deterministic: running it again gives the same files.

    python3 tests/fuzz/make_seeds.py           # rewrite every corpus
    python3 tests/fuzz/make_seeds.py --check   # exit 1 if a corpus is stale

Python 3 standard library only.  The corpora stay small (a few dozen files
per harness, well under 1 MB in all): the fuzzer grows its own working
corpus from them in a temporary directory.
"""
import argparse
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
RFC4475 = os.path.join(TESTS, "unit", "rfc4475")
PCAPS = os.path.join(TESTS, "pcaps")
CORPUS = os.path.join(HERE, "corpus")

# Link types of fuzz_frame.c's selector (bits 0-2), in its order.
FRAME_LINKS = [1, 101, 113, 276, 0, 108, 228, 229]
# fuzz_frame.c's time steps (selector bits 4-7), in ns; the last steps back.
FRAME_DELTAS = [0, 1000, 10**6, 10**7, 10**8, 5 * 10**8, 10**9, 2 * 10**9,
                4 * 10**9, 8 * 10**9, 16 * 10**9, 32 * 10**9, 33 * 10**9,
                64 * 10**9, 3600 * 10**9]
# fuzz_model.c's separator and time steps (control bits 5-7).
MODEL_SEP = b"\n%%\n"
MODEL_DELTAS = [0, 10**6, 2 * 10**7, 5 * 10**8, 4 * 10**9, 33 * 10**9,
                181 * 10**9, 7200 * 10**9]

SIP_METHODS = (b"INVITE", b"ACK", b"BYE", b"CANCEL", b"OPTIONS", b"REGISTER",
               b"PRACK", b"SUBSCRIBE", b"NOTIFY", b"PUBLISH", b"INFO",
               b"REFER", b"MESSAGE", b"UPDATE", b"SIP/2.0 ")


# ---- reading captures -------------------------------------------------------

def read_capture(path):
    """[(ts_ns, linktype, bytes)] of a pcap or pcapng file."""
    data = open(path, "rb").read()
    magic = data[:4]
    if magic == b"\x0a\x0d\x0d\x0a":
        return read_pcapng(data)
    for order in ("<", ">"):
        (m,) = struct.unpack(order + "I", magic)
        if m in (0xA1B2C3D4, 0xA1B23C4D, 0xA1B2CD34):
            break
    else:
        raise ValueError(path + ": not a capture")
    nsec = m == 0xA1B23C4D
    extra = 8 if m == 0xA1B2CD34 else 0
    linktype = struct.unpack(order + "I", data[20:24])[0] & 0x0FFFFFFF
    out, off = [], 24
    while off + 16 <= len(data):
        sec, frac, incl, _orig = struct.unpack(order + "IIII", data[off:off + 16])
        off += 16 + extra
        ts = sec * 10**9 + (frac if nsec else frac * 1000)
        out.append((ts, linktype, data[off:off + incl]))
        off += incl
    return out


def read_pcapng(data):
    out, off, order, ifaces = [], 0, "<", []
    while off + 12 <= len(data):
        btype = struct.unpack(order + "I", data[off:off + 4])[0]
        if btype == 0x0A0D0D0A:
            order = "<" if data[off + 8:off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
            ifaces = []
        blen = struct.unpack(order + "I", data[off + 4:off + 8])[0]
        body = data[off + 8:off + blen - 4]
        if btype == 1:
            linktype = struct.unpack(order + "H", body[0:2])[0]
            ifaces.append([linktype, 10**3])  # ns per tick, default µs
            opt = 8
            while opt + 4 <= len(body):
                code, olen = struct.unpack(order + "HH", body[opt:opt + 4])
                if code == 0:
                    break
                if code == 9 and olen >= 1:
                    r = body[opt + 4]
                    ifaces[-1][1] = 10**9 // (10 ** r) if not r & 0x80 else 10**9 >> (r & 0x7F)
                opt += 4 + (olen + 3) // 4 * 4
        elif btype == 6:
            iface, hi, lo, incl = struct.unpack(order + "IIII", body[0:16])
            linktype, tick = ifaces[iface]
            out.append((((hi << 32) | lo) * tick, linktype, body[20:20 + incl]))
        off += blen
    return out


def ip_payload(linktype, frame):
    """(src, dst, proto, payload) of a frame with plain IPv4/IPv6 inside, or None."""
    if linktype == 1:
        etype, off = struct.unpack(">H", frame[12:14])[0], 14
        while etype in (0x8100, 0x88A8):
            etype, off = struct.unpack(">H", frame[off + 2:off + 4])[0], off + 4
    elif linktype == 113:
        etype, off = struct.unpack(">H", frame[14:16])[0], 16
    elif linktype == 276:
        etype, off = struct.unpack(">H", frame[0:2])[0], 20
    elif linktype in (101, 228, 229):
        etype, off = (0x0800 if frame[0] >> 4 == 4 else 0x86DD), 0
    else:
        return None
    ip = frame[off:]
    if etype == 0x0800 and len(ip) >= 20:
        ihl = (ip[0] & 15) * 4
        if struct.unpack(">H", ip[6:8])[0] & 0x3FFF:
            return None  # a fragment
        return ip[12:16], ip[16:20], ip[9], ip[ihl:]
    if etype == 0x86DD and len(ip) >= 40:
        return ip[8:24], ip[24:40], ip[6], ip[40:]
    return None


def udp_sip(path):
    """[(ts_ns, (src, sport), (dst, dport), payload)] of the UDP SIP messages."""
    out = []
    for ts, lt, frame in read_capture(path):
        ipp = ip_payload(lt, frame)
        if not ipp or ipp[2] != 17 or len(ipp[3]) < 8:
            continue
        src, dst, _, udp = ipp
        sport, dport = struct.unpack(">HH", udp[0:4])
        payload = udp[8:]
        if payload.startswith(SIP_METHODS):
            out.append((ts, (src, sport), (dst, dport), payload))
    return out


# ---- the corpora -------------------------------------------------------------

def rfc4475_messages():
    names = sorted(n for n in os.listdir(RFC4475) if n.endswith(".dat"))
    return [(n[:-4], open(os.path.join(RFC4475, n), "rb").read()) for n in names]


def seeds_sip_parse():
    seeds = {"rfc4475-" + n: d for n, d in rfc4475_messages()}
    # A few messages of real shape: bodies (SDP, PIDF, text), digest
    # authentication, compact headers, Record-Route, IPv6.
    picks = [("udp_basic_call", (0, 3)), ("register_digest", (1, 2)), ("sll_any", (2,)),
             ("compact_headers", (0, 2)), ("forking", (0, 3)), ("cancel_flow", (3,)),
             ("sll2_any", (0,)), ("ipv6_call", (0,)), ("malformed", (1, 3, 5, 6))]
    for name, which in picks:
        msgs = udp_sip(os.path.join(PCAPS, name + ".pcap"))
        for i in which:
            seeds["%s-%d" % (name, i + 1)] = msgs[i][3]
    return seeds


def sdp_bodies(messages):
    out = []
    for m in messages:
        cut = m.find(b"\r\n\r\n")
        body = m[cut + 4:] if cut >= 0 else b""
        at = body.find(b"v=0")
        if at >= 0:
            out.append(body[at:])
    return out


def seeds_sdp(sip_seeds):
    seeds, seen = {}, set()
    for name in sorted(sip_seeds):
        for body in sdp_bodies([sip_seeds[name]]):
            if body not in seen:
                seen.add(body)
                seeds[name] = body
    seeds["handmade-full"] = b"\r\n".join([
        b"v=0", b"o=- 20518 0 IN IP6 2001:db8::10", b"s=-", b"i=session info",
        b"u=http://example.com/", b"c=IN IP4 224.2.1.1/127/3", b"b=AS:64", b"b=TIAS:64000",
        b"t=0 0", b"a=group:BUNDLE 0 1", b"a=sendonly",
        b"m=audio 49170/2 RTP/AVP 0 8 96 101", b"c=IN IP4 192.0.2.10",
        b"a=rtpmap:96 opus/48000/2", b"a=rtpmap:101 telephone-event/8000",
        b"a=fmtp:101 0-16", b"a=ptime:20", b"a=rtcp:49171 IN IP4 192.0.2.10",
        b"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz",
        b"a=recvonly", b"m=video 0 UDP/TLS/RTP/SAVPF 97", b"a=rtpmap:97 H264/90000",
        b"a=inactive", b"m=application 9 UDP/DTLS/SCTP webrtc-datachannel", b"a=mid:1", b""])
    return seeds


def model_sequence(packets):
    eps, chunks, last = {}, [], None
    for ts, src, dst, payload in packets:
        for ep in (src, dst):
            if ep not in eps:
                eps[ep] = len(eps) % 4
        delta = 0 if last is None else ts - last
        last = ts
        cls = max(i for i, d in enumerate(MODEL_DELTAS) if d <= max(delta, 0))
        ctl = eps[src] | eps[dst] << 2 | cls << 5
        chunks.append(bytes([ctl]) + payload)
    return MODEL_SEP.join(chunks)


def seeds_model():
    seeds = {}
    for name in ("udp_basic_call", "cancel_flow", "forking", "register_digest", "sll_any",
                 "malformed", "compact_headers", "non_default_port", "vlan_qinq",
                 "sll2_any", "ipv6_call"):
        seeds[name] = model_sequence(udp_sip(os.path.join(PCAPS, name + ".pcap")))
    # The torture messages in a row, between two endpoints over TCP.
    seeds["rfc4475-all"] = MODEL_SEP.join(bytes([0x14 | 1 << 5]) + d for _, d in rfc4475_messages())
    flows = os.path.join(PCAPS, "flows")
    if os.path.isdir(flows):
        for n in sorted(os.listdir(flows))[:8]:
            if n.endswith(".pcap"):
                seeds["flows-" + n[:-5]] = model_sequence(udp_sip(os.path.join(flows, n)))
    return {k: v for k, v in seeds.items() if v}


def frame_sequence(path):
    out, last = [], None
    for ts, lt, frame in read_capture(path):
        if lt not in FRAME_LINKS or len(frame) > 0xFFFF:
            continue
        delta = 0 if last is None else ts - last
        last = ts
        cls = max(i for i, d in enumerate(FRAME_DELTAS) if d <= max(delta, 0))
        out.append(struct.pack(">HB", len(frame), FRAME_LINKS.index(lt) | cls << 4) + frame)
    return b"".join(out)


def seeds_frame():
    names = ["udp_basic_call.pcap", "tcp_split.pcap", "tcp_coalesced.pcap",
             "tcp_out_of_order_retrans.pcap", "ws_call.pcap", "sctp_call.pcap",
             "ipv4_frag.pcap", "ipv6_frag.pcap", "gre_tunnel.pcap", "ipip_tunnel.pcap",
             "vlan_qinq.pcap", "pppoe.pcap", "sll_any.pcap", "sll2_any.pcap",
             "null_be_ns.pcap", "icmp_unreachable.pcap", "malformed.pcap",
             "pcapng_mixed_linktypes.pcapng", "non_default_port.pcap"]
    return {n.rsplit(".", 1)[0]: frame_sequence(os.path.join(PCAPS, n)) for n in names}


def write_pcap(frames, linktype, order="<", nsec=False, modified=False, snaplen=65535):
    magic = 0xA1B2CD34 if modified else (0xA1B23C4D if nsec else 0xA1B2C3D4)
    out = [struct.pack(order + "IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype)]
    for ts, _, data in frames:
        frac = ts % 10**9 if nsec else ts % 10**9 // 1000
        out.append(struct.pack(order + "IIII", ts // 10**9, frac, len(data), len(data)))
        if modified:
            out.append(struct.pack(order + "IHBB", 1, 0x0800, 0, 0))
        out.append(data)
    return b"".join(out)


def seeds_capture():
    seeds = {}
    for n in ("udp_basic_call.pcap", "null_be_ns.pcap", "sll2_any.pcap", "pppoe.pcap",
              "pcapng_ns.pcapng", "pcapng_mixed_linktypes.pcapng"):
        seeds[n.replace(".", "-")] = open(os.path.join(PCAPS, n), "rb").read()
    basic = read_capture(os.path.join(PCAPS, "udp_basic_call.pcap"))[:3]
    seeds["basic-be-usec"] = write_pcap(basic, 1, order=">")
    seeds["basic-le-nsec"] = write_pcap(basic, 1, nsec=True)
    seeds["basic-modified"] = write_pcap(basic, 1, modified=True)
    seeds["basic-snaplen-cut"] = write_pcap([(t, l, d[:64]) for t, l, d in basic], 1, snaplen=64)
    whole = seeds["udp_basic_call-pcap"]
    seeds["basic-truncated"] = whole[:len(whole) // 2]
    return seeds


# ---- HEP datagrams (fuzz_hep) ---------------------------------------------------

def hep3_chunk(ctype, value, vendor=0):
    return struct.pack(">HHH", vendor, ctype, 6 + len(value)) + value


def hep3(src, dst, sport, dport, payload, proto=17, ts=None, ptype=1, capture_id=2001,
         family=None, payload_type=0x0F, extra=b""):
    """A HEPv3 packet; src/dst of 4 or 16 bytes; None leaves a chunk out."""
    v6 = len(src) == 16
    c = b""
    fam = family if family is not None else (10 if v6 else 2)
    c += hep3_chunk(0x01, bytes([fam]))
    c += hep3_chunk(0x02, bytes([proto]))
    c += hep3_chunk(0x05 if v6 else 0x03, src)
    c += hep3_chunk(0x06 if v6 else 0x04, dst)
    c += hep3_chunk(0x07, struct.pack(">H", sport))
    c += hep3_chunk(0x08, struct.pack(">H", dport))
    if ts is not None:
        c += hep3_chunk(0x09, struct.pack(">I", ts // 10**9))
        c += hep3_chunk(0x0A, struct.pack(">I", ts % 10**9 // 1000))
    if ptype is not None:
        c += hep3_chunk(0x0B, bytes([ptype]))
    if capture_id is not None:
        c += hep3_chunk(0x0C, struct.pack(">I", capture_id))
    c += extra
    c += hep3_chunk(payload_type, payload)
    return b"HEP3" + struct.pack(">H", 6 + len(c)) + c


def hep2(src, dst, sport, dport, payload, proto=17, ts=None, version=2, family=None,
         packed=False):
    """A HEPv1/v2 packet; the time header little-endian, as senders write it."""
    v6 = len(src) == 16
    fam = family if family is not None else (10 if v6 else 2)
    hlen = 8 + 2 * len(src) + (12 if version == 2 else 0)
    out = struct.pack(">BBBBHH", version, hlen, fam, proto, sport, dport) + src + dst
    if version == 2:
        ts = ts or 0
        out += struct.pack("<IIH", ts // 10**9, ts % 10**9 // 1000, 2001)
        out += b"" if packed else b"\0\0"
    return out + payload


def seeds_hep():
    calls = udp_sip(os.path.join(PCAPS, "udp_basic_call.pcap"))
    v6 = udp_sip(os.path.join(PCAPS, "ipv6_call.pcap"))
    (ts, (src, sport), (dst, dport), inv) = calls[0]
    (ts2, _, _, resp) = calls[1]
    (ts6, (src6, sport6), (dst6, dport6), inv6) = v6[0]
    seeds = {}
    seeds["v3-ipv4-udp"] = hep3(src, dst, sport, dport, inv, ts=ts)
    seeds["v3-ipv6-udp"] = hep3(src6, dst6, sport6, dport6, inv6, ts=ts6)
    seeds["v3-ipv4-minimal"] = hep3(src, dst, sport, dport, resp, ptype=None, capture_id=None)
    seeds["v3-ipv4-sctp"] = hep3(src, dst, sport, dport, resp, proto=132, ts=ts2)
    seeds["v3-ipv6-tcp"] = hep3(src6, dst6, sport6, dport6, inv6, proto=6, ts=ts6)
    # One TCP message carried in two HEP packets of one datagram, then the
    # answer in a third.
    half = len(inv) // 2
    seeds["v3-ipv4-tcp-split"] = (
        hep3(src, dst, sport, dport, inv[:half], proto=6, ts=ts) +
        hep3(src, dst, sport, dport, inv[half:], proto=6, ts=ts + 1000) +
        hep3(dst, src, dport, sport, resp, proto=6, ts=ts2))
    # Vendor chunks, chunks not read (auth key, correlation id, node name),
    # a 16-bit capture id, both address families with the family chunk
    # choosing IPv6, macOS's AF_INET6.
    extra = (hep3_chunk(0x0E, b"secret") + hep3_chunk(0x11, b"corr-1@host") +
             hep3_chunk(0x13, b"node-a") + hep3_chunk(0x20, b"\x01\x02", vendor=3))
    seeds["v3-ipv4-extra-chunks"] = hep3(src, dst, sport, dport, inv, ts=ts, capture_id=None,
                                         extra=extra + hep3_chunk(0x0C, struct.pack(">H", 7)))
    both = hep3(src6, dst6, sport6, dport6, inv6, ts=ts6, family=30,
                extra=hep3_chunk(0x03, src) + hep3_chunk(0x04, dst))
    seeds["v3-both-families"] = both
    # A compressed payload (counted, not read), an RTCP report next to SIP,
    # and a SIP packet followed by bytes that are not HEP.
    seeds["v3-compressed"] = hep3(src, dst, sport, dport, b"\x1f\x8b\x08\x00" + inv[:40],
                                  ts=ts, payload_type=0x10)
    seeds["v3-rtcp-and-sip"] = (hep3(src, dst, 40000, 40001, b"\x80\xc8\x00\x06" + bytes(24),
                                     ts=ts, ptype=5) +
                                hep3(src, dst, sport, dport, inv, ts=ts))
    seeds["v3-then-garbage"] = hep3(src, dst, sport, dport, resp, ts=ts2) + b"not HEP"
    seeds["v2-ipv4-padded"] = hep2(src, dst, sport, dport, inv, ts=ts)
    seeds["v2-ipv4-packed"] = hep2(src, dst, sport, dport, resp, ts=ts2, packed=True)
    seeds["v2-ipv6-tcp"] = hep2(src6, dst6, sport6, dport6, inv6, proto=6, ts=ts6)
    seeds["v2-ipv6-freebsd"] = hep2(src6, dst6, sport6, dport6, inv6, ts=ts6, family=28)
    seeds["v1-ipv4"] = hep2(src, dst, sport, dport, inv, version=1)
    return seeds


# ---- filter texts (fuzz_ui_filter) -----------------------------------------------

def seeds_ui_filter():
    texts = [
        # plain: method, state, URIs, Call-ID, header values, start lines
        "invite", "busy 486", "answered", "ALICE@a", "dave@b.example", "c2",
        "zebra-corp", "Busy Here", "SIP/2.0 180 Ringing", "z9hG4bK-INVITE-c2",
        "  carol  ", "\x1b]0;evil", "second line", "[2001:db8::1]:5070", "\xc3\xa9t",
        # regular expressions: anchors, classes, case, raw bytes, lookaround
        "~^X-Tenant: Z", "~Corp$", "~(?i)^x-tenant", "~^busy [0-9]+$",
        "~CSeq: \\d+ (INVITE|OPTIONS)", "~\\x1b\\]0;", "~(?s)^INVITE.*m=audio",
        "~(?<=tag=)t-c\\d", "~^(?!Via)[A-Z][a-z-]+: sip:", "~\\bRTP/AVP\\b",
        "~(?m)^a=rtpmap:(\\d+) telephone-event", "~(a)\\1", "~[[:alpha:]]+@b\\.example",
        "~\\p{L}", "~(*UTF)\\x{e9}", "~(*CRLF)^Call-ID: c[13]$", "~\\R\\R",
        # patterns that backtrack badly on runs of one character or of
        # word characters: the match limits bound them
        "~(a+)+$", "~(a|aa)+$", "~(a|a)*c", "~(\\w|\\w\\w)+$", "~(\\w+\\s?)+!$",
        "~(.*a){12}x", "~(?s)(.*)*Z$", "~(\\w|\\w\\w){1,15}(?!)", "~((a+)+)+b$",
        "~(*LIMIT_MATCH=100000000)(a|aa)+$", "~(*UTF)(*LIMIT_HEAP=99999999)(.*\\w)+;",
        "~" + "(" * 200 + "a" + ")?" * 200 + "b",
        # does not compile
        "~(unclosed", "~[z-a]", "~(*LIMIT_MATCH)x", "~\\", "~a{2,1}",
        "~", "   ", "",
    ]
    seeds = {}
    for i, t in enumerate(texts):
        seeds["%02d" % i] = t.encode("latin-1")
    return seeds


# ---- writing ------------------------------------------------------------------

def corpora():
    sip = seeds_sip_parse()
    return {
        "fuzz_sip_parse": sip,
        "fuzz_sdp": seeds_sdp(sip),
        "fuzz_model": seeds_model(),
        "fuzz_frame": seeds_frame(),
        "fuzz_capture": seeds_capture(),
        "fuzz_hep": seeds_hep(),
        "fuzz_ui_filter": seeds_ui_filter(),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only compare with the files there")
    args = ap.parse_args()
    stale = False
    for harness, seeds in corpora().items():
        d = os.path.join(CORPUS, harness)
        want = {name: data for name, data in seeds.items()}
        have = set(os.listdir(d)) if os.path.isdir(d) else set()
        if args.check:
            for name, data in want.items():
                p = os.path.join(d, name)
                if name not in have or open(p, "rb").read() != data:
                    print("stale: %s/%s" % (harness, name))
                    stale = True
            for name in have - set(want):
                print("extra: %s/%s" % (harness, name))
                stale = True
            continue
        os.makedirs(d, exist_ok=True)
        for name in have - set(want):
            os.unlink(os.path.join(d, name))
        for name, data in want.items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
        total = sum(len(v) for v in want.values())
        print("%-16s %3d files %7d bytes" % (harness, len(want), total))
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
