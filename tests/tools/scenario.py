"""scenario — what the call-flow and finding generators share.

make_flow_pcaps.py and make_finding_pcaps.py build their captures from
the SIP elements below: messages (Msg, request, response, ack_for,
cancel_for, sdp), the hops between elements (Node; a proxy forwarding a
request with forward(), a response retracing the Via path with back(),
`received=` with received()) and the capture under construction (Flow).
Every hop is its own packets between distinct addresses; proxies push
their own Via with their own branch, decrement Max-Forwards, add
Record-Route and `received=`, consume their Route entry, and responses
retrace the Via path.

Generator is the command line of every capture generator of tests/tools
(make_test_pcaps.py too): build all or some scenarios into a folder,
--verify them against the committed files, --check them with tshark,
--list them.  Output is byte for byte deterministic.

Standard library only (and mkpcap.py beside it).
"""

import argparse
import filecmp
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from mkpcap import Capture, Ether, udp_packet  # noqa: E402

T0 = 1700000000 * 10**9  # 2023-11-14 22:13:20 UTC
MS = 10**6


# ---------------------------------------------------------------- messages

class Msg:
    """A SIP message: start line, ordered (name, value) headers, body.
    Content-Length is computed when the message is serialised."""

    def __init__(self, start, headers, body=""):
        self.start = start
        self.headers = [tuple(h) for h in headers]
        self.body = body

    def copy(self):
        return Msg(self.start, list(self.headers), self.body)

    @property
    def method(self):
        if self.start.startswith("SIP/2.0 "):
            return None
        return self.start.split(" ", 1)[0]

    def get(self, name):
        for n, v in self.headers:
            if n.lower() == name.lower():
                return v
        return None

    def all(self, name):
        return [v for n, v in self.headers if n.lower() == name.lower()]

    def remove(self, name):
        self.headers = [(n, v) for n, v in self.headers
                        if n.lower() != name.lower()]
        return self

    def set(self, name, value):
        for i, (n, _) in enumerate(self.headers):
            if n.lower() == name.lower():
                self.headers[i] = (n, value)
                return self
        self.headers.append((name, value))
        return self

    def insert_before(self, name, new_name, value):
        """Inserts a header before the first `name` header (or at the end
        of the header block when there is none)."""
        for i, (n, _) in enumerate(self.headers):
            if n.lower() == name.lower():
                self.headers.insert(i, (new_name, value))
                return self
        self.headers.append((new_name, value))
        return self

    def bytes(self):
        body = self.body.replace("\r\n", "\n").replace("\n", "\r\n")
        bb = body.encode()
        lines = [self.start]
        for n, v in self.headers:
            if n.lower() in ("content-length", "l"):
                continue
            lines.append("%s: %s" % (n, v))
        lines.append("Content-Length: %d" % len(bb))
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + bb


def request(method, ruri, via, from_, to, call_id, cseq, contact=None,
            extra=(), body="", max_forwards=70, route=()):
    """A request.  via: the whole Via value (one hop); cseq: number."""
    h = [("Via", via), ("Max-Forwards", str(max_forwards))]
    h += [("Route", r) for r in route]
    h += [("From", from_), ("To", to), ("Call-ID", call_id),
          ("CSeq", "%d %s" % (cseq, method))]
    if contact:
        h.append(("Contact", contact))
    h += list(extra)
    if body:
        h.append(("Content-Type", "application/sdp"))
    return Msg("%s %s SIP/2.0" % (method, ruri), h, body)


def response(req, code, reason, to_tag=None, extra=(), body=""):
    """A response to req: its Via stack, Record-Route, From, To (with
    to_tag added when the To has none), Call-ID and CSeq, then extra."""
    h = [("Via", v) for v in req.all("Via")]
    h += [("Record-Route", v) for v in req.all("Record-Route")]
    h.append(("From", req.get("From")))
    to = req.get("To")
    if to_tag and ";tag=" not in to:
        to += ";tag=" + to_tag
    h.append(("To", to))
    h.append(("Call-ID", req.get("Call-ID")))
    h.append(("CSeq", req.get("CSeq")))
    h += list(extra)
    if body:
        h.append(("Content-Type", "application/sdp"))
    return Msg("SIP/2.0 %d %s" % (code, reason), h, body)


def own_via(req):
    """The top Via of req as its sender wrote it (without the
    `received=` a next hop may have added to its copy)."""
    return re.sub(r";received=[^;,]*", "", req.all("Via")[0])


def ack_for(inv, final, ruri=None):
    """The ACK a client transaction sends for a non-2xx final response
    (RFC 3261 §17.1.1.3): same Request-URI, top Via (branch), From,
    Call-ID and CSeq number as the INVITE, To of the response, and the
    INVITE's Route headers."""
    h = [("Via", own_via(inv)),
         ("Max-Forwards", inv.get("Max-Forwards"))]
    h += [("Route", r) for r in inv.all("Route")]
    h += [("From", inv.get("From")), ("To", final.get("To")),
          ("Call-ID", inv.get("Call-ID")),
          ("CSeq", "%s ACK" % inv.get("CSeq").split()[0])]
    return Msg("ACK %s SIP/2.0" % (ruri or inv.start.split()[1]), h)


def cancel_for(inv):
    """CANCEL for inv (§9.1): same Request-URI, top Via only, From, To,
    Call-ID, CSeq number, Route."""
    h = [("Via", own_via(inv)),
         ("Max-Forwards", inv.get("Max-Forwards"))]
    h += [("Route", r) for r in inv.all("Route")]
    h += [("From", inv.get("From")), ("To", inv.get("To")),
          ("Call-ID", inv.get("Call-ID")),
          ("CSeq", "%s CANCEL" % inv.get("CSeq").split()[0])]
    return Msg("CANCEL %s SIP/2.0" % inv.start.split()[1], h)


def sdp(user, ip, port, sess, ver=None, codecs=(0,), direction=None):
    names = {0: "PCMU/8000", 8: "PCMA/8000", 18: "G729/8000",
             101: "telephone-event/8000"}
    lines = ["v=0",
             "o=%s %d %d IN IP4 %s" % (user, sess, sess if ver is None
                                        else ver, ip),
             "s=-",
             "c=IN IP4 %s" % ip,
             "t=0 0",
             "m=audio %d RTP/AVP %s" % (port, " ".join(str(c) for c in codecs))]
    for c in codecs:
        lines.append("a=rtpmap:%d %s" % (c, names[c]))
    if 101 in codecs:
        lines.append("a=fmtp:101 0-15")
    if direction:
        lines.append("a=%s" % direction)
    return "\n".join(lines) + "\n"


class Node:
    """A SIP element: its address, and what it writes as Via sent-by and
    in its own URIs (a host name, as the RFC examples do, or the IP)."""

    def __init__(self, ip, host=None, port=5060, via_port=True):
        self.ip = ip
        self.port = port
        self.host = host or ip
        self.via_port = via_port

    def sent_by(self):
        if self.via_port:
            return "%s:%d" % (self.host, self.port)
        return self.host

    def via(self, branch, transport="UDP"):
        return "SIP/2.0/%s %s;branch=%s" % (transport, self.sent_by(), branch)

    def uri(self, user=None, params=""):
        u = "%s@" % user if user else ""
        port = "" if self.port == 5060 else ":%d" % self.port
        return "sip:%s%s%s%s" % (u, self.host, port, params)

    def rr(self):
        return "<%s>" % self.uri(params=";lr")


def _via_host(v):
    sent_by = v.split(None, 1)[1].split(";", 1)[0].strip()
    if sent_by.startswith("["):
        return sent_by[1:].split("]", 1)[0]
    return sent_by.rsplit(":", 1)[0] if sent_by.count(":") == 1 else sent_by


def received(msg, src):
    """msg as the next hop sees it (§18.2.1): `received=` on the top Via
    when its host is not the address the request came from."""
    m = msg.copy()
    for i, (n, v) in enumerate(m.headers):
        if n.lower() == "via":
            if _via_host(v) != src.ip and ";received=" not in v:
                m.headers[i] = (n, v + ";received=" + src.ip)
            break
    return m


def forward(req, proxy, branch, src, record_route=True, ruri=None):
    """req (arrived at proxy from src) as the proxy sends it on (§16.6):
    received= on the old top Via, the proxy's own Via on top, Max-Forwards
    decremented, the proxy's own Route entry consumed, Record-Route, and a
    new Request-URI when the location service gave one."""
    m = received(req, src)
    routes = m.all("Route")
    if routes and proxy.host in routes[0]:
        m.remove("Route")
        rest = routes[1:]
        for r in rest:
            m.insert_before("From", "Route", r)
    m.insert_before("Via", "Via", proxy.via(branch))
    m.set("Max-Forwards", str(int(m.get("Max-Forwards")) - 1))
    if record_route:
        m.insert_before("Record-Route" if m.all("Record-Route") else "From",
                        "Record-Route", proxy.rr())
    if ruri:
        parts = m.start.split(" ")
        m.start = "%s %s %s" % (parts[0], ruri, parts[2])
    return m


def back(resp):
    """A response as the proxy passes it upstream: its own Via removed."""
    m = resp.copy()
    for i, (n, _) in enumerate(m.headers):
        if n.lower() == "via":
            del m.headers[i]
            break
    return m


# ---------------------------------------------------------------- captures

class Flow:
    """A capture under construction: every send() is one frame at a time
    given in milliseconds after T0, in increasing order."""

    def __init__(self):
        self.cap = Capture(Ether(), t0_ns=T0)
        self.last = -1
        self.ident = 0x1000

    def _at(self, t_ms):
        ns = T0 + int(round(t_ms * MS))
        if ns < self.last:
            raise ValueError("frame at %.3f ms is earlier than the one "
                             "before" % t_ms)
        self.last = ns
        return ns

    def send(self, t_ms, src, dst, msg):
        data = msg.bytes() if isinstance(msg, Msg) else msg
        self.ident += 1
        self.cap.add(udp_packet(src.ip, src.port, dst.ip, dst.port, data,
                                ident=self.ident), ts_ns=self._at(t_ms))

    def tcp(self, t_ms, pkts, step_ms=0.05):
        """Adds ready TCP packets (a TcpConn's output), step_ms apart."""
        for i, p in enumerate(pkts):
            self.cap.add([p], ts_ns=self._at(t_ms + i * step_ms))

    def write(self, path):
        self.cap.write_pcap(path)



# ---------------------------------------------------------------- checks

def check(path):
    """Problems tshark reports in one capture (bad checksums, malformed
    packets), as strings."""
    cmd = ["tshark", "-r", path, "-o", "ip.check_checksum:TRUE",
           "-o", "udp.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
           "-Y", "_ws.malformed || _ws.expert.severity >= warning",
           "-T", "fields", "-e", "frame.number", "-e", "_ws.expert.message"]
    try:
        out = subprocess.run(cmd, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, timeout=120)
    except FileNotFoundError:
        return ["tshark is not installed"]
    return [line for line in out.stdout.decode("utf-8", "replace")
            .splitlines() if line.strip()]


# ---------------------------------------------------------------- command line

class Generator:
    """The scenarios of one generator script and its command line.

    script: the generator's path (for the "regenerate with" hint); out:
    the folder its captures are committed in; check: path -> list of
    problems, for --check; ordered: build in the order the scenarios were
    registered rather than by name; complete: --verify of every scenario
    also fails on a capture in the folder that no scenario makes."""

    def __init__(self, script, out, check=check, ordered=False,
                 complete=False):
        self.script = script
        self.out = out
        self.check = check
        self.ordered = ordered
        self.complete = complete
        self.scenarios = {}

    def scenario(self, name):
        """Decorator: fn(path) writes the capture called name."""
        def reg(fn):
            self.scenarios[name] = fn
            return fn
        return reg

    def names(self):
        return list(self.scenarios) if self.ordered else sorted(self.scenarios)

    def verify(self, out, names):
        """0 when every named capture in out is what its scenario writes."""
        bad = 0
        with tempfile.TemporaryDirectory(prefix="pcaps-") as tmp:
            for n in names:
                self.scenarios[n](os.path.join(tmp, n))
                ref = os.path.join(out, n)
                if not os.path.exists(ref):
                    print("missing: %s" % ref)
                    bad += 1
                elif not filecmp.cmp(ref, os.path.join(tmp, n), shallow=False):
                    print("differs from the generator: %s" % ref)
                    bad += 1
        if self.complete and sorted(names) == sorted(self.scenarios):
            for f in sorted(os.listdir(out)):
                if f.endswith((".pcap", ".pcapng")) and f not in self.scenarios:
                    print("not made by this script: %s" % os.path.join(out, f))
                    bad += 1
        if bad:
            print("regenerate with: python3 %s" % os.path.relpath(self.script))
        else:
            print("%d captures up to date" % len(names))
        return 1 if bad else 0

    def main(self, doc, argv=None):
        """Runs the command line; returns the exit status."""
        ap = argparse.ArgumentParser(description=doc.split("\n")[0])
        ap.add_argument("--out", default=self.out)
        ap.add_argument("--check", action="store_true",
                        help="afterwards, check every capture with tshark "
                        "(checksums, malformed packets)")
        ap.add_argument("--verify", action="store_true",
                        help="build into a temporary folder and fail if any "
                        "file differs from the one in --out (or is missing)")
        ap.add_argument("--list", action="store_true", help="list the names")
        ap.add_argument("names", nargs="*")
        a = ap.parse_args(argv)
        names = a.names or self.names()
        for n in names:
            if n not in self.scenarios:
                sys.exit("unknown capture %s" % n)
        if a.list:
            print("\n".join(names))
            return 0
        if a.verify:
            return self.verify(a.out, names)
        os.makedirs(a.out, exist_ok=True)
        bad = 0
        for n in names:
            path = os.path.join(a.out, n)
            self.scenarios[n](path)
            print("wrote %s" % path)
            if a.check:
                for p in self.check(path):
                    print("  %s: %s" % (n, p))
                    bad += 1
        return 1 if bad else 0
