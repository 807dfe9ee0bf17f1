#!/bin/bash
# -w, -C, --write-sip-only and -c on capture files (no privileges needed):
#
#   test_write_offline.sh SIPSCOPE_BINARY PCAP_DIR
#
# For captures whose SIP spans several frames (TCP segments, out-of-order
# and retransmitted segments, WebSocket, IPv4 and IPv6 fragments) and one
# with mixed link types:
#   - -w copies every frame (tshark counts the same frames);
#   - --write-sip-only keeps fewer frames, yet reading that file gives the
#     very same SIP messages (method/status, Call-ID, CSeq, in order);
#   - -C splits the copy into files whose names sort in the order written,
#     each under the size, together holding every frame;
#   - -c N reads N frames.
# Exit 77 (skipped) without tshark or python3.
set -u

SIPSCOPE=${1:?usage: test_write_offline.sh SIPSCOPE_BINARY PCAP_DIR}
PCAPS=${2:?usage: test_write_offline.sh SIPSCOPE_BINARY PCAP_DIR}
for t in tshark python3; do
	command -v "$t" >/dev/null 2>&1 || { echo "SKIP: $t is not installed"; exit 77; }
done
TMP=$(mktemp -d /tmp/sipscope-write.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

frames() { tshark -n -r "$1" 2>/dev/null | wc -l; }

# The SIP messages of a capture, one line each.
sip_of() {
	"$SIPSCOPE" -q --json -r "$1" | python3 -c '
import json, sys
for l in sys.stdin:
    r = json.loads(l)
    if r["type"] == "message":
        print(r.get("method") or r.get("status"), r.get("call_id"), r.get("cseq"))'
}

for name in tcp_split.pcap tcp_out_of_order_retrans.pcap ws_call.pcap ipv4_frag.pcap \
	ipv6_frag.pcap pcapng_mixed_linktypes.pcapng udp_basic_call.pcap; do
	in=$PCAPS/$name
	[ -f "$in" ] || fail "no $in"
	n=$(frames "$in")
	"$SIPSCOPE" -q --json -r "$in" -w "$TMP/all.pcapng" > /dev/null || fail "$name: -w failed"
	[ "$(frames "$TMP/all.pcapng")" -eq "$n" ] || fail "$name: -w wrote $(frames "$TMP/all.pcapng") of $n frames"
	"$SIPSCOPE" -q --json -r "$in" -w "$TMP/sip.pcapng" --write-sip-only > /dev/null ||
		fail "$name: --write-sip-only failed"
	sip_of "$in" > "$TMP/want"
	sip_of "$TMP/sip.pcapng" > "$TMP/got"
	[ -s "$TMP/want" ] || fail "$name: no SIP read"
	cmp -s "$TMP/want" "$TMP/got" || { diff "$TMP/want" "$TMP/got"; fail "$name: --write-sip-only lost SIP"; }
	k=$(frames "$TMP/sip.pcapng")
	[ "$k" -le "$n" ] || fail "$name: --write-sip-only wrote more frames than read"
	echo "ok: $name: $n frames, $k with SIP, $(wc -l < "$TMP/want") messages kept"
done

# Rotation by size on the biggest one: names that sort, every frame once.
in=$PCAPS/tcp_out_of_order_retrans.pcap
mkdir "$TMP/rot"
"$SIPSCOPE" -q --json -r "$in" -w "$TMP/rot/r.pcapng" -C 0.002 > /dev/null || fail "-C failed"
total=0
prev=""
for f in $(ls "$TMP/rot" | sort); do
	case $f in r-[0-9][0-9][0-9][0-9][0-9].pcapng) ;; *) fail "-C: unexpected name $f" ;; esac
	[ -z "$prev" ] || [ "$f" \> "$prev" ] || fail "-C: names do not sort"
	prev=$f
	total=$((total + $(frames "$TMP/rot/$f")))
done
[ "$(ls "$TMP/rot" | wc -l)" -gt 1 ] || fail "-C 0.002 did not rotate"
[ "$total" -eq "$(frames "$in")" ] || fail "-C: $total frames in the files, want $(frames "$in")"
echo "ok: -C rotation ($(ls "$TMP/rot" | wc -l) files)"

# -c
got=$("$SIPSCOPE" -q --json -c 5 -r "$in" | python3 -c 'import json,sys; print([json.loads(l) for l in sys.stdin][-1]["frames"])')
[ "$got" -eq 5 ] || fail "-c 5 read $got frames"
echo "ok: -c"

# Usage errors: one line, status 2.
for args in "-C 1" "-G 5" "--write-sip-only" "--duration 3" "-s 100" "-c 0" "-c x" "-B 0"; do
	"$SIPSCOPE" -r "$in" $args > /dev/null 2> "$TMP/err"
	rc=$?
	[ $rc -eq 2 ] && [ "$(wc -l < "$TMP/err")" -eq 1 ] || { cat "$TMP/err"; fail "'$args': status $rc"; }
done
"$SIPSCOPE" -r "$in" -i lo > /dev/null 2> "$TMP/err"
[ $? -eq 2 ] || fail "-r with -i accepted"
"$SIPSCOPE" -q -r "$in" -w /nonexistent-dir/x.pcap > /dev/null 2> "$TMP/err"
rc=$?
[ $rc -eq 5 ] && grep -q "cannot write /nonexistent-dir/x.pcap" "$TMP/err" || { cat "$TMP/err"; fail "-w into a missing folder: status $rc"; }
echo "ok: usage errors"
