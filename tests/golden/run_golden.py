#!/usr/bin/env python3
"""Golden-file tests of sipscope's text outputs (--list, --stats, --ladder).

Usage: run_golden.py --sipscope BINARY [CASE...]

Each case of cases.txt (next to this script) runs
`sipscope -q -r tests/pcaps/CAPTURE ARGUMENTS...` and compares its standard
output byte for byte with tests/golden/CASE.txt; the exit status must be 0.
Without CASE arguments every case runs.

To refresh the golden files on purpose (after a deliberate change of an
output format, or for a new case), set SIPSCOPE_GOLDEN_UPDATE=1:

    SIPSCOPE_GOLDEN_UPDATE=1 ctest --test-dir BUILD -R golden

then read `git diff tests/golden` before committing.
"""

import argparse
import difflib
import os
import shlex
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PCAPS = os.path.join(os.path.dirname(HERE), "pcaps")


def load_cases():
    cases = {}
    with open(os.path.join(HERE, "cases.txt"), encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            words = shlex.split(line)
            cases[words[0]] = (words[1], words[2:])
    return cases


def run_case(binary, name, capture, args, update):
    cmd = [binary, "-q", "-r", os.path.join(PCAPS, capture)] + args
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    shown = " ".join(shlex.quote(a) for a in ["sipscope", "-q", "-r", capture] + args)
    if p.returncode != 0:
        print("%s: `%s` exited with %d\n%s" % (name, shown, p.returncode,
                                                 p.stderr.decode("utf-8", "replace")))
        return False
    if p.stderr:
        print("%s: `%s` wrote on standard error:\n%s" % (name, shown,
                                                         p.stderr.decode("utf-8", "replace")))
        return False
    path = os.path.join(HERE, name + ".txt")
    if update:
        old = None
        if os.path.exists(path):
            with open(path, "rb") as fh:
                old = fh.read()
        if old != p.stdout:
            with open(path, "wb") as fh:
                fh.write(p.stdout)
            print("%s: updated %s" % (name, os.path.relpath(path)))
        return True
    if not os.path.exists(path):
        print("%s: no golden file %s (create it with SIPSCOPE_GOLDEN_UPDATE=1)" % (name, path))
        return False
    with open(path, "rb") as fh:
        want = fh.read()
    if want == p.stdout:
        return True
    diff = difflib.unified_diff(want.decode("utf-8", "replace").splitlines(True),
                                p.stdout.decode("utf-8", "replace").splitlines(True),
                                "golden/%s.txt" % name, "`%s`" % shown)
    sys.stdout.writelines(diff)
    print("\n%s: output differs from the golden file; if the change is meant, refresh with "
          "SIPSCOPE_GOLDEN_UPDATE=1 ctest -R golden" % name)
    return False


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sipscope", required=True)
    ap.add_argument("cases", nargs="*")
    a = ap.parse_args()
    cases = load_cases()
    names = a.cases or sorted(cases)
    update = os.environ.get("SIPSCOPE_GOLDEN_UPDATE", "") not in ("", "0")
    ok = True
    for n in names:
        if n not in cases:
            print("unknown case %s" % n)
            ok = False
            continue
        capture, args = cases[n]
        ok = run_case(a.sipscope, n, capture, args, update) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
