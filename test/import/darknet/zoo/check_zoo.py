#!/usr/bin/env python3
"""Imports every Darknet .cfg of a folder as shipped (seeded weights) and
checks each against the expectation below for that folder (by its name): every
cfg compiles through the cnn-level optimisations (--emit=dot: the layer graph,
without printing the weights) unless it is listed as excluded, and an excluded
one fails with its listed error, so that a cfg that starts to compile (or
breaks) is noticed.

  check_zoo.py --cnnc PATH --dir DIR [--jobs 2]

Prints one line per cfg ("ok NAME" or "excluded NAME: why") and a summary;
exits 1 on any cfg that does not behave as expected.
"""
import argparse
import concurrent.futures
import os
import subprocess
import sys

RECURRENT = "is a recurrent layer; cnnc compiles feed-forward networks"
# Per folder (its name): cfg -> (the error it must give, why it is excluded).
EXCLUDED = {
    "zoo": {  # AlexeyAB's cfg/
        "crnn.train.cfg": (RECURRENT, "recurrent"),
        "gru.cfg": (RECURRENT, "recurrent"),
        "lstm.train.cfg": (RECURRENT, "recurrent"),
        "rnn.cfg": (RECURRENT, "recurrent"),
        "rnn.train.cfg": (RECURRENT, "recurrent"),
        "yolov3-tiny_occlusion_track.cfg": (RECURRENT, "recurrent"),
        "yolov4-tiny_contrastive.cfg": ("is a training-only layer",
                                        "[contrastive]: training only"),
    },
    "yolov1": {},  # AlexeyAB's cfg/yolov1/
    "zoo-pjreddie": {  # pjreddie's cfg/
        "gru.cfg": (RECURRENT, "recurrent"),
        "rnn.cfg": (RECURRENT, "recurrent"),
        "rnn.train.cfg": (RECURRENT, "recurrent"),
        "darknet9000.cfg": ("unsupported key 'tree' in [softmax]",
                            "YOLO9000's hierarchical softmax (a tree file): "
                            "not yet"),
    },
}


def check(cnnc, path, excluded):
    name = os.path.basename(path)
    run = subprocess.run([cnnc, path, "--emit=dot", "-o", os.devnull],
                         capture_output=True, text=True)
    if name not in excluded:
        if run.returncode == 0:
            return True, f"ok {name}"
        first = next((l for l in run.stderr.splitlines() if "error:" in l), run.stderr)
        return False, f"FAIL {name}: {first}"
    error, why = excluded[name]
    if run.returncode != 0 and error in run.stderr and "error:" in run.stderr:
        return True, f"excluded {name}: {why}"
    return False, f"FAIL {name}: expected the error '{error}' ({why}); exit " \
                  f"{run.returncode}, {run.stderr.strip()[:200]}"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cnnc", required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--jobs", type=int, default=2)
    args = p.parse_args()
    cfgs = sorted(os.path.join(args.dir, f) for f in os.listdir(args.dir)
                  if f.endswith(".cfg"))
    excluded = EXCLUDED[os.path.basename(os.path.normpath(args.dir))]
    missing = sorted(set(excluded) - {os.path.basename(c) for c in cfgs})
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(lambda c: check(args.cnnc, c, excluded), cfgs))
    ok = all(good for good, _ in results) and not missing
    for _, line in results:
        print(line)
    for name in missing:
        print(f"FAIL {name}: listed as excluded but not in {args.dir}")
    compiled = sum(1 for _, line in results if line.startswith("ok "))
    print(f"{compiled} of {len(cfgs)} cfgs compile, {len(cfgs) - compiled} "
          f"excluded: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
