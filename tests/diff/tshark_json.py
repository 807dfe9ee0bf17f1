"""tshark_json — run tshark on a capture and walk its JSON, for the
differential tests (tests/diff/tshark_diff.py, tests/flows/txn_diff.py).

tshark's JSON repeats the "sip" key inside one frame's layers when a frame
carries several SIP messages, so objects are kept as lists of (key, value)
pairs rather than dicts.
"""

import json
import os
import subprocess

TIMEOUT = 600


class ToolError(Exception):
    pass


def _pairs(items):
    """Keeps duplicate keys: a JSON object becomes a list of pairs."""
    return list(items)


def get(pairs, key):
    if isinstance(pairs, list):
        for k, v in pairs:
            if k == key:
                return v
    return None


def get_all(pairs, key):
    if not isinstance(pairs, list):
        return []
    return [v for k, v in pairs if k == key]


def find(pairs, key):
    """First value of key anywhere below pairs (depth first, in order)."""
    if not isinstance(pairs, list):
        return None
    for k, v in pairs:
        if k == key:
            return v
        if isinstance(v, list):
            r = find(v, key)
            if r is not None:
                return r
    return None


def to_int(v):
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


def sip_packets(path, confdir):
    """tshark's packets with SIP (desegmentation on), as pair lists; confdir
    is an empty configuration folder so personal preferences cannot change
    the results."""
    cmd = ["tshark", "-r", path,
           "-o", "sip.desegment_headers:TRUE",
           "-o", "sip.desegment_body:TRUE",
           "-Y", "sip", "-T", "json", "-J", "frame sip"]
    env = dict(os.environ, WIRESHARK_CONFIG_DIR=confdir)
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=TIMEOUT, env=env)
    except subprocess.TimeoutExpired:
        raise ToolError("tshark timed out after %d s" % TIMEOUT)
    if p.returncode != 0:
        raise ToolError("tshark exited with status %d: %s" % (
            p.returncode, p.stderr.decode("utf-8", "replace").strip()[-2000:]))
    out = p.stdout.decode("utf-8", "replace").strip()
    return json.loads(out, object_pairs_hook=_pairs) if out else []
