"""ONNX Runtime as a test oracle: runs ort_run.js (onnxruntime-node) on a
model and returns its outputs. Shared by test/import's scripts."""
import json
import os
import subprocess
import tempfile

import numpy as np

RUNNER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ort_run.js")


def run(ort_dir, model, inputs, workdir):
    """Outputs {name: array} of `model` for `inputs` {name: array}."""
    outdir = tempfile.mkdtemp(prefix="ort_", dir=workdir)
    args = []
    for i, (name, value) in enumerate(inputs.items()):
        path = os.path.join(outdir, f"in{i}.npy")
        np.save(path, np.ascontiguousarray(value, dtype=np.float32))
        args.append(f"{name}={path}")
    proc = subprocess.run(["node", RUNNER, ort_dir, model, outdir] + args,
                          check=True, stdout=subprocess.PIPE, text=True)
    names = json.loads(proc.stdout)
    return {n: np.load(os.path.join(outdir, f"{i}.npy")) for i, n in enumerate(names)}


def normalised_error(actual, expected):
    """max|a - e| / max|e|, or inf when the shapes differ."""
    if actual.shape != expected.shape:
        return float("inf")
    scale = max(float(np.max(np.abs(expected))), 1e-30)
    diff = np.abs(actual.astype(np.float64) - expected.astype(np.float64))
    return float(np.max(diff)) / scale
