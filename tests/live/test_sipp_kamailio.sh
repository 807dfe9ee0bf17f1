#!/bin/bash
# Real proxied SIP traffic, captured on the loopback interface, must be
# rebuilt into the right transactions, dialogs, calls and registrations.
#
#   test_sipp_kamailio.sh SIPSCOPE_BINARY
#
# Kamailio runs as a stateful, Record-Routing proxy and registrar with
# digest authentication on 127.0.0.1:15060 (UDP and TCP); SIPp plays the
# user agents:
#   - 5 calls over UDP and 2 over TCP from a UAC (15080 / 15083) to a UAS
#     (15070): INVITE, 180, 200, ACK and BYE along the route set;
#   - a REGISTER challenged with 401 and sent again with credentials;
#   - a call forked in parallel to two UASes (15071 answers, 15072 rings
#     and is CANCELled by the proxy);
#   - a call the caller CANCELs after the 180 (UAS on 15072).
# tcpdump records port 15060 on lo; then `sipscope -r capture --json` must
# show every call, hop and link (see check() below).
#
# Exit 77 (skipped) when not root, when sipp, kamailio, tcpdump or python3
# are missing (Debian: sip-tester, kamailio, tcpdump), or when a port is
# taken.  Everything is bounded by timeouts; every process started here is
# stopped on exit.  Set KEEP_LIVE_TMP=1 to keep the work folder.
set -u

SIPSCOPE=${1:?usage: test_sipp_kamailio.sh SIPSCOPE_BINARY}
PROXY_PORT=15060
UAS_PORT=15070
FORK_A_PORT=15071
RING_PORT=15072
UAC_PORT=15080
FORK_UAC_PORT=15081
CANCEL_UAC_PORT=15082
TCP_UAC_PORT=15083
REG_PORT=15090
CALLS=5
TCP_CALLS=2

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || skip "needs root (tcpdump on lo)"
for t in sipp kamailio tcpdump python3 timeout; do
	command -v "$t" >/dev/null 2>&1 || skip "$t is not installed (Debian packages: sip-tester kamailio tcpdump)"
done
[ -x "$SIPSCOPE" ] || fail "no sipscope binary at $SIPSCOPE"
case $SIPSCOPE in /*) ;; *) SIPSCOPE=$PWD/$SIPSCOPE ;; esac

python3 - "$PROXY_PORT" "$UAS_PORT" "$FORK_A_PORT" "$RING_PORT" "$UAC_PORT" \
	"$FORK_UAC_PORT" "$CANCEL_UAC_PORT" "$TCP_UAC_PORT" "$REG_PORT" <<'EOF' || skip "a port in 15060-15090 is taken on 127.0.0.1"
import socket, sys
for p in sys.argv[1:]:
    for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
        s = socket.socket(socket.AF_INET, kind)
        if kind == socket.SOCK_STREAM:  # TIME_WAIT of an earlier run is fine
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", int(p)))
        except OSError:
            sys.exit(1)
        finally:
            s.close()
EOF

TMP=$(mktemp -d /tmp/sipscope-live.XXXXXX)
PIDS=""
cleanup() {
	for p in $PIDS; do
		kill "$p" 2>/dev/null
	done
	sleep 0.2
	for p in $PIDS; do
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	if [ "${KEEP_LIVE_TMP:-0}" = 1 ]; then
		echo "work folder kept: $TMP"
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM
cd "$TMP" || exit 1

# The whole test stays under a minute, whatever hangs.
(
	trap 'kill $sleeper 2>/dev/null; exit 0' TERM
	sleep 55 &
	sleeper=$!
	wait $sleeper && { echo "FAIL: timed out after 55 s"; kill -TERM $$; }
) &
PIDS="$PIDS $!"

# ---------------------------------------------------------------- kamailio

cat > kamailio.cfg <<EOF
#!KAMAILIO
debug=2
log_stderror=yes
children=2
tcp_children=2
auto_aliases=no
dns=no
rev_dns=no
listen=udp:127.0.0.1:$PROXY_PORT
listen=tcp:127.0.0.1:$PROXY_PORT
alias="127.0.0.1:$PROXY_PORT"

loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "pv.so"
loadmodule "auth.so"
loadmodule "corex.so"

modparam("usrloc", "db_mode", 0)

request_route {
	if (!mf_process_maxfwd_header("10")) {
		sl_send_reply("483", "Too Many Hops");
		exit;
	}
	if (has_totag()) {
		if (loose_route()) {
			t_relay();
			exit;
		}
		if (is_method("ACK")) {
			if (t_check_trans())
				t_relay();
			exit;
		}
		sl_send_reply("404", "Not here");
		exit;
	}
	if (is_method("CANCEL")) {
		if (t_check_trans())
			t_relay();
		exit;
	}
	t_check_trans();
	if (is_method("REGISTER")) {
		if (!pv_www_authenticate("\$td", "secret", "0")) {
			www_challenge("\$td", "0");
			exit;
		}
		save("location");
		exit;
	}
	if (is_method("INVITE|SUBSCRIBE"))
		record_route();
	if (\$rU == "fork") {
		\$ru = "sip:fork@127.0.0.1:$FORK_A_PORT";
		append_branch("sip:fork@127.0.0.1:$RING_PORT");
	} else if (\$rU == "cancel") {
		\$ru = "sip:cancel@127.0.0.1:$RING_PORT";
	} else if (!lookup("location")) {
		\$ru = "sip:" + \$rU + "@127.0.0.1:$UAS_PORT";
	}
	t_relay();
}
EOF

# ---------------------------------------------------------------- scenarios

SDP='v=0
      o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0
      a=rtpmap:0 PCMU/8000'

FROM='From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]'
TO='To: [service] <sip:[service]@[remote_ip]:[remote_port]>'
VIA='Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]'

# The start both UAC scenarios share: the INVITE (with an SDP offer) and
# the optional 100.  $1: the scenario's name.
uac_start() {
	cat <<EOF
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="$1">
  <send retrans="500">
    <![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      $VIA
      $FROM
      $TO
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:sipp@[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      $SDP
    ]]>
  </send>
  <recv response="100" optional="true"/>
EOF
}

# The 180 both UASes answer an INVITE with.
ringing_send() {
	cat <<EOF
  <send>
    <![CDATA[
      SIP/2.0 180 Ringing
      [last_Via:]
      [last_Record-Route:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      Content-Length: 0
    ]]>
  </send>
EOF
}

# UAC: INVITE; ACK and BYE to the remote target, along the route set.
cat > uac.xml <<EOF
$(uac_start "UAC through a Record-Routing proxy")
  <recv response="180" optional="true"/>
  <recv response="200" rtd="true" rrs="true"/>
  <send>
    <![CDATA[
      ACK [next_url] SIP/2.0
      $VIA
      [routes]
      $FROM
      $TO[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <pause milliseconds="300"/>
  <send retrans="500">
    <![CDATA[
      BYE [next_url] SIP/2.0
      $VIA
      [routes]
      $FROM
      $TO[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 BYE
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="200" crlf="true"/>
</scenario>
EOF

# UAC that gives up after the 180: CANCEL (on the INVITE's branch), 200,
# 487, ACK (on the INVITE's branch too).
cat > uac_cancel.xml <<EOF
$(uac_start "UAC that cancels after ringing")
  <recv response="180"/>
  <pause milliseconds="300"/>
  <send retrans="500">
    <![CDATA[
      CANCEL sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch-4]
      $FROM
      $TO
      Call-ID: [call_id]
      CSeq: 1 CANCEL
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="200"/>
  <recv response="487"/>
  <send>
    <![CDATA[
      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch-7]
      $FROM
      $TO[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
</scenario>
EOF

# UAS that answers: 180, 200 (Record-Route echoed), ACK, BYE, 200.
cat > uas.xml <<EOF
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="UAS that answers">
  <recv request="INVITE" crlf="true"/>
$(ringing_send)
  <pause milliseconds="100"/>
  <send retrans="500">
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_Record-Route:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      Content-Type: application/sdp
      Content-Length: [len]

      $SDP
    ]]>
  </send>
  <recv request="ACK" crlf="true"/>
  <recv request="BYE"/>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0
    ]]>
  </send>
</scenario>
EOF

# UAS that rings until CANCELled: 180, then 200 to the CANCEL and 487 to
# the INVITE (with the INVITE's two Vias, the proxy's and the UAC's, and
# its CSeq), and the ACK.
cat > uas_ring.xml <<EOF
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="UAS that rings until cancelled">
  <recv request="INVITE" crlf="true">
    <action>
      <ereg regexp="[^ ].*" search_in="hdr" header="Via:" occurrence="1"
            assign_to="via1"/>
      <ereg regexp="[^ ].*" search_in="hdr" header="Via:" occurrence="2"
            assign_to="via2"/>
      <ereg regexp="[0-9]+" search_in="hdr" header="CSeq:" assign_to="cseq"/>
    </action>
  </recv>
$(ringing_send)
  <recv request="CANCEL"/>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0
    ]]>
  </send>
  <send>
    <![CDATA[
      SIP/2.0 487 Request Terminated
      Via: [\$via1]
      Via: [\$via2]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      CSeq: [\$cseq] INVITE
      Content-Length: 0
    ]]>
  </send>
  <recv request="ACK"/>
</scenario>
EOF

# REGISTER, 401, REGISTER with credentials, 200.
cat > register.xml <<EOF
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="REGISTER with digest authentication">
  <send retrans="500">
    <![CDATA[
      REGISTER sip:[remote_ip]:[remote_port] SIP/2.0
      $VIA
      From: <sip:alice@127.0.0.1>;tag=[pid]reg[call_number]
      To: <sip:alice@127.0.0.1>
      Call-ID: [call_id]
      CSeq: 1 REGISTER
      Contact: <sip:alice@[local_ip]:[local_port]>
      Expires: 60
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="401" auth="true"/>
  <send retrans="500">
    <![CDATA[
      REGISTER sip:[remote_ip]:[remote_port] SIP/2.0
      $VIA
      From: <sip:alice@127.0.0.1>;tag=[pid]reg[call_number]
      To: <sip:alice@127.0.0.1>
      Call-ID: [call_id]
      CSeq: 2 REGISTER
      Contact: <sip:alice@[local_ip]:[local_port]>
      [authentication username=alice password=secret]
      Expires: 60
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="200"/>
</scenario>
EOF

# ---------------------------------------------------------------- run

start() { # name command...: runs in the background, remembers the pid
	local name=$1
	shift
	"$@" > "$name.out" 2>&1 &
	PIDS="$PIDS $!"
}

wait_for() { # seconds condition...
	local n=$(( $1 * 10 ))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

listening() { grep -q "listening on" tcpdump.out 2>/dev/null; }
kamailio_up() {
	python3 - "$PROXY_PORT" <<'EOF'
import socket, sys
s = socket.socket()
s.settimeout(0.5)
try:
    s.connect(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
EOF
}

start kamailio kamailio -f kamailio.cfg -DD -E -m 32 -M 8 -w "$TMP" -Y "$TMP"
wait_for 10 kamailio_up || { cat kamailio.out; fail "kamailio did not start"; }

start tcpdump timeout 55 tcpdump -i lo -n -U --immediate-mode -s 0 \
	-w live.pcap "host 127.0.0.1 and port $PROXY_PORT"
TCPDUMP_PID=${PIDS##* }
wait_for 10 listening || { cat tcpdump.out; fail "tcpdump did not start"; }

SIPP_COMMON="-i 127.0.0.1 -nostdin -timeout 20 -trace_err -trace_msg"
start uas sipp -sf uas.xml $SIPP_COMMON -p $UAS_PORT -m $((CALLS + TCP_CALLS))
start uas_fork sipp -sf uas.xml $SIPP_COMMON -p $FORK_A_PORT -m 1
start uas_ring sipp -sf uas_ring.xml $SIPP_COMMON -p $RING_PORT -m 2
sleep 0.5

run_uac() { # name sipp-arguments...
	local name=$1
	shift
	if ! timeout 12 sipp $SIPP_COMMON "$@" 127.0.0.1:$PROXY_PORT \
		> "$name.out" 2>&1; then
		echo "--- $name"
		tail -30 "$name.out"
		cat ./*_errors.log 2>/dev/null | tail -40
		fail "sipp $name failed"
	fi
}

run_uac uac -sf uac.xml -s bob -p $UAC_PORT -m $CALLS -r 10
run_uac uac_tcp -sf uac.xml -s tcpbob -t t1 -p $TCP_UAC_PORT -m $TCP_CALLS -r 10
run_uac register -sf register.xml -s alice -p $REG_PORT -m 1 \
	-au alice -ap secret
run_uac uac_fork -sf uac.xml -s fork -p $FORK_UAC_PORT -m 1
run_uac uac_cancel -sf uac_cancel.xml -s cancel -p $CANCEL_UAC_PORT -m 1

sleep 1
kill -INT "$TCPDUMP_PID" 2>/dev/null
wait "$TCPDUMP_PID" 2>/dev/null
[ -s live.pcap ] || fail "empty capture"

"$SIPSCOPE" -r live.pcap --json > sipscope.json 2> sipscope.err ||
	{ cat sipscope.err; fail "sipscope -r live.pcap --json failed"; }

# ---------------------------------------------------------------- check

python3 - live.pcap sipscope.json "$CALLS" "$TCP_CALLS" <<'EOF'
import json
import struct
import sys

pcap, out, calls, tcp_calls = sys.argv[1], sys.argv[2], int(sys.argv[3]), \
    int(sys.argv[4])
problems = []


def check(cond, what):
    if not cond:
        problems.append(what)
    return cond


# UDP payloads by frame, straight from the capture (Ethernet, IPv4)
udp = {}
with open(pcap, "rb") as f:
    data = f.read()
magic = struct.unpack("<I", data[:4])[0]
e = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
linktype = struct.unpack(e + "I", data[20:24])[0]
off, frame = 24, 0
while off + 16 <= len(data):
    _, _, caplen, _ = struct.unpack(e + "IIII", data[off:off + 16])
    pkt = data[off + 16:off + 16 + caplen]
    off += 16 + caplen
    frame += 1
    l2 = 14 if linktype == 1 else 0
    if len(pkt) < l2 + 20 or pkt[l2] >> 4 != 4:
        continue
    ihl = (pkt[l2] & 15) * 4
    if pkt[l2 + 9] != 17:
        continue
    sport, dport = struct.unpack("!HH", pkt[l2 + ihl:l2 + ihl + 4])
    udp[frame] = (sport, dport, pkt[l2 + ihl + 8:])

msgs, txns, dialogs, calls_by_id, regs = [], {}, {}, {}, {}
for line in open(out):
    r = json.loads(line)
    t = r.get("type")
    if t == "message":
        msgs.append(r)
    elif t == "transaction":
        txns[r["id"]] = r
    elif t == "dialog":
        dialogs[r["id"]] = r
    elif t == "call":
        calls_by_id[r["call_id"]] = r
    elif t == "registration":
        regs[r["aor"]] = r
if not msgs or "transaction" not in msgs[0]:
    print("FAIL: no model output (message records without transactions)")
    sys.exit(1)


def norm(s):
    return None if s is None else str(s).replace("_", "-").lower()


def user_of(uri):
    u = uri or ""
    u = u.split(":", 1)[-1]
    return u.split("@", 1)[0]


# retransmissions: flagged exactly when the same bytes went the same way
seen = set()
for m in msgs:
    fr = m["frame"]
    if fr in udp:
        key = udp[fr]
        dup = key in seen
        seen.add(key)
        check(m["retransmission"] == dup,
              "frame %d (%s %s): retransmission=%r, but the same datagram "
              "was %sseen before" % (fr, m.get("method") or m.get("status"),
                                     m.get("call_id"), m["retransmission"],
                                     "" if dup else "not "))
    else:
        check(not m["retransmission"], "frame %d: TCP message marked as a "
              "retransmission" % fr)

by_call = {}
for m in msgs:
    by_call.setdefault(m["call_id"], []).append(m)


def txns_of(cid):
    ids = []
    for m in by_call.get(cid, []):
        if m["transaction"] not in ids:
            ids.append(m["transaction"])
    return [txns[i] for i in ids]


def first_msg(t):
    for m in msgs:
        if m["transaction"] == t["id"]:
            return m
    return None


def hop_check(cid, method, n, what):
    """n transactions of method, the first one (from the UAC) without a
    parent, each of the others the child of the first."""
    ts = [t for t in txns_of(cid) if t["method"] == method]
    if not check(len(ts) == n, "%s %s: %d %s transactions, want %d" % (
            what, cid, len(ts), method, n)):
        return ts
    up = ts[0]
    check(up.get("parent") is None, "%s %s: the UAC's %s transaction has "
          "parent %r" % (what, cid, method, up.get("parent")))
    for t in ts[1:]:
        check(t.get("parent") == up["id"], "%s %s: %s transaction %r has "
              "parent %r, want %r" % (what, cid, method, t["id"],
                                      t.get("parent"), up["id"]))
    return ts


def call_of(user):
    return [c for c in calls_by_id.values() if user_of(c.get("to")) == user]


# plain calls, UDP and TCP
for user, n, tp in (("bob", calls, "UDP"), ("tcpbob", tcp_calls, "TCP")):
    cs = call_of(user)
    check(len(cs) == n, "%d calls to %s, want %d" % (len(cs), user, n))
    for c in cs:
        cid = c["call_id"]
        check(norm(c["state"]) == "answered", "call %s: state %r" %
              (cid, c["state"]))
        check(c["final_status"] == 200, "call %s: final_status %r" %
              (cid, c["final_status"]))
        check(c["ended_by"] == "caller", "call %s: ended_by %r" %
              (cid, c["ended_by"]))
        for k in ("start_ts", "ring_ts", "answer_ts", "end_ts"):
            check(c.get(k), "call %s: no %s" % (cid, k))
        check(len(c["dialogs"]) == 1, "call %s: %d dialogs, want 1" %
              (cid, len(c["dialogs"])))
        for d in c["dialogs"]:
            dd = dialogs[d]
            check(norm(dd["state"]) == "terminated", "call %s: dialog "
                  "state %r" % (cid, dd["state"]))
            check(dd["confirmed_ts"], "call %s: dialog never confirmed" % cid)
        invs = hop_check(cid, "INVITE", 2, "call")
        for t in invs:
            check(t["final_status"] == 200, "call %s: INVITE txn %r final "
                  "%r" % (cid, t["id"], t["final_status"]))
        hop_check(cid, "BYE", 2, "call")
        acks = [t for t in txns_of(cid) if t["method"] == "ACK"]
        check(len(acks) == 2, "call %s: %d ACK transactions, want 2 (one "
              "per hop)" % (cid, len(acks)))
        first = first_msg(invs[0]) if invs else None
        if first:
            check(first.get("transport") == tp, "call %s: first INVITE "
                  "over %r, want %s" % (cid, first.get("transport"), tp))

# forking
cs = call_of("fork")
if check(len(cs) == 1, "%d forked calls, want 1" % len(cs)):
    c = cs[0]
    cid = c["call_id"]
    check(norm(c["state"]) == "answered", "forked call: state %r" %
          c["state"])
    check(c["final_status"] == 200, "forked call: final %r" %
          c["final_status"])
    invs = hop_check(cid, "INVITE", 3, "forked call")
    finals = sorted(t["final_status"] or 0 for t in invs)
    check(finals == [200, 200, 487], "forked call: INVITE finals %r, want "
          "200 (UAC), 200 (answering branch), 487 (cancelled branch)"
          % finals)
    ds = [dialogs[d] for d in c["dialogs"]]
    check(len(ds) == 2, "forked call: %d dialogs, want 2" % len(ds))
    check(len(set(d["to_tag"] for d in ds)) == len(ds),
          "forked call: dialogs with the same To tag")
    check(sorted(bool(d["confirmed_ts"]) for d in ds) == [False, True],
          "forked call: want one confirmed dialog and one early only")
    check(all(norm(d["state"]) == "terminated" for d in ds),
          "forked call: dialog states %r" % [d["state"] for d in ds])
    cancels = [t for t in txns_of(cid) if t["method"] == "CANCEL"]
    if check(len(cancels) == 1, "forked call: %d CANCEL transactions, "
             "want 1 (proxy to the ringing branch)" % len(cancels)):
        lost = [t for t in invs if t["final_status"] == 487]
        check(lost and cancels[0].get("cancel") == lost[0]["id"],
              "forked call: the CANCEL is linked to %r, want the 487 "
              "branch %r" % (cancels[0].get("cancel"),
                             lost[0]["id"] if lost else None))

# cancelled call
cs = call_of("cancel")
if check(len(cs) == 1, "%d cancelled calls, want 1" % len(cs)):
    c = cs[0]
    cid = c["call_id"]
    check(norm(c["state"]) == "cancelled", "cancelled call: state %r" %
          c["state"])
    check(c["final_status"] == 487, "cancelled call: final %r" %
          c["final_status"])
    check(c["ended_by"] == "caller", "cancelled call: ended_by %r" %
          c["ended_by"])
    invs = hop_check(cid, "INVITE", 2, "cancelled call")
    cancels = [t for t in txns_of(cid) if t["method"] == "CANCEL"]
    check(len(cancels) == 2, "cancelled call: %d CANCEL transactions, "
          "want 2" % len(cancels))
    for t in invs:
        check(t["final_status"] == 487, "cancelled call: INVITE txn %r "
              "final %r" % (t["id"], t["final_status"]))
        # the ACK for the 487 joins the INVITE transaction
        kinds = [m.get("method") or m.get("status") for m in msgs
                 if m["transaction"] == t["id"]]
        check("ACK" in kinds, "cancelled call: INVITE txn %r holds %r, no "
              "ACK" % (t["id"], kinds))
    inv_by_branch = {t["branch"]: t["id"] for t in invs}
    for t in cancels:
        want = inv_by_branch.get(t["branch"])
        check(want is not None and t.get("cancel") == want,
              "cancelled call: CANCEL txn %r (branch %s) linked to %r, "
              "want %r" % (t["id"], t["branch"], t.get("cancel"), want))
    check(len(c["dialogs"]) == 1, "cancelled call: %d dialogs, want 1 "
          "(early, from the 180)" % len(c["dialogs"]))

# registration
r = regs.get("sip:alice@127.0.0.1")
if check(r is not None, "no registration for sip:alice@127.0.0.1 (have %r)"
         % sorted(regs)):
    check(r["last_status"] == 200, "registration: last_status %r" %
          r["last_status"])
    check(r["challenges"] == 1, "registration: challenges %r" %
          r["challenges"])
    bs = r["contacts"]
    check(len(bs) == 1 and bs[0]["uri"] == "sip:alice@127.0.0.1:15090"
          and bs[0]["expires"] == 60 and norm(bs[0]["state"]) == "active",
          "registration: contacts %r" % bs)

n_ok = len(calls_by_id)
if problems:
    print("FAIL: %d problems (%d messages, %d transactions, %d dialogs, %d "
          "calls)" % (len(problems), len(msgs), len(txns), len(dialogs),
                      n_ok))
    for p in problems:
        print("  " + p)
    sys.exit(1)
print("ok: %d messages, %d transactions, %d dialogs, %d calls, %d "
      "registrations" % (len(msgs), len(txns), len(dialogs), n_ok, len(regs)))
EOF
rc=$?
[ $rc -eq 0 ] || KEEP_LIVE_TMP=1
exit $rc
