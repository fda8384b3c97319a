#!/usr/bin/env python3
"""ONNX's backend node tests, compiled by cnnc and compared with their outputs.

  node_tests.py --cnnc PATH --workdir DIR [--jobs N] [--filter REGEX]
                [--expected FILE] [--table FILE] [--update] [--ort-dir DIR]

The cases come from the generator scripts Debian's python3-onnx ships
(onnx.backend.test.case.node.collect_testcases): a model, inputs and
expected outputs each. A case's first input stays the model's input; its
other inputs become initializers, as a deployed model's weights are. Each
case is compiled at -O0 and -O2, run, and compared with the expected
outputs: |actual - expected| <= atol + rtol * |expected| with rtol 1e-3 and
atol 1e-5, NaN where NaN is expected.

Every case ends in one of
  pass         both levels match
  unsupported  cnnc rejected the model with a located "unsupported ..." error
  rejected     cnnc rejected it with another located error (the message is kept)
  disputed     the expected outputs depart from the specification (DISPUTED);
               with --ort-dir, cnnc matches ONNX Runtime instead
  wrong        an executable ran and printed a wrong number
  crash        cnnc or an executable died by a signal, or failed without a
               located error message or after the model was imported
  hang         a step ran past its time limit
The run fails on any wrong, crash or hang, and when the cases that pass
differ from the list in --expected (a regression, or a new pass not yet
recorded), and when the support table (--table, a Markdown page) is not the
one this run generates. --update rewrites both from this run instead.
"""
import argparse
import collections
import concurrent.futures
import errno
import os
import re
import subprocess
import sys
import time

import numpy as np

# ONNX 1.12's generator scripts use aliases numpy removed in 1.24.
for _alias, _type in [("float", float), ("int", int), ("bool", bool), ("object", object), ("complex", complex)]:
    if _alias not in np.__dict__:
        setattr(np, _alias, _type)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import ort_oracle  # noqa: E402

import onnx  # noqa: E402
from onnx import helper, numpy_helper  # noqa: E402
from onnx.backend.test.case import node as node_cases  # noqa: E402

RTOL = 1e-3
ATOL = 1e-5
COMPILE_SECONDS = 300
RUN_SECONDS = 60
LEVELS = (0, 2)
FAILURES = ("wrong", "crash", "hang")


def cnnc_name(name):
    """The importer's tensor names: C-like, dots kept, a letter first."""
    name = "".join(c if c.isalnum() or c == "." else "_" for c in name)
    return name if name[:1].isalpha() else "t" + name


# Cases whose expected outputs depart from the ONNX specification; cnnc's
# outputs are compared with ONNX Runtime's instead (when --ort-dir is given).
DISPUTED = {
    name: "the ONNX 1.12 reference takes align_corners' output length as scale x input length "
    "(not an integer); the specification and ONNX Runtime use the output's length"
    for name in ("test_resize_downsample_scales_cubic_align_corners",
                 "test_resize_downsample_scales_linear_align_corners")
}


def tested_ops(cases):
    """{case name: the op it tests}: a case's model is that op's one node, or
    its function body for the case named NAME_expanded."""
    ops = {c.name: c.model.graph.node[0].op_type for c in cases if len(c.model.graph.node) == 1}
    return {c.name: ops.get(c.name.removesuffix("_expanded"), c.model.graph.node[0].op_type) for c in cases}


def deployed_model(case):
    """The case's model with every input but the first as an initializer.
    Returns (model, {input name: value}, [(output name, expected value)])."""
    inputs, outputs = case.data_sets[0]
    graph = case.model.graph
    names = [i.name for i in graph.input]
    model = onnx.ModelProto()
    model.CopyFrom(case.model)
    del model.graph.input[:]
    feeds = {}
    for i, (info, value) in enumerate(zip(graph.input, inputs)):
        if i == 0:
            model.graph.input.append(info)
            feeds[info.name] = np.asarray(value) if isinstance(value, np.generic) else value
        elif isinstance(value, (np.ndarray, np.generic)):
            model.graph.initializer.append(numpy_helper.from_array(np.asarray(value), info.name))
        else:
            raise ValueError(f"input '{info.name}' is not a tensor")
    # Inputs past the data given are optional and absent.
    for info in graph.input[len(inputs):len(names)]:
        model.graph.input.append(info)
    expected = [(o.name, v) for o, v in zip(graph.output, outputs)]
    return model, feeds, expected


def run(cmd, seconds):
    """(outcome, returncode, stderr) with outcome None when it finished."""
    for attempt in range(20):
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds)
            break
        except subprocess.TimeoutExpired:
            return "hang", None, f"{os.path.basename(cmd[0])} ran past {seconds} s"
        except OSError as e:
            # A process another thread forks while a just-written executable
            # is still open may keep it busy for a moment (ETXTBSY).
            if e.errno != errno.ETXTBSY or attempt == 19:
                raise
            time.sleep(0.05)
    return None, proc.returncode, proc.stderr


LOCATED_ERROR = re.compile(r"^\S+?:(\d+:\d+:)? error: (.*)$", re.M)


def rejection(stderr):
    """('unsupported' | 'rejected', message) for cnnc's first located error."""
    match = LOCATED_ERROR.search(stderr)
    if not match:
        return None
    message = match.group(2)
    message = re.sub(r" \(node '[^']*'\)", "", message)
    kind = "unsupported" if message.startswith("unsupported") else "rejected"
    return kind, message


def close_enough(actual, expected):
    if actual.shape != expected.shape:
        return f"shape {actual.shape} vs {expected.shape}"
    expected = expected.astype(np.float64)
    actual = actual.astype(np.float64)
    nan = np.isnan(expected)
    if not np.array_equal(nan, np.isnan(actual)):
        return "NaN where not expected, or a number where NaN is"
    diff = np.abs(actual[~nan] - expected[~nan])
    bound = ATOL + RTOL * np.abs(expected[~nan])
    inf = np.isinf(expected[~nan])
    if np.any(actual[~nan][inf] != expected[~nan][inf]):
        return "infinity mismatch"
    bad = (diff > bound) & ~inf
    if np.any(bad):
        return f"max |error| {diff[bad].max():.3g} over the bound at {int(bad.sum())} elements"
    return None


def run_case(case, cnnc, workdir, ort_dir):
    """(outcome, detail) of one case."""
    directory = os.path.join(workdir, case.name)
    os.makedirs(directory, exist_ok=True)
    try:
        model, feeds, expected = deployed_model(case)
    except ValueError as error:
        return "rejected", f"the runner cannot feed it: {error}"
    path = os.path.join(directory, "model.onnx")
    onnx.save(model, path)
    io_args = []
    for name, value in feeds.items():
        if not isinstance(value, np.ndarray):
            return "rejected", "the runner cannot feed a non-tensor input"
        file = os.path.join(directory, f"in_{cnnc_name(name)}.npy")
        np.save(file, value)
        io_args += ["--input", f"{cnnc_name(name)}={file}"]
    results = {}
    for name, _ in expected:
        results[name] = os.path.join(directory, f"out_{cnnc_name(name)}.npy")
        io_args += ["--output", f"{cnnc_name(name)}={results[name]}"]
    for level in LEVELS:
        exe = os.path.join(directory, f"O{level}")
        outcome, code, stderr = run([cnnc, path, f"-O{level}", "-o", exe], COMPILE_SECONDS)
        if outcome:
            return outcome, stderr
        if code != 0:
            located = rejection(stderr)
            if code < 0 or not located:
                return "crash", f"cnnc -O{level} exited with {code}: {stderr.strip()[-300:]}"
            # The importer decides what is supported; past it, an error is a bug.
            if run([cnnc, path, "--emit=cnn", "-o", os.devnull], COMPILE_SECONDS)[1] == 0:
                return "crash", f"cnnc -O{level} failed after the import: {located[1]}"
            return located
        for file in results.values():
            if os.path.exists(file):
                os.remove(file)
        outcome, code, stderr = run([exe] + io_args, RUN_SECONDS)
        if outcome:
            return outcome, stderr
        if code != 0:
            return "crash", f"-O{level} executable exited with {code}: {stderr.strip()[-300:]}"
        if case.name in DISPUTED:
            if not ort_dir:
                return "disputed", DISPUTED[case.name] + " (not checked: no --ort-dir)"
            expected = list(ort_oracle.run(ort_dir, path, feeds, directory).items())
        for name, value in expected:
            if not isinstance(value, np.ndarray) or value.dtype != np.float32:
                return "rejected", f"the runner compares f32 outputs only ('{name}')"
            problem = close_enough(np.load(results[name]), value)
            if problem:
                return "wrong", f"-O{level} output '{name}': {problem}"
    if case.name in DISPUTED:
        return "disputed", DISPUTED[case.name] + "; cnnc matches ONNX Runtime"
    return "pass", ""


def support_table(cases, results):
    """Markdown: per op, cases passed / total and why the others do not pass."""
    by_op = collections.defaultdict(list)
    for name, op in tested_ops(cases).items():
        by_op[op].append(name)
    lines = [
        "# ONNX node-test conformance",
        "",
        "Generated by `test/onnx-node/node_tests.py --update` from ONNX 1.12's backend node tests",
        f"({len(cases)} cases; see [onnx.md](onnx.md) for how they are run). Do not edit by hand.",
        "",
        f"**{sum(1 for r in results.values() if r[0] == 'pass')} of {len(cases)} cases pass** "
        "(both -O0 and -O2 match the expected outputs).",
        "",
        "| ONNX op | passed / cases | why the others do not pass |",
        "| --- | --- | --- |",
    ]
    for op in sorted(by_op, key=str.lower):
        names = by_op[op]
        passed = sum(1 for n in names if results[n][0] == "pass")
        reasons = collections.Counter(
            "disputed: " + DISPUTED[n] if n in DISPUTED else shorten(results[n][1])
            for n in names if results[n][0] != "pass")
        why = "; ".join(f"{r} ({c})" if c > 1 else r for r, c in reasons.most_common())
        lines.append(f"| {op} | {passed} / {len(names)} | {why.replace('|', '&#124;')} |")
    return "\n".join(lines) + "\n"


def shorten(message):
    """A reason shared by cases: names and numbers of one case left out."""
    message = message.splitlines()[0] if message else "?"
    message = re.sub(r"'[^']*' \(input \d+\)", "an input", message)
    message = re.sub(r"tensor '[^']*'", "a tensor", message)
    message = re.sub(r"ONNX constant '[^']*'", "an ONNX constant", message)
    return message if len(message) <= 120 else message[:117] + "..."


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cnnc", required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    parser.add_argument("--filter", default="")
    parser.add_argument("--ort-dir", help="a directory with node_modules/onnxruntime-node")
    parser.add_argument("--expected")
    parser.add_argument("--table")
    parser.add_argument("--update", action="store_true")
    args = parser.parse_args()
    if args.filter and (args.update or args.table or args.expected):
        parser.error("--filter runs a part of the cases: it cannot check or update the list and table")

    cases = [c for c in node_cases.collect_testcases("") if c.data_sets and re.search(args.filter, c.name)]
    cases.sort(key=lambda c: c.name)
    os.makedirs(args.workdir, exist_ok=True)
    results = {}
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = {pool.submit(run_case, c, args.cnnc, args.workdir, args.ort_dir): c.name for c in cases}
        for future in concurrent.futures.as_completed(futures):
            results[futures[future]] = future.result()

    counts = collections.Counter(outcome for outcome, _ in results.values())
    for name in sorted(results):
        outcome, detail = results[name]
        if outcome in FAILURES:
            print(f"{outcome.upper()}: {name}: {detail}")
    passed = sorted(n for n, (o, _) in results.items() if o == "pass")
    ok = not any(counts[f] for f in FAILURES)

    if args.update:
        if args.expected:
            with open(args.expected, "w") as f:
                f.write("".join(n + "\n" for n in passed))
        if args.table:
            with open(args.table, "w") as f:
                f.write(support_table(cases, results))
    if args.table and not args.update:
        with open(args.table) as f:
            if f.read() != support_table(cases, results):
                print(f"STALE TABLE: {args.table} is not this run's (rewrite it with --update)")
                ok = False
    if args.expected and not args.update:
        with open(args.expected) as f:
            listed = {line.strip() for line in f if line.strip() and not line.startswith("#")}
        for name in sorted(listed - set(passed)):
            outcome, detail = results.get(name, ("no such case", ""))
            print(f"REGRESSION: {name}: {outcome}: {detail}")
            ok = False
        for name in sorted(set(passed) - listed):
            print(f"NEW PASS: {name} (record it with --update)")
            ok = False
    summary = ", ".join(f"{counts[k]} {k}" for k in ("pass", "disputed", "unsupported", "rejected") + FAILURES)
    print(f"{len(cases)} cases: {summary}")
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
