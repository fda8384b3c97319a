#!/usr/bin/env python3
"""Reads cnnc --report on stdin; fails naming every layer of at least
--min-mflop MFLOP or --min-elements output elements (data movement) that runs on the calling thread alone (no loop of it on
the thread pool; small loops beside the main one, such as a border fill,
may stay on the calling thread): the pool's work estimate must count what
such a layer does. Prints 'ok: N layers checked' otherwise."""
import argparse
import re
import sys

ROW = re.compile(r"^\s*\d+\s+(\S+)\s.*\s(\d+(?:x\d+)*)\s+(\d+\.\d+)\s+(.*)$")


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--min-mflop", type=float, default=1.0)
    p.add_argument("--min-elements", type=int, default=1 << 19)
    args = p.parse_args()
    checked, bad = 0, []
    for line in sys.stdin:
        m = ROW.match(line)
        if not m:
            continue
        elements = 1
        for dim in m.group(2).split("x"):
            elements *= int(dim)
        if (float(m.group(3)) < args.min_mflop and
                elements < args.min_elements):
            continue
        checked += 1
        if "calling thread" in m.group(4) and "thread pool" not in m.group(4):
            bad.append(line.rstrip())
    for line in bad:
        print(f"on the calling thread: {line}")
    if not checked:
        print("no layer checked")
        return 1
    if bad:
        return 1
    print(f"ok: {checked} layers checked")
    return 0


if __name__ == "__main__":
    sys.exit(main())
