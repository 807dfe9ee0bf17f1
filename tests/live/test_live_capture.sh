#!/bin/bash
# Live capture and HEP input, end to end, with real SIP peers.
#
#   test_live_capture.sh SIPSCOPE_BINARY
#
# On the loopback interface, while SIPp plays a UAC (15101) calling a UAS
# (15100), sipscope captures with -i lo and must rebuild every call,
# transaction and dialog:
#   A. --json --duration with -w: the JSON model, and the pcap read back
#      by tshark (same frames, same SIP messages);
#   B. a BPF filter with -c: exactly that many frames, only what the
#      filter passes, then sipscope ends by itself;
#   C. --write-sip-only with non-SIP noise on the same ports: only SIP in
#      the file;
#   D. --stats with -i: the report, and the drop counters on stderr;
#   E. SIGINT in the middle of a run of calls: exit 0, every JSON line
#      whole, the summary last, the pcap whole and equal to the summary;
#   F. -Z: the capture file is created by the unprivileged user;
#   G. errors, one line each with the documented status: -i nosuchdev
#      (3), an invalid filter (2), and a run without privileges (3, naming
#      CAP_NET_RAW);
#   H. HEP: Kamailio (siptrace, HEPv3) proxies SIPp calls and duplicates
#      every message to sipscope --hep-listen, which must rebuild the
#      calls with both hops.
#   I. (when network namespaces work) an interface that goes down during
#      capture: one line, what came before is kept, exit status 4;
#   J. (with tcpreplay) the frames of A replayed at a fixed rate
#      (LIVE_REPLAY_PPS, default 10000 frames/s) into a veth pair in that
#      namespace: every frame captured, no drops;
#   K. the same calls among 40,000 RTP-like datagrams through a 2 MiB ring
#      (-B 1): every SIP message whole, only SIP frames kept, no drops.
#
# Exit 77 (skipped) when not root, or when sipp, tshark, python3 or
# timeout are missing; the HEP part is skipped (with a note) without
# kamailio.  Ports: UDP 15100-15112 and 15190 on 127.0.0.1 (the
# sipp-kamailio test uses 15060-15090).  Everything is bounded by
# timeouts; every process started here is stopped on exit.  Set
# KEEP_LIVE_TMP=1 to keep the work folder.
set -u

SIPSCOPE=${1:?usage: test_live_capture.sh SIPSCOPE_BINARY}
UAS_PORT=15100
UAC_PORT=15101
NOISE_PORT=15105
ZPORT=15109
PROXY_PORT=15110
HUAS_PORT=15111
HUAC_PORT=15112
HEP_PORT=15190
CALLS=5

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
note() { echo "note: $*"; }

[ "$(id -u)" -eq 0 ] || skip "needs root (capture on lo)"
for t in sipp tshark python3 timeout; do
	command -v "$t" >/dev/null 2>&1 || skip "$t is not installed (Debian packages: sip-tester tshark)"
done
[ -x "$SIPSCOPE" ] || fail "no sipscope binary at $SIPSCOPE"
case $SIPSCOPE in /*) ;; *) SIPSCOPE=$PWD/$SIPSCOPE ;; esac
PCAPS_DIR=$(cd "$(dirname "$0")/../pcaps" && pwd)

python3 - $UAS_PORT $UAC_PORT $NOISE_PORT $ZPORT $PROXY_PORT $HUAS_PORT $HUAC_PORT $HEP_PORT <<'EOF' || skip "a port of 15100-15112/15190 is taken on 127.0.0.1"
import socket, sys
for p in sys.argv[1:]:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.bind(("127.0.0.1", int(p)))
    except OSError:
        sys.exit(1)
    finally:
        s.close()
EOF

TMP=$(mktemp -d /tmp/sipscope-livecap.XXXXXX)
chmod 755 "$TMP"
PIDS=""
NETNS=""
cleanup() {
	for p in $PIDS; do
		kill "$p" 2>/dev/null
	done
	sleep 0.2
	for p in $PIDS; do
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	[ -n "$NETNS" ] && ip netns del "$NETNS" 2>/dev/null
	if [ "${KEEP_LIVE_TMP:-0}" = 1 ]; then
		echo "work folder kept: $TMP"
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM
cd "$TMP" || exit 1

# The whole test stays under two minutes, whatever hangs.
(
	trap 'kill $sleeper 2>/dev/null; exit 0' TERM
	sleep 110 &
	sleeper=$!
	wait $sleeper && { echo "FAIL: timed out after 110 s"; kill -TERM $$; }
) &
PIDS="$PIDS $!"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}

start() { # name command...: runs in the background; $LAST is its pid
	local name=$1
	shift
	"$@" > "$name.out" 2> "$name.err" &
	LAST=$!
	PIDS="$PIDS $LAST"
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

listening() { grep -q "listening" "$1.err" 2>/dev/null; }

# waits for a background sipscope; $RC is its exit status
finish() { # name pid seconds
	local i=0
	while kill -0 "$2" 2>/dev/null && [ $i -lt $(( $3 * 10 )) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$2" 2>/dev/null; then
		cat "$1.err"
		fail "$1: sipscope did not end by itself within $3 s"
	fi
	wait "$2"
	RC=$?
}

one_line() { # file: exactly one line
	[ "$(wc -l < "$1")" -eq 1 ]
}

SIPP_COMMON="-i 127.0.0.1 -nostdin -timeout 20"

run_calls() { # uac-name calls rate: UAS on 15100, UAC on 15101
	start "uas_$1" sipp -sn uas $SIPP_COMMON -p $UAS_PORT -m "$2"
	local uas=$LAST
	sleep 0.3
	if ! timeout 20 sipp -sn uac $SIPP_COMMON -p $UAC_PORT -s bob -m "$2" -r "$3" \
		127.0.0.1:$UAS_PORT > "uac_$1.out" 2>&1; then
		tail -30 "uac_$1.out"
		fail "sipp uac ($1) failed"
	fi
	wait "$uas" 2>/dev/null
}

# ----------------------------------------------------------------- A, B, C, D

start A "$SIPSCOPE" -i lo --json --duration 6 -w a.pcap "udp port $UAS_PORT"
PID_A=$LAST
start B "$SIPSCOPE" -i lo --json -c 10 "udp dst port $UAS_PORT"
PID_B=$LAST
start C "$SIPSCOPE" -i lo --json --duration 6 -w c.pcap --write-sip-only \
	"udp port $UAS_PORT or udp port $NOISE_PORT"
PID_C=$LAST
start D "$SIPSCOPE" -i lo --stats --duration 6 "udp port $UAS_PORT"
PID_D=$LAST
for n in A B C D; do
	wait_for 10 listening $n || { cat $n.err; fail "$n: sipscope did not start capturing"; }
done

# Noise for C: UDP that is not SIP, on a port the filter passes.
python3 - $NOISE_PORT <<'EOF'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(20):
    s.sendto(b"\x80\x00not sip at all %d" % i, ("127.0.0.1", int(sys.argv[1])))
EOF

run_calls 1 $CALLS 10

finish A $PID_A 15
[ $RC -eq 0 ] || { cat A.err; fail "A: exit status $RC"; }
finish B $PID_B 5
[ $RC -eq 0 ] || { cat B.err; fail "B: exit status $RC"; }
finish C $PID_C 15
[ $RC -eq 0 ] || { cat C.err; fail "C: exit status $RC"; }
finish D $PID_D 15
[ $RC -eq 0 ] || { cat D.err; fail "D: exit status $RC"; }

tshark_count() { # file display-filter; complaints in FILE.tshark.err
	tshark -n -r "$1" -Y "$2" -T fields -e frame.number 2> "$1.tshark.log" | wc -l
	grep -v "Running as user" "$1.tshark.log" > "$1.tshark.err"
}

python3 - A.out B.out C.out "$CALLS" $UAS_PORT <<'EOF' || fail "JSON checks"
import json
import sys

a, b, c, calls, uas_port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
problems = []


def check(cond, what):
    if not cond:
        problems.append(what)
    return cond


def load(path):
    recs = []
    for n, line in enumerate(open(path), 1):
        try:
            recs.append(json.loads(line))
        except ValueError:
            problems.append("%s line %d is not JSON: %r" % (path, n, line[:80]))
    return recs


def norm(s):
    return None if s is None else str(s).replace("_", "-").lower()


# A: every call, transaction and dialog
ra = load(a)
msgs = [r for r in ra if r.get("type") == "message"]
txns = [r for r in ra if r.get("type") == "transaction"]
dialogs = {r["id"]: r for r in ra if r.get("type") == "dialog"}
calls_ = [r for r in ra if r.get("type") == "call"]
summ = [r for r in ra if r.get("type") == "summary"]
check(len(summ) == 1 and ra and ra[-1].get("type") == "summary", "A: the summary is not the last record")
check(len(calls_) == calls, "A: %d calls, want %d" % (len(calls_), calls))
for cr in calls_:
    check(norm(cr["state"]) == "answered", "A: call %s state %r" % (cr["call_id"], cr["state"]))
    check(cr["final_status"] == 200, "A: call %s final %r" % (cr["call_id"], cr["final_status"]))
    check(cr["ended_by"] == "caller", "A: call %s ended_by %r" % (cr["call_id"], cr["ended_by"]))
    check(len(cr["dialogs"]) == 1, "A: call %s has %d dialogs" % (cr["call_id"], len(cr["dialogs"])))
    for d in cr["dialogs"]:
        check(norm(dialogs[d]["state"]) == "terminated", "A: dialog %r state %r" % (d, dialogs[d]["state"]))
by_method = {}
for t in txns:
    by_method[t["method"]] = by_method.get(t["method"], 0) + 1
for m in ("INVITE", "ACK", "BYE"):
    check(by_method.get(m) == calls, "A: %r %s transactions, want %d" % (by_method.get(m), m, calls))
if summ:
    s = summ[0]
    check(s["messages"] == len(msgs), "A: summary says %r messages, %d printed" % (s["messages"], len(msgs)))
    cap = s.get("capture")
    if check(isinstance(cap, list) and len(cap) == 1, "A: no capture counters in the summary: %r" % cap):
        k = cap[0]
        check(k.get("input") == "lo", "A: capture input %r" % k.get("input"))
        for f in ("received", "kernel_dropped", "if_dropped", "ring_dropped"):
            check(isinstance(k.get(f), int), "A: capture counter %s missing" % f)
        check(k.get("ring_dropped") == 0 and k.get("kernel_dropped") == 0,
              "A: frames dropped: %r" % k)
        check(k.get("received") == s["frames"], "A: %r received, %r frames read" % (k.get("received"), s["frames"]))
    check(s.get("written_frames") == s["frames"], "A: %r frames written, %r read" % (s.get("written_frames"), s["frames"]))
    print("A: frames=%d messages=%d" % (s["frames"], s["messages"]))
    open("A.counts", "w").write("%d %d\n" % (s["frames"], s["messages"]))

# B: -c 10 and a filter
rb = load(b)
sb = [r for r in rb if r.get("type") == "summary"]
if check(len(sb) == 1, "B: no summary"):
    check(sb[0]["frames"] == 10, "B: %r frames, want 10 (-c 10)" % sb[0]["frames"])
mb = [r for r in rb if r.get("type") == "message"]
check(len(mb) == 10, "B: %d messages, want 10" % len(mb))
for m in mb:
    check(m["dst"].endswith(":%d" % uas_port), "B: message to %r passed the filter" % m["dst"])
    check(m.get("method") is not None, "B: a response (%r) to the UAS port?" % m.get("status"))

# C: the noise was captured but is no SIP
rc = load(c)
sc = [r for r in rc if r.get("type") == "summary"]
mc = [r for r in rc if r.get("type") == "message"]
if check(len(sc) == 1, "C: no summary"):
    check(sc[0]["frames"] >= len(mc) + 20, "C: %r frames for %d messages and 20 noise datagrams" % (sc[0]["frames"], len(mc)))
    check(sc[0].get("written_frames") == len(mc), "C: %r frames written, want the %d that carried SIP" % (sc[0].get("written_frames"), len(mc)))
    open("C.counts", "w").write("%d %d\n" % (sc[0]["frames"], len(mc)))

if problems:
    print("FAIL: %d problems" % len(problems))
    for p in problems:
        print("  " + p)
    sys.exit(1)
EOF

read -r A_FRAMES A_MSGS < A.counts
[ "$(tshark_count a.pcap frame)" -eq "$A_FRAMES" ] || fail "A: tshark reads $(tshark_count a.pcap frame) frames in a.pcap, sipscope read $A_FRAMES"
[ "$(tshark_count a.pcap sip)" -eq "$A_MSGS" ] || fail "A: tshark sees $(tshark_count a.pcap sip) SIP messages in a.pcap, sipscope $A_MSGS"
[ -s a.pcap.tshark.err ] && { cat a.pcap.tshark.err; fail "A: tshark complains about a.pcap"; }
read -r C_FRAMES C_MSGS < C.counts
[ "$(tshark_count c.pcap frame)" -eq "$C_MSGS" ] || fail "C: c.pcap holds $(tshark_count c.pcap frame) frames, want $C_MSGS"
[ "$(tshark_count c.pcap 'not sip')" -eq 0 ] || fail "C: c.pcap holds frames without SIP"
grep -q "INVITE" D.out || { cat D.out; fail "D: no INVITE in the --stats report"; }
grep -q "dropped by the kernel" D.err || { cat D.err; fail "D: no drop counters on stderr"; }
echo "ok: A-D (frames $A_FRAMES, SIP messages $A_MSGS; C wrote $C_MSGS of $C_FRAMES frames)"

# ----------------------------------------------------------------- E: SIGINT

start E "$SIPSCOPE" -i lo --json -w e.pcap "udp port $UAS_PORT"
PID_E=$LAST
wait_for 10 listening E || { cat E.err; fail "E: sipscope did not start capturing"; }
start uas_e sipp -sn uas $SIPP_COMMON -p $UAS_PORT -m 40
UAS_E=$LAST
sleep 0.3
start uac_e sipp -sn uac $SIPP_COMMON -p $UAC_PORT -s bob -m 40 -r 20 127.0.0.1:$UAS_PORT
UAC_E=$LAST
sleep 1
kill -INT $PID_E
finish E $PID_E 10
[ $RC -eq 0 ] || { cat E.err; fail "E: exit status $RC after SIGINT"; }
wait $UAC_E 2>/dev/null
wait $UAS_E 2>/dev/null
grep -q "stopped by a signal" E.err || { cat E.err; fail "E: the summary does not say it was stopped"; }
python3 - E.out <<'EOF' || fail "E: output after SIGINT"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]   # every line whole
assert recs and recs[-1]["type"] == "summary", "summary not last"
s = recs[-1]
assert s["messages"] > 0, "nothing captured before the signal"
assert s.get("written_frames") == s["frames"], "written %r of %r" % (s.get("written_frames"), s["frames"])
open("E.counts", "w").write("%d\n" % s["frames"])
print("E: %d frames, %d messages before SIGINT" % (s["frames"], s["messages"]))
EOF
read -r E_FRAMES < E.counts
[ "$(tshark_count e.pcap frame)" -eq "$E_FRAMES" ] || fail "E: e.pcap holds $(tshark_count e.pcap frame) frames, want $E_FRAMES"
[ -s e.pcap.tshark.err ] && { cat e.pcap.tshark.err; fail "E: tshark complains about e.pcap"; }
echo "ok: E (SIGINT)"

# ----------------------------------------------------------------- F: -Z

ZDIR=$TMP/z
mkdir -p "$ZDIR" && chmod 777 "$ZDIR"
start F "$SIPSCOPE" -i lo -Z nobody --json -c 3 -w "$ZDIR/z.pcap" "udp port $ZPORT"
PID_F=$LAST
wait_for 10 listening F || { cat F.err; fail "F: sipscope did not start capturing"; }
python3 - $ZPORT <<'EOF'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(3):
    s.sendto(b"OPTIONS sip:z@127.0.0.1 SIP/2.0\r\nContent-Length: 0\r\n\r\n", ("127.0.0.1", int(sys.argv[1])))
    time.sleep(0.05)
EOF
finish F $PID_F 10
[ $RC -eq 0 ] || { cat F.err; fail "F: exit status $RC"; }
[ "$(stat -c %U "$ZDIR/z.pcap")" = nobody ] || fail "F: z.pcap belongs to $(stat -c %U "$ZDIR/z.pcap"), not nobody"
[ "$(tshark_count "$ZDIR/z.pcap" frame)" -eq 3 ] || fail "F: z.pcap does not hold 3 frames"
start F2 "$SIPSCOPE" -i lo -Z no-such-user-here --json -c 1
finish F2 $LAST 10
[ $RC -eq 2 ] && one_line F2.err || { cat F2.err; fail "F2: -Z with an unknown user: status $RC"; }
echo "ok: F (-Z)"

# ----------------------------------------------------------------- G: errors

"$SIPSCOPE" -i nosuchdev --json -c 1 > G1.out 2> G1.err
RC=$?
[ $RC -eq 3 ] || { cat G1.err; fail "G: -i nosuchdev: exit status $RC, want 3"; }
one_line G1.err && grep -q "nosuchdev: no such interface" G1.err || { cat G1.err; fail "G: -i nosuchdev: not one clear line"; }

"$SIPSCOPE" -i lo --json -c 1 "udp port" > G2.out 2> G2.err
RC=$?
[ $RC -eq 2 ] || { cat G2.err; fail "G: invalid filter: exit status $RC, want 2"; }
one_line G2.err && grep -q "invalid filter" G2.err || { cat G2.err; fail "G: invalid filter: not one clear line"; }

if command -v setpriv >/dev/null 2>&1 &&
	setpriv --reuid=nobody --regid=nogroup --clear-groups test -x "$SIPSCOPE" 2>/dev/null; then
	setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
		"$SIPSCOPE" -i lo --json -c 1 > G3.out 2> G3.err
	RC=$?
	[ $RC -eq 3 ] || { cat G3.err; fail "G: unprivileged: exit status $RC, want 3"; }
	one_line G3.err && grep -q "permission denied" G3.err && grep -q "CAP_NET_RAW" G3.err ||
		{ cat G3.err; fail "G: unprivileged: the line does not name CAP_NET_RAW"; }
else
	note "G: the binary is not reachable by user nobody; unprivileged case skipped"
fi
echo "ok: G (errors)"

# ----------------------------------------------------------------- H: HEP

if command -v kamailio >/dev/null 2>&1; then
	cat > kamailio.cfg <<EOF
#!KAMAILIO
debug=2
log_stderror=yes
children=1
auto_aliases=no
dns=no
rev_dns=no
listen=udp:127.0.0.1:$PROXY_PORT
alias="127.0.0.1:$PROXY_PORT"

loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "siptrace.so"

modparam("siptrace", "duplicate_uri", "sip:127.0.0.1:$HEP_PORT")
modparam("siptrace", "hep_mode_on", 1)
modparam("siptrace", "hep_version", 3)
modparam("siptrace", "trace_on", 1)
modparam("siptrace", "trace_to_database", 0)
modparam("siptrace", "trace_mode", 1)

request_route {
	if (is_method("ACK") && t_check_trans()) {
		t_relay();
		exit;
	}
	\$ru = "sip:" + \$rU + "@127.0.0.1:$HUAS_PORT";
	t_relay();
}
EOF
	start H "$SIPSCOPE" --hep-listen udp:127.0.0.1:$HEP_PORT --json --duration 8
	PID_H=$LAST
	wait_for 10 listening H || { cat H.err; fail "H: sipscope did not start listening"; }
	start kamailio kamailio -f kamailio.cfg -DD -E -m 32 -M 8 -w "$TMP" -Y "$TMP"
	sleep 2
	start huas sipp -sn uas $SIPP_COMMON -p $HUAS_PORT -m 3
	HUAS=$LAST
	sleep 0.3
	if ! timeout 20 sipp -sn uac $SIPP_COMMON -p $HUAC_PORT -s bob -m 3 -r 10 \
		127.0.0.1:$PROXY_PORT > huac.out 2>&1; then
		tail -30 huac.out
		tail -30 kamailio.err
		fail "H: sipp through kamailio failed"
	fi
	wait $HUAS 2>/dev/null
	finish H $PID_H 15
	[ $RC -eq 0 ] || { cat H.err; fail "H: exit status $RC"; }
	python3 - H.out <<'EOF' || { cat H.err; fail "H: HEP checks"; }
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
problems = []
calls = [r for r in recs if r["type"] == "call"]
txns = [r for r in recs if r["type"] == "transaction"]
msgs = [r for r in recs if r["type"] == "message"]
summ = recs[-1]
if summ["type"] != "summary":
    problems.append("summary not last")
if len(calls) != 3:
    problems.append("%d calls, want 3" % len(calls))
for c in calls:
    if str(c["state"]).lower() != "answered" or c["final_status"] != 200:
        problems.append("call %s: %r %r" % (c["call_id"], c["state"], c["final_status"]))
    inv = [t for t in txns if t["method"] == "INVITE" and
           any(m["transaction"] == t["id"] and m["call_id"] == c["call_id"] for m in msgs)]
    if len(inv) != 2:
        problems.append("call %s: %d INVITE transactions, want 2 (UAC-proxy, proxy-UAS)" % (c["call_id"], len(inv)))
    elif sorted(t.get("parent") is None for t in inv) != [False, True]:
        problems.append("call %s: INVITE hops not linked: %r" % (c["call_id"], [t.get("parent") for t in inv]))
# HEP carried the original addresses, not the HEP socket's.
ports = set(m["src"].rsplit(":", 1)[1] for m in msgs) | set(m["dst"].rsplit(":", 1)[1] for m in msgs)
if not {"15110", "15111", "15112"} <= ports:
    problems.append("addresses not those of the peers: %r" % sorted(ports))
cap = summ.get("capture") or [{}]
if cap[0].get("hep_packets", 0) < len(msgs):
    problems.append("HEP counters: %r" % cap)
if problems:
    print("FAIL: " + "; ".join(problems))
    sys.exit(1)
print("H: %d calls, %d messages over HEP" % (len(calls), len(msgs)))
EOF
	echo "ok: H (HEP from Kamailio)"
else
	note "H: kamailio is not installed; HEP from a real sender skipped"
fi

# ----------------------------------------------------------------- I: iface down

NETNS=sipscope-live-$$
if ip netns add "$NETNS" 2>/dev/null &&
	ip -n "$NETNS" link add vdown0 type veth peer name vdown1 2>/dev/null &&
	ip -n "$NETNS" addr add 10.199.0.1/30 dev vdown0 &&
	ip -n "$NETNS" link set vdown0 up && ip -n "$NETNS" link set vdown1 up; then
	start I ip netns exec "$NETNS" "$SIPSCOPE" -i vdown1 --json -w i.pcap
	PID_I=$LAST
	wait_for 10 listening I || { cat I.err; fail "I: sipscope did not start capturing"; }
	ip netns exec "$NETNS" python3 - <<'EOF'
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
for i in range(5):
    s.sendto(b"OPTIONS sip:down@10.199.0.2 SIP/2.0\r\nContent-Length: 0\r\n\r\n", ("10.199.0.3", 5060))
    time.sleep(0.05)
EOF
	sleep 0.5
	ip -n "$NETNS" link set vdown1 down
	finish I $PID_I 10
	[ $RC -eq 4 ] || { cat I.err; fail "I: exit status $RC after the interface went down, want 4"; }
	grep -q "vdown1.*went down" I.err || { cat I.err; fail "I: no line saying the interface went down"; }
	python3 - I.out <<'EOF' || fail "I: output after the interface went down"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
assert recs[-1]["type"] == "summary"
assert recs[-1]["messages"] >= 5, recs[-1]
assert recs[-1]["errors"], "the error is not in the summary"
EOF
	[ "$(tshark_count i.pcap sip)" -ge 5 ] || fail "I: i.pcap lost the frames before the fault"
	echo "ok: I (interface down)"
else
	note "I: network namespaces or veth not available; interface-down case skipped"
fi

# ----------------------------------------------------------------- J: replay rate

# tcpreplay sends the frames of A at a fixed rate into a veth pair; the
# capture on the other end must see every one, with no drops anywhere.
RATE=${LIVE_REPLAY_PPS:-10000}
LOOPS=40
if command -v tcpreplay >/dev/null 2>&1 && ip netns list 2>/dev/null | grep -q "^$NETNS" &&
	ip -n "$NETNS" link add vrep0 type veth peer name vrep1 2>/dev/null &&
	ip -n "$NETNS" link set vrep0 up && ip -n "$NETNS" link set vrep1 up; then
	WANT=$(( A_FRAMES * LOOPS ))
	start J ip netns exec "$NETNS" "$SIPSCOPE" -i vrep1 --json -c "$WANT" --duration 30 "udp port $UAS_PORT"
	PID_J=$LAST
	wait_for 10 listening J || { cat J.err; fail "J: sipscope did not start capturing"; }
	ip netns exec "$NETNS" tcpreplay -q -i vrep0 --pps "$RATE" --loop $LOOPS a.pcap > J.replay 2>&1 ||
		{ cat J.replay; fail "J: tcpreplay failed"; }
	finish J $PID_J 40
	[ $RC -eq 0 ] || { cat J.err; fail "J: exit status $RC"; }
	python3 - J.out "$WANT" "$RATE" <<'EOF2' || { cat J.err; fail "J: frames lost at $RATE frames/s"; }
import json, sys
s = [json.loads(l) for l in open(sys.argv[1])][-1]
want = int(sys.argv[2])
k = s["capture"][0]
bad = s["frames"] != want or k["received"] != want or k["kernel_dropped"] or k["ring_dropped"] or k["if_dropped"]
print("J: %d of %d frames at %s frames/s; kernel %d, interface %d, ring %d dropped" % (
    s["frames"], want, sys.argv[3], k["kernel_dropped"], k["if_dropped"], k["ring_dropped"]))
sys.exit(1 if bad else 0)
EOF2
	echo "ok: J (replay at $RATE frames/s)"

	# ------------------------------------------------------------- K: bounded memory
	# The calls of A among many RTP-like datagrams, replayed through a
	# ring of 2 MiB (-B 1) that they overrun many times: every SIP message
	# is still read whole, no frame is copied out of the ring (under the
	# default limits the model keeps its own copy of each message), and
	# nothing is dropped.
	python3 - noise.pcap <<'EOF2' || fail "K: cannot write the noise capture"
import struct, sys
n, out = 2000, open(sys.argv[1], "wb")
out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
for i in range(n):
    payload = bytes([0x80, 0]) + struct.pack(">HII", i, i * 160, 0x5151) + bytes(160)
    udp = struct.pack(">HHHH", 40000, 40002, 8 + len(payload), 0) + payload
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i, 0, 64, 17, 0,
                     bytes([10, 9, 0, 1]), bytes([10, 9, 0, 2])) + udp
    frame = bytes(6) + bytes(6) + b"\x08\x00" + ip
    out.write(struct.pack("<IIII", 1, i, len(frame), len(frame)) + frame)
EOF2
	NOISE=2000
	KLOOPS=20
	KWANT=$(( (A_FRAMES + NOISE) * KLOOPS ))
	start K ip netns exec "$NETNS" "$SIPSCOPE" -i vrep1 -B 1 --json -c "$KWANT" --duration 60 \
		"udp port $UAS_PORT or udp port 40002"
	PID_K=$LAST
	wait_for 10 listening K || { cat K.err; fail "K: sipscope did not start capturing"; }
	ip netns exec "$NETNS" tcpreplay -q -i vrep0 --pps "$RATE" --loop $KLOOPS a.pcap noise.pcap > K.replay 2>&1 ||
		{ cat K.replay; fail "K: tcpreplay failed"; }
	finish K $PID_K 60
	[ $RC -eq 0 ] || { cat K.err; fail "K: exit status $RC"; }
	python3 - K.out "$KWANT" "$(( A_FRAMES * KLOOPS ))" "$(( A_MSGS * KLOOPS ))" <<'EOF2' || { cat K.err; fail "K: memory not bounded or frames lost"; }
import json, sys
s = [json.loads(l) for l in open(sys.argv[1])][-1]
want, sip_frames, msgs = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
k = s["capture"][0]
print("K: %d frames, %d SIP messages; %d frames (%d bytes) kept; ring %d bytes; dropped %d/%d/%d" % (
    s["frames"], s["messages"], s["frames_kept"], s["bytes_kept"], k["bytes_held"],
    k["kernel_dropped"], k["if_dropped"], k["ring_dropped"]))
# live input has limits by default: the model copies what it keeps of each
# message into what it can evict, so not even the SIP datagrams are kept
bad = (s["frames"] != want or s["messages"] != msgs or s["frames_kept"] != 0 or
       s.get("limits") != {"max_calls": 20000, "max_messages": 100000} or
       k["bytes_held"] != 2 << 20 or k["kernel_dropped"] or k["ring_dropped"] or k["if_dropped"])
sys.exit(1 if bad else 0)
EOF2
	echo "ok: K (no frame kept from a ring overrun many times)"

	# ------------------------------------------- L: reassembly across rotations
	# TCP out of order and coalesced and split, IP fragments: under limits
	# the bytes kept for reassembly are moved forward and the older ones
	# given back every SIPSCOPE_ROTATE_KB (here: after every frame), yet
	# every message comes out as reading the files does.
	LFILES="tcp_out_of_order_retrans.pcap tcp_split.pcap tcp_coalesced.pcap ipv4_frag.pcap ws_call.pcap"
	LWANT=0
	for f in $LFILES; do
		LWANT=$(( LWANT + $(python3 -c "import sys,struct
d=open(sys.argv[1],'rb').read(); o=24; n=0
while o+16<=len(d): n+=1; o+=16+struct.unpack('<I',d[o+8:o+12])[0]
print(n)" "$PCAPS_DIR/$f") ))
	done
	start L env SIPSCOPE_ROTATE_KB=1 ip netns exec "$NETNS" "$SIPSCOPE" -i vrep1 --json --max-calls 3 \
		-c "$LWANT" --duration 60
	PID_L=$LAST
	wait_for 10 listening L || { cat L.err; fail "L: sipscope did not start capturing"; }
	for f in $LFILES; do
		ip netns exec "$NETNS" tcpreplay -q -i vrep0 --pps 500 "$PCAPS_DIR/$f" >> L.replay 2>&1 ||
			{ cat L.replay; fail "L: tcpreplay failed on $f"; }
	done
	finish L $PID_L 70
	[ $RC -eq 0 ] || { cat L.err; fail "L: exit status $RC"; }
	for f in $LFILES; do "$SIPSCOPE" -r "$PCAPS_DIR/$f" --json -q; done > L.want
	python3 - L.out L.want <<'EOF2' || { cat L.err; fail "L: messages differ from reading the files"; }
import json, sys
def msgs(path):
    out = []
    for l in open(path):
        r = json.loads(l)
        if r["type"] == "message":
            out.append(tuple(r.get(k) for k in ("call_id", "cseq", "method", "status", "branch",
                                                "from_tag", "to_tag", "length", "transport")))
    return out
got, want = msgs(sys.argv[1]), msgs(sys.argv[2])
s = [json.loads(l) for l in open(sys.argv[1])][-1]
print("L: %d messages (files: %d), %d rotations" % (len(got), len(want), s.get("kept_rotations", -1)))
sys.exit(0 if got == want and s.get("kept_rotations", 0) > 10 else 1)
EOF2
	echo "ok: L (reassembly across rotations of kept bytes)"
else
	note "J, K, L: tcpreplay or network namespaces not available; replay cases skipped"
fi

echo "ok: live capture"
