#!/bin/sh
# Findings made for real, with Kamailio proxies and SIPp user agents on
# loopback, captured by tcpdump:
#
#   tests/tools/capture_kamailio_findings.sh loop OUT.pcap
#       Two proxies (127.0.0.1:5071 and :5072), each relaying every request
#       to the other; SIPp (5060) sends one INVITE with Max-Forwards 20 to
#       the first; the proxies bounce it until Max-Forwards runs out, the
#       one that gets it with Max-Forwards 0 answers 483 Too Many Hops, the
#       483 goes back over every hop, SIPp ACKs.
#
#   tests/tools/capture_kamailio_findings.sh redirect-loop OUT.pcap
#       A proxy (127.0.0.1:5081) that follows redirects (uac_redirect's
#       get_redirects in a failure route) and a SIPp UAS (5085) that answers
#       every INVITE with 302 to itself; SIPp (5080) sends one INVITE; the
#       proxy tries the same target again and again until tm gives up and
#       passes the last 302 to the caller.
#
# Needs root (tcpdump on lo), kamailio (Debian package kamailio: tm, sl,
# maxfwd, pv, textops, acc, uac_redirect), sipp and tcpdump.  The result
# is not byte-for-byte reproducible (times, Call-ID, tags): the copies in
# tests/pcaps/findings/kamailio-*.pcap were made with this script (kamailio
# 5.6, SIPp 3.6) and are what tests/findings/test_findings.py checks.
set -eu
what=${1:?usage: $0 loop|redirect-loop OUT.pcap}
out=${2:?usage: $0 loop|redirect-loop OUT.pcap}
tmp=$(mktemp -d /tmp/kamailio-findings.XXXXXX)
modules=${KAMAILIO_MODULES:-/usr/lib/x86_64-linux-gnu/kamailio/modules/}
pids=""

cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null || true
	done
	for f in "$tmp"/*.pid; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true
	done
	sleep 1
	rm -rf "$tmp"
}
trap cleanup EXIT

# proxy NAME PORT ROUTE-BLOCK: writes and starts a Kamailio configuration
proxy() {
	cat > "$tmp/$1.cfg" <<EOF
#!KAMAILIO
debug=1
log_stderror=yes
children=1
auto_aliases=no
listen=udp:127.0.0.1:$2
mpath="$modules"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "maxfwd.so"
loadmodule "pv.so"
loadmodule "textops.so"
loadmodule "acc.so"
loadmodule "uac_redirect.so"
$3
EOF
	kamailio -f "$tmp/$1.cfg" -P "$tmp/$1.pid" -w "$tmp" -Y "$tmp/run-$1" > "$tmp/$1.log" 2>&1
}

# scenario FILE TO-PORT MAX-FORWARDS FINAL: a SIPp UAC scenario sending one
# INVITE and ACKing its final response
uac() {
	cat > "$tmp/uac.xml" <<EOF
<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="one INVITE">
  <send retrans="500">
    <![CDATA[
      INVITE sip:bob@$1 SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "Alice" <sip:alice@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:bob@$1>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:alice@[local_ip]:[local_port]>
      Max-Forwards: $2
      Content-Length: 0

    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="$3"/>
  <send>
    <![CDATA[
      ACK sip:bob@$1 SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: "Alice" <sip:alice@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:bob@$1>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: $2
      Content-Length: 0

    ]]>
  </send>
  <pause milliseconds="300"/>
</scenario>
EOF
}

case "$what" in
loop)
	ports="port 5060 or port 5071 or port 5072"
	for side in a b; do
		if [ "$side" = a ]; then me=5071; peer=5072; else me=5072; peer=5071; fi
		route="request_route {
	if (!mf_process_maxfwd_header(\"70\")) {
		sl_send_reply(\"483\", \"Too Many Hops\");
		exit;
	}
	if (is_method(\"ACK\") && !t_check_trans()) {
		exit;
	}
	\$du = \"sip:127.0.0.1:$peer\";
	t_relay();
}"
		eval "route_$side=\$route; me_$side=$me"
	done
	uac "loop.example" 20 483
	uac_port=5060; target=5071
	;;
redirect-loop)
	ports="port 5080 or port 5081 or port 5085"
	uac "127.0.0.1:5085" 70 302
	uac_port=5080; target=5081
	cat > "$tmp/uas.xml" <<'EOF'
<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="UAS that redirects to itself">
  <label id="again"/>
  <recv request="INVITE"/>
  <send>
    <![CDATA[
      SIP/2.0 302 Moved Temporarily
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:bob@127.0.0.1:5085>
      Content-Length: 0

    ]]>
  </send>
  <recv request="ACK" next="again"/>
</scenario>
EOF
	;;
*)
	echo "usage: $0 loop|redirect-loop OUT.pcap" >&2
	exit 2
	;;
esac

tcpdump -i lo -s 0 -U -w "$tmp/out.pcap" "udp and ($ports)" > "$tmp/tcpdump.log" 2>&1 &
pids="$pids $!"
if [ "$what" = loop ]; then
	proxy a "$me_a" "$route_a"
	proxy b "$me_b" "$route_b"
else
	proxy p 5081 'request_route {
	if (!mf_process_maxfwd_header("70")) {
		sl_send_reply("483", "Too Many Hops");
		exit;
	}
	if (is_method("ACK") && !t_check_trans()) {
		exit;
	}
	t_on_failure("REDIRECT");
	t_relay();
}
failure_route[REDIRECT] {
	if (t_check_status("3[0-9][0-9]")) {
		get_redirects("3:1");
		t_on_failure("REDIRECT");
		t_relay();
	}
}'
	sipp -sf "$tmp/uas.xml" -i 127.0.0.1 -p 5085 -m 1 -nostdin -timeout 15 > "$tmp/uas.log" 2>&1 &
	pids="$pids $!"
fi
sleep 1
status=0
sipp -sf "$tmp/uac.xml" "127.0.0.1:$target" -i 127.0.0.1 -p "$uac_port" -m 1 -nostdin \
	-timeout 20 -timeout_error > "$tmp/uac.log" 2>&1 || status=$?
sleep 1
for f in "$tmp"/*.pid; do
	kill "$(cat "$f")" 2>/dev/null || true
done
sleep 1
for p in $pids; do
	kill "$p" 2>/dev/null || true
done
sleep 1
cp "$tmp/out.pcap" "$out"
exit "$status"
