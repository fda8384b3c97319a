#!/usr/bin/env python3
"""Differential testing: random valid .cnn models, compiled, against --reference.

  random_models.py --cnnc PATH --workdir DIR [--seed S] [--count N]
                   [--jobs J] [--keep] [--show SEED]

Model i of a run is generated from the seed S * 1000003 + i alone, so a
failure is reproduced by its model seed (`--seed K --count 1` with K the
printed model seed and `--show K` prints the model). Each model is a random
chain of the .cnn language's ops with valid shapes: convolutions (kernels
1-5 and rectangular, strides 1-3, every padding form including `same`,
dilations, groups from 1 to depthwise, with and without bias), batch-norm
with random statistics, activations, residual adds and broadcast gates,
concats, channel slices, max/avg pools (ceil_mode, count_include_pad),
upsampling and resizing, padding in each mode, transposes, and a dense head.

`cnnc --reference` computes the expected outputs; the model is compiled at
-O2 and, rotating with the model number, at -O0, with --no-fuse or with
--no-winograd. Each executable runs on 1 and 3 threads, whose outputs must
be identical; every output must match the reference within
max|out - ref| <= 1e-4 * max(1, max|ref|). A failure prints the model seed,
the model and the command that failed; the exit status is the number of
failed models (at most 100).
"""
import argparse
import concurrent.futures
import os
import random
import re
import shutil
import subprocess
import sys

import numpy as np

TOLERANCE = 1e-4

ACTIVATIONS = [
    "relu", "relu6", "sigmoid", "tanh", "silu", "mish", "hardswish",
    "leaky_relu(alpha=0.1)", "hardsigmoid", "elu", "selu", "celu(alpha=0.5)",
    "softplus", "softsign", "abs", "gelu_tanh", "hard_mish", "clip(min=-0.5, max=0.5)",
    "affine(scale=0.5, shift=0.25)", "loggy", "ramp", "lhtan",
]


def conv_out(size, k, s, d, lo, hi):
    return (size + lo + hi - d * (k - 1) - 1) // s + 1


def pool_out(size, k, s, p, ceil):
    span = size + 2 * p - k
    if span < 0:
        return 0
    out = (-(-span // s) if ceil else span // s) + 1
    if ceil and (out - 1) * s >= size + p:
        out -= 1
    return out


class Model:
    def __init__(self, rng, big):
        self.rng = rng
        self.big = big  # channels in multiples of 8 and more pixels
        self.lines = []
        self.tensors = []  # (name, shape)
        self.count = 0

    def fresh(self):
        self.count += 1
        return f"t{self.count}"

    def floats(self, n, lo=-1.0, hi=1.0):
        return "[" + ", ".join(f"{self.rng.uniform(lo, hi):.4f}" for _ in range(n)) + "]"

    def bind(self, expr, shape):
        name = self.fresh()
        self.lines.append(f"{name} = {expr}")
        self.tensors.append((name, shape))
        return name, shape

    def pick4(self):
        """A 4-D tensor, the most recent ones most likely."""
        candidates = [t for t in self.tensors if len(t[1]) == 4]
        weights = [2.0 ** i for i in range(len(candidates))]
        return self.rng.choices(candidates, weights)[0]

    def activation(self):
        return self.rng.choice(ACTIVATIONS)

    # --- ops ----------------------------------------------------------------

    def conv(self):
        rng = self.rng
        x, (n, c, h, w) = self.pick4()
        for _ in range(20):
            kh = rng.choice([1, 1, 3, 3, 3, 5, 2])
            kw = kh if rng.random() < 0.8 else rng.choice([1, 3, 5])
            s = rng.choice([1, 1, 1, 2, 3])
            d = rng.choice([1, 1, 1, 2])
            groups = rng.choice([g for g in range(1, c + 1) if c % g == 0])
            if rng.random() < 0.3:
                groups = c
            filters = groups * rng.randint(1, max(1, 16 // groups))
            if groups == c and rng.random() < 0.5:
                filters = c  # depthwise
            if self.big and rng.random() < 0.6:
                # What Winograd and the register-tiled kernels take.
                kh = kw = rng.choice([1, 3, 3])
                s, d, groups = rng.choice([1, 1, 2]), 1, 1
                filters = rng.choice([8, 16, 24, 32, 48])
            form = rng.choice(["int", "pair", "quad", "same", "none"])
            if form == "same":
                padding, pads = "same", None
                oh, ow = -(-h // s), -(-w // s)
            else:
                if form == "none":
                    pads = (0, 0, 0, 0)
                elif form == "int":
                    p = rng.randint(0, 2)
                    pads = (p, p, p, p)
                elif form == "pair":
                    ph, pw = rng.randint(0, 2), rng.randint(0, 2)
                    pads = (ph, pw, ph, pw)
                else:
                    pads = tuple(rng.randint(0, 2) for _ in range(4))
                padding = {"none": None, "int": str(pads[0]),
                           "pair": f"({pads[0]}, {pads[1]})",
                           "quad": f"({pads[0]}, {pads[1]}, {pads[2]}, {pads[3]})"}[form]
                oh = conv_out(h, kh, s, d, pads[0], pads[2])
                ow = conv_out(w, kw, s, d, pads[1], pads[3])
            if oh >= 1 and ow >= 1:
                break
        else:
            return
        kernel = str(kh) if kh == kw else f"({kh}, {kw})"
        args = [x, f"filters={filters}", f"kernel={kernel}"]
        if s != 1:
            args.append(f"stride={s}")
        if padding:
            args.append(f"padding={padding}")
        if d != 1:
            args.append(f"dilation={d}")
        if groups != 1:
            args.append(f"groups={groups}")
        if rng.random() < 0.3:
            args.append("bias=false")
        expr = f"conv2d({', '.join(args)})"
        shape = (n, filters, oh, ow)
        if rng.random() < 0.4:
            expr += f" |> batchnorm(gamma={self.floats(filters, 0.5, 1.5)}, " \
                    f"beta={self.floats(filters)}, mean={self.floats(filters)}, " \
                    f"var={self.floats(filters, 0.5, 2.0)})"
        same = [t for t in self.tensors if t[1] == shape]
        if same and rng.random() < 0.5:
            # A residual: conv (+ activation) + another tensor of its shape.
            if rng.random() < 0.5:
                expr += f" |> {self.activation()}"
            expr = f"add({expr}, {rng.choice(same)[0]})"
        if rng.random() < 0.7:
            expr += f" |> {self.activation()}"
        self.bind(expr, shape)

    def expand_depthwise(self):
        """1x1 expansion then a depthwise conv: the fused kernel's pattern."""
        rng = self.rng
        x, (n, c, h, w) = self.pick4()
        e = c * rng.randint(2, 4)
        k = rng.choice([3, 5])
        s = rng.choice([1, 2])
        p = k // 2
        act = rng.choice(["relu6", "relu", "silu", "hardswish"])
        mid, _ = self.bind(f"conv2d({x}, filters={e}, kernel=1) |> {act}", (n, e, h, w))
        oh, ow = conv_out(h, k, s, 1, p, p), conv_out(w, k, s, 1, p, p)
        self.bind(f"conv2d({mid}, filters={e}, kernel={k}, stride={s}, padding={p}, "
                  f"groups={e}) |> {act}", (n, e, oh, ow))

    def pool(self):
        rng = self.rng
        x, (n, c, h, w) = self.pick4()
        kind = rng.choice(["maxpool2d", "avgpool2d"])
        k = rng.randint(1, 3)
        s = rng.randint(1, 3)
        p = rng.randint(0, k // 2)
        ceil = rng.random() < 0.4
        oh, ow = pool_out(h, k, s, p, ceil), pool_out(w, k, s, p, ceil)
        if oh < 1 or ow < 1:
            return
        args = [x, f"kernel={k}", f"stride={s}"]
        if p:
            args.append(f"padding={p}")
        if ceil:
            args.append("ceil_mode=true")
        if kind == "avgpool2d" and rng.random() < 0.5:
            args.append("count_include_pad=false")
        self.bind(f"{kind}({', '.join(args)})", (n, c, oh, ow))

    def unary(self):
        x, shape = self.pick4()
        self.bind(f"{x} |> {self.activation()}", shape)

    def binary(self):
        rng = self.rng
        x, shape = self.pick4()
        n, c, h, w = shape
        op = rng.choice(["add", "sub", "mul", "max", "min"])
        same = [t for t in self.tensors if t[1] == shape and t[0] != x]
        if same and rng.random() < 0.6:
            self.bind(f"{op}({x}, {rng.choice(same)[0]})", shape)
        else:
            # A squeeze-excitation gate: [N, C, 1, 1] broadcast over H, W.
            squeeze = max(1, c // 2)
            gate, _ = self.bind(
                f"global_avgpool({x}) |> conv2d(filters={squeeze}, kernel=1) |> relu "
                f"|> conv2d(filters={c}, kernel=1) |> sigmoid", (n, c, 1, 1))
            self.bind(f"mul({x}, {gate})", shape)

    def concat(self):
        x, (n, c, h, w) = self.pick4()
        others = [t for t in self.tensors
                  if len(t[1]) == 4 and t[1][0] == n and t[1][2:] == (h, w)]
        y, (_, c2, _, _) = self.rng.choice(others)
        self.bind(f"concat({x}, {y}, axis=1)", (n, c + c2, h, w))

    def slice(self):
        x, (n, c, h, w) = self.pick4()
        if c < 2:
            return
        size = self.rng.randint(1, c - 1)
        offset = self.rng.randint(0, c - size)
        self.bind(f"slice({x}, offset={offset}, size={size}, axis=1)", (n, size, h, w))

    def resample(self):
        rng = self.rng
        x, (n, c, h, w) = self.pick4()
        if h * w > 1600:
            return
        if rng.random() < 0.4:
            self.bind(f"upsample({x}, scale=2)", (n, c, 2 * h, 2 * w))
            return
        oh, ow = rng.randint(1, 2 * h), rng.randint(1, 2 * w)
        mode = rng.choice(["nearest", "linear", "cubic"])
        coords = rng.choice(["half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric"])
        self.bind(f'resize({x}, size=({oh}, {ow}), mode="{mode}", coordinates="{coords}")',
                  (n, c, oh, ow))

    def pad(self):
        rng = self.rng
        x, (n, c, h, w) = self.pick4()
        mode = rng.choice(["constant", "reflect", "edge"])
        limit = (lambda size: min(2, size - 1)) if mode == "reflect" else (lambda size: 2)
        lh, hh = rng.randint(0, limit(h)), rng.randint(0, limit(h))
        lw, hw = rng.randint(0, limit(w)), rng.randint(0, limit(w))
        extra = f", value={rng.uniform(-1, 1):.3f}" if mode == "constant" else ""
        self.bind(f'pad({x}, low=[0, 0, {lh}, {lw}], high=[0, 0, {hh}, {hw}], '
                  f'mode="{mode}"{extra})', (n, c, h + lh + hh, w + lw + hw))

    def transpose(self):
        x, (n, c, h, w) = self.pick4()
        self.bind(f"transpose({x}, perm=[0, 1, 3, 2])", (n, c, w, h))

    def head(self):
        rng = self.rng
        x, (n, c, h, w) = self.pick4()
        if rng.random() < 0.5:
            x, (n, c, h, w) = self.bind(f"global_avgpool({x})", (n, c, 1, 1))
        units = rng.randint(1, 12)
        expr = f"dense(flatten({x}), units={units})"
        if rng.random() < 0.5:
            expr += " |> " + rng.choice(["relu", "softmax", "log_softmax", "sigmoid"])
        return self.bind(expr, (n, units))


OPS = [(Model.conv, 6), (Model.expand_depthwise, 1), (Model.pool, 2), (Model.unary, 1),
       (Model.binary, 2), (Model.concat, 1), (Model.slice, 1), (Model.resample, 1),
       (Model.pad, 1), (Model.transpose, 1)]


def generate(seed):
    """The .cnn text of model `seed` and its input's shape."""
    rng = random.Random(seed)
    m = Model(rng, big=rng.random() < 0.3)
    n = rng.choice([1, 1, 1, 2])
    if m.big:
        shape = (n, rng.choice([8, 16, 32]), rng.randint(12, 40), rng.randint(12, 40))
    else:
        shape = (n, rng.randint(1, 8), rng.randint(4, 20), rng.randint(4, 20))
    m.tensors.append(("image", shape))
    while len(m.tensors) < 3 or rng.random() < 0.8 and len(m.tensors) < 10:
        op = rng.choices([o for o, _ in OPS], [w for _, w in OPS])[0]
        op(m)
    if rng.random() < 0.4:
        m.head()
    # Every tensor no other op reads is an output, so no op is dead code.
    used = {word for line in m.lines
            for word in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", line.split("=", 1)[1])}
    outputs = [t for t, _ in m.tensors[1:] if t not in used] or [m.tensors[-1][0]]
    lines = [f"# random_models.py model seed {seed}", f"model random_{seed}",
             f"input image: f32[{', '.join(map(str, shape))}]"] + m.lines
    lines += [f"output {o}" for o in outputs]
    return "\n".join(lines) + "\n", shape, outputs


def run(cmd):
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"$ {' '.join(cmd)}\n{done.stdout}{done.stderr}")


def compare(actual, expected, perturb, what):
    """Raises when `actual` is off `expected` by more than the tolerance."""
    expected = np.array(expected, np.float64)
    if perturb:
        expected.flat[0] += 1e-3 * max(1.0, np.max(np.abs(expected)))
    if actual.shape != expected.shape:
        raise RuntimeError(f"{what}: shape {list(actual.shape)}, expected "
                           f"{list(expected.shape)}")
    error = np.max(np.abs(actual.astype(np.float64) - expected), initial=0)
    bound = TOLERANCE * max(1.0, float(np.max(np.abs(expected), initial=0)))
    if not error <= bound:
        raise RuntimeError(f"{what} is off by {error:.3g} (bound {bound:.3g})")


def check_compiled(args, index, work, model, image, outputs, oracles=()):
    """Compiles `model` (in `work`, its input `image` an array) at -O2 and
    the variant for `index`, runs each on 1 and 3 threads and compares every
    output with cnnc --reference and with each of `oracles` [(name, {output:
    array})] (which --reference must match too); raises on a mismatch."""
    path = os.path.join(work, "image.npy")
    np.save(path, image)
    variant = [["-O0"], ["-O2", "--no-fuse"], ["-O2", "--no-winograd"]][index % 3]

    def outs(tag):
        return {o: os.path.join(work, f"{tag}_{o}.npy") for o in outputs}

    def io(files):
        return ["--input", f"image={path}"] + [
            a for o, f in files.items() for a in ("--output", f"{o}={f}")]

    ref = outs("ref")
    run([args.cnnc, model, "--reference"] + io(ref))
    for name, values in oracles:
        for o in outputs:
            compare(np.load(ref[o]), values[o], False, f"--reference's output '{o}' against {name}")
    oracles = [("--reference", {o: np.load(ref[o]) for o in outputs})] + list(oracles)
    for flags in (["-O2"], variant):
        exe = os.path.join(work, "model" + "".join(flags))
        run([args.cnnc, model, *flags, "-o", exe])
        first = None
        for threads in ("1", "3"):
            got = outs("".join(flags) + "_t" + threads)
            run([exe, "--threads", threads] + io(got))
            for o in outputs:
                for name, values in oracles:
                    compare(np.load(got[o]), values[o], args.perturb,
                            f"{' '.join(flags)} on {threads} threads: output '{o}' against "
                            f"{name}")
            if first is None:
                first = got
                continue
            for o in outputs:
                if not np.array_equal(np.load(first[o]), np.load(got[o]), equal_nan=True):
                    raise RuntimeError(
                        f"{' '.join(flags)}: output '{o}' differs between 1 and 3 threads")


def check_model(args, index, seed, name, content, shape, outputs, text, oracles=None):
    """None when model `seed` (`content`, written to `name`) passes, else a
    report with `text`, the model as a reader sees it. `oracles(path, image,
    work)` gives outputs to compare with beside --reference."""
    work = os.path.join(args.workdir, f"m{seed}")
    os.makedirs(work, exist_ok=True)
    path = os.path.join(work, name)
    with open(path, "wb") as f:
        f.write(content)
    image = np.random.default_rng(seed).uniform(-1, 1, shape).astype(np.float32)
    try:
        expected = oracles(path, image, work) if oracles else []
        check_compiled(args, index, work, path, image, outputs, expected)
    except (RuntimeError, subprocess.CalledProcessError) as error:
        return f"FAIL: model seed {seed}\n{error}\n--- {name}\n{text}"
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return None


def check(args, index, seed):
    text, shape, outputs = generate(seed)
    return check_model(args, index, seed, "model.cnn", text.encode(), shape, outputs, text)


def arguments(description, extra=()):
    """The command line both generators take (`extra`: more options, as
    (flag, keyword arguments) pairs)."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--cnnc")
    p.add_argument("--workdir")
    for flag, options in extra:
        p.add_argument(flag, **options)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--count", type=int, default=20)
    p.add_argument("--jobs", type=int, default=1)
    p.add_argument("--keep", action="store_true", help="keep passing models' files")
    p.add_argument("--perturb", action="store_true",
                   help="change each reference's first value (the check must fail)")
    p.add_argument("--show", type=int, metavar="SEED", help="print model SEED and stop")
    args = p.parse_args()
    if args.show is None and (not args.cnnc or not args.workdir):
        p.error("--cnnc and --workdir are required")
    return args


def check_all(args, check, what):
    """Checks models seed * 1000003 + i (or the one --seed) with `check`,
    prints each failure and a summary ("N of M `what`"); returns the exit
    status, the number of failures up to 100."""
    os.makedirs(args.workdir, exist_ok=True)
    seeds = [args.seed * 1000003 + i if args.count > 1 else args.seed
             for i in range(args.count)]
    failed = 0
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        for report in pool.map(lambda ia: check(args, *ia), enumerate(seeds)):
            if report:
                failed += 1
                print(report, flush=True)
    print(f"{len(seeds) - failed} of {len(seeds)} {what}")
    return min(failed, 100)


def main():
    args = arguments(__doc__.split("\n")[0])
    if args.show is not None:
        print(generate(args.show)[0], end="")
        return 0
    return check_all(args, check, "random models match the reference")


if __name__ == "__main__":
    sys.exit(main())
